"""clean_workbook: cleaning keeps what it was given (issue 18)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from miogram_toolkit.sheets import (
    OutputExists,
    clean_workbook,
    read_contacts,
    sheet_rows,
)


def _workbook(path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    title = book.add_worksheet("Customers")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    title.write_row(0, 0, ["Name", "mobile", "Orders", "Joined", "Spent", "Double"])
    rows = [
        ("Sara", "09121000001", 3, dt.date(2024, 1, 5), 12.5),
        ("Ali", 9121000002, 7, dt.date(2023, 11, 30), 0.25),
        ("Reza", "0912 100 0001", 1, dt.date(2024, 2, 1), 3.0),
        ("Nima", "hello", 0, dt.date(2024, 3, 1), 1.0),
    ]
    for r, (name, phone, orders, joined, spent) in enumerate(rows, start=1):
        title.write_string(r, 0, name)
        if isinstance(phone, str):
            title.write_string(r, 1, phone)
        else:
            title.write_number(r, 1, phone)
        title.write_number(r, 2, orders)
        title.write_datetime(r, 3, dt.datetime.combine(joined, dt.time()), dates)
        title.write_number(r, 4, spent)
        # A formula with the value Excel saved beside it: the value is what is kept.
        title.write_formula(r, 5, f"=C{r + 1}*2", None, orders * 2)
    other = book.add_worksheet("Unsubscribed")
    other.write_row(0, 0, ["Phone", "Date"])
    other.write_string(1, 0, "+98 912 100 0094")
    other.write_datetime(1, 1, dt.datetime(2024, 6, 1), dates)
    book.close()
    return path


def test_round_trip_keeps_types_other_sheets_and_the_sheet_name(tmp_path):
    source = _workbook(tmp_path / "contacts.xlsx")
    done = clean_workbook(source, tmp_path / "out.xlsx", progress=False)
    assert done.sheet == "Customers" and done.column == "mobile"

    book = openpyxl.load_workbook(done.path)
    assert book.sheetnames == ["Customers", "Unsubscribed"]
    sheet = book["Customers"]
    header = [c.value for c in sheet[1]]
    assert header == ["Name", "mobile", "e164", "phone_status", "phone_reason", "Orders",
                      "Joined", "Spent", "Double"]
    second = [c.value for c in sheet[3]]
    assert second[:4] == ["Ali", "9121000002", "+989121000002", "ok"]
    assert second[5] == 7 and isinstance(second[5], int | float)  # a number, not '7'
    assert second[6] == dt.datetime(2023, 11, 30)  # a date, not '2023-11-30'
    assert second[7] == 0.25 and second[8] == 14
    first = [c.value for c in sheet[2]]
    assert first[1] == "09121000001"  # the phone column stays text with its zero
    assert [c.value for c in sheet[4]][3:5] == ["duplicate", "Duplicate of row 2"]
    assert [c.value for c in sheet[5]][3:5] == ["invalid", "Invalid number"]
    kept = book["Unsubscribed"]
    assert [c.value for c in kept[2]] == ["+98 912 100 0094", dt.datetime(2024, 6, 1)]


def test_cleaning_refuses_to_overwrite_without_force(tmp_path):
    source = _workbook(tmp_path / "contacts.xlsx")
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"an earlier result")
    with pytest.raises(OutputExists, match=r"already exists; give another name, or pass "
                                           r"--force \(force=True\)"):
        clean_workbook(source, target)
    assert target.read_bytes() == b"an earlier result"
    clean_workbook(source, target, force=True, progress=False)
    assert read_contacts(target).attrs["sheet"] == "Customers"


def test_xls_input_is_written_as_xlsx_beside_it(tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="xlwt (dev extra) writes .xls test files")
    book = xlwt.Workbook()
    sheet = book.add_sheet("People")
    for c, value in enumerate(["name", "phone", "visits"]):
        sheet.write(0, c, value)
    sheet.write(1, 0, "Sara")
    sheet.write(1, 1, "09121000001")
    sheet.write(1, 2, 4)
    book.save(str(tmp_path / "old.xls"))
    done = clean_workbook(tmp_path / "old.xls", progress=False)
    assert done.path == tmp_path / "old_clean.xlsx"
    out = openpyxl.load_workbook(done.path)["People"]
    assert [c.value for c in out[2]] == ["Sara", "09121000001", "+989121000001", "ok", None, 4]


def test_csv_input_gives_a_csv_for_people_that_reads_back(tmp_path):
    source = tmp_path / "c.csv"
    source.write_text("name,mobile\n=HYPERLINK(1),09121000001\nAli,09121000001\n")
    done = clean_workbook(source, progress=False)
    assert done.path == tmp_path / "c_clean.csv"
    back = read_contacts(done.path)
    assert back["name"].tolist() == ["=HYPERLINK(1)", "Ali"]
    assert back["phone_reason"].fillna("").tolist() == ["", "Duplicate of row 2"]


def test_sheet_rows_name_the_rows_a_spreadsheet_shows(tmp_path):
    import xlsxwriter

    path = tmp_path / "gaps.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write_string(0, 0, "Customer list, May")  # a title row
    sheet.write_row(2, 0, ["name", "mobile"])
    sheet.write_row(3, 0, ["A", "09121000001"])
    sheet.write_row(5, 0, ["B", "09121000002"])  # a blank row above
    book.close()
    frame = read_contacts(path)
    assert sheet_rows(frame).tolist() == [4, 6]
    csv = tmp_path / "t.csv"
    csv.write_text("Exported today\nname,mobile\nA,09121000001\nB,09121000002\n")
    assert sheet_rows(read_contacts(csv)).tolist() == [3, 4]


def test_cleaning_leaves_the_source_untouched_and_is_quiet_when_told(tmp_path, capsys):
    source = _workbook(tmp_path / "contacts.xlsx")
    before = source.read_bytes()
    clean_workbook(source, tmp_path / "o.xlsx", progress=False)
    assert source.read_bytes() == before
    assert capsys.readouterr().err == ""


def test_long_cleaning_shows_its_steps_and_rows_written(tmp_path, capsys):
    source = _workbook(tmp_path / "contacts.xlsx")
    clean_workbook(source, tmp_path / "o.xlsx", progress=True)
    shown = capsys.readouterr().err
    assert "reading contacts.xlsx" in shown or "cleaning 4 rows" in shown
    assert "writing o.xlsx" in shown


def test_ods_input_is_written_as_xlsx_with_every_sheet_and_its_numbers(tmp_path):
    pytest.importorskip("odf", reason="odfpy (dev extra) writes .ods test files")
    import pandas as pd

    people = pd.DataFrame({"name": ["Ali", "Sara"], "موبایل": ["09121000001", "0935 100 0002"],
                           "visits": [3, 12]})
    with pd.ExcelWriter(tmp_path / "c.ods", engine="odf") as writer:
        pd.DataFrame({"x": ["read me first"]}).to_excel(writer, sheet_name="Intro", index=False)
        people.to_excel(writer, sheet_name="People", index=False)
    done = clean_workbook(tmp_path / "c.ods", progress=False)
    assert done.path == tmp_path / "c_clean.xlsx"
    book = openpyxl.load_workbook(done.path)
    assert book.sheetnames == ["Intro", "People"]
    rows = [[c.value for c in row] for row in book["People"].iter_rows()]
    assert rows[0] == ["name", "موبایل", "e164", "phone_status", "phone_reason", "visits"]
    assert rows[2] == ["Sara", "0935 100 0002", "+989351000002", "ok", None, 12]
    assert book["Intro"]["A2"].value == "read me first"
