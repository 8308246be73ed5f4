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

import json
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from miogram_toolkit.protocol.catalogue import ACTIONS
from miogram_toolkit.protocol.dialects import accepted_statuses
from miogram_toolkit.protocol.encode import mask_phone
from miogram_toolkit.protocol.errors import TRAILING_CODE, BadResponse, MioGramError


@dataclass(frozen=True)
class RawResponse:
    """An HTTP answer as received: status code, body text and headers."""

    status_code: int
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)


__all__ = [
    "BODY_KEEP",
    "MB",
    "Limits",
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

T = TypeVar("T")

#: How much of a bad body an error keeps.
BODY_KEEP = 200

#: Bytes in a megabyte, as both the document and the implementation count them.
MB = 1024 * 1024

# Limits at or above this are bytes, below it megabytes (see limits()).
_BYTES_FROM = 65536

_NOT_JSON = object()
_TRAILER = re.compile(r"\s*([0-9]{3})?\s*")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\(.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "/": "/",
                   "\\": "\\", '"': '"'}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Actions whose answer may be a bare JSON array.
_ARRAY_ACTIONS = frozenset({"APIGetReport"})


def unescape_json(text: str) -> str:
    """Undo JSON string escapes (``\\u0073``, ``\\/``, ``\\n``…) wherever they stand in ``text``.

    Used before a body excerpt is scrubbed, so a secret the server echoed in escaped form is
    found and removed too. Surrogate pairs become their character; lone ones are kept escaped.

    Example:
        >>> unescape_json(r'{"Echo":"\\u0073\\u0033cret\\/x"}')
        '{"Echo":"s3cret/x"}'
    """
    def one(found: re.Match[str]) -> str:
        if found.group(1) is not None:
            return chr(int(found.group(1), 16))
        return _SIMPLE_ESCAPES.get(found.group(2), found.group(0))

    plain = _ESCAPE.sub(one, text)
    # Pair up surrogates that the \\u escapes produced; a lone one stays as its escape.
    paired = plain.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", paired)


def _excerpt(text: str, scrub: Callable[[str], str]) -> str:
    # Unescape, then scrub, then cut: a secret written \\u-escaped, or straddling the cut, cannot
    # leave a fragment behind.
    return scrub(unescape_json(scrub(text)))[:BODY_KEEP]


def _kind_of_body(text: str) -> str:
    head = text.lstrip()[:200].lower()
    if not head:
        return "an empty body"
    if head.startswith(("<!doctype", "<html", "<head", "<body", "<?xml", "<")):
        return "an HTML page"
    return "invalid JSON"


def _load(text: str) -> tuple[Any, str | None]:
    """The JSON value and a bare code that followed it, or (_NOT_JSON, None)."""
    try:
        return json.loads(text), None
    except ValueError:
        pass
    try:
        value, end = json.JSONDecoder().raw_decode(text.lstrip())
    except ValueError:
        return _NOT_JSON, None
    rest = _TRAILER.fullmatch(text.lstrip()[end:])
    if rest is None or not isinstance(value, dict | list):
        return _NOT_JSON, None
    return value, rest.group(1)


def reading(action: str | None, read: Callable[[], T],
            scrub: Callable[[str], str] = lambda s: s, body: str | None = None) -> T:
    """Run ``read`` and turn any failure inside it into a BadResponse.

    Hostile answers make the standard library raise ``RecursionError`` (deep nesting),
    ``OverflowError`` (``1e400`` turned into an int) or ``ValueError`` (an integer of more
    than 4,300 digits); none of these may escape a client call. The BadResponse is raised
    outside the handler, so it keeps neither the failure nor its frames (whose locals hold the
    answer as received); ``MioGramError`` passes through unchanged.

    Args:
        action: the ``Func`` (for the error).
        read: what to run.
        scrub: removes the secret from the body excerpt.
        body: the answer's text, an excerpt of which the error keeps.

    Example:
        >>> try:
        ...     reading("APIGetCredits", lambda: int(float("1e400")))
        ... except BadResponse as exc:
        ...     print(exc, exc.__context__)
        APIGetCredits: the answer could not be read (OverflowError) None
    """
    try:
        return read()
    except MioGramError:
        raise
    except (RecursionError, OverflowError, ValueError, TypeError, KeyError, IndexError,
            AttributeError, UnicodeError) as exc:
        failed = type(exc).__name__
    where = f"{action}: " if action else ""
    kept = _excerpt(body, scrub) if body is not None else ""
    raise BadResponse(f"{where}the answer could not be read ({failed})", action=action,
                      body=kept)


def parse_answer(raw: RawResponse, action: str | None,
                 scrub: Callable[[str], str] = lambda s: s) -> dict[str, Any]:
    """Decode a body into the answer object, or raise BadResponse.

    A bare JSON array (``APIGetReport`` in the implementation's dialect) comes back as
    ``{"Result": [...]}``; a bare code after the JSON is kept under ``TRAILING_CODE`` when the
    object has no ``Code``.

    Args:
        raw: the HTTP answer.
        action: the ``Func`` called (for the error).
        scrub: removes the secret from any text the error keeps.

    Raises:
        BadResponse: not a JSON object (nor the report's array), or no ``Status`` where the
            action always has one (every action but the getters and tables).
    """
    text = raw.text.lstrip("\ufeff")
    value, trailing = reading(action, lambda: _load(text), scrub, text)
    where = f"{action}: " if action else ""
    http = f"HTTP {raw.status_code} "
    if value is _NOT_JSON:
        raise BadResponse(f"{where}{http}answer is {_kind_of_body(text)}, not a JSON object",
                          action=action, body=_excerpt(text, scrub), http_status=raw.status_code)
    if isinstance(value, list) and action in _ARRAY_ACTIONS:
        return {"Result": value}
    if not isinstance(value, dict):
        raise BadResponse(f"{where}{http}answer is a JSON {type(value).__name__}, "
                          "not an object", action=action, body=_excerpt(text, scrub),
                          http_status=raw.status_code)
    known = ACTIONS.get(action or "")
    if "Status" not in value and (known is None or None not in accepted_statuses(known)):
        raise BadResponse(f"{where}{http}answer has no Status element", action=action,
                          body=_excerpt(text, scrub), http_status=raw.status_code)
    if trailing is not None and "Code" not in value:
        value[TRAILING_CODE] = trailing
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


def _number(value: Any, action: str, key: str) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?[0-9]{1,30}", text):
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
