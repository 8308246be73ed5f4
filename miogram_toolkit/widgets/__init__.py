"""The dashboard: credits, compose & send, and the report, as ipywidgets (and a Voila page).

Wiring only: every button calls the function the ``miogram`` command calls (``read_contacts``,
``clean_phones``, ``Campaign``, ``report_frame``, ``delivery_summary``, the charts,
``write_report``). Nothing is displayed until the notebook shows the returned container.

The picture::

    ┌ MioGram dashboard ─────────────────────────────────────────── connected to … ┐
    │ [Credits & limits] [Compose & send] [Report]                                 │
    │  Credits & limits: table of credits/limits · credits chart · Refresh         │
    │  Compose & send:   contacts (upload / sample) → phone column → cleaning      │
    │                    name, message (bytes of limit, placeholders, preview per  │
    │                    row) → chunk, pace, agents, opt-outs, the 24-hour choice  │
    │                    → Dry run (plan) → Send ▸ progress, Pause/Resume →        │
    │                    results table → Download Excel                            │
    │  Report:           the service's log: filters (action, agent, dates with the │
    │                    Jalali date) → summary, charts; the campaigns' journals;  │
    │                    Read replies → summary, replies, chart                    │
    └──────────────────────────────────────────────────────────────────────────────┘

    Send ─► thread: Campaign.run() ─► client (gate: Pause holds the next request)
            watcher: Campaign.status(journal) every 0.3 s ─► progress bar
            done ─► results table, credits refreshed

The service comes from :func:`miogram_toolkit.service.connect`: a local simulator unless a
client is given (or ``live=True`` with ``MIOGRAM_URL`` set). Modules: :mod:`.app` (the
container), :mod:`.account_tab`, :mod:`.compose_tab` with :mod:`.sending` and :mod:`.uploads`,
:mod:`.report_tab` with :mod:`.campaigns_view`, :mod:`.common` and :mod:`.style` (tables,
figures, right-to-left text), and :mod:`.serve`, which serves the page to this machine's browser
only, behind a token.

Example:
    >>> import miogram_toolkit as mg
    >>> board = mg.dashboard()          # a local simulator when no client is given
    >>> [board.tabs.get_title(i) for i in range(3)]
    ['Credits & limits', 'Compose & send', 'Report']
    >>> int(board.account.credits.loc["Message", "remaining"]) > 0
    True
    >>> board.close()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from miogram_toolkit.widgets.app import Dashboard

__all__ = ["dashboard"]


def dashboard(client: Any = None, *, live: bool = False) -> Dashboard:
    """The dashboard for ``client``; without one, for a local simulator (or, ``live``, the service).

    Args:
        client: a MioGram client. None: :func:`miogram_toolkit.service.connect` chooses, a
            local simulator (no real message leaves) unless ``live`` is true and
            ``MIOGRAM_URL`` is set.
        live: with no ``client``, use the service named by ``MIOGRAM_URL`` when it is set.

    The campaigns' journals go where every campaign's go: the user data folder's ``journals/``
    (``MIOGRAM_HOME`` moves it), named from the campaign's identity (its account and its name,
    or else its message), so the same campaign is found again from any dashboard.

    Returns:
        The container (an ipywidgets ``VBox``); a notebook shows it as a cell's value. Its
        parts are reachable from Python (``board.compose.send_button.click()``).
    """
    from miogram_toolkit.widgets.app import Dashboard

    return Dashboard(client, live=live)
