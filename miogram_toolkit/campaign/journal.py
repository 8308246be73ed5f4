"""The journal: one SQLite file (WAL) holding a campaign and every recipient's state.

Tables:

* ``meta`` — the campaign: id, content hash, settings (never the secret), state and the reason
  of the last pause;
* ``recipients`` — one row per input row, by position: label, e164, text, state, reason, chunk,
  agent, attempts, the request that carries it, sent and updated times;
* ``texts`` — each distinct rendered message once;
* ``requests`` — every Mass request: numbers, agent, when it left, the deadline by which its
  answer must have come, the archive watermark, and what came of it;
* ``archive`` — the harvested ``APIGetReport`` rows, oldest first (see :mod:`.archive`);
* ``events`` — pauses, stops and resumes, one line each.

A chunk's rows are committed ``in_flight`` (with the request) **before** the request leaves,
and its outcome is committed as soon as the answer is read — when the next chunk is ready to
go at once, in the same transaction as that chunk's ``in_flight`` (``settle(defer=True)``: the
outcome waits for the next write, read or :meth:`Journal.flush`; the runner flushes before it
waits, harvests or stops, so it is never held longer than it takes to start the next request).
Every commit survives the process being killed (WAL); an outcome not committed yet when it dies
leaves its rows ``in_flight``, which the next run reconciles against the report log. With
``durable=True`` the ``in_flight`` commit is also forced to the disk (``fsync``) before the
request goes, so not even a power cut can lose it; that costs a few milliseconds a request —
nothing next to a real request, where the gateway spends about a second on each number, but
most of the time of a request to a local simulator. Outcome commits never need it: an outcome
lost to a power cut leaves the row ``in_flight``, and reconciliation finds it.
A running campaign holds an exclusive lock on ``<journal>.lock``
(released by the system if the process dies), so two senders never share a journal; readers
(:func:`~miogram_toolkit.campaign.core.Campaign.status`) need no lock.

Example:
    >>> journal = Journal(":memory:")
    >>> journal.is_new
    True
    >>> journal.set_meta(state="draft"); journal.meta()["state"]
    'draft'
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FINAL_STATES", "STATES", "Journal", "JournalBusy", "OpenRequest"]

#: Every state a recipient row can be in.
STATES = ("pending", "in_flight", "delivered", "failed", "unknown", "skipped")
#: States that no later run changes by itself (``retry`` turns failed rows back to pending).
FINAL_STATES = ("delivered", "failed", "skipped", "unknown")

FORMAT = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS texts (id INTEGER PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS recipients (
    row INTEGER PRIMARY KEY, label TEXT, e164 TEXT, text_id INTEGER,
    state TEXT NOT NULL, reason TEXT, chunk INTEGER, agent TEXT, request INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0, sent_at REAL, updated_at REAL);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY, chunk INTEGER, agent TEXT, func TEXT, phones TEXT, text_id INTEGER,
    size INTEGER, started_at REAL, deadline REAL, watermark INTEGER, state TEXT,
    outcome TEXT, ended_at REAL);
CREATE INDEX IF NOT EXISTS requests_state ON requests(state);
CREATE TABLE IF NOT EXISTS archive (
    seq INTEGER PRIMARY KEY, key TEXT, record TEXT, harvested_at REAL, claimed_by INTEGER);
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, at REAL, kind TEXT, message TEXT);
"""


class JournalBusy(RuntimeError):
    """Another process is running a campaign on this journal."""


@dataclass
class OpenRequest:
    """A request whose outcome is not known yet (``in_flight`` after a crash, or ``unknown``)."""

    id: int
    chunk: int
    agent: str
    func: str
    phones: str
    text_id: int | None
    started_at: float
    deadline: float
    watermark: int
    rows: list[tuple[int, str]]


