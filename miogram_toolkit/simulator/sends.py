"""The fifteen send actions: text, files and media, location and contact, one or Mass.

One handler serves them all, driven by the catalogue: ``credit`` names the credit kind a
delivered send uses, ``limit`` the limit its ``Message`` (characters) or ``Data`` (megabytes)
must respect, ``phones`` whether it takes one number or many, ``whatsapp`` the beta channel.

Rules (the document's, and our readings where it is silent):

* Message longer than the ``Message`` limit in characters → 304; Data that is not base64 → 400
  (line breaks are tolerated, any other stray character — a space from an unescaped ``+`` — is
  not); decoded Data larger than limit·1024·1024 bytes → 303. Nothing is sent then.
* Credit: "0 or 1 means used up", so a kind at 1 or less answers 305. Above that, a request
  may deliver at most ``credit − 1`` messages: a Mass request with more well-formed numbers than
  that answers 306 Low Credit, and nothing is sent or charged. Only deliveries are charged.
* A number is delivered to when it is in international form, on the messenger and not blocked.
  WhatsApp (beta) has no delivery reports: every well-formed number answers true and is charged.
* Mass answers ``Status: "checking"`` and a map keyed by every number exactly as sent; a number
  not in international form is false there (a one-number action answers 307 instead). A number
  sent twice in one request is sent (and charged) twice; the map holds it once.
* Every attempt — delivered or not — is one report record; error answers leave none.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from miogram_toolkit.simulator.actions import Call, ServiceError, answer
from miogram_toolkit.simulator.numbering import is_international

__all__ = ["handle_send"]

_MB = 1024 * 1024
# Line breaks are what MIME-style encoders add; anything else outside the alphabet is an error.
_LINE_BREAKS = str.maketrans("", "", "\r\n")


def _decode_data(call: Call) -> bytes:
    text = call.field("Data").translate(_LINE_BREAKS)
    if len(text) % 4:
        raise ServiceError(400)  # the decoder would quietly drop surplus padding
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ServiceError(400) from None
    if not data:
        raise ServiceError(400)
    return data


def check_data(call: Call) -> tuple[bytes, str]:
    """Decode ``Data`` and check it against the action's size limit.

    Returns:
        The bytes and a file name ``<sha1-8>`` (the caller adds the extension).
    """
    data = _decode_data(call)
    limit = call.action.limit
    if limit is not None and len(data) > call.state.limits[limit] * _MB:
        raise ServiceError(303)
    return data, hashlib.sha1(data).hexdigest()[:8]


def _content(call: Call) -> tuple[str | None, str | None]:
    """What the request sends: (message text, file name); checks length and size limits."""
    action = call.action
    if "Data" in action.fields:
        _, digest = check_data(call)
        return None, f"{digest}.{call.misc['extension'].lower()}"
    if "Message" in action.fields:
        text = call.field("Message")
        if action.limit is not None and len(text) > call.state.limits[action.limit]:
            raise ServiceError(304)
        return text, None
    # Location and contact: the Misc parts are the content.
    return ",".join(str(call.misc[name]) for name in action.misc), None


def _check_credit(call: Call, wanted: int) -> None:
    credit = call.state.credits[call.action.credit or ""]
    if credit <= 1:
        raise ServiceError(305)
    if wanted > credit - 1:
        raise ServiceError(306)


def _deliver(call: Call, phone: str, message: str | None, file: str | None) -> bool:
    state, action = call.state, call.action
    reason: str | None = None
    if not is_international(phone):
        reason = "invalid_number"
    elif action.whatsapp:
        reason = None  # beta: no delivery reports, so every send counts as delivered
    elif phone in state.blocked:
        reason = "blocked"
    elif not state.on_messenger(phone):
        reason = "not_on_messenger"
    state.record_send(func=action.func, phone=phone, robot=call.robot or "",
                      channel="whatsapp" if action.whatsapp else "telegram",
                      kind=action.credit or "", delivered=reason is None, reason=reason,
                      message=message, file=file, now=call.now)
    return reason is None


def handle_send(call: Call) -> dict[str, Any]:
    """Send to one number (Bool answer) or to many (Mass map answer)."""
    message, file = _content(call)
    call.state.counts["sends"] += 1
    if call.action.is_mass:
        phones = call.field("Phone").split(",")
        _check_credit(call, sum(1 for phone in phones if is_international(phone)))
        result: dict[str, bool] = {}
        for phone in phones:
            result[phone] = _deliver(call, phone, message, file)
        return answer(call.action, result)
    _check_credit(call, 1)
    delivered = _deliver(call, call.field("Phone"), message, file)
    return answer(call.action, delivered, ok=delivered)
