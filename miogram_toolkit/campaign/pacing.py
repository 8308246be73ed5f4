"""Pacing: a token bucket per agent, and the send window (quiet hours in a time zone).

**Rate.** Each agent may send ``rate_per_minute`` messages a minute, and a request of *n* numbers
uses *n* of them: after it, the agent's next request waits *n* × 60 / ``rate_per_minute`` seconds
("a chunk of 40 every 2 minutes per agent at 20 a minute"; one personalised message every 3 s).
The first request of a run goes at once and nothing is saved up beyond it, so a run never opens
with a burst (a bucket that started full at the chunk size sent 34–36 one-number requests per
agent in the first two seconds at 20 a minute). The default, :data:`DEFAULT_RATE_PER_MINUTE`
= 20 a minute per agent (one message every 3 s), is a third of what the service's gateway itself
can do (it spends about 1 s on each number): messengers throttle accounts that message many
strangers quickly, and an agent lost to a flood ban costs more than a slower campaign.
``rate_per_minute=None`` turns pacing off (the gateway's own speed is then the limit).

**Window.** ``quiet_hours="22:00-08:00"`` (local time in ``tz``, default ``Asia/Tehran``) is when
nothing is sent; a window may wrap midnight. :meth:`QuietHours.wait_seconds` says how long until
sending may resume.

Example:
    >>> bucket = TokenBucket(rate_per_minute=60, now=0.0)
    >>> bucket.reserve(10, now=0.0)      # the first request goes at once
    0.0
    >>> bucket.reserve(10, now=0.0)      # the next waits for the 10 numbers sent: 10 s
    10.0
    >>> bucket.reserve(1, now=100.0)     # idle time saves nothing up: no burst
    0.0
    >>> bucket.reserve(1, now=100.0)
    1.0
    >>> quiet = QuietHours.parse("22:00-08:00", "Asia/Tehran")
    >>> from datetime import datetime, timezone
    >>> quiet.wait_seconds(datetime(2026, 1, 1, 19, 0, tzinfo=timezone.utc))   # 22:30 Tehran
    34200.0
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DEFAULT_RATE_PER_MINUTE", "QuietHours", "TokenBucket"]

#: Messages per minute per agent when the caller does not say (one every 3 s).
DEFAULT_RATE_PER_MINUTE = 20.0


class TokenBucket:
    """One agent's pace: ``rate_per_minute`` numbers a minute, with no burst.

    :meth:`reserve` books the next slot at once and returns how long the caller must wait before
    sending, so reservations made back to back are spaced exactly by the rate. Thread-safe.
    """

    def __init__(self, rate_per_minute: float, *, now: float) -> None:
        if not rate_per_minute > 0:
            raise ValueError(f"rate_per_minute: must be more than 0, got {rate_per_minute!r}")
        self.rate = float(rate_per_minute) / 60.0
        self._next = now  # when the next request may leave
        self._lock = threading.Lock()

    def reserve(self, count: int, *, now: float) -> float:
        """Book a request of ``count`` numbers; return the seconds to wait before it leaves."""
        with self._lock:
            start = max(now, self._next)
            self._next = start + count / self.rate
            return start - now

    def peek(self, count: int, *, now: float) -> float:
        """The seconds :meth:`reserve` would make the caller wait, without booking anything."""
        with self._lock:
            return max(0.0, self._next - now)

    def give_back(self, count: int) -> None:
        """Undo the booking of a request that sent nothing (refused, or never left)."""
        with self._lock:
            self._next -= count / self.rate


_WINDOW = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")


@dataclass(frozen=True)
class QuietHours:
    """Local hours during which nothing is sent (``start`` inclusive, ``end`` exclusive)."""

    start: time
    end: time
    tz: ZoneInfo

    @classmethod
    def parse(cls, value: str | tuple[str, str], tz: str = "Asia/Tehran") -> QuietHours:
        """Read ``"22:00-08:00"`` or ``("22:00", "08:00")`` in the time zone ``tz``.

        Raises:
            ValueError: not two HH:MM times, equal times, or an unknown time zone.
        """
        text = "-".join(value) if isinstance(value, tuple) else str(value)
        match = _WINDOW.fullmatch(text)
        if not match:
            raise ValueError(f"quiet_hours: expected 'HH:MM-HH:MM' such as '22:00-08:00', "
                             f"got {text!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"quiet_hours: {text!r} is not a time of day")
        start, end = time(h1, m1), time(h2, m2)
        if start == end:
            raise ValueError(f"quiet_hours: {text!r} starts and ends at the same time")
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"tz: unknown time zone {tz!r} (use a name such as "
                             "'Asia/Tehran')") from None
        return cls(start, end, zone)

    def is_quiet(self, moment: datetime) -> bool:
        """True when ``moment`` (aware) falls in the quiet hours."""
        local = moment.astimezone(self.tz).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def wait_seconds(self, moment: datetime) -> float:
        """Seconds from ``moment`` until the quiet hours end (0 outside them)."""
        if not self.is_quiet(moment):
            return 0.0
        local = moment.astimezone(self.tz)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        # Wall-clock arithmetic in UTC, so a DST change inside the window is counted right.
        return (end.astimezone(self.tz).timestamp() - local.timestamp())

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M} {self.tz.key}"
