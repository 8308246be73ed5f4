"""Every action through our own client against the simulator, in both dialects.

The raw-HTTP tests prove the simulator follows the document (``document``) and the service's
own implementation (``reference``); these prove the client reads both into the same typed
results (method names are the catalogue's ``Action.method``). Where the two services really
differ (what ``APIGetIP`` means, the report's rows, the credit rule, an unknown ``Robot``) the
expected values are spelled out per dialect.
"""

from __future__ import annotations

import pytest
from simulator_support import OFF, ON, ON2, ON3, make_sim

from miogram_toolkit.client import Client
from miogram_toolkit.protocol.catalogue import ACTIONS
from miogram_toolkit.protocol.decode import Limits

client_module = pytest.importorskip("miogram_toolkit.client.core")
errors = pytest.importorskip("miogram_toolkit.protocol.errors")

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
CALLED: set[str] = set()


def calls(*funcs: str):
    CALLED.update(ACTIONS[f].method for f in funcs)
    return lambda test: test


MB = 1024 * 1024


@pytest.fixture(params=["reference", "document"])
def dialect(request) -> str:
    return request.param


@pytest.fixture
def sim(dialect):
    with make_sim(dialect=dialect) as simulator:
        yield simulator


@pytest.fixture
def client(sim):
    with Client.to(sim, retries=0, timeout=10) as c:
        yield c


@calls("SetStatusOnline", "SendTyping", "SetProfileName", "SetUsername", "SetProfilePhoto")
def test_agent_actions(client):
    assert client.set_status_online(True) is True
    assert client.set_status_online(False) is True
    assert client.send_typing(ON) is True
    assert client.send_typing(OFF) is False
    assert client.set_profile_name("Mio", "Gram") is True
    assert client.set_username("mio_gram") is True
    assert client.set_profile_photo(PHOTO) is True


@calls("SendMessage", "SendMessageMass", "SendMessageWhatsApp", "SendMessageWhatsAppMass",
       "SendPhoto", "SendVideo", "SendAudio", "SendText", "SendFile", "SendDocument",
       "SendPhotoMass", "SendVideoMass", "SendFileMass", "SendLocation", "SendContact")
def test_sends(client, sim):
    assert client.send_message(ON, "سلام") is True
    assert client.send_message(OFF, "Hi") is False
    assert client.send_message_mass([ON, OFF], "Hi") == {ON: True, OFF: False}
    assert client.send_message_whatsapp(OFF, "Hi") is True
    assert client.send_message_whatsapp_mass([ON, OFF], "Hi") == {ON: True, OFF: True}
    for method in ("send_photo", "send_video", "send_audio", "send_text", "send_file",
                   "send_document"):
        assert getattr(client, method)(ON, PHOTO, extension="png") is True, method
    for method in ("send_photo_mass", "send_video_mass", "send_file_mass"):
        assert getattr(client, method)([ON, OFF], PHOTO, extension="png") == \
            {ON: True, OFF: False}, method
    assert client.send_location(ON, 35.6892, 51.389) is True
    assert client.send_contact(ON, "Ali", "+989121112233") is True
    # ON: 1 text, 1 Mass, 1 WhatsApp Mass, 6 files, 3 Mass files, location, contact.
    assert sim.deliveries(ON) == 14 and sim.deliveries(OFF) == 2  # WhatsApp always delivers


@calls("CreateGroupChat", "ChatInfo", "RenameChat", "ChatAddUser", "ChatDeleteUser")
def test_groups(client):
    assert client.create_group_chat([ON, ON2], "Team") is True
    assert client.chat_info("Team")["Members"] == [ON, ON2]
    assert client.rename_chat("Team", "Crew") is True
    assert client.chat_info("Team") is None
    assert client.chat_add_user(ON3, "Crew", 1) is True
    assert client.chat_delete_user(ON, "Crew") is True
    assert client.chat_info("Crew")["Members"] == [ON2, ON3]


