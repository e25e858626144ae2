"""Key-account economics (大客户管理): customer profitability, the whale curve, when a key-account manager pays.

* :func:`account_profit` — customer profitability (客户盈利能力) of each account by the
  current-value formula of source text S5 (grep ``现阶段净利润``; :func:`crmlib.clv.current_value`):
  ``net profit now = price actually paid − allocated production cost − marketing cost − cost
  to serve``, where the price actually paid is list revenue minus discounts and the cost to
  serve includes the account's share of a dedicated key-account manager (大客户经理).
* :func:`whale_curve` — cumulative profit against accounts sorted from the most to the least
  profitable, in shares of total profit (鲸鱼曲线; Kaplan & Cooper 1998, *Cost & Effect*): it
  rises above 100 % while profitable accounts are added, peaks where the loss-makers begin,
  and falls back to 100 % at the last account. :func:`loss_makers` lists and sums them.
* :func:`kam_breakeven` — the break-even (盈亏平衡) of a dedicated key-account manager: the
  extra margin an account must bring to pay for its share of the manager, as a revenue
  uplift and as a retention uplift, with delta-method or bootstrap intervals.
* :func:`key_account_whatif` — key-account criteria → how many key accounts, what share of
  revenue and profit, what their managers would cost (a small table).

Money is per year in the currency of the book (US$ for ``datasets/synthetic/accounts.csv``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._validate import (as_float_array, check_aligned, check_choice, check_columns, check_generator, check_number,
                        check_probability, check_rate, check_size, plain)
from .concentration import top_members

__all__ = ["ACCOUNT_COLUMNS", "account_profit", "WhaleCurve", "whale_curve", "loss_makers", "kam_breakeven",
           "key_account_whatif"]

#: Roles of the account book's money columns -> their names in ``accounts.csv``.
ACCOUNT_COLUMNS = {"list_revenue": "list_revenue_usd", "discount": "discount_usd",
                   "production_cost": "production_cost_usd", "marketing_cost": "marketing_cost_usd",
                   "service_cost": "service_cost_usd", "kam_cost": "kam_cost_usd"}


def _columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    cols = dict(ACCOUNT_COLUMNS)
    if columns is not None:
        unknown = [k for k in columns if k not in ACCOUNT_COLUMNS]
        if unknown:
            raise ValueError(f"columns names unknown role {unknown[0]!r}; roles are {list(ACCOUNT_COLUMNS)}")
        cols.update(columns)
    return cols


def account_profit(accounts: pd.DataFrame, *, columns: Mapping[str, str] | None = None,
                   account_id: str | None = "account_id") -> pd.DataFrame:
    """Customer profitability of each account by S5's current-value formula.

    Parameters
    ----------
    accounts : pandas.DataFrame
        One row per account with the money columns of :data:`ACCOUNT_COLUMNS` (>= 0), e.g.
        ``datasets.load("accounts")``.
    columns : mapping, optional
        Role -> column name, for books whose columns are named otherwise (``kam_cost`` may be
        left out: no manager costs).
    account_id : str or None
        Column of unique account ids to index the result by (None: keep the index).

    Returns
    -------
    pandas.DataFrame
        Indexed by account: ``price_paid`` (list revenue − discount), ``contribution``
        (price paid − production cost), ``cost_to_serve`` (service + manager cost),
        ``net_profit`` (price paid − production − marketing − cost to serve) and
        ``margin_rate`` (net profit / price paid; NaN when nothing was paid); the book's other
        columns (region, industry, manager flag …) are carried along.

    Raises
    ------
    ValueError
        A missing column, NaN, infinite or negative money (named by column and row), a
        discount above the list revenue, a duplicated account id.
    """
    cols = _columns(columns)
    has_kam = cols["kam_cost"] in accounts.columns if isinstance(accounts, pd.DataFrame) else True
    money = [cols[k] for k in ACCOUNT_COLUMNS if k != "kam_cost" or has_kam]
    need = money + ([account_id] if account_id else [])
    check_columns(accounts, need, "accounts", numeric=money, nonnegative=money)
    book = accounts
    if account_id:
        ids = book[account_id]
        dup = ids.duplicated().to_numpy()
        if dup.any():
            raise ValueError(f"accounts column {account_id!r} lists {plain(ids.iloc[int(np.flatnonzero(dup)[0])])!r} "
                             "twice")
        book = book.set_index(account_id)
    f = {k: book[c].to_numpy(dtype=float) for k, c in cols.items() if c in book.columns}
    over = np.flatnonzero(f["discount"] > f["list_revenue"])
    if over.size:
        i = int(over[0])
        raise ValueError(f"accounts column {cols['discount']!r} exceeds {cols['list_revenue']!r} at row "
                         f"{plain(book.index[i])!r} ({plain(book[cols['discount']].iloc[i])} > "
                         f"{plain(book[cols['list_revenue']].iloc[i])}): "
                         "the price paid would be negative")
    kam = f.get("kam_cost", np.zeros(len(book)))
    price = f["list_revenue"] - f["discount"]
    serve = f["service_cost"] + kam
    net = price - f["production_cost"] - f["marketing_cost"] - serve
    out = book.drop(columns=[c for c in money if c in book.columns]).copy()
    out["price_paid"] = price
    out["contribution"] = price - f["production_cost"]
    out["marketing_cost"] = f["marketing_cost"]
    out["cost_to_serve"] = serve
    out["kam_cost"] = kam
    out["net_profit"] = net
    out["margin_rate"] = np.divide(net, price, out=np.full(len(book), np.nan), where=price > 0)
    return out


@dataclass(frozen=True)
class WhaleCurve:
    """The whale curve of cumulative profit (see :func:`whale_curve`).

    Attributes
    ----------
    curve : pandas.DataFrame
        ``n + 1`` rows from (0, 0): ``account_share``, ``cumulative_profit``, ``cumulative_share``
        (of total profit), accounts sorted from the most to the least profitable; ``account``
        names the account added at each step.
    total : float
        Total profit.
    peak_share : float
        Highest cumulative share (e.g. 1.5 = 150 % of total profit).
    peak_accounts : int
        Accounts at the peak (the profitable ones).
    peak_account_share : float
        Their share of all accounts.
    loss_accounts : int
        Accounts with negative profit.
    loss_total : float
        Their summed losses (a negative number).
    """

    curve: pd.DataFrame = field(repr=False)
    total: float
    peak_share: float
    peak_accounts: int
    peak_account_share: float
    loss_accounts: int
    loss_total: float

    @property
    def end_share(self) -> float:
        """Cumulative share at the last account (1.0 by construction)."""
        return float(self.curve["cumulative_share"].iloc[-1])

    def share_at(self, account_share: float) -> float:
        """Cumulative profit share of the most profitable ``account_share`` of accounts.

        Parameters
        ----------
        account_share : float
            In [0, 1] (0.2: the top 20 %); the count is rounded up.

        Returns
        -------
        float
        """
        s = check_probability(account_share, "account_share")
        k = int(np.ceil(s * (len(self.curve) - 1) - 1e-9))
        return float(self.curve["cumulative_share"].iloc[k])


def whale_curve(profit: Any) -> WhaleCurve:
    """Cumulative profit of accounts sorted from the most to the least profitable.

    Parameters
    ----------
    profit : pandas.Series or array_like
        Net profit per account (may be negative); the total must be positive. Ties do not
        change the curve's values.

    Returns
    -------
    WhaleCurve

    Raises
    ------
    ValueError
        Empty, NaN or infinite profit (named by label), a total that is not positive (shares
        of it would mean nothing).

    Examples
    --------
    >>> w = whale_curve([60.0, 30.0, 20.0, -10.0])
    >>> round(w.peak_share, 3), w.peak_accounts
    (1.1, 3)
    """
    v = as_float_array(profit, "profit")
    index = profit.index if isinstance(profit, pd.Series) else pd.RangeIndex(v.size)
    total = float(v.sum())
    if total <= 0:
        raise ValueError(f"profit sums to {total:,.2f}; a whale curve in shares of total profit needs a positive total")
    order = np.argsort(-v, kind="stable")
    cum = np.r_[0.0, np.cumsum(v[order])]
    share = cum / total
    k = int(np.argmax(share))
    curve = pd.DataFrame({"account": pd.Series([None] + [plain(x) for x in index[order]], dtype=object),
                          "account_share": np.arange(v.size + 1) / v.size,
                          "cumulative_profit": cum, "cumulative_share": share})
    neg = v < 0
    return WhaleCurve(curve, total, float(share[k]), k, k / v.size, int(neg.sum()), float(v[neg].sum()))


def loss_makers(table: pd.DataFrame, by: str | None = None, *, profit: str = "net_profit") -> pd.DataFrame:
    """The accounts that lose money, or how many lose money in each group.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`account_profit` output (or any table with the ``profit`` column).
    by : str, optional
        Group column (e.g. ``industry``); without it the loss-making accounts are listed.
    profit : str
        Profit column.

    Returns
    -------
    pandas.DataFrame
        Without ``by``: the rows with negative profit, the largest loss first. With ``by``: one
        row per group with ``accounts``, ``loss_accounts``, ``loss_share``, ``profit`` (total)
        and ``losses`` (sum of the negative profits).

    Raises
    ------
    ValueError
        A missing column, NaN or infinite profit.
    """
    check_columns(table, [profit] + ([by] if by else []), "table", numeric=[profit])
    neg = table[profit] < 0
    if by is None:
        return table[neg].sort_values(profit)
    g = table.assign(_neg=neg, _loss=table[profit].where(neg, 0.0)).groupby(by, observed=True)
    out = pd.DataFrame({"accounts": g.size(), "loss_accounts": g["_neg"].sum().astype(int),
                        "profit": g[profit].sum(), "losses": g["_loss"].sum()})
    out.insert(2, "loss_share", out["loss_accounts"] / out["accounts"])
    return out


def _ratio_delta(c: np.ndarray, y: np.ndarray, z: float) -> tuple[float, float, float]:
    """Ratio of means c̄/ȳ with a delta-method interval."""
    n = c.size
    r = c.mean() / y.mean()
    if n < 2:
        return float(r), np.nan, np.nan
    cov = np.cov(c, y, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (n * y.mean() ** 2)
    se = float(np.sqrt(max(var, 0.0)))
    return float(r), float(r - z * se), float(r + z * se)


def kam_breakeven(table: pd.DataFrame, *, group: Any = None, manager_cost: float | None = None,
                  retention: float = 0.8, discount: float = 0.10, method: str = "delta", level: float = 0.95,
                  n_boot: int = 2000, rng: np.random.Generator | None = None) -> pd.DataFrame:
    """When does a dedicated key-account manager pay? Break-even uplifts with intervals.

    For the accounts in ``group``, with ``C`` the manager cost each carries, ``contribution``
    = price paid − production cost, and ``m`` = the account's yearly net profit *before* any
    manager cost:

    * ``extra_margin_per_account`` — the mean of ``C``: the extra yearly margin each account
      must bring for the manager to pay for herself;
    * ``revenue_uplift`` — ``sum C / sum contribution``: the rise in revenue (at the same
      discount and production-cost rate; marketing and service held fixed) that brings that
      margin;
    * ``retention_uplift`` — ``(1 + d - r) sum C / sum m``: the rise in the yearly retention
      rate ``r`` that pays for the manager over the account's life. With margin ``m`` a year
      and retention ``r``, an account is worth ``m (1+d) / (1+d-r)`` (margins at the start
      of each year, infinite horizon, :mod:`crmlib.clv`); with the manager it yields ``m − C``
      a year, and ``(m − C)(1+d)/(1+d−r') = m(1+d)/(1+d−r)`` gives
      ``r' − r = (C/m)(1 + d − r)``. Infeasible (``feasible`` False) when ``r'`` would exceed 1.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`account_profit` output (``contribution``, ``net_profit``, ``kam_cost``).
    group : pandas.Series of bool, optional
        Accounts considered (same labels as ``table``); default the accounts that have a
        manager (``key_account_manager``).
    manager_cost : float, optional
        Manager cost per account (>= 0) for a what-if (e.g. giving managers to accounts that
        have none); default each account's ``kam_cost``.
    retention : float
        Yearly retention without the manager, in [0, 1).
    discount : float
        Yearly discount rate (> -1).
    method : {"delta", "bootstrap"}
        Intervals by the delta method for ratios of means (normal), or percentile intervals
        from resampling the group's accounts (needs ``rng``).
    level : float
        Coverage, in (0, 1).
    n_boot : int
        Bootstrap replicates.
    rng : numpy.random.Generator, optional
        Seeded generator for ``method="bootstrap"``.

    Returns
    -------
    pandas.DataFrame
        Rows ``extra_margin_per_account``, ``revenue_uplift``, ``retention_uplift``; columns
        ``estimate``, ``lower``, ``upper``; ``attrs`` ``accounts``, ``feasible`` (the retention
        uplift keeps ``r'`` <= 1), ``retention``, ``discount``.

    Raises
    ------
    ValueError
        Missing columns, an empty group, a group of other labels, a negative manager cost,
        retention outside [0, 1), non-positive summed contribution or margin, bad sizes.
    """
    check_columns(table, ["contribution", "net_profit", "kam_cost"], "table",
                  numeric=["contribution", "net_profit", "kam_cost"], nonnegative=["kam_cost"])
    if group is None:
        if "key_account_manager" not in table.columns:
            raise ValueError("table has no 'key_account_manager' column; pass group=")
        group = table["key_account_manager"]
    g = check_aligned(table, "table", group, "group")
    g = np.asarray(g, dtype=object)
    if g.size != len(table) or not all(isinstance(x, (bool, np.bool_)) for x in g):
        raise ValueError("group must hold one True/False per account of table")
    g = g.astype(bool)
    if not g.any():
        raise ValueError("group selects no account")
    r = check_number(retention, "retention", low=0.0, high=1.0, high_open=True)
    d = check_rate(discount, "discount")
    check_choice(method, "method", ("delta", "bootstrap"))
    lv = check_probability(level, "level", open_low=True, open_high=True)
    sub = table[g]
    margin = (sub["net_profit"] + sub["kam_cost"]).to_numpy(dtype=float)
    contrib = sub["contribution"].to_numpy(dtype=float)
    if manager_cost is None:
        C = sub["kam_cost"].to_numpy(dtype=float)
    else:
        C = np.full(len(sub), check_number(manager_cost, "manager_cost", low=0.0))
    if contrib.sum() <= 0:
        raise ValueError("the group's summed contribution is not positive; no revenue uplift can pay for a manager")
    if margin.sum() <= 0:
        raise ValueError("the group's summed margin before manager costs is not positive; no retention uplift can "
                         "pay for a manager")
    k = 1.0 + d - r
    est = np.array([C.mean(), C.sum() / contrib.sum(), k * C.sum() / margin.sum()])
    if method == "delta":
        z = float(stats.norm.ppf((1 + lv) / 2))
        n = C.size
        se = C.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        rows = [(est[0], est[0] - z * se, est[0] + z * se)]
        rows.append(_ratio_delta(C, contrib, z))
        rr = _ratio_delta(C, margin, z)
        rows.append((k * rr[0], k * rr[1], k * rr[2]))
        lo, hi = np.array([x[1] for x in rows]), np.array([x[2] for x in rows])
    else:
        nb = check_size(n_boot, "n_boot", 100_000, low=1, what="bootstrap replicates")
        rng = check_generator(rng)
        idx = rng.integers(0, C.size, size=(nb, C.size))
        Cb, cb, mb = C[idx].sum(1), contrib[idx].sum(1), margin[idx].sum(1)
        with np.errstate(divide="ignore", invalid="ignore"):
            draws = np.column_stack([Cb / C.size, np.where(cb > 0, Cb / cb, np.nan), np.where(mb > 0, k * Cb / mb,
                                                                                                np.nan)])
        lo, hi = np.nanquantile(draws, [(1 - lv) / 2, (1 + lv) / 2], axis=0)
    out = pd.DataFrame({"estimate": est, "lower": lo, "upper": hi},
                       index=pd.Index(["extra_margin_per_account", "revenue_uplift", "retention_uplift"],
                                      name="statistic"))
    out.attrs.update(accounts=int(g.sum()), feasible=bool(r + est[2] <= 1.0), retention=r, discount=d)
    return out


def key_account_whatif(table: pd.DataFrame, *, by: str = "price_paid", top_shares: Any = None,
                       thresholds: Any = None, manager_cost: float = 0.0, ties: str = "keep") -> pd.DataFrame:
    """What-if: key-account criteria → how many key accounts and what share of revenue and profit.

    Give either ``top_shares`` (the top fraction of accounts by ``by``) or ``thresholds``
    (accounts with ``by`` at or above each value); each gives one row.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`account_profit` output (``price_paid``, ``contribution``, ``net_profit`` and ``by``).
    by : str
        Column that ranks the accounts (``price_paid``, ``net_profit``, ``contribution`` …).
    top_shares : sequence of float, optional
        Fractions in (0, 1].
    thresholds : sequence of float, optional
        Minimum values of ``by``.
    manager_cost : float
        Yearly manager cost per key account (>= 0), for the cost and break-even columns.
    ties : {"keep", "drop"}
        Accounts tied at a top-share cut-off (see :func:`crmlib.concentration.top_members`).

    Returns
    -------
    pandas.DataFrame
        One row per criterion: ``criterion`` (the share or threshold), ``key_accounts``,
        ``account_share``, ``revenue_share`` (of the price paid), ``profit`` (their net
        profit), ``profit_share`` (of total net profit), ``loss_making`` (key accounts that
        lose money), ``manager_cost`` (total) and ``revenue_uplift_needed`` (manager cost /
        their contribution).

    Raises
    ------
    ValueError
        Neither or both of ``top_shares`` and ``thresholds``; a share outside (0, 1];
        missing or bad columns; a negative manager cost.
    """
    if (top_shares is None) == (thresholds is None):
        raise ValueError("give either top_shares or thresholds (one of them)")
    need = list(dict.fromkeys(["price_paid", "contribution", "net_profit", by]))
    check_columns(table, need, "table", numeric=need)
    mc = check_number(manager_cost, "manager_cost", low=0.0)
    val = table[by].to_numpy(dtype=float)
    price, profit, contrib = (table[c].to_numpy(dtype=float) for c in ("price_paid", "net_profit", "contribution"))
    crit = as_float_array(top_shares if thresholds is None else thresholds,
                          "top_shares" if thresholds is None else "thresholds")
    rows = []
    for c in crit:
        if thresholds is None:
            check_probability(float(c), "top_shares entry", open_low=True)
            shifted = val - val.min()   # top_members needs values >= 0; the order is what matters
            if shifted.sum() <= 0:
                m = np.ones(val.size, dtype=bool)
            else:
                m = top_members(pd.Series(shifted + 1.0), float(c), ties=ties).to_numpy()
        else:
            m = val >= c
        n = int(m.sum())
        cost = mc * n
        rows.append({"criterion": float(c), "key_accounts": n, "account_share": n / val.size,
                     "revenue_share": float(price[m].sum() / price.sum()) if price.sum() > 0 else np.nan,
                     "profit": float(profit[m].sum()),
                     "profit_share": float(profit[m].sum() / profit.sum()) if profit.sum() > 0 else np.nan,
                     "loss_making": int((profit[m] < 0).sum()), "manager_cost": cost,
                     "revenue_uplift_needed": float(cost / contrib[m].sum()) if n and contrib[m].sum() > 0 else np.nan})
    out = pd.DataFrame(rows)
    out.attrs.update(by=by, kind="top_share" if thresholds is None else "threshold")
    return out
