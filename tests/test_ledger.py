"""The per-account ledger: every number messaged (or maybe), opt-outs and re-admissions."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from miogram_toolkit.campaign.ledger import Ledger, account_key, ledger_path

URL = "http://127.0.0.1:8765/dojob.php"
A, B, C = "+989121234567", "+989351234567", "+989191112233"
T0 = 1_800_000_000.0


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIOGRAM_HOME", str(tmp_path / "home"))


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    opened = Ledger.open(URL, "shop")
    yield opened
    opened.close()


def test_one_private_file_per_account_in_the_data_folder(tmp_path: Path) -> None:
    first = Ledger.open(URL, "shop")
    first.record_attempt([A], "spring", at=T0)
    assert first.path.parent == tmp_path / "home" / "ledger"
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(first.path.parent.stat().st_mode) == 0o700
    # Another user name, another port: another ledger that knows nothing of the first.
    other_user = Ledger.open(URL, "bakery")
    other_port = Ledger.open("http://127.0.0.1:8766/dojob.php", "shop")
    assert len({first.path, other_user.path, other_port.path}) == 3
    assert other_user.recent([A], within=86400, now=T0) == {}
    # The same account spelled differently is the same ledger.
    again = Ledger.open("HTTP://127.0.0.1:8765/dojob.php/", " shop ")
    assert again.path == first.path
    assert again.recent([A], within=86400, now=T0 + 1) == {A: ("spring", T0)}
    for opened in (first, other_user, other_port, again):
        opened.close()


def test_account_key_drops_user_info_and_a_folder_moves_the_file(tmp_path: Path) -> None:
    assert account_key("https://u:secret@MioGram.net/dojob.php", "x") == \
        "https://miogram.net/dojob.php x"
    beside = ledger_path(URL, "shop", folder=tmp_path / "sim")
    assert beside.parent == tmp_path / "sim"
    assert "secret" not in ledger_path("https://u:secret@miogram.net/dojob.php", "x").name


def test_recent_names_the_latest_campaign_within_the_window(ledger: Ledger) -> None:
    ledger.record_attempt([A, B], "winter", at=T0 - 10 * 86400)
    ledger.record_attempt([A], "spring", at=T0 - 3600)
    ledger.record_outcome([A], "spring", "delivered", at=T0 - 3590)
    assert ledger.recent([A, B, C], within=86400, now=T0) == {A: ("spring", T0 - 3600)}
    assert ledger.recent([A, B, C], within=dt.timedelta(days=30), now=T0) == {
        A: ("spring", T0 - 3600), B: ("winter", T0 - 10 * 86400)}
    # The campaign asking does not count against itself.
    assert ledger.recent([A], within=86400, exclude_campaign="spring", now=T0) == {}


def test_failed_and_not_sent_are_not_messaged_but_unknown_is(ledger: Ledger) -> None:
    ledger.record_attempt([A, B, C], "spring", at=T0)
    ledger.record_outcome([A], "spring", "failed", at=T0 + 1)
    ledger.record_outcome([B], "spring", "not_sent", at=T0 + 1)
    ledger.record_outcome([C], "spring", "unknown", at=T0 + 1)
    assert set(ledger.recent([A, B, C], within=60, now=T0 + 2)) == {C}


def test_a_second_attempt_never_undoes_delivered(ledger: Ledger) -> None:
    ledger.record_attempt([A], "spring", at=T0)
    ledger.record_outcome([A], "spring", "delivered", at=T0 + 1)
    ledger.record_attempt([A], "spring", at=T0 + 50)
    assert ledger.history(A) == [("spring", T0 + 50, "delivered")]


def test_aware_datetimes_are_accepted_and_naive_ones_refused(ledger: Ledger) -> None:
    at = dt.datetime.fromtimestamp(T0, dt.UTC)
    ledger.record_attempt([A], "spring", at=at)
    assert ledger.recent([A], within=60, now=at) == {A: ("spring", T0)}
    with pytest.raises(ValueError, match="naive"):
        ledger.record_attempt([A], "spring", at=dt.datetime(2027, 1, 1))


def test_opt_out_then_readmit_each_said_with_when(ledger: Ledger) -> None:
    assert ledger.mark_opt_out(A, at=T0, source="reply: لغو") is True
    assert ledger.opted_out([A, B]) == {A}
    assert ledger.readmit(A, at=T0 + 100) is True
    assert ledger.opted_out([A, B]) == set()
    assert ledger.readmit(B, at=T0 + 100) is False
    # The old reply read again does not undo the re-admission; a new one does.
    assert ledger.mark_opt_out(A, at=T0, source="reply: لغو") is False
    assert ledger.opted_out() == set()
    assert ledger.mark_opt_out(A, at=T0 + 200, source="reply: stop") is True
    assert ledger.opted_out() == {A}
    # A re-admission covers an opt-out dated after it (a service clock ahead of ours).
    assert ledger.readmit(A, at=T0 + 150) is True
    assert ledger.opted_out() == set()
    assert ledger.mark_opt_out(A, at=T0 + 200, source="reply: stop") is False
    assert ledger.mark_opt_out(A, at=T0 + 300, source="reply: stop") is True
    kinds = [(at, kind) for _, at, kind, _ in ledger.events(A)]
    assert kinds == [(T0, "opt_out"), (T0 + 100, "readmit"), (T0, "opt_out"),
                     (T0 + 200, "opt_out"), (T0 + 150, "readmit"), (T0 + 200, "opt_out"),
                     (T0 + 300, "opt_out")]


def test_ten_thousand_numbers_round_trip(ledger: Ledger) -> None:
    numbers = [f"+98912{n:07d}" for n in range(10_000)]
    ledger.record_attempt(numbers, "big", at=T0)
    ledger.record_outcome(numbers[::2], "big", "delivered", at=T0 + 1)
    ledger.record_outcome(numbers[1::2], "big", "failed", at=T0 + 1)
    found = ledger.recent(numbers, within=60, now=T0 + 2)
    assert set(found) == set(numbers[::2])
    for number in numbers[:50]:
        ledger.mark_opt_out(number, at=T0 + 3, source="test")
    assert ledger.opted_out(numbers) == set(numbers[:50])


def _format1_journal(path: Path) -> Path:
    """A journal as the first journal format wrote it (rows by position, ``e164``)."""
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE recipients (
            row INTEGER PRIMARY KEY, label TEXT, e164 TEXT, text_id INTEGER,
            state TEXT NOT NULL, reason TEXT, chunk INTEGER, agent TEXT, request INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0, sent_at REAL, updated_at REAL);
    """)
    db.executemany("INSERT INTO meta VALUES (?, ?)",
                   [("format", "1"), ("campaign_id", "abc123def456")])
    db.executemany("INSERT INTO recipients(row, e164, state, sent_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?)",
                   [(2, A, "delivered", T0, T0), (3, B, "unknown", T0 + 5, T0 + 6),
                    (4, C, "failed", T0, T0), (5, None, "skipped", None, T0),
                    (6, "+989120000000", "pending", None, T0)])
    db.commit()
    db.close()
    return path


