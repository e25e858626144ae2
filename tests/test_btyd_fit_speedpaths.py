"""crmlib.clv.btyd fit machinery: analytic scores, the score-based Hessian, start independence.

The fits use analytic gradients (BG/NBD, Gamma-Gamma, sBG) or centred differences
(Pareto/NBD) of the log-likelihood on the log-parameters; these tests check the scores
against differences of the likelihood itself and pin the CDNOW estimates and standard
errors to the values of the earlier derivative-free optimiser.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from statsmodels.tools.numdiff import approx_fprime, approx_hess3

from crmlib import datasets
from crmlib.clv import btyd, rfm




@pytest.fixture(scope="module")
def models(cdnow):
    rep = cdnow[cdnow["frequency"] > 0]
    sbg = datasets.load("sbg_cohorts")
    return {
        "bg": btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"]),
        "pnbd": btyd.ParetoNBD(cdnow["frequency"], cdnow["recency"], cdnow["T"]),
        "gg": btyd.GammaGamma(rep["frequency"], rep["monetary_value"]),
        "sbg_regular": btyd.ShiftedBetaGeometric(sbg["regular"].to_numpy()[:8]),
        "sbg_high_end": btyd.ShiftedBetaGeometric(sbg["high_end"].to_numpy()[:8]),
    }


# params, standard errors and log-likelihood of the Nelder-Mead + BFGS + numerical-Hessian fit
REFERENCE = {
    "bg": ([0.242595, 4.413602, 0.792922, 2.425907], [0.0125574, 0.378224, 0.185741, 0.705439], -9582.429207),
    "pnbd": ([0.553277, 10.577683, 0.60624, 11.668735], [0.0476279, 0.842723, 0.18728, 6.21107], -9594.976179),
    "gg": ([6.249572, 3.744225, 15.443521], [1.19006, 0.290133, 4.15943], -4055.917695),
    "sbg_regular": ([0.704077, 1.182043], [0.0655994, 0.152477], -1680.265188),
    "sbg_high_end": ([0.668088, 3.806095], [0.103735, 0.78553], -1611.158147),
}

POINTS = {
    "bg": [[0.24, 4.4, 0.79, 2.4], [1.0, 1.0, 1.0, 1.0], [3.0, 30.0, 0.2, 0.1], [0.05, 0.5, 20.0, 80.0]],
    "gg": [[6.2, 3.7, 15.4], [1.0, 1.0, 1.0], [0.3, 20.0, 2.0], [40.0, 0.7, 500.0]],
    "sbg_regular": [[0.7, 1.2], [1.0, 1.0], [5.0, 0.1], [0.05, 30.0]],
}


@pytest.mark.parametrize("name", sorted(POINTS))
def test_analytic_score_matches_differences_of_the_likelihood(models, name):
    model = models[name]
    assert model._has_score
    for p in POINTS[name]:
        theta = np.log(p)
        score = model._score_log(theta)
        numeric = approx_fprime(theta, lambda th: model.loglike(np.exp(th)), centered=True)
        assert np.all(np.isfinite(score))
        assert np.allclose(score, numeric, rtol=1e-5, atol=1e-5 * max(1.0, np.max(np.abs(numeric))))


@pytest.mark.parametrize("name", ["bg", "gg", "sbg_high_end"])
def test_score_hessian_matches_the_likelihood_hessian(models, name):
    model = models[name]
    theta = np.log(REFERENCE[name][0])
    h = model._hess_log(theta)
    ref = approx_hess3(theta, lambda th: model.loglike(np.exp(th)))
    assert np.allclose(h, h.T)
    assert np.allclose(h, ref, rtol=1e-4, atol=1e-6 * np.max(np.abs(ref)))


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_fit_reproduces_the_reference_estimates(models, name):
    params, bse, llf = REFERENCE[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = models[name].fit()
    assert np.allclose(res.params, params, rtol=1e-5)
    assert np.allclose(res.bse, bse, rtol=1e-3)
    assert res.llf == pytest.approx(llf, abs=1e-4)
    assert res.mle_retvals["converged"]


@pytest.mark.parametrize("name, starts", [
    ("bg", [[1.0, 1.0, 1.0, 1.0], [0.01, 100.0, 10.0, 0.1], [10.0, 0.1, 0.1, 50.0]]),
    ("pnbd", [[0.01, 100.0, 10.0, 0.1]]),
    ("gg", [[1.0, 1.0, 1.0], [0.1, 50.0, 1.0], [50.0, 0.5, 1000.0]]),
    ("sbg_high_end", [[0.01, 100.0], [100.0, 0.01]]),
])
def test_fit_from_far_starts(models, name, starts):
    params, _, llf = REFERENCE[name]
    for start in starts:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            res = models[name].fit(start_params=start)
        assert np.allclose(res.params, params, rtol=1e-5), start
        assert res.llf == pytest.approx(llf, abs=1e-4), start
