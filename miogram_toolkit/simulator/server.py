"""A small threaded HTTP/1.1 server for the simulator's WSGI application, loopback only.

Standard library only (``http.server`` with ``ThreadingMixIn``): one thread per connection,
keep-alive so a client's pooled connections are reused. A request is answered only when its
``Host`` is ``127.0.0.1``, ``localhost`` or ``[::1]`` (with the server's port, or none): a web
page that rebinds its own name to 127.0.0.1 gets HTTP 403 and one line, never the service.
When the application raises ``ConnectionResetError`` (a simulated drop), the socket is closed
without a byte of answer. Request lines and bodies are never logged (the body holds the secret).

Example:
    >>> from miogram_toolkit.simulator.app import SimulatorApp
    >>> from miogram_toolkit.simulator.state import State
    >>> server = SimulatorServer(SimulatorApp(State()), port=0)
    >>> server.start(); server.url.startswith("http://127.0.0.1:")
    True
    >>> server.stop()
"""

from __future__ import annotations

import io
import ipaddress
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import TCPServer, ThreadingMixIn
from typing import Any

from miogram_toolkit.simulator.app import DELAY_KEY, SERVICE_PATH, request_cap
from miogram_toolkit.simulator.state import DEFAULT_LIMITS

__all__ = ["SimulatorServer", "check_loopback"]

logger = logging.getLogger("miogram_toolkit.simulator")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_MAX_REQUEST_LINE = 65536  # the stdlib's own limit; longer request lines are refused
_MAX_LINE = 4096  # a chunk-size or trailer line
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_DEFAULT_CAP = request_cap(DEFAULT_LIMITS)
_REFUSAL = b'{"Result":false,"Status":"error","Message":"Bad Request"}'
# The Host names a request may use (with the server's port, or none); anything else is refused.
_LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
_FORBIDDEN = (b"Forbidden: the MioGram simulator answers only requests addressed to 127.0.0.1, "
              b"localhost or [::1].\n")
# After refusing an oversized body, how long to read and drop what the client still sends.
_DRAIN_S = 10.0
_DRAIN_READ_S = 1.0


def check_loopback(host: str) -> str:
    """Return ``host`` when it is a loopback address; the simulator serves nothing else.

    Raises:
        ValueError: ``host`` is not a loopback address.
    """
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f"the simulator listens on loopback addresses only, not {host!r}")


