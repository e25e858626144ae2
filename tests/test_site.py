"""The site builder (``site/crmsite``): an edition per language, figures from the chapters' record,
the glossary, Reproduce, the API reference, and the instructor's kit.

Most tests build a site from a small, hand-made build folder (chapter 98 in both
editions, 97 in English only, and a failed 96), written the way the runner
writes a build: executed notebooks, results JSON with the ``figures`` record,
the figure files. ``test_site_from_the_chapters`` builds from the real chapters
(small mode, the session's ``chapter_runs``).
"""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))
sys.path.insert(0, str(ROOT / "tools"))

import crmsite  # noqa: E402
from crmsite import kit, pages  # noqa: E402
from crmsite.collect import ChapterPage  # noqa: E402

LABEL = {"en": "Figure", "zh": "图"}

from crmlib.i18n import add_labels, labels  # noqa: E402

_KEYS = {"printed.share": ("Printed share", "原文比例"), "paper.alpha": ("Published alpha", "已发表的 α"),
         "count.firms": ("Firms counted", "企业数")}
add_labels({f"ch{nn}.key.{k}": {"en": en, "zh": zh} for nn in ("96", "97", "98") for k, (en, zh) in _KEYS.items()
            if f"ch{nn}.key.{k}" not in labels()})


# ----------------------------------------------------------------------------- helpers
class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags(path: Path) -> list[tuple[str, dict[str, str]]]:
    p = _Tags()
    p.feed(path.read_text(encoding="utf-8"))
    return p.tags


def local_target(page: Path, url: str) -> Path | None:
    """The file a relative URL on ``page`` points to, or None for external / in-page links."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return (page.parent / unquote(parts.path)).resolve()


def _edition(base: Path, lang: str) -> Path:
    return base if lang == "en" else base / lang


def _save(fig, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)


def _chapter(build: Path, name: str, lang: str, title: str, *, fail: bool = False, math: bool = False,
             warn: bool = False, cite: bool = False, guide: bool = False) -> None:
    """Write one executed-looking chapter (notebook, results with the figure record, figure files)."""
    no = int(name[:2])
    fig_dir = _edition(build / "figures", lang) / name
    figures = {}
    for k, slug, caption in ((1, "line", "A test line" if lang == "en" else "测试用的直线"),
                             (2, "saved-only", "Saved but not shown inline" if lang == "en" else "只保存不显示")):
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1], [0, k])
        for ext in ("png", "svg"):
            _save(fig, fig_dir / f"fig-{no}-{k}-{slug}.{ext}")
        plt.close(fig)
        figures[f"{no}.{k}"] = {"slug": slug, "caption": caption, "label": f"{LABEL[lang]} {no}.{k}",
                                "png": f"{fig_dir.relative_to(build).as_posix()}/fig-{no}-{k}-{slug}.png",
                                "svg": f"{fig_dir.relative_to(build).as_posix()}/fig-{no}-{k}-{slug}.svg"}
    results = {
        "printed.share": {"value": 68.0, "unit": "%", "expected": 68.0, "matches": True,
                          "source": {"kind": "seed", "seed_file": "001_test.txt", "phrase": "表 1-1"}},
        "paper.alpha": {"value": 0.5, "expected": 0.25, "matches": False,
                        "source": {"kind": "paper", "citation": "Fader et al. (2005)", "where": "Table 2"}},
        "count.firms": {"value": 3, "unit": "firms", "expected": 3, "matches": True,
                        "source": {"kind": "seed", "seed_file": "001_test.txt", "phrase": "三家"}},
        "hidden.share": {"value": [40.0, 75.0], "unit": "%", "expected": [40.0, 75.0], "matches": True,
                         "source": {"kind": "seed", "seed_file": "002_6df45c4bf5697708.txt", "phrase": "4% ~7",
                                    "source_id": "S2", "excerpt_id": "S2-garbled-share"}},
        "internal.only": {"value": 3.0},
    }
    res = _edition(build / "results", lang) / f"{name}.json"
    res.parent.mkdir(parents=True, exist_ok=True)
    res.write_text(json.dumps({"chapter": name, "params": {"lang": lang, "seed": 3, "small": True},
                               "results": results, "figures": figures}, ensure_ascii=False), encoding="utf-8")
    png = (build / figures[f"{no}.1"]["png"]).read_bytes()
    label = figures[f"{no}.1"]["label"]
    caption = figures[f"{no}.1"]["caption"]
    shown = f"**{label}.** {caption}" if lang == "en" else f"**{label}**　{caption}"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    nb.metadata["papermill"] = {"exception": None, "parameters": {"lang": lang, **({"size_n": 25} if no == 98 else {})}}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    if guide:
        nb.metadata["crmnb"] = {"kind": "guide"}
    intro = f"# {title}\n\nIntro text for the test chapter." + (" Energy is $E = mc^2$." if math else "")
    if lang == "zh":   # compound terms jieba alone would cut (企业客户流失率 → 客户 / 流失 / 流失率)
        intro += "\n\n企业客户流失率很高；用帕累托图找出关键少数。"
    if cite:
        intro += " As shown by [@fader2005bgnbd]. Schmittlein et al. (1987) <!-- [@schmittlein1987] -->."
    cells = [
        nbformat.v4.new_markdown_cell(intro),
        nbformat.v4.new_markdown_cell("**Parameters**: `lang` is the edition (parameters_note_marker).",
                                      metadata={"slideshow": {"slide_type": "skip"}}),
        nbformat.v4.new_code_cell('lang = "en"\nseed = 3\nsmall = False\nbuild_dir = None\nsize_n = 10',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(f'lang = "{lang}"\nbuild_dir = "/injected/by/papermill"'
                                  + ("\nsize_n = 25" if no == 98 else ""), metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_code_cell("from crmbook import Chapter\nfrom crmlib import loss\nfrom crmlib.plotting import loss as lplot"),
        nbformat.v4.new_markdown_cell("## Section one\n\nText between the cells, first paragraph. It asks `size_n` lost "
                                      "customers.\n\nSecond paragraph, not on the slide."),
        nbformat.v4.new_code_cell("ch.record('printed.share', 68.0)\nplumbing_marker = ch.figure(fig, 'N.1', 'line')",
                                  outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(png).decode(),
                                                         "text/plain": "<Figure>"}),
            nbformat.v4.new_output("display_data", data={"text/markdown": shown, "text/plain": shown}),
            nbformat.v4.new_output("execute_result", data={"text/plain": "PosixPath('/x/fig.png')"},
                                   execution_count=3),
        ]),
        nbformat.v4.new_code_cell("print('stream text from the chapter')", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="stream text from the chapter\n"),
            nbformat.v4.new_output("stream", name="stderr", text=(
                "findfont: Failed to find font weight bold for WenQuanYi Micro Hei, now using 400.\n"
                "UserWarning: a warning the reader should see\n")),
            nbformat.v4.new_output("display_data", data={"text/markdown": "**Figure 98.7.** not recorded",
                                                         "text/plain": "x"}),
            nbformat.v4.new_output("display_data", data={"text/plain": "<Figure size 640x480 with 1 Axes>"})]),
        nbformat.v4.new_code_cell("w = slider", outputs=[nbformat.v4.new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2,
                                                         "version_minor": 0},
            "text/plain": "IntSlider(value=5)"})]),
        nbformat.v4.new_markdown_cell("### A subsection\n\nMore text."),
        nbformat.v4.new_code_cell("answer_9_1 = None   # your answer\nex.check('9.1', answer_9_1)"),
    ]
    if warn:
        cells.append(nbformat.v4.new_markdown_cell("See {doc}`no_such_page_anywhere`."))
    if fail:
        cells.append(nbformat.v4.new_code_cell("1 / 0", outputs=[nbformat.v4.new_output(
            "error", ename="ZeroDivisionError", evalue="division by zero",
            traceback=["Traceback (most recent call last)", "ZeroDivisionError: division by zero"])]))
    nb.cells = cells
    out = _edition(build / "notebooks", lang) / f"{name}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(out))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A build folder with chapter 98 (en + zh, with math), 97 (en only) a failed 96 and guide 99 (en + zh); its site, built as
    on a machine without Chromium (so without PDFs: the decks' PDFs are checked by tests/test_decks.py)."""
    import contextlib
    from unittest import mock

    build = tmp_path_factory.mktemp("sitebuild")
    for lang in ("en", "zh"):
        _chapter(build, "98_site_test", lang, "Chapter 98 — Site test" if lang == "en" else "第 98 章 网站测试",
                 math=True, cite=crmsite.BIB.is_file())
        _chapter(build, "99_site_guide", lang, "Guide — Site test" if lang == "en" else "指南　网站测试", guide=True)
    _chapter(build, "97_english_only", "en", "Chapter 97 — English only")
    _chapter(build, "96_failed_run", "en", "Chapter 96 — Failed", fail=True)
    printed = io.StringIO()
    with mock.patch("crmsite.pdf.chromium", return_value=None), contextlib.redirect_stdout(printed):
        ok = crmsite.build(build, api=False)
    BUILD_OUTPUT.append(printed.getvalue())
    return build, build / "site", ok


