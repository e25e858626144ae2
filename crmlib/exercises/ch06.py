"""Exercises of chapter 6, "What CRM costs and what it returns".

Answers are computed with :mod:`crmlib.finance` and :mod:`crmlib.business_case`
from the ``roi_facts`` dataset and the chapter's default case, never typed in.
"""
from __future__ import annotations

from typing import Any

from .. import business_case as bc, datasets, finance
from . import Exercise, ExerciseSet, Feedback, check_choice, check_number

__all__ = ["EXERCISES", "check", "EX_FLOWS", "EX_RATE"]

#: The small project of exercises 6.2 and 6.3: pay 100 now, receive 60 at the end of years 1 and 2.
EX_FLOWS = (-100.0, 60.0, 60.0)
#: The discount rate of exercise 6.2.
EX_RATE = 0.10


def _fact(fact_id: str) -> tuple[float, float]:
    f = datasets.load("roi_facts").set_index("fact_id")
    return float(f.loc[fact_id, "value_low"]), float(f.loc[fact_id, "value_high"])


def _visible() -> float:
    return float(sum(bc.DEFAULTS[k] for k in bc.VISIBLE_ITEMS))


def _ex1(answer: Any) -> Feedback:
    lo, hi = _fact("budget_multiple")
    v = _visible()
    expected = bc.budget_by_rule(v, hi)
    return check_number(answer, expected, tol=0.5,
                        explain=f"{hi:g} × US$ {v:,.0f} = US$ {expected:,.0f}. The rule's range is "
                                f"{lo:g}–{hi:g} ×: the visible items are only part of what the project costs.",
                        hint="add software, services, hardware and training, then use the top of the 3–4 × range.")


def _ex2(answer: Any) -> Feedback:
    expected = finance.npv(EX_RATE, EX_FLOWS)
    return check_number(answer, expected, tol=0.01,
                        explain=f"−100 + 60/1.1 + 60/1.1² = {expected:.2f}: positive, so the project earns "
                                "more than 10 % a year.",
                        hint="discount each year's flow by 1.1 per year it waits, then add them up.")


def _ex3(answer: Any) -> Feedback:
    expected = 100 * finance.irr(EX_FLOWS)
    return check_number(answer, expected, tol=0.05,
                        explain=f"The NPV is zero at {expected:.2f} % (solve 100 = 60/(1+r) + 60/(1+r)²); "
                                "above 10 %, which is why the NPV at 10 % was positive.",
                        hint="answer in percent; try rates until −100 + 60/(1+r) + 60/(1+r)² is 0.")


def _ex4(answer: Any) -> Feedback:
    return check_choice(answer, "B", {
        "A": "The financial perspective holds profit measures: customer profitability, CLV, EVA.",
        "B": "Retention (and attrition, satisfaction, loyalty) describe how customers see and stay with the "
             "firm: the customer perspective (客户维度).",
        "C": "The internal-process perspective holds the processes that create value, e.g. the close rate.",
        "D": "Learning and growth is about people and systems: training, the productivity dip.",
    })


def _ex5(answer: Any) -> Feedback:
    lo_m, hi_m = _fact("budget_multiple")
    lo_s, _ = _fact("crm_spend")
    expected = bc.implied_visible_cost(lo_s, hi_m) / 1e6
    return check_number(answer, expected, tol=0.01,
                        explain=f"The smallest spend divided by the largest multiple: {lo_s / 1e6:g} m / {hi_m:g} "
                                f"= US$ {expected:g} million of visible cost.",
                        hint="the smallest visible cost goes with the smallest spend and the largest multiple.")


EXERCISES = ExerciseSet([
    Exercise("6.1", "This chapter's project has visible costs (software, services, hardware, training) of "
                    f"US$ {_visible():,.0f}. By the source's 3–4 × rule, what is the **largest** budget (US$) "
                    "you should plan?", _ex1),
    Exercise("6.2", f"A project costs 100 now and returns 60 at the end of each of the next two years. What is "
                    f"its NPV at a discount rate of {EX_RATE:.0%}?", _ex2),
    Exercise("6.3", "What is the IRR (in %) of the project in exercise 6.2?", _ex3),
    Exercise("6.4", "In which balanced-scorecard perspective does the customer retention rate belong? "
                    "A financial, B customer, C internal process, D learning and growth.", _ex4),
    Exercise("6.5", "Firms spent US$30–90 million on CRM. If that spend was 3–4 × the visible cost, what is the "
                    "**smallest** visible cost (US$ million) consistent with both ranges?", _ex5),
])


def check(number: str, answer: Any) -> Feedback:
    """Check the answer to exercise ``number`` of chapter 6."""
    return EXERCISES.check(number, answer)
