"""Doctests of the package get what every test gets (``tests/conftest.py``): a user data folder
of their own, so no docstring example writes under ``~`` or meets another run's ledger."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _doctest_data_folder(request: pytest.FixtureRequest,
                         tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    if isinstance(request.node, pytest.DoctestItem):
        monkeypatch.setenv("MIOGRAM_HOME", str(tmp_path_factory.mktemp("miogram-home")))
        for name in ("MIOGRAM_URL", "MIOGRAM_SECRET", "MIOGRAM_ROBOT"):
            monkeypatch.delenv(name, raising=False)
