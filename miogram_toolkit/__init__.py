"""miogram-toolkit: spreadsheets of phone numbers in, delivered MioGram campaigns out.

Example:
    >>> import miogram_toolkit as mg
    >>> # Client.from_env() reads MIOGRAM_SECRET, MIOGRAM_URL and MIOGRAM_ROBOT; here a local
    >>> # simulator stands in for the service.
    >>> with mg.Simulator(seed=7) as sim, mg.Client.to(sim) as client:
    ...     client.send_message("+989121234567", "Hello")
    True

Public names load lazily, so ``import miogram_toolkit`` stays fast; heavy optional parts
(charts, widgets) are only imported when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

from miogram_toolkit.version import __version__ as __version__

# name -> module that defines it; the single list of the public surface.
_EXPORTS: dict[str, str] = {
    "ACTIONS": "protocol.catalogue",
    "APIError": "protocol.errors",
    "AuthError": "protocol.errors",
    "BadNumber": "protocol.errors",
    "BadRequest": "protocol.errors",
    "BadResponse": "protocol.errors",
    "Campaign": "campaign",
    "Client": "client",
    "ConnectError": "protocol.errors",
    "CreditError": "protocol.errors",
    "DeliveryUnknown": "protocol.errors",
    "ERRORS": "protocol.errors",
    "FileRejected": "protocol.errors",
    "GatewayCreditError": "protocol.errors",
    "MessageTooLong": "protocol.errors",
    "MioGramError": "protocol.errors",
    "NoAgentError": "protocol.errors",
    "NoData": "protocol.errors",
    "PermissionDenied": "protocol.errors",
    "ResponseTimeout": "protocol.errors",
    "ServiceUnavailable": "protocol.errors",
    "TransportError": "protocol.errors",
    "ContactFileError": "sheets",
    "read_contacts": "sheets",
    "to_e164": "phones",
    "write_excel": "sheets",
    "Simulator": "simulator",
    "connect": "service",
    "dashboard": "widgets",
    "message_bytes": "protocol.encode",
    "records_to_frame": "reports",
    "report_frame": "reports",
    "write_report": "reports",
    "credits_chart": "reports",
    "credits_frame": "reports",
    "delivery_chart": "reports",
    "delivery_summary": "reports",
    "failure_reasons": "reports",
    "failures_chart": "reports",
    "funnel_chart": "reports",
}

__all__ = sorted([*_EXPORTS, "__version__"])

from miogram_toolkit import accessors as _accessors  # noqa: F401, E402  (registers df.miogram / s.miogram)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'miogram_toolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"miogram_toolkit.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
