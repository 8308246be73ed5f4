"""The client reads every answer shape of the service's own implementation like its document twin.

Each row: the method called, the body exactly as ``reference-implementation.md`` shows it (raw
text, as the service sends it), and the typed result — which must be what the document-shaped
twin of that answer gives, so the client's results do not depend on the dialect.
"""

from __future__ import annotations

from typing import Any

import pytest
from fake_transport import make_client

from miogram_toolkit.protocol.decode import Limits
from miogram_toolkit.protocol.errors import (
    AuthError,
    BadNumber,
    BadRequest,
    BadResponse,
    CreditError,
    FileRejected,
    GatewayCreditError,
    MessageTooLong,
    NoAgentError,
    PermissionDenied,
    WrongAddressAnswer,
    WrongSecret,
)

A, B, C = "+989121234567", "+989351234567", "+989121234560"
MB = 1024 * 1024
ROW = ('{"Username":"demo","DATE":"2026-01-31","TIME":"15:30:05","IP":"127.0.0.1",'
       '"DATA":"Hi","Number":"+989121234567","Delivered":"+989121234567"}')


def call(method: str, *args: Any):
    return lambda client: getattr(client, method)(*args)


# (id, call, the implementation's body, its document-shaped twin, the typed result)
SHAPES = [
    ("credits-as-strings", call("get_credits"),
     '{"Result":{"Message":"1000","Photo":"100","Video":"100","File":"100","Other":"100"},'
     '"Status":"checking"}',
     '{"Result":{"Message":1000,"Photo":100,"Video":100,"File":100,"Other":100},'
     '"Status":"checking"}',
     {"Message": 1000, "Photo": 100, "Video": 100, "File": 100, "Other": 100}),
    ("credit-gone-negative", call("get_credits"),
     '{"Result":{"Message":"-1","Photo":"0","Video":"0","File":"0","Other":"0"},'
     '"Status":"checking"}',
     '{"Result":{"Message":-1,"Photo":0,"Video":0,"File":0,"Other":0},"Status":"checking"}',
     {"Message": -1, "Photo": 0, "Video": 0, "File": 0, "Other": 0}),
    ("limits-in-bytes", call("get_limits"),
     '{"Result":{"Message":"100","Photo":2097152,"Video":4194304,"File":1048576,'
     '"canGet":"1","isSuper":"1"},"Status":"checking"}',
     '{"Result":{"Message":100,"Photo":2,"Video":4,"File":1,"canGet":1,"isSuper":1},'
     '"Status":"checking"}',
     Limits({"Message": 100, "Photo": 2 * MB, "Video": 4 * MB, "File": 1 * MB},
            can_get=True, is_super=True)),
    ("limits-flag-integer-0", call("get_limits"),
     '{"Result":{"Message":"100","Photo":2097152,"Video":4194304,"File":1048576,'
     '"canGet":0,"isSuper":"1"},"Status":"checking"}',
     '{"Result":{"Message":100,"Photo":2,"Video":4,"File":1,"canGet":0,"isSuper":1},'
     '"Status":"checking"}',
     Limits({"Message": 100, "Photo": 2 * MB, "Video": 4 * MB, "File": 1 * MB},
            can_get=False, is_super=True)),
    ("robots-as-one-string", call("get_robots"), '{"Result":"MioBot1,MioBot2"}',
     '{"Result":"MioBot1,MioBot2","Status":null}', ["MioBot1", "MioBot2"]),
    ("robots-as-a-list", call("get_robots"), '{"Result":["MioBot1","MioBot2"]}',
     '{"Result":"MioBot1,MioBot2","Status":null}', ["MioBot1", "MioBot2"]),
    ("active-string-1", call("get_active"), '{"Result":"1"}', '{"Result":"1","Status":null}',
     True),
    ("username", call("get_username"), '{"Result":"demo"}', '{"Result":"demo","Status":null}',
     "demo"),
    ("is-super-1", call("is_super"), '{"Result":"1"}', '{"Result":"1","Status":null}', True),
    ("is-super-integer-0", call("is_super"), '{"Result":0}', '{"Result":"0","Status":null}',
     False),
    ("can-get-integer-0", call("can_get"), '{"Result":0}', '{"Result":"0","Status":null}',
     False),
    ("ads-false", call("get_ads"), '{"Result":false}', '{"Result":false,"Status":null}', False),
    ("ads-true", call("get_ads"), '{"Result":true}', '{"Result":true,"Status":null}', True),
    ("ip-caller-address", call("get_ip"), '{"Result":"127.0.0.1"}',
     '{"Result":"127.0.0.1","Status":null}', ["127.0.0.1"]),
    ("report-bare-array", call("get_report", 5), f"[{ROW}]",
     f'{{"Result":[{ROW}],"Status":null}}',
     [{"Username": "demo", "DATE": "2026-01-31", "TIME": "15:30:05", "IP": "127.0.0.1",
       "DATA": "Hi", "Number": A, "Delivered": A}]),
    ("report-111-no-data", call("get_report", 5),
     '{"Message":"No DATA","Status":"error","Code":"111"}', '{"Result":[],"Status":null}', []),
    ("send-delivered", call("send_message", A, "Hi"), '{"Result":true,"Status":"success"}',
     '{"Result":true,"Status":"success"}', True),
    ("send-number-not-exist", call("send_message", A, "Hi"),
     '{"Result":false,"Message":"Number Not Exist or Wrong","Status":"error"}',
     '{"Result":false,"Status":"fail"}', False),
    ("photo-number-not-exist", lambda client: client.send_photo(A, b"png", extension="png"),
     '{"Result":false,"Message":"Number Not Exist or Wrong","Status":"error"}',
     '{"Result":false,"Status":"fail"}', False),
    ("location", call("send_location", A, 35.7, 51.4), '{"Result":true,"Status":"success"}',
     '{"Result":true,"Status":"success"}', True),
    # Keys exactly as written in Phone; the client writes "+98…", a key without "+" is read too.
    ("mass-keys-as-written", call("send_message_mass", [A, B, C], "Hi"),
     '{"Result":{"+989121234567":true,"989351234567":true,"+989121234560":false},'
     '"Status":"checking"}',
     '{"Result":{"+989121234567":true,"+989351234567":true,"+989121234560":false},'
     '"Status":"checking"}',
     {A: True, B: True, C: False}),
    ("whatsapp-sent", call("send_message_whatsapp", A, "Hi"), '{"Result":true,"Status":"sent"}',
     '{"Result":true,"Status":"success"}', True),
    ("whatsapp-mass-one-boolean", call("send_message_whatsapp_mass", [A, B], "Hi"),
     '{"Result":true,"Status":"sent"}',
     '{"Result":{"+989121234567":true,"+989351234567":true},"Status":"checking"}',
     {A: True, B: True}),
    ("change-secret-407", call("change_secret"),
     '{"Result":"0a1b2c3d4e","Message":"Secret Changed","Status":"success","Code":"407"}',
     '{"Result":"0a1b2c3d4e","Message":"Secret Changed","Status":"success"}', "0a1b2c3d4e"),
    ("set-ip-409-server-appended", call("set_ip", ["203.0.113.7"]),
     '{"Result":"203.0.113.7,","Message":"Allow IP Sets","Status":"success","Code":"409"}',
     '{"Result":"203.0.113.7","Message":"Allow IP Sets","Status":"success"}',
     ["203.0.113.7"]),
    ("set-ip-star", call("set_ip", "*"),
     '{"Result":"*","Message":"Allow IP Sets","Status":"success","Code":"409"}',
     '{"Result":"*","Message":"Allow IP Sets","Status":"success"}', ["*"]),
]


