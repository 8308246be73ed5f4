"""The Excel report: one workbook a campaign manager can hand on.

Sheets, each present when its data is given:

==========  ====================================================================================
Summary     when it was made, the key figures (rows, sent, delivered, rate…) of the results and
            of the report log, the credit left, and the charts as pictures
Results     the campaign's rows (the user's columns) with state and reason in words
Report     the service's report log, one row per number per send
Credits     credit left per kind, what it still allows, the size limits
==========  ====================================================================================

Phone columns are written as text (``+989121234567`` stays itself, never ``9.89E+11``), times
as real Excel dates on Tehran's clock (the header says so), text that starts with ``=`` as
text (never a formula). Headers are bold and frozen, widths fit the content. The file is
written under a temporary name beside the target and then moved into place, so a failed write
leaves nothing half-written; it gets the permissions of any file the user creates (their
umask), not owner-only.

Example:
    >>> import tempfile, pandas as pd
    >>> results = pd.DataFrame({"e164": ["+989121234567"], "state": ["delivered"],
    ...                         "reason": [None]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_report(Path(folder) / "report.xlsx", results=results, charts=False)
    ...     import openpyxl
    ...     openpyxl.load_workbook(path).sheetnames
    ['Summary', 'Results']
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from miogram_toolkit.reports.credits import credits_frame
from miogram_toolkit.reports.frames import SERVICE_TZ
from miogram_toolkit.reports.labels import label
from miogram_toolkit.reports.summary import delivery_summary, failure_reasons

__all__ = ["write_report"]

DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
_PHONE_NAMES = {"e164", "phone", "phones", "mobile", "number", "msisdn"}
_WORDS = {"state", "reason", "func", "channel", "phone_status"}
_HEADERS = {
    "e164": "Phone (E.164)", "state": "State", "reason": "Reason", "agent": "Agent",
    "chunk": "Chunk", "attempts": "Attempts", "func": "Action", "channel": "Channel",
    "robot": "Agent", "phone": "Phone", "delivered": "Delivered", "kind": "Credit kind",
    "message": "Message", "request": "Log row", "phone_status": "Phone check",
    "remaining": "Credit left", "single_sends": "Single sends still possible",
    "mass_numbers": "Numbers one Mass request may carry", "used_up": "Used up",
    "limit": "Size limit (bytes)", "limit_text": "Size limit", "kind_": "Kind",
}


def _header(name: Any, tz: str) -> str:
    text = str(name)
    if text in ("sent_at", "time"):
        return f"Sent at ({tz.split('/')[-1]} time)"
    return _HEADERS.get(text, text)


def _phone_columns(frame: pd.DataFrame) -> set[Any]:
    named = {frame.attrs.get("phone_column")}
    return {c for c in frame.columns if str(c).lower() in _PHONE_NAMES or c in named}


def _phone_text(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _prepared(frame: pd.DataFrame, tz: str, *, words: bool) -> pd.DataFrame:
    """A copy ready for cells: local naive times, phones as text, codes in words."""
    out = frame.copy()
    if any(out.index.names):
        out = out.reset_index()
    phones = _phone_columns(out)
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            out[name] = column.dt.tz_convert(tz).dt.tz_localize(None)
        elif name in phones:
            out[name] = column.map(_phone_text).astype(object)
        elif words and name in _WORDS:
            out[name] = column.map(lambda v: None if pd.isna(v) else label(v)).astype(object)
    out.columns = [_header(c, tz) for c in out.columns]
    out.attrs["text_columns"] = {_header(c, tz) for c in phones}
    return out


def _column_values(column: pd.Series) -> list[Any]:
    """The column's cells as Python values, missing ones as None."""
    if pd.api.types.is_datetime64_any_dtype(column):
        stamps = column.dt.to_pydatetime()
        return [None if pd.isna(v) else v for v in stamps]
    values = column.astype(object).tolist()
    return [None if v is None or v is pd.NA or v is pd.NaT
            or (isinstance(v, float) and v != v) else v for v in values]


