"""The built site and the slide decks in a real browser: Debian's Chromium driven headless by Playwright.

The site is built (``site/crmsite``) from the session's small-mode chapter runs,
served by ``http.server`` on 127.0.0.1 from a thread, and every page is opened
at 1280 px and at 390 px (a phone): the document may never be wider than the
viewport, every image must have loaded, no page may show a Python traceback or
an error output, nothing may be requested from another host, and the language
switch must land on the matching page (and figure) of the other edition. One
deck per edition is opened from the file system and its slides stepped
through. Screenshots of both widths go to ``build/screenshots/``.

Playwright only drives Debian's ``chromium`` (``executable_path``); it never
downloads a browser. Without Chromium the tests are skipped (``.ci/run``
installs it so CI always runs them).
"""
from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "build" / "screenshots"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
EDITIONS = ("en", "zh")
WIDTHS = (1280, 390)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; "
                                                ".ci/run does this in CI)"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="module")
def site_dir(built_site) -> Path:
    out, ok = built_site
    assert ok, "the site build failed (see the captured output)"
    return out


@pytest.fixture(scope="module")
def server(site_dir):
    """Base URL of the site served from a local static server on 127.0.0.1."""
    handler = functools.partial(_Quiet, directory=str(site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


def _new_page(browser, width: int):
    """A fresh page that refuses (and records) every request outside 127.0.0.1 and file://."""
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 500 else 844})
    pg = context.new_page()
    pg.external, pg.failed = [], []

    def route(r):
        url = urlsplit(r.request.url)
        if url.scheme in ("file", "data", "blob") or url.hostname == "127.0.0.1":
            return r.continue_()
        pg.external.append(r.request.url)
        return r.abort()

    pg.route("**/*", route)
    pg.on("requestfailed", lambda req: pg.failed.append(req.url))
    pg.on("response", lambda resp: resp.status >= 400 and pg.failed.append(f"{resp.status} {resp.url}"))
    return context, pg


@pytest.fixture
def page(browser):
    context, pg = _new_page(browser, 1280)
    yield pg
    context.close()


def site_pages(site_dir: Path) -> list[str]:
    """Every HTML page of the site (landing page, editions, teacher pages, search; not the decks)."""
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")
                  if "_static" not in p.parts and p.parts[len(site_dir.parts)] != "kit")


def _broken_images(pg) -> list[str]:
    return pg.eval_on_selector_all(
        "img", "els => els.filter(e => !e.complete || e.naturalWidth === 0).map(e => e.getAttribute('src'))")


def _load_images(pg) -> None:
    """Scroll every image into view (figures load lazily) and wait until they have loaded."""
    pg.eval_on_selector_all("img", "els => els.forEach(e => { e.loading = 'eager'; })")
    pg.wait_for_function("() => Array.from(document.images).every(e => e.complete)", timeout=30_000)


def _check_page(pg, name: str) -> None:
    assert pg.external == [], f"{name} requested outside resources: {pg.external}"
    assert pg.failed == [], f"{name}: requests failed: {pg.failed}"
    _load_images(pg)
    assert _broken_images(pg) == [], f"{name}: images did not load"
    text = pg.inner_text("body")
    assert "Traceback (most recent call last)" not in text, f"{name} shows a Python traceback"
    assert pg.locator("div.output.error, div.output.traceback, .cell_output .traceback").count() == 0, \
        f"{name} shows an error output"


def _width_overflow(pg) -> int:
    """How many pixels the document is wider than the viewport (0 when it fits)."""
    return pg.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _twin(name: str, names: set[str]) -> str:
    """The page the language switch on edition page ``name`` must land on."""
    lang, _, rest = name.partition("/")
    other = "zh" if lang == "en" else "en"
    return f"{other}/{rest}" if f"{other}/{rest}" in names else f"{other}/index.html"


def _shot(pg, name: str, width: int, suffix: str = "", element=None) -> None:
    path = SHOTS / (name.removesuffix(".html").replace("/", "-") + f"{suffix}-{width}.png")
    (element or pg).screenshot(path=str(path))


