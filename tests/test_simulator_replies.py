"""Replies the simulator plays: some recipients answer, fixed by the seed, read back through
the chat of the agent that sent (issue "Replies")."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import requests
from simulator_support import make_sim

from miogram_toolkit.simulator import Simulator
from miogram_toolkit.simulator.replies import OPT_OUT_REPLIES, QUESTIONS

NUMBERS = [f"+98912{5000000 + i}" for i in range(200)]
MISC = {"reference": "50,0", "document": "0,50"}


def answer(sim: Simulator, func: str, **fields: str) -> Any:
    response = requests.post(sim.url, data={"Secret": sim.secret, "Func": func, **fields},
                             timeout=10)
    return json.loads(response.text)


def campaign(sim: Simulator, dialect: str, robot: str = "MioBot2") -> dict[str, list[dict]]:
    """Send to every number in Mass requests of 50, then read every chat through ``robot``."""
    for start in range(0, len(NUMBERS), 50):
        answer(sim, "SendMessageMass", Phone=",".join(NUMBERS[start:start + 50]),
               Message="تخفیف ویژه", Robot=robot)
    chats = {}
    for number in NUMBERS:
        page = answer(sim, "GetHistory", Phone=number, Misc=MISC[dialect], Robot=robot)
        chats[number] = page["Result"] or []
    return chats


def replies_of(chats: dict[str, list[dict]]) -> dict[str, dict]:
    found = {}
    for number, messages in chats.items():
        theirs = [m for m in messages if not m["out"]]
        assert len(theirs) <= 1
        if theirs:
            found[number] = theirs[0]
    return found


@pytest.mark.parametrize("dialect", ["reference", "document"])
def test_some_recipients_answer_after_our_message_visible_at_once(dialect):
    with make_sim(dialect=dialect, seed=11, unreachable_share=0.0, on_messenger=NUMBERS,
                  replies=True) as sim:
        chats = campaign(sim, dialect)
    replies = replies_of(chats)
    assert 25 <= len(replies) <= 80  # about a quarter of 200
    kinds = Counter("photo" if "media" in r else
                    "opt_out" if r["text"] in OPT_OUT_REPLIES else
                    "question" if r["text"] in QUESTIONS else "other" for r in replies.values())
    assert kinds["opt_out"] >= 3 and kinds["question"] >= 3 and kinds["photo"] >= 1
    for number, reply in replies.items():
        ours = next(m for m in chats[number] if m["out"])
        assert 5 <= reply["date"] - ours["date"] <= 1800  # seconds to minutes later
        assert chats[number][-1] is reply  # newest last
        assert reply["from"]["phone"] == number.lstrip("+")
        assert reply["to"]["print_name"] == "MioBot2"
        assert reply["unread"] is True
    scripts = {"fa" if any("\u0600" <= c <= "\u06ff" for c in r.get("text") or "") else "en"
               for r in replies.values() if r.get("text") in QUESTIONS}
    assert scripts == {"fa", "en"}


def test_replies_are_the_same_for_the_same_seed_and_differ_for_another():
    def run(seed: int) -> dict[str, Any]:
        with make_sim(dialect="reference", seed=seed, unreachable_share=0.0,
                      on_messenger=NUMBERS, replies=0.3) as sim:
            return {n: (r.get("text"), r["date"] - min(m["date"] for m in c))
                    for n, c in campaign(sim, "reference").items()
                    for r in c if not r["out"]}

    first = run(5)
    assert first and first == run(5)
    assert first != run(6)


def test_replies_are_only_in_the_chat_of_the_agent_that_sent():
    with make_sim(dialect="reference", unreachable_share=0.0, on_messenger=NUMBERS,
                  replies=1.0) as sim:
        answer(sim, "SendMessage", Phone=NUMBERS[0], Message="hi", Robot="MioBot3")
        assert answer(sim, "GetHistory", Phone=NUMBERS[0], Misc="5,0",
                      Robot="MioBot1")["Result"] is False
        chat = answer(sim, "GetHistory", Phone=NUMBERS[0], Misc="5,0", Robot="MioBot3")
        assert [m["out"] for m in chat["Result"]] == [True, False]


def test_no_replies_unless_asked_and_none_to_whatsapp():
    with make_sim(dialect="reference", unreachable_share=0.0, on_messenger=NUMBERS) as sim:
        assert replies_of(campaign(sim, "reference")) == {}
    with make_sim(dialect="reference", unreachable_share=0.0, on_messenger=NUMBERS,
                  replies=1.0) as sim:
        answer(sim, "SendMessageWhatsApp", Phone=NUMBERS[0], Message="wa")
        assert answer(sim, "GetHistory", Phone=NUMBERS[0], Misc="5,0")["Result"] is False


def test_mark_read_marks_a_reply_read():
    with make_sim(dialect="reference", unreachable_share=0.0, on_messenger=NUMBERS,
                  replies=1.0) as sim:
        answer(sim, "SendMessage", Phone=NUMBERS[0], Message="hi")
        answer(sim, "MarkRead", Phone=NUMBERS[0])
        chat = answer(sim, "GetHistory", Phone=NUMBERS[0], Misc="5,0")["Result"]
        assert chat[-1]["out"] is False and chat[-1]["unread"] is False


def test_a_reply_rate_out_of_range_is_refused():
    with pytest.raises(ValueError, match="reply_rate"):
        Simulator(replies=1.5, start=False)
