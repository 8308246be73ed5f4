"""Helpers for the simulator tests: hand-fixed numbers and a raw-HTTP poster."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import requests

from miogram_toolkit.simulator import Simulator

# Numbers whose fate the tests fix by hand, whatever the seed says.
ON = "+989120000001"  # on the messenger
ON2 = "+989120000002"  # on the messenger
ON3 = "+989120000003"  # on the messenger
OFF = "+989120000009"  # not on the messenger
SIM_NUMBERS = {"on_messenger": [ON, ON2, ON3], "not_on_messenger": [OFF]}

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(200))).decode("ascii")

Post = Callable[..., dict[str, Any]]


def make_sim(**options: Any) -> Simulator:
    """A serving simulator with the hand-fixed numbers (options override the defaults).

    The raw-HTTP simulator suites check the ``document`` dialect's choices, so that is the
    default here (with the inspection endpoint on, which a plain ``Simulator`` leaves off);
    the ``reference`` dialect has its own suite, and the client suites run against both.
    """
    return Simulator(**{"seed": 7, "dialect": "document", "inspect": True, **SIM_NUMBERS,
                        **options})


def poster(sim: Simulator, session: requests.Session | None = None) -> Post:
    """POST spec fields as a plain form (Secret defaults to the simulator's), answer as JSON."""
    http = session or requests.Session()

    def post(func: str, **fields: str) -> dict[str, Any]:
        data = {"Secret": sim.secret, "Func": func, **fields}
        response = http.post(sim.url, data=data, timeout=10)
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert isinstance(body, dict)
        return body

    return post
