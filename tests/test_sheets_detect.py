"""Which column holds the phones: header words, excluded headers, and content by the engine."""

from __future__ import annotations

import pandas as pd
import pytest

from miogram_toolkit.sheets import find_phone_column
from miogram_toolkit.sheets.detect import find_header_row, header_rank

MOBILES = ["09121000001", "0935 100 0002", "+98 901 100 0003", "۰۹۹۰۱۰۰۰۰۰۴"]
NATIONAL_IDS = ["0012345678", "4432109876", "1234567890", "0087654321"]


ID_HEADERS = ["شماره ملی", "کد ملی", "کدملی", "National ID", "شماره شناسنامه"]
PHONE_HEADERS = ["تماس", "واتساپ", "WhatsApp", "Contact", "Telp", "Mobile"]


@pytest.mark.parametrize("id_header", ID_HEADERS)
@pytest.mark.parametrize("phone_header", PHONE_HEADERS)
def test_national_id_column_never_beats_the_phone_column(id_header, phone_header):
    df = pd.DataFrame({"نام": ["علی", "سارا", "رضا", "مینا"], id_header: NATIONAL_IDS,
                       phone_header: MOBILES})  # fmt: skip
    assert find_phone_column(df) == phone_header


def test_national_ids_that_look_like_mobiles_still_lose():
    # A national code can start with 9: the header rules it out whatever it holds.
    df = pd.DataFrame({"کد ملی": ["9121000001", "9351000002"], "تماس": MOBILES[:2]})
    assert find_phone_column(df) == "تماس"
    alone = pd.DataFrame({"کد ملی": ["9121000001", "9351000002"], "نام": ["a", "b"]})
    with pytest.raises(ValueError, match="No phone-like column"):
        find_phone_column(alone)


def test_google_contacts_export_takes_the_value_not_the_type():
    df = pd.DataFrame(
        {
            "Name": ["Ali", "Sara"],
            "Phone 1 - Type": ["Mobile", "Mobile"],
            "Phone 1 - Value": ["+98 912 100 0001 ::: +98 935 100 0002", "+98 912 100 0003"],
            "Phone 2 - Type": ["Work", "Home"],
            "Phone 2 - Value": ["021 8888 1234", "021 8888 1235"],
        }
    )
    assert find_phone_column(df) == "Phone 1 - Value"


def test_content_decides_by_the_share_of_valid_mobile_numbers_not_digit_counts():
    df = pd.DataFrame(
        {
            "code": ["1234567890", "2345678901", "3456789012", "4567890123"],  # ten digits each
            "who": MOBILES,
            "landline": ["021 8888 1234", "021 8888 1235", "021 8888 1236", "021 8888 1237"],
        }
    )
    assert find_phone_column(df) == "who"
    assert find_phone_column(df[["code", "landline"]]) == "landline"  # valid, just not mobile


def test_a_phone_header_with_mostly_invalid_cells_loses_to_valid_mobiles():
    df = pd.DataFrame({"phone": ["n/a", "-", "ask", "12"], "x": MOBILES})
    assert find_phone_column(df) == "x"


@pytest.mark.parametrize(
    ("name", "phone"),
    [("Mobile No", True), ("WhatsApp", True), ("شماره واتساپ", True), ("Telp", True),
     ("Phone 1 - Type", False), ("شماره ملی", False), ("Postal code", False), ("name", False)],
)  # fmt: skip
def test_header_rank(name, phone):
    assert (header_rank(name) is not None) == phone


def test_mobile_words_rank_before_phone_words_before_number():
    assert header_rank("WhatsApp") < header_rank("Phone") < header_rank("Number")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["name", "mobile"], ["Ali", "09121000001"]], 0),
        ([["Contacts of the Tehran office"], ["name", "mobile"], ["Ali", "09121000001"]], 1),
        ([["Contacts"], ["Exported", "2024-05-01"], [], ["name", "mobile", "city"],
          ["Ali", "09121000001", "Qom"]], 3),  # fmt: skip
        ([["09121000001", "Ali"], ["09351000002", "Sara"]], None),
        ([["Phones"], ["09121000001"], ["09351000002"]], 0),
    ],
)
def test_find_header_row(rows, expected):
    assert find_header_row(rows) == expected
