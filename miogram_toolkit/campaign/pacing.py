"""Pacing: a token bucket per agent, and the send window (quiet hours in a time zone).

**Rate.** Each agent may send ``rate_per_minute`` messages a minute. Its bucket holds at most one
chunk's worth of tokens and refills continuously; a chunk of *n* numbers waits until *n* tokens
are there. After the first chunk the long-run rate is exactly the configured one
(``benchmarks/bench_campaign.py`` measures it). The default, :data:`DEFAULT_RATE_PER_MINUTE`
= 20 a minute per agent (one message every 3 s), is a third of what the service's gateway itself
can do (it spends about 1 s on each number): messengers throttle accounts that message many
strangers quickly, and an agent lost to a flood ban costs more than a slower campaign.
``rate_per_minute=None`` turns pacing off (the gateway's own speed is then the limit).

**Window.** ``quiet_hours="22:00-08:00"`` (local time in ``tz``, default ``Asia/Tehran``) is when
nothing is sent; a window may wrap midnight. :meth:`QuietHours.wait_seconds` says how long until
sending may resume.

Example:
    >>> bucket = TokenBucket(rate_per_minute=60, capacity=10, now=0.0)
    >>> bucket.reserve(10, now=0.0)      # a full bucket: the first chunk goes at once
    0.0
    >>> bucket.reserve(10, now=0.0)      # the next 10 tokens take 10 s to refill
    10.0
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
    """A token bucket refilled at ``rate_per_minute / 60`` tokens a second, up to ``capacity``.

    :meth:`reserve` takes the tokens at once and returns how long the caller must wait before
    sending, so reservations made back to back are spaced exactly by the rate. Thread-safe.
    """

    def __init__(self, rate_per_minute: float, capacity: int, *, now: float) -> None:
        if not rate_per_minute > 0:
            raise ValueError(f"rate_per_minute: must be more than 0, got {rate_per_minute!r}")
        self.rate = float(rate_per_minute) / 60.0
        self.capacity = float(max(1, capacity))
        self._tokens = self.capacity
        self._at = now
        self._lock = threading.Lock()

    def reserve(self, count: int, *, now: float) -> float:
        """Take ``count`` tokens; return the seconds to wait before they are really there."""
        with self._lock:
            available = min(self.capacity, self._tokens + (now - self._at) * self.rate)
            self._at = now
            self._tokens = available - count  # may go negative: that debt is the wait
            return max(0.0, -self._tokens / self.rate)

    def peek(self, count: int, *, now: float) -> float:
        """The seconds :meth:`reserve` would make the caller wait, without taking anything."""
        with self._lock:
            available = min(self.capacity, self._tokens + (now - self._at) * self.rate)
            return max(0.0, (count - available) / self.rate)

    def give_back(self, count: int) -> None:
        """Return tokens of a reservation that sent nothing (a refused or unsent request)."""
        with self._lock:
            self._tokens = min(self.capacity, self._tokens + count)


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
