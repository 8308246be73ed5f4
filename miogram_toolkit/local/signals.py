"""Wait in the main thread until SIGINT or SIGTERM, the way a long-running command stops.

The handler only records the signal's number: Python runs handlers in the main thread between
two of its steps, possibly while that thread holds a lock (the one inside ``Event.wait``, say),
so a handler that takes a lock or sets an ``Event`` can deadlock the process on its way out.
The main thread sleeps in short steps and looks at the record after each.

Example (a command's main loop)::

    server.start()
    try:
        wait_for_stop()  # returns signal.SIGINT or signal.SIGTERM
    finally:
        server.stop()
"""

from __future__ import annotations

import signal
import time
from collections.abc import Sequence

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_STEP_S = 0.1


def wait_for_stop(signals: Sequence[signal.Signals] = STOP_SIGNALS) -> int:
    """Block until one of ``signals`` arrives; return its number.

    The previous handlers are put back before returning, so a second Ctrl-C during the
    caller's clean-up acts as it did before (by default: ``KeyboardInterrupt``).
    Call from the main thread only (Python's rule for signal handlers).
    """
    received: list[int] = []

    def _note(signum: int, frame: object) -> None:
        received.append(signum)  # a list append takes no lock a Python step can hold

    previous = {sig: signal.signal(sig, _note) for sig in signals}
    try:
        while not received:
            time.sleep(_STEP_S)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return received[0]
