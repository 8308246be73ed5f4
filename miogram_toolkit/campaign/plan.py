"""The plan: every input row with its number, its rendered message, its skip reason and chunk.

Built offline (no request): the frame is cleaned when it is not already (``e164`` and
``phone_status`` columns), suppression decides who is skipped (:mod:`.suppression`), the
template is rendered per row (:mod:`.templates`), and the rows to send are cut into chunks —
rows whose rendered text is the same share chunks, in the order they first appear, at most
``chunk_size`` numbers each (one Mass request per chunk).

Rows are named for people by their **sheet row** (the row number the spreadsheet shows: the
header's row from ``frame.attrs["header_row"]``, 1 when absent, plus the row's position plus
one), so a duplicate says ``duplicate_of:<sheet row>``. The journal keys rows by their number
(``e164``); the plan's ``content_hash`` is only the name journals of the first format were
given (``miogram_journals/<hash>.sqlite``), kept so that they are still found.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"mobile": ["0912 100 0001", "0912 100 0002", "0912 100 0001"],
    ...                       "name": ["Ali", "Sara", "Ali again"]})
    >>> plan = build_plan(frame, Content.text("Hi {name}"), chunk_size=40)
    >>> plan.rows["reason"].tolist()
    [<NA>, <NA>, 'duplicate_of:2']
    >>> plan.rows["sheet_row"].tolist()
    [2, 3, 4]
    >>> plan.rows["chunk"].tolist()
    [1, 2, <NA>]
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from miogram_toolkit.campaign.suppression import OptOut, opt_out_numbers, skip_reasons
from miogram_toolkit.campaign.templates import render
from miogram_toolkit.phones import clean_phones
from miogram_toolkit.protocol.catalogue import ACTIONS, Action
from miogram_toolkit.protocol.encode import extension_field, message_bytes
from miogram_toolkit.sheets import find_phone_column

__all__ = ["DEFAULT_CHUNK", "MAX_CHUNK", "Content", "Plan", "build_plan", "chunk_numbers",
           "sheet_rows"]

#: Numbers per Mass request by default: what the service's publisher uses in its own sender.
DEFAULT_CHUNK = 40
#: The most numbers per Mass request (the document's advice; WhatsApp, which answers at once —
#: requests the gateway paces are held to fewer by the campaign's settings).
MAX_CHUNK = 100

_MEDIA_FUNCS = {"photo": "SendPhotoMass", "video": "SendVideoMass", "file": "SendFileMass"}


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

    @classmethod
    def of(cls, message: str | None = None, *, photo: Any = None, video: Any = None,
           file: Any = None, whatsapp: bool = False) -> Content:
        """The content of a campaign from its arguments: a text, or exactly one file.

        Raises:
            ValueError: no message, several files, a text with a file, a file over WhatsApp.
        """
        media = {k: v for k, v in (("photo", photo), ("video", video), ("file", file))
                 if v is not None}
        if len(media) > 1:
            raise ValueError("photo, video, file: give at most one file to send")
        if media:
            if message is not None:
                raise ValueError("message: a photo, video or file Mass send carries no text; "
                                 "send the text as a campaign of its own")
            if whatsapp:
                raise ValueError("whatsapp: only text is sent over WhatsApp")
            (kind, value), = media.items()
            return cls.media(kind, value)
        if message is None:
            raise ValueError("message: give the text to send (or a photo, video or file)")
        return cls.text(message, whatsapp=whatsapp)

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
        rows: one row per input row, by position (0..n-1): ``label`` (the input's index label,
            as text), ``sheet_row`` (the row number the spreadsheet shows), ``e164``,
            ``text_id``, ``text`` (rendered; ``<NA>`` for files and skipped rows), ``bytes``,
            ``reason`` (skip reason or ``<NA>``), ``chunk`` (or ``<NA>``).
        texts: the distinct rendered texts by ``text_id`` (``[None]`` for a file).
        index: the input's index.
        content: what is sent.
        content_hash: the name of this campaign's journal in the first format.
        chunk_size: numbers per request.
    """

    rows: pd.DataFrame
    texts: list[str | None]
    index: pd.Index
    content: Content
    content_hash: str
    chunk_size: int = DEFAULT_CHUNK

    @property
    def sendable(self) -> pd.DataFrame:
        return self.rows[self.rows["reason"].isna()]

    def with_skips(self, reasons: dict[str, str]) -> Plan:
        """The same plan with the rows of these numbers skipped (``{e164: reason}``), the rest
        chunked again. Rows skipped already keep their reason.

        Example:
            >>> import pandas as pd
            >>> plan = build_plan(pd.DataFrame({"mobile": ["09121000001", "09121000002"]}),
            ...                   Content.text("Hi"))
            >>> plan.with_skips({"+989121000001": "recently_messaged"}).rows["reason"].tolist()
            ['recently_messaged', <NA>]
        """
        if not reasons:
            return self
        rows = self.rows.copy()
        extra = rows["e164"].map(reasons).astype("string")
        rows["reason"] = rows["reason"].fillna(extra.where(rows["reason"].isna()))
        rows["text"] = rows["text"].where(rows["reason"].isna())
        rows["text_id"] = rows["text_id"].where(rows["reason"].isna())
        rows["chunk"] = _chunked(rows["text_id"], rows["reason"], self.chunk_size)
        return replace(self, rows=rows)


