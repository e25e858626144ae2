"""The teacher's page of every chapter and edition (``<lang>/teacher/NN_slug``).

Its texts are the chapter's teacher table ``site/teacher/chNN.csv`` (columns ``key,minutes,en,zh``),
one row per text, both languages on the row:

==========================  =========================================================================
key                         text
==========================  =========================================================================
``goal.N``                  a learning goal
``key.N``                   a key and a difficult point (重点与难点) of the chapter
``plan45.N``, ``plan90.N``  one step of the 45- / 90-minute lesson; ``minutes`` says how long; a step
                            names the chapter's sections it covers as ``§5.3``
``plan45.omit``             what the 45-minute lesson leaves out (the sections by number), no minutes
``disc.N``, ``disc.S4.N``   a discussion question (``S4.N``: question N of source S4's own
                            “问题与讨论”)
``disc.<id>.answer``        its model answer, 3–5 key points written ``(1) … (2) …``
``disc.<id>.cite``          the source excerpt(s) the model answer rests on (``S4-seven-steps``)
``mcq.N.q``, ``mcq.N.A`` …  a multiple-choice question and its options
``mcq.N.why``               why the key is right (and what the wrong options belong to)
``mcq.N.answer``            the key, only for a chapter without a quiz module (see below)
``homework``                the chapter's homework
``rubric.N``                one line of its grading rubric, ``30 %: …`` / ``30%：…`` (weights sum to 100)
==========================  =========================================================================

The **keys** of the multiple-choice questions are not typed: the chapter's quiz module
``crmbook.quiz.chNN`` computes each from the chapter's own functions (:mod:`crmbook.quiz`). A
``mcq.N.answer`` row is accepted for a chapter that has no quiz module yet (the page says the keys are
unchecked), and checked against the computed key where there is one. Texts may quote numbers the quiz
computes as placeholders with the specs of :mod:`crmlib.fmt` (``{B:n.2}``, ``{budget:usd}``).

The exercise answers come from the checkers themselves (:meth:`crmbook.exercises.BoundExercises.solutions`),
so the key can never disagree with the checker; their numbers are written for people
(:mod:`crmlib.fmt`: thousands separators, never scientific notation) and a yes/no answer in the
page's language (是 / 否).
"""
from __future__ import annotations

import csv
import html
import importlib
import math
import numbers
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from crmlib.fmt import LabelFormatter, number
from crmlib.i18n import check_lang, t

from .collect import ChapterPage, ui

__all__ = ["TEACHER_DIR", "teacher_texts", "exercise_answers", "answer_text", "model_points", "sections",
           "teacher_markdown", "quiz_of"]

TEACHER_DIR = Path(__file__).resolve().parents[1] / "teacher"
#: What a teacher-table key may start with.
KINDS = ("goal", "key", "plan45", "plan90", "disc", "mcq", "homework", "rubric")
_SECTION = re.compile(r"§\s*(\d+\.\d+)")
_WEIGHT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*[:：]")


def _check_nn(nn: Any) -> str:
    if not isinstance(nn, str) or not re.fullmatch(r"\d\d", nn):
        raise ValueError(f"nn must be a two-digit chapter number such as '05', got {nn!r}")
    return nn


def _check_text(text: Any, name: str = "text") -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string, got {type(text).__name__}")
    return text


def sections(text: str) -> set[str]:
    """The chapter sections a plan text names (``§5.3`` → ``"5.3"``).

    Parameters
    ----------
    text : str

    Returns
    -------
    set of str
    """
    return set(_SECTION.findall(_check_text(text)))


def model_points(text: str) -> list[str]:
    """The key points of a model answer written ``(1) … (2) …`` (or ``（1）…（2）…``), in order.

    Markers are taken in sequence — ``(1)``, then the first ``(2)`` after it, and so on — so a number
    in brackets inside a point does not start a new one; text before ``(1)`` is kept as a first point.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of str
        One point per marker; the whole text as one point when it has no markers.
    """
    _check_text(text)
    marks, pos = [], 0
    while True:   # (1), then the first (2) after it, …: a "(3)" inside a point's text is not a marker
        m = re.compile(rf"[(（]{len(marks) + 1}[)）]").search(text, pos)
        if m is None:
            break
        marks.append(m)
        pos = m.end()
    if not marks:
        return [text.strip()] if text.strip() else []
    lead = text[:marks[0].start()].strip()
    points = [text[m.end():(marks[i + 1].start() if i + 1 < len(marks) else len(text))].strip()
              for i, m in enumerate(marks)]
    return ([lead] if lead else []) + points


