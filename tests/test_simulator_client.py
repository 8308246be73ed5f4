"""Every action through our own client against the simulator, over HTTP and in-process.

The raw-HTTP tests prove the simulator follows the document; these prove the client and the
simulator agree on it (method names are the catalogue's ``Action.method``).
"""

from __future__ import annotations

import pytest
from simulator_support import OFF, ON, ON2, ON3, make_sim

from miogram_toolkit.protocol.catalogue import ACTIONS

client_module = pytest.importorskip("miogram_toolkit.client.core")
errors = pytest.importorskip("miogram_toolkit.protocol.errors")

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
CALLED: set[str] = set()


def calls(*funcs: str):
    CALLED.update(ACTIONS[f].method for f in funcs)
    return lambda test: test


@pytest.fixture
def client(sim):
    with sim.client(retries=0, timeout=10) as c:
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
    assert [m["Message"] for m in client.get_history(ON, 0, 1)] == ["two"]
    assert [m["Message"] for m in client.get_history(ON, 1, 5)] == ["one"]
    assert client.get_history(ON, 2, 5) is None


@calls("APIGetLimits", "APIGetCredits", "APIGetIP", "APISetIP", "APIChangeSecret",
       "APIGetRobot", "APIGetActive", "APIGetUsername", "APIisSuper", "APIcanGet", "APIGetAds",
       "APIGetReport")
def test_account_actions(client, sim):
    assert client.get_limits() == {"Message": 4096, "Photo": 5, "Video": 20, "File": 20,
                                   "canGet": 1, "isSuper": 1}
    assert client.get_credits()["Message"] == 10000
    assert client.get_ip() == ["*"]
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
    client.send_message_mass([ON, OFF], "r")
    report = client.get_report(10)
    assert [(r["Phone"], r["Delivered"]) for r in report] == [(OFF, False), (ON, True)]


def test_every_client_method_is_exercised():
    assert CALLED == {action.method for action in ACTIONS.values()}


def test_errors_become_the_documented_exceptions():
    with make_sim(credits={"Message": 1}, is_super=False, limits={"Message": 5}) as sim, \
            sim.client(retries=0) as client:
        with pytest.raises(errors.CreditError) as caught:
            client.send_message(ON, "Hi")
        assert caught.value.code == 305
        with pytest.raises(errors.MessageTooLong):
            client.send_message(ON, "too long")
        with pytest.raises(errors.PermissionDenied):
            client.block_user(ON)
    with make_sim(credits={"Message": 3}) as sim, sim.client(retries=0) as client:
        with pytest.raises(errors.CreditError) as caught:
            client.send_message_mass([ON, ON2, ON3], "Hi")
        assert caught.value.code == 306
    with make_sim(agents=[]) as sim, sim.client(retries=0) as client:
        with pytest.raises(errors.NoAgentError):
            client.send_message(ON, "Hi")
        assert client.get_robots() == []


def test_wrong_secret_and_unknown_robot():
    with make_sim() as sim:
        with client_module.Client("wrongsecret", base_url=sim.url, retries=0) as client:
            with pytest.raises(errors.AuthError):
                client.get_credits()
        with sim.client(retries=0, robot="Ghost") as client:
            with pytest.raises(errors.NoAgentError):
                client.send_message(ON, "x")


def test_lost_answer_is_delivery_unknown_and_really_delivered():
    with make_sim() as sim, sim.client(retries=3, backoff=0) as client:
        sim.faults.queue("lost_answer")
        with pytest.raises(errors.DeliveryUnknown):
            client.send_message(ON, "maybe")
        assert sim.deliveries(ON) == 1  # delivered once, and not repeated by the client
        assert client.get_report(1)[0]["Message"] == "maybe"


def test_read_only_actions_are_retried_through_faults():
    with make_sim() as sim, sim.client(retries=3, backoff=0) as client:
        sim.faults.queue("drop_before", "999", "http502")
        assert client.get_credits()["Message"] == 10000


def test_in_process_client_without_a_socket():
    sim = make_sim(start=False)
    with sim.client(retries=0) as client:
        assert client.send_message_mass([ON, OFF], "x") == {ON: True, OFF: False}
        sim.faults.queue("late_answer")
        with pytest.raises(errors.DeliveryUnknown):
            client.send_message(ON, "late")
        assert sim.deliveries(ON) == 2