class Journal:
    """A campaign journal on ``path`` (``":memory:"`` for one that lives only in this process).

    Every method is thread-safe (one connection, one lock): lanes of a campaign share it.
    """

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False,
                 durable: bool = False) -> None:
        self.path = str(path)
        self.durable = durable
        self._watermark: int | None = None
        self._lock = threading.RLock()
        self._lock_file: Any = None
        # Statements of settle(defer=True), committed at the start of the next transaction.
        self._deferred: list[tuple[str, Sequence[Any]]] = []
        memory = self.path == ":memory:"
        if read_only:
            if not Path(self.path).exists():
                raise FileNotFoundError(f"journal {self.path!r} does not exist")
            # mode=rw, not ro: a read-only connection cannot remove the -wal and -shm files it
            # makes, and they would stay beside the journal; nothing here writes.
            uri = Path(self.path).resolve().as_uri() + "?mode=rw"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
            self.is_new = False
            return
        if not memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        existed = not memory and Path(self.path).exists() and Path(self.path).stat().st_size > 0
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30,
                                   isolation_level=None)
        if not memory:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self.is_new = not existed or self.meta().get("format") is None
        if existed and not self.is_new and self.meta().get("format") != FORMAT:
            raise ValueError(f"journal {self.path!r}: not a campaign journal of this toolkit "
                             f"(format {self.meta().get('format')!r})")

    # -- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, sync: bool = False) -> Iterator[sqlite3.Connection]:
        """One atomic write, committed when the block ends (``sync``: and forced to disk)."""
        with self._lock:
            if sync:
                self._db.execute("PRAGMA synchronous=FULL")
            deferred, self._deferred = self._deferred, []
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for sql, params in deferred:
                        self._db.execute(sql, params)
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    self._deferred = deferred + self._deferred
                    raise
                self._db.execute("COMMIT")
            finally:
                if sync:
                    self._db.execute("PRAGMA synchronous=NORMAL")

    def flush(self) -> None:
        """Commit the outcomes deferred by ``settle(defer=True)``, if any."""
        with self._lock:
            if self._deferred:
                with self.transaction():
                    pass

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            self.flush()
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        """Commit what is deferred; release the run lock and the connection."""
        try:
            self.flush()
        finally:
            self.release()
            with self._lock:
                self._db.close()

    def acquire(self) -> None:
        """Take the run lock (a file lock next to the journal).

        Raises:
            JournalBusy: another live process holds it.
        """
        if self.path == ":memory:" or self._lock_file is not None:
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock, documented
            return
        lock_path = self.path + ".lock"
        while True:
            handle = open(lock_path, "a+")  # noqa: SIM115 - held for the run
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                raise JournalBusy(f"journal {self.path!r} is in use by another running "
                                  "campaign; wait for it to finish or stop it first") from None
            # The holder removes the file when it is done (see release): a lock taken on a file
            # removed meanwhile locks nothing, so take the one now at the path instead.
            try:
                current = os.stat(lock_path).st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                current = False
            if current:
                break
            handle.close()
        self._lock_file = handle

    def release(self) -> None:
        """Give the run lock back, removing its file (while still holding it)."""
        if self._lock_file is not None:
            with suppress(FileNotFoundError):
                os.remove(self.path + ".lock")
            self._lock_file.close()
            self._lock_file = None

    # -- the campaign --------------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        return dict(self.query("SELECT key, value FROM meta"))

    def set_meta(self, **values: Any) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                           [(k, v if isinstance(v, str) or v is None else json.dumps(v))
                            for k, v in values.items()])

    def event(self, kind: str, message: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO events(at, kind, message) VALUES (?, ?, ?)",
                       (time.time(), kind, message))

    def events(self) -> list[tuple[float, str, str]]:
        return [(float(a), str(k), str(m))
                for a, k, m in self.query("SELECT at, kind, message FROM events ORDER BY id")]

    def create(self, meta: dict[str, Any], texts: Sequence[str | None],
               rows: Iterable[tuple[int, str, str | None, int | None, str, str | None,
                                    int | None]]) -> None:
        """Write a new campaign: its meta, texts and every row (row, label, e164, text_id,
        state, reason, chunk) in one transaction."""
        now = time.time()
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                           [(k, v if isinstance(v, str) else json.dumps(v))
                            for k, v in {**meta, "format": FORMAT}.items()])
            db.executemany("INSERT INTO texts(id, body) VALUES (?, ?)",
                           list(enumerate(texts)))
            db.executemany(
                "INSERT INTO recipients(row, label, e164, text_id, state, reason, chunk, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(*r, now) for r in rows])

    def texts(self) -> dict[int, str]:
        return {int(i): b for i, b in self.query("SELECT id, body FROM texts")}

    # -- recipients ----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        found = dict(self.query("SELECT state, COUNT(*) FROM recipients GROUP BY state"))
        return {state: int(found.get(state, 0)) for state in STATES}

    def pending_chunks(self) -> list[tuple[int, int | None, list[tuple[int, str]]]]:
        """The pending rows grouped by chunk, in chunk order: ``(chunk, text_id, rows)``."""
        found = self.query(
            "SELECT chunk, MIN(text_id), group_concat(row), group_concat(e164) FROM "
            "(SELECT chunk, text_id, row, e164 FROM recipients WHERE state='pending' "
            "ORDER BY chunk, row) GROUP BY chunk ORDER BY chunk")
        return [(int(chunk), None if text_id is None else int(text_id),
                 list(zip(map(int, rows.split(",")), e164s.split(","), strict=True)))
                for chunk, text_id, rows, e164s in found]

    def max_chunk(self) -> int:
        value = self.query("SELECT MAX(chunk) FROM recipients")[0][0]
        return int(value or 0)

    def frame(self) -> pd.DataFrame:
        """Every row as a frame by position: label, e164, state, reason, agent, chunk,
        attempts, sent_at (UTC)."""
        with self._lock:
            self.flush()
            frame = pd.read_sql_query(
                "SELECT row, label, e164, state, reason, agent, chunk, attempts, sent_at "
                "FROM recipients ORDER BY row", self._db)
        frame = frame.set_index("row")
        frame["sent_at"] = pd.to_datetime(frame["sent_at"], unit="s", utc=True)
        for column in ("e164", "state", "reason", "agent"):
            frame[column] = frame[column].astype("string")
        frame["chunk"] = frame["chunk"].astype("Int64")
        frame["attempts"] = frame["attempts"].astype("int64")
        return frame

    def skip_pending(self, rows: Iterable[int], reason: str) -> None:
        now = time.time()
        with self.transaction() as db:
            db.executemany("UPDATE recipients SET state='skipped', reason=?, updated_at=? "
                           "WHERE row=? AND state='pending'", [(reason, now, r) for r in rows])

    def retry_failed(self, reasons: Sequence[str] | None, first_chunk: int,
                     chunk_size: int) -> int:
        """Turn failed rows (with one of ``reasons``, or any) back to pending, in new chunks.

        Returns how many rows will be tried again. Delivered rows are never touched.
        """
        rows = self.query("SELECT row, text_id, reason FROM recipients WHERE state='failed' "
                          "ORDER BY text_id, row")
        chosen = [(r, t) for r, t, why in rows
                  if reasons is None or any(_reason_matches(why, want) for want in reasons)]
        updates: list[tuple[int, float, int]] = []
        chunk, last_text, in_chunk = first_chunk - 1, object(), chunk_size
        now = time.time()
        for row, text_id in chosen:
            if text_id != last_text or in_chunk == chunk_size:
                chunk, last_text, in_chunk = chunk + 1, text_id, 0
            in_chunk += 1
            updates.append((chunk, now, row))
        with self.transaction() as db:
            db.executemany("UPDATE recipients SET state='pending', reason=NULL, chunk=?, "
                           "updated_at=? WHERE row=?", updates)
        return len(updates)

    # -- requests ------------------------------------------------------------------------------

    def begin_request(self, rows: Sequence[tuple[int, str]], *, chunk: int, agent: str,
                      func: str, phones: str, text_id: int | None, deadline: float,
                      watermark: int) -> int:
        """Commit the chunk's rows ``in_flight`` with a new request; returns the request id."""
        now = time.time()
        with self.transaction(sync=self.durable) as db:
            cursor = db.execute(
                "INSERT INTO requests(chunk, agent, func, phones, text_id, size, started_at, "
                "deadline, watermark, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'in_flight')",
                (chunk, agent, func, phones, text_id, len(rows), now, deadline, watermark))
            request = int(cursor.lastrowid or 0)
            for part in _parts([row for row, _ in rows]):
                db.execute(
                    "UPDATE recipients SET state='in_flight', reason=NULL, agent=?, request=?, "
                    f"attempts=attempts+1, updated_at=? WHERE row IN ({_marks(part)})",
                    (agent, request, now, *part))
        return request

    def settle(self, request: int, outcomes: dict[int, tuple[str, str | None]], *,
               request_state: str, note: str | None = None, defer: bool = False) -> None:
        """Commit each row's new ``(state, reason)`` and the request's end, atomically.

        ``defer``: commit them with the next transaction instead (the next chunk's
        :meth:`begin_request`, any other write, any read, :meth:`flush` or :meth:`close`).
        """
        now = time.time()
        groups: dict[tuple[str, str | None], list[int]] = {}
        for row, outcome in outcomes.items():
            groups.setdefault(outcome, []).append(row)
        statements: list[tuple[str, Sequence[Any]]] = []
        for (state, reason), members in groups.items():
            sent = now if state == "delivered" else None
            for part in _parts(members):
                statements.append((
                    "UPDATE recipients SET state=?, reason=?, sent_at=COALESCE(?, sent_at), "
                    f"updated_at=? WHERE row IN ({_marks(part)})",
                    (state, reason, sent, now, *part)))
        statements.append(("UPDATE requests SET state=?, outcome=?, ended_at=? WHERE id=?",
                           (request_state, note, now, request)))
        with self._lock:
            if defer:
                self._deferred.extend(statements)
                return
            with self.transaction() as db:
                for sql, params in statements:
                    db.execute(sql, params)

    def open_requests(self) -> list[OpenRequest]:
        """Requests still ``in_flight`` (a crash) or ``unknown``, with their unsettled rows."""
        found: list[OpenRequest] = []
        # No index on the rows' state or request: updating one on every send costs more than
        # the one scan here, at the start of a run.
        rows_of: dict[int, list[tuple[int, str]]] = {}
        for row, e164, request in self.query(
                "SELECT row, e164, request FROM recipients WHERE state IN ('in_flight', "
                "'unknown') AND request IS NOT NULL ORDER BY row"):
            rows_of.setdefault(int(request), []).append((int(row), str(e164)))
        for (rid, chunk, agent, func, phones, text_id, started, deadline, watermark) in \
                self.query("SELECT id, chunk, agent, func, phones, text_id, started_at, "
                           "deadline, watermark FROM requests WHERE state IN "
                           "('in_flight', 'unknown') ORDER BY id"):
            rows = rows_of.get(int(rid), [])
            found.append(OpenRequest(int(rid), int(chunk), str(agent), str(func), str(phones),
                                     text_id, float(started), float(deadline),
                                     int(watermark or 0), rows))
        return found

    # -- the report archive --------------------------------------------------------------------

    def watermark(self) -> int:
        """The newest archived record's sequence number (0 when none)."""
        if self._watermark is None:
            self._watermark = int(self.query("SELECT COALESCE(MAX(seq), 0) FROM archive")[0][0])
        return self._watermark

    def archive_newest_keys(self, count: int) -> list[str]:
        """The keys of the newest ``count`` archived records, oldest first."""
        rows = self.query("SELECT key FROM archive ORDER BY seq DESC LIMIT ?", (count,))
        return [k for (k,) in reversed(rows)]

    def append_archive(self, keys: Sequence[str]) -> None:
        """Append records given as their keys (a key is the record's canonical JSON)."""
        now = time.time()
        with self.transaction() as db:
            db.executemany("INSERT INTO archive(key, record, harvested_at) VALUES (?, ?, ?)",
                           [(k, k, now) for k in keys])
            self._watermark = None

    def archive_after(self, seq: int) -> list[tuple[int, dict[str, Any]]]:
        """Unclaimed records newer than ``seq``, oldest first."""
        return [(int(s), json.loads(r)) for s, r in self.query(
            "SELECT seq, record FROM archive WHERE seq > ? AND claimed_by IS NULL ORDER BY seq",
            (seq,))]

    def claim(self, seqs: Iterable[int], request: int) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE archive SET claimed_by=? WHERE seq=?",
                           [(request, s) for s in seqs])

    def archive(self) -> list[dict[str, Any]]:
        return [json.loads(r) for (r,) in self.query("SELECT record FROM archive ORDER BY seq")]


_MAX_MARKS = 500


def _parts(rows: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(rows), _MAX_MARKS):
        yield rows[start:start + _MAX_MARKS]


def _marks(part: Sequence[int]) -> str:
    return ",".join("?" * len(part))


def _reason_matches(reason: str | None, wanted: str) -> bool:
    return reason == wanted or (reason or "").startswith(wanted + ":")
