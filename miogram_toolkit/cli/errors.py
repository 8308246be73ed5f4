"""What a failed ``miogram`` command prints and the status it exits with: decided once, here.

::

    exception ─► exit_status(): the first class of its MRO found in exit_statuses()
                 CampaignIncomplete 3 · KeyboardInterrupt 130 · MioGramError, ValueError,
                 OSError, LockBusy 1 (expected: one sentence) · anything else 1 (unexpected:
                 the sentence and a hint to run again with --debug)
              ─► one_sentence(): the message on one line, the user's flag names, no secret

Example:
    >>> exit_status(CampaignIncomplete("the campaign paused: quiet hours"))
    3
    >>> exit_status(KeyboardInterrupt())
    130
    >>> exit_status(FileNotFoundError("x"))
    1
"""

from __future__ import annotations

import functools
import os
import re
from urllib.parse import urlsplit

from miogram_toolkit.local import InputError, LockBusy

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_PAUSED", "CampaignIncomplete", "CommandError",
           "exit_status", "exit_statuses", "is_expected", "one_sentence"]

EXIT_ERROR = 1
EXIT_PAUSED = 3
EXIT_INTERRUPTED = 130

#: A command refused its input (the same class the demo and the dashboard raise).
CommandError = InputError


class CampaignIncomplete(Exception):
    """The campaign paused with rows still to send; the message says why and how to resume."""


@functools.cache
def exit_statuses() -> dict[type[BaseException], int]:
    """The exit status of each error class: the one map (built on first use, because the
    protocol's exception tree is not needed for ``miogram --help``).

    An error's status is that of the first class of its MRO listed here. Classes listed are
    *expected*: printed as one sentence, without a traceback hint.
    """
    from miogram_toolkit.protocol.errors import MioGramError

    return {
        CampaignIncomplete: EXIT_PAUSED,
        KeyboardInterrupt: EXIT_INTERRUPTED,
        MioGramError: EXIT_ERROR,
        LockBusy: EXIT_ERROR,
        ValueError: EXIT_ERROR,
        OSError: EXIT_ERROR,
    }


def _listed(exc: BaseException) -> type[BaseException] | None:
    table = exit_statuses()
    return next((cls for cls in type(exc).__mro__ if cls in table), None)


def exit_status(exc: BaseException) -> int:
    """The exit status for ``exc`` (:data:`EXIT_ERROR` for anything not listed)."""
    listed = _listed(exc)
    return exit_statuses()[listed] if listed is not None else EXIT_ERROR


def is_expected(exc: BaseException) -> bool:
    """True when ``exc`` is a failure the user can act on from its sentence alone."""
    return _listed(exc) is not None


# A URL's password, wherever a message quotes one (scheme://user:password@host).
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@'\"]*):[^\s/@'\"]*@")


#: What to do about a failure to reach the service, by the error's ``kind``
#: (:mod:`miogram_toolkit.protocol.errors`), said with the user's own setting.
SERVICE_SENTENCES: dict[str, str] = {
    "wrong_secret": "The service at {url} refused the secret key: check MIOGRAM_SECRET against "
                    "the key shown in the MioGram web panel",
    "connection_refused": "Nothing answers at {netloc} (connection refused): check the port in "
                          "MIOGRAM_URL={url}, or start the service there",
    "dns_failure": "The host name {host} in MIOGRAM_URL={url} does not resolve: check its "
                   "spelling and this machine's internet connection",
    "wrong_path": "There is no MioGram endpoint at MIOGRAM_URL={url}: check its path (the "
                  "service's ends in /dojob.php)",
}


def _service_sentence(exc: BaseException) -> str | None:
    kind = getattr(exc, "kind", None)
    raw = os.environ.get("MIOGRAM_URL", "").strip()
    if kind not in SERVICE_SENTENCES or not raw:
        return None
    try:
        parts = urlsplit(raw)
        host = parts.hostname or raw
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        host = netloc = raw
    from miogram_toolkit.service import service_url

    return SERVICE_SENTENCES[str(kind)].format(url=service_url(), host=host, netloc=netloc)


def one_sentence(exc: BaseException, column_option: str | None = None) -> str:
    """The error as one sentence for a terminal: no traceback, no secret, no URL password.

    ``column_option`` is the command's option naming the phone column: a hint to name one
    points at it, and is dropped for a command without one.

    Example:
        >>> one_sentence(FileNotFoundError(2, "No such file or directory", "c.xlsx"))
        "Cannot open 'c.xlsx': no such file or directory."
        >>> one_sentence(ValueError("--out must end in .xlsx or .csv"))
        '--out must end in .xlsx or .csv.'
        >>> one_sentence(ValueError("bad scheme in 'htps://ana:hunter2@miogram.net'"))
        "bad scheme in 'htps://ana:***@miogram.net'."
    """
    service = _service_sentence(exc)
    if service is not None:
        text = service
    elif isinstance(exc, OSError) and exc.strerror:
        where = f" '{exc.filename}'" if exc.filename else ""
        text = f"Cannot open{where}: {exc.strerror[0].lower()}{exc.strerror[1:]}"
    else:
        text = str(exc).strip() or type(exc).__name__
    # A sentence on one line; the command-line words instead of the Python ones.
    hint = f" (name one with {column_option})" if column_option else ""
    text = " ".join(text.split()).replace(" (name one with phone_column=)", hint)
    return _hide_secrets(text if text.endswith((".", "!", "?")) else text + ".")


def _hide_secrets(text: str) -> str:
    text = _URL_PASSWORD.sub(r"\g<head>:***@", text)
    secret = os.environ.get("MIOGRAM_SECRET", "").strip()
    if secret and len(secret) >= 4:
        text = text.replace(secret, "<hidden>")
    password = urlsplit(os.environ.get("MIOGRAM_URL", "").strip()).password
    if password:
        text = text.replace(password, "***")
    return text
