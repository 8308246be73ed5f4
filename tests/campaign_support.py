"""Helpers for the campaign tests: frames of numbers, and transports that meddle on cue."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pandas as pd

from miogram_toolkit.campaign import Campaign, CampaignWarning
from miogram_toolkit.client import Client
from miogram_toolkit.client.transport import NotSent, RawResponse, WSGITransport
from miogram_toolkit.simulator import Simulator
from miogram_toolkit.simulator.numbering import on_messenger

#: Campaign options for tests: no pacing, no back-off, short timeouts.
FAST = {"rate_per_minute": None, "backoff": 0.0, "timeout_base": 0.5,
        "timeout_per_number": 0.0}
#: The gateway's pace shrunk for tests: it has finished a request 0.05 s after it left.
GATEWAY = {"gateway_per_number_s": 0.0, "gateway_slack_s": 0.05}


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"+98912{3000000 + start + i}" for i in range(count)]


def frame_of(count: int, start: int = 0) -> pd.DataFrame:
    """A contact frame of ``count`` distinct mobiles, indexed by labels, with a name column."""
    return pd.DataFrame({"mobile": numbers(count, start),
                         "name": [f"N{i}" for i in range(count)]},
                        index=pd.Index([f"r{i}" for i in range(count)], name="id"))


def deliverable(sim: Simulator, number: str) -> bool:
    state = sim.state
    if number in state.reachable:
        return True
    if number in state.unreachable:
        return False
    return on_messenger(number, seed=state.seed, unreachable_share=state.unreachable_share)


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing catches it on the way)."""


class Meddler:
    """A transport over the simulator's WSGI app that lets a test act on chosen requests.

    ``on_send(n, fields)`` is called for the n-th send request (0-based) before it reaches the
    service; it may return an answer dict (the service never sees the request), raise, or
    return None. ``after_send(n, fields)`` runs after the service processed it, before the
    answer is handed back (raise :class:`Crash` there to die with the answer lost).
    """

    def __init__(self, sim: Simulator,
                 on_send: Callable[[int, dict[str, str]], Any] | None = None,
                 after_send: Callable[[int, dict[str, str]], None] | None = None) -> None:
        self.inner = WSGITransport(sim.app, remote_addr="127.0.0.1")
        self.on_send = on_send
        self.after_send = after_send
        self.sends: list[dict[str, str]] = []

    def post(self, url: str, fields: Mapping[str, str], *, headers: Mapping[str, str],
             timeout: float) -> RawResponse:
        form = dict(parse_qsl(urlencode(fields)))
        if not form.get("Func", "").startswith("Send"):
            return self.inner.post(url, fields, headers=headers, timeout=timeout)
        number = len(self.sends)
        self.sends.append(form)
        if self.on_send is not None:
            answer = self.on_send(number, form)
            if answer is not None:
                return RawResponse(200, json.dumps(answer), {"Content-Type": "text/html"})
        raw = self.inner.post(url, fields, headers=headers, timeout=timeout)
        if self.after_send is not None:
            self.after_send(number, form)
        return raw

    def close(self) -> None:
        self.inner.close()


GATEWAY_306 = {"Message": "Error 306 : Low Credit", "Status": "error"}
BAD_NUMBER_307 = {"Result": False, "Status": "error", "Message": "Number Not Exist or Wrong",
                  "Code": "307"}


def refuse_never_sent(number: int, form: dict[str, str]) -> None:
    raise NotSent("simulated: connection refused")


def client_for(sim: Simulator, transport: Any = None, **options: Any) -> Client:
    """A client of ``sim`` (through ``transport`` when given) that never retries by itself."""
    options = {"retries": 0, "backoff": 0.0, **GATEWAY, **options}
    if transport is None:
        return Client.to(sim, **options)
    return Client(sim.secret, base_url=sim.url, transport=transport, **options)


def fault_on_sends(sim: Simulator, faults: dict[int, str]) -> Meddler:
    """A transport that makes the simulator meet ``faults[n]`` on the n-th send request."""

    def queue(number: int, form: dict[str, str]) -> None:
        if number in faults:
            sim.faults.queue(faults[number])

    return Meddler(sim, on_send=queue)


def run(campaign: Campaign) -> tuple[pd.DataFrame, list[str]]:
    """Run a campaign without a bar; its results and the CampaignWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = campaign.run(progress=False)
    return results, [str(w.message) for w in caught if w.category is CampaignWarning]
