"""Figures of customer lifetime value: the textbook cases, the sBG retention model and the
buy-till-you-die models (chapter 5 draws them on CDNOW; they draw anyone's data).

Every function only draws what it is given (computation lives in
:mod:`crmlib.clv` and :mod:`crmlib.clv.btyd`), takes ``lang`` for its labels and
``ax=None``, and returns the Axes. Every text can be given as free text: ``title``,
``xlabel``, ``ylabel`` and, where named series are drawn, ``names`` (series key -> legend
text). Without them the texts come from the label tables (``crmlib/labels/clv.csv``) in
``lang``; texts that state a horizon or a window are computed from the data passed in — a
:meth:`~crmlib.clv.btyd.BetaGeoResults.frequency_recency_matrix` or a
:func:`~crmlib.clv.btyd.holdout_by_frequency` table carries its unit and windows in ``attrs``
(from the summary of :func:`crmlib.clv.rfm.summarize`). Fits and cohorts can have any name:
a known model id (``"bgnbd"``, ``"pnbd"``) shows its label-table name, any other name shows as
given.
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
    "tracking_chart", "clv_distribution_chart", "equity_concentration_chart", "period_transactions_chart",
    "alive_history_chart", "heterogeneity_chart", "heterogeneity_figure",
]


def _usd(v: float, lang: str, unit: bool = True) -> str:
    """Money for a figure in ``lang`` (:func:`crmlib.fmt.money`, compact): "US$24 k" / "2.4万美元"; ``unit=False``
    for ticks and cells under a label that names the unit ("2.4万"). The dollar sign is escaped so that
    matplotlib never reads ``$…$`` as maths."""
    from ..fmt import money

    v = float(v)
    if lang == "zh":
        text = money(v, "zh") if abs(v) >= 1 or v == 0 else f"{v:.2g}美元"
        return text if unit else text.removesuffix("美元")
    text = money(v, "en", compact=True) if abs(v) >= 1 or v == 0 else f"US${v:.2g}"
    return (text if unit else text.replace("US$", "")).replace("$", "\\$")


def _case_label(case: str, lang: str) -> str:
    return t(f"clv.case.{case}", lang)


def _or(free: str | None, key: str, lang: str, **fmt: Any) -> str:
    """``free`` text when given, else label ``key`` in ``lang``."""
    return free if free is not None else t(key, lang, **fmt)


def _filled(free: str | None, key: str, fallback: str, lang: str, **ctx: Any) -> str:
    """``free`` text when given, else label ``key`` filled from ``ctx``; ``fallback``'s plain text when a
    value the label needs is unknown (None in ``ctx``)."""
    if free is not None:
        return free
    known = {k: v for k, v in ctx.items() if v is not None}
    try:
        return t(key, lang, **known)
    except KeyError as err:
        if "needs a value" not in str(err):
            raise
        return t(fallback, lang)


def _name(key: Any, lang: str, names: Mapping[Any, str] | None, prefix: str) -> str:
    """A series' name: ``names[key]`` when given, the label ``prefix + key`` when there is one, else the key."""
    if names and key in names:
        return str(names[key])
    try:
        return t(f"{prefix}{key}", lang)
    except KeyError:
        return str(key)


def _num(v: float) -> str:
    """A period count as people write it: ``39``, ``38.9``."""
    v = float(v)
    return f"{v:.0f}" if v == round(v) else f"{v:.1f}"


def _amount(n: float, period: str | None, lang: str) -> str | None:
    """``"52 weeks"`` / ``"52 周"`` (None when the unit is unknown)."""
    if period is None:
        return None
    key = "clv.amount_one" if float(n) == 1 else "clv.amount"
    return t(key, lang, n=_num(n), units=t(f"clv.unit.{period}", lang), unit=t(f"clv.unit_one.{period}", lang))


def _span(first: float, last: float, period: str | None, lang: str) -> str | None:
    """``"weeks 40–78"`` / ``"第 40–78 周"`` (None when the unit is unknown)."""
    if period is None:
        return None
    fmt = {"first": _num(first), "last": _num(last), "units": t(f"clv.unit.{period}", lang),
           "unit": t(f"clv.unit_one.{period}", lang)}
    return t("clv.span_one" if float(first) == float(last) else "clv.span", lang, **fmt)


def _unit(period: str | None, lang: str) -> str | None:
    return None if period is None else t(f"clv.unit_one.{period}", lang)


def _decorate(ax: Any, title: str | None, xlabel: str | None, ylabel: str | None) -> Any:
    """Set the texts that are not None."""
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return ax


