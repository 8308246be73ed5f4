"""Replies read back from the agents' chats: once each, through the agent that sent, opt-outs
marked in the account's ledger, 309 and WhatsApp said in one sentence."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from campaign_support import frame_of
from replies_support import SENT_AT, FakeChats, number, write_journal

import miogram_toolkit as mg
from miogram_toolkit.campaign import Campaign
from miogram_toolkit.campaign.journal import Journal
from miogram_toolkit.campaign.ledger import Ledger
from miogram_toolkit.campaign.replies import RepliesUnavailable, replies, stored_replies

A1, A2 = "agent-one", "agent-two"


def _story(tmp_path: Path, offset: float = 0.0) -> tuple[Path, FakeChats]:
    """Rows 0-3 delivered (agents alternate), row 4 failed, row 5 pending."""
    rows = [(number(i), A1 if i % 2 == 0 else A2, "delivered") for i in range(4)]
    rows += [(number(4), A1, "failed"), (number(5), A1, "pending")]
    return write_journal(tmp_path / "campaign.sqlite", rows), _chats(offset)


def _chats(offset: float = 0.0) -> FakeChats:
    """The chats of :func:`_story`: two opt-outs, a question, a photo, older and foreign ones."""
    chats = FakeChats(clock_offset=offset)
    for i in range(4):
        agent = A1 if i % 2 == 0 else A2
        sent = SENT_AT + i + offset
        chats.say(agent, number(i), sent - 86400, "an older question", out=False)
        chats.say(agent, number(i), sent, "Hello from the shop", out=True)
    chats.say(A1, number(0), SENT_AT + offset + 60, "لغو")
    chats.say(A2, number(1), SENT_AT + 1 + offset + 120, "سلام، قیمت چنده؟")
    chats.say(A2, number(1), SENT_AT + 1 + offset + 180, "STOP!")
    chats.say(A1, number(2), SENT_AT + 2 + offset + 30, "look", media="photo")
    # The same person in another agent's chat: that agent did not send, its chat is not read.
    chats.say(A2, number(0), SENT_AT + offset + 90, "this is another conversation")
    return chats


def test_replies_after_our_message_through_the_agent_that_sent(tmp_path: Path) -> None:
    path, chats = _story(tmp_path)
    ledger = Ledger.open(chats.base_url, "shop")
    found = replies(path, chats, ledger=ledger)
    assert [(c[0], c[1]) for c in chats.calls] == [(number(i), A1 if i % 2 == 0 else A2)
                                                   for i in range(4)]
    assert found["number"].tolist() == [number(0), number(1), number(1), number(2)]
    assert found["text"].tolist() == ["لغو", "سلام، قیمت چنده؟", "STOP!", "look"]
    assert found["kind"].tolist() == ["text", "text", "text", "photo"]
    assert found["opt_out"].tolist() == [True, False, True, False]
    assert found["agent"].tolist() == [A1, A2, A2, A1]
    assert found["label"].tolist()[0] == "person 0"
    assert found["minutes_after_send"].tolist() == [1.0, 2.0, 3.0, 0.5]
    assert "replied_at (Tehran)" in found.columns and "replied_on (Jalali)" in found.columns
    assert found.attrs["delivered"] == 4 and found.attrs["new"] == 4
    assert ledger.opted_out([number(i) for i in range(6)]) == {number(0), number(1)}
    assert [kind for _, _, kind, _ in ledger.events(number(0))] == ["opt_out"]


def test_each_reply_kept_once_across_calls_and_new_ones_added(tmp_path: Path) -> None:
    path, chats = _story(tmp_path)
    ledger = Ledger.open(chats.base_url, "shop")
    first = replies(path, chats, ledger=ledger)
    second = replies(path, chats, ledger=ledger)
    assert second.attrs["new"] == 0 and len(second) == len(first) == 4
    chats.say(A2, number(3), SENT_AT + 3 + 600, "ممنون")
    third = replies(path, chats, ledger=ledger)
    assert third.attrs["new"] == 1 and len(third) == 5
    # An opt-out read three times is one event in the ledger.
    assert len(ledger.events(number(0))) == 1
    assert len(stored_replies(path)) == 5


def test_the_service_clock_offset_moves_the_send_onto_its_clock(tmp_path: Path) -> None:
    offset = 3600.0
    path = write_journal(tmp_path / "c.sqlite", [(number(0), A1, "delivered")])
    chats = FakeChats(clock_offset=offset)
    # No message of ours on the page: the send time on the service's clock decides.
    chats.say(A1, number(0), SENT_AT + offset - 100, "before our message")
    chats.say(A1, number(0), SENT_AT + offset + 30, "after it")
    found = replies(path, chats, ledger=Ledger.open(chats.base_url, "shop"))
    assert found["text"].tolist() == ["after it"]
    assert found["minutes_after_send"].tolist() == [0.5]
    assert found["replied_at (Tehran)"].iloc[0].timestamp() == pytest.approx(
        SENT_AT + 30 + 3.5 * 3600)  # shown on Tehran's clock, zone dropped for Excel


def test_long_chats_read_page_by_page_until_a_message_already_kept(tmp_path: Path) -> None:
    path = write_journal(tmp_path / "c.sqlite", [(number(0), A1, "delivered")])
    chats = FakeChats()
    chats.say(A1, number(0), SENT_AT, "Hello from the shop", out=True)
    for k in range(45):
        chats.say(A1, number(0), SENT_AT + 10 + k, f"message {k}")
    ledger = Ledger.open(chats.base_url, "shop")
    assert len(replies(path, chats, ledger=ledger, page=20)) == 45
    assert [c[3] for c in chats.calls] == [0, 20, 40]
    chats.calls.clear()
    chats.say(A1, number(0), SENT_AT + 100, "one more")
    assert len(replies(path, chats, ledger=ledger, page=20)) == 46
    assert [c[3] for c in chats.calls] == [0]


def test_without_can_get_one_sentence_and_nothing_changed(tmp_path: Path) -> None:
    path, chats = _story(tmp_path)
    chats.can_get = False
    with pytest.raises(RepliesUnavailable, match=r"^This account cannot read chats \(309"):
        replies(path, chats, ledger=Ledger.open(chats.base_url, "shop"))
    assert len(chats.calls) == 1
    journal = Journal(path)
    assert not journal.query("SELECT name FROM sqlite_master WHERE name LIKE 'repl%'")
    journal.close()
    assert Ledger.open(chats.base_url, "shop").opted_out() == set()


def test_whatsapp_sends_have_no_chat_said_once(tmp_path: Path) -> None:
    path = write_journal(tmp_path / "w.sqlite",
                         [(number(i), A1, "delivered") for i in range(3)],
                         func="SendMessageWhatsAppMass")
    chats = FakeChats()
    found = replies(path, chats, ledger=Ledger.open(chats.base_url, "shop"))
    assert chats.calls == [] and found.empty
    assert found.attrs["notes"] == ["3 recipients were sent by WhatsApp, which has no chat to "
                                    "read: their replies are not read."]


def test_a_crash_between_journal_and_ledger_marks_the_opt_out_next_time(tmp_path: Path) -> None:
    path, chats = _story(tmp_path)

    class Broken(Ledger):
        def mark_opt_out(self, *args: object, **kwargs: object) -> bool:
            raise OSError("disk full")

    broken = Broken(Ledger.open(chats.base_url, "shop").path)
    with pytest.raises(OSError):
        replies(path, chats, ledger=broken)
    ledger = Ledger.open(chats.base_url, "shop")
    assert ledger.opted_out() == set()
    replies(path, chats, ledger=ledger)
    assert ledger.opted_out() == {number(0), number(1)}


def test_the_ledger_is_found_from_the_client_in_a_folder_of_its_own(tmp_path: Path) -> None:
    path, chats = _story(tmp_path)
    replies(path, chats, ledger_folder=tmp_path / "sim")
    found = list((tmp_path / "sim").glob("*.sqlite"))
    assert len(found) == 1
    assert Ledger(found[0]).opted_out() == {number(0), number(1)}


def test_reads_are_paced_one_at_a_time(tmp_path: Path) -> None:
    path, chats = _story(tmp_path)
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    replies(path, chats, ledger=Ledger.open(chats.base_url, "shop"), interval=1.5,
            sleep=sleep, clock=lambda: now[0])
    assert waits == [1.5, 1.5, 1.5]


def test_a_missing_or_foreign_file_is_said(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="journal .*nope.sqlite.* does not exist"):
        replies(tmp_path / "nope.sqlite", FakeChats())
    other = tmp_path / "other.sqlite"
    other.write_text("hello")
    with pytest.raises(ValueError, match="is not a campaign journal"):
        replies(other, FakeChats())


_KILLED_READER = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from replies_support import FakeChats
from test_replies import _story
from miogram_toolkit.campaign.ledger import Ledger
from miogram_toolkit.campaign.replies import replies

path, chats = _story(Path({folder!r}))
real = chats.get_history

def get_history(phone, **kwargs):
    if len(chats.calls) == {kill_at}:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(phone, **kwargs)

chats.get_history = get_history
replies(path, chats, ledger=Ledger.open(chats.base_url, "shop"))
"""


