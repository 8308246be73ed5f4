"""Campaigns: a cleaned sheet becomes delivered messages — chunked, paced, resumable, never twice.

What it holds:

* :mod:`.settings` — every option of a campaign, checked in one place;
* :mod:`.identity` — what a campaign is (its account and message, or its name) and where its
  journal lives;
* :mod:`.plan` — cleaning if needed, :mod:`.suppression` (opt-outs, duplicates), :mod:`.templates`
  (``{column}`` placeholders), chunks of rows that share a text, the sheet's row numbers;
* :mod:`.preflight` — the account's answers before any send, the schedule and the summary;
* :mod:`.journal` — the SQLite file (one file at every instant) holding the campaign and every
  recipient's state, keyed by number; :mod:`.journal_file` (creating, refusing, migrating),
  :mod:`.journal_lock` (one sender), :mod:`.journal_adopt` (the sheet edited between runs);
* :mod:`.results` — the sheet's rows with their outcome, and a journal's status;
* :mod:`.runner` with :mod:`.pacing` — lanes over agents, token buckets, quiet hours, what each
  answer does;
* :mod:`.archive` and :mod:`.harvest` — the report log harvested into the journal, and
  reconciliation;
* :mod:`.core` — :class:`Campaign`, the one entry point.

A campaign's life, and each row's::

    campaign:  draft ──run──► running ──every row final──► finished
                                 │  ▲
              pause (credit,     ▼  │ run again (same journal) = resume
              quiet hours, 306   paused
              everywhere, stop   │
              codes, breaker)    └──cancel──► cancelled

    row:  pending ──committed before the request leaves──► in_flight ──answer──► delivered
            ▲  ▲                                              │        └──────► failed (+reason)
            │  └── 306 / 999 / not sent (backoff) ◄───────────┤
            │                                                  └─no answer─► unknown
            └──── absent from the report log ◄── reconcile ◄──────────────────────┘
          skipped (+reason): duplicate_of:<sheet row>, opted_out, phone_<status>,
                             missing_value:<col>, removed_from_sheet

Example:
    >>> import pandas as pd, tempfile, os
    >>> from miogram_toolkit.client import Client
    >>> from miogram_toolkit.simulator import Simulator
    >>> frame = pd.DataFrame({"mobile": ["0912 100 0001", "0912 100 0002"]})
    >>> journal = os.path.join(tempfile.mkdtemp(), "hello.sqlite")
    >>> with Simulator(seed=7, start=False, unreachable_share=0.0) as sim:
    ...     results = Campaign(frame, "Hello!", client=Client.to(sim), rate_per_minute=None,
    ...                        journal=journal).run(progress=False)
    >>> results["state"].tolist()
    ['delivered', 'delivered']
    >>> Campaign.status(journal).counts["delivered"]
    2
"""

from __future__ import annotations

from miogram_toolkit.campaign.core import (
    Campaign,
    CampaignStatus,
    CampaignWarning,
    JournalMismatch,
    read_archive,
)
from miogram_toolkit.campaign.journal import JournalBusy, JournalConflict, NotAJournal
from miogram_toolkit.campaign.pacing import DEFAULT_RATE_PER_MINUTE
from miogram_toolkit.campaign.preflight import PreflightError
from miogram_toolkit.campaign.settings import CampaignSettings
from miogram_toolkit.campaign.templates import TemplateError

__all__ = ["DEFAULT_RATE_PER_MINUTE", "Campaign", "CampaignSettings", "CampaignStatus",
           "CampaignWarning", "JournalBusy", "JournalConflict", "JournalMismatch", "NotAJournal",
           "PreflightError", "TemplateError", "read_archive"]
