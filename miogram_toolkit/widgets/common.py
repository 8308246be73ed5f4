"""Small pieces every tab uses: figures and frames as widgets, a pause gate for the client."""

from __future__ import annotations

import base64
import html
import io
import threading
from typing import Any

import pandas as pd

from miogram_toolkit.protocol.clock import with_time_columns

__all__ = ["PausableClient", "download_link", "figure_widget", "frame_html", "message_html",
           "summary_html", "widgets"]


def widgets() -> Any:
    """ipywidgets, or a one-sentence error saying how to get it."""
    try:
        import ipywidgets
    except ImportError:  # pragma: no cover - ipywidgets is a dependency
        raise ImportError("The dashboard needs ipywidgets: pip install ipywidgets") from None
    return ipywidgets


def figure_png(fig: Any) -> bytes:
    """A matplotlib figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def figure_widget(fig: Any) -> Any:
    """A matplotlib figure as an Image widget (shown in notebooks and on the Voila page)."""
    return widgets().Image(value=figure_png(fig), format="png",
                           layout={"max_width": "100%", "width": "760px", "height": "auto",
                                   "margin": "6px 0"})


def frame_html(frame: pd.DataFrame, *, rows: int = 200, index: bool = True) -> str:
    """A frame as a compact HTML table (the first ``rows`` rows, and how many there are).

    Times with a zone are shown on Tehran's clock, the column named so, with the Jalali date
    beside them (times without one are already shown as their column names them).
    """
    zoned = [name for name in frame.columns if isinstance(frame[name].dtype, pd.DatetimeTZDtype)]
    shown = with_time_columns(frame.head(rows), zoned)
    for name in shown.columns:  # numbers as people write them: 10,000; yes/no; local times
        column = shown[name]
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            shown[name] = column.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
        elif pd.api.types.is_bool_dtype(column):
            shown[name] = column.map(lambda v: "" if pd.isna(v) else ("yes" if v else "no"))
        elif pd.api.types.is_integer_dtype(column):
            shown[name] = column.map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
        elif column.dtype == object or pd.api.types.is_string_dtype(column):
            # pandas writes a line break as a literal "\n"; a visible mark reads better
            text = column.astype(object).where(column.notna(), "")
            shown[name] = text.map(lambda v: v.replace("\n", " ↵ ") if isinstance(v, str) else v)
    table = shown.to_html(index=index, na_rep="", border=0, classes="mg-table",
                          float_format=lambda v: f"{v:,.3g}")
    more = (f"<div style='color:#666'>first {rows:,} of {len(frame):,} rows</div>"
            if len(frame) > rows else "")
    style = ("<style>.mg-table{border-collapse:collapse;font-size:13px}"
             ".mg-table th,.mg-table td{padding:3px 10px;border-bottom:1px solid #e3e6ea;"
             "text-align:left}.mg-table thead th{background:#f2f4f7}</style>")
    return f"{style}<div style='max-height:420px;overflow:auto'>{table}</div>{more}"


def summary_html(summary: pd.DataFrame) -> str:
    """A delivery summary (``delivery_summary``) as people read it: words, percentages.

    Rows without a group (skipped rows have no agent) say so instead of ``(none)``.
    """
    from miogram_toolkit.reports import label

    columns = {"sent": "Sent", "delivered": "Delivered", "failed": "Not delivered",
               "unknown": "Unknown", "skipped": "Skipped", "rate": "Rate"}
    shown = summary[[c for c in columns if c in summary.columns]].rename(columns=columns)
    shown = shown.loc[:, (shown != 0).any() | (shown.columns == "Sent")]
    shown["Rate"] = [f"{r:.0%}" if r == r else "" for r in shown["Rate"]]
    shown.index = [_group_text(key, label) for key in shown.index]
    return frame_html(shown)


def _group_text(key: object, label: Any) -> str:
    if key is None or (not isinstance(key, str) and pd.isna(key)) or key in ("", "(none)"):
        return "not sent"
    if isinstance(key, pd.Timestamp):
        return f"{key:%d %b %Y %H:%M}" if (key.hour or key.minute) else f"{key:%d %b %Y}"
    return str(label(key))


def message_html(text: str, *, kind: str = "info") -> str:
    """A one-line notice: info (grey), ok (green) or error (red)."""
    colour = {"info": "#444", "ok": "#1d7a46", "error": "#b42318"}[kind]
    body = html.escape(text).replace("\n", "<br>")
    return f"<div style='color:{colour};margin:4px 0;white-space:normal'>{body}</div>"


def download_link(data: bytes, filename: str, text: str) -> str:
    """An HTML link that downloads ``data`` as ``filename`` (works in notebooks and Voila)."""
    encoded = base64.b64encode(data).decode("ascii")
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return (f"<a download='{html.escape(filename)}' href='data:{mime};base64,{encoded}' "
            f"style='font-weight:bold'>{html.escape(text)}</a>")


class PausableClient:
    """The client, with a gate in front of every send: closed, sends wait; open, they go.

    The gate is checked *before* a request leaves, so pausing never leaves a send half done:
    the campaign's journal already holds the rows as in flight and the request simply waits.
    Everything else (reads, the client's attributes) passes straight to the client; nothing is
    ever set on it (the campaign passes per-request overrides instead).
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._open = threading.Event()
        self.waiting = threading.Event()
        self._open.set()

    def pause(self) -> None:
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    @property
    def paused(self) -> bool:
        return not self._open.is_set()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._client, name)
        if not (name.startswith("send_") and callable(value)):
            return value

        def gated(*args: Any, **kwargs: Any) -> Any:
            if not self._open.is_set():
                self.waiting.set()
                self._open.wait()
                self.waiting.clear()
            return value(*args, **kwargs)

        return gated

    def __repr__(self) -> str:
        return f"PausableClient({self._client!r}, paused={self.paused})"
