"""What a running campaign shows: the running tally, waits with their reason and time left.

The runner reports through one :class:`Progress`: counts as rows settle (``delivered``,
``failed``, ``unknown``), what it is waiting for and how long is left (``wait: pacing MioBot1
3s``, ``wait: checking 20 recipients of an unanswered request (no answer) 41s``), and the odd
line worth reading in full (``say``), written above a progress bar or to the log.

Example:
    >>> progress = Progress({"delivered": 3, "failed": 1, "unknown": 0})
    >>> progress.advance(delivered=2)
    >>> progress.postfix()
    'delivered=5 failed=1 unknown=0'
    >>> progress.postfix(wait="pacing MioBot1 3s")
    'delivered=5 failed=1 unknown=0 wait: pacing MioBot1 3s'
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

__all__ = ["Progress"]

logger = logging.getLogger("miogram_toolkit.campaign")


class Progress:
    """A campaign's tally, shown on a tqdm-like ``bar`` (``update``, ``set_postfix_str``,
    ``write``) when one is given. Thread-safe: the lanes share it.

    Args:
        counts: the journal's counts when the run starts.
        bar: the progress bar, or None (then only the log hears about it).
    """

    def __init__(self, counts: Mapping[str, int], bar: Any = None) -> None:
        self.bar = bar
        self.counts = {k: int(counts.get(k, 0)) for k in ("delivered", "failed", "unknown")}
        self._lock = threading.Lock()

    def advance(self, delivered: int = 0, failed: int = 0, unknown: int = 0,
                settled_unknown: int = 0) -> None:
        """Count rows that reached a final state (``settled_unknown`` left ``unknown``)."""
        with self._lock:
            self.counts["delivered"] += delivered
            self.counts["failed"] += failed
            self.counts["unknown"] += unknown - settled_unknown
            if self.bar is not None:
                self.bar.update(delivered + failed + unknown)
        self.show()

    def hold(self, rows: int) -> None:
        """Count rows that became ``unknown`` until evidence settles them."""
        with self._lock:
            self.counts["unknown"] += rows
        self.show()

    def postfix(self, wait: str | None = None) -> str:
        """The tally in one line (and the wait, when there is one)."""
        counts = self.counts
        line = (f"delivered={counts['delivered']} failed={counts['failed']} "
                f"unknown={max(0, counts['unknown'])}")
        return f"{line} wait: {wait}" if wait else line

    def show(self, wait: str | None = None) -> None:
        """Refresh the bar's tally, with what it waits for (None: not waiting)."""
        if self.bar is None:
            return
        with self._lock:
            self.bar.set_postfix_str(self.postfix(wait), refresh=wait is not None)

    def say(self, line: str) -> None:
        """A line worth reading in full: above the bar, and in the log."""
        logger.warning("%s", line)
        if self.bar is not None:
            with self._lock:
                self.bar.write(line)
