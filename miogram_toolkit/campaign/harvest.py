"""Harvesting ``APIGetReport`` into the journal, read sizes that fit, and a frozen log said once.

:class:`Harvester` reads the service's report log and appends the records the journal's archive
does not hold yet (oldest first). Records have no reliable id (the service's own have none), so a
read is laid over the archive's newest records (:func:`new_records`): the longest run of the
read's oldest records equal to the archive's end is already there, the rest is new. Everything
the campaign concludes from the archive reads it as typed rows
(:func:`~miogram_toolkit.protocol.report_row.read_report_rows`); no raw record is interpreted
here.

**What a read can carry.** ``APIGetReport`` takes only a count, newest first. A text row is
small, but a file campaign's rows each hold the file's whole base64, so a read asks for at most
as many rows as fit in :data:`READ_BUDGET`; when more requests were made since the last read
than one read can reach, that is said once and the requests it cannot reach stay unknown (or
the agents' chats settle them).

**A frozen log.** The service's implementation lists an account's *first* 1000 rows forever: on
a used account no new send ever appears. A read that brings nothing new although requests the
log must hold were answered since the last one shows it; that is said once, and from then on
the log is neither read nor relied on (:attr:`Harvester.frozen`), in this run and the
campaign's later ones (the journal keeps the event).

Example:
    >>> from miogram_toolkit.campaign.journal import Journal
    >>> class Log:
    ...     def get_report(self, count):
    ...         return [{"Number": "+989121000001", "Delivered": "+989121000001", "DATA": "Hi"}]
    >>> harvester = Harvester(Journal(":memory:"), Log())
    >>> harvester.harvest(), harvester.harvest(), len(harvester.journal.archive())
    (True, True, 1)
    >>> harvester.logged(); harvester.harvest(), harvester.frozen   # the answered send is missing
    (False, True)
    >>> new_records(["a", "b"], ["b", "c"])
    ['c']
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from miogram_toolkit.campaign.journal import Journal
from miogram_toolkit.campaign.sender import Sender
from miogram_toolkit.protocol.errors import MioGramError, NoData
from miogram_toolkit.protocol.report_row import ReportRow, human_size, read_report_rows

__all__ = ["HARVEST_EVERY", "READ_BUDGET", "READ_MAX", "Harvester", "new_records", "record_key"]

logger = logging.getLogger("miogram_toolkit.campaign")

#: Read the report log once this many records may have been added since the last read.
HARVEST_EVERY = 500
#: The most records one read of the report log asks for.
READ_MAX = 999
#: The most bytes of records one read may carry (half the client's answer cap).
READ_BUDGET = 16 * 1024 * 1024
#: What a text campaign's record may weigh at most (a 4,096-byte text and the other fields).
TEXT_ROW_BYTES = 4096 + 512

FROZEN = ("the service's report log shows none of this campaign's sends (it lists only an "
          "account's first 1000 rows, so on a used account nothing new appears there); it is no "
          "longer relied on: unanswered requests are checked in the agents' chats where the "
          "account may read them, or reported unknown")


# One encoder for every key: json.dumps with these options builds a new one per call.
_KEY_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                                default=str)


def record_key(record: Mapping[str, Any]) -> str:
    """A record's canonical JSON (sorted keys): its key, and how the archive stores it."""
    return _KEY_ENCODER.encode(record)


def new_records(archived_newest: Sequence[str], read_oldest_first: Sequence[str]) -> list[str]:
    """The records of a new read that the archive does not hold yet, as keys.

    Args:
        archived_newest: keys of the archive's newest records, oldest first.
        read_oldest_first: keys of the new read of the report log, oldest first.

    Returns:
        The tail of the read after its longest prefix that equals the archive's end. When no
        prefix matches, everything is new (the log moved further than one read can see).
    """
    if not archived_newest or not read_oldest_first:
        return list(read_oldest_first)
    newest = archived_newest[-1]
    for end in range(min(len(read_oldest_first), len(archived_newest)) - 1, -1, -1):
        if read_oldest_first[end] == newest and \
                list(read_oldest_first[:end + 1]) == list(archived_newest[-(end + 1):]):
            return list(read_oldest_first[end + 1:])
    return list(read_oldest_first)


