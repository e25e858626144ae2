"""Every lecture deck of both editions in a real browser, stepped through as a lecturer does.

The site is built from the session's small-mode chapter runs (``built_site`` in
``tests/conftest.py``). One headless Chromium (Debian's, driven by Playwright;
never a downloaded browser) opens each deck from ``file://`` at 1280 × 720 and
presses only the right arrow, from the first slide to the last, revealing each
answer on the way. Every slide is screenshotted to
``build/screenshots/decks/<lang>/<chapter>/NN.png`` and fails the test when:

* the deck has a vertical stack (a slide inside a slide), or the right arrow does
  not reach the next slide;
* anything on it lies outside the 1280 × 720 slide, or an image has not loaded;
* a figure's smallest text is under :data:`MIN_TEXT_PX` on the slide — computed,
  as ``min_font_pt × shown height / (height_in × 72)``, from the record the
  chapter wrote when it saved the figure;
* its text holds a record key of the chapter's results, a parameter name of the
  notebook (names with an underscore; single English words such as ``margin`` are
  words), ``\\$``, ``*…*``, a number in e-notation or a raw citation key — except
  the title slide's line that states the run's parameters, which names them on
  purpose;
* on a Chinese slide, a Latin word outside formulas and verbatim quotations that
  is not in ``crmsite.deck.LATIN_OK`` (abbreviations, names of models, firms and
  software, function names) or an author of ``references.bib``;
* its text runs to more than :data:`MAX_LINES` lines (paragraphs, list items,
  quotes, captions — not titles, tables or formulas).

Every result recorded with a source needs its label ``chNN.key.<record key>`` (the
key-numbers slides show the label, never the key).

Per chapter, the deck has at least as many display formulas, source tables
(Markdown tables and ``ch.table`` outputs) and block quotes as the chapter, and
every figure. The PDF has one page per slide; the PowerPoint file opens with
python-pptx and has the same slides, one picture per figure image and display
formula, and the same slides with speaker notes. The speaker view (S) opens
offline and shows the notes.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "build" / "screenshots" / "decks"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
W, H = 1280, 720
MIN_TEXT_PX = 17.5          # "about 18 px"
MAX_LINES = 6
#: Latin words a Chinese slide may show: crmsite.deck.LATIN_OK (abbreviations, names of models, firms,
#: software and data sets, function names in formulas) and the authors of references.bib.
LATIN_OK: set[str] = set()   # filled from crmsite.deck.latin_ok() (the deck builder's documented list)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; "
                                                ".ci/run does this in CI)"),
]

# --------------------------------------------------------------------------- what a slide may not show
_STEP_JS = """() => {
  const s = document.querySelector('.reveal .slides > section.present');
  const skip = 'aside, math, .crm-params, script, style';
  const walker = document.createTreeWalker(s, NodeFilter.SHOW_TEXT, {acceptNode: n =>
      n.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  let text = '', latin = '', block = null;
  while (walker.nextNode()) {
    const node = walker.currentNode, here = node.parentElement.closest('p, li, td, th, h1, h2, div, blockquote');
    const sep = here === block ? '' : ' ';   // words of one paragraph stay whole across <strong> etc.
    block = here;
    text += sep + node.nodeValue;
    if (!node.parentElement.closest('blockquote')) latin += sep + node.nodeValue;
  }
  const all = Array.from(s.querySelectorAll('*')).filter(e => !e.closest('aside'));
  const out = all.filter(e => { const r = e.getBoundingClientRect();
      return r.width > 0 && (r.right > %(W)d + 1 || r.bottom > %(H)d + 1 || r.left < -1 || r.top < -1); })
      .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40));
  let lines = 0;
  for (const e of s.querySelectorAll('p, li')) {
    if (e.closest('aside, table, .crm-math, h1, h2') || e.querySelector('p, li')) continue;
    const lh = parseFloat(getComputedStyle(e).lineHeight) || parseFloat(getComputedStyle(e).fontSize) * 1.3;
    lines += Math.round(e.getBoundingClientRect().height / lh);
  }
  const imgs = Array.from(s.querySelectorAll('img')).map(i => ({src: i.getAttribute('src'),
      ok: i.complete && i.naturalWidth > 0, h: i.getBoundingClientRect().height}));
  return {text, latin, out, lines, imgs, stacked: s.querySelectorAll('section').length,
          kind: s.className, fullText: s.innerText};
}""" % {"W": W, "H": H}


def _latin_ok() -> set[str]:
    import sys

    sys.path.insert(0, str(ROOT / "site"))
    from crmsite.deck import latin_ok

    return set(latin_ok())


def _bib() -> tuple[set[str], set[str]]:
    """Keys and author surnames of references.bib."""
    bib = ROOT / "datasets" / "sources" / "references.bib"
    if not bib.is_file():
        return set(), set()
    text = bib.read_text(encoding="utf-8")
    keys = set(re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", text, re.M))
    names: set[str] = set()
    for authors in re.findall(r"author\s*=\s*[{\"](.+?)[}\"]\s*,?\s*$", text, re.M | re.I):
        for a in authors.split(" and "):
            last = a.split(",")[0].strip(" {}")
            names.update(w for w in re.split(r"[\s\-]+", last) if w)
    return keys, names


def chapter_facts(build: Path, chapter: str, lang: str) -> dict:
    """What the checks need to know of one chapter run: result keys, parameter names, figure records by
    file name, and the counts of display formulas, tables and block quotes in the executed notebook."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    edition = "" if lang == "en" else lang
    res = json.loads((build / "results" / edition / f"{chapter}.json").read_text(encoding="utf-8"))
    nb = json.loads((build / "notebooks" / edition / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    figs = {}
    for fig in res["figures"].values():
        for rec in [fig, *(fig.get("deck") or [])]:
            figs[Path(rec["png"]).name] = rec
    params: list[str] = []
    md = MarkdownIt("commonmark").enable("table")
    dollarmath_plugin(md, double_inline=True, allow_digits=False)
    counts = {"math": 0, "table": 0, "quote": 0}
    for cell in nb["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if "parameters" in (cell.get("metadata", {}).get("tags") or []):
            params = re.findall(r"^([A-Za-z_]\w*)\s*=", src, re.M)
        if cell["cell_type"] == "markdown":
            for tok in md.parse(src):
                if tok.type == "math_block" or (tok.type == "fence" and tok.info.strip() == "{math}"):
                    counts["math"] += 1
                elif tok.type == "table_open":
                    counts["table"] += 1
                elif tok.type == "blockquote_open" and tok.level == 0:
                    counts["quote"] += 1
        elif cell["cell_type"] == "code" and not re.search(r"\.exercises\(", src):
            for out in cell.get("outputs") or []:
                html = (out.get("data") or {}).get("text/html") or ""
                if "<table" in ("".join(html) if isinstance(html, list) else html):
                    counts["table"] += 1
    import crmbook  # noqa: F401  (the book's label tables)
    from crmlib.i18n import t

    unlabelled = []
    for key, entry in res["results"].items():
        try:
            if entry.get("source"):
                t(f"ch{chapter[:2]}.key.{key}", lang)
        except KeyError:
            unlabelled.append(key)
    return {"keys": set(res["results"]), "params": {p for p in params if "_" in p}, "figures": figs,
            "counts": counts, "n_figures": len(res["figures"]), "unlabelled": unlabelled}


def slide_problems(info: dict, facts: dict, lang: str, bib_keys: set[str], latin_ok: set[str]) -> list[str]:
    """Everything wrong with one slide (see the module docstring); ``info`` is what _STEP_JS returned."""
    bad = []
    text = info["text"]
    if info["stacked"]:
        bad.append("a vertical stack")
    if info["out"]:
        bad.append(f"outside the {W}×{H} slide: {info['out'][:3]}")
    for img in info["imgs"]:
        if not img["ok"]:
            bad.append(f"image not loaded: {img['src']}")
            continue
        rec = facts["figures"].get(Path(img["src"] or "").name)
        if rec and rec.get("min_font_pt") and rec.get("height_in"):
            px = rec["min_font_pt"] * img["h"] / (rec["height_in"] * 72)
            if px < MIN_TEXT_PX:
                bad.append(f"figure {Path(img['src']).name}: smallest text {px:.1f} px")
    for key in facts["keys"]:
        if ("." in key or "_" in key) and re.search(rf"(?<![\w.]){re.escape(key)}(?![\w])", text):
            bad.append(f"record key {key!r}")
    for name in facts["params"]:
        if re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text):
            bad.append(f"parameter name {name!r}")
    if "\\$" in text:
        bad.append("a TeX/Markdown escape \\$")
    if re.search(r"(?<![\w*])\*[^\s*][^*\n]*\*(?![\w*])", text):
        bad.append(f"Markdown emphasis marks: {re.search(r'[*][^*]+[*]', text).group(0)!r}")
    if re.search(r"\d[eE][+-]0", text):
        bad.append("a number in e-notation")
    for key in bib_keys:
        if re.search(rf"(?<![\w]){re.escape(key)}(?![\w])", text):
            bad.append(f"raw citation key {key!r}")
    if lang == "zh":
        words = set(re.findall(r"[A-Za-zÀ-ɏ]{2,}(?:[-/][A-Za-zÀ-ɏ]+)*", info["latin"]))
        stray = sorted(w for w in words if w not in latin_ok and not all(p in latin_ok for p in re.split(r"[-/]", w)))
        if stray:
            bad.append(f"Latin words on a Chinese slide: {stray}")
    if info["lines"] > MAX_LINES:
        bad.append(f"{info['lines']} text lines")
    return bad


def step_through(pg, deck: Path, shots: Path | None) -> list[dict]:
    """Open ``deck`` and press the right arrow from the first slide to the last; per slide (all its
    fragments shown) what _STEP_JS returns, and a screenshot in ``shots``."""
    pg.goto(deck.as_uri(), wait_until="load")
    pg.wait_for_function("() => document.body.dataset.crmReady === '1'", timeout=30_000)
    total = pg.evaluate("Reveal.getTotalSlides()")
    assert pg.evaluate("document.querySelectorAll('.reveal .slides > section > section').length") == 0, \
        f"{deck.name}: vertical stacks"
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
        for old in shots.glob("*.png"):
            old.unlink()
    seen = []
    for i in range(total):
        assert pg.evaluate("Reveal.getIndices().h") == i and pg.evaluate("Reveal.getIndices().v") == 0, \
            f"{deck.name}: the right arrow did not reach slide {i + 1}"
        while pg.evaluate("Reveal.availableFragments().next"):
            pg.keyboard.press("ArrowRight")
        pg.wait_for_function("() => Array.from(document.querySelectorAll('section.present img'))"
                             ".every(i => i.complete)", timeout=10_000)
        info = pg.evaluate(_STEP_JS)
        if shots is not None:
            pg.screenshot(path=str(shots / f"{i + 1:02d}.png"))
        seen.append(info)
        pg.keyboard.press("ArrowRight")
    return seen


def pdf_pages(path: Path) -> int:
    """Pages of a PDF written by Chromium (no object streams: each page object is readable)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))


def check_pptx(path: Path, html: str) -> list[str]:
    """The PowerPoint file against its reveal.js deck: slides, pictures, notes."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs = Presentation(str(path))
    slides = list(prs.slides)
    sections = re.findall(r"<section\b.*?</section>", html, re.S)
    bad = []
    if len(slides) != len(sections):
        bad.append(f"{len(slides)} PowerPoint slides for {len(sections)} slides")
    pictures = sum(1 for s in slides for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE)
    images = html.count('<img class="crm-fig"') + html.count('class="crm-math"')
    if pictures != images:
        bad.append(f"{pictures} pictures for {images} figures and formulas")
    notes = sum(1 for s in slides if s.has_notes_slide and s.notes_slide.notes_text_frame.text.strip())
    asides = html.count('<aside class="notes">')
    if notes != asides:
        bad.append(f"{notes} slides with notes for {asides}")
    if abs(prs.slide_width / prs.slide_height - 16 / 9) > 0.01:
        bad.append("not 16:9")
    edge = 4 * 9525   # 4 px
    for i, s in enumerate(slides, 1):
        for sh in s.shapes:
            if sh.left < -edge or sh.top < -edge or sh.left + sh.width > prs.slide_width + edge \
                    or sh.top + sh.height > prs.slide_height + edge:
                bad.append(f"slide {i}: a shape past the slide's edge")
    return bad


# --------------------------------------------------------------------------- the test
def _taught(outcomes: dict) -> list[tuple[str, str]]:
    """(chapter, lang) of every chapter that ran; guides (notebook kind "guide") have no deck."""
    from crmbook.layout import notebook_kind

    return sorted((c, lang) for (c, lang), o in outcomes.items()
                  if o.ok and notebook_kind(o.job.output) != "guide")


@pytest.fixture(scope="module")
def site(built_site):
    out, ok = built_site
    assert ok, "the site build failed (see the captured output)"
    return out


def test_every_deck_steps_through_cleanly(site, chapter_runs):
    from playwright.sync_api import sync_playwright

    build, outcomes = chapter_runs
    runs = _taught(outcomes)
    assert runs, "no chapter ran"
    bib_keys, _ = _bib()
    latin_ok = _latin_ok()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": W, "height": H})
        pg = context.new_page()
        for chapter, lang in runs:
            deck = site / "kit" / lang / f"{chapter}.html"
            facts = chapter_facts(build, chapter, lang)
            seen = step_through(pg, deck, SHOTS / lang / chapter)
            for i, info in enumerate(seen, 1):
                problems += [f"{lang}/{chapter} slide {i}: {b}" for b in
                             slide_problems(info, facts, lang, bib_keys, latin_ok)]
            html = deck.read_text(encoding="utf-8")
            got = {"math": html.count('class="crm-math"'), "table": html.count('data-source="1"'),
                   "quote": html.count("<blockquote>")}
            for kind, n in facts["counts"].items():
                if got[kind] < n:
                    problems.append(f"{lang}/{chapter}: {got[kind]} {kind}(s) in the deck, {n} in the chapter")
            if facts["unlabelled"]:
                problems.append(f"{lang}/{chapter}: sourced results without a label ch{chapter[:2]}.key.<key> in "
                                f"crmbook/labels/ch{chapter[:2]}.csv: {facts['unlabelled']}")
            titles = re.findall(r"<section\b[^>]*>\s*<h[12][^>]*>(.*?)</h[12]>", html, re.S)
            sections = [i for i, t in enumerate(titles) if re.match(r"\s*\d+\.\d+\s", re.sub(r"<[^>]+>", "", t))]
            exercises = [i for i, t in enumerate(titles) if re.match(r"\s*(Exercise|练习)\s*\d", re.sub(r"<[^>]+>", "", t))]
            if exercises and sections and exercises[0] < sections[-1]:
                problems.append(f"{lang}/{chapter}: the exercises (slide title {exercises[0] + 1}) come before "
                                f"section slides (the last at title {sections[-1] + 1})")
            shown = set(re.findall(r'id="(figure-\d+-\d+)"', html))
            if len(shown) < facts["n_figures"]:
                problems.append(f"{lang}/{chapter}: {len(shown)} of {facts['n_figures']} figures in the deck")
            pdf = deck.with_suffix(".pdf")
            if pdf.is_file() and pdf_pages(pdf) != len(seen):
                problems.append(f"{lang}/{chapter}: the PDF has {pdf_pages(pdf)} pages for {len(seen)} slides")
            elif not pdf.is_file():
                problems.append(f"{lang}/{chapter}: no PDF (Chromium is installed)")
            problems += [f"{lang}/{chapter} PowerPoint: {b}" for b in check_pptx(deck.with_suffix(".pptx"), html)]
        context.close()
        browser.close()
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])


