"""Package-level promises: a light import and a typed package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import miogram_toolkit


def test_import_does_not_load_heavy_optional_libraries() -> None:
    code = (
        "import sys, miogram_toolkit;"
        "heavy = [m for m in ('matplotlib', 'ipywidgets', 'openpyxl', 'requests') "
        "if m in sys.modules];"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_package_ships_a_py_typed_marker() -> None:
    assert (Path(miogram_toolkit.__file__).parent / "py.typed").is_file()


def test_unknown_attribute_raises_attribute_error() -> None:
    try:
        miogram_toolkit.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
