"""protocol/report_row.py: one typed row from either shape of APIGetReport's records."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest

from miogram_toolkit.protocol.report_row import (
    ReportRow,
    describe_data,
    log_can_hold,
    number_key,
    read_report_rows,
)

A = "+989121234567"
B = "09351234567"


def reference(**fields: Any) -> dict[str, Any]:
    record = {"Username": "demo", "DATE": "2026-01-31", "TIME": "15:30:00", "IP": "10.0.0.1",
              "DATA": "Hi", "Number": f"{A},{B}", "Delivered": A}
    record.update(fields)
    return record


def document(**fields: Any) -> dict[str, Any]:
    record = {"Id": 7, "Time": "2026-01-31T12:00:00Z", "Func": "SendMessage", "Phone": A,
              "Robot": "MioBot1", "Channel": "telegram", "Kind": "Message", "Delivered": True,
              "Charged": 1, "Message": "Hi", "File": None, "Reason": None}
    record.update(fields)
    return record


def test_a_reference_record_is_one_request_with_tehran_time_and_numbers_as_written() -> None:
    (row,) = read_report_rows([reference()])
    assert row.shape == "reference"
    assert row.when == datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    assert row.asked == (A, B)
    assert row.delivered == (A,)
    assert row.outcomes() == ((A, True), (B, False))
    assert (row.text, row.file, row.username, row.ip) == ("Hi", None, "demo", "10.0.0.1")
    assert (row.agent, row.func, row.reason) == (None, None, None)


def test_a_document_record_is_one_number_with_its_agent_func_and_reason() -> None:
    (row,) = read_report_rows([document(Delivered=False, Reason="not_on_messenger")])
    assert row.shape == "document"
    assert row.when == datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    assert (row.asked, row.delivered) == ((A,), ())
    assert (row.agent, row.func, row.channel, row.kind) == (
        "MioBot1", "SendMessage", "telegram", "Message")
    assert row.reason == "not_on_messenger"
    assert dict(row.extras) == {"Id": 7, "Charged": 1}


@pytest.mark.parametrize(("value", "delivered"), [
    (True, True), (False, False), (1, True), (0, False), (None, False),
    ("true", True), ("True", True), ("1", True), ("yes", True), ("false", False),
    ("0", False), ("no", False), ("", False), ({A: True}, True), ({A: False}, False),
    ([A], True), ([], False), (A, True), ("989121234567", True),
])
def test_the_wider_set_of_delivered_spellings(value: Any, delivered: bool) -> None:
    """campaign/archive.py read "yes" and 1-as-int in a document row as not delivered."""
    (row,) = read_report_rows([document(Delivered=value)])
    assert row.outcomes() == ((A, delivered),)


def test_an_empty_delivered_in_a_reference_row_means_none_delivered() -> None:
    (row,) = read_report_rows([reference(Delivered="")])
    assert row.delivered == ()
    assert row.outcomes() == ((A, False), (B, False))


def test_a_delivered_list_written_differently_still_matches_its_number() -> None:
    (row,) = read_report_rows([reference(Delivered="989351234567")])
    assert row.outcomes() == ((A, False), (B, True))


def test_a_file_is_described_never_kept_as_base64() -> None:
    data = base64.b64encode(bytes(10 * 1024)).decode()
    (row,) = read_report_rows([reference(DATA=data)])
    assert row.text is None
    assert row.file is not None and row.file.startswith("file, 10 KB, sha1 ")
    assert data not in repr(row)
    (doc,) = read_report_rows([document(Message=None, File="1a2b3c4d.jpg")])
    assert (doc.text, doc.file) == (None, "file 1a2b3c4d.jpg")


def test_raw_is_kept_but_out_of_repr_and_equality() -> None:
    first, second = read_report_rows([reference(), reference(Extra="x")])
    assert first.raw["Number"] == f"{A},{B}"
    assert "raw" not in repr(first)
    plain, same = read_report_rows([reference(), reference()])
    assert plain == same and plain.raw is not same.raw


def test_renamed_fields_and_epoch_times_are_read() -> None:
    (row,) = read_report_rows([{"timestamp": 1767182400000, "numbers": [A, B],
                                "delivered": [B], "agent": "MioBot2", "action": "SendMessageMass"}])
    assert row.when == datetime(2025, 12, 31, 12, 0, tzinfo=UTC)
    assert (row.asked, row.delivered, row.agent, row.func) == ((A, B), (B,), "MioBot2",
                                                                "SendMessageMass")


def test_a_record_without_time_has_none() -> None:
    (row,) = read_report_rows([{"Phone": A, "Delivered": True}])
    assert row.when is None


def test_no_records_give_no_rows_and_a_non_record_is_named() -> None:
    assert read_report_rows(None) == [] and read_report_rows([]) == []
    with pytest.raises(ValueError, match=r"records\[1\]: a report record must be a mapping"):
        read_report_rows([reference(), "oops"])  # type: ignore[list-item]


def test_carries_text_allows_the_accounts_ad() -> None:
    (row,) = read_report_rows([reference(DATA="Hi\nBuy at example")])
    assert row.carries_text("Hi") and not row.carries_text("Hello")
    assert not ReportRow(None, (A,), ()).carries_text("Hi")


@pytest.mark.parametrize(("text", "holds"), [
    ("plain text", True), ("سلام دنیا", True), ("it's", False), ("emoji 😀 here", False),
    ("back\\slash", False), ("line\nbreak", True),
])
def test_log_can_hold(text: str, holds: bool) -> None:
    assert log_can_hold(text) is holds


def test_number_key_and_describe_data() -> None:
    assert number_key("0912 123 4567") == number_key("00989121234567") == A
    assert describe_data("short text") is None
    assert describe_data("x" * 300 + "!") is None
