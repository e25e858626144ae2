"""crmlib.loss: Table 1-1 arithmetic, survey statistics and the bad-input rules."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from crmlib import datasets, loss


@pytest.fixture(scope="module")
def table():
    return datasets.load("loss_causes")


@pytest.fixture(scope="module")
def shares(table):
    return table.set_index("cause_id")["share_pct"]


def test_group_totals_and_pareto(table, shares):
    g = loss.group_totals(table)
    assert list(g.index) == ["customer", "company", "third_party"]
    assert g.tolist() == [4.0, 87.0, 9.0]
    p = loss.pareto_table(shares)
    assert p["share_pct"].is_monotonic_decreasing
    assert p["cumulative_pct"].iloc[-1] == pytest.approx(100)
    assert list(p.index[p["vital_few"]]) == ["communication", "complaints", "price"]


@pytest.mark.parametrize("bad, msg", [
    ({"a": 50, "b": 49}, "must sum to 100"),
    ({"a": 110, "b": -10}, r"shares\['b'\] is negative"),
    ({"a": float("nan"), "b": 100}, r"shares\['a'\] is NaN"),
    ({"a": "50", "b": 50}, "not a number"),
    ({}, "empty"),
])
def test_bad_shares_rejected(bad, msg):
    with pytest.raises((ValueError, TypeError), match=msg):
        loss.check_shares(bad)


def test_share_tolerance_is_a_hundredth():
    loss.check_shares({"a": 60.005, "b": 40})
    with pytest.raises(ValueError, match="sum to 100"):
        loss.check_shares({"a": 60.02, "b": 40})


def test_unknown_group_and_missing_column_rejected(table):
    bad = table.copy()
    bad.loc[2, "group_id"] = "government"
    with pytest.raises(ValueError, match=r"row 2: unknown group 'government'"):
        loss.group_totals(bad)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['share_pct'\]"):
        loss.loss_table(table.drop(columns="share_pct"))
    with pytest.raises(ValueError, match="empty"):
        loss.loss_table(table.iloc[:0])


def test_survey_is_seeded_and_sized(shares):
    a = loss.simulate_survey(shares, 300, np.random.default_rng(1))
    b = loss.simulate_survey(shares, 300, np.random.default_rng(1))
    assert a.equals(b) and a.sum() == 300
    for n in (0, -5):
        with pytest.raises(ValueError, match="n must be >= 1"):
            loss.simulate_survey(shares, n, np.random.default_rng(1))
    with pytest.raises(TypeError, match="rng"):
        loss.simulate_survey(shares, 10, 42)


def test_multinomial_ci_contains_sample_share_and_narrows_with_n(shares):
    small = loss.multinomial_ci(loss.simulate_survey(shares, 100, np.random.default_rng(2)))
    big = loss.multinomial_ci(loss.simulate_survey(shares, 10_000, np.random.default_rng(2)))
    for ci in (small, big):
        assert ((ci["lower_pct"] <= ci["share_pct"]) & (ci["share_pct"] <= ci["upper_pct"])).all()
    width = lambda ci: (ci["upper_pct"] - ci["lower_pct"]).loc["communication"]  # noqa: E731
    assert width(big) < width(small) / 5
    with pytest.raises(ValueError, match="N <= 0"):
        loss.multinomial_ci({"a": 0, "b": 0})
    with pytest.raises(ValueError, match=r"counts\['a'\] is negative"):
        loss.multinomial_ci({"a": -1, "b": 3})


def test_goodness_of_fit_matches_hand_computation(shares):
    counts = pd.Series({"customer_died": 2, "lost_contact": 4, "price": 10, "complaints": 9,
                        "communication": 66, "competitors": 5, "others_views": 4})
    res = loss.goodness_of_fit(counts, shares)
    expected = shares / 100 * 100
    chi2 = float((((counts - expected) ** 2) / expected).sum())
    assert res.statistic == pytest.approx(chi2)
    assert res.dof == 6 and res.n == 100 and res.small_expected
    assert 0 < res.pvalue < 1
    with pytest.raises(ValueError, match="different indexes"):
        loss.goodness_of_fit(counts.drop("price"), shares)


def test_sample_size_and_exact_power():
    ss = loss.sample_size_one_proportion(0.60, 0.68)
    # the textbook normal-approximation formula gives ~286; Cohen's h version is close
    assert 275 <= ss.n_normal <= 295
    assert loss.power_one_proportion(ss.n_exact, 0.60, 0.68) >= 0.80
    assert loss.power_one_proportion(50, 0.60, 0.68) < 0.5
    # at p1 = p0 the power is the size of the test, at most alpha
    assert loss.power_one_proportion(300, 0.60, 0.60) <= 0.05
    with pytest.raises(ValueError, match="p1 must be <= 1"):
        loss.power_one_proportion(10, 0.5, 1.5)
    with pytest.raises(ValueError, match="differ"):
        loss.sample_size_one_proportion(0.6, 0.6)


def test_whatif(shares):
    r = loss.whatif_kept(shares, {"complaints": 50, "communication": 25})
    assert r["kept"].sum() == pytest.approx(220)
    assert (r["lost_after"] + r["kept"]).sum() == pytest.approx(1000)
    with pytest.raises(ValueError, match="unknown cause 'weather'"):
        loss.whatif_kept(shares, {"weather": 10})
    with pytest.raises(ValueError, match=r"cuts_pct\['price'\] must be <= 100"):
        loss.whatif_kept(shares, {"price": 120})
    with pytest.raises(ValueError, match="per must be >= 1"):
        loss.whatif_kept(shares, {}, per=0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=2, max_size=9).filter(lambda v: sum(v) > 0),
       st.integers(min_value=0, max_value=100))
def test_whatif_and_pareto_properties(weights, cut):
    total = sum(weights)
    s = pd.Series([100 * w / total for w in weights], index=[f"c{i}" for i in range(len(weights))])
    s.iloc[-1] = 100 - s.iloc[:-1].sum()
    if s.iloc[-1] < 0:
        return
    p = loss.pareto_table(s)
    assert p["share_pct"].is_monotonic_decreasing
    assert p["vital_few"].iloc[0]
    r = loss.whatif_kept(s, {c: cut for c in s.index})
    assert r["kept"].sum() == pytest.approx(10 * cut)