# ------------------------------------------------------------------ Part 1
def cases_chart(cases: pd.DataFrame, *, lang: str = "en", ax: Any = None, title: str | None = None,
                xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Bars of the printed lifetime values, annotated with horizon and undiscounted yearly margin.

    Parameters
    ----------
    cases : pandas.DataFrame
        ``case``, ``horizon_years``, ``clv_usd`` and ``margin_undiscounted``; a case with a
        ``clv.case.<case>`` label shows it, any other shows its name.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text instead of the label-table defaults (no y label by default).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 3.4))
    c = cases.reset_index(drop=True)
    y = np.arange(len(c))[::-1]
    ax.barh(y, c["clv_usd"], color=[PALETTE[i % len(PALETTE)] for i in range(len(c))], zorder=2)
    for yi, (_, r) in zip(y, c.iterrows()):
        ax.text(r["clv_usd"] + c["clv_usd"].max() * 0.01, yi,
                t("clv.case_note", lang, clv=_usd(r["clv_usd"], lang), T=int(r["horizon_years"]),
                  m=_usd(r["margin_undiscounted"], lang)), va="center", fontsize=9)
    ax.set_yticks(y, [_name(k, lang, None, "clv.case.") for k in c["case"]])
    ax.set_xlim(0, c["clv_usd"].max() * 1.75)
    ax.xaxis.set_major_formatter(lambda v, _: _usd(v, lang, unit=False))
    return _decorate(ax, _or(title, "clv.cases_title", lang), _or(xlabel, "clv.clv_usd", lang), ylabel)


def implied_margin_heatmap(grid: pd.DataFrame, *, lang: str = "en", ax: Any = None,
                           title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                           value_label: str | None = None) -> Any:
    """Implied yearly margin (rows retention, columns discount) as an annotated heatmap.

    Parameters
    ----------
    grid : pandas.DataFrame
        :func:`crmlib.clv.implied_margin_grid` output; colours on a log scale.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        The panel's title (already in ``lang``); none by default.
    xlabel, ylabel, value_label : str, optional
        Free text for the axes and the colour bar instead of the label-table defaults.

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
    labels = np.vectorize(lambda v: _usd(v, lang, unit=False))(vals)
    sns.heatmap(g, ax=ax, cmap="viridis", norm=LogNorm(vmin=vals.min(), vmax=vals.max()), annot=labels, fmt="",
                annot_kws={"fontsize": 8.5}, linewidths=0.6, linecolor="white", square=False,
                xticklabels=[f"{d:.0%}" for d in g.columns], yticklabels=[f"{r:.0%}" for r in g.index],
                cbar_kws={"label": _or(value_label, "clv.implied_margin", lang), "fraction": 0.05, "pad": 0.03})
    cb = ax.collections[0].colorbar
    cb.ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    cb.ax.yaxis.set_major_formatter(lambda v, _: _usd(v, lang, unit=False))
    cb.ax.yaxis.set_minor_formatter(NullFormatter())
    cb.ax.tick_params(labelsize=8)
    ax.tick_params(axis="both", labelsize=9, rotation=0)
    _decorate(ax, None, _or(xlabel, "clv.discount_rate", lang), _or(ylabel, "clv.retention_rate", lang))
    if title:
        ax.set_title(title, fontsize=11)
    return ax


def implied_margin_figure(grids: Mapping[str, pd.DataFrame], cases: pd.DataFrame, *, lang: str = "en",
                          title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """One heatmap of implied yearly margins per printed case, side by side (Figure 5.2).

    Parameters
    ----------
    grids : mapping of str to pandas.DataFrame
        Case -> :func:`crmlib.clv.implied_margin_grid` of its printed value.
    cases : pandas.DataFrame
        ``case`` and ``clv_usd`` (the printed values, for the panel titles), in panel order.
    lang : {"en", "zh"}
    title : str, optional
        A title above all panels (none by default; each panel names its case).
    xlabel, ylabel : str, optional
        Free text for every panel's axes instead of the label-table defaults.

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
        implied_margin_heatmap(grids[c["case"]], lang=lang, ax=ax, xlabel=xlabel, ylabel=ylabel,
                               title=t("clv.heatmap_title", lang, case=_name(c["case"], lang, None, "clv.case."),
                                       clv=_usd(c["clv_usd"], lang)))
    if title is not None:
        fig.suptitle(title)
    fig.tight_layout(w_pad=2.5)
    return fig


