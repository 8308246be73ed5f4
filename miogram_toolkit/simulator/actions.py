"""Running one request: the dialect's shared checks in its order, then the action's handler.

The checks and their order belong to the dialect (:mod:`.dialects`); the first that fails
answers. The ``document`` dialect checks, each driven by the catalogue:

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

The ``reference`` dialect follows the service's own implementation instead: intrusion block 815
→ 800 → 801 → 826 → 827 → 802 → 302 → 309 → fields and ``Misc`` (the gateway's ``Error 302``).

Then the handler checks what is its own (limits, credit, …) and acts. Handlers return a
:class:`Reply`; :func:`respond` runs the checks and the handler in one state transaction
(committed before the answer leaves; a failed commit answers 999 and keeps nothing), and pauses
for the gateway's per-number time (``per_number_s``) only after the transaction has ended.

Example:
    >>> from miogram_toolkit.simulator.state import State, StateWriteError
    >>> state = State(secret="s")
    >>> perform(state, {"Secret": "s", "Func": "APIGetActive"}, "127.0.0.1")
    {'Result': '1', 'Status': None}
    >>> perform(state, {"Secret": "x", "Func": "APIGetActive"}, "127.0.0.1")["Message"]
    'Invalid Secret'
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from miogram_toolkit.protocol.catalogue import ACTIONS, Action
from miogram_toolkit.protocol.errors import ERRORS
from miogram_toolkit.simulator.state import State, StateWriteError

if TYPE_CHECKING:
    from miogram_toolkit.simulator.dialects import Dialect

__all__ = ["Call", "Handler", "Reply", "Request", "ServiceError", "perform", "respond"]

# The document's own spellings of a few Func names (catalogue ``spelled``) -> our reading.
SPELLED = {action.spelled: action for action in ACTIONS.values() if action.spelled}


class ServiceError(Exception):
    """Answer the request with error ``code``.

    Attributes:
        code: the error code (its text comes from the dialect).
        gateway: raised where the service's implementation has its agent gateway answer (the
            ``Error NNN : text`` shape); the document dialect ignores it.
        trailer: text the gateway writes after that answer (a bare ``302``).
    """

    def __init__(self, code: int, *, gateway: bool = False, trailer: str = "") -> None:
        self.code = code
        self.gateway = gateway
        self.trailer = trailer
        super().__init__(f"{code} {ERRORS[code].message}")


@dataclass
class Reply:
    """An answer as the handler builds it.

    Attributes:
        body: the JSON value (an object, or the bare report array).
        gateway: the answer comes from the agent gateway (its content type in ``reference``).
        trailer: text after the JSON (the gateway's stray ``302``).
        pause_s: seconds to wait before answering, outside the state's lock.
    """

    body: Any
    gateway: bool = False
    trailer: str = ""
    pause_s: float = 0.0


@dataclass
class Request:
    """A request while the shared checks run (filled in as they pass)."""

    state: State
    fields: Mapping[str, str]
    remote: str
    now: datetime
    action: Action | None = None
    robot: str | None = None
    misc: dict[str, Any] = field(default_factory=dict)

    def field(self, name: str) -> str:
        """The field as sent ("" when absent)."""
        return self.fields.get(name, "")


@dataclass
class Call:
    """One request that passed the shared checks, as a handler sees it.

    Attributes:
        action: the catalogue entry of ``Func``.
        fields: the request fields as sent.
        state: the account (its lock is held for the whole call).
        robot: the agent the request runs on (None for ``API…`` actions in ``document``).
        misc: the ``Misc`` parts by the catalogue's names (variadic ``Misc``: ``"items"``).
        now: the time of the request.
        dialect: how the service answers.
        remote: the caller's address.
        per_number_s: the gateway's pause per number sent.
        gateway_timeout_s: how long the endpoint waits for the gateway before answering 999.
        cut_off: the endpoint gives up on the gateway whatever its time (a ``999_after``
            fault): the request is processed and answered 999.
    """

    action: Action
    fields: Mapping[str, str]
    state: State
    robot: str | None
    misc: dict[str, Any]
    now: datetime
    dialect: Dialect
    remote: str = ""
    per_number_s: float = 0.0
    gateway_timeout_s: float = math.inf
    cut_off: bool = False

    def field(self, name: str) -> str:
        """The field as sent ("" when absent)."""
        return self.fields.get(name, "")

    def answer(self, result: Any, ok: bool = True) -> Reply:
        """A non-error answer in the dialect's shape (see :meth:`.dialects.Dialect.answer`)."""
        return self.dialect.answer(self, result, ok)


Handler = Callable[[Call], Reply]


def lookup(func: str) -> Action:
    """The action ``func`` names (or the document's spelling of it); 302 when none."""
    action = ACTIONS.get(func) or SPELLED.get(func)
    if action is None:
        raise ServiceError(302)
    return action


def respond(state: State, fields: Mapping[str, str], remote_addr: str,
            now: datetime | None = None, *, dialect: Dialect | None = None,
            per_number_s: float = 0.0, gateway_timeout_s: float = math.inf,
            cut_off: bool = False) -> Reply:
    """Run one request against ``state`` and return the reply (the lock is held meanwhile).

    Args:
        state: the account.
        fields: the request's form fields (names are case-sensitive).
        remote_addr: the caller's address.
        now: the request's time (default: now, UTC).
        dialect: how the service answers (default: a fresh ``document`` dialect).
        per_number_s: the gateway's pause per number sent, taken after the lock is released.
        gateway_timeout_s: the endpoint's wait for the gateway (``reference``: a send whose
            gateway time passes it is answered 999 after it, processed but uncharged and
            unlogged).
        cut_off: answer 999 after processing the request (the ``999_after`` fault).
    """
    from miogram_toolkit.simulator.dialects import DocumentDialect
    from miogram_toolkit.simulator.handlers import HANDLERS  # handlers import this module

    speaker = dialect if dialect is not None else DocumentDialect()
    request = Request(state, fields, remote_addr, now or datetime.now(UTC))
    try:
        with state.transaction():
            for check in speaker.checks:
                check(request)
            assert request.action is not None
            call = Call(request.action, request.fields, state, request.robot, request.misc,
                        request.now, speaker, remote_addr, per_number_s, gateway_timeout_s,
                        cut_off)
            reply = HANDLERS[request.action.func](call)
            if cut_off and not request.action.is_send:
                reply = speaker.error(999)
    except ServiceError as exc:
        return speaker.error(exc.code, gateway=exc.gateway, trailer=exc.trailer)
    except StateWriteError:
        # Nothing of the request was kept: the service's answer when its back end fails.
        return speaker.error(999)
    if reply.pause_s > 0:
        time.sleep(reply.pause_s)
    return reply


def perform(state: State, fields: Mapping[str, str], remote_addr: str,
            now: datetime | None = None, *, with_code: bool = False,
            dialect: Dialect | None = None) -> Any:
    """Run one request and return the answer's JSON value (see :func:`respond`).

    ``with_code`` adds the numeric ``Code`` to the ``document`` dialect's error answers.
    """
    if dialect is None:
        from miogram_toolkit.simulator.dialects import DocumentDialect

        dialect = DocumentDialect(error_codes=with_code)
    return respond(state, fields, remote_addr, now, dialect=dialect).body