def _write_sheet(book: Any, title: str, frame: pd.DataFrame) -> Any:
    """One table: bold frozen header, widths to fit, dates as dates, phones as text."""
    ws = book.add_worksheet(title)
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F6", "bottom": 1})
    date = book.add_format({"num_format": DATE_FORMAT})
    text = book.add_format({"num_format": "@"})
    texts = frame.attrs.get("text_columns", set())
    for col, name in enumerate(frame.columns):
        column = frame[name]
        is_date = pd.api.types.is_datetime64_any_dtype(column)
        values = _column_values(column)
        lengths = [len(str(v)) for v in values[:500] if v is not None]
        longest = 19 if is_date else max(lengths, default=0)
        ws.set_column(col, col, min(max(len(str(name)), longest) + 2, 60),
                      text if name in texts else None)
        ws.write_string(0, col, str(name), bold)
        for row, value in enumerate(values, start=1):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(row, col, value)  # never a formula, whatever it starts with
            elif isinstance(value, bool | np.bool_):
                ws.write_boolean(row, col, bool(value))
            elif isinstance(value, int | float | np.integer | np.floating):
                if np.isfinite(value):
                    ws.write_number(row, col, value)
            elif isinstance(value, datetime):
                ws.write_datetime(row, col, value, date)
            else:
                ws.write_string(row, col, str(value))
    ws.freeze_panes(1, 0)
    return ws


def _figures(results: pd.DataFrame | None, report: pd.DataFrame | None) -> list[list[Any]]:
    lines: list[list[Any]] = []
    for name, frame in (("Campaign results", results), ("Report log", report)):
        if frame is None:
            continue
        total = delivery_summary(frame).iloc[0]
        lines.append([name])
        for key, text in (("rows", "Rows"), ("sent", "Sent"), ("delivered", "Delivered"),
                          ("failed", "Not delivered"), ("unknown", "Outcome unknown"),
                          ("skipped", "Skipped"), ("pending", "Not sent yet")):
            if key in ("rows", "sent", "delivered") or total[key]:
                lines.append([text, int(total[key])])
        rate = total["rate"]
        lines.append(["Delivery rate", None if np.isnan(rate) else float(rate)])
        reasons = failure_reasons(frame)
        if len(reasons):
            lines.append(["Not delivered or skipped, by reason"])
        for reason, count in zip(reasons["label"], reasons["count"], strict=True):
            lines.append([f"  {reason}", int(count)])
        lines.append([])
    return lines


def _chart_images(results: pd.DataFrame | None, report: pd.DataFrame | None,
                  credits: pd.DataFrame | None, tz: str) -> list[tuple[bytes, float]]:
    from miogram_toolkit.reports import charts

    figures = []
    main = results if results is not None else report
    if main is not None and len(main):
        if results is not None:
            figures.append(charts.funnel_chart(main, tz=tz))
        by = "agent" if any(c in main.columns for c in ("agent", "robot")) else "day"
        figures.append(charts.delivery_chart(main, by=by, tz=tz))
        if "sent_at" in main.columns and main["sent_at"].notna().any():
            figures.append(charts.timeline_chart(main, tz=tz))
        if len(failure_reasons(main)):
            figures.append(charts.failures_chart(main, tz=tz))
    if credits is not None:
        figures.append(charts.credits_chart(credits, tz=tz))
    images = []
    for fig in figures:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        # Excel shows a picture at 96 pixels an inch, whatever its dpi.
        images.append((buffer.getvalue(), fig.get_figheight() * 96))
    return images


