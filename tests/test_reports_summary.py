"""Summaries, funnel, failure reasons and credits against figures worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from miogram_toolkit.client import Client
from miogram_toolkit.reports import (
    can_afford,
    credit_needed,
    credits_frame,
    delivery_summary,
    failure_reasons,
    funnel,
    limits_frame,
)
from miogram_toolkit.simulator import Simulator

# A campaign results frame of 10 rows, counted by hand:
#   MioBot1: delivered 3, failed 1 (not_on_messenger)            -> sent 4, rate 0.75
#   MioBot2: delivered 1, failed 1 (blocked), unknown 1, pending 1 -> sent 3, rate 1/3
#   no agent: skipped 2 (duplicate, opt_out)
RESULTS = pd.DataFrame({
    "e164": [f"+98912000000{i}" for i in range(10)],
    "state": ["delivered", "delivered", "delivered", "failed", "delivered", "failed",
              "unknown", "in_flight", "skipped", "skipped"],
    "reason": [None, None, None, "not_on_messenger", None, "blocked", None, None,
               "duplicate", "opt_out"],
    "agent": ["MioBot1"] * 4 + ["MioBot2"] * 4 + [None, None],
    "chunk": [1, 1, 2, 2, 3, 3, 4, 4, None, None],
    "attempts": [1] * 8 + [0, 0],
    "sent_at": pd.to_datetime(["2026-01-31 05:00"] * 4 + ["2026-01-31 21:00"] * 4
                              + [None, None], utc=True),
})

# A report frame of 5 rows: SendMessageMass 3 (2 delivered), SendMessage 2 (1 delivered).
REPORT = pd.DataFrame({
    "func": ["SendMessageMass"] * 3 + ["SendMessage"] * 2,
    "robot": ["MioBot1", "MioBot1", "MioBot2", "MioBot2", "MioBot2"],
    "channel": ["telegram"] * 5,
    "delivered": [True, False, True, True, False],
    "reason": [None, "not_on_messenger", None, None, "undelivered"],
    "sent_at": pd.to_datetime(["2026-01-31 05:10", "2026-01-31 05:10", "2026-01-31 05:40",
                               "2026-01-31 20:59", "2026-01-31 21:01"], utc=True),
})


def test_results_by_agent() -> None:
    summary = delivery_summary(RESULTS, by="agent")
    assert summary.loc["MioBot1", ["rows", "sent", "delivered", "failed"]].tolist() == [4, 4, 3, 1]
    assert summary.loc["MioBot2", ["sent", "delivered", "failed", "unknown", "pending"]
                       ].tolist() == [3, 1, 1, 1, 1]
    assert summary.loc["(none)", ["rows", "sent", "skipped"]].tolist() == [2, 0, 2]
    assert summary.loc["MioBot1", "rate"] == 0.75
    assert summary.loc["MioBot2", "rate"] == pytest.approx(1 / 3)
    assert math.isnan(summary.loc["(none)", "rate"])


def test_results_total_and_funnel() -> None:
    total = delivery_summary(RESULTS).loc["all"]
    assert total[["rows", "sent", "delivered", "failed", "unknown", "skipped", "pending"]
                 ].tolist() == [10, 7, 4, 2, 1, 2, 1]
    assert total["rate"] == pytest.approx(4 / 7)
    assert funnel(RESULTS).to_dict() == {"rows": 10, "sendable": 8, "sent": 7, "delivered": 4}


def test_results_by_day_on_tehran_clock() -> None:
    # 21:00 UTC on 31 Jan is 00:30 on 1 Feb in Tehran.
    summary = delivery_summary(RESULTS.dropna(subset=["sent_at"]), by="day")
    assert [str(day.date()) for day in summary.index] == ["2026-01-31", "2026-02-01"]
    assert summary["sent"].tolist() == [4, 3]
    utc = delivery_summary(RESULTS.dropna(subset=["sent_at"]), by="day", tz="UTC")
    assert utc["sent"].tolist() == [7]


def test_report_by_action_and_hour() -> None:
    by_action = delivery_summary(REPORT, by="action")
    assert by_action.loc["SendMessageMass", ["sent", "delivered", "failed"]].tolist() == [3, 2, 1]
    assert by_action.loc["SendMessage", "rate"] == 0.5
    by_hour = delivery_summary(REPORT, by="hour")  # Tehran: 08:40, 08:40, 09:10, 00:29, 00:31
    assert [t.strftime("%d %H:%M") for t in by_hour.index] == ["31 08:00", "31 09:00", "01 00:00"]
    assert by_hour["sent"].tolist() == [2, 1, 2]
    assert delivery_summary(REPORT, by="agent")["sent"].to_dict() == {"MioBot1": 2, "MioBot2": 3}


def test_failure_reasons_counted_most_first() -> None:
    reasons = failure_reasons(RESULTS)
    assert reasons["reason"].tolist()[0] in {"not_on_messenger", "blocked", "duplicate",
                                             "opt_out", "unknown"}
    assert dict(zip(reasons["reason"], reasons["count"], strict=True)) == {
        "not_on_messenger": 1, "blocked": 1, "unknown": 1, "duplicate": 1, "opt_out": 1}
    assert reasons["share"].sum() == pytest.approx(1.0)
    assert "Not on the messenger" in reasons["label"].tolist()
    report = failure_reasons(REPORT)
    assert report[["reason", "count"]].values.tolist() == [["not_on_messenger", 1],
                                                          ["undelivered", 1]]


def test_unknown_grouping_and_unknown_frame_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="by='colour': the frame has no such column"):
        delivery_summary(RESULTS, by="colour")
    with pytest.raises(ValueError, match="needs a 'state' column"):
        delivery_summary(pd.DataFrame({"x": [1]}))


def test_credit_arithmetic_of_the_service() -> None:
    frame = credits_frame({"Message": 0, "Photo": -1, "Video": 10, "File": 1, "Other": 2},
                          limits={"Message": 100, "Photo": 2097152, "Video": 4194304,
                                  "File": 1048576, "canGet": "1", "isSuper": 0})
    # credit 0: one single send still goes (to -1); no Mass request does.
    assert frame.loc["Message", ["single_sends", "mass_numbers", "used_up"]].tolist() == [
        1, 0, False]
    assert frame.loc["Photo", ["single_sends", "used_up"]].tolist() == [0, True]
    assert frame.loc["Photo", "limit"] == 2097152 and frame.loc["Photo", "limit_text"] == "2 MB"
    assert credit_needed(10) == 10 and credit_needed(10, mass=False) == 9
    assert can_afford({"Message": 10}, 10) and not can_afford({"Message": 9}, 10)
    assert can_afford({"Message": 0}, 1, mass=False)
    assert limits_frame({"Message": 100, "canGet": "1", "isSuper": 0}).attrs["flags"] == {
        "canGet": True, "isSuper": False}
    with pytest.raises(ValueError, match="kind: 'Sticker' is not a credit kind"):
        can_afford({"Message": 1}, 1, "Sticker")


def test_credits_read_from_a_client_change_after_sending() -> None:
    with Simulator(seed=7, credits={"Message": 5}) as sim, Client.to(sim) as client:
        before = credits_frame(client, limits=client)
        client.send_message("+989121234567", "Hi")
        after = credits_frame(client)
        assert can_afford(client, 4) and not can_afford(client, 5)
    assert before.loc["Message", "remaining"] == 5 and after.loc["Message", "remaining"] == 4
    assert before["limit"].notna().sum() == 4
    assert before.loc["Photo", "limit"] == 5 * 1048576  # the simulator's 5 MB, in bytes


def test_limits_frame_reads_the_clients_permission_flags() -> None:
    with Simulator(seed=7, can_get=True, is_super=False) as sim, Client.to(sim) as client:
        frame = limits_frame(client)
    assert frame.attrs["flags"] == {"canGet": True, "isSuper": False}
    assert frame.loc["Message", "limit"] == 4096
