"""One sender per journal, on every system: a lock row inside the journal itself.

A running campaign writes its owner into the journal's ``lock`` table — a random token, its
process id, its host and a heartbeat — in a transaction, so two processes can never both take
it (SQLite's own file locking decides; no ``fcntl`` needed, so it works on Windows and on
network shares where ``flock`` is missing). While it runs, a thread beats the heart every
:data:`HEARTBEAT_SECONDS`. Another process finding the row is refused (:class:`JournalBusy`)
unless the owner is **stale**: a process of this host that no longer exists, or a heartbeat
older than :data:`STALE_SECONDS` (a process on another host, or a machine that went down).

The lock alone is not the last word: every request's rows are also taken from ``pending`` by a
compare-and-set (:meth:`~miogram_toolkit.campaign.journal.Journal.begin_request`), which checks
in the same transaction that the token is still ours.

Example:
    >>> import sqlite3
    >>> from miogram_toolkit.campaign.journal_file import schema_sql
    >>> db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    >>> _ = db.executescript(schema_sql())
    >>> first, second = RunLock(db, "j.sqlite"), RunLock(db, "j.sqlite")
    >>> first.take(beat=False)
    >>> try:
    ...     second.take(beat=False)
    ... except JournalBusy as exc:
    ...     print(str(exc)[:60])
    journal 'j.sqlite' is in use by another running campaign (pr
    >>> first.give_back(); second.take(beat=False); second.give_back()
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from miogram_toolkit.protocol.errors import MioGramError

__all__ = ["HEARTBEAT_SECONDS", "STALE_SECONDS", "JournalBusy", "JournalConflict", "RunLock"]

#: How often a running campaign renews its lock.
HEARTBEAT_SECONDS = 15.0
#: A lock not renewed for this long belongs to a process that is gone.
STALE_SECONDS = 120.0


class JournalBusy(RuntimeError, MioGramError):
    """Another process is running a campaign on this journal."""


class JournalConflict(JournalBusy):
    """Rows of a request were no longer ``pending`` (another sender took them): nothing sent."""


def _alive(pid: int) -> bool:
    if os.name != "posix":  # pragma: no cover - os.kill(pid, 0) means Ctrl-C on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """The lock row of one journal connection (``transaction``: the journal's writer)."""

    def __init__(self, db: sqlite3.Connection, path: str, *,
                 transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]
                 | None = None) -> None:
        self._db = db
        self.path = path
        self.token = secrets.token_hex(16)
        self.held = False
        self._transaction = transaction
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        if self._transaction is not None:
            return self._transaction()
        return _Immediate(self._db)

    def take(self, *, beat: bool = True) -> None:
        """Take the lock, or raise :class:`JournalBusy` naming the owner."""
        now = time.time()
        host = socket.gethostname()
        with self._write() as db:
            found = db.execute("SELECT token, pid, host, since, heartbeat FROM lock").fetchone()
            if found is not None and found[0] != self.token:
                token, pid, owner_host, since, heartbeat = found
                gone = (owner_host == host and pid is not None and pid != os.getpid()
                        and not _alive(int(pid)))
                if not gone and now - float(heartbeat or 0) < STALE_SECONDS:
                    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(float(since)))
                    raise JournalBusy(
                        f"journal {self.path!r} is in use by another running campaign (process "
                        f"{pid} on {owner_host}, since {started}); wait for it to finish or "
                        "stop it first")
            db.execute("INSERT OR REPLACE INTO lock(id, token, pid, host, since, heartbeat) "
                       "VALUES (1, ?, ?, ?, ?, ?)", (self.token, os.getpid(), host, now, now))
        self.held = True
        if beat:
            self._stop.clear()
            self._thread = threading.Thread(target=self._beat, daemon=True,
                                            name="miogram-journal-heartbeat")
            self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                with self._write() as db:
                    db.execute("UPDATE lock SET heartbeat=? WHERE token=?",
                               (time.time(), self.token))
            except sqlite3.Error:  # the journal was closed meanwhile
                return

    def check(self, db: sqlite3.Connection) -> None:
        """Inside a write: raise :class:`JournalBusy` when the lock is no longer ours."""
        if not self.held:
            return
        found = db.execute("SELECT token FROM lock").fetchone()
        if found is None or found[0] != self.token:
            raise JournalBusy(f"journal {self.path!r}: another process took over this campaign "
                              "(this one was thought gone); nothing more is sent from here")

    def give_back(self) -> None:
        """Release the lock (only ours: a lock taken over meanwhile stays)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.held:
            self.held = False
            with self._write() as db:
                db.execute("DELETE FROM lock WHERE token=?", (self.token,))


class _Immediate(AbstractContextManager[sqlite3.Connection]):
    """``BEGIN IMMEDIATE`` … ``COMMIT`` on a connection in autocommit mode."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, kind: object, value: object, trace: object) -> None:
        self._db.execute("ROLLBACK" if kind is not None else "COMMIT")
