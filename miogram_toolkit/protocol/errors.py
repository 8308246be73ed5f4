"""MioGram's 23 error codes and the toolkit's exception tree.

::

    MioGramError                      the root: catch this to catch everything below
    ├── APIError                      Status "error" came back (code, message, action, raw)
    │   ├── AuthError                 800 Empty Secret, 801 Invalid Secret, 802 Invalid IP Address,
    │   │                             815 Session Blocked, 826 Account Not Activated
    │   ├── NoAgentError              827 No Robot Has Been Set Yet
    │   ├── PermissionDenied          309 Permission Denied
    │   ├── CreditError               305 No Credit, 306 Low Credit
    │   │   └── GatewayCreditError        306 from the agent's gateway, before anything was sent
    │   ├── MessageTooLong            304 Message Length is Too High
    │   ├── FileRejected              303 File Size is Too High, 400 No Valid File
    │   ├── BadNumber                 307 Number Not Exist or Wrong
    │   ├── BadRequest                302 Bad Request of Func, 812 Bad Request, 330 No Input,
    │   │                             301 No UserID
    │   ├── NoData                    111 No DATA
    │   └── ServiceUnavailable        813 Invalid Token, 814 Invalid IP Address (gateway),
    │                                 999 No Response From Server
    └── TransportError                no usable answer came back
        ├── ConnectError              the request never left (refused, DNS, TLS); safe to repeat
        ├── ResponseTimeout           a read-only request got no answer in time
        ├── DeliveryUnknown           a send left and no answer came: it may have been delivered
        └── BadResponse               an HTML page, empty body, invalid JSON, JSON that is not an
                                      object, or an object without Status

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
    >>> from miogram_toolkit.protocol.errors import ERRORS, error_for_answer
    >>> ERRORS[305].message
    'No Credit'
    >>> err = error_for_answer({"Status": "error", "Message": "No Credit"}, "SendMessage")
    >>> type(err).__name__, err.code
    ('CreditError', 305)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

__all__ = [
    "ERRORS",
    "APIError",
    "AuthError",
    "BadNumber",
    "BadRequest",
    "BadResponse",
    "ConnectError",
    "CreditError",
    "DeliveryUnknown",
    "ErrorInfo",
    "FileRejected",
    "GatewayCreditError",
    "MessageTooLong",
    "MioGramError",
    "NoAgentError",
    "NoData",
    "PermissionDenied",
    "ResponseTimeout",
    "ServiceUnavailable",
    "TransportError",
    "error_for_answer",
    "is_confirmation",
    "lookup_error",
    "redact",
]


class MioGramError(Exception):
    """Root of every error the toolkit raises about the service."""


class APIError(MioGramError):
    """The service answered with ``Status: "error"``.

    Attributes:
        code: the error code (None when the text matched no known error).
        message: the error text as the service sent it.
        action: the ``Func`` that was called.
        raw: the decoded answer (or the body text), with any secret removed.
    """

    def __init__(self, message: str, *, code: int | None = None, action: str | None = None,
                 raw: Any = None, source: str = "service") -> None:
        self.code = code
        self.message = message
        self.action = action
        self.raw = raw
        self.source = source
        super().__init__(message)

    def __str__(self) -> str:
        where = f" ({self.action})" if self.action else ""
        code = f"{self.code} " if self.code is not None else ""
        return f"{code}{self.message}{where}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, " \
               f"action={self.action!r})"


class AuthError(APIError):
    """The secret, the caller's IP, the session or the account was refused."""


class NoAgentError(APIError):
    """No agent (robot) is chosen or active, or the named ``Robot`` is unknown."""


class PermissionDenied(APIError):
    """The account lacks the isSuper or canGet permission the action needs."""


class CreditError(APIError):
    """The credit for this kind of send is used up (305) or low (306)."""


class GatewayCreditError(CreditError):
    """The agent's gateway answered ``Error 306 : Low Credit`` before sending anything.

    Nothing was delivered or charged. The cause is the agent's own credit record, not the
    account's credit: try another agent, or this one again later.
    """


class MessageTooLong(APIError):
    """The message is longer than the account's ``Message`` limit."""


class FileRejected(APIError):
    """The file is larger than the account's limit (303) or not a valid file (400)."""


