"""An exclusive lock file, with or without ``fcntl``, that never follows a planted symlink.

The lock is held by an open file descriptor: ``fcntl.flock`` where it exists, ``msvcrt.locking``
on Windows. The file is opened with ``O_NOFOLLOW`` and 0600, so a symlink planted at its name
makes :class:`LockFile` refuse instead of truncating or creating the link's target. The holder's
process id is written inside, for the message a second holder gets. A lock dies with its process:
no stale lock is ever left by a crash.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "state.lock"
    >>> with LockFile(path):
    ...     try:
    ...         LockFile(path).acquire()
    ...     except LockBusy as exc:
    ...         print("busy")
    busy
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

__all__ = ["LockBusy", "LockFile", "SymlinkRefused"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class LockBusy(RuntimeError):
    """Another process holds the lock."""


class SymlinkRefused(OSError):
    """The lock's name is a symlink: somebody planted it; the lock is refused."""


class LockFile:
    """An exclusive, non-blocking lock on ``path`` (``acquire``/``release`` or ``with``)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> LockFile:
        if self._fd is not None:
            return self
        if self.path.is_symlink():
            raise SymlinkRefused(f"{self.path} is a symbolic link; refusing to use it as a lock")
        flags = os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as exc:
            if self.path.is_symlink():
                raise SymlinkRefused(
                    f"{self.path} is a symbolic link; refusing to use it as a lock") from None
            raise exc
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            holder = _read_holder(self.path)
            raise LockBusy(f"{self.path} is held by another process"
                           + (f" (pid {holder})" if holder else "")) from None
        if not _same_file(fd, self.path):
            # The holder removed the name between our open and our lock: try the new name.
            os.close(fd)
            return self.acquire()
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def release(self, *, remove: bool = True) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if remove:
            # Removed while still held, so no other process can be holding the same name.
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        with contextlib.suppress(OSError):
            _unlock(fd)
        os.close(fd)

    def __enter__(self) -> LockFile:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _same_file(fd: int, path: Path) -> bool:
    try:
        named = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _read_holder(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return ""
    try:
        return os.read(fd, 32).decode("ascii", "replace").strip()
    finally:
        os.close(fd)


try:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
