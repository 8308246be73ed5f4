"""The ``miogram`` command: the parser, every subcommand, one error → exit-status map.

* :mod:`~miogram_toolkit.cli.main`: ``main``, the dispatcher;
* :mod:`~miogram_toolkit.cli.parser`: the parser, and the one list of command modules;
* :mod:`~miogram_toolkit.cli.errors`: the exit status of each error class, the one-sentence form;
* :mod:`~miogram_toolkit.cli.output`: chatter, ``--out`` checks, whole-file table writes;
* :mod:`~miogram_toolkit.cli.commands`: ``clean``, ``credits``, ``report``, ``dashboard``,
  ``demo``; :mod:`~miogram_toolkit.cli.simulator`: ``simulator``;
  :mod:`~miogram_toolkit.cli.campaign`: ``send``, ``status``, ``retry``.
"""

from __future__ import annotations

from miogram_toolkit.cli.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_PAUSED, one_sentence
from miogram_toolkit.cli.main import main
from miogram_toolkit.cli.parser import build_parser

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_PAUSED", "build_parser", "main",
           "one_sentence"]