def clv_horizon_chart(curve: pd.Series, cases: pd.DataFrame, horizon: int | None = None, *, lang: str = "en",
                      ax: Any = None, title: str | None = None, xlabel: str | None = None,
                      ylabel: str | None = None, names: Mapping[str, str] | None = None) -> Any:
    """Cumulative CLV against horizon for the chosen inputs, with the cases marked.

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
    title, xlabel, ylabel : str, optional
        Free text instead of the label-table defaults.
    names : mapping of str to str, optional
        Legend texts by series: ``"curve"``, ``"printed"``, ``"model"``; and case name -> the
        text beside its marker.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.lines import Line2D

    ax = get_ax(ax, (8.0, 4.6))
    ax.plot(curve.index, curve.to_numpy(), color="black", lw=2, zorder=3)
    if horizon is not None and horizon in curve.index:
        ax.plot(horizon, curve[horizon], "s", color="black", ms=7, zorder=4)
        ax.annotate(_usd(curve[horizon], lang), (horizon, curve[horizon]), xytext=(0, 8), textcoords="offset points",
                    ha="center", fontsize=9)
    # cases that share a horizon are spread symmetrically around it, so none hides another
    same = cases.groupby("horizon_years").cumcount().to_numpy()
    count = cases.groupby("horizon_years")["case"].transform("size").to_numpy()
    for i, (_, r) in enumerate(cases.iterrows()):
        col = PALETTE[i % len(PALETTE)]
        x = r["horizon_years"] + 0.7 * (same[i] - (count[i] - 1) / 2)
        ax.plot(x, r["clv_usd"], "o", color=col, ms=8, zorder=4)
        ax.plot(x, r["clv_model"], "D", mfc="white", color=col, ms=8, zorder=4)
        ax.annotate("", (x, r["clv_model"]), (x, r["clv_usd"]),
                    arrowprops=dict(arrowstyle="->", color=col, lw=1))
        ax.annotate(_name(r["case"], lang, names, "clv.case_short."), (x, r["clv_usd"]), xytext=(8, 0),
                    textcoords="offset points", va="center", fontsize=9, color=col)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(lambda v, _: _usd(v, lang, unit=False))
    ax.set_xlim(0, max(curve.index.max(), cases["horizon_years"].max()) + 4)
    legend = {"curve": "clv.whatif_curve", "printed": "core.printed", "model": "clv.under_assumptions"}
    text = {k: (names or {}).get(k) or t(key, lang) for k, key in legend.items()}
    handles = [Line2D([], [], color="black", lw=2, label=text["curve"]),
               Line2D([], [], ls="", marker="o", color="grey", ms=8, label=text["printed"]),
               Line2D([], [], ls="", marker="D", mfc="white", color="grey", ms=8, label=text["model"])]
    # below the plot: a legend inside would cover whichever case sits in its corner
    ax.legend(handles=handles, fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3,
              frameon=False)
    return _decorate(ax, _or(title, "clv.whatif_title", lang), _or(xlabel, "clv.horizon_years", lang),
                     _or(ylabel, "clv.clv_usd", lang))


def current_value_waterfall(amounts: pd.Series, signs: pd.Series, *, lang: str = "en", ax: Any = None,
                            title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                            names: Mapping[str, str] | None = None) -> Any:
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
    title, xlabel, ylabel : str, optional
        Free text instead of the label-table defaults (no x label by default).
    names : mapping of str to str, optional
        Term id (and ``"net_profit"`` for the last bar) -> its tick label; terms with a
        ``clv.term.<id>`` label show it by default, any other shows its id.

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
    labels = [_name(k, lang, names, "clv.term.") for k in [*amounts.index, "net_profit"]]
    ax.set_xticks(x, labels, fontsize=8)
    return _decorate(ax, _or(title, "clv.current_value_title", lang), xlabel, _or(ylabel, "clv.money", lang))


# ------------------------------------------------------------------ Part 2
def _cohort_chart(ax: Any, years: np.ndarray, actual: Mapping[str, np.ndarray], sbg: Mapping[str, np.ndarray],
                  constant: Mapping[str, Any], lang: str, names: Mapping[str, str] | None) -> None:
    """Per cohort: actual dots, sBG line and the constant-retention benchmark (a curve, or a level)."""
    for i, cohort in enumerate(actual):
        col = PALETTE[i % len(PALETTE)]
        name = _name(cohort, lang, names, "clv.cohort.")
        ax.plot(years, actual[cohort], "o", color=col, ms=5, label=f"{name} — {t('clv.actual', lang)}")
        ax.plot(years, sbg[cohort], "-", color=col, lw=1.8, label=f"{name} — sBG")
        bench = np.broadcast_to(np.asarray(constant[cohort], dtype=float), np.shape(years))
        ax.plot(years, bench, ":", color=col, lw=1.5, label=f"{name} — {t('clv.constant_retention', lang)}")


def sbg_projection_chart(years: np.ndarray, actual: Mapping[str, np.ndarray], sbg: Mapping[str, np.ndarray],
                         constant: Mapping[str, np.ndarray], calibration_end: int, *, lang: str = "en",
                         ax: Any = None, period: str = "Y", title: str | None = None, xlabel: str | None = None,
                         ylabel: str | None = None, names: Mapping[str, str] | None = None) -> Any:
    """Survivors by period: actual, sBG fit/projection and a constant-retention projection per cohort.

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
    period : {"Y", "Q", "M", "W", "D", "h"}, default "Y"
        The unit of ``years``, for the default texts ("fit on years 1–7").
    title, xlabel, ylabel : str, optional
        Free text instead of the defaults; the default title states the fit and projection
        periods of the data, the y label the cohorts' common size.
    names : mapping of str to str, optional
        Cohort -> its name in the legend; cohorts with a ``clv.cohort.<key>`` label show it by
        default, any other shows its key.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.6))
    _cohort_chart(ax, years, actual, sbg, constant, lang, names)
    ax.axvline(calibration_end, color="grey", ls="--", lw=1)
    ax.text(calibration_end + 0.15, ax.get_ylim()[1] * 0.02, t("clv.projection_starts", lang), color="grey",
            fontsize=8, va="bottom")
    last = float(np.max(years))
    sizes = {float(np.asarray(v, dtype=float)[0]) for v in actual.values()}
    size = _num(sizes.pop()) if len(sizes) == 1 else None
    ax.legend(fontsize=7.5, ncol=2, loc="upper right", frameon=False)
    return _decorate(ax, _filled(title, "clv.sbg_title", "clv.sbg_title", lang,
                                 fit=_span(1, calibration_end, period, lang),
                                 projection=_span(calibration_end + 1, last, period, lang)),
                     _or(xlabel, f"clv.axis.{period}", lang),
                     _filled(ylabel, "clv.survivors", "clv.survivors_plain", lang, n=size))


