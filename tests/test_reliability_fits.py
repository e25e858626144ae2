"""Issue 15 §1 for the logits (funnel close model, RetentionLogit): a fit that did not work says so.

A separating term warns :class:`crmlib.warnings.SeparationWarning` naming the
model and the term (instead of an odds ratio of 1e17 with interval [0, inf]);
a fit stopped by ``maxiter`` warns :class:`crmlib.warnings.ConvergenceWarning`;
fit options are validated. The BTYD fits have their own tests (test_btyd*.py).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib import crosssell, datasets, funnel
from crmlib.warnings import ConvergenceWarning, CRMWarning, SeparationWarning


@pytest.fixture(scope="module")
def pros():
    return datasets.load("prospects")


@pytest.fixture(scope="module")
def cust():
    return datasets.load("bank_customers")


def _deals_where(pros, mask):
    """Prospects whose deals are exactly ``mask`` (others stop at negotiation or prospect)."""
    stage = np.where(mask, "deal", np.where(pros["stage_reached"] == "deal", "negotiation", pros["stage_reached"]))
    return pros.assign(stage_reached=stage)


# ------------------------------------------------------------------ separation: close model
@pytest.mark.parametrize("make, term, kind", [
    (lambda p: _deals_where(p, p["need_score"] >= 7), "need", "perfect"),            # one threshold explains closing
    (lambda p: _deals_where(p, p["need_score"] <= 2), "need", "perfect"),            # ... from the other side
    (lambda p: _deals_where(p, p["budget_kusd"] > 150), "money", "perfect"),
    (lambda p: _deals_where(p, (p["stage_reached"] == "deal") & p["decision_maker"]), "authority", "quasi"),
    (lambda p: _deals_where(p, (p["need_score"] > 7) | ((p["need_score"] == 7) & p["decision_maker"])), "need",
     "quasi"),
])
def test_close_model_separation_names_the_term(pros, make, term, kind):
    with pytest.warns(SeparationWarning, match=rf"^close model, {term}: {kind} separation"):
        funnel.fit_close_logit(make(pros))


def test_close_model_on_the_shipped_data_does_not_warn(pros):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CRMWarning)
        m = funnel.fit_close_logit(pros)
    assert bool(m.result.mle_retvals["converged"])
    assert m.odds_ratios["upper"].max() < 100          # ordinary, finite intervals


# ------------------------------------------------------------------ separation: RetentionLogit
@pytest.mark.parametrize("make, terms, term, kind", [
    (lambda c: c.assign(churned=c["n_products"] == 1), ("n_products",), "n_products", "perfect"),
    (lambda c: c.assign(churned=c["n_products"] >= 3), ("n_products",), "n_products", "perfect"),
    (lambda c: c.assign(churned=c["churned"] & ~c["investment"]), ("investment", "n_products"), "investment", "quasi"),
    (lambda c: c.assign(churned=c["churned"] & ~c["loan"]), ("loan",), "loan", "quasi"),
    (lambda c: c.assign(churned=c["tenure_years"] < 3), ("tenure_years",), "tenure_years", "perfect"),
])
def test_retention_logit_separation_names_the_term(cust, make, terms, term, kind):
    with pytest.warns(SeparationWarning, match=rf"^RetentionLogit, {term}: {kind} separation"):
        crosssell.fit_retention_logit(make(cust), terms=terms)


def test_retention_logit_on_the_shipped_data_does_not_warn(cust):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CRMWarning)
        crosssell.fit_retention_logit(cust)
        crosssell.fit_retention_logit(cust, terms=list(crosssell.PRODUCTS[1:]))


# ------------------------------------------------------------------ convergence and fit options
@pytest.mark.parametrize("fit", [
    lambda p, c: funnel.fit_close_logit(p, maxiter=1),
    lambda p, c: crosssell.fit_retention_logit(c, maxiter=1),
    lambda p, c: crosssell.fit_retention_logit(c, terms=["tenure_years", "n_products"], maxiter=2),
])
def test_a_fit_stopped_by_maxiter_warns(pros, cust, fit):
    with pytest.warns(ConvergenceWarning, match=r"(close model|RetentionLogit): Newton's method stopped after \d"):
        fit(pros, cust)


@pytest.mark.parametrize("maxiter, err", [
    (0, ValueError), (-5, ValueError), (10**6, ValueError), (1.5, TypeError), (True, TypeError),
    ("10", TypeError), (None, TypeError), (float("nan"), TypeError), (float("inf"), TypeError),
])
@pytest.mark.parametrize("which", ["close", "retention"])
def test_maxiter_is_validated(pros, cust, which, maxiter, err):
    with pytest.raises(err, match="^maxiter must be"):
        if which == "close":
            funnel.fit_close_logit(pros, maxiter=maxiter)
        else:
            crosssell.fit_retention_logit(cust, maxiter=maxiter)


@pytest.mark.parametrize("alpha, err", [
    (float("nan"), ValueError), (float("inf"), ValueError), (-float("inf"), ValueError), (True, TypeError),
    ("0.05", TypeError), (None, TypeError), ([0.05], TypeError), (0.0, ValueError), (1.0, ValueError),
])
def test_retention_logit_alpha_is_validated(cust, alpha, err):
    with pytest.raises(err, match="alpha"):
        crosssell.fit_retention_logit(cust, alpha=alpha)


def test_default_maxiter_gives_the_same_fit_as_before(pros, cust):
    """maxiter=35 is statsmodels' Newton default: the chapters' numbers do not move."""
    import statsmodels.api as sm

    m = funnel.fit_close_logit(pros)
    y = (pros["stage_reached"] == "deal").astype(float)
    X = pd.DataFrame({"const": 1.0, "money": np.log2(pros["budget_kusd"]),
                      "authority": pros["decision_maker"].astype(float), "need": pros["need_score"].astype(float)})
    ref = sm.Logit(y, X).fit(disp=0)
    np.testing.assert_array_equal(m.result.params.to_numpy(), ref.params.to_numpy())
