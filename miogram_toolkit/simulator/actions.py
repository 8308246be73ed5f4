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
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from miogram_toolkit.simulator.base import Call, Dialect, Reply, Request, ServiceError
from miogram_toolkit.simulator.document import DocumentDialect
from miogram_toolkit.simulator.handlers import HANDLERS
from miogram_toolkit.simulator.state import State, StateWriteError

__all__ = ["perform", "respond"]


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
        dialect = DocumentDialect(error_codes=with_code)
    return respond(state, fields, remote_addr, now, dialect=dialect).body
