"""The one CSV writer: for people (inert in spreadsheets, Tehran time) or for machines (UTC).

Every CSV the toolkit writes goes through :func:`write_csv` (the ``miogram`` commands'
``clean --out x.csv``, ``send --out x.csv``, ``report --out x.csv`` included), and
:func:`write_table` picks it or :func:`~miogram_toolkit.sheets.write_excel` by the extension.

For people (``for_people=True``, the default):

* text cells that a spreadsheet would run as a formula get a leading ``'``
  (:mod:`~miogram_toolkit.sheets.inert`); :func:`~miogram_toolkit.sheets.read_contacts` takes
  it back, so a cleaned CSV can be sent as it is;
* times with a zone are shown on Tehran's clock, named, with the Jalali date beside
  (:func:`~miogram_toolkit.protocol.clock.with_time_columns`);
* UTF-8 with a byte-order mark, so Excel reads Persian right.

For machines (``for_people=False``): cells as they are, times in UTC named ``X (UTC)``, UTF-8
without a mark.

The file is written whole through a temporary file in its folder and renamed into place
(:func:`~miogram_toolkit.local.atomic_write`); an existing file is replaced only with
``force=True``; it keeps the mode the umask gives (a report is meant to be shared) unless
``private=True``. Big frames show a progress bar.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> frame = pd.DataFrame({"name": ["=HYPERLINK(1)"], "e164": ["+989121000001"]})
    >>> path = write_csv(frame, Path(tempfile.mkdtemp()) / "out.csv")
    >>> path.read_text(encoding="utf-8-sig").splitlines()
    ['name,e164', "'=HYPERLINK(1),+989121000001"]
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from miogram_toolkit.local import atomic_write
from miogram_toolkit.protocol.clock import label_utc, with_time_columns
from miogram_toolkit.sheets.errors import ContactFileError
from miogram_toolkit.sheets.inert import inert_text, make_inert
from miogram_toolkit.sheets.output import check_target, progress_bar
from miogram_toolkit.sheets.writing import write_excel

__all__ = ["people_frame", "write_csv", "write_table"]

_CHUNK = 50_000


def _zoned(frame: pd.DataFrame) -> list[object]:
    # Only times that carry a zone are the toolkit's moments; a naive date in the user's own
    # sheet ("Joined") is a wall-clock value and stays exactly as given.
    return [name for name in frame.columns
            if isinstance(frame[name].dtype, pd.DatetimeTZDtype)]


def people_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a CSV for people holds it: inert texts and headers, Tehran times.

    Example:
        >>> people_frame(pd.DataFrame({"@x": ["-1+1"]})).to_dict("list")
        {"'@x": ["'-1+1"]}
    """
    shown = with_time_columns(frame, _zoned(frame))
    shown.columns = [inert_text(str(name)) for name in shown.columns]
    for i in range(shown.shape[1]):
        shown.isetitem(i, make_inert(shown.iloc[:, i]))
    return shown


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *, for_people: bool = True,
              force: bool = False, private: bool = False, index: bool = False,
              progress: bool | None = None) -> Path:
    """Write ``frame`` to a CSV file, whole, for people or for machines.

    Args:
        frame: the table; not changed.
        path: a ``.csv`` file in an existing folder.
        for_people: inert cells, Tehran time with Jalali dates, a BOM for Excel (see the
            module); False writes the cells as they are with UTC times, labelled.
        force: replace an existing file (otherwise refused in one sentence).
        private: owner-only (0600) instead of the umask's mode: for files of personal data
            that are not meant to be shared.
        index: write the index as the first column.
        progress: True/False to show a bar or not; None shows one for big frames.

    Returns:
        The path written.

    Raises:
        ContactFileError: the extension, a missing folder, an existing file without ``force``
            (:class:`~miogram_toolkit.sheets.output.OutputExists`), or the disk refusing.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> times = pd.DataFrame({"sent_at": pd.to_datetime(["2026-03-20 20:45"], utc=True)})
        >>> folder = Path(tempfile.mkdtemp())
        >>> write_csv(times, folder / "m.csv", for_people=False).read_text().splitlines()
        ['sent_at (UTC)', '2026-03-20 20:45:00+00:00']
        >>> write_csv(times, folder / "p.csv").read_text("utf-8-sig").splitlines()[1]
        '2026-03-21 00:15:00,1405/01/01'
    """
    target = check_target(path, (".csv",), force=force)
    if for_people:
        shown, encoding = people_frame(frame), "utf-8-sig"
    else:
        shown, encoding = label_utc(frame, _zoned(frame)), "utf-8"
    bar = progress_bar(len(shown), f"writing {target.name}", progress)
    try:
        with atomic_write(target, private=private) as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")
            for start in range(0, max(len(shown), 1), _CHUNK):
                part = shown.iloc[start:start + _CHUNK]
                part.to_csv(text, index=index, header=start == 0, lineterminator="\r\n"
                            if for_people else "\n")
                bar.update(len(part))
            text.flush()
            text.detach()
    except OSError as exc:
        raise ContactFileError(f"Cannot write '{target}': {exc.strerror or exc}.",
                               path=target) from None
    finally:
        bar.close()
    return target


def write_table(frames: pd.DataFrame | Mapping[str, pd.DataFrame],
                path: str | os.PathLike[str], *, for_people: bool = True, force: bool = False,
                private: bool = False, progress: bool | None = None) -> Path:
    """A table to ``.xlsx`` (phones as text, several sheets) or ``.csv`` (one sheet), whole.

    The one writer behind the commands' ``--out``: the extension chooses. A mapping of sheets
    written to CSV must hold exactly one.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> out = Path(tempfile.mkdtemp()) / "clean.xlsx"
        >>> write_table({"contacts": pd.DataFrame({"e164": ["+989121000001"]})}, out).name
        'clean.xlsx'
    """
    target = check_target(path, (".csv", ".xlsx"), force=force)
    if target.suffix.lower() == ".xlsx":
        if for_people:
            sheets = {"Sheet1": frames} if isinstance(frames, pd.DataFrame) else dict(frames)
            frames = {name: with_time_columns(frame, _zoned(frame))
                      for name, frame in sheets.items()}
        return write_excel(frames, target, private=private, progress=progress)
    if not isinstance(frames, pd.DataFrame):
        if len(frames) != 1:
            raise ContactFileError(
                f"Cannot write '{target}': a CSV file holds one sheet and there are "
                f"{len(frames)}; write a .xlsx file instead.", path=target)
        frames = next(iter(frames.values()))
    return write_csv(frames, target, for_people=for_people, force=True, private=private,
                     progress=progress)
