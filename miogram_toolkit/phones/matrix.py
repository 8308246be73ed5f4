"""Parse, validate and type a whole matrix of canonical numbers at once, phonenumbers-exact.

Input is what :func:`miogram_toolkit.phones.codepoints.normalise_matrix` produces: a uint8 matrix
with one number per row (its digits from column 0, then ``PAD``), the digit counts and whether a
``+`` was written. :func:`parse_matrix` replays the steps of ``phonenumbers.parse`` for the
common shapes, each as arithmetic on matrix columns:

* the country code after ``+`` or a literal international prefix (``00``): the first one to
  three digits looked up in a table of known codes;
* the default region's own code written without ``+`` (``98912...``) and the national prefix
  (``0``): kept or dropped exactly as ``_maybe_extract_country_code`` and
  ``_maybe_strip_national_prefix_carrier_code`` decide, with the general pattern matched by an
  automaton;
* the number type: one automaton per region over all its national-number patterns
  (:mod:`miogram_toolkit.phones.automata`), whose accept bits, masked by the possible lengths, are
  turned into a type by a table built from ``_number_type_helper``'s order.

Whatever it does not replay (too few or too many digits, unknown country codes, international
prefixes or national prefixes given as patterns, transform rules, patterns the automaton cannot
model) goes to the per-row string parser
:func:`miogram_toolkit.phones.fallback.parse_strings`, which
is itself exact. The answers equal ``phonenumbers`` row for row; the tests check it.

Example:
    >>> from miogram_toolkit.phones.automata import digit_matrix
    >>> e164, ntype, status = parse_matrix(
    ...     np.array([False]), digit_matrix(["09121234567"], 12), np.array([11]), "IR")
    >>> int(e164[0]), TYPE_NAMES[ntype[0]], STATUS_NAMES[status[0]]
    (989121234567, 'MOBILE', 'ok')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from miogram_toolkit.phones.automata import (
    PAD,
    DigitDFA,
    compile_dfa,
    digit_matrix,
    matrix_texts,
    run_dfa,
)
from miogram_toolkit.phones.fallback import parse_strings
from miogram_toolkit.phones.metadata import (
    _MAX_FAST_DIGITS,
    _MAX_NSN,
    _MIN_FAST_DIGITS,
    _NOT_STRIPPED_CODES,
    _REASON_STATUS,
    _TOO_LONG_CODE,
    INVALID,
    OK,
    STATUS_NAMES,
    TYPE_NAMES,
    UNKNOWN_TYPE,
    _desc_pattern,
    _first_chars,
    _main_metadata,
    _metadata,
    _per_metadata,
    _verdicts,
)

__all__ = ["parse_many", "parse_matrix", "STATUS_NAMES", "TYPE_NAMES"]

# The descriptions in the bit order of the automaton: general first, then _number_type_helper's
# own order (the special types, fixed line, mobile).
_DESCS = (
    "general_desc",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)
_GENERAL, _FIXED, _MOBILE = 1, 1 << 9, 1 << 10
_SPECIAL_TYPES = [TYPE_NAMES.index(name.upper()) for name in _DESCS[1:9]]
_FIXED_OR_MOBILE = TYPE_NAMES.index("FIXED_LINE_OR_MOBILE")
_FIXED_LINE = TYPE_NAMES.index("FIXED_LINE")
_MOBILE_TYPE = TYPE_NAMES.index("MOBILE")
_POW10 = 10 ** np.arange(20, dtype=np.uint64)

_KNOWN_CC = np.zeros(1200, dtype=bool)
_KNOWN_CC[list(COUNTRY_CODE_TO_REGION_CODE)] = True


@dataclass(frozen=True)
class _Plan:
    """What the matrix path needs from one metadata, or why it cannot use it."""

    dfa: DigitDFA  # bit i: description i's pattern matches (no length check)
    allowed: np.ndarray  # per national length: bits whose possible lengths admit it
    type_of: np.ndarray  # per bitmask: the type _number_type_helper gives
    prefixes: tuple[tuple[int, ...], ...]  # literal national prefixes for parsing, in order
    prefix_ok: bool  # False: a prefix pattern or transform rule only the string parser replays
    strip_always: bool  # no national number starts like the prefix: strip it whenever present


@_per_metadata
def _plan(md: PhoneMetadata) -> _Plan | None:
    """The matrix plan of one metadata; None when its patterns have no automaton."""
    descs = [getattr(md, name) for name in _DESCS]
    dfa = compile_dfa(tuple(_desc_pattern(d) if d is not None else None for d in descs))
    if dfa is None:
        return None
    prefix_text = md.national_prefix_for_parsing or ""
    # Literal prefixes, or alternatives of them ("0|180020"): re.match takes the first
    # alternative, in order, that the number starts with. Anything else (groups, classes,
    # transform rules) is left to the string parser.
    alternatives = prefix_text.split("|") if prefix_text else []
    literal = all(a.isdigit() and a.isascii() for a in alternatives) and not (
        alternatives and md.national_prefix_transform_rule
    )
    allowed = np.zeros(_MAX_NSN + 2, dtype=np.uint16)
    for bit, desc in enumerate(descs):
        if desc is None:
            continue
        lengths = desc.possible_length
        for length in range(len(allowed)):
            if len(lengths) == 0 or length in lengths:
                allowed[length] |= 1 << bit
    same = bool(md.same_mobile_and_fixed_line_pattern)
    type_of = np.full(1 << len(_DESCS), UNKNOWN_TYPE, dtype=np.int8)
    for bits in range(len(type_of)):
        type_of[bits] = _type_of_bits(bits, same)
    general = _desc_pattern(md.general_desc)
    starts = _first_chars(general) if general else None
    return _Plan(
        dfa=dfa,
        allowed=allowed,
        type_of=type_of,
        prefixes=tuple(tuple(int(c) for c in a) for a in alternatives) if literal else (),
        prefix_ok=literal,
        strip_always=starts is not None and all(a[0] not in starts for a in alternatives),
    )


def _type_of_bits(bits: int, same_mobile_and_fixed: bool) -> int:
    """``_number_type_helper`` on which descriptions match (lengths already checked)."""
    if not bits & _GENERAL:
        return UNKNOWN_TYPE
    for i, code in enumerate(_SPECIAL_TYPES, start=1):
        if bits & (1 << i):
            return code
    if bits & _FIXED:
        if same_mobile_and_fixed or bits & _MOBILE:
            return _FIXED_OR_MOBILE
        return _FIXED_LINE
    if not same_mobile_and_fixed and bits & _MOBILE:
        return _MOBILE_TYPE
    return UNKNOWN_TYPE


@cache
def _leading_dfa(pattern: str) -> DigitDFA | None:
    # re.match(leading_digits, n) succeeds when some prefix of n matches: n is in L·[0-9]*.
    return compile_dfa((f"(?:{pattern})[0-9]*",))


def _national(digits: np.ndarray, rows: np.ndarray, start: np.ndarray, width: int) -> np.ndarray:
    """Each row's digits from its own ``start`` on, in a matrix ``width`` wide."""
    out = np.full((len(rows), width), PAD, dtype=np.uint8)
    # Few distinct starts occur (0, 1, 2, 4...): one slice per start beats a 2-D gather.
    for at in np.unique(start).tolist():
        sel = np.flatnonzero(start == at)
        part = digits[rows[sel], at : at + width]
        out[sel, : part.shape[1]] = part
    return out


