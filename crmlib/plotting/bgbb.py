"""Figures of the BG/BB model (discrete-time repeat transactions): expected vs actual customers.

Like every plotting module, it only draws what it is given (the numbers come from
:meth:`crmlib.clv.btyd.BetaGeoBetaBernoulliResults.fit_by_recency_frequency`), takes ``lang`` for
its labels (``crmlib/labels/bgbb.csv``) and ``ax=None``, and returns the Axes.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._validate import check_columns, check_choice
from ..i18n import t
from . import PALETTE, get_ax

__all__ = ["expected_vs_actual_chart"]


def expected_vs_actual_chart(data: pd.DataFrame, *, by: str = "frequency", lang: str = "en", ax: Any = None,
                             title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                             names: Mapping[str, str] | None = None) -> Any:
    """Number of customers at each frequency (or recency): actual bars beside the BG/BB's expectation.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per (frequency, recency) cell with columns ``frequency``, ``recency``,
        ``actual`` and ``expected`` (customers), and optionally ``n_periods`` — the table of
        ``BetaGeoBetaBernoulliResults.fit_by_recency_frequency()``. Cells are summed over the
        other variable.
    by : {"frequency", "recency"}, default "frequency"
        The variable on the horizontal axis.
    lang : str, default "en"
        Language of the labels (``en`` or ``zh``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure otherwise.
    title, xlabel, ylabel : str, optional
        Free text instead of the label-table defaults (the default title states the number of
        customers and of opportunities in ``data``).
    names : mapping of str to str, optional
        Legend texts of the ``"actual"`` and ``"expected"`` bars.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If a column is missing, a count is negative or NaN, or ``by`` is not one of the two.
    """
    check_choice(by, "by", ("frequency", "recency"))
    check_columns(data, ["frequency", "recency", "actual", "expected"], "data",
                  numeric=["frequency", "recency"], nonnegative=["actual", "expected"])
    table = data.groupby(by, sort=True)[["actual", "expected"]].sum()
    ax = get_ax(ax, (7.5, 4.0))
    x = np.arange(len(table))
    legend = {k: (names or {}).get(k) or t(f"bgbb.{k}", lang) for k in ("actual", "expected")}
    ax.bar(x - 0.2, table["actual"], 0.4, color="grey", label=legend["actual"], zorder=2)
    ax.bar(x + 0.2, table["expected"], 0.4, color=PALETTE[0], label=legend["expected"], zorder=2)
    ax.set_xticks(x, [f"{v:g}" for v in table.index])
    ax.set_xlabel(xlabel if xlabel is not None else t(f"bgbb.by.{by}", lang))
    ax.set_ylabel(ylabel if ylabel is not None else t("bgbb.customers", lang))
    periods = (", ".join(f"{v:g}" for v in sorted(pd.unique(data["n_periods"])))
               if "n_periods" in data.columns else "?")
    ax.set_title(title if title is not None else t(f"bgbb.title.{by}", lang, n=float(table["actual"].sum()),
                                                   periods=periods), fontsize=10)
    ax.legend(fontsize=9, frameon=False)
    return ax
