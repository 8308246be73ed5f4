"""Read CSV, TSV and TXT contact files: every cell as text, every row kept.

* Encoding: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode Text"), otherwise
  Windows-1256 (Persian Excel's default).
* Delimiter: ``.tsv`` is tab; ``.csv`` and ``.txt`` sniff it from the header line (comma, tab,
  semicolon, pipe).
* Title rows above the header are skipped (:func:`~miogram_toolkit.sheets.detect.find_header_row`);
  a file whose first row already holds a phone number has no header (``column_1``...).
* A text cell starting with ``'`` before ``=``, ``+``, ``-``, ``@``, tab or carriage return loses
  that one quote: it is how the toolkit's CSV for people made the cell inert
  (:mod:`~miogram_toolkit.sheets.inert`), so its outputs read back as they were.
* A row with more fields than the header keeps them, in extra columns named like pandas names
  them (``Unnamed: 2``), and a :class:`ContactFileWarning` says how many rows had them.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "c.csv"
    ...     _ = path.write_text("Exported 2024-05-01\\nname,mobile\\nAli,09121000001\\n")
    ...     read_text(path, path.read_bytes(), ".csv").to_dict("list")
    {'name': ['Ali'], 'mobile': ['09121000001']}
"""

from __future__ import annotations

import csv
import io
import warnings
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from miogram_toolkit.sheets.detect import find_header_row
from miogram_toolkit.sheets.errors import ContactFileWarning, fail
from miogram_toolkit.sheets.inert import take_back

__all__ = ["read_text"]

_DELIMITERS = (",", "\t", ";", "|")


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"PK\x03\x04"):
        fail(path, "is an Excel workbook or other zip archive, not text; rename it to .xlsx")
    if b"\x00" in data[:65536]:
        fail(path, "is not a text spreadsheet (it contains binary data)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text = data.decode("cp1256", errors="replace")
    # cp1256 maps every byte to a character, so binary junk has to be caught by its controls.
    controls = sum(ch < " " and ch not in "\t\r\n" for ch in text[:65536])
    if controls > 0.01 * min(len(text), 65536):
        fail(path, "is not a text spreadsheet (it contains binary data)")
    return text, "cp1256"


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the top lines into the most fields (title lines have one)."""
    lines = [line for line in lines if line.strip()]
    counts = {
        d: max((len(next(csv.reader([line], delimiter=d), [])) for line in lines), default=0)
        for d in _DELIMITERS
    }
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties keep the earlier, more common one
    return best if counts[best] > 1 else ","


def _top_rows(text: str, sep: str) -> tuple[list[list[str]], list[int]]:
    """The first rows (csv-parsed) and the line each starts on (0-based)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    rows, starts, line = [], [], 0
    try:
        for row in islice(reader, 30):
            rows.append(row)
            starts.append(line)
            line = reader.line_num
    except csv.Error:
        pass  # a broken quote further down: the full read reports it
    return rows, starts


def read_text(path: Path, data: bytes, suffix: str) -> pd.DataFrame:
    """Read a text contact file's bytes into a frame of text (``attrs["encoding"]`` set)."""
    text, encoding = _decode(path, data)
    if not text.strip():
        fail(path, "is empty (only a byte-order mark or blank lines)")
    sep = "\t" if suffix == ".tsv" else _sniff_delimiter(text[:65536].splitlines()[:30])
    rows, starts = _top_rows(text, sep)
    header_row = find_header_row(rows)
    skip = starts[header_row] if header_row is not None else 0
    options: dict[str, Any] = {
        "sep": sep,
        "dtype": str,
        "index_col": False,  # a row longer than the header must not turn into an index
        "keep_default_na": False,  # "NA", "null", "None" are text in a contact sheet
        "na_values": [""],  # ... but an empty cell is missing, as it is in Excel
        "skiprows": skip,
        "header": None if header_row is None else 0,
    }
    try:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                df = pd.read_csv(io.StringIO(text), **options)
        except (pd.errors.ParserWarning, pd.errors.ParserError) as exc:
            if "EOF" in str(exc):  # an unclosed quote: not a ragged file, a broken one
                raise
            df = _read_ragged(path, text, options)
    except (pd.errors.ParserError, csv.Error) as exc:
        detail = str(exc).strip().splitlines()[-1].rstrip(".")
        fail(path, f"is not a well-formed {suffix[1:].upper()} file ({detail})")
    if header_row is None:
        df.columns = [f"column_{i + 1}" for i in range(df.shape[1])]
    else:
        df.columns = take_back(pd.Series(list(df.columns), dtype=object)).tolist()
    for i in range(df.shape[1]):  # the toolkit's own neutralising quote (sheets.inert)
        df.isetitem(i, take_back(df.iloc[:, i]))
    df.attrs["encoding"] = encoding
    if header_row:
        df.attrs["header_row"] = skip + 1  # the header's line number in the file
    # The row a spreadsheet shows for each record (blank lines and line breaks inside quoted
    # cells aside: a spreadsheet counts records, the text has lines).
    first = skip + (1 if header_row is None else 2)
    df.attrs["row_runs"] = ((first, first + len(df) - 1),) if len(df) else ()
    return df


def _read_ragged(path: Path, text: str, options: dict[str, Any]) -> pd.DataFrame:
    """Some rows are longer than the header: keep their extra cells in unnamed columns.

    Read with the csv module, as the C parser refuses such files; same cells as pandas gives
    (blank lines skipped, an empty field missing, everything else text as written).
    """
    reader = csv.reader(io.StringIO(text), delimiter=options["sep"])
    rows = [row for row in islice(reader, options["skiprows"], None) if any(row)]
    headerless = options["header"] is None
    header = [] if headerless else rows.pop(0)
    width = max(len(row) for row in [header, *rows])
    names = list(pd.read_csv(io.StringIO(text), nrows=0, **options).columns) if header else []
    names += [f"Unnamed: {i}" for i in range(len(names), width)]
    cells = [[c if c != "" else None for c in row] + [None] * (width - len(row)) for row in rows]
    df = pd.DataFrame(cells, columns=names, dtype=object).fillna(np.nan)
    longer = sum(len(row) > len(header) for row in rows) if header else 0
    if longer:
        warnings.warn(
            f"Contact file '{path}': {longer} row(s) have more fields than its "
            f"{len(header)} headers; their extra cells are kept in the columns "
            + ", ".join(repr(n) for n in names[len(header) :])
            + ".",
            ContactFileWarning,
            stacklevel=4,
        )
    return df
