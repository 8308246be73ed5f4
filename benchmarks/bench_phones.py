"""Benchmark: clean a million messy, all-distinct phone cells with ``df.miogram.clean_phones``.

Prints rows per second, the speed-up over the naive per-row phonenumbers pipeline (run on a
sample and scaled), whether both give identical answers on that sample, and peak memory against
the input frame. A script, not a test: run ``python benchmarks/bench_phones.py [rows] [sample]``.

Example:
    $ .venv/bin/python benchmarks/bench_phones.py 1000000 100000
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

import miogram_toolkit  # noqa: F401  (registers df.miogram)
from miogram_toolkit.phones.clean import _CHUNK, naive_phone_report, phone_report
from miogram_toolkit.phones.codepoints import normalise_matrix
from miogram_toolkit.phones.matrix import parse_matrix
from miogram_toolkit.phones.normalise import KIND_NUMBER

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def messy_rows(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` distinct cells in the shapes real sheets hold; every cell comes from its own number."""
    rng = np.random.default_rng(seed)
    # i -> (i * 3**18 + c) mod 10**k is a bijection for i < 10**k, so every row's digits differ.
    tail7 = (np.arange(n, dtype=np.int64) * 387_420_489 + 12_345) % 10_000_000
    tail8 = (np.arange(n, dtype=np.int64) * 387_420_489 + 54_321) % 100_000_000
    shape = rng.integers(0, 22, size=n)
    prefixes = np.array(["912", "935", "901", "990", "921", "939", "919", "936"])
    heads = prefixes[rng.integers(0, len(prefixes), size=n)]
    cells: list[object] = []
    for i in range(n):
        t = f"{tail8[i]:08d}"
        national = f"{heads[i]}{tail7[i]:07d}"  # 10 digits, 9xx...
        a, b, c = national[:3], national[3:6], national[6:]
        k = shape[i]
        if k == 0:
            cells.append(f"0{a} {b} {c}")
        elif k == 1:
            cells.append(f"0{a}-{b}-{c}")
        elif k == 2:
            cells.append(f"+98 {a} {b} {c}")
        elif k == 3:
            cells.append(f"0098{national}")
        elif k == 4:
            cells.append(f"98{national}")
        elif k == 5:
            cells.append(national)
        elif k == 6:
            cells.append(f"0{national}".translate(PERSIAN))
        elif k == 7:
            cells.append(f"موبایل: {('0' + a + ' ' + b + ' ' + c).translate(PERSIAN)}")
        elif k == 8:
            cells.append(f"tel: 0{a} {b} {c}")
        elif k == 9:
            cells.append(float(national))
        elif k == 10:
            cells.append(int(national))
        elif k == 11:
            cells.append(f"{national[0]}.{national[1:]}E9")
        elif k == 12:
            cells.append(f"(0{a}) {b}.{c}")
        elif k == 13:
            cells.append(f"+۹۸ {national}".translate(ARABIC))
        elif k == 14:  # Tehran landline: valid, not mobile
            cells.append(f"021 {t[:4]} {t[4:]}")
        elif k == 15:  # too short
            cells.append(f"09{t}")
        elif k == 16:  # too long
            cells.append(f"0{national}5")
        elif k == 17:  # wrong pattern
            cells.append(f"0 70 {t}")
        elif k == 18:  # foreign, UK mobile
            cells.append(f"+44 7{t[:3]} {t[3:]}0")
        elif k == 19:  # foreign, Germany, with 00
            cells.append(f"0049 151 {t}")
        elif k == 20:  # US, with +1
            cells.append(f"+1 (4{t[:2]}) {t[2:5]}-{t[5:]}0")
        else:  # two numbers in one cell
            cells.append(f"0{a} {b} {c} / 0935 {t[:3]} {t[3:7]}")
    names = [f"Contact {i}" for i in range(n)]
    return pd.DataFrame({"name": names, "phone": pd.Series(cells, dtype=object)})


def stage_times(cells: np.ndarray, region: str = "IR") -> tuple[float, float]:
    """Seconds spent normalising and parsing ``cells``, block by block as clean_phones does."""
    normalise_s = parse_s = 0.0
    for start in range(0, len(cells), _CHUNK):
        begin = time.perf_counter()
        block = normalise_matrix(cells[start : start + _CHUNK])
        middle = time.perf_counter()
        number = np.flatnonzero(block.kind == KIND_NUMBER)
        parse_matrix(block.plus[number], block.digits[number], block.count[number], region)
        normalise_s += middle - begin
        parse_s += time.perf_counter() - middle
    return normalise_s, parse_s


def main(rows: int = 1_000_000, sample: int = 100_000) -> None:
    print(f"building {rows:,} messy all-distinct rows ...", flush=True)
    df = messy_rows(rows)
    assert df["phone"].map(repr).is_unique, "benchmark rows must be distinct"
    frame_bytes = int(df.memory_usage(deep=True).sum())
    phone_bytes = int(df["phone"].memory_usage(deep=True))

    gc.collect()
    start = time.perf_counter()
    cleaned = df.miogram.clean_phones("phone")
    fast_s = time.perf_counter() - start
    print(f"vectorised clean_phones: {fast_s:.2f} s for {rows:,} rows, {rows / fast_s:,.0f} rows/s")
    normalise_s, parse_s = stage_times(df["phone"].to_numpy(dtype=object))
    print(
        f"  stages (timed again, separately): normalise {normalise_s:.2f} s, "
        f"parse {parse_s:.2f} s, the rest (statuses, dedupe, E.164 text, frame) "
        f"~{max(fast_s - normalise_s - parse_s, 0):.2f} s"
    )

    part = df["phone"].iloc[:sample]
    start = time.perf_counter()
    naive = naive_phone_report(part)
    naive_s = time.perf_counter() - start
    naive_full = naive_s * rows / sample
    print(
        f"naive per-row phonenumbers: {naive_s:.2f} s on a {sample:,}-row sample, "
        f"scaled to {rows:,} rows = {naive_full:.1f} s ({sample / naive_s:,.0f} rows/s)"
    )
    print(f"speed-up: {naive_full / fast_s:.1f}x faster than naive")

    fast = phone_report(part)
    same = all(fast[c].astype(object).equals(naive[c].astype(object)) for c in fast.columns)
    same_clean = cleaned["e164"].iloc[:sample].astype(object).equals(
        naive["e164"].astype(object)
    ) and cleaned["phone_status"].iloc[:sample].astype(object).equals(
        naive["phone_status"].astype(object)
    )
    print(f"identical to naive on the {sample:,}-row sample: {same and same_clean}")
    print("status counts:", cleaned["phone_status"].value_counts(sort=False).to_dict())
    del cleaned, fast, naive
    gc.collect()

    tracemalloc.start()
    df.miogram.clean_phones("phone")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak memory while cleaning (tracemalloc): {peak / 2**20:,.0f} MiB = "
        f"{peak / frame_bytes:.2f}x the input frame "
        f"({frame_bytes / 2**20:,.0f} MiB, name + phone), "
        f"{peak / phone_bytes:.2f}x its phone column ({phone_bytes / 2**20:,.0f} MiB)"
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
