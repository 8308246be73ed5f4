"""Message templates: ``{column}`` placeholders filled from each row, never sent blank.

A template is plain text where ``{name}`` stands for the row's value in the column ``name``
(spaces and Persian letters allowed in the name); ``{{`` and ``}}`` are literal braces. Nothing
else is interpreted: no attribute access, no indexing, no format specs, so a template can never
reach into Python objects.

A row whose value for a placeholder is missing or blank is not rendered: it is reported with the
reason ``missing_value:<column>`` and skipped by the campaign, never sent with a hole in it.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"name": ["Sara", None], "city": ["Tehran", "Shiraz"]})
    >>> placeholders("Hi {name} from {city}! {{not a field}}")
    ['name', 'city']
    >>> texts, missing = render("Hi {name}, see you in {city}", frame)
    >>> texts.tolist(), missing.tolist()
    (['Hi Sara, see you in Tehran', <NA>], [<NA>, 'name'])
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["TemplateError", "check_columns", "parse", "placeholders", "render"]


class TemplateError(ValueError):
    """A template that cannot be read (an unclosed brace, an empty placeholder)."""


def parse(template: str) -> list[tuple[str, str | None]]:
    """Split a template into ``(literal text, placeholder or None)`` pieces.

    Raises:
        TemplateError: a lone ``{`` or ``}``, or an empty ``{}``.

    Example:
        >>> parse("a {x} b {{c}}")
        [('a ', 'x'), (' b {c}', None)]
    """
    pieces: list[tuple[str, str | None]] = []
    literal: list[str] = []
    i, n = 0, len(template)
    while i < n:
        char = template[i]
        if char in "{}" and template.startswith(char * 2, i):
            literal.append(char)
            i += 2
        elif char == "}":
            raise TemplateError(f"message: a lone '}}' at character {i + 1}; write '}}}}' for "
                                "a literal brace")
        elif char == "{":
            end = template.find("}", i + 1)
            inner = template[i + 1:end] if end != -1 else ""
            if end == -1 or "{" in inner:
                raise TemplateError(f"message: the '{{' at character {i + 1} is never closed; "
                                    "write '{{' for a literal brace")
            if not inner.strip():
                raise TemplateError(f"message: an empty placeholder '{{}}' at character {i + 1}; "
                                    "name a column inside the braces")
            pieces.append(("".join(literal), inner.strip()))
            literal = []
            i = end + 1
        else:
            literal.append(char)
            i += 1
    if literal:
        pieces.append(("".join(literal), None))
    return pieces


def placeholders(template: str) -> list[str]:
    """The column names a template uses, in order of first use."""
    names = [name for _, name in parse(template) if name is not None]
    return list(dict.fromkeys(names))


def check_columns(names: Iterable[str], columns: Iterable[object]) -> None:
    """Raise TemplateError naming the first placeholder that is not a column.

    Example:
        >>> check_columns(["name"], ["name", "mobile"])
        >>> try:
        ...     check_columns(["nmae"], ["name", "mobile"])
        ... except TemplateError as error:
        ...     print(error)
        message: the placeholder {nmae} names no column; the columns are 'name', 'mobile'
    """
    present = [str(c) for c in columns]
    for name in names:
        if name not in present:
            shown = ", ".join(repr(c) for c in present)
            raise TemplateError(f"message: the placeholder {{{name}}} names no column; the "
                                f"columns are {shown}")


def _cell_text(values: pd.Series) -> pd.Series:
    """Cells as text; missing and blank cells as ``<NA>``."""
    text = values.astype("string")
    text = text.where(text.str.strip().str.len() > 0)
    # Whole floats read from Excel as 12.0 read better as 12.
    return text.str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)


def render(template: str, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Fill the template from every row of ``frame``.

    Returns:
        ``(texts, missing)`` on ``frame``'s index, both dtype ``string``: the rendered text
        (``<NA>`` when a value is missing) and the first placeholder whose value is missing
        (``<NA>`` when the row rendered).

    Raises:
        TemplateError: the template cannot be read or names a column ``frame`` lacks.
    """
    pieces = parse(template)
    names = [name for _, name in pieces if name is not None]
    check_columns(names, frame.columns)
    by_name = {str(c): c for c in frame.columns}
    texts = pd.Series("", index=frame.index, dtype="string")
    missing = pd.Series(pd.NA, index=frame.index, dtype="string")
    for literal, name in pieces:
        if literal:
            texts = texts + literal
        if name is None:
            continue
        values = frame[by_name[name]]
        if isinstance(values, pd.DataFrame):
            raise TemplateError(f"message: the placeholder {{{name}}} names a column that "
                                "appears more than once; rename one first")
        cells = _cell_text(values)
        missing = missing.mask(missing.isna() & cells.isna(), name)
        texts = texts + cells
    texts = texts.mask(missing.notna())
    return texts, missing
