"""One typed report row, read from either shape of ``APIGetReport``'s records.

The service's log comes in two shapes, and :func:`read_report_rows` is the one reader of both
(nothing else in the toolkit reads raw report dicts):

``reference`` (the service's own implementation: one record per *request*)
    ``{"Username", "DATE": "Y-m-d", "TIME": "H:i:s" (Asia/Tehran), "IP", "DATA", "Number",
    "Delivered"}``, all strings. ``Number`` is the request's Phone field as sent, comma-joined;
    ``Delivered`` the delivered numbers as written, comma-joined (``""`` when none). ``DATA`` is
    the text (with the account's ad appended), the **whole base64** of a file, ``lat,lon`` of a
    location or ``Name,Phone`` of a contact. The report lists the account's *first* 1000 rows,
    newest first among them: on a used account nothing new ever appears.
``document`` (the v1.2 document's reading; the simulator's ``document`` dialect: one per number)
    ``{"Id", "Time" (ISO UTC or Unix seconds), "Func", "Phone", "Robot", "Channel", "Kind",
    "Delivered": bool, "Charged", "Message", "File", "Reason"}``.

Both, and records with renamed, missing or extra fields, become a :class:`ReportRow`::

    record ──_FIELDS (spellings → our field)──► fields ──► ReportRow(when, asked, delivered, …)
       │ "Delivered": flag (bool / 1 / "true" / "yes" / "" …) → every asked number or none
       │              numbers ("+98…,0912…", a list, or a {number: flag} map) → those numbers
       └ DATA that is long pure base64 → ``file`` described ("file, 10 KB, sha1 1a2b3c4d")

:data:`SHAPES` holds what tells the shapes apart and :data:`_FIELDS` the field spellings: the
dialect differences are data here, not branches elsewhere. ``ReportRow.raw`` keeps the record
(out of ``repr`` and ``==``, since it may hold a whole file's base64).

**What the log can hold** (:func:`log_can_hold`): the implementation writes the row with an
unescaped ``INSERT`` over a 3-byte ``utf8`` connection, so a text with ``'`` leaves no row, a
character outside the 3-byte range is logged as ``?`` and backslash sequences are eaten. The
absence of a row proves nothing for such a text.

Example:
    >>> rows = read_report_rows([{"Username": "demo", "DATE": "2026-01-31", "TIME": "15:30:00",
    ...     "IP": "127.0.0.1", "DATA": "Hi", "Number": "+989121234567,09351234567",
    ...     "Delivered": "+989121234567"}])
    >>> row = rows[0]
    >>> row.shape, row.asked, row.delivered, row.text
    ('reference', ('+989121234567', '09351234567'), ('+989121234567',), 'Hi')
    >>> row.when.isoformat()                     # 15:30 in Tehran is 12:00 UTC
    '2026-01-31T12:00:00+00:00'
    >>> row.outcomes()
    (('+989121234567', True), ('09351234567', False))
    >>> read_report_rows([{"Id": 7, "Time": 1767182400, "Func": "SendMessage",
    ...     "Phone": "+989121234567", "Delivered": False, "Reason": "not_on_messenger"}])[0].reason
    'not_on_messenger'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Final, Literal

from miogram_toolkit.protocol.clock import TEHRAN, TEHRAN_ZONE

__all__ = ["SERVICE_TZ", "SHAPES", "ReportRow", "describe_data", "human_size", "log_can_hold",
           "number_key", "read_report_rows"]

#: The time zone of the reference log's ``DATE``/``TIME`` (the service runs in Tehran).
SERVICE_TZ: Final = TEHRAN_ZONE

Shape = Literal["reference", "document"]

#: Field keys (lower case, letters and digits only) that mark a record's shape; a record with
#: none of the reference marks is read as a document record.
SHAPES: Final[Mapping[str, frozenset[str]]] = {
    "reference": frozenset({"number", "numbers", "data", "date"}),
    "document": frozenset({"phone", "phones", "func", "id", "message"}),
}

# Spelling of a field (lower case, letters and digits only) -> our field. Anything else is kept
# in ``extras`` under its own name.
_FIELDS: Final[Mapping[str, str]] = {
    "func": "func", "action": "func", "function": "func",
    "channel": "channel",
    "robot": "agent", "agent": "agent",
    "phone": "asked", "number": "asked", "numbers": "asked", "phones": "asked",
    "delivered": "delivered",
    "kind": "kind",
    "message": "text", "data": "text", "text": "text",
    "file": "file",
    "reason": "reason",
    "time": "time", "sentat": "time", "timestamp": "time", "datetime": "time",
    "date": "date",
    "username": "username", "user": "username",
    "ip": "ip",
}

# ``Delivered`` written as one flag for the whole record (compared lower-case, stripped).
_TRUE: Final = frozenset({"true", "1", "yes", "y", "t", "ok", "success", "delivered"})
_FALSE: Final = frozenset({"false", "0", "no", "n", "f", "", "none", "null", "fail",
                           "failed", "undelivered"})

_BASE64 = re.compile(r"[A-Za-z0-9+/=\r\n]+")
_LONG_DATA = 200  # a logged DATA longer than this that is pure base64 is a file's content
_NOT_DIGIT = re.compile(r"[\s\-().]")
# The 3-byte utf8 connection keeps only the Basic Multilingual Plane; ' breaks the INSERT and
# MySQL reads backslash escapes.
_LOG_LOSES = re.compile(r"['\\\U00010000-\U0010FFFF]")


@dataclass(frozen=True)
class ReportRow:
    """One report record, whichever shape it came in.

    Attributes:
        when: when it was logged, tz-aware UTC (None when the record gives no time).
        asked: the numbers of the request as written in it (one for a document record).
        delivered: the numbers delivered, as written (a subset of ``asked`` when it names them).
        text: the text logged (a location's ``lat,lon``, a contact's ``Name,Phone``), or None.
        file: a file described (``"file, 10 KB, sha1 1a2b3c4d"`` or ``"file a1b2c3d4.jpg"``);
            the base64 the log holds is never kept here.
        agent: the agent (robot) when the log names it.
        func: the action (``SendMessageMass``) when the log names it.
        username: the account's user name when the log names it.
        ip: the caller's address when the log names it.
        channel: ``telegram`` / ``whatsapp`` when the log names it.
        kind: the credit kind (``Message``, ``Photo``…) when the log names it.
        reason: why it was not delivered when the log says (document records).
        shape: ``"reference"`` or ``"document"``.
        extras: any other field, ``(name, value)`` in the record's order.
        raw: the record as read (kept out of ``repr`` and ``==``).
    """

    when: datetime | None
    asked: tuple[str, ...]
    delivered: tuple[str, ...]
    text: str | None = None
    file: str | None = None
    agent: str | None = None
    func: str | None = None
    username: str | None = None
    ip: str | None = None
    channel: str | None = None
    kind: str | None = None
    reason: str | None = None
    shape: Shape = "reference"
    extras: tuple[tuple[str, Any], ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def outcomes(self) -> tuple[tuple[str, bool], ...]:
        """Each asked number as written, with whether it was delivered.

        A number counts as delivered when ``delivered`` holds it as written or in another
        writing of the same number (``0912…`` / ``98912…`` / ``+98912…``).

        Example:
            >>> ReportRow(None, ("09121234567", "+989351234567"), ("+989121234567",)).outcomes()
            (('09121234567', True), ('+989351234567', False))
        """
        got = {number_key(number) for number in self.delivered}
        return tuple((number, number_key(number) in got) for number in self.asked)

    def carries_text(self, text: str) -> bool:
        """Whether the logged text is ``text`` (the service may append the account's ad).

        Example:
            >>> ReportRow(None, (), (), text="Hi\\nAd of the account").carries_text("Hi")
            True
        """
        return self.text is not None and (self.text == text or self.text.startswith(text))


def number_key(number: str) -> str:
    """A written number in E.164 where its form allows (Iranian national ``09…`` too).

    Used to compare writings of one number; a form it cannot read is returned stripped.

    Example:
        >>> number_key("09121234567"), number_key("989121234567"), number_key("abc")
        ('+989121234567', '+989121234567', 'abc')
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


def describe_data(data: str) -> str | None:
    """A logged ``DATA`` that is a file's whole base64, described; None when it is a text.

    Example:
        >>> describe_data("Hello") is None
        True
        >>> describe_data(base64.b64encode(bytes(3000)).decode())
        'file, 2.9 KB, sha1 790fecb4'
    """
    if len(data) <= _LONG_DATA or not _BASE64.fullmatch(data):
        return None
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return None
    return f"file, {human_size(len(raw))}, sha1 {hashlib.sha1(raw).hexdigest()[:8]}"


def log_can_hold(text: str) -> bool:
    """Whether the service's log would hold ``text`` as sent (so a missing row can mean something).

    Example:
        >>> log_can_hold("سلام"), log_can_hold("it's"), log_can_hold("emoji 😀")
        (True, False, False)
    """
    return _LOG_LOSES.search(text) is None


@lru_cache(maxsize=256)
def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _numbers(value: Any) -> tuple[str, ...]:
    if value is None or value is False:
        return ()
    if isinstance(value, Mapping):
        return tuple(str(k).strip() for k in value if str(k).strip())
    items = [str(v) for v in value] if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(item.strip() for item in items if item.strip())


def _delivered(asked: tuple[str, ...], value: Any) -> tuple[str, ...]:
    """The delivered numbers from a flag, a list of numbers or a ``{number: flag}`` map."""
    if isinstance(value, Mapping):
        return tuple(str(k).strip() for k, flag in value.items() if _flag(flag))
    if isinstance(value, str):
        text = value.strip().lower()
        # One word, no digits past the first character: a flag, not a list of numbers.
        if "," not in text and not any(c.isdigit() for c in text[1:]) and \
                (text in _TRUE or text in _FALSE):
            return asked if text in _TRUE else ()
        return _numbers(value)
    if isinstance(value, list | tuple):
        return _numbers(value)
    return asked if _flag(value) else ()


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value) if value is not None else False


