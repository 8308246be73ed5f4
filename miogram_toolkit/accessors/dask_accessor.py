"""``ddf.miogram`` on Dask DataFrames: a thin namespace over the partition-wise cleaner.

The work is :func:`miogram_toolkit.phones.partitions.clean_partitions` (same rows, same answers as
pandas, dedupe across partitions); this module finds the phone column when it is not named and
registers the accessor. Importing it registers ``ddf.miogram`` (importing
:mod:`miogram_toolkit` does it too when :mod:`dask.dataframe` is already imported). Dask is the
optional extra ``pip install 'miogram-toolkit[dask]'``.

Example:
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> df = pd.DataFrame({"phone": ["09121234567", "0912 123 4567", "x", "+989121234567"]})
    >>> ddf = dd.from_pandas(df, npartitions=2)
    >>> ddf.miogram.clean_phones("phone").compute()["phone_status"].tolist()
    ['ok', 'duplicate', 'invalid', 'duplicate']
"""

from __future__ import annotations

import warnings

import dask.dataframe as dd
from dask.dataframe.extensions import register_dataframe_accessor

from miogram_toolkit.phones.partitions import clean_partitions
from miogram_toolkit.sheets.detect import find_phone_column

__all__ = ["DaskFrameAccessor", "clean_phones"]


def clean_phones(
    ddf: dd.DataFrame,
    column: str | None = None,
    region: str = "IR",
    *,
    mobile_only: bool = True,
    dedupe: bool = True,
    split_multiple: bool = False,
) -> dd.DataFrame:
    """The Dask version of :func:`miogram_toolkit.phones.clean_phones`: same rows, same answers.

    Lazy: nothing is computed until the result is. ``column`` is found from the first
    partition's rows when None; the rest is
    :func:`~miogram_toolkit.phones.partitions.clean_partitions`.

    Example:
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> ddf = dd.from_pandas(pd.DataFrame({"tel": ["09121234567"]}), npartitions=1)
        >>> clean_phones(ddf).compute()["e164"].tolist()
        ['+989121234567']
    """
    if column is None:
        with warnings.catch_warnings():  # a first partition of fewer rows is fine
            warnings.simplefilter("ignore", UserWarning)
            column = find_phone_column(ddf.head(1000, npartitions=1), region)
    return clean_partitions(ddf, column, region, mobile_only=mobile_only, dedupe=dedupe,
                            split_multiple=split_multiple)


@register_dataframe_accessor("miogram")
class DaskFrameAccessor:
    """``ddf.miogram`` on Dask DataFrames: :meth:`clean_phones`, partition-wise.

    Holds only a reference to the frame; never modifies it.
    """

    def __init__(self, frame: dd.DataFrame) -> None:
        self._obj = frame

    def clean_phones(
        self,
        column: str | None = None,
        region: str = "IR",
        mobile_only: bool = True,
        dedupe: bool = True,
        split_multiple: bool = False,
    ) -> dd.DataFrame:
        """See :func:`clean_phones` (this module).

        Example:
            >>> import dask.dataframe as dd
            >>> import pandas as pd
            >>> ddf = dd.from_pandas(pd.DataFrame({"phone": ["09121234567"]}), npartitions=1)
            >>> ddf.miogram.clean_phones("phone").compute()["phone_status"].tolist()
            ['ok']
        """
        return clean_phones(
            self._obj,
            column,
            region,
            mobile_only=mobile_only,
            dedupe=dedupe,
            split_multiple=split_multiple,
        )
