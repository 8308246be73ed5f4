"""The package's rooms and who may import whom (ARCHITECTURE.md, "Rooms").

The rules are read from the source with ``ast``, so a forbidden import fails here even when no
test happens to execute the line that holds it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "miogram_toolkit"

# room -> the rooms of ours it may import (itself always allowed).
ALLOWED: dict[str, set[str]] = {
    "protocol": set(),
    "simulator": {"protocol"},
    "phones": set(),
    "sheets": {"phones"},
    "client": {"protocol"},
    "campaign": {"client", "protocol", "phones", "sheets"},
    "reports": {"protocol"},
}

# Conveniences that cross a rule on purpose, imported inside the one function that needs them:
# ``Simulator.client()`` builds a client for the simulator, and ``connect()`` starts a simulator
# when no real service is configured. Neither module imports the other at import time.
LAZY_EXCEPTIONS = {
    ("simulator/__init__.py", "miogram_toolkit.client.core"),
    ("simulator/__init__.py", "miogram_toolkit.client.transport"),
    ("client/service.py", "miogram_toolkit.simulator"),
    # ``Client.report_frame()`` hands the records to the reports room, which needs pandas; the
    # client loads it only when that method is called.
    ("client/core.py", "miogram_toolkit.reports.frames"),
}

# Third-party modules a room must not import at module level (it may inside a function).
NOT_AT_IMPORT: dict[str, set[str]] = {
    "protocol": {"pandas", "numpy", "requests", "matplotlib", "ipywidgets"},
    "client": {"pandas", "matplotlib", "ipywidgets", "openpyxl"},
    "simulator": {"pandas", "matplotlib", "ipywidgets", "requests"},
    "reports": {"matplotlib", "ipywidgets", "arabic_reshaper", "bidi", "openpyxl"},
}


def _imports(path: Path, *, top_level_only: bool) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: list[tuple[int, str]] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "miogram_toolkit":
                found += [(node.lineno, f"miogram_toolkit.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "<relative>"))
    return found


def _room_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "miogram_toolkit" or len(parts) < 2:
        return None
    return parts[1]


def _files(room: str) -> list[Path]:
    return sorted((PACKAGE / room).rglob("*.py"))


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_room_imports_only_what_it_may(room: str) -> None:
    assert _files(room), f"room {room}/ is missing"
    bad = []
    for path in _files(room):
        top = set(_imports(path, top_level_only=True))
        for line, module in _imports(path, top_level_only=False):
            where = str(path.relative_to(PACKAGE))
            if (where, module) in LAZY_EXCEPTIONS and (line, module) not in top:
                continue
            if module == "<relative>":
                bad.append(f"{path.name}:{line} relative import")
                continue
            if module == "miogram_toolkit" or module.startswith("miogram_toolkit.__"):
                continue
            other = _room_of(module)
            if other is None or other == room:
                continue
            if other not in ALLOWED[room]:
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert bad == []


@pytest.mark.parametrize("room", sorted(NOT_AT_IMPORT))
def test_room_keeps_heavy_libraries_out_of_import_time(room: str) -> None:
    bad = []
    for path in _files(room):
        for line, module in _imports(path, top_level_only=True):
            if module.split(".")[0] in NOT_AT_IMPORT[room]:
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert bad == []


def test_phone_engine_has_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for path in _files("phones"):
        name = f"miogram_toolkit.phones.{path.stem}" if path.stem != "__init__" else (
            "miogram_toolkit.phones")
        graph[name] = {
            module for _, module in _imports(path, top_level_only=False)
            if module.startswith("miogram_toolkit.phones.")
        }
    # Depth-first search for a back edge.
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            assert state.get(nxt) != 1, f"import cycle: {' -> '.join([*trail, node, nxt])}"
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


def test_no_phone_engine_code_outside_phones() -> None:
    # phonenumbers is the phone engine's authority; only phones/ and the sheet reader's content
    # check may consult it directly.
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        room = path.relative_to(PACKAGE).parts[0]
        if room in {"phones"}:
            continue
        for line, module in _imports(path, top_level_only=False):
            if module.split(".")[0] == "phonenumbers":
                bad.append(f"{path.relative_to(PACKAGE)}:{line}")
    assert bad == []


def test_no_flat_private_modules_left() -> None:
    flat = sorted(p.name for p in PACKAGE.glob("_*.py") if p.name != "__init__.py")
    assert flat == []


def test_bare_import_loads_only_the_lazy_surface() -> None:
    code = (
        "import miogram_toolkit, sys; "
        "print(sorted(m for m in sys.modules if m.startswith('miogram_toolkit')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['miogram_toolkit', 'miogram_toolkit.accessors']"


def test_client_package_import_does_not_load_pandas() -> None:
    # The package root registers the pandas accessors; the client itself must not need pandas,
    # so import it with the root's accessor registration switched off.
    code = (
        "import sys, types, importlib.util as u; "
        "spec = u.find_spec('miogram_toolkit'); "
        "root = types.ModuleType('miogram_toolkit'); "
        "root.__path__ = spec.submodule_search_locations; "
        "root.__version__ = '0'; sys.modules['miogram_toolkit'] = root; "
        "import miogram_toolkit.client; print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
