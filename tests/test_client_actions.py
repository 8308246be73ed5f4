"""Every one of the 43 actions through a fake transport: the exact form fields and the typed result.

Expected fields and results are written by hand from the document, not derived from the code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fake_transport import SECRET, make_client

from miogram_toolkit.client.core import Client
from miogram_toolkit.protocol.catalogue import ACTIONS
from miogram_toolkit.protocol.chat import ChatMessage
from miogram_toolkit.protocol.decode import Limits

A = "+989121234567"
B = "+989351234567"
OK = {"Status": "success", "Result": True}
ABC64 = "YWJj"  # base64 of b"abc"
REPORT = [
    {"id": 7, "Func": "SendMessage", "Phone": A, "Robot": "MioGram", "Result": True},
    {"id": 6, "Func": "SendPhoto", "Phone": B, "Robot": "Agent2", "Result": False},
]

# (Func, method, args, kwargs, fields besides Secret/Func, answer, expected result)
CASES = [
    ("SetStatusOnline", "set_status_online", (True,), {},
     {"Misc": "Online", "Robot": "MioGram"}, OK, True),
    ("SendTyping", "send_typing", (A,), {}, {"Phone": A, "Robot": "MioGram"}, OK, True),
    ("SetProfileName", "set_profile_name", ("Ali", "Rezaei"), {},
     {"Misc": "Ali,Rezaei", "Robot": "MioGram"}, OK, True),
    ("SetUsername", "set_username", ("ali_bot",), {},
     {"Misc": "ali_bot", "Robot": "MioGram"}, {"Status": "fail", "Result": False}, False),
    ("SetProfilePhoto", "set_profile_photo", (b"abc",), {},
     {"Data": ABC64, "Robot": "MioGram"}, OK, True),
    ("SendMessage", "send_message", (A, "Hello World!"), {},
     {"Phone": A, "Message": "Hello World!", "Robot": "MioGram"}, OK, True),
    ("SendMessageMass", "send_message_mass", ([A, B], "Hi\nall"), {},
     {"Phone": f"{A},{B}", "Message": "Hi\nall", "Robot": "MioGram"},
     {"Status": "checking", "Result": {A: True, B: False}}, {A: True, B: False}),
    ("SendMessageWhatsApp", "send_message_whatsapp", (A, "سلام"), {"robot": "Agent2"},
     {"Phone": A, "Message": "سلام", "Robot": "Agent2"}, OK, True),
    ("SendMessageWhatsAppMass", "send_message_whatsapp_mass", ([B, A], "Hi"), {},
     {"Phone": f"{B},{A}", "Message": "Hi", "Robot": "MioGram"},
     {"Status": "checking", "Result": {"989121234567": True, "989351234567": True}},
     {B: True, A: True}),
    ("SendPhoto", "send_photo", (A, b"abc"), {"extension": "jpg"},
     {"Phone": A, "Misc": "jpg", "Data": ABC64, "Robot": "MioGram"}, OK, True),
    ("SendVideo", "send_video", (A, b"abc"), {"extension": "mp4"},
     {"Phone": A, "Misc": "mp4", "Data": ABC64, "Robot": "MioGram"},
     {"Status": "fail", "Result": False}, False),
    ("SendAudio", "send_audio", (A, b"abc"), {"extension": "mp3"},
     {"Phone": A, "Misc": "mp3", "Data": ABC64, "Robot": "MioGram"}, OK, True),
    ("SendText", "send_text", (A, b"abc"), {"extension": "txt"},
     {"Phone": A, "Misc": "txt", "Data": ABC64, "Robot": "MioGram"}, OK, True),
    ("SendFile", "send_file", (A, b"abc"), {"extension": "zip"},
     {"Phone": A, "Misc": "zip", "Data": ABC64, "Robot": "MioGram"}, OK, True),
    ("SendDocument", "send_document", (A, b"abc"), {"extension": "pdf"},
     {"Phone": A, "Misc": "pdf", "Data": ABC64, "Robot": "MioGram"}, OK, True),
    ("SendPhotoMass", "send_photo_mass", ([A, B], b"abc"), {"extension": "png"},
     {"Phone": f"{A},{B}", "Misc": "png", "Data": ABC64, "Robot": "MioGram"},
     {"Status": "checking", "Result": {A: False, B: True}}, {A: False, B: True}),
    ("SendVideoMass", "send_video_mass", ([A], b"abc"), {"extension": "mkv"},
     {"Phone": A, "Misc": "mkv", "Data": ABC64, "Robot": "MioGram"},
     {"Status": "checking", "Result": {A: True}}, {A: True}),
    ("SendFileMass", "send_file_mass", ([A, B], b"abc"), {"extension": "pdf"},
     {"Phone": f"{A},{B}", "Misc": "pdf", "Data": ABC64, "Robot": "MioGram"},
     {"Status": "checking", "Result": {A: True, B: True}}, {A: True, B: True}),
    ("SendLocation", "send_location", (A, 35.6892, 51.389), {},
     {"Phone": A, "Misc": "35.6892,51.389", "Robot": "MioGram"}, OK, True),
    ("SendContact", "send_contact", (A, "Ali Rezaei", B), {},
     {"Phone": A, "Misc": f"Ali Rezaei,{B}", "Robot": "MioGram"}, OK, True),
    ("CreateGroupChat", "create_group_chat", ([A, B], "My Group"), {},
     {"Phone": f"{A},{B}", "Misc": "My Group", "Robot": "MioGram"}, OK, True),
    ("ChatInfo", "chat_info", ("My Group",), {},
     {"Misc": "My Group", "Robot": "MioGram"},
     {"Status": "success", "Result": {"title": "My Group", "members": 3}},
     {"title": "My Group", "members": 3}),
    ("RenameChat", "rename_chat", ("My Group", "Our Group"), {},
     {"Misc": "My Group,Our Group", "Robot": "MioGram"}, OK, True),
    ("ChatAddUser", "chat_add_user", (A, "MyGroup", 32), {},
     {"Phone": A, "Misc": "MyGroup,32", "Robot": "MioGram"}, OK, True),
    ("ChatDeleteUser", "chat_delete_user", (A, "My Group"), {},
     {"Phone": A, "Misc": "My Group", "Robot": "MioGram"}, OK, True),
    ("BlockUser", "block_user", (A,), {}, {"Phone": A, "Robot": "MioGram"}, OK, True),
    ("UnBlockUser", "unblock_user", (A,), {}, {"Phone": A, "Robot": "MioGram"}, OK, True),
    ("MarkRead", "mark_read", (A,), {}, {"Phone": A, "Robot": "MioGram"}, OK, True),
    ("GetUserInfo", "get_user_info", (A,), {}, {"Phone": A, "Robot": "MioGram"},
     {"Status": "fail", "Result": False}, None),
    ("GetDialogList", "get_dialog_list", (), {}, {"Robot": "MioGram"},
     {"Status": "success", "Result": [{"peer": A, "messages": ["hi"]}]},
     [{"peer": A, "messages": ["hi"]}]),
    ("GetHistory", "get_history", (A, 10, 5), {},
     {"Phone": A, "Misc": "10,5", "Robot": "MioGram"},  # limit,offset: the implementation's
     {"Status": "success", "Result": [{"id": "7", "out": True, "date": 0, "text": "hi"}]},
     [ChatMessage("7", True, datetime.fromtimestamp(0, UTC), "hi", peer=A)]),
    ("APIGetLimits", "get_limits", (), {}, {},
     {"Status": "checking", "Result": {"Message": "4096", "Photo": "5", "Video": "20",
                                       "File": "10", "canGet": "1", "isSuper": "0"}},
     # Megabytes in the document's dialect, bytes in the result; the flags are not sizes.
     Limits({"Message": 4096, "Photo": 5242880, "Video": 20971520, "File": 10485760},
            can_get=True, is_super=False)),
    ("APIGetCredits", "get_credits", (), {}, {},
     {"Status": "checking", "Result": {"Message": "5000", "Photo": 200, "Video": "50",
                                       "File": "100", "Other": "1"}},
     {"Message": 5000, "Photo": 200, "Video": 50, "File": 100, "Other": 1}),
    ("APIGetIP", "get_ip", (), {}, {}, {"Status": None, "Result": "1.2.3.4,5.6.7.8"},
     ["1.2.3.4", "5.6.7.8"]),
    ("APISetIP", "set_ip", (["1.2.3.4", "5.6.7.8"],), {}, {"Misc": "1.2.3.4,5.6.7.8"},
     {"Status": "success", "Result": "1.2.3.4,5.6.7.8", "Message": "Allow IP Sets"},
     ["1.2.3.4", "5.6.7.8"]),
    ("APIChangeSecret", "change_secret", (), {}, {},
     {"Status": "success", "Result": "n3wS3cret99", "Message": "Secret Changed"},
     "n3wS3cret99"),
    ("APIGetRobot", "get_robots", (), {}, {}, {"Status": None, "Result": "MioGram,Agent2"},
     ["MioGram", "Agent2"]),
    ("APIGetActive", "get_active", (), {}, {}, {"Status": "NULL", "Result": "1"}, True),
    ("APIGetUsername", "get_username", (), {}, {}, {"Status": None, "Result": "ali"}, "ali"),
    ("APIisSuper", "is_super", (), {}, {}, {"Status": None, "Result": "0"}, False),
    ("APIcanGet", "can_get", (), {}, {}, {"Status": "NULL", "Result": "1"}, True),
    ("APIGetAds", "get_ads", (), {}, {}, {"Status": None, "Result": False}, False),
    ("APIGetReport", "get_report", (50,), {}, {"Misc": "50"},
     {"Status": None, "Result": REPORT}, REPORT),
]


def test_limits_flags_are_attributes_not_sizes() -> None:
    client, _, _ = make_client({"Status": "checking", "Result": {
        "Message": "4096", "Photo": "5", "Video": "20", "File": "10", "canGet": "1",
        "isSuper": "0"}})
    limits = client.get_limits()
    assert (limits.can_get, limits.is_super) == (True, False)
    assert set(limits) == {"Message", "Photo", "Video", "File"}


def test_the_table_covers_all_43_actions() -> None:
    assert len(CASES) == 43
    assert {c[0] for c in CASES} == set(ACTIONS)


def test_every_catalogue_action_has_its_method_and_vice_versa() -> None:
    public = {name for name in dir(Client)
              if not name.startswith("_") and callable(getattr(Client, name))}
    methods = {a.method for a in ACTIONS.values()}
    assert methods <= public
    # Everything else public on Client is infrastructure, listed here by hand.
    assert public - methods == {"answer_deadline", "call", "close", "from_env",
                                "gateway_done_after", "read_timeout", "retry_delay", "to"}
    assert {c[1] for c in CASES} == methods
    for func, method, *_ in CASES:
        assert ACTIONS[func].method == method


@pytest.mark.parametrize(("func", "method", "args", "kwargs", "fields", "answer", "expected"),
                         CASES, ids=[c[0] for c in CASES])
def test_action_sends_exact_fields_and_types_result(func, method, args, kwargs, fields, answer,
                                                    expected) -> None:
    client, transport, _ = make_client(answer, robot="MioGram")
    client.dialect = "reference"  # as learnt from a getter; GetHistory's Misc depends on it
    result = getattr(client, method)(*args, **kwargs)
    assert transport.fields == {"Secret": SECRET, "Func": func, **fields}
    assert result == expected
    assert type(result) is type(expected)


def test_set_status_offline() -> None:
    client, transport, _ = make_client({"Status": "success", "Result": True})
    assert client.set_status_online(False) is True
    assert transport.fields == {"Secret": SECRET, "Func": "SetStatusOnline", "Misc": "Offline"}


def test_no_robot_field_when_no_agent_is_chosen() -> None:
    client, transport, _ = make_client(OK)
    client.send_message(A, "Hi")
    assert transport.fields == {"Secret": SECRET, "Func": "SendMessage", "Phone": A,
                                "Message": "Hi"}


def test_file_from_a_path_takes_its_extension_lower_cased(tmp_path: Path) -> None:
    photo = tmp_path / "cat.JPG"
    photo.write_bytes(b"hello")
    client, transport, _ = make_client(OK)
    assert client.send_photo(A, photo) is True
    assert transport.fields["Misc"] == "jpg"
    assert transport.fields["Data"] == "aGVsbG8="


def test_file_path_as_str_and_extension_override(tmp_path: Path) -> None:
    doc = tmp_path / "report.bin"
    doc.write_bytes(b"abc")
    client, transport, _ = make_client(OK)
    client.send_document(A, str(doc), extension="pdf")
    assert transport.fields["Misc"] == "pdf"
    assert transport.fields["Data"] == ABC64


def test_set_ip_accepts_star_and_falls_back_to_the_ips_sent() -> None:
    # A 409 confirmation with Status "error" and no Result still means the IPs were set.
    client, transport, _ = make_client({"Status": "error", "Message": "Allow IP Sets"})
    assert client.set_ip("*") == ["*"]
    assert transport.fields == {"Secret": SECRET, "Func": "APISetIP", "Misc": "*"}


def test_change_secret_switches_the_client_to_the_new_secret() -> None:
    client, transport, _ = make_client(
        {"Status": "error", "Message": "Secret Changed", "Result": "n3wS3cret99"},
        {"Status": None, "Result": "1"},
    )
    assert client.change_secret() == "n3wS3cret99"
    assert client.get_active() is True
    assert transport.sent[0].fields["Secret"] == SECRET
    assert transport.sent[1].fields["Secret"] == "n3wS3cret99"
