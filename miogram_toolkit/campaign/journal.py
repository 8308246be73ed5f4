"""The journal: one SQLite file holding a campaign and every recipient's state.

Tables (:mod:`.journal_file` creates, checks and migrates them):

* ``meta`` — the campaign: its identity (account, message or name), settings (never the
  secret), state and the reason of the last pause;
* ``recipients`` — one row per **number** (``e164``, unique): the sheet's label and row number
  where it stood at the last run (``position`` NULL: no longer in the sheet), text, state,
  reason, chunk, agent, attempts, the request that carries it, sent and updated times, and
  ``hold`` — why the number must not be sent any more (an opt-out, removed from the sheet), so a
  row settled back to ``pending`` later is skipped instead;
* ``texts`` (each rendered message once), ``requests`` (every Mass request: numbers, agent,
  when it left, its deadline, what came of it), ``archive`` (harvested ``APIGetReport`` rows, see
  :mod:`.reconcile`), ``events`` (one line per pause, stop, resume), ``sheet_skips`` (the sheet's
  rows without a usable number, or duplicates), ``lock`` (the one sender, :mod:`.journal_lock`).

A chunk's rows are taken from ``pending`` to ``in_flight`` (with the request) by a
compare-and-set, committed **before** the request leaves: when any of them is no longer
pending — another sender took them — nothing is sent (:class:`JournalConflict`). Its outcome is
committed as soon as the answer is read — when the next chunk is ready to go at once, in the
same transaction as that chunk's ``in_flight`` (``settle(defer=True)``: the outcome waits for the
next write, read or :meth:`Journal.flush`; the runner flushes before it waits, harvests or
stops). Every commit is in the one ``.sqlite`` file when it returns (a rollback journal, not
WAL), so the file survives the process being killed and can be copied at any time. With
``durable=True`` the ``in_flight`` commit is also forced to the disk (``fsync``) before the
request goes, so not even a power cut can lose it; ``benchmarks/bench_journal.py`` prints what
a commit costs. Readers (:meth:`~miogram_toolkit.campaign.core.Campaign.status`) take no lock.
Journals are created 0600 in folders created 0700.

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd

from miogram_toolkit.campaign.journal_archive import ArchiveMethods
from miogram_toolkit.campaign.journal_file import FORMAT, NotAJournal, connect
from miogram_toolkit.campaign.journal_lock import JournalBusy, JournalConflict, RunLock

__all__ = ["FINAL_STATES", "FORMAT", "STATES", "Journal", "JournalBusy", "JournalConflict",
           "NotAJournal", "OpenRequest"]

#: Every state a recipient row can be in.
STATES = ("pending", "in_flight", "delivered", "failed", "unknown", "skipped")
#: States that no later run changes by itself (``retry`` turns failed rows back to pending).
FINAL_STATES = ("delivered", "failed", "skipped", "unknown")
#: What the ledger is told: numbers, and None (about to be sent) or what came of them.
Note = tuple[list[str], str | None]


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


class Journal(ArchiveMethods):
    """A campaign journal on ``path`` (``":memory:"`` for one that lives only in this process).

    Every method is thread-safe (one connection, one lock): lanes of a campaign share it.

    Raises:
        FileNotFoundError: ``read_only`` and no journal there.
        NotAJournal: the file is not a campaign journal (one sentence says what to do).
    """

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False,
                 durable: bool = False) -> None:
        self.path = str(path)
        self.durable = durable
        self._watermark: int | None = None
        self._lock = threading.RLock()
        # Statements of settle(defer=True), committed at the start of the next transaction.
        self._deferred: list[tuple[str, Sequence[Any]]] = []
        self._db, created = connect(self.path, read_only=read_only)
        # Without fsync a killed process loses nothing (the system has every write); only a
        # power cut could, and durable= is for that.
        self._db.execute(f"PRAGMA synchronous={'NORMAL' if durable else 'OFF'}")
        self.run_lock = RunLock(self._db, self.path, transaction=self.transaction)
        # Told of every request before it leaves and of each outcome (the account's ledger);
        # a deferred outcome is told when it is committed (_notes until then).
        self._ledger: Callable[[list[Note]], None] | None = None
        self._notes: list[Note] = []
        self.is_new = created or self.meta().get("campaign_id") is None
        self.migrated = self.meta().get("migrated_from") == "1"

    # -- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, sync: bool = False, notes: Sequence[Note] = ()
                    ) -> Iterator[sqlite3.Connection]:
        """One atomic write, committed when the block ends (``sync``: and forced to disk).

        The ledger is told of the deferred outcomes it commits, then of ``notes``, in one call
        after the commit."""
        with self._lock:
            if sync:
                self._db.execute("PRAGMA synchronous=FULL")
            deferred, self._deferred = self._deferred, []
            told, self._notes = self._notes, []
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for sql, params in deferred:
                        self._db.execute(sql, params)
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    self._deferred = deferred + self._deferred
                    self._notes = told + self._notes
                    raise
                self._db.execute("COMMIT")
            finally:
                if sync:
                    self._db.execute("PRAGMA synchronous=NORMAL")
            if self._ledger is not None and (told or notes):
                self._ledger([*told, *notes])

    def flush(self) -> None:
        """Commit the outcomes deferred by ``settle(defer=True)``, if any."""
        with self._lock:
            if self._deferred or self._notes:
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
            try:
                self.release()
            finally:
                with self._lock:
                    self._db.close()

    def acquire(self) -> None:
        """Take the run lock (a row in the journal: works wherever SQLite does).

        Raises:
            JournalBusy: another live process holds it.
        """
        if self.path == ":memory:" or self.run_lock.held:
            return
        self.run_lock.take()

    def release(self) -> None:
        """Give the run lock back."""
        self.run_lock.give_back()

    def attach_ledger(self, note: Callable[[list[Note]], None]) -> None:
        """``note(notes)``: ``(numbers, None)`` before each request leaves, ``(numbers, state)``
        with each outcome (``delivered``, ``failed``, ``unknown``, ``not_sent``) once committed;
        the outcomes a request's commit carries come in one call with its own note, in order."""
        self._ledger = note

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

    def texts(self) -> dict[int, str]:
        return {int(i): b for i, b in self.query("SELECT id, body FROM texts")}

    # -- recipients ----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per state: the recipients, and the sheet's own skips counted as skipped."""
        found = dict(self.query("SELECT state, COUNT(*) FROM recipients GROUP BY state"))
        counts = {state: int(found.get(state, 0)) for state in STATES}
        if self._has_table("sheet_skips"):
            counts["skipped"] += int(self.query("SELECT COUNT(*) FROM sheet_skips")[0][0])
        return counts

    def _has_table(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM sqlite_master WHERE name=?", (name,)))

    def sheet_skips(self) -> pd.DataFrame:
        """The sheet's rows skipped at the last run (no usable number, a duplicate)."""
        if not self._has_table("sheet_skips"):
            return pd.DataFrame(columns=["label", "sheet_row", "position", "e164", "state",
                                         "reason"])
        with self._lock:
            frame = pd.read_sql_query("SELECT label, sheet_row, position, e164, reason FROM "
                                      "sheet_skips ORDER BY position", self._db)
        frame["state"] = "skipped"
        return frame

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
        """Every recipient as a frame by its id, in the sheet's order: label, sheet_row,
        position (``<NA>``: no longer in the sheet), e164, state, reason, agent, chunk, attempts,
        sent_at (UTC)."""
        columns = {c for _, c, *_ in self.query("PRAGMA table_info(recipients)")}
        where = "sheet_row, position" if "position" in columns else "row + 2, row"
        with self._lock:
            self.flush()
            frame = pd.read_sql_query(
                f"SELECT row, label, {where}, e164, state, reason, agent, chunk, attempts, "
                "sent_at FROM recipients ORDER BY position IS NULL, position, row", self._db)
        frame.columns = ["row", "label", "sheet_row", "position", *frame.columns[4:]]
        frame = frame.set_index("row")
        frame["sent_at"] = pd.to_datetime(frame["sent_at"], unit="s", utc=True)
        for column in ("e164", "state", "reason", "agent", "label"):
            frame[column] = frame[column].astype("string")
        for column in ("chunk", "sheet_row", "position"):
            frame[column] = frame[column].astype("Int64")
        frame["attempts"] = frame["attempts"].astype("int64")
        return frame

    def skip_pending(self, rows: Iterable[int], reason: str) -> None:
        now = time.time()
        with self.transaction() as db:
            db.executemany("UPDATE recipients SET state='skipped', reason=?, updated_at=? "
                           "WHERE row=? AND state='pending'", [(reason, now, r) for r in rows])

    def retry_failed(self, reasons: Sequence[str] | None, first_chunk: int,
                     chunk_size: int, *, state: str = "failed") -> int:
        """Turn failed rows (with one of ``reasons``, or any) back to pending, in new chunks.

        ``state="unknown"``: the rows whose outcome is unknown instead (the user's explicit
        choice: some of them may receive the message twice). Rows held (an opt-out, removed
        from the sheet) stay. Returns how many rows will be tried again. Delivered rows are
        never touched.
        """
        if state not in ("failed", "unknown"):
            raise ValueError(f"state: only failed or unknown rows are tried again, not {state!r}")
        rows = self.query("SELECT row, text_id, reason FROM recipients WHERE state=? "
                          "AND hold IS NULL ORDER BY text_id, row", (state,))
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
        """Take the chunk's rows from ``pending`` to ``in_flight`` with a new request (a
        compare-and-set, committed); returns the request id.

        Raises:
            JournalConflict: a row was no longer pending, or the run lock is no longer ours;
                nothing was changed, so nothing may be sent.
        """
        now = time.time()
        ids = [row for row, _ in rows]
        told = [([e164 for _, e164 in rows], None)] if self._ledger is not None else []
        with self.transaction(sync=self.durable, notes=told) as db:
            self.run_lock.check(db)
            cursor = db.execute(
                "INSERT INTO requests(chunk, agent, func, phones, text_id, size, started_at, "
                "deadline, watermark, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'in_flight')",
                (chunk, agent, func, phones, text_id, len(rows), now, deadline, watermark))
            request = int(cursor.lastrowid or 0)
            taken = 0
            for part in _parts(ids):
                # Compare-and-set: only rows still pending are taken; any other is a conflict.
                taken += db.execute(
                    "UPDATE recipients SET state='in_flight', reason=NULL, agent=?, request=?, "
                    f"attempts=attempts+1, updated_at=? WHERE row IN ({_marks(part)}) "
                    "AND state='pending'", (agent, request, now, *part)).rowcount
            if taken != len(ids):
                raise JournalConflict(
                    f"journal {self.path!r}: {len(ids) - taken} of the {len(ids)} rows of chunk "
                    f"{chunk} are no longer pending (another sender took them); nothing was "
                    "sent for this chunk")
        return request

    def settle(self, request: int, outcomes: dict[int, tuple[str, str | None]], *,
               request_state: str, note: str | None = None, defer: bool = False,
               numbers: Mapping[int, str] | None = None) -> None:
        """Commit each row's new ``(state, reason)`` and the request's end, atomically.

        A row settled back to ``pending`` while it is held (see the module docstring) becomes
        ``skipped`` with the reason it is held for.

        ``defer``: commit them with the next transaction instead (the next chunk's
        :meth:`begin_request`, any other write, any read, :meth:`flush` or :meth:`close`).
        ``numbers``: each row's number, when the caller has them (else they are read).
        """
        now = time.time()
        groups: dict[tuple[str, str | None], list[int]] = {}
        for row, outcome in outcomes.items():
            groups.setdefault(outcome, []).append(row)
        statements: list[tuple[str, Sequence[Any]]] = []
        for (state, reason), members in groups.items():
            sent = now if state == "delivered" else None
            for part in _parts(members):
                if state == "pending":
                    # A row held since it left (opted out, removed from the sheet) is not sent
                    # again: it is skipped with the reason it is held for.
                    statements.append((
                        "UPDATE recipients SET state=CASE WHEN hold IS NULL THEN 'pending' "
                        "ELSE 'skipped' END, reason=COALESCE(hold, ?), updated_at=? "
                        f"WHERE row IN ({_marks(part)})", (reason, now, *part)))
                    continue
                statements.append((
                    "UPDATE recipients SET state=?, reason=?, sent_at=COALESCE(?, sent_at), "
                    f"updated_at=? WHERE row IN ({_marks(part)})",
                    (state, reason, sent, now, *part)))
        statements.append(("UPDATE requests SET state=?, outcome=?, ended_at=? WHERE id=?",
                           (request_state, note, now, request)))
        with self._lock:
            notes = self._outcome_notes(groups, numbers) if self._ledger is not None else []
            if defer:
                self._deferred.extend(statements)
                self._notes.extend(notes)
                return
            if notes:
                assert self._ledger is not None
                self._ledger(notes)
            with self.transaction() as db:
                for sql, params in statements:
                    db.execute(sql, params)

    def _outcome_notes(self, groups: dict[tuple[str, str | None], list[int]],
                       numbers: Mapping[int, str] | None) -> list[Note]:
        notes: list[Note] = []
        for (state, _reason), members in groups.items():
            found: list[str] = [numbers[row] for row in members] if numbers is not None else []
            for part in _parts(members) if numbers is None else ():
                found += [str(n) for (n,) in self._db.execute(
                    f"SELECT e164 FROM recipients WHERE row IN ({_marks(part)})", part)]
            shown = state if state in ("delivered", "failed", "unknown") else "not_sent"
            if state != "in_flight":
                notes.append((found, shown))
        return notes

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


_MAX_MARKS = 500


def _parts(rows: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(rows), _MAX_MARKS):
        yield rows[start:start + _MAX_MARKS]


def _marks(part: Sequence[int]) -> str:
    return ",".join("?" * len(part))


def _reason_matches(reason: str | None, wanted: str) -> bool:
    return reason == wanted or (reason or "").startswith(wanted + ":")
