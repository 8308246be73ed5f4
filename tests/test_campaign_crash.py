"""Crash and resume for real: the sender is a separate process (forked, so it starts at once),
the service a simulator process with a state file; the sender is killed with SIGKILL at random
moments while it sends and started again each time. At the end every row is final and nobody
got the message twice: with the ``canGet`` permission every deliverable number has exactly one
delivery and none is unknown; without it (on an account whose log already holds 1000 rows, so
the report shows no new send) the rows whose request was left ambiguous may stay ``unknown``,
named with their reason, and no more of them than those requests carried.

The moments are chosen by watching the journal, so each kill lands while requests are going out
(between one and three requests after the sender's previous one). ``miogram send`` itself is
run to completion as a process by ``test_campaign_command``.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests

from miogram_toolkit.campaign import Campaign, PreflightError
from miogram_toolkit.protocol.reasons import reasons_of_kind
from miogram_toolkit.simulator import Simulator
from miogram_toolkit.simulator.numbering import on_messenger

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

RECIPIENTS = 2000
KILLS = 10
SEED = 11
SHARE = 0.15
PAUSED, REFUSED = 3, 4


@pytest.fixture
def service(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """A simulator process; its first line says where it listens. ``no_canGet`` in the
    parameters makes its account one without the permission to read chats."""
    extra: list[str] = list(getattr(request, "param", []))
    if "no_canGet" in extra:
        extra.remove("no_canGet")
        with Simulator(state_file=tmp_path / "service.sqlite", start=False, seed=SEED,
                       unreachable_share=SHARE, can_get=False):
            pass  # the account is written to the state file the process then serves
    errors = tmp_path / "simulator.stderr"
    with errors.open("w") as stderr:  # a file, not a pipe nobody reads: it never fills up
        process = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", "-m", "miogram_toolkit.simulator", "--port",
             "0", "--state", str(tmp_path / "service.sqlite"), "--seed", str(SEED),
             "--unreachable-share", str(SHARE), "--latency-ms", "3", "--inspect", *extra],
            stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        env = dict(part.split("=", 1) for part in line.split())
        assert set(env) == {"MIOGRAM_URL", "MIOGRAM_SECRET"}, line
        yield env
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # -X faulthandler: every thread's stack
            process.wait(timeout=10)
            pytest.fail(f"the simulator did not stop on SIGTERM:\n{errors.read_text()}")


def _sheet(tmp_path: Path) -> Path:
    path = tmp_path / "contacts.csv"
    pd.DataFrame({"mobile": [f"0912{4000000 + i}" for i in range(RECIPIENTS)],
                  "name": [f"N{i % 3}" for i in range(RECIPIENTS)]}).to_csv(path, index=False)
    return path


def _send(sheet: Path, journal: Path, env: dict[str, str]) -> None:
    """The sender's body: a fresh client, the campaign run to its end or its pause."""
    from miogram_toolkit.client import Client
    from miogram_toolkit.sheets import read_contacts

    client = Client(env["MIOGRAM_SECRET"], base_url=env["MIOGRAM_URL"], backoff=0.05,
                    gateway_per_number_s=0.0, gateway_slack_s=0.2)
    campaign = Campaign(read_contacts(sheet), "Hi {name}", client=client, journal=journal,
                        rate_per_minute=None, timeout_base=0.4, timeout_per_number=0.01,
                        backoff=0.05)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            campaign.run(progress=False)
    except PreflightError:  # a fault hit one of preflight's reads: nothing sent, run again
        os._exit(REFUSED)
    os._exit(0 if campaign.outcome is not None and campaign.outcome.state == "finished"
             else PAUSED)


def _sender(sheet: Path, journal: Path, env: dict[str, str]) -> Any:
    process = multiprocessing.get_context("fork").Process(target=_send,
                                                          args=(sheet, journal, env))
    process.start()
    return process


def _pending(journal: Path) -> int:
    # mode=rw: a kill in the middle of a commit leaves its rollback (-journal) file, which a
    # reader must be able to play back.
    with sqlite3.connect(f"file:{journal}?mode=rw", uri=True, timeout=1) as db:
        return int(db.execute("SELECT COUNT(*) FROM recipients WHERE state='pending'")
                   .fetchone()[0])


def _requests_made(journal: Path) -> int:
    try:
        with sqlite3.connect(f"file:{journal}?mode=rw", uri=True, timeout=1) as db:
            return int(db.execute("SELECT COUNT(*) FROM requests").fetchone()[0])
    except sqlite3.Error:
        return 0


def _kill_at_random_moments(sheet: Path, journal: Path, env: dict[str, str],
                            rng: random.Random) -> list[int]:
    """SIGKILL the sender KILLS times while it sends; returns the rows pending at each kill."""
    moments: list[int] = []
    for _ in range(3 * KILLS):
        sender = _sender(sheet, journal, env)
        target = _requests_made(journal) + rng.randint(1, 3)
        deadline = time.monotonic() + 30
        while _requests_made(journal) < target and sender.is_alive() \
                and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.01))  # anywhere inside or between requests
        if sender.is_alive():
            os.kill(sender.pid, signal.SIGKILL)
        sender.join(timeout=20)
        if sender.exitcode == -signal.SIGKILL:
            moments.append(_pending(journal))
            if len(moments) == KILLS:
                return moments
        else:  # it stopped on its own (faults): resumed like the others
            assert sender.exitcode in (PAUSED, REFUSED), _events(journal)
    raise AssertionError(f"only {len(moments)} kills landed: {_events(journal)}")


