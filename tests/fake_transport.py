"""A scripted transport for client tests: records every POST, answers from a queue."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from miogram_toolkit.client.transport import RawResponse

SECRET = "x32nv86ss5z"
LOCAL_URL = "http://127.0.0.1:8765/dojob.php"


@dataclass
class Sent:
    url: str
    fields: dict[str, str]
    headers: dict[str, str]
    timeout: float


class FakeTransport:
    """Answers each POST with the next scripted item.

    An item is a dict (sent as JSON with HTTP 200), a str (the raw body, HTTP 200), a
    RawResponse, or an exception instance (raised).
    """

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.sent: list[Sent] = []
        self.closed = False

    def post(self, url: str, fields: Mapping[str, str], *, headers: Mapping[str, str],
             timeout: float) -> RawResponse:
        self.sent.append(Sent(url, dict(fields), dict(headers), timeout))
        if not self.answers:
            raise AssertionError("FakeTransport: no answer scripted for this request")
        item = self.answers.pop(0)
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, RawResponse):
            return item
        if isinstance(item, str):
            return RawResponse(200, item, {"Content-Type": "text/html"})
        return RawResponse(200, json.dumps(item), {"Content-Type": "application/json"})

    def close(self) -> None:
        self.closed = True

    @property
    def fields(self) -> dict[str, str]:
        """The fields of the only request sent."""
        assert len(self.sent) == 1, f"expected one request, got {len(self.sent)}"
        return self.sent[0].fields


class Sleeps(list):
    """An injectable ``sleep`` that records the pauses instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class MaxJitter:
    """A random source whose jitter is always the upper bound (so pauses are predictable)."""

    def uniform(self, low: float, high: float) -> float:
        return high


def make_client(*answers: Any, **kwargs: Any):
    """A client over a FakeTransport; returns ``(client, transport, sleeps)``."""
    from miogram_toolkit.client.core import Client

    transport = FakeTransport(*answers)
    sleeps = Sleeps()
    kwargs.setdefault("base_url", LOCAL_URL)
    kwargs.setdefault("rng", MaxJitter())
    client = Client(SECRET, transport=transport, sleep=sleeps, **kwargs)
    return client, transport, sleeps
