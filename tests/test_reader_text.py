"""What a reader sees in a chapter's tables: every cell in full, numbers formatted for people."""
from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from crmbook import Chapter
from crmlib import i18n

i18n.add_labels({"col.reader_test_text": {"en": "Text", "zh": "文字"},
                 "col.reader_test_rate": {"en": "Rate", "zh": "比率"},
                 "col.reader_test_p": {"en": "p-value", "zh": "p 值"},
                 "col.reader_test_usd": {"en": "Value", "zh": "价值"}})

LONG = "Analytical: capture, store, extract, process, interpret and report customer data " * 2


def _frame():
    return pd.DataFrame({"reader_test_text": [LONG, "short"], "reader_test_rate": [0.7534, float("nan")],
                         "reader_test_p": [0.00002, 0.0231], "reader_test_usd": [480000.0, 1456.25]})


def test_a_chapter_shows_every_table_cell_in_full(tmp_path):
    with pd.option_context("display.max_colwidth", 50, "display.max_columns", 20):
        assert "..." in _frame()._repr_html_(), "pandas' default should cut the long cell (the check can fail)"
        ch = Chapter("09_test_chapter", build_dir=tmp_path, display=True)
        shown = ch.table(_frame())._repr_html_()
        assert html.escape(LONG.strip()) in shown and "..." not in shown


@pytest.mark.parametrize("lang, rate, p, usd", [("en", "75.3 %", "< 0.001", "US$480,000"),
                                                ("zh", "75.3%", "< 0.001", "48万美元")])
def test_table_formats_numbers_for_people(tmp_path, lang, rate, p, usd):
    ch = Chapter("09_test_chapter", lang=lang, build_dir=tmp_path, display=False)
    out = ch.table(_frame(), formats={"reader_test_rate": "pct.1", "reader_test_p": "p", "reader_test_usd": "usd"})
    cols = list(out.columns)
    assert cols[1] == i18n.t("col.reader_test_rate", lang)
    assert list(out.iloc[:, 1]) == [rate, "—"]
    assert list(out.iloc[:, 2]) == [p, "0.023"]
    assert out.iloc[0, 3] == usd
    assert _frame()["reader_test_rate"].iloc[0] == 0.7534, "the computed table is left unchanged"


def test_table_formats_name_a_missing_column(tmp_path):
    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=False)
    with pytest.raises(KeyError, match="no_such_column"):
        ch.table(_frame(), formats={"no_such_column": "pct"})
    with pytest.raises(TypeError, match="format spec"):
        ch.table(_frame(), formats={"reader_test_rate": 3})


@pytest.mark.parametrize("lang, shown", [("en", ["75.3 %", "US$1,456"]), ("zh", ["75.3%", "1,456美元"])])
def test_table_formats_rows_holding_different_quantities(tmp_path, lang, shown):
    """A column whose rows hold a rate and an amount is formatted row by row; every row must be named."""
    ch = Chapter("09_test_chapter", lang=lang, build_dir=tmp_path, display=False)
    frame = pd.DataFrame({"reader_test_usd": [0.7534, 1456.25]}, index=["rate", "money"])
    out = ch.table(frame, formats={"reader_test_usd": {"rate": "pct.1", "money": "usd"}})
    assert list(out.iloc[:, 0]) == shown
    with pytest.raises(KeyError, match=r"no spec for row\(s\) \['money'\]"):
        ch.table(frame, formats={"reader_test_usd": {"rate": "pct.1"}})
    with pytest.raises(TypeError, match="format spec"):
        ch.table(frame, formats={"reader_test_usd": {"rate": "pct.1", "money": 2}})


def _cells(executed: dict):
    """(cell index, text of every <td>/<th>) of the HTML tables a notebook shows."""
    for i, cell in enumerate(executed["cells"]):
        for out in cell.get("outputs", []):
            page = "".join(out.get("data", {}).get("text/html", ""))
            for td in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", page, flags=re.S):
                yield i, html.unescape(re.sub(r"<[^>]+>", "", td)).strip()


@pytest.mark.notebook
def test_no_table_cell_of_an_executed_chapter_is_cut(chapter_runs):
    _, outcomes = chapter_runs
    bad = []
    for (chapter, lang), o in sorted(outcomes.items()):
        if not o.ok:
            continue
        executed = json.loads(o.job.output.read_text(encoding="utf-8"))
        bad += [f"{chapter} [{lang}] cell {i}: {text!r}" for i, text in _cells(executed)
                if text.endswith("...") or re.search(r"\d\.\d*e[+-]\d", text)]
    assert not bad, "table cells cut short or in scientific notation:\n" + "\n".join(bad)


