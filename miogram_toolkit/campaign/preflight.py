"""Preflight: ask the account, before any send, whether the campaign can succeed.

Read-only requests, in this order, each refusal one sentence (:class:`PreflightError`):

1. the account is active (``APIGetActive``);
2. it has agents, and every agent named in ``robots`` is one of them (``APIGetRobot``: the real
   service silently falls back to its first agent for an unknown name, so this is checked here);
3. the permission the action needs (none for the Mass sends, by the document's table);
4. the longest rendered message in **bytes** against the ``Message`` limit (the service measures
   UTF-8 bytes and appends the account's ad first — its text is not readable, so when ads are on
   the summary warns), or the file's size against its kind's limit;
5. the credit of the action's kind against the recipients still to send: the real service lets a
   Mass request through only when the credit covers every number in it, and each recipient may
   cost one.

Then :func:`schedule` estimates when each chunk leaves (the gateway spends about
:data:`GATEWAY_SECONDS_PER_NUMBER` per number; pacing and lanes as configured) and
:func:`summary_text` writes the one-screen summary.

Example:
    >>> schedule([40, 40, 10], ["A", "B"], lanes=1, rate_per_minute=None,
    ...          seconds_per_number=1.0)
    ([0.0, 40.0, 80.0], ['A', 'B', 'A'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from miogram_toolkit.campaign.plan import Plan
from miogram_toolkit.protocol.catalogue import Permission
from miogram_toolkit.protocol.errors import MioGramError

__all__ = ["ENDPOINT_WAIT_SECONDS", "GATEWAY_SECONDS_PER_NUMBER", "Preflight", "PreflightError",
           "check", "check_chunk_size", "pace_in_words", "refuse_if_nothing_to_send",
           "schedule", "skipped_counts", "summary_text"]

#: What the service's gateway spends on each number of a send (its ``sleep(1)``).
GATEWAY_SECONDS_PER_NUMBER = 1.0
#: How long the service's endpoint waits for the gateway before it answers 999 (PHP's default
#: socket timeout), while the gateway goes on sending.
ENDPOINT_WAIT_SECONDS = 60.0


class PreflightError(ValueError, MioGramError):
    """The campaign cannot succeed as it stands; the message says why in one sentence."""


@dataclass
class Preflight:
    """What preflight learned from the account."""

    agents: list[str]
    credit_kind: str
    credit: int
    needed: int
    limit: int | None
    largest: int
    warnings: list[str] = field(default_factory=list)


def _ask(what: str, call: Any) -> Any:
    try:
        return call()
    except MioGramError as exc:
        raise PreflightError(f"preflight: the service refused to say {what} ({exc})") from None


def check_chunk_size(chunk_size: int, *, whatsapp: bool, limit: int) -> None:
    """Refuse a chunk the service cannot answer in time, saying why (offline).

    Example:
        >>> try:
        ...     check_chunk_size(80, whatsapp=False, limit=50)
        ... except PreflightError as exc:
        ...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
        preflight: chunk_size 80 is too many for one request: the gateway sends about one
        number a second, so 80 numbers take ~80 s, past the 60 s the service waits for it
        before it answers 999 while the gateway goes on sending (nobody could tell what was
        sent); use at most 50 (WhatsApp, answered at once, takes up to 100)
    """
    if chunk_size <= limit:
        return
    if whatsapp:
        raise PreflightError(f"preflight: chunk_size {chunk_size} is too many for one request: "
                             f"the service takes at most {limit} numbers per Mass request")
    seconds = chunk_size * GATEWAY_SECONDS_PER_NUMBER
    raise PreflightError(
        f"preflight: chunk_size {chunk_size} is too many for one request: the gateway sends "
        f"about one number a second, so {chunk_size} numbers take ~{seconds:.0f} s, past the "
        f"{ENDPOINT_WAIT_SECONDS:.0f} s the service waits for it before it answers 999 while "
        f"the gateway goes on sending (nobody could tell what was sent); use at most {limit} "
        "(WhatsApp, answered at once, takes up to 100)")


def skipped_counts(plan: Plan) -> str:
    """The skipped rows by reason (``duplicate_of:<row>`` counted as ``duplicate_of``).

    Example:
        >>> import pandas as pd
        >>> from miogram_toolkit.campaign.plan import Content, build_plan
        >>> frame = pd.DataFrame({"mobile": ["09121000001", "abc", "09121000001"]})
        >>> skipped_counts(build_plan(frame, Content.text("Hi")))
        'phone_invalid 1, duplicate_of 1'
    """
    skipped = plan.rows["reason"].dropna().str.replace(r":.*$", "", regex=True).value_counts()
    return ", ".join(f"{k} {v}" for k, v in skipped.items()) or "none"


def refuse_if_nothing_to_send(plan: Plan) -> None:
    """Raise :class:`PreflightError` when no row of the plan can be sent (offline).

    Example:
        >>> import pandas as pd
        >>> from miogram_toolkit.campaign.plan import Content, build_plan
        >>> try:
        ...     refuse_if_nothing_to_send(build_plan(pd.DataFrame({"mobile": ["abc"]}),
        ...                                          Content.text("Hi")))
        ... except PreflightError as exc:
        ...     print(exc)
        preflight: no row can be sent: all 1 rows are skipped (phone_invalid 1)
    """
    if len(plan.sendable):
        return
    if not len(plan.rows):
        raise PreflightError("preflight: no row can be sent: the sheet has no rows")
    raise PreflightError(f"preflight: no row can be sent: all {len(plan.rows)} rows are "
                         f"skipped ({skipped_counts(plan)})")


def check(plan: Plan, client: Any, *, robots: Sequence[str] | None, needed: int) -> Preflight:
    """Run the checks of the module docstring; return what was learned.

    Args:
        plan: the offline plan.
        client: the MioGram client.
        robots: the agents the user named, or None for every agent of the account.
        needed: the recipients still to send (credit needed at most).

    Raises:
        PreflightError: one sentence saying why the campaign cannot succeed.
    """
    refuse_if_nothing_to_send(plan)
    content = plan.content
    if not _ask("whether the account is active", client.get_active):
        raise PreflightError("preflight: the MioGram account is not active; ask MioGram to "
                             "activate it before sending")
    available = list(_ask("which agents the account has", client.get_robots))
    if not available:
        raise PreflightError("preflight: the account has no agent (robot) to send through; "
                             "set one up in the MioGram panel first")
    agents = list(robots) if robots else available
    unknown = [a for a in agents if a not in available]
    if unknown:
        raise PreflightError(f"preflight: agent {unknown[0]!r} is not one of the account's "
                             f"agents ({', '.join(available)})")
    permission = content.action.permission
    if permission is Permission.IS_SUPER and not _ask("its permissions", client.is_super):
        raise PreflightError(f"preflight: {content.func} needs the isSuper permission, which "
                             "the account lacks")
    if permission is Permission.CAN_GET and not _ask("its permissions", client.can_get):
        raise PreflightError(f"preflight: {content.func} needs the canGet permission, which "
                             "the account lacks")
    limits = _ask("its limits", client.get_limits)
    warnings: list[str] = []
    kind = content.action.limit or "Message"
    limit: int | None = None
    sendable = plan.sendable
    largest = int(sendable["bytes"].max()) if len(sendable) else 0
    if kind in limits:
        if content.kind == "text":
            limit = int(limits[kind])
            if largest > limit:
                row = sendable["bytes"].astype("int64").idxmax()
                raise PreflightError(
                    f"preflight: the message for row {plan.rows.at[row, 'sheet_row']} is "
                    f"{largest} bytes (UTF-8, as the service counts), over the account's "
                    f"limit of {limit}")
            if _ask("whether ads are on", client.get_ads):
                warnings.append("the account appends an ad to every message; its length is not "
                                "known here, so keep the messages well under the limit")
        else:
            limit = int(limits[kind])  # the client's Limits are bytes already
            if largest > limit:
                raise PreflightError(f"preflight: the {content.kind} is {largest} bytes, over "
                                     f"the account's {kind} limit of {limit} bytes")
    if getattr(limits, "can_get", True) is False:
        warnings.append("the account lacks the canGet permission: the agents' chats cannot be "
                        "read, so the rows of a request that gets no answer may stay unknown")
    credit_kind = content.action.credit or "Message"
    credits = _ask("its credit", client.get_credits)
    credit = int(credits.get(credit_kind, 0))
    if credit < needed:
        raise PreflightError(
            f"preflight: the account has {credit} {credit_kind} credits and the campaign may "
            f"need {needed} (one per recipient still to send); top up {needed - credit} or "
            "send to fewer rows")
    return Preflight(agents, credit_kind, credit, needed, limit, largest, warnings)


def schedule(sizes: Sequence[int], agents: Sequence[str], *, lanes: int,
             rate_per_minute: float | None, seconds_per_number: float
             ) -> tuple[list[float], list[str]]:
    """Estimated start (seconds from now) and agent of each chunk, in queue order.

    One lane rotates over its agents; N lanes hold one agent each (agent i in lane i mod N).
    A chunk starts when its lane is free and its agent's pace allows: after a chunk of *n*
    numbers an agent waits *n* × 60 / ``rate_per_minute`` seconds, with no burst (as
    :class:`~miogram_toolkit.campaign.pacing.TokenBucket` paces the run).
    """
    count = max(1, min(lanes, len(agents)))
    lane_agents = [list(agents[i::count]) for i in range(count)]
    lane_free = [0.0] * count
    turns = [0] * count
    interval = 60.0 / rate_per_minute if rate_per_minute else 0.0
    ready: dict[str, float] = dict.fromkeys(agents, 0.0)
    starts: list[float] = []
    chosen: list[str] = []

    def start_of(lane: int) -> float:
        agent = lane_agents[lane][turns[lane] % len(lane_agents[lane])]
        return max(lane_free[lane], ready[agent])

    for size in sizes:
        lane = min(range(count), key=lambda i: (start_of(i), i))
        start = start_of(lane)
        agent = lane_agents[lane][turns[lane] % len(lane_agents[lane])]
        turns[lane] += 1
        ready[agent] = start + size * interval
        lane_free[lane] = start + size * seconds_per_number
        starts.append(round(start, 3))
        chosen.append(agent)
    return starts, chosen


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _every(seconds: float) -> str:
    if seconds >= 60:
        return f"{seconds / 60:.3g} minutes" if seconds != 60 else "minute"
    return f"{seconds:.3g} s"


def pace_in_words(chunk_size: int, rate_per_minute: float | None) -> str:
    """What a rate means with chunks, in words.

    Example:
        >>> pace_in_words(40, 20)
        'a chunk of 40 every 2 minutes per agent at 20 a minute'
        >>> pace_in_words(1, 20)
        'a chunk of 1 every 3 s per agent at 20 a minute'
        >>> pace_in_words(40, None)
        'no pacing: each request leaves as soon as the one before it is answered'
    """
    if not rate_per_minute:
        return "no pacing: each request leaves as soon as the one before it is answered"
    seconds = chunk_size * 60.0 / rate_per_minute
    return (f"a chunk of {chunk_size} every {_every(seconds)} per agent at "
            f"{rate_per_minute:g} a minute")


def summary_text(plan: Plan, flight: Preflight, *, chunks: int, duration: float,
                 lanes: int, rate_per_minute: float | None, quiet: str | None,
                 journal: str, campaign_id: str | None = None,
                 notes: Sequence[str] = ()) -> str:
    """The one-screen summary of a dry run (``notes``: lines about who else is left out)."""
    rows = plan.rows
    skipped = int(rows["reason"].notna().sum())
    content = plan.content
    if content.kind == "text":
        what = (f"{content.func}: {len(plan.texts)} distinct text(s), longest {flight.largest} "
                f"bytes (limit {flight.limit if flight.limit is not None else '?'})")
    else:
        what = f"{content.func}: one {content.kind} of {flight.largest} bytes"
    largest_chunk = int(plan.sendable.groupby("chunk").size().max()) if len(plan.sendable) \
        else plan.chunk_size
    pacing = pace_in_words(min(plan.chunk_size, largest_chunk), rate_per_minute)
    lines = [
        f"Campaign {campaign_id or plan.content_hash[:12]} — {what}",
        f"Rows: {len(rows)}; to send {flight.needed}; skipped {skipped} "
        f"({skipped_counts(plan)})",
        f"Chunks: {chunks} over {len(flight.agents)} agent(s) ({', '.join(flight.agents)}), "
        f"{lanes} request(s) in flight",
        f"Pace: {pacing}; estimated duration {_duration(duration)} "
        f"(the gateway spends ~{GATEWAY_SECONDS_PER_NUMBER:g} s per number)",
        f"Credit ({flight.credit_kind}): needed up to {flight.needed}, left {flight.credit}",
        *notes,
        f"Quiet hours: {quiet or 'none'}",
        f"Journal: {journal}",
    ]
    lines += [f"Warning: {w}" for w in flight.warnings]
    return "\n".join(lines)
