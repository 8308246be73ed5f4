"""The ``miogram`` command.

Example:
    $ miogram --version
    $ miogram demo --out out
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from miogram_toolkit import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="miogram",
        description="Clean contact sheets and run MioGram campaigns from the command line.",
    )
    parser.add_argument("--version", action="version", version=f"miogram-toolkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help="run the end-to-end demo against the built-in simulator")
    demo.add_argument("--out", default="out", help="folder for the report and charts")
    demo.add_argument("--contacts", default=None,
                      help="contact sheet to use (default: the bundled sample)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "demo":
        from miogram_toolkit.demo import run_demo

        return run_demo(args.out, contacts=args.contacts)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse guards this
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
