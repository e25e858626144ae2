"""Exercises of chapter 6, "What CRM costs and what it returns".

Right answers are computed with :mod:`crmlib.finance` and :mod:`crmlib.business_case`
from the ``roi_facts`` dataset and the chapter's default case, never typed in; the
texts are the label keys ``ch06.ex.*``.
"""
from __future__ import annotations

from crmlib import business_case as bc, datasets, finance
from . import ChoiceExercise, ExerciseSet, NumberExercise, Solution

__all__ = ["EXERCISES", "EX_FLOWS", "EX_RATE"]

#: The small project of exercises 6.2 and 6.3: pay 100 now, receive 60 at the end of years 1 and 2.
EX_FLOWS = (-100.0, 60.0, 60.0)
#: The discount rate of exercise 6.2.
EX_RATE = 0.10


def _fact(fact_id: str) -> tuple[float, float]:
    f = datasets.load("roi_facts").set_index("fact_id")
    return float(f.loc[fact_id, "value_low"]), float(f.loc[fact_id, "value_high"])


def _solve_6_1() -> Solution:
    lo, hi = _fact("budget_multiple")
    v = bc.CaseAssumptions().visible_cost
    budget = bc.budget_by_rule(v, hi)
    return Solution(budget, {"lo": lo, "hi": hi, "visible": v, "budget": budget})


def _solve_6_2() -> Solution:
    v = finance.npv(EX_RATE, EX_FLOWS)
    return Solution(v, {"npv": v, "rate": EX_RATE, "factor": 1 + EX_RATE})


def _solve_6_3() -> Solution:
    r = 100 * finance.irr(EX_FLOWS)
    return Solution(r, {"irr": r, "rate": 100 * EX_RATE})


def _solve_6_4() -> Solution:
    return Solution("B")


def _solve_6_5() -> Solution:
    _, hi_m = _fact("budget_multiple")
    lo_s, _ = _fact("crm_spend")
    v = bc.implied_visible_cost(lo_s, hi_m)
    return Solution(v, {"spend": lo_s, "multiple": hi_m, "visible": v})


EXERCISES = ExerciseSet("ch06", [
    NumberExercise("6.1", _solve_6_1, unit="usd", decimals=0),
    NumberExercise("6.2", _solve_6_2, decimals=2),
    NumberExercise("6.3", _solve_6_3, unit="percent", decimals=1),
    ChoiceExercise("6.4", _solve_6_4),
    NumberExercise("6.5", _solve_6_5, unit="usd", decimals=0),
])
