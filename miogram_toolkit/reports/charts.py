"""Charts a campaign manager reads: each returns a matplotlib Figure and shows nothing itself.

=======================  ============================================================
chart                    draws
=======================  ============================================================
:func:`delivery_chart`   delivery rate per group (agent, action, day…), bars in %,
                         "delivered of sent (rate)" written on each bar
:func:`funnel_chart`     rows → sendable → sent → delivered, counts and % of rows
:func:`timeline_chart`   numbers sent and delivered per hour or day
:func:`credits_chart`    credit left per kind, against what a planned campaign needs
:func:`failures_chart`   why numbers were not delivered, by reason, count and share
=======================  ============================================================

Every chart takes ``ax=`` to draw into an existing Axes (its figure is returned), writes counts
and percentages on the bars, uses human labels ("Not on the messenger", not
``not_on_messenger``), drops categories with nothing in them, and titles itself with what it
shows and when (the period of the data, on Tehran's clock with the Jalali dates, or the moment
it was drawn). Persian
labels are shaped and ordered right-to-left (:func:`~miogram_toolkit.reports.labels.display_text`)
and drawn with DejaVu Sans, which matplotlib ships and which has the Persian letters.

Figures are built with :class:`matplotlib.figure.Figure`, not ``pyplot``: nothing is displayed
or kept in pyplot's list of open figures; a notebook (and a Voila page) shows one as a picture
when it is the cell's value, without ``%matplotlib inline``
(:func:`~miogram_toolkit.reports.figure.new_figure`).

Example:
    >>> import pandas as pd
    >>> results = pd.DataFrame({"state": ["delivered", "delivered", "failed"],
    ...                         "agent": ["MioBot1", "ربات دوم", "ربات دوم"]})
    >>> fig = delivery_chart(results, by="agent")
    >>> [round(bar.get_width()) for bar in fig.axes[0].patches]
    [100, 50]
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from miogram_toolkit.protocol.clock import jalali_date
from miogram_toolkit.reports.figure import new_figure
from miogram_toolkit.reports.frames import SERVICE_TZ
from miogram_toolkit.reports.labels import display_text, label
from miogram_toolkit.reports.summary import delivery_summary, failure_reasons, funnel

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["credits_chart", "delivery_chart", "failures_chart", "funnel_chart", "period_text",
           "timeline_chart"]

GREEN, RED, BLUE, GREY, AMBER = "#2E8B57", "#C0392B", "#3A6EA5", "#9AA5B1", "#E0A030"
_FONT = ["DejaVu Sans"]


def _axes(ax: Axes | None, rows: int = 4) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = new_figure(figsize=(8.5, max(2.6, 1.1 + 0.5 * rows)), layout="constrained")
    return fig, fig.add_subplot()


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for text in (*ax.get_xticklabels(), *ax.get_yticklabels()):
        text.set_fontfamily(_FONT)


def _number(value: float) -> str:
    return f"{int(round(value)):,}"


def period_text(frame: pd.DataFrame | None, tz: str = SERVICE_TZ) -> str:
    """When the data is from, for a title: its first and last ``sent_at`` on ``tz``'s clock,
    the zone named and the Jalali dates beside.

    Without times, the moment of drawing ("as of 28 Nov 2026 21:40 Tehran time (1405/09/07)").

    Example:
        >>> stamps = pd.to_datetime(["2026-01-31 08:00", "2026-01-31 09:30"], utc=True)
        >>> period_text(pd.DataFrame({"sent_at": stamps}))
        '31 Jan 2026 11:30–13:00 Tehran time (1404/11/11)'
    """
    city = tz.split("/")[-1].replace("_", " ")
    stamps = None
    if frame is not None and "sent_at" in frame.columns:
        stamps = pd.to_datetime(frame["sent_at"], utc=True).dropna()
    if stamps is None or stamps.empty:
        now = pd.Timestamp(datetime.now().astimezone()).tz_convert(tz)
        return f"as of {now:%d %b %Y %H:%M} {city} time ({jalali_date(now.date())})"
    first, last = stamps.min().tz_convert(tz), stamps.max().tz_convert(tz)
    if first.date() == last.date():
        return (f"{first:%d %b %Y %H:%M}–{last:%H:%M} {city} time "
                f"({jalali_date(first.date())})")
    return (f"{first:%d %b %Y} – {last:%d %b %Y} {city} time "
            f"({jalali_date(first.date())} – {jalali_date(last.date())})")


def _title(ax: Axes, what: str, when: str) -> None:
    ax.set_title(f"{what}\n{when}", loc="left", fontsize=11, fontfamily=_FONT)


def _bar_notes(ax: Axes, bars: Any, notes: list[str], *, inside_limit: float) -> None:
    for bar, note in zip(bars, notes, strict=True):
        width = bar.get_width()
        ax.annotate(note, (width, bar.get_y() + bar.get_height() / 2), xytext=(4, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=9,
                    fontfamily=_FONT)
    ax.set_xlim(0, inside_limit * 1.35 if inside_limit > 0 else 1)


def _hbars(ax: Axes, labels: list[str], values: np.ndarray, notes: list[str],
           colors: Any, *, xlabel: str, limit: float | None = None) -> None:
    positions = np.arange(len(labels))
    bars = ax.barh(positions, values, color=colors, height=0.6)
    ax.set_yticks(positions, [display_text(text) for text in labels])
    _first_on_top(ax, len(labels))
    ax.set_xlabel(xlabel)
    top = float(values.max()) if len(values) else 0.0
    _bar_notes(ax, bars, notes, inside_limit=limit if limit is not None else top)
    _style(ax)


def _first_on_top(ax: Axes, count: int) -> None:
    """First category on top; one or two bars keep a bar's thickness instead of filling."""
    pad = max(0, 3 - count) / 2
    ax.set_ylim(count - 0.5 + pad, -0.5 - pad)


