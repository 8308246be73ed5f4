"""Running campaigns against the in-process simulator: outcomes, resume, reconciliation,
pauses, retries, lanes — each checked against what the simulator really delivered."""

from __future__ import annotations

import os
import sqlite3
import time
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from campaign_support import (
    BAD_NUMBER_307,
    FAST,
    GATEWAY,
    GATEWAY_306,
    Crash,
    Meddler,
    client_for,
    deliverable,
    fault_on_sends,
    frame_of,
    numbers,
    refuse_never_sent,
    run,
)

import miogram_toolkit as mg
from miogram_toolkit.campaign import (
    Campaign,
    JournalBusy,
    JournalMismatch,
    read_archive,
)
from miogram_toolkit.campaign.journal import Journal


def assert_each_deliverable_once(sim: mg.Simulator, sent: list[str],
                                 results: pd.DataFrame) -> None:
    """Every deliverable number delivered exactly once, the rest never; the journal agrees."""
    counts = sim.inspect()["deliveries"]
    for number in sent:
        assert counts.get(number, 0) == (1 if deliverable(sim, number) else 0), number
    by_number = results.set_index("e164")["state"]
    for number in sent:
        assert by_number[number] == ("delivered" if deliverable(sim, number) else "failed")


@pytest.fixture
def journal(tmp_path: Path) -> str:
    return str(tmp_path / "campaign.sqlite")


BOTH = pytest.mark.parametrize("dialect", ["reference", "document"])


def test_results_join_every_input_row_with_reasons(journal: str) -> None:
    frame = pd.concat([frame_of(90), pd.DataFrame({"mobile": [numbers(1)[0], "n/a"],
                                                   "name": ["dup", "bad"]},
                                                  index=pd.Index(["dup", "bad"], name="id"))])
    with mg.Simulator(start=False, seed=5, unreachable_share=0.2) as sim:
        results, paused = run(Campaign(frame, "Hi {name}", client=client_for(sim),
                                       journal=journal, **FAST))
    assert paused == []
    assert list(results.index) == list(frame.index)
    assert list(results.columns) == ["sheet_row", "e164", "state", "reason", "agent", "chunk",
                                     "attempts", "sent_at", "sent_on (Jalali)"]
    assert results.loc["dup", ["state", "reason"]].tolist() == ["skipped", "duplicate_of:2"]
    assert results.loc["bad", ["state", "reason"]].tolist() == ["skipped", "phone_invalid"]
    assert_each_deliverable_once(sim, numbers(90), results.iloc[:90])
    failed = results[results["state"] == "failed"]
    assert len(failed) > 0 and set(failed["reason"]) == {"not_on_messenger"}
    delivered = results[results["state"] == "delivered"]
    assert delivered["sent_at"].notna().all() and (delivered["attempts"] == 1).all()
    # Personalised texts: every row is its own chunk; agents rotate round-robin.
    assert results["chunk"].iloc[:90].tolist() == list(range(1, 91))
    assert Counter(results["agent"].iloc[:90]) == {"MioBot1": 30, "MioBot2": 30, "MioBot3": 30}


def test_in_memory_journal_shows_what_was_delivered_and_a_rerun_sends_nothing() -> None:
    frame = pd.concat([frame_of(5), pd.DataFrame({"mobile": ["n/a"], "name": ["bad"]},
                                                 index=pd.Index(["bad"], name="id"))])
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        campaign = Campaign(frame, "Hi {name}", client=client_for(sim), journal=":memory:",
                            **FAST)
        results, paused = run(campaign)
        again, _ = run(campaign)
        assert sim.inspect()["counts"]["sends"] == 5
    assert paused == []
    assert results["state"].tolist() == ["delivered"] * 5 + ["skipped"]
    assert results["sent_at"].iloc[:5].notna().all()
    pd.testing.assert_frame_equal(results, again)


def test_rerun_of_a_finished_campaign_sends_nothing(journal: str) -> None:
    with mg.Simulator(start=False) as sim:
        first, _ = run(Campaign(frame_of(50), "Hi", client=client_for(sim), journal=journal,
                                **FAST))
        sends = sim.inspect()["counts"]["sends"]
        again, paused = run(Campaign(frame_of(50), "Hi", client=client_for(sim),
                                     journal=journal, **FAST))
        assert sim.inspect()["counts"]["sends"] == sends
    assert paused == []
    pd.testing.assert_frame_equal(first, again)