def quiz_of(nn: str) -> Any:
    """The chapter's quiz (``crmbook.quiz.chNN.QUIZ``), or None when the chapter has none.

    Parameters
    ----------
    nn : str
        Two-digit chapter number.

    Returns
    -------
    crmbook.quiz.Quiz or None
    """
    _check_nn(nn)
    try:
        mod = importlib.import_module(f"crmbook.quiz.ch{nn}")
    except ModuleNotFoundError as exc:
        if exc.name == f"crmbook.quiz.ch{nn}":
            return None
        raise
    return getattr(mod, "QUIZ", None)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"key", "minutes", "en", "zh"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path.name}: missing column(s) {sorted(missing)}; the columns are key,minutes,en,zh")
        rows = list(reader)
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=2):
        key = (row["key"] or "").strip()
        if key in seen:
            raise ValueError(f"{path.name} line {i}: key {key!r} already on line {seen[key]}")
        seen[key] = i
    return rows


def _fill(text: str, values: dict[str, Any], lang: str, where: str) -> str:
    if "{" not in text:
        return text
    try:
        return LabelFormatter(lang).format(text, **values)
    except KeyError as exc:
        raise ValueError(f"{where}: placeholder {exc} has no value; the quiz computes {sorted(values)}") from None
    except (ValueError, IndexError) as exc:
        raise ValueError(f"{where}: cannot fill {text!r}: {exc}") from None


def _minutes(row: dict[str, str], where: str) -> int:
    raw = (row.get("minutes") or "").strip()
    if not re.fullmatch(r"\d+", raw):
        raise ValueError(f"{where}: minutes must be a whole number, got {raw!r}")
    return int(raw)


def teacher_texts(nn: str, lang: str) -> dict[str, Any]:
    """The teacher content of chapter ``nn`` in ``lang`` (see the module docstring for the table).

    Parameters
    ----------
    nn : str
        Two-digit chapter number.
    lang : {"en", "zh"}

    Returns
    -------
    dict
        ``goals`` (list), ``key_points`` (list), ``plan45`` and ``plan90`` (lists of ``(minutes, text)``),
        ``plan45_omit`` (str or None), ``discussion`` (list of dicts ``id, text, note, answer, points,
        cite``), ``mcq`` (list of dicts ``number, q, options, answer, why, computed``), ``homework``
        (str or None), ``rubric`` (list of ``(weight or None, text)``) and ``quiz`` (the quiz module's
        name or None). Empty when the chapter has no table.

    Raises
    ------
    ValueError
        A row without text in ``lang``, an unknown key, minutes that are not a whole number, a
        placeholder without a value, or a key that disagrees with the computed one.
    """
    check_lang(lang)
    _check_nn(nn)
    path = TEACHER_DIR / f"ch{nn}.csv"
    out: dict[str, Any] = {"goals": [], "key_points": [], "plan45": [], "plan45_omit": None, "plan90": [],
                           "discussion": [], "mcq": [], "homework": None, "rubric": [], "quiz": None}
    if not path.is_file():
        return out
    quiz = quiz_of(nn)
    out["quiz"] = f"crmbook.quiz.ch{nn}" if quiz is not None else None
    chapter_values = quiz.values() if quiz is not None else {}
    rows = _rows(path)
    raw: dict[str, str] = {}
    for row in rows:
        key = row["key"].strip()
        text = (row.get(lang) or "").strip()
        if not text:
            raise ValueError(f"{path.name}: key {key!r} has no {lang!r} text")
        if key.split(".")[0] not in KINDS:
            raise ValueError(f"{path.name}: unknown key {key!r}; keys start with one of {KINDS}")
        raw[key] = text

    def fill(key: str, extra: dict[str, Any] | None = None) -> str:
        return _fill(raw[key], {**chapter_values, **(extra or {})}, lang, f"{path.name} [{key}]")

    disc: dict[str, dict[str, Any]] = {}
    mcq: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = row["key"].strip()
        kind, _, rest = key.partition(".")
        where = f"{path.name} [{key}]"
        if kind == "goal":
            out["goals"].append(fill(key))
        elif kind == "key":
            out["key_points"].append(fill(key))
        elif kind in ("plan45", "plan90"):
            if kind == "plan45" and rest == "omit":
                out["plan45_omit"] = fill(key)
            else:
                out[kind].append((_minutes(row, where), fill(key)))
        elif kind == "disc":
            for part in ("answer", "cite"):
                if rest.endswith("." + part):
                    qid = rest[:-len(part) - 1]
                    if qid not in disc:
                        raise ValueError(f"{where}: {part} of disc.{qid}, which comes later or not at all")
                    disc[qid][part] = raw[key].split() if part == "cite" else fill(key)
                    break
            else:
                src, _, n = rest.rpartition(".")
                note = ui("discussion_source", lang, source=src, n=n) if src else ""
                disc[rest] = {"id": rest, "text": fill(key), "note": note, "answer": None, "cite": []}
        elif kind == "mcq":
            n, _, part = rest.partition(".")
            mcq.setdefault(n, {"number": n, "parts": {}})["parts"][part] = key
        elif kind == "homework":
            out["homework"] = fill(key)
        elif kind == "rubric":
            text = fill(key)
            m = _WEIGHT.match(text)
            out["rubric"].append((float(m.group(1)) if m else None, text))
    for d in disc.values():
        d["points"] = model_points(d["answer"]) if d["answer"] else []
    out["discussion"] = list(disc.values())
    out["mcq"] = [_question(nn, lang, q, raw, quiz, chapter_values, path.name) for q in mcq.values()]
    return out


