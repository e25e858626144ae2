"""Exercises of chapter 3, "Funnel probabilities". Answers are computed from the data and :mod:`crmlib.funnel`."""
from __future__ import annotations

from typing import Any

from .. import datasets, funnel
from . import Exercise, ExerciseSet, Feedback, check_choice, check_number

__all__ = ["EXERCISES", "check"]


def _case_counts(scenario: str):
    case = datasets.load("funnel_case")
    c = case[case["scenario"] == scenario].sort_values("stage_order")
    return c.set_index("stage")["count"]


def _ex1(answer: Any) -> Feedback:
    rate = 100 * float(funnel.stage_rates(_case_counts("poor"))["rate"].iloc[1])
    return check_number(answer, rate, tol=0.05,
                        explain=f"5 deals out of 20 negotiations is {rate:g} % — at best, since the source says "
                                "\"5 or fewer\".",
                        hint="divide the deals by the prospects that reached negotiation, not by all 100.")


def _ex2(answer: Any) -> Feedback:
    p = funnel.overall_rate(_case_counts("middle"))
    n = funnel.prospects_needed(3, p, 0.9)
    return check_number(answer, n, tol=0,
                        explain=f"The smallest n with P(Binomial(n, {p:g}) ≥ 3) ≥ 0.9 is {n} "
                                f"(probability {funnel.prob_at_least(3, n, p):.3f}); the average 3/p = {3 / p:g} "
                                "is not enough.",
                        hint="use crmlib.funnel.prospects_needed(k, p, target), or add prospects until "
                             "P(at least 3 deals) reaches 0.9.")


def _ex3(answer: Any) -> Feedback:
    return check_choice(answer, "B", {
        "A": "It would be an upper bound if the true rate could be above 5 %; the source caps it at 5 %, so "
             "the truth needs more prospects, not fewer.",
        "B": "Right: the source says \"5 or fewer\", so p ≤ 5 %, and a lower p needs more prospects — the "
             "computed pipelines are the least a salesperson can plan with.",
        "C": "It would be exact only if exactly 5 of 100 closed, but the source gives 5 as a maximum.",
    })


def _ex4(answer: Any) -> Feedback:
    ors = funnel.fit_close_logit(datasets.load("prospects")).odds_ratios
    best = str(ors["odds_ratio"].idxmax())
    letters = {"money": "A", "authority": "B", "need": "C"}
    why = {k: f"its odds ratio is {ors.loc[k, 'odds_ratio']:.2f}" for k in letters}
    return check_choice(answer, letters[best], {
        "A": f"Money (budget doubled): {why['money']}.",
        "B": f"Authority (the contact decides): {why['authority']}.",
        "C": f"Need (one more need point): {why['need']}.",
        "D": "None of the intervals contains 1, so all three matter; but one matters most.",
    })


def _ex5(answer: Any) -> Feedback:
    counts = funnel.funnel_counts(datasets.load("prospects"))
    share = 100 * float(counts["negotiation"] / counts["prospect"])
    return check_number(answer, share, tol=0.05,
                        explain=f"{counts['negotiation']} of {counts['prospect']} prospects reached negotiation "
                                f"or beyond: {share:.2f} %, close to the source's middle scenario (50 of 100).",
                        hint="count the prospects whose stage_reached is 'negotiation' or 'deal'.")


EXERCISES = ExerciseSet([
    Exercise("3.1", "In the scenario where 20 of 100 prospects reach negotiation, what share (%) of the "
                    "negotiations close?", _ex1),
    Exercise("3.2", "With an overall success probability of 5 % per prospect, how many prospects are needed "
                    "to get at least 3 deals with 90 % probability?", _ex2),
    Exercise("3.3", "The source's deal count is \"5 or fewer\". The prospects needed computed with p = 5 % are "
                    "A an upper bound, B a lower bound, C exact.", _ex3),
    Exercise("3.4", "In the logistic regression on the prospects data, which MAN attribute has the largest "
                    "odds ratio? A Money, B Authority, C Need, D none matters.", _ex4),
    Exercise("3.5", "What share (%) of the 2,000 synthetic prospects reach negotiation (or beyond)?", _ex5),
])


def check(number: str, answer: Any) -> Feedback:
    """Check the answer to exercise ``number`` of chapter 3."""
    return EXERCISES.check(number, answer)
