"""Beyond the anchors (issue 27): MBG/NBD, P(X(t) = n), covariates, the L2 penalty and frequency weights.

Each feature is checked three ways: against lifetimes 0.11.3 at equal data
(``tests/data/lifetimes_0_11_3.json``, written by ``bench/lifetimes_reference.py`` in lifetimes'
own environment — lifetimes is never a dependency), by simulation (known parameters recovered
within their standard errors), and against the model without the feature (covariate effects 0,
penalty 0, unit weights: the plain model exactly).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from crmlib.clv import btyd

REF = json.loads((Path(__file__).parent / "data" / "lifetimes_0_11_3.json").read_text())
CLASSES = {"bgnbd": btyd.BetaGeo, "mbgnbd": btyd.ModifiedBetaGeo, "pareto": btyd.ParetoNBD}
HISTORIES = REF["histories"]
HX, HTX, HT = (np.array([h[i] for h in HISTORIES], dtype=float) for i in range(3))


def _silent_fit(model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return model.fit()


@pytest.fixture(scope="module")
def data(cdnow):
    return tuple(cdnow[c].to_numpy(float) for c in ("frequency", "recency", "T"))


@pytest.fixture(scope="module")
def fits(data):
    return {m: _silent_fit(cls(*data, period="W")) for m, cls in CLASSES.items()}


def _rel(res, want: dict) -> float:
    return max(abs(float(res.params[k]) / v - 1.0) for k, v in want.items())


# ----------------------------------------------------------------------------- against lifetimes
@pytest.mark.parametrize("model", list(CLASSES))
def test_estimates_equal_lifetimes_run_to_convergence(fits, model):
    # lifetimes' tight runs stop within its tolerance of the maximum; crmlib's gradient rule is tighter
    assert _rel(fits[model], REF["fits"][model]["params"]) <= 1e-6


@pytest.mark.parametrize("model", list(CLASSES))
def test_predictions_equal_lifetimes_at_its_estimates(fits, model):
    e = REF["fits"][model]
    lt = fits[model]._with_params(np.array([e["params"][k] for k in fits[model].params.index]))
    np.testing.assert_allclose(lt.probability_alive(HX, HTX, HT), e["p_alive"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(lt.expected_purchases(52.0, HX, HTX, HT), e["expected_52"], rtol=1e-11)
    for t, v in e["expected_new"].items():
        assert lt.expected_purchases_new(float(t)) == pytest.approx(v, rel=1e-11)
    if "pmf_new" in e:   # BG/NBD (FHL 2005 eq. 8) and MBG/NBD
        got = lt.probability_of_purchases(np.arange(8), 39.0)
        np.testing.assert_allclose(got, [e["pmf_new"][str(n)] for n in range(8)], rtol=1e-11, atol=1e-15)
    else:                # Pareto/NBD given a history (F&H note 028, lifetimes' closed form)
        for key, v in e["pmf_given"].items():
            n, i = (int(k) for k in key.split("|"))
            assert lt.probability_of_purchases(n, 26.0, *HISTORIES[i]) == pytest.approx(v, rel=1e-11, abs=1e-14)


@pytest.mark.parametrize("model", list(CLASSES))
def test_penalised_fit_equals_lifetimes_penalizer_coef(data, model):
    e = REF["fits"][model]["penalized"]
    # lifetimes' Pareto/NBD adds its penalty to the total (not the mean) negative log-likelihood
    coef = e["penalizer_coef"] / (data[0].size if model == "pareto" else 1)
    res = _silent_fit(CLASSES[model](*data, penalizer_coef=coef))
    assert _rel(res, e["params"]) <= 1e-6
    assert res.llf == pytest.approx(res.model.loglike(res.params.to_numpy()))  # llf without the penalty
    assert res.mle_settings["penalizer_coef"] == coef


@pytest.mark.parametrize("model", list(CLASSES))
def test_weighted_fit_equals_lifetimes_weights(data, model):
    e = REF["fits"][model]["weighted"]
    w = np.random.default_rng(27).integers(0, 4, 500).astype(float)   # as bench/lifetimes_reference.py
    res = _silent_fit(CLASSES[model](*(v[:500] for v in data), weights=w))
    assert _rel(res, e["params"]) <= 1e-6
    assert res.nobs == w.sum()


# ----------------------------------------------------------------------------- against the model without the feature
@pytest.mark.parametrize("model", list(CLASSES))
def test_penalty_zero_unit_weights_and_repeated_rows_are_the_plain_fit(data, fits, model):
    cls = CLASSES[model]
    plain = fits[model]
    for other in (cls(*data, period="W", penalizer_coef=0.0), cls(*data, period="W", weights=np.ones(data[0].size))):
        res = _silent_fit(other)
        np.testing.assert_allclose(res.params, plain.params, rtol=1e-12)
        np.testing.assert_allclose(res.bse, plain.bse, rtol=1e-6)
        assert res.llf == pytest.approx(plain.llf, rel=1e-13)
    # integer weights are repeated rows: same likelihood, score and estimates
    x, tx, T = (v[:400] for v in data)
    w = np.random.default_rng(3).integers(0, 4, 400).astype(float)
    rep = np.repeat(np.arange(400), w.astype(int))
    a, b = cls(x, tx, T, weights=w), cls(x[rep], tx[rep], T[rep])
    p = plain.params.to_numpy()
    assert a.loglike(p) == pytest.approx(b.loglike(p), rel=1e-12)
    np.testing.assert_allclose(a._score(p), b._score(p), rtol=1e-9, atol=1e-9 * abs(b.loglike(p)))
    np.testing.assert_allclose(_silent_fit(a).params, _silent_fit(b).params, rtol=1e-7)


def test_a_larger_penalty_shrinks_the_estimates(data):
    sizes = [np.sum((btyd.BetaGeo(*data, penalizer_coef=c).fit().params.to_numpy()
                     * np.array([1, 1 / data[2].max(), 1, 1])) ** 2) for c in (0.0, 0.01, 0.1)]
    assert sizes[0] > sizes[1] > sizes[2]


@pytest.fixture(scope="module")
def with_covariate(cdnow):
    z = pd.DataFrame({"z": np.random.default_rng(11).normal(size=len(cdnow))}, index=cdnow.index)
    return z


@pytest.mark.parametrize("model", list(CLASSES))
def test_covariate_effects_of_zero_are_the_plain_model(cdnow, fits, with_covariate, model):
    cls = CLASSES[model]
    m = cls(cdnow["frequency"], cdnow["recency"], cdnow["T"], covariates=with_covariate, purchase="z", dropout="z")
    assert m.param_names[4:] == ("purchase:z", "dropout:z") and m.has_covariates
    plain = fits[model]
    p = np.r_[plain.params.to_numpy(), 0.0, 0.0]
    assert m.loglike(p) == pytest.approx(plain.llf, rel=1e-12)
    np.testing.assert_allclose(m._score(p)[:4], plain.model._score(plain.params.to_numpy()), rtol=1e-7, atol=1e-6)
    moved = _results_at(m, p)  # the covariate model's results at gamma = 0
    args = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    np.testing.assert_allclose(moved.probability_alive(*args), plain.probability_alive(*args), rtol=1e-12)
    np.testing.assert_allclose(moved.expected_purchases(20.0, *args), plain.expected_purchases(20.0, *args),
                               rtol=1e-11)
    np.testing.assert_allclose(moved.probability_of_purchases(3, 20.0, *args),
                               plain.probability_of_purchases(3, 20.0, *args), rtol=1e-11, atol=1e-15)


def _results_at(model, params):
    """A results object of ``model`` at ``params`` (its fit, then the parameters replaced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(maxiter=1)
    return res._with_params(params)


# ----------------------------------------------------------------------------- by simulation
def _simulate(cls, base, gp, gd, n, seed):
    rng = np.random.default_rng(seed)
    z = pd.DataFrame({"z1": rng.normal(size=n), "z2": (rng.random(n) < 0.4).astype(float)},
                     index=pd.Index([f"c{i}" for i in range(n)], name="customer"))
    T = rng.uniform(30, 80, n)
    ai = base[1] * np.exp(-(z.to_numpy() @ gp))
    di = base[3] * np.exp(-(z.to_numpy() @ gd))
    if cls is btyd.ParetoNBD:
        d = btyd._draw_pnbd(rng, (base[0], ai, base[2], di), T)
    else:
        d = btyd._draw_bgnbd(rng, (base[0], ai, base[2], di), T, cls._shift)
    d.index = z.index
    return d, z


@pytest.mark.parametrize("cls, base, n", [
    (btyd.BetaGeo, (0.24, 4.4, 0.79, 2.43), 4000),
    (btyd.ModifiedBetaGeo, (0.52, 6.18, 0.89, 1.61), 4000),
    (btyd.ParetoNBD, (0.55, 10.58, 0.61, 11.67), 2500),
])
def test_covariate_effects_are_recovered_within_their_standard_errors(cls, base, n):
    gp, gd = np.array([0.4, -0.3]), np.array([-0.5, 0.6])
    d, z = _simulate(cls, base, gp, gd, n, seed=5)
    res = _silent_fit(cls(d["frequency"], d["recency"], d["T"], covariates=z, purchase=["z1", "z2"],
                          dropout=["z1", "z2"]))
    truth = pd.Series(np.r_[base, gp, gd], index=res.params.index)
    ci = res.conf_int(alpha=0.001)
    assert ((ci["lower"] < truth) & (truth < ci["upper"])).all(), pd.DataFrame({"est": res.params, "se": res.bse,
                                                                                 "truth": truth})
    assert res.converged and (res.bse > 0).all()


@pytest.mark.parametrize("sim, cls, truth", [
    (btyd.simulate_mbgnbd, btyd.ModifiedBetaGeo, {"r": 0.52, "alpha": 6.18, "a": 0.89, "b": 1.61}),
])
def test_mbgnbd_fit_recovers_simulated_parameters(sim, cls, truth):
    d = sim(4000, **truth, seed=5)
    res = _silent_fit(cls(d["frequency"], d["recency"], d["T"]))
    ci = res.conf_int(alpha=0.001)
    assert ((ci["lower"] < pd.Series(truth)) & (pd.Series(truth) < ci["upper"])).all(), res.params
    # MBG/NBD customers can be gone right after the first purchase: P(alive) < 1 without repeat purchases
    assert 0 < res.probability_alive(0, 0.0, 40.0) < 1


# ----------------------------------------------------------------------------- P(X(t) = n)
@pytest.mark.parametrize("model", list(CLASSES))
def test_purchase_distribution_sums_to_one_and_has_the_expected_mean(fits, model):
    res = fits[model]
    n = np.arange(0, 3000)  # the NBD's tail decays like (t/(alpha+t))^n: negligible by n = 3000
    for t in (1.0, 39.0, 150.0):
        pmf = res.probability_of_purchases(n, t)
        assert np.all(pmf >= 0) and pmf.sum() == pytest.approx(1.0, abs=1e-10)
        assert (n * pmf).sum() == pytest.approx(res.expected_purchases_new(t), rel=1e-8)
    for h in HISTORIES:
        pmf = res.probability_of_purchases(n, 52.0, *h)
        assert pmf.sum() == pytest.approx(1.0, abs=1e-10)
        assert (n * pmf).sum() == pytest.approx(res.expected_purchases(52.0, *h), rel=1e-8)


def test_pareto_pmf_equals_numerical_integration_over_the_death_time(fits):
    """P(X(t) = n) of a new customer: the alive part plus ∫_0^t NBD(n; τ) f(τ) dτ by scipy's adaptive quad."""
    r, alpha, s, beta = fits["pareto"].params.to_numpy()

    def nbd(n, t):
        return stats.nbinom.pmf(n, r, alpha / (alpha + t))

    for n, t in ((0, 10.0), (1, 39.0), (4, 39.0), (25, 300.0)):
        dead = integrate.quad(lambda tau: nbd(n, tau) * s * beta ** s / (beta + tau) ** (s + 1), 0, t,
                              epsabs=1e-14, epsrel=1e-12, limit=200)[0]
        want = nbd(n, t) * (beta / (beta + t)) ** s + dead
        assert fits["pareto"].probability_of_purchases(n, t) == pytest.approx(want, rel=1e-9, abs=1e-15)


def test_purchase_distribution_matches_a_simulation(fits):
    """The BG/NBD's P(X(t) = n) against the share of simulated customers with n purchases in (0, 39]."""
    res = fits["bgnbd"]
    d = btyd.simulate_bgnbd(200_000, **res.params.to_dict(), T=39.0, seed=3)
    share = np.bincount(np.minimum(d["frequency"].to_numpy().astype(int), 6), minlength=7) / len(d)
    pmf = res.probability_of_purchases(np.arange(6), 39.0)
    want = np.r_[pmf, 1 - pmf.sum()]
    assert np.all(np.abs(share - want) <= 4 * np.sqrt(want * (1 - want) / len(d)))


def test_purchase_distribution_refuses_bad_input(fits):
    res = fits["bgnbd"]
    with pytest.raises(ValueError, match=r"n\[1\] is not a whole number"):
        res.probability_of_purchases([0, 1.5], 10.0)
    with pytest.raises(ValueError, match=r"n\[0\] is negative"):
        res.probability_of_purchases([-1], 10.0)
    with pytest.raises(ValueError, match="together"):
        res.probability_of_purchases(1, 10.0, frequency=2)


# ----------------------------------------------------------------------------- bad inputs of the new arguments
def test_weights_covariates_and_penalty_are_checked(cdnow, with_covariate):
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    with pytest.raises(ValueError, match=r"weights\[2\] is not a whole number \(1.5\)"):
        btyd.BetaGeo(f[:3], r[:3], T[:3], weights=[1, 1.5, 2])
    with pytest.raises(ValueError, match=r"weights\[2\] is negative \(-1.0\)"):
        btyd.ParetoNBD(f[:3].to_numpy(), r[:3].to_numpy(), T[:3].to_numpy(), weights=[1, 1, -1])
    with pytest.raises(ValueError, match="weights are all 0"):
        btyd.BetaGeo(f[:3].to_numpy(), r[:3].to_numpy(), T[:3].to_numpy(), weights=[0, 0, 0])
    with pytest.raises(ValueError, match="one value per row"):
        btyd.BetaGeo(f[:3].to_numpy(), r[:3].to_numpy(), T[:3].to_numpy(), weights=[1, 1])
    shifted = with_covariate.set_axis(with_covariate.index + 100000)
    with pytest.raises(ValueError, match="different indexes"):
        btyd.BetaGeo(f, r, T, covariates=shifted, purchase="z")
    with pytest.raises(ValueError, match="purchase names column 'w', which covariates lacks"):
        btyd.BetaGeo(f, r, T, covariates=with_covariate, purchase="w")
    with pytest.raises(ValueError, match="neither purchase nor dropout"):
        btyd.BetaGeo(f, r, T, covariates=with_covariate)
    with pytest.raises(ValueError, match="covariates column 'c' is constant"):
        btyd.ParetoNBD(f, r, T, covariates=with_covariate.assign(c=1.0), dropout=["z", "c"])
    with pytest.raises(ValueError, match="names column 'z' twice"):
        btyd.BetaGeo(f, r, T, covariates=with_covariate, purchase=["z", "z"])
    with pytest.raises(ValueError, match="covariates is None"):
        btyd.BetaGeo(f, r, T, dropout="z")
    with pytest.raises(TypeError, match="covariates must be a DataFrame"):
        btyd.BetaGeo(f, r, T, covariates=with_covariate["z"], purchase="z")
    with pytest.raises(ValueError, match=r"covariates column 'z'\[1\] is NaN"):
        btyd.BetaGeo(f, r, T, covariates=with_covariate.assign(z=np.r_[np.nan, with_covariate["z"][1:]]), purchase="z")
    with pytest.raises(ValueError, match="penalizer_coef"):
        btyd.BetaGeo(f, r, T, penalizer_coef=-0.1)


def test_covariates_are_paired_by_label_and_required_by_the_predictions(cdnow, with_covariate):
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    m = btyd.BetaGeo(f, r, T, covariates=with_covariate.iloc[::-1], purchase="z")  # reordered: paired by label
    np.testing.assert_array_equal(m._zp[:, 0], with_covariate["z"].to_numpy())
    res = _silent_fit(m)
    own = res.probability_alive(f, r, T)                        # the fitted customers' own covariates, by label
    given = res.probability_alive(f, r, T, with_covariate)
    np.testing.assert_allclose(own, given, rtol=1e-15)
    assert res.probability_alive(2, 20.0, 39.0, {"z": 0.5}) == pytest.approx(
        float(res.probability_alive(f[:1] * 0 + 2, r[:1] * 0 + 20.0, T[:1] * 0 + 39.0, pd.DataFrame(
            {"z": [0.5]}, index=f.index[:1])).iloc[0]))
    with pytest.raises(ValueError, match="this fit has covariates"):
        res.probability_alive(2, 20.0, 39.0)
    with pytest.raises(ValueError, match="covariates lacks 'z'"):
        res.expected_purchases(10, 2, 20.0, 39.0, {"w": 1.0})
    with pytest.raises(ValueError, match="not among the fitted customers"):
        res.probability_alive(pd.Series([2.0], index=["nobody"]), 20.0, 39.0)
    with pytest.raises(ValueError, match="this fit has no covariates"):
        _silent_fit(btyd.BetaGeo(f, r, T)).probability_alive(2, 20.0, 39.0, {"z": 1.0})
    # a positive purchase coefficient means more purchases for a larger covariate
    hi, lo = (res.expected_purchases(52, 2, 20.0, 39.0, {"z": v}) for v in (1.0, -1.0))
    assert (hi > lo) == (res.params["purchase:z"] > 0)


def test_holdout_by_frequency_takes_any_fit_covariates_included(cdnow, fits, with_covariate):
    """The calibration-vs-holdout table for MBG/NBD and a covariate fit (covariates looked up by label)."""
    cov = _silent_fit(btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"], period="W",
                                   covariates=with_covariate, purchase="z"))
    table = btyd.holdout_by_frequency(cdnow, {"mbgnbd": fits["mbgnbd"], "cov": cov})
    want = cov.expected_purchases(cdnow["duration_holdout"], cdnow["frequency"], cdnow["recency"], cdnow["T"],
                                  with_covariate)
    assert table.loc["0", "cov"] == pytest.approx(want[cdnow["frequency"] == 0].mean(), rel=1e-12)
    assert (table[["mbgnbd", "cov"]] > 0).all().all()
