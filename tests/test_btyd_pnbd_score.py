"""The Pareto/NBD's exact likelihood and score (crmlib.clv._pnbd) and the fit built on them.

References:
* mpmath at 40 digits: Fader & Hardie's closed form with ``mpmath.hyp2f1`` (no cancellation at
  that precision), its derivatives by ``mpmath.diff``, at hand-picked hard rows — both orderings of
  alpha and beta, x = 0, t_x = T, hundreds of purchases (where the textbook 2F1 overflows), z -> 1,
  alpha = beta, tiny and large s, T = 0;
* the per-row path against the one-pass plan (two independent codes) and centred differences;
* repeated rows against frequency weights.

Tolerances: a row's log-likelihood within 1e-13 · max(1, |ll|) of mpmath (a row's ll can be a small
difference of O(1) terms where only absolute accuracy means anything), its gradient within
1e-10 · max(|g|, 1e-2).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import special

from crmlib import datasets
from crmlib.clv import _pnbd, btyd

mp = pytest.importorskip("mpmath")

# (params, x, t_x, T)
HARD = [
    ([0.553, 10.578, 0.606, 11.669], 0, 0.0, 38.86),
    ([0.553, 10.578, 0.606, 11.669], 2, 30.43, 38.86),
    ([0.553, 10.578, 0.606, 11.669], 5, 38.86, 38.86),
    ([0.8, 12.0, 0.6, 5.0], 3, 38.99, 39.0),
    ([0.5, 2.0, 0.6, 30.0], 200, 38.0, 39.0),
    ([0.5, 2.0, 0.6, 30.0], 3000, 2.0, 39.0),
    ([0.5, 30.0, 0.6, 0.01], 1, 0.05, 39.0),
    ([0.5, 30.0, 0.6, 0.01], 500, 0.5, 39.0),
    ([0.5, 0.01, 0.6, 30.0], 7, 0.001, 50.0),
    ([2.0, 5.0, 0.3, 5.0], 4, 20.0, 40.0),
    ([2.0, 5.0 + 1e-9, 0.3, 5.0], 4, 20.0, 40.0),
    ([0.01, 3.0, 5.0, 0.5], 0, 0.0, 100.0),
    ([0.24, 4.4, 20.0, 1.0], 12, 1.5, 2000.0),
    ([1.5, 0.5, 0.7, 2.0], 0, 0.0, 0.0),
    ([0.3, 50.0, 2.0, 0.001], 300, 0.9, 1.0),
    ([0.5, 2.0, 0.6, 30.0], 3, 5.0, 39.0),      # z(t_x) = 0.8
    ([0.5, 30.0, 0.6, 3.0], 50, 2.0, 20.0),     # z(t_x) = 0.84, e = r + x large
]


def _mp_loglike(r, alpha, s, beta, x, tx, T):
    """log L by Fader & Hardie (2005 note, eqs. 22-23) in mpmath arithmetic."""
    c = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(alpha) + s * mp.log(beta)
    a = r + s + x
    m, bb = (alpha, s + 1) if alpha >= beta else (beta, r + x)
    d = abs(alpha - beta)

    def J(t):
        return mp.hyp2f1(a, bb, a + 1, d / (m + t)) / (m + t) ** a / a

    alive = (alpha + T) ** (-(r + x)) * (beta + T) ** (-s)
    return c + mp.log(alive + (s * (J(tx) - J(T)) if tx < T else 0))


def _mp_reference(params, x, tx, T):
    with mp.workdps(40):
        p = [mp.mpf(v) for v in params]
        args = [mp.mpf(v) for v in (x, tx, T)]
        ll = _mp_loglike(*p, *args)
        grad = []
        for i in range(4):
            def f(v, i=i):
                q = list(p)
                q[i] = v
                return _mp_loglike(*q, *args)
            grad.append(float(mp.diff(f, p[i])))
        return float(ll), np.array(grad)


@pytest.mark.parametrize("case", HARD, ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in HARD])
def test_row_loglike_and_gradient_match_mpmath(case):
    params, x, tx, T = case
    want_ll, want_g = _mp_reference(params, x, tx, T)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ll, g, alive = _pnbd.rows(*params, np.array([x], float), np.array([tx], float), np.array([T], float))
        plan_ll, plan_g = _pnbd.Plan(np.array([x, x], float), np.array([tx, tx], float),
                                     np.array([T, T], float)).evaluate(params)
    assert abs(ll[0] - want_ll) <= 1e-13 * max(1.0, abs(want_ll))
    assert np.all(np.abs(g[0] - want_g) <= 1e-10 * np.maximum(np.abs(want_g), 1e-2)), (g[0], want_g)
    assert abs(plan_ll / 2 - want_ll) <= 1e-13 * max(1.0, abs(want_ll))
    assert np.all(np.abs(plan_g / 2 - want_g) <= 1e-10 * np.maximum(np.abs(want_g), 1e-2))
    assert 0.0 <= alive[0] <= 1.0


@pytest.mark.parametrize("e, q, M, N, t", [
    (0.5, 1.6, 20.5, 10.5, 0.0),        # series, z = 0.49
    (1.6, 0.5, 11.0, 5.5 - 1e-9, 0.0),  # just above 1/2: quadrature
    (0.5, 1.6, 30.0, 0.01, 0.0),        # z = 0.99967
    (1000.5, 1.6, 30.0, 2.0, 1.0),      # e huge
    (1.6, 0.5, 20.0, 20.0 - 1e-12, 5.0),  # z ~ 0
])
def test_h_and_its_derivatives_match_mpmath(e, q, M, N, t):
    got = _pnbd._direct(e, q, M, N, t)[0]
    with mp.workdps(40):
        z = (mp.mpf(M) - mp.mpf(N)) / (mp.mpf(M) + mp.mpf(t))
        ee, cc = mp.mpf(e), mp.mpf(e) + mp.mpf(q)
        want = np.array([float(v) for v in (mp.hyp2f1(1, ee, cc, z), mp.diff(lambda u: mp.hyp2f1(1, u, cc, z), ee),
                                            mp.diff(lambda u: mp.hyp2f1(1, ee, u, z), cc),
                                            mp.diff(lambda u: mp.hyp2f1(1, ee, cc, u), z))])
    assert np.all(np.abs(got - want) <= 1e-13 * np.maximum(np.abs(want), 1e-3)), (got, want)


# ----------------------------------------------------------------------------- totals, interpolation, weights
PARAMS = [[0.553, 10.578, 0.606, 11.669], [0.51, 10.5, 0.70, 20.5], [0.8, 12.0, 0.6, 5.0],
          [0.5, 0.05, 0.6, 30.0], [0.5, 30.0, 0.6, 0.01], [0.1, 100.0, 0.1, 1000.0]]


@pytest.fixture(scope="module")
def sim():
    d = btyd.simulate_bgnbd(10_000, seed=20241201)
    return tuple(d[c].to_numpy(float) for c in ("frequency", "recency", "T"))


@pytest.mark.parametrize("params", PARAMS)
def test_one_pass_plan_equals_the_row_sums_and_interpolation_equals_direct(sim, params):
    fast, direct = _pnbd.Plan(*sim), _pnbd.Plan(*sim, interpolate=False)
    ll, g = fast.evaluate(params)
    d_ll, d_g = direct.evaluate(params)
    rows_ll, rows_g, _ = _pnbd.rows(*params, *sim)
    scale = np.abs(rows_g).sum(axis=0)
    assert abs(ll - rows_ll.sum()) <= 1e-13 * abs(ll)
    assert np.all(np.abs(g - rows_g.sum(axis=0)) <= 1e-12 * scale)
    assert abs(ll - d_ll) <= 1e-13 * abs(ll) and np.all(np.abs(g - d_g) <= 1e-12 * scale)
    assert direct.stats["cheb_groups"] == 0 and fast.stats["cheb_groups"] > 0


@pytest.mark.parametrize("params", PARAMS[:3])
def test_score_is_the_derivative_of_the_loglike(cdnow, params):
    plan = _pnbd.Plan(*(cdnow[c].to_numpy(float) for c in ("frequency", "recency", "T")))
    p = np.array(params)
    g = plan.evaluate(p)[1]
    for i in range(4):
        up, dn = p.copy(), p.copy()
        up[i] *= np.exp(1e-5)
        dn[i] *= np.exp(-1e-5)
        fd = (plan.evaluate(up)[0] - plan.evaluate(dn)[0]) / 2e-5
        assert fd == pytest.approx(g[i] * p[i], rel=2e-6, abs=1e-3)


def test_weights_are_repeated_rows(cdnow):
    x, tx, T = (cdnow[c].to_numpy(float)[:300] for c in ("frequency", "recency", "T"))
    w = np.random.default_rng(7).integers(0, 5, 300).astype(float)
    rep = np.repeat(np.arange(300), w.astype(int))
    for params in PARAMS[:3]:
        a = _pnbd.Plan(x, tx, T, w).evaluate(params)
        b = _pnbd.Plan(x[rep], tx[rep], T[rep]).evaluate(params)
        assert a[0] == pytest.approx(b[0], rel=1e-13)
        np.testing.assert_allclose(a[1], b[1], rtol=1e-11, atol=1e-12 * abs(b[0]))


def test_no_death_term_when_the_last_purchase_is_at_T():
    r, a, s, b = params = [0.6, 9.0, 0.7, 14.0]
    x, T = 4.0, 30.0
    ll, g, alive = _pnbd.rows(*params, np.array([x]), np.array([T]), np.array([T]))
    want = special.gammaln(r + x) - special.gammaln(r) + r * np.log(a) + s * np.log(b) - (r + x) * np.log(a + T) \
        - s * np.log(b + T)
    assert ll[0] == pytest.approx(want, rel=1e-14) and alive[0] == 1.0
    dg = special.digamma
    np.testing.assert_allclose(g[0], [dg(r + x) - dg(r) + np.log(a) - np.log(a + T), r / a - (r + x) / (a + T),
                                      np.log(b) - np.log(b + T), s / b - s / (b + T)], rtol=1e-13, atol=1e-15)


def test_the_branch_switch_at_alpha_equal_beta_is_smooth():
    x, tx, T = np.array([0.0, 3.0, 10.0]), np.array([0.0, 5.0, 30.0]), np.array([40.0, 40.0, 40.0])
    base = np.array([0.7, 8.0, 0.9, 8.0])
    at = _pnbd.Plan(x, tx, T).evaluate(base)
    for eps in (1e-9, -1e-9):
        p = base * np.array([1, 1, 1, 1 + eps])
        near = _pnbd.Plan(x, tx, T).evaluate(p)
        assert near[0] == pytest.approx(at[0], rel=1e-8)
        np.testing.assert_allclose(near[1], at[1], rtol=1e-6)


# ----------------------------------------------------------------------------- the fit
def test_fit_is_the_exact_maximum_on_weakly_identified_data():
    """Rates far apart (most points with z > 1/2, the quadrature path) and beta barely identified:
    two exact Newton steps from the fit move nothing beyond 1e-9."""
    d = btyd.simulate_pareto_nbd(10_000, r=0.3, alpha=2.0, s=0.3, beta=100.0, seed=5)
    m = btyd.ParetoNBD(d["frequency"], d["recency"], d["T"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = m.fit()
    th = np.log(res.params.to_numpy())
    for _ in range(2):
        th = th - np.linalg.solve(m._hess_log(th), m._score_log(th))
    np.testing.assert_allclose(res.params.to_numpy(), np.exp(th), rtol=1e-9)


def test_fit_reproduces_the_published_cdnow_estimates_in_few_iterations(cdnow):
    res = btyd.ParetoNBD(cdnow["frequency"], cdnow["recency"], cdnow["T"]).fit()
    pub = {n: datasets.published("pnbd", "cdnow_sample", n).value for n in ("r", "alpha", "s", "beta")}
    assert res.params.round(3).to_dict() == pub
    # the saddle-free first inverse Hessian: BFGS + Newton in a few dozen steps (identity start: ~40 BFGS steps)
    assert res.mle_retvals["iterations"] <= 30
