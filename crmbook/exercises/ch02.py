"""Exercises of chapter 2, "Why customers are lost". Answers are computed from Table 1-1;
the texts are the label keys ``ch02.ex.*``."""
from __future__ import annotations

from crmlib import datasets, loss
from . import ChoiceExercise, ExerciseSet, NumberExercise, Solution, YesNoExercise

__all__ = ["EXERCISES"]


def _shares():
    t = datasets.load("loss_causes")
    return t, t.set_index("cause_id")["share_pct"]


def _groups() -> dict[str, float]:
    t, _ = _shares()
    return {g: float(v) for g, v in loss.group_totals(t).items()}


def _solve_2_1() -> Solution:
    _, s = _shares()
    g = _groups()
    return Solution(g["company"], {"company": g["company"], "price": s["price"], "complaints": s["complaints"],
                                   "communication": s["communication"]})


def _solve_2_2() -> Solution:
    _, s = _shares()
    par = loss.pareto_table(s)
    k = int(par["vital_few"].sum())
    path = " → ".join(f"{v:g}" for v in par["cumulative_pct"].iloc[:k])
    return Solution(k, {"k": k, "path": path})


def _solve_2_3() -> Solution:
    _, s = _shares()
    r = loss.whatif_kept(s, {"communication": 50}, per=1000)
    kept = float(r["kept"].sum())
    return Solution(kept, {"share": s["communication"], "lost": float(r.loc["communication", "lost_before"]),
                           "kept": kept})


def _solve_2_4() -> Solution:
    _, s = _shares()
    g = _groups()
    return Solution(max(zip(g.values(), "ABC"))[1], {**g, "communication": s["communication"]})


def _solve_2_5() -> Solution:
    # one share, so a binomial question: the Wilson interval and the exact test of the printed 68 %
    # (Goodman's simultaneous intervals for two categories would be 97.5 % intervals)
    from scipy.stats import binomtest

    test = binomtest(62, 100, 0.68)
    ci = test.proportion_ci(confidence_level=0.95, method="wilson")
    lo, hi = 100 * float(ci.low), 100 * float(ci.high)
    contradicts = not (lo <= 68 <= hi)
    return Solution("yes" if contradicts else "no", {"lo": lo, "hi": hi, "p": float(test.pvalue)},
                    variant="contradicts" if contradicts else "consistent")


EXERCISES = ExerciseSet("ch02", [
    NumberExercise("2.1", _solve_2_1, tol=0.01),
    NumberExercise("2.2", _solve_2_2, tol=0),
    NumberExercise("2.3", _solve_2_3, tol=0.5),
    ChoiceExercise("2.4", _solve_2_4),
    YesNoExercise("2.5", _solve_2_5),
])
