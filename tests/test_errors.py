"""The 23 error codes: table, recognition from text / bare code / Code element, the class tree."""

from __future__ import annotations

import pytest

from miogram_toolkit.protocol import errors as e
from miogram_toolkit.protocol.error_answers import (
    error_for_answer,
    is_confirmation,
    lookup_error,
    redact,
)
from miogram_toolkit.protocol.errors import ERRORS, RETRYABLE_CODES

# Hand-copied from the document's error table: code, Message text, class by meaning, public (P).
TABLE = [
    (800, "Empty Secret", e.WrongSecret, True),
    (801, "Invalid Secret", e.WrongSecret, True),
    (802, "Invalid IP Address", e.AuthError, True),
    (812, "Bad Request", e.WrongAddressAnswer, True),
    (813, "Invalid Token", e.ServiceUnavailable, False),
    (814, "Invalid IP Address", e.ServiceUnavailable, False),
    (815, "Session Blocked", e.AuthError, True),
    (826, "Account Not Activated", e.AuthError, True),
    (827, "No Robot Has Been Set Yet", e.NoAgentError, True),
    (301, "No UserID", e.BadRequest, False),
    (302, "Bad Request of Func", e.BadRequest, True),
    (303, "File Size is Too High", e.FileRejected, False),
    (304, "Message Length is Too High", e.MessageTooLong, False),
    (305, "No Credit", e.CreditError, False),
    (306, "Low Credit", e.CreditError, False),
    (307, "Number Not Exist or Wrong", e.BadNumber, False),
    (309, "Permission Denied", e.PermissionDenied, False),
    (330, "No Input", e.BadRequest, False),
    (400, "No Valid File", e.FileRejected, False),
    (407, "Secret Changed", None, False),
    (409, "Allow IP Sets", None, False),
    (111, "No DATA", e.NoData, False),
    (999, "No Response From Server", e.ServiceUnavailable, True),
]
FAILURES = [row for row in TABLE if row[2] is not None]
# 814 shares its text with 802; without a Code element the text reads as the public 802.
BY_TEXT = [row for row in FAILURES if row[0] != 814]
TEXT_IDS = [str(r[0]) for r in BY_TEXT]


def test_the_table_has_the_23_codes_of_the_document() -> None:
    assert len(ERRORS) == 23
    for code, text, cls, public in TABLE:
        info = ERRORS[code]
        assert (info.message, info.exception, info.public) == (text, cls, public)


def test_retryable_codes_are_the_gateway_errors() -> None:
    assert RETRYABLE_CODES == {813, 814, 999}


def test_every_api_error_class_derives_from_api_error_and_the_root() -> None:
    for _, _, cls, _ in FAILURES:
        assert issubclass(cls, e.APIError)
        assert issubclass(cls, e.MioGramError)
    for cls in (e.ConnectError, e.ResponseTimeout, e.DeliveryUnknown, e.BadResponse):
        assert issubclass(cls, e.TransportError)
        assert not issubclass(cls, e.APIError)


@pytest.mark.parametrize(("code", "text", "cls", "public"), BY_TEXT, ids=TEXT_IDS)
def test_recognised_from_text(code, text, cls, public) -> None:
    err = error_for_answer({"Status": "error", "Message": text}, "SendMessage")
    assert type(err) is cls
    assert (err.code, err.message, err.action) == (code, text, "SendMessage")


@pytest.mark.parametrize(("code", "text", "cls", "public"), BY_TEXT, ids=TEXT_IDS)
@pytest.mark.parametrize("spelling", ["upper", "lower", "padded", "star", "star_padded"])
def test_recognised_from_text_in_any_case_with_star_and_whitespace(code, text, cls, public,
                                                                   spelling) -> None:
    variant = {
        "upper": text.upper(),
        "lower": text.lower(),
        "padded": f"  {text}\n",
        "star": f"{text}*",
        "star_padded": f" {text} * ",
    }[spelling]
    err = error_for_answer({"Status": "error", "Message": variant})
    assert type(err) is cls
    assert err.code == code


@pytest.mark.parametrize(("code", "text", "cls", "public"), FAILURES,
                         ids=[str(r[0]) for r in FAILURES])