@pytest.fixture(scope="module")
def shots():
    # no stale screenshots of pages that are gone; the JupyterLab test's own folder (lab/) stays
    for old in SHOTS.glob("*.png") if SHOTS.is_dir() else ():
        old.unlink()
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_and_loads_with_its_figures(site_dir, server, browser, chapter_runs, shots, width):
    """Every page at this width: never wider than the viewport, images loaded, no traceback or error
    output, nothing external; the switch points to the matching page. Screenshots of every page and
    of the first figure of every chapter."""
    names = site_pages(site_dir)
    _, outcomes = chapter_runs
    chapters = {f"{lang}/{chapter}.html" for (chapter, lang), o in outcomes.items() if o.ok}
    assert chapters and chapters <= set(names), f"chapter pages missing: {sorted(chapters - set(names))}"
    context, pg = _new_page(browser, width)
    try:
        for name in names:
            pg.external.clear()
            pg.failed.clear()
            pg.goto(server + name, wait_until="load")
            _check_page(pg, name)
            over = _width_overflow(pg)
            assert over <= 0, f"{name} at {width} px is {over} px wider than the screen"
            if name.split("/")[0] in EDITIONS:
                target = _twin(name, set(names))
                switch = pg.locator(f"a.crm-lang-switch[hreflang='{target.split('/')[0]}']")
                assert switch.count() == 1, f"{name}: no language switch"
                assert switch.evaluate("a => a.href") == server + target, f"switch on {name}"
            pg.evaluate("window.scrollTo(0, 0)")
            _shot(pg, name, width)
            if name in chapters:
                figures = pg.locator("figure.crm-figure")
                assert figures.count() >= 1, f"{name} shows no figure"
                assert pg.locator("figure.crm-figure figcaption .crm-figure-label").count() == figures.count()
                assert pg.locator("details.above-input").count() >= 1, f"{name}: no collapsed code"
                assert pg.locator("details.above-input[open]").count() == 0, f"{name}: code is not hidden"
                assert pg.locator("#run-it").is_visible()
                figures.first.scroll_into_view_if_needed()
                _shot(pg, name, width, "-figure", figures.first)
                if width < 500:
                    # the navigation is collapsed into a menu on a phone
                    assert not pg.locator("#pst-primary-sidebar .bd-docs-nav").first.is_visible(), \
                        f"{name}: the navigation is not collapsed at {width} px"
    finally:
        context.close()


@pytest.fixture
def phone(site_dir, server, browser, chapter_runs):
    """``(page, name)``: the first chapter page that ran, opened at 390 px."""
    _, outcomes = chapter_runs
    chapter, lang = next(k for k, o in sorted(outcomes.items()) if o.ok)
    context, pg = _new_page(browser, 390)
    pg.goto(f"{server}{lang}/{chapter}.html", wait_until="load")
    yield pg, f"{lang}/{chapter}"
    context.close()


def test_a_tap_on_a_figure_opens_it_at_full_resolution(phone):
    pg, _ = phone
    img = pg.locator("figure.crm-figure img").first
    img.scroll_into_view_if_needed()
    shown = img.evaluate("e => e.getBoundingClientRect().width")
    assert shown <= 390
    img.click()
    pg.wait_for_load_state("load")
    assert pg.url.endswith(".png"), pg.url
    natural = pg.evaluate("() => document.images[0].naturalWidth")
    assert natural > shown, "the tap shows the PNG at its own (larger) resolution"


def test_phone_menu_opens_the_navigation(phone):
    pg, name = phone
    pg.locator("button.primary-toggle:visible").first.click()
    pg.wait_for_timeout(400)
    assert pg.locator(".bd-docs-nav a.reference.internal:visible").count() >= 3
    _shot(pg, name, 390, "-menu")


def test_language_switch_lands_on_the_matching_page(site_dir, server, page, chapter_runs):
    """Click the switch on a chapter page of each edition, the glossary, Reproduce and a teacher's page."""
    names = set(site_pages(site_dir))
    _, outcomes = chapter_runs
    ran = sorted(key for key, o in outcomes.items() if o.ok)
    starts = [f"{lang}/{next(c for c, lg in ran if lg == lang)}.html" for lang in EDITIONS
              if any(lg == lang for _, lg in ran)]
    starts += ["en/glossary.html", "zh/reproduce.html"]
    starts += [f"zh/teacher/{c}.html" for c, lg in ran[:1]]
    for name in starts:
        page.goto(server + name, wait_until="load")
        target = _twin(name, names)
        page.click(f"a.crm-lang-switch[hreflang='{target.split('/')[0]}']")
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path == "/" + target, f"switch on {name} went to {page.url}"
        _check_page(page, target)


