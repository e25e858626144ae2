"""Plotting for anyone's data: one submodule per area, pure matplotlib/seaborn.

Every plot function takes ``lang`` ("en"/"zh") for its default texts and ``ax=None``
(a new figure is made when ``ax`` is None), returns the Axes, and never calls
``plt.show()``. Computation lives in the area modules (``crmlib.loss`` …);
plot functions only draw what they are given.

Every text a figure shows can be replaced with free text: ``title``, ``xlabel``,
``ylabel`` and, where the figure names series or categories, ``names`` (series or
category id -> text). Left out, a text is the figure's default label in ``lang``
(:func:`text_or_label`, :func:`series_name`), and a default that states a horizon,
window, level or sample size is computed from the data passed in.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["get_ax", "PALETTE", "SEABORN_THEME", "STYLE", "apply_style", "wrap_label", "weight", "money",
           "text_or_label", "series_name"]

#: Colour-blind-safe palette (Okabe & Ito 2008) used across the chapters.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


def get_ax(ax: Any = None, figsize: tuple[float, float] | None = None) -> Any:
    """Return ``ax`` or, when it is None, the Axes of a new figure.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
    figsize : tuple of float, optional
        Size of a new figure (inches).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=figsize)
    return new


#: The collection's theme as arguments of :func:`seaborn.set_theme` (``tools/write_style.py`` writes
#: what it sets into ``crmnb.mplstyle``; a test checks that the file still matches seaborn).
SEABORN_THEME: dict[str, Any] = {
    "context": "notebook", "style": "whitegrid", "palette": list(PALETTE), "font": "sans-serif",
    "rc": {
        "figure.figsize": (7.0, 4.2),
        "figure.dpi": 100,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#444444",
        "grid.alpha": 0.3,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "svg.hashsalt": "crm-notebooks",
        "svg.fonttype": "path",
        "image.cmap": "viridis",   # seaborn's "rocket" exists only once seaborn is imported
    },
}

#: The theme as a matplotlib style sheet; use it for your own figures with
#: ``matplotlib.style.use(crmlib.plotting.STYLE)``.
STYLE = Path(__file__).with_name("crmnb.mplstyle")


def apply_style(lang: str = "en") -> None:
    """Apply the collection's look (seaborn's whitegrid theme with our palette and sizes) and ``lang``'s fonts.

    This is the one call that changes matplotlib's global settings; :class:`crmbook.Chapter`
    offers it as ``ch.apply_style()``. The theme is read from :data:`STYLE`, the settings
    ``seaborn.set_theme(**SEABORN_THEME)`` makes, so a chapter that draws no seaborn plot
    does not pay for importing seaborn (about a second, most of it ``scipy.stats``).

    Parameters
    ----------
    lang : {"en", "zh"}
        Language of the figures (Chinese needs a CJK font, see :func:`crmlib.i18n.use_lang`).
    """
    import matplotlib.style

    from ..i18n import check_lang, use_lang

    check_lang(lang)
    matplotlib.style.use(str(STYLE))
    use_lang(lang)


def text_or_label(text: str | None, key: str | None, lang: str, **values: Any) -> str:
    """Use this free text, or else the default label: the one rule for every text a figure shows.

    A researcher passes their own words (``title="Expected purchases, next 17 weeks"``); left out
    (``None``), the text is the label ``key`` of the label tables in ``lang``, filled with ``values``
    (computed from the data, so a default never states a horizon or size the data do not have).
    The course passes its chapter texts the same way, as ``ch.t("…")``.

    Parameters
    ----------
    text : str or None
        The caller's text, used as it is (no placeholders filled); ``None`` for the default.
    key : str or None
        The default's label key (e.g. ``"loss.pareto_title"``); ``None`` where the figure shows
        nothing by default (an axis without a label): the default is then ``""``.
    lang : {"en", "zh"}
        Language of the default.
    **values
        Values for the default label's ``{placeholders}``.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        ``text`` is neither a string nor None.
    KeyError
        ``text`` is None and ``key`` is not a label (or a placeholder has no value).
    """
    if text is None:
        from ..i18n import t

        return "" if key is None else t(key, lang, **values)
    if not isinstance(text, str):
        raise TypeError(f"a figure text (title, xlabel, ylabel or a name) must be a string, or None for the "
                        f"default{f' label {key!r}' if key else ''}; got {type(text).__name__} {text!r}")
    return text


