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

The records are read by :func:`~miogram_toolkit.protocol.report_row.read_report_rows`, the one
reader of both shapes (the same one the campaign's reconciliation uses): this module only lays
its rows out as a frame.

**A frozen log.** The service's implementation lists an account's *first* 1000 rows forever:
on a used account nothing new appears. Given a send known to have happened
(``known_send_at=``, e.g. a campaign journal's newest request), a log whose newest row is older
says so in one sentence (:func:`frozen_log_note`), in ``frame.attrs["log_note"]`` and as a
:class:`FrozenLogWarning`, and points to the campaigns' journals.

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

import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from miogram_toolkit.protocol.clock import describe_time
from miogram_toolkit.protocol.report_row import SERVICE_TZ, number_key, read_report_rows

__all__ = ["REPORT_COLUMNS", "SERVICE_TZ", "FrozenLogWarning", "empty_report_frame",
           "frozen_log_note", "records_to_frame", "report_frame"]

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

#: How much older than a known send the log's newest row may be before it counts as frozen
#: (the service's clock and ours differ a little; the log keeps whole seconds).
FROZEN_SLACK = timedelta(minutes=2)


class FrozenLogWarning(UserWarning):
    """The service's report log shows nothing newer than a send known to have happened."""


def empty_report_frame() -> pd.DataFrame:
    """The frame of no records: the stable columns, typed, no rows.

    Example:
        >>> list(empty_report_frame().columns)[:4]
        ['sent_at', 'func', 'channel', 'robot']
    """
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in REPORT_COLUMNS.items()})


@lru_cache(maxsize=1024)
def _snake(name: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "field"


def _phone(number: str) -> str:
    # Fast path: the client writes E.164 already.
    return number if number[:1] == "+" and number[1:].isdigit() else number_key(number)


def frozen_log_note(newest: Any, known_send_at: Any) -> str | None:
    """The one sentence saying the log is frozen, or None when it shows the known send.

    Args:
        newest: the newest time in the log (None or NaT when it holds no row).
        known_send_at: when a send is known to have happened (None: nothing to compare).

    Example:
        >>> frozen_log_note("2026-01-01T08:00Z", "2026-03-01T08:00Z")[:60]
        "The service's report log shows nothing newer than 2026-01-01"
        >>> frozen_log_note("2026-03-01T08:00Z", "2026-03-01T08:01Z") is None
        True
    """
    if known_send_at is None or pd.isna(known_send_at):
        return None
    known = pd.Timestamp(known_send_at)
    known = known if known.tzinfo else known.tz_localize("UTC")
    if newest is not None and not pd.isna(newest):
        last = pd.Timestamp(newest)
        last = last if last.tzinfo else last.tz_localize("UTC")
        if last >= known - FROZEN_SLACK:
            return None
        shown = describe_time(last)
    else:
        shown = "(no rows at all)"
    return (f"The service's report log shows nothing newer than {shown}, though a send is known "
            f"at {describe_time(known)}: the service lists an account's first 1000 rows "
            "forever, so newer sends never appear there; read the campaigns' journals instead "
            "(miogram report --journal FILE, or the campaign's results).")


def records_to_frame(records: Iterable[Mapping[str, Any]] | None, *,
                     known_send_at: datetime | pd.Timestamp | str | None = None
                     ) -> pd.DataFrame:
    """Report records of either shape (or a mix) as the typed frame described above.

    Args:
        records: the records as ``client.get_report()`` or the campaign's archive gives them;
            None or an empty list (the service's "111 No DATA") give the empty frame.
        known_send_at: when a send is known to have happened (a journal's newest request):
            a log with nothing that recent is frozen, said in ``attrs["log_note"]`` and as a
            :class:`FrozenLogWarning`.

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
    rows = read_report_rows(records)
    frame = _frame(rows) if rows else empty_report_frame()
    note = frozen_log_note(frame["sent_at"].max() if len(frame) else None, known_send_at)
    if note is not None:
        frame.attrs["log_note"] = note
        warnings.warn(note, FrozenLogWarning, stacklevel=2)
    return frame


def _frame(rows: list[Any]) -> pd.DataFrame:
    n = len(rows)
    counts = np.fromiter((len(row.asked) for row in rows), dtype=np.int64, count=n)
    flat_phones: list[str] = []
    flat_delivered: list[bool] = []
    for row in rows:
        # ReportRow.outcomes(), with the common case (the number written as delivered) first:
        # a thousand-row log holds tens of thousands of numbers.
        got = set(row.delivered)
        # Numbers already in E.164 (what the client writes) are their own key.
        plain = all(n[:1] == "+" and n[1:].isdigit() for n in got)
        keys: set[str] | None = None
        for number in row.asked:
            phone = _phone(number)
            delivered = number in got
            if not delivered and got and not (plain and phone is number):
                if keys is None:
                    keys = {number_key(n) for n in got}
                delivered = number_key(number) in keys
            flat_phones.append(phone)
            flat_delivered.append(delivered)

    def column(values: list[Any]) -> Any:
        return pd.array(np.array(values, dtype=object).repeat(counts), dtype="string")

    times = pd.DatetimeIndex([pd.NaT if row.when is None else pd.Timestamp(row.when)
                              for row in rows], dtype="datetime64[ns, UTC]")
    frame = pd.DataFrame({
        "sent_at": times.repeat(counts),
        "func": column([row.func for row in rows]),
        "channel": column([row.channel for row in rows]),
        "robot": column([row.agent for row in rows]),
        "phone": pd.array(flat_phones, dtype="string"),
        "delivered": np.array(flat_delivered, dtype=bool),
        "kind": column([row.kind for row in rows]),
        "message": column([row.text if row.text is not None else row.file for row in rows]),
        "reason": column([row.reason for row in rows]),
        "request": np.repeat(np.arange(n, dtype=np.int64), counts),
    })
    delivered = frame["delivered"]
    reason = frame["reason"].mask(~delivered & frame["reason"].isna(), "undelivered")
    frame["reason"] = reason.mask(delivered, pd.NA).astype("string")
    # Fields the stable columns do not hold, in snake_case (Username → username, Id → id).
    extras: dict[str, list[Any]] = {}
    for i, row in enumerate(rows):
        named = [("username", row.username), ("ip", row.ip)]
        for name, value in [*[(k, v) for k, v in named if v is not None],
                            *((_snake(k), v) for k, v in row.extras)]:
            extras.setdefault(name, [None] * n)[i] = value
    for name, values in extras.items():
        if name in frame.columns:
            name = f"{name}_field"
        frame[name] = np.array(values, dtype=object).repeat(counts)
    return frame


def report_frame(client: Any, count: int = 1000, *,
                 known_send_at: datetime | pd.Timestamp | str | None = None) -> pd.DataFrame:
    """The newest ``count`` report records of ``client``'s account as a typed frame.

    One row per number per send; see :func:`records_to_frame` for the columns and
    ``known_send_at`` (the frozen-log sentence). No records (the service's 111 "No DATA") give
    the empty frame with the same columns. ``get_report`` takes at most 999 (the document's
    range), so larger counts ask for 999.

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
    return records_to_frame(records, known_send_at=known_send_at)
