"""crmlib.clv: closed forms against direct sums, the inverse, equity, current value, bad input."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib import clv, datasets

margins = st.floats(-1e5, 1e6, allow_nan=False, allow_infinity=False)
retentions = st.floats(0.0, 1.0)
discounts = st.floats(-0.5, 1.0)
horizons = st.integers(0, 80)
timings = st.sampled_from(clv.TIMINGS)


def direct_sum(m: float, r: float, d: float, T: int, timing: str) -> float:
    """The definition, term by term (independent of crmlib)."""
    total = 0.0
    for t in range(1, T + 1):
        when = t if timing == "end" else t - 1
        total += m * r ** (t - 1) / (1 + d) ** when
    return total


@settings(max_examples=300, deadline=None)
@given(margins, retentions, discounts, horizons, timings)
def test_finite_closed_form_equals_direct_sum(m, r, d, T, timing):
    got = clv.clv(m, r, d, T, timing)
    want = direct_sum(m, r, d, T, timing)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-6)
    sched = clv.clv_schedule(m, r, d, T, timing)
    assert len(sched) == T
    if T:
        assert sched["cumulative_clv"].iloc[-1] == pytest.approx(want, rel=1e-9, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(margins, st.floats(0.0, 0.95), st.floats(0.0, 0.5), timings)
def test_infinite_horizon_is_the_limit_of_the_direct_sum(m, r, d, timing):
    # r <= 0.95, d >= 0: q <= 0.95 so 600 terms leave a relative tail below 0.95**600 ~ 4e-14
    got = clv.clv(m, r, d, None, timing)
    assert got == pytest.approx(direct_sum(m, r, d, 600, timing), rel=1e-9, abs=1e-6)
    assert clv.clv(m, r, d, math.inf, timing) == got


@settings(max_examples=200, deadline=None)
@given(st.floats(1.0, 1e6), retentions, st.floats(0.0, 0.5), st.integers(1, 60), timings)
def test_implied_margin_inverts_clv(value, r, d, T, timing):
    m = clv.implied_margin(value, T, r, d, timing)
    assert clv.clv(m, r, d, T, timing) == pytest.approx(value, rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.floats(1.0, 1e4), st.floats(0.0, 0.99), st.floats(0.0, 0.3), st.integers(1, 40))
def test_start_is_end_times_one_plus_d_and_value_falls_with_discount(m, r, d, T):
    end, start = clv.clv(m, r, d, T, "end"), clv.clv(m, r, d, T, "start")
    assert start == pytest.approx(end * (1 + d), rel=1e-12)
    assert clv.clv(m, r, d + 0.01, T) < end
    assert clv.clv(m, min(r + 0.01, 1.0), d, T) >= end


def test_textbook_special_cases():
    # undiscounted, full retention: a plain sum of T margins, whatever the timing
    assert clv.clv(24_000, 1.0, 0.0, 20) == pytest.approx(480_000)
    assert clv.clv(24_000, 1.0, 0.0, 20, "start") == pytest.approx(480_000)
    # infinite horizon end-of-period: m / (1 + d - r); Gupta-Lehmann m r / (1 + d - r) is r times it
    assert clv.clv(100, 0.8, 0.1, None) == pytest.approx(100 / 0.3)
    assert clv.clv(100, 0.8, 0.1, None, "start") == pytest.approx(110 / 0.3)
    assert clv.implied_margin(480_000, 20) == pytest.approx(24_000)
    assert clv.implied_margin(25_000, 30) == pytest.approx(25_000 / 30)
    assert clv.clv(100, 0.0, 0.0, 10) == pytest.approx(100)   # only the first period
    assert clv.clv(100, 0.5, 0.0, 0) == 0.0


def test_implied_margin_grid_matches_pointwise():
    g = clv.implied_margin_grid(332_000, 30, [0.8, 1.0], [0.0, 0.1])
    assert g.shape == (2, 2)
    assert g.loc[1.0, 0.0] == pytest.approx(332_000 / 30)
    assert g.loc[0.8, 0.1] == pytest.approx(clv.implied_margin(332_000, 30, 0.8, 0.1))
    assert g.loc[0.8, 0.1] > g.loc[1.0, 0.1] > g.loc[1.0, 0.0]


def test_customer_equity_sums_and_weights():
    assert clv.customer_equity([1.0, 2.5, 3.5]) == pytest.approx(7.0)
    assert clv.customer_equity(pd.Series([100.0, 10.0]), counts=[3, 20]) == pytest.approx(500.0)


def test_current_value_and_terms_table_agree():
    assert clv.current_value(100, 40, 10, 15) == pytest.approx(35)
    assert clv.current_value(50, 40, 10, 15) == pytest.approx(-15)   # a loss-making customer is allowed
    terms = datasets.load("current_value_terms")
    amounts = {"price_paid": 100, "production_cost": 40, "marketing_cost": 10, "service_cost": 15}
    assert clv.current_value_from_terms(terms, amounts) == pytest.approx(35)


def test_acquisition_vs_retention_arithmetic():
    tab = clv.acquisition_vs_retention(100, 50.0, (5, 10))
    assert list(tab["cost_keep"]) == [5000.0, 5000.0]
    assert list(tab["cost_replace"]) == [25000.0, 50000.0]
    assert list(tab["extra_cost"]) == [20000.0, 45000.0]


# ------------------------------------------------------------ bad input: one rule each
@pytest.mark.parametrize("kwargs, match", [
    (dict(retention=1.2), "retention must be <= 1"),
    (dict(retention=-0.1), "retention must be >= 0"),
    (dict(retention=float("nan")), "retention is NaN"),
    (dict(discount=-1.0), "discount must be > -1"),
    (dict(discount=-3.0), "discount must be > -1"),
    (dict(horizon=-1), "horizon must be >= 0"),
    (dict(horizon=-math.inf), "horizon must be >= 0"),
    (dict(margin=float("inf")), "margin must be finite"),
    (dict(timing="middle"), "timing must be one of"),
    (dict(retention=1.0, discount=0.0, horizon=None), "infinite horizon needs retention < 1 \\+ discount"),
])
def test_clv_rejects_bad_input(kwargs, match):
    args = dict(margin=100.0, retention=0.8, discount=0.1, horizon=10)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        clv.clv(**args)


def test_type_errors_name_the_argument():
    with pytest.raises(TypeError, match="horizon must be an integer"):
        clv.clv(100, 0.8, 0.1, 2.5)
    with pytest.raises(TypeError, match="margin must be a real number"):
        clv.clv("100", 0.8, 0.1, 10)
    with pytest.raises(TypeError, match="retention must be a real number"):
        clv.clv(100, True, 0.1, 10)


def test_implied_margin_rejects_zero_horizon_and_bad_value():
    with pytest.raises(ValueError, match="horizon must be >= 1"):
        clv.implied_margin(1000, 0)
    with pytest.raises(ValueError, match="clv_value is NaN"):
        clv.implied_margin(float("nan"), 10)


def test_grid_names_the_bad_grid_value():
    with pytest.raises(ValueError, match=r"retentions\[1\] must be <= 1"):
        clv.implied_margin_grid(1000, 10, [0.9, 1.5], [0.0])
    with pytest.raises(ValueError, match=r"discounts\[0\] must be > -1"):
        clv.implied_margin_grid(1000, 10, [0.9], [-1.0])
    with pytest.raises(ValueError, match="horizon must be >= 1"):
        clv.implied_margin_grid(1000, 0, [0.9], [0.0])


def test_schedule_rejects_infinite_horizon():
    with pytest.raises(TypeError, match="horizon must be an integer"):
        clv.clv_schedule(100, 0.8, 0.1, math.inf)


@pytest.mark.parametrize("term", ["price_paid", "production_cost", "marketing_cost", "service_cost"])
def test_current_value_rejects_negative_money(term):
    args = {"price_paid": 100, "production_cost": 40, "marketing_cost": 10, "service_cost": 15}
    args[term] = -1
    with pytest.raises(ValueError, match=f"{term} must be >= 0"):
        clv.current_value(**args)


def test_current_value_from_terms_rejects_missing_extra_and_negative():
    terms = datasets.load("current_value_terms")
    ok = {"price_paid": 100, "production_cost": 40, "marketing_cost": 10, "service_cost": 15}
    with pytest.raises(ValueError, match="lacks term"):
        clv.current_value_from_terms(terms, {k: v for k, v in ok.items() if k != "service_cost"})
    with pytest.raises(ValueError, match="unknown term"):
        clv.current_value_from_terms(terms, {**ok, "gross_profit": 1})
    with pytest.raises(ValueError, match=r"amounts\['price_paid'\] must be >= 0"):
        clv.current_value_from_terms(terms, {**ok, "price_paid": -5})
    with pytest.raises(ValueError, match="missing column"):
        clv.current_value_from_terms(terms.drop(columns="sign"), ok)


def test_customer_equity_rejects_bad_values_and_counts():
    with pytest.raises(ValueError, match=r"clv_values\[1\] is NaN"):
        clv.customer_equity([1.0, np.nan])
    with pytest.raises(ValueError, match="clv_values is empty"):
        clv.customer_equity([])
    with pytest.raises(ValueError, match=r"counts\[0\] is negative"):
        clv.customer_equity([1.0, 2.0], counts=[-1, 2])
    with pytest.raises(ValueError, match=r"counts\[1\] is not a whole number"):
        clv.customer_equity([1.0, 2.0], counts=[1, 2.5])
    with pytest.raises(ValueError, match="counts has 1 entries"):
        clv.customer_equity([1.0, 2.0], counts=[1])


def test_acquisition_vs_retention_rejects_bad_input():
    with pytest.raises(ValueError, match="customers must be >= 1"):
        clv.acquisition_vs_retention(0, 10.0)
    with pytest.raises(ValueError, match="retention_cost must be >= 0"):
        clv.acquisition_vs_retention(10, -1.0)
    with pytest.raises(ValueError, match=r"ratios\[0\] must be >= 1"):
        clv.acquisition_vs_retention(10, 1.0, (0.5, 5))


def test_parse_printed_usd_reads_the_source_and_rejects_other_text():
    assert clv.parse_printed_usd("48 万美元") == 480_000
    assert clv.parse_printed_usd("33.2 万美元") == pytest.approx(332_000)
    assert clv.parse_printed_usd("2500 美元") == 2500
    with pytest.raises(ValueError, match="text must look like"):
        clv.parse_printed_usd("48 万元")
    with pytest.raises(TypeError, match="text must be a string"):
        clv.parse_printed_usd(48)
    cases = datasets.load("clv_cases")
    for printed, value in zip(cases["printed_zh"], cases["clv_usd"]):
        assert clv.parse_printed_usd(printed) == pytest.approx(value)


# ------------------------------------------------------------ cohorts and customer bases
def test_constant_retention_mle_is_the_geometric_mle():
    # 100 -> 80 -> 64: 36 lost over 180 customer-periods at risk, r = 0.8
    assert clv.constant_retention_mle([100, 80, 64]) == pytest.approx(0.8)
    surv = np.array([1000.0, 700.0, 500.0, 400.0])
    r_hat = clv.constant_retention_mle(surv)
    lost, exposure = surv[0] - surv[-1], surv[:-1].sum()

    def loglik(r):   # churners contribute log(1 - r), survivors of each period log(r)
        return lost * np.log(1 - r) + (exposure - lost) * np.log(r)

    grid = np.linspace(0.01, 0.99, 9801)
    assert grid[np.argmax(loglik(grid))] == pytest.approx(r_hat, abs=1e-4)


@pytest.mark.parametrize("surv, match", [
    ([100, 120, 90], "survivors increase at period 1"),
    ([100, -1], r"survivors\[1\] is negative"),
    ([0, 0], r"survivors\[0\] must be positive \(the cohort size\)"),
    ([100], "at least two values"),
    ([100, float("nan")], r"survivors\[1\] is NaN"),
])
def test_constant_retention_mle_rejects_bad_survivors(surv, match):
    with pytest.raises(ValueError, match=match):
        clv.constant_retention_mle(surv)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 200.0), st.floats(0.0, 0.99), st.floats(0.0, 0.2), st.integers(1, 40))
def test_discounted_clv_of_a_constant_stream_is_the_closed_form(m, r, d, T):
    # one purchase per period while alive, survival r^(k-1): expected purchases in step k = r^(k-1)
    inc = r ** np.arange(T)
    cum = np.concatenate([[0.0], np.cumsum(inc)])[None, :]
    got = clv.discounted_clv(cum, [m], d, step_years=1.0)[0]  # steps of a year: d is the rate per step
    assert got == pytest.approx(clv.clv(m, r, d, T), rel=1e-9, abs=1e-9)


def test_discounted_clv_rejects_bad_input():
    ok = np.array([[0.0, 1.0, 1.5]])
    with pytest.raises(ValueError, match="must be 2-D"):
        clv.discounted_clv(np.array([0.0, 1.0]), [1.0], 0.1, step_years=1.0)
    with pytest.raises(ValueError, match="column 0 must be 0"):
        clv.discounted_clv(ok + 1, [1.0], 0.1, step_years=1.0)
    with pytest.raises(ValueError, match="row 0 decreases at step 2"):
        clv.discounted_clv(np.array([[0.0, 2.0, 1.0]]), [1.0], 0.1, step_years=1.0)
    with pytest.raises(ValueError, match=r"cumulative_purchases\[0, 1\] is not finite"):
        clv.discounted_clv(np.array([[0.0, np.nan, 1.0]]), [1.0], 0.1, step_years=1.0)
    with pytest.raises(ValueError, match=r"spend_per_purchase\[0\] is negative"):
        clv.discounted_clv(ok, [-1.0], 0.1, step_years=1.0)
    with pytest.raises(ValueError, match="spend_per_purchase has 2 entries"):
        clv.discounted_clv(ok, [1.0, 2.0], 0.1, step_years=1.0)
    with pytest.raises(ValueError, match="discount must be > -1"):
        clv.discounted_clv(ok, [1.0], -1.0, step_years=1.0)
    with pytest.raises(TypeError, match="step_years"):
        clv.discounted_clv(ok, [1.0], 0.1)  # a rate per year needs the length of a step
    with pytest.raises(ValueError, match="step_years must be > 0"):
        clv.discounted_clv(ok, [1.0], 0.1, step_years=0.0)


def _log():
    return pd.DataFrame({"id": [1, 1, 1, 1, 2, 2, 3],
                         "day": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-03", "2024-01-10",
                                                "2024-01-02", "2024-01-20", "2024-01-05"])})


def test_repeat_transactions_by_period_counts_repeat_occasions():
    # customer 1: same-day duplicate merged, repeats on day 3 (week 1) and day 10 (week 2);
    # customer 2: repeat on day 20 (week 3); customer 3: no repeat
    got = clv.repeat_transactions_by_period(_log(), customer_id="id", date="day", start="2024-01-01", periods=4)
    assert got.tolist() == [1, 1, 1, 0]
    assert got.index.tolist() == [1, 2, 3, 4]


def test_repeat_transactions_by_period_rejects_bad_input():
    with pytest.raises(ValueError, match="missing column"):
        clv.repeat_transactions_by_period(_log(), customer_id="cust", date="day", start="2024-01-01", periods=2)
    with pytest.raises(TypeError, match="must be datetime"):
        clv.repeat_transactions_by_period(_log().assign(day="x"), customer_id="id", date="day",
                                          start="2024-01-01", periods=2)
    bad = _log()
    bad.loc[2, "day"] = pd.NaT
    with pytest.raises(ValueError, match="is NaT at row 2"):
        clv.repeat_transactions_by_period(bad, customer_id="id", date="day", start="2024-01-01", periods=2)
    with pytest.raises(ValueError, match="periods must be >= 1"):
        clv.repeat_transactions_by_period(_log(), customer_id="id", date="day", start="2024-01-01", periods=0)


def test_expected_repeat_by_period_sums_shifted_curves():
    rate = lambda t: 0.5 * np.asarray(t)   # noqa: E731 - a Poisson customer buying every other period
    got = clv.expected_repeat_by_period(rate, [0.0, 0.0, 2.0], 4)
    assert got.tolist() == pytest.approx([1.0, 2.0, 3.5, 5.0])
    with pytest.raises(ValueError, match=r"first_purchase\[1\] is negative"):
        clv.expected_repeat_by_period(rate, [0.0, -1.0], 4)
    with pytest.raises(TypeError, match="expected_new must be callable"):
        clv.expected_repeat_by_period(3.0, [0.0], 4)


@pytest.mark.parametrize("number, right, wrong", [
    ("5.1", 332_000 / 30, 332_000 / 20),
    ("5.2", 100 / 0.3, 100 * 0.8 / 0.3),
    ("5.4", "B", "A"),
    ("5.5", "B", "A"),
    ("5.6", 80_000, 100_000),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chapter_05_exercises(number, right, wrong, lang):
    from crmbook.exercises import ch05

    ex = ch05.EXERCISES.bind(lang)
    assert ex.check(number, right).ok is True
    assert ex.check(number, wrong).ok is False
    assert ex.check(number, None).ok is None


def test_chapter_05_exercise_on_the_sbg_fit():
    from crmlib.clv import btyd
    from crmbook.exercises import ch05

    surv = datasets.load("sbg_cohorts")["regular"].to_numpy()
    g, d = btyd.ShiftedBetaGeometric(surv[:8]).fit().params[["gamma", "delta"]]
    r8 = (d + 7) / (g + d + 7)     # Fader & Hardie (2007) eq. for r(t) at t = 8
    ex = ch05.EXERCISES.bind("en")
    assert ex.check("5.3", r8).ok is True
    assert ex.check("5.3", r8 - 0.05).ok is False
    assert [s["answer"] for s in ex.solutions()][2] == pytest.approx(r8)


def test_customer_lifetime_value_matches_a_direct_sum(cdnow):
    """The per-customer CLV pipeline equals discounting each step's expected purchases by hand."""
    import numpy as np

    from crmlib.clv import btyd

    base = cdnow.iloc[:200]
    bg = btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"]).fit()
    rep = cdnow[cdnow["frequency"] > 0]
    gg = btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit()
    got = clv.customer_lifetime_value(bg, gg, base, horizon=12, step=4, discount=0.10)
    d = 1.1 ** (4 / 52) - 1
    cum = [np.zeros(len(base))] + [bg.expected_purchases(float(t), base["frequency"], base["recency"], base["T"])
                                   .to_numpy() for t in (4, 8, 12)]
    spend = gg.expected_spend(base["frequency"], base["monetary_value"]).to_numpy()
    want = sum(spend * (cum[k] - cum[k - 1]) / (1 + d) ** k for k in (1, 2, 3))
    assert got.to_numpy() == pytest.approx(want, rel=1e-12)
    assert list(got.index) == list(base.index)
    with pytest.raises(ValueError, match="multiple of step"):
        clv.customer_lifetime_value(bg, gg, base, horizon=10, step=4, discount=0.1)
    with pytest.raises(ValueError, match="lacks column 'monetary_value'"):
        clv.customer_lifetime_value(bg, gg, base.drop(columns="monetary_value"), horizon=8, step=4, discount=0.1)
    with pytest.raises(ValueError, match="at most 10,000"):
        clv.customer_lifetime_value(bg, gg, base, horizon=40_004, step=4, discount=0.1)


