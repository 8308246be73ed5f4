"""Replies the simulated recipients send back: who answers, what, and when — fixed by the seed.

With ``Simulator(replies=True)`` (a share of 0.25) or ``replies=0.1``, some recipients of a
delivered Telegram message answer it. Whether one answers, with what and after how long depends
only on the seed, the number and the text, so the same campaign meets the same replies in every
run. Of those who answer:

* about 30% ask to stop with an opt-out word (``لغو``, ``لغو11``, ``STOP``, ``لغو ۱۱``…);
* about 40% ask a question, in Persian or English;
* about 20% write something else (thanks, "who is this?"…);
* about 10% send a photo (``media`` of type ``photo``, with a caption).

A reply is dated a few seconds to about half an hour after our message, by the service's clock,
but it is in the agent's chat at once: nothing waits. It lands in the chat of the agent that
sent (``out: false``), so ``GetHistory`` through that agent reads it, in both dialects. WhatsApp
sends have no chat and get no replies.

Example:
    >>> reply = plan_reply(seed=7, rate=1.0, phone="+989121234567", text="سلام")
    >>> reply is not None and 5 <= reply.delay_s <= 1800
    True
    >>> plan_reply(seed=7, rate=0.0, phone="+989121234567", text="سلام") is None
    True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_RATE", "OPT_OUT_REPLIES", "PlannedReply", "plan_reply"]

#: The share of recipients who answer with ``replies=True``.
DEFAULT_RATE = 0.25

#: Replies that ask to stop (whole replies; the toolkit's opt-out list matches them).
OPT_OUT_REPLIES = ("لغو", "لغو11", "STOP", "لغو ۱۱", "stop", "لغو!")
QUESTIONS = ("قیمتش چنده؟", "چطور می‌تونم سفارش بدم؟", "How much is it?",
             "Is this offer still valid?", "آدرس فروشگاه کجاست؟", "Do you deliver to Shiraz?")
OTHERS = ("ممنون", "Thanks!", "شما؟", "Who is this?", "لغو نکنید، ممنون", "ok 👍")
PHOTO_CAPTIONS = ("این مدل رو دارید؟", "Do you have this one?")

# Cumulative shares of the kinds among those who answer.
_KINDS = ((0.3, "opt_out"), (0.7, "question"), (0.9, "other"), (1.0, "photo"))
_MIN_DELAY_S = 5
_MAX_DELAY_S = 1800


@dataclass(frozen=True)
class PlannedReply:
    """One recipient's answer: after ``delay_s`` seconds, a ``text`` or a ``media`` object."""

    kind: str
    delay_s: int
    text: str | None
    media: dict[str, Any] | None


def _unit(seed: int, phone: str, text: str, salt: str) -> float:
    digest = hashlib.sha256(f"{seed}|reply|{salt}|{phone}|{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _pick(options: tuple[str, ...], unit: float) -> str:
    return options[int(unit * len(options)) % len(options)]


def plan_reply(*, seed: int, rate: float, phone: str, text: str) -> PlannedReply | None:
    """Whether the recipient ``phone`` answers our message ``text``, and how (None: silent)."""
    if rate <= 0 or _unit(seed, phone, text, "who") >= rate:
        return None
    which = _unit(seed, phone, text, "kind")
    kind = next(name for share, name in _KINDS if which < share)
    delay = _MIN_DELAY_S + int(_unit(seed, phone, text, "when") ** 2 * (_MAX_DELAY_S -
                                                                         _MIN_DELAY_S))
    choice = _unit(seed, phone, text, "what")
    if kind == "photo":
        digest = hashlib.sha1(f"{seed}|{phone}".encode()).hexdigest()[:8]
        return PlannedReply(kind, delay, None, {"type": "photo",
                                                "caption": _pick(PHOTO_CAPTIONS, choice),
                                                "name": f"{digest}.jpg"})
    options = {"opt_out": OPT_OUT_REPLIES, "question": QUESTIONS, "other": OTHERS}[kind]
    return PlannedReply(kind, delay, _pick(options, choice), None)
