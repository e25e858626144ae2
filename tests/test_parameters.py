"""Parameters checked first (issue 28): declared once, in the parameters cell, checked by the notebook's
second cell and by the command line with the same sentence, in the chapter's language."""
from __future__ import annotations

import json
import math

import pytest

from crmbook import cli, runner
from crmbook.layout import chapter_notebook, edition_notebooks
from crmbook.parameters import (Interval, Parameter, ParameterError, chapter_spec, check_parameters, check_value,
                                notebook_spec, parse_domain)


@pytest.mark.parametrize("comment, admits, refuses", [
    ("# [0, 1]", [0, 0.5, 1], [-0.1, 1.01, "0.5", None, True]),
    ("# (0, 1)", [0.5], [0, 1]),
    ("# (0, 30000] US$", [30000, 1], [0]),
    ("# [0, 100] %", [0, 100], [101]),
    ("# [0, 2**32)", [0, 2**32 - 1], [2**32]),
    ("# [1, inf)", [1, 1e300], [0]),
    ('# "wilson" | "jeffreys"', ["wilson", "jeffreys"], ["Jeffreys", "wald", 1]),
    ("# None | [0, 0.6]", [None, 0.3], [0.7, "x"]),
    ("# None | str", [None, "build"], [1]),
    ("# True | False", [True, False], [1, "True"]),
])
def test_the_notation(comment, admits, refuses):
    d = parse_domain(comment)
    assert d is not None and d.text == comment.lstrip("# ")
    assert all(d.admits(v) for v in admits), [v for v in admits if not d.admits(v)]
    assert not any(d.admits(v) for v in refuses), [v for v in refuses if d.admits(v)]


@pytest.mark.parametrize("comment", ["a free comment", "# [1, 0]", "# [a, b]", "# 3", "# [0, 1] | 5"])
def test_what_is_no_domain(comment):
    assert parse_domain(comment) is None


def _p(default, comment):
    return Parameter("x", default, comment, parse_domain(comment))


@pytest.mark.parametrize("name, value, default, comment, en, zh", [
    ("target", 95, 0.9, "(0, 1)", "target is a proportion in (0, 1); 95 looks like a percentage: type 0.95.",
     "target 是比例，取值范围 (0, 1)；你填的 95 像是百分数，请填 0.95。"),
    ("retention", 85, 0.85, "[0, 0.99]", "85 looks like a percentage: type 0.85", "你填的 85 像是百分数，请填 0.85"),
    ("cut_complaints", 0.5, 50, "[0, 100] %", "0.5 looks like a fraction: type 50", "你填的 0.5 像是小数，请填 50"),
    ("ci_method", "Jeffreys", "wilson", '"wilson" | "jeffreys"', 'written exactly so: "jeffreys"',
     '大小写也要一致：请写 "jeffreys"'),
    ("ci_method", "wald", "wilson", '"wilson" | "jeffreys"', 'must be "wilson" or "jeffreys"; it is set to "wald"',
     '只能是 "wilson" 或 "jeffreys"，你填的是 "wald"'),
    ("survey_n", 20, 500, "[50, 1000000]", "survey_n must be in [50, 1000000]; it is set to 20.",
     "survey_n 的取值范围是 [50, 1000000]，你填的是 20。"),
    ("survey_n", 2.5, 500, "[50, 1000000]", "survey_n is a whole number in [50, 1000000]", "是整数"),
    ("survey_n", 500.5, 500, "[50, 1000000]", "survey_n is a whole number in [50, 1000000]", "是整数"),
    ("margin", "2000", 2000.0, "(0, 30000] US$", "remove the quotes, margin = 2000", "请去掉引号，写成 margin = 2000"),
    ("small", "True", False, "True | False", 'small must be True or False; it is set to "True"', "只能是 True 或 False"),
    ("ks", [0, 5], [1, 5, 10], "[1, 100]", "Each value of ks must be in [1, 100]; 0 is not.", "ks 中的每个值"),
    ("ks", 5, [1, 5, 10], "[1, 100]", "ks is a list such as [1, 5, 10]", "应当是一个列表"),
    ("firm_answers", [True, False], [True] * 5, "5 × True | False", "needs exactly 5 values", "需要恰好 5 个值"),
    ("kept_share", 30, None, "None | [0, 1]", "30 looks like a percentage: type 0.3", "请填 0.3"),
])
def test_one_sentence_names_the_parameter_its_range_and_the_likely_mistake(name, value, default, comment, en, zh):
    param = _p(default, "# " + comment)
    got = {lang: check_value(name, value, param, lang) for lang in ("en", "zh")}
    assert en in got["en"] and zh in got["zh"], got
    assert name in got["en"] and name in got["zh"]
    assert all(s.count("\n") == 0 and "Traceback" not in s for s in got.values())


