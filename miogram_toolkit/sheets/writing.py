"""Write frames to ``.xlsx`` with phone columns stored as text, fast and without surprises.

Rows are streamed with XlsxWriter's ``constant_memory`` mode (a few times faster than openpyxl,
memory flat in the row count: ``benchmarks/bench_sheets.py``). Every check that can fail is made
before the first byte is written, and the workbook goes to an unpredictable temporary file in the
target folder (:func:`~miogram_toolkit.local.atomic_write`) that is renamed into place at the
end, so a failed write never leaves half a workbook and never replaces a good one. The file gets
the normal mode a new file gets (the umask decides) unless ``private=True``.

Example:
    >>> import tempfile
    >>> df = pd.DataFrame({"name": ["Sara"], "e164": ["+989121000001"]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_excel(df, Path(folder) / "clean.xlsx").name
    'clean.xlsx'
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from miogram_toolkit.local import atomic_write
from miogram_toolkit.sheets.detect import header_rank, phone_column_by_content
from miogram_toolkit.sheets.errors import ContactFileError, quoted
from miogram_toolkit.sheets.output import check_target, progress_bar

__all__ = ["write_excel"]

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MAX_TEXT = 32767  # Excel's limit on one cell's text
_NOT_CELLS = (list, tuple, dict, set, frozenset, np.ndarray, pd.Series, pd.DataFrame)


def _phone_columns(df: pd.DataFrame, given: list[str] | None) -> set[Any]:
    if given is not None:
        return {col for col in df.columns if col in given}
    found = {col for col in df.columns if str(col).casefold() == "e164"}
    if df.attrs.get("phone_column") in df.columns:
        found.add(df.attrs["phone_column"])
    for i, col in enumerate(df.columns):
        if header_rank(col) is None:
            continue
        values = df.iloc[:, i]
        # "Number of orders" stays numeric; text columns and numbers that are phones don't.
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if not numeric or phone_column_by_content(df.iloc[:1000, [i]]) is not None:
            found.add(col)
    return found


def _phone_text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _header_text(column: Any) -> str:
    return " ".join(map(str, column)) if isinstance(column, tuple) else str(column)


def _check(path: Path, name: str, frame: pd.DataFrame) -> None:
    """Everything that would stop the write half-way, checked before it starts."""
    if not 0 < len(name) <= 31 or _SHEET_FORBIDDEN.search(name):
        raise ContactFileError(
            f"Cannot write '{path}': {name!r} is not a valid Excel sheet name "
            "(1-31 characters, none of [ ] : * ? / \\).",
            path=path,
        )
    for i, column in enumerate(frame.columns):
        values = frame.iloc[:, i]
        if values.dtype != object:
            continue
        for row, value in enumerate(values.tolist()):
            if isinstance(value, _NOT_CELLS):
                raise ContactFileError(
                    f"Cannot write '{path}': column {_header_text(column)!r} of sheet {name!r} "
                    f"holds a {type(value).__name__} in row {row + 1}, not a cell value "
                    "(turn it into text first, e.g. with .astype(str)).",
                    path=path,
                )
            if isinstance(value, str) and len(value) > _MAX_TEXT:
                raise ContactFileError(
                    f"Cannot write '{path}': column {_header_text(column)!r} of sheet {name!r} "
                    f"holds {len(value):,} characters in row {row + 1}, more than the "
                    f"{_MAX_TEXT:,} an Excel cell can take.",
                    path=path,
                )


def write_excel(
    frames: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    phone_columns: Iterable[str] | None = None,
    force: bool = True,
    private: bool = False,
    progress: bool | None = None,
) -> Path:
    """Write one or more DataFrames to an ``.xlsx`` file with phone columns stored as text.

    Phone cells get string values and the text number format ``@``, so Excel shows
    ``+989121234567`` and ``09121234567`` instead of ``9.89E+11`` and ``9121234567``, and keeps
    them text when a user edits them. Phone columns are ``phone_columns`` when given (in every
    sheet that has them); otherwise, per sheet, the ``e164`` column, ``attrs["phone_column"]``
    and columns whose header names a phone (unless they hold plain non-phone numbers).

    Other cells keep their type; text that starts with ``=`` is stored as text, never a formula.
    The index is written only when it is named (``df.rename_axis("id")``); headers are bold and
    frozen, column widths fit the content (8-60 characters).

    Args:
        frames: A DataFrame (written to sheet ``Sheet1``) or a mapping of sheet name to DataFrame.
        path: The ``.xlsx`` file to create or replace; its folder must exist.
        phone_columns: Column names to store as text instead of detecting them.
        force: replace an existing file (the default here; :func:`~miogram_toolkit.sheets.
            write_table` and :func:`~miogram_toolkit.sheets.clean_workbook` refuse unless told).
        private: owner-only (0600) instead of the mode the umask gives.
        progress: True/False to show a progress bar or not; None shows one for big sheets.

    Returns:
        The path written.

    Raises:
        ContactFileError: one sentence naming the file (and the sheet and column where one is
            at fault): a path that is not ``.xlsx`` or whose folder is missing, an invalid sheet
            name, a named phone column that no sheet has, a cell holding a list (or another
            container), a text longer than Excel takes, or the disk refusing the file.

    Example:
        >>> import tempfile
        >>> df = pd.DataFrame({"name": ["Sara"], "mobile": ["09121000001"]})
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_excel({"contacts": df}, Path(folder) / "out.xlsx").suffix
        '.xlsx'
    """
    path = check_target(path, (".xlsx",), force=force, what="Excel output")
    sheets = {"Sheet1": frames} if isinstance(frames, pd.DataFrame) else dict(frames)
    given = None if phone_columns is None else [str(c) for c in phone_columns]
    if given is not None:
        missing = [c for c in given if not any(c in df.columns for df in sheets.values())]
        if missing:
            every = dict.fromkeys(c for df in sheets.values() for c in df.columns)
            raise ContactFileError(
                f"Cannot write '{path}': no sheet has the phone column(s) {quoted(missing)}; "
                f"the columns are {quoted(every)}.",
                path=path,
            )
    prepared = []
    for name, frame in sheets.items():
        if any(frame.index.names):
            frame = frame.reset_index()
        _check(path, str(name), frame)
        prepared.append((str(name), frame, _phone_columns(frame, given)))

    rows = sum(len(frame) for _, frame, _ in prepared)
    bar = progress_bar(rows, f"writing {path.name}", progress)
    try:
        with atomic_write(path, private=private) as handle:
            _write(handle, prepared, bar)
    except OSError as exc:
        raise ContactFileError(
            f"Cannot write '{path}': {exc.strerror or exc}.", path=path
        ) from None
    finally:
        bar.close()
    return path


def _write(target: IO[bytes], sheets: list[tuple[str, pd.DataFrame, set[Any]]],
           bar: Any) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    try:
        bold = book.add_format({"bold": True})
        text = book.add_format({"num_format": "@"})
        formats = {
            "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "time": book.add_format({"num_format": "hh:mm:ss"}),
            "timedelta": book.add_format({"num_format": "[h]:mm:ss"}),
        }
        for name, frame, phones in sheets:
            ws = book.add_worksheet(name)
            headers = [_header_text(c) for c in frame.columns]
            for i, header in enumerate(headers):
                sample = frame.iloc[:1000, i].astype(str)
                longest = max([len(header), *sample.str.len().tolist()])
                ws.set_column(i, i, min(max(longest + 2, 8), 60))
            ws.freeze_panes(1, 0)
            for i, header in enumerate(headers):
                ws.write_string(0, i, header, bold)
            writers = [
                _column_writer(ws, frame.iloc[:, i], frame.columns[i] in phones, text, formats)
                for i in range(frame.shape[1])
            ]
            columns = [frame.iloc[:, i].tolist() for i in range(frame.shape[1])]
            for r, row in enumerate(zip(*columns, strict=True), start=1):
                for c, value in enumerate(row):
                    writers[c](r, c, value)
                if not r % 10_000:
                    bar.update(10_000)
            bar.update(len(frame) % 10_000)
    finally:
        book.close()


Writer = Callable[..., Any]


def _methods(ws: Any) -> tuple[Writer, ...]:
    # The cell methods without their A1-notation wrapper (a fifth of the time per cell); the
    # public ones where a version lacks them.
    names = ("write_string", "write_number", "write_blank", "write_boolean", "write_datetime")
    return tuple(getattr(ws, "_" + n, getattr(ws, n)) for n in names)


def _column_writer(
    ws: Any, values: pd.Series, phone: bool, text: Any, formats: dict[str, Any]
) -> Writer:
    """The function that writes one cell of this column (chosen once per column)."""
    string, number, blank, boolean, datetime = _methods(ws)
    if phone:

        def write_phone(r: int, c: int, value: Any) -> None:
            shown = value if isinstance(value, str) else _phone_text(value)
            if shown is None:
                blank(r, c, None, text)
            else:
                string(r, c, shown, text)

        return write_phone
    # NumPy columns only: a nullable one (Int64, Float64) holds <NA>, written as an empty cell.
    numpy = isinstance(values.dtype, np.dtype)
    if numpy and values.dtype.kind == "f":

        def write_float(r: int, c: int, value: Any) -> None:
            if math.isfinite(value):
                number(r, c, value)

        return write_float
    if numpy and values.dtype.kind in "iu":
        return number

    def write_cell(r: int, c: int, value: Any) -> None:
        if isinstance(value, str):
            string(r, c, value)
        elif isinstance(value, bool | np.bool_):
            boolean(r, c, bool(value))
        elif isinstance(value, int | float | np.integer | np.floating):
            if isinstance(value, int | np.integer) or math.isfinite(value):
                number(r, c, value)  # NaN and infinities are empty cells
        elif value is None or value is pd.NA or value is pd.NaT:
            return
        elif isinstance(value, pd.Timestamp | dt.datetime):
            value = pd.Timestamp(value)
            # Excel has no time zones: keep the wall-clock time the frame shows.
            # Microseconds at most: Python's datetime has no nanoseconds (Excel keeps ms).
            value = (value.tz_localize(None) if value.tzinfo else value).floor("us")
            value = value.to_pydatetime()
            datetime(r, c, value, formats["datetime"])
        elif isinstance(value, dt.date):
            datetime(r, c, value, formats["date"])
        elif isinstance(value, dt.time):
            datetime(r, c, value, formats["time"])
        elif isinstance(value, dt.timedelta | np.timedelta64):
            if not pd.isna(value):
                datetime(r, c, pd.Timedelta(value).to_pytimedelta(), formats["timedelta"])
        elif isinstance(value, np.datetime64):
            if not pd.isna(value):
                moment = pd.Timestamp(value).floor("us").to_pydatetime()
                datetime(r, c, moment, formats["datetime"])
        else:
            string(r, c, str(value))

    return write_cell
