"""The ``miogram`` command: every subcommand's help, a success path and its failure paths.

A failure must be one sentence on stderr naming the thing, a non-zero exit, no traceback, and
nothing created.
"""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from cli_support import error_line, offline, run  # noqa: F401 (offline: autouse)

from miogram_toolkit import __version__
from miogram_toolkit.cli import build_parser, main
from miogram_toolkit.cli import commands as commands_module

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
COMMANDS = ["clean", "credits", "report", "simulator", "dashboard", "demo"]


@pytest.fixture
def no_phone_sheet(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text("name,city\nSara,Tehran\nAli,Qom\n", encoding="utf-8")
    return path


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/dojob.php"


# -- the parser ---------------------------------------------------------------------------------


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"miogram-toolkit {__version__}"


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"\n    {name} " in out
    assert "MIOGRAM_URL" in out


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_help_with_an_example(name: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: miogram {name}")
    assert "example:\n  " in out and f"miogram {name}" in out.split("example:")[1]


def test_no_command_prints_help_and_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "usage: miogram" in capsys.readouterr().out


def test_unknown_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["fly"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_flags_work_before_and_after_the_command() -> None:
    parser = build_parser()
    assert parser.parse_args(["--quiet", "credits"]).quiet is True
    assert parser.parse_args(["credits", "--quiet"]).quiet is True
    assert not hasattr(parser.parse_args(["credits"]), "quiet")  # main() fills in False


# -- clean --------------------------------------------------------------------------------------


def test_clean_writes_every_row_with_its_status(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "clean.xlsx"
    code, stdout, _ = run(capsys, "clean", str(SAMPLES / "contacts.xlsx"), "--out", str(out))
    assert code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Contacts", "Unsubscribed"]  # its name and the other sheet kept
    rows = list(book["Contacts"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 300
    at = header.index("mobile")
    assert header[at:at + 4] == ("mobile", "e164", "phone_status", "phone_reason")
    statuses = [row[at + 2] for row in body]
    assert statuses.count("duplicate") >= 4 and "ok" in statuses
    assert "sheet 'Contacts', phone column 'mobile'" in stdout and "duplicate" in stdout
    assert f"Wrote {out} " in stdout and "other sheets kept: Unsubscribed" in stdout


def test_clean_names_the_column_and_sheet_and_writes_csv(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "optouts.csv"
    code, _, _ = run(capsys, "clean", str(SAMPLES / "contacts.xlsx"), "--sheet", "Unsubscribed",
                     "--column", "Phone", "--out", str(out))
    assert code == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Name,Phone,e164,phone_status,phone_reason,Date"
    assert len(lines) == 11 and all(",ok,," in line for line in lines[1:])


def test_clean_default_output_lands_in_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(capsys, "clean", str(SAMPLES / "contacts.csv"), "--quiet")
    assert code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["contacts_clean.xlsx"]


@pytest.mark.parametrize(("argv", "expected"), [
    (["missing.xlsx"], "Contact file 'missing.xlsx' does not exist."),
    (["{samples}"], "is a folder; give the file inside it."),
    (["{samples}/contacts.xlsx", "--sheet", "Customers"],
     "has no sheet 'Customers'; its sheets are 'Contacts', 'Unsubscribed'."),
    (["{samples}/contacts.xlsx", "--column", "phone"], "has no column 'phone'"),
    (["{samples}/contacts.xlsx", "--out", "{tmp}"], "is a folder; give a file name ending in"),
    (["{samples}/contacts.xlsx", "--out", "{tmp}/x.txt"], "must end in .xlsx or .csv."),
    (["{samples}/contacts.xlsx", "--region", "XX"], "Unknown region 'XX'"),
])
def test_clean_refuses_bad_input_in_one_sentence(
        argv: list[str], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    argv = [a.format(samples=SAMPLES, tmp=tmp_path) for a in argv]
    code, stdout, err = run(capsys, "clean", *argv)
    assert code == 1
    assert expected in error_line(err, "clean")
    assert stdout == ""
    assert list(work.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_clean_without_a_phone_column_points_at_the_option(
        no_phone_sheet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "clean", str(no_phone_sheet))
    assert code == 1
    message = error_line(err, "clean")
    assert message.startswith(f"Contact file '{no_phone_sheet}' has no phone-like column")
    assert "--column" in message and "phone_column=" not in message


# -- credits and report: the service ------------------------------------------------------------


def test_credits_against_the_simulator_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, err = run(capsys, "credits")
    assert code == 0
    assert "built-in simulator" in err
    lines = stdout.splitlines()
    assert lines[0].split()[0] == "remaining"
    table = {line.split()[0]: line.split()[1] for line in lines[2:7]}
    assert table == {"Message": "10000", "Photo": "2000", "Video": "1000", "File": "2000",
                     "Other": "2000"}
    assert "limit" in stdout


@pytest.mark.parametrize("command", ["credits", "report"])
def test_a_url_without_a_secret_is_refused_before_any_request(
        command: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MIOGRAM_URL", "https://miogram.example/dojob.php")
    code, stdout, err = run(capsys, command)
    assert code == 1
    assert error_line(err, command) == (
        "MIOGRAM_URL is set but MIOGRAM_SECRET is not: export the account's secret key "
        "(shown in the MioGram web panel) as well.")
    assert stdout == "" and "simulator" not in err


@pytest.mark.parametrize(("url", "expected"), [
    ("http://miogram.example/dojob.php",
     "MIOGRAM_URL: plain http is only allowed to a loopback host"),
    # the password of a mistyped URL is never echoed (issue 20)
    ("htps://ana:hunter2@miogram.net/dojob.php",
     "MIOGRAM_URL: must be an https:// URL, got 'htps://"),
])
def test_a_bad_url_names_the_setting(url: str, expected: str, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MIOGRAM_URL", url)
    monkeypatch.setenv("MIOGRAM_SECRET", "s3cretvalue42")
    code, stdout, err = run(capsys, "credits")
    assert code == 1
    message = error_line(err, "credits")
    assert message.startswith(expected)
    assert "base_url" not in message
    assert "hunter2" not in err + stdout and "s3cretvalue42" not in err + stdout


def test_report_of_a_fresh_simulator_writes_an_empty_table(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.csv"
    code, stdout, err = run(capsys, "report", "--count", "50", "--out", str(out))
    assert code == 0
    assert "holds no records" in stdout and "built-in simulator" in err
    assert out.exists()


@pytest.mark.parametrize(("dialect", "first_row"), [
    ("reference", "all"),        # the service's own log does not say which agent sent
    ("document", "MioBot2"),     # the document's records carry the agent
])
def test_report_against_a_served_simulator_summarises_its_records(
        dialect: str, first_row: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import miogram_toolkit as mg

    with mg.Simulator(seed=7, dialect=dialect) as sim:
        with mg.Client.to(sim) as client:
            sent = client.send_message_mass([f"+98912100{i:04d}" for i in range(20)], "سلام",
                                            robot="MioBot2")
        monkeypatch.setenv("MIOGRAM_URL", sim.url)
        monkeypatch.setenv("MIOGRAM_SECRET", sim.secret)
        out = tmp_path / "report.xlsx"
        code, stdout, err = run(capsys, "report", "--out", str(out))
        url = sim.url
    assert code == 0
    delivered = sum(sent.values())
    lines = stdout.splitlines()
    assert lines[0] == f"20 records: {delivered} delivered, {20 - delivered} not."
    table_rows = [line.split()[0] for line in lines[1:4]]
    assert first_row in table_rows
    assert f"Using the MioGram service at {url} as demo." in err
    assert sim.secret not in err + stdout
    assert openpyxl.load_workbook(out)["report"].max_row == 21


def test_report_says_in_one_sentence_when_the_log_is_frozen(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # An account whose log already holds 1000 rows: the service lists those forever, so a
    # campaign's send (its journal is in the data folder) never shows there.
    import pandas as pd

    import miogram_toolkit as mg

    with mg.Simulator(seed=7, log_rows=1000) as sim:
        with mg.Client.to(sim) as client:
            frame = pd.DataFrame({"phone": ["+989121000001", "+989121000002"]})
            mg.Campaign(frame, "Hi", client=client, rate_per_minute=None).run(progress=False)
        monkeypatch.setenv("MIOGRAM_URL", sim.url)
        monkeypatch.setenv("MIOGRAM_SECRET", sim.secret)
        code, stdout, err = run(capsys, "report")
    assert code == 0
    assert stdout.splitlines()[0].startswith("The service's report log shows nothing newer than")
    assert "miogram report --journal FILE" in stdout
    assert "Warning" not in err


@pytest.mark.parametrize(("argv", "expected"), [
    (["--count", "0"], "--count must be 1 to 1000"),
    (["--count", "1001"], "--count must be 1 to 1000"),
    (["--journal", "missing.sqlite"], "Journal 'missing.sqlite' does not exist."),
    (["--journal", "{tmp}"], "is a folder; give the file inside it."),
    (["--out", "{tmp}/r.json"], "must end in .xlsx or .csv."),
])
def test_report_refuses_bad_input_in_one_sentence(
        argv: list[str], expected: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, err = run(capsys, "report", *[a.format(tmp=tmp_path) for a in argv])
    assert code == 1
    assert expected in error_line(err, "report")
    assert stdout == "" and list(tmp_path.iterdir()) == []


# -- simulator and dashboard --------------------------------------------------------------------


def _serve(*extra: str) -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen([sys.executable, "-m", "miogram_toolkit.cli", "simulator",
                             "--port", "0", "--quiet", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first, second = proc.stdout.readline(), proc.stdout.readline()
    # lines a shell takes as they are
    assert first.startswith("export MIOGRAM_URL=http://127.0.0.1:"), proc.stderr
    assert second.startswith("export MIOGRAM_SECRET=")
    return proc, first.split("=", 1)[1].strip(), second.split("=", 1)[1].strip()


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(timeout=10)
    assert proc.returncode == 0


def test_simulator_serves_until_stopped() -> None:
    proc, url, secret = _serve("--dialect", "document")
    try:
        from miogram_toolkit import Client

        with Client(secret, base_url=url) as client:
            assert client.get_credits()["Message"] == 10000
            # the document dialect answers numbers; the reference one, text
            assert client.call("APIGetCredits")["Result"]["Message"] == 10000
    finally:
        _stop(proc)


def test_simulator_serves_the_commands_own_state_and_inspects_only_when_asked(
        capsys: pytest.CaptureFixture[str]) -> None:
    import urllib.error
    import urllib.request

    from miogram_toolkit import Client, Simulator
    from miogram_toolkit.service import shared_simulator_state

    with Simulator(state_file=shared_simulator_state(), start=False) as sim:
        sim.set_credits(Message=77)  # as a send by another command would have left it
        sim.state.close()
    for extra, inspected in (([], False), (["--inspect"], True)):
        proc, url, secret = _serve(*extra)
        try:
            with Client(secret, base_url=url) as client:
                assert client.get_credits()["Message"] == 77
            # while it serves, the commands are told how to reach it
            code, _, err = run(capsys, "credits")
            assert code == 1 and "export the MIOGRAM_URL it prints" in err
            state_url = url.removesuffix("/dojob.php") + "/_simulator/state"
            try:
                with urllib.request.urlopen(state_url, timeout=10) as answer:
                    served = answer.status == 200
            except urllib.error.HTTPError:
                served = False
            assert served is inspected
        finally:
            _stop(proc)


def test_simulator_on_a_busy_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, stdout, err = run(capsys, "simulator", "--port", str(port), "--quiet")
    assert code != 0
    assert "Traceback" not in err and stdout == ""
    assert err == f"miogram simulator: Cannot serve the simulator on port {port}: address " \
                  f"already in use.\n"


@pytest.mark.parametrize(("argv", "port", "browser"), [
    ([], 8866, True), (["--port", "8900", "--no-browser"], 8900, False),
])
def test_dashboard_serves_the_page_through_the_widgets_room(
        argv: list[str], port: int, browser: bool, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from miogram_toolkit.widgets import serve

    calls: list[tuple[int, bool]] = []

    def serve_dashboard(port: int, *, open_browser: bool, echo: object) -> int:
        calls.append((port, open_browser))
        return 0

    monkeypatch.setattr(serve, "serve_dashboard", serve_dashboard)
    code, _, _ = run(capsys, "dashboard", *argv)
    assert code == 0 and calls == [(port, browser)]


def test_dashboard_without_voila_says_how_to_get_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    code, _, err = run(capsys, "dashboard")
    assert code == 1
    assert error_line(err, "dashboard").startswith(
        "The dashboard page needs Voila, which is not installed: pip install")


# -- demo failures (its success path is in test_demo.py) -----------------------------------------


@pytest.mark.parametrize(("contacts", "expected"), [
    ("missing.xlsx", "Contact file 'missing.xlsx' does not exist."),
    ("{samples}", "is a folder; give the file inside it."),
    ("{no_phone}", "has no phone-like column; its columns are 'name', 'city'."),
    ("{unusable}", "has no row left to send to."),
])
def test_demo_refuses_bad_contacts_and_creates_nothing(
        contacts: str, expected: str, tmp_path: Path, no_phone_sheet: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    unusable = tmp_path / "unusable.csv"
    unusable.write_text("name,mobile\nSara,12345\nAli,n/a\n", encoding="utf-8")
    code, stdout, err = run(capsys, "demo", "--out", str(out), "--contacts",
                            contacts.format(samples=SAMPLES, no_phone=no_phone_sheet,
                                            unusable=unusable))
    assert code == 1
    message = error_line(err, "demo")
    assert message.endswith(expected)
    assert "phone_column=" not in message and "--column" not in message  # demo has neither
    assert not out.exists() and stdout == ""


def test_demo_says_first_that_it_uses_a_simulator_of_its_own(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import miogram_toolkit.demo as demo_module

    calls: list[str] = []
    monkeypatch.setattr(demo_module, "run_demo",
                        lambda out, **options: calls.append(str(out)) or 0)
    code, _, err = run(capsys, "demo", "--out", "out", "--quiet")
    assert code == 0 and calls == ["out"]
    assert err == "Using a fresh built-in simulator of the demo's own (nothing leaves this " \
                  "machine).\n"


def test_demo_refuses_an_output_that_is_a_file(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.write_text("mine", encoding="utf-8")
    code, _, err = run(capsys, "demo", "--out", str(out))
    assert code == 1
    assert "is a file; give a folder" in error_line(err, "demo")
    assert out.read_text(encoding="utf-8") == "mine"


# -- errors at the top level ----------------------------------------------------------------------


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    from miogram_toolkit.cli.commands import CommandError

    with pytest.raises(CommandError, match="does not exist"):
        main(["clean", "missing.xlsx", "--debug"])


def test_an_unexpected_error_is_one_line_with_a_hint(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(args: object) -> int:
        raise KeyError("boom")

    monkeypatch.setattr(commands_module, "credits", broken)
    code, _, err = run(capsys, "credits")
    assert code == 1
    assert error_line(err, "credits") == "unexpected KeyError: 'boom'. Run it again with --debug " \
                                         "to see where."


def test_a_terminal_user_sees_one_line_and_no_traceback(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "miogram_toolkit.cli", "clean",
                           str(tmp_path / "missing.xlsx")],
                          capture_output=True, text=True, check=False, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == f"miogram clean: Contact file '{tmp_path / 'missing.xlsx'}' does not " \
                          f"exist.\n"
    assert list(tmp_path.iterdir()) == []


def test_console_script_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "miogram_toolkit.cli", "--version"],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0
    assert __version__ in done.stdout


def test_the_readme_command_examples_parse() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The `miogram` command", 1)[1].split("```")[1]
    lines = [shlex.split(line.split("  #")[0]) for line in section.splitlines() if line.strip()]
    assert {line[1] for line in lines} >= set(COMMANDS)
    parser = build_parser()
    for line in lines:
        assert line[0] == "miogram"
        args = parser.parse_args(line[1:])
        assert args.command == line[1]
