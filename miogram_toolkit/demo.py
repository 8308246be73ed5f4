"""The main job behind ``make demo`` and ``miogram demo``: a whole campaign from a spreadsheet.

::

    contacts.xlsx ─► mg.Campaign: read, clean, opt-outs (sheet Unsubscribed), duplicates,
        personalised Persian message per row ─► dry run: the plan, printed
        ─► run through the built-in simulator, lanes across its agents (progress bar)
        ─► the report harvested into the journal ─► the recipients' replies read from the
        agents' chats (opt-outs into out/ledger/, the demo's own) ─► out/report.xlsx + out/*.png
        ─► summary, ending with the replies'

Without ``--contacts`` the bundled sample (:mod:`miogram_toolkit.samples`) is used, generated
into a temporary folder, so the demo works from an installed package. Every input is checked
before anything is sent, and the output folder is only created once there is something to put
in it. The campaign's journal is kept as ``out/campaign.sqlite`` (``miogram status`` reads it).

Example:
    $ miogram demo --out out
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.local import InputError, existing_file
from miogram_toolkit.samples import MESSAGE, sample_path, write_samples
from miogram_toolkit.service import connect
from miogram_toolkit.sheets import ContactFileError, read_contacts

__all__ = ["CHARTS", "DEMO_SEED", "run_demo", "sample_path"]

#: The simulator's seed, so every demo run delivers to the same numbers.
DEMO_SEED = 7
#: The simulator's pause per number sent, so the progress bar has something to show.
PER_NUMBER_S = 0.01
#: The charts written beside the report, by file name.
CHARTS = ("funnel.png", "delivery_by_agent.png", "failures.png", "credits.png")
#: The demo simulator's account ledger (opt-outs from replies), in the output folder: its own,
#: never one a later demo or a real campaign reads.
LEDGER = "ledger"


def run_demo(out_dir: str | Path = "out", *, contacts: str | Path | None = None,
             quiet: bool = False, echo: Callable[[str], Any] = print) -> int:
    """Run the demo; write ``report.xlsx``, the charts and the journal into ``out_dir``.

    Args:
        out_dir: folder for the outputs (created when they are written).
        contacts: contact workbook with the contacts on its first sheet and, optionally, an
            ``Unsubscribed`` sheet of opt-outs (default: the bundled sample).
        quiet: no progress bar.
        echo: where the plan and the summary go.

    Returns:
        0 on success (the command's exit status).

    Raises:
        InputError: ``out_dir`` is a file, the contacts are missing or hold no row to send to;
            ContactFileError: the contacts cannot be read (one sentence each, before anything
            is written).
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out '{out}' is a file; give a folder for the report and charts")
    with _contacts_file(contacts) as source:
        sheet, opt_out = _read(source)
        if not sheet.miogram.clean_phones()["phone_status"].eq("ok").any():
            raise _nothing_to_send(source)
        journal = out / "campaign.sqlite"
        # A fresh simulator of the demo's own, paced so the progress bar has something to show.
        with connect(seed=DEMO_SEED, per_number_s=PER_NUMBER_S, replies=True) as client:
            # The demo's simulator dies with the demo: its account's ledger stays in --out.
            setattr(client, "ledger_folder", out / LEDGER)  # noqa: B010 - read with getattr
            campaign = _campaign(sheet, MESSAGE, client, opt_out, journal)
            if not len(campaign.plan.sendable):
                raise _nothing_to_send(source)
            # Checked; from here on the demo works in its folder (its dry run opens the ledger
            # there). A fresh simulator every run, so a journal or ledger left by an earlier
            # demo would only say "already sent".
            out.mkdir(parents=True, exist_ok=True)
            for stale in (journal, out / "campaign.sqlite-wal", out / "campaign.sqlite-shm"):
                stale.unlink(missing_ok=True)
            for stale in (out / LEDGER).glob("*.sqlite*"):
                stale.unlink()
            echo(f"Read {len(sheet)} rows from {source.name} (phone column "
                 f"'{sheet.attrs['phone_column']}'); {_opt_out_note(opt_out)}.")
            plan = campaign.dry_run()
            echo(str(campaign.summary))
            first = plan.loc[plan["state"] == "planned", "message"].iloc[0]
            echo("First message:\n  " + str(first).rstrip().replace("\n", "\n  "))
            start = int(client.get_credits()["Message"])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the outcome is summarised below
                results = campaign.run(progress=not quiet)
            from miogram_toolkit.campaign import read_archive
            from miogram_toolkit.reports import credits_frame, records_to_frame

            report = records_to_frame(read_archive(journal))
            credits = credits_frame(client)
            replies = campaign.replies()
        files = [*_write(out, sheet.join(results), report, credits, replies), journal]
    _summarise(results, start, int(credits.loc["Message", "remaining"]), files, echo)
    from miogram_toolkit.reports.replies import reply_summary_text

    echo(reply_summary_text(replies))
    return 0


def _nothing_to_send(source: Path) -> InputError:
    return InputError(f"Contact file '{source.name}' has no row left to send to")


@contextmanager
def _contacts_file(contacts: str | Path | None) -> Iterator[Path]:
    if contacts is not None:
        yield existing_file(contacts)
        return
    with tempfile.TemporaryDirectory(prefix="miogram-sample-") as folder:
        yield write_samples(Path(folder))["contacts"]


def _read(source: Path) -> tuple[pd.DataFrame, tuple[str, str] | None]:
    """The contacts (first sheet) and the opt-out sheet, when the workbook has one."""
    sheet = read_contacts(source)
    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        return sheet, None
    try:
        read_contacts(source, sheet="Unsubscribed")
    except ContactFileError:
        return sheet, None
    return sheet, (str(source), "Unsubscribed")


def _opt_out_note(opt_out: tuple[str, str] | None) -> str:
    return "opt-outs from its Unsubscribed sheet" if opt_out else "no Unsubscribed sheet"


def _campaign(sheet: pd.DataFrame, message: str, client: Any,
              opt_out: tuple[str, str] | None, journal: Path) -> Any:
    from miogram_toolkit.campaign import Campaign

    agents = client.get_robots()
    return Campaign(sheet, message, client=client, opt_out=opt_out, journal=journal,
                    rate_per_minute=None, max_in_flight=max(1, len(agents)))


def _write(out: Path, results: pd.DataFrame, report: pd.DataFrame,
           credits: pd.DataFrame, replies: pd.DataFrame) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from miogram_toolkit.reports import (
        credits_chart,
        delivery_chart,
        failures_chart,
        funnel_chart,
        write_report,
    )

    files = [write_report(out / "report.xlsx", results=results, report=report, credits=credits,
                          replies=replies)]
    for name, draw in zip(CHARTS, (lambda: funnel_chart(results),
                                   lambda: delivery_chart(results, by="agent"),
                                   lambda: failures_chart(results),
                                   lambda: credits_chart(credits)), strict=True):
        figure = draw()
        figure.savefig(out / name, dpi=100)
        plt.close(figure)
        files.append(out / name)
    return files


def _summarise(results: pd.DataFrame, before: int, after: int, files: list[Path],
               echo: Callable[[str], Any]) -> None:
    states = results["state"].value_counts()
    sent = int(states.get("delivered", 0) + states.get("failed", 0) + states.get("unknown", 0))
    delivered = int(states.get("delivered", 0))
    echo(f"Delivered {delivered} of {sent} sent ({delivered / max(1, sent):.0%}); skipped "
         f"{int(states.get('skipped', 0))}; Message credit {before} → {after}.")
    echo("Wrote " + ", ".join(str(f) for f in files) + ".")
