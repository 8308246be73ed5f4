"""The rules every action shares, and the choices the simulator makes where the document is
silent (each listed in the simulator's docstring and docs/simulator.md)."""

from __future__ import annotations

import base64
import re
from datetime import datetime

import pytest
import requests
from simulator_support import OFF, ON, ON2, PNG, make_sim, poster

from miogram_toolkit.protocol.catalogue import ACTIONS
from miogram_toolkit.simulator import Simulator

ALL = sorted(ACTIONS)


def error(message: str) -> dict:
    return {"Result": False, "Status": "error", "Message": message}


@pytest.fixture(scope="module")
def shared():
    """One simulator for checks that change nothing."""
    with make_sim() as sim, requests.Session() as session:
        yield sim, poster(sim, session)


# -- the public errors, for every action ----------------------------------------------------


@pytest.mark.parametrize("func", ALL)
def test_800_empty_and_801_wrong_secret(shared, func):
    _, post = shared
    assert post(func, Secret="") == error("Empty Secret")
    assert post(func, Secret="   ") == error("Empty Secret")
    assert post(func, Secret="not-the-secret") == error("Invalid Secret")


def test_secret_is_case_sensitive_and_exact(shared):
    sim, post = shared
    assert post("APIGetActive", Secret=sim.secret.upper()) == error("Invalid Secret")
    assert post("APIGetActive", Secret=sim.secret + " ") == error("Invalid Secret")


def test_302_unknown_or_miscased_func(shared):
    _, post = shared
    for func in ("", "NoSuchThing", "sendmessage", "SENDMESSAGE", " SendMessage"):
        assert post(func, Phone=ON, Message="x") == error("Bad Request of Func"), func


def test_field_names_are_case_sensitive(shared):
    sim, _ = shared
    body = requests.post(sim.url, data={"secret": sim.secret, "Func": "APIGetActive"}).json()
    assert body == error("Empty Secret")


@pytest.mark.parametrize("func", ALL)
def test_802_caller_not_in_the_allow_list(func):
    with make_sim(allowed_ips="10.1.2.3") as sim:
        assert poster(sim)(func) == error("Invalid IP Address")


@pytest.mark.parametrize("func", ALL)
def test_826_inactive_account_except_get_active(func):
    with make_sim(active=False) as sim:
        answer = poster(sim)(func)
        if func == "APIGetActive":
            assert answer == {"Result": "0", "Status": None}
        else:
            assert answer == error("Account Not Activated")


@pytest.mark.parametrize("func", ALL)
def test_827_no_agent_for_agent_actions(func):
    with make_sim(agents=[]) as sim:
        answer = poster(sim)(func, Misc="1")
        if func.startswith("API"):
            assert answer.get("Message") != "No Robot Has Been Set Yet"
        else:
            assert answer == error("No Robot Has Been Set Yet")


def test_827_unknown_robot_and_empty_robot_is_the_first_agent(post, sim):
    assert post("SendMessage", Phone=ON, Message="x", Robot="Nobody") == \
        error("No Robot Has Been Set Yet")
    assert post("SendMessage", Phone=ON, Message="x", Robot="miobot2") == \
        error("No Robot Has Been Set Yet")  # exact, case-sensitive
    assert post("SendMessage", Phone=ON, Message="x")["Result"] is True
    assert post("SendMessage", Phone=ON, Message="x", Robot="MioBot2")["Result"] is True
    assert [r["Robot"] for r in sim.reports()] == ["MioBot1", "MioBot2"]
    # API actions ignore Robot.
    assert post("APIGetCredits", Robot="Nobody")["Status"] == "checking"


@pytest.mark.parametrize("func", [f for f in ALL if ACTIONS[f].fields])
def test_330_each_required_field_empty(shared, func):
    _, post = shared
    full = {"Phone": ON, "Message": "x", "Misc": "a", "Data": PNG}
    for name in ACTIONS[func].fields:
        fields = {k: full[k] for k in ACTIONS[func].fields}
        fields[name] = ""
        assert post(func, **fields) == error("No Input"), name
        fields[name] = " \n"
        assert post(func, **fields) == error("No Input"), name


# -- method, path, body ---------------------------------------------------------------------


def test_812_for_anything_but_post(sim):
    for method in ("GET", "PUT", "DELETE"):
        response = requests.request(method, sim.url,
                                    params={"Secret": sim.secret, "Func": "APIGetActive"})
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert response.json() == error("Bad Request")


def test_other_paths_are_404_with_json(sim):
    base = sim.url.removesuffix("/dojob.php")
    for path in ("/", "/check", "/dojob.php/x", "/DOJOB.PHP"):
        response = requests.post(base + path, data={"Secret": sim.secret, "Func": "APIGetActive"})
        assert response.status_code == 404, path
        assert response.json() == error("Bad Request")


