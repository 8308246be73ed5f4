"""The sending engine: pending chunks through lanes of agents, paced, each outcome committed.

::

    journal ──pending chunks──► queue ──► lane ──(agent, pace, window)──► one Mass request
       ▲                          ▲                                            │
       │ in_flight before it      │ refused before sending: another agent      │ answer map
       │ leaves; outcome as soon  │ (306), later (connect error), or a pause   ▼
       └──── as it returns ───────┴──────────────────────────────────── delivered / failed
                                        no usable answer ──► unknown (held; see .unknowns)
                                                               │ after the rest is sent:
                                                               └─ evidence (.reconcile) ──►
                                                                  delivered / failed /
                                                                  pending again / unknown

What each error on a send does is :func:`~miogram_toolkit.campaign.reconcile.verdict_of`'s
reading of the protocol's error policy (:mod:`miogram_toolkit.protocol.errors`):

==============================  ================================================================
answer map                      true → ``delivered``; false → ``failed`` (``not_on_messenger``)
307                             the chunk ``failed`` (``bad_number``)
the gateway's 306               nothing was sent: the chunk goes to another agent and this one
                                rests for the run; every agent rested → **pause** (rows pending)
305 No Credit                   **pause**, saying how many credits are missing
a refusal that stops            **pause** with the reason; rows stay pending
the request never left          back in the queue after the client's back-off; counts toward
                                the breaker (``breaker`` failed requests in a row → **pause**)
999, 5xx, a proxy page, a cut   ``unknown`` with the reason, never re-queued: settled on evidence
or lost answer, a crash         once the rest of the campaign is sent
==============================  ================================================================

The Runner talks to the service only through a :class:`~.sender.Sender` and never changes it:
a send's timeout goes with the call (``timeout=``, ``retries=0`` — a send is tried once; the
runner decides what happens next).

Example:
    >>> from miogram_toolkit.campaign.journal import Journal
    >>> from miogram_toolkit.campaign.plan import Content
    >>> journal = Journal(":memory:")
    >>> with journal.transaction() as db:  # what a plan writes: a text and a pending row
    ...     _ = db.execute("INSERT INTO texts(id, body) VALUES (0, 'Hi')")
    ...     _ = db.execute("INSERT INTO recipients(e164, text_id, state, chunk) "
    ...                    "VALUES ('+989121234567', 0, 'pending', 1)")
    >>> class Fake:
    ...     clock_offset = None
    ...     def get_report(self, count): return []
    ...     def send_message_mass(self, numbers, text, *, robot=None, timeout=None, retries=None):
    ...         return {n: True for n in numbers}
    >>> runner = Runner(journal, Fake(), Content.text("Hi"), Settings(rate_per_minute=None),
    ...                 ["MioBot1"])
    >>> runner.run().counts["delivered"]
    1
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from miogram_toolkit.campaign.chat_evidence import ChatReader
from miogram_toolkit.campaign.harvest import TEXT_ROW_BYTES, Harvester
from miogram_toolkit.campaign.journal import Journal, OpenRequest
from miogram_toolkit.campaign.lanes import Lane, lanes_for, pick, run_lanes
from miogram_toolkit.campaign.pacing import QuietHours, TokenBucket
from miogram_toolkit.campaign.plan import Content
from miogram_toolkit.campaign.progress import Progress
from miogram_toolkit.campaign.reconcile import Verdict, verdict_of
from miogram_toolkit.campaign.sender import Sender
from miogram_toolkit.campaign.unknowns import Unknowns, can_read_chats, unknown_sentence
from miogram_toolkit.client.policy import retry_delay
from miogram_toolkit.protocol.encode import mask_phone
from miogram_toolkit.protocol.errors import MioGramError
from miogram_toolkit.protocol.report_row import log_can_hold

__all__ = ["Outcome", "Runner", "Settings"]

logger = logging.getLogger("miogram_toolkit.campaign")

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
class Outcome:
    """How a run ended: ``finished`` or ``paused`` with the reason (one sentence)."""

    state: str
    reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


class Runner:
    """Runs one campaign journal to completion or to a pause.

    Args:
        journal: the campaign's journal (created and checked by the caller).
        sender: the service (a :class:`~miogram_toolkit.client.Client`, or any fake).
        content: what is sent.
        settings: pacing, lanes, timeouts and policies.
        agents: the agents to rotate over (checked by preflight).
        progress: a tqdm-like bar (``update``, ``set_postfix_str``, ``write``) or None.
        sleep, now, monotonic: clocks (tests pass fakes).
    """

    def __init__(self, journal: Journal, sender: Sender, content: Content, settings: Any,
                 agents: list[str], *, progress: Any = None,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.journal = journal
        self.sender = sender
        self.content = content
        self.settings = settings
        self.agents = list(agents)
        self._sleep = sleep
        self._now = now
        self._mono = monotonic
        self.texts: dict[int, str] = journal.texts()
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._reason: str | None = None
        self._queue: deque[Chunk] = deque()
        self._rested: set[str] = set()
        self._failures = 0
        self.progress = Progress(journal.counts(), progress)
        row_bytes = TEXT_ROW_BYTES if content.data is None else \
            (len(content.data) + 2) // 3 * 4 + 512
        self.harvester = Harvester(journal, sender, row_bytes=row_bytes, say=self.progress.say)
        self.unknowns = Unknowns(journal, sender, self.texts, self.harvester, None,
                                 self.progress, self._wait, settings.on_unknown)
        self._chats_asked = False
        rate = settings.rate_per_minute
        start = monotonic()
        self._buckets = {agent: TokenBucket(rate, now=start) for agent in self.agents} \
            if rate else {}

    # -- public --------------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Send every pending row, settle the unknown ones on evidence, say how it ended."""
        counts = self.journal.counts()
        fresh = self.journal.watermark() == 0 and not any(
            counts[s] for s in ("delivered", "failed", "unknown", "in_flight"))
        if self._harvest() and fresh:
            self.harvester.baseline()  # what the log holds now is older than this campaign
        self.unknowns.hold_open()
        self._refill()
        while not self._stop.is_set():
            self._send_all()
            if self._stop.is_set() or not self.unknowns.held:
                break
            if not self._chats_asked:
                self._chats_asked = True
                # An agent's chats hold its Telegram messages only: a WhatsApp send is never
                # there, so its absence would prove nothing.
                if not self.content.whatsapp and can_read_chats(self.sender):
                    self.unknowns.chat = ChatReader(self.sender, self._pace_read)
            back = self.unknowns.settle()
            self._refill()
            if not back and not self._queue:
                break
        self._harvest()  # the run's own rows, for the reports (the archive is read first)
        left = unknown_sentence({str(reason): int(count) for reason, count in self.journal.query(
            "SELECT reason, COUNT(*) FROM recipients WHERE state='unknown' GROUP BY reason")})
        if left and self._reason is None:
            self.progress.say(left)
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

    def _send_all(self) -> None:
        while not self._stop.is_set():
            lanes = lanes_for(self.agents, self._rested, self.settings.max_in_flight)
            if not lanes:
                self._pause_all_rested()
                return
            run_lanes(lanes, self._lane, self._stop)
            self._refill()
            if not self._queue:
                return

    def _lane(self, lane: Lane) -> None:
        try:
            while not self._stop.is_set():
                if self.harvester.due():
                    self._harvest()
                chunk = self._take()
                if chunk is None:
                    return
                agent = self._pick(lane, len(chunk.rows))
                if agent is None or not self._window_open():
                    self._put_back(chunk)
                    return
                if self._buckets:
                    wait = self._buckets[agent].reserve(len(chunk.rows), now=self._mono())
                    if wait > 0 and not self._wait(wait, f"pacing {agent}"):
                        self._buckets[agent].give_back(len(chunk.rows))
                        self._put_back(chunk)
                        return
                self._send(chunk, agent)
        finally:
            self.journal.flush()

    def _pick(self, lane: Lane, size: int) -> str | None:
        with self._lock:
            now = self._mono()
            buckets = self._buckets
            return pick(lane, self._rested,
                        lambda a: buckets[a].peek(size, now=now) if buckets else 0.0)

    # -- waiting -------------------------------------------------------------------------------

    def _wait(self, seconds: float, why: str) -> bool:
        """Sleep ``seconds`` in short steps, showing why and the time left; False when the run
        was stopped meanwhile."""
        self.journal.flush()  # no outcome waits for a wait to end
        end = self._mono() + seconds
        while not self._stop.is_set():
            left = end - self._mono()
            if left <= 0:
                break
            if seconds >= 1:
                self.progress.show(wait=f"{why} {left:.0f}s left")
            self._sleep(min(left, 0.5))
        self.progress.show()
        return not self._stop.is_set()

    def _pace_read(self, agent: str) -> bool:
        """A chat read through ``agent`` waits for its pace like a send of one number."""
        bucket = self._buckets.get(agent)
        if bucket is None:
            return not self._stop.is_set()
        wait = bucket.reserve(1, now=self._mono())
        return self._wait(wait, f"pacing {agent}") if wait > 0 else not self._stop.is_set()

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

    def _call(self, numbers: list[str], text: str | None, agent: str,
              timeout: float) -> Mapping[str, bool]:
        sender, content = self.sender, self.content
        if content.kind == "text":
            assert text is not None
            send = sender.send_message_whatsapp_mass if content.whatsapp \
                else sender.send_message_mass
            return send(numbers, text, robot=agent, timeout=timeout, retries=0)
        media = {"photo": sender.send_photo_mass, "video": sender.send_video_mass,
                 "file": sender.send_file_mass}[content.kind]
        return media(numbers, content.data, extension=content.extension, robot=agent,
                     timeout=timeout, retries=0)

    def _send(self, chunk: Chunk, agent: str) -> None:
        numbers = [e164 for _, e164 in chunk.rows]
        text = self.texts.get(chunk.text_id) if chunk.text_id is not None else None
        phones = ",".join(numbers)  # the Phone field as the client sends it (checked there)
        timeout = self.settings.timeout_base + self.settings.timeout_per_number * len(numbers)
        started = time.time()
        watermark = self.journal.watermark()
        request = self.journal.begin_request(
            chunk.rows, chunk=chunk.chunk, agent=agent, func=self.content.func, phones=phones,
            text_id=chunk.text_id, deadline=started + timeout, watermark=watermark)
        self.harvester.sent(len(numbers))
        try:
            answer = self._call(numbers, text, agent, timeout)
        except MioGramError as exc:
            sent = OpenRequest(request, chunk.chunk, agent, self.content.func, phones,
                               chunk.text_id, started, started + timeout, watermark,
                               list(chunk.rows))
            self._after_error(sent, chunk, agent, verdict_of(exc))
            return
        outcomes = {row: _DELIVERED if answer.get(e164) else _NOT_ON_MESSENGER
                    for row, e164 in chunk.rows}
        # Committed with the next chunk's in_flight (it leaves right after), or at the next
        # wait, harvest or stop: see the journal's docstring.
        self.journal.settle(request, outcomes, request_state="answered", defer=True,
                            numbers=dict(chunk.rows))
        self.unknowns.answered_request(started, numbers, text)
        ok = sum(1 for outcome in outcomes.values() if outcome is _DELIVERED)
        if ok and (text is None or log_can_hold(text)):
            self.harvester.logged()
        with self._lock:
            self._failures = 0
        if logger.isEnabledFor(logging.INFO):
            logger.info("chunk %d (%d numbers, first %s) via %s: %d delivered, %d failed",
                        chunk.chunk, len(numbers), mask_phone(numbers[0]), agent, ok,
                        len(numbers) - ok)
        self.progress.advance(delivered=ok, failed=len(numbers) - ok)

    def _after_error(self, sent: OpenRequest, chunk: Chunk, agent: str, verdict: Verdict) -> None:
        if verdict.action == "failed":
            self.journal.settle(sent.id, {row: ("failed", verdict.reason) for row, _ in chunk.rows},
                                request_state="answered", note=verdict.text)
            self.progress.advance(failed=len(chunk.rows))
            return
        if verdict.action == "unknown":
            logger.warning("chunk %d via %s: %s; nothing is sent again until evidence settles "
                           "it, after the rest of the campaign", chunk.chunk, agent, verdict.text)
            self.unknowns.hold(sent, str(verdict.reason), verdict.text, commit=True)
            if verdict.stops:
                self._pause(f"the service answered the campaign's request with {verdict.text}; "
                            "fix that, then run the campaign again to resume")
            else:
                self._count_failure(verdict.text)
            return
        self.journal.settle(sent.id, {row: ("pending", None) for row, _ in chunk.rows},
                            request_state="refused", note=verdict.text)
        if self._buckets:
            self._buckets[agent].give_back(len(chunk.rows))
        if verdict.action == "rest_agent":
            with self._lock:
                self._rested.add(agent)
            logger.warning("agent %s answered %s: nothing sent; it rests for the rest of the "
                           "run and the chunk goes to another agent", agent, verdict.text)
            self.journal.event("agent_rested", f"{agent}: {verdict.text}")
            self._put_back(chunk)
            if not [a for a in self.agents if a not in self._rested]:
                self._pause_all_rested()
        elif verdict.action == "out_of_credit":
            self._pause(self._credit_sentence())
        elif verdict.action == "stop":
            self._pause(f"the service refused the campaign's request with {verdict.text}; fix "
                        "that, then run the campaign again to resume")
        else:
            self._put_back(chunk)
            self._count_failure(verdict.text)

    def _count_failure(self, why: str) -> None:
        with self._lock:
            self._failures += 1
            failures = self._failures
        if failures >= self.settings.breaker:
            self._pause(f"{failures} requests in a row failed (the last: {why}); the "
                        "service may be down — run the campaign again later to resume")
            return
        # The campaign's own back-off (``backoff=``), by the client's one formula.
        self._wait(retry_delay(failures, self.settings.backoff), "backoff")

    def _harvest(self) -> bool:
        self.journal.flush()
        return self.harvester.harvest()

    # -- pausing -------------------------------------------------------------------------------

    def _pause(self, reason: str) -> None:
        with self._lock:
            if self._reason is None:
                self._reason = reason
                logger.warning("campaign paused: %s", reason)
        self._stop.set()

    def _pause_all_rested(self) -> None:
        names = ", ".join(sorted(self._rested)) or "none"
        self._pause(f"every agent ({names}) refused with the gateway's 'Error 306 : Low "
                    "Credit' before sending anything; the rows stay pending — ask MioGram "
                    "support to check the agents' credit, then run the campaign again to resume")

    def _credit_sentence(self) -> str:
        pending = self.journal.counts()["pending"]
        kind = self.content.action.credit or "Message"
        try:
            left = int(self.sender.get_credits()[kind])
        except (MioGramError, KeyError, TypeError, ValueError):
            return (f"the service answered 305 No Credit with {pending} recipients still to "
                    f"send; top up the {kind} credit, then run the campaign again to resume")
        missing = max(1, pending - left)
        return (f"{kind} credit ran out: {pending} recipients still to send and {left} credits "
                f"left, so at least {missing} credits are missing; top up, then run the "
                "campaign again to resume")

    def _outcome(self) -> Outcome:
        counts = self.journal.counts()
        if self._reason is not None:
            return Outcome("paused", self._reason, counts)
        if counts["pending"] or counts["in_flight"]:
            return Outcome("paused", f"{counts['pending'] + counts['in_flight']} rows are not "
                           "sent yet; run the campaign again to resume", counts)
        return Outcome("finished", None, counts)
