"""Unknown rows: held while the rest of the campaign goes, then settled on evidence at the end.

A request whose outcome is unknown (no answer, a 999, a page that is not the service's answer,
or a crash while it was in flight) is never re-queued. Its rows are committed ``unknown`` with
the reason; the rest of the campaign is sent first, so a resumed campaign never sits still on
them; then, once the gateway must have finished every such request, one visible line says what
is checked and how long it may take, and each request goes through the evidence of
:mod:`.reconcile` (report rows, a live log's silence, the agent's chat). Rows proven not
processed go back to ``pending`` and are sent; the rest stay ``unknown`` with a reason from
:mod:`miogram_toolkit.protocol.reasons`.

``on_unknown="skip"`` leaves them unknown at once (``unknown_skipped``); ``on_unknown="resend"``
sends them again at once — some may then receive the message twice, which is why it must be
asked for.

Example:
    >>> checking_line(20, 1, 44.6)
    'checking 20 recipients of an unanswered request: waiting up to 45 s for the service to finish'
    >>> checking_line(3, 2, 0)
    'checking 3 recipients of 2 unanswered requests'
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from miogram_toolkit.campaign.chat_evidence import ChatReader
from miogram_toolkit.campaign.harvest import Harvester
from miogram_toolkit.campaign.journal import Journal, OpenRequest
from miogram_toolkit.campaign.progress import Progress
from miogram_toolkit.campaign.reconcile import Sent, log_is_live, match_rows
from miogram_toolkit.campaign.sender import Sender
from miogram_toolkit.protocol.errors import MioGramError
from miogram_toolkit.protocol.reasons import describe
from miogram_toolkit.protocol.report_row import log_can_hold, number_key

__all__ = ["Held", "Unknowns", "can_read_chats", "checking_line", "unknown_sentence"]

logger = logging.getLogger("miogram_toolkit.campaign")

UNKNOWN_REASONS = ("no_answer", "service_timeout", "bad_answer", "unreconcilable", "log_frozen")


def checking_line(rows: int, requests: int, seconds: float) -> str:
    """The line shown before unknown rows are checked."""
    what = "an unanswered request" if requests == 1 else f"{requests} unanswered requests"
    line = f"checking {rows} recipients of {what}"
    if seconds >= 1:
        line += f": waiting up to {seconds:.0f} s for the service to finish"
    return line


@dataclass
class Held:
    """An unknown request and why (a reason code)."""

    request: OpenRequest
    reason: str


class Unknowns:
    """The run's unknown requests, and how they are settled.

    Args:
        journal: the campaign's journal.
        sender: the service (report log, chats, clock offset, gateway timing).
        texts: the journal's texts by id.
        harvester: the report archive.
        chat: reads chats, or None when the account has no ``canGet``.
        progress: the run's tally.
        wait: ``wait(seconds, why)`` sleeps visibly; False when the run was stopped.
        policy: ``"reconcile"``, ``"skip"`` or ``"resend"``.
    """

    def __init__(self, journal: Journal, sender: Sender, texts: dict[int, str],
                 harvester: Harvester, chat: ChatReader | None, progress: Progress,
                 wait: Callable[[float, str], bool], policy: str = "reconcile") -> None:
        self.journal = journal
        self.sender = sender
        self.texts = texts
        self.harvester = harvester
        self.chat = chat
        self.progress = progress
        self._wait = wait
        self.policy = policy
        self.held: list[Held] = []
        self.answered: list[Sent] = []
        self._lock = threading.Lock()

    # -- holding -------------------------------------------------------------------------------

    def text_of(self, request: OpenRequest) -> str | None:
        return self.texts.get(request.text_id) if request.text_id is not None else None

    def answered_request(self, started_at: float, numbers: list[str], text: str | None) -> None:
        """Note a request answered in this run (its log row shows the log is live)."""
        with self._lock:
            self.answered.append(Sent.of(started_at, numbers, text))

    def hold(self, request: OpenRequest, reason: str, detail: str, *, commit: bool) -> None:
        """Take an unknown request: its rows ``unknown`` with ``reason`` (committed when
        ``commit``), then as the policy says."""
        count = len(request.rows)
        if commit:
            self.journal.settle(request.id, {row: ("unknown", reason) for row, _ in request.rows},
                                request_state="unknown", note=f"{reason}: {detail}")
            self.progress.hold(count)
        if self.policy == "resend":
            logger.warning("request %d: %s; sent again as on_unknown='resend' asks (its %d "
                           "recipients may receive the message twice)", request.id, detail, count)
            self.journal.settle(request.id, {row: ("pending", None) for row, _ in request.rows},
                                request_state="resent", note="on_unknown='resend'")
            self.progress.advance(settled_unknown=count)
            return
        if self.policy == "skip":
            self.journal.settle(request.id, {row: ("unknown", "unknown_skipped")
                                             for row, _ in request.rows},
                                request_state="skipped", note="on_unknown='skip'")
            self.progress.advance(unknown=count, settled_unknown=count)
            return
        with self._lock:
            self.held.append(Held(request, reason))

    def hold_open(self) -> None:
        """Take the requests a former run left open (in flight when it died, or unknown)."""
        notes = {int(i): str(n or "") for i, n in self.journal.query(
            "SELECT id, outcome FROM requests WHERE state IN ('in_flight', 'unknown')")}
        for request in self.journal.open_requests():
            head = notes.get(request.id, "").partition(":")[0]
            reason = head if head in UNKNOWN_REASONS else "no_answer"
            fresh = not notes.get(request.id)
            self.hold(request, reason, "interrupted: no outcome recorded" if fresh else
                      notes[request.id], commit=fresh)

    # -- settling ------------------------------------------------------------------------------

    def settle(self) -> int:
        """Settle every held request on evidence; returns how many rows went back to pending.

        Waits (visibly) until the gateway must have finished every one of them.
        """
        with self._lock:
            items, self.held = self.held, []
        if not items:
            return 0
        done_at = {id(h): h.request.started_at + self.sender.gateway_done_after(
            len(h.request.phones.split(","))) for h in items}
        rows = sum(len(h.request.rows) for h in items)
        left = max(done_at.values()) - time.time()
        line = checking_line(rows, len(items), left)
        self.progress.say(line)
        reasons = ", ".join(sorted({describe(h.reason).lower() for h in items}))
        if left > 0 and not self._wait(left, f"{line.partition(':')[0]} ({reasons})"):
            with self._lock:
                self.held = items + self.held
            return 0
        self.harvester.harvest()
        return sum(self._settle_one(h, done_at[id(h)]) for h in items)

    def _settle_one(self, held: Held, done_at: float) -> int:
        request, text = held.request, self.text_of(held.request)
        offset = self.sender.clock_offset
        rows = self.harvester.rows_after(request.watermark)
        found, seqs, stale = match_rows(request, rows, text, offset)
        if seqs:
            self.journal.claim(seqs, request.id)
        outcomes: dict[int, tuple[str, str | None]] = {}
        rest: list[tuple[int, str]] = []
        for row, e164 in request.rows:
            settled = found.get(number_key(e164))
            if settled is not None:
                outcomes[row] = settled
            else:
                rest.append((row, e164))
        how = "report log"
        if rest and self._absence_proves(held, text, rows, stale, done_at):
            outcomes.update({row: ("pending", None) for row, _ in rest})
            how, rest = "report log (live, no row)", []
        if rest and self.chat is not None:
            how += " and chats"
            for row, e164 in list(rest):
                seen = self.chat.check(e164, request.agent, request.started_at, text)
                if seen is not None:
                    outcomes[row] = ("delivered", None) if seen == "delivered" else \
                        ("pending", None)
                    rest.remove((row, e164))
        reason = self._reason_left(held, text)
        outcomes.update({row: ("unknown", reason) for row, _ in rest})
        states = [state for state, _ in outcomes.values()]
        note = (f"{len(request.rows) - len(rest)} of {len(request.rows)} settled from the "
                f"{how}" + (f"; {len(rest)} unknown ({describe(reason)})" if rest else ""))
        self.journal.settle(request.id, outcomes,
                            request_state="unknown" if rest else "reconciled",
                            note=f"{reason}: {note}" if rest else note)
        logger.info("request %d (chunk %d): %s", request.id, request.chunk, note)
        self.progress.advance(delivered=states.count("delivered"), failed=states.count("failed"),
                              unknown=len(rest), settled_unknown=len(request.rows))
        return states.count("pending")

    def _absence_proves(self, held: Held, text: str | None, rows: list, stale: bool,
                        done_at: float) -> bool:
        harvester = self.harvester
        return (held.reason != "service_timeout" and not stale and not harvester.frozen
                and harvester.error is None and harvester.read_at >= done_at
                and held.request.watermark > harvester.gap_at
                and (text is None or log_can_hold(text))
                and log_is_live(rows, self.answered, self.sender.clock_offset, done_at))

    def _reason_left(self, held: Held, text: str | None) -> str:
        if self.harvester.frozen and held.reason != "service_timeout":
            return "log_frozen"
        if text is not None and not log_can_hold(text) and held.reason != "service_timeout":
            return "unreconcilable"
        return held.reason


def unknown_sentence(by_reason: dict[str, int]) -> str | None:
    """The one sentence a run ends with when rows are left unknown (None when none are).

    Example:
        >>> print(unknown_sentence({"log_frozen": 40, "service_timeout": 2}))  # doctest: +ELLIPSIS
        42 recipients have an unknown outcome (Log shows no new sends 40, Service timed out ...
    """
    total = sum(by_reason.values())
    if not total:
        return None
    reasons = ", ".join(f"{describe(r)} {n}" for r, n in sorted(by_reason.items()))
    return (f"{total} recipients have an unknown outcome ({reasons}): they may have received "
            "the message; run the campaign again later to check again, or send it to them "
            'again with on_unknown="resend" (miogram retry --unknown), knowing some may then '
            "receive it twice")


def can_read_chats(sender: Sender) -> bool:
    """Whether the account may read chats (False when it cannot even say)."""
    try:
        return bool(sender.can_get())
    except MioGramError as exc:
        logger.info("canGet could not be read (%s): chats are not read", exc)
        return False
