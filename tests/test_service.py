"""connect(): a fresh simulator by default, the shared built-in one for the commands, the
service named by MIOGRAM_URL when asked for; each announced."""

from __future__ import annotations

from pathlib import Path

import pytest

from miogram_toolkit import Simulator, connect
from miogram_toolkit.service import SimulatorBusy, shared_simulator_state


def test_connect_without_url_starts_a_fresh_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIOGRAM_URL", raising=False)
    with connect(credits={"Message": 50}) as client:
        assert client.get_credits()["Message"] == 50
        assert client.send_message_mass(["+989121234567"], "hi") is not None


def test_connect_live_uses_the_configured_service(monkeypatch: pytest.MonkeyPatch) -> None:
    with Simulator(credits={"Message": 77}) as remote:
        monkeypatch.setenv("MIOGRAM_URL", remote.url)
        monkeypatch.setenv("MIOGRAM_SECRET", remote.secret)
        with connect(live=True) as client:
            assert client.get_credits()["Message"] == 77
        assert remote.inspect()["counts"]["requests"] == 1


def test_connect_ignores_the_url_unless_live(monkeypatch: pytest.MonkeyPatch) -> None:
    with Simulator(credits={"Message": 77}) as remote:
        monkeypatch.setenv("MIOGRAM_URL", remote.url)
        monkeypatch.setenv("MIOGRAM_SECRET", remote.secret)
        with connect(credits={"Message": 12}) as client:
            assert client.get_credits()["Message"] == 12
        assert remote.inspect()["counts"]["requests"] == 0


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("MIOGRAM_HOME", str(tmp_path))
    monkeypatch.delenv("MIOGRAM_URL", raising=False)
    return tmp_path


def test_the_shared_simulator_keeps_its_account_between_blocks(home: Path) -> None:
    said: list[str] = []
    with connect(shared=True, announce=said.append) as client:
        client.send_message_mass(["+989121234567", "+989121234568"], "hi")
        left = client.get_credits()["Message"]
    with connect(shared=True) as client:
        assert client.get_credits()["Message"] == left < 10000
    state = shared_simulator_state()
    assert state.parent.parent == home and state.exists()
    assert said == [f"Using the built-in simulator (its state: {state}); nothing leaves this "
                    f"machine."]


def test_the_shared_simulator_serves_one_block_at_a_time(home: Path) -> None:
    with connect(shared=True), pytest.raises(SimulatorBusy, match="in use by another"):
        with connect(shared=True):
            pass
    with connect(shared=True) as client:  # free again once the first block ended
        assert client.get_credits()["Message"] == 10000


def test_a_fresh_simulator_says_so(home: Path) -> None:
    said: list[str] = []
    with connect(announce=said.append) as client:
        assert client.get_credits()["Message"] == 10000
    assert said == ["Using a fresh built-in simulator (nothing leaves this machine)."]
    assert not shared_simulator_state().exists()


def test_the_live_service_is_announced_with_its_user(monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    with Simulator() as remote:
        monkeypatch.setenv("MIOGRAM_URL", remote.url)
        monkeypatch.setenv("MIOGRAM_SECRET", remote.secret)
        with connect(live=True, shared=True, announce=said.append) as client:
            assert client.base_url == remote.url
        assert said == [f"Using the MioGram service at {remote.url} as demo."]
