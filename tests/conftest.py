"""Shared fixtures. Simulator fixtures first; other suites may append their own below."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from simulator_support import Post, make_sim, poster

from miogram_toolkit.simulator import Simulator


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
