"""crmlib.finance: NPV, IRR, payback, ROI, EVA and tornado tables against hand-worked cases, bad input
and properties."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crmlib import business_case as bc
from crmlib import finance

DRIVERS = dict(kept_share=0.22, close_uplift=0.03, crosssell_gain=0.08, retention=0.8)


# ------------------------------------------------------------------ closed forms
def test_npv_hand_worked():
    # -100 + 60/1.1 + 60/1.21
    assert finance.npv(0.10, [-100, 60, 60]) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21, rel=1e-12)
    assert finance.npv(0.0, [-5, 2, 2, 2]) == pytest.approx(1.0)
    assert finance.npv(0.05, [42]) == pytest.approx(42.0)          # year 0 is not discounted


def test_irr_matches_the_quadratic_solution():
    # 100 = 60 x + 60 x^2 with x = 1/(1+r)  ->  x = (-1 + sqrt(1 + 4*100/60)) / 2
    x = (-1 + math.sqrt(1 + 4 * 100 / 60)) / 2
    assert finance.irr([-100, 60, 60]) == pytest.approx(1 / x - 1, abs=1e-10)
    assert finance.irr([-100, 110]) == pytest.approx(0.10, abs=1e-12)
    assert finance.irr([-100, 50]) == pytest.approx(-0.5, abs=1e-10)   # a losing project: negative IRR


def test_payback_simple_and_discounted():
    flows = [-100, 30, 40, 50, 60]
    assert finance.payback_period(flows) == pytest.approx(2 + 30 / 50)
    d = np.array(flows) / 1.1 ** np.arange(5)
    cum = np.cumsum(d)
    k = int(np.flatnonzero(cum >= 0)[0])
    assert finance.payback_period(flows, 0.10) == pytest.approx(k - 1 - cum[k - 1] / d[k])
    assert finance.payback_period([-100, 10, 10]) == math.inf
    assert finance.payback_period([0, 10]) == 0.0


def test_roi_and_budget_rule():
    assert finance.roi([0, 150], [100, 0]) == pytest.approx(0.5)
    assert finance.roi([0, 110], [100, 0], rate=0.10) == pytest.approx(0.0, abs=1e-12)
    assert bc.budget_by_rule(900_000, 3) == pytest.approx(2_700_000)
    assert bc.budget_by_rule(900_000, 1) == pytest.approx(900_000)
    assert bc.implied_visible_cost(30e6, 4) == pytest.approx(7.5e6)


def test_npv_profile_is_npv_at_each_rate():
    prof = finance.npv_profile([-100, 60, 60], [0.0, 0.1, 0.2])
    assert list(prof.index) == [0.0, 0.1, 0.2]
    assert prof.iloc[1] == pytest.approx(finance.npv(0.1, [-100, 60, 60]))


def test_tornado_table_ranks_by_swing():
    def f(a, b, c):
        return 3 * a + b - 10 * c * 0

    tab = finance.tornado_table(f, {"a": 1.0, "b": 1.0, "c": 1.0}, {"b": (0.0, 4.0), "a": (0.0, 1.0), "c": (0, 9)})
    assert list(tab.index) == ["b", "a", "c"]
    assert tab.loc["b", "swing"] == pytest.approx(4.0)
    assert tab.loc["a", "swing"] == pytest.approx(3.0)
    assert list(tab["rank"]) == [1, 2, 3]
    assert tab.attrs["base_output"] == pytest.approx(4.0)


def test_tornado_tries_integer_parameters_at_integers():
    seen = []

    def f(h):
        seen.append(h)
        return float(h)

    tab = finance.tornado_table(f, {"h": 5}, {"h": (3.4, 7.6)})
    assert seen[1:] == [3, 8] and all(isinstance(h, int) for h in seen)
    assert tab.loc["h", "swing"] == 5


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("call, match", [
    (lambda: finance.npv(-1.0, [-1, 2]), "rate must be > -1"),
    (lambda: finance.npv(-1.5, [-1, 2]), "rate must be > -1"),
    (lambda: finance.npv(0.1, []), "cash_flows is empty"),
    (lambda: finance.npv(0.1, [1, float("nan")]), r"cash_flows\[1\] is NaN"),
    (lambda: finance.npv(float("nan"), [1]), "rate is NaN"),
    (lambda: finance.irr([]), "cash_flows is empty"),
    (lambda: finance.irr([100, 50, 20]), "never change sign"),
    (lambda: finance.irr([-100, -50]), "never change sign"),
    (lambda: finance.irr([0, 0]), "never change sign"),
    (lambda: finance.irr([-100, 60, 60], low=-1.0), "low must be > -1"),
    (lambda: finance.irr([-100, 60, 60], low=0.5, high=0.1), "high must be > low"),
    (lambda: finance.irr([-100, 60, 60], low=0.5, high=2.0), "no IRR between"),
    (lambda: finance.payback_period([], 0.1), "cash_flows is empty"),
    (lambda: finance.payback_period([-1, 2], -1), "rate must be > -1"),
    (lambda: finance.discount_factors(0.1, 0), "n_periods must be >= 1"),
    (lambda: finance.npv_profile([-1, 2], [0.1, -1.0]), "rates must all be > -1"),
    (lambda: finance.roi([1, 2], [1]), "same length"),
    (lambda: finance.roi([1, -2], [1, 1]), r"benefits\[1\] is negative"),
    (lambda: finance.roi([1, 2], [0, 0]), "costs sum to 0"),
    (lambda: finance.tornado_table(lambda a: a, {"a": 1.0}, {}), "ranges is empty"),
    (lambda: finance.tornado_table(lambda a: a, {"a": 1.0}, {"b": (0, 1)}), "not a parameter in base"),
    (lambda: finance.tornado_table(lambda a: a, {"a": 1.0}, {"a": (2, 1)}), "low 2.0 is above high"),
    (lambda: finance.tornado_table(lambda a: a, {"a": 1.0}, {"a": (0, 1, 2)}), r"\(low, high\) pair"),
])
def test_bad_input_is_rejected_with_one_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call", [
    lambda: finance.npv("0.1", [1]),
    lambda: finance.npv(0.1, "abc"),
    lambda: finance.npv(0.1, [1, "x"]),
    lambda: finance.tornado_table(3, {"a": 1}, {"a": (0, 1)}),
])
def test_wrong_types_are_rejected(call):
    with pytest.raises(TypeError):
        call()


# ------------------------------------------------------------------ properties
conventional = st.tuples(
    st.floats(1.0, 1e6),                                                    # investment
    st.lists(st.floats(0.0, 1e6), min_size=1, max_size=12),                 # later inflows
).filter(lambda x: 0.05 * x[0] < sum(x[1]) < 100 * x[0])   # IRR between about -0.95 and 99, inside irr()'s bracket


@settings(max_examples=60, deadline=None)
@given(conventional)
def test_npv_at_the_irr_is_zero(case):
    inv, later = case
    flows = [-inv, *later]
    r = finance.irr(flows, high=1e3)
    assert abs(finance.npv(r, flows)) <= 1e-6 * (inv + sum(later))


@settings(max_examples=60, deadline=None)
@given(conventional, st.floats(-0.9, 2.0), st.floats(0.001, 1.0))
def test_npv_decreases_in_the_rate_for_conventional_flows(case, r1, dr):
    inv, later = case
    assume(any(v > 0 for v in later))
    flows = [-inv, *later]
    assert finance.npv(r1 + dr, flows) < finance.npv(r1, flows)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 0.5), st.floats(0.0, 0.2), st.floats(0.5, 0.95), st.integers(1, 10), st.floats(0.0, 0.3),
       st.floats(0.0, 0.6))
def test_pv_of_eva_equals_after_tax_npv(kept, close, ret, horizon, rate, tax):
    f = bc.project_cash_flows(kept_share=kept, close_uplift=close, crosssell_gain=min(0.05, 1 - ret),
                               retention=ret, assumptions=bc.CaseAssumptions(horizon=horizon))
    e = bc.project_eva(f, rate, tax)
    assert finance.npv(rate, e["eva"]) == pytest.approx(finance.npv(rate, e["cash_flow_after_tax"]), rel=1e-9, abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e5, 1e5), min_size=2, max_size=10))
def test_payback_is_where_the_cumulative_cash_flow_crosses_zero(flows):
    pb = finance.payback_period(flows)
    cum = np.cumsum(flows)
    if math.isinf(pb):
        assert (cum < 0).all()
    elif pb > 0:
        k = int(np.flatnonzero(cum >= 0)[0])              # first year with a non-negative position
        assert k - 1 <= pb <= k
        assert cum[k - 1] + (pb - (k - 1)) * flows[k] == pytest.approx(0, abs=1e-9 * (1 + abs(flows[k])))