def _question(nn: str, lang: str, q: dict[str, Any], raw: dict[str, str], quiz: Any, chapter_values: dict[str, Any],
              file: str) -> dict[str, Any]:
    n, parts = q["number"], q["parts"]
    letters = sorted(p for p in parts if re.fullmatch(r"[A-Z]", p))
    unknown = sorted(set(parts) - set(letters) - {"q", "why", "answer"})
    if unknown:
        raise ValueError(f"{file}: unknown key mcq.{n}.{unknown[0]}; a question has q, A, B, …, why (and answer)")
    for need in ("q", "why"):
        if need not in parts:
            raise ValueError(f"{file}: question mcq.{n} has no mcq.{n}.{need}")
    if len(letters) < 2:
        raise ValueError(f"{file}: question mcq.{n} needs at least two options")
    options = {k: raw[parts[k]] for k in letters}
    typed = tuple(x.strip() for x in re.split(r"[,，、\s]+", raw[parts["answer"]]) if x.strip()) \
        if "answer" in parts else None
    if quiz is not None and n in quiz:
        key = quiz.key(n, options)
        if typed is not None and tuple(typed) != key.letters:
            raise ValueError(f"{file}: mcq.{n}.answer says {', '.join(typed)}, but crmbook.quiz.ch{nn} computes "
                             f"{', '.join(key.letters)}")
        answer, values, computed = key.letters, dict(key.values), True
    elif typed is not None:
        answer, values, computed = typed, {}, False
    else:
        raise ValueError(f"{file}: question mcq.{n} has no key: add it to crmbook/quiz/ch{nn}.py")
    bad = [a for a in answer if a not in options]
    if bad:
        raise ValueError(f"{file}: the key of mcq.{n} is {bad[0]!r}, which is not one of its options {letters}")
    allv = {**chapter_values, **values}

    def fill(part: str) -> str:
        return _fill(raw[parts[part]], allv, lang, f"{file} [mcq.{n}.{part}]") if computed else raw[parts[part]]

    return {"number": n, "q": fill("q"), "options": {k: fill(k) for k in letters}, "answer": answer,
            "why": fill("why"), "computed": computed}


# ------------------------------------------------------------------ exercise answers
@lru_cache(maxsize=None)
def _exercise_set(nn: str) -> Any:
    try:
        mod = importlib.import_module(f"crmbook.exercises.ch{nn}")
    except ImportError:
        return None
    ex = getattr(mod, "EXERCISES", None)
    return ex if ex is not None and hasattr(ex, "bind") else None


def _decimals(exercise: Any, value: float) -> int | None:
    """Decimals to show for a numeric answer: the exercise's stated precision, else what its tolerance allows."""
    d = getattr(exercise, "decimals", None)
    if isinstance(d, int) and not isinstance(d, bool):
        return d
    if getattr(exercise, "nearest", None) is not None or getattr(exercise, "unit", None) == "count":
        return 0
    tol = getattr(exercise, "tol", None)
    if isinstance(tol, numbers.Real) and not getattr(exercise, "relative", False):
        if tol <= 0:
            return 0 if float(value).is_integer() else None
        return max(0, math.ceil(-math.log10(2 * float(tol))))
    return None