def test_allowed_values_pass():
    assert check_value("x", 0.95, _p(0.9, "# (0, 1)")) is None
    assert check_value("x", [1, 2, 3], _p([1, 5], "# [1, 100]")) is None
    assert check_value("x", 7, Parameter("x", 3, "free text", None)) is None            # no domain: its type only
    assert "x" in check_value("x", "7", Parameter("x", 3, "free text", None))


def test_every_parameter_of_every_chapter_declares_its_values_and_its_default_is_allowed():
    for nn, nb in edition_notebooks("en").items():
        spec = notebook_spec(nb)
        assert {"lang", "seed", "small", "build_dir"} <= set(spec), nb
        undeclared = [n for n, p in spec.items() if p.domain is None]
        assert not undeclared, f"{nb.name}: parameters without allowed values in their comment: {undeclared}"
        for lang in ("en", "zh"):
            bad = {n: check_value(n, p.default, p, lang) for n, p in spec.items() if check_value(n, p.default, p, lang)}
            assert not bad, f"{nb.name}: defaults outside their own domain: {bad}"


def test_each_notebook_checks_its_parameters_right_after_the_parameters_cell():
    for lang in ("en", "zh"):
        for nn, nb in edition_notebooks(lang).items():
            cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
            i = next(k for k, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
            nxt = "".join(cells[i + 1]["source"])
            stem = chapter_notebook(nn, "en").stem
            assert cells[i + 1]["cell_type"] == "code" and f'check_parameters("{stem}", globals())' in nxt, nb
            comments = [ln.split("#", 1)[1] for ln in "".join(cells[i]["source"]).splitlines() if "#" in ln]
            assert not any(w in c for c in comments for w in ("the ", "default", "what-if")), \
                f"{nb.name}: the parameters cell's comments hold prose: {comments}"


def test_check_parameters_stops_at_the_first_parameter_not_allowed():
    ns = {"lang": "zh", "seed": 1, "small": False, "build_dir": None, "target": 95, "ks": [1, 5], "ci_method": "wilson",
          "whatif_n": 100, "whatif_r1": 0.5, "whatif_r2": 0.1}
    with pytest.raises(ParameterError) as e:
        check_parameters("03_funnel_probabilities", ns)
    assert str(e.value) == "target 是比例，取值范围 (0, 1)；你填的 95 像是百分数，请填 0.95。" and e.value.name == "target"
    ns["target"] = 0.95
    check_parameters("03", ns)
    del ns["ks"]
    with pytest.raises(ParameterError, match="参数单元格里缺少 ks"):
        check_parameters("03", ns)
    with pytest.raises(ParameterError, match='lang must be "en" or "zh".*lang 只能是'):
        check_parameters("03", {**ns, "lang": "fr"})


def test_chapter_05_retention_85_is_refused_not_clamped():
    spec = chapter_spec("05")
    assert spec["retention"].domain.intervals == [Interval(0, 0.99)]
    assert "0.85" in check_value("retention", 85, spec["retention"], "zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("chapter, name, text, value", [
    ("03", "target", "95", 95.0), ("03", "ci_method", "Jeffreys", "Jeffreys"), ("05", "retention", "85", 85.0),
    ("02", "cut_complaints", "0.5", None), ("03", "ks", "[0, 5]", [0, 5]),
])
def test_the_command_line_says_what_the_notebook_says(tmp_path, capsys, monkeypatch, lang, chapter, name, text, value):
    monkeypatch.setattr(runner, "run_jobs", lambda jobs, **kw: pytest.fail("ran a notebook with a bad parameter"))
    assert cli.main(["run", chapter, "--build", str(tmp_path), "-p", "lang", lang, "-p", name, text]) == 2
    err = capsys.readouterr().err.strip()
    spec = chapter_spec(chapter)
    typed = json.loads(text) if text[0] in "[0123456789" else text
    assert err == f"error: {check_value(name, typed, spec[name], lang)}"
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_interval_text_is_plain():
    assert str(Interval(0, 4294967296, high_open=True)) == "[0, 4294967296)"
    assert str(Interval(0, math.inf)) == "[0, ∞]" and str(Interval(0, 100, unit="%")) == "[0, 100] %"
