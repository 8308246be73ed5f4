"""``Campaign``: a cleaned sheet in, one journal, delivered messages out — never twice.

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
    (['delivered', 'delivered', 'skipped'], [<NA>, <NA>, 'duplicate_of:0'])
"""

from __future__ import annotations

import json
import logging
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.campaign.journal import Journal
from miogram_toolkit.campaign.pacing import DEFAULT_RATE_PER_MINUTE, QuietHours
from miogram_toolkit.campaign.plan import DEFAULT_CHUNK, Content, Plan, build_plan
from miogram_toolkit.campaign.preflight import (
    GATEWAY_SECONDS_PER_NUMBER,
    Preflight,
    check,
    refuse_if_nothing_to_send,
    schedule,
    summary_text,
)
from miogram_toolkit.campaign.replies import replies
from miogram_toolkit.campaign.runner import Outcome, Runner, Settings
from miogram_toolkit.campaign.suppression import OptOut
from miogram_toolkit.protocol.errors import MioGramError

__all__ = ["Campaign", "CampaignStatus", "CampaignWarning", "JournalMismatch", "read_archive"]

logger = logging.getLogger("miogram_toolkit.campaign")

#: The columns of a campaign's results, after the input's own index.
RESULT_COLUMNS = ["e164", "state", "reason", "agent", "chunk", "attempts", "sent_at"]
#: Where journals go when ``journal=`` is not given (named by the campaign's content hash).
DEFAULT_JOURNAL_DIR = "miogram_journals"

_UNSET: Any = object()


class JournalMismatch(ValueError, MioGramError):
    """The journal belongs to another campaign (another message, file or list of rows)."""


class CampaignWarning(UserWarning):
    """A run ended paused or with rows whose outcome is unknown; the message says why."""


@dataclass
class CampaignStatus:
    """A journal read without sending: :meth:`Campaign.status`.

    Attributes:
        journal: the journal's path.
        campaign_id: the campaign's id.
        state: ``draft``, ``running``, ``paused``, ``finished`` or ``cancelled``.
        reason: why it last paused (one sentence) or None.
        counts: rows per state.
        rows: every row by its input label: e164, state, reason, agent, chunk, attempts, sent_at.
    """

    journal: str
    campaign_id: str
    state: str
    reason: str | None
    counts: dict[str, int]
    rows: pd.DataFrame = field(repr=False)

    @property
    def done(self) -> bool:
        """True when no row is waiting to be sent or settled."""
        return self.counts.get("pending", 0) == 0 and self.counts.get("in_flight", 0) == 0

    def __str__(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items() if v)
        text = f"campaign {self.campaign_id} ({self.journal}): {self.state}; {counts}"
        return text + (f"\n{self.reason}" if self.reason else "")


