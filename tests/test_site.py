"""crmlib.site: the static site built from executed notebooks (Sphinx + myst-nb, warnings as errors).

Most tests build a site from a small, hand-made build folder (two chapters,
one of them English only, and one failed run) so they run without executing
any chapter; ``test_site_from_the_chapters`` builds from the real chapters
(small mode, the session's ``chapter_runs``).
"""
from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import matplotlib.pyplot as plt
import nbformat
import pytest

from crmlib import site
from crmlib.chapter import Chapter, paper_source, seed_source
from crmlib.i18n import glossary


# ----------------------------------------------------------------------------- helpers
class _Links(HTMLParser):
    """Collects tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags(path: Path) -> list[tuple[str, dict[str, str]]]:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p.tags


def local_target(page: Path, url: str) -> Path | None:
    """The file a relative URL on ``page`` points to, or None for external / in-page links."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return (page.parent / unquote(parts.path)).resolve()


def _chapter(build: Path, name: str, lang: str, title: str, *, fail: bool = False, math: bool = False,
             warn: bool = False) -> None:
    """Write one executed-looking chapter (notebook, results, figure files) into ``build``."""
    ch = Chapter(name, lang=lang, seed=3, small=True, build_dir=build, display=False, size_n=10)
    no = int(name[:2])
    ch.record("printed.share", 68.0, unit="%", source=seed_source("001_test.txt", "表 1-1"), expected=68.0)
    ch.record("paper.alpha", 0.5, source=paper_source("Fader et al. (2005)", "Table 2"), expected=0.25)
    ch.record("internal.only", 3.0)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    caption = "A test line" if lang == "en" else "测试用的直线"
    ch.figure(fig, f"{no}.1", "line", caption)
    png = ch.figures_dir / f"fig-{no}-1-line.png"
    fig, ax = plt.subplots()
    ax.bar([0, 1], [2, 1])
    ch.figure(fig, f"{no}.2", "saved-only", "Saved but not shown inline")  # the notebook shows no Figure N.2
    ch.save()
    label = "Figure" if lang == "en" else "图"
    image = base64.b64encode(png.read_bytes()).decode()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    nb.metadata["papermill"] = {"exception": None, "parameters": {"lang": lang}}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    intro = f"# {title}\n\nIntro text for the test chapter." + (" Energy is $E = mc^2$." if math else "")
    cells = [
        nbformat.v4.new_markdown_cell(intro),
        nbformat.v4.new_code_cell('lang = "en"\nseed = 3\nsmall = False\nbuild_dir = None\nsize_n = 10',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(f'lang = "{lang}"\nbuild_dir = "/injected/by/papermill"',
                                  metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_markdown_cell("## Section one\n\nText between the cells."),
        nbformat.v4.new_code_cell("plumbing_marker = ch.figure(fig, 'N.1', 'line', caption)", outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": image, "text/plain": "<Figure>"}),
            nbformat.v4.new_output("display_data", data={"text/markdown": f"**{label} {no}.1.** {caption}",
                                                         "text/plain": "<IPython.core.display.Markdown>"}),
            nbformat.v4.new_output("execute_result", data={"text/plain": f"PosixPath('{png}')"},
                                   execution_count=3),
        ]),
        nbformat.v4.new_code_cell("print('stream text from the chapter')", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="stream text from the chapter\n"),
            nbformat.v4.new_output("stream", name="stderr", text=(
                "findfont: Failed to find font weight bold for WenQuanYi Micro Hei, now using 400.\n"
                "UserWarning: a warning the reader should see\n")),
            nbformat.v4.new_output("display_data", data={"text/plain": "<Figure size 640x480 with 1 Axes>"})]),
        nbformat.v4.new_code_cell("w = slider", outputs=[nbformat.v4.new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2,
                                                         "version_minor": 0},
            "text/plain": "IntSlider(value=5)"})]),
        nbformat.v4.new_code_cell("answer_9_1 = None   # your answer\nex.check('9.1', answer_9_1)"),
    ]
    if warn:
        cells.append(nbformat.v4.new_markdown_cell("See {doc}`no_such_page_anywhere`."))
    if fail:
        cells.append(nbformat.v4.new_code_cell("1 / 0", outputs=[nbformat.v4.new_output(
            "error", ename="ZeroDivisionError", evalue="division by zero",
            traceback=["Traceback (most recent call last)", "ZeroDivisionError: division by zero"])]))
    nb.cells = cells
    out = build / "notebooks" / ("" if lang == "en" else lang) / f"{name}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(out))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A build folder with chapter 98 (en + zh, with math), 97 (en only) and a failed 96; its site."""
    build = tmp_path_factory.mktemp("sitebuild")
    for lang in ("en", "zh"):
        _chapter(build, "98_site_test", lang, "Chapter 98 — Site test (网站测试)", math=True)
    _chapter(build, "97_english_only", "en", "Chapter 97 — English only")
    _chapter(build, "96_failed_run", "en", "Chapter 96 — Failed", fail=True)
    ok = site.build(build)
    return build, build / "site", ok


