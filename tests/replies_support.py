"""A fake service for reading replies: agents' chats, a clock offset, canGet on or off.

Also writes small campaign journals in the first journal format (rows by position), so the
replies tests do not depend on how a campaign fills one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from miogram_toolkit.protocol.errors import PermissionDenied

SENT_AT = 1_800_000_000.0


def number(i: int) -> str:
    return f"+98912{i:07d}"


def write_journal(path: Path, rows: list[tuple[str, str, str]], func: str = "SendMessageMass",
                  sent_at: float = SENT_AT) -> Path:
    """A journal of ``rows`` ``(number, agent, state)``; row i is sheet row i + 2."""
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE texts (id INTEGER PRIMARY KEY, body TEXT);
        CREATE TABLE recipients (
            row INTEGER PRIMARY KEY, label TEXT, e164 TEXT, text_id INTEGER,
            state TEXT NOT NULL, reason TEXT, chunk INTEGER, agent TEXT, request INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0, sent_at REAL, updated_at REAL);
        CREATE TABLE requests (
            id INTEGER PRIMARY KEY, chunk INTEGER, agent TEXT, func TEXT, phones TEXT,
            text_id INTEGER, size INTEGER, started_at REAL, deadline REAL, watermark INTEGER,
            state TEXT, outcome TEXT, ended_at REAL);
        CREATE TABLE events (id INTEGER PRIMARY KEY, at REAL, kind TEXT, message TEXT);
    """)
    db.executemany("INSERT INTO meta VALUES (?, ?)",
                   [("format", "1"), ("campaign_id", "abc123def456"), ("func", func),
                    ("state", "finished")])
    db.execute("INSERT INTO texts VALUES (0, 'Hello from the shop')")
    db.executemany(
        "INSERT INTO recipients(row, label, e164, text_id, state, agent, sent_at, updated_at) "
        "VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
        [(i, f"person {i}", n, state, agent, sent_at + i, sent_at + i)
         for i, (n, agent, state) in enumerate(rows)])
    db.commit()
    db.close()
    return path


@dataclass
class FakeChats:
    """Each agent's chats: ``chats[(agent, number)]`` = message objects, oldest first."""

    chats: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    clock_offset: float | None = 0.0
    can_get: bool = True
    base_url: str = "http://127.0.0.1:8765/dojob.php"
    calls: list[tuple[str, str | None, int, int]] = field(default_factory=list)
    _ids: int = 0

    def get_username(self) -> str:
        return "shop"

    def say(self, agent: str, phone: str, date: float, text: str | None = None, *,
            out: bool = False, media: str | None = None) -> None:
        """Add a message to a chat (dated on the service's clock)."""
        self._ids += 1
        message: dict[str, Any] = {"event": "message", "id": f"m{self._ids}", "out": out,
                                   "date": int(date), "to": {"phone": phone.lstrip("+")}}
        if media:
            message["media"] = {"type": media, "caption": text or ""}
        else:
            message["text"] = text
        self.chats.setdefault((agent, phone), []).append(message)

    def get_history(self, phone: str, *, limit: int = 20, offset: int = 0,
                    robot: str | None = None) -> list[dict[str, Any]] | None:
        """The newest ``limit`` messages after skipping ``offset`` newest, oldest first."""
        self.calls.append((phone, robot, limit, offset))
        if not self.can_get:
            raise PermissionDenied("Permission Denied", code=309, action="GetHistory")
        chat = self.chats.get((robot or "", phone), [])
        end = len(chat) - offset
        found = chat[max(0, end - limit):max(0, end)]
        return found or None
