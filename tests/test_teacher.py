"""The teacher pages (``site/crmsite/teacher.py``, ``site/teacher/chNN.csv``) and their quiz keys
(``crmbook/quiz``).

Every chapter with a teacher table, in both languages: every multiple-choice key is computed by the
chapter's quiz module (and the old, wrong key of chapter 5 is refused); every discussion question has a
model answer of 3–5 points; the 90-minute plan covers every numbered section of the chapter's
notebook and the 45-minute plan names what it leaves out; key and difficult points; a homework whose
rubric weights add up to 100. The rendered page has every section, no scientific notation, no raw
key or placeholder, and 是/否 for a yes/no answer in the Chinese edition.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))

from crmbook import quiz as Q  # noqa: E402
from crmsite import teacher  # noqa: E402
from crmsite.collect import ChapterPage, ui  # noqa: E402

TABLES = sorted(p.stem[2:] for p in (ROOT / "site" / "teacher").glob("ch[0-9][0-9].csv"))
LANGS = ("en", "zh")
SCI = re.compile(r"\d(?:\.\d+)?[eE][+-]?\d")
RAW_KEY = re.compile(r"\b(?:goal|key|plan45|plan90|disc|mcq|rubric)\.(?:\d|S\d|omit|[A-Z]\b|q\b|why\b)")
PLACEHOLDER = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z_0-9]*(?::[^{}]*)?\}(?!\})")

#: Chapter 5's multiple-choice question 1 as the teacher table had it before this check existed.
OLD_CH05_MCQ1 = """key,minutes,en,zh
mcq.1.q,,"With margin m, retention r and discount rate d, the infinite-horizon CLV (paid at the end of each year) is ( ).",设每年利润为 m、保留率为 r、折现率为 d，年末收款的无限期客户终身价值为（ ）。
mcq.1.A,,m·r/(1+d−r),m·r/(1+d−r)
mcq.1.B,,m/(1−r),m/(1−r)
mcq.1.C,,m·(1+d),m·(1+d)
mcq.1.D,,m·r·d,m·r·d
mcq.1.answer,,A,A
mcq.1.why,,The geometric series of m·r^t/(1+d)^t sums to m·r/(1+d−r).,几何级数 m·r^t/(1+d)^t 求和得 m·r/(1+d−r)。
"""


def _notebook(nn: str) -> Path | None:
    found = sorted((ROOT / "notebooks").glob(f"{nn}_*.ipynb"))
    return found[0] if found else None


def _sections(nn: str) -> list[str]:
    """The numbered ``## N.M`` sections of chapter ``nn``'s English notebook."""
    nb = json.loads(_notebook(nn).read_text(encoding="utf-8"))
    heads = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            heads += re.findall(r"^##\s+(\d+\.\d+)\b", src, re.M)
    return heads


def _page(nn: str, lang: str) -> str:
    nb = _notebook(nn)
    page = ChapterPage(nb.stem if nb else f"{nn}_x", lang, Path("x.ipynb"), {}, f"Chapter {nn}")
    return teacher.teacher_markdown(page, {}, up="../../", chapter_url="x.html", slides="s.html", pack="p.zip")


def test_there_are_teacher_tables():
    assert {"01", "02", "03", "04", "05", "06"} <= set(TABLES)


# ------------------------------------------------------------------ the keys
@pytest.mark.parametrize("nn", TABLES)
def test_every_multiple_choice_key_is_computed_and_the_same_in_both_languages(nn):
    keys = {}
    for lang in LANGS:
        tx = teacher.teacher_texts(nn, lang)
        assert len(tx["mcq"]) >= 3, f"ch{nn} [{lang}]: at least three multiple-choice questions"
        unchecked = [q["number"] for q in tx["mcq"] if not q["computed"]]
        assert not unchecked, (f"ch{nn}: the keys of mcq {unchecked} are typed, not computed; move them into "
                               f"crmbook/quiz/ch{nn}.py (a Formula or Meaning question) and delete mcq.N.answer")
        for q in tx["mcq"]:
            assert q["answer"] and set(q["answer"]) <= set(q["options"]), (nn, lang, q)
        keys[lang] = [q["answer"] for q in tx["mcq"]]
    assert keys["en"] == keys["zh"], f"ch{nn}: the options mean different things in the two languages"


