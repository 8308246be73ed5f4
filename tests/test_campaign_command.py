"""``miogram send / status / retry`` through the CLI's campaign commands, on the sample."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from miogram_toolkit.campaign import Campaign
from miogram_toolkit.cli import campaign as command
from miogram_toolkit.demo import sample_path


@pytest.fixture
def no_service(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("MIOGRAM_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_register_adds_three_subcommands_with_func() -> None:
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["send", "a.csv", "--message", "Hi", "--dry-run"])
    assert args.func is command.run_send and args.dry_run
    assert parser.parse_args(["status", "j.sqlite"]).func is command.run_status
    retry = parser.parse_args(["retry", "a.csv", "--message", "Hi", "--reason", "bad_number"])
    assert retry.func is command.run_retry and retry.reason == ["bad_number"]


def test_send_the_sample_then_status_then_resume_sends_nothing(no_service: Path,
                                                              capsys: Any) -> None:
    sheet = str(sample_path("contacts.csv"))
    journal = str(no_service / "sample.sqlite")
    base = ["send", sheet, "--message-file", str(sample_path("message.txt")), "--rate", "0",
            "--journal", journal, "--no-progress", "--opt-out", str(sample_path("contacts.xlsx")),
            "--opt-out-sheet", "Unsubscribed"]
    assert command.main([*base, "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "BUILT-IN SIMULATOR" in err and "Rows: 300; to send 263; skipped 37" in err
    assert command.main([*base, "--out", str(no_service / "out.xlsx")]) == 0
    err = capsys.readouterr().err
    assert "delivered" in err and journal in err
    written = pd.read_excel(no_service / "out.xlsx", dtype=str, engine="openpyxl")
    assert len(written) == 300
    assert set(written["campaign_state"]) == {"delivered", "failed", "skipped"}
    reasons = written["campaign_reason"].fillna("")
    assert (reasons == "opted_out").sum() == 10
    assert reasons.str.startswith("duplicate_of:").sum() == 6
    first = written.loc[written["customer_id"] == "C051", "campaign_reason"].item()
    original = written.iloc[int(first.split(":")[1]) - 2]  # the sheet's row: header on row 1
    assert original["campaign_e164"] == \
        written.loc[written["customer_id"] == "C051", "campaign_e164"].item()
    assert command.main(["status", journal]) == 0
    assert "finished" in capsys.readouterr().out
    before = Campaign.status(journal).rows
    assert command.main(base) == 0  # again: resumes a finished campaign, sends nothing
    pd.testing.assert_frame_equal(Campaign.status(journal).rows, before)


def test_errors_are_one_sentence_and_a_nonzero_status(no_service: Path, capsys: Any) -> None:
    sheet = str(sample_path("contacts.csv"))
    assert command.main(["send", sheet, "--message", "Hi {nobody}", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("message: the placeholder {nobody} names no column")
    assert command.main(["status", str(no_service / "missing.sqlite")]) == 2
    assert "no journal at" in capsys.readouterr().err
    assert command.main(["send", sheet, "--message", "Hi", "--robot", "Ghost",
                         "--no-progress"]) == 2
    assert "agent 'Ghost' is not one of the account's agents" in capsys.readouterr().err
    (no_service / "bad.csv").write_text("name,mobile\na,abc\n", encoding="utf-8")
    assert command.main(["send", "bad.csv", "--message", "Hi", "--no-progress"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "preflight: no row can be sent: all 1 rows are skipped (phone_invalid 1)")
