"""Chapter 05's recorded results against the source and the published papers.

Source figures: seed 000 (000_a2de3e033440553d.txt), grep 北欧航空 (the three lifetime values),
现阶段净利润 (current value), 5-10 倍 (acquisition vs retention).
Published values are read from datasets/published/btyd_published_params.csv (their one place); they are:
* sBG: Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1) 76-90,
  estimates on years 1-7: regular gamma 0.704, delta 1.182; high end gamma 0.668, delta 3.806; survivors of
  years 8-12 as published (regular 223 207 194 183 173; high end 468 445 427 409 394).
* BG/NBD and Pareto/NBD: Fader, Hardie & Lee (2005), "'Counting your customers' the easy way",
  Marketing Science 24(2) 275-284, section 4 (CDNOW 1/10th sample, 2,357 customers, 39-week calibration):
  BG/NBD r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4; Pareto/NBD r 0.553, alpha 10.578, s 0.606,
  beta 11.669, LL -9595.0.
* Gamma-Gamma: Fader & Hardie (2013), "The Gamma-Gamma model of monetary value" (note 025): p 6.25,
  q 3.74, gamma 15.44 (946 repeat customers).
"""
from __future__ import annotations

import pytest

from conftest import values

CH = "05_customer_lifetime_value"
CASES = {"sas": (480_000, 20), "cadillac": (332_000, 30), "marlboro": (25_000, 30)}
from crmlib import datasets  # noqa: E402

_PUB = datasets.load("btyd_published_params")


def _published(model, dataset="cdnow_sample"):
    """The published estimates of ``model`` (datasets/published/btyd_published_params.csv: one place)."""
    t = _PUB[(_PUB["model"] == model) & (_PUB["dataset"] == dataset) & (_PUB["parameter"] != "llf")]
    return dict(zip(t["parameter"], t["value"]))


SBG = {c: _published("sbg", c) for c in ("regular", "high_end")}
SBG_ACTUAL_8_12 = {"regular": [223, 207, 194, 183, 173], "high_end": [468, 445, 427, 409, 394]}
BGNBD, PNBD, GG = (_published(m) for m in ("bgnbd", "pnbd", "gg"))
assert set(BGNBD) == {"r", "alpha", "a", "b"} and set(PNBD) == {"r", "alpha", "s", "beta"} and len(GG) == 3


@pytest.fixture(scope="module")
def r(chapter_results):
    return values(chapter_results(CH))


@pytest.mark.notebook
def test_textbook_cases_as_printed_and_their_implied_margins(r):
    for case, (usd, years) in CASES.items():
        assert r[f"case.{case}.clv_usd"] == usd
        assert r[f"case.{case}.horizon_years"] == years
        assert r[f"case.{case}.margin_undiscounted"] == pytest.approx(usd / years)
        # with 90 % retention and 10 % discount far more margin is needed, and the printed margin is worth less
        assert r[f"case.{case}.margin_r90_d10"] > 2 * usd / years
        assert r[f"case.{case}.printed_margin_value_r90_d10"] < 0.5 * usd
    # SAS: sum_{t=1}^{20} 0.9^(t-1) / 1.1^t = 4.9097...; 480,000 / 4.9097 = 97,767
    assert r["case.sas.margin_r90_d10"] == pytest.approx(97_766.8, abs=0.5)


@pytest.mark.notebook
def test_current_value_acquisition_and_whatif(r):
    # 1200 - 640 - 150 - 110 (the illustrative customer of the notebook)
    assert r["current_value.example"] == pytest.approx(300.0)
    # 1,000 customers at US$100: replacing costs 5x / 10x keeping
    assert r["acquisition.ratio_5.extra_cost"] == pytest.approx(400_000)
    assert r["acquisition.ratio_10.extra_cost"] == pytest.approx(900_000)
    # defaults m=2000, r=0.85, d=0.08: infinite horizon m / (1 + d - r) = 2000 / 0.23
    assert r["whatif.clv_infinite"] == pytest.approx(2000 / 0.23)
    assert r["whatif.clv"] < r["whatif.clv_infinite"]


