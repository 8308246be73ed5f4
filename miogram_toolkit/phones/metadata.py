"""The tables and metadata helpers the phone engine shares, and the authoritative slow path.

phonenumbers is the authority: :func:`reference_one` is its per-number pipeline
(``parse`` → ``is_valid_number`` → ``number_type`` → ``format_number(E164)``). The status and
type tables (:data:`STATUS_NAMES`, :data:`TYPE_NAMES`) and the cached readings of phonenumbers'
metadata here (a region's metadata, its length table, the characters a pattern can start with,
a number's leading country code) serve both fast paths: the digit matrix
(:mod:`miogram_toolkit.phones.matrix`) and the per-row string parser it falls back on
(:mod:`miogram_toolkit.phones.fallback`).

Example:
    >>> e164, ntype, status = reference_one("09121234567", "IR")
    >>> e164, TYPE_NAMES[ntype], STATUS_NAMES[status]
    ('+989121234567', 'MOBILE', 'ok')
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberType
from phonenumbers.phonenumberutil import (
    COUNTRY_CODE_TO_REGION_CODE,
    ValidationResult,
)

#: Status reason codes, in the order a summary lists them.
STATUS_NAMES = (
    "ok",
    "duplicate",
    "not_mobile",
    "invalid",
    "too_short",
    "too_long",
    "multiple",
    "rounded",
    "empty",
)
OK, DUPLICATE, NOT_MOBILE, INVALID, TOO_SHORT, TOO_LONG, MULTIPLE, ROUNDED, EMPTY = range(9)

#: Number type names, as ``phonenumbers.PhoneNumberType`` spells them.
TYPE_NAMES = (
    "MOBILE",
    "FIXED_LINE_OR_MOBILE",
    "FIXED_LINE",
    "TOLL_FREE",
    "PREMIUM_RATE",
    "SHARED_COST",
    "VOIP",
    "PERSONAL_NUMBER",
    "PAGER",
    "UAN",
    "VOICEMAIL",
    "UNKNOWN",
)
TYPE_CODE = {getattr(PhoneNumberType, name): i for i, name in enumerate(TYPE_NAMES)}
UNKNOWN_TYPE = TYPE_NAMES.index("UNKNOWN")
MESSENGER_TYPES = (TYPE_NAMES.index("MOBILE"), TYPE_NAMES.index("FIXED_LINE_OR_MOBILE"))

_PARSE_ERROR_STATUS = {
    NumberParseException.TOO_SHORT_NSN: TOO_SHORT,
    NumberParseException.TOO_SHORT_AFTER_IDD: TOO_SHORT,
    NumberParseException.TOO_LONG: TOO_LONG,
}
_LENGTH_STATUS = {ValidationResult.TOO_SHORT: TOO_SHORT, ValidationResult.TOO_LONG: TOO_LONG}

# Shapes the fast path replays; the rest go to reference_one.
_MIN_FAST_DIGITS = 4
_MAX_FAST_DIGITS = 20
_MAX_NSN = 17  # phonenumbers' _MAX_LENGTH_FOR_NSN
_NOT_STRIPPED = (
    ValidationResult.TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ValidationResult.INVALID_LENGTH,
)


def reference_one(canonical: str, region: str) -> tuple[str, int, int]:
    """Classify one canonical number the slow, authoritative way.

    Returns:
        ``(e164, type_code, status)``: E.164 (``""`` unless valid), an index into
        :data:`TYPE_NAMES` (-1 when it did not parse) and ``OK``, ``INVALID``, ``TOO_SHORT`` or
        ``TOO_LONG``.

    Example:
        >>> reference_one("+989121234567", "IR")[0]
        '+989121234567'
    """
    try:
        number = phonenumbers.parse(canonical, region)
    except NumberParseException as exc:
        return "", -1, _PARSE_ERROR_STATUS.get(exc.error_type, INVALID)
    type_code = TYPE_CODE[phonenumbers.number_type(number)]
    if not phonenumbers.is_valid_number(number):
        reason = phonenumbers.is_possible_number_with_reason(number)
        return "", type_code, _LENGTH_STATUS.get(reason, INVALID)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), type_code, OK


# --- metadata helpers -----------------------------------------------------------------------


@cache
def _metadata(region: str) -> PhoneMetadata:
    md = PhoneMetadata.metadata_for_region(region, None)
    if md is None:  # pragma: no cover - regions are checked against SUPPORTED_REGIONS first
        raise ValueError(f"phonenumbers has no metadata for region {region!r}")
    return md


@cache
def _main_metadata(cc: int) -> PhoneMetadata | None:
    region = COUNTRY_CODE_TO_REGION_CODE[cc][0]
    return PhoneMetadata.metadata_for_region_or_calling_code(cc, region)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _desc_pattern(desc: object) -> str | None:
    pattern = getattr(desc, "national_number_pattern", None)
    return pattern or None


def _full_match_general(md: PhoneMetadata, numbers: list[str]) -> np.ndarray:
    """``_match_national_number(n, general_desc, False)`` for each n."""
    pattern = _desc_pattern(md.general_desc)
    if pattern is None:
        return np.zeros(len(numbers), dtype=bool)
    fullmatch = _compiled(pattern).fullmatch
    return np.fromiter((fullmatch(n) is not None for n in numbers), bool, len(numbers))


def _per_metadata(func):  # type: ignore[no-untyped-def]
    """Cache ``func(md, *args)``; PhoneMetadata is unhashable but lives for the whole process."""
    store: dict[tuple[int, tuple[object, ...]], tuple[PhoneMetadata, object]] = {}

    def wrapper(md, *args):  # type: ignore[no-untyped-def]
        key = (id(md), args)
        hit = store.get(key)
        if hit is None or hit[0] is not md:
            hit = store[key] = (md, func(md, *args))
        return hit[1]

    return wrapper


@_per_metadata
def _length_table(md: PhoneMetadata) -> np.ndarray:
    """``_test_number_length(n, md)`` (type UNKNOWN) as a table indexed by len(n)."""
    general = md.general_desc
    assert general is not None  # every region and country code has a general description
    possible = general.possible_length
    local = general.possible_length_local_only
    table = np.empty(_MAX_FAST_DIGITS + 2, dtype=object)
    for length in range(len(table)):
        if length in local:
            table[length] = ValidationResult.IS_POSSIBLE_LOCAL_ONLY
        elif possible[0] == length:
            table[length] = ValidationResult.IS_POSSIBLE
        elif possible[0] > length:
            table[length] = ValidationResult.TOO_SHORT
        elif possible[-1] < length:
            table[length] = ValidationResult.TOO_LONG
        elif length in possible[1:]:
            table[length] = ValidationResult.IS_POSSIBLE
        else:
            table[length] = ValidationResult.INVALID_LENGTH
    return table


def _lengths(numbers: list[str] | np.ndarray) -> np.ndarray:
    return np.fromiter(map(len, numbers), dtype=np.int64, count=len(numbers))


@cache
def _first_chars(pattern: str) -> frozenset[str] | None:
    """The characters every match of ``pattern`` can start with, or None if unsure."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    def first(tokens: list[tuple[object, object]]) -> set[str] | None:
        if not tokens:
            return None  # could match the empty string
        op, av = tokens[0]
        if op is c.LITERAL:
            return {chr(av)}  # type: ignore[arg-type]
        if op is c.IN:
            chars: set[str] = set()
            for item_op, item in av:  # type: ignore[attr-defined]
                if item_op is c.LITERAL:
                    chars.add(chr(item))
                elif item_op is c.RANGE:
                    chars.update(chr(x) for x in range(item[0], item[1] + 1))
                elif item_op is c.CATEGORY and item is c.CATEGORY_DIGIT:
                    return None  # \d also matches non-ASCII digits; stay on the safe side
                else:
                    return None
            return chars
        if op is c.SUBPATTERN:
            return first(list(av[-1]))  # type: ignore[index]
        if op is c.BRANCH:
            union: set[str] = set()
            for branch in av[1]:  # type: ignore[index]
                got = first(list(branch))
                if got is None:
                    return None
                union |= got
            return union
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:  # type: ignore[index]
            return first(list(av[2]))  # type: ignore[index]
        return None

    try:
        found = first(list(_parser.parse(pattern)))
    except Exception:  # noqa: BLE001 - any surprise just means "unsure"
        return None
    return None if found is None else frozenset(found)


