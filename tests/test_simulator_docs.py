"""The simulator's docstring examples run, and its documentation names every choice."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from miogram_toolkit.simulator.faults import FAULT_KINDS

MODULES = ["__init__", "account", "actions", "app", "base", "chatlog", "dialects", "document",
           "faults", "handlers", "logtext", "misc", "numbering", "reference", "replies", "server",
           "state", "store", "views"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(
        "miogram_toolkit.simulator" + ("" if name == "__init__" else f".{name}"))
    failed, _ = doctest.testmod(module)
    assert failed == 0


def test_docs_cover_open_points_schema_and_faults():
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "How the simulator differs from the real service" in text
    for point in range(1, 9):
        assert f"| {point}. " in text
    for key in ("Id", "Time", "Func", "Phone", "Robot", "Delivered", "Message", "File", "Kind"):
        assert f"| `{key}` |" in text
    for kind in FAULT_KINDS:
        assert f"| `{kind}` |" in text
    assert "/_simulator/state" in text
    for words in ("first 1000 rows, forever", "log_rows=1000", "gateway_timeout_s",
                  "emoji ???? here", "replies=True", "clock_offset_s", "--inspect"):
        assert words in text, words
