"""The per-row string parser: the shapes the digit matrix leaves out, same answers.

:func:`parse_strings` reaches :func:`~miogram_toolkit.phones.metadata.reference_one`'s answers
by replaying the steps of ``phonenumbers.parse`` (``+`` or the region's international prefix,
country code, the region's own country code written without ``+``, national-prefix stripping,
length checks) and then matching the national-number patterns of the metadata in the order
``_number_type_helper`` uses. Each step is a numpy mask or one compiled regex run over a list of
short strings, with no ``PhoneNumber`` object per row. Inputs whose shape it does not replay
(too few or too many digits, an unknown country code after ``+`` or the international prefix, a
``+0``) go to :func:`~miogram_toolkit.phones.metadata.reference_one`; they are rare in real
sheets. :mod:`miogram_toolkit.phones.matrix` is the fast path; this is its fallback.

Example:
    >>> import numpy as np
    >>> plus, digits = np.array([False]), np.array(["09121234567"], object)
    >>> e164, ntype, status = parse_strings(plus, digits, "IR")
    >>> e164[0], TYPE_NAMES[ntype[0]], STATUS_NAMES[status[0]]
    ('+989121234567', 'MOBILE', 'ok')
"""

from __future__ import annotations

import re

import numpy as np
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import (
    COUNTRY_CODE_TO_REGION_CODE,
    ValidationResult,
)

from miogram_toolkit.phones.metadata import (
    _LENGTH_STATUS,
    _MAX_FAST_DIGITS,
    _MAX_NSN,
    _MIN_FAST_DIGITS,
    _NOT_STRIPPED,
    INVALID,
    OK,
    STATUS_NAMES,
    TYPE_NAMES,
    UNKNOWN_TYPE,
    _compiled,
    _desc_pattern,
    _first_chars,
    _full_match_general,
    _length_table,
    _lengths,
    _main_metadata,
    _metadata,
    _per_metadata,
    _split_country_code,
    reference_one,
)

__all__ = ["STATUS_NAMES", "TYPE_NAMES", "parse_strings"]


def _strip_national_prefix(md: PhoneMetadata, numbers: list[str]) -> list[str]:
    """``_maybe_strip_national_prefix_carrier_code`` for each number (the stripped number)."""
    prefix = md.national_prefix_for_parsing
    if not prefix or not numbers:
        return list(numbers)
    rule = md.national_prefix_transform_rule
    general = _desc_pattern(md.general_desc)
    fullmatch = _compiled(general).fullmatch if general else (lambda _n: None)
    out = list(numbers)
    if re.fullmatch(r"[0-9]+", prefix) and not rule:
        # The common case (a literal national prefix such as "0"): no regex to find it. When no
        # national number can start with the prefix's first digit ("0" in Iran), the number with
        # the prefix is never viable, so the prefix always goes and no pattern is needed at all.
        starts = _first_chars(general) if general else None
        if starts is not None and prefix[0] not in starts:
            size = len(prefix)
            return [n[size:] if n.startswith(prefix) else n for n in numbers]
        for i, number in enumerate(numbers):
            if number.startswith(prefix):
                rest = number[len(prefix) :]
                if fullmatch(number) is None or fullmatch(rest) is not None:
                    out[i] = rest
        return out
    prefix_re = _compiled(prefix)
    for i, number in enumerate(numbers):
        match = prefix_re.match(number)
        if not match or not number:
            continue
        viable = fullmatch(number) is not None
        groups = match.groups()
        if not rule or groups[-1] is None:
            rest = number[match.end() :]
        else:
            rest = prefix_re.sub(rule, number, count=1)
        if not viable or fullmatch(rest) is not None:
            out[i] = rest
    return out


def _type_alternatives(md: PhoneMetadata, length: int) -> str | None:
    """One regex whose first matching alternative names the number type, as
    ``_number_type_helper`` decides it, for national numbers of one length."""

    def usable(desc: object) -> str | None:
        pattern = _desc_pattern(desc)
        lengths = getattr(desc, "possible_length", ())
        if pattern is None or (len(lengths) > 0 and length not in lengths):
            return None
        return pattern

    general = usable(md.general_desc)
    if general is None:
        return None
    alts = []
    for name in ("PREMIUM_RATE", "TOLL_FREE", "SHARED_COST", "VOIP", "PERSONAL_NUMBER", "PAGER",
                 "UAN", "VOICEMAIL"):
        pattern = usable(getattr(md, name.lower()))
        if pattern:
            alts.append(f"(?:{pattern})(?P<{name}>)")
    fixed, mobile = usable(md.fixed_line), usable(md.mobile)
    if fixed and md.same_mobile_and_fixed_line_pattern:
        alts.append(f"(?:{fixed})(?P<FIXED_LINE_OR_MOBILE>)")
    elif fixed:
        if mobile:
            alts.append(f"(?=(?:{mobile})\\Z)(?:{fixed})(?P<FIXED_LINE_OR_MOBILE>)")
        alts.append(f"(?:{fixed})(?P<FIXED_LINE>)")
    if mobile and not md.same_mobile_and_fixed_line_pattern:
        alts.append(f"(?:{mobile})(?P<MOBILE>)")
    if not alts:
        return None
    # The empty named group closes last, so Match.lastgroup names the alternative that won.
    return f"(?=(?:{general})\\Z)(?:{'|'.join(alts)})"


