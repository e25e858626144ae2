"""crmlib.roi: closed forms against hand-worked cases, bad input, properties, and the
collection inputs taken from the other chapters' recorded results."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crmlib import Chapter, datasets, loss, roi

DRIVERS = dict(kept_share=0.22, close_uplift=0.03, crosssell_gain=0.08, retention=0.8)


# ------------------------------------------------------------------ closed forms
def test_npv_hand_worked():
    # -100 + 60/1.1 + 60/1.21
    assert roi.npv(0.10, [-100, 60, 60]) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21, rel=1e-12)
    assert roi.npv(0.0, [-5, 2, 2, 2]) == pytest.approx(1.0)
    assert roi.npv(0.05, [42]) == pytest.approx(42.0)          # year 0 is not discounted


def test_irr_matches_the_quadratic_solution():
    # 100 = 60 x + 60 x^2 with x = 1/(1+r)  ->  x = (-1 + sqrt(1 + 4*100/60)) / 2
    x = (-1 + math.sqrt(1 + 4 * 100 / 60)) / 2
    assert roi.irr([-100, 60, 60]) == pytest.approx(1 / x - 1, abs=1e-10)
    assert roi.irr([-100, 110]) == pytest.approx(0.10, abs=1e-12)
    assert roi.irr([-100, 50]) == pytest.approx(-0.5, abs=1e-10)   # a losing project: negative IRR


def test_payback_simple_and_discounted():
    flows = [-100, 30, 40, 50, 60]
    assert roi.payback_period(flows) == pytest.approx(2 + 30 / 50)
    d = np.array(flows) / 1.1 ** np.arange(5)
    cum = np.cumsum(d)
    k = int(np.flatnonzero(cum >= 0)[0])
    assert roi.payback_period(flows, 0.10) == pytest.approx(k - 1 - cum[k - 1] / d[k])
    assert roi.payback_period([-100, 10, 10]) == math.inf
    assert roi.payback_period([0, 10]) == 0.0


def test_roi_and_budget_rule():
    assert roi.roi([0, 150], [100, 0]) == pytest.approx(0.5)
    assert roi.roi([0, 110], [100, 0], rate=0.10) == pytest.approx(0.0, abs=1e-12)
    assert roi.budget_by_rule(900_000, 3) == pytest.approx(2_700_000)
    assert roi.budget_by_rule(900_000, 1) == pytest.approx(900_000)
    assert roi.implied_visible_cost(30e6, 4) == pytest.approx(7.5e6)


def test_npv_profile_is_npv_at_each_rate():
    prof = roi.npv_profile([-100, 60, 60], [0.0, 0.1, 0.2])
    assert list(prof.index) == [0.0, 0.1, 0.2]
    assert prof.iloc[1] == pytest.approx(roi.npv(0.1, [-100, 60, 60]))


# ------------------------------------------------------------------ business case
def test_cash_flows_follow_the_cohort_recursion():
    f = roi.project_cash_flows(**DRIVERS, customers=1000, prospects=500, crosssell_uptake=0.5, margin=10,
                               horizon=4)
    added = 1000 * 0.2 * 0.22 + 0.03 * 500 + 1000 * 0.5 * 0.08
    t = np.arange(5)
    stock = added * (1 - 0.8 ** t) / (1 - 0.8)           # geometric sum of the cohorts still held
    np.testing.assert_allclose(f["extra_customers"], stock, rtol=1e-12)
    np.testing.assert_allclose(f["benefit"], 10 * stock, rtol=1e-12)
    d = roi.DEFAULTS
    year0 = sum(d[k] for k in ("software", "services", "hardware", "training", "integration", "project_management"))
    assert f.loc[0, "cost"] == pytest.approx(year0)
    assert f.loc[1, "cost"] == pytest.approx(d["productivity_dip"] + d["running"])
    assert roi.tco(f) == pytest.approx(year0 + d["productivity_dip"] + 4 * d["running"])
    assert roi.cost_breakdown(f)["amount"].sum() == pytest.approx(roi.tco(f))


def test_hidden_scale_scales_only_the_hidden_items():
    a = roi.project_cash_flows(**DRIVERS)
    b = roi.project_cash_flows(**DRIVERS, hidden_scale=2.0)
    hidden = sum(a[k].sum() for k in roi.HIDDEN_ITEMS)
    assert roi.tco(b) - roi.tco(a) == pytest.approx(hidden)
    assert (a["benefit"] == b["benefit"]).all()


def test_evaluate_is_consistent():
    f = roi.project_cash_flows(**DRIVERS)
    r = roi.evaluate(f, 0.10)
    assert r.npv == pytest.approx(roi.npv(0.10, f["net"]))
    assert roi.npv(r.irr, f["net"]) == pytest.approx(0.0, abs=1e-4)
    assert r.pv_eva == pytest.approx(r.npv, rel=1e-10)      # Preinreich–Lücke, no tax
    assert r.tco_multiple == pytest.approx(r.tco / r.visible_cost)
    assert r.roi == pytest.approx((f["benefit"].sum() - r.tco) / r.tco)
    assert 0 < r.payback <= r.discounted_payback


def test_eva_table_by_hand():
    f = roi.project_cash_flows(**DRIVERS, horizon=2)
    e = roi.eva_table(f, 0.10)
    k0 = f.loc[0, "cost"]
    dep = k0 / 2
    year1 = f.loc[1, "benefit"] - f.loc[1, "cost"] - dep - 0.10 * k0
    year2 = f.loc[2, "benefit"] - f.loc[2, "cost"] - dep - 0.10 * (k0 - dep)
    assert e.loc[1, "eva"] == pytest.approx(year1)
    assert e.loc[2, "eva"] == pytest.approx(year2)


def test_tornado_table_ranks_by_swing():
    def f(a, b, c):
        return 3 * a + b - 10 * c * 0

    tab = roi.tornado_table(f, {"a": 1.0, "b": 1.0, "c": 1.0}, {"b": (0.0, 4.0), "a": (0.0, 1.0), "c": (0, 9)})
    assert list(tab.index) == ["b", "a", "c"]
    assert tab.loc["b", "swing"] == pytest.approx(4.0)
    assert tab.loc["a", "swing"] == pytest.approx(3.0)
    assert list(tab["rank"]) == [1, 2, 3]
    assert tab.attrs["base_output"] == pytest.approx(4.0)


def test_scorecard_retention_and_clv():
    case = dict(DRIVERS, **{k: roi.DEFAULTS[k] for k in ("customers", "margin", "crosssell_uptake", "training")},
                discount_rate=0.1)
    r = roi.evaluate(roi.project_cash_flows(**DRIVERS), 0.1)
    card = roi.scorecard(case, r, base_close_rate=0.05, complaint_losses=(100, 50)).set_index("kpi")
    saved = 0.2 * 0.22 + roi.DEFAULTS["crosssell_uptake"] * 0.08
    assert card.loc["retention", "after"] == pytest.approx(100 * (0.8 + saved))
    assert card.loc["clv", "before"] == pytest.approx(roi.DEFAULTS["margin"] * 1.1 / 0.3)
    assert card.loc["close_rate", "after"] == pytest.approx(8.0)
    assert set(card["perspective"]) == set(roi.PERSPECTIVES)
    assert int(card["source_kpi"].sum()) == 6  # five KPIs, retention / attrition counted as two rows


# ------------------------------------------------------------------ bad input
_CASE = dict(DRIVERS, **{k: roi.DEFAULTS[k] for k in ("customers", "margin", "crosssell_uptake", "training")},
             discount_rate=0.1)
_RESULT = roi.evaluate(roi.project_cash_flows(**DRIVERS), 0.1)

@pytest.mark.parametrize("call, match", [
    (lambda: roi.npv(-1.0, [-1, 2]), "rate must be > -1"),
    (lambda: roi.npv(-1.5, [-1, 2]), "rate must be > -1"),
    (lambda: roi.npv(0.1, []), "cash_flows is empty"),
    (lambda: roi.npv(0.1, [1, float("nan")]), r"cash_flows\[1\] is NaN"),
    (lambda: roi.npv(float("nan"), [1]), "rate is NaN"),
    (lambda: roi.irr([]), "cash_flows is empty"),
    (lambda: roi.irr([100, 50, 20]), "never change sign"),
    (lambda: roi.irr([-100, -50]), "never change sign"),
    (lambda: roi.irr([0, 0]), "never change sign"),
    (lambda: roi.irr([-100, 60, 60], low=-1.0), "low must be > -1"),
    (lambda: roi.irr([-100, 60, 60], low=0.5, high=0.1), "high must be > low"),
    (lambda: roi.irr([-100, 60, 60], low=0.5, high=2.0), "no IRR between"),
    (lambda: roi.payback_period([], 0.1), "cash_flows is empty"),
    (lambda: roi.payback_period([-1, 2], -1), "rate must be > -1"),
    (lambda: roi.discount_factors(0.1, 0), "n_periods must be >= 1"),
    (lambda: roi.npv_profile([-1, 2], [0.1, -1.0]), "rates must all be > -1"),
    (lambda: roi.roi([1, 2], [1]), "same length"),
    (lambda: roi.roi([1, -2], [1, 1]), r"benefits\[1\] is negative"),
    (lambda: roi.roi([1, 2], [0, 0]), "costs sum to 0"),
    (lambda: roi.budget_by_rule(900_000, 0.9), "multiplier must be >= 1"),
    (lambda: roi.budget_by_rule(-1, 3), "visible_cost must be >= 0"),
    (lambda: roi.implied_visible_cost(30e6, 0.5), "multiplier must be >= 1"),
    (lambda: roi.project_cash_flows(**DRIVERS, horizon=0), "horizon must be >= 1"),
    (lambda: roi.project_cash_flows(**DRIVERS, horizon=-3), "horizon must be >= 1"),
    (lambda: roi.project_cash_flows(**{**DRIVERS, "kept_share": 1.2}), "kept_share must be <= 1"),
    (lambda: roi.project_cash_flows(**{**DRIVERS, "crosssell_gain": 0.3}), "cannot exceed the attrition"),
    (lambda: roi.project_cash_flows(**DRIVERS, software=-5), "software must be >= 0"),
    (lambda: roi.project_cash_flows(**DRIVERS, margin=float("inf")), "margin must be finite"),
    (lambda: roi.evaluate(roi.project_cash_flows(**DRIVERS), -1), "discount_rate must be > -1"),
    (lambda: roi.tco(pd.DataFrame({"x": [1]})), "missing column"),
    (lambda: roi.eva_table(roi.project_cash_flows(**DRIVERS), 0.1, tax_rate=1.0), "tax_rate must be < 1"),
    (lambda: roi.tornado_table(lambda a: a, {"a": 1.0}, {}), "ranges is empty"),
    (lambda: roi.tornado_table(lambda a: a, {"a": 1.0}, {"b": (0, 1)}), "not a parameter in base"),
    (lambda: roi.tornado_table(lambda a: a, {"a": 1.0}, {"a": (2, 1)}), "low 2.0 is above high"),
    (lambda: roi.tornado_table(lambda a: a, {"a": 1.0}, {"a": (0, 1, 2)}), r"\(low, high\) pair"),
    (lambda: roi.inputs_table({}), "inputs is empty"),
    (lambda: roi.notebook_defaults("2"), "two-digit chapter number"),
    (lambda: roi.scorecard({"retention": 0.8}, _RESULT, base_close_rate=0.05, complaint_losses=(100, 50)),
     "case is missing"),
    (lambda: roi.scorecard(_CASE, _RESULT, base_close_rate=1.5, complaint_losses=(100, 50)),
     "base_close_rate must be <= 1"),
    (lambda: roi.scorecard(_CASE, _RESULT, base_close_rate=0.05, complaint_losses=(100,)),
     "complaint_losses must be a"),
    (lambda: roi.scorecard(_CASE, _RESULT, base_close_rate=0.05, complaint_losses=(100, -1)),
     r"complaint_losses\[1\] must be >= 0"),
    (lambda: roi.scorecard({**_CASE, "kept_share": 1.0, "retention": 0.1, "crosssell_gain": 0.9,
                            "crosssell_uptake": 1.0}, _RESULT, base_close_rate=0.05, complaint_losses=(100, 50)),
     "keeps every customer"),
])
def test_bad_input_is_rejected_with_one_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call", [
    lambda: roi.npv("0.1", [1]),
    lambda: roi.npv(0.1, "abc"),
    lambda: roi.npv(0.1, [1, "x"]),
    lambda: roi.tco([1, 2]),
    lambda: roi.tornado_table(3, {"a": 1}, {"a": (0, 1)}),
    lambda: roi.project_cash_flows(**DRIVERS, horizon=2.5),
    lambda: roi.scorecard(_CASE, "not a result", base_close_rate=0.05, complaint_losses=(100, 50)),
    lambda: roi.scorecard([1, 2], _RESULT, base_close_rate=0.05, complaint_losses=(100, 50)),
    lambda: roi.cost_breakdown("flows"),
])
def test_wrong_types_are_rejected(call):
    with pytest.raises(TypeError):
        call()


# ------------------------------------------------------------------ properties
conventional = st.tuples(
    st.floats(1.0, 1e6),                                                    # investment
    st.lists(st.floats(0.0, 1e6), min_size=1, max_size=12),                 # later inflows
).filter(lambda x: 1e-3 * x[0] < sum(x[1]) < 100 * x[0])   # IRR between about -0.5 and 99


@settings(max_examples=60, deadline=None)
@given(conventional)
def test_npv_at_the_irr_is_zero(case):
    inv, later = case
    flows = [-inv, *later]
    r = roi.irr(flows, high=1e3)
    assert abs(roi.npv(r, flows)) <= 1e-6 * (inv + sum(later))


@settings(max_examples=60, deadline=None)
@given(conventional, st.floats(-0.9, 2.0), st.floats(0.001, 1.0))
def test_npv_decreases_in_the_rate_for_conventional_flows(case, r1, dr):
    inv, later = case
    assume(any(v > 0 for v in later))
    flows = [-inv, *later]
    assert roi.npv(r1 + dr, flows) < roi.npv(r1, flows)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 0.5), st.floats(0.0, 0.2), st.floats(0.5, 0.95), st.integers(1, 10), st.floats(0.0, 0.3),
       st.floats(0.0, 0.6))
def test_pv_of_eva_equals_after_tax_npv(kept, close, ret, horizon, rate, tax):
    f = roi.project_cash_flows(kept_share=kept, close_uplift=close, crosssell_gain=min(0.05, 1 - ret),
                               retention=ret, horizon=horizon)
    e = roi.eva_table(f, rate, tax)
    assert roi.npv(rate, e["eva"]) == pytest.approx(roi.npv(rate, e["cash_flow_after_tax"]), rel=1e-9, abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e5, 1e5), min_size=2, max_size=10))
def test_payback_is_where_the_cumulative_cash_flow_crosses_zero(flows):
    pb = roi.payback_period(flows)
    cum = np.cumsum(flows)
    if math.isinf(pb):
        assert (cum < 0).all()
    elif pb > 0:
        k = int(np.flatnonzero(cum >= 0)[0])              # first year with a non-negative position
        assert k - 1 <= pb <= k
        assert cum[k - 1] + (pb - (k - 1)) * flows[k] == pytest.approx(0, abs=1e-9 * (1 + abs(flows[k])))


# ------------------------------------------------------------------ collection inputs
def _kept_by_crmlib() -> float:
    shares = datasets.load("loss_causes").set_index("cause_id")["share_pct"]
    defaults = roi.notebook_defaults("02")
    cuts = {"complaints": defaults["cut_complaints"], "communication": defaults["cut_communication"]}
    return float(loss.whatif_kept(shares, cuts)["kept"].sum()) / 1000


def test_inputs_recomputed_when_no_results(tmp_path):
    from crmlib import crosssell

    inp = roi.collection_inputs(tmp_path)
    assert inp["kept_share"].origin == "recomputed"
    assert inp["kept_share"].value == pytest.approx(_kept_by_crmlib())
    f = datasets.load("funnel_case").pivot(index="scenario", columns="stage", values="count")
    assert inp["base_close_rate"].value == pytest.approx(f.loc["middle", "deal"] / f.loc["middle", "prospect"])
    # (80 - 50) / 100 more reach negotiation, 5 of 50 of those close
    uplift = (f.loc["good", "negotiation"] - f.loc["middle", "negotiation"]) / 100 * (
        f.loc["middle", "deal"] / f.loc["middle", "negotiation"])
    assert inp["close_uplift"].value == pytest.approx(uplift)
    bank = datasets.load("bank_customers")
    fit = crosssell.fit_retention_logit(bank, ["n_products"])
    assert inp["crosssell_gain"].value == pytest.approx(fit.discrete_effect("n_products", bank))
    assert inp["crosssell_gain"].origin == "recomputed"
    assert inp["retention"].value == roi.notebook_defaults("05")["retention"]
    assert inp["retention"].origin == "chapter_default"
    assert all(i.detail for i in inp.values())


def test_inputs_come_from_the_chapters_results(tmp_path):
    base = roi.collection_inputs(tmp_path)
    c2 = Chapter("02_why_customers_are_lost", build_dir=tmp_path, display=False)
    c2.record("whatif.kept_per_1000", 300.0)
    c2.record("whatif.cut_complaints", 80)
    c3 = Chapter("03_fake_funnel", build_dir=tmp_path, display=False)
    for k, v in {"case.middle.overall": 0.04, "case.good.rate.negotiation": 0.9,
                 "case.middle.rate.negotiation": 0.6, "case.middle.rate.deal": 0.2}.items():
        c3.record(k, v)
    Chapter("04_fake_crosssell", build_dir=tmp_path, display=False).record("logit.count.effect_one_more", 0.021)
    Chapter("05_fake_clv", build_dir=tmp_path, display=False, retention=0.66).record("anything", 1.0)
    inp = roi.collection_inputs(tmp_path)
    assert inp["kept_share"].value == pytest.approx(0.300) != base["kept_share"].value
    assert inp["complaints_cut"].value == 80
    assert inp["base_close_rate"].value == pytest.approx(0.04)
    assert inp["close_uplift"].value == pytest.approx((0.9 - 0.6) * 0.2)
    assert inp["crosssell_gain"].value == pytest.approx(0.021)
    assert inp["retention"].value == pytest.approx(0.66)
    for name in ("kept_share", "complaints_cut", "base_close_rate", "close_uplift", "crosssell_gain", "retention"):
        assert inp[name].origin == "results", name
    assert "02_why_customers_are_lost.json" in inp["kept_share"].detail
    assert "05_fake_clv.json: params.retention" == inp["retention"].detail
    # and the business case moves with them
    a = roi.case_npv(discount_rate=0.1, **{k: base[k].value for k in DRIVERS})
    b = roi.case_npv(discount_rate=0.1, **{k: inp[k].value for k in DRIVERS})
    assert a != b


def test_small_mode_crosssell_results_are_not_used(tmp_path):
    """Chapter 04's small mode fits a subsample: its effect is read from full-mode results only."""
    Chapter("04_fake_crosssell", build_dir=tmp_path, display=False, small=True).record(
        "logit.count.effect_one_more", 0.021)
    inp = roi.collection_inputs(tmp_path)
    assert inp["crosssell_gain"].origin == "recomputed" and inp["crosssell_gain"].value != 0.021


