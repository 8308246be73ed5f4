"""Reading an answer's body: HTTP answer -> JSON object, or a BadResponse that says why.

What is an answer at all is decided here (the result decoders are in
:mod:`~miogram_toolkit.protocol.decode`): a JSON object, or for ``APIGetReport`` a bare JSON
array; a leading byte-order mark and one bare 3-digit code after the JSON are tolerated.
Anything else is a :class:`~miogram_toolkit.protocol.errors.BadResponse` keeping at most 200
characters of the body, the secret removed. An HTTP 404, or an HTML page that is not a proxy's
5xx page, is a :class:`~miogram_toolkit.protocol.errors.WrongAddressPage`: the URL does not lead
to MioGram's endpoint.

Example:
    >>> parse_answer(RawResponse(200, '{"Status": "success", "Result": true}', {}), "SendMessage")
    {'Status': 'success', 'Result': True}
    >>> try:
    ...     parse_answer(RawResponse(404, "<html>Not Found</html>", {}), "APIGetActive")
    ... except WrongAddressPage as exc:
    ...     print(exc.kind)
    wrong_path
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from miogram_toolkit.protocol.catalogue import ACTIONS
from miogram_toolkit.protocol.dialects import accepted_statuses
from miogram_toolkit.protocol.error_answers import TRAILING_CODE
from miogram_toolkit.protocol.errors import BadResponse, MioGramError, WrongAddressPage

__all__ = ["BODY_KEEP", "RawResponse", "normalize_status", "parse_answer", "reading",
           "unescape_json"]

T = TypeVar("T")

#: How much of a bad body an error keeps.
BODY_KEEP = 200

_NOT_JSON = object()
_TRAILER = re.compile(r"\s*([0-9]{3})?\s*")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\(.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "/": "/",
                   "\\": "\\", '"': '"'}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Actions whose answer may be a bare JSON array.
_ARRAY_ACTIONS = frozenset({"APIGetReport"})


@dataclass(frozen=True)
class RawResponse:
    """An HTTP answer as received: status code, body text and headers."""

    status_code: int
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)


def unescape_json(text: str) -> str:
    """Undo JSON string escapes (``\\u0073``, ``\\/``, ``\\n``…) wherever they stand in ``text``.

    Used before a body excerpt is scrubbed, so a secret the server echoed in escaped form is
    found and removed too. Surrogate pairs become their character; lone ones are kept escaped.

    Example:
        >>> unescape_json(r'{"Echo":"\\u0073\\u0033cret\\/x"}')
        '{"Echo":"s3cret/x"}'
    """
    def one(found: re.Match[str]) -> str:
        if found.group(1) is not None:
            return chr(int(found.group(1), 16))
        return _SIMPLE_ESCAPES.get(found.group(2), found.group(0))

    plain = _ESCAPE.sub(one, text)
    # Pair up surrogates that the \\u escapes produced; a lone one stays as its escape.
    paired = plain.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", paired)


def _excerpt(text: str, scrub: Callable[[str], str]) -> str:
    # Unescape, then scrub, then cut: a secret written \\u-escaped, or straddling the cut, cannot
    # leave a fragment behind.
    return scrub(unescape_json(scrub(text)))[:BODY_KEEP]


def _kind_of_body(text: str) -> str:
    head = text.lstrip()[:200].lower()
    if not head:
        return "an empty body"
    if head.startswith(("<!doctype", "<html", "<head", "<body", "<?xml", "<")):
        return "an HTML page"
    return "invalid JSON"


def _load(text: str) -> tuple[Any, str | None]:
    """The JSON value and a bare code that followed it, or (_NOT_JSON, None)."""
    try:
        return json.loads(text), None
    except ValueError:
        pass
    try:
        value, end = json.JSONDecoder().raw_decode(text.lstrip())
    except ValueError:
        return _NOT_JSON, None
    rest = _TRAILER.fullmatch(text.lstrip()[end:])
    if rest is None or not isinstance(value, dict | list):
        return _NOT_JSON, None
    return value, rest.group(1)


def reading(action: str | None, read: Callable[[], T],
            scrub: Callable[[str], str] = lambda s: s, body: str | None = None) -> T:
    """Run ``read`` and turn any failure inside it into a BadResponse.

    Hostile answers make the standard library raise ``RecursionError`` (deep nesting),
    ``OverflowError`` (``1e400`` turned into an int) or ``ValueError`` (an integer of more
    than 4,300 digits); none of these may escape a client call. The BadResponse is raised
    outside the handler, so it keeps neither the failure nor its frames (whose locals hold the
    answer as received); ``MioGramError`` passes through unchanged.

    Args:
        action: the ``Func`` (for the error).
        read: what to run.
        scrub: removes the secret from the body excerpt.
        body: the answer's text, an excerpt of which the error keeps.

    Example:
        >>> try:
        ...     reading("APIGetCredits", lambda: int(float("1e400")))
        ... except BadResponse as exc:
        ...     print(exc, exc.__context__)
        APIGetCredits: the answer could not be read (OverflowError) None
    """
    try:
        return read()
    except MioGramError:
        raise
    except (RecursionError, OverflowError, ValueError, TypeError, KeyError, IndexError,
            AttributeError, UnicodeError) as exc:
        failed = type(exc).__name__
    where = f"{action}: " if action else ""
    kept = _excerpt(body, scrub) if body is not None else ""
    raise BadResponse(f"{where}the answer could not be read ({failed})", action=action,
                      body=kept)


def parse_answer(raw: RawResponse, action: str | None,
                 scrub: Callable[[str], str] = lambda s: s) -> dict[str, Any]:
    """Decode a body into the answer object, or raise BadResponse.

    A bare JSON array (``APIGetReport`` in the implementation's dialect) comes back as
    ``{"Result": [...]}``; a bare code after the JSON is kept under ``TRAILING_CODE`` when the
    object has no ``Code``.

    Args:
        raw: the HTTP answer.
        action: the ``Func`` called (for the error).
        scrub: removes the secret from any text the error keeps.

    Raises:
        BadResponse: not a JSON object (nor the report's array), or no ``Status`` where the
            action always has one (every action but the getters and tables).
    """
    text = raw.text.lstrip("\ufeff")
    value, trailing = reading(action, lambda: _load(text), scrub, text)
    where = f"{action}: " if action else ""
    http = f"HTTP {raw.status_code} "
    if raw.status_code == 404:
        raise WrongAddressPage(f"{where}HTTP 404: there is no MioGram endpoint at this URL; "
                               "check its path (it ends in /dojob.php)", action=action,
                               body=_excerpt(text, scrub), http_status=404)
    if value is _NOT_JSON:
        kind = _kind_of_body(text)
        if kind == "an HTML page" and raw.status_code < 500:
            # A proxy's 5xx page may stand in front of a request still running; any other page
            # means the URL leads somewhere else than the endpoint.
            raise WrongAddressPage(
                f"{where}{http}answer is an HTML page, not MioGram's JSON: the URL leads to "
                "another page; check its path (it ends in /dojob.php)", action=action,
                body=_excerpt(text, scrub), http_status=raw.status_code)
        raise BadResponse(f"{where}{http}answer is {kind}, not a JSON object",
                          action=action, body=_excerpt(text, scrub), http_status=raw.status_code)
    if isinstance(value, list) and action in _ARRAY_ACTIONS:
        return {"Result": value}
    if not isinstance(value, dict):
        raise BadResponse(f"{where}{http}answer is a JSON {type(value).__name__}, "
                          "not an object", action=action, body=_excerpt(text, scrub),
                          http_status=raw.status_code)
    known = ACTIONS.get(action or "")
    if "Status" not in value and (known is None or None not in accepted_statuses(known)):
        raise BadResponse(f"{where}{http}answer has no Status element", action=action,
                          body=_excerpt(text, scrub), http_status=raw.status_code)
    if trailing is not None and "Code" not in value:
        value[TRAILING_CODE] = trailing
    return value


def normalize_status(status: Any) -> str | None:
    """``None`` for JSON null or ``"NULL"``; else the Status trimmed and lower-cased.

    Example:
        >>> normalize_status(" Success "), normalize_status("NULL"), normalize_status(None)
        ('success', None, None)
    """
    if status is None:
        return None
    text = str(status).strip().casefold()
    return None if text == "null" else text
