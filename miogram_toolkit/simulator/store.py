"""The simulator's SQLite file: schema, opening checks, and the rows that grow.

The small account data (secret, flags, limits, credits, agents, groups, blocked numbers, id
counters) is kept as one JSON value per key in ``account``; what grows with use — the report log,
the per-number delivery counts, the dialogs and their messages — has its own tables, so a request
costs the same with ten records or ten million::

    request ──► State (in memory: account)      one transaction per request
                  │ append_report / add_history   ──────────────────────────────►  file.sqlite
                  │ count_attempt                   account   key → JSON           (WAL, 0600)
                  └ commit ◄── before the answer     reports   id, record JSON
                                                     deliveries phone → count
                                                     dialogs   agent, phone, read mark
                                                     messages  id, agent, phone, shown, entry

A dialog is one agent's chat with one number: an agent sees only its own chats. A message is
read back only once the service's clock reaches its ``shown`` time (Unix seconds): the gateway
sends one number after the other.

The file is opened in WAL mode with ``synchronous=NORMAL`` (a committed request survives any
death of the process; a power cut may lose the newest transactions, never the file) and
temporary data in memory (no stray file holds the secret). One process serves a file at a time:
each transaction checks the file's generation counter, so when a second process (or object) has
written the file, the first one's next request fails (answer 999) instead of overwriting the
other's account. Without a path the same schema lives in memory.

Example:
    >>> store = Store(None)
    >>> store.begin(); store.append_report('{"Id": 1}'); store.commit()
    >>> store.report_count(), store.recent_reports(5)
    (1, ['{"Id": 1}'])
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from miogram_toolkit.local import create_private, private_dir

__all__ = ["APPLICATION_ID", "FORMAT", "StateFileError", "Store"]

#: ``PRAGMA application_id`` of a simulator state file ("MioG").
APPLICATION_ID = 0x4D696F47
#: ``PRAGMA user_version``: the layout of the tables below.
FORMAT = 4

_GENERATION = "generation"  # bumped by every commit that changed something
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMA = """
CREATE TABLE account (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE reports (id INTEGER PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE deliveries (phone TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE dialogs (seq INTEGER PRIMARY KEY, agent TEXT NOT NULL, phone TEXT NOT NULL,
                      read_up_to INTEGER NOT NULL DEFAULT 0, UNIQUE (agent, phone));
CREATE TABLE messages (id INTEGER PRIMARY KEY, agent TEXT NOT NULL, phone TEXT NOT NULL,
                       shown REAL NOT NULL, entry TEXT NOT NULL);
CREATE INDEX messages_by_chat ON messages (agent, phone, id);
"""


class StateFileError(ValueError):
    """The state file cannot be used: not a simulator state, or damaged."""


def _create_private(path: Path) -> None:
    """Create ``path`` empty, readable by its owner only (SQLite's WAL inherits the mode), in a
    folder the toolkit creates 0700 (and tightens when it made it earlier)."""
    private_dir(path.parent)
    create_private(path)


def _check_header(path: Path) -> None:
    """Raise when ``path`` is neither empty (a new state) nor an SQLite file."""
    with path.open("rb") as handle:
        head = handle.read(len(_SQLITE_MAGIC))
    if head and head != _SQLITE_MAGIC:
        kind = "JSON (an older simulator's state file)" if head.lstrip()[:1] == b"{" else \
            "not an SQLite database"
        raise StateFileError(f"{path} is not a simulator state file: {kind}")


class Store:
    """The SQLite connection behind a :class:`~.state.State`; the caller serialises access.

    Args:
        path: the state file (created when missing), or None for an in-memory database.

    Raises:
        StateFileError: the file is not a simulator state file, or is damaged.
    """

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path is not None else None
        self.fresh = True
        self._generation = 0
        self._changes = 0
        if self.path is None:
            self._db = sqlite3.connect(":memory:", isolation_level=None,
                                       check_same_thread=False)
            self._db.executescript(_SCHEMA)
            return
        _create_private(self.path)
        _check_header(self.path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None,
                                       check_same_thread=False, timeout=10)
        except sqlite3.Error as exc:
            raise StateFileError(f"{self.path} cannot be opened as a state file: {exc}") \
                from None
        try:
            self._open()
        except sqlite3.OperationalError as exc:
            self._db.close()
            raise StateFileError(f"{self.path} cannot be read as a state file: {exc}") from None
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StateFileError(f"{self.path} is damaged and cannot be read as a state file: "
                                 f"{exc}") from None
        except StateFileError:
            self._db.close()
            raise

    def _open(self) -> None:
        db = self._db
        db.execute("PRAGMA temp_store = MEMORY")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StateFileError(f"{self.path} cannot be put in WAL mode (got {mode})")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("BEGIN IMMEDIATE")
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
            if app_id == 0 and tables == 0:
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {FORMAT}")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
            else:
                if app_id != APPLICATION_ID:
                    raise StateFileError(f"{self.path} is an SQLite database of another "
                                         f"program, not a simulator state file")
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version != FORMAT:
                    raise StateFileError(f"{self.path} is a simulator state file of format "
                                         f"{version}; this version reads format {FORMAT}: "
                                         f"start from a new state file")
                self.fresh = not db.execute("SELECT 1 FROM account LIMIT 1").fetchall()
                self._generation = self._stored_generation()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the connection (the lock on the file goes with it)."""
        self._db.close()

    # -- transactions --------------------------------------------------------------------------

    def _stored_generation(self) -> int:
        row = self._db.execute("SELECT value FROM account WHERE key = ?",
                               (_GENERATION,)).fetchone()
        return int(row[0]) if row else 0

    def begin(self) -> None:
        """Open the request's transaction, taking the file's write lock at once.

        Raises:
            StateFileError: another process (or object) wrote the file since our last commit.
        """
        self._db.execute("BEGIN IMMEDIATE")
        if self._stored_generation() != self._generation:
            self._db.execute("ROLLBACK")
            raise StateFileError(f"{self.path} was changed by another simulator; one process "
                                 f"serves a state file at a time")
        self._changes = self._db.total_changes

    def commit(self) -> None:
        """Make the transaction durable (raises ``sqlite3.Error`` when it cannot)."""
        generation = self._generation
        if self._db.total_changes != self._changes:
            generation += 1
            self.write_account({_GENERATION: str(generation)})
        self._db.execute("COMMIT")
        self._generation = generation

    def rollback(self) -> None:
        """Undo the transaction (a no-op when SQLite already undid it after an error)."""
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    # -- account -------------------------------------------------------------------------------

    def account(self) -> dict[str, str]:
        """Every account key with its JSON text."""
        return dict(self._db.execute("SELECT key, value FROM account"))

    def write_account(self, values: Mapping[str, str]) -> None:
        """Store the JSON text of the given keys."""
        self._db.executemany("INSERT INTO account (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             values.items())

    # -- reports and deliveries ----------------------------------------------------------------

    def append_report(self, record: str) -> None:
        """Add one report record (JSON text) after the others."""
        self._db.execute("INSERT INTO reports (record) VALUES (?)", (record,))

    def append_reports(self, records: Iterable[str]) -> None:
        """Add many report records (JSON texts) after the others, in one statement."""
        self._db.executemany("INSERT INTO reports (record) VALUES (?)",
                             ((record,) for record in records))

    def first_reports(self, count: int) -> list[str]:
        """The oldest ``count`` records, oldest first (insertion order)."""
        rows = self._db.execute("SELECT record FROM reports ORDER BY id LIMIT ?", (count,))
        return [row[0] for row in rows]

    def recent_reports(self, count: int) -> list[str]:
        """The newest ``count`` records, newest first."""
        rows = self._db.execute("SELECT record FROM reports ORDER BY id DESC LIMIT ?", (count,))
        return [row[0] for row in rows]

    def reports_between(self, start: int, stop: int) -> list[str]:
        """Records at positions ``start`` .. ``stop - 1`` (0 = the oldest), oldest first."""
        rows = self._db.execute("SELECT record FROM reports WHERE id > ? AND id <= ? "
                                "ORDER BY id", (start, stop))
        return [row[0] for row in rows]

    def reports_after(self, last_id: int, batch: int) -> list[tuple[int, str]]:
        """Up to ``batch`` (id, record) rows after id ``last_id``, oldest first."""
        return self._db.execute("SELECT id, record FROM reports WHERE id > ? ORDER BY id "
                                "LIMIT ?", (last_id, batch)).fetchall()

    def report_count(self) -> int:
        """How many records there are (ids run 1, 2, … with no gap: rows are never deleted)."""
        return int(self._db.execute("SELECT coalesce(max(id), 0) FROM reports").fetchone()[0])

    def add_delivery(self, phone: str, count: int = 1) -> None:
        """Count ``count`` more deliveries to ``phone``."""
        self._db.execute("INSERT INTO deliveries (phone, count) VALUES (?, ?) "
                         "ON CONFLICT (phone) DO UPDATE SET count = count + excluded.count",
                         (phone, count))

    def deliveries(self, phone: str) -> int:
        """Deliveries to ``phone`` (0 when none)."""
        row = self._db.execute("SELECT count FROM deliveries WHERE phone = ?",
                               (phone,)).fetchone()
        return int(row[0]) if row else 0

    def all_deliveries(self) -> dict[str, int]:
        """Deliveries per number, for every number delivered to."""
        return dict(self._db.execute("SELECT phone, count FROM deliveries"))

    def delivery_numbers(self) -> int:
        """How many numbers were delivered to."""
        return int(self._db.execute("SELECT count(*) FROM deliveries").fetchone()[0])

    # -- dialogs (one per agent and number) ----------------------------------------------------

    def add_message(self, agent: str, phone: str, message_id: int, entry: str,
                    shown: float) -> None:
        """Append a message (JSON text) to ``agent``'s chat with ``phone`` (made on first use),
        to be read from the time ``shown`` on."""
        self._db.execute("INSERT OR IGNORE INTO dialogs (agent, phone) VALUES (?, ?)",
                         (agent, phone))
        self._db.execute("INSERT INTO messages (id, agent, phone, shown, entry) "
                         "VALUES (?, ?, ?, ?, ?)", (message_id, agent, phone, shown, entry))

    def has_dialog(self, agent: str, phone: str) -> bool:
        """True when ``agent`` has a chat with ``phone``."""
        return self._db.execute("SELECT 1 FROM dialogs WHERE agent = ? AND phone = ?",
                                (agent, phone)).fetchone() is not None

    def dialog_phones(self, agent: str) -> list[str]:
        """The numbers ``agent`` has a chat with, oldest chat first."""
        rows = self._db.execute("SELECT phone FROM dialogs WHERE agent = ? ORDER BY seq",
                                (agent,))
        return [row[0] for row in rows]

    def history(self, agent: str, phone: str, offset: int, limit: int,
                now: float) -> list[tuple[int, dict[str, Any]]]:
        """``(id, entry)`` of ``limit`` messages shown by ``now``, skipping the ``offset``
        newest; oldest first."""
        rows = self._db.execute("SELECT id, entry FROM messages WHERE agent = ? AND phone = ? "
                                "AND shown <= ? ORDER BY id DESC LIMIT ? OFFSET ?",
                                (agent, phone, now, limit, offset)).fetchall()
        return [(int(row[0]), json.loads(row[1])) for row in reversed(rows)]

    def history_count(self, agent: str, phone: str, now: float) -> int:
        """How many messages of the chat are shown by ``now``."""
        return int(self._db.execute("SELECT count(*) FROM messages WHERE agent = ? AND "
                                    "phone = ? AND shown <= ?",
                                    (agent, phone, now)).fetchone()[0])

    def last_message_id(self, agent: str, phone: str, now: float) -> int:
        """The newest message id of the chat shown by ``now`` (0 when none)."""
        return int(self._db.execute("SELECT coalesce(max(id), 0) FROM messages WHERE "
                                    "agent = ? AND phone = ? AND shown <= ?",
                                    (agent, phone, now)).fetchone()[0])

    def read_up_to(self, agent: str, phone: str) -> int:
        """The message id up to which the chat is read (0 when none)."""
        row = self._db.execute("SELECT read_up_to FROM dialogs WHERE agent = ? AND phone = ?",
                               (agent, phone)).fetchone()
        return int(row[0]) if row else 0

    def set_read_up_to(self, agent: str, phone: str, message_id: int) -> None:
        """Mark the chat read up to ``message_id``."""
        self._db.execute("UPDATE dialogs SET read_up_to = ? WHERE agent = ? AND phone = ?",
                         (message_id, agent, phone))
