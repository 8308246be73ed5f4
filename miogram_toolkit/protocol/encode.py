"""Local validation and field encoding for the client: nothing leaves with a known defect.

The service leaves validation to the caller ("stray characters or spaces can cause an error"),
so every argument is checked here first, each failure a ``ValueError`` naming the argument.

Choices the document leaves open, made here:

* A phone number is ``+`` then 8 to 15 ASCII digits, nothing else. Cleaning messy input into
  that form is the job of :mod:`miogram_toolkit.phones.clean`, not of the client.
* A file extension is 1 to 10 ASCII letters or digits (no dot, no spaces) and is sent
  lower-cased. No list of known extensions per kind is kept: the service is the authority on
  what it accepts (it answers 400 No Valid File), and a local list would go stale.
* A Mass list may not name the same number twice: the answer is keyed by number, so the second
  delivery could not be reported, and it would be charged twice.

Example:
    >>> phone_field("+989121234567")
    '+989121234567'
    >>> phones_field(["+989121234567", "+989351234567"])
    '+989121234567,+989351234567'
    >>> misc_item("chat", "My Group")
    'My Group'
"""

from __future__ import annotations

import base64
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Union

__all__ = [
    "FileInput",
    "coordinate",
    "extension_field",
    "file_fields",
    "mask_phone",
    "mask_url",
    "mask_userinfo",
    "message_bytes",
    "message_field",
    "misc_item",
    "non_negative_int",
    "phone_field",
    "phones_field",
    "robot_field",
    "text_token",
]

#: A file given by path (``str`` or ``os.PathLike``) or as its bytes.
FileInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview]  # noqa: UP007

_PHONE = re.compile(r"\+[0-9]{8,15}")
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
_TOKEN = re.compile(r"[^\s,]+")
# "scheme://user:pass@" (or "//user@", or a bare "user:pass@host" without a scheme): the part to
# hide is everything between the scheme (or the start) and the last "@" before the path.
_USERINFO = re.compile(r"^((?:[^:/?#\s]*:)?//|)[^/?#\s]*@")
_USERINFO_IN_TEXT = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s@'\"]*@")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def mask_url(url: object) -> str:
    """A URL fit for a message: any ``user:password@`` replaced by ``***@``.

    Example:
        >>> mask_url("htps://user:hunter2@miogram.net/dojob.php")
        'htps://***@miogram.net/dojob.php'
        >>> mask_url("https://miogram.net/dojob.php")
        'https://miogram.net/dojob.php'
    """
    return mask_userinfo(_USERINFO.sub(r"\1***@", str(url)))


def mask_userinfo(text: str) -> str:
    """Every ``scheme://user:password@`` inside a text (an error, a log line) as ``scheme://***@``.

    Example:
        >>> mask_userinfo("Cannot connect to proxy http://me:hunter2@10.0.0.1:3128 (refused)")
        'Cannot connect to proxy http://***@10.0.0.1:3128 (refused)'
    """
    return _USERINFO_IN_TEXT.sub(r"\1***@", text)


def mask_phone(phone: str) -> str:
    """Hide the middle of a number for logs: ``+989121234567`` -> ``+9891******67``.

    Example:
        >>> mask_phone("+989121234567")
        '+9891******67'
    """
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:5] + "*" * (len(phone) - 7) + phone[-2:]


def _check_phone(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name}: a phone number must be a str like '+989121234567', "
                         f"got {type(value).__name__}")
    if "," in value:
        raise ValueError(f"{name}: one number per item, no commas ({_show(value)})")
    if not _PHONE.fullmatch(value):
        raise ValueError(f"{name}: {_show(value)} is not in international format "
                         "('+' then 8 to 15 digits, no spaces or other characters)")
    return value


def phone_field(value: object, name: str = "phone") -> str:
    """Validate the one number of a single-number action.

    Raises:
        ValueError: a list or a comma (several numbers), or not ``+`` and 8 to 15 digits.
    """
    if isinstance(value, list | tuple | set | frozenset):
        raise ValueError(f"{name}: this action takes exactly one number, got a "
                         f"{type(value).__name__}; use the *_mass method for several")
    if isinstance(value, str) and "," in value:
        raise ValueError(f"{name}: this action takes exactly one number, got a comma-separated "
                         "string; use the *_mass method for several")
    return _check_phone(name, value)


def phones_field(values: object, name: str = "phones") -> str:
    """Validate a list of numbers and join them with commas (no spaces).

    Raises:
        ValueError: a bare string, an empty list, a bad number (named by its index), or the
            same number twice.
    """
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | set | frozenset):
        raise ValueError(f"{name}: pass a list of numbers, got {type(values).__name__}")
    phones = list(values)
    for i, value in enumerate(phones):  # the item's name is written only for an error
        if not (isinstance(value, str) and "," not in value and _PHONE.fullmatch(value)):
            _check_phone(f"{name}[{i}]", value)
    if not phones:
        raise ValueError(f"{name}: the list of numbers is empty")
    seen: set[str] = set()
    for i, phone in enumerate(phones):
        if phone in seen:
            raise ValueError(f"{name}[{i}]: {_show(phone)} appears more than once")
        seen.add(phone)
    return ",".join(phones)


