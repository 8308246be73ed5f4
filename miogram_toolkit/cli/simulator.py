"""``miogram simulator``: serve the built-in simulator, say where its state is, or reset it.

Without ``MIOGRAM_URL`` the ``miogram`` commands share one built-in simulator whose state lives in
the user data folder (``MIOGRAM_HOME`` moves it), used by one command at a time. This command
serves that same state over HTTP until Ctrl-C, so several commands (or a notebook) can use it at
once through the lines it prints first::

    $ miogram simulator
    export MIOGRAM_URL=http://127.0.0.1:8765/dojob.php
    export MIOGRAM_SECRET=k2v9...

(set those in another terminal; the commands then treat it as the live service they are pointed
at, and ask before sending). ``--where`` prints the state file, ``--reset`` removes it (a fresh
account next time), ``--inspect`` serves the simulator's inspection page.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from miogram_toolkit.cli.errors import CommandError
from miogram_toolkit.cli.output import say
from miogram_toolkit.local.signals import wait_for_stop
from miogram_toolkit.protocol.dialects import DIALECTS

if TYPE_CHECKING:
    from miogram_toolkit.cli.parser import Commands

__all__ = ["register", "shared_simulator_ledgers", "simulator"]


def register(commands: Commands) -> None:
    """Add ``simulator``."""
    parser = commands.add(
        "simulator", "serve the built-in simulator until Ctrl-C (or --where / --reset it)",
        "miogram simulator --port 8765", simulator)
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--where", action="store_true",
                      help="print where the built-in simulator keeps its state, and stop")
    what.add_argument("--reset", action="store_true",
                      help="remove the built-in simulator's state (a fresh account next time)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 = a free one)")
    parser.add_argument("--dialect", choices=DIALECTS,
                        help="how the simulator answers: reference (the service's own "
                        "implementation, default) or document (the v1.2 document)")
    parser.add_argument("--per-number-s", type=float, metavar="S",
                        help="a send's pause per number, like the gateway's (default 0)")
    parser.add_argument("--seed", type=int, help="decides deliverable numbers and faults")
    parser.add_argument("--state", metavar="FILE", help="keep the simulator's state in this "
                        "file instead of the built-in simulator's (see --where)")
    parser.add_argument("--inspect", action="store_true",
                        help="also serve GET /_simulator/state (every number delivered to; "
                        "off by default)")


def simulator(args: argparse.Namespace) -> int:
    """``miogram simulator``: serve until Ctrl-C, or ``--where`` / ``--reset``."""
    from miogram_toolkit.service import shared_simulator_state, simulator_lock

    state = Path(args.state) if args.state else shared_simulator_state()
    if args.where:
        print(state)
        return 0
    if state.is_dir():
        raise CommandError(f"--state '{args.state}' is a folder; give a file name inside it")
    with simulator_lock(state):
        if args.reset:
            return _reset(state)
        return _serve(args, state)


def shared_simulator_ledgers() -> list[Path]:
    """The ledger files of the built-in simulator's account (in-process, or served on any port).

    Its account is named :data:`~miogram_toolkit.service.BUILT_IN_USER`; ``--reset`` removes
    these with its state.
    """
    from miogram_toolkit.campaign.ledger import ledger_path
    from miogram_toolkit.service import BUILT_IN_USER
    from miogram_toolkit.simulator import IN_PROCESS_URL

    probe = ledger_path(IN_PROCESS_URL, BUILT_IN_USER)
    readable = probe.name.rsplit("-", 1)[0]  # "<host>-<user>": the same on every port
    return sorted(p for p in probe.parent.glob(f"{readable}-*")
                  if p.name.endswith((".sqlite", ".sqlite-wal", ".sqlite-shm")))


def _reset(state: Path) -> int:
    from miogram_toolkit.service import shared_simulator_state

    removed = [p for p in (state, Path(f"{state}-wal"), Path(f"{state}-shm")) if p.exists()]
    if state == shared_simulator_state():
        # the simulated account's ledger (whom it messaged, its opt-outs) goes with it
        removed += shared_simulator_ledgers()
    for path in removed:
        path.unlink()
    print(f"Reset the built-in simulator: removed {state}." if removed
          else f"The built-in simulator has no state yet ({state}).")
    return 0


def _serve(args: argparse.Namespace, state: Path) -> int:
    from miogram_toolkit.service import shared_simulator_options
    from miogram_toolkit.simulator import Simulator

    options: dict[str, Any] = {**shared_simulator_options(), "state_file": state,
                               "port": args.port, "inspect": args.inspect}
    if args.dialect:
        options["dialect"] = args.dialect
    if args.per_number_s is not None:
        options["per_number_s"] = args.per_number_s
    if args.seed is not None:
        options["seed"] = args.seed
    try:
        sim = Simulator(**options)
    except OSError as exc:
        raise CommandError(f"Cannot serve the simulator on port {args.port}: "
                           f"{(exc.strerror or str(exc)).lower()}") from None
    try:
        # Lines a shell takes as they are: paste them into another terminal.
        print(f"export MIOGRAM_URL={sim.url}\nexport MIOGRAM_SECRET={sim.secret}", flush=True)
        say(args, f"Serving the built-in simulator (its state: {state}); paste the lines "
                  f"above into another terminal. Ctrl-C stops it.")
        wait_for_stop()
    finally:
        sim.stop()
        sim.state.close()
    return 0
