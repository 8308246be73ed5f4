"""Turn messy spreadsheet cells into a canonical ``+?digits`` text, vectorised.

The canonical text is what the toolkit hands to phonenumbers: an optional leading ``+`` followed
by ASCII digits only. :func:`normalise_phone_text` is the per-cell definition (short and easy to
read); :func:`normalise_array` computes exactly the same thing for many cells at once with numpy
code-point matrices, which is what keeps a million-row sheet fast. The tests hold the two to each
other.

Rules, in order:

1. Missing values (None, NaN, pd.NA), blank strings and a lone dash (``"-"``, ``"—"``: "no
   number") are ``empty``.
2. Numbers Excel produced are written back as integers: ``9121234567.0`` (a float) and the texts
   ``"9.121234567E9"``, ``"9.121234567e+09"``, ``"9121234567.0"`` all become ``"9121234567"``.
   A text only counts as an Excel number when it has no leading zero, since Excel drops those.
   A text in scientific notation whose exponent goes past its last written digit
   (``"9.89121E+11"``, ``"9.12E+09"``) was rounded by Excel or an export: its last digits are
   gone, and it is ``rounded``, never a number. A float *value* is exact and is its integer.
3. An extension at the end, as phonenumbers reads it (``"0912 123 4567 ext 12"``,
   ``"+1 202-555-0123 x45"``, ``#12``, ``~12``, ``;ext=12``, ``int 12``; we also read the Persian
   ``داخلی``) is split off when at least :data:`MULTIPLE_MIN_DIGITS` digits stand before it.
4. Persian ``۰–۹``, Arabic-Indic ``٠–٩`` and full-width ``０–９`` digits become ASCII digits.
5. A cell holding two or more numbers is ``multiple``: two or more of its parts carry at least
   :data:`MULTIPLE_MIN_DIGITS` digits each, where the parts are split either on
   ``, ; : | / \\``, line breaks and the Persian comma and semicolon
   (``"0912 123 4567 / 0935 123 4567"``, `` ::: ``), or on those and spaces too
   (``"09121234567 09351234567"``, `` or ``, `` و ``). Short groups (``"0912/123/4567"``,
   ``"0912 123 4567"``) stay formatting.
6. Everything else that is not a digit is dropped, labels included (``"tel: 0912 123 4567"``,
   ``"موبایل: ۰۹۱۲ ..."``); a ``+`` written before the first digit is kept.

Example:
    >>> normalise_phone_text("موبایل: ۰۹۱۲-۱۲۳ ۴۵۶۷")
    ('number', '09121234567')
    >>> normalise_phone_text(9121234567.0)
    ('number', '9121234567')
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

KIND_NUMBER = 0
KIND_EMPTY = 1
KIND_MULTIPLE = 2
KIND_ROUNDED = 3
_KIND_NAMES = {
    KIND_NUMBER: "number",
    KIND_EMPTY: "empty",
    KIND_MULTIPLE: "multiple",
    KIND_ROUNDED: "rounded",
}
_KIND_CODES = {name: code for code, name in _KIND_NAMES.items()}

#: A part of a cell needs this many digits to count as a separate phone number.
MULTIPLE_MIN_DIGITS = 7

_DIGIT_BASES = (0x30, 0x6F0, 0x660, 0xFF10)  # ASCII, Persian, Arabic-Indic, full-width
_PLUS_CHARS = ("+", "\uff0b")
_SPACES = " \t\r\n\v\f\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_SEPARATORS = ",;:|/\\\n\u060c\u061b"
# A cell of dashes only means "no number".
_DASHES = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_DIGIT_CLASS = "0-9\u06f0-\u06f9\u0660-\u0669\uff10-\uff19"
# phonenumbers' extension markers (_EXTN_PATTERNS_FOR_PARSING, without the comma forms, which are
# our separators), plus the Persian word for an extension; the extension is the last digits.
_EXTENSION = re.compile(
    r"(?:;ext=|[\s,]*(?:e?xt(?:ensi(?:o\u0301?|ó))?n?|ｅ?ｘｔｎ?|доб|anexo|داخلی|[xｘ#＃~～]|int|ｉｎｔ)"
    rf"[:.．]?[\s,-]*)([{_DIGIT_CLASS}]{{1,9}})#?\s*$",
    re.IGNORECASE,
)
# Characters one of those markers holds: only cells with one of them try the regex.
_EXTENSION_CHARS = "xXｘＸ#＃~～nNｎＮдДخ"
_EXCEL_NUMBER = re.compile(r" *([1-9][0-9]*(?:\.[0-9]*)?[eE]\+?[0-9]{1,2}|[1-9][0-9]*\.0+) *")

# Cells longer than this take the per-cell path: one very long cell must not make the
# code-point matrix of a whole chunk huge.
MAX_VECTOR_CHARS = 48


def cell_to_text(value: Any) -> str | None:
    """Return the text of one cell (``str(value)``), or None when the cell is missing.

    Floats keep Python's spelling here (``"9121234567.0"``, ``"1e+16"``); the Excel-number rule
    of :func:`normalise_phone_text` then turns them back into integers. Integers of any size
    give their digits (Python refuses ``str()`` beyond 4300 digits; a cell never raises).

    Example:
        >>> cell_to_text(9121234567.0), cell_to_text(float("nan"))
        ('9121234567.0', None)
        >>> len(cell_to_text(10**5000))
        5001
    """
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # array-likes in a cell are just text
        pass
    if isinstance(value, int):
        return _int_text(value)
    return str(value)


# Python's limit on int -> str conversion; below it str() is fine and fast.
_INT_CHUNK = 10**1000


def _int_text(value: int) -> str:
    """``str(value)`` for an integer of any size."""
    try:
        return str(value)
    except ValueError:
        sign, value = ("-", -value) if value < 0 else ("", value)
        parts: list[str] = []
        while value:
            value, low = divmod(value, _INT_CHUNK)
            parts.append(f"{low:01000d}" if value else str(low))
        return sign + "".join(reversed(parts))


def _excel_text_to_integer(text: str) -> str | None:
    """Return the integer an Excel-number text stands for, ``"rounded"`` when its exponent
    appends digits that were never written, or None if it is not an Excel number."""
    match = _EXCEL_NUMBER.fullmatch(text)
    if match is None:
        return None
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the regex only lets decimals through
        return None
    if number != number.to_integral_value():
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return "rounded"
    return str(int(number))


def _whole_float(value: Any) -> bool:
    return isinstance(value, float) and value >= 1.0 and value.is_integer()


def _float_text(value: Any) -> str:
    """The text of a cell that is not a string, as :func:`normalise_phone_text` reads it.

    A whole float's text is its integer (rule 2: a float value is exact); writing it straight
    away spares the matrix path the Excel check.
    """
    if type(value) is float and 1.0 <= value < 1e16 and value.is_integer():
        return str(int(value))  # the common case first
    if _whole_float(value):
        return _int_text(int(value))
    if isinstance(value, int):
        return _int_text(value)
    return str(value)


def _digit_of(char: str) -> str | None:
    code = ord(char)
    for base in _DIGIT_BASES:
        if base <= code <= base + 9:
            return chr(0x30 + code - base)
    return None


def normalise_phone_text(value: Any) -> tuple[str, str]:
    """Normalise one cell to ``(kind, canonical)``; the per-cell definition of the rules.

    Args:
        value: a cell as read from a sheet: str, int, float, None or NaN.

    Returns:
        ``kind`` is ``"number"``, ``"empty"``, ``"multiple"`` or ``"rounded"``; ``canonical`` is
        ``+?digits`` for numbers and ``""`` otherwise. :func:`normalise_cell` also gives the
        extension.

    Example:
        >>> normalise_phone_text("0912 123 4567 / 0935 123 4567")
        ('multiple', '')
        >>> normalise_phone_text("tel: +98 (912) 123-4567")
        ('number', '+989121234567')
        >>> normalise_phone_text("9.89121E+11")
        ('rounded', '')
    """
    kind, canonical, _ = normalise_cell(value)
    return kind, canonical


def _digit_count(text: str) -> int:
    return sum(_digit_of(char) is not None for char in text)


def split_extension(text: str) -> tuple[str, str]:
    """Split an extension off the end of a cell's text: ``(number_text, extension_digits)``.

    The extension is split off only when at least :data:`MULTIPLE_MIN_DIGITS` digits stand
    before it; otherwise ``(text, "")``.

    Example:
        >>> split_extension("+1 202-555-0123 x45")
        ('+1 202-555-0123', '45')
        >>> split_extension("0912 123 4567")
        ('0912 123 4567', '')
    """
    if not any(char in _EXTENSION_CHARS for char in text):
        return text, ""
    match = _EXTENSION.search(text)
    if match is None or _digit_count(text[: match.start()]) < MULTIPLE_MIN_DIGITS:
        return text, ""
    extension = "".join(_digit_of(char) or "" for char in match.group(1))
    return text[: match.start()], extension


def normalise_cell(value: Any) -> tuple[str, str, str]:
    """Normalise one cell to ``(kind, canonical, extension)``: the rules, cell by cell.

    Example:
        >>> normalise_cell("0912 123 4567 ext 12")
        ('number', '09121234567', '12')
    """
    text = cell_to_text(value) if not _whole_float(value) else _int_text(int(value))
    if text is None or not text.strip() or _DASHES.fullmatch(text):
        return "empty", "", ""
    excel = _excel_text_to_integer(text)
    if excel == "rounded":
        return "rounded", "", ""
    if excel is not None:
        text = excel
    text, extension = split_extension(text)
    digits: list[str] = []
    plus = False
    parts = tokens = 0  # parts and space-split tokens with enough digits to be a number
    part_digits = token_digits = 0
    for char in text:
        digit = _digit_of(char)
        if digit is not None:
            digits.append(digit)
            part_digits += 1
            token_digits += 1
            continue
        if char in _PLUS_CHARS and not digits:
            plus = True
        if char in _SEPARATORS:
            parts += part_digits >= MULTIPLE_MIN_DIGITS
            part_digits = 0
        if char in _SEPARATORS or char in _SPACES:
            tokens += token_digits >= MULTIPLE_MIN_DIGITS
            token_digits = 0
    parts += part_digits >= MULTIPLE_MIN_DIGITS
    tokens += token_digits >= MULTIPLE_MIN_DIGITS
    if parts >= 2 or tokens >= 2:
        return "multiple", "", ""
    return "number", ("+" if plus else "") + "".join(digits), extension


def kind_name(code: int) -> str:
    """Return the name of a ``KIND_*`` code."""
    return _KIND_NAMES[code]
