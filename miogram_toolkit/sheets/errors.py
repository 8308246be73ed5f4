"""The one error of the sheets room: a contact file that cannot be read or written.

Example:
    >>> from miogram_toolkit.sheets import read_contacts
    >>> try:
    ...     read_contacts("nowhere.csv")
    ... except ContactFileError as exc:
    ...     print(exc)
    Contact file 'nowhere.csv' does not exist.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["ContactFileError", "ContactFileWarning", "fail", "quoted"]


class ContactFileError(ValueError):
    """A contact file cannot be read (or written); the message is one sentence naming it.

    Attributes:
        path: the file concerned, or None.

    Example:
        >>> str(ContactFileError("Contact file 'a.csv' is empty.", path="a.csv").path)
        'a.csv'
    """

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(message)
        self.path = None if path is None else Path(path)


class ContactFileWarning(UserWarning):
    """A contact file was read, but something in it needs a look (the message says what)."""


def fail(path: Path, problem: str) -> NoReturn:
    """Raise the reading error ``Contact file '<path>' <problem>.``."""
    # `from None`: the sentence is the whole story; a chained parser traceback only hides it.
    raise ContactFileError(f"Contact file '{path}' {problem}.", path=path) from None


def quoted(names: Iterable[Any]) -> str:
    """``'a', 'b'`` for a message, ``(none)`` when there are none."""
    shown = [repr(str(n)) for n in names]
    return ", ".join(shown) if shown else "(none)"
