"""Self-check exercises and headless what-ifs."""
from __future__ import annotations

import ipywidgets as w
import pytest

from crmbook.exercises import (MARKS, ChoiceExercise, ExerciseSet, NumberExercise, Solution,
                              YesNoExercise, ch02, verdict_for_choice, verdict_for_number)
from crmlib.i18n import t
from crmbook.widgets import WhatIf, what_if


def test_verdict_for_number_says_right_wrong_and_unanswered():
    assert verdict_for_number(87, 87.0, tol=0.5).ok is True
    fb = verdict_for_number(80, 87.0, tol=0.5, hint="add them")
    assert fb.ok is False and "too low" in fb.message and "add them" in fb.message
    assert verdict_for_number(None, 1.0).ok is None
    assert verdict_for_number("87", 87.0).ok is True                 # a number typed as text is a number
    nan = verdict_for_number("eighty-seven", 87.0)
    assert nan.ok is None and nan.form and "cannot be read" in nan.message
    assert verdict_for_number(1.04, 1.0, tol=0.05, relative=True).ok


def test_verdict_for_choice():
    ex = {"A": "no", "B": "yes"}
    assert verdict_for_choice("b", "B", ex).ok
    assert verdict_for_choice("A", "B", ex).ok is False
    z = verdict_for_choice("Z", "B", ex)
    assert z.ok is None and z.form and "A, B" in z.message


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
        assert [k["answer_text"] for k in key] == (["87%", "3", "340", "B", "no"] if lang == "en" else
                                                   ["87%", "3", "340", "B", "否"])


def test_right_choice_is_not_announced_twice():
    fb = ch02.EXERCISES.bind("en").check("2.4", "B")
    assert fb._repr_markdown_().count("Right") == 1 and not fb.message.startswith("B:")


def test_questions_render_as_markdown_in_both_languages():
    for lang in ("en", "zh"):
        md = ch02.EXERCISES.bind(lang).markdown()
        assert md.count("* **") == 5 and "{" not in md


def test_new_exercise_kinds_validate_answers():
    s = ExerciseSet("ch02", [NumberExercise("2.3", lambda: Solution(340.0, {"share": 68, "lost": 680, "kept": 340}))])
    assert s.check("2.3", "340").ok is True
    assert s.check("2.3", "three hundred").form and "number" in s.check("2.3", "three hundred").message
    assert s.check("2.3", float("inf")).ok is None and s.check("2.3", float("inf")).form
    y = ExerciseSet("ch02", [YesNoExercise("2.5", lambda: Solution("no", {"lo": 1, "hi": 2, "p": 0.2}, "consistent"))])
    assert y.check("2.5", "否").ok is True and y.check("2.5", "maybe").form
    c = ExerciseSet("ch02", [ChoiceExercise("2.4", lambda: Solution("B", {"customer": 4, "company": 87,
                                                                           "third_party": 9, "communication": 68}))])
    assert c.check("2.4", "b").ok is True and c.check("2.4", 2).form


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
    monkeypatch.delenv("CRMNB_WHATIF_CORNERS", raising=False)
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
    plt.close("all")   # figures other tests left open are not this what-if's
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


# ------------------------------------------------------------------------------ what-ifs that cannot break
def _live(monkeypatch):
    monkeypatch.delenv("CRMNB_HEADLESS", raising=False)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown.append(obj))
    return shown


def _readout(handle, name):
    """The typed-value box and the message line beside slider ``name`` in a live what-if."""
    grid = handle.box.children[0]
    cells = list(grid.children)
    i = cells.index(handle.controls[name])
    return cells[i + 1], cells[i + 2]


@pytest.mark.parametrize("typed, value, says", [
    ("0.10", 0.10, ""), ("10%", 0.10, ""), ("１０％", 0.10, ""), ("０.２", 0.20, ""), ("0.085", 0.09, "0.09"),
    ("10", 0.08, "looks like a percentage"), ("abc", 0.08, "is not a number"), ("0.5", 0.08, "outside"),
])
def test_typed_values_are_read_or_visibly_refused(monkeypatch, typed, value, says):
    _live(monkeypatch)
    d = w.FloatSlider(value=0.08, min=0, max=0.3, step=0.01, description="Discount rate")
    h = what_if(lambda discount: discount, discount=d)
    box, msg = _readout(h, "discount")
    box.value = typed
    assert d.value == pytest.approx(value) and box.value == f"{value:g}"
    assert (says in msg.value) if says else msg.value == ""


def test_typed_whole_numbers_and_chinese_messages(monkeypatch):
    _live(monkeypatch)
    m = w.IntSlider(value=5000, min=0, max=30000, step=250, description="年利润")
    h = what_if(lambda margin: margin, lang="zh", margin=m)
    box, msg = _readout(h, "margin")
    box.value = "５０００"
    assert m.value == 5000 and msg.value == ""
    box.value = "8000元"
    assert m.value == 8000
    box.value = "99999"
    assert m.value == 8000 and "超出了范围" in msg.value and "0 到 30000" in msg.value
    box.value = "12.5"
    assert m.value == 8000 and "整数" in msg.value


