"""Find the phone column of a frame and the header row of a sheet.

Phone column, in order (:func:`find_phone_column`):

1. ``df.attrs["phone_column"]`` when it names a column (the reader sets it);
2. columns whose header names a phone (:data:`PHONE_HEADER_WORDS`, English, Persian and a few
   more: mobile, WhatsApp, واتساپ, تماس, Contact, Telp...) and whose sampled cells are mostly
   valid mobile numbers by the phone engine; mobile words beat phone words beat "number";
3. otherwise the column with the largest share of valid mobile numbers (at least half), then of
   valid numbers of any type;
4. finally a phone-named column even if its cells are messy (a sheet with a header and no rows).

Never chosen: columns whose header names an identity or postal code (``شماره ملی``, ``کد ملی``,
national ID, postal code...) or a phone's *type* or label (Google Contacts' ``Phone 1 - Type``
beside ``Phone 1 - Value``), whatever they hold.

Header row (:func:`find_header_row`): sheets often carry a merged title and a date row above the
header; the header is the first of the top rows that fills at least half as many cells (and at
least two, when rows have two) as the fullest of them and holds names, not values (no phone
number, no cell that is mostly digits such as a date).

Example:
    >>> import pandas as pd
    >>> find_phone_column(pd.DataFrame({"کد ملی": ["0012345678"], "تماس": ["09121234567"]}))
    'تماس'
    >>> find_header_row([["Contacts 2024"], ["name", "mobile"], ["Ali", "0912 123 4567"]])
    1
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from miogram_toolkit.phones import phone_report
from miogram_toolkit.sheets.errors import ContactFileError, quoted

__all__ = [
    "NOT_PHONE_HEADER_WORDS",
    "PHONE_HEADER_WORDS",
    "find_header_row",
    "find_phone_column",
    "header_rank",
    "looks_like_phone",
    "phone_column_by_content",
]

# Ordered by preference: messenger accounts live on mobiles, so a "mobile" column beats a
# "phone" column, which beats a generic "number" column.
PHONE_HEADER_WORDS = (
    "mobile", "cell", "همراه", "موبایل", "whatsapp", "واتساپ", "واتس اپ", "msisdn", "e164",
    "celular", "móvil", "movil", "handy", "gsm",
    "phone", "tel", "تلفن", "تماس", "contact", "telp", "telefon",
    "number", "شماره",
)  # fmt: skip

#: Headers that hold numbers that are never phones, or describe a phone instead of holding it.
NOT_PHONE_HEADER_WORDS = (
    "ملی", "national", "melli", "ssn", "passport", "شناسنامه", "پستی", "postal", "zip",
    "کدپستی", "type", "label", "نوع", "count", "تعداد",
)  # fmt: skip

# A column is phone-like by content when at least this share of its non-empty cells is.
_CONTENT_THRESHOLD = 0.5
_SAMPLE_SIZE = 1000
_HEADER_SCAN_ROWS = 30

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Windows-1256 has no Persian yeh, so headers from Persian Excel carry the Arabic letters.
_LETTERS = str.maketrans({"ي": "ی", "ك": "ک", "\u200c": " ", "\u200f": "", "\u200e": ""})
_LABEL = re.compile(r"^[^\d+]*")  # "tel: ", "موبایل: " in front of a number
_NUMBER = re.compile(r"^\+?[\d\s\-./()]+$|^\d\.\d+[eE]\+?\d+$")
_MESSENGER_TYPES = ("MOBILE", "FIXED_LINE_OR_MOBILE")


def _header_text(name: Any) -> str:
    return " ".join(str(name).translate(_LETTERS).casefold().split())


def header_rank(name: Any) -> int | None:
    """Index of the first :data:`PHONE_HEADER_WORDS` entry in ``name``, or None (also None for
    headers with a :data:`NOT_PHONE_HEADER_WORDS` entry).

    Example:
        >>> header_rank("Mobile No"), header_rank("Phone 1 - Type"), header_rank("شماره ملی")
        (0, None, None)
    """
    text = _header_text(name)
    if _excluded(text):
        return None
    for rank, word in enumerate(PHONE_HEADER_WORDS):
        if word in text:
            return rank
    return None


def _excluded(text: str) -> bool:
    return any(word in text for word in NOT_PHONE_HEADER_WORDS)


def looks_like_phone(value: Any) -> bool:
    """True for one cell written like a 9-15 digit number, a short label in front allowed.

    Example:
        >>> looks_like_phone("tel: 0912 123 4567"), looks_like_phone("Name")
        (True, False)
    """
    text = _LABEL.sub("", str(value).translate(_DIGITS).strip())
    return bool(_NUMBER.match(text)) and 9 <= sum(c.isdigit() for c in text) <= 15


def _content_scores(series: pd.Series, region: str) -> tuple[float, float]:
    """(share of valid mobile numbers, share of valid numbers) over sampled non-empty cells."""
    values = series.dropna()
    if values.empty:
        return 0.0, 0.0
    values = values[values.astype(str).str.strip() != ""].head(_SAMPLE_SIZE)
    if values.empty:
        return 0.0, 0.0
    report = phone_report(values, region, mobile_only=False, dedupe=False)
    valid = (report["phone_status"] == "ok").to_numpy(dtype=bool)
    mobile = valid & report["number_type"].isin(_MESSENGER_TYPES).to_numpy(dtype=bool)
    return float(mobile.mean()), float(valid.mean())


def find_phone_column(df: pd.DataFrame, region: str = "IR") -> str:
    """Return the name of the column that holds phone numbers (see the module docstring).

    Args:
        df: any DataFrame; it is not changed.
        region: the region numbers without a country code belong to, for judging content.

    Returns:
        The column label.

    Raises:
        ContactFileError: when no column is phone-like; the message lists the columns.

    Example:
        >>> find_phone_column(pd.DataFrame({"نام": ["Ali"], "شماره موبایل": ["0912 100 0001"]}))
        'شماره موبایل'
    """
    chosen = df.attrs.get("phone_column")
    if chosen is not None and chosen in df.columns:
        return chosen
    found = phone_column_by_content(df, region)
    if found is not None:
        return found
    named = [col for col in df.columns if header_rank(col) is not None]
    if named:
        position = {col: i for i, col in enumerate(df.columns)}
        return min(named, key=lambda col: (header_rank(col), position[col]))
    raise ContactFileError(
        f"No phone-like column was found among the columns {quoted(df.columns)} "
        "(name one with phone_column=)."
    )


def phone_column_by_content(df: pd.DataFrame, region: str = "IR") -> str | None:
    """Steps 2 and 3 of the module docstring: the column whose cells are mostly valid (mobile)
    numbers, a phone header deciding between such columns; None when no column is.

    Example:
        >>> phone_column_by_content(pd.DataFrame({"phone": ["n/a"], "x": ["+98 912 123 4567"]}))
        'x'
    """
    position = {col: i for i, col in enumerate(df.columns)}
    allowed = [col for col in df.columns if not _excluded(_header_text(col))]
    ranks = {col: header_rank(col) for col in allowed}
    scores = {col: _content_scores(df.iloc[:, position[col]], region) for col in allowed}
    strong_named = [
        col for col in allowed if ranks[col] is not None and scores[col][0] >= _CONTENT_THRESHOLD
    ]
    if strong_named:
        return min(
            strong_named, key=lambda col: (ranks[col] or 0, -scores[col][0], position[col])
        )
    for kind in (0, 1):  # valid mobile numbers first, then valid numbers of any type
        by_content = [col for col in allowed if scores[col][kind] >= _CONTENT_THRESHOLD]
        if by_content:
            return max(
                by_content,
                key=lambda col: (scores[col][kind], ranks[col] is not None, -position[col]),
            )
    return None


def _filled(row: Sequence[Any]) -> int:
    return sum(not _blank(v) for v in row)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value == ""


_VALUE = re.compile(r"[\d\s\-/.:,+()]*\d[\d\s\-/.:,+()]*\d[\d\s\-/.:,+()]*")


def _numeric(text: str) -> bool:
    """A value rather than a name: a date, an amount, a number (digits and separators only)."""
    return _VALUE.fullmatch(text.translate(_DIGITS).strip()) is not None


def find_header_row(rows: Sequence[Sequence[Any]]) -> int | None:
    """Index of the header among the top rows of a sheet, or None when the sheet has no header
    (its first filled row already holds a phone number).

    Rows above the header (titles, dates, blank rows) are not contacts.

    Example:
        >>> find_header_row([["09121234567", "Ali"], ["09351234567", "Sara"]]) is None
        True
    """
    top = list(rows[:_HEADER_SCAN_ROWS])
    widest = max((_filled(row) for row in top), default=0)
    if widest == 0:
        return 0
    need = max(1, min(2, widest), (widest + 1) // 2)
    for i, row in enumerate(top):
        filled = _filled(row)
        if filled == 0:
            continue
        cells = [str(v) for v in row if not _blank(v)]
        if any(looks_like_phone(v) for v in cells):
            return None  # data before any header: a bare list of numbers
        if filled >= need and not any(_numeric(v) for v in cells):
            return i
    return 0
