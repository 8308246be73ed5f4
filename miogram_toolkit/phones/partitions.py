"""Phone cleaning on Dask DataFrames, partition by partition, with the pandas engine's answers.

Contact bases too big for one machine's memory are cleaned partition by partition with the same
engine, so every row gets exactly the answer pandas gives it. Dedupe needs a global view (a
number repeated in a later partition is a ``duplicate``): each partition marks its rows with
their place in the frame, one small groupby finds the first place of every ``ok`` number (the
E.164 number as an integer, 16 bytes per distinct number), and a second partition-wise pass
marks the later ones. The result equals ``clean_phones`` on the whole frame, in the same order.

::

    partitions ─► clean (no dedupe) + place ─┬─► ok numbers ─► groupby min(place) ─┐
                                             └──────────────► mark later places ◄──┘ ─► result

Dask is the optional extra ``pip install 'miogram-toolkit[dask]'``; this module imports it, so
it is loaded only by the Dask accessor (:mod:`miogram_toolkit.accessors.dask_accessor`).

Example:
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> df = pd.DataFrame({"phone": ["09121234567", "0912 123 4567", "x", "+989121234567"]})
    >>> ddf = dd.from_pandas(df, npartitions=2)
    >>> clean_partitions(ddf, "phone").compute()["phone_status"].tolist()
    ['ok', 'duplicate', 'invalid', 'duplicate']
"""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd

from miogram_toolkit.phones.clean import clean_phones as clean_frame

__all__ = ["clean_partitions"]

_KEY, _PLACE = "_miogram_key", "_miogram_place"
_ROWS_PER_PARTITION = 1 << 40  # places are partition * 2**40 + position


def _stage(
    part: pd.DataFrame,
    column: str,
    region: str,
    mobile_only: bool,
    split_multiple: bool,
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    out = clean_frame(
        part,
        column,
        region,
        mobile_only=mobile_only,
        dedupe=False,
        split_multiple=split_multiple,
        extension=True,
    )
    number = 0 if partition_info is None else int(partition_info["number"])
    ok = (out["phone_status"] == "ok").to_numpy(dtype=bool)
    key = np.zeros(len(out), dtype=np.int64)
    key[ok] = [int(e[1:]) for e in out["e164"].to_numpy(dtype=object)[ok]]
    return out.assign(
        **{
            _KEY: key,
            _PLACE: number * _ROWS_PER_PARTITION + np.arange(len(out), dtype=np.int64),
        }
    )


def _mark(part: pd.DataFrame, first: pd.Series) -> pd.DataFrame:
    key = part[_KEY].to_numpy()
    later = key != 0
    later[later] = first.reindex(key[later]).to_numpy() != part[_PLACE].to_numpy()[later]
    status = part["phone_status"].copy()
    status[later] = "duplicate"
    return part.drop(columns=[_KEY, _PLACE]).assign(phone_status=status)


def clean_partitions(
    ddf: dd.DataFrame,
    column: str,
    region: str = "IR",
    *,
    mobile_only: bool = True,
    dedupe: bool = True,
    split_multiple: bool = False,
) -> dd.DataFrame:
    """The Dask version of :func:`miogram_toolkit.phones.clean_phones`: same rows, same answers.

    Lazy: nothing is computed until the result is. The result always has the
    ``phone_extension`` column (a Dask frame's columns are known before its data is).

    Args:
        ddf: the contacts, a Dask DataFrame.
        column: the phone column.
        region: the region numbers without a country code belong to.
        mobile_only: only mobile numbers are ``ok``.
        dedupe: repeats of an earlier ``ok`` number, in any partition, are ``duplicate``.
        split_multiple: one row per number for cells holding several.

    Example:
        >>> import dask.dataframe as dd
        >>> ddf = dd.from_pandas(pd.DataFrame({"tel": ["09121234567"]}), npartitions=1)
        >>> clean_partitions(ddf, "tel").compute()["e164"].tolist()
        ['+989121234567']
    """
    meta = clean_frame(ddf._meta, column, region, mobile_only=mobile_only, extension=True)
    stage_meta = meta.assign(**{_KEY: np.int64(0), _PLACE: np.int64(0)})
    staged = ddf.map_partitions(
        _stage, column, region, mobile_only, split_multiple, meta=stage_meta
    )
    if not dedupe:
        return staged.drop(columns=[_KEY, _PLACE])
    first = staged[staged[_KEY] != 0].groupby(_KEY)[_PLACE].min()
    return staged.map_partitions(_mark, first, meta=meta, align_dataframes=False)
