"""The ``reference`` dialect: how the service's own implementation answers.

Everything here was observed on the implementation (``shared/spec/reference-implementation.md``):
its check order, its four families of answer body, string credits and byte limits, the report
as the account's first 1000 rows, one row per request written by an unescaped ``INSERT``
(:mod:`.logtext`), the intrusion counter, 999 after ``gateway_timeout_s`` while the gateway goes
on. :mod:`.dialects` tables the differences with the ``document`` dialect.

Example:
    >>> from miogram_toolkit.simulator.actions import perform
    >>> from miogram_toolkit.simulator.state import State
    >>> state = State(secret="s")
    >>> perform(state, {"Secret": "s", "Func": "APIGetCredits"}, "127.0.0.1",
    ...         dialect=ReferenceDialect())["Result"]["Message"]
    '10000'
    >>> perform(state, {"Secret": "s", "Func": "Nope"}, "127.0.0.1", dialect=ReferenceDialect())
    {'Message': 'Bad Request of Functions', 'Status': 'error', 'Code': '302'}
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from miogram_toolkit.protocol.catalogue import Phones
from miogram_toolkit.protocol.clock import TEHRAN
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
from miogram_toolkit.simulator.logtext import stored_text
from miogram_toolkit.simulator.misc import parse_misc
from miogram_toolkit.simulator.state import State

__all__ = ["AD_TEXT", "ReferenceDialect"]

#: The advertisement the ``reference`` dialect appends to texts of an account with ads.
AD_TEXT = "Sent with MioGram"

_MB = 1024 * 1024


class _Intrusions:
    """The implementation's intrusion counter: points per address, never forgotten here."""

    def __init__(self) -> None:
        self._points: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, address: str, points: int) -> None:
        with self._lock:
            self._points[address] = self._points.get(address, 0) + points

    def blocked(self, address: str) -> bool:
        with self._lock:
            return self._points.get(address, 0) > 100


# The implementation's own wordings where they differ from the document's table.
_OWN_TEXT = {302: "Bad Request of Functions"}
_GATEWAY_TEXT = {302: "Bad Request of Func ", 304: "Message Length is High",
                 400: "Not Valid File"}
# Actions whose gateway branch for missing fields writes a bare "302" after the JSON.
_TRAILING_302 = frozenset({"SendMessage", "SendMessageWhatsApp", "SendMessageWhatsAppMass",
                           "ChatInfo"})
_LOOSE_NUMBER = re.compile(r"\+?([1-9][0-9]{7,14})")
_NOT_EXIST = "Number Not Exist or Wrong"
_REPORT_ROWS = 1000  # what the implementation keeps of the log's rows


