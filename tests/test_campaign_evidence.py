"""The evidence rule, driven through the campaign's Sender protocol by a fake service.

The fake plays what the service's own implementation does under real traffic: a report that
lists only an account's first 1000 rows, a 999 while the gateway goes on (unlogged), texts with
``'`` unlogged, proxy pages after processing, and each agent's own chats. Every test checks
what the fake really delivered: nobody twice, and no row claimed without evidence.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from campaign_support import FAST, Meddler, client_for, fault_on_sends, frame_of
from campaign_support import numbers as numbers_of
from campaign_support import run as run_campaign

import miogram_toolkit as mg
from miogram_toolkit.campaign import Campaign
from miogram_toolkit.campaign.journal import Journal
from miogram_toolkit.campaign.pacing import TokenBucket
from miogram_toolkit.campaign.plan import Content
from miogram_toolkit.campaign.runner import Runner, Settings
from miogram_toolkit.client.transport import NotSent
from miogram_toolkit.protocol.chat import ChatMessage
from miogram_toolkit.protocol.errors import (
    BadResponse,
    ConnectError,
    DeliveryUnknown,
    GatewayCreditError,
    PermissionDenied,
    ServiceUnavailable,
)

OLD_TEXT = "An old campaign's text"


class FakeService:
    """A MioGram account as the campaign sees it through its Sender protocol.

    ``faults[n]`` meets the n-th send: ``lost`` (processed and logged, the answer lost),
    ``999`` (processed, unlogged, the endpoint gave up), ``proxy`` (processed and logged, a
    proxy's page came back), ``dropped`` (never reached the service, no answer either),
    ``306`` (the agent's gateway refused before sending), ``refused`` (never left).
    """

    def __init__(self, *, log_rows: int = 0, can_get: bool = False,
                 faults: dict[int, str] | None = None, first_1000: bool = True,
                 undeliverable: Sequence[str] = (), clock_offset: float | None = 0.0) -> None:
        self.log: list[dict[str, str]] = [
            {"Username": "demo", "DATE": "2020-01-01", "TIME": "10:00:00", "IP": "1.2.3.4",
             "DATA": OLD_TEXT, "Number": f"+98935{1000000 + i}",
             "Delivered": f"+98935{1000000 + i}"} for i in range(log_rows)]
        self.first_1000 = first_1000
        self.chats: dict[tuple[str, str], list[ChatMessage]] = {}
        self.deliveries: Counter[str] = Counter()
        self.faults = faults or {}
        self.undeliverable = set(undeliverable)
        self.sends = 0
        self.history_reads: list[tuple[str, str | None]] = []
        self._can_get = can_get
        self.clock_offset = clock_offset
        self.report_fails_before_send = 0
        self.report_reads = 0

    # -- what the service does -----------------------------------------------------------------

    def _process(self, numbers: Sequence[str], text: str, robot: str, *, logged: bool
                 ) -> dict[str, bool]:
        answer = {}
        now = datetime.now(UTC)
        for number in numbers:
            ok = number not in self.undeliverable
            answer[number] = ok
            if ok:
                self.deliveries[number] += 1
                chat = self.chats.setdefault((robot, number), [])
                chat.append(ChatMessage(str(len(chat)), True, now, text))
        if logged and "'" not in text:
            tehran = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tehran"))
            self.log.append({"Username": "demo", "DATE": f"{tehran:%Y-%m-%d}",
                             "TIME": f"{tehran:%H:%M:%S}", "IP": "127.0.0.1", "DATA": text,
                             "Number": ",".join(numbers),
                             "Delivered": ",".join(n for n in numbers if answer[n])})
        return answer

    def send_message_mass(self, phones: Sequence[str], message: str, *,
                          robot: str | None = None, timeout: float | None = None,
                          retries: int | None = None) -> dict[str, bool]:
        assert retries == 0 and timeout is not None  # per call; the client is never changed
        fault = self.faults.get(self.sends)
        self.sends += 1
        robot = robot or "MioBot1"
        if fault == "refused":
            raise ConnectError("connection refused")
        if fault == "306":
            raise GatewayCreditError("Error 306 : Low Credit", code=306, source="gateway")
        if fault == "dropped":
            raise DeliveryUnknown("no answer in time")
        answer = self._process(phones, message, robot, logged=fault != "999")
        if fault == "lost":
            raise DeliveryUnknown("no answer in time")
        if fault == "999":
            raise ServiceUnavailable("No Response From Server", code=999)
        if fault == "proxy":
            raise BadResponse("HTTP 502 answer is an HTML page")
        return answer

    def send_message_whatsapp_mass(self, phones: Sequence[str], message: str, *,
                                   robot: str | None = None, timeout: float | None = None,
                                   retries: int | None = None) -> dict[str, bool]:
        fault = self.faults.get(self.sends)
        self.sends += 1
        if fault == "lost":  # WhatsApp messages are not in the Telegram agent's chats
            self.deliveries.update(phones)
            raise DeliveryUnknown("no answer in time")
        self.deliveries.update(phones)
        return dict.fromkeys(phones, True)

    def get_report(self, count: int = 100) -> list[dict[str, str]]:
        self.report_reads += 1
        if self.sends < self.report_fails_before_send:
            raise ServiceUnavailable("No Response From Server", code=999)
        rows = self.log[:1000] if self.first_1000 else self.log[-1000:]
        return list(reversed(rows))[:count]

    def get_history(self, phone: str, limit: int = 20, offset: int = 0, *,
                    robot: str | None = None) -> list[ChatMessage]:
        self.history_reads.append((phone, robot))
        if not self._can_get:
            raise PermissionDenied("Permission Denied", code=309)
        return self.chats.get((robot or "MioBot1", phone), [])[-limit:]

    def can_get(self) -> bool:
        return self._can_get

    def get_credits(self) -> dict[str, int]:
        return {"Message": 1000}

    def gateway_done_after(self, numbers: int) -> float:
        return 0.0


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"+98912{4000000 + start + i}" for i in range(count)]


def journal_of(count: int, text: str = "Hello", chunk: int = 10) -> Journal:
    """A journal of ``count`` pending rows in chunks of ``chunk``, as a plan writes them."""
    journal = Journal(":memory:")
    with journal.transaction() as db:
        db.execute("INSERT INTO texts(id, body) VALUES (0, ?)", (text,))
        db.executemany("INSERT INTO recipients(row, label, e164, text_id, state, chunk) "
                       "VALUES (?, ?, ?, 0, 'pending', ?)",
                       [(i, f"r{i}", n, i // chunk + 1) for i, n in enumerate(numbers(count))])
    return journal


def run(journal: Journal, service: FakeService, **settings: Any) -> Runner:
    options = {"rate_per_minute": None, "timeout_base": 1.0, "timeout_per_number": 0.0,
               "backoff": 0.0, **settings}
    runner = Runner(journal, service, Content.text("Hello"), Settings(**options),
                    ["MioBot1", "MioBot2"], sleep=lambda s: None)
    runner.run()
    return runner


def states(journal: Journal) -> dict[str, tuple[str, str | None]]:
    return {str(r.e164): (str(r.state), None if pd.isna(r.reason) else str(r.reason))
            for r in journal.frame().itertuples()}


def test_a_fake_sender_drives_a_whole_campaign_through_the_protocol() -> None:
    service = FakeService(undeliverable=numbers(1, start=3))
    journal = journal_of(25)
    runner = run(journal, service)
    assert runner._outcome().state == "finished"
    assert service.deliveries == Counter({n: 1 for n in numbers(25) if n != numbers(1, 3)[0]})
    assert states(journal)[numbers(1, 3)[0]] == ("failed", "not_on_messenger")
    assert service.sends == 3


def test_used_account_lost_answer_is_never_sent_again_and_reported_unknown(
        caplog: pytest.LogCaptureFixture) -> None:
    # Case 1: the log lists only the account's first 1000 rows, so no new send appears there.
    service = FakeService(log_rows=1000, faults={1: "lost"})
    journal = journal_of(120)
    run(journal, service)
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert ("10 recipients have an unknown outcome (Log shows no new sends 10): they may have "
            "received the message; run the campaign again later to check again, or send it to "
            'them again with on_unknown="resend" (miogram retry --unknown), knowing some may '
            "then receive it twice") in said
    assert set(service.deliveries.values()) == {1}  # nobody twice
    found = states(journal)
    lost = numbers(10, start=10)
    assert {found[n] for n in lost} == {("unknown", "log_frozen")}
    assert sum(1 for s, _ in found.values() if s == "delivered") == 110
    assert [kind for _, kind, _ in journal.events()].count("log_frozen") == 1
    # Run again: still unknown, the log neither read again nor its state said again.
    reads = service.report_reads
    run(journal, service)
    assert service.report_reads == reads
    assert {states(journal)[n] for n in lost} == {("unknown", "log_frozen")}
    assert [kind for _, kind, _ in journal.events()].count("log_frozen") == 1
    assert set(service.deliveries.values()) == {1}


def test_used_account_lost_answer_is_settled_by_the_agents_chat() -> None:
    service = FakeService(log_rows=1000, faults={1: "lost"}, can_get=True)
    journal = journal_of(120)
    run(journal, service)
    assert set(service.deliveries.values()) == {1}
    assert {s for s, _ in states(journal).values()} == {"delivered"}
    # Read through the agent that sent each number, and only for the unknown numbers.
    assert sorted(p for p, _ in service.history_reads) == numbers(10, start=10)
    assert {r for _, r in service.history_reads} == {"MioBot2"}


def test_a_whatsapp_send_is_never_judged_by_the_agents_telegram_chats() -> None:
    service = FakeService(log_rows=1000, faults={0: "lost"}, can_get=True)
    journal = journal_of(10)
    Runner(journal, service, Content.text("Hello", whatsapp=True),
           Settings(rate_per_minute=None, timeout_base=1.0, timeout_per_number=0.0),
           ["MioBot1"], sleep=lambda s: None).run()
    assert service.history_reads == []
    assert {states(journal)[n] for n in numbers(10)} == {("unknown", "no_answer")}
    assert set(service.deliveries.values()) == {1}


def test_999_while_the_gateway_goes_on_is_never_requeued() -> None:
    # Case 2: processed, unlogged, answered 999. The old runner re-queued it.
    service = FakeService(faults={0: "999"})
    journal = journal_of(30)
    run(journal, service)
    assert set(service.deliveries.values()) == {1}
    found = states(journal)
    assert {found[n] for n in numbers(10)} == {("unknown", "service_timeout")}


def test_999_settled_by_the_chat_and_an_unprocessed_one_sent_again() -> None:
    service = FakeService(faults={0: "999", 1: "dropped"}, can_get=True)
    journal = journal_of(30)
    run(journal, service)
    assert service.deliveries == Counter({n: 1 for n in numbers(30)})
    assert {s for s, _ in states(journal).values()} == {"delivered"}


def test_proxy_page_after_processing_is_settled_from_a_live_log() -> None:
    # Case 3: a 502 page is not "the service has finished"; the row in a live log settles it.
    service = FakeService(faults={0: "proxy"}, first_1000=False)
    journal = journal_of(30)
    run(journal, service)
    assert service.deliveries == Counter({n: 1 for n in numbers(30)})
    assert {s for s, _ in states(journal).values()} == {"delivered"}


def test_a_live_log_without_the_row_proves_not_processed_and_it_is_sent_once() -> None:
    service = FakeService(faults={0: "dropped"}, first_1000=False)
    journal = journal_of(30)
    run(journal, service)
    assert service.deliveries == Counter({n: 1 for n in numbers(30)})
    assert journal.frame()["attempts"].tolist()[:10] == [2] * 10


def test_the_last_request_lost_without_a_later_row_stays_unknown() -> None:
    # A live log proves absence only with a row of a later request; there is none.
    service = FakeService(faults={2: "dropped"}, first_1000=False)
    journal = journal_of(30)
    run(journal, service)
    assert {states(journal)[n] for n in numbers(10, start=20)} == {("unknown", "no_answer")}
    assert service.deliveries == Counter({n: 1 for n in numbers(20)})


def test_a_text_the_log_cannot_hold_is_unreconcilable_not_resent() -> None:
    service = FakeService(faults={0: "dropped"}, first_1000=False)
    journal = journal_of(30, text="it's here")
    run(journal, service)
    assert {states(journal)[n] for n in numbers(10)} == {("unknown", "unreconcilable")}
    assert max(service.deliveries.values()) == 1


def test_a_stale_row_of_an_older_campaign_is_never_claimed() -> None:
    # Case 6: the report could not be read before the send; an older identical row is in it.
    service = FakeService(faults={0: "dropped"}, first_1000=False)
    service.log.append({"Username": "demo", "DATE": "2020-01-01", "TIME": "10:00:00",
                        "IP": "1.2.3.4", "DATA": "Hello", "Number": ",".join(numbers(10)),
                        "Delivered": ",".join(numbers(10))})
    service.report_fails_before_send = 1
    journal = journal_of(30)
    run(journal, service)
    found = states(journal)
    assert {found[n] for n in numbers(10)} == {("unknown", "no_answer")}
    assert not service.deliveries.keys() & set(numbers(10))


def test_gateway_306_rests_the_agent_and_a_refused_request_goes_again() -> None:
    service = FakeService(faults={0: "306", 2: "refused"})
    journal = journal_of(30)
    run(journal, service)
    assert service.deliveries == Counter({n: 1 for n in numbers(30)})
    assert set(journal.frame()["agent"]) == {"MioBot2"}
    assert ("agent_rested" in {kind for _, kind, _ in journal.events()})


def test_a_resumed_campaign_sends_the_rest_first_then_checks_with_a_visible_line() -> None:
    class Bar:
        def __init__(self) -> None:
            self.lines: list[str] = []
            self.postfixes: list[str] = []

        def update(self, n: int) -> None:
            pass

        def set_postfix_str(self, text: str, refresh: bool = True) -> None:
            self.postfixes.append(text)

        def write(self, line: str) -> None:
            self.lines.append(line)

    journal = journal_of(30)
    rows = [(i, n) for i, n in enumerate(numbers(10))]
    journal.begin_request(rows, chunk=1, agent="MioBot1", func="SendMessageMass",
                          phones=",".join(numbers(10)), text_id=0, deadline=time.time() + 1,
                          watermark=0)  # the process died with this request in flight
    order: list[str] = []

    class Service(FakeService):
        def send_message_mass(self, phones: Sequence[str], message: str,
                              **kwargs: Any) -> dict[str, bool]:
            order.append("send")
            return super().send_message_mass(phones, message, **kwargs)

        def gateway_done_after(self, numbers: int) -> float:
            order.append("check")
            return 3.0

    service = Service(first_1000=False, can_get=True)
    bar = Bar()
    runner = Runner(journal, service, Content.text("Hello"),
                    Settings(rate_per_minute=None, timeout_base=1.0, timeout_per_number=0.0),
                    ["MioBot1"], progress=bar)
    runner.run()
    # The rest first, then the unknown request, then what the chat proved unsent.
    assert order == ["send", "send", "check", "send"]
    assert bar.lines[0].startswith("checking 10 recipients of an unanswered request: waiting "
                                   "up to 3 s for the service to finish")
    assert any(p.endswith("wait: checking 10 recipients of an unanswered request (no answer) "
                          "3s left") for p in bar.postfixes)
    # It never reached the service: the agent's chat shows nothing, so it was sent once.
    assert service.deliveries == Counter({n: 1 for n in numbers(30)})


def test_default_pace_sends_one_message_per_agent_in_the_first_two_seconds() -> None:
    # Issue 18: at 20 a minute, personalised rows (one request each) went 34-36 per agent in
    # the first two seconds, because the bucket started full at the chunk size.
    clock = [0.0]
    sent_at: list[tuple[float, str]] = []

    class Service(FakeService):
        def send_message_mass(self, phones: Sequence[str], message: str,
                              **kwargs: Any) -> dict[str, bool]:
            sent_at.append((clock[0], str(kwargs["robot"])))
            return super().send_message_mass(phones, message, **kwargs)

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    journal = journal_of(60, chunk=1)
    Runner(journal, Service(), Content.text("Hello"),
           Settings(rate_per_minute=20, timeout_base=1.0, timeout_per_number=0.0),
           ["MioBot1", "MioBot2", "MioBot3"], sleep=sleep, monotonic=lambda: clock[0]).run()
    first = Counter(agent for at, agent in sent_at if at < 2.0)
    assert first == {"MioBot1": 1, "MioBot2": 1, "MioBot3": 1}
    mine = [at for at, agent in sent_at if agent == "MioBot1"]
    assert [round(b - a, 6) for a, b in zip(mine, mine[1:], strict=False)] == [3.0] * 19


def test_pace_starts_with_one_request_not_a_full_bucket() -> None:
    # 20 a minute, personalised (one number a request): the old bucket sent 34-36 at once.
    bucket = TokenBucket(20, now=0.0)
    waits = [bucket.reserve(1, now=0.0) for _ in range(5)]
    assert waits == [0.0, 3.0, 6.0, 9.0, 12.0]
    chunks = TokenBucket(20, now=0.0)
    assert [chunks.reserve(40, now=0.0) for _ in range(3)] == [0.0, 120.0, 240.0]
    chunks.give_back(40)
    assert chunks.peek(40, now=200.0) == 40.0 and chunks.peek(40, now=240.0) == 0.0


@pytest.mark.parametrize("policy,expected", [("skip", ("unknown", "unknown_skipped")),
                                             ("resend", ("delivered", None))])
def test_on_unknown_policies(policy: str, expected: tuple[str, str | None]) -> None:
    service = FakeService(log_rows=1000, faults={0: "lost"})
    journal = journal_of(10)
    run(journal, service, on_unknown=policy)
    assert {states(journal)[n] for n in numbers(10)} == {expected}
    assert set(service.deliveries.values()) == ({2} if policy == "resend" else {1})


# -- the cases against the simulator, which plays the service's own implementation ----

@pytest.mark.parametrize("can_get", [False, True], ids=["no_canGet", "canGet"])
def test_case_1_used_account_lost_answer_nobody_twice(tmp_path: Path, can_get: bool) -> None:
    with mg.Simulator(start=False, seed=3, log_rows=1000, can_get=can_get,
                      unreachable_share=0.0) as sim:
        client = client_for(sim, fault_on_sends(sim, {1: "lost_answer"}))
        results, warned = run_campaign(Campaign(frame_of(120), "Hello", client=client,
                                                journal=tmp_path / "c.sqlite", **FAST))
        assert set(sim.inspect()["deliveries"].values()) == {1}  # the old code: 2 for 40
    lost = results.iloc[40:80]
    if can_get:
        assert (results["state"] == "delivered").all()
        assert warned == []
    else:
        assert set(zip(lost["state"], lost["reason"], strict=True)) == {("unknown", "log_frozen")}
        assert (results.drop(lost.index)["state"] == "delivered").all()
        assert any("40 rows whose outcome is unknown" in w for w in warned)


@pytest.mark.parametrize("can_get", [False, True], ids=["no_canGet", "canGet"])
def test_case_2_999_while_the_gateway_goes_on_is_never_sent_again(tmp_path: Path,
                                                                  can_get: bool) -> None:
    # Every request of 20 numbers takes the gateway 0.2 s; the endpoint gives up at 0.15 s.
    with mg.Simulator(start=False, seed=4, per_number_s=0.01, gateway_timeout_s=0.15,
                      can_get=can_get, unreachable_share=0.0) as sim:
        client = client_for(sim, gateway_per_number_s=0.01, gateway_slack_s=0.3)
        results, _ = run_campaign(Campaign(frame_of(60), "Hello", client=client, chunk_size=20,
                                           journal=tmp_path / "c.sqlite", **FAST))
        time.sleep(0.3)  # the gateway finishes the last request in the background
        assert set(sim.inspect()["deliveries"].values()) == {1}
        assert len(sim.inspect()["deliveries"]) == 60
    if can_get:
        assert (results["state"] == "delivered").all() and (results["attempts"] == 1).all()
    else:
        assert set(zip(results["state"], results["reason"], strict=True)) == {
            ("unknown", "service_timeout")}


def test_case_2_999_after_processing_on_one_chunk(tmp_path: Path) -> None:
    with mg.Simulator(start=False, seed=5, unreachable_share=0.0, can_get=False) as sim:
        client = client_for(sim, fault_on_sends(sim, {0: "999_after"}))
        results, _ = run_campaign(Campaign(frame_of(80), "Hello", client=client,
                                           journal=tmp_path / "c.sqlite", **FAST))
        assert set(sim.inspect()["deliveries"].values()) == {1}
    first = results.iloc[:40]
    assert set(zip(first["state"], first["reason"], strict=True)) == {
        ("unknown", "service_timeout")}
    assert (results["attempts"] == 1).all()


def test_case_3_proxy_page_after_processing_is_settled_not_resent(tmp_path: Path) -> None:
    # A 502 page is not "the service has finished": on a used account the old runner found no
    # row and sent the chunk again.
    with mg.Simulator(start=False, seed=6, unreachable_share=0.0, log_rows=1000) as sim:
        client = client_for(sim, fault_on_sends(sim, {1: "proxy_after"}))
        results, warned = run_campaign(Campaign(frame_of(120), "Hello", client=client,
                                                journal=tmp_path / "c.sqlite", **FAST))
        assert set(sim.inspect()["deliveries"].values()) == {1}
        assert sim.faults.counts == {"proxy_after": 1}
    assert warned == []  # the agent's chat settled it
    assert (results["state"] == "delivered").all() and (results["attempts"] == 1).all()


def test_case_6_a_stale_row_of_an_older_send_is_never_claimed(tmp_path: Path) -> None:
    with mg.Simulator(start=False, seed=7, unreachable_share=0.0, can_get=False) as sim:
        older = numbers_of(40)
        mg.Client.to(sim).send_message_mass(older, "Hello")  # an earlier send, same text
        time.sleep(3.0)  # older than the request by more than the clocks can blur

        class NoReportBeforeSending(Meddler):
            def post(self, url: str, fields: Any, **kwargs: Any) -> Any:
                if fields.get("Func") == "APIGetReport" and not self.sends:
                    raise NotSent("simulated: the report could not be read")
                return super().post(url, fields, **kwargs)

        meddler = NoReportBeforeSending(
            sim, on_send=lambda n, form: sim.faults.queue("drop_before") if n == 0 else None)
        results, _ = run_campaign(Campaign(frame_of(120), "Hello", client=client_for(sim, meddler),
                                           journal=tmp_path / "c.sqlite", **FAST))
        deliveries = sim.inspect()["deliveries"]
    first = results.iloc[:40]
    # The old code claimed the older row: 40 rows "delivered", none sent by this campaign.
    assert set(zip(first["state"], first["reason"], strict=True)) == {("unknown", "no_answer")}
    assert all(deliveries[n] == 1 for n in older)


def test_case_7_file_campaign_reads_what_fits_and_settles(tmp_path: Path) -> None:
    photo = tmp_path / "poster.jpg"
    photo.write_bytes(bytes(range(256)) * 4800)  # 1.2 MB: 1.6 MB of base64 in each log row
    with mg.Simulator(start=False, seed=8, unreachable_share=0.0, can_get=False) as sim:
        client = client_for(sim, fault_on_sends(sim, {24: "lost_answer"}))
        results, warned = run_campaign(Campaign(frame_of(30), photo=photo, client=client,
                                                chunk_size=1, journal=tmp_path / "p.sqlite",
                                                **FAST))
        assert set(sim.inspect()["deliveries"].values()) == {1}
    # The old code asked for every row (48 MB, over the 32 MiB answer cap) and paused for ever.
    assert warned == []
    assert (results["state"] == "delivered").all() and (results["attempts"] == 1).all()
