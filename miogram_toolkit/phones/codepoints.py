"""Many cells normalised at once on numpy code-point matrices: the vector side of the rules.

:func:`normalise_matrix` and :func:`normalise_array` compute, for a whole block of cells, exactly
what :func:`~miogram_toolkit.phones.normalise.normalise_phone_text` computes for one (the rules
are listed there); the tests hold the two to each other. One look-up table over every code point
classifies characters, an automaton over character classes spots Excel's numbers, and a cell
whose shape the matrix does not cover goes through the per-cell definition.

Example:
    >>> import numpy as np
    >>> from miogram_toolkit.phones.normalise import kind_name
    >>> kind, plus, digits = normalise_array(np.array(["۰۹۱۲-۱۲۳ ۴۵۶۷", None], object))
    >>> [kind_name(k) for k in kind], digits.tolist()
    (['number', 'empty'], ['09121234567', ''])
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat

import numpy as np
import pandas as pd

from miogram_toolkit.phones.automata import matrix_texts
from miogram_toolkit.phones.normalise import (
    _DIGIT_BASES,
    _EXTENSION,
    _EXTENSION_CHARS,
    _KIND_CODES,
    _PLUS_CHARS,
    _SEPARATORS,
    _SPACES,
    KIND_EMPTY,
    KIND_MULTIPLE,
    KIND_NUMBER,
    KIND_ROUNDED,
    MAX_VECTOR_CHARS,
    MULTIPLE_MIN_DIGITS,
    _float_text,
    normalise_cell,
)

__all__ = ["PAD", "Normalised", "normalise_array", "normalise_matrix"]


# One look-up table over every code point: digits (any script) give their value 0-9; every other
# character gives _NOT_DIGIT plus flag bits for what the rules need to know about it. Flags live
# in the high bits so one bitwise OR along a row tells which kinds of character it holds.
_MARK, _SEP, _DOT_OR_E, _NOT_DIGIT = 0x10, 0x20, 0x40, 0x80
# A digit's code is its value, so the low bits tell non-digits apart only where a row is looked
# at closely; the high bit _MARK says a row has a "+" or an extension marker worth that look.
_PLUS = 0x01
_EXT = 0x02  # a character an extension marker holds
_SPACE = 0x04


def _code_table() -> np.ndarray:
    table = np.full(0x110000, _NOT_DIGIT, dtype=np.uint8)
    for base in _DIGIT_BASES:
        table[base : base + 10] = np.arange(10, dtype=np.uint8)
    for char in _PLUS_CHARS:
        table[ord(char)] |= _PLUS | _MARK
    for char in _SEPARATORS:
        table[ord(char)] |= _SEP
    for char in ".eE":
        table[ord(char)] |= _DOT_OR_E
    for char in _EXTENSION_CHARS:
        table[ord(char)] |= _EXT | _MARK
    for char in _SPACES:
        table[ord(char)] |= _SPACE
    return table


_CODE = _code_table()

# The Excel-number regex as an automaton over character classes, so a whole block of candidate
# texts is checked at once. Classes: space, "0", "1"-"9", ".", "e"/"E", "+", NUL (the padding of
# numpy's fixed-width strings), anything else.
_XL_CLASS = np.full(128, 7, dtype=np.uint8)
_XL_CLASS[ord(" ")], _XL_CLASS[ord("0")], _XL_CLASS[ord(".")] = 0, 1, 3
_XL_CLASS[ord("1") : ord("9") + 1] = 2
_XL_CLASS[ord("e")] = _XL_CLASS[ord("E")] = 4
_XL_CLASS[ord("+")], _XL_CLASS[0] = 5, 6


def _excel_automaton() -> np.ndarray:
    # States: 0 dead, 1 leading spaces, 2 integer digits, 3 just after ".", 4 zeros after ".",
    # 5 other fraction digits, 6 after "e", 7 after "e+", 8/9 one/two exponent digits,
    # 10 trailing spaces, 11 padding after an accepted text.
    moves = {
        1: {0: 1, 2: 2},
        2: {1: 2, 2: 2, 3: 3, 4: 6},
        3: {1: 4, 2: 5, 4: 6},
        4: {1: 4, 2: 5, 4: 6, 0: 10, 6: 11},
        5: {1: 5, 2: 5, 4: 6},
        6: {5: 7, 1: 8, 2: 8},
        7: {1: 8, 2: 8},
        8: {1: 9, 2: 9, 0: 10, 6: 11},
        9: {0: 10, 6: 11},
        10: {0: 10, 6: 11},
        11: {6: 11},
    }
    table = np.zeros((12, 8), dtype=np.uint8)
    for state, row in moves.items():
        for cls, nxt in row.items():
            table[state, cls] = nxt
    return table


_XL_TABLE = _excel_automaton()
_XL_ACCEPT = np.isin(np.arange(12), [4, 8, 9, 10, 11])

#: The padding value of digit matrices (the same as ``automata.PAD``).
PAD = 10
# Excel texts may stand for integers wider than their text ("9E20"); beyond this many digits the
# cell takes the per-cell path.
_MAX_DIGITS = 64


def normalise_matrix(values: np.ndarray) -> Normalised:
    """Normalise many cells at once; same results as :func:`normalise_phone_text`.

    Cells are written into a matrix of code points (numpy's fixed-width strings), one table
    look-up classifies every character, and each rule is a mask over that matrix; only rare
    shapes (blank or digit-less cells, very long cells, huge Excel exponents) go cell by cell.

    Args:
        values: object array of cells (str, int, float, None, NaN...).

    Returns:
        A :class:`Normalised` block.
    """
    values = np.asarray(values, dtype=object)
    n = len(values)
    kind = np.full(n, KIND_EMPTY, dtype=np.int8)
    plus = np.zeros(n, dtype=bool)
    count = np.zeros(n, dtype=np.int64)
    slow: list[int] = []  # rows done by normalise_phone_text
    idx = np.flatnonzero(~pd.isna(values))
    texts = values[idx]
    not_str = ~np.fromiter(map(isinstance, texts, repeat(str)), dtype=bool, count=len(texts))
    if not_str.any():
        # Only cells numpy would not copy as they are need str() (cell_to_text, as the cells
        # are not missing): Excel's ints and floats.
        texts = texts.copy()
        texts[not_str] = list(map(_float_text, texts[not_str]))
    arr = texts.astype(str) if len(texts) else np.zeros(0, dtype="<U1")
    if arr.dtype.itemsize // 4 > MAX_VECTOR_CHARS:
        wide = np.strings.str_len(arr) > MAX_VECTOR_CHARS
        slow.extend(idx[wide].tolist())
        idx, texts, arr = idx[~wide], texts[~wide], arr[~wide].astype(f"<U{MAX_VECTOR_CHARS}")
    m, width = len(idx), max(1, arr.dtype.itemsize // 4)
    cp = np.ascontiguousarray(arr).view(np.uint32).reshape(m, width)
    code = _CODE[cp]
    is_digit = code < _NOT_DIGIT
    nd = is_digit.view(np.uint8).sum(axis=1, dtype=np.int64)
    flags = np.bitwise_or.reduce(code, axis=1) if width else np.zeros(m, np.uint8)

    multiple = np.zeros(m, dtype=bool)
    enough = nd >= 2 * MULTIPLE_MIN_DIGITS
    rows = np.flatnonzero((flags & _SEP).astype(bool) & enough)
    if len(rows):
        multiple[rows] = _holds_several(is_digit[rows], (code[rows] & _SEP).astype(bool))
    rows = np.flatnonzero(enough & ~multiple)
    rows = rows[np.strings.str_len(arr[rows]) > nd[rows]]  # something between the digits
    if len(rows):
        # Split on spaces too (the low bits hold a digit's value: non-digits only).
        soft = (code[rows] & _SEP).astype(bool) | (
            (code[rows] & _SPACE).astype(bool) & ~is_digit[rows]
        )
        multiple[rows] = _holds_several(is_digit[rows], soft)

    has_plus = np.zeros(m, dtype=bool)
    has_ext = np.zeros(m, dtype=bool)
    rows = np.flatnonzero((flags & _MARK).astype(bool))
    if len(rows):
        marks = np.where(is_digit[rows], np.uint8(0), code[rows])
        plus_at = (marks & _PLUS).astype(bool)
        # A "+" counts when it comes before the first digit.
        has_plus[rows] = plus_at.any(axis=1) & (
            np.argmax(plus_at, axis=1) < np.argmax(is_digit[rows], axis=1)
        )
        has_ext[rows] = (marks & _EXT).astype(bool).any(axis=1)

    # Cells without a digit are blank, dashes, labels or junk: rare, and the per-cell rule
    # decides which. So are cells that end in an extension.
    odd = nd == 0
    rows = np.flatnonzero(has_ext & (nd > MULTIPLE_MIN_DIGITS))
    if len(rows):
        odd[rows] = [_EXTENSION.search(text) is not None for text in arr[rows].tolist()]
    keep = is_digit  # from here on: the characters whose digits make the number
    extra = np.zeros(m, dtype=np.int64)  # zeros an Excel exponent appends
    rounded = np.zeros(m, dtype=bool)
    xl = np.flatnonzero((flags & _DOT_OR_E).astype(bool) & ~odd)
    if len(xl):
        xl, cut, zeros = _excel_numbers(cp[xl], code[xl], texts[xl], xl)
        if len(xl):
            too_wide = nd[xl] - cut + zeros > _MAX_DIGITS
            odd[xl[too_wide]] = True
            # An exponent past the last written digit: digits were lost (rule 2).
            rounded[xl[(zeros > 0) & ~too_wide]] = True
            too_wide |= zeros > 0
            xl, cut, zeros = xl[~too_wide], cut[~too_wide], zeros[~too_wide]
            part = keep[xl]
            # Digits after the mantissa's last kept one (the exponent, trailing zeros) go.
            rank = np.cumsum(part, axis=1)
            keep[xl] = part & (rank <= (rank[:, -1] - cut)[:, None])
            nd[xl] -= cut
            extra[xl] = zeros

    bad = np.flatnonzero(odd | multiple | rounded)
    keep[bad] = False
    nd[bad] = 0
    total = nd + extra
    columns = np.arange(int(total.max(initial=0)) + 1)
    block = np.full((m, len(columns)), PAD, dtype=np.uint8)
    block[columns < nd[:, None]] = code[keep]
    if len(xl) and zeros.any():
        block[xl] = np.where((columns >= nd[xl, None]) & (columns < total[xl, None]), 0, block[xl])
    if m == n:
        digits = block  # no missing cells: the block is the answer, no copy
    else:
        digits = np.full((n, len(columns)), PAD, dtype=np.uint8)
        digits[idx] = block
    good = ~odd & ~multiple & ~rounded
    kind[idx[good]] = KIND_NUMBER
    plus[idx] = has_plus & good
    count[idx] = np.where(good, total, 0)
    kind[idx[multiple & ~odd]] = KIND_MULTIPLE
    kind[idx[rounded]] = KIND_ROUNDED
    slow.extend(idx[odd].tolist())

    long: dict[int, str] = {}
    extensions: dict[int, str] = {}
    for i in slow:
        name, canonical, extension = normalise_cell(values[i])
        kind[i] = _KIND_CODES[name]
        if extension:
            extensions[i] = extension
        plus[i] = canonical.startswith("+")
        text = canonical.lstrip("+")
        count[i] = len(text)
        if len(text) < digits.shape[1]:
            digits[i, : len(text)] = np.frombuffer(text.encode("ascii"), np.uint8) - 0x30
        else:
            long[i] = text  # wider than the matrix: kept as text for the per-row parser
    return Normalised(kind, plus, digits, count, long, extensions)


def _excel_numbers(
    cp: np.ndarray, code: np.ndarray, texts: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which candidate rows are Excel numbers, and how to turn their digits into the integer.

    Returns:
        ``(rows, cut, zeros)``: the rows that are integral Excel numbers, how many trailing
        digits to drop (the exponent's, plus fraction digits the exponent does not cover), and
        how many zeros to append (an exponent larger than the fraction).
    """
    classes = _XL_CLASS[np.minimum(cp, 127)]
    # Texts with any other character (labels, brackets, non-ASCII digits) are out at once.
    plain = ((cp < 128) & (classes != 7)).all(axis=1)
    cp, code, texts, rows = cp[plain], code[plain], texts[plain], rows[plain]
    state = np.ones(len(rows), dtype=np.intp)
    flat = _XL_TABLE.ravel().astype(np.intp)
    for column in np.ascontiguousarray(classes[plain].T):
        state = flat[state * 8 + column]
    # numpy drops trailing NULs from its strings, the regex would not: leave such texts alone.
    ends_nul = np.fromiter(map(str.endswith, texts, repeat("\0")), dtype=bool, count=len(texts))
    ok = _XL_ACCEPT[state] & ~ends_nul
    cp, code, rows = cp[ok], code[ok], rows[ok]
    if len(rows) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return rows, empty, empty
    is_digit = code < _NOT_DIGIT
    width = cp.shape[1]
    is_e = (cp == ord("e")) | (cp == ord("E"))
    e_at = np.where(is_e.any(axis=1), np.argmax(is_e, axis=1), width)
    dot = cp == ord(".")
    dot_at = np.where(dot.any(axis=1), np.argmax(dot, axis=1), width)
    col = np.arange(width)
    fraction = (is_digit & (col > dot_at[:, None]) & (col < e_at[:, None])).sum(axis=1)
    exp_digit = is_digit & (col > e_at[:, None])
    # Weight of each exponent digit: 10 ** (exponent digits after it).
    after = np.cumsum(exp_digit[:, ::-1], axis=1)[:, ::-1] - exp_digit
    exponent = (np.where(exp_digit, code.astype(np.int64), 0) * 10**after).sum(axis=1)
    n_exp = exp_digit.sum(axis=1)
    shift = exponent - fraction
    mantissa = is_digit & ~exp_digit
    # A negative shift drops mantissa digits, which must all be zeros for an integer.
    rank_from_end = np.cumsum(mantissa[:, ::-1], axis=1)[:, ::-1]
    dropped = mantissa & (rank_from_end <= -shift[:, None])
    integral = ~(dropped & (code != 0)).any(axis=1)
    cut = n_exp + np.maximum(-shift, 0)
    return rows[integral], cut[integral], np.maximum(shift, 0)[integral]


def _holds_several(is_digit: np.ndarray, is_sep: np.ndarray) -> np.ndarray:
    """Rule 4 per row: two or more separator-split parts with enough digits each."""
    m = len(is_digit)
    nd = is_digit.sum(axis=1)
    s = np.concatenate([is_sep, np.ones((m, 1), bool)], axis=1)
    cum = np.cumsum(is_digit, axis=1, dtype=np.int16)
    c = np.concatenate([cum, nd[:, None].astype(np.int16)], axis=1)
    # Digits seen up to each separator; a part's count is the step between separators.
    previous = np.maximum.accumulate(np.where(s, c, 0), axis=1)
    previous = np.concatenate([np.zeros((m, 1), previous.dtype), previous[:, :-1]], 1)
    part = np.where(s, c - previous, 0)
    return (part >= MULTIPLE_MIN_DIGITS).sum(axis=1) >= 2


@dataclass
class Normalised:
    """A block of normalised cells.

    Attributes:
        kind: int8 ``KIND_*`` per cell.
        plus: a ``+`` was written before the first digit.
        digits: uint8 matrix, row ``i`` holds cell ``i``'s digits from column 0, then
            :data:`PAD` (all :data:`PAD` for empty and multiple cells).
        count: number of digits per cell.
        long: digit texts too wide for the matrix, by row (their matrix rows are not used).
        extensions: the extension digits split off a cell, by row (rule 3).
    """

    kind: np.ndarray
    plus: np.ndarray
    digits: np.ndarray
    count: np.ndarray
    long: dict[int, str]
    extensions: dict[int, str]

    def texts(self, rows: np.ndarray | None = None) -> list[str]:
        """The digits of ``rows`` (all rows by default) as ASCII strings."""
        rows = np.arange(len(self.kind)) if rows is None else rows
        return matrix_texts(self.digits, rows, self.long)


def normalise_array(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normalise many cells at once; same results as :func:`normalise_phone_text`.

    Args:
        values: object array of cells (str, int, float, None, NaN...).

    Returns:
        ``(kind, plus, digits)``: int8 kinds (``KIND_*``), a bool array for a leading ``+`` and
        an object array of ASCII digit strings (``""`` for empty and multiple cells).
    """
    block = normalise_matrix(values)
    digits = np.empty(len(block.kind), dtype=object)
    digits[:] = block.texts()
    return block.kind, block.plus, digits


