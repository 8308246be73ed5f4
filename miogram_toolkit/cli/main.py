"""The ``miogram`` command: a thin dispatcher over the toolkit's functions.

::

    argv ─► argparse (one sub-parser per command, each --help with an example)
         ─► the command's func(args) -> exit status      (bodies in miogram_toolkit.cli.commands,
                                                          send/status/retry from the campaign)
         ─► any toolkit error ─► one sentence on stderr, exit 1   (--debug: the traceback)

Without ``MIOGRAM_URL`` every command that talks to MioGram uses the built-in simulator and
says so on stderr; with it, ``MIOGRAM_SECRET`` must be set too.

Example:
    $ miogram --version
    $ miogram clean sample_data/contacts.xlsx --out clean.xlsx
    $ miogram demo --out out
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from miogram_toolkit.version import __version__

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "build_parser", "main", "one_sentence"]

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130
#: Exit statuses other than EXIT_ERROR, by exception class name (a paused campaign: 3).
_EXIT_STATUS: dict[str, int] = {"CampaignIncomplete": 3}

_TOP_EXAMPLES = """\
examples:
  miogram demo                                   the whole job against the built-in simulator
  miogram clean contacts.xlsx --out clean.xlsx   clean a phone column, see what was rejected
  miogram credits                                credits and limits of the account
  miogram report --out report.xlsx               the service's delivery report as a file

Without MIOGRAM_URL every command uses the built-in simulator (nothing leaves this machine).
To use the real service: export MIOGRAM_URL=https://miogram.net/dojob.php MIOGRAM_SECRET=...
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' line breaks."""


def _common() -> argparse.ArgumentParser:
    # SUPPRESS keeps a flag given before the command from being reset by the sub-parser.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bars or chatter, only results and errors")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback when a command fails")
    return common


def _add(sub: Any, common: argparse.ArgumentParser, name: str, summary: str,
         example: str) -> argparse.ArgumentParser:
    return sub.add_parser(name, parents=[common], help=summary, description=summary + ".",
                          epilog=f"example:\n  {example}", formatter_class=_Formatter)


def build_parser() -> argparse.ArgumentParser:
    """The ``miogram`` parser with every subcommand.

    Example:
        >>> parser = build_parser()
        >>> parser.parse_args(["clean", "c.xlsx", "--column", "Mobile"]).column
        'Mobile'
    """
    from miogram_toolkit.cli import commands

    common = _common()
    parser = argparse.ArgumentParser(
        prog="miogram", parents=[common], formatter_class=_Formatter, epilog=_TOP_EXAMPLES,
        description="Clean contact sheets and run MioGram campaigns from the command line.")
    parser.add_argument("--version", action="version", version=f"miogram-toolkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    clean = _add(sub, common, "clean", "clean the phone column of a contact sheet",
                 "miogram clean contacts.xlsx --sheet Contacts --out contacts_clean.xlsx")
    clean.add_argument("sheet", metavar="SHEET", help="contact file (.xlsx, .xlsm, .csv, .tsv, "
                       ".txt)")
    clean.add_argument("--column", "-c", help="the phone column (found by header or content "
                       "when not given)")
    clean.add_argument("--sheet", dest="sheet_name", metavar="NAME",
                       help="the workbook sheet to read (default: the first)")
    clean.add_argument("--region", default="IR", help="country for numbers written without "
                       "a country code (default: IR)")
    clean.add_argument("--out", "-o", metavar="FILE", help="where to write the cleaned rows, "
                       ".xlsx or .csv (default: SHEET's name + _clean.xlsx, here)")
    clean.set_defaults(func=commands.clean, column_option="--column")

    credits = _add(sub, common, "credits", "show the account's credits and limits as a table",
                   "MIOGRAM_URL=https://miogram.net/dojob.php MIOGRAM_SECRET=... miogram credits")
    credits.set_defaults(func=commands.credits)

    report = _add(sub, common, "report", "write the delivery report as a file and summarise it",
                  "miogram report --count 500 --out report.xlsx")
    report.add_argument("--count", "-n", type=int, default=999,
                        help="the newest N records of the service's log (1-999, default 999)")
    report.add_argument("--journal", "-j", metavar="J",
                        help="read the records a campaign harvested into its journal instead")
    report.add_argument("--out", "-o", metavar="FILE.xlsx|.csv",
                        help="write the records here (default: only the summary is printed)")
    report.set_defaults(func=commands.report)

    simulator = _add(sub, common, "simulator", "serve the MioGram simulator until Ctrl-C",
                     "miogram simulator --port 8765 --dialect document")
    simulator.add_argument("--port", type=int, default=8765, help="port (0 = a free one)")
    simulator.add_argument("--dialect", choices=("reference", "document"),
                           help="how the simulator answers: reference (the service's own "
                           "implementation, default) or document (the v1.2 document)")
    simulator.add_argument("--per-number-s", type=float, metavar="S",
                           help="a send's pause per number, like the gateway's (default 0)")
    simulator.add_argument("--seed", type=int, help="decides deliverable numbers and faults")
    simulator.add_argument("--state", metavar="FILE", help="keep the simulator's state here")
    simulator.set_defaults(func=commands.simulator)

    dashboard = _add(sub, common, "dashboard", "open the dashboard as a Voila page",
                     "miogram dashboard --port 8866")
    dashboard.add_argument("--port", type=int, default=8866, help="port for the page")
    dashboard.set_defaults(func=commands.dashboard)

    demo = _add(sub, common, "demo", "run the whole job against the built-in simulator: clean, "
                "send a personalised campaign, write the report and charts",
                "miogram demo --out out --contacts sample_data/contacts.xlsx")
    demo.add_argument("--out", "-o", default="out", metavar="DIR",
                      help="folder for the report and charts (default: out)")
    demo.add_argument("--contacts", metavar="SHEET",
                      help="contact workbook to use (default: the bundled sample)")
    demo.set_defaults(func=commands.demo)

    _register_campaign(sub, common)
    return parser


