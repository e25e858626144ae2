"""Self-check exercises and headless what-ifs."""
from __future__ import annotations

import ipywidgets as w
import pytest

from crmbook.exercises import (MARKS, ChoiceExercise, ExerciseSet, NumberExercise, Solution,
                              YesNoExercise, ch02, check_choice, check_number)
from crmlib.i18n import t
from crmbook.widgets import WhatIf, what_if


def test_check_number_says_right_wrong_and_unanswered():
    assert check_number(87, 87.0, tol=0.5).ok is True
    fb = check_number(80, 87.0, tol=0.5, hint="add them")
    assert fb.ok is False and "too low" in fb.message and "add them" in fb.message
    assert check_number(None, 1.0).ok is None
    assert check_number("87", 87.0).ok is False
    assert check_number(1.04, 1.0, tol=0.05, relative=True).ok


def test_check_choice():
    ex = {"A": "no", "B": "yes"}
    assert check_choice("b", "B", ex).ok
    assert check_choice("A", "B", ex).ok is False
    assert check_choice("Z", "B", ex).ok is False


@pytest.mark.parametrize("number, right, wrong", [
    ("2.1", 87, 80), ("2.2", 3, 2), ("2.3", 340, 680), ("2.4", "B", "A"), ("2.5", "no", "yes"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chapter_02_answers(number, right, wrong, lang):
    ex = ch02.EXERCISES.bind(lang)
    good, bad, none = ex.check(number, right), ex.check(number, wrong), ex.check(number, None)
    assert good.ok is True and bad.ok is False and none.ok is None
    assert t("core.exercise_label", lang, number=number) in none._repr_markdown_()
    assert f"{MARKS[True]} {t('core.right', lang)}" in good._repr_markdown_()
    assert f"{MARKS[False]} {t('core.wrong', lang)}" in bad._repr_markdown_()
    for fb in (good, bad, none):
        assert "{" not in fb.message and fb.message[:1] == fb.message[:1].upper()   # filled, a sentence
        assert not any(ord(c) > 0x1F000 for c in fb._repr_markdown_())           # no emoji
    if lang == "zh":
        assert any("\u4e00" <= c <= "\u9fff" for c in good.message + none.message)


def test_answer_key_agrees_with_the_checker():
    for lang in ("en", "zh"):
        key = ch02.EXERCISES.bind(lang).solutions()
        assert [k["number"] for k in key] == ["2.1", "2.2", "2.3", "2.4", "2.5"]
        assert all(k["feedback"].ok is True and k["explanation"] for k in key)
        assert [k["answer"] for k in key] == [87.0, 3, 340.0, "B", "no"]


def test_right_choice_is_not_announced_twice():
    fb = ch02.EXERCISES.bind("en").check("2.4", "B")
    assert fb._repr_markdown_().count("Right") == 1 and not fb.message.startswith("B:")


def test_questions_render_as_markdown_in_both_languages():
    for lang in ("en", "zh"):
        md = ch02.EXERCISES.bind(lang).markdown()
        assert md.count("* **") == 5 and "{" not in md


def test_new_exercise_kinds_validate_answers():
    s = ExerciseSet("ch02", [NumberExercise("2.3", lambda: Solution(340.0, {"share": 68, "lost": 680, "kept": 340}))])
    assert s.check("2.3", "340").ok is False and "number" in s.check("2.3", "340").message
    assert s.check("2.3", float("inf")).ok is False
    y = ExerciseSet("ch02", [YesNoExercise("2.5", lambda: Solution("no", {"lo": 1, "hi": 2, "p": 0.2}, "consistent"))])
    assert y.check("2.5", "否").ok is True and y.check("2.5", "maybe").ok is False
    c = ExerciseSet("ch02", [ChoiceExercise("2.4", lambda: Solution("B", {"customer": 4, "company": 87,
                                                                           "third_party": 9, "communication": 68}))])
    assert c.check("2.4", "b").ok is True and c.check("2.4", 2).ok is False


def test_exercise_set_rejects_duplicates_and_unknown():
    e = NumberExercise("2.1", lambda: Solution(1.0))
    with pytest.raises(ValueError, match="unique"):
        ExerciseSet("ch02", [e, e])
    with pytest.raises(KeyError, match="no exercise '9.9'"):
        ExerciseSet("ch02", [e]).check("9.9", 1)
    with pytest.raises(TypeError, match="prefix must be"):
        ExerciseSet([e], [e])
    with pytest.raises(TypeError, match="NumberExercise, ChoiceExercise or YesNoExercise"):
        ExerciseSet("ch02", [lambda a: a])


def test_what_if_headless_calls_once_with_defaults(monkeypatch):
    monkeypatch.setenv("CRMNB_HEADLESS", "1")
    calls = []
    out = what_if(lambda x, y: calls.append((x, y)) or x + y, x=w.IntSlider(value=3), y=w.FloatSlider(value=0.5))
    assert calls == [(3, 0.5)] and isinstance(out, WhatIf) and out.result == 3.5
    with pytest.raises(TypeError, match="control 'x'"):
        what_if(lambda x: x, x=5)
    with pytest.raises(ValueError, match="at least one control"):
        what_if(lambda: None)


def test_what_if_live_wires_the_controls(monkeypatch):
    monkeypatch.delenv("CRMNB_HEADLESS", raising=False)
    seen = []
    s = w.IntSlider(value=1)
    h = what_if(lambda x: seen.append(x), x=s)
    s.value = 7
    assert isinstance(h.box, w.VBox) and seen[-1] == 7


def test_what_if_is_displayed_once_even_as_the_last_expression(monkeypatch):
    """The duplicate-widget bug: a what-if that is a cell's last expression must not be shown again."""
    from IPython.core.formatters import DisplayFormatter

    monkeypatch.delenv("CRMNB_HEADLESS", raising=False)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown.append(obj))
    h = what_if(lambda x: x, x=w.IntSlider(value=1))
    assert shown == [h.box]                                     # displayed once, by what_if itself
    data, _ = DisplayFormatter().format(h)                      # what a cell result would add
    assert set(data) <= {"text/plain"} and h._ipython_display_() is None


def test_what_if_live_shows_the_plot_as_a_png_whatever_the_backend(monkeypatch):
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython.display import Image

    matplotlib.use("Agg")
    monkeypatch.delenv("CRMNB_HEADLESS", raising=False)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown.append(obj))

    def draw(r):
        _, ax = plt.subplots()
        ax.plot([0, 1], [r, r])
        return ax

    s = w.IntSlider(value=1)
    what_if(lambda x: x, plot=draw, x=s)
    s.value = 3
    pngs = [o for o in shown if isinstance(o, Image)]
    assert pngs and pngs[-1].data[:8] == b"\x89PNG\r\n\x1a\n"
    assert plt.get_fignums() == []            # the figure is closed, not left for the backend
