"""Contracts by class in the CLV area (issue 22 §5): one rule, one helper in crmlib._validate, used by
every function it applies to. Each test below fails when its rule is not applied."""
from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib import clv, datasets
from crmlib.clv import btyd, rfm, value


@pytest.fixture(scope="module")
def cdnow():
    return datasets.cdnow_summary("cdnow_sample")


@pytest.fixture(scope="module")
def fits(cdnow):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bg = btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"]).fit()
        pn = btyd.ParetoNBD(cdnow["frequency"], cdnow["recency"], cdnow["T"]).fit()
        rep = cdnow[cdnow["frequency"] > 0]
        gg = btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit()
        d = datasets.load("donations_1995")
        bb = btyd.BetaGeoBetaBernoulli(d["frequency"], d["recency"], d["periods"], weights=d["weights"]).fit()
    return {"bg": bg, "pn": pn, "gg": gg, "bb": bb}


# ----------------------------------------------------------------------------- whole-number counts
def test_counts_must_be_whole_everywhere(fits):
    bg, gg, bb = fits["bg"], fits["gg"], fits["bb"]
    calls = {
        "BetaGeo": lambda: btyd.BetaGeo([1, 1.5], [2.0, 3.0], [5.0, 5.0]),
        "probability_alive": lambda: bg.probability_alive(1.5, 2.0, 5.0),
        "expected_purchases": lambda: fits["pn"].expected_purchases(4.0, [1.5], [2.0], [5.0]),
        "GammaGamma": lambda: btyd.GammaGamma([1.5, 2], [10.0, 12.0]),
        "expected_spend": lambda: gg.expected_spend(1.5, 20.0),
        "BG/BB": lambda: bb.probability_alive(1.5, 2, 6),
        "sBG": lambda: btyd.ShiftedBetaGeometric([1000, 800.5, 700]),
        "project_cohort": lambda: clv.project_cohort([1000, 800, 700.5, 600], 2),
        "constant_retention_mle": lambda: clv.constant_retention_mle([100, 80.5]),
        "customer_equity": lambda: clv.customer_equity([1.0, 2.0], counts=[1, 1.5]),
    }
    for name, call in calls.items():
        with pytest.raises(ValueError, match=r"\[\d\] is not a whole number \((1\.5|800\.5|700\.5|80\.5)\)"):
            call()
            pytest.fail(name)


# ----------------------------------------------------------------------------- pandas pairs by label
def test_series_are_paired_by_label_or_refused(cdnow, fits):
    sub = cdnow.iloc[:400]
    f, r, T = sub["frequency"], sub["recency"], sub["T"]
    shuffled = np.random.default_rng(0).permutation(len(sub))
    r_mixed, T_mixed = r.iloc[shuffled], T.iloc[shuffled]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = btyd.BetaGeo(f, r, T).fit().params
        got = btyd.BetaGeo(f, r_mixed, T_mixed).fit().params  # paired by label, not by position
    np.testing.assert_allclose(got, want, rtol=1e-10)
    bg = fits["bg"]
    pa = bg.probability_alive(f, r_mixed, T_mixed)
    assert pa.index.equals(f.index)
    np.testing.assert_allclose(pa, bg.probability_alive(f, r, T), rtol=1e-12)
    spend = fits["gg"].expected_spend(f, sub["monetary_value"].iloc[shuffled])
    np.testing.assert_allclose(spend, fits["gg"].expected_spend(f, sub["monetary_value"]), rtol=1e-12)
    other = T.rename(index=lambda i: i + 10**6)
    for call in (lambda: btyd.BetaGeo(f, r, other), lambda: bg.expected_purchases(10.0, f, r, other),
                 lambda: btyd.GammaGamma(f[f > 0], sub["monetary_value"][f > 0].rename(index=str)),
                 lambda: btyd.BetaGeoBetaBernoulli(pd.Series([1, 2], index=["a", "b"]),
                                                   pd.Series([1, 2], index=["a", "c"]), 6)):
        with pytest.raises(ValueError, match="different indexes"):
            call()
    # the case: three labels in opposite orders
    a = pd.Series([2, 0, 1], index=list("abc"))
    rec = pd.Series([0.5, 0.0, 4.0], index=list("cba"))  # a: 4.0, b: 0.0, c: 0.5
    np.testing.assert_allclose(bg.probability_alive(a, rec, 5.0),
                               bg.probability_alive([2, 0, 1], [4.0, 0.0, 0.5], 5.0))


# ----------------------------------------------------------------------------- consistent arguments together
def test_impossible_histories_are_refused_in_fits_and_predictions(cdnow, fits):
    bg, pn, gg, bb = fits["bg"], fits["pn"], fits["gg"], fits["bb"]
    for res in (bg, pn):
        with pytest.raises(ValueError, match="frequency 3 with recency 0 at row 0"):
            res.probability_alive(frequency=3, recency=0, T=10)
        with pytest.raises(ValueError, match="frequency 0 with recency 2 at row 0"):
            res.expected_purchases(4.0, 0, 2.0, 10.0)
        with pytest.raises(ValueError, match="recency > T at row 1"):
            res.expected_purchases(4.0, [1, 1], [2.0, 12.0], 10.0)
    with pytest.raises(ValueError, match="frequency 0 with monetary_value 5 at row 0"):
        gg.expected_spend(0, 5.0)
    with pytest.raises(ValueError, match="frequency > recency at row 0"):
        bb.expected_transactions(3, 4, 2, 6)
    with pytest.raises(ValueError, match="recency > n_periods at row 0"):
        bb.dert(0.1, 2, 7, 6)


