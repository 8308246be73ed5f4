"""The simulator's SQLite state: what a restart finds, a write that cannot be made durable, and
files that are not a simulator state."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from simulator_support import ON, ON2, SIM_NUMBERS

from miogram_toolkit.local import data_path
from miogram_toolkit.simulator import Simulator, State
from miogram_toolkit.simulator.actions import perform
from miogram_toolkit.simulator.state import StateFileError


def _post(state: State, func: str, **fields: str) -> dict:
    return perform(state, {"Secret": state.secret, "Func": func, **fields}, "127.0.0.1")


def _numbers(start: int, count: int) -> list[str]:
    return [f"+98935{n:07d}" for n in range(start, start + count)]


def test_a_restart_finds_the_log_deliveries_and_dialogs_exactly(tmp_path: Path):
    path = tmp_path / "sim.sqlite"
    sim = Simulator(state_file=path, start=False, seed=5, **SIM_NUMBERS)
    state = sim.state
    for batch in range(4):  # 2,000 records: several Mass requests, each one transaction
        _post(state, "SendMessageMass", Phone=",".join(_numbers(batch * 500, 500)),
              Message=f"batch {batch}")
    for text in ("one", "two", "three"):
        _post(state, "SendMessage", Phone=ON, Message=text)
    _post(state, "MarkRead", Phone=ON)
    _post(state, "SendMessage", Phone=ON2, Message="unread")
    before = sim.inspect()
    newest = _post(state, "APIGetReport", Misc="999")["Result"]
    history = _post(state, "GetHistory", Phone=ON, Misc="1,2")["Result"]
    dialogs = _post(state, "GetDialogList")["Result"]
    sim.state.close()

    again = Simulator(state_file=path, start=False, secret="ignored")
    state = again.state
    assert again.secret == sim.secret
    assert again.inspect() == {**before, "counts": {**before["counts"], "requests": 0,
                                                    "sends": 0}}
    assert state.report_count() == 2004 == before["counts"]["reports"]
    assert before["counts"]["delivered"] == sum(before["deliveries"].values())
    assert before["counts"]["delivered"] + before["counts"]["undelivered"] == 2004
    assert again.deliveries(ON) == 3 and again.deliveries(ON2) == 1
    assert _post(state, "APIGetReport", Misc="999")["Result"] == newest
    assert [r["Id"] for r in newest[:5]] == [2004, 2003, 2002, 2001, 2000]
    assert [r["Message"] for r in newest[:4]] == ["unread", "three", "two", "one"]
    assert [r["Id"] for r in again.reports()] == list(range(1, 2005))
    assert [m["text"] for m in history] == ["one", "two"]
    assert _post(state, "GetHistory", Phone=ON, Misc="1,2")["Result"] == history
    assert _post(state, "GetDialogList")["Result"] == dialogs
    read = {d["Phone"]: d["Read"] for d in dialogs if d["Type"] == "user"}
    assert read[ON] is True and read[ON2] is False
    # The ids go on where they stopped: no record is overwritten or renumbered.
    _post(state, "SendMessage", Phone=ON, Message="after")
    assert _post(state, "APIGetReport", Misc="2")["Result"][0]["Id"] == 2005
    assert state.reports[-1]["Message"] == "after" and len(state.reports) == 2005


def test_a_second_state_object_cannot_silently_overwrite_the_file(tmp_path: Path):
    path = tmp_path / "sim.sqlite"
    first = State.load(path, secret="s")
    second = State.load(path)
    _post(second, "SendMessage", Phone=ON, Message="from the second")
    answer = _post(first, "SendMessage", Phone=ON, Message="from the first")
    assert answer["Message"] == "No Response From Server"
    assert [r["Message"] for r in State.load(tmp_path / "sim.sqlite").reports] == \
        ["from the second"]


_FULL_DISK = textwrap.dedent("""
    import json, os, resource, signal, sys
    from miogram_toolkit.simulator import Simulator
    from miogram_toolkit.simulator.actions import perform

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    path = sys.argv[1]
    sim = Simulator(state_file=path, start=False, secret="fulldisksecret",
                    on_messenger=["+989120000001"])
    def send(text):
        fields = {"Secret": "fulldisksecret", "Func": "SendMessage",
                  "Phone": "+989120000001", "Message": text}
        return perform(sim.state, fields, "127.0.0.1")
    send("x" * 3000)
    largest = max(os.path.getsize(path + suffix) for suffix in ("", "-wal"))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (largest + 60_000, hard))
    answers = [send(f"{i:04d}" + "x" * 3000) for i in range(120)]
    in_memory = {"reports": sim.state.report_count(), "credits": sim.credits()["Message"],
                 "deliveries": sim.deliveries("+989120000001"),
                 "newest": sim.state.recent_reports(1)[0]["Message"][:4]}
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    after = send("after the disk was freed")
    print(json.dumps({"answers": answers, "in_memory": in_memory, "after": after}))