def read_archive(journal: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The ``APIGetReport`` records a campaign harvested into its journal, oldest first.

    Records keep the shape the service gave them (see :mod:`miogram_toolkit.campaign.archive`).
    """
    store = Journal(journal, read_only=True)
    try:
        return store.archive()
    finally:
        store.close()


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name}: must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


class Campaign:
    """One message (or file) to every sendable row of a frame, journaled, paced, resumable.

    Args:
        frame: the contacts; cleaned (``e164``/``phone_status``) or not (then cleaned here).
            Never changed.
        message: the text, with ``{column}`` placeholders (None for a photo/video/file).
        client: the MioGram client (default ``Client.from_env()``).
        column: the phone column when the frame is not cleaned yet (found when None).
        photo, video, file: a path (or bytes) to send instead of a text.
        whatsapp: send the text over WhatsApp (beta).
        chunk_size: numbers per Mass request, 1..100 (default 40).
        rate_per_minute: messages per minute per agent (default
            :data:`~miogram_toolkit.campaign.pacing.DEFAULT_RATE_PER_MINUTE`); None: no pacing.
        robots: the agents to rotate over (default: every agent of the account).
        opt_out: numbers never to send to (Series, list, DataFrame, path, or (path, sheet)).
        quiet_hours: ``"22:00-08:00"``: no sending then (local time in ``tz``).
        tz: the time zone of ``quiet_hours``.
        on_quiet: ``"wait"`` for the window to open, or ``"stop"`` with everything saved.
        journal: the journal file (default ``miogram_journals/<content hash>.sqlite``, so the
            same campaign run again resumes); ``":memory:"`` keeps it in this object only (no
            file; it cannot resume once the object is gone).
        on_unknown: what to do with a request that got no answer: ``"reconcile"`` against the
            report log (default), ``"resend"`` blindly, or ``"skip"`` (leave it unknown).
        max_in_flight: parallel lanes, one agent each (default 1: one request per account).
        region: the region of numbers written without a country code.
        timeout_base, timeout_per_number: a request's read timeout is
            ``timeout_base + timeout_per_number × numbers`` (the gateway spends ~1 s a number).
        breaker: pause after this many failed requests in a row.
        backoff: the first pause (seconds) before a failed chunk is tried again; it doubles.
        durable: force each ``in_flight`` commit to disk before its request leaves (survives a
            power cut, costs an fsync a request). None: yes for a real service, no for a
            loopback one (the simulator), where the fsync would be most of a request's time.
        sleep: how to wait (tests pass a fake).

    Raises:
        ValueError: a bad setting, a placeholder naming no column, no message, several files.

    Example:
        >>> import pandas as pd
        >>> c = Campaign(pd.DataFrame({"mobile": ["09121000001"]}), "Hi", client=object(),
        ...              journal=":memory:")
        >>> c.plan.rows[["e164", "chunk"]].to_dict("records")
        [{'e164': '+989121000001', 'chunk': 1}]
    """

    def __init__(self, frame: pd.DataFrame, message: str | None = None, *, client: Any = None,
                 column: str | None = None, photo: Any = None, video: Any = None,
                 file: Any = None, whatsapp: bool = False, chunk_size: int = DEFAULT_CHUNK,
                 rate_per_minute: float | None = _UNSET, robots: Any = None,
                 opt_out: OptOut | None = None, quiet_hours: Any = None,
                 tz: str = "Asia/Tehran", on_quiet: str = "wait",
                 journal: str | os.PathLike[str] | None = None, on_unknown: str = "reconcile",
                 max_in_flight: int = 1, region: str = "IR", timeout_base: float = 15.0,
                 timeout_per_number: float = 1.5, breaker: int = 5, backoff: float = 2.0,
                 durable: bool | None = None, sleep: Any = time.sleep) -> None:
        self.content = self._content(message, photo, video, file, whatsapp)
        if rate_per_minute is _UNSET:
            rate_per_minute = DEFAULT_RATE_PER_MINUTE
        if rate_per_minute is not None and not float(rate_per_minute) > 0:
            raise ValueError(f"rate_per_minute: must be more than 0 (or None for no pacing), "
                             f"got {rate_per_minute!r}")
        if isinstance(max_in_flight, bool) or not isinstance(max_in_flight, int) \
                or max_in_flight < 1:
            raise ValueError(f"max_in_flight: must be a whole number of 1 or more, "
                             f"got {max_in_flight!r}")
        if isinstance(breaker, bool) or not isinstance(breaker, int) or breaker < 1:
            raise ValueError(f"breaker: must be a whole number of 1 or more, got {breaker!r}")
        if isinstance(robots, str):
            robots = [r.strip() for r in robots.split(",") if r.strip()]
        if not timeout_base > 0 or not timeout_per_number >= 0 or not backoff >= 0:
            raise ValueError("timeout_base must be more than 0; timeout_per_number and backoff "
                             "0 or more")
        self.settings = Settings(
            chunk_size=chunk_size,
            rate_per_minute=float(rate_per_minute) if rate_per_minute is not None else None,
            robots=list(robots) if robots else None,
            quiet_hours=QuietHours.parse(quiet_hours, tz) if quiet_hours else None,
            on_quiet=_check_choice("on_quiet", on_quiet, ("wait", "stop")),
            on_unknown=_check_choice("on_unknown", on_unknown, ("reconcile", "resend", "skip")),
            max_in_flight=max_in_flight, timeout_base=float(timeout_base),
            timeout_per_number=float(timeout_per_number), breaker=breaker,
            backoff=float(backoff))
        self.plan: Plan = build_plan(frame, self.content, column=column, opt_out=opt_out,
                                     chunk_size=chunk_size, region=region)
        self._client = client
        self._durable = durable
        self._sleep = sleep
        self.journal_path = str(journal) if journal is not None else str(
            Path(DEFAULT_JOURNAL_DIR) / f"{self.plan.content_hash[:16]}.sqlite")
        self.summary: str | None = None
        self.outcome: Outcome | None = None
        # Every connection to ":memory:" is a database of its own: that journal is opened once
        # and kept open by this object, so its runs, retries and results all see it.
        self._memory: Journal | None = None

    @staticmethod
    def _content(message: str | None, photo: Any, video: Any, file: Any,
                 whatsapp: bool) -> Content:
        media = {k: v for k, v in (("photo", photo), ("video", video), ("file", file))
                 if v is not None}
        if len(media) > 1:
            raise ValueError("photo, video, file: give at most one file to send")
        if media:
            if message is not None:
                raise ValueError("message: a photo, video or file Mass send carries no text; "
                                 "send the text as a campaign of its own")
            if whatsapp:
                raise ValueError("whatsapp: only text is sent over WhatsApp")
            (kind, value), = media.items()
            return Content.media(kind, value)
        if message is None:
            raise ValueError("message: give the text to send (or photo=, video= or file=)")
        return Content.text(message, whatsapp=whatsapp)

    def __repr__(self) -> str:
        return (f"Campaign({self.content.func}, rows={len(self.plan.rows)}, "
                f"to_send={len(self.plan.sendable)}, journal={self.journal_path!r})")

    # -- the client ----------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        if self._client is None:
            from miogram_toolkit.client import Client

            self._client = Client.from_env()
        return self._client

    # -- dry run -------------------------------------------------------------------------------

    def _preflight(self, needed: int) -> Preflight:
        return check(self.plan, self.client, robots=self.settings.robots, needed=needed)

    def dry_run(self) -> pd.DataFrame:
        """The fully rendered plan, after asking the account (no send).

        Returns:
            A frame on the input's index: ``e164, state`` (``planned``/``skipped``), ``reason,
            message, bytes, chunk, agent, planned_at``; the one-screen summary is in
            :attr:`summary` and in ``frame.attrs["summary"]``.

        Raises:
            PreflightError: the campaign cannot succeed (one sentence says why).
        """
        rows = self.plan.rows
        sendable = self.plan.sendable
        flight = self._preflight(len(sendable))
        sizes = sendable.groupby("chunk", sort=True).size()
        lanes = min(self.settings.max_in_flight, len(flight.agents))
        per_number = 0.0 if self.content.whatsapp else GATEWAY_SECONDS_PER_NUMBER
        starts, agents = schedule(sizes.tolist(), flight.agents, lanes=lanes,
                                  rate_per_minute=self.settings.rate_per_minute,
                                  seconds_per_number=per_number)
        now = pd.Timestamp.now(tz="UTC").floor("s")
        at = pd.Series([now + pd.Timedelta(seconds=s) for s in starts], index=sizes.index)
        agent_of = pd.Series(agents, index=sizes.index, dtype="string")
        chunk = rows["chunk"]
        plan = pd.DataFrame({
            "e164": rows["e164"],
            "state": pd.Series("planned", index=rows.index, dtype="string").mask(
                rows["reason"].notna(), "skipped"),
            "reason": rows["reason"], "message": rows["text"],
            "bytes": rows["bytes"].where(rows["reason"].isna()), "chunk": chunk,
            "agent": chunk.map(agent_of).astype("string"),
            "planned_at": pd.to_datetime(chunk.map(at), utc=True),
        })
        plan.index = self.plan.index
        duration = (starts[-1] + sizes.iloc[-1] * per_number) if starts else 0.0
        self.summary = summary_text(self.plan, flight, chunks=len(sizes), duration=duration,
                                    lanes=lanes, rate_per_minute=self.settings.rate_per_minute,
                                    quiet=str(self.settings.quiet_hours)
                                    if self.settings.quiet_hours else None,
                                    journal=self.journal_path)
        plan.attrs["summary"] = self.summary
        return plan

    # -- the journal ---------------------------------------------------------------------------

    @property
    def durable(self) -> bool:
        """Whether ``in_flight`` commits are forced to disk (see ``durable=``)."""
        if self._durable is not None:
            return self._durable
        from urllib.parse import urlsplit

        # The client's address, or the one Client.from_env() will use (no client made here).
        url = getattr(self._client, "base_url", None) if self._client is not None else \
            os.environ.get("MIOGRAM_URL", "").strip()
        host = urlsplit(str(url or "")).hostname or ""
        return host not in ("127.0.0.1", "localhost", "::1")

    @property
    def _in_memory(self) -> bool:
        return self.journal_path == ":memory:"

    def _open_journal(self) -> Journal:
        if self._in_memory and self._memory is not None:
            return self._memory
        journal = Journal(self.journal_path, durable=self.durable)
        try:
            journal.acquire()
            if journal.is_new:
                self._create(journal)
            else:
                self._adopt(journal)
        except BaseException:
            journal.close()
            raise
        if self._in_memory:
            self._memory = journal
        return journal

    def _close_journal(self, journal: Journal) -> None:
        if journal is not self._memory:
            journal.close()

    def _create(self, journal: Journal) -> None:
        rows = self.plan.rows
        state = pd.Series("pending", index=rows.index).mask(rows["reason"].notna(), "skipped")
        records = zip(rows.index.tolist(), rows["label"].tolist(),
                      rows["e164"].astype(object).where(rows["e164"].notna(), None).tolist(),
                      _ints(rows["text_id"]), state.tolist(),
                      rows["reason"].astype(object).where(rows["reason"].notna(), None).tolist(),
                      _ints(rows["chunk"]), strict=True)
        journal.create({"campaign_id": self.plan.content_hash[:12],
                        "content_hash": self.plan.content_hash, "func": self.content.func,
                        "template": self.content.template or "",
                        "file_sha256": self.content.digest, "rows": len(rows),
                        "created_at": time.time(), "state": "draft"},
                       self.plan.texts, records)

    def _adopt(self, journal: Journal) -> None:
        meta = journal.meta()
        if meta.get("content_hash") != self.plan.content_hash:
            raise JournalMismatch(
                f"journal {self.journal_path!r} belongs to another campaign (its message, file "
                "or rows differ from these); use a new journal file, or the original sheet and "
                "message to resume it")
        if meta.get("state") == "cancelled":
            raise JournalMismatch(f"journal {self.journal_path!r}: the campaign was cancelled; "
                                  "start a new one with a new journal file")
        # Opt-outs added since the last run apply to the rows not sent yet.
        opted = self.plan.rows.index[self.plan.rows["reason"] == "opted_out"]
        if len(opted):
            journal.skip_pending(opted.tolist(), "opted_out")

    # -- running -------------------------------------------------------------------------------

    def run(self, progress: bool = True, *, dry_run: bool = False) -> pd.DataFrame:
        """Send every pending row, resuming from the journal; return the results.

        Args:
            progress: show a progress bar (a widget in notebooks).
            dry_run: only plan and preflight; returns :meth:`dry_run`'s frame.

        Returns:
            :meth:`results`. When the run ends paused (credit, quiet hours, the service
            refusing, every agent refusing, the circuit breaker), a :class:`CampaignWarning`
            says why; running again resumes.

        Raises:
            PreflightError: the campaign cannot succeed as it stands.
            JournalMismatch: the journal belongs to another campaign.
        """
        if dry_run:
            return self.dry_run()
        if self._memory is None and (self._in_memory or not Path(self.journal_path).exists()):
            refuse_if_nothing_to_send(self.plan)  # a new campaign that could send nothing
        journal = self._open_journal()
        try:
            self.outcome = self._run(journal, progress)
        finally:
            self._close_journal(journal)
        if self.outcome.state != "finished":
            warnings.warn(f"campaign paused: {self.outcome.reason}", CampaignWarning,
                          stacklevel=2)
        elif self.outcome.counts.get("unknown"):
            warnings.warn(f"campaign finished with {self.outcome.counts['unknown']} rows whose "
                          "outcome is unknown (see their reason)", CampaignWarning, stacklevel=2)
        return self.results()

    def _run(self, journal: Journal, progress: bool) -> Outcome:
        counts = journal.counts()
        open_requests = counts["in_flight"] + counts["unknown"]
        if counts["pending"]:
            flight = self._preflight(counts["pending"] + open_requests)
            agents = flight.agents
        elif open_requests:
            agents = self.settings.robots or list(self.client.get_robots())
        else:
            journal.set_meta(state="finished", reason=None)
            return Outcome("finished", None, counts)
        settings = json.dumps({k: (str(v) if isinstance(v, QuietHours) else v)
                               for k, v in vars(self.settings).items()})
        journal.set_meta(state="running", reason=None, settings=settings,
                         started_at=time.time())
        journal.event("run", f"{counts['pending']} pending, {open_requests} to settle")
        client = self.client
        saved = {k: getattr(client, k) for k in ("timeout", "per_number_timeout")
                 if hasattr(client, k)}
        if "per_number_timeout" in saved:  # the client grows a send's timeout by itself
            client.timeout = self.settings.timeout_base
            client.per_number_timeout = self.settings.timeout_per_number
        elif saved:
            client.timeout = self.settings.timeout_base + \
                self.settings.timeout_per_number * self.settings.chunk_size
        bar = _progress_bar(counts, len(self.plan.sendable)) if progress else None
        try:
            runner = Runner(journal, client, self.content, self.settings, agents,
                            progress=bar, sleep=self._sleep)
            try:
                outcome = runner.run()
            except KeyboardInterrupt:
                journal.set_meta(state="paused", reason="interrupted by the user")
                journal.event("paused", "interrupted by the user")
                raise
        finally:
            for key, value in saved.items():
                setattr(client, key, value)
            if bar is not None:
                bar.close()
        journal.set_meta(state=outcome.state, reason=outcome.reason)
        journal.event(outcome.state, outcome.reason or "every row is final")
        return outcome

    def results(self) -> pd.DataFrame:
        """Every input row on the input's index: e164, state, reason, agent, chunk, attempts,
        sent_at (UTC). Rows not yet in the journal (nothing run) show the plan."""
        if self._memory is not None:
            frame = self._memory.frame()
        elif not self._in_memory and Path(self.journal_path).exists():
            journal = Journal(self.journal_path, read_only=True)
            try:
                frame = journal.frame()
            finally:
                journal.close()
        else:
            rows = self.plan.rows
            frame = pd.DataFrame({
                "e164": rows["e164"],
                "state": pd.Series("pending", index=rows.index, dtype="string").mask(
                    rows["reason"].notna(), "skipped"),
                "reason": rows["reason"], "agent": pd.Series(pd.NA, index=rows.index,
                                                             dtype="string"),
                "chunk": rows["chunk"], "attempts": 0,
                "sent_at": pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns, UTC]"),
            })
        frame = frame[RESULT_COLUMNS].copy()
        frame.index = self.plan.index
        return frame

    def replies(self, client: Any = None, **options: Any) -> pd.DataFrame:
        """The recipients' replies, read from the chats of the agents that sent (stored in the
        journal, opt-outs marked in the account's ledger); see
        :func:`~miogram_toolkit.campaign.replies.replies` for ``options``."""
        journal = self._memory if self._memory is not None else self.journal_path
        return replies(journal, client or self.client, **options)

    def retry(self, reasons: Any = None, progress: bool = True) -> pd.DataFrame:
        """Try the failed rows again (those with one of ``reasons``, or all), then run.

        Delivered rows are never touched. ``reasons`` is a reason or a list of them
        (``"not_on_messenger"``, ``"bad_number"``, …).

        Returns:
            :meth:`results` after the run.
        """
        if isinstance(reasons, str):
            reasons = [reasons]
        journal = self._open_journal()
        try:
            again = journal.retry_failed(list(reasons) if reasons is not None else None,
                                         journal.max_chunk() + 1, self.settings.chunk_size)
            journal.event("retry", f"{again} failed rows back to pending")
            logger.info("retry: %d failed rows will be tried again", again)
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
        store = Journal(journal, read_only=True)
        try:
            meta = store.meta()
            counts = store.counts()
            rows = store.frame()
        finally:
            store.close()
        rows.index = pd.Index(rows.pop("label"), name=None)
        return CampaignStatus(str(journal), meta.get("campaign_id", "?"),
                              meta.get("state", "draft"), meta.get("reason") or None, counts,
                              rows[RESULT_COLUMNS])


def _ints(values: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in values.tolist()]


def _progress_bar(counts: dict[str, int], total: int) -> Any:
    from tqdm.auto import tqdm

    done = counts["delivered"] + counts["failed"]
    return tqdm(total=total, initial=min(done, total), desc="campaign", unit="row",
                dynamic_ncols=True)
