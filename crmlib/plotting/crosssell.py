"""Figures of the chapter "Cross-selling and retention".

Every function draws what it is given (statistics are computed in :mod:`crmlib.crosssell`),
takes ``lang``, ``ax`` and free ``title``, ``xlabel``, ``ylabel`` and ``names`` (series or
category id -> text) as keywords and returns the Axes; :func:`rule_heatmaps_figure` draws its
two panels on a new Figure and returns it. The heatmaps use seaborn.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..i18n import t
from . import PALETTE, get_ax, series_name, text_or_label, weight, wrap_label

__all__ = ["source_chart", "fit_chart", "ame_chart", "whatif_chart", "lift_heatmap", "rule_heatmap",
           "rule_heatmaps_figure"]


def _pct(v: float) -> str:
    return f"{v:g}%"


def source_chart(table: pd.DataFrame, *, title: str | None = None, xlabel: str | None = None,
                 ylabel: str | None = None, names: Mapping[Any, str] | None = None, lang: str = "en",
                 ax: Any = None) -> Any:
    """Bars of the source's "probability kept" values, labelled exactly as printed.

    Parameters
    ----------
    table : pandas.DataFrame
        The seed table: ``holding``, ``n_services``, ``probability_kept_pct``.
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``cs.source_title``, none, ``cs.prob_kept_pct``).
    names : mapping, optional
        Text of the holdings by id and of the note above the bars (``"note"``).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.2))
    x = np.arange(len(table))
    colours = [PALETTE[5] if n == 1 else PALETTE[0] for n in table["n_services"]]
    bars = ax.bar(x, table["probability_kept_pct"], color=colours, zorder=2)
    ax.bar_label(bars, labels=[_pct(v) for v in table["probability_kept_pct"]], padding=2, fontsize=10)
    ax.set_xticks(x, [wrap_label(series_name(h, lang, names, "cs.holding."), 18) for h in table["holding"]],
                  fontsize=9)
    ax.set_ylabel(text_or_label(ylabel, "cs.prob_kept_pct", lang))
    ax.set_xlabel(text_or_label(xlabel, None, lang))
    ax.set_ylim(0, 112)
    ax.text(0.0, 1.0, text_or_label((names or {}).get("note"), "cs.printed_note", lang), transform=ax.transAxes,
            fontsize=8.5, color="grey", va="bottom")
    ax.set_title(text_or_label(title, "cs.source_title", lang), pad=18)
    return ax