def test_switch_keeps_the_figure_the_reader_is_looking_at(site_dir, server, page, chapter_runs):
    _, outcomes = chapter_runs
    chapter = next(c for (c, lang), o in sorted(outcomes.items()) if o.ok and lang == "en"
                   and outcomes.get((c, "zh")) is not None and outcomes[(c, "zh")].ok)
    page.goto(f"{server}en/{chapter}.html", wait_until="load")
    anchor = page.locator("figure.crm-figure").last.get_attribute("id")
    page.goto(f"{server}en/{chapter}.html#{anchor}", wait_until="load")
    page.click("a.crm-lang-switch[hreflang='zh']")
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/zh/{chapter}.html#{anchor}")
    fig = page.locator(f"#{anchor}")
    fig.locator("img").evaluate("e => { e.loading = 'eager'; }")
    page.wait_for_function(f"() => document.querySelector('#{anchor} img').complete")
    assert fig.locator("img").evaluate("e => e.naturalWidth") > 0
    top = fig.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < 900, "the other edition opens scrolled to the same figure"


def _search(pg, url: str) -> list[str]:
    pg.goto(url, wait_until="load")
    pg.wait_for_function("() => (document.querySelector('#search-results .search-summary')?.textContent || '')"
                         ".trim().length > 0", timeout=30_000)
    return pg.eval_on_selector_all("ul.search li > a", "els => els.map(e => e.href)")


def test_each_edition_searches_its_own_pages(site_dir, server, page, chapter_runs):
    """A Chinese search finds Chinese pages only, and no page twice; the English search likewise."""
    zh = _search(page, server + "zh/search.html?q=" + quote("术语表"))
    assert any(h.split("?")[0].endswith("/zh/glossary.html") for h in zh), f"the Chinese search finds the glossary: {zh}"
    assert all("/zh/" in h for h in zh), zh
    pages = [h.split("?")[0] for h in zh if "#" not in h]  # whole-page hits (objects link to anchors)
    assert len(pages) == len(set(pages)), f"no page listed twice: {zh}"
    en = _search(page, server + "en/search.html?q=glossary")
    assert en and all("/en/" in h for h in en), en
    pages = [h.split("?")[0] for h in en if "#" not in h]
    assert len(pages) == len(set(pages)), f"no page listed twice: {en}"


def test_site_works_from_the_file_system(site_dir, page, chapter_runs):
    _, outcomes = chapter_runs
    chapter, lang = next(k for k, o in sorted(outcomes.items()) if o.ok)
    for name in ("index.html", f"{lang}/{chapter}.html", f"{lang}/reproduce.html"):
        page.goto((site_dir / name).as_uri(), wait_until="load")
        _check_page(page, name)
    page.goto((site_dir / "index.html").as_uri(), wait_until="load")
    page.click(f"a[href='{lang}/{chapter}.html']")
    page.wait_for_load_state("load")
    assert page.url == (site_dir / lang / f"{chapter}.html").as_uri()
    assert page.locator("figure.crm-figure img").count() >= 1


@pytest.mark.parametrize("lang", EDITIONS)
def test_one_deck_per_edition_renders_from_the_file_system(site_dir, browser, chapter_runs, shots, lang):
    """A deck opened from file:// starts reveal.js, shows its title, a figure slide with its image and
    the numbers slide, and requests nothing outside the file system."""
    _, outcomes = chapter_runs
    chapter = next((c for (c, lg), o in sorted(outcomes.items()) if o.ok and lg == lang), None)
    if chapter is None:
        pytest.skip(f"no {lang} chapter ran")
    results = json.loads(((site_dir.parent / "results") / ("" if lang == "en" else lang) / f"{chapter}.json")
                         .read_text(encoding="utf-8"))
    for width in WIDTHS:
        context, pg = _new_page(browser, width)
        try:
            pg.goto((site_dir / "kit" / lang / f"{chapter}.html").as_uri(), wait_until="load")
            pg.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
            total = pg.evaluate("Reveal.getTotalSlides()")
            assert total >= 3 + len(results["figures"]), total
            assert pg.locator(".reveal .slides section.present h1").inner_text().strip()
            _shot(pg, f"kit/{lang}/{chapter}", width, "-slide1")
            fig = pg.locator("section.crm-figure-slide").first
            pg.evaluate("id => Reveal.slide(...Object.values(Reveal.getIndices(document.getElementById(id))))",
                        fig.get_attribute("id"))
            pg.wait_for_timeout(300)
            img = pg.locator("section.crm-figure-slide.present img")
            assert img.count() == 1 and img.evaluate("e => e.complete && e.naturalWidth > 0")
            assert pg.locator("section.crm-figure-slide.present .crm-caption").inner_text().strip()
            _shot(pg, f"kit/{lang}/{chapter}", width, "-figure")
            assert pg.locator(".reveal pre, .reveal .cell_input").count() == 0, "no code on the slides"
            assert pg.external == [] and pg.failed == [], (pg.external, pg.failed)
            assert _width_overflow(pg) <= 0
        finally:
            context.close()


