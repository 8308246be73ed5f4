"""Reconciliation: what an error on a send means, and the evidence that settles an unknown row.

**The rule.** A recipient whose request may have reached the service is sent again only on
positive evidence that it was not processed. Evidence that it was processed settles it
delivered or failed. Anything else leaves it ``unknown`` — reported with its reason, never
re-sent unless the user says so (``on_unknown="resend"``, ``miogram retry --unknown``).

::

    an error on a send ──verdict_of──► refused before sending (not processed): rest the agent
         │                             (306), pause (305, stop codes), or try again later
         ▼
    unknown (no_answer · service_timeout · bad_answer), never re-queued
         │  after the rest of the campaign is sent, once the gateway must have finished:
         ├─ a report row of this request (newer than it) ─────────────► delivered / failed
         ├─ no row, and the log is live for it, and it could hold the
         │  text, and it was not a 999 ────────────────────────────────► pending (send again)
         ├─ the agent's chat (canGet): our message dated after it left ► delivered
         │                             none ──────────────────────────► pending (send again)
         └─ otherwise ─────────────────────────────────────────────────► unknown, with reason

**The log is live for a request** when the archive holds the row of a request of this campaign
sent after that request's gateway must have finished: the log lists rows in the order they were
written, so a row written before that one would be there too. A 999 (the endpoint gave up while
its gateway went on) is never logged, so no row's absence says anything about it. A text with
``'``, a character outside the 3-byte range or a backslash is not logged as sent
(:func:`~miogram_toolkit.protocol.report_row.log_can_hold`). A row older than the request (an
earlier campaign's identical request, when the log could not be read before it left) is never
claimed, and makes the absence of this request's own row prove nothing.

Example:
    >>> from miogram_toolkit.protocol.errors import GatewayCreditError
    >>> verdict_of(GatewayCreditError("Low Credit", code=306, source="gateway")).action
    'rest_agent'
    >>> from miogram_toolkit.protocol.errors import ServiceUnavailable
    >>> found = verdict_of(ServiceUnavailable("No Response From Server", code=999))
    >>> found.action, found.reason, found.text
    ('unknown', 'service_timeout', 'No Response From Server (999)')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache

from miogram_toolkit.campaign.journal import OpenRequest
from miogram_toolkit.protocol.errors import (
    BadNumber,
    BadResponse,
    CreditError,
    GatewayCreditError,
    MioGramError,
    send_outcome,
    stops_campaign,
)
from miogram_toolkit.protocol.report_row import ReportRow, number_key

__all__ = ["Verdict", "Sent", "log_is_live", "match_rows", "unknown_reason", "verdict_of"]

#: Seconds a logged time may stand before the request left and still be its own (the log
#: writes whole seconds; clocks differ by a little even once the offset is known).
TOLERANCE_S = 2.0
#: The same when the service's clock offset is not known yet (a wider margin only ever turns
#: a stale row into "unknown", never into a second send).
TOLERANCE_UNKNOWN_S = 120.0


@dataclass(frozen=True)
class Verdict:
    """What the runner does after an error on a send.

    ``action``: ``failed`` (rows failed with ``reason``), ``unknown`` (rows unknown with
    ``reason``), ``rest_agent`` (306 from the agent's gateway), ``out_of_credit`` (305),
    ``stop`` (nothing more until the user acts) or ``again`` (not processed: send later).
    """

    action: str
    reason: str | None
    text: str
    stops: bool = False


def _words(exc: MioGramError) -> str:
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None) or str(exc)
    return f"{message} ({code})" if code else f"{type(exc).__name__}: {message}"


def unknown_reason(exc: MioGramError) -> str:
    """The reason code of an ambiguous error: ``service_timeout`` for 999, ``bad_answer`` for
    a page or body that is not the service's answer, ``no_answer`` otherwise."""
    if getattr(exc, "code", None) == 999:
        return "service_timeout"
    if isinstance(exc, BadResponse):
        return "bad_answer"
    return "no_answer"


def verdict_of(exc: MioGramError) -> Verdict:
    """What an error raised by a send means for its rows (see the module's picture)."""
    text = _words(exc)
    if isinstance(exc, BadNumber):
        return Verdict("failed", "bad_number", text)
    if send_outcome(exc) != "not_processed":
        return Verdict("unknown", unknown_reason(exc), text, stops_campaign(exc))
    if isinstance(exc, GatewayCreditError):
        return Verdict("rest_agent", None, text)
    if isinstance(exc, CreditError):
        return Verdict("out_of_credit", None, text)
    if stops_campaign(exc):
        return Verdict("stop", None, text)
    return Verdict("again", None, text)


@dataclass(frozen=True)
class Sent:
    """A request answered in this run: what its report row will look like, and when it left."""

    started_at: float
    phones: tuple[str, ...]
    text: str | None

    @cached_property
    def numbers(self) -> frozenset[str]:
        """The numbers' keys, found when first asked (only unknown requests ever ask)."""
        return _key_set(self.phones)

    @classmethod
    def of(cls, started_at: float, numbers: Iterable[str], text: str | None) -> Sent:
        """A request of ``numbers`` (as written) with ``text`` (None for a file)."""
        return cls(started_at, tuple(numbers), text)


@lru_cache(maxsize=8192)
def _key_set(numbers: tuple[str, ...]) -> frozenset[str]:
    # Cached: every settle compares the same archived rows with many requests.
    return frozenset(number_key(n) for n in numbers)


def _same_content(row: ReportRow, text: str | None) -> bool:
    if text is None:  # a file: the log holds its base64
        return row.text is None
    return row.carries_text(text)


def _about(row: ReportRow, numbers: frozenset[str], text: str | None) -> bool:
    """Whether ``row`` may be the log's row of a request of ``numbers`` with ``text``."""
    if not _same_content(row, text):
        return False
    asked = _key_set(row.asked)
    if row.shape == "reference":
        return asked == numbers
    return bool(asked) and asked <= numbers


def _not_before(started_at: float, clock_offset: float | None) -> float:
    margin = TOLERANCE_S if clock_offset is not None else TOLERANCE_UNKNOWN_S
    return started_at + (clock_offset or 0.0) - margin


def _stamp(row: ReportRow) -> float | None:
    return row.when.timestamp() if isinstance(row.when, datetime) else None


def match_rows(request: OpenRequest, rows: Sequence[tuple[int, ReportRow]], text: str | None,
               clock_offset: float | None
               ) -> tuple[dict[str, tuple[str, str | None]], list[int], bool]:
    """What the report rows say about one request's numbers.

    Args:
        request: the unanswered request.
        rows: archived rows newer than the request's watermark, ``(seq, row)``.
        text: the request's text (None for a file).
        clock_offset: the service's clock minus ours, when known.

    Returns:
        ``({e164: (state, reason)}, seqs to claim, stale)``: the numbers a row of this request
        settles; ``stale`` when an identical row older than the request was seen (then the
        absence of its own row proves nothing).
    """
    numbers = _key_set(tuple(request.phones.split(",")))
    not_before = _not_before(request.started_at, clock_offset)
    found: dict[str, tuple[str, str | None]] = {}
    seqs: list[int] = []
    stale = False
    for seq, row in rows:
        if row.agent and row.agent != request.agent or row.func and row.func != request.func:
            continue
        if not _about(row, numbers, text):
            continue
        stamp = _stamp(row)
        if stamp is not None and stamp < not_before:
            stale = True
            continue
        seqs.append(seq)
        for number, delivered in row.outcomes():
            found[number_key(number)] = ("delivered", None) if delivered else \
                ("failed", row.reason or "not_on_messenger")
    return found, seqs, stale


def log_is_live(rows: Sequence[tuple[int, ReportRow]], later: Iterable[Sent],
                clock_offset: float | None, done_at: float) -> bool:
    """Whether ``rows`` (read after ``done_at``) show the log writing rows after ``done_at``:
    the row of a request answered in this run that left after it, or a row dated after it."""
    candidates = [sent for sent in later if sent.started_at >= done_at]
    numbers = frozenset().union(*(sent.numbers for sent in candidates))
    after = done_at + (clock_offset or 0.0) + \
        (TOLERANCE_S if clock_offset is not None else TOLERANCE_UNKNOWN_S)
    for _, row in rows:
        stamp = _stamp(row)
        if stamp is not None and stamp > after:
            return True
        asked = _key_set(row.asked)
        first = next(iter(asked), None)
        if first is None or first not in numbers:
            continue  # the common case, made cheap: no later request named this number
        if any(_about(row, sent.numbers, sent.text) for sent in candidates
               if first in sent.numbers):
            return True
    return False
