"""Figures of the chapter "What CRM costs and what it returns".

Every function draws what it is given (computed by :mod:`crmlib.business_case` and
:mod:`crmlib.finance`), takes ``lang``, ``ax`` and free ``title``, ``xlabel``, ``ylabel`` and
``names`` (series or category id -> text) as keywords and returns the Axes;
:func:`scorecard_figure` draws the four scorecard panels on a new Figure and returns it.
Money axes count in US$ million (English) or 万美元 (Chinese), as readers of each language count.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..fmt import LabelFormatter
from ..i18n import has_label, t
from ..business_case import HIDDEN_ITEMS, PERSPECTIVES, SCORECARD_FORMATS, VISIBLE_ITEMS
from . import PALETTE, get_ax, money, series_name, text_or_label, weight, wrap_label

__all__ = ["cost_chart", "breakeven_chart", "npv_profile_chart", "tornado_chart", "eva_chart",
           "scorecard_panel", "scorecard_figure"]

_KIND_COLOUR = {"visible": PALETTE[0], "hidden": PALETTE[3], "running": PALETTE[1]}


def _unit(lang: str, small: bool = False) -> float:
    """Dollars per unit of a money axis: US$ million (``small``: thousand) in English, 万美元 in Chinese."""
    if lang == "zh":
        return 1e4
    return 1e3 if small else 1e6


def cost_chart(breakdown: pd.DataFrame, *, visible: float, multiplier_range: tuple[float, float],
               horizon: int | None = None, hidden_share_range: tuple[float, float] | None = None,
               title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
               names: Mapping[Any, str] | None = None, lang: str = "en", ax: Any = None) -> Any:
    """The visible costs, the one-off project cost and the itemised TCO as stacked bars, with the budget rule
    (e.g. 3–4 × the visible cost) as a shaded band.

    The one-off cost is the visible plus the hidden items (what the rule budgets); the TCO adds the
    running cost of the horizon. The default texts state the rule's multiples and the TCO's horizon.

    Parameters
    ----------
    breakdown : pandas.DataFrame
        :func:`crmlib.business_case.cost_breakdown` output (amounts in US$).
    visible : float
        The visible cost, US$.
    multiplier_range : (float, float)
        The rule's low and high multiple.
    horizon : int, optional
        Years of the TCO, for its label (default: ``breakdown.attrs["horizon"]``, as
        :func:`crmlib.business_case.cost_breakdown` sets it).
    hidden_share_range : (float, float), optional
        A range of hidden costs as a share of the total (S2: 0.40–0.75), drawn as dashed lines at
        the totals it implies, visible / (1 − share).
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``roi.cost_title``, ``roi.usd_m``, none).
    names : mapping, optional
        Text of the cost items by id, of the kinds (``"visible"``, ``"hidden"``, ``"running"``), of
        the rule's band (``"rule"``), of the hidden-share lines (``"hidden_share"``) and of the three
        bars (``"bar_visible"``, ``"bar_one_off"``, ``"bar_tco"``).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    horizon = breakdown.attrs.get("horizon") if horizon is None else horizon
    if horizon is None and not (names and "bar_tco" in names):
        raise ValueError("horizon is needed for the TCO bar's label: pass it, names['bar_tco'], or a breakdown "
                         "from crmlib.business_case.cost_breakdown (its attrs hold it)")
    ax = get_ax(ax, (8.5, 4.4))
    key = names or {}
    unit = _unit(lang)
    lo_m, hi_m = multiplier_range
    items = list(breakdown.index)
    rows = {2: items, 1: [i for i in items if i in (*VISIBLE_ITEMS, *HIDDEN_ITEMS)],
            0: [i for i in items if i in VISIBLE_ITEMS]}
    lo, hi = (m * visible / unit for m in multiplier_range)
    top = max(hi, breakdown["amount"].sum() / unit) * 1.16
    for y, its in rows.items():
        left = 0.0
        for k, item in enumerate(its):
            amt = breakdown.loc[item, "amount"] / unit
            kind = breakdown.loc[item, "kind"]
            ax.barh(y, amt, left=left, color=_KIND_COLOUR[kind], edgecolor="white",
                    alpha=1.0 - 0.12 * (k % 4), zorder=2)
            if amt >= 0.06 * top and y == 2:
                prefix = "roi.item_short." if has_label(f"roi.item_short.{item}") else "roi.item."
                ax.text(left + amt / 2, y, wrap_label(series_name(item, lang, names, prefix), 12, zh_width=6),
                        ha="center", va="center", fontsize=7, color="white", rotation=90, linespacing=1.0)
            left += amt
        ax.text(left + 0.01 * top, y, money(left * unit, lang, compact=True), va="center", fontsize=9,
                fontweight=weight(lang))
    band = text_or_label(key.get("rule"), "roi.rule_band", lang, lo=lo_m, hi=hi_m)
    ax.axvspan(lo, hi, color="grey", alpha=0.18, zorder=1, label=band)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(color=_KIND_COLOUR[k], label=series_name(k, lang, names, "roi.kind."))
               for k in ("visible", "hidden", "running")]
    handles.append(Patch(color="grey", alpha=0.3, label=band))
    if hidden_share_range is not None:
        h_lo, h_hi = hidden_share_range
        m_lo, m_hi = 1 / (1 - h_lo), 1 / (1 - h_hi)
        for m in (m_lo, m_hi):
            ax.axvline(m * visible / unit, color="dimgrey", ls="--", lw=1, zorder=1)
        handles.append(Line2D([], [], color="dimgrey", ls="--", lw=1, label=text_or_label(
            key.get("hidden_share"), "roi.hidden_share_lines", lang, lo=h_lo, hi=h_hi, m_lo=m_lo, m_hi=m_hi)))
        top = max(top, m_hi * visible / unit * 1.05)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)
    ax.set_yticks([0, 1, 2], [text_or_label(key.get("bar_visible"), "roi.bar_visible", lang),
                              text_or_label(key.get("bar_one_off"), "roi.bar_one_off", lang),
                              text_or_label(key.get("bar_tco"), "roi.bar_tco", lang, h=horizon)])
    ax.set_ylim(-0.6, 2.6)
    ax.set_xlim(0, top)
    ax.set_xlabel(text_or_label(xlabel, "roi.usd_m", lang))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    ax.set_title(text_or_label(title, "roi.cost_title", lang, lo=lo_m, hi=hi_m))
    return ax


