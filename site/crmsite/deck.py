"""Lecture decks: an executed chapter as a left-to-right sequence of 16:9 slides a lecturer can present.

:func:`build_deck` reads the executed notebook and its results and returns a
:class:`Deck` — the slides in reading order, each a title, a few blocks and the
speaker notes. The same deck is written as a reveal.js page (:func:`deck_html`),
a PowerPoint file (:mod:`crmsite.pptx`) and, where Chromium is installed, a PDF
(:mod:`crmsite.pdf`); so the three always have the same slides.

What a deck holds, per chapter and edition:

* a title slide: the chapter's title, the edition, and the run's parameters that
  differ from the notebook's defaults (:func:`crmsite.notebook.run_parameters`);
* the introduction, then per ``##`` section a section slide and its content in
  reading order: each paragraph's first sentences (a budget of
  :data:`TEXT_LINES` lines per slide; the whole paragraph goes to the speaker
  notes), every list, block quote, display formula (MathML, as on the site, by
  ``site/_ext/crm_mathml.py``), Markdown table and ``ch.table`` output, each
  computed sentence (``ch.say``) and each figure on its own slide, as large as
  the slide allows — or the figure's deck variants (one per panel, larger text)
  recorded by :meth:`crmbook.chapter.Chapter.figure`;
* one slide per exercise, its answer (from the exercise set's own checker) shown
  on the next click;
* the numbers that come from a source text or a paper, or were checked against a
  printed value, with their labels (``chNN.key.<key>``), units and verdicts (numbers
  computed from a data set are many and are left to the Reproduce page), and the
  chapter's sources.

On a slide, a sentence that names code or a file (inline code that is not one of
the notebook's parameters) is left to the notes, parameters show the run's value,
citations ``[@key]`` read "(Author Year)", authoring notes ("(grep …)") are
dropped, and numbers never appear in scientific notation.
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator

from crmbook.mdtext import commonmark
from crmlib.i18n import labels, t

from .collect import ChapterPage, text_of, ui
from .notebook import _caption_of, changed_text, figure_anchor, figure_path, run_parameters

__all__ = ["Deck", "Slide", "Block", "build_deck", "deck_html", "number_text", "lecture_number", "value_text",
           "param_value_text", "SLIDE_W", "SLIDE_H", "TEXT_LINES", "est_lines", "tex_to_mathml"]

#: The slide size (CSS px): 16:9.
SLIDE_W, SLIDE_H = 1280, 720
#: Body text: font size (px) and the text lines a slide may hold (the browser test allows 6).
FONT_PX, TEXT_LINES = 30, 5
#: Width of the text column (px).
TEXT_W = 1180
#: Figure captions on a figure slide: font size (px) and at most this many lines.
CAPTION_PX, CAPTION_LINES = 22, 2
#: Text lines of a table slide (a row whose long cell wraps counts each line), and the width (em) at
#: which a table cell wraps.
TABLE_ROWS, CELL_EM = 11, 24.0
#: Latin words a Chinese slide may show (outside formulas and verbatim quotations): abbreviations
#: every Chinese CRM text uses, names of models, firms, software and data sets, function names in
#: formulas, the Latin parts of the sources' own titles, the English words behind the acronyms the
#: chapters teach (ASK, MAN); with the authors of ``references.bib``
#: (:func:`latin_ok`). A parenthetical English gloss with any other word ("态度（Attitude）") is left
#: to the speaker notes.
LATIN_OK = frozenset({
    "CRM", "crm", "CLV", "RFM", "NPS", "ROI", "NPV", "IRR", "EVA", "TCO", "NOPAT", "KPI", "AME", "DERT", "EAI",
    "ERP", "IT", "CEO", "VIP", "SAS", "IBM", "MAN", "ASK", "CH", "US", "USD", "SE", "OLS", "MLE",
    "BG", "NBD", "BB", "sBG", "BTYD", "Pareto", "Gamma", "BG/NBD", "Pareto/NBD", "BG/BB", "Gamma-Gamma",
    "Logit", "logit", "log", "exp", "beta", "gamma", "alive", "CDNOW", "Gartner", "Tesco", "Walmart",
    "Cadillac", "Marlboro", "Stern", "Stewart", "JupyterLab", "Jupyter", "Excel", "crmlib", "Goodman",
    "Cohen", "Wilson", "Jeffreys", "Pearson", "Poisson", "Binomial", "Bin", "NB", "Wald", "Clopper",
    "Group", "Imieliński", "Lücke", "et", "al", "Bonferroni", "Delta", "MBG", "Telco", "SHA", "Schoenfeld",
    "Kaplan", "Meier", "Cox", "Likert", "Cronbach", "Lorenz", "Gini", "Markov", "Logrank",
    "means",   # k-means++, the name of a method
    # the English words behind the acronyms the chapters teach (ASK, MAN)
    "Attitude", "Skill", "Knowledge", "ask", "Money", "Authority", "Need",
})


@lru_cache(maxsize=1)
def latin_ok() -> frozenset[str]:
    """:data:`LATIN_OK` and the surnames of the authors in ``datasets/sources/references.bib``.

    Returns
    -------
    frozenset of str
    """
    bib = Path(__file__).resolve().parents[2] / "datasets" / "sources" / "references.bib"
    names: set[str] = set()
    if bib.is_file():
        text = bib.read_text(encoding="utf-8")
        for authors in re.findall(r"author\s*=\s*[{\"](.+?)[}\"]\s*,?\s*$", text, re.M | re.I):
            for a in authors.split(" and "):
                names.update(w for w in re.split(r"[\s\-{}]+", a.split(",")[0]) if w)
    return LATIN_OK | names


_LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ]{2,}")


def _strip_glosses(runs: list[Run]) -> list[Run]:
    """A Chinese slide's runs without parenthetical English glosses (words outside :func:`latin_ok`);
    a gloss may span runs ("（**A**ttitude, **S**kill）")."""
    ok = latin_ok()
    flat = "".join("\ue000" * len(r.text) if r.style in ("math", "code") else r.text for r in runs)
    cut: set[int] = set()
    for m in re.finditer(r"\s?[（(][^（）()\ue000]*[）)]", flat):
        if any(w not in ok for w in _LATIN_WORD.findall(m.group(0))):
            cut.update(range(m.start(), m.end()))
    if not cut:
        return runs
    out, pos = [], 0
    for r in runs:
        keep = "".join(ch for i, ch in enumerate(r.text, pos) if i not in cut)
        pos += len(r.text)
        if keep:
            out.append(Run(keep, r.style))
    return _merge(out)


_CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")


# ------------------------------------------------------------------ numbers
def _decimals(x: float, significant: int = 3) -> int:
    if x == 0:
        return 0
    return max(0, significant - 1 - int(math.floor(math.log10(abs(x)))))


def number_text(value: Any, lang: str = "en", *, significant: int = 3) -> str:
    """A number for people: thousands separators, a few significant digits, never scientific notation.

    Parameters
    ----------
    value : int or float
    lang : {"en", "zh"}
        Unused today (both editions write 1,234.5); kept so callers state the edition.
    significant : int
        Significant digits of numbers below 1,000 (larger ones are rounded to whole numbers,
        or one decimal below 10,000).

    Returns
    -------
    str
        E.g. ``480,000``, ``11,066.7``, ``0.243``, ``−9,582``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"value must be a number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        v = int(value)
        text = f"{abs(v):,}"
        return ("−" if v < 0 else "") + text
    x = float(value)
    if abs(x) >= 10_000:
        text = f"{abs(x):,.0f}"
    elif abs(x) >= 1_000:
        text = f"{abs(x):,.1f}".rstrip("0").rstrip(".")
    else:
        d = min(_decimals(x, significant), 8)
        text = f"{abs(x):.{d}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if text in ("0", ""):
        return "0"
    return ("−" if x < 0 else "") + text