@_per_metadata
def _type_regex(md: PhoneMetadata, length: int) -> re.Pattern[str] | None:
    pattern = _type_alternatives(md, length)
    return None if pattern is None else re.compile(pattern)


def _types(md: PhoneMetadata, numbers: list[str]) -> np.ndarray:
    """Type code of each national number under one region's metadata."""
    out = np.full(len(numbers), UNKNOWN_TYPE, dtype=np.int8)
    lengths = _lengths(numbers)
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        regex = _type_regex(md, int(length))
        if regex is None:
            continue
        fullmatch = regex.fullmatch
        codes = _TYPE_BY_GROUP
        out[rows] = [
            UNKNOWN_TYPE if (m := fullmatch(numbers[i])) is None else codes[m.lastgroup]
            for i in rows
        ]
    return out


_TYPE_BY_GROUP = {name: i for i, name in enumerate(TYPE_NAMES)}


def _region_types(cc: int, numbers: list[str]) -> np.ndarray:
    """Type code of each national number of one country code (UNKNOWN when invalid), picking the
    region the way ``region_code_for_number`` does."""
    regions = COUNTRY_CODE_TO_REGION_CODE[cc]
    if len(regions) == 1:
        md = PhoneMetadata.metadata_for_region_or_calling_code(cc, regions[0])
        return _types(md, numbers) if md is not None else np.full(len(numbers), UNKNOWN_TYPE)
    out = np.full(len(numbers), UNKNOWN_TYPE, dtype=np.int8)
    todo = np.arange(len(numbers))
    for region in regions:
        if len(todo) == 0:
            break
        md = _metadata(region)
        if md is None:  # pragma: no cover - the country code map only lists known regions
            continue
        subset = [numbers[i] for i in todo]
        if md.leading_digits is not None:
            match = _compiled(md.leading_digits).match
            hit = np.fromiter((match(n) is not None for n in subset), bool, len(subset))
            out[todo[hit]] = _types(md, [n for n, h in zip(subset, hit, strict=True) if h])
        else:
            types = _types(md, subset)
            hit = types != UNKNOWN_TYPE
            out[todo[hit]] = types[hit]
        todo = todo[~hit]
    return out


