"""What every writer of the sheets room checks before writing, and the progress it shows.

* :func:`check_target`: the extension, the folder, and an existing file that is replaced only
  with ``force=True`` (the ``miogram`` commands' ``--force``);
* :func:`progress_bar`: a tqdm bar for long work (big sheets), nothing for short work or when the
  caller says ``progress=False`` (the commands' ``--quiet``).

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "out.csv"
    >>> check_target(target, (".csv",)) == target
    True
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from miogram_toolkit.sheets.errors import ContactFileError

__all__ = ["BIG", "OutputExists", "check_target", "progress_bar"]

#: From this many rows on, writing and cleaning show a progress bar unless told not to.
BIG = 100_000


class OutputExists(ContactFileError):
    """The output file exists and ``force`` was not given; the message names the file."""


def check_target(path: str | os.PathLike[str], suffixes: Iterable[str], *,
                 force: bool = False, what: str = "output") -> Path:
    """``path`` as a Path, once it is sure a write there can start.

    Raises:
        ContactFileError: the extension is not one of ``suffixes`` or the folder is missing.
        OutputExists: the file exists and ``force`` is False.

    Example:
        >>> try:
        ...     check_target("out.txt", (".csv",))
        ... except ContactFileError as exc:
        ...     print(exc)
        Cannot write 'out.txt': the output must be a .csv file.
    """
    target = Path(path)
    allowed = tuple(suffixes)
    if target.suffix.lower() not in allowed:
        raise ContactFileError(
            f"Cannot write '{target}': the {what} must be a {' or '.join(allowed)} file.",
            path=target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ContactFileError(
            f"Cannot write '{target}': the folder '{folder}' does not exist.", path=target)
    if target.is_dir():
        raise ContactFileError(f"Cannot write '{target}': it is a folder.", path=target)
    if not force and (target.exists() or target.is_symlink()):
        raise OutputExists(
            f"Cannot write '{target}': the file already exists; give another name, or pass "
            "--force (force=True) to replace it.", path=target)
    return target


class _Silent:
    def update(self, n: int = 1) -> None:
        """Nothing to show."""

    def set_description_str(self, text: str) -> None:
        """Nothing to show."""

    def close(self) -> None:
        """Nothing to close."""


def progress_bar(total: int, description: str, enabled: bool | None = None,
             unit: str = "rows") -> Any:
    """A progress bar (tqdm; the notebook one in Jupyter) or a silent stand-in.

    Args:
        total: how much work there is.
        description: a few words on what is being done (``"writing clean.xlsx"``).
        enabled: True or False to decide; None shows it for :data:`BIG` rows or more.

    Example:
        >>> bar = progress_bar(10, "writing", enabled=False)
        >>> bar.update(10); bar.close()
    """
    if enabled is None:
        enabled = total >= BIG
    if not enabled:
        return _Silent()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit=unit, leave=False, mininterval=0.5)
