"""crmlib.crosssell: the source's table, retention by products, the logit, the what-if, pair rules."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib import crosssell as cs
from crmlib import datasets

# Seed 000_a2de3e033440553d.txt, grep 留住顾客的概率: probability the bank keeps the customer (%).
PRINTED = {"checking_only": 1, "savings_only": 0.5, "both_accounts": 10, "three_services": 18, "four_or_more": 100}


@pytest.fixture(scope="module")
def printed():
    return datasets.load("crosssell_retention")


# --------------------------------------------------------------------------- the source's table
def test_source_table_is_kept_as_printed(printed):
    t = cs.source_retention(printed)
    assert t["probability_kept_pct"].to_dict() == PRINTED


def test_read_source_spells_out_the_literal_reading(printed):
    r = cs.read_source(printed)
    assert r.loc["checking_only", "lost_pct"] == pytest.approx(99)
    assert r.loc["savings_only", "lost_pct"] == pytest.approx(99.5)
    assert r.loc["both_accounts", "times_checking_only"] == pytest.approx(10)
    assert r.loc["three_services", "mean_years"] == pytest.approx(1 / 0.82)
    assert math.isinf(r.loc["four_or_more", "mean_years"])


@pytest.mark.parametrize("mutate, match", [
    (lambda d: d.drop(columns="probability_kept_pct"), "missing column"),
    (lambda d: d.assign(probability_kept_pct=[1, 0.5, 10, 18, 101]), r"probability_kept_pct.*four_or_more|row 4"),
    (lambda d: d.assign(probability_kept_pct=[1, -0.5, 10, 18, 100]), "probability_kept_pct"),
    (lambda d: d.assign(n_services=[0, 1, 2, 3, 4]), "n_services"),
    (lambda d: d.assign(probability_kept_pct=[1, np.nan, 10, 18, 100]), "NaN"),
    (lambda d: d.assign(holding=["a", "a", "b", "c", "d"]), "twice"),
    (lambda d: d.iloc[0:0], "empty"),
])
def test_source_table_rejects_bad_rows(printed, mutate, match):
    with pytest.raises(ValueError, match=match):
        cs.source_retention(mutate(printed))


def test_compare_with_source_fills_the_open_ended_row(printed):
    observed = pd.Series([0.6, 0.8, 0.9, 0.95, 0.99], index=[1, 2, 3, 4, 5])
    cmp = cs.compare_with_source(observed, observed, printed)
    assert list(cmp["source_pct"]) == ["1 / 0.5", "10", "18", "100", "100"], "4 or more covers 5 products too"
    closed = printed.assign(open_ended=False)
    assert list(cs.compare_with_source(observed, observed, closed)["source_pct"])[-1] == ""


def test_read_source_rejects_zero_base(printed):
    with pytest.raises(ValueError, match="first row"):
        cs.read_source(printed.assign(probability_kept_pct=[0, 0.5, 10, 18, 100]))


# --------------------------------------------------------------------------- retention by products
def _customers(n_products, churned):
    return pd.DataFrame({"n_products": n_products, "churned": churned})


def test_retention_by_products_counts_and_intervals():
    df = _customers([1, 1, 1, 1, 2, 2, 3], [True, True, False, False, False, True, False])
    r = cs.retention_by_products(df)
    assert r["customers"].tolist() == [4, 2, 1]
    assert r["stayed"].tolist() == [2, 1, 1]
    assert r["retention"].tolist() == [0.5, 0.5, 1.0]
    assert (r["lower"] <= r["retention"]).all() and (r["retention"] <= r["upper"]).all()
    assert (r["lower"] >= 0).all() and (r["upper"] <= 1).all()
    # Clopper-Pearson is wider than Wilson for 2 of 4
    cp = cs.retention_by_products(df, method="beta")
    assert cp.loc[1, "upper"] - cp.loc[1, "lower"] > r.loc[1, "upper"] - r.loc[1, "lower"]


@pytest.mark.parametrize("df, err, match", [
    (_customers([1, -1], [True, False]), ValueError, r"'n_products' is negative at row 1"),
    (_customers([1, 1.5], [True, False]), ValueError, "not a whole number"),
    (_customers([1, np.nan], [True, False]), ValueError, "NaN at row 1"),
    (_customers(["1", "2"], [True, False]), TypeError, "numeric"),
    (_customers([1, 2], [1, 0]), TypeError, "'churned' must be bool"),
    (pd.DataFrame({"n_products": [1]}), ValueError, "missing column"),
    (_customers([], []), ValueError, "empty"),
])
def test_retention_by_products_rejects_bad_input(df, err, match):
    with pytest.raises(err, match=match):
        cs.retention_by_products(df)


def test_retention_by_products_rejects_bad_alpha_and_method():
    df = _customers([1, 2], [True, False])
    with pytest.raises(ValueError, match="alpha"):
        cs.retention_by_products(df, alpha=1.2)
    with pytest.raises(ValueError, match="method"):
        cs.retention_by_products(df, method="exact-ish")


# --------------------------------------------------------------------------- the logit
@pytest.fixture(scope="module")
def planted():
    """Customers whose log-odds of staying is -0.5 + 0.8 * products (known truth)."""
    rng = np.random.default_rng(7)
    n = rng.integers(0, 6, size=20_000)
    p = 1 / (1 + np.exp(-(-0.5 + 0.8 * n)))
    return _customers(n, rng.random(n.size) >= p)


def test_logit_recovers_the_planted_coefficient(planted):
    fit = cs.fit_retention_logit(planted)
    assert fit.params["const"] == pytest.approx(-0.5, abs=4 * fit.bse["const"])
    assert fit.params["n_products"] == pytest.approx(0.8, abs=4 * fit.bse["n_products"])
    ors = fit.odds_ratios
    assert list(ors.columns) == ["odds_ratio", "lower", "upper", "pvalue"] and list(ors.index) == ["n_products"]
    assert ors.loc["n_products", "odds_ratio"] == pytest.approx(math.exp(fit.params["n_products"]))
    ci = fit.conf_int(0.05).loc["n_products"]
    assert ors.loc["n_products", "lower"] == pytest.approx(math.exp(ci["lower"]))
    assert ors.loc["n_products", "lower"] < ors.loc["n_products", "odds_ratio"] < ors.loc["n_products", "upper"]
    table = fit.summary()
    assert list(table.index) == ["const", "n_products"]
    assert table.loc["n_products", "z"] == pytest.approx(fit.params["n_products"] / fit.bse["n_products"])
    assert fit.conf_int(0.01).loc["n_products", "lower"] < ci["lower"]


def test_average_marginal_effect_is_the_mean_slope(planted):
    fit = cs.fit_retention_logit(planted)
    p = fit.predict(planted[["n_products"]])["p"]
    b = fit.params["n_products"]
    assert fit.ame.loc["n_products", "dydx"] == pytest.approx(float((b * p * (1 - p)).mean()), rel=1e-9)
    lo, hi = fit.ame.loc["n_products", ["lower", "upper"]]
    assert lo < fit.ame.loc["n_products", "dydx"] < hi
    one_more = fit.discrete_effect("n_products", planted)
    assert 0 < one_more < 1 and one_more == pytest.approx(fit.ame.loc["n_products", "dydx"], abs=0.05)


def test_predict_band_contains_the_point_and_is_monotone(planted):
    fit = cs.fit_retention_logit(planted)
    pr = fit.predict([0, 1, 2, 3, 4, 5])
    assert (pr["lower"] < pr["p"]).all() and (pr["p"] < pr["upper"]).all()
    assert pr["p"].is_monotonic_increasing


def test_logit_on_product_types():
    c = datasets.load("bank_customers")
    fit = cs.fit_retention_logit(c, cs.PRODUCTS)
    assert list(fit.ame.index) == list(cs.PRODUCTS)
    # the generator makes every product raise the chance of staying; savings the least, loans much
    assert (fit.params[list(cs.PRODUCTS)] > 0).all()
    assert fit.ame.loc["loan", "dydx"] > fit.ame.loc["savings", "dydx"]
    # a 0/1 product flag gets the discrete change P(hold) - P(not hold), averaged over customers
    X = c[list(cs.PRODUCTS)].astype(float)
    held, not_held = X.assign(loan=1.0), X.assign(loan=0.0)
    change = float((fit.predict(held)["p"] - fit.predict(not_held)["p"]).mean())
    assert fit.ame.loc["loan", "dydx"] == pytest.approx(change, rel=1e-6)
    with pytest.raises(ValueError, match="DataFrame"):
        fit.predict([1, 2])


@pytest.mark.parametrize("df, terms, err, match", [
    (_customers([1, 2, 3], [True, False, False]), (), ValueError, "non-empty"),
    (_customers([2, 2, 2], [True, False, False]), ("n_products",), ValueError, "does not vary"),
    (_customers([1, 2, 3], [False, False, False]), ("n_products",), ValueError, "everyone stayed"),
    (_customers([1, -2, 3], [True, False, False]), ("n_products",), ValueError, "negative at row 1"),
    (_customers([1, 2, 3], [True, False, False]).assign(x=["a", "b", "c"]), ("x",), TypeError, "'x'"),
    (_customers([1, 2, 3], [True, False, False]).assign(x=[1.0, np.nan, 2.0]), ("x",), ValueError,
     "'x' has NaN at row 1"),
    (_customers([1, 2, 3], [True, False, False]), ("tenure",), ValueError, "missing column"),
    (_customers([1, 2, 3], [1, 0, 0]).assign(x=[1.0, 2.0, 3.0]), ("x",), TypeError, "'churned' must be bool"),
])
def test_logit_rejects_bad_input(df, terms, err, match):
    with pytest.raises(err, match=match):
        cs.fit_retention_logit(df, terms)


def test_discrete_effect_rejects_unknown_term(planted):
    fit = cs.fit_retention_logit(planted)
    with pytest.raises(ValueError, match="term"):
        fit.discrete_effect("tenure", planted)


# --------------------------------------------------------------------------- what-if
def test_whatif_arithmetic():
    r = cs.whatif_cross_sell(0.34, 0.6, 0.8, 20, 200)
    assert isinstance(r, cs.CrossSellWhatIf) and r.per == 10_000
    assert r.single == pytest.approx(3400)
    assert r.converted == pytest.approx(680)
    assert r.kept == pytest.approx(136)
    assert r.value == pytest.approx(27_200)
    assert list(r.summary().index) == ["single", "converted", "kept", "value"]
    assert cs.whatif_cross_sell(0.34, 0.6, 0.8, 0, 200).kept == 0


def test_cross_sell_cases_one_row_per_basis():
    cases = cs.cross_sell_cases(0.34, {"model": (0.6, 0.8), "source": (0.01, 0.10)}, 20, 200)
    assert list(cases.index) == ["model", "source"]
    assert cases.loc["model", "kept"] == pytest.approx(136)
    assert cases.loc["source", "kept"] == pytest.approx(680 * 0.09)
    with pytest.raises(ValueError, match="non-empty mapping"):
        cs.cross_sell_cases(0.34, {}, 20, 200)
    with pytest.raises(ValueError, match=r"bases\['model'\] must be a"):
        cs.cross_sell_cases(0.34, {"model": 0.6}, 20, 200)
    with pytest.raises(ValueError, match="p_stay_two"):
        cs.cross_sell_cases(0.34, {"model": (0.6, 1.5)}, 20, 200)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"margin": -1}, ValueError, "margin"),
    ({"p_stay_two": 1.1}, ValueError, "p_stay_two"),
    ({"p_stay_one": -0.1}, ValueError, "p_stay_one"),
    ({"single_share": 2}, ValueError, "single_share"),
    ({"uptake_pct": 120}, ValueError, "uptake_pct"),
    ({"per": 0}, ValueError, "per"),
    ({"margin": "200"}, TypeError, "margin"),
])
def test_whatif_rejects_bad_input(kwargs, err, match):
    args = {"single_share": 0.3, "p_stay_one": 0.6, "p_stay_two": 0.8, "uptake_pct": 10, "margin": 100, **kwargs}
    with pytest.raises(err, match=match):
        cs.whatif_cross_sell(**args)


# --------------------------------------------------------------------------- baskets and rules
def _long(baskets):
    return pd.DataFrame([(b, i) for b, items in enumerate(baskets, start=1) for i in items],
                        columns=["basket_id", "item"])


@pytest.mark.parametrize("df, err, match", [
    (pd.DataFrame({"basket_id": [1, 2], "item": ["beer", None]}), ValueError, "'item' has NaN at row 1"),
    (pd.DataFrame({"basket_id": [1, None], "item": ["beer", "milk"]}), ValueError, "missing basket id at row 1"),
    (pd.DataFrame({"basket_id": [1, 2], "item": ["beer", 3]}), TypeError, "strings, row 1"),
    (pd.DataFrame({"basket_id": [1, 2], "item": ["beer", " "]}), ValueError, "empty at row 1"),
    (pd.DataFrame({"basket_id": [1], "product": ["beer"]}), ValueError, "missing column"),
    (pd.DataFrame({"basket_id": [], "item": []}), ValueError, "empty"),
    ([("1", "beer")], TypeError, "DataFrame"),
])
def test_baskets_reject_bad_input(df, err, match):
    with pytest.raises(err, match=match):
        cs.basket_matrix(df)


def test_basket_matrix_is_a_set_per_basket():
    m = cs.basket_matrix(_long([["beer", "beer", "milk"], ["milk"]]))
    assert m.dtypes.eq(bool).all()
    assert m.loc[1].to_dict() == {"beer": True, "milk": True}
    assert m.loc[2].to_dict() == {"beer": False, "milk": True}


def test_rule_metrics_by_hand():
    m = cs.rule_metrics(1000, 80, 100, 20)
    assert (m["support"], m["confidence"], m["lift"]) == pytest.approx((0.02, 0.25, 2.5))
    with pytest.raises(ValueError, match=r"n_ab \(20\) cannot exceed n_a \(10\)"):
        cs.rule_metrics(1000, 10, 100, 20)
    with pytest.raises(ValueError, match="n_a"):
        cs.rule_metrics(10, 11, 5, 1)
    with pytest.raises(ValueError, match="n must be >= 1"):
        cs.rule_metrics(0, 0, 0, 0)


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, float("nan")])
def test_pair_rules_rejects_min_support_outside_0_1(bad):
    with pytest.raises(ValueError, match="min_support"):
        cs.pair_rules(_long([["a", "b"], ["a"]]), min_support=bad)


def test_pair_rules_rejects_bad_matrix_and_confidence():
    with pytest.raises(TypeError, match="'a' must be bool"):
        cs.pair_rules(pd.DataFrame({"a": [1, 0], "b": [True, False]}))
    with pytest.raises(ValueError, match="min_confidence"):
        cs.pair_rules(_long([["a", "b"]]), min_confidence=1.5)


baskets_strategy = st.lists(st.sets(st.sampled_from("abcde"), min_size=1, max_size=5), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(baskets_strategy, st.sampled_from([0.01, 0.1, 0.3]))
def test_pair_rules_match_brute_force(baskets, min_support):
    rules = cs.pair_rules(_long([sorted(b) for b in baskets]), min_support=min_support)
    n = len(baskets)
    items = sorted(set().union(*baskets))
    expected = {}
    for a, b in itertools.permutations(items, 2):
        n_a = sum(a in s for s in baskets)
        n_b = sum(b in s for s in baskets)
        n_ab = sum(a in s and b in s for s in baskets)
        if n_ab / n >= min_support:
            expected[(a, b)] = (n_ab / n, n_ab / n_a, n * n_ab / (n_a * n_b))
    got = {(r.antecedent, r.consequent): (r.support, r.confidence, r.lift) for r in rules.itertuples()}
    assert got.keys() == expected.keys()
    for k, v in expected.items():
        assert got[k] == pytest.approx(v)
    assert rules["lift"].is_monotonic_decreasing


@settings(max_examples=30, deadline=None)
@given(baskets_strategy)
def test_lift_is_symmetric_and_matches_pair_rules(baskets):
    data = _long([sorted(b) for b in baskets])
    lm = cs.lift_matrix(data)
    v = lm.to_numpy()
    assert np.allclose(v, v.T, equal_nan=True)
    assert np.isnan(np.diag(v)).all()
    for r in cs.pair_rules(data, min_support=1e-9).itertuples():
        assert lm.loc[r.antecedent, r.consequent] == pytest.approx(r.lift)


def test_lift_matrix_rejects_unknown_items():
    with pytest.raises(ValueError, match="zebra"):
        cs.lift_matrix(_long([["a", "b"]]), items=["a", "zebra"])


def test_time_slots():
    assert cs.time_slot([8, 11, 12, 16, 17, 21]).tolist() == ["morning", "morning", "afternoon", "afternoon",
                                                             "evening", "evening"]
    with pytest.raises(ValueError, match="row 1 is 22"):
        cs.time_slot([9, 22])
    with pytest.raises(TypeError, match="hour"):
        cs.time_slot([9, None])


def test_rule_by_group_orders_days_and_time_slots_as_a_calendar():
    rows = [["d", "b"], ["d"], ["b"], ["d", "b"], ["x", "d"], ["b", "x"]]
    data = _long(rows)
    when = {1: ("Sun", "evening"), 2: ("Mon", "morning"), 3: ("Mon", "evening"), 4: ("Sun", "morning"),
            5: ("Mon", "afternoon"), 6: ("Sun", "afternoon")}
    data["day"] = data["basket_id"].map(lambda b: when[b][0])
    data["slot"] = data["basket_id"].map(lambda b: when[b][1])
    g = cs.rule_by_group(data, "d", "b", by=["day", "slot"])
    assert list(g.index) == [("Mon", "morning"), ("Mon", "afternoon"), ("Mon", "evening"),
                             ("Sun", "morning"), ("Sun", "afternoon"), ("Sun", "evening")]
    other = data.assign(shop=data["basket_id"].map(lambda b: "zeta" if b % 2 else "alpha"))
    assert list(cs.rule_by_group(other, "d", "b", by=["shop"]).index) == ["alpha", "zeta"]


def test_rule_by_group_matches_pair_rules_within_each_group():
    data = _long([["d", "b"], ["d"], ["b", "x"], ["d", "b"], ["x"], ["d", "x"]])
    data["day"] = data["basket_id"].map(lambda b: "Sat" if b <= 3 else "Mon")
    g = cs.rule_by_group(data, "d", "b", by=["day"])
    for day in ("Sat", "Mon"):
        sub = data[data["day"] == day]
        r = cs.pair_rules(sub, min_support=1e-9)
        row = r[(r.antecedent == "d") & (r.consequent == "b")].iloc[0]
        assert g.loc[day, "lift"] == pytest.approx(row["lift"])
        assert g.loc[day, "confidence"] == pytest.approx(row["confidence"])
        assert g.loc[day, "baskets"] == sub["basket_id"].nunique()


@pytest.mark.parametrize("kwargs, match", [
    ({"antecedent": "zebra"}, "antecedent 'zebra' does not occur"),
    ({"consequent": "d"}, "must differ"),
    ({"by": []}, "at least one"),
    ({"by": ["shop"]}, "missing column"),
])
def test_rule_by_group_rejects_bad_input(kwargs, match):
    data = _long([["d", "b"], ["d"]]).assign(day="Sat")
    args = {"antecedent": "d", "consequent": "b", "by": ["day"], **kwargs}
    with pytest.raises(ValueError, match=match):
        cs.rule_by_group(data, **args)


def test_rule_by_group_rejects_a_basket_on_two_days():
    data = _long([["d", "b"], ["d"]]).assign(day=["Sat", "Sun", "Mon"])
    with pytest.raises(ValueError, match="basket 1 has more than one value"):
        cs.rule_by_group(data, "d", "b", by=["day"])


# --------------------------------------------------------------------------- plots and exercises
def test_plots_use_the_chosen_language(printed):
    import matplotlib.pyplot as plt

    from crmlib.plotting import crosssell as cplot

    ax = cplot.source_chart(printed, lang="zh")
    ticks = " ".join(tl.get_text() for tl in ax.get_xticklabels())
    assert "支票账户" in ticks and "Checking" not in ticks
    labels = [tx.get_text() for tx in ax.texts if tx.get_text().endswith("%")]
    assert {"1%", "0.5%", "10%", "18%", "100%"} <= set(labels)
    plt.close("all")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_exercises_check_computed_answers(lang):
    from crmbook.exercises import ch04

    ex = ch04.EXERCISES.bind(lang)
    assert ex.check("4.1", 10).ok            # 10 % / 1 % (S5, 留住顾客的概率)
    assert ex.check("4.2", 99).ok            # 100 - 1
    assert ex.check("4.4", 2.5).ok           # 0.25 / 0.10
    assert not ex.check("4.4", 0.25).ok      # the confidence, not the lift
    assert ex.check("4.5", "C").ok and not ex.check("4.5", "A").ok
    by_n = cs.retention_by_products(datasets.load("bank_customers"))
    assert ex.check("4.3", 100 * by_n.loc[3, "retention"]).ok
    assert not ex.check("4.3", 18).ok        # the source's 18 % is not what the data say
    assert ex.check("4.1", None).ok is None
    for number in ch04.EXERCISES.numbers():
        q = ch04.EXERCISES.question(number, lang)
        assert q and "{" not in q
        if number != "4.5":
            assert "{" not in ch04.EXERCISES.check(number, 1e9, lang).message
    assert "{" not in ch04.EXERCISES.check("4.5", "C", lang).message


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_plot_takes_lang_and_ax_as_keywords_and_returns_what_it_drew(printed, lang):
    import inspect

    import matplotlib.pyplot as plt

    from crmlib.plotting import apply_style, crosssell as cplot

    apply_style(lang)
    for name in cplot.__all__:
        sig = inspect.signature(getattr(cplot, name))
        assert sig.parameters["lang"].kind is inspect.Parameter.KEYWORD_ONLY, name
        if "ax" in sig.parameters:
            assert sig.parameters["ax"].kind is inspect.Parameter.KEYWORD_ONLY, name
    baskets = datasets.load("baskets").head(3000).copy()
    baskets["slot"] = cs.time_slot(baskets["hour"]).to_numpy()
    cells = cs.rule_by_group(baskets, "diapers", "beer", by=["day", "slot"])
    fig = cplot.rule_heatmaps_figure(cells, days=cs.DAYS, slots=list(cs.TIME_SLOTS), lang=lang)
    assert len(fig.axes) == 4                     # two heatmaps and their colour bars
    days = [tl.get_text() for tl in fig.axes[0].get_yticklabels()]
    assert days[0] == ("Mon" if lang == "en" else "周一")
    _, ax = plt.subplots()
    assert cplot.rule_heatmap(cells, "lift", days=cs.DAYS, slots=list(cs.TIME_SLOTS), lang=lang, ax=ax) is ax
    with pytest.raises(ValueError, match="value must be"):
        cplot.rule_heatmap(cells, "support", days=cs.DAYS, slots=list(cs.TIME_SLOTS), lang=lang)
    X = cs.basket_matrix(baskets)
    ax = cplot.lift_heatmap(cs.lift_matrix(X), annotate_above=1.5, lang=lang)
    written = [tx.get_text() for tx in ax.texts if tx.get_text()]
    assert written and all(float(v) >= 1.5 for v in written)
    plt.close("all")
