"""Turn messy spreadsheet cells into a canonical ``+?digits`` text, vectorised.

The canonical text is what the toolkit hands to phonenumbers: an optional leading ``+`` followed
by ASCII digits only. :func:`normalise_phone_text` is the per-cell definition (short and easy to
read); :func:`normalise_array` computes exactly the same thing for many cells at once with numpy
code-point matrices, which is what keeps a million-row sheet fast. The tests hold the two to each
other.

Rules, in order:

1. Missing values (None, NaN, pd.NA) and blank strings are ``empty``.
2. Numbers Excel produced are written back as integers: ``9121234567.0`` (a float) and the texts
   ``"9.121234567E9"``, ``"9.121234567e+09"``, ``"9121234567.0"`` all become ``"9121234567"``.
   A text only counts as an Excel number when it has no leading zero, since Excel drops those.
3. Persian ``۰–۹``, Arabic-Indic ``٠–٩`` and full-width ``０–９`` digits become ASCII digits.
4. A cell holding two or more numbers is ``multiple``: it is split on ``, ; | / \\ newline`` and
   the Persian comma and semicolon, and two or more parts carry at least
   :data:`MULTIPLE_MIN_DIGITS` digits each (``"0912 123 4567 / 0935 123 4567"``). A slash between
   short groups (``"0912/123/4567"``) stays formatting.
5. Everything else that is not a digit is dropped, labels included (``"tel: 0912 123 4567"``,
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

import numpy as np
import pandas as pd

KIND_NUMBER = 0
KIND_EMPTY = 1
KIND_MULTIPLE = 2
_KIND_NAMES = {KIND_NUMBER: "number", KIND_EMPTY: "empty", KIND_MULTIPLE: "multiple"}

#: A part of a cell needs this many digits to count as a separate phone number.
MULTIPLE_MIN_DIGITS = 7

_DIGIT_BASES = (0x30, 0x6F0, 0x660, 0xFF10)  # ASCII, Persian, Arabic-Indic, full-width
_PLUS_CHARS = ("+", "\uff0b")
_SEPARATORS = ",;|/\\\n\u060c\u061b"
_EXCEL_NUMBER = re.compile(r" *([1-9][0-9]*(?:\.[0-9]*)?[eE]\+?[0-9]{1,2}|[1-9][0-9]*\.0+) *")

# Cells longer than this take the per-cell path: one very long cell must not make the
# code-point matrix of a whole chunk huge.
MAX_VECTOR_CHARS = 48


def cell_to_text(value: Any) -> str | None:
    """Return the text of one cell (``str(value)``), or None when the cell is missing.

    Floats keep Python's spelling here (``"9121234567.0"``, ``"1e+16"``); the Excel-number rule
    of :func:`normalise_phone_text` then turns them back into integers.

    Example:
        >>> cell_to_text(9121234567.0), cell_to_text(float("nan"))
        ('9121234567.0', None)
    """
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # array-likes in a cell are just text
        pass
    return str(value)


def _excel_text_to_integer(text: str) -> str | None:
    """Return the integer an Excel-number text stands for, or None if it is not one."""
    match = _EXCEL_NUMBER.fullmatch(text)
    if match is None:
        return None
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the regex only lets decimals through
        return None
    if number != number.to_integral_value():
        return None
    return str(int(number))


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
        ``kind`` is ``"number"``, ``"empty"`` or ``"multiple"``; ``canonical`` is ``+?digits``
        for numbers and ``""`` otherwise.

    Example:
        >>> normalise_phone_text("0912 123 4567 / 0935 123 4567")
        ('multiple', '')
        >>> normalise_phone_text("tel: +98 (912) 123-4567")
        ('number', '+989121234567')
    """
    text = cell_to_text(value)
    if text is None or not text.strip():
        return "empty", ""
    excel = _excel_text_to_integer(text)
    if excel is not None:
        text = excel
    digits: list[str] = []
    plus = False
    parts_with_digits = 0
    part_digits = 0
    for char in text:
        digit = _digit_of(char)
        if digit is not None:
            digits.append(digit)
            part_digits += 1
        elif char in _PLUS_CHARS and not digits:
            plus = True
        elif char in _SEPARATORS:
            parts_with_digits += part_digits >= MULTIPLE_MIN_DIGITS
            part_digits = 0
    parts_with_digits += part_digits >= MULTIPLE_MIN_DIGITS
    if parts_with_digits >= 2:
        return "multiple", ""
    return "number", ("+" if plus else "") + "".join(digits)


