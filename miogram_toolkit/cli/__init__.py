"""The ``miogram`` command: the parser, every subcommand, one error → exit-status map.

* :mod:`~miogram_toolkit.cli.main`: the parser and the dispatcher (``main``);
* :mod:`~miogram_toolkit.cli.commands`: ``clean``, ``credits``, ``report``, ``simulator``,
  ``dashboard``, ``demo``;
* :mod:`~miogram_toolkit.cli.campaign`: ``send``, ``status``, ``retry``.
"""

from __future__ import annotations

from miogram_toolkit.cli.main import EXIT_ERROR, EXIT_INTERRUPTED, build_parser, main, one_sentence

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "build_parser", "main", "one_sentence"]
