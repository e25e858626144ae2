"""Self-check exercises: a student's answer in, "right / not quite — and why" out, in the chapter's language.

Each chapter's exercise set is a submodule (``crmbook.exercises.ch02`` …) whose
right answers are *computed* from the datasets and crmlib functions, never typed
in, and not shown in the notebook. Its texts are label keys of the chapter
(``chNN.ex.<number>.q`` the question, ``.explain`` why the answer is right, ``.hint``
for a wrong answer, ``.opt.<letter>`` for each option of a choice)::

    EXERCISES = ExerciseSet("ch02", [
        NumberExercise("2.1", solve=lambda: Solution(87.0, {"company": 87.0}), unit="percent", decimals=0),
        ChoiceExercise("2.4", solve=lambda: Solution("B")),
        YesNoExercise("2.5", solve=solve_2_5, words=("contradict", "矛盾")),
    ])

A numeric exercise states the form and the precision of its answer — ``unit`` (``"percent"``,
``"fraction"``, ``"count"``, ``"usd"`` or None), ``decimals`` or ``nearest`` — and its question
says the same in words ("in %, to a whole number"); the tolerance follows the stated precision
(half a unit of the last place asked for). Answers are read the way students type them
(:mod:`crmbook.typed`): full-width characters, numbers as text with ``%`` or units, ``80,000``
typed in code (a tuple), 是/否/对/错/不矛盾 …. A fraction where a percentage is asked (or the
reverse) gets a "check the form" verdict that shows the right form, never "too low".

In the notebook: ``ex = ch.exercises(ch02)`` (in the chapter's first cells), ``ex.show()``, and one
cell per exercise, ``answer_2_1 = None`` / ``ex.check("2.1", answer_2_1)``: with ``None`` the cell
shows an answer box (a text field and a Check button; headless, the question and a note), with an
answer it shows the verdict. The same solutions give the instructor's answer key
(:meth:`BoundExercises.solutions`), so the key can never disagree with the checker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from crmlib.i18n import check_lang, labels, t
from ..typed import format_number, read_letter, read_number, read_yes_no

__all__ = ["Feedback", "Solution", "NumberExercise", "ChoiceExercise", "YesNoExercise", "ExerciseSet",
           "BoundExercises", "MARKS", "UNITS", "verdict_for_number", "verdict_for_choice", "verdict_for_yes_no"]

#: Verdict marks: plain symbols every font the project relies on has (DejaVu, WenQuanYi), no emoji.
MARKS = {True: "✓", False: "✗", None: "…"}
#: The forms a numeric answer can be asked in.
UNITS = ("percent", "fraction", "count", "usd", None)


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer. Truthy when right; shows as Markdown in a notebook.

    Parameters
    ----------
    ok : bool or None
        Right, wrong, or ``None`` when not answered yet or not readable in the form asked.
    message : str
        Why (already in the reader's language).
    exercise : str
        The exercise's label, e.g. "Exercise 2.1" / "练习 2.1".
    lang : {"en", "zh"}
        Language of the verdict words.
    form : bool
        The answer is not in the form the question asks (a fraction for a percentage, text that
        is no number, no option letter …): ``ok`` is None and the verdict says "check the form".
    """

    ok: bool | None  # None: not answered yet, or not in the form asked
    message: str
    exercise: str = ""
    lang: str = "en"
    form: bool = False
    #: shows the answer box instead of the verdict (an unanswered exercise in a notebook)
    box: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    def __bool__(self) -> bool:
        return bool(self.ok)

    @property
    def verdict(self) -> str:
        """The verdict word(s) without the mark: "Right" / "Not quite" / "Check the form" / "Not answered yet"."""
        if self.form:
            return t("core.check_form", self.lang)
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

    def _ipython_display_(self) -> None:
        if self.box is not None:
            self.box()
            return
        from IPython.display import display

        display({"text/markdown": self._repr_markdown_(), "text/plain": str(self)}, raw=True)

    def __str__(self) -> str:
        return self._render("core.ex.feedback_plain").replace("**", "")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return format_number(v)
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

    def answer_text(self, answer: Any, lang: str) -> str:
        """The right answer as the key shows it in ``lang`` (no scientific notation; 是/否 in Chinese).

        Parameters
        ----------
        answer : Any
            The solution's answer.
        lang : {"en", "zh"}

        Returns
        -------
        str
        """
        return answer if isinstance(answer, str) else _fmt(answer)

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
    """An exercise whose answer is a number, in a stated form and precision.

    Parameters
    ----------
    number : str
        ``"2.1"`` style.
    solve : callable
        Returns the :class:`Solution`.
    unit : {"percent", "fraction", "count", "usd", None}
        The form asked: a percentage (87 for 87 %), a fraction or probability in [0, 1], a whole
        count, an amount of US$, or a plain number.
    decimals : int, optional
        The precision asked, in decimals (0: a whole number); the answer is right within half a
        unit of that place.
    nearest : float, optional
        Or: the precision asked as a step (1000: "to the nearest 1,000").
    scale : float
        The answer is counted in units of ``scale`` (1e6: "US$ million"); an answer written with a
        magnitude (``750万``) is converted, a plain number that is ``scale`` times the answer gets
        a "check the form" verdict.
    tol, relative : float, bool
        The tolerance when no precision is stated (absolute, or a share of the answer).
    """

    unit: str | None = None
    decimals: int | None = None
    nearest: float | None = None
    scale: float = 1.0
    tol: float = 1e-6
    relative: bool = False

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"exercise {self.number}: unit must be one of {UNITS}, got {self.unit!r}")
        if self.decimals is not None and self.nearest is not None:
            raise ValueError(f"exercise {self.number}: state decimals or nearest, not both")

    @property
    def stated(self) -> bool:
        """Whether the precision is stated (a count, ``decimals`` or ``nearest``)."""
        return self.unit == "count" or self.decimals is not None or self.nearest is not None

    def answer_text(self, answer: Any, lang: str) -> str:
        """The right answer as the key shows it in ``lang`` (no scientific notation; 是/否 in Chinese).

        Parameters
        ----------
        answer : Any
            The solution's answer.
        lang : {"en", "zh"}

        Returns
        -------
        str
        """
        d = 0 if self.unit == "count" else self.decimals
        if self.nearest is not None:
            d = 0
        text = format_number(float(answer), d if d is not None else 4, lang)
        return text + ("%" if self.unit == "percent" else "")

    def _verdict(self, answer: Any, prefix: str, lang: str, sol: Solution) -> Feedback:
        explain, hint = self._texts(prefix, lang, sol)
        if answer is None:
            return Feedback(None, hint or t("core.ex.replace_none", lang), lang=lang)
        expected = float(sol.answer)
        return verdict_for_number(answer, expected, tol=self.tol, relative=self.relative, lang=lang,
                            explain=explain or t("core.ex.value_is", lang, expected=_fmt(expected)),
                            hint=hint, unit=self.unit, decimals=self.decimals, nearest=self.nearest,
                            scale=self.scale)


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


