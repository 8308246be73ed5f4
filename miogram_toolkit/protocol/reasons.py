"""The reasons list: every reason a row was skipped, failed or left unknown, in words.

One table for the whole toolkit: the campaign writes these codes into its journal and results,
``miogram retry --reason`` checks its argument against them (and suggests the nearest), reports
and charts say them in words. A code may carry a detail after a colon (``duplicate_of:77``, the
sheet row of the first copy; ``missing_value:name``, the empty column).

Example:
    >>> describe("duplicate_of:77")
    'Duplicate of row 77'
    >>> REASONS["not_on_messenger"].kind
    'failed'
    >>> nearest_reason("not_on_messnger")
    'not_on_messenger'
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

__all__ = ["REASONS", "Reason", "describe", "nearest_reason", "reasons_of_kind"]


@dataclass(frozen=True)
class Reason:
    """One reason: its kind (``skipped``/``failed``/``unknown``), a label and what it means."""

    kind: str
    label: str
    explanation: str


REASONS: dict[str, Reason] = {
    # skipped before sending: never sent
    "opted_out": Reason("skipped", "Opted out",
                        "the number is on the opt-out list given to the campaign"),
    "opted_out_by_reply": Reason("skipped", "Opted out by reply",
                                 "the person answered an earlier message with an opt-out word"),
    "duplicate_of": Reason("skipped", "Duplicate of row",
                           "the same number stands on an earlier row, which is sent instead"),
    "missing_value": Reason("skipped", "Empty placeholder cell",
                            "the message uses a column whose cell is empty on this row"),
    "recently_messaged": Reason("skipped", "Messaged recently",
                                "this account messaged the number recently (the ledger), and "
                                "the campaign was told to leave such numbers out"),
    "already_sent": Reason("skipped", "Already received this message",
                           "the number received this campaign's message before"),
    "removed_from_sheet": Reason("skipped", "Removed from the sheet",
                                 "the row was in the campaign but is no longer in the sheet"),
    "phone_empty": Reason("skipped", "No number", "the phone cell is empty"),
    "phone_invalid": Reason("skipped", "Invalid number", "the cell holds no valid phone number"),
    "phone_not_mobile": Reason("skipped", "Not a mobile number",
                               "the number is valid but not a mobile; messengers need a mobile"),
    "phone_too_short": Reason("skipped", "Too few digits", "the number is missing digits"),
    "phone_too_long": Reason("skipped", "Too many digits", "the number has extra digits"),
    "phone_multiple": Reason("skipped", "Several numbers in one cell",
                             "the cell holds more than one number; split it or pick one"),
    "phone_rounded": Reason("skipped", "Number rounded by Excel",
                            "Excel stored the number in scientific notation and lost digits"),
    "phone_duplicate": Reason("skipped", "Duplicate number",
                              "the same number stands on an earlier row"),
    "cancelled": Reason("skipped", "Cancelled", "the campaign was cancelled before this row"),
    # failed: the service answered, the message was not delivered
    "not_on_messenger": Reason("failed", "Not on the messenger",
                               "the service answered that the number has no account there"),
    "bad_number": Reason("failed", "Refused as invalid",
                         "the service refused the number (307) before sending"),
    "undelivered": Reason("failed", "Not delivered",
                          "the service's log lists the request without this number"),
    # unknown: may or may not have been delivered; never re-sent without being told
    "no_answer": Reason("unknown", "No answer",
                        "the request left but no answer came back; it may have been delivered"),
    "service_timeout": Reason("unknown", "Service timed out (999)",
                              "the service answered 999 while its gateway may still be sending"),
    "bad_answer": Reason("unknown", "Unreadable answer",
                         "the answer was cut, not JSON or a proxy's error page"),
    "unreconcilable": Reason("unknown", "Cannot be checked",
                             "no evidence either way: the service's log cannot show this message "
                             "and the agent's chat could not be read"),
    "log_frozen": Reason("unknown", "Log shows no new sends",
                         "the service's report lists only an account's first 1000 rows, so it "
                         "cannot show this request"),
    "unknown_skipped": Reason("unknown", "Left unknown (on_unknown='skip')",
                              "no answer came and the campaign was told not to check or resend"),
}


def _split(code: str) -> tuple[str, str]:
    head, _, detail = str(code).partition(":")
    return head, detail


def describe(code: str) -> str:
    """A reason in words, with its detail (``duplicate_of:77`` → ``Duplicate of row 77``)."""
    head, detail = _split(code)
    reason = REASONS.get(head)
    if reason is None:
        words = head.replace("_", " ").strip()
        text = words[:1].upper() + words[1:]
    else:
        text = reason.label
    if not detail:
        return text
    return f"{text} {detail}" if head == "duplicate_of" else f"{text} ({detail})"


def reasons_of_kind(kind: str) -> list[str]:
    """The codes of one kind (``skipped``, ``failed``, ``unknown``), in table order."""
    return [code for code, reason in REASONS.items() if reason.kind == kind]


def nearest_reason(text: str, kind: str | None = None) -> str | None:
    """The known code closest to ``text`` (a typo), or None when nothing is close."""
    codes = reasons_of_kind(kind) if kind else list(REASONS)
    found = difflib.get_close_matches(_split(text)[0], codes, n=1, cutoff=0.6)
    return found[0] if found else None
