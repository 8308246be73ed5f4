"""The two dialects side by side: the cost of reading either, and a Mass at the gateway's pace.

Run: ``python benchmarks/bench_dialects.py``. Prints figures measured in one run; decides nothing.

1. The same requests through the in-process simulator in each dialect (a single send, a 40-number
   Mass, the credits, a 100-row report): milliseconds per call and the reference/document ratio.
2. A 100-number Mass against a simulator pacing 0.02 s a number, with a 1 s base timeout: how
   long it took against the client's allowance (``read_timeout(100)``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from miogram_toolkit.client import Client
from miogram_toolkit.simulator import Simulator

NUMBERS = [f"+98912{i:07d}" for i in range(40)]


def per_call_ms(run: Callable[[], object], repeat: int = 200) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def calls(dialect: str) -> dict[str, float]:
    sim = Simulator(dialect=dialect, start=False, seed=7)
    with Client.to(sim, retries=0) as client:
        for i in range(100):
            client.send_message(NUMBERS[i % 40], "warm-up")
        return {
            "send_message": per_call_ms(lambda: client.send_message(NUMBERS[0], "سلام")),
            "send_message_mass(40)": per_call_ms(
                lambda: client.send_message_mass(NUMBERS, "سلام"), 50),
            "get_credits": per_call_ms(client.get_credits),
            "get_report(100)": per_call_ms(lambda: client.get_report(100)),
        }


def paced_mass() -> tuple[float, float]:
    numbers = [f"+98912{i:07d}" for i in range(100)]
    with Simulator(dialect="reference", per_number_s=0.02, seed=7) as sim, \
            Client.to(sim, timeout=1, retries=0) as client:
        started = time.perf_counter()
        client.send_message_mass(numbers, "x")
        return time.perf_counter() - started, client.read_timeout(100)


def main() -> None:
    reference, document = calls("reference"), calls("document")
    print(f"{'call':<24}{'reference ms':>14}{'document ms':>14}{'ratio':>8}")
    for name in reference:
        print(f"{name:<24}{reference[name]:>14.2f}{document[name]:>14.2f}"
              f"{reference[name] / document[name]:>8.2f}")
    took, allowed = paced_mass()
    print(f"100-number Mass at 0.02 s a number: answered in {took:.2f} s; the client allowed "
          f"{allowed:.0f} s ({took / allowed:.1%} of it)")


if __name__ == "__main__":
    main()
