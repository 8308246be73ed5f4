"""The simulated account and everything the service remembers about it.

One :class:`State` holds the account (secret, active flag, allowed IPs, user name, ads flag,
permissions), its agents, limits and credits, the groups, blocked users, dialogs with their
message history, delivered counts per number, and the report log (records shaped by the dialect,
:mod:`.dialects`; read through :meth:`State.append_report`, :meth:`State.recent_reports` and
:meth:`State.report_count`).

Every change happens under :attr:`State.lock` (the request handlers hold it for the whole
request), so concurrent sends never drive a credit negative or lose a record. With a ``path``
the state is written as JSON after every request that changed it — to a temporary file that then
replaces the old one, so a process killed at any moment leaves either the old or the new state,
never half of one. The file holds the secret: it is created readable by its owner only.

Example:
    >>> state = State(secret="s3cret", credits={"Message": 3})
    >>> state.credits["Message"], state.credits["Photo"]
    (3, 2000)
    >>> state.pick_agent("")
    'MioBot1'
"""

from __future__ import annotations

import json
import os
import secrets
import string
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from miogram_toolkit.protocol.catalogue import CREDIT_KINDS
from miogram_toolkit.simulator.numbering import on_messenger

__all__ = ["DEFAULT_AGENTS", "DEFAULT_CREDITS", "DEFAULT_LIMITS", "State", "new_secret",
           "utc_iso"]

DEFAULT_AGENTS = ("MioBot1", "MioBot2", "MioBot3")
#: Message in characters; Photo, Video and File in megabytes (as ``APIGetLimits`` reports them).
DEFAULT_LIMITS: Mapping[str, int] = {"Message": 4096, "Photo": 5, "Video": 20, "File": 20}
DEFAULT_CREDITS: Mapping[str, int] = {"Message": 10000, "Photo": 2000, "Video": 1000,
                                      "File": 2000, "Other": 2000}

