"""The teacher pages' multiple-choice questions, with keys computed by crmlib, never typed.

Each chapter's quiz is a module ``crmbook.quiz.chNN`` holding ``QUIZ = Quiz("chNN", [...])``. The
question's *texts* — the question, its options and the explanation — stay in the chapter's teacher
table (``site/teacher/chNN.csv``: ``mcq.N.q``, ``mcq.N.A`` …, ``mcq.N.why``) in both languages; the
*key* comes from code, computed from the chapter's own convention:

* :class:`Formula` — the options are formulas or numbers as printed (``m/(1+d−r)``, ``0.04``,
  ``68 %``). Each option's text is evaluated at the question's example values and the key is the
  option equal to what the chapter's function computes there (``crmlib.clv.clv(..., timing="end")``).
  What the page prints is what is checked: edit an option and the key follows it, or the question
  fails because no option (or more than one) is right.
* :class:`Meaning` — each option stands for something the code names: an id of crmlib
  (``"analytical"`` in :data:`crmlib.concepts.CRM_TYPES`), a number, a convention. ``solve`` computes
  with crmlib (or reads the source passage the chapter quotes, :func:`quoted`) which of them is right.

Both return a :class:`Key`: the right letters and the numbers the question's texts may quote as
placeholders (``{B:n.2}``, ``{n_exact:n}``; the format specs of :mod:`crmlib.fmt`). A chapter's quiz may
also compute ``values`` that any teacher text of the chapter quotes (model answers, homework).

Example
-------
>>> from crmlib import clv
>>> q = Formula("1", lambda m, r, d: Fact(clv.clv(m, r, d, None, timing="end")), at={"m": 100, "r": 0.8, "d": 0.1})
>>> q.key({"A": "m·r/(1+d−r)", "B": "m/(1+d−r)", "C": "m/(1−r)"}).letters
('B',)
"""
from __future__ import annotations

import ast
import math
import numbers
import operator
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

__all__ = ["Fact", "Key", "Formula", "Meaning", "Quiz", "QuizError", "evaluate", "quoted"]


class QuizError(ValueError):
    """A question whose key cannot be computed, or whose texts disagree with its key."""


@dataclass(frozen=True)
class Fact:
    """What crmlib computes for a question.

    Parameters
    ----------
    answer : Any
        The right value: a number (:class:`Formula`, or a numeric :class:`Meaning`), one meaning, or
        a set of meanings (a question with several right options).
    values : mapping, optional
        Numbers the question's texts quote (placeholders of ``mcq.N.q`` / options / ``why``).
    """

    answer: Any
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Key:
    """The key of one question.

    Parameters
    ----------
    letters : tuple of str
        The right option(s), in order.
    values : mapping
        Placeholder values for the question's texts: the :class:`Fact`'s values, the example values,
        and each option's value under its letter (``A``, ``B`` …) when it has one.
    """

    letters: tuple[str, ...]
    values: Mapping[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------ formulas as printed
_SYMBOLS = {"·": "*", "×": "*", "⋅": "*", "−": "-", "–": "-", "÷": "/", "^": "**", "（": "(", "）": ")"}
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z])|(?P<op>\*\*|[-+*/()%]))")
_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.Pow: operator.pow}


def _python(text: str) -> str:
    """A printed formula as a Python expression: symbols translated, implicit products made explicit,
    thousands separators dropped, ``%`` as ``/100``."""
    s = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    for k, v in _SYMBOLS.items():
        s = s.replace(k, v)
    word = re.search(r"[A-Za-z]{2,}", s)
    if word:
        raise QuizError(f"cannot read {text!r} as a formula: {word.group(0)!r} is a word (names are single letters)")
    out, pos, prev = [], 0, ""
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m or m.end() == pos:
            if s[pos:].strip() == "":
                break
            raise QuizError(f"cannot read {text!r} as a formula (at {s[pos:]!r})")
        pos = m.end()
        tok = m.group("num") or m.group("name") or m.group("op")
        starts_operand = bool(m.group("num") or m.group("name")) or tok == "("
        if starts_operand and (prev in (")", "%") or (prev and (prev[0].isalnum()))):
            out.append("*")        # m(1+d), 2m, (a)(b), r d
        out.append("/100" if tok == "%" else tok)
        prev = tok
    return "".join(out)


