"""The ``document`` dialect: the v1.2 document as the toolkit reads it.

Where the document is silent the simulator chooses (package docstring, README "How the
simulator differs"): errors ``{"Result": false, "Status": "error", "Message"}`` (+ ``Code``
with ``error_codes``), getters with ``Status`` null, one report record per number per attempt
(the newest first), "0 or 1 means used up" credit, message length in characters.

Example:
    >>> from miogram_toolkit.simulator.actions import perform
    >>> from miogram_toolkit.simulator.state import State
    >>> perform(State(secret="s"), {"Secret": "s", "Func": "APIGetActive"}, "127.0.0.1",
    ...         dialect=DocumentDialect())
    {'Result': '1', 'Status': None}
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from miogram_toolkit.protocol.catalogue import Phones
from miogram_toolkit.protocol.errors import ERRORS
from miogram_toolkit.simulator.base import (
    Call,
    Content,
    Dialect,
    Outcome,
    Reply,
    Request,
    ServiceError,
    encode,
)
from miogram_toolkit.simulator.misc import parse_misc
from miogram_toolkit.simulator.numbering import is_international
from miogram_toolkit.simulator.state import State, new_secret, utc_iso

__all__ = ["DocumentDialect"]

_JSON_UTF8 = "application/json; charset=utf-8"


class DocumentDialect(Dialect):
    """The v1.2 document as the toolkit reads it, with the simulator's choices where it is
    silent (the package docstring and the README list them)."""

    name = "document"
    #: The shared checks, in order (method names without ``check_``).
    order: tuple[str, ...] = ("secret", "ip", "func", "active", "agent", "permission",
                              "fields", "phone", "misc")

    # -- the shared checks, in the document's order ----------------------------------------

    def check_secret(self, request: Request) -> None:
        secret = request.field("Secret")
        if not secret.strip():
            raise ServiceError(800)
        if not hmac.compare_digest(secret.encode(), request.state.secret.encode()):
            raise ServiceError(801)

    def check_ip(self, request: Request) -> None:
        if not request.state.ip_allowed(request.remote):
            raise ServiceError(802)

    def check_active(self, request: Request) -> None:
        if not request.state.active and self._action(request).func != "APIGetActive":
            raise ServiceError(826)

    def check_agent(self, request: Request) -> None:
        if self._action(request).func.startswith("API"):
            return
        request.robot = request.state.pick_agent(request.field("Robot"))
        if request.robot is None:
            raise ServiceError(827)

    def check_fields(self, request: Request) -> None:
        if any(not request.field(name).strip() for name in self._action(request).fields):
            raise ServiceError(330)

    def check_phone(self, request: Request) -> None:
        if self._action(request).phones is Phones.ONE and \
                not is_international(request.field("Phone")):
            raise ServiceError(307)

    def check_misc(self, request: Request) -> None:
        action = self._action(request)
        if "Misc" not in action.fields:
            return
        raw = request.field("Misc")
        if action.misc_variadic:
            request.misc = {"items": [item.strip() for item in raw.split(",")]}
        else:
            request.misc = parse_misc(action.misc, raw)

    # -- the wire --------------------------------------------------------------------------

    def error(self, code: int, *, gateway: bool = False, trailer: str = "") -> Reply:
        """An error answer: ``Result`` false, ``Status`` "error", ``Message`` the text."""
        body: dict[str, Any] = {"Result": False, "Status": "error",
                                "Message": ERRORS[code].message}
        if self.error_codes:
            body["Code"] = code
        return Reply(body)

    def refuse_method(self, remote: str) -> Reply:
        """The answer to a request that is not a POST."""
        return self.error(812)

    def wire(self, reply: Reply) -> tuple[bytes, str]:
        """The body's bytes and its Content-Type."""
        return encode(reply.body) + reply.trailer.encode("ascii"), _JSON_UTF8

    # -- sends -----------------------------------------------------------------------------

    def recipient(self, phone: str) -> str | None:
        """The international number ``phone`` reaches, or None when it reaches nobody."""
        return phone if is_international(phone) else None

    def whatsapp_delivers(self, phone: str) -> bool:
        """WhatsApp (beta) has no delivery reports: every well-formed number counts as sent."""
        return self.recipient(phone) is not None

    def message_length(self, call: Call, text: str) -> int:
        """The length compared with the ``Message`` limit: characters."""
        return len(text)

    def logged_text(self, call: Call, text: str) -> str:
        """The text as the report log keeps it."""
        return text

    def check_credit(self, call: Call, phones: Sequence[str]) -> None:
        """"0 or 1 means used up" → 305; more well-formed numbers than credit − 1 → 306."""
        credit = call.state.credits[call.action.credit or ""]
        if credit <= 1:
            raise ServiceError(305)
        wanted = sum(1 for phone in phones if self.recipient(phone) is not None)
        if wanted > credit - 1:
            raise ServiceError(306)

    def mass_numbers(self, phones: list[str]) -> list[str]:
        """The numbers a Mass request sends to: every one written, repeats included."""
        return phones

    def cuts_off(self, call: Call, gateway_s: float) -> bool:
        """Whether the endpoint gives up on a send whose gateway takes ``gateway_s``: only on a
        ``999_after`` fault here (the document's service answers when it is done)."""
        return call.cut_off

    def old_rows(self, state: State, count: int, now: datetime) -> Iterator[dict[str, Any]]:
        """``count`` report records of an account in use, the oldest a month before ``now``."""
        start, robot = now - timedelta(days=30), (state.agent_names() or [""])[0]
        for i in range(count):
            yield {"Id": state.next_id("report"), "Time": utc_iso(start + timedelta(minutes=i)),
                   "Func": "SendMessage", "Phone": f"+98999{i % 10_000_000:07d}",
                   "Robot": robot, "Channel": "telegram", "Kind": "Message", "Delivered": True,
                   "Charged": 1, "Message": f"old message {i + 1}", "File": None,
                   "Reason": None}

    def log_sends(self, call: Call, outcomes: Sequence[Outcome], content: Content) -> None:
        """One report record per number per attempt, delivered or not."""
        action, state = call.action, call.state
        for outcome in outcomes:
            state.append_report({
                "Id": state.next_id("report"), "Time": utc_iso(call.now), "Func": action.func,
                "Phone": outcome.phone, "Robot": call.robot or "",
                "Channel": "whatsapp" if action.whatsapp else "telegram",
                "Kind": action.credit or "", "Delivered": outcome.delivered,
                "Charged": 1 if outcome.delivered else 0,
                "Message": content.text if content.text is not None else content.summary,
                "File": content.file, "Reason": outcome.reason,
            })

    def send_reply(self, call: Call, outcomes: Sequence[Outcome]) -> Reply:
        """Mass: a map keyed by every number as written; single: true, or false with fail."""
        if call.action.is_mass:
            return call.answer({o.phone: o.delivered for o in outcomes})
        delivered = outcomes[0].delivered
        return call.answer(delivered, ok=delivered)

    # -- the account -----------------------------------------------------------------------

    def flag(self, value: bool) -> Any:
        """A permission or active flag as a getter answers it."""
        return "1" if value else "0"

    def limits_result(self, call: Call) -> dict[str, Any]:
        """``Message`` in characters, sizes in MB, ``canGet``/``isSuper`` 1 or 0."""
        state = call.state
        return {**state.limits, "canGet": int(state.can_get), "isSuper": int(state.is_super)}

    def credits_result(self, call: Call) -> dict[str, Any]:
        """The credits as integers."""
        return dict(call.state.credits)

    def ip_result(self, call: Call) -> str:
        """The allow-list, ``"a,b"`` or ``"*"``."""
        return ",".join(call.state.allowed_ips)

    def set_ip(self, call: Call) -> Reply:
        """Replace the allow-list with ``*`` or validated addresses (else 812)."""
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
        reply = call.answer(",".join(items))
        reply.body["Message"] = ERRORS[409].message
        return reply

    def new_secret(self) -> str:
        """A fresh secret for ``APIChangeSecret``."""
        return new_secret()

    def confirm_secret(self, call: Call) -> Reply:
        """The confirmation of ``APIChangeSecret``."""
        reply = call.answer(call.state.secret)
        reply.body["Message"] = ERRORS[407].message
        return reply

    def report_reply(self, call: Call) -> Reply:
        """The newest ``count`` records, newest first; ``[]`` when there is none."""
        return call.answer(call.state.recent_reports(call.misc["count"]))
