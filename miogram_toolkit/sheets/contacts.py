"""Contact files: read CSV/Excel sheets without damage, write Excel with phones as text.

Every contact sheet a MioGram campaign starts from goes through :func:`read_contacts`, and every
sheet the toolkit writes goes through :func:`write_excel`.

Reading rules (the same for every format):

* Every cell comes back as text (``str``) or missing (``NaN``), so ``09121234567`` keeps its
  leading zero and nothing is guessed. Empty cells are missing; words such as ``NA``, ``null`` or
  ``None`` stay the text they are (a name can be ``Nan``).
* Every row and column is kept. Fully blank lines/rows are not contacts and are skipped.
* The first row is the header, unless it already holds a phone-like value (a bare list of numbers),
  in which case the columns are named ``column_1``, ``column_2``, ... and no row is lost.
* A file with a header and no rows is a valid, empty sheet; a file with nothing in it is an error.
* CSV/TSV/TXT: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode Text"), otherwise
  Windows-1256 (Persian Excel's default). ``.csv`` and ``.txt`` sniff the delimiter from the
  header line (comma, tab, semicolon, pipe); ``.tsv`` is tab.
* Excel (``.xlsx``/``.xlsm``): cached cell values are read with openpyxl. A number Excel stored
  with no fractional part is written as an integer string (``9121234567.0`` -> ``"9121234567"``);
  when the cell's number format pads with zeros (``00000000000``) the padding Excel shows is kept
  (``"09121234567"``). Other floats use Python's shortest repr; dates become ISO text.

Every problem with a file raises :class:`ContactFileError` (a ``ValueError``) whose message is
one sentence naming the file and the problem.

Example:
    >>> import tempfile
    >>> from miogram_toolkit.demo import sample_path
    >>> df = read_contacts(sample_path("contacts.csv"))
    >>> df.attrs["phone_column"]
    'mobile'
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_excel({"contacts": df}, Path(folder) / "contacts.xlsx").name
    'contacts.xlsx'
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

__all__ = ["ContactFileError", "find_phone_column", "read_contacts", "write_excel"]

SUPPORTED_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
_EXCEL_EXTENSIONS = (".xlsx", ".xlsm")

# Ordered by preference: messenger accounts live on mobiles, so a "mobile" column beats a
# "phone" column, which beats a generic "number" column.
PHONE_HEADER_WORDS = (
    "mobile", "cell", "همراه", "موبایل", "msisdn", "e164",
    "phone", "tel", "تلفن", "number", "شماره",
)  # fmt: skip

# A column is phone-like by content when at least this share of its non-empty values is.
_CONTENT_THRESHOLD = 0.5
_SAMPLE_SIZE = 2000
_DELIMITERS = (",", "\t", ";", "|")

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Windows-1256 has no Persian yeh, so headers from Persian Excel carry the Arabic letters.
_LETTERS = str.maketrans({"ي": "ی", "ك": "ک", "\u200c": "", "\u200f": "", "\u200e": ""})
_LABEL = re.compile(r"^[^\d+]*")  # "tel: ", "موبایل: " in front of a number
_NUMBER = re.compile(r"^\+?[\d\s\-./()]+$|^\d\.\d+[eE]\+?\d+$")
_MOBILE_DIGITS = re.compile(r"^(?:0098|98|0)?9\d{9}$")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class ContactFileError(ValueError):
    """A contact file cannot be read (or written); the message is one sentence naming it.

    Example:
        >>> try:
        ...     read_contacts("nowhere.csv")
        ... except ContactFileError as exc:
        ...     print(exc)
        Contact file 'nowhere.csv' does not exist.
    """

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(message)
        self.path = None if path is None else Path(path)


# --------------------------------------------------------------------------- detection


def _quoted(names: Iterable[Any]) -> str:
    shown = [repr(str(n)) for n in names]
    return ", ".join(shown) if shown else "(none)"


def _header_rank(name: Any) -> int | None:
    """Index of the first PHONE_HEADER_WORDS entry found in ``name``, or None."""
    text = str(name).translate(_LETTERS).casefold()
    for rank, word in enumerate(PHONE_HEADER_WORDS):
        if word in text:
            return rank
    return None


def _looks_like_phone(value: Any) -> bool:
    """True for one cell written like a 9-15 digit number, a short label in front allowed."""
    text = _LABEL.sub("", str(value).translate(_DIGITS).strip())
    return bool(_NUMBER.match(text)) and 9 <= sum(c.isdigit() for c in text) <= 15


def _content_scores(series: pd.Series) -> tuple[float, float]:
    """(share of phone-like values, share that look like Iranian mobiles) over non-empty cells."""
    values = series.dropna()
    values = values[values.astype(str).str.strip() != ""].head(_SAMPLE_SIZE)
    if values.empty:
        return 0.0, 0.0
    text = values.astype(str).str.strip().str.translate(_DIGITS).str.replace(_LABEL, "", regex=True)
    digits = text.str.replace(r"\D", "", regex=True)
    phone = text.str.match(_NUMBER) & digits.str.len().between(9, 15)
    mobile = phone & (digits.str.match(_MOBILE_DIGITS) | text.str.startswith(("+", "00")))
    return float(phone.mean()), float(mobile.mean())


def find_phone_column(df: pd.DataFrame) -> str:
    """Return the name of the column that holds phone numbers.

    In order: ``df.attrs["phone_column"]`` when it names a column (set by :func:`read_contacts`);
    a column whose header mentions a phone word in English or Persian (phone, mobile, tel, cell,
    number, شماره, موبایل, تلفن, همراه; case-insensitive, substring) and whose values are mostly
    phone-like, preferring mobile words; otherwise the column whose values look most like 9-15
    digit numbers (Persian digits, separators and a short label allowed); and finally a
    phone-named column even if its values are messy (e.g. a sheet with a header and no rows).

    Args:
        df: Any DataFrame; it is not changed.

    Returns:
        The column label.

    Raises:
        ContactFileError: When no column is phone-like; the message lists the columns.

    Example:
        >>> find_phone_column(pd.DataFrame({"نام": ["Ali"], "شماره موبایل": ["0912 100 0001"]}))
        'شماره موبایل'
    """
    chosen = df.attrs.get("phone_column")
    if chosen is not None and chosen in df.columns:
        return chosen
    position = {col: i for i, col in enumerate(df.columns)}
    ranks = {col: _header_rank(col) for col in df.columns}
    named = [col for col, rank in ranks.items() if rank is not None]
    scores = {col: _content_scores(df.iloc[:, position[col]]) for col in df.columns}
    strong_named = [col for col in named if scores[col][0] >= _CONTENT_THRESHOLD]
    if strong_named:
        return min(strong_named, key=lambda col: (ranks[col], position[col]))
    by_content = [col for col in df.columns if scores[col][0] >= _CONTENT_THRESHOLD]
    if by_content:
        return max(by_content, key=lambda col: (scores[col], -position[col]))
    if named:
        return min(named, key=lambda col: (ranks[col], position[col]))
    raise ContactFileError(
        f"No phone-like column was found among the columns {_quoted(df.columns)} "
        "(name one with phone_column=)."
    )


# --------------------------------------------------------------------------- reading


def read_contacts(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    phone_column: str | None = None,
) -> pd.DataFrame:
    """Read a contact sheet into a DataFrame of text, without losing leading zeros.

    See the module docstring for the exact rules (encodings, delimiters, Excel numbers).

    Args:
        path: A ``.csv``, ``.tsv``, ``.txt``, ``.xlsx`` or ``.xlsm`` file.
        sheet: Excel only: a sheet name or 0-based position; the first sheet when None.
        phone_column: The column with the phone numbers; found by header or content when None.

    Returns:
        A new DataFrame; ``attrs["phone_column"]`` names the phone column and ``attrs["source"]``
        the file (plus ``attrs["sheet"]`` for Excel, ``attrs["encoding"]`` for text files).

    Raises:
        ContactFileError: One sentence naming the file and the problem: missing or empty file,
            unsupported extension, missing sheet, missing or undetectable phone column, or a file
            that is not really a spreadsheet.

    Example:
        >>> from miogram_toolkit.demo import sample_path
        >>> df = read_contacts(sample_path("contacts.xlsx"), sheet="Unsubscribed")
        >>> df.attrs["phone_column"]
        'Phone'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        _fail(
            path,
            f"has the unsupported extension {suffix or '(none)'!r}; supported are "
            f"{', '.join(SUPPORTED_EXTENSIONS)} (save .xls or .ods files as .xlsx or .csv)",
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _fail(path, "does not exist")
    except IsADirectoryError:
        _fail(path, "is a directory, not a file")
    except OSError as exc:
        _fail(path, f"cannot be read ({exc.strerror or exc})")
    if not data.strip():
        _fail(path, "is empty" + (" (0 bytes)" if not data else " (only blank lines)"))

    if suffix in _EXCEL_EXTENSIONS:
        df = _read_excel(path, data, sheet)
    else:
        if sheet is not None:
            _fail(path, f"is a text file with no sheets, so sheet={sheet!r} cannot be used")
        df = _read_text(path, data, suffix)

    df.attrs["source"] = str(path)
    if phone_column is None:
        try:
            phone_column = find_phone_column(df)
        except ContactFileError:
            _fail(
                path,
                f"has no phone-like column; its columns are {_quoted(df.columns)} "
                "(name one with phone_column=)",
            )
    elif phone_column not in df.columns:
        _fail(path, f"has no column {phone_column!r}; its columns are {_quoted(df.columns)}")
    df.attrs["phone_column"] = phone_column
    return df


def _fail(path: Path, problem: str) -> NoReturn:
    # `from None`: the sentence is the whole story; a chained parser traceback only hides it.
    raise ContactFileError(f"Contact file '{path}' {problem}.", path=path) from None


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"PK\x03\x04"):
        _fail(path, "is an Excel workbook or other zip archive, not text; rename it to .xlsx")
    if b"\x00" in data[:65536]:
        _fail(path, "is not a text spreadsheet (it contains binary data)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text = data.decode("cp1256", errors="replace")
    # cp1256 maps every byte to a character, so binary junk has to be caught by its controls.
    controls = sum(ch < " " and ch not in "\t\r\n" for ch in text[:65536])
    if controls > 0.01 * min(len(text), 65536):
        _fail(path, "is not a text spreadsheet (it contains binary data)")
    return text, "cp1256"


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties keep the earlier, more common one
    return best if counts[best] > 1 else ","


def _read_text(path: Path, data: bytes, suffix: str) -> pd.DataFrame:
    text, encoding = _decode(path, data)
    if not text.strip():
        _fail(path, "is empty (only a byte-order mark or blank lines)")
    first_line = next(line for line in text.splitlines() if line.strip())
    sep = "\t" if suffix == ".tsv" else _sniff_delimiter(first_line)
    first_cells = next(csv.reader([first_line], delimiter=sep))
    headerless = any(_looks_like_phone(cell) for cell in first_cells)
    options: dict[str, Any] = {
        "sep": sep,
        "dtype": str,
        "index_col": False,  # a row longer than the header must not turn into an index
        "keep_default_na": False,  # "NA", "null", "None" are text in a contact sheet
        "na_values": [""],  # ... but an empty cell is missing, as it is in Excel
    }
    try:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                df = pd.read_csv(io.StringIO(text), header=None if headerless else 0, **options)
        except (pd.errors.ParserWarning, pd.errors.ParserError):
            # Some rows are longer than the header: keep their extra cells in unnamed columns.
            width = max(len(row) for row in csv.reader(io.StringIO(text), delimiter=sep))
            header = (
                []
                if headerless
                else list(pd.read_csv(io.StringIO(text), nrows=0, **options).columns)
            )
            names = header + [f"Unnamed: {i}" for i in range(len(header), width)]
            df = pd.read_csv(
                io.StringIO(text), header=None if headerless else 0, names=names, **options
            )
    except (pd.errors.ParserError, csv.Error) as exc:
        detail = str(exc).strip().splitlines()[-1].rstrip(".")
        _fail(path, f"is not a well-formed {suffix[1:].upper()} file ({detail})")
    if headerless:
        df.columns = [f"column_{i + 1}" for i in range(df.shape[1])]
    df.attrs["encoding"] = encoding
    return df


def _excel_text(cell: Any) -> Any:
    """One Excel cell as the text Excel shows, or NaN when empty."""
    value = cell.value
    if value is None or (isinstance(value, str) and value == ""):
        return np.nan
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return np.nan
        if isinstance(value, int) or (value.is_integer() and abs(value) < 1e16):
            text = str(int(value))
            fmt = getattr(cell, "number_format", "") or ""
            # A zero-padding format is how sheets show 09121234567 on a numeric cell.
            if re.fullmatch(r"0+", fmt) and value >= 0:
                text = text.zfill(len(fmt))
            return text
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _read_excel(path: Path, data: bytes, sheet: str | int | None) -> pd.DataFrame:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            _fail(
                path,
                "is an old .xls or password-protected workbook, not .xlsx; "
                "save it again as .xlsx or .csv",
            )
        kind = "a PNG image" if data.startswith(b"\x89PNG") else "not a zip-based workbook"
        _fail(path, f"is not a real Excel workbook (it is {kind})")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        _fail(path, f"is not a readable Excel workbook ({type(exc).__name__}: {exc})")
    try:
        names = book.sheetnames
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not -len(names) <= sheet < len(names):
                _fail(path, f"has no sheet number {sheet}; its sheets are {_quoted(names)}")
            name = names[sheet]
        elif sheet in names:
            name = sheet
        else:
            _fail(path, f"has no sheet {sheet!r}; its sheets are {_quoted(names)}")
        worksheet = book[name]
        # Some exporters write a wrong size tag; read the rows that are really there instead.
        worksheet.reset_dimensions()
        rows = [[_excel_text(c) for c in row] for row in worksheet.iter_rows()]
    finally:
        book.close()

    rows = [row for row in rows if not all(pd.isna(v) for v in row)]
    if not rows:
        _fail(path, f"has nothing in sheet {name!r}")
    # Formatting can stretch a sheet's dimensions; drop columns with neither header nor data.
    width = max(
        max((i + 1 for i, v in enumerate(row) if not pd.isna(v)), default=0) for row in rows
    )
    rows = [(row + [np.nan] * width)[:width] for row in rows]
    if any(_looks_like_phone(v) for v in rows[0] if not pd.isna(v)):
        columns = [f"column_{i + 1}" for i in range(width)]
    else:
        columns = _unique_headers(rows.pop(0))
    df = pd.DataFrame(rows, columns=columns, dtype=object)
    df.attrs["sheet"] = name
    return df


def _unique_headers(cells: list[Any]) -> list[str]:
    # Same naming as pandas' CSV reader, so a sheet and its CSV export give the same columns.
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


# --------------------------------------------------------------------------- writing


def _write_phone_columns(df: pd.DataFrame, given: list[str] | None) -> set[Any]:
    if given is not None:
        return {col for col in df.columns if col in given}
    found = {col for col in df.columns if str(col).casefold() == "e164"}
    if df.attrs.get("phone_column") in df.columns:
        found.add(df.attrs["phone_column"])
    for i, col in enumerate(df.columns):
        if _header_rank(col) is None:
            continue
        values = df.iloc[:, i]
        # "Number of orders" stays numeric; text columns and numbers that look like phones don't.
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if not numeric or _content_scores(values)[0] >= _CONTENT_THRESHOLD:
            found.add(col)
    return found


def _as_phone_text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _as_cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        # Excel has no time zones: keep the wall-clock time the frame shows.
        return (value.tz_localize(None) if value.tzinfo else value).to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, int | float | bool | dt.date | dt.time | dt.timedelta):
        return value
    return str(value)


