"""Generated pages of an edition (MyST Markdown): its index, the glossary (the term list,
``crmbook/terms.csv``), Reproduce, References, the API reference, the kit index; and the site's
landing page (HTML)."""
from __future__ import annotations

import csv
import html
import io
import json
import math
import pkgutil
import re
from pathlib import Path
from typing import Any

from crmbook.terms import by_chapter
from crmlib.i18n import labels

from .collect import ChapterPage, chapters_only, guides_only, ui

__all__ = ["glossary_rows", "glossary_markdown", "reproduce_rows", "reproduce_markdown", "reproduce_csv", "doubt_rows",
           "edition_index", "landing_html", "api_markdown", "references_markdown", "kit_markdown",
           "api_modules", "api_stop_classes"]

_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def _md(text: Any) -> str:
    """Escape every ASCII punctuation character so ``text`` is literal in a MyST table cell."""
    return _MD_PUNCT.sub(r"\\\1", str(text)).replace("\n", " ")


# ------------------------------------------------------------------ glossary
def glossary_rows(pages: list[ChapterPage]) -> list[tuple[ChapterPage, list[dict[str, Any]]]]:
    """The glossary's concepts (``crmbook/terms.csv``) grouped by the edition's chapters.

    Each concept goes under the first of its chapters that the edition has; a concept whose
    chapters are all missing from the edition is left out.

    Parameters
    ----------
    pages : list of ChapterPage
        The edition's chapters in order.

    Returns
    -------
    list of (ChapterPage, list of dict)
        Chapters in order; rows as :func:`crmbook.terms.by_chapter` gives them, each with
        ``pages``, the edition's chapter pages that use the concept.
    """
    by_nn = {p.nn: p for p in pages}
    out = []
    for nn, rows in by_chapter(by_nn):
        out.append((by_nn[nn], [{**r, "pages": [by_nn[c] for c in r["chapters"] if c in by_nn]} for r in rows]))
    return out


