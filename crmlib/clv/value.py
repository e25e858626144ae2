"""Customer lifetime value with constant margin, retention and discount rate.

The source (seed text 000, grep ``北欧航空``) prints three lifetime values —
SAS Scandinavian Airlines' business traveller US$480,000 over 20 years,
Cadillac's car buyer US$332,000 over 30 years, Marlboro's smoker US$25,000
over 30 years — and defines customer equity (顾客资产) as the sum of all
customers' *discounted* lifetime values. This module has the formulas behind
such figures, the inverse (the yearly margin a printed figure implies), the
current-value formula of the same text (grep ``现阶段净利润``) and the
"acquiring costs 5–10 × keeping" arithmetic.

Timing convention
-----------------
Time runs in whole periods ``t = 1, 2, …, T`` (years in the chapter). The
customer is active in period 1 for sure and still active in period ``t`` with
probability ``r**(t-1)`` (retention ``r`` per period). An active customer
yields the margin ``m`` in each period.

* ``timing="end"`` (default): period ``t``'s margin arrives at the **end** of
  the period and is discounted by ``(1 + d)**t``::

      CLV = sum_{t=1}^{T} m r^(t-1) / (1+d)^t
          = m / (1+d) * (1 - q^T) / (1 - q),   q = r / (1+d)
      CLV(T -> inf) = m / (1 + d - r)

* ``timing="start"``: the margin arrives at the **start** of each period, so
  the first one is not discounted: every value is ``(1 + d)`` times the
  end-of-period value, ``CLV(T -> inf) = m (1+d) / (1 + d - r)``.

Without discounting and with ``r = 1`` both give ``m * T``: a plain sum of
margins, which is what the source's figures are. (Gupta & Lehmann's
``m r / (1 + d - r)`` counts the first margin only after the customer has
survived a first retention event; it is our end-of-period value times ``r``.)

Examples
--------
>>> round(clv(100.0, 0.8, 0.1, None), 2)
333.33
>>> implied_margin(480_000, 20)
24000.0
"""
from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._cohort import check_survivors
from ._dates import read_timestamp
from .._validate import (MAX_DRAWS, MAX_PERIODS, as_float_array, check_aligned, check_choice, check_finite_result,
                         check_int, check_nonnegative, check_number, check_present, check_rate, check_size, check_whole,
                         plain)
from ._window import PERIODS_PER_YEAR, check_period, period_of, resolve_period

__all__ = [
    "TIMINGS", "annuity_factor", "clv", "clv_schedule", "implied_margin", "implied_margin_grid",
    "customer_equity", "current_value", "current_value_from_terms", "acquisition_vs_retention",
    "parse_printed_usd", "constant_retention_mle", "discounted_clv", "repeat_transactions_by_period",
    "expected_repeat_by_period", "reread_cases", "CohortProjection", "project_cohort",
    "customer_lifetime_value", "customer_lifetime_value_interval", "top_share", "CLVWhatIf", "clv_whatif",
]

TIMINGS = ("end", "start")


# ----------------------------------------------------------------- checks
def _retention(value: Any, name: str = "retention") -> float:
    return check_number(value, name, low=0.0, high=1.0)


def _discount(value: Any, name: str = "discount") -> float:
    return check_rate(value, name)


def _horizon(value: Any, name: str = "horizon") -> float:
    """An integer number of periods >= 0, or ``None`` / ``math.inf`` for an infinite horizon."""
    if value is None:
        return math.inf
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isinf(float(value)):
        if float(value) < 0:
            raise ValueError(f"{name} must be >= 0 periods, got {value}")
        return math.inf
    return float(check_int(value, name, low=0))


def _timing(value: Any) -> str:
    return check_choice(value, "timing", TIMINGS)


def _factor(r: float, d: float, horizon: float, timing: str) -> float:
    q = r / (1.0 + d)
    if math.isinf(horizon):
        if q >= 1.0:
            raise ValueError(f"an infinite horizon needs retention < 1 + discount (the sum diverges); "
                             f"got retention={r}, discount={d}")
        end = 1.0 / (1.0 + d - r)
    elif q == 1.0:
        end = horizon / (1.0 + d)
    else:
        # (1 - q^T) / (1 - q) with expm1/log1p-free form: fine for q != 1 and T <= a few hundred
        try:
            end = (1.0 - q ** horizon) / (1.0 - q) / (1.0 + d)
        except OverflowError:  # q > 1 over a long horizon: the sum exceeds a float (refused by the caller)
            end = math.inf
    return end * (1.0 + d) if timing == "start" else end


# --------------------------------------------------------------- formulas
def annuity_factor(retention: float, discount: float, horizon: int | float | None,
                   timing: str = "end") -> float:
    """Expected discounted number of margins a customer yields: ``CLV = margin * factor``.

    Parameters
    ----------
    retention : float
        Probability ``r`` in [0, 1] that an active customer is still active next period.
    discount : float
        Discount rate ``d`` per period; must be > -1 (0 means no discounting).
    horizon : int, None or math.inf
        Number of periods ``T`` >= 0; ``None`` or ``math.inf`` for an infinite horizon
        (needs ``r < 1 + d``).
    timing : {"end", "start"}
        When in each period the margin arrives (see the module docstring).

    Returns
    -------
    float
        ``sum_{t=1}^{T} r^(t-1) (1+d)^-t`` (end) or ``(1+d)`` times that (start).
    """
    f = _factor(_retention(retention), _discount(discount), _horizon(horizon), _timing(timing))
    return check_finite_result(f, "annuity_factor", {"retention": retention, "discount": discount,
                                                     "horizon": horizon})