def retention_curve_chart(years: np.ndarray, actual: Mapping[str, np.ndarray], sbg: Mapping[str, np.ndarray],
                          constant: Mapping[str, float], calibration_end: int, *, lang: str = "en",
                          ax: Any = None, period: str = "Y", title: str | None = None, xlabel: str | None = None,
                          ylabel: str | None = None, names: Mapping[str, str] | None = None) -> Any:
    """Period-on-period retention rate: observed, sBG ``r(t)`` and the constant rate per cohort.

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
    period : {"Y", "Q", "M", "W", "D", "h"}, default "Y"
        The unit of ``years`` ("Retention rate per year").
    title, xlabel, ylabel : str, optional
        Free text instead of the label-table defaults.
    names : mapping of str to str, optional
        Cohort -> its name in the legend (as in :func:`sbg_projection_chart`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.2))
    _cohort_chart(ax, years, actual, sbg, constant, lang, names)
    ax.axvline(calibration_end + 0.5, color="grey", ls="--", lw=1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend(fontsize=7.5, ncol=2, loc="lower right", frameon=False)
    return _decorate(ax, _or(title, "clv.retention_title", lang), _or(xlabel, f"clv.axis.{period}", lang),
                     _or(ylabel, "clv.retention_per", lang, unit=_unit(period, lang)))


# ------------------------------------------------------------------ Part 3
#: Default texts of :func:`fr_heatmap` by kind: colour bar, title (each with the plain text used when the
#: matrix does not say its horizon, unit or model).
_FR_TEXTS = {"expected": (("clv.exp_purchases", "clv.exp_purchases_plain"),
                          ("clv.exp_purchases_title", "clv.exp_purchases_title_plain")),
             "alive": (("clv.p_alive", "clv.p_alive"), ("clv.p_alive_title", "clv.p_alive_title_plain"))}


def fr_heatmap(matrix: pd.DataFrame, value_key: str | None = None, title_key: str | None = None, *,
               lang: str = "en", ax: Any = None, fmt: str = "{:.1f}", cmap: str = "viridis",
               vmin: float | None = None, vmax: float | None = None, annotate: bool = False,
               title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
               value_label: str | None = None) -> Any:
    """Heatmap over repeat frequency (rows) × recency (columns), e.g. expected purchases or P(alive).

    The default texts state what the matrix holds, read from its ``attrs`` (written by
    :meth:`~crmlib.clv.btyd.BetaGeoResults.frequency_recency_matrix`): the horizon ("expected
    purchases in the next 17 weeks"), the observation length (frequency in "weeks 1–39"), the
    unit of recency and the model's name. A matrix without them gets the same texts without
    the numbers.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Frequency (rows) × recency (columns), e.g. ``frequency_recency_matrix``.
    value_key, title_key : str, optional
        Label keys of the colour bar and the title (filled with ``horizon``, ``model``);
        by default those of the matrix's kind (expected purchases or P(alive)).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    fmt : str
        Cell format when annotated.
    cmap : str
    vmin, vmax : float, optional
        Colour range.
    annotate : bool
        Write each cell's value (keep it for small grids).
    title, xlabel, ylabel, value_label : str, optional
        Free text for the title, the axes and the colour bar instead of the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns

    meta = matrix.attrs
    period = meta.get("period")
    (value_default, value_plain), (title_default, title_plain) = _FR_TEXTS[meta.get("kind", "expected")]
    horizon = _amount(meta["t"], period, lang) if meta.get("t") is not None else None
    model = _name(meta["model"], lang, None, "clv.model.") if meta.get("model") else None
    span = _span(1, meta["T"], period, lang) if meta.get("T") else None
    ax = get_ax(ax, (7.2, 5.0))
    m = matrix.sort_index(ascending=False)
    annot = np.vectorize(fmt.format)(m.to_numpy(dtype=float)) if annotate else False
    bar = _filled(value_label, value_key or value_default, value_plain, lang, horizon=horizon)
    sns.heatmap(m, ax=ax, cmap=cmap, vmin=vmin, vmax=vmax, annot=annot, fmt="", annot_kws={"fontsize": 6.5},
                xticklabels=[f"{c:g}" for c in m.columns], yticklabels=[f"{r:g}" for r in m.index],
                cbar_kws={"label": bar, "fraction": 0.046, "pad": 0.03})
    ax.collections[0].colorbar.ax.yaxis.label.set_size(8)
    ax.tick_params(axis="both", labelsize=8, rotation=0)
    return _decorate(ax, _filled(title, title_key or title_default, title_plain, lang, model=model),
                     _filled(xlabel, "clv.recency_axis", "clv.recency_plain", lang, unit=_unit(period, lang)),
                     _filled(ylabel, "clv.frequency", "clv.frequency_plain", lang, span=span))


def holdout_by_frequency_chart(table: pd.DataFrame, *, lang: str = "en", ax: Any = None, title: str | None = None,
                               xlabel: str | None = None, ylabel: str | None = None,
                               names: Mapping[Any, str] | None = None) -> Any:
    """Mean holdout repeat purchases by calibration frequency: actual against model predictions.

    The default axis labels state the calibration and holdout periods of the data ("weeks 40–56"),
    read from the table's ``attrs`` (:func:`crmlib.clv.btyd.holdout_by_frequency` copies them from
    the summary); a table without them gets the same texts without the periods.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`crmlib.clv.btyd.holdout_by_frequency`: ``actual`` and one column per fit (any
        name; ``customers`` is not drawn).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text instead of the defaults.
    names : mapping, optional
        Column -> legend text (``"actual"`` included). By default a known model id
        (``"bgnbd"``, ``"pnbd"``) shows its label-table name and any other column its name.

    Returns
    -------
    matplotlib.axes.Axes
    """
    meta = table.attrs
    period = meta.get("period")
    cal, hold = meta.get("calibration_periods"), meta.get("holdout_periods")
    ax = get_ax(ax, (8.0, 4.2))
    x = np.arange(len(table))
    models = [c for c in table.columns if c not in ("actual", "customers")]
    width = 0.8 / (len(models) + 1)
    ax.bar(x - 0.4 + width / 2, table["actual"], width, color="grey", zorder=2,
           label=(names or {}).get("actual") or t("clv.actual", lang))
    for k, mname in enumerate(models, start=1):
        ax.bar(x - 0.4 + width / 2 + k * width, table[mname], width, color=PALETTE[(k - 1) % len(PALETTE)],
               label=_name(mname, lang, names, "clv.model."), zorder=2)
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.legend(fontsize=9, frameon=False)
    return _decorate(ax, _or(title, "clv.holdout_title", lang),
                     _filled(xlabel, "clv.frequency_calibration", "clv.frequency_calibration_plain", lang,
                             span=None if cal is None else _span(*cal, period, lang)),
                     _filled(ylabel, "clv.holdout_purchases", "clv.holdout_purchases_plain", lang,
                             span=None if hold is None else _span(*hold, period, lang)))


def tracking_chart(periods: np.ndarray, actual: np.ndarray, predicted: Mapping[Any, np.ndarray],
                   calibration_end: float, *, lang: str = "en", ax: Any = None, period: str = "W",
                   kind: str = "cumulative", title: str | None = None, xlabel: str | None = None,
                   ylabel: str | None = None, names: Mapping[Any, str] | None = None) -> Any:
    """Repeat transactions by period, cumulative or per period: actual and each model, calibration boundary marked.

    Parameters
    ----------
    periods : numpy.ndarray
        The periods (1, 2, …) on the horizontal axis.
    actual : numpy.ndarray
        Cumulative repeat transactions.
    predicted : mapping of name to array
        Fit name (any) -> its cumulative forecast.
    calibration_end : float
        Marked period.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    period : {"W", "D", "M", "Q", "Y", "h"}, default "W"
        The unit of ``periods``, for the default x label ("Week").
    kind : {"cumulative", "incremental"}
        Draw the cumulative totals as given, or the transactions of each period (their
        differences; ``actual`` and ``predicted`` are cumulative either way).
    title, xlabel, ylabel : str, optional
        Free text instead of the label-table defaults.
    names : mapping, optional
        Fit name (and ``"actual"``) -> legend text; a known model id shows its label-table name
        by default, any other name shows as given.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if kind not in ("cumulative", "incremental"):
        raise ValueError(f"kind must be 'cumulative' or 'incremental', got {kind!r}")
    step = (lambda v: np.diff(np.asarray(v, dtype=float), prepend=0.0)) if kind == "incremental" else np.asarray
    ax = get_ax(ax, (8.0, 4.2))
    ax.plot(periods, step(actual), color="black", lw=2 if kind == "cumulative" else 1.2,
            label=(names or {}).get("actual") or t("clv.actual", lang))
    for k, (mname, pred) in enumerate(predicted.items()):
        ax.plot(periods, step(pred), ls="--", color=PALETTE[k % len(PALETTE)], lw=1.8,
                label=_name(mname, lang, names, "clv.model."))
    ax.axvline(calibration_end, color="grey", ls=":", lw=1.2)
    ax.text(calibration_end, ax.get_ylim()[1] * 0.05, " " + t("clv.calibration_end", lang), color="grey",
            fontsize=8)
    ax.legend(fontsize=9, frameon=False, loc="upper left")
    incremental = kind == "incremental"
    return _decorate(ax, _or(title, "clv.tracking_incremental_title" if incremental else "clv.tracking_title", lang),
                     _or(xlabel, f"clv.axis.{period}", lang),
                     _or(ylabel, "clv.period_repeat" if incremental else "clv.cum_repeat", lang))


def clv_distribution_chart(values: np.ndarray, *, lang: str = "en", ax: Any = None, floor: float = 1.0,
                           title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                           names: Mapping[str, str] | None = None) -> Any:
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
    title, xlabel, ylabel : str, optional
        Free text instead of the label-table defaults (the default title names the chapter's
        models, BG/NBD × Gamma-Gamma: give your own for other models).
    names : mapping of str to str, optional
        Legend texts of the ``"mean"`` and ``"median"`` lines (followed by their value).

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
    for stat, key, col in ((np.mean(v), "mean", PALETTE[3]), (np.median(v), "median", PALETTE[1])):
        ax.axvline(stat, color=col, ls="--", lw=1.5, label=f"{_name(key, lang, names, 'clv.')} {_usd(stat, lang)}")
    ax.xaxis.set_major_formatter(lambda x, _: ("≤ " if np.isclose(x, lo) else "") + _usd(x, lang, unit=False))
    ax.set_xlim(lo, hi * 1.1)
    ax.legend(fontsize=9, frameon=False)
    return _decorate(ax, _or(title, "clv.distribution_title", lang), _or(xlabel, "clv.clv_customer", lang),
                     _or(ylabel, "clv.customers", lang))


def equity_concentration_chart(values: np.ndarray, top20: float, *, lang: str = "en", ax: Any = None,
                               title: str | None = None, xlabel: str | None = None,
                               ylabel: str | None = None) -> Any:
    """Share of customer equity held by the most valuable customers (a concentration curve).

    Parameters
    ----------
    values : array of float
        CLV per customer.
    top20 : float
        Share of the equity held by the top 20 % (:func:`crmlib.clv.top_share`), marked on the curve.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text instead of the label-table defaults (the default title states the total).

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
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 101)
    return _decorate(ax, _or(title, "clv.equity_title", lang, total=_usd(v.sum(), lang)),
                     _or(xlabel, "clv.customers_sorted_pct", lang), _or(ylabel, "clv.equity_share_pct", lang))


