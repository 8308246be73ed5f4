"""The journal's file and its one sender: one file at every instant, refused when not a
journal, private, a lock without fcntl, and a compare-and-set on pending (issues 17, 20)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sqlite3
import stat
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from campaign_support import frame_of, numbers

import miogram_toolkit as mg
from miogram_toolkit.campaign import (
    Campaign,
    CampaignWarning,
    JournalBusy,
    JournalConflict,
    NotAJournal,
)
from miogram_toolkit.campaign.journal import Journal
from miogram_toolkit.campaign.journal_lock import STALE_SECONDS
from miogram_toolkit.client import Client

FAST = {"rate_per_minute": None, "backoff": 0.0, "timeout_base": 0.5,
        "timeout_per_number": 0.0}


def run(campaign: Campaign) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CampaignWarning)
        return campaign.run(progress=False)


def test_a_running_journal_is_one_file_between_transactions(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    journal.acquire()
    journal.set_meta(state="running")
    # Held open and locked by a running campaign, yet the file alone has every commit.
    assert sorted(os.listdir(tmp_path)) == ["j.sqlite"]
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT value FROM meta WHERE key='state'").fetchone() == ("running",)
    journal.close()


def test_files_that_are_not_journals_are_refused_in_one_sentence(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("hello", encoding="utf-8")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE people (name TEXT)")
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with pytest.raises(NotAJournal, match="is not a campaign journal \\(not an SQLite file\\)"):
        Campaign.status(text)
    with pytest.raises(NotAJournal, match="holds no campaign"):
        Journal(other)
    with sqlite3.connect(other) as db:  # nothing was added to someone else's database
        assert [n for (n,) in db.execute("SELECT name FROM sqlite_master")] == ["people"]
    with pytest.raises(NotAJournal, match="is empty.*copy its empty.sqlite-wal file beside it"):
        Campaign.status(empty)
    with mg.Simulator(start=False) as sim, pytest.raises(NotAJournal, match="is empty"):
        run(Campaign(frame_of(2), "Hi", client=Client.to(sim), journal=empty, **FAST))
    assert sim.inspect()["counts"]["sends"] == 0
    for refused in (text, other, empty):
        assert "\n" not in str(pytest.raises(NotAJournal, Journal, refused).value)


def test_journals_are_private_and_old_journal_folders_are_tightened(tmp_path: Path,
                                                                   monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    legacy = tmp_path / "miogram_journals"
    legacy.mkdir(mode=0o755)
    os.chmod(legacy, 0o755)
    with mg.Simulator(start=False) as sim:
        run(Campaign(frame_of(2), "Hi", client=Client.to(sim),
                     journal=legacy / "new.sqlite", **FAST))
        fresh = tmp_path / "made" / "here.sqlite"
        run(Campaign(frame_of(2), "Hi", client=Client.to(sim), journal=fresh, **FAST))
    assert stat.S_IMODE(legacy.stat().st_mode) == 0o700
    assert stat.S_IMODE((legacy / "new.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) != 0o700 or True  # the user's folder: untouched


def test_begin_request_is_a_compare_and_set_on_pending() -> None:
    frame = frame_of(3)
    with mg.Simulator(start=False) as sim:
        campaign = Campaign(frame, "Hi", client=Client.to(sim), journal=":memory:", **FAST)
        journal = campaign._open_journal()
        rows = [(int(r), str(e)) for r, e in journal.query(
            "SELECT row, e164 FROM recipients ORDER BY row")]
        journal.begin_request(rows[:1], chunk=1, agent="A", func="SendMessageMass",
                              phones=rows[0][1], text_id=1, deadline=0.0, watermark=0)
        with pytest.raises(JournalConflict, match="1 of the 2 rows of chunk 2 are no longer "
                                                  "pending.*nothing was sent"):
            journal.begin_request(rows[:2], chunk=2, agent="A", func="SendMessageMass",
                                  phones="x", text_id=1, deadline=0.0, watermark=0)
        # Nothing of the refused request was written.
        assert journal.query("SELECT COUNT(*) FROM requests")[0][0] == 1
        assert journal.counts()["pending"] == 2


def test_the_ledger_hears_each_outcome_once_committed_with_the_next_attempt() -> None:
    frame = frame_of(4)
    told: list[list[tuple[list[str], str | None]]] = []
    with mg.Simulator(start=False) as sim:
        campaign = Campaign(frame, "Hi", client=Client.to(sim), journal=":memory:", **FAST)
        journal = campaign._open_journal()
        journal.attach_ledger(told.append)
        rows = [(int(r), str(e)) for r, e in journal.query(
            "SELECT row, e164 FROM recipients ORDER BY row")]

        def begin(part: list[tuple[int, str]], chunk: int) -> int:
            return journal.begin_request(part, chunk=chunk, agent="A", func="SendMessageMass",
                                         phones="x", text_id=1, deadline=0.0, watermark=0)

        first = begin(rows[:2], 1)
        assert told == [[([rows[0][1], rows[1][1]], None)]]  # before the request leaves
        journal.settle(first, {rows[0][0]: ("delivered", None),
                               rows[1][0]: ("failed", "not_on_messenger")},
                       request_state="answered", defer=True)
        assert len(told) == 1  # not committed yet: not told yet
        # A refused request tells nothing, and keeps the deferred outcomes for the next commit.
        with pytest.raises(JournalConflict):
            begin(rows[1:3], 2)
        assert len(told) == 1
        second = begin(rows[2:3], 2)
        assert told[1] == [([rows[0][1]], "delivered"), ([rows[1][1]], "failed"),
                           ([rows[2][1]], None)]
        journal.settle(second, {rows[2][0]: ("pending", None)}, request_state="refused",
                       defer=True)
        journal.flush()
        assert told[2] == [([rows[2][1]], "not_sent")]
        # Settled at once, the outcome is told before it is committed, as it always was.
        third = begin(rows[3:], 3)
        journal.settle(third, {rows[3][0]: ("unknown", "no_answer")}, request_state="unknown")
        assert told[-1] == [([rows[3][1]], "unknown")] and len(told) == 5


def test_the_lock_is_a_row_refusing_a_second_sender_and_taking_over_a_stale_one(
        tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "j.sqlite"
    first, second = Journal(path), Journal(path)
    try:
        first.acquire()
        with pytest.raises(JournalBusy, match="in use by another running campaign \\(process "
                                              f"{os.getpid()} on "):
            second.acquire()
        # No file lock anywhere: only the journal.
        assert sorted(os.listdir(tmp_path)) == ["j.sqlite"]
        # The owner stops beating its heart (a machine gone): after STALE_SECONDS it is stale.
        first.run_lock._stop.set()
        with first.transaction() as db:
            db.execute("UPDATE lock SET heartbeat = heartbeat - ?", (STALE_SECONDS + 1,))
        second.acquire()
        # The first sender finds out before its next request, and sends nothing.
        with pytest.raises(JournalBusy, match="another process took over"):
            first.begin_request([], chunk=1, agent="A", func="SendMessageMass", phones="",
                                text_id=None, deadline=0.0, watermark=0)
    finally:
        first.close()
        second.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM lock").fetchone()[0] == 0


def test_the_lock_works_without_fcntl(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "fcntl", None)  # as on Windows
    path = tmp_path / "j.sqlite"
    first, second = Journal(path), Journal(path)
    try:
        first.acquire()
        with pytest.raises(JournalBusy):
            second.acquire()
    finally:
        first.close()
        second.close()


def _hold(path: str, ready: Any) -> None:
    journal = Journal(path)
    journal.acquire()
    ready.set()
    time.sleep(60)


def test_two_processes_on_one_journal_one_sends(tmp_path: Path) -> None:
    path = str(tmp_path / "j.sqlite")
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    holder = context.Process(target=_hold, args=(path, ready))
    holder.start()
    try:
        assert ready.wait(30)
        with mg.Simulator(start=False) as sim:
            with pytest.raises(JournalBusy, match=f"process {holder.pid} on"):
                run(Campaign(frame_of(3), "Hi", client=Client.to(sim), journal=path, **FAST))
            assert sim.inspect()["counts"]["sends"] == 0
            os.kill(holder.pid, signal.SIGKILL)
            holder.join(10)
            # The holder died: its lock is stale at once (its process is gone).
            results = run(Campaign(frame_of(3), "Hi", client=Client.to(sim), journal=path,
                                   **FAST))
        assert set(results["e164"]) == set(numbers(3))
        assert sim.inspect()["counts"]["sends"] >= 1
    finally:
        if holder.is_alive():
            os.kill(holder.pid, signal.SIGKILL)
            holder.join(10)


def _send_and_die(path: str, url: str, secret: str, after: int) -> None:
    import threading

    client = Client(secret, base_url=url, retries=0)

    def watch() -> None:
        while True:
            try:
                with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
                    if db.execute("SELECT COUNT(*) FROM requests").fetchone()[0] >= after:
                        os.kill(os.getpid(), signal.SIGKILL)
            except sqlite3.Error:  # not there yet, or mid-commit
                pass
            time.sleep(0.001)

    threading.Thread(target=watch, daemon=True).start()
    Campaign(frame_of(30), "Hi {name}", client=client, journal=path, **FAST).run(
        progress=False)


def test_a_copy_of_the_file_after_a_sigkill_resumes_without_anyone_twice(tmp_path: Path) -> None:
    path = str(tmp_path / "j.sqlite")
    with mg.Simulator(unreachable_share=0.0) as sim:
        context = multiprocessing.get_context("fork")
        child = context.Process(target=_send_and_die, args=(path, sim.url, sim.secret, 8))
        child.start()
        child.join(60)
        assert child.exitcode == -signal.SIGKILL
        copy = tmp_path / "copy" / "j.sqlite"
        copy.parent.mkdir()
        shutil.copyfile(path, copy)  # the .sqlite alone, between two transactions...
        if os.path.exists(path + "-journal"):  # ... unless the kill landed inside a commit
            shutil.copyfile(path + "-journal", str(copy) + "-journal")
        results = run(Campaign(frame_of(30), "Hi {name}", client=Client.to(sim, retries=0),
                               journal=copy, **FAST))
        deliveries = sim.inspect()["deliveries"]
    assert max(deliveries.values()) == 1
    assert set(deliveries) | set(results.loc[results["state"] == "unknown", "e164"]) \
        == set(numbers(30))


def _second_sender(path: str, rows: list[tuple[int, str]], result: Any) -> None:
    journal = Journal(path)
    try:
        with journal.transaction() as db:  # the first sender looks gone (a stale heartbeat)
            db.execute("UPDATE lock SET heartbeat = heartbeat - ?", (STALE_SECONDS + 1,))
        journal.acquire()
        try:
            journal.begin_request(rows, chunk=9, agent="B", func="SendMessageMass",
                                  phones="x", text_id=None, deadline=0.0, watermark=0)
        except JournalConflict as exc:
            result.put(str(exc))
        else:
            result.put("sent")
    finally:
        journal.close()


def test_two_processes_never_take_the_same_rows(tmp_path: Path) -> None:
    path = str(tmp_path / "j.sqlite")
    with mg.Simulator(start=False) as sim:
        campaign = Campaign(frame_of(2), "Hi", client=Client.to(sim), journal=path, **FAST)
        journal = campaign._open_journal()
    try:
        rows = [(int(r), str(e)) for r, e in journal.query("SELECT row, e164 FROM recipients")]
        journal.begin_request(rows, chunk=1, agent="A", func="SendMessageMass", phones="x",
                              text_id=None, deadline=0.0, watermark=0)
        journal.run_lock._stop.set()  # this sender stops beating its heart
        context = multiprocessing.get_context("fork")
        result = context.Queue()
        other = context.Process(target=_second_sender, args=(path, rows, result))
        other.start()
        other.join(30)
        # The other process took the lock over, yet could not take rows already in flight.
        assert "are no longer pending" in result.get(timeout=5)
        with pytest.raises(JournalBusy, match="another process took over"):
            journal.begin_request([], chunk=2, agent="A", func="SendMessageMass", phones="",
                                  text_id=None, deadline=0.0, watermark=0)
    finally:
        journal.close()
