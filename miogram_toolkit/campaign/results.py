"""A campaign's results: the sheet's rows joined with the journal's recipients by number.

The journal keys recipients by number; the sheet decides its rows. :func:`results_frame` gives
every row of the sheet its outcome — the journal's state for its number, or the plan's skip
reason (no usable number, a duplicate of an earlier row) — with the row number the spreadsheet
shows (``sheet_row``) and times on Tehran's clock with the Jalali date beside (the journal keeps
UTC; :mod:`miogram_toolkit.protocol.clock`). Numbers of the campaign
no longer in the sheet are listed in ``attrs["removed_from_sheet"]``.

Example:
    >>> import pandas as pd
    >>> from miogram_toolkit.campaign.plan import Content, build_plan
    >>> plan = build_plan(pd.DataFrame({"mobile": ["09121000001", "x"]}), Content.text("Hi"))
    >>> results_frame(plan, None)[["sheet_row", "state", "reason"]].values.tolist()
    [[2, 'pending', <NA>], [3, 'skipped', 'phone_invalid']]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from miogram_toolkit.campaign.journal import Journal
from miogram_toolkit.campaign.plan import Plan
from miogram_toolkit.protocol.clock import jalali_dates, jalali_name, to_tehran

__all__ = ["RESULT_COLUMNS", "CampaignStatus", "read_archive", "results_frame",
           "settled_numbers", "status_of"]

#: The columns of a campaign's results, after the input's own index: ``sent_at`` on Tehran's
#: clock (the zone is in the values, so reports can still compute with them), the Jalali date
#: beside it.
RESULT_COLUMNS = ["sheet_row", "e164", "state", "reason", "agent", "chunk", "attempts",
                  "sent_at", jalali_name("sent_at")]


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    times = to_tehran(pd.to_datetime(frame["sent_at"], utc=True))
    frame = frame.assign(sent_at=times)
    frame[jalali_name("sent_at")] = jalali_dates(times)
    return frame


def settled_numbers(journal: pd.DataFrame) -> dict[str, tuple[str, str | None]]:
    """The numbers a journal's frame has already settled (a run will not send them), with
    their state and reason."""
    done = journal[journal["state"].isin(("delivered", "failed", "unknown", "in_flight"))]
    return {str(n): (str(s), None if pd.isna(r) else str(r))
            for n, s, r in zip(done["e164"], done["state"], done["reason"], strict=True)}


def results_frame(plan: Plan, journal: pd.DataFrame | None) -> pd.DataFrame:
    """Every row of the plan on the input's index (see the module docstring).

    Args:
        plan: the campaign's plan (the sheet as it is now).
        journal: :meth:`Journal.frame` (None: nothing written yet; the plan is shown).
    """
    rows = plan.rows
    state = pd.Series("pending", index=rows.index, dtype="string").mask(
        rows["reason"].notna(), "skipped")
    frame = pd.DataFrame({
        "sheet_row": rows["sheet_row"].astype("Int64"), "e164": rows["e164"], "state": state,
        "reason": rows["reason"].astype("string"),
        "agent": pd.Series(pd.NA, index=rows.index, dtype="string"),
        "chunk": rows["chunk"].astype("Int64"),
        "attempts": pd.Series(0, index=rows.index, dtype="int64"),
        "sent_at": pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns, UTC]"),
    })
    removed: list[dict[str, Any]] = []
    if journal is not None and len(journal):
        # The sheet's own skips (no usable number, a duplicate row) are the plan's; every
        # other row takes its number's state from the journal.
        own = rows["e164"].notna() & ~rows["reason"].fillna("").str.match(
            r"^(duplicate_of|phone_)")
        by_number = journal.drop_duplicates("e164").set_index("e164")
        # Positions by hash lookup: an arrow-backed string column's isin converts every
        # value to a Python scalar (a hundred times slower on a 20,000-row sheet).
        where = by_number.index.get_indexer(rows["e164"])
        found = own.to_numpy(dtype=bool) & (where >= 0)
        for column in ("state", "reason", "agent", "chunk", "attempts", "sent_at"):
            frame.loc[found, column] = by_number[column].to_numpy()[where[found]]
        gone = journal[journal["position"].isna()] if "position" in journal else journal[:0]
        removed = gone[["label", "sheet_row", "e164", "state"]].astype(object).where(
            gone[["label", "sheet_row", "e164", "state"]].notna(), None).to_dict("records")
    frame = _shown(frame)
    frame.index = plan.index
    frame.attrs["removed_from_sheet"] = removed
    return frame[RESULT_COLUMNS]


@dataclass
class CampaignStatus:
    """A journal read without sending: :meth:`Campaign.status`.

    Attributes:
        journal: the journal's path.
        campaign_id: the campaign's id.
        state: ``draft``, ``running``, ``paused``, ``finished`` or ``cancelled``.
        reason: why it last paused (one sentence) or None.
        counts: recipients per state.
        rows: every recipient by its sheet label: sheet_row, e164, state, reason, agent, chunk,
            attempts, sent_at (Tehran time), sent_on (Jalali).
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
        if self.state == "finished" and self.done:
            text += "\nnothing left to send"
        return text + (f"\n{self.reason}" if self.reason else "")


def status_of(journal: str | os.PathLike[str]) -> CampaignStatus:
    """Read a campaign's journal without sending (any process, no lock).

    Raises:
        FileNotFoundError: no journal there.
        NotAJournal: the file is not a campaign journal.
    """
    store = Journal(journal, read_only=True)
    try:
        meta = store.meta()
        counts = store.counts()
        rows = store.frame()
        store_skips = store.sheet_skips()
    finally:
        store.close()
    skips = store_skips
    if len(skips):
        rows = pd.concat([rows, skips.astype({"e164": "string", "state": "string",
                                              "reason": "string", "label": "string"})],
                         ignore_index=True).sort_values("position", na_position="last",
                                                        kind="stable")
    rows.index = pd.Index(rows.pop("label"), name=None)
    rows = _shown(rows)
    return CampaignStatus(str(journal), meta.get("campaign_id", "?"),
                          meta.get("state", "draft"), meta.get("reason") or None, counts,
                          rows[RESULT_COLUMNS])


def read_archive(journal: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The ``APIGetReport`` records a campaign harvested into its journal, oldest first."""
    store = Journal(journal, read_only=True)
    try:
        return store.archive()
    finally:
        store.close()
