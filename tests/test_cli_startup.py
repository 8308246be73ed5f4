"""Start-up: the ``miogram`` command parses its flags before pandas would have loaded, and the
package root still gives pandas its ``.miogram`` accessors, whichever is imported first.

(How long it takes is measured in ``benchmarks/bench_startup.py``, never asserted here.)
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "requests", "matplotlib", "openpyxl")


def _python(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return done.stdout.split()


@pytest.mark.parametrize("argv", [["--help"], ["send", "--help"], ["simulator", "--help"],
                                  ["--version"]])
def test_help_imports_nothing_heavy(argv: list[str]) -> None:
    code = ("import sys\nfrom miogram_toolkit.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            f"print(*[m for m in {HEAVY!r} if m in sys.modules] or ['none'], file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stderr.split() == ["none"]


def test_accessors_follow_pandas_imported_after_the_package() -> None:
    out = _python("import sys, miogram_toolkit; print('pandas' in sys.modules); "
                  "import pandas as pd; print(hasattr(pd.DataFrame(), 'miogram'), "
                  "hasattr(pd.Series(dtype=object), 'miogram'))")
    assert out == ["False", "True", "True"]


def test_accessors_are_there_when_pandas_came_first() -> None:
    out = _python("import pandas as pd, miogram_toolkit; "
                  "print(hasattr(pd.DataFrame(), 'miogram'))")
    assert out == ["True"]


def test_the_hook_is_gone_once_pandas_is_imported() -> None:
    out = _python("import sys, miogram_toolkit; n = len(sys.meta_path); import pandas; "
                  "print(n - len(sys.meta_path), any(type(f).__name__ == '_AfterPandas' "
                  "for f in sys.meta_path))")
    assert out == ["1", "False"]
