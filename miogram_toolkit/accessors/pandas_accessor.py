"""The ``.miogram`` accessors on pandas Series and DataFrames.

Importing :mod:`miogram_toolkit` registers them. They are thin namespaces over
:mod:`miogram_toolkit.phones.clean`: they check their object once when created, keep no cached state
and never change the Series or frame they are attached to; every method returns a new object.

Example:
    >>> import pandas as pd
    >>> import miogram_toolkit  # registers .miogram
    >>> pd.Series(["0912 123 4567"]).miogram.to_e164().tolist()
    ['+989121234567']
    >>> df = pd.DataFrame({"phone": ["0912 123 4567", "0912-123-4567", ""]})
    >>> df.miogram.clean_phones("phone").miogram.sendable()["e164"].tolist()
    ['+989121234567']
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from miogram_toolkit.campaign import Campaign


def _phones() -> ModuleType:
    # Imported on first use, so registering the accessors does not load phonenumbers.
    from miogram_toolkit import phones

    return phones


@pd.api.extensions.register_series_accessor("miogram")
class MiogramSeriesAccessor:
    """``s.miogram``: phone cleaning for one column.

    Holds only a reference to the Series; never modifies it.
    """

    def __init__(self, series: pd.Series) -> None:
        if not isinstance(series, pd.Series):  # pragma: no cover - pandas passes a Series
            raise TypeError("The .miogram Series accessor needs a pandas Series.")
        self._obj = series

    def to_e164(self, region: str = "IR", mobile_only: bool = True) -> pd.Series:
        """E.164 strings (dtype ``"string"``), ``pd.NA`` where not usable; same index and length.

        See :func:`miogram_toolkit.phones.clean.to_e164`.

        Example:
            >>> pd.Series(["+98 912 123 4567", None]).miogram.to_e164().tolist()
            ['+989121234567', <NA>]
        """
        return _phones().to_e164(self._obj, region, mobile_only=mobile_only)

    def phone_report(
        self, region: str = "IR", mobile_only: bool = True, dedupe: bool = True
    ) -> pd.DataFrame:
        """One row per value: ``raw``, ``e164``, ``phone_status`` and ``number_type``.

        See :func:`miogram_toolkit.phones.clean.phone_report` for the status codes.

        Example:
            >>> pd.Series(["09121234567", "123"]).miogram.phone_report()["phone_status"].tolist()
            ['ok', 'too_short']
        """
        return _phones().phone_report(self._obj, region, mobile_only=mobile_only, dedupe=dedupe)


@pd.api.extensions.register_dataframe_accessor("miogram")
class MiogramFrameAccessor:
    """``df.miogram``: clean a contact frame, pick the sendable rows, summarise.

    Holds only a reference to the frame; never modifies it.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        if not isinstance(frame, pd.DataFrame):  # pragma: no cover - pandas passes a frame
            raise TypeError("The .miogram DataFrame accessor needs a pandas DataFrame.")
        self._obj = frame

    def clean_phones(
        self,
        column: str | None = None,
        region: str = "IR",
        mobile_only: bool = True,
        dedupe: bool = True,
        split_multiple: bool = False,
    ) -> pd.DataFrame:
        """A new frame with every row and column plus ``e164`` and ``phone_status``.

        When ``column`` is None the phone column is found by
        ``miogram_toolkit.sheets.find_phone_column``. ``split_multiple=True`` gives each number
        of a cell holding several its own row (a copy of the source row). See
        :func:`miogram_toolkit.phones.clean.clean_phones`.

        Example:
            >>> df = pd.DataFrame({"phone": ["09121234567", "09121234567"]})
            >>> df.miogram.clean_phones("phone")["phone_status"].tolist()
            ['ok', 'duplicate']
        """
        if column is None:
            from miogram_toolkit.sheets import find_phone_column

            column = find_phone_column(self._obj, region)
        return _phones().clean_phones(
            self._obj,
            column,
            region,
            mobile_only=mobile_only,
            dedupe=dedupe,
            split_multiple=split_multiple,
        )

    def sendable(self) -> pd.DataFrame:
        """The rows whose ``phone_status`` is ``ok`` (needs :meth:`clean_phones` output).

        Example:
            >>> df = pd.DataFrame({"phone": ["09121234567", "x"]})
            >>> len(df.miogram.clean_phones("phone").miogram.sendable())
            1
        """
        return _phones().sendable(self._obj)

    def summary(self) -> pd.DataFrame:
        """Counts and percentages per ``phone_status``, with a total row (needs cleaned frame).

        Example:
            >>> df = pd.DataFrame({"phone": ["09121234567", "x"]})
            >>> df.miogram.clean_phones("phone").miogram.summary().loc["invalid", "count"]
            np.int64(1)
        """
        return _phones().phone_summary(self._obj)

    def campaign(self, message: str | None = None, **options: Any) -> Campaign:
        """A :class:`miogram_toolkit.campaign.Campaign` of this frame (nothing is sent yet).

        Takes the same options as ``Campaign``; the frame may be cleaned or not.

        Example:
            >>> df = pd.DataFrame({"mobile": ["09121000001", "x"]})
            >>> df.miogram.campaign("Hi", client=object(), journal=":memory:").plan.rows[
            ...     "reason"].tolist()
            [<NA>, 'phone_invalid']
        """
        from miogram_toolkit.campaign import Campaign

        return Campaign(self._obj, message, **options)

    def send(self, message: str | None = None, *, dry_run: bool = False,
             progress: bool = True, **options: Any) -> pd.DataFrame:
        """Run a campaign of this frame and return its results (or the plan with ``dry_run``).

        Same options as :class:`miogram_toolkit.campaign.Campaign`; running it again with the
        same journal resumes.

        Example:
            >>> import os, tempfile
            >>> from miogram_toolkit.client import Client
            >>> from miogram_toolkit.simulator import Simulator
            >>> df = pd.DataFrame({"mobile": ["09121000001", "09121000001"]})
            >>> with Simulator(start=False, unreachable_share=0.0) as sim:
            ...     out = df.miogram.send("Hi", client=Client.to(sim), rate_per_minute=None,
            ...                           journal=os.path.join(tempfile.mkdtemp(), "j.sqlite"),
            ...                           progress=False)
            >>> out["state"].tolist()
            ['delivered', 'skipped']
        """
        return self.campaign(message, **options).run(progress=progress, dry_run=dry_run)


def _register_dask() -> None:
    # Dask is optional and heavy: its accessor is registered here only when the caller has
    # already loaded dask.dataframe; otherwise importing
    # miogram_toolkit.accessors.dask_accessor does it.
    if "dask.dataframe" in sys.modules:
        import miogram_toolkit.accessors.dask_accessor  # noqa: F401


_register_dask()
