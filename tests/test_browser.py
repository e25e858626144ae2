"""The built site in a real browser: Debian's Chromium driven headless by Playwright.

The site is built (``crmlib.site.build``) from the session's small-mode chapter
runs, served by ``http.server`` on 127.0.0.1 from a thread, and every page is
opened: every image must have loaded, no page may show a Python traceback or
an error output, nothing may be requested from another host, and the language
switch must land on the matching page of the other edition. Full-page
screenshots go to ``build/screenshots/`` in the repository.

Playwright only drives ``/usr/bin/chromium`` (``executable_path``); it never
downloads a browser. Without Chromium the tests are skipped (``.ci/run``
installs it so CI always runs them).
"""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "build" / "screenshots"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
EDITIONS = ("en", "zh")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(),
                       reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium; "
                              ".ci/run does this in CI)"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="module")
def site_dir(built_site) -> Path:
    out, ok = built_site
    assert ok, "crmlib.site.build failed (see the captured output)"
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
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that refuses (and records) every request outside 127.0.0.1 and file://."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.external = []

    def route(r):
        url = urlsplit(r.request.url)
        if url.scheme in ("file", "data", "blob") or url.hostname == "127.0.0.1":
            return r.continue_()
        pg.external.append(r.request.url)
        return r.abort()

    pg.route("**/*", route)
    pg.failed = []
    pg.on("requestfailed", lambda req: pg.failed.append(req.url))
    pg.on("response", lambda resp: resp.status >= 400 and pg.failed.append(f"{resp.status} {resp.url}"))
    yield pg
    context.close()


def site_pages(site_dir: Path) -> list[str]:
    """Every HTML page of the site, relative to its root (landing page, editions, search, index)."""
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html"))


def _broken_images(pg) -> list[str]:
    return pg.eval_on_selector_all(
        "img", "els => els.filter(e => !e.complete || e.naturalWidth === 0).map(e => e.getAttribute('src'))")


def _check_page(pg, name: str) -> None:
    assert pg.external == [], f"{name} requested outside resources: {pg.external}"
    assert pg.failed == [], f"{name}: requests failed: {pg.failed}"
    assert _broken_images(pg) == [], f"{name}: images did not load"
    text = pg.inner_text("body")
    assert "Traceback (most recent call last)" not in text, f"{name} shows a Python traceback"
    assert pg.locator("div.output.error, div.output.traceback, .cell_output .traceback").count() == 0, \
        f"{name} shows an error output"


def _twin(name: str, names: set[str]) -> str:
    """The page the language switch on edition page ``name`` must land on."""
    lang, _, rest = name.partition("/")
    other = "zh" if lang == "en" else "en"
    return f"{other}/{rest}" if f"{other}/{rest}" in names else f"{other}/index.html"


def _shot(pg, name: str, suffix: str = "", element=None) -> None:
    path = SHOTS / (name.removesuffix(".html").replace("/", "-") + suffix + ".png")
    (element or pg).screenshot(path=str(path))


def test_every_page_loads_with_its_figures(site_dir, server, page, chapter_runs):
    """Every page: images loaded, no traceback or error output, nothing external; the switch points
    to the matching page. Screenshots: the top of every page and the first figure of every chapter."""
    shutil.rmtree(SHOTS, ignore_errors=True)  # no stale screenshots of pages that are gone
    SHOTS.mkdir(parents=True)
    names = site_pages(site_dir)
    _, outcomes = chapter_runs
    chapters = {f"{lang}/{chapter}.html" for (chapter, lang), o in outcomes.items() if o.ok}
    assert chapters and chapters <= set(names), f"chapter pages missing: {sorted(chapters - set(names))}"
    for name in names:
        page.goto(server + name, wait_until="load")
        _check_page(page, name)
        if name.split("/")[0] in EDITIONS:
            target = _twin(name, set(names))
            switch = page.locator(f"a.crm-lang-switch[hreflang='{target.split('/')[0]}']")
            assert switch.evaluate("a => a.href") == server + target, f"switch on {name}"
        _shot(page, name)
        if name in chapters:
            figures = page.locator("figure.crm-figure")
            assert figures.count() >= 1, f"{name} shows no figure"
            assert page.locator("figure.crm-figure figcaption .crm-figure-label").count() == figures.count()
            assert page.locator("details.above-input").count() >= 1, f"{name}: no collapsed code"
            assert page.locator("details.above-input[open]").count() == 0, f"{name}: code is not hidden"
            assert not page.locator("details.above-input .cell_input pre").first.is_visible()
            assert page.locator("#run-it").is_visible()
            figures.first.scroll_into_view_if_needed()
            _shot(page, name, "-figure", figures.first)


def test_language_switch_lands_on_the_matching_page(site_dir, server, page, chapter_runs):
    """Click the switch on a chapter page of each edition, the glossary and the Reproduce page."""
    names = set(site_pages(site_dir))
    _, outcomes = chapter_runs
    ran = sorted(key for key, o in outcomes.items() if o.ok)
    starts = [f"{lang}/{next(c for c, lg in ran if lg == lang)}.html" for lang in EDITIONS
              if any(lg == lang for _, lg in ran)]
    starts += ["en/glossary.html", "zh/reproduce.html"]
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
    anchor = page.locator("figure.crm-figure").first.get_attribute("id")
    page.goto(f"{server}en/{chapter}.html#{anchor}", wait_until="load")
    page.click("a.crm-lang-switch[hreflang='zh']")
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/zh/{chapter}.html#{anchor}")
    assert page.locator(f"#{anchor} img").evaluate("e => e.naturalWidth") > 0


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
    assert page.locator("figure.crm-figure img").count() >= 1 and _broken_images(page) == []
    # the search runs offline too (its index is a local script)
    page.goto((site_dir / "search.html").as_uri() + "?q=glossary", wait_until="load")
    page.wait_for_selector("ul.search li a", timeout=20_000)
    hits = page.eval_on_selector_all("ul.search li a", "els => els.map(e => e.getAttribute('href'))")
    assert any(h.startswith("en/glossary.html") for h in hits), hits
