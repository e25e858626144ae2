"""Figures of chapter 03, "Funnel probabilities". Computation lives in :mod:`crmlib.funnel`.

Every function draws what it is given (counts, intervals, curves, quantiles computed by
:mod:`crmlib.funnel`), takes ``lang``, ``ax`` and free ``title``, ``xlabel``, ``ylabel`` and ``names``
(series or category id -> text) as keyword-only arguments and returns the Axes.
The histogram of days to close is seaborn's ``histplot``; the other figures are diagrams and
interval plots that seaborn has no idiom for, drawn with matplotlib.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from ..i18n import t
from . import PALETTE, get_ax, series_name, text_or_label, weight

__all__ = ["funnel_chart", "intervals_chart", "prospects_needed_chart", "days_chart", "odds_ratio_chart",
           "deals_band_chart"]

_STAGE_COLOUR = {"prospect": PALETTE[5], "negotiation": PALETTE[0], "deal": PALETTE[3]}
_STAGES = ("prospect", "negotiation", "deal")
_TRANSITION_COLOUR = (PALETTE[0], PALETTE[3], PALETTE[2], PALETTE[1], PALETTE[4])


def funnel_chart(table: pd.DataFrame, *, upper_bound: Sequence[str] = ("deal",), title: str | None = None,
                 xlabel: str | None = None, ylabel: str | None = None, names: Mapping[Any, str] | None = None,
                 lang: str = "en", ax: Any = None) -> Any:
    """The funnels side by side: centred bars, one per stage, with each funnel's overall success.

    The default title states the number of prospects (when every funnel starts with the same
    number) and of funnels, counted in ``table``.

    Parameters
    ----------
    table : DataFrame
        :func:`crmlib.funnel.scenario_table`: one row per scenario with the counts ``prospect``,
        ``negotiation``, ``deal`` and the ``overall`` success.
    upper_bound : sequence of str
        Stages whose counts are upper bounds (drawn "≤ n"; the overall success too).
    title, xlabel, ylabel : str, optional
        Free text (default: the label ``funnel.chart_title``; no axis labels).
    names : mapping, optional
        Text of scenarios (the index of ``table``) and stages by id.
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw (a new figure when None).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (9.0, 4.2))
    width = float(table[list(_STAGES)].to_numpy().max()) * 1.25
    bounded = set(upper_bound)
    for j, (sc, row) in enumerate(table.iterrows()):
        x0 = j * width
        for i, stage in enumerate(_STAGES):
            n = int(row[stage])
            ax.barh(-i, n, left=x0 - n / 2, height=0.75, color=_STAGE_COLOUR[stage], edgecolor="white", zorder=2)
            txt = t("funnel.at_most", lang, n=n) if stage in bounded else f"{n}"
            ax.text(x0 + max(n, 8) / 2 + 2, -i, txt, va="center", fontsize=9)
        key = "funnel.overall_at_most" if "deal" in bounded else "funnel.overall"
        ax.text(x0, -len(_STAGES) + 0.35, t(key, lang, p=row["overall"]), ha="center", va="top", fontsize=9,
                color="dimgrey")
        ax.text(x0, 0.6, series_name(sc, lang, names, "funnel.scenario."), ha="center", va="bottom", fontsize=10,
                fontweight=weight(lang))
    ax.set_yticks(-np.arange(len(_STAGES)), [series_name(s, lang, names, "funnel.stage.") for s in _STAGES])
    ax.set_xticks([])
    ax.set_xlabel(text_or_label(xlabel, None, lang))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    ax.set_xlim(-width / 2, (len(table) - 0.5) * width)
    ax.set_ylim(-len(_STAGES) + 0.1, 1.2)
    ax.grid(False)
    ax.spines["bottom"].set_visible(False)
    first = table["prospect"].astype(int).unique()
    ax.set_title(text_or_label(title, "funnel.chart_title", lang, n=int(first[0]), k=len(table)) if len(first) == 1
                 else text_or_label(title, "funnel.chart_title_k", lang, k=len(table)))
    return ax