def test_the_old_chapter_5_key_is_refused(tmp_path, monkeypatch):
    """Negative control: the table as it was (key m·r/(1+d−r) for year-end CLV) fails the check."""
    (tmp_path / "ch05.csv").write_text(OLD_CH05_MCQ1, encoding="utf-8")
    monkeypatch.setattr(teacher, "TEACHER_DIR", tmp_path)
    with pytest.raises(Q.QuizError, match=r"no option equals the chapter's value 333\.333 at m = 100, r = 0\.8, d = 0\.1"):
        teacher.teacher_texts("05", "en")
    # the right formula among the options, but the old typed key: refused too
    fixed = OLD_CH05_MCQ1.replace("mcq.1.B,,m/(1−r),m/(1−r)", "mcq.1.B,,m/(1+d−r),m/(1+d−r)")
    (tmp_path / "ch05.csv").write_text(fixed, encoding="utf-8")
    with pytest.raises(ValueError, match=r"mcq\.1\.answer says A, but crmbook\.quiz\.ch05 computes B"):
        teacher.teacher_texts("05", "zh")
    # and without the typed key the page gets the computed one
    (tmp_path / "ch05.csv").write_text("\n".join(l for l in fixed.splitlines() if not l.startswith("mcq.1.answer")),
                                       encoding="utf-8")
    assert teacher.teacher_texts("05", "en")["mcq"][0]["answer"] == ("B",)


def test_chapter_5_question_1_is_the_chapters_convention():
    from crmlib import clv

    tx = teacher.teacher_texts("05", "en")
    q = tx["mcq"][0]
    (letter,) = q["answer"]
    assert q["options"][letter] == "m/(1+d−r)"
    m, r, d = 100.0, 0.8, 0.1
    assert Q.evaluate(q["options"][letter], {"m": m, "r": r, "d": d}) == pytest.approx(clv.clv(m, r, d, None))
    # the distractors are the other conventions, named in the explanation with their values
    for text in ("m·r/(1+d−r)", "m(1+d)/(1+d−r)"):
        assert text in q["options"].values()
    assert "US$333.33" in q["why"] and "timing=\"start\"" in q["why"] and "US$366.67" in q["why"]


def test_chapter_6_question_1_names_the_four_visible_items():
    for lang, words in (("en", ("software", "services", "hardware", "training")), ("zh", ("软件", "服务", "硬件", "培训"))):
        q = teacher.teacher_texts("06", lang)["mcq"][0]
        assert all(w in q["q"] for w in words), q["q"]


@pytest.mark.parametrize("text, at, value", [
    ("m/(1+d−r)", {"m": 100, "r": 0.8, "d": 0.1}, 100 / 0.3),
    ("m·r/(1+d−r)", {"m": 100, "r": 0.8, "d": 0.1}, 80 / 0.3),
    ("m(1+d)/(1+d−r)", {"m": 100, "r": 0.8, "d": 0.1}, 110 / 0.3),
    ("2m r", {"m": 3, "r": 0.5}, 3.0),
    ("68 %", None, 0.68),
    ("1,000", None, 1000.0),
    ("1/4.5", None, 1 / 4.5),
    ("(1+d)^2", {"d": 0.1}, 1.21),
])
def test_formulas_evaluate_as_printed(text, at, value):
    assert Q.evaluate(text, at) == pytest.approx(value)


@pytest.mark.parametrize("text, match", [
    ("m/(1+x)", "uses 'x'"), ("about 300", "cannot read"), ("", "formula or a number"), ("1/(1−1)", "divides by zero"),
    ("__import__('os')", "cannot read"),
])
def test_bad_formulas_are_refused_with_one_clear_error(text, match):
    with pytest.raises(Q.QuizError, match=match):
        Q.evaluate(text, {"m": 1.0})