def test_an_invalid_combination_is_one_sentence_above_the_last_chart(monkeypatch):
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython.display import Image

    from crmbook.widgets import Invalid

    matplotlib.use("Agg")
    _live(monkeypatch)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown.append(obj))

    def value(r, d):
        if r >= 1 and d == 0:
            raise Invalid("保留率为 1、折现率为 0 时，无限期的价值没有上限。")
        return r + d

    def draw(v):
        _, ax = plt.subplots()
        ax.plot([0, 1], [v, v])
        return ax

    r, d = w.FloatSlider(value=0.5, min=0, max=1, step=0.01), w.FloatSlider(value=0.1, min=0, max=0.3, step=0.01)
    h = what_if(value, plot=draw, lang="zh", r=r, d=d)
    r.value = 1.0
    charts = [o for o in shown if isinstance(o, Image)]
    d.value = 0.0
    assert h.result is None and h.message.startswith("保留率为 1")
    texts = [o["text/markdown"] for o in shown if isinstance(o, dict)]
    assert any("保留率为 1" in x for x in texts) and any("上一组有效数值" in x for x in texts)
    assert [o for o in shown if isinstance(o, Image)][-1].data == charts[-1].data    # the last chart, unchanged
    d.value = 0.05
    assert h.result == pytest.approx(1.05) and h.message == ""


def test_an_unexpected_error_is_a_sentence_not_a_traceback(monkeypatch, capsys):
    shown = _live(monkeypatch)
    x = w.IntSlider(value=1, min=0, max=2)
    h = what_if(lambda x: 1 / x, lang="zh", x=x)
    x.value = 0
    texts = [o["text/markdown"] for o in shown if isinstance(o, dict)]
    assert h.result is None and "无法一起计算" in texts[-1] and "Traceback" not in "".join(texts)


def test_the_corners_of_every_control_are_tried_when_asked(monkeypatch):
    from crmbook.widgets import Invalid

    monkeypatch.setenv("CRMNB_HEADLESS", "1")
    monkeypatch.setenv("CRMNB_WHATIF_CORNERS", "en")
    seen = []

    def f(r, d, flag):
        seen.append((r, d, flag))
        if r == 1 and d == 0:
            raise Invalid("refused with a sentence: fine")
        return r

    what_if(f, r=w.FloatSlider(value=0.5, min=0, max=1), d=w.FloatSlider(value=0.1, min=0, max=0.3),
            flag=w.Checkbox(value=False))
    assert len(seen) == 1 + 8
    with pytest.raises(AssertionError, match="fails at 2 corner"):
        what_if(lambda r, flag: 1 / r, r=w.FloatSlider(value=0.5, min=0, max=1), flag=w.Checkbox(value=False))
    monkeypatch.setenv("CRMNB_WHATIF_CORNERS", "zh")          # another edition's runs only
    what_if(lambda r: 1 / r, r=w.FloatSlider(value=0.5, min=0, max=1))


def test_slider_never_clamps_and_lays_out_wide_enough(monkeypatch):
    from crmbook.widgets import slider

    s = slider(85, 0, 1, 0.01, "Retention")
    assert isinstance(s, w.FloatSlider) and s.value == 85 and s.max == 85
    assert isinstance(slider(20, 1, 40, 1), w.IntSlider)
    with pytest.raises(ValueError, match="low < high"):
        slider(1, 2, 2, 1)
    _live(monkeypatch)
    long = "A rather long English description of what this slider changes (%)"
    h = what_if(lambda a, b: a, a=slider(5, 0, 10, 1, long), b=slider(1, 0, 2, 1, "b"))
    grid = h.box.children[0]
    assert isinstance(grid, w.GridBox) and "minmax(14em" in grid.layout.grid_template_columns
    assert h.controls["a"].description == "" and not h.controls["a"].readout      # the label is its own cell
    assert grid.children[0].value.startswith("A rather long")


def test_chapter_sliders_take_the_parameters_declared_range(tmp_path):
    from crmbook import Chapter

    ch = Chapter("05_customer_lifetime_value", lang="zh", build_dir=tmp_path, display=False)
    r = ch.slider("retention", 0.85, 0.01)
    assert (r.min, r.max, r.value, r.description) == (0.0, 0.99, 0.85, "保留率")
    m = ch.slider("margin", 2000.0, 250.0)           # (0, 30000]: an open end starts one step inside
    assert (m.min, m.max) == (250.0, 30000.0)
    h = ch.slider("horizon", 20, 1)
    assert isinstance(h, w.IntSlider) and (h.min, h.max) == (1, 40)
    assert ch.slider("retention", 1.0, 0.01).max == 1.0                      # widened, never clamped
    with pytest.raises(ValueError, match="no finite range"):
        ch.slider("acquisition_ratios_x", 1, 1)
    e = ch.invalid("whatif", horizon=5, value=1.0, infinite=2.0)
    assert "5 年" in str(e)
