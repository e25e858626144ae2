"""Plots for anyone's data (loss, funnel, crosssell, concepts, roi): every text a figure shows can be free
text, in both languages; default texts that state a horizon, scale, level or size follow the data."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlib import business_case as bc  # noqa: E402
from crmlib import concepts, crosssell, datasets, finance, funnel, loss  # noqa: E402
from crmlib.plotting import apply_style, series_name, text_or_label  # noqa: E402
from crmlib.plotting import concepts as cplot  # noqa: E402
from crmlib.plotting import crosssell as xplot  # noqa: E402
from crmlib.plotting import funnel as fplot  # noqa: E402
from crmlib.plotting import loss as lplot  # noqa: E402
from crmlib.plotting import roi as rplot  # noqa: E402

DRIVERS = {"kept_share": 0.2, "close_uplift": 0.02, "crosssell_gain": 0.05, "retention": 0.8}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    causes = datasets.load("loss_causes")
    shares = causes.set_index("cause_id")["share_pct"]
    pros = datasets.load("prospects")
    cust = datasets.load("bank_customers")
    bask = datasets.load("baskets")
    flows = bc.project_cash_flows(**DRIVERS, assumptions=bc.CaseAssumptions(horizon=7))
    res = bc.evaluate(flows, 0.1)
    card = bc.scorecard({**bc.case_parameters(DRIVERS), "discount_rate": 0.1}, res, base_close_rate=0.05,
                        complaint_losses=(100.0, 50.0))
    funnels = funnel.case_funnels(datasets.load("funnel_case"))
    by_cell = crosssell.rule_by_group(bask.assign(slot=crosssell.time_slot(bask["hour"]).to_numpy()), "beer", "chips",
                                      by=["day", "slot"])
    fit = crosssell.fit_retention_logit(cust)
    grid = pd.Series(np.linspace(1, 5, 9))
    curve = pd.concat([fit.predict(grid), grid.rename("n")], axis=1)
    types = crosssell.fit_retention_logit(cust, terms=list(crosssell.PRODUCTS[1:]))
    plan = funnel.plan_pipelines([1, 5], 0.05, 0.9, 200, [np.random.default_rng(i) for i in range(2)])
    tornado = finance.tornado_table(bc.case_npv, {**bc.case_parameters(DRIVERS), "discount_rate": 0.1},
                                    bc.tornado_ranges({**bc.case_parameters(DRIVERS), "discount_rate": 0.1}))
    return dict(causes=causes, shares=shares, pros=pros, flows=flows, res=res, card=card, funnels=funnels,
                by_cell=by_cell, curve=curve, types=types, plan=plan, tornado=tornado,
                by_n=crosssell.retention_by_products(cust), table=datasets.load("crosssell_retention"),
                history=datasets.load("crm_history"), bask=bask)


def _texts(obj) -> list[str]:
    """Every text a figure or Axes shows: titles, axis labels, ticks, legends, annotations, colour bars."""
    fig = obj if isinstance(obj, matplotlib.figure.Figure) else obj.figure
    out = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    out += [label for ax in fig.axes for label in ax.get_legend_handles_labels()[1]]   # a panel's series names
    return [t for t in out if t]


def _one(ax):
    return ax if not isinstance(ax, matplotlib.figure.Figure) else ax.axes[0]


# each case: a call taking (data, **texts) -> Axes/Figure, and the series or category ids it names
CASES = {
    "loss.pareto_chart": (lambda d, **kw: lplot.pareto_chart(loss.pareto_table(d["shares"]),
                                                             d["causes"].set_index("cause_id")["group_id"], **kw),
                          ["price", "company", "threshold", "cumulative"]),
    "loss.group_chart": (lambda d, **kw: lplot.group_chart(d["causes"], **kw), ["customer"]),
    "loss.survey_ci_chart": (lambda d, **kw: lplot.survey_ci_chart(
        loss.multinomial_ci(loss.simulate_survey(d["shares"], 300, np.random.default_rng(1))), d["shares"], **kw),
        ["communication", "interval", "sample", "printed"]),
    "loss.whatif_chart": (lambda d, **kw: lplot.whatif_chart(loss.whatif_kept(d["shares"], {"complaints": 50}), **kw),
                          ["kept", "still_lost", "complaints"]),
    "loss.power_curve": (lambda d, **kw: lplot.power_curve(loss.power_curve([50, 100, 200], 0.6, 0.7), 150, **kw), []),
    "funnel.funnel_chart": (lambda d, **kw: fplot.funnel_chart(funnel.scenario_table(d["funnels"]), **kw),
                            ["good", "negotiation"]),
    "funnel.intervals_chart": (lambda d, **kw: fplot.intervals_chart(
        funnel.interval_comparison(d["funnels"], 2000)["intervals"], **kw), ["good", "deal"]),
    "funnel.prospects_needed_chart": (lambda d, **kw: fplot.prospects_needed_chart(
        d["plan"]["curves"], d["plan"]["needed"], p=0.05, **kw), [5, "mc"]),
    "funnel.days_chart": (lambda d, **kw: fplot.days_chart(funnel.time_to_close(d["pros"]), median=120.0, **kw),
                          ["median"]),
    "funnel.odds_ratio_chart": (lambda d, **kw: fplot.odds_ratio_chart(funnel.fit_close_logit(d["pros"]).odds_ratios,
                                                                       **kw), ["need", "no_effect"]),
    "funnel.deals_band_chart": (lambda d, **kw: fplot.deals_band_chart(funnel.expected_deals(100, [0.5, 0.1]), **kw),
                                ["band", "expected"]),
    "crosssell.source_chart": (lambda d, **kw: xplot.source_chart(d["table"], **kw), ["checking_only", "note"]),
    "crosssell.fit_chart": (lambda d, **kw: xplot.fit_chart(d["by_n"], d["curve"], d["table"], **kw),
                            ["fit", "data", "source"]),
    "crosssell.ame_chart": (lambda d, **kw: xplot.ame_chart(d["types"].ame, **kw), ["savings"]),
    "crosssell.whatif_chart": (lambda d, **kw: xplot.whatif_chart(crosssell.cross_sell_cases(
        0.3, {"model": (0.6, 0.8), "source": (0.01, 0.1)}, 10.0, 100.0, per=500), **kw), ["model"]),
    "crosssell.lift_heatmap": (lambda d, **kw: xplot.lift_heatmap(crosssell.lift_matrix(d["bask"]), **kw),
                               ["beer", "lift"]),
    "crosssell.rule_heatmap": (lambda d, **kw: xplot.rule_heatmap(d["by_cell"], "lift", days=crosssell.DAYS,
                                                                  slots=list(crosssell.TIME_SLOTS), **kw),
                               ["Mon", "morning", "lift"]),
    "crosssell.rule_heatmaps_figure": (lambda d, **kw: xplot.rule_heatmaps_figure(
        d["by_cell"], days=crosssell.DAYS, slots=list(crosssell.TIME_SLOTS), **kw), ["Mon", "evening"]),
    "concepts.timeline_chart": (lambda d, **kw: cplot.timeline_chart(d["history"], **kw),
                                list(datasets.load("crm_history")["era"][:1])),
    "concepts.stages_chart": (lambda d, **kw: cplot.stages_chart(2, **kw),
                              ["product_centric", "your_firm", "customer_end"]),
    "concepts.cycle_chart": (lambda d, **kw: cplot.cycle_chart(**kw), ["find", "centre"]),
    "concepts.man_chart": (lambda d, **kw: cplot.man_chart(concepts.criterion_table(d["pros"],
                                                                                    concepts.qualify_man(d["pros"])),
                                                           **kw), ["money", "met", "not_met"]),
    "roi.cost_chart": (lambda d, **kw: rplot.cost_chart(bc.cost_breakdown(d["flows"]), visible=d["res"].visible_cost,
                                                        multiplier_range=(2.0, 5.0), **kw),
                       ["integration", "hidden", "rule", "bar_tco"]),
    "roi.breakeven_chart": (lambda d, **kw: rplot.breakeven_chart(d["flows"], discount_rate=0.1,
                                                                  payback=d["res"].payback,
                                                                  discounted_payback=d["res"].discounted_payback, **kw),
                            ["benefit", "cost", "cumulative", "cumulative_disc"]),
    "roi.npv_profile_chart": (lambda d, **kw: rplot.npv_profile_chart(
        finance.npv_profile(d["flows"]["net"], np.linspace(0, 0.5, 11)), irr=d["res"].irr, rate_used=0.1, **kw), []),
    "roi.tornado_chart": (lambda d, **kw: rplot.tornado_chart(d["tornado"], **kw), ["margin", "at_low", "base"]),
    "roi.eva_chart": (lambda d, **kw: rplot.eva_chart(d["res"].eva, **kw), ["nopat", "capital_charge", "eva"]),
    "roi.scorecard_panel": (lambda d, **kw: rplot.scorecard_panel(d["card"], "customer", **kw),
                            ["retention", "before", "after"]),
    "roi.scorecard_figure": (lambda d, **kw: rplot.scorecard_figure(d["card"], **kw),
                             ["clv", "before", "note", "financial"]),
}
FIGURES = {"crosssell.rule_heatmaps_figure", "roi.scorecard_figure"}     # a Figure: title, names (no axis labels)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_free_text_shows_up(data, name, lang):
    apply_style(lang)
    call, ids = CASES[name]
    word = {"en": ("text", "My title", "x axis", "y axis"), "zh": ("文本", "我的标题", "横轴", "纵轴")}[lang]
    names = {k: f"<{k}> {word[0]} {i}" for i, k in enumerate(ids)}
    kw = {"title": f"{word[1]} {name}", "lang": lang}
    if name not in FIGURES:
        kw.update(xlabel=word[2], ylabel=word[3])
    if ids:
        kw["names"] = names
    out = call(data, **kw)
    texts = _texts(out)
    if name in FIGURES:
        assert out._suptitle.get_text() == kw["title"]
    else:
        assert out.get_title() == kw["title"]
        assert out.get_xlabel() == word[2] and out.get_ylabel() == word[3]
    flat = ["".join(t.split()) for t in texts]       # tick labels may be wrapped over lines
    for k, text in names.items():
        assert any("".join(text.split()) in t for t in flat), f"{name}: names[{k!r}] = {text!r} is not drawn"


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_text_argument_must_be_a_string(data, name):
    call, _ = CASES[name]
    with pytest.raises(TypeError, match="a figure text .* must be a string"):
        call(data, title=3, lang="en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_default_texts_state_what_the_data_hold(data, lang):
    apply_style(lang)
    cost = rplot.cost_chart(bc.cost_breakdown(data["flows"]), visible=data["res"].visible_cost,
                            multiplier_range=(2.0, 5.0), lang=lang)
    ticks = [t.get_text() for t in cost.get_yticklabels()]
    assert any("7" in t for t in ticks) and "2–5" in cost.get_title()          # horizon 7, the rule 2–5 ×
    kept = loss.whatif_kept(data["shares"], {"complaints": 50}, per=250)
    assert "250" in lplot.whatif_chart(kept, lang=lang).get_title()
    cases = crosssell.cross_sell_cases(0.3, {"model": (0.6, 0.8)}, 12.5, 100.0, per=500)
    ax = xplot.whatif_chart(cases, lang=lang)
    assert "500" in ax.get_xlabel() and "12.5" in ax.get_title()
    ci = loss.multinomial_ci(loss.simulate_survey(data["shares"], 321, np.random.default_rng(2)), alpha=0.1)
    ax = lplot.survey_ci_chart(ci, data["shares"], lang=lang)
    assert "321" in ax.get_title() and "90" in ax.get_title()
    ax = fplot.intervals_chart({("good", 100): funnel.rate_intervals([100, 80, 5], alpha=0.2)}, lang=lang)
    assert "80" in ax.get_title()
    table = funnel.scenario_table({"a": pd.Series([40, 20, 2], index=["prospect", "negotiation", "deal"]),
                                   "b": pd.Series([40, 10, 1], index=["prospect", "negotiation", "deal"])})
    title = fplot.funnel_chart(table, lang=lang).get_title()
    assert "40" in title and "2" in title
    assert "66" in lplot.power_curve(loss.power_curve([50, 100], 0.55, 0.66), 80, lang=lang).get_title()


def test_anyones_ids_draw_without_a_label_table(data):
    shares = pd.Series({"late_delivery": 60.0, "rude_staff": 40.0})
    par = loss.pareto_table(shares)
    ax = lplot.pareto_chart(par, pd.Series({"late_delivery": "logistics", "rude_staff": "service"}), lang="en")
    texts = _texts(ax)
    assert {"late_delivery", "rude_staff", "logistics", "service"} <= {t.replace("\n", "") for t in texts}
    assert series_name("price", "en", None, "loss.cause.") == "Product price"
    assert series_name("price", "zh", {"price": "价位"}, "loss.cause.") == "价位"
    assert text_or_label(None, None, "en") == "" and text_or_label("x", "loss.pareto_title", "zh") == "x"
    with pytest.raises(TypeError, match="names must be a mapping"):
        series_name("a", "en", ["a"], "loss.cause.")
