"""Run the simulator as a process until SIGINT or SIGTERM.

The first line printed is ``MIOGRAM_URL=<url> MIOGRAM_SECRET=<secret>`` (flushed at once), so a
script can read where to connect; nothing else about requests is ever printed.

Example:
    $ python -m miogram_toolkit.simulator --port 8765 --state sim.sqlite --seed 7
    MIOGRAM_URL=http://127.0.0.1:8765/dojob.php MIOGRAM_SECRET=k2v9...
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from miogram_toolkit.local.signals import wait_for_stop
from miogram_toolkit.simulator import DIALECTS, Simulator
from miogram_toolkit.simulator.faults import FAULT_KINDS, parse_kinds
from miogram_toolkit.simulator.replies import DEFAULT_RATE
from miogram_toolkit.simulator.store import StateFileError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m miogram_toolkit.simulator",
                                     description="A local MioGram service (v1.2).")
    parser.add_argument("--port", type=int, default=8765, help="port (0 = a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--secret", help="the account's secret (random by default; a state "
                        "file's own secret wins)")
    parser.add_argument("--state", metavar="FILE", help="persist the state in this SQLite file")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="pause before each request is processed")
    parser.add_argument("--fault-rate", type=float, default=0.0,
                        help="share of requests that meet a fault (0..1)")
    parser.add_argument("--faults", default=",".join(FAULT_KINDS), type=parse_kinds,
                        help=f"fault kinds, comma-separated (default: {','.join(FAULT_KINDS)})")
    parser.add_argument("--late-answer-s", type=float, default=35.0,
                        help="how long a late_answer fault holds the answer")
    parser.add_argument("--seed", type=int, default=0,
                        help="decides deliverable numbers and faults")
    parser.add_argument("--unreachable-share", type=float, default=0.1,
                        help="share of numbers not on the messenger (0..1)")
    parser.add_argument("--dialect", choices=DIALECTS, default=DIALECTS[0],
                        help="answer as the service's own implementation does (reference, the "
                        "default) or as the v1.2 document says (document)")
    parser.add_argument("--per-number-s", type=float, default=0.0,
                        help="a send's pause per number before it answers (the gateway's pace)")
    parser.add_argument("--gateway-timeout-s", type=float, default=60.0,
                        help="how long the endpoint waits for its gateway before it answers "
                        "999 while the numbers are still sent (reference dialect; default 60)")
    parser.add_argument("--clock-offset-s", type=float, default=0.0,
                        help="the service's clock runs this many seconds ahead of ours")
    parser.add_argument("--log-rows", type=int, default=0,
                        help="start a new account whose report log already holds N old rows")
    parser.add_argument("--replies", nargs="?", type=float, const=DEFAULT_RATE, default=0.0,
                        metavar="SHARE", help="recipients answer (a share of them, default "
                        f"{DEFAULT_RATE} when given without a value)")
    parser.add_argument("--error-codes", action="store_true",
                        help="add the numeric Code to error answers (document dialect)")
    parser.add_argument("--inspect", action="store_true",
                        help="serve GET /_simulator/state (credits, counts, deliveries per "
                        "number; off by default)")
    parser.add_argument("--no-inspect", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        sim = Simulator(secret=args.secret, host=args.host, port=args.port,
                        state_file=args.state, latency_ms=args.latency_ms,
                        fault_rate=args.fault_rate, faults=args.faults, seed=args.seed,
                        inspect=args.inspect and not args.no_inspect,
                        late_answer_s=args.late_answer_s, error_codes=args.error_codes,
                        dialect=args.dialect, per_number_s=args.per_number_s,
                        gateway_timeout_s=args.gateway_timeout_s,
                        clock_offset_s=args.clock_offset_s, log_rows=args.log_rows,
                        replies=args.replies or False,
                        unreachable_share=args.unreachable_share)
    except (StateFileError, ValueError, OSError) as exc:
        # One line, no traceback: a foreign or damaged --state file, a port in use, a setting
        # out of range…
        print(f"error: {exc}", file=sys.stderr)
        return 2

    try:
        print(f"MIOGRAM_URL={sim.url} MIOGRAM_SECRET={sim.secret}", flush=True)
        wait_for_stop()
    finally:
        sim.stop()
        sim.state.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
