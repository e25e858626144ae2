"""The instructor's kit of every chapter and edition.

* **Slides** — ``kit/<lang>/NN_slug.html``: a reveal.js deck made from the
  executed chapter: its title, one slide per ``##`` / ``###`` heading with the
  section's first paragraph, one slide per figure with its numbered caption,
  the key recorded numbers (those with a source) with their verdict; no code.
  reveal.js is copied from the ``sphinx-revealjs`` wheel into ``kit/revealjs/``
  (never a CDN), and every URL is relative, so a deck works opened from the file
  system.
* **Figure pack** — ``kit/<lang>/NN_slug-figures.zip``: every recorded PNG and
  SVG and ``captions.csv`` (number, caption, source, file).
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

from .collect import ChapterPage, text_of, ui
from .notebook import _caption_of, figure_anchor, figure_path
from .teacher import exercise_answers, teacher_markdown, teacher_texts  # the teacher's page: crmsite.teacher

__all__ = ["deck_path", "pack_path", "deck_html", "figure_pack", "teacher_markdown", "teacher_texts",
           "exercise_answers", "build_kit", "REVEAL_FILES"]

#: Files of the reveal.js distribution the decks use (relative to its ``dist/``).
REVEAL_FILES = ("reset.css", "reveal.css", "reveal.js", "theme/white.css", "theme/fonts/source-sans-pro")
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def deck_path(page: ChapterPage) -> str:
    """The deck's path under the site root."""
    return f"kit/{page.lang}/{page.chapter}.html"


def pack_path(page: ChapterPage) -> str:
    """The figure pack's path under the site root."""
    return f"kit/{page.lang}/{page.chapter}-figures.zip"


# ------------------------------------------------------------------ Markdown for slides
@lru_cache(maxsize=1)
def _md():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    def math(content: str, opts: dict[str, Any]) -> str:
        from latex2mathml.converter import convert

        try:
            return convert(content.strip(), display="block" if opts.get("display_mode") else "inline")
        except Exception:  # noqa: BLE001 - show the TeX rather than fail a deck
            return f"<code>{html.escape(content)}</code>"

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    dollarmath_plugin(md, double_inline=True, allow_digits=False, renderer=math)
    return md


def _render(text: str) -> str:
    text = re.sub(r"\[(@[^\]]+)\]", lambda m: "(" + m.group(1).replace("@", "") + ")", text)
    return _md().render(text)


def _blocks(markdown: str) -> list[tuple[int, str, str]]:
    """``(level, heading, first paragraph or list)`` for each heading of a Markdown cell."""
    out: list[tuple[int, str, str]] = []
    parts = re.split(r"^(#{1,3})\s+(.+?)\s*$", markdown, flags=re.M)
    # parts: [before, hashes, title, body, hashes, title, body, ...]
    for i in range(1, len(parts) - 1, 3):
        body = parts[i + 2].strip()
        first = re.split(r"\n\s*\n", body, maxsplit=1)[0] if body else ""
        out.append((len(parts[i]), parts[i + 1], first))
    return out


def _value(entry: dict[str, Any], lang: str) -> str:
    from .pages import _with_unit

    return _with_unit(entry.get("value"), entry.get("unit"), lang)


