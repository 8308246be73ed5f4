"""The simulator's ``reference`` dialect, raw over HTTP: what the service's own implementation does.

Each test names the line of ``shared/spec/reference-implementation.md`` it checks.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from simulator_support import OFF, ON, ON2, ON3, PNG, make_sim

from miogram_toolkit.client import Client
from miogram_toolkit.simulator import Simulator
from miogram_toolkit.simulator.actions import perform
from miogram_toolkit.simulator.dialects import AD_TEXT, ReferenceDialect
from miogram_toolkit.simulator.state import State

JSON = "application/json"
HTML = "text/html; charset=UTF-8"


@pytest.fixture
def sim():
    with make_sim(dialect="reference") as simulator:
        yield simulator


@pytest.fixture
def raw(sim):
    """``raw(func, **fields)`` → the response, Secret defaulting to the simulator's."""
    with requests.Session() as session:
        def post(func: str | None = None, **fields: str) -> requests.Response:
            data = {"Secret": sim.secret, **({"Func": func} if func else {}), **fields}
            return session.post(sim.url, data=data, timeout=10)
        yield post


def body(response: requests.Response) -> Any:
    return json.loads(response.text)


# -- the wire shapes -----------------------------------------------------------------------------

def test_the_four_answer_families_and_their_content_types(raw):
    own_error = raw("Nope")
    assert own_error.status_code == 200
    assert own_error.headers["Content-Type"] == JSON
    assert own_error.text == '{"Message":"Bad Request of Functions","Status":"error","Code":"302"}'
    confirmation = raw("APISetIP", Misc="*")
    assert (confirmation.headers["Content-Type"], body(confirmation)) == (JSON, {
        "Result": "*", "Message": "Allow IP Sets", "Status": "success", "Code": "409"})
    getter = raw("APIGetRobot")
    assert (getter.headers["Content-Type"], getter.text) == \
        (JSON, '{"Result":"MioBot1,MioBot2,MioBot3"}')
    relayed = raw("SendMessage", Phone=ON, Message="Hi")
    assert (relayed.headers["Content-Type"], relayed.text) == \
        (HTML, '{"Result":true,"Status":"success"}')


def test_tables_and_getters_as_the_implementation_types_them(raw):
    assert body(raw("APIGetCredits")) == {"Result": {
        "Message": "10000", "Photo": "2000", "Video": "1000", "File": "2000", "Other": "2000"},
        "Status": "checking"}
    assert body(raw("APIGetLimits")) == {"Result": {
        "Message": "4096", "Photo": 5 * 1048576, "Video": 20 * 1048576, "File": 20 * 1048576,
        "canGet": "1", "isSuper": "1"}, "Status": "checking"}
    assert body(raw("APIGetActive")) == {"Result": "1"}
    assert body(raw("APIGetUsername")) == {"Result": "demo"}
    assert body(raw("APIGetAds")) == {"Result": False}
    assert body(raw("APIGetIP")) == {"Result": "127.0.0.1"}  # the caller, not the allow-list


def test_flags_off_are_the_integer_0():
    with make_sim(dialect="reference", is_super=False, can_get=False) as sim:
        post = lambda func: requests.post(sim.url, data={"Secret": sim.secret, "Func": func},  # noqa: E731
                                          timeout=10).json()
        assert post("APIisSuper") == {"Result": 0} and post("APIcanGet") == {"Result": 0}
        limits = post("APIGetLimits")["Result"]
        assert (limits["canGet"], limits["isSuper"]) == (0, 0)


def test_gateway_errors_have_no_code_and_some_a_stray_302(raw):
    missing = raw("SendMessage", Phone=ON, Message="")
    assert (missing.headers["Content-Type"], missing.text) == \
        (HTML, '{"Message":"Error 302 : Bad Request of Func ","Status":"error"}302')
    assert raw("SendMessageMass", Phone="", Message="x").text == \
        '{"Message":"Error 302 : Bad Request of Func ","Status":"error"}'
    not_base64 = raw("SendPhoto", Phone=ON, Misc="png", Data="not base64!")
    assert body(not_base64) == {"Message": "Error 400 : Not Valid File", "Status": "error"}


