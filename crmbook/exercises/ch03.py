"""Exercises of chapter 3, "Funnel probabilities". Answers are computed from the data and
:mod:`crmlib.funnel`; the texts are the label keys ``ch03.ex.*`` (English and Chinese)."""
from __future__ import annotations

from crmlib import datasets, funnel
from . import ChoiceExercise, ExerciseSet, NumberExercise, Solution

__all__ = ["EXERCISES"]


def _funnels():
    return funnel.case_funnels(datasets.load("funnel_case"))


def _solve_3_1() -> Solution:
    c = _funnels()["poor"]
    rate = 100 * float(funnel.stage_rates(c)["rate"].iloc[1])
    return Solution(rate, {"rate": rate, "deals": int(c["deal"]), "negotiations": int(c["negotiation"]),
                           "prospects": int(c["prospect"])})


def _solve_3_2() -> Solution:
    p = funnel.overall_rate(_funnels()["middle"])
    n = funnel.prospects_needed(3, p, 0.9)
    return Solution(n, {"p": p, "n": n, "prob": funnel.prob_at_least(3, n, p), "avg": 3 / p})


def _solve_3_3() -> Solution:
    case = datasets.load("funnel_case")
    bounded = bool(case.loc[case["stage"] == "deal", "count_is_upper_bound"].all())
    return Solution("B" if bounded else "C")


def _solve_3_4() -> Solution:
    # odds ratios per different units (a doubling, a yes/no flag, a point) cannot be ranked by size
    table = funnel.fit_close_logit(datasets.load("prospects")).odds_ratios
    ors = {k: float(table.loc[k, "odds_ratio"]) for k in ("money", "authority", "need")}
    all_matter = bool(((table["lower"] > 1) | (table["upper"] < 1)).all())
    return Solution("C" if all_matter else "D", {**ors, "money4": ors["money"] ** 2, "need3": ors["need"] ** 3})


def _solve_3_5() -> Solution:
    counts = funnel.funnel_counts(datasets.load("prospects"))
    share = 100 * float(counts["negotiation"] / counts["prospect"])
    return Solution(share, {"share": share, "negotiation": int(counts["negotiation"]),
                            "prospects": int(counts["prospect"])})


EXERCISES = ExerciseSet("ch03", [
    NumberExercise("3.1", _solve_3_1, unit="percent", decimals=0),
    NumberExercise("3.2", _solve_3_2, unit="count"),
    ChoiceExercise("3.3", _solve_3_3, options=("A", "B", "C")),
    ChoiceExercise("3.4", _solve_3_4),
    NumberExercise("3.5", _solve_3_5, unit="percent", decimals=0),
])
