"""Exercises of chapter 4, "Cross-selling and retention".

Expected answers are computed from the shipped datasets and :mod:`crmlib.crosssell`.
"""
from __future__ import annotations

from typing import Any

from .. import crosssell, datasets
from . import Exercise, ExerciseSet, Feedback, check_choice, check_number

__all__ = ["EXERCISES", "check"]

#: The small basket example of exercise 4.4: baskets, with diapers, with beer, with both.
EXAMPLE_COUNTS = {"n": 1000, "n_a": 80, "n_b": 100, "n_ab": 20}


def _reading():
    return crosssell.read_source(datasets.load("crosssell_retention"))


def _ex1(answer: Any) -> Feedback:
    ratio = float(_reading().loc["both_accounts", "times_checking_only"])
    return check_number(answer, ratio, tol=0.05,
                        explain=f"10 % / 1 % = {ratio:g}: the source's numbers say a customer with both accounts "
                                "is ten times as likely to be kept — a ratio, the one reading of them that survives.",
                        hint="divide the probability for both accounts by the one for a checking account only.")


def _ex2(answer: Any) -> Feedback:
    lost = float(_reading().loc["checking_only", "lost_pct"])
    return check_number(answer, lost, tol=0.05,
                        explain=f"100 − 1 = {lost:g} %: a bank losing almost every checking-only customer each "
                                "year — which is why the printed numbers cannot be annual retention rates.",
                        hint="the customers not kept are the rest of 100 %.")


def _ex3(answer: Any) -> Feedback:
    by_n = crosssell.retention_by_products(datasets.load("bank_customers"))
    rate = 100 * float(by_n.loc[3, "retention"])
    return check_number(answer, rate, tol=0.5,
                        explain=f"{by_n.loc[3, 'stayed']} of {by_n.loc[3, 'customers']} three-product customers "
                                f"stayed: {rate:.1f} % — compare the source's 18 %.",
                        hint="filter the customers with n_products == 3 and take the share with churned == False.")


def _ex4(answer: Any) -> Feedback:
    c = EXAMPLE_COUNTS
    m = crosssell.rule_metrics(c["n"], c["n_a"], c["n_b"], c["n_ab"])
    return check_number(answer, m["lift"], tol=0.01,
                        explain=f"confidence = 20 / 80 = {m['confidence']:g}; beer's share = 100 / 1000 = "
                                f"{m['support_b']:g}; lift = {m['confidence']:g} / {m['support_b']:g} = {m['lift']:g}.",
                        hint="lift = confidence of the rule / share of all baskets that hold beer.")


def _ex5(answer: Any) -> Feedback:
    return check_choice(answer, "C", {
        "A": "Taken literally it would mean no customer with four services ever leaves — not even by moving away "
             "or dying. No bank has such customers.",
        "B": "The source gives no sample size at all, so nothing says it was measured on exactly 100 customers.",
        "C": "Read as relative stickiness, 100 % says only that such customers are by far the most loyal: the "
             "ordering is the claim data can test (and our fitted logit agrees with it), not the level.",
        "D": "Nothing in the source hints at a typo; the chapter never 'corrects' a printed number silently.",
    })


EXERCISES = ExerciseSet([
    Exercise("4.1", "By the source's bank study, how many times as likely is a customer with **both** accounts to "
                    "be kept as one with a checking account only?", _ex1),
    Exercise("4.2", "If the source's 1 % were an annual retention rate, what percentage of checking-only customers "
                    "would the bank lose each year?", _ex2),
    Exercise("4.3", "In the synthetic bank data, what percentage of customers holding exactly **three** products "
                    "stayed a year?", _ex3),
    Exercise("4.4", "Of 1,000 baskets, 80 hold diapers, 100 hold beer and 20 hold both. What is the **lift** of "
                    "diapers → beer?", _ex4),
    Exercise("4.5", "The source says four or more services give a 100 % probability of keeping the customer. The "
                    "best reading is: A no such customer ever leaves; B it was measured on 100 customers; C such "
                    "customers are the stickiest — an ordering, not a rate; D it is a typo for 10 %.", _ex5),
])


def check(number: str, answer: Any) -> Feedback:
    """Check the answer to exercise ``number`` of chapter 4."""
    return EXERCISES.check(number, answer)
