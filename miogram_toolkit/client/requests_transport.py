"""The default transport: a pooled ``requests.Session``, one total deadline per request.

Example:
    >>> t = RequestsTransport(pool_size=8)
    >>> t.close()
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
import urllib3.exceptions as u3

from miogram_toolkit.client.classify import (
    BEFORE_SEND,
    classify_requests_error,
    describe_failure,
    not_sent_why,
)
from miogram_toolkit.client.deadline import LONGEST, Deadline, DeadlineAdapter
from miogram_toolkit.client.masked import FormBody, encode_form
from miogram_toolkit.client.seam import (
    CHUNK,
    MAX_ANSWER_BYTES,
    NoAnswer,
    NotSent,
    RawResponse,
    charset_of,
    check_cap,
    is_loopback_host,
    redirect_refused,
    too_big,
)

__all__ = ["RequestsTransport"]


@functools.lru_cache(maxsize=64)
def _is_https(url: str) -> bool:
    return urlsplit(url).scheme.lower() == "https"


def _may_use_proxy(url: str) -> bool:
    # A proxy only ever tunnels TLS to the configured host (urllib3 sends CONNECT for an https
    # URL); plain http would hand the proxy the form, and a proxy would reach its own loopback.
    parts = urlsplit(url)
    return parts.scheme == "https" and not is_loopback_host(parts.hostname or "")


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
        self.max_answer_bytes = check_cap(max_answer_bytes)
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
        why: str | None = None
        with Deadline(timeout) as deadline:
            try:
                answer = self._exchange(url, body, headers, deadline)
                if not deadline.expired:
                    return answer
                # Cut by the deadline, the socket ends like a close-delimited answer: headers
                # cut before their Content-Length read as a complete, shorter answer.
                failure = NoAnswer
            except requests.exceptions.RequestException as exc:
                failure, detail = classify_requests_error(exc), describe_failure(exc)
                why = not_sent_why(exc)
            except (u3.HTTPError, OSError) as exc:  # a reset surfacing outside requests' wrappers
                failure, detail = (NotSent if isinstance(exc, BEFORE_SEND) else NoAnswer), \
                    describe_failure(exc)
                why = not_sent_why(exc)
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
        if failure is NotSent:
            raise NotSent(detail, why=None if deadline.expired else why)
        raise (failure or NoAnswer)(detail)

    def _exchange(self, url: str, body: FormBody, headers: Mapping[str, str],
                  deadline: Deadline) -> RawResponse:
        session = self._session
        prepared = session.prepare_request(
            requests.Request("POST", url, data=body, headers=dict(headers)))
        if _is_https(url):
            settings = session.merge_environment_settings(prepared.url or url, {}, True, None,
                                                          None)
            proxies = settings["proxies"] if _may_use_proxy(url) else {}
            verify, cert = settings["verify"], settings["cert"]
        else:
            # Plain http: no proxy may carry it and no certificate is involved, so the
            # environment's proxies and CA bundle (read from os.environ on every call) are not
            # consulted; urllib3 drops TLS settings for http pools.
            proxies, verify, cert = {}, session.verify, session.cert
        remaining = deadline.remaining()
        wait = max(remaining, 0.001) if remaining <= LONGEST else None  # None: no limit
        resp = session.send(prepared, timeout=(wait, wait), allow_redirects=False, stream=True,
                            proxies=proxies, verify=verify, cert=cert)
        try:
            if 300 <= resp.status_code < 400:
                raise redirect_refused(resp.status_code)
            content = self._read(resp)
        finally:
            resp.close()  # a body left unread closes the connection instead of pooling it
        ctype = resp.headers.get("Content-Type", "")
        return RawResponse(resp.status_code, content.decode(charset_of(ctype), "replace"),
                           dict(resp.headers))

    def _read(self, resp: requests.Response) -> bytes:
        # urllib3 decompresses at most one step's worth at a time, so memory stays near the cap.
        parts: list[bytes] = []
        size = 0
        for part in resp.iter_content(chunk_size=CHUNK):
            size += len(part)
            if size > self.max_answer_bytes:
                raise too_big(resp.status_code, self.max_answer_bytes)
            parts.append(part)
        return b"".join(parts)

    def close(self) -> None:
        """Close the session and its pooled connections."""
        self._session.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
