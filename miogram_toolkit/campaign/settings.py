"""A campaign's settings, checked in one place: :class:`CampaignSettings`.

Every option of :class:`~miogram_toolkit.campaign.core.Campaign` other than the sheet, the
message and the client lives here, with its default and its check. ``Campaign(frame, message,
**options)`` builds one with :meth:`CampaignSettings.from_options`; an unknown option or a bad
value is refused in one sentence naming the option (and the nearest known one for a typo).

Example:
    >>> s = CampaignSettings.from_options(chunk_size=30, rate_per_minute=None,
    ...                                   quiet_hours="22:00-08:00", not_within="7d")
    >>> s.chunk_size, s.rate_per_minute, str(s.quiet_hours), s.not_within
    (30, None, '22:00-08:00 Asia/Tehran', 604800.0)
    >>> CampaignSettings.from_options(chunk_sise=30)
    Traceback (most recent call last):
    ...
    ValueError: chunk_sise: not an option of a campaign (did you mean chunk_size?)
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from miogram_toolkit.campaign.pacing import DEFAULT_RATE_PER_MINUTE, QuietHours
from miogram_toolkit.campaign.runner import Settings

__all__ = ["DEFAULT_CHUNK", "MAX_CHUNK", "MAX_PACED_CHUNK", "CampaignSettings", "parse_span"]

#: Numbers per Mass request by default: what the service's publisher uses in its own sender.
DEFAULT_CHUNK = 40
#: The most numbers per Mass request the gateway paces (Telegram texts and files): at its ~1 s
#: a number, a request must end well inside the endpoint's 60 s wait for the gateway, or the
#: service answers 999 while the gateway goes on sending.
MAX_PACED_CHUNK = 50
#: The most numbers per Mass request that the service answers at once (WhatsApp; the document's
#: advice).
MAX_CHUNK = 100
#: How long "messaged recently" lasts when a new campaign meets numbers in the ledger.
RECENT_SECONDS = 24 * 3600.0

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_CHOICES = {"on_quiet": ("wait", "stop"), "on_unknown": ("reconcile", "resend", "skip")}


def parse_span(value: Any, name: str = "not_within") -> float:
    """Seconds from ``"7d"``, ``"12h"``, ``"90m"``, ``"30s"``, ``"2w"`` or a number of seconds.

    Example:
        >>> parse_span("7d"), parse_span("36h"), parse_span(60)
        (604800.0, 129600.0, 60.0)
    """
    if isinstance(value, bool):
        raise ValueError(f"{name}: give a span such as 7d, 12h or 90m, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        found = _SPAN.match(str(value).lower())
        if not found:
            raise ValueError(f"{name}: give a span such as 7d, 12h or 90m, got {value!r}")
        seconds = float(found.group(1)) * _UNITS[found.group(2)]
    if not seconds > 0:
        raise ValueError(f"{name}: the span must be more than 0, got {value!r}")
    return seconds


def _whole(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name}: must be a whole number of {low} or more, got {value!r}")
    return value


@dataclass(frozen=True)
class CampaignSettings:
    """How a campaign runs. See :class:`~miogram_toolkit.campaign.core.Campaign` for each.

    Attributes:
        chunk_size: numbers per Mass request (1..50 when the gateway paces the send, up to 100
            over WhatsApp; checked against the content by :meth:`chunk_limit`).
        rate_per_minute: messages a minute per agent; None: no pacing.
        robots: the agents to rotate over (None: every agent of the account).
        quiet_hours: when nothing is sent (parsed in ``tz``).
        tz: the time zone of ``quiet_hours``.
        on_quiet: ``"wait"`` or ``"stop"``.
        on_unknown: ``"reconcile"``, ``"resend"`` (explicit: some may receive it twice) or
            ``"skip"``.
        max_in_flight: parallel lanes, one agent each.
        region: the region of numbers written without a country code.
        column: the phone column of an uncleaned sheet (found when None).
        timeout_base, timeout_per_number: a request's read timeout, handed to each call.
        breaker: pause after this many failed requests in a row.
        backoff: the first pause before a failed chunk is tried again (it doubles).
        durable: force each ``in_flight`` commit to disk (None: decided from the service).
        journal: the journal file (None: named from the campaign's identity in the user's data
            folder; ``":memory:"``: kept in the object only).
        name: names the campaign explicitly (its identity, instead of its message).
        new_campaign: send even to numbers this account messaged recently in another campaign.
        skip_recent: leave such numbers out (reason ``recently_messaged``).
        not_within: leave out numbers messaged within this many seconds (``"7d"`` accepted);
            implies ``skip_recent``.
        ignore_reply_opt_outs: send to numbers that opted out by a reply.
    """

    chunk_size: int = DEFAULT_CHUNK
    rate_per_minute: float | None = DEFAULT_RATE_PER_MINUTE
    robots: tuple[str, ...] | None = None
    quiet_hours: QuietHours | None = None
    tz: str = "Asia/Tehran"
    on_quiet: str = "wait"
    on_unknown: str = "reconcile"
    max_in_flight: int = 1
    region: str = "IR"
    column: str | None = None
    timeout_base: float = 15.0
    timeout_per_number: float = 1.5
    breaker: int = 5
    backoff: float = 2.0
    durable: bool | None = None
    journal: str | None = None
    name: str | None = None
    new_campaign: bool = False
    skip_recent: bool = False
    not_within: float | None = None
    ignore_reply_opt_outs: bool = False

    @classmethod
    def from_options(cls, **options: Any) -> CampaignSettings:
        """Check every option once and build the settings (see the module docstring).

        Raises:
            ValueError: an unknown option, or a value it cannot take (one sentence).
        """
        known = [f.name for f in dataclasses.fields(cls)]
        for key in options:
            if key not in known:
                near = difflib.get_close_matches(key, known, n=1)
                hint = f" (did you mean {near[0]}?)" if near else ""
                raise ValueError(f"{key}: not an option of a campaign{hint}")
        values = {**{f.name: f.default for f in dataclasses.fields(cls)}, **options}
        rate = values["rate_per_minute"]
        if rate is not None and (isinstance(rate, bool) or not float(rate) > 0):
            raise ValueError(f"rate_per_minute: must be more than 0 (or None for no pacing), "
                             f"got {rate!r}")
        robots = values["robots"]
        if isinstance(robots, str):
            robots = [r.strip() for r in robots.split(",") if r.strip()]
        quiet = values["quiet_hours"]
        if quiet is not None and not isinstance(quiet, QuietHours):
            quiet = QuietHours.parse(str(quiet), values["tz"])
        for key, choices in _CHOICES.items():
            if values[key] not in choices:
                raise ValueError(f"{key}: must be one of {', '.join(map(repr, choices))}, "
                                 f"got {values[key]!r}")
        for key, floor in (("timeout_base", "more than 0"), ("timeout_per_number", "0 or more"),
                           ("backoff", "0 or more")):
            value = values[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 \
                    or (key == "timeout_base" and value == 0):
                raise ValueError(f"{key}: must be {floor} seconds, got {value!r}")
        name = values["name"]
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise ValueError(f"name: give the campaign a name in words, got {name!r}")
        within = values["not_within"]
        if within is not None:
            within = parse_span(within)
        if values["new_campaign"] and (values["skip_recent"] or within is not None):
            raise ValueError("new_campaign: sends to recently messaged numbers, skip_recent / "
                             "not_within leave them out; choose one")
        journal = values["journal"]
        return cls(
            chunk_size=_whole("chunk_size", values["chunk_size"], 1),
            rate_per_minute=float(rate) if rate is not None else None,
            robots=tuple(robots) if robots else None, quiet_hours=quiet, tz=str(values["tz"]),
            on_quiet=values["on_quiet"], on_unknown=values["on_unknown"],
            max_in_flight=_whole("max_in_flight", values["max_in_flight"], 1),
            region=str(values["region"]), column=values["column"],
            timeout_base=float(values["timeout_base"]),
            timeout_per_number=float(values["timeout_per_number"]),
            breaker=_whole("breaker", values["breaker"], 1), backoff=float(values["backoff"]),
            durable=values["durable"], journal=str(journal) if journal is not None else None,
            name=name.strip() if name else None, new_campaign=bool(values["new_campaign"]),
            skip_recent=bool(values["skip_recent"]) or within is not None, not_within=within,
            ignore_reply_opt_outs=bool(values["ignore_reply_opt_outs"]))

    @property
    def recent_seconds(self) -> float:
        """How far back the ledger counts a number as messaged recently."""
        return self.not_within if self.not_within is not None else RECENT_SECONDS

    @staticmethod
    def chunk_limit(*, whatsapp: bool) -> int:
        """The most numbers a request may carry: 50 when the gateway paces it, 100 otherwise."""
        return MAX_CHUNK if whatsapp else MAX_PACED_CHUNK

    def for_runner(self) -> Settings:
        """What the runner reads of these settings."""
        return Settings(chunk_size=self.chunk_size, rate_per_minute=self.rate_per_minute,
                        robots=list(self.robots) if self.robots else None,
                        quiet_hours=self.quiet_hours, on_quiet=self.on_quiet,
                        on_unknown=self.on_unknown, max_in_flight=self.max_in_flight,
                        timeout_base=self.timeout_base,
                        timeout_per_number=self.timeout_per_number, breaker=self.breaker,
                        backoff=self.backoff)

    def to_json(self) -> str:
        """The settings as the journal keeps them (never a secret: there is none here)."""
        values = dataclasses.asdict(self)
        values["quiet_hours"] = str(self.quiet_hours) if self.quiet_hours else None
        return json.dumps(values, ensure_ascii=False, default=str)
