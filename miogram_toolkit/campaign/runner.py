"""The sending engine: lanes over agents, paced chunks, outcomes, reconciliation, the archive.

::

    journal ──pending chunks──► queue ──► lane ──(agent, bucket, window)──► one Mass request
       ▲                          ▲                                              │
       │ in_flight before it      │ 306 (another agent) / retryable (backoff)     │
       │ leaves; outcome as soon  │ / proven unsent after reconciling             ▼
       └──── as it returns ───────┴──────── unknown ◄── no answer ◄──────────── answer map

By default one lane rotates over every agent, so one request is in flight per account (the
service's own implementation corrupts an agent's credit under overlapping requests);
``max_in_flight=N`` opens N lanes, one agent each (agents beyond N wait their turn in lane
order).

What each outcome does (the issue's table, and our readings):

==============================  ================================================================
answer map                      true → ``delivered``; false → ``failed`` (``not_on_messenger``)
307                             the chunk ``failed`` (``bad_number``)
gateway ``Error 306``           nothing was sent: the chunk goes back for another agent and this
                                agent is rested for the rest of the run; all agents rested →
                                **pause** (rows stay pending, never failed)
305 No Credit                   **pause**, saying how many credits are missing
303/304/400, 800/801/802/815,   **stop** (pause with the reason); rows stay pending
826/827, 309, 302/812/330/301
999/813/814, connect errors,    back in the queue after a backoff; counts toward the circuit
an unrecognised error           breaker (``breaker`` failed requests in a row → **pause**)
no answer / malformed answer    ``unknown``; reconciled against the report archive once the
                                request cannot still be running (its deadline), then delivered,
                                failed, or back in the queue
==============================  ================================================================
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from miogram_toolkit.campaign.harvest import Harvester
from miogram_toolkit.campaign.journal import Journal, OpenRequest
from miogram_toolkit.campaign.pacing import QuietHours, TokenBucket
from miogram_toolkit.campaign.plan import Content
from miogram_toolkit.protocol.encode import mask_phone
from miogram_toolkit.protocol.errors import (
    APIError,
    BadNumber,
    BadResponse,
    DeliveryUnknown,
    MioGramError,
    ResponseTimeout,
)

__all__ = ["Runner", "Settings"]

logger = logging.getLogger("miogram_toolkit.campaign")

#: Codes after which nothing more is sent until the user acts (the reason is shown).
STOP_CODES = frozenset({303, 304, 400, 800, 801, 802, 815, 826, 827, 309, 302, 812, 330, 301})
#: The longest backoff pause between two tries of a chunk.
MAX_BACKOFF = 60.0
_GATEWAY_306 = re.compile(r"\b306\b")
_DELIVERED: tuple[str, str | None] = ("delivered", None)
_NOT_ON_MESSENGER: tuple[str, str | None] = ("failed", "not_on_messenger")


@dataclass
class Settings:
    """How a run behaves; see :class:`~miogram_toolkit.campaign.core.Campaign` for each."""

    chunk_size: int = 40
    rate_per_minute: float | None = 20.0
    robots: list[str] | None = None
    quiet_hours: QuietHours | None = None
    on_quiet: str = "wait"
    on_unknown: str = "reconcile"
    max_in_flight: int = 1
    timeout_base: float = 15.0
    timeout_per_number: float = 1.5
    breaker: int = 5
    backoff: float = 2.0


@dataclass
class Chunk:
    chunk: int
    text_id: int | None
    rows: list[tuple[int, str]]


@dataclass
class _Unsettled:
    request: OpenRequest
    deadline: float


@dataclass
class _Lane:
    agents: list[str]
    turn: int = 0


@dataclass
class Outcome:
    """How a run ended: ``finished`` or ``paused`` with the reason (one sentence)."""

    state: str
    reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


class Runner:
    """Runs one campaign journal to completion or to a pause.

    Args:
        journal: the campaign's journal (created and checked by the caller).
        client: the MioGram client.
        content: what is sent.
        settings: pacing, lanes, timeouts and policies.
        agents: the agents to rotate over (checked by preflight).
        progress: a tqdm-like bar (``update``, ``set_postfix_str``) or None.
        sleep, now, monotonic: clocks (tests pass fakes).
    """

    def __init__(self, journal: Journal, client: Any, content: Content, settings: Settings,
                 agents: list[str], *, progress: Any = None,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.journal = journal
        self.client = client
        self.content = content
        self.settings = settings
        self.agents = list(agents)
        self.progress = progress
        self._sleep = sleep
        self._now = now
        self._mono = monotonic
        self.texts = journal.texts()
        self._lock = threading.RLock()
        self._reconcile_lock = threading.Lock()
        self._stop = threading.Event()
        self._reason: str | None = None
        self._queue: deque[Chunk] = deque()
        self._unsettled: list[_Unsettled] = []
        self._benched: set[str] = set()
        self._failures = 0
        self.archive = Harvester(journal, client)
        self._tally = dict(journal.counts())
        self._rng = random.Random()
        rate = settings.rate_per_minute
        start = monotonic()
        self._buckets = {agent: TokenBucket(rate, settings.chunk_size, now=start)
                         for agent in self.agents} if rate else {}
        self._retries = int(getattr(client, "retries", 0))
        backoff = float(getattr(client, "backoff", 0.0))
        self._pauses = sum(min(30.0, backoff * 2 ** k) for k in range(self._retries))

    def read_timeout(self, numbers: int) -> float:
        """The client's read timeout for a send naming ``numbers`` numbers."""
        measure = getattr(self.client, "read_timeout", None)
        if callable(measure):
            return float(measure(numbers))
        return float(getattr(self.client, "timeout", 30.0))

    def settle_after(self, numbers: int) -> float:
        """How long after it left a request may still be running at the service: every try
        the client makes, each up to its read timeout, and the pauses between them."""
        return (self._retries + 1) * self.read_timeout(numbers) + self._pauses

    # -- public --------------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Send every pending row; reconcile; return how the run ended."""
        self._harvest()
        for request in self.journal.open_requests():
            self._unknown(request, request.deadline, note="interrupted: no outcome recorded")
        self._refill()
        while not self._stop.is_set():
            self._run_lanes()
            if self._stop.is_set():
                break
            if not self._unsettled:
                self._refill()
                if not self._queue:
                    break
                continue
            self._settle_due(wait=True)
            self._refill()
        self._harvest()
        return self._outcome()

    # -- the queue -----------------------------------------------------------------------------

    def _refill(self) -> None:
        with self._lock:
            queued = {c.chunk for c in self._queue}
            for chunk, text_id, rows in self.journal.pending_chunks():
                if chunk not in queued:
                    self._queue.append(Chunk(chunk, text_id, rows))

    def _take(self) -> Chunk | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def _put_back(self, chunk: Chunk) -> None:
        with self._lock:
            self._queue.appendleft(chunk)

    # -- lanes ---------------------------------------------------------------------------------

    def _lanes(self) -> list[_Lane]:
        active = [a for a in self.agents if a not in self._benched]
        count = max(1, min(self.settings.max_in_flight, len(active)))
        return [_Lane(active[i::count]) for i in range(count)] if active else []

    def _run_lanes(self) -> None:
        lanes = self._lanes()
        if not lanes:
            self._pause_all_benched()
            return
        if len(lanes) == 1:
            self._lane(lanes[0])
            return
        errors: list[BaseException] = []

        def work(lane: _Lane) -> None:
            try:
                self._lane(lane)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                errors.append(exc)
                self._stop.set()

        threads = [threading.Thread(target=work, args=(lane,), daemon=True,
                                    name=f"miogram-lane-{i}") for i, lane in enumerate(lanes)]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except BaseException:
            # Ctrl-C in a notebook: no lane may go on sending once the caller has stopped.
            self._stop.set()
            for thread in threads:
                thread.join()
            raise
        if errors:
            raise errors[0]

    def _lane(self, lane: _Lane) -> None:
        try:
            self._lane_loop(lane)
        finally:
            self.journal.flush()

    def _lane_loop(self, lane: _Lane) -> None:
        while not self._stop.is_set():
            self._settle_due(wait=False)
            if self.archive.due():
                self._harvest()
            chunk = self._take()
            if chunk is None:
                return
            agent = self._pick(lane, len(chunk.rows))
            if agent is None:
                self._put_back(chunk)
                if not [a for a in self.agents if a not in self._benched]:
                    self._pause_all_benched()
                return
            if not self._window_open():
                self._put_back(chunk)
                return
            if self._buckets:
                wait = self._buckets[agent].reserve(len(chunk.rows), now=self._mono())
                if wait > 0 and not self._wait(wait, f"pacing {agent}"):
                    self._buckets[agent].give_back(len(chunk.rows))
                    self._put_back(chunk)
                    return
            self._send(chunk, agent)

    def _pick(self, lane: _Lane, size: int) -> str | None:
        """The lane's next agent in rotation, preferring one whose bucket is ready."""
        with self._lock:
            count = len(lane.agents)
            order = [lane.agents[(lane.turn + i) % count] for i in range(count)]
            order = [a for a in order if a not in self._benched]
            if not order:
                return None
            choice = order[0]
            if self._buckets:
                now = self._mono()
                choice = min(order, key=lambda a: (self._buckets[a].peek(size, now=now),
                                                   order.index(a)))
            lane.turn = (lane.agents.index(choice) + 1) % count
            return choice

    # -- waiting -------------------------------------------------------------------------------

    def _wait(self, seconds: float, why: str) -> bool:
        """Sleep ``seconds`` in short steps; False when the run was stopped meanwhile."""
        self.journal.flush()  # no outcome waits for a wait to end
        self._show(wait=f"{why} {seconds:.0f}s" if seconds >= 1 else None)
        end = self._mono() + seconds
        while not self._stop.is_set():
            left = end - self._mono()
            if left <= 0:
                break
            self._sleep(min(left, 0.5))
        self._show(wait=None)
        return not self._stop.is_set()

    def _window_open(self) -> bool:
        quiet = self.settings.quiet_hours
        if quiet is None:
            return True
        wait = quiet.wait_seconds(self._now())
        if wait <= 0:
            return True
        if self.settings.on_quiet == "stop":
            self._pause(f"quiet hours ({quiet}): sending stopped with everything saved; run "
                        "the campaign again after they end to resume")
            return False
        logger.info("quiet hours (%s): waiting %.0f s", quiet, wait)
        return self._wait(wait, "quiet hours")

    # -- one request ---------------------------------------------------------------------------

    def _call(self, numbers: list[str], text: str | None, agent: str) -> dict[str, bool]:
        client, content = self.client, self.content
        if content.kind == "text":
            assert text is not None
            if content.whatsapp:
                return dict(client.send_message_whatsapp_mass(numbers, text, robot=agent))
            return dict(client.send_message_mass(numbers, text, robot=agent))
        method = getattr(client, f"send_{content.kind}_mass")
        return dict(method(numbers, content.data, extension=content.extension, robot=agent))

    def _send(self, chunk: Chunk, agent: str) -> None:
        numbers = [e164 for _, e164 in chunk.rows]
        text = self.texts.get(chunk.text_id) if chunk.text_id is not None else None
        phones = ",".join(numbers)  # the Phone field as the client sends it (checked there)
        started = time.time()
        watermark = self.journal.watermark()
        deadline = started + self.settle_after(len(numbers))
        request = self.journal.begin_request(
            chunk.rows, chunk=chunk.chunk, agent=agent, func=self.content.func, phones=phones,
            text_id=chunk.text_id, deadline=deadline, watermark=watermark)
        sent = OpenRequest(request, chunk.chunk, agent, self.content.func, phones,
                           chunk.text_id, started, deadline, watermark, list(chunk.rows))
        self.archive.sent(len(numbers))
        try:
            answer = self._call(numbers, text, agent)
        except (DeliveryUnknown, ResponseTimeout) as exc:
            # A read timeout: the service may still be working on it for a while.
            self._ambiguous(sent, time.time() + self.read_timeout(len(numbers)), exc)
            return
        except BadResponse as exc:
            # An answer came, so the service is done with the request.
            self._ambiguous(sent, time.time(), exc)
            return
        except APIError as exc:
            self._refused(request, chunk, agent, exc)
            return
        except MioGramError as exc:  # the request never left (ConnectError)
            self._retry_later(request, chunk, agent, f"{type(exc).__name__}: {exc}")
            return
        outcomes = {row: _DELIVERED if answer.get(e164) else _NOT_ON_MESSENGER
                    for row, e164 in chunk.rows}
        # Committed with the next chunk's in_flight (it leaves right after), or at the next
        # wait, harvest or stop: see the journal's docstring.
        self.journal.settle(request, outcomes, request_state="answered", defer=True)
        with self._lock:
            self._failures = 0
        ok = sum(1 for outcome in outcomes.values() if outcome is _DELIVERED)
        if logger.isEnabledFor(logging.INFO):
            logger.info("chunk %d (%d numbers, first %s) via %s: %d delivered, %d failed",
                        chunk.chunk, len(numbers), mask_phone(numbers[0]), agent, ok,
                        len(numbers) - ok)
        self._advance(delivered=ok, failed=len(numbers) - ok)

    def _ambiguous(self, request: OpenRequest, deadline: float, exc: Exception) -> None:
        note = f"{type(exc).__name__}: no usable answer"
        self.journal.settle(request.id, {row: ("unknown", "no_answer")
                                         for row, _ in request.rows},
                            request_state="unknown", note=note)
        self._tally["unknown"] += len(request.rows)
        logger.warning("chunk %d via %s: %s; its outcome will be reconciled", request.chunk,
                       request.agent, note)
        self._unknown(request, deadline, note=None)
        self._count_failure(note)

    def _refused(self, request: int, chunk: Chunk, agent: str, exc: APIError) -> None:
        code = exc.code
        text = f"{exc.message}" + (f" ({code})" if code else "")
        if code is None and _GATEWAY_306.search(exc.message or ""):
            code = 306
        # 306 from the public endpoint itself (the document's reading: the account's credit is
        # low) is a credit problem; from the agent's gateway it is that agent's own.
        if code == 306 and getattr(exc, "source", "gateway") == "service" \
                and "error" not in (exc.message or "").lower():
            code = 305
        if isinstance(exc, BadNumber) or code == 307:
            self.journal.settle(request, {row: ("failed", "bad_number") for row, _ in chunk.rows},
                                request_state="answered", note=text)
            self._advance(failed=len(chunk.rows))
            return
        self._back_to_pending(request, chunk, text)
        if self._buckets:
            self._buckets[agent].give_back(len(chunk.rows))
        if code == 306:
            with self._lock:
                self._benched.add(agent)
            logger.warning("agent %s answered %s: nothing sent; it rests for the rest of the "
                           "run and the chunk goes to another agent", agent, text)
            self.journal.event("agent_rested", f"{agent}: {text}")
            self._put_back(chunk)
            if not [a for a in self.agents if a not in self._benched]:
                self._pause_all_benched()
            return
        if code == 305:
            self._pause(self._credit_sentence())
            return
        if code in STOP_CODES:
            self._pause(f"the service refused the campaign's request with {text}; fix that, "
                        "then run the campaign again to resume")
            return
        self._put_back(chunk)
        self._count_failure(text)

    def _retry_later(self, request: int, chunk: Chunk, agent: str, why: str) -> None:
        self._back_to_pending(request, chunk, why)
        if self._buckets:
            self._buckets[agent].give_back(len(chunk.rows))
        self._put_back(chunk)
        self._count_failure(why)

    def _back_to_pending(self, request: int, chunk: Chunk, note: str) -> None:
        self.journal.settle(request, {row: ("pending", None) for row, _ in chunk.rows},
                            request_state="refused", note=note)

    def _count_failure(self, why: str) -> None:
        with self._lock:
            self._failures += 1
            failures = self._failures
        if failures >= self.settings.breaker:
            self._pause(f"{failures} requests in a row failed (the last: {why}); the "
                        "service may be down — run the campaign again later to resume")
            return
        bound = min(MAX_BACKOFF, self.settings.backoff * 2 ** (failures - 1))
        self._wait(self._rng.uniform(bound / 2, bound), "backoff")

    # -- unknown outcomes ----------------------------------------------------------------------

    def _unknown(self, request: OpenRequest, deadline: float, note: str | None) -> None:
        policy = self.settings.on_unknown
        if note is not None:
            self.journal.settle(request.id, {row: ("unknown", "no_answer")
                                             for row, _ in request.rows},
                                request_state="unknown", note=note)
        if policy == "resend":
            self.journal.settle(request.id, {row: ("pending", None) for row, _ in request.rows},
                                request_state="resent", note="on_unknown='resend'")
            return
        if policy == "skip":
            self.journal.settle(request.id, {row: ("unknown", "unknown_skipped")
                                             for row, _ in request.rows},
                                request_state="skipped", note="on_unknown='skip'")
            self._advance(unknown=len(request.rows))
            return
        with self._lock:
            self._unsettled.append(_Unsettled(request, deadline))
        self._show()

    def _settle_due(self, *, wait: bool) -> None:
        """Reconcile the unknown requests whose deadline has passed (wait for them if asked)."""
        if not self._unsettled:
            return
        if wait:
            latest = max(u.deadline for u in self._unsettled)
            left = latest - time.time()
            if left > 0 and not self._wait(left, "settling unanswered requests"):
                return
        if not self._reconcile_lock.acquire(blocking=wait):
            return
        try:
            with self._lock:
                due = [u for u in self._unsettled if u.deadline <= time.time()]
            if not due:
                return
            if not self._harvest():
                if wait:
                    self._pause(f"{sum(len(u.request.rows) for u in due)} rows have an unknown "
                                f"outcome and the report log cannot be read "
                                f"({self.archive.error}); run again later to reconcile them")
                return
            for item in due:
                self._reconcile(item.request)
                with self._lock:
                    self._unsettled.remove(item)
        finally:
            self._reconcile_lock.release()

    def _reconcile(self, request: OpenRequest) -> None:
        text = self.texts.get(request.text_id) if request.text_id is not None else None
        outcomes = self.archive.reconcile(request, text)
        states = [s for s, _ in outcomes.values()]
        logger.info("reconciled request %d (chunk %d): %d delivered, %d failed, %d not sent, "
                    "%d unknown", request.id, request.chunk, states.count("delivered"),
                    states.count("failed"), states.count("pending"), states.count("unknown"))
        self._advance(delivered=states.count("delivered"), failed=states.count("failed"),
                      unknown=states.count("unknown"), settled_unknown=len(request.rows))

    def _harvest(self) -> bool:
        self.journal.flush()
        return self.archive.harvest()

    # -- pausing and progress ------------------------------------------------------------------

    def _pause(self, reason: str) -> None:
        with self._lock:
            if self._reason is None:
                self._reason = reason
                logger.warning("campaign paused: %s", reason)
        self._stop.set()

    def _pause_all_benched(self) -> None:
        names = ", ".join(sorted(self._benched)) or "none"
        self._pause(f"every agent ({names}) refused with the gateway's 'Error 306 : Low "
                    "Credit' before sending anything; the rows stay pending — ask MioGram "
                    "support to check the agents' credit, then run the campaign again to resume")

    def _credit_sentence(self) -> str:
        pending = self.journal.counts()["pending"]
        kind = self.content.action.credit or "Message"
        try:
            left = int(self.client.get_credits()[kind])
        except (MioGramError, KeyError, TypeError, ValueError):
            return (f"the service answered 305 No Credit with {pending} recipients still to "
                    f"send; top up the {kind} credit, then run the campaign again to resume")
        missing = max(1, pending - left)
        return (f"{kind} credit ran out: {pending} recipients still to send and {left} credits "
                f"left, so at least {missing} credits are missing; top up, then run the "
                "campaign again to resume")

    def _advance(self, delivered: int = 0, failed: int = 0, unknown: int = 0,
                 settled_unknown: int = 0) -> None:
        with self._lock:
            self._tally["delivered"] += delivered
            self._tally["failed"] += failed
            self._tally["unknown"] += unknown - settled_unknown
            if self.progress is not None:
                self.progress.update(delivered + failed + unknown)
        self._show()

    def _show(self, wait: str | None = None) -> None:
        if self.progress is None:
            return
        counts = self._tally
        parts = [f"delivered={counts['delivered']}", f"failed={counts['failed']}",
                 f"unknown={max(0, counts['unknown'])}"]
        if wait:
            parts.append(f"wait: {wait}")
        with self._lock:
            self.progress.set_postfix_str(" ".join(parts), refresh=False)

    def _outcome(self) -> Outcome:
        counts = self.journal.counts()
        if self._reason is not None:
            return Outcome("paused", self._reason, counts)
        if counts["pending"] or counts["in_flight"]:
            return Outcome("paused", f"{counts['pending'] + counts['in_flight']} rows are not "
                           "sent yet; run the campaign again to resume", counts)
        return Outcome("finished", None, counts)
