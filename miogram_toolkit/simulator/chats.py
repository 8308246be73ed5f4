"""Groups, users and dialogs: the state the agents keep on the messenger.

Groups (isSuper to change, canGet to read):

* ``CreateGroupChat`` (Phone: one or more numbers, Misc: the name): every number must be in
  international form (else 307); members are the numbers on the messenger and not blocked.
  False when the name is taken or no number can be a member.
* ``ChatInfo``: the group's object, or false (Status fail) for an unknown name.
* ``RenameChat``: false for an unknown name or a new name that is taken.
* ``ChatAddUser`` (``Name,Forward``): false for an unknown group, a number off the messenger or
  already a member; the newest ``Forward`` group messages land in the new member's history.
* ``ChatDeleteUser``: false for an unknown group or a number that is not a member.

Users and dialogs:

* ``BlockUser`` / ``UnBlockUser``: true when the number is on the messenger (repeating is
  harmless); a blocked number is not delivered to.
* ``MarkRead``: true when the number is on the messenger; its dialog is marked read.
* ``GetUserInfo``: the user's object, or false when the number is not on the messenger.
* ``GetDialogList``: the agent's chats with users (each with its newest 20 messages, newest
  last) and the groups; false when there is none.
* ``GetHistory`` (``Offset,Limit`` in ``document``; the ``reference`` dialect reads
  ``Limit,Offset`` as the implementation does): the chat of the agent the request runs on with
  that user — an agent sees only its own chats — as telegram-cli message objects
  (:mod:`.chatlog`): at most ``Limit`` messages before the ``Offset`` newest, **newest last**;
  false when that slice is empty or the agent never wrote to the number. It takes one
  ``per_number_s`` (the gateway's pace), outside the state's lock.
"""

from __future__ import annotations

from typing import Any

from miogram_toolkit.simulator.base import Call, Reply, ServiceError
from miogram_toolkit.simulator.chatlog import render
from miogram_toolkit.simulator.numbering import is_international, user_id
from miogram_toolkit.simulator.state import utc_iso

__all__ = ["HANDLERS"]

_DIALOG_MESSAGES = 20


def _fail(call: Call) -> Reply:
    return call.answer(False, ok=False)


def _reachable(call: Call, phone: str) -> bool:
    return call.state.on_messenger(phone) and phone not in call.state.blocked


def _group_event(call: Call, group: dict[str, Any], text: str) -> None:
    group["Messages"].append({"Id": call.state.next_id("message"), "Time": utc_iso(call.now),
                              "Robot": call.robot, "Message": text})
    call.state.dirty = True


def create_group_chat(call: Call) -> Reply:
    phones = call.field("Phone").split(",")
    if not all(is_international(phone) for phone in phones):
        raise ServiceError(307)
    name = call.misc["group_name"]
    members = list(dict.fromkeys(phone for phone in phones if _reachable(call, phone)))
    if name in call.state.groups or not members:
        return _fail(call)
    group = {"Id": call.state.next_id("group"), "Title": name, "Type": "group",
             "Creator": call.robot, "Created": utc_iso(call.now), "Members": members,
             "Messages": []}
    call.state.groups[name] = group
    _group_event(call, group, f"{call.robot} created the group {name!r}")
    return call.answer(True)


def _public_group(group: dict[str, Any]) -> dict[str, Any]:
    return {"Id": group["Id"], "Title": group["Title"], "Type": "group",
            "Creator": group["Creator"], "Created": group["Created"],
            "Members": list(group["Members"]), "MembersCount": len(group["Members"]),
            "MessagesCount": len(group["Messages"])}


def chat_info(call: Call) -> Reply:
    group = call.state.groups.get(call.misc["chat_name"])
    return call.answer(_public_group(group)) if group else _fail(call)


def rename_chat(call: Call) -> Reply:
    old, new = call.misc["chat_name"], call.misc["new_name"]
    groups = call.state.groups
    if old not in groups or new in groups:
        return _fail(call)
    group = groups.pop(old)
    group["Title"] = new
    groups[new] = group
    _group_event(call, group, f"renamed from {old!r} to {new!r}")
    return call.answer(True)


