"""The main job: ``miogram demo --out DIR`` end to end, and the sample it runs on."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from miogram_toolkit.campaign import Campaign
from miogram_toolkit.cli import main
from miogram_toolkit.demo import CHARTS, personalise
from miogram_toolkit.samples import contact_rows, unsubscribed_rows, write_samples

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
PNG = b"\x89PNG\r\n\x1a\n"


def sheet_frame(path: Path, sheet: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet, dtype=object)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo") / "out"
    mp = pytest.MonkeyPatch()
    mp.delenv("MIOGRAM_URL", raising=False)
    import contextlib
    import io

    stdout = io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
            assert main(["demo", "--out", str(out), "--contacts",
                         str(SAMPLES / "contacts.xlsx")]) == 0
    finally:
        mp.undo()
    return out, stdout.getvalue()


def test_demo_writes_the_report_charts_and_journal(demo_run: tuple[Path, str]) -> None:
    out, stdout = demo_run
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith("campaign.sqlite")) \
        == sorted(["report.xlsx", *CHARTS])
    for chart in CHARTS:
        assert (out / chart).read_bytes()[:8] == PNG
    assert openpyxl.load_workbook(out / "report.xlsx").sheetnames == [
        "Summary", "Results", "Report", "Credits"]
    assert f"Wrote {out / 'report.xlsx'}" in stdout
    status = Campaign.status(out / "campaign.sqlite")
    assert status.done and status.counts["delivered"] > 200


def test_every_contact_row_is_in_the_report_with_its_state(demo_run: tuple[Path, str]) -> None:
    out, _ = demo_run
    results = sheet_frame(out / "report.xlsx", "Results")
    assert results["customer_id"].tolist() == [row[0] for row in contact_rows()]
    assert set(results["State"]) == {"Delivered", "Failed", "Skipped"}
    assert results.loc[results["State"] != "Delivered", "Reason"].notna().all()
    sent = results[results["State"] != "Skipped"]
    assert len(sent) > 200 and set(sent["Agent"]) == {"MioBot1", "MioBot2", "MioBot3"}


def test_opted_out_and_duplicate_rows_are_not_sent(demo_run: tuple[Path, str]) -> None:
    out, _ = demo_run
    results = sheet_frame(out / "report.xlsx", "Results").set_index("customer_id")
    report = sheet_frame(out / "report.xlsx", "Report")
    opted = {"+98" + re.sub(r"\D", "", phone)[-10:] for _, phone, _ in unsubscribed_rows()}
    assert len(opted) == 10
    opted_rows = results[results["Phone (E.164)"].isin(opted)]
    assert len(opted_rows) == 10
    assert (opted_rows["State"] == "Skipped").all()
    assert (opted_rows["Reason"] == "Opted out").all()
    assert not set(report["Phone"]) & opted
    # C051, C121, C211 and C281 repeat earlier people's numbers in another form.
    repeats = results.loc[["C051", "C121", "C211", "C281"]]
    assert (repeats["State"] == "Skipped").all()
    assert repeats["Reason"].str.startswith("Duplicate").all()
    assert report["Phone"].is_unique  # each number sent once


def test_the_report_sheet_and_credits_agree_with_the_states(demo_run: tuple[Path, str]) -> None:
    out, stdout = demo_run
    results = sheet_frame(out / "report.xlsx", "Results")
    report = sheet_frame(out / "report.xlsx", "Report").set_index("Phone")
    sent = results[results["State"] != "Skipped"].set_index("Phone (E.164)")
    assert set(report.index) == set(sent.index)
    assert (report.loc[sent.index, "Delivered"].astype(bool)
            == (sent["State"] == "Delivered")).all()
    credits = sheet_frame(out / "report.xlsx", "Credits").set_index("Credit kind")
    delivered = int((results["State"] == "Delivered").sum())
    assert credits.loc["Message", "Credit left"] == 10000 - delivered
    assert f"Delivered {delivered} of {len(sent)} sent" in stdout
    assert f"Message credit 10000 → {10000 - delivered}." in stdout


def test_messages_are_personalised_in_persian(demo_run: tuple[Path, str]) -> None:
    out, stdout = demo_run
    results = sheet_frame(out / "report.xlsx", "Results")
    results = results[results["State"] != "Skipped"].set_index("Phone (E.164)")
    report = sheet_frame(out / "report.xlsx", "Report").set_index("Phone")
    for phone in report.index[:20]:
        name, city = results.loc[phone, "name"], results.loc[phone, "city"]
        assert report.loc[phone, "Message"].startswith(f"سلام {name} عزیز!")
        assert f" در {city} " in report.loc[phone, "Message"]
    assert "skipped 37 (opted_out 10" in stdout and "First message:" in stdout


def test_personalise_fills_placeholders_from_each_row() -> None:
    frame = pd.DataFrame({"name": ["سارا", "Ali"], "city": ["قم", None]}, index=[5, 9])
    texts = personalise("سلام {name} از {city}", frame)
    assert texts.to_dict() == {5: "سلام سارا از قم", 9: "سلام Ali از "}


def test_sample_data_is_what_the_generator_writes(tmp_path: Path) -> None:
    paths = write_samples(tmp_path)
    for key in ("csv", "photo", "message"):
        assert paths[key].read_bytes() == (SAMPLES / paths[key].name).read_bytes()
    for sheet in ("Contacts", "Unsubscribed"):
        pd.testing.assert_frame_equal(sheet_frame(paths["contacts"], sheet),
                                      sheet_frame(SAMPLES / "contacts.xlsx", sheet))
    assert "{name}" in paths["message"].read_text(encoding="utf-8")