@pytest.mark.parametrize("kill_at", [1, 2])
def test_sigkill_mid_read_loses_nothing_and_keeps_each_reply_once(tmp_path: Path,
                                                                   kill_at: int) -> None:
    import os
    import signal
    import subprocess
    import sys

    script = _KILLED_READER.format(tests=str(Path(__file__).parent), folder=str(tmp_path),
                                   kill_at=kill_at)
    done = subprocess.run([sys.executable, "-c", script], env=dict(os.environ),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr
    kept = stored_replies(tmp_path / "campaign.sqlite")
    # The chats read before the kill (at the 2nd or 3rd read) were committed.
    assert len(kept) == {1: 1, 2: 3}[kill_at]
    chats = _chats()
    ledger = Ledger.open(chats.base_url, "shop")
    found = replies(tmp_path / "campaign.sqlite", chats, ledger=ledger)
    assert found["text"].tolist() == ["لغو", "سلام، قیمت چنده؟", "STOP!", "look"]
    assert found.attrs["new"] == 4 - len(kept)
    assert ledger.opted_out() == {number(0), number(1)}
    assert len(ledger.events(number(0))) == 1


def test_campaign_replies_reads_the_journal_a_campaign_wrote(tmp_path: Path) -> None:
    fast: dict[str, Any] = {"rate_per_minute": None, "backoff": 0.0, "timeout_base": 0.5,
            "timeout_per_number": 0.0}
    with mg.Simulator(start=False, unreachable_share=0.0) as sim:
        campaign = Campaign(frame_of(6), "Hi {name}", client=mg.Client.to(sim, retries=0),
                            journal=str(tmp_path / "c.sqlite"), **fast)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = campaign.run(progress=False)
    assert (results["state"] == "delivered").all()
    chats = FakeChats()
    for label, row in results.iterrows():
        sent = row["sent_at"].timestamp()
        chats.say(row["agent"], row["e164"], sent, f"Hi {label}", out=True)
        chats.say(row["agent"], row["e164"], sent + 5, "stop" if label == "r1" else "ok")
    ledger = Ledger.open(chats.base_url, "shop")
    found = campaign.replies(client=chats, ledger=ledger)
    assert found["label"].tolist() == results.index.tolist()
    assert found["opt_out"].tolist() == [False, True, False, False, False, False]
    assert [c[1] for c in chats.calls] == results["agent"].tolist()
    assert ledger.opted_out() == {results.loc["r1", "e164"]}


@pytest.mark.parametrize(("dialect", "offset"), [("reference", 0.0), ("document", 0.0),
                                                  ("reference", 3 * 3600.0)])
def test_against_the_simulator_each_chat_read_through_the_agent_that_sent(
        tmp_path: Path, dialect: str, offset: float) -> None:
    frame = frame_of(60)
    with mg.Simulator(start=False, seed=7, replies=True, unreachable_share=0.0,
                      dialect=dialect, clock_offset_s=offset) as sim, \
            mg.Client.to(sim, retries=0) as client:
        # One request per row (personalised), rotating over the three agents.
        campaign = Campaign(frame, "Hello {name}", client=client,
                            journal=str(tmp_path / "c.sqlite"), rate_per_minute=None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = campaign.run(progress=False)
        ledger = Ledger.open(client.base_url, "shop")
        found = campaign.replies(ledger=ledger)
        again = campaign.replies(ledger=ledger)
    assert len(set(results["agent"])) == 3  # the chats are spread over three agents
    assert len(found) > 0 and found["opt_out"].any() and (found["kind"] == "photo").any()
    sent_by = results.set_index("e164")["agent"]
    assert (found["agent"] == found["number"].map(sent_by)).all()
    assert again.attrs["new"] == 0 and len(again) == len(found)
    # Replies come minutes after our message, on our clock whatever the service's says.
    assert found["minutes_after_send"].between(0, 120).all()
    assert ledger.opted_out() == set(found.loc[found["opt_out"], "number"])


def test_a_later_campaign_skips_the_opted_out_and_sends_to_a_readmitted_number(
        tmp_path: Path) -> None:
    frame = frame_of(40)

    def run(campaign: Campaign) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return campaign.run(progress=False)

    # A simulator on a port: one inside the process (port 0) keeps no account ledger.
    with mg.Simulator(seed=7, replies=True, unreachable_share=0.0) as sim, \
            mg.Client.to(sim, retries=0) as client:
        first = Campaign(frame, "Hello {name}", client=client, rate_per_minute=None,
                         journal=str(tmp_path / "first.sqlite"))
        run(first)
        found = first.replies()
        stopped = sorted(set(found.loc[found["opt_out"], "number"]))
        assert stopped, "the seeded simulator answers some recipients with an opt-out word"
        # A later campaign of the account (another text, sent anyway to the recent ones).
        second = run(Campaign(frame, "Our new offer, {name}", client=client, new_campaign=True,
                              rate_per_minute=None, journal=str(tmp_path / "second.sqlite")))
        by_number = second.set_index("e164")
        assert (by_number.loc[stopped, "reason"] == "opted_out_by_reply").all()
        assert (by_number.loc[stopped, "state"] == "skipped").all()
        others = by_number.drop(index=stopped)
        assert (others["state"] == "delivered").all()
        # One number re-admitted: the next campaign sends to it, and still not to the rest.
        Ledger.for_client(client).readmit(stopped[0])
        sends = sim.deliveries(stopped[0])
        third = run(Campaign(frame, "Last call, {name}", client=client, new_campaign=True,
                             rate_per_minute=None, journal=str(tmp_path / "third.sqlite")))
        by_number = third.set_index("e164")
        assert by_number.loc[stopped[0], "state"] == "delivered"
        assert sim.deliveries(stopped[0]) == sends + 1
        assert (by_number.loc[stopped[1:], "reason"] == "opted_out_by_reply").all()
        # ignore_reply_opt_outs sends to every one of them.
        fourth = run(Campaign(frame, "Everyone, {name}", client=client, new_campaign=True,
                              ignore_reply_opt_outs=True, rate_per_minute=None,
                              journal=str(tmp_path / "fourth.sqlite")))
        assert (fourth.set_index("e164").loc[stopped, "state"] == "delivered").all()


def test_a_simulator_inside_the_process_keeps_opt_outs_in_the_journal_only(
        tmp_path: Path) -> None:
    with mg.Simulator(start=False, seed=7, replies=True, unreachable_share=0.0) as sim, \
            mg.Client.to(sim, retries=0) as client:
        campaign = Campaign(frame_of(40), "Hello {name}", client=client, rate_per_minute=None,
                            journal=str(tmp_path / "c.sqlite"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            campaign.run(progress=False)
        found = campaign.replies()
    stopped = int(found["opt_out"].sum())
    assert stopped > 0
    assert found.attrs["notes"] == [
        f"This simulator runs inside this process and keeps no account ledger: the {stopped} "
        "opt-outs are kept in the journal only."]
