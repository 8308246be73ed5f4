"""Helpers for the ``miogram`` command's tests: run it in-process, read its one error line."""

from __future__ import annotations

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