def _lookup_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per code point (BMP): its digit value (255 if none) and class flags."""
    value = np.full(0x10000, 255, dtype=np.uint8)
    for base in _DIGIT_BASES:
        value[base : base + 10] = np.arange(10, dtype=np.uint8)
    flags = np.zeros(0x10000, dtype=np.uint8)
    for char in _PLUS_CHARS:
        flags[ord(char)] |= _PLUS
    for char in _SEPARATORS:
        flags[ord(char)] |= _SEP
    for char in "0123456789.eE+ \0":
        flags[ord(char)] |= _EXCEL_CHAR
    for char in ".eE":
        flags[ord(char)] |= _DOT_OR_E
    return value, flags


_PLUS, _SEP, _EXCEL_CHAR, _DOT_OR_E = 1, 2, 4, 8
_VALUE, _FLAGS = _lookup_tables()
_ASCII = np.where(_VALUE == 255, 0, _VALUE.astype(np.uint32) + 0x30).astype(np.uint32)


def normalise_array(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normalise many cells at once; same results as :func:`normalise_phone_text`.

    Args:
        values: object array of cells (str, int, float, None, NaN...).

    Returns:
        ``(kind, plus, digits)``: int8 kinds (``KIND_*``), a bool array for a leading ``+`` and
        an object array of ASCII digit strings (``""`` for empty and multiple cells).
    """
    values = np.asarray(values, dtype=object)
    n = len(values)
    kind = np.full(n, KIND_EMPTY, dtype=np.int8)
    plus = np.zeros(n, dtype=bool)
    digits = np.full(n, "", dtype=object)
    idx = np.flatnonzero(~pd.isna(values))
    if len(idx) == 0:
        return kind, plus, digits
    # numpy applies str() to each cell in C, the same text cell_to_text gives.
    arr = values[idx].astype(str)
    if arr.dtype.itemsize // 4 > MAX_VECTOR_CHARS:
        wide = np.strings.str_len(arr) > MAX_VECTOR_CHARS
        for i in idx[wide]:
            k, canon = normalise_phone_text(values[i])
            kind[i] = KIND_MULTIPLE if k == "multiple" else KIND_EMPTY if k == "empty" else 0
            plus[i] = canon.startswith("+")
            digits[i] = canon.lstrip("+")
        idx = idx[~wide]
        arr = arr[~wide].astype(f"<U{MAX_VECTOR_CHARS}")
        if len(idx) == 0:
            return kind, plus, digits
    width = max(1, arr.dtype.itemsize // 4)
    cp = np.ascontiguousarray(arr).view(np.uint32).reshape(len(idx), width)
    # Look-ups clip astral code points onto U+FFFF, which is neither a digit nor special.
    cp16 = np.minimum(cp, np.uint32(0xFFFF)).astype(np.uint16)
    flags = _FLAGS[cp16]

    # Only texts made of digits, dots, e, + and spaces can be Excel numbers; only those pay for
    # the regex.
    excel_like = (flags & _EXCEL_CHAR).all(axis=1) & (flags & _DOT_OR_E).any(axis=1)
    overflow = []  # Excel texts whose integer is wider than the matrix: done cell by cell
    for j in np.flatnonzero(excel_like):
        excel = _excel_text_to_integer(str(arr[j]))
        if excel is not None and len(excel) > width:
            overflow.append(j)
        elif excel is not None:
            cp[j] = 0
            cp[j, : len(excel)] = np.frombuffer(excel.encode("ascii"), dtype=np.uint8)
            cp16[j] = cp[j]
            flags[j] = _FLAGS[cp16[j]]

    ascii_digits = _ASCII[cp16]  # "0".."9" as ASCII code points, 0 for everything else
    is_digit = ascii_digits != 0
    nd = is_digit.sum(axis=1)
    # A "+" counts when the first one comes before the first digit.
    is_plus = (flags & _PLUS).astype(bool)
    has_plus = is_plus.any(axis=1) & (
        (np.argmax(is_plus, axis=1) < np.argmax(is_digit, axis=1)) | (nd == 0)
    )
    blank = np.zeros(len(idx), dtype=bool)
    for j in np.flatnonzero(nd == 0):
        blank[j] = not str(arr[j]).strip()

    multiple = np.zeros(len(idx), dtype=bool)
    sep_rows = np.flatnonzero(nd >= 2 * MULTIPLE_MIN_DIGITS)
    if len(sep_rows):
        is_sep = (flags[sep_rows] & _SEP).astype(bool)
        sep_rows, is_sep = sep_rows[is_sep.any(axis=1)], is_sep[is_sep.any(axis=1)]
    if len(sep_rows):
        m = len(sep_rows)
        s = np.concatenate([is_sep, np.ones((m, 1), bool)], axis=1)
        cum = np.cumsum(is_digit[sep_rows], axis=1, dtype=np.int16)
        c = np.concatenate([cum, nd[sep_rows, None].astype(np.int16)], axis=1)
        # Digits seen up to each separator; a part's count is the step between separators.
        previous = np.maximum.accumulate(np.where(s, c, 0), axis=1)
        previous = np.concatenate([np.zeros((m, 1), previous.dtype), previous[:, :-1]], 1)
        part = np.where(s, c - previous, 0)
        multiple[sep_rows] = (part >= MULTIPLE_MIN_DIGITS).sum(axis=1) >= 2

    # Keep only the digits (as ASCII) with NULs elsewhere, read rows back as strings and drop
    # the NULs: far cheaper than packing each row's digits to the left in numpy.
    texts = ascii_digits.view(f"<U{width}").ravel()
    number = ~blank & ~multiple
    kind[idx] = np.where(blank, KIND_EMPTY, np.where(multiple, KIND_MULTIPLE, KIND_NUMBER))
    plus[idx] = has_plus & number
    digits[idx[number]] = [t.replace("\0", "") for t in texts[number].tolist()]
    for j in overflow:
        k, canon = normalise_phone_text(values[idx[j]])
        kind[idx[j]] = KIND_MULTIPLE if k == "multiple" else KIND_EMPTY if k == "empty" else 0
        plus[idx[j]] = canon.startswith("+")
        digits[idx[j]] = canon.lstrip("+")
    return kind, plus, digits


def kind_name(code: int) -> str:
    """Return the name of a ``KIND_*`` code."""
    return _KIND_NAMES[code]
