"""Benchmark: the simulator's state file — per-request cost and startup against the log's size.

For each size a state file is filled with that many report records (and as many history
messages, spread over 1,000 numbers), then, in this one run:

* startup: ``State.load`` of the file (median of 3);
* per request: the median of ``SendMessage`` (one record, one history message, one commit)
  and of ``APIGetReport`` of 100 records, in-process (no socket);
* the longest hold of the account's lock: one ``SendMessageMass`` to the most numbers a request
  may carry (``MAX_NUMBERS``), on the smallest file;
* the form parser's peak memory (tracemalloc) on a 60 MB body of short fields (``--form-mb``).

The ratio of the per-request cost at the largest size to the smallest is printed: it stays near
1 when a request does not grow with the log.

    python benchmarks/bench_simulator_state.py                 # 1k, 10k, 100k, 1M records
    python benchmarks/bench_simulator_state.py --sizes 1000,100000
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from miogram_toolkit.simulator.actions import perform
from miogram_toolkit.simulator.app import MAX_NUMBERS, SimulatorApp
from miogram_toolkit.simulator.app import _parse_form as parse_form
from miogram_toolkit.simulator.state import State

SECRET = "benchsecret"
PHONE = "+989120000001"
_RECORD = ('{"Id":%d,"Time":"2026-01-31T12:00:00.000Z","Func":"SendMessageMass",'
           '"Phone":"+98935%07d","Robot":"MioBot1","Channel":"telegram","Kind":"Message",'
           '"Delivered":true,"Charged":1,"Message":"Salam, your order %d is ready",'
           '"File":null,"Reason":null}')
_MESSAGE = '{"out":true,"date":1769860800,"text":"Salam, your order %d is ready"}'


def build(path: Path, records: int) -> None:
    """A state file holding ``records`` report records and history messages."""
    state = State(path=path, secret=SECRET, credits={"Message": 10 ** 9},
                  on_messenger=[PHONE])
    state.close()
    db = sqlite3.connect(path)
    batch = 100_000
    for start in range(1, records + 1, batch):
        ids = range(start, min(start + batch, records + 1))
        db.executemany("INSERT INTO reports (id, record) VALUES (?, ?)",
                       ((i, _RECORD % (i, i % 1000, i)) for i in ids))
        db.executemany("INSERT OR IGNORE INTO dialogs (agent, phone) VALUES ('MioBot1', ?)",
                       ((f"+98935{i % 1000:07d}",) for i in ids if i <= 1000))
        db.executemany("INSERT INTO messages (id, agent, phone, shown, entry) "
                       "VALUES (?, 'MioBot1', ?, 1769860800, ?)",
                       ((i, f"+98935{i % 1000:07d}", _MESSAGE % i) for i in ids))
        db.commit()
    db.executemany("INSERT INTO deliveries (phone, count) VALUES (?, ?)",
                   ((f"+98935{p:07d}", records // 1000) for p in range(1000)))
    db.commit()
    db.close()
    state = State.load(path)
    with state.edit():
        state.next_ids.update(report=records + 1, message=records + 1)
        state.tallies["delivered"] = records
    state.close()


def per_request(state: State, fields: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = perform(state, {"Secret": SECRET, **fields}, "127.0.0.1")
        times.append(time.perf_counter() - started)
        assert answer.get("Status") != "error", answer
    return statistics.median(times)


def measure(records: int, repeat: int, min_records: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.sqlite"
        started = time.perf_counter()
        build(path, records)
        built = time.perf_counter() - started
        loads = []
        for _ in range(3):
            started = time.perf_counter()
            state = State.load(path)
            loads.append(time.perf_counter() - started)
            state.close()
        state = State.load(path)
        send = per_request(state, {"Func": "SendMessage", "Phone": PHONE,
                                   "Message": "benchmark"}, repeat)
        report = per_request(state, {"Func": "APIGetReport", "Misc": "100"}, repeat)
        assert state.report_count() == records + repeat
        mass = 0.0
        if records == min_records:
            numbers = ",".join(f"+98936{n:07d}" for n in range(MAX_NUMBERS))
            started = time.perf_counter()
            perform(state, {"Secret": SECRET, "Func": "SendMessageMass", "Phone": numbers,
                            "Message": "mass"}, "127.0.0.1")
            mass = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        state.close()
    return {"records": records, "build_s": built, "startup_ms": statistics.median(loads) * 1e3,
            "send_ms": send * 1e3, "report_ms": report * 1e3, "file_mb": size, "mass_s": mass}


def form_memory(megabytes: int) -> tuple[int, int, int]:
    """Peak memory (tracemalloc) on a body of ``megabytes`` MB of short distinct fields: of the
    form parser alone, and of the whole in-process request (body read, parsed, answered)."""
    body = b"&".join(b"f%d=1" % i for i in range(megabytes * 1024 * 1024 * 10 // 108))
    peaks = []
    app = SimulatorApp(State(secret=SECRET))
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/dojob.php", "REMOTE_ADDR": "127.0.0.1",
               "CONTENT_LENGTH": str(len(body))}
    for run in (lambda: parse_form({}, body),
                lambda: b"".join(app({**environ, "wsgi.input": io.BytesIO(body)},
                                     lambda *a: None))):
        tracemalloc.start()
        try:
            run()
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return len(body), peaks[0], peaks[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000",
                        help="report-log sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=200, help="requests timed per size")
    parser.add_argument("--form-mb", type=int, default=60,
                        help="size of the short-fields body the form parser reads (MB)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = [measure(size, args.repeat, min(sizes)) for size in sizes]
    print(f"{'records':>10} {'startup ms':>11} {'send ms':>8} {'report(100) ms':>15} "
          f"{'file MB':>8} {'fill s':>7}")
    for row in rows:
        print(f"{row['records']:>10,} {row['startup_ms']:>11.1f} {row['send_ms']:>8.2f} "
              f"{row['report_ms']:>15.2f} {row['file_mb']:>8.1f} {row['build_s']:>7.1f}")
    first, last = rows[0], rows[-1]
    print(f"per-request ratio {last['records']:,} / {first['records']:,} records: "
          f"send {last['send_ms'] / first['send_ms']:.2f}x, "
          f"report {last['report_ms'] / first['report_ms']:.2f}x")
    print(f"one Mass of {MAX_NUMBERS:,} numbers (the longest lock hold): "
          f"{first['mass_s']:.2f} s")
    size, parsing, whole = form_memory(args.form_mb)
    print(f"a {size / 2**20:.0f} MB body of short fields: form parser peak "
          f"{parsing / 2**20:.1f} MB ({parsing / size:.2f}x the body), whole in-process request "
          f"{whole / 2**20:.1f} MB ({whole / size:.2f}x; the issue saw ~900 MB before)")

if __name__ == "__main__":
    main()
