"""``miogram send``, ``status`` and ``retry`` (the campaign room's) through the front door.

The bodies are the campaign's; what is checked here is what the ``miogram`` command promises
for every subcommand: help with an example, a success path, and each failure as one sentence
with a non-zero exit and no traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from cli_support import error_line, offline, run  # noqa: F401 (offline: autouse)

import miogram_toolkit as mg
from miogram_toolkit.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "six.csv"
    path.write_text("name,mobile\nSara,09121000001\nAli,09121000002\nReza,09121000003\n"
                    "Mina,09121000004\nNeda,09121000005\nSara again,0912 100 0001\n",
                    encoding="utf-8")
    return path


@pytest.fixture
def opt_out(tmp_path: Path) -> Path:
    path = tmp_path / "stop.csv"
    path.write_text("phone\n+989121000004\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["send", "status", "retry"])
def test_campaign_commands_have_help_with_an_example(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: miogram {name}") and "--quiet" in out
    assert f"example:\n  miogram {name} " in out


def test_send_status_report_and_retry_on_one_journal(
        sheet: Path, opt_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = tmp_path / "six.sqlite"
    out = tmp_path / "sent.csv"
    code, _, err = run(capsys, "send", str(sheet), "--message", "سلام {name}", "--rate", "0",
                       "--opt-out", str(opt_out), "--journal", str(journal), "--out", str(out),
                       "--no-progress")
    assert code == 0, err
    assert err.startswith("Using the built-in simulator (its state: ")
    sent = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert sent["campaign_state"].tolist()[3] == "skipped"           # Mina opted out
    assert sent["campaign_reason"].tolist()[5].startswith("duplicate_of")
    final = set(sent["campaign_state"])
    assert final <= {"delivered", "failed", "skipped"}

    code, stdout, _ = run(capsys, "status", str(journal))
    assert code == 0 and "delivered" in stdout

    records = tmp_path / "records.csv"
    code, stdout, _ = run(capsys, "report", "--journal", str(journal), "--out", str(records))
    assert code == 0
    harvested = pd.read_csv(records, encoding="utf-8-sig", dtype=str)
    sent_rows = sent[sent["campaign_state"] != "skipped"]
    assert sorted(harvested["phone"]) == sorted(sent_rows["campaign_e164"])
    assert f"{len(sent_rows)} records:" in stdout

    code, _, err = run(capsys, "retry", str(sheet), "--message", "سلام {name}", "--rate", "0",
                       "--opt-out", str(opt_out), "--journal", str(journal), "--no-progress")
    assert code == 0, err


def test_a_paused_campaign_exits_3_with_the_reason(sheet: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "send", str(sheet), "--message", "hi", "--rate", "0",
                       "--quiet-hours", "00:00-23:59", "--stop-when-quiet",
                       "--journal", str(tmp_path / "j.sqlite"), "--no-progress")
    assert code == 3
    assert "quiet hours" in error_line(err, "send")


@pytest.mark.parametrize("command", ["send", "retry"])
@pytest.mark.parametrize(("target", "extra", "expected"), [
    ("missing.csv", [], "Contact file 'missing.csv' does not exist."),
    ("{tmp}", [], "is a folder; give the file inside it."),
    ("{no_phone}", [], "has no phone-like column; its columns are 'name', 'city' "
                       "(name one with --column)."),
    ("{samples}/contacts.xlsx", ["--sheet", "Customers"],
     "has no sheet 'Customers'; its sheets are 'Contacts', 'Unsubscribed'."),
])
def test_send_and_retry_refuse_bad_sheets_in_one_sentence(
        command: str, target: str, extra: list[str], expected: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    no_phone = tmp_path / "people.csv"
    no_phone.write_text("name,city\nSara,Tehran\n", encoding="utf-8")
    before = sorted(os.listdir(tmp_path))
    code, stdout, err = run(capsys, command,
                            target.format(tmp=tmp_path, no_phone=no_phone, samples=SAMPLES),
                            *extra, "--message", "hi")
    assert code == 1
    message = error_line(err, command)
    assert message.endswith(expected) and "phone_column=" not in message
    assert sorted(os.listdir(tmp_path)) == before and stdout == ""


def test_send_with_a_url_but_no_secret_is_one_sentence(
        sheet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MIOGRAM_URL", "https://miogram.example/dojob.php")
    code, _, err = run(capsys, "send", str(sheet), "--message", "hi")
    assert code == 1
    assert error_line(err, "send") == (
        "MIOGRAM_URL is set but MIOGRAM_SECRET is not: export the account's secret key "
        "(shown in the MioGram web panel) as well.")


def test_send_without_enough_credit_is_refused_before_sending(
        sheet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with mg.Simulator(seed=7, credits={"Message": 3}) as sim:
        monkeypatch.setenv("MIOGRAM_URL", sim.url)
        monkeypatch.setenv("MIOGRAM_SECRET", sim.secret)
        code, _, err = run(capsys, "send", str(sheet), "--message", "hi", "--no-progress",
                           "--yes")
        assert sim.inspect()["counts"]["sends"] == 0
    assert code == 1
    assert "3 Message credits" in error_line(err, "send")


@pytest.mark.parametrize(("target", "expected"), [
    ("missing.sqlite", "Journal 'missing.sqlite' does not exist."),
    ("{tmp}", "is a folder; give the file inside it."),
])
def test_status_refuses_what_is_not_a_journal(target: str, expected: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, err = run(capsys, "status", target.format(tmp=tmp_path))
    assert code == 1
    assert error_line(err, "status").endswith(expected) and stdout == ""


class _Recorder:
    """Stands in for Campaign: records what the command passes, sends nothing."""

    made: list[dict[str, object]] = []
    retried: list[dict[str, object]] = []

    def __init__(self, sheet: object, message: object, **options: object) -> None:
        self.made.append({"message": message, **options})
        self.journal_path = "j.sqlite"
        self.outcome = None

    def retry(self, reasons: object, **options: object) -> pd.DataFrame:
        self.retried.append({"reasons": reasons, **options})
        return self.run()

    def run(self, **options: object) -> pd.DataFrame:
        return pd.DataFrame({"state": ["delivered"]})


@pytest.mark.parametrize(("argv", "expected"), [
    (["--campaign", "spring"], {"name": "spring"}),
    (["--new-campaign"], {"new_campaign": True}),
    (["--skip-recent"], {"skip_recent": True}),
    (["--not-within", "7d"], {"not_within": "7d"}),
    (["--ignore-reply-opt-outs"], {"ignore_reply_opt_outs": True}),
    ([], {}),
])
@pytest.mark.parametrize("command", ["send", "retry"])
def test_the_campaign_flags_reach_the_campaign(
        command: str, argv: list[str], expected: dict[str, object], sheet: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import miogram_toolkit.campaign as campaign_room

    monkeypatch.setattr(campaign_room, "Campaign", _Recorder)
    _Recorder.made.clear()
    code, _, err = run(capsys, command, str(sheet), "--message", "hi", *argv, "--no-progress")
    assert code == 0, err
    (made,) = _Recorder.made
    new_flags = {"name", "new_campaign", "skip_recent", "not_within", "ignore_reply_opt_outs"}
    assert {k: v for k, v in made.items() if k in new_flags} == expected
    assert made["message"] == "hi"


def test_retry_passes_its_reasons_and_unknown(sheet: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    import miogram_toolkit.campaign as campaign_room

    monkeypatch.setattr(campaign_room, "Campaign", _Recorder)
    _Recorder.retried.clear()
    code, _, err = run(capsys, "retry", str(sheet), "--message", "hi", "--reason",
                       "not_on_messenger", "--reason", "bad_number", "--unknown",
                       "--no-progress")
    assert code == 0, err
    assert _Recorder.retried == [{"reasons": ["not_on_messenger", "bad_number"],
                                  "progress": False, "unknown": True}]
