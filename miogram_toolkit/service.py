"""Choosing the service: the one place that decides between the real MioGram and a simulator.

Every door (the ``miogram`` command, the demo, the dashboard, the notebooks) calls
:func:`connect`, and says first which service it uses (``announce=``)::

    live=True and MIOGRAM_URL set ──► the service at MIOGRAM_URL, with MIOGRAM_SECRET
          │                             "Using the MioGram service at <url> as <username>"
          │ otherwise
          ├─ shared=True ──► the built-in simulator whose state outlives the command
          │                  (local.data_path("simulator")/state.sqlite, one command at a time)
          │                  "Using the built-in simulator (its state: <path>)"
          └─ otherwise ────► a fresh simulator, gone with the block (demos, notebooks, tests)
                             "Using a fresh built-in simulator (nothing leaves this machine)"

The toolkit cannot tell what answers at ``MIOGRAM_URL`` (even on this machine), so whenever it
is set and ``live`` is asked for, it is treated as the real service.

Example:
    >>> from miogram_toolkit.service import connect
    >>> with connect(seed=7, credits={"Message": 500}) as client:
    ...     client.get_credits()["Message"]
    500
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from miogram_toolkit.client import Client
from miogram_toolkit.local import InputError, LockBusy, LockFile, data_path
from miogram_toolkit.protocol.errors import APIError, AuthError
from miogram_toolkit.simulator import Simulator

__all__ = ["BUILT_IN_USER", "FRESH_SIMULATOR", "SimulatorBusy", "connect",
           "live_service_configured", "service_url", "shared_simulator_options",
           "shared_simulator_state", "simulator_lock"]

#: What a door that uses a fresh simulator of its own says first.
FRESH_SIMULATOR = "Using a fresh built-in simulator (nothing leaves this machine)."

#: The user name of the built-in simulator's account (the one the ``miogram`` commands share).
BUILT_IN_USER = "simulator"

Announce = Callable[[str], Any]


class SimulatorBusy(LockBusy):
    """Another command is using the built-in simulator's state."""


def live_service_configured() -> bool:
    """True when ``MIOGRAM_URL`` names a service to use instead of the simulator."""
    return bool(os.environ.get("MIOGRAM_URL", "").strip())


def service_url() -> str:
    """``MIOGRAM_URL`` as it may be shown: without a user name or password in it.

    Example:
        >>> import os; os.environ["MIOGRAM_URL"] = "https://ana:hunter2@miogram.net/dojob.php"
        >>> service_url()
        'https://miogram.net/dojob.php'
        >>> del os.environ["MIOGRAM_URL"]
    """
    url = os.environ.get("MIOGRAM_URL", "").strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        if parts.port is not None:
            netloc += f":{parts.port}"
    except ValueError:  # not a URL at all: show what is safe of it
        return url.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) if netloc else url


def shared_simulator_options() -> dict[str, Any]:
    """How the built-in simulator's account is made the first time: its own user name (so its
    ledger is never that of a demo's or a notebook's fresh simulator, whose user is ``demo``),
    and recipients who answer (so ``miogram replies`` has something to read)."""
    return {"username": BUILT_IN_USER, "replies": True}


def shared_simulator_state() -> Path:
    """The built-in simulator's state file for the ``miogram`` commands (in the data folder)."""
    return data_path("simulator") / "state.sqlite"


@contextmanager
def connect(*, live: bool = False, shared: bool = False, announce: Announce | None = None,
            **simulator_options: Any) -> Iterator[Client]:
    """Yield a client for the real service or a simulator; say which through ``announce``.

    Args:
        live: use the service named by ``MIOGRAM_URL`` when it is set (``MIOGRAM_SECRET`` is
            then required).
        shared: without a live service, use the built-in simulator whose state is kept in the
            user data folder (:func:`shared_simulator_state`), held by this block alone; else a
            fresh simulator is started and stopped around the block.
        announce: called once, before anything else is asked, with the sentence that says
            which service this is (e.g. ``print``); None: say nothing (and, for the real
            service, ask nothing more than the caller does).
        **simulator_options: passed to :class:`miogram_toolkit.simulator.Simulator`.

    Yields:
        A ready :class:`miogram_toolkit.client.Client`, closed when the block ends.

    Raises:
        InputError: ``MIOGRAM_URL`` is set without ``MIOGRAM_SECRET``, or a setting is malformed.
        SimulatorBusy: another command holds the shared simulator.
    """
    if live and live_service_configured():
        with _real_client() as client:
            if announce is not None:
                name = _username(client)
                announce(f"Using the MioGram service at {service_url()}"
                         + (f" as {name}" if name else "") + ".")
            yield client
        return
    if not shared:
        with Simulator(**simulator_options) as sim, Client.to(sim) as client:
            if announce is not None:
                announce(FRESH_SIMULATOR)
            yield client
        return
    state = shared_simulator_state()
    with simulator_lock(state):
        # In-process (start=False): no port is opened for a simulator only this command uses.
        sim = Simulator(state_file=state, start=False,
                        **{**shared_simulator_options(), **simulator_options})
        try:
            with Client.to(sim) as client:
                # Its account outlives the command, so it keeps an account ledger (opt-outs,
                # whom it messaged), though in-process (port 0); --reset removes it.
                setattr(client, "keeps_ledger", True)  # noqa: B010 - read with getattr
                if announce is not None:
                    announce(f"Using the built-in simulator (its state: {state}); nothing "
                             f"leaves this machine.")
                yield client
        finally:
            sim.state.close()


@contextmanager
def simulator_lock(state: Path) -> Iterator[None]:
    """Hold the simulator state file ``state`` for this block alone (its ``.lock`` beside it).

    Raises:
        SimulatorBusy: another process holds it (one sentence saying what to do).
    """
    lock = LockFile(state.with_suffix(".lock"))
    try:
        lock.acquire()
    except LockBusy as exc:
        holder = str(exc).rpartition("(pid ")[2].rstrip(")") if "(pid " in str(exc) else ""
        raise SimulatorBusy(
            "The built-in simulator is in use by another miogram command"
            + (f" (process {holder})" if holder else "") + "; wait for it to finish, or serve "
            "it to several commands at once with `miogram simulator` and export the "
            "MIOGRAM_URL it prints") from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _real_client() -> Iterator[Client]:
    if not os.environ.get("MIOGRAM_SECRET", "").strip():
        raise InputError("MIOGRAM_URL is set but MIOGRAM_SECRET is not: export the account's "
                         "secret key (shown in the MioGram web panel) as well")
    try:
        client = Client.from_env()
    except ValueError as exc:  # name the settings, not the constructor's parameters
        text = str(exc)
        for param, setting in (("base_url:", "MIOGRAM_URL:"), ("secret:", "MIOGRAM_SECRET:"),
                               ("robot:", "MIOGRAM_ROBOT:")):
            text = text.replace(param, setting, 1) if text.startswith(param) else text
        raise InputError(text) from None
    with client:
        yield client


def _username(client: Client) -> str:
    # The first request: a wrong secret, a closed port or a wrong path fails here, before any
    # send, with the client's own sentence. Only a refusal of this one question is passed over.
    try:
        return str(client.get_username() or "")
    except AuthError:
        raise
    except APIError:
        return ""
