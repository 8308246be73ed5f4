"""The Report tab's *Campaigns* part: the campaigns' own journals, and who replied.

The service's log is not a window onto recent sends (the real service lists an account's first
1000 rows forever), so the journals are the record people can trust: every campaign the
dashboard or ``miogram send`` ran, in the user data folder's ``journals/``, and those an older
dashboard left in ``miogram_journals/`` beside the notebook (still found).

::

    journals/*.sqlite + ./miogram_journals/*.sqlite ─► pick one ─► Campaign.status(): state,
        counts, delivery summary by agent
    Read replies ─► thread: replies(journal, client) (one chat read at a time, paced like a
        send; stored in the journal, opt-outs into the account's ledger) ─► progress ─►
        summary line, the replies (Tehran time, Jalali date), the chart of first replies
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.campaign.identity import LEGACY_JOURNAL_DIR
from miogram_toolkit.campaign.journals_found import known_journals, newest_send
from miogram_toolkit.widgets.common import (
    figure_widget,
    frame_html,
    message_html,
    summary_html,
    widgets,
)

__all__ = ["CampaignsView"]


class CampaignsView:
    """Pick a campaign's journal; see its outcome; read its recipients' replies."""

    def __init__(self, client: Any, *, folders: tuple[Path, ...] = ()) -> None:
        w = widgets()
        wide = {"description_width": "initial"}
        self.client = client
        self.folders = folders
        self.journal = w.Dropdown(description="Campaign", style=wide, options=[],
                                  layout={"width": "640px"})
        self.refresh_button = w.Button(description="Refresh list", icon="refresh")
        self.status = w.HTML()
        self.replies_button = w.Button(description="Read replies", icon="comments",
                                       tooltip="Read each delivered recipient's chat through "
                                               "the agent that sent (one at a time)")
        self.replies_progress = w.IntProgress(value=0, min=0, max=1, description="Chats",
                                              layout={"width": "420px", "display": "none"})
        self.replies_summary = w.HTML()
        self.replies_table = w.HTML()
        self.replies_chart = w.Box()
        self.replies: pd.DataFrame | None = None
        self.thread: threading.Thread | None = None
        self.refresh_button.on_click(lambda _: self.refresh())
        self.journal.observe(lambda _: self.show(), names="value")
        self.replies_button.on_click(lambda _: self.read_replies())
        self.box = w.VBox([
            w.HTML("<h4 style='margin:14px 0 4px'>Campaigns (their own journals)</h4>"),
            w.HBox([self.journal, self.refresh_button]), self.status,
            w.HTML("<h4 style='margin:14px 0 4px'>Replies</h4>"),
            w.HBox([self.replies_button, self.replies_progress]), self.replies_summary,
            self.replies_table, self.replies_chart,
        ])

    def refresh(self, select: str | Path | None = None) -> None:
        """List the journals again (newest first) and select ``select`` or the newest."""
        from miogram_toolkit.protocol.clock import describe_time

        journals = known_journals(*self.folders)
        legacy = (Path.cwd() / LEGACY_JOURNAL_DIR).resolve()
        self.journal.options = [
            (f"{path.stem} · {describe_time(pd.Timestamp(path.stat().st_mtime, unit='s'))}"
             + (" · older dashboard folder" if path.parent == legacy else ""), str(path))
            for path in journals]
        wanted = str(Path(select).resolve()) if select is not None else None
        values = [value for _, value in self.journal.options]
        self.journal.value = wanted if wanted in values else (values[0] if values else None)
        if not values:
            self.status.value = message_html("No campaign yet: send one in Compose & send.")
        self.replies_button.disabled = not values

    def newest_send(self) -> pd.Timestamp | None:
        """When the newest campaign last sent (its journal's newest ``sent_at``), if any."""
        return newest_send(known_journals(*self.folders))

    def show(self) -> None:
        """The chosen campaign's state and outcome, from its journal alone."""
        from miogram_toolkit.campaign import Campaign
        from miogram_toolkit.reports import delivery_summary

        self.replies = None
        self.replies_summary.value = self.replies_table.value = ""
        self.replies_chart.children = []
        if self.journal.value is None:
            return
        try:
            status = Campaign.status(self.journal.value)
        except Exception as error:  # not a journal, or one being written: say so, go on
            self.status.value = message_html(f"{Path(self.journal.value).name}: {error}",
                                             kind="error")
            return
        self.status.value = message_html(str(status)) + (
            summary_html(delivery_summary(status.rows, by="agent")) if len(status.rows) else "")

    def read_replies(self) -> None:
        """Read the replies of the chosen campaign in a background thread."""
        if self.journal.value is None or (self.thread is not None and self.thread.is_alive()):
            return
        self.replies_button.disabled = True
        self.replies_progress.layout.display = "flex"
        self.replies_progress.value = 0
        self.replies_summary.value = message_html("Reading the chats…")
        self.thread = threading.Thread(target=self._read, args=(self.journal.value,),
                                       name="miogram-dashboard-replies", daemon=True)
        self.thread.start()

    def _read(self, journal: str) -> None:
        from miogram_toolkit.campaign.replies import replies
        from miogram_toolkit.reports.replies import reply_chart, reply_summary_text

        def progress(done: int, total: int) -> None:
            self.replies_progress.max = max(total, 1)
            self.replies_progress.value = min(done, self.replies_progress.max)

        try:
            found = replies(journal, self.client, progress=progress)
        except Exception as error:  # 309 (no canGet) and the like: one sentence, nothing lost
            self.replies_summary.value = message_html(str(error), kind="error")
            return
        finally:
            self.replies_button.disabled = False
            self.replies_progress.layout.display = "none"
        self.replies = found
        notes = list(found.attrs.get("notes") or [])
        self.replies_summary.value = message_html(
            "\n".join([reply_summary_text(found), *notes]), kind="ok")
        shown = found.drop(columns=[c for c in ("sheet_row",) if c in found.columns])
        self.replies_table.value = frame_html(shown, rows=100, index=False) if len(found) else ""
        self.replies_chart.children = [figure_widget(reply_chart(found))]

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a reading of replies to end; True when none is running any more."""
        if self.thread is not None:
            self.thread.join(timeout)
            return not self.thread.is_alive()
        return True
