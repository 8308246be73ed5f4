"""``miogram send``, ``miogram status`` and ``miogram retry``: campaigns from the command line.

The secret comes from ``MIOGRAM_SECRET`` and the service from ``MIOGRAM_URL``; without
``MIOGRAM_URL`` the shared built-in simulator is used (:mod:`miogram_toolkit.service`), and the
command says so first. Running the same ``send`` again resumes from its journal.

::

    send / retry ─► the sheet read and planned (nothing asked of the service yet)
                 ─► MIOGRAM_URL set and not --dry-run?
                       no terminal, no --yes ─► refused in one sentence naming --yes
                       else the plan's one line ─► "Send? [y/N]" (skipped with --yes)
                 ─► run (or resume) ─► the counts, the journal, --out

Exit status: 0 when every row is final (delivered, failed, skipped), 3 when the campaign paused
(the sentence says why and how to resume), 1 for an error, 130 when interrupted.

Example:
    $ miogram send contacts.csv --message "Hi {name}" --dry-run
    $ miogram send contacts.csv --message-file message.txt --quiet-hours 22:00-08:00
    $ miogram status ~/.local/share/miogram/journals/4f0c2a9e1b7d3c55.sqlite
    $ miogram retry contacts.csv --message "Hi {name}" --reason not_on_messenger
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from miogram_toolkit.cli.commands import announce
from miogram_toolkit.cli.errors import EXIT_PAUSED, CampaignIncomplete, CommandError
from miogram_toolkit.cli.output import output_file, read_sheet, say, write_table
from miogram_toolkit.local import existing_file

if TYPE_CHECKING:
    from miogram_toolkit.cli.parser import Commands

__all__ = ["read_message", "register", "run_retry", "run_send", "run_status"]

_SEND_EXAMPLE = ("miogram send contacts.xlsx --message 'سلام {name}' --opt-out contacts.xlsx "
                 "--opt-out-sheet Unsubscribed --dry-run")
_RETRY_EXAMPLE = "miogram retry contacts.xlsx --message 'سلام {name}' --reason not_on_messenger"


def register(commands: Commands) -> None:
    """Add ``send``, ``status`` and ``retry``."""
    send = commands.add("send", "send a message to every sendable row of a sheet (run again "
                        "to resume)", _SEND_EXAMPLE, run_send)
    _add_campaign_arguments(send)
    send.add_argument("--dry-run", action="store_true",
                      help="plan and check only: print the summary, send nothing")
    send.add_argument("--retry-failed", action="store_true",
                      help="first turn the failed rows back to pending")
    status = commands.add("status", "show a campaign's journal without sending",
                          "miogram status ~/.local/share/miogram/journals/84011a001b5e2b92.sqlite",
                          run_status)
    status.add_argument("journal", help="the journal file (send prints where it is)")
    retry = commands.add("retry", "send again to the rows that failed", _RETRY_EXAMPLE,
                         run_retry, dry_run=False, retry_failed=True)
    _add_campaign_arguments(retry)
    retry.add_argument("--reason", action="append", metavar="R",
                       help="only rows failed for this reason (repeatable; default: all)")
    retry.add_argument("--unknown", action="store_true",
                       help="also send again to rows whose outcome is unknown (they may get "
                       "the message twice)")


def _add_campaign_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sheet", help="the contact sheet (.csv, .tsv, .txt, .xlsx, .xlsm)")
    text = parser.add_mutually_exclusive_group()
    text.add_argument("--message", help="the text; {column} placeholders are filled per row")
    text.add_argument("--message-file", metavar="F", help="read the text from this file "
                      "(UTF-8, UTF-16 or Windows-1256, found by itself)")
    parser.add_argument("--column", help="the phone column (found by its header otherwise)")
    parser.add_argument("--sheet", dest="sheet_name", metavar="S", help="the workbook's sheet")
    media = parser.add_mutually_exclusive_group()
    media.add_argument("--photo", metavar="PATH", help="send this photo instead of a text")
    media.add_argument("--video", metavar="PATH", help="send this video instead of a text")
    media.add_argument("--file", metavar="PATH", help="send this file instead of a text")
    parser.add_argument("--whatsapp", action="store_true", help="send the text over WhatsApp")
    parser.add_argument("--chunk-size", type=int, default=40, metavar="N",
                        help="numbers per Mass request, 1..50 (100 over WhatsApp; default 40)")
    parser.add_argument("--rate", type=float, default=None, metavar="N",
                        help="messages per minute per agent (default 20: a chunk of 40 every "
                        "2 minutes per agent); 0 = no pacing")
    parser.add_argument("--robot", metavar="A,B", help="the agents to use (default: all)")
    parser.add_argument("--opt-out", metavar="FILE", help="numbers never to send to")
    parser.add_argument("--opt-out-sheet", metavar="S", help="the opt-out workbook's sheet")
    parser.add_argument("--ignore-reply-opt-outs", action="store_true",
                        help="send even to numbers that answered an earlier campaign with an "
                        "opt-out word (they are skipped by default)")
    parser.add_argument("--quiet-hours", metavar="HH:MM-HH:MM",
                        help="send nothing in these hours (Asia/Tehran unless --tz)")
    parser.add_argument("--tz", default="Asia/Tehran", help="time zone of --quiet-hours")
    parser.add_argument("--stop-when-quiet", action="store_true",
                        help="stop (everything saved) instead of waiting out quiet hours")
    who = parser.add_argument_group("the campaign and the account's other campaigns")
    who.add_argument("--campaign", metavar="NAME", help="name the campaign: the same name "
                     "continues it even when the message changes")
    who.add_argument("--new-campaign", action="store_true",
                     help="a new campaign to the same people on purpose (numbers this account "
                     "messaged recently are sent to again)")
    who.add_argument("--skip-recent", action="store_true",
                     help="leave out numbers this account messaged in the last day")
    who.add_argument("--not-within", metavar="SPAN",
                     help="leave out numbers messaged within SPAN (7d, 12h, 90m)")
    parser.add_argument("--journal", metavar="J", help="the journal file (default: one per "
                        "campaign in the user data folder; send prints where)")
    parser.add_argument("--max-in-flight", type=int, default=1, metavar="N",
                        help="parallel requests, one agent each (default 1)")
    parser.add_argument("--on-unknown", choices=("reconcile", "resend", "skip"),
                        default="reconcile", help="what to do with unanswered requests")
    parser.add_argument("--timeout-base", type=float, default=15.0, metavar="S",
                        help="read timeout of a request, plus --timeout-per-number per number")
    parser.add_argument("--timeout-per-number", type=float, default=1.5, metavar="S")
    parser.add_argument("--out", metavar="FILE", help="also write the sheet with each row's "
                        "outcome to this .xlsx or .csv file")
    parser.add_argument("--force", action="store_true", help="replace the --out file when it "
                        "already exists")
    parser.add_argument("--yes", "-y", action="store_true",
                        help="with MIOGRAM_URL set, send without asking first (for scripts)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


# -- reading what the user gave ----------------------------------------------------------------

def read_message(path: str) -> str:
    """The text of a message file, read like a contact file: the encoding found by itself.

    UTF-8 with or without a byte-order mark, UTF-16 with one (Notepad's "Unicode"), else
    Windows-1256 (Persian Windows' own). The mark is never part of the text sent.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "m.txt")
        >>> _ = open(path, "wb").write("\\ufeffسلام".encode("utf-8"))
        >>> read_message(path)
        'سلام'
    """
    data = existing_file(path, "Message file").read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1256", errors="replace")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise CommandError(f"Message file '{path}' is empty; write the message in it")
    return text


def _check_content(args: argparse.Namespace) -> None:
    if not (args.message or args.message_file or args.photo or args.video or args.file):
        raise CommandError("give the message with --message TEXT or --message-file FILE (or "
                           "--photo, --video or --file to send a file)")


def _check_reasons(args: argparse.Namespace) -> list[str] | None:
    from miogram_toolkit.protocol.reasons import nearest_reason, reasons_of_kind

    given = getattr(args, "reason", None)
    if not given:
        return None
    known = set(reasons_of_kind("failed"))
    for reason in given:
        if reason.partition(":")[0] in known:
            continue
        near = nearest_reason(reason, "failed")
        hint = (f"did you mean {near}?" if near
                else f"the reasons are {', '.join(sorted(known))}.")
        raise CommandError(f"--reason '{reason}' is not a reason a row can fail for; {hint}")
    return list(given)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of ``Campaign(...)`` from the flags (new ones only when given)."""
    options: dict[str, Any] = {
        "column": args.column, "photo": args.photo, "video": args.video, "file": args.file,
        "whatsapp": args.whatsapp, "chunk_size": args.chunk_size, "robots": args.robot,
        "quiet_hours": args.quiet_hours, "tz": args.tz,
        "on_quiet": "stop" if args.stop_when_quiet else "wait", "journal": args.journal,
        "on_unknown": args.on_unknown, "max_in_flight": args.max_in_flight,
        "timeout_base": args.timeout_base, "timeout_per_number": args.timeout_per_number}
    if args.opt_out:
        options["opt_out"] = (args.opt_out, args.opt_out_sheet) if args.opt_out_sheet \
            else args.opt_out
    if args.rate is not None:
        options["rate_per_minute"] = args.rate or None
    for flag, key in (("campaign", "name"), ("new_campaign", "new_campaign"),
                      ("skip_recent", "skip_recent"), ("not_within", "not_within"),
                      ("ignore_reply_opt_outs", "ignore_reply_opt_outs")):
        if getattr(args, flag):
            options[key] = getattr(args, flag)
    return options


def _campaign(args: argparse.Namespace, sheet: Any, message: str | None, client: Any) -> Any:
    from miogram_toolkit.campaign import Campaign

    return Campaign(sheet, message, client=client, **_options(args))


# -- going live --------------------------------------------------------------------------------

def _confirm(args: argparse.Namespace, campaign: Any) -> None:
    """With ``MIOGRAM_URL`` set: the plan in one line, then ``--yes`` or a person's yes."""
    from miogram_toolkit.service import service_url

    where = service_url()
    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    if not args.yes and not interactive:
        raise CommandError(f"MIOGRAM_URL is set, so miogram {args.command} would message real "
                           f"people through {where} and there is no terminal to ask: run it "
                           f"again with --yes to confirm")
    announce(f"Plan: {_plan_line(args, campaign)} through {where}.")
    if args.yes:
        return
    print("Send now? Type yes to send, anything else to stop: ", end="", file=sys.stderr,
          flush=True)
    line = sys.stdin.readline()
    if not line.endswith("\n"):  # Ctrl-D: end the prompt's line ourselves
        print(file=sys.stderr)
    if line.strip().lower() not in ("y", "yes"):
        raise CommandError("Nothing was sent (not confirmed); run the same command again to "
                           "send, or add --yes")


def _plan_line(args: argparse.Namespace, campaign: Any) -> str:
    if args.command == "retry":
        from miogram_toolkit.campaign import Campaign

        if not Path(campaign.journal_path).exists():
            return "no journal yet, so every sendable row of the sheet is sent"
        rows = Campaign.status(campaign.journal_path).rows
        failed = rows["state"] == "failed"
        reasons = getattr(args, "reason", None)
        if reasons:
            failed &= rows["reason"].fillna("").str.partition(":")[0].isin(reasons)
        again = int(failed.sum()) + (int((rows["state"] == "unknown").sum())
                                     if getattr(args, "unknown", False) else 0)
        return f"{again} rows sent again of campaign {Path(campaign.journal_path).name}"
    plan = campaign.dry_run()
    states = plan["state"].value_counts()
    return (f"{int(states.get('planned', 0))} messages to send, {int(states.get('skipped', 0))} "
            f"rows skipped, of {len(plan)} rows in {Path(args.sheet).name}")


# -- the commands ------------------------------------------------------------------------------

def run_send(args: argparse.Namespace) -> int:
    """``miogram send``: plan, check, send (or resume); 0 when every row is final."""
    from miogram_toolkit.service import connect, live_service_configured

    _check_content(args)
    reasons = _check_reasons(args)
    out = output_file(args.out, None, force=args.force)
    # What the user gave is read before the service is asked anything.
    sheet = read_sheet(existing_file(args.sheet), args.sheet_name, args.column)
    message = read_message(args.message_file) if args.message_file else args.message
    if live_service_configured():
        from miogram_toolkit.sheets.sample_marks import refuse_samples

        # The sample contacts look like real subscribers: never to a service off this machine.
        refuse_samples(sheet, os.environ["MIOGRAM_URL"].strip())
    with connect(live=True, shared=True, announce=announce) as client:
        campaign = _campaign(args, sheet, message, client)
        if args.dry_run:
            plan = campaign.dry_run()
            say(args, str(campaign.summary))
            if out is not None:
                write_table(_joined(sheet, plan.drop(columns=["e164"])), out, "plan",
                            quiet=args.quiet)
                say(args, f"wrote {out}")
            return 0
        if live_service_configured():
            _confirm(args, campaign)
        progress = not (args.no_progress or args.quiet)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the outcome is reported below, once
            if args.retry_failed:
                extra = {"unknown": True} if getattr(args, "unknown", False) else {}
                results = campaign.retry(reasons, progress=progress, **extra)
            else:
                results = campaign.run(progress=progress)
    return _finish(args, sheet, campaign, results, out)


def run_retry(args: argparse.Namespace) -> int:
    """``miogram retry``: the failed rows (by ``--reason``) back to pending, then send."""
    args.retry_failed = True
    return run_send(args)


def _finish(args: argparse.Namespace, sheet: Any, campaign: Any, results: Any,
            out: Path | None) -> int:
    counts = results["state"].value_counts().to_dict()
    shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    announce(f"{shown}; journal {campaign.journal_path}")
    note = results.attrs.get("note")
    if note:  # e.g. a finished campaign run again: "nothing left to send: …"
        announce(str(note)[0].upper() + str(note)[1:] + ".")
    unknown = int(counts.get("unknown", 0))
    if unknown:
        announce(f"{unknown} rows have an unknown outcome (their reason says why): miogram "
                 f"status shows them; the same command as miogram retry with --unknown sends "
                 f"them again, and they may then get the message twice.")
    if out is not None:
        write_table(_joined(sheet, results), out, "results", quiet=args.quiet)
        announce(f"wrote {out}")
    outcome = campaign.outcome
    if outcome is not None and outcome.state != "finished":
        raise CampaignIncomplete(f"the campaign paused: {outcome.reason}")
    return 0


def _joined(sheet: Any, results: Any) -> Any:
    return sheet.join(results.add_prefix("campaign_"))


def run_status(args: argparse.Namespace) -> int:
    """``miogram status``: print a journal's state and counts; 0 when every row is final."""
    from miogram_toolkit.campaign import Campaign

    journal = existing_file(args.journal, "Journal")
    status = Campaign.status(journal)
    print(str(status))
    return 0 if status.done else EXIT_PAUSED
