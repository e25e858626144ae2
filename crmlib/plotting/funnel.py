"""Figures of chapter 03, "Funnel probabilities". Computation lives in :mod:`crmlib.funnel`."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..i18n import t
from . import PALETTE, get_ax

__all__ = ["funnel_chart", "intervals_chart", "prospects_needed_chart", "days_chart", "odds_ratio_chart",
           "deals_band_chart"]

_STAGE_COLOUR = {"prospect": PALETTE[5], "negotiation": PALETTE[0], "deal": PALETTE[3]}


def funnel_chart(case: pd.DataFrame, lang: str = "en", ax: Any = None) -> Any:
    """The source's three funnels side by side: centred bars, one per stage.

    ``case`` is the ``funnel_case`` dataset (``scenario``, ``stage``, ``stage_order``,
    ``count``, ``count_is_upper_bound``).
    """
    ax = get_ax(ax, (9.0, 4.2))
    scenarios = list(dict.fromkeys(case["scenario"]))
    width = float(case["count"].max()) * 1.25
    for j, sc in enumerate(scenarios):
        rows = case[case["scenario"] == sc].sort_values("stage_order")
        x0 = j * width
        first = float(rows["count"].iloc[0])
        for _, r in rows.iterrows():
            y = -r["stage_order"]
            ax.barh(y, r["count"], left=x0 - r["count"] / 2, height=0.75, color=_STAGE_COLOUR[r["stage"]],
                    edgecolor="white", zorder=2)
            txt = t("funnel.at_most", lang, n=r["count"]) if r["count_is_upper_bound"] else f"{r['count']}"
            ax.text(x0 + max(r["count"], 8) / 2 + 2, y, txt, va="center", fontsize=9)
        last = rows.iloc[-1]
        key = "funnel.overall_at_most" if last["count_is_upper_bound"] else "funnel.overall"
        ax.text(x0, -len(rows) + 0.35, t(key, lang, p=last["count"] / first), ha="center", va="top", fontsize=9,
                color="dimgrey")
        ax.text(x0, 0.6, t(f"funnel.scenario.{sc}", lang), ha="center", va="bottom", fontsize=10,
                fontweight="bold" if lang == "en" else "normal")
    stages = case.sort_values("stage_order").drop_duplicates("stage")
    ax.set_yticks(-stages["stage_order"].to_numpy(), [t(f"funnel.stage.{s}", lang) for s in stages["stage"]])
    ax.set_xticks([])
    ax.set_xlim(-width / 2, (len(scenarios) - 0.5) * width)
    ax.set_ylim(-len(stages) + 0.1, 1.2)
    ax.grid(False)
    ax.spines["bottom"].set_visible(False)
    ax.set_title(t("funnel.chart_title", lang))
    return ax


def intervals_chart(intervals: Mapping[str, pd.DataFrame], method: str = "Wilson", lang: str = "en",
                    ax: Any = None) -> Any:
    """Stage rates with confidence intervals for several funnels (one row per funnel × transition).

    ``intervals`` maps a funnel's label (e.g. scenario and size) to :func:`crmlib.funnel.rate_intervals`
    output; the label is written beside the funnel's first transition, colours tell the transitions apart.
    """
    ax = get_ax(ax, (8.0, 4.6))
    labels, ypos, y = [], [], 0.0
    for name, iv in intervals.items():
        first = not ypos  # label the transitions in the legend once
        for k, (_, r) in enumerate(iv.iterrows()):
            colour = PALETTE[0] if k == 0 else PALETTE[3]
            ax.hlines(y, r["lower"], r["upper"], color=colour, lw=4, alpha=0.55, zorder=2)
            ax.plot(r["rate"], y, "o", color=colour, zorder=3,
                    label=t("funnel.to_negotiation" if k == 0 else "funnel.to_deal", lang) if first else None)
            ax.text(r["upper"] + 0.01, y, f"{r['rate']:.3f} [{r['lower']:.3f}, {r['upper']:.3f}]", va="center",
                    fontsize=7.5)
            labels.append(name if k == 0 else "")
            ypos.append(y)
            y -= 1
        y -= 0.5
    ax.set_yticks(ypos, labels, fontsize=8)
    ax.set_xlim(0, 1.18)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel(t("funnel.rate", lang))
    ax.set_title(t("funnel.ci_title", lang, method=method))
    return ax


def prospects_needed_chart(p: float, ks: Sequence[int], needed: Mapping[int, int], target: float = 0.9,
                           mc: Mapping[int, tuple[np.ndarray, np.ndarray]] | None = None, lang: str = "en",
                           ax: Any = None) -> Any:
    """P(at least k deals) against prospects worked, for each ``k``; the ``target`` line and the size needed.

    ``mc`` optionally maps ``k`` to ``(ns, share)``: Monte Carlo estimates drawn as dots.
    """
    ax = get_ax(ax, (8.0, 4.2))
    n_max = int(max(needed.values()) * 1.35)
    ns = np.arange(0, n_max + 1)
    for i, k in enumerate(ks):
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(ns, stats.binom.sf(k - 1, ns, p), color=colour, lw=1.6,
                label=t("funnel.k_deals", lang, k=k, n=needed[k]))
        ax.plot([needed[k]], [stats.binom.sf(k - 1, needed[k], p)], "o", color=colour, ms=6)
        ax.vlines(needed[k], 0, target, color=colour, ls=":", lw=1)
        if mc and k in mc:
            m_ns, share = mc[k]
            ax.plot(m_ns, share, "x", color=colour, ms=5, alpha=0.8,
                    label=t("funnel.mc", lang) if i == 0 else None)
    ax.axhline(target, color="grey", ls="--", lw=1)
    ax.text(n_max, target + 0.015, t("funnel.target", lang, pct=100 * target), ha="right", va="bottom",
            fontsize=8, color="grey")
    ax.set_xlim(0, n_max)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(t("funnel.n_prospects", lang))
    ax.set_ylabel(t("funnel.p_at_least", lang))
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(t("funnel.needed_title", lang, p=p))
    return ax


def days_chart(days: pd.Series, lang: str = "en", ax: Any = None) -> Any:
    """Histogram of days from first contact to deal, with the source's landmarks (1 month … 1 year)."""
    ax = get_ax(ax, (8.0, 3.8))
    d = np.asarray(days, float)
    ax.hist(d, bins=np.arange(0, d.max() + 30, 30), color=PALETTE[0], alpha=0.8, edgecolor="white", zorder=2)
    marks = {30: "funnel.month1", 60: "funnel.month2", 182: "funnel.half_year", 365: "funnel.year1"}
    for x in marks:
        ax.axvline(x, color="grey", ls=":", lw=1)
    top = ax.secondary_xaxis("top")
    top.set_xticks(list(marks), [t(k, lang) for k in marks.values()], fontsize=8, rotation=55, ha="left",
                   color="dimgrey")
    med = float(np.median(d))
    ax.axvline(med, color=PALETTE[3], lw=2)
    ax.text(med + 8, ax.get_ylim()[1] * 0.8, t("funnel.median", lang, d=med), color=PALETTE[3], fontsize=9,
            bbox=dict(facecolor="white", edgecolor="none", alpha=0.85))
    ax.set_xlabel(t("funnel.days", lang))
    ax.set_ylabel(t("funnel.deals", lang))
    ax.set_title(t("funnel.days_title", lang))
    return ax