BUILD_OUTPUT: list[str] = []


def test_without_chromium_one_line_says_how_to_get_the_pdfs(built):
    _, out, ok = built
    assert ok
    lines = [x for x in BUILD_OUTPUT[-1].splitlines() if "PDF" in x]
    assert len(lines) == 1 and "apt-get install chromium" in lines[0] and "site/build.py" in lines[0], lines
    assert not list(out.rglob("*.pdf"))
    assert "crm-kit-pdf" not in (out / "en" / "kit.html").read_text(encoding="utf-8")
    assert "crm-kit-pptx" in (out / "en" / "kit.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the pages
def test_build_succeeds_with_a_page_per_chapter_and_edition(built):
    build, out, ok = built
    assert ok
    for page in ("index.html", "en/index.html", "zh/index.html", "en/98_site_test.html", "zh/98_site_test.html",
                 "en/97_english_only.html", "en/glossary.html", "zh/glossary.html", "en/reproduce.html",
                 "zh/reproduce.html", "en/kit.html", "zh/kit.html", "en/teacher/98_site_test.html",
                 "zh/teacher/98_site_test.html", "kit/en/98_site_test.html", "kit/zh/98_site_test.html",
                 "en/search.html", "zh/search.html", "favicon.svg"):
        assert (out / page).is_file(), page
    assert not (out / "zh" / "97_english_only.html").exists()
    assert not (build / "jupyter_execute").exists() and not (out / "jupyter_execute").exists()


def test_a_guide_has_its_own_place_and_no_kit(built):
    """A guide (metadata ``crmnb.kind = "guide"``) is a page of each edition listed under its own caption, after
    the chapters, on the index and the landing page; it has no slides, figure pack or teacher's page."""
    build, out, _ = built
    landing = (out / "index.html").read_text(encoding="utf-8")
    for lang, caption in (("en", "Guides for researchers"), ("zh", "研究指南")):
        assert (out / lang / "99_site_guide.html").is_file()
        index = (out / lang / "index.html").read_text(encoding="utf-8")
        chapters_at, guides_at = index.index("98_site_test.html"), index.index(caption)
        assert chapters_at < guides_at < index.index("99_site_guide.html"), lang
        assert not (out / "kit" / lang / "99_site_guide.html").exists()
        assert not (out / "kit" / lang / "99_site_guide-figures.zip").exists()
        assert not (out / lang / "teacher" / "99_site_guide.html").exists()
        kit_page = (out / lang / "kit.html").read_text(encoding="utf-8")
        table = kit_page[kit_page.index('class="crm-kit-table"'):kit_page.index("</table>")]
        assert "98_site_test" in table and "99_site_guide" not in table
        page = (out / lang / "99_site_guide.html").read_text(encoding="utf-8")
        assert 'class="crm-kit-slides"' not in page and 'class="crm-notebook-download"' in page
        assert ("本指南用到的 crmlib" if lang == "zh" else "Figures in this guide") in page
        assert "what-if" not in page and "假设分析" not in page      # the run-it box names no what-ifs
        assert f'<h3>{caption}</h3><ul class="crm-guides"><li><a href="{lang}/99_site_guide.html">' in landing
    # the guide's numbers are on the Reproduce page like a chapter's
    assert "99_site_guide" in (out / "en" / "reproduce.html").read_text(encoding="utf-8")


def test_failed_run_is_left_out(built):
    _, out, _ = built
    assert not (out / "en" / "96_failed_run.html").exists()
    for page in out.rglob("*.html"):
        assert "96_failed_run" not in page.read_text(encoding="utf-8"), page


def test_every_local_link_and_image_resolves(built):
    _, out, _ = built
    checked = 0
    for page in out.rglob("*.html"):
        for tag, attrs in tags(page):
            for attr in ("href", "src"):
                url = attrs.get(attr)
                if tag in ("a", "img", "link", "script") and url:
                    target = local_target(page, url)
                    if target is not None:
                        assert target.exists(), f"{page.relative_to(out)}: {attr}={url} -> missing {target}"
                        checked += 1
    assert checked > 100


def test_nothing_is_loaded_from_the_network(built):
    """No page or deck loads a script, image, frame, stylesheet, icon or font from another host, and no
    stylesheet the pages use imports one."""
    _, out, _ = built
    remote = re.compile(r"^(https?:)?//")
    for page in out.rglob("*.html"):
        for tag, attrs in tags(page):
            url = attrs.get("src") if tag in ("script", "img", "iframe", "source", "video", "audio") else (
                attrs.get("href") if tag == "link" else None)
            assert not url or not remote.match(url), f"{page.relative_to(out)} loads {url}"
        text = page.read_text(encoding="utf-8").lower()
        assert "mathjax" not in text and "require.min.js" not in text and "cdn." not in text, page
    for css in out.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r"(?:@import\s+(?:url\()?|url\()\s*['\"]?([^'\")\s]+)", text):
            assert not remote.match(m.group(1)), f"{css.relative_to(out)} loads {m.group(1)}"