# ----------------------------------------------------------------------------- search
#: Terms searched in each edition; every page whose text contains one must be among its hits.
SEARCH_TERMS = {
    "zh": ["客户流失", "帕累托图", "客户终身价值", "交叉销售", "关联规则", "净现值", "客户资产", "平衡计分卡",
           "逻辑回归", "存活概率", "同期客户群", "假设分析", "隐含成本", "顾客终身价值"],
    "en": ["customer lifetime value", "Pareto", "cross-selling", "association rule", "net present value",
           "balanced scorecard", "logistic regression", "customer equity"],
}
_INLINE = {"a", "abbr", "b", "cite", "code", "em", "i", "kbd", "mark", "q", "s", "samp", "small", "span", "strong",
           "sub", "sup", "u", "var", "wbr"}
_BLOCK = "\u2029"   # between blocks (paragraphs, cells, items): never joined
_HAN_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\n+(?=[\u4e00-\u9fff])")


class _ArticleText(HTMLParser):
    """The text of a page's article (what Sphinx indexes), blocks separated by ``_BLOCK``."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.skip, self.parts = 0, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth == 0 and tag == "article" and "bd-article" in (dict(attrs).get("class") or ""):
            self.depth = 1
            return
        if self.depth:
            self.depth += tag not in ("br", "img", "hr", "meta", "link", "input", "wbr", "col")
            self.skip += tag in ("script", "style")
            if tag not in _INLINE:
                self.parts.append(_BLOCK)

    def handle_endtag(self, tag):
        if self.depth:
            self.skip -= tag in ("script", "style")
            self.depth -= 1
            if tag not in _INLINE:
                self.parts.append(_BLOCK)

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def article_text(path: Path) -> str:
    """The article text of a built page; a line break between two Chinese characters is removed (a
    Markdown line break inside a Chinese sentence is no word boundary), spaces stay."""
    p = _ArticleText()
    p.feed(path.read_text(encoding="utf-8"))
    return _HAN_GAP.sub("", "".join(p.parts))


def contains(text: str, term: str) -> bool:
    """Whether a page text contains a search term: a Chinese term as it is, an English one as a
    phrase (any case, any white space; the last word may be inflected, as the stemmed search allows)."""
    if re.search(r"[\u4e00-\u9fff]", term):
        return term in text
    words = [re.escape(w) for w in re.split(r"[\s]+", term.strip())]
    return re.search(r"\b" + r"\s+".join(words) + r"\w*", text, re.I) is not None


def indexed_pages(site_dir: Path, lang: str) -> list[str]:
    """The documents in an edition's search index."""
    text = (site_dir / lang / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(re.search(r'"docnames":(\[[^\]]*\])', text).group(1))


def expected_hits(site_dir: Path, lang: str, term: str) -> set[str]:
    """The indexed pages of an edition whose text contains ``term``."""
    return {d for d in indexed_pages(site_dir, lang) if contains(article_text(site_dir / lang / f"{d}.html"), term)}


def search_hits(pg, server: str, lang: str, term: str) -> set[str]:
    """The pages the edition's search page lists for ``term`` (document names)."""
    found = set()
    for href in _search(pg, f"{server}{lang}/search.html?q={quote(term)}"):
        path = urlsplit(href).path
        found.add(path.split(f"/{lang}/", 1)[1].removesuffix(".html"))
    return found


@pytest.mark.parametrize("lang", EDITIONS)
def test_search_finds_every_page_that_contains_a_term(site_dir, server, page, chapter_runs, lang):
    """Each term of SEARCH_TERMS finds every page of its edition that contains it, teacher pages
    included (Chinese compounds are words of the index and of the query alike:
    site/_ext/crm_search.py)."""
    checked, missed = 0, []
    for term in SEARCH_TERMS[lang]:
        expected = expected_hits(site_dir, lang, term)
        hits = search_hits(page, server, lang, term)
        checked += len(expected)
        if expected - hits:
            missed.append(f"{term}: {sorted(expected - hits)} (found {sorted(hits)})")
    assert not missed, f"the {lang} search misses pages that contain the term:\n" + "\n".join(missed)
    assert checked >= len(SEARCH_TERMS[lang]), "the terms occur in the built pages"
    if lang == "zh":
        teacher = {t for t in SEARCH_TERMS["zh"] for d in expected_hits(site_dir, "zh", t) if d.startswith("teacher/")}
        assert teacher, "some searched term occurs on a teacher page"
        # a query of two words written together is cut into the index's words: pages with both are found
        both = expected_hits(site_dir, "zh", "客户流失") & expected_hits(site_dir, "zh", "原因")
        assert both and both <= search_hits(page, server, "zh", "客户流失原因")
