"""crmlib.clv.btyd: fits that did not work say so (issue 15 §1).

Every case here failed on the earlier code: a fit stopped by ``maxiter`` reported
``converged=True``, ``maxiter=-5`` and absurd ``start_params`` were accepted, degenerate data
returned estimates at 1e±14 without a word, and repeat purchases with recency 0 gave a positive
log-likelihood with alpha = 1e-25.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from crmlib import datasets
from crmlib.clv import btyd
from crmlib.warnings import BoundaryWarning, ConvergenceWarning, CRMWarning


@pytest.fixture(scope="module")
def rep(cdnow):
    return cdnow[cdnow["frequency"] > 0]


def _models(cdnow, rep):
    sbg = datasets.load("sbg_cohorts")["regular"].to_numpy()[:8]
    return {
        "BetaGeo": btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"]),
        "ParetoNBD": btyd.ParetoNBD(cdnow["frequency"], cdnow["recency"], cdnow["T"]),
        "GammaGamma": btyd.GammaGamma(rep["frequency"], rep["monetary_value"]),
        "ShiftedBetaGeometric": btyd.ShiftedBetaGeometric(sbg),
    }


# ----------------------------------------------------------------------------- converged is honest
@pytest.mark.parametrize("name", ["BetaGeo", "GammaGamma", "ShiftedBetaGeometric", "ParetoNBD"])
def test_maxiter_one_is_not_converged_and_warns(cdnow, rep, name):
    model = _models(cdnow, rep)[name]
    with pytest.warns(ConvergenceWarning, match=rf"^{name}: the optimiser stopped before converging \(maxiter"):
        res = model.fit(maxiter=1)
    assert res.converged is False
    assert res.mle_retvals["converged"] is False
    assert res.mle_retvals["iterations"] <= 1


def test_gammagamma_maxiter_one_is_far_from_the_maximum(rep):
    with pytest.warns(ConvergenceWarning):
        short = btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit(maxiter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit()
    assert full.converged is True
    assert short.llf < full.llf - 1.0


@pytest.mark.parametrize("name", ["BetaGeo", "GammaGamma", "ShiftedBetaGeometric", "ParetoNBD"])
def test_default_fits_are_converged_and_silent(cdnow, rep, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CRMWarning)
        res = _models(cdnow, rep)[name].fit()
    assert res.converged is True
    assert res.mle_retvals["relative_gradient"] <= 1e-9


# ----------------------------------------------------------------------------- options are validated
@pytest.mark.parametrize("maxiter, error, message", [
    (-5, ValueError, "maxiter must be a positive integer, got -5"),
    (0, ValueError, "maxiter must be a positive integer, got 0"),
    (2.5, TypeError, "maxiter must be a positive integer"),
    (True, TypeError, "maxiter must be a positive integer"),
    ("100", TypeError, "maxiter must be a positive integer"),
])
def test_maxiter_is_validated(rep, maxiter, error, message):
    with pytest.raises(error, match=message):
        btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit(maxiter=maxiter)


@pytest.mark.parametrize("start, message", [
    ([1.0, np.nan, 1.0], r"start_params\[1\] is NaN"),
    ([1.0, np.inf, 1.0], r"start_params\[1\] is infinite"),
    ([1.0, 1.0], "must have 3 values"),
    (5.0, "must have 3 values"),
    ([1.0, 0.0, 1.0], r"start_params\['q'\] must be positive"),
    ([1e12, 1.0, 1.0], r"start_params\['p'\] = 1e\+12 is outside"),
])
def test_start_params_are_validated(rep, start, message):
    with pytest.raises(ValueError, match=message):
        btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit(start_params=start)


def test_disp_must_be_boolean(rep):
    with pytest.raises(TypeError, match="disp must be True or False"):
        btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit(disp="yes")


def test_absurd_start_params_never_end_silently(cdnow):
    """From an absurd start the fit either reaches the maximum or warns; it never returns LL 0 quietly."""
    model = btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = model.fit(start_params=[1e7, 1e-7, 1e7, 1e-7])
    assert res.llf != 0.0 and res.llf < 0
    assert res.converged is False
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert any(issubclass(w.category, BoundaryWarning) and "BetaGeo, alpha" in str(w.message) for w in caught)


# ----------------------------------------------------------------------------- unbounded likelihoods are refused
@pytest.mark.parametrize("model", [btyd.BetaGeo, btyd.ParetoNBD])
def test_repeat_purchases_with_recency_zero_are_refused_with_the_row(model):
    with pytest.raises(ValueError, match=r"frequency 3 with recency 0 at row 1:.*unbounded"):
        model(np.array([1, 3, 0]), np.array([2.0, 0.0, 0.0]), np.array([5.0, 5.0, 5.0]))
    import pandas as pd
    idx = ["ann", "cy", "dee"]
    with pytest.raises(ValueError, match=r"at row 'cy'"):
        model(pd.Series([1, 3, 0], index=idx), pd.Series([2.0, 0.0, 0.0], index=idx), pd.Series([5.0] * 3, index=idx))


def test_predictions_refuse_repeat_purchases_at_recency_zero(cdnow):
    """An impossible history (repeat purchases, yet the last at the time of the first) is refused in
    predictions too (issue 22: probability_alive(frequency=3, recency=0, T=10) returned a number)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bg = btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"]).fit()
    with pytest.raises(ValueError, match="frequency 3 with recency 0 at row 0"):
        bg.probability_alive(3, 0.0, 10.0)
    with pytest.raises(ValueError, match="frequency 2 with recency 0 at row 1"):
        bg.expected_purchases(5.0, [0, 2], [0.0, 0.0], 10.0)
    assert 0 < bg.probability_alive(3, 0.5, 10.0) < 1


