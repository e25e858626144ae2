"""Multiple-choice questions of chapter 2, "Why customers are lost" (texts: ``site/teacher/ch02.csv``).

Keys come from Table 1-1 (``loss_causes``) and :mod:`crmlib.loss`.
"""
from __future__ import annotations

from typing import Any

from crmlib import datasets, funnel, loss

from . import Fact, Meaning, Quiz

__all__ = ["QUIZ", "GROUPS", "ORDERS", "SURVEY_SIZES", "PRINTED", "DOUBTED", "SURVEY"]

#: What each option of question 1 names: the groups of Table 1-1, and one the table does not have.
GROUPS = {"A": "company", "B": "customer", "C": "third_party", "D": "economy"}
#: The orders a chart could sort the causes in (question 2).
ORDERS = {"A": "alphabetical", "B": "by_group", "C": "random", "D": "largest_first"}
#: The survey sizes of question 3 (lost customers).
SURVEY_SIZES = {"A": 100, "B": 300, "C": 1000, "D": 3000}
#: The printed share of poor communication and the share a manager doubts it with (question 3).
PRINTED, DOUBTED = 0.68, 0.60
#: The survey of Exercise 2.5 and the discussion: lost customers asked, and how many blame communication.
SURVEY = (100, 62)


def _table():
    t = datasets.load("loss_causes")
    return t, t.set_index("cause_id")["share_pct"]


def _largest_group() -> Fact:
    t, _ = _table()
    g = loss.group_totals(t)
    return Fact(str(g.idxmax()), {f"share_{k}": float(v) for k, v in g.items()})


def _order() -> Fact:
    _, s = _table()
    p = loss.pareto_table(s)
    shares = p["share_pct"].to_numpy()
    if not all(a >= b for a, b in zip(shares, shares[1:])):
        return Fact("unsorted")
    return Fact("largest_first", {"vital_few": int(p["vital_few"].sum()),
                                  "vital_share": float(p["cumulative_pct"][p["vital_few"]].iloc[-1])})


def _survey_size() -> Fact:
    ss = loss.sample_size_one_proportion(PRINTED, DOUBTED)
    return Fact(ss.n_exact, {"n_exact": ss.n_exact, "n_normal": ss.n_normal,
                             "power_100": loss.power_one_proportion(SURVEY[0], PRINTED, DOUBTED)})


def values() -> dict[str, Any]:
    """Numbers the chapter's teacher texts quote: the survey of 62 in 100 read with one Wilson
    interval (a single share), the survey size and the power of 100 lost customers.

    Returns
    -------
    dict
    """
    n, k = SURVEY
    ci = funnel.rate_intervals([n, k]).iloc[0]
    ss = loss.sample_size_one_proportion(PRINTED, DOUBTED)
    return {"survey_n": n, "survey_k": k, "wilson_lo": float(ci["lower"]), "wilson_hi": float(ci["upper"]),
            "printed": PRINTED, "doubted": DOUBTED, "n_exact": ss.n_exact, "n_normal": ss.n_normal,
            "power_100": loss.power_one_proportion(n, PRINTED, DOUBTED)}


QUIZ = Quiz("ch02", [
    Meaning("1", GROUPS, _largest_group),
    Meaning("2", ORDERS, _order),
    Meaning("3", SURVEY_SIZES, _survey_size, nearest=0.2),
], values=values)