def glossary_markdown(lang: str, pages: list[ChapterPage]) -> str:
    """The glossary page: per chapter, a table of its concepts — the term in the page's language,
    the term in the other language, the chapters that use it (links) and a one-line definition.

    Parameters
    ----------
    lang : {"en", "zh"}
        Edition: its language comes first in each row, and its definitions are shown.
    pages : list of ChapterPage
        The edition's chapters.

    Returns
    -------
    str
        MyST Markdown.
    """
    other = "zh" if lang == "en" else "en"
    lines = [f"# {ui('glossary_title', lang)}", "", ui("glossary_intro", lang), ""]
    for page, rows in glossary_rows(pages):
        lines += ["", f"## [{_md(page.title)}]({page.chapter}.ipynb)", "",
                  f"| {ui('col_term', lang)} | {ui('col_other', lang)} | {ui('col_chapters', lang)} "
                  f"| {ui('col_definition', lang)} |",
                  "| --- | --- | --- | --- |"]
        for r in rows:
            links = ", ".join(f"[{_md(ui('chapter_short', lang, n=int(p.nn)))}]({p.chapter}.ipynb)" for p in r["pages"])
            lines.append(f"| {_md(r[lang])} | {_md(r[other])} | {links} | {_md(r[f'definition_{lang}'])} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ reproduce
def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        from crmlib.fmt import number   # thousands separators, never scientific notation

        return number(value) if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    return str(value)


def _unit(unit: Any, lang: str) -> str:
    if not unit:
        return ""
    key = f"site.unit.{unit}"
    return labels()[key][lang] if key in labels() else str(unit)


def _with_unit(value: Any, unit: Any, lang: str) -> str:
    u = _unit(unit, lang)
    if not u or isinstance(value, dict):
        return _fmt(value)
    return f"{_fmt(value)} {u}" if lang == "en" or u[0].isascii() else f"{_fmt(value)}{u}"


def _nan(v: Any) -> Any:
    return None if isinstance(v, float) and v != v else v


def reproduce_rows(build_dir: Path, lang: str, pages: list[ChapterPage]) -> list[dict[str, Any]]:
    """Every recorded number of the edition with a source or a printed value.

    Uses :func:`crmbook.sources.reproduce_table` (excerpt and reference of each source) where
    crmlib has it, and adds the numbers that have a printed value but no source.

    Parameters
    ----------
    build_dir : Path
        The build folder.
    lang : {"en", "zh"}
        Edition.
    pages : list of ChapterPage
        The edition's chapters (only these are listed).

    Returns
    -------
    list of dict
        One row per number: ``chapter, key, value, unit, expected, matches, kind`` and, where
        known, ``source_id, title, seed_file, excerpt_id, phrase, excerpt, gloss, printed``
        (source texts) or ``bib_key, citation, where, doi, url`` (papers).
    """
    chapters = {p.chapter for p in pages}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    try:
        from crmbook.sources import reproduce_table
    except ImportError:
        reproduce_table = None
    if reproduce_table is not None:
        try:
            table = reproduce_table(build_dir, lang)
        except FileNotFoundError:
            table = None
        if table is not None:
            for rec in table.to_dict("records"):
                rec = {k: _nan(v) for k, v in rec.items()}
                if rec["chapter"] in chapters:
                    rows[(rec["chapter"], rec["key"])] = rec
    for page in pages:
        for key, entry in (page.results.get("results") or {}).items():
            if (page.chapter, key) in rows or not (entry.get("source") or "expected" in entry):
                continue
            src = entry.get("source") or {}
            rows[(page.chapter, key)] = {
                "chapter": page.chapter, "key": key, "value": entry.get("value"), "unit": entry.get("unit"),
                "expected": entry.get("expected"), "matches": entry.get("matches"), "kind": src.get("kind"),
                "seed_file": src.get("seed_file"), "phrase": src.get("phrase"),
                "citation": src.get("citation"), "where": src.get("where"), "bib_key": src.get("key"),
                "dataset": src.get("dataset"), "file": src.get("file"), "how": src.get("how")}
    order = {p.chapter: i for i, p in enumerate(pages)}
    return sorted(rows.values(), key=lambda r: (order[r["chapter"]], r["key"]))


def _highlight(text: str, marks: list[Any]) -> str:
    """HTML of ``text`` with the marked parts in ``<mark>``: each mark is a ``(start, end)`` span
    (as :func:`crmbook.sources.reproduce_table` gives it) or a string to find."""
    spans: set[tuple[int, int]] = set()
    for m in marks:
        if isinstance(m, (tuple, list)) and len(m) == 2 and all(isinstance(x, int) for x in m):
            spans.add((m[0], m[1]))
        elif isinstance(m, str) and m:
            spans.update((x.start(), x.end()) for x in re.finditer(re.escape(m), text))
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:  # overlapping marks: keep the first
            continue
        out += [html.escape(text[last:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        last = end
    return "".join(out + [html.escape(text[last:])])


def _excerpt_anchor(excerpt_id: str) -> str:
    return "excerpt-" + re.sub(r"[^A-Za-z0-9\-]", "-", excerpt_id)


def _source_cell(row: dict[str, Any], lang: str, bib_keys: set[str]) -> str:
    if row.get("excerpt_id"):
        label = f"{row.get('source_id') or ''} “{row.get('phrase') or ''}”".strip()
        return f'<a class="crm-excerpt-link" href="#{_excerpt_anchor(row["excerpt_id"])}">{html.escape(label)}</a>'
    if row.get("kind") == "seed":
        return ui("seed", lang, file=f"`{row.get('seed_file') or ''}`", phrase=_md(row.get("phrase") or ""))
    if row.get("kind") == "dataset":
        return ui("dataset", lang, file=f"`{row.get('file') or row.get('dataset') or ''}`", how=_md(row.get("how") or ""))
    if row.get("kind") == "paper":
        where = f", {_md(row['where'])}" if row.get("where") else ""
        if row.get("bib_key") in bib_keys:
            return "{cite:t}`" + row["bib_key"] + "`" + where
        ref = _md(row.get("citation") or row.get("bib_key") or "")
        link = row.get("url") or (f"https://doi.org/{row['doi']}" if row.get("doi") else None)
        return (f'<a href="{html.escape(link)}">{ref}</a>' if link else ref) + where
    return _md(ui("nosource", lang))


def _doubt_anchor(excerpt_id: str) -> str:
    return "doubt-" + re.sub(r"[^A-Za-z0-9\-]", "-", excerpt_id)


def doubt_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every doubtful source passage, with the recorded results that rest on it.

    Parameters
    ----------
    rows : list of dict
        :func:`reproduce_rows` of one edition.

    Returns
    -------
    list of dict
        One per passage of :func:`crmbook.sources.doubtful`, in the file's order: ``excerpt_id``,
        ``source_id``, ``title``, ``kind``, ``text`` (verbatim), ``reading``, ``doubt``, ``doubt_zh``,
        ``marks`` (``(start, end)`` spans of ``text`` that the reading changes) and ``results``
        (``(chapter, key)`` of every row whose source is this passage).
    """
    from crmbook import doubts, sources

    out = []
    for eid, d in sources.doubtful().iterrows():
        _, where = doubts.canonical(d["text"])
        marks = [(where[s.start], where[s.end - 1] + 1) for s in doubts.spots(eid) if s.end > s.start]
        out.append({"excerpt_id": eid, "source_id": d["source_id"], "title": d["title"], "kind": d["kind"],
                    "text": d["text"], "reading": d["reading"], "doubt": d["doubt"], "doubt_zh": d["doubt_zh"],
                    "marks": marks,
                    "results": [(r["chapter"], r["key"]) for r in rows if r.get("excerpt_id") == eid]})
    return out


def _doubts_section(lang: str, items: list[dict[str, Any]], titles: dict[str, str]) -> list[str]:
    from crmbook.sources import DOUBT_KINDS

    if not items:
        return []
    out = ["", f"## {ui('doubts', lang)}", "", ui("doubts_intro", lang), ""]
    for d in items:
        kind = d["kind"] if lang == "en" else DOUBT_KINDS.get(d["kind"], d["kind"])
        head = ui("excerpt_of", lang, id=d["source_id"], title=d["title"])
        results = ", ".join(
            f'<a href="{html.escape(ch)}.html"><code>{html.escape(key)}</code></a> '
            f'({html.escape(titles.get(ch, ch))})' for ch, key in d["results"]) \
            or html.escape(ui("doubt_no_results", lang))
        why = d["doubt"] if lang == "en" else d["doubt_zh"]
        out += ["\n".join([
            f'<div class="crm-doubt" id="{_doubt_anchor(d["excerpt_id"])}">',
            f'<p class="crm-excerpt-title"><strong>{html.escape(head)}</strong> <code>{html.escape(d["excerpt_id"])}</code>'
            f' · {html.escape(kind)}</p>',
            f'<p><em>{html.escape(ui("doubt_printed", lang))}:</em></p>',
            f'<blockquote lang="zh-CN">{_highlight(d["text"], d["marks"])}</blockquote>',
            f'<p><em>{html.escape(ui("doubt_reading", lang))}:</em> <span lang="zh-CN">{html.escape(d["reading"])}</span></p>',
            f'<p><em>{html.escape(ui("doubt_why", lang))}:</em> {html.escape(why)}</p>',
            f'<p><em>{html.escape(ui("doubt_results", lang))}:</em> {results}</p>',
            "</div>"]), ""]
    return out


def reproduce_markdown(lang: str, pages: list[ChapterPage], rows: list[dict[str, Any]], *,
                       bib_keys: set[str] | frozenset[str] = frozenset(), csv_url: str | None = None) -> str:
    """The Reproduce page: a summary, one table per chapter, then the source passages.

    Parameters
    ----------
    lang : {"en", "zh"}
        Edition.
    pages : list of ChapterPage
        The edition's chapters.
    rows : list of dict
        :func:`reproduce_rows`.
    bib_keys : set of str
        Keys of the bibliography (papers with such a key become citations to the References page).
    csv_url : str, optional
        Link of the CSV download.

    Returns
    -------
    str
        MyST Markdown. Each number from a source text links to its passage (Chinese, the printed
        number highlighted; in the English edition with the English gloss; a doubtful passage with
        its plain reading and a link to its entry under *Doubtful readings*). The last section lists
        every doubtful passage (:func:`doubt_rows`): verbatim, the doubtful words highlighted, its
        plain reading, why, and the results that rest on it.
    """
    titles = {p.chapter: p.title for p in pages}
    n = {"n": len(rows), "checked": 0, "ok": 0, "bad": 0}
    sections: list[str] = []
    chapter = None
    for row in rows:
        if row["chapter"] != chapter:
            chapter = row["chapter"]
            sections += ["", f"## [{_md(titles[chapter])}]({chapter}.ipynb)", "",
                         f"| {ui('col_result', lang)} | {ui('col_value', lang)} | {ui('col_expected', lang)} "
                         f"| {ui('col_source', lang)} | {ui('col_matches', lang)} |",
                         "| --- | --- | --- | --- | --- |"]
        if row.get("matches") is not None:
            n["checked"] += 1
            n["ok" if row["matches"] else "bad"] += 1
            verdict = (f'<span class="crm-ok">{ui("yes", lang)}</span>' if row["matches"]
                       else f'<span class="crm-bad">{ui("no", lang)}</span>')
        else:
            verdict = ui("unchecked", lang)
        expected = _md(_with_unit(row["expected"], row.get("unit"), lang)) if row.get("expected") is not None \
            else "—"
        sections.append(f"| `{row['key']}` | {_md(_with_unit(row['value'], row.get('unit'), lang))} | {expected} "
                        f"| {_source_cell(row, lang, set(bib_keys))} | {verdict} |")
    head = [f"# {ui('reproduce_title', lang)}", "", ui("reproduce_intro", lang), ""]
    head.append(f'<p class="crm-summary"><strong>{html.escape(ui("summary", lang, **n))}</strong></p>'
                if rows else ui("none", lang))
    if csv_url and rows:
        head += ["", f'<p><a class="crm-csv" href="{csv_url}" download>{ui("csv", lang)}</a></p>']
    excerpts: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.get("excerpt_id") and row.get("excerpt"):
            e = excerpts.setdefault(row["excerpt_id"], {**row, "marks": []})
            start, end = row.get("printed_start"), row.get("printed_end")
            e["marks"].append((int(start), int(end)) if start is not None and end is not None
                              else row.get("printed"))
    tail: list[str] = []
    if excerpts:
        tail = ["", f"## {ui('excerpts', lang)}", ""]
        for eid, e in excerpts.items():
            title = ui("excerpt_of", lang, id=e.get("source_id") or "", title=e.get("title") or "")
            block = [f'<div class="crm-excerpt" id="{_excerpt_anchor(eid)}">',
                     f'<p class="crm-excerpt-title"><strong>{html.escape(title)}</strong> '
                     f'<code>{html.escape(e.get("seed_file") or "")}</code></p>',
                     f'<blockquote lang="zh-CN">{_highlight(e["excerpt"], e["marks"])}</blockquote>']
            if e.get("reading"):
                block.append(f'<p class="crm-reading"><em>{html.escape(ui("doubt_reading", lang))}:</em> '
                             f'<span lang="zh-CN">{html.escape(e["reading"])}</span> (<a href="#'
                             f'{_doubt_anchor(eid)}">{html.escape(ui("doubt_link", lang))}</a>)</p>')
            if lang == "en" and e.get("gloss"):
                block.append(f'<p class="crm-gloss"><em>{ui("gloss", lang)}:</em> {html.escape(e["gloss"])}</p>')
            block.append("</div>")
            tail += ["\n".join(block), ""]
    tail += _doubts_section(lang, doubt_rows(rows), titles)
    return "\n".join(head + sections + tail) + "\n"


def reproduce_csv(rows: list[dict[str, Any]]) -> str:
    """The Reproduce table as CSV (the recorded values, their source and verdict).

    Parameters
    ----------
    rows : list of dict
        :func:`reproduce_rows`.

    Returns
    -------
    str
        CSV text with a header row; ``reading``, ``doubt`` and ``doubt_zh`` say when the passage a
        number comes from is doubtful (:func:`crmbook.sources.doubtful`).
    """
    cols = ["chapter", "key", "value", "unit", "expected", "matches", "kind", "source_id", "seed_file",
            "excerpt_id", "phrase", "printed", "reading", "doubt", "doubt_zh", "bib_key", "citation", "where", "doi",
            "dataset", "file", "how"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([json.dumps(r.get(c), ensure_ascii=False) if isinstance(r.get(c), (list, dict))
                    else ("" if r.get(c) is None else r.get(c)) for c in cols])
    return buf.getvalue()


# ------------------------------------------------------------------ other pages
def edition_index(lang: str, pages: list[ChapterPage], *, extra: list[str], kit: list[str]) -> str:
    """The root page of an edition: chapters, guides, reference pages, the kit (toctrees).

    Guides (:func:`crmbook.layout.notebook_kind`) get their own caption after the chapters, so the
    navigation shows them apart from the course.

    Parameters
    ----------
    lang : {"en", "zh"}
    pages : list of ChapterPage
        Chapters and guides, in order.
    extra : list of str
        Reference pages (document names).
    kit : list of str
        Kit pages (document names).

    Returns
    -------
    str
        MyST Markdown.
    """
    lines = [f"# {ui('title', lang)} · {ui('edition', lang)}", "", ui("edition_blurb", lang), "",
             "```{toctree}", ":maxdepth: 1", f":caption: {ui('chapters', lang)}", ""]
    lines += [p.chapter for p in chapters_only(pages)] + ["```", ""]
    guides = guides_only(pages)
    if guides:
        lines += ["```{toctree}", ":maxdepth: 1", f":caption: {ui('guides', lang)}", ""]
        lines += [p.chapter for p in guides] + ["```", ""]
    lines += ["```{toctree}", ":maxdepth: 1", f":caption: {ui('reference', lang)}", ""] + extra + ["```", ""]
    if kit:
        lines += ["```{toctree}", ":maxdepth: 1", f":caption: {ui('kit', lang)}", ""] + kit + ["```", ""]
    return "\n".join(lines)


def api_modules() -> list[str]:
    """Public modules for the API reference: the library (crmlib) first, then the book (crmbook);
    not the command line, private modules or the chapters' exercise sets.

    Returns
    -------
    list of str
    """
    import crmbook
    import crmlib

    names = []
    for pkg in (crmlib, crmbook):
        names.append(pkg.__name__)
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            last = info.name.rsplit(".", 1)[-1]
            if last.startswith("_") or info.name == "crmbook.cli" or ".exercises.ch" in info.name:
                continue
            names.append(info.name)
    return names


def api_stop_classes() -> list[str]:
    """Base classes whose members the API page leaves out of the classes it documents.

    The page documents what a user calls on a class, the members it inherits from the packages' own
    (private) base classes included (``BetaGeo.fit`` from ``_PositiveModel``, ``BetaGeoResults.summary``
    and ``conf_int`` from ``_Results``), but not the hundreds inherited from other libraries
    (statsmodels' ``GenericLikelihoodModel``, ``Exception``, ``UserWarning`` …): autodoc's
    ``:inherited-members:`` stops at every class named here.

    Returns
    -------
    list of str
        ``object`` and the name of every base class from outside crmlib and crmbook in the MRO of a
        public class of either package (names that are also one of ours are left out).
    """
    import importlib
    import inspect

    ours = {"crmlib", "crmbook"}
    own_names, stop = set(), {"object"}
    for name in api_modules():
        mod = importlib.import_module(name)
        for obj in vars(mod).values():
            if not inspect.isclass(obj):
                continue
            if obj.__module__.split(".")[0] in ours:
                own_names.add(obj.__name__)
                stop.update(k.__name__ for k in obj.__mro__[1:] if k.__module__.split(".")[0] not in ours)
    return sorted(stop - own_names)


def api_markdown(lang: str) -> str:
    """The API reference page: the library (crmlib, its workflow first), then the book (crmbook);
    for each an autosummary table of its modules, then autodoc of each module.

    Classes show their public methods and properties, those inherited from the packages' own
    private bases included (:func:`api_stop_classes`).

    Parameters
    ----------
    lang : {"en", "zh"}

    Returns
    -------
    str
        MyST Markdown with ``eval-rst`` blocks.
    """
    mods = api_modules()
    stop = ", ".join(api_stop_classes())
    lines = [f"# {ui('api_title', lang)}", "", ui("api_intro", lang), ""]
    for pkg in ("crmlib", "crmbook"):
        own = [m for m in mods if m.split(".")[0] == pkg]
        lines += [f"## {pkg}", "", "```{eval-rst}", ".. autosummary::", ""] + [f"   {m}" for m in own] + [""]
        for m in own:
            lines += [f".. automodule:: {m}", "   :members:", f"   :inherited-members: {stop}", ""]
        lines += ["```", ""]
    return "\n".join(lines)


def references_markdown(lang: str) -> str:
    """The References page: every cited entry of ``references.bib`` (sphinxcontrib-bibtex).

    Parameters
    ----------
    lang : {"en", "zh"}

    Returns
    -------
    str
        MyST Markdown.
    """
    return "\n".join([f"# {ui('references_title', lang)}", "", ui("references_intro", lang), "",
                      "```{bibliography}", "```", ""])


def kit_markdown(lang: str, pages: list[ChapterPage], links: dict[str, dict[str, str]]) -> str:
    """The kit index: for every chapter its slides, figure pack and teacher's page.

    Parameters
    ----------
    lang : {"en", "zh"}
    pages : list of ChapterPage
    links : dict
        ``chapter -> {"slides", "pack", "teacher"}`` URLs relative to this page, and ``"pdf"`` /
        ``"pptx"`` for the deck's PDF and PowerPoint file where there are any.

    Returns
    -------
    str
        MyST Markdown (a raw HTML table in a scroll box).
    """
    rows = []
    for p in pages:
        ln = links[p.chapter]
        decks = [f'<a class="crm-kit-slides" href="{ln["slides"]}">{ui("kit_slides", lang)}</a>']
        if ln.get("pdf"):
            decks.append(f'<a class="crm-kit-pdf" href="{ln["pdf"]}" download>PDF</a>')
        if ln.get("pptx"):
            decks.append(f'<a class="crm-kit-pptx" href="{ln["pptx"]}" download>PowerPoint</a>')
        rows.append(f'<tr><td><a href="{p.chapter}.html">{html.escape(p.title)}</a></td>'
                    f'<td>{" · ".join(decks)}</td>'
                    f'<td><a class="crm-kit-pack" href="{ln["pack"]}" download>{ui("kit_pack", lang)}</a></td>'
                    f'<td><a class="crm-kit-teacher" href="{ln["teacher"]}">{ui("kit_teacher", lang)}</a></td></tr>')
    table = ('<div class="crm-scroll"><table class="crm-kit-table">'
             f'<thead><tr><th>{ui("chapters", lang)}</th><th>{ui("kit_slides", lang)}</th>'
             f'<th>{ui("kit_pack", lang)}</th><th>{ui("kit_teacher", lang)}</th></tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table></div>')
    return "\n".join([f"# {ui('kit', lang)}", "", ui("kit_intro", lang), "", table, ""])


def landing_html(editions: dict[str, list[ChapterPage]], favicon: str, css: str) -> str:
    """The site's front page (plain HTML, outside both Sphinx builds): the two editions, each with its
    chapters and, apart, its guides.

    Parameters
    ----------
    editions : dict
        ``lang -> [ChapterPage, …]``.
    favicon, css : str
        URLs of the favicon and of the landing page's stylesheet.

    Returns
    -------
    str
        An HTML document.
    """
    cols = []
    for lang, pages in editions.items():
        tag = "zh-CN" if lang == "zh" else "en"
        items = "".join(f'<li><a href="{lang}/{p.chapter}.html">{html.escape(p.title)}</a></li>'
                        for p in chapters_only(pages))
        guides = "".join(f'<li><a href="{lang}/{p.chapter}.html">{html.escape(p.title)}</a></li>'
                         for p in guides_only(pages))
        guides = f'<h3>{ui("guides", lang)}</h3><ul class="crm-guides">{guides}</ul>' if guides else ""
        cols.append(
            f'<section class="crm-edition-card" lang="{tag}"><h2><a class="crm-lang-switch" hreflang="{lang}" '
            f'href="{lang}/index.html">{ui("edition", lang)}</a></h2><p>{ui("edition_blurb", lang)}</p>'
            f'<ul>{items}</ul>{guides}<p class="crm-more"><a href="{lang}/glossary.html">{ui("glossary_title", lang)}</a>'
            f' · <a href="{lang}/reproduce.html">{ui("reproduce_title", lang)}</a>'
            f' · <a href="{lang}/kit.html">{ui("kit", lang)}</a></p></section>')
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{ui("title", "en")} · {ui("title", "zh")}</title>
<link rel="icon" href="{favicon}" type="image/svg+xml">
<link rel="stylesheet" href="{css}">
</head>
<body class="crm-landing">
<main>
<h1>{ui("title", "en")} <span lang="zh-CN">{ui("title", "zh")}</span></h1>
<p>{html.escape(ui("landing_intro", "en"))}</p>
<p lang="zh-CN">{html.escape(ui("landing_intro", "zh"))}</p>
<div class="crm-editions">{"".join(cols)}</div>
</main>
</body>
</html>
"""


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8), creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
