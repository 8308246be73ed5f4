"""``Misc`` as the document's catalogue describes it: split into named parts, each checked.

Both dialects read ``Misc`` this way (the ``reference`` dialect turns the errors into the
gateway's ``Error 302`` and reads ``GetHistory`` as ``limit,offset``).

Example:
    >>> parse_misc(("latitude", "longitude"), "35.7,51.4")
    {'latitude': 35.7, 'longitude': 51.4}
    >>> parse_misc(("offset", "limit"), "0,20")
    {'offset': 0, 'limit': 20}
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from miogram_toolkit.simulator.base import ServiceError

__all__ = ["parse_misc"]

_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_PART_FORMS: dict[str, re.Pattern[str]] = {
    "state": re.compile(r"Online|Offline"),
    "username": re.compile(r"\S+"),
    "extension": re.compile(r"[A-Za-z0-9]{1,16}"),
    "latitude": re.compile(_NUMBER),
    "longitude": re.compile(_NUMBER),
    "forward_count": re.compile(r"[0-9]{1,6}"),
    "offset": re.compile(r"[0-9]{1,9}"),
    "limit": re.compile(r"[0-9]{1,9}"),
    "count": re.compile(r"[0-9]{1,3}"),
}
_RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0), "limit": (1, 10**9),
           "count": (1, 999)}


def parse_misc(names: Sequence[str], raw: str, ranges: dict[str, tuple[Any, Any]] = _RANGES
               ) -> dict[str, Any]:
    """Split ``Misc`` into the named parts: missing/blank → 330; extra or malformed → 812."""
    if not names:
        return {}
    # A single part is the whole field (a group name may contain commas).
    parts = [raw] if len(names) == 1 else raw.split(",")
    if len(parts) > len(names):
        raise ServiceError(812)
    if len(parts) < len(names) or any(not part.strip() for part in parts):
        raise ServiceError(330)
    values: dict[str, Any] = {}
    for name, part in zip(names, parts, strict=True):
        text = part.strip()
        form = _PART_FORMS.get(name)
        if form is not None and not form.fullmatch(text):
            raise ServiceError(812)
        value: Any = text
        if name in ranges:
            low, high = ranges[name]
            value = float(text) if isinstance(low, float) else int(text)
            if not low <= value <= high:
                raise ServiceError(812)
        elif name in ("forward_count", "offset", "limit"):
            value = int(text)
        values[name] = value
    return values
