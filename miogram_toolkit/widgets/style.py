"""The page's look for Persian text: inputs that follow the text's direction, a readable font.

ipywidgets has no ``dir="auto"``; the same effect comes from CSS. A widget marked with
:func:`rtl` gets the class ``mg-rtl``, and the page's style sheet (:func:`page_style`, shown
once at the top of the dashboard) gives its text box ``unicode-bidi: plaintext``: each line
takes the direction of its first strong letter, so ``سلام {name} عزیز!`` reads right to left
and an English line stays left to right, in one box. A proportional font with Persian letters
replaces the monospace one. The HTML the dashboard writes (tables, the preview) carries
``dir="auto"`` itself.

Example:
    >>> import ipywidgets as w
    >>> box = rtl(w.Textarea())
    >>> box._dom_classes
    ('mg-rtl',)
    >>> "unicode-bidi: plaintext" in page_style().value
    True
"""

from __future__ import annotations

from typing import Any, TypeVar

from miogram_toolkit.widgets.common import widgets

__all__ = ["FONT", "page_style", "rtl"]

#: Fonts with Persian letters, the first one found wins.
FONT = "Vazirmatn, 'Noto Sans Arabic', Tahoma, 'Segoe UI', 'DejaVu Sans', sans-serif"

_CSS = f"""
<style>
.mg-rtl textarea, .mg-rtl input {{
  unicode-bidi: plaintext;
  text-align: start;
  font-family: {FONT};
  font-size: 15px;
  line-height: 1.6;
}}
.mg-message, .mg-table td {{ unicode-bidi: plaintext; text-align: start; }}
.mg-message {{ font-family: {FONT}; white-space: pre-wrap; padding: 4px 10px;
  border-bottom: 1px solid #e3e6ea; }}
.mg-preview {{ border-collapse: collapse; font-size: 14px; max-width: 760px; }}
.mg-jalali {{ color: #555; font-family: {FONT}; margin: 0 8px; }}
</style>
"""

W = TypeVar("W")


def rtl(widget: W) -> W:
    """Mark a text widget so its text takes its own direction (see the module docstring)."""
    widget.add_class("mg-rtl")  # type: ignore[attr-defined]
    return widget


def page_style() -> Any:
    """An HTML widget holding the dashboard's style sheet (it shows nothing itself)."""
    return widgets().HTML(_CSS, layout={"height": "0px", "margin": "0px"})
