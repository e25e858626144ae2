"""Self-check exercises: a student's answer in, "right / not quite — and why" out.

Generic checkers live here; each chapter's exercise set is a submodule
(``crmlib.exercises.ch02`` …) whose expected answers are *computed* from the
datasets and crmlib functions, never typed in, and not shown in the notebook.

Examples
--------
>>> from crmlib.exercises import check_number
>>> bool(check_number(87, 87.0, tol=0.5, explain="7 of 8 causes …"))
True
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Mapping

__all__ = ["Feedback", "check_number", "check_choice", "Exercise", "ExerciseSet"]


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer. Truthy when right; shows as Markdown in a notebook."""

    ok: bool | None  # None: not answered yet
    message: str
    exercise: str = ""

    def __bool__(self) -> bool:
        return bool(self.ok)

    @property
    def verdict(self) -> str:
        return {True: "✅ Right", False: "❌ Not quite", None: "✏️ Not answered yet"}[self.ok]

    def _repr_markdown_(self) -> str:
        head = f"**{self.exercise}** — " if self.exercise else ""
        return f"{head}{self.verdict}. {self.message}"

    def __str__(self) -> str:
        head = f"{self.exercise}: " if self.exercise else ""
        return f"{head}{self.verdict}. {self.message}"


def check_number(answer: Any, expected: float, *, tol: float = 1e-6, relative: bool = False,
                 explain: str = "", hint: str = "") -> Feedback:
    """Compare a numeric answer with the expected value.

    Parameters
    ----------
    answer : number or None
        The student's answer; ``None`` means not answered yet.
    expected : float
        The right value (computed, not typed).
    tol : float
        Allowed absolute difference, or relative when ``relative=True``.
    explain : str
        Why the right answer is right (shown either way once answered).
    hint : str
        Shown when the answer is wrong.
    """
    if answer is None:
        return Feedback(None, hint or "Replace `None` with your answer and run the cell again.")
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or math.isnan(float(answer)):
        return Feedback(False, f"Your answer should be a number, got {answer!r}.")
    err = abs(float(answer) - float(expected))
    limit = tol * abs(float(expected)) if relative else tol
    if err <= limit:
        return Feedback(True, explain or f"The value is {expected:g}.")
    direction = "high" if float(answer) > float(expected) else "low"
    msg = f"{answer:g} is too {direction}."
    if hint:
        msg += f" Hint: {hint}"
    return Feedback(False, msg)


def check_choice(answer: Any, correct: str, explanations: Mapping[str, str]) -> Feedback:
    """Check a multiple-choice answer (a letter such as ``"B"``); explain every option."""
    if answer is None:
        return Feedback(None, "Set your answer to one letter, e.g. `'B'`, and run the cell again.")
    if not isinstance(answer, str) or answer.strip().upper() not in explanations:
        return Feedback(False, f"Answer with one of {sorted(explanations)}, got {answer!r}.")
    a = answer.strip().upper()
    if a == correct:
        return Feedback(True, explanations[a])
    return Feedback(False, f"{a}: {explanations[a]}")


@dataclass(frozen=True)
class Exercise:
    """One exercise: its question (Markdown) and a checker ``answer -> Feedback``."""

    number: str
    question: str
    checker: Callable[[Any], Feedback]


class ExerciseSet:
    """A chapter's exercises, addressed by number ("2.1", …)."""

    def __init__(self, exercises: list[Exercise]) -> None:
        self._ex = {e.number: e for e in exercises}
        if len(self._ex) != len(exercises):
            raise ValueError("exercise numbers must be unique")

    def __iter__(self):
        return iter(self._ex.values())

    def __len__(self) -> int:
        return len(self._ex)

    def numbers(self) -> list[str]:
        return list(self._ex)

    def question(self, number: str) -> str:
        return self._get(number).question

    def check(self, number: str, answer: Any) -> Feedback:
        """Check ``answer`` to exercise ``number``."""
        fb = self._get(number).checker(answer)
        return Feedback(fb.ok, fb.message, exercise=f"Exercise {number}")

    def _get(self, number: str) -> Exercise:
        if number not in self._ex:
            raise KeyError(f"no exercise {number!r}; exercises are {list(self._ex)}")
        return self._ex[number]
