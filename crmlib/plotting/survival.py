"""Figures of the chapter "Satisfaction, loyalty and churn": churn as time to an event.

Every function draws what it is given (computation lives in :mod:`crmlib.survival`), takes
``lang``, ``ax`` and optional free-text ``title`` / ``xlabel`` / ``ylabel`` as keywords and
returns the Axes. Level names of the Telco columns (``contract``, ``payment_method``) are
translated through ``survival.<column>.<level slug>`` labels; other values show as they are.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import check_lang, t
from . import PALETTE, get_ax, money, wrap_label
from ._texts import check_type, label_or, one_or_many, set_texts

__all__ = ["level_label", "km_chart", "hazard_chart", "services_chart", "schoenfeld_chart",
           "revenue_chart", "term_label", "scenario_label", "whatif_chart"]


def level_label(column: str, value: Any, lang: str = "en") -> str:
    """The display name of a level of a data column (``Month-to-month`` -> 按月 in Chinese).

    Parameters
    ----------
    column : str
        The column (``contract``, ``payment_method`` …).
    value : object
        The level as written in the data.
    lang : {"en", "zh"}

    Returns
    -------
    str
        ``t("survival.<column>.<slug>")`` where the slug is the value in lower case with every run
        of other characters than letters and digits turned into ``_``; the value itself when there
        is no such label.
    """
    slug = re.sub(r"[^0-9a-z]+", "_", str(value).lower()).strip("_")
    return label_or(f"survival.{column}.{slug}", str(value), lang)


def km_chart(curves: Any, *, group: str | None = None, bands: bool = True, lang: str = "en", ax: Any = None,
             title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Kaplan–Meier retention curves (steps) with their pointwise confidence bands.

    Parameters
    ----------
    curves : KaplanMeier or mapping of level -> KaplanMeier
        :func:`crmlib.survival.kaplan_meier` or :func:`crmlib.survival.kaplan_meier_by`.
    group : str, optional
        The column the levels come from (for their names and the title), e.g. ``"contract"``.
    bands : bool
        Draw the bands.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..survival import KaplanMeier

    check_lang(lang)
    cs, single = one_or_many(curves, KaplanMeier, "curves", article="a", keys="level")
    ax = get_ax(ax, (7.5, 4.4))
    for i, (lv, km) in enumerate(cs.items()):
        c = km.curve()
        colour = PALETTE[i % len(PALETTE)]
        name = None if single else (level_label(group, lv, lang) if group else str(lv))
        ax.step(c["time"], 100 * c["survival"], where="post", color=colour, lw=1.8, label=name, zorder=3)
        if bands:
            ax.fill_between(c["time"], 100 * c["lower"], 100 * c["upper"], step="post", color=colour, alpha=0.2,
                            lw=0, zorder=2)
    first = next(iter(cs.values()))
    level = 100 * (1 - first.alpha)
    if bands:
        ax.fill_between([], [], [], color="grey", alpha=0.3, label=t("survival.band", lang, level=level))
    ax.set_ylim(0, 102)
    ax.set_xlim(0, max(km.last_time for km in cs.values()))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower left", fontsize=9)
    n = sum(km.n for km in cs.values())
    if single or group is None:
        default_title = t("survival.km_title", lang, n=n)
    else:
        default_title = t("survival.km_title_by", lang, n=n,
                          group=label_or(f"survival.var.{group}", group, lang))
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=default_title,
              default_xlabel=t("survival.km_x", lang), default_ylabel=t("survival.km_y", lang))
    return ax


def _ratio_label(row: pd.Series, lang: str) -> str:
    var = row["variable"]
    name = label_or(f"survival.var.{var}", var, lang, unit=row["unit"])
    if row["level"] is None or (isinstance(row["level"], float) and np.isnan(row["level"])):
        return name
    return t("survival.forest.level", lang, variable=name, level=level_label(var, row["level"], lang),
             baseline=level_label(var, row["baseline"], lang))


def term_label(term: str, lang: str = "en") -> str:
    """A design column of a Cox model (``contract[One year]``, ``n_addons``) as a reader names it.

    Parameters
    ----------
    term : str
        A term of :attr:`crmlib.survival.CoxModel.terms`.
    lang : {"en", "zh"}

    Returns
    -------
    str
        ``Contract: One year`` / ``合同类型：一年``; a numeric column by its ``survival.var`` label.
    """
    check_lang(lang)
    if not isinstance(term, str):
        raise TypeError(f"term must be a term name such as 'contract[One year]', got {type(term).__name__}")
    m = re.fullmatch(r"(.+?)\[(.*)\]", term)
    if m is None:
        return label_or(f"survival.var.{term}", term, lang, unit=1)
    var, level = m.groups()
    return t("survival.ph.level", lang, variable=label_or(f"survival.var.{var}", var, lang),
             level=level_label(var, level, lang))


def hazard_chart(ratios: pd.DataFrame, *, lang: str = "en", ax: Any = None, title: str | None = None,
                 xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Forest plot of hazard ratios with their intervals, on a log scale with the line of no effect at 1.

    Parameters
    ----------
    ratios : pandas.DataFrame
        :meth:`crmlib.survival.CoxModel.hazard_ratios` (``variable``, ``level``, ``baseline``,
        ``unit``, ``hazard_ratio``, ``lower``, ``upper``; ``attrs`` ``nobs``, ``n_events``,
        ``confidence``).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    need = {"variable", "level", "baseline", "unit", "hazard_ratio", "lower", "upper"}
    if not isinstance(ratios, pd.DataFrame) or not need <= set(ratios.columns):
        raise TypeError(f"ratios must be the table of CoxModel.hazard_ratios (columns {sorted(need)})")
    ax = get_ax(ax, (8.0, 1.2 + 0.5 * len(ratios)))
    y = np.arange(len(ratios))[::-1]
    lower_risk = (ratios["upper"] < 1).to_numpy()
    higher_risk = (ratios["lower"] > 1).to_numpy()
    colours = [PALETTE[2] if lo else PALETTE[3] if hi else "grey" for lo, hi in zip(lower_risk, higher_risk)]
    ax.hlines(y, ratios["lower"], ratios["upper"], colors=colours, lw=2.5, zorder=2)
    ax.scatter(ratios["hazard_ratio"], y, color=colours, s=36, zorder=3, marker="s")
    for yi, hr, hi in zip(y, ratios["hazard_ratio"], ratios["upper"]):
        ax.text(hi * 1.08, yi, f"{hr:.2f}", va="center", fontsize=8.5)
    ax.axvline(1, color="#444444", lw=1)
    ax.set_xscale("log")
    lo, hi = float(ratios["lower"].min()), float(ratios["upper"].max())
    ax.set_xlim(lo / 1.5, max(hi, 1.0) * 2.0)
    ticks = [v for v in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5) if lo / 1.5 <= v <= max(hi, 1.0) * 2.0]
    ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    ax.minorticks_off()
    ax.set_yticks(y, [wrap_label(_ratio_label(r, lang), 44, 20) for _, r in ratios.iterrows()], fontsize=8.5)
    a = ratios.attrs
    level = 100 * a.get("confidence", 0.95)
    default_title = (t("survival.forest_title", lang, n=a["nobs"], events=a["n_events"])
                     if "nobs" in a and "n_events" in a else t("survival.forest_title_plain", lang))
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=default_title,
              default_xlabel=t("survival.forest_x", lang, level=level))
    return ax


def services_chart(comparison: pd.DataFrame, *, lang: str = "en", ax: Any = None, title: str | None = None,
                   xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Customers kept by number of services: observed shares with intervals beside the printed numbers.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`crmlib.survival.services_vs_printed` (by ``holding``: ``n_services``,
        ``printed_kept_pct``, ``kept_pct``, ``kept_lower_pct``, ``kept_upper_pct``, ``n``).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    need = {"n_services", "printed_kept_pct", "kept_pct", "kept_lower_pct", "kept_upper_pct"}
    if not isinstance(comparison, pd.DataFrame) or not need <= set(comparison.columns):
        raise TypeError(f"comparison must be the table of services_vs_printed (columns {sorted(need)})")
    ax = get_ax(ax, (9.0, 4.6))
    groups = list(dict.fromkeys(comparison["n_services"]))
    x = {g: i for i, g in enumerate(groups)}
    obs = comparison.drop_duplicates("n_services").set_index("n_services").reindex(groups)
    xs = np.arange(len(groups))
    ax.bar(xs, obs["kept_pct"], color=PALETTE[0], alpha=0.75, width=0.6, zorder=2,
           label=t("survival.observed", lang, level=100 * comparison.attrs.get("confidence", 0.95)))
    err = np.vstack([obs["kept_pct"] - obs["kept_lower_pct"], obs["kept_upper_pct"] - obs["kept_pct"]])
    ax.errorbar(xs, obs["kept_pct"], yerr=err, fmt="none", ecolor="black", capsize=4, lw=1.2, zorder=3)
    for xi, v, hi in zip(xs, obs["kept_pct"], obs["kept_upper_pct"]):
        ax.text(xi, hi + 1.5, f"{v:.0f}%", ha="center", va="bottom", color=PALETTE[0], fontsize=9, zorder=4)
    seen: dict[Any, int] = {}
    names: dict[Any, list[str]] = {g: [] for g in groups}
    for holding, r in comparison.iterrows():
        g = r["n_services"]
        k = seen.get(g, 0)
        seen[g] = k + 1
        same = int((comparison["n_services"] == g).sum())
        dx = 0.0 if same == 1 else (-0.14 if k == 0 else 0.14)
        ax.plot(x[g] + dx, r["printed_kept_pct"], "D", color=PALETTE[3], mfc="white", ms=7, mew=2, zorder=5,
                label=t("core.printed", lang) if holding == comparison.index[0] else None)
        ax.annotate(f"{r['printed_kept_pct']:g}%", (x[g] + dx, r["printed_kept_pct"]),
                    xytext=(-8 if dx < 0 else 8, 6), textcoords="offset points", ha="right" if dx < 0 else "left",
                    fontsize=8.5, color=PALETTE[3], zorder=6,
                    bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 0.5})
        names[g].append(label_or(f"cs.holding.{holding}", str(holding), lang))
    ax.set_xticks(xs, [f"{g}\n" + wrap_label(" / ".join(names[g]), 26, 12) for g in groups], fontsize=8.5)
    ax.set_ylim(0, 128)
    ax.set_yticks(np.arange(0, 101, 20))
    ax.legend(loc="upper center", ncol=2, fontsize=9, frameon=False)
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=t("survival.services_title", lang),
              default_xlabel=t("survival.services_x", lang), default_ylabel=t("survival.services_y", lang))
    return ax


def schoenfeld_chart(residuals: pd.DataFrame, term: str, *, ph: pd.DataFrame | None = None, lang: str = "en",
                     ax: Any = None, title: str | None = None, xlabel: str | None = None,
                     ylabel: str | None = None) -> Any:
    """Scaled Schoenfeld residuals of one term against time, with a lowess trend: flat if hazards are proportional.

    Parameters
    ----------
    residuals : pandas.DataFrame
        :meth:`crmlib.survival.CoxModel.scaled_schoenfeld` (``time`` and one column per term).
    term : str
        The term to draw.
    ph : pandas.DataFrame, optional
        :meth:`crmlib.survival.CoxModel.ph_test`; its p-value of ``term`` goes into the title.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from statsmodels.nonparametric.smoothers_lowess import lowess

    check_lang(lang)
    if not isinstance(residuals, pd.DataFrame) or "time" not in residuals or term not in residuals:
        raise KeyError(f"residuals must be the table of CoxModel.scaled_schoenfeld with a column {term!r}")
    ax = get_ax(ax, (7.0, 4.0))
    tt, r = residuals["time"].to_numpy(float), residuals[term].to_numpy(float)
    jitter = np.linspace(-0.3, 0.3, len(tt))          # deterministic spread of tied months
    ax.scatter(tt + jitter, r, s=4, alpha=0.25, color=PALETTE[0], zorder=2)
    # it=0: no robustness iterations. For a 0/1 term the events of the rarer level sit far from the rest, and a
    # robust smoother would treat them as outliers and draw the trend of the other level only.
    fit = lowess(r, tt, frac=0.4, it=0, return_sorted=True)
    ax.plot(fit[:, 0], fit[:, 1], color=PALETTE[3], lw=2, zorder=3)
    ax.axhline(float(np.mean(r)), color="grey", ls="--", lw=1)
    lo, hi = np.percentile(r, [2, 98])
    ax.set_ylim(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo))
    if ph is not None and term in ph.index:
        default_title = t("survival.ph_title_p", lang, term=term_label(term, lang), p=float(ph.loc[term, "pvalue"]))
    else:
        default_title = t("survival.ph_title", lang, term=term_label(term, lang))
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=default_title,
              default_xlabel=t("survival.km_x", lang), default_ylabel=t("survival.ph_y", lang))
    return ax


