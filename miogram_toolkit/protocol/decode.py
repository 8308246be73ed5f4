"""Decoding the service's answers: body -> JSON object -> typed result, in either dialect.

The service answers in two dialects, and the client reads both without being told which (see
:mod:`miogram_toolkit.protocol.dialects`): the v1.2 document's shapes, and the shapes of the
service's own implementation (getters without ``Status``, the report as a bare JSON array, codes
as strings, the gateway's ``Error NNN : text`` errors, a stray ``302`` after the JSON, sizes in
bytes, ``"sent"`` for WhatsApp).

Choices the document leaves open, made here (each tested):

* **Body**: a JSON object, or — for ``APIGetReport`` only — a JSON array (the bare list of report
  records). Anything else (an HTML page, an empty body, invalid JSON, an array for another
  action) is a :class:`~miogram_toolkit.protocol.errors.BadResponse` keeping at most 200
  characters of the body, the secret removed (also where the body wrote it ``\\u``-escaped). A
  leading byte-order mark is tolerated, and so is one bare 3-digit code after the JSON (the
  gateway's ``…}302``): it is kept as the answer's code when the body names none. The HTTP status
  code alone decides nothing: a JSON error answer on a 500 is still read.
* **Status** is compared trimmed and case-insensitively; JSON ``null``, the string ``"NULL"`` and
  a missing ``Status`` are the same for the getters that answer without one (open point 8). A
  Status outside the action's accepted values (:func:`~miogram_toolkit.protocol.dialects.
  accepted_statuses`) is a BadResponse.
* **Booleans** arrive as JSON true/false; ``1``/``0`` and ``"true"``/``"false"``/``"1"``/``"0"``
  are accepted too, anything else is a BadResponse.
* **Mass maps** (open point 5): the answer's keys are matched to the numbers sent by their digits,
  so ``"+989121234567"`` and ``"989121234567"`` (or a PHP integer key) both find the number sent;
  the result is keyed by the numbers exactly as the caller passed them. A number sent but missing
  from the answer is a BadResponse; keys for numbers never sent are ignored (logged at DEBUG). A
  single boolean instead of a map (the implementation's WhatsApp Mass: ``"Result": true``) is
  that outcome for every number.
* **Tables** (limits, credits): values become ``int`` (``"100"`` -> 100) or ``float`` (``"1.5"``);
  the documented keys must all be present. Limits are converted to one unit (:func:`limits`).
* **Report records** (open point 4): kept as the service sends them, one dict per record; a
  ``false``/``null``/empty ``Result`` is an empty list.
* **Hostile answers** (nesting deep enough to exhaust the recursion limit, ``1e400``, integers
  of thousands of digits): whatever fails while an answer is read becomes a BadResponse
  (:func:`reading`), so every failure of a client call is a ``MioGramError``.

Example:
    >>> parse_answer(RawResponse(200, '{"Status": "success", "Result": true}', {}), "SendMessage")
    {'Status': 'success', 'Result': True}
    >>> parse_answer(RawResponse(200, '{"Result": "1"}', {}), "APIGetActive")
    {'Result': '1'}
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from miogram_toolkit.protocol.body import (
    BODY_KEEP,
    RawResponse,
    normalize_status,
    parse_answer,
    reading,
    unescape_json,
)
from miogram_toolkit.protocol.encode import mask_phone
from miogram_toolkit.protocol.errors import BadResponse

__all__ = [
    "BODY_KEEP",
    "MB",
    "Limits",
    "RawResponse",
    "limits",
    "normalize_status",
    "number_map",
    "objects",
    "parse_answer",
    "reading",
    "report_records",
    "split_list",
    "table",
    "to_bool",
    "unescape_json",
]

logger = logging.getLogger("miogram_toolkit.client.core")

#: Bytes in a megabyte, as both the document and the implementation count them.
MB = 1024 * 1024

# Limits at or above this are bytes, below it megabytes (see limits()).
_BYTES_FROM = 65536


def _bad(action: str, what: str) -> BadResponse:
    return BadResponse(f"{action}: {what}", action=action)


def to_bool(value: Any, action: str, what: str = "Result") -> bool:
    """Read a boolean the service may spell as true/false, 1/0 or their strings.

    Raises:
        BadResponse: anything else.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
    raise _bad(action, f"{what} should be true or false, got {type(value).__name__}")


