"""State: secret, allow-list, inspection, persistence (in-process and across a process restart),
and the three ways to run the same service."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from simulator_support import OFF, ON, make_sim, poster

from miogram_toolkit.simulator import Simulator, State
from miogram_toolkit.simulator.__main__ import build_parser
from miogram_toolkit.simulator.server import check_loopback


def test_secret_change_is_immediate_for_every_action(sim, post):
    old = sim.secret
    new = post("APIChangeSecret")["Result"]
    assert sim.secret == new
    assert post("SendMessage", Secret=old, Phone=ON, Message="x")["Message"] == "Invalid Secret"
    assert post("SendMessage", Phone=ON, Message="x")["Result"] is True


def test_allow_list_replaced_and_enforced(sim, post):
    assert post("APISetIP", Misc="10.0.0.1")["Result"] == "10.0.0.1"
    # The caller (127.0.0.1) locked itself out, as the real service would.
    assert post("APIGetIP")["Message"] == "Invalid IP Address"
    with sim.state.edit() as state:
        state.allowed_ips = ["10.0.0.1", "127.0.0.1"]
    assert post("APIGetIP") == {"Result": "10.0.0.1,127.0.0.1", "Status": None}
    assert post("APISetIP", Misc=" 127.0.0.1 , ::1 ")["Result"] == "127.0.0.1,::1"


def test_inspection_endpoint_and_python_view_agree(sim, post):
    post("SendMessageMass", Phone=f"{ON},{OFF}", Message="x")
    post("SendMessage", Phone=ON, Message="y")
    view = requests.get(sim.inspect_url).json()
    assert view == sim.inspect()
    assert view["credits"]["Message"] == 10000 - 2
    assert view["counts"] == {"requests": 2, "sends": 2, "faults": 0, "reports": 3,
                              "delivered": 2, "undelivered": 1}
    assert view["deliveries"] == {ON: 2}
    assert sim.deliveries(ON) == 2 and sim.deliveries(OFF) == 0
    assert sim.secret not in json.dumps(view)


def test_inspection_can_be_switched_off():
    with make_sim(inspect=False) as sim:
        response = requests.get(sim.inspect_url)
        assert response.status_code == 404


def test_inspection_is_off_unless_asked_for():
    # It lists every number delivered to: a page on another site must not read it by default.
    with Simulator(seed=7) as sim:
        assert requests.get(sim.inspect_url).status_code == 404
        assert "deliveries" in sim.inspect()  # Python still sees it
    assert build_parser().parse_args([]).inspect is False
    assert build_parser().parse_args(["--inspect"]).inspect is True


def test_inspection_is_get_only(sim):
    assert requests.post(sim.inspect_url).status_code == 405


def test_state_persists_in_process(tmp_path: Path):
    path = tmp_path / "sim.sqlite"
    with make_sim(state_file=path) as sim:
        post = poster(sim)
        secret = post("APIChangeSecret")["Result"]
        post("SendMessage", Phone=ON, Message="kept")
        post("CreateGroupChat", Phone=ON, Misc="G")
        post("BlockUser", Phone=ON)
    with Simulator(state_file=path, secret="ignored", dialect="document") as again:
        assert again.secret == secret
        post = poster(again)
        assert post("APIGetReport", Misc="9")["Result"][0]["Message"] == "kept"
        assert post("ChatInfo", Misc="G")["Result"]["Members"] == [ON]
        assert post("GetUserInfo", Phone=ON)["Result"]["Blocked"] is True
        assert again.deliveries(ON) == 1
        assert again.credits()["Message"] == 10000 - 1
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_state_files_are_private_and_no_other_file_is_left(tmp_path: Path):
    path = tmp_path / "sim.sqlite"
    state = State(path=path, secret="privatesecret1")
    with state.edit() as s:
        s.credits["Message"] = 5
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["sim.sqlite", "sim.sqlite-shm", "sim.sqlite-wal"]
    assert {oct(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()} == {"0o600"}
    assert State.load(path).credits["Message"] == 5


def test_state_repr_hides_the_secret():
    state = State(secret="topsecret123")
    assert "topsecret123" not in repr(state)
    assert "topsecret123" not in repr(Simulator(secret="topsecret123", start=False))


def _start_process(state: Path, *extra: str) -> tuple[subprocess.Popen, str, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "miogram_toolkit.simulator", "--port", "0", "--state", str(state),
         "--seed", "3", "--dialect", "document", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    url, secret = (part.split("=", 1)[1] for part in line.split(" "))
    return proc, url, secret


def test_persistence_across_a_killed_process(tmp_path: Path):
    state = tmp_path / "sim.sqlite"
    proc, url, secret = _start_process(state, "--secret", "firstsecret")
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/dojob.php")
        assert secret == "firstsecret"
        form = {"Secret": secret, "Func": "SendMessage", "Phone": "+989121234567",
                "Message": "before the kill"}
        first = requests.post(url, data=form, timeout=5).json()
        new_secret = requests.post(url, data={"Secret": secret, "Func": "APIChangeSecret"},
                                   timeout=5).json()["Result"]
        credits = requests.post(url, data={"Secret": new_secret, "Func": "APIGetCredits"},
                                timeout=5).json()["Result"]
    finally:
        proc.kill()  # no clean shutdown: what was answered must already be on disk
        proc.wait(timeout=10)
    # What a kill leaves: the state file and its WAL companions, owner-only; no temporary file.
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        ["sim.sqlite", "sim.sqlite-shm", "sim.sqlite-wal"]
    assert {oct(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()} == {"0o600"}
    proc, url, secret = _start_process(state, "--secret", "other")
    try:
        assert secret == new_secret
        after = requests.post(url, data={"Secret": secret, "Func": "APIGetCredits"},
                              timeout=5).json()["Result"]
        assert after == credits
        report = requests.post(url, data={"Secret": secret, "Func": "APIGetReport",
                                          "Misc": "10"}, timeout=5).json()["Result"]
        assert [(r["Id"], r["Message"], r["Delivered"]) for r in report] == \
            [(1, "before the kill", first["Result"])]
        again = requests.post(url, data={**form, "Secret": secret, "Message": "after"},
                              timeout=5).json()
        assert again["Status"] in ("success", "fail")
        ids = [r["Id"] for r in requests.post(url, data={"Secret": secret, "Func":
                                                         "APIGetReport", "Misc": "10"},
                                              timeout=5).json()["Result"]]
        assert ids == [2, 1]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_process_stops_cleanly_on_sigint(tmp_path: Path):
    proc, url, _ = _start_process(tmp_path / "s.sqlite", "--no-inspect")
    try:
        assert requests.get(url.replace("/dojob.php", "/_simulator/state")).status_code == 404
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    assert proc.stderr.read() == ""


def _wsgi_post(app, fields: dict[str, str], remote_addr: str = "127.0.0.1"):
    body = urlencode(fields).encode()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/dojob.php",
               "CONTENT_TYPE": "application/x-www-form-urlencoded",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
               "REMOTE_ADDR": remote_addr}
    started = []
    payload = b"".join(app(environ, lambda status, headers: started.append((status, headers))))
    return started[0], json.loads(payload)


def test_in_process_app_without_a_socket():
    sim = make_sim(start=False, allowed_ips="127.0.0.1")
    assert not sim.running and sim.url.endswith("/dojob.php")
    (status, headers), body = _wsgi_post(sim.app, {"Secret": sim.secret, "Func": "SendMessage",
                                                   "Phone": ON, "Message": "x"})
    assert status == "200 OK"
    assert ("Content-Type", "application/json; charset=utf-8") in headers
    assert body == {"Result": True, "Status": "success"}
    _, body = _wsgi_post(sim.app, {"Secret": sim.secret, "Func": "APIGetIP"}, "10.9.9.9")
    assert body["Message"] == "Invalid IP Address"
    assert sim.deliveries(ON) == 1


def test_in_process_through_the_wsgi_transport():
    transport = pytest.importorskip("miogram_toolkit.client.transport")
    sim = make_sim(start=False)
    wsgi = transport.WSGITransport(sim.app, remote_addr="127.0.0.1")
    raw = wsgi.post(sim.url, {"Secret": sim.secret, "Func": "APIGetUsername"}, headers={},
                    timeout=5)
    assert json.loads(raw.text) == {"Result": "demo", "Status": None}


def test_start_stop_are_idempotent_and_port_is_freed():
    sim = make_sim()
    url = sim.url
    sim.start()
    assert sim.url == url
    sim.stop()
    sim.stop()
    with pytest.raises(requests.ConnectionError):
        requests.post(url, data={}, timeout=2)


def test_only_loopback_hosts():
    assert check_loopback("localhost") == "127.0.0.1"
    assert check_loopback("::1") == "::1"
    for host in ("0.0.0.0", "192.168.1.2", "example.com"):
        with pytest.raises(ValueError):
            check_loopback(host)


def test_latency_is_applied_per_request():
    with make_sim(latency_ms=150) as sim:
        started = time.monotonic()
        poster(sim)("APIGetActive")
        assert time.monotonic() - started >= 0.15


def test_keyword_options_reach_the_state():
    sim = make_sim(start=False, credits={"Message": 3}, is_super=False, agents=[],
                   username="u", ads=True, active=False, allowed_ips=["127.0.0.1"])
    state = sim.state
    assert (state.credits["Message"], state.is_super, state.agents, state.username,
            state.ads, state.active, state.allowed_ips) == \
        (3, False, [], "u", True, False, ["127.0.0.1"])
    with pytest.raises(ValueError):
        make_sim(start=False, credits={"Gold": 1})
