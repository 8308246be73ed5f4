"""Every action's success answer and each error the document lists for it, over raw HTTP.

Requests are plain ``requests.post`` forms with the document's field names; the expected
answers are written by hand from the document (v1.2), not derived from the catalogue.
"""

from __future__ import annotations

import base64

import pytest
import requests
from simulator_support import OFF, ON, ON2, ON3, PNG, make_sim, poster

from miogram_toolkit.protocol.catalogue import ACTIONS

COVERED: set[str] = set()


def covers(*funcs: str):
    COVERED.update(funcs)
    return lambda test: test


# -- agent presence and the agent's account (isSuper) ----------------------------------------


@covers("SetStatusOnline", "SendTyping", "SetProfileName", "SetUsername", "SetProfilePhoto")
def test_agent_actions_answer_bool_success(post):
    assert post("SetStatusOnline", Misc="Online") == {"Result": True, "Status": "success"}
    assert post("SetStatusOnline", Misc="Offline") == {"Result": True, "Status": "success"}
    assert post("SendTyping", Phone=ON) == {"Result": True, "Status": "success"}
    assert post("SendTyping", Phone=OFF) == {"Result": False, "Status": "fail"}
    assert post("SetProfileName", Misc="Mio,Gram") == {"Result": True, "Status": "success"}
    assert post("SetUsername", Misc="mio_gram_bot") == {"Result": True, "Status": "success"}
    assert post("SetProfilePhoto", Data=PNG) == {"Result": True, "Status": "success"}


def test_set_username_taken_by_another_agent_is_false(post):
    assert post("SetUsername", Misc="shared_name", Robot="MioBot1")["Result"] is True
    assert post("SetUsername", Misc="shared_name", Robot="MioBot2") == \
        {"Result": False, "Status": "fail"}


# -- text messages -------------------------------------------------------------------------


@covers("SendMessage", "SendMessageMass", "SendMessageWhatsApp", "SendMessageWhatsAppMass")
def test_text_sends(post):
    assert post("SendMessage", Phone=ON, Message="Hello World!") == \
        {"Result": True, "Status": "success"}
    assert post("SendMessage", Phone=OFF, Message="Hello") == {"Result": False, "Status": "fail"}
    assert post("SendMessageMass", Phone=f"{ON},{OFF}", Message="Hi") == \
        {"Result": {ON: True, OFF: False}, "Status": "checking"}
    # WhatsApp (beta) has no delivery report: every send answers true.
    assert post("SendMessageWhatsApp", Phone=OFF, Message="Hi") == \
        {"Result": True, "Status": "success"}
    assert post("SendMessageWhatsAppMass", Phone=f"{ON},{OFF}", Message="Hi") == \
        {"Result": {ON: True, OFF: True}, "Status": "checking"}


TEXT_SENDS = ["SendMessage", "SendMessageMass", "SendMessageWhatsApp", "SendMessageWhatsAppMass"]


@pytest.mark.parametrize("func", TEXT_SENDS)
def test_text_sends_304_when_longer_than_the_limit(func):
    with make_sim(limits={"Message": 10}) as sim:
        post = poster(sim)
        assert post(func, Phone=ON, Message="x" * 11) == \
            {"Result": False, "Status": "error", "Message": "Message Length is Too High"}
        assert post(func, Phone=ON, Message="x" * 10)["Status"] in ("success", "checking")
        assert sim.inspect()["counts"]["reports"] == 1


@pytest.mark.parametrize("func", TEXT_SENDS)
def test_text_sends_305_when_message_credit_is_used_up(func):
    with make_sim(credits={"Message": 1}) as sim:
        post = poster(sim)
        assert post(func, Phone=ON, Message="Hi") == \
            {"Result": False, "Status": "error", "Message": "No Credit"}
        assert sim.credits()["Message"] == 1
        assert sim.inspect()["counts"]["reports"] == 0


# -- files and media -----------------------------------------------------------------------

FILE_SENDS = {  # func -> credit kind (and limit) it uses
    "SendPhoto": "Photo", "SendVideo": "Video", "SendAudio": "File", "SendText": "File",
    "SendFile": "File", "SendDocument": "File", "SendPhotoMass": "Photo",
    "SendVideoMass": "Video", "SendFileMass": "File",
}


