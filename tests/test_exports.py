"""The public surface: ``miogram_toolkit.__all__`` is exactly this hand-written list."""

from __future__ import annotations

import miogram_toolkit

EXPECTED = [
    "ACTIONS",
    "APIError",
    "AuthError",
    "BadNumber",
    "BadRequest",
    "BadResponse",
    "Campaign",
    "Client",
    "ConnectError",
    "ContactFileError",
    "CreditError",
    "DeliveryUnknown",
    "ERRORS",
    "FileRejected",
    "GatewayCreditError",
    "MessageTooLong",
    "MioGramError",
    "NoAgentError",
    "NoData",
    "PermissionDenied",
    "ResponseTimeout",
    "ServiceUnavailable",
    "Simulator",
    "TransportError",
    "__version__",
    "connect",
    "credits_chart",
    "credits_frame",
    "dashboard",
    "delivery_chart",
    "delivery_summary",
    "failure_reasons",
    "failures_chart",
    "funnel_chart",
    "message_bytes",
    "read_contacts",
    "records_to_frame",
    "report_frame",
    "to_e164",
    "write_excel",
    "write_report",
]


def test_all_is_exactly_the_public_surface() -> None:
    assert miogram_toolkit.__all__ == EXPECTED


def test_every_exported_name_resolves() -> None:
    for name in EXPECTED:
        assert getattr(miogram_toolkit, name) is not None


def test_exports_are_the_defining_objects() -> None:
    from miogram_toolkit import client
    from miogram_toolkit.protocol import catalogue, errors

    assert miogram_toolkit.Client is client.Client
    assert miogram_toolkit.ACTIONS is catalogue.ACTIONS
    assert miogram_toolkit.ERRORS is errors.ERRORS
    from miogram_toolkit import service, simulator

    assert miogram_toolkit.Simulator is simulator.Simulator
    assert miogram_toolkit.connect is service.connect
    assert miogram_toolkit.DeliveryUnknown is errors.DeliveryUnknown
    from miogram_toolkit import reports

    assert miogram_toolkit.records_to_frame is reports.records_to_frame
    assert miogram_toolkit.write_report is reports.write_report
    assert issubclass(miogram_toolkit.DeliveryUnknown, miogram_toolkit.TransportError)
    assert issubclass(miogram_toolkit.TransportError, miogram_toolkit.MioGramError)


def test_unknown_names_raise_attribute_error() -> None:
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'send_message'"):
        miogram_toolkit.send_message  # noqa: B018
