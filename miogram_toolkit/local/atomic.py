"""Whole-file writes: a reader sees the old file or the new one, never half of either.

The data goes to a temporary file made by :func:`tempfile.mkstemp` in the target's own folder (an
unpredictable name, created exclusively, 0600, never through a symlink), is flushed to disk, then
renamed over the target. A failure removes the temporary file and leaves the target as it was.

``private=False`` (reports the user asks for, meant to be shared) gives the finished file the
mode the umask allows, as an ordinary ``open`` would; ``private=True`` keeps 0600.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "report.csv"
    >>> with atomic_write(target) as handle:
    ...     _ = handle.write(b"phone\\n+989121234567\\n")
    >>> target.read_text()
    'phone\\n+989121234567\\n'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_write", "umask_mode"]


def umask_mode() -> int:
    """The mode an ordinary new file gets under the current umask (0o666 less the umask)."""
    current = os.umask(0o022)
    os.umask(current)
    return 0o666 & ~current


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], *, private: bool = False) -> Iterator[IO[bytes]]:
    """Yield a binary file; on success it replaces ``path`` whole.

    Raises:
        FileNotFoundError: the target's folder does not exist (named in the message).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"{target}: the folder {folder} does not exist")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if not private:
            os.chmod(temp, umask_mode())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