def parse_strings(
    plus: np.ndarray, digits: np.ndarray, region: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classify canonical numbers (``"+"`` if ``plus`` else ``""``, then ``digits``), per row.

    The string version of the fast path: per-row string operations and one compiled regex per
    metadata and length, no automaton. :mod:`miogram_toolkit.phones.matrix` uses it for the
    shapes it does not replay.

    Args:
        plus: bool array, a leading ``+`` was written.
        digits: object array of ASCII digit strings.
        region: the default region (upper-case, supported by phonenumbers).

    Returns:
        ``(e164, type_code, status)`` arrays, each element equal to :func:`reference_one`.
    """
    n = len(digits)
    e164 = np.full(n, "", dtype=object)
    type_code = np.full(n, -1, dtype=np.int8)
    status = np.full(n, INVALID, dtype=np.int8)
    md_region = _metadata(region)
    cc_region = int(md_region.country_code or 0)
    nd = _lengths(digits)
    fallback = (nd < _MIN_FAST_DIGITS) | (nd > _MAX_FAST_DIGITS)

    # Where the country code comes from: "+", the international prefix, or the default region.
    cc = np.zeros(n, dtype=np.int64)
    national = digits.copy()
    extracted = np.zeros(n, dtype=bool)

    rows = np.flatnonzero(plus & ~fallback)
    if len(rows):
        found = _split_country_code(list(digits[rows]))
        # "+0..." and unknown codes are retried without "+" by phonenumbers: leave them to it.
        fallback[rows[found == 0]] = True
        ok = rows[found != 0]
        cc[ok] = found[found != 0]
        extracted[ok] = True

    rows = np.flatnonzero(~plus & ~fallback)
    idd = md_region.international_prefix
    if idd and len(rows):
        if re.fullmatch(r"[0-9]+", idd):
            size = len(idd)  # a literal prefix such as "00": no regex needed
            ends = np.array([size if d.startswith(idd) else -1 for d in digits[rows]], np.int64)
        else:
            idd_match = _compiled(idd).match
            ends = np.array(
                [-1 if (m := idd_match(d)) is None else m.end() for d in digits[rows]], np.int64
            )
        subset = digits[rows]
        # The prefix only counts when the next digit is not 0 (country codes never start so).
        stripped = np.array(
            [e >= 0 and d[e : e + 1] != "0" for d, e in zip(subset, ends, strict=True)], bool
        )
        idd_rows, idd_ends = rows[stripped], ends[stripped]
        if len(idd_rows):
            rests = [d[e:] for d, e in zip(digits[idd_rows], idd_ends, strict=True)]
            found = _split_country_code(rests)
            short = _lengths(rests) <= 2
            bad = short | (found == 0)
            fallback[idd_rows[bad]] = True
            good = ~bad
            cc[idd_rows[good]] = found[good]
            extracted[idd_rows[good]] = True
            national[idd_rows[good]] = [
                r[len(str(c)) :] for r, c, g in zip(rests, found, good, strict=True) if g
            ]
        rows = rows[~stripped]
    if len(rows):
        # The region's own country code written without "+" (98912...), kept only when the
        # rest reads better, exactly as _maybe_extract_country_code decides.
        cc[rows] = cc_region
        prefix = str(cc_region)
        starts = np.fromiter((d.startswith(prefix) for d in digits[rows]), bool, len(rows))
        cand = rows[starts]
        if len(cand):
            full = list(digits[cand])
            potential = _strip_national_prefix(md_region, [d[len(prefix) :] for d in full])
            too_long = _length_table(md_region)[_lengths(full)] == ValidationResult.TOO_LONG
            better = ~_full_match_general(md_region, full) & _full_match_general(
                md_region, potential
            )
            take = better | too_long
            extracted[cand[take]] = True
            national[cand[take]] = np.array(potential, dtype=object)[take]

    # After "+": national part is what follows the country code.
    rows = np.flatnonzero(plus & ~fallback)
    if len(rows):
        cut = _lengths([str(c) for c in cc[rows]])
        national[rows] = [d[c:] for d, c in zip(digits[rows], cut, strict=True)]

    alive = np.flatnonzero(~fallback)
    fallback[alive[_lengths(national[alive]) < 2]] = True

    # National-prefix stripping and the type, one metadata at a time: parse() keeps the default
    # region's metadata unless a country code was extracted, then it uses that code's main region.
    live = ~fallback
    groups: list[tuple[np.ndarray, int, PhoneMetadata]] = []
    groups.append((np.flatnonzero(live & ~extracted), cc_region, md_region))
    for code in np.unique(cc[live & extracted]):
        rows = np.flatnonzero(live & extracted & (cc == code))
        main_md = _main_metadata(int(code))
        if main_md is None:  # pragma: no cover - every listed country code has metadata
            fallback[rows] = True
            continue
        groups.append((rows, int(code), main_md))

    for rows, code, md in groups:
        if len(rows) == 0:
            continue
        numbers = list(national[rows])
        without_prefix = _strip_national_prefix(md, numbers)
        verdict = _length_table(md)[_lengths(without_prefix)]
        keep = np.isin(verdict, _NOT_STRIPPED)
        numbers = [n if k else s for n, s, k in zip(numbers, without_prefix, keep, strict=True)]
        lengths = _lengths(numbers)
        long = lengths > _MAX_NSN
        fallback[rows[long]] = True
        rows = rows[~long]
        numbers = [x for x, b in zip(numbers, long, strict=True) if not b]
        if not numbers:
            continue
        types = _region_types(code, numbers)
        type_code[rows] = types
        valid = types != UNKNOWN_TYPE
        status[rows[valid]] = OK
        head = f"+{code}"
        e164[rows[valid]] = [head + x for x, v in zip(numbers, valid, strict=True) if v]
        main = _main_metadata(code)
        reasons = _length_table(main)[lengths[~long][~valid]]
        status[rows[~valid]] = [_LENGTH_STATUS.get(r, INVALID) for r in reasons]

    for i in np.flatnonzero(fallback):
        canonical = ("+" if plus[i] else "") + digits[i]
        e164[i], type_code[i], status[i] = reference_one(canonical, region)
    return e164, type_code, status