def _general(plan: _Plan, digits: np.ndarray, rows: np.ndarray, start: np.ndarray) -> np.ndarray:
    """``_match_national_number(n, general_desc)`` for each row's digits from ``start``."""
    block = _national(digits, rows, start, _MAX_FAST_DIGITS + 1)
    return (run_dfa(plan.dfa, block) & _GENERAL).astype(bool)


def _strip_prefix(
    plan: _Plan, digits: np.ndarray, rows: np.ndarray, start: np.ndarray
) -> np.ndarray:
    """``_maybe_strip_national_prefix_carrier_code``: where each national number starts after
    it (for literal prefixes without a transform rule, which is all a plan allows)."""
    if not plan.prefixes or len(rows) == 0:
        return start
    end = np.full(len(rows), -1, dtype=np.int64)
    for prefix in plan.prefixes:
        match = end < 0
        for j, digit in enumerate(prefix):
            match &= digits[rows, start + j] == digit
        end[match] = start[match] + len(prefix)
    starts = end >= 0
    if not plan.strip_always:
        cand = np.flatnonzero(starts)
        viable = _general(plan, digits, rows[cand], start[cand])
        rest = _general(plan, digits, rows[cand], end[cand])
        starts[cand] = ~viable | rest
    return np.where(starts, end, start)


def _country_code_at(digits: np.ndarray, rows: np.ndarray, at: np.ndarray | int) -> np.ndarray:
    """``_extract_country_code`` on the digits from ``at``: the code's value, 0 when none."""
    d0 = digits[rows, at].astype(np.int64)
    d1 = digits[rows, at + 1].astype(np.int64)
    d2 = digits[rows, at + 2].astype(np.int64)
    two, three = d0 * 10 + d1, d0 * 100 + d1 * 10 + d2
    found = np.where(_KNOWN_CC[three] & (d1 < PAD) & (d2 < PAD), three, 0)
    found = np.where(_KNOWN_CC[two] & (d1 < PAD), two, found)
    found = np.where(_KNOWN_CC[d0], d0, found)
    return np.where((d0 == 0) | (d0 == PAD), 0, found)


