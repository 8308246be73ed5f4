"""The MioGram v1.2 contract, shared by the client and the simulator.

What lives here is data and pure functions, with no import of the rest of the toolkit:

* :mod:`~miogram_toolkit.protocol.catalogue`: the 43 actions, their fields, results and rules;
* :mod:`~miogram_toolkit.protocol.errors`: the 23 error codes, the exception tree and what each
  error means for a send (not processed / failed / unknown; retryable; stops a campaign);
* :mod:`~miogram_toolkit.protocol.error_answers`: how an error answer becomes an exception;
* :mod:`~miogram_toolkit.protocol.body`: reading an answer's body (or saying why it is none);
* :mod:`~miogram_toolkit.protocol.encode`: turning arguments into form fields;
* :mod:`~miogram_toolkit.protocol.decode`: turning answers into typed results;
* :mod:`~miogram_toolkit.protocol.dialects`: the two dialects the service answers in (the
  document's and its own implementation's), as data the decoders read;
* :mod:`~miogram_toolkit.protocol.report_row`: one typed :class:`ReportRow` read from either
  shape of the report log by :func:`read_report_rows`;
* :mod:`~miogram_toolkit.protocol.chat`: an agent's chat (``GetHistory``) as typed
  :class:`ChatMessage` objects.

Example:
    >>> from miogram_toolkit.protocol import ACTIONS, ERRORS
    >>> ACTIONS["SendMessageMass"].func, ERRORS[305].message
    ('SendMessageMass', 'No Credit')
    >>> from miogram_toolkit.protocol import message_bytes
    >>> message_bytes("سلام", ad="Ad")
    11
"""

from __future__ import annotations

from miogram_toolkit.protocol.catalogue import ACTIONS
from miogram_toolkit.protocol.chat import ChatMessage, read_chat_messages
from miogram_toolkit.protocol.encode import message_bytes
from miogram_toolkit.protocol.errors import ERRORS
from miogram_toolkit.protocol.report_row import ReportRow, read_report_rows

__all__ = ["ACTIONS", "ERRORS", "ChatMessage", "ReportRow", "message_bytes", "read_chat_messages",
           "read_report_rows"]
