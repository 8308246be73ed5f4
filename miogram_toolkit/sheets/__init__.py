"""Contact sheets: read CSV/Excel/ODS without damage, find the phone column, write phones as text.

* :mod:`~miogram_toolkit.sheets.reading`: :func:`read_contacts`, the one door in;
* :mod:`~miogram_toolkit.sheets.text`: CSV/TSV/TXT (encodings, delimiters, ragged rows);
* :mod:`~miogram_toolkit.sheets.workbook`: ``.xlsx``/``.xlsm``/``.xls``/``.ods`` with calamine
  (openpyxl where number formats matter), sheet choice;
* :mod:`~miogram_toolkit.sheets.detect`: the phone column and the header row;
* :mod:`~miogram_toolkit.sheets.writing`: :func:`write_excel`, streamed with XlsxWriter;
* :mod:`~miogram_toolkit.sheets.csv_writer`: :func:`write_csv`, the one CSV writer (inert cells
  and Tehran time for people, UTC for machines), and :func:`write_table` (by extension);
* :mod:`~miogram_toolkit.sheets.inert`: the rule that keeps CSV cells from running as formulas;
* :mod:`~miogram_toolkit.sheets.cleaning`: :func:`clean_workbook`, a contact file cleaned into a
  new one that keeps its types, its other sheets and its sheet names;
* :mod:`~miogram_toolkit.sheets.rows`: :func:`sheet_rows`, the row numbers a spreadsheet shows;
* :mod:`~miogram_toolkit.sheets.output`: the checks before any write (``force``), progress bars;

::

    file ─► text / workbook ─► rows of text ─► header row ─► frame ─► phone column ─► attrs
                                   (sheet=None: the first visible sheet with a phone column)
    frame(s) ─► checks (exists? force; sheet names, cells) ─► XlsxWriter / csv ─► atomic_write

Example:
    >>> from miogram_toolkit.sheets import read_contacts
    >>> from miogram_toolkit.demo import sample_path
    >>> read_contacts(sample_path("contacts.csv")).attrs["phone_column"]
    'mobile'
"""

from __future__ import annotations

from miogram_toolkit.sheets.cleaning import CleanedFile, clean_workbook
from miogram_toolkit.sheets.csv_writer import write_csv, write_table
from miogram_toolkit.sheets.detect import find_phone_column
from miogram_toolkit.sheets.errors import ContactFileError, ContactFileWarning
from miogram_toolkit.sheets.output import OutputExists
from miogram_toolkit.sheets.reading import read_contacts
from miogram_toolkit.sheets.rows import sheet_row, sheet_rows
from miogram_toolkit.sheets.writing import write_excel

__all__ = [
    "CleanedFile",
    "ContactFileError",
    "ContactFileWarning",
    "OutputExists",
    "clean_workbook",
    "find_phone_column",
    "read_contacts",
    "sheet_row",
    "sheet_rows",
    "write_csv",
    "write_excel",
    "write_table",
]