def test_figures_come_from_the_record_with_numbered_captions_and_downloads(built):
    build, out, _ = built
    for lang, caption in (("en", "A test line"), ("zh", "测试用的直线")):
        page = out / lang / "98_site_test.html"
        html = page.read_text(encoding="utf-8")
        fig = re.search(r'<figure class="crm-figure" id="figure-98-1">(.*?)</figure>', html, re.S)
        assert fig, f"{lang}: no figure element"
        assert f"{LABEL[lang]} 98.1." in fig.group(1) and caption in fig.group(1)
        imgs = [a for t, a in tags(page) if t == "img" and "figures/" in a.get("src", "")]
        assert len(imgs) == 1, "the inline copy of the figure must be replaced, not shown twice"
        recorded = json.loads((_edition(build / "results", lang) / "98_site_test.json")
                              .read_text(encoding="utf-8"))["figures"]["98.1"]
        img = local_target(page, imgs[0]["src"])
        assert img.read_bytes() == (build / recorded["png"]).read_bytes()
        full = [a["href"] for t, a in tags(page) if t == "a" and "crm-figure-image" in a.get("class", "")]
        assert local_target(page, full[0]) == img, "a tap on the figure opens the full-resolution PNG"
        downloads = {a["href"] for t, a in tags(page) if t == "a" and "download" in a}
        for key in ("png", "svg"):
            assert any(local_target(page, h) == (build / "site" / "figures" / Path(recorded[key])
                                                 .relative_to("figures")).resolve() for h in downloads), key
        # a caption-looking output that is not in the record stays what it was
        assert 'id="figure-98-7"' not in html and "not recorded" in html


def test_code_is_collapsed_except_exercise_answers(built):
    _, out, _ = built
    for lang, prompt in (("en", "Show code"), ("zh", "显示代码")):
        html = (out / lang / "98_site_test.html").read_text(encoding="utf-8")
        hidden = re.findall(r'<details class="[^"]*hide[^"]*above-input">(.*?)</details>', html, re.S)
        assert any("plumbing_marker" in h for h in hidden), "plumbing code must sit in a collapsed <details>"
        assert not any("answer_9_1" in h for h in hidden), "exercise answer cells stay visible"
        assert prompt in html
    html = (out / "en" / "98_site_test.html").read_text(encoding="utf-8")
    assert "answer_9_1" in html and "/injected/by/papermill" not in html
    assert "stream text from the chapter" in html
    assert "PosixPath" not in html and "IntSlider" not in html and "Figure size" not in html
    assert "findfont" not in html and "a warning the reader should see" in html


