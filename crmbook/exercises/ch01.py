"""Exercises of chapter 1, "What CRM is". Some in the multiple-choice style of the sources' own
self-tests (S3, 习题及答案); answers are computed from the datasets and :mod:`crmlib.concepts`;
the texts are the label keys ``ch01.ex.*`` (English and Chinese)."""
from __future__ import annotations

from crmlib import concepts, datasets
from . import ChoiceExercise, ExerciseSet, NumberExercise, Solution

__all__ = ["EXERCISES"]

#: The options of exercise 1.1, as its question prints them.
YEAR_OPTIONS = {"A": 1980, "B": 1990, "C": 1999, "D": 2005}
#: The options of exercise 1.2 (the letters of the question) and 1.3 (the order of CRM_TYPES).
MAN_OPTIONS = {"A": "attitude", "B": "authority", "C": "ability_to_pay", "D": "action"}
#: The firm of exercise 1.4: its answers to the five stage questions.
STAGE_CASE = (True, True, True, False, True)


def _solve_1_1() -> Solution:
    named = int(datasets.load("crm_history").set_index("era").loc["crm_named", "year"])
    return Solution(next(k for k, v in YEAR_OPTIONS.items() if v == named), {"named": named})


def _solve_1_2() -> Solution:
    return Solution(next(k for k, v in MAN_OPTIONS.items() if v == concepts.MAN[1]))


def _solve_1_3() -> Solution:
    return Solution("ABC"[concepts.CRM_TYPES.index("analytical")])


def _solve_1_4() -> Solution:
    stage = concepts.classify_stage(list(STAGE_CASE))
    return Solution(stage, {"stage": stage})


def _flags():
    p = datasets.load("prospects")
    return p, concepts.qualify_man(p)


def _solve_1_5() -> Solution:
    p, f = _flags()
    n = int(f["man"].sum())
    return Solution(n, {"n": n, "total": len(p), "money": int(f["money"].sum()),
                        "authority": int(f["authority"].sum()), "need": int(f["need"].sum())})


def _solve_1_6() -> Solution:
    p, f = _flags()
    q = concepts.qualification_table(p, f["man"])
    rate = 100 * float(q.loc[True, "close_rate"])
    return Solution(rate, {"rate": rate, "rest": 100 * float(q.loc[False, "close_rate"]),
                           "deals": int(q.loc[True, "deals"]), "n": int(q.loc[True, "prospects"])})


EXERCISES = ExerciseSet("ch01", [
    ChoiceExercise("1.1", _solve_1_1),
    ChoiceExercise("1.2", _solve_1_2),
    ChoiceExercise("1.3", _solve_1_3, options=("A", "B", "C")),
    NumberExercise("1.4", _solve_1_4, unit="count"),
    NumberExercise("1.5", _solve_1_5, unit="count"),
    NumberExercise("1.6", _solve_1_6, unit="percent", decimals=1),
])
