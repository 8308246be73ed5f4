"""The demo job behind ``make demo``: it sends, and what it writes agrees with the simulator."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from miogram_toolkit.demo import chunked, run_demo


def test_chunked_never_exceeds_the_size_and_keeps_order() -> None:
    items = [f"+98912000{i:04d}" for i in range(205)]
    chunks = list(chunked(items, 100))
    assert [len(c) for c in chunks] == [100, 100, 5]
    assert [x for c in chunks for x in c] == items


def test_chunked_refuses_a_size_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(chunked(["+989121234567"], 0))


def test_demo_writes_a_consistent_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIOGRAM_URL", raising=False)
    lines: list[str] = []
    assert run_demo(tmp_path, echo=lines.append) == 0

    chart = tmp_path / "demo_chart.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    book = openpyxl.load_workbook(tmp_path / "demo_report.xlsx")
    assert book.sheetnames == ["contacts", "report", "credits"]
    contacts = book["contacts"]
    header = [cell.value for cell in contacts[1]]
    e164 = header.index("e164") + 1
    status = header.index("phone_status") + 1
    delivered = header.index("delivered") + 1
    rows = list(contacts.iter_rows(min_row=2))
    ok_rows = [row for row in rows if row[status - 1].value == "ok"]
    assert ok_rows
    for row in ok_rows:
        cell = row[e164 - 1]
        assert cell.data_type == "s" and cell.value.startswith("+")
        assert row[delivered - 1].value in (True, False)

    credits = {row[0].value: row for row in book["credits"].iter_rows(min_row=2)}
    used = credits["Message"][3].value
    delivered_count = sum(1 for row in ok_rows if row[delivered - 1].value is True)
    # The service charges delivered messages only.
    assert used == delivered_count
    # The service logs one row per Mass request, listing the numbers it delivered to.
    report = book["report"]
    column = [cell.value for cell in report[1]].index("Delivered")
    listed = [number for row in report.iter_rows(min_row=2)
              for number in str(row[column].value or "").split(",") if number]
    assert len(listed) == delivered_count
    assert any("Delivered" in line for line in lines)
