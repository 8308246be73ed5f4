"""The one HTTP seam: every request the client makes goes through a :class:`Transport`.

A transport POSTs form fields and hands back the raw answer. It knows nothing of MioGram; it only
tells the client *how* a request failed, because that decides whether repeating it is safe:

* :class:`NotSent` — the request never left (refused, DNS, TLS, connect timeout). Repeating is
  harmless: the service never saw it.
* :class:`NoAnswer` — the request left and no complete answer came (deadline passed, connection
  dropped or reset). The service may have acted on it; a send must not be blindly repeated.
* :class:`BadAnswer` — an answer came that the client must not read: a redirect (3xx), or a body
  larger than :data:`MAX_ANSWER_BYTES` once decoded. The client reports it as a bad response.

Two transports ship: :class:`RequestsTransport` (the default, a pooled ``requests.Session``) and
:class:`WSGITransport` (calls a WSGI application in-process, no socket — for the simulator).

Rules both keep (the first four are where the secret could travel, the last two where a hostile
server could hold or flood the caller):

* **Redirects are never followed**: the form carries the secret; a 3xx is a :class:`BadAnswer`,
  whatever its body.
* **Proxies** (``HTTPS_PROXY``/``ALL_PROXY``/``NO_PROXY`` from the environment, unless the
  session's ``trust_env`` is off, or the session's ``proxies``) are used only for ``https`` to a
  host that is not loopback, and then always as a ``CONNECT`` tunnel: TLS runs end to end with the
  configured host, so a proxy sees its name and encrypted bytes, never the form. Plain ``http``
  (which the client allows only to loopback) and loopback ``https`` always go direct.
* **No exception keeps a library error**: those hold the prepared request, whose body carries the
  secret. Only a one-line description of what went wrong is kept.
* **No frame shows the secret**: the client hands the secret as a :class:`MaskedStr` and the body
  is encoded into a :class:`FormBody`, both ``<hidden>`` in any repr, so a traceback printed with
  its locals (``pytest --showlocals``, IPython's verbose mode) shows no secret on the way down.
* **One deadline per attempt**: ``timeout`` bounds connect + send + the whole answer (see
  :mod:`~miogram_toolkit.client.deadline`), not each socket read; ``inf`` (or anything beyond
  about 11 days) means no limit.
* **Answers are capped**: at most ``max_answer_bytes`` (default :data:`MAX_ANSWER_BYTES`, 32 MiB)
  after decompression, read in 64 KiB steps, so a small gzip body that expands to gigabytes is
  refused with bounded memory. 32 MiB holds 1000 report or history rows of 4,096-byte Persian
  texts (each letter escaped to six characters: about 13 MB) with room to spare; a report of
  file sends (each row holds the file's whole base64) can exceed it — ask for fewer rows, or
  pass a larger cap.

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
import ipaddress
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import requests
import urllib3.exceptions as u3

from miogram_toolkit.client.deadline import LONGEST, Deadline, DeadlineAdapter
from miogram_toolkit.protocol.decode import RawResponse

__all__ = [
    "MAX_ANSWER_BYTES",
    "BadAnswer",
    "FormBody",
    "MaskedStr",
    "NoAnswer",
    "NotSent",
    "RawResponse",
    "RequestsTransport",
    "Transport",
    "WSGITransport",
    "encode_form",
    "is_loopback_host",
]

#: The largest answer body read, in bytes after decompression (32 MiB); see the module docstring.
MAX_ANSWER_BYTES = 32 * 1024 * 1024

_CHUNK = 64 * 1024


class NotSent(Exception):
    """The request never left (refused, DNS, TLS, connect timeout): repeating it is harmless."""


class NoAnswer(Exception):
    """The request left and no complete answer came (deadline passed, connection dropped/reset)."""


class BadAnswer(Exception):
    """An answer came that is not to be read: a redirect, or a body over the size cap.

    Attributes:
        status_code: the HTTP status of the answer.
    """

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


class MaskedStr(str):
    """A ``str`` in every use, except that its repr is ``<hidden>``: how the secret travels.

    Example:
        >>> form = {"Secret": MaskedStr("x32nv86ss5z"), "Func": "APIGetCredits"}
        >>> form
        {'Secret': <hidden>, 'Func': 'APIGetCredits'}
        >>> form["Secret"] == "x32nv86ss5z"
        True
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<hidden>"


