"""Figures that show themselves: a chart is a picture in Jupyter and Voila, no magic needed.

Charts are built with :class:`matplotlib.figure.Figure`, not ``pyplot`` (nothing is shown or kept
in pyplot's list of open figures). A plain ``Figure`` is drawn by Jupyter only after
``%matplotlib inline`` has run; otherwise the cell shows ``<Figure size 850x260 with 1 Axes>``.
:func:`new_figure` makes a Figure that also answers IPython's ``_repr_png_``, so a chart that
is a cell's value (or passed to ``display``) shows as a PNG in a notebook and in a Voila page,
with or without the magic.

matplotlib loads only when the first figure is made (``import miogram_toolkit`` stays quick).

Example:
    >>> fig = new_figure(figsize=(2, 1))
    >>> fig._repr_png_()[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

import io
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["new_figure", "png_bytes"]


def png_bytes(fig: Any, dpi: int = 96) -> bytes:
    """The figure as PNG bytes (cut to its drawn area).

    Example:
        >>> png_bytes(new_figure(figsize=(1, 1)))[1:4]
        b'PNG'
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


@cache
def _figure_class() -> type[Figure]:
    from matplotlib.figure import Figure

    class ReportFigure(Figure):
        """A matplotlib Figure that Jupyter and Voila draw as a PNG without a magic."""

        def _repr_png_(self) -> bytes:
            return png_bytes(self)

    return ReportFigure


def new_figure(**options: Any) -> Figure:
    """A new figure (``matplotlib.figure.Figure`` options) that displays itself as a PNG."""
    return _figure_class()(**options)
