"""The dashboard driven from Python against the simulator, as a person would click it."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest

import miogram_toolkit as mg
from miogram_toolkit.simulator import Simulator
from miogram_toolkit.widgets.app import Dashboard

A, B, C = "+989121234567", "+989351234567", "+989101234567"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user data folder of this test (journals and uploads go there)."""
    folder = tmp_path / "home"
    monkeypatch.setenv("MIOGRAM_HOME", str(folder))
    monkeypatch.delenv("MIOGRAM_URL", raising=False)
    return folder


@pytest.fixture
def sim() -> Any:
    with Simulator(seed=7, start=False, agents=["MioBot1", "MioBot2"],
                   not_on_messenger=[B]) as simulator:
        yield simulator


def _board(client: Any, tmp_path: Path) -> Dashboard:
    board = mg.dashboard(client)
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
    # "Single sends possible" is one more than the credit: the page says why.
    assert "one more than the credit" in board.account.table.value
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


def _dry_run_and_send(compose: Any) -> None:
    """Click Dry run, then Send, and wait for the send to end."""
    compose.dry_run_button.click()
    compose.send_button.click()
    assert compose.wait(60)


def _dry_run_with_opt_out(board: Dashboard, folder: Path) -> Any:
    compose = _compose(board, folder)
    opt_out = folder / "unsubscribed.csv"
    opt_out.write_text("phone\n0912 100 0003\n", encoding="utf-8")
    compose.opt_out.value = _upload(opt_out)
    compose.dry_run_button.click()
    assert not compose.send_button.disabled, compose.plan.value
    return compose


def test_opt_out_file_and_message_limit(sim: Any, tmp_path: Path) -> None:
    compose = _dry_run_with_opt_out(_board(mg.Client.to(sim), tmp_path), tmp_path)
    assert compose.progress.max == 10  # eleven sendable, one opted out
    compose.message.value = "س" * 2100  # 4,200 bytes: over the 4,096-byte limit
    assert "4,200" in compose.counter.value and "too long" in compose.counter.value
    assert compose.send_button.disabled  # the plan no longer matches the form


# -- where things are kept, and what a live service is offered (issue 20) ------------------------

class LiveLooking:
    """A simulator's client that says it talks to the real service (its address is not local)."""

    base_url = "https://miogram.net/dojob.php"

    def __init__(self, client: Any) -> None:
        self._client = client
        self.asked: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.asked.append(name)
        return getattr(self._client, name)


def test_the_samples_are_offered_on_the_simulator_and_hidden_when_live(sim: Any,
                                                                       tmp_path: Path) -> None:
    local = _board(mg.Client.to(sim), tmp_path)
    assert [name for name, _ in local.compose.sample.options[1:]] == [
        "sample contacts.xlsx", "sample contacts.csv"]
    assert local.local and "local simulator" in local.children[1].value
    live = _board(LiveLooking(mg.Client.to(sim)), tmp_path)
    assert not live.local and "the MioGram service" in live.children[1].value
    assert live.compose.sample.options == (("—", None),)
    assert live.compose.sample.layout.display == "none"


def test_a_sample_sheet_is_refused_before_any_request_when_live(sim: Any, tmp_path: Path) -> None:
    client = LiveLooking(mg.Client.to(sim))
    board = _board(client, tmp_path)
    compose = board.compose
    compose.load_file(Path(__file__).resolve().parents[1] / "sample_data" / "contacts.xlsx")
    compose.message.value = "سلام {name}"
    client.asked.clear()
    compose.dry_run_button.click()
    assert "273 of these numbers belong to the toolkit&#x27;s sample contacts" in compose.plan.value
    assert "load your own contact sheet" in compose.plan.value
    assert compose.send_button.disabled and compose.campaign is None
    assert client.asked == []  # refused before the service was asked anything