def breakeven_chart(flows: pd.DataFrame, *, discount_rate: float, payback: float, discounted_payback: float,
                    title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                    names: Mapping[Any, str] | None = None, lang: str = "en", ax: Any = None) -> Any:
    """Yearly benefit and cost bars with the cumulative (plain and discounted) net cash flow lines.

    Parameters
    ----------
    flows : pandas.DataFrame
        :func:`crmlib.business_case.project_cash_flows` output.
    discount_rate : float
        Rate of the discounted cumulative line.
    payback, discounted_payback : float
        Payback periods in years (``inf`` = never), marked on the zero line.
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``roi.breakeven_title``, ``roi.year``, ``roi.usd_m``).
    names : mapping, optional
        Text of the series ``"benefit"``, ``"cost"``, ``"cumulative"`` and ``"cumulative_disc"``.
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.4))
    unit = _unit(lang)
    years = flows.index.to_numpy()
    ax.bar(years - 0.18, flows["benefit"] / unit, width=0.36, color=PALETTE[2],
           label=series_name("benefit", lang, names, "roi."), zorder=2)
    ax.bar(years + 0.18, -flows["cost"] / unit, width=0.36, color=PALETTE[3], alpha=0.8,
           label=series_name("cost", lang, names, "roi."), zorder=2)
    disc = np.cumsum(flows["net"].to_numpy() / (1 + discount_rate) ** years)
    ax.plot(years, flows["cumulative"] / unit, color="black", marker="o", lw=1.8,
            label=series_name("cumulative", lang, names, "roi."), zorder=3)
    ax.plot(years, disc / unit, color=PALETTE[0], marker="s", lw=1.5, ls="--",
            label=series_name("cumulative_disc", lang, names, "roi."), zorder=3)
    ax.axhline(0, color="grey", lw=1)
    marks = ((payback, "roi.payback", "black", (-14, 26), "right"),
             (discounted_payback, "roi.payback_disc", PALETTE[0], (12, -42), "left"))
    for pb, key, colour, offset, ha in marks:
        if np.isfinite(pb):
            ax.plot([pb], [0], marker="D", color=colour, ms=8, zorder=4)
            ax.annotate(t(key, lang, y=pb), (pb, 0), xytext=offset, textcoords="offset points", ha=ha,
                        color=colour, fontsize=9, arrowprops=dict(arrowstyle="-", color=colour, lw=0.8),
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85), zorder=5)
    ax.set_xticks(years)
    ax.set_xlabel(text_or_label(xlabel, "roi.year", lang))
    ax.set_ylabel(text_or_label(ylabel, "roi.usd_m", lang))
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    ax.set_title(text_or_label(title, "roi.breakeven_title", lang))
    return ax


def npv_profile_chart(profile: pd.Series, *, irr: float, rate_used: float, title: str | None = None,
                      xlabel: str | None = None, ylabel: str | None = None, lang: str = "en", ax: Any = None) -> Any:
    """NPV against the discount rate, crossing zero at the IRR.

    Parameters
    ----------
    profile : pandas.Series
        :func:`crmlib.finance.npv_profile` output (NPV by rate).
    irr : float
        The IRR to mark (NaN: none).
    rate_used : float
        The case's discount rate, marked with its NPV.
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``roi.npv_title``, ``roi.rate``, ``roi.npv_axis``).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (7.0, 3.8))
    unit = _unit(lang)
    x = 100 * profile.index.to_numpy()
    ax.plot(x, profile.to_numpy() / unit, color=PALETTE[0], lw=2)
    ax.axhline(0, color="grey", lw=1)
    if np.isfinite(irr):
        ax.plot([100 * irr], [0], "o", color=PALETTE[3], ms=8)
        ax.annotate(t("roi.irr_mark", lang, v=100 * irr), (100 * irr, 0), xytext=(8, 14), textcoords="offset points",
                    color=PALETTE[3])
    at = float(np.interp(rate_used, profile.index.to_numpy(), profile.to_numpy()))
    ax.axvline(100 * rate_used, color="black", ls=":", lw=1)
    ax.annotate(t("roi.rate_used", lang, v=100 * rate_used, n=money(at, lang, compact=True)),
                (100 * rate_used, at / unit), xytext=(8, 10), textcoords="offset points", fontsize=9)
    ax.set_xlabel(text_or_label(xlabel, "roi.rate", lang))
    ax.set_ylabel(text_or_label(ylabel, "roi.npv_axis", lang))
    ax.set_title(text_or_label(title, "roi.npv_title", lang))
    return ax


