"""Replies: who answered a campaign, what they said, who asked to stop — from the agents' chats.

For every **delivered** recipient of a campaign, :func:`replies` reads the chat through the agent
that sent to it (``client.get_history(number, robot=agent)``: an agent sees only its own chats),
one request at a time (each read costs the gateway about a second, like a send), and keeps the
contact's own messages (``out`` false) dated after the campaign's message::

    journal ──delivered rows (number, agent, sent_at)──► GetHistory through that agent, newest
        │                                                 pages until a message already kept
        │                                                 or the campaign's own message
        ├── replies table (in the journal) ◄── new messages only, committed per chat
        └── the account's ledger ◄── replies that are an opt-out word (see optout_words)

"After the campaign's message": after our own message in the chat when the page shows it (the
same clock), else after the moment the row was sent, moved onto the service's clock by
``client.clock_offset`` (the service's clock minus ours, estimated by the client) with two
seconds of slack for the service's whole-second dates.

The messages are stored in the journal (table ``replies``, created through the journal's own
connection), each once, keyed by the chat message's id: a second call adds only what is new, and
a crash (even ``SIGKILL``) loses nothing but the chat being read — the next call reads it again.
An opt-out reply is marked in the account's ledger after it is stored, and flagged in the
journal when that is done, so a crash between the two marks it at the next call.

Without ``canGet`` the service answers 309 to every read: :class:`RepliesUnavailable` says so in
one sentence and nothing is changed. WhatsApp sends have no chat to read: those rows are left
out, and the frame's ``attrs["notes"]`` says so once.

The frame (one row per reply, by sheet row then time): ``label``, ``sheet_row``, ``number``,
``agent``, ``replied_at (Tehran)``, ``replied_on (Jalali)``, ``minutes_after_send``, ``text``,
``kind`` (``text``, ``photo``, ``video``, ``document``…), ``opt_out``. ``attrs`` holds
``delivered`` (chats that can be read), ``read`` (chats read by this call), ``new`` (replies
added), ``whatsapp`` (rows left out) and ``notes`` (sentences for people).
:func:`miogram_toolkit.reports.replies.reply_summary` and ``reply_chart`` turn it into a summary
and a chart.

Example (``Campaign(...).replies()`` after a run; here a journal with nobody delivered yet):
    >>> found = replies(":memory:", client=object())
    >>> found.attrs["delivered"], list(found.columns[:4])
    (0, ['label', 'sheet_row', 'number', 'agent'])
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.campaign.ledger import Ledger
from miogram_toolkit.campaign.optout_words import OptOutWords
from miogram_toolkit.campaign.recency import open_ledger
from miogram_toolkit.protocol.clock import with_time_columns
from miogram_toolkit.protocol.errors import BadNumber, MioGramError, NoData, PermissionDenied

__all__ = ["RepliesUnavailable", "replies", "stored_replies"]

#: Slack, in seconds, for the service's whole-second dates and the clock offset's estimate.
SLACK_S = 2.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    number TEXT NOT NULL, message TEXT NOT NULL, row INTEGER, agent TEXT,
    replied_at REAL NOT NULL, sent_at REAL, text TEXT, kind TEXT NOT NULL,
    opt_out INTEGER NOT NULL, ledgered INTEGER NOT NULL DEFAULT 0, read_at REAL NOT NULL,
    PRIMARY KEY (number, message));
CREATE TABLE IF NOT EXISTS reply_reads (number TEXT PRIMARY KEY, read_at REAL NOT NULL,
    replies INTEGER NOT NULL);
"""
_COLUMNS = ["label", "sheet_row", "number", "agent", "replied_at", "minutes_after_send", "text",
            "kind", "opt_out"]


class RepliesUnavailable(MioGramError):
    """Replies cannot be read for this account (no ``canGet``); nothing was changed."""


@dataclass(frozen=True)
class _Recipient:
    row: int
    label: str | None
    sheet_row: int | None
    number: str
    agent: str | None
    sent_at: float
    func: str


@dataclass(frozen=True)
class _Message:
    key: str
    out: bool
    date: float  # Unix seconds on the service's clock
    text: str | None
    kind: str


class _Store:
    """The journal seen through its own connection: ``query`` and ``transaction``."""

    def __init__(self, journal: Any) -> None:
        self.journal = journal

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.journal.query(sql, params))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.journal.transaction() as db:
            yield db

    def columns(self, table: str) -> set[str]:
        return {str(row[1]) for row in self.query(f"PRAGMA table_info({table})")}

    def ensure(self) -> None:
        with self.transaction() as db:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)