def test_questions_refuse_keys_they_cannot_compute():
    one = Q.Formula("9", lambda: Q.Fact(2.0))
    with pytest.raises(Q.QuizError, match="no option equals"):
        one.key({"A": "1", "B": "3"})
    with pytest.raises(Q.QuizError, match="A, B all equal"):
        one.key({"A": "2", "B": "4/2"})
    m = Q.Meaning("9", {"A": "x", "B": "y"}, lambda: Q.Fact("z"))
    with pytest.raises(Q.QuizError, match="not among the options"):
        m.key({"A": "x", "B": "y"})
    with pytest.raises(Q.QuizError, match="the page has options"):
        m.key({"A": "x", "B": "y", "C": "w"})
    near = Q.Meaning("9", {"A": 100, "B": 300}, lambda: Q.Fact(500.0), nearest=0.2)
    with pytest.raises(Q.QuizError, match="not within 20 %"):
        near.key({"A": "100", "B": "300"})
    with pytest.raises(Q.QuizError, match="does not say"):
        Q.quoted("S5-customer-equity", "品牌资产总和")
    with pytest.raises(Q.QuizError, match="no source excerpt"):
        Q.quoted("S9-nothing", "x")
    labelled = Q.Meaning("9", {"A": "operational", "B": "analytical"}, lambda: Q.Fact("analytical"),
                         labels="concepts.type.{}")
    with pytest.raises(Q.QuizError, match="option A prints 'analytical', but it means 'operational'"):
        labelled.key({"A": "analytical", "B": "operational"})


# ------------------------------------------------------------------ the content
@pytest.mark.parametrize("nn", TABLES)
def test_every_discussion_question_has_a_model_answer(nn):
    counts = {}
    for lang in LANGS:
        tx = teacher.teacher_texts(nn, lang)
        assert len(tx["discussion"]) >= 3, f"ch{nn} [{lang}]: at least three discussion questions"
        for d in tx["discussion"]:
            assert 3 <= len(d["points"]) <= 5, f"ch{nn} [{lang}] disc.{d['id']}: {len(d['points'])} key points"
            assert all(len(p) >= (20 if lang == "en" else 10) for p in d["points"]), (nn, lang, d["id"])
        counts[lang] = [len(d["points"]) for d in tx["discussion"]]
    assert counts["en"] == counts["zh"], f"ch{nn}: the two languages' model answers differ in their points"


def test_source_questions_are_answered_from_their_passages():
    """A question of S4's own 问题与讨论 cites the excerpts its model answer rests on; S4's question 3
    (no text in the source) and 6 (no passage) are asked nowhere."""
    from crmbook.sources import excerpts

    ids = set(excerpts()["excerpt_id"])
    asked = set()
    for nn in TABLES:
        for d in teacher.teacher_texts(nn, "en")["discussion"]:
            if d["note"]:
                asked.add(d["id"])
                assert d["cite"] and set(d["cite"]) <= ids, (nn, d["id"], d["cite"])
    assert not asked & {"S4.3", "S4.6"}


@pytest.mark.parametrize("nn", TABLES)
def test_plans_cover_the_chapter(nn):
    if _notebook(nn) is None:
        pytest.skip(f"chapter {nn} has no notebook in this tree")
    chapter = _sections(nn)
    assert chapter, f"chapter {nn}: no numbered ## sections found"
    for lang in LANGS:
        tx = teacher.teacher_texts(nn, lang)
        assert sum(m for m, _ in tx["plan45"]) == 45 and sum(m for m, _ in tx["plan90"]) == 90, (nn, lang)
        in90 = set().union(*(teacher.sections(t) for _, t in tx["plan90"]))
        missing = [s for s in chapter if s not in in90]
        assert not missing, f"ch{nn} [{lang}]: the 90-minute plan never reaches §{', §'.join(missing)}"
        assert tx["plan45_omit"], f"ch{nn} [{lang}]: the 45-minute plan does not say what it leaves out (plan45.omit)"
        in45 = set().union(*(teacher.sections(t) for _, t in tx["plan45"]))
        named = in45 | teacher.sections(tx["plan45_omit"])
        missing = [s for s in chapter if s not in named]
        assert not missing, f"ch{nn} [{lang}]: §{', §'.join(missing)} neither taught in 45 minutes nor named as left out"
        assert set(in90) <= set(chapter) and set(named) <= set(chapter), (nn, lang, "a section the chapter does not have")


