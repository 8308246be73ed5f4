"""Real is loud, offline is continuous (issue 18, paragraph 1).

* With ``MIOGRAM_URL`` set (here a simulator served on 127.0.0.1 stands in for the real
  service: the toolkit cannot tell the difference, on purpose), ``send`` and ``retry`` say which
  service and user first, show the plan in one line and ask; without a terminal they refuse
  unless ``--yes``, before anything is sent.
* Without it, the commands share one built-in simulator kept in the user data folder, so
  send → credits → report → status tell one story; ``miogram simulator --where / --reset``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from cli_support import error_line, offline, run  # noqa: F401 (offline: autouse)

import miogram_toolkit as mg
from miogram_toolkit.cli.simulator import shared_simulator_ledgers
from miogram_toolkit.service import shared_simulator_state


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "five.csv"
    path.write_text("name,mobile\nSara,09121000001\nAli,09121000002\nReza,09121000003\n"
                    "Mina,09121000004\nNeda,09121000005\n", encoding="utf-8")
    return path


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> mg.Simulator:
    with mg.Simulator(seed=7) as sim:
        monkeypatch.setenv("MIOGRAM_URL", sim.url)
        monkeypatch.setenv("MIOGRAM_SECRET", sim.secret)
        yield sim


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _send(sheet: Path, *extra: str) -> list[str]:
    return ["send", str(sheet), "--message", "hi {name}", "--rate", "0", "--no-progress",
            "--journal", "j.sqlite", *extra]


@pytest.mark.parametrize("command", ["send", "retry"])
def test_live_without_a_terminal_or_yes_is_refused_before_sending(
        command: str, live: mg.Simulator, sheet: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    argv = _send(sheet)
    argv[0] = command
    code, stdout, err = run(capsys, *argv)
    assert code == 1 and stdout == ""
    assert err.splitlines()[0] == f"Using the MioGram service at {live.url} as demo."
    assert error_line(err, command) == (
        f"MIOGRAM_URL is set, so miogram {command} would message real people through "
        f"{live.url} and there is no terminal to ask: run it again with --yes to confirm.")
    assert live.inspect()["counts"]["sends"] == 0
    assert not (tmp_path / "j.sqlite").exists()


def test_live_with_yes_shows_the_plan_and_sends(live: mg.Simulator, sheet: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *_send(sheet, "--yes"))
    assert code == 0, err
    lines = err.splitlines()
    assert lines[0] == f"Using the MioGram service at {live.url} as demo."
    assert lines[1] == (f"Plan: 5 messages to send, 0 rows skipped, of 5 rows in five.csv "
                        f"through {live.url}.")
    assert live.inspect()["counts"]["sends"] >= 1


@pytest.mark.parametrize(("answer", "sent"), [("yes\n", True), ("n\n", False), ("", False)])
def test_live_on_a_terminal_asks_first(answer: str, sent: bool, live: mg.Simulator, sheet: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    code, _, err = run(capsys, *_send(sheet))
    assert "Send now? Type yes to send, anything else to stop: " in err
    assert (live.inspect()["counts"]["sends"] > 0) is sent
    if sent:
        assert code == 0
    else:
        assert code == 1
        # (a terminal echoes the answer's Enter; this fake one does not)
        assert "Traceback" not in err
        assert err.endswith("miogram send: Nothing was sent (not confirmed); run the same "
                            "command again to send, or add --yes.\n")


def test_a_dry_run_against_the_live_service_asks_nothing(
        live: mg.Simulator, sheet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *_send(sheet, "--dry-run"))
    assert code == 0, err
    assert live.inspect()["counts"]["sends"] == 0 and "--yes" not in err


def test_one_simulator_story_across_commands(sheet: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    state = shared_simulator_state()
    code, _, err = run(capsys, *_send(sheet, "--out", "sent.csv"))
    assert code == 0, err
    assert err.splitlines()[0] == (f"Using the built-in simulator (its state: {state}); "
                                   f"nothing leaves this machine.")
    import pandas as pd

    sent = pd.read_csv(tmp_path / "sent.csv", dtype=str, encoding="utf-8-sig")
    delivered = int((sent["campaign_state"] == "delivered").sum())
    assert delivered >= 1

    # credits: the same account, charged for what was sent (not a fresh 10000)
    code, stdout, err = run(capsys, "credits")
    assert code == 0 and f"(its state: {state})" in err
    message_line = next(line for line in stdout.splitlines() if line.startswith("Message"))
    assert int(message_line.split()[1]) < 10000

    # report: the rows of that send, from the service's log
    code, stdout, _ = run(capsys, "report")
    assert code == 0
    assert stdout.splitlines()[0].startswith("5 records: ")

    # status: the journal of that campaign
    code, stdout, _ = run(capsys, "status", "j.sqlite")
    assert code == 0 and f"delivered {delivered}" in stdout


def test_simulator_where_and_reset(capsys: pytest.CaptureFixture[str]) -> None:
    state = shared_simulator_state()
    code, stdout, _ = run(capsys, "simulator", "--where")
    assert (code, stdout) == (0, f"{state}\n")
    assert state.parent.parent == Path(os.environ["MIOGRAM_HOME"])

    code, stdout, _ = run(capsys, "simulator", "--reset")
    assert (code, stdout) == (0, f"The built-in simulator has no state yet ({state}).\n")
    with mg.Simulator(state_file=state, start=False) as sim:
        sim.set_credits(Message=7)
        sim.state.close()
    code, stdout, _ = run(capsys, "credits")
    assert next(line for line in stdout.splitlines() if line.startswith("Message")).split()[1] \
        == "7"
    from miogram_toolkit.campaign.ledger import Ledger

    for port in ("0", "8765"):  # in-process, and served by `miogram simulator`
        Ledger.open(f"http://127.0.0.1:{port}/dojob.php", "simulator").close()
    demo = Ledger.open("http://127.0.0.1:0/dojob.php", "demo")  # a fresh simulator's: kept
    demo.close()
    assert len(shared_simulator_ledgers()) == 2
    code, stdout, _ = run(capsys, "simulator", "--reset")
    assert (code, stdout) == (0, f"Reset the built-in simulator: removed {state}.\n")
    assert not state.exists() and shared_simulator_ledgers() == []  # its ledger goes with it
    assert demo.path.exists()
    code, stdout, _ = run(capsys, "credits")
    assert next(line for line in stdout.splitlines() if line.startswith("Message")).split()[1] \
        == "10000"


def test_the_built_in_simulators_account_remembers_whom_it_messaged(
        sheet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = ["send", str(sheet), "--message", "hi {name}", "--rate", "0", "--no-progress"]
    code, _, err = run(capsys, *first)
    assert code == 0
    delivered = int(err.split("delivered ")[1].split(",")[0])  # the one not on the messenger
    assert delivered >= 1                                      # was not messaged
    second = [*first[:3], "spring sale {name}", *first[4:]]
    code, stdout, err = run(capsys, *second)
    assert code == 1 and stdout == ""
    message = error_line(err, "send")
    assert "messaged by this account in the last 24 hours" in message
    assert "--new-campaign" in message and "--skip-recent" in message

    code, _, err = run(capsys, *second, "--skip-recent", "--dry-run")
    assert code == 0 and f"skipped {delivered} (recently_messaged {delivered})" in err

    # a reset forgets the account, and with it whom it messaged
    assert run(capsys, "simulator", "--reset")[0] == 0
    code, _, err = run(capsys, *second, "--dry-run")
    assert code == 0 and "to send 5" in err


def test_ctrl_c_during_a_send_keeps_everything_and_the_same_command_continues(
        sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import signal
    import subprocess
    import sys
    import time

    argv = [sys.executable, "-m", "miogram_toolkit.cli", "send", str(sheet), "--message",
            "hi {name}", "--journal", "j.sqlite", "--no-progress", "--chunk-size", "1"]
    # one message a minute: the first goes at once, then the command waits for the pace
    proc = subprocess.Popen([*argv, "--rate", "1"], stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    journal = tmp_path / "j.sqlite"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists():
            code, stdout, _ = run(capsys, "status", "j.sqlite")
            if "delivered" in stdout or "failed" in stdout:
                break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.splitlines()[-1] == ("miogram send: interrupted: run the same command again to "
                                    "continue.")
    assert "Traceback" not in err
    code, stdout, _ = run(capsys, "status", "j.sqlite")
    assert code == 3 and "paused" in stdout and "pending" in stdout

    done = subprocess.run([*argv, "--rate", "0"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    code, stdout, _ = run(capsys, "status", "j.sqlite")
    assert code == 0 and "pending" not in stdout
