"""The main job: ``miogram demo --out DIR`` end to end, and the sample it runs on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from miogram_toolkit.campaign import Campaign
from miogram_toolkit.cli import main
from miogram_toolkit.demo import CHARTS, run_demo
from miogram_toolkit.local import InputError
from miogram_toolkit.phones import to_e164
from miogram_toolkit.samples import contact_rows, sample_sheets, unsubscribed_rows, write_samples
from miogram_toolkit.sheets import read_contacts
from miogram_toolkit.sheets.sample_marks import (
    SAMPLE_FINGERPRINTS,
    SampleNumbersError,
    fingerprint,
    refuse_samples,
)

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
PNG = b"\x89PNG\r\n\x1a\n"


def sheet_frame(path: Path, sheet: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo") / "out"
    mp = pytest.MonkeyPatch()
    mp.delenv("MIOGRAM_URL", raising=False)
    # Module-scoped: set up before the per-test data folder, so it names its own.
    mp.setenv("MIOGRAM_HOME", str(out.parent / "home"))
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
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith("campaign.sqlite")
                  and p.name != "ledger") == sorted(["report.xlsx", *CHARTS])
    for chart in CHARTS:
        assert (out / chart).read_bytes()[:8] == PNG
    assert openpyxl.load_workbook(out / "report.xlsx").sheetnames == [
        "Summary", "Results", "Report", "Credits", "Replies"]
    # The demo ends with the replies' summary; its opt-outs are in its own ledger.
    assert stdout.splitlines()[-1].startswith("Replied: ")
    assert len(list((out / "ledger").glob("*.sqlite"))) == 1
    # ... and only there: nothing piles up in the user data folder from one demo to the next.
    assert list((out.parent / "home").glob("ledger/*")) == []
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


def test_sample_data_is_what_the_generator_writes(tmp_path: Path) -> None:
    paths = write_samples(tmp_path)
    for key in ("csv", "photo", "message"):
        assert paths[key].read_bytes() == (SAMPLES / paths[key].name).read_bytes()
    for sheet in ("Contacts", "Unsubscribed"):
        pd.testing.assert_frame_equal(sheet_frame(paths["contacts"], sheet),
                                      sheet_frame(SAMPLES / "contacts.xlsx", sheet))
    assert "{name}" in paths["message"].read_text(encoding="utf-8")


# -- the samples never reach real people (issue 20) ----------------------------------------------

LIVE = "https://miogram.net/dojob.php"


def _sample_numbers() -> list[str]:
    cells = [str(row[2]) for row in contact_rows()] + [row[1] for row in unsubscribed_rows()]
    return sorted(set(to_e164(cells).dropna()))


def test_the_fingerprints_are_every_sample_number_and_nothing_else() -> None:
    numbers = _sample_numbers()
    assert len(numbers) == 273
    assert {fingerprint(n) for n in numbers} == SAMPLE_FINGERPRINTS
    # The module holds fingerprints, not the numbers (one stands in its docstring's example).
    source = (Path(__file__).resolve().parents[1] / "miogram_toolkit" / "sheets"
              / "sample_marks.py").read_text(encoding="utf-8")
    assert [n for n in numbers if n[3:] in source] == ["+989121000024"]


@pytest.mark.parametrize("name", ["contacts.xlsx", "contacts.csv"])
def test_a_sample_sheet_is_refused_by_a_real_service_in_one_sentence(name: str) -> None:
    sheet = read_contacts(SAMPLES / name)
    with pytest.raises(SampleNumbersError) as caught:
        refuse_samples(sheet, LIVE)
    message = str(caught.value)
    assert message.startswith("273 of these numbers belong to the toolkit's sample contacts")
    assert "miogram.net" in message and "load your own contact sheet" in message
    assert message.count(". ") == 0 and "\n" not in message
    assert caught.value.count == 273
    # cleaned, its e164 column is what is checked
    with pytest.raises(SampleNumbersError):
        refuse_samples(sheet.miogram.clean_phones(), "https://10.0.0.5/dojob.php")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765/dojob.php", "http://localhost/dojob.php",
                                 "http://[::1]:9000/dojob.php", "http://127.0.0.2/dojob.php"])
def test_the_samples_go_to_a_local_simulator(url: str) -> None:
    refuse_samples(read_contacts(SAMPLES / "contacts.xlsx"), url)


def test_a_campaign_refuses_the_samples_before_any_request() -> None:
    # The campaign (a lower room) enforces it, whatever door it was opened from.
    from miogram_toolkit.campaign import Campaign
    from miogram_toolkit.client import Client

    class Recorder:
        durable = True
        posts: list[str] = []

        def post(self, url: str, form: Any, **options: Any) -> Any:
            self.posts.append(url)
            raise AssertionError("a request left")

        def close(self) -> None:
            pass

    transport = Recorder()
    client = Client("x32nv86ss5z", base_url=LIVE, transport=transport)  # type: ignore[arg-type]
    sheet = read_contacts(SAMPLES / "contacts.xlsx")
    campaign = Campaign(sheet, "سلام {name}", client=client, journal=":memory:")
    for attempt in (campaign.dry_run, campaign.run):
        with pytest.raises(SampleNumbersError, match="^273 of these numbers belong"):
            attempt()
    assert transport.posts == []


def test_a_few_sample_numbers_among_many_pass_but_a_part_of_the_sample_does_not() -> None:
    numbers = _sample_numbers()
    own = [f"+98912555{i:04d}" for i in range(200)]
    refuse_samples(own + numbers[:2], LIVE)  # a chance match or two in a real sheet
    with pytest.raises(SampleNumbersError, match="^5 of these numbers"):
        refuse_samples(own + numbers[:5], LIVE)
    with pytest.raises(SampleNumbersError, match="^1 of these numbers belongs"):
        iranian = next(n for n in numbers if n.startswith("+98"))
        refuse_samples(["0" + iranian[3:]], LIVE)  # one sample number, written nationally
    with pytest.raises(SampleNumbersError, match="^3 of these"):
        refuse_samples(pd.Series(numbers[:3]), LIVE)


def test_the_sample_sheets_are_offered_only_to_a_local_service() -> None:
    local = sample_sheets("http://127.0.0.1:1/dojob.php")
    assert sorted(local) == ["sample contacts.csv", "sample contacts.xlsx"]
    assert all(path.is_file() for path in local.values())
    assert sample_sheets(LIVE) == {}


def test_an_installed_package_writes_the_samples_into_the_data_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import miogram_toolkit.samples as samples

    monkeypatch.setattr(samples, "SAMPLE_DIR", tmp_path / "no-checkout")
    monkeypatch.setenv("MIOGRAM_HOME", str(tmp_path / "home"))
    found = sample_sheets()
    assert {p.parent for p in found.values()} == {tmp_path / "home" / "samples"}
    assert read_contacts(found["sample contacts.xlsx"]).shape == (300, 5)


def test_demo_refusals_are_one_sentence_and_write_nothing(tmp_path: Path) -> None:
    afile = tmp_path / "a-file"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="^--out '.*a-file' is a file; give a folder"):
        run_demo(afile, quiet=True, echo=lambda _: None)
    with pytest.raises(InputError, match="^Contact file '.*nowhere.xlsx' does not exist$"):
        run_demo(tmp_path / "out", contacts=tmp_path / "nowhere.xlsx", quiet=True,
                 echo=lambda _: None)
    empty = tmp_path / "nobody.csv"
    empty.write_text("name,mobile\nAli,12\n", encoding="utf-8")
    with pytest.raises(InputError, match="^Contact file 'nobody.csv' has no row left to send to$"):
        run_demo(tmp_path / "out", contacts=empty, quiet=True, echo=lambda _: None)
    assert not (tmp_path / "out").exists()