def _code_size(cc: np.ndarray) -> np.ndarray:
    return 1 + (cc >= 10) + (cc >= 100)


def _types(md: PhoneMetadata | None, block: np.ndarray, length: np.ndarray) -> np.ndarray | None:
    if md is None:
        return np.full(len(block), UNKNOWN_TYPE, dtype=np.int8)
    plan = _plan(md)
    if plan is None:
        return None
    bits = run_dfa(plan.dfa, block) & plan.allowed[length]
    return plan.type_of[bits]


def _region_types(cc: int, block: np.ndarray, length: np.ndarray) -> np.ndarray | None:
    """Type of each national number of one country code, picking the region the way
    ``region_code_for_number`` does; None when only the string parser can tell."""
    regions = COUNTRY_CODE_TO_REGION_CODE[cc]
    if len(regions) == 1:
        return _types(PhoneMetadata.metadata_for_region_or_calling_code(cc, regions[0]), block,
                      length)
    out = np.full(len(block), UNKNOWN_TYPE, dtype=np.int8)
    todo = np.arange(len(block))
    for region in regions:
        if len(todo) == 0:
            break
        md = PhoneMetadata.metadata_for_region(region, None)
        if md is None:  # pragma: no cover - the country code map only lists known regions
            continue
        if md.leading_digits is not None:
            leading = _leading_dfa(md.leading_digits)
            if leading is None:
                return None
            hit = run_dfa(leading, block[todo]).astype(bool)
            types = _types(md, block[todo[hit]], length[todo[hit]])
            if types is None:
                return None
            out[todo[hit]] = types
        else:
            types = _types(md, block[todo], length[todo])
            if types is None:
                return None
            hit = types != UNKNOWN_TYPE
            out[todo[hit]] = types[hit]
        todo = todo[~hit]
    return out