def test_an_unknown_number_is_the_not_exist_error_and_is_neither_charged_nor_logged(raw, sim):
    answer = raw("SendMessage", Phone=OFF, Message="Hi")
    assert (answer.headers["Content-Type"], body(answer)) == (HTML, {
        "Result": False, "Message": "Number Not Exist or Wrong", "Status": "error"})
    assert body(raw("SendPhoto", Phone=OFF, Misc="png", Data=PNG))["Message"] == \
        "Number Not Exist or Wrong"
    assert sim.credits()["Message"] == 10000 and sim.credits()["Photo"] == 2000
    assert body(raw("APIGetReport")) == {"Message": "No DATA", "Status": "error", "Code": "111"}


def test_whatsapp_answers_sent_and_charges_every_number(raw, sim):
    assert body(raw("SendMessageWhatsApp", Phone=OFF, Message="Hi")) == \
        {"Result": True, "Status": "sent"}
    assert body(raw("SendMessageWhatsAppMass", Phone=f"{ON},{OFF},{ON2}", Message="Hi")) == \
        {"Result": True, "Status": "sent"}
    assert sim.credits()["Message"] == 10000 - 4


def test_mass_keys_as_written_and_a_repeat_answered_and_charged_once(raw, sim):
    answer = body(raw("SendMessageMass", Phone=f"{ON},{ON2[1:]},09120000003,{ON}",
                      Message="Hi"))
    assert answer == {"Result": {ON: True, ON2[1:]: True, "09120000003": False},
                      "Status": "checking"}
    assert sim.credits()["Message"] == 10000 - 2
    assert sim.deliveries(ON) == 1 and sim.deliveries(ON2) == 1


# -- the check order -----------------------------------------------------------------------------

def test_check_order_secret_then_active_then_agent_then_ip():
    with make_sim(dialect="reference", active=False, agents=[],
                  allowed_ips="10.0.0.1") as sim:
        def code(**fields: str) -> str:
            data = {"Func": "APIGetIP", **fields}
            return requests.post(sim.url, data=data, timeout=10).json()["Code"]
        assert code() == "800" and code(Secret="0") == "800"  # PHP's empty("0")
        assert code(Secret="wrong") == "801"
        assert code(Secret=sim.secret) == "826"
        with sim.state.transaction() as state:
            state.active = True
        assert code(Secret=sim.secret) == "827"  # no agent: before the IP, for API… too
        with sim.state.transaction() as state:
            state.agents = [{"Name": "MioBot1", "Online": True, "FirstName": "MioBot1",
                             "LastName": "", "Username": None, "Photo": None}]
        assert code(Secret=sim.secret) == "802"  # APIGetIP too
        assert code(Secret=sim.secret, Func="Nope") == "802"  # before the Func is looked at


def test_four_gets_block_the_address_for_every_request(sim, raw):
    for _ in range(3):
        assert requests.get(sim.url, timeout=10).json()["Code"] == "812"
    assert body(raw("APIGetActive")) == {"Result": "1"}  # 90 points: not yet
    assert requests.get(sim.url, timeout=10).json()["Code"] == "812"
    assert body(raw("APIGetActive")) == {"Message": "Session Blocked", "Status": "error",
                                         "Code": "815"}
    assert body(raw("SendMessage", Phone=ON, Message="x"))["Code"] == "815"
    assert sim.deliveries(ON) == 0


def test_permission_then_the_actions_own_checks():
    with make_sim(dialect="reference", can_get=False, limits={"Message": 5}) as sim:
        post = lambda **f: requests.post(sim.url, data={"Secret": sim.secret, **f},  # noqa: E731
                                         timeout=10).json()
        assert post(Func="GetHistory", Phone=ON, Misc="1,0")["Code"] == "309"
        assert post(Func="SendMessage", Phone=ON, Message="123456") == {
            "Message": "Message Length is Too High", "Status": "error", "Code": "304"}


# -- credit, length and size ---------------------------------------------------------------------

