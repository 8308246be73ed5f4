"""Chat evidence: an unknown row settled from the sending agent's own chat with the number.

Where the account has ``canGet``, ``GetHistory`` shows the messages of one chat as the agent
sees them — and an agent sees only its own chats, so it is asked through the agent that sent.
This is the only evidence that works on a used account, whose report log shows no new sends.

For one number of a request that left at ``left_at`` (our clock):

* a message of ours (``out``) with the campaign's text (the account's ad may follow it) — or,
  for a file, any media message of ours — dated at or after ``left_at`` on the service's clock
  (``left_at + clock_offset``, less a small margin) → ``delivered``;
* none, asked once the gateway must have finished → ``absent``: the request was not processed
  for that number, so it may be sent again;
* the chat could not be read → None (the row stays unknown).

Reads are made one at a time and paced like sends (the caller passes the pace).

Example:
    >>> from datetime import UTC, datetime
    >>> class Agent:
    ...     clock_offset = 0.0
    ...     def get_history(self, phone, limit=20, offset=0, *, robot=None):
    ...         return [ChatMessage("7", True, datetime.fromtimestamp(1000, UTC), "Hi Sara")]
    >>> reader = ChatReader(Agent())
    >>> reader.check("+989121234567", "MioBot1", 999.0, "Hi Sara")
    'delivered'
    >>> reader.check("+989121234567", "MioBot1", 1010.0, "Hi Sara")   # older than the request
    'absent'
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from miogram_toolkit.campaign.reconcile import TOLERANCE_S, TOLERANCE_UNKNOWN_S
from miogram_toolkit.campaign.sender import Sender
from miogram_toolkit.protocol.chat import ChatMessage
from miogram_toolkit.protocol.errors import MioGramError, PermissionDenied

__all__ = ["CHAT_LIMIT", "ChatReader"]

logger = logging.getLogger("miogram_toolkit.campaign")

#: How many of a chat's newest messages are read (replies may follow ours).
CHAT_LIMIT = 50
#: How many times one chat is asked for before its rows stay unknown.
TRIES = 3


def _is_ours(message: ChatMessage, text: str | None, not_before: float) -> bool:
    if not message.out or message.date is None or message.date.timestamp() < not_before:
        return False
    if text is None:  # a file: any media message of ours sent after the request left
        return message.media is not None
    body = message.text
    return body is not None and (body == text or body.startswith(text))


class ChatReader:
    """Reads agents' chats for evidence, one request at a time.

    Args:
        sender: reads a chat (``get_history``) and knows the clock offset.
        pace: called with the agent before each read; returns False when the run stopped.

    Attributes:
        broken: why chats cannot be read (the permission was refused), or None.
    """

    def __init__(self, sender: Sender, pace: Callable[[str], bool] = lambda agent: True) -> None:
        self.sender = sender
        self.pace = pace
        self.broken: str | None = None

    def check(self, number: str, agent: str, left_at: float, text: str | None) -> str | None:
        """``"delivered"``, ``"absent"`` or None (unreadable) for one number of a request."""
        messages = None
        for _ in range(TRIES):
            if self.broken is not None or not self.pace(agent):
                return None
            try:
                messages = self.sender.get_history(number, limit=CHAT_LIMIT, robot=agent)
                break
            except PermissionDenied as exc:
                self.broken = f"{exc}"
                logger.warning("the agents' chats cannot be read (%s); unanswered requests "
                               "stay unknown", exc)
                return None
            except MioGramError as exc:  # the client retried what it may; try again later
                logger.info("a chat could not be read through %s: %s", agent, exc)
        else:
            return None
        offset = self.sender.clock_offset
        margin = TOLERANCE_S if offset is not None else TOLERANCE_UNKNOWN_S
        not_before = left_at + (offset or 0.0) - margin
        return "delivered" if any(_is_ours(m, text, not_before) for m in messages or ()) \
            else "absent"