def clv(margin: float, retention: float, discount: float, horizon: int | float | None,
        timing: str = "end") -> float:
    """Lifetime value of one customer with constant margin, retention and discount rate.

    Parameters
    ----------
    margin : float
        Margin ``m`` per period from an active customer (money; may be negative for a
        loss-making customer).
    retention, discount, horizon, timing
        As in :func:`annuity_factor`.

    Returns
    -------
    float
        The closed form ``m * annuity_factor(r, d, T, timing)``.


    Raises
    ------
    ValueError
        ``retention`` outside [0, 1], ``discount <= -1``, a negative horizon, a
        non-finite margin, or an infinite horizon whose sum diverges.
    """
    m = check_number(margin, "margin")
    return check_finite_result(m * annuity_factor(retention, discount, horizon, timing), "clv",
                               {"margin": margin, "retention": retention, "discount": discount, "horizon": horizon})


def clv_schedule(margin: float, retention: float, discount: float, horizon: int,
                 timing: str = "end") -> pd.DataFrame:
    """Period-by-period view of :func:`clv` (a finite horizon): the direct sum.

    Parameters
    ----------
    margin, retention, discount, timing
        As in :func:`clv`.
    horizon : int
        Number of periods, 0 … :data:`crmlib._validate.MAX_PERIODS` (10**6).

    Returns
    -------
    DataFrame indexed by ``period`` (1..T) with ``survival`` (``r^(t-1)``),
    ``discount_factor``, ``expected_margin``, ``discounted_margin`` and
    ``cumulative_clv`` (its last value equals :func:`clv`).


    Raises
    ------
    TypeError
        A non-number argument or a horizon that is not an integer.
    ValueError
        As :func:`clv`; a horizon above 10**6 periods (use :func:`clv`'s closed form).
    """
    m = check_number(margin, "margin")
    r, d, tm = _retention(retention), _discount(discount), _timing(timing)
    T = check_size(horizon, "horizon", MAX_PERIODS, what="periods (clv() gives the total in closed form)")
    t = np.arange(1, T + 1, dtype=float)
    surv = r ** (t - 1)
    disc = (1.0 + d) ** -(t - 1 if tm == "start" else t)
    with np.errstate(over="ignore", invalid="ignore"):   # an overflow is refused just below, naming the inputs
        out = pd.DataFrame({"survival": surv, "discount_factor": disc, "expected_margin": m * surv,
                            "discounted_margin": m * surv * disc},
                           index=pd.Index(np.arange(1, T + 1), name="period"))
        out["cumulative_clv"] = out["discounted_margin"].cumsum()
    check_finite_result(out.to_numpy(), "clv_schedule", {"margin": margin, "retention": retention,
                                                         "discount": discount, "horizon": horizon})
    return out


def implied_margin(clv_value: float, horizon: int | float | None, retention: float = 1.0,
                   discount: float = 0.0, timing: str = "end") -> float:
    """The constant margin per period that yields ``clv_value``: ``clv_value / annuity_factor``.

    With the defaults (no discounting, full retention) this is ``clv_value / horizon``,
    the yearly margin behind an undiscounted sum such as the source's figures.

    Parameters
    ----------
    clv_value : float
        The lifetime value (US$).
    horizon : int, float or None
        Years (None: infinite).
    retention : float
        Yearly retention rate.
    discount : float
        Yearly discount rate.
    timing : {"end", "start"}
        When each year's margin arrives.

    Returns
    -------
    float
        The yearly margin.

    Raises
    ------
    ValueError
        As :func:`annuity_factor`, a non-finite ``clv_value``, or ``horizon = 0``
        (no margin can produce a value over zero periods).
    """
    v = check_number(clv_value, "clv_value")
    f = annuity_factor(retention, discount, horizon, timing)
    if f == 0.0:
        raise ValueError("horizon must be >= 1 period (or retention > 0 beyond the first) to imply a margin; "
                         f"got horizon={horizon}")
    return check_finite_result(v / f, "implied_margin", {"clv_value": clv_value, "horizon": horizon,
                                                         "retention": retention, "discount": discount})


def implied_margin_grid(clv_value: float, horizon: int, retentions: Any, discounts: Any,
                        timing: str = "end") -> pd.DataFrame:
    """:func:`implied_margin` over a grid: rows ``retention``, columns ``discount``.

    Parameters
    ----------
    clv_value : float
        The lifetime value to reproduce.
    horizon : int
        Number of periods (>= 1).
    retentions, discounts : sequence of float
        Grid values, each in [0, 1] and > -1 respectively; at most 10**6
        cells (``len(retentions) * len(discounts)``).
    timing : {"end", "start"}
        As in :func:`annuity_factor`.

    Returns
    -------
    DataFrame of margins, rows ``retention``, columns ``discount``.


    Raises
    ------
    TypeError, ValueError
        As :func:`implied_margin`; grid values that are not numbers, NaN or
        infinite, empty or ragged; a grid above 10**6 cells.
    """
    rs = as_float_array(retentions, "retentions")
    ds = as_float_array(discounts, "discounts")
    if rs.size * ds.size > MAX_PERIODS:
        raise ValueError(f"the grid has {rs.size:,} retentions x {ds.size:,} discounts = {rs.size * ds.size:,} cells, "
                         f"above crmlib's limit of {MAX_PERIODS:,} for one call")
    for i, r in enumerate(rs):
        _retention(r, f"retentions[{i}]")
    for j, d in enumerate(ds):
        _discount(d, f"discounts[{j}]")
    check_int(horizon, "horizon", low=1)
    vals = [[implied_margin(clv_value, horizon, r, d, timing) for d in ds] for r in rs]
    return pd.DataFrame(vals, index=pd.Index(rs, name="retention"), columns=pd.Index(ds, name="discount"))


