"""The HTTP seam against hostile networks: proxies, redirects, dripping and flooding servers, and
tracebacks that print their locals. Every server is a loopback thread; nothing leaves the machine.
"""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import socketserver
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import parse_qs, quote_plus

import pytest
import requests

from miogram_toolkit import Client
from miogram_toolkit.client.deadline import current_deadline
from miogram_toolkit.client.transport import (
    MAX_ANSWER_BYTES,
    BadAnswer,
    NoAnswer,
    NotSent,
    RequestsTransport,
    WSGITransport,
)
from miogram_toolkit.protocol.errors import (
    BadResponse,
    ConnectError,
    DeliveryUnknown,
    MioGramError,
    ResponseTimeout,
)

# '+' and '/' change under URL-encoding, so both spellings of the secret are looked for.
SECRET = "s3cr3t+Key/9x"
SPELLINGS = (SECRET, quote_plus(SECRET))
HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
FORM = {"Secret": SECRET, "Func": "SendMessage", "Phone": "+989121234567", "Message": "Hi"}
OK = b'{"Status": "success", "Result": true}'
CREDITS = json.dumps({"Status": "checking", "Result": {
    "Message": "10", "Photo": "10", "Video": "10", "File": "10", "Other": "10"}}).encode()


# -- a raw loopback server: the handler gets the request and the socket ------------------------

@dataclass
class Request:
    head: bytes
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("ascii")).items()}


@dataclass
class Server:
    url: str
    port: int
    seen: list[Request] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # every byte received, per connection


def _read_request(sock: socket.socket, raw: bytearray) -> Request | None:
    while b"\r\n\r\n" not in raw:
        data = sock.recv(65536)
        if not data:
            return None
        raw += data
    head, _, rest = bytes(raw).partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = bytearray(rest)
    while len(body) < length:
        data = sock.recv(65536)
        if not data:
            break
        body += data
    raw[:] = bytes(head) + b"\r\n\r\n" + bytes(body)
    return Request(head, bytes(body[:length]))


