"""Running one request: the checks every action shares, then the action's own handler.

The checks come in this order, each driven by the catalogue, and the first that fails answers:

1. ``Secret`` empty → 800; not the account's → 801.
2. The caller's address not in the allow-list → 802.
3. ``Func`` empty or unknown → 302 (the document's spelling ``APlisSuper`` is accepted too).
4. Account not activated → 826 (``APIGetActive`` still answers, with ``"0"``).
5. Actions outside ``API…`` run on an agent: ``Robot`` empty = the first agent; no agent, or
   ``Robot`` names none → 827. ``API…`` actions ignore ``Robot``.
6. The permission the catalogue names (isSuper / canGet) missing → 309.
7. A field the catalogue requires, empty or blank → 330.
8. ``Phone`` of a one-number action not exactly one number in international form → 307.
9. ``Misc`` split into the catalogue's parts: a part missing or blank → 330, too many parts or
   a part of the wrong form → 812.

Then the handler checks what is its own (limits 304/303/400, credit 305/306, …) and acts.

Example:
    >>> from miogram_toolkit.simulator.state import State, StateWriteError
    >>> state = State(secret="s")
    >>> perform(state, {"Secret": "s", "Func": "APIGetActive"}, "127.0.0.1")
    {'Result': '1', 'Status': None}
    >>> perform(state, {"Secret": "x", "Func": "APIGetActive"}, "127.0.0.1")["Message"]
    'Invalid Secret'
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from miogram_toolkit.protocol.catalogue import ACTIONS, Action, Permission, Phones
from miogram_toolkit.protocol.errors import ERRORS
from miogram_toolkit.simulator.numbering import is_international
from miogram_toolkit.simulator.state import State, StateWriteError

__all__ = ["Call", "Handler", "ServiceError", "answer", "error_answer", "perform"]

# The document's own spellings of a few Func names (catalogue ``spelled``) -> our reading.
_SPELLED = {action.spelled: action for action in ACTIONS.values() if action.spelled}


class ServiceError(Exception):
    """Answer the request with error ``code`` (its text comes from the error table)."""

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(f"{code} {ERRORS[code].message}")


@dataclass
class Call:
    """One request that passed the shared checks, as a handler sees it.

    Attributes:
        action: the catalogue entry of ``Func``.
        fields: the request fields as sent.
        state: the account (its lock is held for the whole call).
        robot: the agent the request runs on (None for ``API…`` actions).
        misc: the ``Misc`` parts by the catalogue's names (variadic ``Misc``: ``"items"``).
        now: the time of the request.
    """

    action: Action
    fields: Mapping[str, str]
    state: State
    robot: str | None
    misc: dict[str, Any]
    now: datetime

    def field(self, name: str) -> str:
        """The field as sent ("" when absent)."""
        return self.fields.get(name, "")


Handler = Callable[[Call], dict[str, Any]]


def answer(action: Action, result: Any, ok: bool = True) -> dict[str, Any]:
    """A non-error answer: ``Status`` comes from the catalogue's ``ok_status``.

    ``ok_status[0]`` is the success status (``"success"``, ``"checking"`` or None = JSON null);
    a false outcome of an action that knows ``"fail"`` gets ``"fail"``.
    """
    status = action.ok_status[0] if ok or "fail" not in action.ok_status else "fail"
    return {"Result": result, "Status": status}


def error_answer(code: int, *, with_code: bool = False) -> dict[str, Any]:
    """The answer for error ``code``: ``Result`` false, ``Status`` "error", ``Message`` text."""
    body: dict[str, Any] = {"Result": False, "Status": "error", "Message": ERRORS[code].message}
    if with_code:
        body["Code"] = code
    return body


# Forms of Misc parts, by the catalogue's part names; a part that does not match → 812.
_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_PART_FORMS: dict[str, re.Pattern[str]] = {
    "state": re.compile(r"Online|Offline"),
    "username": re.compile(r"\S+"),
    "extension": re.compile(r"[A-Za-z0-9]{1,16}"),
    "latitude": re.compile(_NUMBER),
    "longitude": re.compile(_NUMBER),
    "forward_count": re.compile(r"[0-9]{1,6}"),
    "offset": re.compile(r"[0-9]{1,9}"),
    "limit": re.compile(r"[0-9]{1,9}"),
    "count": re.compile(r"[0-9]{1,3}"),
}
_RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0), "limit": (1, 10**9),
           "count": (1, 999)}


def _parse_misc(action: Action, raw: str) -> dict[str, Any]:
    if action.misc_variadic:
        return {"items": [item.strip() for item in raw.split(",")]}
    names = action.misc
    if not names:
        return {}
    # A single part is the whole field (a group name may contain commas).
    parts = [raw] if len(names) == 1 else raw.split(",")
    if len(parts) > len(names):
        raise ServiceError(812)
    if len(parts) < len(names) or any(not part.strip() for part in parts):
        raise ServiceError(330)
    values: dict[str, Any] = {}
    for name, part in zip(names, parts, strict=True):
        text = part.strip()
        form = _PART_FORMS.get(name)
        if form is not None and not form.fullmatch(text):
            raise ServiceError(812)
        value: Any = text
        if name in _RANGES:
            low, high = _RANGES[name]
            value = float(text) if isinstance(low, float) else int(text)
            if not low <= value <= high:
                raise ServiceError(812)
        elif name in ("forward_count", "offset"):
            value = int(text)
        values[name] = value
    return values


def _lookup(func: str) -> Action:
    action = ACTIONS.get(func) or _SPELLED.get(func)
    if action is None:
        raise ServiceError(302)
    return action


def perform(state: State, fields: Mapping[str, str], remote_addr: str,
            now: datetime | None = None, *, with_code: bool = False) -> dict[str, Any]:
    """Run one request against ``state`` and return the answer object.

    Args:
        state: the account.
        fields: the request's form fields (names are case-sensitive).
        remote_addr: the caller's address, checked against the allow-list.
        now: the request's time (default: now, UTC).
        with_code: add the numeric ``Code`` to an error answer.
    """
    from miogram_toolkit.simulator.handlers import HANDLERS  # handlers import this module

    try:
        secret = fields.get("Secret", "")
        if not secret.strip():
            raise ServiceError(800)
        with state.transaction():
            if not hmac.compare_digest(secret.encode(), state.secret.encode()):
                raise ServiceError(801)
            if not state.ip_allowed(remote_addr):
                raise ServiceError(802)
            action = _lookup(fields.get("Func", ""))
            if not state.active and action.func != "APIGetActive":
                raise ServiceError(826)
            robot = None
            if not action.func.startswith("API"):
                robot = state.pick_agent(fields.get("Robot", ""))
                if robot is None:
                    raise ServiceError(827)
            if (action.permission is Permission.IS_SUPER and not state.is_super) or \
                    (action.permission is Permission.CAN_GET and not state.can_get):
                raise ServiceError(309)
            if any(not fields.get(name, "").strip() for name in action.fields):
                raise ServiceError(330)
            if action.phones is Phones.ONE and not is_international(fields["Phone"]):
                raise ServiceError(307)
            misc = _parse_misc(action, fields.get("Misc", "")) if "Misc" in action.fields \
                else {}
            call = Call(action, fields, state, robot, misc, now or datetime.now(UTC))
            return HANDLERS[action.func](call)
    except ServiceError as exc:
        return error_answer(exc.code, with_code=with_code)
    except StateWriteError:
        # Nothing of the request was kept: the service's answer when its back end fails.
        return error_answer(999, with_code=with_code)
