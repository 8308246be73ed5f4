"""Time as people read it: Tehran's clock, named, with the Jalali date beside it.

One rule for the whole toolkit: **machines keep UTC, people read Tehran time**.

* Machine files (the journal, CSV written for programs) keep UTC and say so in the column
  name (:func:`label_utc`: ``sent_at`` → ``sent_at (UTC)``).
* Everything a person reads (CLI lines, notebook tables, the Excel report, charts, the
  dashboard, campaign results) shows Tehran time with the zone named, and a Jalali (Solar Hijri)
  date beside every Gregorian one (:func:`with_time_columns`: ``sent_at`` → ``sent_at (Tehran)``
  followed by ``sent_on (Jalali)``).

A value without a zone is taken as UTC (the journal and the frames store UTC); a value with a
zone is converted. The Jalali calendar comes from ``jdatetime`` (a maintained library), never a
hand-written table. ``pandas`` is imported only by the functions that take frames, so a command
that prints one time stays quick to start.

::

    value (UTC or zoned) ──to_tehran──► Tehran time ──jalali_date──► "1405/01/01"
    frame ──with_time_columns──► "X (Tehran)" + "X→on (Jalali)" beside it   (for people)
    frame ──label_utc─────────► "X (UTC)"                                  (for machines)

Example:
    >>> from datetime import datetime, timezone
    >>> moment = datetime(2026, 3, 21, 10, 30, tzinfo=timezone.utc)
    >>> to_tehran(moment).isoformat()
    '2026-03-21T14:00:00+03:30'
    >>> jalali_date(moment)
    '1405/01/01'
    >>> describe_time(moment)
    '2026-03-21 14:00 Tehran time (1405/01/01)'
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"row": [2], "sent_at": [pd.Timestamp(moment)]})
    >>> list(with_time_columns(frame).columns)
    ['row', 'sent_at (Tehran)', 'sent_on (Jalali)']
    >>> list(label_utc(frame).columns)
    ['row', 'sent_at (UTC)']
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas only for the frame helpers, loaded when they run
    import pandas as pd

__all__ = [
    "JALALI_FORMAT",
    "TEHRAN",
    "TEHRAN_ZONE",
    "describe_time",
    "jalali_date",
    "jalali_dates",
    "jalali_name",
    "label_utc",
    "tehran",
    "tehran_name",
    "to_tehran",
    "with_time_columns",
]

#: The zone people using the toolkit read times in (the service's own clock too).
TEHRAN_ZONE = "Asia/Tehran"
#: How a Jalali date is written (year/month/day, as Iranian forms and calendars write it).
JALALI_FORMAT = "%Y/%m/%d"


def tehran() -> tzinfo:
    """Tehran's time zone: ``zoneinfo``'s when the system (or ``tzdata``) has it.

    Iran has kept +03:30 all year since 2022; the fixed offset is used only where no zone
    database exists (some Windows installs without ``tzdata``), so recent times stay right.

    Example:
        >>> str(tehran())
        'Asia/Tehran'
    """
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(TEHRAN_ZONE)
    except Exception:  # noqa: BLE001 - no zone database: the offset in force since 2022
        return timezone(timedelta(hours=3, minutes=30), TEHRAN_ZONE)


TEHRAN = tehran()


def to_tehran(value: Any) -> Any:
    """The same moment on Tehran's clock; a value without a zone is taken as UTC.

    Args:
        value: a ``datetime``, a ``pandas.Timestamp``, a datetime ``Series`` or
            ``DatetimeIndex``, or an ISO text. Missing values stay missing.

    Returns:
        The same kind of value, with the Tehran zone attached.

    Example:
        >>> to_tehran("2026-01-31T08:00:00Z").isoformat()
        '2026-01-31T11:30:00+03:30'
    """
    if value is None:
        return None
    if isinstance(value, datetime) and type(value) is datetime:
        zoned = value if value.tzinfo else value.replace(tzinfo=UTC)
        return zoned.astimezone(TEHRAN)
    import pandas as pd

    if isinstance(value, pd.Series):
        stamps = value if isinstance(value.dtype, pd.DatetimeTZDtype) else pd.to_datetime(
            value, utc=True, errors="coerce")
        return stamps.dt.tz_convert(TEHRAN_ZONE)
    if isinstance(value, pd.DatetimeIndex):
        index = value if value.tz is not None else value.tz_localize("UTC")
        return index.tz_convert(TEHRAN_ZONE)
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        return pd.NaT
    stamp = stamp if stamp.tzinfo is not None else stamp.tz_localize("UTC")
    return stamp.tz_convert(TEHRAN_ZONE)


@lru_cache(maxsize=4096)
def _jalali_of(day: date) -> str:
    import jdatetime

    return jdatetime.date.fromgregorian(date=day).strftime(JALALI_FORMAT)


def jalali_date(value: Any) -> str:
    """The Jalali date of a moment, on Tehran's clock (``"1405/01/01"``); ``""`` when missing.

    A plain ``date`` is converted as it is (it names a day, not a moment).

    Example:
        >>> from datetime import date
        >>> jalali_date(date(2025, 3, 20)), jalali_date(None)
        ('1403/12/30', '')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return _jalali_of(value)
    moment = to_tehran(value)
    if moment is None or str(moment) == "NaT":
        return ""
    return _jalali_of(date(moment.year, moment.month, moment.day))


