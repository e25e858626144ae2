"""Issue 15 §2: infinite values are refused wherever NaN is, with crmlib's own error naming the column/argument.

Before, ``inf`` in a numeric column passed the NaN checks and came back as an
infinite result, or surfaced as statsmodels' "exog contains inf or nans".
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from crmlib import _validate, concepts, crosssell, datasets, funnel, prospects

INF = float("inf")


@pytest.fixture(scope="module")
def pros():
    return datasets.load("prospects")


@pytest.fixture(scope="module")
def cust():
    return datasets.load("bank_customers")


def _set(df, col, value, row=3):
    d = df.copy()
    if d[col].dtype.kind in "iu":
        d[col] = d[col].astype(float)
    elif str(d[col].dtype) == "Int64":
        d[col] = d[col].astype("Float64")
    d.loc[d.index[row], col] = value
    return d


PROSPECT_COLS = ["budget_kusd", "need_score", "influence", "days_prospect", "days_negotiation"]
PROSPECT_FUNCS = {
    "check_prospects": prospects.check_prospects,
    "funnel_counts": funnel.funnel_counts,
    "time_to_close": funnel.time_to_close,
    "fit_close_logit": funnel.fit_close_logit,
    "qualify_man": concepts.qualify_man,
}


@pytest.mark.parametrize("value", [INF, -INF])
@pytest.mark.parametrize("col", PROSPECT_COLS)
@pytest.mark.parametrize("func", list(PROSPECT_FUNCS))
def test_prospect_tables_refuse_infinity(pros, func, col, value):
    with pytest.raises(ValueError, match=rf"prospects column '{col}' is (infinite|negative) at row 3"):
        PROSPECT_FUNCS[func](_set(pros, col, value))


def test_close_model_predict_refuses_infinity(pros):
    m = funnel.fit_close_logit(pros)
    with pytest.raises(ValueError, match="'budget_kusd' is infinite at row 3"):
        m.predict(_set(pros, "budget_kusd", INF))


def test_negative_negotiation_days_are_refused(pros):
    with pytest.raises(ValueError, match="'days_negotiation' is negative at row 3"):
        prospects.check_prospects(_set(pros, "days_negotiation", -5))


@pytest.mark.parametrize("value", [INF, -INF])
@pytest.mark.parametrize("func", [
    lambda d: crosssell.check_customers(d),
    lambda d: crosssell.retention_by_products(d),
    lambda d: crosssell.fit_retention_logit(d),
])
def test_customer_tables_refuse_infinite_products(cust, func, value):
    with pytest.raises(ValueError, match="customers column 'n_products' is infinite at row 3"):
        func(_set(cust, "n_products", value))


@pytest.mark.parametrize("value", [INF, -INF])
@pytest.mark.parametrize("term", ["tenure_years", "balance_usd"])
def test_retention_logit_refuses_infinite_terms(cust, term, value):
    with pytest.raises(ValueError, match=f"customers column '{term}' is infinite at row 3"):
        crosssell.fit_retention_logit(_set(cust, term, value), terms=[term])


@pytest.mark.parametrize("exog, what", [([1.0, np.nan], "NaN"), ([1.0, INF], "infinite"), ([1.0, -INF], "infinite"),
                                        (pd.Series([1.0, INF], index=["a", "b"]), "infinite")])
def test_retention_predict_refuses_nonfinite(cust, exog, what):
    rl = crosssell.fit_retention_logit(cust)
    with pytest.raises(ValueError, match=rf"exog\[.*\] is {what}"):
        rl.predict(exog)


def test_retention_predict_refuses_nonfinite_frame_column(cust):
    rl = crosssell.fit_retention_logit(cust, terms=["n_products", "tenure_years"])
    with pytest.raises(ValueError, match=r"exog column 'tenure_years'\[3\] is infinite"):
        rl.predict(_set(cust, "tenure_years", INF))


def test_discrete_effect_refuses_infinite_data(cust):
    rl = crosssell.fit_retention_logit(cust)
    with pytest.raises(ValueError, match="data column 'n_products' is infinite at row 3"):
        rl.discrete_effect("n_products", _set(cust, "n_products", INF))


@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "-Infinity"])
def test_dataset_loader_refuses_infinite_cells(tmp_path, monkeypatch, cell):
    (tmp_path / "t.csv").write_text(f"x\n1.5\n{cell}\n", encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps({"datasets": {"t": {
        "file": "t.csv", "sha256": "0" * 64, "rows": 2, "columns": {"x": {"type": "float"}}}}}), encoding="utf-8")
    monkeypatch.setenv("CRMLIB_DATA_DIR", str(tmp_path))
    with pytest.raises(datasets.DatasetError, match="column 'x' is infinite at data row 2"):
        datasets.load("t", verify=False)


@pytest.mark.parametrize("value", [INF, -INF])
def test_check_columns_refuses_infinity(value):
    df = pd.DataFrame({"a": [1.0, value]}, index=["r1", "r2"])
    with pytest.raises(ValueError, match="column 'a' is infinite at row 'r2'"):
        _validate.check_columns(df, ["a"], "table", numeric=["a"])
    with pytest.raises(ValueError, match="column 'a' is infinite at row 'r2'"):
        _validate.check_columns(df, ["a"], "table", nonnegative=["a"])
