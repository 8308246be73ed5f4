"""The client's settings that guard the secret: where it may go, and how it is held.

Example:
    >>> check_base_url("https://miogram.net/dojob.php")
    'https://miogram.net/dojob.php'
    >>> check_base_url("htps://user:hunter2@miogram.net/dojob.php")
    Traceback (most recent call last):
    ValueError: base_url: must be an https:// URL, got 'htps://***@miogram.net/dojob.php'
    >>> Secret("x32nv86ss5z")
    <hidden>
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from miogram_toolkit.client.masked import MaskedStr
from miogram_toolkit.client.seam import is_loopback_host
from miogram_toolkit.protocol.encode import mask_url

__all__ = ["Secret", "check_base_url"]


class Secret:
    """Holds the secret so that printing, logging or inspecting it shows nothing."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = MaskedStr(value)  # so a form holding it shows <hidden> in any traceback

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("the MioGram secret is not picklable")


def check_base_url(url: str) -> str:
    """``url`` when the secret may be sent there; else a ValueError that never shows a password.

    https to any host, plain http to a loopback host only; never a ``user:password@`` part.
    """
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:  # an unparsable host ("[::1")
        parts, host = None, ""
    shown = mask_url(url)
    if parts is None or not host or parts.scheme not in ("https", "http"):
        raise ValueError(f"base_url: must be an https:// URL, got {shown!r}")
    if parts.username or parts.password:
        raise ValueError(f"base_url: must not carry a user name or password ({shown!r}); "
                         "MioGram takes only the secret")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise ValueError(f"base_url: plain http is only allowed to a loopback host (the secret "
                         f"would travel in clear); use https:// for {host!r}")
    return url
