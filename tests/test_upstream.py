"""crmbook.upstream: chapter 06's inputs read from the other chapters' recorded results, each with its
origin; absent results computed here and said so; partial or corrupt results refused with the file."""
from __future__ import annotations

import json

import pytest

from conftest import notebook_parameters
from crmbook import Chapter
from crmbook import upstream
from crmlib import business_case as bc, clv, datasets, loss, survival
from crmbook.upstream import UpstreamError

DRIVERS = ("kept_share", "close_uplift", "crosssell_gain", "retention")
RESULTS = {"02_why_customers_are_lost": {"whatif.kept_per_1000": 300.0, "whatif.cut_complaints": 80},
           "03_fake_funnel": {"case.middle.overall": 0.04, "case.good.overall": 0.045},
           "04_fake_crosssell": {"logit.count.effect_one_more": 0.021},
           "07_fake_churn": {"kpi.year_1": 0.7}}


def _doc(results, params=None):
    """A results document as the chapters write it."""
    return json.dumps({"chapter": "x", "params": params or {}, "results": results, "figures": {}})


def _record_all(build, **params05):
    for chapter, res in RESULTS.items():
        c = Chapter(chapter, build_dir=build, display=False)
        for k, v in res.items():
            c.record(k, v)
        _flush(c)
    c5 = Chapter("05_fake_clv", build_dir=build, display=False, **{"retention": 0.66, **params05})
    c5.record("sbg.regular.constant_retention", 0.75)
    _flush(c5)


def _flush(c):
    """Write the chapter's results now (a kernel does it after every cell)."""
    c.save()


def test_the_table_has_one_row_per_input():
    names = [row.name for row in upstream.UPSTREAM]
    assert names == ["kept_share", "complaints_cut", "base_close_rate", "close_uplift", "crosssell_gain",
                     "retention", "retention_ch05_default", "retention_ch05_cohort"]
    assert {row.chapter for row in upstream.UPSTREAM} == {"02", "03", "04", "05", "07"}
    assert {row.nature for row in upstream.UPSTREAM} == set(upstream.NATURES)
    assert [row.name for row in upstream.UPSTREAM if row.use == "case"] == [
        "kept_share", "complaints_cut", "base_close_rate", "close_uplift", "crosssell_gain", "retention"]
    # a chapter's default parameter is said to be one (roi.origin.chapter_default), never "a recorded result"
    assert {row.name for row in upstream.UPSTREAM if row.nature == "parameter"} == {"complaints_cut",
                                                                                    "retention_ch05_default"}


def test_chapter_defaults_are_the_notebooks_defaults():
    """What the layer assumes for a chapter that has not run is that chapter's parameters cell."""
    for chapter, defaults in upstream.CHAPTER_DEFAULTS.items():
        nb = notebook_parameters(chapter)
        for name, v in defaults.items():
            assert nb[name] == pytest.approx(v), (chapter, name)


def test_absent_results_are_computed_here_and_say_why(tmp_path):
    from crmlib import crosssell

    inp = upstream.collection_inputs(tmp_path)
    for i in inp.values():
        assert i.origin in ("recomputed", "default"), i
        assert i.detail.startswith("computed here because no results of chapter"), i.detail
        assert f"(results/{i.chapter}_*.json)" in i.detail and str(tmp_path) not in i.detail
    shares = datasets.load("loss_causes").set_index("cause_id")["share_pct"]
    d = notebook_parameters("02")
    kept = loss.whatif_kept(shares, {"complaints": d["cut_complaints"], "communication": d["cut_communication"]})
    assert inp["kept_share"].value == pytest.approx(float(kept["kept"].sum()) / 1000)
    f = datasets.load("funnel_case").pivot(index="scenario", columns="stage", values="count")
    assert inp["base_close_rate"].value == pytest.approx(f.loc["middle", "deal"] / f.loc["middle", "prospect"])
    # every case of the source's funnel ends with (at most) 5 deals of 100: CRM's move from the middle case to
    # the good one adds no deals (5 of 80 negotiations instead of 5 of 50)
    good, middle = (f.loc[c, "deal"] / f.loc[c, "prospect"] for c in ("good", "middle"))
    assert inp["close_uplift"].value == pytest.approx(good - middle) == 0
    bank = datasets.load("bank_customers")
    fit = crosssell.fit_retention_logit(bank, ["n_products"])
    assert inp["crosssell_gain"].value == pytest.approx(fit.discrete_effect("n_products", bank))
    # chapter 07's Kaplan-Meier share of Telco customers still there after 12 months, by plain counting
    tel = survival.telco_customers()
    t, e = tel["tenure"].to_numpy(), tel["event"].to_numpy()
    s = 1.0
    for month in sorted(set(t[(e == 1) & (t <= 12)])):
        s *= 1 - ((t == month) & (e == 1)).sum() / (t >= month).sum()
    assert inp["retention"].value == pytest.approx(s) and inp["retention"].origin == "recomputed"
    assert inp["retention_ch05_default"].value == notebook_parameters("05")["retention"]
    assert inp["retention_ch05_default"].origin == "default"
    sbg = datasets.load("sbg_cohorts")["regular"].to_numpy()
    assert inp["retention_ch05_cohort"].value == pytest.approx(clv.project_cohort(sbg, 7).constant_rate)


