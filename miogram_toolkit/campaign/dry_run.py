"""The dry run as a frame: every row rendered, chunked, given its agent and its estimated time.

Built from the plan (:mod:`.plan`) and what preflight learned from the account
(:mod:`.preflight`), without sending. Numbers this campaign's journal already settled keep the
state they have there and are not counted as to send; when none is left the summary says
"Nothing left to send".

Example:
    >>> import pandas as pd
    >>> from miogram_toolkit.campaign.plan import Content, build_plan
    >>> from miogram_toolkit.campaign.settings import CampaignSettings
    >>> plan = build_plan(pd.DataFrame({"mobile": ["09121000001"]}), Content.text("Hi"))
    >>> frame, summary = dry_run_frame(plan, None, CampaignSettings(),
    ...                                {"+989121000001": ("delivered", None)}, journal="j",
    ...                                campaign_id="c1", whatsapp=False)
    >>> frame["state"].tolist(), summary.split(":")[0]
    (['delivered'], 'Nothing left to send')
"""

from __future__ import annotations

import pandas as pd

from miogram_toolkit.campaign.plan import Plan
from miogram_toolkit.campaign.preflight import (
    GATEWAY_SECONDS_PER_NUMBER,
    Preflight,
    schedule,
    summary_text,
)
from miogram_toolkit.campaign.settings import CampaignSettings

__all__ = ["dry_run_frame"]


def dry_run_frame(plan: Plan, flight: Preflight | None, settings: CampaignSettings,
                  done: dict[str, tuple[str, str | None]], *, journal: str, campaign_id: str,
                  whatsapp: bool) -> tuple[pd.DataFrame, str]:
    """The dry-run frame on the input's index, and its one-screen summary.

    Args:
        plan: the campaign's plan.
        flight: what preflight learned (None when nothing is left to send).
        settings: the campaign's settings.
        done: numbers the journal already settled: ``{e164: (state, reason)}``.
        journal: the journal's path (named in the summary).
        campaign_id: the campaign's id (named in the summary).
        whatsapp: whether the gateway answers at once (no ~1 s a number).
    """
    plan = plan.with_skips({n: "already_sent" for n in done})
    rows = plan.rows
    state = pd.Series("planned", index=rows.index, dtype="string").mask(
        rows["reason"].notna(), "skipped")
    reason = rows["reason"].astype("string")
    settled = rows["reason"] == "already_sent"
    if settled.any():
        state[settled] = rows.loc[settled, "e164"].map(lambda n: done[n][0])
        reason[settled] = rows.loc[settled, "e164"].map(lambda n: done[n][1])
    frame = pd.DataFrame({"sheet_row": rows["sheet_row"], "e164": rows["e164"], "state": state,
                          "reason": reason, "message": rows["text"],
                          "bytes": rows["bytes"].where(rows["reason"].isna()),
                          "chunk": rows["chunk"],
                          "agent": pd.Series(pd.NA, index=rows.index, dtype="string"),
                          "planned_at": pd.Series(pd.NaT, index=rows.index,
                                                  dtype="datetime64[ns, UTC]")})
    if flight is None:
        counts = frame.loc[settled, "state"].value_counts()
        summary = ("Nothing left to send: every row of this campaign is final ("
                   + ", ".join(f"{k} {v}" for k, v in counts.items()) + f"); journal {journal}")
    else:
        summary = _schedule(plan, flight, settings, frame, journal=journal,
                            campaign_id=campaign_id, whatsapp=whatsapp)
    frame.index = plan.index
    frame.attrs["summary"] = summary
    return frame, summary


def _schedule(plan: Plan, flight: Preflight, settings: CampaignSettings, frame: pd.DataFrame,
              *, journal: str, campaign_id: str, whatsapp: bool) -> str:
    sizes = plan.sendable.groupby("chunk", sort=True).size()
    lanes = min(settings.max_in_flight, len(flight.agents))
    per_number = 0.0 if whatsapp else GATEWAY_SECONDS_PER_NUMBER
    starts, agents = schedule(sizes.tolist(), flight.agents, lanes=lanes,
                              rate_per_minute=settings.rate_per_minute,
                              seconds_per_number=per_number)
    now = pd.Timestamp.now(tz="UTC").floor("s")
    at = pd.Series([now + pd.Timedelta(seconds=s) for s in starts], index=sizes.index)
    agent_of = pd.Series(agents, index=sizes.index, dtype="string")
    frame["agent"] = frame["chunk"].map(agent_of).astype("string")
    frame["planned_at"] = pd.to_datetime(frame["chunk"].map(at), utc=True)
    duration = (starts[-1] + sizes.iloc[-1] * per_number) if starts else 0.0
    quiet = settings.quiet_hours
    return summary_text(plan, flight, chunks=len(sizes), duration=duration, lanes=lanes,
                        rate_per_minute=settings.rate_per_minute,
                        quiet=str(quiet) if quiet else None, journal=journal,
                        campaign_id=campaign_id)