@pytest.mark.parametrize("nn", TABLES)
def test_key_points_homework_and_rubric(nn):
    weights = {}
    for lang in LANGS:
        tx = teacher.teacher_texts(nn, lang)
        assert len(tx["key_points"]) >= 3 and len(tx["goals"]) >= 3, (nn, lang)
        if lang == "zh":
            text = " ".join(tx["key_points"])
            assert "重点" in text and "难点" in text
        assert tx["homework"] and len(tx["rubric"]) >= 3, (nn, lang)
        w = [x for x, _ in tx["rubric"]]
        assert None not in w and sum(w) == pytest.approx(100), f"ch{nn} [{lang}]: rubric weights {w}"
        weights[lang] = w
    assert weights["en"] == weights["zh"]


def test_bad_tables_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(teacher, "TEACHER_DIR", tmp_path)
    cases = [("goal.1,,A goal,\n", "key 'goal.1' has no 'zh' text"),
             ("goals.1,,x,甲\n", "unknown key 'goals.1'"),
             ("plan45.1,ten,x,甲\n", "minutes must be a whole number"),
             ("goal.1,,x,甲\ngoal.1,,y,乙\n", "already on line 2"),
             ("disc.1.answer,,(1) a,（1）甲\n", "answer of disc.1, which comes later or not at all"),
             ("mcq.1.q,,q,问\nmcq.1.A,,a,甲\nmcq.1.B,,b,乙\nmcq.1.why,,w,因\n", "has no key"),
             ("mcq.1.q,,q,问\nmcq.1.A,,a,甲\nmcq.1.B,,b,乙\nmcq.1.answer,,C,C\nmcq.1.why,,w,因\n", "not one of its options")]
    for body, match in cases:
        (tmp_path / "ch99.csv").write_text("key,minutes,en,zh\n" + body, encoding="utf-8")
        with pytest.raises(ValueError, match=match):
            teacher.teacher_texts("99", "zh")


def test_a_table_in_the_earlier_format_still_renders(tmp_path, monkeypatch):
    """Tables written before the quiz modules (typed keys, no model answers): still a page, the keys
    marked unchecked — the test above is what asks for the migration."""
    monkeypatch.setattr(teacher, "TEACHER_DIR", tmp_path)
    (tmp_path / "ch99.csv").write_text(
        "key,minutes,en,zh\ngoal.1,,Learn it.,学会。\nplan45.1,45,All of §9.1.,§9.1 全部。\n"
        "disc.1,,Why?,为什么？\nmcq.1.q,,Pick ( ).,选（ ）。\nmcq.1.A,,a,甲\nmcq.1.B,,b,乙\nmcq.1.answer,,B,B\n"
        "mcq.1.why,,Because.,因为。\n", encoding="utf-8")
    tx = teacher.teacher_texts("99", "en")
    assert tx["mcq"][0]["answer"] == ("B",) and not tx["mcq"][0]["computed"] and tx["quiz"] is None
    md = teacher.teacher_markdown(ChapterPage("99_x", "zh", Path("x"), {}, "第 99 章"), {}, up="", chapter_url="x",
                                  slides="s", pack="p")
    assert ui("mcq_unchecked", "zh", module="crmbook.quiz.ch99") in md and "**B** — 因为。" in md


# ------------------------------------------------------------------ the page
@pytest.mark.parametrize("nn", TABLES)
@pytest.mark.parametrize("lang", LANGS)
def test_the_page_has_every_section_and_reads_for_people(nn, lang):
    md = _page(nn, lang)
    for key in ("goals", "key_points", "plan45", "plan90", "discussion", "model_answer", "mcq", "mcq_answers",
                "homework", "rubric", "exercise_answers", "plan45_omit"):
        assert ui(key, lang) in md, f"ch{nn} [{lang}]: no {key!r} section"
    assert ui("mcq_computed", lang, module=f"crmbook.quiz.ch{nn}") in md
    assert not SCI.search(md), f"ch{nn} [{lang}]: scientific notation {SCI.search(md).group(0)!r}"
    assert not RAW_KEY.search(md), f"ch{nn} [{lang}]: raw key {RAW_KEY.search(md).group(0)!r}"
    assert not PLACEHOLDER.search(md), f"ch{nn} [{lang}]: unfilled {PLACEHOLDER.search(md).group(0)!r}"
    assert "`'yes'`" not in md and "`'no'`" not in md