# ----------------------------------------------------------------------------- degenerate data raise
@pytest.mark.parametrize("model", [btyd.BetaGeo, btyd.ParetoNBD])
@pytest.mark.parametrize("f, tx, T, message", [
    ([0, 0, 0], [0.0, 0.0, 0.0], [10.0, 20.0, 30.0], "no customer made a repeat purchase"),
    ([2], [5.0], [10.0], "needs at least 2 customers, got 1"),
    ([2, 2, 2], [5.0, 5.0, 5.0], [10.0, 10.0, 10.0], "all 3 customers have the same"),
])
def test_degenerate_latent_data_raise(model, f, tx, T, message):
    with pytest.raises(ValueError, match=message):
        model(f, tx, T).fit()


def test_degenerate_spend_and_cohorts_raise():
    with pytest.raises(ValueError, match="GammaGamma needs at least 2 customers"):
        btyd.GammaGamma([3], [20.0]).fit()
    with pytest.raises(ValueError, match="all 3 customers have the same frequency and monetary_value"):
        btyd.GammaGamma([2, 2, 2], [20.0, 20.0, 20.0]).fit()
    with pytest.raises(ValueError, match="the cohort never shrinks"):
        btyd.ShiftedBetaGeometric([1000, 1000, 1000]).fit()
    with pytest.raises(ValueError, match="every customer churned in period 1"):
        btyd.ShiftedBetaGeometric([1000, 0]).fit()


def test_no_heterogeneity_warns_at_the_boundary():
    """Poisson buyers all alike and nobody drops out: the gamma and beta mixtures are not identified."""
    rng = np.random.default_rng(1)
    T = np.full(2000, 20.0)
    x = rng.poisson(T).astype(float)
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), 1), 0.0)
    with pytest.warns(BoundaryWarning, match=r"^BetaGeo, (a|b|r|alpha): "):
        res = btyd.BetaGeo(x, tx, T).fit()
    assert res.converged is False


# ----------------------------------------------------------------------------- T = 0 contributes nothing
@pytest.mark.parametrize("model", [btyd.BetaGeo, btyd.ParetoNBD])
def test_customers_observed_for_no_time_contribute_nothing(cdnow, model):
    f, r, T = cdnow["frequency"].to_numpy(), cdnow["recency"].to_numpy(), cdnow["T"].to_numpy()
    base = model(f, r, T)
    more = model(np.r_[f, 0, 0], np.r_[r, 0.0, 0.0], np.r_[T, 0.0, 0.0])
    p = np.array([0.3, 5.0, 0.7, 2.0])
    assert more.loglike(p) == pytest.approx(base.loglike(p), rel=1e-13)
    assert np.all(more.loglikeobs(p)[-2:] == pytest.approx(0.0, abs=1e-12))


def test_rfm_summary_kept_with_zero_T_fits_like_the_default(cdnow):
    """rfm.summarize leaves T = 0 customers out (DataWarning) unless keep_zero_T=True; the models
    take them either way with the same estimates, since they contribute nothing."""
    import pandas as pd

    from crmlib.clv import rfm
    from crmlib.warnings import DataWarning

    tx = datasets.load("cdnow_sample")
    late = pd.DataFrame({"customer_id": [90001, 90002], "date": pd.to_datetime(["1997-09-30", "1997-09-30"]),
                         "dollar_value": [10.0, 20.0]})
    log = pd.concat([tx[["customer_id", "date", "dollar_value"]], late], ignore_index=True)
    kw = dict(customer_id="customer_id", date="date", amount="dollar_value", period="W",
              observation_end="1997-09-30")
    with pytest.warns(DataWarning):
        dropped = rfm.summarize(log, **kw)
    kept = rfm.summarize(log, keep_zero_T=True, **kw)
    assert len(kept) == len(dropped) + 2 and (kept["T"] == 0).sum() == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", CRMWarning)
        a = btyd.BetaGeo(dropped["frequency"], dropped["recency"], dropped["T"]).fit()
        b = btyd.BetaGeo(kept["frequency"], kept["recency"], kept["T"]).fit()
    assert np.allclose(a.params, b.params, rtol=1e-7)
    assert a.llf == pytest.approx(b.llf, abs=1e-6)


def test_bgbb_fit_warns_and_validates_like_the_others():
    d = datasets.load("donations_1995")
    model = btyd.BetaGeoBetaBernoulli(d["frequency"], d["recency"], d["periods"], d["weights"])
    with pytest.warns(ConvergenceWarning, match=r"^BetaGeoBetaBernoulli: the optimiser stopped"):
        res = model.fit(maxiter=1)
    assert res.converged is False
    with pytest.raises(ValueError, match="maxiter must be a positive integer"):
        model.fit(maxiter=-5)
    with pytest.raises(ValueError, match=r"start_params\['gamma'\] must be positive"):
        model.fit(start_params=[1.0, 1.0, -1.0, 1.0])
