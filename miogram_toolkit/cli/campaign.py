"""``miogram send``, ``miogram status`` and ``miogram retry``: campaigns from the command line.

:func:`register` adds the three subcommands to the ``miogram`` command's subparsers; each sets
``func(args) -> int``. Errors are raised as exceptions with a one-sentence message; the command's
top level prints them. The secret comes from ``MIOGRAM_SECRET`` and the service from
``MIOGRAM_URL``; without ``MIOGRAM_URL`` a built-in simulator is used, and the command says so
loudly. Running the same ``send`` again resumes from its journal (by default
``miogram_journals/<content hash>.sqlite``).

Exit status: 0 when every row is final (delivered, failed, skipped), 3 when the campaign paused
(the sentence says why and how to resume).

Example:
    $ miogram send contacts.csv --message "Hi {name}" --dry-run
    $ miogram send contacts.csv --message "Hi {name}" --quiet-hours 22:00-08:00
    $ miogram status miogram_journals/4f0c2a9e1b7d3c55.sqlite
    $ miogram retry contacts.csv --message "Hi {name}" --reason not_on_messenger

Also runnable alone: ``python -m miogram_toolkit.cli.campaign send …``.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from miogram_toolkit.protocol.errors import MioGramError

__all__ = ["CampaignIncomplete", "main", "register"]

#: Exit status of a run that ended paused.
PAUSED = 3


class CampaignIncomplete(MioGramError):
    """The campaign paused with rows still to send; the message says why and how to resume."""


def _add_campaign_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sheet", help="the contact sheet (.csv, .tsv, .txt, .xlsx, .xlsm)")
    text = parser.add_mutually_exclusive_group()
    text.add_argument("--message", help="the text; {column} placeholders are filled per row")
    text.add_argument("--message-file", metavar="F", help="read the text from this UTF-8 file")
    parser.add_argument("--column", help="the phone column (found by its header otherwise)")
    parser.add_argument("--sheet", dest="sheet_name", metavar="S", help="the workbook's sheet")
    media = parser.add_mutually_exclusive_group()
    media.add_argument("--photo", metavar="PATH", help="send this photo instead of a text")
    media.add_argument("--video", metavar="PATH", help="send this video instead of a text")
    media.add_argument("--file", metavar="PATH", help="send this file instead of a text")
    parser.add_argument("--whatsapp", action="store_true", help="send the text over WhatsApp")
    parser.add_argument("--chunk-size", type=int, default=40, metavar="N",
                        help="numbers per Mass request, 1..100 (default 40)")
    parser.add_argument("--rate", type=float, default=None, metavar="N",
                        help="messages per minute per agent (default 20; 0 = no pacing)")
    parser.add_argument("--robot", metavar="A,B", help="the agents to use (default: all)")
    parser.add_argument("--opt-out", metavar="FILE", help="numbers never to send to")
    parser.add_argument("--opt-out-sheet", metavar="S", help="the opt-out workbook's sheet")
    parser.add_argument("--quiet-hours", metavar="HH:MM-HH:MM",
                        help="send nothing in these hours (Asia/Tehran unless --tz)")
    parser.add_argument("--tz", default="Asia/Tehran", help="time zone of --quiet-hours")
    parser.add_argument("--stop-when-quiet", action="store_true",
                        help="stop (everything saved) instead of waiting out quiet hours")
    parser.add_argument("--journal", metavar="J", help="the journal file (default: "
                        "miogram_journals/<campaign hash>.sqlite)")
    parser.add_argument("--max-in-flight", type=int, default=1, metavar="N",
                        help="parallel requests, one agent each (default 1)")
    parser.add_argument("--on-unknown", choices=("reconcile", "resend", "skip"),
                        default="reconcile", help="what to do with unanswered requests")
    parser.add_argument("--timeout-base", type=float, default=15.0, metavar="S",
                        help="read timeout of a request, plus --timeout-per-number per number")
    parser.add_argument("--timeout-per-number", type=float, default=1.5, metavar="S")
    parser.add_argument("--out", metavar="FILE", help="also write the sheet with each row's "
                        "outcome to this .xlsx or .csv file")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def register(subparsers: Any) -> None:
    """Add ``send``, ``status`` and ``retry`` to the ``miogram`` command's subparsers."""
    send = subparsers.add_parser("send", help="send a message to every sendable row of a sheet "
                                 "(run again to resume)")
    _add_campaign_arguments(send)
    send.add_argument("--dry-run", action="store_true",
                      help="plan and check only: print the summary, send nothing")
    send.add_argument("--retry-failed", action="store_true",
                      help="first turn the failed rows back to pending")
    send.set_defaults(func=run_send)
    status = subparsers.add_parser("status", help="show a campaign's journal without sending")
    status.add_argument("journal", help="the journal file")
    status.set_defaults(func=run_status)
    retry = subparsers.add_parser("retry", help="send again to the rows that failed")
    _add_campaign_arguments(retry)
    retry.add_argument("--reason", action="append", metavar="R",
                       help="only rows failed for this reason (repeatable; default: all)")
    retry.set_defaults(func=run_retry, dry_run=False, retry_failed=True)


