"""Shapes real users send, end to end: a file built here, read, cleaned; only good rows sendable."""

from __future__ import annotations

import pandas as pd

from miogram_toolkit.sheets import read_contacts

ROWS = [
    # (national ID, the cell in the تماس column, the status expected)
    ("0012345678", "0912 100 0001", "ok"),
    ("0012345679", "9.89121E+11", "rounded"),
    ("0012345680", "9.12E+09", "rounded"),
    ("0012345681", "0912 100 0002 ext 12", "ok"),
    ("0012345682", "+1 202-555-0123 x45", "ok"),  # FIXED_LINE_OR_MOBILE
    ("0012345683", "-", "empty"),
    ("0012345684", "—", "empty"),
    ("0012345685", "09121000003 ::: 09351000004", "multiple"),
    ("0012345686", "09121000005 or 09351000006", "multiple"),
    ("0012345687", "09121000007 و 09351000008", "multiple"),
    ("0012345688", "09121000009 09351000010", "multiple"),
    ("0012345689", "۰۹۱۲۱۰۰۰۰۱۱", "ok"),
]


def test_a_persian_sheet_with_every_shape(tmp_path):
    path = tmp_path / "people.csv"
    lines = ["نام,کد ملی,تماس"] + [f"P{i},{nid},{cell}" for i, (nid, cell, _) in enumerate(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    df = read_contacts(path)
    assert df.attrs["phone_column"] == "تماس"  # never the national ID
    cleaned = df.miogram.clean_phones()
    assert cleaned["phone_status"].tolist() == [status for *_, status in ROWS]
    assert cleaned["phone_extension"].tolist()[3:5] == ["12", "45"]
    sendable = cleaned.miogram.sendable()
    assert sendable["e164"].tolist() == [
        "+989121000001", "+989121000002", "+12025550123", "+989121000011"
    ]  # fmt: skip
    split = df.miogram.clean_phones(split_multiple=True)
    parts = split.loc[split["نام"].isin(["P7", "P8", "P9", "P10"])]
    assert parts["e164"].tolist() == [f"+98{n}" for n in (
        "9121000003", "9351000004", "9121000005", "9351000006",
        "9121000007", "9351000008", "9121000009", "9351000010")]  # fmt: skip
    assert set(parts["phone_status"]) == {"ok"}


def test_a_google_contacts_export(tmp_path):
    path = tmp_path / "google.csv"
    frame = pd.DataFrame(
        {
            "Name": ["Ali Rezaei", "Sara Ahmadi"],
            "Phone 1 - Type": ["Mobile", "Mobile"],
            "Phone 1 - Value": ["+98 912 100 0001 ::: +98 935 100 0002", "+98 912 100 0003"],
            "Phone 2 - Type": ["Work", "Home"],
            "Phone 2 - Value": ["021 8888 1234", ""],
        }
    )
    frame.to_csv(path, index=False)
    df = read_contacts(path)
    assert df.attrs["phone_column"] == "Phone 1 - Value"
    out = df.miogram.clean_phones(split_multiple=True)
    assert out["e164"].tolist() == ["+989121000001", "+989351000002", "+989121000003"]
    assert out["Name"].tolist() == ["Ali Rezaei", "Ali Rezaei", "Sara Ahmadi"]