@BOTH
@pytest.mark.parametrize("when", ["before_it_leaves", "after_the_service_processed_it"])
def test_crash_mid_request_is_reconciled_never_sent_twice(journal: str, when: str,
                                                          dialect: str) -> None:
    frame = frame_of(200)

    def die_before(number: int, form: dict[str, str]) -> None:
        if number == 2:
            raise Crash

    def die_after(number: int, form: dict[str, str]) -> None:
        if number == 2:
            raise Crash

    with mg.Simulator(start=False, seed=2, dialect=dialect) as sim:
        hooks = {"on_send": die_before} if when == "before_it_leaves" \
            else {"after_send": die_after}
        with pytest.raises(Crash):
            Campaign(frame, "Hello", client=client_for(sim, Meddler(sim, **hooks)),
                     journal=journal, **FAST).run(progress=False)
        status = Campaign.status(journal)
        assert status.counts["in_flight"] == 40 and status.state == "running"
        results, paused = run(Campaign(frame, "Hello", client=client_for(sim), journal=journal,
                                       **FAST))
    assert paused == []
    assert_each_deliverable_once(sim, numbers(200), results)
    crashed = results[results["chunk"] == 3]
    # Reconciled from the report log: processed rows were never sent again, lost ones were.
    assert crashed["attempts"].tolist() == [1 if when.startswith("after") else 2] * 40


@BOTH
def test_lost_answer_is_reconciled_from_the_report_log(journal: str, dialect: str) -> None:
    with mg.Simulator(start=False, seed=3, dialect=dialect) as sim:
        meddler = fault_on_sends(sim, {1: "lost_answer", 2: "bad_json", 3: "late_answer"})
        results, paused = run(Campaign(frame_of(200), "Hello", client=client_for(sim, meddler),
                                       journal=journal, **FAST))
        assert sim.faults.counts == {"lost_answer": 1, "bad_json": 1, "late_answer": 1}
    assert paused == []
    assert_each_deliverable_once(sim, numbers(200), results)
    assert (results["attempts"] == 1).all()  # all three were processed: none was resent
    archive = read_archive(journal)
    # Harvested once each: a row per number (document) or per Mass request (reference).
    assert len(archive) == (200 if dialect == "document" else 5)
    assert {"Number", "Delivered", "DATA"} <= set(archive[0]) if dialect == "reference" \
        else {"Phone", "Delivered", "Func"} <= set(archive[0])


def test_resume_reads_the_report_log_back_past_what_another_process_sent(journal: str) -> None:
    # Run 1 loses the answer of its first request, sends four more (160 report rows in the
    # document's shape) and dies. Run 2 must read far enough back to find the first one's rows.
    frame = frame_of(240)
    with mg.Simulator(start=False, seed=6, dialect="document") as sim:

        def lose_then_die(number: int, form: dict[str, str]) -> None:
            if number == 0:
                sim.faults.queue("lost_answer")
            if number == 5:
                raise Crash

        slow = {**FAST, "timeout_base": 30.0}  # the lost request is not settled in run 1
        with pytest.raises(Crash):
            Campaign(frame, "Hi", client=client_for(sim, Meddler(sim, on_send=lose_then_die)),
                     journal=journal, **slow).run(progress=False)
        assert Campaign.status(journal).counts["unknown"] == 40
        results, paused = run(Campaign(frame, "Hi", client=client_for(sim), journal=journal,
                                       **FAST))
    assert paused == []
    assert_each_deliverable_once(sim, numbers(240), results)
    assert results.loc[results["chunk"] == 1, "attempts"].unique().tolist() == [1]


