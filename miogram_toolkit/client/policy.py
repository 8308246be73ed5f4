"""The client's request policy in one place: pauses between tries, deadlines, per-call overrides.

Callers never re-derive these: the campaign asks the client (``client.retry_delay(n)``,
``client.answer_deadline(numbers)``, ``client.gateway_done_after(numbers)``) and passes
``timeout=``/``retries=`` to one call instead of changing the client.

The times, from the service's own implementation (``reference-implementation.md``)::

    request leaves ──► dojob.php forwards it to the agent's gateway and waits, at most
                       GATEWAY_WAIT_S (PHP's default socket timeout, 60 s), then answers 999
                       ──► the gateway goes on: about 1 s a number (gateway_per_number_s)

    answer_deadline(n)     the answer must have come by then: the client's timeout (slack
                           for the network) + per_number_timeout × n, but never more than the
                           endpoint's wait: timeout + min(per_number_timeout × n, 60 s)
    gateway_done_after(n)  the gateway must have finished sending by then, answered or not:
                           n × gateway_per_number_s + gateway_slack_s

Example:
    >>> [retry_delay(n, 0.5) for n in (1, 2, 3, 10)]
    [0.5, 1.0, 2.0, 30.0]
    >>> send_deadline(10, timeout=30, per_number_timeout=1.5)
    45.0
    >>> send_deadline(100, timeout=30, per_number_timeout=1.5)   # the endpoint gives up at 60 s
    90.0
    >>> gateway_done(40, per_number_s=1.0, slack_s=15.0)
    55.0
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, TypedDict, TypeVar

__all__ = ["GATEWAY_PER_NUMBER_S", "GATEWAY_SLACK_S", "GATEWAY_WAIT_S",
           "MAX_DELAY", "PER_NUMBER_TIMEOUT", "CallOptions", "check_retries", "check_timeout",
           "clock_offset", "current_options", "gateway_done", "retry_delay", "send_deadline",
           "with_options"]

#: The longest single pause between two attempts, whatever the back-off and the attempt number.
MAX_DELAY = 30.0

#: Seconds a send's read timeout grows per number: the service's gateway pauses about 1 s per
#: number it sends to; half a second more leaves room for the messenger itself.
PER_NUMBER_TIMEOUT = 1.5

#: How long the public endpoint waits for its gateway before answering 999 (PHP's
#: ``default_socket_timeout``).
GATEWAY_WAIT_S = 60.0

#: The vendor's pace: seconds the gateway spends per number (its ``sleep(1)``).
GATEWAY_PER_NUMBER_S = 1.0

#: Room beyond ``numbers × pace`` for the gateway to finish its last number.
GATEWAY_SLACK_S = 15.0


def retry_delay(attempt: int, backoff: float) -> float:
    """The longest pause before retry number ``attempt`` (1 = the first retry).

    The pause doubles from ``backoff`` and never exceeds :data:`MAX_DELAY`; the client waits a
    uniformly random part of it (full jitter), so this is also the most it waits.

    Example:
        >>> retry_delay(1, 2.0), retry_delay(5, 2.0), retry_delay(0, 2.0)
        (2.0, 30.0, 0.0)
    """
    if attempt < 1:
        return 0.0
    return min(MAX_DELAY, backoff * 2.0 ** min(attempt - 1, 64))


def send_deadline(numbers: int, *, timeout: float, per_number_timeout: float,
                  gateway_wait_s: float = GATEWAY_WAIT_S) -> float:
    """Seconds after a send of ``numbers`` numbers left by which its answer must have come.

    The gateway needs about a second per number, and the endpoint answers (999) once it has
    waited ``gateway_wait_s`` for it; ``timeout`` is the slack for everything else.

    Example:
        >>> send_deadline(1, timeout=30, per_number_timeout=1.5)
        31.5
    """
    return timeout + min(per_number_timeout * max(0, numbers), gateway_wait_s)


def gateway_done(numbers: int, *, per_number_s: float, slack_s: float) -> float:
    """Seconds after a request left by which the gateway must have finished sending it.

    Example:
        >>> gateway_done(3, per_number_s=0.01, slack_s=0.1)
        0.13
    """
    return round(max(0, numbers) * per_number_s + slack_s, 6)


def clock_offset(headers: Mapping[str, str], sent_at: float, received_at: float) -> float | None:
    """The service's clock minus ours (seconds) from an answer's ``Date``; None without one.

    ``Date`` has whole seconds, so the service's instant is taken half a second after it, and
    ours as the middle of the exchange.

    Example:
        >>> clock_offset({"date": "Mon, 07 Dec 2026 17:00:10 GMT"}, 1796662800.0, 1796662800.2)
        10.4
    """
    stamp = next((v for k, v in headers.items() if k.lower() == "date"), None)
    if not stamp:
        return None
    try:
        served = parsedate_to_datetime(stamp).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return round(served + 0.5 - (sent_at + received_at) / 2, 6)


class CallOptions(TypedDict, total=False):
    """Per-call overrides every action method and :meth:`Client.call` take.

    Attributes:
        timeout: seconds one attempt of this call may take (instead of the client's deadline).
        retries: how many times this call retries what is safe to retry (instead of the
            client's ``retries``).
    """

    timeout: float
    retries: int


_OPTIONS: contextvars.ContextVar[CallOptions | None] = contextvars.ContextVar(
    "miogram_call_options", default=None)

F = TypeVar("F", bound=Callable[..., Any])


def current_options() -> CallOptions:
    """The overrides of the action method running in this thread (empty outside one)."""
    return _OPTIONS.get() or {}


def with_options(method: F) -> F:
    """Give an action method the ``timeout=``/``retries=`` keywords of :class:`CallOptions`.

    The overrides hold for the requests the method makes, in this thread only (campaign
    lanes share one client across threads).
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, timeout: float | None = None, retries: int | None = None,
                **kwargs: Any) -> Any:
        if timeout is None and retries is None:
            return method(self, *args, **kwargs)
        options: CallOptions = {}
        if timeout is not None:
            options["timeout"] = timeout
        if retries is not None:
            options["retries"] = retries
        token = _OPTIONS.set(options)
        try:
            return method(self, *args, **kwargs)
        finally:
            _OPTIONS.reset(token)

    return wrapper  # type: ignore[return-value]


def check_retries(retries: object) -> int:
    """``retries`` when it is an int of 0 or more, else a ValueError naming it."""
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries: must be an int of 0 or more, got {retries!r}")
    return retries


def check_timeout(timeout: object) -> float:
    """``timeout`` as a float when it is a number above 0, else a ValueError naming it."""
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout: must be more than 0 seconds, got {timeout!r}")
    return float(timeout)