@cache
def _country_codes() -> dict[str, int]:
    return {str(cc): cc for cc in COUNTRY_CODE_TO_REGION_CODE}


def _split_country_code(numbers: list[str]) -> np.ndarray:
    """``_extract_country_code``: the leading country code of each number, 0 when none."""
    known = _country_codes()
    out = np.zeros(len(numbers), dtype=np.int64)
    for i, number in enumerate(numbers):
        if number[:1] == "0":
            continue
        for size in (1, 2, 3):
            cc = known.get(number[:size])
            if cc is not None:
                out[i] = cc
                break
    return out


# Length verdicts as small integer codes, for the digit matrix (one table look-up per row).
_VERDICT_CODES = {
    ValidationResult.IS_POSSIBLE: 0,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: 1,
    ValidationResult.INVALID_COUNTRY_CODE: 2,
    ValidationResult.TOO_SHORT: 3,
    ValidationResult.INVALID_LENGTH: 4,
    ValidationResult.TOO_LONG: 5,
}
_TOO_LONG_CODE = _VERDICT_CODES[ValidationResult.TOO_LONG]
_NOT_STRIPPED_CODES = [_VERDICT_CODES[v] for v in _NOT_STRIPPED]
_REASON_STATUS = np.array([INVALID, INVALID, INVALID, TOO_SHORT, INVALID, TOO_LONG], np.int8)


@_per_metadata
def _verdicts(md: PhoneMetadata) -> np.ndarray:
    """``_test_number_length`` per length as small integer codes."""
    return np.array([_VERDICT_CODES[v] for v in _length_table(md)], dtype=np.int8)