@contextmanager
def serve(answer: Callable[[Request, socket.socket], None], *,
          read_request: bool = True) -> Iterator[Server]:
    """Run ``answer(request, sock)`` for each connection on a loopback port."""
    server: Server

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            raw = bytearray()
            server.raw.append(b"")
            index = len(server.raw) - 1
            try:
                request = _read_request(self.request, raw) if read_request else Request(b"", b"")
                server.raw[index] = bytes(raw)
                if request is None:
                    return
                server.seen.append(request)
                answer(request, self.request)
            except OSError:
                pass  # the client gave up: expected for the dripping servers

    class Quiet(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass

    tcp = Quiet(("127.0.0.1", 0), Handler)
    port = tcp.server_address[1]
    server = Server(f"http://127.0.0.1:{port}/dojob.php", port)
    thread = threading.Thread(target=tcp.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        tcp.shutdown()
        tcp.server_close()


def reply(sock: socket.socket, body: bytes = OK, status: str = "200 OK",
          headers: tuple[str, ...] = ("Content-Type: application/json",)) -> None:
    head = "".join(f"{h}\r\n" for h in (*headers, f"Content-Length: {len(body)}"))
    sock.sendall(f"HTTP/1.1 {status}\r\n{head}Connection: close\r\n\r\n".encode() + body)


def answer_ok(request: Request, sock: socket.socket) -> None:
    reply(sock, CREDITS if request.form.get("Func") == "APIGetCredits" else OK)


def client_for(url: str, **kwargs: object) -> Client:
    kwargs.setdefault("retries", 0)
    return Client(SECRET, base_url=url, sleep=lambda s: None, **kwargs)  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- (5) proxies from the environment -----------------------------------------------------------

@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """A loopback proxy named in every proxy variable; it answers success to anything forwarded
    and refuses CONNECT, and keeps every byte it receives."""

    def answer(request: Request, sock: socket.socket) -> None:
        if request.head.startswith(b"CONNECT "):
            reply(sock, b"", "403 Forbidden", ())
        else:
            reply(sock, OK)

    with serve(answer) as server:
        address = f"http://127.0.0.1:{server.port}"
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(name, address)
            monkeypatch.setenv(name.lower(), address)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        yield server


def test_loopback_http_never_goes_through_an_environment_proxy(proxy: Server) -> None:
    with serve(answer_ok) as service, client_for(service.url) as client:
        assert client.send_message("+989121234567", "Hi") is True
    assert proxy.raw == []  # the proxy never even saw a connection
    assert [r.form["Secret"] for r in service.seen] == [SECRET]


def test_a_sessions_own_proxies_are_not_used_for_loopback_either(proxy: Server) -> None:
    session = requests.Session()
    session.trust_env = False
    session.proxies = {"http": f"http://127.0.0.1:{proxy.port}",
                       "all": f"http://127.0.0.1:{proxy.port}"}
    transport = RequestsTransport(session=session)
    with serve(answer_ok) as service:
        assert transport.post(service.url, FORM, headers=HEADERS, timeout=5).status_code == 200
    transport.close()
    assert proxy.raw == []
    assert [r.form["Secret"] for r in service.seen] == [SECRET]


def test_loopback_https_never_goes_through_an_environment_proxy(proxy: Server) -> None:
    transport = RequestsTransport()
    with pytest.raises(NotSent):  # refused by the (closed) loopback port itself
        transport.post(f"https://localhost:{_free_port()}/dojob.php", FORM, headers=HEADERS,
                       timeout=5)
    transport.close()
    assert proxy.raw == []


def test_https_goes_through_a_proxy_only_as_a_connect_tunnel(proxy: Server) -> None:
    transport = RequestsTransport()
    with pytest.raises(NotSent):  # the proxy refused the tunnel: nothing was sent
        transport.post("https://miogram.invalid/dojob.php", FORM, headers=HEADERS, timeout=5)
    transport.close()
    assert len(proxy.raw) == 1
    assert proxy.raw[0].startswith(b"CONNECT miogram.invalid:443 HTTP/1.")
    assert not any(s.encode() in proxy.raw[0] for s in SPELLINGS)
    assert b"Func" not in proxy.raw[0]


# -- (6) redirects ------------------------------------------------------------------------------

def test_a_redirect_with_a_json_body_is_a_bad_response_and_is_not_followed() -> None:
    with serve(answer_ok) as elsewhere:
        def redirect(request: Request, sock: socket.socket) -> None:
            reply(sock, OK, "307 Temporary Redirect",
                  ("Content-Type: application/json", f"Location: {elsewhere.url}"))

        with serve(redirect) as service, client_for(service.url) as client:
            with pytest.raises(BadResponse) as info:
                client.send_message("+989121234567", "Hi")
            assert info.value.http_status == 307
            assert "redirect" in str(info.value)
            with pytest.raises(BadResponse):  # a read-only action is retried, then fails too
                client_for(service.url, retries=1).get_credits()
        assert len(service.seen) == 3
    assert elsewhere.seen == []


def test_wsgi_redirects_are_bad_answers_too() -> None:
    def app(environ, start_response):
        start_response("302 Found", [("Location", "http://127.0.0.1:1/"),
                                     ("Content-Type", "application/json")])
        return [OK]

    with pytest.raises(BadAnswer) as info:
        WSGITransport(app).post("http://127.0.0.1/", FORM, headers={}, timeout=1)
    assert info.value.status_code == 302


# -- (7) tracebacks that show their locals -----------------------------------------------------

def _locals_showing_the_secret(tb: TracebackType | None) -> list[str]:
    """Every ``function: local`` whose repr (what --showlocals prints) holds the secret."""
    found = []
    while tb is not None:
        frame = tb.tb_frame
        for name, value in frame.f_locals.items():
            try:
                shown = repr(value)
            except Exception:  # noqa: BLE001 - a repr that fails shows nothing
                continue
            if any(s in shown for s in SPELLINGS):
                found.append(f"{frame.f_code.co_name}: {name}")
        tb = tb.tb_next
    return found


def test_no_frame_on_the_way_to_the_socket_shows_the_secret(
        monkeypatch: pytest.MonkeyPatch) -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts into its backlog; never answers
    carried: list[bool] = []
    original = http.client.HTTPConnection.send

    def send(self: http.client.HTTPConnection, data: bytes) -> None:
        if b"Func=" in bytes(data):  # the body, at the last step before the socket
            carried.append(quote_plus(SECRET).encode() in bytes(data))
            raise RuntimeError("boom")
        original(self, data)

    monkeypatch.setattr(http.client.HTTPConnection, "send", send)
    with listener, client_for(f"http://127.0.0.1:{listener.getsockname()[1]}/") as client:
        with pytest.raises(RuntimeError, match="boom") as info:
            client.send_message("+989121234567", "Hi")
    assert carried == [True]  # the real body, secret included, did reach that frame
    frames = []
    tb = info.tb.tb_next  # from the client's frames down (the test's own hold the secret)
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert {"_request", "post", "urlopen", "send"} <= set(frames)
    assert _locals_showing_the_secret(info.tb.tb_next) == []


def test_no_frame_on_the_way_into_a_wsgi_app_shows_the_secret() -> None:
    def app(environ, start_response):
        raise RuntimeError("boom")

    client = Client(SECRET, base_url="http://127.0.0.1/", transport=WSGITransport(app))
    with pytest.raises(RuntimeError) as info:
        client.get_credits()
    assert _locals_showing_the_secret(info.tb.tb_next) == []


@pytest.mark.parametrize("echo", [
    b"<html>Secret=%(s)s was not accepted</html>",
    b'{"Status": "error", "Message": "Invalid Secret %(s)s"}',
])
def test_no_frame_shows_a_secret_the_server_echoes(echo: bytes) -> None:
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return [echo % {b"s": SECRET.encode()}]

    client = Client(SECRET, base_url="http://127.0.0.1/", transport=WSGITransport(app),
                    retries=0)
    with pytest.raises(MioGramError) as info:
        client.send_message("+989121234567", "Hi")
    assert SECRET not in str(info.value)
    assert _locals_showing_the_secret(info.tb.tb_next) == []


# -- (8) one deadline per attempt, however slowly the server drips ----------------------------

def drip(data: bytes, every: float) -> Callable[[Request, socket.socket], None]:
    def answer(request: Request, sock: socket.socket) -> None:
        for i in range(len(data)):
            sock.sendall(data[i:i + 1])
            time.sleep(every)

    return answer


def dripped_answer(body: bytes) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body))


