"""Files a user names on a command line or in a call: checked before any work starts.

Every door (the ``miogram`` command, the demo, the dashboard) refuses a missing file or a folder
in the same sentence, so the check lives here, below all of them.

Example:
    >>> try:
    ...     existing_file("contacts.xlsx")
    ... except InputError as exc:
    ...     print(exc)
    Contact file 'contacts.xlsx' does not exist
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["InputError", "existing_file"]


class InputError(ValueError):
    """The user's input was refused; the message is one sentence naming the thing."""


def existing_file(path: str | Path, what: str = "Contact file") -> Path:
    """``path`` as a Path when it is an existing file; else one :class:`InputError` sentence.

    Args:
        path: the file as the user wrote it (named back to them in the message).
        what: how to call it in the message ("Contact file", "Journal", "Message file").
    """
    found = Path(path)
    if found.is_dir():
        raise InputError(f"{what} '{path}' is a folder; give the file inside it")
    if not found.exists():
        raise InputError(f"{what} '{path}' does not exist")
    return found