class FormBody(bytes):
    """An urlencoded form (it holds the secret) whose repr and str never show its bytes."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<form body, {len(self)} bytes, hidden>"

    __str__ = __repr__


def encode_form(fields: Mapping[str, str]) -> FormBody:
    """Encode ``fields`` as ``application/x-www-form-urlencoded`` (UTF-8), the last step before
    the wire.

    Example:
        >>> body = encode_form({"Secret": MaskedStr("x32nv86ss5z"), "Message": "سلام & hi"})
        >>> body
        <form body, 58 bytes, hidden>
        >>> bytes(body)
        b'Secret=x32nv86ss5z&Message=%D8%B3%D9%84%D8%A7%D9%85+%26+hi'
    """
    return FormBody(urlencode(dict(fields)).encode("ascii"))


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback address (``127.0.0.0/8``, ``::1``).

    Example:
        >>> is_loopback_host("127.0.0.2"), is_loopback_host("localhost"), is_loopback_host("::1")
        (True, True, True)
        >>> is_loopback_host("miogram.net")
        False
    """
    host = host.lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _may_use_proxy(url: str) -> bool:
    # A proxy only ever tunnels TLS to the configured host (urllib3 sends CONNECT for an https
    # URL); plain http would hand the proxy the form, and a proxy would reach its own loopback.
    parts = urlsplit(url)
    return parts.scheme == "https" and not is_loopback_host(parts.hostname or "")


class Transport(Protocol):
    """What the client needs from HTTP: one form POST, and a way to release resources."""

    def post(self, url: str, fields: Mapping[str, str], *, headers: Mapping[str, str],
             timeout: float) -> RawResponse:
        """POST ``fields`` form-urlencoded to ``url`` within ``timeout`` seconds in total.

        Raises NotSent, NoAnswer or BadAnswer on failure (a simple test double may raise only
        the first two).
        """
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
    :class:`RequestsTransport` first asks its connection what happened, which outranks this
    guess: once a byte of the request went to a socket it never says "not sent" (a TLS error
    can surface while the answer is read); a failure while connecting is always "not sent" (a
    handshake timeout surfaces as a read timeout).

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


def _charset(content_type: str) -> str:
    """The charset a Content-Type names, if Python knows it; else UTF-8 (the service's)."""
    lowered = content_type.lower()
    if "charset=" not in lowered:
        return "utf-8"
    name = lowered.split("charset=", 1)[1].split(";")[0].strip().strip('"') or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        return "utf-8"
    return name


def _too_big(status_code: int, limit: int) -> BadAnswer:
    return BadAnswer(status_code, f"HTTP {status_code} answer is larger than {limit:,} bytes "
                                  "(decoded), the most the client reads; refused")


def _redirect(status_code: int) -> BadAnswer:
    return BadAnswer(status_code, f"HTTP {status_code} is a redirect, not an answer; redirects "
                                  "are not followed (the request holds the secret)")


def _check_cap(max_answer_bytes: int) -> int:
    if isinstance(max_answer_bytes, bool) or not isinstance(max_answer_bytes, int) \
            or max_answer_bytes < 1:
        raise ValueError(f"max_answer_bytes: must be a positive int, got {max_answer_bytes!r}")
    return max_answer_bytes


