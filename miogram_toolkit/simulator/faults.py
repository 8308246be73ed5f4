"""Seeded fault injection: what can go wrong between a client and the service.

Kinds (:data:`FAULT_KINDS`):

``999``
    The service answers ``999 No Response From Server`` before doing anything.
``http502``
    An HTML "502 Bad Gateway" page (a proxy in front of the service); nothing is done.
``drop_before``
    The connection is closed before the request is processed: no answer, nothing done.
``lost_answer``
    The request is processed — delivered, charged, logged — and then the connection is closed
    without an answer. The ambiguous case: the client cannot know what happened.
``late_answer``
    Processed, and the answer is sent only after ``late_answer_s`` seconds, after a typical
    client has given up. In-process (no socket) it raises ``TimeoutError`` at once.
``bad_json``
    Processed, and the answer arrives cut in half (not valid JSON). Also ambiguous.
``999_after``
    Processed — delivered — and then answered ``999 No Response From Server``, as the
    implementation's endpoint does when it gives up waiting for its gateway: the numbers are
    sent but **not charged and not logged**. Ambiguous.
``proxy_after``
    Processed — delivered, charged, logged — and then a proxy in front of the service answers
    its own HTML page instead (502 Bad Gateway or 504 Gateway Time-out, one after the other).
    Ambiguous: the page says nothing about the request behind it.
``gateway_306``
    The agent gateway answers ``{"Message":"Error 306 : Low Credit","Status":"error"}`` (no
    ``Code``; ``text/html``) before anything is sent: what the service's implementation answers
    once overlapping requests have corrupted an agent's credit file. Nothing is done.

Which request gets which fault depends only on the seed and the request's position in the
sequence (request *n* draws from ``sha256(seed|n)``), so the same seed and the same requests give
the same faults. :meth:`FaultPlan.queue` forces the next requests' faults for tests.

Example:
    >>> plan = FaultPlan(rate=0.5, seed=3)
    >>> first = [plan.draw() for _ in range(6)]
    >>> again = FaultPlan(rate=0.5, seed=3)
    >>> first == [again.draw() for _ in range(6)]
    True
    >>> plan.queue("lost_answer")
    >>> plan.draw()
    'lost_answer'
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, deque
from collections.abc import Iterable

__all__ = ["AMBIGUOUS_KINDS", "FAULT_KINDS", "FaultPlan", "parse_kinds"]

FAULT_KINDS: tuple[str, ...] = ("999", "http502", "drop_before", "lost_answer", "late_answer",
                                "bad_json", "gateway_306", "999_after", "proxy_after")
#: Kinds after which the request has been processed although the client got no usable answer.
AMBIGUOUS_KINDS = frozenset({"lost_answer", "late_answer", "bad_json", "999_after",
                             "proxy_after"})


def parse_kinds(value: str | Iterable[str]) -> tuple[str, ...]:
    """Read fault kinds from a comma-separated string or an iterable; "all" means every kind.

    Raises:
        ValueError: an unknown kind.
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    kinds = tuple(item.strip() for item in items if item.strip())
    if kinds == ("all",):
        return FAULT_KINDS
    unknown = [kind for kind in kinds if kind not in FAULT_KINDS]
    if unknown:
        raise ValueError(f"unknown fault kinds {unknown}; choose from {', '.join(FAULT_KINDS)}")
    return kinds


class FaultPlan:
    """Decides, request by request, whether and how the next answer goes wrong.

    Args:
        rate: the share (0..1) of requests that meet a fault.
        kinds: the kinds to choose from (default: all of :data:`FAULT_KINDS`).
        seed: makes the sequence of faults repeatable.
        late_answer_s: how long a ``late_answer`` waits before answering.

    Attributes:
        history: ``(request_number, kind)`` for every fault handed out, in order.
        counts: how many faults of each kind were handed out.
    """

    def __init__(self, rate: float = 0.0, kinds: str | Iterable[str] = FAULT_KINDS,
                 seed: int = 0, late_answer_s: float = 35.0) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be within 0..1, got {rate!r}")
        self.rate = float(rate)
        self.kinds = parse_kinds(kinds)
        if self.rate > 0 and not self.kinds:
            raise ValueError("a fault rate needs at least one fault kind")
        self.seed = int(seed)
        self.late_answer_s = float(late_answer_s)
        self.history: list[tuple[int, str]] = []
        self.counts: Counter[str] = Counter()
        self._queued: deque[str | None] = deque()
        self._next = 0
        self._lock = threading.Lock()

    def queue(self, *kinds: str | None) -> None:
        """Force the faults of the next requests, in order (None = no fault for that one)."""
        for kind in kinds:
            if kind is not None and kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._queued.extend(kinds)

    def clear(self) -> None:
        """Drop queued faults and stop random ones (rate 0)."""
        with self._lock:
            self._queued.clear()
            self.rate = 0.0

    def draw(self) -> str | None:
        """The fault for the next request, or None; every call is one request."""
        with self._lock:
            number = self._next
            self._next += 1
            kind: str | None
            if self._queued:
                kind = self._queued.popleft()
            elif self.rate > 0 and self.kinds:
                digest = hashlib.sha256(f"{self.seed}|fault|{number}".encode()).digest()
                hit = int.from_bytes(digest[:8], "big") / 2**64 < self.rate
                kind = self.kinds[int.from_bytes(digest[8:16], "big") % len(self.kinds)] \
                    if hit else None
            else:
                kind = None
            if kind is not None:
                self.history.append((number, kind))
                self.counts[kind] += 1
            return kind

    def drawn(self, kind: str) -> int:
        """How many faults of ``kind`` were handed out so far."""
        with self._lock:
            return self.counts[kind]

    def __repr__(self) -> str:
        return f"FaultPlan(rate={self.rate!r}, kinds={self.kinds!r}, seed={self.seed!r})"