def customer_equity(clv_values: Any, counts: Any = None) -> float:
    """Customer equity (客户资产): the sum of the customers' discounted lifetime values.

    Parameters
    ----------
    clv_values : sequence of float
        One discounted CLV per customer, or per segment when ``counts`` is given.
    counts : sequence of int-like, optional
        Number of customers in each segment (>= 0, whole numbers).

    Returns
    -------
    float


    Raises
    ------
    TypeError
        A value that is not a number (strings, None, bools).
    ValueError
        Empty, NaN or infinite values, ``counts`` of another length, a count
        below 0 or not whole, or Series with different index labels (Series
        with the same labels in another order are paired by label).
    """
    v = as_float_array(clv_values, "clv_values")
    if counts is None:
        return check_finite_result(float(v.sum()), "customer_equity", {"clv_values": v})
    counts = check_aligned(clv_values, "clv_values", counts, "counts")
    n = as_float_array(counts, "counts")
    if n.size != v.size:
        raise ValueError(f"counts has {n.size} entries but clv_values has {v.size}")
    check_nonnegative(n, "counts")
    check_whole(n, "counts")
    with np.errstate(over="ignore", invalid="ignore"):   # an overflow is refused by check_finite_result
        total = float(v @ n)
    return check_finite_result(total, "customer_equity", {"clv_values": v, "counts": n})


def current_value(price_paid: float, production_cost: float, marketing_cost: float,
                  service_cost: float) -> float:
    """Current (this period's) value of a customer, as the source defines it.

    ``net profit now = price actually paid − allocated production cost − fixed marketing
    cost − service cost`` (seed 000, grep ``现阶段净利润``). Every amount is money and must be
    >= 0; the result may be negative (an unprofitable customer).

    Parameters
    ----------
    price_paid : float
        Price the customer actually paid.
    production_cost : float
        Allocated production cost.
    marketing_cost : float
        Fixed marketing cost.
    service_cost : float
        Cost to serve.

    Returns
    -------
    float
        Net profit now.
    """
    amounts = {"price_paid": price_paid, "production_cost": production_cost,
               "marketing_cost": marketing_cost, "service_cost": service_cost}
    a = {k: check_number(v, k, low=0.0) for k, v in amounts.items()}
    return a["price_paid"] - a["production_cost"] - a["marketing_cost"] - a["service_cost"]


def current_value_from_terms(terms: pd.DataFrame, amounts: Mapping[str, float]) -> float:
    """Net profit now from a terms table (``term``, ``kind``, ``sign``), e.g. ``current_value_terms``.

    Every ``formula_term`` row needs an amount (>= 0) in ``amounts``; the result is
    ``sum(sign * amount)``. Extra amounts are rejected rather than ignored.

    Parameters
    ----------
    terms : pandas.DataFrame
        ``term`` and ``sign`` (the ``current_value_terms`` dataset).
    amounts : mapping of str to float
        Term -> amount (every term of the table).

    Returns
    -------
    float
        The formula's value.
    """
    if not isinstance(terms, pd.DataFrame):
        raise TypeError(f"terms must be a pandas DataFrame, got {type(terms).__name__}")
    missing = [c for c in ("term", "kind", "sign") if c not in terms.columns]
    if missing:
        raise ValueError(f"terms is missing column(s) {missing}")
    if not isinstance(amounts, Mapping):
        raise TypeError("amounts must be a mapping term -> money")
    ft = terms[terms["kind"] == "formula_term"]
    if ft.empty:
        raise ValueError("terms has no 'formula_term' rows")
    signs = dict(zip(ft["term"], ft["sign"]))
    bad_sign = [k for k, s in signs.items() if s not in (-1, 1)]
    if bad_sign:
        raise ValueError(f"terms row {bad_sign[0]!r}: a formula term's sign must be +1 or -1")
    extra = sorted(set(amounts) - set(signs))
    if extra:
        raise ValueError(f"amounts names unknown term(s) {extra}; formula terms are {list(signs)}")
    lacking = [k for k in signs if k not in amounts]
    if lacking:
        raise ValueError(f"amounts lacks term(s) {lacking}")
    return float(sum(s * check_number(amounts[k], f"amounts[{k!r}]", low=0.0) for k, s in signs.items()))