# ----------------------------------------------------------------------------- tests
def test_build_succeeds_with_a_page_per_chapter_and_edition(built):
    build, out, ok = built
    assert ok
    for page in ("index.html", "en/index.html", "zh/index.html", "en/98_site_test.html",
                 "zh/98_site_test.html", "en/97_english_only.html", "en/glossary.html", "zh/glossary.html",
                 "en/reproduce.html", "zh/reproduce.html"):
        assert (out / page).is_file(), page
    assert not (out / "zh" / "97_english_only.html").exists()
    assert not (build / "jupyter_execute").exists(), "myst-nb's work folder must stay inside .site/"


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
                        assert target.is_file(), f"{page.relative_to(out)}: {attr}={url} -> missing {target}"
                        checked += 1
    assert checked > 50


def test_nothing_is_loaded_from_the_network(built):
    _, out, _ = built
    for page in out.rglob("*.html"):
        for tag, attrs in tags(page):
            url = attrs.get("src") if tag in ("script", "img", "iframe") else (
                attrs.get("href") if tag == "link" else None)
            assert not url or not re.match(r"(https?:)?//", url), f"{page.name} loads {url}"
        text = page.read_text(encoding="utf-8").lower()
        assert "mathjax" not in text and "require.min.js" not in text, page


def test_figures_have_numbered_captions_anchors_and_downloads(built):
    build, out, _ = built
    for lang, label, caption in (("en", "Figure 98.1.", "A test line"), ("zh", "图 98.1.", "测试用的直线")):
        page = out / lang / "98_site_test.html"
        html = page.read_text(encoding="utf-8")
        fig = re.search(r'<figure class="crm-figure" id="figure-98-1">(.*?)</figure>', html, re.S)
        assert fig, f"{lang}: no figure element"
        assert label in fig.group(1) and caption in fig.group(1)
        imgs = [a for t, a in tags(page) if t == "img"]
        assert len(imgs) == 1, "the inline copy of the figure must be replaced, not shown twice"
        recorded = json.loads((build / "results" / ("" if lang == "en" else lang) / "98_site_test.json")
                              .read_text(encoding="utf-8"))["figures"]["98.1"]
        img = local_target(page, imgs[0]["src"])
        assert img.read_bytes() == (build / recorded["png"]).read_bytes()
        downloads = {a["href"] for t, a in tags(page) if t == "a" and "download" in a}
        for key in ("png", "svg"):
            assert any(local_target(page, h) == (out / "figures" / Path(recorded[key]).relative_to("figures"))
                       .resolve() for h in downloads), f"{lang}: no {key} download"


def test_code_is_collapsed_except_exercise_answers(built):
    _, out, _ = built
    html = (out / "en" / "98_site_test.html").read_text(encoding="utf-8")
    hidden = re.findall(r'<details class="[^"]*hide[^"]*above-input">(.*?)</details>', html, re.S)
    assert any("plumbing_marker" in h for h in hidden), "plumbing code must sit in a collapsed <details>"
    assert not any("answer_9_1" in h for h in hidden), "exercise answer cells stay visible"
    assert "answer_9_1" in html
    assert "/injected/by/papermill" not in html, "papermill's injected-parameters cell must be removed"
    assert "stream text from the chapter" in html
    assert "PosixPath" not in html and "IntSlider" not in html and "Figure size" not in html
    assert "findfont" not in html and "a warning the reader should see" in html


def test_run_it_box_and_notebook_download(built):
    build, out, _ = built
    page = out / "en" / "98_site_test.html"
    html = page.read_text(encoding="utf-8")
    assert "make lab" in html
    assert "python -m crmlib run 98 -p lang zh" in html
    assert "<code>size_n</code>" in html, "the chapter's own parameters are listed"
    link = next(a["href"] for t, a in tags(page) if t == "a" and "crm-notebook-download" in a.get("class", ""))
    assert local_target(page, link).read_bytes() == (build / "notebooks" / "98_site_test.ipynb").read_bytes()
    zh = (out / "zh" / "98_site_test.html").read_text(encoding="utf-8")
    assert "自己运行" in zh and "make lab" in zh
    # every recorded figure is listed: shown ones link to their anchor, the others to their PNG
    assert 'href="#figure-98-1"' in html and 'id="figure-98-2"' not in html
    assert 'href="../figures/98_site_test/fig-98-2-saved-only.png">Figure 98.2</a>' in html


def _switch(page: Path) -> dict[str, str]:
    return {a["hreflang"]: a["href"] for t, a in tags(page) if t == "a" and "crm-lang-switch" in a.get("class", "")}


