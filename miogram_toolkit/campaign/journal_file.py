"""The journal's file: created private, one file between transactions, refused when not ours.

* **Private.** A new journal is created 0600 by the call that creates it
  (:func:`miogram_toolkit.local.create_private`), before SQLite opens it — SQLite gives its
  temporary ``-journal`` file the database's mode — in a folder created 0700. A
  ``miogram_journals/`` folder of the first format, made with the umask's mode, is tightened
  when a journal in it is written again.
* **One file.** The journal uses SQLite's rollback journal (``journal_mode=DELETE``): every
  commit is in the ``.sqlite`` file itself when it returns, so a copy of that file taken at any
  moment between two transactions — after a crash too — holds every committed state. (The first
  format used WAL, where commits live in ``-wal`` until a checkpoint: a copy of the ``.sqlite``
  alone had no tables. Such journals are folded back into one file when opened.)
* **Refused in one sentence**: a file that is not an SQLite database, one that holds no campaign
  journal, and an empty file (a journal copied without its ``-wal``).
* **Formats.** ``2``: recipients keyed by number (:mod:`.journal`). ``1`` (rows keyed by their
  position in the sheet) is migrated in place when opened for writing: rows that were skipped
  because the sheet had no usable or a duplicate number move to ``sheet_skips`` (the sheet
  decides those again on every run), the others keep their state, requests and archive.

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "c.sqlite")
    >>> db, new = connect(path)
    >>> new, oct(os.stat(path).st_mode & 0o777), db.execute("PRAGMA journal_mode").fetchone()[0]
    (True, '0o600', 'delete')
    >>> db.close()
    >>> _ = open(path + ".txt", "w").write("hello")
    >>> try:
    ...     connect(path + ".txt")
    ... except NotAJournal as exc:
    ...     print(str(exc).split("' ", 1)[1][:50])
    is not a campaign journal (not an SQLite file); gi
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from miogram_toolkit.local import create_private, private_dir
from miogram_toolkit.protocol.errors import MioGramError

__all__ = ["FORMAT", "NotAJournal", "connect", "schema_sql"]

FORMAT = "2"
#: The first format's folder name: the toolkit's own, so it may be tightened.
#: Where journals of earlier versions were kept, beside the working directory.
LEGACY_JOURNAL_DIR = "miogram_journals"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS texts (id INTEGER PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS recipients (
    row INTEGER PRIMARY KEY, label TEXT, e164 TEXT, text_id INTEGER,
    state TEXT NOT NULL, reason TEXT, chunk INTEGER, agent TEXT, request INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0, sent_at REAL, updated_at REAL,
    sheet_row INTEGER, position INTEGER, hold TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS recipients_e164 ON recipients(e164);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY, chunk INTEGER, agent TEXT, func TEXT, phones TEXT, text_id INTEGER,
    size INTEGER, started_at REAL, deadline REAL, watermark INTEGER, state TEXT,
    outcome TEXT, ended_at REAL);
CREATE INDEX IF NOT EXISTS requests_state ON requests(state);
CREATE TABLE IF NOT EXISTS archive (
    seq INTEGER PRIMARY KEY, key TEXT, record TEXT, harvested_at REAL, claimed_by INTEGER);
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, at REAL, kind TEXT, message TEXT);
CREATE TABLE IF NOT EXISTS sheet_skips (
    position INTEGER PRIMARY KEY, label TEXT, sheet_row INTEGER, e164 TEXT, reason TEXT);
CREATE TABLE IF NOT EXISTS lock (
    id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL, pid INTEGER, host TEXT,
    since REAL, heartbeat REAL);
"""

# Format 1 → 2: the sheet decides unusable and duplicate rows on every run, so they go; the
# others are keyed by their number from now on.
_MIGRATE_1 = """
CREATE TABLE IF NOT EXISTS sheet_skips (
    position INTEGER PRIMARY KEY, label TEXT, sheet_row INTEGER, e164 TEXT, reason TEXT);
INSERT OR REPLACE INTO sheet_skips(position, label, sheet_row, e164, reason)
    SELECT row, label, row + 2, e164, reason FROM recipients WHERE e164 IS NULL OR
    (state = 'skipped' AND (reason LIKE 'duplicate_of:%' OR reason LIKE 'phone_%'));
DELETE FROM recipients WHERE e164 IS NULL OR (state = 'skipped' AND
    (reason LIKE 'duplicate_of:%' OR reason LIKE 'phone_%'));
DELETE FROM recipients WHERE state = 'skipped' AND row NOT IN
    (SELECT MIN(row) FROM recipients GROUP BY e164);
ALTER TABLE recipients ADD COLUMN sheet_row INTEGER;
ALTER TABLE recipients ADD COLUMN position INTEGER;
ALTER TABLE recipients ADD COLUMN hold TEXT;
UPDATE recipients SET position = row, sheet_row = row + 2;
"""