def acquisition_vs_retention(customers: int, retention_cost: float, ratios: Any = (5, 10)) -> pd.DataFrame:
    """"Acquiring a customer costs 5–10 × keeping one", worked as arithmetic.

    A firm that lets ``customers`` go and wins the same number of new ones pays
    ``ratio × retention_cost`` per new customer instead of ``retention_cost`` to keep each.

    Parameters
    ----------
    customers : int
        Customers to keep or to replace (>= 1).
    retention_cost : float
        Cost of keeping one customer (money, >= 0).
    ratios : sequence of float
        Acquisition cost as a multiple of retention cost (each >= 1).

    Returns
    -------
    DataFrame indexed by ``ratio``: ``cost_keep``, ``cost_replace``, ``extra_cost``.
    """
    n = check_int(customers, "customers", low=1)
    c = check_number(retention_cost, "retention_cost", low=0.0)
    k = as_float_array(ratios, "ratios")
    low = np.flatnonzero(k < 1)
    if low.size:
        raise ValueError(f"ratios[{int(low[0])}] must be >= 1 (acquiring costs at least as much as keeping), "
                         f"got {k[low[0]]}")
    keep = np.full(k.size, n * c)
    replace = check_finite_result(n * c * k, "cost_replace", {"customers": n, "retention_cost": c, "ratios": k})
    return pd.DataFrame({"cost_keep": keep, "cost_replace": replace, "extra_cost": replace - keep},
                        index=pd.Index(k, name="ratio"))


_WAN = re.compile(r"^\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<wan>万)?\s*美元\s*$")


