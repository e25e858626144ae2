"""Figures of the chapter "Segmentation and key accounts" (客户细分与大客户管理).

Every function draws what it is given (computed by :mod:`crmlib.concentration`,
:mod:`crmlib.segments`, :mod:`crmlib.clustering`, :mod:`crmlib.migration` and
:mod:`crmlib.key_accounts`), takes ``lang`` for its labels, ``ax=None`` and the optional free
texts ``title``, ``xlabel``, ``ylabel`` (already in ``lang``; they replace the default
labels, which are computed from the data passed in), returns the Axes and never calls
``plt.show()``. Heatmaps are drawn with seaborn; their cell labels are at least 12 pt so that
they stay readable on a slide.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import t
from . import PALETTE, get_ax, money, wrap_label
from ._texts import label_or, set_texts

__all__ = ["lorenz_chart", "rfm_profile_heatmap", "segment_size_chart", "transition_heatmap",
           "stationary_chart", "whale_chart", "k_selection_chart", "contingency_heatmap", "holdout_chart",
           "key_account_chart"]

#: Smallest font size of heatmap cell labels (points), readable at slide size.
CELL_FONT = 12


def _term(prefix: str, key: Any, lang: str) -> str:
    """The label ``prefix.key`` if there is one, else the key as text."""
    return label_or(f"{prefix}.{key}", str(key), lang)


def lorenz_chart(data: Any, *, lang: str = "en", ax: Any = None, title: str | None = None,
                 xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Lorenz curve(s) of revenue with the line of equality and the top-share point marked.

    Parameters
    ----------
    data : Concentration or mapping of str to Concentration
        :func:`crmlib.concentration.concentration` result(s); with a mapping each curve is
        labelled by its key (``all``, ``calibration``, ``holdout`` are translated; other keys
        are shown as given).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free texts replacing the defaults (the default title gives the Gini coefficient).

    Returns
    -------
    matplotlib.axes.Axes
    """
    items = dict(data) if isinstance(data, Mapping) else {None: data}
    if not items:
        raise ValueError("data holds no Concentration")
    ax = get_ax(ax, (6.0, 5.0))
    ax.plot([0, 100], [0, 100], color="grey", ls=":", lw=1, label=t("seg.equality", lang))
    for i, (name, c) in enumerate(items.items()):
        col = PALETTE[i % len(PALETTE)]
        cur = c.curve
        lab = None if name is None else t("seg.gini_top_legend", lang, name=_term("seg.period", name, lang),
                                          gini=c.gini, top=c.share, value=c.top_share)
        ax.plot(100 * cur["customer_share"], 100 * cur["value_share"], color=col, lw=2, label=lab)
        x, y = 100 * (1 - c.share), 100 * (1 - c.top_share)
        ax.plot([x], [y], "o", color=col, ms=7, zorder=4)
        if name is None:   # one curve: the top share beside its point (several: in the legend, nothing crosses)
            ax.annotate(t("seg.top_point", lang, top=c.share, value=c.top_share), (x, y), xytext=(-12, 18),
                        textcoords="offset points", ha="right", fontsize=10, color=col,
                        arrowprops={"arrowstyle": "-", "color": col, "lw": 0.8})
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    default = (t("seg.lorenz_title", lang, gini=next(iter(items.values())).gini) if len(items) == 1
               else t("seg.lorenz_title_multi", lang))
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=default,
              default_xlabel=t("seg.customers_pct", lang), default_ylabel=t("seg.revenue_pct", lang))
    ax.legend(loc="upper left", fontsize=8.5, frameon=True, facecolor="white", edgecolor="none", framealpha=0.95)
    return ax


_PROFILE_METRICS = ("customers", "recency", "frequency", "monetary", "revenue_share")


def _fmt_metric(metric: str, v: float, lang: str) -> str:
    if not np.isfinite(v):
        return ""
    if metric == "customers":
        return f"{v:,.0f}"
    if metric in ("customer_share", "revenue_share"):
        return f"{v:.0%}"
    if metric == "monetary":
        return money(v, lang, compact=True)
    return f"{v:.1f}"