def test_run_it_box_links_notebook_crmlib_and_kit(built):
    build, out, _ = built
    page = out / "en" / "98_site_test.html"
    html = page.read_text(encoding="utf-8")
    assert "make lab" in html and "<code>size_n</code>" in html
    link = next(a["href"] for t, a in tags(page) if t == "a" and "crm-notebook-download" in a.get("class", ""))
    assert local_target(page, link).read_bytes() == (build / "notebooks" / "98_site_test.ipynb").read_bytes()
    assert 'href="#figure-98-1"' in html and 'id="figure-98-2"' not in html
    assert 'href="../figures/98_site_test/fig-98-2-saved-only.png">Figure 98.2</a>' in html
    used = re.search(r'<p class="crm-crmlib-used">(.*?)</p>', html, re.S).group(1)
    assert "<code>crmlib.loss</code>" in used and "<code>crmlib.plotting.loss</code>" in used
    assert "本章用到的 crmlib" in (out / "zh" / "98_site_test.html").read_text(encoding="utf-8")
    for lang in ("en", "zh"):
        p = out / lang / "98_site_test.html"
        for cls, target in (("crm-kit-slides", f"kit/{lang}/98_site_test.html"),
                            ("crm-kit-pack", f"kit/{lang}/98_site_test-figures-{lang}.zip"),
                            ("crm-kit-pptx", f"kit/{lang}/98_site_test.pptx"),
                            ("crm-kit-teacher", f"{lang}/teacher/98_site_test.html")):
            hrefs = [a["href"] for t, a in tags(p) if t == "a" and cls in a.get("class", "")]
            assert hrefs and local_target(p, hrefs[0]) == (out / target).resolve(), (lang, cls)


def _switch(page: Path) -> dict[str, str]:
    return {a["hreflang"]: a["href"] for t, a in tags(page) if t == "a" and "crm-lang-switch" in a.get("class", "")}


def test_language_switch_lands_on_the_matching_page(built):
    _, out, _ = built
    for name in ("98_site_test", "glossary", "reproduce", "index", "kit", "teacher/98_site_test", "search"):
        for lang, other in (("en", "zh"), ("zh", "en")):
            page = out / lang / f"{name}.html"
            assert local_target(page, _switch(page)[other]) == (out / other / f"{name}.html").resolve(), (lang, name)
    page = out / "en" / "97_english_only.html"
    assert local_target(page, _switch(page)["zh"]) == (out / "zh" / "index.html").resolve()
    assert set(_switch(out / "index.html")) == {"en", "zh"}


