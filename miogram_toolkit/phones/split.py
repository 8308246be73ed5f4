"""Split a cell that holds several phone numbers into one text per number.

Used by ``clean_phones(..., split_multiple=True)`` on the cells the normalisation rules call
``multiple`` (rule 5 of :mod:`miogram_toolkit.phones.normalise`), the same two ways:

* parts between ``, ; : | / \\`` or line breaks: ``"0912 123 4567 / 0935 123 4567"``;
* inside a part, space-split tokens of :data:`MULTIPLE_MIN_DIGITS` or more digits anchor one
  number each, and shorter tokens (``"+98"``, ``"0912"``) join the anchor after them:
  ``"+98 9121234567 +98 9351234567"`` → ``["+98 9121234567", "+98 9351234567"]``. Tokens
  without a digit (``"or"``, ``"و"``) are dropped.

Example:
    >>> split_numbers("09121234567 ::: 0935 123 4567")
    ['09121234567', '0935 123 4567']
    >>> split_numbers("0912 1234567 و 0935 1234567")
    ['0912 1234567', '0935 1234567']
"""

from __future__ import annotations

import re
from typing import Any

from miogram_toolkit.phones.normalise import (
    _SEPARATORS,
    _SPACES,
    MULTIPLE_MIN_DIGITS,
    _digit_count,
    cell_to_text,
)

__all__ = ["split_numbers"]

_HARD = re.compile("[" + re.escape(_SEPARATORS) + "]+")
_SOFT = re.compile("[" + re.escape(_SPACES) + "]+")


def _split_tokens(part: str) -> list[str]:
    tokens = [t for t in _SOFT.split(part) if _digit_count(t)]
    if sum(_digit_count(t) >= MULTIPLE_MIN_DIGITS for t in tokens) < 2:
        return [part.strip()]
    numbers: list[list[str]] = []
    waiting: list[str] = []  # short tokens that belong to the next anchor
    for token in tokens:
        waiting.append(token)
        if _digit_count(token) >= MULTIPLE_MIN_DIGITS:
            numbers.append(waiting)
            waiting = []
    if waiting:  # short tokens after the last anchor end that number
        numbers[-1].extend(waiting)
    return [" ".join(group) for group in numbers]


def split_numbers(value: Any) -> list[str]:
    """Return the texts of the numbers in one cell, in order (the cell's text alone if one).

    Example:
        >>> split_numbers("09121234567, 09351234567")
        ['09121234567', '09351234567']
    """
    text = cell_to_text(value) or ""
    pieces: list[str] = []
    for part in _HARD.split(text):
        if _digit_count(part):
            pieces.extend(_split_tokens(part))
    return pieces if len(pieces) > 1 else [text]
