"""Benchmark: the account's ledger and reading replies.

Prints, side by side:

* the ledger: recording 10,000 numbers as attempted, then delivered, and looking all of them up
  (``recent``, ``opted_out``) — each should take well under a second;

A script, not a test: run ``python benchmarks/bench_replies.py [numbers]``.

Example:
    $ .venv/bin/python benchmarks/bench_replies.py 10000
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable

from miogram_toolkit.campaign.ledger import Ledger


def _timed(label: str, action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    took = time.perf_counter() - started
    print(f"  {label:<44} {took * 1000:9.1f} ms")
    return took


def bench_ledger(count: int) -> None:
    """Record and query ``count`` numbers in a fresh ledger."""
    numbers = [f"+98912{n:07d}" for n in range(count)]
    now = time.time()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("MIOGRAM_HOME", folder)
        with Ledger.open("http://127.0.0.1:8765/dojob.php", "bench", folder=folder) as ledger:
            print(f"ledger, {count:,} numbers:")
            _timed("record_attempt", lambda: ledger.record_attempt(numbers, "one", at=now))
            _timed("record_outcome (delivered)",
                   lambda: ledger.record_outcome(numbers, "one", "delivered", at=now))
            _timed("recent (24 h)", lambda: ledger.recent(numbers, within=86400))
            for number in numbers[:100]:
                ledger.mark_opt_out(number, at=now, source="bench")
            _timed("opted_out", lambda: ledger.opted_out(numbers))
            _timed("seed-like second campaign (attempt)",
                   lambda: ledger.record_attempt(numbers, "two", at=now + 1))
            _timed("recent excluding the asking campaign",
                   lambda: ledger.recent(numbers, within=86400, exclude_campaign="two"))


def main(argv: list[str]) -> None:
    count = int(argv[1]) if len(argv) > 1 else 10_000
    bench_ledger(count)


if __name__ == "__main__":
    main(sys.argv)
