"""The main job behind ``make demo`` and ``miogram demo``: a whole campaign from a spreadsheet.

::

    contacts.xlsx ─► read ─► clean phones ─► opt-outs (sheet Unsubscribed), duplicates
        ─► personalise the Persian message per row ─► plan (printed)
        ─► send through the built-in simulator, row by row across its agents (progress bar)
        ─► harvest the service's report ─► out/report.xlsx + out/*.png ─► summary

Without ``--contacts`` the bundled sample (:mod:`miogram_toolkit.samples`) is used, generated
into a temporary folder, so the demo works from an installed package. Every input is checked
before anything is sent, and the output folder is only created once there is something to put
in it.

Example:
    $ miogram demo --out out
"""

from __future__ import annotations

import inspect
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["DEMO_SEED", "personalise", "run_demo", "sample_path"]

#: The simulator's seed, so every demo run delivers to the same numbers.
DEMO_SEED = 7
#: The simulator's pause per number sent, so the progress bar has something to show.
PER_NUMBER_S = 0.01


def sample_path(name: str = "contacts.csv") -> Path:
    """The path of a file in a toolkit checkout's ``sample_data/`` folder.

    Example:
        >>> sample_path("contacts.xlsx").name
        'contacts.xlsx'
    """
    return Path(__file__).resolve().parent.parent / "sample_data" / name


