"""Issue 15 §3: no unbounded work. Sizes that would allocate gigabytes or run for minutes are refused with the
limit in the message; close proportions get their survey size fast and exactly as before."""
from __future__ import annotations

import numpy as np
import pytest

from crmlib import _validate, clv, crosssell_data, funnel, loss, prospects

HUGE = [10**9, 10**12, 10**7 + 1]          # 10**7 is _validate.MAX_DRAWS


def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("n", HUGE)
@pytest.mark.parametrize("call", [
    lambda n: funnel.simulate_prospects_needed(5, 0.05, n, rng()),
    lambda n: funnel.simulate_funnel(100, [0.5, 0.1], n, rng()),
    lambda n: loss.power_one_proportion(n, 0.6, 0.68),
    lambda n: prospects.generate(n),
    lambda n: crosssell_data.generate_bank_customers(n),
    lambda n: crosssell_data.generate_baskets(n),
    lambda n: crosssell_data.bank_customers_csv(n),
    lambda n: crosssell_data.baskets_csv(n),
    lambda n: clv.clv_schedule(100.0, 0.8, 0.1, n),
    lambda n: clv.expected_repeat_by_period(lambda t: 0.1 * t, [0.0, 1.0], n),
    lambda n: clv.repeat_transactions_by_period(
        __import__("pandas").DataFrame({"c": [1, 1], "d": __import__("pandas").to_datetime(["2024-01-01",
                                                                                           "2024-01-09"])}),
        customer_id="c", date="d", start="2024-01-01", periods=n),
])
def test_huge_sizes_are_refused_with_the_limit(call, n):
    with pytest.raises(ValueError, match=r"above crmlib's limit of [\d,]+"):
        call(n)


def test_simulated_funnel_limit_counts_every_stage():
    with pytest.raises(ValueError, match=r"n_sims = 10,000 is above crmlib.s limit of 4,997 funnels of 2001 stages"):
        funnel.simulate_funnel(100, [0.5] * 2000, 10**4, rng())


def test_funnel_prospects_beyond_64_bits_are_refused():
    with pytest.raises(ValueError, match="n = .* is above crmlib's limit"):
        funnel.simulate_funnel(10**30, [0.5], 10, rng())


def test_implied_margin_grid_is_bounded():
    g = np.linspace(0.0, 1.0, 10**5)
    with pytest.raises(ValueError, match=r"10,000,000,000 cells, above crmlib's limit of 1,000,000"):
        clv.implied_margin_grid(1000.0, 10, g, g)


def test_expected_repeat_work_is_bounded():
    with pytest.raises(ValueError, match=r"100,000 distinct first-purchase times x 100,000 periods"):
        clv.expected_repeat_by_period(lambda t: 0.1 * t, np.arange(10**5) / 7, 10**5)


def test_limits_leave_the_chapter_sizes_alone():
    assert funnel.simulate_prospects_needed(5, 0.05, 40_000, rng()).shape == (40_000,)
    assert clv.clv_schedule(100.0, 0.8, 0.1, 30).shape[0] == 30


# ------------------------------------------------------------------ close proportions: fast, same answer
def test_very_close_proportions_are_refused_with_a_reason():
    with pytest.raises(ValueError, match=r"too close .* the normal approximation needs n = [\d,]+"):
        loss.sample_size_one_proportion(0.5, 0.5000001)


def test_half_a_point_apart_is_answered():
    # the old 1-by-1 search took 48 s; n_exact 78828 is what it returns (checked once against it)
    ss = loss.sample_size_one_proportion(0.5, 0.505)
    assert ss.n_normal == 78486
    assert ss.n_exact == 78828


def test_chapter_case_is_unchanged():
    ss = loss.sample_size_one_proportion(0.60, 0.68, alpha=0.05, power=0.80)
    assert (ss.n_normal, ss.n_exact) == (282, 301)


def _brute_force(p0, p1, alpha, power):
    """The previous algorithm: from n_normal - 40 up, the first n whose next 50 sizes all reach ``power``."""
    n = max(2, loss.sample_size_one_proportion(p0, p1, alpha, power).n_normal - 40)
    ok = [loss.power_one_proportion(m, p0, p1, alpha) >= power for m in range(n, n + 400)]
    for i in range(len(ok) - 50):
        if all(ok[i:i + 50]):
            return n + i
    raise AssertionError("no run of 50 within 400 sizes")


@pytest.mark.parametrize("p0, p1, alpha, power", [
    (0.1, 0.2, 0.05, 0.8), (0.02, 0.08, 0.01, 0.9), (0.9, 0.8, 0.1, 0.5), (0.3, 0.25, 0.05, 0.8),
    (0.01, 0.05, 0.05, 0.8), (0.99, 0.95, 0.05, 0.8), (0.5, 0.6, 0.05, 0.95), (0.45, 0.3, 0.1, 0.9),
])
def test_fast_search_matches_the_one_by_one_search(p0, p1, alpha, power):
    assert loss.sample_size_one_proportion(p0, p1, alpha, power).n_exact == _brute_force(p0, p1, alpha, power)


# ------------------------------------------------------------------ the helper
def test_check_size():
    assert _validate.check_size(10, "n", 10) == 10
    with pytest.raises(ValueError, match=r"n = 11 is above crmlib's limit of 10 draws"):
        _validate.check_size(11, "n", 10, what="draws")
    with pytest.raises(TypeError, match="n must be an integer"):
        _validate.check_size(1.5, "n", 10)
    with pytest.raises(ValueError, match="n must be >= 1"):
        _validate.check_size(0, "n", 10, low=1)


def test_power_curve_work_is_bounded():
    with pytest.raises(ValueError, match=r"sizes add up to 20,000,000, above crmlib's limit of 10,000,000"):
        loss.power_curve([10**7, 10**7], 0.6, 0.68)


# ------------------------------------------------------------------ finance and the business case
@pytest.mark.parametrize("call", [
    lambda n: __import__("crmlib.finance").finance.irr([-100.0, 30.0, 40.0, 50.0], grid=n),
    lambda n: __import__("crmlib.finance").finance.discount_factors(0.1, n),
    lambda n: __import__("crmlib.business_case").business_case.CaseAssumptions(horizon=n),
])
@pytest.mark.parametrize("n", [10**9, 10**12])
def test_finance_sizes_are_refused_with_the_limit(call, n):
    with pytest.raises(ValueError, match=r"above crmlib's limit of [\d,]+"):
        call(n)


def test_npv_profile_rate_count_is_bounded():
    from crmlib import finance

    with pytest.raises(ValueError, match=r"len\(rates\) = 10,000,000 is above crmlib's limit of 100,000"):
        finance.npv_profile([-100.0, 60.0, 60.0], np.linspace(0.0, 1.0, 10**7))