def replies(journal_or_campaign: Any, client: Any = None, *, ledger: Ledger | None = None,
            ledger_folder: str | os.PathLike[str] | None = None,
            words: OptOutWords | None = None, interval: float = 0.0, page: int = 20,
            max_pages: int = 5, sleep: Callable[[float], None] = time.sleep,
            clock: Callable[[], float] = time.time,
            progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Read the replies to a campaign's delivered messages; store the new ones; return them all.

    Args:
        journal_or_campaign: a campaign journal (its path, or an open journal), or a
            :class:`~miogram_toolkit.campaign.Campaign` (then its journal and client).
        client: the client of the account that sent (the campaign's when omitted).
        ledger: the account's ledger for opt-outs (default: the client's account's ledger,
            in ``ledger_folder`` when given, opened only when an opt-out is found).
        words: the opt-out words (default: the user's list, see
            :class:`~miogram_toolkit.campaign.optout_words.OptOutWords`).
        interval: seconds at least between two reads' starts (one request is ever in flight).
        page: messages per read (the newest ones); ``max_pages`` reads at most per chat.
        sleep, clock: for tests.
        progress: called with (chats read, chats to read) after each chat.

    Returns:
        One row per reply (see the module's docstring), stored ones included.

    Raises:
        RepliesUnavailable: the account has no ``canGet`` (309): nothing was read or changed.
        FileNotFoundError / ValueError: the journal file is missing or not a campaign journal.
    """
    if hasattr(journal_or_campaign, "replies") and hasattr(journal_or_campaign, "client"):
        return journal_or_campaign.replies(
            client=client, ledger=ledger, ledger_folder=ledger_folder, words=words,
            interval=interval, page=page, max_pages=max_pages, sleep=sleep, clock=clock,
            progress=progress)
    if client is None:
        raise TypeError("replies() needs the client of the account that sent the campaign")
    journal, opened = _journal(journal_or_campaign)
    account = _LazyLedger(ledger, client, ledger_folder)
    try:
        store = _Store(journal)
        recipients = _delivered(store)
        chats = [r for r in recipients if "whatsapp" not in r.func.lower() and r.agent]
        whatsapp = sum("whatsapp" in r.func.lower() for r in recipients)
        notes = []
        if whatsapp:
            notes.append(f"{whatsapp} recipients were sent by WhatsApp, which has no chat to "
                         "read: their replies are not read.")
        chosen = words or OptOutWords.load()
        reader = _Reader(client, page=page, max_pages=max_pages)
        new = read = 0
        last_start: float | None = None
        for recipient in chats:
            if last_start is not None and interval > 0:
                wait = last_start + interval - clock()
                if wait > 0:
                    sleep(wait)
            last_start = clock()
            try:
                found = reader.replies_to(recipient, _known(store, recipient.number))
            except PermissionDenied:
                raise RepliesUnavailable(
                    "This account cannot read chats (309 Permission Denied: canGet is off), so "
                    "replies cannot be read; ask MioGram to allow reading for the account. "
                    "Nothing was changed.") from None
            except (BadNumber, NoData):
                found = []
            if not read:  # the table is made once the account is known to allow reading
                store.ensure()
            new += _keep(store, recipient, found, chosen, clock())
            read += 1
            _ledger_opt_outs(store, account)
            if progress is not None:
                progress(read, len(chats))
        if store.columns("replies"):
            _ledger_opt_outs(store, account)
        frame = stored_replies(journal)
        if account.missing:
            notes.append(f"This simulator runs inside this process and keeps no account "
                         f"ledger: the {int(frame['opt_out'].sum())} opt-outs are kept in the "
                         "journal only.")
        frame.attrs.update(delivered=len(chats), read=read, new=new, whatsapp=whatsapp,
                           notes=notes)
        return frame
    finally:
        if opened:
            journal.close()
        account.close()


def stored_replies(journal: Any) -> pd.DataFrame:
    """The replies a journal holds (read by earlier calls), without asking the service.

    Example:
        >>> stored_replies(":memory:").columns.tolist()[:3]
        ['label', 'sheet_row', 'number']
    """
    own, opened = _journal(journal) if isinstance(journal, (str, os.PathLike)) else (journal,
                                                                                    False)
    try:
        store = _Store(own)
        by_row = {r.number: r for r in _delivered(store, every_state=True)}
        rows = store.query("SELECT number, agent, replied_at, sent_at, text, kind, opt_out "
                           "FROM replies ORDER BY row, replied_at, message"
                           ) if store.columns("replies") else []
    finally:
        if opened:
            own.close()
    records = []
    for number, agent, replied, sent, text, kind, opt_out in rows:
        recipient = by_row.get(number)
        records.append({
            "label": recipient.label if recipient else None,
            "sheet_row": recipient.sheet_row if recipient else None,
            "number": number, "agent": agent,
            "replied_at": pd.Timestamp(round(float(replied)), unit="s", tz="UTC"),
            "minutes_after_send": (float(replied) - float(sent)) / 60 if sent else None,
            "text": text, "kind": kind, "opt_out": bool(opt_out)})
    frame = pd.DataFrame.from_records(records, columns=_COLUMNS)
    frame["replied_at"] = pd.to_datetime(frame["replied_at"], utc=True)
    frame["sheet_row"] = frame["sheet_row"].astype("Int64")
    frame["minutes_after_send"] = frame["minutes_after_send"].astype("float64")
    frame["opt_out"] = frame["opt_out"].astype(bool)
    for column in ("label", "number", "agent", "text", "kind"):
        frame[column] = frame[column].astype("string")
    return with_time_columns(frame, ["replied_at"])


# -- the journal -------------------------------------------------------------------------------

def _journal(source: Any) -> tuple[Any, bool]:
    """An open journal for ``source`` and whether we opened it (and must close it)."""
    if not isinstance(source, (str, os.PathLike)):
        return source, False
    from miogram_toolkit.campaign.journal import Journal

    if str(source) == ":memory:":
        return Journal(":memory:"), True
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"journal {str(path)!r} does not exist; give the journal file "
                                "of a campaign that was sent")
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        finally:
            db.close()
    except sqlite3.DatabaseError:
        tables = set()
    if not {"meta", "recipients"} <= tables:
        raise ValueError(f"{str(path)!r} is not a campaign journal; give the journal file "
                         "written by `miogram send` or a Campaign")
    return Journal(path), True


def _delivered(store: _Store, *, every_state: bool = False) -> list[_Recipient]:
    """The journal's delivered rows (every row with ``every_state``), in row order."""
    columns = store.columns("recipients")
    if not columns:
        return []
    meta = dict(store.query("SELECT key, value FROM meta"))
    number = "e164" if "e164" in columns else "number"
    row = "row" if "row" in columns else "rowid"
    pick = {name: f"r.{name}" if name in columns else "NULL"
            for name in ("label", "sheet_row", "agent")}
    when = [c for c in ("sent_at", "updated_at") if c in columns]
    sent = f"coalesce({', '.join('r.' + c for c in when)})" if when else "NULL"
    func = "NULL"
    if "request" in columns and "func" in store.columns("requests"):
        func = "(SELECT func FROM requests q WHERE q.id = r.request)"
    where = "" if every_state else "WHERE r.state = 'delivered'"
    found = store.query(
        f"SELECT r.{row}, {pick['label']}, {pick['sheet_row']}, r.{number}, "
        f"{pick['agent']}, {sent}, {func} FROM recipients r {where} ORDER BY r.{row}")
    default = str(meta.get("func") or "")
    return [_Recipient(int(r), None if label is None else str(label),
                       None if sheet is None else int(sheet), str(n),
                       None if agent is None else str(agent), float(at or 0),
                       str(f or default))
            for r, label, sheet, n, agent, at, f in found if n]


def _known(store: _Store, number: str) -> set[str]:
    if not store.columns("replies"):
        return set()
    return {str(key) for (key,) in store.query("SELECT message FROM replies WHERE number = ?",
                                              (number,))}


def _keep(store: _Store, recipient: _Recipient, found: Sequence[tuple[_Message, float]],
          words: OptOutWords, now: float) -> int:
    """Store the replies not kept yet (one transaction per chat); returns how many were new."""
    with store.transaction() as db:
        before = db.total_changes
        db.executemany(
            "INSERT OR IGNORE INTO replies(number, message, row, agent, replied_at, sent_at, "
            "text, kind, opt_out, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(recipient.number, message.key, recipient.row, recipient.agent, ours,
              recipient.sent_at, message.text, message.kind,
              int(message.kind == "text" and words.matches(message.text)), now)
             for message, ours in found])
        added = db.total_changes - before
        db.execute("INSERT OR REPLACE INTO reply_reads(number, read_at, replies) VALUES "
                   "(?, ?, (SELECT COUNT(*) FROM replies WHERE number = ?))",
                   (recipient.number, now, recipient.number))
    return int(added)


