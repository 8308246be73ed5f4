"""protocol/clock.py: Tehran's clock, labelled, Jalali beside it; UTC labelled for machines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from miogram_toolkit.protocol import clock


def test_naive_values_are_taken_as_utc_and_shown_on_tehrans_clock():
    naive = datetime(2026, 1, 31, 8, 0)
    assert clock.to_tehran(naive).isoformat() == "2026-01-31T11:30:00+03:30"
    assert clock.to_tehran(pd.Timestamp(naive)).isoformat() == "2026-01-31T11:30:00+03:30"
    series = clock.to_tehran(pd.Series([naive, None]))
    assert str(series.dt.tz) == "Asia/Tehran"
    assert series.isna().tolist() == [False, True]


def test_jalali_date_follows_tehrans_day_not_utcs():
    # 20:45 UTC on 20 March 2026 is already 00:15 on 21 March in Tehran: Nowruz, 1405/01/01.
    late = datetime(2026, 3, 20, 20, 45, tzinfo=UTC)
    assert clock.jalali_date(late) == "1405/01/01"
    assert clock.jalali_date(datetime(2026, 3, 20, 20, 15, tzinfo=UTC)) == "1404/12/29"
    assert clock.jalali_date(date(2026, 3, 21)) == "1405/01/01"
    assert clock.jalali_date(None) == "" and clock.jalali_date(pd.NaT) == ""


def test_with_time_columns_labels_the_zone_adds_jalali_beside_and_leaves_the_caller_alone():
    frame = pd.DataFrame({"row": [2, 3],
                          "sent_at": pd.to_datetime(["2026-03-20 20:45", None], utc=True),
                          "text": ["a", "b"]})
    before = frame.copy()
    shown = clock.with_time_columns(frame)
    assert list(shown.columns) == ["row", "sent_at (Tehran)", "sent_on (Jalali)", "text"]
    assert shown["sent_at (Tehran)"].iloc[0] == pd.Timestamp("2026-03-21 00:15")
    assert shown["sent_on (Jalali)"].tolist() == ["1405/01/01", ""]
    pd.testing.assert_frame_equal(frame, before)


def test_label_utc_names_the_zone_for_machine_files():
    frame = pd.DataFrame({"at": pd.to_datetime(["2026-01-31 11:30+03:30"])})
    out = clock.label_utc(frame)
    assert list(out.columns) == ["at (UTC)"]
    assert out["at (UTC)"].iloc[0] == pd.Timestamp("2026-01-31 08:00", tz="UTC")


def test_describe_time_names_the_zone_and_the_jalali_date():
    expected = "2026-03-21 00:15 Tehran time (1405/01/01)"
    assert clock.describe_time("2026-03-20T20:45:00Z") == expected