def _keyed_journal(path: Path) -> Path:
    """A journal keyed by number, as later formats write it."""
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE recipients (number TEXT PRIMARY KEY, state TEXT, sent_at REAL);
    """)
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", "2"), ("campaign", "autumn")])
    db.execute("INSERT INTO recipients VALUES (?, 'delivered', ?)", (C, T0 + 7))
    db.commit()
    db.close()
    return path


def test_seeded_from_journals_of_both_formats(ledger: Ledger, tmp_path: Path) -> None:
    tmp_path = tmp_path / "journals"
    tmp_path.mkdir()
    old = _format1_journal(tmp_path / "old.sqlite")
    new = _keyed_journal(tmp_path / "new.sqlite")
    junk = tmp_path / "notes.sqlite"
    junk.write_bytes(b"not a database at all" * 10)
    assert ledger.seed_from_journals([old, new, junk, tmp_path / "missing.sqlite"]) == 3
    found = ledger.recent([A, B, C, "+989120000000"], within=86400, now=T0 + 10)
    assert found == {A: ("abc123def456", T0), B: ("abc123def456", T0 + 5),
                     C: ("autumn", T0 + 7)}
    # Seeding again reads nothing new, and leaves no -wal or -shm beside the journals.
    assert ledger.seed_from_journals([old, new]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.sqlite", "notes.sqlite",
                                                         "old.sqlite"]


def test_journals_of_another_account_are_not_seeded(ledger: Ledger, tmp_path: Path) -> None:
    ours = _keyed_journal(tmp_path / "ours.sqlite")
    theirs = _keyed_journal(tmp_path / "theirs.sqlite")
    for path, account in ((ours, ledger.account), (theirs, "https://miogram.net/dojob.php x")):
        db = sqlite3.connect(path)
        db.execute("INSERT INTO meta VALUES ('account', ?)", (account,))
        db.commit()
        db.close()
    assert ledger.seed_from_journals([theirs]) == 0
    assert ledger.recent([C], within=86400, now=T0 + 10) == {}
    assert ledger.seed_from_journals([ours]) == 1


def test_a_file_that_is_not_a_ledger_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = ledger_path(URL, "shop")
    path.write_bytes(b"garbage" * 1000)
    with pytest.raises(ValueError, match="not a MioGram ledger"):
        Ledger.open(URL, "shop")
