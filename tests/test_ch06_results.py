"""Chapter 06's recorded results: the source's facts (S2), the default business case (one-off cost
and TCO against the 3–4 × rule, NPV, IRR, payback, ROI, EVA, tornado, scorecard) checked against
independent arithmetic. That the inputs equal the other chapters' results is tests/test_consistency.py."""
from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import notebook_parameters, values
from crmlib import business_case as bc, datasets

CH = "06_cost_and_return"
PARAMS = {**bc.CaseAssumptions().as_dict(), **notebook_parameters("06")}   # the case: crmlib's defaults, the notebook's knobs
VISIBLE = sum(PARAMS[k] for k in ("software", "services", "hardware", "training"))
HIDDEN = PARAMS["integration"] + PARAMS["project_management"] + PARAMS["productivity_dip"]


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
    cost = [VISIBLE + p["integration"] + p["project_management"]]
    cost += [p["running"] + (p["productivity_dip"] if t == 1 else 0.0) for t in range(1, h + 1)]
    return np.array(benefit), np.array(cost)


def _payback(net: np.ndarray) -> float | None:
    """First time the cumulative flow reaches zero, interpolated within the year; None if never."""
    cum = np.cumsum(net)
    hit = np.flatnonzero(cum >= 0)
    if hit.size == 0:
        return None
    k = int(hit[0])
    return k - 1 - cum[k - 1] / net[k]


@pytest.mark.notebook
def test_printed_facts(r):
    f = datasets.load("roi_facts").set_index("fact_id")
    # S2, grep 三倍到 四倍: "软件、服务、硬件和培训成本的三倍到四倍"
    assert r["facts.budget_multiple"] == [3, 4]
    # S2, grep 千万美元: "投入了 3 千万美元到 9 千万美元" (US$30–90 million)
    assert r["facts.crm_spend"] == [30e6, 90e6]
    # S2, grep 4% ~7: "4% ~7 % … O 5" read as 4[0] %–7[5] %: hidden costs are 40–75 % of total project cost
    assert r["facts.hidden_share"] == [f.loc["hidden_share", "value_low"], f.loc["hidden_share", "value_high"]] \
        == [40, 75]
    assert "facts.garbled_share" not in r
    assert r["facts.hidden_share_multiple"] == pytest.approx([1 / (1 - 0.40), 1 / (1 - 0.75)])
    assert r["facts.implied_visible_cost"] == pytest.approx([30e6 / 4, 90e6 / 3])
    assert (r["facts.bsc_year"], r["facts.eva_year"]) == (1990, 1991)


@pytest.mark.notebook
def test_the_budget_rule_is_held_against_the_one_off_cost(r):
    benefit, cost = _flows_by_hand(r)
    assert r["visible_cost"] == pytest.approx(VISIBLE)
    assert r["one_off_cost"] == pytest.approx(VISIBLE + HIDDEN)
    assert r["one_off_multiple"] == pytest.approx((VISIBLE + HIDDEN) / VISIBLE)
    m = r["one_off_multiple"]
    assert r["rule.one_off_position"] == ("below" if m < 3 else "above" if m > 4 else "inside")
    assert r["hidden_share_of_one_off"] == pytest.approx(HIDDEN / (VISIBLE + HIDDEN))
    assert r["rule.budget"] == pytest.approx([3 * VISIBLE, 4 * VISIBLE])
    # the TCO's multiple grows with the years of running cost it counts; 0 years is the one-off cost
    by_years = r["rule.multiple_by_running_years"]
    assert sorted(int(k) for k in by_years) == sorted({0, 3, 4, 5, PARAMS["horizon"]})
    for k, v in by_years.items():
        assert v == pytest.approx((VISIBLE + HIDDEN + int(k) * PARAMS["running"]) / VISIBLE)
    assert r["tco"] == pytest.approx(cost.sum()) and r["tco_multiple"] == pytest.approx(cost.sum() / VISIBLE)
    assert by_years[str(PARAMS["horizon"])] == pytest.approx(r["tco_multiple"])
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
    plain, discounted = _payback(net), _payback(net * disc)
    assert r["payback"] == (None if plain is None else pytest.approx(plain))
    assert r["discounted_payback"] == (None if discounted is None else pytest.approx(discounted))
    assert (discounted is not None) == (r["npv"] >= 0)       # discounted payback within the horizon iff NPV >= 0
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
    assert s == sorted(s, reverse=True)
    # a driver that is 0 in the base case has no bar (±25 % of nothing); every other one moves the NPV
    assert all((swing[k] == 0) == (r[f"inputs.{k}"] == 0) for k in ("kept_share", "close_uplift", "crosssell_gain"))
    assert all(swing[k] > 0 for k in ("retention", "margin", "running", "hidden_scale", "discount_rate"))
    # the margin multiplies every benefit: its ±25 % swing is 50 % of the PV of benefits
    benefit, _ = _flows_by_hand(r)
    pv_benefit = float(benefit @ (1 + PARAMS["discount_rate"]) ** -np.arange(benefit.size))
    assert swing["margin"] == pytest.approx(0.5 * pv_benefit, rel=1e-9)
    assert set(r["tornado.flips"]) <= set(ranking)


@pytest.mark.notebook
def test_npv_by_retention_alternative(r):
    """The NPV at each retention the inputs table shows; lower retention leaves more customers to keep."""
    npv = r["npv_by_retention"]
    assert npv["retention"] == pytest.approx(r["npv"])
    order = sorted(npv, key=lambda k: r[f"inputs.{k}"])
    assert [npv[k] for k in order] == sorted(npv.values(), reverse=True)


@pytest.mark.notebook
def test_scorecard(r):
    ret = r["inputs.retention"]
    assert r["scorecard.retention"][0] == pytest.approx(100 * ret)
    assert r["scorecard.retention"][1] > r["scorecard.retention"][0]
    lo, hi = r["scorecard.loyalty"]
    assert lo == pytest.approx(1 / (1 - ret)) and hi > lo
    # complaints: 10 % of 1,000 lost (Table 1-1, S1), cut by chapter 02's default what-if
    before, after = r["scorecard.satisfaction"]
    assert before == pytest.approx(100) and after < before
    assert r["scorecard.eva_pv"][1] == pytest.approx(r["eva.pv"])
    # customers kept per year: fewer losses plus cross-selling, the same customers the cash flows add
    n = PARAMS["customers"]
    kept = n * (1 - ret) * r["inputs.kept_share"] + n * PARAMS["crosssell_uptake"] * r["inputs.crosssell_gain"]
    assert r["scorecard.customers_kept"] == pytest.approx([0, kept])
    # profit per customer-year falls: the margin is unchanged, the CRM's yearly cost is spread over all customers
    p0, p1 = r["scorecard.customer_profitability"]
    assert p0 == PARAMS["margin"] and p1 < p0
    assert not any(math.isnan(v) for k, pair in r.items() if k.startswith("scorecard.") for v in pair)


@pytest.mark.notebook
def test_chinese_run_records_the_same_numbers(chapter_results):
    en, zh = values(chapter_results(CH)), values(chapter_results(CH, "zh"))
    assert en == zh
