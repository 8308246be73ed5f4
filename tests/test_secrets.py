"""The secret never shows: not in reprs, errors of any kind, log records (DEBUG too), warnings."""

from __future__ import annotations

import logging
import threading
import traceback
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fake_transport import LOCAL_URL, FakeTransport, MaxJitter, Sleeps

from miogram_toolkit.client.core import Client
from miogram_toolkit.client.transport import NoAnswer, NotSent, RawResponse, RequestsTransport

SECRET = "Zq7secretKEY9"
NEW_SECRET = "N3wSecretVal7"
ODD_SECRET = "ab/c+d=e&f"  # characters that URL-encoding changes
A = "+989121234567"
B = "+989351234567"


def texts(obj: Any, seen: set[int] | None = None, depth: int = 0) -> list[str]:
    """Every text an object shows: str, repr, and for errors their args, attributes and chain."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 6:
        return []
    seen.add(id(obj))
    out = [str(obj), repr(obj)]
    if isinstance(obj, BaseException):
        out.append("".join(traceback.format_exception(obj)))
        for part in (*obj.args, *vars(obj).values(), obj.__cause__, obj.__context__):
            out += texts(part, seen, depth + 1)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            out += texts(key, seen, depth + 1) + texts(value, seen, depth + 1)
    elif isinstance(obj, list | tuple):
        for value in obj:
            out += texts(value, seen, depth + 1)
    return out


def assert_clean(things: list[Any], *secrets: str) -> None:
    blob = "\n".join(t for thing in things for t in texts(thing))
    for secret in secrets:
        assert secret not in blob


def client_for(*answers: Any, secret: str = SECRET, **kwargs: Any) -> Client:
    return Client(secret, base_url=LOCAL_URL, transport=FakeTransport(*answers), sleep=Sleeps(),
                  rng=MaxJitter(), robot="MioGram", **kwargs)


def error_of(call) -> BaseException:
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - collecting every kind on purpose
        return exc
    raise AssertionError("expected an error")


def scenarios(secret: str) -> list[tuple[tuple, Any]]:
    """(answers scripted, call) pairs that each end in a different kind of error."""
    from urllib.parse import quote_plus

    echoed = quote_plus(secret)
    return [
        (({"Status": "error", "Message": "Invalid Secret"},), lambda c: c.send_message(A, "Hi")),
        (({"Status": "error", "Message": f"Invalid Secret {secret}"},),
         lambda c: c.send_message(A, "Hi")),
        (({"Status": "error", "Code": 305, "Message": "No Credit", "Echo": secret},),
         lambda c: c.send_photo(A, b"abc", extension="jpg")),
        (({"Status": "error", "Message": "No Response From Server", "Secret": secret},) * 4,
         lambda c: c.get_credits()),
        ((RawResponse(502, f"<html>Bad gateway for Secret={echoed}&Func=X</html>", {}),),
         lambda c: c.send_message(A, "Hi")),
        ((RawResponse(200, f"<html>{secret}</html>" + "x" * 500, {}),),
         lambda c: c.send_message(A, "Hi")),
        ((f'{{"Status": "success", "Result": "{secret}"',), lambda c: c.send_message(A, "Hi")),
        ((f'["{secret}"]',), lambda c: c.send_message(A, "Hi")),
        (({"Result": secret},), lambda c: c.send_message(A, "Hi")),
        (({"Status": secret, "Result": True},), lambda c: c.send_message(A, "Hi")),
        (({"Status": "checking", "Result": {A: True, "Secret": secret}},),
         lambda c: c.send_message_mass([A, B], "Hi")),
        ((NotSent(f"refused Secret={secret}"),) * 4, lambda c: c.send_message(A, "Hi")),
        ((NoAnswer(f"reset Secret={echoed}"),), lambda c: c.send_message(A, "Hi")),
        ((NoAnswer("read timed out"),) * 4, lambda c: c.get_report()),
        ((), lambda c: c.send_message("0912", "Hi")),
        ((), lambda c: c.call("SendMessage", Secret=secret)),
        ((), lambda c: c.get_report(1001)),
    ]


@pytest.mark.parametrize("secret", [SECRET, ODD_SECRET])
def test_errors_of_every_kind_hold_no_secret(secret: str,
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    collected: list[Any] = []
    kinds = set()
    for answers, call in scenarios(secret):
        client = client_for(*answers, secret=secret)
        exc = error_of(lambda c=client, f=call: f(c))
        kinds.add(type(exc).__name__)
        collected += [exc, client]
    # The scenarios really reach each branch of the tree.
    assert kinds >= {"WrongSecret", "CreditError", "ServiceUnavailable", "BadResponse",
                     "ConnectError", "DeliveryUnknown", "ResponseTimeout", "ValueError"}
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert "SendMessage" in log_text  # DEBUG logging did happen
    assert_clean(collected + [log_text, [r.args for r in caplog.records]], secret)


def test_client_repr_str_and_vars_hide_the_secret() -> None:
    client = client_for()
    assert_clean([client, str(client), repr(vars(client))], SECRET)
    assert "<hidden>" in repr(client)


def test_malformed_secret_is_not_echoed() -> None:
    bad = " ".join(["bad", "secret", "with", "spaces"])  # not spelled out in this source line
    exc = error_of(lambda: Client(bad))
    assert_clean([exc], bad)


def test_the_new_secret_after_a_change_is_hidden_too(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for({"Status": "success", "Message": "Secret Changed", "Result": NEW_SECRET},
                        {"Status": "error", "Message": f"Invalid Secret {NEW_SECRET} {SECRET}"})
    assert client.change_secret() == NEW_SECRET
    exc = error_of(lambda: client.get_active())
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert_clean([client, exc, log_text], SECRET, NEW_SECRET)


def test_debug_logs_show_func_masked_phones_and_sizes_only(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="miogram_toolkit.client.core")
    client = client_for({"Status": "checking", "Result": {A: True, B: False}})
    client.send_photo_mass([A, B], b"abc" * 100, extension="png")
    records = [r for r in caplog.records if r.name == "miogram_toolkit.client.core"]
    text = "\n".join(r.getMessage() for r in records)
    assert "SendPhotoMass" in text
    assert "+9891******67" in text and A not in text and B not in text
    assert "data=400 chars" in text  # base64 of 300 bytes, as a length only
    assert "YWJj" not in text
    assert_clean([text], SECRET)


def test_warnings_hold_no_secret() -> None:
    phones = [f"+98912{n:07d}" for n in range(150)]
    client = client_for({"Status": "checking", "Result": {p: True for p in phones}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.send_message_whatsapp_mass(phones, f"Hi {SECRET[:0]}")
    assert caught, "the 100-per-request advice should warn"
    assert_clean([str(w.message) for w in caught], SECRET)


class _Echo(BaseHTTPRequestHandler):
    """Answers with a page that echoes the whole request body (so the secret comes back)."""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        payload = b"<html><pre>" + body + b"</pre></html>"
        self.send_response(500)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def echo_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/dojob.php"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("secret", [SECRET, ODD_SECRET])
def test_over_real_http_with_library_debug_logs(secret: str, echo_url: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # urllib3's and requests' loggers included
    with Client(secret, base_url=echo_url, transport=RequestsTransport(), retries=0) as client:
        exc = error_of(lambda: client.send_message(A, "Hi"))
    assert type(exc).__name__ == "BadResponse"
    assert "***" in exc.body  # the echo came back and was scrubbed
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert_clean([exc, log_text], secret)
