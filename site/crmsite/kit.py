"""The instructor's kit of every chapter and edition.

* **Slides** — ``kit/<lang>/NN_slug.html``: a reveal.js deck made from the
  executed chapter (:mod:`crmsite.deck`: one left-to-right sequence, formulas,
  tables, quotes, figures at a legible size, exercises with their answers on the
  next click, speaker notes), the same deck as an editable PowerPoint file
  ``NN_slug.pptx`` (:mod:`crmsite.powerpoint`) and, where Chromium is installed,
  as a PDF ``NN_slug.pdf`` (:mod:`crmsite.pdf`). reveal.js and its notes plugin
  are copied from the ``sphinx-revealjs`` wheel into ``kit/revealjs/`` (never a
  CDN), and every URL is relative, so a deck works opened from the file system.
* **Figure pack** — ``kit/<lang>/NN_slug-figures-<lang>.zip``, unpacking to
  ``NN_slug-figures-<lang>/``: every recorded PNG and SVG and ``captions.csv``,
  one row per file (number, caption, file, format, sources), each figure with
  its own sources (:func:`figure_sources`).
* **Teacher's page** — a page of the edition (``teacher/NN_slug``), written by
  :mod:`crmsite.teacher`: goals, key and difficult points, lesson plans,
  discussion questions with model answers, multiple-choice questions whose keys
  crmlib computes, a homework with its rubric, and the exercise answers.
"""
from __future__ import annotations

import csv
import html
import io
import re
import shutil
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from .collect import ChapterPage, chapters_only, text_of, ui
from .notebook import _caption_of
from .teacher import exercise_answers, teacher_markdown, teacher_texts  # the teacher's page: crmsite.teacher

__all__ = ["deck_path", "pack_path", "pdf_path", "pptx_path", "figure_pack", "figure_sources", "deck_key",
           "write_decks", "write_files", "teacher_markdown",
           "teacher_texts", "exercise_answers", "build_kit", "REVEAL_FILES"]

STATIC_DIR = Path(__file__).resolve().parents[1] / "_static"
#: Files of the reveal.js distribution the decks use (relative to the wheel's ``revealjs/``).
REVEAL_FILES = ("dist/reset.css", "dist/reveal.css", "dist/reveal.js", "dist/theme/white.css",
                "dist/theme/fonts/source-sans-pro", "plugin/notes/notes.js", "LICENSE")
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def deck_path(page: ChapterPage) -> str:
    """The deck's path under the site root."""
    return f"kit/{page.lang}/{page.chapter}.html"


def pdf_path(page: ChapterPage) -> str:
    """The deck's PDF under the site root."""
    return f"kit/{page.lang}/{page.chapter}.pdf"


def pptx_path(page: ChapterPage) -> str:
    """The deck's PowerPoint file under the site root."""
    return f"kit/{page.lang}/{page.chapter}.pptx"


def pack_path(page: ChapterPage) -> str:
    """The figure pack's path under the site root (the edition in its name: the two never collide)."""
    return f"kit/{page.lang}/{page.chapter}-figures-{page.lang}.zip"


# ------------------------------------------------------------------ figure pack
_RECORD = re.compile(r"\.record(_many)?\(\s*(f?)([\"'])(.*?)\3")


def _record_patterns(code: str) -> list[re.Pattern[str]]:
    """Result keys a code cell records (``ch.record("a.b", …)``, ``record_many("a", …)``, f-strings) as regexes."""
    out = []
    for m in _RECORD.finditer(code):
        many, fstr, key = m.group(1), m.group(2), m.group(4)
        parts = re.split(r"(\{[^{}]*\})", key) if fstr else [key]
        rx = "".join(r"[^.]+" if p.startswith("{") and fstr else re.escape(p) for p in parts)
        out.append(re.compile(rf"^{rx}\..+$" if many else rf"^{rx}$"))
    return out


def _source_name(src: dict[str, Any], lang: str) -> str:
    if src.get("source_id"):
        title = src.get("title")
        return f"{src['source_id']} 《{title}》" if title else str(src["source_id"])
    if src.get("key"):
        from .deck import _citation

        who, year = _citation(src["key"], lang)
        return f"{who} ({year})" if year else who
    return str(src.get("citation") or src.get("seed_file") or "")


