"""The simulated account and everything the service remembers about it.

One :class:`State` holds the account (secret, active flag, allowed IPs, user name, ads flag,
permissions), its agents, limits and credits, the groups, blocked users, dialogs with their
message history, and the report log of every send attempt.

The small account data lives in memory as plain attributes; the report log, the deliveries per
number and the dialogs live only in SQLite (:mod:`.store`: a file with ``path``, else memory)
and are read through methods — :meth:`~State.recent_reports`, :meth:`~State.report_count`,
:attr:`~State.chats`… — never as a list of every record, so a request costs the same whatever
the log's size, and a restart reads only the account.

Every request runs in :meth:`State.transaction`: under :attr:`State.lock`, one SQLite
transaction, committed before the answer leaves. When the commit fails (disk full, file too
large, I/O error) the transaction is rolled back, the in-memory account is put back as it was
committed, and :class:`StateWriteError` is raised — a change that cannot be made durable is not
made. The file holds the secret: it is created readable by its owner only (its WAL file
inherits that mode) and nothing is ever written to a temporary file.

Example:
    >>> state = State(secret="s3cret", credits={"Message": 3})
    >>> state.credits["Message"], state.credits["Photo"]
    (3, 2000)
    >>> state.pick_agent("")
    'MioBot1'
    >>> with state.transaction():
    ...     state.append_report({"Id": 1, "Phone": "+989121234567"})
    >>> state.report_count(), state.recent_reports(1)[0]["Id"]
    (1, 1)
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import string
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from miogram_toolkit.protocol.catalogue import CREDIT_KINDS
from miogram_toolkit.simulator.numbering import on_messenger
from miogram_toolkit.simulator.store import StateFileError, Store
from miogram_toolkit.simulator.views import Chats, Deliveries, ReportLog, dumps

__all__ = ["DEFAULT_AGENTS", "DEFAULT_CREDITS", "DEFAULT_LIMITS", "State", "StateFileError",
           "StateWriteError", "new_secret", "utc_iso"]

DEFAULT_AGENTS = ("MioBot1", "MioBot2", "MioBot3")
#: Message in characters; Photo, Video and File in megabytes (as ``APIGetLimits`` reports them).
DEFAULT_LIMITS: Mapping[str, int] = {"Message": 4096, "Photo": 5, "Video": 20, "File": 20}
DEFAULT_CREDITS: Mapping[str, int] = {"Message": 10000, "Photo": 2000, "Video": 1000,
                                      "File": 2000, "Other": 2000}

_ALPHABET = string.ascii_lowercase + string.digits
# The in-memory attributes that survive a restart, one JSON value each (sets as sorted lists).
_PERSISTED = ("secret", "active", "allowed_ips", "username", "ads", "is_super", "can_get",
              "agents", "limits", "credits", "seed", "unreachable_share", "reachable",
              "unreachable", "blocked", "groups", "next_ids", "tallies", "reply_rate")
_SETS = frozenset({"reachable", "unreachable", "blocked"})


class StateWriteError(RuntimeError):
    """A request's changes could not be made durable; they were undone."""


