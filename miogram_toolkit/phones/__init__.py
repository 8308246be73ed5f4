"""The phone-cleaning engine: messy cells in, E.164 numbers with a status per row out.

* :mod:`~miogram_toolkit.phones.clean`: the public functions below, on Series and DataFrames;
* :mod:`~miogram_toolkit.phones.normalise`: one cell (Persian digits, Excel floats, labels) to
  canonical ``+?digits``: the rules, written per cell;
* :mod:`~miogram_toolkit.phones.codepoints`: the same rules for many cells at once, on a
  code-point matrix;
* :mod:`~miogram_toolkit.phones.matrix`: the digit-matrix fast path, phonenumbers-exact;
* :mod:`~miogram_toolkit.phones.automata`: one digit automaton per region over the metadata;
* :mod:`~miogram_toolkit.phones.metadata`: the status and type tables, phonenumbers' metadata
  helpers and :func:`~miogram_toolkit.phones.metadata.reference_one`, the slow authority;
* :mod:`~miogram_toolkit.phones.fallback`: the per-row string parser for the shapes the matrix
  path leaves out (same answers);
* :mod:`~miogram_toolkit.phones.partitions`: the same cleaning on Dask partitions, dedupe across
  them (loaded only by the Dask accessor; needs the ``dask`` extra).

phonenumbers is the authority; the tests check every answer against it.

Example:
    >>> from miogram_toolkit.phones import to_e164
    >>> to_e164(["۰۹۱۲ ۱۲۳ ۴۵۶۷", 9121234567.0]).tolist()
    ['+989121234567', '+989121234567']
"""

from __future__ import annotations

from miogram_toolkit.phones.clean import (
    NUMBER_TYPES,
    STATUSES,
    check_region,
    clean_phones,
    naive_phone_report,
    phone_report,
    phone_summary,
    sendable,
    to_e164,
)

__all__ = [
    "NUMBER_TYPES",
    "STATUSES",
    "check_region",
    "clean_phones",
    "naive_phone_report",
    "phone_report",
    "phone_summary",
    "sendable",
    "to_e164",
]
