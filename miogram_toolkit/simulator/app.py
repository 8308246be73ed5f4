"""The simulated service as a WSGI application over a :class:`~.state.State`.

Paths:

* ``/dojob.php`` — the service. POST only: any other method answers 812 Bad Request. The body
  must be ``application/x-www-form-urlencoded`` UTF-8 (else 812); the query string is ignored,
  when a field is repeated the last value wins, and pairs after the first :data:`MAX_FIELDS`
  are ignored (PHP's ``max_input_vars``). Every answer is HTTP 200, errors included;
  its body and Content-Type are the dialect's (:mod:`.dialects`).
* ``/_simulator/state`` — inspection, outside the MioGram contract (GET; only with
  ``inspect=True``): credits, counts and deliveries per number. Never holds the secret.
* anything else — HTTP 404 with the JSON of 812 Bad Request.

Limits, checked before anything else and before the account's lock is taken, each answering
812 with nothing changed: a body whose ``Content-Length`` is not a number, or over
:func:`request_cap` (room for the largest legal file; 81 MiB with the default limits — the body
is then not read), or shorter than announced; a ``Phone`` with more than :data:`MAX_NUMBERS`
numbers.

Faults (see :mod:`.faults`) apply to POSTs to ``/dojob.php`` only. To drop a connection the
application raises ``ConnectionResetError``; the simulator's server closes the socket without a
byte, and :class:`miogram_toolkit.client.transport.WSGITransport` reports "no answer".

Example:
    >>> import io
    >>> from miogram_toolkit.simulator.state import State
    >>> app = SimulatorApp(State(secret="s"))
    >>> body = b"Secret=s&Func=APIGetUsername"
    >>> environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/dojob.php",
    ...            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
    ...            "REMOTE_ADDR": "127.0.0.1"}
    >>> b"".join(app(environ, lambda status, headers: None))
    b'{"Result":"demo"}'
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote_to_bytes

from miogram_toolkit.simulator.actions import respond
from miogram_toolkit.simulator.base import Dialect, Reply, encode
from miogram_toolkit.simulator.dialects import make_dialect
from miogram_toolkit.simulator.faults import FaultPlan
from miogram_toolkit.simulator.state import State

__all__ = ["INSPECT_PATH", "MAX_FIELDS", "MAX_NUMBERS", "SERVICE_PATH", "SimulatorApp",
           "request_cap"]

SERVICE_PATH = "/dojob.php"
INSPECT_PATH = "/_simulator/state"
#: Set by the simulator's own server: a late answer can really wait (the value is a stop event).
DELAY_KEY = "miogram.simulator.stop_event"
#: The most numbers one request's ``Phone`` may hold: a request is one transaction under the
#: account's lock, and this keeps the longest one short (``benchmarks/bench_simulator_state.py``
#: measures it: 0.05 s, 0.2 s on a busy machine). The service itself pays a second per number.
MAX_NUMBERS = 1_000
#: The most form fields read from one request; later ones are ignored (PHP's
#: ``max_input_vars``, 1000 by default).
MAX_FIELDS = 1_000

_MB = 1024 * 1024
_UNQUOTE_STEP = _MB
_FILE_KINDS = ("Photo", "Video", "File")

_JSON = "application/json; charset=utf-8"


def _nginx_page(status: str) -> tuple[str, bytes]:
    return status, (f"<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n"
                    f"<center><h1>{status}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                    f"</body>\r\n</html>\r\n").encode("ascii")


# What a proxy in front of the service answers instead of it (``http502``, ``proxy_after``).
_PROXY_PAGES = (_nginx_page("502 Bad Gateway"), _nginx_page("504 Gateway Time-out"))

StartResponse = Callable[..., Any]


def request_cap(limits: Mapping[str, int]) -> int:
    """The largest request body accepted, in bytes: room for the largest legal file.

    A file of ``L`` MB is at most ``4·L`` MB once base64-encoded (4/3) and form-encoded (every
    ``+``, ``/`` and ``=`` written as ``%2B``…, at worst 3×), plus 1 MiB for the other fields.
    """
    largest = max((limits.get(kind, 0) for kind in _FILE_KINDS), default=0)
    return 4 * largest * _MB + _MB


def _read_body(environ: dict[str, Any], cap: int) -> bytes | None:
    """The whole body, or None when its length is not a number, is over ``cap``, or the body
    ends before it (an incomplete request is never acted on)."""
    text = str(environ.get("CONTENT_LENGTH") or "0").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or int(text) > cap:
        return None
    length = int(text)
    stream = environ.get("wsgi.input")
    if length == 0 or stream is None:
        return b"" if length == 0 else None
    body: bytes = stream.read(length)
    return body if len(body) == length else None


def _too_many_numbers(fields: Mapping[str, str]) -> bool:
    return fields.get("Phone", "").count(",") >= MAX_NUMBERS


def _parse_form(environ: dict[str, Any], body: bytes) -> dict[str, str] | None:
    """The form fields, or None when the body is not an urlencoded UTF-8 form.

    Read one pair at a time and only the first :data:`MAX_FIELDS` pairs, as PHP does
    (``max_input_vars``): a 60 MB body of short fields costs the body and a thousand fields,
    not a list and a dict of millions of objects (``benchmarks/bench_simulator_state.py``).
    """
    ctype = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if body and ctype not in ("", "application/x-www-form-urlencoded"):
        return None
    if not body.isascii():
        return None
    fields: dict[str, str] = {}
    start, size, pairs = 0, len(body), 0
    try:
        while start < size and pairs < MAX_FIELDS:
            end = body.find(b"&", start)
            end = size if end < 0 else end
            if end > start:
                name, _, value = body[start:end].partition(b"=")
                # Repeated fields: the last one wins, as in PHP's $_POST.
                fields[_unquote(name)] = _unquote(value)
                pairs += 1
            start = end + 1
    except UnicodeDecodeError:
        return None
    return fields


def _unquote(raw: bytes) -> str:
    """``parse_qsl``'s decoding of one name or value (``+`` a space, ``%XX`` a byte, UTF-8
    strict), a megabyte at a time: a 28 MB file field peaks near 4x its size, not 14x."""
    raw = raw.replace(b"+", b" ")
    if b"%" not in raw:
        return raw.decode("utf-8")
    decoded = bytearray()
    start = 0
    while start < len(raw):
        end = min(start + _UNQUOTE_STEP, len(raw))
        if end < len(raw):
            cut = raw.rfind(b"%", end - 2, end)  # never split a %XX between two steps
            end = cut if cut > start else end
        decoded += unquote_to_bytes(raw[start:end])
        start = end
    del raw
    return decoded.decode("utf-8")


class SimulatorApp:
    """A WSGI callable serving MioGram's ``/dojob.php`` from a state object.

    Args:
        state: the account and everything it remembers.
        faults: the fault plan (default: no faults).
        inspect: serve ``GET /_simulator/state`` (off by default).
        latency_ms: a pause before every service request is processed.
        error_codes: add the numeric ``Code`` to the ``document`` dialect's error answers (the
            document shows only the text; off by default so clients are tested on the text).
        dialect: ``"reference"`` (the service's own implementation) or ``"document"``, or a
            :class:`~.dialects.Dialect` object.
        per_number_s: the gateway's pause per number of a send (outside the state's lock).
        gateway_timeout_s: how long the endpoint waits for its gateway (``reference``: a send
            whose numbers × ``per_number_s`` pass it is answered 999 after this long, while its
            numbers are still sent, uncharged and unlogged).
        clock_offset_s: how far the service's clock runs from ours (seconds, + = ahead): its
            ``Date`` header, report times and chat dates are shifted by it.
    """

    def __init__(self, state: State, faults: FaultPlan | None = None, *, inspect: bool = False,
                 latency_ms: float = 0.0, error_codes: bool = False,
                 dialect: str | Dialect = "reference", per_number_s: float = 0.0,
                 gateway_timeout_s: float = 60.0, clock_offset_s: float = 0.0) -> None:
        for name, value in (("per_number_s", per_number_s),
                            ("gateway_timeout_s", gateway_timeout_s)):
            if not value >= 0:
                raise ValueError(f"{name} must be 0 or more seconds, got {value!r}")
        self.state = state
        self.faults = faults or FaultPlan()
        self.inspect = inspect
        self.latency_ms = float(latency_ms)
        self.error_codes = error_codes
        self.dialect = dialect if isinstance(dialect, Dialect) \
            else make_dialect(dialect, error_codes=error_codes)
        self.per_number_s = float(per_number_s)
        self.gateway_timeout_s = float(gateway_timeout_s)
        self.clock_offset_s = float(clock_offset_s)

    def now(self) -> datetime:
        """The time by the service's clock (ours moved by ``clock_offset_s``)."""
        return datetime.now(UTC) + timedelta(seconds=self.clock_offset_s)

    def _headers(self, ctype: str) -> list[tuple[str, str]]:
        # The service's Date header tells a client how far its clock runs from ours.
        return [("Content-Type", ctype),
                ("Date", formatdate(time.time() + self.clock_offset_s, usegmt=True))]

    @property
    def max_request_bytes(self) -> int:
        """The largest request body served (:func:`request_cap` of the account's limits)."""
        return request_cap(self.state.limits)

    def refusal(self) -> bytes:
        """The body of 812 Bad Request, for a request the server could not read whole."""
        return encode(self._error(812))

    def _json(self, start_response: StartResponse, value: Any,
              status: str = "200 OK") -> list[bytes]:
        start_response(status, self._headers(_JSON))
        return [encode(value)]

    def _error(self, code: int) -> dict[str, Any]:
        return self.dialect.error(code).body

    def _reply(self, start_response: StartResponse, reply: Reply) -> list[bytes]:
        payload, ctype = self.dialect.wire(reply)
        start_response("200 OK", self._headers(ctype))
        return [payload]

    def _proxy_page(self, start_response: StartResponse, number: int) -> list[bytes]:
        status, page = _PROXY_PAGES[number % len(_PROXY_PAGES)]
        start_response(status, self._headers("text/html"))
        return [page]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = (environ.get("REQUEST_METHOD") or "GET").upper()
        if path == INSPECT_PATH and self.inspect:
            if method != "GET":
                return self._json(start_response, self._error(812), "405 Method Not Allowed")
            return self._json(start_response, self.state.inspect())
        if path != SERVICE_PATH:
            return self._json(start_response, self._error(812), "404 Not Found")
        with self.state.lock:
            self.state.counts["requests"] += 1
        body = _read_body(environ, self.max_request_bytes)
        remote = environ.get("REMOTE_ADDR") or ""
        if method != "POST":
            return self._reply(start_response, self.dialect.refuse_method(remote))
        if body is None:
            return self._reply(start_response, self.dialect.error(812))
        fault = self.faults.draw()
        if fault is not None:
            with self.state.lock:
                self.state.counts["faults"] += 1
        if fault == "999":
            return self._reply(start_response, self.dialect.error(999))
        if fault == "gateway_306":
            # The agent gateway's corrupted credit file: refused before anything is sent.
            return self._reply(start_response, Reply(
                {"Message": "Error 306 : Low Credit", "Status": "error"}, gateway=True))
        if fault == "http502":
            return self._proxy_page(start_response, 0)
        if fault == "drop_before":
            raise ConnectionResetError("simulated: connection dropped before processing")
        if self.latency_ms > 0:
            time.sleep(self.latency_ms / 1000)
        fields = _parse_form(environ, body)
        if fields is None or _too_many_numbers(fields):
            reply = self.dialect.error(812)
        else:
            reply = respond(self.state, fields, remote, self.now(), dialect=self.dialect,
                            per_number_s=self.per_number_s,
                            gateway_timeout_s=self.gateway_timeout_s,
                            cut_off=fault == "999_after")
        payload, ctype = self.dialect.wire(reply)
        if fault == "proxy_after":
            return self._proxy_page(start_response, self.faults.drawn(fault))
        if fault == "lost_answer":
            raise ConnectionResetError("simulated: answer lost after processing")
        if fault == "late_answer":
            stop: threading.Event | None = environ.get(DELAY_KEY)
            if stop is None:
                # In-process there is no socket to hold open: the client's timeout, at once.
                raise TimeoutError("simulated: answer later than the client waits")
            if stop.wait(self.faults.late_answer_s):
                raise ConnectionResetError("simulated: server stopped before the late answer")
        if fault == "bad_json":
            payload = payload[: max(1, len(payload) // 2)]
        start_response("200 OK", self._headers(ctype))
        return [payload]

