"""Who is never sent to: opt-outs, duplicates, and numbers cleaning could not use.

Each row of a campaign gets at most one skip reason, decided in this order:

==========================  =======================================================================
``phone_<status>``          cleaning found no usable number (``phone_invalid``, ``phone_empty``,
                            ``phone_multiple``, ``phone_not_mobile``, ``phone_too_short``, …)
``duplicate_of:<row>``      the same E.164 number is on an earlier row (its label named: the
                            campaign passes the sheet's row numbers); that row is sent to
``opted_out``               the number is on the opt-out list
``missing_value:<column>``  the message needs this column and the row's value is empty
==========================  =======================================================================

An opt-out list can be a Series or list of numbers, a DataFrame (its phone column is found), a
path to a CSV/Excel file, or ``(path, sheet)`` for one sheet of a workbook — for instance the
sample's ``Unsubscribed`` sheet. Its numbers are cleaned like the contacts, so ``0912 100 0001``
suppresses ``+989121000001``.

Example:
    >>> import pandas as pd
    >>> opt_out_numbers(["0912 100 0001", "not a number"])
    {'+989121000001'}
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Union

import pandas as pd

from miogram_toolkit.phones import to_e164
from miogram_toolkit.sheets import find_phone_column, read_contacts

__all__ = ["OptOut", "opt_out_numbers", "skip_reasons"]

#: What ``opt_out=`` accepts.
OptOut = Union[pd.Series, pd.DataFrame, Iterable[str], str, "os.PathLike[str]",  # noqa: UP007
               tuple[Union[str, "os.PathLike[str]"], str]]


def _frame_numbers(frame: pd.DataFrame, region: str) -> set[str]:
    if "e164" in frame.columns:
        values = frame["e164"]
    else:
        column = frame.attrs.get("phone_column") or find_phone_column(frame)
        values = frame[column]
    return set(to_e164(values.astype("string"), region).dropna().tolist())


def opt_out_numbers(opt_out: OptOut | None, region: str = "IR") -> set[str]:
    """The E.164 numbers of an opt-out list (see the module docstring for the forms).

    Raises:
        ContactFileError: the file cannot be read or has no phone-like column.
        ValueError: ``opt_out`` is of a type that cannot hold numbers.
    """
    if opt_out is None:
        return set()
    if isinstance(opt_out, pd.DataFrame):
        return _frame_numbers(opt_out, region)
    if isinstance(opt_out, tuple) and len(opt_out) == 2 and isinstance(opt_out[1], str):
        path, sheet = opt_out
        return _frame_numbers(read_contacts(Path(path), sheet=sheet), region)
    if isinstance(opt_out, str | os.PathLike):
        return _frame_numbers(read_contacts(Path(opt_out)), region)
    if isinstance(opt_out, pd.Series | pd.Index | list | set | frozenset | tuple):
        values = pd.Series(list(opt_out), dtype="object").astype("string")
        return set(to_e164(values, region).dropna().tolist())
    raise ValueError(f"opt_out: expected numbers (a Series or list), a DataFrame, a file path "
                     f"or (path, sheet), got {type(opt_out).__name__}")


def skip_reasons(e164: pd.Series, status: pd.Series, opted_out: set[str],
                 labels: pd.Index) -> pd.Series:
    """One skip reason per row (``<NA>`` for rows to send), by position.

    Args:
        e164: the cleaned numbers (``<NA>`` where unusable).
        status: ``phone_status`` from cleaning.
        opted_out: E.164 numbers never to send to.
        labels: the input's index labels, named in ``duplicate_of:<row>``.

    Example:
        >>> e164 = pd.Series(["+989121000001", "+989121000001", None, "+989121000002"])
        >>> status = pd.Series(["ok", "duplicate", "invalid", "ok"])
        >>> skip_reasons(e164, status, {"+989121000002"}, pd.Index([10, 11, 12, 13])).tolist()
        [<NA>, 'duplicate_of:10', 'phone_invalid', 'opted_out']
    """
    numbers = e164.astype("string").reset_index(drop=True)
    states = status.astype("string").reset_index(drop=True)
    reasons = pd.Series(pd.NA, index=numbers.index, dtype="string")
    usable = numbers.notna() & states.isin(["ok", "duplicate"]).fillna(False)
    reasons = reasons.mask(~usable, "phone_" + states.fillna("empty"))
    # Duplicates: the first usable row of each number is sent, every later one points to it.
    candidates = numbers.where(usable)
    first = candidates.dropna().drop_duplicates(keep="first")
    first_label = pd.Series([str(labels[i]) for i in first.index], index=first.to_numpy(),
                            dtype="string")
    repeated = usable & candidates.duplicated(keep="first")
    # ``astype``: with no usable number at all the map is empty and would come back as floats.
    reasons = reasons.mask(repeated, "duplicate_of:" + numbers.map(first_label).astype("string"))
    if opted_out:
        out = usable & ~repeated & numbers.isin(opted_out).fillna(False)
        reasons = reasons.mask(out, "opted_out")
    return reasons