def test_speaker_view_opens_offline_with_the_notes(site, chapter_runs):
    """S opens reveal.js's speaker view (the notes plugin, from the file system) showing the notes."""
    from playwright.sync_api import sync_playwright

    _, outcomes = chapter_runs
    runs = _taught(outcomes)
    picked = {lang: c for c, lang in runs}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": W, "height": H})
        external = []
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:",
                                                                                     "blob:"))
                      else (external.append(r.request.url), r.abort()))
        for lang, chapter in picked.items():
            pg = context.new_page()
            pg.goto((site / "kit" / lang / f"{chapter}.html").as_uri(), wait_until="load")
            pg.wait_for_function("() => document.body.dataset.crmReady === '1'")
            pg.keyboard.press("ArrowRight")
            expected = pg.evaluate("document.querySelector('section.present aside.notes').textContent.trim()")
            with context.expect_page() as popup:
                pg.keyboard.press("s")
            view = popup.value
            view.wait_for_load_state("load")
            view.wait_for_function("() => (document.querySelector('.speaker-controls-notes .value')"
                                   " || {}).textContent && document.querySelector('.speaker-controls-notes"
                                   " .value').textContent.trim().length > 0", timeout=15_000)
            shown = view.evaluate("document.querySelector('.speaker-controls-notes .value').textContent")
            assert expected[:40] in " ".join(shown.split()), (expected[:80], shown[:200])
            view.close()
            pg.close()
        browser.close()
    assert external == [], f"the decks asked the network for {external}"
