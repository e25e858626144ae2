"""Chapter 03's recorded results against the case 成功的概率 of seed 001 (001_ba727a09fac39879.txt, grep
成功的概率): 100 prospects; 80, 50 or 20 reach 谈生意; "5 or fewer" (5家或者更少) close."""
from __future__ import annotations

import re

import math

import pytest
from scipy import stats

from conftest import values
from crmbook.exercises import ch03

CH = "03_funnel_probabilities"
# As printed: the number reaching negotiation in each scenario; 100 prospects; at most 5 deals.
PRINTED = {"good": 80, "middle": 50, "poor": 20}
PROSPECTS, DEALS_AT_MOST = 100, 5


@pytest.fixture(scope="module")
def r(chapter_results):
    return values(chapter_results(CH))


def _wilson(x: int, n: int, z: float = stats.norm.ppf(0.975)) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.notebook
def test_case_counts_rates_and_overall(r):
    for sc, neg in PRINTED.items():
        assert r[f"case.{sc}.count.prospect"] == PROSPECTS
        assert r[f"case.{sc}.count.negotiation"] == neg
        assert r[f"case.{sc}.count.deal"] == DEALS_AT_MOST
        assert r[f"case.{sc}.rate.negotiation"] == pytest.approx(neg / PROSPECTS)
        assert r[f"case.{sc}.rate.deal"] == pytest.approx(DEALS_AT_MOST / neg)
        # the overall probability is the same upper bound, 5 %, in every scenario
        assert r[f"case.{sc}.overall"] == pytest.approx(DEALS_AT_MOST / PROSPECTS)


@pytest.mark.notebook
def test_wilson_intervals_from_the_closed_form(r):
    for sc, neg in PRINTED.items():
        for n_first, scale in ((100, 1), (2000, 20)):
            lo, hi = r[f"ci.{sc}.n{n_first}.negotiation"]
            assert (lo, hi) == pytest.approx(_wilson(neg * scale, PROSPECTS * scale), abs=1e-9)
            lo, hi = r[f"ci.{sc}.n{n_first}.deal"]
            assert (lo, hi) == pytest.approx(_wilson(DEALS_AT_MOST * scale, neg * scale), abs=1e-9)
    # 20 times the data: intervals about sqrt(20) ≈ 4.5 times narrower
    assert 4.0 <= r["ci.width_ratio_100_vs_2000"] <= 5.0


@pytest.mark.notebook
def test_prospects_needed_at_90_percent(r):
    p = DEALS_AT_MOST / PROSPECTS
    assert r["needed.k1"] == math.ceil(math.log(0.1) / math.log(1 - p))   # 45
    for k in (1, 5, 10):
        n = r[f"needed.k{k}"]
        assert stats.binom.sf(k - 1, n, p) >= 0.9 > stats.binom.sf(k - 1, n - 1, p)
        assert r[f"needed.k{k}.p_exact"] >= 0.9
        # seeded Monte Carlo (4,000 salespeople in small mode): within about 5 standard errors
        assert r[f"needed.k{k}.p_mc"] == pytest.approx(0.9, abs=0.025)
        assert r[f"needed.k{k}.p_mc_one_fewer"] <= r[f"needed.k{k}.p_mc"]
    assert r["needed.k1"] < r["needed.k5"] < r["needed.k10"]
    assert r["needed.k10"] > 10 / p   # more than the average pipeline: the safety margin


@pytest.mark.notebook
def test_timing_prospects_funnel_and_logit(r):
    # negotiation "one month ... a year or even longer"
    assert 30 < r["timing.p10_days"] < r["timing.median_days"] < r["timing.p90_days"]
    assert 0 < r["timing.share_within_year"] < 1
    assert 0.45 <= r["prospects.rate.negotiation"] <= 0.55
    assert 0.035 <= r["prospects.overall"] <= 0.065
    for to in ("negotiation", "deal"):
        lo, hi = r[f"prospects.ci.{to}"]
        assert lo < r[f"prospects.rate.{to}"] < hi
    for name in ("money", "authority", "need"):
        lo, hi = r[f"logit.or_ci.{name}"]
        assert 1 < lo < r[f"logit.or.{name}"] < hi
    assert r["logit.or.authority"] > r["logit.or.need"]
    assert r["logit.p_close.man"] > 3 * r["logit.p_close.not_man"]
    assert r["logit.n"] == 2000


@pytest.mark.notebook
def test_whatif_default_is_the_middle_scenario(r):
    # 100 prospects × 50 % × 10 %: Binomial(100, 0.05)
    assert r["whatif.expected_deals"] == pytest.approx(5.0)
    assert r["whatif.band90"] == [stats.binom.ppf(0.05, 100, 0.05), stats.binom.ppf(0.95, 100, 0.05)]
    assert r["whatif.simulated_mean"] == pytest.approx(5.0, abs=0.2)
    assert r["whatif.simulated_in_band"] >= 0.88


@pytest.mark.notebook
def test_chinese_run_records_the_same_numbers(chapter_results):
    assert values(chapter_results(CH)) == values(chapter_results(CH, "zh"))


def test_exercises_accept_right_and_reject_wrong_answers():
    check = ch03.EXERCISES.bind("en").check
    assert check("3.1", 25) and not check("3.1", 5)
    assert check("3.2", stats.nbinom.ppf(0.9, 3, 0.05) + 3)   # k + NB quantile
    assert not check("3.2", 60)
    assert check("3.3", "b") and not check("3.3", "A")
    # odds ratios per different units cannot be ranked: "authority is largest" (B) is the trap
    assert check("3.4", "C") and not check("3.4", "B") and not check("3.4", "D")
    assert not check("3.5", 5)
    assert check("3.1", None).ok is None
    assert check("3.3", "Z").ok is None and check("3.3", "Z").form      # no option: check the form


def test_exercises_speak_the_chapter_language():
    zh = ch03.EXERCISES.bind("zh")
    for number in ch03.EXERCISES.numbers():
        q = ch03.EXERCISES.question(number, "zh")
        assert re.search(r"[\u4e00-\u9fff]", q), number
    wrong = str(zh.check("3.1", 5.0))
    assert "✗" in wrong and re.search(r"[\u4e00-\u9fff]", wrong)