def intervals_chart(intervals: Mapping[tuple[str, int], pd.DataFrame], *, method: str = "Wilson",
                    title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                    names: Mapping[Any, str] | None = None, lang: str = "en", ax: Any = None) -> Any:
    """Stage rates with confidence intervals for several funnels (one row per funnel × transition).

    The default title states the intervals' level (the tables' ``attrs["alpha"]``, 0.05 when absent).

    Parameters
    ----------
    intervals : mapping
        ``(scenario, n_prospects) ->`` :func:`crmlib.funnel.rate_intervals` table (the
        ``"intervals"`` of :func:`crmlib.funnel.interval_comparison`). The scenario and size label
        the funnel's first transition; colours tell the transitions apart.
    method : str
        Name of the interval for the title.
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``funnel.ci_title``, ``funnel.rate``, none).
    names : mapping, optional
        Text of scenarios by id and of the transitions by the stage they lead to (``to_stage``:
        ``"negotiation"``, ``"deal"`` …).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.6, 5.0))
    labels, ypos, y = [], [], 0.0
    alpha = 0.05
    for (sc, n), iv in intervals.items():
        first = not ypos  # label the transitions in the legend once
        alpha = float(iv.attrs.get("alpha", alpha))
        for k, (_, r) in enumerate(iv.iterrows()):
            colour = _TRANSITION_COLOUR[k % len(_TRANSITION_COLOUR)]
            ax.hlines(y, r["lower"], r["upper"], color=colour, lw=4, alpha=0.55, zorder=2)
            ax.plot(r["rate"], y, "o", color=colour, zorder=3,
                    label=series_name(r["to_stage"], lang, names, "funnel.to_") if first else None)
            ax.text(r["upper"] + 0.012, y, f"{r['rate']:.3f} [{r['lower']:.3f}, {r['upper']:.3f}]", va="center",
                    fontsize=8)
            labels.append(t("funnel.interval_row", lang, scenario=series_name(sc, lang, names, "funnel.scenario."),
                            n=n) if k == 0 else "")
            ypos.append(y)
            y -= 1
        y -= 0.5
    ax.set_yticks(ypos, labels, fontsize=8.5)
    ax.set_xlim(0, 1.25)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.legend(loc="lower right", fontsize=8.5)
    ax.set_xlabel(text_or_label(xlabel, "funnel.rate", lang))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    ax.set_title(text_or_label(title, "funnel.ci_title", lang, method=method, level=100 * (1 - alpha)))
    return ax


def prospects_needed_chart(curves: Mapping[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
                           needed: Mapping[int, int], *, p: float, target: float = 0.9, title: str | None = None,
                           xlabel: str | None = None, ylabel: str | None = None,
                           names: Mapping[Any, str] | None = None, lang: str = "en", ax: Any = None) -> Any:
    """P(at least k deals) against prospects worked, for each ``k``; the ``target`` line and the size needed.

    Parameters
    ----------
    curves : mapping
        ``k -> (ns, exact, mc_ns, mc_share)``: the exact probability at each pipeline size and
        Monte Carlo estimates at a few sizes (``"curves"`` of :func:`crmlib.funnel.plan_pipelines`).
    needed : mapping
        ``k ->`` smallest pipeline reaching ``target``.
    p : float
        Close probability per prospect (for the title).
    target : float
        Probability wanted.
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``funnel.needed_title``, ``funnel.n_prospects``, ``funnel.p_at_least``).
    names : mapping, optional
        Text of each curve by its ``k`` and of the Monte Carlo marks (``"mc"``).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if set(curves) != set(needed):
        raise ValueError(f"curves and needed must name the same k, got {sorted(curves)} and {sorted(needed)}")
    ax = get_ax(ax, (8.0, 4.2))
    key = names or {}
    n_max = 0
    for i, (k, (ns, exact, m_ns, share)) in enumerate(curves.items()):
        colour = PALETTE[i % len(PALETTE)]
        n_max = max(n_max, int(ns[-1]))
        ax.plot(ns, exact, color=colour, lw=1.6, label=text_or_label(key.get(k), "funnel.k_deals", lang, k=k,
                                                                     n=needed[k]))
        ax.plot([needed[k]], [np.interp(needed[k], ns, exact)], "o", color=colour, ms=6)
        ax.vlines(needed[k], 0, target, color=colour, ls=":", lw=1)
        ax.plot(m_ns, share, "x", color=colour, ms=5, alpha=0.8)
    ax.axhline(target, color="grey", ls="--", lw=1)
    ax.text(0.01 * n_max, target + 0.015, t("funnel.target", lang, pct=100 * target), ha="left", va="bottom",
            fontsize=8, color="grey")
    ax.set_xlim(0, n_max)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(text_or_label(xlabel, "funnel.n_prospects", lang))
    ax.set_ylabel(text_or_label(ylabel, "funnel.p_at_least", lang))
    from matplotlib.lines import Line2D

    handles, _ = ax.get_legend_handles_labels()
    mc = Line2D([], [], marker="x", ls="none", color="dimgrey", label=text_or_label(key.get("mc"), "funnel.mc", lang))
    ax.legend(handles=[*handles, mc], loc="lower right", fontsize=8)
    ax.set_title(text_or_label(title, "funnel.needed_title", lang, p=p))
    return ax


