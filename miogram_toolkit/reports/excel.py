"""The Excel report: one workbook a campaign manager can hand on.

Sheets, each present when its data is given:

==========  ====================================================================================
Summary     when it was made, the key figures (rows, sent, delivered, rate…) of the results and
            of the report log, each with what it counts in words, why rows were not delivered
            (the reasons list's words), the credit left, a sentence when the service's log is
            frozen, and the charts as pictures
Results     the campaign's rows (the user's columns), the row of the sheet, state and reason in
            words ("Duplicate of row 7"); every row that was sent has its time
Report      the service's report log, one row per number per send; the agent, action, channel
            and credit kind the log does not name come from the campaign's journal
            (``requests=``/``results=``, :mod:`~miogram_toolkit.reports.attribution`), columns
            still empty are left out
Credits     credit left per kind, what it still allows, each explained in words, size limits
Replies     a campaign's replies (``replies=``), one row per reply
==========  ====================================================================================

Phone columns are written as text (``+989121234567`` stays itself, never ``9.89E+11``), times
as real Excel dates on Tehran's clock (the header says so) with the Jalali date beside, text
that starts with ``=`` as text (never a formula). Headers are bold and frozen, widths fit the
content. The file is written through an unpredictable temporary file beside the target
(:func:`~miogram_toolkit.local.atomic_write`) and renamed into place, so a failed write leaves
nothing half-written; it gets the permissions of any file the user creates (their umask), not
owner-only: a report is meant to be shared.

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
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from miogram_toolkit.local import atomic_write
from miogram_toolkit.protocol.clock import jalali_date, jalali_dates, jalali_name
from miogram_toolkit.reports.attribution import attribute, drop_empty, fill_sent_at
from miogram_toolkit.reports.credits import credits_frame
from miogram_toolkit.reports.frames import SERVICE_TZ, frozen_log_note
from miogram_toolkit.reports.labels import label
from miogram_toolkit.reports.summary import delivery_summary, failure_reasons
from miogram_toolkit.reports.wording import CREDIT_NOTES, FIGURE_NOTES, credit_explained

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
    "explained": "What it means", "row": "Row in the sheet",
}


def _header(name: Any, tz: str) -> str:
    text = str(name)
    if text in ("sent_at", "time"):
        return f"Sent at ({tz.split('/')[-1]} time)"
    return _HEADERS.get(text, text)


def _sheet_row(label_: Any) -> Any:
    # A frame built by read_contacts counts from 0 under a header on row 1 (title rows and
    # blank rows aside: a campaign that knows better gives a ``row`` column).
    if isinstance(label_, int | np.integer) and not isinstance(label_, bool):
        return int(label_) + 2
    return label_


def _with_rows(results: pd.DataFrame) -> pd.DataFrame:
    """Results with the sheet's row first and ``duplicate_of:<label>`` naming that row."""
    out = results.copy()
    if "row" in out.columns:
        rows = dict(zip(out.index, out["row"], strict=True))
    else:
        rows = {key: _sheet_row(key) for key in out.index}
        out.insert(0, "row", [rows[key] for key in out.index])
    if "reason" in out.columns:
        def named(reason: Any) -> Any:
            if isinstance(reason, str) and reason.startswith("duplicate_of:"):
                key = reason.partition(":")[2]
                found = rows.get(int(key)) if key.lstrip("-").isdigit() else rows.get(key)
                return f"duplicate_of:{found}" if found is not None else reason
            return reason

        out["reason"] = out["reason"].map(named).astype(object)
    return out.reset_index(drop=True)


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
    jalali: dict[Any, pd.Series] = {}
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            local = column.dt.tz_convert(tz)
            out[name] = local.dt.tz_localize(None)
            jalali[name] = jalali_dates(local)
        elif name in phones:
            out[name] = column.map(_phone_text).astype(object)
        elif words and name in _WORDS:
            out[name] = column.map(lambda v: None if pd.isna(v) else label(v)).astype(object)
    for name, days in jalali.items():  # the Jalali date right after each time
        out.insert(list(out.columns).index(name) + 1, jalali_name(_header(name, tz)
                                                                   .split(" (")[0]),
                   days.replace("", None).astype(object))
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
    """Lines of the Summary: a heading ``[text]`` or ``[text, value, what it counts]``."""
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
                lines.append([text, int(total[key]), FIGURE_NOTES[(name, key)]])
        rate = total["rate"]
        lines.append(["Delivery rate", None if np.isnan(rate) else float(rate),
                      FIGURE_NOTES[(name, "rate")]])
        reasons = failure_reasons(frame)
        if len(reasons):
            lost = int(reasons["count"].sum())
            lines.append([f"Why {lost} row{' was' if lost == 1 else 's were'} not delivered"])
        for reason, count, why in zip(reasons["label"], reasons["count"],
                                      reasons["explanation"], strict=True):
            lines.append([f"  {reason}", int(count), why])
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
        named = [c for c in ("agent", "robot") if c in main.columns and main[c].notna().any()]
        by = "agent" if named else "day"
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
                 requests: pd.DataFrame | None = None,
                 known_send_at: Any = None,
                 charts: bool = True, tz: str = SERVICE_TZ,
                 replies: pd.DataFrame | None = None) -> Path:
    """Write the Excel report (sheets Summary, Results, Report, Credits, Replies) to ``path``.

    Args:
        path: the ``.xlsx`` file to create or replace; its folder must exist.
        results: a campaign's results frame (``Campaign.run()``).
        report: a report frame (:func:`~miogram_toolkit.reports.records_to_frame`).
        credits: a :func:`~miogram_toolkit.reports.credits_frame`, the credits dict, or a
            client to read them from.
        requests: the campaign journal's requests (one row per request: ``phones``, ``agent``,
            ``func``, ``started_at``…) to name in the Report sheet what the log does not.
        known_send_at: when a send is known to have happened (default: the newest request of
            ``requests``): a log with nothing that recent is said to be frozen on the Summary.
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
    note = None
    if report is not None:
        if known_send_at is None and requests is not None:
            started = pd.to_datetime(requests.get("started_at"), utc=True, errors="coerce")
            known_send_at = None if started is None or started.isna().all() else started.max()
        newest = report["sent_at"].max() if len(report) else None
        note = report.attrs.get("log_note") or frozen_log_note(newest, known_send_at)
        report = drop_empty(attribute(report, requests=requests, results=results))
    if results is not None:
        results = _with_rows(fill_sent_at(results, requests=requests, report=report))

    with atomic_write(target) as handle:  # the umask's mode: a report is meant to be shared
        book = xlsxwriter.Workbook(handle, {"remove_timezone": True})
        _write_summary(book, results, report, credit_table, charts=charts, tz=tz, note=note)
        if results is not None:
            _write_sheet(book, "Results", _prepared(results, tz, words=True))
        if report is not None:
            _write_sheet(book, "Report", _prepared(report, tz, words=True))
        if credit_table is not None:
            explained = credit_table.assign(explained=[credit_explained(kind, row) for kind, row
                                                       in credit_table.iterrows()])
            _write_sheet(book, "Credits", _prepared(explained, tz, words=False))
        if replies is not None:
            _write_sheet(book, "Replies", _prepared(replies, tz, words=False))
        book.close()
    return target


def _write_summary(book: Any, results: pd.DataFrame | None, report: pd.DataFrame | None,
                   credit_table: pd.DataFrame | None, *, charts: bool, tz: str,
                   note: str | None = None) -> None:
    """Title, when, the key figures and what they count, credit left; the charts on the right."""
    ws = book.add_worksheet("Summary")
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 20)  # wide enough for a date and time
    ws.set_column(2, 2, 70)  # what each figure counts
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
    ws.write_string(1, 2, f"Jalali {jalali_date(made.date())}")
    row = 3
    if note:
        warning = book.add_format({"bold": True, "font_color": "#C0392B", "text_wrap": True})
        ws.merge_range(row, 0, row, 2, note, warning)
        ws.set_row(row, 48)
        row += 2
    for line in _figures(results, report):
        if len(line) == 1:
            ws.write_string(row, 0, line[0], bold)
        elif len(line) == 3:
            ws.write_string(row, 0, line[0])
            if line[0] == "Delivery rate" and line[1] is not None:
                ws.write_number(row, 1, line[1], percent)
            elif line[1] is not None:
                ws.write_number(row, 1, line[1])
            ws.write_string(row, 2, line[2])
        row += 1
    if credit_table is not None:
        ws.write_string(row, 0, "Credit left", bold)
        ws.write_string(row, 2, CREDIT_NOTES["remaining"])
        for kind, left in credit_table["remaining"].items():
            row += 1
            ws.write_string(row, 0, str(kind))
            if not pd.isna(left):
                ws.write_number(row, 1, int(left))
    if charts:
        top = 0
        for picture, height in _chart_images(results, report, credit_table, tz):
            ws.insert_image(top, 4, "chart.png", {"image_data": io.BytesIO(picture),
                                                  "object_position": 3})
            top += int(height / 20) + 2  # rows are 20 pixels high