def answer_text(answer: Any, lang: str, exercise: Any = None) -> str:
    """An exercise's right answer as the teacher's page shows it in ``lang``.

    Numbers with thousands separators and never in scientific notation (:func:`crmlib.fmt.number`),
    to the precision the exercise asks for (else what its tolerance allows, trailing zeros dropped);
    ``"yes"`` / ``"no"`` in
    the page's language (是 / 否); option letters as they are.

    Parameters
    ----------
    answer : Any
        The computed answer.
    lang : {"en", "zh"}
    exercise : optional
        The exercise object (for its precision).

    Returns
    -------
    str
    """
    check_lang(lang)
    if isinstance(answer, bool):
        return t("core.yes" if answer else "core.no", lang)
    if isinstance(answer, str) and answer.strip().lower() in ("yes", "no"):
        return t(f"core.{answer.strip().lower()}", lang)
    if isinstance(answer, numbers.Real):
        v = float(answer)
        stated = isinstance(getattr(exercise, "decimals", None), int)
        d = _decimals(exercise, v)
        if d is None:
            d = 0 if v.is_integer() else max(0, 3 - math.floor(math.log10(abs(v))))
        shown = number(v, lang, d)
        if not stated and "." in shown:   # a precision the tolerance allows, not one the question asks for
            shown = shown.rstrip("0").rstrip(".")
        if getattr(exercise, "unit", None) == "percent":
            shown += " %" if lang == "en" else "%"
        return shown
    return str(answer)


@lru_cache(maxsize=None)
def exercise_answers(nn: str, lang: str) -> list[dict[str, Any]] | None:
    """The answer key of chapter ``nn``'s exercises, from the checkers themselves.

    Parameters
    ----------
    nn : str
    lang : {"en", "zh"}

    Returns
    -------
    list of dict or None
        ``{number, question, answer, answer_text, explanation, feedback}`` per exercise, where
        ``feedback`` is the checker's verdict on the right answer and ``answer_text`` the answer as
        the page shows it (:func:`answer_text`, unless the exercise set writes it itself); None when
        the exercise set does not expose its answers (no ``bind(lang).solutions()``).
    """
    check_lang(lang)
    exercises = _exercise_set(_check_nn(nn))
    if exercises is None:
        return None
    try:
        answers = exercises.bind(lang).solutions()
    except (TypeError, AttributeError, NotImplementedError):
        return None
    by_number = {e.number: e for e in exercises}
    out = []
    for a in answers:
        a = dict(a)
        if not a.get("answer_text"):
            a["answer_text"] = answer_text(a["answer"], lang, by_number.get(a["number"]))
        elif a["answer_text"].strip().lower() in ("yes", "no"):
            a["answer_text"] = answer_text(a["answer_text"], lang)
        out.append(a)
    return out


# ------------------------------------------------------------------ the page
def _where(where: str, lang: str) -> str:
    """An excerpt's place in its source (``slide 12 (Figure 2-1)``) in the page's language."""
    if lang != "zh":
        return where
    where = re.sub(r"\bslides? (\d+)", r"第 \1 张幻灯片", where)
    return re.sub(r"\bFigure (\S+?)\)", r"图 \1）", where).replace(" (", "（")


def _cite(ids: list[str], lang: str) -> str:
    """``Source: S4 《title》: slide 40 (excerpt …); slide 39 (excerpt …)`` for the excerpts ``ids``,
    grouped by source, in their order."""
    from crmbook.sources import excerpts, sources

    ex = excerpts().set_index("excerpt_id")
    src = sources().set_index("source_id")
    by_source: dict[str, list[str]] = {}
    for eid in ids:
        if eid not in ex.index:
            raise ValueError(f"model answer cites excerpt {eid!r}, which is not in datasets/sources/excerpts.csv")
        row = ex.loc[eid]
        by_source.setdefault(str(row["source_id"]), []).append(
            ui("discussion_where", lang, where=_where(str(row["where"]), lang), id=eid))
    parts = []
    for sid, places in by_source.items():
        title = str(src.loc[sid, "title"]) if sid in src.index and "title" in src.columns else ""
        sep = "；" if lang == "zh" else "; "
        parts.append(ui("discussion_cite", lang, source=sid, title=title, where=sep.join(places)))
    return " ".join(parts)