def deck_html(page: ChapterPage, nb: dict[str, Any], *, up: str = "../../") -> str:
    """A reveal.js deck of one executed chapter (see the module docstring).

    Parameters
    ----------
    page : ChapterPage
        The chapter and edition, with its recorded results.
    nb : dict
        The executed notebook.
    up : str
        Relative URL from the deck to the site root.

    Returns
    -------
    str
        An HTML document.
    """
    lang = page.lang
    figures, shown = page.figures, set()
    slides: list[str] = []
    title = html.escape(page.title)
    slides.append(f'<section class="crm-title"><h1>{title}</h1><p>{ui("title", lang)} · {ui("edition", lang)}</p>'
                  f'<p class="crm-help">{ui("slides_help", lang)}</p></section>')
    stack: list[str] = []

    def flush() -> None:
        if stack:
            slides.append("<section>" + "".join(stack) + "</section>" if len(stack) > 1 else stack[0])
            stack.clear()

    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags") or []
        if "injected-parameters" in tags:
            continue
        if cell.get("cell_type") == "markdown":
            for level, head, first in _blocks(text_of(cell.get("source"))):
                if level == 1:
                    continue
                if level == 2:
                    flush()
                body = _render(first) if first and not first.lstrip().startswith("|") else ""
                stack.append(f'<section class="crm-h{level}"><h{level}>{html.escape(head)}</h{level}>'
                             f'<div class="crm-text">{body}</div></section>')
        elif cell.get("cell_type") == "code":
            for out in cell.get("outputs") or []:
                number = _caption_of(out, figures, shown)
                if number is None:
                    continue
                shown.add(number)
                fig = figures[number]
                png = f"{up}figures/{figure_path(fig['png'])}"
                stack.append(f'<section class="crm-figure-slide" id="{figure_anchor(number)}">'
                             f'<img src="{png}" alt="{html.escape(fig.get("label", ""))}">'
                             f'<p class="crm-caption"><strong>{html.escape(fig.get("label", ""))}.</strong> '
                             f'{html.escape(fig.get("caption", ""))}</p></section>')
    flush()
    sourced = [(k, v) for k, v in (page.results.get("results") or {}).items() if v.get("source")]
    for i in range(0, len(sourced), 8):
        rows = "".join(
            f'<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(_value(v, lang))}</td>'
            f'<td>{ui("yes", lang) if v.get("matches") else (ui("no", lang) if v.get("matches") is False else "")}'
            f"</td></tr>" for k, v in sourced[i:i + 8])
        slides.append(f'<section class="crm-numbers"><h2>{ui("slides_numbers", lang)}</h2>'
                      f'<table><thead><tr><th>{ui("col_result", lang)}</th><th>{ui("col_value", lang)}</th>'
                      f'<th>{ui("col_matches", lang)}</th></tr></thead><tbody>{rows}</tbody></table></section>')
    chapter_url = f"{up}{lang}/{page.chapter}.html"
    slides.append(f'<section><h2>{title}</h2><p><a href="{chapter_url}">'
                  f'{html.escape(ui("slides_more", lang, url=f"{lang}/{page.chapter}.html"))}</a></p></section>')
    tag = "zh-CN" if lang == "zh" else "en"
    rv = f"{up}kit/revealjs"
    return f"""<!DOCTYPE html>
<html lang="{tag}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {ui("kit_slides", lang)}</title>
<link rel="icon" href="{up}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{rv}/reset.css">
<link rel="stylesheet" href="{rv}/reveal.css">
<link rel="stylesheet" href="{rv}/theme/white.css">
<link rel="stylesheet" href="{up}kit/deck.css">
</head>
<body>
<div class="reveal"><div class="slides">
{chr(10).join(slides)}
</div></div>
<script src="{rv}/reveal.js"></script>
<script>Reveal.initialize({{hash: true, slideNumber: "c/t", width: 1280, height: 800, margin: 0.04,
  transition: "none", backgroundTransition: "none"}});</script>
</body>
</html>
"""


# ------------------------------------------------------------------ figure pack
def _sources_line(page: ChapterPage) -> str:
    seen: list[str] = []
    for v in (page.results.get("results") or {}).values():
        src = v.get("source") or {}
        name = src.get("source_id") or src.get("seed_file") or src.get("citation") or src.get("key")
        if name and name not in seen:
            seen.append(str(name))
    head = ui("pack_source", page.lang, nn=page.nn, title=page.title)
    return head + ("; " + ", ".join(seen) if seen else "")


def figure_pack(page: ChapterPage, build_dir: Path, dest: Path) -> Path:
    """Zip every recorded figure of a chapter (PNG and SVG) with ``captions.csv``.

    Parameters
    ----------
    page : ChapterPage
    build_dir : Path
        The build folder the figure paths are relative to.
    dest : Path
        The zip to write.

    Returns
    -------
    Path
        ``dest``. The archive is deterministic (fixed dates, sorted entries).
    """
    lang = page.lang
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([ui(k, lang) for k in ("captions_number", "captions_caption", "captions_source", "captions_file")])
    source = _sources_line(page)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w") as z:
        for number, fig in page.figures.items():
            names = []
            for key in ("png", "svg"):
                name = Path(fig[key]).name
                info = zipfile.ZipInfo(f"{page.chapter}/{name}", _ZIP_DATE)
                info.compress_type = zipfile.ZIP_STORED if key == "png" else zipfile.ZIP_DEFLATED
                z.writestr(info, (build_dir / fig[key]).read_bytes())
                names.append(name)
            w.writerow([fig.get("label", number), fig.get("caption", ""), source, " ".join(names)])
        info = zipfile.ZipInfo(f"{page.chapter}/captions.csv", _ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, "\ufeff" + buf.getvalue())  # BOM: spreadsheets read the Chinese right
    return dest


# ------------------------------------------------------------------ the whole kit
def _reveal_dist() -> Path:
    import sphinx_revealjs

    return Path(sphinx_revealjs.__file__).resolve().parent / "_static" / "revealjs" / "dist"


def build_kit(build_dir: Path, out: Path, editions: dict[str, list[ChapterPage]]) -> None:
    """Write every deck and figure pack under ``out/kit/`` and copy reveal.js beside them.

    Parameters
    ----------
    build_dir : Path
        The build folder.
    out : Path
        The site's root folder.
    editions : dict
        ``lang -> [ChapterPage, …]``.
    """
    dist, rv = _reveal_dist(), out / "kit" / "revealjs"
    for rel in REVEAL_FILES:
        src, dest = dist / rel, rv / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest)
    lic = dist.parent / "LICENSE"
    if lic.is_file():
        shutil.copy2(lic, rv / "LICENSE")
    shutil.copy2(Path(__file__).resolve().parents[1] / "_static" / "deck.css", out / "kit" / "deck.css")
    for chapters in editions.values():
        for page in chapters:
            (out / deck_path(page)).parent.mkdir(parents=True, exist_ok=True)
            (out / deck_path(page)).write_text(deck_html(page, page.load()), encoding="utf-8")
            figure_pack(page, build_dir, out / pack_path(page))
