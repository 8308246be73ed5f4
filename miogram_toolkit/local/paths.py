"""The user data folder: where the toolkit keeps what must outlive one command.

``MIOGRAM_HOME`` moves it (tests and CI point it at a temporary folder). Without it:
``$XDG_DATA_HOME/miogram`` or ``~/.local/share/miogram`` on Linux, ``~/Library/Application
Support/miogram`` on macOS, ``%LOCALAPPDATA%\\miogram`` on Windows. Every folder the toolkit
makes there is private (0700).

Example:
    >>> import os, tempfile
    >>> os.environ["MIOGRAM_HOME"] = tempfile.mkdtemp()
    >>> data_path("journals").name
    'journals'
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from miogram_toolkit.local.private import private_dir

__all__ = ["HOME_VARIABLE", "data_dir", "data_path"]

#: The environment variable that moves the user data folder.
HOME_VARIABLE = "MIOGRAM_HOME"


def _default_home() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "miogram"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "miogram"
    base = os.environ.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return Path(base) / "miogram"


def data_dir() -> Path:
    """The user data folder, created private (0700) if missing, tightened if the toolkit's own."""
    configured = os.environ.get(HOME_VARIABLE, "").strip()
    home = Path(configured).expanduser() if configured else _default_home()
    return private_dir(home)


def data_path(*parts: str) -> Path:
    """A folder inside the user data folder (``data_path("journals")``), created private."""
    path = data_dir()
    for part in parts:
        path = private_dir(path / part)
    return path
