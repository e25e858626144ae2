"""The CRM Notebooks site builder: every executed chapter as a web page, an edition per language,
and the instructor's kit.

This is a build tool, not part of the teaching package: ``python -m crmbook all``
calls :func:`build` after the chapters ran, and ``python site/build.py``
rebuilds the site alone from what ``build/`` holds. It reads (through
:class:`crmbook.layout.Layout`)

* the executed notebooks ``notebooks/[zh/]NN_slug.ipynb``,
* the results ``results/[zh/]NN_slug.json`` — recorded numbers and the
  ``figures`` record ``{slug, caption, label, png, svg}`` each chapter writes
  when it saves a figure (captions are taken from there, never from HTML),
* the figure files they name,

writes each edition's page sources under ``<build>/.site/src/<lang>/`` and runs
one Sphinx build per edition (sphinx-book-theme, myst-nb, warnings as errors),
the two at once, into ``<build>/site/<lang>/``. All site strings are label keys
``site.*`` (``crmbook/labels/site.csv``) in the edition's language.

Per edition: the chapter pages, the guides' pages (notebooks whose metadata says
``crmnb.kind = "guide"``, e.g. ``90_your_own_log_to_clv``: listed under their own caption,
without slides or a teacher's page), an index, the glossary (terms grouped by the
chapter that introduces them), the Reproduce page (every sourced number, linked
to its passage or reference, with a CSV), References (sphinxcontrib-bibtex),
the API reference (autodoc / autosummary; English edition, linked from every
chapter's "crmlib used here") and the kit: per chapter a reveal.js deck
(``site/kit/<lang>/NN_slug.html``) with its PowerPoint file (``.pptx``) and PDF
(``.pdf``, where Chromium is installed: printed while the Sphinx builds run), a
figure pack (``site/kit/<lang>/NN_slug-figures-<lang>.zip``) and a teacher's page
(``<lang>/teacher/NN_slug.html``). See :mod:`crmsite.kit` and :mod:`crmsite.deck`.

``python site/build.py`` first runs (with their default parameters) the chapters
of either edition that have no executed notebook in the build folder yet, so that
the site always has every chapter — e.g. after ``python -m crmbook run 02 -p
survey_n 2000`` on a fresh clone.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from crmlib.i18n import LANGS

from . import kit, pages
from .collect import ChapterPage, Layout, chapters_only, collect, ui
from .notebook import figure_path, prepare_notebook

__all__ = ["SITE_CONF_DIR", "ChapterPage", "collect", "prepare_notebook", "build", "main", "write_sources"]

SITE_CONF_DIR = Path(__file__).resolve().parents[1]
ROOT = SITE_CONF_DIR.parent
BIB = ROOT / "datasets" / "sources" / "references.bib"
SPHINX_LANG = {"en": "en", "zh": "zh_CN"}
EDITION_LABEL = {"en": "English", "zh": "中文"}


def bib_keys() -> set[str]:
    """Citation keys of ``datasets/sources/references.bib`` (empty when there is none)."""
    if not BIB.is_file():
        return set()
    import re

    return set(re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", BIB.read_text(encoding="utf-8"), re.M))


def _docs(lang: str, chapters: list[ChapterPage], with_api: bool, with_refs: bool) -> list[str]:
    docs = ["index", *(p.chapter for p in chapters), "glossary", "reproduce", "kit"]
    docs += [f"teacher/{p.chapter}" for p in chapters_only(chapters)]
    if with_refs:
        docs.append("references")
    if with_api:
        docs.append("api")
    return docs


def write_sources(src: Path, build_dir: Path, editions: dict[str, list[ChapterPage]], *,
                  api: bool = True, pdfs: bool = False) -> dict[str, list[str]]:
    """Write every edition's page sources under ``src/<lang>/`` (emptied first).

    Parameters
    ----------
    src : Path
        Folder to (re)create; each edition gets a sub-folder.
    build_dir : Path
        The build folder (for the Reproduce page's results and the CSV).
    editions : dict
        ``lang -> [ChapterPage, …]`` as returned by :func:`collect`.
    api : bool
        Include the API reference page (English edition).
    pdfs : bool
        The decks will have PDFs (link them).

    Returns
    -------
    dict
        ``lang -> document names``.
    """
    if src.exists():
        shutil.rmtree(src)
    keys = bib_keys()
    docs = {lang: _docs(lang, chs, api and lang == "en", bool(keys)) for lang, chs in editions.items()}
    for lang, chapters in editions.items():
        d = src / lang
        api_url = "api.html" if "api" in docs[lang] else (
            "../en/api.html" if "api" in docs.get("en", []) else None)
        ref = [x for x in ("glossary", "reproduce", "references", "api") if x in docs[lang]]
        taught = chapters_only(chapters)   # guides have no slides, figure pack or teacher's page
        kit_docs = ["kit"] + [f"teacher/{p.chapter}" for p in taught]
        pages.write_text(d / "index.md", pages.edition_index(lang, chapters, extra=ref, kit=kit_docs))
        pages.write_text(d / "glossary.md", pages.glossary_markdown(lang, chapters))
        rows = pages.reproduce_rows(build_dir, lang, chapters)
        pages.write_text(d / "reproduce.md", pages.reproduce_markdown(
            lang, chapters, rows, bib_keys=keys, csv_url=f"../downloads/{lang}/reproduce.csv"))
        pages.write_text(d / "_extra" / "reproduce.csv", pages.reproduce_csv(rows))
        if "references" in docs[lang]:
            pages.write_text(d / "references.md", pages.references_markdown(lang))
        if "api" in docs[lang]:
            pages.write_text(d / "api.md", pages.api_markdown(lang))
        kit_links = {p.chapter: {"slides": f"../{kit.deck_path(p)}", "pack": f"../{kit.pack_path(p)}",
                                 "pptx": f"../{kit.pptx_path(p)}",
                                 "teacher": f"teacher/{p.chapter}.html"} for p in taught}
        if pdfs:
            for p in taught:
                kit_links[p.chapter]["pdf"] = f"../{kit.pdf_path(p)}"
        pages.write_text(d / "kit.md", pages.kit_markdown(lang, taught, kit_links))
        for page in chapters:
            nb = page.load()
            links = {"up": "../", "api": api_url, **kit_links.get(page.chapter, {})}
            pages.write_text(d / page.notebook.name,
                             json.dumps(prepare_notebook(nb, page, links=links, bib_keys=keys), ensure_ascii=False))
            if page.kind != "chapter":
                continue
            pages.write_text(d / "teacher" / f"{page.chapter}.md",
                             kit.teacher_markdown(page, nb, up="../../", chapter_url=f"../{page.chapter}.html",
                                                  slides=f"../../{kit.deck_path(page)}",
                                                  pack=f"../../{kit.pack_path(page)}"))
        # Sphinx's own search page exists in every edition too
        info = {"edition": lang, "labels": {k: EDITION_LABEL[k] for k in editions},
                "docs": {k: v + ["search"] for k, v in docs.items()},
                "theme": {"search_bar_text": ui("search", lang)}}
        pages.write_text(d / "_crm_site.json", json.dumps(info, ensure_ascii=False))
    return docs


def _sphinx_cmd(lang: str, src: Path, out: Path, doctrees: Path, quiet: bool) -> list[str]:
    return [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-E", "-n",
            *(["-q"] if quiet else []), "-c", str(SITE_CONF_DIR), "-d", str(doctrees),
            "-D", f"language={SPHINX_LANG[lang]}", "-D", f"html_title={ui('title', lang)}",
            "-D", f"project={ui('title', lang)}", "-D", f"author={ui('author', lang)}",
            "-D", f"copyright={ui('copyright', lang)}", str(src), str(out)]


def _start_sphinx(jobs: dict[str, list[str]], logs: Path) -> dict[str, tuple[subprocess.Popen, Path]]:
    """Start the editions' Sphinx builds (they run at the same time), their output going to files."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::PendingDeprecationWarning"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    logs.mkdir(parents=True, exist_ok=True)
    procs = {}
    for lang, cmd in jobs.items():
        log = logs / f"sphinx-{lang}.log"
        with open(log, "w", encoding="utf-8") as fh:
            procs[lang] = (subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env), log)
    return procs


