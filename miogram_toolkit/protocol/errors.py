"""MioGram's 23 error codes and the toolkit's exception tree.

::

    MioGramError                      the root: catch this to catch everything below
    ├── APIError                      Status "error" came back (code, message, action, raw)
    │   ├── AuthError                 802 Invalid IP Address, 815 Session Blocked,
    │   │   │                         826 Account Not Activated
    │   │   └── WrongSecret               800 Empty Secret, 801 Invalid Secret
    │   ├── NoAgentError              827 No Robot Has Been Set Yet
    │   ├── PermissionDenied          309 Permission Denied
    │   ├── CreditError               305 No Credit, 306 Low Credit
    │   │   └── GatewayCreditError        306 from the agent's gateway, before anything was sent
    │   ├── MessageTooLong            304 Message Length is Too High
    │   ├── FileRejected              303 File Size is Too High, 400 No Valid File
    │   ├── BadNumber                 307 Number Not Exist or Wrong
    │   ├── BadRequest                302 Bad Request of Func, 330 No Input, 301 No UserID
    │   │   └── WrongAddressAnswer*       812 Bad Request to a POST: not the endpoint itself
    │   ├── NoData                    111 No DATA
    │   └── ServiceUnavailable        813 Invalid Token, 814 Invalid IP Address (gateway),
    │                                 999 No Response From Server
    └── TransportError                no usable answer came back
        ├── ConnectError              the request never left (refused, DNS, TLS); safe to repeat
        │   ├── ConnectionRefused         nothing listens at that host and port
        │   └── HostNotFound              the host name does not resolve (DNS)
        ├── ResponseTimeout           a read-only request got no answer in time
        ├── DeliveryUnknown           a send left and no answer came: it may have been delivered
        └── BadResponse               an HTML page, empty body, invalid JSON, JSON that is not an
            │                         object, or an object without Status
            └── WrongAddressPage*         HTTP 404, or an HTML page that is not a 5xx proxy page

    * also a WrongAddress: ``except WrongAddress`` catches both "wrong path" errors.

Every class has a ``kind`` (``"wrong_secret"``, ``"connection_refused"``, ``"dns_failure"``,
``"wrong_path"``, else None) for doors that map errors to sentences.

**What an error means for the request that got it** is data here (:data:`CODE_MEANINGS`,
:data:`CLASS_MEANINGS`), read by :func:`send_outcome`, :func:`retryable` and
:func:`stops_campaign`:

=========================================  =============  =====  =====  =========
error                                      a send was     retry  retry  stops a
                                                          read   send   campaign
=========================================  =============  =====  =====  =========
800 801 802 812 815 826 827 302 309 330    not processed  no     no     yes
303 304 400; 305 and the endpoint's 306    not processed  no     no     yes
the gateway's 306 (this agent's credit)    not processed  no     no     no
307 (not on the messenger)                 failed         no     no     no
999 813 814 (the gateway did not answer)   unknown        yes    no     no
301, 111, a code not in the table          unknown        no     no     301
ConnectError (the transport's NotSent)     not processed  yes    yes    no
ResponseTimeout, DeliveryUnknown,          unknown        yes    no     no
BadResponse (5xx, proxy page, cut answer)
WrongAddressPage (404, an HTML page)       unknown        no     no     yes
=========================================  =============  =====  =====  =========

A 999 does not mean nothing happened: the endpoint gives up waiting for its gateway after 60 s
while the gateway goes on sending, uncharged and unlogged. So a send is never repeated on it.

How an error answer becomes one of these classes is in
:mod:`~miogram_toolkit.protocol.error_answers`. No error ever holds the account's secret.

Example:
    >>> ERRORS[305].message
    'No Credit'
    >>> err = ServiceUnavailable("No Response From Server", code=999, action="SendMessageMass")
    >>> send_outcome(err), retryable(err, sending=True), retryable(err, sending=False)
    ('unknown', False, True)
    >>> send_outcome(CreditError("No Credit", code=305)), stops_campaign(CreditError("", code=305))
    ('not_processed', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Final, Literal

__all__ = ["CLASS_MEANINGS", "CODE_MEANINGS", "ERRORS", "RETRYABLE_CODES", "STOP_CODES",
           "APIError", "AuthError", "BadNumber", "BadRequest", "BadResponse", "ConnectError",
           "ConnectionRefused", "CreditError", "DeliveryUnknown", "ErrorInfo", "FileRejected",
           "GatewayCreditError", "HostNotFound", "Meaning", "MessageTooLong", "MioGramError",
           "NoAgentError", "NoData", "PermissionDenied", "ResponseTimeout", "ServiceUnavailable",
           "TransportError", "WrongAddress", "WrongAddressAnswer", "WrongAddressPage",
           "WrongSecret", "meaning_of", "retryable", "send_outcome", "stops_campaign"]


class MioGramError(Exception):
    """Root of every error the toolkit raises about the service.

    Attributes:
        kind: a word for the doors' sentences (``"wrong_secret"``, ``"connection_refused"``,
            ``"dns_failure"``, ``"wrong_path"``), None for the rest.
    """

    kind: ClassVar[str | None] = None


class WrongAddress(MioGramError):
    """The URL does not lead to MioGram's endpoint (wrong path, or another site's page).

    Raised as :class:`WrongAddressAnswer` (812 to a POST) or :class:`WrongAddressPage` (HTTP
    404, or an HTML page that is not a proxy's 5xx page).
    """

    kind: ClassVar[str | None] = "wrong_path"


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

    #: What to do, appended to the message where the code alone would puzzle a user.
    advice: ClassVar[str] = ""

    def __str__(self) -> str:
        where = f" ({self.action})" if self.action else ""
        code = f"{self.code} " if self.code is not None else ""
        advice = f": {self.advice}" if self.advice else ""
        return f"{code}{self.message}{where}{advice}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, " \
               f"action={self.action!r})"


class AuthError(APIError):
    """The secret, the caller's IP, the session or the account was refused."""


class WrongSecret(AuthError):
    """The service does not know this secret (801), or got none (800)."""

    kind: ClassVar[str | None] = "wrong_secret"
    advice: ClassVar[str] = ("the service does not know this secret; check MIOGRAM_SECRET "
                             "(the key shown in the MioGram web panel)")


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


class WrongAddressAnswer(WrongAddress, BadRequest):
    """812 to a POST: the endpoint gives 812 only to other methods, so this is not it."""

    advice: ClassVar[str] = ("this URL does not lead to MioGram's endpoint itself; check its "
                             "path (it ends in /dojob.php)")


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


class ConnectionRefused(ConnectError):
    """Nothing listens at the URL's host and port (a wrong port, or the service is down)."""

    kind: ClassVar[str | None] = "connection_refused"


class HostNotFound(ConnectError):
    """The URL's host name does not resolve (a typo in the host, or no network/DNS)."""

    kind: ClassVar[str | None] = "dns_failure"


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


class WrongAddressPage(WrongAddress, BadResponse):
    """HTTP 404, or an HTML page (not a proxy's 5xx page) where MioGram answers JSON."""


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


_e = ErrorInfo


#: The 23 codes, in the document's order.
ERRORS: Final[Mapping[int, ErrorInfo]] = MappingProxyType({
    e.code: e
    for e in (
        _e(800, "Empty Secret", "the secret is empty", True, WrongSecret),
        _e(801, "Invalid Secret", "the secret is not valid", True, WrongSecret),
        _e(802, "Invalid IP Address", "the calling IP is not allowed", True, AuthError),
        _e(812, "Bad Request", "malformed request to the service", True, WrongAddressAnswer),
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


Outcome = Literal["not_processed", "failed", "unknown"]


@dataclass(frozen=True)
class Meaning:
    """What an error means for the request that got it (see the module's table).

    Attributes:
        outcome: for a send: ``"not_processed"`` (the service refused before sending anything:
            safe to send again), ``"failed"`` (processed, not delivered) or ``"unknown"``
            (it may have been delivered: never repeated without the user saying so).
        retry_read: a read-only request may be repeated after a pause.
        retry_send: a send may be repeated after a pause (only ever when not processed).
        stops: a campaign stops (pauses, saying why) until the user acts.
    """

    outcome: Outcome
    retry_read: bool = False
    retry_send: bool = False
    stops: bool = False


_REFUSED_STOP = Meaning("not_processed", stops=True)
_UNANSWERED = Meaning("unknown", retry_read=True)

#: What each code means; a code missing here means :data:`_UNKNOWN` (nothing is proved).
CODE_MEANINGS: Final[Mapping[int, Meaning]] = MappingProxyType({
    **dict.fromkeys((800, 801, 802, 812, 815, 826, 827, 302, 309, 330), _REFUSED_STOP),
    **dict.fromkeys((303, 304, 400, 305, 306), _REFUSED_STOP),
    301: Meaning("unknown", stops=True),  # not the document's refusal list: proves nothing
    307: Meaning("failed"),
    **dict.fromkeys((813, 814, 999), _UNANSWERED),
})

#: What each error class means where no code decides (the first class in the MRO found here).
CLASS_MEANINGS: Final[Mapping[type[MioGramError], Meaning]] = MappingProxyType({
    GatewayCreditError: Meaning("not_processed"),  # this agent's own record: try another
    WrongAddressAnswer: _REFUSED_STOP,
    WrongAddressPage: Meaning("unknown", stops=True),
    ConnectError: Meaning("not_processed", retry_read=True, retry_send=True),
    ResponseTimeout: _UNANSWERED,
    DeliveryUnknown: _UNANSWERED,
    BadResponse: _UNANSWERED,
})

_UNKNOWN: Final = Meaning("unknown")

#: Codes a client may retry after a pause, for a read only: the gateway did not answer.
RETRYABLE_CODES: Final = frozenset(c for c, m in CODE_MEANINGS.items() if m.retry_read)

#: Codes after which a campaign sends nothing more until the user acts.
STOP_CODES: Final = frozenset(c for c, m in CODE_MEANINGS.items() if m.stops)


def meaning_of(exc: BaseException) -> Meaning:
    """What ``exc`` means for its request: its class's meaning first, then its code's.

    Anything that is not a :class:`MioGramError` (a crash, a lost answer) proves nothing.

    Example:
        >>> meaning_of(APIError("Invalid Secret", code=801)).outcome
        'not_processed'
        >>> meaning_of(RuntimeError("killed")).outcome
        'unknown'
    """
    for cls in type(exc).__mro__:
        found = CLASS_MEANINGS.get(cls)  # type: ignore[call-overload]
        if found is not None:
            return found
    code = getattr(exc, "code", None) if isinstance(exc, APIError) else None
    return CODE_MEANINGS.get(code, _UNKNOWN) if isinstance(code, int) else _UNKNOWN


def send_outcome(exc: BaseException) -> Outcome:
    """For a send that ended in ``exc``: ``"not_processed"``, ``"failed"`` or ``"unknown"``.

    Only a refusal the service gives before it sends anything, and a request that never left
    (:class:`ConnectError`, the transport's ``NotSent``), prove ``"not_processed"``; 307
    (processed, the number not on the messenger) is ``"failed"``; everything else (999, 813,
    814, an unknown code, 5xx, a proxy page, a cut or non-JSON answer, a lost answer, a crash)
    is ``"unknown"``.

    Example:
        >>> send_outcome(ServiceUnavailable("No Response From Server", code=999))
        'unknown'
        >>> send_outcome(ConnectError("refused"))
        'not_processed'
    """
    return meaning_of(exc).outcome


def retryable(exc: BaseException, *, sending: bool) -> bool:
    """Whether the request that ended in ``exc`` may be repeated after a pause.

    Args:
        exc: the error.
        sending: the request was a send (then only a request that never left is repeated).

    Example:
        >>> err = BadResponse("HTTP 502 answer is an HTML page", http_status=502)
        >>> retryable(err, sending=False), retryable(err, sending=True)
        (True, False)
    """
    found = meaning_of(exc)
    return found.retry_send if sending else found.retry_read


def stops_campaign(exc: BaseException) -> bool:
    """Whether a campaign must stop (pause, saying why) after ``exc``.

    Example:
        >>> stops_campaign(APIError("Permission Denied", code=309))
        True
        >>> stops_campaign(GatewayCreditError("Low Credit", code=306, source="gateway"))
        False
    """
    return meaning_of(exc).stops
