"""The MioGram client: validate locally, POST through one transport, decode, raise.

:class:`Client` has one method per action of the catalogue (written in
:mod:`miogram_toolkit.client.actions`, checked against the catalogue by the tests) and a generic
:meth:`Client.call`.

What is retried (exponential backoff, full jitter, ``sleep`` injectable) is decided by the error
policy of :mod:`~miogram_toolkit.protocol.errors`: a request that never left, for any action; for
a read also 999/813/814, no answer and a malformed answer. **A send is never repeated once it may
have reached the service**: a 999 comes while the gateway goes on sending, a proxy's 502/504 page
may stand in front of a request still running. Those raise an error whose
:func:`~miogram_toolkit.protocol.errors.send_outcome` is ``"unknown"``; the campaign settles it
from evidence. Per call, ``timeout=`` and ``retries=`` override the client's settings
(:mod:`~miogram_toolkit.client.policy`), and ``client.answer_deadline(n)``,
``client.gateway_done_after(n)`` and ``client.retry_delay(k)`` answer the timing questions.

What the client learns from answers: :attr:`Client.dialect` (``"reference"`` when the getters
answer without ``Status``, as the service's implementation does; ``"document"`` when they carry
one) and :attr:`Client.clock_offset` (the service's clock minus ours, in seconds, from the
answers' ``Date`` header; None until seen).

Answers are read in either dialect (:mod:`miogram_toolkit.protocol.dialects`). Whatever fails
while an answer is read is a :class:`~miogram_toolkit.protocol.errors.BadResponse`: every failure
of a client call is a :class:`~miogram_toolkit.protocol.errors.MioGramError`. A refused
connection, a host that does not resolve, a URL that is not the endpoint and a wrong secret each
raise their own class (``ConnectionRefused``, ``HostNotFound``, ``WrongAddress``,
``WrongSecret``), with a sentence that says what to check.

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
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

from miogram_toolkit.client import policy
from miogram_toolkit.client.actions import ActionMethods
from miogram_toolkit.client.classify import connect_error, log_request
from miogram_toolkit.client.requests_transport import RequestsTransport
from miogram_toolkit.client.seam import BadAnswer, NoAnswer, NotSent, RawResponse, Transport
from miogram_toolkit.client.settings import Secret, check_base_url
from miogram_toolkit.client.wsgi_transport import WSGITransport
from miogram_toolkit.protocol.catalogue import ACTIONS, FIELDS
from miogram_toolkit.protocol.decode import normalize_status, parse_answer, reading
from miogram_toolkit.protocol.dialects import accepted_statuses
from miogram_toolkit.protocol.encode import mask_userinfo, robot_field, text_token
from miogram_toolkit.protocol.error_answers import error_for_answer, is_confirmation, redact
from miogram_toolkit.protocol.errors import (
    BadResponse,
    DeliveryUnknown,
    MioGramError,
    ResponseTimeout,
    retryable,
)
from miogram_toolkit.version import __version__

__all__ = ["DEFAULT_URL", "Client"]

logger = logging.getLogger("miogram_toolkit.client.core")

DEFAULT_URL = "https://miogram.net/dojob.php"

#: Kept here for callers that imported them from the client; the policy module owns them.
MAX_DELAY = policy.MAX_DELAY
PER_NUMBER_TIMEOUT = policy.PER_NUMBER_TIMEOUT

# Getters whose answers tell the dialect: the implementation's carry no Status, the document's do.
_TELLING_GETTERS = frozenset({"APIGetActive", "APIGetUsername", "APIGetRobot", "APIisSuper",
                              "APIcanGet", "APIGetAds", "APIGetIP", "APIGetReport"})


class Client(ActionMethods):
    """A client for the MioGram web service v1.2.

    Args:
        secret: the account's secret; when None, ``MIOGRAM_SECRET`` is read.
        base_url: the service endpoint; must be https unless the host is loopback.
        robot: the default agent for agent actions (each method takes ``robot=`` to override).
        timeout: seconds one attempt may take in all: connecting, sending and the whole answer
            (a read's deadline; a send's is :meth:`answer_deadline`).
        per_number_timeout: seconds a send's allowance grows per number it names.
        retries: how many times a safely repeatable failure is retried (0 = never).
        backoff: the first pause's upper bound in seconds; it doubles on each retry, up to
            30 s (:meth:`retry_delay`).
        gateway_wait_s: how long the endpoint waits for its gateway before answering 999 (PHP's
            default 60 s): a send never waits longer than ``timeout`` + this.
        gateway_per_number_s: the gateway's pace, seconds per number (the vendor's 1 s).
        gateway_slack_s: room after ``numbers × pace`` (:meth:`gateway_done_after`); tests
            shrink both.
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
                 rng: random.Random | None = None,
                 gateway_wait_s: float = policy.GATEWAY_WAIT_S,
                 gateway_per_number_s: float = policy.GATEWAY_PER_NUMBER_S,
                 gateway_slack_s: float = policy.GATEWAY_SLACK_S) -> None:
        if secret is None:
            secret = os.environ.get("MIOGRAM_SECRET") or None
        if secret is None:
            raise ValueError("secret: none given and MIOGRAM_SECRET is not set; pass secret= "
                             "or set the MIOGRAM_SECRET environment variable")
        if not isinstance(secret, str) or not secret or any(c.isspace() for c in secret):
            # Never echo the value: it is the secret, however malformed.
            raise ValueError("secret: must be non-empty text without spaces")
        policy.check_retries(retries)
        policy.check_timeout(timeout)
        if not (gateway_per_number_s >= 0 and gateway_slack_s >= 0 and gateway_wait_s >= 0):
            raise ValueError("gateway_wait_s, gateway_per_number_s, gateway_slack_s: must be 0 "
                             "or more seconds")
        if not backoff >= 0:
            raise ValueError(f"backoff: must be 0 or more seconds, got {backoff!r}")
        if not per_number_timeout >= 0:
            raise ValueError(f"per_number_timeout: must be 0 or more seconds, got "
                             f"{per_number_timeout!r}")
        self._secret = Secret(secret)
        self._old_secrets: list[Secret] = []
        self.base_url = check_base_url(base_url)
        self.robot = robot_field(robot) if robot is not None else None
        self.timeout = float(timeout)
        self.per_number_timeout = float(per_number_timeout)
        self.retries = retries
        self.backoff = float(backoff)
        self.gateway_wait_s = float(gateway_wait_s)
        self.gateway_per_number_s = float(gateway_per_number_s)
        self.gateway_slack_s = float(gateway_slack_s)
        #: The dialect the service answers in, once a getter told it (see the module docstring).
        self.dialect: str | None = None
        #: The service's clock minus ours, in seconds, from the answers' Date header.
        self.clock_offset: float | None = None
        self._clock_rtt = float("inf")
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
        """Remove the secret (current and replaced ones, raw and URL-encoded) from ``value``,
        and any password of a URL from a text."""
        for holder in (self._secret, *self._old_secrets):
            raw = holder.reveal()
            for variant in {raw, quote_plus(raw), quote(raw, safe="")}:
                value = redact(value, variant)
        return mask_userinfo(value) if isinstance(value, str) else value

    # -- the request -------------------------------------------------------------------------

    def call(self, func: str, *, timeout: float | None = None, retries: int | None = None,
             **fields: str) -> dict[str, Any]:
        """Run any action by its ``Func`` name with fields named as the document spells them.

        Returns the decoded answer object. Status "error" raises; 407/409 confirmations of
        ``APIChangeSecret``/``APISetIP`` do not. The client's default ``Robot`` is added to agent
        actions unless given. ``timeout``/``retries`` override the client's for this call.

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
        return self._request(func, dict(fields), robot=robot, timeout=timeout, retries=retries)

    def _request(self, func: str, fields: dict[str, str], *, robot: str | None = None,
                 timeout: float | None = None, retries: int | None = None) -> dict[str, Any]:
        """POST one action with retries; return the answer object (Status already checked)."""
        options = policy.current_options()
        timeout = options.get("timeout") if timeout is None else timeout
        retries = options.get("retries", self.retries) if retries is None else retries
        policy.check_retries(retries)
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
        wait = self.answer_deadline(numbers) if timeout is None else policy.check_timeout(timeout)
        last: MioGramError | None = None
        for attempt in range(retries + 1):
            if attempt:
                self._pause(func, attempt, retries, last)
            form = {"Secret": self._secret.reveal(), "Func": func, **fields}
            log_request(logger, func, fields, attempt)
            failure, answer = self._attempt(func, form, read_only, wait)
            if failure is None:
                assert answer is not None
                if func == "APIChangeSecret":
                    self._adopt_new_secret(answer)
                return answer
            if not retryable(failure, sending=not read_only) or attempt == retries:
                raise failure
            last = failure
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def answer_deadline(self, numbers: int = 0) -> float:
        """Seconds after a request naming ``numbers`` numbers left by which its answer must come.

        A read: ``timeout``. A send: ``timeout + per_number_timeout × numbers`` (the gateway's
        pace), but at most ``timeout + gateway_wait_s``: the endpoint waits 60 s for its gateway
        and then answers 999, so an answer later than that is not coming.

        Example:
            >>> Client("x32nv86ss5z", timeout=30, per_number_timeout=1.5).answer_deadline(100)
            90.0
            >>> Client("x32nv86ss5z").answer_deadline(0), Client("x32nv86ss5z").answer_deadline(4)
            (30.0, 36.0)
        """
        if numbers <= 0:
            return self.timeout
        return policy.send_deadline(numbers, timeout=self.timeout,
                                    per_number_timeout=self.per_number_timeout,
                                    gateway_wait_s=self.gateway_wait_s)

    #: The same question under its earlier name.
    read_timeout = answer_deadline

    def gateway_done_after(self, numbers: int) -> float:
        """Seconds after a send of ``numbers`` numbers left by which the gateway has finished.

        ``numbers × gateway_per_number_s + gateway_slack_s``: answered or not (a 999, a lost
        answer), the gateway sends one number at a time and is done by then.

        Example:
            >>> Client("x32nv86ss5z").gateway_done_after(40)
            55.0
        """
        return policy.gateway_done(numbers, per_number_s=self.gateway_per_number_s,
                                   slack_s=self.gateway_slack_s)

    def retry_delay(self, attempt: int) -> float:
        """The longest pause before retry ``attempt`` (1 = first): ``backoff`` doubled, ≤ 30 s.

        Example:
            >>> [Client("x32nv86ss5z", backoff=2).retry_delay(k) for k in (1, 2, 6)]
            [2.0, 4.0, 30.0]
        """
        return policy.retry_delay(attempt, self.backoff)

    def _learn_dialect(self) -> str:
        """The service's dialect, asking one cheap getter when no answer told it yet."""
        if self.dialect is None:
            self.get_active()
        return self.dialect or "reference"

    def _attempt(self, func: str, form: dict[str, str], read_only: bool, timeout: float
                 ) -> tuple[MioGramError | None, dict[str, Any] | None]:
        """One POST: (failure, answer)."""
        started, sent_at = time.monotonic(), time.time()
        failure: MioGramError | None = None
        try:
            raw = self._transport.post(self.base_url, form, headers=self._headers,
                                       timeout=timeout)
        except NotSent as exc:
            failure = connect_error(func, exc, self.base_url, self._scrub(str(exc)))
        except NoAnswer as exc:
            why = self._scrub(str(exc))
            if read_only:
                failure = ResponseTimeout(f"{func}: no answer came ({why})", action=func)
            else:
                failure = DeliveryUnknown(
                    f"{func}: the request left but no answer came ({why}); it may have taken "
                    "effect, so it is not repeated — check for evidence before sending again",
                    action=func)
        except BadAnswer as exc:  # a redirect or an oversized body: not an answer to read
            failure = BadResponse(f"{func}: {self._scrub(str(exc))}", action=func,
                                  http_status=exc.status_code)
        if failure is not None:
            logger.debug("%s: %s after %.3f s", func, type(failure).__name__,
                         time.monotonic() - started)
            return failure, None
        logger.debug("%s: HTTP %d, %d chars in %.3f s", func, raw.status_code, len(raw.text),
                     time.monotonic() - started)
        self._observe_clock(raw, sent_at, time.time())
        try:
            answer = reading(func, lambda: self._check(
                func, parse_answer(raw, func, self._scrub)), self._scrub, raw.text)
        # Frames left out of the error: their locals hold the answer as received, which may echo
        # the secret (shown by tracebacks that print locals); the message is already scrubbed.
        except MioGramError as exc:
            return exc.with_traceback(None), None
        return None, answer

    def _observe_clock(self, raw: RawResponse, sent_at: float, received_at: float) -> None:
        # The quickest answer's Date gives the closest estimate of the service's clock (a
        # slower one's is not even read).
        if received_at - sent_at > self._clock_rtt:
            return
        offset = policy.clock_offset(raw.headers, sent_at, received_at)
        if offset is not None:
            self._clock_rtt = max(0.0, received_at - sent_at)
            self.clock_offset = offset

    def _check(self, func: str, answer: dict[str, Any]) -> dict[str, Any]:
        """Raise for an error answer or an undocumented Status; pass confirmations."""
        # Scrubbed before lower-casing: a Status echoing the secret must not leak it in any case.
        status = normalize_status(self._scrub(answer.get("Status")))
        logger.debug("%s: Status %r", func, status if status is None else status[:30])
        if is_confirmation(answer, func):
            return answer
        if status == "error":
            raise error_for_answer(self._scrub(answer), func, self._secret.reveal())
        if func in _TELLING_GETTERS:
            self.dialect = "document" if "Status" in answer else "reference"
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
        self._secret = Secret(new)
        logger.info("APIChangeSecret: the client now uses the new secret")

    def _pause(self, func: str, attempt: int, retries: int, last: MioGramError | None) -> None:
        # Full jitter: a uniform pause up to the doubled bound spreads out retrying clients.
        delay = self._rng.uniform(0, self.retry_delay(attempt))
        logger.info("%s: %s; retry %d of %d in %.2f s", func,
                    type(last).__name__ if last is not None else "failure", attempt,
                    retries, delay)
        if last is not None:
            logger.debug("%s: retrying after: %s", func, last)
        self._sleep(delay)