def test_recognised_from_a_bare_code(code, text, cls, public) -> None:
    for bare in (str(code), f" {code} ", f"{code}*"):
        err = error_for_answer({"Status": "error", "Message": bare})
        assert type(err) is cls
        assert err.code == code
        assert err.message == text


@pytest.mark.parametrize(("code", "text", "cls", "public"), FAILURES,
                         ids=[str(r[0]) for r in FAILURES])
def test_recognised_from_a_code_element(code, text, cls, public) -> None:
    for element in (code, str(code)):
        err = error_for_answer({"Status": "error", "Code": element, "Message": "ignored text"})
        assert type(err) is cls
        assert err.code == code


def test_code_element_settles_the_802_814_ambiguity() -> None:
    assert error_for_answer({"Status": "error", "Message": "Invalid IP Address"}).code == 802
    gateway = error_for_answer({"Status": "error", "Code": 814, "Message": "Invalid IP Address"})
    assert (type(gateway), gateway.code) == (e.ServiceUnavailable, 814)


def test_unknown_text_is_the_root_api_error_with_that_text() -> None:
    err = error_for_answer({"Status": "error", "Message": "  Quota exceeded  "}, "SendMessage")
    assert type(err) is e.APIError
    assert (err.code, err.message) == (None, "Quota exceeded")
    assert str(err) == "Quota exceeded (SendMessage)"


def test_error_without_message() -> None:
    err = error_for_answer({"Status": "error"})
    assert type(err) is e.APIError
    assert err.code is None


def test_str_and_repr_are_short() -> None:
    err = error_for_answer({"Status": "error", "Message": "No Credit"}, "SendPhoto")
    assert str(err) == "305 No Credit (SendPhoto)"
    assert repr(err) == "CreditError(code=305, message='No Credit', action='SendPhoto')"


@pytest.mark.parametrize(("answer", "action", "expected"), [
    ({"Status": "success", "Message": "Secret Changed"}, "APIChangeSecret", True),
    ({"Status": "error", "Message": "secret changed*"}, "APIChangeSecret", True),
    ({"Status": "error", "Message": "407"}, "APIChangeSecret", True),
    ({"Status": "error", "Code": 409, "Message": "x"}, "APISetIP", True),
    ({"Status": "error", "Message": "Allow IP Sets"}, "APISetIP", True),
    ({"Status": "error", "Message": "Allow IP Sets"}, "APIChangeSecret", False),
    ({"Status": "error", "Message": "Secret Changed"}, "SendMessage", False),
    ({"Status": "error", "Message": "No Input"}, "APISetIP", False),
])
def test_is_confirmation(answer, action, expected) -> None:
    assert is_confirmation(answer, action) is expected


def test_lookup_error() -> None:
    assert lookup_error(" invalid secret* ").code == 801
    assert lookup_error(305).message == "No Credit"
    assert lookup_error("111").message == "No DATA"
    assert lookup_error("123") is None
    assert lookup_error(True) is None
    assert lookup_error(None) is None


def test_redact_walks_nested_values() -> None:
    value = {"Message": "bad key abc123", "list": ["abc123", 5], "abc123": ("x", "abc123")}
    assert redact(value, "abc123") == {"Message": "bad key ***", "list": ["***", 5],
                                       "***": ("x", "***")}
    assert redact("abc", None) == "abc"


def test_error_for_answer_redacts_the_secret_from_raw_and_unknown_text() -> None:
    err = error_for_answer({"Status": "error", "Message": "bad secret abc123"}, secret="abc123")
    assert err.message == "bad secret ***"
    assert err.raw == {"Status": "error", "Message": "bad secret ***"}


# -- what an error means for its request (issue 16 item 2, issue 17) ----------------------------

NOT_PROCESSED = (800, 801, 802, 812, 815, 826, 827, 302, 309, 330, 303, 304, 305)
PROVE_NOTHING = (999, 813, 814)


@pytest.mark.parametrize("code", NOT_PROCESSED)
def test_a_refusal_given_before_sending_proves_not_processed_and_stops(code: int) -> None:
    err = error_for_answer({"Status": "error", "Code": str(code), "Message": "x"}, "SendMessage")
    assert e.send_outcome(err) == "not_processed"
    assert e.stops_campaign(err)
    assert not e.retryable(err, sending=True) and not e.retryable(err, sending=False)


