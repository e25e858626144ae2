"""Issue 15 §2: strings, None, bools, ragged lists and shape mismatches get crmlib's own error naming the argument;
a column-list argument given one string is that one name, never its letters."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import _validate, clv, crosssell, datasets

NAN = float("nan")

FOREIGN = ("could not convert", "could not broadcast", "setting an array element", "inhomogeneous",
           "unsupported operand", "If using all scalar values", "Per-column arrays")


def _own(excinfo, name):
    msg = str(excinfo.value)
    assert name in msg, msg
    assert not any(w in msg for w in FOREIGN), msg


@pytest.fixture(scope="module")
def cust():
    return datasets.load("bank_customers")


@pytest.fixture(scope="module")
def bask():
    return datasets.load("baskets").head(3000)


# ------------------------------------------------------------------ one string = one column
def test_terms_as_one_string_is_one_column(cust):
    one = crosssell.fit_retention_logit(cust, terms="n_products")
    ref = crosssell.fit_retention_logit(cust, terms=["n_products"])
    assert one.terms == ("n_products",)
    np.testing.assert_array_equal(one.params.to_numpy(), ref.params.to_numpy())


def test_by_as_one_string_is_one_column(bask):
    one = crosssell.rule_by_group(bask, "beer", "chips", by="day")
    ref = crosssell.rule_by_group(bask, "beer", "chips", by=["day"])
    pd.testing.assert_frame_equal(one, ref)


def test_items_as_one_string_is_one_item(bask):
    got = crosssell.lift_matrix(bask, items="beer")
    assert list(got.columns) == ["beer"]


@pytest.mark.parametrize("terms, err, match", [
    (None, TypeError, "terms must be a column name"), (3, TypeError, "terms must be a column name"),
    ([["n_products"]], TypeError, "terms must hold column names"), (["n_products", "n_products"], ValueError, "twice"),
    ({"n_products": 1}, TypeError, "terms must be a column name"), (b"n_products", TypeError, "terms"),
])
def test_terms_that_are_not_names_are_refused(cust, terms, err, match):
    with pytest.raises(err, match=match):
        crosssell.fit_retention_logit(cust, terms=terms)


@pytest.mark.parametrize("by", [None, 3, [1]])
def test_by_that_is_not_names_is_refused(bask, by):
    with pytest.raises(TypeError, match="by must"):
        crosssell.rule_by_group(bask, "beer", "chips", by=by)


@pytest.mark.parametrize("which", ["antecedent", "consequent"])
@pytest.mark.parametrize("value", [None, 3, ["beer"]])
def test_rule_by_group_items_must_be_strings(bask, which, value):
    kw = {"antecedent": "beer", "consequent": "chips", which: value}
    with pytest.raises(TypeError, match=which):
        crosssell.rule_by_group(bask, by="day", **kw)


# ------------------------------------------------------------------ rule_metrics
@pytest.mark.parametrize("arg", ["n_a", "n_b", "n_ab"])
@pytest.mark.parametrize("value, err", [("5", TypeError), (True, TypeError), (None, TypeError),
                                        ([[1], [2, 3]], TypeError), (NAN, ValueError), ([1, "a"], TypeError),
                                        (np.bool_(True), TypeError)])
def test_rule_metrics_counts_are_numbers(arg, value, err):
    kw = {"n_a": 10, "n_b": 20, "n_ab": 5, arg: value}
    with pytest.raises(err) as e:
        crosssell.rule_metrics(100, **kw)
    _own(e, arg)


def test_rule_metrics_shape_mismatch_is_named():
    with pytest.raises(ValueError, match="same shape") as e:
        crosssell.rule_metrics(100, [10, 20], [20, 30, 40], [5, 5])
    _own(e, "n_a, n_b and n_ab")


def test_rule_metrics_arrays_and_scalars_still_work():
    got = crosssell.rule_metrics(100, np.array([10, 20]), 40, np.array([5, 8]))
    np.testing.assert_allclose(got["lift"], [100 * 5 / 400, 100 * 8 / 800])


# ------------------------------------------------------------------ RetentionLogit.predict
@pytest.mark.parametrize("exog, err", [(None, TypeError), ([[1.0, 2.0], [3.0, 4.0]], ValueError),
                                       ([True, False], TypeError), ([], ValueError), ("abc", TypeError),
                                       ([1, "a"], TypeError), ([[1.0], [2.0, 3.0]], TypeError)])
def test_retention_predict_exog_errors_are_crmlibs(cust, exog, err):
    rl = crosssell.fit_retention_logit(cust)
    with pytest.raises(err) as e:
        rl.predict(exog)
    _own(e, "exog")


@pytest.mark.parametrize("alpha", [NAN, float("inf"), "0.05", None, True])
def test_retention_predict_alpha_checked(cust, alpha):
    rl = crosssell.fit_retention_logit(cust)
    with pytest.raises((TypeError, ValueError), match="alpha"):
        rl.predict([1, 2], alpha=alpha)


@pytest.mark.parametrize("term", [None, 3, ["n_products"]])
def test_discrete_effect_term_checked(cust, term):
    rl = crosssell.fit_retention_logit(cust)
    with pytest.raises(ValueError, match="term must be one of"):
        rl.discrete_effect(term, cust)


@pytest.mark.parametrize("data", [None, "customers", [1, 2]])
def test_discrete_effect_data_checked(cust, data):
    rl = crosssell.fit_retention_logit(cust)
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        rl.discrete_effect("n_products", data)


# ------------------------------------------------------------------ time_slot
@pytest.mark.parametrize("hour, err, match", [([8.5], ValueError, "not a whole hour"), ("abc", TypeError, "hour"),
                                               (None, TypeError, "hour"), ([True], TypeError, "hour"),
                                               ([8, float("inf")], ValueError, "outside")])
def test_time_slot_checks_hours(hour, err, match):
    with pytest.raises(err, match=match):
        crosssell.time_slot(hour)


# ------------------------------------------------------------------ clv dates and arrays
@pytest.mark.parametrize("cum", ["abc", None, [[0.0, 1.0], [0.0]], [[0.0, "a"], [0.0, 1.0]]])
def test_discounted_clv_array_errors_are_crmlibs(cum):
    with pytest.raises(TypeError) as e:
        clv.discounted_clv(cum, [1.0, 2.0], 0.1, step_years=1.0)
    _own(e, "cumulative_purchases")


# ------------------------------------------------------------------ the helpers
def test_check_names():
    assert _validate.check_names("a", "cols") == ("a",)
    assert _validate.check_names(("a", "b"), "cols") == ("a", "b")
    assert _validate.check_names((c for c in ["x"]), "cols") == ("x",)
    assert _validate.check_names([], "cols", allow_empty=True) == ()
    with pytest.raises(ValueError, match="at least one"):
        _validate.check_names([], "cols")


# ------------------------------------------------------------------ the business case
@pytest.fixture(scope="module")
def case_result():
    from crmlib import business_case as bc

    base = {"kept_share": 0.1, "close_uplift": 0.01, "crosssell_gain": 0.02, "retention": 0.8}
    flows = bc.project_cash_flows(**base)
    return {**bc.case_parameters(base), "discount_rate": 0.1}, bc.evaluate(flows, 0.1), flows


@pytest.mark.parametrize("key", ["kept_share", "margin", "discount_rate", "close_uplift", "training",
                                 "crosssell_gain", "crosssell_uptake"])
@pytest.mark.parametrize("value, err", [("0.1", TypeError), (NAN, ValueError), (float("inf"), ValueError),
                                        (None, TypeError)])
def test_scorecard_case_values_are_numbers(case_result, key, value, err):
    from crmlib import business_case as bc

    case, res, _ = case_result
    with pytest.raises(err, match=rf"case\['{key}'\]"):
        bc.scorecard({**case, key: value}, res, base_close_rate=0.05, complaint_losses=(10.0, 5.0))


@pytest.mark.parametrize("col, value, err", [("cost", "x", TypeError), ("net", float("inf"), ValueError),
                                             ("benefit", NAN, ValueError)])
def test_flow_tables_are_checked(case_result, col, value, err):
    from crmlib import business_case as bc

    flows = case_result[2].copy()
    if isinstance(value, str):
        flows[col] = flows[col].astype(object)
    flows.loc[2, col] = value
    with pytest.raises(err, match=f"flows column '{col}'"):
        bc.evaluate(flows, 0.1)
