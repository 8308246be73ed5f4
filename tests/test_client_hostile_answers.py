"""Hostile answers never escape the exception tree, and never carry the secret out (issue 9.9, 9.7).

Every action meets a corpus of answers built to break a parser; each call must return a value or
raise a :class:`MioGramError` — never ``RecursionError``, ``OverflowError``, ``ValueError`` or any
other — and a send is never repeated. A secret the server echoes, plainly or ``\\u``-escaped,
never reaches an error's body excerpt, message or raw answer.
"""

from __future__ import annotations

import json

import pytest
from fake_transport import SECRET, make_client
from test_client_actions import CASES

from miogram_toolkit.protocol.catalogue import ACTIONS
from miogram_toolkit.protocol.errors import BadResponse, MioGramError

DEEP = 100_000
NEAR_LIMIT = 950  # parses, but walking it again (scrubbing, repr) exhausts the recursion limit

CORPUS = {
    "deep-array": "[" * DEEP + "]" * DEEP,
    "deep-object": '{"Result":' * DEEP + "1" + "}" * DEEP,
    "deep-result": '{"Status":"success","Result":' + "[" * DEEP + "]" * DEEP + "}",
    "near-limit-result": '{"Status":"success","Result":' + "[" * NEAR_LIMIT + "]" * NEAR_LIMIT
                         + "}",
    "near-limit-error": '{"Status":"error","Message":"x","Result":' + "[" * NEAR_LIMIT
                        + "]" * NEAR_LIMIT + "}",
    "near-limit-status": '{"Status":' + "[" * NEAR_LIMIT + "]" * NEAR_LIMIT + "}",
    "near-limit-report": "[" + "[" * NEAR_LIMIT + "]" * NEAR_LIMIT + "]",
    "1e400-everywhere": '{"Status":"checking","Result":{"Message":1e400,"Photo":1e400,'
                        '"Video":1e400,"File":1e400,"Other":1e400,"canGet":1e400,'
                        '"isSuper":1e400}}',
    "1e400-result": '{"Status":"success","Result":1e400}',
    "1e400-code": '{"Status":"error","Code":1e400,"Message":1e400}',
    "1e308-sizes": '{"Status":"checking","Result":{"Message":1e308,"Photo":1e308,'
                   '"Video":1e308,"File":1e-308,"canGet":1,"isSuper":1}}',
    "5000-digit-int": '{"Status":"checking","Result":{"Message":' + "9" * 5000 + "}}",
    "5000-digit-string": '{"Status":"checking","Result":{"Message":"' + "9" * 5000 + '",'
                         '"Photo":"1","Video":"1","File":"1","Other":"1","canGet":"1",'
                         '"isSuper":"1"}}',
    "4000-digit-int": '{"Status":"checking","Result":{"Message":' + "9" * 4000
                      + ',"Photo":' + "9" * 4000 + ',"Video":1,"File":1,"Other":1,'
                      '"canGet":' + "9" * 4000 + ',"isSuper":1}}',
    "4000-digit-status": '{"Status":' + "9" * 4000 + ',"Result":true}',
    "4000-digit-code": '{"Status":"error","Code":' + "9" * 4000 + ',"Message":' + "9" * 4000
                       + "}",
    "4000-digit-key": '{"Status":"checking","Result":{"' + "9" * 4000 + '":true}}',
    "nan": '{"Status":"checking","Result":{"Message":NaN,"Photo":Infinity,"Video":-Infinity,'
           '"File":1,"Other":1,"canGet":1,"isSuper":1}}',
    "lone-surrogate": '{"Status":"success","Result":"\\ud800"}',
    "null-everything": '{"Status":null,"Result":null,"Message":null,"Code":null}',
    "types-swapped": '{"Status":{"a":1},"Result":{"Message":[],"Photo":{}},"Code":[1]}',
}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("body", list(CORPUS.values()), ids=list(CORPUS))
def test_every_failure_is_a_miogram_error(case, body: str) -> None:
    func, method, args, kwargs, *_ = case
    client, transport, _ = make_client(*[body] * 4, robot="MioGram")
    try:
        getattr(client, method)(*args, **kwargs)
    except MioGramError:
        pass
    if not ACTIONS[func].read_only:
        assert len(transport.sent) == 1  # a send or a change is never repeated


@pytest.mark.parametrize("body", ["[" * DEEP + "]" * DEEP, CORPUS["near-limit-error"],
                                  CORPUS["1e400-everywhere"], CORPUS["5000-digit-int"]])
def test_hostile_answers_are_bad_responses_with_a_short_body(body: str) -> None:
    client, _, _ = make_client(body, retries=0)
    with pytest.raises(BadResponse) as caught:
        client.get_credits()
    assert len(caught.value.body) <= 200
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def _escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


ECHOES = {
    "html-escaped": f"<html>error for {_escaped(SECRET)}</html>",
    "invalid-json-escaped": f'{{"Status":"error","Echo":"{_escaped(SECRET)}"',
    "half-escaped": f'<p>{SECRET[:4]}{_escaped(SECRET[4:])}</p>',
    "escaped-with-slashes": f'not json \\"{_escaped(SECRET)}\\/dojob.php',
    "at-the-cut": "x" * 195 + _escaped(SECRET),
    "upper-hex": f"<b>{_escaped(SECRET).upper().replace(chr(92) + 'U', chr(92) + 'u')}</b>",
}


@pytest.mark.parametrize("body", list(ECHOES.values()), ids=list(ECHOES))
def test_an_escaped_echo_of_the_secret_never_reaches_the_body(body: str) -> None:
    client, _, _ = make_client(body, retries=0)
    with pytest.raises(BadResponse) as caught:
        client.send_message("+989121234567", "Hi")
    kept = caught.value.body
    for form in (SECRET, _escaped(SECRET), _escaped(SECRET).upper(), SECRET[4:]):
        assert form not in kept
        assert form not in str(caught.value)
    assert "***" in kept or len(kept) < 200  # the echo was there, and was removed


def test_an_escaped_echo_in_a_json_error_is_scrubbed_from_message_and_raw() -> None:
    body = json.dumps({"Status": "error", "Message": f"bad secret {SECRET}",
                       "Echo": [SECRET]}).replace(SECRET, _escaped(SECRET))
    client, _, _ = make_client(body, retries=0)
    with pytest.raises(MioGramError) as caught:
        client.get_credits()
    shown = f"{caught.value} {caught.value!r} {getattr(caught.value, 'raw', '')}"
    assert SECRET not in shown and _escaped(SECRET) not in shown
