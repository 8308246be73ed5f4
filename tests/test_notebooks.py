"""Every notebook in notebooks/ runs top to bottom against the simulator, and shows what it says.

Run once per notebook (module-scoped), then checked: no error, every chart cell drew a picture
(``image/png``, without ``%matplotlib inline``), no time shown in UTC without saying so, and the
cells that switch to the real service tell the reader to load their own sheet.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
# A cell that calls one of the toolkit's chart functions (mg.delivery_chart(...), ...).
CHART_CALL = re.compile(r"\b\w+_chart\(")
# A time with a UTC offset and no label: what pandas prints for a UTC column.
UNLABELLED_UTC = re.compile(r"\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00")

_RUN: dict[Path, Any] = {}
_WORKDIR: list[Path] = []


@pytest.fixture(autouse=True, scope="module")
def _workdir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The notebooks run from a copy: ``tmp/notebooks/`` beside ``tmp/sample_data`` (the
    checkout's, linked), so what they write to ``../out/`` stays out of the checkout."""
    root = tmp_path_factory.mktemp("checkout")
    (root / "notebooks").mkdir()
    (root / "sample_data").symlink_to(NOTEBOOKS[0].parent.parent / "sample_data",
                                      target_is_directory=True)
    _WORKDIR[:] = [root]


def _executed(path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    if path not in _RUN:
        # A notebook in the tests must never reach a real service.
        monkeypatch.delenv("MIOGRAM_URL", raising=False)
        monkeypatch.setenv("MPLBACKEND", "Agg")
        notebook = nbformat.read(path, as_version=4)
        code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert all(cell.get("outputs", []) == [] for cell in code_cells), \
            f"{path.name} is committed with outputs"
        assert not any("%matplotlib" in cell.source for cell in code_cells)
        folder = _WORKDIR[0] / "notebooks"
        NotebookClient(notebook, timeout=180, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
        _RUN[path] = notebook
    return _RUN[path]


def _code_cells(notebook: Any) -> list[Any]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _texts(output: Any) -> list[str]:
    data = output.get("data", {})
    return [str(output.get("text", "")), str(data.get("text/plain", "")),
            str(data.get("text/html", ""))]


def test_there_are_notebooks_to_run() -> None:
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = _executed(path, monkeypatch)
    errors = [out for cell in _code_cells(notebook)
              for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert errors == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_chart_cell_draws_a_picture(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = _executed(path, monkeypatch)
    blank = [cell.source for cell in _code_cells(notebook) if CHART_CALL.search(cell.source)
             and not any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))]
    assert blank == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_times_are_shown_labelled(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = _executed(path, monkeypatch)
    shown = [text for cell in _code_cells(notebook) for out in cell.get("outputs", [])
             for text in _texts(out)]
    assert [t for t in shown if UNLABELLED_UTC.search(t)] == []


def test_the_notebook_charts_and_times_are_there() -> None:
    # The checks above must have something to check: the report notebook draws four charts and
    # the send notebook shows its outcome's times on Tehran's clock with the Jalali date.
    report = nbformat.read(Path(NOTEBOOKS[0]).parent / "03_delivery_report.ipynb", 4)
    assert sum(bool(CHART_CALL.search(c.source)) for c in _code_cells(report)) == 4
    send = nbformat.read(Path(NOTEBOOKS[0]).parent / "02_send_campaign.ipynb", 4)
    assert any("with_time_columns" in c.source for c in _code_cells(send))


@pytest.mark.parametrize("name", ["02_send_campaign.ipynb", "03_delivery_report.ipynb"])
def test_the_real_service_cell_says_to_load_your_own_sheet(name: str) -> None:
    notebook = nbformat.read(Path(NOTEBOOKS[0]).parent / name, 4)
    switch = next(c.source for c in _code_cells(notebook) if "USE_REAL_SERVICE = False" in c.source)
    assert "your own" in switch.lower() and "mg.connect(live=USE_REAL_SERVICE" in switch


def test_the_send_notebook_shows_times_in_tehran(monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = _executed(Path(NOTEBOOKS[0]).parent / "02_send_campaign.ipynb", monkeypatch)
    outcome = next(c for c in _code_cells(notebook) if "with_time_columns(" in c.source)
    html = "".join(out.get("data", {}).get("text/html", "") for out in outcome.outputs)
    assert "sent_at (Tehran)" in html and "sent_on (Jalali)" in html


def test_the_notebooks_write_their_files_beside_them_not_in_the_checkout(
        monkeypatch: pytest.MonkeyPatch) -> None:
    checkout_out = NOTEBOOKS[0].parent.parent / "out"
    before = {p.name: p.stat().st_mtime_ns for p in checkout_out.glob("*")} \
        if checkout_out.is_dir() else {}
    _executed(NOTEBOOKS[0].parent / "03_delivery_report.ipynb", monkeypatch)
    assert (_WORKDIR[0] / "out" / "03_report.xlsx").stat().st_size > 0
    after = {p.name: p.stat().st_mtime_ns for p in checkout_out.glob("*")} \
        if checkout_out.is_dir() else {}
    assert after == before
