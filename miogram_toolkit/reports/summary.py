"""Delivery figures from a report frame or a campaign's results frame, by any grouping.

Two kinds of frame come in, told apart by their columns:

* a **report frame** (:func:`~miogram_toolkit.reports.frames.records_to_frame`): every row left
  for the service; ``delivered`` says what became of it, ``reason`` why not;
* a **results frame** (``Campaign.run()``): every row of the user's sheet with its ``state``
  (``pending``, ``in_flight``, ``delivered``, ``failed``, ``unknown``, ``skipped``) and
  ``reason``.

The figures are the same for both: ``sent`` = rows that left (delivered + failed + unknown),
``rate`` = delivered / sent (NaN when nothing was sent). Rows skipped or not sent yet are counted
apart, never in the rate.

Example:
    >>> import pandas as pd
    >>> results = pd.DataFrame({"state": ["delivered", "delivered", "failed", "skipped"],
    ...                         "agent": ["MioBot1", "MioBot2", "MioBot2", None]})
    >>> summary = delivery_summary(results, by="agent")
    >>> print(summary[["rows", "sent", "delivered", "failed", "skipped", "rate"]])
    ... # doctest: +NORMALIZE_WHITESPACE
             rows  sent  delivered  failed  skipped  rate
    agent
    (none)      1     0          0       0        1   NaN
    MioBot1     1     1          1       0        0   1.0
    MioBot2     2     2          1       1        0   0.5
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from miogram_toolkit.protocol.reasons import REASONS
from miogram_toolkit.reports.frames import SERVICE_TZ
from miogram_toolkit.reports.labels import label

__all__ = ["SUMMARY_COLUMNS", "delivery_summary", "failure_reasons", "funnel", "outcomes"]

#: The columns of :func:`delivery_summary`, in order.
SUMMARY_COLUMNS = ["rows", "sent", "delivered", "failed", "unknown", "skipped", "pending", "rate"]

# by= word -> the columns it may mean, first found wins (report frame, results frame).
_BY = {
    "action": ("func",),
    "func": ("func",),
    "agent": ("robot", "agent"),
    "robot": ("robot", "agent"),
    "channel": ("channel",),
    "campaign": ("campaign",),
    "chunk": ("chunk",),
    "kind": ("kind",),
    "reason": ("reason",),
}
_TIME = {"day": "D", "hour": "h"}
_STATES = ("delivered", "failed", "unknown", "skipped", "pending", "in_flight")


def outcomes(frame: pd.DataFrame) -> pd.Series:
    """Each row's outcome as a state word, for either kind of frame.

    Report rows are ``delivered`` or ``failed``; results rows keep their ``state``
    (``in_flight`` counts as ``pending``: its outcome is not known yet).

    Raises:
        ValueError: the frame has neither a ``state`` nor a ``delivered`` column.

    Example:
        >>> outcomes(pd.DataFrame({"delivered": [True, False]})).tolist()
        ['delivered', 'failed']
    """
    if "state" in frame.columns:
        state = frame["state"].astype("string").fillna("pending")
        return state.mask(state == "in_flight", "pending")
    if "delivered" in frame.columns:
        flags = frame["delivered"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        return pd.Series(np.where(flags, "delivered", "failed"), index=frame.index,
                         dtype="string")
    raise ValueError("frame: needs a 'state' column (campaign results) or a 'delivered' column "
                     "(report frame)")


def _group_key(frame: pd.DataFrame, by: str, tz: str) -> pd.Series:
    if by in _TIME:
        if "sent_at" not in frame.columns:
            raise ValueError(f"by={by!r}: the frame has no 'sent_at' column")
        stamps = pd.to_datetime(frame["sent_at"], utc=True).dt.tz_convert(tz)
        return stamps.dt.tz_localize(None).dt.floor(_TIME[by]).rename(by)
    for column in _BY.get(by, (by,)):
        if column in frame.columns:
            return frame[column].astype("string").fillna("(none)").rename(by)
    known = ", ".join([*_BY, *_TIME])
    raise ValueError(f"by={by!r}: the frame has no such column; use one of {known} or a column "
                     f"name")


def delivery_summary(frame: pd.DataFrame, by: str | None = None, *,
                     tz: str = SERVICE_TZ) -> pd.DataFrame:
    """Rows, sent, delivered, failed, unknown, skipped, pending and rate per group.

    Args:
        frame: a report frame or a campaign results frame.
        by: None for one line ``all``; ``"action"``, ``"agent"``, ``"channel"``,
            ``"campaign"``, ``"chunk"``, ``"kind"``, ``"day"``, ``"hour"``, or any column name.
        tz: the clock ``day`` and ``hour`` are read on (the service's, Tehran, by default).

    Returns:
        One row per group (in the group's order), the columns of :data:`SUMMARY_COLUMNS`;
        ``rate`` is delivered / sent, NaN when nothing was sent.

    Raises:
        ValueError: ``by`` names nothing in the frame, or the frame is neither kind.

    Example:
        >>> report = pd.DataFrame({"delivered": [True, False, True], "func": ["A", "A", "B"]})
        >>> delivery_summary(report)[["sent", "delivered", "rate"]].round(3)
             sent  delivered   rate
        all     3          2  0.667
    """
    state = outcomes(frame)
    dummies = pd.DataFrame({name: (state == name).to_numpy() for name in _STATES},
                           index=frame.index)
    if by is None:
        counts = dummies.sum().to_frame("all").T
    else:
        key = _group_key(frame, by, tz)
        counts = dummies.groupby(key.to_numpy(), sort=True).sum()
        counts.index.name = by
    counts = counts.astype("int64")
    out = pd.DataFrame(index=counts.index)
    out["rows"] = counts.sum(axis=1)
    out["sent"] = counts["delivered"] + counts["failed"] + counts["unknown"]
    out["delivered"] = counts["delivered"]
    out["failed"] = counts["failed"]
    out["unknown"] = counts["unknown"]
    out["skipped"] = counts["skipped"]
    out["pending"] = counts["pending"] + counts["in_flight"]
    sent = out["sent"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate"] = np.where(sent > 0, out["delivered"] / np.where(sent > 0, sent, 1), np.nan)
    return out


def failure_reasons(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that were not delivered (failed, unknown, skipped), counted by reason, most first.

    A reason's detail after a colon (``duplicate_of:12``) is left out of the grouping.

    Returns:
        Columns ``reason`` (the code), ``label`` (as a person says it), ``explanation`` (what
        it means, from the reasons list), ``count``, ``share`` (of those rows); no line for a
        reason that never occurs.

    Example:
        >>> results = pd.DataFrame({"state": ["failed", "failed", "skipped", "delivered"],
        ...                         "reason": ["not_on_messenger", "not_on_messenger",
        ...                                    "duplicate", None]})
        >>> failure_reasons(results)[["label", "count"]].values.tolist()
        [['Not on the messenger', 2], ['Duplicate number', 1]]
    """
    state = outcomes(frame)
    lost = state.isin(["failed", "unknown", "skipped"]).to_numpy()
    if "reason" in frame.columns:
        reason = frame["reason"].astype("string").where(lambda r: r.notna() & (r != ""))
        # "duplicate_of:12" and "duplicate_of:40" are one reason.
        reason = reason.str.split(":", n=1).str[0].fillna(state)
    else:
        reason = state
    counts = reason[lost].value_counts(sort=False)
    counts = counts[counts > 0].sort_values(ascending=False, kind="stable")
    total = int(counts.sum())
    return pd.DataFrame({
        "reason": counts.index.astype(str),
        "label": [label(code) for code in counts.index],
        "explanation": [_explanation(code) for code in counts.index],
        "count": counts.to_numpy(dtype="int64"),
        "share": counts.to_numpy(dtype=float) / total if total else np.array([], dtype=float),
    })


def _explanation(code: str) -> str:
    reason = REASONS.get(code) or REASONS.get(f"phone_{code}")
    if reason is not None:
        return reason.explanation
    return {"failed": "the service answered that it was not delivered",
            "unknown": "it may or may not have arrived",
            "skipped": "it was not sent"}.get(code, "")


def funnel(results: pd.DataFrame) -> pd.Series:
    """How many rows reached each stage: rows → sendable → sent → delivered.

    ``sendable`` = rows not skipped (for a results frame: the ones the plan would send;
    for a report frame every row); ``sent`` = rows that left; ``delivered``.

    Example:
        >>> results = pd.DataFrame({"state": ["delivered", "failed", "skipped", "pending"]})
        >>> funnel(results).to_dict()
        {'rows': 4, 'sendable': 3, 'sent': 2, 'delivered': 1}
    """
    total = delivery_summary(results).iloc[0]
    return pd.Series({
        "rows": int(total["rows"]),
        "sendable": int(total["rows"] - total["skipped"]),
        "sent": int(total["sent"]),
        "delivered": int(total["delivered"]),
    }, name="rows")
