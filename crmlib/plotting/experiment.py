"""Figures of the chapter "Satisfaction, loyalty and churn": did the CRM activity work?

Every function draws what it is given (computation lives in :mod:`crmlib.experiment`), takes
``lang``, ``ax`` and optional free-text ``title`` / ``xlabel`` / ``ylabel`` as keywords and
returns the Axes.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import check_lang, t
from . import PALETTE, get_ax
from ._texts import check_type, set_texts

__all__ = ["ab_chart", "peeking_chart"]


def ab_chart(result: Any, *, lang: str = "en", ax: Any = None, title: str | None = None, xlabel: str | None = None,
             ylabel: str | None = None) -> Any:
    """Churn rate of the treatment and the control arm with Wilson intervals; the difference in the title.

    Parameters
    ----------
    result : ABTest
        :func:`crmlib.experiment.ab_test`.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..experiment import ABTest

    check_lang(lang)
    check_type(result, ABTest, "result", "an ABTest (ab_test)")
    ax = get_ax(ax, (6.0, 4.0))
    rates = 100 * np.array([result.p_treatment, result.p_control])
    lo = 100 * np.array([result.ci_treatment[0], result.ci_control[0]])
    hi = 100 * np.array([result.ci_treatment[1], result.ci_control[1]])
    x = np.arange(2)
    ax.bar(x, rates, color=[PALETTE[2], "#999999"], width=0.55, zorder=2)
    ax.errorbar(x, rates, yerr=np.vstack([rates - lo, hi - rates]), fmt="none", ecolor="black", capsize=5, zorder=3)
    for xi, r, n in zip(x, rates, (result.n_treatment, result.n_control)):
        ax.text(xi, r / 2, f"{r:.1f}%\nn = {n:,}", ha="center", va="center", color="white", fontsize=9)
    ax.set_xticks(x, [t("survival.ab.treatment", lang), t("survival.ab.control", lang)])
    ax.set_ylim(0, max(hi) * 1.25)
    level = 100 * (1 - result.alpha)
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel,
              default_title=t("survival.ab.title", lang, diff=100 * result.difference, lower=100 * result.lower,
                              upper=100 * result.upper, level=level, p=result.pvalue),
              default_ylabel=t("survival.ab.y", lang))
    return ax


def peeking_chart(result: Any, *, lang: str = "en", ax: Any = None, title: str | None = None,
                  xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Share of no-effect A/B tests declared significant by the k-th look, against the nominal level.

    Parameters
    ----------
    result : PeekingResult
        :func:`crmlib.experiment.simulate_peeking`.
    lang : {"en", "zh"}
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        Free text replacing the defaults.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..experiment import PeekingResult

    check_lang(lang)
    check_type(result, PeekingResult, "result", "a PeekingResult (simulate_peeking)")
    ax = get_ax(ax, (7.0, 4.0))
    b = result.by_look
    ax.plot(b.index, 100 * b["cumulative_rate"], "o-", color=PALETTE[3], lw=1.8, zorder=3)
    ax.axhline(100 * result.alpha, color="grey", ls="--", lw=1)
    ax.text(b.index.max(), 100 * result.alpha + 0.4, t("survival.peek.alpha", lang, alpha=100 * result.alpha),
            ha="right", va="bottom", fontsize=9, color="grey")
    ax.annotate(t("survival.peek.end", lang, rate=100 * result.false_positive_peeking),
                (b.index.max(), 100 * result.false_positive_peeking), xytext=(-10, 10), textcoords="offset points",
                ha="right", fontsize=9, color=PALETTE[3])
    ax.set_xticks(b.index)
    ax.set_ylim(0, max(100 * float(b["cumulative_rate"].max()), 100 * result.alpha) * 1.3)
    set_texts(ax, title=title, xlabel=xlabel, ylabel=ylabel,
              default_title=t("survival.peek.title", lang, looks=result.looks, sims=result.n_sims),
              default_xlabel=t("survival.peek.x", lang), default_ylabel=t("survival.peek.y", lang))
    return ax
