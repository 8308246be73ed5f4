"""Whether an address is this machine: the one test for "local" the rooms above share.

Example:
    >>> is_loopback_host("127.0.0.2"), is_loopback_host("localhost"), is_loopback_host("::1")
    (True, True, True)
    >>> is_loopback_host("miogram.net")
    False
"""

from __future__ import annotations

import ipaddress

__all__ = ["is_loopback_host"]


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback address (``127.0.0.0/8``, ``::1``; brackets allowed)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
