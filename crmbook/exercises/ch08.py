"""Exercises of chapter 8, "Segmentation and key accounts". Answers are computed from the CDNOW master file
and the synthetic account book with crmlib; the texts are the label keys ``ch08.ex.*``."""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from crmlib import concentration, datasets, key_accounts, migration, segments
from . import ChoiceExercise, ExerciseSet, NumberExercise, Solution, YesNoExercise

__all__ = ["EXERCISES", "WINDOWS", "HIGH_SPEND", "window_spend", "quarterly_chain"]

#: The CDNOW windows of the chapter: the whole 78 weeks, the calibration and the holdout period.
WINDOWS = {"all": ("1997-01-01", "1998-06-30"), "calibration": ("1997-01-01", "1997-09-30"),
           "holdout": ("1997-10-01", "1998-06-30")}
#: Spend in a quarter (US$) from which a customer is "high" (the chapter's default).
HIGH_SPEND = 50.0


@functools.lru_cache(maxsize=1)
def _log() -> pd.DataFrame:
    return datasets.load("cdnow_master")


@functools.lru_cache(maxsize=1)
def window_spend() -> pd.DataFrame:
    """Every CDNOW customer's spend in the chapter's windows, as the chapter computes it.

    Returns
    -------
    pandas.DataFrame
        One row per customer, columns ``all``, ``calibration`` and ``holdout`` (US$, 0 for none).
    """
    return segments.window_activity(_log(), customer_id="customer_id", date="date", amount="dollar_value",
                                    windows=WINDOWS)["spend"]


def quarterly_chain(high_spend: float = HIGH_SPEND) -> migration.MarkovChain:
    """The chapter's quarterly migration chain of the CDNOW customers (§8.5).

    Parameters
    ----------
    high_spend : float
        Spend in a quarter (US$) from which a customer is "high".

    Returns
    -------
    crmlib.migration.MarkovChain
    """
    quarters = migration.period_windows(*WINDOWS["all"], days=91)
    spend = segments.window_activity(_log(), customer_id="customer_id", date="date", amount="dollar_value",
                                     windows=quarters)["spend"]
    return migration.fit_markov_chain(migration.spend_states(spend, high_spend=high_spend), period_days=91)


def _solve_8_1() -> Solution:
    c = concentration.concentration(window_spend()["all"], 0.2)
    share = 100 * c.top_share
    return Solution(share, {"share": c.top_share, "n": c.n, "top": int(np.ceil(0.2 * c.n))})


def _solve_8_2() -> Solution:
    values = [10.0, 20.0, 30.0, 140.0]
    g = concentration.gini(values)
    diffs = sum(abs(a - b) for a in values for b in values)
    return Solution(g, {"gini": g, "diffs": diffs, "mean": float(np.mean(values)), "n": len(values)})


def _solve_8_3() -> Solution:
    rfm = segments.rfm_table(_log(), customer_id="customer_id", date="date", amount="dollar_value",
                             end=WINDOWS["calibration"][1])
    cuts = segments.rfm_scores(rfm).attrs["cuts"]["frequency"]
    one_day = float((rfm["frequency"] == 1).mean())
    if not (cuts[0] == cuts[1] == 1 and one_day >= 0.4):
        raise ValueError(f"the F cut points {cuts} no longer repeat 1; exercise 8.3 needs rewriting")
    return Solution("B", {"one_day": one_day, "cuts": " · ".join(f"{c:g}" for c in cuts),
                          "two_days": int((rfm["frequency"] == 2).sum())})


def _solve_8_4() -> Solution:
    P = quarterly_chain().transition_matrix
    two = P.to_numpy() @ P.to_numpy()
    i = list(P.index).index("high")
    return Solution(float(two[i, i]), {"p2": float(two[i, i]), "p1": float(P.loc["high", "high"])})


def _solve_8_5() -> Solution:
    book = pd.DataFrame({"contribution": [200_000.0] * 4, "net_profit": [56_000.0] * 4, "kam_cost": [24_000.0] * 4,
                         "key_account_manager": [True] * 4})
    be = key_accounts.kam_breakeven(book)
    uplift = 100 * float(be.loc["revenue_uplift", "estimate"])
    return Solution(uplift, {"uplift": uplift / 100, "cost": 96_000.0, "contribution": 800_000.0})


def _solve_8_6() -> Solution:
    sp = window_spend()
    st = concentration.top_persistence(sp["calibration"], sp["holdout"], 0.2).table
    brought = float(st.loc["after_share_of_top_before", "estimate"])
    own = float(st.loc["after_share_of_top_after", "estimate"])
    holds = brought >= 0.8
    return Solution("yes" if holds else "no", {"brought": brought, "own": own},
                    variant="holds" if holds else "fails")


def _solve_8_7() -> Solution:
    acc = key_accounts.account_profit(datasets.load("accounts"))
    w = key_accounts.whale_curve(acc["net_profit"])
    return Solution(w.loss_accounts, {"losers": w.loss_accounts, "n": len(acc), "losses": -w.loss_total,
                                      "peak": w.peak_share})


EXERCISES = ExerciseSet("ch08", [
    NumberExercise("8.1", _solve_8_1, unit="percent", decimals=1),
    NumberExercise("8.2", _solve_8_2, unit="fraction", decimals=2),
    ChoiceExercise("8.3", _solve_8_3),
    NumberExercise("8.4", _solve_8_4, unit="fraction", decimals=2),
    NumberExercise("8.5", _solve_8_5, unit="percent", decimals=1),
    YesNoExercise("8.6", _solve_8_6),
    NumberExercise("8.7", _solve_8_7, unit="count"),
])
