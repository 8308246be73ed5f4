"""The one HTTP seam: every request the client makes goes through a :class:`Transport`.

A transport POSTs form fields and hands back the raw answer. It knows nothing of MioGram; it only
tells the client *how* a request failed, because that decides whether repeating it is safe:

* :class:`NotSent` — the request never left (refused, DNS, TLS, connect timeout). Repeating is
  harmless: the service never saw it.
* :class:`NoAnswer` — the request left and no complete answer came (read timeout, connection
  dropped or reset). The service may have acted on it; a send must not be blindly repeated.

Two transports ship: :class:`RequestsTransport` (the default, a pooled ``requests.Session``) and
:class:`WSGITransport` (calls a WSGI application in-process, no socket — for the simulator).

Neither exception keeps the underlying library error: those hold the prepared request, whose body
carries the account's secret. They keep only a one-line description of what went wrong.

Example:
    >>> def app(environ, start_response):
    ...     start_response("200 OK", [("Content-Type", "application/json")])
    ...     return [b'{"Status": null, "Result": "1"}']
    >>> t = WSGITransport(app)
    >>> t.post("http://127.0.0.1/dojob.php", {"Func": "APIGetActive"},
    ...        headers={}, timeout=5).text
    '{"Status": null, "Result": "1"}'
"""

from __future__ import annotations

import codecs
import io
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import requests
import urllib3.exceptions as u3
from requests.adapters import HTTPAdapter

from miogram_toolkit.protocol.decode import RawResponse

__all__ = [
    "NoAnswer",
    "NotSent",
    "RawResponse",
    "RequestsTransport",
    "Transport",
    "WSGITransport",
]


class NotSent(Exception):
    """The request never left (refused, DNS, TLS, connect timeout): repeating it is harmless."""


class NoAnswer(Exception):
    """The request left and no complete answer came (read timeout, connection dropped/reset)."""


class Transport(Protocol):
    """What the client needs from HTTP: one form POST, and a way to release resources."""

    def post(self, url: str, fields: Mapping[str, str], *, headers: Mapping[str, str],
             timeout: float) -> RawResponse:
        """POST ``fields`` form-urlencoded to ``url``; raise NotSent or NoAnswer on failure."""
        ...

    def close(self) -> None:
        """Release pooled connections; the transport is not used afterwards."""
        ...


def _describe(exc: BaseException) -> str:
    # The innermost library reason reads best ("Connection refused"), but only its text is kept:
    # the exception objects reference the prepared request, and its body holds the secret.
    reason: BaseException = exc
    seen: set[int] = set()
    while id(reason) not in seen:
        seen.add(id(reason))
        inner = getattr(reason, "reason", None)
        if isinstance(inner, BaseException):
            reason = inner
            continue
        if reason.args and isinstance(reason.args[0], BaseException):
            reason = reason.args[0]
            continue
        break
    text = str(reason) or type(reason).__name__
    return f"{type(reason).__name__}: {text}"[:300]


def _unwrap_reason(exc: BaseException) -> BaseException | None:
    """The urllib3/OS error a ``requests.ConnectionError`` wraps (through MaxRetryError)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
    if isinstance(inner, u3.MaxRetryError):
        return inner.reason
    return inner


# Errors that can only happen before the first byte of the request is written.
_BEFORE_SEND = (u3.NewConnectionError, u3.ConnectTimeoutError, u3.NameResolutionError,
                u3.SSLError, u3.ProxyError, u3.LocationParseError, ConnectionRefusedError)


def classify_requests_error(exc: BaseException) -> type[NotSent] | type[NoAnswer]:
    """Say whether a ``requests`` exception means the request never left or got no answer.

    Anything not positively known to have failed before sending counts as :class:`NoAnswer`:
    guessing "not sent" wrongly would let the client repeat a delivered message.

    Example:
        >>> classify_requests_error(requests.exceptions.ReadTimeout()).__name__
        'NoAnswer'
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError
                  | requests.exceptions.ProxyError):
        return NotSent
    if isinstance(exc, requests.exceptions.ReadTimeout | requests.exceptions.ChunkedEncodingError
                  | requests.exceptions.ContentDecodingError):
        return NoAnswer
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = _unwrap_reason(exc)
        if isinstance(reason, _BEFORE_SEND):
            return NotSent
        return NoAnswer
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema
                  | requests.exceptions.MissingSchema | requests.exceptions.InvalidHeader):
        return NotSent
    return NoAnswer