class _Refused(Exception):
    """The request cannot be read whole (malformed, incomplete or over the size cap)."""

    def __init__(self, drain: int = 0) -> None:
        super().__init__("request refused")
        self.drain = drain


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MioGramSimulator/1.2"
    # An idle keep-alive connection is closed after this many seconds.
    timeout = 60
    server: _ThreadingServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this Nagle can add 40 ms to each.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: nothing about a request is logged."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header by the service's clock (the app's ``clock_offset_s``)."""
        if timestamp is None:
            timestamp = time.time() + float(getattr(self.server.app, "clock_offset_s", 0.0))
        return super().date_time_string(timestamp)

    def _body(self) -> bytes:
        """The whole body, or :class:`_Refused` when it cannot be read whole and within the cap.

        An incomplete body (shorter than ``Content-Length``, or chunked without its last chunk)
        is refused, never acted on.
        """
        cap = self.server.max_request_bytes()
        codings = self.headers.get_all("Transfer-Encoding") or []
        lengths = self.headers.get_all("Content-Length") or []
        if codings:
            if lengths or ",".join(codings).strip().lower() != "chunked":
                raise _Refused()
            return self._chunked(cap)
        values = {value.strip() for value in lengths}
        if len(values) > 1:
            raise _Refused()
        text = values.pop() if values else "0"
        if not (text.isascii() and text.isdigit()):
            raise _Refused()
        if len(text) > 12 or int(text) > cap:
            raise _Refused(drain=int(text) if len(text) <= 12 else cap)
        length = int(text)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise _Refused()
        return body

    def _chunked(self, cap: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_text = self._line().split(b";", 1)[0].strip()
            if not _HEX.fullmatch(size_text):
                raise _Refused()
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > cap:
                raise _Refused(drain=cap)
            chunk = self.rfile.read(size)
            if len(chunk) < size or self._line().strip():
                raise _Refused()
            chunks.append(chunk)
        trailers = 0
        while self._line().strip():
            trailers += 1
            if trailers > 100:
                raise _Refused()
        return b"".join(chunks)

    def _line(self) -> bytes:
        """One line of chunk framing; a line cut short by the end of input is refused."""
        line = self.rfile.readline(_MAX_LINE + 1)
        if not line.endswith(b"\n") or len(line) > _MAX_LINE:
            raise _Refused()
        return line

    def _refuse(self, drain: int = 0) -> None:
        """Answer the 812 JSON and close; read and drop up to ``drain`` unread body bytes first
        so that a client still sending reads the answer instead of a reset."""
        self.close_connection = True
        if getattr(self, "request_version", "") not in ("HTTP/1.0", "HTTP/1.1"):
            self.request_version = "HTTP/1.1"  # the stdlib writes no status line for HTTP/0.9
        try:
            self._answer_and_close(200, "OK", "application/json; charset=utf-8",
                                   self.server.refusal())
            if drain:
                self._drain(drain)
        except OSError:
            pass  # the client is gone: nothing to tell

    def _answer_and_close(self, code: int, reason: str, ctype: str, payload: bytes) -> None:
        """Write one whole answer that closes the connection."""
        self.close_connection = True
        self.send_response(code, reason)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def _drain(self, limit: int) -> None:
        self.connection.settimeout(_DRAIN_READ_S)
        deadline = time.monotonic() + _DRAIN_S
        while limit > 0 and time.monotonic() < deadline:
            data = self.rfile.read1(min(limit, 1 << 16))
            if not data:
                return
            limit -= len(data)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """Every error the HTTP layer finds (bad request line, URL or headers too long…) is
        answered with the 812 JSON, never an HTML page."""
        self._refuse()

    def handle_one_request(self) -> None:
        # The stdlib's, except that every method goes to the application (no 501 page) and a
        # request line over the limit is refused like any other unreadable request.
        try:
            self.raw_requestline = self.rfile.readline(_MAX_REQUEST_LINE + 1)
            if len(self.raw_requestline) > _MAX_REQUEST_LINE:
                self.requestline = self.command = ""
                self._refuse()
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            if self.request_version == "HTTP/0.9":
                self._refuse()
                return
            self._serve()
            self.wfile.flush()
        except TimeoutError:
            # A client that stopped sending mid-request: nothing was acted on.
            self.close_connection = True

    def _environ(self, body: bytes) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command, "SCRIPT_NAME": "", "PATH_INFO": path,
            "QUERY_STRING": query, "SERVER_NAME": host, "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version, "REMOTE_ADDR": self.client_address[0],
            "CONTENT_TYPE": self.headers.get("Content-Type") or "",
            "CONTENT_LENGTH": str(len(body)), "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False,
            "wsgi.run_once": False, DELAY_KEY: self.server.stop_event,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[f"HTTP_{key}"] = value
        return environ

    def _host_allowed(self) -> bool:
        """True when the request names this server by a loopback name (DNS rebinding: a page
        of another site that resolves its own name to 127.0.0.1 sends its own Host)."""
        values = self.headers.get_all("Host") or []
        if len(values) != 1:
            return False
        host = values[0].strip().lower()
        close = host.find("]") + 1  # an IPv6 literal is bracketed: its colons are not a port
        name, rest = (host[:close], host[close:]) if host.startswith("[") else \
            (host.partition(":")[0], host[len(host.partition(":")[0]):])
        return name in _LOOPBACK_NAMES and rest in ("", f":{self.server.server_address[1]}")

    def _forbid(self) -> None:
        """403 and one line, never the service's JSON: the Host is not a loopback name."""
        try:
            self._answer_and_close(403, "Forbidden", "text/plain; charset=utf-8", _FORBIDDEN)
        except OSError:
            pass  # the client is gone: nothing to tell

    def _serve(self) -> None:
        try:
            body = self._body()
        except _Refused as refused:
            self._refuse(refused.drain)
            return
        if not self._host_allowed():
            self._forbid()
            return
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Callable[[bytes], None]:
            started[:] = [status, headers]
            return lambda data: None

        try:
            result = self.server.app(self._environ(body), start_response)
            payload = b"".join(result)
        except (ConnectionError, TimeoutError):
            # A simulated drop: close without answering anything.
            self.close_connection = True
            return
        status, headers = started
        code, _, reason = status.partition(" ")
        try:
            self.send_response(int(code), reason)
            for name, value in headers:
                if name.lower() != "date":  # send_response wrote it, by the same clock
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        except ConnectionError:
            # The client gave up first (a late answer after its timeout): nothing to tell.
            self.close_connection = True



class _ThreadingServer(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: WSGIApp) -> None:
        self.app = app
        # A SimulatorApp sets the cap from the account's limits and words the refusal; any
        # other WSGI application gets the defaults.
        self._cap: Callable[[], int] = lambda: int(getattr(app, "max_request_bytes",
                                                           _DEFAULT_CAP))
        self.refusal: Callable[[], bytes] = getattr(app, "refusal", lambda: _REFUSAL)
        self.stop_event = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the host name up (slow, and pointless here).
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that vanished is normal here; anything else is logged, without the request.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        logger.exception("simulator: error while serving a request")

    def max_request_bytes(self) -> int:
        """The largest request body this server reads."""
        return self._cap()

    def track(self, conn: socket.socket, is_open: bool) -> None:
        with self._open_lock:
            (self._open.add if is_open else self._open.discard)(conn)

    def close_all(self) -> None:
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


class SimulatorServer:
    """Serve a WSGI application on a loopback port from a background thread.

    Args:
        app: the WSGI application.
        host: a loopback address.
        port: the port; 0 picks a free one.
    """

    def __init__(self, app: WSGIApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = check_loopback(host)
        self.port = port
        self._server: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._server is not None

    @property
    def url(self) -> str:
        """The service's address, ``http://127.0.0.1:PORT/dojob.php``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{SERVICE_PATH}"

    def start(self) -> None:
        """Bind and serve in a daemon thread (no-op when already serving)."""
        if self._server is not None:
            return
        cls = _ThreadingServer6 if ":" in self.host else _ThreadingServer
        server = cls((self.host, self.port), self.app)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={
            "poll_interval": 0.02}, name=f"miogram-simulator:{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, wake any late answer, close every connection (no-op when stopped)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stop_event.set()
        server.shutdown()
        server.server_close()
        server.close_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