def test_the_holdout_must_follow_the_calibration(cdnow, fits):
    with pytest.raises(ValueError, match="calibration_end .* must be before observation_end"):
        datasets_log = datasets.load("cdnow_sample")
        rfm.summarize(datasets_log, customer_id="customer_id", date="date", observation_end="1997-09-30",
                      calibration_end="1997-09-30")
    broken = cdnow.assign(duration_holdout=0.0)
    with pytest.raises(ValueError, match=r"duration_holdout is 0 at row 1: the holdout must follow"):
        btyd.holdout_by_frequency(broken, {"bgnbd": fits["bg"]})
    with pytest.raises(ValueError, match=r"frequency_holdout\[1\] is not a whole number"):
        btyd.holdout_by_frequency(cdnow.assign(frequency_holdout=0.5), {"bgnbd": fits["bg"]})


# ----------------------------------------------------------------------------- finite results
@pytest.mark.parametrize("call, names", [
    (lambda: clv.clv(1e308, 1.0, 0.0, 10), "margin=1e+308"),
    (lambda: clv.annuity_factor(1.0, -0.999, 10**6), "discount=-0.999"),
    (lambda: clv.clv_schedule(1e308, 1.0, -0.5, 3), "margin=1e+308"),
    (lambda: clv.implied_margin(1e308, 10, 0.0, 10.0), "clv_value=1e+308"),
    (lambda: clv.customer_equity([1e308, 1e308]), "clv_values=<2 values>"),
    (lambda: clv.customer_equity([1e308], counts=[2]), "counts=<1 values>"),
    (lambda: clv.discounted_clv([[0.0, 1e308]], [10.0], 0.0, step_years=1.0), "spend_per_purchase"),
    (lambda: clv.acquisition_vs_retention(10, 1e308, [5]), "retention_cost=1e+308"),
])
def test_results_that_overflow_are_refused_naming_the_inputs(call, names):
    with pytest.raises(ValueError, match=r"is (infinite|NaN): .*" + names.replace("+", r"\+")):
        call()


def test_an_undefined_mean_spend_is_refused(fits):
    heavy = copy.copy(fits["gg"])
    heavy.params = fits["gg"].params.copy()
    heavy.params["q"] = 0.8  # a Gamma-Gamma whose population mean does not exist
    with pytest.raises(ValueError, match=r"q = 0\.8 <= 1"):
        heavy.population_mean_spend()
    with pytest.raises(ValueError, match="expected spend is not defined at row 0"):
        heavy.expected_spend(0, 0.0)


# ----------------------------------------------------------------------------- nothing silently dropped
def test_missing_customer_ids_are_refused_with_their_row():
    tx = pd.DataFrame({"customer_id": [1.0, np.nan, 2.0], "date": pd.to_datetime(["2024-01-01", "2024-01-09",
                                                                                   "2024-01-02"])},
                      index=[10, 11, 12])
    with pytest.raises(ValueError, match="'customer_id' has a missing id at row 11"):
        clv.repeat_transactions_by_period(tx, customer_id="customer_id", date="date", start="2024-01-01",
                                          periods=4)


# ----------------------------------------------------------------------------- plain values in messages
def test_messages_print_plain_values_not_numpy_reprs(fits):
    idx = pd.Index(np.array([10, 11, 12, 13], dtype=np.int64))  # an index whose labels are numpy integers
    tx = pd.DataFrame({"id": [1, 1, 2, 2], "day": ["2024-01-01", "2024-01-05", "2024-01-03", "not a day"],
                       "usd": [1.0, 2.0, 3.0, 4.0]}, index=idx)
    messages = []
    for call in (
        lambda: rfm.summarize(tx, customer_id="id", date="day", observation_end="2024-02-01"),
        lambda: rfm.summarize(tx.assign(day=[20240101, 20240105, 20240103, 2]), customer_id="id", date="day",
                              observation_end="2024-02-01"),
        lambda: rfm.summarize(tx.assign(id=[1, None, 2, 2], day="2024-01-01"), customer_id="id", date="day",
                              observation_end="2024-02-01"),
        lambda: rfm.summarize(tx.assign(usd=[1.0, np.inf, 1.0, 1.0], day="2024-01-01"), customer_id="id",
                              date="day", amount="usd", observation_end="2024-02-01"),
        lambda: fits["bg"].probability_alive(pd.Series([1, 2], index=idx[:2]), pd.Series([3.0, 0.0], index=idx[:2]),
                                             5.0),
        lambda: fits["bg"].expected_purchases(pd.Series([1.0, -2.0], index=idx[:2]), 1, 2.0, 5.0),
        lambda: btyd.BetaGeoBetaBernoulli(pd.Series([1, 3], index=idx[:2]), pd.Series([1, 2], index=idx[:2]), 6),
        lambda: fits["gg"].expected_spend(pd.Series([1, 1.5], index=idx[:2]), 3.0),
        lambda: clv.customer_lifetime_value(fits["bg"], fits["gg"], datasets.cdnow_summary(), np.int64(10),
                                            np.int64(3), 0.1),
    ):
        with pytest.raises(ValueError) as err:
            call()
        messages.append(str(err.value))
    assert not [m for m in messages if "np." in m], messages
    assert "row 13" in messages[0] and "row 11" in messages[2]