def _eval(node: ast.AST, at: Mapping[str, float], text: str) -> float:
    if isinstance(node, ast.Expression):
        return _eval(node.body, at, text)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in at:
            raise QuizError(f"formula {text!r} uses {node.id!r}, which the question gives no value "
                            f"(it gives {sorted(at)})")
        return float(at[node.id])
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _eval(node.operand, at, text)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        return _BIN[type(node.op)](_eval(node.left, at, text), _eval(node.right, at, text))
    raise QuizError(f"formula {text!r} holds something other than numbers, letters and + − · / ^ ( ) %")


def evaluate(text: str, at: Mapping[str, float] | None = None) -> float:
    """The value of a formula or number as printed in an option, e.g. ``m(1+d)/(1+d−r)`` or ``68 %``.

    Parameters
    ----------
    text : str
        Numbers (``1,000``, ``0.04``, ``68 %``), one-letter names, ``+ - − · × / ÷ ^`` and brackets;
        a product may be implicit (``m(1+d)``, ``m r``).
    at : mapping, optional
        Values of the names.

    Returns
    -------
    float

    Raises
    ------
    QuizError
        Text that is not such a formula, or a name without a value.
    """
    if not isinstance(text, str) or not text.strip():
        raise QuizError(f"an option must be a formula or a number, got {text!r}")
    expr = _python(text.strip())
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        raise QuizError(f"cannot read {text!r} as a formula") from None
    try:
        return _eval(tree, dict(at or {}), text)
    except ZeroDivisionError:
        raise QuizError(f"formula {text!r} divides by zero at {dict(at or {})}") from None


def _same(a: float, b: float, rel: float) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def _plain(x: Any) -> str:
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return f"{float(x):.6g}"
    return repr(x)


# ------------------------------------------------------------------ the source passages
def quoted(excerpt_id: str, phrase: str) -> bool:
    """Whether the verbatim source passage ``excerpt_id`` (``datasets/sources/excerpts.csv``) says
    ``phrase``, compared as :func:`crmbook.sources.comparable` text with every blank removed (scanned
    sources break words with spaces).

    Parameters
    ----------
    excerpt_id : str
        E.g. ``"S5-customer-equity"``.
    phrase : str
        The words the passage must hold.

    Returns
    -------
    bool
        Always True.

    Raises
    ------
    QuizError
        An unknown excerpt, or a passage without the phrase.
    """
    from ..sources import comparable, excerpts

    ex = excerpts()
    rows = ex[ex["excerpt_id"] == excerpt_id]
    if rows.empty:
        raise QuizError(f"no source excerpt {excerpt_id!r} in datasets/sources/excerpts.csv")
    def bare(text: str) -> str:
        return re.sub(r"\s+", "", comparable(text))

    if bare(phrase) not in bare(str(rows["text"].iloc[0])):
        raise QuizError(f"source excerpt {excerpt_id!r} does not say {phrase!r}")
    return True


# ------------------------------------------------------------------ questions
def _letters(options: Mapping[str, str], number: str) -> list[str]:
    if not isinstance(options, Mapping) or not options:
        raise QuizError(f"question {number}: no options given")
    bad = [k for k in options if not (isinstance(k, str) and re.fullmatch(r"[A-Z]", k))]
    if bad:
        raise QuizError(f"question {number}: option letters must be A, B, …, got {bad[0]!r}")
    return sorted(options)


def _fact(solve: Callable[..., Any], number: str, **kw: Any) -> Fact:
    fact = solve(**kw)
    if not isinstance(fact, Fact):
        raise TypeError(f"question {number}: solve() must return a Fact, got {type(fact).__name__}")
    return fact


