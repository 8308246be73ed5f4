"""The .miogram accessors: thin, never mutate the caller, clear errors on bad use."""

from __future__ import annotations

import pandas as pd
import pytest

import miogram_toolkit  # noqa: F401  (registers .miogram)

MOBILE = "+989121234567"


@pytest.fixture
def contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Ali", "Sara", "Reza", "Mina", "Nima", "Dara"],
            "phone": [
                "0912 123 4567",
                "+98 912 123 4567",  # the same number again
                "021 2345 6789",
                None,
                "۰۹۳۵ ۱۲۳ ۴۵۶۷",
                "0912 123 4567 / 0935 123 4567",
            ],
            "city": ["Tehran", "Shiraz", "Tabriz", "Yazd", "Rasht", "Qom"],
        },
        index=[7, 3, 9, 1, 4, 2],
    )


def test_series_to_e164(contacts: pd.DataFrame) -> None:
    out = contacts["phone"].miogram.to_e164()
    assert out.tolist() == [MOBILE, MOBILE, pd.NA, pd.NA, "+989351234567", pd.NA]
    assert out.index.equals(contacts.index)
    assert out.dtype == "string"


def test_series_phone_report_columns(contacts: pd.DataFrame) -> None:
    report = contacts["phone"].miogram.phone_report()
    assert list(report.columns) == ["raw", "e164", "phone_status", "number_type"]
    assert report["phone_status"].tolist() == [
        "ok", "duplicate", "not_mobile", "empty", "ok", "multiple"
    ]
    assert report["raw"].tolist()[2] == "021 2345 6789"
    assert report["number_type"].tolist()[2] == "FIXED_LINE"


def test_clean_phones_keeps_rows_and_columns_and_adds_two(contacts: pd.DataFrame) -> None:
    cleaned = contacts.miogram.clean_phones("phone")
    assert list(cleaned.columns) == ["name", "phone", "city", "e164", "phone_status"]
    assert cleaned.index.equals(contacts.index)
    pd.testing.assert_frame_equal(cleaned[contacts.columns], contacts)
    assert cleaned["phone_status"].tolist() == [
        "ok", "duplicate", "not_mobile", "empty", "ok", "multiple"
    ]
    assert cleaned["e164"].tolist()[:2] == [MOBILE, MOBILE]


def test_callers_frame_is_never_changed(contacts: pd.DataFrame) -> None:
    before = contacts.copy(deep=True)
    cleaned = contacts.miogram.clean_phones("phone")
    cleaned.miogram.sendable()
    cleaned.miogram.summary()
    contacts["phone"].miogram.phone_report()
    pd.testing.assert_frame_equal(contacts, before)
    cleaned.loc[7, "name"] = "changed"
    pd.testing.assert_frame_equal(contacts, before)


def test_dedupe_false_keeps_repeats_ok(contacts: pd.DataFrame) -> None:
    cleaned = contacts.miogram.clean_phones("phone", dedupe=False)
    assert cleaned["phone_status"].tolist()[:2] == ["ok", "ok"]


def test_mobile_only_false(contacts: pd.DataFrame) -> None:
    cleaned = contacts.miogram.clean_phones("phone", mobile_only=False)
    assert cleaned.loc[9, "phone_status"] == "ok"
    assert cleaned.loc[9, "e164"] == "+982123456789"


def test_sendable_returns_the_ok_rows(contacts: pd.DataFrame) -> None:
    ready = contacts.miogram.clean_phones("phone").miogram.sendable()
    assert ready["name"].tolist() == ["Ali", "Nima"]
    assert ready["e164"].tolist() == [MOBILE, "+989351234567"]


def test_summary_counts_every_status(contacts: pd.DataFrame) -> None:
    summary = contacts.miogram.clean_phones("phone").miogram.summary()
    counts = summary["count"].to_dict()
    assert counts == {
        "ok": 2, "duplicate": 1, "not_mobile": 1, "invalid": 0, "too_short": 0,
        "too_long": 0, "multiple": 1, "rounded": 0, "empty": 1, "total": 6,
    }
    assert summary.loc["ok", "percent"] == pytest.approx(33.3)
    assert "not_mobile" in summary.to_string()


def test_cleaning_twice_replaces_the_columns(contacts: pd.DataFrame) -> None:
    once = contacts.miogram.clean_phones("phone")
    twice = once.miogram.clean_phones("phone")
    pd.testing.assert_frame_equal(once, twice)


def test_sendable_before_cleaning_is_a_clear_error(contacts: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="clean_phones"):
        contacts.miogram.sendable()
    with pytest.raises(ValueError, match="clean_phones"):
        contacts.miogram.summary()


def test_unknown_column_lists_the_columns(contacts: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="'name', 'phone', 'city'"):
        contacts.miogram.clean_phones("mobile")


def test_bad_region(contacts: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="region"):
        contacts.miogram.clean_phones("phone", region="Iran")


def test_empty_frame() -> None:
    empty = pd.DataFrame({"phone": pd.Series([], dtype=object)})
    cleaned = empty.miogram.clean_phones("phone")
    assert len(cleaned) == 0 and list(cleaned.columns) == ["phone", "e164", "phone_status"]
    assert cleaned.miogram.summary().loc["total", "count"] == 0


def test_phone_column_is_found_when_not_named(contacts: pd.DataFrame) -> None:
    # Uses contacts.find_phone_column to pick the column by its header.
    cleaned = contacts.miogram.clean_phones()
    assert cleaned["e164"].tolist()[0] == MOBILE