# ------------------------------------------------------------------ diagnostics of a fitted model
def _fit_or_table(data: Any, compute: Any) -> pd.DataFrame:
    """``data`` when it is already the computed table, else ``compute(data)`` (a fitted model)."""
    return data if isinstance(data, pd.DataFrame) else compute(data)


def period_transactions_chart(data: Any, *, max_frequency: int = 7, seed: int = 0, draws: int = 10,
                              lang: str = "en", ax: Any = None, title: str | None = None,
                              xlabel: str | None = None, ylabel: str | None = None,
                              names: Mapping[str, str] | None = None) -> Any:
    """Customers by number of calibration-period repeat purchases: actual against a simulation of the fitted model.

    Parameters
    ----------
    data : fitted model or pandas.DataFrame
        A fitted BG/NBD, MBG/NBD or Pareto/NBD model (simulated here by
        :func:`crmlib.clv.btyd.period_transactions`), or that function's table.
    max_frequency, seed, draws : int
        Passed to :func:`~crmlib.clv.btyd.period_transactions` when ``data`` is a fit.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text instead of the defaults (the default title names the model).
    names : mapping, optional
        Legend texts of ``"actual"`` and ``"simulated"``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..clv import btyd

    table = _fit_or_table(data, lambda f: btyd.period_transactions(f, max_frequency, seed=seed, draws=draws))
    meta = table.attrs
    ax = get_ax(ax, (8.0, 4.2))
    x = np.arange(len(table))
    ax.bar(x - 0.2, table["actual"], 0.4, color="grey", zorder=2, label=_name("actual", lang, names, "clv."))
    ax.bar(x + 0.2, table["simulated"], 0.4, color=PALETTE[0], zorder=2, label=_name("simulated", lang, names, "clv."))
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.legend(fontsize=9, frameon=False)
    model = _name(meta["model"], lang, None, "clv.model.") if meta.get("model") else None
    return _decorate(ax, _filled(title, "clv.period_title", "clv.period_title_plain", lang, model=model),
                     _or(xlabel, "clv.frequency_plain", lang), _or(ylabel, "clv.customers", lang))


def alive_history_chart(data: Any, purchases: Any = None, T: float | None = None, *, step: float = 1.0,
                        covariates: Any = None, lang: str = "en", ax: Any = None, title: str | None = None,
                        xlabel: str | None = None, ylabel: str | None = None,
                        names: Mapping[str, str] | None = None) -> Any:
    """One customer's P(alive) over time, her repeat purchases marked.

    Parameters
    ----------
    data : fitted model or pandas.DataFrame
        A fitted BG/NBD, MBG/NBD or Pareto/NBD model (then ``purchases`` and ``T`` are needed:
        :func:`crmlib.clv.btyd.alive_history` computes the history), or that function's table.
    purchases : array_like of float, optional
        The customer's purchase times since her first (0 first), in the fit's unit.
    T : float, optional
        End of the history.
    step : float, default 1
        Grid spacing of the history.
    covariates : mapping, optional
        The customer's covariates, for a fit with covariates.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text instead of the defaults.
    names : mapping, optional
        Legend texts of ``"p_alive"`` and ``"purchase"``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..clv import btyd

    if isinstance(data, pd.DataFrame):
        table = data
    else:
        if purchases is None or T is None:
            raise ValueError("alive_history_chart of a fitted model needs the customer's purchases and T")
        table = btyd.alive_history(data, purchases, T, step=step, covariates=covariates)
    meta = table.attrs
    ax = get_ax(ax, (8.0, 3.8))
    ax.plot(table["t"], table["p_alive"], color=PALETTE[0], lw=2, label=_name("p_alive", lang, names, "clv."))
    for k, when in enumerate(meta.get("purchases", [])):
        ax.axvline(when, color=PALETTE[3], ls=":", lw=1.2, label=_name("purchase", lang, names, "clv.") if k == 0 else None)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=9, frameon=False, loc="lower left")
    model = _name(meta["model"], lang, None, "clv.model.") if meta.get("model") else None
    period = meta.get("period")
    return _decorate(ax, _filled(title, "clv.alive_history_title", "clv.alive_history_title_plain", lang, model=model),
                     _or(xlabel, f"clv.since_first.{period}" if period else "clv.since_first_plain", lang),
                     _or(ylabel, "clv.p_alive", lang))