def jalali_dates(values: Any) -> pd.Series:
    """:func:`jalali_date` for a whole column, converting each distinct day once.

    Example:
        >>> import pandas as pd
        >>> jalali_dates(pd.Series(pd.to_datetime(["2026-03-20 21:00", None], utc=True))).tolist()
        ['1405/01/01', '']
    """
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series, utc=True, errors="coerce")
    days = to_tehran(series).dt.normalize().dt.tz_localize(None)
    codes, uniques = pd.factorize(days)  # a missing day's code is -1: the last name, ""
    names = [_jalali_of(day.date()) for day in uniques] + [""]
    return pd.Series([names[code] for code in codes.tolist()], index=days.index, dtype=object,
                     name=series.name)


def tehran_name(name: str) -> str:
    """The column name of a time shown on Tehran's clock: ``sent_at`` → ``sent_at (Tehran)``.

    Example:
        >>> tehran_name("Sent at")
        'Sent at (Tehran)'
    """
    return f"{name} (Tehran)"


def jalali_name(name: str) -> str:
    """The column name of the Jalali date beside ``name``: ``sent_at`` → ``sent_on (Jalali)``.

    Example:
        >>> jalali_name("sent_at"), jalali_name("Sent at"), jalali_name("Joined")
        ('sent_on (Jalali)', 'Sent on (Jalali)', 'Joined (Jalali)')
    """
    base = name
    for ending, day in (("_at", "_on"), (" at", " on"), (" At", " On")):
        if name.endswith(ending):
            base = name[: -len(ending)] + day
            break
    return f"{base} (Jalali)"


def _time_columns(frame: pd.DataFrame, columns: Any) -> list[Any]:
    import pandas as pd

    if columns is not None:
        return [columns] if isinstance(columns, str) else list(columns)
    return [name for name in frame.columns
            if pd.api.types.is_datetime64_any_dtype(frame[name].dtype)]


def with_time_columns(frame: pd.DataFrame, columns: Any = None, *, naive: bool = True,
                      jalali: bool = True) -> pd.DataFrame:
    """A copy of ``frame`` for people: each time column on Tehran's clock, named, Jalali beside.

    Each column ``X`` is replaced in place by ``X (Tehran)`` and followed by the Jalali date
    (:func:`jalali_name`). The caller's frame is not changed.

    Args:
        frame: any frame.
        columns: the time columns (default: every datetime column). Text columns named here
            are read as times (UTC when they carry no zone).
        naive: drop the zone from the shown times (Excel cannot store one; the name says it).
        jalali: add the Jalali date column.

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"sent_at": pd.to_datetime(["2026-01-31 08:00"], utc=True)})
        >>> shown = with_time_columns(frame)
        >>> shown.iloc[0].tolist()
        [Timestamp('2026-01-31 11:30:00'), '1404/11/11']
    """
    import pandas as pd

    pieces: dict[Any, Any] = {}
    chosen = set(_time_columns(frame, columns))
    for name in frame.columns:
        column = frame[name]
        if name not in chosen:
            pieces[name] = column
            continue
        shown = to_tehran(column)
        if jalali:
            days = jalali_dates(shown)
        if naive:
            shown = shown.dt.tz_localize(None)
        pieces[tehran_name(str(name))] = shown
        if jalali:
            pieces[jalali_name(str(name))] = days
    return pd.DataFrame(pieces, index=frame.index)


def label_utc(frame: pd.DataFrame, columns: Any = None) -> pd.DataFrame:
    """A copy of ``frame`` for machines: each time column in UTC, named ``X (UTC)``.

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"at": pd.to_datetime(["2026-01-31 11:30+03:30"])})
        >>> label_utc(frame)["at (UTC)"].iloc[0].isoformat()
        '2026-01-31T08:00:00+00:00'
    """
    import pandas as pd

    chosen = set(_time_columns(frame, columns))
    pieces: dict[Any, Any] = {}
    for name in frame.columns:
        if name in chosen:
            pieces[f"{name} (UTC)"] = pd.to_datetime(frame[name], utc=True, errors="coerce")
        else:
            pieces[name] = frame[name]
    return pd.DataFrame(pieces, index=frame.index)


def describe_time(value: Any, *, seconds: bool = False) -> str:
    """One moment in words for a person: Tehran time, the zone named, the Jalali date.

    Example:
        >>> describe_time("2026-01-31T08:00:00Z", seconds=True)
        '2026-01-31 11:30:00 Tehran time (1404/11/11)'
        >>> describe_time(None)
        'never'
    """
    moment = to_tehran(value)
    if moment is None or str(moment) == "NaT":
        return "never"
    shown = moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{shown} Tehran time ({jalali_date(moment)})"
