"""The two ways the simulated service can answer: one small class per dialect.

Everything that differs between the v1.2 document (as the toolkit reads it) and the service's
own implementation (``shared/spec/reference-implementation.md``) lives here, in
:class:`DocumentDialect` and :class:`ReferenceDialect`; the handlers ask the dialect of the call
and never test its name. ::

    request ─► dialect.checks (its order) ─► handler ─► dialect.answer / send_reply / error
                                               │            │
                       dialect.check_credit ◄──┤            └─► Reply(body, gateway, trailer)
                       dialect.log_sends    ◄──┘                      │
                                                 dialect.wire(reply) ─► bytes + Content-Type

What the two dialects do differently:

==========================  ==================================  ====================================
                            ``document``                        ``reference`` (the implementation)
==========================  ==================================  ====================================
check order                 800 801 802 302 826 827 309 330     815 800 801 826 827 802 302 309,
                            307, Misc 330/812                   fields/Misc: gateway ``Error 302``
error body                  ``{"Result": false, "Status":       own: ``{"Message", "Status":
                            "error", "Message"}`` (+ ``Code``   "error", "Code": "NNN"}``; gateway:
                            int with ``error_codes``)           ``{"Message": "Error NNN : text",
                                                                "Status": "error"}`` (+ ``302``)
Content-Type                ``application/json; charset=utf-8`` own ``application/json``; gateway
                                                                ``text/html; charset=UTF-8``
getters                     ``Status: null``                    no ``Status``; flags ``"1"``/``0``
tables                      integers; sizes in MB               credits strings; sizes in bytes,
                                                                ``Message`` a string
``APIGetReport``            ``{"Result": [...]}``; ``[]``       bare array; 111 No DATA; the
                            when empty; Misc 1..999; the        account's FIRST 1000 rows, newest
                            newest ``Misc`` rows                first, sliced by Misc (empty → all)
report rows                 one per number per attempt          one per request: ``Username, DATE,
                            (schema in the README)              TIME`` (Tehran), ``IP, DATA, Number,
                                                                Delivered``; undelivered single
                                                                sends leave none; ``DATA`` as MySQL
                                                                reads the unescaped INSERT: a ``'``
                                                                → no row, emoji ``????``, ``\\n``
                                                                a newline (:mod:`.logtext`)
message length              characters ≤ ``Message``            UTF-8 bytes of text + "\\n" + ad
credit                      ≤ 1 → 305; Mass > credit − 1 →      single: credit ≥ 0 sends (to −1);
                            306, nothing sent                   Mass: credit ≥ count, else 305
undelivered single send     ``{"Result": false, "Status":       ``{"Result": false, "Message":
                            "fail"}``                           "Number Not Exist or Wrong",
                                                                "Status": "error"}`` (no Code)
WhatsApp                    ``success``; Mass a map             ``{"Result": true, "Status":
                                                                "sent"}``, every number charged
Mass, repeated number       sent and charged each time          answered and charged once
numbers without ``+``       false / 307                         read as international; one the
                                                                messenger cannot read: ``Number
                                                                Not Exist or Wrong``
``Robot`` unknown           827                                 the first agent
inactive account            826, ``APIGetActive`` ``"0"``       826 for every action
no agent                    827 for agent actions only          827 for every action
``GetHistory`` Misc         ``offset,limit``                    ``limit,offset`` (limit 0 → 1)
slow send (gateway time >    answered when done                  999 after ``gateway_timeout_s``;
``gateway_timeout_s``)                                           sent, uncharged, unlogged
``APIGetIP``                the allow-list                      the caller's address
``APISetIP``                validated IPs; ``Result`` the list  as written + ``","`` + the
                                                                server's address; ``Code "409"``
``APIChangeSecret``         24 characters                       10 hex characters; ``Code "407"``
non-POST requests           812                                 812, and 30 points each: over 100
                                                                from one address → 815 for all
==========================  ==================================  ====================================

Example:
    >>> from miogram_toolkit.simulator.state import State
    >>> from miogram_toolkit.simulator.actions import perform
    >>> state = State(secret="s")
    >>> perform(state, {"Secret": "s", "Func": "APIGetCredits"}, "127.0.0.1",
    ...         dialect=ReferenceDialect())["Result"]["Message"]
    '10000'
    >>> perform(state, {"Secret": "s", "Func": "Nope"}, "127.0.0.1", dialect=ReferenceDialect())
    {'Message': 'Bad Request of Functions', 'Status': 'error', 'Code': '302'}
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from miogram_toolkit.protocol.catalogue import Action, Permission, Phones
from miogram_toolkit.protocol.errors import ERRORS
from miogram_toolkit.simulator.actions import Call, Reply, Request, ServiceError, lookup
from miogram_toolkit.simulator.logtext import stored_text
from miogram_toolkit.simulator.numbering import is_international
from miogram_toolkit.simulator.state import State, new_secret, utc_iso

__all__ = ["DIALECTS", "AD_TEXT", "Content", "Dialect", "DocumentDialect", "Outcome",
           "ReferenceDialect", "make_dialect"]

#: The dialect names; the first is the simulator's default.
DIALECTS = ("reference", "document")

#: The advertisement the ``reference`` dialect appends to texts of an account with ads.
AD_TEXT = "Sent with MioGram"

_MB = 1024 * 1024
_JSON_UTF8 = "application/json; charset=utf-8"
# Line breaks are what MIME-style encoders add; anything else outside the alphabet is an error.
_LINE_BREAKS = str.maketrans("", "", "\r\n")


def _tehran() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Tehran")
    except Exception:  # no time zone database: Iran has kept +03:30 all year since 2023
        return timezone(timedelta(hours=3, minutes=30), "Asia/Tehran")


_TEHRAN = _tehran()


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


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- Misc as the document's catalogue describes it -----------------------------------------------

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


def parse_misc(names: Sequence[str], raw: str, ranges: dict[str, tuple[Any, Any]] = _RANGES
               ) -> dict[str, Any]:
    """Split ``Misc`` into the named parts: missing/blank → 330; extra or malformed → 812."""
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
        if name in ranges:
            low, high = ranges[name]
            value = float(text) if isinstance(low, float) else int(text)
            if not low <= value <= high:
                raise ServiceError(812)
        elif name in ("forward_count", "offset", "limit"):
            value = int(text)
        values[name] = value
    return values


class Dialect:
    """The ``document`` dialect; :class:`ReferenceDialect` overrides where the service differs.

    Args:
        error_codes: add the numeric ``Code`` to error answers (``document`` only).
        server_addr: the address the service appends in ``APISetIP`` (``reference`` only).
    """

    name = "document"
    #: The shared checks, in order (method names without ``check_``).
    order: tuple[str, ...] = ("secret", "ip", "func", "active", "agent", "permission",
                              "fields", "phone", "misc")

    def __init__(self, *, error_codes: bool = False, server_addr: str = "") -> None:
        self.error_codes = error_codes
        self.server_addr = server_addr

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    @property
    def checks(self) -> list[Callable[[Request], None]]:
        """The check methods, in this dialect's order."""
        return [getattr(self, f"check_{name}") for name in self.order]

    # -- the shared checks -----------------------------------------------------------------

    def check_secret(self, request: Request) -> None:
        secret = request.field("Secret")
        if not secret.strip():
            raise ServiceError(800)
        if not hmac.compare_digest(secret.encode(), request.state.secret.encode()):
            raise ServiceError(801)

    def check_ip(self, request: Request) -> None:
        if not request.state.ip_allowed(request.remote):
            raise ServiceError(802)

    def check_func(self, request: Request) -> None:
        request.action = lookup(request.field("Func"))

    def _action(self, request: Request) -> Action:
        if request.action is None:  # the checks that need it run after check_func
            request.action = lookup(request.field("Func"))
        return request.action

    def check_active(self, request: Request) -> None:
        if not request.state.active and self._action(request).func != "APIGetActive":
            raise ServiceError(826)

    def check_agent(self, request: Request) -> None:
        if self._action(request).func.startswith("API"):
            return
        request.robot = request.state.pick_agent(request.field("Robot"))
        if request.robot is None:
            raise ServiceError(827)

    def check_permission(self, request: Request) -> None:
        action, state = self._action(request), request.state
        if (action.permission is Permission.IS_SUPER and not state.is_super) or \
                (action.permission is Permission.CAN_GET and not state.can_get):
            raise ServiceError(309)

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
        return _encode(reply.body) + reply.trailer.encode("ascii"), _JSON_UTF8

    def answer(self, call: Call, result: Any, ok: bool = True) -> Reply:
        """A non-error answer: ``Status`` from the catalogue's ``ok_status``.

        ``ok_status[0]`` is the success status (``"success"``, ``"checking"`` or None = JSON
        null); a false outcome of an action that knows ``"fail"`` gets ``"fail"``.
        """
        action = call.action
        status = action.ok_status[0] if ok or "fail" not in action.ok_status else "fail"
        return Reply({"Result": result, "Status": status},
                     gateway=not action.func.startswith("API"))

    # -- sends -----------------------------------------------------------------------------

    def recipient(self, phone: str) -> str | None:
        """The international number ``phone`` reaches, or None when it reaches nobody."""
        return phone if is_international(phone) else None

    def whatsapp_delivers(self, phone: str) -> bool:
        """WhatsApp (beta) has no delivery reports: every well-formed number counts as sent."""
        return self.recipient(phone) is not None

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
        start = now - timedelta(days=30)
        for i in range(count):
            phone = f"+98999{i % 10_000_000:07d}"
            state.tallies["delivered"] += 1
            yield {"Id": state.next_id("report"), "Time": utc_iso(start + timedelta(minutes=i)),
                   "Func": "SendMessage", "Phone": phone, "Robot": state.agent_names()[0]
                   if state.agents else "", "Channel": "telegram", "Kind": "Message",
                   "Delivered": True, "Charged": 1, "Message": f"old message {i + 1}",
                   "File": None, "Reason": None}

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


DocumentDialect = Dialect


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
        return _encode(reply.body) + reply.trailer.encode("ascii"), ctype

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
        start = (now - timedelta(days=30)).astimezone(_TEHRAN)
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
        local = call.now.astimezone(_TEHRAN)
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


def make_dialect(name: str, *, error_codes: bool = False, server_addr: str = "") -> Dialect:
    """A fresh dialect object by name (each simulator keeps its own intrusion counter).

    Raises:
        ValueError: an unknown name.

    Example:
        >>> make_dialect("reference").name, make_dialect("document").name
        ('reference', 'document')
    """
    classes = {"reference": ReferenceDialect, "document": DocumentDialect}
    if name not in classes:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, got {name!r}")
    return classes[name](error_codes=error_codes, server_addr=server_addr)