@dataclass(frozen=True)
class YesNoExercise(_Base):
    """An exercise answered yes or no: yes/no/y/n/true/false, 是/否/对/错/不是/没有 … and the question's verb.

    ``words`` are the question's own verb ("does it contradict …?": ``("contradict", "矛盾")``):
    the verb alone answers yes, after a negation (不矛盾, does not contradict) no.
    """

    words: tuple[str, ...] = ()

    def _verdict(self, answer: Any, prefix: str, lang: str, sol: Solution) -> Feedback:
        explain, _ = self._texts(prefix, lang, sol)
        return verdict_for_yes_no(answer, str(sol.answer), explain, lang=lang, words=self.words)

    def answer_text(self, answer: Any, lang: str) -> str:
        """The right answer as the key shows it in ``lang`` (no scientific notation; 是/否 in Chinese).

        Parameters
        ----------
        answer : Any
            The solution's answer.
        lang : {"en", "zh"}

        Returns
        -------
        str
        """
        return t(f"core.{answer}", lang) if answer in ("yes", "no") else str(answer)


def _limit(expected: float, tol: float, relative: bool, decimals: int | None, nearest: float | None) -> float:
    """The largest accepted difference: half a unit of the stated precision, else ``tol``."""
    if nearest is not None:
        return 0.5 * float(nearest) + 1e-9 * max(1.0, abs(expected))
    if decimals is not None:
        return 0.5 * 10.0 ** -int(decimals) + 1e-9 * max(1.0, abs(expected))
    return float(tol) * abs(expected) if relative else float(tol)


def _form(key: str, lang: str, **values: Any) -> Feedback:
    return Feedback(None, t(key, lang, **values), lang=lang, form=True)


