"""What the commands share to talk to a person and to write files.

* :func:`say`: chatter on stderr (silent with ``--quiet``); results go to stdout.
* :func:`output_file`: an ``--out`` checked before any work (suffix, folder, an existing file
  kept unless ``--force``).
* :func:`write_table`: a frame written whole through the sheets room's one writer (``.xlsx``, or
  ``.csv`` made inert for spreadsheets), by way of :func:`miogram_toolkit.local.atomic_write`:
  never half a file under the name.

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

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TABLE_SUFFIXES", "column_refused", "output_file", "read_sheet", "say",
           "write_table"]

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


def read_sheet(path: Path, sheet: str | None, column: str | None) -> pd.DataFrame:
    """The contact sheet as ``--sheet`` and ``--column`` name it (see :func:`column_refused`)."""
    from miogram_toolkit.sheets import ContactFileError, read_contacts

    try:
        return read_contacts(path, sheet=sheet, phone_column=column)
    except ContactFileError as refused:
        raise column_refused(refused, path, sheet, column) from None


def column_refused(refused: Exception, path: Path, sheet: str | None,
                   column: str | None) -> Exception:
    """What to raise when reading ``path`` with ``--column`` was refused.

    A ``--column`` that no sheet has is said with the columns of the sheet that would be read
    without it (the user mistyped a column, not a sheet); any other refusal stays as it was.
    """
    from miogram_toolkit.sheets import ContactFileError, read_contacts
    from miogram_toolkit.sheets.errors import quoted

    if column is None:
        return refused
    try:
        frame = read_contacts(path, sheet=sheet)
    except ContactFileError:
        return refused
    if column in frame.columns:
        return refused
    return CommandError(f"Contact file '{path}' has no column '{column}'; its columns are "
                        f"{quoted(frame.columns)} (name one with --column)")


def write_table(frame: pd.DataFrame, out: Path, sheet: str, *, quiet: bool = False) -> Path:
    """Write ``frame`` whole to ``out`` through the sheets room's one table writer.

    ``.xlsx`` keeps phones as text; ``.csv`` is made inert for spreadsheets (a cell such as
    ``=HYPERLINK(…)`` gets a leading ``'``) with Tehran times. ``out`` was checked by
    :func:`output_file` before the work began, so it is replaced here.
    """
    from miogram_toolkit.sheets import write_table as write

    out.parent.mkdir(parents=True, exist_ok=True)
    return write({sheet: frame}, out, force=True, progress=False if quiet else None)
