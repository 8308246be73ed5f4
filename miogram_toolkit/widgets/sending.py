"""Dry run, send, pause and resume, results and the Excel download: the compose tab's lower half.

::

    Dry run ─► build() ─► Campaign.dry_run() ─► plan shown, Send enabled
    Send    ─► thread: Campaign.run() ─► client (gate: Pause holds the next request)
               watcher: Campaign.status(journal) every 0.3 s ─► progress bar
               done ─► results table, Download Excel, on_finished() (credits, report)

Pause closes a gate in front of the client's sends (the next request waits before it leaves);
Resume opens it. The campaign's journal decides what is sent: a second Send, or a new dashboard
on the same sheet and message, continues the same campaign and sends nobody twice.
"""

from __future__ import annotations

import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.widgets.common import (
    PausableClient,
    download_link,
    frame_html,
    message_html,
    widgets,
)

__all__ = ["Sending"]


class Sending:
    """The sending controls of :class:`~.compose_tab.ComposeTab` (a base class: it supplies
    ``build()`` and ``contacts``)."""

    contacts: pd.DataFrame | None

    def build(self) -> Any:  # pragma: no cover - ComposeTab's
        raise NotImplementedError

    def by_sheet_row(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the spreadsheet's row numbers (``Row``) first, instead of its labels."""
        from miogram_toolkit.sheets import sheet_rows

        rows = sheet_rows(self.contacts if self.contacts is not None else frame)
        shown = frame.copy()
        shown.insert(0, "Row", rows.reindex(frame.index).to_numpy())
        return shown

    def _build_sending(self, client: Any, on_finished: Any) -> None:
        w = widgets()
        self.client = PausableClient(client)
        self.on_finished = on_finished
        self.campaign: Any = None
        self.results: pd.DataFrame | None = None
        self.thread: threading.Thread | None = None
        self.dry_run_button = w.Button(description="Dry run", icon="list",
                                       tooltip="Plan the campaign and check the account; "
                                               "nothing is sent")
        self.send_button = w.Button(description="Send", icon="paper-plane",
                                    button_style="primary", disabled=True)
        self.pause_button = w.Button(description="Pause", icon="pause", disabled=True)
        self.resume_button = w.Button(description="Resume", icon="play", disabled=True)
        self.progress = w.IntProgress(value=0, min=0, max=1, description="Sent",
                                      bar_style="info", layout={"width": "420px"})
        self.progress_text = w.HTML()
        self.plan = w.HTML()
        self.outcome = w.HTML()
        self.results_table = w.HTML()
        self.download_button = w.Button(description="Download Excel", icon="file-excel-o",
                                        disabled=True)
        self.download = w.HTML()
        self.dry_run_button.on_click(lambda _: self.dry_run())
        self.send_button.on_click(lambda _: self.send())
        self.pause_button.on_click(lambda _: self.pause())
        self.resume_button.on_click(lambda _: self.resume())
        self.download_button.on_click(lambda _: self.make_download())
        self.sending_rows = [
            w.HBox([self.dry_run_button, self.send_button, self.pause_button,
                    self.resume_button]),
            self.plan, w.HBox([self.progress, self.progress_text]), self.outcome,
            self.results_table, w.HBox([self.download_button, self.download]),
        ]

    def _invalidate(self) -> None:
        """The form changed: the plan no longer matches it (unless a send is running)."""
        if self.thread is None or not self.thread.is_alive():
            self.send_button.disabled = True
            self.campaign = None

    def dry_run(self) -> pd.DataFrame | None:
        """Plan and check; show the summary and the first rows of the plan."""
        try:
            self.campaign = self.build()
            plan = self.campaign.dry_run()
        except Exception as error:
            self.campaign = None
            self.send_button.disabled = True
            self.plan.value = message_html(str(error), kind="error")
            return None
        summary = plan.attrs.get("summary") or getattr(self.campaign, "summary", "") or ""
        self.plan.value = message_html(summary) + frame_html(self.by_sheet_row(plan), rows=50,
                                                             index=False)
        self.send_button.disabled = False
        sendable = int((plan["state"] != "skipped").sum())
        self.progress.max = max(sendable, 1)
        self.progress.value = 0
        self.progress_text.value = f"0 of {sendable:,}"
        return plan

    def send(self) -> None:
        """Run the campaign in a background thread; the progress bar follows its journal."""
        if self.campaign is None:
            self.outcome.value = message_html("Press Dry run first.", kind="error")
            return
        if self.thread is not None and self.thread.is_alive():
            return
        self.client.resume()
        for button in (self.send_button, self.dry_run_button, self.resume_button):
            button.disabled = True
        self.pause_button.disabled = False
        self.progress.bar_style = "info"
        self.outcome.value = message_html("Sending…")
        self.thread = threading.Thread(target=self._run, name="miogram-dashboard-send",
                                       daemon=True)
        self.thread.start()

    def _run(self) -> None:
        campaign = self.campaign
        stop = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(campaign, stop), daemon=True)
        watcher.start()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.results = campaign.run(progress=False)
            notes = [str(item.message) for item in caught]
            self._show_results(notes, "ok" if not notes else "info")
        except Exception as error:
            self.outcome.value = message_html(f"The campaign stopped: {error}", kind="error")
            self.progress.bar_style = "danger"
        finally:
            stop.set()
            watcher.join()
            self._update_progress(campaign)
            self.pause_button.disabled = True
            self.resume_button.disabled = True
            self.dry_run_button.disabled = False
            # The same campaign may be sent again: its journal sends only what is left.
            self.send_button.disabled = False
            if self.on_finished is not None:
                self.on_finished()

    def _watch(self, campaign: Any, stop: threading.Event) -> None:
        while not stop.wait(0.3):
            self._update_progress(campaign)

    def _update_progress(self, campaign: Any) -> None:
        try:
            status = type(campaign).status(campaign.journal_path)
        except Exception:  # the journal is not written yet
            return
        counts = dict(status.counts)
        done = sum(counts.get(k, 0) for k in ("delivered", "failed", "unknown"))
        self.progress.value = min(done, self.progress.max)
        delivered = counts.get("delivered", 0)
        self.progress_text.value = (f"{done:,} of {self.progress.max:,} sent, "
                                    f"{delivered:,} delivered"
                                    + (" — paused" if self.client.paused else ""))

    def _show_results(self, notes: list[str], kind: str) -> None:
        from miogram_toolkit.reports import delivery_summary, label

        results = self.results
        assert results is not None
        total = delivery_summary(results).iloc[0]
        rate = "" if total["rate"] != total["rate"] else f" ({total['rate']:.0%})"
        text = (f"Done: {int(total['delivered']):,} of {int(total['sent']):,} delivered"
                f"{rate}; {int(total['skipped']):,} skipped.")
        self.outcome.value = message_html("\n".join([text, *notes]), kind=kind)
        self.progress.bar_style = "success" if not notes else "warning"
        shown = results.copy()
        for name in ("state", "reason"):
            shown[name] = shown[name].map(lambda v: "" if pd.isna(v) else label(v))
        if self.contacts is not None:
            keep = [c for c in self.contacts.columns[:3] if c not in shown.columns]
            shown = self.contacts[keep].join(shown, how="right")
        self.results_table.value = frame_html(self.by_sheet_row(shown), rows=100, index=False)
        self.download_button.disabled = False

    def pause(self) -> None:
        """Hold the next request before it leaves (rows already sent stay sent)."""
        self.client.pause()
        self.pause_button.disabled = True
        self.resume_button.disabled = False
        self.outcome.value = message_html("Paused: the next request waits. Resume to go on.")

    def resume(self) -> None:
        """Let the requests go again."""
        self.client.resume()
        self.pause_button.disabled = False
        self.resume_button.disabled = True
        self.outcome.value = message_html("Sending…")

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a running send to end; True when none is running any more."""
        if self.thread is not None:
            self.thread.join(timeout)
            return not self.thread.is_alive()
        return True

    def make_download(self) -> bytes | None:
        """The Excel report of the last send, offered as a download link."""
        from miogram_toolkit.reports import report_frame, write_report

        if self.results is None:
            return None
        results = self.results
        if self.contacts is not None:
            mine = self.contacts.drop(columns=results.columns.intersection(self.contacts.columns))
            results = mine.join(results, how="right")
        with tempfile.TemporaryDirectory(prefix="miogram-report-") as folder:
            path = Path(folder) / "miogram-report.xlsx"
            try:
                report = report_frame(self.client)
            except Exception:
                report = None
            write_report(path, results=results, report=report, credits=self.client)
            data = path.read_bytes()
        self.download.value = download_link(data, "miogram-report.xlsx",
                                            "⬇ miogram-report.xlsx")
        return data
