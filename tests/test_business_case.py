"""crmlib.business_case: the cash flows of a CRM project, its evaluation, EVA, scorecard and the
chapter 06 exercises."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crmlib import business_case as bc
from crmlib import finance

from conftest import notebook_parameters

DRIVERS = dict(kept_share=0.22, close_uplift=0.03, crosssell_gain=0.08, retention=0.8)


# ------------------------------------------------------------------ business case
def test_cash_flows_follow_the_cohort_recursion():
    f = bc.project_cash_flows(**DRIVERS, assumptions=bc.CaseAssumptions(customers=1000, prospects=500,
                                                                        crosssell_uptake=0.5, margin=10, horizon=4))
    added = 1000 * 0.2 * 0.22 + 0.03 * 500 + 1000 * 0.5 * 0.08
    t = np.arange(5)
    stock = added * (1 - 0.8 ** t) / (1 - 0.8)           # geometric sum of the cohorts still held
    np.testing.assert_allclose(f["extra_customers"], stock, rtol=1e-12)
    np.testing.assert_allclose(f["benefit"], 10 * stock, rtol=1e-12)
    d = bc.CaseAssumptions().as_dict()
    year0 = sum(d[k] for k in ("software", "services", "hardware", "training", "integration", "project_management"))
    assert f.loc[0, "cost"] == pytest.approx(year0)
    assert f.loc[1, "cost"] == pytest.approx(d["productivity_dip"] + d["running"])
    assert bc.tco(f) == pytest.approx(year0 + d["productivity_dip"] + 4 * d["running"])
    assert bc.cost_breakdown(f)["amount"].sum() == pytest.approx(bc.tco(f))


def test_hidden_scale_scales_only_the_hidden_items():
    a = bc.project_cash_flows(**DRIVERS)
    b = bc.project_cash_flows(**DRIVERS, assumptions=bc.CaseAssumptions(hidden_scale=2.0))
    hidden = sum(a[k].sum() for k in bc.HIDDEN_ITEMS)
    assert bc.tco(b) - bc.tco(a) == pytest.approx(hidden)
    assert (a["benefit"] == b["benefit"]).all()


def test_evaluate_is_consistent():
    f = bc.project_cash_flows(**DRIVERS)
    r = bc.evaluate(f, 0.10)
    assert r.npv == pytest.approx(finance.npv(0.10, f["net"]))
    assert finance.npv(r.irr, f["net"]) == pytest.approx(0.0, abs=1e-4)
    assert r.pv_eva == pytest.approx(r.npv, rel=1e-10)      # Preinreich–Lücke, no tax
    assert r.tco_multiple == pytest.approx(r.tco / r.visible_cost)
    assert r.roi == pytest.approx((f["benefit"].sum() - r.tco) / r.tco)
    assert 0 < r.payback <= r.discounted_payback


def test_eva_table_by_hand():
    f = bc.project_cash_flows(**DRIVERS, assumptions=bc.CaseAssumptions(horizon=2))
    e = bc.project_eva(f, 0.10)
    k0 = f.loc[0, "cost"]
    dep = k0 / 2
    year1 = f.loc[1, "benefit"] - f.loc[1, "cost"] - dep - 0.10 * k0
    year2 = f.loc[2, "benefit"] - f.loc[2, "cost"] - dep - 0.10 * (k0 - dep)
    assert e.loc[1, "eva"] == pytest.approx(year1)
    assert e.loc[2, "eva"] == pytest.approx(year2)


def test_scorecard_retention_and_clv():
    case = dict(bc.case_parameters(DRIVERS), discount_rate=0.1)
    r = bc.evaluate(bc.project_cash_flows(**DRIVERS), 0.1)
    card = bc.scorecard(case, r, base_close_rate=0.05, complaint_losses=(100, 50)).set_index("kpi")
    saved = 0.2 * 0.22 + bc.CaseAssumptions().crosssell_uptake * 0.08
    assert card.loc["retention", "after"] == pytest.approx(100 * (0.8 + saved))
    # chapter 05's convention: each margin at the end of its year, the first year for sure: m / (1 + d - r)
    m = bc.CaseAssumptions().margin
    assert card.loc["clv", "before"] == pytest.approx(m / (1.1 - 0.8))
    assert card.loc["clv", "after"] == pytest.approx(m / (1.1 - 0.8 - saved))
    assert card.loc["close_rate", "after"] == pytest.approx(100 * (0.05 + DRIVERS["close_uplift"]))
    assert set(card["perspective"]) == set(bc.PERSPECTIVES)
    assert int(card["source_kpi"].sum()) == 6  # five KPIs, retention / attrition counted as two rows
    assert set(card.index[card["better"] == "lower"]) == {"attrition", "satisfaction", "productivity_dip"}
    # profit per customer-year falls by the CRM's yearly cost spread over all customers, the extra ones included
    extra = r.flows["extra_customers"].iloc[1:].mean()
    assert m - card.loc["customer_profitability", "after"] == pytest.approx(r.tco / 5 / (20_000 + extra))


def test_the_one_off_cost_is_what_the_budget_rule_budgets():
    a = bc.CaseAssumptions()
    visible, hidden = 900_000.0, 600_000.0 + 300_000.0 + 250_000.0
    assert (a.visible_cost, a.hidden_cost, a.one_off_cost) == (visible, hidden, visible + hidden)
    assert a.replace(hidden_scale=2.0).hidden_cost == 2 * hidden
    r = bc.evaluate(bc.project_cash_flows(**DRIVERS), 0.1)
    assert r.one_off_cost == pytest.approx(visible + hidden)
    assert r.one_off_multiple == pytest.approx((visible + hidden) / visible)
    m = bc.cost_multiples(a, [5, 3])
    assert list(m.index) == [0, 3, 5] and m.index.name == "running_years"
    assert m.loc[0, "cost"] == a.one_off_cost
    assert m.loc[5, "cost"] == pytest.approx(r.tco)                 # the TCO over the case's own horizon
    assert m.loc[3, "multiple"] == pytest.approx((a.one_off_cost + 3 * a.running) / visible)
    assert math.isnan(bc.cost_multiples(a.replace(software=0, services=0, hardware=0, training=0), [1]).loc[0, "multiple"])


def test_hidden_share_as_a_multiple_and_the_band():
    # S2: hidden costs are 40-75 % of the total, so the total is 1 / (1 - h) times the visible cost
    assert bc.multiple_from_hidden_share(0.40) == pytest.approx(5 / 3)
    assert bc.multiple_from_hidden_share(0.75) == pytest.approx(4.0)
    assert bc.multiple_from_hidden_share(0.0) == 1.0
    assert [bc.band_position(v, (3, 4)) for v in (2.28, 3, 3.5, 4, 4.01)] == \
        ["below", "inside", "inside", "inside", "above"]


def test_measures_say_none_where_a_measure_does_not_exist():
    never = bc.evaluate(bc.project_cash_flows(kept_share=0.0, close_uplift=0.0, crosssell_gain=0.0, retention=0.8), 0.1)
    got = never.measures()
    assert got["payback"] == (None, "years") and got["discounted_payback"] == (None, "years")
    assert got["irr"] == (None, "per year")
    assert got["one_off_cost"] == (never.one_off_cost, "USD")
    ok = bc.evaluate(bc.project_cash_flows(**DRIVERS), 0.1).measures()
    assert all(v is not None for v, _ in ok.values())


# ------------------------------------------------------------------ bad input
_CASE = dict(bc.case_parameters(DRIVERS), discount_rate=0.1)
_RESULT = bc.evaluate(bc.project_cash_flows(**DRIVERS), 0.1)

@pytest.mark.parametrize("call, match", [
    (lambda: bc.budget_by_rule(900_000, 0.9), "multiplier must be >= 1"),
    (lambda: bc.budget_by_rule(-1, 3), "visible_cost must be >= 0"),
    (lambda: bc.implied_visible_cost(30e6, 0.5), "multiplier must be >= 1"),
    (lambda: bc.CaseAssumptions(horizon=0), "horizon must be >= 1"),
    (lambda: bc.CaseAssumptions(horizon=-3), "horizon must be >= 1"),
    (lambda: bc.project_cash_flows(**{**DRIVERS, "kept_share": 1.2}), "kept_share must be <= 1"),
    (lambda: bc.project_cash_flows(**{**DRIVERS, "crosssell_gain": 0.3}), "cannot exceed the attrition"),
    (lambda: bc.CaseAssumptions(software=-5), "software must be >= 0"),
    (lambda: bc.CaseAssumptions().replace(margin=float("inf")), "margin must be finite"),
    (lambda: bc.CaseAssumptions().replace(discount_rate=0.1), "not assumptions of the case"),
    (lambda: bc.evaluate_case(DRIVERS, 0.1, wacc=0.1), "not parameters of the case"),
    (lambda: bc.evaluate(bc.project_cash_flows(**DRIVERS), -1), "discount_rate must be > -1"),
    (lambda: bc.tco(pd.DataFrame({"x": [1]})), "missing column"),
    (lambda: bc.project_eva(bc.project_cash_flows(**DRIVERS), 0.1, tax_rate=1.0), "tax_rate must be < 1"),
    (lambda: bc.scorecard({"retention": 0.8}, _RESULT, base_close_rate=0.05, complaint_losses=(100, 50)),
     "case is missing"),
    (lambda: bc.scorecard(_CASE, _RESULT, base_close_rate=1.5, complaint_losses=(100, 50)),
     "base_close_rate must be <= 1"),
    (lambda: bc.scorecard(_CASE, _RESULT, base_close_rate=0.05, complaint_losses=(100,)),
     "complaint_losses must be a"),
    (lambda: bc.scorecard(_CASE, _RESULT, base_close_rate=0.05, complaint_losses=(100, -1)),
     r"complaint_losses\[1\] must be >= 0"),
    (lambda: bc.multiple_from_hidden_share(1.0), "hidden_share must be < 1"),
    (lambda: bc.multiple_from_hidden_share(-0.1), "hidden_share must be >= 0"),
    (lambda: bc.band_position(3.0, (4, 3)), "low <= high"),
    (lambda: bc.band_position(3.0, (3,)), "band must be a"),
    (lambda: bc.cost_multiples(horizons=[0]), "horizons\\[0\\] must be >= 1"),
    (lambda: bc.cost_multiples(horizons=[3, 3]), "lists a year count twice"),
    (lambda: bc.scorecard({**_CASE, "kept_share": 1.0, "retention": 0.1, "crosssell_gain": 0.9,
                            "crosssell_uptake": 1.0}, _RESULT, base_close_rate=0.05, complaint_losses=(100, 50)),
     "keeps every customer"),
])
def test_bad_input_is_rejected_with_one_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call", [
    lambda: bc.tco([1, 2]),
    lambda: bc.CaseAssumptions(horizon=2.5),
    lambda: bc.CaseAssumptions(customers=20_000.5),
    lambda: bc.project_cash_flows(**DRIVERS, assumptions={"margin": 10}),
    lambda: bc.scorecard(_CASE, "not a result", base_close_rate=0.05, complaint_losses=(100, 50)),
    lambda: bc.scorecard([1, 2], _RESULT, base_close_rate=0.05, complaint_losses=(100, 50)),
    lambda: bc.cost_breakdown("flows"),
    lambda: bc.cost_multiples({"margin": 1}),
    lambda: bc.cost_multiples(horizons=3),
    lambda: bc.cost_multiples(horizons=[2.5]),
])
def test_wrong_types_are_rejected(call):
    with pytest.raises(TypeError):
        call()


def test_chapter_defaults_match_crmlib_defaults():
    """The notebook's parameters cell and CaseAssumptions' defaults (used by the exercises) describe the same case."""
    nb = notebook_parameters("06")
    defaults = bc.CaseAssumptions().as_dict()
    shared = [k for k in defaults if k in nb]
    assert {"customers", "margin", "horizon"} <= set(shared)
    for k in shared:
        assert nb[k] == pytest.approx(defaults[k]), k
    case = bc.case_parameters(dict(DRIVERS), bc.CaseAssumptions(margin=250.0))
    assert list(case)[:4] == list(bc.DRIVERS) and case["margin"] == 250.0
    assert case["software"] == defaults["software"] and "discount_rate" not in case
    with pytest.raises(ValueError, match="drivers must name exactly"):
        bc.case_parameters({"kept_share": 0.1})
    with pytest.raises(TypeError, match="CaseAssumptions"):
        bc.case_parameters(dict(DRIVERS), {"margin": 250.0})


# ------------------------------------------------------------------ exercises
def test_chapter_06_exercises():
    from crmbook.exercises import ch06

    visible = bc.CaseAssumptions().visible_cost
    x = (-1 + math.sqrt(1 + 4 * 100 / 60)) / 2
    right = {"6.1": 4 * visible, "6.2": -100 + 60 / 1.1 + 60 / 1.21, "6.3": 100 * (1 / x - 1), "6.4": "B",
             "6.5": 30e6 / 4}
    wrong = {"6.1": 3 * visible, "6.2": 20.0, "6.3": 10.0, "6.4": "A", "6.5": 90e6 / 3}
    assert ch06.EXERCISES.numbers() == list(right)
    for lang in ("en", "zh"):
        ex = ch06.EXERCISES.bind(lang)
        for number in right:
            good, bad = ex.check(number, right[number]), ex.check(number, wrong[number])
            assert good.ok is True and bad.ok is False, number
            assert "{" not in good.message and "{" not in bad.message, number
            assert ex.check(number, None).ok is None
            assert "{" not in ch06.EXERCISES.question(number, lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plots_take_keywords_and_the_scorecard_is_one_figure(lang):
    import inspect

    import matplotlib.pyplot as plt

    from crmlib.plotting import apply_style, roi as rplot

    apply_style(lang)
    for name in rplot.__all__:
        sig = inspect.signature(getattr(rplot, name))
        assert sig.parameters["lang"].kind is inspect.Parameter.KEYWORD_ONLY, name
    case = dict(bc.case_parameters(DRIVERS), discount_rate=0.1)
    r = bc.evaluate(bc.project_cash_flows(**DRIVERS), 0.1)
    card = bc.scorecard(case, r, base_close_rate=0.05, complaint_losses=(100, 50))
    fig = rplot.scorecard_figure(card, lang=lang)
    assert len(fig.axes) == len(bc.PERSPECTIVES)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[1] == ("Customer" if lang == "en" else "客户")
    with pytest.raises(ValueError, match="perspective must be one of"):
        rplot.scorecard_panel(card, "money", lang=lang)
    ax = rplot.cost_chart(bc.cost_breakdown(r.flows), visible=r.visible_cost, multiplier_range=(3, 4), horizon=5,
                          lang=lang)
    inside = [tx for tx in ax.texts if tx.get_rotation() == 90]
    assert all(max(len(line) for line in tx.get_text().split("\n")) <= 12 for tx in inside)
    plt.close("all")


@pytest.mark.parametrize("lang, axis", [("en", "US$ million"), ("zh", "万美元")])
def test_plots_count_money_as_readers_count_it_and_name_what_they_show(lang, axis):
    import matplotlib.pyplot as plt

    from crmlib.i18n import t
    from crmlib.plotting import apply_style, roi as rplot

    apply_style(lang)
    r = bc.evaluate(bc.project_cash_flows(**DRIVERS), 0.1)
    ax = rplot.cost_chart(bc.cost_breakdown(r.flows), visible=r.visible_cost, multiplier_range=(3, 4),
                          hidden_share_range=(0.4, 0.75), lang=lang)
    assert ax.get_xlabel() == axis and len(ax.get_yticklabels()) == 3       # visible, one-off, TCO
    assert ax.get_yticklabels()[1].get_text() == t("roi.bar_one_off", lang)
    ends = [tx.get_text() for tx in ax.texts if tx.get_rotation() == 0]
    assert ("205万美元" if lang == "zh" else r"US\$2.05 m") in ends
    assert len([ln for ln in ax.lines if ln.get_linestyle() == "--"]) == 2  # S2's 40-75 %: 1.67 and 4 x
    untaxed = rplot.eva_chart(r.eva, lang=lang).get_legend_handles_labels()[1]
    taxed = rplot.eva_chart(bc.project_eva(r.flows, 0.1, tax_rate=0.25), lang=lang).get_legend_handles_labels()[1]
    assert untaxed[0] == t("roi.operating_profit", lang) and taxed[0] == t("roi.nopat", lang)
    table = finance.tornado_table(bc.case_npv, dict(bc.case_parameters(DRIVERS), discount_rate=0.1),
                                  {"retention": (0.75, 0.85)})
    texts = [tx.get_text() for tx in rplot.tornado_chart(table, formats=bc.PARAMETER_FORMATS, lang=lang).texts]
    assert ("75.0%" if lang == "zh" else "75.0 %") in texts
    plt.close("all")


def test_tornado_ranges_and_evaluate_case():
    base = dict(DRIVERS, margin=300.0, running=180_000.0, discount_rate=0.1, hidden_scale=1.0)
    ranges = bc.tornado_ranges(base)
    assert ranges["margin"] == (225.0, 375.0) and ranges["hidden_scale"] == (0.5, 2.0)
    assert ranges["retention"] == pytest.approx((0.75, 0.85))
    capped = bc.tornado_ranges({**base, "retention": 0.9})
    assert capped["retention"][1] == pytest.approx(1 - DRIVERS["crosssell_gain"])
    assert bc.tornado_ranges({**base, "close_uplift": 0.0})["close_uplift"] == (0.0, 0.0)   # nothing stays nothing
    with pytest.raises(ValueError, match="base is missing"):
        bc.tornado_ranges({"margin": 1})
    r = bc.evaluate_case(DRIVERS, 0.1, margin=400.0)
    assert r.discount_rate == 0.1
    assert r.npv > bc.evaluate_case(DRIVERS, 0.1).npv
    with pytest.raises(ValueError, match="cannot exceed the attrition"):
        bc.evaluate_case(DRIVERS, 0.1, retention=0.95)
