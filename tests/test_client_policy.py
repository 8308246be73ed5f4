"""The client's request policy, what it learns from answers, and the errors that say what to do.

Issue 16 item 2 (per-call overrides, one deadline, one back-off), issue 17 (history in both
dialects, clock offset, 64-bit credits, report of 1000), issue 18 (typed connection/path/secret
errors), issue 20 (no password from a URL in a message).
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
from fake_transport import LOCAL_URL, SECRET, MaxJitter, make_client

from miogram_toolkit.client.core import Client
from miogram_toolkit.client.policy import MAX_DELAY, retry_delay
from miogram_toolkit.client.transport import NotSent, RawResponse, WSGITransport
from miogram_toolkit.protocol.chat import ChatMessage
from miogram_toolkit.protocol.errors import (
    BadResponse,
    ConnectError,
    ConnectionRefused,
    HostNotFound,
    MioGramError,
    ServiceUnavailable,
    WrongAddress,
    WrongAddressPage,
    WrongSecret,
    send_outcome,
)

A, B = "+989121234567", "+989351234567"
OK = {"Status": "success", "Result": True}
ACTIVE_REFERENCE = {"Result": "1"}
ACTIVE_DOCUMENT = {"Status": None, "Result": "1"}
HISTORY = {"Status": "success", "Result": [
    {"event": "message", "id": "11", "out": True, "date": 1796660900,
     "to": {"phone": "989121234567"}, "text": "hello"},
    {"event": "message", "id": "12", "out": False, "date": 1796660960,
     "from": {"phone": "989121234567"}, "text": "stop"},
    {"event": "message", "id": "13", "out": True, "date": 1796661000,
     "to": {"phone": "989121234567"}, "media": {"type": "photo", "caption": "sale"}},
]}


# -- per-call overrides and the timing questions --------------------------------------------------

def test_per_call_timeout_and_retries_override_without_changing_the_client() -> None:
    client, transport, sleeps = make_client(NotSent("x"), NotSent("x"), ACTIVE_REFERENCE,
                                            retries=0, timeout=30)
    assert client.get_active(timeout=2.5, retries=2) is True
    assert [s.timeout for s in transport.sent] == [2.5, 2.5, 2.5]
    assert len(sleeps) == 2
    assert (client.timeout, client.retries) == (30.0, 0)
    client2, transport2, _ = make_client(NotSent("x"), OK, retries=0)
    with pytest.raises(ConnectError):
        client2.send_message(A, "Hi")  # the client's own retries=0 again
    assert len(transport2.sent) == 1


def test_call_takes_the_overrides_too() -> None:
    client, transport, _ = make_client(NotSent("x"), OK, retries=0)
    assert client.call("SendMessage", Phone=A, Message="Hi", timeout=4, retries=1) == OK
    assert [s.timeout for s in transport.sent] == [4.0, 4.0]
    assert "timeout" not in transport.sent[-1].fields


@pytest.mark.parametrize("bad", [0, -1, True, "5"])
def test_a_bad_override_is_named(bad: object) -> None:
    client, transport, _ = make_client(OK)
    with pytest.raises(ValueError, match="^timeout"):
        client.send_message(A, "Hi", timeout=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^retries"):
        client.send_message(A, "Hi", retries=-1)
    assert transport.sent == []


def test_answer_deadline_follows_the_pace_up_to_the_endpoints_60_s_wait() -> None:
    client = Client(SECRET, base_url=LOCAL_URL, timeout=30, per_number_timeout=1.5)
    assert client.answer_deadline(0) == 30.0  # a read
    assert client.answer_deadline(1) == 31.5
    assert client.answer_deadline(40) == 90.0
    # The endpoint answers 999 after 60 s whatever the numbers: waiting longer is pointless.
    assert client.answer_deadline(100) == client.answer_deadline(1000) == 90.0
    assert client.read_timeout(40) == client.answer_deadline(40)
    shorter = Client(SECRET, base_url=LOCAL_URL, timeout=1, gateway_wait_s=5)
    assert shorter.answer_deadline(100) == 6.0


def test_a_send_waits_for_its_answer_deadline() -> None:
    client, transport, _ = make_client({"Status": "checking", "Result": {A: True, B: True}},
                                       timeout=30)
    client.send_message_mass([A, B], "Hi")
    assert transport.sent[0].timeout == client.answer_deadline(2) == 33.0


def test_gateway_done_after_is_a_setting_tests_can_shrink() -> None:
    assert Client(SECRET, base_url=LOCAL_URL).gateway_done_after(40) == 55.0
    quick = Client(SECRET, base_url=LOCAL_URL, gateway_per_number_s=0.01, gateway_slack_s=0.1)
    assert quick.gateway_done_after(40) == pytest.approx(0.5)


def test_retry_delay_is_the_one_back_off_formula_with_its_cap() -> None:
    client = Client(SECRET, base_url=LOCAL_URL, backoff=0.5)
    assert [client.retry_delay(k) for k in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert client.retry_delay(40) == MAX_DELAY == 30.0
    assert retry_delay(1000, 1.0) == 30.0
    # The client's own pauses follow it (the jitter's top is the bound).
    client2, _, sleeps = make_client(*[NotSent("x")] * 3, OK, backoff=0.5, rng=MaxJitter())
    client2.send_message(A, "Hi")
    assert sleeps == [client2.retry_delay(k) for k in (1, 2, 3)]


# -- what the client learns: dialect and clock ----------------------------------------------------

def test_the_dialect_is_learnt_from_a_getters_answer() -> None:
    reference, _, _ = make_client(ACTIVE_REFERENCE)
    assert reference.dialect is None
    reference.get_active()
    assert reference.dialect == "reference"
    document, _, _ = make_client(ACTIVE_DOCUMENT)
    document.get_active()
    assert document.dialect == "document"


def test_history_reads_the_newest_against_the_implementation() -> None:
    """Issue 17: Misc is limit,offset there; "0,20" would read nothing."""
    client, transport, _ = make_client(ACTIVE_REFERENCE, HISTORY, robot="MioBot1")
    messages = client.get_history(A, 20, robot="MioBot2")
    assert [s.fields["Func"] for s in transport.sent] == ["APIGetActive", "GetHistory"]
    assert transport.sent[1].fields["Misc"] == "20,0"
    assert transport.sent[1].fields["Robot"] == "MioBot2"
    assert [m.id for m in messages] == ["11", "12", "13"]  # oldest first
    first, reply, photo = messages
    assert first == ChatMessage("11", True, datetime.fromtimestamp(1796660900, UTC), "hello",
                                peer=A)
    assert (reply.out, reply.text, reply.peer) == (False, "stop", A)
    assert (photo.text, photo.media, photo.caption) == (None, "photo", "sale")


def test_history_reads_the_newest_against_the_document() -> None:
    client, transport, _ = make_client(ACTIVE_DOCUMENT, {"Status": "fail", "Result": False})
    assert client.get_history(A, 20, 5) == []
    assert transport.sent[1].fields["Misc"] == "5,20"


def test_history_asks_no_getter_once_the_dialect_is_known() -> None:
    client, transport, _ = make_client(ACTIVE_REFERENCE, HISTORY, HISTORY)
    client.get_active()
    client.get_history(A, 3)
    client.get_history(A, 3, 3)
    assert [s.fields["Misc"] for s in transport.sent[1:]] == ["3,0", "3,3"]


def test_history_against_both_simulator_dialects_reads_the_newest() -> None:
    from miogram_toolkit.simulator import Simulator

    for dialect in ("reference", "document"):
        with Simulator(seed=3, dialect=dialect) as sim:
            client = Client.to(sim, transport=WSGITransport(sim.app))
            for text in ("one", "two", "three"):
                client.send_message(A, text)
            newest = client.get_history(A, 2)
            assert [m.text for m in newest] == ["two", "three"], dialect
            assert client.dialect == dialect


def test_clock_offset_is_estimated_from_the_date_header() -> None:
    ahead = datetime.now(UTC).timestamp() + 120
    date = datetime.fromtimestamp(ahead, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    client, _, _ = make_client(RawResponse(200, '{"Result": "1"}', {"Date": date}))
    assert client.clock_offset is None
    client.get_active()
    assert client.clock_offset == pytest.approx(120, abs=2)


def test_no_date_header_leaves_the_clock_unknown() -> None:
    client, _, _ = make_client(RawResponse(200, '{"Result": "1"}', {"Date": "garbage"}))
    client.get_active()
    assert client.clock_offset is None


# -- answers out of range, and the report's 1000 ---------------------------------------------

@pytest.mark.parametrize("value", ["1" + "0" * 400, 2**63, "-9223372036854775809", 1e300])
def test_a_credit_outside_a_64_bit_integer_is_a_bad_response(value: object) -> None:
    answer = {"Status": "checking", "Result": {"Message": value, "Photo": 1, "Video": 1,
                                               "File": 1, "Other": 1}}
    client, _, _ = make_client(answer, retries=0)
    with pytest.raises(BadResponse, match="64-bit"):
        client.get_credits()


def test_the_largest_64_bit_credit_is_read() -> None:
    answer = {"Status": "checking", "Result": {"Message": str(2**63 - 1), "Photo": 1,
                                               "Video": 1, "File": 1, "Other": 1}}
    client, _, _ = make_client(answer)
    assert client.get_credits()["Message"] == 2**63 - 1


def test_get_report_accepts_1000() -> None:
    client, transport, _ = make_client({"Result": []})
    assert client.get_report(1000) == []
    assert transport.fields["Misc"] == "1000"


# -- errors that say what to do (issue 18) --------------------------------------------------------

def test_a_closed_port_is_connection_refused_with_its_sentence() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Client(SECRET, base_url=f"http://127.0.0.1:{port}/dojob.php", retries=0)
    with pytest.raises(ConnectionRefused) as info, client:
        client.get_active()
    assert str(info.value) == (
        f"APIGetActive: the request never reached the service: nothing answers at "
        f"127.0.0.1:{port} (connection refused); check the port in the URL, or start the "
        "service there")
    assert info.value.kind == "connection_refused"
    assert send_outcome(info.value) == "not_processed"


def test_a_host_that_does_not_resolve_is_host_not_found() -> None:
    client = Client(SECRET, base_url="https://miogram.invalid/dojob.php", retries=0)
    with pytest.raises(HostNotFound) as info, client:
        client.get_active()
    assert "'miogram.invalid' was not found (DNS)" in str(info.value)
    assert info.value.kind == "dns_failure"


@pytest.mark.parametrize("answer", [
    RawResponse(404, "<html><h1>Not Found</h1></html>", {"Content-Type": "text/html"}),
    RawResponse(404, '{"error": "not found"}', {"Content-Type": "application/json"}),
    RawResponse(200, "<!DOCTYPE html><html><body>Welcome</body></html>", {}),
])
def test_a_wrong_path_is_wrong_address(answer: RawResponse) -> None:
    client, transport, _ = make_client(answer)
    with pytest.raises(WrongAddressPage) as info:
        client.get_active()
    assert isinstance(info.value, WrongAddress) and isinstance(info.value, BadResponse)
    assert "check its path (it ends in /dojob.php)" in str(info.value)
    assert len(transport.sent) == 1  # not retried: the URL is wrong


def test_812_to_a_post_is_wrong_address_and_a_proxy_502_is_not() -> None:
    client, _, _ = make_client({"Message": "Bad Request", "Status": "error", "Code": "812"})
    with pytest.raises(WrongAddress):
        client.get_active()
    proxy, _, _ = make_client(RawResponse(502, "<html>Bad Gateway</html>", {}), retries=0)
    with pytest.raises(BadResponse) as info:
        proxy.get_active()
    assert not isinstance(info.value, WrongAddress)


def test_a_wrong_secret_is_wrong_secret_not_a_generic_refusal() -> None:
    client, _, _ = make_client({"Message": "Invalid Secret", "Status": "error", "Code": "801"})
    with pytest.raises(WrongSecret) as info:
        client.get_active()
    assert info.value.kind == "wrong_secret"
    assert "the service does not know this secret" in str(info.value)


def test_a_999_send_is_service_unavailable_and_unknown() -> None:
    client, transport, _ = make_client({"Message": "No Response From Server",
                                        "Status": "error", "Code": "999"}, OK)
    with pytest.raises(ServiceUnavailable) as info:
        client.send_message_mass([A, B], "Hi")
    assert send_outcome(info.value) == "unknown" and len(transport.sent) == 1


# -- no password from a URL in any message (issue 20) ---------------------------------------------

@pytest.mark.parametrize("url", [
    "htps://user:hunter2@miogram.net/dojob.php",
    "https://user:hunter2@miogram.net/dojob.php",
    "ftp://hunter2@miogram.net/",
    "user:hunter2@miogram.net/dojob.php",
])
def test_a_url_with_a_password_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(ValueError) as info:
        Client(SECRET, base_url=url)
    assert "hunter2" not in str(info.value)
    assert "***@miogram.net" in str(info.value) or "user name or password" in str(info.value)


def test_every_error_is_a_miogram_error() -> None:
    for cls in (ConnectionRefused, HostNotFound, WrongAddressPage, WrongSecret):
        assert issubclass(cls, MioGramError)


def test_a_proxy_password_in_a_library_error_is_masked() -> None:
    from miogram_toolkit.client.classify import describe_failure

    text = describe_failure(OSError("Unable to connect to proxy http://me:hunter2@10.0.0.1:3128"))
    assert "hunter2" not in text and "http://***@10.0.0.1:3128" in text


def test_a_url_password_never_reaches_a_client_error_through_the_transport() -> None:
    client, _, _ = make_client(NotSent("via https://me:hunter2@proxy.example:3128 refused"),
                               retries=0)
    with pytest.raises(ConnectError) as info:
        client.get_active()
    assert "hunter2" in str(NotSent("https://me:hunter2@x"))  # the raw text did hold it
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize("offset", [300.0, -90.0])
def test_the_clock_offset_of_a_simulator_is_found(offset: float) -> None:
    from miogram_toolkit.simulator import Simulator

    with Simulator(seed=3, clock_offset_s=offset) as sim, Client.to(sim) as client:
        client.get_active()
        client.get_credits()
        assert client.clock_offset == pytest.approx(offset, abs=1.0)
