"""Choosing the service: the built-in simulator by default, the real MioGram by one setting.

Demos and notebooks call :func:`connect`. With no ``MIOGRAM_URL`` in the environment they get a
client for a fresh local simulator, so a first run needs no account; with ``MIOGRAM_URL`` (and
``MIOGRAM_SECRET``, optionally ``MIOGRAM_ROBOT``) set, and ``live=True``, they get a client for
that service instead.

Example:
    >>> from miogram_toolkit.service import connect
    >>> with connect(seed=7, credits={"Message": 500}) as client:
    ...     client.get_credits()["Message"]
    500
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from miogram_toolkit.client import Client
from miogram_toolkit.simulator import Simulator

__all__ = ["connect", "live_service_configured"]


def live_service_configured() -> bool:
    """True when ``MIOGRAM_URL`` names a real service to use instead of the simulator."""
    return bool(os.environ.get("MIOGRAM_URL", "").strip())


@contextmanager
def connect(*, live: bool = False, **simulator_options: Any) -> Iterator[Client]:
    """Yield a client for the real service (``live`` and ``MIOGRAM_URL`` set) or a simulator.

    Args:
        live: use the service named by ``MIOGRAM_URL`` when it is set. Without it, or when
            ``MIOGRAM_URL`` is unset, a local simulator is started and stopped around the block.
        **simulator_options: passed to :class:`miogram_toolkit.simulator.Simulator`.

    Yields:
        A ready :class:`miogram_toolkit.client.core.Client`, closed when the block ends.
    """
    if live and live_service_configured():
        with Client.from_env() as client:
            yield client
        return

    with Simulator(**simulator_options) as sim, Client.to(sim) as client:
        yield client
