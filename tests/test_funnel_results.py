"""crmlib.funnel's result objects and the chapter-3 analyses (tables and dicts the notebook records)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmlib import datasets, funnel
from crmlib._validate import check_generator
from crmlib.concepts import qualify_man


@pytest.fixture(scope="module")
def prospects():
    return datasets.load("prospects")


@pytest.fixture(scope="module")
def model(prospects):
    return funnel.fit_close_logit(prospects)


@pytest.fixture(scope="module")
def funnels():
    return funnel.case_funnels(datasets.load("funnel_case"))


def test_close_model_follows_the_results_convention(model):
    assert list(model.odds_ratios.columns) == ["odds_ratio", "lower", "upper", "pvalue"]
    assert list(model.odds_ratios.index) == list(funnel.PREDICTORS)
    assert list(model.params.index) == ["const", *funnel.PREDICTORS]
    np.testing.assert_allclose(model.odds_ratios["odds_ratio"], np.exp(model.params[list(funnel.PREDICTORS)]))
    ci = model.conf_int()
    np.testing.assert_allclose(np.exp(ci.loc[list(funnel.PREDICTORS)]).to_numpy(),
                               model.odds_ratios[["lower", "upper"]].to_numpy())
    assert (model.bse > 0).all() and model.nobs == model.n == 2000
    wider = model.conf_int(alpha=0.01)
    assert (wider["upper"] - wider["lower"] > ci["upper"] - ci["lower"]).all()
    s = model.summary()
    assert list(s.columns) == ["coef", "se", "z", "pvalue", "lower", "upper"]
    np.testing.assert_allclose(s["se"], model.bse)
    with pytest.raises(ValueError, match="alpha"):
        model.conf_int(alpha=1.5)


def test_close_model_rejects_an_odds_table_without_its_columns(model):
    with pytest.raises(ValueError, match="odds_ratio"):
        funnel.CloseModel(model.result, pd.DataFrame({"or": [1.0]}), 10)


def test_mean_predicted_splits_by_qualification(model, prospects):
    man = qualify_man(prospects)["man"]
    m = model.mean_predicted(prospects, man)
    p = model.predict(prospects)
    assert m["man"] == pytest.approx(p[man].mean()) and m["not_man"] == pytest.approx(p[~man].mean())
    assert m["n_man"] + m["n_not_man"] == len(prospects) and m["man"] > m["not_man"]
    with pytest.raises(TypeError, match="qualified"):
        model.mean_predicted(prospects, man.astype(int))
    with pytest.raises(ValueError, match="different indexes"):
        model.mean_predicted(prospects, man.iloc[:10])
    assert model.mean_predicted(prospects, man.iloc[::-1]) == m      # paired by label, not by position


def test_deals_band_is_binomial_and_still_reads_like_a_dict():
    b = funnel.expected_deals(100, [0.5, 0.1], level=0.9)
    assert b["mean"] == b.mean == pytest.approx(5.0) and b.n == 100 and b.rates == (0.5, 0.1)
    pmf = b.pmf()
    assert pmf.index[0] == 0 and pmf.index[-1] >= b.upper
    np.testing.assert_allclose(pmf.to_numpy(), stats.binom.pmf(pmf.index.to_numpy(), 100, 0.05))
    with pytest.raises(KeyError):
        b["nope"]


def test_case_tables_match_the_source(funnels):
    assert list(funnels) == ["good", "middle", "poor"]
    tab = funnel.scenario_table(funnels)
    assert tab.loc["good", "negotiation"] == 80 and tab.loc["poor", "to_deal"] == pytest.approx(0.25)
    assert tab["overall"].tolist() == pytest.approx([0.05] * 3)
    res = funnel.case_results(funnels)
    assert res["deal_count"] == {"good.count.deal": 5, "middle.count.deal": 5, "poor.count.deal": 5}
    assert res["count"]["middle.count.negotiation"] == 50 and "good.count.deal" not in res["count"]
    assert res["bounded"]["good.rate.deal"] == pytest.approx(0.0625)
    assert set(res["rate"]) == {f"{s}.rate.negotiation" for s in funnels}


def test_scenario_table_needs_the_three_stages():
    with pytest.raises(ValueError, match="stages"):
        funnel.scenario_table({"x": pd.Series([10, 5], index=["a", "b"])})


def test_interval_comparison_narrows_with_more_data(funnels):
    cmp = funnel.interval_comparison(funnels, 2000)
    assert set(cmp["intervals"]) == {(s, n) for s in funnels for n in (100, 2000)}
    assert len(cmp["ci"]) == 12 and all(lo < hi for lo, hi in cmp["ci"].values())
    # sqrt(20) = 4.47: Wilson widths at n and 20 n are close to that ratio
    assert 3.5 < cmp["width_ratio"] < 5.5
    with pytest.raises(ValueError, match="multiple"):
        funnel.interval_comparison(funnels, 250)


def test_plan_pipelines_agrees_with_prospects_needed():
    rngs = [np.random.default_rng([1, i]) for i in range(2)]
    plan = funnel.plan_pipelines([1, 5], 0.05, 0.9, 4000, rngs)
    assert plan["needed"] == {1: funnel.prospects_needed(1, 0.05, 0.9), 5: funnel.prospects_needed(5, 0.05, 0.9)}
    t = plan["table"]
    assert (t["p_exact"] >= 0.9).all() and (t["p_mc_one_fewer"] <= t["p_mc"]).all()
    assert plan["n_k"] == {"k1": plan["needed"][1], "k5": plan["needed"][5]}
    assert set(plan["exact"]) == {"k1.p_exact", "k1.p_mc_one_fewer", "k5.p_exact", "k5.p_mc_one_fewer"}
    ns, exact, mc_ns, share = plan["curves"][5]
    assert exact[-1] > 0.9 and len(mc_ns) == len(share) == 12
    with pytest.raises(ValueError, match="one generator per k"):
        funnel.plan_pipelines([1, 5], 0.05, 0.9, 100, rngs[:1])


def test_timing_summary_and_simulation_check():
    s = funnel.timing_summary([10, 20, 30, 400])
    assert s["days"]["median_days"] == 25 and s["share_within_year"] == 0.75
    with pytest.raises(ValueError, match="days"):
        funnel.timing_summary([10, -1])
    band = funnel.expected_deals(100, [0.5, 0.1])
    c = funnel.simulation_check([band.lower, band.upper, band.upper + 1], band)
    assert c["simulated_in_band"] == pytest.approx(2 / 3)
    with pytest.raises(TypeError, match="DealsBand"):
        funnel.simulation_check([1, 2], {"lower": 0, "upper": 1})


def test_as_intervals_names_rows():
    df = pd.DataFrame({"to_stage": ["a", "b"], "lower": [0.1, 0.2], "upper": [0.3, 0.4]})
    assert funnel.as_intervals(df, "to_stage") == {"a": [0.1, 0.3], "b": [0.2, 0.4]}
    assert funnel.as_intervals(df.drop(columns="to_stage")) == {"0": [0.1, 0.3], "1": [0.2, 0.4]}
    with pytest.raises(ValueError, match="upper"):
        funnel.as_intervals(df.drop(columns="upper"))


def test_generator_check_is_shared():
    rng = np.random.default_rng(0)
    assert check_generator(rng) is rng
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        check_generator(np.random.RandomState(0))
    with pytest.raises(TypeError, match="rng must be"):
        funnel.simulate_funnel(10, [0.5], 5, 42)
