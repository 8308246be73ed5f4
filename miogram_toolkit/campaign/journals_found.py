"""Finding the campaigns' journals on this machine, and when the newest of them last sent.

Journals live in the user data folder (``data_path("journals")``); journals of earlier versions
in a ``miogram_journals/`` folder beside the working directory are found too. The newest send a
journal records is what proves the service's report log frozen when the log's newest row is
older (the service's implementation lists an account's *first* 1000 rows forever).

Example:
    >>> import os, tempfile
    >>> os.environ["MIOGRAM_HOME"] = tempfile.mkdtemp()
    >>> known_journals(), newest_send([])
    ([], None)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from miogram_toolkit.campaign.identity import LEGACY_JOURNAL_DIR
from miogram_toolkit.local import data_path

__all__ = ["LISTED", "known_journals", "newest_send"]

#: At most this many journals are listed, newest first.
LISTED = 50


def known_journals(*folders: Path) -> list[Path]:
    """Campaign journals, newest first: in ``folders``, the data folder and the legacy folder."""
    places = [*folders, data_path("journals"), Path.cwd() / LEGACY_JOURNAL_DIR]
    found: dict[Path, float] = {}
    for folder in places:
        if folder.is_dir():
            for path in folder.glob("*.sqlite"):
                found.setdefault(path.resolve(), path.stat().st_mtime)
    return sorted(found, key=lambda path: found[path], reverse=True)[:LISTED]


def newest_send(journals: Iterable[Path], *, look_at: int = 3) -> pd.Timestamp | None:
    """When the newest of the first ``look_at`` readable journals last sent, if any."""
    from miogram_toolkit.campaign.core import Campaign

    for number, journal in enumerate(journals):
        if number >= look_at:
            break
        try:
            sent = Campaign.status(journal).rows["sent_at"].max()
        except Exception:  # not a journal (or one being written): the next one
            continue
        if pd.notna(sent):
            return pd.Timestamp(sent)
    return None
