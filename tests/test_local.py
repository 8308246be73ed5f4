"""The local room: the user data folder, private files, whole-file writes, the lock (issue 20)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import requests

from miogram_toolkit.local import (
    LockBusy,
    LockFile,
    atomic_write,
    data_dir,
    data_path,
    open_private,
    private_dir,
    write_private,
)
from miogram_toolkit.local.lock import SymlinkRefused
from miogram_toolkit.local.signals import wait_for_stop
from miogram_toolkit.simulator import Simulator


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path, follow_symlinks=False).st_mode)


def test_the_data_folder_follows_miogram_home_and_is_private(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.setenv("MIOGRAM_HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home"
    journals = data_path("journals")
    assert journals == tmp_path / "home" / "journals"
    assert _mode(tmp_path / "home") == 0o700
    assert _mode(journals) == 0o700


def test_a_folder_the_toolkit_made_is_tightened_but_not_one_the_user_made(tmp_path: Path) -> None:
    ours = private_dir(tmp_path / "ours")
    os.chmod(ours, 0o755)
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    os.chmod(theirs, 0o755)
    private_dir(ours)
    private_dir(theirs)
    assert _mode(ours) == 0o700
    assert _mode(theirs) == 0o755


def test_private_files_are_created_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        with open_private(tmp_path / "numbers.txt", "w", encoding="utf-8") as handle:
            handle.write("+989121234567")
        written = write_private(tmp_path / "whole.bin", b"x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "numbers.txt") == 0o600
    assert _mode(written) == 0o600


def test_a_private_file_is_never_written_through_a_planted_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "journal.sqlite").symlink_to(victim)
    with pytest.raises(OSError):
        open_private(tmp_path / "journal.sqlite", "wb")
    assert victim.read_text() == "keep me"


def test_atomic_write_replaces_whole_and_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write(b"half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]
    with atomic_write(target) as handle:
        handle.write(b"new")
    assert target.read_text() == "new"


def test_atomic_write_does_not_follow_a_planted_temporary_name(tmp_path: Path) -> None:
    # The old writer used the predictable ".NAME.part"; a link planted there must not matter.
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / ".report.csv.part").symlink_to(victim)
    with atomic_write(tmp_path / "report.csv") as handle:
        handle.write(b"phone\n")
    assert victim.read_text() == "keep me"
    assert (tmp_path / "report.csv").read_text() == "phone\n"
    assert not (tmp_path / "report.csv").is_symlink()


def test_a_lock_with_a_symlink_planted_at_its_name_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    lock_path = tmp_path / "state.lock"
    lock_path.symlink_to(victim)
    with pytest.raises(SymlinkRefused):
        LockFile(lock_path).acquire()
    assert victim.read_text() == "keep me"
    # A dangling link is refused too, and its target is never created.
    dangling = tmp_path / "other.lock"
    dangling.symlink_to(tmp_path / "created-by-us")
    with pytest.raises(SymlinkRefused):
        LockFile(dangling).acquire()
    assert not (tmp_path / "created-by-us").exists()


def test_the_lock_is_held_against_another_process_and_dies_with_it(tmp_path: Path) -> None:
    path = tmp_path / "state.lock"
    holder = textwrap.dedent(f"""
        import sys, time
        from miogram_toolkit.local import LockFile
        LockFile({str(path)!r}).acquire()
        print("held", flush=True)
        sys.stdin.readline()
    """)
    proc = subprocess.Popen([sys.executable, "-c", holder], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy, match=f"pid {proc.pid}"):
            LockFile(path).acquire()
        proc.kill()
        proc.wait(timeout=30)
        with LockFile(path) as lock:  # the dead holder left nothing that blocks
            assert lock.held
            assert _mode(path) == 0o600
        assert not path.exists()
    finally:
        proc.kill()
        proc.wait(timeout=30)


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or sys.platform == "win32",
                    reason="needs POSIX signals")
def test_wait_for_stop_returns_the_signal_and_puts_the_old_handlers_back() -> None:
    def before(signum: int, frame: object) -> None:
        raise AssertionError("the old handler ran while wait_for_stop was waiting")

    old = signal.signal(signal.SIGTERM, before)
    try:
        def send_once_waiting() -> None:
            while signal.getsignal(signal.SIGTERM) is before:
                time.sleep(0.001)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=send_once_waiting, daemon=True).start()
        assert wait_for_stop() == signal.SIGTERM
        assert signal.getsignal(signal.SIGTERM) is before
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, old)


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_the_simulator_process_stops_on_sigterm_while_it_serves(tmp_path: Path) -> None:
    """Requests in flight do not keep SIGTERM from stopping the simulator: it exits 0 and its
    state file holds the account it served."""
    state = tmp_path / "s.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "miogram_toolkit.simulator", "--port", "0",
                             "--state", str(state), "--latency-ms", "20"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    env = dict(part.split("=", 1) for part in proc.stdout.readline().split())
    def hit() -> None:
        try:
            requests.post(env["MIOGRAM_URL"], data={"secret": env["MIOGRAM_SECRET"],
                                                     "func": "APIGetCredits"}, timeout=5)
        except requests.RequestException:
            pass

    workers = [threading.Thread(target=hit) for _ in range(8)]
    for worker in workers:
        worker.start()
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        for worker in workers:
            worker.join()
    with Simulator(state_file=state, start=False) as again:
        assert again.secret == env["MIOGRAM_SECRET"]
