"""What each figure counts, in words, for the figures that could puzzle a reader.

The Excel report writes these beside its figures, so "Sent 120" and "Single sends still
possible 9767" next to "Credit left 9766" explain themselves.

Example:
    >>> FIGURE_NOTES[("Campaign results", "rate")]
    'delivered ÷ sent (rows skipped or not sent yet are not counted)'
    >>> row = {"remaining": 9766, "single_sends": 9767, "mass_numbers": 9766}
    >>> print(credit_explained("Message", row)[:72])
    Credit left 9,766. Single sends still possible: 9,767, one more than the
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["CREDIT_NOTES", "FIGURE_NOTES", "credit_explained"]

_RESULTS = "Campaign results"
_LOG = "Report log"

#: (which table, figure) → what the figure counts.
FIGURE_NOTES: dict[tuple[str, str], str] = {
    (_RESULTS, "rows"): "rows of the sheet given to the campaign, one per recipient",
    (_RESULTS, "sent"): "rows whose number left in a request (delivered, not delivered or "
                        "outcome unknown)",
    (_RESULTS, "delivered"): "rows the service answered or logged as delivered",
    (_RESULTS, "failed"): "rows the service answered as not delivered (the reasons below say "
                          "why)",
    (_RESULTS, "unknown"): "rows that may or may not have arrived (no answer, a 999, a cut "
                           "answer); never sent again unless you ask for it",
    (_RESULTS, "skipped"): "rows never sent: invalid or duplicate numbers, opt-outs, empty "
                           "placeholders",
    (_RESULTS, "pending"): "rows not sent yet: the campaign paused or has not finished",
    (_RESULTS, "rate"): "delivered ÷ sent (rows skipped or not sent yet are not counted)",
    (_LOG, "rows"): "numbers in the service's log, one per number per request",
    (_LOG, "sent"): "numbers the log lists as sent (the log keeps no row for a failed single "
                    "send)",
    (_LOG, "delivered"): "numbers the log lists as delivered",
    (_LOG, "failed"): "numbers a request carried that the log does not list as delivered",
    (_LOG, "unknown"): "numbers whose outcome the log does not give",
    (_LOG, "skipped"): "numbers the log lists as skipped",
    (_LOG, "pending"): "numbers the log lists as not sent yet",
    (_LOG, "rate"): "delivered ÷ sent, in the rows the log shows",
}

#: Credit figures, in words.
CREDIT_NOTES: dict[str, str] = {
    "remaining": "credit per kind as the service reports it; a delivered number uses one",
    "single_sends": "single sends still possible: one more than the credit, since the service "
                    "lets a single send go while the credit is 0 or more",
    "mass_numbers": "the most numbers one Mass request may carry: a Mass needs a credit of at "
                    "least its number count",
}


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _n(value: Any) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "unknown"


def credit_explained(kind: Any, row: Mapping[str, Any] | Any) -> str:
    """One kind's credit line in words (for the Credits sheet's "What it means")."""
    get = row.get if hasattr(row, "get") else (lambda key, default=None: default)
    left, single, mass = get("remaining"), get("single_sends"), get("mass_numbers")
    if _missing(left):
        return f"The service did not report a {kind} credit."
    text = f"Credit left {_n(left)}."
    if not _missing(single) and int(single or 0) > 0:
        text += (f" Single sends still possible: {_n(single)}, one more than the credit, "
                 "because the service lets a single send go while the credit is 0 or more (it "
                 "then goes to -1).")
    elif not _missing(single):
        text += " No single send is possible: the credit is below 0."
    if not _missing(mass):
        text += (f" One Mass request may carry up to {_n(mass)} numbers: a Mass needs a credit "
                 "of at least its number count.")
    return text