def _fmt(v: float) -> str:
    if abs(v) >= 1000 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:.3g}"


def tornado_chart(table: pd.DataFrame, *, formats: Mapping[Any, str] | None = None, title: str | None = None,
                  xlabel: str | None = None, ylabel: str | None = None, names: Mapping[Any, str] | None = None,
                  lang: str = "en", ax: Any = None) -> Any:
    """Tornado chart of :func:`crmlib.finance.tornado_table` output: largest swing on top.

    Parameters
    ----------
    table : pandas.DataFrame
        The tornado table (``low``, ``high``, ``at_low``, ``at_high``; ``attrs["base_output"]``).
    formats : mapping, optional
        How the values tried read at the bar ends, by parameter: a :mod:`crmlib.fmt` spec
        (``"pct.1"``, ``"usd"``, e.g. :data:`crmlib.business_case.PARAMETER_FORMATS`); a parameter
        it does not name reads as a plain number.
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``roi.tornado_title``, ``roi.npv_axis``, none).
    names : mapping, optional
        Text of the parameters by name, of the series ``"at_low"`` and ``"at_high"`` and of the
        base case's mark (``"base"``).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.5, 4.4))
    unit = _unit(lang)
    fmt = LabelFormatter(lang)
    base = table.attrs.get("base_output", 0.0) / unit
    tab = table.iloc[::-1]
    y = np.arange(len(tab))
    lo = tab["at_low"].to_numpy() / unit
    hi = tab["at_high"].to_numpy() / unit
    ax.barh(y, lo - base, left=base, color=PALETTE[3], alpha=0.85, label=series_name("at_low", lang, names, "roi."),
            zorder=2)
    ax.barh(y, hi - base, left=base, color=PALETTE[2], alpha=0.85, label=series_name("at_high", lang, names, "roi."),
            zorder=2)
    ax.axvline(base, color="black", lw=1)
    span = max(np.max(np.abs(np.r_[lo, hi] - base)), 1e-9)
    for yi, (name, row) in zip(y, tab.iterrows()):
        spec = (formats or {}).get(name)
        for val, end in ((row["low"], row["at_low"] / unit), (row["high"], row["at_high"] / unit)):
            ha = "left" if end >= base else "right"
            text = _fmt(val) if spec is None else fmt.format_field(val, spec).replace("$", r"\$")
            ax.text(end + (0.02 if ha == "left" else -0.02) * span, yi, text, va="center", ha=ha, fontsize=7.5)
    ax.set_yticks(y, [series_name(p, lang, names, "roi.param.") for p in tab.index], fontsize=8.5)
    ax.set_xlim(base - 1.3 * span, base + 1.3 * span)
    ax.set_xlabel(text_or_label(xlabel, "roi.npv_axis", lang))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    ax.text(base, len(tab) - 0.35, f"{text_or_label((names or {}).get('base'), 'roi.base_npv', lang)} "
            f"{money(base * unit, lang, compact=True)}",
            ha="center", fontsize=8.5, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none"))
    ax.set_ylim(-0.7, len(tab))
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(text_or_label(title, "roi.tornado_title", lang))
    return ax


def eva_chart(eva: pd.DataFrame, *, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
              names: Mapping[Any, str] | None = None, lang: str = "en", ax: Any = None) -> Any:
    """Operating profit (NOPAT when taxed), capital charge and EVA per year, in US$ thousand (万美元 in Chinese).

    Parameters
    ----------
    eva : pandas.DataFrame
        :func:`crmlib.business_case.project_eva` output; its ``attrs["tax_rate"]`` chooses the name of
        the profit series: NOPAT when taxed, operating profit before tax when 0.
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``roi.eva_title``, ``roi.year``, ``roi.usd_k``).
    names : mapping, optional
        Text of the series ``"nopat"``, ``"capital_charge"`` and ``"eva"``.
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (7.5, 3.8))
    unit = _unit(lang, small=True)
    e = eva.loc[eva.index > 0]
    x = e.index.to_numpy()
    profit = "nopat" if eva.attrs.get("tax_rate", 0.0) > 0 or (names and "nopat" in names) else "operating_profit"
    ax.bar(x - 0.27, e["nopat"] / unit, width=0.27, color=PALETTE[5],
           label=(names or {}).get("nopat") or t(f"roi.{profit}", lang), zorder=2)
    ax.bar(x, -e["capital_charge"] / unit, width=0.27, color=PALETTE[1],
           label=series_name("capital_charge", lang, names, "roi."), zorder=2)
    bars = ax.bar(x + 0.27, e["eva"] / unit, width=0.27,
                  color=PALETTE[2], label=series_name("eva", lang, names, "roi."), zorder=2)
    ax.bar_label(bars, labels=[f"{v / unit:,.{1 if lang == 'zh' else 0}f}" for v in e["eva"]], fontsize=8, padding=2)
    ax.axhline(0, color="grey", lw=1)
    ax.set_xticks(x)
    ax.set_xlabel(text_or_label(xlabel, "roi.year", lang))
    ax.set_ylabel(text_or_label(ylabel, "roi.usd_k", lang))
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(text_or_label(title, "roi.eva_title", lang))
    return ax


