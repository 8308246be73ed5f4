"""Benchmark: read and write a 200,000-row x 5-column contact workbook, ours vs pandas+openpyxl.

Measured side by side in one run on the same file and frame:

* reading: ``read_contacts`` (calamine) against ``pd.read_excel(path, dtype=str)`` with
  openpyxl; the cells must be identical;
* writing: ``write_excel`` (XlsxWriter, constant_memory) against ``df.to_excel`` with openpyxl;
  both files read back must hold identical cells;
* CSV: ``write_csv`` for people (inert cells, atomic) against a plain ``df.to_csv``, and the
  round trip back through ``read_contacts``;
* cleaning a file: ``clean_workbook`` (read as text and typed, clean, write every sheet) on the
  same workbook.

Targets: reading at least 4x, writing at least 2x faster. A script, not a test:
``python benchmarks/bench_sheets.py [rows]``.

Example:
    $ .venv/bin/python benchmarks/bench_sheets.py 200000
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from miogram_toolkit.sheets import clean_workbook, read_contacts, write_csv, write_excel


def contacts(rows: int, seed: int = 3) -> pd.DataFrame:
    """``rows`` contacts: names, mobiles as text (leading zero), cities, numbers as numbers."""
    rng = np.random.default_rng(seed)
    cities = np.array(["Tehran", "Qom", "Yazd", "Rasht", "Tabriz", "شیراز", "اصفهان"])
    tails = (np.arange(rows, dtype=np.int64) * 387_420_489 + 12_345) % 10_000_000
    return pd.DataFrame(
        {
            "name": [f"Contact {i:06d}" for i in range(rows)],
            "mobile": [f"0912{t:07d}" for t in tails.tolist()],
            "city": cities[rng.integers(0, len(cities), rows)],
            "orders": rng.integers(0, 500, rows),
            "customer_id": rng.integers(10**9, 10**10, rows),
        }
    )


def timed(action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def main(rows: int = 200_000) -> None:
    df = contacts(rows)
    with tempfile.TemporaryDirectory() as folder:
        ours_path, theirs_path = Path(folder) / "ours.xlsx", Path(folder) / "theirs.xlsx"
        print(f"writing {rows:,} rows x {df.shape[1]} columns ...", flush=True)
        _, theirs_w = timed(lambda: df.to_excel(theirs_path, index=False, engine="openpyxl"))
        _, ours_w = timed(lambda: write_excel(df, ours_path, phone_columns=["mobile"],
                                               progress=False))
        print(f"  df.to_excel (openpyxl):        {theirs_w:6.2f} s")
        ratio = theirs_w / ours_w
        print(f"  write_excel (XlsxWriter):      {ours_w:6.2f} s   {ratio:4.1f}x faster")

        print("reading it back ...", flush=True)
        theirs, theirs_r = timed(
            lambda: pd.read_excel(theirs_path, dtype=str, engine="openpyxl")
        )
        ours, ours_r = timed(lambda: read_contacts(theirs_path))
        print(f"  pd.read_excel(dtype=str):      {theirs_r:6.2f} s")
        ratio = theirs_r / ours_r
        print(f"  read_contacts (calamine):      {ours_r:6.2f} s   {ratio:4.1f}x faster")

        same_read = ours.astype(object).equals(theirs.astype(object))
        print(f"identical cells read (ours vs pandas+openpyxl): {same_read}")
        written_back = read_contacts(ours_path)
        same_written = written_back.astype(object).equals(ours.astype(object))
        print(f"identical cells written (write_excel vs to_excel, read back): {same_written}")
        print(f"leading zeros kept: {ours['mobile'].str.startswith('0').all()}")
        print(
            f"targets: read >= 4x: {theirs_r / ours_r >= 4}, write >= 2x: {theirs_w / ours_w >= 2}"
        )

        print("CSV for people ...", flush=True)
        plain_csv, ours_csv = Path(folder) / "plain.csv", Path(folder) / "ours.csv"
        risky = df.assign(name=df["name"].where(df.index % 100 != 0, "=HYPERLINK(1)"))
        _, plain_t = timed(lambda: risky.to_csv(plain_csv, index=False, encoding="utf-8-sig"))
        _, ours_t = timed(lambda: write_csv(risky, ours_csv, progress=False))
        print(f"  df.to_csv:                     {plain_t:6.2f} s")
        print(f"  write_csv (inert, atomic):     {ours_t:6.2f} s   "
              f"{ours_t / plain_t:4.1f}x the time")
        back = read_contacts(ours_csv)
        same = back["name"].tolist() == risky["name"].tolist()
        print(f"round trip write_csv -> read_contacts identical: {same}")

        print("cleaning the workbook into a new one ...", flush=True)
        cleaned, clean_t = timed(lambda: clean_workbook(ours_path, Path(folder) / "clean.xlsx",
                                                        progress=False))
        print(f"  clean_workbook (read, clean, write): {clean_t:6.2f} s, "
              f"{rows / clean_t:,.0f} rows/s; 'orders' kept as "
              f"{cleaned.frame['orders'].dtype} (numbers stay numbers)")


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:2]])
