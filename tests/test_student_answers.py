"""What students type -> the verdict and the message, in both editions (issue 28).

Every example of the issue is in :data:`TABLE`: full-width digits and letters from a Chinese input
method, numbers typed as text with %, ％ or a unit, thousands separators (and the tuple Python makes
of ``80,000`` typed in code), a fraction where a percentage is asked and the reverse, the stated
precision, and yes/no in the words students use. The checker's own right answers are computed
(``crmbook.exercises.chNN``), so each row states only what the student typed and what must be said.
"""
from __future__ import annotations

import importlib

import pytest

from crmbook.exercises import NumberExercise, YesNoExercise
from crmbook.typed import format_number, normalize, read_letter, read_number, read_yes_no
from crmlib.i18n import t

RIGHT, WRONG, FORM = True, False, "form"

#: (exercise, typed, verdict, words the English message must hold, words the Chinese message must hold)
TABLE = [
    # fractions and percentages
    ("2.1", 0.87, FORM, ["0.87 looks like a fraction", "percentage, e.g. 87"], ["你填的 0.87 像是小数；本题请填百分数，如 87"]),
    ("3.1", 0.25, FORM, ["0.25 looks like a fraction", "e.g. 25"], ["你填的 0.25 像是小数", "如 25"]),
    ("3.5", 0.509, FORM, ["0.509 looks like a fraction", "e.g. 50.9"], ["像是小数", "如 50.9"]),
    ("5.3", 92, FORM, ["92 looks like a percentage", "between 0 and 1, e.g. 0.92"],
     ["你填的 92 像是百分数", "0 到 1 之间的小数，如 0.92"]),
    ("5.3", "92%", RIGHT, [], []),
    ("6.3", 0.1307, FORM, ["looks like a fraction", "e.g. 13.07"], ["像是小数", "如 13.07"]),
    # input-method characters
    ("2.4", "Ｂ", RIGHT, ["Company factors"], ["企业因素"]),
    ("2.4", "“B”", RIGHT, [], []),
    ("2.4", "b", RIGHT, [], []),
    ("2.4", "B。", RIGHT, [], []),
    ("2.4", "选B", RIGHT, [], []),
    ("2.4", "A", WRONG, ["A: Customer factors"], ["A: 客户因素"]),
    ("2.4", "Ｅ", FORM, ["one of A, B, C, D"], ["请从 A、B、C、D 中选一个"]),
    ("2.5", "ｎｏ", RIGHT, [], []),
    # numbers as text
    ("2.1", "87", RIGHT, ["= 87 %"], ["= 87%"]),
    ("2.1", "87%", RIGHT, [], []),
    ("2.1", "87％", RIGHT, [], []),
    ("2.1", "８７", RIGHT, [], []),
    ("2.1", 87, RIGHT, [], []),
    ("2.1", "87\u3000", RIGHT, [], []),
    ("2.1", 80, WRONG, ["80 is too low", "Hint: Add the three"], ["80 偏低了", "提示：把表 1-1"]),
    ("2.3", "340位", RIGHT, [], []),
    ("2.3", (340,), RIGHT, ["read as 340"], ["按 340 理解"]),
    ("3.2", "105家", RIGHT, [], []),
    ("5.1", "11067美元", RIGHT, [], []),
    ("5.1", (11, 67), RIGHT, ["read as 11067", "type 11067 without commas"], ["按 11067 理解"]),
    ("5.6", "8万", RIGHT, [], []),
    ("5.6", (80, 0), RIGHT, ["80,000", "read as 80000"], ["80,000", "按 80000 理解"]),
    ("5.6", "80,000", RIGHT, [], []),
    ("6.1", "360万美元", RIGHT, [], []),
    ("6.1", "US$ 3,600,000", RIGHT, [], []),
    ("6.5", "750万", RIGHT, [], []),
    ("6.5", 7_500_000, RIGHT, [], []),
    ("6.5", "US$7,500,000", RIGHT, [], []),
    ("2.3", "340%", FORM, ["without the % sign"], ["请去掉 % 号"]),
    ("2.1", "eighty-seven", FORM, ["cannot be read"], ["读不成一个数"]),
    # the stated precision decides the tolerance
    ("3.5", 51, RIGHT, [], []),                 # "in %, to a whole number": 50.9 rounds to 51
    ("3.5", 50.9, RIGHT, [], []),
    ("3.5", 50, WRONG, ["too low"], ["偏低"]),
    ("5.1", 11000, RIGHT, [], []),              # "to the nearest 1,000"
    ("5.1", 11067, RIGHT, [], []),
    ("5.1", 12000, WRONG, ["too high"], ["偏高"]),
    ("2.3", 340.4, FORM, ["not a whole number"], ["不是整数"]),
    ("5.3", 0.92, RIGHT, [], []),
    ("5.3", 0.9, WRONG, ["too low"], ["偏低"]),
    # yes / no in the words students use (2.5: the survey does not contradict the printed 68 %)
    ("2.5", "否", RIGHT, [], []), ("2.5", "不", RIGHT, [], []), ("2.5", "不是", RIGHT, [], []),
    ("2.5", "没有", RIGHT, [], []), ("2.5", "不矛盾", RIGHT, [], []), ("2.5", "错", RIGHT, [], []),
    ("2.5", "no", RIGHT, [], []), ("2.5", "n", RIGHT, [], []), ("2.5", "false", RIGHT, [], []),
    ("2.5", False, RIGHT, [], []), ("2.5", "No.", RIGHT, [], []), ("2.5", "does not contradict", RIGHT, [], []),
    ("2.5", "是", WRONG, [], []), ("2.5", "对", WRONG, [], []), ("2.5", "矛盾", WRONG, [], []),
    ("2.5", "yes", WRONG, [], []), ("2.5", "y", WRONG, [], []), ("2.5", "true", WRONG, [], []),
    ("2.5", "maybe", FORM, ["Answer yes or no"], ["请回答“是”或“否”"]),
]


