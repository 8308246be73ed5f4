"""Phone numbers in, E.164 out: clean and validate whole columns fast; phonenumbers decides.

MioGram accounts live on mobile numbers, and contact sheets write them every way people write
them. Each cell is first normalised to a canonical ``+?digits`` text (see
:mod:`miogram_toolkit.phones.normalise`: Persian and Arabic-Indic digits, separators, labels such
as ``"tel:"`` or ``"موبایل:"``, numbers Excel turned into floats or ``9.12E9`` texts), then parsed
as ``phonenumbers.parse(canonical, region)`` → ``is_valid_number`` → ``number_type`` →
``format_number(E164)`` would parse it. The answers are identical to that per-row pipeline
(:func:`naive_phone_report` runs it, and the tests compare the two); they are computed for whole
blocks of rows at once, on a matrix of digits, with automata built from phonenumbers' own metadata
patterns, about 30x faster than parsing row by row (``benchmarks/bench_phones.py``: under 1 s for
a million messy rows).

Status reason codes (``phone_status``), one per row:

=============  ==================================================================================
``ok``         a valid number; with ``mobile_only``, of type MOBILE or FIXED_LINE_OR_MOBILE
``duplicate``  ok, but the same E.164 number already appeared in an earlier row (that one stays ok)
``not_mobile`` valid, but a landline, toll-free, premium... number (only with ``mobile_only``)
``invalid``    not a valid number (wrong pattern, unknown country code, no digits at all)
``too_short``  too few digits for the country (phonenumbers' TOO_SHORT reasons)
``too_long``   too many digits for the country (phonenumbers' TOO_LONG reasons)
``multiple``   the cell holds two or more numbers, e.g. ``"0912 123 4567 / 0935 123 4567"``,
               ``"09121234567 or 09351234567"``
``rounded``    scientific notation that lost digits (``"9.89121E+11"``): never a number
``empty``      None, NaN, a blank string or a lone dash (``"-"``, ``"—"``)
=============  ==================================================================================

Two numbers in one cell are never merged or silently cut to one: the row gets ``multiple``, no
E.164, and is not sendable, so the summary shows how many need a look. To send to every number,
``clean_phones(df, split_multiple=True)`` gives each number its own row (a copy of its source
row). Only ``ok`` rows are sendable: ``rounded`` cells, whose digits are lost, never are.

Example:
    >>> import pandas as pd
    >>> to_e164(pd.Series(["۰۹۱۲ ۱۲۳ ۴۵۶۷", "9.121234567E9", "021 8888 1234", None])).tolist()
    ['+989121234567', '+989121234567', <NA>, <NA>]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import phonenumbers

from miogram_toolkit.phones.codepoints import normalise_matrix
from miogram_toolkit.phones.matrix import parse_matrix
from miogram_toolkit.phones.metadata import (
    DUPLICATE,
    EMPTY,
    MESSENGER_TYPES,
    MULTIPLE,
    NOT_MOBILE,
    OK,
    ROUNDED,
    STATUS_NAMES,
    TYPE_NAMES,
    reference_one,
)
from miogram_toolkit.phones.normalise import (
    KIND_MULTIPLE,
    KIND_NUMBER,
    KIND_ROUNDED,
    normalise_cell,
)
from miogram_toolkit.phones.split import split_numbers

__all__ = [
    "STATUSES",
    "NUMBER_TYPES",
    "to_e164",
    "phone_report",
    "clean_phones",
    "sendable",
    "phone_summary",
    "naive_phone_report",
]

#: Every ``phone_status`` value, in the order summaries list them.
STATUSES: tuple[str, ...] = STATUS_NAMES
#: Every ``number_type`` value (phonenumbers' ``PhoneNumberType`` names).
NUMBER_TYPES: tuple[str, ...] = TYPE_NAMES

# Distinct values are processed in chunks so the numpy work matrices stay small.
_CHUNK = 1 << 17

_STATUS_DTYPE = pd.CategoricalDtype(list(STATUS_NAMES))
_TYPE_DTYPE = pd.CategoricalDtype(list(TYPE_NAMES))

def check_region(region: str) -> str:
    """Return ``region`` upper-cased, or raise ValueError if phonenumbers does not know it.

    Example:
        >>> check_region("ir")
        'IR'
    """
    if not isinstance(region, str) or region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(
            f"Unknown region {region!r}: use a two-letter region code such as 'IR' or 'DE'."
        )
    return region.upper()


def _as_series(values: pd.Series | Iterable[Any]) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.DataFrame):
        raise TypeError("Expected one column of phone numbers (a Series), got a DataFrame.")
    if isinstance(values, str | bytes):
        raise TypeError("Expected a column of phone numbers, got a single string.")
    return pd.Series(list(values), dtype=object)


def _rows(values: pd.Series, region: str, mobile_only: bool, dedupe: bool) -> tuple[Any, ...]:
    """Row-level (e164 object array with pd.NA, type codes, status codes, extensions by row).

    Every row is classified where it stands, in blocks of :data:`_CHUNK` rows so the numpy work
    matrices stay small. Equal cells are not grouped first: hashing a million mostly distinct
    cells costs more than the matrix path spends on them, and cells that hash alike can read
    differently (``0`` and ``0.0`` are equal keys, but read as ``"0"`` and ``"00"``).
    """
    region = check_region(region)
    cells = values.to_numpy(dtype=object)
    n = len(cells)
    key = np.zeros(n, dtype=np.uint64)  # the E.164 digits as an integer, 0 when none
    ntype = np.full(n, -1, dtype=np.int8)
    status = np.full(n, EMPTY, dtype=np.int8)
    extensions: dict[int, str] = {}
    for start in range(0, n, _CHUNK):
        block = normalise_matrix(cells[start : start + _CHUNK])
        status[start : start + len(block.kind)][block.kind == KIND_MULTIPLE] = MULTIPLE
        status[start : start + len(block.kind)][block.kind == KIND_ROUNDED] = ROUNDED
        extensions.update((start + i, ext) for i, ext in block.extensions.items())
        number = np.flatnonzero(block.kind == KIND_NUMBER)
        if len(number) == 0:
            continue
        # Rows too wide for the matrix, renumbered to their place among the numbers.
        long: dict[int, str] = {}
        if block.long:
            place = {j: i for i, j in enumerate(number.tolist())}
            long = {place[j]: text for j, text in block.long.items() if j in place}
        rows = start + number
        key[rows], ntype[rows], status[rows] = parse_matrix(
            block.plus[number], block.digits[number], block.count[number], region, long
        )
    if mobile_only:
        status[(status == OK) & ~np.isin(ntype, MESSENGER_TYPES)] = NOT_MOBILE
    if dedupe:
        # The E.164 integers are the keys: far cheaper to hash than a million strings.
        ok_rows = np.flatnonzero(status == OK)
        status[ok_rows[pd.Index(key[ok_rows]).duplicated(keep="first")]] = DUPLICATE
    e164 = np.full(n, pd.NA, dtype=object)
    valid = np.flatnonzero(key)
    e164[valid] = [f"+{x}" for x in key[valid].tolist()]
    return e164, ntype, status, extensions


# Python-backed strings, whatever pandas' default string storage is (pyarrow when installed):
# the object array of E.164 texts becomes the column without a copy.
_PYTHON_STRINGS = pd.StringDtype(storage="python")


def _strings(values: np.ndarray) -> pd.arrays.StringArray:
    try:
        return pd.arrays.StringArray(values, dtype=_PYTHON_STRINGS)  # type: ignore[call-arg]
    except TypeError:  # pandas < 3: no dtype argument, and always python-backed
        return pd.arrays.StringArray(values)


def _extension_column(n: int, extensions: dict[int, str]) -> pd.arrays.StringArray:
    out = np.full(n, pd.NA, dtype=object)
    if extensions:
        out[list(extensions)] = list(extensions.values())
    return _strings(out)


def _string_series(values: np.ndarray, index: pd.Index, name: str | None) -> pd.Series:
    return pd.Series(_strings(values), index=index, name=name, copy=False)


def to_e164(
    values: pd.Series | Iterable[Any], region: str = "IR", *, mobile_only: bool = True
) -> pd.Series:
    """Return the E.164 form of each value, ``pd.NA`` where it is not a usable number.

    Args:
        values: a column of phone numbers as text, int, float or missing.
        region: the region numbers without a country code belong to.
        mobile_only: also give ``pd.NA`` for valid numbers that are not MOBILE or
            FIXED_LINE_OR_MOBILE (MioGram accounts live on mobile numbers).

    Returns:
        A Series of dtype ``"string"`` with the input's index, length and name.

    Example:
        >>> to_e164(pd.Series(["+98 912 123 4567", "nope"])).tolist()
        ['+989121234567', <NA>]
    """
    series = _as_series(values)
    e164, _, status, _ = _rows(series, region, mobile_only, dedupe=False)
    # not_mobile rows keep their E.164 in reports, but have none here.
    e164 = np.where(status == OK, e164, pd.NA)
    return _string_series(e164, series.index, series.name)


def phone_report(
    values: pd.Series | Iterable[Any],
    region: str = "IR",
    *,
    mobile_only: bool = True,
    dedupe: bool = True,
) -> pd.DataFrame:
    """Return one row per value: raw value, E.164, status reason code and number type.

    Args:
        values: a column of phone numbers.
        region: the region numbers without a country code belong to.
        mobile_only: mark valid numbers that are not mobile as ``not_mobile``.
        dedupe: mark repeats of an earlier ``ok`` number as ``duplicate``.

    Returns:
        A DataFrame with the input's index and columns ``raw``, ``e164`` (``"string"``, set for
        every valid number, including ``not_mobile`` and ``duplicate`` rows), ``phone_status``
        and ``number_type`` (categoricals; the type is missing where the value did not parse),
        plus ``extension`` (``"string"``) when a cell ends in an extension (``"... ext 12"``).

    Example:
        >>> phone_report(["09121234567", "0912 123 4567", "021 8888 1234"])["phone_status"].tolist()
        ['ok', 'duplicate', 'not_mobile']
    """
    series = _as_series(values)
    e164, ntype, status, extensions = _rows(series, region, mobile_only, dedupe)
    report = pd.DataFrame(
        {
            "raw": series.to_numpy(dtype=object),
            "e164": _strings(e164),
            "phone_status": pd.Categorical.from_codes(status, dtype=_STATUS_DTYPE),
            "number_type": pd.Categorical.from_codes(ntype, dtype=_TYPE_DTYPE),
        },
        index=series.index,
    )
    if extensions:
        report["extension"] = _extension_column(len(series), extensions)
    return report


def _phone_column(df: pd.DataFrame, column: str | None) -> str:
    if column is None:
        column = df.attrs.get("phone_column")
        if column is None:
            raise ValueError(
                "Name the phone column (clean_phones(df, 'mobile')), or use "
                "df.miogram.clean_phones(), which finds it."
            )
    if column not in df.columns:
        raise KeyError(
            f"No column {column!r} in the frame; its columns are: "
            + ", ".join(map(repr, df.columns))
        )
    return column


def clean_phones(
    df: pd.DataFrame,
    column: str | None = None,
    region: str = "IR",
    *,
    mobile_only: bool = True,
    dedupe: bool = True,
    split_multiple: bool = False,
    extension: bool | None = None,
) -> pd.DataFrame:
    """Return a new frame with every row and column of ``df`` plus ``e164`` and ``phone_status``.

    ``df`` itself is never changed. Existing ``e164`` / ``phone_status`` columns (from an earlier
    cleaning) are replaced in the returned frame. Where a cell ends in an extension
    (``"0912 123 4567 ext 12"``) the number is cleaned without it and the extension's digits go
    to a ``phone_extension`` column.

    Args:
        df: the contacts.
        column: the phone column; ``df.attrs['phone_column']`` (set by the sheet reader) when
            None. The ``df.miogram.clean_phones()`` accessor also finds it by header and content.
        region: the region numbers without a country code belong to.
        mobile_only: only mobile numbers are ``ok`` (others are ``not_mobile``).
        dedupe: repeats of an earlier ``ok`` number are ``duplicate``.
        split_multiple: a cell holding several numbers (``multiple``) becomes one row per
            number, each a copy of its source row (same index label and other cells) with that
            number in the phone column; every part is then cleaned like any cell.
        extension: add the ``phone_extension`` column always (True), never (False), or when a
            cell has an extension (None).

    Example:
        >>> df = pd.DataFrame({"name": ["A", "B"], "phone": ["0912 123 4567", "+989121234567"]})
        >>> clean_phones(df, "phone")["phone_status"].tolist()
        ['ok', 'duplicate']
        >>> two = pd.DataFrame({"name": ["A"], "phone": ["09121234567 or 09351234567"]})
        >>> clean_phones(two, "phone", split_multiple=True)[["name", "e164"]].values.tolist()
        [['A', '+989121234567'], ['A', '+989351234567']]
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"clean_phones expects a DataFrame, got {type(df).__name__}.")
    column = _phone_column(df, column)
    values = df[column]
    if isinstance(values, pd.DataFrame):
        raise ValueError(f"Column name {column!r} appears more than once; rename one first.")
    e164, _, status, extensions = _rows(values, region, mobile_only, dedupe)
    if split_multiple and (status == MULTIPLE).any():
        cells = values.to_numpy(dtype=object)
        pieces = np.empty(len(cells), dtype=object)
        pieces[:] = [[c] for c in cells.tolist()]
        for i in np.flatnonzero(status == MULTIPLE).tolist():
            pieces[i] = split_numbers(cells[i])
        exploded = df.assign(**{column: pieces}).explode(column)
        return clean_phones(
            exploded,
            column,
            region,
            mobile_only=mobile_only,
            dedupe=dedupe,
            split_multiple=False,
            extension=extension,
        )
    out = df.assign(
        e164=_string_series(e164, df.index, "e164"),
        phone_status=pd.Series(
            pd.Categorical.from_codes(status, dtype=_STATUS_DTYPE), index=df.index
        ),
    )
    if extension or (extension is None and extensions):
        out["phone_extension"] = pd.Series(
            _extension_column(len(df), extensions), index=df.index
        )
    return out


