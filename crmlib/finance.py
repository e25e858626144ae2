"""Investment appraisal in closed form: NPV, IRR, payback, ROI, EVA and one-at-a-time sensitivity.

Pure finance, nothing about CRM: chapter 06's business case
(:mod:`crmlib.business_case`) builds the cash flows these functions value.
Every measure is written out in numpy — no financial library:

* :func:`npv`: :math:`\\sum_{t=0}^{n} CF_t/(1+r)^t` (flows at the end of years 0..n);
* :func:`irr`: the rate where that sum is 0, found with :func:`scipy.optimize.brentq`
  on a bracket located by scanning the NPV on a grid of rates;
* :func:`payback_period`: the first year the cumulative (optionally discounted)
  cash flow reaches 0, interpolated linearly within the year;
* :func:`roi`: (benefits − costs) / costs, undiscounted or discounted;
* :func:`eva_table`: NOPAT minus a capital charge on the opening book value of
  the money an investment ties up; by the Preinreich–Lücke theorem the present
  value of EVA equals the NPV of the after-tax cash flows;
* :func:`tornado_table`: move one input at a time to a low and a high value.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ._validate import (MAX_DRAWS, as_float_array, check_aligned, check_finite_result, check_int, check_nonnegative,
                        check_number, check_probability, check_rate, check_same_length, check_size, plain)

__all__ = ["discount_factors", "npv", "npv_profile", "irr", "payback_period", "roi", "eva_table",
           "tornado_table"]


def _check_flows(cash_flows: Any, name: str = "cash_flows") -> np.ndarray:
    if isinstance(cash_flows, pd.DataFrame):
        raise TypeError(f"{name} must be a 1-D sequence of numbers, got a DataFrame")
    return as_float_array(cash_flows, name)


def _too_extreme(amounts: dict[str, np.ndarray], rate: tuple[str, float] | None = None) -> str:
    """The end of an overflow message: the amounts' largest sizes and the rate, and what to do."""
    parts = [f"{k} (largest |value| {float(np.max(np.abs(v))) if np.size(v) else 0.0:.3g})" for k, v in amounts.items()]
    if rate is not None:
        parts.append(f"{rate[0]} ({rate[1]:g})")
    return (" or ".join(parts) + " is too extreme for float arithmetic; state the amounts in larger units "
            "(thousands, millions) or use a rate further from -1")


def discount_factors(rate: float, n_periods: int) -> np.ndarray:
    """Discount factors :math:`(1+r)^{-t}` for ``t = 0 .. n_periods - 1``.

    Parameters
    ----------
    rate : float
        Discount rate per period, > −1.
    n_periods : int
        Number of factors (≥ 1).

    Returns
    -------
    numpy.ndarray
        ``n_periods`` factors, the first 1.

    Raises
    ------
    TypeError, ValueError
        A bad rate; ``n_periods`` not an integer, below 1 or above 10**7; a rate so close to −1
        that the factors overflow.
    """
    r = check_rate(rate)
    n = check_size(n_periods, "n_periods", MAX_DRAWS, low=1, what="periods")
    with np.errstate(over="ignore"):
        factors = np.exp(-np.arange(n) * np.log1p(r))
    return check_finite_result(factors, f"the discount factor (1 + rate)^-{n - 1}",
                               f"rate ({r:g}) is too close to -1 for {n} periods")


def npv(rate: float, cash_flows: Sequence[float]) -> float:
    """Net present value of ``cash_flows`` at the end of years 0, 1, …, n.

    Parameters
    ----------
    rate : float
        Discount rate per year, > −1.
    cash_flows : sequence of float
        Net cash flow of each year, the first at t = 0 (not discounted).

    Returns
    -------
    float
        :math:`\\sum_t CF_t (1+r)^{-t}`.

    Raises
    ------
    ValueError
        Rate ≤ −1, empty cash flows, NaN or infinite values, or flows and a rate so extreme
        that the NPV overflows.
    """
    r = check_rate(rate)
    cf = _check_flows(cash_flows)
    with np.errstate(over="ignore", invalid="ignore"):
        value = float(cf @ np.exp(-np.arange(cf.size) * np.log1p(r)))
    return check_finite_result(value, "npv", _too_extreme({"cash_flows": cf}, ("rate", r)))


