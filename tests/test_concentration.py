"""crmlib.concentration: Lorenz curve, Gini, top share, ties, bootstrap and the bad-input rules."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import clv
from crmlib import concentration as cc


def test_gini_of_hand_examples():
    # 1, 2, 3, 4: sum |xi - xj| over ordered pairs = 20, 2 n^2 mean = 2 * 16 * 2.5 = 80
    assert cc.gini([1, 2, 3, 4]) == pytest.approx(0.25)
    assert cc.gini([0, 0, 0, 5]) == pytest.approx(0.75)          # one holds all: (n - 1) / n
    assert cc.gini([7, 7, 7]) == pytest.approx(0.0)
    assert cc.gini([4, 1, 3, 2]) == pytest.approx(0.25)          # order of the input does not matter


def test_gini_equals_the_mean_absolute_difference_formula():
    x = np.random.default_rng(0).lognormal(3, 1.2, size=300)
    mad = np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size ** 2 * x.mean())
    assert cc.gini(x) == pytest.approx(mad, rel=1e-12)


def test_lorenz_curve_endpoints_and_shape():
    cur = cc.lorenz_curve([3.0, 1.0, 0.0, 6.0])
    assert cur.iloc[0].tolist() == [0.0, 0.0] and cur.iloc[-1].tolist() == [1.0, 1.0]
    assert cur["value_share"].tolist() == pytest.approx([0, 0, 0.1, 0.4, 1.0])
    assert cur["value_share"].is_monotonic_increasing
    assert (np.diff(cur["value_share"], 2) >= -1e-12).all()          # convex


def test_top_share_on_a_constructed_example():
    v = np.arange(1, 11, dtype=float)            # 1 … 10, total 55; top 20 % = 10 and 9
    c = cc.concentration(v, 0.2)
    assert c.top_share == pytest.approx(19 / 55)
    assert c.top_share == clv.top_share(v, 0.2)
    assert (c.n, c.buyers, c.total) == (10, 10, 55.0)


def test_top_members_keeps_or_drops_ties_and_never_counts_zero_spenders():
    v = pd.Series([5.0, 5.0, 5.0, 1.0, 0.0], index=list("abcde"))
    keep = cc.top_members(v, 0.2)                 # ceil(0.2 * 5) = 1 customer, but three tie at 5
    assert keep[keep].index.tolist() == ["a", "b", "c"] and keep.attrs["target"] == 1
    assert not cc.top_members(v, 0.2, ties="drop").any()
    assert cc.top_members(v, 0.6, ties="drop").sum() == 3          # the three fit in ceil(0.6 * 5) = 3
    plain = [5.0, 4.0, 3.0, 2.0, 1.0]                                 # no tie: both rules give ceil(0.4 * 5)
    assert cc.top_members(plain, 0.4, ties="drop").sum() == cc.top_members(plain, 0.4).sum() == 2
    zero = cc.top_members([3.0, 0.0, 0.0, 0.0, 0.0], 0.6)       # the cut-off is 0: zeros stay out
    assert zero.tolist() == [True, False, False, False, False]


def test_weighted_statistics_equal_those_of_the_expanded_sample():
    """The bootstrap draws counts per customer; its statistics must equal those of the resample."""
    rng = np.random.default_rng(5)
    v = np.sort(rng.integers(0, 50, size=40).astype(float))
    w = rng.integers(0, 4, size=(1, 40)).astype(float)
    expanded = np.repeat(v, w[0].astype(int))
    assert cc._gini_sorted(v, w)[0] == pytest.approx(cc.gini(expanded))
    assert cc._top_share_sorted(v[::-1], w[:, ::-1], 0.2)[0] == pytest.approx(clv.top_share(expanded, 0.2))


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    v = np.random.default_rng(1).lognormal(3, 1, size=500)
    a = cc.concentration(v, n_boot=300, rng=np.random.default_rng(42))
    b = cc.concentration(v, n_boot=300, rng=np.random.default_rng(42))
    c = cc.concentration(v, n_boot=300, rng=np.random.default_rng(43))
    assert a.draws.equals(b.draws) and not a.draws.equals(c.draws)
    ci = a.conf_int()
    assert (ci["lower"] < ci["estimate"]).all() and (ci["estimate"] < ci["upper"]).all()
    assert a.conf_int(0.5)["upper"]["gini"] < ci["upper"]["gini"]
    s = a.summary()
    assert s["gini"] == a.gini and s["customers"] == 500


def test_no_bootstrap_gives_nan_bounds():
    ci = cc.concentration([1, 2, 3]).conf_int()
    assert ci["lower"].isna().all() and ci["estimate"].notna().all()


def test_period_concentration_has_one_row_per_period():
    df = pd.DataFrame({"calibration": [1.0, 2, 3, 4], "holdout": [0.0, 0, 0, 5]})
    out = cc.period_concentration(df)
    assert out.index.tolist() == ["calibration", "holdout"]
    assert out.loc["holdout", "gini"] == pytest.approx(0.75) and out.loc["holdout", "buyers"] == 1


def test_top_persistence_on_a_hand_example():
    before = pd.Series([10.0, 9, 1, 1, 0], index=[11, 12, 13, 14, 15])
    after = pd.Series([1.0, 0, 8, 7, 0], index=[15, 11, 12, 13, 14])   # another order: paired by label
    p = cc.top_persistence(before, after, 0.4)    # top 2 before: 11, 12; after: 12, 13
    e = p.table["estimate"]
    assert (e["top_before"], e["top_after"], e["stayed"]) == (2, 2, 1)
    assert e["stayed_share"] == pytest.approx(0.5)
    assert e["lapsed_share"] == pytest.approx(0.5)                    # customer 11 spent nothing after
    assert e["after_share_of_top_before"] == pytest.approx(8 / 16)
    assert e["after_share_of_top_after"] == pytest.approx(15 / 16)
    assert p.crosstab().loc[True, True] == 1


def test_top_persistence_bootstrap_is_seeded():
    rng = np.random.default_rng(3)
    b, a = rng.lognormal(2, 1, 400), rng.lognormal(2, 1, 400) * (rng.random(400) < 0.5)
    one = cc.top_persistence(b, a, n_boot=200, rng=np.random.default_rng(9)).table
    two = cc.top_persistence(b, a, n_boot=200, rng=np.random.default_rng(9)).table
    pd.testing.assert_frame_equal(one, two)
    assert one.loc["stayed_share", "lower"] <= one.loc["stayed_share", "estimate"] <= one.loc["stayed_share", "upper"]


@pytest.mark.parametrize("values, exc, msg", [
    ([1.0, -2.0], ValueError, r"values\[1\] is negative"),
    (pd.Series([1.0, -2.0], index=[7, 8]), ValueError, r"values\[8\] is negative \(-2\.0\)"),
    ([1.0, np.nan], ValueError, r"values\[1\] is NaN"),
    ([1.0, np.inf], ValueError, r"values\[1\] is infinite"),
    ([1.0, "2"], TypeError, r"values\[1\] is not a number"),
    ([0.0, 0.0], ValueError, "sum to 0"),
    ([], ValueError, "values is empty"),
])
def test_bad_values_are_refused(values, exc, msg):
    with pytest.raises(exc, match=msg):
        cc.gini(values)
    with pytest.raises(exc, match=msg):
        cc.concentration(values)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="share must be > 0"):
        cc.concentration([1, 2], 0.0)
    with pytest.raises(ValueError, match=r"share must be <= 1"):
        cc.top_members([1, 2], 1.5)
    with pytest.raises(ValueError, match="ties must be one of"):
        cc.top_members([1, 2], ties="random")
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        cc.concentration([1, 2], n_boot=10, rng=42)
    with pytest.raises(ValueError, match="above crmlib's limit"):
        cc.concentration(np.ones(2000), n_boot=60_000, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="level must be < 1"):
        cc.concentration([1, 2], level=1.0)
    with pytest.raises(TypeError, match="DataFrame"):
        cc.period_concentration([1, 2])


def test_persistence_refuses_misaligned_periods():
    with pytest.raises(ValueError, match="before has label 3 that after lacks"):
        cc.top_persistence(pd.Series([1.0, 2], index=[3, 4]), pd.Series([1.0, 2], index=[4, 5]))
    with pytest.raises(ValueError, match="before has 2 customers but after has 3"):
        cc.top_persistence([1.0, 2], [1.0, 2, 3])