def test_absent_results_raise_when_asked(tmp_path):
    with pytest.raises(UpstreamError, match=r"kept_share: no results of chapter 02 .*retention: no results of "
                                            r"chapter 07 .*python -m crmbook run 02 03 04 05 07\)"):
        upstream.collection_inputs(tmp_path, missing="error")
    with pytest.raises(ValueError, match="missing must be one of"):
        upstream.collection_inputs(tmp_path, missing="ignore")


def test_inputs_come_from_the_chapters_results(tmp_path):
    base = upstream.collection_inputs(tmp_path)
    _record_all(tmp_path)
    inp = upstream.collection_inputs(tmp_path, missing="error")
    assert inp["kept_share"].value == pytest.approx(0.300) != base["kept_share"].value
    assert inp["complaints_cut"].value == 80
    assert inp["base_close_rate"].value == pytest.approx(0.04)
    assert inp["close_uplift"].value == pytest.approx(0.045 - 0.04)
    assert inp["crosssell_gain"].value == pytest.approx(0.021)
    assert inp["retention"].value == pytest.approx(0.7)
    assert inp["retention_ch05_default"].value == pytest.approx(0.66)
    assert inp["retention_ch05_cohort"].value == pytest.approx(0.75)
    assert {k for k, i in inp.items() if i.origin == "chapter_default"} == {"complaints_cut", "retention_ch05_default"}
    assert all(i.origin == "results" for k, i in inp.items() if k not in ("complaints_cut", "retention_ch05_default"))
    assert inp["kept_share"].detail == "02_why_customers_are_lost.json: whatif.kept_per_1000 / 1000"
    assert inp["retention"].detail == "07_fake_churn.json: kpi.year_1"
    assert inp["retention_ch05_default"].detail == "05_fake_clv.json: params.retention"
    assert inp["close_uplift"].detail == "03_fake_funnel.json: case.good.overall - case.middle.overall"
    a = bc.case_npv(discount_rate=0.1, **{k: base[k].value for k in DRIVERS})
    b = bc.case_npv(discount_rate=0.1, **{k: inp[k].value for k in DRIVERS})
    assert a != b
    tab = upstream.inputs_table(inp)
    assert list(tab.columns) == ["value", "unit", "chapter", "origin", "detail", "reason", "where", "nature", "use",
                                 "fraction"]
    assert set(tab["reason"]) == {"none"} and tab.loc["kept_share", "where"] == inp["kept_share"].detail
    assert tab.loc["complaints_cut", "fraction"] == pytest.approx(0.80)       # 80 % as a fraction
    assert tab.loc["kept_share", "fraction"] == tab.loc["kept_share", "value"]


def test_parameters_replace_upstream_values_and_say_so(tmp_path):
    inp = upstream.with_parameters(upstream.collection_inputs(tmp_path), {"retention": 0.7, "kept_share": None})
    assert inp["retention"].value == 0.7 and inp["retention"].origin == "parameter"
    assert inp["retention"].reason == "parameter" and inp["retention"].where == "retention = 0.7"
    assert inp["kept_share"].origin == "recomputed" and inp["kept_share"].reason == "absent"
    with pytest.raises(ValueError, match="retention must be < 1"):
        upstream.with_parameters(inp, {"retention": 1.0})
    with pytest.raises(ValueError, match="not inputs"):
        upstream.with_parameters(inp, {"margin": 3})


def test_computed_here_names_the_call_in_code(tmp_path):
    inp = upstream.collection_inputs(tmp_path)
    assert inp["kept_share"].where.startswith("crmlib.loss.whatif_kept(loss_causes")
    assert inp["retention_ch05_default"].where == "CHAPTER_DEFAULTS['05']['retention']"
    assert inp["retention"].where.startswith("crmlib.survival.retention_at(kaplan_meier(telco_customers()), 12)")
    assert {i.reason for i in inp.values()} == {"absent"}


