"""Talking to MioGram: :class:`Client` (one method per action), the transport seam, :func:`connect`.

* :mod:`~miogram_toolkit.client.core`: the client, its retries and the secret it guards;
* :mod:`~miogram_toolkit.client.actions`: the typed action methods, generated from the catalogue;
* :mod:`~miogram_toolkit.client.transport`: the one seam for HTTP (``requests`` or in-process WSGI);
* :mod:`~miogram_toolkit.client.service`: the built-in simulator by default, the real service by
  one setting.

Importing this package never imports pandas.

Example:
    >>> from miogram_toolkit.client import connect
    >>> with connect(seed=7) as client:
    ...     client.send_message("+989121234567", "Hello")
    True
"""

from __future__ import annotations

from miogram_toolkit.client.core import DEFAULT_URL, Client
from miogram_toolkit.client.service import connect, live_service_configured

__all__ = ["DEFAULT_URL", "Client", "connect", "live_service_configured"]
