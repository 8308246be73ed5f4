"""Contact sheets: read CSV/Excel without damage, find the phone column, write phones as text.

See :mod:`~miogram_toolkit.sheets.contacts` for the reading rules.

Example:
    >>> from miogram_toolkit.sheets import read_contacts
    >>> from miogram_toolkit.demo import sample_path
    >>> read_contacts(sample_path("contacts.csv")).attrs["phone_column"]
    'mobile'
"""

from __future__ import annotations

from miogram_toolkit.sheets.contacts import (
    ContactFileError,
    find_phone_column,
    read_contacts,
    write_excel,
)

__all__ = ["ContactFileError", "find_phone_column", "read_contacts", "write_excel"]