def _densities(fits: Mapping[Any, Any], process: str) -> dict[Any, Any]:
    if process not in ("purchase", "dropout"):
        raise ValueError(f"process must be 'purchase' or 'dropout', got {process!r}")
    if not isinstance(fits, Mapping) or not fits:
        raise TypeError("fits must be a non-empty mapping name -> fitted model")
    dists = {k: f.mixing_distributions() for k, f in fits.items()}
    kinds = {d["dropout_kind"] for d in dists.values()}
    if process == "dropout" and len(kinds) > 1:
        raise ValueError("the dropout of a Pareto/NBD (a rate, mu) and of a BG/NBD or MBG/NBD (a probability, p) "
                         "cannot share one axis: draw them apart")
    return dists


def heterogeneity_chart(fits: Mapping[Any, Any], process: str = "purchase", *, lang: str = "en", ax: Any = None,
                        title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                        names: Mapping[Any, str] | None = None) -> Any:
    """How customers differ: the density of the purchase rate λ, or of the dropout (p or μ), of fitted models.

    Each fit's mixing distribution (:meth:`~crmlib.clv.btyd.BetaGeoResults.mixing_distributions`:
    λ ~ Gamma(r, α); p ~ Beta(a, b) or μ ~ Gamma(s, β)), its mean marked by a dashed line. A
    density that piles up at 0 (shape below 1) is drawn up to the height it has away from 0.

    Parameters
    ----------
    fits : mapping of name to fitted model
        Fit name (any; a known model id shows its label-table name) -> fitted BG/NBD, MBG/NBD or
        Pareto/NBD; for ``process="dropout"`` all of one kind (probabilities or rates).
    process : {"purchase", "dropout"}
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text instead of the defaults.
    names : mapping, optional
        Fit name -> legend text.

    Returns
    -------
    matplotlib.axes.Axes
    """
    dists = _densities(fits, process)
    key = "purchase" if process == "purchase" else "dropout"
    kind = next(iter(dists.values()))["dropout_kind"]
    ax = get_ax(ax, (6.0, 4.0))
    hi = 1.0 if key == "dropout" and kind == "p" else max(float(d[key].ppf(0.99)) for d in dists.values())
    grid = np.linspace(hi / 400, hi, 400)
    top = 0.0
    for k, (name, d) in enumerate(dists.items()):
        dens = d[key].pdf(grid)
        top = max(top, float(np.max(dens[grid >= 0.05 * hi])))
        color = PALETTE[k % len(PALETTE)]
        ax.plot(grid, dens, color=color, lw=2, label=_name(name, lang, names, "clv.model."))
        ax.axvline(float(d[key].mean()), color=color, ls="--", lw=1)
    ax.set_xlim(0, hi)
    ax.set_ylim(0, top * 1.3)
    ax.legend(fontsize=9, frameon=False)
    unit = _unit(next(iter(fits.values())).period, lang)
    if key == "purchase":
        default_x = _filled(xlabel, "clv.rate_axis", "clv.rate_axis_plain", lang, unit=unit)
    else:
        default_x = (_or(xlabel, "clv.dropout_p_axis", lang) if kind == "p"
                     else _filled(xlabel, "clv.dropout_mu_axis", "clv.dropout_mu_axis_plain", lang, unit=unit))
    return _decorate(ax, _or(title, f"clv.heterogeneity_{key}_title", lang), default_x,
                     _or(ylabel, "clv.density", lang))


def heterogeneity_figure(fits: Mapping[Any, Any], *, lang: str = "en", title: str | None = None,
                         names: Mapping[Any, str] | None = None) -> Any:
    """The purchase-rate and the dropout densities of fitted models side by side (:func:`heterogeneity_chart`).

    Parameters
    ----------
    fits : mapping of name to fitted model
        As for :func:`heterogeneity_chart` (for the dropout panel all of one kind).
    lang : {"en", "zh"}
    title : str, optional
        A title above both panels (none by default).
    names : mapping, optional
        Fit name -> legend text.

    Returns
    -------
    matplotlib.figure.Figure
        A two-panel figure (this helper returns the Figure, not an Axes).
    """
    import matplotlib.pyplot as plt

    _densities(fits, "dropout")
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.0))
    heterogeneity_chart(fits, "purchase", lang=lang, ax=axes[0], names=names)
    heterogeneity_chart(fits, "dropout", lang=lang, ax=axes[1], names=names)
    if title is not None:
        fig.suptitle(title)
    fig.subplots_adjust(wspace=0.28, bottom=0.15)
    return fig