class NotAJournal(ValueError, MioGramError):
    """The file is not a campaign journal (or is an empty copy of one); the message says what to
    do."""


def schema_sql() -> str:
    """The tables of a journal of the current format."""
    return _SCHEMA


def _refuse_empty(path: Path) -> None:
    if path.stat().st_size == 0 and not Path(f"{path}-wal").exists():
        raise NotAJournal(
            f"journal {str(path)!r} is empty: it holds no campaign; if it was copied from a "
            f"campaign that was running, copy its {path.name}-wal file beside it too, otherwise "
            "delete it or give a new file name")


def _tighten_legacy_folder(folder: Path) -> None:
    # Folders of the first format were made with the umask's mode; they are the toolkit's own.
    legacy = folder.name == LEGACY_JOURNAL_DIR and folder.is_dir() and not folder.is_symlink()
    private_dir(folder, claim=legacy)


def _create(path: Path) -> bool:
    if path.parent.name == LEGACY_JOURNAL_DIR or not path.parent.exists():
        _tighten_legacy_folder(path.parent)
    # False: made meanwhile by another process, opened as it is.
    return create_private(path)


def connect(path: str | os.PathLike[str], *, read_only: bool = False
            ) -> tuple[sqlite3.Connection, bool]:
    """Open (or create) the journal at ``path``; return the connection and whether it is new.

    A journal of the first format is migrated when opened for writing.

    Raises:
        FileNotFoundError: ``read_only`` and no file there.
        NotAJournal: the file is not a campaign journal, or is an empty copy of one.
    """
    if str(path) == ":memory:":
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.executescript(_SCHEMA)
        db.execute("INSERT INTO meta(key, value) VALUES ('format', ?)", (FORMAT,))
        return db, True
    target = Path(path)
    created = False
    if read_only:
        if not target.is_file():
            raise FileNotFoundError(f"journal {str(target)!r} does not exist")
    elif not target.exists():
        created = _create(target)
    elif target.parent.name == LEGACY_JOURNAL_DIR:
        _tighten_legacy_folder(target.parent)
    if not created:
        _refuse_empty(target)
    # mode=rw even to read: a reader must be able to roll back a transaction a killed writer
    # left half done (its "hot" -journal), and to fold a first-format -wal back in.
    uri = target.resolve().as_uri() + "?mode=rw"
    db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30,
                         isolation_level=None)
    try:
        form = _format(db, target) if not created else None
        if form is None:
            db.execute("PRAGMA journal_mode=DELETE")
            db.executescript(_SCHEMA)
            db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('format', ?)", (FORMAT,))
            return db, True
        # Fold a WAL journal (first format) back into one file before anything else.
        db.execute("PRAGMA journal_mode=DELETE")
        if form == "1" and not read_only:
            _migrate(db)
        return db, False
    except BaseException:
        db.close()
        raise


def _format(db: sqlite3.Connection, path: Path) -> str:
    try:
        tables = {name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
        found = db.execute("SELECT value FROM meta WHERE key='format'").fetchone() \
            if "meta" in tables else None
    except sqlite3.DatabaseError:
        raise NotAJournal(f"{str(path)!r} is not a campaign journal (not an SQLite file); give "
                          "the journal's own path, or a new file name to start one") from None
    if found is None or "recipients" not in tables:
        raise NotAJournal(f"{str(path)!r} is not a campaign journal of miogram-toolkit (it "
                          "holds no campaign); give the journal's own path, or a new file "
                          "name to start one")
    if found[0] not in ("1", FORMAT):
        raise NotAJournal(f"journal {str(path)!r} is of format {found[0]}, newer than this "
                          "version of miogram-toolkit reads; upgrade the toolkit to continue it")
    return str(found[0])


def _migrate(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _MIGRATE_1.split(";"):
            if statement.strip():
                db.execute(statement)
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', ?)", (FORMAT,))
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('migrated_from', '1')")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
