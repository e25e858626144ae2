"""What a reader sees in a chapter's tables: every cell in full, numbers formatted for people."""
from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

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


# ------------------------------------------------------------------ doubtful source readings, marked where quoted
#: The passages whose plain reading differs from the printed text (S5's spun words, S2's scan damage, S4's
#: traditional characters, S3's misnomers) are listed, with their readings, in datasets/sources/excerpts.csv
#: (columns reading, doubt). A quotation of such a passage that covers a changed word keeps it verbatim and marks
#: it: [原文如此，即“…”] in Chinese, [sic: …] in English, with the plain reading (crmbook.doubts).
ROOT = Path(__file__).resolve().parents[1]


def _csv_texts(path: Path, columns: dict[str, str]) -> list[tuple[str, str, str]]:
    """(where, lang, text) of every non-empty cell of ``columns`` (column -> language) of a CSV."""
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            key = row.get("key") or row.get("concept_id")
            out += [(f"{path.relative_to(ROOT)} {key} [{col}]", lang, row[col])
                    for col, lang in columns.items() if row.get(col)]
    return out


def _texts_by_case() -> dict[str, list[tuple[str, str, str]]]:
    """Every text a reader sees, grouped: each chapter (both editions' Markdown and its label table), each
    chapter's teacher page, the library's labels, the site's strings, the term list."""
    from crmbook.layout import notebook_dir

    cases: dict[str, list[tuple[str, str, str]]] = {}
    for lang in ("en", "zh"):
        for nb in sorted(notebook_dir(lang).glob("*.ipynb")):
            for i, c in enumerate(json.loads(nb.read_text(encoding="utf-8"))["cells"]):
                if c["cell_type"] == "markdown":
                    cases.setdefault(f"chapter {nb.name[:2]}", []).append(
                        (f"{nb.relative_to(ROOT)} cell {i}", lang, "".join(c["source"])))
    both = {"en": "en", "zh": "zh"}
    for f in sorted((ROOT / "crmbook" / "labels").glob("ch*.csv")):
        cases.setdefault(f"chapter {f.stem[2:]}", []).extend(_csv_texts(f, both))
    for f in sorted((ROOT / "site" / "teacher").glob("ch*.csv")):
        cases[f"teacher {f.stem[2:]}"] = _csv_texts(f, both)
    cases["library labels"] = [t for f in sorted((ROOT / "crmlib" / "labels").glob("*.csv")) for t in _csv_texts(f, both)]
    cases["site strings"] = _csv_texts(ROOT / "crmbook" / "labels" / "site.csv", both)
    cases["term list"] = _csv_texts(ROOT / "crmbook" / "terms.csv", {"en": "en", "zh": "zh", "definition_en": "en",
                                                                     "definition_zh": "zh"})
    return cases


_CASES = _texts_by_case()


def test_the_doubtful_quote_check_can_fail():
    from crmbook.doubts import unmarked

    assert unmarked("> 婴儿尿布就卖的特殊快。", "zh")
    assert not unmarked("> 婴儿尿布就卖的特殊快[原文如此，即“卖得特别快”]。", "zh")
    assert [f.missing for f in unmarked("> 婴儿尿布就卖的特殊快[原文如此]。", "zh")] == ["reading '得特别'"]
    assert not unmarked("我们取得了胜利。", "zh"), "the book's own prose quotes nothing"
    assert unmarked("a further study (进一步的探讨)", "en")
    assert not unmarked("a further study (进一步的探讨 [sic: 进一步的研究])", "en")
    assert unmarked("a further study (进一步的探讨 [原文如此，即“研究”])", "en"), "English marks with [sic"
    assert unmarked("grep `4% ~7`", "zh") and not unmarked("grep `4% ~7`[原文如此，即“40%～75%”]", "zh")
    assert unmarked("见 `績效衡量指標`", "zh") and not unmarked("见 `績效衡量指標`[原文如此，即“绩效衡量指标”]", "zh")
    assert not unmarked("S4《CH.2 顧客關係管理之經營策略》", "zh"), "a source's title is a citation"
    with pytest.raises(ValueError, match="fr"):
        unmarked("进一步的探讨", "fr")
    with pytest.raises(TypeError, match="text must be a string"):
        unmarked(None, "zh")
    assert not unmarked("> 国外的探讨[原文如此，即“研究”]数据表明", "zh")
    assert not unmarked("> 国外的探讨数据表明，\n> 银行客户关系的年限。\n\n[原文如此，即“研究”]", "zh"), \
        "a marker right after a block quote marks it"
    assert unmarked("> 国外的探讨数据表明，银行客户关系的年限。\n\n" + "另一段。" * 20 + "[原文如此，即“研究”]", "zh"), \
        "the marker stands in the quotation's paragraph or right after it"


@pytest.mark.parametrize("case", sorted(_CASES))
def test_every_doubtful_quotation_is_marked_with_its_reading(case):
    from crmbook.doubts import unmarked

    bad = [f"{where} ({lang}): {finding}" for where, lang, text in _CASES[case] for finding in unmarked(text, lang)]
    assert not bad, ("a doubtful source passage (datasets/sources/excerpts.csv, columns reading and doubt) quoted "
                     "without [原文如此，即“…”] / [sic: …] and its plain reading:\n" + "\n".join(bad))


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
    # JupyterLab: "\\$" leaves "\$" in the page, which MathJax shows as "$" (a CommonMark "\$" pair is maths)
    assert data["text/markdown"] == r"Worth US\\$2,000 or US\\$8,623." and data["text/plain"] == "Worth US$2,000 or US$8,623."
    from crmbook.mdtext import commonmark
    assert commonmark(data["text/markdown"]) == r"Worth US\$2,000 or US\$8,623.", "the site and decks read CommonMark"
    fig, ax = plt.subplots()
    ch.figure(ax, "9.7", "money", a=480000)
    (data,), kw = shown[-1]
    assert r"US\\$480,000" in data["text/markdown"] and kw["metadata"] == {"crmlib": {"figure": "9.7"}}
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
