"""crmlib.clv.btyd.BetaGeoBetaBernoulli: published estimates, independent checks, bad input, the simulator.

Published values are read from datasets/published/btyd_published_params.csv (model ``bgbb``):
Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
setting", Marketing Science 29(6), 1086-1108, and its note "Implementing the BG/BB model for
customer-base analysis in Excel": alpha 1.204, beta 0.750, gamma 0.657, delta 2.783,
LL -33,225.6 on the 1995 donor cohort (11,104 donors, six repeat opportunities).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special

from crmlib import datasets
from crmlib.clv import btyd


@pytest.fixture(scope="module")
def donors():
    return datasets.load("donations_1995")


@pytest.fixture(scope="module")
def bgbb(donors):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return btyd.BetaGeoBetaBernoulli(donors["frequency"], donors["recency"], donors["periods"],
                                         donors["weights"]).fit()


def test_donor_cohort_as_distributed(donors):
    assert len(donors) == 22
    assert donors["weights"].sum() == 11104
    assert (donors["periods"] == 6).all()
    assert donors.loc[(donors["frequency"] == 0), "weights"].item() == 3464


def test_matches_the_published_estimates(bgbb):
    pub = datasets.load("btyd_published_params")
    pub = pub[(pub["model"] == "bgbb") & (pub["dataset"] == "donations_1995")].set_index("parameter")
    assert set(pub.index) == {"alpha", "beta", "gamma", "delta", "llf"}
    for name in ("alpha", "beta", "gamma", "delta"):
        dec = int(pub.loc[name, "decimals"])
        assert round(bgbb.params[name], dec) == pytest.approx(pub.loc[name, "value"], abs=1e-12), name
    assert round(bgbb.llf, int(pub.loc["llf", "decimals"])) == pytest.approx(pub.loc["llf", "value"], abs=1e-9)
    assert bgbb.converged
    assert bgbb.nobs == 11104
    assert list(bgbb.bse.index) == ["alpha", "beta", "gamma", "delta"]
    assert (bgbb.bse > 0).all() and (bgbb.bse < bgbb.params).all()
    ci = bgbb.conf_int()
    assert list(ci.columns) == ["lower", "upper"] and (ci["lower"] < bgbb.params).all()
    assert "BetaGeoBetaBernoulli" in str(bgbb.summary()) and "11104" in str(bgbb.summary())


def test_published_predictions(bgbb, donors):
    # FHS (2010) Table 6 (P(alive in 2002)): 0.11 for 0 repeat donations, 0.59 for x = 2, t_x = 4
    # (last in 1999), 0.93 for six; note 010's spreadsheet: 12,884.2 expected donations 2002-2006
    # (sum of the conditional expectations) and 3,454.9 donors with no repeat donation in 1996-2001
    assert round(bgbb.probability_alive(0, 0, 6), 2) == 0.11
    assert round(bgbb.probability_alive(2, 4, 6), 2) == 0.59
    assert round(bgbb.probability_alive(6, 6, 6), 2) == 0.93
    ce = bgbb.expected_transactions(5, donors["frequency"], donors["recency"], donors["periods"])
    assert round(float((ce * donors["weights"]).sum()), 1) == 12884.2
    fit = bgbb.fit_by_recency_frequency()
    assert round(fit.loc[fit["frequency"] == 0, "expected"].item(), 1) == 3454.9
    assert fit["expected"].sum() == pytest.approx(11104, rel=1e-10)
    assert fit["actual"].sum() == 11104


# ----------------------------------------------------------------------------- independent checks
def beta_grid(a, b, n=120):
    y, w = special.roots_jacobi(n, b - 1, a - 1)
    return (1 + y) / 2, w / w.sum()


def sequence_probability(p, theta, x, tx, n):
    """P(one given sequence with x transactions, the last at t_x, in n opportunities | p, theta)."""
    alive = p ** x * (1 - p) ** (n - x) * (1 - theta) ** n
    died = sum(p ** x * (1 - p) ** (tx - x + i) * theta * (1 - theta) ** (tx + i) for i in range(int(n - tx)))
    return alive + died


@pytest.mark.parametrize("x, tx, n", [(0, 0, 6), (1, 1, 6), (2, 4, 6), (6, 6, 6), (3, 5, 9)])
def test_likelihood_by_integration_over_p_and_theta(x, tx, n):
    a, b, g, d = 1.3, 0.8, 0.7, 2.5
    model = btyd.BetaGeoBetaBernoulli([x, 1], [tx, 1], [n, n])
    pp, wp = beta_grid(a, b)
    tt, wt = beta_grid(g, d)
    want = sum(wp[i] * wt[j] * sequence_probability(pp[i], tt[j], x, tx, n)
               for i in range(pp.size) for j in range(tt.size))
    assert np.exp(model.loglikeobs(np.array([a, b, g, d]))[0]) == pytest.approx(want, rel=1e-9)


def test_dert_is_the_discounted_sum_of_the_conditional_expectations(bgbb):
    d = 0.1
    for x, tx, n in ((0, 0, 6), (2, 4, 6), (6, 6, 6)):
        cum = np.array([bgbb.expected_transactions(k, x, tx, n) for k in range(0, 400)])
        per = np.diff(cum)
        want = np.sum(per / (1 + d) ** np.arange(1, per.size + 1))
        assert bgbb.dert(d, x, tx, n) == pytest.approx(want, rel=1e-8)


def test_unconditional_expectation_is_the_mean_of_the_simulator():
    a, b, g, d = 1.204, 0.750, 0.657, 2.783
    sim = btyd.simulate_bgbb(200_000, a, b, g, d, n_periods=6, seed=3)
    res = btyd.BetaGeoBetaBernoulli([1, 0], [1, 0], [6, 6])  # a model only to reach the results' formulas
    from statsmodels.base.model import LikelihoodModelResults

    mle = LikelihoodModelResults(res, np.array([a, b, g, d]), normalized_cov_params=np.eye(4))
    mle.mle_retvals = {"converged": True}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' df bookkeeping note
        out = btyd.BetaGeoBetaBernoulliResults(res, mle)
    out._set_names(res.param_names, 0.0)
    mean = float(sim["frequency"].mean())
    se = float(sim["frequency"].std()) / np.sqrt(len(sim))
    assert abs(out.expected_transactions_new(6) - mean) < 4 * se
    assert out.expected_transactions_new(0) == 0.0


def test_simulated_cohort_recovers_its_parameters():
    sim = btyd.simulate_bgbb(20_000, 1.2, 0.75, 0.66, 2.8, n_periods=8, seed=11)
    again = btyd.simulate_bgbb(20_000, 1.2, 0.75, 0.66, 2.8, n_periods=8, seed=11)
    pd.testing.assert_frame_equal(sim, again)
    grouped = sim.groupby(["frequency", "recency", "n_periods"]).size().reset_index(name="count")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = btyd.BetaGeoBetaBernoulli(grouped["frequency"], grouped["recency"], grouped["n_periods"],
                                        grouped["count"]).fit()
    ci = res.conf_int(alpha=0.001)
    truth = pd.Series([1.2, 0.75, 0.66, 2.8], index=ci.index)
    assert ((ci["lower"] < truth) & (truth < ci["upper"])).all()


def test_weights_equal_repeated_rows(donors):
    small = donors.iloc[[0, 1, 7, 21]]
    weighted = btyd.BetaGeoBetaBernoulli(small["frequency"], small["recency"], small["periods"], [3, 2, 1, 4])
    rows = small.loc[small.index.repeat([3, 2, 1, 4])]
    plain = btyd.BetaGeoBetaBernoulli(rows["frequency"], rows["recency"], rows["periods"])
    p = np.array([1.2, 0.75, 0.66, 2.8])
    assert weighted.loglike(p) == pytest.approx(plain.loglike(p), rel=1e-13)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("f, r, n, w, message", [
    ([7, 1], [6, 1], [6, 6], None, "frequency > n_periods at row 0"),
    ([1, 1], [1, 8], [6, 6], None, "recency > n_periods at row 1"),
    ([1, 3], [1, 2], [6, 6], None, "frequency > recency at row 1"),
    ([1, 0], [1, 2], [6, 6], None, "frequency 0 with recency 2 at row 1"),
    ([1, 2], [0, 2], [6, 6], None, "frequency > recency at row 0"),
    ([1, 1.5], [1, 2], [6, 6], None, r"frequency\[1\] is not a whole number"),
    ([1, 1], [1, 2.5], [6, 6], None, r"recency\[1\] is not a whole number"),
    ([1, 1], [1, 2], [6, 6.5], None, r"n_periods\[1\] is not a whole number"),
    ([1, 1], [1, 2], [6, 0], None, r"n_periods\[1\] must be >= 1"),
    ([1, 1], [1, 2], [6, 6], [3, 0], r"weights\[1\] must be >= 1"),
    ([1, 1], [1, 2], [6, 6], [3, -2], r"weights\[1\] must be >= 1"),
    ([1, 1], [1, 2], [6, 6], [3, 1.5], r"weights\[1\] is not a whole number"),
    ([1, -1], [1, 2], [6, 6], None, r"frequency\[1\] must be >= 0"),
    ([1, np.nan], [1, 2], [6, 6], None, r"frequency\[1\] is NaN"),
    ([1, 1], [1, 2], [6, 6], [1], "must have the same length"),
])
def test_bad_input_names_row_and_column(f, r, n, w, message):
    with pytest.raises(ValueError, match=message):
        btyd.BetaGeoBetaBernoulli(f, r, n, w)


def test_bad_input_names_the_series_label():
    idx = ["ann", "bob"]
    with pytest.raises(ValueError, match="frequency > recency at row 'bob'"):
        btyd.BetaGeoBetaBernoulli(pd.Series([1, 3], index=idx), pd.Series([1, 2], index=idx), 6)


def test_degenerate_cohorts_raise():
    with pytest.raises(ValueError, match="no customer made a repeat transaction"):
        btyd.BetaGeoBetaBernoulli([0, 0], [0, 0], [6, 6]).fit()
    with pytest.raises(ValueError, match="needs at least 2 customers"):
        btyd.BetaGeoBetaBernoulli([2], [3], [6]).fit()
    with pytest.raises(ValueError, match="all 5 customers have the same"):
        btyd.BetaGeoBetaBernoulli([2], [3], [6], [5]).fit()


def test_prediction_methods_check_their_input(bgbb):
    with pytest.raises(ValueError, match="frequency > n_periods"):
        bgbb.probability_alive(7, 6, 6)
    with pytest.raises(ValueError, match=r"discount must be > 0"):
        bgbb.dert(0.0, 2, 4, 6)
    with pytest.raises(ValueError, match=r"n_future\[0\] is negative"):
        bgbb.expected_transactions(-1, 2, 4, 6)


def test_simulator_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_periods must be >= 1"):
        btyd.simulate_bgbb(10, n_periods=0)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        btyd.simulate_bgbb(10, alpha=-1.0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        btyd.simulate_bgbb(10, seed=1.5)
