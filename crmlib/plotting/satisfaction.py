"""Figures of the chapter "Satisfaction, loyalty and churn": the survey part.

Every function draws what it is given (computation lives in :mod:`crmlib.satisfaction`),
takes ``lang``, ``ax`` and optional free-text ``title`` / ``xlabel`` / ``ylabel`` (which replace
the defaults built from the label tables and the data) as keywords, and returns the Axes.
The bars are plain matplotlib: they show shares computed beforehand, where seaborn would add
nothing.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..i18n import check_lang, t
from . import PALETTE, get_ax, wrap_label
from ._texts import label_or, one_or_many, set_texts

__all__ = ["nps_chart", "likert_chart", "alpha_chart"]

_NPS_COLOUR = {"detractor": PALETTE[3], "passive": "#BBBBBB", "promoter": PALETTE[2]}


def nps_chart(results: Any, *, group_label: str | None = None, lang: str = "en", ax: Any = None,
              title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Stacked bars of detractors, passives and promoters, with each NPS and its interval.

    Parameters
    ----------
    results : NPSResult or mapping of name -> NPSResult
        From :func:`crmlib.satisfaction.nps` (e.g. one per survey wave).
    group_label : str, optional
        Label-key prefix for the names of ``results`` (``"satisfaction.wave"`` shows the key 1 as
        ``t("satisfaction.wave.1")``); default: the names as they are.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text replacing the default title / axis labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..satisfaction import NPSResult

    check_lang(lang)
    res, single = one_or_many(results, NPSResult, "results", article="an", keys="name", single_key="")
    ax = get_ax(ax, (8.0, 1.6 + 0.7 * len(res)))
    names = list(res)
    y = np.arange(len(names))[::-1]
    for g in ("detractor", "passive", "promoter"):
        left = np.array([sum(100 * r.shares[h] for h in ("detractor", "passive", "promoter")[
            :("detractor", "passive", "promoter").index(g)]) for r in res.values()])
        width = np.array([100 * r.shares[g] for r in res.values()])
        ax.barh(y, width, left=left, color=_NPS_COLOUR[g], height=0.6, label=t(f"satisfaction.nps.{g}", lang),
                zorder=2)
        for yi, le, w in zip(y, left, width):
            if w >= 6:
                ax.text(le + w / 2, yi, f"{w:.0f}%", ha="center", va="center", fontsize=9,
                        color="black" if g == "passive" else "white")
    for yi, r in zip(y, res.values()):
        ax.text(101, yi, t("satisfaction.nps_bar_label", lang, nps=r.nps, lower=r.lower, upper=r.upper),
                va="center", fontsize=9)
    if single:
        ax.set_yticks([])
    else:
        ax.set_yticks(y, [label_or(f"{group_label}.{k}", str(k), lang) if group_label else str(k) for k in names])
    ax.set_xlim(0, 135)
    ax.set_xticks(np.arange(0, 101, 20))
    ax.legend(loc="upper center", bbox_to_anchor=(0.37, -0.28 if len(res) < 3 else -0.15), ncol=3, fontsize=9,
              frameon=False)
    first = next(iter(res.values()))
    level = 100 * (1 - first.alpha)
    default_title = (t("satisfaction.nps_title", lang, nps=first.nps, lower=first.lower, upper=first.upper,
                       level=level, n=first.n) if single
                     else t("satisfaction.nps_title_groups", lang, level=level))
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=default_title,
              default_xlabel=t("satisfaction.share_pct", lang))
    return ax


def likert_chart(distribution: pd.DataFrame, *, answer_label: str | None = "satisfaction.answer", lang: str = "en",
                 ax: Any = None, title: str | None = None, xlabel: str | None = None,
                 ylabel: str | None = None) -> Any:
    """Diverging stacked bars of Likert answers: disagreement to the left of 0, agreement to the right.

    The middle answer of an odd scale is split in half across 0.

    Parameters
    ----------
    distribution : pandas.DataFrame
        :func:`crmlib.satisfaction.likert_distribution` (items × answers, shares; ``attrs["n"]``).
    answer_label : str or None
        Label-key prefix of the answers (``satisfaction.answer.1`` … for a 1–5 scale); None or a
        missing key shows the number.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib

    check_lang(lang)
    if not isinstance(distribution, pd.DataFrame) or distribution.empty:
        raise TypeError("distribution must be the non-empty table of likert_distribution")
    shares = 100 * distribution.to_numpy(dtype=float)
    levels = list(distribution.columns)
    k = len(levels)
    ax = get_ax(ax, (9.0, 1.2 + 0.42 * len(distribution)))
    colours = matplotlib.colormaps["RdBu"](np.linspace(0.12, 0.88, k))
    if k % 2:
        colours[k // 2] = matplotlib.colors.to_rgba("#C8C8C8")          # the neutral answer in grey
    mid = k // 2
    # left edge of each row: everything below the middle, plus half the middle answer of an odd scale
    start = -(shares[:, :mid].sum(axis=1) + (shares[:, mid] / 2 if k % 2 else 0))
    y = np.arange(len(distribution))[::-1]
    left = start.copy()
    for j, lv in enumerate(levels):
        name = label_or(f"{answer_label}.{lv}", str(lv), lang) if answer_label else str(lv)
        ax.barh(y, shares[:, j], left=left, color=colours[j], height=0.7, label=name, zorder=2,
                edgecolor="white", linewidth=0.5)
        for yi, le, w in zip(y, left, shares[:, j]):
            if w >= 8:
                ax.text(le + w / 2, yi, f"{w:.0f}", ha="center", va="center", fontsize=7.5,
                        color="white" if j in (0, k - 1) else "black")
        left = left + shares[:, j]
    ax.axvline(0, color="#444444", lw=1, zorder=3)
    lim = float(np.ceil(max(-start.min(), (left).max()) / 10) * 10)
    ax.set_xlim(-lim, lim)
    ticks = np.arange(-lim, lim + 1, 20 if lim > 50 else 10)
    ax.set_xticks(ticks, [f"{abs(v):g}" for v in ticks])
    ax.set_yticks(y, [wrap_label(label_or(f"satisfaction.item.{i}", str(i), lang), 42, 18)
                      for i in distribution.index], fontsize=8)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=k, fontsize=8, frameon=False)
    n = distribution.attrs.get("n")
    default_title = (t("satisfaction.likert_title_n", lang, k=len(distribution), n=n) if n is not None
                     else t("satisfaction.likert_title", lang, k=len(distribution)))
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=default_title,
              default_xlabel=t("satisfaction.likert_x", lang))
    return ax


