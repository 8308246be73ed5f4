"""The action catalogue against the document's action tables (expected values copied by hand)."""

from __future__ import annotations

import re

import pytest

from miogram_toolkit.protocol.catalogue import (
    ACTIONS,
    CREDIT_KINDS,
    FIELDS,
    LIMIT_KINDS,
    Permission,
    Phones,
    ResultKind,
    action_for_method,
)

# Func -> (fields besides Secret/Func/Robot, phones, permission, listed errors), from the document.
DOCUMENT = {
    "SetStatusOnline": ("Misc", Phones.NONE, Permission.IS_SUPER, (309,)),
    "SendTyping": ("Phone", Phones.ONE, Permission.IS_SUPER, (309,)),
    "SetProfileName": ("Misc", Phones.NONE, Permission.IS_SUPER, (309,)),
    "SetUsername": ("Misc", Phones.NONE, Permission.IS_SUPER, (309,)),
    "SetProfilePhoto": ("Data", Phones.NONE, Permission.IS_SUPER, (309,)),
    "SendMessage": ("Phone Message", Phones.ONE, Permission.NONE, (304, 305)),
    "SendMessageMass": ("Phone Message", Phones.MANY, Permission.NONE, (304, 305)),
    "SendMessageWhatsApp": ("Phone Message", Phones.ONE, Permission.NONE, (304, 305)),
    "SendMessageWhatsAppMass": ("Phone Message", Phones.MANY, Permission.NONE, (304, 305)),
    "SendPhoto": ("Phone Misc Data", Phones.ONE, Permission.NONE, (303, 305)),
    "SendVideo": ("Phone Misc Data", Phones.ONE, Permission.NONE, (303, 305)),
    "SendAudio": ("Phone Misc Data", Phones.ONE, Permission.NONE, (303, 305)),
    "SendText": ("Phone Misc Data", Phones.ONE, Permission.NONE, (303, 305)),
    "SendFile": ("Phone Misc Data", Phones.ONE, Permission.NONE, (303, 305)),
    "SendDocument": ("Phone Misc Data", Phones.ONE, Permission.NONE, (303, 305)),
    "SendPhotoMass": ("Phone Misc Data", Phones.MANY, Permission.NONE, (303, 305)),
    "SendVideoMass": ("Phone Misc Data", Phones.MANY, Permission.NONE, (303, 305)),
    "SendFileMass": ("Phone Misc Data", Phones.MANY, Permission.NONE, (303, 305)),
    "SendLocation": ("Phone Misc", Phones.ONE, Permission.NONE, (305,)),
    "SendContact": ("Phone Misc", Phones.ONE, Permission.NONE, (305,)),
    "CreateGroupChat": ("Phone Misc", Phones.MANY, Permission.IS_SUPER, (309,)),
    "ChatInfo": ("Misc", Phones.NONE, Permission.CAN_GET, (309,)),
    "RenameChat": ("Misc", Phones.NONE, Permission.IS_SUPER, (309,)),
    "ChatAddUser": ("Phone Misc", Phones.ONE, Permission.IS_SUPER, (309,)),
    "ChatDeleteUser": ("Phone Misc", Phones.ONE, Permission.IS_SUPER, (309,)),
    "BlockUser": ("Phone", Phones.ONE, Permission.IS_SUPER, (309,)),
    "UnBlockUser": ("Phone", Phones.ONE, Permission.IS_SUPER, (309,)),
    "MarkRead": ("Phone", Phones.ONE, Permission.IS_SUPER, (309,)),
    "GetUserInfo": ("Phone", Phones.ONE, Permission.CAN_GET, (309,)),
    "GetDialogList": ("", Phones.NONE, Permission.CAN_GET, (309,)),
    "GetHistory": ("Phone Misc", Phones.ONE, Permission.CAN_GET, (309,)),
    "APIGetLimits": ("", Phones.NONE, Permission.NONE, ()),
    "APIGetCredits": ("", Phones.NONE, Permission.NONE, ()),
    "APIGetIP": ("", Phones.NONE, Permission.NONE, ()),
    "APISetIP": ("Misc", Phones.NONE, Permission.NONE, (409, 330)),
    "APIChangeSecret": ("", Phones.NONE, Permission.NONE, (407,)),
    "APIGetRobot": ("", Phones.NONE, Permission.NONE, ()),
    "APIGetActive": ("", Phones.NONE, Permission.NONE, ()),
    "APIGetUsername": ("", Phones.NONE, Permission.NONE, ()),
    "APIisSuper": ("", Phones.NONE, Permission.NONE, ()),
    "APIcanGet": ("", Phones.NONE, Permission.NONE, ()),
    "APIGetAds": ("", Phones.NONE, Permission.NONE, ()),
    "APIGetReport": ("Misc", Phones.NONE, Permission.NONE, ()),
}

MASS_MAP = {"SendMessageMass", "SendMessageWhatsAppMass", "SendPhotoMass", "SendVideoMass",
            "SendFileMass"}
