"""How the book writes a figure: PNG resolution and compression, the tight box shared by PNG and SVG,
and the measurements and slide variants the instructor's decks need.

A deck shows a figure inside :data:`DECK_BOX_PX` of a 1280 × 720 slide; every text
of it must then be at least :data:`DECK_MIN_TEXT_PX` high (legible from the back of a
lecture room). :func:`text_px` says how large the smallest text of a saved figure is
there, and :func:`deck_variants` draws what the deck shows instead when it is too small:
one image per panel of a multi-panel figure, and text below the minimum enlarged.
"""
from __future__ import annotations

import io
import struct
from typing import Any

__all__ = ["PNG_DPI", "PNG_OPTIONS", "DECK_BOX_PX", "DECK_MIN_TEXT_PX", "tight_bbox", "png_size",
           "min_font_pt", "deck_scale", "text_px", "panels", "deck_variants", "save_png"]

#: Resolution of every saved PNG.
PNG_DPI = 150
#: zlib level 3 instead of Pillow's 6: a third less time encoding for files about 10 % larger.
PNG_OPTIONS = {"compress_level": 3}
#: Width and height (CSS px of a 1280 × 720 slide) a deck gives a figure; the rest holds its caption.
DECK_BOX_PX = (1240, 640)
#: The smallest text height (px on a 1280 × 720 slide) a deck may show in a figure.
DECK_MIN_TEXT_PX = 18.0


def tight_bbox(fig: Any, dpi: float) -> Any:
    """The padded tight bounding box of ``fig`` in inches, as ``savefig(bbox_inches="tight")`` finds it.

    ``savefig`` finds it with a dry draw of the whole figure before the real draw, and
    does so again for every file written. Without a layout engine nothing moves at draw
    time, so the box can be measured straight from a renderer at the output ``dpi`` (the
    same text extents, hence the same box) and shared by the PNG and the SVG: three passes
    over the figure instead of four, and the same PNG. Figures with a layout engine keep
    ``"tight"`` (their layout is only applied by a draw).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : float
        Resolution the box is measured at (that of the PNG).

    Returns
    -------
    matplotlib.transforms.Bbox or str
        The box padded by ``savefig.pad_inches``, or ``"tight"``.
    """
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.get_layout_engine() is not None:
        return "tight"
    old_canvas, old_dpi = fig.canvas, fig.dpi
    try:
        fig.dpi = dpi
        box = fig.get_tightbbox(FigureCanvasAgg(fig).get_renderer())
    finally:
        fig.dpi = old_dpi
        fig.set_canvas(old_canvas)
    return box.padded(mpl.rcParams["savefig.pad_inches"])


def save_png(fig: Any, dpi: float = PNG_DPI) -> bytes:
    """The PNG of ``fig`` at ``dpi`` in its padded tight box (how the book saves every PNG).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : float

    Returns
    -------
    bytes
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches=tight_bbox(fig, dpi), metadata={"Software": None},
                pil_kwargs=PNG_OPTIONS)
    return buf.getvalue()


def png_size(png: bytes, dpi: float = PNG_DPI) -> tuple[float, float]:
    """Width and height in inches of a PNG written at ``dpi``.

    Parameters
    ----------
    png : bytes
        The file's bytes.
    dpi : float

    Returns
    -------
    (float, float)
    """
    if not isinstance(png, (bytes, bytearray)) or png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("png must be the bytes of a PNG file")
    w, h = struct.unpack(">II", png[16:24])
    return w / dpi, h / dpi


def _texts(fig: Any) -> list[Any]:
    """Every text of ``fig`` that is drawn: visible and not empty, in a visible axes or on the figure."""
    from matplotlib.text import Text

    owners = [ax for ax in fig.axes if ax.get_visible()]
    owners += [a for a in (*fig.texts, *fig.legends) if a.get_visible()]
    out: dict[int, Any] = {}
    for owner in owners:
        out.update((id(t), t) for t in owner.findobj(Text) if t.get_visible() and t.get_text().strip())
    return list(out.values())


def min_font_pt(fig: Any) -> float | None:
    """The smallest font size (points) of any text drawn in ``fig``; None if it has no text.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    float or None
    """
    sizes = [float(t.get_fontsize()) for t in _texts(fig)]
    return min(sizes) if sizes else None


def deck_scale(width_in: float, height_in: float, box: tuple[float, float] = DECK_BOX_PX) -> float:
    """Pixels per inch at which a deck shows a figure of this size: as large as ``box`` allows.

    Parameters
    ----------
    width_in, height_in : float
        The saved figure's size in inches (positive).
    box : (float, float)
        Width and height available on the slide, in px.

    Returns
    -------
    float
    """
    if not (width_in > 0 and height_in > 0):
        raise ValueError(f"width_in and height_in must be positive, got {width_in} and {height_in}")
    return min(box[0] / width_in, box[1] / height_in)


def text_px(min_pt: float, width_in: float, height_in: float, box: tuple[float, float] = DECK_BOX_PX) -> float:
    """Height in slide px of a ``min_pt`` text in a figure shown as large as ``box`` allows.

    Parameters
    ----------
    min_pt : float
        Font size in points.
    width_in, height_in : float
        The saved figure's size in inches.
    box : (float, float)

    Returns
    -------
    float
        ``min_pt × scale / 72`` with ``scale`` from :func:`deck_scale`.
    """
    return float(min_pt) * deck_scale(width_in, height_in, box) / 72.0


def _overlap(a: Any, b: Any) -> float:
    """Share of the smaller of two figure-coordinate boxes that the other covers."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / max(min(a.width * a.height, b.width * b.height), 1e-12)


