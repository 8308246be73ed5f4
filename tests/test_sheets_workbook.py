"""Workbooks: sheet choice, header under titles, chart sheets, .xls, .ods; calamine = openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import BarChart, Reference

from miogram_toolkit import phones
from miogram_toolkit.sheets import ContactFileError, read_contacts
from miogram_toolkit.sheets.workbook import _openpyxl_rows, _rows_to_frame, read_workbook


def contacts_book(path: Path, *, chart_first: bool = False) -> Path:
    book = openpyxl.Workbook()
    intro = book.active
    intro.title = "Instructions"
    intro.append(["How to use this file"])
    intro.append(["Put one contact per row on the Contacts sheet; phone numbers as text."])
    if chart_first:
        chart_sheet = book.create_chartsheet("Chart", 0)
    old = book.create_sheet("Old")
    old.sheet_state = "hidden"
    old.append(["name", "mobile"])
    old.append(["Gone", "09121000009"])
    contacts = book.create_sheet("Contacts")
    contacts.append(["Contacts of the Tehran office"])  # a merged title
    contacts.merge_cells("A1:C1")
    contacts.append(["Exported", dt.date(2024, 5, 1)])
    contacts.append([])
    contacts.append(["name", "تماس", "city"])
    contacts.append(["Ali", "09121000001", "Qom"])
    contacts.append(["Sara", 9351000002, "Yazd"])
    if chart_first:
        chart = BarChart()
        chart.add_data(Reference(contacts, min_col=2, min_row=4, max_row=6))
        chart_sheet.add_chart(chart)
    book.save(path)
    return path


def test_sheet_none_takes_the_visible_sheet_with_phones(tmp_path):
    df = read_contacts(contacts_book(tmp_path / "b.xlsx"))
    assert df.attrs["sheet"] == "Contacts"
    assert df.attrs["phone_column"] == "تماس"
    assert df.attrs["header_row"] == 4  # the sheet's row number, as Excel shows it
    assert df.to_dict("list") == {
        "name": ["Ali", "Sara"], "تماس": ["09121000001", "9351000002"], "city": ["Qom", "Yazd"]
    }  # fmt: skip


def test_a_chart_sheet_does_not_crash_and_is_skipped(tmp_path):
    path = contacts_book(tmp_path / "c.xlsx", chart_first=True)
    assert read_contacts(path).attrs["sheet"] == "Contacts"
    with pytest.raises(ContactFileError, match=r"nothing to read in sheet 'Chart' \(chart\)"):
        read_contacts(path, sheet="Chart")


def test_errors_list_every_sheet_with_hidden_and_chart_marked(tmp_path):
    path = contacts_book(tmp_path / "c.xlsx", chart_first=True)
    with pytest.raises(ContactFileError) as info:
        read_contacts(path, sheet="Customers")
    listing = "'Chart' (chart), 'Instructions', 'Old' (hidden), 'Contacts'"
    assert str(info.value) == (
        f"Contact file '{path}' has no sheet 'Customers'; its sheets are {listing}."
    )
    with pytest.raises(ContactFileError, match=r"has no column 'phone' in any sheet; its sheets"):
        read_contacts(path, phone_column="phone")


def test_a_workbook_without_phones_names_its_sheets(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["name", "city"])
    book.active.append(["Ali", "Qom"])
    hidden = book.create_sheet("Notes")
    hidden.sheet_state = "hidden"
    hidden.append(["just text"])
    book.save(tmp_path / "n.xlsx")
    with pytest.raises(ContactFileError, match=r"its sheets are 'Sheet', 'Notes' \(hidden\)"):
        read_contacts(tmp_path / "n.xlsx")


def test_a_hidden_sheet_is_chosen_only_when_no_visible_one_has_phones(tmp_path):
    path = contacts_book(tmp_path / "b.xlsx")
    book = openpyxl.load_workbook(path)
    del book["Contacts"]
    book.save(path)
    assert read_contacts(path).attrs["sheet"] == "Old"


def test_phone_column_given_picks_the_sheet_that_has_it(tmp_path):
    path = contacts_book(tmp_path / "b.xlsx")
    assert read_contacts(path, phone_column="mobile").attrs["sheet"] == "Old"


def test_calamine_reads_what_openpyxl_reads(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "mobile", "when", "score", "flag", "note"])
    sheet.append(["Ali", 9121000001, dt.datetime(2024, 1, 5), 2.5, True, "=not a formula"])
    sheet.append(["Sara", "09121000002", dt.datetime(2024, 1, 5, 10, 30), -3, False, None])
    sheet.append(["Reza", 9121000003.0, dt.date(2024, 2, 1), 1e20, None, "0012"])
    sheet.append(["Nima", 2**60, None, 0.1, None, " a "])
    book.save(tmp_path / "a.xlsx")
    data = (tmp_path / "a.xlsx").read_bytes()
    fast = read_workbook(tmp_path / "a.xlsx", data, ".xlsx", 0)
    slow = _rows_to_frame(_openpyxl_rows(tmp_path / "a.xlsx", data, "Sheet"), "Sheet")
    pd.testing.assert_frame_equal(fast, slow)
    # Numbers are floats in a workbook; beyond 2**53 a float no longer holds every digit, so
    # its spelling is kept and no digit is invented (the phone engine calls it rounded).
    assert fast.loc[3, "mobile"] == "1.152921504606847e+18"
    assert phones.phone_report(fast["mobile"])["phone_status"].tolist()[3] == "rounded"
    assert fast.loc[2, "score"] == "1e+20"
    assert fast["mobile"].tolist()[:3] == ["9121000001", "09121000002", "9121000003"]


def test_xls_is_read(tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="xlwt (dev extra) writes .xls test files")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Contacts")
    for r, row in enumerate([["name", "mobile"], ["Ali", "09121000001"], ["Sara", 9121000002]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "c.xls"))
    df = read_contacts(tmp_path / "c.xls")
    assert df.attrs["phone_column"] == "mobile" and df.attrs["sheet"] == "Contacts"
    assert df["mobile"].tolist() == ["09121000001", "9121000002"]


def test_ods_is_read(tmp_path):
    pytest.importorskip("odf", reason="odfpy (dev extra) writes .ods test files")
    frame = pd.DataFrame({"name": ["Ali", "Sara"], "موبایل": ["09121000001", "0935 100 0002"]})
    with pd.ExcelWriter(tmp_path / "c.ods", engine="odf") as writer:
        pd.DataFrame({"x": ["read me first"]}).to_excel(writer, sheet_name="Intro", index=False)
        frame.to_excel(writer, sheet_name="People", index=False)
    df = read_contacts(tmp_path / "c.ods")
    assert df.attrs["sheet"] == "People" and df.attrs["phone_column"] == "موبایل"
    assert df.to_dict("list") == frame.to_dict("list")


def test_xlsx_renamed_xls_and_junk_ods(tmp_path):
    path = contacts_book(tmp_path / "b.xlsx").rename(tmp_path / "b.xls")
    with pytest.raises(ContactFileError, match=r"is a zip-based workbook \(.xlsx or .ods\)"):
        read_contacts(path)
    (tmp_path / "j.ods").write_bytes(b"not a zip at all")
    with pytest.raises(ContactFileError, match=r"is not a real ODS file"):
        read_contacts(tmp_path / "j.ods")