def figure_sources(page: ChapterPage, nb: dict[str, Any]) -> dict[str, list[str]]:
    """Each figure's own sources: what the chapter cites and records in the figure's ``##`` section
    up to the figure (and in the figure's own cell).

    That is the citations (``[@key]``) and source ids (``S1`` …) in the section's Markdown and the
    figure's caption, and the sources of the results recorded by the section's code cells up to and
    including the one that saves the figure (a cell's results are the run of keys, in recording
    order, that its ``record`` / ``record_many`` calls match).

    Parameters
    ----------
    page : ChapterPage
    nb : dict
        The executed notebook.

    Returns
    -------
    dict
        Figure number -> source names (``S5 《…》``, ``Fader & Hardie (2007)``), in order of first mention.
    """
    from .deck import _CITE, _citation

    lang, figures, results = page.lang, page.figures, page.results.get("results") or {}
    known_ids = {}
    for entry in results.values():
        src = entry.get("source") or {}
        if src.get("source_id"):
            known_ids.setdefault(src["source_id"], _source_name(src, lang))
    out: dict[str, list[str]] = {}
    section: list[str] = []
    shown: set[str] = set()
    keys, pos = list(results), 0   # results are stored in the order they were recorded

    def cite(text: str) -> None:
        for m in _CITE.finditer(text):
            for key in (k.strip().lstrip("@") for k in m.group(1).split(";")):
                who, year = _citation(key, lang)
                section.append(f"{who} ({year})" if year else who)
        for sid in re.findall(r"\b(S[1-9])\b", text):
            if sid in known_ids:
                section.append(known_ids[sid])

    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags") or []
        if "injected-parameters" in tags:
            continue
        source = text_of(cell.get("source"))
        if cell.get("cell_type") == "markdown":
            if re.search(r"^##\s", source, re.M):
                section = []
                source = source[re.search(r"^##\s", source, re.M).start():]
            cite(source)
            continue
        patterns = _record_patterns(source)
        # this cell recorded the next run of keys its record calls match (f-strings match loosely,
        # so only the keys recorded from here on count)
        j = next((i for i in range(pos, len(keys)) if any(p.match(keys[i]) for p in patterns)), None)
        while j is not None and j < len(keys) and any(p.match(keys[j]) for p in patterns):
            src = results[keys[j]].get("source")
            if src:
                section.append(_source_name(src, lang))
            j += 1
            pos = j
        for o in cell.get("outputs") or []:
            number = _caption_of(o, figures, shown)
            if number is None:
                continue
            shown.add(number)
            cite(figures[number].get("caption", ""))
            out[number] = list(dict.fromkeys(x for x in section if x))
    for number in figures:
        out.setdefault(number, [])
    return out


def _plain_caption(caption: str) -> str:
    """A caption as plain text: no Markdown escapes or emphasis marks."""
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!$|])", r"\1", caption)
    return re.sub(r"\*\*|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)", "", text)


def figure_pack(page: ChapterPage, build_dir: Path, dest: Path, nb: dict[str, Any] | None = None) -> Path:
    """Zip every recorded figure of a chapter (PNG and SVG) with ``captions.csv``.

    The archive unpacks to ``NN_slug-figures-<lang>/``; ``captions.csv`` has one row per file
    (number, caption, file, format, sources), captions as plain text, each figure credited to the
    chapter that draws it and to its own sources (:func:`figure_sources`), joined by "; ".

    Parameters
    ----------
    page : ChapterPage
    build_dir : Path
        The build folder the figure paths are relative to.
    dest : Path
        The zip to write.
    nb : dict, optional
        The executed notebook (read from ``page`` when not given).

    Returns
    -------
    Path
        ``dest``. The archive is deterministic (fixed dates, entries in figure order).
    """
    lang = page.lang
    folder = f"{page.chapter}-figures-{lang}"
    sources = figure_sources(page, nb if nb is not None else page.load())
    credit = ui("pack_source", lang, nn=page.nn, title=page.title)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([ui(k, lang) for k in ("captions_number", "captions_caption", "captions_file", "captions_format",
                                      "captions_source")])
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w") as z:
        for number, fig in page.figures.items():
            for key in ("png", "svg"):
                name = Path(fig[key]).name
                info = zipfile.ZipInfo(f"{folder}/{name}", _ZIP_DATE)
                info.compress_type = zipfile.ZIP_STORED if key == "png" else zipfile.ZIP_DEFLATED
                z.writestr(info, (build_dir / fig[key]).read_bytes())
                w.writerow([fig.get("label", number), _plain_caption(fig.get("caption", "")), name, key.upper(),
                            "; ".join([credit, *(sources.get(number) or [])])])
        info = zipfile.ZipInfo(f"{folder}/captions.csv", _ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, "\ufeff" + buf.getvalue())  # BOM: spreadsheets read the Chinese right
    return dest


# ------------------------------------------------------------------ the whole kit
def _reveal_root() -> Path:
    import sphinx_revealjs

    return Path(sphinx_revealjs.__file__).resolve().parent / "_static" / "revealjs"


