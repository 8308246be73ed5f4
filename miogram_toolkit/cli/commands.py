"""The bodies of the ``miogram`` subcommands: each reads ``args``, calls the toolkit, prints.

Every command checks its inputs before it does any work, so a refused command creates nothing;
files are written whole (to a temporary name, then renamed) and only after the work succeeded.
Errors are raised as exceptions with a one-sentence message; :mod:`miogram_toolkit.cli` prints
them.

::

    MIOGRAM_URL set?  ── no ──► built-in simulator (said on stderr)
          │ yes
          └─► MIOGRAM_SECRET set? ── no ──► CommandError
                     │ yes
                     └─► Client.from_env()

Example:
    >>> import argparse, contextlib, io, os
    >>> os.environ.pop("MIOGRAM_URL", None) and None
    >>> out = io.StringIO()
    >>> with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    ...     status = credits(argparse.Namespace(quiet=True))
    >>> status, out.getvalue().splitlines()[2].split()[:2]
    (0, ['Message', '10000'])
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import pandas as pd

    from miogram_toolkit.client.core import Client

__all__ = ["CommandError", "clean", "credits", "dashboard", "demo", "report", "service",
           "simulator"]

TABLE_SUFFIXES = (".xlsx", ".csv")


class CommandError(ValueError):
    """A command refused its input; the message is one sentence naming the thing."""


def say(args: argparse.Namespace, text: str) -> None:
    """Chatter for a person at a terminal (stderr; silent with ``--quiet``)."""
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr)


@contextmanager
def service(args: argparse.Namespace, **simulator_options: Any) -> Iterator[Client]:
    """A client for ``MIOGRAM_URL`` (with ``MIOGRAM_SECRET``), else for a built-in simulator.

    Which one is always said on stderr, even with ``--quiet``: nobody should believe a message
    went out when it went to the simulator, or the other way round.
    """
    url = os.environ.get("MIOGRAM_URL", "").strip()
    if not url:
        from miogram_toolkit.client.core import Client
        from miogram_toolkit.simulator import Simulator

        print("MIOGRAM_URL is not set: using the built-in simulator (nothing leaves this "
              "machine).", file=sys.stderr)
        with Simulator(**simulator_options) as sim, Client.to(sim) as client:
            yield client
        return
    if not os.environ.get("MIOGRAM_SECRET", "").strip():
        raise CommandError("MIOGRAM_URL is set but MIOGRAM_SECRET is not: export the account's "
                           "secret key (shown in the MioGram web panel) as well")
    from miogram_toolkit.client.core import Client

    try:
        client = Client.from_env()
    except ValueError as exc:  # name the settings, not the constructor's parameters
        text = str(exc)
        for param, setting in (("base_url:", "MIOGRAM_URL:"), ("secret:", "MIOGRAM_SECRET:"),
                               ("robot:", "MIOGRAM_ROBOT:")):
            text = text.replace(param, setting, 1) if text.startswith(param) else text
        raise CommandError(text) from None
    with client:
        print(f"Using the MioGram service at {urlsplit(url).netloc or url}.", file=sys.stderr)
        yield client


# -- checks done before any work ---------------------------------------------------------------

def existing_file(path: str, what: str = "Contact file") -> Path:
    """``path`` as a Path when it is an existing file; else a one-sentence CommandError."""
    found = Path(path)
    if found.is_dir():
        raise CommandError(f"{what} '{path}' is a folder; give the file inside it")
    if not found.exists():
        raise CommandError(f"{what} '{path}' does not exist")
    return found


def output_file(path: str | None, default: Path | None, option: str = "--out") -> Path | None:
    """Where a table goes: an ``.xlsx`` or ``.csv`` path that is not a folder."""
    if path is None:
        return default
    out = Path(path)
    if out.is_dir():
        raise CommandError(f"{option} '{path}' is a folder; give a file name ending in .xlsx "
                           f"or .csv")
    if out.suffix.lower() not in TABLE_SUFFIXES:
        raise CommandError(f"{option} '{path}' must end in .xlsx or .csv")
    return out


def write_table(frame: pd.DataFrame, out: Path, sheet: str) -> Path:
    """Write ``frame`` whole to ``out`` (.xlsx with phones as text, or UTF-8 .csv for Excel)."""
    from miogram_toolkit.sheets import write_excel

    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() != ".csv":
        return write_excel({sheet: frame}, out)  # written whole, then renamed
    part = out.with_name(f".{out.name}.part")
    try:
        frame.to_csv(part, index=False, encoding="utf-8-sig")
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return out


# -- the commands ------------------------------------------------------------------------------

def clean(args: argparse.Namespace) -> int:
    """``miogram clean SHEET``: clean the phone column, write the rows with their status."""
    from miogram_toolkit.sheets import read_contacts

    source = existing_file(args.sheet)
    out = output_file(args.out, Path(f"{source.stem}_clean.xlsx"))
    assert out is not None
    frame = read_contacts(source, sheet=args.sheet_name, phone_column=args.column)
    column = frame.attrs["phone_column"]
    cleaned = frame.miogram.clean_phones(column, region=args.region)
    write_table(cleaned, out, sheet="contacts")
    print(f"{len(cleaned)} rows from {source.name}, phone column '{column}':")
    print(cleaned.miogram.summary().to_string())
    print(f"Wrote {out} (every row, with e164 and phone_status).")
    return 0


def credits(args: argparse.Namespace) -> int:
    """``miogram credits``: the credits per kind and the account's size limits."""
    from miogram_toolkit.reports import credits_frame, limits_frame

    with service(args) as client:
        balance = credits_frame(client)
        limits = limits_frame(client)
    print(balance.to_string())
    print()
    print(limits.to_string())
    return 0