def series_name(key: Any, lang: str, names: Mapping[Any, str] | None, prefix: str) -> str:
    """The text naming one series or category of a figure (a legend entry, a tick, a box).

    ``names[key]`` when the caller gave one; else the label ``prefix + key`` when the label tables
    have it (the course's causes, stages, products …); else ``key`` itself, so that anyone's data
    (causes, items, scenarios with their own ids) draws without a label table.

    Parameters
    ----------
    key : object
        The series' or category's id as the data name it (``"price"``, ``"negotiation"``, ``3``).
    lang : {"en", "zh"}
        Language of a default label.
    names : mapping or None
        Id -> free text, from the plot function's ``names`` argument.
    prefix : str
        Label prefix of the default (``"loss.cause."``).

    Returns
    -------
    str

    Raises
    ------
    TypeError
        ``names`` is not a mapping, or its text for ``key`` is not a string.
    """
    if names is not None and not isinstance(names, Mapping):
        raise TypeError(f"names must be a mapping of series or category id -> text, got {type(names).__name__}")
    if names is not None and key in names:
        return text_or_label(names[key], prefix + str(key), lang)
    from ..i18n import has_label, t

    return t(prefix + str(key), lang) if has_label(prefix + str(key)) else str(key)


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef" \
        or "\u3000" <= ch <= "\u303f"


def wrap_label(text: str, width: int, zh_width: int | None = None) -> str:
    """Wrap a tick or box label over lines, never inside a word.

    Latin text breaks at spaces only (a word longer than ``width`` keeps its own line);
    Chinese, which has no spaces, breaks between characters every ``zh_width`` characters,
    but never before closing punctuation.

    Parameters
    ----------
    text : str
        The label.
    width : int
        Characters per line for Latin text.
    zh_width : int, optional
        Characters per line for Chinese text (default: half of ``width``).

    Returns
    -------
    str
    """
    import textwrap

    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive integer, got {width!r}")
    zw = max(1, width // 2) if zh_width is None else zh_width
    if not any(_is_cjk(c) for c in text):
        return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text
    # break after Chinese punctuation first, then cut long runs into lines of balanced length
    # (a 7-character term in lines of 6 would leave one character alone: "竞争对手的活 / 动")
    segments, cur = [], ""
    for c in text:
        cur += c
        if c in "，、；：。":
            segments.append(cur)
            cur = ""
    if cur:
        segments.append(cur)
    pieces = []
    for seg in segments:
        n = -(-len(seg) // zw)
        size = -(-len(seg) // n)
        pieces += [seg[i:i + size] for i in range(0, len(seg), size)]
    lines = []
    for piece in pieces:
        if lines and len(lines[-1]) + len(piece) <= zw:
            lines[-1] += piece
        else:
            lines.append(piece)
    return "\n".join(line.strip() for line in lines)


def weight(lang: str, bold: bool = True) -> str:
    """``"bold"`` where the language's font has a bold face (the bundled CJK font has none), else ``"normal"``.

    Parameters
    ----------
    lang : {"en", "zh"}
    bold : bool
        Whether bold is wanted at all.

    Returns
    -------
    str
    """
    import matplotlib as mpl

    if not bold:
        return "normal"
    return "bold" if lang == "en" or mpl.rcParams.get("axes.titleweight") == "bold" else "normal"


def money(value: float, lang: str = "en", *, compact: bool = False) -> str:
    """An amount in US dollars as figure text: :func:`crmlib.fmt.money` with the dollar sign escaped
    (matplotlib would read ``$…$`` as mathematics).

    Parameters
    ----------
    value : float
        The amount in US$.
    lang : {"en", "zh"}
    compact : bool
        English ``US$1.23 m`` / ``US$12.3 k`` (Chinese is compact already: ``12.3万美元``).

    Returns
    -------
    str
    """
    from ..fmt import money as _money

    return _money(value, lang, compact=compact).replace("$", r"\$")
