"""Chapter 02's recorded results against Table 1-1 of seed 001
(001_ba727a09fac39879.txt, grep 客户流失的原因分析表)."""
from __future__ import annotations

import pytest

from conftest import values

CH = "02_why_customers_are_lost"
# As printed in Table 1-1 (percent of lost customers).
PRINTED = {"customer_died": 1, "lost_contact": 3, "price": 9, "complaints": 10, "communication": 68,
           "competitors": 4, "others_views": 5}
GROUPS = {"customer": 4, "company": 87, "third_party": 9}


@pytest.fixture(scope="module")
def r(chapter_results):
    return values(chapter_results(CH))


@pytest.mark.notebook
def test_printed_shares_and_group_totals(r):
    for cause, share in PRINTED.items():
        assert r[f"share.{cause}"] == pytest.approx(share, abs=1e-12)
    for group, total in GROUPS.items():
        assert r[f"group.{group}"] == pytest.approx(total, abs=1e-12)
    assert r["shares_sum"] == pytest.approx(100)
    assert r["pareto.vital_few"] == ["communication", "complaints", "price"]


@pytest.mark.notebook
def test_survey_intervals_and_test(r):
    n = sum(r[f"survey.count.{c}"] for c in PRINTED)
    assert n == 500
    for cause in PRINTED:
        lo, hi = r[f"survey.ci.{cause}"]
        share = 100 * r[f"survey.count.{cause}"] / n
        assert 0 <= lo < share < hi <= 100
    assert r["gof.dof"] == 6
    assert r["gof.statistic"] >= 0 and 0 < r["gof.pvalue"] <= 1
    # Goodman intervals are conservative in large samples: joint coverage near nominal, up to MC error (200 draws)
    assert r["survey.joint_coverage"] >= 0.90


@pytest.mark.notebook
def test_sample_size_and_whatif(r):
    # 68 % vs 60 %, alpha 0.05 two-sided, power 0.8: normal approximation ~ 282, exact binomial ~ 300
    assert 270 <= r["sample_size.n_normal"] <= 295
    assert r["sample_size.n_normal"] <= r["sample_size.n_exact"] <= 340
    assert r["sample_size.cohens_h"] > 0


@pytest.mark.notebook
def test_the_survey_tests_the_printed_share(r):
    """The printed 68 % is the null hypothesis and the manager's doubted share the truth, not the reverse."""
    from conftest import notebook_parameters
    from crmlib import loss

    doubted = notebook_parameters("02")["doubted_share"]
    printed = PRINTED["communication"] / 100
    right = loss.sample_size_one_proportion(printed, doubted)
    assert right.p0 == printed and right.p1 == doubted
    reversed_ = loss.sample_size_one_proportion(doubted, printed)
    assert right.n_exact != reversed_.n_exact, "the check must tell the two directions apart"
    assert r["sample_size.n_exact"] == right.n_exact
    # 50 % of 10 % + 25 % of 68 % of 1,000 = 50 + 170
    assert r["whatif.kept_per_1000"] == pytest.approx(220)


@pytest.mark.notebook
def test_chinese_run_records_the_same_numbers(chapter_results):
    en, zh = values(chapter_results(CH)), values(chapter_results(CH, "zh"))
    assert en == zh
