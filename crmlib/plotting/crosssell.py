"""Figures of the chapter "Cross-selling and retention"."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..i18n import t
from . import PALETTE, get_ax

__all__ = ["source_chart", "fit_chart", "ame_chart", "whatif_chart", "lift_heatmap", "rule_heatmaps"]


def _pct(v: float) -> str:
    return f"{v:g}%"


def _wrap(text: str, width: int) -> str:
    """Wrap a label at ``width`` characters (half as many for Chinese)."""
    import textwrap

    if any("\u4e00" <= c <= "\u9fff" for c in text):
        return "\n".join(text[i:i + width // 2] for i in range(0, len(text), width // 2))
    return "\n".join(textwrap.wrap(text, width))


def source_chart(table: pd.DataFrame, lang: str = "en", ax: Any = None) -> Any:
    """Bars of the source's five "probability kept" values, labelled exactly as printed.

    ``table`` needs ``holding`` and ``probability_kept_pct`` (the seed CSV).
    """
    ax = get_ax(ax, (8.0, 4.2))
    x = np.arange(len(table))
    colours = [PALETTE[5] if n == 1 else PALETTE[0] for n in table["n_services"]]
    bars = ax.bar(x, table["probability_kept_pct"], color=colours, zorder=2)
    ax.bar_label(bars, labels=[_pct(v) for v in table["probability_kept_pct"]], padding=2, fontsize=10)
    ax.set_xticks(x, [_wrap(t(f"cs.holding.{h}", lang), 18) for h in table["holding"]], fontsize=9)
    ax.set_ylabel(t("cs.prob_kept_pct", lang))
    ax.set_ylim(0, 112)
    ax.text(0.0, 1.0, t("cs.printed_note", lang), transform=ax.transAxes, fontsize=8.5, color="grey",
            va="bottom")
    ax.set_title(t("cs.source_title", lang), pad=18)
    return ax


def fit_chart(by_products: pd.DataFrame, curve: pd.DataFrame, source: pd.DataFrame, lang: str = "en",
              ax: Any = None) -> Any:
    """Data, fitted logit and the source's numbers on one set of axes.

    Parameters
    ----------
    by_products : DataFrame
        :func:`crmlib.crosssell.retention_by_products` (index = products;
        ``retention``, ``lower``, ``upper`` as shares).
    curve : DataFrame
        ``n`` and ``p``, ``lower``, ``upper`` of the fitted logit on a fine grid.
    source : DataFrame
        The seed table (``holding``, ``n_services``, ``open_ended``, ``probability_kept_pct``).
    """
    ax = get_ax(ax, (8.0, 4.8))
    ax.fill_between(curve["n"], 100 * curve["lower"], 100 * curve["upper"], color=PALETTE[0], alpha=0.2, lw=0)
    ax.plot(curve["n"], 100 * curve["p"], color=PALETTE[0], lw=2, label=t("cs.logit_fit", lang), zorder=3)
    n = by_products.index.to_numpy(dtype=float)
    r = 100 * by_products["retention"].to_numpy()
    err = np.vstack([r - 100 * by_products["lower"].to_numpy(), 100 * by_products["upper"].to_numpy() - r])
    ax.errorbar(n, r, yerr=err, fmt="o", color="black", ms=5, capsize=4, label=t("cs.data_ci", lang), zorder=4)
    seen_n: set[int] = set()
    for _, row in source.iterrows():
        # source points sit just left of the data; a second holding with the same count just right
        dx = 0.14 if int(row["n_services"]) in seen_n else -0.14
        seen_n.add(int(row["n_services"]))
        v = row["probability_kept_pct"]
        text = _pct(v) + (f" ({t('cs.four_plus', lang)})" if bool(row["open_ended"]) else "")
        ax.scatter(row["n_services"] + dx, v, marker="D", s=55, color=PALETTE[3], zorder=5,
                   label=t("cs.source_points", lang) if row["holding"] == source["holding"].iloc[0] else None)
        ax.annotate(text, (row["n_services"] + dx, v), xytext=(6 if dx > 0 else -6, -4 if v > 50 else 5),
                    textcoords="offset points", ha="left" if dx > 0 else "right", fontsize=8.5, color=PALETTE[3])
    ticks = sorted(set(n.astype(int)) | set(source["n_services"].astype(int)))
    ax.set_xticks(ticks, [str(k) for k in ticks])
    ax.set_xlim(min(ticks) - 0.5, max(ticks) + 0.5)
    ax.set_ylim(-3, 108)
    ax.set_xlabel(t("cs.n_products", lang))
    ax.set_ylabel(t("cs.stay_pct", lang) + " / " + t("cs.prob_kept_pct", lang), fontsize=9)
    ax.legend(loc="center right", fontsize=9, frameon=True, framealpha=0.9)
    ax.set_title(t("cs.fit_title", lang))
    return ax


def ame_chart(ame: pd.DataFrame, lang: str = "en", ax: Any = None) -> Any:
    """Horizontal bars of average marginal effects (percentage points) with their intervals.

    ``ame`` is :attr:`crmlib.crosssell.RetentionLogit.ame` of a product-type model
    (index = product ids; ``dydx``, ``lower``, ``upper`` as shares).
    """
    ax = get_ax(ax, (7.0, 3.6))
    a = ame.sort_values("dydx")
    y = np.arange(len(a))
    d = 100 * a["dydx"].to_numpy()
    err = np.vstack([d - 100 * a["lower"].to_numpy(), 100 * a["upper"].to_numpy() - d])
    ax.barh(y, d, xerr=err, color=PALETTE[2], capsize=3, zorder=2)
    for yi, v, hi in zip(y, d, 100 * a["upper"].to_numpy()):
        ax.text(hi + 0.4, yi, f"+{v:.1f}", va="center", fontsize=9)
    ax.set_yticks(y, [t(f"cs.product.{p}", lang) for p in a.index])
    ax.set_xlim(0, 100 * a["upper"].max() * 1.18)
    ax.set_xlabel(t("cs.ame", lang))
    ax.set_title(t("cs.ame_title", lang))
    return ax


def whatif_chart(cases: pd.DataFrame, uptake: float, currency: str = "US$", lang: str = "en", ax: Any = None) -> Any:
    """Bars of the extra customers kept per 10,000 under each basis, with the value kept.

    ``cases`` is indexed by basis (``model``, ``source``) with ``kept`` and ``value``.
    """
    ax = get_ax(ax, (7.0, 3.4))
    y = np.arange(len(cases))
    bars = ax.barh(y, cases["kept"], color=[PALETTE[0], PALETTE[3]][: len(cases)], zorder=2)
    labels = [f"{k:,.0f} — " + t("cs.value_kept", lang, value=f"{currency}{v:,.0f}")
              for k, v in zip(cases["kept"], cases["value"])]
    ax.bar_label(bars, labels=labels, padding=4, fontsize=9)
    ax.set_yticks(y, [t(f"cs.basis.{b}", lang) for b in cases.index])
    ax.set_xlim(0, max(float(cases["kept"].max()), 1.0) * 1.9)
    ax.set_xlabel(t("cs.kept_per_10000", lang))
    ax.set_title(t("cs.whatif_title", lang, uptake=f"{uptake:g}"))
    return ax


def lift_heatmap(lift: pd.DataFrame, lang: str = "en", ax: Any = None, annotate_above: float = 1.8) -> Any:
    """Item × item lift on a log colour scale centred at 1; strong pairs annotated."""
    from matplotlib.colors import LogNorm

    ax = get_ax(ax, (9.0, 8.0))
    v = lift.to_numpy(dtype=float)
    top = float(np.nanmax(v))
    lim = max(top, 1.0 / max(float(np.nanmin(v)), 1e-9), 2.0)
    im = ax.imshow(np.ma.masked_invalid(v), cmap="RdBu_r", norm=LogNorm(1 / lim, lim))
    names = [t(f"cs.item.{i}", lang) for i in lift.index]
    ax.set_xticks(np.arange(len(names)), names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(np.arange(len(names)), names, fontsize=8)
    ax.grid(False)
    for i, j in zip(*np.nonzero(np.nan_to_num(v) >= annotate_above)):
        ax.text(j, i, f"{v[i, j]:.1f}", ha="center", va="center", fontsize=6.5,
                color="white" if v[i, j] > lim ** 0.6 else "black")
    cb = ax.figure.colorbar(im, ax=ax, shrink=0.8)
    ticks = [v for v in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16) if 1 / lim <= v <= lim]
    cb.set_ticks(ticks, labels=[f"{v:g}" for v in ticks])
    cb.minorticks_off()
    cb.set_label(t("cs.lift", lang))
    ax.set_title(t("cs.lift_title", lang))
    return ax


def rule_heatmaps(by_day_slot: pd.DataFrame, days: Sequence[str], slots: Sequence[str], lang: str = "en",
                  axes: Any = None) -> Any:
    """Two heatmaps (confidence %, lift) of one rule by day (rows) and time slot (columns).

    ``by_day_slot`` is :func:`crmlib.crosssell.rule_by_group` with ``by=["day", "slot"]``.
    Returns the array of two Axes.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10.0, 4.2), constrained_layout=True)
    for ax, col, scale, cmap, key in ((axes[0], "confidence", 100, "Greens", "cs.confidence_pct"),
                                      (axes[1], "lift", 1, "Oranges", "cs.lift")):
        m = (scale * by_day_slot[col]).unstack("slot").reindex(index=list(days), columns=list(slots))
        im = ax.imshow(m.to_numpy(dtype=float), cmap=cmap, aspect="auto")
        hi = np.nanmax(m.to_numpy(dtype=float))
        for (i, j), val in np.ndenumerate(m.to_numpy(dtype=float)):
            ax.text(j, i, f"{val:.0f}" if scale == 100 else f"{val:.1f}", ha="center", va="center", fontsize=9,
                    color="white" if val > 0.65 * hi else "black")
        ax.set_xticks(np.arange(len(slots)), [t(f"cs.slot.{s}", lang) for s in slots], fontsize=8.5)
        ax.set_yticks(np.arange(len(days)), [t(f"cs.day.{d}", lang) for d in days])
        ax.grid(False)
        ax.set_xlabel(t("cs.slot", lang))
        ax.figure.colorbar(im, ax=ax, shrink=0.9).set_label(t(key, lang))
    axes[0].set_ylabel(t("cs.day", lang))
    axes[0].figure.suptitle(t("cs.rule_title", lang), fontweight="bold")
    return axes
