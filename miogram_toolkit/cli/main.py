"""The ``miogram`` command: parse, run the command's function, turn its failure into a status.

::

    argv ─► build_parser() (one sub-parser per command; see miogram_toolkit.cli.parser)
         ─► args.func(args) -> exit status
         ─► an error ─► one sentence on stderr, the status of its class (cli.errors)
                        (--debug: the traceback instead)
         ─► Ctrl-C   ─► "interrupted: run the same command again to continue", 130
         ─► stdout closed early (miogram credits | head -4) ─► quiet, 0

Without ``MIOGRAM_URL`` every command that talks to MioGram uses the built-in simulator and
says so on stderr; with it, ``MIOGRAM_SECRET`` must be set too.

Example:
    $ miogram --version
    $ miogram clean sample_data/contacts.xlsx --out clean.xlsx
    $ miogram demo --out out
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from miogram_toolkit.cli.errors import (
    EXIT_INTERRUPTED,
    exit_status,
    is_expected,
    one_sentence,
)
from miogram_toolkit.cli.parser import build_parser

__all__ = ["main"]

INTERRUPTED = "interrupted: run the same command again to continue."


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``miogram`` with ``argv`` (default: the process's); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.quiet = getattr(args, "quiet", False)
    args.debug = getattr(args, "debug", False)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"miogram {args.command}: {INTERRUPTED}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _quiet_after_broken_pipe()
    except Exception as exc:
        if args.debug:
            raise
        column = "--column" if "column" in vars(args) else None
        if is_expected(exc):
            print(f"miogram {args.command}: {one_sentence(exc, column)}", file=sys.stderr)
        else:
            print(f"miogram {args.command}: unexpected {type(exc).__name__}: "
                  f"{one_sentence(exc)} Run it again with --debug to see where.", file=sys.stderr)
        return exit_status(exc)


def _quiet_after_broken_pipe() -> int:
    # The reader went away (| head): nothing more can be said to it. Point stdout at devnull so
    # the interpreter's final flush does not complain about the pipe once more.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout replaced by a test's capture: nothing to redirect
        pass
    return 0