def test_on_unknown_skip_leaves_rows_unknown_and_resend_sends_again(tmp_path: Path) -> None:
    with mg.Simulator(start=False, seed=3, unreachable_share=0.0) as sim:
        lost = client_for(sim, fault_on_sends(sim, {0: "lost_answer"}))
        results, paused = run(Campaign(frame_of(40), "Hi", client=lost,
                                       journal=str(tmp_path / "a.sqlite"), on_unknown="skip",
                                       **FAST))
        assert results["state"].unique().tolist() == ["unknown"]
        assert results["reason"].unique().tolist() == ["unknown_skipped"]
        assert any("unknown" in p for p in paused)
    with mg.Simulator(start=False, seed=3, unreachable_share=0.0) as sim:
        results, _ = run(Campaign(frame_of(40), "Hi",
                                  client=client_for(sim, fault_on_sends(sim, {0: "lost_answer"})),
                                  journal=str(tmp_path / "b.sqlite"), on_unknown="resend",
                                  **FAST))
        # The documented danger of "resend": the lost answer's numbers got it twice.
        assert set(sim.inspect()["deliveries"].values()) == {2}
    assert (results["state"] == "delivered").all()


def test_number_answered_false_fails_and_the_rest_go_on(journal: str) -> None:
    off = numbers(3, start=10)
    with mg.Simulator(start=False, unreachable_share=0.0, not_on_messenger=off) as sim:
        results, _ = run(Campaign(frame_of(40), "Hi", client=client_for(sim), journal=journal,
                                  **FAST))
    failed = results[results["state"] == "failed"]
    assert sorted(failed["e164"]) == off
    assert set(failed["reason"]) == {"not_on_messenger"}
    assert (results["state"] == "delivered").sum() == 37


@BOTH
def test_credit_running_out_halfway_pauses_then_resumes_after_top_up(journal: str,
                                                                     dialect: str) -> None:
    frame = frame_of(200)
    with mg.Simulator(start=False, seed=4, unreachable_share=0.0, dialect=dialect) as sim:

        def spend(number: int, form: dict[str, str]) -> None:
            if number == 2:  # someone else spends the credit while the campaign runs
                sim.set_credits(Message=1)

        campaign = Campaign(frame, "Hi", client=client_for(sim, Meddler(sim, on_send=spend)),
                            journal=journal, **FAST)
        results, paused = run(campaign)
        assert len(paused) == 1
        assert "credit ran out: 120 recipients still to send and 1 credits left, so at least " \
               "119 credits are missing" in paused[0]
        assert Counter(results["state"]) == {"delivered": 80, "pending": 120}
        assert Campaign.status(journal).state == "paused"
        sim.set_credits(Message=500)
        results, paused = run(Campaign(frame, "Hi", client=client_for(sim), journal=journal,
                                       **FAST))
    assert paused == []
    assert_each_deliverable_once(sim, numbers(200), results)


def test_307_fails_the_chunk_and_retry_sends_only_those_rows(journal: str) -> None:
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        meddler = Meddler(sim, on_send=lambda n, form: BAD_NUMBER_307 if n == 1 else None)
        campaign = Campaign(frame_of(120), "Hi", client=client_for(sim, meddler),
                            journal=journal, **FAST)
        results, _ = run(campaign)
        assert Counter(zip(results["state"], results["reason"].fillna(""), strict=True)) == {
            ("delivered", ""): 80, ("failed", "bad_number"): 40}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            results = campaign.retry(reasons="not_on_messenger", progress=False)
        assert (results["state"] == "failed").sum() == 40  # another reason: untouched
        results = campaign.retry(reasons=["bad_number"], progress=False)
    assert_each_deliverable_once(sim, numbers(120), results)
    assert sorted(results["attempts"].unique()) == [1, 2]
    assert results.loc[results["attempts"] == 2, "chunk"].unique().tolist() == [4]


def test_gateway_306_sends_the_chunk_through_another_agent(journal: str) -> None:
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        meddler = Meddler(sim, on_send=lambda n, form: GATEWAY_306 if n in (1, 4) else None)
        results, paused = run(Campaign(frame_of(240), "Hi", client=client_for(sim, meddler),
                                       journal=journal, **FAST))
    assert paused == []
    assert_each_deliverable_once(sim, numbers(240), results)
    robots = [form["Robot"] for form in meddler.sends]
    assert robots[:5] == ["MioBot1", "MioBot2", "MioBot3", "MioBot1", "MioBot3"]
    for refused in (1, 4):  # the same chunk went next to another agent; the refuser rests
        assert meddler.sends[refused + 1]["Phone"] == meddler.sends[refused]["Phone"]
        assert robots[refused] not in robots[refused + 1:]
    assert len(robots) == 6 + 2


