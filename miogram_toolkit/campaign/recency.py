"""Across campaigns: who this account messaged lately, and who asked never to be messaged.

The account's ledger (:mod:`.ledger`) knows every number each campaign messaged, or may have
messaged, and the numbers that opted out by a reply. Before a run:

* a **new** campaign (a changed text after a pause is one) that would message anyone this
  account messaged in the last 24 hours is refused in one sentence naming how many, from which
  campaign, and the choices: ``new_campaign=True`` (send anyway) or ``skip_recent=True`` /
  ``not_within="7d"`` (leave them out: ``recently_messaged``);
* numbers opted out by a reply are left out (``opted_out_by_reply``) unless
  ``ignore_reply_opt_outs=True``.

While it runs, every request is noted in the ledger before it leaves and its outcome after
(:meth:`~miogram_toolkit.campaign.journal.Journal.attach_ledger`). The ledger is first seeded from
the journals found in the data folder and in ``miogram_journals/`` (journals of earlier
versions).

Example:
    >>> import tempfile
    >>> from miogram_toolkit.campaign.ledger import Ledger
    >>> ledger = Ledger.open("http://127.0.0.1/dojob.php", "u", tempfile.mkdtemp())
    >>> ledger.record_attempt(["+989121000001"], "spring", at=1_800_000_000)
    >>> refusal = recent_refusal(ledger, ["+989121000001", "+989121000002"], "autumn",
    ...                          now=1_800_000_100)
    >>> refusal.split(";")[0][:72]
    'preflight: 1 of the numbers to send were messaged by this account in the'
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from miogram_toolkit.campaign.identity import LEGACY_JOURNAL_DIR
from miogram_toolkit.campaign.ledger import Ledger
from miogram_toolkit.campaign.settings import RECENT_SECONDS, CampaignSettings
from miogram_toolkit.local import data_path
from miogram_toolkit.protocol.errors import MioGramError

__all__ = ["ledger_skips", "open_ledger", "recent_refusal", "record"]

logger = logging.getLogger("miogram_toolkit.campaign")


def open_ledger(client: Any, folder: str | os.PathLike[str] | None = None) -> Ledger | None:
    """The ledger of the client's account, seeded from the journals found.

    None for a stand-in client that names no account, and for a simulator inside this process
    (its address has port 0): its account lives only as long as the simulator does — unless
    the client says it ``keeps_ledger`` (the ``miogram`` commands' built-in simulator, whose
    state outlives each command). The ledger lives in ``folder``, else in the client's
    ``ledger_folder`` when it names one (the demo keeps its simulator's ledger in its output
    folder), else in the user data folder.
    """
    if folder is None:
        folder = getattr(client, "ledger_folder", None)
    url = str(getattr(client, "base_url", "") or "")
    if not callable(getattr(client, "get_username", None)) or not url \
            or (urlsplit(url).port == 0 and not getattr(client, "keeps_ledger", False)):
        return None
    ledger = Ledger.for_client(client, folder)
    found: list[Path] = []
    for place in (data_path("journals"), Path(LEGACY_JOURNAL_DIR)):
        if place.is_dir():
            found += sorted(place.glob("*.sqlite"))
    try:
        ledger.seed_from_journals(found)
    except (OSError, ValueError) as exc:  # a journal that cannot be read is passed over
        logger.info("seeding the ledger: %s", exc)
    return ledger


def recent_refusal(ledger: Ledger, numbers: Iterable[str], campaign_id: str, *,
                   now: float | None = None) -> str | None:
    """The sentence refusing a new campaign that would message numbers messaged in the last
    24 hours by another campaign, or None."""
    recent = ledger.recent(numbers, within=RECENT_SECONDS, exclude_campaign=campaign_id, now=now)
    if not recent:
        return None
    campaigns: dict[str, int] = {}
    for campaign, _at in recent.values():
        campaigns[campaign] = campaigns.get(campaign, 0) + 1
    named = ", ".join(f"{c}" + (f" ({n})" if len(campaigns) > 1 else "")
                      for c, n in sorted(campaigns.items(), key=lambda kv: -kv[1]))
    return (f"preflight: {len(recent)} of the numbers to send were messaged by this account in "
            f"the last 24 hours (by campaign {named}); to send to them anyway pass "
            "new_campaign=True (--new-campaign), to leave them out skip_recent=True "
            "(--skip-recent) or a longer span such as not_within=\"7d\" (--not-within 7d)")


def ledger_skips(ledger: Ledger | None, numbers: list[str], settings: CampaignSettings,
                 campaign_id: str, *, new: bool) -> tuple[dict[str, str], str | None]:
    """The numbers to leave out (``{e164: reason}``) and the refusal sentence, if any.

    ``new``: the campaign has no journal yet (only a new campaign is refused).
    """
    if ledger is None or not numbers:
        return {}, None
    skips: dict[str, str] = {}
    if not settings.ignore_reply_opt_outs:
        skips.update(dict.fromkeys(ledger.opted_out(numbers), "opted_out_by_reply"))
    rest = [n for n in numbers if n not in skips]
    refusal = None
    if settings.skip_recent:
        recent = ledger.recent(rest, within=settings.recent_seconds,
                               exclude_campaign=campaign_id)
        skips.update(dict.fromkeys(recent, "recently_messaged"))
    elif new and not settings.new_campaign:
        refusal = recent_refusal(ledger, rest, campaign_id)
    return skips, refusal


def record(ledger: Ledger, notes: list[tuple[list[str], str | None]], campaign_id: str
           ) -> None:
    """Note attempts (state None) and outcomes in the ledger, in one write; a failing ledger
    is said once in the log and never stops a send."""
    try:
        ledger.record(notes, campaign_id)
    except (OSError, ValueError, sqlite3.Error, MioGramError) as exc:  # pragma: no cover
        logger.warning("the account's ledger could not be written: %s", exc)