@contextmanager
def _client(echo: Any) -> Iterator[Any]:
    from miogram_toolkit.service import connect, live_service_configured

    if not live_service_configured():
        echo("NOTE: MIOGRAM_URL is not set, so this runs against the BUILT-IN SIMULATOR — no "
             "real message is sent. Set MIOGRAM_URL and MIOGRAM_SECRET to use MioGram.")
    with connect(live=True) as client:
        yield client


def _campaign(args: argparse.Namespace, client: Any) -> Any:
    from miogram_toolkit.campaign.core import Campaign
    from miogram_toolkit.sheets import read_contacts

    sheet = read_contacts(Path(args.sheet), sheet=args.sheet_name)
    message = args.message
    if args.message_file:
        message = Path(args.message_file).read_text(encoding="utf-8")
    opt_out: Any = None
    if args.opt_out:
        opt_out = (args.opt_out, args.opt_out_sheet) if args.opt_out_sheet else args.opt_out
    rate: Any = {} if args.rate is None else {"rate_per_minute": args.rate or None}
    return sheet, Campaign(
        sheet, message, client=client, column=args.column, photo=args.photo, video=args.video,
        file=args.file, whatsapp=args.whatsapp, chunk_size=args.chunk_size, robots=args.robot,
        opt_out=opt_out, quiet_hours=args.quiet_hours, tz=args.tz,
        on_quiet="stop" if args.stop_when_quiet else "wait", journal=args.journal,
        on_unknown=args.on_unknown, max_in_flight=args.max_in_flight,
        timeout_base=args.timeout_base, timeout_per_number=args.timeout_per_number, **rate)


def _finish(args: argparse.Namespace, sheet: Any, campaign: Any, results: Any,
            echo: Any) -> int:
    counts = results["state"].value_counts().to_dict()
    shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    echo(f"{shown}; journal {campaign.journal_path}")
    if args.out:
        _write_out(Path(args.out), sheet, results)
        echo(f"wrote {args.out}")
    outcome = campaign.outcome
    if outcome is not None and outcome.state != "finished":
        raise CampaignIncomplete(f"the campaign paused: {outcome.reason}")
    return 0


def _write_out(path: Path, sheet: Any, results: Any) -> None:
    import pandas as pd

    joined = sheet.join(results.add_prefix("campaign_"))
    for column in joined.columns:
        if isinstance(joined[column].dtype, pd.DatetimeTZDtype):  # Excel has no time zones
            joined[column] = joined[column].dt.tz_convert("UTC").dt.tz_localize(None) \
                .dt.floor("s")
    if path.suffix.lower() == ".csv":
        joined.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        from miogram_toolkit.sheets import write_excel

        write_excel({"results": joined}, path)


def run_send(args: argparse.Namespace, echo: Any = None) -> int:
    """``miogram send``: plan, check, send (or resume); 0 when every row is final."""
    echo = echo or (lambda text: print(text, file=sys.stderr))
    with _client(echo) as client:
        sheet, campaign = _campaign(args, client)
        if args.dry_run:
            plan = campaign.dry_run()
            echo(campaign.summary)
            if args.out:
                _write_out(Path(args.out), sheet, plan.drop(columns=["e164"]))
                echo(f"wrote {args.out}")
            return 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the outcome is reported below, once
            if args.retry_failed:
                results = campaign.retry(getattr(args, "reason", None),
                                         progress=not args.no_progress)
            else:
                results = campaign.run(progress=not args.no_progress)
        return _finish(args, sheet, campaign, results, echo)


def run_retry(args: argparse.Namespace, echo: Any = None) -> int:
    """``miogram retry``: the failed rows (by ``--reason``) back to pending, then send."""
    args.retry_failed = True
    return run_send(args, echo)


def run_status(args: argparse.Namespace, echo: Any = None) -> int:
    """``miogram status``: print a journal's state and counts; 0 when every row is final."""
    from miogram_toolkit.campaign.core import Campaign

    echo = echo or print
    if not os.path.exists(args.journal):
        raise FileNotFoundError(f"no journal at {args.journal!r}")
    status = Campaign.status(args.journal)
    echo(str(status))
    return 0 if status.done else PAUSED


def main(argv: Sequence[str] | None = None) -> int:
    """Run the three subcommands on their own (``python -m miogram_toolkit.cli.campaign``)."""
    parser = argparse.ArgumentParser(prog="miogram")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except CampaignIncomplete as exc:
        print(str(exc), file=sys.stderr)
        return PAUSED
    except (MioGramError, ValueError, OSError) as exc:
        print(str(exc), file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
