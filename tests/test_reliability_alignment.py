"""Issue 15 §2: Series with different indexes passed together are paired by label or refused, never by position."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import _validate, clv, crosssell, datasets


# ------------------------------------------------------------------ customer_equity
def test_customer_equity_pairs_series_by_label():
    v = pd.Series([1.0, 2.0], index=["a", "b"])
    n = pd.Series([1, 10], index=["b", "a"])            # a: 10 customers, b: 1
    assert clv.customer_equity(v, n) == pytest.approx(1.0 * 10 + 2.0 * 1)   # by position it was 21


@pytest.mark.parametrize("labels", [["c", "a"], ["a", "b", "c"][:2][::-1] + ["c"], ["a", "a"]])
def test_customer_equity_refuses_other_labels(labels):
    v = pd.Series([1.0, 2.0], index=["a", "b"])
    n = pd.Series(range(1, len(labels) + 1), index=labels)
    with pytest.raises(ValueError, match="counts"):
        clv.customer_equity(v, n)


def test_customer_equity_plain_lists_still_pair_by_position():
    assert clv.customer_equity([1.0, 2.0], [10, 1]) == pytest.approx(12.0)


# ------------------------------------------------------------------ discounted_clv
def test_discounted_clv_pairs_frame_and_series_by_label():
    cum = pd.DataFrame([[0.0, 1.0, 2.0], [0.0, 0.5, 0.7]], index=["a", "b"])
    spend = pd.Series([20.0, 10.0], index=["b", "a"])
    got = clv.discounted_clv(cum, spend, 0.0, step_years=1.0)
    np.testing.assert_allclose(got, [10.0 * 2.0, 20.0 * 0.7])            # by position: [40, 7]


def test_discounted_clv_refuses_other_labels():
    cum = pd.DataFrame([[0.0, 1.0, 2.0], [0.0, 0.5, 0.7]], index=["a", "b"])
    with pytest.raises(ValueError, match="cumulative_purchases has label 'a' that spend_per_purchase lacks"):
        clv.discounted_clv(cum, pd.Series([20.0, 10.0], index=["b", "c"]), 0.0, step_years=1.0)


# ------------------------------------------------------------------ rule_metrics
def test_rule_metrics_pairs_series_by_label():
    a = pd.Series([10, 20], index=["x", "y"])
    b = pd.Series([40, 30], index=["y", "x"])
    ab = pd.Series([5, 8], index=["x", "y"])
    got = crosssell.rule_metrics(100, a, b, ab)
    np.testing.assert_allclose(got["lift"], [100 * 5 / (10 * 30), 100 * 8 / (20 * 40)])


@pytest.mark.parametrize("other", [pd.Series([40, 30], index=["y", "z"]), pd.Series([40, 30, 1], index=list("xyz"))])
def test_rule_metrics_refuses_other_labels(other):
    a = pd.Series([10, 20], index=["x", "y"])
    with pytest.raises(ValueError, match="different indexes"):
        crosssell.rule_metrics(100, a, other, pd.Series([5, 8], index=["x", "y"]))


# ------------------------------------------------------------------ RetentionLogit.predict keeps labels
def test_retention_predict_keeps_the_series_labels():
    rl = crosssell.fit_retention_logit(datasets.load("bank_customers"))
    got = rl.predict(pd.Series([1, 3], index=["one", "three"]))
    assert list(got.index) == ["one", "three"]
    assert got.loc["three", "p"] > got.loc["one", "p"]


# ------------------------------------------------------------------ the helper itself
def test_check_aligned_reorders_and_refuses():
    a = pd.Series([1, 2, 3], index=list("abc"))
    b = pd.Series([30, 10, 20], index=list("cab"))
    assert _validate.check_aligned(a, "a", b, "b").tolist() == [10, 20, 30]
    with pytest.raises(ValueError, match="duplicated index label 'a'"):
        _validate.check_aligned(a, "a", pd.Series([1, 2, 3], index=list("aab")), "b")
    with pytest.raises(ValueError, match="a has label 'c' that b lacks"):
        _validate.check_aligned(a, "a", pd.Series([1, 2, 3], index=list("abd")), "b")
    assert _validate.check_aligned([1, 2], "a", b, "b") is b


# ------------------------------------------------------------------ finance
def test_roi_and_eva_refuse_series_with_other_labels():
    from crmlib import finance

    b = pd.Series([0.0, 50.0, 80.0], index=[0, 1, 2])
    with pytest.raises(ValueError, match="benefits and costs have different indexes"):
        finance.roi(b, pd.Series([100.0, 10.0, 10.0], index=[1, 2, 3]))
    with pytest.raises(ValueError, match="benefits and operating_costs have different indexes"):
        finance.eva_table(100.0, pd.Series([60.0, 70.0], index=[1, 2]), pd.Series([10.0, 10.0], index=[2, 3]), 0.1)


def test_discounted_roi_pairs_series_by_label():
    from crmlib import finance

    b = pd.Series([0.0, 50.0, 80.0], index=[0, 1, 2])
    c = pd.Series([100.0, 10.0, 10.0], index=[0, 1, 2])
    assert finance.roi(b, c.iloc[::-1], rate=0.1) == pytest.approx(finance.roi(b, c, rate=0.1))