def _cleaned(frame: pd.DataFrame, column: str | None, region: str) -> pd.DataFrame:
    if "e164" in frame.columns and "phone_status" in frame.columns and column is None:
        return frame
    if column is None:
        column = frame.attrs.get("phone_column") or find_phone_column(frame)
    return clean_phones(frame, column, region)


def sheet_rows(frame: pd.DataFrame) -> pd.Series:
    """The row number the spreadsheet shows for each row of ``frame``, by position.

    The header's row is ``frame.attrs["header_row"]`` (1-based, as the sheet readers record
    it; 1 when absent), and the rows follow it.

    Example:
        >>> frame = pd.DataFrame({"mobile": ["a", "b"]})
        >>> frame.attrs["header_row"] = 4
        >>> sheet_rows(frame).tolist()
        [5, 6]
    """
    header = frame.attrs.get("header_row") or 1
    return pd.Series(range(int(header) + 1, int(header) + 1 + len(frame)), dtype="int64")


def chunk_numbers(text_ids: pd.Series, chunk_size: int) -> pd.Series:
    """Chunk numbers (1..) for the rows to send: same text together, first appearance order.

    Example:
        >>> chunk_numbers(pd.Series([0, 1, 0, 0]), 2).tolist()
        [1, 3, 1, 2]
    """
    codes = pd.Series(pd.factorize(text_ids.to_numpy())[0], index=text_ids.index)
    within = codes.groupby(codes).cumcount() // chunk_size
    per_text = within.groupby(codes).max() + 1
    offsets = per_text.cumsum() - per_text
    return (codes.map(offsets) + within + 1).astype("int64")


def _chunked(text_ids: pd.Series, reasons: pd.Series, chunk_size: int) -> pd.Series:
    send = reasons.isna()
    chunks = pd.Series(pd.NA, index=text_ids.index, dtype="Int64")
    if send.any():
        chunks[send] = chunk_numbers(text_ids[send].astype("int64"), chunk_size)
    return chunks


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
    rows_shown = sheet_rows(frame)
    e164 = cleaned["e164"].astype("string").reset_index(drop=True)
    reasons = skip_reasons(e164, cleaned["phone_status"], opt_out_numbers(opt_out, region),
                           pd.Index(rows_shown))
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
    rows = pd.DataFrame({
        "label": [str(v) for v in cleaned.index], "sheet_row": rows_shown,
        "e164": e164, "text_id": text_ids, "text": rendered.astype("string"), "bytes": sizes,
        "reason": reasons, "chunk": _chunked(text_ids, reasons, chunk_size),
    }, index=positions)
    # Suppression is left out of the hash: a longer opt-out list may be applied on resume.
    return Plan(rows, texts, cleaned.index, content, _content_hash(content, e164, full),
                chunk_size)


def _content_hash(content: Content, e164: pd.Series, rendered: pd.Series) -> str:
    # The first journal format's name for a campaign: kept only to find such journals.
    digest = hashlib.sha256()
    head = f"miogram-campaign/1\n{content.func}\n{content.digest}\n{content.extension or ''}\n"
    digest.update(head.encode("utf-8"))
    digest.update((content.template or "").encode("utf-8") + b"\x00")
    numbers = e164.fillna("").astype(str).tolist()
    texts = rendered.fillna("").astype(str).tolist()
    digest.update("\x1e".join(f"{n}\x1f{t}" for n, t in zip(numbers, texts, strict=True))
                  .encode("utf-8"))
    return digest.hexdigest()
