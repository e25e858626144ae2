"""Self-check exercises: a student's answer in, "right / not quite — and why" out, in the chapter's language.

Each chapter's exercise set is a submodule (``crmbook.exercises.ch02`` …) whose
right answers are *computed* from the datasets and crmlib functions, never typed
in, and not shown in the notebook. Its texts are label keys of the chapter
(``chNN.ex.<number>.q`` the question, ``.explain`` why the answer is right, ``.hint``
for a wrong answer, ``.opt.<letter>`` for each option of a choice)::

    EXERCISES = ExerciseSet("ch02", [
        NumberExercise("2.1", solve=lambda: Solution(87.0, {"company": 87.0}), tol=0.01),
        ChoiceExercise("2.4", solve=lambda: Solution("B")),
        YesNoExercise("2.5", solve=solve_2_5),
    ])

In the notebook: ``ex = ch.exercises(ch02)``, ``ex.show()``, ``ex.check("2.1", answer_2_1)``.
The same solutions give the instructor's answer key (:meth:`BoundExercises.solutions`), so the
key can never disagree with the checker.
"""
from __future__ import annotations

import math
import re
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from crmlib.i18n import check_lang, labels, t

__all__ = ["Feedback", "Solution", "NumberExercise", "ChoiceExercise", "YesNoExercise", "ExerciseSet",
           "BoundExercises", "MARKS", "verdict_for_number", "verdict_for_choice"]

