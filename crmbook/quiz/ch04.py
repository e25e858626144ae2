"""Multiple-choice questions of chapter 4, "Cross-selling and retention" (texts: ``site/teacher/ch04.csv``).

Keys come from :func:`crmlib.crosssell.rule_metrics` on the small basket example of Exercise 4.4 and
from the probability scale of an average marginal effect.
"""
from __future__ import annotations

import math

from crmlib import crosssell

from ..exercises.ch04 import EXAMPLE_COUNTS
from . import Fact, Formula, Meaning, Quiz

__all__ = ["QUIZ", "LIFT", "SUPPORT", "P_ONE", "AME"]

#: What each option of question 1 says a lift above 1 means.
LIFT = {"A": "more_with_a", "B": "a_causes_b", "C": "b_rare", "D": "rule_wrong"}
#: What each option of question 2 calls the support of a pair.
SUPPORT = {"A": "share_of_a_with_b", "B": "price", "C": "share_with_both", "D": "stores"}
#: Question 3: the share of one-product customers who stay, and the average marginal effect.
P_ONE, AME = 0.60, 0.08


def _lift() -> Fact:
    m = crosssell.rule_metrics(**EXAMPLE_COUNTS)
    more = m["confidence"] > m["support_b"]
    return Fact("more_with_a" if (m["lift"] > 1) == more else "?",
                {**EXAMPLE_COUNTS, "lift": m["lift"], "confidence": m["confidence"], "support_b": m["support_b"]})


def _support() -> Fact:
    c = EXAMPLE_COUNTS
    m = crosssell.rule_metrics(**c)
    candidates = {"share_with_both": c["n_ab"] / c["n"], "share_of_a_with_b": c["n_ab"] / c["n_a"]}
    right = [k for k, v in candidates.items() if math.isclose(v, m["support"], rel_tol=1e-9)]
    return Fact(right[0] if len(right) == 1 else tuple(right), {**c, "support": m["support"],
                                                                 "confidence": m["confidence"]})


def _with_one_more(p: float, ame: float) -> Fact:
    # an average marginal effect is a change on the probability scale (crmlib.crosssell.fit_retention_logit,
    # statsmodels' get_margeff): percentage points, not a relative change
    return Fact(p + ame)


QUIZ = Quiz("ch04", [
    Meaning("1", LIFT, _lift),
    Meaning("2", SUPPORT, _support),
    Formula("3", _with_one_more, at={"p": P_ONE, "ame": AME}),
])