class _LazyLedger:
    """The account's ledger, opened the first time an opt-out needs it: the one campaigns
    read (:func:`~miogram_toolkit.campaign.recency.open_ledger`; none for a simulator inside
    this process), or the one in ``folder``."""

    def __init__(self, given: Ledger | None, client: Any,
                 folder: str | os.PathLike[str] | None) -> None:
        self.given, self.client, self.folder = given, client, folder
        self._opened: Ledger | None = None
        self.missing = False

    def get(self) -> Ledger | None:
        if self.given is not None or self._opened is not None or self.missing:
            return self.given or self._opened
        self._opened = Ledger.for_client(self.client, self.folder) \
            if self.folder is not None else open_ledger(self.client)
        self.missing = self._opened is None
        return self._opened

    def close(self) -> None:
        if self._opened is not None:
            self._opened.close()


def _ledger_opt_outs(store: _Store, account: _LazyLedger) -> None:
    """Mark in the ledger the opt-out replies stored but not marked yet, then flag them."""
    pending = store.query("SELECT number, message, replied_at, text FROM replies "
                          "WHERE opt_out = 1 AND ledgered = 0")
    if not pending:
        return
    ledger = account.get()
    if ledger is None:  # no ledger for this account: the flags stay in the journal
        return
    for number, message, replied, text in pending:
        ledger.mark_opt_out(str(number), at=float(replied), source=f"reply: {text}")
        with store.transaction() as db:
            db.execute("UPDATE replies SET ledgered = 1 WHERE number = ? AND message = ?",
                       (number, message))