#: Verdict marks: plain symbols every font the project relies on has (DejaVu, WenQuanYi), no emoji.
MARKS = {True: "✓", False: "✗", None: "…"}


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer. Truthy when right; shows as Markdown in a notebook.

    Parameters
    ----------
    ok : bool or None
        Right, wrong, or ``None`` when not answered yet.
    message : str
        Why (already in the reader's language).
    exercise : str
        The exercise's label, e.g. "Exercise 2.1" / "练习 2.1".
    lang : {"en", "zh"}
        Language of the verdict words.
    """

    ok: bool | None  # None: not answered yet
    message: str
    exercise: str = ""
    lang: str = "en"

    def __bool__(self) -> bool:
        return bool(self.ok)

    @property
    def verdict(self) -> str:
        """The verdict word(s) without the mark: "Right" / "Not quite" / "Not answered yet"."""
        return t({True: "core.right", False: "core.wrong", None: "core.unanswered"}[self.ok], self.lang)

    @property
    def mark(self) -> str:
        """The verdict's mark (:data:`MARKS`: right, wrong or not answered yet)."""
        return MARKS[self.ok]

    def _render(self, key: str) -> str:
        if not self.exercise:
            sep = ". " if self.lang == "en" else "。"
            return f"{self.mark} {self.verdict}{sep}{self.message}"
        return t(key, self.lang, exercise=self.exercise, mark=self.mark, verdict=self.verdict,
                 message=self.message)

    def _repr_markdown_(self) -> str:
        return self._render("core.ex.feedback")

    def __str__(self) -> str:
        return self._render("core.ex.feedback_plain").replace("**", "")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return repr(v) if isinstance(v, str) else str(v)


@dataclass(frozen=True)
class Solution:
    """The right answer of an exercise, computed, with the values its explanation quotes.

    Parameters
    ----------
    answer : Any
        The right answer (a number, an option letter, "yes"/"no").
    values : mapping, optional
        Placeholder values for the exercise's ``explain`` and ``hint`` texts.
    variant : str, optional
        Selects the explanation ``.explain.<variant>`` instead of ``.explain``.
    """

    answer: Any
    values: Mapping[str, Any] = field(default_factory=dict)
    variant: str | None = None


def _has(key: str) -> bool:
    return key in labels()


@dataclass(frozen=True)
class _Base:
    number: str
    solve: Callable[[], Solution]

    def _texts(self, prefix: str, lang: str, sol: Solution) -> tuple[str, str]:
        base = f"{prefix}.ex.{self.number}"
        key = f"{base}.explain.{sol.variant}" if sol.variant else f"{base}.explain"
        explain = t(key, lang, **sol.values) if _has(key) else ""
        hint = t(f"{base}.hint", lang, **sol.values) if _has(f"{base}.hint") else ""
        return explain, hint

    def question(self, prefix: str, lang: str) -> str:
        """The exercise's question (Markdown), the label ``<prefix>.ex.<number>.q``.

        Parameters
        ----------
        prefix : str
            The chapter's label prefix (``"ch02"``).
        lang : {"en", "zh"}

        Returns
        -------
        str
        """
        return t(f"{prefix}.ex.{self.number}.q", lang)

    def explanation(self, prefix: str, lang: str) -> str:
        """Why the right answer is right (for the answer key).

        Parameters
        ----------
        prefix : str
            The chapter's label prefix.
        lang : {"en", "zh"}

        Returns
        -------
        str
            The explanation with the solution's values filled in (empty when the chapter has none).
        """
        sol = self._solution()
        return self._texts(prefix, lang, sol)[0]

    def _solution(self) -> Solution:
        sol = self.solve()
        if not isinstance(sol, Solution):
            raise TypeError(f"exercise {self.number}: solve() must return a Solution, got {type(sol).__name__}")
        return sol

    def check(self, answer: Any, prefix: str, lang: str) -> Feedback:
        """Check ``answer`` against the computed solution.

        Parameters
        ----------
        answer : Any
            The student's answer (``None``: not answered yet).
        prefix : str
            The chapter's label prefix (``"ch02"``), for the texts.
        lang : {"en", "zh"}
            Language of the verdict.

        Returns
        -------
        Feedback
        """
        return self._verdict(answer, prefix, lang, self._solution())

    def _verdict(self, answer: Any, prefix: str, lang: str, sol: Solution) -> Feedback:
        """The verdict on ``answer`` given the solution ``sol`` (each kind of exercise has its own)."""
        raise NotImplementedError


@dataclass(frozen=True)
class NumberExercise(_Base):
    """An exercise whose answer is a number, right within ``tol`` (absolute, or relative)."""

    tol: float = 1e-6
    relative: bool = False

    def _verdict(self, answer: Any, prefix: str, lang: str, sol: Solution) -> Feedback:
        explain, hint = self._texts(prefix, lang, sol)
        if answer is None:
            return Feedback(None, hint or t("core.ex.replace_none", lang), lang=lang)
        fb = verdict_for_number(answer, float(sol.answer), tol=self.tol, relative=self.relative, lang=lang,
                                explain=explain or t("core.ex.value_is", lang, expected=_fmt(float(sol.answer))),
                                hint=hint)
        return fb


@dataclass(frozen=True)
class ChoiceExercise(_Base):
    """A multiple-choice exercise; every option has its explanation ``.opt.<letter>``."""

    options: tuple[str, ...] = ("A", "B", "C", "D")

    def _verdict(self, answer: Any, prefix: str, lang: str, sol: Solution) -> Feedback:
        expl = {o: t(f"{prefix}.ex.{self.number}.opt.{o}", lang, **sol.values) for o in self.options}
        return verdict_for_choice(answer, str(sol.answer), expl, lang=lang)

    def explanation(self, prefix: str, lang: str) -> str:
        """Why the right option is right (for the answer key).

        Parameters
        ----------
        prefix : str
            The chapter's label prefix.
        lang : {"en", "zh"}

        Returns
        -------
        str
        """
        sol = self._solution()
        return t(f"{prefix}.ex.{self.number}.opt.{sol.answer}", lang, **sol.values)


_YES = {"yes": "yes", "y": "yes", "是": "yes", "no": "no", "n": "no", "否": "no", "不是": "no"}


@dataclass(frozen=True)
class YesNoExercise(_Base):
    """An exercise answered "yes" or "no" (是 / 否 accepted too)."""

    def _verdict(self, answer: Any, prefix: str, lang: str, sol: Solution) -> Feedback:
        explain, _ = self._texts(prefix, lang, sol)
        if answer is None:
            return Feedback(None, t("core.ex.yes_or_no", lang), lang=lang)
        a = _YES.get(answer.strip().lower()) if isinstance(answer, str) else None
        if a is None:
            return Feedback(False, t("core.ex.yes_or_no_got", lang, answer=_fmt(answer)), lang=lang)
        return Feedback(a == sol.answer, explain, lang=lang)


def verdict_for_number(answer: Any, expected: float, *, tol: float = 1e-6, relative: bool = False,
                       explain: str = "", hint: str = "", lang: str = "en") -> Feedback:
    """Compare a numeric answer with the expected value.

    Parameters
    ----------
    answer : number or None
        The student's answer; ``None`` means not answered yet.
    expected : float
        The right value (computed, not typed).
    tol : float
        Allowed absolute difference, or relative when ``relative=True``.
    relative : bool, default False
        Read ``tol`` as a share of ``|expected|`` (0.01 = within 1 %).
    explain : str
        Why the right answer is right (shown when right).
    hint : str
        Shown when the answer is wrong (a full sentence).
    lang : {"en", "zh"}
        Language of the generic messages.

    Returns
    -------
    Feedback
    """
    check_lang(lang)
    if answer is None:
        return Feedback(None, hint or t("core.ex.replace_none", lang), lang=lang)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(float(answer)):
        return Feedback(False, t("core.ex.not_a_number", lang, answer=_fmt(answer)), lang=lang)
    err = abs(float(answer) - float(expected))
    limit = tol * abs(float(expected)) if relative else tol
    if err <= limit:
        return Feedback(True, explain or t("core.ex.value_is", lang, expected=_fmt(float(expected))), lang=lang)
    key = "core.ex.too_high" if float(answer) > float(expected) else "core.ex.too_low"
    msg = t(key, lang, answer=f"{float(answer):g}")
    if hint:
        msg += (" " if lang == "en" else "") + t("core.ex.hint", lang, hint=hint)
    return Feedback(False, msg, lang=lang)


def verdict_for_choice(answer: Any, correct: str, explanations: Mapping[str, str], lang: str = "en") -> Feedback:
    """Check a multiple-choice answer (a letter such as ``"B"``); explain every option.

    Parameters
    ----------
    answer : str or None
        The student's letter.
    correct : str
        The right letter.
    explanations : mapping of str to str
        Letter -> why that option is right or wrong.
    lang : {"en", "zh"}

    Returns
    -------
    Feedback
    """
    check_lang(lang)
    if answer is None:
        return Feedback(None, t("core.ex.choose_letter", lang), lang=lang)
    if not isinstance(answer, str) or answer.strip().upper() not in explanations:
        return Feedback(False, t("core.ex.choose_one_of", lang, options=", ".join(sorted(explanations)),
                                 answer=_fmt(answer)), lang=lang)
    a = answer.strip().upper()
    if a == correct:
        return Feedback(True, explanations[a], lang=lang)
    return Feedback(False, f"{a}: {explanations[a]}", lang=lang)


class ExerciseSet:
    """A chapter's exercises, addressed by number ("2.1", …).

    Parameters
    ----------
    prefix : str
        The chapter's label prefix, e.g. ``"ch02"`` (its texts are ``ch02.ex.<number>.*``).
    exercises : list
        :class:`NumberExercise`, :class:`ChoiceExercise` or :class:`YesNoExercise` objects.
    """

    def __init__(self, prefix: str, exercises: list) -> None:
        if not isinstance(prefix, str) or not re.fullmatch(r"ch\d\d", prefix):
            raise TypeError(f"prefix must be a label prefix such as 'ch02', got {prefix!r}")
        self.prefix = prefix
        exercises = list(exercises)
        bad = [e for e in exercises if not isinstance(e, _Base)]
        if bad:
            raise TypeError(f"exercises must be NumberExercise, ChoiceExercise or YesNoExercise, got {bad[0]!r}")
        self._ex = {e.number: e for e in exercises}
        if len(self._ex) != len(exercises):
            raise ValueError("exercise numbers must be unique")

    def __iter__(self):
        return iter(self._ex.values())

    def __len__(self) -> int:
        return len(self._ex)

    def numbers(self) -> list[str]:
        """The exercise numbers in order."""
        return list(self._ex)

    def bind(self, lang: str) -> "BoundExercises":
        """The exercises in ``lang``.

        Parameters
        ----------
        lang : {"en", "zh"}

        Returns
        -------
        BoundExercises
        """
        return BoundExercises(self, check_lang(lang))

    def question(self, number: str, lang: str = "en") -> str:
        """The question of exercise ``number`` (Markdown).

        Parameters
        ----------
        number : str
            E.g. ``"2.1"``.
        lang : {"en", "zh"}

        Returns
        -------
        str
        """
        return self._get(number).question(self.prefix, lang)

    def check(self, number: str, answer: Any, lang: str = "en") -> Feedback:
        """Check ``answer`` to exercise ``number``.

        Parameters
        ----------
        number : str
            E.g. ``"2.1"``.
        answer : Any
            The student's answer (``None``: not answered yet).
        lang : {"en", "zh"}

        Returns
        -------
        Feedback
        """
        check_lang(lang)
        fb = self._get(number).check(answer, self.prefix, lang)
        return Feedback(fb.ok, fb.message, exercise=t("core.exercise_label", lang, number=number), lang=lang)

    def _get(self, number: str):
        if number not in self._ex:
            raise KeyError(f"no exercise {number!r}; exercises are {list(self._ex)}")
        return self._ex[number]


class BoundExercises:
    """A chapter's exercises in one language: what a notebook's exercise cells use.

    Parameters
    ----------
    exercises : ExerciseSet
    lang : {"en", "zh"}
    """

    def __init__(self, exercises: ExerciseSet, lang: str) -> None:
        self.exercises, self.lang = exercises, check_lang(lang)

    def numbers(self) -> list[str]:
        """The exercise numbers in order."""
        return self.exercises.numbers()

    def question(self, number: str) -> str:
        """The question of exercise ``number`` (Markdown).

        Parameters
        ----------
        number : str
            E.g. ``"2.1"``.

        Returns
        -------
        str
        """
        return self.exercises.question(number, self.lang)

    def markdown(self) -> str:
        """All questions as a Markdown list, after the one-line instructions."""
        items = [t("core.ex.question", self.lang, exercise=t("core.exercise_label", self.lang, number=n),
                   question=self.question(n)) for n in self.numbers()]
        return t("core.ex.intro", self.lang) + "\n\n" + "\n".join(items)

    def show(self) -> None:
        """Display the questions (Markdown)."""
        from IPython.display import display

        md = self.markdown()
        display({"text/markdown": md, "text/plain": md}, raw=True)

    def check(self, number: str, answer: Any) -> Feedback:
        """Check ``answer`` to exercise ``number``; the verdict in this language.

        Parameters
        ----------
        number : str
            E.g. ``"2.1"``.
        answer : Any
            The student's answer (``None``: not answered yet).

        Returns
        -------
        Feedback
        """
        return self.exercises.check(number, answer, self.lang)

    def solutions(self) -> list[dict[str, Any]]:
        """The answer key: ``{number, question, answer, explanation, feedback}`` per exercise, where
        ``feedback`` is the checker's own verdict on the answer (it is always right).

        Returns
        -------
        list of dict
        """
        out = []
        for e in self.exercises:
            sol = e._solution()
            fb = self.check(e.number, sol.answer)
            out.append({"number": e.number, "question": self.question(e.number), "answer": sol.answer,
                        "explanation": e.explanation(self.exercises.prefix, self.lang), "feedback": fb})
        return out