@covers(*FILE_SENDS)
def test_file_sends(post, sim):
    for func in FILE_SENDS:
        if func.endswith("Mass"):
            assert post(func, Phone=f"{ON},{OFF}", Misc="jpg", Data=PNG) == \
                {"Result": {ON: True, OFF: False}, "Status": "checking"}, func
        else:
            assert post(func, Phone=ON, Misc="pdf", Data=PNG) == \
                {"Result": True, "Status": "success"}, func
    credits = sim.credits()
    # 2 photos, 2 videos, 5 files delivered, each charged to its own kind.
    assert credits["Photo"] == 2000 - 2
    assert credits["Video"] == 1000 - 2
    assert credits["File"] == 2000 - 5


@pytest.mark.parametrize("func", sorted(FILE_SENDS))
def test_file_sends_303_when_larger_than_the_limit(func):
    kind = FILE_SENDS[func]
    with make_sim(limits={kind: 1}) as sim:
        post = poster(sim)
        too_big = base64.b64encode(b"\0" * (1024 * 1024 + 1)).decode()
        just_fits = base64.b64encode(b"\0" * (1024 * 1024)).decode()
        assert post(func, Phone=ON, Misc="bin", Data=too_big) == \
            {"Result": False, "Status": "error", "Message": "File Size is Too High"}
        assert post(func, Phone=ON, Misc="bin", Data=just_fits)["Status"] in \
            ("success", "checking")


@pytest.mark.parametrize("func", sorted(FILE_SENDS))
def test_file_sends_305_when_their_kind_is_used_up(func):
    kind = FILE_SENDS[func]
    with make_sim(credits={kind: 0}) as sim:
        assert poster(sim)(func, Phone=ON, Misc="jpg", Data=PNG) == \
            {"Result": False, "Status": "error", "Message": "No Credit"}


# -- location and contact ------------------------------------------------------------------


@covers("SendLocation", "SendContact")
def test_location_and_contact(post, sim):
    assert post("SendLocation", Phone=ON, Misc="35.6892,51.3890") == \
        {"Result": True, "Status": "success"}
    assert post("SendContact", Phone=ON, Misc="Ali,+989121112233") == \
        {"Result": True, "Status": "success"}
    assert sim.credits()["Other"] == 2000 - 2


@pytest.mark.parametrize("func, misc", [("SendLocation", "35.6892,51.3890"),
                                        ("SendContact", "Ali,+989121112233")])
def test_location_and_contact_305(func, misc):
    with make_sim(credits={"Other": 1}) as sim:
        assert poster(sim)(func, Phone=ON, Misc=misc)["Message"] == "No Credit"


# -- groups and chats ----------------------------------------------------------------------


@covers("CreateGroupChat", "ChatInfo", "RenameChat", "ChatAddUser", "ChatDeleteUser")
def test_group_actions_change_the_state_they_read(post):
    assert post("CreateGroupChat", Phone=f"{ON},{ON2}", Misc="Team") == \
        {"Result": True, "Status": "success"}
    info = post("ChatInfo", Misc="Team")
    assert info["Status"] == "success"
    assert info["Result"]["Title"] == "Team"
    assert info["Result"]["Members"] == [ON, ON2]
    assert post("RenameChat", Misc="Team,Crew") == {"Result": True, "Status": "success"}
    assert post("ChatInfo", Misc="Team") == {"Result": False, "Status": "fail"}
    assert post("ChatAddUser", Phone=ON3, Misc="Crew,2") == {"Result": True, "Status": "success"}
    assert post("ChatInfo", Misc="Crew")["Result"]["Members"] == [ON, ON2, ON3]
    assert post("ChatDeleteUser", Phone=ON, Misc="Crew") == {"Result": True, "Status": "success"}
    assert post("ChatInfo", Misc="Crew")["Result"]["Members"] == [ON2, ON3]


