"""Exercises of chapter 2, "Why customers are lost". Answers are computed from Table 1-1."""
from __future__ import annotations

from typing import Any

from .. import datasets, loss
from . import Exercise, ExerciseSet, Feedback, check_choice, check_number

__all__ = ["EXERCISES", "check"]


def _shares():
    t = datasets.load("loss_causes")
    return t, t.set_index("cause_id")["share_pct"]


def _ex1(answer: Any) -> Feedback:
    t, _ = _shares()
    company = float(loss.group_totals(t)["company"])
    return check_number(answer, company, tol=0.01,
                        explain=f"Price 9 % + complaints 10 % + communication 68 % = {company:g} %: "
                                "most losses are the company's own doing, which is why CRM can act on them.",
                        hint="add the three company-factor shares of Table 1-1.")


def _ex2(answer: Any) -> Feedback:
    _, s = _shares()
    k = int(loss.pareto_table(s)["vital_few"].sum())
    return check_number(answer, k, tol=0,
                        explain=f"Sorted largest first, the cumulative share passes 80 % at cause number {k} "
                                "(68 → 78 → 87 %).",
                        hint="sort the shares from largest to smallest and add until you pass 80 %.")


def _ex3(answer: Any) -> Feedback:
    _, s = _shares()
    kept = float(loss.whatif_kept(s, {"communication": 50}, per=1000)["kept"].sum())
    return check_number(answer, kept, tol=0.5,
                        explain=f"68 % of 1,000 is 680 customers; half of them is {kept:g}.",
                        hint="first find how many of 1,000 lost customers left for poor communication.")


def _ex4(answer: Any) -> Feedback:
    return check_choice(answer, "B", {
        "A": "Customer factors (death, lost contact) are 4 % and mostly beyond any firm's control.",
        "B": "Company factors are 87 %, and poor communication alone 68 % — exactly what CRM "
             "(knowing and talking to the customer) addresses.",
        "C": "Third-party factors (competitors, people around the customer) are 9 %: real, but secondary.",
        "D": "The groups are far from equal: 4 %, 87 % and 9 %.",
    })


def _ex5(answer: Any) -> Feedback:
    ci = loss.multinomial_ci({"communication": 62, "other": 38})
    lo, hi = float(ci.loc["communication", "lower_pct"]), float(ci.loc["communication", "upper_pct"])
    contradicts = not (lo <= 68 <= hi)
    expected = "yes" if contradicts else "no"
    if answer is None:
        return Feedback(None, "Answer 'yes' or 'no'.")
    if not isinstance(answer, str) or answer.strip().lower() not in ("yes", "no"):
        return Feedback(False, f"Answer 'yes' or 'no', got {answer!r}.")
    ok = answer.strip().lower() == expected
    why = (f"With 100 customers the 95 % interval around 62 % runs from {lo:.1f} % to {hi:.1f} %, "
           f"which {'does not contain' if contradicts else 'contains'} 68 %: such a survey "
           f"{'would' if contradicts else 'would not'} contradict the table.")
    return Feedback(ok, why)


EXERCISES = ExerciseSet([
    Exercise("2.1", "What share (%) of lost customers leave for reasons that lie with the **company**?", _ex1),
    Exercise("2.2", "How many causes, taken largest first, are needed to explain at least 80 % of losses?", _ex2),
    Exercise("2.3", "If better communication halves the losses from *poor communication*, how many of every "
                    "1,000 lost customers are kept?", _ex3),
    Exercise("2.4", "Which group of causes is CRM's main business? A customer, B company, C third party, "
                    "D all equally.", _ex4),
    Exercise("2.5", "A survey of 100 lost customers finds 62 blaming poor communication. Does it contradict "
                    "the printed 68 % at the 95 % level? Answer 'yes' or 'no'.", _ex5),
])


def check(number: str, answer: Any) -> Feedback:
    """Check the answer to exercise ``number`` of chapter 2."""
    return EXERCISES.check(number, answer)