def _money(value: float, lang: str) -> str:
    """US$480,000 / 48万美元 (亿 from 10⁸)."""
    if lang == "zh":
        for size, word in ((1e8, "亿"), (1e4, "万")):
            if abs(value) >= size:
                return f"{number_text(round(value / size, 2))}{word}美元"
        return f"{number_text(value)}美元"
    sign = "−" if value < 0 else ""
    return f"{sign}US${number_text(abs(value))}"


def lecture_number(entry: dict) -> bool:
    """Whether a recorded result belongs on a deck's "Key numbers" slides: it was checked against a
    printed value, or its source is a source text or a paper (not a data set the chapter computes from).

    Parameters
    ----------
    entry : dict
        One result of a chapter's results file (``value``, ``unit``, ``source``, ``expected`` …).

    Returns
    -------
    bool
    """
    source = entry.get("source")
    if not source:
        return False
    if entry.get("expected") is not None:
        return True
    kind = source.get("kind") if isinstance(source, dict) else None
    return kind != "dataset"


def value_text(value: Any, unit: str | None, lang: str) -> str:
    """A recorded value with its unit, as a reader says it (``480000, "USD"`` -> ``US$480,000`` / ``48万美元``).

    Parameters
    ----------
    value : number, bool, list or str
        A recorded value; a list of two numbers is a range (``3–4 times``).
    unit : str or None
        The recorded unit (``"USD"``, ``"%"``, ``"years"`` …; site labels ``site.unit.*`` name it).
    lang : {"en", "zh"}

    Returns
    -------
    str
    """
    if isinstance(value, bool):
        return ui("yes_plain" if value else "no_plain", lang)
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            if len(value) == 2 and unit not in ("USD", "USD/year"):
                return f"{number_text(value[0], lang)}–{value_text(value[1], unit, lang)}"
            parts = [value_text(v, unit, lang) for v in value]
            return "–".join(parts) if len(value) == 2 else ", ".join(parts)
        return ", ".join(str(v) for v in value)
    if not isinstance(value, (int, float)):
        return str(value)
    if unit == "year":
        return f"{int(value)} 年" if lang == "zh" else str(int(value))
    if unit == "USD":
        return _money(float(value), lang)
    if unit == "USD/year":
        return _money(float(value), lang) + ("/年" if lang == "zh" else " a year")
    if unit == "%":
        return f"{number_text(value, lang)}%" if lang == "zh" else f"{number_text(value, lang)} %"
    key = f"site.unit.{unit}"
    word = labels()[key][lang] if unit and key in labels() else (unit or "")
    if not word:
        return number_text(value, lang)
    return f"{number_text(value, lang)}{word}" if lang == "zh" and not word.isascii() else \
        f"{number_text(value, lang)} {word}"


