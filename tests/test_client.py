"""The client's core: settings, request shape, local validation, decoding, retries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fake_transport import LOCAL_URL, SECRET, make_client

from miogram_toolkit.client.core import DEFAULT_URL, Client
from miogram_toolkit.client.transport import NoAnswer, NotSent, RawResponse
from miogram_toolkit.local import data_dir
from miogram_toolkit.protocol.errors import (
    APIError,
    AuthError,
    BadResponse,
    ConnectError,
    CreditError,
    DeliveryUnknown,
    NoData,
    ResponseTimeout,
    ServiceUnavailable,
    send_outcome,
)

A = "+989121234567"
B = "+989351234567"
OK = {"Status": "success", "Result": True}


# -- construction ------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://miogram.net/dojob.php",
    "http://127.0.0.1:8765/dojob.php",
    "http://127.5.6.7/dojob.php",
    "http://localhost:9000/dojob.php",
    "http://[::1]:9000/dojob.php",
])
def test_https_or_loopback_urls_are_accepted(url: str) -> None:
    assert Client(SECRET, base_url=url).base_url == url


@pytest.mark.parametrize("url", [
    "http://miogram.net/dojob.php",
    "http://10.0.0.5/dojob.php",
    "http://128.0.0.1/dojob.php",
    "ftp://miogram.net/dojob.php",
    "miogram.net/dojob.php",
    "https://user:pw@miogram.net/dojob.php",
])
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        Client(SECRET, base_url=url)


def test_defaults() -> None:
    client = Client(SECRET)
    assert client.base_url == DEFAULT_URL == "https://miogram.net/dojob.php"
    assert client.robot is None
    assert client.timeout == 30.0
    assert client.retries == 3
    client.close()


def test_from_env_reads_the_three_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIOGRAM_SECRET", SECRET)
    monkeypatch.setenv("MIOGRAM_URL", LOCAL_URL)
    monkeypatch.setenv("MIOGRAM_ROBOT", "Agent2")
    client, transport, _ = make_client(OK)
    env_client = Client.from_env(transport=transport)
    assert env_client.base_url == LOCAL_URL
    assert env_client.robot == "Agent2"
    env_client.send_typing(A)
    assert transport.fields == {"Secret": SECRET, "Func": "SendTyping", "Phone": A,
                                "Robot": "Agent2"}


def test_from_env_without_secret_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIOGRAM_SECRET", raising=False)
    with pytest.raises(ValueError, match="MIOGRAM_SECRET is not set"):
        Client.from_env()
    with pytest.raises(ValueError, match="MIOGRAM_SECRET"):
        Client()


@pytest.mark.parametrize("secret", ["", "has space", "tab\there"])
def test_malformed_secret_is_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="secret"):
        Client(secret)


def test_context_manager_closes_a_transport_it_created_only() -> None:
    client, transport, _ = make_client()
    with client:
        pass
    assert transport.closed is False  # a transport passed in is the caller's to close
    own = Client(SECRET)
    closed = []
    own._transport.close = lambda: closed.append(True)  # type: ignore[method-assign]
    with own:
        pass
    assert closed == [True]


# -- request shape -----------------------------------------------------------------------------

def test_post_goes_to_base_url_with_the_documented_headers() -> None:
    client, transport, _ = make_client(OK, timeout=7.5)
    client.send_message(A, "Hi")
    sent = transport.sent[0]
    assert sent.url == LOCAL_URL
    assert sent.headers["Accept-Charset"] == "UTF-8"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    # The base timeout plus the default per-number allowance (1.5 s) for the one number.
    assert sent.timeout == 7.5 + 1.5


def test_call_sends_fields_as_named_and_returns_the_answer() -> None:
    client, transport, _ = make_client({"Status": "success", "Result": True}, robot="MioGram")
    answer = client.call("SendMessage", Phone=A, Message="Hi")
    assert answer == {"Status": "success", "Result": True}
    assert transport.fields == {"Secret": SECRET, "Func": "SendMessage", "Phone": A,
                                "Message": "Hi", "Robot": "MioGram"}


def test_call_refuses_unknown_field_names() -> None:
    client, transport, _ = make_client()
    with pytest.raises(ValueError, match="phone"):
        client.call("SendMessage", phone=A)
    with pytest.raises(ValueError, match="Secret"):
        client.call("SendMessage", Secret="other")
    assert transport.sent == []


def test_call_raises_on_error_answers() -> None:
    client, _, _ = make_client({"Status": "error", "Message": "No Credit"})
    with pytest.raises(CreditError) as info:
        client.call("SendMessage", Phone=A, Message="Hi")
    assert info.value.code == 305
    assert info.value.action == "SendMessage"


# -- local validation --------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "argument"), [
    (lambda c: c.send_message([A], "Hi"), "phone"),
    (lambda c: c.send_message(f"{A},{B}", "Hi"), "phone"),
    (lambda c: c.send_message("09121234567", "Hi"), "phone"),
    (lambda c: c.send_message("+98 912 123 4567", "Hi"), "phone"),
    (lambda c: c.send_message("+9891212345678901", "Hi"), "phone"),
    (lambda c: c.send_message("+1234567", "Hi"), "phone"),
    (lambda c: c.send_message("+۹۸۹۱۲۱۲۳۴۵۶۷", "Hi"), "phone"),
    (lambda c: c.send_message(989121234567, "Hi"), "phone"),
    (lambda c: c.send_message(A, ""), "message"),
    (lambda c: c.send_message(A, "  \n"), "message"),
    (lambda c: c.send_message_mass([], "Hi"), "phones"),
    (lambda c: c.send_message_mass(f"{A},{B}", "Hi"), "phones"),
    (lambda c: c.send_message_mass([A, "0912"], "Hi"), r"phones\[1\]"),
    (lambda c: c.send_message_mass([A, A], "Hi"), r"phones\[1\]"),
    (lambda c: c.rename_chat("My, Group", "New"), "old"),
    (lambda c: c.rename_chat("Old", "a,b"), "new"),
    (lambda c: c.chat_info(""), "chat"),
    (lambda c: c.set_profile_name("Ali", "Re,zaei"), "last"),
    (lambda c: c.send_contact(A, "Ali, R", B), "name"),
    (lambda c: c.send_contact(A, "Ali", "0935"), "phone_number"),
    (lambda c: c.get_report(0), "count"),
    (lambda c: c.get_report(1001), "count"),
    (lambda c: c.get_report(True), "count"),
    (lambda c: c.get_history(A, 5, -1), "offset"),
    (lambda c: c.get_history(A, 0), "limit"),
    (lambda c: c.chat_add_user(A, "G", -2), "forward_count"),
    (lambda c: c.send_photo(A, b"abc"), "extension"),
    (lambda c: c.send_photo(A, b"abc", extension=".jpg"), "extension"),
    (lambda c: c.send_photo(A, b"abc", extension="j pg"), "extension"),
    (lambda c: c.send_photo(A, b"abc", extension=""), "extension"),
    (lambda c: c.send_photo(A, b"", extension="jpg"), "file"),
    (lambda c: c.send_location(A, 91, 0), "latitude"),
    (lambda c: c.send_location(A, 0, float("nan")), "longitude"),
    (lambda c: c.set_status_online("Online"), "online"),
    (lambda c: c.set_username("two words"), "username"),
    (lambda c: c.send_message(A, "Hi", robot="Mio Gram"), "robot"),
    (lambda c: c.set_ip([]), "ips"),
    (lambda c: c.set_ip(["1.2.3.4", "not-an-ip"]), r"ips\[1\]"),
    (lambda c: c.set_ip("1.2.3.4,5.6.7.8"), r"ips\[0\]"),
])
def test_local_validation_names_the_argument_and_sends_nothing(call, argument: str) -> None:
    client, transport, _ = make_client()
    with pytest.raises(ValueError, match=rf"^{argument}"):
        call(client)
    assert transport.sent == []


def test_file_path_without_extension_needs_one(tmp_path) -> None:
    path = tmp_path / "README"
    path.write_bytes(b"abc")
    client, transport, _ = make_client()
    with pytest.raises(ValueError, match="^extension"):
        client.send_file(A, path)
    assert transport.sent == []


def test_location_is_sent_in_fixed_point() -> None:
    client, transport, _ = make_client(OK)
    client.send_location(A, -0.00001, 179)
    assert transport.fields["Misc"] == "-0.00001,179"


def test_whatsapp_mass_over_100_numbers_warns() -> None:
    phones = [f"+98912{n:07d}" for n in range(101)]
    client, _, _ = make_client({"Status": "checking", "Result": {p: True for p in phones}})
    with pytest.warns(UserWarning, match="101 numbers"):
        client.send_message_whatsapp_mass(phones, "Hi")


# -- decoding ----------------------------------------------------------------------------------

HTML_502 = RawResponse(502, "<html><head><title>502 Bad Gateway</title></head></html>",
                       {"Content-Type": "text/html"})


@pytest.mark.parametrize(("body", "says"), [
    (HTML_502, "HTML page"),
    (RawResponse(200, "", {}), "empty body"),
    (RawResponse(200, '{"Status": "success", "Result": tru', {}), "invalid JSON"),
    (RawResponse(200, '[{"Status": "success"}]', {}), "JSON list"),
    (RawResponse(200, '{"Result": true}', {}), "no Status"),
    (RawResponse(200, '"success"', {}), "JSON str"),
])
def test_malformed_answers_raise_bad_response(body: RawResponse, says: str) -> None:
    client, transport, _ = make_client(body)
    with pytest.raises(BadResponse, match=says) as info:
        client.send_message(A, "Hi")
    assert info.value.http_status == body.status_code
    assert info.value.body == body.text[:200]
    assert len(transport.sent) == 1  # a send is not repeated: it may have been delivered


def test_bad_response_keeps_at_most_200_chars_of_body() -> None:
    client, _, _ = make_client("<html>" + "x" * 1000, retries=0)
    with pytest.raises(BadResponse) as info:
        client.get_active()
    assert info.value.body == ("<html>" + "x" * 1000)[:200]


def test_json_with_a_byte_order_mark_is_read() -> None:
    client, _, _ = make_client('\ufeff{"Status": null, "Result": "1"}')
    assert client.get_active() is True


@pytest.mark.parametrize("status", ["Success", " success ", "SUCCESS"])
def test_status_is_read_trimmed_and_case_insensitive(status: str) -> None:
    client, _, _ = make_client({"Status": status, "Result": True})
    assert client.send_message(A, "Hi") is True


def test_an_undocumented_status_is_a_bad_response() -> None:
    client, _, _ = make_client({"Status": "checking", "Result": True})
    with pytest.raises(BadResponse, match="unexpected Status 'checking'"):
        client.send_message(A, "Hi")


def test_error_status_raises_the_mapped_error_with_action_and_raw() -> None:
    client, _, _ = make_client({"Status": "error", "Message": "Invalid Secret"})
    with pytest.raises(AuthError) as info:
        client.send_message(A, "Hi")
    assert (info.value.code, info.value.action) == (801, "SendMessage")
    assert info.value.raw == {"Status": "error", "Message": "Invalid Secret"}


def test_unknown_error_text_raises_the_root_api_error() -> None:
    client, _, _ = make_client({"Status": "error", "Message": "Something New"})
    with pytest.raises(APIError) as info:
        client.get_active()
    assert type(info.value) is APIError
    assert info.value.code is None
    assert info.value.message == "Something New"


def test_no_data_is_an_empty_report_but_an_error_elsewhere() -> None:
    # The implementation answers 111 No DATA for an empty log: that is an empty report.
    client, _, _ = make_client({"Status": "error", "Message": "No DATA"})
    assert client.get_report() == []
    client, _, _ = make_client({"Status": "error", "Message": "No DATA"})
    with pytest.raises(NoData):
        client.get_credits()


def test_bool_result_must_be_a_boolean() -> None:
    client, _, _ = make_client({"Status": "success", "Result": "maybe"})
    with pytest.raises(BadResponse, match="true or false"):
        client.send_message(A, "Hi")


def test_report_false_is_an_empty_list() -> None:
    client, _, _ = make_client({"Status": None, "Result": False})
    assert client.get_report(5) == []


def test_objects_false_is_none() -> None:
    client, _, _ = make_client({"Status": "success", "Result": False})
    assert client.chat_info("G") is None


def test_table_missing_a_documented_key_is_a_bad_response() -> None:
    client, _, _ = make_client({"Status": "checking", "Result": {"Message": "10"}})
    with pytest.raises(BadResponse, match="Photo"):
        client.get_credits()


def test_limits_in_megabyte_fractions_become_whole_bytes() -> None:
    client, _, _ = make_client({"Status": "checking", "Result": {
        "Message": "4096", "Photo": "2.5", "Video": 20, "File": "10", "canGet": "1",
        "isSuper": "0"}})
    assert client.get_limits()["Photo"] == 2621440  # 2.5 * 1024 * 1024


# -- open point 5: Mass answer keys --------------------------------------------------------------

def test_mass_keys_with_or_without_plus_map_back_to_the_numbers_sent() -> None:
    client, _, _ = make_client({"Status": "checking",
                                "Result": {"+989121234567": True, "989351234567": False}})
    assert client.send_message_mass([B, A], "Hi") == {B: False, A: True}


def test_mass_answer_missing_a_sent_number_is_a_bad_response() -> None:
    client, _, _ = make_client({"Status": "checking", "Result": {A: True}})
    with pytest.raises(BadResponse, match=r"1 of 2 numbers sent are missing.*\+9893\*+67"):
        client.send_message_mass([A, B], "Hi")


def test_mass_answer_with_extra_numbers_keeps_only_those_sent() -> None:
    client, _, _ = make_client({"Status": "checking", "Result": {A: True, B: True}})
    assert client.send_message_mass([A], "Hi") == {A: True}


def test_mass_result_not_an_object_is_a_bad_response() -> None:
    client, _, _ = make_client({"Status": "checking", "Result": [True, False]})
    with pytest.raises(BadResponse, match="keyed by number"):
        client.send_message_mass([A, B], "Hi")


# -- open point 2: confirmations -----------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    {"Status": "error", "Message": "Secret Changed", "Result": "n3w"},
    {"Status": "error", "Message": "407", "Result": "n3w"},
    {"Status": "error", "Code": 407, "Message": "whatever", "Result": "n3w"},
    {"Status": "success", "Message": "Secret Changed", "Result": "n3w"},
])
def test_407_confirms_change_secret(answer) -> None:
    client, _, _ = make_client(answer)
    assert client.change_secret() == "n3w"


def test_change_secret_without_a_new_secret_is_a_bad_response() -> None:
    client, transport, _ = make_client({"Status": "success", "Message": "Secret Changed"})
    with pytest.raises(BadResponse, match="web panel"):
        client.change_secret()
    assert len(transport.sent) == 1


def test_409_is_an_error_for_other_actions() -> None:
    client, _, _ = make_client({"Status": "error", "Message": "Allow IP Sets"})
    with pytest.raises(APIError) as info:
        client.send_message(A, "Hi")
    assert info.value.code == 409


# -- retries -------------------------------------------------------------------------------------

def test_not_sent_is_retried_with_growing_backoff() -> None:
    client, transport, sleeps = make_client(NotSent("refused"), NotSent("refused"),
                                            NotSent("refused"), OK, backoff=0.5)
    assert client.send_message(A, "Hi") is True
    assert len(transport.sent) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_not_sent_after_all_retries_is_connect_error() -> None:
    client, transport, sleeps = make_client(*[NotSent("refused")] * 3, retries=2)
    with pytest.raises(ConnectError, match="never reached"):
        client.send_message(A, "Hi")
    assert len(transport.sent) == 3
    assert len(sleeps) == 2


ACTIVE = {"Result": "1"}


@pytest.mark.parametrize("message", ["No Response From Server", "Invalid Token", "814"])
def test_gateway_errors_are_retried_for_a_read(message: str) -> None:
    client, transport, sleeps = make_client({"Status": "error", "Message": message}, ACTIVE)
    assert client.get_active() is True
    assert len(transport.sent) == 2
    assert sleeps == [0.5]


@pytest.mark.parametrize("message", ["No Response From Server", "Invalid Token", "814"])
def test_gateway_errors_on_a_send_are_never_retried_and_prove_nothing(message: str) -> None:
    """Issue 17: a 999 comes while the gateway goes on sending; a retry messages them twice."""
    client, transport, sleeps = make_client({"Status": "error", "Message": message}, OK)
    with pytest.raises(ServiceUnavailable) as info:
        client.send_message_mass([A, B], "Hi")
    assert len(transport.sent) == 1 and sleeps == []
    assert send_outcome(info.value) == "unknown"


def test_gateway_error_by_code_element_is_retried_for_a_read() -> None:
    client, transport, _ = make_client(
        {"Status": "error", "Code": "813", "Message": "Invalid Token"}, ACTIVE)
    assert client.get_active() is True
    assert len(transport.sent) == 2


def test_gateway_errors_after_all_retries_raise_service_unavailable() -> None:
    answer = {"Status": "error", "Message": "No Response From Server"}
    client, transport, sleeps = make_client(answer, answer, answer, answer)
    with pytest.raises(ServiceUnavailable) as info:
        client.get_credits()
    assert info.value.code == 999
    assert len(transport.sent) == 4
    assert sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("answer", [
    RawResponse(502, "<html><body>502 Bad Gateway</body></html>", {"Content-Type": "text/html"}),
    RawResponse(504, "<html>Gateway Time-out</html>", {"Content-Type": "text/html"}),
    RawResponse(500, "", {}),
    RawResponse(200, '{"Result": {"+989121234567": tr', {}),
])
def test_a_proxy_page_or_cut_answer_to_a_send_is_not_retried_and_is_unknown(
        answer: RawResponse) -> None:
    client, transport, sleeps = make_client(answer, OK)
    with pytest.raises(BadResponse) as info:
        client.send_message_mass([A, B], "Hi")
    assert len(transport.sent) == 1 and sleeps == []
    assert send_outcome(info.value) == "unknown"


def test_other_api_errors_are_not_retried() -> None:
    client, transport, sleeps = make_client({"Status": "error", "Message": "No Credit"})
    with pytest.raises(CreditError):
        client.send_message(A, "Hi")
    assert len(transport.sent) == 1
    assert sleeps == []


def test_a_timed_out_send_is_not_repeated() -> None:
    client, transport, sleeps = make_client(NoAnswer("read timed out"), OK)
    with pytest.raises(DeliveryUnknown, match="not repeated") as info:
        client.send_message(A, "Hi")
    assert info.value.action == "SendMessage"
    assert len(transport.sent) == 1
    assert sleeps == []


def test_a_timed_out_mass_send_is_not_repeated() -> None:
    client, transport, _ = make_client(NoAnswer("connection reset"))
    with pytest.raises(DeliveryUnknown):
        client.send_message_mass([A, B], "Hi")
    assert len(transport.sent) == 1


def test_a_read_only_action_is_retried_after_no_answer() -> None:
    client, transport, sleeps = make_client(NoAnswer("read timed out"),
                                            {"Status": None, "Result": "1"})
    assert client.get_active() is True
    assert len(transport.sent) == 2
    assert sleeps == [0.5]


def test_a_read_only_action_that_never_answers_is_response_timeout() -> None:
    client, transport, _ = make_client(*[NoAnswer("read timed out")] * 4)
    with pytest.raises(ResponseTimeout):
        client.get_report()
    assert len(transport.sent) == 4


def test_a_read_only_action_is_retried_after_a_bad_response() -> None:
    client, transport, _ = make_client(HTML_502, {"Status": None, "Result": "ali"})
    assert client.get_username() == "ali"
    assert len(transport.sent) == 2


def test_backoff_is_capped_and_jittered_below_the_bound() -> None:
    import random

    client, _, sleeps = make_client(*[NotSent("x")] * 11, OK, retries=11, backoff=1.0,
                                    rng=random.Random(4))
    assert client.send_typing(A) is True
    bounds = [min(30.0, 2 ** k) for k in range(11)]
    assert all(0 <= s <= b for s, b in zip(sleeps, bounds, strict=True))
    assert max(sleeps) <= 30.0


def test_retries_zero_means_one_attempt() -> None:
    client, transport, _ = make_client(NotSent("refused"), retries=0)
    with pytest.raises(ConnectError):
        client.send_message(A, "Hi")
    assert len(transport.sent) == 1


def test_every_test_gets_a_private_home_and_no_service_from_the_shell(
    isolated_environment: Path,
) -> None:
    """conftest's autouse fixture: a fresh MIOGRAM_HOME, no service variables."""
    assert os.environ["MIOGRAM_HOME"] == str(isolated_environment)
    assert data_dir() == isolated_environment
    for name in ("MIOGRAM_URL", "MIOGRAM_SECRET", "MIOGRAM_ROBOT"):
        assert name not in os.environ
