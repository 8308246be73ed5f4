"""Read workbooks (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``): cells as the text the sheet shows.

Cell values are read with calamine (``python-calamine``, a Rust reader; many times faster than
openpyxl: ``benchmarks/bench_sheets.py``). Rules:

* Text stays text as written (``"09121234567"`` keeps its zero); empty cells are missing (so
  may be a cell of spaces only, which calamine reads as empty unless the file marks the spaces
  as kept, as Excel does).
* Numbers: a whole number is written as its digits (``9121234567.0`` -> ``"9121234567"``) up
  to 2**53, beyond which a float no longer holds every digit and keeps its float spelling
  (``"1.2345678901234567e+19"``, which the phone engine calls ``rounded``). Other numbers use
  Python's shortest repr; booleans are ``TRUE``/``FALSE``; dates and times ISO text.
* Zero-padding number formats (``00000000000``, how sheets show ``09121234567`` on a numeric
  cell): calamine does not report number formats, so when an ``.xlsx``/``.xlsm`` workbook
  defines such a format, that sheet is read with openpyxl, which does, and the padding Excel
  shows is kept. In ``.xls`` and ``.ods`` files these formats are not seen: such cells come
  back as their digits without the padding.
* Sheet choice: ``sheet=None`` takes the first visible worksheet that holds a phone column (by
  content, then by header), skipping instruction pages and chart sheets; ``attrs["sheet"]``
  records the choice. Errors list every sheet, hidden and chart sheets marked.
* The header is found under title rows
  (:func:`~miogram_toolkit.sheets.detect.find_header_row`); ``attrs["header_row"]`` then gives
  its row number in the sheet (1-based, as the spreadsheet shows it).

Example:
    >>> from miogram_toolkit.demo import sample_path
    >>> path = sample_path("contacts.xlsx")
    >>> read_workbook(path, path.read_bytes(), ".xlsx", "Unsubscribed").attrs["sheet"]
    'Unsubscribed'
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from miogram_toolkit.sheets.detect import (
    find_header_row,
    header_rank,
    phone_column_by_content,
)
from miogram_toolkit.sheets.errors import fail

__all__ = ["WORKBOOK_EXTENSIONS", "read_typed_sheets", "read_workbook", "row_runs"]

WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
_ZIP_BASED = (".xlsx", ".xlsm", ".ods")
_EXACT_FLOAT = 2.0**53
_PADDING = re.compile(r'formatCode="(0+)"')


def cell_text(value: Any, pad: int = 0) -> Any:
    """One cell as the text the sheet shows, or NaN when empty.

    Example:
        >>> cell_text(9121234567.0), cell_text(9121234567, pad=11), cell_text(True)
        ('9121234567', '09121234567', 'TRUE')
    """
    if isinstance(value, str):
        return value if value != "" else np.nan
    if value is None:
        return np.nan
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return np.nan
        if isinstance(value, int) or (value.is_integer() and abs(value) < _EXACT_FLOAT):
            text = str(int(value))
            return text.zfill(pad) if pad and value >= 0 else text
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _check_signature(path: Path, data: bytes, suffix: str) -> None:
    if suffix == ".xls":
        if data.startswith(b"PK\x03\x04"):
            fail(path, "is a zip-based workbook (.xlsx or .ods), not .xls; rename it")
        if not data.startswith(b"\xd0\xcf\x11\xe0"):
            fail(path, "is not a real .xls workbook")
        return
    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            fail(
                path,
                f"is an old .xls or password-protected workbook, not {suffix}; "
                "rename it to .xls, or save it again as .xlsx or .csv",
            )
        kind = "a PNG image" if data.startswith(b"\x89PNG") else "not a zip-based workbook"
        fail(path, f"is not a real {'Excel workbook' if suffix != '.ods' else 'ODS file'} "
             f"(it is {kind})")


class _Sheet:
    """One sheet of the workbook: name, kind, visibility, and its rows when read."""

    def __init__(self, name: str, chart: bool, hidden: bool) -> None:
        self.name, self.chart, self.hidden = name, chart, hidden

    def label(self) -> str:
        marks = [m for m, on in (("hidden", self.hidden), ("chart", self.chart)) if on]
        return repr(self.name) + (f" ({', '.join(marks)})" if marks else "")


def read_workbook(
    path: Path,
    data: bytes,
    suffix: str,
    sheet: str | int | None,
    phone_column: str | None = None,
    region: str = "IR",
) -> pd.DataFrame:
    """Read one sheet of a workbook into a frame of text (``attrs["sheet"]`` set).

    Args:
        path: the file (for messages).
        data: its bytes.
        suffix: its lower-case extension.
        sheet: a sheet name, a 0-based position, or None to choose the sheet with phones.
        phone_column: with ``sheet=None``, choose the first sheet that has this column.
        region: the region used to judge phone columns when choosing a sheet.
    """
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    _check_signature(path, data, suffix)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            _Sheet(m.name, m.typ != SheetTypeEnum.WorkSheet, m.visible != SheetVisibleEnum.Visible)
            for m in book.sheets_metadata
        ]
    except (CalamineError, OSError, ValueError, zipfile.BadZipFile) as exc:
        kind = "ODS file" if suffix == ".ods" else "Excel workbook"
        fail(path, f"is not a readable {kind} ({type(exc).__name__}: {exc})")
    listing = ", ".join(s.label() for s in sheets) or "(none)"
    padded = _padding_formats(data) if suffix in (".xlsx", ".xlsm") else False

    def frame(chosen: _Sheet) -> pd.DataFrame | None:
        if chosen.chart:
            return None
        rows: list[list[Any]] | np.ndarray
        if padded:
            rows = _openpyxl_rows(path, data, chosen.name)
        else:
            try:
                values = book.get_sheet_by_name(chosen.name).to_python(skip_empty_area=False)
            except CalamineError as exc:
                fail(path, f"has a sheet {chosen.name!r} that cannot be read ({exc})")
            rows = _texts(values)
        return _rows_to_frame(rows, chosen.name)

    if sheet is not None:
        chosen = _pick(path, sheets, sheet, listing)
        df = frame(chosen)
        if df is None:
            fail(path, f"has nothing to read in sheet {chosen.label()}; its sheets are {listing}")
        return df
    order = [s for s in sheets if not s.hidden] + [s for s in sheets if s.hidden]
    by_header: pd.DataFrame | None = None
    for candidate in order:
        df = frame(candidate)
        if df is None:
            continue
        if phone_column is not None:
            if phone_column in df.columns:
                return df
            continue
        if phone_column_by_content(df, region) is not None:
            return df
        if by_header is None and any(header_rank(c) is not None for c in df.columns):
            by_header = df
    if by_header is not None:
        return by_header
    wanted = f"column {phone_column!r}" if phone_column is not None else "phone-like column"
    fail(path, f"has no {wanted} in any sheet; its sheets are {listing} (choose one with sheet=)")


def _pick(path: Path, sheets: list[_Sheet], sheet: str | int, listing: str) -> _Sheet:
    names = [s.name for s in sheets]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not -len(names) <= sheet < len(names):
            fail(path, f"has no sheet number {sheet}; its sheets are {listing}")
        return sheets[sheet]
    if sheet in names:
        return sheets[names.index(sheet)]
    fail(path, f"has no sheet {sheet!r}; its sheets are {listing}")


def _grid(rows: list[list[Any]]) -> np.ndarray:
    """Rows (of any lengths) as a 2-D object array."""
    width = max((len(row) for row in rows), default=0)
    grid = np.empty((len(rows), width), dtype=object)
    grid[:] = np.nan
    for i, row in enumerate(rows):
        grid[i, : len(row)] = row
    return grid


def _texts(values: list[list[Any]]) -> np.ndarray:
    """calamine's cell values as :func:`cell_text` gives them, a column at a time."""
    grid = _grid(values)
    for j in range(grid.shape[1]):
        column = grid[:, j]
        cells = column.tolist()
        text = np.fromiter((type(v) is str and v != "" for v in cells), bool, len(cells))
        number = np.fromiter((type(v) is float for v in cells), bool, len(cells))
        blank = np.fromiter((v == "" for v in cells), bool, len(cells))
        out = np.full(len(column), np.nan, dtype=object)
        out[text] = column[text]
        floats = np.flatnonzero(number)
        if len(floats):
            numbers = column[floats].astype(np.float64)
            whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
            whole &= np.abs(numbers) < _EXACT_FLOAT
            out[floats[whole]] = numbers[whole].astype(np.int64).astype(str).astype(object)
            rest = floats[~whole]
            out[rest] = [cell_text(v) for v in column[rest].tolist()]
        other = np.flatnonzero(~text & ~number & ~blank)
        out[other] = [cell_text(v) for v in column[other].tolist()]
        grid[:, j] = out
    return grid


