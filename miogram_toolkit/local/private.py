"""Private files and folders: numbers and texts readable by their owner alone.

Files are created 0600 and folders 0700 *by the call that creates them* (``os.open`` and
``os.mkdir`` with the mode), so there is no moment when another user could open them. A folder
the toolkit made earlier with a wider mode is tightened the next time it is used: the toolkit
marks its own folders with a ``.miogram`` file so that it never changes the mode of a folder the
user made (a shared project folder, the current directory).

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = private_dir(Path(tempfile.mkdtemp()) / "journals")
    >>> oct(folder.stat().st_mode & 0o777)
    '0o700'
    >>> path = write_private(folder / "numbers.txt", b"+989121234567")
    >>> oct(path.stat().st_mode & 0o777)
    '0o600'
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO, Any

__all__ = ["FILE_MODE", "FOLDER_MODE", "MARK", "create_private", "open_private", "private_dir",
           "write_private"]

FILE_MODE = 0o600
FOLDER_MODE = 0o700
#: Marks a folder as the toolkit's own, so it may tighten its mode.
MARK = ".miogram"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def private_dir(path: str | os.PathLike[str], *, claim: bool = False) -> Path:
    """Create ``path`` (and missing parents) 0700; tighten it when the toolkit made it earlier.

    ``claim=True`` marks an existing folder as the toolkit's own first (a folder an earlier
    version made without the mark), so it is tightened too.

    Raises:
        NotADirectoryError: ``path`` exists and is not a folder (a symlink to one is followed
            only when the user made it: the toolkit never marks a folder it reached through a
            link).
    """
    folder = Path(path)
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(folder, FOLDER_MODE)
        except FileExistsError:
            pass
        else:
            _mark(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    if claim and not folder.is_symlink():
        _mark(folder)
    if (folder / MARK).is_file() and not folder.is_symlink():
        mode = stat.S_IMODE(folder.stat().st_mode)
        if mode & 0o077:
            os.chmod(folder, mode & ~0o077)
    return folder


def _mark(folder: Path) -> None:
    try:
        fd = os.open(folder / MARK, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, FILE_MODE)
    except OSError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("made by miogram-toolkit; holds private data\n")


def open_private(path: str | os.PathLike[str], mode: str = "wb", **kwargs: Any) -> IO[Any]:
    """Open ``path`` for writing as a private file (0600), never through a symlink.

    ``mode`` is ``"wb"``/``"w"`` (truncate), ``"ab"``/``"a"`` (append) or ``"xb"``/``"x"``
    (must not exist). A file that already exists keeps its content rules but is tightened to
    0600.
    """
    flags = os.O_WRONLY | os.O_CREAT | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    if "a" in mode:
        flags |= os.O_APPEND
    elif "x" in mode:
        flags |= os.O_EXCL
    else:
        flags |= os.O_TRUNC
    fd = os.open(path, flags, FILE_MODE)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode.replace("x", "w"), **kwargs)
    except BaseException:
        os.close(fd)
        raise


def create_private(path: str | os.PathLike[str]) -> bool:
    """Create ``path`` empty and private (0600) unless it exists; True when it was created.

    For files another library then opens (SQLite gives its -wal/-journal files the mode of the
    database file, so they are private too).
    """
    try:
        open_private(path, "xb").close()
    except FileExistsError:
        return False
    return True


def write_private(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` whole into a private file, atomically (a temporary name, then a rename)."""
    from miogram_toolkit.local.atomic import atomic_write

    with atomic_write(path, private=True) as handle:
        handle.write(data)
    return Path(path)
