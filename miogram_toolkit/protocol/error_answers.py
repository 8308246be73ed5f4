"""How an error answer becomes an exception of :mod:`~miogram_toolkit.protocol.errors`.

How an error answer is recognised, whatever the dialect (the document shows only ``Message``;
the service's own implementation adds ``"Code": "801"`` to its own errors and writes its agent
gateway's as ``"Error 306 : Low Credit"``): by a ``Code`` element when present (a number or a
string), else by a code written into the text (``"Error NNN : …"``), else by a code the body
carried after its JSON (``…}302``), else by the message text (trimmed, case-insensitive, with or
without the document's trailing ``*``; the implementation's own wordings such as ``"Bad Request
of Functions"`` are known too), else by a bare code (``"801"``). Text that matches nothing still
raises :class:`APIError` with ``code=None``. "Invalid IP Address" is the text of both 802 and
814; without a ``Code`` it is read as 802, the public one the document marks with ``*``.

An error written ``"Error NNN : text"`` without a ``Code`` comes from the agent's gateway
(:attr:`APIError.source` ``"gateway"``); everything else from the public endpoint
(``"service"``). The gateway's ``306 Low Credit`` is :class:`GatewayCreditError`: the agent's own
credit record refused the request before anything was sent (the implementation's per-agent credit
file is corrupted by overlapping requests), so nothing was delivered or charged, and another
agent may still work. The account's own credit is not the cause; that is 305.

407 Secret Changed and 409 Allow IP Sets are the confirmations of ``APIChangeSecret`` and
``APISetIP``, not failures; :func:`is_confirmation` tells them apart.

No error ever holds the account's secret: :func:`redact` removes it from anything kept.

Example:
    >>> err = error_for_answer({"Status": "error", "Message": "No Credit"}, "SendMessage")
    >>> type(err).__name__, err.code
    ('CreditError', 305)
    >>> type(error_for_answer({"Status": "error", "Message": "Error 306 : Low Credit"})).__name__
    'GatewayCreditError'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from miogram_toolkit.protocol.errors import (
    ERRORS,
    APIError,
    ErrorInfo,
    GatewayCreditError,
)

__all__ = ["TRAILING_CODE", "error_for_answer", "is_confirmation", "lookup_error", "redact"]

_CONFIRMS: Final = {"APIChangeSecret": 407, "APISetIP": 409}

# Text -> code. Where two codes share a text (802 and 814), the public one wins.
_BY_TEXT: dict[str, int] = {}
for _info in sorted(ERRORS.values(), key=lambda i: not i.public):
    _BY_TEXT.setdefault(_info.message.casefold(), _info.code)
del _info

_BARE_CODE = re.compile(r"\s*(\d{3})\s*\*?\s*")
# The gateway writes its errors "Error 306 : Low Credit" (no Code element).
_CODE_IN_TEXT = re.compile(r"\s*error\s+(\d{3})\s*:", re.IGNORECASE)

# The implementation's own wordings of some errors, besides the document's table.
_ALIASES = {
    "bad request of functions": 302,
    "message length is high": 304,
    "not valid file": 400,
}
_BY_TEXT.update(_ALIASES)

#: Key under which :func:`~miogram_toolkit.protocol.decode.parse_answer` keeps a code that
#: followed the JSON (``…}302``); it never comes from the service itself.
TRAILING_CODE = "_trailing_code"


def lookup_error(value: object) -> ErrorInfo | None:
    """Find the error a ``Message`` text or code stands for.

    Accepts the text (trimmed, case-insensitive, with or without a trailing ``*``), a bare
    code as text (``"801"``) or an int.

    Example:
        >>> lookup_error(" invalid secret* ").code
        801
        >>> lookup_error("999").message
        'No Response From Server'
        >>> lookup_error("Something else") is None
        True
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return ERRORS.get(value)
    text = str(value).strip()
    bare = _BARE_CODE.fullmatch(text)
    if bare:
        return ERRORS.get(int(bare.group(1)))
    code = _BY_TEXT.get(text.rstrip("*").strip().casefold())
    return ERRORS[code] if code is not None else None


def _code_in_text(text: object) -> int | None:
    if not isinstance(text, str):
        return None
    found = _CODE_IN_TEXT.match(text)
    return int(found.group(1)) if found else None


def _answer_code(answer: Mapping[str, Any]) -> ErrorInfo | None:
    for key in ("Code", "code"):
        if key in answer:
            info = lookup_error(answer[key])
            if info is not None:
                return info
    written = _code_in_text(answer.get("Message"))
    if written is not None and written in ERRORS:
        return ERRORS[written]
    trailing = lookup_error(answer.get(TRAILING_CODE))
    if trailing is not None:
        return trailing
    return lookup_error(answer.get("Message"))


def _source(answer: Mapping[str, Any]) -> str:
    from_gateway = "Code" not in answer and "code" not in answer and \
        _code_in_text(answer.get("Message")) is not None
    return "gateway" if from_gateway else "service"


def is_confirmation(answer: Mapping[str, Any], action: str) -> bool:
    """True when ``answer`` is the 407/409 confirmation of ``APIChangeSecret``/``APISetIP``."""
    expected = _CONFIRMS.get(action)
    if expected is None:
        return False
    info = _answer_code(answer)
    return info is not None and info.code == expected


def error_for_answer(answer: Mapping[str, Any], action: str | None = None,
                     secret: str | None = None) -> APIError:
    """Build the exception for an error answer (the caller decides to raise it).

    Args:
        answer: the decoded JSON object with ``Status: "error"``.
        action: the ``Func`` that was called.
        secret: the account's secret, removed from anything the error keeps.
    """
    info = _answer_code(answer)
    raw = redact({k: v for k, v in answer.items() if k != TRAILING_CODE}, secret)
    text = answer.get("Message")
    source = _source(answer)
    if info is None:
        message = str(text).strip()[:200] if text not in (None, "") else \
            "error answer without Message"
        return APIError(redact(message, secret), code=None, action=action, raw=raw,
                        source=source)
    cls = info.exception or APIError
    if info.code == 306 and source == "gateway":
        cls = GatewayCreditError
    return cls(info.message, code=info.code, action=action, raw=raw, source=source)


def redact(value: Any, secret: str | None) -> Any:
    """Return ``value`` with every occurrence of ``secret`` replaced by ``***``.

    Walks strings, mappings and lists; anything else comes back as it is.
    """
    if not secret:
        return value
    if isinstance(value, str):
        return value.replace(secret, "***")
    if isinstance(value, Mapping):
        return {redact(k, secret): redact(v, secret) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(v, secret) for v in value)
    return value
