"""Types that carry the secret to the wire without ever showing it.

The client hands the secret as a :class:`MaskedStr` and the body is encoded into a
:class:`FormBody`, both ``<hidden>`` in any repr, so a traceback printed with its locals
(``pytest --showlocals``, IPython's verbose mode) shows no secret on the way down.

Example:
    >>> MaskedStr("x32nv86ss5z")
    <hidden>
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

__all__ = ["FormBody", "MaskedStr", "encode_form"]


class MaskedStr(str):
    """A ``str`` in every use, except that its repr is ``<hidden>``: how the secret travels.

    Example:
        >>> form = {"Secret": MaskedStr("x32nv86ss5z"), "Func": "APIGetCredits"}
        >>> form
        {'Secret': <hidden>, 'Func': 'APIGetCredits'}
        >>> form["Secret"] == "x32nv86ss5z"
        True
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<hidden>"


class FormBody(bytes):
    """An urlencoded form (it holds the secret) whose repr and str never show its bytes."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<form body, {len(self)} bytes, hidden>"

    __str__ = __repr__


def encode_form(fields: Mapping[str, str]) -> FormBody:
    """Encode ``fields`` as ``application/x-www-form-urlencoded`` (UTF-8), the last step before
    the wire.

    Example:
        >>> body = encode_form({"Secret": MaskedStr("x32nv86ss5z"), "Message": "سلام & hi"})
        >>> body
        <form body, 58 bytes, hidden>
        >>> bytes(body)
        b'Secret=x32nv86ss5z&Message=%D8%B3%D9%84%D8%A7%D9%85+%26+hi'
    """
    return FormBody(urlencode(dict(fields)).encode("ascii"))