def copy_reveal(out: Path) -> None:
    """reveal.js, its notes plugin, the decks' stylesheet and script under ``out/kit/``.

    Parameters
    ----------
    out : Path
        The site's root folder.
    """
    root, rv = _reveal_root(), out / "kit" / "revealjs"
    for rel in REVEAL_FILES:
        src, dest = root / rel, rv / rel.removeprefix("dist/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, dest)
    for name in ("deck.css", "deck.js"):
        shutil.copy2(STATIC_DIR / name, out / "kit" / name)


#: The files whose change must remake every deck's PowerPoint file and PDF.
_DECK_CODE = ("crmsite/deck.py", "crmsite/powerpoint.py", "crmsite/pdf.py", "_static/deck.js", "_static/deck.css")
CACHE_NAME = "deck-cache.json"


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    import hashlib

    import sphinx_revealjs

    h = hashlib.sha256(str(getattr(sphinx_revealjs, "__version__", "")).encode())
    for rel in _DECK_CODE:
        h.update((Path(__file__).resolve().parents[1] / rel).read_bytes())
    return h.hexdigest()


def deck_key(deck: Any, html_text: str) -> str:
    """What a deck's PowerPoint file and PDF are made from: its HTML, the bytes of its images and the
    deck code. Equal keys give equal files, so a rebuild copies them instead of making them again.

    Parameters
    ----------
    deck : crmsite.deck.Deck
    html_text : str
        Its reveal.js page.

    Returns
    -------
    str
        A SHA-256 hex digest.
    """
    import hashlib

    h = hashlib.sha256(_code_fingerprint().encode())
    h.update(html_text.encode("utf-8"))
    for s in deck.slides:
        for b in s.blocks:
            if b.kind == "image":
                h.update((deck.build_dir / b.src).read_bytes())
    return h.hexdigest()


def write_decks(build_dir: Path, out: Path, editions: dict[str, list[ChapterPage]], *,
                previous: Path | None = None) -> tuple[list[Any], list[Any]]:
    """Write every deck's reveal.js page under ``out/kit/`` (with reveal.js beside them), and copy the
    PowerPoint files and PDFs of the decks that did not change since ``previous`` was built.

    Parameters
    ----------
    build_dir : Path
        The build folder.
    out : Path
        The site's root folder (the decks link to ``out/figures/``).
    editions : dict
        ``lang -> [ChapterPage, …]``; guides among them are skipped (a guide has no deck).
    previous : Path, optional
        The site built last time: a deck whose :func:`deck_key` is unchanged gets its PowerPoint file
        and PDF copied from there (``kit/deck-cache.json`` records the keys).

    Returns
    -------
    (list, list)
        What :func:`write_files` still has to do (``(page, notebook, deck or None)``: None when the
        PowerPoint file was copied) and the decks whose PDF must be printed
        (:class:`crmsite.pdf.PrintJob`, see :func:`crmsite.pdf.print_decks`).
    """
    import json

    from .deck import build_deck, deck_html
    from .pdf import PrintJob

    copy_reveal(out)
    old: dict[str, str] = {}
    if previous is not None and (previous / "kit" / CACHE_NAME).is_file():
        try:
            old = json.loads((previous / "kit" / CACHE_NAME).read_text(encoding="utf-8"))
        except ValueError:
            old = {}
    keys: dict[str, str] = {}
    todo, jobs = [], []
    for chapters in editions.values():
        for page in chapters_only(chapters):
            nb = page.load()
            deck = build_deck(page, nb, build_dir)
            html_file = out / deck_path(page)
            html_file.parent.mkdir(parents=True, exist_ok=True)
            text = deck_html(deck)
            html_file.write_text(text, encoding="utf-8")
            key = keys[deck_path(page)] = deck_key(deck, text)
            same = previous is not None and old.get(deck_path(page)) == key
            for rel in (pptx_path(page), pdf_path(page)):
                if same and (previous / rel).is_file():
                    shutil.copy2(previous / rel, out / rel)
            if not (out / pdf_path(page)).is_file():
                jobs.append(PrintJob(html_file, out / pdf_path(page), len(deck.slides)))
            todo.append((page, nb, None if (out / pptx_path(page)).is_file() else deck))
    (out / "kit" / CACHE_NAME).write_text(json.dumps(keys, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return todo, jobs


def write_files(build_dir: Path, out: Path, todo: list[Any]) -> None:
    """The PowerPoint files :func:`write_decks` left to make, and every figure pack.

    Parameters
    ----------
    build_dir : Path
        The build folder.
    out : Path
        The site's root folder.
    todo : list
        :func:`write_decks`'s first return value.
    """
    from .powerpoint import write_pptx

    for page, nb, deck in todo:
        if deck is not None:
            write_pptx(deck, out / pptx_path(page))
        figure_pack(page, build_dir, out / pack_path(page), nb)


def build_kit(build_dir: Path, out: Path, editions: dict[str, list[ChapterPage]], *,
              previous: Path | None = None) -> list[Any]:
    """Write every deck (HTML and PowerPoint) and figure pack under ``out/kit/``: :func:`write_decks`,
    then :func:`write_files`.

    Parameters
    ----------
    build_dir, out, editions, previous
        As for :func:`write_decks`.

    Returns
    -------
    list of crmsite.pdf.PrintJob
        The decks whose PDF must be printed.
    """
    todo, jobs = write_decks(build_dir, out, editions, previous=previous)
    write_files(build_dir, out, todo)
    return jobs
