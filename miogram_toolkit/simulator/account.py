"""The twelve ``API…`` actions: the account's own settings.

Their shapes depend on the dialect (:mod:`.dialects`); in ``document``:

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

In ``reference``, as the implementation answers: getters without ``Status``, credits as strings,
limits in bytes, ``APIGetIP`` the caller's address, ``APISetIP`` the Misc as written plus the
server's address, the report a bare array (111 when empty).
"""

from __future__ import annotations

from miogram_toolkit.simulator.base import Call, Reply

__all__ = ["HANDLERS"]


def get_limits(call: Call) -> Reply:
    return call.answer(call.dialect.limits_result(call))


def get_credits(call: Call) -> Reply:
    return call.answer(call.dialect.credits_result(call))


def get_ip(call: Call) -> Reply:
    return call.answer(call.dialect.ip_result(call))


def set_ip(call: Call) -> Reply:
    return call.dialect.set_ip(call)


def change_secret(call: Call) -> Reply:
    call.state.secret = call.dialect.new_secret()
    call.state.dirty = True
    return call.dialect.confirm_secret(call)


def get_robots(call: Call) -> Reply:
    return call.answer(",".join(call.state.agent_names()))


def get_active(call: Call) -> Reply:
    return call.answer(call.dialect.flag(call.state.active))


def get_username(call: Call) -> Reply:
    return call.answer(call.state.username)


def is_super(call: Call) -> Reply:
    return call.answer(call.dialect.flag(call.state.is_super))


def can_get(call: Call) -> Reply:
    return call.answer(call.dialect.flag(call.state.can_get))


def get_ads(call: Call) -> Reply:
    return call.answer(call.state.ads)


def get_report(call: Call) -> Reply:
    return call.dialect.report_reply(call)


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
