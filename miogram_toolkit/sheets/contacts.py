"""The sheets room's public names in one place, for code that imports them from here.

Reading is in :mod:`~miogram_toolkit.sheets.reading` (with :mod:`~miogram_toolkit.sheets.text`
and :mod:`~miogram_toolkit.sheets.workbook`), column and header detection in
:mod:`~miogram_toolkit.sheets.detect`, writing in :mod:`~miogram_toolkit.sheets.writing`.

Example:
    >>> from miogram_toolkit.demo import sample_path
    >>> read_contacts(sample_path("contacts.csv")).attrs["phone_column"]
    'mobile'
"""

from __future__ import annotations

from miogram_toolkit import sheets
from miogram_toolkit.sheets import (  # noqa: F401  (the names this module re-exports)
    ContactFileError,
    ContactFileWarning,
    find_phone_column,
    read_contacts,
    write_excel,
)

__all__ = sheets.__all__
