"""crmlib.funnel: stage rates, intervals, prospects needed (negative binomial), simulation, timing, logit.
Each bad-input rule has a test; the maths has property tests (hypothesis)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from crmlib import datasets, funnel

CASE = {"prospect": 100, "negotiation": 50, "deal": 5}   # seed 001, 成功的概率: 100 → 50 → "5 or fewer"


@pytest.fixture(scope="module")
def prospects():
    return datasets.load("prospects")


# ------------------------------------------------------------------ validation
def test_check_funnel_accepts_mapping_series_and_sequence():
    assert list(funnel.check_funnel(CASE)) == [100, 50, 5]
    assert list(funnel.check_funnel(pd.Series(CASE)).index) == list(CASE)
    assert list(funnel.check_funnel([10, 5, 5, 0]).index) == ["stage0", "stage1", "stage2", "stage3"]


@pytest.mark.parametrize("counts, exc, msg", [
    ({"prospect": 100, "negotiation": 120, "deal": 5}, ValueError, "grows from stage 'prospect'"),
    ([100, 50, 60], ValueError, "grows from stage 'stage1'"),
    ({"prospect": 100, "negotiation": -1}, ValueError, r"counts\['negotiation'\] is negative"),
    ([100, 50.5], ValueError, "not a whole number"),
    ([100, float("nan")], ValueError, "NaN"),
    ([100, "50"], TypeError, "not a number"),
    ([100], ValueError, "at least two stages"),
    ([], ValueError, "empty"),
    ([0, 0], ValueError, "first stage"),
])
def test_check_funnel_rejects(counts, exc, msg):
    with pytest.raises(exc, match=msg):
        funnel.check_funnel(counts)


def test_rates_of_the_case():
    r = funnel.stage_rates(CASE)
    assert list(r["rate"]) == [0.5, 0.1]
    assert funnel.overall_rate(CASE) == 0.05
    assert list(r.index) == ["prospect→negotiation", "negotiation→deal"]


def test_rate_out_of_an_empty_stage_is_zero_but_has_no_interval():
    assert list(funnel.stage_rates([10, 0, 0])["rate"]) == [0.0, 0.0]
    with pytest.raises(ValueError, match="stage 'stage1' is 0"):
        funnel.rate_intervals([10, 0, 0])


def test_rate_intervals_match_statsmodels_and_reject_bad_options():
    from statsmodels.stats.proportion import proportion_confint

    iv = funnel.rate_intervals(CASE)
    lo, hi = proportion_confint(5, 50, alpha=0.05, method="wilson")
    assert iv.loc["negotiation→deal", "lower"] == pytest.approx(lo)
    assert iv.loc["negotiation→deal", "upper"] == pytest.approx(hi)
    j = funnel.rate_intervals(CASE, method="jeffreys")
    assert j.loc["negotiation→deal", "lower"] == pytest.approx(stats.beta.ppf(0.025, 5.5, 45.5))
    with pytest.raises(ValueError, match="method must be"):
        funnel.rate_intervals(CASE, method="wald")
    for bad in (0, 1, 1.5):
        with pytest.raises(ValueError, match="alpha"):
            funnel.rate_intervals(CASE, alpha=bad)


def test_intervals_narrow_with_more_data():
    small = funnel.rate_intervals(CASE)["width"]
    big = funnel.rate_intervals({k: 20 * v for k, v in CASE.items()})["width"]
    # standard error ~ 1/sqrt(n): 20 times the data, about sqrt(20) ≈ 4.5 times narrower
    assert ((small / big) > 3.5).all() and ((small / big) < 5.5).all()


# ------------------------------------------------------------------ prospects needed
def test_prospects_needed_known_values():
    # k = 1: smallest n with 1 - 0.95^n >= 0.9, i.e. n >= log(0.1)/log(0.95) = 44.9
    assert funnel.prospects_needed(1, 0.05, 0.9) == math.ceil(math.log(0.1) / math.log(0.95))
    assert funnel.prospects_needed(1, 1.0, 0.9) == 1
    for k in (1, 5, 10):
        n = funnel.prospects_needed(k, 0.05, 0.9)
        assert stats.binom.sf(k - 1, n, 0.05) >= 0.9 > stats.binom.sf(k - 1, n - 1, 0.05)


@pytest.mark.parametrize("kwargs, exc, msg", [
    (dict(k=0, p=0.05), ValueError, "k must be >= 1"),
    (dict(k=-2, p=0.05), ValueError, "k must be >= 1"),
    (dict(k=1.5, p=0.05), TypeError, "k must be an integer"),
    (dict(k=1, p=0.0), ValueError, "p must be > 0"),
    (dict(k=1, p=1.2), ValueError, "p must be <= 1"),
    (dict(k=1, p=float("nan")), ValueError, "p is NaN"),
    (dict(k=1, p=0.05, target=0.0), ValueError, "target must be > 0"),
    (dict(k=1, p=0.05, target=1.0), ValueError, "target must be < 1"),
    (dict(k=1, p=0.05, target=-0.2), ValueError, "target"),
])
def test_prospects_needed_rejects(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        funnel.prospects_needed(**kwargs)


@settings(max_examples=60, deadline=None)
@given(k=st.integers(1, 30), p=st.floats(0.01, 1.0), target=st.floats(0.05, 0.99))
def test_prospects_needed_is_the_smallest_sufficient_pipeline(k, p, target):
    n = funnel.prospects_needed(k, p, target)
    assert n >= k
    assert funnel.prob_at_least(k, n, p) >= target
    if n > k:
        assert funnel.prob_at_least(k, n - 1, p) < target


@settings(max_examples=60, deadline=None)
@given(k=st.integers(1, 30), p=st.floats(0.01, 0.99), t1=st.floats(0.05, 0.98), t2=st.floats(0.05, 0.98))
def test_prospects_needed_is_monotone_in_k_and_target(k, p, t1, t2):
    lo, hi = sorted((t1, t2))
    assert funnel.prospects_needed(k, p, lo) <= funnel.prospects_needed(k, p, hi)
    assert funnel.prospects_needed(k, p, lo) <= funnel.prospects_needed(k + 1, p, lo)


@settings(max_examples=40, deadline=None)
@given(k=st.integers(1, 20), p1=st.floats(0.02, 0.95), p2=st.floats(0.02, 0.95))
def test_better_odds_never_need_more_prospects(k, p1, p2):
    lo, hi = sorted((p1, p2))
    assert funnel.prospects_needed(k, hi) <= funnel.prospects_needed(k, lo)


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(0, 10_000), min_size=2, max_size=6).map(lambda c: sorted(c, reverse=True))
       .filter(lambda c: c[0] > 0))
def test_overall_rate_is_the_product_of_stage_rates(counts):
    r = funnel.stage_rates(counts)["rate"].to_numpy()
    assert ((0 <= r) & (r <= 1)).all()
    assert funnel.overall_rate(counts) == pytest.approx(float(np.prod(r)), abs=1e-12)


def test_monte_carlo_agrees_with_negative_binomial():
    k, p = 5, 0.05
    n = funnel.prospects_needed(k, p, 0.9)
    draws = funnel.simulate_prospects_needed(k, p, 20_000, np.random.default_rng(3))
    assert draws.min() >= k
    assert np.mean(draws <= n) == pytest.approx(0.9, abs=0.01)
    assert draws.mean() == pytest.approx(k / p, rel=0.02)
    again = funnel.simulate_prospects_needed(k, p, 20_000, np.random.default_rng(3))
    assert (draws == again).all()


def test_simulations_reject_bad_input():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        funnel.simulate_prospects_needed(1, 0.1, 10, rng=3)
    with pytest.raises(ValueError, match="n_sims must be >= 1"):
        funnel.simulate_prospects_needed(1, 0.1, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"rates\[1\] must be <= 1"):
        funnel.simulate_funnel(100, [0.5, 1.5], 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n must be >= 0"):
        funnel.simulate_funnel(-1, [0.5], 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rates is empty"):
        funnel.expected_deals(100, [])
    with pytest.raises(ValueError, match=r"rates\[0\] must be >= 0"):
        funnel.expected_deals(100, [-0.1, 0.5])
    with pytest.raises(ValueError, match="level must be < 1"):
        funnel.expected_deals(100, [0.5], level=1.0)


def test_simulated_funnel_shrinks_and_matches_expected_deals():
    sims = funnel.simulate_funnel(100, [0.5, 0.1], 20_000, np.random.default_rng(1))
    assert (sims[:, 0] == 100).all() and (np.diff(sims, axis=1) <= 0).all()
    band = funnel.expected_deals(100, [0.5, 0.1], level=0.9)
    assert band["mean"] == pytest.approx(5.0) and band["p_overall"] == pytest.approx(0.05)
    assert sims[:, -1].mean() == pytest.approx(band["mean"], rel=0.03)
    inside = np.mean((sims[:, -1] >= band["lower"]) & (sims[:, -1] <= band["upper"]))
    assert inside >= 0.9 - 0.01   # a discrete central band covers at least its level
    assert band.coverage >= 0.9 and band.coverage == pytest.approx(inside, abs=0.01)


def test_interval_methods_set_wilson_beside_jeffreys():
    from statsmodels.stats.proportion import proportion_confint

    funnels = {"good": pd.Series({"prospect": 100, "negotiation": 80, "deal": 5})}
    t = funnel.interval_methods(funnels, 2000)
    assert list(t["prospects"]) == [100, 2000] and list(t["n_from"]) == [80, 1600]
    for method in ("wilson", "jeffreys"):
        lo, hi = proportion_confint(5, 80, method=method)
        assert t.loc[0, f"{method}_lower"] == pytest.approx(lo) and t.loc[0, f"{method}_upper"] == pytest.approx(hi)
    assert t.loc[0, "jeffreys_lower"] < t.loc[0, "wilson_lower"]
    with pytest.raises(ValueError, match="into"):
        funnel.interval_methods(funnels, 2000, into="contract")
    with pytest.raises(TypeError, match="into"):
        funnel.interval_methods(funnels, 2000, into=1)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 500), r1=st.floats(0, 1), r2=st.floats(0, 1))
def test_expected_deals_band_contains_the_mean(n, r1, r2):
    b = funnel.expected_deals(n, [r1, r2])
    assert 0 <= b["lower"] <= b["upper"] <= n
    assert b["mean"] == pytest.approx(n * r1 * r2)


# ------------------------------------------------------------------ data-driven parts
def test_funnel_counts_and_timing(prospects):
    c = funnel.funnel_counts(prospects)
    assert list(c.index) == ["prospect", "negotiation", "deal"]
    assert c["prospect"] == len(prospects)
    assert c["deal"] == (prospects["stage_reached"] == "deal").sum()
    days = funnel.time_to_close(prospects)
    assert len(days) == c["deal"] and (days >= 30).all()


def test_time_to_close_rejects_missing_negotiation_days_and_no_deals(prospects):
    bad = prospects.copy()
    row = bad.index[bad["stage_reached"] == "deal"][0]
    bad.loc[row, "days_negotiation"] = pd.NA
    with pytest.raises(ValueError, match=f"'days_negotiation' is empty at row {row}"):
        funnel.time_to_close(bad)
    neg = prospects.copy()
    neg.loc[row, "days_negotiation"] = -4
    with pytest.raises(ValueError, match=f"'days_negotiation' is negative at row {row}"):
        funnel.time_to_close(neg)
    with pytest.raises(ValueError, match="no deals"):
        funnel.time_to_close(prospects[prospects["stage_reached"] != "deal"])


def test_logit_recovers_that_man_drives_closing(prospects):
    m = funnel.fit_close_logit(prospects)
    ors = m.odds_ratios
    assert list(ors.index) == ["money", "authority", "need"]
    assert (ors["lower"] > 1).all()                      # every MAN attribute raises the odds
    assert ((ors["lower"] < ors["odds_ratio"]) & (ors["odds_ratio"] < ors["upper"])).all()
    assert m.n == len(prospects)
    p = m.predict(prospects)
    assert ((p > 0) & (p < 1)).all()
    # logit with an intercept: mean fitted probability equals the observed close rate
    assert p.mean() == pytest.approx((prospects["stage_reached"] == "deal").mean(), abs=1e-6)


def test_logit_rejects_degenerate_data(prospects):
    with pytest.raises(ValueError, match="both deals and non-deals"):
        funnel.fit_close_logit(prospects[prospects["stage_reached"] != "deal"])
    zero = prospects.copy()
    zero.loc[7, "budget_kusd"] = 0.0
    with pytest.raises(ValueError, match="'budget_kusd' must be > 0 for the logit .* at row 7"):
        funnel.fit_close_logit(zero)
