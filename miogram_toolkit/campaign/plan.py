"""The plan: every input row with its number, its rendered message, its skip reason and chunk.

Built offline (no request): the frame is cleaned when it is not already (``e164`` and
``phone_status`` columns), suppression decides who is skipped (:mod:`.suppression`), the
template is rendered per row (:mod:`.templates`), and the rows to send are cut into chunks —
rows whose rendered text is the same share chunks, in the order they first appear, at most
``chunk_size`` numbers each (one Mass request per chunk).

The plan's content hash covers what a resumed campaign must not change: the action, the message
template, the file's bytes, and every row's number and rendered text, in order. A journal whose
hash differs belongs to another campaign.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"mobile": ["0912 100 0001", "0912 100 0002", "0912 100 0001"],
    ...                       "name": ["Ali", "Sara", "Ali again"]})
    >>> plan = build_plan(frame, Content.text("Hi {name}"), chunk_size=40)
    >>> plan.rows["reason"].tolist()
    [<NA>, <NA>, 'duplicate_of:0']
    >>> plan.rows["chunk"].tolist()
    [1, 2, <NA>]
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.campaign.suppression import OptOut, opt_out_numbers, skip_reasons
from miogram_toolkit.campaign.templates import render
from miogram_toolkit.phones import clean_phones
from miogram_toolkit.protocol.catalogue import ACTIONS, Action
from miogram_toolkit.protocol.encode import extension_field
from miogram_toolkit.sheets import find_phone_column

__all__ = ["DEFAULT_CHUNK", "MAX_CHUNK", "Content", "Plan", "build_plan", "message_bytes"]

#: Numbers per Mass request by default: what the service's publisher uses in its own sender.
DEFAULT_CHUNK = 40
#: The most numbers per Mass request (the document's advice).
MAX_CHUNK = 100

_MEDIA_FUNCS = {"photo": "SendPhotoMass", "video": "SendVideoMass", "file": "SendFileMass"}


def message_bytes(text: str, ad: str | None = None) -> int:
    """The length the service checks against its ``Message`` limit: UTF-8 bytes, ad included.

    The service appends the account's ad as ``"\\n" + ad`` before it measures.

    Example:
        >>> message_bytes("سلام"), message_bytes("Hi", ad="Sent by MioGram")
        (8, 18)
    """
    try:  # the protocol's own measure, where it has one
        from miogram_toolkit.protocol import encode

        measure = getattr(encode, "message_bytes", None)
        if measure is not None:
            return int(measure(text, ad))
    except (ImportError, TypeError):  # pragma: no cover - older protocol module
        pass
    size = len(text.encode("utf-8"))
    return size + (len(("\n" + ad).encode("utf-8")) if ad else 0)


@dataclass(frozen=True)
class Content:
    """What every recipient gets: a text template, or one file, over Telegram or WhatsApp.

    Use :meth:`text` or :meth:`media` to build one.
    """

    kind: str
    template: str | None
    data: bytes | None = None
    extension: str | None = None
    whatsapp: bool = False

    @classmethod
    def text(cls, template: str, *, whatsapp: bool = False) -> Content:
        """A text message; ``{column}`` placeholders are filled per row."""
        if not isinstance(template, str) or not template.strip():
            raise ValueError("message: the text is empty; give the message to send")
        return cls("text", template, whatsapp=whatsapp)

    @classmethod
    def media(cls, kind: str, file: str | os.PathLike[str] | bytes,
              extension: str | None = None) -> Content:
        """A photo, video or file read once from a path (or given as bytes with extension)."""
        if isinstance(file, bytes | bytearray):
            if extension is None:
                raise ValueError(f"{kind}: given as bytes, so extension= is needed")
            data = bytes(file)
        else:
            path = Path(file)
            if not path.is_file():
                raise FileNotFoundError(f"{kind}: no file at {str(path)!r}")
            data = path.read_bytes()
            extension = extension or path.suffix[1:]
            if not extension:
                raise ValueError(f"{kind}: {path.name!r} has no extension; pass extension=")
        if not data:
            raise ValueError(f"{kind}: the file is empty")
        return cls(kind, None, data, extension_field(extension))

    @property
    def func(self) -> str:
        if self.kind == "text":
            return "SendMessageWhatsAppMass" if self.whatsapp else "SendMessageMass"
        return _MEDIA_FUNCS[self.kind]

    @property
    def action(self) -> Action:
        return ACTIONS[self.func]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest() if self.data is not None else ""


@dataclass
class Plan:
    """The offline plan.

    Attributes:
        rows: one row per input row, by position (0..n-1): ``label`` (the input's index label),
            ``e164``, ``text_id``, ``text`` (rendered; ``<NA>`` for files and skipped rows),
            ``bytes``, ``reason`` (skip reason or ``<NA>``), ``chunk`` (or ``<NA>``).
        texts: the distinct rendered texts by ``text_id`` (``[None]`` for a file).
        index: the input's index.
        content: what is sent.
        content_hash: identifies the campaign (see the module docstring).
    """

    rows: pd.DataFrame
    texts: list[str | None]
    index: pd.Index
    content: Content
    content_hash: str

    @property
    def sendable(self) -> pd.DataFrame:
        return self.rows[self.rows["reason"].isna()]


def _cleaned(frame: pd.DataFrame, column: str | None, region: str) -> pd.DataFrame:
    if "e164" in frame.columns and "phone_status" in frame.columns and column is None:
        return frame
    if column is None:
        column = frame.attrs.get("phone_column") or find_phone_column(frame)
    return clean_phones(frame, column, region)


def _chunks(text_ids: pd.Series, chunk_size: int) -> pd.Series:
    """Chunk numbers (1..) for the rows to send: same text together, first appearance order."""
    codes = pd.Series(pd.factorize(text_ids.to_numpy())[0], index=text_ids.index)
    within = codes.groupby(codes).cumcount() // chunk_size
    per_text = within.groupby(codes).max() + 1
    offsets = per_text.cumsum() - per_text
    return (codes.map(offsets) + within + 1).astype("int64")


def build_plan(frame: pd.DataFrame, content: Content, *, column: str | None = None,
               opt_out: OptOut | None = None, chunk_size: int = DEFAULT_CHUNK,
               region: str = "IR") -> Plan:
    """Clean, suppress, render and chunk ``frame`` (see the module docstring).

    Raises:
        ValueError: a bad chunk size, a placeholder naming no column, an empty frame.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame: a pandas DataFrame is needed, got {type(frame).__name__}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) \
            or not 1 <= chunk_size <= MAX_CHUNK:
        raise ValueError(f"chunk_size: must be a whole number from 1 to {MAX_CHUNK} (the "
                         f"document's advice), got {chunk_size!r}")
    if len(frame) == 0:
        raise ValueError("frame: it has no rows, so there is nobody to send to")
    cleaned = _cleaned(frame, column, region)
    positions = pd.RangeIndex(len(cleaned))
    e164 = cleaned["e164"].astype("string").reset_index(drop=True)
    reasons = skip_reasons(e164, cleaned["phone_status"], opt_out_numbers(opt_out, region),
                           cleaned.index)
    if content.kind == "text":
        assert content.template is not None
        full, missing = render(content.template, cleaned)
        full = full.reset_index(drop=True)
        missing = missing.reset_index(drop=True)
        reasons = reasons.mask(reasons.isna() & missing.notna(), "missing_value:" + missing)
        rendered = full.mask(reasons.notna())
        texts = list(pd.unique(rendered.dropna().to_numpy()))
        text_ids = rendered.map({t: i for i, t in enumerate(texts)}).astype("Int64")
        sizes = rendered.map({t: message_bytes(t) for t in texts}).astype("Int64")
    else:
        texts = [None]
        rendered = full = pd.Series(pd.NA, index=positions, dtype="string")
        text_ids = pd.Series(0, index=positions, dtype="Int64").mask(reasons.notna())
        sizes = pd.Series(len(content.data or b""), index=positions, dtype="Int64")
    send = reasons.isna()
    chunks = pd.Series(pd.NA, index=positions, dtype="Int64")
    if send.any():
        chunks[send] = _chunks(text_ids[send].astype("int64"), chunk_size)
    rows = pd.DataFrame({
        "label": [_label_text(v) for v in cleaned.index],
        "e164": e164, "text_id": text_ids, "text": rendered.astype("string"), "bytes": sizes,
        "reason": reasons, "chunk": chunks,
    }, index=positions)
    # Suppression is left out of the hash: a longer opt-out list may be applied on resume.
    return Plan(rows, texts, cleaned.index, content, _content_hash(content, e164, full))


def _label_text(value: Any) -> str:
    return str(value)


def _content_hash(content: Content, e164: pd.Series, rendered: pd.Series) -> str:
    digest = hashlib.sha256()
    head = f"miogram-campaign/1\n{content.func}\n{content.digest}\n{content.extension or ''}\n"
    digest.update(head.encode("utf-8"))
    digest.update((content.template or "").encode("utf-8") + b"\x00")
    numbers = e164.fillna("").astype(str).tolist()
    texts = rendered.fillna("").astype(str).tolist()
    digest.update("\x1e".join(f"{n}\x1f{t}" for n, t in zip(numbers, texts, strict=True))
                  .encode("utf-8"))
    return digest.hexdigest()