def _rows_to_frame(rows: list[list[Any]] | np.ndarray, name: str,
                   typed: np.ndarray | None = None) -> pd.DataFrame | None:
    """The sheet's frame under its header; ``typed`` (the same grid as cell values) gives the
    cells their values instead of their texts."""
    grid = rows if isinstance(rows, np.ndarray) else _grid(rows)
    filled = ~pd.isna(grid) if grid.size else np.zeros(grid.shape, dtype=bool)
    numbers = np.flatnonzero(filled.any(axis=1))
    if len(numbers) == 0:
        return None
    # Formatting can stretch a sheet's dimensions; drop columns with neither header nor data.
    width = int(np.flatnonzero(filled.any(axis=0)).max()) + 1
    grid = grid[numbers, :width]
    header_row = find_header_row(grid[:30].tolist())
    first = 0 if header_row is None else header_row + 1
    if header_row is None:
        columns = [f"column_{i + 1}" for i in range(width)]
    else:
        columns = unique_headers(grid[header_row].tolist())
    if typed is None:
        df = pd.DataFrame(grid[first:], columns=columns, dtype=object)
    else:
        df = _typed_frame(typed[numbers[first:], :width], columns)
    df.attrs["sheet"] = name
    if header_row:
        df.attrs["header_row"] = int(numbers[header_row]) + 1
    df.attrs["row_runs"] = row_runs(numbers[first:] + 1)
    return df