def _whole_numbers(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _empty(ax: Axes, what: str) -> None:
    ax.text(0.5, 0.5, f"Nothing to show: {what}", ha="center", va="center",
            transform=ax.transAxes, color=GREY)
    ax.set_axis_off()


def delivery_chart(frame: pd.DataFrame, by: str = "agent", *, ax: Axes | None = None,
                   tz: str = SERVICE_TZ, title: str | None = None) -> Figure:
    """Delivery rate per group, in %, with "delivered of sent (rate)" on each bar.

    Args:
        frame: a report frame or a campaign results frame (or a :func:`delivery_summary`).
        by: the grouping (see :func:`~miogram_toolkit.reports.summary.delivery_summary`).
        ax: draw here instead of in a new figure.
        tz: the clock of ``day``/``hour`` groups and of the title.
        title: replaces "Delivery rate by <by>".

    Groups where nothing was sent are left out.

    Example:
        >>> frame = pd.DataFrame({"delivered": [True, False], "func": ["SendMessage"] * 2})
        >>> fig = delivery_chart(frame, by="action")
        >>> fig.axes[0].get_yticklabels()[0].get_text(), float(fig.axes[0].patches[0].get_width())
        ('Text', 50.0)
    """
    summary = frame if "rate" in frame.columns else delivery_summary(frame, by=by, tz=tz)
    # Numbers whose group is not known (a log that names no agent) get no bar of their own: a
    # "(none)" bar tells nothing; the title says how many were left out.
    unnamed = int(summary.loc[summary.index == "(none)", "sent"].sum())
    summary = summary[(summary["sent"] > 0) & (summary.index != "(none)")]
    fig, ax = _axes(ax, len(summary))
    what = title or f"Delivery rate by {by}"
    if unnamed:
        what += f" ({_number(unnamed)} sent numbers with no {by} known are left out)"
    _title(ax, what, period_text(frame, tz))
    if summary.empty:
        _empty(ax, f"no {by} is known for the numbers sent" if unnamed else
               "no number was sent")
        return fig
    names = [_group_name(key) for key in summary.index]
    rates = summary["rate"].to_numpy(dtype=float) * 100
    notes = [f"{_number(d)} of {_number(s)} delivered ({r:.0f}%)" for d, s, r in
             zip(summary["delivered"], summary["sent"], rates, strict=True)]
    colors = [GREEN if r >= 80 else AMBER if r >= 50 else RED for r in rates]
    _hbars(ax, names, rates, notes, colors, xlabel="delivered, % of sent", limit=100)
    ax.set_xticks([0, 25, 50, 75, 100])
    return fig


def _group_name(key: Any) -> str:
    if isinstance(key, pd.Timestamp):
        return f"{key:%d %b %H:%M}" if (key.hour or key.minute) else f"{key:%d %b %Y}"
    return label(key)


def funnel_chart(results: pd.DataFrame, *, ax: Axes | None = None,
                 tz: str = SERVICE_TZ, title: str | None = None) -> Figure:
    """Rows → sendable → sent → delivered, with counts and % of the rows.

    Example:
        >>> results = pd.DataFrame({"state": ["delivered", "failed", "skipped", "skipped"]})
        >>> fig = funnel_chart(results)
        >>> [float(bar.get_width()) for bar in fig.axes[0].patches]
        [4.0, 2.0, 2.0, 1.0]
    """
    stages = funnel(results)
    stages = stages[stages > 0]
    fig, ax = _axes(ax, len(stages))
    _title(ax, title or "From the sheet's rows to delivered numbers", period_text(results, tz))
    if stages.empty:
        _empty(ax, "the frame has no rows")
        return fig
    total = float(stages.iloc[0]) if stages.index[0] == "rows" else float(stages.max())
    names = {"rows": "Rows in the sheet", "sendable": "Sendable (not skipped)",
             "sent": "Sent", "delivered": "Delivered"}
    values = stages.to_numpy(dtype=float)
    notes = [f"{_number(v)} ({v / total:.0%})" for v in values]
    colors = {"rows": GREY, "sendable": BLUE, "sent": BLUE, "delivered": GREEN}
    _hbars(ax, [names[s] for s in stages.index], values, notes,
           [colors[s] for s in stages.index], xlabel="rows")
    _whole_numbers(ax.xaxis)
    return fig


def timeline_chart(frame: pd.DataFrame, every: str = "hour", *, ax: Axes | None = None,
                   tz: str = SERVICE_TZ, title: str | None = None) -> Figure:
    """Numbers sent and delivered per ``every`` ("hour" or "day"), side by side.

    Periods with nothing sent are left out; counts are written on the bars when there are at
    most 24 periods.

    Example:
        >>> stamps = pd.to_datetime(["2026-01-31 08:10", "2026-01-31 08:20",
        ...                          "2026-01-31 10:05"], utc=True)
        >>> frame = pd.DataFrame({"sent_at": stamps, "delivered": [True, False, True]})
        >>> fig = timeline_chart(frame)
        >>> [float(bar.get_height()) for bar in fig.axes[0].patches]
        [2.0, 1.0, 1.0, 1.0]
    """
    if every not in ("hour", "day"):
        raise ValueError(f"every: use 'hour' or 'day', got {every!r}")
    summary = delivery_summary(frame, by=every, tz=tz)
    summary = summary[summary["sent"] > 0]
    fig, ax = _axes(ax, 6)
    _title(ax, title or f"Numbers sent and delivered per {every}", period_text(frame, tz))
    if summary.empty:
        _empty(ax, "no number was sent")
        return fig
    names = [(f"{key:%H:%M}\n{key:%d %b}" if every == "hour" else f"{key:%d %b}")
             for key in summary.index]
    positions = np.arange(len(names))
    sent = summary["sent"].to_numpy(dtype=float)
    delivered = summary["delivered"].to_numpy(dtype=float)
    first = ax.bar(positions - 0.2, sent, width=0.4, color=BLUE, label="sent")
    second = ax.bar(positions + 0.2, delivered, width=0.4, color=GREEN, label="delivered")
    if len(names) <= 24:
        ax.bar_label(first, [_number(v) for v in sent], fontsize=8, padding=2)
        ax.bar_label(second, [f"{_number(d)}\n{d / s:.0%}" for d, s in
                              zip(delivered, sent, strict=True)], fontsize=8, padding=2)
    step = max(1, len(names) // 12)
    ax.set_xticks(positions[::step], names[::step])
    pad = max(0.6, (6 - len(names)) / 2)  # a few periods keep narrow bars
    ax.set_xlim(-pad, len(names) - 1 + pad)
    ax.set_ylabel("numbers")
    ax.set_ylim(0, sent.max() * 1.25)
    _whole_numbers(ax.yaxis)
    ax.legend(frameon=False, loc="upper right")
    _style(ax)
    return fig


def credits_chart(credits: pd.DataFrame | Mapping[str, Any], need: Mapping[str, int] | None
                  = None, *, ax: Axes | None = None, tz: str = SERVICE_TZ,
                  title: str | None = None) -> Figure:
    """Credit left per kind; with ``need``, what a planned campaign needs drawn beside it.

    Args:
        credits: :func:`~miogram_toolkit.reports.credits.credits_frame` or the credits dict.
        need: credit needed per kind (e.g. ``{"Message": 1200}``), say from
            :func:`~miogram_toolkit.reports.credits.credit_needed`.

    Kinds with a credit of exactly 0 and no need are left out; a kind whose need exceeds what
    is left is drawn red.

    Example:
        >>> fig = credits_chart({"Message": 900, "Photo": 0, "Other": 20}, need={"Message": 1200})
        >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
        ['Message', 'Other']
        >>> [float(bar.get_width()) for bar in fig.axes[0].patches]
        [900.0, 20.0, 1200.0]
    """
    if isinstance(credits, pd.DataFrame):
        left = credits["remaining"].astype("float")
    else:
        left = pd.Series(dict(credits), dtype="float")
    left = left.dropna()  # kinds the service did not report
    wanted = pd.Series(dict(need or {}), dtype="float").reindex(left.index).fillna(0)
    keep = (left != 0) | (wanted > 0)
    left, wanted = left[keep], wanted[keep]
    fig, ax = _axes(ax, len(left) * (2 if need else 1))
    _title(ax, title or ("Credit left against the planned campaign" if need else "Credit left"),
           period_text(None, tz))
    if left.empty:
        _empty(ax, "no credit left")
        return fig
    positions = np.arange(len(left))
    height = 0.38 if need else 0.6
    short = (wanted > left.clip(lower=0)).to_numpy()
    bars = ax.barh(positions - (height / 2 if need else 0), left.clip(lower=0), height=height,
                   color=[RED if s else BLUE for s in short], label="left")
    notes = [f"{_number(v)} left" + (" (used up)" if v < 0 else "") for v in left]
    for bar, note in zip(bars, notes, strict=True):
        ax.annotate(note, (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=9)
    top = float(max(left.max(), wanted.max(), 1))
    if need:
        shown = wanted[wanted > 0]
        idx = np.flatnonzero(wanted.to_numpy() > 0)
        planned = ax.barh(idx + height / 2, shown, height=height, color=GREY, label="needed")
        for bar, v, have in zip(planned, shown, left.iloc[idx], strict=True):
            verdict = "enough" if have >= v else f"short by {_number(v - max(have, 0))}"
            ax.annotate(f"{_number(v)} needed, {verdict}",
                        (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                        xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
        ax.legend(frameon=False, loc="lower right")
    ax.set_yticks(positions, [display_text(label(k)) for k in left.index])
    _first_on_top(ax, len(left))
    ax.set_xlim(0, top * 1.45)
    ax.set_xlabel("credit (numbers)")
    _whole_numbers(ax.xaxis)
    _style(ax)
    return fig


def failures_chart(frame: pd.DataFrame, *, ax: Axes | None = None, tz: str = SERVICE_TZ,
                   title: str | None = None) -> Figure:
    """Why rows were not delivered (failed, unknown, skipped), by reason: count and share.

    Each bar names a reason in words from the reasons list ("Not on the messenger", "Opted
    out", "Duplicate of an earlier row"); the title says how many rows the shares are of.

    Example:
        >>> frame = pd.DataFrame({"delivered": [False, False, True],
        ...                       "reason": ["blocked", "not_on_messenger", None]})
        >>> fig = failures_chart(frame)
        >>> sorted(t.get_text() for t in fig.axes[0].get_yticklabels())
        ['Blocked by the agent', 'Not on the messenger']
    """
    reasons = failure_reasons(frame)
    fig, ax = _axes(ax, len(reasons))
    counted = int(reasons["count"].sum())
    rows = "1 row was" if counted == 1 else f"{_number(counted)} rows were"
    _title(ax, title or f"Why {rows} not delivered (count, share of those rows)",
           period_text(frame, tz))
    if reasons.empty:
        _empty(ax, "every number sent was delivered")
        return fig
    values = reasons["count"].to_numpy(dtype=float)
    notes = [f"{_number(c)} ({s:.0%})" for c, s in zip(values, reasons["share"], strict=True)]
    _hbars(ax, reasons["label"].tolist(), values, notes, RED, xlabel="numbers")
    _whole_numbers(ax.xaxis)
    return fig