def _require_cleaned(df: pd.DataFrame, what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what} expects a DataFrame, got {type(df).__name__}.")
    missing = [c for c in ("e164", "phone_status") if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what} needs the columns made by clean_phones (missing: {', '.join(missing)}); "
            "run df.miogram.clean_phones() first."
        )


def sendable(df: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of a cleaned frame whose ``phone_status`` is ``ok``.

    Example:
        >>> df = clean_phones(pd.DataFrame({"phone": ["09121234567", "x"]}), "phone")
        >>> sendable(df)["e164"].tolist()
        ['+989121234567']
    """
    _require_cleaned(df, "sendable")
    return df.loc[(df["phone_status"] == "ok").to_numpy(dtype=bool)].copy()


def phone_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Count the rows of each ``phone_status``: a small frame that prints well in a notebook.

    Every status is listed, in :data:`STATUSES` order, with its ``count`` and ``percent`` of
    the rows; a ``total`` row closes the table.

    Example:
        >>> df = clean_phones(pd.DataFrame({"phone": ["09121234567", None]}), "phone")
        >>> phone_summary(df)["count"].to_dict()["ok"]
        1
    """
    _require_cleaned(df, "phone_summary")
    status = pd.Series(df["phone_status"], dtype=_STATUS_DTYPE)
    counts = status.value_counts(sort=False).reindex(list(STATUS_NAMES), fill_value=0)
    total = int(counts.sum())
    table = pd.DataFrame(
        {
            "count": counts.astype("int64"),
            "percent": (counts / total * 100 if total else counts * 0.0).round(1),
        }
    )
    table.loc["total"] = [total, 100.0 if total else 0.0]
    table["count"] = table["count"].astype("int64")
    table.index.name = "phone_status"
    return table


def naive_phone_report(
    values: pd.Series | Iterable[Any],
    region: str = "IR",
    *,
    mobile_only: bool = True,
    dedupe: bool = True,
) -> pd.DataFrame:
    """The per-row pipeline, one phonenumbers parse per cell: slow, simple, the yardstick.

    Same output as :func:`phone_report`; the tests and ``benchmarks/bench_phones.py`` compare
    the two.

    Example:
        >>> naive_phone_report(["09121234567"])["e164"].tolist()
        ['+989121234567']
    """
    series = _as_series(values)
    region = check_region(region)
    e164_out: list[Any] = []
    types: list[Any] = []
    statuses: list[str] = []
    seen: set[str] = set()
    extensions: dict[int, str] = {}
    for i, value in enumerate(series.tolist()):
        kind, canonical, ext = normalise_cell(value)
        if ext:
            extensions[i] = ext
        if kind != "number":
            e164_out.append(pd.NA)
            types.append(None)
            statuses.append(kind)
            continue
        e164, type_code, status = reference_one(canonical, region)
        name = STATUS_NAMES[status]
        if name == "ok" and mobile_only and type_code not in MESSENGER_TYPES:
            name = "not_mobile"
        if name == "ok" and dedupe:
            name = "duplicate" if e164 in seen else "ok"
            seen.add(e164)
        e164_out.append(e164 or pd.NA)
        types.append(TYPE_NAMES[type_code] if type_code >= 0 else None)
        statuses.append(name)
    report = pd.DataFrame(
        {
            "raw": series.to_numpy(dtype=object),
            "e164": _strings(np.array(e164_out, dtype=object)),
            "phone_status": pd.Categorical(statuses, dtype=_STATUS_DTYPE),
            "number_type": pd.Categorical(types, dtype=_TYPE_DTYPE),
        },
        index=series.index,
    )
    if extensions:
        report["extension"] = _extension_column(len(series), extensions)
    return report
