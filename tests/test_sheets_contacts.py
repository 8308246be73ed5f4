"""Reading contact sheets without damage and writing Excel with phones as text."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from miogram_toolkit.sheets import (
    ContactFileError,
    ContactFileWarning,
    find_phone_column,
    read_contacts,
    write_excel,
)

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def error_for(path: Path, **kwargs) -> str:
    with pytest.raises(ContactFileError) as info:
        read_contacts(path, **kwargs)
    message = str(info.value)
    assert str(path) in message
    assert info.value.__suppress_context__ or info.value.__cause__ is None
    return message


# --------------------------------------------------------------------------- text formats


def test_csv_keeps_leading_zeros_and_every_cell_as_text(tmp_path):
    path = write(
        tmp_path / "c.csv", "name,mobile,zip\nAli,09121000001,00123\nSara,,0\nNan,NA,null\n"
    )
    df = read_contacts(path)
    assert df["mobile"].tolist()[0] == "09121000001"
    assert df["zip"].tolist() == ["00123", "0", "null"]
    # Empty cell is missing; the words NA / Nan / null are text, as written.
    assert pd.isna(df.loc[1, "mobile"])
    assert df.loc[2, "name"] == "Nan" and df.loc[2, "mobile"] == "NA"
    assert df.attrs["phone_column"] == "mobile"
    assert df.attrs["encoding"] == "utf-8"


def test_csv_with_bom_has_a_clean_first_header(tmp_path):
    path = write(tmp_path / "bom.csv", "\ufeffphone,name\n09121000001,Ali\n")
    df = read_contacts(path)
    assert list(df.columns) == ["phone", "name"]
    assert df.loc[0, "phone"] == "09121000001"


def test_windows_1256_csv_with_persian_headers(tmp_path):
    text = "نام,موبايل\r\nعلي رضايي,09121000001\r\nمريم,9121000002\r\n"
    df = read_contacts(write(tmp_path / "fa.csv", text, encoding="cp1256"))
    assert list(df.columns) == ["نام", "موبايل"]
    assert df["نام"].tolist() == ["علي رضايي", "مريم"]
    assert df["موبايل"].tolist() == ["09121000001", "9121000002"]
    assert df.attrs["encoding"] == "cp1256"
    assert df.attrs["phone_column"] == "موبايل"


def test_utf16_unicode_text_from_excel(tmp_path):
    path = write(tmp_path / "u.txt", "name\tphone\r\nAli\t09121000001\r\n", encoding="utf-16")
    df = read_contacts(path)
    assert df.to_dict("list") == {"name": ["Ali"], "phone": ["09121000001"]}


def test_tsv(tmp_path):
    path = write(tmp_path / "c.tsv", "name\tcell\nAli, Jr.\t0912 100 0001\n")
    df = read_contacts(path)
    assert df.to_dict("list") == {"name": ["Ali, Jr."], "cell": ["0912 100 0001"]}


@pytest.mark.parametrize("sep", [";", "|", "\t", ","])
def test_txt_sniffs_the_delimiter(tmp_path, sep):
    text = sep.join(["name", "tel", "city"]) + "\n" + sep.join(["Ali", "09121000001", "Qom"]) + "\n"
    df = read_contacts(write(tmp_path / "c.txt", text))
    assert df.to_dict("list") == {"name": ["Ali"], "tel": ["09121000001"], "city": ["Qom"]}


def test_semicolon_csv_from_a_european_excel(tmp_path):
    df = read_contacts(write(tmp_path / "c.csv", "name;phone\nAli;09121000001\n"))
    assert df.to_dict("list") == {"name": ["Ali"], "phone": ["09121000001"]}


def test_headerless_number_list_keeps_its_first_row(tmp_path):
    df = read_contacts(write(tmp_path / "list.txt", "09121000001\n۰۹۱۲۱۰۰۰۰۰۲\n"))
    assert list(df.columns) == ["column_1"]
    assert df["column_1"].tolist() == ["09121000001", "۰۹۱۲۱۰۰۰۰۰۲"]
    assert df.attrs["phone_column"] == "column_1"


def test_rows_longer_or_shorter_than_the_header_lose_nothing(tmp_path):
    with pytest.warns(ContactFileWarning, match=r"1 row\(s\) have more fields"):
        df = read_contacts(write(tmp_path / "r.csv", "name,phone\nAli,0912,extra\nSara\n"))
    assert list(df.columns) == ["name", "phone", "Unnamed: 2"]
    assert df.loc[0].tolist() == ["Ali", "0912", "extra"]
    assert df.loc[1, "name"] == "Sara" and pd.isna(df.loc[1, "phone"])


def test_header_only_file_is_an_empty_sheet(tmp_path):
    df = read_contacts(write(tmp_path / "h.csv", "name,phone\n"))
    assert list(df.columns) == ["name", "phone"]
    assert len(df) == 0
    assert df.attrs["phone_column"] == "phone"


# --------------------------------------------------------------------------- Excel


def make_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(["Name", "Mobile", "Joined", "Orders"])
    sheet.append(["Ali", 9121000001, dt.datetime(2024, 1, 5), 3])
    sheet.append(["Sara", 9121000002.0, dt.datetime(2024, 1, 5, 10, 30), 2.5])
    sheet.append(["Reza", "09121000003", None, True])
    sheet.append([None, None, None, None])  # a blank row is not a contact
    sheet.append(["Nima", 9121000004, None, None])
    sheet.cell(row=6, column=2).number_format = "00000000000"
    second = book.create_sheet("Second")
    second.append(["Full name", "Phone number"])
    second.append(["Kian", "+98 935 200 0017"])
    book.save(path)
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_excel_numbers_come_back_as_the_text_excel_shows(tmp_path, suffix):
    df = read_contacts(make_workbook(tmp_path / f"book{suffix}"))
    assert df.attrs["sheet"] == "Customers"
    assert df.attrs["phone_column"] == "Mobile"
    assert df["Name"].tolist() == ["Ali", "Sara", "Reza", "Nima"]
    # int stays int text, 9121000002.0 loses ".0", text keeps its zero, zero-padding format honoured
    assert df["Mobile"].tolist() == ["9121000001", "9121000002", "09121000003", "09121000004"]
    assert df["Joined"].tolist()[:2] == ["2024-01-05", "2024-01-05 10:30:00"]
    assert df["Orders"].tolist()[:3] == ["3", "2.5", "TRUE"]
    assert pd.isna(df.loc[3, "Orders"])


@pytest.mark.parametrize("sheet", ["Second", 1, -1])
def test_excel_sheet_selection(tmp_path, sheet):
    df = read_contacts(make_workbook(tmp_path / "book.xlsx"), sheet=sheet)
    assert df.to_dict("list") == {"Full name": ["Kian"], "Phone number": ["+98 935 200 0017"]}
    assert df.attrs["sheet"] == "Second"


def test_missing_sheet_lists_the_sheets(tmp_path):
    path = make_workbook(tmp_path / "book.xlsx")
    message = error_for(path, sheet="Contacts")
    assert "no sheet 'Contacts'" in message and "'Customers', 'Second'" in message
    assert "no sheet number 7" in error_for(path, sheet=7)


# --------------------------------------------------------------------------- sample_data


def test_sample_csv():
    df = read_contacts(SAMPLES / "messy_contacts.csv")
    assert df.shape == (60, 6)
    assert df.attrs["phone_column"] == "mobile"
    mobile = df.set_index("customer_id")["mobile"]
    assert mobile["C001"] == "0912 100 0001"
    assert mobile["C005"] == "۰۹۱۲۱۰۰۰۰۰۵"
    assert mobile["C006"] == "9.121000006E9"
    assert mobile["C007"] == "09121000007"
    assert mobile["C052"] == "0912 100 0052 "
    assert pd.isna(mobile["C018"])


def test_sample_workbook_both_sheets():
    customers = read_contacts(SAMPLES / "excel_numbers.xlsx")
    assert customers.shape == (12, 5)
    assert customers.attrs["phone_column"] == "Mobile"
    assert customers["Mobile"].tolist()[:5] == [
        "9121000101", "9121000102", "989121000103", "0912 100 0104", "09121000105",
    ]  # fmt: skip
    unsubscribed = read_contacts(SAMPLES / "excel_numbers.xlsx", sheet="Unsubscribed")
    assert unsubscribed["Phone"].tolist() == ["+98 935 200 0017", "۰۹۱۲ ۱۰۰ ۰۰۱۸", "09121000026"]


def test_sample_windows_1256():
    df = read_contacts(SAMPLES / "contacts_windows1256.csv")
    assert df.shape == (10, 4)
    assert df.attrs["encoding"] == "cp1256"
    assert df.attrs["phone_column"] == "موبايل"
    assert df["موبايل"].tolist()[:2] == ["09121000201", "9121000202"]


def test_sample_text_files_match_their_generator(tmp_path):
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in ("messy_contacts.csv", "contacts_windows1256.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes()
    fresh = read_contacts(tmp_path / "excel_numbers.xlsx")
    pd.testing.assert_frame_equal(fresh, read_contacts(SAMPLES / "excel_numbers.xlsx"))


# --------------------------------------------------------------------------- bad files


def test_missing_file(tmp_path):
    assert "does not exist" in error_for(tmp_path / "nowhere.csv")


def test_directory(tmp_path):
    (tmp_path / "d.csv").mkdir()
    assert "is a directory" in error_for(tmp_path / "d.csv")


@pytest.mark.parametrize(
    "data, problem",
    [(b"", "is empty (0 bytes)"), (b"\n  \n", "is empty"), (b"\xef\xbb\xbf", "is empty")],
)
def test_empty_file(tmp_path, data, problem):
    assert problem in error_for(write(tmp_path / "e.csv", data))


@pytest.mark.parametrize("name", ["contacts.numbers", "contacts.json", "contacts"])
def test_unknown_extension_lists_supported_ones(tmp_path, name):
    message = error_for(write(tmp_path / name, "phone\n09121000001\n"))
    assert "unsupported extension" in message
    assert ".csv, .tsv, .txt, .xlsx, .xlsm, .xls, .ods" in message


def test_text_renamed_xls(tmp_path):
    assert "is not a real .xls workbook" in error_for(write(tmp_path / "c.xls", "phone\n0912\n"))


def test_png_renamed_xlsx(tmp_path):
    path = write(tmp_path / "photo.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert "is not a real Excel workbook (it is a PNG image)" in error_for(path)


def test_zip_without_a_workbook(tmp_path):
    with zipfile.ZipFile(tmp_path / "a.xlsx", "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert "is not a readable Excel workbook" in error_for(tmp_path / "a.xlsx")


def test_old_xls_renamed_xlsx(tmp_path):
    path = write(tmp_path / "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    assert "old .xls or password-protected workbook" in error_for(path)


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, bytes(range(1, 256)) * 4])
def test_binary_junk_in_a_csv(tmp_path, data):
    assert "is not a text spreadsheet" in error_for(write(tmp_path / "junk.csv", data))


def test_workbook_renamed_csv(tmp_path):
    make_workbook(tmp_path / "book.xlsx").rename(tmp_path / "book.csv")
    assert "rename it to .xlsx" in error_for(tmp_path / "book.csv")


def test_unclosed_quote(tmp_path):
    path = write(tmp_path / "q.csv", 'name,phone\n"Ali,0912\n')
    assert "is not a well-formed CSV file" in error_for(path)


def test_sheet_on_a_text_file(tmp_path):
    path = write(tmp_path / "c.csv", "phone\n09121000001\n")
    assert "with no sheets" in error_for(path, sheet="Sheet1")


def test_no_phone_like_column_lists_the_columns(tmp_path):
    message = error_for(write(tmp_path / "c.csv", "name,city\nAli,Tehran\n"))
    assert "has no phone-like column" in message and "'name', 'city'" in message


def test_named_phone_column_missing_lists_the_columns(tmp_path):
    path = write(tmp_path / "c.csv", "name,mobile\nAli,09121000001\n")
    message = error_for(path, phone_column="Phone")
    assert "has no column 'Phone'" in message and "'name', 'mobile'" in message


def test_named_phone_column_is_used(tmp_path):
    path = write(tmp_path / "c.csv", "name,mobile,alt\nAli,09121000001,09351000001\n")
    df = read_contacts(path, phone_column="alt")
    assert df.attrs["phone_column"] == "alt"
    assert find_phone_column(df) == "alt"  # what clean_phones(column=None) will use


def test_messages_are_one_sentence(tmp_path):
    message = error_for(write(tmp_path / "c.csv", "name,city\nAli,Tehran\n"))
    assert message.endswith(".") and message.count(". ") == 0


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    "header",
    [
        "Phone",
        "MOBILE NO",
        "Tel.",
        "cell_phone",
        "Contact number",
        "شماره",
        "موبایل",
        "موبايل",
        "تلفن همراه",
        "شماره‌ی همراه",
    ],
)
def test_detects_phone_header(header):
    df = pd.DataFrame({"name": ["Ali", "Sara"], header: ["0912 100 0001", "+989121000002"]})
    assert find_phone_column(df) == header


def test_prefers_mobile_over_phone_header():
    df = pd.DataFrame({"phone": ["02188881234"], "mobile": ["09121000001"]})
    assert find_phone_column(df) == "mobile"


def test_detects_by_content():
    df = pd.DataFrame({
        "name": ["Ali", "Sara", "Reza", "Nima"],
        "joined": ["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08"],
        "contact": ["۰۹۱۲۱۰۰۰۰۰۱", "9.121000002E9", "tel: 0912 100 0003", None],
        "postal": ["1234567890", "1234567891", "123", "1234567893"],
    })  # fmt: skip
    assert find_phone_column(df) == "contact"


def test_weak_header_loses_to_strong_content():
    df = pd.DataFrame({"order number": ["17", "18"], "who": ["09121000001", "+989121000002"]})
    assert find_phone_column(df) == "who"


def test_numeric_column_by_content():
    df = pd.DataFrame({"id": [1, 2], "x": [9121000001, 9121000002]})
    assert find_phone_column(df) == "x"


def test_attrs_choice_wins():
    df = pd.DataFrame({"mobile": ["09121000001"], "backup": ["09121000002"]})
    df.attrs["phone_column"] = "backup"
    assert find_phone_column(df) == "backup"


def test_no_phone_column_raises_value_error_listing_columns():
    df = pd.DataFrame({"name": ["Ali"], "age": ["30"]})
    with pytest.raises(ValueError, match=r"'name', 'age'"):
        find_phone_column(df)


# --------------------------------------------------------------------------- write_excel


def cells(path: Path, sheet: str) -> list[list[openpyxl.cell.Cell]]:
    return [list(row) for row in openpyxl.load_workbook(path)[sheet].iter_rows()]


def test_write_excel_stores_detected_phones_as_text(tmp_path):
    df = pd.DataFrame({
        "name": ["Ali", "Sara"],
        "mobile": ["09121000001", None],
        "e164": ["+989121000001", pd.NA],
        "orders": [3, 4],
    })  # fmt: skip
    path = write_excel(df, tmp_path / "out.xlsx")
    assert path == tmp_path / "out.xlsx"
    rows = cells(path, "Sheet1")
    assert [c.value for c in rows[0]] == ["name", "mobile", "e164", "orders"]
    assert rows[0][0].font.bold
    mobile, e164, orders = rows[1][1], rows[1][2], rows[1][3]
    assert (mobile.value, mobile.data_type, mobile.number_format) == ("09121000001", "s", "@")
    assert (e164.value, e164.data_type, e164.number_format) == ("+989121000001", "s", "@")
    assert (orders.value, orders.data_type) == (3, "n")
    assert rows[2][2].value is None and rows[2][2].number_format == "@"


def test_write_excel_numeric_phones_become_text(tmp_path):
    df = pd.DataFrame({"who": [989121000001, 989121000002], "x": [9121000003.0, np.nan]})
    path = write_excel({"list": df}, tmp_path / "n.xlsx", phone_columns=["who", "x"])
    rows = cells(path, "list")
    assert [(c.value, c.data_type, c.number_format) for c in rows[1]] == [
        ("989121000001", "s", "@"), ("9121000003", "s", "@"),
    ]  # fmt: skip


def test_write_excel_uses_attrs_phone_column_and_several_sheets(tmp_path):
    contacts = pd.DataFrame({"name": ["Ali"], "who": [9121000001]})
    contacts.attrs["phone_column"] = "who"
    summary = pd.DataFrame({"Number of rows": [1]})
    path = write_excel({"contacts": contacts, "summary": summary}, tmp_path / "r.xlsx")
    assert openpyxl.load_workbook(path).sheetnames == ["contacts", "summary"]
    who = cells(path, "contacts")[1][1]
    assert (who.value, who.data_type, who.number_format) == ("9121000001", "s", "@")
    count = cells(path, "summary")[1][0]
    assert (count.value, count.data_type) == (1, "n")  # a count is not a phone


def test_write_excel_never_writes_a_formula(tmp_path):
    df = pd.DataFrame({"name": ['=HYPERLINK("http://x","y")'], "phone": ["09121000001"]})
    cell = cells(write_excel(df, tmp_path / "f.xlsx"), "Sheet1")[1][0]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x","y")'


def test_write_then_read_round_trip(tmp_path):
    original = read_contacts(SAMPLES / "messy_contacts.csv")
    path = write_excel({"contacts": original}, tmp_path / "round.xlsx")
    again = read_contacts(path)
    pd.testing.assert_frame_equal(again, original, check_dtype=False)
    mobile = cells(path, "contacts")[7][2]  # C007
    assert (mobile.value, mobile.data_type, mobile.number_format) == ("09121000007", "s", "@")


def test_write_excel_column_widths_fit(tmp_path):
    df = pd.DataFrame({"e164": ["+989121000001"], "n": ["x" * 200]})
    sheet = openpyxl.load_workbook(write_excel(df, tmp_path / "w.xlsx"))["Sheet1"]
    assert 13 <= sheet.column_dimensions["A"].width <= 20
    assert 60 <= sheet.column_dimensions["B"].width < 61  # 60 characters (plus cell padding)
    assert sheet.freeze_panes == "A2"


def test_write_excel_rejects_bad_input(tmp_path):
    df = pd.DataFrame({"phone": ["09121000001"]})
    with pytest.raises(ContactFileError, match=r"must be a \.xlsx file"):
        write_excel(df, tmp_path / "x.csv")
    with pytest.raises(ContactFileError, match=r"no sheet has the phone column\(s\) 'mobile'"):
        write_excel(df, tmp_path / "x.xlsx", phone_columns=["mobile"])
    with pytest.raises(ContactFileError, match=r"not a valid Excel sheet name"):
        write_excel({"a/b": df}, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_public_names_load_from_the_package():
    import miogram_toolkit

    assert miogram_toolkit.read_contacts is read_contacts
    assert miogram_toolkit.write_excel is write_excel
    assert miogram_toolkit.ContactFileError is ContactFileError
    assert issubclass(ContactFileError, ValueError)
