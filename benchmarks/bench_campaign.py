"""Benchmark: campaign throughput and pacing against the threaded simulator, side by side.

(a) 100,000 recipients, no per-number delay: ``Campaign.run`` (journal, reconciliation-ready
    report archive, preflight) against a bare ``requests.Session`` loop posting the same chunks
    (40 numbers, agents rotated), and the toolkit's ``Client`` alone posting them (what the
    campaign is built on). Each gets a fresh threaded simulator in a process of its own (as the
    service is), they alternate, twice, and the faster run of each counts (the machine is
    shared). The simulator's default dialect (the
    real service's: one report row per Mass request) decides the ratio; the document dialect's
    (a report row per number, so 100,000 rows to harvest) is printed too. Target: ratio >= 0.9.
    Each line also gives this process's CPU per request in its best run: the sender's own cost
    without the simulator's, so campaign and client overhead show apart from the service's time
    (and from a busy machine's noise).
(b) the gateway's per-number time scaled down 50x (``per_number_s=0.02``): one request in
    flight (the default) against its limit of 1 / 0.02 = 50 numbers a second (target >= 90%),
    and ``max_in_flight`` = 1, 2, 4 with 4 agents (target: >= 3.5x at 4). Pacing is off here
    (``rate_per_minute=None``): the limit measured is the service's, not the bucket's.
(c) pacing: configured against measured messages per minute per agent (target within 5%),
    measured between the first and the last request of the steady state, and how many
    messages each agent sent in the first 2 seconds (one request: the pace has no burst).
(d) the dry run's estimate against the measured run (target within 20%), with the gateway at
    the vendor's pace (``per_number_s=1.0``, what the estimate assumes): a personalised
    campaign (one request per row) at the default pace, and a chunked one.

A script, not a test: ``python benchmarks/bench_campaign.py [recipients] [parts]`` (parts:
``abcd`` by default; ``a`` for (a) only).
"""

from __future__ import annotations

import inspect
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import requests

from miogram_toolkit.campaign import Campaign
from miogram_toolkit.client import Client
from miogram_toolkit.simulator import Simulator

TEXT = "سلام! A campaign benchmark message."


def frame(count: int) -> pd.DataFrame:
    numbers = [f"+98912{i:07d}" for i in range(count)]
    return pd.DataFrame({"e164": numbers, "phone_status": "ok"})


def simulator(**options: object) -> Simulator:
    # The separate-process run counts deliveries through the inspection endpoint (off unless
    # asked for).
    return Simulator(seed=1, credits={"Message": 10_000_000}, inspect=True,
                     **options)  # type: ignore[arg-type]


@contextmanager
def service(**options: Any) -> Iterator[tuple[str, str]]:
    """A threaded simulator in a forked process: ``(url, secret)``."""
    context = multiprocessing.get_context("fork")
    mine, theirs = context.Pipe()

    def serve() -> None:
        with simulator(**options) as sim:
            theirs.send((sim.url, sim.secret))
            theirs.recv()

    process = context.Process(target=serve, daemon=True)
    process.start()
    try:
        yield mine.recv()
    finally:
        mine.send("stop")
        process.join(timeout=30)


def deliveries(url: str) -> dict[str, int]:
    inspect_url = url.replace("/dojob.php", "/_simulator/state")
    return dict(requests.get(inspect_url, timeout=60).json()["deliveries"])


