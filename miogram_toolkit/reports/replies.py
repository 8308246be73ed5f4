"""Replies in figures: how many answered, how many asked to stop, how soon; and a chart of it.

Both take the frame of :func:`miogram_toolkit.campaign.replies.replies` (one row per reply:
``number``, ``minutes_after_send``, ``opt_out``…; ``attrs["delivered"]`` the chats that could be
read). A person counts once however many messages they wrote; the time to reply is their first
reply's.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"number": ["+989121", "+989122", "+989122"],
    ...                       "minutes_after_send": [2.0, 10.0, 12.0],
    ...                       "opt_out": [True, False, False]})
    >>> reply_summary_text(frame, delivered=4)
    'Replied: 2 of 4 delivered (50%); opt-outs: 1; median time to first reply: 6 min.'
    >>> [float(bar.get_height()) for bar in reply_chart(frame).axes[0].patches]
    [0.0, 1.0, 1.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from miogram_toolkit.reports.charts import (
    AMBER,
    BLUE,
    _axes,
    _empty,
    _style,
    _title,
    _whole_numbers,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["ReplySummary", "reply_chart", "reply_summary", "reply_summary_text"]


@dataclass(frozen=True)
class ReplySummary:
    """Replied ``replied`` of ``delivered`` (``rate``), ``opt_outs`` people asked to stop,
    ``messages`` replies in all, ``median_minutes`` to a first reply (None without replies)."""

    replied: int
    delivered: int | None
    rate: float | None
    opt_outs: int
    messages: int
    median_minutes: float | None


def _firsts(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per person: their first reply's minutes, and whether any reply opted out."""
    if frame.empty:
        return pd.DataFrame({"minutes": pd.Series(dtype=float), "opt_out": pd.Series(dtype=bool)})
    grouped = frame.groupby(frame["number"].astype(str), sort=False)
    return pd.DataFrame({"minutes": grouped["minutes_after_send"].min().astype(float),
                         "opt_out": grouped["opt_out"].any().astype(bool)})


def reply_summary(frame: pd.DataFrame, delivered: int | None = None) -> ReplySummary:
    """The figures of a replies frame (``delivered`` defaults to ``frame.attrs["delivered"]``)."""
    if delivered is None:
        delivered = frame.attrs.get("delivered")
    people = _firsts(frame)
    replied = len(people)
    median = float(people["minutes"].median()) if replied else None
    rate = replied / delivered if delivered else None
    return ReplySummary(replied, delivered, rate, int(people["opt_out"].sum()), len(frame),
                        None if median is None or np.isnan(median) else median)


def _duration(minutes: float) -> str:
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    if minutes < 120:
        return f"{minutes:.0f} min"
    if minutes < 72 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"


def reply_summary_text(frame: pd.DataFrame, delivered: int | None = None) -> str:
    """The summary in one line, for the CLI, the demo and the Excel report."""
    found = reply_summary(frame, delivered)
    of = f" of {found.delivered:,} delivered" if found.delivered is not None else ""
    rate = f" ({found.rate:.0%})" if found.rate is not None else ""
    median = (f"; median time to first reply: {_duration(found.median_minutes)}"
              if found.median_minutes is not None else "")
    return f"Replied: {found.replied:,}{of}{rate}; opt-outs: {found.opt_outs:,}{median}."


def reply_chart(frame: pd.DataFrame, *, ax: Axes | None = None,
                title: str | None = None) -> Figure:
    """People's first replies over the time since the send, opt-outs apart (stacked bars).

    The time unit follows the span: minutes up to two hours, hours up to three days, then days.
    """
    people = _firsts(frame)
    fig, ax = _axes(ax, 6)
    _title(ax, title or "First replies over the time since the send",
           reply_summary_text(frame))
    if people.empty:
        _empty(ax, "nobody replied")
        return fig
    longest = float(people["minutes"].max())
    unit, scale = (("minutes", 1.0) if longest <= 120 else
                   ("hours", 60.0) if longest <= 72 * 60 else ("days", 1440.0))
    spans = people["minutes"] / scale
    bins = np.histogram_bin_edges(spans, bins=min(24, max(1, len(people))))
    if bins[0] == bins[-1]:
        bins = np.array([bins[0], bins[0] + 1.0])
    answered, _ = np.histogram(spans[~people["opt_out"]], bins=bins)
    stopped, _ = np.histogram(spans[people["opt_out"]], bins=bins)
    width = float(bins[1] - bins[0]) * 0.9
    ax.bar(bins[:-1], answered, width=width, align="edge", color=BLUE, label="replied")
    ax.bar(bins[:-1], stopped, width=width, align="edge", bottom=answered, color=AMBER,
           label="asked to stop (opt-out)")
    ax.set_xlabel(f"{unit} after our message")
    ax.set_ylabel("people (first reply)")
    _whole_numbers(ax.yaxis)
    ax.legend(frameon=False, loc="upper right")
    _style(ax)
    return fig