def revenue_chart(result: Any, *, lang: str = "en", ax: Any = None, title: str | None = None,
                  xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Cumulative expected discounted revenue per customer, month by month; extrapolated months marked.

    Parameters
    ----------
    result : ExpectedRevenue
        :func:`crmlib.survival.expected_revenue`.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text replacing the defaults (the default title carries the horizon and the value).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..survival import ExpectedRevenue

    check_lang(lang)
    check_type(result, ExpectedRevenue, "result", "an ExpectedRevenue (expected_revenue)")
    ax = get_ax(ax, (7.0, 4.0))
    sch = result.schedule
    cum = sch["revenue"].cumsum().to_numpy()
    obs = ~sch["extrapolated"].to_numpy()
    ax.plot(sch["month"][obs], cum[obs], color=PALETTE[0], lw=2, label=t("survival.revenue.observed", lang))
    if (~obs).any():
        k = int(np.flatnonzero(~obs)[0])
        xs = np.r_[sch["month"].iloc[k - 1] if k else 0, sch["month"][~obs]]
        ys = np.r_[cum[k - 1] if k else 0, cum[~obs]]
        ax.plot(xs, ys, color=PALETTE[1], lw=2, ls="--",
                label=t("survival.revenue.extrapolated", lang, q=result.tail_retention))
        if np.isinf(result.horizon):
            ax.axhline(result.value, color=PALETTE[1], lw=1, ls=":")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_xlim(0, float(sch["month"].max()))
    ax.set_ylim(0, result.value * 1.08)
    ax.legend(loc="lower right", fontsize=9)
    value = money(result.value, lang)
    if np.isinf(result.horizon):
        default_title = t("survival.revenue_title_life", lang, observed=result.observed_months, value=value,
                          rate=100 * result.annual_rate)
    else:
        default_title = t("survival.revenue_title", lang, horizon=int(result.horizon), value=value,
                          rate=100 * result.annual_rate)
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=default_title,
              default_xlabel=t("survival.km_x", lang), default_ylabel=t("survival.revenue_y", lang))
    return ax


