"""Prediction intervals (delta method) of P(alive), expected purchases and CLV, and their coverage by simulation.

The coverage loop draws customer bases from a BG/NBD with one covariate in both processes
(known parameters) and spends from a Gamma-Gamma, fits both models, and checks how often the 95 %
intervals contain the true value of the quantity (computed at the true parameters) for a
reference customer. Nominal 95 %: the observed share must be a plausible draw from Binomial(R, 0.95)
(two-sided binomial test at the 0.1 % level) — intervals that are too narrow or too wide fail.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmlib import clv
from crmlib.clv import btyd

TRUE = {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.43, "purchase:z": 0.5, "dropout:z": -0.4}
GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}
REF = (2.0, 20.0, 40.0)          # frequency, recency, T of the reference customer
PROFILE = {"z": 1.0}
REPS, N = 100, 1000


def _replicate(i: int) -> dict[str, bool]:
    rng = np.random.default_rng([27, i])
    z = rng.normal(size=N)
    big_t = rng.uniform(30, 80, N)
    alpha_i = TRUE["alpha"] * np.exp(-TRUE["purchase:z"] * z)
    b_i = TRUE["b"] * np.exp(-TRUE["dropout:z"] * z)
    d = btyd._draw_bgnbd(rng, (TRUE["r"], alpha_i, TRUE["a"], b_i), big_t, 0)
    x = d["frequency"].to_numpy()
    nu = rng.gamma(GG["q"], 1.0 / GG["gamma"], N)
    d["monetary_value"] = np.where(x > 0, rng.gamma(np.maximum(GG["p"] * x, 1e-9), 1.0 / (nu * np.maximum(x, 1))), 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = btyd.BetaGeo(d["frequency"], d["recency"], d["T"], period="W", covariates=pd.DataFrame({"z": z}),
                           purchase="z", dropout="z").fit()
        rep = d[x > 0]
        gg = btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit()
    truth, gg_true = fit._with_params(np.array(list(TRUE.values()))), gg._with_params(np.array(list(GG.values())))
    out = {}
    for name, interval, want in (
            ("P(alive)", fit.probability_alive_interval(*REF, PROFILE), truth.probability_alive(*REF, PROFILE)),
            ("expected purchases", fit.expected_purchases_interval(52.0, *REF, PROFILE),
             truth.expected_purchases(52.0, *REF, PROFILE))):
        out[name] = bool(interval["lower"].iloc[0] <= want <= interval["upper"].iloc[0])
    one = pd.DataFrame({"frequency": [REF[0]], "recency": [REF[1]], "T": [REF[2]], "monetary_value": [30.0]})
    one.attrs["period"] = "W"
    ci = clv.customer_lifetime_value_interval(fit, gg, one, 52, 4, 0.10, covariates=PROFILE).iloc[0]
    want = clv.customer_lifetime_value(truth, gg_true, one, 52, 4, 0.10, covariates=PROFILE).iloc[0]
    out["CLV"] = bool(ci["lower"] <= want <= ci["upper"])
    return out


@pytest.fixture(scope="module")
def coverage():
    return pd.DataFrame([_replicate(i) for i in range(REPS)])


@pytest.mark.parametrize("quantity", ["P(alive)", "expected purchases", "CLV"])
def test_95_percent_intervals_cover_at_their_nominal_rate(coverage, quantity):
    hits = int(coverage[quantity].sum())
    p = stats.binomtest(hits, REPS, 0.95).pvalue
    assert p > 0.001, f"{quantity}: {hits} of {REPS} intervals cover the true value (nominal 95 %)"


@pytest.fixture(scope="module")
def bg(cdnow):
    return btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"]).fit()


def test_interval_brackets_the_estimate_and_widens_with_the_level(bg, cdnow):
    args = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    narrow = bg.expected_purchases_interval(39.0, *args, level=0.8)
    wide = bg.expected_purchases_interval(39.0, *args, level=0.99)
    pd.testing.assert_series_equal(wide["estimate"], bg.expected_purchases(39.0, *args), check_names=False)
    assert list(wide.index) == list(cdnow.index)
    assert (wide["lower"] < wide["estimate"]).all() and (wide["estimate"] < wide["upper"]).all()
    assert (wide["lower"] < narrow["lower"]).all() and (narrow["upper"] < wide["upper"]).all()
    alive = bg.probability_alive_interval(*args)
    assert ((alive["lower"] >= 0) & (alive["upper"] <= 1)).all()
    # BG/NBD customers without repeat purchases are alive for sure: no uncertainty
    zero = cdnow["frequency"] == 0
    assert (alive.loc[zero, ["lower", "upper", "estimate"]] == 1).all().all() and (alive.loc[zero, "se"] == 0).all()


def test_delta_method_se_equals_the_gradient_formula(bg):
    """se of E[X(t)] of a new customer by prediction_interval = sqrt(g' Σ g) with g by hand (natural parameters)."""
    t = 26.0
    se = btyd.prediction_interval(lambda f: f.expected_purchases_new(t), [bg], scale="identity")["se"].iloc[0]
    p = bg.params.to_numpy()
    g = []
    for i in range(4):
        h = 1e-6 * p[i]
        up, dn = p.copy(), p.copy()
        up[i] += h
        dn[i] -= h
        g.append((bg._with_params(up).expected_purchases_new(t) - bg._with_params(dn).expected_purchases_new(t)) / (2 * h))
    g = np.array(g)
    assert se > 0 and se == pytest.approx(np.sqrt(g @ bg.normalized_cov_params @ g), rel=1e-5)


def test_prediction_interval_refuses_bad_arguments(bg):
    with pytest.raises(ValueError, match="level"):
        bg.probability_alive_interval(1, 10.0, 39.0, level=1.0)
    with pytest.raises(ValueError, match="scale must be"):
        btyd.prediction_interval(lambda f: f.expected_purchases_new(1.0), [bg], scale="sqrt")
    broken = bg._with_params(bg.params.to_numpy())
    broken.normalized_cov_params = np.full((4, 4), np.nan)
    with pytest.raises(ValueError, match="covariance is not finite"):
        btyd.prediction_interval(lambda f: f.expected_purchases_new(1.0), [broken])
