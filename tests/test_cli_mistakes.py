"""Issue 18's mistakes, each as the user made it: one sentence saying what to do, in the
user's own words, exit status 1 (130 for Ctrl-C), no traceback, and nothing created."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from cli_support import error_line, offline, run  # noqa: F401 (offline: autouse)

import miogram_toolkit as mg
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


@pytest.fixture
def served() -> Iterator[mg.Simulator]:
    with mg.Simulator(seed=7) as sim:
        yield sim


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("command", ["credits", "report", "send"])
@pytest.mark.parametrize("mistake", ["wrong secret", "wrong port", "wrong path", "no such host"])
def test_each_way_of_missing_the_service_has_its_own_sentence(
        command: str, mistake: str, served: mg.Simulator, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url, secret = served.url, served.secret
    port = _closed_port()
    if mistake == "wrong secret":
        secret = "n0tTheSecret99"
    elif mistake == "wrong port":
        url = f"http://127.0.0.1:{port}/dojob.php"
    elif mistake == "wrong path":
        url = served.url.replace("/dojob.php", "/api.php")
    else:
        url = "https://miogram.invalid/dojob.php"

        def no_such_host(host: object, *args: object, **kwargs: object) -> object:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

        monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    monkeypatch.setenv("MIOGRAM_URL", url)
    monkeypatch.setenv("MIOGRAM_SECRET", secret)
    own = Path("own.csv")  # not the samples: those are refused off this machine first
    own.write_text("name,mobile\nSara,09121000001\n", encoding="utf-8")
    extra = [str(own), "--message", "hi", "--yes"] if command == "send" else []
    code, stdout, err = run(capsys, command, *extra)
    assert code == 1 and stdout == ""
    expected = {
        "wrong secret": f"The service at {url} refused the secret key: check MIOGRAM_SECRET "
                        f"against the key shown in the MioGram web panel.",
        "wrong port": f"Nothing answers at 127.0.0.1:{port} (connection refused): check the "
                      f"port in MIOGRAM_URL={url}, or start the service there.",
        "wrong path": f"There is no MioGram endpoint at MIOGRAM_URL={url}: check its path (the "
                      f"service's ends in /dojob.php).",
        "no such host": f"The host name miogram.invalid in MIOGRAM_URL={url} does not resolve: "
                        f"check its spelling and this machine's internet connection.",
    }[mistake]
    assert error_line(err, command) == expected
    assert secret not in err
    assert served.inspect()["counts"]["sends"] == 0


def test_the_samples_are_refused_off_this_machine_before_any_request(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MIOGRAM_URL", f"https://127.0.0.2.nip.example:{_closed_port()}/dojob.php")
    monkeypatch.setenv("MIOGRAM_SECRET", "s3cretvalue42")
    code, stdout, err = run(capsys, "send", str(SAMPLES / "contacts.xlsx"), "--message", "hi",
                            "--yes")
    assert code == 1 and stdout == ""
    message = error_line(err, "send")
    assert "belong to the toolkit's sample contacts" in message
    assert message.endswith("load your own contact sheet to send through a real service.")
    assert "Using the MioGram service" not in err  # refused before the service was asked
    assert _files(tmp_path) == []


def test_a_reader_that_goes_away_early_ends_the_command_quietly() -> None:
    # `miogram credits | head -1`: the reader has closed the pipe before the table is printed.
    proc = subprocess.Popen([sys.executable, "-m", "miogram_toolkit.cli", "credits"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert err.splitlines()[0].startswith("Using the built-in simulator")
    assert len(err.splitlines()) == 1, err  # no "broken pipe", no traceback
