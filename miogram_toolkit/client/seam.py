"""The transport seam: what the client needs from HTTP, and how a request can fail.

A transport POSTs form fields and hands back the raw answer (:class:`RawResponse`, headers
kept). It knows nothing of MioGram; it only tells the client *how* a request failed, because that
decides whether repeating it is safe:

* :class:`NotSent` — the request never left (refused, DNS, TLS, connect timeout). Repeating is
  harmless: the service never saw it.
* :class:`NoAnswer` — the request left and no complete answer came (deadline passed, connection
  dropped or reset). The service may have acted on it; a send must not be blindly repeated.
* :class:`BadAnswer` — an answer came that the client must not read: a redirect (3xx), or a body
  larger than :data:`MAX_ANSWER_BYTES` once decoded. The client reports it as a bad response.

Example:
    >>> is_loopback_host("127.0.0.2"), is_loopback_host("miogram.net")
    (True, False)
    >>> NotSent("connection refused", why="refused").why
    'refused'
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Protocol

from miogram_toolkit.local.hosts import is_loopback_host
from miogram_toolkit.protocol.decode import RawResponse
from miogram_toolkit.protocol.errors import ConnectError

__all__ = ["CHUNK", "MAX_ANSWER_BYTES", "BadAnswer", "NoAnswer", "NotSent", "RawResponse",
           "Transport", "charset_of", "check_cap", "is_loopback_host", "redirect_refused",
           "too_big"]

#: The largest answer body read, in bytes after decompression (32 MiB); see
#: :mod:`~miogram_toolkit.client.transport`.
MAX_ANSWER_BYTES = 32 * 1024 * 1024

#: The step in which an answer body is read.
CHUNK = 64 * 1024


class NotSent(ConnectError):
    """The request never left (refused, DNS, TLS, connect timeout): repeating it is harmless.

    A :class:`~miogram_toolkit.protocol.errors.ConnectError`, so the error policy reads it as
    "not processed" (:func:`~miogram_toolkit.protocol.errors.send_outcome`).

    Attributes:
        why: ``"refused"`` (nothing listens at the host and port), ``"dns"`` (the host name
            does not resolve) or None (anything else: TLS, a proxy, a connect timeout).
    """

    def __init__(self, message: str = "", *, why: str | None = None) -> None:
        super().__init__(message)
        self.why = why


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


def charset_of(content_type: str) -> str:
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


def too_big(status_code: int, limit: int) -> BadAnswer:
    return BadAnswer(status_code, f"HTTP {status_code} answer is larger than {limit:,} bytes "
                                  "(decoded), the most the client reads; refused")


def redirect_refused(status_code: int) -> BadAnswer:
    return BadAnswer(status_code, f"HTTP {status_code} is a redirect, not an answer; redirects "
                                  "are not followed (the request holds the secret)")


def check_cap(max_answer_bytes: int) -> int:
    if isinstance(max_answer_bytes, bool) or not isinstance(max_answer_bytes, int) \
            or max_answer_bytes < 1:
        raise ValueError(f"max_answer_bytes: must be a positive int, got {max_answer_bytes!r}")
    return max_answer_bytes
