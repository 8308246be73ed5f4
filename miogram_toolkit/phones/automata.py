"""Match many digit strings against phonenumbers' metadata patterns at once, with one DFA.

phonenumbers decides validity and number type by ``re.fullmatch`` of national-number patterns
such as ``9(?:0[0-5]|[1-9]\\d)\\d{7}``. Calling ``re`` once per number and pattern is what made
per-row parsing slow. These patterns only use digits, classes, groups, alternation and bounded
repeats, so each one is a regular language over the ten digits; :func:`compile_dfa` turns a
tuple of them into ONE deterministic automaton whose states carry a bitmask of the patterns that
accept there, and :func:`run_dfa` moves a whole matrix of numbers (one row each, one digit per
column) through it a column at a time: ``state = table[state, column]``, a few milliseconds per
column for a million rows.

The pattern is read with Python's own regex parser (``re._parser``), so the automaton accepts
exactly the strings ``re.fullmatch`` accepts; a pattern using anything else (anchors, lookaround,
back-references) makes :func:`compile_dfa` return None and the caller keeps using ``re``. The
tests compare the two on every pattern of every region.

Example:
    >>> import numpy as np
    >>> dfa = compile_dfa(("9[0-39]\\\\d{8}", "21\\\\d{8}"))
    >>> rows = digit_matrix(["9121234567", "2188881234", "912"], width=10)
    >>> run_dfa(dfa, rows).tolist()
    [1, 2, 0]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

#: The symbol for "no digit here" (past the end of a number): it leaves the state unchanged.
PAD = 10
_ALL_DIGITS = (1 << 10) - 1
# Past this many states the automaton is not worth building; the caller falls back to ``re``.
_MAX_STATES = 20_000


class Unsupported(Exception):
    """A pattern uses regex features the digit automaton does not model."""


@dataclass(frozen=True)
class DigitDFA:
    """A deterministic automaton over the digits 0-9 plus :data:`PAD`.

    Attributes:
        table: ``(states, 11)`` transitions; state 0 is dead, state 1 the start; the
            :data:`PAD` column maps each state to itself.
        accepts: per state, a bitmask with bit ``i`` set when pattern ``i`` fully matches
            the digits read so far.
    """

    table: np.ndarray
    accepts: np.ndarray


class _NFA:
    """A Thompson automaton: transitions on digit sets, plus epsilon moves."""

    def __init__(self) -> None:
        self.moves: list[list[tuple[int, int]]] = []  # state -> [(digit set mask, target)]
        self.eps: list[list[int]] = []

    def state(self) -> int:
        self.moves.append([])
        self.eps.append([])
        return len(self.moves) - 1

    def build(self, tokens: object, start: int) -> int:
        """Add the automaton for parsed ``tokens`` after ``start``; return its end state."""
        from re import _constants as c  # type: ignore[attr-defined]

        state = start
        for op, av in tokens:  # type: ignore[attr-defined]
            if op is c.LITERAL or op is c.IN or op is c.NOT_LITERAL or op is c.ANY:
                end = self.state()
                mask = _charset(op, av)
                if mask:
                    self.moves[state].append((mask, end))
                state = end
            elif op is c.SUBPATTERN:
                if av[1] or av[2]:  # inline flags change nothing for digits, but stay safe
                    raise Unsupported("inline flags")
                state = self.build(av[3], state)
            elif op is c.BRANCH:
                end = self.state()
                for branch in av[1]:
                    first = self.state()
                    self.eps[state].append(first)
                    self.eps[self.build(branch, first)].append(end)
                state = end
            elif op is c.MAX_REPEAT or op is c.MIN_REPEAT or op is c.POSSESSIVE_REPEAT:
                if op is c.POSSESSIVE_REPEAT:
                    raise Unsupported("possessive repeat")
                low, high, body = av
                for _ in range(low):
                    state = self.build(body, state)
                if high is c.MAXREPEAT:
                    loop = self.state()
                    self.eps[state].append(loop)
                    self.eps[self.build(body, loop)].append(loop)
                    state = loop
                else:
                    end = self.state()
                    for _ in range(high - low):
                        self.eps[state].append(end)
                        state = self.build(body, state)
                    self.eps[state].append(end)
                    state = end
            else:
                raise Unsupported(str(op))
        return state


def _charset(op: object, av: object) -> int:
    """The digits (as a 10-bit mask) one character token matches."""
    from re import _constants as c  # type: ignore[attr-defined]

    def bit(code: int) -> int:
        return 1 << (code - 0x30) if 0x30 <= code <= 0x39 else 0

    if op is c.LITERAL:
        return bit(av)  # type: ignore[arg-type]
    if op is c.NOT_LITERAL:
        return _ALL_DIGITS & ~bit(av)  # type: ignore[arg-type]
    if op is c.ANY:
        return _ALL_DIGITS
    mask, negate = 0, False
    for item_op, item in av:  # type: ignore[attr-defined]
        if item_op is c.NEGATE:
            negate = True
        elif item_op is c.LITERAL:
            mask |= bit(item)
        elif item_op is c.RANGE:
            for code in range(max(item[0], 0x30), min(item[1], 0x39) + 1):
                mask |= bit(code)
        elif item_op is c.CATEGORY and item is c.CATEGORY_DIGIT:
            # Only ASCII digits ever reach the automaton, and \d matches all of them.
            mask |= _ALL_DIGITS
        else:
            raise Unsupported(f"class item {item_op}")
    return _ALL_DIGITS & ~mask if negate else mask


@cache
def compile_dfa(patterns: tuple[str | None, ...]) -> DigitDFA | None:
    """One automaton for ``patterns`` (at most 16); bit ``i`` of ``accepts`` is pattern ``i``.

    A None pattern never matches (a description the metadata leaves out).

    Returns None when a pattern uses something the automaton does not model, or the automaton
    would be too large; the caller then matches with ``re`` instead.

    Example:
        >>> dfa = compile_dfa(("1\\\\d", "\\\\d2"))
        >>> int(dfa.accepts[dfa.table[dfa.table[1, 1], 2]])
        3
    """
    from re import _parser  # type: ignore[attr-defined]

    if len(patterns) > 16:
        raise ValueError("at most 16 patterns per automaton")
    nfa = _NFA()
    start = nfa.state()
    finals: dict[int, int] = {}
    try:
        for i, pattern in enumerate(patterns):
            if pattern is None:
                continue
            first = nfa.state()
            nfa.eps[start].append(first)
            end = nfa.build(_parser.parse(pattern), first)
            finals[end] = finals.get(end, 0) | (1 << i)
    except (Unsupported, Exception):  # noqa: BLE001 - any parse surprise means "use re"
        return None
    return _determinise(nfa, start, finals)


def _determinise(nfa: _NFA, start: int, finals: dict[int, int]) -> DigitDFA | None:
    closures: dict[int, frozenset[int]] = {}

    def closure(state: int) -> frozenset[int]:
        found = closures.get(state)
        if found is None:
            seen, todo = {state}, [state]
            while todo:
                for nxt in nfa.eps[todo.pop()]:
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            found = closures[state] = frozenset(seen)
        return found

    dead: frozenset[int] = frozenset()
    ids: dict[frozenset[int], int] = {dead: 0}
    order = [dead, closure(start)]
    ids[order[1]] = 1
    rows: list[list[int]] = [[0] * 10]
    accepts = [0]
    i = 1
    while i < len(order):
        current = order[i]
        row = []
        for digit in range(10):
            bit = 1 << digit
            target: set[int] = set()
            for state in current:
                for mask, nxt in nfa.moves[state]:
                    if mask & bit:
                        target |= closure(nxt)
            key = frozenset(target)
            index = ids.get(key)
            if index is None:
                index = ids[key] = len(order)
                order.append(key)
                if len(order) > _MAX_STATES:
                    return None
            row.append(index)
        rows.append(row)
        mask = 0
        for state in current:
            mask |= finals.get(state, 0)
        accepts.append(mask)
        i += 1
    count = len(order)
    table = np.empty((count, 11), dtype=np.int32)
    table[:, :10] = rows
    table[:, PAD] = np.arange(count)
    return DigitDFA(table=table, accepts=np.asarray(accepts, dtype=np.uint16))


def run_dfa(dfa: DigitDFA, digits: np.ndarray) -> np.ndarray:
    """The accept bitmask reached by each row of a ``(rows, columns)`` uint8 digit matrix.

    Each row holds one number's digits from column 0, then :data:`PAD` to the end.

    Example:
        >>> run_dfa(compile_dfa(("12",)), digit_matrix(["12", "1"], width=3)).tolist()
        [1, 0]
    """
    flat = dfa.table.ravel()
    state = np.ones(len(digits), dtype=np.int32)
    if len(digits) == 0:
        return dfa.accepts[state]
    # Columns of the transposed copy are contiguous, which is what the loop reads.
    columns = np.ascontiguousarray(digits.T)
    for column in columns:
        if column.min() == PAD:
            break  # every row has ended: no later column can change a state
        state = flat[state * 11 + column]
    return dfa.accepts[state]


def digit_matrix(numbers: list[str], width: int) -> np.ndarray:
    """Digit strings (ASCII, at most ``width`` long) as a uint8 matrix padded with :data:`PAD`.

    Example:
        >>> digit_matrix(["12"], 3).tolist()
        [[1, 2, 10]]
    """
    out = np.full((len(numbers), width), PAD, dtype=np.uint8)
    if numbers:
        codes = np.array(numbers, dtype=f"S{width}").view(np.uint8).reshape(len(numbers), width)
        out[codes != 0] = codes[codes != 0] - 0x30
    return out


def matrix_texts(digits: np.ndarray, rows: np.ndarray, long: dict[int, str]) -> list[str]:
    """The digits of ``rows`` of a digit matrix as ASCII strings (``long`` holds those too wide).

    Example:
        >>> matrix_texts(digit_matrix(["0912", "1"], 6), np.arange(2), {})
        ['0912', '1']
    """
    block = digits[rows]
    ascii_ = np.where(block < PAD, block + 0x30, 0).astype(np.uint8)
    out = np.ascontiguousarray(ascii_).view(f"S{block.shape[1]}").ravel().tolist()
    return [long[i] if i in long else b.decode("ascii")
            for i, b in zip(rows.tolist(), out, strict=True)]