def param_value_text(value: Any, lang: str) -> str:
    """A parameter's value in prose: shares (0 < x < 1) as percentages, other numbers for people.

    Parameters
    ----------
    value : Any
        The value of a notebook parameter.
    lang : {"en", "zh"}

    Returns
    -------
    str
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        sep = "、" if lang == "zh" else ", "
        return sep.join(param_value_text(v, lang) for v in value)
    if isinstance(value, float) and 0 < value < 1:
        pct = number_text(round(value * 100, 4), lang)
        return f"{pct}%" if lang == "zh" else f"{pct} %"
    return number_text(value, lang)


# ------------------------------------------------------------------ measuring text
_TOKEN = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]+\s*|\s+")


@lru_cache(maxsize=1)
def _font():
    """Source Sans Pro (the deck's font, from the reveal.js theme) at 100 px, or None."""
    try:
        import sphinx_revealjs
        from PIL import ImageFont

        path = (Path(sphinx_revealjs.__file__).resolve().parent / "_static" / "revealjs" / "dist" / "theme" / "fonts"
                / "source-sans-pro" / "source-sans-pro-semibold.ttf")
        return ImageFont.truetype(str(path), 100)
    except (ImportError, OSError):
        return None


@lru_cache(maxsize=65536)
def _token_em(token: str) -> float:
    if _CJK.match(token):
        return 1.0
    font = _font()
    if font is not None:
        return font.getlength(token) / 100.0
    return sum(0.3 if ch in " ,.;:'!|il()[]ftjr" else 0.62 if ch.isupper() or ch in "mwMW%—–" else 0.5
               for ch in token)


def _width_em(text: str) -> float:
    """Width of ``text`` in em of the deck's font (CJK characters 1 em; the rest measured with the
    semibold face of Source Sans Pro, so bold text is not underestimated)."""
    return sum(_token_em(t) for t in _TOKEN.findall(text))


def est_lines(text: str, px: float = FONT_PX, width: float = TEXT_W) -> int:
    """Lines ``text`` takes at ``px`` in a column ``width`` px wide: a greedy line breaker over words
    (and single CJK characters), with the deck's font measured.

    Parameters
    ----------
    text : str
        Plain text.
    px : float
        Font size.
    width : float
        Column width.

    Returns
    -------
    int
    """
    if not text.strip():
        return 0
    room = width / px * 0.97
    lines, used = 1, 0.0
    for token in _TOKEN.findall(" ".join(text.split())):
        w = _token_em(token)
        bare = _token_em(token.rstrip()) if token != token.rstrip() else w
        if used and used + bare > room:
            lines += 1
            used = 0.0
        used += w
        while used > room:
            lines += 1
            used -= room
    return lines


# ------------------------------------------------------------------ math
@lru_cache(maxsize=1)
def _mathml_module():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "_ext" / "crm_mathml.py"
    spec = importlib.util.spec_from_file_location("crm_mathml", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def tex_to_mathml(tex: str, display: str = "inline") -> str:
    """MathML of ``tex`` by the site's own converter (``site/_ext/crm_mathml.py``).

    Parameters
    ----------
    tex : str
    display : {"inline", "block"}

    Returns
    -------
    str
    """
    return _mathml_module().to_mathml(tex, display)


# ------------------------------------------------------------------ the deck
@dataclass
class Block:
    """One piece of a slide.

    ``kind`` is ``text`` (``items``: one paragraph; ``cls`` e.g. ``result`` for a computed
    sentence), ``list`` (``items``: one per item, ``ordered``), ``quote``, ``math`` (``tex``),
    ``table`` (``header`` and ``rows`` of cell texts), ``image`` (``src`` relative to the
    build folder, ``width``/``height`` in px) or ``answer`` (shown on the next click).
    Text items are :class:`Inline` runs.
    """

    kind: str
    items: list[list["Run"]] = field(default_factory=list)
    ordered: bool = False
    tex: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    src: str = ""
    width: int = 0
    height: int = 0
    cls: str = ""
    alt: str = ""
    font_px: int = 0
    start: int = 1

    def lines(self) -> int:
        """Text lines this block takes on a slide (estimate)."""
        if self.kind in ("text", "answer"):
            return sum(est_lines(plain(i)) for i in self.items)
        if self.kind == "list":
            return sum(est_lines(plain(i), width=TEXT_W - 50) for i in self.items)
        if self.kind == "quote":
            return sum(est_lines(plain(i), width=TEXT_W - 80) for i in self.items)
        return 0

    def height_px(self) -> int:
        """Height this block takes (estimate, px)."""
        if self.kind == "math":
            return 110 if "frac" in self.tex or "sum" in self.tex else 70
        if self.kind == "image":
            return self.height
        if self.kind == "table":
            return int(24 + (self.font_px or 24) * 1.75 * (len(self.rows) + 1))
        return int(self.lines() * FONT_PX * 1.3 + 18 * max(1, len(self.items)))


@dataclass
class Run:
    """A stretch of inline text with one style: ``""``, ``"b"``, ``"i"``, ``"bi"``, or ``"math"`` (TeX)."""

    text: str
    style: str = ""


def plain(runs: list[Run]) -> str:
    """The text of some runs (TeX of math runs as written)."""
    return "".join(r.text for r in runs)


@dataclass
class Slide:
    """One slide: ``kind`` (``title``, ``section``, ``content``, ``figure``, ``table``, ``exercise``,
    ``numbers``, ``sources``, ``end``), its title, blocks and speaker notes (paragraphs of runs)."""

    kind: str
    title: list[Run] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    notes: list[list[Run]] = field(default_factory=list)
    anchor: str = ""
    subtitle: list[list[Run]] = field(default_factory=list)

    def lines(self) -> int:
        """Text lines of the body (estimate)."""
        return sum(b.lines() for b in self.blocks)

    def height_px(self) -> int:
        """Height of the body (estimate)."""
        return sum(b.height_px() for b in self.blocks)


@dataclass
class Deck:
    """A chapter's slides in order, with what the outputs need to know."""

    chapter: str
    lang: str
    title: str
    slides: list[Slide]
    build_dir: Path

    @property
    def pictures(self) -> int:
        """Number of images (figures and formulas are separate: this counts figures)."""
        return sum(1 for s in self.slides for b in s.blocks if b.kind == "image")


# ------------------------------------------------------------------ Markdown
@lru_cache(maxsize=1)
def _md():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    dollarmath_plugin(md, double_inline=True, allow_digits=False)
    return md


_CITE = re.compile(r"\s?\[(@[A-Za-z][\w:\-]*(?:\s*;\s*@[A-Za-z][\w:\-]*)*)\]")
_GREP = re.compile(r"\s?[（(]\s*grep\b[^)）]*[)）]|,?\s*grep\s+`[^`]*`(?:\s*,\s*`[^`]*`)*")
_NO_SPLIT = ("e.g.", "i.e.", "et al.", "cf.", "vs.", "etc.", "No.", "Fig.", "approx.")


@lru_cache(maxsize=None)
def _citation(key: str, lang: str) -> tuple[str, str]:
    """``(who, year)`` of a bibliography key (the key itself when it is unknown)."""
    try:
        from crmbook.sources import citation_text

        text = citation_text(key)
    except Exception:  # noqa: BLE001 - an unknown key is shown by name rather than failing a deck
        return key, ""
    m = re.match(r"^(.*?)\s*\((.*?)\)\s*$", text)
    who, year = (m.group(1), m.group(2)) if m else (text, "")
    if lang == "zh":
        who = who.replace(" & ", " 与 ").replace(" et al.", " 等")
    return who, year


def citations(markdown: str, lang: str) -> str:
    """``[@a; @b]`` -> ``(Author Year; Author Year)``; dropped right after an author's ``(Year)``.

    Parameters
    ----------
    markdown : str
    lang : {"en", "zh"}

    Returns
    -------
    str
    """
    def one(m: re.Match[str]) -> str:
        keys = [k.strip().lstrip("@") for k in m.group(1).split(";")]
        before = markdown[:m.start()].rstrip()
        refs = [_citation(k, lang) for k in keys]
        if len(refs) == 1 and refs[0][1] and re.search(rf"[(（]{re.escape(refs[0][1])}[)）]$", before):
            return ""
        inner = "; ".join(f"{who} {year}".strip() for who, year in refs)
        return f"（{inner}）" if lang == "zh" else f" ({inner})"

    return _CITE.sub(one, markdown)


def clean_markdown(markdown: str, lang: str) -> str:
    """Markdown without authoring notes (``(grep …)``, HTML comments such as ``<!-- [@key] -->``, which
    the reader never sees) and with citations as (Author Year).

    Parameters
    ----------
    markdown : str
    lang : {"en", "zh"}

    Returns
    -------
    str
    """
    markdown = re.sub(r"[ \t]*<!--.*?-->", "", markdown, flags=re.S)
    text = re.sub(r"(?<=US)(?<!\\)\$", r"\\$", _GREP.sub("", markdown))   # US$30 is money, never math
    return citations(text, lang)


def sentences(markdown: str) -> list[str]:
    """The sentences of a paragraph's Markdown (never split inside math, code or emphasis).

    Parameters
    ----------
    markdown : str

    Returns
    -------
    list of str
    """
    text = re.sub(r"\s*\n\s*", " ", markdown.strip())
    out, start, i, dollar, tick = [], 0, 0, False, False
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            tick = not tick
        elif ch == "$" and not tick:
            dollar = not dollar
        elif not tick and not dollar:
            end = None
            if ch in "。！？" or (ch in "：；" and False):
                end = i + 1
                while end < len(text) and text[end] in "”’）)*":
                    end += 1
            elif ch in ".!?":
                j = i + 1
                while j < len(text) and text[j] in "*”’\")":
                    j += 1
                nxt = text[j + 1:j + 2] if j < len(text) and text[j] == " " else ""
                head = text[start:i + 1]
                if nxt and (nxt.isupper() or nxt in "*(“\"'" or _CJK.match(nxt)) \
                        and not any(head.endswith(a) for a in _NO_SPLIT) and not re.search(r"(?:^|\s)[A-Z]\.$", head):
                    end = j
            if end is not None:
                piece = text[start:end].strip()
                if piece:
                    out.append(piece)
                start = i = end
                continue
        i += 1
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    # emphasis opened in one sentence and closed in the next: keep them together
    merged: list[str] = []
    for s in out:
        if merged and merged[-1].count("**") % 2 == 1:
            merged[-1] += " " + s
        else:
            merged.append(s)
    return merged


class _Inline:
    """Inline Markdown -> runs; inline code that names a parameter becomes its value, other inline
    code marks the text as technical (left to the notes)."""

    def __init__(self, params: dict[str, Any], lang: str) -> None:
        self.params, self.lang = params, lang

    def runs(self, markdown: str) -> tuple[list[Run], bool]:
        tokens = _md().parseInline(markdown)
        children = tokens[0].children if tokens else []
        out: list[Run] = []
        bold = ital = False
        technical = False
        for tok in children or []:
            style = ("b" if bold else "") + ("i" if ital else "")
            if tok.type == "text":
                out.append(Run(tok.content, style))
            elif tok.type in ("softbreak", "hardbreak"):
                out.append(Run(" ", style))
            elif tok.type == "strong_open":
                bold = True
            elif tok.type == "strong_close":
                bold = False
            elif tok.type == "em_open":
                ital = True
            elif tok.type == "em_close":
                ital = False
            elif tok.type == "code_inline":
                if tok.content in self.params:
                    out.append(Run(param_value_text(self.params[tok.content], self.lang), style))
                else:
                    technical = True
                    out.append(Run(tok.content, "code"))
            elif tok.type == "math_inline":
                out.append(Run(tok.content, "math"))
        return _merge(out), technical


def _merge(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and out[-1].style == r.style and r.style != "math":
            out[-1] = Run(out[-1].text + r.text, r.style)
        else:
            out.append(r)
    return out


def _drop_code_asides(markdown: str, params: dict[str, Any]) -> str:
    """Parenthetical remarks and dash clauses that name code or files (not parameters) left out."""
    def drop(m: re.Match[str]) -> str:
        codes = re.findall(r"`([^`]+)`", m.group(0))
        return "" if any(c not in params for c in codes) else m.group(0)

    text = re.sub(r"\s?\([^()]*`[^`]+`[^()]*\)|（[^（）]*`[^`]+`[^（）]*）", drop, markdown)
    return re.sub(r"\s*[—–]\s*`[^`]+`(?=\s*[.;。；]?\s*$)", drop, text)


def _after_code(sentence: str, lang: str) -> str:
    """What a sentence says after the colon that follows its last code span ("`x` uses this convention: the
    customer …" -> "The customer …"); "" when there is no such colon."""
    last = None
    for m in re.finditer(r"`[^`]+`", sentence):
        last = m
    if last is None:
        return sentence
    rest = sentence[last.end():]
    m = re.search(r"[:：]\s*", rest)
    if not m or not rest[m.end():].strip():
        return ""
    tail = rest[m.end():].strip()
    return tail[0].upper() + tail[1:] if lang == "en" and tail[0].islower() else tail


def _substitute_param_phrases(markdown: str, params: dict[str, Any]) -> str:
    """"(the parameter `x`)" / "（参数 `x`）" -> the value's code span (shown as the value)."""
    return re.sub(r"(?:the\s+parameters?\s+|参数\s*)(`([A-Za-z_]\w*)`)",
                  lambda m: m.group(1) if m.group(2) in params else m.group(0), markdown)


# ------------------------------------------------------------------ reading the chapter
@dataclass
class _Item:
    kind: str            # heading, para, list, quote, math, mdtable, figure, say, table, exercises, sources, hr
    level: int = 0
    text: str = ""       # Markdown (para, heading, say) or TeX (math)
    items: list[str] = field(default_factory=list)
    ordered: bool = False
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    number: str = ""


def _md_items(markdown: str) -> Iterator[_Item]:
    tokens = _md().parse(markdown)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            yield _Item("heading", level=int(tok.tag[1]), text=tokens[i + 1].content)
            i += 3
            continue
        if tok.type == "paragraph_open" and tok.level == 0:
            yield _Item("para", text=tokens[i + 1].content)
            i += 3
            continue
        if tok.type in ("math_block", "math_block_label", "amsmath") or (tok.type == "fence" and
                                                                          tok.info.strip() == "{math}"):
            yield _Item("math", text=tok.content.strip())
        elif tok.type == "hr":
            yield _Item("hr")
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            close = tok.type.replace("_open", "_close")
            depth, j, items = 0, i + 1, []
            while j < len(tokens):
                tj = tokens[j]
                if tj.type == tok.type:
                    depth += 1
                elif tj.type == close:
                    if depth == 0:
                        break
                    depth -= 1
                elif tj.type == "inline" and depth == 0:
                    items.append(tj.content)
                j += 1
            yield _Item("list", items=items, ordered=tok.type.startswith("ordered"))
            i = j
        elif tok.type == "blockquote_open":
            j, paras = i + 1, []
            while j < len(tokens) and tokens[j].type != "blockquote_close":
                if tokens[j].type == "inline":
                    paras.append(tokens[j].content)
                j += 1
            yield _Item("quote", items=paras)
            i = j
        elif tok.type == "table_open":
            j, header, rows, row = i + 1, [], [], []
            in_head = False
            while j < len(tokens) and tokens[j].type != "table_close":
                tj = tokens[j]
                if tj.type == "thead_open":
                    in_head = True
                elif tj.type == "thead_close":
                    in_head = False
                elif tj.type == "tr_open":
                    row = []
                elif tj.type == "tr_close":
                    (header.extend(row) if in_head else rows.append(row))
                elif tj.type == "inline":
                    row.append(tj.content)
                j += 1
            yield _Item("mdtable", header=header, rows=rows)
            i = j
        i += 1


class _HtmlTable(HTMLParser):
    """The cells of a pandas HTML table: header rows and body rows (colspans repeated)."""

    def __init__(self) -> None:
        super().__init__()
        self.head: list[list[str]] = []
        self.body: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
            self._span = int(dict(attrs).get("colspan") or 1)

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.extend([" ".join("".join(self._cell).split())] * self._span)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            (self.head if self._in_head else self.body).append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _html_table(text: str) -> tuple[list[str], list[list[str]]] | None:
    p = _HtmlTable()
    p.feed(text)
    if not p.body:
        return None
    head = p.head
    if len(head) >= 2 and all(not c for c in head[-1][1:]) and head[-1][0]:
        # pandas' row with the index name under the column headers
        head = [[head[-1][0], *head[0][1:]], *head[1:-1]]
    header = [" ".join(dict.fromkeys(x for x in col if x)) for col in zip(*head)] if head else []
    return header, p.body


_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "theta": "θ", "lambda": "λ", "mu": "μ",
          "sigma": "σ", "rho": "ρ"}


def _tidy_table(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Without pandas' default row numbers (0, 1, 2 … under an empty header) and with Greek parameter
    names (``alpha``) as letters."""
    if rows and header and not header[0].strip() and all(r and r[0].strip() == str(i) for i, r in enumerate(rows)):
        header, rows = header[1:], [r[1:] for r in rows]
    rows = [[_GREEK.get(c.strip(), c) for c in r] for r in rows]
    code = re.compile(r"\.(?:json|csv|py|ipynb)\b|^\(?[a-z_]+\.[a-z_]+\.[\w.]+|\w+\([^)]*\)")
    drop = {j for j in range(len(header)) if sum(1 for r in rows if j < len(r) and code.search(r[j]))
            * 2 >= max(1, sum(1 for r in rows if j < len(r) and r[j].strip() not in ("", "—")))
            and any(j < len(r) and code.search(r[j]) for r in rows)}
    if drop:   # file names, result keys, function calls: for the notebook, not the lecture
        header = [h for j, h in enumerate(header) if j not in drop]
        rows = [[c for j, c in enumerate(r) if j not in drop] for r in rows]
    return header, rows


def _notebook_items(nb: dict[str, Any], page: ChapterPage) -> Iterator[_Item]:
    """Everything of the chapter a deck may show, in reading order."""
    figures, shown = page.figures, set()
    in_exercises = False
    ex_names: set[str] = set()
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags") or []
        if "injected-parameters" in tags or "parameters" in tags:
            continue
        source = text_of(cell.get("source"))
        if cell.get("cell_type") == "markdown" and \
                (cell.get("metadata", {}).get("slideshow") or {}).get("slide_type") == "skip":
            continue   # how to change the parameters: for the notebook (tools/slide_metadata.py)
        if cell.get("cell_type") == "markdown":
            after_rule = False
            for item in _md_items(source):
                if item.kind == "heading" and item.level <= 2:
                    in_exercises = False
                if item.kind == "hr":
                    after_rule = True
                    continue
                if after_rule:
                    item = _Item("sources", text=item.text, items=item.items)
                yield item
            continue
        if cell.get("cell_type") != "code":
            continue
        bound = re.findall(r"^\s*(\w+)\s*=\s*[\w.]*\.exercises\(", source, re.M)
        ex_names.update(bound)
        shows = any(re.search(rf"\b{re.escape(n)}\.show\(\)", source) for n in ex_names)
        if shows or (re.search(r"\.exercises\(", source) and not bound):
            # where the chapter shows its exercises (a set made in the set-up cell waits for its show())
            in_exercises = True
            yield _Item("exercises")
            continue
        if in_exercises:
            continue
        for out in cell.get("outputs") or []:
            number = _caption_of(out, figures, shown)
            if number is not None:
                shown.add(number)
                yield _Item("figure", number=number)
                continue
            data = out.get("data") or {}
            if "text/html" in data and "<table" in text_of(data["text/html"]):
                parsed = _html_table(text_of(data["text/html"]))
                if parsed:
                    header, rows = _tidy_table(*parsed)
                    yield _Item("table", header=header, rows=rows)
            elif "text/markdown" in data and out.get("output_type") == "display_data":
                yield _Item("say", text=commonmark(text_of(data["text/markdown"])))


# ------------------------------------------------------------------ table cells
_NUM = re.compile(r"^[-−]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_NUMERIC = re.compile(r"^[-−]?(?:US\$)?[\d,]+(?:\.\d+)?\s?(?:%|万|亿)?(?:美元)?(?:/年)?$")


def cell_text(cell: str, lang: str) -> str:
    """A table cell for a slide: numbers for people (no ``24000.000000``, no ``1e+05``), NaN as a dash.

    Parameters
    ----------
    cell : str
    lang : {"en", "zh"}

    Returns
    -------
    str
    """
    s = cell.strip()
    if s.lower() in ("nan", "none", "<na>", "nat"):
        return "—"
    if s.lower() in ("inf", "-inf"):
        return "∞" if s[0] != "-" else "−∞"
    if _NUM.match(s):
        v = float(s.replace("−", "-"))
        if re.match(r"^[-−]?\d+$", s):
            return s if 1800 <= v <= 2100 else number_text(int(v), lang)   # a year stays 1997
        return number_text(v, lang, significant=4)
    return s


# ------------------------------------------------------------------ building
class _Builder:
    def __init__(self, page: ChapterPage, nb: dict[str, Any], build_dir: Path) -> None:
        self.page, self.lang, self.build_dir, self.nb = page, page.lang, build_dir, nb
        self.defaults, self.values = run_parameters(nb)
        self.inline = _Inline(self.values, self.lang)
        self.slides: list[Slide] = []
        self.current: Slide | None = None
        self.figures = page.figures
        self.heading: list[Run] = [Run(page.title)]   # the title of the slides being filled
        self.source_notes: list[list[Run]] = []        # the chapter's sources paragraph (notes of the sources slide)

    # ---- text
    def runs(self, markdown: str) -> tuple[list[Run], bool]:
        md = _substitute_param_phrases(clean_markdown(markdown, self.lang), self.values)
        return self.inline.runs(md)

    def note(self, markdown: str) -> list[Run]:
        return self.runs(markdown)[0]

    def digest(self, markdown: str, budget: int, *, lead_in: bool = False, width: float = TEXT_W) -> list[Run]:
        """The sentences of a paragraph that go on the slide (within ``budget`` lines); with ``lead_in``
        (an object follows) the sentence that introduces it is always among them."""
        md = _substitute_param_phrases(clean_markdown(markdown, self.lang), self.values)
        parts = []
        for s in sentences(md):
            s = _drop_code_asides(s, self.values)
            r, technical = self.inline.runs(s)
            if technical:
                s = _after_code(s, self.lang)
                r, technical = self.inline.runs(s) if s else ([], True)
            if not technical and plain(r).strip():
                parts.append(r)
        if not parts:
            bold = re.match(r"^\s*\*\*([^*]+)\*\*", md)   # a list item's bold lead says what it is about
            return self.inline.runs(bold.group(1).strip(" ：:"))[0] if bold else []
        last = plain(parts[-1]).rstrip()
        if lead_in and (last.endswith((":", "：")) or not last.endswith((".", "!", "?", "。", "！", "？", ")", "）"))):
            chosen = [parts[-1]]
            if len(parts) > 1 and est_lines(plain(parts[0]) + " " + plain(parts[-1])) <= budget:
                chosen = [parts[0], parts[-1]]
        else:
            chosen = []
            for r in parts:
                if est_lines(" ".join(plain(c) for c in chosen + [r]), width=width) > budget and chosen:
                    break
                chosen.append(r)
                if est_lines(" ".join(plain(c) for c in chosen), width=width) >= budget:
                    break
        joined: list[Run] = []
        for i, r in enumerate(chosen):
            if i:
                joined.append(Run("" if self.lang == "zh" else " "))
            joined += r
        if self.lang == "zh":
            joined = _strip_glosses(joined)
        text = plain(joined)
        if est_lines(text, width=width) > budget:
            joined = _shorten(joined, budget, self.lang, width=width)
        return _merge(joined)

    # ---- slides
    def new(self, kind: str, title: list[Run], **kw: Any) -> Slide:
        s = Slide(kind, title=title, **kw)
        self.slides.append(s)
        self.current = s if kind == "content" else None
        return s

    def content(self, title: list[Run] | None = None) -> Slide:
        if self.current is None:
            self.current = self.new("content", title or self.heading)
        return self.current

    def add(self, block: Block, notes: list[list[Run]] | None = None, *, keep_with_prev: bool = False) -> None:
        """Add a block to the current content slide, starting a new one when it would not fit."""
        slide = self.content()
        fits = (slide.lines() + block.lines() <= TEXT_LINES
                and slide.height_px() + block.height_px() <= SLIDE_H - 150)
        if slide.blocks and not fits:
            carry = []
            if keep_with_prev and slide.blocks and slide.blocks[-1].kind == "text":
                carry = [slide.blocks.pop()]
            prev_title = slide.title
            emptied = not slide.blocks
            if emptied:
                self.slides.remove(slide)
            self.current = None
            slide = self.content(prev_title if emptied else _continued(prev_title, self.lang))
            slide.blocks += carry
        slide.blocks.append(block)
        if notes:
            slide.notes += notes

    def build(self, nb: dict[str, Any]) -> list[Slide]:
        lang = self.lang
        self.heading = [Run(self.page.title)]
        self.title_slide()
        pending_colon = False
        items = list(_notebook_items(nb, self.page))
        for k, item in enumerate(items):
            nxt = items[k + 1] if k + 1 < len(items) else None
            if item.kind == "heading":
                title = self.runs(item.text)[0]
                if item.level == 1:
                    self.heading = [Run(ui("deck_overview", lang))]
                    self.current = None
                    continue
                self.heading = title
                self.current = None
                if item.level == 2:
                    self.new("section", title)
                continue
            if item.kind == "para":
                object_follows = nxt is not None and nxt.kind in ("math", "list", "quote", "mdtable", "table")
                fresh = self.current is None or not self.current.blocks
                text = self.digest(item.text, 2 if object_follows else (4 if fresh else 3), lead_in=object_follows)
                notes = [self.note(item.text)]
                if text:
                    end = plain(text).rstrip()
                    cls = "lead" if object_follows and (end.endswith((":", "：")) or not end.endswith(
                        (".", "!", "?", "。", "！", "？", ")", "）", "…"))) else ""
                    self.add(Block("text", items=[text], cls=cls), notes)
                    pending_colon = bool(cls)
                else:
                    self.content().notes += notes
                    pending_colon = False
                continue
            if item.kind == "say":
                text = self.digest(item.text, 4)
                notes = [self.note(item.text)]
                if text:
                    self.add(Block("text", items=[text], cls="result"), notes)
                continue
            if item.kind == "list":
                lead = self.lead_lines(pending_colon)
                entries = [self.digest(x, 3) for x in item.items]
                n = sum(1 for e in entries if e)
                room = max(n, TEXT_LINES - lead)
                if sum(est_lines(plain(e), width=TEXT_W - 50) for e in entries) > room:
                    each = max(1, room // max(1, n))
                    entries = [self.digest(x, each, width=TEXT_W - 50) for x in item.items]
                notes = [self.note(x) for x in item.items]
                entries = [e for e in entries if e]
                first = 1
                while entries:   # a list longer than a slide goes on over the next (numbering continues)
                    room = TEXT_LINES + 1 - (lead if first == 1 else 0)
                    k, used = 0, 0
                    while k < len(entries) and (k == 0 or used + est_lines(plain(entries[k]), width=TEXT_W - 50)
                                                <= room):
                        used += est_lines(plain(entries[k]), width=TEXT_W - 50)
                        k += 1
                    block = Block("list", items=entries[:k], ordered=item.ordered, start=first)
                    if first > 1:
                        self.next_slide()
                    self.add(block, notes if first == 1 else None, keep_with_prev=pending_colon and first == 1)
                    entries, first = entries[k:], first + k
                pending_colon = False
                continue
            if item.kind == "quote":
                self.quote([self.note(x) for x in item.items], pending_colon)
                pending_colon = False
                continue
            if item.kind == "math":
                self.add(Block("math", tex=item.text), None, keep_with_prev=pending_colon)
                pending_colon = False
                continue
            if item.kind in ("mdtable", "table"):
                header = [cell_text(plain(self.runs(h)[0]) if item.kind == "mdtable" else h, lang)
                          for h in item.header]
                rows = [[cell_text(plain(self.runs(c)[0]) if item.kind == "mdtable" else c, lang) for c in r]
                        for r in item.rows]
                small = Block("table", header=header, rows=rows, font_px=_table_font(header, rows, inline=True),
                              cls="source")
                if len(rows) <= 8 and len(header) <= 6 and self.current is not None and self.current.blocks \
                        and self.current.height_px() + small.height_px() <= SLIDE_H - 150:
                    self.add(small)
                else:
                    self.table_slides(header, rows, lead=pending_colon)
                pending_colon = False
                continue
            if item.kind == "figure":
                self.figure_slides(item.number)
                pending_colon = False
                continue
            if item.kind == "exercises":
                self.exercise_slides()
                continue
            if item.kind == "sources":
                self.source_notes.append(self.note(item.text) if item.text else
                                         [r for x in item.items for r in self.note(x)])
        self.number_slides()
        self.sources_slide()
        self.end_slide()
        kept: list[Slide] = []
        for s in self.slides:
            if s.kind == "content" and not s.blocks:
                if kept:
                    kept[-1].notes += s.notes
                continue
            kept.append(s)
        return kept

    def lead_lines(self, lead_in: bool) -> int:
        """Lines of the sentence that introduces what comes next (0 when there is none)."""
        return self.current.blocks[-1].lines() if lead_in and self.current and self.current.blocks else 0

    def next_slide(self) -> None:
        """Go on with the same heading on a new slide ("(cont.)")."""
        self.current = None
        self.content(_continued(self.heading, self.lang))

    def quote(self, paras: list[list[Run]], lead_in: bool) -> None:
        """A block quote, whole: over two or more slides when it is long (the attribution on the last),
        a paragraph longer than a slide shortened (it is whole in the notes)."""
        w = TEXT_W - 80
        tail = [x for x in paras[-1:] if len(paras) > 1 and plain(x).lstrip().startswith(("—", "--"))]
        body = paras[:-1] if tail else paras
        lead = self.lead_lines(lead_in)
        pages: list[list[list[Run]]] = [[]]
        room = max(3, TEXT_LINES - lead)
        used = 0
        for x in body:
            n = est_lines(plain(x), width=w)
            if pages[-1] and used + n > room:
                pages.append([])
                room, used = TEXT_LINES - 1, 0
            if n > room:
                x, n = _shorten(x, room, self.lang, width=w), room
            pages[-1].append(x)
            used += n
        pages[-1] += tail   # the attribution stays with the quote's last words
        for i, page in enumerate(pages):
            if i:
                self.next_slide()
            self.add(Block("quote", items=page), paras if i == 0 else None, keep_with_prev=lead_in and i == 0)

    def title_slide(self) -> None:
        lang = self.lang
        sub = [[Run(f"{ui('title', lang)} · {ui('edition', lang)}")]]
        s = self.new("title", [Run(self.page.title)], subtitle=sub)
        changed = changed_text(self.nb, lang)
        if changed:
            s.blocks.append(Block("text", items=[[Run(ui("run_params", lang, params=changed))]], cls="params"))
        s.notes.append([Run(ui("slides_help", lang))])

    def table_slides(self, header: list[str], rows: list[list[str]], *, lead: bool) -> None:
        carry: list[Block] = []
        if lead and self.current is not None and self.current.blocks and self.current.blocks[-1].cls == "lead":
            carry = [self.current.blocks.pop()]
        title = self.heading
        chunks = _table_chunks(rows)
        for i, chunk in enumerate(chunks):
            s = self.new("table", title if i == 0 else _continued(title, self.lang))
            if i == 0:
                s.blocks += carry
            s.blocks.append(Block("table", header=header, rows=chunk, font_px=_table_font(header, chunk),
                                  cls="source" if i == 0 else ""))
        self.current = None

    def figure_slides(self, number: str) -> None:
        from crmbook.figures import DECK_BOX_PX, deck_scale

        fig = self.figures[number]
        variants = fig.get("deck") or [fig]
        caption_md = clean_markdown(fig.get("caption", ""), self.lang)
        first = sentences(caption_md)[:1]
        short, _ = self.inline.runs(first[0] if first else caption_md)
        label = fig.get("label") or number
        for i, v in enumerate(variants, 1):
            w_in, h_in = v.get("width_in"), v.get("height_in")
            if not w_in or not h_in:
                w_in, h_in = _png_inches(self.build_dir / v["png"])
            scale = deck_scale(w_in, h_in, DECK_BOX_PX)
            part = f" ({i}/{len(variants)})" if len(variants) > 1 else ""
            cap = [Run(f"{label}{part}" + ("" if self.lang == "zh" else "."), "b"),
                   Run("　" if self.lang == "zh" else " ")] + short
            if est_lines(plain(cap), CAPTION_PX, DECK_BOX_PX[0] - 70) > CAPTION_LINES:
                cap = _shorten(cap, CAPTION_LINES, self.lang, px=CAPTION_PX, width=DECK_BOX_PX[0] - 70)
            s = self.new("figure", [Run(label)], anchor=figure_anchor(number) if i == 1 else
                         f"{figure_anchor(number)}-{i}")
            s.blocks.append(Block("image", src=v["png"], width=round(w_in * scale), height=round(h_in * scale),
                                  alt=f"{label}. {plain(self.note(fig.get('caption', '')))}",
                                  font_px=int(v.get("min_font_pt") or 0)))
            s.blocks.append(Block("text", items=[_merge(cap)], cls="caption"))
            s.notes.append(_merge([Run(f"{label}. ", "b")] + self.note(fig.get("caption", ""))))
        self.current = None

    def exercise_slides(self) -> None:
        from .kit import exercise_answers

        answers = exercise_answers(self.page.nn, self.lang)
        if not answers:
            return
        for a in answers:
            number = str(a.get("number"))
            title = [Run(t("core.exercise_label", self.lang, number=number)
                         if "core.exercise_label" in labels() else f"{ui('exercise', self.lang)} {number}")]
            s = self.new("exercise", title)
            q = self.digest(a.get("question", ""), 4)
            s.blocks.append(Block("text", items=[q]))
            ans = [Run(f"{ui('answer', self.lang)}: ", "b"), Run(a.get("answer_text") or answer_text(a.get("answer"), self.lang), "b")]
            # the question, the answer's line and its reason share the slide's lines (TEXT_LINES + 1 at most)
            why = self.digest(a.get("explanation") or "", max(1, min(2, TEXT_LINES - est_lines(plain(q)))))
            items = [_merge(ans)] + ([why] if why else [])
            s.blocks.append(Block("answer", items=items))
            s.notes += [self.note(a.get("question", "")), _merge(ans + [Run(" ")] +
                                                                   self.note(a.get("explanation") or ""))]
            self.current = None

    def number_slides(self) -> None:
        lang = self.lang
        rows, missing = [], []
        for key, entry in (self.page.results.get("results") or {}).items():
            if not entry.get("source"):
                continue
            try:
                label = t(f"ch{self.page.nn}.key.{key}", lang)
            except KeyError:
                missing.append(key)
                continue
            if not lecture_number(entry):
                continue
            expected = entry.get("expected")
            verdict = ui("yes", lang) if entry.get("matches") else (
                ui("no", lang) if entry.get("matches") is False else ui("unchecked", lang))
            rows.append([label, value_text(entry.get("value"), entry.get("unit"), lang),
                         value_text(expected, entry.get("unit"), lang) if expected is not None else "—",
                         source_text(entry["source"], lang), verdict])
        if missing:
            import sys

            print(f"deck {self.page.chapter} [{lang}]: no label for {len(missing)} sourced result(s) "
                  f"({', '.join(missing)}): add ch{self.page.nn}.key.<key> to crmbook/labels/ch{self.page.nn}.csv",
                  file=sys.stderr)
        header = [ui(k, lang) for k in ("col_result", "col_value", "col_expected", "col_source", "col_matches")]
        per = 7
        for i in range(0, len(rows), per):
            chunk = rows[i:i + per]
            title = [Run(ui("slides_numbers", lang))]
            s = self.new("numbers", title if i == 0 else _continued(title, lang))
            s.blocks.append(Block("table", header=header, rows=chunk, font_px=_table_font(header, chunk)))
            if i == 0:
                s.notes.append([Run(ui("slides_numbers_note", lang))])

    def sources_slide(self) -> None:
        lang = self.lang
        entries: list[list[Run]] = []
        seen: set[str] = set()
        for entry in (self.page.results.get("results") or {}).values():
            src = entry.get("source") or {}
            if src.get("kind") == "seed" and src.get("source_id") and src["source_id"] not in seen:
                seen.add(src["source_id"])
                title = src.get("title") or ""
                entries.append([Run(src["source_id"], "b"), Run(f" 《{title}》" if title else "")])
        keys: list[str] = []
        for cell in self.page.load().get("cells", []):
            if cell.get("cell_type") == "markdown":
                for m in _CITE.finditer(text_of(cell.get("source"))):
                    keys += [k.strip().lstrip("@") for k in m.group(1).split(";")]
        for key in dict.fromkeys(keys):
            who, year = _citation(key, lang)
            entries.append([Run(f"{who} ({year})" if year else who)])
        if not entries:
            return
        per = 6
        for i in range(0, len(entries), per):
            title = [Run(ui("slides_sources", lang))]
            s = self.new("sources", title if i == 0 else _continued(title, lang))
            s.blocks.append(Block("list", items=entries[i:i + per]))
            if i == 0:
                s.notes += self.source_notes

    def end_slide(self) -> None:
        lang = self.lang
        s = self.new("end", [Run(self.page.title)])
        s.blocks.append(Block("text", items=[[Run(ui("slides_more", lang))]], cls="more",
                              src=f"{lang}/{self.page.chapter}.html"))


def _png_inches(path: Path) -> tuple[float, float]:
    from crmbook.figures import PNG_DPI, png_size

    return png_size(path.read_bytes()[:32], PNG_DPI)


def _row_lines(row: list[str]) -> int:
    """Lines a table row takes on a slide: a cell wider than :data:`CELL_EM` wraps."""
    return max([1] + [math.ceil(_width_em(c) / CELL_EM) for c in row if not _NUMERIC.match(c)])


def _table_chunks(rows: list[list[str]]) -> list[list[list[str]]]:
    """The rows of a table, cut into slides of at most :data:`TABLE_ROWS` text lines each (a row whose
    long cell wraps counts its lines)."""
    chunks: list[list[list[str]]] = [[]]
    used = 0
    for r in rows:
        n = _row_lines(r)
        if chunks[-1] and used + n > TABLE_ROWS:
            chunks.append([])
            used = 0
        chunks[-1].append(r)
        used += n
    return chunks


def _table_font(header: list[str], rows: list[list[str]], *, inline: bool = False) -> int:
    """A font size (px) at which the widest row of a table fits the slide's width (at most 22 px for a
    table under text, 26 px on a slide of its own)."""
    cols = max([len(header)] + [len(r) for r in rows]) or 1
    widths = [0.0] * cols
    for j, c in enumerate(header):
        widths[j] = min(_width_em(c), 7.0)   # headers wrap
    for r in rows:
        for j, c in enumerate(r):
            widths[j] = max(widths[j], min(_width_em(c), 16.0))
    em = sum(widths) + 1.2 * cols
    size = int(min(22 if inline else 26, (SLIDE_W - 80) / max(em, 1)))
    lines = sum(_row_lines(r) for r in rows) + max([1] + [math.ceil(_width_em(c) / 7.0) for c in header])
    rows_fit = int((SLIDE_H - 150) / lines / 1.75)
    return max(14, min(size, rows_fit))


def _continued(title: list[Run], lang: str) -> list[Run]:
    mark = "（续）" if lang == "zh" else " (cont.)"
    text = plain(title)
    return title if text.endswith(mark) else _merge(title + [Run(mark)])


def _shorten(runs: list[Run], budget: int, lang: str, *, px: float = FONT_PX, width: float = TEXT_W) -> list[Run]:
    """Cut runs so they fit ``budget`` lines, ending with an ellipsis: at the last clause boundary
    (，；、,; —) of the part that fits when there is one in its second half, else at a word (or a
    Chinese character)."""
    out: list[Run] = []
    used = ""
    full = False
    for r in runs:
        if r.style == "math":
            if est_lines(used + r.text + "…", px, width) > budget:
                full = True
                break
            out.append(r)
            used += r.text
            continue
        keep = ""
        for token in _TOKEN.findall(r.text):
            if est_lines(used + keep + token + "…", px, width) > budget:
                full = True
                break
            keep += token
        if full and keep:
            cut = max(keep.rfind(c) for c in "，；、,;—")
            if cut >= len(keep) // 2:
                keep = keep[:cut]
        if keep:
            out.append(Run(keep, r.style))
            used += keep
        if full:
            break
    if out and out[-1].style != "math":
        out[-1] = Run(out[-1].text.rstrip(" ,;，；、—:：") + "…", out[-1].style)
    else:
        out.append(Run("…"))
    return out


def answer_text(answer: Any, lang: str) -> str:
    """An exercise answer as a person writes it (``"11066.666"`` -> ``11,066.67``, ``"no"`` -> 否).

    Parameters
    ----------
    answer : Any
    lang : {"en", "zh"}

    Returns
    -------
    str
    """
    if isinstance(answer, bool):
        return ui("yes_plain" if answer else "no_plain", lang)
    s = str(answer).strip()
    if s.lower() in ("yes", "no"):
        return ui(f"{s.lower()}_plain", lang)
    if _NUM.match(s):
        v = float(s)
        if v.is_integer():
            return number_text(int(v), lang)
        return number_text(v, lang, significant=4) if abs(v) < 1000 else f"{v:,.2f}"
    return s


def source_text(src: dict[str, Any], lang: str) -> str:
    """A result's source, short: ``S1`` or ``Fader, Hardie & Lee 2005``.

    Parameters
    ----------
    src : dict
        A result's ``source`` record.
    lang : {"en", "zh"}

    Returns
    -------
    str
    """
    if src.get("source_id"):
        return str(src["source_id"])
    if src.get("key"):
        who, year = _citation(src["key"], lang)
        return f"{who} {year}".strip()
    if src.get("citation"):
        return re.sub(r"\s*\((\d{4}[a-z]?)\)", r" \1", str(src["citation"]))
    return ui("nosource", lang)


def build_deck(page: ChapterPage, nb: dict[str, Any], build_dir: Path) -> Deck:
    """The slides of one executed chapter and edition (see the module docstring).

    Parameters
    ----------
    page : ChapterPage
        The chapter and edition, with its recorded results.
    nb : dict
        The executed notebook.
    build_dir : Path
        The build folder (figure paths are relative to it).

    Returns
    -------
    Deck
    """
    b = _Builder(page, nb, Path(build_dir))
    return Deck(page.chapter, page.lang, page.title, b.build(nb), Path(build_dir))


# ------------------------------------------------------------------ reveal.js
def _runs_html(runs: list[Run]) -> str:
    out = []
    for r in runs:
        if r.style == "math":
            try:
                out.append(tex_to_mathml(r.text, "inline"))
            except Exception:  # noqa: BLE001 - an unreadable formula is shown as text
                out.append(f'<span class="crm-tex">{html.escape(r.text)}</span>')
            continue
        text = html.escape(r.text)
        if r.style == "code":
            text = f"<code>{text}</code>"
        if "i" in r.style:
            text = f"<em>{text}</em>"
        if "b" in r.style:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out)


def _block_html(block: Block, up: str) -> str:
    k = block.kind
    if k == "text":
        cls = f' class="crm-{block.cls}"' if block.cls else ""
        if block.src:
            return "".join(f'<p{cls}><a href="{up}{block.src}">{_runs_html(i)}</a></p>' for i in block.items)
        return "".join(f"<p{cls}>{_runs_html(i)}</p>" for i in block.items)
    if k == "list":
        tag = "ol" if block.ordered else "ul"
        start = f' start="{block.start}"' if block.ordered and block.start > 1 else ""
        return f"<{tag}{start}>" + "".join(f"<li>{_runs_html(i)}</li>" for i in block.items) + f"</{tag}>"
    if k == "quote":
        return "<blockquote>" + "".join(f"<p>{_runs_html(i)}</p>" for i in block.items) + "</blockquote>"
    if k == "math":
        try:
            inner = tex_to_mathml(block.tex, "block")
        except Exception:  # noqa: BLE001
            inner = f"<pre>{html.escape(block.tex)}</pre>"
        return f'<div class="crm-math" data-tex="{html.escape(block.tex)}">{inner}</div>'
    if k == "table":
        head = "".join(f"<th>{html.escape(c)}</th>" for c in block.header)
        body = "".join("<tr>" + "".join(f'<td class="n">{html.escape(c)}</td>' if _NUMERIC.match(c) else
                                        f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in block.rows)
        source = ' data-source="1"' if block.cls == "source" else ""
        return (f'<table class="crm-table"{source} style="font-size:{block.font_px}px">'
                + (f"<thead><tr>{head}</tr></thead>" if head else "") + f"<tbody>{body}</tbody></table>")
    if k == "image":
        src = f"{up}figures/{figure_path(block.src)}"
        return (f'<img class="crm-fig" src="{src}" width="{block.width}" height="{block.height}" '
                f'style="width:{block.width}px;height:{block.height}px" data-min-font-pt="{block.font_px}" '
                f'alt="{html.escape(block.alt)}">')
    if k == "answer":
        return ('<div class="crm-answer fragment">'
                + "".join(f"<p>{_runs_html(i)}</p>" for i in block.items) + "</div>")
    raise ValueError(f"unknown block kind {k!r}")


def _slide_html(s: Slide, up: str) -> str:
    anchor = f' id="{s.anchor}"' if s.anchor else ""
    body = "".join(_block_html(b, up) for b in s.blocks)
    notes = "".join(f"<p>{_runs_html(n)}</p>" for n in s.notes if n)
    aside = f'<aside class="notes">{notes}</aside>' if notes else ""
    title = _runs_html(s.title)
    if s.kind == "title":
        subs = "".join(f'<p class="crm-sub">{_runs_html(x)}</p>' for x in s.subtitle)
        return f'<section class="crm-title"{anchor}><h1>{title}</h1>{subs}{body}{aside}</section>'
    if s.kind == "section":
        return f'<section class="crm-section"{anchor}><h2>{title}</h2>{aside}</section>'
    if s.kind == "figure":
        return f'<section class="crm-figure-slide"{anchor}>{body}{aside}</section>'
    return (f'<section class="crm-{s.kind}"{anchor}><h2>{title}</h2><div class="crm-body">{body}</div>'
            f'{aside}</section>')


def deck_html(deck: Deck, *, up: str = "../../") -> str:
    """The reveal.js page of a deck (every URL relative, nothing from the network).

    Parameters
    ----------
    deck : Deck
    up : str
        Relative URL from the deck to the site root.

    Returns
    -------
    str
        An HTML document.
    """
    lang = deck.lang
    tag = "zh-CN" if lang == "zh" else "en"
    rv = f"{up}kit/revealjs"
    slides = "\n".join(_slide_html(s, up) for s in deck.slides)
    return f"""<!DOCTYPE html>
<html lang="{tag}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(deck.title)} · {ui("kit_slides", lang)}</title>
<link rel="icon" href="{up}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{rv}/reset.css">
<link rel="stylesheet" href="{rv}/reveal.css">
<link rel="stylesheet" href="{rv}/theme/white.css">
<link rel="stylesheet" href="{up}kit/deck.css">
</head>
<body class="crm-deck crm-{lang}">
<div class="reveal"><div class="slides">
{slides}
</div></div>
<script src="{rv}/reveal.js"></script>
<script src="{rv}/plugin/notes/notes.js"></script>
<script src="{up}kit/deck.js"></script>
</body>
</html>
"""