@BOTH
def test_gateway_306_fault_sends_through_another_agent_nothing_lost_or_doubled(
        journal: str, dialect: str) -> None:
    with mg.Simulator(start=False, seed=8, dialect=dialect) as sim:
        meddler = fault_on_sends(sim, {0: "gateway_306", 3: "gateway_306"})
        results, paused = run(Campaign(frame_of(200), "Hi", client=client_for(sim, meddler),
                                       journal=journal, **FAST))
        assert sim.faults.counts == {"gateway_306": 2}
    assert paused == []
    assert_each_deliverable_once(sim, numbers(200), results)
    robots = [form["Robot"] for form in meddler.sends]
    assert len(robots) == 5 + 2 and len(set(robots[4:])) == 1
    for refused in (0, 3):
        assert meddler.sends[refused + 1]["Phone"] == meddler.sends[refused]["Phone"]
        assert robots[refused] not in robots[refused + 1:]


def test_every_agent_refusing_306_pauses_without_failing_rows(journal: str) -> None:
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        meddler = Meddler(sim, on_send=lambda n, form: GATEWAY_306 if n >= 1 else None)
        results, paused = run(Campaign(frame_of(120), "Hi", client=client_for(sim, meddler),
                                       journal=journal, **FAST))
        assert len(paused) == 1 and "every agent (MioBot1, MioBot2, MioBot3) refused" in \
            paused[0]
        assert Counter(results["state"]) == {"delivered": 40, "pending": 80}
        results, paused = run(Campaign(frame_of(120), "Hi", client=client_for(sim),
                                       journal=journal, **FAST))
    assert paused == []
    assert_each_deliverable_once(sim, numbers(120), results)


def test_circuit_breaker_pauses_after_consecutive_failures(journal: str) -> None:
    with mg.Simulator(start=False) as sim:
        meddler = Meddler(sim, on_send=refuse_never_sent)
        results, paused = run(Campaign(frame_of(80), "Hi", client=client_for(sim, meddler),
                                       journal=journal, breaker=3, **FAST))
        assert sim.inspect()["counts"]["sends"] == 0
    assert len(meddler.sends) == 3
    assert len(paused) == 1 and paused[0].startswith("campaign paused: 3 requests in a row failed")
    assert (results["state"] == "pending").all()


def test_journal_of_another_campaign_is_refused(journal: str) -> None:
    with mg.Simulator(start=False) as sim:
        run(Campaign(frame_of(10), "Hi", client=client_for(sim), journal=journal, **FAST))
        with pytest.raises(JournalMismatch, match="belongs to another campaign"):
            Campaign(frame_of(10), "Hello", client=client_for(sim), journal=journal,
                     **FAST).run(progress=False)
        # Another account (another simulator) is another campaign too; another sheet is not.
        with mg.Simulator(start=False, secret="other", username="someone") as other, \
                pytest.raises(JournalMismatch, match="belongs to another campaign"):
            Campaign(frame_of(10), "Hi", client=client_for(other), journal=journal,
                     **FAST).run(progress=False)


def test_journal_in_use_by_another_run_is_refused(journal: str) -> None:
    with mg.Simulator(start=False) as sim:
        campaign = Campaign(frame_of(10), "Hi", client=client_for(sim), journal=journal, **FAST)
        holder = campaign._open_journal()
        try:
            with pytest.raises(JournalBusy, match="in use by another running campaign"):
                campaign.run(progress=False)
        finally:
            holder.close()


def test_a_finished_or_paused_run_leaves_only_the_journal_file(tmp_path: Path) -> None:
    journal = tmp_path / "campaign.sqlite"
    with mg.Simulator(start=False) as sim:
        campaign = Campaign(frame_of(10), "Hi", client=client_for(sim), journal=journal, **FAST)
        run(campaign)
        Campaign.status(journal)
        assert sorted(os.listdir(tmp_path)) == ["campaign.sqlite"]
        now = datetime.now(UTC)
        window = f"{(now - timedelta(hours=1)):%H:%M}-{(now + timedelta(hours=1)):%H:%M}"
        paused = Campaign(frame_of(10, start=20), "Hi", client=client_for(sim),
                          journal=tmp_path / "paused.sqlite", quiet_hours=window, tz="UTC",
                          on_quiet="stop", **FAST)
        _, warned = run(paused)
        assert warned and Campaign.status(tmp_path / "paused.sqlite").counts["pending"] == 10
    assert sorted(os.listdir(tmp_path)) == ["campaign.sqlite", "paused.sqlite"]


