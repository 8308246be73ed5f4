"""``miogram replies``: who answered a campaign and who asked to stop; re-admit a number.

::

    $ miogram replies ~/.local/share/miogram/journals/campaign-1a2b3c4d5e6f7a8b.sqlite
    Replied: 12 of 118 delivered (10%); opt-outs: 3; median time to first reply: 4 min.
    ... one line per reply ...
    $ miogram replies JOURNAL --out replies.xlsx
    $ miogram replies --readmit 09121234567

Reading replies needs the account's ``canGet`` permission (without it: one sentence, nothing
changed); each chat is read through the agent that sent, one request at a time. Opt-out replies go
into the account's ledger; every later campaign of the account leaves those numbers out (reason
``opted_out_by_reply``) unless ``--ignore-reply-opt-outs`` is given to ``send``. ``--readmit``
takes one number off the ledger's opt-outs (the ledger notes when).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from miogram_toolkit.cli.commands import service
from miogram_toolkit.cli.errors import CommandError
from miogram_toolkit.cli.output import output_file, say, write_table
from miogram_toolkit.local import existing_file

if TYPE_CHECKING:
    from miogram_toolkit.campaign.ledger import Ledger
    from miogram_toolkit.cli.parser import Commands

__all__ = ["register", "run_replies"]


def register(commands: Commands) -> None:
    """Add ``replies``."""
    parser = commands.add(
        "replies", "read the replies to a campaign from the agents' chats (or --readmit a "
        "number that opted out)", "miogram replies JOURNAL --out replies.xlsx", run_replies)
    parser.add_argument("journal", nargs="?", metavar="JOURNAL",
                        help="the campaign's journal file (`miogram send` prints it)")
    parser.add_argument("--readmit", metavar="NUMBER",
                        help="take NUMBER off the account's reply opt-outs, so later "
                        "campaigns may message it again (the ledger notes when)")
    parser.add_argument("--out", metavar="FILE",
                        help="also write every reply to FILE (.xlsx or .csv)")
    parser.add_argument("--force", action="store_true", help="replace an existing --out file")
    parser.add_argument("--words", metavar="FILE",
                        help="opt-out words file (one entry a line; '-word' takes a default "
                        "out); default: opt-out-words.txt in the user data folder, if any")
    parser.add_argument("--interval", type=float, default=0.0, metavar="S",
                        help="at least S seconds between two reads (one is ever in flight)")


def run_replies(args: argparse.Namespace) -> int:
    """``miogram replies JOURNAL`` or ``miogram replies --readmit NUMBER``."""
    if args.readmit is not None:
        if args.journal or args.out:
            raise CommandError("--readmit takes one number and nothing else; run "
                               "`miogram replies JOURNAL` separately")
        return _readmit(args)
    if not args.journal:
        raise CommandError("give the campaign's journal file (`miogram send` prints it), or "
                           "--readmit NUMBER")
    from miogram_toolkit.campaign.optout_words import OptOutWords
    from miogram_toolkit.campaign.replies import replies
    from miogram_toolkit.reports.replies import reply_summary_text

    journal = existing_file(args.journal, "Journal")
    if args.interval < 0:
        raise CommandError(f"--interval {args.interval:g}: give 0 or more seconds")
    out = output_file(args.out, None, force=args.force)
    words = OptOutWords.load(args.words)

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            say(args, f"read {done} of {total} chats")

    with service(args) as client:
        found = replies(journal, client, words=words, interval=args.interval,
                        progress=progress)
    for note in found.attrs.get("notes", []):
        say(args, note)
    print(reply_summary_text(found))
    if found.attrs.get("new") is not None:
        say(args, f"{found.attrs['new']} new since the last read; every reply is kept in the "
                  "journal")
    if len(found):
        shown = found[[c for c in found.columns if c not in ("label", "agent",
                                                             "minutes_after_send")]]
        print(shown.to_string(index=False, max_colwidth=40))
    if out is not None:
        write_table(found, out, "replies")
        say(args, f"wrote {out}")
    return 0


def _readmit(args: argparse.Namespace) -> int:
    from miogram_toolkit.campaign.recency import open_ledger
    from miogram_toolkit.phones import to_e164

    number = to_e164([args.readmit]).iloc[0]
    if not isinstance(number, str) or not number:
        raise CommandError(f"--readmit '{args.readmit}' is not a valid phone number; write it "
                           "as on the sheet, e.g. 09121234567 or +989121234567")
    with service(args) as client:
        ledger = open_ledger(client)
        if ledger is None:
            raise CommandError("this simulator runs inside the command and keeps no account "
                               "ledger, so there is nothing to re-admit; serve it with "
                               "`miogram simulator` to keep one")
        return _take_back(ledger, number)


def _take_back(ledger: Ledger, number: str) -> int:
    from miogram_toolkit.protocol.clock import describe_time

    with ledger:
        if number not in ledger.opted_out([number]):
            print(f"{number} is not opted out in this account's ledger; nothing to re-admit.")
            return 0
        events = [e for e in ledger.events(number) if e[2] == "opt_out"]
        now = dt.datetime.now(dt.UTC)
        ledger.readmit(number, at=now, source="miogram replies --readmit")
    if events:
        when = dt.datetime.fromtimestamp(events[-1][1], dt.UTC)
        since = f" (opted out {describe_time(when)}: {events[-1][3]})"
    else:
        since = ""
    print(f"Re-admitted {number}{since}; later campaigns of this account may message it "
          f"again. The ledger notes it at {describe_time(now)}.")
    return 0
