"""The journal's report archive: the ``APIGetReport`` records a campaign harvested, in order.

The ``archive`` table holds each record once, as its canonical JSON (its key, see
:func:`~miogram_toolkit.campaign.harvest.record_key`), numbered by ``seq`` in the order it was
read (oldest first); ``claimed_by`` names the request a record settled (0: older than the
campaign). :class:`ArchiveMethods` is the part of :class:`~miogram_toolkit.campaign.journal.Journal`
that reads and writes it.

Example:
    >>> from miogram_toolkit.campaign.journal import Journal
    >>> journal = Journal(":memory:")
    >>> journal.append_archive(['{"Number":"+989121234567"}']); journal.watermark()
    1
    >>> journal.archive_after(0)
    [(1, {'Number': '+989121234567'})]
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

__all__ = ["ArchiveMethods"]


class ArchiveMethods:
    """The report archive's methods of a journal (which provides ``query`` and
    ``transaction``)."""

    _watermark: int | None

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError  # pragma: no cover - the journal's

    def transaction(self, *, sync: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # pragma: no cover - the journal's

    def watermark(self) -> int:
        """The newest archived record's sequence number (0 when none)."""
        if self._watermark is None:
            self._watermark = int(self.query("SELECT COALESCE(MAX(seq), 0) FROM archive")[0][0])
        return self._watermark

    def archive_newest_keys(self, count: int) -> list[str]:
        """The keys of the newest ``count`` archived records, oldest first."""
        rows = self.query("SELECT key FROM archive ORDER BY seq DESC LIMIT ?", (count,))
        return [k for (k,) in reversed(rows)]

    def append_archive(self, keys: Sequence[str]) -> None:
        """Append records given as their keys (a key is the record's canonical JSON)."""
        now = time.time()
        with self.transaction() as db:
            db.executemany("INSERT INTO archive(key, record, harvested_at) VALUES (?, ?, ?)",
                           [(k, k, now) for k in keys])
            self._watermark = None

    def archive_after(self, seq: int) -> list[tuple[int, dict[str, Any]]]:
        """Unclaimed records newer than ``seq``, oldest first."""
        return [(int(s), json.loads(r)) for s, r in self.query(
            "SELECT seq, record FROM archive WHERE seq > ? AND claimed_by IS NULL ORDER BY seq",
            (seq,))]

    def claim(self, seqs: Iterable[int], request: int) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE archive SET claimed_by=? WHERE seq=?",
                           [(request, s) for s in seqs])

    def archive(self) -> list[dict[str, Any]]:
        return [json.loads(r) for (r,) in self.query("SELECT record FROM archive ORDER BY seq")]
