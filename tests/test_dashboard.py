"""The dashboard driven from Python against the simulator, as a person would click it."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest

import miogram_toolkit as mg
from miogram_toolkit.dashboard.app import Dashboard
from miogram_toolkit.simulator import Simulator

A, B, C = "+989121234567", "+989351234567", "+989101234567"


@pytest.fixture
def sim() -> Any:
    with Simulator(seed=7, start=False, agents=["MioBot1", "MioBot2"],
                   not_on_messenger=[B]) as simulator:
        yield simulator


def _board(client: Any, tmp_path: Path) -> Dashboard:
    board = mg.dashboard(client, journal_dir=tmp_path / "journals")
    assert isinstance(board, Dashboard)
    return board


def test_built_not_shown_and_credits_read(sim: Any, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    import ipywidgets

    board = _board(mg.Client.to(sim), tmp_path)
    assert isinstance(board, ipywidgets.VBox)
    assert [board.tabs.get_title(i) for i in range(3)] == [
        "Credits & limits", "Compose & send", "Report"]
    assert capsys.readouterr().out == ""  # nothing displayed or printed
    assert int(board.account.credits.loc["Message", "remaining"]) == 10000
    assert "Credit left" in board.account.table.value
    image = board.account.chart.children[0]
    assert bytes(image.value).startswith(b"\x89PNG")


def test_refresh_shows_the_new_credit(sim: Any, tmp_path: Path) -> None:
    client = mg.Client.to(sim)
    board = _board(client, tmp_path)
    client.send_message_mass([A, C], "Hi")
    board.account.refresh_button.click()
    assert int(board.account.credits.loc["Message", "remaining"]) == 10000 - 2
    assert "9,998" in board.account.table.value or "9998" in board.account.table.value


def test_report_tab_loads_filters_and_summarises(sim: Any, tmp_path: Path) -> None:
    client = mg.Client.to(sim)
    client.send_message_mass([A, B], "Hi", robot="MioBot1")
    client.send_message(C, "Hello", robot="MioBot2")
    board = _board(client, tmp_path)
    report = board.report
    assert "3 of 3 numbers" in report.count.value
    agents = [value for _, value in report.agent.options[1:]]
    if agents:  # the log names its agents (the document's shape); filter on one
        report.agent.value = "MioBot1"
        assert "2 of 3 numbers" in report.count.value
        assert len(report.filtered()) == 2
        report.agent.value = "(all)"
    report.start.value = dt.date(2000, 1, 1)
    report.end.value = dt.date(2000, 1, 2)
    assert "No record passes" in report.summary.value
    report.end.value = None
    report.start.value = None
    assert "Rate" in report.summary.value
    assert all(bytes(child.value).startswith(b"\x89PNG") for child in report.charts.children)
    assert len(report.charts.children) >= 2


def _upload(path: Path) -> tuple[dict[str, Any], ...]:
    return ({"name": path.name, "type": "text/csv", "size": path.stat().st_size,
             "content": memoryview(path.read_bytes()),
             "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},)


def _contacts(folder: Path) -> Path:
    """Twelve contacts: eleven good mobiles written every way, one that is no number."""
    rows = ["name,mobile,city"]
    rows += [f"Person {i},0912 100 {i:04d},Tehran" for i in range(1, 11)]
    rows += ["سارا,+98 935 100 0011,شیراز", "Nobody,12,Tabriz"]
    path = folder / "contacts.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _compose(board: Dashboard, folder: Path) -> Any:
    compose = board.compose
    compose.upload.value = _upload(_contacts(folder))
    assert compose.column.value == "mobile"  # detected
    assert "Sendable" in compose.cleaning.value and "<td>11</td>" in compose.cleaning.value
    compose.column.value = "name"  # changeable: the wrong column cleans to nothing sendable
    compose.column.value = "mobile"
    compose.message.value = "سلام {name}"
    assert "bytes" in compose.counter.value and "{name}" in compose.counter.value
    compose.rate.value = 0  # no pacing against the simulator
    compose.chunk_size.value = 5
    return compose


def test_compose_dry_run_send_results_and_download(sim: Any, tmp_path: Path) -> None:
    pytest.importorskip("miogram_toolkit.campaign", reason="the campaign room lands separately")
    board = _board(mg.Client.to(sim), tmp_path)
    before = int(board.account.credits.loc["Message", "remaining"])
    compose = _compose(board, tmp_path)
    compose.dry_run_button.click()
    assert not compose.send_button.disabled, compose.plan.value
    assert "<table" in compose.plan.value
    compose.send_button.click()
    assert compose.wait(60)
    assert compose.progress.value == compose.progress.max > 1
    assert "Done:" in compose.outcome.value
    table = compose.results_table.value
    assert "<table" in table and "Delivered" in table and "+989121000001" in table
    assert compose.progress.max == 11
    after = int(board.account.credits.loc["Message", "remaining"])
    assert after < before
    compose.download_button.click()
    assert "miogram-report.xlsx" in compose.download.value
    assert compose.make_download() is not None and compose.make_download()[:2] == b"PK"


def test_pause_holds_the_next_request_and_resume_finishes(sim: Any, tmp_path: Path) -> None:
    pytest.importorskip("miogram_toolkit.campaign", reason="the campaign room lands separately")
    client = mg.Client.to(sim)
    board = _board(client, tmp_path)
    compose = _compose(board, tmp_path)
    compose.dry_run_button.click()
    sends = threading.Event()
    original = client.send_message_mass

    def first_send_clicks_pause(*args: Any, **kwargs: Any) -> Any:
        if not sends.is_set():
            sends.set()
            compose.pause_button.click()  # the user pauses while the first chunk is out
        return original(*args, **kwargs)

    client.send_message_mass = first_send_clicks_pause  # type: ignore[method-assign]
    compose.send_button.click()
    assert compose.client.waiting.wait(30), "the second request never reached the gate"
    compose._update_progress(compose.campaign)
    held = compose.progress.value
    assert 0 < held < compose.progress.max
    assert not compose.wait(0.5)  # still paused
    assert compose.progress.value == held and "paused" in compose.progress_text.value
    compose.resume_button.click()
    assert compose.wait(60)
    assert compose.progress.value == compose.progress.max


def test_opt_out_file_and_message_limit(sim: Any, tmp_path: Path) -> None:
    board = _board(mg.Client.to(sim), tmp_path)
    compose = _compose(board, tmp_path)
    opt_out = tmp_path / "unsubscribed.csv"
    opt_out.write_text("phone\n0912 100 0003\n", encoding="utf-8")
    compose.opt_out.value = _upload(opt_out)
    compose.dry_run_button.click()
    assert not compose.send_button.disabled, compose.plan.value
    assert compose.progress.max == 10  # eleven sendable, one opted out
    compose.message.value = "س" * 2100  # 4,200 bytes: over the 4,096-byte limit
    assert "4,200" in compose.counter.value and "too long" in compose.counter.value
    assert compose.send_button.disabled  # the plan no longer matches the form
