"""CSV files as people send them: a later row with an extra field, title rows above the header."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from miogram_toolkit.sheets import ContactFileWarning, read_contacts


def test_a_later_row_with_an_extra_field_keeps_every_row_and_warns(tmp_path):
    path = tmp_path / "c.csv"
    rows = ["name,phone"] + [f"P{i},0912100{i:04d}" for i in range(200)]
    rows[150] += ",0935 100 0001"  # one field too many, far down the file
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.warns(ContactFileWarning) as caught:
        df = read_contacts(path)
    message = str(caught[0].message)
    assert str(path) in message and "1 row(s)" in message and "'Unnamed: 2'" in message
    assert len(df) == 200 and list(df.columns) == ["name", "phone", "Unnamed: 2"]
    assert df.loc[149].tolist() == ["P149", "09121000149", "0935 100 0001"]
    assert df["Unnamed: 2"].notna().sum() == 1
    assert df.attrs["phone_column"] == "phone"


def test_a_well_formed_csv_reads_without_a_warning(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("name,phone\nAli,09121000001\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_contacts(path)


def test_title_rows_above_the_header_are_skipped(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "Customer list\nExported;2024-05-01\n\nname;mobile;city\nAli;09121000001;Qom\n"
        "Sara;0935 100 0002;Yazd\n",
        encoding="utf-8",
    )
    df = read_contacts(path)
    assert df.to_dict("list") == {
        "name": ["Ali", "Sara"], "mobile": ["09121000001", "0935 100 0002"], "city": ["Qom", "Yazd"]
    }  # fmt: skip
    assert df.attrs["header_row"] == 4


def test_the_dash_and_blank_cells_stay_as_written(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("name,phone\nAli,-\nSara,\n", encoding="utf-8")
    df = read_contacts(path)
    assert df.loc[0, "phone"] == "-" and pd.isna(df.loc[1, "phone"])
    assert df.miogram.clean_phones()["phone_status"].tolist() == ["empty", "empty"]