@pytest.mark.parametrize(("run", "body", "twin", "expected"),
                         [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_every_answer_shape_decodes_like_its_document_twin(run, body, twin, expected) -> None:
    client, transport, _ = make_client(body, retries=0)
    result = run(client)
    assert result == expected
    assert type(result) is type(expected)
    assert len(transport.sent) == 1
    twin_client, _, _ = make_client(twin, retries=0)
    assert run(twin_client) == result


# (id, call, the implementation's error body, the exception, its code)
ERRORS = [
    ("wrong-secret", call("get_credits"),
     '{"Message":"Invalid Secret","Status":"error","Code":"801"}', WrongSecret, 801),
    ("empty-secret", call("get_credits"),
     '{"Message":"Empty Secret","Status":"error","Code":"800"}', WrongSecret, 800),
    ("ip-not-allowed", call("get_ip"),
     '{"Message":"Invalid IP Address","Status":"error","Code":"802"}', AuthError, 802),
    ("get-not-post", call("get_active"),
     '{"Message":"Bad Request","Status":"error","Code":"812"}', WrongAddressAnswer, 812),
    ("blocked-815", call("get_active"),
     '{"Message":"Session Blocked","Status":"error","Code":"815"}', AuthError, 815),
    ("inactive", call("get_credits"),
     '{"Message":"Account Not Activated","Status":"error","Code":"826"}', AuthError, 826),
    ("no-robot", call("send_message", A, "Hi"),
     '{"Message":"No Robot Has Been Set Yet","Status":"error","Code":"827"}', NoAgentError, 827),
    ("unknown-func-302", call("get_credits"),
     '{"Message":"Bad Request of Functions","Status":"error","Code":"302"}', BadRequest, 302),
    ("permission", call("get_history", A),
     '{"Message":"Permission Denied","Status":"error","Code":"309"}', PermissionDenied, 309),
    ("too-long-304", call("send_message", A, "Hi"),
     '{"Message":"Message Length is Too High","Status":"error","Code":"304"}',
     MessageTooLong, 304),
    ("no-credit-305", call("send_message_mass", [A, B], "Hi"),
     '{"Message":"No Credit","Status":"error","Code":"305"}', CreditError, 305),
    ("set-ip-empty-330", call("set_ip", "*"),
     '{"Message":"No Input","Status":"error","Code":"330"}', BadRequest, 330),
    ("gateway-not-valid-file", lambda client: client.send_photo(A, b"png", extension="png"),
     '{"Message":"Error 400 : Not Valid File","Status":"error"}', FileRejected, 400),
    ("gateway-302-then-stray-code", call("send_message", A, "Hi"),
     '{"Message":"Error 302 : Bad Request of Func ","Status":"error"}302', BadRequest, 302),
    ("gateway-low-credit", call("send_message_mass", [A, B], "Hi"),
     '{"Message":"Error 306 : Low Credit","Status":"error"}', GatewayCreditError, 306),
    ("code-as-number", call("get_credits"),
     '{"Message":"Invalid Secret","Status":"ERROR","Code":801}', AuthError, 801),
    ("stray-code-only", call("send_message", A, "Hi"),
     '{"Message":"something odd","Status":"error"}302', BadRequest, 302),
]


@pytest.mark.parametrize(("run", "body", "error", "code"), [e[1:] for e in ERRORS],
                         ids=[e[0] for e in ERRORS])
def test_every_error_shape_raises_its_exception(run, body, error, code) -> None:
    client, transport, _ = make_client(body, retries=0)
    with pytest.raises(error) as caught:
        run(client)
    assert caught.value.code == code
    assert len(transport.sent) == 1


def test_the_gateway_low_credit_is_told_apart_from_the_accounts() -> None:
    client, _, _ = make_client('{"Message":"Error 306 : Low Credit","Status":"error"}',
                               '{"Message":"No Credit","Status":"error","Code":"305"}',
                               retries=0)
    with pytest.raises(GatewayCreditError) as gateway:
        client.send_message_mass([A, B], "Hi")
    assert gateway.value.source == "gateway"
    with pytest.raises(CreditError) as account:
        client.send_message_mass([A, B], "Hi")
    assert type(account.value) is CreditError and account.value.source == "service"


def test_a_document_306_is_a_plain_credit_error() -> None:
    client, _, _ = make_client({"Result": False, "Status": "error", "Message": "Low Credit"},
                               retries=0)
    with pytest.raises(CreditError) as caught:
        client.send_message_mass([A, B], "Hi")
    assert type(caught.value) is CreditError and caught.value.code == 306


def test_the_stray_code_is_not_kept_in_the_raw_answer() -> None:
    client, _, _ = make_client('{"Message":"Error 302 : Bad Request of Func ","Status":"error"}'
                               '302', retries=0)
    with pytest.raises(BadRequest) as caught:
        client.send_message(A, "Hi")
    assert caught.value.raw == {"Message": "Error 302 : Bad Request of Func ", "Status": "error"}


@pytest.mark.parametrize("body", [
    '{"Result":true}',                       # a send answer without Status
    '{"Result":true,"Status":"checking"}',   # a Status no send has
    '[{"Result":true,"Status":"success"}]',  # an array for anything but the report
    '{"Result":true,"Status":"success"} trailing words',  # more than a bare code after it
    '{"Result":true,"Status":"success"}3020',
])
def test_shapes_neither_dialect_has_stay_bad_responses(body: str) -> None:
    client, transport, _ = make_client(body, retries=0)
    with pytest.raises(BadResponse):
        client.send_message(A, "Hi")
    assert len(transport.sent) == 1


def test_a_bare_code_after_a_success_changes_nothing() -> None:
    client, _, _ = make_client('{"Result":true,"Status":"success"}\n302\n', retries=0)
    assert client.send_message(A, "Hi") is True


def test_an_undelivered_single_send_is_false_not_an_error_but_a_bad_number_elsewhere() -> None:
    body = '{"Result":false,"Message":"Number Not Exist or Wrong","Status":"error"}'
    client, _, _ = make_client(body, retries=0)
    assert client.send_message(A, "Hi") is False
    client, _, _ = make_client(body, retries=0)
    with pytest.raises(BadNumber):  # no Phone in the request: not an undelivered send
        client.call("APIGetCredits")
