"""The seeded BTYD simulators (crmlib.clv.btyd.simulate_*) and the scaling benchmark's bookkeeping."""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import scaling  # noqa: E402
from bench.compare import Target  # noqa: E402
from crmlib.clv import btyd  # noqa: E402


def test_bgnbd_simulator_is_seeded_and_continuous():
    a = btyd.simulate_bgnbd(5000, seed=7)
    b = btyd.simulate_bgnbd(5000, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(btyd.simulate_bgnbd(5000, seed=8))
    assert list(a.columns) == ["frequency", "recency", "T"]
    assert a["T"].between(30, 80).all() and a["T"].nunique() == 5000
    assert (a["recency"] <= a["T"]).all()
    assert ((a["frequency"] == 0) == (a["recency"] == 0)).all()
    assert (a["frequency"] == np.round(a["frequency"])).all()


@pytest.mark.parametrize("sim, model, truth", [
    (btyd.simulate_bgnbd, btyd.BetaGeo, {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.43}),
    (btyd.simulate_pareto_nbd, btyd.ParetoNBD, {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}),
])
def test_fits_recover_the_simulated_parameters(sim, model, truth):
    d = sim(4000, **truth, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = model(d["frequency"], d["recency"], d["T"]).fit()
    ci = res.conf_int(alpha=0.001)
    assert ((ci["lower"] < pd.Series(truth)) & (pd.Series(truth) < ci["upper"])).all(), res.params


def test_large_fit_from_the_subsample_start_is_the_full_maximum():
    """Above 50,000 rows the fit starts from a subsample's estimates; it must still end at the maximum."""
    d = btyd.simulate_bgnbd(60_000, seed=2)
    m = btyd.BetaGeo(d["frequency"], d["recency"], d["T"])
    assert m._warm_start() is not None and not m._compressed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warm = m.fit()
        cold = m.fit(start_params=[1.0, 5.0, 1.0, 3.0])
    assert warm.converged and cold.converged
    assert np.allclose(warm.params, cold.params, rtol=1e-7)
    assert warm.llf == pytest.approx(cold.llf, abs=1e-6)


def test_one_pass_score_equals_the_row_formulas():
    d = btyd.simulate_bgnbd(3000, seed=4)
    m = btyd.BetaGeo(d["frequency"], d["recency"], d["T"])
    p = np.array([0.3, 5.0, 0.7, 2.0])
    ll, g = m._loglike_and_score(p)
    x, tx, T = (d[c].to_numpy() for c in ("frequency", "recency", "T"))
    assert ll == pytest.approx(np.sum(btyd._bgnbd_loglikeobs(p, x, tx, T)), rel=1e-12)
    assert np.allclose(g, btyd._bgnbd_score_rows(p, x, tx, T).sum(axis=0), rtol=1e-10)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (2.5, TypeError), (-3, ValueError)])
def test_simulators_reject_bad_sizes(bad, error):
    with pytest.raises(error, match="n must be"):
        btyd.simulate_bgnbd(bad)


def test_simulators_reject_bad_parameters():
    with pytest.raises(ValueError, match="alpha must be > 0"):
        btyd.simulate_bgnbd(10, alpha=0.0)
    with pytest.raises(ValueError, match=r"T\[1\] must be >= 30"):
        btyd.simulate_pareto_nbd(10, T=(30.0, 20.0))


def test_scaling_data_and_targets(tmp_path):
    folder = scaling.make_data(500, tmp_path / "d")
    d = scaling.load(folder)
    assert d["frequency"].size == 500
    assert np.array_equal(d["T"], btyd.simulate_bgnbd(500, **scaling.TRUE, T=scaling.T_RANGE, seed=scaling.SEED)["T"])
    assert scaling.rel_diff({"a": 1.0, "b": 2.0 * (1 + 3e-7)}, {"a": 1.0, "b": 2.0}) == (pytest.approx(3e-7), "b")
    res = {"sizes": [10, 100], "repeat": 1, "cap_seconds": 600, "runs": {
        "bgnbd-100": {"label": "BG/NBD", "n": 100, "errors": {}, "speedup": 4.0, "max_rel_diff": 1e-9, "worst": "a",
                      "crmlib": {"seconds": 1.0, "peak_rss_mb": 10, "call_rss_mb": 2},
                      "lifetimes": {"seconds": 4.0, "peak_rss_mb": 12, "call_rss_mb": 3},
                      "lifetimes_converged": {"params": {}}},
        "pareto-100": {"label": "Pareto/NBD", "n": 100, "errors": {"lifetimes": "timed out after 600 s: x"},
                       "crmlib": {"seconds": 50.0, "peak_rss_mb": 10, "call_rss_mb": 2}},
    }}
    ts, wrong = scaling.targets(res, Target)
    names = {t.name: t.met for t in ts}
    assert names == {"BG/NBD 100 customers: speed-up vs lifetimes": True,
                     "BG/NBD 100 customers: largest relative parameter difference": True,
                     "BG/NBD 100 customers: fit's peak memory crmlib - lifetimes": True}
    assert wrong == []
    text = "\n".join(scaling.table_rows(res))
    assert "not finished in 600 s" in text and "4.0×" in text


def test_scaling_targets_per_model_and_the_pareto_to_bgnbd_ratio():
    """Pareto/NBD must be 5x lifetimes where lifetimes runs, and at most 20x crmlib's BG/NBD where it does not."""
    assert scaling.SPEEDUP == {"bgnbd": 3.0, "pareto": 5.0, "mbgnbd": 3.0}
    run = {"seconds": 1.0, "peak_rss_mb": 10, "call_rss_mb": 2}
    res = {"sizes": [10_000, 1_000_000], "repeat": 1, "cap_seconds": 600, "runs": {
        "pareto-10000": {"label": "Pareto/NBD", "n": 10_000, "errors": {}, "speedup": 4.0, "crmlib": run,
                         "lifetimes": run, "lifetimes_converged": {"params": {}}, "max_rel_diff": 2e-7, "worst": "b"},
        "bgnbd-1000000": {"label": "BG/NBD", "n": 1_000_000, "errors": {}, "speedup": 9.0, "crmlib": run,
                          "lifetimes": run},
        "pareto-1000000": {"label": "Pareto/NBD", "n": 1_000_000, "errors": {}, "crmlib": dict(run, seconds=3.0),
                           "lifetimes_skipped": 100_000, "vs_bgnbd": 3.0},
        "mbgnbd-1000000": {"label": "MBG/NBD", "n": 1_000_000, "errors": {}, "crmlib": run,
                           "lifetimes_skipped": 100_000, "vs_bgnbd": 1.0},
    }}
    names = {t.name: (t.met, t.value) for t in scaling.targets(res, Target)[0]}
    assert names["Pareto/NBD 10,000 customers: speed-up vs lifetimes"] == (False, 4.0)   # 4x < 5x
    assert names["Pareto/NBD 1,000,000 customers: fit time / crmlib's BG/NBD fit"] == (True, 3.0)
    assert not any(n.startswith("MBG/NBD 1,000,000") for n in names)
    text = "\n".join(scaling.table_rows(res))
    assert "not run above 100,000 customers" in text and "| 3.0× |" in text
    assert scaling.CLASSES["mbgnbd"] == ("ModifiedBetaGeo", "ModifiedBetaGeoFitter")
    assert all(hasattr(btyd, c) for c, _ in scaling.CLASSES.values())
