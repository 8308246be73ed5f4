"""What every dialect shares: a request while it is checked, a call, a reply, and the base class.

A request passes the dialect's checks (:attr:`Dialect.checks`, in its order) and becomes a
:class:`Call` that a handler answers with a :class:`Reply`; a check or a handler that refuses
raises :class:`ServiceError`. :class:`Dialect` holds what both dialects do alike (the ``Func``
lookup, the permission check, strict base64, the answer's ``Status``) and names, as abstract
methods, everything they do differently: :mod:`.document` and :mod:`.reference` fill those in,
and :mod:`.dialects` tables the differences.

Example:
    >>> Reply({"Result": True}).pause_s
    0.0
    >>> lookup("APlisSuper").func  # the document's own spelling
    'APIisSuper'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from miogram_toolkit.protocol.catalogue import ACTIONS, Action, Permission
from miogram_toolkit.protocol.errors import ERRORS
from miogram_toolkit.simulator.state import State

__all__ = ["Call", "Content", "Dialect", "Handler", "Outcome", "Reply", "Request",
           "ServiceError", "encode", "lookup"]

_MB = 1024 * 1024
# Line breaks are what MIME-style encoders add; anything else outside the alphabet is an error.
_LINE_BREAKS = str.maketrans("", "", "\r\n")

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


@dataclass(frozen=True)
class Content:
    """What a send carries.

    Attributes:
        text: the message text as sent (None for files, locations and contacts).
        file: ``<sha1-8>.<ext>`` for files, else None.
        summary: ``lat,long`` / ``Name,Phone`` for locations and contacts, else None.
        data: what the implementation logs in ``DATA``: the text with the ad, the whole
            base64 of a file, the ``Misc`` of a location or contact.
    """

    text: str | None
    file: str | None
    summary: str | None
    data: str


@dataclass(frozen=True)
class Outcome:
    """One number of a send: as written, to whom it went, delivered or why not."""

    phone: str
    recipient: str
    delivered: bool
    reason: str | None


def encode(value: Any) -> bytes:
    """JSON as the service writes it: UTF-8, no ASCII escapes, no spaces."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def lookup(func: str) -> Action:
    """The action ``func`` names (or the document's spelling of it); 302 when none."""
    action = ACTIONS.get(func) or SPELLED.get(func)
    if action is None:
        raise ServiceError(302)
    return action


