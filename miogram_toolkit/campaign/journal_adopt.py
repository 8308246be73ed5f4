"""A journal meets the sheet: a new campaign written, or an existing one continued.

The journal keys recipients by number, so a sheet edited between two runs continues the same
campaign (:func:`adopt`, one transaction):

====================================  ==========================================================
a new number in the sheet             a new ``pending`` recipient (or ``skipped`` with its reason)
a number not yet sent                 takes the sheet's new label, row, text and skip reason (an
                                      opt-out added since, a cell filled in)
a number already sent (delivered,     keeps its state and text — a corrected name changes
failed, unknown, in flight)           nothing; a skip reason is *held*: if its request is
                                      settled back to ``pending``, it is skipped instead
a number gone from the sheet          not sent (``skipped``, ``removed_from_sheet``) and
                                      reported; it comes back if the row comes back
====================================  ==========================================================

The pending rows are then cut into chunks again (same text together, in the sheet's order).

Example:
    >>> import pandas as pd
    >>> from miogram_toolkit.campaign.journal import Journal
    >>> from miogram_toolkit.campaign.plan import Content, build_plan
    >>> journal = Journal(":memory:")
    >>> frame = pd.DataFrame({"mobile": ["09121000001", "09121000002"], "name": ["A", "B"]})
    >>> meta = {"campaign_id": "c1", "func": "SendMessageMass", "template": "Hi {name}"}
    >>> adopt(journal, build_plan(frame, Content.text("Hi {name}")), meta).added
    2
    >>> edited = pd.DataFrame({"mobile": ["09121000003", "09121000001"], "name": ["C", "A"]})
    >>> change = adopt(journal, build_plan(edited, Content.text("Hi {name}")), meta)
    >>> change.added, [r["e164"] for r in change.removed]
    (1, ['+989121000002'])
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from miogram_toolkit.campaign.journal import Journal
from miogram_toolkit.campaign.plan import Plan, chunk_numbers
from miogram_toolkit.protocol.errors import MioGramError

__all__ = ["Adoption", "JournalMismatch", "adopt", "check_belongs"]

#: Skip reasons that belong to the number and the sheet (decided again on every run); other
#: skips (``cancelled``) are the campaign's own and stay.
SHEET_REASONS = ("opted_out", "opted_out_by_reply", "recently_messaged", "missing_value",
                 "removed_from_sheet")
_OPEN = ("pending", "skipped")


class JournalMismatch(ValueError, MioGramError):
    """The journal belongs to another campaign (another account, message or name)."""


@dataclass
class Adoption:
    """What :func:`adopt` changed: rows added, rows gone from the sheet (label, sheet_row,
    e164, state), and pending rows whose text changed."""

    added: int = 0
    removed: list[dict[str, Any]] = field(default_factory=list)
    retexted: int = 0


def _base(reason: Any) -> str:
    return str(reason).split(":", 1)[0]


def _holds(reason: Any) -> bool:
    return reason is not None and _base(reason) in SHEET_REASONS


def check_belongs(journal: Journal, meta: dict[str, Any], *, legacy_hash: str) -> None:
    """Refuse a journal of another campaign, or a cancelled one (:class:`JournalMismatch`).

    ``meta`` is this campaign's (``campaign_id``, ``account``, ``func``, ``template``,
    ``file_sha256``). A journal migrated from the first format knows no account: it belongs
    when its message (or its sheet's content hash) is this one's.
    """
    found = journal.meta()
    if found.get("state") == "cancelled":
        raise JournalMismatch(f"journal {journal.path!r}: the campaign was cancelled; start a "
                              "new one with a new journal file (or another --campaign name)")
    if found.get("campaign_id") == meta["campaign_id"]:
        return
    if journal.migrated and found.get("account") is None:
        same_message = all(found.get(k, "") == str(meta.get(k) or "")
                           for k in ("func", "template", "file_sha256"))
        if same_message or found.get("content_hash") == legacy_hash:
            return
    raise JournalMismatch(
        f"journal {journal.path!r} belongs to another campaign (another account, message or "
        "name); give a new journal file, or the original account and message (or --campaign "
        "name) to continue it")


def adopt(journal: Journal, plan: Plan, meta: dict[str, Any]) -> Adoption:
    """Write the plan into the journal: create the campaign, or continue it (module docstring).

    ``meta`` is written into the journal's ``meta`` (the identity and the message).
    """
    now = time.time()
    rows = plan.rows
    mine = rows[rows["e164"].notna() & ~rows["reason"].fillna("").str.match(
        r"^(duplicate_of|phone_)")]
    known = {e164: (row, state, reason) for row, e164, state, reason in journal.query(
        "SELECT row, e164, state, reason FROM recipients")}
    texts: dict[str | None, int] = {body: int(i) for i, body in journal.texts().items()}
    change = Adoption()
    with journal.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                       [(k, v if isinstance(v, str) or v is None else json.dumps(v))
                        for k, v in meta.items()])
        if db.execute("SELECT 1 FROM meta WHERE key='created_at'").fetchone() is None:
            db.execute("INSERT INTO meta(key, value) VALUES ('created_at', ?), "
                       "('state', 'draft')", (json.dumps(now),))
        body_of = plan.texts
        inserts, updates, sent_rows = [], [], []
        # Plain lists (an arrow column yields its values one by one slowly); a new row takes
        # the plan's chunk, which _rechunk then corrects only where the journal's differs.
        reasons = mine["reason"].astype(object).where(mine["reason"].notna(), None).tolist()
        text_ids = mine["text_id"].astype(object).where(mine["text_id"].notna(), None).tolist()
        chunks = mine["chunk"].astype(object).where(mine["chunk"].notna(), None).tolist()
        for position, label, sheet_row, e164, text_id, reason, chunk in zip(
                mine.index.tolist(), mine["label"].tolist(), mine["sheet_row"].tolist(),
                mine["e164"].tolist(), text_ids, reasons, chunks, strict=True):
            reason = None if reason is None else str(reason)
            tid = None
            if reason is None and text_id is not None:
                body = body_of[int(text_id)]
                if body not in texts:
                    texts[body] = _new_text(db, body)
                tid = texts[body]
            state = "skipped" if reason else "pending"
            hold = reason if _holds(reason) else None
            found = known.pop(str(e164), None)
            if found is None:
                inserts.append((label, int(sheet_row), int(position), str(e164), tid, state,
                                reason, hold, now, None if reason else chunk))
                change.added += 1
            elif found[1] == "pending" or (found[1] == "skipped" and _holds(found[2])):
                updates.append((label, int(sheet_row), int(position), tid, state, reason,
                                hold, now, found[0]))
                change.retexted += int(found[1] == "pending" and reason is None)
            else:
                sent_rows.append((label, int(sheet_row), int(position), hold, now, found[0]))
        db.executemany("INSERT INTO recipients(label, sheet_row, position, e164, text_id, "
                       "state, reason, hold, updated_at, chunk) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", inserts)
        db.executemany("UPDATE recipients SET label=?, sheet_row=?, position=?, text_id=?, "
                       "state=?, reason=?, hold=?, updated_at=? WHERE row=?", updates)
        db.executemany("UPDATE recipients SET label=?, sheet_row=?, position=?, hold=?, "
                       "updated_at=? WHERE row=?", sent_rows)
        gone = list(known.items())
        for _number, (row, state, reason) in gone:
            reopen = state == "pending" or (state == "skipped" and _holds(reason))
            db.execute("UPDATE recipients SET position=NULL, hold='removed_from_sheet', "
                       + ("state='skipped', reason='removed_from_sheet', " if reopen else "")
                       + "updated_at=? WHERE row=?", (now, row))
        _rechunk(db, plan.chunk_size)
        # The sheet's own skips (no usable number, a duplicate row): shown by status only.
        own = rows[~rows.index.isin(mine.index)]
        db.execute("DELETE FROM sheet_skips")
        db.executemany("INSERT INTO sheet_skips(position, label, sheet_row, e164, reason) "
                       "VALUES (?, ?, ?, ?, ?)",
                       [(int(p), str(lb), int(r), None if pd.isna(e) else str(e), str(why))
                        for p, lb, r, e, why in zip(own.index, own["label"], own["sheet_row"],
                                                    own["e164"], own["reason"], strict=True)])
    for e164, (row, state, _reason) in gone:
        label, sheet_row = journal.query("SELECT label, sheet_row FROM recipients WHERE row=?",
                                         (row,))[0]
        change.removed.append({"label": label, "sheet_row": sheet_row, "e164": e164,
                               "state": "skipped" if state == "pending" else state})
    if change.removed or change.added:
        journal.event("sheet", f"{change.added} rows added, {len(change.removed)} no longer "
                      "in the sheet")
    return change


def _new_text(db: Any, body: str | None) -> int:
    # A file campaign has one text row, NULL: the file itself is in the Content.
    return int(db.execute("INSERT INTO texts(body) VALUES (?)", (body,)).lastrowid)


def _rechunk(db: Any, chunk_size: int) -> None:
    """Cut the pending rows into chunks again, numbered after every chunk already used."""
    pending = db.execute("SELECT row, text_id, chunk FROM recipients WHERE state='pending' "
                         "ORDER BY position IS NULL, position, row").fetchall()
    if not pending:
        return
    used = db.execute("SELECT COALESCE(MAX(chunk), 0) FROM recipients "
                      "WHERE state != 'pending'").fetchone()[0]
    ids = pd.Series([t if t is not None else -1 for _, t, _ in pending])
    numbers = (chunk_numbers(ids, chunk_size) + int(used or 0)).tolist()
    db.executemany("UPDATE recipients SET chunk=? WHERE row=?",
                   [(c, r) for c, (r, _, was) in zip(numbers, pending, strict=True) if c != was])
