"""The main job: ``miogram demo --out DIR`` end to end, and the sample it runs on."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from miogram_toolkit.cli import main
from miogram_toolkit.demo import personalise
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


def test_demo_writes_the_report_and_charts(demo_run: tuple[Path, str]) -> None:
    out, stdout = demo_run
    assert sorted(p.name for p in out.iterdir()) == ["agents.png", "outcomes.png", "report.xlsx"]
    for chart in ("agents.png", "outcomes.png"):
        assert (out / chart).read_bytes()[:8] == PNG
    assert f"Wrote {out / 'report.xlsx'}" in stdout


def test_every_contact_row_is_in_the_report_with_its_state(demo_run: tuple[Path, str]) -> None:
    out, _ = demo_run
    contacts = sheet_frame(out / "report.xlsx", "contacts")
    assert contacts["customer_id"].tolist() == [row[0] for row in contact_rows()]
    assert set(contacts["state"]) <= {"delivered", "failed", "skipped"}
    assert contacts.loc[contacts["state"] == "skipped", "reason"].notna().all()
    sent = contacts[contacts["state"].isin(["delivered", "failed"])]
    assert len(sent) > 200 and sent["agent"].nunique() == 3


def test_opted_out_and_duplicate_rows_are_not_sent(demo_run: tuple[Path, str]) -> None:
    out, _ = demo_run
    contacts = sheet_frame(out / "report.xlsx", "contacts").set_index("customer_id")
    report = sheet_frame(out / "report.xlsx", "report")
    opted = {"+98" + re.sub(r"\D", "", phone)[-10:] for _, phone, _ in unsubscribed_rows()}
    assert len(opted) == 10
    opted_rows = contacts[contacts["e164"].isin(opted)]
    assert len(opted_rows) == 10
    assert (opted_rows["state"] == "skipped").all()
    assert (opted_rows["reason"] == "opted_out").all()
    assert not set(report["Number"]) & opted
    # C051, C121, C211 and C281 repeat earlier people's numbers in another form.
    repeats = contacts.loc[["C051", "C121", "C211", "C281"]]
    assert (repeats["state"] == "skipped").all() and (repeats["reason"] == "duplicate").all()
    assert report["Number"].is_unique  # each number sent once


def test_the_report_sheet_and_credits_agree_with_the_states(demo_run: tuple[Path, str]) -> None:
    out, stdout = demo_run
    contacts = sheet_frame(out / "report.xlsx", "contacts")
    report = sheet_frame(out / "report.xlsx", "report").set_index("Number")
    sent = contacts[contacts["state"].isin(["delivered", "failed"])].set_index("e164")
    # The service logs a row for each delivered single send, and none for an undelivered one.
    delivered_rows = sent[sent["state"] == "delivered"]
    assert set(report.index) == set(delivered_rows.index)
    assert (report.loc[delivered_rows.index, "Delivered"] == delivered_rows.index).all()
    credits = sheet_frame(out / "report.xlsx", "credits").set_index("kind")
    delivered = int((contacts["state"] == "delivered").sum())
    assert credits.loc["Message", "used"] == delivered
    assert f"Delivered {delivered} of {len(sent)} sent" in stdout


def test_messages_are_personalised_in_persian(demo_run: tuple[Path, str]) -> None:
    out, stdout = demo_run
    contacts = sheet_frame(out / "report.xlsx", "contacts").set_index("e164")
    report = sheet_frame(out / "report.xlsx", "report").set_index("Number")
    first = report.index[0]
    name, city = contacts.loc[first, "name"], contacts.loc[first, "city"]
    assert report.loc[first, "DATA"].startswith(f"سلام {name} عزیز!")
    assert f" در {city} " in report.loc[first, "DATA"]
    assert "Plan: " in stdout and "skipped (opted_out)" in stdout


def test_demo_without_contacts_uses_the_bundled_sample(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("MIOGRAM_URL", raising=False)
    assert main(["demo", "--out", str(tmp_path / "o"), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "Read 300 rows from contacts.xlsx" in captured.out
    assert "sending" not in captured.err  # --quiet: no progress bar
    assert (tmp_path / "o" / "report.xlsx").exists()


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