def fit_chart(by_products: pd.DataFrame, curve: pd.DataFrame, source: pd.DataFrame, *, title: str | None = None,
              xlabel: str | None = None, ylabel: str | None = None, names: Mapping[Any, str] | None = None,
              lang: str = "en", ax: Any = None) -> Any:
    """Data, fitted logit and the source's numbers on one set of axes.

    Two source rows with the same number of services are drawn side by side (one just left
    of the count, one just right), each with its printed value.

    Parameters
    ----------
    by_products : pandas.DataFrame
        :func:`crmlib.crosssell.retention_by_products` (index = products;
        ``retention``, ``lower``, ``upper`` as shares).
    curve : pandas.DataFrame
        ``n`` and ``p``, ``lower``, ``upper`` of the fitted logit on a fine grid.
    source : pandas.DataFrame
        The seed table (``holding``, ``n_services``, ``open_ended``, ``probability_kept_pct``).
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``cs.fit_title``, ``cs.n_products``, ``cs.stay_pct`` / ``cs.prob_kept_pct``).
    names : mapping, optional
        Text of the series ``"fit"``, ``"data"`` and ``"source"``.
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (8.0, 4.8))
    key = names or {}
    ax.fill_between(curve["n"], 100 * curve["lower"], 100 * curve["upper"], color=PALETTE[0], alpha=0.2, lw=0)
    ax.plot(curve["n"], 100 * curve["p"], color=PALETTE[0], lw=2, label=text_or_label(key.get("fit"), "cs.logit_fit",
                                                                                      lang), zorder=3)
    n = by_products.index.to_numpy(dtype=float)
    r = 100 * by_products["retention"].to_numpy()
    err = np.vstack([r - 100 * by_products["lower"].to_numpy(), 100 * by_products["upper"].to_numpy() - r])
    ax.errorbar(n, r, yerr=err, fmt="o", color="black", ms=5, capsize=4,
                label=text_or_label(key.get("data"), "cs.data_ci", lang), zorder=4)
    rank = source.groupby("n_services").cumcount().to_numpy()
    dx = np.where(rank > 0, 0.14, -0.14)
    v = source["probability_kept_pct"].to_numpy(dtype=float)
    xs = source["n_services"].to_numpy(dtype=float) + dx
    ax.scatter(xs, v, marker="D", s=55, color=PALETTE[3], zorder=5,
               label=text_or_label(key.get("source"), "cs.source_points", lang))
    for x, val, d, open_ended in zip(xs, v, dx, source["open_ended"].astype(bool)):
        text = _pct(val) + (f" ({t('cs.four_plus', lang)})" if open_ended else "")
        ax.annotate(text, (x, val), xytext=(6 if d > 0 else -6, 5), textcoords="offset points",
                    ha="left" if d > 0 else "right", va="bottom", fontsize=8.5, color=PALETTE[3])
    ticks = sorted(set(n.astype(int)) | set(source["n_services"].astype(int)))
    ax.set_xticks(ticks, [str(k) for k in ticks])
    ax.set_xlim(min(ticks) - 0.5, max(ticks) + 0.5)
    ax.set_ylim(-3, 108)
    ax.set_xlabel(text_or_label(xlabel, "cs.n_products", lang))
    both = t("cs.stay_pct", lang) + " / " + t("cs.prob_kept_pct", lang)
    ax.set_ylabel(both if ylabel is None else text_or_label(ylabel, "cs.stay_pct", lang), fontsize=9)
    ax.legend(loc="center right", fontsize=9, frameon=True, framealpha=0.9)
    ax.set_title(text_or_label(title, "cs.fit_title", lang))
    return ax


def ame_chart(ame: pd.DataFrame, *, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
              names: Mapping[Any, str] | None = None, lang: str = "en", ax: Any = None) -> Any:
    """Horizontal bars of average marginal effects (percentage points) with their intervals.

    Parameters
    ----------
    ame : pandas.DataFrame
        :attr:`crmlib.crosssell.RetentionLogit.ame` of a product-type model (index =
        product ids; ``dydx``, ``lower``, ``upper`` as shares).
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``cs.ame_title``, ``cs.ame``, none).
    names : mapping, optional
        Text of the products (the terms of the model) by id.
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (7.0, 3.6))
    a = ame.sort_values("dydx")
    y = np.arange(len(a))
    d = 100 * a["dydx"].to_numpy()
    err = np.vstack([d - 100 * a["lower"].to_numpy(), 100 * a["upper"].to_numpy() - d])
    ax.barh(y, d, xerr=err, color=PALETTE[2], capsize=3, zorder=2)
    for yi, v, hi in zip(y, d, 100 * a["upper"].to_numpy()):
        ax.text(hi + 0.4, yi, f"{v:+.1f}", va="center", fontsize=9)
    ax.set_yticks(y, [series_name(p, lang, names, "cs.product.") for p in a.index])
    ax.set_xlim(min(0.0, float(100 * a["lower"].min()) * 1.18), max(float(100 * a["upper"].max()) * 1.18, 1.0))
    ax.set_xlabel(text_or_label(xlabel, "cs.ame", lang))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    ax.set_title(text_or_label(title, "cs.ame_title", lang))
    return ax