""")


def test_a_write_that_cannot_be_made_durable_is_not_made(tmp_path: Path):
    path = tmp_path / "sim.sqlite"
    run = subprocess.run([sys.executable, "-c", _FULL_DISK, str(path)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    out = json.loads(run.stdout)
    answers = out["answers"]
    ok = [i for i, a in enumerate(answers) if a == {"Result": True, "Status": "success"}]
    failed = [i for i, a in enumerate(answers) if a.get("Status") == "error"]
    assert ok and failed and len(ok) + len(failed) == len(answers)
    assert {answers[i]["Message"] for i in failed} == {"No Response From Server"}
    # In memory, before any restart: exactly the answered sends, nothing of the failed ones.
    applied = 1 + len(ok)
    assert out["in_memory"] == {"reports": applied, "credits": 10000 - applied,
                                "deliveries": applied, "newest": f"{ok[-1]:04d}"}
    assert out["after"] == {"Result": True, "Status": "success"}
    state = State.load(path)
    messages = [r["Message"][:4] for r in state.reports]
    assert messages == ["xxxx", *(f"{i:04d}" for i in ok), "afte"]
    assert state.credits["Message"] == 10000 - applied - 1
    assert state.delivered_to("+989120000001") == applied + 1
    assert state.chats.count("MioBot1", "+989120000001") == applied + 1


@pytest.mark.parametrize(("content", "words"), [
    (b"\x00\x01garbage" * 100, "not an SQLite database"),
    (b'{"format": 1, "account": {"secret": "old"}}', "JSON"),
    (b"SQLite format 3\x00" + b"\xff" * 4000, "cannot be read"),
])
def test_a_file_that_is_not_a_state_gives_one_sentence(tmp_path: Path, content, words):
    path = tmp_path / "state.sqlite"
    path.write_bytes(content)
    with pytest.raises(StateFileError) as caught:
        State.load(path)
    message = str(caught.value)
    assert words in message and str(path) in message and "\n" not in message
    assert path.read_bytes() == content  # left as it was


def test_a_database_of_another_program_is_refused(tmp_path: Path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE things (x)")
    db.commit()
    db.close()
    with pytest.raises(StateFileError, match="another program"):
        Simulator(state_file=path, start=False)


def test_the_process_reports_a_damaged_state_file_in_one_line(tmp_path: Path):
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)
    run = subprocess.run([sys.executable, "-m", "miogram_toolkit.simulator", "--port", "0",
                          "--state", str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith("error: ") and str(path) in run.stderr


# -- the built-in simulator's state in the user data folder (issue "one story") -----------------

_USE = textwrap.dedent("""
    import json, sys
    from miogram_toolkit.simulator import Simulator
    sim = Simulator(state_file=sys.argv[1], start=False, seed=4)
    post = lambda **f: sim.app({"REQUEST_METHOD": "POST", "PATH_INFO": "/dojob.php",
        "CONTENT_LENGTH": str(len(b := "&".join(f"{k}={v}" for k, v in
        {"Secret": sim.secret, **f}.items()).encode())), "wsgi.input": __import__("io")
        .BytesIO(b), "REMOTE_ADDR": "127.0.0.1"}, lambda *a: None)
    if sys.argv[2] == "send":
        post(Func="SendMessage", Phone="%2B989120000001", Message=sys.argv[3])
    print(json.dumps({"secret": sim.secret, "credits": sim.credits()["Message"],
                      "rows": [r["DATA"] for r in sim.reports()]}))
""")


def _use(path: Path, *args: str) -> dict:
    run = subprocess.run([sys.executable, "-c", _USE, str(path), *args], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    return json.loads(run.stdout)


def test_one_state_file_tells_one_story_across_processes(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("MIOGRAM_HOME", str(tmp_path / "home"))
    path = data_path("simulator") / "state.sqlite"
    first = _use(path, "send", "one")
    second = _use(path, "send", "two")
    third = _use(path, "read")
    assert first["secret"] == second["secret"] == third["secret"]
    assert [first["credits"], second["credits"], third["credits"]] == [9999, 9998, 9998]
    assert third["rows"] == ["one", "two"]
    # Private: the folder 0700, the state and its WAL companions 0600.
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    files = [p for p in path.parent.iterdir() if p.name.startswith("state.sqlite")]
    assert files and {oct(p.stat().st_mode & 0o777) for p in files} == {"0o600"}


def test_a_state_folder_the_toolkit_made_earlier_is_tightened(tmp_path: Path):
    os.chmod(tmp_path, 0o755)
    folder = tmp_path / "made-before"
    path = folder / "state.sqlite"
    Simulator(state_file=path, start=False).state.close()
    os.chmod(folder, 0o755)  # as an older version left it
    Simulator(state_file=folder / "other.sqlite", start=False).state.close()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct(tmp_path.stat().st_mode & 0o777) == "0o755"  # the user's own: untouched


def test_an_older_state_format_is_refused_in_one_sentence_saying_what_to_do(tmp_path: Path):
    path = tmp_path / "old.sqlite"
    Simulator(state_file=path, start=False).state.close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 2")
    with pytest.raises(StateFileError, match="format 2; .* start from a new state file"):
        Simulator(state_file=path, start=False)
