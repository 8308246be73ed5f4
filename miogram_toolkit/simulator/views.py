"""Views of the state file's growing tables: the report log, the deliveries, the chats.

They read the file a page at a time under the state's lock, never a list of every record, so
``len(state.reports)``, ``state.reports[-1]``, ``state.deliveries[phone]`` or a page of
``state.chats`` cost the same whatever the log's size. The report log and the deliveries are
read-only here; a chat takes new messages in the state's transaction.

Example:
    >>> import threading
    >>> from miogram_toolkit.simulator.store import Store
    >>> store = Store(None)
    >>> store.begin(); store.append_report('{"Id": 1}'); store.add_delivery("+1"); store.commit()
    >>> log = ReportLog(store, threading.RLock())
    >>> len(log), log[-1], list(log)
    (1, {'Id': 1}, [{'Id': 1}])
    >>> Deliveries(store, threading.RLock())["+1"]
    1
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, overload

from miogram_toolkit.simulator.store import Store

__all__ = ["Chats", "Deliveries", "ReportLog", "dumps"]



class ReportLog(Sequence[dict[str, Any]]):
    """The report log as a read-only sequence over the file (oldest first; copies).

    Args:
        store: the state's file.
        lock: the state's lock (held for each read).
        batch: rows read at a time when iterating.
    """

    def __init__(self, store: Store, lock: Any, batch: int = 1000) -> None:
        self._store, self._lock, self._batch = store, lock, batch

    def __len__(self) -> int:
        with self._lock:
            return self._store.report_count()

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        with self._lock:
            size = self._store.report_count()
            if isinstance(index, slice):
                start, stop, step = index.indices(size)
                if step != 1:
                    return list(self)[index]
                texts = self._store.reports_between(start, stop) if start < stop else []
                return [json.loads(text) for text in texts]
            position = index + size if index < 0 else index
            if not 0 <= position < size:
                raise IndexError("report index out of range")
            (text,) = self._store.reports_between(position, position + 1)
            return json.loads(text)  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        last = 0
        while True:
            with self._lock:
                rows = self._store.reports_after(last, self._batch)
            if not rows:
                return
            last = rows[-1][0]
            for _, text in rows:
                yield json.loads(text)


class Deliveries(Mapping[str, int]):
    """Deliveries per number, read from the file; a number never delivered to counts 0."""

    def __init__(self, store: Store, lock: Any) -> None:
        self._store, self._lock = store, lock

    def __getitem__(self, phone: str) -> int:
        with self._lock:
            return self._store.deliveries(phone)

    def __contains__(self, phone: object) -> bool:
        return isinstance(phone, str) and self[phone] > 0

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(self._store.all_deliveries())

    def __len__(self) -> int:
        with self._lock:
            return self._store.delivery_numbers()


class Chats:
    """The agents' chats: one per agent and number (an agent sees only its own chats).

    A message is stored as a small entry (:mod:`.chatlog`: ``out``, ``date`` in Unix seconds by
    the service's clock, ``text`` or ``media``) under an increasing id; pages list the oldest
    first, as telegram-cli does. A message is read back only once the service's clock (``now``,
    Unix seconds) reaches the time it is ``shown`` — by default its ``date``: the gateway sends
    one number after the other, also after the endpoint has answered 999.

    Args:
        store: the state's file.
        lock: the state's lock (held for each read).
        transaction: the state's transaction (each new message is written inside one).
        next_id: the state's id counter (``next_id("message")``).
    """

    def __init__(self, store: Store, lock: Any,
                 transaction: Callable[[], AbstractContextManager[Any]],
                 next_id: Callable[[str], int]) -> None:
        self._store, self._lock = store, lock
        self._transaction, self._next_id = transaction, next_id

    def add(self, agent: str, phone: str, entry: Mapping[str, Any],
            shown: float | None = None) -> int:
        """Append a message to ``agent``'s chat with ``phone`` (made on first use), read back
        from ``shown`` on (default: its ``date``); its id."""
        with self._transaction():
            message_id = self._next_id("message")
            self._store.add_message(agent, phone, message_id, dumps(dict(entry)),
                                    float(entry["date"] if shown is None else shown))
            return message_id

    def exists(self, agent: str, phone: str) -> bool:
        """True when ``agent`` has a chat with ``phone``."""
        with self._lock:
            return self._store.has_dialog(agent, phone)

    def phones(self, agent: str) -> list[str]:
        """The numbers ``agent`` has a chat with, oldest chat first."""
        with self._lock:
            return self._store.dialog_phones(agent)

    def page(self, agent: str, phone: str, offset: int = 0, limit: int = 20,
             now: float = math.inf) -> list[tuple[int, dict[str, Any]]]:
        """``(id, entry)`` of ``limit`` messages shown by ``now``, before the ``offset`` newest;
        oldest first."""
        with self._lock:
            return self._store.history(agent, phone, offset, limit, now)

    def count(self, agent: str, phone: str, now: float = math.inf) -> int:
        """How many messages of the chat are shown by ``now`` (0 without a chat)."""
        with self._lock:
            return self._store.history_count(agent, phone, now)

    def read_up_to(self, agent: str, phone: str) -> int:
        """The message id up to which ``agent`` has read its chat with ``phone``."""
        with self._lock:
            return self._store.read_up_to(agent, phone)

    def is_read(self, agent: str, phone: str, now: float = math.inf) -> bool:
        """True when the chat has messages and is read up to the newest shown by ``now``."""
        with self._lock:
            last = self._store.last_message_id(agent, phone, now)
            return bool(last) and self._store.read_up_to(agent, phone) >= last

    def mark_read(self, agent: str, phone: str, now: float = math.inf) -> None:
        """Mark the chat read up to its newest message shown by ``now`` (no-op without one)."""
        with self._transaction():
            last = self._store.last_message_id(agent, phone, now)
            if last:
                self._store.set_read_up_to(agent, phone, last)


def dumps(value: Any) -> str:
    """JSON text as the state file keeps it (UTF-8 as is, no spaces)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