@pytest.mark.notebook
def test_sbg_matches_fader_hardie_2007(r):
    for cohort, params in SBG.items():
        for name, value in params.items():
            assert r[f"sbg.{cohort}.{name}"] == pytest.approx(value, abs=5e-4), (cohort, name)
            assert r[f"sbg.{cohort}.{name}_se"] > 0
        assert r[f"sbg.{cohort}.actual_8_12"] == SBG_ACTUAL_8_12[cohort]
        proj, const = r[f"sbg.{cohort}.projection_8_12"], r[f"sbg.{cohort}.constant_projection_8_12"]
        for p, c, a in zip(proj, const, SBG_ACTUAL_8_12[cohort]):
            assert abs(p / a - 1) < 0.05          # the sBG projection stays within 5 % ...
            assert c < p and c < a                # ... the constant-retention projection falls short
        assert r[f"sbg.{cohort}.year12_error_pct.constant"] < -25
        assert r[f"sbg.{cohort}.retention_year12"] > r[f"sbg.{cohort}.constant_retention"]


@pytest.mark.notebook
def test_btyd_models_match_the_published_estimates(r):
    assert r["cdnow.customers"] == 2357
    assert r["cdnow.repeat_customers"] == 946
    for prefix, params in (("bgnbd", BGNBD), ("pnbd", PNBD)):
        for name, value in params.items():
            assert r[f"{prefix}.{name}"] == pytest.approx(value, abs=5e-4), (prefix, name)
            assert r[f"{prefix}.{name}_se"] > 0
    for name, value in GG.items():
        assert r[f"gg.{name}"] == pytest.approx(value, abs=5e-3), name
    assert r["bgnbd.llf"] == pytest.approx(-9582.4, abs=0.05)
    assert r["pnbd.llf"] == pytest.approx(-9595.0, abs=0.05)


@pytest.mark.notebook
def test_holdout_tracking_and_equity_are_consistent(r):
    # totals recorded from the data agree with the tracking series
    assert r["tracking.week39.actual"] == r["cdnow.calibration_repeat_total"]
    assert r["tracking.week78.actual"] == r["cdnow.calibration_repeat_total"] + r["holdout.total.actual"]
    for m in ("bgnbd", "pnbd"):
        assert abs(r[f"holdout.total.{m}"] / r["holdout.total.actual"] - 1) < 0.2
        assert abs(r[f"tracking.week78.{m}"] / r["tracking.week78.actual"] - 1) < 0.1
    by = r["holdout.by_frequency"]
    assert list(by) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    means = [by[k]["bgnbd"] for k in by]
    assert means == sorted(means)                       # more calibration purchases, more predicted
    # P(alive) and expected purchases fall with the time since the last purchase
    assert r["bgnbd.palive.x3_tx36"] > 0.5 > r["bgnbd.palive.x3_tx10"]
    assert r["bgnbd.exp52.x12_tx36"] > 100 * r["bgnbd.exp52.x12_tx10"]
    # customer equity is the sum of the per-customer CLVs: mean x customers
    assert r["equity.cdnow_sample"] == pytest.approx(r["clv.customer.mean"] * r["cdnow.customers"], rel=1e-9)
    assert r["clv.customer.median"] < r["clv.customer.mean"] < r["clv.customer.max"]
    assert 0.2 < r["equity.top20_share"] < 1
    assert r["cdnow.one_time_buyers"] == 2357 - 946


@pytest.mark.notebook
def test_chinese_run_records_the_same_numbers(chapter_results):
    en, zh = values(chapter_results(CH)), values(chapter_results(CH, "zh"))
    assert en == zh


@pytest.mark.notebook
def test_bgbb_section_reproduces_the_published_donor_estimates(chapter_results):
    doc = chapter_results(CH)["results"]
    pub = _published("bgbb", "donations_1995")
    assert set(pub) == {"alpha", "beta", "gamma", "delta"}
    for name, value in pub.items():
        e = doc[f"bgbb.{name}"]
        assert e["expected"] == value and e["matches"] is True, name
        assert e["source"]["kind"] == "paper"
    assert doc["bgbb.llf"]["matches"] is True
    r = values(chapter_results(CH))
    assert r["bgbb.donors"] == 11_104
    assert 0 < r["bgbb.expected_alive"] < 11_104 and r["bgbb.next5_gifts"] > 0 and r["bgbb.mean_dert_10pct"] > 0
