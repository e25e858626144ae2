"""crmlib.clv.btyd: published estimates, independent numerical checks, properties, bad input.

Independent checks integrate the individual-level models (Poisson purchasing,
beta-geometric or exponential dropout) over their gamma / beta mixing
distributions on quadrature grids — no closed form from the papers — and
compare likelihoods, P(alive) and conditional expectations with the closed
forms in crmlib.clv.btyd.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from crmlib import datasets
from crmlib.clv import btyd, rfm


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def bg(cdnow):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fit must be silent
        return btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"]).fit()


@pytest.fixture(scope="module")
def pnbd(cdnow):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return btyd.ParetoNBD(cdnow["frequency"], cdnow["recency"], cdnow["T"]).fit()


@pytest.fixture(scope="module")
def gg(cdnow):
    rep = cdnow[cdnow["frequency"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit()


@pytest.fixture(scope="module")
def sbg_data():
    return datasets.load("sbg_cohorts")


# ----------------------------------------------------------------------------- published values
def test_bgnbd_matches_fader_hardie_lee_2005(bg):
    # Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
    # Pareto/NBD model", Marketing Science 24(2), p. 281 (Section 4, BG/NBD estimates on the
    # CDNOW 1/10th sample, 2,357 customers, weeks 1-39): r = 0.243, alpha = 4.414, a = 0.793,
    # b = 2.426, LL = -9582.4.
    from crmlib import datasets

    assert bg.params.round(3).to_dict() == {n: datasets.published("bgnbd", "cdnow_sample", n).value
                                            for n in ("r", "alpha", "a", "b")}
    assert round(bg.llf, 1) == -9582.4
    assert bg.nobs == 2357
    assert bg.aic == pytest.approx(-2 * bg.llf + 8)
    assert list(bg.bse.index) == ["r", "alpha", "a", "b"]
    assert (bg.bse > 0).all() and (bg.bse < bg.params).all()


def test_paretonbd_matches_published(pnbd):
    # Pareto/NBD on the same data as reported by Fader, Hardie & Lee (2005), Marketing Science
    # 24(2), p. 281 (comparison with the BG/NBD), and in Fader & Hardie (2005), "A note on deriving
    # the Pareto/NBD model and related expressions": r = 0.553, alpha = 10.578, s = 0.606,
    # beta = 11.669, LL = -9595.0.
    assert pnbd.params.round(3).to_dict() == {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    assert round(pnbd.llf, 1) == -9595.0
    assert (pnbd.bse > 0).all()


def test_gammagamma_matches_fader_hardie_2013(gg):
    # Fader & Hardie (2013), "The Gamma-Gamma model of monetary value", note 025, p. 4: fitted to
    # the 946 CDNOW sample customers with repeat purchases in weeks 1-39 (mean repeat-transaction
    # value): p = 6.25, q = 3.74, gamma = 15.44.
    assert gg.nobs == 946
    assert gg.params.round(2).to_dict() == {"p": 6.25, "q": 3.74, "gamma": 15.44}
    assert gg.population_mean_spend() == pytest.approx(6.25 * 15.44 / 2.74, rel=2e-3)


@pytest.mark.parametrize("cohort, gamma, delta", [("regular", 0.704, 1.182), ("high_end", 0.668, 3.806)])
def test_sbg_matches_fader_hardie_2007(sbg_data, cohort, gamma, delta):
    # Fader & Hardie (2007), "How to project customer retention", Journal of Interactive Marketing
    # 21(1), 76-90, Section "Empirical analysis" (fit on years 0-7 of each cohort of 1,000):
    # regular gamma = 0.704, delta = 1.182; high end gamma = 0.668, delta = 3.806.
    res = btyd.ShiftedBetaGeometric(sbg_data[cohort].to_numpy()[:8]).fit()
    assert res.params.round(3).to_dict() == {"gamma": gamma, "delta": delta}
    # projection of years 8-12 within 5 % and better each year than the best constant-retention
    # (geometric) model, which under-projects: its MLE churn = lost / customer-years at risk
    surv = sbg_data[cohort].to_numpy().astype(float)
    proj = res.expected_survivors(np.arange(8, 13))
    actual = surv[8:]
    churn = (surv[0] - surv[7]) / surv[:7].sum()
    geometric = surv[0] * (1 - churn) ** np.arange(8, 13)
    assert np.all(np.abs(proj / actual - 1) < 0.05)
    assert np.all(geometric < actual) and np.all(np.abs(proj - actual) < np.abs(geometric - actual))


def test_sbg_likelihood_by_direct_sum(sbg_data):
    s = sbg_data["regular"].to_numpy()[:8].astype(float)
    g, d = 0.7, 1.2
    dist = stats.beta(g, d)
    # P(T = t) = E[theta (1 - theta)^(t-1)], S(t) = E[(1 - theta)^t], by quadrature of the beta mixture
    from scipy import integrate
    pt = [integrate.quad(lambda th, t=t: th * (1 - th) ** (t - 1) * dist.pdf(th), 0, 1)[0] for t in range(1, 8)]
    s7 = integrate.quad(lambda th: (1 - th) ** 7 * dist.pdf(th), 0, 1)[0]
    want = np.sum((s[:-1] - s[1:]) * np.log(pt)) + s[-1] * np.log(s7)
    assert btyd.ShiftedBetaGeometric(s).loglike(np.array([g, d])) == pytest.approx(want, rel=1e-7)


# ----------------------------------------------------------------------------- independent numerical checks
def gamma_grid(shape: float, rate: float, n: int = 600):
    """Nodes and weights with sum(w f(lam)) ~ E f(lam), lam ~ Gamma(shape, rate), by Gauss-Legendre.

    For shape < 1 the density's singularity at 0 is removed by the substitution v = lam**shape.
    """
    y, w = special.roots_legendre(n)
    if shape >= 1:
        top = 80.0 / rate
        lam = (y + 1) * top / 2
        return lam, w * top / 2 * stats.gamma.pdf(lam, shape, scale=1 / rate)
    top = (80.0 / rate) ** shape
    v = (y + 1) * top / 2
    lam = v ** (1 / shape)
    return lam, w * top / 2 * rate**shape * np.exp(-rate * lam) / special.gamma(shape + 1)


def beta_grid(a: float, b: float, n: int = 200):
    y, w = special.roots_jacobi(n, b - 1, a - 1)
    return (1 + y) / 2, w / w.sum()


CASES = [(0, 0.0, 38.86), (1, 1.0, 38.0), (2, 30.43, 38.86), (5, 20.0, 30.0), (12, 35.0, 36.0)]


def test_bgnbd_against_mixture_integrals(bg):
    r, alpha, a, b = bg.params
    lam, wl = gamma_grid(r, alpha)
    p, wp = beta_grid(a, b)
    L_, P_ = np.meshgrid(lam, p, indexing="ij")
    W = np.outer(wl, wp)
    t = 39.0
    for x, tx, T in CASES:
        alive = (1 - P_) ** x * L_**x * np.exp(-L_ * T)
        lik = alive + (x > 0) * P_ * (1 - P_) ** max(x - 1, 0) * L_**x * np.exp(-L_ * tx)
        total = (W * lik).sum()
        e_y = (W * alive * (1 - np.exp(-L_ * P_ * t)) / P_).sum() / total
        p_alive = (W * alive).sum() / total
        model = btyd.BetaGeo([x], [tx], [T])
        assert model.loglikeobs(bg.params.to_numpy())[0] == pytest.approx(np.log(total), abs=1e-9)
        assert bg.probability_alive(x, tx, T) == pytest.approx(p_alive, rel=1e-9)
        assert bg.expected_purchases(t, x, tx, T) == pytest.approx(e_y, rel=1e-8)
    e_x = (W * (1 - np.exp(-L_ * P_ * t)) / P_).sum()
    assert bg.expected_purchases_new(t) == pytest.approx(e_x, rel=1e-8)


def test_paretonbd_against_mixture_integrals(pnbd):
    r, alpha, s, beta = pnbd.params
    lam, wl = gamma_grid(r, alpha)
    mu, wm = gamma_grid(s, beta)
    L_, M_ = np.meshgrid(lam, mu, indexing="ij")
    W = np.outer(wl, wm)
    t = 39.0
    for x, tx, T in CASES:
        alive = L_**x * np.exp(-(L_ + M_) * T)
        lik = alive + L_**x * M_ / (L_ + M_) * (np.exp(-(L_ + M_) * tx) - np.exp(-(L_ + M_) * T))
        total = (W * lik).sum()
        e_y = (W * alive * L_ / M_ * (1 - np.exp(-M_ * t))).sum() / total
        model = btyd.ParetoNBD([x], [tx], [T])
        assert model.loglikeobs(pnbd.params.to_numpy())[0] == pytest.approx(np.log(total), abs=1e-7)
        assert pnbd.probability_alive(x, tx, T) == pytest.approx((W * alive).sum() / total, rel=1e-7)
        assert pnbd.expected_purchases(t, x, tx, T) == pytest.approx(e_y, rel=1e-6)
    e_x = (W * L_ / M_ * (1 - np.exp(-M_ * t))).sum()
    assert pnbd.expected_purchases_new(t) == pytest.approx(e_x, rel=1e-6)


def pnbd_loglik_by_death_time(params, x, tx, T):
    """Pareto/NBD log-likelihood integrating the gamma mixtures in closed form and the death time
    tau in (t_x, T] numerically (quad, integrand scaled by its value at t_x): no hypergeometric function."""
    r, alpha, s, beta = params
    from scipy import integrate

    def g(u):
        return -(r + x) * np.log(alpha + u) - (s + 1) * np.log(beta + u)

    h = 1.0 / ((r + x) / (alpha + tx) + (s + 1) / (beta + tx))
    pts = [p for p in tx + h * np.array([1.0, 5.0, 20.0, 100.0]) if p < T]
    dead = integrate.quad(lambda u: np.exp(g(u) - g(tx)), tx, T, epsabs=0, epsrel=1e-13, limit=500, points=pts)[0]
    c = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    l_alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    return c + np.logaddexp(l_alive, np.log(s) + g(tx) + np.log(dead))


@pytest.mark.parametrize("params", [[0.8, 12.0, 0.6, 5.0], [0.8, 5.0, 1.4, 12.0], [0.55, 10.6, 0.61, 11.7]])
def test_paretonbd_both_branches_of_the_hypergeometric(params):
    """alpha >= beta and alpha < beta use different 2F1 forms; each must equal the death-time integral."""
    for x, tx, T in CASES + [(40, 10.0, 39.0), (3, 38.99, 39.0)]:
        got = btyd.ParetoNBD([x], [tx], [T]).loglikeobs(np.array(params))[0]
        assert got == pytest.approx(pnbd_loglik_by_death_time(params, x, tx, T), abs=1e-10)


def test_paretonbd_huge_frequencies_do_not_overflow():
    """With beta > alpha the 2F1 carries r + x and leaves double range for x in the hundreds; the
    likelihood must stay finite and exact (here it switches to the death-time integral)."""
    params = [0.5, 2.0, 0.6, 30.0]
    x, tx, T = np.array([200.0, 1000.0, 3000.0]), np.array([38.0, 1.0, 2.0]), np.full(3, 39.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = btyd.ParetoNBD(x, tx, T).loglikeobs(np.array(params))
    want = [pnbd_loglik_by_death_time(params, *row) for row in zip(x, tx, T)]
    assert np.allclose(got, want, rtol=1e-10, atol=0)


def test_bgnbd_palive_is_one_without_repeat_purchases(bg):
    assert bg.probability_alive(0, 0.0, 50.0) == 1.0
    assert np.all(bg.probability_alive(np.zeros(3), np.zeros(3), np.array([1.0, 10.0, 100.0])) == 1.0)


def test_gammagamma_expected_spend_is_the_posterior_mean(gg):
    p, q, g = gg.params
    nu, wn = gamma_grid(q, g, n=800)  # nu ~ Gamma(q, rate gamma)
    for x, m in [(1, 10.0), (3, 35.0), (10, 20.0)]:
        # mean of x Gamma(p, nu) values is Gamma(p x, rate x nu)
        dens = stats.gamma.pdf(m, p * x, scale=1 / (x * nu))
        post_mean = (wn * dens * p / nu).sum() / (wn * dens).sum()
        assert gg.expected_spend(x, m) == pytest.approx(post_mean, rel=1e-7)
        loglik = btyd.GammaGamma([x], [m]).loglikeobs(gg.params.to_numpy())[0]
        assert loglik == pytest.approx(np.log((wn * dens).sum()), abs=1e-8)


def test_sbg_survival_and_retention(sbg_data):
    res = btyd.ShiftedBetaGeometric(sbg_data["regular"].to_numpy()[:8]).fit()
    g, d = res.params
    t = np.arange(0, 13)
    s = res.survival(t)
    assert s[0] == 1.0
    ret = res.retention(t[1:])
    assert np.allclose(np.cumprod(ret), s[1:], rtol=1e-12)
    assert np.all(np.diff(ret) > 0)  # retention rises with tenure (sorting effect)
    th = np.random.default_rng(7).beta(g, d, 400_000)
    assert s[5] == pytest.approx(np.mean((1 - th) ** 5), abs=3e-3)


# ----------------------------------------------------------------------------- properties
@settings(max_examples=50, deadline=None)
@given(x=st.integers(0, 60), frac=st.floats(1e-6, 1), T=st.floats(0.5, 200), t=st.floats(0, 200))
def test_bounds_and_monotonicity(bg, pnbd, x, frac, T, t):
    tx = 0.0 if x == 0 else frac * T  # recency > 0 with repeat purchases (recency 0 is refused)
    for res in (bg, pnbd):
        pa = res.probability_alive(x, tx, T)
        assert 0.0 <= pa <= 1.0
        e1 = res.expected_purchases(t, x, tx, T)
        e2 = res.expected_purchases(t + 1.0, x, tx, T)
        assert np.isfinite(e1) and 0.0 <= e1 <= e2
        # never more than an always-alive customer would buy: E[Y(t)] <= E[lambda | data] t
        r, alpha = res.params["r"], res.params["alpha"]
        assert e1 <= (r + x) / (alpha + tx) * t * (1 + 1e-9) + 1e-12


@settings(max_examples=50, deadline=None)
@given(x=st.integers(1, 50), m=st.floats(0.01, 1000))
def test_expected_spend_shrinks_towards_population_mean(gg, x, m):
    e = gg.expected_spend(x, m)
    lo, hi = sorted([m, gg.population_mean_spend()])
    assert lo - 1e-9 <= e <= hi + 1e-9


def test_vectorised_outputs_keep_the_index(cdnow, bg):
    e = bg.expected_purchases(39.0, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert isinstance(e, pd.Series) and e.index.equals(cdnow.index)
    assert np.all(np.isfinite(e)) and (e >= 0).all()
    assert isinstance(bg.expected_purchases_new(np.arange(5.0)), np.ndarray)


def test_extreme_frequencies_stay_finite(bg, pnbd):
    x = np.array([100.0, 300.0, 1000.0])
    for res in (bg, pnbd):
        e = res.expected_purchases(500.0, x, np.full(3, 30.0), np.full(3, 39.0))
        pa = res.probability_alive(x, np.full(3, 39.0), np.full(3, 39.0))
        assert np.all(np.isfinite(e)) and np.all(e >= 0)
        assert np.all(pa > 0.9)  # bought at the very end of a busy history: surely alive


def test_fit_does_not_depend_on_the_start(cdnow, pnbd):
    other = btyd.ParetoNBD(cdnow["frequency"], cdnow["recency"], cdnow["T"]).fit(start_params=[2.0, 30.0, 2.0, 30.0])
    assert np.allclose(other.params, pnbd.params, rtol=1e-5)
    assert other.llf == pytest.approx(pnbd.llf, abs=1e-6)


def test_summary_table(bg):
    text = str(bg.summary())
    assert "BetaGeo" in text and "Log-Likelihood" in text and "alpha" in text


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("f, tx, T, message", [
    ([1, -1], [1.0, 0.0], [5.0, 5.0], r"frequency\[1\] is negative"),
    ([1, 2], [1.0, 6.0], [5.0, 5.0], "recency > T at row 1"),
    ([1, 0], [1.0, 2.0], [5.0, 5.0], "frequency 0 with recency 2 at row 1"),
    ([1, np.nan], [1.0, 0.0], [5.0, 5.0], r"frequency\[1\] is NaN"),
    ([1, 1], [1.0, np.nan], [5.0, 5.0], r"recency\[1\] is NaN"),
    ([1, 1.5], [1.0, 1.0], [5.0, 5.0], "whole number"),
    ([1, 1], [1.0, 1.0], [5.0, -1.0], r"T\[1\] is negative"),
    ([1, 1], [1.0, 0.0], [5.0, 5.0], "frequency 1 with recency 0 at row 1"),
    ([1, 1], [1.0, 1.0], [5.0], "same length"),
])
@pytest.mark.parametrize("model", [btyd.BetaGeo, btyd.ParetoNBD])
def test_latent_models_reject_bad_input(model, f, tx, T, message):
    with pytest.raises(ValueError, match=message):
        model(f, tx, T)


def test_bad_input_names_the_series_label():
    f = pd.Series([1, 2], index=["ann", "bob"])
    with pytest.raises(ValueError, match="recency > T at row 'bob'"):
        btyd.BetaGeo(f, pd.Series([1.0, 9.0], index=f.index), pd.Series([5.0, 5.0], index=f.index))


def test_prediction_methods_reject_bad_input(bg, pnbd):
    for res in (bg, pnbd):
        with pytest.raises(ValueError, match="recency > T"):
            res.probability_alive(2, 10.0, 5.0)
        with pytest.raises(ValueError, match=r"t\[0\] is negative"):
            res.expected_purchases(-1.0, 2, 1.0, 5.0)
        with pytest.raises(ValueError, match="frequency 0 with recency 1 at row 0"):
            res.expected_purchases(1.0, 0, 1.0, 5.0)


@pytest.mark.parametrize("f, m, message", [
    ([1, 2], [10.0, 0.0], r"monetary_value\[1\] must be positive"),
    ([1, 2], [10.0, -3.0], r"monetary_value\[1\] must be positive"),
    ([1, 0], [10.0, 3.0], r"frequency\[1\] must be a positive whole number"),
    ([1, 2], [10.0, np.nan], r"monetary_value\[1\] is NaN"),
    ([1, 2], [10.0], "same length"),
])
def test_gammagamma_rejects_bad_input(f, m, message):
    with pytest.raises(ValueError, match=message):
        btyd.GammaGamma(f, m)


@pytest.mark.parametrize("survivors, message", [
    ([1000, 800, 850, 700], "survivors increase at period 2"),
    ([1000, 800, np.nan], r"survivors\[2\] is NaN"),
    ([0, 0, 0], "survivors\\[0\\] must be positive"),
    ([1000], "at least two values"),
    ([1000, -5], "survivors increase|negative"),
])
def test_sbg_rejects_bad_survivors(survivors, message):
    with pytest.raises(ValueError, match=message):
        btyd.ShiftedBetaGeometric(survivors)


def test_sbg_retention_needs_t_at_least_one(sbg_data):
    res = btyd.ShiftedBetaGeometric(sbg_data["high_end"].to_numpy()[:8]).fit()
    with pytest.raises(ValueError, match=r"t\[0\] must be >= 1"):
        res.retention([0])


def test_fit_rejects_bad_start_params(cdnow):
    model = btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    with pytest.raises(ValueError, match=r"start_params\['alpha'\] must be positive"):
        model.fit(start_params=[1.0, -1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="must have 4 values"):
        model.fit(start_params=[1.0, 1.0])
