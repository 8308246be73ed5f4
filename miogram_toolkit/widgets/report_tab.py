"""The *Report* tab: the service's report log, filtered, summarised and drawn; the campaigns.

Dates are picked on the Gregorian calendar the browser offers, with the Jalali date shown beside
each picker; times are Tehran's, and say so. Below the log, :mod:`.campaigns_view` lists the
campaigns' own journals and reads their replies.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from miogram_toolkit.protocol.clock import jalali_date, to_tehran
from miogram_toolkit.reports import (
    delivery_chart,
    delivery_summary,
    failures_chart,
    label,
    report_frame,
    timeline_chart,
)
from miogram_toolkit.widgets.campaigns_view import CampaignsView
from miogram_toolkit.widgets.common import figure_widget, message_html, summary_html, widgets

__all__ = ["ReportTab"]

_ALL = "(all)"
_GROUPS = [("Agent", "agent"), ("Action", "action"), ("Channel", "channel"), ("Hour", "hour"),
           ("Day", "day")]


class ReportTab:
    """Load ``report_frame(client)``; filter by action, agent and date; summary and charts."""

    def __init__(self, client: Any) -> None:
        w = widgets()
        self.client = client
        wide = {"description_width": "initial"}
        self.frame = pd.DataFrame()
        self.load_button = w.Button(description="Load report", icon="download",
                                    tooltip="Read the newest records of the service's log")
        self.count = w.HTML()
        self.action = w.Dropdown(description="Action", style=wide, options=[(_ALL, _ALL)])
        self.agent = w.Dropdown(description="Agent", style=wide, options=[(_ALL, _ALL)])
        self.start = w.DatePicker(description="From", style=wide)
        self.end = w.DatePicker(description="To", style=wide)
        self.start_jalali = w.HTML()
        self.end_jalali = w.HTML()
        self.by = w.Dropdown(description="Group by", style=wide, options=_GROUPS, value="agent")
        self.summary = w.HTML()
        self.charts = w.VBox()
        self.campaigns = CampaignsView(client)
        self.load_button.on_click(lambda _: self.load())
        for picker, shown in ((self.start, self.start_jalali), (self.end, self.end_jalali)):
            picker.observe(lambda change, shown=shown: _show_jalali(shown, change["new"]),
                           names="value")
        self._quiet = False
        for control in (self.action, self.agent, self.start, self.end, self.by):
            control.observe(lambda _: None if self._quiet else self.update(), names="value")
        self.box = w.VBox([
            w.HBox([self.load_button, self.count]),
            w.HBox([self.action, self.agent]),
            w.HBox([self.start, self.start_jalali, self.end, self.end_jalali, self.by]),
            self.summary, self.charts, self.campaigns.box,
        ])

    def load(self) -> None:
        """Read the report log and refresh the filters' choices."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a frozen log is said below, in one sentence
                self.frame = report_frame(self.client,
                                          known_send_at=self.campaigns.newest_send())
        except Exception as error:
            self.count.value = message_html(f"Could not read the report: {error}", kind="error")
            return
        self._quiet = True  # one redraw below, not one per changed control
        try:
            for control, column in ((self.action, "func"), (self.agent, "robot")):
                values = sorted(self.frame[column].dropna().unique()) if len(self.frame) else []
                control.options = [(_ALL, _ALL), *[(label(v), str(v)) for v in values]]
                control.value = _ALL
                control.disabled = not values
            # Group only by what the log holds (the service's own log names no agent/action).
            known = {"agent": "robot", "action": "func", "channel": "channel"}
            groups = [(text, key) for text, key in _GROUPS if key not in known
                      or (len(self.frame) and self.frame[known[key]].notna().any())]
            previous = self.by.value
            self.by.options = groups
            self.by.value = previous if previous in dict(groups).values() else groups[0][1]
        finally:
            self._quiet = False
        self.update()

    def filtered(self) -> pd.DataFrame:
        """The loaded records that pass the filters."""
        frame = self.frame
        if frame.empty:
            return frame
        keep = pd.Series(True, index=frame.index)
        if self.action.value != _ALL:
            keep &= frame["func"] == self.action.value
        if self.agent.value != _ALL:
            keep &= frame["robot"] == self.agent.value
        local = to_tehran(frame["sent_at"]).dt.date
        if self.start.value is not None:
            keep &= local >= self.start.value
        if self.end.value is not None:
            keep &= local <= self.end.value
        return frame[keep.fillna(False).to_numpy(dtype=bool)]

    def update(self) -> None:
        """Redraw the count, the summary table and the charts for the current filters."""
        frame = self.filtered()
        total = len(self.frame)
        if total == 0:
            self.count.value = message_html("The report log is empty: nothing was delivered "
                                            "yet (the service logs no failed single send).")
            self.summary.value = ""
            self.charts.children = []
            return
        note = ("" if self.frame["func"].notna().any() else
                " The service's own log keeps no failed single send; failed numbers of Mass "
                "sends are listed.")
        frozen = self.frame.attrs.get("log_note")
        self.count.value = message_html(
            f"{len(frame):,} of {total:,} numbers in the records the service's log shows (Tehran "
            "time)." + note) + (message_html(
                f"{frozen} The campaigns' own journals below keep every row.", kind="error")
                if frozen else "")
        if frame.empty:
            self.summary.value = message_html("No record passes these filters.")
            self.charts.children = []
            return
        self.summary.value = summary_html(delivery_summary(frame, by=self.by.value))
        charts = [delivery_chart(frame, by=self.by.value), timeline_chart(
            frame, every="day" if self.by.value == "day" else "hour")]
        if (~frame["delivered"]).any():
            charts.append(failures_chart(frame))
        self.charts.children = [figure_widget(fig) for fig in charts]


def _show_jalali(shown: Any, day: Any) -> None:
    shown.value = (f"<span class='mg-jalali' dir='rtl'>{jalali_date(day)}</span>"
                   if day is not None else "")