def test_uploads_are_read_and_gone(sim: Any, tmp_path: Path, home: Path) -> None:
    import glob
    import tempfile

    before = set(glob.glob(str(Path(tempfile.gettempdir()) / "miogram-*")))
    compose = _dry_run_with_opt_out(_board(mg.Client.to(sim), tmp_path), tmp_path)
    assert "1 opt-outs from unsubscribed.csv" in compose.opt_out_note.value
    assert compose.file_status.value.count("contacts.csv: 12 rows") == 1
    assert set(glob.glob(str(Path(tempfile.gettempdir()) / "miogram-*"))) == before
    uploads = home / "uploads"
    assert [p.name for p in uploads.iterdir()] == [".miogram"]  # only the folder's own mark
    assert oct(uploads.stat().st_mode & 0o777) == "0o700"


def test_journals_live_in_the_user_data_folder(sim: Any, tmp_path: Path, home: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    board = mg.dashboard(mg.Client.to(sim))
    compose = _compose(board, tmp_path)
    _dry_run_and_send(compose)
    journals = home / "journals"
    assert [p.suffix for p in journals.glob("campaign-*")] == [".sqlite"]
    assert oct(next(journals.glob("campaign-*")).stat().st_mode & 0o777) == "0o600"
    assert oct(journals.stat().st_mode & 0o777) == "0o700"
    assert not (tmp_path / "miogram_journals").exists()


# -- Persian, and the sample's opt-outs (issue 18) -------------------------------------------------

def test_the_message_box_follows_the_text_direction_and_previews_each_row(
        sim: Any, tmp_path: Path) -> None:
    board = _board(mg.Client.to(sim), tmp_path)
    compose = _compose(board, tmp_path)
    assert "mg-rtl" in compose.message._dom_classes
    style = board.children[0].value
    assert ".mg-rtl textarea" in style and "unicode-bidi: plaintext" in style
    assert "monospace" not in style
    compose.message.value = "سلام {name} عزیز! حراج پاییزه در {city}"
    preview = compose.preview.value
    assert preview.count("<tr>") == 5 and preview.count("dir='auto'") == 5
    assert "سلام Person 1 عزیز! حراج پاییزه در Tehran" in preview
    assert ">row 2</td>" in preview and ">row 6</td>" in preview  # the rows the sheet shows
    compose.message.value = "Hi {nobody}"
    assert compose.preview.value == "" and "no such column" in compose.counter.value


def test_the_sample_workbook_uses_its_unsubscribed_sheet(sim: Any, tmp_path: Path) -> None:
    board = _board(mg.Client.to(sim), tmp_path)
    compose = board.compose
    compose.sample.value = "sample contacts.xlsx"
    assert "10 opt-outs from contacts.xlsx, sheet Unsubscribed" in compose.opt_out_note.value
    compose.message.value = "سلام {name}"
    plan = compose.dry_run()
    assert plan is not None, compose.plan.value
    assert int((plan["state"] == "skipped").sum()) == 37
    assert int((plan["reason"] == "opted_out").sum()) == 10
    assert compose.progress.max == 300 - 37


# -- the page is yours alone (issue 20) ------------------------------------------------------------

def _handshake(port: int, path: str, origin: str, cookie: str) -> bytes:
    """The status line of a websocket handshake on ``path`` from ``origin``."""
    import base64
    import os
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                      f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
                      f"Origin: {origin}\r\nCookie: {cookie}\r\n\r\n").encode())
        return sock.recv(200).split(b"\r\n")[0]


