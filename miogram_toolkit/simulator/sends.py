"""The fifteen send actions: text, files and media, location and contact, one or Mass.

One handler serves them all, driven by the catalogue (``credit`` names the credit kind a
delivered send uses, ``limit`` the limit its ``Message`` or ``Data`` must respect, ``phones``
whether it takes one number or many, ``whatsapp`` the beta channel) and by the call's dialect
(:mod:`.dialects`: how length and credit are counted, who a number reaches, what is logged and
answered).

The steps, in both dialects:

1. The content: Message longer than the ``Message`` limit → 304 (characters in ``document``,
   UTF-8 bytes with the ad in ``reference``); Data not strict base64 → 400 (line breaks are
   tolerated, any other stray character — a space from an unescaped ``+`` — is not); decoded Data
   larger than limit·1024·1024 bytes → 303. Nothing is sent then.
2. The credit (the dialect's rule: 305 / 306). Nothing is sent when it fails.
3. Each number: delivered when it reaches someone on the messenger who has not been blocked
   (WhatsApp, which has no delivery reports, counts every number it accepts as delivered). A
   delivered number is charged one credit of the kind and lands in the chat of the agent that
   sent (not WhatsApp), where its recipient may answer (:mod:`.replies`).
4. The dialect logs the report rows and builds the answer.
5. The gateway pauses ``per_number_s`` for each number of a non-WhatsApp send, after the state's
   lock is released (the service's gateway sleeps about a second per number).
"""

from __future__ import annotations

from typing import Any

from miogram_toolkit.simulator.base import Call, Content, Outcome, Reply, ServiceError
from miogram_toolkit.simulator.chatlog import media_of
from miogram_toolkit.simulator.replies import plan_reply

__all__ = ["check_data", "handle_send"]


def check_data(call: Call) -> str:
    """Decode ``Data`` and check it against the action's size limit; return ``<sha1-8>``."""
    return call.dialect.check_data(call, call.action.limit)


def _content(call: Call) -> Content:
    """What the request sends; checks length and size limits."""
    action = call.action
    if "Data" in action.fields:
        digest = check_data(call)
        return Content(None, f"{digest}.{call.misc['extension'].lower()}", None,
                       call.field("Data"))
    if "Message" in action.fields:
        text = call.field("Message")
        if action.limit is not None and \
                call.dialect.message_length(call, text) > call.state.limits[action.limit]:
            raise ServiceError(304)
        return Content(text, None, None, call.dialect.logged_text(call, text))
    # Location and contact: the Misc parts are the content.
    summary = ",".join(str(call.misc[name]) for name in action.misc)
    return Content(None, None, summary, call.field("Misc"))


def _chat_entry(call: Call, content: Content, date: float) -> dict[str, Any]:
    """What the agent's chat keeps of this send (see :mod:`.chatlog`)."""
    if content.text is not None:
        return {"out": True, "date": date, "text": content.text}
    return {"out": True, "date": date,
            "media": media_of(call.action.credit, content.file, call.misc)}


def _deliver(call: Call, phone: str, content: Content, position: int, charge: bool) -> Outcome:
    state, action, dialect = call.state, call.action, call.dialect
    recipient = dialect.recipient(phone)
    reason: str | None = None
    if action.whatsapp:
        reason = None if dialect.whatsapp_delivers(phone) else "invalid_number"
    elif recipient is None:
        reason = "invalid_number"
    elif recipient in state.blocked:
        reason = "blocked"
    elif not state.on_messenger(recipient):
        reason = "not_on_messenger"
    to = recipient or phone
    state.count_attempt(to, reason is None)
    if reason is None:
        if charge:
            state.credits[action.credit or ""] -= 1
        if not action.whatsapp:  # WhatsApp has no chat to read back
            # The gateway sends one number after the other: the n-th leaves n paces later.
            date = call.now.timestamp() + position * call.per_number_s
            state.chats.add(call.robot or "", to, _chat_entry(call, content, date))
            _maybe_reply(call, to, content, date)
    return Outcome(phone, to, reason is None, reason)


def _maybe_reply(call: Call, phone: str, content: Content, date: float) -> None:
    """The recipient may answer (:mod:`.replies`): in the chat at once, dated later."""
    state = call.state
    reply = plan_reply(seed=state.seed, rate=state.reply_rate, phone=phone,
                       text=content.text if content.text is not None else content.data[:64])
    if reply is None:
        return
    entry: dict[str, Any] = {"out": False, "date": date + reply.delay_s}
    entry.update({"media": reply.media} if reply.media is not None else {"text": reply.text})
    state.chats.add(call.robot or "", phone, entry, shown=date)  # dated later, there at once


def handle_send(call: Call) -> Reply:
    """Send to one number (Bool answer) or to many (Mass answer).

    When the endpoint gives up on the gateway (:meth:`.dialects.Dialect.cuts_off`: the
    gateway's time passes ``gateway_timeout_s``, or a ``999_after`` fault), the numbers are
    still sent — uncharged and unlogged, as the implementation's endpoint never writes back
    — and the answer is 999 after the endpoint's wait.
    """
    content = _content(call)
    call.state.counts["sends"] += 1
    written = call.field("Phone").split(",") if call.action.is_mass else [call.field("Phone")]
    call.dialect.check_credit(call, written)
    phones = call.dialect.mass_numbers(written) if call.action.is_mass else written
    pause = 0.0 if call.action.whatsapp else call.per_number_s * len(phones)
    cut_off = call.dialect.cuts_off(call, pause)
    outcomes = [_deliver(call, phone, content, position, charge=not cut_off)
                for position, phone in enumerate(phones)]
    if cut_off:
        reply = call.dialect.error(999)
        reply.pause_s = min(pause, call.gateway_timeout_s)
        return reply
    call.dialect.log_sends(call, outcomes, content)
    reply = call.dialect.send_reply(call, outcomes)
    reply.pause_s = pause
    return reply
