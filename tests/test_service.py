"""connect(): the simulator by default, the service named by MIOGRAM_URL when asked for."""

from __future__ import annotations

import pytest

from miogram_toolkit import Simulator, connect


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