def _listening_addresses(port: int) -> set[str]:
    """The local addresses listening on ``port`` (Linux's /proc/net/tcp, tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                found.add(address)
    return found


def test_the_page_is_served_to_the_token_holder_on_loopback_only(home: Path) -> None:
    pytest.importorskip("voila")
    import requests

    from miogram_toolkit.widgets.serve import PAGE_NAME, running_page

    with running_page(0) as page:
        base = f"http://127.0.0.1:{page.port}"
        render = f"{base}/voila/render/{PAGE_NAME}"
        assert page.url == f"{render}?token={page.token}" and len(page.token) >= 40
        assert page.token not in repr(page)
        # the token reaches the server through its environment, not its command line
        assert page.token not in Path(f"/proc/{page.process.pid}/cmdline").read_text()
        if Path("/proc/net/tcp").exists():
            assert _listening_addresses(page.port) == {"0100007F"}  # 127.0.0.1 only

        refused = requests.get(render, allow_redirects=False, timeout=30)
        assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
        assert "Dashboard(children" not in refused.text
        assert requests.get(f"{base}/api/kernels", timeout=30).status_code == 403

        foreign = requests.get(page.url, headers={"Host": f"rebound.example:{page.port}"},
                               allow_redirects=False, timeout=30)
        assert foreign.status_code == 403 and "Dashboard(children" not in foreign.text

        with requests.Session() as browser:
            served = browser.get(page.url, timeout=180)
            assert served.status_code == 200
            assert "application/vnd.jupyter.widget-view+json" in served.text
            assert "Dashboard(children" in served.text  # the notebook ran: the widget is there
            kernel = served.text.split('"kernelId": "')[1].split('"')[0]
            cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        channels = f"/api/kernels/{kernel}/channels"
        assert _handshake(page.port, channels, "http://rebound.example", cookie) \
            == b"HTTP/1.1 403 Forbidden"
        assert _handshake(page.port, channels, base, cookie) == b"HTTP/1.1 101 Switching Protocols"
    assert page.process.poll() is not None  # stopped with the block
    # The server's log (it names the token) is private, in the private dashboard folder.
    log = home / "dashboard" / "server.log"
    assert oct(log.stat().st_mode & 0o777) == "0o600" and "ServerApp" in log.read_text()
    assert oct(log.parent.stat().st_mode & 0o777) == "0o700"
    assert oct((log.parent / PAGE_NAME).stat().st_mode & 0o777) == "0o600"


def test_the_page_and_the_notebook_run_the_same_cell() -> None:
    import nbformat

    from miogram_toolkit.widgets.serve import DASHBOARD_CODE

    notebook = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks"
                             / "00_dashboard.ipynb", as_version=4)
    assert [c.source for c in notebook.cells if c.cell_type == "code"] == [DASHBOARD_CODE]


def test_a_taken_port_is_refused_in_one_sentence() -> None:
    pytest.importorskip("voila")
    import socket

    from miogram_toolkit.local import InputError
    from miogram_toolkit.widgets.serve import start_page

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InputError, match=f"^Port {port} on 127.0.0.1 is in use: give "
                                             "another with --port$"):
            start_page(port)


# -- the campaigns' journals, replies and Jalali dates (issues 18, 19, 20) -------------------------

def test_dates_are_shown_in_jalali_beside_the_pickers_and_times_are_tehran(
        sim: Any, tmp_path: Path) -> None:
    client = mg.Client.to(sim)
    client.send_message(A, "Hello")
    board = _board(client, tmp_path)
    report = board.report
    report.start.value = dt.date(2026, 3, 21)
    assert "1405/01/01" in report.start_jalali.value and "dir='rtl'" in report.start_jalali.value
    report.end.value = dt.date(2025, 3, 20)
    assert "1403/12/30" in report.end_jalali.value
    report.start.value = None
    assert report.start_jalali.value == ""
    board.compose.load_file(_contacts(tmp_path))
    board.compose.message.value = "Hi"
    board.compose.dry_run()
    assert "planned_at (Tehran)" in board.compose.plan.value
    assert "planned_on (Jalali)" in board.compose.plan.value


def test_campaigns_are_listed_from_the_data_folder_and_the_old_notebook_folder(
        sim: Any, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.chdir(tmp_path)
    board = mg.dashboard(mg.Client.to(sim))
    compose = _compose(board, tmp_path)
    _dry_run_and_send(compose)
    campaigns = board.report.campaigns
    sent = Path(compose.campaign.journal_path)
    assert campaigns.journal.value == str(sent.resolve())
    assert "finished" in campaigns.status.value and "MioBot" in campaigns.status.value
    assert "(none)" not in campaigns.status.value
    # a journal an older dashboard wrote beside the notebook is still found
    (tmp_path / "miogram_journals").mkdir()
    shutil.copy(sent, tmp_path / "miogram_journals" / "dashboard-20250101-120000.sqlite")
    campaigns.refresh_button.click()
    labels = [label for label, _ in campaigns.journal.options]
    assert len(labels) == 2 and sum("older dashboard folder" in x for x in labels) == 1
    campaigns.journal.value = str((tmp_path / "miogram_journals"
                                   / "dashboard-20250101-120000.sqlite").resolve())
    assert "finished" in campaigns.status.value


def test_the_replies_of_a_campaign_are_read_in_the_report_tab(tmp_path: Path) -> None:
    with Simulator(seed=7, start=False, agents=["MioBot1", "MioBot2"], replies=0.5) as sim:
        board = _board(mg.Client.to(sim), tmp_path)
        compose = _compose(board, tmp_path)
        _dry_run_and_send(compose)
        campaigns = board.report.campaigns
        campaigns.replies_button.click()
        assert campaigns.wait(60)
        found = campaigns.replies
        assert found is not None and len(found) > 0, campaigns.replies_summary.value
        assert "Replied:" in campaigns.replies_summary.value
        assert "replied_at (Tehran)" in campaigns.replies_table.value
        assert "replied_on (Jalali)" in campaigns.replies_table.value
        assert bytes(campaigns.replies_chart.children[0].value).startswith(b"\x89PNG")
        assert campaigns.replies_progress.value == campaigns.replies_progress.max
        again = len(found)
        campaigns.replies_button.click()  # a second reading finds the same replies, no more
        assert campaigns.wait(60) and len(campaigns.replies) == again


def test_no_can_get_says_so_in_one_sentence(tmp_path: Path) -> None:
    with Simulator(seed=7, start=False, can_get=False) as sim:
        board = _board(mg.Client.to(sim), tmp_path)
        compose = _compose(board, tmp_path)
        _dry_run_and_send(compose)
        board.report.campaigns.replies_button.click()
        assert board.report.campaigns.wait(60)
        summary = board.report.campaigns.replies_summary.value
        assert "b42318" in summary and "Traceback" not in summary
        assert board.report.campaigns.replies is None


def test_a_frozen_service_log_is_said_and_the_journals_offered(tmp_path: Path) -> None:
    # An account in use: the reference service lists its first 1000 rows forever.
    with Simulator(seed=7, start=False, log_rows=1000) as sim:
        board = _board(mg.Client.to(sim), tmp_path)
        assert "nothing newer" not in board.report.count.value  # nothing sent yet: no claim
        compose = _compose(board, tmp_path)
        _dry_run_and_send(compose)
        said = board.report.count.value
        assert "The service&#x27;s report log shows nothing newer than" in said
        assert "The campaigns&#x27; own journals below keep every row." in said
        assert "finished" in board.report.campaigns.status.value


# -- never twice from the dashboard (issue 17) ----------------------------------------------------

def _deliveries(client: Any) -> dict[str, int]:
    """How many times the service's log shows each number delivered."""
    counts: dict[str, int] = {}
    for record in client.get_report(999):
        for number in filter(None, str(record.get("Delivered", "")).split(",")):
            key = "+" + number.lstrip("+")
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_dry_run_send_send_again_and_a_new_dashboard_send_nobody_twice(sim: Any,
                                                                     tmp_path: Path) -> None:
    client = mg.Client.to(sim)
    start = int(client.get_credits()["Message"])
    board = _board(client, tmp_path)
    compose = _compose(board, tmp_path)
    _dry_run_and_send(compose)
    first = _deliveries(client)
    assert len(first) == 11 and set(first.values()) == {1}
    assert not compose.send_button.disabled  # Send again is offered…
    compose.send_button.click()  # …and sends nobody: the campaign's journal says all is done
    assert compose.wait(60)
    _dry_run_and_send(compose)
    board.close()
    # A page refresh: a new dashboard, the same sheet and message.
    again = _board(client, tmp_path)
    compose = _compose(again, tmp_path)
    compose.dry_run_button.click()
    assert not compose.send_button.disabled, compose.plan.value
    compose.send_button.click()
    assert compose.wait(60)
    assert _deliveries(client) == first
    assert int(client.get_credits()["Message"]) == start - 11
    # The sheet edited (a name fixed in a sent row, a row added), then a page refresh: the same
    # campaign (its account and message), so only the added row is sent.
    edited = tmp_path / "edited.csv"
    lines = _contacts(tmp_path).read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("Person 1", "Person One")
    edited.write_text("\n".join([*lines, "Added,0912 100 0099,Qom"]) + "\n", encoding="utf-8")
    third = _board(client, tmp_path)
    compose = third.compose
    compose.upload.value = _upload(edited)
    compose.message.value = "سلام {name}"
    compose.rate.value = 0
    compose.dry_run_button.click()
    assert not compose.send_button.disabled, compose.plan.value
    compose.send_button.click()
    assert compose.wait(60)
    after = _deliveries(client)
    assert set(after.values()) == {1} and set(after) - set(first) == {"+989121000099"}
    assert int(client.get_credits()["Message"]) == start - 12