_NOT_DIGIT = re.compile(r"[^0-9]")


def _digits(value: Any) -> str:
    text = str(value)
    # Most keys and numbers are "+" and ASCII digits, or digits alone: no regex for them.
    rest = text[1:] if text[:1] == "+" else text
    if rest.isascii() and rest.isdigit():
        return rest
    return _NOT_DIGIT.sub("", text)


def number_map(result: Any, sent: Sequence[str], action: str) -> dict[str, bool]:
    """Key a Mass answer by the numbers exactly as sent, matching the answer's keys by digits.

    A single boolean (the implementation's WhatsApp Mass answers ``"Result": true``) is the
    outcome of every number.

    Raises:
        BadResponse: Result is neither an object nor a boolean, a value is not a boolean, or a
            sent number is missing from it.

    Example:
        >>> number_map({"989121234567": True}, ["+989121234567"], "SendMessageMass")
        {'+989121234567': True}
        >>> number_map(True, ["+989121234567", "+989351234567"], "SendMessageWhatsAppMass")
        {'+989121234567': True, '+989351234567': True}
    """
    if isinstance(result, bool):
        return dict.fromkeys(sent, result)
    if not isinstance(result, dict):
        raise _bad(action, f"Result should be an object keyed by number, got "
                           f"{type(result).__name__}")
    by_digits: dict[str, bool] = {}
    for key, value in result.items():
        by_digits[_digits(key)] = to_bool(value, action, "a number's result")
    out: dict[str, bool] = {}
    missing: list[str] = []
    for phone in sent:
        digits = _digits(phone)
        if digits in by_digits:
            out[phone] = by_digits.pop(digits)
        else:
            missing.append(phone)
    if missing:
        shown = ", ".join(mask_phone(p) for p in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise _bad(action, f"{len(missing)} of {len(sent)} numbers sent are missing from the "
                           f"answer ({shown}{more})")
    if by_digits:
        logger.debug("%s: answer names %d numbers that were not sent; ignored", action,
                     len(by_digits))
    return out


#: The range of a signed 64-bit integer: a count outside it is no credit or limit (``10**400``
#: would otherwise reach pandas as an OverflowError).
INT64 = range(-(2**63), 2**63)


def _number(value: Any, action: str, key: str) -> int | float:
    number = _any_number(value, action, key)
    if isinstance(number, int) and number not in INT64:
        raise _bad(action, f"Result[{key[:40]!r}] is outside a signed 64-bit integer")
    return number


def _any_number(value: Any, action: str, key: str) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?[0-9]{1,4000}", text):  # int() reads at most 4300 digits
            return int(text)
        try:
            number = float(text) if len(text) <= 40 else math.nan
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return int(number) if number.is_integer() else number
    raise _bad(action, f"Result[{key[:40]!r}] should be a number, got {type(value).__name__}")


def table(result: Any, keys: Sequence[str], action: str) -> dict[str, int | float]:
    """Read a map of named numbers (limits, credits), converting numeric strings.

    Raises:
        BadResponse: not an object, a documented key missing, or a value not a number.

    Example:
        >>> table({"Message": "100", "Photo": 5}, ["Message", "Photo"], "APIGetLimits")
        {'Message': 100, 'Photo': 5}
    """
    if not isinstance(result, dict):
        raise _bad(action, f"Result should be an object, got {type(result).__name__}")
    missing = [k for k in keys if k not in result]
    if missing:
        raise _bad(action, f"Result lacks {', '.join(missing)}")
    return {str(k): _number(v, action, str(k)) for k, v in result.items()}


class Limits(dict[str, int]):
    """The account's limits in one unit: ``Message`` and the file sizes in **bytes**.

    The mapping holds the sizes only (``Message``, ``Photo``, ``Video``, ``File``); the two
    permission flags are attributes (:attr:`can_get`, :attr:`is_super`), not sizes.

    Example:
        >>> lim = Limits({"Message": 4096, "Photo": 5 * MB}, can_get=True, is_super=False)
        >>> lim["Photo"], lim.can_get
        (5242880, True)
        >>> lim
        Limits({'Message': 4096, 'Photo': 5242880}, can_get=True, is_super=False)
    """

    def __init__(self, sizes: Mapping[str, int], *, can_get: bool, is_super: bool) -> None:
        super().__init__(sizes)
        self.can_get = can_get
        self.is_super = is_super

    def __repr__(self) -> str:
        return f"Limits({dict(self)!r}, can_get={self.can_get}, is_super={self.is_super})"


def limits(result: Any, action: str = "APIGetLimits") -> Limits:
    """Read ``APIGetLimits`` in either dialect into :class:`Limits` (bytes, flags apart).

    ``Message`` is a length in bytes (the implementation counts ``strlen``; the document says
    characters — the number is kept as it is). ``Photo``/``Video``/``File``: the document gives
    megabytes, the implementation bytes (MB × 1,048,576). Told apart by size: a value of 65,536
    or more is bytes (no account allows 64 GB), a smaller one megabytes (no account allows less
    than 64 KB), converted to bytes. ``canGet``/``isSuper`` (1/0, ``"1"``/``0``, booleans) become
    the flags.

    Raises:
        BadResponse: a documented key missing or a value of the wrong kind.

    Example:
        >>> lim = limits({"Message": "100", "Photo": 2097152, "Video": 4194304,
        ...               "File": 1048576, "canGet": "1", "isSuper": 0})
        >>> dict(lim), lim.can_get, lim.is_super
        ({'Message': 100, 'Photo': 2097152, 'Video': 4194304, 'File': 1048576}, True, False)
        >>> limits({"Message": 4096, "Photo": 5, "Video": 20, "File": 2.5, "canGet": 1,
        ...         "isSuper": 1})["File"]
        2621440
    """
    values = table(result, ("Message", "Photo", "Video", "File", "canGet", "isSuper"), action)
    sizes: dict[str, int] = {"Message": int(values["Message"])}
    for kind in ("Photo", "Video", "File"):
        size = values[kind]
        sizes[kind] = int(size) if size >= _BYTES_FROM else int(round(size * MB))
    return Limits(sizes, can_get=to_bool(result["canGet"], action, "canGet"),
                  is_super=to_bool(result["isSuper"], action, "isSuper"))


def objects(status: str | None, result: Any) -> Any:
    """The objects of ChatInfo/GetUserInfo/GetDialogList/GetHistory, or None when there are none.

    Example:
        >>> objects("fail", False) is None, objects("success", [{"id": 1}])
        (True, [{'id': 1}])
    """
    if status == "fail" or result is None or result is False:
        return None
    return result


def report_records(result: Any, action: str) -> list[dict[str, Any]]:
    """The report records as a list of dicts (an object of records is read in key order).

    Either dialect's records are kept as they are: the document-shaped ones the simulator
    writes, or the implementation's ``{Username, DATE, TIME, IP, DATA, Number, Delivered}``.

    Raises:
        BadResponse: Result is not a list/object of objects.
    """
    if result is None or result is False or result == "" or result == [] or result == {}:
        return []
    items = list(result.values()) if isinstance(result, dict) else result
    if not isinstance(items, list) or not all(isinstance(r, dict) for r in items):
        raise _bad(action, "Result should be an array of report records (objects)")
    return [dict(r) for r in items]


def split_list(result: Any, action: str) -> list[str]:
    """Split a comma-separated string (agents, IPs), or read a JSON list of strings.

    Raises:
        BadResponse: Result is neither (null counts as empty).

    Example:
        >>> split_list("MioGram, Second,", "APIGetRobot")
        ['MioGram', 'Second']
        >>> split_list(["MioBot1", " MioBot2 "], "APIGetRobot")
        ['MioBot1', 'MioBot2']
    """
    if result is None or result is False:
        return []
    if isinstance(result, list) and all(isinstance(item, str) for item in result):
        return [item.strip() for item in result if item.strip()]
    if not isinstance(result, str):
        raise _bad(action, f"Result should be a comma-separated string, got "
                           f"{type(result).__name__}")
    return [item.strip() for item in result.split(",") if item.strip()]