def _value(v: float, unit: str, lang: str) -> str:
    text = LabelFormatter(lang).format_field(v, SCORECARD_FORMATS.get(unit, "n"))
    return text.replace("$", r"\$")


_PERSP_COLOUR = dict(zip(PERSPECTIVES, (PALETTE[0], PALETTE[2], PALETTE[4], PALETTE[1])))


def scorecard_panel(card: pd.DataFrame, perspective: str, *, title: str | None = None, xlabel: str | None = None,
                    ylabel: str | None = None, names: Mapping[Any, str] | None = None, lang: str = "en",
                    ax: Any = None) -> Any:
    """One perspective of the balanced scorecard: each KPI before and with CRM, scaled to the larger.

    Parameters
    ----------
    card : pandas.DataFrame
        :func:`crmlib.business_case.scorecard` output.
    perspective : str
        One of :data:`crmlib.business_case.PERSPECTIVES`.
    title, xlabel, ylabel : str, optional
        Free text (default: the perspective's label ``roi.persp.<perspective>``; no axis labels).
    names : mapping, optional
        Text of the KPIs by id and of the series ``"before"`` and ``"after"``.
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if perspective not in PERSPECTIVES:
        raise ValueError(f"perspective must be one of {list(PERSPECTIVES)}, got {perspective!r}")
    ax = get_ax(ax, (5.8, 3.0))
    colour = _PERSP_COLOUR[perspective]
    rows = card[card["perspective"] == perspective].iloc[::-1]
    y = np.arange(len(rows))
    scale = np.maximum(np.maximum(rows["before"].abs(), rows["after"].abs()), 1e-12).to_numpy()
    ax.barh(y + 0.18, rows["before"].to_numpy() / scale, height=0.34, color="lightgrey",
            label=series_name("before", lang, names, "roi."), zorder=2)
    ax.barh(y - 0.18, rows["after"].to_numpy() / scale, height=0.34, color=colour,
            label=series_name("after", lang, names, "roi."), zorder=2)
    for yi, (_, r) in zip(y, rows.iterrows()):
        ax.text(1.02, yi + 0.18, _value(r["before"], r["unit"], lang), va="center", fontsize=7.5, color="dimgrey")
        ax.text(1.02, yi - 0.18, _value(r["after"], r["unit"], lang), va="center", fontsize=7.5, color="black",
                fontweight=weight(lang))
    ticks = [("★ " if r["source_kpi"] else "") + ("↓ " if r.get("better") == "lower" else "")
             + wrap_label(series_name(r["kpi"], lang, names, "roi.kpi."), 30, zh_width=14) for _, r in rows.iterrows()]
    ax.set_yticks(y, ticks, fontsize=8)
    ax.set_xlim(min(0.0, float((rows[["before", "after"]].min(axis=1) / scale).min()) * 1.1), 1.45)
    ax.set_xticks([])
    ax.grid(False)
    ax.set_xlabel(text_or_label(xlabel, None, lang))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    ax.set_title(text_or_label(title, f"roi.persp.{perspective}", lang), color=colour, fontsize=11)
    return ax


def scorecard_figure(card: pd.DataFrame, *, title: str | None = None, names: Mapping[Any, str] | None = None,
                     lang: str = "en") -> Any:
    """The balanced scorecard as four :func:`scorecard_panel` panels, one per perspective.

    Parameters
    ----------
    card : pandas.DataFrame
        :func:`crmlib.business_case.scorecard` output.
    title : str, optional
        The figure's title (default: the label ``roi.scorecard_title``).
    names : mapping, optional
        As :func:`scorecard_panel`, plus the panels' titles by perspective and the footnote (``"note"``).
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11.5, 6.4))
    for ax, p in zip(axes.ravel(), PERSPECTIVES):
        scorecard_panel(card, p, title=(names or {}).get(p), names=names, lang=lang, ax=ax)
    axes[0, 0].legend(loc="lower right", fontsize=8, bbox_to_anchor=(1.0, 1.08), ncol=2, frameon=False)
    fig.suptitle(text_or_label(title, "roi.scorecard_title", lang), fontweight=weight(lang))
    fig.text(0.5, 0.005, text_or_label((names or {}).get("note"), "roi.star_note", lang), ha="center", fontsize=8,
             color="dimgrey")
    fig.tight_layout(rect=(0, 0.03, 1, 0.97))
    return fig