def _read(answer: Any, reader: Callable[[Any], Any], lang: str, unanswered: str, unreadable: str,
          **values: Any) -> tuple[Any, Feedback | None]:
    """(what ``reader`` makes of ``answer``, None), or (None, the verdict) when it is None or unreadable."""
    check_lang(lang)
    if answer is None:
        return None, Feedback(None, t(unanswered, lang), lang=lang)
    a = reader(answer)
    return (a, None) if a is not None else (None, _form(unreadable, lang, answer=_fmt(answer), **values))


def verdict_for_number(answer: Any, expected: float, *, tol: float = 1e-6, relative: bool = False,
                 explain: str = "", hint: str = "", lang: str = "en", unit: str | None = None,
                 decimals: int | None = None, nearest: float | None = None, scale: float = 1.0) -> Feedback:
    """Compare a numeric answer with the expected value, reading the answer as the student meant it.

    Parameters
    ----------
    answer : number, str, tuple or None
        The student's answer: a number; text such as ``"87%"``, ``"８７"``, ``"340位"``, ``"8万"``; the
        tuple Python makes of ``80,000``; ``None`` means not answered yet.
    expected : float
        The right value (computed, not typed), in the form asked.
    tol : float
        Allowed absolute difference (or relative when ``relative=True``) when no precision is stated.
    relative : bool, default False
        Read ``tol`` as a share of ``|expected|`` (0.01 = within 1 %).
    explain : str
        Why the right answer is right (shown when right).
    hint : str
        Shown when the answer is wrong (a full sentence).
    lang : {"en", "zh"}
        Language of the generic messages.
    unit : {"percent", "fraction", "count", "usd", None}
        The form asked (see :class:`NumberExercise`).
    decimals, nearest : optional
        The stated precision; the tolerance is half a unit of it.
    scale : float
        The unit the answer is counted in (1e6 for "US$ million").

    Returns
    -------
    Feedback
        Right, wrong (too high / too low, with the hint), or "check the form" (``ok`` None,
        ``form`` True) for an answer that is no number or not in the form asked.
    """
    check_lang(lang)
    if answer is None:
        return Feedback(None, hint or t("core.ex.replace_none", lang), lang=lang)
    n = read_number(answer)
    if n is None:
        return _form("core.ex.not_a_number", lang, answer=_fmt(answer))
    e = float(expected)
    limit = _limit(e, tol, relative, decimals, nearest)
    v = n.value
    shown = format_number(v)
    if n.percent:
        if unit == "fraction":
            v /= 100
        elif unit != "percent":
            return _form("core.ex.no_percent", lang, answer=shown)
    elif unit == "percent" and 0 < abs(v) <= 1 and abs(v - e) > limit and (abs(e) > 1.5 or abs(100 * v - e) <= limit):
        return _form("core.ex.fraction_for_percent", lang, answer=shown, example=format_number(100 * v))
    elif unit == "fraction" and 1 < abs(v) <= 100:
        return _form("core.ex.percent_for_fraction", lang, answer=shown, example=format_number(v / 100))
    if scale != 1:
        if n.scaled:
            v /= scale
        elif abs(v - e) > limit and abs(v / scale - e) <= limit:
            return _form("core.ex.in_units_of", lang, answer=format_number(v, lang=lang),
                         example=format_number(v / scale, lang=lang))
    if unit == "count" and not float(v).is_integer():
        return _form("core.ex.not_whole", lang, answer=shown)
    note = t("core.ex.tuple_note", lang, typed=n.tuple_text, value=format_number(n.value, lang="zh")) \
        if n.tuple_text else ""

    def with_note(msg: str) -> str:
        return (msg + (" " if lang == "en" else "") + note) if note else msg

    if abs(v - e) <= limit:
        return Feedback(True, with_note(explain or t("core.ex.value_is", lang, expected=_fmt(e))), lang=lang)
    key = "core.ex.too_high" if v > e else "core.ex.too_low"
    msg = t(key, lang, answer=format_number(v))
    if hint:
        msg += (" " if lang == "en" else "") + t("core.ex.hint", lang, hint=hint)
    return Feedback(False, with_note(msg), lang=lang)