def rfm_profile_heatmap(profile: pd.DataFrame, *, metrics: Any = _PROFILE_METRICS, lang: str = "en",
                        ax: Any = None, title: str | None = None, xlabel: str | None = None,
                        ylabel: str | None = None) -> Any:
    """Segment x metric heatmap of RFM profiles: cells show the values, colours their rank per column.

    Colours are each column's values scaled to 0–1 (recency reversed, so that darker always
    means more engaged or more valuable); empty segments stay blank.

    Parameters
    ----------
    profile : pandas.DataFrame
        :func:`crmlib.segments.segment_profile` output (segments as rows).
    metrics : sequence of str
        Columns to show, in order.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free texts replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns

    metrics = list(metrics)
    missing = [m for m in metrics if m not in profile.columns]
    if missing:
        raise KeyError(f"profile has no column {missing[0]!r}; it has {list(profile.columns)}")
    vals = profile[metrics].astype(float)
    scaled = vals.copy()
    for m in metrics:
        col = vals[m]
        lo, hi = col.min(), col.max()
        s = (col - lo) / (hi - lo) if hi > lo else col * 0 + 0.5
        scaled[m] = 1 - s if m == "recency" else s
    annot = np.array([[_fmt_metric(m, v, lang) for m, v in zip(metrics, row)] for row in vals.to_numpy()])
    ax = get_ax(ax, (1.7 * len(metrics) + 2.2, 0.62 * len(vals) + 1.6))
    sns.heatmap(scaled, ax=ax, cmap="Blues", vmin=0, vmax=1, annot=annot, fmt="", cbar=False, linewidths=0.8,
                linecolor="white", annot_kws={"fontsize": CELL_FONT},
                xticklabels=[wrap_label(_term("seg.metric", m, lang), 14, 7) for m in metrics],
                yticklabels=[_term("seg.segment", s, lang) for s in vals.index])
    ax.tick_params(axis="both", rotation=0, labelsize=10)
    ax.grid(False)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=t("seg.profile_title", lang),
              default_xlabel="", default_ylabel=t("seg.segment", lang))
    ax.title.set_y(1.0 + 0.55 / max(1.0, ax.figure.get_figheight()))
    return ax


def _row_bars(table: pd.DataFrame, columns: tuple, name: str, ax: Any) -> tuple[Any, np.ndarray]:
    """Check that ``table`` has ``columns``; an Axes sized for one row of bars per table row, and their y (top first)."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise KeyError(f"{name} has no column {missing[0]!r}")
    return get_ax(ax, (7.5, 0.55 * len(table) + 1.6)), np.arange(len(table))[::-1]


def segment_size_chart(profile: pd.DataFrame, *, lang: str = "en", ax: Any = None, title: str | None = None,
                       xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Horizontal bars per segment: its share of customers beside its share of revenue.

    Parameters
    ----------
    profile : pandas.DataFrame
        ``customer_share`` and ``revenue_share`` per segment (:func:`crmlib.segments.segment_profile`).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free texts replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax, y = _row_bars(profile, ("customer_share", "revenue_share"), "profile", ax)
    h = 0.38
    for off, col, c in ((h / 2, PALETTE[0], "customer_share"), (-h / 2, PALETTE[1], "revenue_share")):
        v = 100 * profile[c].to_numpy(dtype=float)
        ax.barh(y + off, v, h, color=col, label=_term("seg.metric", c, lang), zorder=2)
        for yi, vi in zip(y + off, v):
            ax.text(vi + 0.6, yi, f"{vi:.0f}%", va="center", fontsize=9)
    ax.set_yticks(y, [_term("seg.segment", s, lang) for s in profile.index])
    ax.set_xlim(0, max(5.0, 100 * float(profile[["customer_share", "revenue_share"]].max().max()) * 1.15))
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=t("seg.sizes_title", lang),
              default_xlabel=t("seg.share_pct", lang))
    return ax


def _matrix_of(data: Any) -> tuple[pd.DataFrame, Any]:
    if hasattr(data, "transition_matrix"):
        return data.transition_matrix, getattr(data, "period_days", None)
    if isinstance(data, pd.DataFrame):
        return data, None
    raise TypeError(f"data must be a MarkovChain or a transition-matrix DataFrame, got {type(data).__name__}")