def test_run_lock_file_removed_on_release_still_refuses_a_second_holder(journal: str) -> None:
    first, second = Journal(journal), Journal(journal)
    try:
        first.acquire()
        with pytest.raises(JournalBusy, match="in use by another running campaign"):
            second.acquire()
        first.release()
        assert not os.path.exists(journal + ".lock")
        second.acquire()
        with pytest.raises(JournalBusy):
            first.acquire()
    finally:
        first.close()
        second.close()
    assert not os.path.exists(journal + ".lock")


def test_opt_out_added_before_a_resume_is_honoured(journal: str) -> None:
    frame = frame_of(120)
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        meddler = Meddler(sim, on_send=lambda n, form: GATEWAY_306 if n >= 1 else None)
        run(Campaign(frame, "Hi", client=client_for(sim, meddler), journal=journal, **FAST))
        late = numbers(1, start=100)
        results, _ = run(Campaign(frame, "Hi", client=client_for(sim), journal=journal,
                                  opt_out=late, **FAST))
        assert sim.inspect()["deliveries"].get(late[0], 0) == 0
    assert results.loc["r100", ["state", "reason"]].tolist() == ["skipped", "opted_out"]
    assert (results["state"] == "delivered").sum() == 119


def test_quiet_hours_stop_sends_nothing_and_saves_everything(journal: str) -> None:
    now = datetime.now(UTC)
    window = f"{(now - timedelta(hours=1)):%H:%M}-{(now + timedelta(hours=1)):%H:%M}"
    with mg.Simulator(start=False) as sim:
        results, paused = run(Campaign(frame_of(10), "Hi", client=client_for(sim),
                                       journal=journal, quiet_hours=window, tz="UTC",
                                       on_quiet="stop", **FAST))
        assert sim.inspect()["counts"]["sends"] == 0
    assert len(paused) == 1 and "quiet hours" in paused[0]
    assert (results["state"] == "pending").all()


def test_lanes_send_in_parallel_one_agent_each_never_twice(journal: str) -> None:
    with mg.Simulator(seed=9) as sim, mg.Client.to(sim, retries=2, backoff=0.0,
                                                   **GATEWAY) as client:
        sim.faults.queue(None, None, None, None, "lost_answer", None, "lost_answer")
        results, paused = run(Campaign(frame_of(400), "Hi", client=client, journal=journal,
                                       max_in_flight=3, chunk_size=10, **FAST))
    assert paused == []
    assert_each_deliverable_once(sim, numbers(400), results)
    assert set(results["agent"]) == {"MioBot1", "MioBot2", "MioBot3"}


def test_status_reads_a_journal_from_anywhere_without_sending(journal: str) -> None:
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        run(Campaign(frame_of(30), "Hi", client=client_for(sim), journal=journal, **FAST))
        sends = sim.inspect()["counts"]["requests"]
        status = Campaign.status(journal)
        assert sim.inspect()["counts"]["requests"] == sends
    assert status.state == "finished" and status.done
    assert status.counts["delivered"] == 30
    assert list(status.rows.index[:2]) == ["r0", "r1"]
    assert "finished; delivered 30" in str(status)
    with pytest.raises(FileNotFoundError):
        Campaign.status(os.path.join(os.path.dirname(journal), "nope.sqlite"))


def test_journal_holds_no_secret_and_logs_mask_numbers(journal: str, caplog: Any) -> None:
    caplog.set_level("DEBUG")
    with mg.Simulator(start=False) as sim:
        run(Campaign(frame_of(50), "Hi", client=client_for(sim, fault_on_sends(
            sim, {0: "lost_answer"})), journal=journal, **FAST))
        secret = sim.secret
    blob = b"".join(Path(p).read_bytes() for p in Path(journal).parent.iterdir())
    assert secret.encode() not in blob
    with sqlite3.connect(journal) as db:
        dumped = "\n".join(db.iterdump())
    assert secret not in dumped
    campaign_lines = [r.getMessage() for r in caplog.records
                      if r.name.startswith("miogram_toolkit.campaign")]
    assert campaign_lines and not any(n in line for line in campaign_lines
                                      for n in numbers(50))
    assert all(secret not in r.getMessage() for r in caplog.records)


