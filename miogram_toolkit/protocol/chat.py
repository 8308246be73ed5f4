"""An agent's chat with one number (``GetHistory``) as typed messages.

The service's gateway answers telegram-cli's message objects, newest last::

    {"event": "message", "id": "…", "from": {…the agent…}, "to": {"phone": "98912…", …},
     "out": true, "date": 1796660912, "text": "hello mass"}

(media sends carry ``"media": {"type": "photo", "caption": …}`` instead of ``text``; the
contact's own messages have ``"out": false`` and the contact in ``from``). The document-shaped
objects the simulator's ``document`` dialect answers (``{"Id", "Time" ISO, "Out", "Message",
"File"}``) are read as well. :func:`read_chat_messages` turns either into :class:`ChatMessage`,
oldest first.

Example:
    >>> [m] = read_chat_messages([{"id": "7", "out": True, "date": 1796660912,
    ...     "to": {"phone": "989121234567"}, "text": "hello mass"}])
    >>> m.out, m.text, m.peer, m.date.isoformat()
    (True, 'hello mass', '+989121234567', '2026-12-07T16:28:32+00:00')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["ChatMessage", "read_chat_messages"]


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat.

    Attributes:
        id: the message's id as text.
        out: sent by the agent (False: written by the contact).
        date: when, tz-aware UTC (None when the object gives no time).
        text: the text, or None for media.
        media: the media kind (``"photo"``, ``"document"``, ``"file"``…), or None for text.
        caption: a media message's caption, or its file name.
        peer: the contact's number in ``+`` form when the object names it (else the number
            the chat was read for).
        raw: the object as received (kept out of ``repr`` and ``==``).
    """

    id: str
    out: bool
    date: datetime | None
    text: str | None = None
    media: str | None = None
    caption: str | None = None
    peer: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _date(value: Any) -> datetime | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        return datetime.fromtimestamp(float(value), UTC)
    try:
        stamp = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(UTC)


def _phone(party: Any) -> str | None:
    if not isinstance(party, Mapping):
        return None
    phone = str(party.get("phone") or "").strip()
    if not phone:
        return None
    return phone if phone.startswith("+") or not phone.isdigit() else "+" + phone


def _text(value: Any) -> str | None:
    return None if value is None or value is False else str(value)


def _read(item: Mapping[str, Any], peer: str | None) -> ChatMessage:
    get = item.get
    out = bool(get("out", get("Out", True)))
    media = get("media")
    kind = caption = None
    if isinstance(media, Mapping):
        kind = _text(media.get("type")) or "media"
        caption = _text(media.get("caption") or media.get("file_name") or media.get("name"))
    elif get("File"):
        kind, caption = "file", _text(get("File"))
    who = _phone(get("to") if out else get("from")) or peer
    return ChatMessage(
        id=str(get("id", get("Id", ""))), out=out, date=_date(get("date", get("Time"))),
        text=_text(get("text", get("Message"))), media=kind, caption=caption, peer=who,
        raw=item)


def read_chat_messages(result: Any, peer: str | None = None) -> list[ChatMessage]:
    """``GetHistory``'s ``Result`` as messages, oldest first; ``[]`` for none (``false``).

    Args:
        result: the answer's ``Result`` (a list of message objects, or false/None).
        peer: the number the chat was read for, used where an object does not name it.

    Example:
        >>> read_chat_messages(False), read_chat_messages(None)
        ([], [])
        >>> [m.text for m in read_chat_messages([
        ...     {"Id": 2, "Time": "2026-01-01T10:00:05Z", "Out": True, "Message": "new"},
        ...     {"Id": 1, "Time": "2026-01-01T10:00:00Z", "Out": True, "Message": "old"}])]
        ['old', 'new']
    """
    if not result:
        return []
    items: Iterable[Any] = result if isinstance(result, list) else [result]
    messages = [_read(item, peer) for item in items if isinstance(item, Mapping)]
    # Oldest first whichever order the service used (the gateway gives newest last).
    def when(i: int) -> tuple[float, int, int]:
        date, ident = messages[i].date, messages[i].id
        # Within one second, a numeric id tells the order (the simulator's are counters).
        return (date.timestamp() if date is not None else float("-inf"),
                int(ident) if ident.isdigit() and len(ident) < 19 else 0, i)

    return [messages[i] for i in sorted(range(len(messages)), key=when)]