@calls("BlockUser", "UnBlockUser", "MarkRead", "GetUserInfo", "GetDialogList", "GetHistory")
def test_users_and_dialogs(client):
    assert client.get_dialog_list() is None
    client.send_message(ON, "one")
    client.send_message(ON, "two")
    assert client.block_user(ON) is True
    assert client.send_message(ON, "blocked") is False
    assert client.unblock_user(ON) is True
    assert client.mark_read(ON) is True
    assert client.get_user_info(ON)["Phone"] == ON
    assert client.get_user_info(OFF) is None
    assert [d["Phone"] for d in client.get_dialog_list()] == [ON]
    # A Misc that reads the same in either order (the dialects disagree on it).
    page = client.call("GetHistory", Phone=ON, Misc="1,1")["Result"]
    assert [m["text"] for m in page] == ["one"]
    assert client.call("GetHistory", Phone=ON, Misc="2,2")["Result"] is False


def test_history_misc_order_differs(client, dialect):
    for text in ("one", "two", "three"):
        client.send_message(ON, text)
    page = [m["text"] for m in client.call("GetHistory", Phone=ON, Misc="0,2")["Result"]]
    # The document reads offset,limit; the implementation limit,offset (limit 0 -> 1).
    # Both list the page newest last, as telegram-cli does.
    expected = {"document": ["two", "three"], "reference": ["one"]}
    assert page == expected[dialect]


def test_history_reads_the_newest_in_both_dialects(client, dialect):
    for text in ("one", "two", "three"):
        client.send_message(ON, text)
    # The client learns the dialect from a getter and sends Misc in its order: the newest two
    # either way, oldest first, typed.
    messages = client.get_history(ON, 2)
    assert [m.text for m in messages] == ["two", "three"]
    assert all(m.out and m.peer == ON for m in messages)
    assert client.dialect == dialect


@calls("APIGetLimits", "APIGetCredits", "APIGetIP", "APISetIP", "APIChangeSecret",
       "APIGetRobot", "APIGetActive", "APIGetUsername", "APIisSuper", "APIcanGet", "APIGetAds",
       "APIGetReport")
def test_account_actions(client, sim, dialect):
    limits = client.get_limits()
    assert limits == Limits({"Message": 4096, "Photo": 5 * MB, "Video": 20 * MB,
                             "File": 20 * MB}, can_get=True, is_super=True)
    assert type(limits) is Limits and (limits.can_get, limits.is_super) == (True, True)
    credits = client.get_credits()
    assert credits["Message"] == 10000 and type(credits["Message"]) is int
    # The document: the allow-list; the implementation: the caller's own address.
    assert client.get_ip() == {"document": ["*"], "reference": ["127.0.0.1"]}[dialect]
    assert client.set_ip(["127.0.0.1"]) == ["127.0.0.1"]
    assert client.get_ip() == ["127.0.0.1"]
    old = sim.secret
    new = client.change_secret()
    assert new == sim.secret != old
    assert client.get_active() is True  # the client adopted the new secret
    assert client.get_robots() == ["MioBot1", "MioBot2", "MioBot3"]
    assert client.get_username() == "demo"
    assert client.is_super() is True and client.can_get() is True
    assert client.get_ads() is False
    assert client.get_report(10) == []
    client.send_message_mass([ON, OFF], "r")
    report = client.get_report(10)
    if dialect == "document":  # one record per number
        assert [(r["Phone"], r["Delivered"]) for r in report] == [(OFF, False), (ON, True)]
    else:  # one row per request, the delivered numbers comma-joined
        assert [(r["Number"], r["Delivered"], r["DATA"]) for r in report] == \
            [(f"{ON},{OFF}", ON, "r")]


def test_every_client_method_is_exercised():
    assert CALLED == {action.method for action in ACTIONS.values()}


# The credit at which a single send is refused: "0 or 1 means used up" in the document; the
# implementation still sends at 0 (and goes to -1).
USED_UP = {"document": 1, "reference": -1}
# The largest credit that refuses a 3-number Mass: 306 in the document, 305 in the
# implementation.
TOO_LOW_FOR_3 = {"document": (3, 306), "reference": (2, 305)}


