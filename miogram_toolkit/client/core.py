"""The MioGram client: validate locally, POST through one transport, decode, raise.

:class:`Client` has one method per action of the catalogue (written in
:mod:`miogram_toolkit.client.actions`, checked against the catalogue by the tests) and a generic
:meth:`Client.call`.

What is retried, with exponential backoff and full jitter (``sleep`` is injectable):

* the request never left (:class:`~miogram_toolkit.client.transport.NotSent`) — any action;
* an answer with code 999, 813 or 814 (the service or its gateway was unavailable) — any action;
* any transport failure (no answer, a malformed answer) of a read-only action.

A send waits longer than a read: the service's gateway works through the numbers one by one
(about a second each), so a send's deadline is ``timeout + per_number_timeout × numbers``
(:meth:`Client.read_timeout`; 30 s + 1.5 s a number by default, so a 100-number Mass waits
180 s). A healthy Mass therefore answers instead of turning into ``DeliveryUnknown``.

Answers are read in either dialect the service speaks (:mod:`miogram_toolkit.protocol.dialects`),
without being told which. Whatever fails while an answer is read — hostile nesting, ``1e400``,
integers of thousands of digits — is a :class:`~miogram_toolkit.protocol.errors.BadResponse`:
every failure of a client call is a :class:`~miogram_toolkit.protocol.errors.MioGramError`.

A send whose request left with no answer is never repeated: it raises
:class:`~miogram_toolkit.protocol.errors.DeliveryUnknown`, and the campaign reconciles it against
``APIGetReport``. A malformed answer to a send (say a 502 page from a proxy) raises
:class:`~miogram_toolkit.protocol.errors.BadResponse` without a retry, for the same reason.

The secret never appears in the client's repr, in an error, a log record or a warning. Logs go to
``miogram_toolkit.client.core``: at DEBUG the Func, field names, sizes and masked numbers.

Example:
    >>> from miogram_toolkit import Client
    >>> Client("x32nv86ss5z", robot="MioGram")         # the secret never shows
    Client(base_url='https://miogram.net/dojob.php', robot='MioGram', secret=<hidden>)
    >>> with Client("x32nv86ss5z", robot="MioGram") as client:   # doctest: +SKIP
    ...     client.send_message("+989121234567", "Hello")
    ...     client.send_message_mass(["+989121234567", "+989351234567"], "Hi all")
    True
    {'+989121234567': True, '+989351234567': False}
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from miogram_toolkit.client.actions import ActionMethods
from miogram_toolkit.client.transport import (
    BadAnswer,
    MaskedStr,
    NoAnswer,
    NotSent,
    RequestsTransport,
    Transport,
    WSGITransport,
)
from miogram_toolkit.client.transport import is_loopback_host as _is_loopback
from miogram_toolkit.protocol.catalogue import ACTIONS, FIELDS
from miogram_toolkit.protocol.decode import normalize_status, parse_answer, reading
from miogram_toolkit.protocol.dialects import accepted_statuses
from miogram_toolkit.protocol.encode import mask_phone, robot_field, text_token
from miogram_toolkit.protocol.error_answers import error_for_answer, is_confirmation, redact
from miogram_toolkit.protocol.errors import (
    APIError,
    BadResponse,
    ConnectError,
    DeliveryUnknown,
    MioGramError,
    ResponseTimeout,
)
from miogram_toolkit.protocol.errors import (
    retryable as policy_retryable,
)
from miogram_toolkit.version import __version__

__all__ = ["DEFAULT_URL", "Client"]

logger = logging.getLogger("miogram_toolkit.client.core")

DEFAULT_URL = "https://miogram.net/dojob.php"

#: The longest single pause between two attempts, whatever ``backoff`` and the attempt number.
MAX_DELAY = 30.0

#: Seconds a send's read timeout grows per number: the service's gateway pauses about 1 s per
#: number it sends to; half a second more leaves room for the messenger itself.
PER_NUMBER_TIMEOUT = 1.5


class _Secret:
    """Holds the secret so that printing, logging or inspecting it shows nothing."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = MaskedStr(value)  # so a form holding it shows <hidden> in any traceback

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("the MioGram secret is not picklable")


