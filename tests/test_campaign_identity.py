"""A campaign is its account and its message: sheet edits continue it, nobody gets it twice,
and journals of the first format are found and continued (issue 17)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from campaign_support import Meddler, frame_of, numbers

import miogram_toolkit as mg
from miogram_toolkit.campaign import Campaign, CampaignWarning, JournalMismatch
from miogram_toolkit.campaign.journal import Journal
from miogram_toolkit.client import Client
from miogram_toolkit.local import data_path

FAST = {"rate_per_minute": None, "backoff": 0.0, "timeout_base": 0.5,
        "timeout_per_number": 0.0}
FIXTURE = Path(__file__).parent / "fixtures" / "format1_paused"


def counting(sim: mg.Simulator) -> tuple[Client, Counter[str]]:
    """A client whose sends that reached the service are counted per number."""
    sent: Counter[str] = Counter()

    def count(n: int, form: dict[str, str]) -> None:
        sent.update(form["Phone"].split(","))

    meddler = Meddler(sim, after_send=count)
    return Client(sim.secret, base_url=sim.url, transport=meddler, retries=0, backoff=0.0), sent


def run(campaign: Campaign) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CampaignWarning)
        return campaign.run(progress=False)


def test_default_journal_is_named_from_account_and_message_in_the_data_folder() -> None:
    frame = frame_of(3)
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        first = Campaign(frame, "Hi {name}", client=Client.to(sim), **FAST)
        run(first)
        path = Path(first.journal_path)
        assert path.parent == data_path("journals")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        # The same message with the sheet sorted and one row more: the same journal.
        again = Campaign(pd.concat([frame_of(4)]).iloc[::-1], "Hi {name}", client=Client.to(sim),
                         **FAST)
        assert again.journal_path == first.journal_path
        # Another text, or a name given, is another campaign.
        assert Campaign(frame, "Hello {name}", client=Client.to(sim),
                        **FAST).journal_path != first.journal_path
        named = Campaign(frame, "Hi {name}", client=Client.to(sim), name="Autumn sale", **FAST)
        assert Path(named.journal_path).name.startswith("Autumn_sale-")


def test_a_paused_campaign_with_its_sheet_edited_continues_without_anyone_twice() -> None:
    frame = frame_of(10)
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        client, sent = counting(sim)
        meddler = client._transport  # type: ignore[attr-defined]
        # Pause after four requests (one number each: the text is personalised).
        meddler.on_send = lambda n, form: (
            {"Message": "Error 306 : Low Credit", "Status": "error"} if n >= 4 else None)
        first = run(Campaign(frame, "Hi {name}", client=client, **FAST))
        assert first["state"].tolist().count("delivered") == 4
        sent_numbers = set(first.loc[first["state"] == "delivered", "e164"])
        unsent = [n for n in numbers(10) if n not in sent_numbers]

        edited = frame.copy()
        edited.loc["r0", "name"] = "Corrected"            # a name fixed in a sent row
        edited.loc["r7", "name"] = "Fixed"                # ... and in an unsent row
        edited = edited.drop(index="r8")                   # a row removed
        added = frame_of(2, start=50).rename(index=lambda i: f"new{i}")
        edited = pd.concat([added, edited.iloc[::-1]])     # rows added, the rest reordered
        meddler.on_send = None
        again = Campaign(edited, "Hi {name}", client=client, **FAST)
        results = run(again)
    assert again.journal_path == Campaign(frame, "Hi {name}", client=client,
                                          **FAST).journal_path
    # Nobody twice; the added rows sent; the removed row not sent and reported.
    assert max(sent.values()) == 1
    assert sim.inspect()["deliveries"] == {n: 1 for n in sent}
    removed = numbers(1, start=8)[0]
    assert removed not in sent
    assert set(numbers(2, start=50)) <= set(sent)
    assert set(sent) == sent_numbers | (set(unsent) - {removed}) | set(numbers(2, start=50))
    assert results.loc["r0", "state"] == "delivered"
    assert (results["state"] == "delivered").all()
    assert [r["e164"] for r in results.attrs["removed_from_sheet"]] == [removed]
    # The unsent row got its corrected text; the sent one kept the text it was sent.
    texts = [form["Message"] for form in meddler.sends[4 + 3:]]  # after the three refusals
    assert "Hi Fixed" in texts and "Hi Corrected" not in texts
    status = Campaign.status(again.journal_path)
    assert status.rows.loc["r8", ["state", "reason"]].tolist() == ["skipped",
                                                                  "removed_from_sheet"]
    assert status.rows.loc["r7", "sheet_row"] == 5  # where it stands in the edited sheet


def test_a_finished_campaign_run_again_says_nothing_left_to_send() -> None:
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        client, sent = counting(sim)
        run(Campaign(frame_of(5), "Hi", client=client, **FAST))
        again = Campaign(frame_of(5), "Hi", client=client, **FAST)
        plan = again.dry_run()
        assert (again.summary or "").startswith("Nothing left to send")
        assert plan["state"].tolist() == ["delivered"] * 5
        results = run(again)
    assert results.attrs["note"].startswith("nothing left to send")
    assert max(sent.values()) == 1 and len(sent) == 5


def test_opt_out_added_before_a_resume_holds_rows_settled_back_to_pending() -> None:
    frame = frame_of(6)
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        journal_rows: dict[str, Any] = {}

        def crash_second(n: int, form: dict[str, str]) -> None:
            if n == 1:
                raise KeyboardInterrupt  # dies with the request in flight, never sent
        meddler = Meddler(sim, on_send=crash_second)
        client = Client(sim.secret, base_url=sim.url, transport=meddler, retries=0)
        campaign = Campaign(frame, "Hi", client=client, chunk_size=2, **FAST)
        with pytest.raises(KeyboardInterrupt):
            run(campaign)
        path = campaign.journal_path
        store = Journal(path, read_only=True)
        journal_rows = store.frame().set_index("e164")["state"].to_dict()
        store.close()
        caught = [n for n, s in journal_rows.items() if s == "in_flight"]
        assert len(caught) == 2
        # The number in the request caught mid-way opts out before the resume; the reconciled
        # request proves nothing was sent, so its rows go back to pending — and this one is held.
        results = run(Campaign(frame, "Hi", client=Client.to(sim, retries=0),
                               opt_out=[caught[0]], chunk_size=2, **FAST))
        assert sim.inspect()["deliveries"].get(caught[0], 0) == 0
    by_number = results.set_index("e164")
    assert by_number.loc[caught[0], ["state", "reason"]].tolist() == ["skipped", "opted_out"]


def test_a_journal_of_the_first_format_is_found_migrated_and_resumed(tmp_path: Path,
                                                                    monkeypatch: Any) -> None:
    work = tmp_path / "work"
    shutil.copytree(FIXTURE, work)
    legacy = work / "miogram_journals"
    os.chmod(legacy, 0o755)
    manifest = json.loads((FIXTURE / "manifest.json").read_text(encoding="utf-8"))
    monkeypatch.chdir(work)
    frame = pd.read_csv(work / "contacts.csv", dtype=str)
    with mg.Simulator(start=False, seed=3, unreachable_share=0.0,
                      not_on_messenger=["+989123001003"]) as sim:
        client, sent = counting(sim)
        campaign = Campaign(frame, manifest["message"], client=client, **FAST)
        results = run(campaign)
    # Found by its old name, moved into the data folder, migrated: one private file there.
    assert Path(campaign.journal_path).parent == data_path("journals")
    assert not (work / manifest["journal"]).exists()
    assert stat.S_IMODE(os.stat(campaign.journal_path).st_mode) == 0o600
    # Nobody twice: who the first half reached (or may have: the unknown row) gets nothing now.
    before = {n for n, count in manifest["deliveries"].items() if count}
    unknown = [e for e, s in zip(manifest["e164"], manifest["states"], strict=True)
               if s == "unknown"]
    assert not (set(sent) & (before | set(unknown)))
    pending = {e for e, s in zip(manifest["e164"], manifest["states"], strict=True)
               if s == "pending"}
    assert set(sent) == pending and max(sent.values()) == 1
    states = dict(zip(results["e164"].astype(object), results["state"], strict=True))
    assert all(states[n] == "delivered" for n in pending)
    assert states["+989123001000"] == "delivered" and states["+989123001003"] == "failed"
    assert states[unknown[0]] == "unknown"
    # The status shows every row of the sheet, its own skips with the sheet's row numbers too.
    status = Campaign.status(campaign.journal_path)
    assert sorted(status.rows["reason"].dropna()) == ["duplicate_of:3", "not_on_messenger",
                                                      "phone_invalid", "unknown_skipped"]
    assert status.counts["skipped"] == 2 and len(status.rows) == len(frame)


def test_an_explicit_journal_of_another_message_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with mg.Simulator(start=False) as sim:
        run(Campaign(frame_of(2), "Hi", client=Client.to(sim), journal=path, **FAST))
        with pytest.raises(JournalMismatch, match="belongs to another campaign"):
            run(Campaign(frame_of(2), "Hello", client=Client.to(sim), journal=path, **FAST))
        # The same message on another sheet continues it.
        results = run(Campaign(frame_of(3), "Hi", client=Client.to(sim), journal=path, **FAST))
    assert len(results) == 3


def test_a_new_campaign_to_people_messaged_today_is_refused_with_the_choices() -> None:
    from miogram_toolkit.campaign import PreflightError
    from miogram_toolkit.campaign.ledger import Ledger

    # A served simulator is an account with a ledger (one inside this process, port 0, is not).
    with mg.Simulator(unreachable_share=0.0) as sim:
        client, sent = counting(sim)
        first = Campaign(frame_of(4), "Hi", client=client, **FAST)
        run(first)
        # The ledger noted every number with the campaign that messaged it.
        with Ledger.for_client(client) as ledger:
            recent = ledger.recent(numbers(4), within=3600)
        assert set(recent) == set(numbers(4))
        assert {c for c, _ in recent.values()} == {first.identity.campaign_id}
        # A changed text is a new campaign: refused, in one sentence with the choices.
        wider = frame_of(6)
        with pytest.raises(PreflightError) as caught:
            run(Campaign(wider, "Hi again", client=client, **FAST))
        sentence = str(caught.value)
        assert sentence.startswith("preflight: 4 of the numbers to send were messaged by this "
                                   "account in the last 24 hours (by campaign "
                                   f"{first.identity.campaign_id})")
        assert "new_campaign=True (--new-campaign)" in sentence
        assert "skip_recent=True (--skip-recent)" in sentence and "--not-within 7d" in sentence
        assert "\n" not in sentence and len(sent) == 4
        # The dry run says so too, without refusing.
        dry = Campaign(wider, "Hi again", client=client, **FAST)
        dry.dry_run()
        assert "Warning: preflight: 4 of the numbers" in (dry.summary or "")
        # Leave them out: only the two new numbers are sent.
        skipping = Campaign(wider, "Hi again", client=client, skip_recent=True, **FAST)
        plan = skipping.dry_run()
        assert (plan["reason"] == "recently_messaged").sum() == 4
        results = run(skipping)
        assert (results["reason"] == "recently_messaged").sum() == 4
        assert sent == Counter({n: 1 for n in numbers(4)}) + Counter(numbers(2, start=4))
        # Or send anyway.
        again = run(Campaign(frame_of(4), "Hi once more", client=client, new_campaign=True,
                             **FAST))
        assert (again["state"] == "delivered").all()


def test_numbers_opted_out_by_reply_are_skipped_unless_told_otherwise() -> None:
    from miogram_toolkit.campaign.ledger import Ledger

    with mg.Simulator(unreachable_share=0.0) as sim:
        client, sent = counting(sim)
        with Ledger.for_client(client) as ledger:
            ledger.mark_opt_out(numbers(1)[0], source="reply: لغو")
        results = run(Campaign(frame_of(3), "Hi", client=client, **FAST))
        assert results.loc["r0", ["state", "reason"]].tolist() == ["skipped",
                                                                  "opted_out_by_reply"]
        assert numbers(1)[0] not in sent
        results = run(Campaign(frame_of(3), "Hi", client=client, ignore_reply_opt_outs=True,
                               **FAST))
        assert results.loc["r0", "state"] == "delivered" and sent[numbers(1)[0]] == 1
