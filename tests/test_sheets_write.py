"""write_excel's failures: clear errors naming the real path and column, nothing left behind."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from miogram_toolkit.sheets import ContactFileError, read_contacts, write_excel


def test_a_list_cell_names_the_file_and_the_column(tmp_path):
    df = pd.DataFrame({"name": ["Ali", "Sara"], "tags": ["vip", ["a", "b"]]})
    target = tmp_path / "out.xlsx"
    with pytest.raises(ContactFileError) as info:
        write_excel({"contacts": df}, target)
    assert str(info.value) == (
        f"Cannot write '{target}': column 'tags' of sheet 'contacts' holds a list in row 2, "
        "not a cell value (turn it into text first, e.g. with .astype(str))."
    )
    assert info.value.path == target
    assert list(tmp_path.iterdir()) == []  # no temporary file left


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = write_excel(pd.DataFrame({"phone": ["09121000001"]}), tmp_path / "out.xlsx")
    before = target.read_bytes()
    with pytest.raises(ContactFileError):
        write_excel(pd.DataFrame({"phone": [{"a": 1}]}), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_a_missing_folder_is_named(tmp_path):
    target = tmp_path / "missing" / "out.xlsx"
    with pytest.raises(ContactFileError) as info:
        write_excel(pd.DataFrame({"phone": ["09121000001"]}), target)
    assert str(info.value) == (
        f"Cannot write '{target}': the folder '{tmp_path / 'missing'}' does not exist."
    )


def test_the_file_gets_the_normal_mode(tmp_path):
    old = os.umask(0o022)
    try:
        target = write_excel(pd.DataFrame({"phone": ["09121000001"]}), tmp_path / "out.xlsx")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_failures_print_nothing_to_stderr(tmp_path):
    script = (
        "import pandas as pd\n"
        "from miogram_toolkit.sheets import ContactFileError, read_contacts, write_excel\n"
        f"for target in [{str(tmp_path / 'a.xlsx')!r}, {str(tmp_path / 'no' / 'b.xlsx')!r}]:\n"
        "    try:\n"
        "        write_excel(pd.DataFrame({'x': [[1, 2]]}), target)\n"
        "    except ContactFileError:\n"
        "        pass\n"
        "import gc; gc.collect()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stderr == ""


def test_every_kind_of_cell_round_trips(tmp_path):
    import datetime as dt

    df = pd.DataFrame(
        {
            "e164": ["+989121000001", None],
            "n": [3, 4],
            "x": [2.5, float("nan")],
            "ok": [True, False],
            "when": [pd.Timestamp("2024-01-05 10:30", tz="Asia/Tehran"), pd.NaT],
            "day": [dt.date(2024, 1, 5), None],
            "note": ["=1+1", "line\x01break"],
        }
    )
    path = write_excel(df, tmp_path / "all.xlsx")
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(path).active.iter_rows()]
    assert rows[1] == [
        "+989121000001", 3, 2.5, True, dt.datetime(2024, 1, 5, 10, 30),
        dt.datetime(2024, 1, 5), "=1+1",
    ]  # fmt: skip
    # A control character is stored the way Excel stores it (_x0001_) and read back as written.
    assert rows[2] == [None, 4, None, False, None, None, "line_x0001_break"]
    assert read_contacts(path, phone_column="e164")["note"].tolist() == ["=1+1", "line\x01break"]


def test_write_excel_accepts_a_str_path(tmp_path):
    assert write_excel(pd.DataFrame({"a": [1]}), str(tmp_path / "s.xlsx")) == Path(
        tmp_path / "s.xlsx"
    )


def test_nullable_columns_and_nanoseconds_are_written_without_error_or_warning(tmp_path):
    frame = pd.DataFrame({
        "chunk": pd.array([1, None], dtype="Int64"),
        "share": pd.array([0.5, None], dtype="Float64"),
        "at": pd.to_datetime(["2026-01-02 03:04:05.123456789", None]),
    })
    path = tmp_path / "nullable.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_excel({"results": frame}, path)
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(path).active.iter_rows()]
    assert rows[1][:2] == [1, 0.5]
    assert rows[1][2].replace(microsecond=0) == pd.Timestamp("2026-01-02 03:04:05").to_pydatetime()
    assert rows[2:] in ([], [[None, None, None]])  # <NA> and NaT: empty cells