_FORMAT = 1
_ALPHABET = string.ascii_lowercase + string.digits


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
    """The simulated account, thread-safe, optionally persisted as JSON.

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
        path: a JSON file to persist to after every change (loaded with :meth:`load`).
    """

    def __init__(self, *, secret: str | None = None, active: bool = True,
                 allowed_ips: str | Iterable[str] = "*", username: str = "demo",
                 ads: bool = False, is_super: bool = True, can_get: bool = True,
                 agents: Iterable[str] = DEFAULT_AGENTS, limits: Mapping[str, int] | None = None,
                 credits: Mapping[str, int] | None = None, seed: int = 0,
                 unreachable_share: float = 0.1, on_messenger: Iterable[str] = (),
                 not_on_messenger: Iterable[str] = (), blocked: Iterable[str] = (),
                 path: str | os.PathLike[str] | None = None) -> None:
        if not 0.0 <= unreachable_share <= 1.0:
            raise ValueError(f"unreachable_share must be within 0..1, got {unreachable_share!r}")
        unknown = set(credits or {}) - set(CREDIT_KINDS)
        if unknown:
            raise ValueError(f"unknown credit kinds {sorted(unknown)}; use {CREDIT_KINDS}")
        # Re-entrant: a handler may call helpers that take the lock again.
        self.lock = threading.RLock()
        self.path = Path(path) if path is not None else None
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
        self.dialogs: dict[str, dict[str, Any]] = {}
        self.reports: list[dict[str, Any]] = []
        self.next_ids: dict[str, int] = {"report": 1, "message": 1, "group": 1}
        # Not persisted: counts since this process started. Persisted: delivered per number.
        self.counts: Counter[str] = Counter()
        self.deliveries: Counter[str] = Counter()
        self.dirty = False

    # -- persistence -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str], **defaults: Any) -> State:
        """Read the state saved at ``path``, or create it from ``defaults`` when it is missing.

        An existing file wins over ``defaults`` (including the secret): a restarted process
        meets the state the killed one left.
        """
        file = Path(path)
        if not file.exists():
            state = cls(path=file, **defaults)
            state.save()
            return state
        data = json.loads(file.read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT:
            raise ValueError(f"{file}: not a simulator state file (format {data.get('format')})")
        account = data["account"]
        state = cls(
            secret=account["secret"], active=account["active"],
            allowed_ips=account["allowed_ips"], username=account["username"],
            ads=account["ads"], is_super=account["is_super"], can_get=account["can_get"],
            agents=(), limits=data["limits"], credits=data["credits"], seed=data["seed"],
            unreachable_share=data["unreachable_share"], on_messenger=data["on_messenger"],
            not_on_messenger=data["not_on_messenger"], blocked=data["blocked"], path=file,
        )
        state.agents = data["agents"]
        state.groups = data["groups"]
        state.dialogs = data["dialogs"]
        state.reports = data["reports"]
        state.next_ids = data["next_ids"]
        if "deliveries" in data:
            state.deliveries.update(data["deliveries"])
        else:  # files written before deliveries were kept: rebuild from per-number records
            for record in state.reports:
                if record.get("Delivered") is True and "Phone" in record:
                    state.deliveries[record["Phone"]] += 1
        return state

    def to_dict(self) -> dict[str, Any]:
        """Everything that survives a restart, as JSON-ready data (the secret included)."""
        with self.lock:
            return {
                "format": _FORMAT,
                "account": {"secret": self.secret, "active": self.active,
                            "allowed_ips": self.allowed_ips, "username": self.username,
                            "ads": self.ads, "is_super": self.is_super,
                            "can_get": self.can_get},
                "agents": self.agents, "limits": self.limits, "credits": self.credits,
                "seed": self.seed, "unreachable_share": self.unreachable_share,
                "on_messenger": sorted(self.reachable),
                "not_on_messenger": sorted(self.unreachable), "blocked": sorted(self.blocked),
                "groups": self.groups, "dialogs": self.dialogs, "reports": self.reports,
                "next_ids": self.next_ids, "deliveries": dict(self.deliveries),
            }

    def save(self) -> None:
        """Write the state to :attr:`path` atomically (no-op without a path)."""
        with self.lock:
            self.dirty = False
            if self.path is None:
                return
            text = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    @contextmanager
    def edit(self) -> Iterator[State]:
        """Change the state from Python (outside the service) and persist it afterwards.

        Example:
            >>> state = State()
            >>> with state.edit() as s:
            ...     s.credits["Message"] = 0
        """
        with self.lock:
            yield self
            self.save()

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

    # -- numbers, sends and history ----------------------------------------------------------

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
        """Add one report record (shaped by the dialect) to the log; the caller holds the lock."""
        self.reports.append(dict(record))
        self.dirty = True

    def recent_reports(self, count: int) -> list[dict[str, Any]]:
        """The newest ``count`` report records, newest first (copies)."""
        with self.lock:
            newest = self.reports[-count:] if count > 0 else []
            return [dict(record) for record in reversed(newest)]

    def report_count(self) -> int:
        """How many report records the log holds."""
        with self.lock:
            return len(self.reports)

    def add_history(self, phone: str, entry: Mapping[str, Any], now: datetime) -> None:
        """Append an outgoing message to the dialog with ``phone`` (created on first use)."""
        dialog = self.dialogs.setdefault(phone, {"Phone": phone, "Messages": [],
                                                 "ReadUpTo": 0})
        dialog["Messages"].append({"Id": self.next_id("message"), "Time": utc_iso(now),
                                   "Out": True, "Ads": self.ads, **entry})
        self.dirty = True

    def inspect(self) -> dict[str, Any]:
        """The inspection view: credits, counts and deliveries per number (never the secret)."""
        with self.lock:
            delivered = sum(self.deliveries.values())
            return {
                "credits": dict(self.credits),
                "counts": {
                    "requests": self.counts["requests"], "sends": self.counts["sends"],
                    "faults": self.counts["faults"], "reports": len(self.reports),
                    "delivered": delivered, "undelivered": self.counts["undelivered"],
                },
                "deliveries": dict(self.deliveries),
                "agents": self.agent_names(),
                "blocked": sorted(self.blocked),
                "groups": sorted(self.groups),
                "allowed_ips": ",".join(self.allowed_ips),
                "active": self.active,
            }

    def __repr__(self) -> str:
        # Never the secret.
        return (f"State(agents={self.agent_names()!r}, credits={self.credits!r}, "
                f"reports={len(self.reports)}, path={str(self.path) if self.path else None!r})")


def _ip_list(value: str | Iterable[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    cleaned = [item.strip() for item in items if item.strip()]
    return cleaned or ["*"]
