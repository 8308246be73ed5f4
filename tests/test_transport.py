"""The HTTP seam: RequestsTransport against a tiny local server, WSGITransport in-process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests

from miogram_toolkit.client.transport import (
    BadAnswer,
    NoAnswer,
    NotSent,
    RawResponse,
    RequestsTransport,
    WSGITransport,
    classify_requests_error,
)

HEADERS = {"Accept-Charset": "UTF-8", "Content-Type": "application/x-www-form-urlencoded"}
FIELDS = {"Secret": "x32nv86ss5z", "Func": "SendMessage", "Message": "سلام, world & more"}


class Handler(BaseHTTPRequestHandler):
    """Behaviour by path: /ok echoes the form as JSON; /slow sleeps; /drop closes; /html 502."""

    seen: list[dict] = []

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("ascii")
        Handler.seen.append({"path": self.path, "headers": dict(self.headers),
                             "form": {k: v[0] for k, v in parse_qs(body).items()}})
        if self.path == "/slow":
            time.sleep(4.0)
        if self.path == "/drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if self.path == "/html":
            payload = b"<html><body>502 Bad Gateway</body></html>"
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
        else:
            payload = '{"Status": "success", "Result": "پاسخ"}'.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # the client gave up on /slow before the answer: the broken pipe is expected


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def transport() -> Iterator[RequestsTransport]:
    t = RequestsTransport(pool_size=4)
    yield t
    t.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_posts_an_urlencoded_form_and_reads_utf8(server: str,
                                                 transport: RequestsTransport) -> None:
    Handler.seen.clear()
    raw = transport.post(f"{server}/ok", FIELDS, headers=HEADERS, timeout=5)
    assert raw.status_code == 200
    assert raw.text == '{"Status": "success", "Result": "پاسخ"}'
    assert raw.headers["Content-Type"] == "application/json"
    seen = Handler.seen[-1]
    assert seen["form"] == FIELDS
    assert seen["headers"]["Accept-Charset"] == "UTF-8"
    assert seen["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_an_html_page_comes_back_as_it_is(server: str, transport: RequestsTransport) -> None:
    raw = transport.post(f"{server}/html", FIELDS, headers=HEADERS, timeout=5)
    assert raw.status_code == 502
    assert raw.text.startswith("<html>")


def test_refused_port_is_not_sent(transport: RequestsTransport) -> None:
    with pytest.raises(NotSent) as info:
        transport.post(f"http://127.0.0.1:{_free_port()}/", FIELDS, headers=HEADERS, timeout=2)
    assert info.value.__context__ is None  # no library error (holding the body) rides along


def test_a_handler_slower_than_the_timeout_is_no_answer(server: str,
                                                        transport: RequestsTransport) -> None:
    started = time.monotonic()
    with pytest.raises(NoAnswer) as info:
        transport.post(f"{server}/slow", FIELDS, headers=HEADERS, timeout=0.2)
    assert time.monotonic() - started < 3.0  # the handler answers after 4 s
    assert info.value.__context__ is None


def test_a_handler_that_closes_without_answer_is_no_answer(server: str,
                                                           transport: RequestsTransport) -> None:
    with pytest.raises(NoAnswer):
        transport.post(f"{server}/drop", FIELDS, headers=HEADERS, timeout=5)


def test_the_secret_is_not_in_transport_errors(transport: RequestsTransport) -> None:
    with pytest.raises(NotSent) as info:
        transport.post(f"http://127.0.0.1:{_free_port()}/", FIELDS, headers=HEADERS, timeout=2)
    assert "x32nv86ss5z" not in repr(info.value.args)


def test_redirects_are_not_followed(transport: RequestsTransport) -> None:
    elsewhere: list[str] = []

    class Redirect(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/elsewhere":
                elsewhere.append(self.path)
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

    httpd = QuietServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        with pytest.raises(BadAnswer) as info:
            transport.post(f"http://127.0.0.1:{httpd.server_address[1]}/", FIELDS,
                           headers=HEADERS, timeout=5)
        assert info.value.status_code == 302
        assert elsewhere == []
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_pool_is_sized_for_concurrency() -> None:
    t = RequestsTransport(pool_size=24)
    adapter = t._session.get_adapter("https://miogram.net/")
    assert adapter._pool_maxsize == 24
    assert adapter.max_retries.total == 0
    t.close()
    with pytest.raises(ValueError, match="pool_size"):
        RequestsTransport(pool_size=0)


def _connection_error(reason: BaseException) -> requests.exceptions.ConnectionError:
    import urllib3.exceptions as u3

    return requests.exceptions.ConnectionError(u3.MaxRetryError(None, "/", reason))


@pytest.mark.parametrize(("exc", "expected"), [
    (requests.exceptions.ConnectTimeout(), NotSent),
    (requests.exceptions.SSLError(), NotSent),
    (requests.exceptions.ReadTimeout(), NoAnswer),
    (requests.exceptions.ChunkedEncodingError(), NoAnswer),
    (requests.exceptions.ConnectionError(ConnectionResetError(104, "reset")), NoAnswer),
    (requests.exceptions.ConnectionError(
        __import__("urllib3").exceptions.ProtocolError("aborted", ConnectionResetError())),
     NoAnswer),
    (requests.exceptions.ConnectionError(), NoAnswer),  # unknown: assume it may have left
])
def test_classification_of_requests_errors(exc: BaseException, expected: type) -> None:
    assert classify_requests_error(exc) is expected


def test_classification_of_wrapped_connect_errors() -> None:
    import urllib3.exceptions as u3

    refused = _connection_error(u3.NewConnectionError(None, "refused"))  # type: ignore[arg-type]
    assert classify_requests_error(refused) is NotSent
    dropped = _connection_error(u3.ProtocolError("Connection aborted."))
    assert classify_requests_error(dropped) is NoAnswer


# -- WSGITransport -------------------------------------------------------------------------------

def echo_app(environ, start_response):
    body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])).decode("ascii")
    form = {k: v[0] for k, v in parse_qs(body).items()}
    echo_app.last = {"environ": environ, "form": form}
    start_response("200 OK", [("Content-Type", "application/json; charset=utf-8")])
    return ['{"Status": null, "Result": "خوب"}'.encode()]


def test_wsgi_transport_calls_the_app_with_an_urlencoded_post() -> None:
    raw = WSGITransport(echo_app, remote_addr="10.1.2.3").post(
        "http://127.0.0.1:8765/dojob.php?x=1", FIELDS, headers=HEADERS, timeout=1)
    assert raw == RawResponse(200, '{"Status": null, "Result": "خوب"}',
                              {"Content-Type": "application/json; charset=utf-8"})
    environ = echo_app.last["environ"]
    assert echo_app.last["form"] == FIELDS
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["PATH_INFO"] == "/dojob.php"
    assert environ["QUERY_STRING"] == "x=1"
    assert environ["REMOTE_ADDR"] == "10.1.2.3"
    assert environ["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert environ["HTTP_ACCEPT_CHARSET"] == "UTF-8"
    assert environ["SERVER_PORT"] == "8765"


def test_wsgi_default_remote_addr_is_loopback() -> None:
    WSGITransport(echo_app).post("http://127.0.0.1/", {}, headers={}, timeout=1)
    assert echo_app.last["environ"]["REMOTE_ADDR"] == "127.0.0.1"


def _raising(exc: BaseException, *, while_streaming: bool = False):
    def app(environ, start_response):
        if not while_streaming:
            raise exc
        start_response("200 OK", [])

        def body():
            yield b'{"Sta'
            raise exc

        return body()

    return app


@pytest.mark.parametrize(("exc", "expected"), [
    (ConnectionRefusedError("refused"), NotSent),
    (ConnectionResetError("dropped"), NoAnswer),
    (TimeoutError("too slow"), NoAnswer),
    (BrokenPipeError("pipe"), NoAnswer),
])
def test_wsgi_app_signals_network_failures(exc: BaseException, expected: type) -> None:
    with pytest.raises(expected):
        WSGITransport(_raising(exc)).post("http://127.0.0.1/", FIELDS, headers={}, timeout=1)


def test_wsgi_reset_while_streaming_is_no_answer() -> None:
    app = _raising(ConnectionResetError("mid-body"), while_streaming=True)
    with pytest.raises(NoAnswer):
        WSGITransport(app).post("http://127.0.0.1/", FIELDS, headers={}, timeout=1)


def test_wsgi_app_bugs_propagate() -> None:
    with pytest.raises(ZeroDivisionError):
        WSGITransport(_raising(ZeroDivisionError())).post("http://127.0.0.1/", {}, headers={},
                                                          timeout=1)


def test_wsgi_iterable_close_is_called() -> None:
    closed = []

    class Body(list):
        def close(self) -> None:
            closed.append(True)

    def app(environ, start_response):
        start_response("502 Bad Gateway", [("Content-Type", "text/html")])
        return Body([b"<html>", b"</html>"])

    raw = WSGITransport(app).post("http://127.0.0.1/", {}, headers={}, timeout=1)
    assert (raw.status_code, raw.text, closed) == (502, "<html></html>", [True])
