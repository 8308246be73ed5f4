"""Credits and limits as frames, and whether the account can afford a campaign.

The arithmetic is the service's own (its implementation, not the document's "0 or 1 means used
up"): a **single** send is allowed while the credit is 0 or more, so a credit of 0 still sends
one and goes to -1; a **Mass** request needs a credit of at least its number count. Only
delivered numbers are charged (WhatsApp: every number), so a campaign of ``n`` numbers sent in
Mass chunks can always finish when the credit is at least ``n``; in single sends, ``n - 1``.

The functions take either a client (anything with ``get_credits()`` / ``get_limits()``; this
module never sends) or the dicts those return. Limits are in **bytes**.

Example:
    >>> frame = credits_frame({"Message": 40, "Photo": 0, "Video": -1, "File": 5, "Other": 2})
    >>> frame.loc[["Message", "Photo", "Video"], ["remaining", "single_sends", "used_up"]]
    ... # doctest: +NORMALIZE_WHITESPACE
             remaining  single_sends  used_up
    kind
    Message         40            41    False
    Photo            0             1    False
    Video           -1             0     True
    >>> credit_needed(40), credit_needed(40, mass=False)
    (40, 39)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from miogram_toolkit.protocol.catalogue import CREDIT_KINDS, LIMIT_KINDS
from miogram_toolkit.protocol.report_row import human_size

__all__ = ["can_afford", "credit_needed", "credits_frame", "limits_frame"]

_LIMITED = ("Message", "Photo", "Video", "File")
_FLAGS = tuple(k for k in LIMIT_KINDS if k not in _LIMITED)


def _table(source: Any, method: str) -> dict[str, Any]:
    if not isinstance(source, Mapping):
        getter = getattr(source, method, None)
        if getter is None:
            raise ValueError(f"source: pass a client or the dict its {method}() returns, got "
                             f"{type(source).__name__}")
        source = getter()
    table = dict(source)
    # The client's Limits keeps the two permission flags as attributes, not sizes.
    for flag, attribute in (("canGet", "can_get"), ("isSuper", "is_super")):
        if hasattr(source, attribute):
            table.setdefault(flag, getattr(source, attribute))
    return table


def credit_needed(count: int, *, mass: bool = True) -> int:
    """The credit a campaign of ``count`` numbers needs, in the worst case (all delivered).

    Example:
        >>> credit_needed(1), credit_needed(1, mass=False), credit_needed(0)
        (1, 0, 0)
    """
    if count < 0:
        raise ValueError(f"count: must be 0 or more, got {count}")
    if count == 0:
        return 0
    return count if mass else count - 1


def credits_frame(source: Any, limits: Any = None) -> pd.DataFrame:
    """One row per credit kind: remaining, sends it still allows, used up, and its limit.

    Args:
        source: a client, or the ``get_credits()`` dict.
        limits: a client, the ``get_limits()`` dict (bytes) or a :func:`limits_frame`, to add
            a ``limit`` column.

    Returns:
        Indexed by ``kind`` (Message, Photo, Video, File, Other): ``remaining`` (int),
        ``single_sends`` (how many single sends still go: remaining + 1, at least 0),
        ``mass_numbers`` (the most numbers one Mass request may carry: remaining, at least 0),
        ``used_up`` (not even a single send goes), and with ``limits`` ``limit`` (bytes; the
        message limit counts the text's UTF-8 bytes) and ``limit_text`` ("4 KB").

    Example:
        >>> frame = credits_frame({"Message": 3}, limits={"Message": 100, "Photo": 2097152})
        >>> int(frame.loc["Message", "mass_numbers"]), frame.loc["Message", "limit_text"]
        (3, '100 bytes')
        >>> frame.loc["Photo", "limit_text"]
        '2 MB'
    """
    credits = _table(source, "get_credits")
    kinds = [*CREDIT_KINDS, *[k for k in credits if k not in CREDIT_KINDS]]
    remaining = pd.Series({k: credits.get(k) for k in kinds}, dtype="Int64")
    frame = pd.DataFrame({"remaining": remaining})
    frame.index.name = "kind"
    frame["single_sends"] = (remaining + 1).clip(lower=0)
    frame["mass_numbers"] = remaining.clip(lower=0)
    frame["used_up"] = (remaining < 0).astype("boolean")
    if limits is not None:
        table = limits if isinstance(limits, pd.DataFrame) else limits_frame(limits)
        frame["limit"] = table["limit"].reindex(frame.index).astype("Int64")
        frame["limit_text"] = table["limit_text"].reindex(frame.index).fillna("")
    return frame


def limits_frame(source: Any) -> pd.DataFrame:
    """Size limits per kind in bytes; the account's flags in ``frame.attrs["flags"]``.

    Args:
        source: a client, or the ``get_limits()`` dict (sizes in bytes).

    Example:
        >>> frame = limits_frame({"Message": 4096, "Photo": 5242880, "canGet": 1, "isSuper": 0})
        >>> frame["limit_text"].to_dict(), frame.attrs["flags"]
        ({'Message': '4 KB', 'Photo': '5 MB'}, {'canGet': True, 'isSuper': False})
    """
    got = source if isinstance(source, Mapping) else getattr(source, "get_limits", None)
    got = got() if callable(got) else got
    limits = _table(got if got is not None else source, "get_limits")
    kinds = [k for k in _LIMITED if k in limits]
    sizes = pd.Series({k: limits[k] for k in kinds}, dtype="Int64")
    frame = pd.DataFrame({"limit": sizes,
                          "limit_text": [human_size(int(v)) for v in sizes]},
                         index=pd.Index(kinds, name="kind"))
    frame.attrs["flags"] = {k: bool(int(limits[k])) for k in _FLAGS if k in limits}
    # A client's get_limits() gives the flags as attributes (can_get, is_super), not entries.
    for key, attr in (("canGet", "can_get"), ("isSuper", "is_super")):
        if hasattr(got, attr):
            frame.attrs["flags"][key] = bool(getattr(got, attr))
    return frame


def can_afford(client: Any, count: int, kind: str = "Message", *, mass: bool = True) -> bool:
    """Whether the credit of ``kind`` covers ``count`` numbers even if every one is delivered.

    Args:
        client: a client (``get_credits()`` is called) or the credits dict.
        count: the numbers to send.
        kind: the credit kind (``Message``, ``Photo``, ``Video``, ``File``, ``Other``).
        mass: sent in Mass requests (credit ≥ count) or one by one (credit ≥ count - 1).

    Raises:
        ValueError: an unknown kind.

    Example:
        >>> can_afford({"Message": 40}, 40), can_afford({"Message": 39}, 40)
        (True, False)
        >>> can_afford({"Message": 39}, 40, mass=False)
        True
    """
    credits = _table(client, "get_credits")
    if kind not in credits:
        raise ValueError(f"kind: {kind!r} is not a credit kind; use one of "
                         f"{', '.join(CREDIT_KINDS)}")
    return int(credits[kind]) >= credit_needed(count, mass=mass)