def test_a_single_send_goes_at_credit_0_then_305():
    with make_sim(dialect="reference", credits={"Message": 0}) as sim:
        post = lambda **f: requests.post(sim.url, data={"Secret": sim.secret, **f},  # noqa: E731
                                         timeout=10).json()
        assert post(Func="SendMessage", Phone=ON, Message="x") == \
            {"Result": True, "Status": "success"}
        assert sim.credits()["Message"] == -1
        assert post(Func="SendMessage", Phone=ON, Message="x")["Code"] == "305"


def test_a_mass_needs_credit_for_every_number_written():
    with make_sim(dialect="reference", credits={"Message": 3}) as sim:
        post = lambda **f: requests.post(sim.url, data={"Secret": sim.secret, **f},  # noqa: E731
                                         timeout=10).json()
        # Four numbers written (one twice): 305, never 306, nothing sent.
        assert post(Func="SendMessageMass", Phone=f"{ON},{ON2},{ON3},{ON}", Message="x") == \
            {"Message": "No Credit", "Status": "error", "Code": "305"}
        assert sim.credits()["Message"] == 3 and sim.deliveries(ON) == 0
        assert post(Func="SendMessageMass", Phone=f"{ON},{ON2},{OFF}", Message="x")["Status"] \
            == "checking"
        assert sim.credits()["Message"] == 1  # charged per true


def test_the_message_limit_is_in_bytes_with_the_ad_appended():
    persian = "س" * 50  # 100 bytes
    with make_sim(dialect="reference", limits={"Message": 100}) as sim:
        post = lambda text: requests.post(sim.url, data={  # noqa: E731
            "Secret": sim.secret, "Func": "SendMessage", "Phone": ON, "Message": text},
            timeout=10).json()
        assert post(persian)["Status"] == "success"
        assert post(persian + "س")["Code"] == "304"  # 51 letters: 102 bytes
    limit = 10 + 1 + len(AD_TEXT)
    with make_sim(dialect="reference", ads=True, limits={"Message": limit}) as sim:
        post = lambda text: requests.post(sim.url, data={  # noqa: E731
            "Secret": sim.secret, "Func": "SendMessage", "Phone": ON, "Message": text},
            timeout=10).json()
        assert post("x" * 10)["Status"] == "success"
        assert post("x" * 11)["Code"] == "304"
        (row,) = [r for r in sim.reports()]
        assert row["DATA"] == "x" * 10 + "\n" + AD_TEXT


def test_file_sizes_in_bytes_of_the_decoded_data():
    data = base64.b64encode(b"\0" * (1048576 + 1)).decode()
    with make_sim(dialect="reference", limits={"Photo": 1}) as sim:
        answer = requests.post(sim.url, data={"Secret": sim.secret, "Func": "SendPhoto",
                                              "Phone": ON, "Misc": "png", "Data": data},
                               timeout=10).json()
        assert answer == {"Message": "File Size is Too High", "Status": "error", "Code": "303"}


# -- the report log ------------------------------------------------------------------------------

def test_one_row_per_request_in_tehran_time():
    state = State(secret="s", on_messenger=[ON, ON2], not_on_messenger=[OFF])
    dialect = ReferenceDialect()
    now = datetime(2026, 1, 31, 12, 0, 5, tzinfo=UTC)

    def send(func: str, **fields: str) -> Any:
        return perform(state, {"Secret": "s", "Func": func, **fields}, "10.1.2.3", now,
                       dialect=dialect)

    send("SendMessage", Phone=ON, Message="one")
    send("SendMessage", Phone=OFF, Message="lost")  # undelivered: no row
    send("SendMessageMass", Phone=f"{ON},{OFF},{ON2}", Message="mass")
    send("SendMessageMass", Phone=OFF, Message="nobody")
    send("SendMessageWhatsAppMass", Phone=f"{ON},{OFF}", Message="wa")
    send("SendPhoto", Phone=ON, Misc="png", Data=PNG)
    send("SendLocation", Phone=ON, Misc="35.7,51.4")
    send("SendContact", Phone=ON, Misc="Ali,+989121112233")
    rows = send("APIGetReport", Misc="10")
    base = {"Username": "demo", "DATE": "2026-01-31", "TIME": "15:30:05", "IP": "10.1.2.3"}
    assert rows == [  # newest first, all strings
        {**base, "DATA": "Ali,+989121112233", "Number": ON, "Delivered": ON},
        {**base, "DATA": "35.7,51.4", "Number": ON, "Delivered": ON},
        {**base, "DATA": PNG, "Number": ON, "Delivered": ON},
        {**base, "DATA": "wa", "Number": f"{ON},{OFF}", "Delivered": f"{ON},{OFF}"},
        {**base, "DATA": "nobody", "Number": OFF, "Delivered": ""},
        {**base, "DATA": "mass", "Number": f"{ON},{OFF},{ON2}", "Delivered": f"{ON},{ON2}"},
        {**base, "DATA": "one", "Number": ON, "Delivered": ON},
    ]