READ_ONLY = {"ChatInfo", "GetUserInfo", "GetDialogList", "GetHistory", "APIGetLimits",
             "APIGetCredits", "APIGetIP", "APIGetRobot", "APIGetActive", "APIGetUsername",
             "APIisSuper", "APIcanGet", "APIGetAds", "APIGetReport"}


def test_43_actions_in_the_document_order() -> None:
    assert list(ACTIONS) == list(DOCUMENT)


@pytest.mark.parametrize("func", list(DOCUMENT))
def test_fields_phones_permission_errors(func: str) -> None:
    fields, phones, permission, errors = DOCUMENT[func]
    action = ACTIONS[func]
    assert action.func == func
    assert action.fields == tuple(fields.split())
    assert action.phones is phones
    assert action.permission is permission
    assert action.errors == errors


def test_field_names_are_spelled_as_the_document() -> None:
    assert FIELDS == ("Secret", "Func", "Misc", "Message", "Phone", "Data", "Robot")
    for action in ACTIONS.values():
        assert set(action.fields) <= set(FIELDS)


def test_only_mass_actions_and_create_group_chat_take_several_numbers() -> None:
    many = {f for f, a in ACTIONS.items() if a.phones is Phones.MANY}
    assert many == MASS_MAP | {"CreateGroupChat"}
    assert {f for f in ACTIONS if f.endswith("Mass")} == MASS_MAP


def test_result_kinds() -> None:
    kinds = {f: a.result for f, a in ACTIONS.items()}
    assert {f for f, k in kinds.items() if k is ResultKind.NUMBER_MAP} == MASS_MAP
    assert {f for f, k in kinds.items() if k is ResultKind.OBJECTS} == {
        "ChatInfo", "GetUserInfo", "GetDialogList", "GetHistory"}
    assert {f for f, k in kinds.items() if k is ResultKind.TABLE} == {
        "APIGetLimits", "APIGetCredits"}
    assert {f for f, k in kinds.items() if k is ResultKind.FLAG} == {
        "APIGetActive", "APIisSuper", "APIcanGet"}
    assert {f for f, k in kinds.items() if k is ResultKind.STRING} == {
        "APIGetIP", "APISetIP", "APIChangeSecret", "APIGetRobot", "APIGetUsername"}
    assert kinds["APIGetReport"] is ResultKind.REPORT
    assert kinds["APIGetAds"] is ResultKind.BOOL


def test_ok_statuses() -> None:
    assert ACTIONS["SendMessage"].ok_status == ("success", "fail")
    assert ACTIONS["SendMessageMass"].ok_status == ("checking",)
    assert ACTIONS["APIGetLimits"].ok_status == ("checking",)
    assert ACTIONS["APIGetRobot"].ok_status == (None, "NULL")
    assert ACTIONS["APIChangeSecret"].ok_status == ("success",)
    assert ACTIONS["APISetIP"].ok_status == ("success",)


def test_misc_parts() -> None:
    assert ACTIONS["SendLocation"].misc == ("latitude", "longitude")
    assert ACTIONS["SendContact"].misc == ("name", "phone_number")
    assert ACTIONS["ChatAddUser"].misc == ("chat_name", "forward_count")
    assert ACTIONS["GetHistory"].misc == ("offset", "limit")
    assert ACTIONS["RenameChat"].misc == ("chat_name", "new_name")
    assert ACTIONS["SetProfileName"].misc == ("first_name", "last_name")
    assert ACTIONS["APIGetReport"].misc == ("count",)
    assert ACTIONS["APISetIP"].misc_variadic is True
    for func in ("SendPhoto", "SendVideoMass", "SendDocument"):
        assert ACTIONS[func].misc == ("extension",)


def test_read_only_actions() -> None:
    assert {f for f, a in ACTIONS.items() if a.read_only} == READ_ONLY


def test_sends_use_credit_and_whatsapp_is_marked() -> None:
    sends = {f for f, a in ACTIONS.items() if a.is_send}
    assert sends == {f for f in DOCUMENT if f.startswith("Send") and f != "SendTyping"}
    assert {f for f, a in ACTIONS.items() if a.whatsapp} == {"SendMessageWhatsApp",
                                                            "SendMessageWhatsAppMass"}
    assert ACTIONS["SendLocation"].credit == "Other"
    assert ACTIONS["SendPhotoMass"].credit == "Photo"
    assert set(CREDIT_KINDS) == {"Message", "Photo", "Video", "File", "Other"}
    assert set(LIMIT_KINDS) == {"Message", "Photo", "Video", "File", "canGet", "isSuper"}


def test_the_aplissuper_reading_is_recorded() -> None:
    assert ACTIONS["APIisSuper"].spelled == "APlisSuper"


def test_methods_are_unique_snake_case_and_found_by_name() -> None:
    methods = [a.method for a in ACTIONS.values()]
    assert len(set(methods)) == 43
    for action in ACTIONS.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", action.method)
        assert action_for_method(action.method) is action
    with pytest.raises(KeyError):
        action_for_method("send_pigeon")


def test_catalogue_is_read_only() -> None:
    with pytest.raises(TypeError):
        ACTIONS["SendPigeon"] = ACTIONS["SendMessage"]  # type: ignore[index]
