"""A local, stateful MioGram service that answers as the real one does — or as the document says.

It speaks two dialects (:mod:`.dialects`; the differences are tabled there and in the README):

* ``reference`` (the default): as the service's own implementation answers
  (``shared/spec/reference-implementation.md``) — the shapes, check order, credit arithmetic,
  byte limits and report log of the code behind ``miogram.net``. Demos, notebooks and
  benchmarks meet what the real service most likely does.
* ``document``: the v1.2 document as the toolkit reads it, with the choices below where the
  document is silent.

Three ways to run the same service:

* in-process: :attr:`Simulator.app` is a WSGI application (mount it in
  :class:`miogram_toolkit.client.transport.WSGITransport`, no socket);
* in a thread: ``with Simulator() as sim:`` serves on a free 127.0.0.1 port (:attr:`~Simulator.url`,
  :attr:`~Simulator.secret`; ``miogram_toolkit.Client.to(sim)`` is a client for it), answering
  only requests addressed to a loopback name;
* as a process: ``python -m miogram_toolkit.simulator --port 8765`` (see ``__main__``).

Example:
    >>> import requests
    >>> with Simulator(seed=7, credits={"Message": 100}) as sim:
    ...     answer = requests.post(sim.url, data={"Secret": sim.secret,
    ...                                           "Func": "APIGetCredits"}).json()
    >>> answer["Status"], answer["Result"]["Message"]
    ('checking', '100')
    >>> with Simulator(seed=7, credits={"Message": 100}, dialect="document") as sim:
    ...     answer = requests.post(sim.url, data={"Secret": sim.secret,
    ...                                           "Func": "APIGetCredits"}).json()
    >>> answer["Result"]["Message"]
    100

Where the document is silent (its "Open points") or leaves a detail open, the ``document``
dialect chooses as follows; each choice is tested in ``tests/test_simulator_*.py``:

1. Error wire format: ``{"Result": false, "Status": "error", "Message": "<text>"}`` with the
   table's text without its ``*``; no numeric code unless ``error_codes=True`` adds ``"Code"``.
   HTTP status is 200 for every MioGram answer, errors included.
2. 407/409 are confirmations: ``APIChangeSecret`` answers ``Status: "success"``, the new secret
   in ``Result`` and ``Message: "Secret Changed"``; ``APISetIP`` answers ``"success"``, the
   allow-list now and ``Message: "Allow IP Sets"``.
3. ``APIisSuper`` is the action's name; the document's ``APlisSuper`` is accepted too.
4. Report records (``APIGetReport``, newest first, one per number per send attempt): ``Id``
   (increasing int), ``Time`` (ISO-8601 UTC, ``…Z``), ``Func``, ``Phone`` (as sent), ``Robot``,
   ``Channel`` (``telegram``/``whatsapp``), ``Kind`` (credit kind), ``Delivered`` (bool),
   ``Charged`` (0/1), ``Message`` (text; ``lat,long`` or ``Name,Phone`` for location and
   contact; null for files), ``File`` (``<sha1-8>.<ext>`` or null), ``Reason`` (null,
   ``not_on_messenger``, ``blocked``, ``invalid_number``). No records → ``[]``.
   Misc must be ``1``..``999``: anything else → 812, empty → 330.
5. Mass result keys are every number exactly as sent (``+`` kept, spaces kept); a number not
   in international form (``+`` then 8–15 ASCII digits) is false there. A number repeated in
   one request is sent and charged each time; the map holds it once.
6. Credit: "0 or 1 means used up", so a kind at 1 or less → 305 No Credit. A request may
   deliver at most ``credit − 1`` messages: a Mass request with more well-formed numbers than
   that → 306 Low Credit, nothing sent, nothing charged. Only deliveries are charged.
7. Rates: no request-rate or per-agent limit. A request's ``Phone`` holds at most 1,000
   numbers, its body at most room for the largest legal file; beyond either → 812.
8. Getters answer ``Status: null`` (JSON null, not the string ``"NULL"``).

Further choices: several numbers (or anything but one international number) to a one-number
action → 307; message length is counted in characters (code points) of the UTF-8 text; Data is
strict base64 (line breaks allowed; a space — an unescaped ``+`` — is not) → 400, decoded size
over limit·1024·1024 → 303; ``API…`` actions ignore ``Robot`` and work without agents; the
inactive account answers 826 to everything but ``APIGetActive`` (``"0"``); the order of checks
is documented in :mod:`.actions`; non-POST → 812; paths other than ``/dojob.php`` → HTTP 404
with the 812 JSON. WhatsApp sends answer true for every well-formed number, are charged and
logged as delivered. Which numbers are on the messenger: ``sha256(seed|digits)`` against
``unreachable_share`` (default 10%), overridable per number. In both dialects, a send may pause
``per_number_s`` per number before it answers (the gateway's pace; WhatsApp excepted), and a
``GetHistory`` one ``per_number_s`` (the gateway asks its Telegram client).

Real traffic, as the implementation meets it (README "Real traffic"): the ``reference`` report
is the account's first 1000 rows forever (``log_rows=1000`` starts an account in use); a send
whose gateway time passes ``gateway_timeout_s`` is answered 999 while its numbers go out,
uncharged and unlogged; the log keeps what MySQL reads of an unescaped ``INSERT``
(:mod:`.logtext`); each agent has its own chats, read as telegram-cli objects (:mod:`.chatlog`),
where recipients may answer (``replies=``, :mod:`.replies`); ``clock_offset_s`` gives the
service a clock of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from miogram_toolkit.simulator.app import INSPECT_PATH, SERVICE_PATH, SimulatorApp
from miogram_toolkit.simulator.dialects import DIALECTS
from miogram_toolkit.simulator.faults import FAULT_KINDS, FaultPlan
from miogram_toolkit.simulator.replies import DEFAULT_RATE
from miogram_toolkit.simulator.server import SimulatorServer
from miogram_toolkit.simulator.state import State

__all__ = ["DIALECTS", "FAULT_KINDS", "INSPECT_PATH", "SERVICE_PATH", "FaultPlan", "Simulator",
           "SimulatorApp", "State"]

#: What :attr:`Simulator.url` shows before the server starts (in-process use only).
# Port 0 can never be connected to: a stray real request fails instead of reaching anything.
IN_PROCESS_URL = "http://127.0.0.1:0" + SERVICE_PATH


class Simulator:
    """A simulated MioGram service: state, WSGI app, and an optional loopback server.

    Args:
        secret: the account's secret (random when omitted; a state file's own secret wins).
        host: a loopback address to listen on.
        port: the port (0 = a free one).
        state_file: persist the state in this SQLite file (loaded when it exists).
        latency_ms: a pause before each service request is processed.
        fault_rate: the share of service requests that meet a fault (0..1).
        faults: the fault kinds to draw from (names or a comma-separated string).
        seed: decides deliverable numbers and the fault sequence.
        inspect: serve ``GET /_simulator/state`` (off by default: it lists every number
            delivered to; :meth:`inspect` answers the same from Python either way).
        late_answer_s: how long a ``late_answer`` fault holds the answer.
        error_codes: add ``"Code"`` to error answers (``document``; ``reference`` always has
            its own string codes).
        dialect: ``"reference"`` (default: the service's own implementation) or
            ``"document"``.
        per_number_s: a send's pause per number before it answers (the gateway's pace).
        gateway_timeout_s: how long the endpoint waits for its gateway (``reference``): a send
            whose numbers × ``per_number_s`` pass it is answered ``999 No Response From
            Server`` after this long, its numbers sent all the same, uncharged and unlogged.
        clock_offset_s: the service's clock runs this many seconds ahead of ours (negative:
            behind): its ``Date`` header, report DATE/TIME and chat dates.
        log_rows: a new account's report log starts with this many old rows (an account in
            use: with 1000, the ``reference`` report never shows a new send).
        replies: recipients answer (:mod:`.replies`): True for a share of 0.25, or the share.
        start: start the loopback server now (False: in-process use, or :meth:`start` later).
        **account: passed to :class:`~.state.State` — ``active``, ``allowed_ips``,
            ``username``, ``ads``, ``is_super``, ``can_get``, ``agents``, ``limits``,
            ``credits``, ``unreachable_share``, ``on_messenger``, ``not_on_messenger``,
            ``blocked``.

    Example:
        >>> sim = Simulator(start=False, agents=[])
        >>> sim.app is sim.app, sim.running
        (True, False)
    """

    def __init__(self, *, secret: str | None = None, host: str = "127.0.0.1", port: int = 0,
                 state_file: str | os.PathLike[str] | None = None, latency_ms: float = 0.0,
                 fault_rate: float = 0.0, faults: str | Iterable[str] = FAULT_KINDS,
                 seed: int = 0, inspect: bool = False, late_answer_s: float = 35.0,
                 error_codes: bool = False, dialect: str = "reference",
                 per_number_s: float = 0.0, gateway_timeout_s: float = 60.0,
                 clock_offset_s: float = 0.0, log_rows: int = 0, replies: bool | float = False,
                 start: bool = True, **account: Any) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, got {dialect!r}")
        if not (isinstance(log_rows, int) and log_rows >= 0):
            raise ValueError(f"log_rows must be a whole number of rows, 0 or more, "
                             f"got {log_rows!r}")
        rate = DEFAULT_RATE if replies is True else float(replies)
        options = {"secret": secret, "seed": seed, "reply_rate": rate, **account}
        self.state = State.load(state_file, **options) if state_file else State(**options)
        if replies is not False and self.state.reply_rate != rate:
            with self.state.edit() as state:  # asked for now: wins over a state file's
                state.reply_rate = rate
        self.faults = FaultPlan(fault_rate, faults, seed=seed, late_answer_s=late_answer_s)
        self.app = SimulatorApp(self.state, self.faults, inspect=inspect,
                                latency_ms=latency_ms, error_codes=error_codes,
                                dialect=dialect, per_number_s=per_number_s,
                                gateway_timeout_s=gateway_timeout_s,
                                clock_offset_s=clock_offset_s)
        if log_rows and self.state.report_count() == 0:
            # Only a new log: a state file that already holds rows keeps its own.
            self.state.prefill_log(self.app.dialect.old_rows(self.state, log_rows,
                                                             self.app.now()))
        self.dialect = dialect
        self._server = SimulatorServer(self.app, host=host, port=port)
        if start:
            self.start()

    # -- running -----------------------------------------------------------------------------

    def start(self) -> Simulator:
        """Serve on the loopback port from a background thread (no-op when serving)."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop the server and close its connections (no-op when stopped)."""
        self._server.stop()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True while the loopback server is serving."""
        return self._server.running

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/dojob.php`` (a placeholder while not serving)."""
        return self._server.url if self.running else IN_PROCESS_URL

    @property
    def inspect_url(self) -> str:
        """The inspection endpoint's address (``GET``)."""
        return self.url.removesuffix(SERVICE_PATH) + INSPECT_PATH

    @property
    def secret(self) -> str:
        """The account's current secret (``APIChangeSecret`` changes it)."""
        return self.state.secret

    # -- inspection --------------------------------------------------------------------------

    def inspect(self) -> dict[str, Any]:
        """What ``GET /_simulator/state`` answers: credits, counts, deliveries per number."""
        return self.state.inspect()

    def deliveries(self, number: str) -> int:
        """How many messages were delivered to ``number`` (as sent)."""
        return self.state.delivered_to(number)

    def reports(self) -> list[dict[str, Any]]:
        """Every report record, oldest first (copies)."""
        return list(self.state.iter_reports())

    def credits(self) -> dict[str, int]:
        """The remaining credit of each kind."""
        with self.state.lock:
            return dict(self.state.credits)

    def set_credits(self, **kinds: int) -> None:
        """Set credit kinds from Python (outside the service), e.g. ``set_credits(Message=0)``."""
        with self.state.edit() as state:
            for kind, value in kinds.items():
                if kind not in state.credits:
                    raise ValueError(f"unknown credit kind {kind!r}")
                state.credits[kind] = int(value)

    def __repr__(self) -> str:
        where = self.url if self.running else "in-process"
        return f"Simulator({where}, dialect={self.dialect!r}, faults={self.faults!r})"
