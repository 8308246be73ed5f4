"""Talking to MioGram: :class:`Client` (one method per action) and the transport seam.

* :mod:`~miogram_toolkit.client.core`: the client, its request policy and the secret it guards;
* :mod:`~miogram_toolkit.client.actions`: the typed action methods, generated from the catalogue;
* :mod:`~miogram_toolkit.client.transport`: the one seam for HTTP (``requests`` or in-process WSGI).

Choosing between the real service and the built-in simulator is :mod:`miogram_toolkit.service`'s
work, one room above. Importing this package never imports pandas.

Example:
    >>> from miogram_toolkit.client import Client
    >>> from miogram_toolkit.simulator import Simulator
    >>> with Simulator(seed=7) as sim, Client.to(sim) as client:
    ...     client.send_message("+989121234567", "Hello")
    True
"""

from __future__ import annotations

from miogram_toolkit.client.core import DEFAULT_URL, Client

__all__ = ["DEFAULT_URL", "Client"]