class RequestsTransport:
    """The default transport: a pooled ``requests.Session``.

    Redirects are not followed: a redirected POST would lose its fields (or carry the secret to
    another host); a 3xx answer reaches the client, which reports it as a bad response.

    Args:
        pool_size: connections kept per host; size it to the number of concurrent senders.
        session: an existing session to use (it is closed by :meth:`close`).

    Example:
        >>> t = RequestsTransport(pool_size=8)
        >>> t.close()
    """

    def __init__(self, *, pool_size: int = 16, session: requests.Session | None = None) -> None:
        if pool_size < 1:
            raise ValueError(f"pool_size: must be at least 1, got {pool_size!r}")
        self._session = session or requests.Session()
        # No library retries: the client alone decides what is safe to repeat.
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def post(self, url: str, fields: Mapping[str, str], *, headers: Mapping[str, str],
             timeout: float) -> RawResponse:
        """POST ``fields`` form-urlencoded; map every failure to NotSent or NoAnswer."""
        failure: type[Exception] | None = None
        detail = ""
        try:
            resp = self._session.post(url, data=dict(fields), headers=dict(headers),
                                      timeout=timeout, allow_redirects=False)
            content = resp.content  # read the whole body here, inside the mapped region
        except requests.exceptions.RequestException as exc:
            failure, detail = classify_requests_error(exc), _describe(exc)
        except (u3.HTTPError, OSError) as exc:  # a reset surfacing outside requests' wrappers
            failure, detail = (NotSent if isinstance(exc, _BEFORE_SEND) else NoAnswer), \
                _describe(exc)
        if failure is not None:
            # Raised outside the except block so no library exception rides along as context.
            raise failure(detail)
        ctype = resp.headers.get("Content-Type", "")
        # The service speaks UTF-8; requests would guess Latin-1 for text/html without charset.
        text = resp.text if "charset=" in ctype.lower() else content.decode("utf-8", "replace")
        return RawResponse(resp.status_code, text, dict(resp.headers))

    def close(self) -> None:
        """Close the session and its pooled connections."""
        self._session.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WSGITransport:
    """Call a WSGI application in-process, with no socket.

    The application signals network failures by raising: ``ConnectionRefusedError`` becomes
    :class:`NotSent`; ``ConnectionResetError``, any other ``ConnectionError`` and
    ``TimeoutError`` (raised before or while the body is produced) become :class:`NoAnswer`.
    ``timeout`` is not enforced in-process; an application simulates one by raising
    ``TimeoutError``. Any other exception is a bug in the application and propagates.

    Args:
        app: the WSGI application.
        remote_addr: the caller's address the application sees (``REMOTE_ADDR``).

    Example:
        >>> def app(environ, start_response):
        ...     start_response("200 OK", [])
        ...     return [environ["wsgi.input"].read()]
        >>> WSGITransport(app).post("http://127.0.0.1/dojob.php", {"Func": "X"},
        ...                         headers={}, timeout=1).text
        'Func=X'
    """

    def __init__(self, app: WSGIApp, remote_addr: str = "127.0.0.1") -> None:
        self.app = app
        self.remote_addr = remote_addr

    def _environ(self, url: str, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        parts = urlsplit(url)
        scheme = parts.scheme or "http"
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "",
            "PATH_INFO": parts.path or "/",
            "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname or "localhost",
            "SERVER_PORT": str(parts.port or (443 if scheme == "https" else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": self.remote_addr,
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_LENGTH":
                continue  # always the real body's length
            environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
        return environ

    def post(self, url: str, fields: Mapping[str, str], *, headers: Mapping[str, str],
             timeout: float) -> RawResponse:
        """Run the application on an urlencoded POST of ``fields``."""
        body = urlencode(dict(fields)).encode("ascii")
        environ = self._environ(url, body, headers)
        status: list[str] = []
        response_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        def start_response(status_line: str, header_list: list[tuple[str, str]],
                           exc_info: Any = None) -> Callable[[bytes], None]:
            status[:] = [status_line]
            response_headers[:] = list(header_list)
            return chunks.append

        failure: type[Exception] | None = None
        detail = ""
        try:
            result = self.app(environ, start_response)
            try:
                for chunk in result:
                    chunks.append(chunk)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except ConnectionRefusedError as exc:
            failure, detail = NotSent, _describe(exc)
        except (ConnectionError, TimeoutError) as exc:
            failure, detail = NoAnswer, _describe(exc)
        if failure is not None:
            raise failure(detail)
        if not status:
            raise NoAnswer("the application returned without starting a response")
        code = int(status[0].split(" ", 1)[0])
        hdrs = {name: value for name, value in response_headers}
        ctype = hdrs.get("Content-Type", hdrs.get("content-type", ""))
        charset = "utf-8"
        if "charset=" in ctype.lower():
            charset = ctype.lower().split("charset=", 1)[1].split(";")[0].strip() or "utf-8"
        try:
            codecs.lookup(charset)
        except LookupError:
            charset = "utf-8"
        return RawResponse(code, b"".join(chunks).decode(charset, "replace"), hdrs)

    def close(self) -> None:
        """Nothing to release in-process."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(remote_addr={self.remote_addr!r})"
