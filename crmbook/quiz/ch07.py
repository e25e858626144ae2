"""Multiple-choice questions of chapter 7, "Satisfaction, loyalty and churn" (texts: ``site/teacher/ch07.csv``).

Keys come from the IBM Telco sample (:mod:`crmlib.survival`), the NPS of :mod:`crmlib.satisfaction` and
the simulations of :mod:`crmlib.experiment`, computed as the chapter computes them.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from crmlib import experiment, satisfaction, survival

from . import Fact, Formula, Meaning, Quiz

__all__ = ["QUIZ", "CONTRACTS", "NPS_SHARES", "HAZARD_MEANS", "PEEK_RATES", "PEEKING", "RETENTION_MEANS",
           "CAMPAIGN", "values"]

#: What each option of question 1 names: the Telco contract types, and "no difference".
CONTRACTS = {"A": "Month-to-month", "B": "One year", "C": "Two year", "D": "all_the_same"}
#: Question 2's survey, in customers out of 100: promoters, passives, detractors.
NPS_SHARES = (40, 30, 30)
#: What each option of question 3 reads a hazard ratio as.
HAZARD_MEANS = {"A": "hazard_relative_every_month", "B": "share_who_churn", "C": "longer_stay",
                "D": "causal_effect"}
#: The false-alarm rates question 4 offers.
PEEK_RATES = {"A": 0.05, "B": 0.10, "C": 0.19, "D": 0.50}
#: Question 4's A/B test of a campaign that does nothing: churn, customers per arm, looks, simulated tests, seed.
PEEKING = (0.30, 1500, 10, 2000, 20250707)
#: What each option of question 5 blames for "1 − churn share" not being a retention rate.
RETENTION_MEANS = {"A": "censoring", "B": "rounding", "C": "double_counting", "D": "unrelated"}
#: The retention campaign of Exercise 7.5 and the discussion: 12-month churn without and with it.
CAMPAIGN = (0.30, 0.25)


@functools.lru_cache(maxsize=1)
def _telco() -> Any:
    return survival.telco_customers()


def _longest_kept() -> Fact:
    customers = _telco()
    by = survival.kaplan_meier_by(customers, "contract", order=survival.TELCO_CONTRACTS, window=survival.TELCO_WINDOW)
    s72 = survival.retention_at(by, (survival.TELCO_WINDOW,)).set_index("group")["survival"]
    p = survival.logrank_test(customers, "contract", window=survival.TELCO_WINDOW).pvalue
    best = str(s72.idxmax()) if p < 0.05 else "all_the_same"
    return Fact(best, {"s72_two": float(s72["Two year"]), "s72_month": float(s72["Month-to-month"]),
                       "s72_one": float(s72["One year"]), "logrank_p": float(p)})


def _nps() -> Fact:
    return Fact(satisfaction.nps_from_counts(*NPS_SHARES).nps, dict(zip(("pro", "pas", "det"), NPS_SHARES)))


def _hazard_ratio() -> Fact:
    cox = survival.fit_cox(_telco(), window=survival.TELCO_WINDOW, **survival.TELCO_COX)
    hr = float(cox.hazard_ratios().loc["payment_method[Credit card (automatic)]", "hazard_ratio"])
    return Fact("hazard_relative_every_month" if 0 < hr < 1 else "?", {"hr_card": hr})


def _peeking() -> Fact:
    p, n, looks, sims, seed = PEEKING
    peek = experiment.simulate_peeking(p, n, looks, sims, np.random.default_rng(seed))
    return Fact(peek.false_positive_peeking, {"peeking": peek.false_positive_peeking, "looks": looks,
                                              "once": peek.false_positive_single})


def _not_a_retention_rate() -> Fact:
    customers = _telco()
    share = survival.churn_share(customers)
    km = survival.kaplan_meier(customers, window=survival.TELCO_WINDOW)
    s12 = float(km.survival_at([12])["survival"].iloc[0])
    spread = float(customers["tenure"].max() - customers["tenure"].min())
    return Fact("censoring" if spread > 12 else "?", {"one_minus_share": 1 - share["share"], "s12": s12})


def values() -> dict[str, Any]:
    """Numbers the chapter's teacher texts quote: the customers per arm of Exercise 7.5's campaign and the
    share of one-service Telco customers kept.

    Returns
    -------
    dict
    """
    before, after = CAMPAIGN
    kept = survival.churn_by_services(_telco())["kept"]
    return {"churn_before": before, "churn_after": after, "n_per_arm": experiment.sample_size_per_arm(before, after),
            "kept_one": float(kept["1"])}


QUIZ = Quiz("ch07", [
    Meaning("1", CONTRACTS, _longest_kept),
    Formula("2", lambda: _nps()),
    Meaning("3", HAZARD_MEANS, _hazard_ratio),
    Meaning("4", PEEK_RATES, _peeking, nearest=0.2),
    Meaning("5", RETENTION_MEANS, _not_a_retention_rate),
], values=values)
