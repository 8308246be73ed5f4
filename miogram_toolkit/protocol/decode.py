"""Decoding the service's answers: body -> JSON object -> typed result.

Choices the document leaves open, made here (each tested):

* **Body**: anything but a JSON object with a ``Status`` element (an HTML page, an empty body,
  invalid JSON, a JSON array) is a :class:`~miogram_toolkit.protocol.errors.BadResponse` keeping at
  most 200 characters of the body, the secret removed. A leading byte-order mark is tolerated. The
  HTTP status code alone decides nothing: a JSON error answer on a 500 is still read.
* **Status** is compared trimmed and case-insensitively; JSON ``null`` and the string ``"NULL"``
  are the same (open point 8). A Status outside the action's documented values is a BadResponse.
* **Booleans** arrive as JSON true/false; ``1``/``0`` and ``"true"``/``"false"``/``"1"``/``"0"``
  are accepted too, anything else is a BadResponse.
* **Mass maps** (open point 5): the answer's keys are matched to the numbers sent by their digits,
  so ``"+989121234567"`` and ``"989121234567"`` (or a PHP integer key) both find the number sent;
  the result is keyed by the numbers exactly as the caller passed them. A number sent but missing
  from the answer is a BadResponse; keys for numbers never sent are ignored (logged at DEBUG).
* **Tables** (limits, credits): values become ``int`` (``"100"`` -> 100) or ``float`` (``"1.5"``);
  the documented keys must all be present.
* **Report records** (open point 4): kept as the service sends them, one dict per record; a
  ``false``/``null``/empty ``Result`` is an empty list.

Example:
    >>> parse_answer(RawResponse(200, '{"Status": "success", "Result": true}', {}), "SendMessage")
    {'Status': 'success', 'Result': True}
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from miogram_toolkit.protocol.encode import mask_phone
from miogram_toolkit.protocol.errors import BadResponse


@dataclass(frozen=True)
class RawResponse:
    """An HTTP answer as received: status code, body text and headers."""

    status_code: int
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)


__all__ = [
    "BODY_KEEP",
    "normalize_status",
    "number_map",
    "objects",
    "parse_answer",
    "report_records",
    "split_list",
    "table",
    "to_bool",
]

logger = logging.getLogger("miogram_toolkit.client.core")

#: How much of a bad body an error keeps.
BODY_KEEP = 200

_NOT_JSON = object()


def _excerpt(text: str, scrub: Callable[[str], str]) -> str:
    # Scrub before cutting, so a secret straddling the cut cannot leave a fragment behind.
    return scrub(text)[:BODY_KEEP]


def _kind_of_body(text: str) -> str:
    head = text.lstrip()[:200].lower()
    if not head:
        return "an empty body"
    if head.startswith(("<!doctype", "<html", "<head", "<body", "<?xml", "<")):
        return "an HTML page"
    return "invalid JSON"


def parse_answer(raw: RawResponse, action: str | None,
                 scrub: Callable[[str], str] = lambda s: s) -> dict[str, Any]:
    """Decode a body into the answer object, or raise BadResponse.

    Args:
        raw: the HTTP answer.
        action: the ``Func`` called (for the error).
        scrub: removes the secret from any text the error keeps.

    Raises:
        BadResponse: not a JSON object, or no ``Status`` element.
    """
    text = raw.text.lstrip("\ufeff")
    try:
        value: Any = json.loads(text)
    except ValueError:
        value = _NOT_JSON  # raised below, outside this block, so the body is not kept as context
    where = f"{action}: " if action else ""
    http = f"HTTP {raw.status_code} "
    if value is _NOT_JSON:
        raise BadResponse(f"{where}{http}answer is {_kind_of_body(text)}, not a JSON object",
                          action=action, body=_excerpt(text, scrub), http_status=raw.status_code)
    if not isinstance(value, dict):
        raise BadResponse(f"{where}{http}answer is a JSON {type(value).__name__}, "
                          "not an object", action=action, body=_excerpt(text, scrub),
                          http_status=raw.status_code)
    if "Status" not in value:
        raise BadResponse(f"{where}{http}answer has no Status element", action=action,
                          body=_excerpt(text, scrub), http_status=raw.status_code)
    return value


def normalize_status(status: Any) -> str | None:
    """``None`` for JSON null or ``"NULL"``; else the Status trimmed and lower-cased.

    Example:
        >>> normalize_status(" Success "), normalize_status("NULL"), normalize_status(None)
        ('success', None, None)
    """
    if status is None:
        return None
    text = str(status).strip().casefold()
    return None if text == "null" else text


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


def _digits(value: Any) -> str:
    return re.sub(r"[^0-9]", "", str(value))


def number_map(result: Any, sent: Sequence[str], action: str) -> dict[str, bool]:
    """Key a Mass answer by the numbers exactly as sent, matching the answer's keys by digits.

    Raises:
        BadResponse: Result is not an object, a value is not a boolean, or a sent number is
            missing from it.

    Example:
        >>> number_map({"989121234567": True}, ["+989121234567"], "SendMessageMass")
        {'+989121234567': True}
    """
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


def _number(value: Any, action: str, key: str) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and math.isfinite(value):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?[0-9]+", text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return number
    raise _bad(action, f"Result[{key!r}] should be a number, got {value!r:.40}")


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

    Raises:
        BadResponse: Result is not a list/object of objects.
    """
    if result in (None, False, "", [], {}):
        return []
    items = list(result.values()) if isinstance(result, dict) else result
    if not isinstance(items, list) or not all(isinstance(r, dict) for r in items):
        raise _bad(action, "Result should be an array of report records (objects)")
    return [dict(r) for r in items]


def split_list(result: Any, action: str) -> list[str]:
    """Split a comma-separated string (agents, IPs) into its trimmed, non-empty items.

    Raises:
        BadResponse: Result is not a string (null counts as empty).

    Example:
        >>> split_list("MioGram, Second,", "APIGetRobot")
        ['MioGram', 'Second']
    """
    if result is None or result is False:
        return []
    if not isinstance(result, str):
        raise _bad(action, f"Result should be a comma-separated string, got "
                           f"{type(result).__name__}")
    return [item.strip() for item in result.split(",") if item.strip()]