def chat_add_user(call: Call) -> Reply:
    group = call.state.groups.get(call.misc["chat_name"])
    phone = call.field("Phone")
    if group is None or phone in group["Members"] or not _reachable(call, phone):
        return _fail(call)
    forward = call.misc["forward_count"]
    earlier = group["Messages"][-forward:] if forward else []
    group["Members"].append(phone)
    for message in earlier:
        call.state.chats.add(call.robot or "", phone, {
            "out": True, "date": call.now.timestamp(), "text": message["Message"],
            "forwarded": True})
    _group_event(call, group, f"added {phone}, forwarded {len(earlier)} messages")
    return call.answer(True)


def chat_delete_user(call: Call) -> Reply:
    group = call.state.groups.get(call.misc["chat_name"])
    phone = call.field("Phone")
    if group is None or phone not in group["Members"]:
        return _fail(call)
    group["Members"].remove(phone)
    _group_event(call, group, f"removed {phone}")
    return call.answer(True)


def _set_blocked(call: Call, blocked: bool) -> Reply:
    phone = call.field("Phone")
    if not call.state.on_messenger(phone):
        return _fail(call)
    if blocked:
        call.state.blocked.add(phone)
    else:
        call.state.blocked.discard(phone)
    call.state.dirty = True
    return call.answer(True)


def block_user(call: Call) -> Reply:
    return _set_blocked(call, True)


def unblock_user(call: Call) -> Reply:
    return _set_blocked(call, False)


def mark_read(call: Call) -> Reply:
    phone = call.field("Phone")
    if not call.state.on_messenger(phone):
        return _fail(call)
    call.state.chats.mark_read(call.robot or "", phone, call.now.timestamp())
    return call.answer(True)


def get_user_info(call: Call) -> Reply:
    phone = call.field("Phone")
    state = call.state
    if not state.on_messenger(phone):
        return _fail(call)
    info = {"UserID": user_id(phone, seed=state.seed), "Phone": phone,
            "FirstName": f"User {phone[-4:]}", "LastName": "", "Username": None,
            "Blocked": phone in state.blocked,
            "MessagesCount": state.chats.count(call.robot or "", phone, call.now.timestamp())}
    return call.answer(info)


def _newest(messages: list[dict[str, Any]], offset: int, limit: int) -> list[dict[str, Any]]:
    return [dict(m) for m in reversed(messages)][offset:offset + limit]


def _page(call: Call, phone: str, offset: int, limit: int) -> list[dict[str, Any]]:
    """The agent's chat with ``phone`` as telegram-cli objects, oldest first (newest last)."""
    state, agent = call.state, call.robot or ""
    read_up_to = state.chats.read_up_to(agent, phone)
    record = state.agent(agent)
    return [render(message_id, entry, record, phone, seed=state.seed, read_up_to=read_up_to)
            for message_id, entry in state.chats.page(agent, phone, offset, limit,
                                                      call.now.timestamp())]


def get_dialog_list(call: Call) -> Reply:
    state, agent, now = call.state, call.robot or "", call.now.timestamp()
    dialogs: list[dict[str, Any]] = []
    for phone in state.chats.phones(agent):
        messages = _page(call, phone, 0, _DIALOG_MESSAGES)
        dialogs.append({"Type": "user", "Phone": phone, "Title": phone,
                        "MessagesCount": state.chats.count(agent, phone, now),
                        "Read": state.chats.is_read(agent, phone, now),
                        "Messages": messages})
    for group in state.groups.values():
        dialogs.append({**_public_group(group),
                        "Messages": _newest(group["Messages"], 0, _DIALOG_MESSAGES)})
    return call.answer(dialogs) if dialogs else _fail(call)


def get_history(call: Call) -> Reply:
    phone = call.field("Phone")
    if not call.state.chats.exists(call.robot or "", phone):
        return _fail(call)  # an agent sees only its own chats
    page = _page(call, phone, call.misc["offset"], call.misc["limit"])
    reply = call.answer(page) if page else _fail(call)
    reply.pause_s = call.per_number_s  # the gateway asks its Telegram client: about a send's
    return reply


HANDLERS = {
    "CreateGroupChat": create_group_chat,
    "ChatInfo": chat_info,
    "RenameChat": rename_chat,
    "ChatAddUser": chat_add_user,
    "ChatDeleteUser": chat_delete_user,
    "BlockUser": block_user,
    "UnBlockUser": unblock_user,
    "MarkRead": mark_read,
    "GetUserInfo": get_user_info,
    "GetDialogList": get_dialog_list,
    "GetHistory": get_history,
}
