"""Figures of why customers are lost: Pareto chart, groups, a survey's intervals, what-if and power.

Every function draws what it is given (computed by :mod:`crmlib.loss`), takes ``lang`` and ``ax``
and free ``title``, ``xlabel``, ``ylabel`` and ``names`` (cause, group or series id -> text) as
keywords, and returns the Axes. Causes and groups without a label show their ids.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._validate import check_aligned, plain
from ..loss import GROUPS
from . import PALETTE, get_ax, series_name, text_or_label, weight, wrap_label

__all__ = ["pareto_chart", "group_chart", "survey_ci_chart", "whatif_chart", "power_curve"]

_GROUP_COLOUR = dict(zip(GROUPS, (PALETTE[0], PALETTE[3], PALETTE[2])))


def _group_colours(groups: Any) -> dict[Any, str]:
    """The course's groups keep their colours; other groups take the next colours of the palette."""
    others = [g for g in dict.fromkeys(groups) if g not in _GROUP_COLOUR]
    spare = [c for c in PALETTE if c not in _GROUP_COLOUR.values()]
    return {**_GROUP_COLOUR, **{g: spare[i % len(spare)] for i, g in enumerate(others)}}


def _group_order(groups: Any) -> list[Any]:
    present = list(dict.fromkeys(groups))
    return [g for g in GROUPS if g in present] + [g for g in present if g not in GROUPS]


def pareto_chart(pareto: pd.DataFrame, groups: pd.Series, *, threshold: float = 80.0, title: str | None = None,
                 xlabel: str | None = None, ylabel: str | None = None, names: Mapping[Any, str] | None = None,
                 lang: str = "en", ax: Any = None) -> Any:
    """Sorted bars of the shares (coloured by group), cumulative line and the Pareto line.

    Parameters
    ----------
    pareto : pandas.DataFrame
        :func:`crmlib.loss.pareto_table` output (``share_pct``, ``cumulative_pct``), largest first.
    groups : pandas.Series
        Cause -> group id (the course's ``customer``, ``company``, ``third_party``, or any others).
    threshold : float
        The Pareto line (%), as used for ``pareto``.
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``loss.pareto_title``, none, ``core.share_pct``).
    names : mapping, optional
        Text of causes and groups by id, of the Pareto line (``"threshold"``) and of the cumulative
        axis (``"cumulative"``).
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
        raise KeyError(f"groups has no group for cause {plain(missing[0])!r}")
    colour = _group_colours(groups[par.index])
    x = np.arange(len(par))
    bars = ax.bar(x, par["share_pct"], color=[colour[groups[c]] for c in par.index], zorder=2)
    # tall bars carry their share inside (the cumulative line starts on top of the first bar)
    tall = par["share_pct"].to_numpy() >= 15
    for bar, v, inside in zip(bars, par["share_pct"], tall):
        y = bar.get_height() / 2 if inside else bar.get_height() + 1
        ax.text(bar.get_x() + bar.get_width() / 2, y, f"{v:g}%", ha="center", va="center" if inside else "bottom",
                fontsize=9, color="white" if inside else "black", fontweight=weight(lang))
    ax.set_xticks(x, [wrap_label(series_name(c, lang, names, "loss.cause."), 14, 7) for c in par.index], fontsize=8)
    ax.set_ylabel(text_or_label(ylabel, "core.share_pct", lang))
    ax.set_xlabel(text_or_label(xlabel, None, lang))
    ax.set_ylim(0, 105)
    ax2 = ax.twinx()
    ax2.plot(x, par["cumulative_pct"], color="black", marker="o", lw=1.5, zorder=3)
    ax2.axhline(threshold, color="grey", ls="--", lw=1)
    ax2.text(len(par) - 0.5, threshold + 1.5,
             text_or_label((names or {}).get("threshold"), "loss.line80", lang, threshold=threshold), ha="right",
             color="grey", fontsize=9)
    ax2.set_ylim(0, 105)
    ax2.set_ylabel(text_or_label((names or {}).get("cumulative"), "core.cumulative_pct", lang))
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=colour[g], label=series_name(g, lang, names, "loss.group."))
                       for g in _group_order(groups[par.index])],
              loc="upper right", bbox_to_anchor=(1.0, 0.72), fontsize=9, frameon=False)
    ax.set_title(text_or_label(title, "loss.pareto_title", lang))
    return ax


def group_chart(table: pd.DataFrame, *, title: str | None = None, xlabel: str | None = None,
                ylabel: str | None = None, names: Mapping[Any, str] | None = None, lang: str = "en",
                ax: Any = None) -> Any:
    """Horizontal stacked bars: each group's total, split into its causes.

    Parameters
    ----------
    table : pandas.DataFrame
        Table 1-1 (``cause_id``, ``group_id``, ``share_pct``).
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``loss.by_group_title``, ``core.share_pct``, none).
    names : mapping, optional
        Text of causes and groups by id.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 3.2))
    order = _group_order(table["group_id"])
    colour = _group_colours(order)
    ypos = {g: i for i, g in enumerate(reversed(order))}
    for g in order:
        rows = table[table["group_id"] == g].sort_values("share_pct", ascending=False)
        left = 0.0
        for k, (_, r) in enumerate(rows.iterrows()):
            ax.barh(ypos[g], r["share_pct"], left=left, color=colour[g], alpha=1.0 - 0.35 * min(k, 2),
                    edgecolor="white", zorder=2)
            if r["share_pct"] >= 30:
                ax.text(left + r["share_pct"] / 2, ypos[g],
                        wrap_label(series_name(r["cause_id"], lang, names, "loss.cause."), 24, 9)
                        + f"\n{r['share_pct']:g}%", ha="center", va="center", fontsize=8, color="white")
            elif r["share_pct"] >= 2.5:
                ax.text(left + r["share_pct"] / 2, ypos[g], f"{r['share_pct']:g}", ha="center", va="center",
                        fontsize=7.5, color="white" if k == 0 else "black")
            left += r["share_pct"]
        ax.text(left + 1, ypos[g], f"{left:g}%", va="center", fontsize=10,
                fontweight=weight(lang))
    ax.set_yticks(list(ypos.values()), [series_name(g, lang, names, "loss.group.") for g in ypos])
    ax.set_xlim(0, 100)
    ax.set_xlabel(text_or_label(xlabel, "core.share_pct", lang))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    ax.set_title(text_or_label(title, "loss.by_group_title", lang))
    return ax