def test_inputs_reject_impossible_recorded_values(tmp_path):
    Chapter("05_fake_clv", build_dir=tmp_path, display=False, retention=1.5).record("anything", 1.0)
    with pytest.raises(ValueError, match="params.retention"):
        roi.collection_inputs(tmp_path)


def test_inputs_ignore_non_numeric_and_unreadable_results(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "02_why_customers_are_lost.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "results" / "03_x.json").write_text(
        json.dumps({"results": {"case.middle.overall": {"value": "a"}}}), encoding="utf-8")
    inp = roi.collection_inputs(tmp_path)
    assert inp["kept_share"].origin == "recomputed"
    assert inp["close_uplift"].origin == "recomputed"


def test_build_dir_must_be_a_folder(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(ValueError, match="is not a folder"):
        roi.collection_inputs(f)


def test_notebook_defaults_reads_the_parameters_cell():
    d = roi.notebook_defaults("02")
    assert d["lang"] == "en" and isinstance(d["cut_complaints"], int)
    assert roi.notebook_defaults("99") == {}


def test_chapter_defaults_match_crmlib_defaults():
    """The notebook's parameters cell and roi.DEFAULTS (used by the exercises) describe the same case."""
    nb = roi.notebook_defaults("06")
    for k, v in roi.DEFAULTS.items():
        if k != "tax_rate":   # the notebook sets a tax rate for its after-tax EVA check only
            assert nb[k] == pytest.approx(v), k


# ------------------------------------------------------------------ exercises
def test_chapter_06_exercises():
    from crmlib.exercises import ch06

    visible = sum(roi.DEFAULTS[k] for k in ("software", "services", "hardware", "training"))
    x = (-1 + math.sqrt(1 + 4 * 100 / 60)) / 2
    right = {"6.1": 4 * visible, "6.2": -100 + 60 / 1.1 + 60 / 1.21, "6.3": 100 * (1 / x - 1), "6.4": "B",
             "6.5": 30 / 4}
    wrong = {"6.1": 3 * visible, "6.2": 20.0, "6.3": 10.0, "6.4": "A", "6.5": 90 / 3}
    assert ch06.EXERCISES.numbers() == list(right)
    for number in right:
        assert ch06.check(number, right[number]).ok is True, number
        assert ch06.check(number, wrong[number]).ok is False, number
        assert ch06.check(number, None).ok is None


def test_tornado_tries_integer_parameters_at_integers():
    seen = []

    def f(h):
        seen.append(h)
        return float(h)

    tab = roi.tornado_table(f, {"h": 5}, {"h": (3.4, 7.6)})
    assert seen[1:] == [3, 8] and all(isinstance(h, int) for h in seen)
    assert tab.loc["h", "swing"] == 5