def _value_label(column: str, value: Any, lang: str) -> str:
    if isinstance(value, str):
        return level_label(column, value, lang)
    v = float(value)
    return money(v, lang) if column == "monthly_charges" else f"{v:g}"


def scenario_label(table: pd.DataFrame, scenario: Any, lang: str = "en") -> str:
    """What a what-if scenario changes, in words: ``Contract: Month-to-month → One year``.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`crmlib.survival.whatif_retention` (row ``"base"`` first, one column per model column).
    scenario : object
        A row of ``table``.
    lang : {"en", "zh"}

    Returns
    -------
    str
        ``survival.whatif.base`` for the base row; else one ``survival.whatif.change`` per changed
        column, joined by the list separator.
    """
    check_lang(lang)
    if not isinstance(table, pd.DataFrame) or "base" not in table.index or scenario not in table.index:
        raise KeyError(f"table must be the table of whatif_retention with rows 'base' and {scenario!r}")
    if scenario == "base":
        return t("survival.whatif.base", lang)
    cols = [c for c in table.columns if c not in ("retention", "change_pts", "relative_hazard")]
    base, row = table.loc["base"], table.loc[scenario]
    parts = [t("survival.whatif.change", lang, variable=label_or(f"survival.whatif.var.{c}", c, lang),
               old=_value_label(c, base[c], lang), new=_value_label(c, row[c], lang))
             for c in cols if base[c] != row[c]]
    sep = t("core.list_sep", lang)
    return (sep + (" " if sep.isascii() else "")).join(parts) if parts else str(scenario)


