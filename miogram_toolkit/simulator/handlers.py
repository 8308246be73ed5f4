"""Func name -> handler, for all 43 actions; checked against the catalogue at import.

Example:
    >>> from miogram_toolkit.protocol.catalogue import ACTIONS
    >>> sorted(HANDLERS) == sorted(ACTIONS)
    True
"""

from __future__ import annotations

from types import MappingProxyType

from miogram_toolkit.protocol.catalogue import ACTIONS
from miogram_toolkit.simulator import account, agent, chats
from miogram_toolkit.simulator.base import Handler
from miogram_toolkit.simulator.sends import handle_send

__all__ = ["HANDLERS"]

_sends: dict[str, Handler] = {func: handle_send for func, a in ACTIONS.items() if a.is_send}
_table: dict[str, Handler] = {**_sends, **agent.HANDLERS, **chats.HANDLERS, **account.HANDLERS}

_missing = set(ACTIONS) - set(_table)
_extra = set(_table) - set(ACTIONS)
if _missing or _extra:  # pragma: no cover - a catalogue change without a handler
    raise RuntimeError(f"simulator handlers out of step with the catalogue: "
                       f"missing {sorted(_missing)}, unknown {sorted(_extra)}")

HANDLERS = MappingProxyType(_table)
