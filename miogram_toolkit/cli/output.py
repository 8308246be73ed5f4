"""What the commands share to talk to a person and to write files.

* :func:`say`: chatter on stderr (silent with ``--quiet``); results go to stdout.
* :func:`output_file`: an ``--out`` checked before any work (suffix, folder, an existing file
  kept unless ``--force``).
* :func:`write_table`: a frame written whole: ``.xlsx`` through the sheets room's writer, ``.csv``
  through :func:`miogram_toolkit.local.atomic_write` (never half a file under the name).

Example:
    >>> output_file("report.json", None)
    Traceback (most recent call last):
    ...
    miogram_toolkit.local.inputs.InputError: --out 'report.json' must end in .xlsx or .csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from miogram_toolkit.cli.errors import CommandError
from miogram_toolkit.local import atomic_write

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TABLE_SUFFIXES", "output_file", "say", "write_table"]

TABLE_SUFFIXES = (".xlsx", ".csv")


def say(args: argparse.Namespace, text: str) -> None:
    """Chatter for a person at a terminal (stderr; silent with ``--quiet``)."""
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr, flush=True)


def output_file(path: str | None, default: Path | None, option: str = "--out", *,
                force: bool | None = None) -> Path | None:
    """Where a table goes: an ``.xlsx`` or ``.csv`` path that is not a folder.

    Args:
        path: the user's ``--out`` (None: ``default``).
        default: the path used without ``--out`` (None: no file).
        option: the flag's name, for the message.
        force: None when the command always replaces its output; else an existing file is
            refused unless ``force`` is true (the ``--force`` flag).
    """
    out = default if path is None else Path(path)
    if out is None:
        return None
    shown = path if path is not None else str(out)
    if out.is_dir():
        raise CommandError(f"{option} '{shown}' is a folder; give a file name ending in .xlsx "
                           f"or .csv")
    if out.suffix.lower() not in TABLE_SUFFIXES:
        raise CommandError(f"{option} '{shown}' must end in .xlsx or .csv")
    if force is False and out.exists():
        raise CommandError(f"'{shown}' already exists; give another {option} or add --force "
                           f"to replace it")
    return out


def write_table(frame: pd.DataFrame, out: Path, sheet: str) -> Path:
    """Write ``frame`` whole to ``out`` (.xlsx with phones as text, or UTF-8 .csv for Excel)."""
    from miogram_toolkit.sheets import write_excel

    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() != ".csv":
        return write_excel({sheet: frame}, out)  # written whole, then renamed
    with atomic_write(out) as handle:
        frame.to_csv(handle, index=False, encoding="utf-8-sig")
    return out
