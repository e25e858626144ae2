"""Exercises of chapter 1, "What CRM is". Some in the multiple-choice style of the sources' own
self-tests (seed 003, 习题及答案); answers are computed from the datasets and :mod:`crmlib.concepts`."""
from __future__ import annotations

import inspect
from typing import Any

from .. import concepts, datasets
from . import Exercise, ExerciseSet, Feedback, check_choice, check_number

__all__ = ["EXERCISES", "check"]

_YEAR_OPTIONS = {"A": 1980, "B": 1990, "C": 1999, "D": 2005}
_STAGE_CASE = [True, True, True, False, True]
_MAN_DEFAULTS = {k: v.default for k, v in inspect.signature(concepts.qualify_man).parameters.items()
                 if v.default is not inspect.Parameter.empty}


def _ex1(answer: Any) -> Feedback:
    h = datasets.load("crm_history").set_index("era")
    named = int(h.loc["crm_named", "year"])
    correct = next(k for k, v in _YEAR_OPTIONS.items() if v == named)
    why = {
        int(h.loc["contact_management", "year"]): "the early 1980s brought contact management (接触管理), not "
                                                   "the name CRM.",
        int(h.loc["customer_service", "year"]): "the early 1990s were the era of customer service (客户服务).",
        named: f"in {named} Gartner Group named the field CRM.",
    }
    return check_choice(answer, correct, {k: why.get(v, f"{v} is after the name was coined in {named}.")
                                          for k, v in _YEAR_OPTIONS.items()})


def _ex2(answer: Any) -> Feedback:
    return check_choice(answer, "B", {
        "A": "Attitude is the A of ASK, the salesperson's rule (Attitude, Skill, Knowledge), not of MAN.",
        "B": "MAN = Money, Authority, Need: the prospect must be able to decide (or sway) the purchase.",
        "C": "Ability to pay is Money, the M.",
        "D": "Action is not part of either rule.",
    })


def _ex3(answer: Any) -> Feedback:
    return check_choice(answer, "B", {
        "A": "Operational CRM runs the daily work: service, orders, billing, sales and marketing automation.",
        "B": "Analytical CRM captures, stores, extracts, processes and reports customer data.",
        "C": "Collaborative CRM is the communication hub: web, e-mail, partner channels.",
    })


def _ex4(answer: Any) -> Feedback:
    stage = concepts.classify_stage(_STAGE_CASE)
    return check_number(answer, stage, tol=0,
                        explain=f"Stage {stage}: the stages build on each other, so only the 'yes' answers before "
                                "the first 'no' count; a firm that calls itself customer-centric but has no "
                                "customer-category owners has not reached stage 5.",
                        hint="count the 'yes' answers from the first question until the first 'no'.")


def _flags():
    p = datasets.load("prospects")
    return p, concepts.qualify_man(p)


def _ex5(answer: Any) -> Feedback:
    p, f = _flags()
    n = int(f["man"].sum())
    return check_number(answer, n, tol=0,
                        explain=f"{n} of {len(p)} prospects meet all three criteria "
                                f"(Money {int(f['money'].sum())}, Authority {int(f['authority'].sum())}, "
                                f"Need {int(f['need'].sum())} on their own).",
                        hint="use crmlib.concepts.qualify_man(prospects) and count the rows where 'man' is True.")


def _ex6(answer: Any) -> Feedback:
    p, f = _flags()
    q = concepts.qualification_table(p, f["man"])
    rate = 100 * float(q.loc[True, "close_rate"])
    return check_number(answer, rate, tol=0.1,
                        explain=f"{q.loc[True, 'deals']} deals from {q.loc[True, 'prospects']} MAN prospects: "
                                f"{rate:.1f} %, against {100 * q.loc[False, 'close_rate']:.1f} % for the rest.",
                        hint="divide the MAN prospects that reached 'deal' by all MAN prospects.")


EXERCISES = ExerciseSet([
    Exercise("1.1", "In which year did Gartner Group name the field \"CRM\"? A 1980, B 1990, C 1999, D 2005.", _ex1),
    Exercise("1.2", "In the MAN rule for prospects, A stands for: A Attitude, B Authority, C Ability to pay, "
                    "D Action.", _ex2),
    Exercise("1.3", "Which kind of CRM captures, stores, processes and reports customer data? A operational, "
                    "B analytical, C collaborative.", _ex3),
    Exercise("1.4", "A firm answers the five stage questions yes, yes, yes, no, yes. At which stage (0–5) is it?",
             _ex4),
    Exercise("1.5", f"With the default thresholds (budget ≥ {_MAN_DEFAULTS['money_min']:g} k USD; decision maker or "
                    f"influence ≥ {_MAN_DEFAULTS['influence_min']}; need ≥ {_MAN_DEFAULTS['need_min']}), how many "
                    "of the synthetic prospects are MAN prospects?", _ex5),
    Exercise("1.6", "What share (%) of those MAN prospects close a deal?", _ex6),
])


def check(number: str, answer: Any) -> Feedback:
    """Check the answer to exercise ``number`` of chapter 1."""
    return EXERCISES.check(number, answer)