@dataclass(frozen=True)
class Formula:
    """A question whose options are formulas or numbers, as printed; the key is the option whose
    value equals the chapter's function.

    Parameters
    ----------
    number : str
        The question's number on the page (``"1"``: texts ``mcq.1.*``).
    solve : callable
        ``solve(**at) -> Fact``: the right value at the example, computed with crmlib.
    at : mapping
        The example: a value for every name the formulas use (``{"m": 100, "r": 0.8, "d": 0.1}``).
    multiple : bool
        Whether several options may be right.
    rel : float
        Relative tolerance of "equal".
    """

    number: str
    solve: Callable[..., Fact]
    at: Mapping[str, float] = field(default_factory=dict)
    multiple: bool = False
    rel: float = 1e-9

    def key(self, options: Mapping[str, str]) -> Key:
        """The key given the options as printed (one language).

        Parameters
        ----------
        options : mapping
            Letter -> option text.

        Returns
        -------
        Key

        Raises
        ------
        QuizError
            No option (or, for a single-answer question, more than one) equals the right value.
        """
        letters = _letters(options, self.number)
        fact = _fact(self.solve, self.number, **self.at)
        right = float(fact.answer)
        each = {k: evaluate(options[k], self.at) for k in letters}
        hits = tuple(k for k in letters if _same(each[k], right, self.rel))
        shown = ", ".join(f"{k} {options[k]} = {_plain(v)}" for k, v in each.items())
        at = ", ".join(f"{k} = {_plain(v)}" for k, v in self.at.items())
        if not hits:
            raise QuizError(f"question {self.number}: no option equals the chapter's value {_plain(right)}"
                            f"{' at ' + at if at else ''} ({shown})")
        if len(hits) > 1 and not self.multiple:
            raise QuizError(f"question {self.number}: options {', '.join(hits)} all equal {_plain(right)}; "
                            "a single-answer question needs one")
        return Key(hits, {**self.at, **each, "right": right, **fact.values})


@dataclass(frozen=True)
class Meaning:
    """A question whose options stand for things the code names; ``solve`` computes which are right.

    Parameters
    ----------
    number : str
        The question's number on the page.
    meanings : mapping
        Letter -> what the option says, as code (an id, a number, a tuple).
    solve : callable
        ``solve() -> Fact`` whose answer is the right meaning, or a set of them when ``multiple``.
    multiple : bool
        Whether several options may be right.
    nearest : float, optional
        For numeric meanings and a computed number: the key is the option nearest to it (on a log
        scale), and the number must lie within this relative distance of it (0.2: within 20 %).
    labels : str, optional
        A crmlib label key pattern with ``{}`` for the meaning (``"concepts.type.{}"``): every
        option whose meaning has such a label must print the label's leading term.
    """

    number: str
    meanings: Mapping[str, Any]
    solve: Callable[[], Fact]
    multiple: bool = False
    nearest: float | None = None
    labels: str | None = None

    def key(self, options: Mapping[str, str]) -> Key:
        """The key (the options' texts are checked, not used to find it).

        Parameters
        ----------
        options : mapping
            Letter -> option text (one language).

        Returns
        -------
        Key

        Raises
        ------
        QuizError
            The options are not the meanings' letters, no meaning (or more than one for a
            single-answer question) is right, or a computed number is not near any option.
        """
        letters = _letters(options, self.number)
        if set(letters) != set(self.meanings):
            raise QuizError(f"question {self.number}: the page has options {letters}, the code means "
                            f"{sorted(self.meanings)}")
        fact = _fact(self.solve, self.number)
        numeric = {k: v for k, v in self.meanings.items() if isinstance(v, numbers.Real) and not isinstance(v, bool)}
        if self.nearest is not None:
            right = float(fact.answer)
            if len(numeric) != len(self.meanings) or right <= 0 or min(numeric.values()) <= 0:
                raise QuizError(f"question {self.number}: 'nearest' needs positive numbers as meanings and answer")
            best = min(letters, key=lambda k: abs(math.log(numeric[k] / right)))
            if abs(numeric[best] - right) > self.nearest * abs(numeric[best]):
                raise QuizError(f"question {self.number}: the chapter's value {_plain(right)} is not within "
                                f"{self.nearest * 100:g} % of any option ({numeric})")
            hits: tuple[str, ...] = (best,)
        else:
            truth = fact.answer
            wanted = set(truth) if self.multiple and isinstance(truth, (set, frozenset, list, tuple)) else {truth}
            hits = tuple(k for k in letters if self.meanings[k] in wanted)
            missing = wanted - {self.meanings[k] for k in hits}
            if missing:
                raise QuizError(f"question {self.number}: the right answer {sorted(map(str, missing))} is not "
                                f"among the options {dict(self.meanings)}")
            if len(hits) > 1 and not self.multiple:
                raise QuizError(f"question {self.number}: options {', '.join(hits)} are all right; a "
                                "single-answer question needs one")
        self._check_labels(options)
        return Key(hits, {**{k: v for k, v in numeric.items()}, **fact.values})

    def _check_labels(self, options: Mapping[str, str]) -> None:
        if not self.labels:
            return
        from crmlib.i18n import labels

        table = labels()
        for k, meaning in self.meanings.items():
            key = self.labels.format(meaning)
            if key not in table:
                continue
            texts = {table[key]["en"], table[key]["zh"]}
            term = {re.split(r"[:：（(]", x, maxsplit=1)[0].strip().lower() for x in texts}
            if options[k].strip().lower() not in term and not any(options[k].strip().lower() in x.lower()
                                                                   for x in texts):
                raise QuizError(f"question {self.number}: option {k} prints {options[k]!r}, but it means "
                                f"{meaning!r}, whose label {key} is {sorted(texts)}")


