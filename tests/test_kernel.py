"""The chapters' kernel (crmbook.kernel): input-method typing runs, cells out of order say what to run.

The input transformer and the exception handler are tried in a real IPython shell, running cells as a
student would; the kernel spec is checked as Jupyter reads it.
"""
from __future__ import annotations

import json

import pytest

from crmbook import kernel
from crmbook.kernel import fix_code


@pytest.mark.parametrize("typed, runs_as", [
    ("answer_2_1 = ８７", "answer_2_1 = 87"),
    ("answer_2_4 = “B”", 'answer_2_4 = "B"'),
    ("answer_2_4 = ”B”", 'answer_2_4 = "B"'),
    ("answer_2_4 = 「B」", 'answer_2_4 = "B"'),
    ('answer_2_4 = "B”', 'answer_2_4 = "B"'),
    ("answer_2_3 = 340，", "answer_2_3 = 340,"),
    ("answer_2_1 = 87\u3000", "answer_2_1 = 87 "),
    ("answer_2_1 = ０.８７  # 注释，不变", "answer_2_1 = 0.87  # 注释，不变"),
    ("ｘ = （1， 2）", "x = (1, 2)"),
    ("answer_2_3 = 340 位", "answer_2_3 = '340 位'"),          # still not Python: the answer is quoted
    ("answer_5_1 = 11,067", "answer_5_1 = '11,067'"),
    ("answer_5_6 = 8万", "answer_5_6 = '8万'"),
    ("answer_2_1 = 87%", "answer_2_1 = '87%'"),
])
def test_input_method_code_becomes_python(typed, runs_as):
    assert fix_code(typed) == runs_as
    compile(runs_as, "<cell>", "exec")


@pytest.mark.parametrize("code", [
    'x = "你好，世界"\nprint("a，b")',          # valid: strings keep their full-width characters
    "x = 1 +",                                   # not input-method typing: Python's own error stays
    "answer_2_5 = 否",                            # valid Python (a name): the handler explains it
    's = """三引号，\n里面的“引号”不变"""',
])
def test_code_python_reads_or_cannot_be_helped_is_unchanged(code):
    assert fix_code(code) == code


def test_strings_keep_their_characters_when_code_around_them_is_fixed():
    assert fix_code('x = "一，二"\ny = １') == 'x = "一，二"\ny = 1'


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    kernel.install(ip)
    saved = dict(ip.user_ns)
    yield ip
    ip.user_ns.clear()
    ip.user_ns.update(saved)


def _run(ip, code, capsys):
    r = ip.run_cell(code)
    out, err = capsys.readouterr()
    return r, out + err


def test_full_width_answers_run_in_the_shell(shell, capsys):
    r, _ = _run(shell, "answer_2_1 = ８７\nanswer_2_4 = “Ｂ”", capsys)
    assert r.success and shell.user_ns["answer_2_1"] == 87 and shell.user_ns["answer_2_4"] == "Ｂ"


@pytest.mark.parametrize("lang, first, above, quote", [
    ("en", "Run the chapter's first cells (parameters and imports) first, then this cell.",
     "“shares” is made by a cell above", 'Put your answer in quotes, answer_2_4 = "B"'),
    ("zh", "先运行本章开头的单元格（参数单元格和导入单元格），再运行这一格。",
     "“shares”由上面的单元格生成", '答案要加引号，写成 answer_2_4 = "B"'),
])
def test_out_of_order_names_are_one_sentence(shell, capsys, lang, first, above, quote):
    for name in ("ex", "ch", "lang", "lplot"):
        shell.user_ns.pop(name, None)
    r, text = _run(shell, 'ex.check("2.1", 87)', capsys)
    assert not r.success and "先运行本章开头的单元格" in text and "Run the chapter's first cells" in text  # no lang yet
    assert "Traceback" not in text and "NameError" not in text
    shell.user_ns["lang"] = lang
    for code, sentence in (('ex.check("2.1", 87)', first), ("ch.say('x')", first), ("shares.sum()", above),
                           ("answer_2_4 = B", quote)):
        r, text = _run(shell, code, capsys)
        assert not r.success and sentence in text, (code, text)
        assert "Traceback" not in text and len(text.strip().splitlines()) == 1, text
    r, text = _run(shell, "answer_2_5 = 否", capsys)
    assert "answer_2_5" in text and "Traceback" not in text


def test_real_name_errors_keep_their_traceback(shell, capsys):
    r, text = _run(shell, "undefined_name_xyz + 1", capsys)
    assert not r.success and "NameError" in text and "undefined_name_xyz" in text
    r, text = _run(shell, "def f():\n    return qqq\nf()", capsys)
    assert "NameError" in text and "qqq" in text
    r, text = _run(shell, "x = B", capsys)          # a letter, but not an answer line: a real error
    assert "NameError" in text


def test_the_session_notebook_gives_the_language_after_a_restart(shell, capsys, monkeypatch):
    from crmbook.layout import chapter_notebook

    shell.user_ns.pop("lang", None)
    shell.user_ns.pop("ch", None)
    shell.user_ns["__session__"] = str(chapter_notebook("03", "zh"))
    r, text = _run(shell, "ch", capsys)
    assert text.strip() == "先运行本章开头的单元格（参数单元格和导入单元格），再运行这一格。"
    shell.user_ns["__session__"] = str(chapter_notebook("03", "en"))
    r, text = _run(shell, "ch", capsys)
    assert text.strip() == "Run the chapter's first cells (parameters and imports) first, then this cell."


def test_chapter_names():
    first, later = kernel.chapter_names()
    assert {"lang", "seed", "ch", "ex", "check_parameters", "Chapter"} <= first
    assert {"shares", "kept_for", "show_case"} <= later and not first & later


def test_kernel_spec_is_ipykernels_with_the_extension(tmp_path):
    from ipykernel.kernelspec import get_kernel_dict

    d = kernel.install_kernel_spec(tmp_path)
    spec = json.loads((d / "kernel.json").read_text(encoding="utf-8"))
    assert spec["argv"][:5] == ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert spec["argv"][5:] == ["--ext", "crmbook.kernel"]
    assert spec["metadata"] == get_kernel_dict()["metadata"]     # CurveZMQ support declared as ipykernel's
    assert kernel.kernel_spec_installed(tmp_path) and not kernel.kernel_spec_installed(tmp_path / "elsewhere")


def test_notebooks_name_the_kernel():
    from crmbook.layout import edition_notebooks

    for lang in ("en", "zh"):
        for nb in edition_notebooks(lang).values():
            spec = json.loads(nb.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
            assert spec["name"] == kernel.KERNEL_NAME, nb