def test_the_chinese_page_answers_yes_no_questions_in_chinese():
    zh, en = _page("02", "zh"), _page("02", "en")
    assert re.search(r"\*\*答案：\*\* [是否]\n", zh) and not re.search(r"\*\*答案：\*\* (?:yes|no)\b", zh)
    assert re.search(r"\*\*Answer:\*\* (?:yes|no)\n", en)
    assert "请回答“是”或“否”" in zh


@pytest.mark.parametrize("answer, lang, ex, shown", [
    (11066.666666666666, "en", {"tol": 1.0}, "11,067"),
    (3_600_000.0, "zh", {"tol": 0.5}, "3,600,000"),
    (80_000.0, "en", {"tol": 0.5}, "80,000"),
    (0.9208, "en", {"tol": 0.005}, "0.92"),
    (7.5, "en", {"tol": 0.01}, "7.5"),
    (7.5, "en", {"decimals": 2}, "7.50"),
    (87.0, "zh", {"tol": 0.01}, "87"),
    (87.0, "zh", {"unit": "percent", "decimals": 0}, "87%"),
    (87.0, "en", {"unit": "percent", "decimals": 0}, "87 %"),
    (105, "en", {"tol": 0}, "105"),
    (333.3333, "en", None, "333.3"),
    ("no", "zh", None, "否"), ("yes", "zh", None, "是"), ("yes", "en", None, "yes"), (True, "zh", None, "是"),
    ("B", "zh", None, "B"),
])
def test_answers_are_written_for_people(answer, lang, ex, shown):
    class Ex:
        tol, relative, unit, decimals, nearest = 1e-6, False, None, None, None

    e = None
    if ex is not None:
        e = Ex()
        for k, v in ex.items():
            setattr(e, k, v)
    assert teacher.answer_text(answer, lang, e) == shown


@pytest.mark.parametrize("nn", TABLES)
def test_exercise_answers_agree_with_their_checkers_and_have_no_scientific_notation(nn):
    for lang in LANGS:
        answers = teacher.exercise_answers(nn, lang)
        if answers is None:
            continue
        for a in answers:
            assert a["feedback"].ok is True, (nn, lang, a["number"])
            for field in ("answer_text", "explanation"):
                assert not SCI.search(str(a.get(field) or "")), (nn, lang, a["number"], a.get(field))


def test_public_functions_reject_bad_input_with_one_clear_error():
    with pytest.raises(ValueError, match="nn must be a two-digit chapter number"):
        teacher.teacher_texts("5", "en")
    with pytest.raises(ValueError, match="nn must be a two-digit chapter number"):
        teacher.exercise_answers(5, "en")
    with pytest.raises(ValueError, match="lang"):
        teacher.teacher_texts("05", "fr")
    with pytest.raises(TypeError, match="text must be a string, got int"):
        teacher.sections(3)
    with pytest.raises(Q.QuizError, match="options must be a mapping"):
        Q.Quiz("ch99", [Q.Formula("1", lambda: Q.Fact(1.0))]).key("1", ["1"])
    with pytest.raises(TypeError, match="prefix must be a chapter prefix"):
        Q.Quiz("chapter 5", [])
    # markers are taken in order: a "(3)" before "(2)" is text, text before "(1)" a lead-in point
    assert teacher.model_points("Lead. (1) first (3) not a marker (2) second") == \
        ["Lead.", "first (3) not a marker", "second"]
    assert teacher.model_points("（1）甲（2）乙") == ["甲", "乙"] and teacher.model_points("plain") == ["plain"]