def parse_printed_usd(text: str) -> float:
    """Read a US-dollar amount as the Chinese source prints it, e.g. ``"33.2 万美元"`` -> 332000.0.

    Accepts ``<number> 万美元`` (万 = 10,000) or ``<number> 美元``; anything else is rejected.

    Parameters
    ----------
    text : str
        E.g. ``"48 万美元"``.

    Returns
    -------
    float
        US dollars.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    m = _WAN.match(text)
    if not m:
        raise ValueError(f"text must look like '48 万美元' or '2500 美元', got {text!r}")
    return float(m.group("num")) * (1e4 if m.group("wan") else 1.0)


# ------------------------------------------------- cohorts and customer bases
def constant_retention_mle(survivors: Any) -> float:
    """Maximum-likelihood retention rate of a cohort if every customer had the same, constant rate.

    With survivors ``S_0, …, S_n`` the geometric (no heterogeneity) model's likelihood gives
    ``r = 1 - (S_0 - S_n) / sum_{t=0}^{n-1} S_t``: customers lost over customer-periods at risk.

    Parameters
    ----------
    survivors : sequence of float
        Customers still active at the start (index 0) and after each period; non-increasing.

    Returns
    -------
    float
        The rate.
    """
    s = check_survivors(survivors)
    exposure = s[:-1].sum()
    return float(1.0 - (s[0] - s[-1]) / exposure)


def discounted_clv(cumulative_purchases: Any, spend_per_purchase: Any, discount: float, *,
                   step_years: float) -> np.ndarray:
    """Per-customer discounted value of future purchases.

    Parameters
    ----------
    cumulative_purchases : array (customers, K + 1)
        Expected cumulative purchases at step boundaries ``0, 1, …, K``; column 0 is 0 and each
        row is non-decreasing (e.g. a BG/NBD model's conditional expectations).
    spend_per_purchase : array (customers,)
        Expected spend (or margin) per purchase, >= 0 (e.g. Gamma-Gamma).
    discount : float
        Discount rate **per year** (> -1), e.g. 0.10 for 10 % a year.
    step_years : float
        Length of one step in years (> 0), e.g. ``4 / 52`` for steps of 4 weeks or ``1 / 12``
        for months. The rate per step is ``(1 + discount) ** step_years - 1``; purchases expected
        in step ``k`` count at its end, discounted by ``(1 + discount) ** (k * step_years)`` — the
        end-of-period convention of :func:`clv`. Required: a rate per year means nothing without
        the length of a step.

    Returns
    -------
    ndarray (customers,)

    Raises
    ------
    TypeError
        ``cumulative_purchases`` not a 2-D array of numbers (strings, ragged rows), ``step_years``
        missing or not a number.
    ValueError
        Non-finite values, a first column that is not 0, a decreasing row,
        ``spend_per_purchase`` of another length, negative or non-finite, a bad
        ``discount`` or ``step_years``, pandas inputs with different index labels (the same
        labels in another order are paired by label), or a result that overflows.
    """
    spend_per_purchase = check_aligned(cumulative_purchases, "cumulative_purchases", spend_per_purchase,
                                       "spend_per_purchase")
    inc = _increments(cumulative_purchases)
    m = as_float_array(spend_per_purchase, "spend_per_purchase")
    if m.size != inc.shape[0]:
        raise ValueError(f"spend_per_purchase has {m.size} entries but cumulative_purchases has {inc.shape[0]} rows")
    check_nonnegative(m, "spend_per_purchase")
    d = _discount(discount)
    years = check_number(step_years, "step_years", low=0.0, low_open=True)
    d_step = (1.0 + d) ** years - 1.0
    k = np.arange(1, inc.shape[1] + 1)
    with np.errstate(over="ignore", invalid="ignore"):   # an overflow is refused by check_finite_result
        value = m * (inc @ (1.0 + d_step) ** -k)
    return check_finite_result(value, "discounted_clv",
                               {"cumulative_purchases": inc, "spend_per_purchase": m, "discount": discount,
                                "step_years": step_years})


def _increments(cumulative_purchases: Any) -> np.ndarray:
    """Purchases expected in each step: the differences of a checked (customers, K + 1) cumulative array."""
    if isinstance(cumulative_purchases, (str, bytes)) or cumulative_purchases is None:
        raise TypeError(f"cumulative_purchases must be a 2-D array of numbers, got "
                        f"{type(cumulative_purchases).__name__}")
    try:
        c = np.asarray(cumulative_purchases, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("cumulative_purchases must be a 2-D array of numbers with rows of equal length "
                        "(a string, a ragged list or a non-number entry cannot be read)") from None
    if c.ndim != 2 or c.shape[1] < 2:
        raise ValueError("cumulative_purchases must be 2-D (customers, steps + 1) with >= 2 columns, "
                         f"got shape {c.shape}")
    not_finite = ~np.isfinite(c)
    if not_finite.any():
        i, j = map(int, np.argwhere(not_finite)[0])
        raise ValueError(f"cumulative_purchases[{i}, {j}] is not finite")
    if np.any(np.abs(c[:, 0]) > 1e-12):
        raise ValueError("cumulative_purchases column 0 must be 0 (nothing purchased yet)")
    inc = np.diff(c, axis=1)
    if np.any(inc < -1e-9):
        i, j = map(int, np.argwhere(inc < -1e-9)[0])
        raise ValueError(f"cumulative_purchases row {i} decreases at step {j + 1}")
    return inc


def repeat_transactions_by_period(transactions: pd.DataFrame, *, customer_id: str, date: str, start: Any,
                                  periods: int, period_days: float = 7.0) -> pd.Series:
    """Repeat purchase occasions per period (a customer's first day and same-day repeats not counted).

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction with ``customer_id`` and ``date`` (datetime) columns.
    customer_id : str
        Name of the column identifying the customer (the first day of each is not counted).
    date : str
        Name of the datetime column; transactions of a customer on the same day are one occasion.
    start : date-like
        Start of period 1: a string (ISO 8601), Timestamp or datetime, naive and within
        pandas' range; a number (e.g. 20240101) is refused, not read as nanoseconds.
    periods : int
        Number of periods to count (>= 1); later transactions are left out.
    period_days : float
        Length of a period in days (7: weeks).

    Returns
    -------
    Series indexed 1..periods: number of repeat occasions in each period.


    Raises
    ------
    TypeError
        ``date`` not a datetime column, ``start`` not a date, a non-integer ``periods``.
    ValueError
        Missing columns, a missing customer id, NaT, ``start`` unreadable or NaT, ``periods`` outside
        1 … 10**6, ``period_days`` <= 0 or not finite.
    """
    from .._validate import check_columns

    check_columns(transactions, [customer_id, date], "transactions")
    if not pd.api.types.is_datetime64_any_dtype(transactions[date]):
        raise TypeError(f"transactions column {date!r} must be datetime, got {transactions[date].dtype}")
    if isinstance(transactions[date].dtype, pd.DatetimeTZDtype):  # days are counted on a naive calendar
        raise ValueError(f"transactions column {date!r} is time-zone aware ({transactions[date].dtype.tz}); convert "
                         f"it to the zone whose days count: .dt.tz_convert(zone).dt.tz_localize(None)")
    check_present(transactions, customer_id, "transactions", what="id")
    if transactions[date].isna().any():
        i = int(np.flatnonzero(transactions[date].isna().to_numpy())[0])
        raise ValueError(f"transactions column {date!r} is NaT at row {plain(transactions.index[i])!r}")
    n = check_size(periods, "periods", MAX_PERIODS, low=1, what="periods")
    width = check_number(period_days, "period_days", low=0.0, low_open=True)
    t0 = read_timestamp(start, "start")  # numbers, out-of-range and aware dates refused as in rfm.summarize
    occ = transactions[[customer_id, date]].assign(_day=transactions[date].dt.normalize()).drop_duplicates(
        [customer_id, "_day"])
    first = occ.groupby(customer_id)["_day"].transform("min")
    rep = occ.loc[occ["_day"] > first, "_day"]
    days = (rep - t0).dt.days.to_numpy()
    idx = np.floor(days / width).astype(int) + 1
    idx = idx[(idx >= 1) & (idx <= n)]
    counts = np.bincount(idx, minlength=n + 1)[1:]
    return pd.Series(counts, index=pd.Index(np.arange(1, n + 1), name="period"), name="repeat_transactions")


def expected_repeat_by_period(expected_new: Any, first_purchase: Any, periods: int, *,
                              period: str | None = None) -> pd.Series:
    """Model-expected cumulative repeat purchases of a customer base at the end of each period.

    Time runs in the unit of the fit behind ``expected_new`` (weeks for a fit on a weekly
    summary): ``first_purchase`` and ``periods`` count periods of that unit.

    Parameters
    ----------
    expected_new : callable
        ``t -> E[X(t)]``, expected repeat purchases of a new customer in ``t`` periods
        (vectorised, e.g. ``BetaGeoResults.expected_purchases_new``).
    first_purchase : sequence of float
        Each customer's first-purchase time in periods after the start (>= 0).
    periods : int
        Number of periods (>= 1).
    period : {"W", "D", "h", "M", "Q", "Y"}, optional
        The unit of ``first_purchase`` and ``periods``; when given and ``expected_new`` is a
        method of a fit that knows its unit, the two must agree.

    Returns
    -------
    Series indexed 1..periods: ``sum_i E[X(k - t0_i)]`` (0 before a customer's first purchase).


    Raises
    ------
    TypeError
        ``expected_new`` not callable, ``first_purchase`` not numbers, ``periods`` not an integer.
    ValueError
        ``first_purchase`` empty, NaN, infinite or negative; ``periods`` outside
        1 … 10**6; more than 10**7 evaluations (distinct first-purchase times x periods);
        a ``period`` other than the fit's.
    """
    if not callable(expected_new):
        raise TypeError("expected_new must be callable: t -> expected purchases of a new customer")
    resolve_period({"period": check_period(period),
                    "the fit of expected_new": getattr(getattr(expected_new, "__self__", None), "period", None)})
    t0 = as_float_array(first_purchase, "first_purchase")
    neg = np.flatnonzero(t0 < 0)
    if neg.size:
        raise ValueError(f"first_purchase[{int(neg[0])}] is negative ({t0[neg[0]]})")
    n = check_size(periods, "periods", MAX_PERIODS, low=1, what="periods")
    starts, counts = np.unique(t0, return_counts=True)
    if starts.size * n > MAX_DRAWS:
        raise ValueError(f"{starts.size:,} distinct first-purchase times x {n:,} periods = {starts.size * n:,} "
                         f"evaluations, above crmlib's limit of {MAX_DRAWS:,} for one call; round first_purchase "
                         "(e.g. to whole periods) or use fewer periods")
    ks = np.arange(1, n + 1, dtype=float)
    total = np.zeros(n)
    for s0, c in zip(starts, counts):
        age = ks - s0
        live = age > 0
        if live.any():
            total[live] += c * np.asarray(expected_new(age[live]), dtype=float)
    return pd.Series(total, index=pd.Index(np.arange(1, n + 1), name="period"), name="expected_cumulative")


# ---------------------------------------------------------------------------------------------
# The chapter's analyses, each one call (computation apart from the notebook's story)


def reread_cases(cases: pd.DataFrame, retention: float, discount: float) -> pd.DataFrame:
    """The printed lifetime values re-read under a retention and a discount rate.

    Parameters
    ----------
    cases : pandas.DataFrame
        ``case``, ``clv_usd`` and ``horizon_years`` (the ``clv_cases`` dataset).
    retention, discount : float
        The yearly retention and discount rates of the re-reading.

    Returns
    -------
    pandas.DataFrame
        Indexed by case: ``clv_usd`` (as printed), ``margin_undiscounted`` (the printed value read as
        a plain sum), ``margin_needed`` (the yearly margin that yields the printed value under the
        rates) and ``value_of_margin`` (what the undiscounted margin is worth under the rates).
    """
    if not isinstance(cases, pd.DataFrame):
        raise TypeError(f"cases must be a DataFrame, got {type(cases).__name__}")
    missing = [c for c in ("case", "clv_usd", "horizon_years") if c not in cases.columns]
    if missing:
        raise ValueError(f"cases lacks column {missing[0]!r}")
    r, d = _retention(retention), _discount(discount)
    rows = {}
    for _, c in cases.iterrows():
        value, horizon = float(c["clv_usd"]), int(c["horizon_years"])
        m0 = implied_margin(value, horizon)
        rows[c["case"]] = {"clv_usd": value, "margin_undiscounted": m0,
                           "margin_needed": implied_margin(value, horizon, r, d),
                           "value_of_margin": clv(m0, r, d, horizon)}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "case"
    return out


@dataclass(frozen=True)
class CohortProjection:
    """A cohort's survivors projected from its first periods by the sBG model and by one constant rate.

    Attributes
    ----------
    fit : crmlib.clv.btyd.ShiftedBetaGeometricResults
        The sBG fit on the calibration periods.
    periods : numpy.ndarray
        0, 1, …, n (all periods of the data).
    actual, sbg, constant : numpy.ndarray
        Survivors observed, projected by the sBG model, and by the constant retention rate.
    constant_rate : float
        The constant rate's maximum-likelihood estimate on the calibration periods.
    calibration : int
        Number of calibration periods.
    """

    fit: Any
    periods: np.ndarray
    actual: np.ndarray
    sbg: np.ndarray
    constant: np.ndarray
    constant_rate: float
    calibration: int

    def error_pct(self, model: str = "sbg") -> float:
        """Error of the last period's projection, in % of the actual survivors (``"sbg"`` or ``"constant"``).

        Parameters
        ----------
        model : {"sbg", "constant"}

        Returns
        -------
        float
        """
        proj = {"sbg": self.sbg, "constant": self.constant}.get(model)
        if proj is None:
            raise ValueError(f"model must be 'sbg' or 'constant', got {model!r}")
        return float(100.0 * (proj[-1] / self.actual[-1] - 1.0))

    @property
    def holdout(self) -> np.ndarray:
        """Boolean mask of the periods after the calibration."""
        return self.periods > self.calibration

    def retention(self) -> dict[str, np.ndarray]:
        """Period-on-period retention from period 1 on: observed, sBG, and the constant rate.

        Returns
        -------
        dict of str to numpy.ndarray
            ``"actual"``, ``"sbg"`` and ``"constant"``, each one value per period 1 … n.
        """
        p = self.periods[1:]
        return {"actual": self.actual[1:] / self.actual[:-1], "sbg": np.asarray(self.fit.retention(p)),
                "constant": np.full(p.shape, self.constant_rate)}

    def table(self) -> pd.DataFrame:
        """Survivors per period: actual, sBG and constant projections.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``period`` (0 … n): ``actual``, ``sbg`` and ``constant``.
        """
        return pd.DataFrame({"actual": self.actual, "sbg": self.sbg, "constant": self.constant},
                            index=pd.Index(self.periods, name="period"))


def project_cohort(survivors: Any, calibration: int) -> CohortProjection:
    """Fit the sBG model and a constant retention rate to a cohort's first periods and project the rest.

    Parameters
    ----------
    survivors : sequence of float
        Customers active at the start (index 0) and after each period; non-increasing.
    calibration : int
        Periods used to fit (1 <= calibration < number of periods).

    Returns
    -------
    CohortProjection
    """
    from . import btyd

    s = check_survivors(survivors)
    if isinstance(calibration, bool) or not isinstance(calibration, (int, np.integer)):
        raise TypeError(f"calibration must be an integer, got {plain(calibration)!r}")
    if not 1 <= int(calibration) < s.size - 1:
        raise ValueError(f"calibration must be between 1 and {s.size - 2}, got {calibration}")
    k = int(calibration)
    fit = btyd.ShiftedBetaGeometric(s[:k + 1]).fit()
    periods = np.arange(s.size)
    rate = constant_retention_mle(s[:k + 1])
    return CohortProjection(fit, periods, s, np.asarray(fit.expected_survivors(periods), dtype=float),
                            s[0] * rate ** periods, rate, k)


def customer_lifetime_value(purchase_fit: Any, spend_fit: Any, summary: pd.DataFrame, horizon: int, step: int,
                            discount: float, *, period: str | None = None, covariates: Any = None) -> pd.Series:
    """Each customer's discounted value of future purchases: a purchase model times a spend model.

    Time is counted in the unit of the data — the ``period`` of the summary and of the purchase
    model's fit (weeks for a summary by week) — and the discount rate is a rate **per year**,
    turned into a rate per step with the number of periods in a year (8,760 hours, 365 days,
    52 weeks, 12 months, 4 quarters; see :data:`crmlib.clv.rfm.PERIODS_PER_YEAR`). The same log
    summarised by day, week or month thus gives the same CLV, up to discretisation.

    Parameters
    ----------
    purchase_fit : BetaGeoResults or ParetoNBDResults
        A fitted purchase model with ``expected_purchases(t, frequency, recency, T)`` and ``period``
        (its time unit, None when unknown).
    spend_fit : GammaGammaResults
        A fitted spend model with ``expected_spend(frequency, monetary_value)``.
    summary : pandas.DataFrame
        One row per customer: ``frequency``, ``recency``, ``T``, ``monetary_value`` (as
        :func:`crmlib.clv.rfm.summarize` gives it, with its unit in ``attrs["period"]``).
    horizon : int
        Periods ahead, in the data's unit (e.g. 156 for three years of weeks), a multiple of ``step``.
    step : int
        Periods per discounting step (e.g. 4 weeks); purchases count at the end of their step.
    discount : float
        Discount rate per year (> -1), e.g. 0.10.
    period : {"h", "D", "W", "M", "Q", "Y"}, optional
        The data's unit, for a fit and a summary that do not carry it (a fit on plain arrays);
        when they do, it must agree with them.
    covariates : pandas.DataFrame or mapping, optional
        For a purchase model with covariates: the customers' covariates (passed to its
        ``expected_purchases``); by default the fitted customers' own, looked up by the
        summary's index labels.

    Returns
    -------
    pandas.Series
        CLV per customer, indexed like ``summary``.

    Raises
    ------
    TypeError
        ``summary`` not a DataFrame.
    ValueError
        Missing columns; ``horizon`` or ``step`` not positive integers, ``horizon`` not a multiple
        of ``step`` or more than 10,000 steps; a bad ``discount``; time units that disagree
        (``period``, the fit's and the summary's) or a unit that cannot be known (the fit does
        not know its unit and ``period`` is not given); a result that overflows.
    """
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(f"summary must be a DataFrame, got {type(summary).__name__}")
    missing = [c for c in ("frequency", "recency", "T", "monetary_value") if c not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks column {missing[0]!r}")
    for name, v in (("horizon", horizon), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {plain(v)!r}")
    if horizon % step:
        raise ValueError(f"horizon ({horizon}) must be a multiple of step ({step})")
    if horizon // step > 10_000:
        raise ValueError(f"horizon / step = {horizon // step} steps; at most 10,000 are computed")
    d = _discount(discount)
    unit = _data_unit(purchase_fit, summary, period)
    grid = np.arange(step, horizon + 1, step, dtype=float)
    f, r, T = summary["frequency"], summary["recency"], summary["T"]
    cum = np.column_stack([np.zeros(len(summary))] +
                          [np.asarray(_expected(purchase_fit, t, f, r, T, covariates), dtype=float) for t in grid])
    spend = np.asarray(spend_fit.expected_spend(f, summary["monetary_value"]), dtype=float)
    clv_i = discounted_clv(cum, spend, d, step_years=step / PERIODS_PER_YEAR[unit])
    return pd.Series(clv_i, index=summary.index, name="clv")


def _expected(fit: Any, t: float, f: Any, r: Any, T: Any, covariates: Any) -> Any:
    """``fit.expected_purchases``, with the covariates only where there are some (any fit's signature)."""
    if covariates is None:
        return fit.expected_purchases(t, f, r, T)
    return fit.expected_purchases(t, f, r, T, covariates)


def customer_lifetime_value_interval(purchase_fit: Any, spend_fit: Any, summary: pd.DataFrame, horizon: int,
                                     step: int, discount: float, *, level: float = 0.95,
                                     period: str | None = None, covariates: Any = None) -> pd.DataFrame:
    """Each customer's discounted CLV with a confidence interval from both models' estimates (delta method).

    The CLV of :func:`customer_lifetime_value`, with :func:`crmlib.clv.btyd.prediction_interval`
    on the log scale: the gradient of log CLV in the purchase model's parameters and in the spend
    model's, by centred differences, combined with each fit's covariance (the two fits' estimates
    taken as independent). The interval covers the parameters' uncertainty — how well the models
    are estimated — not the randomness of a customer's future purchases.

    Parameters
    ----------
    purchase_fit, spend_fit, summary, horizon, step, discount, period, covariates
        As for :func:`customer_lifetime_value`.
    level : float, default 0.95
        Confidence level (0 to 1, both open).

    Returns
    -------
    pandas.DataFrame
        ``estimate`` (the CLV), ``se``, ``lower``, ``upper``, indexed like ``summary``.

    Raises
    ------
    TypeError, ValueError
        As :func:`customer_lifetime_value`; a bad ``level``; a fit without a finite covariance.
    """
    from . import btyd

    return btyd.prediction_interval(
        lambda pf, sf: customer_lifetime_value(pf, sf, summary, horizon, step, discount, period=period,
                                               covariates=covariates),
        [purchase_fit, spend_fit], level=level, scale="log")


def _data_unit(purchase_fit: Any, summary: pd.DataFrame, period: Any) -> str:
    """The time unit of a CLV's data: ``period``, the fit's and the summary's must agree, and be known."""
    said = {"period": check_period(period), "purchase_fit.period": getattr(purchase_fit, "period", None),
            "summary.attrs['period']": period_of(summary)}
    unit = resolve_period(said, need=True, hint="; summarise with crmlib.clv.rfm.summarize and fit on its "
                                                "columns, or pass period='W' (the unit of recency, T and horizon)")
    if said["purchase_fit.period"] is None and said["period"] is None:
        raise ValueError(f"purchase_fit does not know the time unit of the data it was fitted on (plain arrays): "
                         f"pass period={unit!r} to confirm it is the summary's, or fit the model with "
                         f"period={unit!r}")
    return unit


def top_share(values: Any, share: float = 0.2) -> float:
    """Fraction of the total held by the largest ``share`` of the values (e.g. the top 20 % of customers).

    Parameters
    ----------
    values : sequence of float
        Non-negative values (one per customer).
    share : float
        The top fraction, in (0, 1]; its count is rounded up.

    Returns
    -------
    float
    """
    v = as_float_array(values, "values")
    if v.size == 0:
        raise ValueError("values is empty")
    if (v < 0).any():
        raise ValueError(f"values[{int(np.flatnonzero(v < 0)[0])}] is negative")
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {plain(share)!r}")
    total = v.sum()
    if total <= 0:
        raise ValueError("values sum to 0: no share to take")
    top = np.sort(v)[::-1]
    return float(top[: int(np.ceil(share * top.size))].sum() / total)


@dataclass(frozen=True)
class CLVWhatIf:
    """One customer's CLV for a margin, retention, discount and horizon, and the printed cases re-valued.

    Attributes
    ----------
    value, infinite : float
        CLV over the horizon, and over an infinite horizon.
    curve : pandas.Series
        CLV by horizon 1 … ``max_horizon``.
    cases : pandas.DataFrame
        ``case``, ``horizon_years``, ``clv_usd`` and ``clv_model`` (the printed case's undiscounted margin
        valued under the same retention and discount).
    horizon : int
    """

    value: float
    infinite: float
    curve: pd.Series
    cases: pd.DataFrame
    horizon: int


def clv_whatif(margin: float, retention: float, discount: float, horizon: int, cases: pd.DataFrame,
               max_horizon: int = 40) -> CLVWhatIf:
    """The chapter's what-if: CLV for slider values, with the printed cases re-valued alike.

    Parameters
    ----------
    margin, retention, discount : float
        Yearly margin (US$), retention and discount rates.
    horizon : int
        Years.
    cases : pandas.DataFrame
        ``case``, ``clv_usd``, ``horizon_years`` (the ``clv_cases`` dataset).
    max_horizon : int
        Last horizon of the curve (at most 1,000).

    Returns
    -------
    CLVWhatIf
    """
    if isinstance(max_horizon, bool) or not isinstance(max_horizon, (int, np.integer)) or not 1 <= max_horizon <= 1000:
        raise ValueError(f"max_horizon must be an integer in [1, 1000], got {plain(max_horizon)!r}")
    value = clv(margin, retention, discount, horizon)
    years = np.arange(1, max_horizon + 1)
    curve = pd.Series([clv(margin, retention, discount, int(T)) for T in years], index=years, name="clv")
    rr = reread_cases(cases, retention, discount)
    marked = pd.DataFrame({"case": rr.index, "horizon_years": cases.set_index("case").loc[rr.index, "horizon_years"]
                           .to_numpy(), "clv_usd": rr["clv_usd"].to_numpy(), "clv_model": rr["value_of_margin"]
                           .to_numpy()})
    return CLVWhatIf(value, clv(margin, retention, discount, None), curve, marked, int(horizon))
