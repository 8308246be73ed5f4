"""Reading a campaign journal of any format for the account's ledger (:mod:`.ledger`).

:func:`read_journal` gives the numbers a journal messaged or may have messaged — its delivered,
unknown and in-flight rows — with the campaign's name and a key that changes whenever the file
does, so :meth:`~miogram_toolkit.campaign.ledger.Ledger.seed_from_journals` reads each version
of a journal once. It reads the first format (rows by position, ``e164`` or ``number``) and the
later ones keyed by number, and passes over a journal that names another account.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> read_journal(Path(tempfile.mkdtemp()) / "none.sqlite") is None
    True
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["SEEDED_STATES", "read_journal"]

#: Journal states that mean "messaged or possibly messaged" (what seeding reads).
SEEDED_STATES = ("delivered", "unknown", "in_flight")


def read_journal(path: Path, account: str = ""
                  ) -> tuple[str, str, list[tuple[str, str, float]]] | None:
    """``(seed key, campaign, [(number, state, at)])`` of a journal of ``account`` (or of no
    named account), or None if it is none."""
    try:
        stat = path.stat()
    except OSError:
        return None
    if not path.is_file() or stat.st_size == 0:
        return None
    key = f"{path.resolve()}:{stat.st_mtime_ns}:{stat.st_size}"
    # mode=rw, not ro: a read-only connection cannot remove the -wal and -shm files it makes
    # beside a journal; nothing here writes.
    uri = path.resolve().as_uri() + "?mode=rw"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if account and meta.get("account") and meta["account"] != account:
            return None
        columns = {row[1] for row in db.execute("PRAGMA table_info(recipients)")}
        number = "e164" if "e164" in columns else "number" if "number" in columns else None
        if number is None or "state" not in columns:
            return None
        when = [c for c in ("sent_at", "updated_at") if c in columns]
        at = f"coalesce({', '.join(when)}, 0)" if when else "0"
        marks = ",".join("?" * len(SEEDED_STATES))
        found = db.execute(f"SELECT {number}, state, {at} FROM recipients "
                           f"WHERE state IN ({marks}) AND {number} IS NOT NULL",
                           SEEDED_STATES).fetchall()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    campaign = str(meta.get("campaign_id") or meta.get("campaign") or meta.get("name")
                   or path.stem)
    rows = [(str(n), "delivered" if s == "delivered" else "unknown", float(a or 0))
            for n, s, a in found]
    return key, campaign, rows
