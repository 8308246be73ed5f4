"""The dashboard container: a ``VBox`` holding the header and the three tabs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ipywidgets as w

from miogram_toolkit.client import Client

__all__ = ["Dashboard"]


def _samples() -> dict[str, Path]:
    from miogram_toolkit.demo import sample_path

    found = {}
    for name in ("contacts.csv", "contacts.xlsx"):
        path = sample_path(name)
        if path.exists():
            found[f"sample {name}"] = path
    if not found:  # an installed package has no sample_data/: generate the samples
        import tempfile

        from miogram_toolkit.samples import write_samples

        written = write_samples(Path(tempfile.mkdtemp(prefix="miogram-samples-")))
        found = {f"sample {path.name}": path for path in written.values()
                 if path.suffix in (".csv", ".xlsx")}
    return found


class Dashboard(w.VBox):  # type: ignore[misc]
    """The three tabs around one client, in one container a notebook displays.

    Attributes:
        account, compose, report: the tabs (their widgets are attributes, for tests and
            scripts).
        tabs: the ``Tab`` widget.
    """

    def __init__(self, client: Any = None, *, journal_dir: str | os.PathLike[str] | None
                 = None, seed: int = 7) -> None:
        from miogram_toolkit.dashboard.account_tab import AccountTab
        from miogram_toolkit.dashboard.compose_tab import ComposeTab
        from miogram_toolkit.dashboard.report_tab import ReportTab

        self.simulator: Any = None
        where = "the MioGram service"
        if client is None:
            from miogram_toolkit.simulator import Simulator

            self.simulator = Simulator(seed=seed, start=False)
            client = Client.to(self.simulator)
            where = "a local simulator (no real messages leave)"
        self.client = client
        self.account = AccountTab(client)
        self.compose = ComposeTab(client, samples=_samples(),
                                  journal_dir=Path(journal_dir or "miogram_journals"),
                                  on_finished=self._after_send)
        self.report = ReportTab(client)
        self.tabs = w.Tab(children=[self.account.box, self.compose.box, self.report.box])
        for i, title in enumerate(("Credits & limits", "Compose & send", "Report")):
            self.tabs.set_title(i, title)
        header = w.HTML(
            "<div style='display:flex;align-items:baseline;gap:16px'>"
            "<h2 style='margin:4px 0'>MioGram dashboard</h2>"
            f"<span style='color:#666'>connected to {where}</span></div>")
        super().__init__([header, self.tabs], layout={"max_width": "1100px"})
        self.account.refresh()
        self.compose.refresh_account()
        self.report.load()

    def _after_send(self) -> None:
        self.account.refresh()
        self.report.load()

    def close(self) -> None:
        """Stop a send in progress at its next request and release the simulator."""
        self.compose.client.resume()
        if self.simulator is not None:
            self.simulator.stop()