def test_group_actions_on_unknown_chats_are_false(post):
    fail = {"Result": False, "Status": "fail"}
    assert post("ChatInfo", Misc="Nope") == fail
    assert post("RenameChat", Misc="Nope,Other") == fail
    assert post("ChatAddUser", Phone=ON, Misc="Nope,0") == fail
    assert post("ChatDeleteUser", Phone=ON, Misc="Nope") == fail


# -- users and dialogs ---------------------------------------------------------------------


@covers("BlockUser", "UnBlockUser", "MarkRead", "GetUserInfo", "GetDialogList", "GetHistory")
def test_user_and_dialog_actions(post):
    assert post("GetDialogList") == {"Result": False, "Status": "fail"}
    assert post("SendMessage", Phone=ON, Message="first")["Result"] is True
    assert post("SendMessage", Phone=ON, Message="second")["Result"] is True
    assert post("BlockUser", Phone=ON) == {"Result": True, "Status": "success"}
    assert post("GetUserInfo", Phone=ON)["Result"]["Blocked"] is True
    assert post("UnBlockUser", Phone=ON) == {"Result": True, "Status": "success"}
    assert post("MarkRead", Phone=ON) == {"Result": True, "Status": "success"}
    info = post("GetUserInfo", Phone=ON)
    assert info["Status"] == "success"
    assert info["Result"]["Phone"] == ON and info["Result"]["Blocked"] is False
    assert post("GetUserInfo", Phone=OFF) == {"Result": False, "Status": "fail"}
    dialogs = post("GetDialogList")
    assert dialogs["Status"] == "success"
    assert [d["Phone"] for d in dialogs["Result"]] == [ON]
    history = post("GetHistory", Phone=ON, Misc="0,10")
    assert history["Status"] == "success"
    assert [m["text"] for m in history["Result"]] == ["first", "second"]  # newest last


# -- the permission error (309) of every action that needs one ------------------------------

SUPER = ["SetStatusOnline", "SendTyping", "SetProfileName", "SetUsername", "SetProfilePhoto",
         "CreateGroupChat", "RenameChat", "ChatAddUser", "ChatDeleteUser", "BlockUser",
         "UnBlockUser", "MarkRead"]
GET = ["ChatInfo", "GetUserInfo", "GetDialogList", "GetHistory"]
VALID_FIELDS = {
    "SetStatusOnline": {"Misc": "Online"}, "SendTyping": {"Phone": ON},
    "SetProfileName": {"Misc": "A,B"}, "SetUsername": {"Misc": "abcde"},
    "SetProfilePhoto": {"Data": PNG}, "CreateGroupChat": {"Phone": ON, "Misc": "G"},
    "RenameChat": {"Misc": "G,H"}, "ChatAddUser": {"Phone": ON, "Misc": "G,1"},
    "ChatDeleteUser": {"Phone": ON, "Misc": "G"}, "BlockUser": {"Phone": ON},
    "UnBlockUser": {"Phone": ON}, "MarkRead": {"Phone": ON}, "ChatInfo": {"Misc": "G"},
    "GetUserInfo": {"Phone": ON}, "GetDialogList": {}, "GetHistory": {"Phone": ON, "Misc": "0,5"},
}


@pytest.fixture(scope="module")
def no_permissions():
    with make_sim(is_super=False, can_get=False) as sim, requests.Session() as session:
        yield poster(sim, session)


@pytest.mark.parametrize("func", SUPER + GET)
def test_309_without_the_permission(no_permissions, func):
    assert no_permissions(func, **VALID_FIELDS[func]) == \
        {"Result": False, "Status": "error", "Message": "Permission Denied"}


def test_each_permission_guards_only_its_actions():
    with make_sim(is_super=True, can_get=False) as sim:
        post = poster(sim)
        assert post("BlockUser", Phone=ON)["Status"] == "success"
        assert post("GetUserInfo", Phone=ON)["Message"] == "Permission Denied"
    with make_sim(is_super=False, can_get=True) as sim:
        post = poster(sim)
        assert post("BlockUser", Phone=ON)["Message"] == "Permission Denied"
        assert post("GetUserInfo", Phone=ON)["Status"] == "success"
        assert post("SendMessage", Phone=ON, Message="x")["Result"] is True  # N/A


