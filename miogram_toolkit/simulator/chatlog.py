"""The agents' chats as the service's gateway shows them: telegram-cli message objects.

The implementation's ``GetHistory`` asks its Telegram client (telegram-cli in JSON mode) for one
chat of the agent the request runs on, and relays what it answers: message objects, **newest
last** (``shared/spec/reference-implementation.md``)::

    {"event": "message", "id": "…", "flags": 258, "from": {…the agent…},
     "to": {"peer_type": "user", "peer_id": 123, "print_name": "User_4567",
            "first_name": "User 4567", "last_name": "", "phone": "989121234567"},
     "out": true, "unread": false, "service": false, "date": 1796660912, "text": "hello"}

A file, location or contact send carries ``"media"`` instead of ``"text"``:
``{"type": "photo"|"video"|"document", "caption": "", "name": "<sha1-8>.<ext>"}``,
``{"type": "geo", "latitude": …, "longitude": …}`` or ``{"type": "contact", "phone": …,
"first_name": …}``. A contact's own message (a reply) has ``out: false``, ``from`` the contact,
``to`` the agent, and is ``unread`` until ``MarkRead``. Group messages forwarded to a new member
(``ChatAddUser``) carry ``fwd_from`` and ``fwd_date``. ``date`` is Unix seconds by the
service's clock (``clock_offset_s`` moves it); the numbers of a Mass are dated one
``per_number_s`` apart and each is read back only from its date on.

The simulator stores each message as a small entry (``out``, ``date``, ``text`` or ``media``)
in the agent's chat with the number (:meth:`~.views.Chats.add`) and renders it here
when read. Both dialects answer these objects (the document does not describe them).

Example:
    >>> entry = {"out": True, "date": 1796660912, "text": "hello"}
    >>> agent = {"Name": "MioBot1", "FirstName": "MioBot1", "LastName": "", "Username": None}
    >>> message = render(7, entry, agent, "+989121234567", seed=0, read_up_to=0)
    >>> message["out"], message["to"]["phone"], message["from"]["print_name"], message["text"]
    (True, '989121234567', 'MioBot1', 'hello')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from miogram_toolkit.simulator.numbering import user_id

__all__ = ["agent_peer", "media_of", "render", "user_peer"]

# telegram-cli's flags: 256 = "has text or media", 2 = ours (out), 1 = unread.
_FLAGS_OUT = 258
_FLAGS_IN = 256
_UNREAD = 1
_MEDIA_TYPES = {"Photo": "photo", "Video": "video", "File": "document"}


def user_peer(phone: str, *, seed: int) -> dict[str, Any]:
    """The contact ``phone`` as telegram-cli shows a user (``phone`` without its ``+``)."""
    uid = user_id(phone, seed=seed)
    tail = phone[-4:]
    return {"id": f"$01000000{uid:08x}0000000000000000", "peer_type": "user", "peer_id": uid,
            "print_name": f"User_{tail}", "flags": 1, "first_name": f"User {tail}",
            "last_name": "", "phone": phone.lstrip("+")}


def agent_peer(agent: Mapping[str, Any], *, seed: int) -> dict[str, Any]:
    """The agent (the service's robot) as telegram-cli shows its own account."""
    uid = user_id(f"agent|{agent['Name']}", seed=seed)
    peer = {"id": f"$01000000{uid:08x}0000000000000000", "peer_type": "user", "peer_id": uid,
            "print_name": agent["Name"], "flags": 1, "first_name": agent.get("FirstName") or "",
            "last_name": agent.get("LastName") or ""}
    if agent.get("Username"):
        peer["username"] = agent["Username"]
    return peer


def media_of(kind: str | None, file: str | None, misc: Mapping[str, Any]) -> dict[str, Any]:
    """The ``media`` object of a send of credit ``kind`` (a file name, or the Misc parts)."""
    if file is not None:
        return {"type": _MEDIA_TYPES.get(kind or "", "document"), "caption": "", "name": file}
    if "latitude" in misc:
        return {"type": "geo", "latitude": float(misc["latitude"]),
                "longitude": float(misc["longitude"])}
    return {"type": "contact", "phone": str(misc.get("phone_number", "")).lstrip("+"),
            "first_name": str(misc.get("name", "")), "last_name": ""}


def render(message_id: int, entry: Mapping[str, Any], agent: Mapping[str, Any], phone: str, *,
           seed: int, read_up_to: int) -> dict[str, Any]:
    """The telegram-cli object of one stored message of ``agent``'s chat with ``phone``."""
    out = bool(entry.get("out", True))
    me, them = agent_peer(agent, seed=seed), user_peer(phone, seed=seed)
    unread = not out and message_id > read_up_to
    message: dict[str, Any] = {
        "event": "message", "id": f"{message_id:024x}",
        "flags": (_FLAGS_OUT if out else _FLAGS_IN) | (_UNREAD if unread else 0),
        "from": me if out else them, "to": them if out else me, "out": out, "unread": unread,
        "service": False, "date": int(entry["date"]),
    }
    if entry.get("forwarded"):  # ChatAddUser's earlier group messages
        message["fwd_from"], message["fwd_date"] = me, int(entry["date"])
    if entry.get("media") is not None:
        message["media"] = dict(entry["media"])
    else:
        message["text"] = entry.get("text") or ""
    return message