def whatif_chart(cases: pd.DataFrame, *, uptake: float | None = None, currency: str = "US$",
                 title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                 names: Mapping[Any, str] | None = None, lang: str = "en", ax: Any = None) -> Any:
    """Bars of the extra customers kept under each basis, with the value kept.

    The default title states the uptake and the x label the scale (customers kept per ``per``),
    both from ``cases.attrs`` (:func:`crmlib.crosssell.cross_sell_cases` sets them).

    Parameters
    ----------
    cases : pandas.DataFrame
        :func:`crmlib.crosssell.cross_sell_cases`: indexed by basis (``model``,
        ``source``) with ``kept`` and ``value``.
    uptake : float, optional
        The uptake (%) the cases assume, for the title (default: ``cases.attrs["uptake_pct"]``).
    currency : str
        Prefix of the money values.
    title, xlabel, ylabel : str, optional
        Free text (default: the labels ``cs.whatif_title``, ``cs.kept_per``, none).
    names : mapping, optional
        Text of the bases by id.
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (7.0, 3.4))
    y = np.arange(len(cases))
    bars = ax.barh(y, cases["kept"], color=[PALETTE[0], PALETTE[3]][: len(cases)], zorder=2)
    labels = [f"{k:,.0f} — " + t("cs.value_kept", lang, value=f"{currency}{v:,.0f}")
              for k, v in zip(cases["kept"], cases["value"])]
    ax.bar_label(bars, labels=labels, padding=4, fontsize=9)
    ax.set_yticks(y, [series_name(b, lang, names, "cs.basis.") for b in cases.index])
    ax.set_xlim(0, max(float(cases["kept"].max()), 1.0) * 1.9)
    ax.set_xlabel(text_or_label(xlabel, "cs.kept_per", lang, per=cases.attrs.get("per", 10_000)))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    uptake = cases.attrs.get("uptake_pct") if uptake is None else uptake
    if title is None and uptake is None:
        raise ValueError("uptake is needed for the default title: pass it, a title, or cases from "
                         "crmlib.crosssell.cross_sell_cases (its attrs hold it)")
    ax.set_title(text_or_label(title, "cs.whatif_title", lang, uptake=f"{uptake:g}" if uptake is not None else ""))
    return ax


def lift_heatmap(lift: pd.DataFrame, *, annotate_above: float = 1.8, title: str | None = None,
                 xlabel: str | None = None, ylabel: str | None = None, names: Mapping[Any, str] | None = None,
                 lang: str = "en", ax: Any = None) -> Any:
    """Item × item lift on a log colour scale centred at 1 (seaborn), strong pairs written in.

    Parameters
    ----------
    lift : pandas.DataFrame
        :func:`crmlib.crosssell.lift_matrix` (items as index and columns, NaN on the diagonal).
    annotate_above : float
        Write the lift into cells at or above this value.
    title, xlabel, ylabel : str, optional
        Free text (default: the label ``cs.lift_title``; no axis labels).
    names : mapping, optional
        Text of the items by id and of the colour bar (``"lift"``).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns
    from matplotlib.colors import LogNorm

    ax = get_ax(ax, (9.0, 8.0))
    v = lift.to_numpy(dtype=float)
    lim = max(float(np.nanmax(v)), 1.0 / max(float(np.nanmin(v)), 1e-9), 2.0)
    texts = [series_name(i, lang, names, "cs.item.") for i in lift.index]
    annot = np.where(np.nan_to_num(v) >= annotate_above, np.char.mod("%.1f", np.nan_to_num(v)), "")
    ticks = [x for x in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16) if 1 / lim <= x <= lim]
    sns.heatmap(pd.DataFrame(v, index=texts, columns=texts), ax=ax, cmap="RdBu_r", norm=LogNorm(1 / lim, lim),
                mask=np.isnan(v), annot=annot, fmt="", annot_kws={"fontsize": 6.5}, square=True,
                cbar_kws={"shrink": 0.8, "ticks": ticks, "format": "%g",
                          "label": text_or_label((names or {}).get("lift"), "cs.lift", lang)})
    ax.collections[0].colorbar.minorticks_off()
    ax.grid(False)
    ax.set_xticks(np.arange(len(texts)) + 0.5, texts, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(np.arange(len(texts)) + 0.5, texts, fontsize=8, rotation=0)
    ax.set_xlabel(text_or_label(xlabel, None, lang))
    ax.set_ylabel(text_or_label(ylabel, None, lang))
    ax.set_title(text_or_label(title, "cs.lift_title", lang))
    return ax


def rule_heatmap(by_day_slot: pd.DataFrame, value: str, *, days: Sequence[str], slots: Sequence[str],
                 title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                 names: Mapping[Any, str] | None = None, lang: str = "en", ax: Any = None) -> Any:
    """One rule's ``confidence`` (in %) or ``lift`` by day (rows) and time slot (columns), seaborn.

    Parameters
    ----------
    by_day_slot : pandas.DataFrame
        :func:`crmlib.crosssell.rule_by_group` with ``by=["day", "slot"]``.
    value : {"confidence", "lift"}
        The measure to show.
    days, slots : sequence of str
        Row and column order (day and slot ids).
    title, xlabel, ylabel : str, optional
        Free text (default: no title, the labels ``cs.slot`` and ``cs.day``).
    names : mapping, optional
        Text of the days and slots by id and of the colour bar (``"confidence"`` or ``"lift"``).
    lang : {"en", "zh"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns

    if value not in ("confidence", "lift"):
        raise ValueError(f"value must be 'confidence' or 'lift', got {value!r}")
    ax = get_ax(ax, (5.0, 4.2))
    scale, cmap, fmt, key = (100, "Greens", ".0f", "cs.confidence_pct") if value == "confidence" else \
        (1, "Oranges", ".1f", "cs.lift")
    m = (scale * by_day_slot[value]).unstack("slot").reindex(index=list(days), columns=list(slots))
    m.index = [series_name(d, lang, names, "cs.day.") for d in days]
    m.columns = [series_name(s, lang, names, "cs.slot.") for s in slots]
    sns.heatmap(m, ax=ax, cmap=cmap, annot=True, fmt=fmt, annot_kws={"fontsize": 9},
                cbar_kws={"shrink": 0.9, "label": text_or_label((names or {}).get(value), key, lang)})
    ax.tick_params(axis="x", labelsize=8.5, rotation=0)
    ax.tick_params(axis="y", rotation=0)
    ax.grid(False)
    ax.set_xlabel(text_or_label(xlabel, "cs.slot", lang))
    ax.set_ylabel(text_or_label(ylabel, "cs.day", lang))
    ax.set_title(text_or_label(title, None, lang))
    return ax


def rule_heatmaps_figure(by_day_slot: pd.DataFrame, *, days: Sequence[str], slots: Sequence[str],
                         title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                         names: Mapping[Any, str] | None = None, lang: str = "en") -> Any:
    """A Figure with two :func:`rule_heatmap` panels side by side: confidence (%) and lift.

    Parameters
    ----------
    by_day_slot : pandas.DataFrame
        :func:`crmlib.crosssell.rule_by_group` with ``by=["day", "slot"]``.
    days, slots : sequence of str
        Row and column order (day and slot ids).
    title : str, optional
        The figure's title (default: the label ``cs.rule_title``).
    xlabel, ylabel : str, optional
        The panels' axis labels (as :func:`rule_heatmap`; the right panel shows no y label).
    names : mapping, optional
        As :func:`rule_heatmap`.
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.4))
    for ax, value in zip(axes, ("confidence", "lift")):
        rule_heatmap(by_day_slot, value, days=days, slots=slots, xlabel=xlabel, ylabel=ylabel, names=names,
                     lang=lang, ax=ax)
    axes[1].set_ylabel("")
    fig.suptitle(text_or_label(title, "cs.rule_title", lang), fontweight=weight(lang))
    fig.subplots_adjust(left=0.08, right=0.97, bottom=0.14, top=0.88, wspace=0.28)
    return fig
