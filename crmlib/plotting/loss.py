"""Figures of the chapter "Why customers are lost"."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..i18n import t
from ..loss import GROUPS
from . import PALETTE, get_ax, weight, wrap_label

__all__ = ["pareto_chart", "group_chart", "survey_ci_chart", "whatif_chart", "power_curve"]

_GROUP_COLOUR = dict(zip(GROUPS, (PALETTE[0], PALETTE[3], PALETTE[2])))


def _cause_label(cause: str, lang: str) -> str:
    return t(f"loss.cause.{cause}", lang)


def pareto_chart(pareto: pd.DataFrame, groups: pd.Series, *, threshold: float = 80.0, lang: str = "en",
                 ax: Any = None) -> Any:
    """Sorted bars of the shares (coloured by group), cumulative line and the Pareto line.

    Parameters
    ----------
    pareto : pandas.DataFrame
        :func:`crmlib.loss.pareto_table` output (``share_pct``, ``cumulative_pct``), largest first.
    groups : pandas.Series
        Cause -> group id (``customer``, ``company``, ``third_party``).
    threshold : float
        The Pareto line (%), as used for ``pareto``.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (9.0, 4.8))
    par = pareto
    missing = [c for c in par.index if c not in groups.index]
    if missing:
        raise KeyError(f"groups has no group for cause {missing[0]!r}")
    x = np.arange(len(par))
    colours = [_GROUP_COLOUR[groups[c]] for c in par.index]
    bars = ax.bar(x, par["share_pct"], color=colours, zorder=2)
    # tall bars carry their share inside (the cumulative line starts on top of the first bar)
    tall = par["share_pct"].to_numpy() >= 15
    for bar, v, inside in zip(bars, par["share_pct"], tall):
        y = bar.get_height() / 2 if inside else bar.get_height() + 1
        ax.text(bar.get_x() + bar.get_width() / 2, y, f"{v:g}%", ha="center", va="center" if inside else "bottom",
                fontsize=9, color="white" if inside else "black", fontweight=weight(lang))
    ax.set_xticks(x, [wrap_label(_cause_label(c, lang), 14, 7) for c in par.index], fontsize=8)
    ax.set_ylabel(t("core.share_pct", lang))
    ax.set_ylim(0, 105)
    ax2 = ax.twinx()
    ax2.plot(x, par["cumulative_pct"], color="black", marker="o", lw=1.5, zorder=3)
    ax2.axhline(threshold, color="grey", ls="--", lw=1)
    ax2.text(len(par) - 0.5, threshold + 1.5, t("loss.line80", lang, threshold=threshold), ha="right",
             color="grey", fontsize=9)
    ax2.set_ylim(0, 105)
    ax2.set_ylabel(t("core.cumulative_pct", lang))
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=_GROUP_COLOUR[g], label=t(f"loss.group.{g}", lang)) for g in GROUPS],
              loc="upper right", bbox_to_anchor=(1.0, 0.72), fontsize=9, frameon=False)
    ax.set_title(t("loss.pareto_title", lang))
    return ax


