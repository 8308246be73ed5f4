"""The *Credits & limits* tab: what the account has left, as figures and a chart."""

from __future__ import annotations

import html
from typing import Any

from miogram_toolkit.reports import credits_chart, credits_frame, limits_frame
from miogram_toolkit.reports.wording import CREDIT_NOTES
from miogram_toolkit.widgets.common import figure_widget, frame_html, message_html, widgets

__all__ = ["AccountTab"]


class AccountTab:
    """Credits and limits of the account, read on Refresh (and when a send ends)."""

    def __init__(self, client: Any) -> None:
        w = widgets()
        self.client = client
        self.refresh_button = w.Button(description="Refresh", icon="refresh",
                                       tooltip="Ask the service again")
        self.status = w.HTML()
        self.table = w.HTML()
        self.chart = w.Box()
        self.flags = w.HTML()
        self.credits: Any = None
        self.refresh_button.on_click(lambda _: self.refresh())
        self.box = w.VBox([
            w.HBox([self.refresh_button, self.status]),
            self.table, self.flags, self.chart,
        ])

    def refresh(self, need: dict[str, int] | None = None) -> None:
        """Read credits and limits again; ``need`` draws a planned campaign beside them."""
        try:
            limits = limits_frame(self.client)
            self.credits = credits_frame(self.client, limits=limits)
        except Exception as error:  # shown, not raised: the page stays usable
            self.status.value = message_html(f"Could not read the account: {error}",
                                             kind="error")
            return
        table = self.credits.rename(columns={
            "remaining": "Credit left", "single_sends": "Single sends possible",
            "mass_numbers": "Most numbers per Mass request", "used_up": "Used up",
            "limit_text": "Size limit"}).drop(columns=["limit"])
        table.index.name = None
        self.table.value = frame_html(table) + (
            '<p style="color:#555;margin:4px 0 0 0">'
            + html.escape(f"Single sends possible: {CREDIT_NOTES['single_sends']}. "
                          f"Most numbers per Mass request: {CREDIT_NOTES['mass_numbers']}.")
            + "</p>")
        flags = limits.attrs.get("flags", {})
        words = {"canGet": "may read data", "isSuper": "may control the agents' accounts"}
        self.flags.value = message_html("; ".join(
            f"{'✓' if on else '✗'} {words.get(name, name)}" for name, on in flags.items()))
        self.chart.children = [figure_widget(credits_chart(self.credits, need=need))]
        self.status.value = message_html("Read from the service just now.", kind="ok")