class Harvester:
    """Keeps a journal's report archive current; thread-safe.

    Args:
        journal: the campaign's journal (its ``archive`` table).
        sender: reads the log (``get_report``).
        row_bytes: what one record of this campaign may weigh (a file's base64 for files).
        say: where the one-sentence notices go.

    Attributes:
        error: why the last read failed (None after a good one).
        frozen: the log was shown to show nothing new; it is no longer read.
        shape: the record shape the service logs (``"reference"``/``"document"``/None).
        read_at: when the last good read was made (``time.time()``), 0 before any.
        gap_at: the archive's newest sequence number before a read that could not reach back
            to it (rows written after it may be missing), -1 when no read fell short.
    """

    def __init__(self, journal: Journal, sender: Sender, *, row_bytes: int = TEXT_ROW_BYTES,
                 say: Callable[[str], None] = logger.warning) -> None:
        self.journal = journal
        self.sender = sender
        self.error: str | None = None
        # Said once per campaign: a log frozen at its first 1000 rows never moves again.
        self.frozen = any(kind == "log_frozen" for _, kind, _ in journal.events())
        self.shape: str | None = None
        self.read_at = 0.0
        self.gap_at = -1
        self.fit = max(1, min(READ_MAX, READ_BUDGET // max(1, row_bytes)))
        self._row_bytes = row_bytes
        self._say = say
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._since = READ_MAX  # the first read goes back as far as one read can
        self._expected = 0
        self._said_reach = False

    def sent(self, numbers: int) -> None:
        """Count a request of ``numbers`` numbers that may add report rows."""
        with self._count_lock:
            self._since += 1 if self.shape == "reference" else numbers

    def logged(self) -> None:
        """Count an answered request that the log must now hold (a text it can hold)."""
        with self._count_lock:
            self._expected += 1

    def due(self) -> bool:
        """True when enough rows may have been added that the log should be read now."""
        return not self.frozen and self._since >= min(HARVEST_EVERY, max(1, self.fit // 2))

    def harvest(self) -> bool:
        """Read the report log and archive the records not seen yet; False when nothing could
        be learnt (the read failed, or the log is frozen)."""
        if self.frozen:
            return False
        with self._lock:
            with self._count_lock:
                since, self._since = self._since, 0
                expected, self._expected = self._expected, 0
            first = since >= READ_MAX and not self.read_at
            if since > self.fit and not first and not self._said_reach:
                self._said_reach = True
                self._say(f"the report log cannot be read far enough back: each of its rows "
                          f"holds the whole file ({human_size(self._row_bytes)}), so one read "
                          f"fits only {self.fit} rows; unanswered requests it cannot reach stay "
                          "unknown unless the agents' chats settle them")
            count = min(self.fit, max(50, since + 50))
            while True:
                try:
                    records = self.sender.get_report(count)
                except NoData:
                    records = []
                except MioGramError as exc:
                    self.error = f"{type(exc).__name__}: {exc}"
                    logger.warning("the report log could not be read: %s", self.error)
                    with self._count_lock:
                        self._since += since
                        self._expected += expected
                    return False
                batch = [record_key(r) for r in reversed(records)]
                tail = self.journal.archive_newest_keys(max(len(batch), 1))
                fresh = new_records(tail, batch)
                gap = bool(tail) and bool(batch) and len(fresh) == len(batch) \
                    and len(batch) >= count
                if not gap or count >= self.fit:
                    break
                count = self.fit
            self.error = None
            self.read_at = time.time()
            if gap:
                self.gap_at = max(self.gap_at, self.journal.watermark())
                logger.warning("the report log moved by more than %d records since it was last "
                               "read; some may have scrolled out of its window", count)
            if fresh:
                self.journal.append_archive(fresh)
                self.shape = read_report_rows(records[:1])[0].shape
            elif expected:
                self.frozen = True
                self.journal.event("log_frozen", FROZEN)
                self._say(FROZEN)
                return False
            return True

    def baseline(self) -> None:
        """Mark every archived record as older than this campaign (a new journal's first read),
        so none is ever taken for one of its requests."""
        self.journal.claim([seq for seq, _ in self.journal.archive_after(0)], 0)

    def rows_after(self, seq: int) -> list[tuple[int, ReportRow]]:
        """Unclaimed archived rows newer than ``seq``, oldest first, as typed rows."""
        found = self.journal.archive_after(seq)
        return list(zip([s for s, _ in found], read_report_rows([r for _, r in found]),
                        strict=True))
