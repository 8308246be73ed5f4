"""Issue 18's mistakes, each as the user made it: one sentence saying what to do, in the
user's own words, exit status 1 (130 for Ctrl-C), no traceback, and nothing created."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from cli_support import error_line, offline, run  # noqa: F401 (offline: autouse)

from miogram_toolkit.cli import commands as commands_module
from miogram_toolkit.local import LockFile
from miogram_toolkit.service import shared_simulator_state

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
COLUMNS = "'customer_id', 'name', 'mobile', 'city', 'segment'"


def _files(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@pytest.mark.parametrize("command", ["clean", "send"])
@pytest.mark.parametrize("sheet", ["contacts.xlsx", "contacts.csv"])
def test_a_mistyped_column_lists_the_sheets_columns(
        command: str, sheet: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = ["--message", "hi", "--dry-run"] if command == "send" else []
    code, stdout, err = run(capsys, command, str(SAMPLES / sheet), "--column", "mobil", *extra)
    assert code == 1 and stdout == ""
    assert error_line(err, command) == (
        f"Contact file '{SAMPLES / sheet}' has no column 'mobil'; its columns are {COLUMNS} "
        f"(name one with --column).")
    assert _files(tmp_path) == []


def test_retry_with_a_mistyped_reason_names_the_nearest(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "retry", str(SAMPLES / "contacts.csv"), "--message", "hi",
                       "--reason", "not_on_messnger")
    assert code == 1
    assert error_line(err, "retry") == ("--reason 'not_on_messnger' is not a reason a row can "
                                        "fail for; did you mean not_on_messenger?")
    assert "simulator" not in err  # refused before any service is asked


@pytest.mark.parametrize("command", ["send", "retry"])
def test_no_message_names_the_flags(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, command, str(SAMPLES / "contacts.csv"))
    assert code == 1
    assert error_line(err, command) == ("give the message with --message TEXT or --message-file "
                                        "FILE (or --photo, --video or --file to send a file).")


@pytest.mark.parametrize(("encoding", "prefix"), [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1256", b""),
])
def test_message_files_are_read_like_contact_files(
        encoding: str, prefix: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "سلام {name} جان، حراج پاییزه".replace("ی", "ي")  # Windows-1256 has the Arabic yeh
    message = tmp_path / "message.txt"
    message.write_bytes(prefix + text.encode(encoding))  # utf-16 writes its own BOM
    plan = tmp_path / "plan.csv"
    code, _, err = run(capsys, "send", str(SAMPLES / "contacts.csv"), "--message-file",
                       str(message), "--dry-run", "--out", str(plan))
    assert code == 0, err
    sent = pd.read_csv(plan, dtype=str, encoding="utf-8-sig")["campaign_message"].dropna()
    first_name = pd.read_csv(SAMPLES / "contacts.csv", dtype=str)["name"].iloc[0]
    assert sent.iloc[0] == text.format(name=first_name)
    assert not sent.str.contains("\ufeff").any()  # the BOM is never sent


def test_an_empty_message_file_is_one_sentence(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "m.txt").write_bytes(b"\xef\xbb\xbf \n")
    code, _, err = run(capsys, "send", str(SAMPLES / "contacts.csv"), "--message-file", "m.txt")
    assert code == 1
    assert error_line(err, "send") == "Message file 'm.txt' is empty; write the message in it."


def test_ctrl_c_says_how_to_continue(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands_module, "credits", interrupted)
    code, _, err = run(capsys, "credits")
    assert code == 130
    assert error_line(err, "credits") == ("interrupted: run the same command again to "
                                          "continue.")


def test_a_broken_pipe_exits_quietly(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    def closed(args: object) -> int:  # what print() raises once `| head -4` has gone
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(commands_module, "credits", closed)
    code, stdout, err = run(capsys, "credits")
    assert (code, stdout, err) == (0, "", "")


@pytest.mark.parametrize("given", ["default", "--out"])
def test_clean_never_overwrites_without_force(given: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / ("contacts_clean.xlsx" if given == "default" else "mine.xlsx")
    target.write_bytes(b"the first result")
    out = [] if given == "default" else ["--out", "mine.xlsx"]
    code, stdout, err = run(capsys, "clean", str(SAMPLES / "contacts.csv"), *out)
    assert code == 1 and stdout == ""
    assert error_line(err, "clean") == (f"'{target.name}' already exists; give another --out or "
                                        f"add --force to replace it.")
    assert target.read_bytes() == b"the first result" and _files(tmp_path) == [target.name]
    code, _, _ = run(capsys, "clean", str(SAMPLES / "contacts.csv"), *out, "--force")
    assert code == 0 and target.read_bytes().startswith(b"PK")


def test_a_second_command_on_a_busy_simulator_is_one_sentence(
        capsys: pytest.CaptureFixture[str]) -> None:
    with LockFile(shared_simulator_state().with_suffix(".lock")):
        code, stdout, err = run(capsys, "credits")
    assert code == 1 and stdout == ""
    assert error_line(err, "credits") == (
        f"The built-in simulator is in use by another miogram command (process {os.getpid()}); "
        "wait for it to finish, or serve it to several commands at once with `miogram "
        "simulator` and export the MIOGRAM_URL it prints.")
