"""The end-to-end demo behind ``make demo`` and ``miogram demo``.

Reads the sample contact sheet, cleans its phone column, sends one text message to every
sendable number in chunks of at most 100 through the built-in simulator, then reads the
credits and the report log back and writes them to an Excel workbook and a chart.

Example:
    $ miogram demo --out out
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["CHUNK_SIZE", "chunked", "run_demo", "sample_path"]

#: The most numbers one Mass request carries (the service's advice for WhatsApp, our rule
#: for every Mass send).
CHUNK_SIZE = 100

DEMO_MESSAGE = "سلام! This is a MioGram demo message from miogram-toolkit."


def sample_path(name: str = "contacts.csv") -> Path:
    """Return the path of a file in the repository's ``sample_data/`` folder."""
    return Path(__file__).resolve().parent.parent / "sample_data" / name


def chunked(items: Sequence[str], size: int = CHUNK_SIZE) -> Iterator[list[str]]:
    """Yield consecutive slices of ``items`` of at most ``size`` elements.

    Example:
        >>> [len(c) for c in chunked([str(i) for i in range(250)])]
        [100, 100, 50]
    """
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def run_demo(out_dir: str | Path = "out", *, contacts: str | Path | None = None,
             seed: int = 7, echo: Any = print) -> int:
    """Run the demo and write ``demo_report.xlsx`` and ``demo_chart.png`` into ``out_dir``.

    Args:
        out_dir: folder for the outputs (created if missing).
        contacts: the contact sheet to use (default: ``sample_data/contacts.csv``).
        seed: the simulator's seed, so runs repeat exactly.
        echo: where progress lines go.

    Returns:
        0 on success (the command's exit status).
    """
    from miogram_toolkit import accessors  # noqa: F401  (registers .miogram)
    from miogram_toolkit.client.service import connect
    from miogram_toolkit.sheets.contacts import read_contacts, write_excel

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    source = Path(contacts) if contacts else sample_path()

    sheet = read_contacts(source)
    cleaned = sheet.miogram.clean_phones()
    echo(f"Read {len(sheet)} rows from {source.name}; phone column "
         f"{sheet.attrs.get('phone_column', '?')!r}.")
    echo(cleaned.miogram.summary().to_string())
    ready = cleaned.miogram.sendable()
    numbers = ready["e164"].tolist()

    delivered: dict[str, bool] = {}
    with connect(seed=seed) as client:
        before = client.get_credits()
        for index, chunk in enumerate(chunked(numbers), start=1):
            delivered.update(client.send_message_mass(chunk, DEMO_MESSAGE))
            echo(f"Chunk {index}: {len(chunk)} numbers sent.")
        after = client.get_credits()
        report = client.get_report(min(999, max(1, len(numbers))))

    result = cleaned.assign(delivered=cleaned["e164"].map(delivered))
    credits = pd.DataFrame({"before": pd.Series(before), "after": pd.Series(after)})
    credits["used"] = credits["before"] - credits["after"]
    report_frame = pd.DataFrame(report)
    rate = sum(delivered.values()) / len(delivered) if delivered else 0.0

    workbook = write_excel(
        {"contacts": result, "report": report_frame, "credits": credits.reset_index(
            names="kind")},
        out / "demo_report.xlsx",
    )
    chart = _write_chart(cleaned, delivered, out / "demo_chart.png")
    echo(f"Delivered {sum(delivered.values())} of {len(delivered)} ({rate:.0%}); "
         f"Message credit {before['Message']} → {after['Message']}.")
    echo(f"Wrote {workbook} and {chart}.")
    return 0


def _write_chart(cleaned: pd.DataFrame, delivered: dict[str, bool], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    statuses = cleaned["phone_status"].value_counts().sort_values()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    statuses.plot.barh(ax=left, color="#4C72B0")
    left.set_title("Phone column after cleaning")
    left.set_xlabel("rows")
    left.set_ylabel("")
    outcome = pd.Series(delivered, dtype=bool).map({True: "delivered", False: "not delivered"})
    counts = outcome.value_counts().reindex(["delivered", "not delivered"], fill_value=0)
    counts.plot.bar(ax=right, color=["#55A868", "#C44E52"])
    right.set_title("Demo send")
    right.set_ylabel("numbers")
    right.tick_params(axis="x", labelrotation=0)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
