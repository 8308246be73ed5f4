"""A normal (not editable) ``pip install`` gives a working ``miogram demo``.

The package is built and installed from a copy of the project that holds only what a source
distribution holds (no ``sample_data/``, no notebooks), into a fresh virtual environment that
borrows this environment's dependencies through a ``.pth`` line (so nothing is downloaded and
the test works offline), then ``miogram demo`` runs from an unrelated folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent


def test_demo_works_after_a_normal_install(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "miogram_toolkit", source / "miogram_toolkit",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))

    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    purelib = subprocess.run([str(python), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "_toolkit_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n",
                                                  encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-build-isolation", "--no-index", str(source)],
                   check=True, capture_output=True)

    where = subprocess.run([str(python), "-c", "import miogram_toolkit; "
                            "print(miogram_toolkit.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(env)  # the installed copy, not this checkout

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run([str(env / "bin" / "miogram"), "demo", "--out", "out", "--quiet"],
                          capture_output=True, text=True, check=False, cwd=elsewhere,
                          env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr
    assert "Read 300 rows from contacts.xlsx" in done.stdout
    assert "campaign:" not in done.stderr  # --quiet: no progress bar
    book = openpyxl.load_workbook(elsewhere / "out" / "report.xlsx")
    assert book["Results"].max_row == 301
    assert (elsewhere / "out" / "funnel.png").exists()