def _when(time: Any, date: Any, shape: Shape) -> datetime | None:
    """A UTC datetime from a record's time (and date) fields, whatever their form."""
    if isinstance(time, bool):
        time = None
    if isinstance(time, int | float) or (isinstance(time, str) and time.strip().isdigit()):
        seconds = float(time)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000.0
        return datetime.fromtimestamp(seconds, UTC)
    text = str(time).strip() if time not in (None, "") else ""
    if date not in (None, ""):
        text = f"{str(date).strip()} {text}".strip()
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        # Reference times (and a bare date) are Tehran's; a naive document time is UTC.
        zone = TEHRAN if shape == "reference" or date not in (None, "") else UTC
        stamp = stamp.replace(tzinfo=zone)
    return stamp.astimezone(UTC)


def _text(value: Any) -> str | None:
    return None if value is None or value is False else str(value)


def _read(record: Mapping[str, Any]) -> ReportRow:
    keys = {_key(str(name)) for name in record}
    shape: Shape = "reference" if keys & SHAPES["reference"] else "document"
    got: dict[str, Any] = {}
    extras: list[tuple[str, Any]] = []
    for name, value in record.items():
        target = _FIELDS.get(_key(str(name)))
        if target is None:
            extras.append((str(name), value))
        else:
            got[target] = value
    asked = _numbers(got.get("asked"))
    text, file = _text(got.get("text")), _text(got.get("file"))
    described = describe_data(text) if text is not None else None
    if described is not None:
        text, file = None, described
    elif file is not None and not file.startswith("file"):
        file = f"file {file}"
    return ReportRow(
        when=_when(got.get("time"), got.get("date"), shape),
        asked=asked,
        delivered=_delivered(asked, got.get("delivered")),
        text=text, file=file or None,
        agent=_text(got.get("agent")) or None,
        func=_text(got.get("func")) or None,
        username=_text(got.get("username")) or None,
        ip=_text(got.get("ip")) or None,
        channel=_text(got.get("channel")) or None,
        kind=_text(got.get("kind")) or None,
        reason=_text(got.get("reason")) or None,
        shape=shape, extras=tuple(extras), raw=record,
    )


def read_report_rows(records: Iterable[Mapping[str, Any]] | None) -> list[ReportRow]:
    """Report records of either shape (or a mix) as :class:`ReportRow`, in the order given.

    Args:
        records: what ``client.get_report()`` answers (the service lists newest first) or what
            a campaign's archive holds; None or an empty list (the service's "111 No DATA")
            give no rows.

    Returns:
        One row per record.

    Raises:
        ValueError: an item is not a record (a mapping of fields), naming its position.

    Example:
        >>> [r.delivered for r in read_report_rows([
        ...     {"Number": "+989121234567", "Delivered": "", "DATA": "Hi"},
        ...     {"Phone": "+989351234567", "Delivered": "true"},
        ...     {"Phone": "+989351234568", "Delivered": {"+989351234568": True}}])]
        [(), ('+989351234567',), ('+989351234568',)]
    """
    rows = []
    for i, record in enumerate(records or ()):
        if not isinstance(record, Mapping):
            raise ValueError(f"records[{i}]: a report record must be a mapping of fields, "
                             f"got {type(record).__name__}")
        rows.append(_read(record))
    return rows
