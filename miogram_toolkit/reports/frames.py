"""Report records, whatever their shape, as one typed frame: one row per number per send.

``APIGetReport`` answers in two shapes. The service's own implementation logs one row per
*request*: ``{Username, DATE "Y-m-d", TIME "H:i:s" (Asia/Tehran), IP, DATA, Number, Delivered}``,
all strings, ``Number`` the numbers sent and ``Delivered`` the delivered ones, comma-joined. The
document-shaped records (the simulator's ``dialect="document"``) are one row per number:
``{Id, Time (ISO, UTC), Func, Phone, Robot, Channel, Kind, Delivered, Charged, Message, File,
Reason}``. Both, and records with extra, missing or renamed fields or epoch times, become:

============  ==========================  ==================================================
column        dtype                       holds
============  ==========================  ==================================================
``sent_at``   ``datetime64[ns, UTC]``     when the request was logged (NaT when not given)
``func``      string                      the action (``SendMessageMass``); <NA> in the
                                          service's own log, which does not keep it
``channel``   string                      ``telegram`` / ``whatsapp`` when known
``robot``     string                      the agent when known
``phone``     string                      the number in E.164 (``+98…``) where its written
                                          form allows, else as written
``delivered`` bool                        the number is in the delivered list / flag
``kind``      string                      the credit kind (``Message``, ``Photo``…)
``message``   string                      the text; for a file a short description (size
                                          and hash, or its name), never the whole base64
``reason``    string                      why it was not delivered (<NA> when delivered)
``request``   int64                       position of the record it came from in the list
                                          given (the service lists newest first)
============  ==========================  ==================================================

Any other field is kept as an extra column named in ``snake_case`` (``Username`` →
``username``, ``IP`` → ``ip``, ``Charged`` → ``charged``).

**What the service's own log cannot say**: an undelivered *single* send leaves no record there
(only Mass requests list their undelivered numbers), so a frame built from that log counts
every failed single send as never sent. The reason of an undelivered number is not logged
either: those rows carry the reason ``undelivered``.

Example:
    >>> records = [{"Username": "demo", "DATE": "2026-01-31", "TIME": "15:30:00",
    ...             "IP": "127.0.0.1", "DATA": "Hi", "Number": "+989121234567,09351234567",
    ...             "Delivered": "+989121234567"}]
    >>> frame = records_to_frame(records)
    >>> frame["phone"].tolist(), frame["delivered"].tolist(), frame["reason"].tolist()
    (['+989121234567', '+989351234567'], [True, False], [<NA>, 'undelivered'])
    >>> str(frame["sent_at"].iloc[0])                  # 15:30 in Tehran is 12:00 UTC
    '2026-01-31 12:00:00+00:00'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["REPORT_COLUMNS", "SERVICE_TZ", "describe_data", "e164", "empty_report_frame",
           "report_frame",
           "records_to_frame"]

#: The service logs local times of Tehran.
SERVICE_TZ = "Asia/Tehran"

#: The stable columns and their dtypes, in order (extra fields follow them).
REPORT_COLUMNS: dict[str, str] = {
    "sent_at": "datetime64[ns, UTC]",
    "func": "string",
    "channel": "string",
    "robot": "string",
    "phone": "string",
    "delivered": "bool",
    "kind": "string",
    "message": "string",
    "reason": "string",
    "request": "int64",
}

# Field name (lower case, no separators) -> our column. Anything else becomes an extra column.
_ALIASES: dict[str, str] = {
    "func": "func", "action": "func", "function": "func",
    "channel": "channel",
    "robot": "robot", "agent": "robot",
    "phone": "phone", "number": "phone", "numbers": "phone", "phones": "phone",
    "delivered": "delivered",
    "kind": "kind",
    "message": "message", "data": "message", "text": "message",
    "file": "file",
    "reason": "reason",
    "time": "time", "sentat": "time", "timestamp": "time", "datetime": "time",
    "date": "date",
}

_BASE64 = re.compile(r"[A-Za-z0-9+/=\r\n]+")
_LONG_DATA = 200  # texts longer than this that are pure base64 are files
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}
_NOT_DIGIT = re.compile(r"[\s\-().]")


def empty_report_frame() -> pd.DataFrame:
    """The frame of no records: the stable columns, typed, no rows.

    Example:
        >>> list(empty_report_frame().columns)[:4]
        ['sent_at', 'func', 'channel', 'robot']
    """
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in REPORT_COLUMNS.items()})


def e164(number: str) -> str:
    """A written number in E.164 where its form allows (Iranian national ``09…`` too).

    Example:
        >>> e164("09121234567"), e164("989121234567"), e164("0098 912 123 4567"), e164("abc")
        ('+989121234567', '+989121234567', '+989121234567', 'abc')
    """
    text = _NOT_DIGIT.sub("", number)
    if text.startswith("+"):
        return text if text[1:].isdigit() else number.strip()
    if not text.isdigit():
        return number.strip()
    if text.startswith("00"):
        return "+" + text[2:]
    if text.startswith("0") and len(text) == 11:  # the service's own country, written nationally
        return "+98" + text[1:]
    if len(text) >= 11:
        return "+" + text
    return text


def describe_data(data: str) -> str:
    """What a logged ``DATA`` field is, in a few words: the text itself, or a file described.

    A long text that is pure base64 is the content of a file the service logged whole; it
    becomes ``"file, 12.3 KB, sha1 1a2b3c4d"`` (the hash of the decoded bytes, its first eight
    hex digits).

    Example:
        >>> describe_data("Hello")
        'Hello'
        >>> describe_data(base64.b64encode(bytes(3000)).decode())
        'file, 2.9 KB, sha1 790fecb4'
    """
    if len(data) <= _LONG_DATA or not _BASE64.fullmatch(data):
        return data
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return data
    return f"file, {human_size(len(raw))}, sha1 {hashlib.sha1(raw).hexdigest()[:8]}"


def human_size(size: float) -> str:
    """Bytes as a person reads them.

    Example:
        >>> human_size(100), human_size(2048), human_size(5 * 1048576)
        ('100 bytes', '2 KB', '5 MB')
    """
    if size < 1024:
        return f"{int(size)} bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}".replace(".0 ", " ")
    raise AssertionError("unreachable")  # pragma: no cover


@lru_cache(maxsize=1024)
def _snake(name: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "field"


@lru_cache(maxsize=1024)
def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _numbers(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = str(value).split(",")
    # Fast path: the client writes E.164 already.
    return [item if item[:1] == "+" and item[1:].isdigit() else e164(item)
            for item in items if item.strip()]


def _text(value: Any) -> Any:
    if value is None or value is False:
        return pd.NA
    return str(value)


def _times(raw: list[Any], dates: list[Any]) -> pd.DatetimeIndex:
    """One UTC timestamp per record from its time (and date) fields, whatever their form."""
    out = pd.Series(pd.NaT, index=range(len(raw)), dtype="datetime64[ns, UTC]")
    local, iso, epoch = [], [], []
    for i, (time, date) in enumerate(zip(raw, dates, strict=True)):
        if isinstance(time, bool) or time is None or time == "":
            if date:
                local.append((i, str(date)))
            continue
        if isinstance(time, int | float) or (isinstance(time, str) and time.isdigit()):
            epoch.append((i, float(time)))
        elif date:
            local.append((i, f"{date} {time}"))
        else:
            iso.append((i, str(time)))
    if local:
        idx, values = zip(*local, strict=True)
        stamps = pd.to_datetime(pd.Series(values), format="mixed", errors="coerce")
        out.iloc[list(idx)] = (stamps.dt.tz_localize(SERVICE_TZ, ambiguous="NaT",
                                                     nonexistent="NaT")
                               .dt.tz_convert("UTC").to_numpy())
    if iso:
        idx, values = zip(*iso, strict=True)
        stamps = pd.to_datetime(pd.Series(values), format="ISO8601", errors="coerce", utc=True)
        out.iloc[list(idx)] = stamps.to_numpy()
    if epoch:
        idx, values = zip(*epoch, strict=True)
        seconds = np.array(values)
        seconds = np.where(seconds > 1e11, seconds / 1000.0, seconds)  # milliseconds
        out.iloc[list(idx)] = pd.to_datetime(seconds, unit="s", utc=True)
    return pd.DatetimeIndex(out)


def records_to_frame(records: Iterable[Mapping[str, Any]] | None) -> pd.DataFrame:
    """Report records of either shape (or a mix) as the typed frame described above.

    Args:
        records: the records as ``client.get_report()`` or the campaign's archive gives them;
            None or an empty list (the service's "111 No DATA") give the empty frame.

    Returns:
        One row per number per send, the columns of :data:`REPORT_COLUMNS` then the extras.

    Raises:
        ValueError: an item is not a record (a mapping of fields).

    Example:
        >>> records_to_frame([]).shape
        (0, 10)
        >>> frame = records_to_frame([{"Id": 7, "Time": 1767182400, "Func": "SendMessage",
        ...                            "Phone": "+989121234567", "Delivered": False,
        ...                            "Reason": "not_on_messenger"}])
        >>> frame.loc[0, ["func", "delivered", "reason", "id"]].astype(str).tolist()
        ['SendMessage', 'False', 'not_on_messenger', '7']
    """
    items = list(records or [])
    if not items:
        return empty_report_frame()
    n = len(items)
    cols: dict[str, list[Any]] = {name: [pd.NA] * n for name in
                                  ("func", "channel", "robot", "kind", "message", "reason")}
    times: list[Any] = [None] * n
    dates: list[Any] = [None] * n
    phones: list[list[str]] = [[] for _ in range(n)]
    delivered_sets: list[Any] = [None] * n
    extras: dict[str, list[Any]] = {}
    for i, record in enumerate(items):
        if not isinstance(record, Mapping):
            raise ValueError(f"records[{i}]: a report record must be a mapping of fields, "
                             f"got {type(record).__name__}")
        file = None
        for name, value in record.items():
            target = _ALIASES.get(_key(str(name)))
            if target is None:
                extras.setdefault(_snake(str(name)), [None] * n)[i] = value
            elif target == "phone":
                phones[i] = _numbers(value)
            elif target == "delivered":
                delivered_sets[i] = value
            elif target == "time":
                times[i] = value
            elif target == "date":
                dates[i] = value
            elif target == "file":
                file = value
            elif target == "message":
                cols["message"][i] = (describe_data(value) if isinstance(value, str)
                                      else _text(value))
            else:
                cols[target][i] = _text(value)
        if file and cols["message"][i] is pd.NA:
            cols["message"][i] = f"file {file}"

    # One row per number: repeat the request's fields, decide delivery per number.
    counts = np.fromiter((len(p) for p in phones), dtype=np.int64, count=n)
    flat_phones = [phone for numbers in phones for phone in numbers]
    flat_delivered = []
    for numbers, value in zip(phones, delivered_sets, strict=True):
        flat_delivered += _delivered(numbers, value)
    request = np.repeat(np.arange(n, dtype=np.int64), counts)

    frame = pd.DataFrame({
        "sent_at": _times(times, dates).repeat(counts),
        **{name: pd.array(np.array(values, dtype=object).repeat(counts), dtype="string")
           for name, values in cols.items() if name in ("func", "channel", "robot")},
        "phone": pd.array(flat_phones, dtype="string"),
        "delivered": np.array(flat_delivered, dtype=bool),
        **{name: pd.array(np.array(cols[name], dtype=object).repeat(counts), dtype="string")
           for name in ("kind", "message", "reason")},
        "request": request,
    })
    delivered = frame["delivered"]
    reason = frame["reason"].mask(~delivered & frame["reason"].isna(), "undelivered")
    frame["reason"] = reason.mask(delivered, pd.NA).astype("string")
    for name, values in extras.items():
        if name in frame.columns:
            name = f"{name}_field"
        frame[name] = np.array(values, dtype=object).repeat(counts)
    return frame


def _delivered(numbers: list[str], value: Any) -> list[bool]:
    """Per number: delivered or not, from a flag (one per record) or a list of numbers."""
    if isinstance(value, bool | np.bool_) or value is None:
        return [bool(value)] * len(numbers)
    if isinstance(value, int | float):
        return [bool(value)] * len(numbers)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE and (
            "," not in value and not any(c.isdigit() for c in value[1:])):
        return [value.strip().lower() in _TRUE] * len(numbers)
    got = set(_numbers(value))
    return [number in got for number in numbers]


def report_frame(client: Any, count: int = 1000) -> pd.DataFrame:
    """The newest ``count`` report records of ``client``'s account as a typed frame.

    One row per number per send; see :func:`records_to_frame` for the columns. No records (the
    service's 111 "No DATA") give the empty frame with the same columns. ``get_report`` takes
    at most 999 (the document's range), so larger counts ask for 999.

    Example:
        >>> from miogram_toolkit.client import Client
        >>> from miogram_toolkit.simulator import Simulator
        >>> with Simulator(seed=7) as sim, Client.to(sim) as client:
        ...     _ = client.send_message_mass(["+989121234567", "+989351234567"], "Hi")
        ...     frame = report_frame(client)
        >>> frame[["phone", "delivered"]].shape
        (2, 2)
    """
    from miogram_toolkit.protocol.errors import NoData

    try:
        records = client.get_report(min(int(count), 999))
    except NoData:
        records = []
    return records_to_frame(records)