def write_excel(
    frames: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    phone_columns: Iterable[str] | None = None,
) -> Path:
    """Write one or more DataFrames to an ``.xlsx`` file with phone columns stored as text.

    Phone cells get string values and the text number format ``@``, so Excel shows
    ``+989121234567`` and ``09121234567`` instead of ``9.89E+11`` and ``9121234567``, and keeps
    them text when a user edits them. Phone columns are ``phone_columns`` when given (in every
    sheet that has them); otherwise, per sheet, the ``e164`` column, ``attrs["phone_column"]`` and
    columns whose header names a phone (unless they hold plain non-phone numbers).

    Other cells keep their type; text that starts with ``=`` is stored as text, never a formula.
    The index is written only when it is named (``df.rename_axis("id")``); headers are bold and
    frozen, column widths fit the content (8-60 characters). The file is written to a temporary
    name and then moved into place, so a failed write never leaves half a workbook.

    Args:
        frames: A DataFrame (written to sheet ``Sheet1``) or a mapping of sheet name to DataFrame.
        path: The ``.xlsx`` file to create or replace; its folder must exist.
        phone_columns: Column names to store as text instead of detecting them.

    Returns:
        The path written.

    Raises:
        ContactFileError: For a path that is not ``.xlsx``, an invalid sheet name, or a named
            phone column that no sheet has.

    Example:
        >>> df = pd.DataFrame({"name": ["Sara"], "e164": ["+989121000001"]})
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_excel(df, Path(folder) / "clean.xlsx").name
        'clean.xlsx'
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ContactFileError(
            f"Cannot write '{path}': Excel output must be a .xlsx file.", path=path
        )
    sheets = {"Sheet1": frames} if isinstance(frames, pd.DataFrame) else dict(frames)
    given = None if phone_columns is None else [str(c) for c in phone_columns]
    if given is not None:
        missing = [c for c in given if not any(c in df.columns for df in sheets.values())]
        if missing:
            every = dict.fromkeys(c for df in sheets.values() for c in df.columns)
            raise ContactFileError(
                f"Cannot write '{path}': no sheet has the phone column(s) {_quoted(missing)}; "
                f"the columns are {_quoted(every)}.",
                path=path,
            )

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, frame in sheets.items():
        if not 0 < len(str(name)) <= 31 or _SHEET_FORBIDDEN.search(str(name)):
            raise ContactFileError(
                f"Cannot write '{path}': {str(name)!r} is not a valid Excel sheet name "
                "(1-31 characters, none of [ ] : * ? / \\).",
                path=path,
            )
        if any(frame.index.names):
            frame = frame.reset_index()
        phones = _write_phone_columns(frame, given)
        ws = book.create_sheet(str(name))
        headers = [" ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in frame.columns]
        for i, header in enumerate(headers, start=1):
            sample = frame.iloc[:1000, i - 1].astype(str)
            longest = max([len(header), *sample.str.len().tolist()])
            ws.column_dimensions[get_column_letter(i)].width = min(max(longest + 2, 8), 60)
        ws.freeze_panes = "A2"

        def cell(value: Any, *, text: bool = False, ws: Any = ws) -> WriteOnlyCell:
            c = WriteOnlyCell(
                ws, value=ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
            )
            if isinstance(value, str) and value.startswith("="):
                c.data_type = "s"  # user data is never a formula
            if text:
                c.number_format = "@"
            return c

        header_cells = []
        for header in headers:
            c = cell(header)
            c.font = bold
            header_cells.append(c)
        ws.append(header_cells)
        is_phone = [col in phones for col in frame.columns]
        for row in frame.itertuples(index=False, name=None):
            ws.append(
                [
                    cell(_as_phone_text(v), text=True) if phone else cell(_as_cell_value(v))
                    for v, phone in zip(row, is_phone, strict=True)
                ]
            )

    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