def verdict_for_choice(answer: Any, correct: str, explanations: Mapping[str, str], lang: str = "en") -> Feedback:
    """Check a multiple-choice answer (a letter such as ``"B"``, ``"b"``, ``"Ｂ"``, ``"“B”"``, ``"B。"``); explain it.

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
    options = (t("core.list_sep", lang) if lang == "zh" else ", ").join(sorted(explanations))
    a, unread = _read(answer, lambda x: read_letter(x, explanations), lang, "core.ex.choose_letter",
                      "core.ex.choose_one_of", options=options)
    if unread is not None:
        return unread
    if a == correct:
        return Feedback(True, explanations[a], lang=lang)
    return Feedback(False, f"{a}: {explanations[a]}", lang=lang)


def verdict_for_yes_no(answer: Any, correct: str, explain: str, lang: str = "en", words: tuple[str, ...] = ()) -> Feedback:
    """Check a yes/no answer (yes, y, true, 是, 对, 有 … / no, n, false, 否, 不, 不是, 错, 没有 …).

    Parameters
    ----------
    answer : str, bool or None
        The student's answer.
    correct : {"yes", "no"}
        The right answer.
    explain : str
        Why (shown with the verdict, right or wrong).
    lang : {"en", "zh"}
    words : tuple of str
        The question's own verb (see :class:`YesNoExercise`).

    Returns
    -------
    Feedback
    """
    a, unread = _read(answer, lambda x: read_yes_no(x, words), lang, "core.ex.yes_or_no", "core.ex.yes_or_no_got")
    return unread if unread is not None else Feedback(a == correct, explain, lang=lang)


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
        return Feedback(fb.ok, fb.message, exercise=t("core.exercise_label", lang, number=number), lang=lang,
                        form=fb.form)

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

        With ``answer`` None the verdict is "not answered yet", and shown in a notebook it is the
        exercise's answer box (:meth:`box`).

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
        fb = self.exercises.check(number, answer, self.lang)
        if answer is None:
            return Feedback(fb.ok, fb.message, fb.exercise, fb.lang, fb.form, box=lambda: self.box(number))
        return fb

    def box(self, number: str) -> Any:
        """Show exercise ``number`` with an answer box: its question, a text field and a Check button.

        The verdict appears under the button (whatever is typed is read as :meth:`check` reads
        it). Run headless (papermill, the site) it shows the question and a note on how to answer
        instead, since there is no live kernel to press the button for.

        Parameters
        ----------
        number : str
            E.g. ``"2.1"``.

        Returns
        -------
        ipywidgets.Widget or None
            The box (None headless).
        """
        from IPython.display import display

        from ..widgets import headless

        label = t("core.exercise_label", self.lang, number=number)
        q = t("core.ex.question_box", self.lang, exercise=label, question=self.question(number))
        var = f"answer_{number.replace('.', '_')}"
        if headless():
            md = q + "\n\n" + t("core.ex.box_note", self.lang, variable=var)
            display({"text/markdown": md, "text/plain": md}, raw=True)
            return None
        import ipywidgets as w

        display({"text/markdown": q, "text/plain": q}, raw=True)
        text = w.Text(placeholder=t("core.ex.placeholder", self.lang), continuous_update=False,
                      layout=w.Layout(width="16em"))
        button = w.Button(description=t("core.ex.check_button", self.lang), layout=w.Layout(width="auto"))
        out = w.Output()
        text.add_class("crm-answer")
        button.add_class("crm-check")

        def verdict(_: Any = None) -> None:
            typed = text.value
            fb = (self.exercises.check(number, typed, self.lang) if typed.strip() else
                  Feedback(None, t("core.ex.type_first", self.lang), label, self.lang))
            with out:
                out.clear_output()
                display({"text/markdown": fb._repr_markdown_(), "text/plain": str(fb)}, raw=True)

        button.on_click(verdict)
        text.observe(verdict, "value")
        box = w.VBox([w.HBox([text, button]), out])
        display(box)
        return box

    def solutions(self) -> list[dict[str, Any]]:
        """The answer key: ``{number, question, answer, answer_text, explanation, feedback}`` per exercise,
        where ``answer_text`` is the answer as this language writes it and ``feedback`` the checker's
        own verdict on the answer (it is always right).

        Returns
        -------
        list of dict
        """
        out = []
        for e in self.exercises:
            sol = e._solution()
            fb = self.check(e.number, sol.answer)
            out.append({"number": e.number, "question": self.question(e.number), "answer": sol.answer,
                        "answer_text": e.answer_text(sol.answer, self.lang),
                        "explanation": e.explanation(self.exercises.prefix, self.lang), "feedback": fb})
        return out
