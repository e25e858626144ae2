"""Doubtful source readings, said out loud where they are quoted.

Some passages of the source texts cannot be taken as printed: S5 is a machine-spun copy
(胜利 for 成功, 实惠券 for 优惠券), S2 is a scanned two-column page (``4% ~7 %`` for 40 %–75 %,
CRM printed ``C M … R``), S4 is in traditional characters and Taiwan usage, S3 misnames ERP.
``datasets/sources/excerpts.csv`` gives each such passage its plain ``reading`` and the
``doubt`` that explains it (:func:`crmbook.sources.doubtful`).

The rule this module checks: **whoever quotes the printed words where they differ from the
plain reading marks them and gives the reading** — ``[原文如此，即“…”]`` in Chinese,
``[sic: …]`` in English.

* A *spot* is a place where the reading differs from the text (:func:`spots`): a spun word, a
  scan-damaged number, a run of traditional characters. Spots are found by comparing text and
  reading character by character after :func:`canonical` (whitespace dropped, full-width forms
  folded), so a reading must change only what is doubtful and keep everything else as printed.
* A *quotation* of a passage is a piece of a text (a Markdown cell, a label, a teacher-page cell)
  that occurs verbatim in the passage: six characters or more anywhere, four or more inside a
  quotation (Chinese quotation marks, 《》, backticks, a block quote; any Chinese in an English
  text), or the passage's own ``phrase``. A piece needs at least one Chinese character unless it is
  the phrase. The sources' titles as printed (《CH.2 顧客關係管理之經營策略》) are citations, not
  quotations, and are skipped.
* A quotation that covers a spot is **marked** when a marker (``[原文如此`` in ``zh`` texts,
  ``[sic`` in ``en`` texts) stands after the spot, inside the quotation or at most
  :data:`WINDOW` characters after it, and the text contains the spot's plain reading
  (for a one-character change, with a neighbouring character of the quotation, e.g. 绩效 for
  績; a deletion of scan debris needs only the marker).

:func:`unmarked` lists what is not marked; ``tests/test_reader_text.py`` applies it to every
chapter, label, teacher page and term definition.

Examples
--------
>>> from crmbook import doubts
>>> [(f.excerpt_id, f.missing) for f in doubts.unmarked("> 婴儿尿布就卖的特殊快。", "zh")]
[('S5-diapers-beer', 'marker [原文如此…]'), ('S5-diapers-beer', "reading '得特别'")]
>>> doubts.unmarked("> 婴儿尿布就卖的特殊快[原文如此，即“卖得特别快”]。", "zh")
[]
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from crmlib.i18n import check_lang

from . import sources

__all__ = ["MARKERS", "WINDOW", "MIN_PIECE", "MIN_QUOTED_PIECE", "canonical", "Spot", "spots", "Quote",
           "quotations", "Finding", "unmarked"]

#: The marker that must follow a doubtful quotation, by language.
MARKERS = {"zh": "[原文如此", "en": "[sic"}
_MARKER_RE = {"zh": re.compile(r"\[原文如此[^\]]*\]"), "en": re.compile(r"\[sic\b[^\]]*\]")}
#: How many characters (after :func:`canonical`) a marker may stand after the quotation it marks.
WINDOW = 40
#: The shortest verbatim piece that counts as a quotation anywhere / inside quotation marks.
MIN_PIECE, MIN_QUOTED_PIECE = 6, 4

_FOLD = {"−": "-", "–": "-", "〜": "~"}
_DROP = set("*`")   # Markdown emphasis and code marks inside a quotation
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3007]")
_STICKY = set("0123456789%~") | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def canonical(text: str, skip: list[tuple[int, int]] | None = None) -> tuple[str, list[int]]:
    """``text`` as compared here, and where each of its characters came from.

    Each character is NFKC-folded (``，`` → ``,``, ``～`` → ``~``), minus signs and dashes become
    ``-``; whitespace, ``*`` and ``` ` ``` are dropped, and so is the ``>`` that opens a Markdown
    block-quote line.

    Parameters
    ----------
    text : str
        Any text.
    skip : list of (int, int), optional
        Character spans of ``text`` to leave out (the markers).

    Returns
    -------
    str
        The canonical text.
    list of int
        For each of its characters, the index into ``text`` it came from.

    Raises
    ------
    TypeError
        ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    out: list[str] = []
    where: list[int] = []
    skip = sorted(skip or [])
    line_start = True
    k = 0
    for i, ch in enumerate(text):
        while k < len(skip) and skip[k][1] <= i:
            k += 1
        if k < len(skip) and skip[k][0] <= i < skip[k][1]:
            continue
        if ch == "\n":
            line_start = True
            continue
        if line_start and ch == ">":
            line_start = False
            continue
        if not ch.isspace():
            line_start = False
        for c in unicodedata.normalize("NFKC", ch):
            c = _FOLD.get(c, c)
            if c.isspace() or c in _DROP:
                continue
            out.append(c)
            where.append(i)
    return "".join(out), where


class Spot(NamedTuple):
    """A place where a passage's plain reading differs from its text (offsets into :func:`canonical`)."""

    start: int
    end: int
    printed: str
    reading: str


@lru_cache(maxsize=256)
def _spots(text: str, reading: str) -> tuple[Spot, ...]:
    t, _ = canonical(text)
    r, _ = canonical(reading)
    ops = [list(op[1:]) for op in difflib.SequenceMatcher(None, t, r, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    # a change inside a number or a Latin word spans the whole token: 4[0]%~7[5]% is one spot
    for n, op in enumerate(ops):
        if not _STICKY & set(t[op[0]:op[1]] + r[op[2]:op[3]]):
            continue
        lo = ops[n - 1][1] if n else 0
        while op[0] > lo and t[op[0] - 1] in _STICKY:
            op[0] -= 1
            op[2] -= 1
        hi = ops[n + 1][0] if n + 1 < len(ops) else len(t)
        while op[1] < hi and t[op[1]] in _STICKY:
            op[1] += 1
            op[3] += 1
    merged: list[list[int]] = []
    for op in ops:   # changes one equal character apart are one spot (卖的特殊快 → 卖得特别快)
        if merged and op[0] - merged[-1][1] <= 1:
            merged[-1][1], merged[-1][3] = op[1], op[3]
        else:
            merged.append(op)
    return tuple(Spot(a, b, t[a:b], r[c:d]) for a, b, c, d in merged)


def spots(excerpt_id: str) -> list[Spot]:
    """Where a doubtful passage's reading differs from its text.

    Parameters
    ----------
    excerpt_id : str
        An excerpt of ``datasets/sources/excerpts.csv``.

    Returns
    -------
    list of Spot
        ``(start, end, printed, reading)``: ``printed`` is ``canonical(text)[start:end]``,
        ``reading`` what the plain reading has there (empty for scan debris that is dropped).
        Empty for a passage that is not doubtful.

    Raises
    ------
    SourceError
        Unknown excerpt.
    """
    ex = sources.excerpts()
    if excerpt_id not in ex.index:
        raise sources.SourceError(f"unknown excerpt {excerpt_id!r} (not in datasets/sources/excerpts.csv)")
    row = ex.loc[excerpt_id]
    if not isinstance(row["reading"], str) or not row["reading"]:
        return []
    return list(_spots(row["text"], row["reading"]))


class Quote(NamedTuple):
    """A verbatim piece of a doubtful passage in a text, with the spots it covers."""

    excerpt_id: str
    start: int          # offsets into the canonical text
    end: int
    at: int             # where the piece starts in the passage (canonical offsets)
    piece: str          # as written in the text
    spots: tuple[Spot, ...]


@lru_cache(maxsize=1)
def _doubtful() -> tuple[tuple[str, str, str, tuple[Spot, ...]], ...]:
    d = sources.doubtful()
    return tuple((eid, canonical(r["text"])[0], canonical(r["phrase"])[0], _spots(r["text"], r["reading"]))
                 for eid, r in d.iterrows())


@lru_cache(maxsize=1)
def _titles() -> tuple[str, ...]:
    s = sources.sources()
    names = {canonical(v)[0] for col in ("title", "heading") for v in s[col] if isinstance(v, str) and v}
    return tuple(sorted((n for n in names if len(n) >= MIN_QUOTED_PIECE), key=len, reverse=True))


def _quoted_mask(text: str, where: list[int], lang: str) -> list[bool]:
    if lang == "en":
        return [True] * len(where)
    from .terms import quoted_spans

    spans = quoted_spans(text)
    return [any(a <= i < b for a, b in spans) for i in where]


def quotations(text: str, lang: str) -> tuple[list[Quote], str, list[int], list[int]]:
    """Every quotation of a doubtful passage in ``text`` that covers one of its spots.

    Parameters
    ----------
    text : str
        A Markdown cell, label or teacher-page text.
    lang : {"en", "zh"}
        Its language (which marker it uses; in English any Chinese is a quotation).

    Returns
    -------
    quotes : list of Quote
    canon : str
        ``text`` as :func:`canonical` gives it, markers left out.
    where : list of int
        Index into ``text`` of each character of ``canon``.
    markers : list of int
        Positions in ``canon`` where a marker stood.

    Raises
    ------
    ValueError
        ``lang`` is not a language of the book.
    """
    check_lang(lang)
    marks = [m.span() for m in _MARKER_RE[lang].finditer(text)]
    u, where = canonical(text, marks)
    markers = [sum(1 for i in where if i < a) for a, _ in marks]
    blocked = list(u)
    for title in _titles():   # a source's title is a citation
        for m in re.finditer(re.escape(title), u):
            blocked[m.start():m.end()] = ["\0"] * (m.end() - m.start())
    b = "".join(blocked)
    quoted = _quoted_mask(text, where, lang)
    out: list[Quote] = []
    for eid, t, phrase, sp in _doubtful():
        if not sp:
            continue
        found: list[tuple[int, int, int]] = []   # (start in u, end in u, start in t)
        p = 0
        while p <= len(b) - MIN_QUOTED_PIECE:
            best = (0, -1)
            q = t.find(b[p:p + MIN_QUOTED_PIECE])
            while q >= 0:
                n = MIN_QUOTED_PIECE
                while p + n < len(b) and q + n < len(t) and b[p + n] == t[q + n]:
                    n += 1
                best = max(best, (n, q))
                q = t.find(b[p:p + MIN_QUOTED_PIECE], q + 1)
            n, q = best
            if n and (n >= MIN_PIECE or all(quoted[p:p + n])) and _CJK.search(b[p:p + n]):
                found.append((p, p + n, q))
                p += n
            else:
                p += 1
        if phrase:
            for m in re.finditer(re.escape(phrase), b):
                found.append((m.start(), m.end(), t.find(phrase)))
        seen = set()
        for a, e, q in sorted(found):
            # an insertion counts only inside a full-length piece (大客户管理 is not 客户[关系]管理)
            long = e - a >= MIN_PIECE or b[a:e] == phrase
            covered = tuple(s for s in sp if _covers(q, q + e - a, s) and (s.printed or long))
            if not covered or (a, e) in seen:
                continue
            seen.add((a, e))
            out.append(Quote(eid, a, e, q, text[where[a]:where[e - 1] + 1], covered))
    return out, u, where, markers


def _covers(a: int, b: int, s: Spot) -> bool:
    if s.start == s.end:            # an insertion: strictly inside the piece
        return a < s.start < b
    return a < s.end and s.start < b


class Finding(NamedTuple):
    """A doubtful quotation that is not marked."""

    excerpt_id: str
    piece: str
    missing: str        # "marker" or "reading '…'"

    def __str__(self) -> str:
        return f"{self.excerpt_id}: …{self.piece[:40]}… lacks its {self.missing}"


def _needed(s: Spot, q: Quote, t: str) -> tuple[str, ...]:
    """The plain reading a quotation covering spot ``s`` must give: any one of the strings returned
    (none: the marker is enough).

    Of a spot the quotation covers only in part, the covered part (when printed and reading
    correspond character by character, as traditional and simplified characters do). A
    one-character reading is widened by the character of the quotation before it or the one
    after it (績效 → 绩效, 指標 → 指标, 年头 → 年代).
    """
    lo, hi = q.at, q.at + (q.end - q.start)
    start, end, reading = s.start, s.end, s.reading
    if len(s.printed) == len(s.reading) and (start < lo or end > hi):
        start, end = max(start, lo), min(end, hi)
        reading = s.reading[start - s.start:end - s.start]
    if not reading:
        return ()
    if len(reading) >= 2:
        return (reading,)
    wide = tuple(w for w in ((t[start - 1] + reading) if start - 1 >= lo else "",
                             (reading + t[end]) if end < hi else "") if w)
    return wide or (reading,)


def unmarked(text: str, lang: str) -> list[Finding]:
    """The quotations of doubtful passages in ``text`` that lack their marker or their plain reading.

    Parameters
    ----------
    text : str
        A Markdown cell, a label, a teacher-page cell, a term definition.
    lang : {"en", "zh"}
        Its language: ``zh`` texts mark with ``[原文如此…]``, ``en`` texts with ``[sic…]``.

    Returns
    -------
    list of Finding
        ``(excerpt_id, piece, missing)``, one per quotation and missing thing; empty when every
        doubtful quotation is marked and read.

    Raises
    ------
    ValueError
        ``lang`` is not a language of the book.
    TypeError
        ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    quotes, _, where, markers = quotations(text, lang)
    full = canonical(text)[0]
    breaks = [m.start() for m in re.finditer(r"\n[ \t>]*\n", text)] + [len(text)]
    texts = {eid: t for eid, t, _, _ in _doubtful()}
    out: list[Finding] = []
    seen: set[tuple[int, int, str]] = set()
    for q in quotes:
        t = texts[q.excerpt_id]
        last = min(q.end, q.start + max(s.end for s in q.spots) - q.at)   # the last covered spot's end
        # the paragraph's end, in canonical offsets: a marker after a multi-line block quote marks all of it
        par_end = next(k for k in breaks if k >= where[q.end - 1])
        limit = max(q.end + WINDOW, sum(1 for i in where if i < par_end))
        missing = [] if any(last <= m <= limit for m in markers) else [f"marker {MARKERS[lang]}…]"]
        missing += [f"reading {' or '.join(map(repr, need))}" for need in (_needed(s, q, t) for s in q.spots)
                    if need and not any(n in full for n in need)]
        for m in missing:   # one finding per place: several passages may share the quoted words
            if (q.start, q.end, m) not in seen:
                seen.add((q.start, q.end, m))
                out.append(Finding(q.excerpt_id, q.piece, m))
    return out
