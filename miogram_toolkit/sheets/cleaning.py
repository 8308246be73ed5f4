"""Clean a contact file into a new one that keeps everything it was given.

:func:`clean_workbook` is what ``miogram clean`` does:

* the phone column is read as text (leading zeros kept) and cleaned; ``e164``, ``phone_status``
  and ``phone_reason`` (in words: "Duplicate of row 7", "Not a mobile number") stand right
  after it;
* every other column keeps its type and values: numbers stay numbers, dates stay dates,
  formulas give the value the workbook saved;
* the other sheets are kept (their cell values; charts and formatting are not carried), the
  cleaned sheet keeps its name and place;
* ``.xls``/``.ods`` inputs are written as ``.xlsx``; a CSV input gives a CSV by default, written
  for people (:func:`~miogram_toolkit.sheets.write_csv`);
* an existing output is replaced only with ``force=True`` (``--force``).

::

    workbook ─► read_contacts (phone column as text) ─┐
             └► read_typed_sheets (every sheet typed) ─┴► clean_phones ─► e164/status/reason
                                                           beside the phone ─► write_table

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from miogram_toolkit.demo import sample_path
    >>> out = Path(tempfile.mkdtemp()) / "clean.xlsx"
    >>> done = clean_workbook(sample_path("contacts.xlsx"), out, progress=False)
    >>> done.sheet, done.column, list(done.sheets)
    ('Contacts', 'mobile', ['Contacts', 'Unsubscribed'])
    >>> list(done.frame.columns)[2:6]
    ['mobile', 'e164', 'phone_status', 'phone_reason']
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.phones import clean_phones
from miogram_toolkit.protocol.reasons import describe
from miogram_toolkit.sheets.csv_writer import write_table
from miogram_toolkit.sheets.output import check_target, progress_bar
from miogram_toolkit.sheets.reading import read_contacts
from miogram_toolkit.sheets.rows import sheet_rows
from miogram_toolkit.sheets.workbook import WORKBOOK_EXTENSIONS, read_typed_sheets

__all__ = ["CleanedFile", "clean_workbook", "phone_reasons"]

_ADDED = ("e164", "phone_status", "phone_reason", "phone_extension")
_BIG_FILE = 5 * 2**20  # bytes: from here on reading and cleaning show their steps


@dataclass
class CleanedFile:
    """What :func:`clean_workbook` wrote.

    Attributes:
        path: the file written.
        sheet: the cleaned sheet's name (None for a CSV input).
        column: the phone column.
        frame: the cleaned sheet as written (every row, with the added columns).
        sheets: the names of every sheet written, in order.
        left_out: sheets not written (chart sheets; every other sheet when the output is CSV).
    """

    path: Path
    sheet: str | None
    column: str
    frame: pd.DataFrame
    sheets: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def phone_reasons(cleaned: pd.DataFrame) -> pd.Series:
    """``phone_status`` in words, a duplicate naming the spreadsheet row of its first copy.

    Sendable rows have no reason (an empty cell).

    Example:
        >>> frame = pd.DataFrame({"p": ["09121234567", "x", "+989121234567"]})
        >>> phone_reasons(clean_phones(frame, "p")).tolist()
        [None, 'Invalid number', 'Duplicate of row 2']
    """
    status = cleaned["phone_status"].astype("string")
    reasons = ("phone_" + status).map(lambda code: describe(code) if isinstance(code, str)
                                      else None).astype(object)
    reasons[(status == "ok").fillna(False)] = None  # a sendable number needs no reason
    duplicate = (status == "duplicate").fillna(False)
    if duplicate.any():
        rows = sheet_rows(cleaned)
        first = cleaned.loc[(status == "ok").fillna(False)]
        first_row = dict(zip(first["e164"], rows.loc[first.index], strict=True))
        reasons[duplicate] = [describe(f"duplicate_of:{first_row[number]}")
                              if number in first_row else describe("phone_duplicate")
                              for number in cleaned.loc[duplicate, "e164"]]
    return pd.Series(reasons.to_numpy(), index=cleaned.index, name="phone_reason",
                     dtype=object)


def _beside(cleaned: pd.DataFrame, column: str) -> pd.DataFrame:
    """The added columns moved right after the phone column."""
    added = [name for name in _ADDED if name in cleaned.columns and name != column]
    rest = [name for name in cleaned.columns if name not in added]
    at = rest.index(column) + 1
    return cleaned[rest[:at] + added + rest[at:]]


def _clean(src: Path, column: str | None, sheet: str | int | None, region: str,
           mobile_only: bool, steps: Any
           ) -> tuple[pd.DataFrame, str | None, dict[str, pd.DataFrame | None]]:
    """The cleaned sheet (attrs of the read), its name, and every sheet typed (workbooks)."""
    contacts = read_contacts(src, sheet=sheet, phone_column=column, region=region)
    column = str(contacts.attrs["phone_column"])
    name = contacts.attrs.get("sheet")
    sheets: dict[str, pd.DataFrame | None] = {}
    frame = contacts
    if src.suffix.lower() in WORKBOOK_EXTENSIONS and name is not None:
        sheets = read_typed_sheets(src, src.read_bytes(), src.suffix.lower())
        typed = sheets.get(name)
        # The typed read finds the same rows; should a sheet ever differ (a padding format
        # read through openpyxl), its text frame is cleaned instead: nothing is lost.
        if typed is not None and typed.shape == contacts.shape and \
                list(typed.columns) == list(contacts.columns):
            frame = typed.assign(**{column: contacts[column].to_numpy()})
    steps.update(1)
    steps.set_description_str(f"cleaning {len(frame):,} rows")
    cleaned = clean_phones(frame, column, region, mobile_only=mobile_only)
    cleaned["phone_reason"] = phone_reasons(cleaned)
    cleaned = _beside(cleaned, column)
    cleaned.attrs = dict(contacts.attrs)
    steps.update(1)
    steps.set_description_str("writing")
    return cleaned, name, sheets


def _default_output(source: Path) -> Path:
    suffix = ".xlsx" if source.suffix.lower() in WORKBOOK_EXTENSIONS else ".csv"
    return source.with_name(f"{source.stem}_clean{suffix}")


def clean_workbook(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    column: str | None = None,
    sheet: str | int | None = None,
    region: str = "IR",
    mobile_only: bool = True,
    force: bool = False,
    progress: bool | None = None,
) -> CleanedFile:
    """Clean the phone column of a contact file into a new file that keeps the rest.

    Args:
        source: a ``.csv``/``.tsv``/``.txt``, ``.xlsx``/``.xlsm``, ``.xls`` or ``.ods`` file.
        output: the ``.xlsx`` or ``.csv`` to write; by default ``<name>_clean.xlsx`` beside a
            workbook, ``<name>_clean.csv`` beside a text file.
        column: the phone column (found by header and content when None).
        sheet: the sheet to clean (the first with a phone column when None).
        region: the region numbers without a country code belong to.
        mobile_only: only mobile numbers are ``ok``.
        force: replace an existing output (otherwise refused before anything is read).
        progress: True/False to show progress (the steps, then the rows written); None shows
            it for big files and sheets only; the commands' ``--quiet`` turns it off.

    Returns:
        A :class:`CleanedFile` (the path, the sheet and column, the cleaned frame).

    Raises:
        ContactFileError: one sentence naming the file: unreadable input, missing column or
            sheet (the choices listed), an existing output without ``force``
            (:class:`~miogram_toolkit.sheets.OutputExists`), an output that is not .xlsx/.csv.
    """
    src = Path(source)
    target = check_target(_default_output(src) if output is None else output,
                          (".xlsx", ".csv"), force=force)
    # Reading and cleaning as steps (a big file is big before its rows are counted), then the
    # writer's own bar over the rows.
    big = progress if progress is not None else (
        src.is_file() and src.stat().st_size >= _BIG_FILE)
    steps = progress_bar(3, f"cleaning {src.name}", big, unit="step")
    steps.set_description_str(f"reading {src.name}")
    try:
        cleaned, name, sheets = _clean(src, column, sheet, region, mobile_only, steps)
    finally:
        steps.close()
    column = str(cleaned.attrs["phone_column"])
    written: dict[str, pd.DataFrame] = {}
    left_out: list[str] = []
    if name is None:
        written["contacts"] = cleaned
    else:
        for sheet_name, typed_sheet in (sheets or {name: cleaned}).items():
            if sheet_name == name:
                written[sheet_name] = cleaned
            elif typed_sheet is None:
                left_out.append(sheet_name)
            else:
                written[sheet_name] = typed_sheet
    if target.suffix.lower() == ".csv":
        left_out += [n for n in written if n != (name or "contacts")]
        written = {name or "contacts": cleaned}
    write_table(written, target, force=True, progress=progress)
    return CleanedFile(path=target, sheet=name, column=column, frame=cleaned,
                       sheets=list(written), left_out=left_out)
