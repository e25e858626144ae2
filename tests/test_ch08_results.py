"""Chapter 08's recorded results against independent computations from the shipped files.

Every check below re-derives a number from ``datasets/cdnow/CDNOW_master.txt`` or
``datasets/synthetic/accounts.csv`` with plain pandas/numpy (no crmlib computation), as a reader of the
results' ``dataset_source`` records would:

* revenue concentration over the whole 78 weeks (1997-01-01 to 1998-06-30), the calibration weeks (to
  1997-09-30) and the holdout weeks: Gini by the sorted-values formula
  ``G = 2 sum_i i x_(i) / (n sum x) - (n + 1) / n`` and the share of the ``ceil(0.2 n)`` largest;
* persistence of the top 20 % (ties at the cut-off kept, spend 0 never top);
* RFM quintile cut points as the inverted-CDF quantiles, the seven named segments from the rule table;
* the quarterly migration matrix (91-day quarters from 1997-01-01), its stationary mix and the
  Pfeifer-Carraway CLV with the end-of-period convention;
* the account book's whale curve, loss-makers and the key-account manager's break-even.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from conftest import values
from crmlib import datasets

CH = "08_segmentation_key_accounts"
CAL_END, HOLD_START, END = pd.Timestamp("1997-09-30"), pd.Timestamp("1997-10-01"), pd.Timestamp("1998-06-30")
START = pd.Timestamp("1997-01-01")


@pytest.fixture(scope="module")
def r(chapter_results):
    return values(chapter_results(CH))


@pytest.fixture(scope="module")
def doc(chapter_results):
    return chapter_results(CH)["results"]


@pytest.fixture(scope="module")
def log():
    raw = pd.read_csv(datasets.path("cdnow_master"), sep=r"\s+", dtype={"date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw


@pytest.fixture(scope="module")
def spend(log):
    ids = np.sort(log["customer_id"].unique())

    def window(lo, hi):
        inside = log[(log["date"] >= lo) & (log["date"] <= hi)]
        return inside.groupby("customer_id")["dollar_value"].sum().reindex(ids, fill_value=0.0)

    return pd.DataFrame({"all": window(START, END), "calibration": window(START, CAL_END),
                         "holdout": window(HOLD_START, END)})


def gini(x):
    s = np.sort(np.asarray(x, dtype=float))
    n = s.size
    return 2 * np.sum(np.arange(1, n + 1) * s) / (n * s.sum()) - (n + 1) / n


def top_share(x, share=0.2):
    s = np.sort(np.asarray(x, dtype=float))[::-1]
    k = math.ceil(share * s.size)
    return s[:k].sum() / s.sum()


def top_members(x, share=0.2):
    s = np.sort(np.asarray(x, dtype=float))[::-1]
    cut = s[math.ceil(share * s.size) - 1]
    return (x >= cut) & (x > 0)


def inverted_cdf(v, qs=(0.2, 0.4, 0.6, 0.8)):
    s = np.sort(np.asarray(v, dtype=float))
    return [float(s[math.ceil(q * s.size) - 1]) for q in qs]


# ------------------------------------------------------------------ 8.1 concentration
@pytest.mark.notebook
def test_concentration_over_the_whole_78_weeks_from_the_csv(r, doc, log, spend):
    assert r["cdnow.customers"] == log["customer_id"].nunique() == 23_570
    assert r["cdnow.transactions"] == len(log)
    assert r["concentration.all.gini"] == pytest.approx(gini(spend["all"]), abs=1e-9)
    assert r["concentration.all.top_share"] == pytest.approx(top_share(spend["all"]), abs=1e-12)
    assert 0.62 < r["concentration.all.gini"] < 0.65 and 0.66 < r["concentration.all.top_share"] < 0.69
    for key in ("gini", "top_share"):
        lo, hi = r[f"concentration.all.{key}_ci"]
        assert lo < r[f"concentration.all.{key}"] < hi
    low_half = np.sort(spend["all"].to_numpy())[: len(spend) // 2].sum() / spend["all"].sum()
    assert r["concentration.all.bottom_half"] == pytest.approx(low_half, abs=1e-12)
    # the data set is the source, with the file's own hash: anyone can re-derive the numbers
    for key in ("concentration.all.gini", "concentration.all.top_share"):
        src = doc[key]["source"]
        assert src["kind"] == "dataset" and src["dataset"] == "cdnow_master"
        assert src["sha256"] == datasets.sha256(datasets.path("cdnow_master")) and "1998-06-30" in src["how"]


@pytest.mark.notebook
def test_calibration_and_holdout_concentration(r, spend):
    for period in ("calibration", "holdout"):
        x = spend[period]
        assert r[f"concentration.{period}.gini"] == pytest.approx(gini(x), abs=1e-9)
        assert r[f"concentration.{period}.top_share"] == pytest.approx(top_share(x), abs=1e-12)
        assert r[f"concentration.{period}.buyers"] == int((x > 0).sum())
        assert r[f"concentration.{period}.total"] == pytest.approx(x.sum())
    assert r["concentration.holdout.gini"] > r["concentration.all.gini"] > r["concentration.calibration.gini"]


@pytest.mark.notebook
def test_do_top_customers_stay_on_top(r, spend):
    before, after = top_members(spend["calibration"]), top_members(spend["holdout"])
    both = before & after
    assert r["persistence.top_before"] == before.sum() and r["persistence.top_after"] == after.sum()
    assert r["persistence.stayed"] == both.sum()
    assert r["persistence.stayed_share"] == pytest.approx(both.sum() / before.sum())
    assert r["persistence.lapsed_share"] == pytest.approx((before & (spend["holdout"] == 0)).sum() / before.sum())
    brought = spend["holdout"][before].sum() / spend["holdout"].sum()
    assert r["persistence.after_share_of_top_before"] == pytest.approx(brought)
    assert brought < 0.8                                      # the 80/20 rule does not hold ex ante
    lo, hi = r["persistence.after_share_of_top_before_ci"]
    assert lo < brought < hi


# ------------------------------------------------------------------ 8.2 RFM
@pytest.fixture(scope="module")
def rfm(log):
    cal = log[log["date"] <= CAL_END]
    days = cal.groupby(["customer_id", "date"])["dollar_value"].sum().reset_index()
    g = days.groupby("customer_id")
    return pd.DataFrame({"recency": (CAL_END - g["date"].max()).dt.days / 7.0, "frequency": g.size(),
                         "monetary": g["dollar_value"].mean()})


@pytest.mark.notebook
def test_rfm_cut_points_ties_and_segments(r, rfm):
    assert r["rfm.customers"] == len(rfm)
    assert r["rfm.one_day_share"] == pytest.approx((rfm["frequency"] == 1).mean())
    for metric in ("recency", "frequency", "monetary"):
        assert r[f"rfm.cuts.{metric}"] == pytest.approx(inverted_cdf(rfm[metric]))
    assert r["rfm.cuts.frequency"] == [1, 1, 2, 3] and r["rfm.empty_f_scores"] == [2]
    f = 1 + sum((rfm["frequency"] > c).astype(int) for c in r["rfm.cuts.frequency"])
    R = 5 - sum((rfm["recency"] > c).astype(int) for c in r["rfm.cuts.recency"])
    assert [r[f"rfm.f_sizes.{s}"]["f_quintile"] for s in range(1, 6)] == [int((f == s).sum()) for s in range(1, 6)]
    hand = 1 + sum((rfm["frequency"] > c).astype(int) for c in (1, 2, 3, 5))
    assert [r[f"rfm.f_sizes.{s}"]["f_hand"] for s in range(1, 6)] == [int((hand == s).sum()) for s in range(1, 6)]
    # the seven named segments: first matching (R, F) rule of the rule table
    from crmlib.segments import RFM_SEGMENTS
    left = pd.Series(True, index=rfm.index)
    for rule in RFM_SEGMENTS.itertuples():
        hit = left & R.between(rule.r_min, rule.r_max) & f.between(rule.f_min, rule.f_max)
        assert r[f"rfm.segment.{rule.segment}"] == int(hit.sum()), rule.segment
        left &= ~hit
    assert not left.any()
    assert r["rfm.segment.promising"] == 0 < r["rfm.promising_hand_cut"]


@pytest.mark.notebook
def test_holdout_spend_by_segment_ranks_champions_first(r):
    spend = {k.split(".")[-1]: v for k, v in r.items() if k.startswith("holdout.segment_spend.")}
    assert "promising" not in spend                      # empty with quintile cuts: no mean to record
    assert max(spend, key=spend.get) == "champions"
    assert spend["champions"] > 3 * spend["loyal"] > spend["hibernating"]


# ------------------------------------------------------------------ 8.3 value classes
@pytest.mark.notebook
def test_value_classes_and_who_is_right_in_the_holdout(r, spend):
    n = r["cdnow.customers"]
    assert sum(r[f"value_class.{c}"] for c in ("key", "potential", "ordinary")) == n
    assert r["value_class.key"] == math.ceil(0.2 * n)
    assert sum(r[f"rfm_class.{c}"] for c in ("key", "potential", "ordinary")) == n
    assert r["rfm_class.key"] == r["rfm.segment.champions"] + r["rfm.segment.loyal"]
    cells = {k[len("agreement.customers."):]: v for k, v in r.items() if k.startswith("agreement.customers.")}
    assert sum(cells.values()) == n
    # where both say key the holdout spend is highest; RFM-only key customers spend far less
    sp = {k[len("agreement.spend."):]: v for k, v in r.items() if k.startswith("agreement.spend.")}
    assert sp["key.key"] > 3 * sp["ordinary.key"] > sp["ordinary.ordinary"]
    total = sum(sp[c] * cells[c] for c in cells)
    assert total == pytest.approx(spend["holdout"].sum(), rel=1e-9)
    # same-size lists: the CLV ranking brings more of the holdout revenue than the past-spend ranking
    for s in (5, 10, 20, 30):
        assert r[f"ranking.by_clv.top{s}"] > r[f"ranking.by_past_spend.top{s}"]
    assert r["ranking.by_past_spend.top20"] == pytest.approx(r["persistence.after_share_of_top_before"], abs=1e-12)
    assert r["master_fit.bgnbd.r"] == pytest.approx(0.2516, abs=0.002)   # the master file's own fit, near the
    assert r["master_fit.bgnbd.alpha"] == pytest.approx(4.79, abs=0.05)  # sample's published 0.243 / 4.414


# ------------------------------------------------------------------ 8.4 clustering
@pytest.mark.notebook
def test_kmeans_choice_and_agreement(r):
    sil = {int(k): v for k, v in r["kmeans.silhouette"].items()}
    assert sorted(sil) == list(range(2, 9))
    assert r["kmeans.best_k"] == max(sil, key=sil.get)
    assert sum(r[k] for k in r if k.startswith("kmeans.size.")) == r["cdnow.customers"]
    for name in ("segments", "rfm_classes", "value_classes"):
        assert -1 <= r[f"kmeans.ari.{name}"] <= 1
    assert r["kmeans.ari.segments"] < r["kmeans.ari.rfm_classes"]


# ------------------------------------------------------------------ 8.5 migration
@pytest.fixture(scope="module")
def quarterly(log):
    q = ((log["date"] - START).dt.days // 91).rename("quarter")
    table = log.groupby(["customer_id", q])["dollar_value"].sum().unstack(fill_value=0.0)
    return table.reindex(columns=range(6), fill_value=0.0)


def _states(quarterly, high=50.0):
    s = quarterly.to_numpy()
    bought = s > 0
    prev = np.zeros_like(bought)
    prev[:, 1:] = bought[:, :-1]
    lab = np.where(bought, np.where(s >= high, "high", "low"), np.where(prev, "lapsed", "inactive"))
    started = np.cumsum(bought, axis=1) > 0
    return np.where(started, lab, ""), s


@pytest.mark.notebook
def test_transition_matrix_stationary_mix_and_migration_clv(r, quarterly):
    lab, s = _states(quarterly)
    order = ["high", "low", "lapsed", "inactive"]
    a, b = lab[:, :-1].ravel(), lab[:, 1:].ravel()
    ok = (a != "") & (b != "")
    counts = pd.crosstab(pd.Categorical(a[ok], order), pd.Categorical(b[ok], order), dropna=False)
    P = (counts.T / counts.sum(axis=1)).T.to_numpy()
    for i, x in enumerate(order):
        for j, y in enumerate(order):
            assert r[f"markov.p.{x}.{y}"] == pytest.approx(P[i, j], abs=1e-12)
            lo, hi = r[f"markov.p_ci.{x}.{y}"]
            assert lo <= P[i, j] <= hi
    pi = np.array([r[f"markov.stationary.{x}"] for x in order])
    assert pi.sum() == pytest.approx(1) and pi @ P == pytest.approx(pi, abs=1e-10)
    assert pi[3] > 0.8 and pi[0] < 0.05
    # Pfeifer & Carraway, end of each quarter, 12 quarters, 10 % a year
    R = np.array([s[lab == x].mean() if (lab == x).any() else 0.0 for x in order])
    d = 1.1 ** (91 / 364) - 1
    V = sum(np.linalg.matrix_power(P, t) @ R / (1 + d) ** t for t in range(1, 13))
    for i, x in enumerate(order):
        assert r[f"markov.clv.{x}"] == pytest.approx(V[i], rel=1e-9)
        lo, hi = r[f"markov.clv_ci.{x}"]
        assert lo < V[i] < hi
    # holdout check: actual holdout spend of the customers in each state in the last calibration quarter
    hold = s[:, 3:].sum(axis=1)
    for x in order:
        assert r[f"holdout_check.{x}.actual"] == pytest.approx(hold[lab[:, 2] == x].mean())
    assert r["holdout_check.high.btyd"] > 2 * r["holdout_check.high.markov"]


# ------------------------------------------------------------------ 8.6 key accounts
@pytest.fixture(scope="module")
def book():
    b = pd.read_csv(datasets.path("accounts"))
    b["price_paid"] = b["list_revenue_usd"] - b["discount_usd"]
    b["net"] = (b["price_paid"] - b["production_cost_usd"] - b["marketing_cost_usd"] - b["service_cost_usd"]
                - b["kam_cost_usd"])
    return b


@pytest.mark.notebook
def test_whale_curve_and_loss_makers(r, doc, book):
    net = book["net"].sort_values(ascending=False).to_numpy()
    share = np.cumsum(net) / net.sum()
    assert r["accounts.n"] == len(book) == 600
    assert r["accounts.net_profit"] == pytest.approx(net.sum()) and doc["accounts.net_profit"]["matches"] is True
    assert doc["accounts.net_profit"]["source"]["source_id"] == "S5"
    assert r["accounts.peak_share"] == pytest.approx(share.max())
    assert r["accounts.peak_accounts"] == int(np.argmax(share)) + 1 == int((net > 0).sum())
    assert r["accounts.loss_accounts"] == int((net < 0).sum())
    assert r["accounts.losses"] == pytest.approx(net[net < 0].sum())
    assert r["accounts.top20_profit_share"] == pytest.approx(share[math.ceil(0.2 * len(net)) - 1])
    assert 1.3 < r["accounts.peak_share"] < 1.7


@pytest.mark.notebook
def test_key_account_manager_break_even(r, book):
    kam = book[book["key_account_manager"]]
    C = kam["kam_cost_usd"].to_numpy(dtype=float)
    assert r["kam.accounts"] == len(kam)
    assert r["kam.extra_margin_per_account"] == pytest.approx(C.mean())
    half = 1.959964 * C.std(ddof=1) / np.sqrt(C.size)
    assert r["kam.extra_margin_per_account_ci"] == pytest.approx([C.mean() - half, C.mean() + half], rel=1e-6)
    contribution = (kam["price_paid"] - kam["production_cost_usd"]).sum()
    assert r["kam.revenue_uplift"] == pytest.approx(C.sum() / contribution)
    margin = (kam["net"] + kam["kam_cost_usd"]).sum()
    assert r["kam.retention_uplift"] == pytest.approx((1 + 0.10 - 0.80) * C.sum() / margin)
    lo, hi = r["kam.revenue_uplift_ci_bootstrap"]
    assert lo < r["kam.revenue_uplift"] < hi


@pytest.mark.notebook
def test_whatif_default_case(r, book):
    k = math.ceil(r["whatif.key_share"] * len(book))
    assert r["whatif.key_by"] == "price_paid" and r["whatif.key_accounts"] == k
    top = book.sort_values("price_paid", ascending=False).head(k)
    assert r["whatif.revenue_share"] == pytest.approx(top["price_paid"].sum() / book["price_paid"].sum())
    assert r["whatif.profit_share"] == pytest.approx(top["net"].sum() / book["net"].sum())
    assert r["whatif.loss_making"] == int((top["net"] < 0).sum())
    assert r["whatif.managers_total"] == pytest.approx(k * r["whatif.manager_cost"])


# ------------------------------------------------------------------ both editions, the exercises
@pytest.mark.notebook
def test_exercise_answers_agree_with_the_chapter(r):
    from crmbook.exercises import ch08

    ans = {s["number"]: s["answer"] for s in ch08.EXERCISES.bind("en").solutions()}
    assert ans["8.1"] == pytest.approx(100 * r["concentration.all.top_share"])
    assert ans["8.4"] == pytest.approx(sum(r[f"markov.p.high.{x}"] * r[f"markov.p.{x}.high"]
                                           for x in ("high", "low", "lapsed", "inactive")))
    assert ans["8.6"] == ("yes" if r["persistence.after_share_of_top_before"] >= 0.8 else "no")
    assert ans["8.7"] == r["accounts.loss_accounts"]


@pytest.mark.notebook
def test_chinese_run_records_the_same_numbers(chapter_results):
    en, zh = values(chapter_results(CH)), values(chapter_results(CH, "zh"))
    assert en == zh
    assert len(en) >= 40
