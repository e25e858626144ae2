"""The course's term list: one English and one Chinese term per concept, as data.

``crmbook/terms.csv`` has one row per concept, columns
``concept_id,en,zh,variants,chapters,definition_en,definition_zh``:

``en``, ``zh``
    The term the book uses. A parenthesis gives the abbreviation or the other name a reader
    meets beside it (``经济增加值（EVA）``, ``逻辑回归（Logit 模型）``).
``variants``
    Other Chinese words for the same concept seen in the sources or in earlier drafts,
    separated by ``|``. A variant is wrong in *every* context of the book's own Chinese: it may
    stand only inside a verbatim quotation (see below). A word that is another concept's term
    (客户群 is the customer base, not a cohort) is never a variant.
``chapters``
    The chapters that introduce or use the concept, e.g. ``05 06``.
``definition_en``, ``definition_zh``
    One line each, for the glossary.

**Verbatim quotation.** A variant may appear in the book's Chinese only inside

* paired quotation marks ``“…”``, ``‘…’``, ``「…」``, ``『…』``;
* book-title marks ``《…》``;
* inline code ```…``` and fenced code blocks;
* a Markdown block-quote line (``> …``);

and, whole, in the source excerpts (``datasets/sources/excerpts.csv``), which are not scanned.
An opening mark without its closing mark quotes nothing. :func:`quoted_spans` finds the
quotations and :func:`find_variants` every variant outside them; ``tests/test_terms.py``
applies it to every Chinese text the book and the site show.

Examples
--------
>>> from crmbook.terms import term, find_variants
>>> term("clv"), term("clv", "en")
('客户终身价值', 'customer lifetime value (CLV)')
>>> [(f.variant, f.use) for f in find_variants("原文作“顾客终身价值”；每位顾客的终身价值")]
[('顾客', '客户')]
"""
from __future__ import annotations

import csv
import functools
import re
from pathlib import Path
from typing import NamedTuple

from crmlib.i18n import check_lang

__all__ = ["TERMS_CSV", "COLUMNS", "terms", "term", "variant_map", "quoted_spans", "find_variants",
           "Finding", "search_words", "by_chapter"]

#: The term list.
TERMS_CSV = Path(__file__).with_name("terms.csv")
#: Its columns, in order.
COLUMNS = ("concept_id", "en", "zh", "variants", "chapters", "definition_en", "definition_zh")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_CHAPTER = re.compile(r"^\d\d$")
# a parenthesised abbreviation or second name after the term: 经济增加值（EVA）, customer lifetime value (CLV)
_PAREN = re.compile(r"\s*[（(]([^）)]*)[）)]\s*$")


