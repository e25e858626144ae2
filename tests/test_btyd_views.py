"""Views of fitted BTYD models that chapter 05 reads: the frequency × recency matrix, the holdout
check by frequency, and the estimates table."""
from __future__ import annotations

import numpy as np
import pytest

from crmlib.clv import btyd


@pytest.fixture(scope="module")
def fits(cdnow):
    bg = btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"]).fit()
    pn = btyd.ParetoNBD(cdnow["frequency"], cdnow["recency"], cdnow["T"]).fit()
    return bg, pn


def test_frequency_recency_matrix_equals_the_models_own_predictions(fits):
    bg, pn = fits
    for fit in (bg, pn):
        m = fit.frequency_recency_matrix(frequencies=[0, 1, 3], recencies=[0, 10, 36], T=39.0, t=52)
        assert m.loc[3, 36] == pytest.approx(float(fit.expected_purchases(52, 3, 36.0, 39.0)))
        assert m.loc[0, 0] == pytest.approx(float(fit.expected_purchases(52, 0, 0.0, 39.0)))
        assert np.isnan(m.loc[0, 10]) and np.isnan(m.loc[3, 0])        # histories that cannot happen
        a = fit.frequency_recency_matrix(frequencies=[3], recencies=[10, 36], T=39.0, kind="alive")
        assert a.loc[3, 36] == pytest.approx(float(fit.probability_alive(3, 36.0, 39.0)))
        assert a.loc[3, 36] > a.loc[3, 10]
    with pytest.raises(ValueError, match="needs the horizon t"):
        bg.frequency_recency_matrix(frequencies=[1], recencies=[1], T=39.0)
    with pytest.raises(ValueError, match="recencies must be <= T"):
        bg.frequency_recency_matrix(frequencies=[1], recencies=[40], T=39.0, t=52)
    with pytest.raises(ValueError, match="kind must be"):
        bg.frequency_recency_matrix(frequencies=[1], recencies=[1], T=39.0, t=5, kind="x")


def test_holdout_by_frequency_pools_the_top_group_and_orders_numerically(cdnow, fits):
    bg, pn = fits
    t = btyd.holdout_by_frequency(cdnow, {"bgnbd": bg, "pnbd": pn}, max_frequency=7)
    assert list(t.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert t["customers"].sum() == len(cdnow)
    top = cdnow[cdnow["frequency"] >= 7]
    assert t.loc["7+", "actual"] == pytest.approx(top["frequency_holdout"].mean())
    pred = bg.expected_purchases(top["duration_holdout"], top["frequency"], top["recency"], top["T"])
    assert t.loc["7+", "bgnbd"] == pytest.approx(float(np.mean(pred)))
    with pytest.raises(ValueError, match="lacks column 'frequency_holdout'"):
        btyd.holdout_by_frequency(cdnow.drop(columns="frequency_holdout"), {"bgnbd": bg})
    with pytest.raises(TypeError, match="non-empty mapping"):
        btyd.holdout_by_frequency(cdnow, {})


def test_estimates_table_carries_published_values(fits):
    bg, pn = fits
    t = btyd.estimates_table({"bgnbd": bg, "pnbd": pn}, "cdnow_sample")
    assert list(t.columns) == ["model", "parameter", "estimate", "se", "published", "llf"]
    r = t[(t["model"] == "bgnbd") & (t["parameter"] == "r")].iloc[0]
    from crmlib import datasets

    pub = datasets.published("bgnbd", "cdnow_sample", "r")
    assert r["published"] == pub.value and r["estimate"] == pytest.approx(pub.value, abs=pub.tol)
