"""Lanes: which agent sends the next chunk, and how many requests are in flight at once.

By default one lane rotates over every agent, so one request is in flight per account (the
service's own implementation corrupts an agent's credit under overlapping requests);
``max_in_flight=N`` opens N lanes, one thread each, every agent in exactly one lane (agents
beyond N share lanes in turn). An agent *rested* for the run (its gateway refused with 306) is
left out of every lane.

::

    agents  MioBot1 MioBot2 MioBot3 MioBot4       max_in_flight=2
    lanes   [MioBot1, MioBot3]  [MioBot2, MioBot4]
    a lane  next agent in rotation, the one whose pace lets it go soonest first

Example:
    >>> [lane.agents for lane in lanes_for(["B1", "B2", "B3", "B4"], set(), 2)]
    [['B1', 'B3'], ['B2', 'B4']]
    >>> lane = Lane(["B1", "B2"])
    >>> pick(lane, set(), lambda agent: 0.0), pick(lane, set(), lambda agent: 0.0)
    ('B1', 'B2')
    >>> pick(lane, {"B1"}, lambda agent: 0.0)
    'B2'
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

__all__ = ["Lane", "lanes_for", "pick", "run_lanes"]


@dataclass
class Lane:
    """Agents that send one after another; ``turn`` is whose turn it is."""

    agents: list[str]
    turn: int = 0


def lanes_for(agents: Sequence[str], rested: Collection[str], max_in_flight: int) -> list[Lane]:
    """The lanes over the agents not rested (none when every agent is)."""
    active = [a for a in agents if a not in rested]
    count = max(1, min(max_in_flight, len(active)))
    return [Lane(active[i::count]) for i in range(count)] if active else []


def pick(lane: Lane, rested: Collection[str], wait_of: Callable[[str], float]) -> str | None:
    """The lane's next agent in rotation, preferring the one ``wait_of`` lets go soonest.

    Returns None when every agent of the lane is rested. Not thread-safe by itself: a lane
    belongs to one thread.
    """
    count = len(lane.agents)
    order = [lane.agents[(lane.turn + i) % count] for i in range(count)]
    order = [a for a in order if a not in rested]
    if not order:
        return None
    choice = min(order, key=lambda a: (wait_of(a), order.index(a)))
    lane.turn = (lane.agents.index(choice) + 1) % count
    return choice


def run_lanes(lanes: Sequence[Lane], work: Callable[[Lane], None],
              stop: threading.Event) -> None:
    """Run ``work(lane)`` for every lane, in threads when there are several.

    The first error of any lane stops the others (``stop`` is set) and is raised here; Ctrl-C
    in the caller's thread stops every lane before it propagates, so no lane goes on sending
    once the caller has stopped.
    """
    if len(lanes) == 1:
        work(lanes[0])
        return
    errors: list[BaseException] = []

    def guarded(lane: Lane) -> None:
        try:
            work(lane)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=guarded, args=(lane,), daemon=True,
                                name=f"miogram-lane-{i}") for i, lane in enumerate(lanes)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()
        for thread in threads:
            thread.join()
        raise
    if errors:
        raise errors[0]
