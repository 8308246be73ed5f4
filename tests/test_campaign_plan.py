"""Campaign planning offline and against the simulator's preflight: templates, suppression,
chunks, the content hash, the dry-run frame and its refusals."""

from __future__ import annotations

import pandas as pd
import pytest

import miogram_toolkit as mg
from miogram_toolkit.campaign import Campaign, PreflightError, TemplateError
from miogram_toolkit.campaign.pacing import QuietHours, TokenBucket
from miogram_toolkit.campaign.plan import Content, build_plan
from miogram_toolkit.campaign.preflight import schedule
from miogram_toolkit.demo import sample_path


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"+98912{2000000 + start + i}" for i in range(count)]


def test_placeholders_render_per_row_and_missing_values_are_skipped_not_blank() -> None:
    frame = pd.DataFrame({"mobile": numbers(4), "name": ["Ali", "  ", None, "Sara"],
                          "orders": [3.0, 1.0, 2.0, 12.0]}, index=["a", "b", "c", "d"])
    plan = build_plan(frame, Content.text("Hi {name}, {orders} orders {{thanks}}"))
    rows = plan.rows
    assert rows["text"].tolist() == ["Hi Ali, 3 orders {thanks}", pd.NA, pd.NA,
                                     "Hi Sara, 12 orders {thanks}"]
    assert rows["reason"].tolist() == [pd.NA, "missing_value:name", "missing_value:name", pd.NA]
    # Two different texts: two chunks even though both would fit in one.
    assert rows["chunk"].tolist() == [1, pd.NA, pd.NA, 2]


def test_same_text_shares_chunks_in_first_appearance_order() -> None:
    frame = pd.DataFrame({"mobile": numbers(7), "city": ["T", "S", "T", "T", "S", "T", "T"]})
    plan = build_plan(frame, Content.text("Hello {city}"), chunk_size=2)
    assert plan.rows["chunk"].tolist() == [1, 4, 1, 2, 4, 2, 3]
    assert plan.texts == ["Hello T", "Hello S"]


def test_unknown_placeholder_and_bad_braces_are_one_sentence_errors() -> None:
    frame = pd.DataFrame({"mobile": numbers(1), "name": ["Ali"]})
    with pytest.raises(TemplateError, match=r"placeholder \{nmae\} names no column; the "
                                            r"columns are 'mobile', 'name'"):
        Campaign(frame, "Hi {nmae}", client=object(), journal=":memory:")
    with pytest.raises(TemplateError, match="never closed"):
        Campaign(frame, "Hi {name", client=object(), journal=":memory:")
    with pytest.raises(TemplateError, match="lone"):
        Campaign(frame, "Hi }", client=object(), journal=":memory:")


