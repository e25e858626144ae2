"""Chapter 01's recorded results: the CRM timeline of seed 002 (002_6df45c4bf5697708.txt, grep Gartner:
20世纪80年代初的“接触管理” … 20世纪90年代初的客户服务 … 1999年美国Gartner Group提出CRM) and the MAN
qualification of the synthetic prospects."""
from __future__ import annotations

import re

import pytest

from conftest import values
from crmlib import concepts, datasets
from crmbook.exercises import ch01

CH = "01_what_is_crm"
PRINTED_YEARS = {"contact_management": 1980, "customer_service": 1990, "crm_named": 1999}


@pytest.fixture(scope="module")
def r(chapter_results):
    return values(chapter_results(CH))


@pytest.mark.notebook
def test_history_as_printed(r):
    for era, year in PRINTED_YEARS.items():
        assert r[f"history.{era}"] == year
    assert r["history.span_years"] == 19   # "经历了近20年" — nearly 20 years


@pytest.mark.notebook
def test_qualification_counts(r):
    p = datasets.load("prospects")
    # the notebook's default thresholds: budget >= 50 k USD, decision maker or influence >= 4, need >= 6
    assert r["qualify.total"] == len(p) == 2000
    assert r["qualify.money"] == int((p["budget_kusd"] >= 50).sum())
    assert r["qualify.authority"] == int((p["decision_maker"] | (p["influence"] >= 4)).sum())
    assert r["qualify.need"] == int((p["need_score"] >= 6).sum())
    assert 0 < r["qualify.man"] < min(r["qualify.money"], r["qualify.authority"], r["qualify.need"])
    # MAN prospects close several times as often and bring a disproportionate share of the deals
    assert r["qualify.close_rate.man"] > 3 * r["qualify.close_rate.not_man"]
    assert r["qualify.close_ratio"] == pytest.approx(r["qualify.close_rate.man"] / r["qualify.close_rate.not_man"])
    assert r["qualify.deal_share.man"] > r["qualify.man"] / r["qualify.total"]


@pytest.mark.notebook
def test_default_firm_stage(r):
    assert r["stage.default_firm"] == 2   # yes, yes, no, no, no: segmentation and customer management


@pytest.mark.notebook
def test_chinese_run_records_the_same_numbers(chapter_results):
    assert values(chapter_results(CH)) == values(chapter_results(CH, "zh"))


def test_exercises_accept_right_and_reject_wrong_answers():
    check = ch01.EXERCISES.bind("en").check
    p = datasets.load("prospects")
    man = concepts.qualify_man(p)["man"]
    assert check("1.1", "C") and not check("1.1", "A")
    assert check("1.2", "B") and not check("1.2", "A")
    assert check("1.3", "b") and not check("1.3", "C")
    assert check("1.4", 3) and not check("1.4", 4)
    assert check("1.5", int(man.sum())) and not check("1.5", int(man.sum()) + 1)
    rate = 100 * (p.loc[man, "stage_reached"] == "deal").mean()
    assert check("1.6", round(rate, 1)) and not check("1.6", 5.3)
    assert check("1.1", None).ok is None


def test_exercises_speak_the_chapter_language():
    zh = ch01.EXERCISES.bind("zh")
    for number in ch01.EXERCISES.numbers():
        q = ch01.EXERCISES.question(number, "zh")
        assert re.search(r"[\u4e00-\u9fff]", q), number
    wrong = str(zh.check("1.1", "A"))
    assert "✗" in wrong and re.search(r"[\u4e00-\u9fff]", wrong)