class Dialect(ABC):
    """How the simulated service answers: the shared parts, and the interface of the rest.

    Args:
        error_codes: add the numeric ``Code`` to error answers (``document`` only).
        server_addr: the address the service appends in ``APISetIP`` (``reference`` only).
    """

    name = ""
    #: The shared checks, in order (method names without ``check_``).
    order: tuple[str, ...] = ()

    def __init__(self, *, error_codes: bool = False, server_addr: str = "") -> None:
        self.error_codes = error_codes
        self.server_addr = server_addr

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    @property
    def checks(self) -> list[Callable[[Request], None]]:
        """The check methods, in this dialect's order."""
        return [getattr(self, f"check_{name}") for name in self.order]

    # -- what both do alike ----------------------------------------------------------------

    def check_func(self, request: Request) -> None:
        request.action = lookup(request.field("Func"))

    def _action(self, request: Request) -> Action:
        if request.action is None:  # the checks that need it run after check_func
            request.action = lookup(request.field("Func"))
        return request.action

    def check_permission(self, request: Request) -> None:
        action, state = self._action(request), request.state
        if (action.permission is Permission.IS_SUPER and not state.is_super) or \
                (action.permission is Permission.CAN_GET and not state.can_get):
            raise ServiceError(309)

    def answer(self, call: Call, result: Any, ok: bool = True) -> Reply:
        """A non-error answer: ``Status`` from the catalogue's ``ok_status``.

        ``ok_status[0]`` is the success status (``"success"``, ``"checking"`` or None = JSON
        null); a false outcome of an action that knows ``"fail"`` gets ``"fail"``.
        """
        action = call.action
        status = action.ok_status[0] if ok or "fail" not in action.ok_status else "fail"
        return Reply({"Result": result, "Status": status},
                     gateway=not action.func.startswith("API"))

    def decode_data(self, call: Call) -> bytes:
        """``Data`` as strict base64 (line breaks tolerated) → its bytes; else 400."""
        text = call.field("Data").translate(_LINE_BREAKS)
        if len(text) % 4:
            raise ServiceError(400, gateway=True)  # the decoder would drop surplus padding
        try:
            data = base64.b64decode(text.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise ServiceError(400, gateway=True) from None
        if not data:
            raise ServiceError(400, gateway=True)
        return data

    def check_data(self, call: Call, limit: str | None) -> str:
        """Decode ``Data``, check it against ``limit`` (MB) → 303; return ``<sha1-8>``."""
        data = self.decode_data(call)
        if limit is not None and len(data) > call.state.limits[limit] * _MB:
            raise ServiceError(303)
        return hashlib.sha1(data).hexdigest()[:8]

    # -- what each does its own way (see :mod:`.dialects`) ---------------------------------

    @abstractmethod
    def error(self, code: int, *, gateway: bool = False, trailer: str = "") -> Reply:
        """An error answer in this dialect's shape."""

    @abstractmethod
    def refuse_method(self, remote: str) -> Reply:
        """The answer to a request that is not a POST."""

    @abstractmethod
    def wire(self, reply: Reply) -> tuple[bytes, str]:
        """The body's bytes and its Content-Type."""

    @abstractmethod
    def recipient(self, phone: str) -> str | None:
        """The international number ``phone`` reaches, or None when it reaches nobody."""

    @abstractmethod
    def whatsapp_delivers(self, phone: str) -> bool:
        """Whether a WhatsApp send to ``phone`` counts as delivered."""

    @abstractmethod
    def message_length(self, call: Call, text: str) -> int:
        """The length compared with the ``Message`` limit."""

    @abstractmethod
    def logged_text(self, call: Call, text: str) -> str:
        """The text as sent on (with the ad, where the service appends one)."""

    @abstractmethod
    def check_credit(self, call: Call, phones: Sequence[str]) -> None:
        """Raise 305/306 when the credit cannot cover the send; nothing is sent then."""

    @abstractmethod
    def mass_numbers(self, phones: list[str]) -> list[str]:
        """The numbers a Mass request sends to."""

    @abstractmethod
    def cuts_off(self, call: Call, gateway_s: float) -> bool:
        """Whether the endpoint gives up on a send whose gateway takes ``gateway_s``."""

    @abstractmethod
    def old_rows(self, state: State, count: int, now: datetime) -> Iterator[dict[str, Any]]:
        """``count`` report records of an account in use, the oldest a month before ``now``."""

    @abstractmethod
    def log_sends(self, call: Call, outcomes: Sequence[Outcome], content: Content) -> None:
        """Write the send's report rows."""

    @abstractmethod
    def send_reply(self, call: Call, outcomes: Sequence[Outcome]) -> Reply:
        """The answer to a send."""

    @abstractmethod
    def flag(self, value: bool) -> Any:
        """A permission or active flag as a getter answers it."""

    @abstractmethod
    def limits_result(self, call: Call) -> dict[str, Any]:
        """``APIGetLimits``'s ``Result``."""

    @abstractmethod
    def credits_result(self, call: Call) -> dict[str, Any]:
        """``APIGetCredits``'s ``Result``."""

    @abstractmethod
    def ip_result(self, call: Call) -> str:
        """``APIGetIP``'s ``Result``."""

    @abstractmethod
    def set_ip(self, call: Call) -> Reply:
        """``APISetIP``: change the allow-list and confirm."""

    @abstractmethod
    def new_secret(self) -> str:
        """A fresh secret for ``APIChangeSecret``."""

    @abstractmethod
    def confirm_secret(self, call: Call) -> Reply:
        """The confirmation of ``APIChangeSecret``."""

    @abstractmethod
    def report_reply(self, call: Call) -> Reply:
        """``APIGetReport``'s answer."""
