"""Shared fixtures. Simulator fixtures first; other suites may append their own below."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import settings
from simulator_support import Post, make_sim, poster

from miogram_toolkit.simulator import Simulator

# CI explores the same examples every run, so a red build always reproduces; local runs keep
# exploring new ones (and print the blob to replay any failure they find).
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

#: Variables naming a real service: a developer's shell must never point a test at it.
SERVICE_VARIABLES = ("MIOGRAM_URL", "MIOGRAM_SECRET", "MIOGRAM_ROBOT")


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own user data folder and no service from the caller's shell.

    ``MIOGRAM_HOME`` points at a fresh temporary folder (so nothing is written under ``~``) and
    ``MIOGRAM_URL``/``MIOGRAM_SECRET``/``MIOGRAM_ROBOT`` are removed; a test that needs them sets
    them with ``monkeypatch.setenv``. Child processes inherit the same environment.
    """
    home = tmp_path_factory.mktemp("miogram-home")
    monkeypatch.setenv("MIOGRAM_HOME", str(home))
    for name in SERVICE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """A threaded simulator with default account settings and the fixed numbers."""
    with make_sim() as simulator:
        yield simulator


@pytest.fixture
def post(sim: Simulator) -> Iterator[Post]:
    """``post(func, **fields)`` against :func:`sim`, raw HTTP with the spec's field names."""
    with requests.Session() as session:
        yield poster(sim, session)