def write_report(path: str | os.PathLike[str], *, results: pd.DataFrame | None = None,
                 report: pd.DataFrame | None = None,
                 credits: pd.DataFrame | Mapping[str, Any] | Any = None,
                 charts: bool = True, tz: str = SERVICE_TZ,
                 replies: pd.DataFrame | None = None) -> Path:
    """Write the Excel report (sheets Summary, Results, Report, Credits, Replies) to ``path``.

    Args:
        path: the ``.xlsx`` file to create or replace; its folder must exist.
        results: a campaign's results frame (``Campaign.run()``).
        report: a report frame (:func:`~miogram_toolkit.reports.records_to_frame`).
        credits: a :func:`~miogram_toolkit.reports.credits_frame`, the credits dict, or a
            client to read them from.
        charts: put the charts on the Summary sheet as pictures.
        tz: the clock the times are written on.
        replies: a campaign's replies (``Campaign.replies()``), one row per reply.

    Returns:
        The path written.

    Raises:
        ValueError: the path is not ``.xlsx``, its folder does not exist, or nothing is given.
    """
    import xlsxwriter

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(f"path: an Excel report must be a .xlsx file, got {target.name!r}")
    if not target.parent.is_dir():
        raise ValueError(f"path: the folder {str(target.parent)!r} does not exist")
    if results is None and report is None and credits is None and replies is None:
        raise ValueError("write_report: give results=, report=, credits= or replies= "
                         "(nothing to write)")
    credit_table = None
    if credits is not None:
        credit_table = credits if isinstance(credits, pd.DataFrame) else credits_frame(credits)

    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    # xlsxwriter creates the file with open(): the user's umask decides its mode.
    book = xlsxwriter.Workbook(str(temporary), {"remove_timezone": True})
    try:
        _write_summary(book, results, report, credit_table, charts=charts, tz=tz)
        if results is not None:
            _write_sheet(book, "Results", _prepared(results, tz, words=True))
        if report is not None:
            _write_sheet(book, "Report", _prepared(report, tz, words=False))
        if credit_table is not None:
            _write_sheet(book, "Credits", _prepared(credit_table, tz, words=False))
        if replies is not None:
            _write_sheet(book, "Replies", _prepared(replies, tz, words=False))
        book.close()
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def _write_summary(book: Any, results: pd.DataFrame | None, report: pd.DataFrame | None,
                   credit_table: pd.DataFrame | None, *, charts: bool, tz: str) -> None:
    """Title, when, the key figures, credit left; the charts as pictures on the right."""
    ws = book.add_worksheet("Summary")
    ws.set_column(0, 0, 36)
    ws.set_column(1, 1, 20)  # wide enough for a date and time
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # printed: one page wide, figures beside the charts
    title = book.add_format({"bold": True, "font_size": 14})
    bold = book.add_format({"bold": True})
    date = book.add_format({"num_format": DATE_FORMAT, "align": "left"})
    percent = book.add_format({"num_format": "0.0%"})
    made = pd.Timestamp(datetime.now().astimezone()).tz_convert(tz).tz_localize(None)
    ws.write_string(0, 0, "MioGram campaign report", title)
    ws.write_string(1, 0, f"Made on ({tz.split('/')[-1]} time)")
    ws.write_datetime(1, 1, made.to_pydatetime(), date)
    row = 3
    for line in _figures(results, report):
        if len(line) == 1:
            ws.write_string(row, 0, line[0], bold)
        elif len(line) == 2:
            ws.write_string(row, 0, line[0])
            if line[0] == "Delivery rate" and line[1] is not None:
                ws.write_number(row, 1, line[1], percent)
            elif line[1] is not None:
                ws.write_number(row, 1, line[1])
        row += 1
    if credit_table is not None:
        ws.write_string(row, 0, "Credit left", bold)
        for kind, left in credit_table["remaining"].items():
            row += 1
            ws.write_string(row, 0, str(kind))
            if not pd.isna(left):
                ws.write_number(row, 1, int(left))
    if charts:
        top = 0
        for picture, height in _chart_images(results, report, credit_table, tz):
            ws.insert_image(top, 3, "chart.png", {"image_data": io.BytesIO(picture),
                                                  "object_position": 3})
            top += int(height / 20) + 2  # rows are 20 pixels high
