"""Chapter 04's recorded results against the bank study of seed 000
(000_a2de3e033440553d.txt, grep 留住顾客的概率) and the planted synthetic data."""
from __future__ import annotations

import pytest

from conftest import values

CH = "04_cross_selling_retention"
# As printed in seed 000 (留住顾客的概率): probability the bank keeps the customer, percent.
PRINTED = {"checking_only": 1, "savings_only": 0.5, "both_accounts": 10, "three_services": 18, "four_or_more": 100}


@pytest.fixture(scope="module")
def doc(chapter_results):
    return chapter_results(CH)


@pytest.fixture(scope="module")
def r(doc):
    return values(doc)


@pytest.mark.notebook
def test_source_numbers_exactly_as_printed(r, doc):
    for holding, p in PRINTED.items():
        assert r[f"source.kept_pct.{holding}"] == p
        entry = doc["results"][f"source.kept_pct.{holding}"]
        assert entry["source"]["phrase"] == "留住顾客的概率" and entry["matches"] is True
    # the literal reading the chapter criticises: 99 % of checking-only customers lost a year
    assert r["source.lost_pct.checking_only"] == pytest.approx(99)
    assert r["source.times_checking_only.both_accounts"] == pytest.approx(10)
    assert r["source.times_checking_only.three_services"] == pytest.approx(18)


@pytest.mark.notebook
def test_retention_rises_with_products_and_intervals_hold(r):
    rates = [r[f"retention.n{k}.rate"] for k in range(1, 6)]
    assert rates == sorted(rates) and rates[0] < 0.75 and rates[-1] > 0.9
    total = sum(r[f"retention.n{k}.customers"] for k in range(1, 6))
    assert total == r["customers.n"] == 4000          # small mode: a subsample of the 10,000
    for k in range(1, 6):
        lo, hi = r[f"retention.n{k}.ci95"]
        assert 0 <= lo < r[f"retention.n{k}.rate"] < hi <= 1
    # neighbouring counts' intervals do not overlap for 1 → 2 → 3 products
    assert r["retention.n1.ci95"][1] < r["retention.n2.ci95"][0]
    assert r["retention.n2.ci95"][1] < r["retention.n3.ci95"][0]
    # and nothing like the source's levels: a one-product customer stays far more often than 1 %
    assert r["retention.n1.rate"] > 50 * PRINTED["checking_only"] / 100


@pytest.mark.notebook
def test_logit_coefficients_and_marginal_effects(r):
    b = r["logit.count.n_products"]
    assert 0.6 < b < 1.2                       # planted log-odds of leaving -0.70 per product, plus confounding
    assert r["logit.count.odds_ratio"] == pytest.approx(2.718281828459045 ** b)
    lo, hi = r["logit.count.ame_ci95"]
    assert 0.08 < lo < r["logit.count.ame"] < hi < 0.2
    assert r["logit.count.effect_one_more"] == pytest.approx(r["logit.count.ame"], abs=0.04)
    p = [r[f"logit.count.p_stay.n{k}"] for k in range(1, 6)]
    assert p == sorted(p)
    assert all(r[f"logit.types.{x}"] > 0 for x in ("checking", "savings", "card", "loan", "investment"))
    assert r["logit.types.ame.loan"] > r["logit.types.ame.savings"]


@pytest.mark.notebook
def test_whatif_defaults(r):
    s = r["whatif.single_share"]
    # model: 10,000 × share × 20 % × (P(stay|2) − P(stay|1)); source: the same with 10 % − 1 %
    kept_model = 10_000 * s * 0.20 * (r["logit.count.p_stay.n2"] - r["logit.count.p_stay.n1"])
    assert r["whatif.model.kept_per_10000"] == pytest.approx(kept_model)
    assert r["whatif.source.kept_per_10000"] == pytest.approx(10_000 * s * 0.20 * (0.10 - 0.01))
    assert r["whatif.model.value_usd"] == pytest.approx(200 * kept_model)
    assert r["whatif.model.kept_per_10000"] > r["whatif.source.kept_per_10000"]


@pytest.mark.notebook
def test_diapers_beer_rule(r):
    assert r["baskets.n"] == 20_000
    s, c, lift = (r[f"rule.diapers_beer.{k}"] for k in ("support", "confidence", "lift"))
    assert c == pytest.approx(s / r["rule.diapers_beer.support_a"])
    assert lift == pytest.approx(c / r["rule.diapers_beer.support_b"])
    assert lift > 1.5
    assert r["rule.diapers_beer.weekend_evening.lift"] > lift > r["rule.diapers_beer.other_times.max_lift"] / 2
    assert r["rule.diapers_beer.weekend_evening.lift"] > 1.5 * r["rule.diapers_beer.other_times.max_lift"]
    assert r["rule.diapers_beer.weekend_evening.confidence"] > 0.4
    assert r["rule.diapers_beer.strongest_cell"][0] in ("Sat", "Sun")
    assert r["rule.diapers_beer.strongest_cell"][1] == "evening"
    assert r["rules.top_pair"] == ["baby_wipes", "diapers"]


@pytest.mark.notebook
def test_chinese_run_records_the_same_numbers(chapter_results):
    en, zh = values(chapter_results(CH)), values(chapter_results(CH, "zh"))
    assert en == zh