def transition_heatmap(data: Any, *, lang: str = "en", ax: Any = None, title: str | None = None,
                       xlabel: str | None = None, ylabel: str | None = None, counts: bool = True,
                       fontsize: float = 13.0) -> Any:
    """The migration matrix as an annotated heatmap (percent per row; counts beneath when known).

    Parameters
    ----------
    data : MarkovChain or pandas.DataFrame
        :func:`crmlib.migration.fit_markov_chain` result, or a transition matrix (rows = from).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free texts replacing the defaults (the default title gives the period length in
        weeks when the chain knows it).
    counts : bool
        Print the transition counts under the percentages (a MarkovChain only).
    fontsize : float
        Cell-label size in points (at least 12).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns

    P, days = _matrix_of(data)
    size = max(float(fontsize), CELL_FONT)
    N = data.counts if counts and hasattr(data, "counts") else None
    annot = np.empty(P.shape, dtype=object)
    for i in range(P.shape[0]):
        for j in range(P.shape[1]):
            p = P.iat[i, j]
            annot[i, j] = f"{100 * p:.1f}%" + (f"\n({N.iat[i, j]:,.0f})" if N is not None else "")
    n = P.shape[0]
    ax = get_ax(ax, (1.55 * n + 2.4, 1.25 * n + 1.4))
    names = [_term("seg.state", s, lang) for s in P.index]
    sns.heatmap(100 * P.astype(float), ax=ax, cmap="Blues", vmin=0, vmax=100, annot=annot, fmt="",
                annot_kws={"fontsize": size}, linewidths=1.0, linecolor="white", cbar=False,
                xticklabels=[wrap_label(s, 12, 6) for s in names], yticklabels=names)
    ax.tick_params(axis="both", rotation=0, labelsize=11)
    ax.grid(False)
    default = (t("seg.transition_title", lang, weeks=days / 7) if days else t("seg.transition_title_plain", lang))
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=default,
              default_xlabel=t("seg.to_state", lang), default_ylabel=t("seg.from_state", lang))
    return ax


def stationary_chart(stationary: Any, *, current: Any = None, lang: str = "en", ax: Any = None,
                     title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Bars of the long-run segment mix, with interval whiskers and the current mix beside it.

    Parameters
    ----------
    stationary : pandas.Series or pandas.DataFrame
        Share per state (:func:`crmlib.migration.stationary_distribution`), or
        :meth:`crmlib.migration.ChainBootstrap.stationary_conf_int` (``estimate``, ``lower``,
        ``upper``) for whiskers.
    current : pandas.Series, optional
        The mix now (shares or counts per state; counts are turned into shares).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free texts replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if isinstance(stationary, pd.DataFrame):
        est, lo, hi = stationary["estimate"], stationary.get("lower"), stationary.get("upper")
    else:
        est, lo, hi = pd.Series(stationary), None, None
    ax = get_ax(ax, (7.0, 4.2))
    x = np.arange(len(est))
    w = 0.38 if current is not None else 0.6
    left = x - w / 2 if current is not None else x
    v = 100 * est.to_numpy(dtype=float)
    err = None
    if lo is not None and hi is not None:
        err = np.vstack([v - 100 * lo.to_numpy(dtype=float), 100 * hi.to_numpy(dtype=float) - v])
    ax.bar(left, v, w, color=PALETTE[0], yerr=err, capsize=4, label=t("seg.long_run", lang), zorder=2)
    for xi, vi in zip(left, v):
        ax.text(xi, vi + 1.5, f"{vi:.1f}%", ha="center", fontsize=10)
    if current is not None:
        cur = pd.Series(current).reindex(est.index).astype(float)
        cur = 100 * cur / cur.sum()
        ax.bar(x + w / 2, cur.to_numpy(), w, color=PALETTE[1], label=t("seg.current", lang), zorder=2)
        for xi, vi in zip(x + w / 2, cur.to_numpy()):
            ax.text(xi, vi + 1.5, f"{vi:.1f}%", ha="center", fontsize=10)
        ax.legend(fontsize=9, frameon=False)
    ax.set_xticks(x, [_term("seg.state", s, lang) for s in est.index])
    ax.set_ylim(0, 110)
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=t("seg.stationary_title", lang),
              default_xlabel=t("seg.state", lang), default_ylabel=t("seg.share_customers_pct", lang))
    return ax


def whale_chart(whale: Any, *, lang: str = "en", ax: Any = None, title: str | None = None,
                xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """The whale curve: cumulative profit share against accounts, peak and loss-makers marked.

    Parameters
    ----------
    whale : WhaleCurve
        :func:`crmlib.key_accounts.whale_curve` result.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free texts replacing the defaults (the default title gives the number of accounts).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, (7.5, 4.6))
    c = whale.curve
    x, y = 100 * c["account_share"].to_numpy(), 100 * c["cumulative_share"].to_numpy()
    ax.plot(x, y, color=PALETTE[0], lw=2.2, zorder=3)
    ax.axhline(100, color="grey", ls="--", lw=1)
    ax.text(99, 97, t("seg.total_line", lang, total=money(whale.total, lang, compact=True)), color="grey", fontsize=9,
            va="top", ha="right")
    px, py = 100 * whale.peak_account_share, 100 * whale.peak_share
    ax.axvspan(px, 100, color=PALETTE[3], alpha=0.08, zorder=1)
    ax.text(px + (100 - px) / 2, 8, t("seg.loss_zone", lang, n=whale.loss_accounts), ha="center", color=PALETTE[3],
            fontsize=10)
    ax.plot([px], [py], "o", color=PALETTE[3], ms=8, zorder=4)
    ax.annotate(t("seg.whale_peak", lang, peak=whale.peak_share, at=whale.peak_account_share), (px, py),
                xytext=(0, 12), textcoords="offset points", ha="center", fontsize=10, color=PALETTE[3])
    ax.set_xlim(0, 100)
    ax.set_ylim(0, max(110.0, py * 1.15))
    n = len(c) - 1
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=t("seg.whale_title", lang, n=n),
              default_xlabel=t("seg.accounts_pct", lang), default_ylabel=t("seg.profit_pct", lang))
    return ax


