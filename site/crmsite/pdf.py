"""PDFs of the decks: reveal.js's print view (``?print-pdf``) printed by headless Chromium.

Playwright drives Debian's ``chromium`` (never a downloaded browser); one browser
prints every deck, a couple of pages at a time, so that the printing can run while
the Sphinx builds (one process per edition) use the other cores. Without
Chromium (or Playwright) :func:`chromium` is None and the caller says in one line
how to get the PDFs.
"""
from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["chromium", "LAUNCH_ARGS", "PrintJob", "print_decks", "HOW_TO_GET_PDFS"]

#: Arguments for a headless Chromium that never reaches the network by itself.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
#: The one line printed when no PDF can be made.
HOW_TO_GET_PDFS = ("kit: no PDFs of the decks (Chromium not found); to get them install Debian's chromium "
                   "(apt-get install chromium) and rerun: python site/build.py")


def chromium() -> str | None:
    """Path of the Chromium executable when it and Playwright for Python are installed, else None.

    Returns
    -------
    str or None
    """
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        return None
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return None
    return exe


@dataclass
class PrintJob:
    """One deck to print: its HTML file, the PDF to write and how many slides it has."""

    html: Path
    pdf: Path
    slides: int


async def _print_one(browser, job: PrintJob) -> int:
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = await context.new_page()

        async def local_only(route):
            url = route.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                await route.continue_()
            else:
                await route.abort()

        await page.route("**/*", local_only)
        await page.goto(job.html.as_uri() + "?print-pdf", wait_until="load")
        await page.wait_for_function("() => document.body.dataset.crmReady === '1' && "
                                     "document.querySelectorAll('.pdf-page').length > 0", timeout=60_000)
        await page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=60_000)
        pages = await page.evaluate("document.querySelectorAll('.pdf-page').length")
        job.pdf.parent.mkdir(parents=True, exist_ok=True)
        await page.pdf(path=str(job.pdf), width="1280px", height="720px", print_background=True,
                       prefer_css_page_size=True, margin={"top": "0", "right": "0", "bottom": "0", "left": "0"})
        return int(pages)
    finally:
        await context.close()


async def _print_all(jobs: list[PrintJob], exe: str, parallel: int) -> list[int]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=exe, args=LAUNCH_ARGS)
        try:
            gate = asyncio.Semaphore(max(1, parallel))

            async def one(job: PrintJob) -> int:
                async with gate:
                    return await _print_one(browser, job)

            return list(await asyncio.gather(*(one(j) for j in jobs)))
        finally:
            await browser.close()


def print_decks(jobs: list[PrintJob], *, exe: str | None = None, parallel: int = 2) -> float:
    """Print every deck to its PDF with one headless Chromium.

    Parameters
    ----------
    jobs : list of PrintJob
    exe : str, optional
        The Chromium executable (default :func:`chromium`).
    parallel : int
        Pages printing at the same time.

    Returns
    -------
    float
        Seconds taken.

    Raises
    ------
    RuntimeError
        Chromium is missing, or a deck's print view has a different number of pages than slides
        (the message names the deck).
    """
    exe = exe or chromium()
    if exe is None:
        raise RuntimeError(HOW_TO_GET_PDFS)
    start = time.perf_counter()
    pages = asyncio.run(_print_all(jobs, exe, parallel))
    bad = [f"{j.html.name}: {n} pages for {j.slides} slides" for j, n in zip(jobs, pages) if n != j.slides]
    if bad:
        raise RuntimeError("deck PDFs do not have one page per slide: " + "; ".join(bad))
    return time.perf_counter() - start
