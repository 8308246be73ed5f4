"""The *Compose & send* tab: a contact file, a message, a dry run, then the campaign itself.

Every step calls the functions the ``miogram`` command calls: ``read_contacts`` and
``df.miogram.clean_phones()`` / ``.summary()`` for the file, ``Campaign(...).dry_run()`` for
the plan, ``Campaign.run()`` for the send (in a background thread, so the page stays live),
``Campaign.status(journal)`` for the progress, ``write_report`` for the Excel download.
Pause closes a gate in front of the client's sends (the next request waits before it leaves);
Resume opens it.
"""

from __future__ import annotations

import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.dashboard.common import (
    PausableClient,
    download_link,
    frame_html,
    message_html,
    widgets,
)

__all__ = ["ComposeTab"]

_UPLOAD = "(uploaded file)"


def _message_bytes(text: str) -> int:
    try:
        from miogram_toolkit.protocol.encode import message_bytes  # type: ignore[attr-defined]
    except ImportError:  # an older protocol: the service counts UTF-8 bytes
        return len(text.encode("utf-8"))
    return int(message_bytes(text))


def _placeholders(text: str) -> list[str]:
    from miogram_toolkit.campaign.templates import placeholders

    return list(placeholders(text))


class ComposeTab:
    """Contacts in, a campaign out; see the module docstring."""

    def __init__(self, client: Any, *, samples: dict[str, Path], journal_dir: Path,
                 on_finished: Any = None) -> None:
        w = widgets()
        self.client = PausableClient(client)
        self.samples = samples
        self.journal_dir = Path(journal_dir)
        self.on_finished = on_finished
        self.contacts: pd.DataFrame | None = None
        self.cleaned: pd.DataFrame | None = None
        self.campaign: Any = None
        self.results: pd.DataFrame | None = None
        self.thread: threading.Thread | None = None
        self._limit: int | None = None
        self._loading = False
        wide = {"description_width": "initial"}

        # 1. the contacts
        self.upload = w.FileUpload(accept=".csv,.txt,.xlsx,.xls,.ods", multiple=False,
                                   description="Upload contacts")
        self.sample = w.Dropdown(description="or a sample", style=wide, options=[
            ("—", None), *[(name, name) for name in samples]], value=None)
        self.column = w.Dropdown(description="Phone column", style=wide, options=[], disabled=True)
        self.file_status = w.HTML()
        self.cleaning = w.HTML()
        # 2. the message
        self.message = w.Textarea(placeholder="Your message; {column} inserts a cell",
                                  layout={"width": "640px", "height": "110px"})
        self.counter = w.HTML()
        # 3. how to send
        self.chunk_size = w.BoundedIntText(description="Chunk size", style=wide, value=40,
                                           min=1, max=100, tooltip="numbers per Mass request")
        self.rate = w.BoundedFloatText(description="Messages per minute per agent", style=wide,
                                       value=20.0, min=0, max=6000, tooltip="0 = no pacing")
        self.agents = w.SelectMultiple(description="Agents", style=wide, options=[], rows=3)
        self.opt_out = w.FileUpload(accept=".csv,.txt,.xlsx", multiple=False,
                                    description="Opt-out list")
        # 4. dry run and send
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

        self.upload.observe(lambda _: self._load_upload(), names="value")
        self.sample.observe(lambda _: self._load_sample(), names="value")
        self.column.observe(lambda _: None if self._loading else self._clean(), names="value")
        self.message.observe(lambda _: self._count(), names="value")
        self.dry_run_button.on_click(lambda _: self.dry_run())
        self.send_button.on_click(lambda _: self.send())
        self.pause_button.on_click(lambda _: self.pause())
        self.resume_button.on_click(lambda _: self.resume())
        self.download_button.on_click(lambda _: self.make_download())

        def section(title: str) -> Any:
            return w.HTML(f"<h4 style='margin:14px 0 4px'>{title}</h4>")

        self.box = w.VBox([
            section("1. Contacts"), w.HBox([self.upload, self.sample]), self.file_status,
            self.column, self.cleaning,
            section("2. Message"), self.message, self.counter,
            section("3. How to send"), w.HBox([self.chunk_size, self.rate]),
            w.HBox([self.agents, self.opt_out]),
            section("4. Check, then send"),
            w.HBox([self.dry_run_button, self.send_button, self.pause_button,
                    self.resume_button]),
            self.plan, w.HBox([self.progress, self.progress_text]), self.outcome,
            self.results_table, w.HBox([self.download_button, self.download]),
        ])

    # -- the account -------------------------------------------------------------------------

    def refresh_account(self) -> None:
        """Read the agents and the message limit (bytes) from the service."""
        try:
            robots = list(self.client.get_robots())
            self._limit = int(self.client.get_limits().get("Message") or 0) or None
        except Exception as error:
            self.file_status.value = message_html(f"Could not read the account: {error}",
                                                  kind="error")
            return
        self.agents.options = robots
        self.agents.value = tuple(robots)
        self._count()

    # -- the contacts ------------------------------------------------------------------------

    def load_file(self, path: str | Path) -> None:
        """Read a contact file as the CLI does and clean its phone column."""
        from miogram_toolkit.sheets import read_contacts

        try:
            self.contacts = read_contacts(path)
        except Exception as error:
            self.contacts = None
            self.file_status.value = message_html(str(error), kind="error")
            return
        frame = self.contacts
        self.file_status.value = message_html(
            f"{Path(path).name}: {len(frame):,} rows, columns {', '.join(map(str, frame.columns))}")
        detected = frame.attrs.get("phone_column")
        self._loading = True  # one cleaning below, not one per change of the dropdown
        try:
            self.column.options = [str(c) for c in frame.columns]
            self.column.value = str(detected) if detected in frame.columns else None
            self.column.disabled = False
        finally:
            self._loading = False
        self._clean()

    def _load_upload(self) -> None:
        if not self.upload.value:
            return
        item = self.upload.value[0]
        folder = Path(tempfile.mkdtemp(prefix="miogram-upload-"))
        path = folder / Path(str(item["name"])).name
        path.write_bytes(bytes(item["content"]))
        self.load_file(path)

    def _load_sample(self) -> None:
        if self.sample.value is not None:
            self.load_file(self.samples[self.sample.value])

    def _clean(self) -> None:
        from miogram_toolkit import accessors  # noqa: F401  (registers .miogram)

        if self.contacts is None or self.column.value is None:
            self.cleaned = None
            self.cleaning.value = message_html("Pick the column that holds the phone numbers.")
            return
        try:
            self.cleaned = self.contacts.miogram.clean_phones(self.column.value)
        except Exception as error:
            self.cleaned = None
            self.cleaning.value = message_html(str(error), kind="error")
            return
        from miogram_toolkit.reports import label

        summary = self.cleaned.miogram.summary()
        summary = summary[summary["count"] > 0]
        shown = pd.DataFrame({
            "Rows": summary["count"].to_numpy(),
            "Share": [f"{p:.0f}%" for p in summary["percent"]]},
            index=[("Total" if i == "total" else label(i)) for i in summary.index])
        self.cleaning.value = (message_html(f"Phone column {self.column.value!r} after "
                                            "cleaning:") + frame_html(shown))
        self._invalidate()

    # -- the message -------------------------------------------------------------------------

    def _count(self) -> None:
        text = self.message.value or ""
        size = _message_bytes(text)
        limit = self._limit
        over = limit is not None and size > limit
        parts = [f"<b>{size:,}</b> bytes" + (f" of {limit:,}" if limit else "")]
        if over:
            parts.append("<b style='color:#b42318'>too long for the account's limit</b>")
        try:
            names = _placeholders(text)
        except ValueError as error:
            parts.append(f"<span style='color:#b42318'>{error}</span>")
            names = []
        except ImportError:
            names = []
        if names:
            columns = set(map(str, self.contacts.columns)) if self.contacts is not None else set()
            parts.append("placeholders: " + ", ".join(
                f"{{{n}}}" + ("" if n in columns or not columns else " (no such column)")
                for n in names))
        parts.append("(Persian letters count 2 bytes each; the service counts bytes)")
        self.counter.value = "<div style='color:#444'>" + " · ".join(parts) + "</div>"
        self._invalidate()

    def _invalidate(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.send_button.disabled = True
            self.campaign = None

    # -- plan and send -----------------------------------------------------------------------

    def _opt_out(self) -> Any:
        if not self.opt_out.value:
            return None
        item = self.opt_out.value[0]
        folder = Path(tempfile.mkdtemp(prefix="miogram-optout-"))
        path = folder / Path(str(item["name"])).name
        path.write_bytes(bytes(item["content"]))
        return path

    def build(self) -> Any:
        """The Campaign for what the form says (as ``miogram send`` would build it)."""
        from miogram_toolkit.campaign import Campaign

        if self.cleaned is None:
            raise ValueError("contacts: upload a file or pick a sample first")
        if not (self.message.value or "").strip():
            raise ValueError("message: write the message first")
        self.journal_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        return Campaign(self.cleaned, self.message.value, client=self.client,
                        chunk_size=int(self.chunk_size.value),
                        rate_per_minute=float(self.rate.value) or None,
                        robots=list(self.agents.value) or None, opt_out=self._opt_out(),
                        journal=self.journal_dir / f"dashboard-{stamp}.sqlite")

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
        self.plan.value = message_html(summary) + frame_html(plan, rows=50)
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
            kind = "ok" if not notes else "info"
            self._show_results(notes, kind)
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
        from miogram_toolkit.reports import delivery_summary

        results = self.results
        assert results is not None
        total = delivery_summary(results).iloc[0]
        rate = "" if total["rate"] != total["rate"] else f" ({total['rate']:.0%})"
        text = (f"Done: {int(total['delivered']):,} of {int(total['sent']):,} delivered"
                f"{rate}; {int(total['skipped']):,} skipped.")
        self.outcome.value = message_html("\n".join([text, *notes]), kind=kind)
        self.progress.bar_style = "success" if not notes else "warning"
        from miogram_toolkit.reports import label

        shown = results.copy()
        for name in ("state", "reason"):
            shown[name] = shown[name].map(lambda v: "" if pd.isna(v) else label(v))
        if self.contacts is not None:
            keep = [c for c in self.contacts.columns[:3] if c not in shown.columns]
            shown = self.contacts[keep].join(shown, how="right")
        self.results_table.value = frame_html(shown, rows=100, index=False)
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
        from miogram_toolkit.reports import write_report

        if self.results is None:
            return None
        results = self.results
        if self.contacts is not None:
            mine = self.contacts.drop(columns=results.columns.intersection(self.contacts.columns))
            results = mine.join(results, how="right")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "miogram-report.xlsx"
            try:
                from miogram_toolkit.reports import report_frame

                report = report_frame(self.client)
            except Exception:
                report = None
            write_report(path, results=results, report=report, credits=self.client)
            data = path.read_bytes()
        self.download.value = download_link(data, "miogram-report.xlsx",
                                            "⬇ miogram-report.xlsx")
        return data