def survey_ci_chart(ci: pd.DataFrame, printed: pd.Series, *, title: str | None = None, xlabel: str | None = None,
                    ylabel: str | None = None, names: Mapping[Any, str] | None = None, lang: str = "en",
                    ax: Any = None) -> Any:
    """Sample shares with simultaneous intervals beside the printed shares.

    The title states the survey's size (the sum of ``ci["count"]``) and the intervals' level
    (``ci.attrs["alpha"]``, 0.05 when absent).

    Parameters
    ----------
    ci : pandas.DataFrame
        :func:`crmlib.loss.multinomial_ci` output.
    printed : pandas.Series
        The source's shares (%), by cause: the causes of ``ci`` (paired by label).
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``loss.survey_title``, ``core.share_pct``, none).
    names : mapping, optional
        Text of causes by id and of the series ``"interval"``, ``"sample"`` and ``"printed"``.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    c = check_aligned(printed, "printed", ci, "ci")          # paired by cause, never by position
    ax = get_ax(ax, (8.0, 4.2))
    level = 100 * (1 - float(ci.attrs.get("alpha", 0.05)))
    key = names or {}
    order = printed.sort_values(ascending=True).index
    y = np.arange(len(order))
    c = c.reindex(order)
    ax.hlines(y, c["lower_pct"], c["upper_pct"], color=PALETTE[0], lw=3, alpha=0.6,
              label=text_or_label(key.get("interval"), "core.ci_level", lang, level=level), zorder=2)
    ax.plot(c["share_pct"], y, "o", color=PALETTE[0], label=text_or_label(key.get("sample"), "core.sample", lang),
            zorder=3)
    ax.plot(printed.reindex(order), y, "D", color=PALETTE[3], mfc="none", ms=8,
            label=text_or_label(key.get("printed"), "core.printed", lang), zorder=4)
    ax.set_yticks(y, [wrap_label(series_name(k, lang, names, "loss.cause."), 30, 12) for k in order], fontsize=8)
    ax.set_xlabel(text_or_label(xlabel, "core.share_pct", lang))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    ax.set_xlim(0, 100)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(text_or_label(title, "loss.survey_title", lang, n=int(ci["count"].sum()), level=level))
    return ax


def whatif_chart(result: pd.DataFrame, *, title: str | None = None, xlabel: str | None = None,
                 ylabel: str | None = None, names: Mapping[Any, str] | None = None, lang: str = "en",
                 ax: Any = None) -> Any:
    """Per-cause bars of customers kept vs still lost.

    The title states the scale (``result.attrs["per"]``, 1000 when absent) and the customers kept.

    Parameters
    ----------
    result : pandas.DataFrame
        :func:`crmlib.loss.whatif_kept` output (``lost_before``, ``kept``, ``lost_after``).
    title, xlabel, ylabel : str, optional
        Free text (default: the label ``loss.whatif_title_n``; no axis labels).
    names : mapping, optional
        Text of causes by id and of the series ``"kept"`` and ``"still_lost"``.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.0))
    key = names or {}
    r = result.sort_values("lost_before", ascending=True)
    y = np.arange(len(r))
    ax.barh(y, r["kept"], color=PALETTE[2], label=text_or_label(key.get("kept"), "loss.kept", lang), zorder=2)
    ax.barh(y, r["lost_after"], left=r["kept"], color="lightgrey",
            label=text_or_label(key.get("still_lost"), "loss.still_lost", lang), zorder=2)
    ax.set_yticks(y, [wrap_label(series_name(k, lang, names, "loss.cause."), 30, 12) for k in r.index], fontsize=8)
    ax.set_xlabel(text_or_label(xlabel, None, lang))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    total = r["kept"].sum()
    ax.set_title(text_or_label(title, "loss.whatif_title_n", lang, kept=total, per=result.attrs.get("per", 1000)))
    ax.legend(loc="lower right", fontsize=9)
    return ax