def _exercises(number: str, lang: str):
    mod = importlib.import_module(f"crmbook.exercises.ch{int(number.split('.')[0]):02d}")
    return mod.EXERCISES.bind(lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("number, typed, verdict, en_words, zh_words", TABLE,
                         ids=[f"{n}-{typed!r}" for n, typed, *_ in TABLE])
def test_what_students_type(number, typed, verdict, en_words, zh_words, lang):
    fb = _exercises(number, lang).check(number, typed)
    if verdict == FORM:
        assert fb.ok is None and fb.form, f"{typed!r}: {fb}"
        assert fb.verdict == t("core.check_form", lang) and "too" not in fb.message and "偏" not in fb.message
    else:
        assert fb.ok is verdict and not fb.form, f"{typed!r}: {fb}"
    for w in (en_words if lang == "en" else zh_words):
        assert w in fb.message, f"{typed!r} [{lang}]: {w!r} not in {fb.message!r}"
    if lang == "zh":
        assert "'yes'" not in str(fb) and "'no'" not in str(fb)


def test_normalize_plain_characters():
    assert normalize("８７％") == "87%"
    assert normalize("“B”") == '"B"' and normalize("「B」") == '"B"' and normalize("‘B’") == "'B'"
    assert normalize("87\u3000") == "87" and normalize("340，") == "340," and normalize("0。87") == "0.87"
    assert normalize("Ｂ\u200b") == "B"
    with pytest.raises(TypeError, match="text must be a string"):
        normalize(87)


@pytest.mark.parametrize("typed, value, percent", [
    ("８７", 87, False), ("87%", 87, True), ("87 ％", 87, True), ("百分之87", 87, True), ("340位", 340, False),
    ("105家", 105, False), ("11067美元", 11067, False), ("US$ 11,067", 11067, False), ("$11,067", 11067, False),
    ("8万", 80_000, False), ("1.2亿", 120_000_000, False), ("7.5百万", 7_500_000, False), ("11k", 11_000, False),
    ("80,000", 80_000, False), ("80_000", 80_000, False), ("11 067", 11_067, False), ("约 340 位", 340, False),
    ("340左右", 340, False), ("0。87", 0.87, False), (".5", 0.5, False), ("-3", -3, False), ("2.5倍", 2.5, False),
    ((80, 0), 80_000, False), ((340,), 340, False), ((3, 600, 0), 3_600_000, False), (87, 87, False),
])
def test_numbers_as_students_write_them(typed, value, percent):
    n = read_number(typed)
    assert n is not None and n.value == pytest.approx(value) and n.percent is percent


@pytest.mark.parametrize("typed", ["abc", "1,5", "87 apples", "", True, None, float("nan"), (80, 1000), ("8",),
                                   [80, 0], "8 7"])
def test_what_is_not_a_number(typed):
    assert read_number(typed) is None


def test_letters_and_yes_no():
    for typed in ("Ｂ", "“B”", "b", "B。", "选B", "(B)", "答案：B", "「B」"):
        assert read_letter(typed) == "B", typed
    assert read_letter("AB") is None and read_letter(2) is None and read_letter("E", "ABCD") is None
    words = ("contradict", "矛盾")
    assert [read_yes_no(x, words) for x in ("是", "对", "有", "矛盾", "contradict", "yes", "Y", "TRUE", True)] == ["yes"] * 9
    assert [read_yes_no(x, words) for x in ("否", "不", "不是", "没有", "错", "不矛盾", "not contradict", "no", "N",
                                            "False", False)] == ["no"] * 11
    assert read_yes_no("矛盾") is None and read_yes_no("maybe") is None and read_yes_no(1) is None


def test_format_number_has_no_scientific_notation():
    assert format_number(3_600_000.0) == "3,600,000" and format_number(3_600_000.0, lang="zh") == "3600000"
    assert format_number(0.000123) == "0.000123" and format_number(87.0) == "87" and format_number(-0.0) == "0"
    assert format_number(11066.666, 0) == "11,067"


def _all_exercises():
    import crmbook.exercises as pkg
    from pathlib import Path

    for f in sorted(Path(pkg.__file__).parent.glob("ch[0-9][0-9].py")):
        mod = importlib.import_module(f"crmbook.exercises.{f.stem}")
        for e in mod.EXERCISES:
            yield mod.EXERCISES, e


#: What a question's text says for each stated precision and form, per language.
PRECISION = {("en", 0): "whole number", ("zh", 0): "整数", ("en", 1): "one decimal", ("zh", 1): "一位小数",
             ("en", 2): "two decimals", ("zh", 2): "两位小数", ("en", 1000): "nearest 1,000", ("zh", 1000): "精确到千位"}
FORM_WORDS = {("en", "percent"): "in %", ("zh", "percent"): "百分数", ("en", "fraction"): "between 0 and 1",
              ("zh", "fraction"): "0 到 1 之间", ("en", "usd"): "in USD", ("zh", "usd"): "美元"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_numeric_question_states_its_form_and_precision(lang):
    numeric = 0
    for exs, e in _all_exercises():
        q = exs.question(e.number, lang).replace("\\$", "$")     # Markdown shows \\$ as a dollar sign
        if isinstance(e, NumberExercise):
            numeric += 1
            assert e.stated, f"exercise {e.number} states no precision (unit='count', decimals= or nearest=)"
            key = int(e.nearest) if e.nearest is not None else (0 if e.unit == "count" else e.decimals)
            assert PRECISION[(lang, key)] in q, f"{e.number} [{lang}]: {PRECISION[(lang, key)]!r} not in {q!r}"
            if (lang, e.unit) in FORM_WORDS:
                assert FORM_WORDS[(lang, e.unit)] in q, f"{e.number} [{lang}]: {q!r}"
        if isinstance(e, YesNoExercise) and lang == "zh":
            assert "“是”或“否”" in q and "yes" not in q
    assert numeric >= 20


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_exercise_output_pairs_dollar_signs(lang):
    """JupyterLab typesets the text between two dollar signs of one Markdown output as maths, escaped or
    not (jupyterlab/jupyterlab#8645): the list of questions and every explanation hold one ``$`` at most,
    so amounts in exercise texts are written USD 900,000 (the Chinese 90万美元)."""
    assert "US\\$900,000 or US\\$3,600,000".count("$") == 2, "the check counts escaped dollar signs too"
    bad = []
    for exs in {id(exs): exs for exs, _ in _all_exercises()}.values():
        bound = exs.bind(lang)
        texts = {"questions": bound.markdown(), **{s["number"]: s["explanation"] for s in bound.solutions()}}
        bad += [f"{exs.prefix} {where}: {text!r}" for where, text in texts.items() if text.count("$") > 1]
    assert not bad, "dollar signs that pair up as maths:\n" + "\n".join(bad)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_exercise_accepts_its_own_answer_as_a_student_would_type_it(lang):
    """The computed answer, typed as text, with full-width digits, and (percentages) with a % sign."""
    for exs, e in _all_exercises():
        if not isinstance(e, NumberExercise):
            continue
        sol = e._solution().answer
        d = 0 if e.unit == "count" or e.nearest else e.decimals
        v = round(float(sol) / e.nearest) * e.nearest if e.nearest else float(sol)
        shown = format_number(v, d, lang="zh")
        wide = shown.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789."})
        for typed in (shown, wide) + ((shown + "%", shown + "％") if e.unit == "percent" else ()):
            fb = exs.bind(lang).check(e.number, typed)
            assert fb.ok is True, f"{e.number} [{lang}] {typed!r}: {fb}"