def test_media_campaign_sends_the_file_and_whatsapp_marks_everyone(tmp_path: Path) -> None:
    photo = tmp_path / "poster.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(100)))
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        results, _ = run(Campaign(frame_of(5), photo=photo, client=client_for(sim),
                                  journal=str(tmp_path / "p.sqlite"), **FAST))
        assert sim.credits()["Photo"] == 2000 - 5
    assert (results["state"] == "delivered").all()
    with mg.Simulator(start=False, unreachable_share=0.5) as sim:
        results, _ = run(Campaign(frame_of(8), "Hi", whatsapp=True, client=client_for(sim),
                                  journal=str(tmp_path / "w.sqlite"), **FAST))
    assert (results["state"] == "delivered").all()  # WhatsApp answers true for every number


def test_progress_bar_and_accessor_shortcuts(journal: str, capsys: Any) -> None:
    frame = frame_of(12)
    with mg.Simulator(start=False) as sim:
        plan = frame.miogram.send("Hi", client=client_for(sim), journal=journal, dry_run=True,
                                  **FAST)
        assert (plan["state"] == "planned").all()
        results = frame.miogram.send("Hi", client=client_for(sim), journal=journal, **FAST)
    assert "campaign" in capsys.readouterr().err
    assert list(results.index) == list(frame.index)
    assert frame.miogram.campaign("Hi", client=client_for(sim), journal=journal).results()[
        "state"].isin(["delivered", "failed"]).all()


def test_quiet_hours_wait_until_the_window_opens_then_send(journal: str) -> None:
    from miogram_toolkit.campaign.runner import Runner

    class Clock:  # a fake clock that sleeping moves forward
        def __init__(self) -> None:
            self.t = 0.0
            self.start = datetime(2026, 1, 1, 4, 28, 30, tzinfo=UTC)  # 07:58:30 in Tehran

        def now(self) -> datetime:
            return self.start + timedelta(seconds=self.t)

        def sleep(self, seconds: float) -> None:
            self.t += seconds

    clock = Clock()
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        campaign = Campaign(frame_of(80), "Hi", client=client_for(sim), journal=journal,
                            quiet_hours="22:00-08:00", **FAST)
        store = campaign._open_journal()
        try:
            sent_at: list[float] = []

            def spy(number: int, form: dict[str, str]) -> None:
                sent_at.append(clock.t)

            runner = Runner(store, client_for(sim, Meddler(sim, on_send=spy)), campaign.content,
                            campaign.settings, ["MioBot1", "MioBot2"], sleep=clock.sleep,
                            now=clock.now, monotonic=lambda: clock.t)
            outcome = runner.run()
        finally:
            store.close()
    assert outcome.state == "finished"
    assert sent_at == [90.0, 90.0]  # nothing before 08:00 Tehran, everything right after
    assert set(sim.inspect()["deliveries"].values()) == {1}


def test_an_outcome_shares_the_next_chunks_commit_yet_never_waits_uncommitted(
        journal: str, monkeypatch: pytest.MonkeyPatch) -> None:
    commits = 0
    transaction = Journal.transaction

    def counted(self: Journal, **options: Any) -> Any:
        nonlocal commits
        commits += 1
        return transaction(self, **options)

    monkeypatch.setattr(Journal, "transaction", counted)
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        run(Campaign(frame_of(200), "Hi", client=client_for(sim), journal=journal,
                     chunk_size=10, **FAST))
        unpaced = commits
        # Paced: every wait between two chunks sees the last answer already committed.
        seen: list[int] = []

        def sleep(seconds: float) -> None:
            seen.append(Campaign.status(journal + "2").counts["delivered"])
            time.sleep(seconds)

        results, _ = run(Campaign(frame_of(40), "Hi", client=client_for(sim),
                                  journal=journal + "2", chunk_size=10, sleep=sleep,
                                  robots="MioBot1", **{**FAST, "rate_per_minute": 3000}))
    assert (results["state"] == "delivered").all()
    # 20 chunks: 20 in_flight commits carry the outcomes; before, each outcome had its own.
    assert unpaced < 2 * 20
    assert seen and seen[0] == 10 and set(seen) == {10, 20, 30}
