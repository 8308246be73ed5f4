"""The dashboard container: a ``VBox`` holding the header and the three tabs."""

from __future__ import annotations

import contextlib
from typing import Any

import ipywidgets as w

from miogram_toolkit.samples import sample_sheets
from miogram_toolkit.service import connect
from miogram_toolkit.sheets.sample_marks import is_local_service

__all__ = ["Dashboard"]


class Dashboard(w.VBox):  # type: ignore[misc]
    """The three tabs around one client, in one container a notebook displays.

    Attributes:
        account, compose, report: the tabs (their widgets are attributes, for tests and
            scripts).
        tabs: the ``Tab`` widget.
        local: whether the service is on this machine (the simulator); the sample sheets are
            offered only then.
    """

    def __init__(self, client: Any = None, *, live: bool = False, seed: int = 7) -> None:
        from miogram_toolkit.widgets.account_tab import AccountTab
        from miogram_toolkit.widgets.compose_tab import ComposeTab
        from miogram_toolkit.widgets.report_tab import ReportTab
        from miogram_toolkit.widgets.style import page_style

        # A service the dashboard chose itself is closed with it (close()).
        self._owned = contextlib.ExitStack()
        if client is None:
            client = self._owned.enter_context(connect(live=live, seed=seed, start=False))
        self.client = client
        self.local = is_local_service(getattr(client, "base_url", None))
        where = ("a local simulator (no real messages leave)" if self.local
                 else "the MioGram service")
        self.account = AccountTab(client)
        self.compose = ComposeTab(
            client, samples=sample_sheets(getattr(client, "base_url", None)),
            on_finished=self._after_send)
        self.report = ReportTab(client)
        self.tabs = w.Tab(children=[self.account.box, self.compose.box, self.report.box])
        for i, title in enumerate(("Credits & limits", "Compose & send", "Report")):
            self.tabs.set_title(i, title)
        header = w.HTML(
            "<div style='display:flex;align-items:baseline;gap:16px'>"
            "<h2 style='margin:4px 0'>MioGram dashboard</h2>"
            f"<span style='color:#666'>connected to {where}</span></div>")
        super().__init__([page_style(), header, self.tabs], layout={"max_width": "1100px"})
        self.account.refresh()
        self.compose.refresh_account()
        self.report.load()
        self.report.campaigns.refresh()

    def _after_send(self) -> None:
        self.account.refresh()
        self.report.load()
        campaign = self.compose.campaign
        self.report.campaigns.refresh(select=getattr(campaign, "journal_path", None))

    def close(self) -> None:
        """Stop a send in progress at its next request and release a service it started."""
        self.compose.client.resume()
        self._owned.close()