def power_curve(powers: pd.Series, n_needed: int, *, target: float = 0.8, p0: float | None = None,
                p1: float | None = None, title: str | None = None, xlabel: str | None = None,
                ylabel: str | None = None, lang: str = "en", ax: Any = None) -> Any:
    """Exact power against survey size, with the target power and the size needed marked.

    Parameters
    ----------
    powers : pandas.Series
        Power indexed by survey size (:func:`crmlib.loss.power_curve`).
    n_needed : int
        The size from which the power stays above ``target``.
    target : float
        The wanted power.
    p0, p1 : float, optional
        The shares compared, for the default title (default: ``powers.attrs``, as
        :func:`crmlib.loss.power_curve` sets them).
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``loss.power_title``, ``loss.sample_size``, ``loss.power``).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        No ``title`` and the shares are neither given nor in ``powers.attrs``.
    """
    p0 = powers.attrs.get("p0") if p0 is None else p0
    p1 = powers.attrs.get("p1") if p1 is None else p1
    if title is None and (p0 is None or p1 is None):
        raise ValueError("p0 and p1 are needed for the default title: pass them, a title, or powers from "
                         "crmlib.loss.power_curve (its attrs hold them)")
    ax = get_ax(ax, (7.0, 3.8))
    ax.plot(powers.index, powers.to_numpy(), color=PALETTE[0], lw=1.2)
    ax.axhline(target, color="grey", ls="--", lw=1)
    ax.axvline(n_needed, color=PALETTE[3], ls=":", lw=1.5)
    ax.annotate(f"n = {n_needed}", (n_needed, target), xytext=(10, -25), textcoords="offset points",
                color=PALETTE[3])
    ax.set_xlabel(text_or_label(xlabel, "loss.sample_size", lang))
    ax.set_ylabel(text_or_label(ylabel, "loss.power", lang))
    ax.set_ylim(0, 1)
    shares = {"p0": 100 * p0, "p1": 100 * p1} if title is None else {}
    ax.set_title(text_or_label(title, "loss.power_title", lang, **shares))
    return ax
