"""What a campaign needs from the service: the :class:`Sender` protocol.

The runner talks to MioGram only through these methods, so any object that has them can drive a
campaign: the real :class:`~miogram_toolkit.client.Client` (against the service or a simulator)
or a fake of a few lines in a test. Nothing here reads the client's attributes or re-derives its
request policy: when the gateway must have finished a request
(:meth:`Sender.gateway_done_after`) is the client's to say, and the pause between two tries of
a chunk comes from the client's one back-off formula
(:func:`miogram_toolkit.client.policy.retry_delay`); per-request overrides go as keyword
arguments (``timeout=``, ``retries=``), never by changing the client.

::

    Runner ──send_*_mass(numbers, …, robot=, timeout=, retries=0)──► {number: delivered}
      │  ──get_report(count)──────────────► report records (read with read_report_rows)
      │  ──get_history(phone, limit=, robot=)──► ChatMessage list (needs canGet)
      └─ gateway_done_after(n) · clock_offset · can_get() · get_credits()

Example:
    >>> class Fake:  # enough for a text campaign with neither report nor chat
    ...     clock_offset = None
    ...     def send_message_mass(self, numbers, text, *, robot=None, timeout=None,
    ...                           retries=None):
    ...         return {n: True for n in numbers}
    >>> Fake().send_message_mass(["+989121234567"], "Hi")
    {'+989121234567': True}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from miogram_toolkit.protocol.chat import ChatMessage

__all__ = ["Sender"]


class Sender(Protocol):
    """The client methods a campaign calls (the real ``Client`` has them all).

    Attributes:
        clock_offset: the service's clock minus ours in seconds, or None until it is known.
    """

    clock_offset: float | None

    def send_message_mass(self, phones: Sequence[str], message: str, *,
                          robot: str | None = None, timeout: float | None = None,
                          retries: int | None = None) -> Mapping[str, bool]:
        """One Mass text request; ``{number: delivered}``."""

    def send_message_whatsapp_mass(self, phones: Sequence[str], message: str, *,
                                   robot: str | None = None, timeout: float | None = None,
                                   retries: int | None = None) -> Mapping[str, bool]:
        """One WhatsApp Mass text request (the service marks everyone delivered)."""

    def send_photo_mass(self, phones: Sequence[str], file: Any, *, extension: str | None = None,
                        robot: str | None = None, timeout: float | None = None,
                        retries: int | None = None) -> Mapping[str, bool]:
        """One Mass photo request."""

    def send_video_mass(self, phones: Sequence[str], file: Any, *, extension: str | None = None,
                        robot: str | None = None, timeout: float | None = None,
                        retries: int | None = None) -> Mapping[str, bool]:
        """One Mass video request."""

    def send_file_mass(self, phones: Sequence[str], file: Any, *, extension: str | None = None,
                       robot: str | None = None, timeout: float | None = None,
                       retries: int | None = None) -> Mapping[str, bool]:
        """One Mass file request."""

    def get_report(self, count: int = 100) -> list[dict[str, Any]]:
        """The report log's records, newest first (``[]`` when it holds none)."""

    def get_history(self, phone: str, limit: int = 20, offset: int = 0, *,
                    robot: str | None = None) -> list[ChatMessage]:
        """One chat's newest messages through ``robot``, oldest first (needs ``canGet``)."""

    def can_get(self) -> bool:
        """Whether the account may read chats (``canGet``)."""

    def get_credits(self) -> Mapping[str, Any]:
        """The remaining credit of each kind."""

    def gateway_done_after(self, numbers: int) -> float:
        """Seconds after a request left by which the gateway has finished sending it."""
