"""records_to_frame: both shapes of APIGetReport records and the odd ones, into one typed frame."""

from __future__ import annotations

import base64

import pandas as pd
import pytest

from miogram_toolkit.client import Client
from miogram_toolkit.reports import REPORT_COLUMNS, records_to_frame, report_frame
from miogram_toolkit.simulator import Simulator

A, B, C = "+989121234567", "+989351234567", "+989101234567"


def _typed(frame: pd.DataFrame) -> None:
    assert list(frame.columns[: len(REPORT_COLUMNS)]) == list(REPORT_COLUMNS)
    for name, dtype in REPORT_COLUMNS.items():
        assert str(frame[name].dtype) == dtype, name


def test_reference_rows_are_exploded_per_number_with_tehran_times() -> None:
    records = [  # newest first, as the service lists them
        {"Username": "demo", "DATE": "2026-01-31", "TIME": "15:30:05", "IP": "127.0.0.1",
         "DATA": "سلام", "Number": f"{A},09351234567,{C}", "Delivered": f"{A},{C}"},
        {"Username": "demo", "DATE": "2026-01-30", "TIME": "09:00:00", "IP": "127.0.0.1",
         "DATA": "Hi", "Number": A, "Delivered": A},
        {"Username": "demo", "DATE": "2026-01-30", "TIME": "08:00:00", "IP": "127.0.0.1",
         "DATA": "None of them", "Number": f"{B},{C}", "Delivered": ""},
    ]
    frame = records_to_frame(records)
    _typed(frame)
    assert frame["phone"].tolist() == [A, B, C, A, B, C]
    assert frame["delivered"].tolist() == [True, False, True, True, False, False]
    assert frame["request"].tolist() == [0, 0, 0, 1, 2, 2]
    assert frame["reason"].tolist() == [pd.NA, "undelivered", pd.NA, pd.NA, "undelivered",
                                        "undelivered"]
    # 15:30:05 in Tehran (UTC+3:30) is 12:00:05 UTC.
    assert frame["sent_at"].iloc[0] == pd.Timestamp("2026-01-31 12:00:05", tz="UTC")
    assert frame["sent_at"].iloc[3] == pd.Timestamp("2026-01-30 05:30:00", tz="UTC")
    assert frame["message"].tolist()[:4] == ["سلام"] * 3 + ["Hi"]
    assert frame["func"].isna().all() and frame["robot"].isna().all()
    assert frame["username"].tolist() == ["demo"] * 6 and frame["ip"].iloc[0] == "127.0.0.1"


def test_document_records_from_the_simulator() -> None:
    with Simulator(seed=7, not_on_messenger=[B], agents=["MioBot1", "MioBot2"],
                   dialect="document") as sim, \
            Client.to(sim) as client:
        client.send_message_mass([A, B], "Hello", robot="MioBot2")
        client.send_photo(C, b"\x89PNG fake image bytes", extension="png")
        records = client.get_report(10)
    frame = records_to_frame(records)
    _typed(frame)
    by_phone = frame.set_index("phone")
    assert set(by_phone.index) == {A, B, C}
    assert bool(by_phone.loc[A, "delivered"]) and not bool(by_phone.loc[B, "delivered"])
    assert by_phone.loc[B, "reason"] == "not_on_messenger"
    assert by_phone.loc[A, "func"] == "SendMessageMass"
    assert by_phone.loc[A, "robot"] == "MioBot2"
    assert by_phone.loc[A, "message"] == "Hello"
    assert by_phone.loc[C, "message"].startswith("file ")
    assert frame["sent_at"].notna().all()


def test_a_logged_file_is_described_never_kept_whole() -> None:
    data = base64.b64encode(bytes(range(256)) * 40).decode()
    frame = records_to_frame([{"DATE": "2026-01-31", "TIME": "10:00:00", "DATA": data,
                               "Number": A, "Delivered": A}])
    text = frame["message"].iloc[0]
    assert text.startswith("file, 10 KB, sha1 ") and len(text) < 40
    assert data not in frame.to_string()