class ReferenceDialect(Dialect):
    """How the service's own implementation answers (``reference-implementation.md``)."""

    name = "reference"
    order = ("intrusion", "secret", "active", "agent", "ip", "func", "permission", "fields",
             "misc", "phone")

    def __init__(self, *, error_codes: bool = False, server_addr: str = "") -> None:
        super().__init__(error_codes=error_codes, server_addr=server_addr)
        self.intrusions = _Intrusions()

    # -- the shared checks -----------------------------------------------------------------

    def check_intrusion(self, request: Request) -> None:
        if self.intrusions.blocked(request.remote):
            raise ServiceError(815)

    def check_secret(self, request: Request) -> None:
        secret = request.field("Secret")
        if secret in ("", "0"):  # PHP's empty()
            raise ServiceError(800)
        if not hmac.compare_digest(secret.encode(), request.state.secret.encode()):
            raise ServiceError(801)

    def check_active(self, request: Request) -> None:
        if not request.state.active:
            raise ServiceError(826)

    def check_agent(self, request: Request) -> None:
        names = request.state.agent_names()
        if not names:
            raise ServiceError(827)
        wanted = request.field("Robot")
        request.robot = wanted if wanted in names else names[0]

    def check_ip(self, request: Request) -> None:
        allowed = ",".join(request.state.allowed_ips)
        if allowed != "*" and request.remote not in allowed:  # the implementation's strpos
            raise ServiceError(802)

    def check_fields(self, request: Request) -> None:
        action = self._action(request)
        if action.func == "APISetIP" and not request.field("Misc"):
            raise ServiceError(330)
        if action.func.startswith("API"):
            return
        if any(not request.field(name) for name in action.fields):
            trailer = "302" if action.func in _TRAILING_302 else ""
            raise ServiceError(302, gateway=True, trailer=trailer)

    def check_phone(self, request: Request) -> None:
        # The gateway resolves the numbers of the actions that are not sends (a send resolves
        # each of its own, see recipient()): "989…" finds "+989…", a number it cannot read
        # finds nobody.
        action = self._action(request)
        if action.is_send or action.phones is Phones.NONE:
            return
        written = request.field("Phone").split(",")
        found = [self.recipient(phone) for phone in written]
        if action.phones is Phones.ONE and (len(written) != 1 or found[0] is None):
            raise ServiceError(307, gateway=True)
        peers = [phone for phone in found if phone is not None]
        if peers:
            request.fields = {**request.fields, "Phone": ",".join(peers)}

    def check_misc(self, request: Request) -> None:
        action = self._action(request)
        raw = request.field("Misc")
        if action.func == "APIGetReport":
            count = int(raw) if raw.isdigit() and len(raw) < 10 else 0
            request.misc = {"count": min(count, 1000) if count > 0 else 1000}
            return
        if action.misc_variadic:
            request.misc = {"items": [raw]}
            return
        if "Misc" not in action.fields:
            return
        try:
            if action.func == "GetHistory":  # getHistory(peer, Misc[0], Misc[1]): limit first
                parts = parse_misc(("limit", "offset"), raw, {})
                request.misc = {"offset": parts["offset"], "limit": max(1, parts["limit"])}
            else:
                request.misc = parse_misc(action.misc, raw)
        except ServiceError:
            raise ServiceError(302, gateway=True) from None

    # -- the wire --------------------------------------------------------------------------

    def error(self, code: int, *, gateway: bool = False, trailer: str = "") -> Reply:
        if code == 307:  # the gateway's own shape: a Result, the text alone, no code
            return Reply({"Result": False, "Message": _NOT_EXIST, "Status": "error"},
                         gateway=True)
        if gateway:
            text = _GATEWAY_TEXT.get(code, ERRORS[code].message)
            return Reply({"Message": f"Error {code} : {text}", "Status": "error"},
                         gateway=True, trailer=trailer)
        text = _OWN_TEXT.get(code, ERRORS[code].message)
        return Reply({"Message": text, "Status": "error", "Code": f"{code:03d}"})

    def refuse_method(self, remote: str) -> Reply:
        self.intrusions.add(remote, 30)
        return self.error(812)

    def wire(self, reply: Reply) -> tuple[bytes, str]:
        ctype = "text/html; charset=UTF-8" if reply.gateway else "application/json"
        return encode(reply.body) + reply.trailer.encode("ascii"), ctype

    def answer(self, call: Call, result: Any, ok: bool = True) -> Reply:
        reply = super().answer(call, result, ok)
        if None in call.action.ok_status:  # the getters answer without a Status
            del reply.body["Status"]
        return reply

    # -- sends -----------------------------------------------------------------------------

    def recipient(self, phone: str) -> str | None:
        # The messenger resolves a number with or without its "+"; a leading 0 finds nobody.
        found = _LOOSE_NUMBER.fullmatch(phone)
        return f"+{found.group(1)}" if found else None

    def whatsapp_delivers(self, phone: str) -> bool:
        return True  # the gateway answers "sent" whatever the number, and charges it

    def message_length(self, call: Call, text: str) -> int:
        return len(self.logged_text(call, text).encode("utf-8", "surrogatepass"))

    def logged_text(self, call: Call, text: str) -> str:
        return f"{text}\n{AD_TEXT}" if call.state.ads else text

    def check_credit(self, call: Call, phones: Sequence[str]) -> None:
        credit = call.state.credits[call.action.credit or ""]
        needed = len(phones) if call.action.is_mass else 0
        if credit < needed:
            raise ServiceError(305)

    def mass_numbers(self, phones: list[str]) -> list[str]:
        return list(dict.fromkeys(phones))  # the answer is a map: a repeat is answered once

    def cuts_off(self, call: Call, gateway_s: float) -> bool:
        # The endpoint waits for the gateway with PHP's socket timeout, then answers 999.
        return call.cut_off or gateway_s > call.gateway_timeout_s

    def old_rows(self, state: State, count: int, now: datetime) -> Iterator[dict[str, Any]]:
        start = (now - timedelta(days=30)).astimezone(TEHRAN)
        for i in range(count):
            moment, phone = start + timedelta(minutes=i), f"+98999{i % 10_000_000:07d}"
            yield {"Username": state.username, "DATE": moment.strftime("%Y-%m-%d"),
                   "TIME": moment.strftime("%H:%M:%S"), "IP": "127.0.0.1",
                   "DATA": f"old message {i + 1}", "Number": phone, "Delivered": phone}

    def log_sends(self, call: Call, outcomes: Sequence[Outcome], content: Content) -> None:
        action = call.action
        if action.whatsapp:
            delivered = call.field("Phone")
        elif action.is_mass:
            delivered = ",".join(o.phone for o in outcomes if o.delivered)
        elif outcomes[0].delivered:
            delivered = outcomes[0].phone
        else:
            return  # an undelivered single send leaves no row
        data = stored_text(content.data)
        if data is None:
            return  # the unescaped INSERT failed, silently: delivered and charged, no row
        local = call.now.astimezone(TEHRAN)
        call.state.append_report({
            "Username": call.state.username, "DATE": local.strftime("%Y-%m-%d"),
            "TIME": local.strftime("%H:%M:%S"), "IP": call.remote, "DATA": data,
            "Number": call.field("Phone"), "Delivered": delivered,
        })

    def send_reply(self, call: Call, outcomes: Sequence[Outcome]) -> Reply:
        action = call.action
        if action.whatsapp:
            return Reply({"Result": True, "Status": "sent"}, gateway=True)
        if action.is_mass:
            return call.answer({o.phone: o.delivered for o in outcomes})
        outcome = outcomes[0]
        if outcome.delivered:
            return call.answer(True)
        if outcome.reason == "blocked":  # the contact exists, the send itself failed
            return call.answer(False, ok=False)
        return self.error(307, gateway=True)

    # -- the account -----------------------------------------------------------------------

    def flag(self, value: bool) -> Any:
        return "1" if value else 0  # the implementation replaces an empty value by 0

    def limits_result(self, call: Call) -> dict[str, Any]:
        state = call.state
        return {"Message": str(state.limits["Message"]), "Photo": state.limits["Photo"] * _MB,
                "Video": state.limits["Video"] * _MB, "File": state.limits["File"] * _MB,
                "canGet": self.flag(state.can_get), "isSuper": self.flag(state.is_super)}

    def credits_result(self, call: Call) -> dict[str, Any]:
        return {kind: str(value) for kind, value in call.state.credits.items()}

    def ip_result(self, call: Call) -> str:
        return call.remote

    def set_ip(self, call: Call) -> Reply:
        written = call.misc["items"][0]
        if written != "*":
            written = f"{written},{self.server_addr}"
        call.state.allowed_ips = [item for item in written.split(",") if item] or ["*"]
        call.state.dirty = True
        return Reply({"Result": written, "Message": ERRORS[409].message, "Status": "success",
                      "Code": "409"})

    def new_secret(self) -> str:
        return secrets.token_hex(5)

    def confirm_secret(self, call: Call) -> Reply:
        return Reply({"Result": call.state.secret, "Message": ERRORS[407].message,
                      "Status": "success", "Code": "407"})

    def report_reply(self, call: Call) -> Reply:
        # SELECT without ORDER BY or LIMIT: the code keeps the first 1000 rows (insertion
        # order), reverses them and slices Misc. Later rows never appear.
        first = call.state.first_reports(_REPORT_ROWS)
        if not first:
            raise ServiceError(111)
        return Reply(first[::-1][:call.misc["count"]])