@contextmanager
def elapsed() -> Iterator[list[float]]:
    took: list[float] = []
    started = time.monotonic()
    yield took
    took.append(time.monotonic() - started)


def test_a_body_dripped_byte_by_byte_ends_at_the_deadline() -> None:
    # Headers at once, then 37 bytes of body at 0.25 s each: 9 s with per-read timeouts.
    def answer(request: Request, sock: socket.socket) -> None:
        head = dripped_answer(OK)[:-len(OK)]
        sock.sendall(head)
        drip(OK, 0.25)(request, sock)

    with serve(answer) as service, \
            client_for(service.url, timeout=1, per_number_timeout=0, retries=3) as client:
        with elapsed() as took, pytest.raises(DeliveryUnknown, match="deadline"):
            client.send_message("+989121234567", "Hi")
        assert len(service.seen) == 1  # a send that may have arrived is never repeated
    assert took[0] < 5


def test_an_answer_cut_by_the_deadline_is_never_read_as_complete() -> None:
    # The status line at once, the rest dripped: cut before Content-Length, the socket's end
    # looks like the end of a close-delimited answer (a 200 with an empty body).
    def answer(request: Request, sock: socket.socket) -> None:
        whole = dripped_answer(OK)
        start = len(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        sock.sendall(whole[:start])
        drip(whole[start:], 0.25)(request, sock)

    with serve(answer) as service, \
            client_for(service.url, timeout=0.5, per_number_timeout=0) as client:
        with pytest.raises(DeliveryUnknown, match="deadline"):
            client.send_message("+989121234567", "Hi")


def test_headers_dripped_byte_by_byte_end_at_the_deadline() -> None:
    with serve(drip(dripped_answer(CREDITS), 0.25)) as service, \
            client_for(service.url, timeout=1, retries=2, backoff=0) as client:
        with elapsed() as took, pytest.raises(ResponseTimeout, match="deadline"):
            client.get_credits()
        assert len(service.seen) == 3  # read-only: retried, each attempt bounded
    assert took[0] < 10


def test_a_short_deadline_fires_while_a_longer_one_waits_in_another_thread() -> None:
    with serve(drip(dripped_answer(OK), 0.25)) as service:
        transport = RequestsTransport()
        outcomes: dict[str, tuple[type, float]] = {}

        def post(name: str, timeout: float) -> None:
            started = time.monotonic()
            try:
                transport.post(service.url, FORM, headers=HEADERS, timeout=timeout)
            except Exception as exc:  # noqa: BLE001 - the type is what is checked
                outcomes[name] = (type(exc), time.monotonic() - started)

        long = threading.Thread(target=post, args=("long", 3.0))
        long.start()
        time.sleep(0.1)  # the watchdog now sleeps towards the long deadline
        post("short", 0.3)
        long.join(10)
        transport.close()
    assert outcomes["short"][0] is NoAnswer and outcomes["short"][1] < 2.0
    assert outcomes["long"][0] is NoAnswer and outcomes["long"][1] < 6.0


def test_a_tls_handshake_dripped_byte_by_byte_counts_as_never_sent() -> None:
    # A TLS record header announcing 16 KiB, then its bytes one at a time: the handshake never
    # ends, so the request never leaves, and even a send may be tried again.
    record = b"\x16\x03\x03\x40\x00" + b"\x00" * 40

    with serve(drip(record, 0.25), read_request=False) as service, \
            client_for(f"https://127.0.0.1:{service.port}/", timeout=1, per_number_timeout=0,
                       retries=1) as client:
        with elapsed() as took, pytest.raises(ConnectError, match="before the request left"):
            client.send_message("+989121234567", "Hi")
        assert len(service.raw) == 2
    assert took[0] < 8


def test_a_failure_after_the_request_was_written_is_never_not_sent() -> None:
    class WritesThenTLSFails(requests.Session):
        def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
            deadline = current_deadline()
            assert deadline is not None
            deadline.wrote = True  # as the connection does on its first write
            raise requests.exceptions.SSLError("decryption failed while reading the answer")

    assert current_deadline() is None
    transport = RequestsTransport(session=WritesThenTLSFails())
    with pytest.raises(NoAnswer):
        transport.post("https://miogram.invalid/", FORM, headers=HEADERS, timeout=5)
    assert current_deadline() is None


def test_the_connection_is_reused_after_a_deadline_elsewhere() -> None:
    with serve(answer_ok) as service:
        transport = RequestsTransport()
        for _ in range(3):  # a pooled connection stays usable from one deadline to the next
            raw = transport.post(service.url, FORM, headers=HEADERS, timeout=5)
            assert raw.status_code == 200
        transport.close()


@pytest.mark.parametrize("timeout", [float("inf"), 1e12])
def test_a_timeout_beyond_any_clock_means_no_deadline(timeout: float) -> None:
    with serve(answer_ok) as service, client_for(service.url, timeout=timeout) as client:
        assert client.send_message("+989121234567", "Hi") is True


# -- (10) the size cap --------------------------------------------------------------------------

def _gzip_of_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(size >> 20)) + packer.flush()


