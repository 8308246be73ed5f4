"""The *Compose & send* tab: a contact file, a message, a dry run, then the campaign itself.

Every step calls the functions the ``miogram`` command calls: ``read_contacts`` and
``df.miogram.clean_phones()`` / ``.summary()`` for the file, ``Campaign(...).dry_run()`` for
the plan, ``Campaign.run()`` for the send (:mod:`.sending`: a background thread, so the page
stays live), ``write_report`` for the Excel download.

A workbook's ``Unsubscribed`` sheet (the sample has one) is used as opt-outs, with any opt-out
file uploaded beside it. The message box follows the text's direction (Persian right to left),
and the preview shows the message each of the first rows will receive.

Example:
    >>> import miogram_toolkit as mg
    >>> board = mg.dashboard()
    >>> compose = board.compose
    >>> compose.sample.value = "sample contacts.xlsx"
    >>> compose.opt_out_note.value.count("10 opt-outs")
    1
    >>> board.close()
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.campaign.templates import TemplateError, placeholders, render
from miogram_toolkit.protocol.encode import message_bytes
from miogram_toolkit.widgets.common import frame_html, message_html, widgets
from miogram_toolkit.widgets.sending import Sending
from miogram_toolkit.widgets.style import rtl
from miogram_toolkit.widgets.uploads import read_upload, read_workbook_file

__all__ = ["ComposeTab"]

#: How many rows the message preview shows.
PREVIEW_ROWS = 5


class ComposeTab(Sending):
    """Contacts in, a campaign out; see the module docstring."""

    def __init__(self, client: Any, *, samples: dict[str, Path],
                 on_finished: Any = None) -> None:
        w = widgets()
        self.samples = samples
        self.contacts: pd.DataFrame | None = None
        self.sheet_opt_outs: pd.DataFrame | None = None
        self.file_opt_outs: pd.DataFrame | None = None
        self.cleaned: pd.DataFrame | None = None
        self._limit: int | None = None
        self._loading = False
        wide = {"description_width": "initial"}

        # 1. the contacts
        self.upload = w.FileUpload(accept=".csv,.txt,.xlsx,.xls,.ods", multiple=False,
                                   description="Upload contacts")
        self.sample = w.Dropdown(description="or a sample", style=wide, options=[
            ("—", None), *[(name, name) for name in samples]], value=None,
            layout={"display": "flex" if samples else "none"})
        self.column = w.Dropdown(description="Phone column", style=wide, options=[], disabled=True)
        self.file_status = w.HTML()
        self.cleaning = w.HTML()
        # 2. the message
        self.name = w.Text(description="Campaign name", style=wide,
                           placeholder="optional: names the campaign (default: its message)",
                           layout={"width": "640px"})
        self.message = rtl(w.Textarea(placeholder="Your message; {column} inserts a cell",
                                      layout={"width": "640px", "height": "110px"}))
        self.counter = w.HTML()
        self.preview = w.HTML()
        # 3. how to send
        self.chunk_size = w.BoundedIntText(description="Chunk size", style=wide, value=40,
                                           min=1, max=100, tooltip="numbers per Mass request")
        self.rate = w.BoundedFloatText(description="Messages per minute per agent", style=wide,
                                       value=20.0, min=0, max=6000, tooltip="0 = no pacing")
        self.agents = w.SelectMultiple(description="Agents", style=wide, options=[], rows=3)
        self.opt_out = w.FileUpload(accept=".csv,.txt,.xlsx", multiple=False,
                                    description="Opt-out list")
        self.opt_out_note = w.HTML()
        self.recent = w.Dropdown(
            description="Messaged by another campaign in the last 24 h", style=wide,
            options=[("refuse, and tell me how many", "refuse"),
                     ("leave them out", "skip"),
                     ("send to them anyway (a new campaign)", "new")], value="refuse",
            layout={"width": "640px"})
        self._build_sending(client, on_finished)

        self.upload.observe(lambda _: self._load_upload(), names="value")
        self.sample.observe(lambda _: self._load_sample(), names="value")
        self.column.observe(lambda _: None if self._loading else self._clean(), names="value")
        self.message.observe(lambda _: self._count(), names="value")
        self.name.observe(lambda _: self._invalidate(), names="value")
        self.opt_out.observe(lambda _: self._load_opt_out(), names="value")
        self.recent.observe(lambda _: self._invalidate(), names="value")

        def section(title: str) -> Any:
            return w.HTML(f"<h4 style='margin:14px 0 4px'>{title}</h4>")

        self.box = w.VBox([
            section("1. Contacts"), w.HBox([self.upload, self.sample]), self.file_status,
            self.column, self.cleaning,
            section("2. Message"), self.name, self.message, self.counter, self.preview,
            section("3. How to send"), w.HBox([self.chunk_size, self.rate]),
            w.HBox([self.agents, self.opt_out]), self.opt_out_note, self.recent,
            section("4. Check, then send"), *self.sending_rows,
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
        """Read a contact file as the CLI does (with its ``Unsubscribed`` sheet) and clean it."""
        self._loaded(lambda: read_workbook_file(path, Path(path).name))

    def _load_upload(self) -> None:
        if self.upload.value:
            item = self.upload.value[0]
            self._loaded(lambda: read_upload(item))

    def _load_sample(self) -> None:
        if self.sample.value is not None:
            self.load_file(self.samples[self.sample.value])

    def _loaded(self, read: Any) -> None:
        try:
            self.contacts, self.sheet_opt_outs = read()
        except Exception as error:
            self.contacts = self.sheet_opt_outs = None
            self.file_status.value = message_html(str(error), kind="error")
            self._show_opt_outs()
            return
        frame = self.contacts
        self.file_status.value = message_html(
            f"{frame.attrs['source']}: {len(frame):,} rows, columns "
            f"{', '.join(map(str, frame.columns))}")
        detected = frame.attrs.get("phone_column")
        self._loading = True  # one cleaning below, not one per change of the dropdown
        try:
            self.column.options = [str(c) for c in frame.columns]
            self.column.value = str(detected) if detected in frame.columns else None
            self.column.disabled = False
        finally:
            self._loading = False
        self._show_opt_outs()
        self._clean()

    def _load_opt_out(self) -> None:
        self.file_opt_outs = None
        if self.opt_out.value:
            try:
                self.file_opt_outs = read_upload(self.opt_out.value[0])[0]
            except Exception as error:
                self.opt_out_note.value = message_html(str(error), kind="error")
                self._invalidate()
                return
        self._show_opt_outs()

    def opt_out_numbers(self) -> pd.Series | None:
        """Every opt-out phone: the sheet's ``Unsubscribed`` sheet and the uploaded list."""
        columns = [frame[frame.attrs["phone_column"]]
                   for frame in (self.sheet_opt_outs, self.file_opt_outs) if frame is not None]
        if not columns:
            return None
        return pd.concat(columns, ignore_index=True).astype("string")

    def _show_opt_outs(self) -> None:
        parts = [f"{len(frame):,} opt-outs from {frame.attrs['source']}"
                 for frame in (self.sheet_opt_outs, self.file_opt_outs) if frame is not None]
        self.opt_out_note.value = message_html(
            ("Not sent to: " + "; ".join(parts) + ".") if parts else "No opt-out list.")
        self._invalidate()

    def _clean(self) -> None:
        from miogram_toolkit.reports import label

        if self.contacts is None or self.column.value is None:
            self.cleaned = None
            self.cleaning.value = message_html("Pick the column that holds the phone numbers.")
            self._count()
            return
        try:
            self.cleaned = self.contacts.miogram.clean_phones(self.column.value)
        except Exception as error:
            self.cleaned = None
            self.cleaning.value = message_html(str(error), kind="error")
            self._count()
            return
        summary = self.cleaned.miogram.summary()
        summary = summary[summary["count"] > 0]
        shown = pd.DataFrame({
            "Rows": summary["count"].to_numpy(),
            "Share": [f"{p:.0f}%" for p in summary["percent"]]},
            index=[("Total" if i == "total" else label(i)) for i in summary.index])
        self.cleaning.value = (message_html(f"Phone column {self.column.value!r} after "
                                            "cleaning:") + frame_html(shown))
        self._count()

    # -- the message -------------------------------------------------------------------------

    def _count(self) -> None:
        text = self.message.value or ""
        size = message_bytes(text)
        limit = self._limit
        parts = [f"<b>{size:,}</b> bytes" + (f" of {limit:,}" if limit else "")]
        if limit is not None and size > limit:
            parts.append("<b style='color:#b42318'>too long for the account's limit</b>")
        try:
            names = placeholders(text)
        except TemplateError as error:
            parts.append(f"<span style='color:#b42318'>{html.escape(str(error))}</span>")
            names = []
        if names:
            columns = set(map(str, self.contacts.columns)) if self.contacts is not None else set()
            parts.append("placeholders: " + ", ".join(
                html.escape(f"{{{n}}}") + ("" if n in columns or not columns
                                           else " (no such column)") for n in names))
        parts.append("(Persian letters count 2 bytes each; the service counts bytes)")
        self.counter.value = "<div style='color:#444'>" + " · ".join(parts) + "</div>"
        self.preview.value = self._preview(text)
        self._invalidate()

    def _preview(self, text: str) -> str:
        """The message of each of the first rows, as it will be sent (right to left where it is)."""
        if self.cleaned is None or not text.strip():
            return ""
        rows = self.cleaned[self.cleaned["phone_status"] == "ok"].head(PREVIEW_ROWS)
        try:
            texts, missing = render(text, rows)
        except TemplateError:
            return ""  # the counter above already says what is wrong
        numbers = self.by_sheet_row(rows)["Row"]
        items = []
        for label, body in texts.items():
            shown = (html.escape(str(body)) if pd.notna(body) else
                     f"<i>not sent: no value for {{{html.escape(str(missing[label]))}}}</i>")
            items.append(f"<tr><td style='color:#666;vertical-align:top;padding:4px 10px'>"
                         f"row {numbers[label]}</td><td class='mg-message' "
                         f"dir='auto'>{shown}</td></tr>")
        return ("<div style='margin:6px 0 2px;color:#444'>What the first rows will receive:"
                "</div><table class='mg-preview'>" + "".join(items) + "</table>")

    # -- the campaign ------------------------------------------------------------------------

    def build(self) -> Any:
        """The Campaign for what the form says (as ``miogram send`` would build it)."""
        from miogram_toolkit.campaign import Campaign
        from miogram_toolkit.sheets.sample_marks import refuse_samples

        if self.cleaned is None:
            raise ValueError("contacts: upload a file or pick a sample first")
        if not (self.message.value or "").strip():
            raise ValueError("message: write the message first")
        refuse_samples(self.cleaned, getattr(self.client, "base_url", None))
        # No journal named here: the campaign's identity (the account, and the name given or
        # else the message) names it, so Send again or a new dashboard continues the campaign.
        return Campaign(self.cleaned, self.message.value, client=self.client,
                        chunk_size=int(self.chunk_size.value),
                        rate_per_minute=float(self.rate.value) or None,
                        robots=list(self.agents.value) or None, opt_out=self.opt_out_numbers(),
                        name=(self.name.value or "").strip() or None,
                        skip_recent=self.recent.value == "skip",
                        new_campaign=self.recent.value == "new")