def new_secret() -> str:
    """A fresh random secret, shaped like the document's example (lower-case letters, digits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(24))


def utc_iso(moment: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and a ``Z``: ``2026-01-31T12:00:00.000Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _agent(name: str) -> dict[str, Any]:
    return {"Name": name, "Online": True, "FirstName": name, "LastName": "", "Username": None,
            "Photo": None}


class State:
    """The simulated account, thread-safe, optionally persisted in an SQLite file.

    Args:
        secret: the account's secret (random when omitted).
        active: the account is activated (else every action answers 826).
        allowed_ips: ``"*"`` for every caller, or the allowed addresses (a list or a
            comma-separated string).
        username: the account's user name (``APIGetUsername``).
        ads: an advertisement is appended to sent messages (``APIGetAds``).
        is_super: the account has the isSuper permission.
        can_get: the account has the canGet permission.
        agents: names of the active agents; the first is used when ``Robot`` is empty.
        limits: overrides of :data:`DEFAULT_LIMITS`.
        credits: overrides of :data:`DEFAULT_CREDITS`.
        seed: decides which numbers are on the messenger.
        unreachable_share: share of numbers that are not on the messenger (0..1).
        on_messenger: numbers that are on the messenger whatever the seed says.
        not_on_messenger: numbers that are not on the messenger whatever the seed says.
        blocked: numbers the agents have blocked.
        reply_rate: the share (0..1) of delivered Telegram messages whose recipient answers
            (:mod:`.replies`); 0 = nobody answers.
        path: a new state file (an existing one is read with :meth:`load`).

    Raises:
        StateFileError: ``path`` already holds a state, or cannot be a state file.
    """

    def __init__(self, *, secret: str | None = None, active: bool = True,
                 allowed_ips: str | Iterable[str] = "*", username: str = "demo",
                 ads: bool = False, is_super: bool = True, can_get: bool = True,
                 agents: Iterable[str] = DEFAULT_AGENTS, limits: Mapping[str, int] | None = None,
                 credits: Mapping[str, int] | None = None, seed: int = 0,
                 unreachable_share: float = 0.1, on_messenger: Iterable[str] = (),
                 not_on_messenger: Iterable[str] = (), blocked: Iterable[str] = (),
                 reply_rate: float = 0.0,
                 path: str | os.PathLike[str] | None = None) -> None:
        for name, share in (("unreachable_share", unreachable_share), ("reply_rate", reply_rate)):
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{name} must be within 0..1, got {share!r}")
        unknown = set(credits or {}) - set(CREDIT_KINDS)
        if unknown:
            raise ValueError(f"unknown credit kinds {sorted(unknown)}; use {CREDIT_KINDS}")
        self.secret = secret or new_secret()
        self.active = bool(active)
        self.allowed_ips = _ip_list(allowed_ips)
        self.username = username
        self.ads = bool(ads)
        self.is_super = bool(is_super)
        self.can_get = bool(can_get)
        self.agents: list[dict[str, Any]] = [_agent(name) for name in agents]
        self.limits: dict[str, int] = {**DEFAULT_LIMITS, **(limits or {})}
        self.credits: dict[str, int] = {**DEFAULT_CREDITS, **(credits or {})}
        self.seed = int(seed)
        self.unreachable_share = float(unreachable_share)
        self.reachable: set[str] = set(on_messenger)
        self.unreachable: set[str] = set(not_on_messenger)
        self.blocked: set[str] = set(blocked)
        self.groups: dict[str, dict[str, Any]] = {}
        self.next_ids: dict[str, int] = {"report": 1, "message": 1, "group": 1}
        #: Deliveries and undelivered attempts in the report log (kept with the account).
        self.tallies: dict[str, int] = {"delivered": 0, "undelivered": 0}
        self.reply_rate = float(reply_rate)
        store = Store(path)
        if not store.fresh:
            store.close()
            raise StateFileError(f"{path} already holds a simulator state; State.load reads it")
        self._start(store, {})
        self.save()

    def _start(self, store: Store, committed: dict[str, str]) -> None:
        # Re-entrant: a handler may call helpers that take the lock again.
        self.lock = threading.RLock()
        self.path = store.path
        self._store = store
        self._committed = committed
        self._owner: int | None = None  # the thread inside a transaction
        #: The agents' chats (:class:`~.views.Chats`: one per agent and number).
        self.chats = Chats(store, self.lock, self.transaction, self.next_id)
        # Not persisted: counts since this process started.
        self.counts: Counter[str] = Counter()
        #: Set by handlers that changed something; kept for them, every request is saved.
        self.dirty = False

    # -- persistence -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str], **defaults: Any) -> State:
        """Read the state saved at ``path``, or create it from ``defaults`` when it is new.

        An existing file wins over ``defaults`` (including the secret): a restarted process
        meets the state the killed one left. Only the account is read, whatever the log's size.

        Raises:
            StateFileError: the file is not a simulator state file, is damaged, or another
                process has it open (one sentence, naming the file).
        """
        file = Path(path)
        store = Store(file)
        if store.fresh:
            store.close()
            return cls(path=file, **defaults)
        try:
            committed = store.account()
            values = {key: json.loads(committed[key]) for key in _PERSISTED}
        except (KeyError, ValueError, sqlite3.DatabaseError) as exc:
            store.close()
            raise StateFileError(f"{file} is damaged and cannot be read as a state file "
                                 f"({type(exc).__name__})") from None
        state = cls.__new__(cls)
        for key, value in values.items():
            setattr(state, key, set(value) if key in _SETS else value)
        state._start(store, committed)
        return state

    def close(self) -> None:
        """Close the state file (the state cannot be used afterwards)."""
        with self.lock:
            self._store.close()

    def _changed(self) -> dict[str, str]:
        changed = {}
        for key in _PERSISTED:
            value = getattr(self, key)
            text = dumps(sorted(value) if key in _SETS else value)
            if self._committed.get(key) != text:
                changed[key] = text
        return changed

    def _restore(self) -> None:
        for key in self._changed():
            value = json.loads(self._committed[key])
            setattr(self, key, set(value) if key in _SETS else value)

    def transaction(self) -> _Transaction:
        """Hold the lock and run one SQLite transaction; commit at the end, or undo everything.

        Re-entrant: an inner ``transaction()`` in the same thread joins the outer one (and costs
        next to nothing). An exception inside undoes the database changes and the in-memory
        account, then propagates.

        Raises:
            StateWriteError: the commit failed; nothing of the transaction remains.
        """
        return _Transaction(self)

    def save(self) -> None:
        """Commit the in-memory account now (every request already does; kept for callers)."""
        with self.transaction():
            pass

    @contextmanager
    def edit(self) -> Iterator[State]:
        """Change the state from Python (outside the service) in one transaction.

        Example:
            >>> state = State()
            >>> with state.edit() as s:
            ...     s.credits["Message"] = 0
        """
        with self.transaction():
            yield self

    # -- the account -------------------------------------------------------------------------

    def ip_allowed(self, address: str) -> bool:
        """True when a caller at ``address`` may use the service."""
        return "*" in self.allowed_ips or address in self.allowed_ips

    def agent_names(self) -> list[str]:
        """Names of the active agents, in order."""
        return [agent["Name"] for agent in self.agents]

    def pick_agent(self, robot: str) -> str | None:
        """The agent a request runs on: the named one, or the first when ``robot`` is empty.

        Returns None when there is no agent or ``robot`` names none of them.
        """
        names = self.agent_names()
        if not robot:
            return names[0] if names else None
        return robot if robot in names else None

    def agent(self, name: str) -> dict[str, Any]:
        """The agent record called ``name``."""
        return next(agent for agent in self.agents if agent["Name"] == name)

    # -- numbers, sends and reports ----------------------------------------------------------

    def on_messenger(self, number: str) -> bool:
        """True when ``number`` (international form) has a messenger account."""
        if number in self.reachable:
            return True
        if number in self.unreachable:
            return False
        return on_messenger(number, seed=self.seed, unreachable_share=self.unreachable_share)

    def next_id(self, kind: str) -> int:
        """The next id of ``kind`` ("report", "message", "group"): increasing, never reused."""
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value

    def append_report(self, record: Mapping[str, Any]) -> None:
        """Add ``record`` (any JSON object, stored as given) to the report log."""
        with self.transaction():
            self._store.append_report(dumps(record))

    def prefill_log(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Add old report records in one transaction (an account that has been in use)."""
        with self.transaction():
            self._store.append_reports(dumps(record) for record in records)

    def first_reports(self, count: int) -> list[dict[str, Any]]:
        """The oldest ``count`` report records, oldest first (the order they were inserted)."""
        with self.lock:
            return [json.loads(text) for text in self._store.first_reports(count)]

    def recent_reports(self, count: int) -> list[dict[str, Any]]:
        """The newest ``count`` report records, newest first (fresh copies)."""
        with self.lock:
            return [json.loads(text) for text in self._store.recent_reports(count)]

    def iter_reports(self, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every report record, oldest first, read ``batch`` rows at a time under the lock."""
        return iter(ReportLog(self._store, self.lock, batch))

    def report_count(self) -> int:
        """How many report records there are."""
        with self.lock:
            return self._store.report_count()

    @property
    def reports(self) -> ReportLog:
        """The report log as a read-only sequence (indexing and slicing read the file)."""
        return ReportLog(self._store, self.lock)

    def count_attempt(self, phone: str, delivered: bool) -> None:
        """Count one send attempt: a delivered one adds to ``phone``'s deliveries."""
        with self.transaction():
            if delivered:
                self._store.add_delivery(phone)
                self.tallies["delivered"] += 1
            else:
                self.tallies["undelivered"] += 1

    def delivered_to(self, phone: str) -> int:
        """How many messages were delivered to ``phone`` (as sent)."""
        with self.lock:
            return self._store.deliveries(phone)

    @property
    def deliveries(self) -> Deliveries:
        """Deliveries per number as a read-only mapping (0 for a number never delivered to)."""
        return Deliveries(self._store, self.lock)

    # -- inspection --------------------------------------------------------------------------

    def inspect(self) -> dict[str, Any]:
        """The inspection view: credits, counts and deliveries per number (never the secret)."""
        with self.lock:
            return {
                "credits": dict(self.credits),
                "counts": {
                    "requests": self.counts["requests"], "sends": self.counts["sends"],
                    "faults": self.counts["faults"], "reports": self.report_count(),
                    "delivered": self.tallies["delivered"],
                    "undelivered": self.tallies["undelivered"],
                },
                "deliveries": self._store.all_deliveries(),
                "agents": self.agent_names(),
                "blocked": sorted(self.blocked),
                "groups": sorted(self.groups),
                "allowed_ips": ",".join(self.allowed_ips),
                "active": self.active,
            }

    def __repr__(self) -> str:
        # Never the secret.
        return (f"State(agents={self.agent_names()!r}, credits={self.credits!r}, "
                f"reports={self.report_count()}, "
                f"path={str(self.path) if self.path else None!r})")


class _Transaction:
    """One request's transaction on a :class:`State` (see :meth:`State.transaction`)."""

    __slots__ = ("_outer", "_state")

    def __init__(self, state: State) -> None:
        self._state = state
        self._outer = False

    def __enter__(self) -> State:
        state = self._state
        if state._owner == threading.get_ident():
            return state  # joins the transaction this thread is already in
        state.lock.acquire()
        try:
            state._store.begin()
        except (sqlite3.Error, StateFileError) as exc:
            state.lock.release()
            raise StateWriteError(f"the state could not be saved: {exc}") from None
        state._owner = threading.get_ident()
        self._outer = True
        return state

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: object) -> None:
        if not self._outer:
            return
        state = self._state
        try:
            if kind is None:
                try:
                    changed = state._changed()
                    state._store.write_account(changed)
                    state._store.commit()
                except BaseException as exc:
                    state._store.rollback()
                    state._restore()
                    if isinstance(exc, sqlite3.Error):
                        raise StateWriteError(f"the state could not be saved "
                                              f"({type(exc).__name__}: {exc})") from None
                    raise
                state._committed.update(changed)
                state.dirty = False
            else:
                state._store.rollback()
                state._restore()
        finally:
            state._owner = None
            state.lock.release()


def _ip_list(value: str | Iterable[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    cleaned = [item.strip() for item in items if item.strip()]
    return cleaned or ["*"]
