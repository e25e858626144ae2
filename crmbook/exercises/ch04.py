"""Exercises of chapter 4, "Cross-selling and retention".

Right answers are computed from the shipped datasets and :mod:`crmlib.crosssell`;
the texts are the label keys ``ch04.ex.*``.
"""
from __future__ import annotations

from crmlib import crosssell, datasets
from . import ChoiceExercise, ExerciseSet, NumberExercise, Solution

__all__ = ["EXERCISES", "EXAMPLE_COUNTS"]

#: The small basket example of exercise 4.4: baskets, with diapers, with beer, with both.
EXAMPLE_COUNTS = {"n": 1000, "n_a": 80, "n_b": 100, "n_ab": 20}


def _reading():
    return crosssell.read_source(datasets.load("crosssell_retention"))


def _solve_4_1() -> Solution:
    r = _reading()
    ratio = float(r.loc["both_accounts", "times_checking_only"])
    return Solution(ratio, {"ratio": ratio, "both": float(r.loc["both_accounts", "kept_pct"]),
                            "checking": float(r.loc["checking_only", "kept_pct"])})


def _solve_4_2() -> Solution:
    r = _reading()
    lost = float(r.loc["checking_only", "lost_pct"])
    return Solution(lost, {"lost": lost, "checking": float(r.loc["checking_only", "kept_pct"])})


def _solve_4_3() -> Solution:
    by_n = crosssell.retention_by_products(datasets.load("bank_customers"))
    rate = 100 * float(by_n.loc[3, "retention"])
    printed = float(_reading().loc["three_services", "kept_pct"])
    return Solution(rate, {"rate": rate, "stayed": int(by_n.loc[3, "stayed"]),
                           "customers": int(by_n.loc[3, "customers"]), "printed": printed})


def _solve_4_4() -> Solution:
    m = crosssell.rule_metrics(**EXAMPLE_COUNTS)
    return Solution(m["lift"], {**EXAMPLE_COUNTS, "confidence": m["confidence"], "support_b": m["support_b"],
                                "lift": m["lift"]})


def _solve_4_5() -> Solution:
    return Solution("C", {"top": float(_reading()["kept_pct"].iloc[-1])})


EXERCISES = ExerciseSet("ch04", [
    NumberExercise("4.1", _solve_4_1, decimals=0),
    NumberExercise("4.2", _solve_4_2, unit="percent", decimals=0),
    NumberExercise("4.3", _solve_4_3, unit="percent", decimals=0),
    NumberExercise("4.4", _solve_4_4, decimals=1),
    ChoiceExercise("4.5", _solve_4_5),
])
