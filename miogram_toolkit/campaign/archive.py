"""The report archive: ``APIGetReport`` harvested into the journal, and what it proves.

The service keeps only its newest 1000 report rows, so a campaign reads the log while it runs —
often enough that no row can scroll out between two reads — and appends the rows it has not seen
to the journal's ``archive`` table, oldest first. Rows have no reliable id (the real service's
have none), so a new read is laid over the archive's newest rows: the longest run of the read's
oldest rows equal to the archive's newest ones is already there, the rest is new.

Two record shapes exist, and both are read:

``reference`` (the real service)
    one row per Mass request: ``{"Username", "DATE", "TIME" (Asia/Tehran), "IP", "DATA",
    "Number", "Delivered"}``, all strings; ``Number`` is the request's Phone field as sent and
    ``Delivered`` the delivered numbers, comma-joined.
``document`` (the document's reading, as the simulator's ``document`` dialect logs)
    one row per number: ``{"Id", "Time", "Func", "Phone", "Robot", "Delivered": bool, "Reason",
    "Message", …}``.

**Reconciliation** of a request whose answer never came: the records newer than the archive's
newest row when the request left (its *watermark*) that carry its numbers and its text settle it
— a number delivered there is delivered, a number there undelivered failed, and a number in no
record was not processed, so it may be sent again. Absence proves nothing in one case: the real
service writes no report row for a text containing ``'`` (its INSERT is not escaped), so such a
request stays ``unknown`` unless ``on_unknown="resend"``.

Example:
    >>> old = [{"Number": "+98912", "Delivered": "+98912", "DATA": "hi"}]
    >>> read = [old[0], {"Number": "+98935", "Delivered": "", "DATA": "hi"}]
    >>> new_records([record_key(old[0])], [record_key(r) for r in read])
    ['{"DATA":"hi","Delivered":"","Number":"+98935"}']
    >>> outcome_of({"+98912"}, "+98912", "hi", "SendMessageMass", "MioBot1", old)
    {'+98912': (True, None)}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["match_record", "new_records", "outcome_of", "record_key", "shape_of"]

REFERENCE = "reference"
DOCUMENT = "document"


def record_key(record: Mapping[str, Any]) -> str:
    """A record's canonical JSON (sorted keys): its key, and how the archive stores it."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def shape_of(record: Mapping[str, Any]) -> str | None:
    """``"reference"``, ``"document"`` or None for a record of neither shape."""
    if "Number" in record and "Delivered" in record:
        return REFERENCE
    if "Phone" in record and "Delivered" in record:
        return DOCUMENT
    return None


def new_records(archived_newest: Sequence[str], read_oldest_first: Sequence[str]) -> list[str]:
    """The records of a new read that the archive does not hold yet, as keys.

    Args:
        archived_newest: keys of the archive's newest records, oldest first (at least as many
            as the read holds, when the archive has them).
        read_oldest_first: keys of the new read of the report log, oldest first.

    Returns:
        The tail of the read after its longest prefix that equals the archive's end. When no
        prefix matches, everything is new (the log moved further than one read can see).
    """
    if not archived_newest or not read_oldest_first:
        return list(read_oldest_first)
    newest = archived_newest[-1]
    for end in range(min(len(read_oldest_first), len(archived_newest)) - 1, -1, -1):
        if read_oldest_first[end] == newest and \
                list(read_oldest_first[:end + 1]) == list(archived_newest[-(end + 1):]):
            return list(read_oldest_first[end + 1:])
    return list(read_oldest_first)


def _split(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


def _same_text(logged: Any, text: str | None) -> bool:
    # The service may append the account's ad to what it logs; files log their base64.
    if text is None:
        return True
    return isinstance(logged, str) and (logged == text or logged.startswith(text))


def match_record(record: Mapping[str, Any], numbers: set[str], phone_field: str,
                 text: str | None, func: str, agent: str | None
                 ) -> dict[str, tuple[bool, str | None]]:
    """What one report record says about a request's numbers (``{}`` when it is not about it).

    Args:
        record: a report record of either shape.
        numbers: the request's numbers, as sent.
        phone_field: the Phone field as sent (comma-joined), what a reference row names.
        text: the message text (None for files: then only numbers decide).
        func: the action sent, matched against document rows.
        agent: the agent used, matched against document rows that name one.
    """
    shape = shape_of(record)
    if shape == REFERENCE:
        if record.get("Number") != phone_field or not _same_text(record.get("DATA"), text):
            return {}
        delivered = set(_split(record.get("Delivered")))
        return {n: (True, None) if n in delivered else (False, "not_on_messenger")
                for n in numbers}
    if shape == DOCUMENT:
        number = str(record.get("Phone"))
        if number not in numbers or record.get("Func") not in (None, func):
            return {}
        if agent and record.get("Robot") not in (None, "", agent):
            return {}
        if text is not None and record.get("Message") is not None \
                and not _same_text(record.get("Message"), text):
            return {}
        ok = record.get("Delivered") is True or str(record.get("Delivered")).lower() in ("1",
                                                                                       "true")
        return {number: (True, None) if ok else
                (False, str(record.get("Reason") or "not_on_messenger"))}
    return {}


def outcome_of(numbers: Iterable[str], phone_field: str, text: str | None, func: str,
               agent: str | None, records: Iterable[Mapping[str, Any]]
               ) -> dict[str, tuple[bool, str | None]]:
    """What the report records (oldest first) say about one request's numbers.

    Returns:
        ``{number: (delivered, reason)}`` for the numbers the records settle (a later record
        wins); numbers absent from the result were not processed according to the log.
    """
    wanted = set(numbers)
    found: dict[str, tuple[bool, str | None]] = {}
    for record in records:
        found.update(match_record(record, wanted, phone_field, text, func, agent))
    return found
