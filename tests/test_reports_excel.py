"""The Excel report reopened with openpyxl: sheets, text phones, real dates, pictures, file mode."""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from miogram_toolkit.reports import credits_frame, records_to_frame, write_report

RESULTS = pd.DataFrame({
    "name": ["سارا", "=HYPERLINK(\"x\")", "Ali"],
    "mobile": [9121234567, 9351234567, None],          # numbers in the user's own column
    "e164": ["+989121234567", "+989351234567", None],
    "state": ["delivered", "failed", "skipped"],
    "reason": [None, "not_on_messenger", "invalid"],
    "agent": ["MioBot1", "MioBot2", None],
    "sent_at": pd.to_datetime(["2026-01-31 05:00:00", "2026-01-31 05:00:01", None], utc=True),
})
RESULTS.attrs["phone_column"] = "mobile"

REPORT = records_to_frame([{"Username": "demo", "DATE": "2026-01-31", "TIME": "08:30:00",
                            "IP": "127.0.0.1", "DATA": "Hi",
                            "Number": "+989121234567,+989351234567",
                            "Delivered": "+989121234567"}])


@pytest.fixture
def workbook(tmp_path: Path) -> tuple[Path, openpyxl.Workbook]:
    path = write_report(tmp_path / "report.xlsx", results=RESULTS, report=REPORT,
                        credits=credits_frame({"Message": 7, "Photo": 0, "Video": 1,
                                               "File": 2, "Other": 3}))
    return path, openpyxl.load_workbook(path)


def test_sheets_and_frozen_bold_headers(workbook: tuple[Path, openpyxl.Workbook]) -> None:
    _, book = workbook
    assert book.sheetnames == ["Summary", "Results", "Report", "Credits"]
    for name in ("Results", "Report", "Credits"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
    results = book["Results"]
    headers = [cell.value for cell in results[1]]
    assert headers == ["Row in the sheet", "name", "mobile", "Phone (E.164)", "State", "Reason",
                       "Agent", "Sent at (Tehran time)", "Sent on (Jalali)"]
    assert results.column_dimensions["D"].width >= len("+989121234567")


def test_phones_are_text_and_codes_are_words(workbook: tuple[Path, openpyxl.Workbook]) -> None:
    _, book = workbook
    results = book["Results"]
    assert results["C2"].value == "9121234567" and results["C2"].data_type == "s"
    assert results["D2"].value == "+989121234567" and results["D2"].number_format == "@"
    assert results["E3"].value == "Failed" and results["F3"].value == "Not on the messenger"
    assert results["B2"].value == "سارا"
    assert results["B3"].data_type == "s" and results["B3"].value.startswith("=HYPERLINK")
    report = book["Report"]
    column = [c.value for c in report[1]].index("Phone") + 1
    phones = [row[0] for row in report.iter_rows(min_row=2, min_col=column, max_col=column,
                                                 values_only=True)]
    assert phones == ["+989121234567", "+989351234567"]


def test_times_are_real_excel_dates_on_tehran_clock(
        workbook: tuple[Path, openpyxl.Workbook]) -> None:
    _, book = workbook
    cell = book["Results"]["H2"]
    assert cell.is_date and cell.value == datetime(2026, 1, 31, 8, 30, 0)
    assert book["Results"]["I2"].value == "1404/11/11"  # the Jalali date beside it
    assert book["Results"]["H4"].value is None and book["Results"]["I4"].value is None
    assert book["Report"]["A2"].is_date and book["Report"]["A2"].value == datetime(
        2026, 1, 31, 8, 30)


def test_summary_holds_figures_and_chart_pictures(
        workbook: tuple[Path, openpyxl.Workbook]) -> None:
    _, book = workbook
    summary = book["Summary"]
    lines = [row[:2] for row in summary.iter_rows(values_only=True) if row[0]]
    names = [name for name, _ in lines]
    results = dict(lines[names.index("Campaign results"):names.index("Report log")])
    report = dict(lines[names.index("Report log"):names.index("Credit left")])
    assert (results["Rows"], results["Sent"], results["Delivered"]) == (3, 2, 1)
    assert results["Delivery rate"] == pytest.approx(0.5)
    assert results["  Not on the messenger"] == 1 and results["  Invalid number"] == 1
    assert (report["Rows"], report["Delivered"]) == (2, 1)
    assert dict(lines)["Message"] == 7
    # funnel, rate by agent, timeline, failures, credits
    assert len(summary._images) == 5
    credits = book["Credits"]
    assert [c.value for c in credits[2]][:2] == ["Message", 7]


def test_file_mode_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = write_report(tmp_path / "r.xlsx", credits={"Message": 1}, charts=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]  # no temporary left behind


def test_without_charts_and_bad_paths(tmp_path: Path) -> None:
    path = write_report(tmp_path / "r.xlsx", results=RESULTS, charts=False)
    assert openpyxl.load_workbook(path)["Summary"]._images == []
    with pytest.raises(ValueError, match="must be a .xlsx file"):
        write_report(tmp_path / "r.csv", results=RESULTS)
    with pytest.raises(ValueError, match="does not exist"):
        write_report(tmp_path / "missing" / "r.xlsx", results=RESULTS)
    with pytest.raises(ValueError, match="nothing to write"):
        write_report(tmp_path / "r.xlsx")
