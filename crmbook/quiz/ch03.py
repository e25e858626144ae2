"""Multiple-choice questions of chapter 3, "Funnel probabilities" (texts: ``site/teacher/ch03.csv``).

Keys come from :mod:`crmlib.funnel`: the close rate of stages in a row, Wilson intervals at two
sample sizes, and the chapter's logit of closing on the synthetic prospects.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from crmlib import datasets, funnel

from . import Fact, Formula, Meaning, Quiz

__all__ = ["QUIZ", "STAGES", "WIDTHS", "ODDS", "TOP", "values"]

#: The stage rates of question 1.
STAGES = (0.5, 0.4, 0.2)
#: Question 2: the interval's new width as a share of the old.
WIDTHS = {"A": 1 / 20, "B": 1 / 4.5, "C": 1 / 2, "D": 1.0}
#: Question 3: the prospect the explanation follows — this quantile of budget and of need.
TOP = 0.9
#: Question 3: what an odds ratio multiplies.
ODDS = {"A": "probability", "B": "odds", "C": "points", "D": "deals"}


def _close_rate() -> Fact:
    return Fact(funnel.expected_deals(1, STAGES).p_overall)


def values() -> dict[str, Any]:
    """Numbers the chapter's teacher texts quote: the case's close rate (deals of prospects, middle
    scenario) with its Wilson interval at the source's n and at 20 times as many prospects.

    Returns
    -------
    dict
    """
    case = funnel.case_funnels(datasets.load("funnel_case"))["middle"]
    n, deals = int(case.iloc[0]), int(case.iloc[-1])
    small = funnel.rate_intervals([n, deals]).iloc[0]
    big = funnel.rate_intervals([20 * n, 20 * deals]).iloc[0]
    return {"n": n, "deals": deals, "n_big": 20 * n, "deals_big": 20 * deals, "lo_small": float(small["lower"]),
            "hi_small": float(small["upper"]), "w_small": float(small["width"]), "w_big": float(big["width"]),
            "ratio": float(small["width"] / big["width"]), "sqrt20": math.sqrt(20)}


def _width_ratio() -> Fact:
    v = values()
    return Fact(1 / v["ratio"], v)


def _odds_ratio() -> Fact:
    prospects = datasets.load("prospects")
    model = funnel.fit_close_logit(prospects)
    ratio = float(model.odds_ratios.loc["authority", "odds_ratio"])
    top = pd.DataFrame({"const": 1.0, "money": math.log2(float(prospects["budget_kusd"].quantile(TOP))),
                        "authority": [0.0, 1.0], "need": float(prospects["need_score"].quantile(TOP))})
    p0, p1 = (float(x) for x in model.result.predict(top))
    by = {"odds": (p1 / (1 - p1)) / (p0 / (1 - p0)), "probability": p1 / p0, "points": 100 * (p1 - p0)}
    right = [k for k, v in by.items() if math.isclose(v, ratio, rel_tol=1e-6)]
    return Fact(right[0] if len(right) == 1 else tuple(right),
                {"or": ratio, "p0": p0, "p1": p1, "prob_ratio": p1 / p0, "top": TOP})


QUIZ = Quiz("ch03", [
    Formula("1", lambda: _close_rate()),
    Meaning("2", WIDTHS, _width_ratio, nearest=0.2),
    Meaning("3", ODDS, _odds_ratio),
], values=values)
