"""miogram-toolkit: spreadsheets of phone numbers in, delivered MioGram campaigns out.

Example:
    >>> import miogram_toolkit as mg
    >>> # Client.from_env() reads MIOGRAM_SECRET, MIOGRAM_URL and MIOGRAM_ROBOT; here a local
    >>> # simulator stands in for the service.
    >>> with mg.Simulator(seed=7) as sim, mg.Client.to(sim) as client:
    ...     client.send_message("+989121234567", "Hello")
    True

Public names load lazily, so ``import miogram_toolkit`` stays fast; heavy optional parts
(charts, widgets) are only imported when first used. Importing the package does not import
pandas either (the ``miogram`` command starts before pandas would have loaded), yet the
``df.miogram`` / ``s.miogram`` accessors are always there when pandas is: registered at once when
pandas is already imported, else right after pandas is first imported (:class:`_AfterPandas`).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

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

_ACCESSORS = "miogram_toolkit.accessors"


class _RegisteringLoader:
    """pandas' own loader, and the accessors registered once pandas is whole.

    (Plain classes, not ``importlib.abc`` ones: that module alone costs the command's start-up
    more than everything else it imports.)
    """

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        importlib.import_module(_ACCESSORS)


class _AfterPandas:
    """Finds pandas the usual way, once, and has the accessors registered right after it."""

    def find_spec(self, name: str, path: Any = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if name != "pandas":
            return None
        _remove_hook()
        from importlib.util import find_spec

        spec = find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _RegisteringLoader(spec.loader)  # type: ignore[assignment]
        return spec


def _remove_hook() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _AfterPandas)]


def _register_accessors() -> None:
    if "pandas" in sys.modules:
        importlib.import_module(_ACCESSORS)
    elif not any(isinstance(f, _AfterPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterPandas())


_register_accessors()


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'miogram_toolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"miogram_toolkit.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
