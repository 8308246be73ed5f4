"""CSV cells made inert for spreadsheets, and the toolkit's own quote taken back on reading.

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``), and a leading tab or carriage return can
hide one. Texts come from contact sheets and from the service's log, so anyone who can put a
name or a message there could plant one. In CSV written **for people**, such a text cell gets a
leading ``'``; a cell that is plainly a number or a phone (``-2``, ``3.5``, ``+989121234567``,
``+98 912 123 4567``) stays as it is, as do numbers and dates, which are not text.

Reading a CSV (:func:`~miogram_toolkit.sheets.read_contacts`) takes back exactly that quote:
one ``'`` before one of those characters. A text that already began with quotes before such a
character gets one more on writing, so every text round-trips unchanged.

::

    "=SUM(1+1)" ──make_inert──► "'=SUM(1+1)" ──take_back──► "=SUM(1+1)"
    "'-x"       ──make_inert──► "''-x"       ──take_back──► "'-x"
    "-2", "+989121234567"  stay as they are both ways

Example:
    >>> import pandas as pd
    >>> make_inert(pd.Series(["=HYPERLINK(1)", "-2", "-2+3", "Sara", 5])).tolist()
    ["'=HYPERLINK(1)", '-2', "'-2+3", 'Sara', 5]
    >>> take_back(pd.Series(["'=HYPERLINK(1)", "'-2+3", "it's"])).tolist()
    ['=HYPERLINK(1)', '-2+3', "it's"]
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["TRIGGERS", "inert_text", "make_inert", "take_back"]

#: The first characters that make a spreadsheet read a cell as a formula (or hide one).
TRIGGERS = "=+-@\t\r"
_RISKY = r"'*[=+\-@\t\r]"
# "Plainly a number or a phone": signs and digits only, nothing a formula could call.
_PLAIN = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|\+\d[\d ]{5,20}\d"
_PLAIN_RE = re.compile(_PLAIN)
_RISKY_RE = re.compile(_RISKY)
_TAKE_BACK = r"^'(?='*[=+\-@\t\r])"


def inert_text(value: str) -> str:
    """One text made inert (see the module's rule).

    Example:
        >>> inert_text("@SUM(1+1)"), inert_text("+989121234567")
        ("'@SUM(1+1)", '+989121234567')
    """
    if _RISKY_RE.match(value) and not _PLAIN_RE.fullmatch(value):
        return "'" + value
    return value


def _texts(values: pd.Series) -> pd.Series | None:
    if not (values.dtype == object or isinstance(values.dtype, pd.StringDtype)):
        return None
    return values.astype("string")


def make_inert(values: pd.Series) -> pd.Series:
    """A copy of ``values`` with every risky text cell quoted; other cells untouched.

    Example:
        >>> make_inert(pd.Series(["\\tx", "+cmd|' /C calc'!A0"])).tolist()
        ["'\\tx", "'+cmd|' /C calc'!A0"]
    """
    texts = _texts(values)
    if texts is None:
        return values
    risky = texts.str.match(_RISKY).fillna(False) & ~texts.str.fullmatch(_PLAIN).fillna(False)
    if not risky.any():
        return values
    out = values.copy()
    for label in risky[risky].index:
        value = values.loc[label]
        if isinstance(value, str):  # a number in a text column is written as a number
            out.loc[label] = "'" + value
    return out


def take_back(values: pd.Series) -> pd.Series:
    """A copy of ``values`` without the quote :func:`make_inert` added (one ``'``, where due).

    Example:
        >>> take_back(pd.Series(["''-x", "'Ali", "'@x"])).tolist()
        ["'-x", "'Ali", '@x']
    """
    texts = _texts(values)
    if texts is None or not texts.str.startswith("'").fillna(False).any():
        return values
    quoted = texts.str.match(_TAKE_BACK).fillna(False)
    if not quoted.any():
        return values
    out = values.copy()
    out[quoted] = values[quoted].str.slice(1)
    return out