def alpha_chart(reliability: pd.DataFrame, *, threshold: float = 0.7, lang: str = "en", ax: Any = None,
                title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Cronbach's α of each scale with its interval, beside a rule-of-thumb threshold.

    Parameters
    ----------
    reliability : pandas.DataFrame
        :func:`crmlib.satisfaction.scale_reliability` (``alpha``, ``lower``, ``upper`` by scale;
        ``attrs["confidence"]``).
    threshold : float
        Vertical reference line (0.7 is the common rule of thumb).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    if not isinstance(reliability, pd.DataFrame) or not {"alpha", "lower", "upper"} <= set(reliability.columns):
        raise TypeError("reliability must be the table of scale_reliability (alpha, lower, upper)")
    ax = get_ax(ax, (7.0, 1.2 + 0.55 * len(reliability)))
    r = reliability
    y = np.arange(len(r))[::-1]
    below = (r["alpha"] < threshold).to_numpy()
    colours = [PALETTE[3] if b else PALETTE[0] for b in below]
    ax.hlines(y, r["lower"], r["upper"], colors=colours, lw=3, alpha=0.6, zorder=2)
    ax.scatter(r["alpha"], y, color=colours, s=40, zorder=3)
    for yi, a, hi in zip(y, r["alpha"], r["upper"]):
        ax.text(hi + 0.01, yi, f"{a:.2f}", va="center", fontsize=9)
    ax.axvline(threshold, color="grey", ls="--", lw=1)
    ax.text(threshold, y.max() + 0.55, t("satisfaction.alpha_threshold", lang, threshold=threshold), ha="center",
            fontsize=8.5, color="grey")
    lo = min(float(r["lower"].min()), threshold) - 0.05
    ax.set_xlim(max(lo, -1.0), 1.0)
    ax.set_ylim(-0.6, y.max() + 0.9)
    ax.set_yticks(y, [label_or(f"satisfaction.driver.{s}", str(s), lang) for s in r.index])
    conf = r.attrs.get("confidence", 0.95)
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel,
              default_title=t("satisfaction.alpha_title", lang, level=100 * conf),
              default_xlabel=t("satisfaction.alpha_x", lang))
    return ax