def _events(journal: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(f"file:{journal}?mode=rw", uri=True, timeout=1) as db:
        return db.execute("SELECT kind, message FROM events").fetchall()


def _run_to_the_end(sheet: Path, journal: Path, env: dict[str, str]) -> None:
    for _ in range(10):
        sender = _sender(sheet, journal, env)
        sender.join(timeout=120)
        if sender.exitcode == 0:
            return
        assert sender.exitcode in (PAUSED, REFUSED), _events(journal)  # run again to resume
    raise AssertionError("the campaign never finished")


def _final_rows(journal: Path) -> Any:
    status = Campaign.status(journal)
    assert status.counts["pending"] == status.counts["in_flight"] == 0
    assert status.state == "finished"
    return status


def _check_exactly_once(env: dict[str, str], journal: Path) -> None:
    inspect_url = env["MIOGRAM_URL"].replace("/dojob.php", "/_simulator/state")
    deliveries = requests.get(inspect_url, timeout=10).json()["deliveries"]
    sent = [f"+98912{4000000 + i}" for i in range(RECIPIENTS)]
    expected = {n: int(on_messenger(n, seed=SEED, unreachable_share=SHARE)) for n in sent}
    got = {n: int(deliveries.get(n, 0)) for n in sent}
    assert got == expected
    assert 0 < sum(expected.values()) < RECIPIENTS
    status = _final_rows(journal)
    assert status.counts["unknown"] == 0
    assert status.counts["delivered"] == sum(expected.values())


def _check_never_twice(env: dict[str, str], journal: Path, ambiguous: int) -> int:
    """Nobody twice; delivered and failed rows true to the service; unknown rows named and
    no more than the ambiguous requests carried. Returns how many are unknown."""
    state = requests.get(env["MIOGRAM_URL"].replace("/dojob.php", "/_simulator/state"),
                         timeout=10).json()
    deliveries = state["deliveries"]
    status = _final_rows(journal)
    rows = status.rows
    assert max(deliveries.values()) == 1
    for state_name, reason, number in zip(rows["state"], rows["reason"], rows["e164"],
                                          strict=True):
        if state_name == "delivered":
            assert deliveries.get(number, 0) == 1
        elif state_name == "failed":
            assert deliveries.get(number, 0) == 0
        else:
            assert state_name == "unknown" and reason in reasons_of_kind("unknown"), reason
    unknown = int(status.counts["unknown"])
    assert unknown <= 40 * ambiguous
    return unknown


@pytest.mark.parametrize("service", [["--dialect", "reference"], ["--dialect", "document"]],
                         indirect=True, ids=["reference", "document"])
def test_sigkill_at_random_moments_then_resume_delivers_exactly_once(
        tmp_path: Path, service: dict[str, str]) -> None:
    sheet, journal = _sheet(tmp_path), tmp_path / "campaign.sqlite"
    moments = _kill_at_random_moments(sheet, journal, service, random.Random(1))
    assert min(moments) > 0  # every kill came while rows were still waiting to be sent
    _run_to_the_end(sheet, journal, service)
    _check_exactly_once(service, journal)


# 10% of requests meet a fault of any kind: lost and late answers, 999 after processing, proxy
# pages after processing, cut answers...; the account's log already holds 1000 rows.
FAULTS = ["--fault-rate", "0.1", "--faults", "all", "--late-answer-s", "1.0",
          "--log-rows", "1000"]


def _faults_met(env: dict[str, str]) -> int:
    inspect_url = env["MIOGRAM_URL"].replace("/dojob.php", "/_simulator/state")
    return int(requests.get(inspect_url, timeout=10).json()["counts"]["faults"])


@pytest.mark.parametrize("service", [FAULTS], indirect=True, ids=["canGet"])
def test_sigkill_with_faults_on_a_used_account_delivers_exactly_once_with_the_chats(
        tmp_path: Path, service: dict[str, str]) -> None:
    sheet, journal = _sheet(tmp_path), tmp_path / "campaign.sqlite"
    _kill_at_random_moments(sheet, journal, service, random.Random(2))
    _run_to_the_end(sheet, journal, service)
    _check_exactly_once(service, journal)
    assert _faults_met(service) > 0


@pytest.mark.parametrize("service", [[*FAULTS, "no_canGet"]], indirect=True, ids=["no_canGet"])
def test_sigkill_with_faults_without_chats_never_twice_unknown_rows_named(
        tmp_path: Path, service: dict[str, str]) -> None:
    sheet, journal = _sheet(tmp_path), tmp_path / "campaign.sqlite"
    _kill_at_random_moments(sheet, journal, service, random.Random(3))
    _run_to_the_end(sheet, journal, service)
    faults = _faults_met(service)
    assert faults > 0
    _check_never_twice(service, journal, ambiguous=faults + KILLS)
    log_frozen = [m for kind, m in _events(journal) if kind == "log_frozen"]
    assert log_frozen and "first 1000 rows" in log_frozen[0]
