"""A total deadline for one HTTP exchange — connect, send and read — however slowly a server drips.

``requests`` (through urllib3) applies its timeout to each socket operation: a server that sends
one byte just inside each timeout holds a request for as long as it likes (a 35-byte answer
dripped at 0.4 s a byte took 14 s under ``timeout=1``). :class:`Deadline` bounds the whole
exchange instead. While one is active (a ``with`` block in the calling thread), every connection
urllib3 opens or reuses *in that thread* registers its socket with it; when the time is up the
watchdog (one daemon thread for the process, started on first use) shuts that socket down, so
whatever read or write is blocked on it returns at once and the request fails.

::

    with Deadline(t):                                  watchdog (heap of active deadlines)
      connect  _new_conn: socket watched               │
               (TCP, proxy CONNECT, TLS handshake)     │
               fails? connect_failed = True            │  t seconds pass before the exit?
      send     send(): socket watched, wrote = True    ├─► expired = True, shutdown(socket):
      read     headers, body (streamed)                │   the blocked read or write fails now
    exit: finished = True (the watchdog drops it when it comes up)

    after a failure:  wrote            → it may have arrived: never "not sent"
                      connect_failed   → the request never left (safe to repeat)

What is watched is a duplicate of the socket's descriptor, owned by the deadline and closed on
exit, so the watchdog can never shut a descriptor number that meanwhile belongs to another
connection. A socket shut just as its answer completed goes back to the pool dead; urllib3 checks
an idle connection before reusing it (``is_connection_dropped``) and opens a new one instead.

:func:`watch_pools` installs the hooks into a urllib3 pool manager (plain, proxy or SOCKS) by
subclassing its connection classes; :class:`DeadlineAdapter` does it for a ``requests`` session.

Example:
    >>> with Deadline(5.0) as deadline:
    ...     0 < deadline.remaining() <= 5.0
    True
    >>> deadline.expired, deadline.wrote, deadline.connect_failed
    (False, False, False)
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import os
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection

__all__ = ["LONGEST", "Deadline", "DeadlineAdapter", "current_deadline", "watch_pools"]

#: A deadline longer than this (about 11.6 days, or infinite) is no deadline at all: the clocks
#: of waits and of the sockets' own timeouts cannot hold such values.
LONGEST = 1e6

_active = threading.local()


def current_deadline() -> Deadline | None:
    """The deadline active in this thread, if any."""
    return getattr(_active, "deadline", None)


class Deadline:
    """Bound one exchange to ``seconds`` in total; see the module docstring.

    Attributes:
        seconds: the total allowed (above :data:`LONGEST`: unlimited).
        expired: the time ran out before the exchange finished.
        wrote: a byte of the request itself (not a proxy's CONNECT) was handed to a socket.
        connect_failed: opening a connection failed (TCP, proxy tunnel or TLS handshake), so
            the request was never written on it.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = float(seconds)
        self.expired = False
        self.wrote = False
        self.connect_failed = False
        self._ends = time.monotonic() + self.seconds
        self._lock = threading.Lock()
        self._finished = False
        self._watched: socket.socket | None = None  # a duplicate, owned here
        self._watched_of: Any = None  # the socket object it duplicates
        self._previous: Deadline | None = None
        self._limited = self.seconds <= LONGEST

    def remaining(self) -> float:
        """Seconds left (0.0 once passed; ``inf`` when unlimited)."""
        if not self._limited:
            return float("inf")
        return max(0.0, self._ends - time.monotonic())

    def __enter__(self) -> Deadline:
        self._previous = current_deadline()
        _active.deadline = self
        if self._limited:
            _watchdog.add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._finished = True
            self._drop_watch()
        _active.deadline = self._previous

    def watch(self, sock: Any) -> None:
        """Shut ``sock`` down when the time is up (at once if it already is)."""
        with self._lock:
            if self._finished or sock is self._watched_of:
                return
            try:
                dup = socket.fromfd(sock.fileno(), sock.family, sock.type)
            except (OSError, ValueError):  # already closed: nothing left to interrupt
                return
            self._drop_watch()
            self._watched, self._watched_of = dup, sock
            if self.expired:
                _shut(dup)

    def _expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.expired = True
            if self._watched is not None:
                _shut(self._watched)

    def _drop_watch(self) -> None:
        if self._watched is not None:
            self._watched.close()
        self._watched = self._watched_of = None


class _Watchdog:
    """One thread for every deadline of the process: sleeps until the earliest one is due.

    A finished deadline is not removed on exit (that would cost a search); it is dropped when it
    reaches the top of the heap. A thread per request would cost more than the request itself
    on a local server.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        # When the watchdog wakes by itself (inf: it waits to be told); an entry due later
        # needs no wake-up: the watchdog looks at the heap again then.
        self._waking_at = float("inf")

    def _after_fork(self) -> None:
        # A forked child has no watchdog thread, and maybe a lock its parent's thread held.
        _Watchdog.__init__(self)

    def add(self, deadline: Deadline) -> None:
        with self._cond:
            self._drop_finished()  # requests in a row leave their entries at the top
            heapq.heappush(self._heap, (deadline._ends, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="miogram-deadlines",
                                                daemon=True)
                self._thread.start()
            elif deadline._ends < self._waking_at:
                self._cond.notify()  # due before whatever the watchdog sleeps towards

    def _run(self) -> None:
        with self._cond:
            while True:
                self._drop_finished()
                if not self._heap:
                    self._waking_at = float("inf")
                    self._cond.wait()
                    continue
                self._waking_at = self._heap[0][0]
                wait = self._waking_at - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)[2]._expire()

    def _drop_finished(self) -> None:
        while self._heap and self._heap[0][2]._finished:
            heapq.heappop(self._heap)


_watchdog = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_watchdog._after_fork)


def _shut(sock: socket.socket) -> None:
    # shutdown acts on the connection itself, so the original descriptor sees it too.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedConnection(HTTPConnection):
    """Put in front of a urllib3 connection class: reports sockets and writes to the deadline."""

    _connecting = False

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        deadline = current_deadline()
        if deadline is not None:
            deadline.watch(sock)  # from the first byte of a proxy CONNECT or a TLS handshake on
        return sock

    def connect(self) -> None:
        self._connecting = True  # a proxy's CONNECT goes through send(): not the request
        try:
            super().connect()
        except BaseException:
            deadline = current_deadline()
            if deadline is not None:
                deadline.connect_failed = True
            raise
        finally:
            self._connecting = False

    def send(self, data: Any) -> None:
        deadline = current_deadline()
        if deadline is not None and not self._connecting:
            if self.sock is None:  # http.client connects lazily on the first write
                self.connect()
            deadline.watch(self.sock)  # a pooled connection was opened by an earlier exchange
            deadline.wrote = True
        super().send(data)


@functools.cache
def _watched_pool(pool_cls: Any) -> Any:
    conn_cls = pool_cls.ConnectionCls
    if issubclass(conn_cls, _WatchedConnection):
        return pool_cls
    watched = type(f"Watched{conn_cls.__name__}", (_WatchedConnection, conn_cls), {})
    return type(f"Watched{pool_cls.__name__}", (pool_cls,), {"ConnectionCls": watched})


def watch_pools(manager: Any) -> None:
    """Make every connection ``manager`` (a urllib3 PoolManager) creates report to the deadline.

    Idempotent; call it before the manager opens its first pool.
    """
    manager.pool_classes_by_scheme = {
        scheme: _watched_pool(cls) for scheme, cls in manager.pool_classes_by_scheme.items()}


class DeadlineAdapter(HTTPAdapter):
    """A ``requests`` adapter whose connections (direct, proxied, SOCKS) honour a :class:`Deadline`.

    Example:
        >>> adapter = DeadlineAdapter(max_retries=0)
        >>> adapter.poolmanager.pool_classes_by_scheme["https"].__name__
        'WatchedHTTPSConnectionPool'
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        watch_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        watch_pools(manager)
        return manager
