"""Opt-out words: the replies that mean "never message me again".

A reply opts out when the **whole reply** is one of the list's entries, once both are
normalised the same way: Arabic letters written as their Persian forms (``ي`` → ``ی``,
``ك`` → ``ک``, ``ة`` → ``ه``, ``ى`` → ``ی``, hamza seats → ``ا``), Persian and Arabic-Indic digits
as ASCII (``۱۱`` → ``11``), diacritics, tatweel and zero-width characters removed, case folded,
and every space, punctuation mark and symbol (emoji included) dropped. So ``لغو``, ``لغو ۱۱``,
``STOP!`` and ``Unsubscribe.`` opt out; ``لغو نکنید`` ("don't cancel"), ``stop by our shop`` and
``ممنون`` ("thanks") do not: a word inside a longer sentence is never enough, because people write
"stop" and "لغو" in sentences that mean something else.

The default list (:data:`DEFAULT_WORDS`) holds what Iranian SMS panels honour (``لغو``, ``لغو11``,
a bare ``11`` — the code such messages, the toolkit's sample among them, ask people to send —
``توقف``, ``انصراف``, ``ارسال نکنید``…) and the STOP keywords of the big SMS APIs (``stop``,
``stopall``, ``unsubscribe``, ``cancel``, ``end``, ``quit``…). Edit it per user in the file
``opt-out-words.txt`` of the user data folder (one entry a line, ``#`` starts a comment; a line
``-word`` takes a default out, any other line adds one), or pass ``words=`` in code.

Example:
    >>> words = OptOutWords.default()
    >>> [words.matches(reply) for reply in ("لغو", "STOP!", "لغو ۱۱", "لغو نکنید", "ممنون")]
    [True, True, True, False, False]
    >>> normalise_reply("  لغوِ  ١١ ! ")
    'لغو11'
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

__all__ = ["DEFAULT_WORDS", "WORDS_FILE", "OptOutWords", "is_opt_out", "normalise_reply"]

#: The entries used when the user has not edited the list (Persian first, then English).
DEFAULT_WORDS: tuple[str, ...] = (
    "لغو", "لغو11", "لغو ۱۱", "11", "لغو عضویت", "لغو اشتراک", "توقف", "انصراف", "ارسال نکنید",
    "نفرستید", "پیام ندهید", "پیام نفرستید", "عدم ارسال", "حذف", "حذف شماره", "خاموش",
    "stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "optout", "opt out",
    "revoke", "remove",
)
#: The user's own list, in the user data folder.
WORDS_FILE = "opt-out-words.txt"

# Arabic code points written as their Persian forms, and every digit as ASCII.
_LETTERS = str.maketrans({
    "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "ٱ": "ا",
    "ؤ": "و", **{chr(0x06F0 + d): str(d) for d in range(10)},
    **{chr(0x0660 + d): str(d) for d in range(10)},
})
_DROPPED = re.compile(r"[\u064B-\u065F\u0670\u0640\u200B-\u200F\u2066-\u2069\uFEFF]")


def normalise_reply(text: str) -> str:
    """A reply as the list compares it: Persian letters, ASCII digits, no case, no spaces,
    no punctuation, symbols or emoji.

    Example:
        >>> normalise_reply("Stop!! 🙏")
        'stop'
    """
    folded = unicodedata.normalize("NFKC", str(text)).translate(_LETTERS)
    folded = _DROPPED.sub("", folded).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


class OptOutWords:
    """A list of opt-out entries, compared whole after :func:`normalise_reply`.

    Args:
        entries: the words and phrases, as people write them.
    """

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries: tuple[str, ...] = tuple(dict.fromkeys(e.strip() for e in entries
                                                             if e and e.strip()))
        self._keys = frozenset(filter(None, map(normalise_reply, self.entries)))

    @classmethod
    def default(cls) -> OptOutWords:
        """The built-in list, :data:`DEFAULT_WORDS`."""
        return cls(DEFAULT_WORDS)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> OptOutWords:
        """The defaults edited by a words file: ``path``, or the user's ``opt-out-words.txt``
        in the user data folder when it exists.

        Raises:
            FileNotFoundError: ``path`` was given and does not exist (named in the message).
        """
        if path is None:
            from miogram_toolkit.local import data_dir

            found = data_dir() / WORDS_FILE
            if not found.is_file():
                return cls.default()
            path = found
        file = Path(path)
        if not file.is_file():
            raise FileNotFoundError(f"opt-out words file {str(file)!r} does not exist; write one "
                                    "entry a line (a line '-word' takes a default out)")
        return cls.default().edited(file.read_text(encoding="utf-8-sig").splitlines())

    def edited(self, lines: Iterable[str]) -> OptOutWords:
        """This list with the lines of a words file applied (``-word`` removes, else adds)."""
        entries = list(self.entries)
        for line in lines:
            entry = line.split("#", 1)[0].strip()
            if entry.startswith("-"):
                gone = normalise_reply(entry[1:])
                entries = [e for e in entries if normalise_reply(e) != gone]
            elif entry:
                entries.append(entry)
        return OptOutWords(entries)

    def matches(self, reply: str | None) -> bool:
        """Whether the whole ``reply`` is one of the entries."""
        if not reply:
            return False
        return normalise_reply(reply) in self._keys

    def __contains__(self, reply: object) -> bool:
        return isinstance(reply, str) and self.matches(reply)

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"OptOutWords({len(self.entries)} entries)"


def is_opt_out(reply: str | None, words: OptOutWords | None = None) -> bool:
    """Whether ``reply`` opts out by ``words`` (the default list when None).

    Example:
        >>> is_opt_out("STOP"), is_opt_out("stop by our shop")
        (True, False)
    """
    return (words or OptOutWords.default()).matches(reply)
