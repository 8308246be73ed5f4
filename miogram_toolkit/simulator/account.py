"""The twelve ``API…`` actions: the account's own settings.

* Tables (``APIGetLimits``, ``APIGetCredits``) answer ``Status: "checking"`` and numbers;
  ``canGet``/``isSuper`` in the limits are 1 or 0.
* Getters answer ``Status: null`` (JSON null): ``APIGetIP`` the allow-list as ``"a,b"`` or
  ``"*"``, ``APIGetRobot`` the agents as ``"A,B"`` (``""`` when there is none),
  ``APIGetActive``/``APIisSuper``/``APIcanGet`` ``"1"``/``"0"``, ``APIGetUsername`` a string,
  ``APIGetAds`` a boolean, ``APIGetReport`` an array of report records, newest first (``[]``
  when there is none). ``APIGetReport``'s Misc must be ``1``..``999`` (else 812; empty 330).
* ``APISetIP`` replaces the allow-list: Misc ``*`` or comma-separated IPv4/IPv6 addresses
  (anything else → 812). It answers ``Status: "success"``, ``Result`` the list now and
  ``Message: "Allow IP Sets"`` (the 409 text, a confirmation).
* ``APIChangeSecret`` answers ``Status: "success"``, ``Result`` the new secret and
  ``Message: "Secret Changed"`` (407's text); the old secret answers 801 from then on.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from miogram_toolkit.protocol.errors import ERRORS
from miogram_toolkit.simulator.actions import Call, ServiceError, answer
from miogram_toolkit.simulator.state import new_secret

__all__ = ["HANDLERS"]


def _flag(value: bool) -> str:
    return "1" if value else "0"


def get_limits(call: Call) -> dict[str, Any]:
    state = call.state
    table = {**state.limits, "canGet": int(state.can_get), "isSuper": int(state.is_super)}
    return answer(call.action, table)


def get_credits(call: Call) -> dict[str, Any]:
    return answer(call.action, dict(call.state.credits))


def get_ip(call: Call) -> dict[str, Any]:
    return answer(call.action, ",".join(call.state.allowed_ips))


def set_ip(call: Call) -> dict[str, Any]:
    items = call.misc["items"]
    if items != ["*"]:
        if not items or any(not item for item in items):
            raise ServiceError(812)
        try:
            items = [str(ipaddress.ip_address(item)) for item in items]
        except ValueError:
            raise ServiceError(812) from None
        items = list(dict.fromkeys(items))
    call.state.allowed_ips = items
    call.state.dirty = True
    return {**answer(call.action, ",".join(items)), "Message": ERRORS[409].message}


def change_secret(call: Call) -> dict[str, Any]:
    call.state.secret = new_secret()
    call.state.dirty = True
    return {**answer(call.action, call.state.secret), "Message": ERRORS[407].message}


def get_robots(call: Call) -> dict[str, Any]:
    return answer(call.action, ",".join(call.state.agent_names()))


def get_active(call: Call) -> dict[str, Any]:
    return answer(call.action, _flag(call.state.active))


def get_username(call: Call) -> dict[str, Any]:
    return answer(call.action, call.state.username)


def is_super(call: Call) -> dict[str, Any]:
    return answer(call.action, _flag(call.state.is_super))


def can_get(call: Call) -> dict[str, Any]:
    return answer(call.action, _flag(call.state.can_get))


def get_ads(call: Call) -> dict[str, Any]:
    return answer(call.action, call.state.ads)


def get_report(call: Call) -> dict[str, Any]:
    count = call.misc["count"]
    return answer(call.action, call.state.recent_reports(count))


HANDLERS = {
    "APIGetLimits": get_limits,
    "APIGetCredits": get_credits,
    "APIGetIP": get_ip,
    "APISetIP": set_ip,
    "APIChangeSecret": change_secret,
    "APIGetRobot": get_robots,
    "APIGetActive": get_active,
    "APIGetUsername": get_username,
    "APIisSuper": is_super,
    "APIcanGet": can_get,
    "APIGetAds": get_ads,
    "APIGetReport": get_report,
}