_CAMPAIGN_EXAMPLES = {
    "send": "miogram send contacts.xlsx --message 'سلام {name}' --opt-out contacts.xlsx "
            "--opt-out-sheet Unsubscribed --dry-run",
    "status": "miogram status miogram_journals/84011a001b5e2b92.sqlite",
    "retry": "miogram retry contacts.xlsx --message 'سلام {name}' --reason not_on_messenger",
}


def _register_campaign(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``send``, ``status`` and ``retry`` from the campaign room when it is installed."""
    try:
        module = importlib.import_module("miogram_toolkit.cli.campaign")
    except ModuleNotFoundError as exc:
        if exc.name not in ("miogram_toolkit.campaign", "miogram_toolkit.cli.campaign"):
            raise
        return
    before = set(sub.choices)
    module.register(sub)
    for name in sorted(set(sub.choices) - before):
        command = sub.choices[name]
        # the shared --quiet / --debug flags, and the phone-column hint where it applies
        for action in common._actions:
            if not any(opt in command._option_string_actions for opt in action.option_strings):
                command._add_action(action)
        if "--column" in command._option_string_actions:
            command.set_defaults(column_option="--column")
        if not command.epilog and name in _CAMPAIGN_EXAMPLES:
            command.epilog = f"example:\n  {_CAMPAIGN_EXAMPLES[name]}"
            command.formatter_class = _Formatter


def one_sentence(exc: BaseException, column_option: str | None = None) -> str:
    """The error as one sentence for a terminal: no traceback, no secret.

    ``column_option`` is the command's option naming the phone column: a hint to name one
    points at it, and is dropped for a command without one.

    Example:
        >>> one_sentence(FileNotFoundError(2, "No such file or directory", "c.xlsx"))
        "Cannot open 'c.xlsx': no such file or directory."
        >>> one_sentence(ValueError("--out must end in .xlsx or .csv"))
        '--out must end in .xlsx or .csv.'
    """
    if isinstance(exc, OSError) and exc.strerror:
        where = f" '{exc.filename}'" if exc.filename else ""
        text = f"Cannot open{where}: {exc.strerror[0].lower()}{exc.strerror[1:]}"
    else:
        text = str(exc).strip() or type(exc).__name__
    # A sentence on one line; the command-line words instead of the Python ones.
    hint = f" (name one with {column_option})" if column_option else ""
    text = " ".join(text.split()).replace(" (name one with phone_column=)", hint)
    secret = os.environ.get("MIOGRAM_SECRET", "").strip()
    if secret and len(secret) >= 4:
        text = text.replace(secret, "<hidden>")
    return text if text.endswith((".", "!", "?")) else text + "."


# Arguments that name a file to read, and what to call them when a folder is given instead.
_FILE_ARGUMENTS = (("sheet", "Contact file"), ("contacts", "Contact file"),
                   ("journal", "Journal"), ("message_file", "Message file"),
                   ("opt_out", "Opt-out file"), ("photo", "Photo"), ("video", "Video"),
                   ("file", "File"))


def _refuse_folders(args: argparse.Namespace) -> None:
    """A folder where a file is read is refused in one sentence, whichever command it is."""
    from miogram_toolkit.cli.commands import CommandError

    for name, what in _FILE_ARGUMENTS:
        value = getattr(args, name, None)
        if isinstance(value, str) and value and os.path.isdir(value):
            raise CommandError(f"{what} '{value}' is a folder; give the file inside it")


def _expected_errors() -> tuple[type[BaseException], ...]:
    from miogram_toolkit.protocol.errors import MioGramError
    from miogram_toolkit.sheets import ContactFileError

    return (MioGramError, ContactFileError, OSError, ValueError)


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
        _refuse_folders(args)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("miogram: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        if isinstance(exc, _expected_errors()):
            hint = getattr(args, "column_option", None)
            print(f"miogram {args.command}: {one_sentence(exc, hint)}",
                  file=sys.stderr)
            return _EXIT_STATUS.get(type(exc).__name__, EXIT_ERROR)
        else:
            print(f"miogram {args.command}: unexpected {type(exc).__name__}: "
                  f"{one_sentence(exc)} Run it again with --debug to see where.", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