def teacher_markdown(page: ChapterPage, nb: dict[str, Any], *, up: str, chapter_url: str, slides: str,
                     pack: str) -> str:
    """The teacher's page of one chapter and edition (MyST Markdown).

    Sections: learning goals; key and difficult points; the 45-minute lesson and what it leaves out;
    the 90-minute lesson; discussion questions, each with its model answer; multiple-choice
    questions with their computed keys; the homework and its rubric; the exercise answers.

    Parameters
    ----------
    page : ChapterPage
    nb : dict
        The executed notebook (unused today; kept for content drawn from it).
    up : str
        Relative URL from the page to the site root.
    chapter_url, slides, pack : str
        Links to the chapter page, its deck and its figure pack.

    Returns
    -------
    str
    """
    lang = page.lang
    colon = "：" if lang == "zh" else ":"
    tx = teacher_texts(page.nn, lang)
    lines = [f"# {ui('teacher_title', lang, title=page.title)}", "", ui("teacher_intro", lang), "",
             f'<p class="crm-kit-links"><a href="{chapter_url}">{html.escape(page.title)}</a> · '
             f'<a class="crm-kit-slides" href="{slides}">{ui("kit_slides", lang)}</a> · '
             f'<a class="crm-kit-pack" href="{pack}" download>{ui("kit_pack", lang)}</a></p>', ""]
    if tx["goals"]:
        lines += [f"## {ui('goals', lang)}", ""] + [f"* {g}" for g in tx["goals"]] + [""]
    if tx["key_points"]:
        lines += [f"## {ui('key_points', lang)}", ""] + [f"* {k}" for k in tx["key_points"]] + [""]
    for key in ("plan45", "plan90"):
        if tx[key]:
            lines += [f"## {ui(key, lang)}", ""]
            lines += [f"{i}. **{ui('minutes', lang, n=m)}** — {text}" for i, (m, text) in enumerate(tx[key], 1)]
            lines.append("")
            if key == "plan45" and tx["plan45_omit"]:
                lines += [f"**{ui('plan45_omit', lang)}{colon}** {tx['plan45_omit']}", ""]
    if tx["discussion"]:
        lines += [f"## {ui('discussion', lang)}", ""]
        for i, d in enumerate(tx["discussion"], 1):
            note = (f"*（{d['note']}）*" if lang == "zh" else f" *({d['note']})*") if d["note"] else ""
            lines.append(f"{i}. {d['text']}{note}")
            if d["points"]:
                lines += ["", f"   *{ui('model_answer', lang)}*{colon}", ""]
                lines += [f"   * {p}" for p in d["points"]]
            if d["cite"]:
                lines += ["", f"   <small>{html.escape(_cite(d['cite'], lang))}</small>"]
            lines.append("")
    if tx["mcq"]:
        lines += [f"## {ui('mcq', lang)}", ""]
        for i, q in enumerate(tx["mcq"], 1):
            opts = "\\\n".join(f"   {k}. {v}" for k, v in q["options"].items())   # one option a line
            lines += [f"{i}. {q['q']}", "", opts, ""]
        lines += [f"### {ui('mcq_answers', lang)}", ""]
        note = "mcq_computed" if all(q["computed"] for q in tx["mcq"]) else "mcq_unchecked"
        lines += [ui(note, lang, module=tx["quiz"] or f"crmbook.quiz.ch{page.nn}"), ""]
        sep = "、" if lang == "zh" else ", "
        lines += [f"{i}. **{sep.join(q['answer'])}** — {q['why']}" for i, q in enumerate(tx["mcq"], 1)] + [""]
    if tx["homework"]:
        lines += [f"## {ui('homework', lang)}", "", tx["homework"], ""]
        if tx["rubric"]:
            lines += [f"**{ui('rubric', lang)}**", ""] + [f"* {text}" for _, text in tx["rubric"]] + [""]
    lines += [f"## {ui('exercise_answers', lang)}", ""]
    answers = exercise_answers(page.nn, lang)
    if answers is None:
        lines += [ui("no_answers", lang), ""]
    else:
        for a in answers:
            label = str(a.get("feedback").exercise if getattr(a.get("feedback"), "exercise", "") else a["number"])
            lines += [f"### {label}", "", a["question"], "", f"**{ui('answer', lang)}{colon}** {a['answer_text']}", ""]
            if a.get("explanation"):
                lines += [f"**{ui('why', lang)}{colon}** {a['explanation']}", ""]
    return "\n".join(lines) + "\n"