def k_selection_chart(table: pd.DataFrame, *, lang: str = "en", ax: Any = None, title: str | None = None,
                      xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Mean silhouette against the number of clusters, the best k marked.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`crmlib.clustering.choose_k` output (``silhouette`` by ``k``; ``attrs["best_k"]``
        and ``attrs["sample_size"]`` used when present).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free texts replacing the defaults (the default title gives the sample size).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if "silhouette" not in table.columns:
        raise KeyError("table has no column 'silhouette'")
    ax = get_ax(ax, (6.5, 4.0))
    k = table.index.to_numpy()
    s = table["silhouette"].to_numpy(dtype=float)
    ax.plot(k, s, "o-", color=PALETTE[0], lw=2, zorder=3)
    best = table.attrs.get("best_k", int(k[int(np.nanargmax(s))]))
    sb = float(table.loc[best, "silhouette"])
    ax.plot([best], [sb], "o", ms=13, mfc="none", mec=PALETTE[3], mew=2, zorder=4)
    ax.annotate(t("seg.best_k", lang, k=best), (best, sb), xytext=(12, -4), textcoords="offset points",
                color=PALETTE[3], fontsize=10, va="top")
    lo, hi = np.nanmin(s), np.nanmax(s)
    span = hi - lo if hi > lo else 0.05
    ax.set_ylim(lo - 0.15 * span, hi + 0.2 * span)
    ax.set_xticks(k)
    n = table.attrs.get("sample_size")
    default = t("seg.k_title", lang, n=n) if n else t("seg.k_title_plain", lang)
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=default,
              default_xlabel=t("seg.k", lang), default_ylabel=t("seg.silhouette", lang))
    return ax


def contingency_heatmap(table: pd.DataFrame, *, ari: float | None = None, lang: str = "en", ax: Any = None,
                        title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                        row_prefix: str = "seg.cluster", col_prefix: str = "seg.segment",
                        fontsize: float = 12.0) -> Any:
    """Counts of customers by two labelings (e.g. k-means cluster x RFM segment), annotated.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`crmlib.segments.contingency` output (without margins).
    ari : float, optional
        Adjusted Rand index, shown in the default title.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free texts replacing the defaults.
    row_prefix, col_prefix : str
        Label prefixes for the row and column names (``seg.cluster`` fills ``Cluster {k}``;
        ``seg.segment``, ``seg.class`` look names up; unknown names are shown as they are).
    fontsize : float
        Cell-label size (at least 12).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns

    def name(prefix: str, v: Any) -> str:
        if prefix == "seg.cluster":
            return t("seg.cluster", lang, k=v)
        return _term(prefix, v, lang)

    ax = get_ax(ax, (1.25 * table.shape[1] + 2.6, 0.75 * table.shape[0] + 1.8))
    sns.heatmap(table.astype(float), ax=ax, cmap="Blues", annot=table.to_numpy(), fmt=",d" if
                np.issubdtype(table.to_numpy().dtype, np.integer) else ",.0f",
                annot_kws={"fontsize": max(float(fontsize), CELL_FONT)}, linewidths=0.8, linecolor="white",
                cbar=False, xticklabels=[wrap_label(name(col_prefix, c), 14, 6) for c in table.columns],
                yticklabels=[name(row_prefix, r) for r in table.index])
    ax.tick_params(axis="both", rotation=0, labelsize=10)
    ax.grid(False)
    default = t("seg.contingency_title", lang, ari=ari) if ari is not None else t("seg.contingency_title_plain", lang)
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=default,
              default_xlabel=t("seg.rule_segments", lang), default_ylabel=t("seg.clusters", lang))
    return ax


def holdout_chart(table: pd.DataFrame, *, lang: str = "en", ax: Any = None, title: str | None = None,
                  xlabel: str | None = None, ylabel: str | None = None, prefix: str = "seg.segment") -> Any:
    """Horizontal bars: what each group (segment, class) spent per customer in the holdout, with intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`crmlib.segments.holdout_by_segment` output: one row per group with ``customers``,
        ``spend`` and, for whiskers, ``spend_lower`` / ``spend_upper``. A group without customers
        is labelled empty.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free texts replacing the defaults.
    prefix : str
        Label prefix of the group names (``seg.segment``, ``seg.class``; unknown names shown as given).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax, y = _row_bars(table, ("customers", "spend"), "table", ax)
    v = table["spend"].to_numpy(dtype=float)
    n = table["customers"].to_numpy()
    filled = np.isfinite(v) & (n > 0)
    err = None
    if {"spend_lower", "spend_upper"} <= set(table.columns):
        lo, hi = table["spend_lower"].to_numpy(dtype=float), table["spend_upper"].to_numpy(dtype=float)
        err = np.vstack([np.where(np.isfinite(lo), v - lo, 0.0), np.where(np.isfinite(hi), hi - v, 0.0)])
        err = np.where(filled, err, 0.0)
    ax.barh(y, np.where(filled, v, 0.0), 0.6, xerr=err, color=PALETTE[0], capsize=3, zorder=2)
    top = float(np.nanmax(np.where(filled, v if err is None else v + err[1], 0.0))) if filled.any() else 1.0
    for yi, vi, ok, ni in zip(y, v, filled, n):
        text = f"{money(vi, lang)}  (n = {ni:,})" if ok else t("seg.empty", lang)
        ax.text((vi if ok else 0.0) + top * 0.02, yi + 0.3, text, va="center", fontsize=9)
    ax.set_yticks(y, [_term(prefix, s, lang) for s in table.index])
    ax.set_xlim(0, top * 1.35)
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=t("seg.holdout_title", lang),
              default_xlabel=t("seg.holdout_spend", lang))
    return ax