def test_the_report_shows_the_first_1000_rows_forever_and_reads_misc_like_the_implementation():
    # "The report lists the account's first 1000 rows, forever": insertion order, the first
    # 1000 kept, reversed, sliced by Misc; later sends never appear.
    state = State(secret="s", on_messenger=[ON])
    dialect = ReferenceDialect()
    for i in range(1003):
        perform(state, {"Secret": "s", "Func": "SendMessage", "Phone": ON, "Message": str(i)},
                "127.0.0.1", dialect=dialect)

    def report(misc: str | None) -> list[dict[str, str]]:
        fields = {"Secret": "s", "Func": "APIGetReport"}
        if misc is not None:
            fields["Misc"] = misc
        return perform(state, fields, "127.0.0.1", dialect=dialect)

    assert [r["DATA"] for r in report("5")] == ["999", "998", "997", "996", "995"]
    for misc in (None, "", "0", "2000", "x"):
        rows = report(misc)
        assert len(rows) == 1000 and rows[0]["DATA"] == "999" and rows[-1]["DATA"] == "0", misc


# -- agents, history, IPs ------------------------------------------------------------------------

def test_an_unknown_robot_falls_back_to_the_first_agent(raw, sim):
    assert body(raw("SendMessage", Phone=ON, Message="x", Robot="Ghost"))["Result"] is True
    assert body(raw("SendMessage", Phone=ON, Message="y", Robot="MioBot2"))["Result"] is True
    # An agent sees only its own chat: "x" went out through the first agent.
    first = body(raw("GetHistory", Phone=ON, Misc="5,0"))["Result"]
    assert [(m["text"], m["from"]["print_name"]) for m in first] == [("x", "MioBot1")]
    second = body(raw("GetHistory", Phone=ON, Misc="5,0", Robot="MioBot2"))["Result"]
    assert [(m["text"], m["from"]["print_name"]) for m in second] == [("y", "MioBot2")]


def test_get_history_reads_limit_then_offset_newest_last(raw):
    for text in ("one", "two", "three"):
        raw("SendMessage", Phone=ON, Message=text)
    page = lambda misc: body(raw("GetHistory", Phone=ON, Misc=misc))  # noqa: E731
    assert [m["text"] for m in page("2,0")["Result"]] == ["two", "three"]
    assert [m["text"] for m in page("1,2")["Result"]] == ["one"]
    # The document's "first 20" (0,20) reads as limit 1, offset 20 here: nothing.
    assert page("0,20") == {"Result": False, "Status": "fail"}


def test_set_ip_appends_the_servers_address_and_locks_the_caller_out(raw):
    assert body(raw("APISetIP", Misc="")) == {"Message": "No Input", "Status": "error",
                                              "Code": "330"}
    assert body(raw("APISetIP", Misc="203.0.113.7")) == {
        "Result": "203.0.113.7,", "Message": "Allow IP Sets", "Status": "success",
        "Code": "409"}
    assert body(raw("APIGetIP"))["Code"] == "802"
    assert body(raw("SendMessage", Phone=ON, Message="x"))["Code"] == "802"