def test_chinese_edition_chrome_is_chinese(built):
    _, out, _ = built
    page = (out / "zh" / "98_site_test.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in page
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "第 98 章 网站测试" in title and "客户关系管理教学笔记本" in title, title
    h1 = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert "网站测试" in h1
    assert 'placeholder="搜索中文版…"' in page and "搜索" in page
    assert "章节" in page and "参考" in page and "教学资料" in page  # navigation captions
    assert "客户关系管理教学笔记本编写组" in page  # footer
    for english in (">Search<", "Show code", "Navigation", "Quick search", "On this page", "Contents<",
                    "By CRM Notebooks", "Skip to main content", "Back to top"):
        assert english not in page, english
    assert '<html lang="en"' in (out / "en" / "98_site_test.html").read_text(encoding="utf-8")


def _search_docs(out: Path, lang: str) -> list[str]:
    text = (out / lang / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(re.search(r'"docnames":(\[[^\]]*\])', text).group(1))


def test_each_edition_has_its_own_search_index(built):
    _, out, _ = built
    en, zh = _search_docs(out, "en"), _search_docs(out, "zh")
    assert "98_site_test" in en and "98_site_test" in zh and "97_english_only" not in zh
    assert len(en) == len(set(en)) and len(zh) == len(set(zh)), "no page listed twice"
    term = json.dumps("网站测试")[1:-1]  # the index escapes non-ASCII
    assert term in (out / "zh" / "searchindex.js").read_text(encoding="utf-8")
    assert term not in (out / "en" / "searchindex.js").read_text(encoding="utf-8")


def test_chinese_index_holds_the_term_lists_compounds(built):
    """The zh index has the term list's compounds as words of the page that contains them, jieba had
    the term list as its user dictionary, and the search page splits queries with the index's words."""
    _, out, _ = built
    text = (out / "zh" / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    doc = index["docnames"].index("98_site_test")
    for word in ("客户流失", "帕累托图", "关键少数", "流失率"):
        files = index["terms"].get(word)
        assert files is not None and doc in (files if isinstance(files, list) else [files]), word
    userdict = out.parent / ".site" / "doctrees" / "zh" / "crm_terms_userdict.txt"
    assert "帕累托图" in userdict.read_text(encoding="utf-8").split()
    js = (out / "zh" / "_static" / "language_data.js").read_text(encoding="utf-8")
    assert "var splitQuery" in js and "Search._index" in js
    assert "var splitQuery" not in (out / "en" / "_static" / "language_data.js").read_text(encoding="utf-8")


def test_glossary_is_the_term_list_grouped_by_chapter():
    """Each concept of crmbook/terms.csv under the first of its chapters the edition has, with both
    terms, links to its chapters and the definition in the page's language; no label key, no
    interface string."""
    from crmbook import terms as T

    eds = {lang: [ChapterPage("02_why_customers_are_lost", lang, Path("a.ipynb"), {}, f"Chapter 2 {lang}"),
                  ChapterPage("05_customer_lifetime_value", lang, Path("b.ipynb"), {}, f"Chapter 5 {lang}")]
           for lang in ("en", "zh")}
    groups = pages.glossary_rows(eds["zh"])
    assert [p.nn for p, _ in groups] == ["02", "05"]
    where = {r["concept_id"]: p.nn for p, rows in groups for r in rows}
    df = T.terms()
    expected = {cid: next(c for c in chs if c in ("02", "05")) for cid, chs in zip(df["concept_id"], df["chapters"])
                if {"02", "05"} & set(chs)}
    assert where == expected, "every concept of chapters 02 and 05, each once, under its first chapter"
    assert "crm" not in where and where["customer_loss"] == "02" and where["clv"] == "05"
    for lang, other, short in (("zh", "en", "第 5 章"), ("en", "zh", "Ch. 5")):
        md = pages.glossary_markdown(lang, eds[lang])
        clv = df.set_index("concept_id").loc["clv"]
        row = (f"| {pages._md(clv[lang])} | {pages._md(clv[other])} | "
               f"[{pages._md(short)}](05_customer_lifetime_value.ipynb) | {pages._md(clv['definition_' + lang])} |")
        assert row in md, md[:2000]
        assert md.count("\n## [") == 2
        body = md.split("\n## ", 1)[1]
        assert "`" not in body and "loss.cause" not in body and "{" not in body
    zh = pages.glossary_markdown("zh", eds["zh"])
    assert "客户流失" in zh and "请回答" not in zh and "苹果" not in zh


def test_built_glossary_has_no_label_keys(built):
    _, out, _ = built
    for lang in ("en", "zh"):
        text = (out / lang / "glossary.html").read_text(encoding="utf-8")
        assert "loss.cause.price" not in text and "crmbook/terms.csv" in text


def test_reproduce_page_counts_links_and_csv(built):
    build, out, _ = built
    for lang, unit in (("en", "3 firms"), ("zh", "3家企业")):
        page = out / lang / "reproduce.html"
        text = page.read_text(encoding="utf-8")
        assert unit in text, lang
        assert "<code>98_site_test</code>" not in text
        csv_link = next(a["href"] for t, a in tags(page) if t == "a" and "crm-csv" in a.get("class", ""))
        rows = list(csv.DictReader(io.StringIO(local_target(page, csv_link).read_text(encoding="utf-8"))))
        assert {r["key"] for r in rows if r["chapter"] == "98_site_test"} == \
            {"printed.share", "paper.alpha", "count.firms", "hidden.share"}
    en = (out / "en" / "reproduce.html").read_text(encoding="utf-8")
    # four sourced numbers each from chapters 98 and 97 and guide 99 (one of them a doubtful reading): a
    # guide's numbers are reproduced too
    assert "12 numbers with a source or a printed value; 12 checked against their source, 9 match, 3 differ." in en
    zh = (out / "zh" / "reproduce.html").read_text(encoding="utf-8")
    assert "共 8 个带出处或原文数值的数字；其中 8 个与出处核对，6 个一致，2 个不一致。" in zh
    assert '<span class="crm-bad">✗ no</span>' in en and '<span class="crm-ok">✓ yes</span>' in en


@pytest.mark.parametrize("lang, heading, why", [
    ("en", "Doubtful readings", "reconstructed: the scan displaced the digits 0 and 5"),
    ("zh", "存疑的原文读法", "重构：扫描把 4[0]%~7[5]% 中的数字 0 和 5")])
def test_reproduce_page_lists_every_doubtful_reading(built, lang, heading, why):
    from crmbook.sources import doubtful

    _, out, _ = built
    page = out / lang / "reproduce.html"
    text = html.unescape(page.read_text(encoding="utf-8"))
    assert heading in text
    blocks = re.findall(r'<div class="crm-doubt" id="doubt-([^"]+)">(.*?)</div>', text, flags=re.S)
    assert [b[0] for b in blocks] == [re.sub(r"[^A-Za-z0-9\-]", "-", e) for e in doubtful().index]
    share = dict(blocks)["S2-garbled-share"]
    assert "<mark>4% ~7 %</mark>" in share and "40%～75%" in share and why in share
    assert "hidden.share" in share, "the result that rests on it"
    assert "hidden.share" not in dict(blocks)["S5-disney"]
    assert "<mark>胜利</mark>开展" in dict(blocks)["S5-disney"] and "成功开展" in dict(blocks)["S5-disney"]
    assert 'href="#doubt-S2-garbled-share"' in text, "the source passage links to its doubt"
    csv_link = next(a["href"] for t, a in tags(page) if t == "a" and "crm-csv" in a.get("class", ""))
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(local_target(page, csv_link).read_text(encoding="utf-8")))}
    assert "40%～75%" in rows["hidden.share"]["reading"] and rows["hidden.share"]["doubt"].startswith("reconstructed")
    assert rows["count.firms"]["reading"] == "" and rows["count.firms"]["doubt"] == ""


def test_reproduce_markdown_links_excerpts_and_highlights_the_number():
    page = ChapterPage("98_site_test", "en", Path("x.ipynb"), {}, "Chapter 98")
    rows = [{"chapter": "98_site_test", "key": "printed.share", "value": 68.0, "unit": "%", "expected": 68.0,
             "matches": True, "kind": "seed", "source_id": "S1", "title": "crm大客户关系管理",
             "seed_file": "001_x.txt", "excerpt_id": "S1-loss-table", "phrase": "客户流失的原因分析表",
             "excerpt": "服务态度恶劣 68%，其他", "gloss": "Poor service 68 %", "printed": "68%"},
            {"chapter": "98_site_test", "key": "paper.r", "value": 0.24, "unit": None, "expected": 0.243,
             "matches": True, "kind": "paper", "citation": "Fader, Hardie & Lee (2005)", "where": "Table 2",
             "bib_key": "nokey", "doi": "10.1287/mksc.1040.0098"},
            {"chapter": "98_site_test", "key": "data.share", "value": 0.2654, "unit": None, "expected": None,
             "matches": None, "kind": "dataset", "dataset": "wa_churn", "file": "datasets/telco/wa_churn.csv",
             "how": "churned of all"}]
    md = pages.reproduce_markdown("en", [page], rows)
    assert "data set `datasets/telco/wa_churn.csv`: churned of all" in md
    assert "wa_churn" in pages.reproduce_csv(rows).splitlines()[-1]
    assert '<a class="crm-excerpt-link" href="#excerpt-S1-loss-table">' in md
    assert '<div class="crm-excerpt" id="excerpt-S1-loss-table">' in md and "<mark>68%</mark>" in md
    assert "Poor service 68 %" in md
    assert 'href="https://doi.org/10.1287/mksc.1040.0098"' in md
    zh = pages.reproduce_markdown("zh", [ChapterPage("98_site_test", "zh", Path("x"), {}, "第 98 章")], rows)
    assert "<mark>68%</mark>" in zh and "Poor service" not in zh, "the Chinese edition shows no English gloss"
    assert "数据集 `datasets/telco/wa_churn.csv`：churned of all" in zh
    assert "2 个一致" in zh


def test_math_is_rendered_as_mathml(built):
    _, out, _ = built
    html = (out / "en" / "98_site_test.html").read_text(encoding="utf-8")
    assert "<math" in html and "$E = mc^2$" not in html


@pytest.mark.skipif(not crmsite.BIB.is_file(), reason="datasets/sources/references.bib is not there yet")
def test_citations_link_to_the_references_page(built):
    _, out, _ = built
    page = out / "en" / "98_site_test.html"
    assert "[@fader2005bgnbd]" not in page.read_text(encoding="utf-8")
    hrefs = [a["href"] for t, a in tags(page) if t == "a" and a.get("href", "").startswith("references.html#")]
    assert hrefs, "the citation links to the bibliography"
    assert "Fader" in (out / "en" / "references.html").read_text(encoding="utf-8")
    # a key hidden in an HTML comment (for JupyterLab's readers) is listed but shows nothing in the text
    assert "Schmittlein" in (out / "en" / "references.html").read_text(encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    assert "[@schmittlein1987]" not in text and "cite:empty" not in text and "Schmittlein et al. (1987)" in text


def test_a_sphinx_warning_fails_the_build(tmp_path, capsys):
    _chapter(tmp_path, "98_site_test", "en", "Chapter 98 — Broken reference", warn=True)
    assert crmsite.build(tmp_path, api=False) is False
    err = capsys.readouterr().err
    assert "Sphinx failed" in err and "no_such_page_anywhere" in err


def test_no_executed_chapter_is_an_error(tmp_path, capsys):
    assert crmsite.build(tmp_path) is False
    assert "no executed chapter" in capsys.readouterr().err


def test_prepare_notebook_leaves_the_executed_notebook_alone(built):
    build, _, _ = built
    path = build / "notebooks" / "98_site_test.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    before = json.dumps(nb, sort_keys=True)
    page = next(p for p in crmsite.collect(build, log=lambda m: None)["en"] if p.chapter == "98_site_test")
    copy = crmsite.prepare_notebook(nb, page)
    assert json.dumps(nb, sort_keys=True) == before
    assert "widgets" not in copy["metadata"]
    assert copy["cells"][1]["source"].startswith('<div class="crm-runit"')


# ----------------------------------------------------------------------------- the kit
def test_deck_is_one_sequence_with_text_notes_figures_numbers_and_no_code(built):
    _, out, _ = built
    for lang in ("en", "zh"):
        deck = out / "kit" / lang / "98_site_test.html"
        html = deck.read_text(encoding="utf-8")
        assert "<h2>Section one</h2>" in html and "A subsection" in html
        slides = re.findall(r'<section class="[^"]*"[^>]*>(.*?)</section>', html, re.S)
        assert slides and not any("<section" in s for s in slides), "no vertical stacks"
        shown = [re.sub(r'<aside class="notes">.*?</aside>', "", s, flags=re.S) for s in slides]
        notes = "".join(re.findall(r'<aside class="notes">(.*?)</aside>', html, re.S))
        assert any("first paragraph" in s for s in shown)
        assert any("It asks 25 lost customers." in s for s in shown), "a parameter shows its value"
        assert not any("size_n" in re.sub(r'<p class="crm-params">.*?</p>', "", s) for s in shown), \
            "parameter names only in the title slide's line that states the run's parameters"
        assert "Second paragraph" in notes, "the prose the slide leaves out is in the speaker notes"
        fig = re.search(r'<section class="crm-figure-slide" id="figure-98-1">(.*?)</section>', html, re.S)
        assert fig and f"{LABEL[lang]} 98.1" in fig.group(1)
        assert "plumbing_marker" not in html and "answer_9_1" not in html and "print(" not in html
        assert "parameters_note_marker" not in html, "a cell the slide metadata skips is not on a slide"
        # key numbers with their labels (ch98.key.*), never the record keys
        assert "printed.share" not in html and "internal.only" not in html
        assert ("Printed share" if lang == "en" else "原文比例") in html
        assert ("68 %" if lang == "en" else "68%") in html
        assert "<math" in html, "inline math rendered to MathML"
        srcs = [a.get("src") or a.get("href") for t, a in tags(deck) if t in ("script", "link", "img")
                and (a.get("src") or a.get("href"))]
        assert any(s.endswith("kit/revealjs/reveal.js") for s in srcs)
        assert any(s.endswith("kit/revealjs/plugin/notes/notes.js") for s in srcs)
        for s in srcs:
            assert local_target(deck, s).is_file(), s
        assert (out / "kit" / lang / "98_site_test.pptx").is_file()


def test_title_slide_and_page_state_the_parameters_that_differ(built):
    _, out, _ = built
    deck = (out / "kit" / "en" / "98_site_test.html").read_text(encoding="utf-8")
    title = re.search(r'<section class="crm-title".*?</section>', deck, re.S).group(0)
    assert "size_n = 25 (default 10)" in title and "seed" not in title
    page = (out / "en" / "98_site_test.html").read_text(encoding="utf-8")
    assert "size_n = 25 (default 10)" in page and "lang=en" not in page
    assert "size_n = 25（默认 10）" in (out / "zh" / "98_site_test.html").read_text(encoding="utf-8")
    plain = (out / "kit" / "en" / "97_english_only.html").read_text(encoding="utf-8")
    assert "crm-params" not in plain, "a run with the default parameters states none"


def test_figure_pack_holds_every_figure_and_the_captions(built):
    build, out, _ = built
    for lang, caption in (("en", "A test line"), ("zh", "测试用的直线")):
        with zipfile.ZipFile(out / "kit" / lang / f"98_site_test-figures-{lang}.zip") as z:
            names = set(z.namelist())
            folder = f"98_site_test-figures-{lang}"
            assert {f"{folder}/fig-98-{k}-{s}.{e}" for k, s in ((1, "line"), (2, "saved-only"))
                    for e in ("png", "svg")} <= names
            assert all(n.startswith(folder + "/") for n in names), "the editions unpack to their own folders"
            rows = list(csv.reader(io.StringIO(z.read(f"{folder}/captions.csv").decode("utf-8-sig"))))
        assert len(rows) == 5, "one row per file"
        assert [r[2] for r in rows[1:3]] == ["fig-98-1-line.png", "fig-98-1-line.svg"]
        assert rows[1][0] == f"{LABEL[lang]} 98.1" and rows[1][1] == caption and rows[1][3] == "PNG"
        assert all(" " not in r[2] for r in rows[1:]), "one file name per cell"
        # figure 98.1's cell records the share (S-source) of its section; 98.2 is saved in another cell
        assert "001_test.txt" in rows[1][4] and "Fader" not in rows[1][4]


def test_teacher_page_sections(built):
    _, out, _ = built
    html = (out / "zh" / "teacher" / "98_site_test.html").read_text(encoding="utf-8")
    assert "教学指南" in html and "练习答案" in html and "本章练习尚未提供答案" in html


@pytest.mark.parametrize("nn", [f"{n:02d}" for n in range(1, 8)])
def test_teacher_texts_of_every_chapter(nn):
    """Every chapter has goals, a 45- and a 90-minute plan (minutes add up), discussion and choice
    questions, in both languages; the answer of each choice question is one of its options (the rest
    of the teacher pages' checks: tests/test_teacher.py)."""
    for lang in ("en", "zh"):
        tx = kit.teacher_texts(nn, lang)
        assert len(tx["goals"]) >= 3
        assert sum(m for m, _ in tx["plan45"]) == 45 and sum(m for m, _ in tx["plan90"]) == 90
        assert len(tx["discussion"]) >= 2 and len(tx["mcq"]) >= 2
        for q in tx["mcq"]:
            assert q["q"] and len(q["options"]) >= 3 and q["why"]
            assert q["answer"] and set(q["answer"]) <= set(q["options"]), q
        if lang == "zh":
            text = " ".join(tx["goals"] + [t for _, t in tx["plan45"] + tx["plan90"]] +
                            [d["text"] for d in tx["discussion"]])
            assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 150




def test_exercise_answers_agree_with_the_checkers():
    """Where an exercise set exposes its answers, the teacher's key is what its checker accepts."""
    found = 0
    for nn in [f"{n:02d}" for n in range(1, 8)]:
        for lang in ("en", "zh"):
            answers = kit.exercise_answers(nn, lang)
            if answers is None:
                continue
            found += 1
            for a in answers:
                assert a["feedback"].ok is True, (nn, lang, a["number"])
    if not found:
        pytest.skip("no exercise set exposes its answers yet (crmbook.exercises ExerciseSet.bind().solutions())")


def test_slide_metadata_tool(tmp_path):
    import slide_metadata

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nintro"),
                nbformat.v4.new_markdown_cell("**Parameters**: `lang` is the edition."),
                nbformat.v4.new_code_cell("lang = 'en'", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_markdown_cell("## 2.1 Section"),
                nbformat.v4.new_markdown_cell("More text"),
                nbformat.v4.new_markdown_cell("### A subsection"),
                nbformat.v4.new_code_cell("ch.figure(fig, '2.1', 'pareto')"),
                nbformat.v4.new_code_cell("x = 1")]
    path = tmp_path / "02_x.ipynb"
    nbformat.write(nb, str(path))
    assert slide_metadata.main([str(path)]) == 0
    got = [c.metadata["slideshow"]["slide_type"] for c in nbformat.read(str(path), as_version=4).cells]
    assert got == ["slide", "skip", "skip", "slide", "-", "subslide", "fragment", "skip"], \
        "the note on the parameters is for the notebook, not the slides"
    assert slide_metadata.main(["--check", str(path)]) == 0
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[3].metadata["slideshow"]["slide_type"] = "-"
    nbformat.write(nb, str(path))
    assert slide_metadata.main(["--check", str(path)]) == 1


# ----------------------------------------------------------------------------- the real chapters
@pytest.mark.notebook
def test_site_from_the_chapters(chapter_runs, built_site):
    """Every chapter that ran has a page per edition showing each recorded figure with its caption, a deck
    with every figure, a figure pack and a teacher's page; the API reference documents crmlib."""
    build, outcomes = chapter_runs
    out, ok = built_site
    assert ok
    ran = [key for key, o in outcomes.items() if o.ok]
    assert ran, "no chapter ran"
    from crmbook.layout import notebook_kind

    for chapter, lang in ran:
        o = outcomes[(chapter, lang)]
        page = out / lang / f"{chapter}.html"
        assert page.is_file(), page
        text = page.read_text(encoding="utf-8")
        figures = json.loads((_edition(build / "results", lang) / f"{chapter}.json")
                             .read_text(encoding="utf-8"))["figures"]
        deck_file = out / "kit" / lang / f"{chapter}.html"
        deck = deck_file.read_text(encoding="utf-8") if deck_file.is_file() else ""
        for number, fig in figures.items():
            anchor = f'id="figure-{number.replace(".", "-")}"'
            assert anchor in text, f"{chapter} [{lang}]: figure {number}"
            assert anchor in deck or notebook_kind(o.job.output) == "guide", f"{chapter} [{lang}] deck: figure {number}"
            assert fig["label"] in text
        assert 'class="output error"' not in text and "Traceback (most recent call last)" not in text
        if notebook_kind(o.job.output) == "guide":   # a guide: no slides, figure pack or teacher's page
            assert not (out / "kit" / lang / f"{chapter}.html").exists()
            assert not (out / lang / "teacher" / f"{chapter}.html").exists()
            continue
        with zipfile.ZipFile(out / "kit" / lang / f"{chapter}-figures-{lang}.zip") as z:
            assert len([n for n in z.namelist() if n.endswith(".png")]) == len(figures)
        assert (out / lang / "teacher" / f"{chapter}.html").is_file()
    # the glossary of each edition lists every concept of the chapters that ran, in both languages
    from html import unescape

    from crmbook import terms as T

    def plain(s: str) -> str:   # Sphinx's smart quotes
        return s.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'}))

    for lang in {lg for _, lg in ran}:
        text = plain(unescape((out / lang / "glossary.html").read_text(encoding="utf-8")))
        nns = {c[:2] for c, lg in ran if lg == lang}
        for _, rows in T.by_chapter(nns):
            for r in rows:
                assert all(plain(r[k]) in text for k in ("zh", "en", f"definition_{lang}")), (lang, r["concept_id"])
    api = (out / "en" / "api.html").read_text(encoding="utf-8")
    for mod in ("crmlib.loss", "crmbook.chapter", "crmlib.plotting.loss"):
        assert f'id="module-{mod}"' in api, mod
    assert api.index('id="module-crmlib"') < api.index('id="module-crmbook"')       # the library first
    # what a user calls on a class, inherited from the packages' own private bases, not statsmodels' own
    for member in ("BetaGeo.fit", "BetaGeoResults.summary", "BetaGeoResults.conf_int",
                   "BetaGeoResults.frequency_recency_matrix", "CloseModel.conf_int"):
        assert f'.{member}"' in api, member
    assert ".BetaGeoResults.t_test\"" not in api and ".BetaGeo.hessian\"" not in api
    # every chapter's "crmlib used here" links each module to its entry in the API reference
    for chapter, lang in ran:
        page = out / lang / f"{chapter}.html"
        links = [a["href"] for t, a in tags(page) if t == "a" and "crm-api-link" in a.get("class", "")]
        assert links, f"{chapter} [{lang}]: no crmlib used here"
        for href in links:
            target, _, anchor = href.partition("#")
            assert local_target(page, target) == (out / "en" / "api.html").resolve()
            assert f'id="{anchor}"' in api, f"{chapter} [{lang}]: {href}"


def test_site_builder_is_not_part_of_crmlib():
    assert not (ROOT / "crmlib" / "site.py").exists()
    r = subprocess.run([sys.executable, str(ROOT / "site" / "build.py"), "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--build" in r.stdout


def test_a_rebuild_runs_the_chapters_that_never_ran(tmp_path):
    """After one chapter's run in a fresh build folder, ``site/build.py`` first runs the others (both
    editions, default parameters), so the site keeps every chapter."""
    from crmbook import runner

    chapters = [nb.stem for nb in runner.discover()]
    ran = tmp_path / "notebooks" / f"{chapters[0]}.ipynb"
    ran.parent.mkdir(parents=True)
    ran.write_text("{}", encoding="utf-8")
    jobs = crmsite.missing_runs(tmp_path)
    want = {(c, lang) for c in chapters for lang in ("en", "zh")} - {(chapters[0], "en")}
    assert {(j.chapter, j.lang) for j in jobs} == want
    assert all(set(j.parameters) == {"lang", "small"} and j.parameters["small"] is False for j in jobs)


def test_unchanged_decks_keep_their_powerpoint_and_pdf(built, tmp_path):
    """A rebuild copies a deck's PowerPoint file and PDF when the deck, its images and the deck code are
    unchanged, and makes them again when a figure changed."""
    import shutil

    build, out, _ = built
    copy = tmp_path / "build"
    shutil.copytree(build, copy, ignore=shutil.ignore_patterns("site", ".site"))
    fake_pdf = out / "kit" / "en" / "98_site_test.pdf"
    fake_pdf.write_bytes(b"%PDF-1.4 made last time")
    editions = crmsite.collect(copy, log=lambda m: None)
    todo, jobs = kit.write_decks(copy, tmp_path / "again", editions, previous=out)
    assert all(deck is None for _, _, deck in todo), "every PowerPoint file is the last build's"
    pptx = "kit/en/98_site_test.pptx"
    assert (tmp_path / "again" / pptx).read_bytes() == (out / pptx).read_bytes()
    assert (tmp_path / "again" / "kit/en/98_site_test.pdf").read_bytes() == fake_pdf.read_bytes()
    assert "98_site_test.html" not in {j.html.name for j in jobs if j.html.parent.name == "en"}
    fig = copy / "figures" / "98_site_test" / "fig-98-1-line.png"
    fig.write_bytes(fig.read_bytes() + b"\0")
    todo, jobs = kit.write_decks(copy, tmp_path / "changed", editions, previous=out)
    assert [p.chapter for p, _, deck in todo if deck is not None and p.lang == "en"] == ["98_site_test"]
    assert any(j.html.name == "98_site_test.html" and j.html.parent.name == "en" for j in jobs)
    fake_pdf.unlink()
