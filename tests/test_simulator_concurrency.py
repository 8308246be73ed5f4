"""Many concurrent senders against the threaded server: credits and report counts stay exact."""

from __future__ import annotations

import threading

import requests
from simulator_support import make_sim

THREADS, SENDS = 8, 500


def test_8_threads_x_500_sends_are_counted_exactly():
    with make_sim(seed=21, credits={"Message": 100_000}) as sim:
        answers: list[list[bool]] = [[] for _ in range(THREADS)]
        failures: list[BaseException] = []

        def sender(index: int) -> None:
            try:
                with requests.Session() as session:
                    for n in range(SENDS):
                        answer = session.post(sim.url, data={
                            "Secret": sim.secret, "Func": "SendMessage",
                            "Phone": f"+98913{index:02d}{n:05d}", "Message": f"{index}/{n}",
                        }, timeout=30).json()
                        answers[index].append(answer["Result"])
            except BaseException as exc:  # surfaced in the main thread below
                failures.append(exc)

        threads = [threading.Thread(target=sender, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        delivered = sum(sum(results) for results in answers)
        assert sum(len(results) for results in answers) == THREADS * SENDS
        view = sim.inspect()
        assert view["counts"]["reports"] == THREADS * SENDS
        assert view["counts"]["delivered"] == delivered
        assert view["credits"]["Message"] == 100_000 - delivered
        ids = [record["Id"] for record in sim.reports()]
        assert ids == list(range(1, THREADS * SENDS + 1))  # none lost, none repeated


def test_concurrent_sends_never_drive_credit_below_one():
    with make_sim(credits={"Message": 51}, unreachable_share=0.0) as sim:
        results: list[dict] = []
        lock = threading.Lock()

        def sender(index: int) -> None:
            with requests.Session() as session:
                for n in range(20):
                    answer = session.post(sim.url, data={
                        "Secret": sim.secret, "Func": "SendMessage",
                        "Phone": f"+98914{index:02d}{n:05d}", "Message": "x"}, timeout=30).json()
                    with lock:
                        results.append(answer)

        threads = [threading.Thread(target=sender, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        delivered = sum(1 for answer in results if answer.get("Result") is True)
        no_credit = sum(1 for answer in results if answer.get("Message") == "No Credit")
        assert delivered == 50 and no_credit == THREADS * 20 - 50
        assert sim.credits()["Message"] == 1
        assert len(sim.reports()) == 50