def key_account_chart(table: pd.DataFrame, *, chosen: float | None = None, lang: str = "en", ax: Any = None,
                      title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Key-account criteria against what the key accounts bring: revenue and profit shares by how many are named.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`crmlib.key_accounts.key_account_whatif` output for several ``top_shares`` (rows
        with ``account_share``, ``revenue_share``, ``profit_share``, ``key_accounts``,
        ``criterion``; ``attrs["by"]`` names the ranking column).
    chosen : float, optional
        The ``criterion`` to mark (the what-if's current setting).
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free texts replacing the defaults (the default x label names the ranking column).

    Returns
    -------
    matplotlib.axes.Axes
    """
    need = ["criterion", "key_accounts", "account_share", "revenue_share", "profit_share"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise KeyError(f"table has no column {missing[0]!r}")
    tab = table.sort_values("account_share")
    ax = get_ax(ax, (7.5, 4.6))
    x = 100 * tab["account_share"].to_numpy(dtype=float)
    for col, c, key in ((PALETTE[0], "revenue_share", "seg.revenue_line"), (PALETTE[3], "profit_share",
                                                                            "seg.profit_line")):
        ax.plot(x, 100 * tab[c].to_numpy(dtype=float), "o-", ms=3, lw=2, color=col, label=t(key, lang), zorder=3)
    ax.axhline(100, color="grey", ls="--", lw=1)
    if chosen is not None:
        row = tab.iloc[int(np.argmin(np.abs(tab["criterion"].to_numpy(dtype=float) - float(chosen))))]
        px = 100 * float(row["account_share"])
        ax.axvline(px, color="grey", ls=":", lw=1.2)
        for c, col in (("revenue_share", PALETTE[0]), ("profit_share", PALETTE[3])):
            ax.plot([px], [100 * float(row[c])], "o", ms=8, color=col, zorder=4)
        ax.text(0.02, 0.97, t("seg.key_point", lang, n=int(row["key_accounts"]), revenue=float(row["revenue_share"]),
                              profit=float(row["profit_share"])), transform=ax.transAxes, ha="left", va="top",
                fontsize=10, color=PALETTE[3])
    hi = float(np.nanmax(100 * tab[["revenue_share", "profit_share"]].to_numpy(dtype=float)))
    ax.set_xlim(0, max(x) * 1.05 if len(x) else 100)
    ax.set_ylim(0, max(125.0, hi * 1.2))
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    by = _term("seg.rank", table.attrs.get("by", "price_paid"), lang)
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel, default_title=t("seg.key_title", lang),
              default_xlabel=t("seg.key_accounts_pct", lang, by=by), default_ylabel=t("seg.share_total_pct", lang))
    return ax
