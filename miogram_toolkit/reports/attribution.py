"""Who sent what, when the service's log is silent: the campaign's journal fills it in.

The service's own log names no agent, action, channel or credit kind, and says no reason for an
undelivered number. A campaign's journal knows each request's agent and action, and its
results know each row's reason. :func:`attribute` fills a report frame's empty cells from them:

=================  ==========================================================================
report column      filled from
=================  ==========================================================================
``robot``          the request (or results row) that sent that number, nearest in time
``func``           that request's action (or ``results.attrs["func"]``)
``channel``        the action's channel (``whatsapp`` for WhatsApp actions, else ``telegram``)
``kind``           the action's credit kind (the catalogue: ``Message``, ``Photo``…)
``reason``         the results row's reason for a number not delivered (``not_on_messenger``)
=================  ==========================================================================

A requests frame has one row per request with ``phones`` (comma-joined or a list) or ``e164``,
and any of ``agent``, ``func`` (or ``action``), ``channel``, ``kind``, ``started_at`` (or
``sent_at``). What stays unknown stays empty; :func:`drop_empty` then removes the columns
that hold nothing.

Example:
    >>> import pandas as pd
    >>> report = pd.DataFrame({"phone": ["+989121234567"], "robot": [pd.NA], "func": [pd.NA],
    ...                        "channel": [pd.NA], "kind": [pd.NA], "delivered": [True],
    ...                        "reason": [pd.NA]})
    >>> requests = pd.DataFrame({"phones": ["+989121234567,+989351234567"],
    ...                          "agent": ["MioBot1"], "func": ["SendMessageMass"]})
    >>> attribute(report, requests=requests).loc[0, ["robot", "func", "channel", "kind"]].tolist()
    ['MioBot1', 'SendMessageMass', 'telegram', 'Message']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from miogram_toolkit.protocol.catalogue import ACTIONS
from miogram_toolkit.protocol.report_row import number_key

__all__ = ["attribute", "drop_empty", "fill_sent_at"]

_FILLED = ("robot", "func", "channel", "kind")


def _numbers(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return []
    items = value if isinstance(value, list | tuple | np.ndarray) else str(value).split(",")
    return [number_key(str(item)) for item in items if str(item).strip()]


def _column(frame: pd.DataFrame, *names: str) -> pd.Series:
    for name in names:
        if name in frame.columns:
            return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype=object)


def _senders(requests: pd.DataFrame | None, results: pd.DataFrame | None
             ) -> dict[str, list[tuple[Any, dict[str, Any]]]]:
    """Per number: (when, {robot, func, channel, kind}) of each request that carried it."""
    found: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
    if requests is not None and len(requests):
        when = pd.to_datetime(_column(requests, "started_at", "sent_at"), utc=True,
                              errors="coerce")
        phones = _column(requests, "phones", "e164", "phone")
        agents, funcs = _column(requests, "agent", "robot"), _column(requests, "func", "action")
        channels, kinds = _column(requests, "channel"), _column(requests, "kind")
        for i in range(len(requests)):
            facts = {"robot": agents.iloc[i], "func": funcs.iloc[i],
                     "channel": channels.iloc[i], "kind": kinds.iloc[i]}
            for number in _numbers(phones.iloc[i]):
                found.setdefault(number, []).append((when.iloc[i], facts))
    if results is not None and len(results) and "e164" in results.columns:
        func = results.attrs.get("func")
        when = pd.to_datetime(_column(results, "sent_at"), utc=True, errors="coerce")
        for number, agent, moment in zip(results["e164"], _column(results, "agent"), when,
                                          strict=True):
            if isinstance(number, str) and not pd.isna(agent):
                found.setdefault(number_key(number), []).append(
                    (moment, {"robot": agent, "func": func}))
    return found


def _nearest(options: list[tuple[Any, dict[str, Any]]], moment: Any) -> dict[str, Any]:
    if len(options) == 1 or moment is None or pd.isna(moment):
        return options[-1][1]
    gaps = [abs((when - moment).total_seconds()) if not pd.isna(when) else float("inf")
            for when, _ in options]
    return options[int(np.argmin(gaps))][1]


def _from_action(func: Any) -> dict[str, Any]:
    action = ACTIONS.get(func) if isinstance(func, str) else None
    if action is None:
        return {}
    return {"channel": "whatsapp" if action.whatsapp else "telegram", "kind": action.credit}


def attribute(report: pd.DataFrame, *, requests: pd.DataFrame | None = None,
              results: pd.DataFrame | None = None) -> pd.DataFrame:
    """A copy of ``report`` with the cells the log left empty filled from the campaign.

    Cells the log filled are never changed.
    """
    out = report.copy()
    if not len(out) or "phone" not in out.columns:
        return out
    senders = _senders(requests, results)
    when = out["sent_at"] if "sent_at" in out.columns else pd.Series(pd.NaT, index=out.index)
    columns = {name: out[name].astype(object).tolist() if name in out.columns
               else [pd.NA] * len(out) for name in _FILLED}
    for i, (phone, moment) in enumerate(zip(out["phone"], when, strict=True)):
        facts: dict[str, Any] = {}
        options = senders.get(number_key(str(phone))) if isinstance(phone, str) else None
        if options:
            facts = dict(_nearest(options, moment))
        func = columns["func"][i]
        func = facts.get("func") if pd.isna(func) else func
        facts = {**_from_action(func), **{k: v for k, v in facts.items() if not pd.isna(v)}}
        facts["func"] = func
        for name in _FILLED:
            if pd.isna(columns[name][i]) and facts.get(name) is not None \
                    and not pd.isna(facts[name]):
                columns[name][i] = facts[name]
    for name, values in columns.items():
        out[name] = pd.array(values, dtype="string")
    if results is not None and "reason" in out.columns and {"e164", "reason"} <= set(
            results.columns):
        known = {number_key(n): r for n, r, s in zip(results["e164"], results["reason"],
                                                     _column(results, "state"), strict=True)
                 if isinstance(n, str) and isinstance(r, str) and s in ("failed", "unknown")}
        vague = (out["reason"] == "undelivered").fillna(False)
        better = out.loc[vague, "phone"].map(lambda p: known.get(number_key(str(p))))
        out.loc[better.dropna().index, "reason"] = better.dropna()
    return out


def fill_sent_at(results: pd.DataFrame, *, requests: pd.DataFrame | None = None,
                 report: pd.DataFrame | None = None) -> pd.DataFrame:
    """A copy of ``results`` where rows that were sent (failed, unknown too) have a time.

    A row without ``sent_at`` takes the time its request left (``requests``) or, failing
    that, the log's time for its number (``report``).

    Example:
        >>> results = pd.DataFrame({"e164": ["+989121234567"], "state": ["failed"],
        ...                         "sent_at": pd.to_datetime([None], utc=True)})
        >>> report = pd.DataFrame({"phone": ["+989121234567"],
        ...                        "sent_at": pd.to_datetime(["2026-01-31 08:00"], utc=True)})
        >>> str(fill_sent_at(results, report=report)["sent_at"].iloc[0])
        '2026-01-31 08:00:00+00:00'
    """
    out = results.copy()
    if "e164" not in out.columns or "sent_at" not in out.columns:
        return out
    times: dict[str, Any] = {}
    if report is not None and {"phone", "sent_at"} <= set(report.columns):
        for phone, moment in zip(report["phone"], report["sent_at"], strict=True):
            if isinstance(phone, str) and not pd.isna(moment):
                times.setdefault(number_key(phone), moment)
    for number, options in _senders(requests, None).items():
        dated = [when for when, _ in options if not pd.isna(when)]
        if dated:
            times[number] = max(dated)
    state = _column(out, "state").astype("string")
    sent = state.isin(["delivered", "failed", "unknown"]).fillna(False)
    missing = out["sent_at"].isna() & sent
    filled = out.loc[missing, "e164"].map(
        lambda n: times.get(number_key(n)) if isinstance(n, str) else None)
    stamps = pd.to_datetime(filled, utc=True, errors="coerce")
    out["sent_at"] = pd.to_datetime(out["sent_at"], utc=True)
    out.loc[stamps.dropna().index, "sent_at"] = stamps.dropna()
    return out


def drop_empty(frame: pd.DataFrame, columns: tuple[str, ...] = _FILLED) -> pd.DataFrame:
    """``frame`` without those of ``columns`` that hold nothing (a log silent about them).

    Example:
        >>> drop_empty(pd.DataFrame({"func": [pd.NA], "phone": ["+98912"]})).columns.tolist()
        ['phone']
    """
    empty = [name for name in columns if name in frame.columns and frame[name].isna().all()]
    return frame.drop(columns=empty)
