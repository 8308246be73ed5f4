"""Classifying a ``requests`` failure: did the request leave, and if not, why not.

Only a text is kept of any library error: those objects reference the prepared request, whose
body holds the secret.

Example:
    >>> classify_requests_error(requests.exceptions.ReadTimeout()).__name__
    'NoAnswer'
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
import urllib3.exceptions as u3

from miogram_toolkit.client.seam import NoAnswer, NotSent
from miogram_toolkit.protocol.encode import mask_phone, mask_userinfo
from miogram_toolkit.protocol.errors import ConnectError, ConnectionRefused, HostNotFound

__all__ = ["BEFORE_SEND", "classify_requests_error", "connect_error", "describe_failure",
           "log_request", "not_sent_why"]


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
    # A proxy URL from the environment may carry a password: never in a message.
    return mask_userinfo(f"{type(reason).__name__}: {text}")[:300]


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


def connect_error(func: str, exc: NotSent, base_url: str, detail: str) -> ConnectError:
    """The client's error for a request that never left, saying what to check where it can.

    Example:
        >>> err = connect_error("APIGetActive", NotSent("x", why="refused"),
        ...                     "http://127.0.0.1:1/dojob.php", "x")
        >>> type(err).__name__, err.kind
        ('ConnectionRefused', 'connection_refused')
    """
    parts = urlsplit(base_url)
    if exc.why == "refused":
        return ConnectionRefused(
            f"{func}: the request never reached the service: nothing answers at "
            f"{parts.netloc} (connection refused); check the port in the URL, or start the "
            "service there", action=func)
    if exc.why == "dns":
        return HostNotFound(
            f"{func}: the request never reached the service: the host name "
            f"{parts.hostname!r} was not found (DNS); check its spelling in the URL and the "
            "network", action=func)
    return ConnectError(f"{func}: the request never reached the service ({detail})",
                        action=func)


def log_request(logger: logging.Logger, func: str, fields: Mapping[str, str],
            attempt: int) -> None:
    """Log one attempt at DEBUG: the Func, field names, sizes and masked numbers, no values."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    parts = [f"fields={','.join(['Secret', 'Func', *fields])}"]
    phone = fields.get("Phone")
    if phone:
        numbers = phone.split(",")
        shown = ",".join(mask_phone(p) for p in numbers[:3])
        parts.append(f"phones={len(numbers)} [{shown}{',…' if len(numbers) > 3 else ''}]")
    if "Message" in fields:
        parts.append(f"message={len(fields['Message'])} chars")
    if "Misc" in fields:
        parts.append(f"misc={len(fields['Misc'])} chars")
    if "Data" in fields:
        parts.append(f"data={len(fields['Data'])} chars")
    if "Robot" in fields:
        parts.append(f"robot={fields['Robot']!r}")
    logger.debug("%s → attempt %d: %s", func, attempt + 1, " ".join(parts))
