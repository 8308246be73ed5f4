"""The matrix path's own pieces against their references: automata against ``re``, the matrix
normaliser against the per-cell rules, the matrix parser against phonenumbers."""

from __future__ import annotations

import random
import re

import numpy as np
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata

from miogram_toolkit.phones.automata import compile_dfa, digit_matrix, run_dfa
from miogram_toolkit.phones.codepoints import normalise_array, normalise_matrix
from miogram_toolkit.phones.matrix import _DESCS, _leading_dfa, _plan, parse_many, parse_matrix
from miogram_toolkit.phones.metadata import reference_one
from miogram_toolkit.phones.normalise import kind_name, normalise_phone_text


def _all_metadata() -> list[PhoneMetadata]:
    found = [PhoneMetadata.metadata_for_region(r) for r in sorted(phonenumbers.SUPPORTED_REGIONS)]
    found += [
        PhoneMetadata.metadata_for_nongeo_region(cc)
        for cc in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS)
    ]
    return [md for md in found if md is not None]


def _patterns(md: PhoneMetadata) -> tuple[str | None, ...]:
    descs = [getattr(md, name) for name in _DESCS]
    return tuple(d.national_number_pattern or None if d is not None else None for d in descs)


def _near_misses(md: PhoneMetadata, rng: random.Random) -> list[str]:
    """Digit strings around the metadata's own examples, plus random ones of every length."""
    out = []
    for name in _DESCS:
        desc = getattr(md, name)
        example = getattr(desc, "example_number", None) if desc is not None else None
        if example:
            out += [example, example[:-1], example + "0", rng.choice("0123456789") + example[1:]]
    for _ in range(80):
        out.append("".join(rng.choice("0123456789") for _ in range(rng.randint(0, 18))))
    return out


def test_automaton_matches_re_on_every_pattern_of_every_region() -> None:
    rng = random.Random(2)
    checked = 0
    for md in _all_metadata():
        patterns = _patterns(md)
        dfa = compile_dfa(patterns)
        assert dfa is not None, md.id  # every current pattern is modelled
        numbers = _near_misses(md, rng)
        got = run_dfa(dfa, digit_matrix(numbers, 19)).tolist()
        for number, bits in zip(numbers, got, strict=True):
            expected = sum(
                1 << i for i, p in enumerate(patterns) if p is not None and re.fullmatch(p, number)
            )
            assert bits == expected, (md.id, number)
            checked += 1
    assert checked > 20_000


def test_leading_digits_automaton_is_re_match() -> None:
    rng = random.Random(3)
    for md in _all_metadata():
        if md.leading_digits is None:
            continue
        dfa = _leading_dfa(md.leading_digits)
        assert dfa is not None, md.id
        numbers = _near_misses(md, rng)
        got = run_dfa(dfa, digit_matrix(numbers, 19)).astype(bool).tolist()
        assert got == [re.match(md.leading_digits, n) is not None for n in numbers], md.id


@pytest.mark.parametrize(
    "pattern",
    [r"9(?:0[0-5]|[1-9]\d)\d{7}", r"[2-8]\d{0,3}|1", r"(?:1|2[^0])\d*", r"", r"\d{2,}(?:00)?"],
)
def test_automaton_handles_repeats_classes_and_empty(pattern: str) -> None:
    dfa = compile_dfa((pattern,))
    assert dfa is not None
    numbers = ["", "1", "2", "20", "21", "9", "900", "9001234567", "9061234567", "12345", "1200"]
    got = run_dfa(dfa, digit_matrix(numbers, 12)).astype(bool).tolist()
    assert got == [re.fullmatch(pattern, n) is not None for n in numbers]


def test_unsupported_pattern_gives_none() -> None:
    assert compile_dfa((r"(?=1)\d",)) is None  # lookahead: the caller keeps using re
    assert compile_dfa((r"^1$",)) is None


def test_every_region_has_a_type_automaton() -> None:
    # A region without one would silently fall back to per-row parsing.
    assert all(_plan(md) is not None for md in _all_metadata())


@pytest.mark.parametrize("region", ["IR", "GB", "US", "DE", "AR", "BR", "MX", "IT", "JE", "CA"])
def test_matrix_parser_on_hand_picked_shapes(region: str) -> None:
    # Prefix alternatives (GB "0|180020"), transform rules (AR, BR, MX), shared country codes
    # (+1, +44), Italian leading zeros, the region's own code without "+", too short and long.
    cells = [
        "+441534123456", "+447700900123", "07700900123", "180020" + "7700900123", "4407700900123",
        "+12015550123", "12015550123", "2015550123", "0012015550123", "01112015550123",
        "+390612345678", "00390612345678", "0612345678", "+5491123456789", "01123456789",
        "+5511987654321", "011987654321", "+525512345678", "0445512345678", "+989121234567",
        "989121234567", "09121234567", "00989121234567", "9121234567", "+9809121234567",
        "+800" + "12345678", "+0912", "0000", "1234", "+12", "9" * 21, "0" * 30, "+" + "9" * 19,
    ]
    plus = np.array([c.startswith("+") for c in cells])
    digits = np.array([c.lstrip("+") for c in cells], dtype=object)
    e164, ntype, status = parse_many(plus, digits, region)
    got = list(zip(e164, ntype.tolist(), status.tolist(), strict=True))
    assert got == [reference_one(c, region) for c in cells]


def test_matrix_parser_reads_numbers_wider_than_the_matrix() -> None:
    long = {1: "9" * 40}
    e164, _, status = parse_matrix(
        np.array([False, True]), digit_matrix(["09121234567", ""], 12), np.array([11, 40]), "IR",
        long,
    )
    expected = reference_one("+" + "9" * 40, "IR")
    assert int(e164[0]) == 989121234567
    assert (int(e164[1]), int(status[1])) == (0, expected[2])


# --- the matrix normaliser ----------------------------------------------------------------------

_excel = st.builds(
    lambda lead, rest, dot, frac, e, sign, exp, pad: (
        " " * pad + lead + rest + (("." + frac) if dot else "") + (e + sign + exp if e else "")
        + " " * pad
    ),
    st.sampled_from("123456789"),
    st.text("0123456789", max_size=12),
    st.booleans(),
    st.text("0123456789", max_size=6),
    st.sampled_from(["", "e", "E"]),
    st.sampled_from(["", "+", "-"]),
    st.text("0123456789", min_size=0, max_size=3),
    st.integers(0, 2),
)
_cells = st.one_of(
    _excel,
    st.floats(),
    st.integers(-(10**22), 10**22),
    st.text(st.sampled_from(list("0123456789۰۹٠٩０ +-(),/;|.eE\0\n:tel،")), max_size=60),
    st.text(max_size=20),
    st.none(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_cells, max_size=40))
def test_matrix_normaliser_matches_per_cell_rules(values: list[object]) -> None:
    kind, plus, digits = normalise_array(np.array(values, dtype=object))
    got = [
        (kind_name(k), ("+" if p else "") + d) for k, p, d in zip(kind, plus, digits, strict=True)
    ]
    assert got == [normalise_phone_text(v) for v in values]


def test_matrix_normaliser_block_layout() -> None:
    cells = ["0912 123 4567", None, "9.12E2", "x" * 60 + "12", "9.1E3"]
    block = normalise_matrix(np.array(cells, object))
    assert block.count.tolist() == [11, 0, 3, 2, 0]
    assert block.texts(np.array([0, 2, 3])) == ["09121234567", "912", "12"]
    assert [kind_name(k) for k in block.kind] == ["number", "empty", "number", "number", "rounded"]
    assert (block.digits[1] == 10).all()  # missing cells are all padding
