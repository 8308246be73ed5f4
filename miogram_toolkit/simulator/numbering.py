"""Phone numbers as the simulated service sees them: their form and who is "on the messenger".

Which numbers have a messenger account is decided from the number and a seed alone, so a run
repeats exactly: the same seed gives the same deliverable numbers in every process.

Example:
    >>> is_international("+989121234567"), is_international("09121234567")
    (True, False)
    >>> on_messenger("+989121234567", seed=7, unreachable_share=0.0)
    True
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["is_international", "on_messenger", "user_id"]

# ASCII digits only: `\d` would also accept Persian and Arabic-Indic digits, which the service's
# "international format" does not (a client must convert them before sending).
_INTERNATIONAL = re.compile(r"\+[0-9]{8,15}")


def is_international(number: str) -> bool:
    """True when ``number`` is ``+`` then 8 to 15 ASCII digits, with nothing around it."""
    return _INTERNATIONAL.fullmatch(number) is not None


def _unit(seed: int, number: str, salt: str = "") -> float:
    digest = hashlib.sha256(f"{seed}|{salt}{number.lstrip('+')}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def on_messenger(number: str, *, seed: int, unreachable_share: float) -> bool:
    """Decide deterministically whether ``number`` has a messenger account.

    Args:
        number: a number in international form.
        seed: the simulator's seed.
        unreachable_share: the share (0..1) of numbers that are not on the messenger.
    """
    return _unit(seed, number) >= unreachable_share


def user_id(number: str, *, seed: int) -> int:
    """A stable user id for ``number`` (what a messenger would show for that account)."""
    return 100_000_000 + int(_unit(seed, number, "uid|") * 900_000_000)
