"""Dask: ddf.miogram.clean_phones() on a local cluster gives exactly what pandas gives."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from miogram_toolkit import phones

dd = pytest.importorskip("dask.dataframe", reason="the dask extra (in the dev extra)")
distributed = pytest.importorskip("distributed", reason="the dask extra (in the dev extra)")

import miogram_toolkit.accessors.dask_accessor  # noqa: E402, F401  (registers ddf.miogram)


def _contacts(n: int) -> pd.DataFrame:
    rng = random.Random(5)
    shapes = [
        lambda: f"0912 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        lambda: f"+98 935 100 {rng.randint(1000, 1030)}",  # many repeats, across partitions
        lambda: "09121000001",
        lambda: "9.12E+09",
        lambda: f"0912100{rng.randint(1000, 9999)} ::: 0935100{rng.randint(1000, 9999)}",
        lambda: "0912 123 4567 ext 12",
        lambda: None,
        lambda: "021 8888 1234",
    ]
    return pd.DataFrame(
        {
            "name": [f"Contact {i}" for i in range(n)],
            "mobile": [rng.choice(shapes)() for _ in range(n)],
        },
        index=pd.RangeIndex(100, 100 + n),
    )


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.mark.parametrize("split_multiple", [False, True])
def test_dask_cleaning_equals_pandas_on_a_local_cluster(client, split_multiple):
    df = _contacts(2000)
    ddf = dd.from_pandas(df, npartitions=5)
    result = client.compute(ddf.miogram.clean_phones(split_multiple=split_multiple)).result()
    # pandas on the very frame Dask holds (Dask may store text as Arrow strings)
    expected = phones.clean_phones(
        ddf.compute(), "mobile", split_multiple=split_multiple, extension=True
    )
    pd.testing.assert_frame_equal(result, expected)
    plain = phones.clean_phones(df, "mobile", split_multiple=split_multiple)
    assert result["e164"].tolist() == plain["e164"].tolist()
    assert result["phone_status"].tolist() == plain["phone_status"].tolist()
    # the global view: repeats in later partitions are duplicates, as in pandas
    assert (result["phone_status"] == "duplicate").sum() > 100


def test_dask_without_dedupe_and_lazy(client):
    ddf = dd.from_pandas(_contacts(300), npartitions=3)
    lazy = ddf.miogram.clean_phones("mobile", dedupe=False)
    assert list(lazy.columns) == ["name", "mobile", "e164", "phone_status", "phone_extension"]
    expected = phones.clean_phones(ddf.compute(), "mobile", dedupe=False, extension=True)
    pd.testing.assert_frame_equal(client.compute(lazy).result(), expected)