def _wait_sphinx(procs: dict[str, tuple[subprocess.Popen, Path]]) -> dict[str, tuple[int, str]]:
    """``lang -> (exit code, output)`` once every build has finished."""
    return {lang: (p.wait(), log.read_text(encoding="utf-8", errors="replace")) for lang, (p, log) in procs.items()}


def _figure_files(fig: dict) -> list[str]:
    """The files of a recorded figure: its PNG and SVG, and the PNGs of its deck variants."""
    return [fig["png"], fig["svg"], *(v["png"] for v in fig.get("deck") or [])]


def _copy_files(build_dir: Path, out: Path, editions: dict[str, list[ChapterPage]]) -> None:
    """Executed notebooks to ``downloads/<lang>/`` and recorded figures to ``figures/``."""
    for lang, chapters in editions.items():
        dl = out / "downloads" / lang
        dl.mkdir(parents=True, exist_ok=True)
        for page in chapters:
            shutil.copy2(page.notebook, dl / page.notebook.name)
            for fig in page.figures.values():
                for rel in _figure_files(fig):
                    dest = out / "figures" / figure_path(rel)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(build_dir / rel, dest)


def build(build_dir: Path, *, out_dir: Path | None = None, quiet: bool = True, api: bool = True) -> bool:
    """Build the site and the instructor's kit from the executed chapters in ``build_dir``.

    Parameters
    ----------
    build_dir : Path
        Folder with ``notebooks/``, ``results/`` and ``figures/`` from ``python -m crmbook all``.
    out_dir : Path, optional
        Where the HTML goes (default ``build_dir / "site"``; replaced as a whole).
    quiet : bool
        Pass ``-q`` to Sphinx (warnings and errors are printed either way).
    api : bool
        Build the API reference page (autodoc imports crmlib).

    Returns
    -------
    bool
        False (with the reason printed) if there is no executed chapter, a recorded figure file is
        missing, or Sphinx reports any warning.
    """
    t0 = time.perf_counter()
    build_dir = Path(build_dir).resolve()
    out = Path(out_dir).resolve() if out_dir else build_dir / "site"
    editions = collect(build_dir)
    if not editions:
        print(f"site: no executed chapter under {build_dir / 'notebooks'}; nothing to build", file=sys.stderr)
        return False
    missing = [str(build_dir / rel) for chs in editions.values() for p in chs
               for f in p.figures.values() for rel in _figure_files(f) if not (build_dir / rel).is_file()]
    if missing:
        print("site: recorded figure files are missing:\n  " + "\n  ".join(missing), file=sys.stderr)
        return False
    from . import pdf

    exe = pdf.chromium()
    work = build_dir / ".site"
    if work.exists():
        shutil.rmtree(work)
    src, html_dir = work / "src", work / "html"
    write_sources(src, build_dir, editions, api=api, pdfs=exe is not None)
    # myst-nb writes its jupyter_execute/ beside each HTML folder: keep it in work/out/<lang>/
    jobs = {lang: _sphinx_cmd(lang, src / lang, work / "out" / lang / "html", work / "doctrees" / lang, quiet)
            for lang in editions}
    procs = _start_sphinx(jobs, work / "logs")
    # the kit is made while Sphinx runs (one process per edition): decks, PowerPoint files, packs, PDFs
    html_dir.mkdir(parents=True)
    _copy_files(build_dir, html_dir, editions)
    t_kit = time.perf_counter()
    kit_ok, print_jobs, printed = True, [], {}
    try:
        todo, print_jobs = kit.write_decks(build_dir, html_dir, editions,   # skips guides (no kit)
                                           previous=out if out.is_dir() else None)
        printer = None
        if exe is None:
            print(pdf.HOW_TO_GET_PDFS, flush=True)
        elif print_jobs:
            # Chromium prints while this process writes the PowerPoint files and figure packs
            def print_all() -> None:
                try:
                    printed["seconds"] = pdf.print_decks(print_jobs, exe=exe)
                except Exception as exc:  # noqa: BLE001 - reported below
                    printed["error"] = exc

            printer = threading.Thread(target=print_all, name="deck-pdfs")
            printer.start()
        kit.write_files(build_dir, html_dir, todo)
        if printer is not None:
            printer.join()
        if "error" in printed:
            raise printed["error"]
        t_kit = time.perf_counter() - t_kit
    except Exception as exc:  # noqa: BLE001 - reported after the Sphinx builds have been collected
        kit_ok = False
        t_kit = time.perf_counter() - t_kit
        kit_error = f"site: the instructor's kit failed: {type(exc).__name__}: {exc}"
    failed = False
    for lang, (rc, output) in _wait_sphinx(procs).items():
        if output.strip():
            print(output.rstrip(), file=sys.stderr)
        if rc != 0:
            print(f"site: Sphinx failed for the {lang} edition (exit {rc}); warnings are errors — see above",
                  file=sys.stderr)
            failed = True
    if not kit_ok:
        print(kit_error, file=sys.stderr)
        return False
    if failed:
        return False
    for lang in editions:
        shutil.move(str(work / "out" / lang / "html"), str(html_dir / lang))
        # pydata-sphinx-theme copies a Jinja macro file into _static; it is not a page
        for macros in (html_dir / lang / "_static").glob("*webpack-macros.html"):
            macros.unlink()
        sources = html_dir / lang / "_sources"
        if sources.is_dir() and not any(sources.iterdir()):
            sources.rmdir()
    for lang in editions:
        shutil.copy2(src / lang / "_extra" / "reproduce.csv", html_dir / "downloads" / lang / "reproduce.csv")
    static = SITE_CONF_DIR / "_static"
    shutil.copy2(static / "favicon.svg", html_dir / "favicon.svg")
    shutil.copy2(static / "landing.css", html_dir / "landing.css")
    pages.write_text(html_dir / "index.html", pages.landing_html(editions, "favicon.svg", "landing.css"))
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(html_dir), str(out))
    n = sum(len(p) for p in editions.values())
    pdf_note = (f" (of which {len(print_jobs)} PDF(s) printed in {printed.get('seconds', 0.0):.1f} s, the others "
                f"unchanged)" if exe is not None else "")
    print(f"Site: {n} chapter and guide page(s) in {', '.join(editions)}, with the instructor's kit -> "
          f"{out / 'index.html'} ({time.perf_counter() - t0:.1f} s; the kit {t_kit:.1f} s{pdf_note}, made while "
          f"Sphinx ran)", flush=True)
    return True


