"""``Campaign``: a cleaned sheet in, one journal, delivered messages out — never twice.

The campaign is its account and its message (:mod:`.identity`): run again after editing the
sheet, it continues (:mod:`.journal_adopt`). Settings are checked in one place
(:mod:`.settings`), the dry run is built by :mod:`.plan` and :mod:`.preflight`, the results by
:mod:`.results`.

Example:
    >>> import pandas as pd, tempfile, os
    >>> from miogram_toolkit.client import Client
    >>> from miogram_toolkit.simulator import Simulator
    >>> frame = pd.DataFrame({"mobile": ["0912 100 0001", "0912 100 0002", "0912 100 0001"],
    ...                       "name": ["Ali", "Sara", "Ali (again)"]})
    >>> folder = tempfile.mkdtemp()
    >>> with Simulator(seed=7, start=False, unreachable_share=0.0) as sim:
    ...     campaign = Campaign(frame, "Hi {name}!", client=Client.to(sim), rate_per_minute=None,
    ...                         journal=os.path.join(folder, "hello.sqlite"))
    ...     results = campaign.run(progress=False)
    >>> results["state"].tolist(), results["reason"].tolist()
    (['delivered', 'delivered', 'skipped'], [<NA>, <NA>, 'duplicate_of:2'])
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.campaign.dry_run import dry_run_frame
from miogram_toolkit.campaign.identity import Identity, account_of, adopt_legacy, campaign_identity
from miogram_toolkit.campaign.journal import Journal
from miogram_toolkit.campaign.journal_adopt import JournalMismatch, adopt, check_belongs
from miogram_toolkit.campaign.ledger import Ledger
from miogram_toolkit.campaign.plan import Content, Plan, build_plan
from miogram_toolkit.campaign.preflight import (
    PreflightError,
    check,
    check_chunk_size,
    refuse_if_nothing_to_send,
)
from miogram_toolkit.campaign.recency import ledger_skips, open_ledger, record
from miogram_toolkit.campaign.replies import replies
from miogram_toolkit.campaign.results import (
    CampaignStatus,
    read_archive,
    results_frame,
    settled_numbers,
    status_of,
)
from miogram_toolkit.campaign.runner import Outcome, Runner
from miogram_toolkit.campaign.settings import CampaignSettings
from miogram_toolkit.campaign.suppression import OptOut
from miogram_toolkit.protocol.errors import MioGramError
from miogram_toolkit.sheets.sample_marks import refuse_samples

__all__ = ["Campaign", "CampaignStatus", "CampaignWarning", "JournalMismatch", "read_archive"]

logger = logging.getLogger("miogram_toolkit.campaign")

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class CampaignWarning(UserWarning):
    """A run ended paused or with rows whose outcome is unknown; the message says why."""


class Campaign:
    """One message (or file) to every sendable row of a frame, journaled, paced, resumable.

    Args:
        frame: the contacts; cleaned (``e164``/``phone_status``) or not (then cleaned here).
            Never changed.
        message: the text, with ``{column}`` placeholders (None for a photo/video/file).
        client: the MioGram client (default ``Client.from_env()``).
        photo, video, file: a path (or bytes) to send instead of a text.
        whatsapp: send the text over WhatsApp (beta).
        opt_out: numbers never to send to (Series, list, DataFrame, path, or (path, sheet)).
        sleep: how to wait (tests pass a fake).
        settings: a :class:`~miogram_toolkit.campaign.settings.CampaignSettings`, or
        **options: its fields by name — ``chunk_size`` (default 40; at most 50 where the
            gateway paces the send, 100 over WhatsApp), ``rate_per_minute`` (default 20 per
            agent; None: no pacing), ``robots``, ``quiet_hours`` / ``tz`` / ``on_quiet``,
            ``journal`` (default: named from the campaign's identity in the user data folder;
            ``":memory:"``: kept in this object only), ``name`` (names the campaign: its
            identity instead of its message), ``on_unknown``, ``max_in_flight``, ``region``,
            ``column``, ``timeout_base`` / ``timeout_per_number``, ``breaker``, ``backoff``,
            ``durable``, ``new_campaign`` / ``skip_recent`` / ``not_within``,
            ``ignore_reply_opt_outs``.

    Raises:
        ValueError: a bad setting, a placeholder naming no column, no message, several files.
        PreflightError: a chunk the service could not answer in time.

    Example:
        >>> import pandas as pd
        >>> c = Campaign(pd.DataFrame({"mobile": ["09121000001"]}), "Hi", client=object(),
        ...              journal=":memory:")
        >>> c.plan.rows[["e164", "sheet_row", "chunk"]].to_dict("records")
        [{'e164': '+989121000001', 'sheet_row': 2, 'chunk': 1}]
    """

    def __init__(self, frame: pd.DataFrame, message: str | None = None, *, client: Any = None,
                 photo: Any = None, video: Any = None, file: Any = None, whatsapp: bool = False,
                 opt_out: OptOut | None = None, sleep: Any = time.sleep,
                 settings: CampaignSettings | None = None, **options: Any) -> None:
        if settings is not None and options:
            raise ValueError(f"{next(iter(options))}: give the options or settings=, not both")
        self.settings = settings or CampaignSettings.from_options(**options)
        self.content = Content.of(message, photo=photo, video=video, file=file,
                                  whatsapp=whatsapp)
        paced = not self.content.whatsapp
        check_chunk_size(self.settings.chunk_size, whatsapp=not paced,
                         limit=CampaignSettings.chunk_limit(whatsapp=not paced))
        self.plan: Plan = build_plan(frame, self.content, column=self.settings.column,
                                     opt_out=opt_out, chunk_size=self.settings.chunk_size,
                                     region=self.settings.region)
        self._client = client
        self._sleep = sleep
        self._identity: Identity | None = None
        self._journal_path: str | None = self.settings.journal
        self.summary: str | None = None
        self.outcome: Outcome | None = None
        # Every connection to ":memory:" is a database of its own: that journal is opened once
        # and kept open by this object, so its runs, retries and results all see it.
        self._memory: Journal | None = None

    def __repr__(self) -> str:
        return (f"Campaign({self.content.func}, rows={len(self.plan.rows)}, "
                f"to_send={len(self.plan.sendable)}, journal={self._journal_path!r})")

    # -- the client and the campaign's identity ---------------------------------------------

    @property
    def client(self) -> Any:
        if self._client is None:
            from miogram_toolkit.client import Client

            self._client = Client.from_env()
        return self._client

    @property
    def identity(self) -> Identity:
        """The campaign's account and message (or name); asks the service its user name once."""
        if self._identity is None:
            try:
                base_url, username = account_of(self.client)
            except MioGramError as exc:
                raise PreflightError(f"preflight: the service refused to say the account's "
                                     f"user name ({exc})") from None
            self._identity = campaign_identity(base_url, username, self.content,
                                               self.settings.name)
        return self._identity

    @property
    def journal_path(self) -> str:
        """The journal: ``journal=``, or named from the identity in the user data folder (a
        journal of the first format for this sheet and message is moved there)."""
        if self._journal_path is None:
            path = self.identity.journal_path()
            if not path.exists():
                adopt_legacy(self.plan, path)
            self._journal_path = str(path)
        return self._journal_path

    @property
    def durable(self) -> bool:
        """Whether ``in_flight`` commits are forced to disk (see ``durable=``)."""
        if self.settings.durable is not None:
            return self.settings.durable
        from urllib.parse import urlsplit

        # The client's address, or the one Client.from_env() will use (no client made here).
        url = getattr(self._client, "base_url", None) if self._client is not None else \
            os.environ.get("MIOGRAM_URL", "").strip()
        return (urlsplit(str(url or "")).hostname or "") not in _LOOPBACK

    @property
    def _in_memory(self) -> bool:
        return self._journal_path == ":memory:"

    def _meta(self) -> dict[str, Any]:
        identity = self.identity
        return {"campaign_id": identity.campaign_id, "account": identity.account,
                "name": self.settings.name, "func": self.content.func,
                "template": self.content.template or "", "file_sha256": self.content.digest,
                "content_hash": self.plan.content_hash}

    # -- dry run -------------------------------------------------------------------------------

    def _done_numbers(self) -> dict[str, tuple[str, str | None]]:
        if self._memory is not None:
            return settled_numbers(self._memory.frame())
        if self._in_memory or not Path(self.journal_path).exists():
            return {}
        store = Journal(self.journal_path, read_only=True)
        try:
            return settled_numbers(store.frame())
        finally:
            store.close()

    def dry_run(self) -> pd.DataFrame:
        """The fully rendered plan, after asking the account (no send).

        Rows whose number this campaign's journal already settled show their state there
        (``delivered``, ``failed``, ``unknown``) and are not counted as to send.

        Returns:
            A frame on the input's index: ``sheet_row, e164, state`` (``planned``/``skipped``
            or the journal's), ``reason, message, bytes, chunk, agent, planned_at``; the
            one-screen summary is in :attr:`summary` and in ``frame.attrs["summary"]``.

        Raises:
            PreflightError: the campaign cannot succeed (one sentence says why).
        """
        refuse_if_nothing_to_send(self.plan)
        refuse_samples(self.plan.sendable["e164"], getattr(self.client, "base_url", None))
        ledger, refusal = self._apply_ledger(new=not Path(self.journal_path).exists())
        if ledger is not None:
            ledger.close()
        done = self._done_numbers()
        flight = None
        if any(n not in done for n in self.plan.sendable["e164"]):
            flight = check(self.plan.with_skips({n: "already_sent" for n in done}), self.client,
                           robots=self.settings.robots,
                           needed=int((~self.plan.sendable["e164"].isin(done)).sum()))
        frame, self.summary = dry_run_frame(
            self.plan, flight, self.settings, done, journal=self.journal_path,
            campaign_id=self.identity.campaign_id, whatsapp=self.content.whatsapp)
        if refusal:  # the run would refuse: the dry run says so, and why
            self.summary = frame.attrs["summary"] = f"{self.summary}\nWarning: {refusal}"
        return frame

    def _apply_ledger(self, *, new: bool) -> tuple[Ledger | None, str | None]:
        """Leave out whom the account's ledger says to (opted out by a reply, messaged recently
        when asked); return the ledger and the sentence refusing a new campaign, if any."""
        ledger = open_ledger(self.client)
        if ledger is None:
            return None, None
        numbers = self.plan.sendable["e164"].astype(str).tolist()
        skips, refusal = ledger_skips(ledger, numbers, self.settings,
                                      self.identity.campaign_id, new=new)
        self.plan = self.plan.with_skips(skips)
        return ledger, refusal

    # -- the journal ---------------------------------------------------------------------------

    def _open_journal(self) -> Journal:
        if self._memory is not None:
            return self._memory
        journal = Journal(self.journal_path, durable=self.durable)
        try:
            journal.acquire()
            if not journal.is_new:
                check_belongs(journal, self._meta(), legacy_hash=self.plan.content_hash)
            change = adopt(journal, self.plan, self._meta())
            if change.removed:
                logger.warning("%d numbers of this campaign are no longer in the sheet: not "
                               "sent (removed_from_sheet)", len(change.removed))
        except BaseException:
            journal.close()
            raise
        if self._in_memory:
            self._memory = journal
        return journal

    def _close_journal(self, journal: Journal) -> None:
        if journal is not self._memory:
            journal.close()

    # -- running -------------------------------------------------------------------------------

    def run(self, progress: bool = True, *, dry_run: bool = False) -> pd.DataFrame:
        """Send every pending row, resuming from the journal; return the results.

        Args:
            progress: show a progress bar (a widget in notebooks).
            dry_run: only plan and preflight; returns :meth:`dry_run`'s frame.

        Returns:
            :meth:`results`. When the run ends paused (credit, quiet hours, the service
            refusing, every agent refusing, the circuit breaker), a :class:`CampaignWarning`
            says why; running again resumes. A campaign with nothing left to send says so in
            ``results.attrs["note"]`` and sends nothing.

        Raises:
            PreflightError: the campaign cannot succeed as it stands.
            JournalMismatch: the journal belongs to another campaign.
        """
        if dry_run:
            return self.dry_run()
        refuse_if_nothing_to_send(self.plan)  # a sheet with no usable row is a mistake
        refuse_samples(self.plan.sendable["e164"], getattr(self.client, "base_url", None))
        new = self._memory is None and (self._in_memory or not Path(self.journal_path).exists())
        ledger, refusal = self._apply_ledger(new=new)
        try:
            if refusal:
                raise PreflightError(refusal)
            agents = None
            if new:
                # A new campaign: ask the account before the journal is written, so a refusal
                # leaves nothing behind.
                agents = check(self.plan, self.client, robots=self.settings.robots,
                               needed=len(self.plan.sendable)).agents
            journal = self._open_journal()
            if ledger is not None:
                campaign_id = self.identity.campaign_id
                journal.attach_ledger(lambda notes: record(ledger, notes, campaign_id))
            try:
                self.outcome = self._run(journal, progress, agents)
            finally:
                self._close_journal(journal)
        finally:
            if ledger is not None:
                ledger.close()
        if self.outcome.state != "finished":
            warnings.warn(f"campaign paused: {self.outcome.reason}", CampaignWarning,
                          stacklevel=2)
        elif self.outcome.counts.get("unknown"):
            warnings.warn(f"campaign finished with {self.outcome.counts['unknown']} rows whose "
                          "outcome is unknown (see their reason)", CampaignWarning, stacklevel=2)
        results = self.results()
        if self.outcome.reason and self.outcome.state == "finished":
            results.attrs["note"] = self.outcome.reason
        return results

    def _run(self, journal: Journal, progress: bool, agents: list[str] | None) -> Outcome:
        counts = journal.counts()
        open_requests = counts["in_flight"] + counts["unknown"]
        if agents is not None and (counts["pending"] or open_requests):
            pass  # asked just before the journal was written
        elif counts["pending"]:
            agents = check(self.plan, self.client, robots=self.settings.robots,
                           needed=counts["pending"] + open_requests).agents
        elif open_requests:
            agents = list(self.settings.robots or self.client.get_robots())
        else:
            journal.set_meta(state="finished", reason=None)
            note = ("nothing left to send: every row of this campaign is final ("
                    + ", ".join(f"{k} {v}" for k, v in counts.items() if v) + ")")
            logger.info("%s", note)
            return Outcome("finished", note, counts)
        journal.set_meta(state="running", reason=None, settings=self.settings.to_json(),
                         started_at=time.time())
        journal.event("run", f"{counts['pending']} pending, {open_requests} to settle")
        bar = _progress_bar(counts, len(self.plan.sendable)) if progress else None
        try:
            runner = Runner(journal, self.client, self.content, self.settings.for_runner(),
                            agents, progress=bar, sleep=self._sleep)
            try:
                outcome = runner.run()
            except KeyboardInterrupt:
                journal.set_meta(state="paused", reason="interrupted by the user")
                journal.event("paused", "interrupted by the user")
                raise
        finally:
            if bar is not None:
                bar.close()
        journal.set_meta(state=outcome.state, reason=outcome.reason)
        journal.event(outcome.state, outcome.reason or "every row is final")
        return outcome

    def results(self) -> pd.DataFrame:
        """Every input row on the input's index: sheet_row, e164, state, reason, agent, chunk,
        attempts, sent_at (Tehran time). Rows not yet in the journal show the plan; numbers of
        the campaign no longer in the sheet are in ``attrs["removed_from_sheet"]``."""
        if self._memory is not None:
            return results_frame(self.plan, self._memory.frame())
        if self._in_memory or not Path(self.journal_path).exists():
            return results_frame(self.plan, None)
        journal = Journal(self.journal_path, read_only=True)
        try:
            return results_frame(self.plan, journal.frame())
        finally:
            journal.close()

    def replies(self, client: Any = None, **options: Any) -> pd.DataFrame:
        """The recipients' replies, read from the chats of the agents that sent (stored in the
        journal, opt-outs marked in the account's ledger); see
        :func:`~miogram_toolkit.campaign.replies.replies` for ``options``."""
        journal = self._memory if self._memory is not None else self.journal_path
        return replies(journal, client or self.client, **options)

    def retry(self, reasons: Any = None, progress: bool = True, *,
              unknown: bool = False) -> pd.DataFrame:
        """Try the failed rows again (those with one of ``reasons``, or all), then run.

        Delivered rows are never touched. ``reasons`` is a reason or a list of them
        (``"not_on_messenger"``, ``"bad_number"``, …). ``unknown=True`` also sends again the
        rows whose outcome is unknown — explicitly, with a warning: some of them may have
        received the message already and will receive it twice.

        Returns:
            :meth:`results` after the run.
        """
        if isinstance(reasons, str):
            reasons = [reasons]
        wanted = list(reasons) if reasons is not None else None
        journal = self._open_journal()
        try:
            again = journal.retry_failed(wanted, journal.max_chunk() + 1,
                                         self.settings.chunk_size)
            if unknown:
                risky = journal.retry_failed(None, journal.max_chunk() + 1,
                                             self.settings.chunk_size, state="unknown")
                if risky:
                    warnings.warn(f"{risky} rows whose outcome was unknown are sent again: "
                                  "some of them may have received the message already and "
                                  "will receive it twice", CampaignWarning, stacklevel=2)
                again += risky
            journal.event("retry", f"{again} rows back to pending")
            logger.info("retry: %d rows will be tried again", again)
        finally:
            self._close_journal(journal)
        return self.run(progress=progress)

    def cancel(self) -> None:
        """Cancel the campaign: rows not sent yet become ``skipped`` (``cancelled``)."""
        journal = self._open_journal()
        try:
            pending = [int(r) for (r,) in journal.query(
                "SELECT row FROM recipients WHERE state='pending'")]
            journal.skip_pending(pending, "cancelled")
            journal.set_meta(state="cancelled", reason="cancelled by the user")
            journal.event("cancelled", f"{len(pending)} pending rows skipped")
        finally:
            self._close_journal(journal)

    @staticmethod
    def status(journal: str | os.PathLike[str]) -> CampaignStatus:
        """Read a campaign's journal without sending (from any notebook or process).

        Raises:
            FileNotFoundError: no journal there.
        """
        return status_of(journal)


def _progress_bar(counts: dict[str, int], total: int) -> Any:
    from tqdm.auto import tqdm

    done = counts["delivered"] + counts["failed"]
    return tqdm(total=total, initial=min(done, total), desc="campaign", unit="row",
                dynamic_ncols=True)
