"""Uploaded contact files: read once, never kept.

A browser upload arrives as bytes in the page's memory. The sheet reader reads files, so the
bytes go to a private file (0600, an unpredictable name in the user data folder's ``uploads/``,
0700) that is deleted as soon as it is read, whatever happens while reading. Nothing is left in
``/tmp`` or anywhere else; the frames keep the uploaded file's name as their source.

::

    upload (bytes) ─► uploads/<random><suffix> (0600) ─► read_contacts ─► frame(s)
                                   └──────────── deleted in `finally` ──────────┘

Example:
    >>> import os, tempfile
    >>> os.environ["MIOGRAM_HOME"] = tempfile.mkdtemp()
    >>> item = {"name": "team.csv", "content": b"name,mobile\\nSara,0912 100 0001\\n"}
    >>> contacts, opt_outs = read_upload(item)
    >>> contacts.attrs["source"], contacts.attrs["phone_column"], opt_outs is None
    ('team.csv', 'mobile', True)
    >>> from miogram_toolkit.local import data_path
    >>> [p.name for p in data_path("uploads").iterdir()]   # only the folder's own mark
    ['.miogram']
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.local import data_path, open_private
from miogram_toolkit.sheets import ContactFileError, read_contacts

__all__ = ["OPT_OUT_SHEET", "read_upload", "read_workbook_file"]

#: A workbook sheet of this name holds the opt-outs of the contacts beside it (the sample's).
OPT_OUT_SHEET = "Unsubscribed"


def read_workbook_file(path: str | os.PathLike[str], name: str | None = None
                       ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The contacts of a file and, for a workbook with an ``Unsubscribed`` sheet, its opt-outs.

    Args:
        path: the file to read.
        name: what to call it in messages and ``attrs["source"]`` (default: the path).

    Raises:
        ContactFileError: the contacts cannot be read (one sentence naming the file).
    """
    shown = name or str(path)
    try:
        contacts = read_contacts(path)
    except ContactFileError as error:
        raise ContactFileError(str(error).replace(str(path), shown), path=shown) from None
    contacts.attrs["source"] = shown
    opt_outs = None
    if Path(path).suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods") \
            and contacts.attrs.get("sheet") != OPT_OUT_SHEET:
        try:
            opt_outs = read_contacts(path, sheet=OPT_OUT_SHEET)
        except ContactFileError:  # no such sheet, or no phone column in it: no opt-outs
            opt_outs = None
        else:
            opt_outs.attrs["source"] = f"{shown}, sheet {OPT_OUT_SHEET}"
    return contacts, opt_outs


def read_upload(item: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Read an ipywidgets ``FileUpload`` item (``name``, ``content``) without keeping it.

    Returns:
        ``(contacts, opt_outs)`` as :func:`read_workbook_file` gives them.
    """
    name = Path(str(item.get("name") or "upload")).name
    suffix = Path(name).suffix.lower()
    # The name is ours and unpredictable; only the suffix (which decides the reader) is theirs.
    path = data_path("uploads") / f"{secrets.token_hex(8)}{suffix}"
    try:
        with open_private(path, "xb") as handle:
            handle.write(bytes(item["content"]))
        return read_workbook_file(path, name)
    finally:
        path.unlink(missing_ok=True)
