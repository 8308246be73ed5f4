"""The two dialects MioGram answers in, as data: what the client accepts from either.

* ``document`` — the v1.2 document as the toolkit reads it (and the simulator's ``document``
  dialect plays it): every answer an object with ``Status``; getters ``Status: null``; errors
  ``{"Result": false, "Status": "error", "Message": "<text>"}``; sizes in megabytes.
* ``reference`` — the service's own implementation (``shared/spec/reference-implementation.md``):
  getters without ``Status``; the report a bare array; errors with ``"Code": "NNN"`` (a string)
  or, from the agent gateway, ``"Error NNN : text"`` without a code and sometimes a stray ``302``
  after the JSON; WhatsApp sends ``"Status": "sent"`` and a single ``true`` for Mass; sizes in
  bytes; credits as strings; an unknown number ``"Number Not Exist or Wrong"`` as an error.

The client never asks which one it talks to: :func:`accepted_statuses` is the union of both, and
the decoders of :mod:`~miogram_toolkit.protocol.decode` read both shapes. ::

    body ──parse_answer──► object (array → {"Result": [...]}, stray code kept)
          │ Status "error"? ──► error_for_answer (Code | "Error NNN :" | stray | text)
          │ Status in accepted_statuses(action)? else BadResponse
          ▼
    Result ──decoder of the action's ResultKind──► the same typed value in either dialect

Example:
    >>> from miogram_toolkit.protocol.catalogue import ACTIONS
    >>> sorted(accepted_statuses(ACTIONS["SendMessageWhatsApp"]))
    ['fail', 'sent', 'success']
    >>> None in accepted_statuses(ACTIONS["APIGetCredits"])
    True
"""

from __future__ import annotations

from typing import Final

from miogram_toolkit.protocol.catalogue import Action, ResultKind

__all__ = ["DIALECTS", "accepted_statuses"]

#: The dialect names, the default (what the real service does) first.
DIALECTS: Final = ("reference", "document")


def _norm(status: str | None) -> str | None:
    if status is None:
        return None
    text = status.strip().casefold()
    return None if text == "null" else text


def accepted_statuses(action: Action) -> frozenset[str | None]:
    """The ``Status`` values (lower-case; None = null or missing) of a non-error answer.

    The catalogue's documented values, plus what the implementation sends instead: no
    ``Status`` at all for the tables (it adds ``checking``, but a missing one is read alike) and
    ``sent`` for the WhatsApp sends.
    """
    accepted: set[str | None] = {_norm(s) for s in action.ok_status}
    if action.result is ResultKind.TABLE:
        accepted.add(None)
    if action.whatsapp:
        accepted.add("sent")
    return frozenset(accepted)