# -- the chats ---------------------------------------------------------------------------------

class _Reader:
    """Reads one recipient's chat, newest pages first, and picks the contact's replies."""

    def __init__(self, client: Any, *, page: int, max_pages: int) -> None:
        self.client, self.page, self.max_pages = client, page, max_pages

    def _offset(self) -> float:
        value = getattr(self.client, "clock_offset", None)
        return float(value) if value is not None else 0.0

    def replies_to(self, recipient: _Recipient, known: set[str]
                   ) -> list[tuple[_Message, float]]:
        """``(message, replied_at on our clock)`` of the contact's messages after our send."""
        messages: list[_Message] = []
        for number in range(self.max_pages):
            answer = self.client.get_history(recipient.number, limit=self.page,
                                             offset=number * self.page, robot=recipient.agent)
            batch = [_message(item) for item in (answer or [])]
            messages = batch + messages
            if len(batch) < self.page or not batch:
                break
            # Older pages are needed only while this one is all after our message and new.
            sent_service = recipient.sent_at + self._offset()
            if (batch[0].date < sent_service - SLACK_S or batch[0].key in known
                    or any(m.out and m.date >= sent_service - SLACK_S for m in batch)):
                break
        offset = self._offset()
        sent_service = recipient.sent_at + offset
        ours = [i for i, m in enumerate(messages) if m.out and m.date >= sent_service - SLACK_S]
        start = ours[0] + 1 if ours else 0
        picked: dict[str, tuple[_Message, float]] = {}
        for message in messages[start:]:
            if message.out or (not ours and message.date < sent_service - SLACK_S):
                continue
            # Never before our own send on our clock, even when the estimate is off by a little.
            picked.setdefault(message.key, (message, max(message.date - offset,
                                                         recipient.sent_at)))
        return list(picked.values())


def _field(item: Any, name: str, default: Any = None) -> Any:
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def _message(item: Any) -> _Message:
    """One chat message, typed (the client's ``ChatMessage``) or as the service's object."""
    raw_date = _field(item, "date")
    if isinstance(raw_date, dt.datetime):
        date = raw_date.timestamp() if raw_date.tzinfo else raw_date.replace(
            tzinfo=dt.UTC).timestamp()
    else:
        try:
            date = float(raw_date)
        except (TypeError, ValueError):
            date = 0.0
    media = _field(item, "media")
    kind = _field(item, "media_kind") or _field(item, "kind")
    if not kind and media:
        kind = _field(media, "type") if not isinstance(media, str) else media
    text = _field(item, "text")
    if text is None and media is not None and not isinstance(media, str):
        text = _field(media, "caption")
    text = text if text is not None else _field(item, "caption")
    key = _field(item, "id")
    if key in (None, ""):
        key = f"{date:.0f}:{_field(item, 'out')}:{text}"
    return _Message(str(key), bool(_field(item, "out", False)), date,
                    None if text is None else str(text), str(kind or "text").lower())
