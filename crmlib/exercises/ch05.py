"""Exercises of chapter 5, "Customer lifetime value". Answers are computed from the shipped data and crmlib."""
from __future__ import annotations

import functools
from typing import Any

from .. import btyd, clv, datasets, rfm
from . import Exercise, ExerciseSet, Feedback, check_choice, check_number

__all__ = ["EXERCISES", "check"]


@functools.lru_cache(maxsize=1)
def _sbg_regular() -> Any:
    surv = datasets.load("sbg_cohorts")["regular"].to_numpy()
    return btyd.ShiftedBetaGeometric(surv[:8]).fit()


@functools.lru_cache(maxsize=1)
def _bgnbd() -> Any:
    tx = datasets.load("cdnow_sample")
    s = rfm.summarize(tx, customer_id="customer_id", date="date", period="W",
                      observation_end="1998-06-30", calibration_end="1997-09-30")
    return btyd.BetaGeo(s["frequency"], s["recency"], s["T"]).fit()


def _ex1(answer: Any) -> Feedback:
    c = datasets.load("clv_cases").set_index("case").loc["cadillac"]
    m = clv.implied_margin(float(c["clv_usd"]), int(c["horizon_years"]))
    return check_number(answer, m, tol=1.0,
                        explain=f"USD {c['clv_usd']:,.0f} over {c['horizon_years']} years, read as a plain sum, is "
                                f"USD {m:,.2f} a year — no discounting and nobody leaving.",
                        hint="divide the printed value by the number of years.")


def _ex2(answer: Any) -> Feedback:
    v = clv.clv(100.0, 0.8, 0.1, None)
    return check_number(answer, v, tol=0.5,
                        explain=f"m / (1 + d − r) = 100 / 0.3 = {v:.2f}. (Counting the first margin only after a "
                                "first renewal would give r times that.)",
                        hint="use the infinite-horizon closed form m / (1 + d − r).")


def _ex3(answer: Any) -> Feedback:
    if answer is None:   # do not fit a model just to say "not answered yet"
        return Feedback(None, "Replace `None` with a probability between 0 and 1 and run the cell again.")
    fit = _sbg_regular()
    r8 = float(fit.retention(8))
    g, d = fit.params["gamma"], fit.params["delta"]
    return check_number(answer, r8, tol=0.005,
                        explain=f"r(t) = (δ + t − 1) / (γ + δ + t − 1) = ({d:.3f} + 7) / ({g:.3f} + {d:.3f} + 7)"
                                f" = {r8:.3f}: higher than in year 1 because the least loyal have already left.",
                        hint="use the sBG retention curve r(t) = (δ + t − 1) / (γ + δ + t − 1) with the "
                             "fitted γ, δ.")


def _ex4(answer: Any) -> Feedback:
    return check_choice(answer, "B", {
        "A": "Discounting changes what a customer is worth, not how many customers remain.",
        "B": "Customers differ: the least loyal leave first, so the survivors' retention rate rises with tenure, "
             "while a constant rate keeps applying the early, high churn.",
        "C": "The cohort data are clean counts; the pattern appears in both cohorts and many others.",
        "D": "A cohort can only shrink — crmlib rejects survivors that increase.",
    })


def _ex5(answer: Any) -> Feedback:
    if answer is None:
        return Feedback(None, "Set your answer to 'A' or 'B' and run the cell again.")
    fit = _bgnbd()
    pa = float(fit.probability_alive(10, 20.0, 39.0))
    pb = float(fit.probability_alive(2, 20.0, 39.0))
    right = "A" if pa > pb else "B"
    return check_choice(answer, right, {
        "A": f"P(alive) = {pa:.2f}. A customer who bought 10 times in 20 weeks and then fell silent for 19 weeks "
             "has probably gone: such a silence is unusual for someone who buys every two weeks.",
        "B": f"P(alive) = {pb:.2f} against {pa:.2f} for A: for an infrequent buyer, 19 silent weeks are "
             "ordinary, so the silence says little about whether she has left.",
    })


def _ex6(answer: Any) -> Feedback:
    extra = float(clv.acquisition_vs_retention(200, 100.0, (5,))["extra_cost"].iloc[0])
    return check_number(answer, extra, tol=0.5,
                        explain=f"Keeping 200 customers costs 200 × 100 = 20,000; replacing them costs five times "
                                f"as much, 100,000: the difference is {extra:,.0f}.",
                        hint="compute the cost of keeping and the cost of replacing, then subtract.")


EXERCISES = ExerciseSet([
    Exercise("5.1", "Read as an undiscounted sum, what yearly margin (USD) lies behind the Cadillac figure "
                    "(USD 332,000 over 30 years)?", _ex1),
    Exercise("5.2", "A customer brings USD 100 at the end of each year, stays another year with probability 80 % "
                    "and money is discounted at 10 % a year. What is her CLV over an infinite horizon?", _ex2),
    Exercise("5.3", "With the sBG model fitted to years 1–7 of the *regular* cohort, what is the retention rate "
                    "in year 8 (a probability)?", _ex3),
    Exercise("5.4", "Why does a constant retention rate estimated on years 1–7 under-project the survivors of "
                    "years 8–12? A discounting, B customers differ in loyalty, C bad data, D the cohort grows.",
             _ex4),
    Exercise("5.5", "Two CDNOW customers, both observed 39 weeks, both last bought in week 20. A made 10 repeat "
                    "purchases, B made 2. By the BG/NBD model, who is more likely still alive? 'A' or 'B'.", _ex5),
    Exercise("5.6", "Keeping a customer costs USD 100 and acquiring one costs 5 times as much. How much more does "
                    "it cost to replace 200 lost customers than to keep them?", _ex6),
])


def check(number: str, answer: Any) -> Feedback:
    """Check the answer to exercise ``number`` of chapter 5."""
    return EXERCISES.check(number, answer)