class _Row(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def personalise(template: str, frame: pd.DataFrame) -> pd.Series:
    """The message for each row: ``{column}`` placeholders filled from that row.

    A placeholder naming no column becomes empty text (a sheet without a ``city`` column still
    gets its messages); missing cells are empty too.

    Example:
        >>> frame = pd.DataFrame({"name": ["Sara", None]})
        >>> personalise("Hi {name}{city}!", frame).tolist()
        ['Hi Sara!', 'Hi !']
    """
    texts = [template.format_map(_Row({str(k): ("" if pd.isna(v) else v)
                                       for k, v in row.items()}))
             for row in frame.to_dict("records")]
    return pd.Series(texts, index=frame.index, dtype="object")


def run_demo(out_dir: str | Path = "out", *, contacts: str | Path | None = None,
             quiet: bool = False, echo: Callable[[str], Any] = print) -> int:
    """Run the demo; write ``report.xlsx`` and the charts into ``out_dir``.

    Args:
        out_dir: folder for the outputs (created when they are written).
        contacts: contact workbook with the contacts on its first sheet and, optionally, an
            ``Unsubscribed`` sheet (default: the bundled sample).
        quiet: no progress bar.
        echo: where the plan and the summary go.

    Returns:
        0 on success (the command's exit status).
    """
    from miogram_toolkit.commands import CommandError, existing_file

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out '{out}' is a file; give a folder for the report and charts")
    with _contacts_file(contacts, existing_file) as source:
        frame, opt_outs = _read(source)
    from miogram_toolkit.samples import MESSAGE

    cleaned = frame.miogram.clean_phones()
    plan = _plan(cleaned, opt_outs)
    plan["message"] = personalise(MESSAGE, cleaned).where(plan["state"] == "pending")
    to_send = plan.index[plan["state"] == "pending"]
    if not len(to_send):
        raise CommandError(f"Contact file '{source.name}' has no row left to send to")

    echo(f"Read {len(frame)} rows from {source.name} (phone column "
         f"'{frame.attrs['phone_column']}'), {len(opt_outs)} opt-outs.")
    echo("Plan: " + ", ".join(f"{n} {k}" for k, n in _plan_counts(plan).items()) + ".")
    echo("First message:\n  " + plan.loc[to_send[0], "message"].rstrip().replace("\n", "\n  "))

    from miogram_toolkit.simulator import Simulator

    options: dict[str, Any] = {"seed": DEMO_SEED}
    if "per_number_s" in inspect.signature(Simulator).parameters:
        options["per_number_s"] = PER_NUMBER_S
    with Simulator(**options) as sim, sim.client() as client:
        before = client.get_credits()
        agents = client.get_robots()
        echo(f"Sending {len(to_send)} messages through the simulator's {len(agents)} agents "
             f"(credit {before['Message']}).")
        plan = _send(client, plan, agents, quiet=quiet)
        after = client.get_credits()
        records = client.get_report(999)

    report = pd.DataFrame.from_records(records)
    credits = pd.DataFrame({"before": pd.Series(before), "after": pd.Series(after)})
    credits["used"] = credits["before"] - credits["after"]
    results = cleaned.join(plan[["state", "reason", "agent", "sent_at"]])
    files = _write(out, results, report, credits.rename_axis("kind").reset_index())
    sent = results["state"].isin(["delivered", "failed"])
    delivered = int((results["state"] == "delivered").sum())
    echo(f"Delivered {delivered} of {int(sent.sum())} sent ({delivered / max(1, sent.sum()):.0%});"
         f" skipped {int((results['state'] == 'skipped').sum())}; Message credit "
         f"{before['Message']} → {after['Message']}.")
    echo("Wrote " + ", ".join(str(f) for f in files) + ".")
    return 0


@contextmanager
def _contacts_file(contacts: str | Path | None, check: Callable[..., Path]) -> Iterator[Path]:
    if contacts is not None:
        yield check(str(contacts))
        return
    from miogram_toolkit.samples import write_samples

    with tempfile.TemporaryDirectory(prefix="miogram-demo-") as folder:
        yield write_samples(Path(folder))["contacts"]


def _read(source: Path) -> tuple[pd.DataFrame, set[str]]:
    from miogram_toolkit.sheets import ContactFileError, read_contacts

    frame = read_contacts(source)
    try:
        unsubscribed = read_contacts(source, sheet="Unsubscribed")
    except ContactFileError:
        return frame, set()
    opted = unsubscribed.miogram.clean_phones(dedupe=False)
    return frame, set(opted["e164"].dropna())


def _plan(cleaned: pd.DataFrame, opt_outs: set[str]) -> pd.DataFrame:
    """Every row's starting state: ``pending`` to send, or ``skipped`` with its reason."""
    status = cleaned["phone_status"].astype("object")
    opted = cleaned["e164"].isin(opt_outs) & cleaned["e164"].notna()
    reason = status.where(status != "ok", None).where(~opted, "opted_out")
    state = pd.Series("pending", index=cleaned.index, dtype="object").where(reason.isna(),
                                                                            "skipped")
    return pd.DataFrame({"e164": cleaned["e164"], "state": state, "reason": reason,
                         "agent": None, "sent_at": None}, index=cleaned.index)


def _plan_counts(plan: pd.DataFrame) -> dict[str, int]:
    counts = {"to send": int((plan["state"] == "pending").sum())}
    for reason, n in plan["reason"].value_counts().items():
        counts[f"skipped ({reason})"] = int(n)
    return counts


def _send(client: Any, plan: pd.DataFrame, agents: list[str], *, quiet: bool) -> pd.DataFrame:
    """Send each pending row's message, agents taking turns; the plan with outcomes."""
    from tqdm.auto import tqdm

    plan = plan.copy()
    pending = plan.index[plan["state"] == "pending"]
    with tqdm(total=len(pending), desc="sending", unit="msg", disable=quiet,
              file=sys.stderr) as bar:
        for turn, index in enumerate(pending):
            agent = agents[turn % len(agents)] if agents else None
            delivered = client.send_message(plan.at[index, "e164"], plan.at[index, "message"],
                                            robot=agent)
            plan.loc[index, ["state", "agent", "sent_at"]] = [
                "delivered" if delivered else "failed", agent,
                pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")]
            if not delivered:
                plan.at[index, "reason"] = "not_delivered"
            bar.update()
    return plan


def _write(out: Path, results: pd.DataFrame, report: pd.DataFrame,
           credits: pd.DataFrame) -> list[Path]:
    from miogram_toolkit.sheets import write_excel

    out.mkdir(parents=True, exist_ok=True)
    book = write_excel({"contacts": results, "report": report, "credits": credits},
                       out / "report.xlsx")
    return [book, *_charts(out, results)]


def _charts(out: Path, results: pd.DataFrame) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outcome = results["state"].where(results["state"] != "skipped",
                                     "skipped: " + results["reason"].astype(str))
    paths = []
    for name, counts, title in (
        ("outcomes.png", outcome.value_counts().sort_values(), "Every contact row's outcome"),
        ("agents.png", results.groupby("agent")["state"].value_counts().unstack(fill_value=0),
         "Sent per agent"),
    ):
        fig, ax = plt.subplots(figsize=(7, 4))
        if isinstance(counts, pd.Series):
            counts.plot.barh(ax=ax, color="#4C72B0")
            ax.set_xlabel("rows")
        else:
            counts.plot.bar(ax=ax, stacked=True, color=["#55A868", "#C44E52"][:counts.shape[1]])
            ax.set_ylabel("messages")
            ax.tick_params(axis="x", labelrotation=0)
        ax.set_title(title)
        fig.tight_layout()
        fig.savefig(out / name, dpi=100)
        plt.close(fig)
        paths.append(out / name)
    return paths