def panels(fig: Any) -> list[list[Any]]:
    """The panels of ``fig``: groups of visible axes drawn as one picture.

    Axes on top of one another (twin axes, insets) form one panel, and a colorbar
    belongs to the panel of the image it explains (else to the nearest panel).

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    list of list of matplotlib.axes.Axes
        In the figure's order of axes; one group for a single-panel figure.
    """
    axes = [ax for ax in fig.axes if ax.get_visible()]
    bars = [ax for ax in axes if getattr(ax, "_colorbar", None) is not None]
    groups: list[list[Any]] = []
    for ax in (a for a in axes if a not in bars):
        pos = ax.get_position()
        home = next((g for g in groups if any(_overlap(pos, o.get_position()) > 0.5 for o in g)), None)
        if home is None:
            groups.append([ax])
        else:
            home.append(ax)
    for bar in bars:
        owner = getattr(getattr(bar._colorbar, "mappable", None), "axes", None)
        home = next((g for g in groups if owner in g), None)
        if home is None and groups:
            c = bar.get_position()

            def gap(g: list[Any]) -> float:
                p = g[0].get_position()
                return abs((p.x0 + p.x1) / 2 - (c.x0 + c.x1) / 2) + abs((p.y0 + p.y1) / 2 - (c.y0 + c.y1) / 2)

            home = min(groups, key=gap)
        if home is None:
            groups.append([bar])
        else:
            home.append(bar)
    return groups


def _enlarge(fig: Any, size_in: tuple[float, float]) -> bool:
    """Raise every text of ``fig`` below the size a deck needs at ``size_in`` to a little above it
    (enlarging text also enlarges the box); False when nothing was too small."""
    low = min_font_pt(fig)
    need = DECK_MIN_TEXT_PX * 72.0 / deck_scale(*size_in)
    if low is None or low >= need - 1e-6:
        return False
    target = need * 1.05
    for text in _texts(fig):
        if text.get_fontsize() < target:
            text.set_fontsize(target)
    return True


def _legible_png(fig: Any, dpi: float, size_in: tuple[float, float] | None = None) -> tuple[bytes, float | None]:
    """The PNG of ``fig`` with its small texts enlarged until the deck shows them at
    :data:`DECK_MIN_TEXT_PX`; ``size_in`` is the figure's size as saved, when it is known."""
    png = None
    if size_in is None:
        png = save_png(fig, dpi)
        size_in = png_size(png, dpi)
    for _ in range(4):
        if not _enlarge(fig, size_in):
            break
        png = save_png(fig, dpi)
        size_in = png_size(png, dpi)
    return (png if png is not None else save_png(fig, dpi)), min_font_pt(fig)


def deck_variants(fig: Any, size_in: tuple[float, float], dpi: float = PNG_DPI) -> list[tuple[bytes, float | None]]:
    """What a deck shows instead of ``fig`` when its text would be too small on a slide.

    A figure whose smallest text :func:`text_px` finds at least :data:`DECK_MIN_TEXT_PX`
    needs none (``[]``). Otherwise a multi-panel figure is drawn once per panel (the other
    panels and the figure's own texts hidden), and in each image every text below the size
    the deck needs is enlarged to it. Call it after the figure's own files are written: it
    changes the figure's font sizes and restores only the visibility of what it hid.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    size_in : (float, float)
        Width and height in inches of the figure as saved (:func:`png_size` of its PNG).
    dpi : float
        Resolution of the PNGs.

    Returns
    -------
    list of (bytes, float or None)
        Each variant's PNG and its smallest font size in points.
    """
    low = min_font_pt(fig)
    if low is None or text_px(low, *size_in) >= DECK_MIN_TEXT_PX - 1e-6:
        return []
    groups = panels(fig)
    if len(groups) < 2:
        return [_legible_png(fig, dpi, size_in)]
    own = [a for a in (*fig.texts, *fig.legends) if a.get_visible()]
    out = []
    try:
        for a in own:
            a.set_visible(False)
        for i in range(len(groups)):
            for j, other in enumerate(groups):
                for ax in other:
                    ax.set_visible(j == i)
            out.append(_legible_png(fig, dpi))
    finally:
        for group in groups:
            for ax in group:
                ax.set_visible(True)
        for a in own:
            a.set_visible(True)
    return out
