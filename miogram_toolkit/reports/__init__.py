"""Reports people can read: delivery records as frames, summaries, credits, charts, Excel.

What it holds:

* :mod:`~miogram_toolkit.reports.frames` — ``records_to_frame``: ``APIGetReport`` records of
  either shape (the service's per-request log, the document's per-number records) as one typed
  frame, one row per number per send;
* :mod:`~miogram_toolkit.reports.summary` — ``delivery_summary`` (by action, agent, channel,
  day, hour, campaign…), ``failure_reasons``, ``funnel``, for report frames and campaign
  results frames alike;
* :mod:`~miogram_toolkit.reports.credits` — credits and limits as frames, ``can_afford``, by
  the service's own credit arithmetic;
* :mod:`~miogram_toolkit.reports.charts` — matplotlib Figures (``ax=``, nothing shown);
* :mod:`~miogram_toolkit.reports.excel` — ``write_report``: one workbook for the boss;
* :mod:`~miogram_toolkit.reports.labels` — human labels, Persian made drawable.

The room reads; it never sends (it imports only ``protocol``). Its data flow::

    client.get_report() ─┐                         ┌─► delivery_summary / failure_reasons
    campaign archive  ───┴─► records_to_frame ─────┤
    Campaign.run() results frame ──────────────────┼─► charts (Figure) ──┐
    client.get_credits()/get_limits() ─► credits_frame / limits_frame ───┴─► write_report (.xlsx)

Example:
    >>> from miogram_toolkit.client import Client
    >>> from miogram_toolkit.simulator import Simulator
    >>> from miogram_toolkit import reports
    >>> with Simulator(seed=7) as sim, Client.to(sim) as client:
    ...     _ = client.send_message_mass(["+989121234567", "+989351234567"], "Hi")
    ...     frame = reports.records_to_frame(client.get_report(10))
    ...     credits = reports.credits_frame(client)
    >>> len(frame), int(reports.delivery_summary(frame)["sent"].iloc[0])
    (2, 2)
"""

from __future__ import annotations

from miogram_toolkit.reports.charts import (
    credits_chart,
    delivery_chart,
    failures_chart,
    funnel_chart,
    timeline_chart,
)
from miogram_toolkit.reports.credits import (
    can_afford,
    credit_needed,
    credits_frame,
    limits_frame,
)
from miogram_toolkit.reports.excel import write_report
from miogram_toolkit.reports.frames import (
    REPORT_COLUMNS,
    empty_report_frame,
    records_to_frame,
    report_frame,
)
from miogram_toolkit.reports.labels import display_text, label
from miogram_toolkit.reports.summary import (
    delivery_summary,
    failure_reasons,
    funnel,
    outcomes,
)

__all__ = [
    "REPORT_COLUMNS",
    "can_afford",
    "credit_needed",
    "credits_chart",
    "credits_frame",
    "delivery_chart",
    "delivery_summary",
    "display_text",
    "empty_report_frame",
    "report_frame",
    "failure_reasons",
    "failures_chart",
    "funnel",
    "funnel_chart",
    "label",
    "limits_frame",
    "outcomes",
    "records_to_frame",
    "timeline_chart",
    "write_report",
]
