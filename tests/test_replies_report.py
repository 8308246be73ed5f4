"""Replies in figures, a chart and the Excel report's Replies sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from replies_support import FakeChats, number, write_journal

from miogram_toolkit.campaign.ledger import Ledger
from miogram_toolkit.campaign.replies import replies
from miogram_toolkit.reports.excel import write_report
from miogram_toolkit.reports.replies import reply_chart, reply_summary, reply_summary_text


def _frame() -> pd.DataFrame:
    frame = pd.DataFrame({
        "number": [number(0), number(1), number(1), number(2)],
        "minutes_after_send": [3.0, 1.0, 40.0, 9.0],
        "text": ["ok", "price?", "لغو", "ممنون"],
        "opt_out": [False, False, True, False]})
    frame.attrs["delivered"] = 10
    return frame


def test_people_counted_once_their_first_reply_timed() -> None:
    found = reply_summary(_frame())
    assert (found.replied, found.delivered, found.opt_outs, found.messages) == (3, 10, 1, 4)
    assert found.rate == 0.3
    assert found.median_minutes == 3.0  # first replies 3, 1 and 9 minutes after
    assert reply_summary_text(_frame()) == ("Replied: 3 of 10 delivered (30%); opt-outs: 1; "
                                            "median time to first reply: 3 min.")


def test_nobody_replied_is_said_plainly() -> None:
    empty = _frame().iloc[:0]
    assert reply_summary_text(empty, delivered=5) == "Replied: 0 of 5 delivered (0%); opt-outs: 0."
    fig = reply_chart(empty)
    assert "Nothing to show: nobody replied" in [t.get_text() for t in fig.axes[0].texts]


def test_the_chart_is_labelled_and_stacks_opt_outs() -> None:
    fig = reply_chart(_frame())
    ax = fig.axes[0]
    assert ax.get_xlabel() == "minutes after our message"
    assert ax.get_ylabel() == "people (first reply)"
    assert "First replies over the time since the send" in ax.get_title(loc="left")
    heights = [p.get_height() for p in ax.patches]  # type: ignore[attr-defined]
    assert sum(heights) == 3  # three people, one of them an opt-out
    legend = ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["replied", "asked to stop (opt-out)"]
    # Long waits switch the unit.
    later = _frame().assign(minutes_after_send=[600.0, 900.0, 1000.0, 2000.0])
    assert reply_chart(later).axes[0].get_xlabel() == "hours after our message"


def test_the_excel_report_gains_a_replies_sheet(tmp_path: Path) -> None:
    path = write_journal(tmp_path / "c.sqlite", [(number(0), "A", "delivered")])
    chats = FakeChats()
    chats.say("A", number(0), 1_800_000_000 + 60, "لغو")
    found = replies(path, chats, ledger=Ledger.open(chats.base_url, "shop"))
    target = write_report(tmp_path / "report.xlsx", replies=found, charts=False)
    sheet = openpyxl.load_workbook(target)["Replies"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["label", "sheet_row", "number", "Agent"]
    assert "replied_at (Tehran)" in header and "replied_on (Jalali)" in header
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["number"] == number(0) and row["text"] == "لغو" and row["opt_out"] is True