# ------------------------------------------------------------------ S5's machine-spun wording
#: S5 is an automatically reworded copy of an essay. Each phrase ends on a substituted word (the usual word
#: in the comment); a quotation keeps it verbatim but must mark it at once: [原文如此…] in Chinese, [sic…] in English.
SPUN = ("的探讨",      # 研究
        "视察",        # 查看
        "实惠券",      # 优惠券
        "发觉",        # 发现
        "特殊快",      # 特别快
        "干脆",        # 直接
        "年头",        # 年代 (20 世纪 30 年头)
        "胜利",        # 成功 (胜利开展, 企业胜利)
        "一个增加的",  # 增强的 (反馈链)
        "企业供应的",  # 提供的
        "客户满足的",  # 满意的
        "首度执行官",  # 首席执行官
        "肯定时间",    # 一定时间
        )
_MARK = {"zh": r"\[原文如此", "en": r"\[sic\b"}


def unmarked_spun(text: str, lang: str) -> list[str]:
    """The spun phrases in the quotations of ``text`` (every Chinese phrase of an English text) not
    followed by the marker."""
    from crmbook.terms import quoted_spans

    spans = quoted_spans(text) if lang == "zh" else [(0, len(text))]
    bad = []
    for phrase in SPUN:
        for m in re.finditer(re.escape(phrase), text):
            if not any(a <= m.start() < b for a, b in spans):
                continue
            if not re.match(r"[”’」』]?\s*" + _MARK[lang], text[m.end():]):
                bad.append(text[max(0, m.start() - 12):m.end() + 12])
    return bad


def test_the_spun_phrase_check_can_fail():
    assert unmarked_spun("> 婴儿尿布就卖的特殊快。", "zh")
    assert not unmarked_spun("> 婴儿尿布就卖的特殊快[原文如此，即“卖得特别快”]。", "zh")
    assert not unmarked_spun("我们取得了胜利。", "zh"), "the book's own prose is not a quotation"
    assert unmarked_spun("a further study (进一步的探讨)", "en")
    assert not unmarked_spun("a further study (进一步的探讨 [sic: 研究])", "en")


def test_every_quoted_spun_phrase_is_marked():
    from crmbook.layout import notebook_dir
    from crmlib.i18n import labels

    bad = []
    for lang in ("en", "zh"):
        for nb in sorted(notebook_dir(lang).glob("*.ipynb")):
            for i, c in enumerate(json.loads(nb.read_text(encoding="utf-8"))["cells"]):
                if c["cell_type"] == "markdown":
                    bad += [f"{nb.name} [{lang}] cell {i}: …{s}…" for s in unmarked_spun("".join(c["source"]), lang)]
        for key, row in labels().items():
            bad += [f"label {key} [{lang}]: …{s}…" for s in unmarked_spun(row[lang], lang)]
    assert not bad, "S5's substituted words quoted without [原文如此] / [sic]:\n" + "\n".join(bad)


# ------------------------------------------------------------------ money in Markdown outputs
def test_markdown_outputs_escape_dollars_but_captions_keep_them(tmp_path, monkeypatch):
    import IPython.display
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    i18n.add_labels({"ch09.say.reader_money": {"en": "Worth {a:usd} or {b:usd}.", "zh": "价值 {a:usd} 或 {b:usd}。"},
                     "ch09.fig.9.7": {"en": "A customer worth {a:usd}.", "zh": "价值 {a:usd} 的客户。"}})
    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=True)
    ch.say("reader_money", a=2000, b=8623)
    (data,), _ = shown[-1]
    assert data["text/markdown"] == r"Worth US\$2,000 or US\$8,623." and data["text/plain"] == "Worth US$2,000 or US$8,623."
    fig, ax = plt.subplots()
    ch.figure(ax, "9.7", "money", a=480000)
    (data,), kw = shown[-1]
    assert r"US\$480,000" in data["text/markdown"] and kw["metadata"] == {"crmlib": {"figure": "9.7"}}
    assert ch._figures["9.7"]["caption"] == "A customer worth US$480,000.", "the recorded caption has no backslash"


def test_exercise_1_5_states_the_thresholds_it_is_checked_with():
    """The question writes the default thresholds out (no parameter names standing in for values)."""
    import inspect

    from crmlib import concepts, fmt

    d = {k: v.default for k, v in inspect.signature(concepts.qualify_man).parameters.items()
         if v.default is not inspect.Parameter.empty}
    for lang in ("en", "zh"):
        q = i18n.t("ch01.ex.1.5.q", lang)
        assert fmt.money(1000 * d["money_min"], lang) in q
        assert f"≥ {d['influence_min']}" in q and f"≥ {d['need_min']}" in q