def report(args: argparse.Namespace) -> int:
    """``miogram report``: the delivery report as a file, and a summary."""
    from miogram_toolkit.reports import delivery_summary, failure_reasons, records_to_frame

    if not 1 <= args.count <= 999:
        raise CommandError(f"--count must be 1 to 999 (the newest records of the service's "
                           f"log), got {args.count}")
    out = output_file(args.out, None)
    if args.journal:
        journal = existing_file(args.journal, "Journal")
        records = _read_archive(journal)
    else:
        with service(args) as client:
            records = client.get_report(args.count)
    frame = records_to_frame(records)
    if not len(frame):
        print("The report holds no records yet.")
    else:
        delivered = int(frame["delivered"].sum())
        print(f"{len(frame)} records: {delivered} delivered, {len(frame) - delivered} not.")
        # the service's own log (reference dialect) does not say which agent sent
        by = "agent" if "robot" in frame and frame["robot"].notna().any() else None
        print(delivery_summary(frame, by=by).to_string(float_format="{:.0%}".format))
        reasons = failure_reasons(frame)
        if len(reasons):
            print(reasons[["label", "count"]].to_string(index=False))
    if out is not None:
        write_table(frame, out, sheet="report")
        print(f"Wrote {out}.")
    return 0


def _read_archive(journal: Path) -> list[dict[str, Any]]:
    try:
        from miogram_toolkit.campaign import read_archive
    except ImportError:
        raise CommandError("reading a journal needs the campaign part of the toolkit, which "
                           "this installation does not have yet") from None
    return list(read_archive(journal))


def simulator(args: argparse.Namespace) -> int:
    """``miogram simulator``: serve the simulator until Ctrl-C (its URL and secret first)."""
    from miogram_toolkit.simulator.__main__ import main as serve

    argv = ["--port", str(args.port)]
    if args.dialect:
        argv += ["--dialect", args.dialect]
    if args.per_number_s is not None:
        argv += ["--per-number-s", str(args.per_number_s)]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    if args.state:
        argv += ["--state", args.state]
    say(args, "Serving the MioGram simulator; point the toolkit at it with the line below. "
              "Ctrl-C stops it.")
    try:
        return serve(argv)
    except OSError as exc:
        raise CommandError(f"Cannot serve the simulator on port {args.port}: "
                           f"{(exc.strerror or str(exc)).lower()}") from None


def dashboard_notebook() -> Path:
    """The dashboard notebook of a toolkit checkout (``notebooks/00_dashboard.ipynb``)."""
    return Path(__file__).resolve().parent.parent / "notebooks" / "00_dashboard.ipynb"


def dashboard(args: argparse.Namespace) -> int:
    """``miogram dashboard``: the dashboard notebook served by Voila, opened in a browser."""
    import importlib.util

    notebook = dashboard_notebook()
    if not notebook.is_file():
        raise CommandError(f"The dashboard notebook {notebook.name} is not here; run miogram "
                           f"dashboard from a clone of miogram-toolkit")
    if importlib.util.find_spec("voila") is None:
        raise CommandError("The dashboard page needs Voila, which is not installed: "
                           "pip install voila")
    say(args, f"Opening {notebook.name} with Voila on port {args.port}; Ctrl-C stops it.")
    return run_voila([sys.executable, "-m", "voila", str(notebook), f"--port={args.port}"])


def run_voila(argv: list[str]) -> int:
    """Run Voila in the foreground; its exit status is the command's.

    Ctrl-C or a SIGTERM to ``miogram`` stops Voila too, so no server is left behind.
    """
    import signal

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    proc = subprocess.Popen(argv)
    try:
        return proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def demo(args: argparse.Namespace) -> int:
    """``miogram demo``: the whole job against the built-in simulator (see :mod:`.demo`)."""
    from miogram_toolkit.demo import run_demo

    return run_demo(args.out, contacts=args.contacts, quiet=args.quiet)
