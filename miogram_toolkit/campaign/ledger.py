"""The account's ledger: every number this account messaged (or may have), and who opted out.

A campaign journal knows one campaign; the ledger knows them all, per **account** (the service's
address and the user name), so that a new campaign can leave out people this account messaged
recently and every campaign leaves out people who answered with an opt-out word. One SQLite file
per account in the user data folder (``local.data_path("ledger")``, 0600 in a 0700 folder;
``MIOGRAM_HOME`` moves it), or in ``folder=`` (the built-in simulator's account keeps its ledger
beside the simulator's state, so resetting the simulator resets its ledger too).

Tables::

    meta       format, account (address without user info, user name)
    messages   number, campaign, at (UTC seconds of the latest attempt), state
               (attempted → delivered / unknown / failed / not_sent), updated_at
    opt_outs   number, opted_out_at, source, readmitted_at: the current word on a number
    events     number, at, kind (opt_out / readmit), source: every opt-out and re-admission

API:

* :meth:`Ledger.open` ``(base_url, username, folder=None)``, or :meth:`Ledger.for_client`
  ``(client, folder=None)`` (asks the service for the user name);
* :meth:`Ledger.record_attempt` ``(numbers, campaign, at)``: before a request leaves
  ("possibly messaged" from then on);
* :meth:`Ledger.record_outcome` ``(numbers, campaign, state, at)``: what came of it
  (``failed`` and ``not_sent`` mean nobody was messaged, and no longer count as recent);
  :meth:`Ledger.record` ``(notes, campaign, at)``: several of both in one write;
* :meth:`Ledger.recent` ``(numbers, within, exclude_campaign=None)`` → ``{number: (campaign,
  at)}``: the latest campaign that messaged or may have messaged each number within ``within``;
* :meth:`Ledger.opted_out` ``(numbers)`` → the set of numbers opted out now;
* :meth:`Ledger.mark_opt_out` ``(number, at, source)`` and :meth:`Ledger.readmit`
  ``(number, at)``: a later event wins, so re-reading an old opt-out reply after a
  re-admission changes nothing;
* :meth:`Ledger.seed_from_journals` ``(paths)``: the delivered and unknown rows of campaign
  journals (the first format, rows by position, and the later ones keyed by number);
* :meth:`Ledger.close` (also a context manager).

Times are UTC seconds (``float``) or aware ``datetime`` values. Ten thousand numbers are recorded
or looked up in a few tens of milliseconds (``benchmarks/bench_replies.py`` prints it).

Example:
    >>> import tempfile
    >>> with Ledger.open("http://127.0.0.1:8765/dojob.php", "demo",
    ...                  folder=tempfile.mkdtemp()) as ledger:
    ...     ledger.record_attempt(["+989121234567"], "spring", at=1_800_000_000)
    ...     ledger.record_outcome(["+989121234567"], "spring", "delivered", at=1_800_000_001)
    ...     ledger.recent(["+989121234567"], within=86400, now=1_800_000_100)
    ...     _ = ledger.mark_opt_out("+989121234567", at=1_800_000_200, source="reply: لغو")
    ...     ledger.opted_out(["+989121234567", "+989351234567"])
    {'+989121234567': ('spring', 1800000000.0)}
    {'+989121234567'}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from miogram_toolkit.campaign.ledger_seed import read_journal
from miogram_toolkit.local import data_path, open_private, private_dir

__all__ = ["NOT_MESSAGED", "Ledger", "account_key", "ledger_path"]

FORMAT = "1"
#: Outcomes that mean nobody was messaged: such rows never count as "messaged recently".
NOT_MESSAGED = frozenset({"failed", "not_sent"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS messages (
    number TEXT NOT NULL, campaign TEXT NOT NULL, at REAL NOT NULL, state TEXT NOT NULL,
    updated_at REAL NOT NULL, PRIMARY KEY (number, campaign)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS messages_at ON messages(at);
CREATE TABLE IF NOT EXISTS opt_outs (
    number TEXT PRIMARY KEY, opted_out_at REAL, source TEXT, readmitted_at REAL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, number TEXT NOT NULL, at REAL NOT NULL, kind TEXT NOT NULL,
    source TEXT);
CREATE TABLE IF NOT EXISTS seeded (journal TEXT PRIMARY KEY, at REAL);
"""

Moment = float | int | dt.datetime

