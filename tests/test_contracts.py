"""Contracts by class (issue 22): each rule of crmlib._validate, and every function that relies on it.

One test per rule: whole-number counts, Series paired by label (or refused), impossible combinations,
finite results, signs of costs and counts, damaged data files and manifests, plain values in messages.
Each case here was accepted (or answered with a raw numpy/pandas error) before the rule was applied.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from crmlib import business_case as bc
from crmlib import concepts, crosssell, datasets, finance, funnel, loss, prospects
from crmlib._validate import check_at_most, check_finite_result, check_same_length, check_unique, plain

DRIVERS = {"kept_share": 0.1, "close_uplift": 0.01, "crosssell_gain": 0.02, "retention": 0.8}


@pytest.fixture(scope="module")
def pros():
    return datasets.load("prospects")


@pytest.fixture(scope="module")
def shares():
    return datasets.load("loss_causes").set_index("cause_id")["share_pct"]


def _set(df, col, value, row=0):
    d = df.copy()
    if isinstance(value, float) and d[col].dtype.kind in "iu":
        d[col] = d[col].astype(float)
    elif str(d[col].dtype) == "Int64":
        d[col] = d[col].astype("Float64")
    d.loc[d.index[row], col] = value
    return d


# ------------------------------------------------------------------ the helpers themselves
def test_plain_turns_numpy_scalars_into_python_values():
    assert repr(plain(np.int64(3))) == "3" and repr(plain(np.float64(0.5))) == "0.5"
    assert plain((np.int64(1), "a")) == (1, "a") and type(plain([np.int64(1)])[0]) is int
    assert plain("x") == "x"


def test_check_unique_names_the_repeated_label():
    check_unique(["a", "b"], "counts", "stage")
    with pytest.raises(ValueError, match="counts lists stage 'a' twice"):
        check_unique(["a", "b", "a"], "counts", "stage")
    with pytest.raises(ValueError, match="lists label 7 twice"):
        check_unique(pd.Index(np.array([7, 7])), "x")


def test_check_at_most_names_value_and_limit():
    check_at_most(np.array([1, 2]), "n_ab", np.array([1, 3]), "n_a")
    with pytest.raises(ValueError, match=r"n_ab\[1\] \(4\) cannot exceed n_a \(3\): why"):
        check_at_most(np.array([1, 4]), "n_ab", np.array([1, 3]), "n_a", "why")
    with pytest.raises(ValueError, match=r"^gain \(0.3\) cannot exceed attrition \(0.2\)$"):
        check_at_most(0.3, "gain", 0.2, "attrition")


def test_check_same_length_and_finite_result():
    check_same_length([1, 2], "a", [3, 4], "b")
    with pytest.raises(ValueError, match="a and b must have the same length .* got 2 and 3"):
        check_same_length([1, 2], "a", [3, 4, 5], "b")
    assert check_finite_result(2.0, "x", "y") == 2.0
    with pytest.raises(ValueError, match="^npv is infinite: blame$"):
        check_finite_result(np.array([1.0, np.inf]), "npv", "blame")
    with pytest.raises(ValueError, match="^t is NaN: blame$"):
        check_finite_result(pd.DataFrame({"a": [1.0, np.nan], "s": ["x", "y"]}), "t", "blame")
    with pytest.raises(TypeError, match="x must be a number, got str"):
        check_finite_result("1", "x", "blame")


# ------------------------------------------------------------------ whole-number counts are whole
@pytest.mark.parametrize("call, match", [
    (lambda p, s: crosssell.source_retention(_set(datasets.load("crosssell_retention"), "n_services", 1.5)),
     r"'n_services' at row 0 is not a whole number \(1.5\)"),
    (lambda p, s: crosssell.rule_metrics(100, 10, 20, 4.5), r"n_ab is not a whole number \(4.5\)"),
    (lambda p, s: crosssell.rule_metrics(100, [10, 10], [20, 20], [5, 4.5]), r"n_ab\[1\] is not a whole number"),
    (lambda p, s: prospects.check_prospects(_set(p, "influence", 3.5)), "'influence' at row 0 is not a whole"),
    (lambda p, s: prospects.check_prospects(_set(p, "days_prospect", 10.5)), "'days_prospect' at row 0 is not"),
    (lambda p, s: funnel.simulation_check([1.5, 2.0], funnel.expected_deals(100, [0.5, 0.1])),
     r"simulated\[0\] is not a whole number"),
    (lambda p, s: loss.goodness_of_fit(pd.Series(np.r_[10.5, np.full(len(s) - 1, 10.0)], index=s.index), s),
     r"counts\['customer_died'\] is not a whole number"),
    (lambda p, s: bc.CaseAssumptions(customers=20_000.5), "customers must be an integer"),
    (lambda p, s: bc.CaseAssumptions(prospects=10.5), "prospects must be an integer"),
])
def test_counts_must_be_whole(pros, shares, call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(pros, shares)


# ------------------------------------------------------------------ Series paired by label, never by position
def test_series_with_the_same_labels_in_another_order_are_paired_by_label(pros, shares):
    flags = concepts.qualify_man(pros)
    rev = flags.iloc[::-1]
    pd.testing.assert_frame_equal(concepts.criterion_table(pros, rev), concepts.criterion_table(pros, flags))
    assert concepts.man_summary(pros, rev) == concepts.man_summary(pros, flags)
    model = funnel.fit_close_logit(pros)
    assert model.mean_predicted(pros, flags["man"].iloc[::-1]) == model.mean_predicted(pros, flags["man"])
    obs = pd.Series([0.6, 0.8, 0.9], index=[1, 2, 3])
    mod = pd.Series([0.5, 0.7, 0.95], index=[1, 2, 3])
    table = datasets.load("crosssell_retention")
    pd.testing.assert_frame_equal(crosssell.compare_with_source(obs, mod.iloc[::-1], table),
                                  crosssell.compare_with_source(obs, mod, table))
    counts = pd.Series(np.arange(10.0, 10.0 + len(shares)), index=shares.index)
    assert loss.goodness_of_fit(counts.iloc[::-1], shares).statistic == pytest.approx(
        loss.goodness_of_fit(counts, shares).statistic, rel=1e-12)


@pytest.mark.parametrize("call", [
    lambda p, s: concepts.criterion_table(p, concepts.qualify_man(p).set_axis(p.index + 1)),
    lambda p, s: concepts.man_summary(p, concepts.qualify_man(p).set_axis(p.index + 1)),
    lambda p, s: crosssell.compare_with_source(pd.Series([0.6, 0.8], index=[1, 2]), pd.Series([0.6, 0.8], index=[2, 3]),
                                               datasets.load("crosssell_retention")),
    lambda p, s: loss.goodness_of_fit(pd.Series(10.0, index=[f"x{i}" for i in range(len(s))]), s),
    lambda p, s: __import__("crmlib.plotting.loss").plotting.loss.survey_ci_chart(
        loss.multinomial_ci(pd.Series(5, index=s.index)), s.set_axis([f"x{i}" for i in range(len(s))])),
])
def test_series_whose_labels_disagree_are_refused(pros, shares, call):
    with pytest.raises(ValueError, match="different indexes"):
        call(pros, shares)


@pytest.mark.parametrize("call, match", [
    (lambda: finance.roi([1.0, 2.0], [1.0, 2.0, 3.0]), "benefits and costs must have the same length"),
    (lambda: finance.eva_table(100.0, [60.0, 70.0], [10.0, 10.0, 10.0], 0.1),
     "benefits and operating_costs must have the same length"),
    (lambda: funnel.plan_pipelines([1, 5], 0.05, 0.9, 10, [np.random.default_rng(1)]),
     r"ks and rngs \(one generator per k\) must have the same length"),
])
def test_sequences_paired_by_position_have_one_length(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ impossible combinations refused
@pytest.mark.parametrize("call, match", [
    (lambda p: crosssell.rule_metrics(100, 60, 60, 5),
     r"\(n_a \+ n_b - n_ab\) \(115\) cannot exceed n \(100\)"),
    (lambda p: crosssell.rule_metrics(100, 10, 20, 15), r"n_ab \(15\) cannot exceed n_a \(10\)"),
    (lambda p: funnel.stage_rates(pd.Series([100, 50, 5], index=["a", "b", "a"])), "lists stage 'a' twice"),
    (lambda p: loss.multinomial_ci(pd.Series([5, 7], index=["a", "a"])), "lists cause 'a' twice"),
    (lambda p: prospects.check_prospects(_set(p, "days_negotiation", 20,
                                              int(np.flatnonzero((p["stage_reached"] == "prospect").to_numpy())[0]))),
     "has days at row .*, a prospect that never negotiated"),
    (lambda p: bc.evaluate(bc.project_cash_flows(**DRIVERS).assign(net=lambda f: f["net"] + 1.0), 0.1),
     "flows column 'net' is .* but benefit - cost is"),
    (lambda p: bc.tco(bc.project_cash_flows(**DRIVERS).assign(cost=lambda f: f["cost"] * 2)),
     "flows column 'cost' is .* but the sum of the cost items is"),
    (lambda p: bc.project_cash_flows(**{**DRIVERS, "crosssell_gain": 0.3}),
     r"crosssell_gain \(0.3\) cannot exceed the attrition rate"),
])
def test_impossible_combinations_are_refused(pros, call, match):
    with pytest.raises(ValueError, match=match):
        call(pros)


# ------------------------------------------------------------------ results finite or refused
BIG = 1e308


@pytest.mark.parametrize("call, match", [
    (lambda: finance.npv(0.1, [BIG, BIG]), r"npv is infinite: cash_flows \(largest \|value\| 1e\+308\) or rate"),
    (lambda: finance.npv(-0.999999, [0.0] * 200 + [1.0]), r"npv is NaN: .*rate \(-0.999999\)"),
    (lambda: finance.npv_profile([BIG, BIG], [0.0, 0.1]), "npv is infinite"),
    (lambda: finance.discount_factors(-0.9999, 1000), r"rate \(-0.9999\) is too close to -1 for 1000 periods"),
    (lambda: finance.payback_period([-BIG, -BIG, BIG]), "the cumulative cash flow is infinite: cash_flows"),
    (lambda: finance.roi([BIG, BIG], [1.0, 1.0]), "the total benefit is infinite: benefits"),
    (lambda: finance.eva_table(BIG, [BIG, BIG], [0.0, 0.0], 10.0), "the EVA table is infinite: investment"),
    (lambda: bc.project_cash_flows(**DRIVERS, assumptions=bc.CaseAssumptions(margin=BIG)),
     "the cash-flow table is infinite"),
    (lambda: bc.budget_by_rule(BIG, 4.0), r"the budget is infinite: visible_cost \(1e\+308\)"),
    (lambda: crosssell.whatif_cross_sell(0.3, 0.6, 0.8, 10.0, BIG), r"the value kept is infinite: margin"),
    (lambda: loss.whatif_kept({"a": 100.0}, {}, per=10**400), "per has 401 digits"),
    (lambda: funnel.expected_deals(10**400, [0.5]), "n has 401 digits"),
])
def test_overflow_is_refused_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("func, match", [
    (lambda a: float("nan"), "func at the base case is NaN"),
    (lambda a: np.inf if a == 2.0 else a, r"func at a = 2 \(the high end of its range\) is infinite"),
    (lambda a: np.nan if a == 0.0 else a, r"func at a = 0 \(the low end of its range\) is NaN"),
])
def test_a_tornado_of_nans_is_refused_not_ranked(func, match):
    with pytest.raises(ValueError, match=match):
        finance.tornado_table(func, {"a": 1.0}, {"a": (0.0, 2.0)})
    with pytest.raises(TypeError, match="func must return a number, got str"):
        finance.tornado_table(lambda a: "x", {"a": 1.0}, {"a": (0.0, 2.0)})


# ------------------------------------------------------------------ costs and counts have signs
@pytest.mark.parametrize("column, row", [("software", 0), ("running", 1), ("cost", 0), ("benefit", 2)])
@pytest.mark.parametrize("fn", [bc.tco, bc.cost_breakdown, lambda f: bc.evaluate(f, 0.1),
                                lambda f: bc.project_eva(f, 0.1)])
def test_negative_costs_and_benefits_in_a_flow_table_are_refused(column, row, fn):
    f = bc.project_cash_flows(**DRIVERS)
    f.loc[row, column] = -5.0
    with pytest.raises(ValueError, match=f"flows column '{column}' is negative at row {row}"):
        fn(f)


@pytest.mark.parametrize("call, match", [
    (lambda: finance.eva_table(100.0, [60.0, 70.0], [10.0, -10.0], 0.1), r"operating_costs\[1\] is negative"),
    (lambda: finance.eva_table(100.0, [60.0, -70.0], [10.0, 10.0], 0.1), r"benefits\[1\] is negative"),
    (lambda: bc.CaseAssumptions(running=-1.0), "running must be >= 0"),
    (lambda: crosssell.rule_metrics(100, -1, 20, 0), r"n_a is negative \(-1.0\)"),
])
def test_amounts_and_counts_have_signs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ damaged data files and manifests
def _cut(b: bytes) -> bytes:
    return b"\n".join(b.split(b"\n")[:4]) + b"\n"


def _extra_field(b: bytes) -> bytes:
    return b"\n".join(ln + b",x" if i == 3 else ln for i, ln in enumerate(b.split(b"\n")))


@pytest.mark.parametrize("damage, match", [
    (_cut, r"seed/loss_causes\.csv: 3 data rows, the manifest says 7"),
    (lambda b: b[: len(b) // 2], r"data row 4 has \d+ fields, the header 11 \(a truncated"),
    (lambda b: b"", "the file is empty"),
    (_extra_field, "data row 3 has 12 fields, the header 11"),
    (lambda b: b.rsplit(b",", 3)[0] + b"\n", "data row 7 has 8 fields, the header 11"),
])
def test_a_damaged_file_is_refused_even_without_the_hash(data_copy, damage, match):
    f = data_copy / "seed" / "loss_causes.csv"
    f.write_bytes(damage(f.read_bytes()))
    with pytest.raises(datasets.DatasetError, match=match):
        datasets.load("loss_causes", verify=False)


@pytest.mark.parametrize("write, match", [
    (lambda m: "{not json", "is not valid JSON"),
    (lambda m: "[]", "must be a JSON object with a 'datasets' object"),
    (lambda m: json.dumps({k: v for k, v in m.items() if k != "datasets"}), "'datasets' object"),
    (lambda m: json.dumps({**m, "datasets": {**m["datasets"], "loss_causes": {
        k: v for k, v in m["datasets"]["loss_causes"].items() if k != "rows"}}}), "'loss_causes' lacks 'rows'"),
    (lambda m: json.dumps({**m, "datasets": {**m["datasets"], "loss_causes": {
        **m["datasets"]["loss_causes"], "columns": ["cause_id"]}}}), "'columns' must be dict, got list"),
    (lambda m: json.dumps({**m, "datasets": {**m["datasets"], "loss_causes": {
        **m["datasets"]["loss_causes"], "columns": {"cause_id": 5}}}}), "column 'cause_id' must be described by an"),
])
def test_a_malformed_manifest_gives_one_dataset_error(data_copy, write, match):
    mf = json.loads((data_copy / "manifest.json").read_text(encoding="utf-8"))
    (data_copy / "manifest.json").write_text(write(mf), encoding="utf-8")
    with pytest.raises(datasets.DatasetError, match=match):
        datasets.load("loss_causes", verify=False)


def test_the_manifest_counts_the_rows_the_loader_reads():
    for name in datasets.names():
        if not name.startswith("cdnow"):
            assert datasets.count_rows(name) == datasets.info(name)["rows"] == len(datasets.load(name)), name


# ------------------------------------------------------------------ plain values in messages
NUMPY_REPR = re.compile(r"np\.(int|float|bool|str)\w*\(")


@pytest.mark.parametrize("call", [
    lambda: loss.check_shares(pd.Series([50.0, -1.0, 51.0], index=np.array([1, 2, 3]))),
    lambda: loss.multinomial_ci(pd.Series([5.0, 1.5], index=np.array([7, 8]))),
    lambda: funnel.check_funnel(pd.Series([100, 120], index=np.array([1, 2]))),
    lambda: finance.roi(pd.Series([1.0, 2.0], index=np.array([1, 2])), pd.Series([1.0, 2.0], index=np.array([1, 3]))),
    lambda: loss.loss_table(datasets.load("loss_causes").set_axis(pd.Index(np.arange(10, 17))).assign(
        share_pct=[np.inf] + [1.0] * 6)),
    lambda: concepts.classify_stage([np.int64(1)] * 5),
    lambda: crosssell.rule_metrics(np.int64(100), np.int64(10), np.int64(20), np.int64(30)),
])
def test_messages_print_numpy_values_as_plain_numbers(call):
    with pytest.raises((ValueError, TypeError)) as err:
        call()
    assert not NUMPY_REPR.search(str(err.value)), str(err.value)
