"""Benchmark: what a journal commit costs, one file (rollback journal) beside WAL.

The journal is one file at every instant (``journal_mode=DELETE``): each commit writes the
database file itself and creates and removes a small ``-journal`` file. The first format used
WAL, where a copy of the ``.sqlite`` alone could lack every commit. This prints, side by side,
the time of the commit a campaign makes before each request (a chunk of 40 rows taken from
``pending`` to ``in_flight`` by a compare-and-set, with its request row), in both modes, without
and with ``fsync`` (``durable=True``, the default for a real service) — and beside it what a
request costs at the service: the gateway spends about a second on each number, so a chunk of 40
takes ~40 s.

A script, not a test: run ``python benchmarks/bench_journal.py [chunks]``.

Example:
    $ .venv/bin/python benchmarks/bench_journal.py 300
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from miogram_toolkit.campaign.journal import Journal
from miogram_toolkit.campaign.journal_adopt import adopt
from miogram_toolkit.campaign.plan import Content, build_plan

CHUNK = 40


def _journal(folder: Path, name: str, rows: int, *, wal: bool, durable: bool) -> Journal:
    journal = Journal(folder / f"{name}.sqlite", durable=durable)
    if wal:  # the first format's mode, for comparison only
        journal._db.execute("PRAGMA journal_mode=WAL")
        journal._db.execute(f"PRAGMA synchronous={'NORMAL' if durable else 'OFF'}")
    frame = pd.DataFrame({"mobile": [f"+98912{3000000 + i}" for i in range(rows)]})
    adopt(journal, build_plan(frame, Content.text("Hi")),
          {"campaign_id": name, "func": "SendMessageMass", "template": "Hi"})
    journal.acquire()
    return journal


def _per_commit(journal: Journal, chunks: int) -> float:
    found = journal.pending_chunks()[:chunks]
    started = time.perf_counter()
    for chunk, text_id, rows in found:
        request = journal.begin_request(rows, chunk=chunk, agent="MioBot1",
                                        func="SendMessageMass",
                                        phones=",".join(e for _, e in rows), text_id=text_id,
                                        deadline=0.0, watermark=0)
        journal.settle(request, {row: ("delivered", None) for row, _ in rows},
                       request_state="answered", defer=True)
    journal.flush()
    return (time.perf_counter() - started) / max(1, len(found))


def main() -> None:
    chunks = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    print(f"one commit per request (a chunk of {CHUNK} taken in flight, the last one's outcome "
          f"with it), {chunks} requests; a request of {CHUNK} at the service takes ~{CHUNK} s")
    print(f"{'mode':<28}{'durable=False':>16}{'durable=True':>16}{'share of a request':>22}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, wal in (("one file (rollback journal)", False), ("WAL (first format)", True)):
            costs = []
            for durable in (False, True):
                name = f"{'wal' if wal else 'one'}-{int(durable)}"
                journal = _journal(folder, name, chunks * CHUNK, wal=wal, durable=durable)
                try:
                    costs.append(_per_commit(journal, chunks))
                finally:
                    journal.close()
            share = costs[1] / CHUNK
            print(f"{label:<28}{costs[0] * 1000:>13.2f} ms{costs[1] * 1000:>13.2f} ms"
                  f"{share * 100:>20.4f} %")


if __name__ == "__main__":
    main()
