"""Self-check exercises and headless what-ifs."""
from __future__ import annotations

import ipywidgets as w
import pytest

from crmlib.exercises import ExerciseSet, Exercise, check_choice, check_number, ch02
from crmlib.widgets import what_if


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
def test_chapter_02_answers(number, right, wrong):
    assert ch02.check(number, right).ok is True
    assert ch02.check(number, wrong).ok is False
    assert "Exercise" in ch02.check(number, None)._repr_markdown_()


def test_exercise_set_rejects_duplicates_and_unknown():
    e = Exercise("1.1", "q", lambda a: check_number(a, 1))
    with pytest.raises(ValueError, match="unique"):
        ExerciseSet([e, e])
    with pytest.raises(KeyError, match="no exercise '9.9'"):
        ExerciseSet([e]).check("9.9", 1)


def test_what_if_headless_calls_once_with_defaults(monkeypatch):
    monkeypatch.setenv("CRMNB_HEADLESS", "1")
    calls = []
    out = what_if(lambda x, y: calls.append((x, y)) or x + y, x=w.IntSlider(value=3), y=w.FloatSlider(value=0.5))
    assert calls == [(3, 0.5)] and out == 3.5
    with pytest.raises(TypeError, match="control 'x'"):
        what_if(lambda x: x, x=5)
    with pytest.raises(ValueError, match="at least one control"):
        what_if(lambda: None)


def test_what_if_live_wires_the_controls(monkeypatch):
    monkeypatch.delenv("CRMNB_HEADLESS", raising=False)
    seen = []
    s = w.IntSlider(value=1)
    box = what_if(lambda x: seen.append(x), x=s)
    s.value = 7
    assert isinstance(box, w.VBox) and seen[-1] == 7