def npv_profile(cash_flows: Sequence[float], rates: Sequence[float]) -> pd.Series:
    """NPV of ``cash_flows`` at each of ``rates``.

    Parameters
    ----------
    cash_flows : sequence of float
        Net cash flows of years 0..n.
    rates : sequence of float
        Discount rates, each > −1.

    Returns
    -------
    pandas.Series
        ``npv`` indexed by ``rate``.

    Raises
    ------
    TypeError, ValueError
        Flows or rates that are not numbers, NaN, infinite or empty; a rate
        <= -1; more than 10**5 rates or 10**7 rate-year terms.
    """
    cf = _check_flows(cash_flows)
    rs = as_float_array(rates, "rates")
    check_size(rs.size, "len(rates)", min(100_000, MAX_DRAWS // cf.size), what="rates")
    if (rs <= -1).any():
        raise ValueError(f"rates must all be > -1, got {rs[rs <= -1][0]}")
    return pd.Series([npv(r, cf) for r in rs], index=pd.Index(rs, name="rate"), name="npv")


def irr(cash_flows: Sequence[float], low: float = -0.99, high: float = 10.0, grid: int = 400) -> float:
    """Internal rate of return: the rate where the NPV of ``cash_flows`` is zero.

    The NPV is evaluated on a grid of ``grid`` rates between ``low`` and
    ``high`` (uniform in log(1 + r), so denser near −1 and 0); the first sign
    change brackets a root that :func:`scipy.optimize.brentq` then refines to
    ~1e-12. For conventional flows (one sign change) the IRR is unique; with
    several sign changes there may be several IRRs and the smallest one in the
    range is returned.

    Parameters
    ----------
    cash_flows : sequence of float
        Net cash flows of years 0..n; must change sign at least once.
    low, high : float
        Search range for the rate (``-1 < low < high``).
    grid : int
        Number of grid points used to bracket the root (≥ 10; ``grid`` times
        the number of flows at most 10**7).

    Returns
    -------
    float
        The IRR per year.

    Raises
    ------
    ValueError
        Empty flows, flows that never change sign (no IRR exists), a bad search
        range, no root in the range, or a grid above the limit.
    """
    from scipy.optimize import brentq

    cf = _check_flows(cash_flows)
    nz = cf[cf != 0]
    if nz.size == 0 or (np.all(nz > 0) or np.all(nz < 0)):
        raise ValueError("cash_flows never change sign, so they have no IRR "
                         "(an investment needs a negative and a positive flow)")
    lo = check_rate(low, "low")
    hi = check_number(high, "high")
    if hi <= lo:
        raise ValueError(f"high must be > low, got low={lo}, high={hi}")
    g = check_int(grid, "grid", low=10)
    check_size(g, "grid", max(10, MAX_DRAWS // cf.size), low=10, what=f"grid points for {cf.size} cash flows")
    rates = np.expm1(np.linspace(np.log1p(lo), np.log1p(hi), g))
    t = np.arange(cf.size)
    with np.errstate(over="ignore", under="ignore"):
        vals = np.exp(-np.outer(np.log1p(rates), t)) @ cf
    exact = np.flatnonzero(vals == 0)
    change = np.flatnonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)
    if exact.size and (not change.size or exact[0] <= change[0]):
        return float(rates[exact[0]])
    if not change.size:
        raise ValueError(f"no IRR between low={lo} and high={hi}: the NPV does not change sign there")
    i = int(change[0])
    return float(brentq(lambda r: npv(r, cf), rates[i], rates[i + 1], xtol=1e-14, rtol=1e-12, maxiter=200))


def payback_period(cash_flows: Sequence[float], rate: float | None = None) -> float:
    """Years until the cumulative cash flow first reaches zero.

    Cash flows arrive at the end of years 0..n; within the year of break-even
    the cumulative position is interpolated linearly.

    Parameters
    ----------
    cash_flows : sequence of float
        Net cash flows, the first normally an investment (negative).
    rate : float, optional
        Discount rate (> −1) for the *discounted* payback period; ``None``
        for the simple payback period.

    Returns
    -------
    float
        Years to break even; 0 if year 0 is already non-negative, ``inf`` if
        the flows never pay back.

    Raises
    ------
    TypeError, ValueError
        Flows that are not numbers, NaN, infinite or empty; a bad rate; flows so large that their
        running total overflows.
    """
    cf = _check_flows(cash_flows)
    if rate is not None:
        cf = cf * discount_factors(rate, cf.size)
    with np.errstate(over="ignore", invalid="ignore"):
        cum = check_finite_result(np.cumsum(cf), "the cumulative cash flow", _too_extreme({"cash_flows": cf}))
    if cum[0] >= 0:
        return 0.0
    hit = np.flatnonzero(cum >= 0)
    if not hit.size:
        return math.inf
    k = int(hit[0])
    return float(k - 1 + (-cum[k - 1]) / cf[k])


def roi(benefits: Sequence[float], costs: Sequence[float], rate: float | None = None) -> float:
    """Return on investment, (total benefits − total costs) / total costs.

    Parameters
    ----------
    benefits, costs : sequence of float
        Yearly benefits and costs (both ≥ 0, same length), years 0..n.
    rate : float, optional
        Discount both series at this rate (> −1) before summing; ``None`` for
        the undiscounted ROI usually quoted in business cases.

    Returns
    -------
    float
        The ROI as a ratio (0.5 = 50 %).

    Raises
    ------
    TypeError, ValueError
        Non-numbers, NaN or infinite values, negative amounts, different
        lengths, costs summing to 0, or Series with different index labels
        (the same labels in another order are paired by label).
    """
    costs = check_aligned(benefits, "benefits", costs, "costs")
    b = _check_flows(benefits, "benefits")
    c = _check_flows(costs, "costs")
    check_same_length(b, "benefits", c, "costs")
    check_nonnegative(b, "benefits")
    check_nonnegative(c, "costs")
    if rate is not None:
        d = discount_factors(rate, b.size)
        b, c = b * d, c * d
    with np.errstate(over="ignore", invalid="ignore"):
        total_cost = check_finite_result(float(c.sum()), "the total cost", _too_extreme({"costs": c}))
        total_benefit = check_finite_result(float(b.sum()), "the total benefit", _too_extreme({"benefits": b}))
    if total_cost <= 0:
        raise ValueError("costs sum to 0: ROI is undefined")
    return check_finite_result(float((total_benefit - total_cost) / total_cost), "roi",
                               _too_extreme({"benefits": b, "costs": c}))


def eva_table(investment: float, benefits: Sequence[float], operating_costs: Sequence[float], wacc: float,
              tax_rate: float = 0.0) -> pd.DataFrame:
    """Economic value added of an investment, year by year.

    The year-0 ``investment`` is depreciated straight-line over the ``n`` years
    of ``benefits``. ``EVA_t = NOPAT_t − wacc · K_{t−1}`` with
    ``NOPAT_t = (benefit − operating cost − depreciation)(1 − tax)`` and
    ``K`` the opening book value of the capital tied up.

    Parameters
    ----------
    investment : float
        Money spent in year 0 (≥ 0).
    benefits, operating_costs : sequence of float
        Yearly benefits and operating costs of years 1..n (same length, n ≥ 1, each ≥ 0).
    wacc : float
        Cost of capital per year (> −1).
    tax_rate : float
        Tax rate in [0, 1).

    Returns
    -------
    pandas.DataFrame
        By year 0..n: ``capital_open``, ``depreciation``, ``nopat``,
        ``capital_charge``, ``eva``, ``cash_flow_after_tax`` (year 0 holds
        only the investment, as a negative cash flow); ``attrs["tax_rate"]`` holds
        ``tax_rate`` (with 0, ``nopat`` is the operating profit before tax and
        ``cash_flow_after_tax`` the net cash flow).

    Raises
    ------
    TypeError, ValueError
        Amounts that are not numbers, NaN, infinite or negative; lengths that differ; Series with
        different labels; a bad ``wacc`` or ``tax_rate``; amounts so large that the table overflows.
    """
    invest = check_number(investment, "investment", low=0)
    operating_costs = check_aligned(benefits, "benefits", operating_costs, "operating_costs")
    ben = _check_flows(benefits, "benefits")
    opex = _check_flows(operating_costs, "operating_costs")
    check_same_length(ben, "benefits", opex, "operating_costs")
    check_nonnegative(ben, "benefits")
    check_nonnegative(opex, "operating_costs")
    w = check_rate(wacc, "wacc")
    tax = check_probability(tax_rate, "tax_rate", open_high=True)
    h = ben.size
    dep = invest / h
    years = np.arange(1, h + 1)
    with np.errstate(over="ignore", invalid="ignore"):     # an overflow is refused below, naming the inputs
        cap_open = invest - dep * (years - 1)
        nopat = (ben - opex - dep) * (1 - tax)
        charge = w * cap_open
        out = pd.DataFrame({"capital_open": cap_open, "depreciation": dep, "nopat": nopat,
                            "capital_charge": charge, "eva": nopat - charge,
                            "cash_flow_after_tax": (ben - opex) * (1 - tax) + tax * dep},
                           index=pd.Index(years, name="year"))
    row0 = pd.DataFrame({"capital_open": 0.0, "depreciation": 0.0, "nopat": 0.0, "capital_charge": 0.0,
                         "eva": 0.0, "cash_flow_after_tax": -invest}, index=pd.Index([0], name="year"))
    table = check_finite_result(pd.concat([row0, out]), "the EVA table",
                                _too_extreme({"investment": np.array([invest]), "benefits": ben,
                                              "operating_costs": opex}))
    table.attrs["tax_rate"] = tax
    return table


def tornado_table(func: Callable[..., float], base: Mapping[str, Any],
                  ranges: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """One-at-a-time sensitivity of ``func(**base)`` to each parameter in ``ranges``.

    Parameters
    ----------
    func : callable
        Maps keyword parameters to one number (e.g. a project's NPV).
    base : mapping
        The base case's parameters (every key of ``ranges`` must be in it).
    ranges : mapping name -> (low, high)
        Values to try for each parameter, the others held at ``base``.

    Returns
    -------
    pandas.DataFrame
        Indexed by parameter, sorted by ``swing`` (largest first), with
        ``low``, ``high``, ``base_value``, ``at_low``, ``at_high``, ``swing`` and
        ``rank`` (1 = matters most). Ties keep the order of ``ranges``; the
        base case's output is in ``attrs["base_output"]``.

    Raises
    ------
    TypeError
        ``func`` not callable, ``base`` or ``ranges`` not mappings, or ``func`` returning something
        that is not a number.
    ValueError
        No ranges, a range for a parameter not in ``base``, a range that is not a (low, high) pair
        of finite numbers with low <= high, or ``func`` giving NaN or an infinite value anywhere
        (a tornado of NaNs is not ranked).
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    if not isinstance(base, Mapping) or not isinstance(ranges, Mapping):
        raise TypeError("base and ranges must be mappings")
    if not ranges:
        raise ValueError("ranges is empty: name at least one parameter to vary")
    def output(at: str, params: Mapping[str, Any]) -> float:
        value = func(**params)
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.ndarray)):
            raise TypeError(f"func must return a number, got {type(value).__name__} {plain(value)!r} {at}")
        return check_finite_result(float(value), f"func {at}", "a tornado cannot rank a parameter by a swing that "
                                   "is not a number; check func and the range")

    base_out = output("at the base case", base)
    rows = []
    for name, rng in ranges.items():
        if name not in base:
            raise ValueError(f"ranges names {name!r}, which is not a parameter in base: {sorted(base)}")
        if not isinstance(rng, (tuple, list)) or len(rng) != 2:
            raise ValueError(f"ranges[{name!r}] must be a (low, high) pair, got {plain(rng)!r}")
        lo = check_number(rng[0], f"ranges[{name!r}] low")
        hi = check_number(rng[1], f"ranges[{name!r}] high")
        if lo > hi:
            raise ValueError(f"ranges[{name!r}]: low {lo} is above high {hi}")
        # an integer parameter (e.g. a horizon) is tried at integer values
        as_int = isinstance(base[name], (int, np.integer)) and not isinstance(base[name], bool)
        lo, hi = (int(round(lo)), int(round(hi))) if as_int else (lo, hi)
        at_lo = output(f"at {name} = {lo:g} (the low end of its range)", {**base, name: lo})
        at_hi = output(f"at {name} = {hi:g} (the high end of its range)", {**base, name: hi})
        rows.append({"parameter": name, "low": lo, "high": hi, "base_value": base[name], "at_low": at_lo,
                     "at_high": at_hi, "swing": abs(at_hi - at_lo)})
    out = pd.DataFrame(rows).set_index("parameter")
    order = np.argsort(-out["swing"].to_numpy(), kind="stable")
    out = out.iloc[order]
    out["rank"] = np.arange(1, len(out) + 1)
    out.attrs["base_output"] = base_out
    return out
