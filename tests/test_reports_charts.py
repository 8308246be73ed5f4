"""Each chart renders to PNG with Persian and Latin labels, and draws exactly the frame's data."""

from __future__ import annotations

import io

import arabic_reshaper
import pandas as pd
import pytest
from bidi import get_display
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from miogram_toolkit.reports import (
    credits_chart,
    delivery_chart,
    failures_chart,
    funnel_chart,
    timeline_chart,
)

PERSIAN_AGENT = "ربات فروش"
SHAPED = get_display(arabic_reshaper.reshape(PERSIAN_AGENT))  # what must be drawn

RESULTS = pd.DataFrame({
    "state": ["delivered"] * 3 + ["failed"] + ["delivered"] + ["failed"] * 3 + ["skipped"] * 2,
    "reason": [None] * 3 + ["not_on_messenger", None, "blocked", "blocked", "not_on_messenger",
                            "duplicate", "duplicate"],
    "agent": ["MioBot1"] * 4 + [PERSIAN_AGENT] * 4 + [None, None],
    "sent_at": pd.to_datetime(["2026-01-31 05:00"] * 4 + ["2026-01-31 07:10"] * 4 + [None] * 2,
                              utc=True),
})


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    data = buffer.getvalue()
    assert data.startswith(b"\x89PNG") and len(data) > 2000
    return data


def _ticks(ax: Axes, axis: str = "y") -> list[str]:
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [text.get_text() for text in labels]


def _notes(ax: Axes) -> list[str]:
    return [child.get_text() for child in ax.texts]


def test_delivery_chart_draws_rates_with_persian_and_latin_groups() -> None:
    fig = delivery_chart(RESULTS, by="agent")
    _png(fig)
    ax = fig.axes[0]
    # (none) sent nothing: dropped. MioBot1 3/4, the Persian agent 1/4.
    assert _ticks(ax) == ["MioBot1", SHAPED]
    assert [bar.get_width() for bar in ax.patches] == [75.0, 25.0]
    assert _notes(ax) == ["3 of 4 delivered (75%)", "1 of 4 delivered (25%)"]
    assert ax.get_title(loc="left").startswith("Delivery rate by agent\n31 Jan 2026 08:30–10:40")


def test_funnel_chart_counts_each_stage() -> None:
    fig = funnel_chart(RESULTS)
    _png(fig)
    ax = fig.axes[0]
    assert [bar.get_width() for bar in ax.patches] == [10, 8, 8, 4]
    assert _notes(ax) == ["10 (100%)", "8 (80%)", "8 (80%)", "4 (40%)"]
    assert _ticks(ax)[-1] == "Delivered"


def test_timeline_chart_sent_and_delivered_per_hour() -> None:
    fig = timeline_chart(RESULTS, every="hour")
    _png(fig)
    ax = fig.axes[0]
    # Tehran 08:30 -> 08:00 bucket (4 sent, 3 delivered); 10:40 -> 10:00 (4 sent, 1 delivered);
    # 09:00 had nothing and is not drawn.
    assert [bar.get_height() for bar in ax.patches] == [4, 4, 3, 1]
    assert _ticks(ax, "x") == ["08:00\n31 Jan", "10:00\n31 Jan"]
    with pytest.raises(ValueError, match="every: use 'hour' or 'day'"):
        timeline_chart(RESULTS, every="week")


def test_credits_chart_against_a_plan() -> None:
    credits = {"Message": 900, "Photo": 0, "Video": 12, "File": 0, "Other": 20}
    fig = credits_chart(credits, need={"Message": 1200})
    _png(fig)
    ax = fig.axes[0]
    assert _ticks(ax) == ["Message", "Video", "Other"]  # the zero kinds without a need dropped
    assert [bar.get_width() for bar in ax.patches] == [900, 12, 20, 1200]
    assert "1,200 needed, short by 300" in _notes(ax)
    assert ax.patches[0].get_facecolor() != ax.patches[1].get_facecolor()  # short: drawn red


def test_failures_chart_with_human_and_persian_reasons() -> None:
    frame = RESULTS.assign(reason=RESULTS["reason"].replace({"blocked": "شماره مسدود"}))
    fig = failures_chart(frame)
    _png(fig)
    ax = fig.axes[0]
    labels = _ticks(ax)
    assert set(labels) == {"Not on the messenger", get_display(arabic_reshaper.reshape(
        "شماره مسدود")), "Duplicate number"}
    assert sorted(bar.get_width() for bar in ax.patches) == [2, 2, 2]
    assert all(note.endswith("(33%)") for note in _notes(ax))


def test_charts_draw_into_a_given_axes_and_show_nothing() -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert delivery_chart(RESULTS, ax=left) is fig
    assert failures_chart(RESULTS, ax=right) is fig
    funnel_chart(RESULTS)
    assert plt.get_fignums() == before  # nothing opened in pyplot, nothing displayed


def test_empty_data_says_so_instead_of_drawing_nothing() -> None:
    fig = delivery_chart(pd.DataFrame({"state": ["skipped"], "agent": ["x"]}), by="agent")
    _png(fig)
    assert "Nothing to show" in fig.axes[0].texts[0].get_text()
