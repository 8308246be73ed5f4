"""Classifying a ``requests`` failure: did the request leave, and if not, why not.

Only a text is kept of any library error: those objects reference the prepared request, whose
body holds the secret.

Example:
    >>> classify_requests_error(requests.exceptions.ReadTimeout()).__name__
    'NoAnswer'
"""

from __future__ import annotations

import requests
import urllib3.exceptions as u3

from miogram_toolkit.client.seam import NoAnswer, NotSent

__all__ = ["BEFORE_SEND", "classify_requests_error", "describe_failure", "not_sent_why"]


def describe_failure(exc: BaseException) -> str:
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
BEFORE_SEND = (u3.NewConnectionError, u3.ConnectTimeoutError, u3.NameResolutionError,
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
        if isinstance(reason, BEFORE_SEND):
            return NotSent
        return NoAnswer
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema
                  | requests.exceptions.MissingSchema | requests.exceptions.InvalidHeader):
        return NotSent
    return NoAnswer




def not_sent_why(exc: BaseException) -> str | None:
    """Why a request never left: ``"refused"``, ``"dns"`` or None (TLS, proxy, timeout, …).

    Example:
        >>> not_sent_why(ConnectionRefusedError(111, "Connection refused"))
        'refused'
    """
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        err = pending.pop()
        if not isinstance(err, BaseException) or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, ConnectionRefusedError):
            return "refused"
        if isinstance(err, u3.NameResolutionError) or type(err).__name__ == "gaierror":
            return "dns"
        pending += [err.__cause__, err.__context__, getattr(err, "reason", None)]
        pending += [arg for arg in err.args if isinstance(arg, BaseException)]
    return None
