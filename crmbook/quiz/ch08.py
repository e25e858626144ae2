"""Multiple-choice questions of chapter 8, "Segmentation and key accounts" (texts: ``site/teacher/ch08.csv``).

Keys come from the CDNOW master file and the synthetic account book, computed with the chapter's own
functions (:mod:`crmlib.concentration`, :mod:`crmlib.migration`, :mod:`crmlib.key_accounts`) and the
windows of its exercises (:mod:`crmbook.exercises.ch08`).
"""
from __future__ import annotations

import functools
from typing import Any

from crmlib import concentration, datasets, key_accounts

from ..exercises.ch08 import quarterly_chain, window_spend
from . import Fact, Meaning, Quiz

__all__ = ["QUIZ", "TOP", "TOP_SHARES", "EQUAL_GINI", "CHAIN_MEANS", "KAM_MEANS", "RETENTION", "DISCOUNT", "values"]

#: The "top 20 %" of the 80/20 rule.
TOP = 0.2
#: The shares of revenue question 1 offers for the top 20 %.
TOP_SHARES = {"A": 0.20, "B": 0.50, "C": 2 / 3, "D": 0.95}
#: What each option of question 2 says the Gini coefficient of equal customers is.
EQUAL_GINI = {"A": 0.0, "B": 0.5, "C": 1.0, "D": "depends_on_n"}
#: What each option of question 3 says a Markov chain of segments assumes.
CHAIN_MEANS = {"A": "next_state_depends_on_current_only", "B": "individual_purchase_rates",
               "C": "no_return_from_inactive", "D": "same_spend_in_every_state"}
#: When each option of question 4 says a key-account manager pays.
KAM_MEANS = {"A": "largest_revenue", "B": "extra_margin_covers_cost", "C": "full_retention", "D": "always"}
#: The chapter's yearly retention without a key-account manager and its discount rate (§8.6).
RETENTION, DISCOUNT = 0.80, 0.10


@functools.lru_cache(maxsize=1)
def _accounts() -> Any:
    return key_accounts.account_profit(datasets.load("accounts"))


def _top_share() -> Fact:
    c = concentration.concentration(window_spend()["all"], TOP)
    return Fact(c.top_share, {"share": c.top_share, "top": TOP})


def _equal_gini() -> Fact:
    ginis = [concentration.gini([25.0] * n) for n in (2, 10, 1000)]
    if all(abs(g) < 1e-12 for g in ginis):
        return Fact(0.0)
    return Fact("depends_on_n" if max(ginis) - min(ginis) > 1e-12 else ginis[0])


def _chain() -> Fact:
    P = quarterly_chain().transition_matrix
    back = float(P.loc["inactive", "high"] + P.loc["inactive", "low"])
    return Fact("next_state_depends_on_current_only" if back > 0 else "no_return_from_inactive",
                {"back": back, "stay_high": float(P.loc["high", "high"])})


def _kam() -> Fact:
    be = key_accounts.kam_breakeven(_accounts(), retention=RETENTION, discount=DISCOUNT)
    revenue, uplift = (float(be.loc[k, "estimate"]) for k in ("revenue_uplift", "retention_uplift"))
    pays_somewhere = 0 < revenue and RETENTION + uplift < 1
    return Fact("extra_margin_covers_cost" if pays_somewhere else "?",
                {"extra": float(be.loc["extra_margin_per_account", "estimate"]), "revenue": revenue,
                 "retention": RETENTION, "after": RETENTION + uplift})


def values() -> dict[str, Any]:
    """Numbers the chapter's teacher texts quote: the Gini coefficients of the calibration and holdout
    weeks, how many top customers stay on top, and the loss-making accounts of the account book.

    Returns
    -------
    dict
    """
    spend = window_spend()
    stay = concentration.top_persistence(spend["calibration"], spend["holdout"], TOP).table["estimate"]
    whale = key_accounts.whale_curve(_accounts()["net_profit"])
    return {"gini_cal": concentration.gini(spend["calibration"]), "gini_hold": concentration.gini(spend["holdout"]),
            "stayed": float(stay["stayed_share"]), "lapsed": float(stay["lapsed_share"]),
            "loss_accounts": whale.loss_accounts, "accounts": len(_accounts())}


QUIZ = Quiz("ch08", [
    Meaning("1", TOP_SHARES, _top_share, nearest=0.1),
    Meaning("2", EQUAL_GINI, _equal_gini),
    Meaning("3", CHAIN_MEANS, _chain),
    Meaning("4", KAM_MEANS, _kam),
], values=values)