def test_errors_become_the_documented_exceptions(dialect):
    with make_sim(dialect=dialect, credits={"Message": USED_UP[dialect]}, is_super=False,
                  limits={"Message": 5}) as sim, Client.to(sim, retries=0) as client:
        with pytest.raises(errors.CreditError) as caught:
            client.send_message(ON, "Hi")
        assert caught.value.code == 305
        with pytest.raises(errors.MessageTooLong):
            client.send_message(ON, "too long")
        with pytest.raises(errors.PermissionDenied):
            client.block_user(ON)
    credit, code = TOO_LOW_FOR_3[dialect]
    with make_sim(dialect=dialect, credits={"Message": credit}) as sim, \
            Client.to(sim, retries=0) as client:
        with pytest.raises(errors.CreditError) as caught:
            client.send_message_mass([ON, ON2, ON3], "Hi")
        assert caught.value.code == code
        assert sim.credits()["Message"] == credit  # nothing sent, nothing charged
    with make_sim(dialect=dialect, agents=[]) as sim, Client.to(sim, retries=0) as client:
        with pytest.raises(errors.NoAgentError):
            client.send_message(ON, "Hi")
        if dialect == "document":  # the document's API actions need no agent
            assert client.get_robots() == []
        else:  # the implementation checks for an agent first, whatever the action
            with pytest.raises(errors.NoAgentError):
                client.get_robots()


def test_a_credit_of_zero_still_sends_in_the_reference_dialect():
    with make_sim(dialect="reference", credits={"Message": 0}) as sim, \
            Client.to(sim, retries=0) as client:
        assert client.send_message(ON, "Hi") is True
        assert client.get_credits()["Message"] == -1


def test_wrong_secret_and_unknown_robot(dialect):
    with make_sim(dialect=dialect) as sim:
        with client_module.Client("wrongsecret", base_url=sim.url, retries=0) as client:
            with pytest.raises(errors.AuthError):
                client.get_credits()
        with Client.to(sim, retries=0, robot="Ghost") as client:
            if dialect == "document":
                with pytest.raises(errors.NoAgentError):
                    client.send_message(ON, "x")
            else:  # the implementation falls back to the first agent
                assert client.send_message(ON, "x") is True


def test_lost_answer_is_delivery_unknown_and_really_delivered(dialect):
    with make_sim(dialect=dialect) as sim, Client.to(sim, retries=3, backoff=0) as client:
        sim.faults.queue("lost_answer")
        with pytest.raises(errors.DeliveryUnknown):
            client.send_message(ON, "maybe")
        assert sim.deliveries(ON) == 1  # delivered once, and not repeated by the client
        text = {"document": "Message", "reference": "DATA"}[dialect]
        assert client.get_report(1)[0][text] == "maybe"


def test_read_only_actions_are_retried_through_faults(dialect):
    with make_sim(dialect=dialect) as sim, Client.to(sim, retries=3, backoff=0) as client:
        sim.faults.queue("drop_before", "999", "http502")
        assert client.get_credits()["Message"] == 10000


def test_gateway_low_credit_is_its_own_error_and_sends_nothing(dialect):
    with make_sim(dialect=dialect) as sim, Client.to(sim, retries=3, backoff=0) as client:
        sim.faults.queue("gateway_306")
        with pytest.raises(errors.GatewayCreditError) as caught:
            client.send_message_mass([ON, ON2], "Hi")
        assert isinstance(caught.value, errors.CreditError)
        assert (caught.value.code, caught.value.source) == (306, "gateway")
        assert sim.deliveries(ON) == 0 and sim.credits()["Message"] == 10000
        assert client.send_message_mass([ON, ON2], "Hi") == {ON: True, ON2: True}


def test_in_process_client_without_a_socket(dialect):
    sim = make_sim(dialect=dialect, start=False)
    with Client.to(sim, retries=0) as client:
        assert client.send_message_mass([ON, OFF], "x") == {ON: True, OFF: False}
        sim.faults.queue("late_answer")
        with pytest.raises(errors.DeliveryUnknown):
            client.send_message(ON, "late")
        assert sim.deliveries(ON) == 2
