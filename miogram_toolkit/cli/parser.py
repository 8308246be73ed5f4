"""The ``miogram`` parser: one argparse tree, every command added by its own module.

A command module has one function, ``register(commands)``, that calls :meth:`Commands.add` once
per subcommand and adds that subcommand's flags. Adding a module to the command is one line in
:data:`COMMAND_MODULES`. The shared flags (``--quiet``, ``--debug``) come from one parent parser
given to every subcommand, so they work before or after the command's name; nothing reaches into
argparse's private attributes.

Command modules are imported to build the parser, so they import nothing heavy at module level
(pandas and the rest load inside the command's function): ``miogram --help`` stays fast.

Example:
    >>> parser = build_parser()
    >>> parser.parse_args(["clean", "c.xlsx", "--column", "Mobile"]).column
    'Mobile'
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

from miogram_toolkit.version import __version__

__all__ = ["COMMAND_MODULES", "Commands", "build_parser"]

#: The modules that add subcommands, in the order ``miogram --help`` lists them. One line each.
COMMAND_MODULES = (
    "miogram_toolkit.cli.commands",      # clean, credits, report, dashboard, demo
    "miogram_toolkit.cli.simulator",     # simulator
    "miogram_toolkit.cli.campaign",      # send, status, retry
    "miogram_toolkit.cli.replies",       # replies
)

_TOP_EXAMPLES = """\
examples:
  miogram demo                                   the whole job against its own simulator
  miogram clean contacts.xlsx --out clean.xlsx   clean a phone column, see what was rejected
  miogram send contacts.xlsx --message-file message.txt --dry-run
  miogram credits                                credits and limits of the account
  miogram report --out report.xlsx               the service's delivery report as a file

Without MIOGRAM_URL every command uses the built-in simulator (nothing leaves this machine; its
state is kept between commands: miogram simulator --where). To use the real service:
  export MIOGRAM_URL=https://miogram.net/dojob.php MIOGRAM_SECRET=...
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


class Commands:
    """What a command module's ``register`` is given: :meth:`add` makes one subcommand.

    Example:
        >>> parser = argparse.ArgumentParser(prog="miogram")
        >>> commands = Commands(parser.add_subparsers(dest="command"), _common())
        >>> hello = commands.add("hello", "say hello", "miogram hello", lambda args: 0)
        >>> parser.parse_args(["hello", "--quiet"]).quiet
        True
    """

    def __init__(self, subparsers: Any, common: argparse.ArgumentParser) -> None:
        self._subparsers = subparsers
        self._common = common

    def add(self, name: str, summary: str, example: str,
            func: Callable[[argparse.Namespace], int], **defaults: Any
            ) -> argparse.ArgumentParser:
        """Add the subcommand ``name``; return its parser for the command's own flags.

        Args:
            name: the word after ``miogram``.
            summary: one line for ``miogram --help`` (also the command's description).
            example: one command line shown under ``example:`` in the command's ``--help``.
            func: ``func(args) -> exit status``, run by :func:`miogram_toolkit.cli.main`.
            **defaults: further attributes of ``args`` for this command.
        """
        parser: argparse.ArgumentParser = self._subparsers.add_parser(
            name, parents=[self._common], help=summary, description=summary[0].upper()
            + summary[1:] + ".", epilog=f"example:\n  {example}", formatter_class=_Formatter)
        parser.set_defaults(func=func, **defaults)
        return parser


def build_parser() -> argparse.ArgumentParser:
    """The ``miogram`` parser with every subcommand of :data:`COMMAND_MODULES`.

    Example:
        >>> sorted(build_parser().parse_args(["status", "j.sqlite"]).__dict__)
        ['command', 'func', 'journal']
    """
    common = _common()
    parser = argparse.ArgumentParser(
        prog="miogram", parents=[common], formatter_class=_Formatter, epilog=_TOP_EXAMPLES,
        description="Clean contact sheets and run MioGram campaigns from the command line.")
    parser.add_argument("--version", action="version", version=f"miogram-toolkit {__version__}")
    commands = Commands(parser.add_subparsers(dest="command", metavar="COMMAND"), common)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser
