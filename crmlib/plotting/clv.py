"""Figures of the chapter "Customer lifetime value": the textbook cases, the sBG
retention model and the buy-till-you-die models on CDNOW.

Every function only draws what it is given (computation lives in
:mod:`crmlib.clv` and :mod:`crmlib.clv.btyd`), takes ``lang`` for its labels and
``ax=None``, and returns the Axes.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..i18n import t
from . import PALETTE, get_ax, weight

__all__ = [
    "cases_chart", "implied_margin_heatmap", "implied_margin_figure", "clv_horizon_chart", "current_value_waterfall",
    "sbg_projection_chart", "retention_curve_chart", "fr_heatmap", "holdout_by_frequency_chart",
    "tracking_chart", "clv_distribution_chart", "equity_concentration_chart",
]


def _usd(v: float) -> str:
    """Compact US-dollar label; the dollar sign is escaped so matplotlib never reads ``$…$`` as maths."""
    if abs(v) >= 1e6:
        text = f"{v / 1e6:.2f}M"
    elif abs(v) >= 1e4:
        text = f"{v / 1e3:.0f}k"
    elif abs(v) >= 1e3:
        text = f"{v / 1e3:.1f}k"
    elif abs(v) >= 1 or v == 0:
        text = f"{v:,.0f}"
    else:
        text = f"{v:.2g}"
    return "\\$" + text


def _case_label(case: str, lang: str) -> str:
    return t(f"clv.case.{case}", lang)


# ------------------------------------------------------------------ Part 1
def cases_chart(cases: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """Bars of the printed lifetime values, annotated with horizon and undiscounted yearly margin.

    ``cases`` needs ``case``, ``horizon_years``, ``clv_usd`` and ``margin_undiscounted``.

    Parameters
    ----------
    cases : pandas.DataFrame
        ``case``, ``horizon_years``, ``clv_usd`` and ``margin_undiscounted``.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 3.4))
    c = cases.reset_index(drop=True)
    y = np.arange(len(c))[::-1]
    ax.barh(y, c["clv_usd"], color=[PALETTE[i] for i in range(len(c))], zorder=2)
    for yi, (_, r) in zip(y, c.iterrows()):
        ax.text(r["clv_usd"] + c["clv_usd"].max() * 0.01, yi,
                t("clv.case_note", lang, clv=_usd(r["clv_usd"]), T=int(r["horizon_years"]),
                  m=_usd(r["margin_undiscounted"])), va="center", fontsize=9)
    ax.set_yticks(y, [_case_label(k, lang) for k in c["case"]])
    ax.set_xlim(0, c["clv_usd"].max() * 1.75)
    ax.set_xlabel(t("clv.clv_usd", lang))
    ax.xaxis.set_major_formatter(lambda v, _: _usd(v))
    ax.set_title(t("clv.cases_title", lang))
    return ax


def implied_margin_heatmap(grid: pd.DataFrame, *, lang: str = "en", ax: Any = None,
                           title: str | None = None) -> Any:
    """Implied yearly margin (rows retention, columns discount) as an annotated heatmap.

    Parameters
    ----------
    grid : pandas.DataFrame
        :func:`crmlib.clv.implied_margin_grid` output; colours on a log scale.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        The panel's title (already in ``lang``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns
    from matplotlib.colors import LogNorm
    from matplotlib.ticker import LogLocator, NullFormatter

    ax = get_ax(ax, (5.6, 5.0))
    g = grid.sort_index(ascending=False)
    vals = g.to_numpy(dtype=float)
    labels = np.vectorize(_usd)(vals)
    sns.heatmap(g, ax=ax, cmap="viridis", norm=LogNorm(vmin=vals.min(), vmax=vals.max()), annot=labels, fmt="",
                annot_kws={"fontsize": 8.5}, linewidths=0.6, linecolor="white", square=False,
                xticklabels=[f"{d:.0%}" for d in g.columns], yticklabels=[f"{r:.0%}" for r in g.index],
                cbar_kws={"label": t("clv.implied_margin", lang), "fraction": 0.05, "pad": 0.03})
    cb = ax.collections[0].colorbar
    cb.ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    cb.ax.yaxis.set_major_formatter(lambda v, _: _usd(v))
    cb.ax.yaxis.set_minor_formatter(NullFormatter())
    cb.ax.tick_params(labelsize=8)
    ax.tick_params(axis="both", labelsize=9, rotation=0)
    ax.set_xlabel(t("clv.discount_rate", lang))
    ax.set_ylabel(t("clv.retention_rate", lang))
    if title:
        ax.set_title(title, fontsize=11)
    return ax


def implied_margin_figure(grids: Mapping[str, pd.DataFrame], cases: pd.DataFrame, *, lang: str = "en") -> Any:
    """One heatmap of implied yearly margins per printed case, side by side (Figure 5.2).

    Parameters
    ----------
    grids : mapping of str to pandas.DataFrame
        Case -> :func:`crmlib.clv.implied_margin_grid` of its printed value.
    cases : pandas.DataFrame
        ``case`` and ``clv_usd`` (the printed values, for the panel titles), in panel order.
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.figure.Figure
        A multi-panel figure (this helper returns the Figure, not an Axes).
    """
    import matplotlib.pyplot as plt

    missing = [c for c in cases["case"] if c not in grids]
    if missing:
        raise KeyError(f"grids has no grid for case {missing[0]!r}")
    fig, axes = plt.subplots(1, len(cases), figsize=(6.0 * len(cases), 5.2), squeeze=False)
    for ax, (_, c) in zip(axes[0], cases.iterrows()):
        implied_margin_heatmap(grids[c["case"]], lang=lang, ax=ax,
                               title=t("clv.heatmap_title", lang, case=_case_label(c["case"], lang),
                                       clv=_usd(c["clv_usd"])))
    fig.tight_layout(w_pad=2.5)
    return fig


def clv_horizon_chart(curve: pd.Series, cases: pd.DataFrame, horizon: int | None = None, *, lang: str = "en",
                      ax: Any = None) -> Any:
    """Cumulative CLV against horizon for the chosen inputs, with the three cases marked.

    Parameters
    ----------
    curve : Series
        Horizon (years) -> CLV for the what-if's margin, retention and discount.
    cases : DataFrame
        ``case``, ``horizon_years``, ``clv_usd`` (as printed) and ``clv_model`` (the
        case's undiscounted margin under the what-if's retention and discount).
    horizon : int, optional
        The what-if's horizon, marked on the curve (when it is in ``curve``'s index).
    lang : {"en", "zh"}
        Language of the axis labels and legend.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure otherwise.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.lines import Line2D

    ax = get_ax(ax, (8.0, 4.6))
    ax.plot(curve.index, curve.to_numpy(), color="black", lw=2, zorder=3)
    if horizon is not None and horizon in curve.index:
        ax.plot(horizon, curve[horizon], "s", color="black", ms=7, zorder=4)
        ax.annotate(_usd(curve[horizon]), (horizon, curve[horizon]), xytext=(0, 8), textcoords="offset points",
                    ha="center", fontsize=9)
    # cases that share a horizon are spread symmetrically around it, so none hides another
    same = cases.groupby("horizon_years").cumcount().to_numpy()
    count = cases.groupby("horizon_years")["case"].transform("size").to_numpy()
    for i, (_, r) in enumerate(cases.iterrows()):
        col = PALETTE[i]
        x = r["horizon_years"] + 0.7 * (same[i] - (count[i] - 1) / 2)
        ax.plot(x, r["clv_usd"], "o", color=col, ms=8, zorder=4)
        ax.plot(x, r["clv_model"], "D", mfc="white", color=col, ms=8, zorder=4)
        ax.annotate("", (x, r["clv_model"]), (x, r["clv_usd"]),
                    arrowprops=dict(arrowstyle="->", color=col, lw=1))
        ax.annotate(t(f"clv.case_short.{r['case']}", lang), (x, r["clv_usd"]), xytext=(8, 0),
                    textcoords="offset points", va="center", fontsize=9, color=col)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(lambda v, _: _usd(v))
    ax.set_xlim(0, max(curve.index.max(), cases["horizon_years"].max()) + 4)
    ax.set_xlabel(t("clv.horizon_years", lang))
    ax.set_ylabel(t("clv.clv_usd", lang))
    handles = [Line2D([], [], color="black", lw=2, label=t("clv.whatif_curve", lang)),
               Line2D([], [], ls="", marker="o", color="grey", ms=8, label=t("core.printed", lang)),
               Line2D([], [], ls="", marker="D", mfc="white", color="grey", ms=8,
                      label=t("clv.under_assumptions", lang))]
    # below the plot: a legend inside would cover whichever case sits in its corner
    ax.legend(handles=handles, fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3,
              frameon=False)
    ax.set_title(t("clv.whatif_title", lang))
    return ax


def current_value_waterfall(amounts: pd.Series, signs: pd.Series, *, lang: str = "en", ax: Any = None) -> Any:
    """Waterfall of the current-value formula: price paid, minus each cost, = net profit now.

    ``amounts`` and ``signs`` are indexed by term id (``price_paid``, ``production_cost`` …).

    Parameters
    ----------
    amounts : pandas.Series
        Term id -> amount.
    signs : pandas.Series
        Term id -> +1 or -1.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (7.5, 3.8))
    level = peak = 0.0
    x = np.arange(len(amounts) + 1)
    for i, (term, a) in enumerate(amounts.items()):
        s = float(signs[term])
        new = level + s * float(a)
        ax.bar(i, new - level, bottom=level, color=PALETTE[2] if s > 0 else PALETTE[3], zorder=2)
        if s > 0:
            ax.text(i, new, f"+{a:,.0f}", ha="center", va="bottom", fontsize=9)
        else:   # a cost: label under the bar, where the running total lands
            ax.text(i, new, f"−{a:,.0f}", ha="center", va="top", fontsize=9)
        peak = max(peak, level, new)
        level = new
    ax.bar(len(amounts), level, color=PALETTE[0], zorder=2)
    ax.text(len(amounts), max(level, 0), f"{level:,.0f}", ha="center", va="bottom", fontsize=9,
            fontweight=weight(lang))
    ax.set_ylim(min(0.0, level) * 1.15, peak * 1.12)
    labels = [t(f"clv.term.{k}", lang) for k in amounts.index] + [t("clv.term.net_profit", lang)]
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylabel(t("clv.money", lang))
    ax.set_title(t("clv.current_value_title", lang))
    return ax


# ------------------------------------------------------------------ Part 2
def _cohort_chart(ax: Any, years: np.ndarray, actual: Mapping[str, np.ndarray], sbg: Mapping[str, np.ndarray],
                  constant: Mapping[str, Any], lang: str) -> None:
    """Per cohort: actual dots, sBG line and the constant-retention benchmark (a curve, or a level)."""
    for i, cohort in enumerate(actual):
        col = PALETTE[i]
        name = t(f"clv.cohort.{cohort}", lang)
        ax.plot(years, actual[cohort], "o", color=col, ms=5, label=f"{name} — {t('clv.actual', lang)}")
        ax.plot(years, sbg[cohort], "-", color=col, lw=1.8, label=f"{name} — sBG")
        bench = np.broadcast_to(np.asarray(constant[cohort], dtype=float), np.shape(years))
        ax.plot(years, bench, ":", color=col, lw=1.5, label=f"{name} — {t('clv.constant_retention', lang)}")


def sbg_projection_chart(years: np.ndarray, actual: Mapping[str, np.ndarray], sbg: Mapping[str, np.ndarray],
                         constant: Mapping[str, np.ndarray], calibration_end: int, *, lang: str = "en",
                         ax: Any = None) -> Any:
    """Survivors by year: actual, sBG fit/projection and a constant-retention projection per cohort.

    Parameters
    ----------
    years : numpy.ndarray
        Periods 0 … n.
    actual, sbg, constant : mapping of str to array
        Cohort -> survivors observed, by the sBG model, by the constant rate.
    calibration_end : int
        Last calibration period (marked).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.6))
    _cohort_chart(ax, years, actual, sbg, constant, lang)
    ax.axvline(calibration_end, color="grey", ls="--", lw=1)
    ax.text(calibration_end + 0.15, ax.get_ylim()[1] * 0.02, t("clv.projection_starts", lang), color="grey",
            fontsize=8, va="bottom")
    ax.set_xlabel(t("clv.year", lang))
    ax.set_ylabel(t("clv.survivors", lang))
    ax.legend(fontsize=7.5, ncol=2, loc="upper right", frameon=False)
    ax.set_title(t("clv.sbg_title", lang))
    return ax


def retention_curve_chart(years: np.ndarray, actual: Mapping[str, np.ndarray], sbg: Mapping[str, np.ndarray],
                          constant: Mapping[str, float], calibration_end: int, *, lang: str = "en",
                          ax: Any = None) -> Any:
    """Year-on-year retention rate: observed, sBG ``r(t)`` and the constant rate per cohort.

    Parameters
    ----------
    years : numpy.ndarray
        Periods 1 … n.
    actual, sbg : mapping of str to array
        Cohort -> period-on-period retention observed and by the sBG model.
    constant : mapping of str to float
        Cohort -> the constant rate.
    calibration_end : int
        Last calibration period (marked).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.2))
    _cohort_chart(ax, years, actual, sbg, constant, lang)
    ax.axvline(calibration_end + 0.5, color="grey", ls="--", lw=1)
    ax.set_xlabel(t("clv.year", lang))
    ax.set_ylabel(t("clv.retention_rate", lang))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend(fontsize=7.5, ncol=2, loc="lower right", frameon=False)
    ax.set_title(t("clv.retention_title", lang))
    return ax


# ------------------------------------------------------------------ Part 3
def fr_heatmap(matrix: pd.DataFrame, value_key: str, title_key: str, *, lang: str = "en", ax: Any = None,
               fmt: str = "{:.1f}", cmap: str = "viridis", vmin: float | None = None,
               vmax: float | None = None, annotate: bool = False) -> Any:
    """Heatmap over repeat frequency (rows) × recency (columns), e.g. expected purchases or P(alive).

    ``annotate`` writes each cell's value (``fmt``) into it; keep it for small grids.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Frequency (rows) × recency (columns), e.g. ``frequency_recency_matrix``.
    value_key, title_key : str
        Label keys of the colour bar and the title.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    fmt : str
        Cell format when annotated.
    cmap : str
    vmin, vmax : float, optional
        Colour range.
    annotate : bool
        Write each cell's value.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns

    ax = get_ax(ax, (7.2, 5.0))
    m = matrix.sort_index(ascending=False)
    annot = np.vectorize(fmt.format)(m.to_numpy(dtype=float)) if annotate else False
    sns.heatmap(m, ax=ax, cmap=cmap, vmin=vmin, vmax=vmax, annot=annot, fmt="", annot_kws={"fontsize": 6.5},
                xticklabels=[f"{c:g}" for c in m.columns], yticklabels=[f"{r:g}" for r in m.index],
                cbar_kws={"label": t(value_key, lang), "fraction": 0.046, "pad": 0.03})
    ax.collections[0].colorbar.ax.yaxis.label.set_size(8)
    ax.tick_params(axis="both", labelsize=8, rotation=0)
    ax.set_xlabel(t("clv.recency_weeks", lang))
    ax.set_ylabel(t("clv.frequency", lang))
    ax.set_title(t(title_key, lang))
    return ax


def holdout_by_frequency_chart(table: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """Mean holdout repeat purchases by calibration frequency: actual against model predictions.

    ``table`` is indexed by frequency bucket (labels) with column ``actual`` and one column
    per model (``bgnbd``, ``pnbd``).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`crmlib.clv.btyd.holdout_by_frequency`: ``actual`` and one column per model.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.2))
    x = np.arange(len(table))
    models = [c for c in table.columns if c not in ("actual", "customers")]
    width = 0.8 / (len(models) + 1)
    ax.bar(x - 0.4 + width / 2, table["actual"], width, color="grey", label=t("clv.actual", lang), zorder=2)
    for k, mname in enumerate(models, start=1):
        ax.bar(x - 0.4 + width / 2 + k * width, table[mname], width, color=PALETTE[k - 1],
               label=t(f"clv.model.{mname}", lang), zorder=2)
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.set_xlabel(t("clv.frequency_calibration", lang))
    ax.set_ylabel(t("clv.holdout_purchases", lang))
    ax.legend(fontsize=9, frameon=False)
    ax.set_title(t("clv.holdout_title", lang))
    return ax


def tracking_chart(weeks: np.ndarray, actual: np.ndarray, predicted: Mapping[str, np.ndarray],
                   calibration_end: float, *, lang: str = "en", ax: Any = None) -> Any:
    """Cumulative repeat transactions by week: actual and each model, calibration boundary marked.

    Parameters
    ----------
    weeks : numpy.ndarray
    actual : numpy.ndarray
        Cumulative repeat transactions.
    predicted : mapping of str to array
        Model -> its cumulative forecast.
    calibration_end : float
        Marked week.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.2))
    ax.plot(weeks, actual, color="black", lw=2, label=t("clv.actual", lang))
    for k, (mname, pred) in enumerate(predicted.items()):
        ax.plot(weeks, pred, ls="--", color=PALETTE[k], lw=1.8, label=t(f"clv.model.{mname}", lang))
    ax.axvline(calibration_end, color="grey", ls=":", lw=1.2)
    ax.text(calibration_end, ax.get_ylim()[1] * 0.05, " " + t("clv.calibration_end", lang), color="grey",
            fontsize=8)
    ax.set_xlabel(t("clv.week", lang))
    ax.set_ylabel(t("clv.cum_repeat", lang))
    ax.legend(fontsize=9, frameon=False, loc="upper left")
    ax.set_title(t("clv.tracking_title", lang))
    return ax


def clv_distribution_chart(values: np.ndarray, *, lang: str = "en", ax: Any = None, floor: float = 1.0) -> Any:
    """Histogram of per-customer discounted CLV (log-spaced bins), mean and median marked.

    Values below ``floor`` (and zeros) are counted in the first bin, labelled "≤ floor".

    Parameters
    ----------
    values : numpy.ndarray
        CLV per customer.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    floor : float
        Values below it share the first bin.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.0))
    v = np.asarray(values, dtype=float)
    lo = max(float(floor), 1e-9)
    hi = max(float(v.max()), lo * 10)
    bins = np.logspace(np.log10(lo), np.log10(hi), 40)
    ax.hist(np.clip(v, lo, None), bins=bins, color=PALETTE[0], alpha=0.85, zorder=2)
    ax.set_xscale("log")
    for stat, key, col in ((np.mean(v), "clv.mean", PALETTE[3]), (np.median(v), "clv.median", PALETTE[1])):
        ax.axvline(stat, color=col, ls="--", lw=1.5, label=f"{t(key, lang)} {_usd(stat)}")
    ax.xaxis.set_major_formatter(lambda x, _: ("≤ " if np.isclose(x, lo) else "") + _usd(x))
    ax.set_xlim(lo, hi * 1.1)
    ax.set_xlabel(t("clv.clv_customer", lang))
    ax.set_ylabel(t("clv.customers", lang))
    ax.legend(fontsize=9, frameon=False)
    ax.set_title(t("clv.distribution_title", lang))
    return ax


def equity_concentration_chart(values: np.ndarray, top20: float, *, lang: str = "en", ax: Any = None) -> Any:
    """Share of customer equity held by the most valuable customers (a concentration curve).

    Parameters
    ----------
    values : array of float
        CLV per customer.
    top20 : float
        Share of the equity held by the top 20 % (:func:`crmlib.clv.top_share`), marked on the curve.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (6.5, 4.2))
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    share_c = np.arange(1, v.size + 1) / v.size
    share_e = np.cumsum(v) / v.sum()
    ax.plot(100 * share_c, 100 * share_e, color=PALETTE[0], lw=2)
    ax.plot([0, 100], [0, 100], color="grey", ls=":", lw=1)
    ax.plot(20, 100 * top20, "o", color=PALETTE[3])
    ax.annotate(t("clv.top20", lang, share=f"{top20:.0%}"), (20, 100 * top20),
                xytext=(15, -25), textcoords="offset points", fontsize=9, color=PALETTE[3])
    ax.set_xlabel(t("clv.customers_sorted_pct", lang))
    ax.set_ylabel(t("clv.equity_share_pct", lang))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 101)
    ax.set_title(t("clv.equity_title", lang, total=_usd(v.sum())))
    return ax
