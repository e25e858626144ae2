"""Cross-chapter consistency: what one chapter takes from another is what the other recorded.

Read from the results of the session's small-mode runs (tests/conftest.py), both editions:

* every input chapter 06 takes from chapters 02–05 and 07 equals that chapter's recorded result (or,
  where that chapter did not run or recorded in small mode an input small mode changes, chapter 06
  computed it and says so);
* the close rate chapter 06 uses never exceeds chapter 03's bound (at most 5 deals of 100 prospects in
  every case of the source's funnel);
* chapter 06's scorecard CLV follows chapter 05's convention (each margin at the end of its year,
  :func:`crmlib.clv.clv` with ``timing="end"``), and so does the key of chapter 05's teacher question on it.
"""
from __future__ import annotations

import csv

import pytest

from conftest import ROOT, notebook_parameters, values
from crmbook import results, upstream
from crmbook.quiz import evaluate
from crmlib import business_case as bc, datasets
from crmlib.clv import clv

CH06 = "06_cost_and_return"
LANGS = ["en", "zh"]

#: What chapter 06 must hold for each input, from the other chapter's recorded results ``r`` and run
#: parameters ``p`` — written out here, independently of crmbook.upstream's table.
EXPECTED = {
    "kept_share": ("02", lambda r, p: r["whatif.kept_per_1000"] / 1000),
    "complaints_cut": ("02", lambda r, p: r["whatif.cut_complaints"]),
    "base_close_rate": ("03", lambda r, p: r["case.middle.overall"]),
    "close_uplift": ("03", lambda r, p: r["case.good.overall"] - r["case.middle.overall"]),
    "crosssell_gain": ("04", lambda r, p: r["logit.count.effect_one_more"]),
    "retention": ("07", lambda r, p: r["kpi.year_1"]),
    "retention_ch05_default": ("05", lambda r, p: p["retention"]),
    "retention_ch05_cohort": ("05", lambda r, p: r["sbg.regular.constant_retention"]),
}


def _other(build, chapter: str, lang: str) -> dict | None:
    """The other chapter's results document in this session's build, or None if it did not run."""
    path = results.find(chapter, build, lang)
    return None if path is None else results.read(path)


def test_every_input_has_an_expected_value_here():
    assert set(EXPECTED) == {row.name for row in upstream.UPSTREAM}
    assert {name: ch for name, (ch, _) in EXPECTED.items()} == {row.name: row.chapter for row in upstream.UPSTREAM}


@pytest.mark.notebook
@pytest.mark.parametrize("lang", LANGS)
def test_every_input_chapter_06_takes_is_the_other_chapters_recorded_result(chapter_runs, chapter_results, lang):
    build, _ = chapter_runs
    r06 = chapter_results(CH06, lang)["results"]
    rows = {row.name: row for row in upstream.UPSTREAM}
    read = 0
    for name, (chapter, expected) in EXPECTED.items():
        got, note = r06[f"inputs.{name}"]["value"], r06[f"inputs.{name}"]["note"]
        doc = _other(build, chapter, lang)
        small = doc is not None and rows[name].full_only and doc["params"].get("small") is not False
        if doc is None or small:
            # not run in this session (or only on a subsample): chapter 06 computed it, and says so
            assert got == pytest.approx(rows[name].compute()[0]), name
            assert note.startswith(("recomputed", "default")) and "computed here because" in note, (name, note)
            continue
        want = expected({k: v["value"] for k, v in doc["results"].items()}, doc["params"])
        assert got == pytest.approx(want, rel=1e-12, abs=1e-15), (name, chapter)
        origin = "chapter_default" if rows[name].nature == "parameter" else "results"
        assert note.startswith(f"{origin};") and doc and f"{results.find(chapter, build, lang).name}:" in note
        read += 1
    assert read or not any(_other(build, ch, lang) for ch, _ in EXPECTED.values())


@pytest.mark.notebook
@pytest.mark.parametrize("lang", LANGS)
def test_the_case_uses_the_inputs_it_records(chapter_results, lang):
    r = values(chapter_results(CH06, lang))
    n, p = notebook_parameters("06")["customers"], bc.CaseAssumptions().prospects
    added = (n * (1 - r["inputs.retention"]) * r["inputs.kept_share"] + p * r["inputs.close_uplift"]
             + n * bc.CaseAssumptions().crosssell_uptake * r["inputs.crosssell_gain"])
    assert r["added_customers_per_year"] == pytest.approx(added)


@pytest.mark.notebook
@pytest.mark.parametrize("lang", LANGS)
def test_the_close_rate_chapter_06_uses_never_exceeds_chapter_03s_bound(chapter_runs, chapter_results, lang):
    build, _ = chapter_runs
    doc = _other(build, "03", lang)
    if doc is not None:
        res = doc["results"]
        cases = [k for k in res if k.startswith("case.") and k.endswith(".overall")]
        assert cases and all("upper bound" in res[k].get("note", "") for k in cases), "chapter 03 says 'at most'"
        bound = max(res[k]["value"] for k in cases)
    else:
        f = datasets.load("funnel_case").pivot(index="scenario", columns="stage", values="count")
        bound = float((f["deal"] / f["prospect"]).max())
    r = values(chapter_results(CH06, lang))
    assert r["inputs.base_close_rate"] + r["inputs.close_uplift"] <= bound + 1e-12
    before, after = r["scorecard.close_rate"]
    assert max(before, after) <= 100 * bound + 1e-9


@pytest.mark.notebook
@pytest.mark.parametrize("lang", LANGS)
def test_one_clv_convention_in_chapters_05_and_06_and_the_teacher_pages(chapter_runs, chapter_results, lang):
    build, _ = chapter_runs
    r06 = values(chapter_results(CH06, lang))
    m, d = notebook_parameters("06")["margin"], notebook_parameters("06")["discount_rate"]
    r0, r1 = r06["inputs.retention"], r06["scorecard.retention"][1] / 100
    at_end = [clv(m, r0, d, None, timing="end"), clv(m, r1, d, None, timing="end")]
    assert r06["scorecard.clv"] == pytest.approx(at_end, rel=1e-12)
    assert r06["scorecard.clv"][0] != pytest.approx(clv(m, r0, d, None, timing="start"))
    doc = _other(build, "05", lang)
    if doc is not None:   # chapter 05 records its what-if CLV with the same convention
        p, r05 = doc["params"], {k: v["value"] for k, v in doc["results"].items()}
        assert r05["whatif.clv"] == pytest.approx(clv(p["margin"], p["retention"], p["discount"], p["horizon"],
                                                      timing="end"), rel=1e-12)
        assert r05["whatif.clv_infinite"] == pytest.approx(clv(p["margin"], p["retention"], p["discount"], None,
                                                               timing="end"), rel=1e-12)
    # the teacher page's key to chapter 05's CLV question is the formula chapter 06's scorecard computes
    from crmbook.quiz import ch05

    with open(ROOT / "site" / "teacher" / "ch05.csv", encoding="utf-8") as fh:
        rows = {row["key"]: row for row in csv.DictReader(fh)}
    options = {x: rows[f"mcq.1.{x}"][lang] for x in "ABCD"}
    (letter,) = ch05.QUIZ.key("1", options).letters
    assert evaluate(options[letter], {"m": m, "r": r0, "d": d}) == pytest.approx(r06["scorecard.clv"][0], rel=1e-12)
