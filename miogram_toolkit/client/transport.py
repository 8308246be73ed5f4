"""The one HTTP seam: every request the client makes goes through a :class:`Transport`.

This module gathers the transport's pieces, one idea per file: the seam (:mod:`.seam`: the
protocol, the failures, the answer cap), the types that hide the secret (:mod:`.masked`), how a
``requests`` failure is classified (:mod:`.classify`), and the two transports
(:mod:`.requests_transport`, :mod:`.wsgi_transport`).

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

from miogram_toolkit.client.classify import classify_requests_error, not_sent_why
from miogram_toolkit.client.masked import FormBody, MaskedStr, encode_form
from miogram_toolkit.client.requests_transport import RequestsTransport
from miogram_toolkit.client.seam import (
    MAX_ANSWER_BYTES,
    BadAnswer,
    NoAnswer,
    NotSent,
    RawResponse,
    Transport,
    is_loopback_host,
)
from miogram_toolkit.client.wsgi_transport import WSGITransport

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
    "classify_requests_error",
    "encode_form",
    "is_loopback_host",
    "not_sent_why",
]
