"""The simulator under real traffic, as ``reference-implementation.md`` ("What the log and the
endpoint do under real traffic") describes the service: a frozen report, 999 while the gateway
goes on, a lossy log, chats per agent, proxy pages after processing, a clock of its own."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import requests
from simulator_support import OFF, ON, ON2, ON3, make_sim

from miogram_toolkit.simulator import Simulator

NO_RESPONSE = {"Message": "No Response From Server", "Status": "error", "Code": "999"}


def post(sim: Simulator, func: str, **fields: str) -> requests.Response:
    return requests.post(sim.url, data={"Secret": sim.secret, "Func": func, **fields},
                         timeout=10)


def answer(sim: Simulator, func: str, **fields: str) -> Any:
    return json.loads(post(sim, func, **fields).text)


# -- the report: the account's first 1000 rows, forever ------------------------------------------

def test_an_account_with_1000_old_rows_never_shows_a_new_send():
    with make_sim(dialect="reference", log_rows=1000) as sim:
        assert sim.state.report_count() == 1000
        assert answer(sim, "SendMessage", Phone=ON, Message="new")["Result"] is True
        rows = answer(sim, "APIGetReport")
        assert len(rows) == 1000 and all(row["DATA"] != "new" for row in rows)
        assert rows[0]["DATA"] == "old message 1000" and rows[-1]["DATA"] == "old message 1"
        assert [r["DATA"] for r in answer(sim, "APIGetReport", Misc="2")] == [
            "old message 1000", "old message 999"]
        # The old rows are old: a month back, in the implementation's shape.
        assert set(rows[0]) == {"Username", "DATE", "TIME", "IP", "DATA", "Number", "Delivered"}
        assert rows[-1]["DATE"] < datetime.now(UTC).strftime("%Y-%m-%d")
        assert sim.state.report_count() == 1001  # logged all the same


def test_a_new_account_freezes_once_its_1000th_row_is_written():
    with make_sim(dialect="reference", log_rows=998) as sim:
        for text in ("a", "b", "c"):
            answer(sim, "SendMessage", Phone=ON, Message=text)
        assert [r["DATA"] for r in answer(sim, "APIGetReport", Misc="3")] == [
            "b", "a", "old message 998"]


def test_the_document_dialect_keeps_the_newest_rows():
    with make_sim(dialect="document", log_rows=1000) as sim:
        answer(sim, "SendMessage", Phone=ON, Message="new")
        newest = answer(sim, "APIGetReport", Misc="2")["Result"]
        assert [r["Message"] for r in newest] == ["new", "old message 1000"]
        assert newest[0]["Id"] == 1001


def test_a_prefilled_state_file_is_not_filled_again(tmp_path):
    path = tmp_path / "sim.sqlite"
    Simulator(state_file=path, log_rows=10, start=False).state.close()
    again = Simulator(state_file=path, log_rows=10, start=False)
    assert again.state.report_count() == 10
    with pytest.raises(ValueError, match="log_rows"):
        Simulator(log_rows=-1, start=False)


# -- 999 while the gateway goes on ---------------------------------------------------------------

def test_a_send_longer_than_the_gateway_timeout_answers_999_and_is_sent_uncharged_unlogged():
    numbers = [f"+98912000{i:04d}" for i in range(8)]
    with make_sim(dialect="reference", on_messenger=numbers, per_number_s=0.05,
                  gateway_timeout_s=0.2) as sim:
        started = time.monotonic()
        response = post(sim, "SendMessageMass", Phone=",".join(numbers), Message="hello")
        waited = time.monotonic() - started
        assert json.loads(response.text) == NO_RESPONSE
        assert response.headers["Content-Type"] == "application/json"
        assert waited >= 0.2  # the endpoint's wait, not the gateway's 0.4 s
        assert all(sim.deliveries(n) == 1 for n in numbers)  # sent all the same
        assert sim.credits()["Message"] == 10000  # uncharged
        assert sim.state.report_count() == 0  # unlogged
        # A request the gateway finishes in time is answered as usual.
        small = answer(sim, "SendMessageMass", Phone=",".join(numbers[:3]), Message="hi")
        assert small == {"Result": dict.fromkeys(numbers[:3], True), "Status": "checking"}
        assert sim.credits()["Message"] == 10000 - 3


def test_whatsapp_never_waits_for_the_gateway():
    with make_sim(dialect="reference", per_number_s=0.05, gateway_timeout_s=0.01) as sim:
        assert answer(sim, "SendMessageWhatsAppMass", Phone=f"{ON},{ON2},{ON3}",
                      Message="wa") == {"Result": True, "Status": "sent"}


def test_the_document_dialect_answers_when_the_gateway_is_done():
    with make_sim(dialect="document", per_number_s=0.05, gateway_timeout_s=0.01) as sim:
        result = answer(sim, "SendMessageMass", Phone=f"{ON},{ON2}", Message="x")["Result"]
        assert result == {ON: True, ON2: True}


# -- what the log keeps of a text ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "logged"), [
    ("it's here", None),
    ("emoji 😀 here", "emoji ???? here"),
    ("back\\slash and \\n", "backslash and \n"),
    ("it''s", "it's"),
    ("سلام، خوبی؟", "سلام، خوبی؟"),
])
def test_the_log_keeps_what_mysql_reads_from_the_unescaped_insert(text, logged):
    with make_sim(dialect="reference") as sim:
        assert answer(sim, "SendMessage", Phone=ON, Message=text)["Result"] is True
        assert sim.deliveries(ON) == 1 and sim.credits()["Message"] == 9999  # sent, charged
        rows = [row["DATA"] for row in sim.reports()]
        assert rows == ([] if logged is None else [logged])


# -- GetHistory through the agent that sent ------------------------------------------------------

@pytest.mark.parametrize(("dialect", "misc"), [("reference", "10,0"), ("document", "0,10")])
def test_the_chat_is_read_through_the_agent_that_sent_as_telegram_cli_objects(dialect, misc):
    with make_sim(dialect=dialect, can_get=True) as sim:
        before = int(time.time())
        answer(sim, "SendMessage", Phone=ON, Message="first", Robot="MioBot2")
        answer(sim, "SendMessage", Phone=ON, Message="second", Robot="MioBot2")
        answer(sim, "SendPhoto", Phone=ON, Misc="png", Robot="MioBot2",
               Data="iVBORw0KGgo=")
        assert answer(sim, "GetHistory", Phone=ON, Misc=misc) == {"Result": False,
                                                                  "Status": "fail"}
        page = answer(sim, "GetHistory", Phone=ON, Misc=misc, Robot="MioBot2")
        assert page["Status"] == "success"
        first, second, photo = page["Result"]  # newest last
        assert first["text"] == "first" and second["text"] == "second"
        assert photo["media"]["type"] == "photo" and "text" not in photo
        assert first["event"] == "message" and first["out"] is True
        assert first["service"] is False and first["unread"] is False
        assert first["from"]["print_name"] == "MioBot2"
        assert first["to"]["phone"] == ON.lstrip("+") and first["to"]["print_name"]
        assert isinstance(first["date"], int) and before - 1 <= first["date"] <= time.time() + 1
        assert first["id"] != second["id"]


def test_a_number_never_written_to_has_no_chat():
    with make_sim(dialect="reference") as sim:
        answer(sim, "SendMessage", Phone=OFF, Message="x")  # not on the messenger
        assert answer(sim, "GetHistory", Phone=OFF, Misc="10,0") == {"Result": False,
                                                                      "Status": "fail"}


# -- faults after processing ---------------------------------------------------------------------

def test_a_proxy_page_after_processing_leaves_the_send_delivered_charged_and_logged():
    with make_sim(dialect="reference") as sim:
        sim.faults.queue("proxy_after", "proxy_after")
        pages = [post(sim, "SendMessage", Phone=ON, Message=f"m{i}") for i in range(2)]
        assert sorted(p.status_code for p in pages) == [502, 504]
        assert all(p.headers["Content-Type"] == "text/html" and b"nginx" in p.content
                   for p in pages)
        assert sim.deliveries(ON) == 2 and sim.credits()["Message"] == 9998
        assert [row["DATA"] for row in sim.reports()] == ["m0", "m1"]


def test_999_after_processing_is_delivered_uncharged_and_unlogged():
    with make_sim(dialect="reference") as sim:
        sim.faults.queue("999_after")
        assert answer(sim, "SendMessage", Phone=ON, Message="x") == NO_RESPONSE
        assert sim.deliveries(ON) == 1 and sim.credits()["Message"] == 10000
        assert sim.reports() == []


# -- the service's own clock ---------------------------------------------------------------------

def test_the_clock_offset_moves_the_date_header_the_report_and_the_chat():
    offset = -3 * 3600
    with make_sim(dialect="reference", clock_offset_s=offset) as sim:
        response = post(sim, "SendMessage", Phone=ON, Message="x")
        ours = datetime.now(UTC)
        theirs = parsedate_to_datetime(response.headers["Date"])
        assert abs((theirs - ours).total_seconds() - offset) < 5
        assert len(response.raw.headers.getlist("Date")) == 1  # ours, not the server's too
        row = answer(sim, "APIGetReport")[0]
        logged = datetime.strptime(f"{row['DATE']} {row['TIME']}", "%Y-%m-%d %H:%M:%S")
        tehran = (ours + timedelta(seconds=offset, hours=3, minutes=30)).replace(tzinfo=None)
        assert abs((logged - tehran).total_seconds()) < 5
        message = answer(sim, "GetHistory", Phone=ON, Misc="1,0")["Result"][0]
        assert abs(message["date"] - (ours.timestamp() + offset)) < 5


def test_the_in_process_app_gives_the_date_header_too():
    sim = Simulator(start=False, clock_offset_s=600)
    seen: list[Any] = []
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/dojob.php", "CONTENT_LENGTH": "0",
               "REMOTE_ADDR": "127.0.0.1"}
    b"".join(sim.app(environ, lambda status, headers: seen.extend(headers)))
    date = parsedate_to_datetime(dict(seen)["Date"])
    assert abs((date - datetime.now(UTC)).total_seconds() - 600) < 5


def test_a_chat_read_takes_the_gateways_pace(monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr("miogram_toolkit.simulator.actions.time.sleep", pauses.append)
    with make_sim(dialect="reference", per_number_s=0.25) as sim:
        answer(sim, "SendMessage", Phone=ON, Message="x")
        answer(sim, "GetHistory", Phone=ON, Misc="5,0")
    assert pauses == [0.25, 0.25]  # the send's one number, then the read


def test_after_a_999_the_chats_fill_in_as_the_gateway_goes_on():
    # The gateway sends one number after the other, also after the endpoint gave up: a number
    # is in its chat only once the gateway has reached it (here 0.5 s apart; a read itself
    # takes one pace too).
    numbers = [ON, ON2, ON3]
    with make_sim(dialect="reference", per_number_s=0.5, gateway_timeout_s=0.1) as sim:
        started = time.monotonic()
        assert answer(sim, "SendMessageMass", Phone=",".join(numbers), Message="m") == \
            NO_RESPONSE
        assert answer(sim, "GetHistory", Phone=ON3, Misc="5,0")["Result"] is False  # at 1.0 s
        first = answer(sim, "GetHistory", Phone=ON, Misc="5,0")["Result"]
        assert first and first[0]["text"] == "m"  # the first number went at once
        time.sleep(max(0.0, started + 1.2 - time.monotonic()))
        late = [answer(sim, "GetHistory", Phone=n, Misc="5,0")["Result"] for n in numbers]
        assert all(page and page[0]["text"] == "m" for page in late)
        dates = [page[0]["date"] for page in late]
        assert dates == sorted(dates)