def parse_matrix(
    plus: np.ndarray,
    digits: np.ndarray,
    count: np.ndarray,
    region: str,
    long: dict[int, str] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classify canonical numbers given as a digit matrix.

    Args:
        plus: bool per row, a leading ``+`` was written.
        digits: uint8 matrix, each row's digits from column 0 then ``PAD``; at least one
            column wider than the longest number.
        count: digits per row.
        region: the default region (upper-case, supported by phonenumbers).
        long: digit texts of rows too wide for the matrix.

    Returns:
        ``(e164, type_code, status)``: E.164 as an unsigned integer (its digits without ``+``;
        0 when not valid), an index into :data:`TYPE_NAMES` (-1 when it did not parse) and a
        status code, each equal to :func:`miogram_toolkit.phones.metadata.reference_one`.
    """
    n = len(count)
    e164 = np.zeros(n, dtype=np.uint64)
    type_code = np.full(n, -1, dtype=np.int8)
    status = np.full(n, INVALID, dtype=np.int8)
    if digits.shape[1] < _MAX_FAST_DIGITS + 4:  # room to read a few digits past any number
        wider = np.full((n, _MAX_FAST_DIGITS + 4), PAD, dtype=np.uint8)
        wider[:, : digits.shape[1]] = digits
        digits = wider
    count = np.asarray(count, dtype=np.int64)
    md_region = _metadata(region)
    cc_region = int(md_region.country_code or 0)
    fallback = (count < _MIN_FAST_DIGITS) | (count > _MAX_FAST_DIGITS)
    if long:
        # Their matrix rows hold no digits: only the string parser sees them.
        fallback[list(long)] = True
    cc = np.zeros(n, dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)  # where the national number starts in the row
    extracted = np.zeros(n, dtype=bool)  # the country code came from the number itself

    def take_code(rows: np.ndarray, at: np.ndarray | int) -> None:
        found = _country_code_at(digits, rows, at)
        # "+0...", unknown codes, too little after an international prefix: phonenumbers
        # retries or raises; the string parser replays that.
        bad = (found == 0) | (count[rows] - at <= 2)
        fallback[rows[bad]] = True
        rows, found = rows[~bad], found[~bad]
        at = at if isinstance(at, int) else at[~bad]
        cc[rows], start[rows], extracted[rows] = found, at + _code_size(found), True

    take_code(np.flatnonzero(plus & ~fallback), 0)

    rows = np.flatnonzero(~plus & ~fallback)
    idd = md_region.international_prefix
    if idd and len(rows):
        if idd.isdigit() and idd.isascii():
            size = len(idd)
            match = np.ones(len(rows), dtype=bool)
            for j, digit in enumerate(idd):
                match &= digits[rows, j] == int(digit)
            # The prefix only counts when the next digit is not 0 (country codes never start so).
            match &= digits[rows, size] != 0
            take_code(rows[match], size)
        else:
            # A pattern: numbers that may start with it go to the string parser.
            first = _first_chars(idd)
            heads = [int(c) for c in first if "0" <= c <= "9"] if first is not None else None
            match = np.isin(digits[rows, 0], heads) if heads is not None else count[rows] >= 0
            fallback[rows[match]] = True
        rows = rows[~match]
    if len(rows):
        # The region's own country code written without "+" (98912...), taken only when the
        # rest reads better, exactly as _maybe_extract_country_code decides.
        cc[rows] = cc_region
        head = str(cc_region)
        match = np.ones(len(rows), dtype=bool)
        for j, digit in enumerate(head):
            match &= digits[rows, j] == int(digit)
        cand = rows[match]
        plan = _plan(md_region)
        if len(cand) and (plan is None or not plan.prefix_ok):
            fallback[cand] = True
        elif len(cand) and plan is not None and plan.prefix_ok:
            potential = _strip_prefix(plan, digits, cand, np.full(len(cand), len(head)))
            zero = np.zeros(len(cand), dtype=np.int64)
            too_long = _verdicts(md_region)[count[cand]] == _TOO_LONG_CODE
            better = ~_general(plan, digits, cand, zero) & _general(plan, digits, cand, potential)
            take = better | too_long
            extracted[cand[take]] = True
            start[cand[take]] = potential[take]

    fallback |= count - start < 2

    # parse() keeps the default region's metadata unless a country code was extracted; then it
    # uses that code's main region.
    live = ~fallback
    groups: list[tuple[np.ndarray, int, PhoneMetadata | None]] = [
        (np.flatnonzero(live & ~extracted), cc_region, md_region)
    ]
    for code in np.unique(cc[live & extracted]).tolist():
        groups.append((np.flatnonzero(live & extracted & (cc == code)), code, None))
    for rows, code, group_md in groups:
        md = group_md if group_md is not None else _main_metadata(code)
        plan = _plan(md) if md is not None else None
        if len(rows) == 0:
            continue
        if plan is None or not plan.prefix_ok:
            fallback[rows] = True
            continue
        begin = start[rows]
        stripped = _strip_prefix(plan, digits, rows, begin)
        verdict = _verdicts(md)[np.minimum(count[rows] - stripped, _MAX_FAST_DIGITS + 1)]
        begin = np.where(np.isin(verdict, _NOT_STRIPPED_CODES), begin, stripped)
        length = count[rows] - begin
        too_long = length > _MAX_NSN
        fallback[rows[too_long]] = True
        rows, begin, length = rows[~too_long], begin[~too_long], length[~too_long]
        block = _national(digits, rows, begin, int(length.max(initial=0)) + 1)
        types = _region_types(code, block, length)
        if types is None:
            fallback[rows] = True
            continue
        type_code[rows] = types
        valid = types != UNKNOWN_TYPE
        status[rows[valid]] = OK
        value = np.zeros(int(valid.sum()), dtype=np.uint64)
        for column in block[valid].T:
            more = column < PAD
            value = np.where(more, value * np.uint64(10) + column, value)
        e164[rows[valid]] = np.uint64(code) * _POW10[length[valid]] + value
        main = _main_metadata(code)
        status[rows[~valid]] = _REASON_STATUS[_verdicts(main)[length[~valid]]]

    rows = np.flatnonzero(fallback)
    if len(rows):
        texts = matrix_texts(digits, rows, long or {})
        e, t, s = parse_strings(plus[rows], np.array(texts, dtype=object), region)
        e164[rows] = [int(x[1:]) if x else 0 for x in e]
        type_code[rows], status[rows] = t, s
    return e164, type_code, status


def parse_many(
    plus: np.ndarray, digits: np.ndarray, region: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classify canonical numbers (``"+"`` if ``plus`` else ``""``, then ``digits``).

    The digits go into a matrix for :func:`parse_matrix`, the
    fast path, which hands the shapes it does not replay to :func:`parse_strings`.

    Args:
        plus: bool array, a leading ``+`` was written.
        digits: object array of ASCII digit strings.
        region: the default region (upper-case, supported by phonenumbers).

    Returns:
        ``(e164, type_code, status)`` arrays, each element equal to :func:`reference_one`
        (E.164 as text, ``""`` when not valid).
    """
    texts = [str(d) for d in digits]
    count = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    width = _MAX_FAST_DIGITS + 4
    long = {i: t for i, t in enumerate(texts) if len(t) >= width}
    matrix = digit_matrix([t if len(t) < width else "" for t in texts], width)
    e164, type_code, status = parse_matrix(np.asarray(plus, bool), matrix, count, region, long)
    out = np.full(len(texts), "", dtype=object)
    valid = e164 != 0
    out[valid] = [f"+{x}" for x in e164[valid].tolist()]
    return out, type_code, status