def test_permissions_table_matches_the_document():
    # Written from the document's PERMISSION rows, checked against the catalogue.
    from miogram_toolkit.protocol.catalogue import Permission

    for func, action in ACTIONS.items():
        expected = (Permission.IS_SUPER if func in SUPER else
                    Permission.CAN_GET if func in GET else Permission.NONE)
        assert action.permission is expected, func


# -- account (API…) actions ----------------------------------------------------------------


@covers("APIGetLimits", "APIGetCredits", "APIGetIP", "APIGetRobot", "APIGetActive",
        "APIGetUsername", "APIisSuper", "APIcanGet", "APIGetAds")
def test_account_getters(post):
    assert post("APIGetLimits") == {"Result": {"Message": 4096, "Photo": 5, "Video": 20,
                                               "File": 20, "canGet": 1, "isSuper": 1},
                                    "Status": "checking"}
    assert post("APIGetCredits") == {"Result": {"Message": 10000, "Photo": 2000, "Video": 1000,
                                                "File": 2000, "Other": 2000},
                                     "Status": "checking"}
    assert post("APIGetIP") == {"Result": "*", "Status": None}
    assert post("APIGetRobot") == {"Result": "MioBot1,MioBot2,MioBot3", "Status": None}
    assert post("APIGetActive") == {"Result": "1", "Status": None}
    assert post("APIGetUsername") == {"Result": "demo", "Status": None}
    assert post("APIisSuper") == {"Result": "1", "Status": None}
    assert post("APlisSuper") == {"Result": "1", "Status": None}  # the document's spelling
    assert post("APIcanGet") == {"Result": "1", "Status": None}
    assert post("APIGetAds") == {"Result": False, "Status": None}


def test_account_getters_follow_the_account():
    with make_sim(is_super=False, can_get=False, ads=True, username="shop",
                  agents=["A"], limits={"Message": 500}) as sim:
        post = poster(sim)
        assert post("APIisSuper")["Result"] == "0"
        assert post("APIcanGet")["Result"] == "0"
        assert post("APIGetAds")["Result"] is True
        assert post("APIGetUsername")["Result"] == "shop"
        assert post("APIGetRobot")["Result"] == "A"
        limits = post("APIGetLimits")["Result"]
        assert (limits["Message"], limits["canGet"], limits["isSuper"]) == (500, 0, 0)


@covers("APISetIP")
def test_set_ip_confirms_with_409_text_and_330_when_empty(post):
    assert post("APISetIP", Misc="127.0.0.1,10.0.0.1") == \
        {"Result": "127.0.0.1,10.0.0.1", "Status": "success", "Message": "Allow IP Sets"}
    assert post("APIGetIP") == {"Result": "127.0.0.1,10.0.0.1", "Status": None}
    assert post("APISetIP", Misc="") == {"Result": False, "Status": "error", "Message": "No Input"}
    assert post("APISetIP", Misc="*") == \
        {"Result": "*", "Status": "success", "Message": "Allow IP Sets"}


@covers("APIChangeSecret")
def test_change_secret_confirms_with_407_text(sim, post):
    old = sim.secret
    answer = post("APIChangeSecret")
    assert answer["Status"] == "success" and answer["Message"] == "Secret Changed"
    new = answer["Result"]
    assert isinstance(new, str) and new and new != old
    assert post("APIGetActive", Secret=old) == \
        {"Result": False, "Status": "error", "Message": "Invalid Secret"}
    assert post("APIGetActive", Secret=new) == {"Result": "1", "Status": None}


@covers("APIGetReport")
def test_get_report(post):
    assert post("APIGetReport", Misc="10") == {"Result": [], "Status": None}
    post("SendMessageMass", Phone=f"{ON},{OFF}", Message="Hi")
    answer = post("APIGetReport", Misc="10")
    assert answer["Status"] is None
    assert [(r["Phone"], r["Delivered"]) for r in answer["Result"]] == [(OFF, False), (ON, True)]


def test_every_action_has_a_success_test():
    assert COVERED == set(ACTIONS)
