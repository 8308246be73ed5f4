"""What a campaign *is*: its account and its message — not the bytes of its sheet.

A campaign is found again by its **identity**: the account (the service's address and the user
name) and either the name the user gave it (``Campaign(name=...)``, ``--campaign NAME``) or its
message (the action, the template and, for a file, the file's hash and extension). Editing the
sheet — fixing a name, adding or removing rows, sorting it — therefore continues the same
campaign; a changed text is a new one. Its journal lives in the user data folder
(:func:`miogram_toolkit.local.data_path`, ``journals/``), named from the identity::

    <name or "campaign">-<first 16 hex digits of the identity's hash>.sqlite

Journals of the first format were named ``miogram_journals/<content hash>.sqlite`` in the
working folder, by a hash of the message *and every row*; :func:`legacy_journal` still finds
them (when the sheet is the one they were made from).

Example:
    >>> from miogram_toolkit.campaign.plan import Content
    >>> a = campaign_identity("https://miogram.net/dojob.php", "shop", Content.text("Hi {name}"))
    >>> b = campaign_identity("https://MIOGRAM.net/dojob.php/", "shop", Content.text("Hi {name}"))
    >>> a == b, a.campaign_id == campaign_identity(
    ...     "https://miogram.net/dojob.php", "shop", Content.text("Hello {name}")).campaign_id
    (True, False)
    >>> named = campaign_identity("https://miogram.net/dojob.php", "shop",
    ...                           Content.text("Hi"), name="Autumn sale")
    >>> named.file_name.startswith("Autumn_sale-")
    True
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from miogram_toolkit.campaign.journal import Journal
from miogram_toolkit.campaign.journal_file import LEGACY_JOURNAL_DIR
from miogram_toolkit.campaign.ledger import account_key
from miogram_toolkit.campaign.plan import Content, Plan
from miogram_toolkit.local import data_path
from miogram_toolkit.protocol.errors import MioGramError

__all__ = ["LEGACY_JOURNAL_DIR", "Identity", "account_of", "adopt_legacy", "campaign_identity",
           "legacy_journal"]

logger = logging.getLogger("miogram_toolkit.campaign")

_LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: Where the first journal format put journals: in the working folder.


@dataclass(frozen=True)
class Identity:
    """A campaign's identity.

    Attributes:
        account: the account as the ledger names it (address and user name).
        what: the campaign's name, or its message described (action, template, file hash).
        named: whether ``what`` is a name the user gave.
        campaign_id: 16 hex digits of the identity's hash; the journal and the ledger use it.
    """

    account: str
    what: str
    named: bool
    campaign_id: str

    @property
    def file_name(self) -> str:
        """The journal's file name (readable part, then the hash)."""
        readable = self.what if self.named else "campaign"
        readable = re.sub(r"[^\w.]+", "_", readable, flags=re.ASCII).strip("_.")[:48]
        return f"{readable or 'campaign'}-{self.campaign_id}.sqlite"

    def journal_path(self) -> Path:
        """The default journal: in the user data folder's ``journals/`` (created 0700)."""
        return data_path("journals") / self.file_name


def _what(content: Content) -> str:
    return "\n".join([content.func, content.template or "", content.digest,
                      content.extension or ""])


def campaign_identity(base_url: str, username: str, content: Content,
                      name: str | None = None) -> Identity:
    """The identity of a campaign of ``content`` (or named ``name``) on this account.

    A simulator on this machine is one account whatever its port (the built-in one gets a new
    port every time it starts).
    """
    parts = urlsplit(str(base_url).strip())
    if (parts.hostname or "") in _LOOPBACK and parts.port:
        base_url = urlunsplit(parts._replace(netloc=parts.hostname or ""))
    account = account_key(base_url, username)
    what = name.strip() if name else _what(content)
    digest = hashlib.sha256("\x1e".join(["miogram-campaign/2", account, "name" if name else
                                         "message", what]).encode("utf-8")).hexdigest()
    return Identity(account, what, bool(name), digest[:16])


def account_of(client: Any) -> tuple[str, str]:
    """The client's service address and user name (asked of the service: ``APIGetUsername``).

    A stand-in client without ``get_username`` (a test's fake) is the account ``""``.

    Raises:
        MioGramError: the service would not say (the caller says so in one sentence).
    """
    base_url = str(getattr(client, "base_url", "") or "")
    ask = getattr(client, "get_username", None)
    if not callable(ask):
        return base_url, ""
    name = ask()
    if name is not None and not isinstance(name, str):
        raise MioGramError(f"the service's user name is not text ({type(name).__name__})")
    return base_url, name or ""


def legacy_journal(plan: Plan, folder: str | os.PathLike[str] = LEGACY_JOURNAL_DIR
                   ) -> Path | None:
    """The journal the first format wrote for this sheet and message, if it is there."""
    path = Path(folder) / f"{plan.content_hash[:16]}.sqlite"
    return path if path.is_file() else None


def adopt_legacy(plan: Plan, path: Path) -> None:
    """Move a first-format journal of this sheet and message to ``path`` (folded into one
    file and migrated first), so the campaign continues there whatever the sheet becomes."""
    legacy = legacy_journal(plan)
    if legacy is None:
        return
    Journal(legacy).close()  # folds its -wal in and migrates it, in place
    shutil.move(str(legacy), str(path))
    os.chmod(path, 0o600)
    logger.warning("the journal %s of an earlier version was moved to %s, where this "
                   "campaign continues", legacy, path)