def row_runs(rows: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Sheet row numbers as runs of consecutive rows (``[2, 3, 4, 7]`` → ``((2, 4), (7, 7))``).

    Kept in ``attrs["row_runs"]``: a few numbers however long the sheet, so the row a person
    sees in the spreadsheet can be named (:func:`~miogram_toolkit.sheets.rows.sheet_rows`).

    Example:
        >>> row_runs(np.array([2, 3, 4, 7]))
        ((2, 4), (7, 7))
    """
    if len(rows) == 0:
        return ()
    breaks = np.flatnonzero(np.diff(rows) != 1)
    starts = np.r_[rows[0], rows[breaks + 1]]
    ends = np.r_[rows[breaks], rows[-1]]
    return tuple((int(a), int(b)) for a, b in zip(starts, ends, strict=True))


def _typed_frame(values: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """Cell values as typed columns: numbers, dates and booleans stay what the sheet holds."""
    pieces = {}
    for j, name in enumerate(columns):
        column = pd.Series(values[:, j], dtype=object).infer_objects()
        if column.dtype.kind == "f":
            finite = column.dropna()
            # A column of whole numbers (an order count, a year) stays whole, not 3.0.
            if len(finite) and bool((finite == finite.round()).all()) and \
                    bool((finite.abs() < _EXACT_FLOAT).all()):
                # numpy's int64 when no cell is empty (written fastest), else nullable Int64
                column = column.astype("int64" if len(finite) == len(column) else "Int64")
        pieces[name] = column
    return pd.DataFrame(pieces)


def read_typed_sheets(path: Path, data: bytes, suffix: str) -> dict[str, pd.DataFrame | None]:
    """Every sheet of a workbook, in order, as typed frames (None: a chart or empty sheet).

    Headers and rows are found exactly as :func:`read_workbook` finds them, so the chosen
    sheet's rows line up with the text frame read from it; the cells keep their values
    (numbers, dates, booleans; formulas give the value the workbook saved).

    Example:
        >>> from miogram_toolkit.demo import sample_path
        >>> path = sample_path("contacts.xlsx")
        >>> sheets = read_typed_sheets(path, path.read_bytes(), ".xlsx")
        >>> list(sheets), sheets["Unsubscribed"]["Date"].iloc[0]
        (['Contacts', 'Unsubscribed'], datetime.date(2024, 6, 1))
    """
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

    _check_signature(path, data, suffix)
    out: dict[str, pd.DataFrame | None] = {}
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                out[meta.name] = None  # chart sheets are not carried
                continue
            values = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            typed = _grid(values)
            typed[typed == ""] = np.nan
            out[meta.name] = _rows_to_frame(_texts(values), meta.name, typed)
    except (CalamineError, OSError, ValueError, zipfile.BadZipFile) as exc:
        kind = "ODS file" if suffix == ".ods" else "Excel workbook"
        fail(path, f"is not a readable {kind} ({type(exc).__name__}: {exc})")
    return out


def unique_headers(cells: list[Any]) -> list[str]:
    """Header names as pandas' CSV reader makes them (``Unnamed: 2``, ``phone.1``), so a sheet
    and its CSV export give the same columns.

    Example:
        >>> unique_headers(["phone", float("nan"), "phone"])
        ['phone', 'Unnamed: 1', 'phone.1']
    """
    seen: dict[str, int] = {}
    headers = []
    for i, cell in enumerate(cells):
        name = f"Unnamed: {i}" if pd.isna(cell) else str(cell)
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        headers.append(name)
    return headers


def _padding_formats(data: bytes) -> bool:
    """Whether an .xlsx defines a zero-padding number format (``00000000000``)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            styles = archive.read("xl/styles.xml")
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
    return any(len(m) > 1 for m in _PADDING.findall(styles.decode("utf-8", "replace")))


def _openpyxl_rows(path: Path, data: bytes, name: str) -> list[list[Any]]:
    """The sheet's rows with openpyxl, which reports each cell's number format."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        fail(path, f"is not a readable Excel workbook ({type(exc).__name__}: {exc})")
    try:
        worksheet = book[name]
        # Some exporters write a wrong size tag; read the rows that are really there instead.
        worksheet.reset_dimensions()
        return [[_openpyxl_text(c) for c in row] for row in worksheet.iter_rows()]
    finally:
        book.close()


def _openpyxl_text(cell: Any) -> Any:
    value = cell.value
    fmt = getattr(cell, "number_format", "") or ""
    # A zero-padding format is how sheets show 09121234567 on a numeric cell.
    pad = len(fmt) if isinstance(value, int | float) and re.fullmatch(r"0+", fmt) else 0
    return cell_text(value, pad)
