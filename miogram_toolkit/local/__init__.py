"""What the toolkit keeps on this machine, and how it writes it.

* :mod:`~miogram_toolkit.local.paths`: the user data folder (``MIOGRAM_HOME`` moves it) and the
  places inside it: journals, the per-account ledger, the built-in simulator's state, uploads;
* :mod:`~miogram_toolkit.local.private`: files and folders only their owner can read (0600 in
  0700 folders, created with that mode, never chmod-ed after), and tightening older ones;
* :mod:`~miogram_toolkit.local.atomic`: whole-file writes through an unpredictable temporary name
  in the target folder, renamed into place;
* :mod:`~miogram_toolkit.local.lock`: an exclusive lock file that works with or without ``fcntl``
  and never follows a planted symlink;
* :mod:`~miogram_toolkit.local.inputs`: a file the user names, refused in one sentence when it is
  missing or a folder;
* :mod:`~miogram_toolkit.local.signals`: wait for Ctrl-C or SIGTERM without a lock in the handler.

A room at the bottom: it imports nothing of ours, and nothing heavy.

::

    MIOGRAM_HOME (or the platform's data folder)/          0700
        journals/      campaign journals of the dashboard and of `miogram send` without --journal
        ledger/        one SQLite file per account: every number messaged, opt-outs
        simulator/     the built-in simulator's state for the `miogram` commands
        uploads/       never kept: a dashboard upload is read in memory

Example:
    >>> import os, tempfile
    >>> from miogram_toolkit.local import data_dir
    >>> os.environ["MIOGRAM_HOME"] = tempfile.mkdtemp()
    >>> oct(data_dir().stat().st_mode & 0o777)
    '0o700'
"""

from __future__ import annotations

from miogram_toolkit.local.atomic import atomic_write
from miogram_toolkit.local.inputs import InputError, existing_file
from miogram_toolkit.local.lock import LockBusy, LockFile
from miogram_toolkit.local.paths import HOME_VARIABLE, data_dir, data_path
from miogram_toolkit.local.private import create_private, open_private, private_dir, write_private

__all__ = ["HOME_VARIABLE", "InputError", "LockBusy", "LockFile", "atomic_write", "create_private",
           "data_dir", "data_path", "existing_file", "open_private", "private_dir",
           "write_private"]