def test_the_dashboard_needs_only_core_dependencies() -> None:
    # A plain install (no extra) runs mg.dashboard(): every library the widgets import is a core
    # dependency; Voila (the page, serve.py) is an extra and is imported only when it is there.
    import ast
    import sys
    import tomllib

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {name.split(">")[0].split("[")[0].split("=")[0].strip().replace("-", "_").lower()
            for name in project["dependencies"]}
    core |= {"numpy"}  # pandas brings it
    assert "ipywidgets" in core and "voila>=0.5" in project["optional-dependencies"]["page"]
    found = set()
    for path in sorted((root / "miogram_toolkit" / "widgets").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if path.name == "serve.py" else list(ast.walk(tree))
        for node in nodes:
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            found |= {name.split(".")[0] for name in names}
    third_party = {name for name in found - {"miogram_toolkit"}
                   if name not in sys.stdlib_module_names}
    assert third_party <= core, third_party - core


def test_another_campaign_to_the_same_people_is_refused_unless_chosen(tmp_path: Path) -> None:
    # A served simulator: its account has a ledger (one inside this process has none).
    with Simulator(seed=7, agents=["MioBot1", "MioBot2"]) as served:
        _another_campaign(mg.Client.to(served), tmp_path)


def _another_campaign(client: Any, tmp_path: Path) -> None:
    board = _board(client, tmp_path)
    compose = _compose(board, tmp_path)
    _dry_run_and_send(compose)
    first = _deliveries(client)
    # A changed text is another campaign: the same people, within 24 hours, are refused.
    compose.message.value = "Autumn sale, {name}!"
    _dry_run_and_send(compose)
    assert "in the last 24 hours" in compose.outcome.value, compose.outcome.value
    assert _deliveries(client) == first
    compose.recent.value = "skip"  # leave them out: nothing to send
    plan = compose.dry_run()
    assert plan is not None, compose.plan.value
    assert int((plan["reason"] == "recently_messaged").sum()) == 11
    compose.send_button.click()
    assert compose.wait(60)
    assert _deliveries(client) == first
    compose.recent.value = "new"  # said explicitly: they get the new message once
    _dry_run_and_send(compose)
    assert set(_deliveries(client).values()) == {2}