_UPSERT = ("INSERT INTO messages(number, campaign, at, state, updated_at) {} "
           "ON CONFLICT(number, campaign) DO UPDATE SET ")
# Numbers as one JSON list, one statement for them all (a bound row each costs twice as much).
_EACH = _UPSERT.format("SELECT value, ?, ?, ?, ? FROM json_each(?) WHERE true")
_ATTEMPT = _EACH + ("at = max(at, excluded.at), updated_at = excluded.updated_at, "
                    "state = CASE WHEN state = 'delivered' THEN state ELSE 'attempted' END")
_OUTCOME = _EACH + "state = excluded.state, updated_at = excluded.updated_at"


def account_key(base_url: str, username: str) -> str:
    """The account as the ledger names it: the address (no user info, query or trailing slash;
    scheme and host lower case) and the user name.

    Example:
        >>> account_key("HTTPS://user:pw@MioGram.net/dojob.php/", " shop ")
        'https://miogram.net/dojob.php shop'
    """
    parts = urlsplit(str(base_url).strip())
    host = (parts.hostname or "").lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    address = urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/"), "", ""))
    return f"{address} {str(username).strip()}"


def ledger_path(base_url: str, username: str, folder: str | os.PathLike[str] | None = None
                ) -> Path:
    """Where the account's ledger lives: ``<folder>/<host>-<user>-<hash>.sqlite``.

    The readable part helps a person find the file; the hash of the whole account keeps two
    accounts (or two ports of one host) apart.
    """
    key = account_key(base_url, username)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    host = urlsplit(str(base_url).strip()).hostname or "service"
    readable = re.sub(r"[^A-Za-z0-9.]+", "_", f"{host}-{str(username).strip()}")[:60]
    base = private_dir(folder) if folder is not None else data_path("ledger")
    return base / f"{readable}-{digest}.sqlite"


def _seconds(at: Moment | None) -> float:
    if at is None:
        return time.time()
    if isinstance(at, dt.datetime):
        if at.tzinfo is None:
            raise ValueError("ledger times must be aware datetimes (or UTC seconds); "
                             f"got the naive {at.isoformat()}")
        return at.timestamp()
    return float(at)