@pytest.mark.parametrize("code", PROVE_NOTHING)
def test_999_813_814_prove_nothing_and_are_retried_for_reads_only(code: int) -> None:
    err = error_for_answer({"Status": "error", "Code": str(code), "Message": "x"})
    assert e.send_outcome(err) == "unknown"
    assert e.retryable(err, sending=False) and not e.retryable(err, sending=True)
    assert not e.stops_campaign(err)


def test_the_gateways_306_and_400_prove_not_processed() -> None:
    low = error_for_answer({"Status": "error", "Message": "Error 306 : Low Credit"})
    invalid = error_for_answer({"Status": "error", "Message": "Error 400 : Not Valid File"})
    assert isinstance(low, e.GatewayCreditError)
    assert e.send_outcome(low) == e.send_outcome(invalid) == "not_processed"
    assert not e.stops_campaign(low)  # another agent may still work
    assert e.stops_campaign(invalid)
    endpoint_306 = error_for_answer({"Status": "error", "Code": "306", "Message": "Low Credit"})
    assert e.stops_campaign(endpoint_306)


def test_an_unknown_code_or_text_proves_nothing() -> None:
    err = error_for_answer({"Status": "error", "Message": "Quota exceeded"})
    assert e.send_outcome(err) == "unknown" and not e.retryable(err, sending=False)
    assert e.send_outcome(e.APIError("x", code=123)) == "unknown"
    assert e.send_outcome(RuntimeError("crash")) == "unknown"
    assert e.send_outcome(KeyboardInterrupt()) == "unknown"


def test_307_is_processed_and_failed() -> None:
    err = error_for_answer({"Status": "error", "Message": "Number Not Exist or Wrong"})
    assert e.send_outcome(err) == "failed" and not e.stops_campaign(err)


@pytest.mark.parametrize(("exc", "outcome", "read", "send"), [
    (e.ConnectError("refused"), "not_processed", True, True),
    (e.ConnectionRefused("refused"), "not_processed", True, True),
    (e.HostNotFound("dns"), "not_processed", True, True),
    (e.ResponseTimeout("late"), "unknown", True, False),
    (e.DeliveryUnknown("lost"), "unknown", True, False),
    (e.BadResponse("502 page", http_status=502), "unknown", True, False),
    (e.WrongAddressPage("404", http_status=404), "unknown", False, False),
])
def test_transport_failures_by_class(exc: Exception, outcome: str, read: bool,
                                     send: bool) -> None:
    assert e.send_outcome(exc) == outcome
    assert e.retryable(exc, sending=False) is read
    assert e.retryable(exc, sending=True) is send


def test_the_client_transports_not_sent_proves_not_processed() -> None:
    from miogram_toolkit.client.transport import NotSent

    assert e.send_outcome(NotSent("refused")) == "not_processed"


def test_stop_codes_moved_here_hold_the_runners_old_set() -> None:
    old = {303, 304, 400, 800, 801, 802, 815, 826, 827, 309, 302, 812, 330, 301}
    assert old <= e.STOP_CODES
    assert e.STOP_CODES - old == {305, 306}  # the credit pause is a stop too


def test_wrong_secret_and_wrong_path_have_their_own_classes_and_kinds() -> None:
    secret = error_for_answer({"Status": "error", "Code": "801", "Message": "Invalid Secret"})
    path = error_for_answer({"Status": "error", "Code": "812", "Message": "Bad Request"})
    assert isinstance(secret, e.WrongSecret) and isinstance(secret, e.AuthError)
    assert secret.kind == "wrong_secret"
    assert isinstance(path, e.WrongAddress) and isinstance(path, e.BadRequest)
    assert path.kind == "wrong_path"
    assert e.WrongAddressPage("x").kind == "wrong_path"
    assert e.ConnectionRefused("x").kind == "connection_refused"
    assert e.HostNotFound("x").kind == "dns_failure"
    assert e.AuthError("x", code=802).kind is None
