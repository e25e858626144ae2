"""Chapter 06's recorded results: the source's facts (seed 002), the default business case
(TCO, NPV, IRR, payback, ROI, EVA, tornado) checked against independent arithmetic, and the
return drivers checked against the other chapters' results."""
from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import notebook_parameters, values
from crmlib import business_case as bc, datasets, loss

CH = "06_cost_and_return"
PARAMS = {**bc.CaseAssumptions().as_dict(), **notebook_parameters("06")}   # the case: crmlib's defaults, the notebook's knobs
DRIVERS = ("kept_share", "close_uplift", "crosssell_gain", "retention")


@pytest.fixture(scope="module")
def r(chapter_results):
    return values(chapter_results(CH))


def _flows_by_hand(r: dict) -> tuple[np.ndarray, np.ndarray]:
    """Benefits and costs of years 0..h from the recorded inputs and the notebook's defaults, by a plain loop."""
    p = PARAMS
    h = p["horizon"]
    ret = r["inputs.retention"]
    added = (p["customers"] * (1 - ret) * r["inputs.kept_share"] + p["prospects"] * r["inputs.close_uplift"]
             + p["customers"] * p["crosssell_uptake"] * r["inputs.crosssell_gain"])
    stock, benefit = 0.0, [0.0]
    for _ in range(h):
        stock = ret * stock + added
        benefit.append(p["margin"] * stock)
    cost = [p["software"] + p["services"] + p["hardware"] + p["training"] + p["integration"]
            + p["project_management"]]
    cost += [p["running"] + (p["productivity_dip"] if t == 1 else 0.0) for t in range(1, h + 1)]
    return np.array(benefit), np.array(cost)


@pytest.mark.notebook
def test_printed_facts(r):
    # seed 002_6df45c4bf5697708.txt, grep 三倍到 四倍: "软件、服务、硬件和培训成本的三倍到四倍"
    assert r["facts.budget_multiple"] == [3, 4]
    # same seed, grep 千万美元: "投入了 3 千万美元到 9 千万美元" (US$30–90 million)
    assert r["facts.crm_spend"] == [30e6, 90e6]
    # same seed, grep 4% ~7: garbled fragment, recorded but not used
    assert r["facts.garbled_share"] == [4, 7]
    assert r["facts.implied_visible_cost"] == pytest.approx([30e6 / 4, 90e6 / 3])


@pytest.mark.notebook
def test_tco_and_the_budget_rule(r):
    benefit, cost = _flows_by_hand(r)
    visible = sum(PARAMS[k] for k in ("software", "services", "hardware", "training"))
    assert r["visible_cost"] == pytest.approx(visible)
    assert r["tco"] == pytest.approx(cost.sum())
    assert r["tco_multiple"] == pytest.approx(cost.sum() / visible)
    assert r["tco_within_rule"] == (3 <= cost.sum() / visible <= 4)
    assert r["rule.budget"] == pytest.approx([3 * visible, 4 * visible])
    cats = sum(r[f"tco.category.{c}"] for c in ("technology", "people", "marketing", "data", "consulting"))
    assert cats == pytest.approx(r["tco"])


@pytest.mark.notebook
def test_npv_irr_payback_roi(r):
    benefit, cost = _flows_by_hand(r)
    net = benefit - cost
    rate = PARAMS["discount_rate"]
    disc = (1 + rate) ** -np.arange(net.size)
    assert r["npv"] == pytest.approx(float(net @ disc), rel=1e-10)
    # the IRR zeroes the NPV
    assert float(net @ (1 + r["irr"]) ** -np.arange(net.size)) == pytest.approx(0, abs=1e-4)
    assert (r["irr"] > rate) == (r["npv"] > 0)
    cum = np.cumsum(net)
    k = int(np.flatnonzero(cum >= 0)[0])
    assert r["payback"] == pytest.approx(k - 1 - cum[k - 1] / net[k])
    assert r["payback"] <= r["discounted_payback"] <= PARAMS["horizon"]
    assert r["roi"] == pytest.approx((benefit.sum() - cost.sum()) / cost.sum())
    assert r["roi_discounted"] == pytest.approx((benefit @ disc - cost @ disc) / (cost @ disc))


@pytest.mark.notebook
def test_eva(r):
    assert len(r["eva.by_year"]) == PARAMS["horizon"]
    assert r["eva.pv"] == pytest.approx(r["npv"], rel=1e-9)            # PV of EVA = NPV (no tax)
    assert r["eva.pv_after_tax"] == pytest.approx(r["npv_after_tax"], rel=1e-9)
    assert r["npv_after_tax"] < r["npv"]
    assert r["eva.by_year"][0] < 0 < r["eva.by_year"][-1]              # capital charge bites early


@pytest.mark.notebook
def test_tornado_ranking(r):
    ranking, swing = r["tornado.ranking"], r["tornado.swing"]
    assert sorted(ranking) == sorted(["kept_share", "close_uplift", "crosssell_gain", "retention", "margin",
                                      "running", "hidden_scale", "discount_rate"])
    s = [swing[k] for k in ranking]
    assert s == sorted(s, reverse=True) and s[-1] > 0
    # the margin multiplies every benefit: its ±25 % swing is 50 % of the PV of benefits
    benefit, _ = _flows_by_hand(r)
    pv_benefit = float(benefit @ (1 + PARAMS["discount_rate"]) ** -np.arange(benefit.size))
    assert swing["margin"] == pytest.approx(0.5 * pv_benefit, rel=1e-9)


@pytest.mark.notebook
def test_defaults_come_from_the_other_chapters(r, chapter_results, chapter_runs):
    """kept_share is chapter 02's what-if (its results when run in this session, else crmlib's recomputation)."""
    _, outcomes = chapter_runs
    ch02 = "02_why_customers_are_lost"
    if (ch02, "en") in outcomes:
        kept = values(chapter_results(ch02))["whatif.kept_per_1000"] / 1000
    else:
        d = notebook_parameters("02")
        shares = datasets.load("loss_causes").set_index("cause_id")["share_pct"]
        kept = loss.whatif_kept(shares, {"complaints": d["cut_complaints"],
                                         "communication": d["cut_communication"]})["kept"].sum() / 1000
    assert r["inputs.kept_share"] == pytest.approx(kept)
    for k in DRIVERS:
        assert 0 <= r[f"inputs.{k}"] <= 1
    assert r["added_customers_per_year"] > 0


@pytest.mark.notebook
def test_scorecard(r):
    ret = r["inputs.retention"]
    assert r["scorecard.retention"][0] == pytest.approx(100 * ret)
    assert r["scorecard.retention"][1] > r["scorecard.retention"][0]
    lo, hi = r["scorecard.loyalty"]
    assert lo == pytest.approx(1 / (1 - ret)) and hi > lo
    # complaints: 10 % of 1,000 lost (Table 1-1, seed 001), cut by chapter 02's default what-if
    before, after = r["scorecard.satisfaction"]
    assert before == pytest.approx(100) and after < before
    assert r["scorecard.eva_pv"][1] == pytest.approx(r["eva.pv"])
    assert not any(math.isnan(v) for k, pair in r.items() if k.startswith("scorecard.") for v in pair)


@pytest.mark.notebook
def test_chinese_run_records_the_same_numbers(chapter_results):
    en, zh = values(chapter_results(CH)), values(chapter_results(CH, "zh"))
    assert en == zh