def test_top_share_and_reread_cases():
    assert clv.top_share([5, 3, 1, 1, 0], 0.2) == pytest.approx(0.5)
    assert clv.top_share([1, 1, 1, 1], 0.5) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="negative"):
        clv.top_share([1, -1])
    with pytest.raises(ValueError, match="share must be in"):
        clv.top_share([1, 2], 0)
    cases = datasets.load("clv_cases")
    rr = clv.reread_cases(cases, 1.0, 0.0)
    assert rr["margin_needed"].to_numpy() == pytest.approx(rr["margin_undiscounted"].to_numpy())
    assert rr["value_of_margin"].to_numpy() == pytest.approx(rr["clv_usd"].to_numpy())
    rr = clv.reread_cases(cases, 0.9, 0.1)
    assert (rr["margin_needed"] > rr["margin_undiscounted"]).all() and (rr["value_of_margin"] < rr["clv_usd"]).all()


def test_project_cohort_reproduces_the_sbg_fit_and_the_constant_rate():
    surv = datasets.load("sbg_cohorts")["regular"].to_numpy()
    pr = clv.project_cohort(surv, 7)
    assert pr.fit.params["gamma"] == pytest.approx(0.704, abs=5e-4)
    assert pr.constant_rate == pytest.approx(clv.constant_retention_mle(surv[:8]))
    assert pr.holdout.sum() == len(surv) - 8 and pr.error_pct("constant") < pr.error_pct("sbg") < 5
    with pytest.raises(ValueError, match="calibration must be between"):
        clv.project_cohort(surv, len(surv))
