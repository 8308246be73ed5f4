"""Talking to MioGram: :class:`Client` (one method per action) and the transport seam.

* :mod:`~miogram_toolkit.client.core`: the client: retries, what it learns (dialect, clock);
* :mod:`~miogram_toolkit.client.policy`: the request policy (per-call ``timeout=``/``retries=``,
  the answer deadline, when the gateway is done, the one back-off formula);
* :mod:`~miogram_toolkit.client.settings`: the secret and where it may be sent;
* :mod:`~miogram_toolkit.client.actions`: the typed action methods, one per catalogue action;
* :mod:`~miogram_toolkit.client.transport`: the one seam for HTTP, one piece per file
  (:mod:`.seam`, :mod:`.masked`, :mod:`.classify`, :mod:`.requests_transport`,
  :mod:`.wsgi_transport`).

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
