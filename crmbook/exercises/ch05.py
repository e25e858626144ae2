"""Exercises of chapter 5, "Customer lifetime value". Answers are computed from the shipped data and
crmlib; the texts are the label keys ``ch05.ex.*``."""
from __future__ import annotations

import functools
from typing import Any

from crmlib import clv, datasets
from crmlib.clv import btyd
from . import ChoiceExercise, ExerciseSet, NumberExercise, Solution

__all__ = ["EXERCISES"]


@functools.lru_cache(maxsize=1)
def _sbg_regular() -> Any:
    surv = datasets.load("sbg_cohorts")["regular"].to_numpy()
    return btyd.ShiftedBetaGeometric(surv[:8]).fit()


@functools.lru_cache(maxsize=1)
def _bgnbd() -> Any:
    s = datasets.cdnow_summary("cdnow_sample", amount=None)
    return btyd.BetaGeo(s["frequency"], s["recency"], s["T"]).fit()


def _solve_5_1() -> Solution:
    c = datasets.load("clv_cases").set_index("case").loc["cadillac"]
    m = clv.implied_margin(float(c["clv_usd"]), int(c["horizon_years"]))
    return Solution(m, {"clv": float(c["clv_usd"]), "T": int(c["horizon_years"]), "m": m})


def _solve_5_2() -> Solution:
    v = clv.clv(100.0, 0.8, 0.1, None)
    return Solution(v, {"v": v})


def _solve_5_3() -> Solution:
    fit = _sbg_regular()
    r8 = float(fit.retention(8))
    return Solution(r8, {"r8": r8, "g": float(fit.params["gamma"]), "d": float(fit.params["delta"])})


def _solve_5_5() -> Solution:
    fit = _bgnbd()
    pa = float(fit.probability_alive(10, 20.0, 39.0))
    pb = float(fit.probability_alive(2, 20.0, 39.0))
    return Solution("A" if pa > pb else "B", {"pa": pa, "pb": pb})


def _solve_5_6() -> Solution:
    extra = float(clv.acquisition_vs_retention(200, 100.0, (5,))["extra_cost"].iloc[0])
    return Solution(extra, {"extra": extra})


EXERCISES = ExerciseSet("ch05", [
    NumberExercise("5.1", _solve_5_1, unit="usd", nearest=1000),
    NumberExercise("5.2", _solve_5_2, unit="usd", decimals=0),
    NumberExercise("5.3", _solve_5_3, unit="fraction", decimals=2),
    ChoiceExercise("5.4", lambda: Solution("B")),
    ChoiceExercise("5.5", _solve_5_5, options=("A", "B")),
    NumberExercise("5.6", _solve_5_6, unit="usd", decimals=0),
])
