"""crmbook.upstream: chapter 06's inputs read from the other chapters' recorded results, each with its
origin; absent results computed here and said so; partial or corrupt results refused with the file."""
from __future__ import annotations

import json

import pytest

from conftest import notebook_parameters
from crmbook import Chapter
from crmbook import upstream
from crmlib import business_case as bc, datasets, loss
from crmbook.upstream import UpstreamError

DRIVERS = ("kept_share", "close_uplift", "crosssell_gain", "retention")
RESULTS = {"02_why_customers_are_lost": {"whatif.kept_per_1000": 300.0, "whatif.cut_complaints": 80},
           "03_fake_funnel": {"case.middle.overall": 0.04, "case.good.rate.negotiation": 0.9,
                              "case.middle.rate.negotiation": 0.6, "case.middle.rate.deal": 0.2},
           "04_fake_crosssell": {"logit.count.effect_one_more": 0.021}}


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
    c5.record("anything", 1.0)
    _flush(c5)


def _flush(c):
    """Write the chapter's results now (a kernel does it after every cell)."""
    c.save()


def test_the_table_has_one_row_per_input():
    names = [row.name for row in upstream.UPSTREAM]
    assert names == ["kept_share", "complaints_cut", "base_close_rate", "close_uplift", "crosssell_gain",
                     "retention"]
    assert {row.chapter for row in upstream.UPSTREAM} == {"02", "03", "04", "05"}


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
    # (80 - 50) / 100 more reach negotiation, 5 of 50 of those close
    uplift = (f.loc["good", "negotiation"] - f.loc["middle", "negotiation"]) / 100 * (
        f.loc["middle", "deal"] / f.loc["middle", "negotiation"])
    assert inp["close_uplift"].value == pytest.approx(uplift)
    bank = datasets.load("bank_customers")
    fit = crosssell.fit_retention_logit(bank, ["n_products"])
    assert inp["crosssell_gain"].value == pytest.approx(fit.discrete_effect("n_products", bank))
    assert inp["retention"].value == notebook_parameters("05")["retention"]
    assert inp["retention"].origin == "default"


def test_absent_results_raise_when_asked(tmp_path):
    with pytest.raises(UpstreamError, match=r"kept_share: no results of chapter 02 .*retention: no results of "
                                            r"chapter 05 .*python -m crmbook run 02 03 04 05\)"):
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
    assert inp["close_uplift"].value == pytest.approx((0.9 - 0.6) * 0.2)
    assert inp["crosssell_gain"].value == pytest.approx(0.021)
    assert inp["retention"].value == pytest.approx(0.66)
    assert all(i.origin == "results" for i in inp.values())
    assert inp["kept_share"].detail == "02_why_customers_are_lost.json: whatif.kept_per_1000 / 1000"
    assert inp["retention"].detail == "05_fake_clv.json: params.retention"
    assert inp["close_uplift"].detail == ("03_fake_funnel.json: (case.good.rate.negotiation - "
                                          "case.middle.rate.negotiation) * case.middle.rate.deal")
    a = bc.case_npv(discount_rate=0.1, **{k: base[k].value for k in DRIVERS})
    b = bc.case_npv(discount_rate=0.1, **{k: inp[k].value for k in DRIVERS})
    assert a != b
    tab = upstream.inputs_table(inp)
    assert list(tab.columns) == ["value", "unit", "chapter", "origin", "detail", "reason", "where"]
    assert set(tab["reason"]) == {"none"} and tab.loc["kept_share", "where"] == inp["kept_share"].detail


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
    assert inp["retention"].where == "CHAPTER_DEFAULTS['05']['retention']"
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
    with pytest.raises(UpstreamError, match=r"retention = 1 from 05_fake_clv\.json: params\.retention is outside"):
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