def missing_runs(build_dir: Path) -> list[Any]:
    """Runner jobs (default parameters) for the chapters of either edition that have no executed
    notebook in ``build_dir`` yet.

    Parameters
    ----------
    build_dir : Path
        The build folder.

    Returns
    -------
    list of crmbook.runner.Job
        Empty when every chapter of every edition has run (or the book is not importable).
    """
    from crmbook import runner

    layout, jobs = Layout(Path(build_dir)), []
    for lang in LANGS:
        todo = [nb for nb in runner.discover() if not layout.executed(nb.stem, lang).is_file()]
        if todo:
            try:
                jobs += runner.plan(todo, Path(build_dir), langs=(lang,))
            except FileNotFoundError as exc:
                print(f"site: cannot run the missing {lang} chapters: {exc}", file=sys.stderr)
    return jobs


def main(argv: list[str] | None = None) -> int:
    """``python site/build.py [--build DIR]``: rebuild the site without re-running the chapters (a chapter
    that has never run in either edition is run first, with its default parameters)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python site/build.py", description=main.__doc__)
    ap.add_argument("--build", type=Path, default=ROOT / "build", help="build folder (default: build/)")
    ap.add_argument("--no-api", action="store_true", help="skip the API reference page")
    ap.add_argument("--only-built", action="store_true",
                    help="build from the chapters in the build folder only; do not run the missing ones")
    args = ap.parse_args(argv)
    if not args.only_built:
        jobs = missing_runs(args.build)
        if jobs:
            from crmbook import runner

            names = ", ".join(f"{j.chapter} [{j.lang}]" for j in jobs)
            print(f"site: {len(jobs)} chapter run(s) missing from {args.build}, running them with their default "
                  f"parameters first: {names}", flush=True)
            outcomes = runner.run_jobs(jobs, workers=2, build_dir=Path(args.build).resolve())
            runner.summary(outcomes)
    return 0 if build(args.build, api=not args.no_api) else 1