def test_small_mode_crosssell_results_are_computed_here(tmp_path):
    """Chapter 04's small mode fits a subsample: its effect is read from full-mode results only."""
    c = Chapter("04_fake_crosssell", build_dir=tmp_path, display=False, small=True)
    c.record("logit.count.effect_one_more", 0.021)
    _flush(c)
    inp = upstream.collection_inputs(tmp_path)
    assert inp["crosssell_gain"].origin == "recomputed" and inp["crosssell_gain"].value != 0.021
    assert "04_fake_crosssell.json was recorded in small mode" in inp["crosssell_gain"].detail
    with pytest.raises(UpstreamError, match="recorded in small mode"):
        upstream.collection_inputs(tmp_path, missing="error")


def _write(build, name, text):
    (build / "results").mkdir(exist_ok=True)
    p = build / "results" / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("text, match", [
    ("{not json", r"02_x\.json is not a readable results file \(corrupt"),
    ("", r"02_x\.json is not a readable results file \(corrupt"),
    ("[1, 2]", r"02_x\.json lacks the keys chapter/params/results/figures .*rerun chapter 02"),
    (json.dumps({"results": {}}), r"lacks the keys"),
    (_doc({}), r"02_x\.json has no result 'whatif\.kept_per_1000' \(a partial"),
    (_doc({"whatif.kept_per_1000": {"value": "a"}}),
     r"whatif\.kept_per_1000 is 'a', not a finite number"),
    (_doc({"whatif.kept_per_1000": {"value": None}}), "is None, not a finite"),
    (_doc({"whatif.kept_per_1000": {"value": True}}), "is True, not a finite"),
    (_doc({"whatif.kept_per_1000": 300}), "is None, not a finite"),
    (_doc({"whatif.kept_per_1000": {"value": 1}}).replace("1}", "NaN}"), "is nan, not a finite"),
    (_doc({"whatif.kept_per_1000": {"value": 1200}, "whatif.cut_complaints": {"value": 50}}),
     r"kept_share = 1\.2 from 02_x\.json: whatif\.kept_per_1000 / 1000 is outside \[0, 1\]"),
])
def test_corrupt_or_partial_results_are_refused_naming_the_file(tmp_path, text, match):
    _write(tmp_path, "02_x.json", text)
    with pytest.raises(UpstreamError, match=match):
        upstream.collection_inputs(tmp_path)


def test_impossible_recorded_parameter_is_refused(tmp_path):
    _record_all(tmp_path, retention=1.0)
    with pytest.raises(UpstreamError, match=r"retention_ch05_default = 1 from 05_fake_clv\.json: params\.retention "
                                            r"is outside"):
        upstream.collection_inputs(tmp_path)


def test_missing_recorded_parameter_is_partial(tmp_path):
    _write(tmp_path, "05_x.json", _doc({}, params={"small": False}))
    with pytest.raises(UpstreamError, match=r"05_x\.json records no run parameter 'retention'"):
        upstream.collection_inputs(tmp_path)


def test_two_results_files_for_one_chapter_are_refused(tmp_path):
    _write(tmp_path, "04_a.json", "{}")
    _write(tmp_path, "04_b.json", "{}")
    with pytest.raises(UpstreamError, match="2 results files for chapter 04"):
        upstream.collection_inputs(tmp_path)


def test_build_dir_must_be_a_folder(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(ValueError, match="is not a folder"):
        upstream.collection_inputs(f)


@pytest.mark.parametrize("bad, exc", [({}, ValueError), ([], ValueError), ({"a": 1}, TypeError)])
def test_inputs_table_rejects_bad_input(bad, exc):
    with pytest.raises(exc):
        upstream.inputs_table(bad)


#: The book's modules that read notebook *declarations* (never results): the parameters cell's allowed values
#: (crmbook.parameters) and the names a chapter's cells bind (crmbook.kernel, for its out-of-order sentences).
READS_DECLARATIONS = {"parameters.py", "kernel.py"}


def test_the_package_never_parses_notebooks():
    """Inputs from other chapters come from their recorded results, never from notebook source."""
    from pathlib import Path

    import crmbook
    import crmlib

    for pkg in (crmlib, crmbook):
        for p in Path(pkg.__file__).parent.rglob("*.py"):
            if pkg is crmbook and p.name in READS_DECLARATIONS:
                assert "upstream" not in p.read_text(encoding="utf-8"), p
                continue
            if p.parent.name == "quiz" and p.name == "__init__.py":   # parses quiz option formulas, never a notebook
                assert ".ipynb" not in p.read_text(encoding="utf-8"), p
                continue
            assert "ast.parse" not in p.read_text(encoding="utf-8"), p
    for p in (Path(crmlib.__file__).parent / "finance.py", Path(crmlib.__file__).parent / "business_case.py",
              Path(crmbook.__file__).parent / "upstream.py"):
        assert "except ImportError" not in p.read_text(encoding="utf-8"), p