class BadNumber(APIError):
    """The number does not exist or is wrongly written."""


class BadRequest(APIError):
    """The request was malformed: unknown Func, empty input, bad request, no such user."""


class NoData(APIError):
    """There is no data to answer with."""


class ServiceUnavailable(APIError):
    """The service or its gateway did not answer; retrying later may help."""


class TransportError(MioGramError):
    """No usable answer came back from the service.

    Attributes:
        action: the ``Func`` that was called.
    """

    def __init__(self, message: str, *, action: str | None = None) -> None:
        self.action = action
        super().__init__(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, action={self.action!r})"


class ConnectError(TransportError):
    """The request never reached the service (refused, unreachable, TLS); repeating is safe."""


class ResponseTimeout(TransportError):
    """A read-only request got no answer in time."""


class DeliveryUnknown(TransportError):
    """A send left and no answer came back: it may or may not have been delivered.

    The client never repeats such a request; the campaign reconciles it against
    ``APIGetReport`` first.
    """


class BadResponse(TransportError):
    """The answer was not a JSON object with a ``Status`` (an HTML page, empty, invalid, …).

    Attributes:
        body: the start of the body as received (at most 200 characters, secret removed).
        http_status: the HTTP status code, when there was one.
    """

    def __init__(self, message: str, *, action: str | None = None, body: str = "",
                 http_status: int | None = None) -> None:
        self.body = body
        self.http_status = http_status
        super().__init__(message, action=action)


@dataclass(frozen=True)
class ErrorInfo:
    """One row of the document's error table.

    Attributes:
        code: the numeric code.
        message: the text the service sends in ``Message``.
        meaning: what it means.
        public: one of the public errors (PErrors) any action may return.
        exception: the class raised for it (None for the confirmations 407 and 409).
    """

    code: int
    message: str
    meaning: str
    public: bool
    exception: type[APIError] | None


def _e(code: int, message: str, meaning: str, public: bool,
       exception: type[APIError] | None) -> ErrorInfo:
    return ErrorInfo(code, message, meaning, public, exception)


#: The 23 codes, in the document's order.
ERRORS: Final[Mapping[int, ErrorInfo]] = MappingProxyType({
    e.code: e
    for e in (
        _e(800, "Empty Secret", "the secret is empty", True, AuthError),
        _e(801, "Invalid Secret", "the secret is not valid", True, AuthError),
        _e(802, "Invalid IP Address", "the calling IP is not allowed", True, AuthError),
        _e(812, "Bad Request", "malformed request to the service", True, BadRequest),
        _e(813, "Invalid Token", "the gateway's connection token is invalid", False,
           ServiceUnavailable),
        _e(814, "Invalid IP Address", "the gateway's IP is invalid", False, ServiceUnavailable),
        _e(815, "Session Blocked", "this session is blocked", True, AuthError),
        _e(826, "Account Not Activated", "the account has not been activated", True, AuthError),
        _e(827, "No Robot Has Been Set Yet", "no agent has been chosen or activated yet", True,
           NoAgentError),
        _e(301, "No UserID", "no such user id", False, BadRequest),
        _e(302, "Bad Request of Func", "unknown or malformed action", True, BadRequest),
        _e(303, "File Size is Too High", "file too large", False, FileRejected),
        _e(304, "Message Length is Too High", "message too long", False, MessageTooLong),
        _e(305, "No Credit", "credit used up", False, CreditError),
        _e(306, "Low Credit", "credit is low", False, CreditError),
        _e(307, "Number Not Exist or Wrong", "the number does not exist or is wrong", False,
           BadNumber),
        _e(309, "Permission Denied", "you may not use this action", False, PermissionDenied),
        _e(330, "No Input", "the input is empty", False, BadRequest),
        _e(400, "No Valid File", "the file is not valid", False, FileRejected),
        _e(407, "Secret Changed", "the secret was changed", False, None),
        _e(409, "Allow IP Sets", "the allowed IPs were set", False, None),
        _e(111, "No DATA", "there is no data", False, NoData),
        _e(999, "No Response From Server", "no answer from the server", True,
           ServiceUnavailable),
    )
})

#: Codes a client may retry after a pause: the service or its gateway was unavailable.
RETRYABLE_CODES: Final = frozenset({813, 814, 999})

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