BOMB = _gzip_of_zeros(64 << 20)  # 64 KiB on the wire, 64 MiB decoded


def answer_bomb(request: Request, sock: socket.socket) -> None:
    reply(sock, BOMB, headers=("Content-Type: application/json", "Content-Encoding: gzip"))


def test_a_gzip_bomb_is_refused_with_bounded_memory() -> None:
    assert len(BOMB) < 100_000
    with serve(answer_bomb) as service:
        transport = RequestsTransport(max_answer_bytes=1 << 20)
        tracemalloc.start()
        try:
            with pytest.raises(BadAnswer, match="larger than 1,048,576 bytes"):
                transport.post(service.url, FORM, headers=HEADERS, timeout=5)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            transport.close()
    assert peak < 16 << 20  # the whole 64 MiB was never held


def test_an_endless_body_is_refused_once_past_the_cap() -> None:
    def endless(request: Request, sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Connection: close\r\n\r\n")
        block = b"x" * 65536
        for _ in range(4096):  # 256 MiB at most, then the server gives up
            sock.sendall(block)

    with serve(endless) as service:
        transport = RequestsTransport(max_answer_bytes=1 << 20)
        with pytest.raises(BadAnswer):
            transport.post(service.url, FORM, headers=HEADERS, timeout=30)
        transport.close()


def test_the_client_reports_an_oversized_answer_as_a_bad_response() -> None:
    assert MAX_ANSWER_BYTES < 64 << 20  # the bomb is over the default cap
    with serve(answer_bomb) as service, client_for(service.url) as client:
        with pytest.raises(BadResponse, match="larger than") as info:
            client.get_credits()
    assert info.value.http_status == 200


def test_a_thousand_report_rows_of_long_persian_texts_fit_under_the_cap() -> None:
    record = {"Username": "user", "DATE": "2026-11-28", "TIME": "21:00:00", "IP": "127.0.0.1",
              "DATA": "س" * 2048, "Number": "+989121234567", "Delivered": "+989121234567"}
    body = json.dumps([record] * 1000).encode()  # ASCII-escaped, as the service's PHP writes it
    assert len(body) > 12_000_000

    with serve(lambda r, s: reply(s, body)) as service:
        transport = RequestsTransport()
        raw = transport.post(service.url, FORM, headers=HEADERS, timeout=30)
        transport.close()
    assert len(raw.text) == len(body)


def test_gzip_answers_under_the_cap_are_decoded() -> None:
    with serve(lambda r, s: reply(s, gzip.compress(OK), headers=(
            "Content-Type: application/json", "Content-Encoding: gzip"))) as service:
        transport = RequestsTransport()
        assert transport.post(service.url, FORM, headers=HEADERS, timeout=5).text == OK.decode()
        transport.close()


def test_wsgi_answers_over_the_cap_are_refused() -> None:
    def app(environ, start_response):
        start_response("200 OK", [])
        while True:
            yield b"x" * 65536

    with pytest.raises(BadAnswer):
        WSGITransport(app, max_answer_bytes=1 << 20).post("http://127.0.0.1/", FORM, headers={},
                                                           timeout=1)


@pytest.mark.parametrize("cap", [0, -1, 1.5, True])
def test_the_cap_must_be_a_positive_int(cap: object) -> None:
    with pytest.raises(ValueError, match="max_answer_bytes"):
        RequestsTransport(max_answer_bytes=cap)  # type: ignore[arg-type]
