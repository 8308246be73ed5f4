"""``read_contacts``: any contact sheet in, a frame of text out, nothing lost or guessed.

Every cell comes back as text (``str``) or missing (``NaN``), so ``09121234567`` keeps its
leading zero and nothing is guessed. Empty cells are missing; words such as ``NA``, ``null`` or
``None`` stay the text they are (a name can be ``Nan``). Every row and column is kept; fully
blank rows are not contacts and are skipped. Title rows above the header are skipped; a sheet
whose first row already holds a phone number has no header (``column_1``, ``column_2``...).
A file with a header and no rows is a valid, empty sheet; a file with nothing in it is an error.

The formats: CSV/TSV/TXT (:mod:`~miogram_toolkit.sheets.text`), and ``.xlsx``, ``.xlsm``,
``.xls``, ``.ods`` workbooks (:mod:`~miogram_toolkit.sheets.workbook`); the phone column is
found by :mod:`~miogram_toolkit.sheets.detect`.

Example:
    >>> from miogram_toolkit.demo import sample_path
    >>> df = read_contacts(sample_path("contacts.csv"))
    >>> df.attrs["phone_column"], df.attrs["encoding"]
    ('mobile', 'utf-8')
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from miogram_toolkit.sheets.detect import find_phone_column
from miogram_toolkit.sheets.errors import ContactFileError, fail, quoted
from miogram_toolkit.sheets.text import read_text
from miogram_toolkit.sheets.workbook import WORKBOOK_EXTENSIONS, read_workbook

__all__ = ["SUPPORTED_EXTENSIONS", "read_contacts"]

SUPPORTED_EXTENSIONS = (".csv", ".tsv", ".txt", *WORKBOOK_EXTENSIONS)


def read_contacts(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    phone_column: str | None = None,
    region: str = "IR",
) -> pd.DataFrame:
    """Read a contact sheet into a DataFrame of text, without losing leading zeros.

    Args:
        path: a ``.csv``, ``.tsv``, ``.txt``, ``.xlsx``, ``.xlsm``, ``.xls`` or ``.ods`` file.
        sheet: workbooks only: a sheet name or 0-based position; when None, the first visible
            worksheet that holds a phone column.
        phone_column: the column with the phone numbers; found by header and content when None.
        region: the region numbers without a country code belong to, for judging content.

    Returns:
        A new DataFrame; ``attrs["phone_column"]`` names the phone column and ``attrs["source"]``
        the file (plus ``attrs["sheet"]`` for workbooks, ``attrs["encoding"]`` for text files,
        ``attrs["header_row"]`` when title rows stood above the header).

    Raises:
        ContactFileError: one sentence naming the file and the problem: missing or empty file,
            unsupported extension, missing sheet (every sheet listed), missing or undetectable
            phone column, or a file that is not really a spreadsheet.

    Example:
        >>> from miogram_toolkit.demo import sample_path
        >>> df = read_contacts(sample_path("contacts.xlsx"), sheet="Unsubscribed")
        >>> df.attrs["phone_column"]
        'Phone'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        fail(
            path,
            f"has the unsupported extension {suffix or '(none)'!r}; supported are "
            f"{', '.join(SUPPORTED_EXTENSIONS)}",
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        fail(path, "does not exist")
    except IsADirectoryError:
        fail(path, "is a directory, not a file")
    except OSError as exc:
        fail(path, f"cannot be read ({exc.strerror or exc})")
    if not data.strip():
        fail(path, "is empty" + (" (0 bytes)" if not data else " (only blank lines)"))

    if suffix in WORKBOOK_EXTENSIONS:
        df = read_workbook(path, data, suffix, sheet, phone_column, region)
    else:
        if sheet is not None:
            fail(path, f"is a text file with no sheets, so sheet={sheet!r} cannot be used")
        df = read_text(path, data, suffix)

    df.attrs["source"] = str(path)
    if phone_column is None:
        try:
            phone_column = find_phone_column(df, region)
        except ContactFileError:
            where = f" in sheet {df.attrs['sheet']!r}" if "sheet" in df.attrs else ""
            fail(
                path,
                f"has no phone-like column{where}; its columns are {quoted(df.columns)} "
                "(name one with phone_column=)",
            )
    elif phone_column not in df.columns:
        fail(path, f"has no column {phone_column!r}; its columns are {quoted(df.columns)}")
    df.attrs["phone_column"] = phone_column
    return df
