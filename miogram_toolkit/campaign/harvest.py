"""Harvesting ``APIGetReport`` into the journal while a campaign runs, and what it settles.

:class:`Harvester` reads the report log often enough that no row scrolls out of the service's
1000-row window between two reads (:data:`HARVEST_EVERY` records at most: one per number in the
document's shape, one per Mass request in the real service's), lays each read over the archive
(:func:`~miogram_toolkit.campaign.archive.new_records`) and appends what is new. The first read of
a run goes back the whole window, since another process may have sent a lot after this journal's
last read; a read that does not reach back to the archive's newest row is made again at full size.

:meth:`Harvester.reconcile` settles one unanswered request from the archive (see
:mod:`.archive` for the rules) and commits the rows' new states.

Example:
    >>> from miogram_toolkit.campaign.journal import Journal
    >>> class Log:
    ...     def get_report(self, count):
    ...         return [{"Number": "+989121000001", "Delivered": "+989121000001", "DATA": "Hi"}]
    >>> harvester = Harvester(Journal(":memory:"), Log())
    >>> harvester.harvest(), harvester.harvest(), len(harvester.journal.archive())
    (True, True, 1)
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from miogram_toolkit.campaign.archive import (
    DOCUMENT,
    REFERENCE,
    match_record,
    new_records,
    record_key,
    shape_of,
)
from miogram_toolkit.campaign.journal import Journal, OpenRequest
from miogram_toolkit.protocol.errors import MioGramError, NoData

__all__ = ["HARVEST_EVERY", "READ_MAX", "Harvester"]

logger = logging.getLogger("miogram_toolkit.campaign")

#: Read the report log once this many records may have been added since the last read.
HARVEST_EVERY = 500
#: The most records one read of the report log asks for (the client's bound).
READ_MAX = 999


class Harvester:
    """Keeps a journal's report archive current; thread-safe.

    Attributes:
        error: why the last read failed (None after a good one).
        shape: the record shape the service logs (``"reference"``, ``"document"``, or None
            before any record was seen).
    """

    def __init__(self, journal: Journal, client: Any) -> None:
        self.journal = journal
        self.client = client
        self.error: str | None = None
        self.shape: str | None = None
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._since = READ_MAX

    def sent(self, numbers: int) -> None:
        """Count a request of ``numbers`` numbers that may add report rows."""
        with self._count_lock:
            self._since += 1 if self.shape == REFERENCE else numbers

    def due(self) -> bool:
        """True when enough rows may have been added that the log should be read now."""
        return self._since >= HARVEST_EVERY

    def harvest(self) -> bool:
        """Read the report log and archive the records not seen yet; False if it failed."""
        with self._lock:
            with self._count_lock:
                since, self._since = self._since, 0
            count = min(READ_MAX, max(50, since + 50))
            while True:
                try:
                    records = self.client.get_report(count)
                except NoData:
                    records = []
                except MioGramError as exc:
                    self.error = f"{type(exc).__name__}: {exc}"
                    logger.warning("the report log could not be read: %s", self.error)
                    with self._count_lock:
                        self._since += since
                    return False
                batch = [record_key(r) for r in reversed(records)]
                tail = self.journal.archive_newest_keys(max(len(batch), 1))
                fresh = new_records(tail, batch)
                gap = bool(tail) and bool(batch) and len(fresh) == len(batch) \
                    and len(batch) >= count
                if not gap or count >= READ_MAX:
                    break
                count = READ_MAX
            self.error = None
            if gap:
                logger.warning("the report log moved by more than %d records since it was last "
                               "read; some may have scrolled out of its window", count)
            if fresh:
                self.journal.append_archive(fresh)
                self.shape = shape_of(records[0]) or self.shape
            return True

    def reconcile(self, request: OpenRequest, text: str | None
                  ) -> dict[int, tuple[str, str | None]]:
        """Settle ``request``'s rows from the archive and commit them; returns the outcomes.

        ``delivered`` or ``failed`` where a record settles the number, ``pending`` (to send
        again) where no record names it, ``unknown`` (``unreconcilable``) where absence proves
        nothing — a text holding ``'``, which the real service never logs.
        """
        numbers = {e164 for _, e164 in request.rows}
        found: dict[str, tuple[bool, str | None]] = {}
        claimed: list[int] = []
        for seq, record in self.journal.archive_after(request.watermark):
            match = match_record(record, numbers, request.phones, text, request.func,
                                 request.agent)
            if match:
                found.update(match)
                claimed.append(seq)
        if claimed:
            self.journal.claim(claimed, request.id)
        blind = text is not None and "'" in text and self.shape != DOCUMENT
        outcomes: dict[int, tuple[str, str | None]] = {}
        for row, e164 in request.rows:
            if e164 in found:
                ok, reason = found[e164]
                outcomes[row] = ("delivered", None) if ok else ("failed", reason)
            elif blind:
                outcomes[row] = ("unknown", "unreconcilable")
            else:
                outcomes[row] = ("pending", None)
        self.journal.settle(request.id, outcomes, request_state="reconciled",
                            note=f"{len(found)} of {len(request.rows)} found in the report log")
        return outcomes
