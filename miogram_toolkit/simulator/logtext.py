"""What the implementation's report log keeps of a text: its unescaped ``INSERT`` over ``utf8``.

``dojob.php`` writes each row with the text pasted between single quotes of an ``INSERT`` (no
escaping) on a ``utf8`` (3-byte) MySQL connection, and silences a failed insert. So the log
holds what MySQL reads from that literal, not always the text sent:

* a ``'`` ends the literal early: the statement fails and **no row** is written (the message
  was delivered and charged all the same); ``''`` and ``\\'`` are read as one quote;
* backslash sequences are read as MySQL reads them: ``\\n`` a newline, ``\\t`` a tab, ``\\0`` a
  NUL, ``\\\\`` one backslash, ``\\%``/``\\_`` kept as written, any other ``\\x`` → ``x``;
  a text ending in a lone backslash escapes the closing quote: no row;
* a character outside the 3-byte range of UTF-8 (an emoji) becomes one ``?`` per byte.

Example:
    >>> stored_text("emoji 😀 here")
    'emoji ???? here'
    >>> stored_text("back\\\\slash and \\\\n")
    'backslash and \\n'
    >>> stored_text("it's") is None
    True
"""

from __future__ import annotations

__all__ = ["stored_text"]

# MySQL's escape sequences inside a string literal (the rest lose their backslash).
_ESCAPES = {"0": "\0", "'": "'", '"': '"', "b": "\b", "n": "\n", "r": "\r", "t": "\t",
            "Z": "\x1a", "\\": "\\", "%": "\\%", "_": "\\_"}


def stored_text(value: str) -> str | None:
    """What the log's ``DATA`` holds for ``value``, or None when the row is never written."""
    out: list[str] = []
    i, size = 0, len(value)
    while i < size:
        char = value[i]
        if char == "\\":
            if i + 1 == size:
                return None  # the backslash escapes the closing quote: a broken statement
            following = value[i + 1]
            out.append(_ESCAPES.get(following, following))
            i += 2
            continue
        if char == "'":
            if value[i + 1:i + 2] != "'":
                return None  # the literal ends here: a broken statement, no row
            out.append("'")
            i += 2
            continue
        out.append("?" * 4 if ord(char) > 0xFFFF else char)
        i += 1
    return "".join(out)