def group_chart(table: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """Horizontal stacked bars: each group's total, split into its causes.

    Parameters
    ----------
    table : pandas.DataFrame
        Table 1-1 (``cause_id``, ``group_id``, ``share_pct``).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 3.2))
    ypos = {g: i for i, g in enumerate(reversed(GROUPS))}
    for g in GROUPS:
        rows = table[table["group_id"] == g].sort_values("share_pct", ascending=False)
        left = 0.0
        for k, (_, r) in enumerate(rows.iterrows()):
            colour = _GROUP_COLOUR[g]
            ax.barh(ypos[g], r["share_pct"], left=left, color=colour, alpha=1.0 - 0.35 * k,
                    edgecolor="white", zorder=2)
            if r["share_pct"] >= 30:
                ax.text(left + r["share_pct"] / 2, ypos[g],
                        wrap_label(_cause_label(r["cause_id"], lang), 24, 9) + f"\n{r['share_pct']:g}%",
                        ha="center", va="center", fontsize=8, color="white")
            elif r["share_pct"] >= 2.5:
                ax.text(left + r["share_pct"] / 2, ypos[g], f"{r['share_pct']:g}", ha="center", va="center",
                        fontsize=7.5, color="white" if k == 0 else "black")
            left += r["share_pct"]
        ax.text(left + 1, ypos[g], f"{left:g}%", va="center", fontsize=10,
                fontweight=weight(lang))
    ax.set_yticks(list(ypos.values()), [t(f"loss.group.{g}", lang) for g in ypos])
    ax.set_xlim(0, 100)
    ax.set_xlabel(t("core.share_pct", lang))
    ax.set_title(t("loss.by_group_title", lang))
    return ax


def survey_ci_chart(ci: pd.DataFrame, printed: pd.Series, *, lang: str = "en", ax: Any = None) -> Any:
    """Sample shares with simultaneous 95 % intervals beside the printed shares.

    Parameters
    ----------
    ci : pandas.DataFrame
        :func:`crmlib.loss.multinomial_ci` output.
    printed : pandas.Series
        The source's shares (%), by cause.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.2))
    order = printed.sort_values(ascending=True).index
    y = np.arange(len(order))
    c = ci.reindex(order)
    ax.hlines(y, c["lower_pct"], c["upper_pct"], color=PALETTE[0], lw=3, alpha=0.6,
              label=t("core.ci95", lang), zorder=2)
    ax.plot(c["share_pct"], y, "o", color=PALETTE[0], label=t("core.sample", lang), zorder=3)
    ax.plot(printed.reindex(order), y, "D", color=PALETTE[3], mfc="none", ms=8, label=t("core.printed", lang),
            zorder=4)
    ax.set_yticks(y, [wrap_label(_cause_label(k, lang), 30, 12) for k in order], fontsize=8)
    ax.set_xlabel(t("core.share_pct", lang))
    ax.set_xlim(0, 100)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(t("loss.survey_title", lang, n=int(ci["count"].sum())))
    return ax


def whatif_chart(result: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """Per-cause bars of customers kept vs still lost.

    Parameters
    ----------
    result : pandas.DataFrame
        :func:`crmlib.loss.whatif_kept` output (``lost_before``, ``kept``, ``lost_after``).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.0))
    r = result.sort_values("lost_before", ascending=True)
    y = np.arange(len(r))
    ax.barh(y, r["kept"], color=PALETTE[2], label=t("loss.kept", lang), zorder=2)
    ax.barh(y, r["lost_after"], left=r["kept"], color="lightgrey", label=t("loss.still_lost", lang), zorder=2)
    ax.set_yticks(y, [wrap_label(_cause_label(k, lang), 30, 12) for k in r.index], fontsize=8)
    total = r["kept"].sum()
    ax.set_title(t("loss.whatif_title_n", lang, kept=total))
    ax.legend(loc="lower right", fontsize=9)
    return ax


def power_curve(powers: pd.Series, n_needed: int, *, target: float = 0.8, p0: float = 0.60, p1: float = 0.68,
                lang: str = "en", ax: Any = None) -> Any:
    """Exact power against survey size, with the target power and the size needed marked.

    Parameters
    ----------
    powers : pandas.Series
        Power indexed by survey size (:func:`crmlib.loss.power_curve`).
    n_needed : int
        The size from which the power stays above ``target``.
    target : float
        The wanted power.
    p0, p1 : float
        The shares compared (for the title).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (7.0, 3.8))
    ax.plot(powers.index, powers.to_numpy(), color=PALETTE[0], lw=1.2)
    ax.axhline(target, color="grey", ls="--", lw=1)
    ax.axvline(n_needed, color=PALETTE[3], ls=":", lw=1.5)
    ax.annotate(f"n = {n_needed}", (n_needed, target), xytext=(10, -25), textcoords="offset points",
                color=PALETTE[3])
    ax.set_xlabel(t("loss.sample_size", lang))
    ax.set_ylabel(t("loss.power", lang))
    ax.set_ylim(0, 1)
    ax.set_title(t("loss.power_title", lang, p0=100 * p0, p1=100 * p1))
    return ax
