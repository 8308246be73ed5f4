"""Benchmark: how long ``miogram --help`` takes to answer, beside Python and pandas themselves.

Each command is run as a fresh process, ``repeat`` times (default 7), and the median wall time
printed side by side with its difference from ``python -c pass``: the target is ``miogram
--help`` and every ``miogram X --help`` within 0.15 s of a bare interpreter, which only holds
while no command imports pandas (or anything heavy) before it needs it. The ``miogram`` lines run
exactly what the installed console script runs (``from miogram_toolkit.cli import main``), with
this checkout first on the path. A script, not a test: timings never decide a test.

Example:
    $ .venv/bin/python benchmarks/bench_startup.py 7
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSOLE = ("import sys; from miogram_toolkit.cli import main; sys.argv = {argv!r}; "
           "sys.exit(main())")
TARGET_S = 0.15


def _commands() -> list[tuple[str, list[str]]]:
    def miogram(*args: str) -> list[str]:
        return [sys.executable, "-c", CONSOLE.format(argv=["miogram", *args])]

    return [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ('python -c "import pandas"', [sys.executable, "-c", "import pandas"]),
        ("miogram --help", miogram("--help")),
        ("miogram send --help", miogram("send", "--help")),
        ("miogram simulator --help", miogram("simulator", "--help")),
    ]


def median_seconds(argv: list[str], repeat: int) -> float:
    """The median wall time of ``repeat`` runs of ``argv`` (output thrown away)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                       check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(repeat: int = 7) -> int:
    rows = [(name, median_seconds(argv, repeat)) for name, argv in _commands()]
    bare = rows[0][1]
    print(f"start-up, median of {repeat} fresh processes (target: miogram within "
          f"{TARGET_S:.2f} s of python -c pass)")
    print(f"{'command':<28}{'median':>10}{'over bare':>12}")
    for name, seconds in rows:
        mark = ""
        if name.startswith("miogram"):
            mark = "  ok" if seconds - bare <= TARGET_S else "  OVER TARGET"
        print(f"{name:<28}{seconds:>9.3f}s{seconds - bare:>+11.3f}s{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 7))