def _check_base_url(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http"):
        raise ValueError(f"base_url: must be an https:// URL, got {url!r}")
    if parts.username or parts.password:
        raise ValueError("base_url: must not carry a user name or password")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ValueError(f"base_url: plain http is only allowed to a loopback host (the secret "
                         f"would travel in clear); use https:// for {host!r}")
    return url


class Client(ActionMethods):
    """A client for the MioGram web service v1.2.

    Args:
        secret: the account's secret; when None, ``MIOGRAM_SECRET`` is read.
        base_url: the service endpoint; must be https unless the host is loopback.
        robot: the default agent for agent actions (each method takes ``robot=`` to override).
        timeout: seconds one attempt may take in all: connecting, sending and the whole answer
            (the base; a send gets more, see ``per_number_timeout``).
        per_number_timeout: seconds a send's allowance grows per number it names
            (:meth:`read_timeout`).
        retries: how many times a safely repeatable failure is retried (0 = never).
        backoff: the first pause's upper bound in seconds; it doubles on each retry.
        transport: the HTTP seam; a pooled :class:`RequestsTransport` when None (then owned and
            closed by this client; a transport passed in is the caller's to close).
        sleep: how to pause between retries (tests pass a recorder).
        rng: the random source of the jitter (tests pass a fixed one).

    Raises:
        ValueError: no secret, a secret with spaces, a non-https URL, or a bad setting.

    Example:
        >>> client = Client("x32nv86ss5z", base_url="http://127.0.0.1:8765/dojob.php")
        >>> client
        Client(base_url='http://127.0.0.1:8765/dojob.php', robot=None, secret=<hidden>)
    """

    def __init__(self, secret: str | None = None, *, base_url: str = DEFAULT_URL,
                 robot: str | None = None, timeout: float = 30.0,
                 per_number_timeout: float = PER_NUMBER_TIMEOUT, retries: int = 3,
                 backoff: float = 0.5, transport: Transport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None) -> None:
        if secret is None:
            secret = os.environ.get("MIOGRAM_SECRET") or None
        if secret is None:
            raise ValueError("secret: none given and MIOGRAM_SECRET is not set; pass secret= "
                             "or set the MIOGRAM_SECRET environment variable")
        if not isinstance(secret, str) or not secret or any(c.isspace() for c in secret):
            # Never echo the value: it is the secret, however malformed.
            raise ValueError("secret: must be non-empty text without spaces")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(f"retries: must be an int of 0 or more, got {retries!r}")
        if not timeout > 0:
            raise ValueError(f"timeout: must be more than 0 seconds, got {timeout!r}")
        if not backoff >= 0:
            raise ValueError(f"backoff: must be 0 or more seconds, got {backoff!r}")
        if not per_number_timeout >= 0:
            raise ValueError(f"per_number_timeout: must be 0 or more seconds, got "
                             f"{per_number_timeout!r}")
        self._secret = _Secret(secret)
        self._old_secrets: list[_Secret] = []
        self.base_url = _check_base_url(base_url)
        self.robot = robot_field(robot) if robot is not None else None
        self.timeout = float(timeout)
        self.per_number_timeout = float(per_number_timeout)
        self.retries = retries
        self.backoff = float(backoff)
        self._owns_transport = transport is None
        self._transport: Transport = transport if transport is not None else RequestsTransport()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept-Charset": "UTF-8",
            "User-Agent": f"miogram-toolkit/{__version__}",
        }

    @classmethod
    def to(cls, service: Any, **kwargs: Any) -> Client:
        """A client for anything with a ``url`` and a ``secret``, such as a simulator.

        When the service is not serving (``running`` false) but offers a WSGI ``app``, the
        client calls that app in-process instead of over HTTP. Other keyword arguments go to the
        constructor.

        Example:
            >>> from miogram_toolkit.simulator import Simulator
            >>> with Simulator(seed=7) as sim, Client.to(sim) as client:
            ...     client.get_credits()["Message"] > 0
            True
        """
        if not getattr(service, "running", True) and "transport" not in kwargs:
            app = getattr(service, "app", None)
            if app is not None:
                kwargs["transport"] = WSGITransport(app, remote_addr="127.0.0.1")
        return cls(service.secret, base_url=service.url, **kwargs)

    @classmethod
    def from_env(cls, **kwargs: Any) -> Client:
        """Build a client from ``MIOGRAM_SECRET``, ``MIOGRAM_URL`` and ``MIOGRAM_ROBOT``.

        Other keyword arguments go to the constructor.

        Raises:
            ValueError: ``MIOGRAM_SECRET`` is missing or empty.

        Example:
            >>> import os; os.environ["MIOGRAM_SECRET"] = "x32nv86ss5z"
            >>> Client.from_env().base_url
            'https://miogram.net/dojob.php'
        """
        secret = os.environ.get("MIOGRAM_SECRET", "").strip()
        if not secret:
            raise ValueError("MIOGRAM_SECRET is not set: export the account's secret key "
                             "(shown in the MioGram web panel) or pass it to Client()")
        kwargs.setdefault("base_url", os.environ.get("MIOGRAM_URL", "").strip() or DEFAULT_URL)
        kwargs.setdefault("robot", os.environ.get("MIOGRAM_ROBOT", "").strip() or None)
        return cls(secret, **kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, robot={self.robot!r}, " \
               f"secret=<hidden>)"

    __str__ = __repr__

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the transport's connections if this client created it."""
        if self._owns_transport:
            self._transport.close()

    # -- secrets -----------------------------------------------------------------------------

    def _scrub(self, value: Any) -> Any:
        """Remove the secret (current and replaced ones, raw and URL-encoded) from ``value``."""
        for holder in (self._secret, *self._old_secrets):
            raw = holder.reveal()
            for variant in {raw, quote_plus(raw), quote(raw, safe="")}:
                value = redact(value, variant)
        return value

    # -- the request -------------------------------------------------------------------------

    def call(self, func: str, **fields: str) -> dict[str, Any]:
        """Run any action by its ``Func`` name with fields named as the document spells them.

        Returns the decoded answer object. Status "error" raises; 407/409 confirmations of
        ``APIChangeSecret``/``APISetIP`` do not. The client's default ``Robot`` is added to agent
        actions unless given.

        Raises:
            ValueError: a field name the document does not have, or a non-str value.
            MioGramError: an error answer or a transport failure.

        Example:
            >>> from miogram_toolkit.simulator import Simulator
            >>> with Simulator(seed=7) as sim, Client.to(sim) as client:
            ...     client.call("SendMessage", Phone="+989121234567", Message="Hi")
            {'Result': True, 'Status': 'success'}
        """
        text_token("func", func)
        allowed = set(FIELDS) - {"Secret", "Func"}
        for name, value in fields.items():
            if name not in allowed:
                raise ValueError(f"{name}: not a request field; use {', '.join(sorted(allowed))}")
            if not isinstance(value, str):
                raise ValueError(f"{name}: must be a str, got {type(value).__name__}")
        robot = fields.pop("Robot", None)
        return self._request(func, dict(fields), robot=robot)

    def _request(self, func: str, fields: dict[str, str], *,
                 robot: str | None = None) -> dict[str, Any]:
        """POST one action with retries; return the answer object (Status already checked)."""
        if not func.startswith("API"):  # the API… actions act on the account, not an agent
            agent = robot if robot is not None else self.robot
            if agent is not None:
                fields["Robot"] = robot_field(agent)
        elif robot is not None:
            fields["Robot"] = robot_field(robot)
        action = ACTIONS.get(func)
        read_only = action.read_only if action is not None else False
        numbers = len(fields.get("Phone", "").split(",")) \
            if action is not None and action.is_send else 0
        timeout = self.read_timeout(numbers)
        last: MioGramError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._pause(func, attempt, last)
            form = {"Secret": self._secret.reveal(), "Func": func, **fields}
            self._log_request(func, fields, attempt)
            failure, retryable, answer = self._attempt(func, form, read_only, timeout)
            if failure is None:
                assert answer is not None
                if func == "APIChangeSecret":
                    self._adopt_new_secret(answer)
                return answer
            if not retryable or attempt == self.retries:
                raise failure
            last = failure
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def read_timeout(self, numbers: int = 0) -> float:
        """Seconds to wait for the answer to a request naming ``numbers`` numbers.

        ``timeout`` plus ``per_number_timeout`` for each number of a send (reads name none).

        Example:
            >>> Client("x32nv86ss5z", timeout=30, per_number_timeout=1.5).read_timeout(100)
            180.0
        """
        return self.timeout + self.per_number_timeout * max(0, numbers)

    def _attempt(self, func: str, form: dict[str, str], read_only: bool,
                 timeout: float | None = None
                 ) -> tuple[MioGramError | None, bool, dict[str, Any] | None]:
        """One POST: (failure, whether repeating it is safe, answer)."""
        started = time.monotonic()
        failure: MioGramError | None = None
        retryable = False
        try:
            raw = self._transport.post(self.base_url, form, headers=self._headers,
                                       timeout=self.timeout if timeout is None else timeout)
        except NotSent as exc:
            failure = ConnectError(f"{func}: the request never reached the service "
                                   f"({self._scrub(str(exc))})", action=func)
            retryable = True
        except NoAnswer as exc:
            why = self._scrub(str(exc))
            if read_only:
                failure = ResponseTimeout(f"{func}: no answer came ({why})", action=func)
                retryable = True
            else:
                failure = DeliveryUnknown(
                    f"{func}: the request left but no answer came ({why}); it may have taken "
                    "effect, so it is not repeated — check APIGetReport before sending again",
                    action=func)
        except BadAnswer as exc:  # a redirect or an oversized body: not an answer to read
            failure = BadResponse(f"{func}: {self._scrub(str(exc))}", action=func,
                                  http_status=exc.status_code)
            retryable = read_only
        if failure is not None:
            logger.debug("%s: %s after %.3f s", func, type(failure).__name__,
                         time.monotonic() - started)
            return failure, retryable, None
        logger.debug("%s: HTTP %d, %d chars in %.3f s", func, raw.status_code, len(raw.text),
                     time.monotonic() - started)
        try:
            answer = reading(func, lambda: self._check(
                func, parse_answer(raw, func, self._scrub)), self._scrub, raw.text)
        # Frames left out of the error: their locals hold the answer as received, which may echo
        # the secret (shown by tracebacks that print locals); the message is already scrubbed.
        except BadResponse as exc:
            return exc.with_traceback(None), read_only, None
        except APIError as exc:
            return exc.with_traceback(None), policy_retryable(exc, sending=not read_only), None
        return None, False, answer

    def _check(self, func: str, answer: dict[str, Any]) -> dict[str, Any]:
        """Raise for an error answer or an undocumented Status; pass confirmations."""
        # Scrubbed before lower-casing: a Status echoing the secret must not leak it in any case.
        status = normalize_status(self._scrub(answer.get("Status")))
        logger.debug("%s: Status %r", func, status if status is None else status[:30])
        if is_confirmation(answer, func):
            return answer
        if status == "error":
            raise error_for_answer(self._scrub(answer), func, self._secret.reveal())
        action = ACTIONS.get(func)
        if action is not None:
            allowed = accepted_statuses(action)
            if status not in allowed:
                shown = "null" if status is None else repr(status[:30])
                raise BadResponse(f"{func}: unexpected Status {shown}; expected one of "
                                  f"{sorted(str(s) for s in allowed)}", action=func)
        return answer

    def _adopt_new_secret(self, answer: dict[str, Any]) -> None:
        new = answer.get("Result")
        if not isinstance(new, str) or not new or any(c.isspace() for c in new):
            raise BadResponse("APIChangeSecret: the change was confirmed but Result holds no "
                              "usable secret; the old one may no longer work — read the new "
                              "one in the MioGram web panel", action="APIChangeSecret")
        self._old_secrets.append(self._secret)
        self._secret = _Secret(new)
        logger.info("APIChangeSecret: the client now uses the new secret")

    def _pause(self, func: str, attempt: int, last: MioGramError | None) -> None:
        # Full jitter: a uniform pause up to the doubled bound spreads out retrying clients.
        bound = min(MAX_DELAY, self.backoff * 2 ** (attempt - 1))
        delay = self._rng.uniform(0, bound)
        logger.info("%s: %s; retry %d of %d in %.2f s", func,
                    type(last).__name__ if last is not None else "failure", attempt,
                    self.retries, delay)
        if last is not None:
            logger.debug("%s: retrying after: %s", func, last)
        self._sleep(delay)

    def _log_request(self, func: str, fields: Mapping[str, str], attempt: int) -> None:
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

