"""Reports people can act on (issue 18): journal fills the log's gaps, reasons say why,
sheet rows, times for failed rows, credits in words, the frozen log, charts that draw."""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from miogram_toolkit.reports import (
    credits_frame,
    delivery_chart,
    failures_chart,
    records_to_frame,
    write_report,
)
from miogram_toolkit.reports.frames import FrozenLogWarning

LOG = [{"Username": "demo", "DATE": "2026-01-31", "TIME": "08:30:00", "IP": "127.0.0.1",
        "DATA": "Hi", "Number": "+989121234567,+989351234567", "Delivered": "+989121234567"}]
REQUESTS = pd.DataFrame({
    "phones": ["+989121234567,+989351234567"], "agent": ["MioBot2"],
    "func": ["SendMessageMass"],
    "started_at": pd.to_datetime(["2026-01-31 05:00:00"], utc=True)})
RESULTS = pd.DataFrame({
    "e164": ["+989121234567", "+989351234567", "+989121234567"],
    "state": ["delivered", "failed", "skipped"],
    "reason": [None, "not_on_messenger", "duplicate_of:0"],
    "agent": ["MioBot2", "MioBot2", None],
    "sent_at": pd.to_datetime(["2026-01-31 05:00:01", None, None], utc=True)})


def _rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_report_sheet_names_agent_action_channel_and_credit_kind_from_the_journal(tmp_path):
    path = write_report(tmp_path / "r.xlsx", report=records_to_frame(LOG), requests=REQUESTS,
                        charts=False)
    rows = _rows(openpyxl.load_workbook(path)["Report"])
    assert {(r["Agent"], r["Action"], r["Channel"], r["Credit kind"]) for r in rows} == {
        ("MioBot2", "Text, many numbers", "Telegram", "Message")}


def test_columns_the_log_leaves_empty_are_dropped_without_a_journal(tmp_path):
    path = write_report(tmp_path / "r.xlsx", report=records_to_frame(LOG), charts=False)
    header = [c.value for c in openpyxl.load_workbook(path)["Report"][1]]
    assert not {"Agent", "Action", "Channel", "Credit kind"} & set(header)
    assert "Phone" in header


def test_results_name_sheet_rows_and_every_sent_row_has_a_time(tmp_path):
    path = write_report(tmp_path / "r.xlsx", results=RESULTS, report=records_to_frame(LOG),
                        requests=REQUESTS, charts=False)
    rows = _rows(openpyxl.load_workbook(path)["Results"])
    assert [r["Row in the sheet"] for r in rows] == [2, 3, 4]
    assert rows[2]["Reason"] == "Duplicate of row 2"  # the row Excel shows, not label 0
    failed = rows[1]
    assert failed["State"] == "Failed" and failed["Sent at (Tehran time)"] is not None
    assert failed["Sent on (Jalali)"] == "1404/11/11"


def test_summary_says_why_not_just_not_delivered(tmp_path):
    path = write_report(tmp_path / "r.xlsx", results=RESULTS, report=records_to_frame(LOG),
                        charts=False)
    lines = [row for row in openpyxl.load_workbook(path)["Summary"].iter_rows(values_only=True)]
    texts = [str(row[0]).strip() for row in lines if row[0]]
    assert "Not on the messenger" in texts and "Duplicate of an earlier row" in texts
    # Every figure says what it counts, beside it.
    sent = next(row for row in lines if row[0] == "Sent")
    assert "left in a request" in sent[2]


def test_the_log_alone_says_its_reason_is_not_logged_and_the_journal_gives_it():
    alone = failures_chart(records_to_frame(LOG))
    assert [t.get_text() for t in alone.axes[0].get_yticklabels()] == [
        "Not delivered (the service's log does not say why)"]
    assert "Why 1 row was not delivered" in alone.axes[0].get_title(loc="left")
    frame = records_to_frame(LOG + LOG)
    assert "Why 2 rows were not delivered" in failures_chart(frame).axes[0].get_title(loc="left")


def test_delivery_by_agent_draws_no_none_bar():
    fig = delivery_chart(records_to_frame(LOG), by="agent")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "(none)" not in labels
    assert "2 sent numbers with no agent known are left out" in fig.axes[0].get_title(loc="left")


def test_credits_sheet_explains_single_sends_beside_credit_left(tmp_path):
    path = write_report(tmp_path / "r.xlsx", credits=credits_frame({"Message": 9766}),
                        charts=False)
    row = _rows(openpyxl.load_workbook(path)["Credits"])[0]
    assert row["Credit left"] == 9766 and row["Single sends still possible"] == 9767
    assert "one more than the credit" in row["What it means"]


def test_a_frozen_log_is_said_in_one_sentence_in_the_frame_and_the_workbook(tmp_path):
    with pytest.warns(FrozenLogWarning):
        frame = records_to_frame(LOG, known_send_at="2026-06-01T10:00:00Z")
    note = frame.attrs["log_note"]
    assert note.startswith("The service's report log shows nothing newer than 2026-01-31 08:30")
    assert "first 1000 rows" in note and "journals" in note and note.count(". ") == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "log_note" not in records_to_frame(LOG, known_send_at="2026-01-31T05:01Z").attrs
    later = REQUESTS.assign(started_at=pd.to_datetime(["2026-06-01 10:00"], utc=True))
    path = write_report(tmp_path / "r.xlsx", report=records_to_frame(LOG), requests=later,
                        charts=False)
    cells = [c for row in openpyxl.load_workbook(path)["Summary"].iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert any(c.startswith("The service's report log shows nothing newer") for c in cells)


def test_charts_display_as_png_without_the_inline_magic():
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(delivery_chart(records_to_frame(LOG), by="day"))
    assert data["image/png"][:4] == b"\x89PNG"


def test_report_files_keep_the_umask_and_leave_no_temporary_file(tmp_path: Path):
    write_report(tmp_path / "r.xlsx", report=records_to_frame(LOG), charts=False)
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]