def odds_ratio_chart(odds_ratios: pd.DataFrame, lang: str = "en", ax: Any = None) -> Any:
    """Forest plot of odds ratios (``odds_ratio``, ``lower``, ``upper``) on a log axis."""
    ax = get_ax(ax, (7.5, 3.0))
    r = odds_ratios.iloc[::-1]
    y = np.arange(len(r))
    ax.hlines(y, r["lower"], r["upper"], color=PALETTE[0], lw=3, alpha=0.6, zorder=2)
    ax.plot(r["odds_ratio"], y, "D", color=PALETTE[0], zorder=3)
    for yi, (_, row) in zip(y, r.iterrows()):
        ax.text(row["upper"] * 1.08, yi, f"{row['odds_ratio']:.2f} [{row['lower']:.2f}, {row['upper']:.2f}]",
                va="center", fontsize=8)
    ax.axvline(1, color="grey", ls="--", lw=1)
    ax.text(1.02, len(r) - 0.45, t("funnel.no_effect", lang), fontsize=8, color="grey")
    ax.set_xscale("log")
    xmax = float(r["upper"].max()) * 2.2
    ax.set_xlim(0.7, xmax)
    ticks = [v for v in (1, 2, 5, 10, 20, 50, 100) if v <= xmax]
    ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    ax.minorticks_off()
    ax.set_ylim(-0.6, len(r) - 0.2)
    ax.set_yticks(y, [t(f"funnel.pred.{k}", lang) for k in r.index], fontsize=9)
    ax.set_xlabel(t("funnel.or", lang))
    ax.set_title(t("funnel.or_title", lang))
    return ax


def deals_band_chart(n: int, rates: Sequence[float], band: Mapping[str, float], lang: str = "en",
                     ax: Any = None) -> Any:
    """Distribution of deals from ``n`` prospects (binomial) with the band of :func:`crmlib.funnel.expected_deals`."""
    ax = get_ax(ax, (7.5, 3.6))
    p = band["p_overall"]
    hi = int(max(band["upper"] * 1.6, band["mean"] + 4 * np.sqrt(max(n * p * (1 - p), 1)), 5))
    k = np.arange(0, min(hi, n) + 1)
    pmf = stats.binom.pmf(k, n, p)
    inside = (k >= band["lower"]) & (k <= band["upper"])
    ax.bar(k[inside], pmf[inside], color=PALETTE[0], zorder=2,
           label=t("funnel.band", lang, level=100 * band["level"], lo=band["lower"], hi=band["upper"]))
    ax.bar(k[~inside], pmf[~inside], color="lightgrey", zorder=2)
    ax.axvline(band["mean"], color=PALETTE[3], lw=2, label=t("funnel.expected", lang, m=band["mean"]))
    ax.set_xlabel(t("funnel.deals", lang))
    ax.set_ylabel(t("funnel.probability", lang))
    ax.legend(loc="upper right", fontsize=8)
    r1, r2 = (list(rates) + [1.0, 1.0])[:2]
    ax.set_title(t("funnel.whatif_title", lang, n=n, r1=r1, r2=r2))
    return ax