def test_812_for_a_body_that_is_not_a_form(sim):
    response = requests.post(sim.url, json={"Secret": sim.secret, "Func": "APIGetActive"})
    assert response.json() == error("Bad Request")
    response = requests.post(sim.url, data=b"Secret=%FF%FE&Func=APIGetActive",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.json() == error("Bad Request")


def test_query_string_is_not_a_form(sim):
    response = requests.post(sim.url, params={"Secret": sim.secret, "Func": "APIGetActive"})
    assert response.json() == error("Empty Secret")


def test_error_codes_option_adds_code():
    with make_sim(error_codes=True) as sim:
        assert poster(sim)("APIGetActive", Secret="wrong") == \
            {**error("Invalid Secret"), "Code": 801}


# -- numbers ---------------------------------------------------------------------------------

NOT_INTERNATIONAL = ["09120000001", "989120000001", "+98 9120000001", "+98-912-000-0001",
                     "+۹۸۹۱۲۰۰۰۰۰۰۱", "+1234567", "+1234567890123456", " +989120000001"]


@pytest.mark.parametrize("phone", NOT_INTERNATIONAL)
def test_307_single_send_to_a_number_not_in_international_form(shared, phone):
    _, post = shared
    assert post("SendMessage", Phone=phone, Message="x") == error("Number Not Exist or Wrong")


def test_307_several_numbers_to_a_one_number_action(post, sim):
    for func, extra in (("SendMessage", {"Message": "x"}), ("BlockUser", {}),
                        ("SendPhoto", {"Misc": "jpg", "Data": PNG})):
        assert post(func, Phone=f"{ON},{ON2}", **extra) == error("Number Not Exist or Wrong")
    assert sim.reports() == []


def test_mass_map_is_keyed_by_every_number_as_sent(post):
    phones = [ON, "09120000002", " +989120000002", "+989120000002", "", OFF]
    answer = post("SendMessageMass", Phone=",".join(phones), Message="Hi")
    assert answer == {"Status": "checking", "Result": {
        ON: True, "09120000002": False, " +989120000002": False, "+989120000002": True,
        "": False, OFF: False}}


def test_mass_repeated_number_is_sent_and_charged_each_time(post, sim):
    answer = post("SendMessageMass", Phone=f"{ON},{ON}", Message="Hi")
    assert answer["Result"] == {ON: True}
    assert sim.deliveries(ON) == 2
    assert sim.credits()["Message"] == 10000 - 2


def test_create_group_rejects_a_malformed_number(post):
    assert post("CreateGroupChat", Phone=f"{ON},0912", Misc="G") == \
        error("Number Not Exist or Wrong")


def test_deliverability_is_deterministic_from_the_seed():
    numbers = [f"+98912{i:07d}" for i in range(400)]

    def run(seed: int) -> dict:
        with Simulator(seed=seed, dialect="document") as sim:
            return poster(sim)("SendMessageMass", Phone=",".join(numbers), Message="x")["Result"]

    first, again, other = run(11), run(11), run(12)
    assert first == again
    assert first != other
    share = 1 - sum(first.values()) / len(first)
    assert 0.05 < share < 0.15  # default: about 10% are not on the messenger


def test_unreachable_share_is_configurable():
    numbers = ",".join(f"+98912{i:07d}" for i in range(50))
    with Simulator(unreachable_share=0.0, dialect="document") as sim:
        assert all(poster(sim)("SendMessageMass", Phone=numbers, Message="x")["Result"].values())
    with Simulator(unreachable_share=1.0, dialect="document") as sim:
        assert not any(poster(sim)("SendMessageMass", Phone=numbers, Message="x")["Result"]
                       .values())


# -- limits and data -------------------------------------------------------------------------


def test_message_length_is_counted_in_characters_not_bytes():
    with make_sim(limits={"Message": 5}) as sim:
        post = poster(sim)
        assert post("SendMessage", Phone=ON, Message="سلام!")["Result"] is True  # 5 chars
        assert post("SendMessage", Phone=ON, Message="سلام!!") == \
            error("Message Length is Too High")


def test_message_keeps_spaces_and_new_lines(post, sim):
    post("SendMessage", Phone=ON, Message="  line 1\nline 2  ")
    assert sim.reports()[0]["Message"] == "  line 1\nline 2  "


@pytest.mark.parametrize("data", ["not base64!", "QUJD=", "QUJ", "QU JD", "////" * 2 + "*"])
def test_400_data_not_valid_base64(shared, data):
    _, post = shared
    assert post("SendPhoto", Phone=ON, Misc="jpg", Data=data) == error("No Valid File")
    assert post("SetProfilePhoto", Data=data) == error("No Valid File")


def test_base64_with_line_breaks_is_accepted(post):
    wrapped = "\n".join(PNG[i:i + 76] for i in range(0, len(PNG), 76))
    assert post("SendPhoto", Phone=ON, Misc="png", Data=wrapped)["Result"] is True


def test_set_profile_photo_303_over_the_photo_limit():
    with make_sim(limits={"Photo": 1}) as sim:
        big = base64.b64encode(b"\1" * (1024 * 1024 + 1)).decode()
        assert poster(sim)("SetProfilePhoto", Data=big) == error("File Size is Too High")


@pytest.mark.parametrize("func, misc", [
    ("SendPhoto", ".jpg"), ("SendPhoto", "j pg"), ("SendLocation", "north,51"),
    ("SendLocation", "91,51"), ("SendLocation", "35,181"), ("SendLocation", "1,2,3"),
    ("SetStatusOnline", "online"), ("SetUsername", "two words"), ("ChatAddUser", "G,many"),
    ("GetHistory", "x,10"), ("GetHistory", "0,0"), ("APIGetReport", "0"),
    ("APIGetReport", "1000"), ("APIGetReport", "ten"), ("APISetIP", "999.1.1.1"),
    ("APISetIP", "*,127.0.0.1"),
])
def test_812_misc_of_the_wrong_form(shared, func, misc):
    _, post = shared
    fields = {"Phone": ON, "Data": PNG, "Misc": misc}
    assert post(func, **{k: fields[k] for k in ACTIONS[func].fields}) == error("Bad Request")


@pytest.mark.parametrize("func, misc", [("SendLocation", "35.7"), ("SetProfileName", "Ali,"),
                                        ("RenameChat", ",New"), ("GetHistory", "5")])
def test_330_misc_part_missing(shared, func, misc):
    _, post = shared
    fields = {"Phone": ON, "Misc": misc}
    assert post(func, **{k: fields[k] for k in ACTIONS[func].fields}) == error("No Input")


# -- credit ----------------------------------------------------------------------------------


def test_only_delivered_messages_are_charged(post, sim):
    post("SendMessage", Phone=OFF, Message="x")
    post("SendMessageMass", Phone=f"{ON},{OFF},0912", Message="x")
    assert sim.credits()["Message"] == 10000 - 1


@pytest.mark.parametrize("credit", [0, 1])
def test_305_at_zero_or_one(credit):
    with make_sim(credits={"Message": credit}) as sim:
        post = poster(sim)
        assert post("SendMessage", Phone=ON, Message="x") == error("No Credit")
        assert post("SendMessageMass", Phone=ON, Message="x") == error("No Credit")
        assert sim.reports() == [] and sim.credits()["Message"] == credit


def test_single_sends_stop_when_credit_reaches_one():
    with make_sim(credits={"Message": 3}) as sim:
        post = poster(sim)
        assert post("SendMessage", Phone=ON, Message="1")["Result"] is True
        assert post("SendMessage", Phone=ON, Message="2")["Result"] is True
        assert post("SendMessage", Phone=ON, Message="3") == error("No Credit")
        assert sim.credits()["Message"] == 1


def test_306_mass_larger_than_the_credit_sends_nothing():
    with make_sim(credits={"Message": 3}) as sim:
        post = poster(sim)
        assert post("SendMessageMass", Phone=f"{ON},{ON2},{OFF}", Message="x") == \
            error("Low Credit")
        assert sim.reports() == [] and sim.credits()["Message"] == 3
        # Malformed numbers can never be delivered, so they do not count against the credit.
        answer = post("SendMessageMass", Phone=f"{ON},{OFF},0912", Message="x")
        assert answer["Result"] == {ON: True, OFF: False, "0912": False}
        assert sim.credits()["Message"] == 2


def test_whatsapp_is_charged_and_logged_as_delivered(post, sim):
    post("SendMessageWhatsAppMass", Phone=f"{ON},{OFF}", Message="x")
    assert sim.credits()["Message"] == 10000 - 2
    assert [(r["Phone"], r["Delivered"], r["Channel"]) for r in sim.reports()] == \
        [(ON, True, "whatsapp"), (OFF, True, "whatsapp")]


def test_blocked_number_is_not_delivered_nor_charged(post, sim):
    post("BlockUser", Phone=ON)
    assert post("SendMessage", Phone=ON, Message="x") == {"Result": False, "Status": "fail"}
    assert post("SendMessageMass", Phone=f"{ON},{ON2}", Message="x")["Result"] == \
        {ON: False, ON2: True}
    post("UnBlockUser", Phone=ON)
    assert post("SendMessage", Phone=ON, Message="x")["Result"] is True
    assert [r["Reason"] for r in sim.reports()] == ["blocked", "blocked", None, None]


# -- report records --------------------------------------------------------------------------

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def test_report_record_schema(post):
    post("SendMessage", Phone=ON, Message="Hello", Robot="MioBot2")
    post("SendPhoto", Phone=OFF, Misc="JPG", Data=PNG)
    post("SendLocation", Phone=ON, Misc="35.5,51.25")
    newest, middle, oldest = post("APIGetReport", Misc="3")["Result"]
    assert oldest["Func"] == "SendMessage" and oldest["Phone"] == ON
    assert oldest["Robot"] == "MioBot2" and oldest["Delivered"] is True
    assert oldest["Message"] == "Hello" and oldest["File"] is None
    assert oldest["Kind"] == "Message" and oldest["Charged"] == 1
    assert oldest["Channel"] == "telegram" and oldest["Reason"] is None
    assert middle["Delivered"] is False and middle["Charged"] == 0
    assert middle["Reason"] == "not_on_messenger" and middle["Kind"] == "Photo"
    assert re.fullmatch(r"[0-9a-f]{8}\.jpg", middle["File"])
    assert newest["Message"] == "35.5,51.25" and newest["Kind"] == "Other"
    assert oldest["Id"] < middle["Id"] < newest["Id"]
    for record in (newest, middle, oldest):
        assert ISO_UTC.fullmatch(record["Time"])
        datetime.fromisoformat(record["Time"])
        assert set(record) == {"Id", "Time", "Func", "Phone", "Robot", "Channel", "Kind",
                               "Delivered", "Charged", "Message", "File", "Reason"}


def test_report_is_newest_first_and_counted(post):
    for i in range(12):
        post("SendMessage", Phone=ON, Message=f"m{i}")
    records = post("APIGetReport", Misc="5")["Result"]
    assert [r["Message"] for r in records] == ["m11", "m10", "m9", "m8", "m7"]
    assert len(post("APIGetReport", Misc="999")["Result"]) == 12


def test_error_answers_leave_no_record(post, sim):
    post("SendMessage", Phone="0912", Message="x")
    post("SendMessage", Phone=ON, Message="")
    post("SendPhoto", Phone=ON, Misc="jpg", Data="@@")
    assert sim.reports() == []


# -- history and dialogs ---------------------------------------------------------------------


def test_history_offset_and_limit_newest_last(post):
    for i in range(5):
        post("SendMessage", Phone=ON, Message=f"m{i}")
    post("SendMessage", Phone=ON2, Message="other")

    def texts(misc: str):
        answer = post("GetHistory", Phone=ON, Misc=misc)
        return [m["text"] for m in answer["Result"]] if answer["Result"] else answer

    # Offset counts from the newest; each page lists its messages newest last (telegram-cli).
    assert texts("0,2") == ["m3", "m4"]
    assert texts("2,2") == ["m1", "m2"]
    assert texts("4,10") == ["m0"]
    assert texts("5,10") == {"Result": False, "Status": "fail"}
    assert post("GetHistory", Phone=OFF, Misc="0,10") == {"Result": False, "Status": "fail"}


def test_every_delivered_telegram_message_appears_in_history(post):
    post("SendMessageMass", Phone=f"{ON},{ON2}", Message="mass")
    post("SendFile", Phone=ON, Misc="pdf", Data=PNG)
    post("SendMessageWhatsApp", Phone=ON, Message="wa")  # WhatsApp has no chat to read back
    history = post("GetHistory", Phone=ON, Misc="0,10")["Result"]
    assert [(m["out"], m.get("text"), m.get("media", {}).get("type")) for m in history] == [
        (True, "mass", None), (True, None, "document")]
    assert history[1]["media"]["name"].endswith(".pdf")
    assert len(post("GetHistory", Phone=ON2, Misc="0,10")["Result"]) == 1


def test_chat_add_user_forwards_earlier_group_messages(post):
    post("CreateGroupChat", Phone=ON, Misc="G")
    post("RenameChat", Misc="G,H")
    assert post("ChatAddUser", Phone=ON2, Misc="H,2")["Result"] is True
    forwarded = post("GetHistory", Phone=ON2, Misc="0,10")["Result"]
    assert len(forwarded) == 2 and all("fwd_from" in m for m in forwarded)
    assert post("ChatAddUser", Phone=ON2, Misc="H,0") == {"Result": False, "Status": "fail"}


def test_group_names_may_contain_commas_only_where_misc_has_one_part(post):
    assert post("CreateGroupChat", Phone=ON, Misc="Sales, North")["Result"] is True
    assert post("ChatInfo", Misc="Sales, North")["Result"]["Title"] == "Sales, North"
