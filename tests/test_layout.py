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

# Every room and top-level module, from the bottom up (ARCHITECTURE.md, "Rooms"), with the rooms
# of ours it may import (itself always allowed). No exceptions: not even inside a function.
ALLOWED: dict[str, set[str]] = {
    "version": set(),
    "protocol": set(),
    "phones": set(),
    "local": set(),
    "client": {"protocol", "version", "local"},
    "simulator": {"protocol", "version", "local"},
    "sheets": {"phones", "local", "protocol"},
    "reports": {"protocol", "local", "version"},
    "campaign": {"client", "protocol", "phones", "sheets", "local", "version"},
    "service": {"client", "simulator", "protocol", "local", "version"},
    "samples": {"phones", "sheets", "local", "protocol"},
    "accessors": {"phones", "sheets", "campaign", "reports", "protocol", "local"},
    "widgets": {"accessors", "service", "samples", "campaign", "reports", "sheets", "client",
                "protocol", "phones", "local", "version"},
    "demo": {"accessors", "service", "samples", "campaign", "reports", "sheets", "client",
             "simulator", "protocol", "phones", "local", "version"},
    "cli": {"demo", "widgets", "accessors", "service", "samples", "campaign", "reports", "sheets",
            "client", "simulator", "protocol", "phones", "local", "version"},
}

# Third-party modules a room must not import at module level (it may inside a function).
NOT_AT_IMPORT: dict[str, set[str]] = {
    "protocol": {"pandas", "numpy", "requests", "matplotlib", "ipywidgets"},
    "local": {"pandas", "numpy", "requests", "matplotlib", "ipywidgets"},
    "client": {"pandas", "matplotlib", "ipywidgets", "openpyxl"},
    "simulator": {"pandas", "matplotlib", "ipywidgets", "requests"},
    "reports": {"matplotlib", "ipywidgets", "arabic_reshaper", "bidi", "openpyxl"},
    "cli": {"pandas", "numpy", "matplotlib", "ipywidgets", "requests", "openpyxl"},
    "service": {"pandas", "matplotlib", "ipywidgets"},
}


def _rooms() -> set[str]:
    found = set()
    for path in PACKAGE.iterdir():
        if path.name.startswith((".", "__")) or path.name == "py.typed":
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            found.add(path.name)
        elif path.suffix == ".py":
            found.add(path.stem)
    return found


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
    if (PACKAGE / f"{room}.py").exists():
        return [PACKAGE / f"{room}.py"]
    return sorted((PACKAGE / room).rglob("*.py"))


def test_every_room_and_module_is_in_the_table() -> None:
    assert _rooms() == set(ALLOWED)


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_room_imports_only_what_it_may(room: str) -> None:
    assert _files(room), f"room {room} is missing"
    bad = []
    for path in _files(room):
        for line, module in _imports(path, top_level_only=False):
            if module == "<relative>":
                bad.append(f"{path.name}:{line} relative import")
                continue
            if module == "miogram_toolkit":
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports the package root")
                continue
            other = _room_of(module)
            if other is None or other == room:
                continue
            if other not in ALLOWED[room]:
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert bad == []


def test_rooms_are_layered_without_mutual_imports() -> None:
    # The table itself: no two rooms may import each other.
    pairs = [(a, b) for a in ALLOWED for b in ALLOWED[a] if a in ALLOWED.get(b, set())]
    assert pairs == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _module_graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    targets.append(sub if sub in modules else node.module)
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def test_no_import_cycle_anywhere() -> None:
    # Every import counts, also those inside functions; a package's __init__ importing its own
    # modules is an edge like any other.
    graph = _module_graph()
    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*trail[trail.index(nxt):], node, nxt])
                              if nxt in trail else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []


def test_no_module_over_450_lines() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450}
    assert long == {}


@pytest.mark.parametrize("room", sorted(NOT_AT_IMPORT))
def test_room_keeps_heavy_libraries_out_of_import_time(room: str) -> None:
    bad = []
    for path in _files(room):
        for line, module in _imports(path, top_level_only=True):
            if module.split(".")[0] in NOT_AT_IMPORT[room]:
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert bad == []


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
    out = subprocess.run([sys.executable, "-c", code + "; print('pandas' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    # pandas is not imported by the package root (the accessors follow pandas when it comes:
    # tests/test_cli_startup.py).
    assert out.stdout.split("\n")[:2] == ["['miogram_toolkit', 'miogram_toolkit.version']",
                                          "False"]


def test_client_package_import_does_not_load_pandas() -> None:
    # The package root registers the pandas accessors; the client itself must not need pandas,
    # so import it with the root's accessor registration switched off.
    code = (
        "import sys, types, importlib.util as u; "
        "spec = u.find_spec('miogram_toolkit'); "
        "root = types.ModuleType('miogram_toolkit'); "
        "root.__path__ = spec.submodule_search_locations; "
        "sys.modules['miogram_toolkit'] = root; "
        "import miogram_toolkit.client; print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
