"""Figures of chapter 01, "What CRM is". Computation lives in :mod:`crmlib.concepts`.

The timeline, the six stages and the market cycle are diagrams (plain matplotlib patches and
text: seaborn has no idiom for them); the MAN close rates are seaborn's categorical ``barplot``.
Every function takes ``lang``, ``ax`` and free ``title``, ``xlabel``, ``ylabel`` and ``names``
(category id -> text) as keyword-only arguments and returns the Axes.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..concepts import MARKET_CYCLE, SIX_STAGES
from ..i18n import t
from . import PALETTE, get_ax, series_name, text_or_label, weight, wrap_label

__all__ = ["timeline_chart", "stages_chart", "cycle_chart", "man_chart"]


def _clean(ax: Any, xlabel: str | None, ylabel: str | None) -> None:
    """A diagram: no grid, spines or ticks; axis labels only when the caller gives them."""
    ax.grid(False)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(text_or_label(xlabel, None, "en"))
    ax.set_ylabel(text_or_label(ylabel, None, "en"))


def timeline_chart(history: pd.DataFrame, *, title: str | None = None, xlabel: str | None = None,
                   ylabel: str | None = None, names: Mapping[Any, str] | None = None, lang: str = "en",
                   ax: Any = None) -> Any:
    """The eras of CRM on a time axis.

    Parameters
    ----------
    history : DataFrame
        The ``crm_history`` dataset: ``era``, ``year``, ``year_is_approximate``.
    title, xlabel, ylabel : str, optional
        Free text (default: the label ``concepts.timeline_title``; no axis labels).
    names : mapping, optional
        Text of the eras by id.
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw (a new figure when None).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 2.8))
    h = history.sort_values("year")
    years = h["year"].to_numpy()
    lo, hi = int(years.min()) - 3, int(years.max()) + 4
    ax.annotate("", xy=(hi, 0), xytext=(lo, 0), arrowprops=dict(arrowstyle="->", color="grey", lw=1.5))
    for i, (_, r) in enumerate(h.iterrows()):
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(r["year"], 0, "o", ms=12, color=colour, zorder=3)
        year = int(r["year"])
        when = (t("concepts.early_decade", lang, decade=year, century=year // 100 + 1, short=year % 100)
                if r["year_is_approximate"] else str(year))
        up = 1 if i % 2 == 0 else -1
        era = wrap_label(series_name(r["era"], lang, names, "concepts.era."), 18, 30)
        ax.text(r["year"], 0.35 * up, f"{when}\n{era}",
                ha="center", va="bottom" if up > 0 else "top", fontsize=10, color=colour, fontweight=weight(lang))
    ax.set_xlim(lo - 1, hi + 1)
    ax.set_ylim(-1.3, 1.3)
    _clean(ax, xlabel, ylabel)
    ax.set_title(text_or_label(title, "concepts.timeline_title", lang))
    return ax


def stages_chart(stage: int | None = None, *, title: str | None = None, xlabel: str | None = None,
                 ylabel: str | None = None, names: Mapping[Any, str] | None = None, lang: str = "en",
                 ax: Any = None) -> Any:
    """The six stages as boxes along an arrow.

    Parameters
    ----------
    stage : int, optional
        0–5: highlights where a firm stands (:func:`crmlib.concepts.classify_stage`).
    title, xlabel, ylabel : str, optional
        Free text (default: the label ``concepts.stages_title``; no axis labels).
    names : mapping, optional
        Text of the stages by id (:data:`crmlib.concepts.SIX_STAGES`), of the marker
        (``"your_firm"``) and of the arrow's ends (``"product_end"``, ``"customer_end"``).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.patches import FancyBboxPatch

    ax = get_ax(ax, (11.5, 3.2))
    n = len(SIX_STAGES)
    from matplotlib import colormaps

    cmap = colormaps["Blues"]
    for i, key in enumerate(SIX_STAGES):
        chosen = stage == i
        ax.add_patch(FancyBboxPatch((i + 0.06, 0.1), 0.88, 0.8, boxstyle="round,pad=0.02",
                                    facecolor=cmap(0.5 + 0.45 * i / (n - 1)),
                                    edgecolor=PALETTE[3] if chosen else "white", lw=3 if chosen else 1))
        ax.text(i + 0.5, 0.72, t("concepts.stage_n", lang, n=i), ha="center", va="center", fontsize=9.5,
                color="white", fontweight=weight(lang))
        ax.text(i + 0.5, 0.4, wrap_label(series_name(key, lang, names, "concepts.stage."), 14, 8), ha="center",
                va="center", fontsize=9, color="white")
        if chosen:
            ax.annotate(series_name("your_firm", lang, names, "concepts."), xy=(i + 0.5, 0.92), xytext=(i + 0.5, 1.35),
                        ha="center",
                        fontsize=10, fontweight=weight(lang), color=PALETTE[3],
                        arrowprops=dict(arrowstyle="->", lw=1.5, color=PALETTE[3]))
    ax.annotate("", xy=(n, -0.15), xytext=(0, -0.15), arrowprops=dict(arrowstyle="->", color="grey", lw=1.5))
    ax.text(0, -0.3, series_name("product_end", lang, names, "concepts."), ha="left", va="top", fontsize=9,
            color="dimgrey")
    ax.text(n, -0.3, series_name("customer_end", lang, names, "concepts."), ha="right", va="top", fontsize=9,
            color="dimgrey")
    ax.set_xlim(-0.05, n + 0.05)
    ax.set_ylim(-0.6, 1.6)
    _clean(ax, xlabel, ylabel)
    ax.set_title(text_or_label(title, "concepts.stages_title", lang))
    return ax


def cycle_chart(*, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                names: Mapping[Any, str] | None = None, lang: str = "en", ax: Any = None) -> Any:
    """The market-expansion cycle: find → close → keep, and round again, with CRM at the centre.

    Parameters
    ----------
    title, xlabel, ylabel : str, optional
        Free text (default: the label ``concepts.cycle_title``; no axis labels).
    names : mapping, optional
        Text of the steps by id (:data:`crmlib.concepts.MARKET_CYCLE`) and of the centre (``"centre"``).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.patches import Circle, FancyArrowPatch

    ax = get_ax(ax, (5.5, 5.0))
    n = len(MARKET_CYCLE)
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    pos = np.c_[np.cos(angles), np.sin(angles)]
    for i, key in enumerate(MARKET_CYCLE):
        ax.add_patch(Circle(pos[i], 0.5, facecolor=PALETTE[i], alpha=0.9, zorder=2))
        ax.text(*pos[i], f"{i + 1}\n{wrap_label(series_name(key, lang, names, 'concepts.cycle.'), 11, 4)}", ha="center",
                va="center", fontsize=9, color="white", fontweight=weight(lang), zorder=3)
        a, b = pos[i], pos[(i + 1) % n]
        ax.add_patch(FancyArrowPatch(a, b, connectionstyle="arc3,rad=-0.35", arrowstyle="-|>", mutation_scale=18,
                                     shrinkA=48, shrinkB=48, color="grey", lw=1.8, zorder=1))
    ax.text(0, 0, text_or_label((names or {}).get("centre"), "concepts.cycle_centre", lang), ha="center",
            va="center", fontsize=11, color="dimgrey")
    ax.set_xlim(-1.7, 1.7)
    ax.set_ylim(-1.6, 1.7)
    ax.set_aspect("equal")
    _clean(ax, xlabel, ylabel)
    ax.set_title(text_or_label(title, "concepts.cycle_title", lang))
    return ax


def man_chart(by_criterion: pd.DataFrame, *, title: str | None = None, xlabel: str | None = None,
              ylabel: str | None = None, names: Mapping[Any, str] | None = None, lang: str = "en",
              ax: Any = None) -> Any:
    """Close rate of the prospects that meet vs miss each criterion.

    Parameters
    ----------
    by_criterion : DataFrame
        :func:`crmlib.concepts.criterion_table`: ``close_met``, ``close_not``, ``n_met``,
        ``n_not`` by criterion.
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``concepts.man_title``, none, ``concepts.close_rate_pct``).
    names : mapping, optional
        Text of the criteria by id and of the series ``"met"`` and ``"not_met"``.
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.2))
    groups = ((series_name("met", lang, names, "concepts."), "close_met", "n_met", PALETTE[2]),
              (series_name("not_met", lang, names, "concepts."), "close_not", "n_not", "lightgrey"))
    x = np.arange(len(by_criterion))
    width = 0.38   # two bars per criterion, 0.76 of the slot
    top = 0.0
    for k, (name, rate_col, n_col, colour) in enumerate(groups):
        rate = 100 * by_criterion[rate_col].to_numpy(float)
        n = by_criterion[n_col].to_numpy(int)
        bars = ax.bar(x + (k - 0.5) * width, rate, width, color=colour, edgecolor="white", label=name, zorder=2)
        ax.bar_label(bars, labels=[("—" if np.isnan(v) else f"{v:.1f}%") + "\n" + t("concepts.n_prospects", lang, n=int(m))
                                   for v, m in zip(rate, n)], fontsize=7.5, padding=2)
        top = max(top, float(np.nanmax(rate, initial=0.0)))
    ax.set_xticks(x, [series_name(k, lang, names, "concepts.man.") for k in by_criterion.index])
    ax.set_xlim(-0.5, len(by_criterion) - 0.5)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel(text_or_label(xlabel, None, lang))
    ax.set_ylabel(text_or_label(ylabel, "concepts.close_rate_pct", lang))
    ax.set_ylim(0, top * 1.3)
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title(text_or_label(title, "concepts.man_title", lang))
    return ax