class Ledger:
    """One account's ledger (see the module's docstring). Thread-safe: one connection, a lock.

    Args:
        path: the SQLite file; :meth:`open` finds it from the account.
        account: the account key written into the file (checked on every later open).
    """

    def __init__(self, path: str | os.PathLike[str], account: str = "") -> None:
        self.path = Path(path)
        self.account = account
        self._lock = threading.RLock()
        # Created 0600 by us before SQLite sees it (SQLite would use the umask); its -wal and
        # -shm files take the database's mode.
        open_private(self.path, "ab").close()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30,
                                   isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            found = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise ValueError(f"{self.path}: not a MioGram ledger ({exc}); move it away and "
                             "the toolkit starts a new one") from None
        if found.get("format") not in (None, FORMAT):
            self._db.close()
            raise ValueError(f"{self.path}: a ledger of format {found.get('format')!r}, which "
                             "this version of the toolkit cannot read; upgrade the toolkit")
        if account and found.get("account") not in (None, account):
            self._db.close()
            raise ValueError(f"{self.path}: the ledger of another account "
                             f"({found.get('account')!r}); move it away")
        if not found:
            with self._write() as db:
                db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                               [("format", FORMAT), ("account", account),
                                ("created_at", repr(time.time()))])

    @classmethod
    def open(cls, base_url: str, username: str,
             folder: str | os.PathLike[str] | None = None) -> Ledger:
        """The ledger of the account ``username`` at ``base_url`` (created when missing).

        Example:
            >>> import tempfile
            >>> ledger = Ledger.open("http://127.0.0.1:1/dojob.php", "u", tempfile.mkdtemp())
            >>> ledger.path.suffix, oct(ledger.path.stat().st_mode & 0o777)
            ('.sqlite', '0o600')
            >>> ledger.close()
        """
        return cls(ledger_path(base_url, username, folder), account_key(base_url, username))

    @classmethod
    def for_client(cls, client: Any, folder: str | os.PathLike[str] | None = None) -> Ledger:
        """The ledger of the account a client speaks for: its ``base_url`` and the user name
        the service gives (``client.get_username()``, one read).

        Example:
            >>> import tempfile
            >>> class Account:  # anything with base_url and get_username()
            ...     base_url = "http://127.0.0.1:1/dojob.php"
            ...     def get_username(self): return "shop"
            >>> Ledger.for_client(Account(), tempfile.mkdtemp()).account
            'http://127.0.0.1:1/dojob.php shop'
        """
        return cls.open(client.base_url, str(client.get_username()), folder)

    # -- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, numbers: Iterable[str], params: Sequence[Any] = ()
               ) -> list[tuple[Any, ...]]:
        """Run ``sql`` (which joins the temporary table ``wanted(number)``) for ``numbers``."""
        with self._lock:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted "
                             "(number TEXT PRIMARY KEY) WITHOUT ROWID")
            self._db.execute("BEGIN")
            try:
                self._db.execute("DELETE FROM wanted")
                self._db.execute("INSERT OR IGNORE INTO wanted(number) SELECT value FROM "
                                 "json_each(?)", (json.dumps([str(n) for n in numbers]),))
                return self._db.execute(sql, params).fetchall()
            finally:
                self._db.execute("DELETE FROM wanted")
                self._db.execute("COMMIT")

    def close(self) -> None:
        """Close the file (the ledger is safe on disk after every call; closing is tidiness)."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- messages ------------------------------------------------------------------------------

    def record_attempt(self, numbers: Iterable[str], campaign: str, at: Moment | None = None
                       ) -> None:
        """Note that ``campaign`` is about to message ``numbers`` (before the request leaves).

        A later attempt of the same campaign moves its time forward; a number already settled
        as delivered stays delivered.
        """
        self.record([(numbers, None)], campaign, at)

    def record_outcome(self, numbers: Iterable[str], campaign: str, state: str,
                       at: Moment | None = None) -> None:
        """Note what came of ``campaign``'s message to ``numbers``: ``delivered``, ``unknown``,
        ``failed`` or ``not_sent`` (the last two take the numbers out of :meth:`recent`)."""
        self.record([(numbers, state)], campaign, at)

    def record(self, notes: Iterable[tuple[Iterable[str], str | None]], campaign: str,
               at: Moment | None = None) -> None:
        """Attempts (state None) and outcomes, in order, in one write: what a campaign's
        request commits (the outcomes of the one before it, then its own attempt)."""
        when, now = _seconds(at), time.time()
        with self._write() as db:
            for numbers, state in notes:
                db.execute(_ATTEMPT if state is None else _OUTCOME,
                           (campaign, when, state or "attempted", now,
                            json.dumps([str(n) for n in numbers])))

    def recent(self, numbers: Iterable[str], within: float | int | dt.timedelta,
               exclude_campaign: str | None = None, *, now: Moment | None = None
               ) -> dict[str, tuple[str, float]]:
        """The numbers messaged (or possibly messaged) within ``within`` (seconds or a
        ``timedelta``) before ``now``: ``{number: (campaign, at)}``, the latest campaign each.

        ``exclude_campaign`` leaves out the campaign asking (its own rows are not "another
        campaign"). Rows whose outcome was ``failed`` or ``not_sent`` do not count.
        """
        span = within.total_seconds() if isinstance(within, dt.timedelta) else float(within)
        since = _seconds(now) - span
        marks = ",".join("?" * len(NOT_MESSAGED))
        rows = self._query(
            "SELECT m.number, m.campaign, m.at FROM messages m JOIN wanted w "
            f"ON m.number = w.number WHERE m.at >= ? AND m.state NOT IN ({marks}) "
            "AND m.campaign IS NOT ? ORDER BY m.at",
            numbers, (since, *sorted(NOT_MESSAGED), exclude_campaign))
        # Ordered by time: the latest campaign of each number is written last.
        return {str(number): (str(campaign), float(at)) for number, campaign, at in rows}

    def history(self, number: str) -> list[tuple[str, float, str]]:
        """Every campaign of ``number``: ``(campaign, at, state)``, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT campaign, at, state FROM messages WHERE number = ? "
                                    "ORDER BY at", (str(number),)).fetchall()
        return [(str(c), float(a), str(s)) for c, a, s in rows]

    # -- opt-outs ------------------------------------------------------------------------------

    def mark_opt_out(self, number: str, at: Moment | None = None, source: str = "") -> bool:
        """Record that ``number`` asked not to be messaged (``source`` says how: the reply).

        Returns whether the number is opted out now (False when it was re-admitted after
        ``at``: an old reply read again does not undo a later re-admission).
        """
        self._note(str(number), "opt_out", _seconds(at), source)
        return str(number) in self.opted_out([str(number)])

    def readmit(self, number: str, at: Moment | None = None, source: str = "") -> bool:
        """Take ``number`` off the opt-outs (said in the ledger with when). It covers every
        opt-out the ledger holds for the number, even one dated after ``at``.

        Returns whether it had been opted out.
        """
        was = str(number) in self.opted_out([str(number)])
        self._note(str(number), "readmit", _seconds(at), source)
        return was

    def _note(self, number: str, kind: str, when: float, source: str) -> None:
        """One opt-out or re-admission: an event, and the number's latest time of that kind."""
        column = "opted_out_at" if kind == "opt_out" else "readmitted_at"
        with self._write() as db:
            db.execute("INSERT INTO events(number, at, kind, source) VALUES (?, ?, ?, ?)",
                       (number, when, kind, source))
            # The source kept is the latest opt-out's; a re-admission's stays in events.
            keep_source = (", source = CASE WHEN opted_out_at IS NULL OR excluded.opted_out_at "
                           "> opted_out_at THEN excluded.source ELSE source END"
                           if kind == "opt_out" else "")
            # A re-admission covers every opt-out known when it is made, even one dated later
            # (a reply dated by a service whose clock runs ahead of ours).
            covered = ", coalesce(opted_out_at, excluded.readmitted_at)" \
                if kind == "readmit" else ""
            db.execute(
                f"INSERT INTO opt_outs(number, {column}, source) VALUES (?, ?, ?) "
                f"ON CONFLICT(number) DO UPDATE SET {column} = "
                f"max(coalesce({column}, excluded.{column}), excluded.{column}{covered})"
                f"{keep_source}", (number, when, source if kind == "opt_out" else None))

    def opted_out(self, numbers: Iterable[str] | None = None) -> set[str]:
        """The numbers (of ``numbers``, or all) opted out now: their latest opt-out is later
        than their latest re-admission."""
        condition = ("o.opted_out_at IS NOT NULL AND (o.readmitted_at IS NULL "
                     "OR o.opted_out_at > o.readmitted_at)")
        if numbers is None:
            with self._lock:
                rows = self._db.execute(f"SELECT number FROM opt_outs o WHERE {condition}"
                                        ).fetchall()
        else:
            rows = self._query("SELECT o.number FROM opt_outs o JOIN wanted w "
                               f"ON o.number = w.number WHERE {condition}", numbers)
        return {str(number) for (number,) in rows}

    def events(self, number: str | None = None) -> list[tuple[str, float, str, str]]:
        """Opt-outs and re-admissions in the order they were recorded: ``(number, at, kind,
        source)``."""
        sql = "SELECT number, at, kind, coalesce(source, '') FROM events"
        params: tuple[str, ...] = ()
        if number is not None:
            sql, params = sql + " WHERE number = ?", (str(number),)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY id", params).fetchall()
        return [(str(n), float(a), str(k), str(s)) for n, a, k, s in rows]

    # -- journals ------------------------------------------------------------------------------

    def seed_from_journals(self, paths: Iterable[str | os.PathLike[str]]) -> int:
        """Record the delivered and unknown rows of campaign journals; returns the rows read.

        Reads journals of every format (the first keyed rows by position, with ``e164``; later
        ones key them by number); a file that is not a journal, or one already seeded and not
        changed since, is passed over, and so is a journal that names another account in its
        meta (``account``; first-format journals name none and are read). The campaign is named
        by the journal's ``campaign_id`` (else ``campaign`` or ``name`` in its meta, else the
        file's name). Idempotent.
        """
        total = 0
        for path in paths:
            found = read_journal(Path(path), self.account)
            if found is None:
                continue
            key, campaign, rows = found
            with self._lock:
                done = self._db.execute("SELECT 1 FROM seeded WHERE journal = ?",
                                        (key,)).fetchone()
            if done:
                continue
            now = time.time()
            with self._write() as db:
                db.executemany(_UPSERT.format("VALUES (?, ?, ?, ?, ?)")
                               + "at = max(at, excluded.at), state = CASE WHEN state = "
                               "'delivered' THEN state ELSE excluded.state END",
                               ((number, campaign, at, state, now) for number, state, at in rows))
                db.execute("INSERT OR REPLACE INTO seeded(journal, at) VALUES (?, ?)",
                           (key, now))
            total += len(rows)
        return total