def test_extra_and_renamed_fields() -> None:
    frame = records_to_frame([{"time": "2026-01-31T12:00:00Z", "Agent": "MioBot3",
                               "Action": "SendMessage", "phone": A, "Delivered": True,
                               "CampaignId": "spring", "cost": 1}])
    assert frame.loc[0, "robot"] == "MioBot3" and frame.loc[0, "func"] == "SendMessage"
    assert frame.loc[0, "campaign_id"] == "spring" and frame.loc[0, "cost"] == 1


def test_missing_fields_become_missing_values() -> None:
    frame = records_to_frame([{"Number": "09121234567"}, {"Phone": B, "Delivered": "1"}])
    _typed(frame)
    assert frame["phone"].tolist() == [A, B]
    assert frame["delivered"].tolist() == [False, True]
    assert frame["sent_at"].isna().all() and frame["message"].isna().all()


def test_epoch_times_in_seconds_and_milliseconds() -> None:
    frame = records_to_frame([{"Time": 1767182400, "Phone": A, "Delivered": True},
                              {"Time": 1767182400500, "Phone": B, "Delivered": True},
                              {"Time": "1767182400", "Phone": C, "Delivered": False}])
    expected = pd.Timestamp("2025-12-31 12:00:00", tz="UTC")
    assert frame["sent_at"].tolist() == [expected, expected + pd.Timedelta(milliseconds=500),
                                         expected]


def test_numbers_as_a_list_and_written_every_way() -> None:
    frame = records_to_frame([{"Number": ["989121234567", "0098 935 123 4567"],
                               "Delivered": ["+989351234567"]}])
    assert frame["phone"].tolist() == [A, B]
    assert frame["delivered"].tolist() == [False, True]


@pytest.mark.parametrize("records", [None, [], ()])
def test_no_data_gives_the_empty_typed_frame(records: object) -> None:
    frame = records_to_frame(records)  # type: ignore[arg-type]
    assert frame.empty
    _typed(frame)
    assert list(frame.columns) == list(REPORT_COLUMNS)


def test_no_data_from_the_service_gives_the_empty_frame() -> None:
    with Simulator(seed=7) as sim, Client.to(sim) as client:
        try:
            records = client.get_report(10)
        except Exception as error:  # the 111 "No DATA" answer, however the client reports it
            assert getattr(error, "code", None) == 111
            records = []
    assert list(records_to_frame(records).columns) == list(REPORT_COLUMNS)


def test_a_record_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ValueError, match=r"records\[1\]: a report record must be a mapping"):
        records_to_frame([{"Phone": A}, "oops"])


def test_client_report_frame() -> None:
    with Simulator(seed=7, not_on_messenger=[B]) as sim, Client.to(sim) as client:
        assert list(report_frame(client).columns) == list(REPORT_COLUMNS)  # nothing yet
        client.send_message_mass([A, B], "Hi")
        client.send_message(C, "Hello")
        frame = report_frame(client, 1000)
    assert sorted(frame["phone"]) == sorted([A, B, C])
    assert int(frame["delivered"].sum()) == 2


def test_the_campaign_archive_as_a_frame(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from miogram_toolkit.campaign import Campaign, read_archive

    contacts = pd.DataFrame({"mobile": ["09121234567", "09351234567", "09101234567"]})
    journal = tmp_path / "campaign.sqlite"
    with Simulator(seed=7, not_on_messenger=[B]) as sim, Client.to(sim) as client:
        results = Campaign(contacts, "Hi", client=client, rate_per_minute=None,
                           journal=journal).run(progress=False)
    frame = records_to_frame(read_archive(journal))
    delivered = set(frame.loc[frame["delivered"], "phone"])
    assert delivered == set(results.loc[results["state"] == "delivered", "e164"])
    assert delivered == {A, C}