class RequestsTransport:
    """The default transport: a pooled ``requests.Session``, one total deadline per request.

    Redirects are not followed and proxies only tunnel https to a non-loopback host (see the
    module docstring); ``timeout`` bounds each request as a whole; answers over
    ``max_answer_bytes`` once decoded are refused.

    Args:
        pool_size: connections kept per host; size it to the number of concurrent senders.
        session: an existing session to use (it is closed by :meth:`close`); its ``trust_env``
            and ``proxies`` are honoured under the rules above.
        max_answer_bytes: the largest answer read, after decompression.

    Example:
        >>> t = RequestsTransport(pool_size=8)
        >>> t.close()
    """

    def __init__(self, *, pool_size: int = 16, session: requests.Session | None = None,
                 max_answer_bytes: int = MAX_ANSWER_BYTES) -> None:
        if pool_size < 1:
            raise ValueError(f"pool_size: must be at least 1, got {pool_size!r}")
        self.max_answer_bytes = _check_cap(max_answer_bytes)
        self._session = session or requests.Session()
        # No library retries: the client alone decides what is safe to repeat.
        adapter = DeadlineAdapter(pool_connections=pool_size, pool_maxsize=pool_size,
                                  max_retries=0)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def post(self, url: str, fields: Mapping[str, str], *, headers: Mapping[str, str],
             timeout: float) -> RawResponse:
        """POST ``fields`` form-urlencoded; map every failure to NotSent, NoAnswer or BadAnswer."""
        body = encode_form(fields)
        failure: type[Exception] | None = None
        detail = ""
        with Deadline(timeout) as deadline:
            try:
                answer = self._exchange(url, body, headers, deadline)
                if not deadline.expired:
                    return answer
                # Cut by the deadline, the socket ends like a close-delimited answer: headers
                # cut before their Content-Length read as a complete, shorter answer.
                failure = NoAnswer
            except requests.exceptions.RequestException as exc:
                failure, detail = classify_requests_error(exc), _describe(exc)
            except (u3.HTTPError, OSError) as exc:  # a reset surfacing outside requests' wrappers
                failure, detail = (NotSent if isinstance(exc, _BEFORE_SEND) else NoAnswer), \
                    _describe(exc)
        # What the connection saw outranks the error's type: a TLS error or a timeout can
        # surface while connecting (never sent) as well as while the answer is read.
        if deadline.wrote:
            failure = NoAnswer
        elif deadline.connect_failed:
            failure = NotSent
        if deadline.expired:
            detail = (f"the {timeout:g} s deadline passed before the request left"
                      if failure is NotSent else
                      f"no complete answer within the {timeout:g} s deadline")
        # Raised outside the except blocks so no library exception rides along as context.
        raise (failure or NoAnswer)(detail)

    def _exchange(self, url: str, body: FormBody, headers: Mapping[str, str],
                  deadline: Deadline) -> RawResponse:
        session = self._session
        prepared = session.prepare_request(
            requests.Request("POST", url, data=body, headers=dict(headers)))
        settings = session.merge_environment_settings(prepared.url or url, {}, True, None, None)
        proxies = settings["proxies"] if _may_use_proxy(url) else {}
        remaining = deadline.remaining()
        wait = max(remaining, 0.001) if remaining <= LONGEST else None  # None: no limit
        resp = session.send(prepared, timeout=(wait, wait), allow_redirects=False, stream=True,
                            proxies=proxies, verify=settings["verify"], cert=settings["cert"])
        try:
            if 300 <= resp.status_code < 400:
                raise _redirect(resp.status_code)
            content = self._read(resp)
        finally:
            resp.close()  # a body left unread closes the connection instead of pooling it
        ctype = resp.headers.get("Content-Type", "")
        return RawResponse(resp.status_code, content.decode(_charset(ctype), "replace"),
                           dict(resp.headers))

    def _read(self, resp: requests.Response) -> bytes:
        # urllib3 decompresses at most one step's worth at a time, so memory stays near the cap.
        parts: list[bytes] = []
        size = 0
        for part in resp.iter_content(chunk_size=_CHUNK):
            size += len(part)
            if size > self.max_answer_bytes:
                raise _too_big(resp.status_code, self.max_answer_bytes)
            parts.append(part)
        return b"".join(parts)

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
        self.max_answer_bytes = _check_cap(max_answer_bytes)

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

        failure: type[Exception] | None = None
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
            failure, detail = NotSent, _describe(exc)
        except (ConnectionError, TimeoutError) as exc:
            failure, detail = NoAnswer, _describe(exc)
        if failure is not None:
            raise failure(detail)
        if not status:
            raise NoAnswer("the application returned without starting a response")
        code = int(status[0].split(" ", 1)[0])
        if 300 <= code < 400:
            raise _redirect(code)
        if sum(map(len, chunks)) > self.max_answer_bytes:
            raise _too_big(code, self.max_answer_bytes)
        hdrs = {name: value for name, value in response_headers}
        ctype = hdrs.get("Content-Type", hdrs.get("content-type", ""))
        return RawResponse(code, b"".join(chunks).decode(_charset(ctype), "replace"), hdrs)

    def close(self) -> None:
        """Nothing to release in-process."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(remote_addr={self.remote_addr!r})"
