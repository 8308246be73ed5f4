"""Benchmark: the account's ledger and reading replies.

Prints, side by side:

* the ledger: recording 10,000 numbers as attempted, then delivered, and looking all of them up
  (``recent``, ``opted_out``) — each should take well under a second;
* reading replies: a campaign of ``delivered`` numbers sent through the simulator (over HTTP, in
  a thread; recipients answer), then ``replies()`` reading every chat through the agent that
  sent, one request in flight; the first read (every reply new) and a second one (nothing new),
  per 1,000 delivered rows, beside what the real gateway adds (about a second a read).

A script, not a test: run ``python benchmarks/bench_replies.py [numbers] [delivered]``.

Example:
    $ .venv/bin/python benchmarks/bench_replies.py 10000 1000
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from miogram_toolkit.campaign import Campaign
from miogram_toolkit.campaign.ledger import Ledger
from miogram_toolkit.campaign.replies import replies
from miogram_toolkit.client import Client
from miogram_toolkit.reports.replies import reply_summary_text
from miogram_toolkit.simulator import Simulator


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


def bench_reading(delivered: int) -> None:
    """Send to ``delivered`` numbers through the simulator, then read their replies twice."""
    frame = pd.DataFrame({"mobile": [f"+98912{3000000 + i}" for i in range(delivered)]})
    with tempfile.TemporaryDirectory() as folder, \
            Simulator(seed=7, replies=True, unreachable_share=0.0) as sim, \
            Client.to(sim, retries=0) as client:
        campaign = Campaign(frame, "Hello from the shop", client=client,
                            journal=str(Path(folder) / "c.sqlite"), rate_per_minute=None)
        results = campaign.run(progress=False)
        sent = int((results["state"] == "delivered").sum())
        print(f"replies, {sent:,} delivered rows (simulator over HTTP, one read in flight):")
        ledger = Ledger.open(client.base_url, "bench", folder=folder)
        found: list[pd.DataFrame] = []
        first = _timed("first read (every reply new)", lambda: found.append(
            replies(campaign.journal_path, client, ledger=ledger)))
        second = _timed("second read (nothing new)", lambda: found.append(
            replies(campaign.journal_path, client, ledger=ledger)))
        print(f"  {reply_summary_text(found[0])}")
        per = 1000 / max(1, sent)
        print(f"  per 1,000 delivered rows: first {first * per:.2f} s, second "
              f"{second * per:.2f} s ({first / max(1, sent) * 1000:.1f} ms a chat: the "
              "toolkit, HTTP and the journal); the real gateway adds about 1 s a read, "
              f"~{1000 / 60:.0f} min per 1,000 rows at one read in flight")
        ledger.close()


def main(argv: list[str]) -> None:
    count = int(argv[1]) if len(argv) > 1 else 10_000
    delivered = int(argv[2]) if len(argv) > 2 else 1_000
    bench_ledger(count)
    bench_reading(delivered)


if __name__ == "__main__":
    main(sys.argv)