@functools.lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, object], ...]:
    """The validated rows of ``terms.csv`` (variants and chapters as tuples)."""
    with open(TERMS_CSV, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{TERMS_CSV.name}: columns must be {','.join(COLUMNS)}, got {reader.fieldnames}")
        rows, seen = [], {}
        for lineno, raw in enumerate(reader, start=2):
            if None in raw:
                raise ValueError(f"{TERMS_CSV.name} line {lineno}: more fields than the header "
                                 "(an unquoted comma?)")
            row = {k: (raw[k] or "").strip() for k in COLUMNS}
            cid = row["concept_id"]
            if not _ID.match(cid):
                raise ValueError(f"{TERMS_CSV.name} line {lineno}: concept_id {cid!r} must be lower_snake_case")
            if cid in seen:
                raise ValueError(f"{TERMS_CSV.name} line {lineno}: concept_id {cid!r} already on line {seen[cid]}")
            seen[cid] = lineno
            for col in ("en", "zh", "chapters", "definition_en", "definition_zh"):
                if not row[col]:
                    raise ValueError(f"{TERMS_CSV.name} line {lineno}: concept {cid!r} has no {col}")
                if "\n" in row[col]:
                    raise ValueError(f"{TERMS_CSV.name} line {lineno}: {col} of {cid!r} must be one line")
            chapters = tuple(row["chapters"].split())
            bad = [c for c in chapters if not _CHAPTER.match(c)]
            if bad:
                raise ValueError(f"{TERMS_CSV.name} line {lineno}: chapters of {cid!r} must be two-digit "
                                 f"numbers separated by spaces, got {row['chapters']!r}")
            variants = tuple(v.strip() for v in row["variants"].split("|")) if row["variants"] else ()
            if any(not v for v in variants):
                raise ValueError(f"{TERMS_CSV.name} line {lineno}: an empty variant in {row['variants']!r}")
            rows.append({**row, "variants": variants, "chapters": chapters})
    return tuple(rows)


def terms():
    """The term list as a table, one row per concept, in the file's order.

    Returns
    -------
    pandas.DataFrame
        Columns ``concept_id, en, zh, variants, chapters, definition_en, definition_zh``;
        ``variants`` and ``chapters`` hold tuples of strings.

    Raises
    ------
    ValueError
        ``terms.csv`` has other columns, a concept twice, an empty field, a definition on two
        lines or a malformed chapter list (the message names the line).
    """
    import pandas as pd

    return pd.DataFrame([dict(r) for r in _rows()], columns=list(COLUMNS))


def term(concept_id: str, lang: str = "zh") -> str:
    """The term for a concept in one language.

    Parameters
    ----------
    concept_id : str
        A ``concept_id`` of ``terms.csv`` (e.g. ``"clv"``).
    lang : {"zh", "en"}
        The language.

    Returns
    -------
    str
        E.g. ``客户终身价值`` / ``customer lifetime value (CLV)``.

    Raises
    ------
    KeyError
        No such concept.
    ValueError
        ``lang`` is not a language of the book.
    """
    check_lang(lang)
    for row in _rows():
        if row["concept_id"] == concept_id:
            return str(row[lang])
    raise KeyError(f"no concept {concept_id!r} in {TERMS_CSV.name}")


def _bare(text: str) -> str:
    """A term without its parenthesis: ``经济增加值（EVA）`` → ``经济增加值``."""
    return _PAREN.sub("", text).strip()


def _words(text: str) -> list[str]:
    """The term and its parenthesised second name: ``逻辑回归（Logit 模型）`` → both."""
    m = _PAREN.search(text)
    return [_bare(text)] + ([m.group(1).strip()] if m and m.group(1).strip() else [])


@functools.lru_cache(maxsize=1)
def variant_map() -> dict[str, str]:
    """Every variant and the concept whose term replaces it.

    Returns
    -------
    dict
        ``variant -> concept_id``.

    Raises
    ------
    ValueError
        A variant listed for two concepts, or a variant that is a concept's term (it would then be
        wrong and right at once).
    """
    out: dict[str, str] = {}
    own = {w: r["concept_id"] for r in _rows() for w in _words(str(r["zh"]))}
    for row in _rows():
        for v in row["variants"]:
            if v in out:
                raise ValueError(f"variant {v!r} is listed for both {out[v]!r} and {row['concept_id']!r}")
            if v in own:
                raise ValueError(f"variant {v!r} of {row['concept_id']!r} is the term of {own[v]!r}")
            out[v] = str(row["concept_id"])
    return out


# ---------------------------------------------------------------- quotations
_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", "《": "》"}
_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", re.M | re.S)
_BLOCKQUOTE = re.compile(r"^[ \t]{0,3}>.*$", re.M)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` quotes verbatim: ``(start, end)`` character spans, sorted, not overlapping.

    A quotation is a fenced code block, a Markdown block-quote line (``> …``), inline code
    (```…```), or text between paired marks ``“…”``, ``‘…’``, ``「…」``, ``『…』``, ``《…》``
    (marks included). An opening mark without its closing mark quotes nothing.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of (int, int)
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    spans = [m.span() for m in _FENCE.finditer(text)] + [m.span() for m in _BLOCKQUOTE.finditer(text)]

    def inside(i: int) -> bool:
        return any(a <= i < b for a, b in spans)

    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if inside(i):
            i += 1
            continue
        if ch == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            close = text.find("`" * run, i + run)
            if close >= 0:
                spans.append((i, close + run))
                i = close + run
                continue
            i += run
            continue
        if ch in _PAIRS:
            close = _match(text, i, ch, _PAIRS[ch])
            if close >= 0:
                spans.append((i, close + 1))
                i = close + 1
                continue
        i += 1
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _match(text: str, start: int, open_: str, close: str) -> int:
    """Index of the mark closing the one at ``start`` (nested pairs of the same kind counted), or -1."""
    depth = 0
    for j in range(start, len(text)):
        if text[j] == open_ and (open_ != close):
            depth += 1
        elif text[j] == close:
            depth -= 1
            if depth == 0:
                return j
    return -1


# ---------------------------------------------------------------- variants
class Finding(NamedTuple):
    """A variant found outside a quotation."""

    variant: str
    concept_id: str
    #: the term to write instead
    use: str
    start: int
    end: int
    #: a few characters either side, for the error message
    context: str


def _pattern(word: str) -> str:
    """Regex for ``word`` that allows (or drops) a space wherever Latin script meets Chinese."""
    out = []
    for a, b in zip(word, word[1:] + "\0"):
        if a.isspace():
            out.append(r"\s*")
            continue
        out.append(re.escape(a))
        if b != "\0" and not b.isspace() and (a.isascii() != b.isascii()):
            out.append(r"\s*")
    return "".join(out)


@functools.lru_cache(maxsize=1)
def _scanner() -> tuple[re.Pattern[str], re.Pattern[str] | None, dict[str, str]]:
    vmap = variant_map()
    # longest first, so 顾客终身价值 wins over 顾客
    alts = sorted(vmap, key=len, reverse=True)
    pattern = re.compile("|".join(f"(?:{_pattern(v)})" for v in alts)) if alts else re.compile(r"(?!x)x")
    words = sorted({w for r in _rows() for w in _words(str(r["zh"])) if len(w) > 1}, key=len, reverse=True)
    own = re.compile("|".join(_pattern(w) for w in words)) if words else None
    key = {re.sub(r"\s+", "", v): v for v in vmap}
    return pattern, own, key


def find_variants(text: str) -> list[Finding]:
    """Every variant of the term list that ``text`` uses outside a verbatim quotation.

    A match inside an occurrence of some concept's own term is not a finding (a term may
    contain a shorter variant of another concept). Overlapping matches: the longest wins.

    Parameters
    ----------
    text : str
        Chinese text (a label, a Markdown cell, a teacher's text).

    Returns
    -------
    list of Finding
        In order of position; ``use`` is the term to write instead.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    pattern, own, key = _scanner()
    quoted = quoted_spans(text)
    allowed = [m.span() for m in own.finditer(text)] if own is not None else []
    vmap = variant_map()
    out = []
    for m in pattern.finditer(text):
        a, b = m.span()
        if any(qa < b and a < qb for qa, qb in quoted):
            continue
        if any(oa <= a and b <= ob for oa, ob in allowed):
            continue
        variant = key[re.sub(r"\s+", "", m.group(0))]
        cid = vmap[variant]
        use = term(cid, "zh")
        context = text[max(0, a - 12):b + 12].replace("\n", " ")
        out.append(Finding(variant, cid, use, a, b, context))
    return out


# ---------------------------------------------------------------- the site
def search_words() -> list[str]:
    """The Chinese words of the term list for a search engine's dictionary: every term, its
    parenthesised second name and every variant, as single words (no spaces), longest first.

    Returns
    -------
    list of str
        Words of two or more characters that contain a Chinese character.
    """
    words = set()
    for row in _rows():
        for w in _words(str(row["zh"])) + list(row["variants"]):
            w = re.sub(r"\s+", "", w)
            if len(w) > 1 and re.search(r"[\u4e00-\u9fff]", w):
                words.add(w)
    return sorted(words, key=lambda w: (-len(w), w))


def by_chapter(chapters=None) -> list[tuple[str, list[dict[str, object]]]]:
    """The term list grouped for a glossary: each concept under the first of its chapters.

    Parameters
    ----------
    chapters : iterable of str, optional
        Two-digit chapter numbers that exist (an edition's chapters). A concept goes under the
        first of *its* chapters in this set; a concept none of whose chapters is in it is left out.
        Default: every chapter the term list names.

    Returns
    -------
    list of (str, list of dict)
        ``[(chapter "NN", [row, …]), …]`` in chapter order; rows as in :func:`terms` (dicts), in
        the file's order within a chapter.
    """
    allowed = None
    if chapters is not None:
        if isinstance(chapters, str):
            raise TypeError("chapters must be an iterable of two-digit chapter numbers, not one string")
        allowed = set(chapters)
        bad = sorted(c for c in allowed if not (isinstance(c, str) and _CHAPTER.match(c)))
        if bad:
            raise ValueError(f"chapters must be two-digit strings such as '05', got {bad}")
    groups: dict[str, list[dict[str, object]]] = {}
    for row in _rows():
        first = next((c for c in row["chapters"] if allowed is None or c in allowed), None)
        if first is not None:
            groups.setdefault(first, []).append(dict(row))
    return [(c, groups[c]) for c in sorted(groups)]
