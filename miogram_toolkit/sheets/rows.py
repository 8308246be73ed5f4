"""The row a person sees in the spreadsheet, for every row of a frame read from it.

``read_contacts`` numbers a frame's rows 0, 1, 2… as pandas does, but a person looks for "row
77" in Excel: the header and title rows stand above, and blank rows are skipped. The reader
keeps the sheet's row numbers as a few runs in ``attrs["row_runs"]``; :func:`sheet_rows` turns
a frame's index labels back into them, so messages and reports name the row the user can find.
A frame without that record (built in code) counts its header as row 1: label ``i`` is row
``i + 2``.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"phone": ["a", "b", "c"]})
    >>> frame.attrs["row_runs"] = ((3, 4), (7, 7))
    >>> sheet_rows(frame).tolist()
    [3, 4, 7]
    >>> sheet_row(frame, 2)
    7
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["sheet_row", "sheet_rows"]


def _numbers(frame: pd.DataFrame) -> np.ndarray | None:
    runs = frame.attrs.get("row_runs")
    if not runs:
        return None
    return np.concatenate([np.arange(a, b + 1) for a, b in runs])


def sheet_rows(frame: pd.DataFrame) -> pd.Series:
    """The spreadsheet's row number of each row of ``frame`` (aligned on its index).

    Rows the reader did not give (labels that are not 0…n-1 positions of the read) are
    counted as ``label + 2`` when the label is a whole number, else missing.
    """
    numbers = _numbers(frame)
    labels = frame.index
    out = pd.Series(pd.array([None] * len(labels), dtype="Int64"), index=labels, name="row")
    if pd.api.types.is_integer_dtype(labels.dtype):
        positions = np.asarray(labels, dtype=np.int64)
        if numbers is not None:
            known = (positions >= 0) & (positions < len(numbers))
            values = np.where(known, numbers[np.clip(positions, 0, max(len(numbers) - 1, 0))]
                              if len(numbers) else 0, positions + 2)
        else:
            values = positions + 2
        out[:] = values
    return out


def sheet_row(frame: pd.DataFrame, label: Any) -> int | None:
    """The spreadsheet's row number of one index label of ``frame`` (None if unknown)."""
    if isinstance(label, bool) or not isinstance(label, int | np.integer):
        return None
    numbers = _numbers(frame)
    if numbers is not None and 0 <= int(label) < len(numbers):
        return int(numbers[int(label)])
    return int(label) + 2
