"""crmsite.deck's text for slides: numbers for people, sentences, citations, parameters, glosses.
(The decks themselves are stepped through in a browser by tests/test_decks.py.)"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))

import crmbook  # noqa: E402,F401  (the book's label tables)
from crmsite import deck  # noqa: E402


@pytest.mark.parametrize("value, unit, lang, want", [
    (480000.0, "USD", "en", "US$480,000"), (480000.0, "USD", "zh", "48万美元"),
    (332000.0, "USD", "zh", "33.2万美元"), (177186861.0, "USD", "zh", "1.77亿美元"), (300.0, "USD", "zh", "300美元"),
    (68.0, "%", "en", "68 %"), (68.0, "%", "zh", "68%"), (20, "years", "en", "20 years"), (20, "years", "zh", "20年"),
    ([3.0, 4.0], "times", "en", "3–4 times"), ([30000000.0, 90000000.0], "USD", "en", "US$30,000,000–US$90,000,000"),
    (1999, "year", "en", "1999"), (1999, "year", "zh", "1999 年"), (True, None, "zh", "是"),
    (0.2425945, None, "en", "0.243"), (-9582.429, None, "en", "−9,582.4"), (1.5e-7, None, "en", "0.00000015"),
])
def test_values_read_as_people_write_them(value, unit, lang, want):
    got = deck.value_text(value, unit, lang)
    assert got == want
    assert "e-0" not in got and "e+0" not in got


def test_numbers_never_in_e_notation():
    for v in (1e-9, 2.5e-5, 1e12, 123456789.123, 0.1 + 0.2):
        text = deck.number_text(v)
        assert "e" not in text.lower(), text
    assert deck.number_text(11066.666666) == "11,067" and deck.number_text(1234.56) == "1,234.6"
    assert deck.number_text(12000) == "12,000" and deck.number_text(2000) == "2,000"
    with pytest.raises(TypeError, match="value must be a number"):
        deck.number_text("12")


@pytest.mark.parametrize("cell, want", [("24000.000000", "24,000"), ("1.234560e+05", "123,456"), ("nan", "—"),
                                        ("0.32451", "0.3245"), ("inf", "∞"), ("Customer died", "Customer died"),
                                        ("1997", "1997")])
def test_table_cells(cell, want):
    assert deck.cell_text(cell, "en") == want


def test_answers_and_parameters():
    assert deck.answer_text("11066.666666666666", "en") == "11,066.67"
    assert deck.answer_text("0.9207666256197546", "en") == "0.9208"
    assert deck.answer_text("no", "zh") == "否" and deck.answer_text("yes", "en") == "yes"
    assert deck.param_value_text(0.6, "en") == "60 %" and deck.param_value_text(0.6, "zh") == "60%"
    assert deck.param_value_text(2000, "en") == "2,000" and deck.param_value_text((5, 10), "zh") == "5、10"


def test_sentences_keep_math_code_and_emphasis_whole():
    text = "It costs $m\\,r^{t-1}$. See `a.b. c`. **One. Two.** Then e.g. this. 第一句。第二句！"
    assert deck.sentences(text) == ["It costs $m\\,r^{t-1}$.", "See `a.b. c`.", "**One. Two.**",
                                    "Then e.g. this.", "第一句。", "第二句！"]


def test_citations_read_author_year_and_are_not_repeated():
    if not (ROOT / "datasets" / "sources" / "references.bib").is_file():
        pytest.skip("no references.bib")
    en = deck.citations("As shown [@fader2005bgnbd].", "en")
    assert "fader2005bgnbd" not in en and "Fader, Hardie & Lee 2005" in en
    assert deck.citations("Fader, Hardie & Lee (2005) [@fader2005bgnbd] show", "en") == \
        "Fader, Hardie & Lee (2005) show"
    assert "与" in deck.citations("见[@fader2005bgnbd]。", "zh")
    assert deck.clean_markdown("the net profit (grep `现阶段净利润`): x", "en") == "the net profit: x"
    assert deck.clean_markdown("worth US$480,000", "en") == "worth US\\$480,000"


def test_parameters_show_their_values_and_code_goes_to_the_notes():
    inline = deck._Inline({"survey_n": 2000}, "en")
    runs, technical = inline.runs(deck._substitute_param_phrases("surveys `survey_n` of (the parameter `survey_n`)",
                                                                  {"survey_n": 2000}))
    assert deck.plain(runs) == "surveys 2,000 of (2,000)" and not technical
    assert inline.runs("The table ships as `datasets/x.csv`.")[1] is True
    assert deck._drop_code_asides("A test (`statsmodels`' `f`): simultaneous.", {}) == "A test: simultaneous."
    assert deck._after_code("With $m$, `crmlib.clv` uses this convention: the customer stays.", "en") == \
        "The customer stays."


def test_chinese_slides_leave_english_glosses_to_the_notes():
    runs = [deck.Run("规则：态度（"), deck.Run("L", "b"), deck.Run("oyalty）与顾客终身价值（CLV）")]
    assert deck.plain(deck._strip_glosses(runs)) == "规则：态度与顾客终身价值（CLV）"


def test_line_estimate_grows_with_text():
    short, long = "a few words", "word " * 120
    assert deck.est_lines(short) == 1 and deck.est_lines(long) >= 4
    assert deck.est_lines("客" * 80) == 3   # 38 characters a line at 30 px in 1180 px
