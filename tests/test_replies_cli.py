"""``miogram replies``: the summary and the replies, --out, --readmit, 309 in one sentence."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from replies_support import SENT_AT, FakeChats, number, write_journal

from miogram_toolkit.campaign.ledger import Ledger
from miogram_toolkit.cli import main
from miogram_toolkit.cli import replies as command


@pytest.fixture
def chats(monkeypatch: pytest.MonkeyPatch) -> FakeChats:
    fake = FakeChats()

    @contextmanager
    def service(args: Any) -> Iterator[FakeChats]:
        yield fake

    monkeypatch.setattr(command, "service", service)
    return fake


def _journal(tmp_path: Path, chats: FakeChats) -> Path:
    path = write_journal(tmp_path / "c.sqlite", [(number(i), "A", "delivered") for i in range(3)])
    chats.say("A", number(0), SENT_AT + 60, "لغو ۱۱")
    chats.say("A", number(1), SENT_AT + 1 + 180, "Is it still available?")
    return path


def test_the_summary_the_replies_and_a_file(tmp_path: Path, chats: FakeChats,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = _journal(tmp_path, chats)
    out = tmp_path / "replies.csv"
    assert main(["replies", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == ("Replied: 2 of 3 delivered (67%); opt-outs: 1; median "
                                       "time to first reply: 2 min.")
    assert "لغو ۱۱" in printed and "Is it still available?" in printed
    written = pd.read_csv(out, dtype=str)
    assert written["number"].tolist() == [number(0), number(1)]
    assert Ledger.open(chats.base_url, "shop").opted_out() == {number(0)}
    # An existing --out is kept without --force.
    assert main(["replies", str(path), "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_readmit_said_in_the_ledger_with_when(tmp_path: Path, chats: FakeChats,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    main(["replies", str(_journal(tmp_path, chats))])
    capsys.readouterr()
    assert main(["replies", "--readmit", "0912 000 0000"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Re-admitted {number(0)} (opted out ")
    assert "reply: لغو ۱۱" in said and "Tehran time" in said
    ledger = Ledger.open(chats.base_url, "shop")
    assert ledger.opted_out() == set()
    assert [e[2:] for e in ledger.events(number(0))] == [
        ("opt_out", "reply: لغو ۱۱"), ("readmit", "miogram replies --readmit")]
    assert main(["replies", "--readmit", number(0)]) == 0
    assert "is not opted out" in capsys.readouterr().out


def test_mistakes_and_309_in_one_sentence(tmp_path: Path, chats: FakeChats,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replies"]) == 1
    assert "give the campaign's journal file" in capsys.readouterr().err
    assert main(["replies", "--readmit", "hello"]) == 1
    assert "--readmit 'hello' is not a valid phone number" in capsys.readouterr().err
    assert main(["replies", str(tmp_path / "missing.sqlite")]) == 1
    capsys.readouterr()
    path = _journal(tmp_path, chats)
    chats.can_get = False
    assert main(["replies", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("miogram replies: This account cannot read chats (309")
    assert "Traceback" not in err and err.count("\n") == 1


def test_the_built_in_simulator_keeps_the_opt_outs_for_the_next_send(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "contacts.csv"
    pd.DataFrame({"mobile": [f"0912{3000000 + i}" for i in range(30)],
                  "name": [f"N{i}" for i in range(30)]}).to_csv(sheet, index=False)
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("Hello {name}", encoding="utf-8")
    second.write_text("Our new offer, {name}", encoding="utf-8")
    assert main(["send", str(sheet), "--message-file", str(first), "--rate", "0",
                 "--no-progress"]) == 0
    journal = capsys.readouterr().err.rsplit("journal ", 1)[1].strip()
    out = tmp_path / "replies.csv"
    assert main(["replies", journal, "--out", str(out)]) == 0
    found = pd.read_csv(out, dtype=str)
    stopped = sorted(set(found.loc[found["opt_out"] == "True", "number"]))
    assert stopped, "the built-in simulator's recipients answer, some with an opt-out word"
    results = tmp_path / "second.csv"
    assert main(["send", str(sheet), "--message-file", str(second), "--rate", "0",
                 "--no-progress", "--new-campaign", "--out", str(results)]) == 0
    sent = pd.read_csv(results, dtype=str).set_index("campaign_e164")
    assert (sent.loc[stopped, "campaign_reason"] == "opted_out_by_reply").all()
    assert (sent.drop(index=stopped)["campaign_state"] != "skipped").all()
    capsys.readouterr()
    assert main(["replies", "--readmit", stopped[0]]) == 0
    assert capsys.readouterr().out.startswith(f"Re-admitted {stopped[0]}")