def test_change_secret_gives_ten_hex_characters_and_the_old_one_dies(raw, sim):
    old = sim.secret
    answer = body(raw("APIChangeSecret"))
    assert answer["Message"] == "Secret Changed" and answer["Code"] == "407"
    assert len(answer["Result"]) == 10 and int(answer["Result"], 16) >= 0
    assert requests.post(sim.url, data={"Secret": old, "Func": "APIGetActive"},
                         timeout=10).json()["Code"] == "801"


# -- faults and pace -----------------------------------------------------------------------------

def test_gateway_306_is_the_gateways_body_and_sends_nothing(raw, sim):
    sim.faults.queue("gateway_306")
    answer = raw("SendMessageMass", Phone=f"{ON},{ON2}", Message="x")
    assert (answer.headers["Content-Type"], answer.text) == \
        (HTML, '{"Message":"Error 306 : Low Credit","Status":"error"}')
    assert sim.credits()["Message"] == 10000 and sim.deliveries(ON) == 0


def test_per_number_pause_is_taken_for_each_number_of_a_non_whatsapp_send(monkeypatch):
    from miogram_toolkit.simulator import actions

    pauses: list[float] = []
    monkeypatch.setattr(actions.time, "sleep", pauses.append)
    with make_sim(dialect="reference", per_number_s=0.25, start=False) as sim, \
            Client.to(sim, retries=0) as client:
        client.send_message_mass([ON, ON2, OFF], "x")
        client.send_message(ON, "y")
        client.send_message_whatsapp_mass([ON, ON2], "z")  # the gateway does not pause here
        client.get_credits()
    assert pauses == [0.75, 0.25]


def test_whatsapp_mass_one_request_every_number_true_charged_once_each():
    numbers = [ON, ON2, ON3, OFF, "+989120000777"]
    with make_sim(dialect="reference") as sim, Client.to(sim, retries=3) as client:
        before = client.get_credits()["Message"]
        assert client.send_message_whatsapp_mass(numbers, "Salam") == dict.fromkeys(numbers,
                                                                                   True)
        assert client.get_credits()["Message"] == before - len(numbers)
        assert sim.inspect()["counts"]["sends"] == 1  # one request, never repeated


def test_a_100_number_mass_at_the_gateways_pace_is_answered_within_the_allowance():
    numbers = [f"+98912{i:07d}" for i in range(100)]
    with make_sim(dialect="reference", per_number_s=0.02) as sim, \
            Client.to(sim, timeout=1, retries=0) as client:
        # 100 × 0.02 s = 2 s, twice the base timeout: the per-number allowance covers it.
        answer = client.send_message_mass(numbers, "x")
    assert set(answer) == set(numbers)
    assert sum(answer.values()) == sum(sim.deliveries(n) for n in numbers)


def test_the_simulator_refuses_an_unknown_dialect():
    with pytest.raises(ValueError, match="dialect"):
        Simulator(dialect="php", start=False)


def test_the_command_line_defaults_to_the_reference_dialect():
    from miogram_toolkit.simulator.__main__ import build_parser

    args = build_parser().parse_args([])
    assert (args.dialect, args.per_number_s) == ("reference", 0.0)
    args = build_parser().parse_args(["--dialect", "document", "--per-number-s", "0.5"])
    assert (args.dialect, args.per_number_s) == ("document", 0.5)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--dialect", "php"])


def test_other_actions_resolve_their_numbers_as_the_messenger_does(raw):
    assert body(raw("BlockUser", Phone=ON[1:])) == {"Result": True, "Status": "success"}
    info = body(raw("GetUserInfo", Phone=ON[1:]))["Result"]
    assert (info["Phone"], info["Blocked"]) == (ON, True)
    unreadable = raw("SendTyping", Phone="09120000001")
    assert (unreadable.headers["Content-Type"], body(unreadable)) == (HTML, {
        "Result": False, "Message": "Number Not Exist or Wrong", "Status": "error"})
    assert body(raw("CreateGroupChat", Phone=f"{ON2[1:]},0912", Misc="G"))["Result"] is True
    assert body(raw("ChatInfo", Misc="G"))["Result"]["Members"] == [ON2]
