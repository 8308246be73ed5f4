"""Helpers for the ``miogram`` command's tests: run it in-process, read its one error line.

``offline`` (import it into a test module: it is autouse there) gives each test its own user
data folder and working folder, and no ``MIOGRAM_URL``: the built-in simulator, fresh.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from miogram_toolkit.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``miogram ARGV`` in this process: (exit status, stdout, stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def error_line(err: str, command: str) -> str:
    """The one error sentence; fails when there is a traceback or more than one."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith(f"miogram {command}: ")]
    assert len(lines) == 1, err
    return lines[0].removeprefix(f"miogram {command}: ")


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No real service, a data folder of the test's own, and ``tmp_path`` as the working one."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MIOGRAM_HOME", str(home))
    for name in ("MIOGRAM_URL", "MIOGRAM_SECRET", "MIOGRAM_ROBOT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return home