Question = Formula | Meaning


class Quiz:
    """A chapter's multiple-choice questions, addressed by number.

    Parameters
    ----------
    prefix : str
        The chapter's prefix, ``"ch05"``.
    questions : list of Formula or Meaning
        In page order.
    values : callable, optional
        ``values() -> dict``: numbers any teacher text of the chapter may quote.
    """

    def __init__(self, prefix: str, questions: list, values: Callable[[], Mapping[str, Any]] | None = None) -> None:
        if not isinstance(prefix, str) or not re.fullmatch(r"ch\d\d", prefix):
            raise TypeError(f"prefix must be a chapter prefix such as 'ch05', got {prefix!r}")
        bad = [q for q in questions if not isinstance(q, (Formula, Meaning))]
        if bad:
            raise TypeError(f"questions must be Formula or Meaning objects, got {bad[0]!r}")
        self.prefix = prefix
        self._q = {q.number: q for q in questions}
        if len(self._q) != len(questions):
            raise ValueError(f"{prefix}: question numbers must be unique")
        self._values_fn = values
        self._values: dict[str, Any] | None = None
        self._keys: dict[tuple[str, tuple[tuple[str, str], ...]], Key] = {}

    def numbers(self) -> list[str]:
        """The question numbers in page order.

        Returns
        -------
        list of str
        """
        return list(self._q)

    def __contains__(self, number: object) -> bool:
        return number in self._q

    def key(self, number: str, options: Mapping[str, str]) -> Key:
        """The key of question ``number`` given its options as printed in one language.

        Parameters
        ----------
        number : str
            The question's number (``"1"``).
        options : mapping
            Letter -> option text.

        Returns
        -------
        Key
        """
        if not isinstance(options, Mapping):
            raise QuizError(f"{self.prefix} question {number}: options must be a mapping letter -> text, "
                            f"got {type(options).__name__}")
        if number not in self._q:
            raise KeyError(f"{self.prefix}: no question {number!r}; the quiz has {self.numbers()}")
        memo = (number, tuple(sorted(options.items())))
        if memo not in self._keys:
            self._keys[memo] = self._q[number].key(options)
        return self._keys[memo]

    def values(self) -> dict[str, Any]:
        """The chapter-wide values for teacher texts (computed once).

        Returns
        -------
        dict
        """
        if self._values is None:
            self._values = dict(self._values_fn()) if self._values_fn else {}
        return dict(self._values)