def whatif_chart(table: pd.DataFrame, *, lang: str = "en", ax: Any = None, title: str | None = None,
                 xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Retention of one customer profile and of its changed versions (a Cox what-if), largest gain on top.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`crmlib.survival.whatif_retention` (``retention``, ``change_pts``; ``attrs["month"]``).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    if not isinstance(table, pd.DataFrame) or not {"retention", "change_pts"} <= set(table.columns) \
            or "base" not in table.index:
        raise TypeError("table must be the table of whatif_retention (columns retention, change_pts; row 'base')")
    order = ["base"] + [s for s in table.drop(index="base").sort_values("change_pts").index[::-1]]
    ax = get_ax(ax, (8.0, 1.4 + 0.55 * len(order)))
    y = np.arange(len(order))[::-1]
    vals = 100 * table.loc[order, "retention"].to_numpy(float)
    colours = ["#999999"] + [PALETTE[2] if c >= 0 else PALETTE[3] for c in table.loc[order[1:], "change_pts"]]
    ax.barh(y, vals, color=colours, height=0.6, zorder=2)
    for yi, v, s in zip(y, vals, order):
        note = f"{v:.1f}%" if s == "base" else f"{v:.1f}%  ({table.loc[s, 'change_pts']:+.1f})"
        ax.text(v + 1, yi, note, va="center", fontsize=8.5)
    ax.axvline(vals[0], color="#444444", lw=1, ls="--")
    ax.set_xlim(0, 118)
    ax.set_xticks(np.arange(0, 101, 20))
    ax.set_yticks(y, [wrap_label(scenario_label(table, s, lang), 40, 18) for s in order], fontsize=8.5)
    month = table.attrs.get("month")
    default_title = t("survival.whatif_title", lang, month=month) if month is not None else None
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=default_title,
              default_xlabel=t("survival.whatif_x", lang, month=month if month is not None else 12))
    return ax