def message_field(value: object, name: str = "message") -> str:
    """Validate a message text: a non-empty str (spaces and new lines are fine).

    Raises:
        ValueError: not a str, or empty / only whitespace.
    """
    if not isinstance(value, str):
        raise ValueError(f"{name}: must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name}: the message is empty")
    return value


def message_bytes(text: str, ad: str | None = None) -> int:
    """The length the service checks against the ``Message`` limit: UTF-8 bytes.

    The service's implementation appends the account's advertisement as a new line plus the ad
    (``text + "\\n" + ad``) before it compares ``strlen`` with the limit, so a Persian letter
    counts 2 and an emoji 4. Pass ``ad`` when the account has one (``None`` or ``""``: none).

    Example:
        >>> message_bytes("Hello"), message_bytes("سلام"), message_bytes("Hi", ad="MioGram")
        (5, 8, 10)
    """
    if not isinstance(text, str):
        raise ValueError(f"text: must be a str, got {type(text).__name__}")
    if ad:
        text = f"{text}\n{ad}"
    return len(text.encode("utf-8", "surrogatepass"))


def misc_item(name: str, value: object) -> str:
    """Validate one comma-separated part of ``Misc``: non-empty text without a comma.

    Raises:
        ValueError: not a str, empty, or holding a comma (it would split into two parts).
    """
    if not isinstance(value, str):
        raise ValueError(f"{name}: must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name}: must not be empty")
    if "," in value:
        raise ValueError(f"{name}: must not contain a comma (Misc parts are comma-separated): "
                         f"{_show(value)}")
    return value


def text_token(name: str, value: object) -> str:
    """Validate a value the document wants "exact, no spaces" (username, agent name).

    Raises:
        ValueError: not a str, empty, or holding whitespace or a comma.
    """
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise ValueError(f"{name}: must be non-empty text without spaces or commas, "
                         f"got {_show(value)}")
    return value


def robot_field(value: object) -> str:
    """Validate an agent (robot) name."""
    return text_token("robot", value)


def non_negative_int(name: str, value: object, minimum: int = 0,
                     maximum: int | None = None) -> str:
    """Validate a whole number in ``[minimum, maximum]`` and render it for ``Misc``.

    Raises:
        ValueError: not an int (bools refused), or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}: must be an int, got {type(value).__name__}")
    if value < minimum or (maximum is not None and value > maximum):
        top = f" to {maximum}" if maximum is not None else " or more"
        raise ValueError(f"{name}: must be {minimum}{top}, got {value}")
    return str(value)


def coordinate(name: str, value: object, limit: float) -> str:
    """Validate a latitude (``limit`` 90) or longitude (180) and render it in fixed point.

    Fixed point with six decimals (about 0.1 m), trailing zeros dropped: no exponent form
    (``1e-05``) reaches the service.

    Raises:
        ValueError: not a real number, not finite, or outside ``[-limit, limit]``.

    Example:
        >>> coordinate("latitude", 35.6892, 90)
        '35.6892'
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: must be a number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number) or abs(number) > limit:
        raise ValueError(f"{name}: must be between -{limit:g} and {limit:g}, got {value!r}")
    text = f"{number:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def extension_field(value: object, name: str = "extension") -> str:
    """Validate a file extension: letters and digits only, no dot, no spaces; lower-cased.

    Raises:
        ValueError: empty, too long, or holding anything but ASCII letters and digits.
    """
    if not isinstance(value, str) or not _EXTENSION.fullmatch(value):
        raise ValueError(f"{name}: must be 1 to 10 letters or digits without the dot "
                         f"(e.g. 'jpg'), got {_show(value)}")
    return value.lower()


def file_fields(file: object, extension: str | None, name: str = "file") -> tuple[str, str]:
    """Read a file (path or bytes) and return ``(extension, base64 data)``.

    A ``str`` is always a path, never content. The extension comes from ``extension=`` when
    given, else from the path's suffix; bytes need ``extension=``.

    Raises:
        ValueError: empty content, no extension to be found, or a bad extension.
        FileNotFoundError: the path does not exist.

    Example:
        >>> file_fields(b"hi", "TXT")
        ('txt', 'aGk=')
    """
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
        if extension is None:
            raise ValueError(f"extension: required when {name} is given as bytes")
    elif isinstance(file, str | os.PathLike):
        path = Path(file)
        if extension is None:
            suffix = path.suffix[1:]
            if not suffix:
                raise ValueError(f"extension: {path.name!r} has no extension; pass extension=")
            extension = suffix
        data = path.read_bytes()
    else:
        raise ValueError(f"{name}: must be a path (str or Path) or bytes, "
                         f"got {type(file).__name__}")
    ext = extension_field(extension)
    if not data:
        raise ValueError(f"{name}: the file is empty")
    return ext, base64.b64encode(data).decode("ascii")
