"""The agent's presence and its own messenger account (all need isSuper).

``SetStatusOnline`` (Misc ``Online``/``Offline``, exact), ``SetProfileName`` (``Name,LastName``),
``SetUsername`` (no spaces; false when another agent already has it), ``SetProfilePhoto`` (Data,
checked like a photo send: 400 when not base64, 303 over the ``Photo`` limit) change the agent the
request runs on. ``SendTyping`` shows "typing…" to a user: true when the number is on the
messenger and not blocked, else false. None of them uses credit or leaves a report record.
"""

from __future__ import annotations

from typing import Any

from miogram_toolkit.simulator.base import Call, Reply
from miogram_toolkit.simulator.sends import check_data

__all__ = ["HANDLERS"]


def _agent(call: Call) -> dict[str, Any]:
    return call.state.agent(call.robot or "")


def set_status_online(call: Call) -> Reply:
    _agent(call)["Online"] = call.misc["state"] == "Online"
    call.state.dirty = True
    return call.answer(True)


def send_typing(call: Call) -> Reply:
    phone = call.field("Phone")
    shown = phone not in call.state.blocked and call.state.on_messenger(phone)
    return call.answer(shown, ok=shown)


def set_profile_name(call: Call) -> Reply:
    agent = _agent(call)
    agent["FirstName"], agent["LastName"] = call.misc["first_name"], call.misc["last_name"]
    call.state.dirty = True
    return call.answer(True)


def set_username(call: Call) -> Reply:
    wanted = call.misc["username"]
    taken = any(other["Username"] == wanted and other["Name"] != call.robot
                for other in call.state.agents)
    if taken:
        return call.answer(False, ok=False)
    _agent(call)["Username"] = wanted
    call.state.dirty = True
    return call.answer(True)


def set_profile_photo(call: Call) -> Reply:
    digest = check_data(call)
    _agent(call)["Photo"] = digest
    call.state.dirty = True
    return call.answer(True)


HANDLERS = {
    "SetStatusOnline": set_status_online,
    "SendTyping": send_typing,
    "SetProfileName": set_profile_name,
    "SetUsername": set_username,
    "SetProfilePhoto": set_profile_photo,
}
