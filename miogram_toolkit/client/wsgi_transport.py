"""An in-process transport: calls a WSGI application (the simulator) with no socket.

Example:
    >>> def app(environ, start_response):
    ...     start_response("200 OK", [("Content-Type", "application/json")])
    ...     return [b'{"Status": null, "Result": "1"}']
    >>> WSGITransport(app).post("http://127.0.0.1/dojob.php", {"Func": "APIGetActive"},
    ...                         headers={}, timeout=5).text
    '{"Status": null, "Result": "1"}'
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from miogram_toolkit.client.classify import describe_failure
from miogram_toolkit.client.masked import encode_form
from miogram_toolkit.client.seam import (
    MAX_ANSWER_BYTES,
    NoAnswer,
    NotSent,
    RawResponse,
    charset_of,
    check_cap,
    redirect_refused,
    too_big,
)

__all__ = ["WSGIApp", "WSGITransport"]


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WSGITransport:
    """Call a WSGI application in-process, with no socket.

    The application signals network failures by raising: ``ConnectionRefusedError`` becomes
    :class:`NotSent`; ``ConnectionResetError``, any other ``ConnectionError`` and
    ``TimeoutError`` (raised before or while the body is produced) become :class:`NoAnswer`.
    ``timeout`` is not enforced in-process; an application simulates one by raising
    ``TimeoutError``. Any other exception is a bug in the application and propagates. A 3xx and
    a body over ``max_answer_bytes`` are a :class:`BadAnswer`, as with
    :class:`RequestsTransport`.

    Args:
        app: the WSGI application.
        remote_addr: the caller's address the application sees (``REMOTE_ADDR``).
        max_answer_bytes: the largest answer read.

    Example:
        >>> def app(environ, start_response):
        ...     start_response("200 OK", [])
        ...     return [environ["wsgi.input"].read()]
        >>> WSGITransport(app).post("http://127.0.0.1/dojob.php", {"Func": "X"},
        ...                         headers={}, timeout=1).text
        'Func=X'
    """

    def __init__(self, app: WSGIApp, remote_addr: str = "127.0.0.1", *,
                 max_answer_bytes: int = MAX_ANSWER_BYTES) -> None:
        self.app = app
        self.remote_addr = remote_addr
        self.max_answer_bytes = check_cap(max_answer_bytes)

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
        environ = self._environ(url, encode_form(fields), headers)
        status: list[str] = []
        response_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        def start_response(status_line: str, header_list: list[tuple[str, str]],
                           exc_info: Any = None) -> Callable[[bytes], None]:
            status[:] = [status_line]
            response_headers[:] = list(header_list)
            return chunks.append

        failure: type[NotSent] | type[NoAnswer] | None = None
        detail = ""
        size = 0
        try:
            result = self.app(environ, start_response)
            try:
                for chunk in result:
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > self.max_answer_bytes:
                        break
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except ConnectionRefusedError as exc:
            failure, detail = NotSent, describe_failure(exc)
        except (ConnectionError, TimeoutError) as exc:
            failure, detail = NoAnswer, describe_failure(exc)
        if failure is NotSent:
            raise NotSent(detail, why="refused")
        if failure is not None:
            raise failure(detail)
        if not status:
            raise NoAnswer("the application returned without starting a response")
        code = int(status[0].split(" ", 1)[0])
        if 300 <= code < 400:
            raise redirect_refused(code)
        if sum(map(len, chunks)) > self.max_answer_bytes:
            raise too_big(code, self.max_answer_bytes)
        hdrs = {name: value for name, value in response_headers}
        ctype = hdrs.get("Content-Type", hdrs.get("content-type", ""))
        return RawResponse(code, b"".join(chunks).decode(charset_of(ctype), "replace"), hdrs)

    def close(self) -> None:
        """Nothing to release in-process."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(remote_addr={self.remote_addr!r})"