def test_duplicates_opt_outs_and_unusable_numbers_are_skipped_with_reasons() -> None:
    frame = pd.DataFrame({"mobile": ["0912 200 0001", "+98 912 200 0002", "09122000001",
                                     "abc", "", "021 8888 1234"]}, index=[10, 11, 12, 13, 14, 15])
    plan = build_plan(frame, Content.text("Hi"), opt_out=pd.Series(["09122000002"]))
    # A duplicate names the row the spreadsheet shows for the first copy (header on row 1).
    assert plan.rows["reason"].tolist() == [pd.NA, "opted_out", "duplicate_of:2",
                                            "phone_invalid", "phone_empty", "phone_not_mobile"]
    assert plan.rows["sheet_row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert plan.rows["label"].tolist() == ["10", "11", "12", "13", "14", "15"]
    assert plan.rows["chunk"].tolist() == [1, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA]


def test_already_cleaned_frame_with_dedupe_off_is_still_deduplicated() -> None:
    raw = pd.DataFrame({"phone": ["09122000001", "0912 200 0001"]})
    cleaned = mg.phones.clean_phones(raw, "phone", dedupe=False)
    assert cleaned["phone_status"].tolist() == ["ok", "ok"]
    plan = build_plan(cleaned, Content.text("Hi"))
    assert plan.rows["reason"].tolist() == [pd.NA, "duplicate_of:2"]


def test_sheet_rows_follow_the_header_row_the_reader_found() -> None:
    # A workbook with two title rows: the header on row 3, data from row 4 (what Excel shows).
    frame = pd.DataFrame({"mobile": ["09122000001", "09122000002", "0912 200 0001"]})
    frame.attrs["header_row"] = 3
    plan = build_plan(frame, Content.text("Hi"))
    assert plan.rows["sheet_row"].tolist() == [4, 5, 6]
    assert plan.rows["reason"].tolist() == [pd.NA, pd.NA, "duplicate_of:4"]


def test_opt_out_sheet_of_the_sample_workbook() -> None:
    book = sample_path("excel_numbers.xlsx")
    unsubscribed = mg.read_contacts(book, sheet="Unsubscribed")
    contacts = mg.read_contacts(sample_path("messy_contacts.csv"))
    plan = build_plan(contacts, Content.text("Hi"), opt_out=(book, "Unsubscribed"))
    opted = set(plan.rows.loc[plan.rows["reason"] == "opted_out", "e164"])
    wanted = set(mg.to_e164(unsubscribed["Phone"]).dropna()) & set(plan.rows["e164"].dropna())
    assert opted == wanted == {"+989121000026"}


def test_content_hash_changes_with_message_rows_or_file_but_not_with_opt_outs() -> None:
    frame = pd.DataFrame({"mobile": numbers(3)})
    base = build_plan(frame, Content.text("Hi")).content_hash
    assert build_plan(frame, Content.text("Hi")).content_hash == base
    assert build_plan(frame, Content.text("Hi", whatsapp=True)).content_hash != base
    assert build_plan(frame, Content.text("Hi!")).content_hash != base
    assert build_plan(frame.iloc[:2], Content.text("Hi")).content_hash != base
    assert build_plan(frame, Content.text("Hi"), opt_out=[numbers(1)[0]]).content_hash == base
    photo = build_plan(frame, Content.media("photo", b"\x89PNG", "png")).content_hash
    assert photo != build_plan(frame, Content.media("photo", b"\x89PNH", "png")).content_hash


@pytest.mark.parametrize("options, message", [
    ({"chunk_size": 101}, "chunk_size 101 is too many for one request"),
    ({"chunk_size": 0}, "chunk_size"),
    ({"chunk_sise": 10}, "chunk_sise: not an option of a campaign .did you mean chunk_size"),
    ({"not_within": "soon"}, "not_within: give a span such as 7d"),
    ({"new_campaign": True, "skip_recent": True}, "choose one"),
    ({"rate_per_minute": 0}, "rate_per_minute: must be more than 0"),
    ({"max_in_flight": 0}, "max_in_flight"),
    ({"on_unknown": "guess"}, "on_unknown: must be one of"),
    ({"quiet_hours": "22-08"}, "quiet_hours: expected 'HH:MM-HH:MM'"),
    ({"quiet_hours": "22:00-08:00", "tz": "Mars/Base"}, "tz: unknown time zone"),
    ({"photo": b"x", "video": b"y"}, "at most one file"),
])
def test_bad_settings_are_refused_before_anything(options: dict, message: str) -> None:
    frame = pd.DataFrame({"mobile": numbers(2)})
    text = None if "photo" in options else "Hi"
    with pytest.raises(ValueError, match=message):
        Campaign(frame, text, client=object(), journal=":memory:", **options)


def test_chunks_over_50_are_refused_where_the_gateway_paces_and_say_why(tmp_path) -> None:
    frame = pd.DataFrame({"mobile": numbers(2)})
    with pytest.raises(PreflightError) as caught:
        Campaign(frame, "Hi", client=object(), journal=":memory:", chunk_size=51)
    assert "past the 60 s the service waits" in str(caught.value)
    assert "use at most 50" in str(caught.value)
    with pytest.raises(PreflightError, match="too many"):
        (tmp_path / "p.jpg").write_bytes(b"x")
        Campaign(frame, photo=tmp_path / "p.jpg", client=object(), journal=":memory:",
                 chunk_size=80)
    # The default stays 40; WhatsApp, answered at once, keeps 100.
    assert Campaign(frame, "Hi", client=object(), journal=":memory:").plan.chunk_size == 40
    assert Campaign(frame, "Hi", client=object(), journal=":memory:", whatsapp=True,
                    chunk_size=100).plan.chunk_size == 100


def test_pace_is_said_in_words() -> None:
    from miogram_toolkit.campaign.preflight import pace_in_words

    assert pace_in_words(40, 20) == "a chunk of 40 every 2 minutes per agent at 20 a minute"
    assert pace_in_words(10, 20) == "a chunk of 10 every 30 s per agent at 20 a minute"
    assert pace_in_words(40, 40) == "a chunk of 40 every minute per agent at 40 a minute"


def test_settings_object_is_the_one_place_options_are_checked() -> None:
    from miogram_toolkit.campaign import CampaignSettings

    settings = CampaignSettings.from_options(chunk_size=20, robots="A, B", not_within="36h")
    assert settings.robots == ("A", "B") and settings.skip_recent
    assert settings.recent_seconds == 36 * 3600
    frame = pd.DataFrame({"mobile": numbers(1)})
    campaign = Campaign(frame, "Hi", client=object(), settings=settings)
    assert campaign.settings is settings and campaign.plan.chunk_size == 20
    with pytest.raises(ValueError, match="not both"):
        Campaign(frame, "Hi", client=object(), settings=settings, chunk_size=10)


def test_dry_run_is_the_rendered_plan_on_the_input_index_with_a_summary() -> None:
    frame = pd.DataFrame({"mobile": numbers(5) + ["bad"], "name": list("ABCDEF")},
                         index=pd.Index(list("uvwxyz"), name="id"))
    with mg.Simulator(start=False, credits={"Message": 100}) as sim:
        campaign = Campaign(frame, "سلام {name}", client=mg.Client.to(sim), chunk_size=2,
                            rate_per_minute=None, journal=":memory:")
        plan = campaign.dry_run()
        assert sim.inspect()["counts"]["sends"] == 0
    assert list(plan.index) == list("uvwxyz")
    assert plan["message"].tolist()[:2] == ["سلام A", "سلام B"]
    assert plan["bytes"].tolist()[:2] == [len("سلام A".encode()), len("سلام B".encode())]
    assert plan["state"].tolist() == ["planned"] * 5 + ["skipped"]
    assert plan["agent"].tolist()[:5] == ["MioBot1", "MioBot2", "MioBot3", "MioBot1", "MioBot2"]
    # One request in flight, ~1 s per number at the gateway: each one-number chunk 1 s later.
    gaps = plan["planned_at"].iloc[:5].diff().dt.total_seconds().tolist()[1:]
    assert gaps == [1.0, 1.0, 1.0, 1.0]
    summary = campaign.summary or ""
    assert plan.attrs["summary"] == summary
    assert "to send 5; skipped 1 (phone_invalid 1)" in summary
    assert "needed up to 5, left 100" in summary
    assert "Pace: no pacing" in summary
    assert sim.secret not in summary


@pytest.mark.parametrize("account, options, message", [
    ({"credits": {"Message": 3}}, {}, "has 3 Message credits and the campaign may need 5"),
    ({"active": False}, {}, "not active|826"),
    ({"agents": []}, {}, "no agent|827"),
    ({}, {"robots": "MioBot1,Nobody"}, "agent 'Nobody' is not one of the account's agents"),
    ({"limits": {"Message": 10}}, {"message": "سلام سلام"}, "is 17 bytes .* over the account's "
                                                           "limit of 10"),
])
def test_preflight_refuses_with_one_sentence(account: dict, options: dict, message: str) -> None:
    frame = pd.DataFrame({"mobile": numbers(5)})
    text = options.pop("message", "Hi")
    with mg.Simulator(start=False, **account) as sim:
        campaign = Campaign(frame, text, client=mg.Client.to(sim, retries=0), journal=":memory:",
                            **options)
        with pytest.raises(PreflightError, match=message) as caught:
            campaign.dry_run()
        assert sim.inspect()["counts"]["sends"] == 0
    assert "\n" not in str(caught.value)


def test_file_larger_than_the_limit_is_refused(tmp_path) -> None:
    photo = tmp_path / "big.jpg"
    photo.write_bytes(b"\xff" * (2 * 1048576 + 1))
    frame = pd.DataFrame({"mobile": numbers(1)})
    with mg.Simulator(start=False, limits={"Photo": 2}) as sim:
        campaign = Campaign(frame, photo=photo, client=mg.Client.to(sim), journal=":memory:")
        with pytest.raises(PreflightError, match="photo is 2097153 bytes, over"):
            campaign.dry_run()


def test_token_bucket_spaces_reservations_by_the_rate() -> None:
    bucket = TokenBucket(rate_per_minute=120, now=0.0)
    waits = [bucket.reserve(40, now=0.0) for _ in range(4)]
    assert waits == [0.0, 20.0, 40.0, 60.0]
    bucket.give_back(40)
    assert bucket.peek(40, now=60.0) == 0.0


def test_quiet_hours_wrap_midnight_in_tehran_time() -> None:
    from datetime import UTC, datetime

    quiet = QuietHours.parse("22:00-08:00")
    assert quiet.is_quiet(datetime(2026, 1, 1, 20, 0, tzinfo=UTC))   # 23:30 Tehran
    assert not quiet.is_quiet(datetime(2026, 1, 1, 5, 0, tzinfo=UTC))  # 08:30 Tehran
    assert quiet.wait_seconds(datetime(2026, 1, 1, 4, 0, tzinfo=UTC)) == 30 * 60
    day = QuietHours.parse(("13:00", "14:00"), "UTC")
    assert day.wait_seconds(datetime(2026, 1, 1, 13, 15, tzinfo=UTC)) == 45 * 60


def test_schedule_with_lanes_and_pacing() -> None:
    starts, agents = schedule([10, 10, 10, 10], ["A", "B"], lanes=2, rate_per_minute=60,
                              seconds_per_number=0.0)
    assert agents == ["A", "B", "A", "B"]
    assert starts == [0.0, 0.0, 10.0, 10.0]


def test_sheet_with_no_usable_number_is_refused_in_one_sentence(tmp_path) -> None:
    frame = pd.DataFrame({"name": ["a", "b"], "mobile": ["abc", ""]})
    journal = tmp_path / "none.sqlite"
    with mg.Simulator(start=False) as sim:
        campaign = Campaign(frame, "hi", client=mg.Client.to(sim), journal=journal)
        assert campaign.plan.rows["reason"].tolist() == ["phone_invalid", "phone_empty"]
        refusal = (r"^preflight: no row can be sent: all 2 rows are skipped "
                   r"\(phone_invalid 1, phone_empty 1\)$")
        with pytest.raises(PreflightError, match=refusal):
            campaign.run(progress=False)
        with pytest.raises(PreflightError, match="no row can be sent"):
            campaign.dry_run()
        assert sim.inspect()["counts"]["sends"] == 0
    assert not journal.exists()
