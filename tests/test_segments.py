"""crmlib.segments: windows, RFM scores with ties, named segments, value classes, and the bad-input rules."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from crmlib import datasets
from crmlib import segments as sg
from crmlib.warnings import DataWarning


@pytest.fixture()
def log():
    return pd.DataFrame({
        "id": [1, 1, 1, 2, 3, 3],
        "day": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-20", "2024-01-08", "2024-01-02", "2024-02-10"]),
        "usd": [10.0, 5.0, 20.0, 7.0, 3.0, 9.0],
    })


def test_window_activity_counts_purchase_days_and_fills_zeros(log):
    act = sg.window_activity(log, customer_id="id", date="day", amount="usd",
                             windows={"jan": ("2024-01-01", "2024-01-31"), "feb": ("2024-02-01", "2024-02-29")})
    assert act.index.tolist() == [1, 2, 3]
    assert act["purchases"]["jan"].tolist() == [2, 1, 1]          # two rows on 1 January are one occasion
    assert act["spend"]["jan"].tolist() == [35.0, 7.0, 3.0]
    assert act["purchases"]["feb"].tolist() == [0, 0, 1] and act["spend"]["feb"].tolist() == [0.0, 0.0, 9.0]
    ends = sg.window_activity(log, customer_id="id", date="day", amount="usd",
                              windows={"d": ("2024-01-20", "2024-01-20")})
    assert ends["spend"]["d"].tolist() == [20.0, 0.0, 0.0]        # both ends included


def test_rfm_table_hand_values(log):
    r = sg.rfm_table(log, customer_id="id", date="day", amount="usd", end="2024-01-31")
    assert r.index.tolist() == [1, 2, 3]                            # all bought by the end
    assert r.loc[1].to_dict() == pytest.approx({"recency": 11 / 7, "frequency": 2, "monetary": 17.5,
                                                "revenue": 35.0, "tenure": 30 / 7})
    assert r.loc[3, "frequency"] == 1 and r.loc[3, "revenue"] == 3.0   # the February purchase is after the end
    r2 = sg.rfm_table(log, customer_id="id", date="day", amount="usd", end="2024-01-05", unit_days=1)
    assert r2.index.tolist() == [1, 3] and r2.loc[1, "recency"] == 4.0


def _table(f, r=None, m=None):
    n = len(f)
    return pd.DataFrame({"recency": np.arange(n, dtype=float) if r is None else r, "frequency": f,
                         "monetary": np.linspace(1, 50, n) if m is None else m})


def test_scores_keep_ties_together_and_leave_scores_empty():
    # 59 % one-time buyers, as in CDNOW (59.9 %): cut points 1, 1, 2, 3
    f = [1] * 59 + [2] * 20 + [3] * 9 + [4] * 5 + [6] * 7
    sc = sg.rfm_scores(_table(f))
    assert sc.attrs["cuts"]["frequency"] == [1, 1, 2, 3]
    assert sc.groupby(pd.Series(f))["F"].nunique().eq(1).all()    # equal values share a score
    sizes = sg.score_sizes(sc)
    assert sizes["F"].tolist() == [59, 0, 20, 9, 12]
    assert sizes["R"].tolist() == [20] * 5 and sizes["M"].sum() == 100


def test_recency_scores_reverse():
    sc = sg.rfm_scores(_table([1, 2, 3, 4, 5], r=[0.0, 1, 2, 3, 4]))
    assert sc["R"].tolist() == [5, 4, 3, 2, 1] and sc["F"].tolist() == [1, 2, 3, 4, 5]


def test_scores_by_hand_cuts():
    sc = sg.rfm_scores(_table([1, 2, 3, 4, 5, 6, 9]), cuts={"frequency": [1, 2, 3, 5]})
    assert sc["F"].tolist() == [1, 2, 3, 4, 4, 5, 5]
    assert sc.attrs["cuts"]["frequency"] == [1.0, 2.0, 3.0, 5.0]


def test_the_rule_table_covers_every_cell():
    for r, f in itertools.product(range(1, 6), repeat=2):
        hits = sg.RFM_SEGMENTS[(sg.RFM_SEGMENTS.r_min <= r) & (r <= sg.RFM_SEGMENTS.r_max)
                               & (sg.RFM_SEGMENTS.f_min <= f) & (f <= sg.RFM_SEGMENTS.f_max)]
        assert len(hits) >= 1, (r, f)
    grid = pd.DataFrame(list(itertools.product(range(1, 6), repeat=2)), columns=["R", "F"])
    seg = sg.name_segments(grid)
    assert seg.value_counts().to_dict() == {"champions": 4, "loyal": 5, "promising": 2, "new": 2,
                                            "needs_attention": 2, "at_risk": 6, "hibernating": 4}
    look = dict(zip(zip(grid.R, grid.F), seg))
    assert look[(5, 5)] == "champions" and look[(3, 5)] == "loyal" and look[(5, 1)] == "new"
    assert look[(1, 5)] == "at_risk" and look[(1, 1)] == "hibernating" and look[(3, 1)] == "needs_attention"
    assert list(seg.cat.categories) == list(sg.SEGMENT_ORDER)


def test_segment_profile_shares_add_up():
    tab = _table([1, 1, 2, 5], r=[1.0, 20, 3, 2]).assign(revenue=[10.0, 10, 30, 50])
    seg = pd.Series(pd.Categorical(["a", "b", "a", "b"], categories=["a", "b", "c"]), index=tab.index)
    prof = sg.segment_profile(tab, seg)
    assert prof["customers"].tolist() == [2, 2, 0]
    assert prof["revenue_share"].tolist() == pytest.approx([0.4, 0.6, 0.0])
    assert prof.loc["a", "frequency"] == 1.5 and np.isnan(prof.loc["c", "recency"])


def test_holdout_by_segment_is_seeded_and_brackets_means():
    rng = np.random.default_rng(0)
    seg = pd.Series(rng.choice(["x", "y"], 300))
    hold = pd.DataFrame({"purchases": rng.poisson(1, 300), "spend": rng.gamma(1, 30, 300)})
    a = sg.holdout_by_segment(seg, hold, n_boot=200, rng=np.random.default_rng(5))
    b = sg.holdout_by_segment(seg, hold, n_boot=200, rng=np.random.default_rng(5))
    pd.testing.assert_frame_equal(a, b)
    assert (a["spend_lower"] <= a["spend"]).all() and (a["spend"] <= a["spend_upper"]).all()
    assert a["spend_share"].sum() == pytest.approx(1.0)
    assert a.loc["x", "spend"] == pytest.approx(hold["spend"][seg == "x"].mean())


def test_value_classes_follow_the_rule():
    value = pd.DataFrame({"clv": [100.0, 90, 10, 9, 8, 7, 6, 5, 4, 3],
                          "expected_purchases": [5.0, 4, 3.5, 3.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]},
                         index=list("abcdefghij"))
    past = pd.Series([50.0, 40, 1, 30, 2, 3, 4, 5, 6, 7], index=list("abcdefghij"))
    vc = sg.value_classes(value, past, key_share=0.2, potential_share=0.4, spend_quantile=0.5)
    # key: a, b (top 20 % CLV); busy: a-d (top 40 % expected purchases); little spend: <= median 5.5 → c
    assert vc[vc == "key"].index.tolist() == ["a", "b"]
    assert vc[vc == "potential"].index.tolist() == ["c"]
    new = pd.Series([False] * 9 + [True], index=list("abcdefghij"))
    assert sg.value_classes(value, past, key_share=0.2, potential_share=0.4, new=new)["j"] == "potential"


def test_rfm_classes_contingency_and_agreement():
    seg = pd.Series(["champions", "loyal", "new", "hibernating", "at_risk", "champions"], index=range(6))
    rc = sg.rfm_classes(seg)
    assert rc.tolist() == ["key", "key", "potential", "ordinary", "ordinary", "key"]
    vc = pd.Series(pd.Categorical(["key", "ordinary", "potential", "ordinary", "key", "key"],
                                  categories=list(sg.VALUE_CLASSES)), index=range(6))
    tab = sg.contingency(vc, rc, margins=True)
    assert tab.loc["key", "key"] == 2 and tab.loc["all", "all"] == 6 and tab.loc["ordinary", "key"] == 1
    spend = pd.Series([100.0, 30, 5, 0, 2, 80], index=range(6))
    agr = sg.class_agreement(vc, rc, spend, n_boot=0)
    assert agr.loc[("key", "key"), "spend"] == 90.0 and agr.loc[("key", "key"), "agree"]
    assert agr.loc[("key", "ordinary"), "spend"] == 2.0 and not agr.loc[("key", "ordinary"), "agree"]
    assert agr["customers"].sum() == 6


def test_key_share_whatif():
    value = pd.Series([10.0, 8, 6, 4, 2, 0, 0, 0, 0, 0])
    hold = pd.Series([5.0, 0, 5, 0, 0, 0, 0, 0, 0, 10])
    w = sg.key_share_whatif(value, hold, shares=[0.1, 0.3])
    assert w["key_customers"].tolist() == [1, 3]
    assert w.loc[0.3, "value_share"] == pytest.approx(24 / 30) and w.loc[0.3, "holdout_share"] == pytest.approx(0.5)


def test_customer_value_on_the_cdnow_sample():
    base = datasets.cdnow_summary("cdnow_sample")
    val = sg.customer_value(base)
    assert val.index.equals(base.index)
    assert val["p_alive"].between(0, 1).all() and (val["clv"] >= 0).all()
    assert set(val.attrs["fits"]) == {"bgnbd", "gg"}
    # chapter 05's published BG/NBD estimate on this sample (FHL 2005): r = 0.243
    assert val.attrs["fits"]["bgnbd"].params["r"] == pytest.approx(0.243, abs=5e-4)


def test_customer_value_warns_about_zero_value_repeaters():
    base = datasets.cdnow_summary("cdnow_sample").copy()
    i = base.index[base["frequency"] > 0][0]
    base.loc[i, "monetary_value"] = 0.0
    with pytest.warns(DataWarning, match="1 customer"):
        sg.customer_value(base, horizon=52)


# ------------------------------------------------------------------ bad inputs
def test_window_and_log_errors(log):
    kw = dict(customer_id="id", date="day", amount="usd")
    bad = log.copy()
    bad.loc[4, "usd"] = -3.0
    with pytest.raises(ValueError, match=r"column 'usd' is negative at row 4 \(-3\.0\)"):
        sg.window_activity(bad, windows={"a": ("2024-01-01", "2024-01-31")}, **kw)
    with pytest.raises(TypeError, match="must hold naive dates"):
        sg.window_activity(log.assign(day=log["day"].astype(str)), windows={"a": ("2024-01-01", "2024-01-31")}, **kw)
    with pytest.raises(ValueError, match=r"windows\['a'\] ends \(2024-01-01\) before it starts"):
        sg.window_activity(log, windows={"a": ("2024-01-31", "2024-01-01")}, **kw)
    with pytest.raises(ValueError, match="non-empty mapping"):
        sg.window_activity(log, windows={}, **kw)
    with pytest.raises(TypeError, match=r"windows\['a'\] start must be a date"):
        sg.window_activity(log, windows={"a": (20240101, "2024-01-31")}, **kw)
    with pytest.raises(ValueError, match="missing column"):
        sg.rfm_table(log.drop(columns="usd"), end="2024-01-31", **kw)
    with pytest.raises(ValueError, match="no transaction on or before end"):
        sg.rfm_table(log, end="2023-12-31", **kw)
    nan_id = log.astype({"id": float})
    nan_id.loc[2, "id"] = np.nan
    with pytest.raises(ValueError, match="column 'id' is missing at row 2"):
        sg.rfm_table(nan_id, end="2024-01-31", **kw)


def test_score_errors():
    tab = _table([1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match=r"cuts\['frequency'\] must be strictly increasing"):
        sg.rfm_scores(tab, cuts={"frequency": [1, 1, 2, 3]})
    with pytest.raises(ValueError, match=r"cuts\['frequency'\] must be 4 finite thresholds"):
        sg.rfm_scores(tab, cuts={"frequency": [1, 2]})
    with pytest.raises(ValueError, match="cuts names unknown metric 'f'"):
        sg.rfm_scores(tab, cuts={"f": [1, 2, 3, 4]})
    with pytest.raises(ValueError, match="bins must be >= 2"):
        sg.rfm_scores(tab, bins=1)
    neg = tab.copy()
    neg.loc[3, "monetary"] = -1.0
    with pytest.raises(ValueError, match=r"column 'monetary' is negative at row 3"):
        sg.rfm_scores(neg)
    with pytest.raises(ValueError, match="lists customer 0 twice"):
        sg.rfm_scores(pd.concat([tab, tab.iloc[:1]]))


def test_name_segments_errors():
    with pytest.raises(ValueError, match=r"scores row 7 \(R = 6, F = 1\) matches no rule"):
        sg.name_segments(pd.DataFrame({"R": [6], "F": [1]}, index=[7]))


def test_class_and_contingency_errors():
    with pytest.raises(ValueError, match="mapping has no class for segment 'vip'"):
        sg.rfm_classes(pd.Series(["vip"]))
    with pytest.raises(ValueError, match="mapping sends a segment to 'gold'"):
        sg.rfm_classes(pd.Series(["loyal"]), {"loyal": "gold"})
    with pytest.raises(ValueError, match="a has label 0 that b lacks"):
        sg.contingency(pd.Series([1, 2]), pd.Series([1, 2], index=[1, 2]))
    with pytest.raises(ValueError, match="b is missing at row 1"):
        sg.contingency(pd.Series([1, 2]), pd.Series([1, None]))
    value = pd.DataFrame({"clv": [1.0, 2.0], "expected_purchases": [1.0, 1.0]})
    with pytest.raises(ValueError, match=r"past_spend\[1\] is negative"):
        sg.value_classes(value, [1.0, -1.0])
    with pytest.raises(ValueError, match="key_share must be > 0"):
        sg.value_classes(value, [1.0, 1.0], key_share=0)
    with pytest.raises(ValueError, match="new must hold one True/False"):
        sg.value_classes(value, [1.0, 1.0], new=[1, 0])


def test_holdout_errors():
    seg = pd.Series(["a", "b"])
    with pytest.raises(ValueError, match="missing column"):
        sg.holdout_by_segment(seg, pd.DataFrame({"spend": [1.0, 2.0]}))
    with pytest.raises(TypeError, match="rng must be"):
        sg.holdout_by_segment(seg, pd.DataFrame({"purchases": [1, 0], "spend": [1.0, 0.0]}), n_boot=5)
    with pytest.raises(ValueError, match="segments has label 1 that holdout lacks"):
        sg.holdout_by_segment(seg, pd.DataFrame({"purchases": [1, 0], "spend": [1.0, 0.0]}, index=[0, 5]))


def test_more_window_and_profile_errors(log):
    kw = dict(customer_id="id", date="day", amount="usd")
    with pytest.raises(ValueError, match=r"windows\['a'\] must be a pair \(start, end\)"):
        sg.window_activity(log, windows={"a": "2024-01-01"}, **kw)
    aware = log.assign(day=log["day"].dt.tz_localize("UTC"))
    with pytest.raises(TypeError, match="must hold naive dates"):
        sg.window_activity(aware, windows={"a": ("2024-01-01", "2024-01-31")}, **kw)
    with pytest.raises(TypeError, match="customer_id must be a column name"):
        sg.rfm_table(log, customer_id=1, date="day", amount="usd", end="2024-01-31")
    tab = _table([1, 2, 3]).assign(revenue=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="segments has 2 entries but table has 3 rows"):
        sg.segment_profile(tab, ["a", "b"])
    with pytest.raises(ValueError, match="shares entry must be <= 1"):
        sg.key_share_whatif(pd.Series([1.0, 2.0]), pd.Series([1.0, 2.0]), shares=[2.0])
    with pytest.raises(ValueError, match=r"missing column\(s\) \['T'\]"):
        sg.customer_value(pd.DataFrame({"frequency": [1], "recency": [1.0], "monetary_value": [1.0]}))
    with pytest.raises(ValueError, match=r"holdout_spend\[1\] is negative"):
        sg.class_agreement(pd.Series(["key", "ordinary"]), pd.Series(["key", "key"]), pd.Series([1.0, -1.0]))


def test_messages_never_show_numpy_scalars():
    """Rows, customers and states are named by the plain values they hold (not np.int64(3))."""
    from crmlib import clustering as cl
    from crmlib import concentration as cc
    from crmlib import key_accounts as ka
    from crmlib import migration as mg

    idx = pd.Index(np.arange(10, 13, dtype=np.int64))
    calls = [
        lambda: cc.gini(pd.Series([1.0, -1.0, 2.0], index=idx)),
        lambda: sg.rfm_scores(pd.DataFrame({"recency": [1.0, 2, 3], "frequency": [1, -1, 2], "monetary": [1.0, 2, 3]},
                                           index=idx)),
        lambda: sg.name_segments(pd.DataFrame({"R": np.array([1, 9, 2]), "F": np.array([1, 1, 1])}, index=idx)),
        lambda: cl.kmeans(pd.DataFrame({"a": [1.0, np.nan, 2.0]}, index=idx), 2, rng=np.random.default_rng(0)),
        lambda: mg.fit_markov_chain(pd.DataFrame({"customer": np.array([7, 7, 7]), "period": np.array([0, 1, 1]),
                                                  "state": ["a", "b", "a"]}), spend=None),
        lambda: mg.migration_clv(pd.DataFrame([[0.5, 0.4], [0.2, 0.8]], index=idx[:2], columns=idx[:2]), [1, 1], 0.1),
        lambda: ka.whale_curve(pd.Series([1.0, np.nan, 2.0], index=idx)),
    ]
    for call in calls:
        with pytest.raises((ValueError, TypeError)) as err:
            call()
        assert "np." not in str(err.value) and "numpy" not in str(err.value), str(err.value)
        assert any(s in str(err.value) for s in ("10", "11", "12", "7", "row 0")), str(err.value)
