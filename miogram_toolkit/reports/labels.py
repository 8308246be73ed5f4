"""Words people read: human labels for codes, and Persian text made drawable.

Reason codes (``not_on_messenger``), states (``in_flight``) and action names
(``SendMessageMass``) become labels a campaign manager reads ("Not on the messenger",
"Text to many"). :func:`display_text` shapes Persian/Arabic letters into their joined forms and
orders the text right-to-left for drawing libraries (matplotlib) that do neither; Latin text
passes through unchanged.

Example:
    >>> label("not_on_messenger"), label("SendMessageMass"), label("some_new_code")
    ('Not on the messenger', 'Text, many numbers', 'Some new code')
    >>> display_text("Delivered") == "Delivered"
    True
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pandas as pd

from miogram_toolkit.protocol.reasons import REASONS, describe

__all__ = ["LABELS", "display_text", "label"]

#: Reason codes, states and action names as a person says them. Unknown codes fall back to the
#: code with spaces (``some_new_code`` → "Some new code").
LABELS: dict[str, str] = {
    # delivery and campaign outcomes
    "delivered": "Delivered",
    "failed": "Failed",
    "unknown": "Outcome unknown",
    "pending": "Not sent yet",
    "in_flight": "Being sent",
    "skipped": "Skipped",
    "sent": "Sent",
    # reasons said more plainly than the reasons list's labels, where a report needs it
    "undelivered": "Not delivered (the service's log does not say why)",
    "blocked": "Blocked by the agent",
    "invalid_number": "Invalid number",
    "opt_out": "Opted out",
    "low_credit": "Credit used up",
    "no_credit": "Credit used up",
    "credit": "Credit used up",
    "quiet_hours": "Quiet hours",
    "duplicate_of": "Duplicate of an earlier row",
    "delivery_unknown": "Outcome unknown",
    # phone cleaning (phones.clean)
    "ok": "Sendable",
    "duplicate": "Duplicate number",
    "not_mobile": "Not a mobile number",
    "invalid": "Invalid number",
    "too_short": "Too few digits",
    "too_long": "Too many digits",
    "multiple": "Several numbers in one cell",
    "empty": "Empty cell",
    # actions
    "SendMessage": "Text",
    "SendMessageMass": "Text, many numbers",
    "SendMessageWhatsApp": "WhatsApp text",
    "SendMessageWhatsAppMass": "WhatsApp text, many numbers",
    "SendPhoto": "Photo",
    "SendPhotoMass": "Photo, many numbers",
    "SendVideo": "Video",
    "SendVideoMass": "Video, many numbers",
    "SendFile": "File",
    "SendFileMass": "File, many numbers",
    "SendAudio": "Audio",
    "SendText": "Text file",
    "SendDocument": "Document",
    "SendLocation": "Location",
    "SendContact": "Contact card",
    # channels
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
}

_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def label(code: Any) -> str:
    """A human label for a code; None/NaN → "(none)".

    Reasons come from the toolkit's reasons list (:mod:`miogram_toolkit.protocol.reasons`),
    with their detail (``duplicate_of:12`` → "Duplicate of row 12"); states, actions and
    channels from :data:`LABELS`.

    Example:
        >>> label("too_short"), label(None), label("missing_value:name")
        ('Too few digits', '(none)', 'Empty placeholder cell (name)')
        >>> label("duplicate_of:12"), label("not_on_messenger")
        ('Duplicate of row 12', 'Not on the messenger')
    """
    if code is None or code is pd.NA or (isinstance(code, float) and code != code):
        return "(none)"
    text = str(code)
    head, _, detail = text.partition(":")
    if head in REASONS and (detail or head not in LABELS):
        return describe(text)
    if detail:
        return f"{label(head)} ({detail})"
    found = LABELS.get(text)
    if found is not None:
        return found
    if "_" in text or text.islower():
        words = text.replace("_", " ").strip()
        return words[:1].upper() + words[1:] if words else "(none)"
    return text


@lru_cache(maxsize=4096)
def display_text(text: str) -> str:
    """``text`` ready for a renderer without shaping/bidi: Persian joined and right-to-left.

    Text without Arabic-script letters is returned as it is. Uses ``arabic-reshaper`` (joined
    letter forms) and ``python-bidi`` (visual order).

    Example:
        >>> display_text("Sent") == "Sent"
        True
        >>> display_text("سلام") != "سلام"     # joined presentation forms, visual order
        True
    """
    if not _ARABIC_SCRIPT.search(text):
        return text
    import arabic_reshaper
    from bidi import get_display

    return str(get_display(arabic_reshaper.reshape(text)))
