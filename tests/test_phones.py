"""Phone cleaning: a hand-written table of messy cells, and the normalisation rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import phonenumbers
import pytest

from miogram_toolkit import phones
from miogram_toolkit.phones.codepoints import normalise_array, normalise_matrix
from miogram_toolkit.phones.normalise import kind_name, normalise_cell, normalise_phone_text

MOBILE = "+989121234567"

# (cell, expected E.164 in the report or None, expected status, expected number type or None)
# Region IR, mobile_only=True, dedupe=False. Written by hand from the numbering plan, not from
# the code under test.
TABLE: list[tuple[object, str | None, str, str | None]] = [
    # Iranian mobile, every way people write it
    ("09121234567", MOBILE, "ok", "MOBILE"),
    ("0912 123 4567", MOBILE, "ok", "MOBILE"),
    ("0912-123-4567", MOBILE, "ok", "MOBILE"),
    ("0912.123.4567", MOBILE, "ok", "MOBILE"),
    ("0912/123/4567", MOBILE, "ok", "MOBILE"),
    ("(0912) 123 4567", MOBILE, "ok", "MOBILE"),
    ("+989121234567", MOBILE, "ok", "MOBILE"),
    ("+98 912 123 4567", MOBILE, "ok", "MOBILE"),
    ("+98 (912) 123-4567", MOBILE, "ok", "MOBILE"),
    ("00989121234567", MOBILE, "ok", "MOBILE"),
    ("0098 912 123 4567", MOBILE, "ok", "MOBILE"),
    ("989121234567", MOBILE, "ok", "MOBILE"),
    ("98 912 123 4567", MOBILE, "ok", "MOBILE"),
    ("9121234567", MOBILE, "ok", "MOBILE"),
    ("+98 0912 123 4567", MOBILE, "ok", "MOBILE"),
    ("0098 0912 123 4567", MOBILE, "ok", "MOBILE"),
    ("  09121234567  ", MOBILE, "ok", "MOBILE"),
    ("0912\u00a0123\u00a04567", MOBILE, "ok", "MOBILE"),
    ("0912_123_4567", MOBILE, "ok", "MOBILE"),
    # what Excel does to numbers
    (9121234567, MOBILE, "ok", "MOBILE"),
    (9121234567.0, MOBILE, "ok", "MOBILE"),
    (np.int64(9121234567), MOBILE, "ok", "MOBILE"),
    (np.float64(9121234567.0), MOBILE, "ok", "MOBILE"),
    ("9.121234567E9", MOBILE, "ok", "MOBILE"),
    ("9.121234567e+09", MOBILE, "ok", "MOBILE"),
    ("9121234567.0", MOBILE, "ok", "MOBILE"),
    (989121234567, MOBILE, "ok", "MOBILE"),
    ("9.89121234567E11", MOBILE, "ok", "MOBILE"),
    # Persian and Arabic-Indic digits, labels
    ("۰۹۱۲۱۲۳۴۵۶۷", MOBILE, "ok", "MOBILE"),
    ("۰۹۱۲ ۱۲۳ ۴۵۶۷", MOBILE, "ok", "MOBILE"),
    ("٠٩١٢١٢٣٤٥٦٧", MOBILE, "ok", "MOBILE"),
    ("+۹۸۹۱۲۱۲۳۴۵۶۷", MOBILE, "ok", "MOBILE"),
    ("۰۹۱۲-123-۴۵۶۷", MOBILE, "ok", "MOBILE"),
    ("tel: 0912 123 4567", MOBILE, "ok", "MOBILE"),
    ("Tel: +98-912-123-4567", MOBILE, "ok", "MOBILE"),
    ("موبایل: ۰۹۱۲ ۱۲۳ ۴۵۶۷", MOBILE, "ok", "MOBILE"),
    ("شماره همراه ۰۹۱۲۱۲۳۴۵۶۷", MOBILE, "ok", "MOBILE"),
    ("mobile (cell): 0912 123 4567", MOBILE, "ok", "MOBILE"),
    # other Iranian mobile ranges
    ("09351234567", "+989351234567", "ok", "MOBILE"),
    ("09011234567", "+989011234567", "ok", "MOBILE"),
    ("09901234567", "+989901234567", "ok", "MOBILE"),
    ("09211234567", "+989211234567", "ok", "MOBILE"),
    # missing
    (None, None, "empty", None),
    (float("nan"), None, "empty", None),
    (pd.NA, None, "empty", None),
    ("", None, "empty", None),
    ("   ", None, "empty", None),
    # valid, but not a mobile number
    ("021 2345 6789", "+982123456789", "not_mobile", "FIXED_LINE"),
    ("+98 21 2345 6789", "+982123456789", "not_mobile", "FIXED_LINE"),
    ("(021) 23456789", "+982123456789", "not_mobile", "FIXED_LINE"),
    ("+44 121 234 5678", "+441212345678", "not_mobile", "FIXED_LINE"),
    # lengths: IR national numbers have 4-7 or 10 digits
    ("12", None, "too_short", "UNKNOWN"),
    ("123", None, "too_short", "UNKNOWN"),
    ("0912 123 45678", None, "too_long", "UNKNOWN"),
    ("+98 912 123 45678", None, "too_long", "UNKNOWN"),
    ("091212345678901234567", None, "too_long", None),
    # invalid
    ("hello", None, "invalid", None),
    ("n/a", None, "invalid", None),
    # a lone dash means "no number"
    ("-", None, "empty", None),
    ("—", None, "empty", None),
    (" – ", None, "empty", None),
    ("--", None, "empty", None),
    ("0940 123 4567", None, "invalid", "UNKNOWN"),
    # 9 digits after the 0 is no possible length, so phonenumbers keeps the 0 and rejects it.
    ("0912 123 456", None, "invalid", "UNKNOWN"),
    ("+0912 123 4567", None, "invalid", None),
    ("+999 123 4567", None, "invalid", None),
    # two numbers in one cell
    ("0912 123 4567 / 0935 123 4567", None, "multiple", None),
    ("09121234567, 09351234567", None, "multiple", None),
    ("09121234567;+989351234567", None, "multiple", None),
    ("0912 123 4567\n0935 123 4567", None, "multiple", None),
    ("۰۹۱۲۱۲۳۴۵۶۷ ، ۰۹۳۵۱۲۳۴۵۶۷", None, "multiple", None),
    ("09121234567 ::: 09351234567", None, "multiple", None),
    ("+989121234567 ::: +989351234567", None, "multiple", None),
    ("09121234567 or 09351234567", None, "multiple", None),
    ("09121234567 و 09351234567", None, "multiple", None),
    ("09121234567 09351234567", None, "multiple", None),
    ("0912 1234567 0935 1234567", None, "multiple", None),
    ("+98 9121234567 +98 9351234567", None, "multiple", None),
    # Excel or an export rounded the number: its last digits are gone
    ("9.89121E+11", None, "rounded", None),
    ("9.12E+09", None, "rounded", None),
    ("9.12e9", None, "rounded", None),
    ("9.1212346E+09", None, "rounded", None),
    ("9.121234560E+09", MOBILE[:-1] + "0", "ok", "MOBILE"),
    # extensions, as phonenumbers reads them: the number is valid, the extension kept apart
    ("0912 123 4567 ext 12", MOBILE, "ok", "MOBILE"),
    ("0912 123 4567 ext. 12", MOBILE, "ok", "MOBILE"),
    ("09121234567 x12", MOBILE, "ok", "MOBILE"),
    ("09121234567#12", MOBILE, "ok", "MOBILE"),
    ("+1 202-555-0123 x45", "+12025550123", "ok", "FIXED_LINE_OR_MOBILE"),
    ("+1 202-555-0123 extension 45", "+12025550123", "ok", "FIXED_LINE_OR_MOBILE"),
    ("0912 123 4567 داخلی ۱۲", MOBILE, "ok", "MOBILE"),
    # foreign numbers with + or 00
    ("+44 7400 123456", "+447400123456", "ok", "MOBILE"),
    ("0044 7400 123456", "+447400123456", "ok", "MOBILE"),
    ("tel:+44-7400-123456", "+447400123456", "ok", "MOBILE"),
    ("+49 1512 3456789", "+4915123456789", "ok", "MOBILE"),
    ("+1 201-555-0123", "+12015550123", "ok", "FIXED_LINE_OR_MOBILE"),
    ("00 1 (201) 555 0123", "+12015550123", "ok", "FIXED_LINE_OR_MOBILE"),
    ("+971 50 123 4567", "+971501234567", "ok", "MOBILE"),
    ("+90 501 234 56 78", "+905012345678", "ok", "MOBILE"),
]


def test_table_has_at_least_sixty_cases() -> None:
    assert len(TABLE) >= 60


@pytest.mark.parametrize(("cell", "e164", "status", "ntype"), TABLE)
def test_messy_cell(cell: object, e164: str | None, status: str, ntype: str | None) -> None:
    report = phones.phone_report(pd.Series([cell], dtype=object), dedupe=False)
    row = report.iloc[0]
    assert row["phone_status"] == status
    assert (None if pd.isna(row["e164"]) else row["e164"]) == e164
    assert (None if pd.isna(row["number_type"]) else row["number_type"]) == ntype
    sendable = phones.to_e164(pd.Series([cell], dtype=object)).iloc[0]
    assert (None if pd.isna(sendable) else sendable) == (e164 if status == "ok" else None)


def test_whole_table_in_one_column_matches_row_by_row() -> None:
    cells = pd.Series([row[0] for row in TABLE], dtype=object)
    report = phones.phone_report(cells, dedupe=False)
    assert report["phone_status"].tolist() == [row[2] for row in TABLE]
    assert [None if pd.isna(v) else v for v in report["e164"]] == [row[1] for row in TABLE]


def test_table_agrees_with_the_naive_pipeline() -> None:
    cells = pd.Series([row[0] for row in TABLE], dtype=object)
    pd.testing.assert_frame_equal(phones.phone_report(cells), phones.naive_phone_report(cells))


def test_mobile_only_false_accepts_landlines() -> None:
    out = phones.to_e164(["021 2345 6789", "0912 123 4567"], mobile_only=False)
    assert out.tolist() == ["+982123456789", MOBILE]


def test_other_default_region() -> None:
    out = phones.to_e164(["0151 23456789", "+98 912 123 4567", "030 123456"], region="de")
    assert out.tolist() == ["+4915123456789", MOBILE, pd.NA]


def test_to_e164_dtype_index_and_name() -> None:
    s = pd.Series(["0912 123 4567", None], index=[10, 3], name="phone")
    out = phones.to_e164(s)
    assert out.dtype == "string"
    assert out.index.tolist() == [10, 3]
    assert out.name == "phone"


def test_numeric_columns_from_excel() -> None:
    ints = pd.Series([9121234567, 9351234567], dtype="int64")
    floats = pd.Series([9121234567.0, np.nan])
    assert phones.to_e164(ints).tolist() == [MOBILE, "+989351234567"]
    assert phones.to_e164(floats).tolist() == [MOBILE, pd.NA]


def test_report_marks_later_repeats_as_duplicates() -> None:
    report = phones.phone_report(["0912 123 4567", "+989121234567", "021 2345 6789", "9121234567"])
    assert report["phone_status"].tolist() == ["ok", "duplicate", "not_mobile", "duplicate"]
    assert report["e164"].tolist()[:2] == [MOBILE, MOBILE]


def test_unknown_region_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="Unknown region 'XX'"):
        phones.to_e164(["0912"], region="XX")


def test_a_single_string_is_not_a_column() -> None:
    with pytest.raises(TypeError, match="single string"):
        phones.to_e164("09121234567")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("0912 123 4567 / 0935 123 4567", ("multiple", "")),
        ("0912/123/4567", ("number", "09121234567")),
        ("021-8888/1234", ("number", "02188881234")),
        ("+98 (912) 123", ("number", "+98912123")),
        ("tel 0912 + 1", ("number", "09121")),
        ("۰۹۱۲", ("number", "0912")),
        ("\uff10\uff19\uff11\uff12", ("number", "0912")),
        (9121234567.0, ("number", "9121234567")),
        ("0912.0", ("number", "09120")),
        (1e16, ("number", "10000000000000000")),
        ("1e16", ("rounded", "")),
        ("9.121234567E9", ("number", "9121234567")),
        ("0912 123 4567 ext 12", ("number", "09121234567")),
        ("-", ("empty", "")),
        ("0912 1234567 0935 1234567", ("multiple", "")),
        (None, ("empty", "")),
        ("\t", ("empty", "")),
    ],
)
def test_normalise_phone_text(cell: object, expected: tuple[str, str]) -> None:
    assert normalise_phone_text(cell) == expected


def test_vectorised_normalisation_matches_the_per_cell_rules() -> None:
    cells = [row[0] for row in TABLE] + ["x" * 80 + "0912 123 4567", "a, b; c", "+", "++98"]
    kind, plus, digits = normalise_array(np.array(cells, dtype=object))
    got = [
        (kind_name(k), ("+" if p else "") + d) for k, p, d in zip(kind, plus, digits, strict=True)
    ]
    assert got == [normalise_phone_text(c) for c in cells]
    block = normalise_matrix(np.array(cells, dtype=object))
    assert {cells[i]: e for i, e in block.extensions.items()} == {
        c: normalise_cell(c)[2] for c in cells if normalise_cell(c)[2]
    }


EXTENSIONS = [
    "0912 123 4567 ext 12",
    "0912 123 4567 ext. 12",
    "09121234567 x12",
    "09121234567 X 12",
    "09121234567#12",
    "09121234567 ~ 12",
    "09121234567;ext=12",
    "+1 202-555-0123 x45",
    "+1 (202) 555-0123 extension 4567",
    "+44 20 7946 0958 ext 1234",
    "09121234567 int 7",
]


@pytest.mark.parametrize("cell", EXTENSIONS)
def test_extensions_follow_phonenumbers(cell: str) -> None:
    number = phonenumbers.parse(cell, "IR")
    report = phones.phone_report([cell], mobile_only=False)
    assert report["extension"].tolist() == [number.extension]
    expected = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert report["e164"].tolist() == [expected]
    assert report["phone_status"].tolist() == ["ok"]


def test_clean_phones_keeps_the_extension_in_a_column() -> None:
    df = pd.DataFrame({"phone": ["0912 123 4567 ext 12", "09351234567"]})
    cleaned = phones.clean_phones(df, "phone")
    assert cleaned["e164"].tolist() == ["+989121234567", "+989351234567"]
    assert cleaned["phone_extension"].tolist() == ["12", pd.NA]
    plain = phones.clean_phones(df.iloc[1:], "phone")
    assert "phone_extension" not in plain.columns
    assert "phone_extension" in phones.clean_phones(df.iloc[1:], "phone", extension=True)


def test_rounded_cells_never_become_numbers_or_sendable() -> None:
    df = pd.DataFrame({"phone": ["9.89121E+11", "9.12E+09", "09121234567"]})
    cleaned = phones.clean_phones(df, "phone")
    assert cleaned["phone_status"].tolist() == ["rounded", "rounded", "ok"]
    assert cleaned["e164"].isna().tolist() == [True, True, False]
    assert phones.sendable(cleaned)["phone"].tolist() == ["09121234567"]
    assert phones.to_e164(df["phone"]).isna().tolist() == [True, True, False]


def test_split_multiple_explodes_cells_keeping_the_source_row() -> None:
    df = pd.DataFrame(
        {
            "name": ["Sara", "Reza", "Mina"],
            "phone": [
                "09121234567 ::: 0935 123 4567",
                "09011234567",
                "+98 9901234567 or +98 9211234567 / 09361234567",
            ],
        },
        index=["a", "b", "c"],
    )
    out = phones.clean_phones(df, "phone", split_multiple=True)
    assert out.index.tolist() == ["a", "a", "b", "c", "c", "c"]
    assert out["name"].tolist() == ["Sara", "Sara", "Reza", "Mina", "Mina", "Mina"]
    assert out["e164"].tolist() == [
        "+989121234567", "+989351234567", "+989011234567",
        "+989901234567", "+989211234567", "+989361234567",
    ]  # fmt: skip
    assert set(out["phone_status"]) == {"ok"}
    assert phones.clean_phones(df, "phone")["phone_status"].tolist() == [
        "multiple", "ok", "multiple"
    ]  # fmt: skip
    assert df["phone"].iloc[0] == "09121234567 ::: 0935 123 4567"  # the input is unchanged


def test_a_huge_integer_is_a_cell_like_any_other() -> None:
    cells = pd.Series([10**5000, -(10**5000), 9121234567], dtype=object)
    assert phones.to_e164(cells).tolist() == [pd.NA, pd.NA, MOBILE]
    report = phones.phone_report(cells, dedupe=False)
    assert report["phone_status"].tolist() == ["too_long", "too_long", "ok"]
    naive = phones.naive_phone_report(cells, dedupe=False)
    assert naive["phone_status"].tolist() == report["phone_status"].tolist()


def test_statuses_are_listed_once() -> None:
    assert set(phones.STATUSES) >= {
        "ok", "empty", "invalid", "not_mobile", "too_short", "too_long", "duplicate", "multiple",
        "rounded",
    }
    assert len(set(phones.STATUSES)) == len(phones.STATUSES)
