"""``miogram clean``, ``credits``, ``report``, ``dashboard`` and ``demo``: read args, call, print.

Every command checks its inputs before it does any work, so a refused command creates nothing;
files are written whole (to a temporary name, then renamed) and only after the work succeeded.
Errors are raised as exceptions with a one-sentence message; :mod:`miogram_toolkit.cli.main`
prints them. The commands that talk to MioGram get their client from
:func:`miogram_toolkit.service.connect`, which says first which service it is.

Example:
    >>> import argparse, contextlib, io, os, tempfile
    >>> os.environ.pop("MIOGRAM_URL", None) and None
    >>> os.environ["MIOGRAM_HOME"] = tempfile.mkdtemp()
    >>> out = io.StringIO()
    >>> with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    ...     status = credits(argparse.Namespace(quiet=True))
    >>> status, out.getvalue().splitlines()[2].split()[:2]
    (0, ['Message', '10000'])
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from miogram_toolkit.cli.errors import CommandError
from miogram_toolkit.cli.output import column_refused, output_file, write_table
from miogram_toolkit.local import existing_file

if TYPE_CHECKING:
    from miogram_toolkit.cli.parser import Commands
    from miogram_toolkit.client import Client

__all__ = ["clean", "credits", "dashboard", "demo", "register", "report", "service"]


def register(commands: Commands) -> None:
    """Add ``clean``, ``credits``, ``report``, ``dashboard`` and ``demo``."""
    clean_ = commands.add("clean", "clean the phone column of a contact sheet",
                          "miogram clean contacts.xlsx --sheet Contacts --out "
                          "contacts_clean.xlsx", clean)
    clean_.add_argument("sheet", metavar="SHEET", help="contact file (.xlsx, .xlsm, .xls, .ods, "
                        ".csv, .tsv, .txt)")
    clean_.add_argument("--column", "-c", help="the phone column (found by header or content "
                        "when not given)")
    clean_.add_argument("--sheet", dest="sheet_name", metavar="NAME",
                        help="the workbook sheet to read (default: the first)")
    clean_.add_argument("--region", default="IR", help="country for numbers written without "
                        "a country code (default: IR)")
    clean_.add_argument("--out", "-o", metavar="FILE", help="where to write the cleaned rows, "
                        ".xlsx or .csv (default: SHEET's name + _clean.xlsx, here)")
    clean_.add_argument("--force", action="store_true",
                        help="replace the output file when it already exists")

    commands.add("credits", "show the account's credits and limits as a table",
                 "MIOGRAM_URL=https://miogram.net/dojob.php MIOGRAM_SECRET=... miogram credits",
                 credits)

    report_ = commands.add("report", "write the delivery report as a file and summarise it",
                           "miogram report --count 500 --out report.xlsx", report)
    report_.add_argument("--count", "-n", type=int, default=999,
                         help="N records of the service's log (1-1000, default 999, the "
                         "document's range; the service lists an account's first 1000 rows)")
    report_.add_argument("--journal", "-j", metavar="J",
                         help="read the records a campaign harvested into its journal instead")
    report_.add_argument("--out", "-o", metavar="FILE.xlsx|.csv",
                         help="write the records here (default: only the summary is printed)")
    report_.add_argument("--force", action="store_true",
                         help="replace the --out file when it already exists")

    dashboard_ = commands.add("dashboard", "open the dashboard page (yours alone: loopback, a "
                              "token in its address)", "miogram dashboard --port 8866", dashboard)
    dashboard_.add_argument("--port", type=int, default=8866,
                            help="port on 127.0.0.1 for the page (default 8866)")
    dashboard_.add_argument("--no-browser", action="store_true",
                            help="print the page's address only; do not open a browser")

    demo_ = commands.add("demo", "run the whole job against a fresh simulator of its own: "
                         "clean, send a personalised campaign, write the report and charts",
                         "miogram demo --out out --contacts sample_data/contacts.xlsx", demo)
    demo_.add_argument("--out", "-o", default="out", metavar="DIR",
                       help="folder for the report and charts (default: out)")
    demo_.add_argument("--contacts", metavar="SHEET",
                       help="contact workbook to use (default: the bundled sample)")


def announce(text: str) -> None:
    """Which service a command uses: always said on stderr, even with ``--quiet``.

    Nobody should believe a message went out when it went to the simulator, or the other way.
    """
    print(text, file=sys.stderr, flush=True)


@contextmanager
def service(args: argparse.Namespace) -> Iterator[Client]:
    """The command's client: ``MIOGRAM_URL``'s service, else the shared built-in simulator."""
    from miogram_toolkit.service import connect

    with connect(live=True, shared=True, announce=announce) as client:
        yield client


# -- the commands ------------------------------------------------------------------------------

def clean(args: argparse.Namespace) -> int:
    """``miogram clean SHEET``: clean the phone column into a new file that keeps the rest."""
    from miogram_toolkit.sheets import ContactFileError, clean_workbook

    source = existing_file(args.sheet)
    out = output_file(args.out, Path(f"{source.stem}_clean.xlsx"), force=args.force)
    assert out is not None
    try:
        done = clean_workbook(source, out, column=args.column, sheet=args.sheet_name,
                              region=args.region, force=True,
                              progress=False if args.quiet else None)
    except ContactFileError as refused:
        raise column_refused(refused, source, args.sheet_name, args.column) from None
    where = f"sheet '{done.sheet}', " if done.sheet else ""
    print(f"{len(done.frame)} rows from {source.name}, {where}phone column '{done.column}':")
    print(done.frame.miogram.summary().to_string())
    kept = [name for name in done.sheets if name != done.sheet]
    print(f"Wrote {out} (every row, with e164, phone_status and phone_reason beside "
          f"'{done.column}'" + (f"; other sheets kept: {', '.join(kept)}" if kept else "")
          + (f"; not written: {', '.join(done.left_out)}" if done.left_out else "") + ").")
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
    from miogram_toolkit.reports.frames import FrozenLogWarning

    if not 1 <= args.count <= 1000:
        raise CommandError(f"--count must be 1 to 1000 (the records of the service's log), "
                           f"got {args.count}")
    out = output_file(args.out, None, force=args.force)
    records: list[dict[str, Any]]
    known_send_at = None
    if args.journal:
        from miogram_toolkit.campaign import read_archive

        records = list(read_archive(existing_file(args.journal, "Journal")))
    else:
        from miogram_toolkit.campaign.journals_found import known_journals, newest_send

        with service(args) as client:
            records = client.get_report(args.count)
        # A send a journal of this machine knows of, newer than the log's newest row, shows
        # the log frozen (the service lists an account's first 1000 rows forever).
        known_send_at = newest_send(known_journals())
    with warnings.catch_warnings():  # said below, once, as a sentence of the command's
        warnings.simplefilter("ignore", FrozenLogWarning)
        frame = records_to_frame(records, known_send_at=known_send_at)
    if frame.attrs.get("log_note"):
        print(frame.attrs["log_note"])
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
        write_table(frame, out, sheet="report", quiet=args.quiet)
        print(f"Wrote {out}.")
    return 0


def dashboard(args: argparse.Namespace) -> int:
    """``miogram dashboard``: the dashboard page, for this user alone, until Ctrl-C."""
    from miogram_toolkit.widgets.serve import serve_dashboard

    return serve_dashboard(args.port, open_browser=not args.no_browser, echo=announce)


def demo(args: argparse.Namespace) -> int:
    """``miogram demo``: the whole job against a fresh simulator (see :mod:`.demo`)."""
    from miogram_toolkit.demo import run_demo
    from miogram_toolkit.service import FRESH_SIMULATOR

    if args.contacts:
        existing_file(args.contacts)
    announce(FRESH_SIMULATOR.replace("simulator", "simulator of the demo's own", 1))
    return run_demo(args.out, contacts=args.contacts, quiet=args.quiet)