def test_language_switch_lands_on_the_matching_page(built):
    _, out, _ = built
    for name in ("98_site_test", "glossary", "reproduce", "index"):
        assert local_target(out / "en" / f"{name}.html", _switch(out / "en" / f"{name}.html")["zh"]) == \
            (out / "zh" / f"{name}.html").resolve()
        assert local_target(out / "zh" / f"{name}.html", _switch(out / "zh" / f"{name}.html")["en"]) == \
            (out / "en" / f"{name}.html").resolve()
    # a chapter with no Chinese run: the switch goes to the Chinese edition's index
    assert local_target(out / "en" / "97_english_only.html", _switch(out / "en" / "97_english_only.html")["zh"]) \
        == (out / "zh" / "index.html").resolve()
    assert set(_switch(out / "index.html")) == {"en", "zh"}
    assert '<html lang="zh-CN"' in (out / "zh" / "98_site_test.html").read_text(encoding="utf-8")


def test_glossary_lists_every_label_in_both_editions(built):
    _, out, _ = built
    rows = glossary()
    assert rows
    for lang in ("en", "zh"):
        text = (out / lang / "glossary.html").read_text(encoding="utf-8")
        text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"') \
            .replace("&#39;", "'").replace("’", "'")  # Sphinx's smart quotes
        missing = [r["key"] for r in rows if r["key"] not in text or r["zh"] not in text or r["en"] not in text]
        assert not missing, f"{lang}: glossary lacks {missing[:5]}"


def test_reproduce_page_lists_sourced_numbers_and_verdicts():
    page = site.ChapterPage("98_site_test", "en", Path("x.ipynb"), {"results": {
        "printed.share": {"value": 68.0, "unit": "%", "expected": 68.0, "matches": True,
                          "source": seed_source("001_test.txt", "表 1-1")},
        "paper.alpha": {"value": 0.5, "expected": 0.25, "matches": False,
                        "source": paper_source("Fader et al. (2005)", "Table 2")},
        "internal.only": {"value": 3.0},
    }}, "Chapter 98 — Site test")
    md = site.reproduce_markdown("en", [page])
    lines = [re.sub(r"\\(.)", r"\1", line) for line in md.splitlines()]  # drop Markdown escapes
    share = next(line for line in lines if "`printed.share`" in line)
    assert "68 %" in share and "`001_test.txt`" in share and "表 1-1" in share and "✓ yes" in share
    alpha = next(line for line in lines if "`paper.alpha`" in line)
    assert "Fader et al. (2005)" in alpha and "Table 2" in alpha and "✗ no" in alpha
    assert "internal.only" not in md
    assert "2 numbers with a source or a printed value; 2 checked, 1 match, 1 differ." in md


def test_reproduce_page_is_built_from_recorded_results(built):
    _, out, _ = built
    text = (out / "en" / "reproduce.html").read_text(encoding="utf-8")
    assert "001_test.txt" in text and "Fader et al. (2005)" in text
    assert '<span class="crm-bad">✗ no</span>' in text and '<span class="crm-ok">✓ yes</span>' in text
    assert "internal.only" not in text
    zh = (out / "zh" / "reproduce.html").read_text(encoding="utf-8")
    assert "复现核对" in zh and "001_test.txt" in zh


def test_math_is_rendered_as_mathml(built):
    _, out, _ = built
    html = (out / "en" / "98_site_test.html").read_text(encoding="utf-8")
    assert "<math" in html and "$E = mc^2$" not in html


def test_a_sphinx_warning_fails_the_build(tmp_path, capsys):
    _chapter(tmp_path, "98_site_test", "en", "Chapter 98 — Broken reference", warn=True)
    assert site.build(tmp_path) is False
    err = capsys.readouterr().err
    assert "Sphinx failed" in err and "no_such_page_anywhere" in err


def test_no_executed_chapter_is_an_error(tmp_path, capsys):
    assert site.build(tmp_path) is False
    assert "no executed chapter" in capsys.readouterr().err


def test_prepare_notebook_leaves_the_executed_notebook_alone(built):
    build, _, _ = built
    path = build / "notebooks" / "98_site_test.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    before = json.dumps(nb, sort_keys=True)
    pages = site.collect(build, log=lambda msg: None)
    copy = site.prepare_notebook(nb, next(p for p in pages["en"] if p.chapter == "98_site_test"))
    assert json.dumps(nb, sort_keys=True) == before
    assert "widgets" not in copy["metadata"]
    assert copy["cells"][1]["source"].startswith('<div class="crm-runit"')


@pytest.mark.notebook
def test_site_from_the_chapters(chapter_runs, built_site):
    """Every chapter that ran has a page per edition showing each recorded figure with its caption."""
    build, outcomes = chapter_runs
    out, ok = built_site
    assert ok
    ran = [key for key, o in outcomes.items() if o.ok]
    assert ran, "no chapter ran"
    for chapter, lang in ran:
        page = out / lang / f"{chapter}.html"
        assert page.is_file(), page
        text = page.read_text(encoding="utf-8")
        figures = json.loads((build / "results" / ("" if lang == "en" else lang) / f"{chapter}.json")
                             .read_text(encoding="utf-8"))["figures"]
        for number, fig in figures.items():
            assert f'id="figure-{number.replace(".", "-")}"' in text, f"{chapter} [{lang}]: figure {number}"
            assert fig["label"] in text
        assert 'class="output error"' not in text and "Traceback (most recent call last)" not in text