def bare_loop(count: int, dialect: str, chunk: int = 40) -> tuple[float, float]:
    """(seconds, CPU seconds of this process) for a plain requests.Session loop posting every
    chunk, agents rotated."""
    numbers = frame(count)["e164"].tolist()
    with service(dialect=dialect) as (url, secret), requests.Session() as session:
        agents = ["MioBot1", "MioBot2", "MioBot3"]
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, count, chunk):
            answer = session.post(url, data={
                "Secret": secret, "Func": "SendMessageMass",
                "Phone": ",".join(numbers[i:i + chunk]), "Message": TEXT,
                "Robot": agents[(i // chunk) % len(agents)]}, timeout=60).json()
            assert isinstance(answer.get("Result"), dict), answer
        return time.perf_counter() - start, time.process_time() - cpu


def client_loop(count: int, dialect: str, chunk: int = 40) -> tuple[float, float]:
    """(seconds, CPU seconds of this process) for the toolkit's Client alone posting every
    chunk, agents rotated."""
    numbers = frame(count)["e164"].tolist()
    with service(dialect=dialect) as (url, secret), Client(secret, base_url=url) as client:
        agents = ["MioBot1", "MioBot2", "MioBot3"]
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, count, chunk):
            client.send_message_mass(numbers[i:i + chunk], TEXT,
                                     robot=agents[(i // chunk) % len(agents)])
        return time.perf_counter() - start, time.process_time() - cpu


def timed_campaign(client: Client, count: int, folder: str,
                   deliveries_of: Callable[[], dict[str, int]],
                   **options: Any) -> tuple[float, float, int, float]:
    """(seconds to plan, seconds to run, numbers delivered, CPU seconds of this process while
    running) for a Campaign of ``count``."""
    start = time.perf_counter()
    campaign = Campaign(frame(count), TEXT, client=client, rate_per_minute=None,
                        journal=os.path.join(folder, f"j{time.time_ns()}.sqlite"), **options)
    planned, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = campaign.run(progress=False)
    done, cpu = time.perf_counter(), time.process_time() - cpu
    assert results["state"].isin(["delivered", "failed"]).all()
    assert max(deliveries_of().values()) == 1
    return planned - start, done - planned, int((results["state"] == "delivered").sum()), cpu


def campaign_run(count: int, folder: str, dialect: str) -> tuple[float, float, float]:
    """(seconds to plan, seconds to run, CPU seconds running) for a Campaign of ``count`` in
    its own service."""
    with service(dialect=dialect) as (url, secret), Client(secret, base_url=url) as client:
        # The served simulator is an account with a ledger: kept in the run's temporary folder,
        # not one more file per port in the user's data folder.
        client.ledger_folder = folder  # type: ignore[attr-defined]
        planned, ran, _, cpu = timed_campaign(client, count, folder, lambda: deliveries(url))
        return planned, ran, cpu


def toolkit(count: int, folder: str, **options: Any) -> tuple[float, float, int]:
    """(seconds to plan, seconds to run, numbers delivered) for a Campaign of ``count``."""
    sim_options = {k: options.pop(k) for k in ("per_number_s", "agents", "dialect")
                   if k in options}
    with simulator(**sim_options) as sim, Client.to(sim) as client:
        client.ledger_folder = folder  # type: ignore[attr-defined]
        planned, ran, delivered, _ = timed_campaign(
            client, count, folder, lambda: sim.inspect()["deliveries"], **options)
        return planned, ran, delivered


def part_a(count: int, folder: str) -> None:
    print(f"(a) {count:,} recipients, 40 per request, no per-number delay (best of 2 each; "
          "CPU: this process's own, of that best run, per request — the simulator's is not "
          "in it)")
    requests_made = -(-count // 40)
    for dialect in ("reference", "document"):
        bare = client = run_s = (float("inf"), 0.0)
        plan_s = 0.0
        for _ in range(2):
            bare = min(bare, bare_loop(count, dialect))
            client = min(client, client_loop(count, dialect))
            planned, ran, cpu = campaign_run(count, folder, dialect)
            if ran < run_s[0]:
                run_s, plan_s = (ran, cpu), planned
        for name, (seconds, cpu) in (("bare requests.Session loop", bare),
                                     ("the toolkit's Client alone", client),
                                     ("Campaign.run with journal", run_s)):
            print(f"    [{dialect}] {name:27s}: {seconds:6.2f} s "
                  f"({count / seconds:,.0f} numbers/s; CPU {cpu / requests_made * 1000:.2f} "
                  "ms a request)")
        bare, client, run_s = bare[0], client[0], run_s[0]
        print(f"    [{dialect}] planning the campaign (clean, suppress, chunk): {plan_s:.2f} s")
        print(f"    [{dialect}] ratio Campaign / bare loop: {bare / run_s:.2f}"
              f"{'   target >= 0.90' if dialect == 'reference' else ''}; "
              f"Campaign / Client alone: {client / run_s:.2f}; Client / bare: "
              f"{bare / client:.2f}")


def part_b(folder: str) -> None:
    if "per_number_s" not in inspect.signature(Simulator).parameters:
        print("(b) skipped: this simulator has no per_number_s")
        return
    per = 0.02
    count = 600
    _, seconds, _ = toolkit(count, folder, per_number_s=per)
    limit = 1 / per
    print(f"(b) per_number_s={per}: {count} recipients, default (one request in flight)")
    print(f"    {count / seconds:.1f} numbers/s of a limit of {limit:.0f}: "
          f"{count / seconds / limit:.0%}   target >= 90%")
    agents = ["A1", "A2", "A3", "A4"]
    rates = {}
    for lanes in (1, 2, 4):
        _, seconds, _ = toolkit(count * lanes, folder, per_number_s=per, agents=agents,
                                max_in_flight=lanes)
        rates[lanes] = count * lanes / seconds
        print(f"    max_in_flight={lanes} with 4 agents: {rates[lanes]:6.1f} numbers/s "
              f"({rates[lanes] / rates[1]:.2f}x)")
    print(f"    speed-up at 4: {rates[4] / rates[1]:.2f}x   target >= 3.5x")


def part_c(folder: str) -> None:
    print("(c) pacing: configured vs measured messages per minute per agent")
    for rate, agents, chunk in ((1200.0, ["MioBot1"], 10), (2400.0, ["MioBot1", "MioBot2"], 20)):
        count = int(rate / 60 * 12) * len(agents)  # about 12 s of sending
        journal = os.path.join(folder, f"pace{time.time_ns()}.sqlite")
        with simulator() as sim, Client.to(sim) as client:
            client.ledger_folder = folder  # type: ignore[attr-defined]
            Campaign(frame(count), TEXT, client=client, rate_per_minute=rate, robots=agents,
                     chunk_size=chunk, journal=journal).run(progress=False)
        with sqlite3.connect(journal) as db:
            rows = db.execute("SELECT agent, started_at, size FROM requests "
                              "ORDER BY id").fetchall()
        first = rows[0][1]
        for agent in agents:
            mine = [(t, n) for a, t, n in rows if a == agent]
            early = sum(n for t, n in mine if t - first < 2.0)
            # Steady state: from the first request to the last, the numbers before the last.
            span = mine[-1][0] - mine[0][0]
            sent = sum(n for _, n in mine[:-1])
            measured = sent / span * 60
            print(f"    {agent}: configured {rate:7.1f}/min, measured {measured:7.1f}/min "
                  f"({measured / rate - 1:+.1%})   target within 5%; in the first 2 s: "
                  f"{early} messages (the pace allows {chunk + rate / 30:.0f}: one request, "
                  "then the rate)")


def part_d(folder: str) -> None:
    print("(d) the dry run's estimate against the run, the gateway at 1 s a number")
    cases = (("personalised, 24 rows, 3 agents, 20/min each", 24, "Hi {name}", 40, 20.0),
             ("one text, 40 rows in chunks of 5, 3 agents, 60/min each", 40, TEXT, 5, 60.0))
    for label, count, message, chunk, rate in cases:
        contacts = frame(count).assign(name=[f"N{i}" for i in range(count)])
        journal = os.path.join(folder, f"estimate{time.time_ns()}.sqlite")
        with simulator(per_number_s=1.0) as sim, Client.to(sim) as client:
            client.ledger_folder = folder  # type: ignore[attr-defined]
            campaign = Campaign(contacts, message, client=client, rate_per_minute=rate,
                                chunk_size=chunk, journal=journal)
            plan = campaign.dry_run()
            sizes = plan.groupby("chunk").size()
            starts = plan["planned_at"]
            estimate = (starts.max() - starts.min()).total_seconds() + int(sizes.iloc[-1])
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                campaign.run(progress=False)
            measured = time.perf_counter() - start
        print(f"    {label}: estimated {estimate:5.1f} s, measured {measured:5.1f} s "
              f"({measured / estimate - 1:+.1%})   target within 20%")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    parts = sys.argv[2] if len(sys.argv) > 2 else "abcd"
    with tempfile.TemporaryDirectory() as folder:
        if "a" in parts:
            part_a(count, folder)
        if "b" in parts:
            part_b(folder)
        if "c" in parts:
            part_c(folder)
        if "d" in parts:
            part_d(folder)


if __name__ == "__main__":
    main()