def days_chart(days: pd.Series | Sequence[float], *, median: float, title: str | None = None,
               xlabel: str | None = None, ylabel: str | None = None, names: Mapping[Any, str] | None = None,
               lang: str = "en", ax: Any = None) -> Any:
    """Histogram of days from first contact to deal (monthly bins), with the source's landmarks.

    Parameters
    ----------
    days : Series or sequence
        Days to close of each deal (:func:`crmlib.funnel.time_to_close`).
    median : float
        Their median (:func:`crmlib.funnel.timing_summary`), marked with a line.
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``funnel.days_title``, ``funnel.days``, ``funnel.deals``).
    names : mapping, optional
        Text of the median line (``"median"``).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns

    ax = get_ax(ax, (8.0, 3.9))
    d = np.asarray(days, float)
    sns.histplot(x=d, bins=np.arange(0, d.max() + 30, 30), color=PALETTE[0], alpha=0.8, edgecolor="white",
                 ax=ax, zorder=2)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))   # a count of deals has no halves
    marks = {30: "funnel.month1", 60: "funnel.month2", 182: "funnel.half_year", 365: "funnel.year1"}
    top = ax.get_ylim()[1]
    for x, key in marks.items():
        ax.axvline(x, color="grey", ls=":", lw=1)
        # the source's landmarks, written along their lines so that neighbours never overlap
        ax.text(x - 6, top * 0.98, t(key, lang), rotation=90, ha="right", va="top", fontsize=8, color="dimgrey")
    ax.axvline(median, color=PALETTE[3], lw=2)
    ax.text(median + 8, top * 0.6, text_or_label((names or {}).get("median"), "funnel.median", lang, d=median),
            color=PALETTE[3], fontsize=9, bbox=dict(facecolor="white", edgecolor="none", alpha=0.85))
    ax.set_xlabel(text_or_label(xlabel, "funnel.days", lang))
    ax.set_ylabel(text_or_label(ylabel, "funnel.deals", lang))
    ax.set_title(text_or_label(title, "funnel.days_title", lang))
    return ax


def odds_ratio_chart(odds_ratios: pd.DataFrame, *, title: str | None = None, xlabel: str | None = None,
                     ylabel: str | None = None, names: Mapping[Any, str] | None = None, lang: str = "en",
                     ax: Any = None) -> Any:
    """Forest plot of odds ratios on a log axis.

    The default title states the intervals' level (``odds_ratios.attrs["alpha"]``, 0.05 when absent).

    Parameters
    ----------
    odds_ratios : DataFrame
        ``odds_ratio``, ``lower``, ``upper`` by predictor (``CloseModel.odds_ratios``).
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``funnel.or_title``, ``funnel.or``, none).
    names : mapping, optional
        Text of the predictors by id and of the line at 1 (``"no_effect"``).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (7.5, 3.0))
    r = odds_ratios.iloc[::-1]
    y = np.arange(len(r))
    ax.hlines(y, r["lower"], r["upper"], color=PALETTE[0], lw=3, alpha=0.6, zorder=2)
    ax.plot(r["odds_ratio"], y, "D", color=PALETTE[0], zorder=3)
    for yi, (_, row) in zip(y, r.iterrows()):
        ax.text(row["upper"] * 1.08, yi, f"{row['odds_ratio']:.2f} [{row['lower']:.2f}, {row['upper']:.2f}]",
                va="center", fontsize=8)
    ax.axvline(1, color="grey", ls="--", lw=1)
    ax.text(1.02, len(r) - 0.45, text_or_label((names or {}).get("no_effect"), "funnel.no_effect", lang), fontsize=8,
            color="grey")
    ax.set_xscale("log")
    xmax = float(r["upper"].max()) * 2.6
    ax.set_xlim(0.7, xmax)
    ticks = [v for v in (1, 2, 5, 10, 20, 50, 100) if v <= xmax]
    ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    ax.minorticks_off()
    ax.set_ylim(-0.6, len(r) - 0.2)
    ax.set_yticks(y, [series_name(k, lang, names, "funnel.pred.") for k in r.index], fontsize=9)
    ax.set_xlabel(text_or_label(xlabel, "funnel.or", lang))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    level = 100 * (1 - float(odds_ratios.attrs.get("alpha", 0.05)))
    ax.set_title(text_or_label(title, "funnel.or_title", lang, level=level))
    return ax


def deals_band_chart(band: Any, *, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                     names: Mapping[Any, str] | None = None, lang: str = "en", ax: Any = None) -> Any:
    """Distribution of deals from a pipeline (binomial), the band's counts coloured.

    Parameters
    ----------
    band : crmlib.funnel.DealsBand
        From :func:`crmlib.funnel.expected_deals` (its ``pmf()`` is drawn).
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``funnel.whatif_title``, ``funnel.deals``, ``funnel.probability``).
    names : mapping, optional
        Text of the series ``"band"`` and ``"expected"``.
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (7.5, 3.6))
    pmf = band.pmf()
    k, prob = pmf.index.to_numpy(), pmf.to_numpy()
    inside = (k >= band.lower) & (k <= band.upper)
    key = names or {}
    ax.bar(k[inside], prob[inside], color=PALETTE[0], zorder=2,
           label=text_or_label(key.get("band"), "funnel.band", lang, level=100 * band.level, lo=band.lower,
                               hi=band.upper))
    ax.bar(k[~inside], prob[~inside], color="lightgrey", zorder=2)
    ax.axvline(band.mean, color=PALETTE[3], lw=2,
               label=text_or_label(key.get("expected"), "funnel.expected", lang, m=band.mean))
    ax.set_xlabel(text_or_label(xlabel, "funnel.deals", lang))
    ax.set_ylabel(text_or_label(ylabel, "funnel.probability", lang))
    ax.legend(loc="upper right", fontsize=8)
    r1, r2 = (list(band.rates) + [1.0, 1.0])[:2]
    ax.set_title(text_or_label(title, "funnel.whatif_title", lang, n=band.n, r1=r1, r2=r2))
    return ax
