"""Provenance: the five source texts (S1–S5), the excerpts the chapters quote, the bibliography.

Everything here reads files shipped in the repository, so a number can be
traced from a fresh clone with nothing beside it:

* ``datasets/sources/sources.csv`` (dataset ``sources``): one row per source
  text, ``S1`` … ``S5``, with its title as printed, the kind of document, the
  site and resource id the page prints, its script and the seed file it was
  taken from (S1 = ``001_…``, S2 = ``002_…``, S3 = ``003_…``, S4 = ``004_…``,
  S5 = ``000_…``: there is no ``005``).
* ``datasets/sources/excerpts.csv`` (dataset ``excerpts``): one row per quoted
  passage: a few hundred characters at most, verbatim (whitespace collapsed),
  the phrase it is found by, an English gloss and where in the text it sits.
* ``datasets/sources/references.bib``: every paper, note and data set cited,
  by key (``[@fader2005bgnbd]`` in Markdown, ``paper_source("fader2005bgnbd",
  "Table 2")`` in code).

:func:`resolve` maps (source, phrase) to the excerpt holding the phrase;
:func:`seed_provenance`, :func:`paper_provenance` and :func:`dataset_provenance` are what
:func:`crmbook.seed_source`, :func:`crmbook.paper_source` and :func:`crmbook.dataset_source`
record;
:func:`reproduce_table` lists every recorded number that has a source, for the
site's *Reproduce* page.

Examples
--------
>>> from crmbook import sources
>>> sources.source_id("001_ba727a09fac39879.txt")
'S1'
>>> ex = sources.resolve("S1", "客户流失的原因分析表")
>>> ex["excerpt_id"], "68%" in ex["text"]
('S1-loss-table', True)
>>> sources.citation_text("fader2005bgnbd")
'Fader, Hardie & Lee (2005)'
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from crmlib import datasets
from crmlib.i18n import LANGS
from . import results as _results
from .layout import ROOT as _ROOT, edition_dir, main_build_dir

__all__ = [
    "SourceError", "normalise", "comparable", "sources", "excerpts", "source", "source_id", "resolve",
    "find_phrase", "seed_provenance", "paper_provenance", "dataset_provenance", "bib_path", "bibliography", "reference",
    "citation_text", "match_reference",
    "printed_number", "printed_span", "seed_number_problems", "cited_phrases", "cited_keys", "verbatim_problems",
    "reproduce_table", "REPRODUCE_COLUMNS",
]

_ID = re.compile(r"^S\d+$")
_KEY = re.compile(r"^@?[a-z][a-z0-9_:\-]*$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class SourceError(ValueError):
    """A source id, seed file, phrase or bibliography key that does not resolve."""


# ---------------------------------------------------------------------------- text

def normalise(text: str) -> str:
    """Collapse every run of whitespace (including no-break and ideographic spaces) to one blank.

    This is the only change made to the source texts when excerpts are cut from
    them and when an excerpt is checked against its source file.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        The text with single blanks between its non-blank runs, stripped.

    Raises
    ------
    TypeError
        ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    return " ".join(text.split())


def comparable(text: str) -> str:
    """:func:`normalise` plus Unicode NFKC, so full-width ``，（%`` match their ASCII forms.

    Used to find a phrase or a dataset's Chinese label inside an excerpt; never
    used for the verbatim check.

    Parameters
    ----------
    text : str
        A phrase, label or excerpt.

    Returns
    -------
    str
        The text NFKC-folded, then with whitespace collapsed (a ``TypeError``
        names a non-string ``text``).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    return normalise(unicodedata.normalize("NFKC", text))


# ---------------------------------------------------------------------------- sources and excerpts

def _data_dir() -> Path:
    return datasets.data_dir()


def sources() -> pd.DataFrame:
    """The source texts, one row per id (``S1`` … ``S5``), indexed by ``source_id``.

    Returns
    -------
    pandas.DataFrame
        Columns ``seed_file``, ``title`` (as printed), ``title_en``, ``kind``,
        ``site``, ``resource_id``, ``script`` (简体 / 繁體), ``published``,
        ``heading``, ``note`` (empty cells are None).
    """
    return _sources().copy()


@lru_cache(maxsize=4)
def _sources_cached(data_dir: str) -> pd.DataFrame:
    df = datasets.load("sources")
    bad = df[~df["source_id"].str.match(_ID)]
    if len(bad):
        raise SourceError(f"sources.csv: source_id {bad['source_id'].iloc[0]!r} is not of the form S<n>")
    _unique(df, "sources.csv", "source_id", "seed_file")
    return df.set_index("source_id", drop=False)


def _unique(df: pd.DataFrame, fname: str, *columns: str) -> None:
    for col in columns:
        dup = df[col][df[col].duplicated()]
        if len(dup):
            raise SourceError(f"{fname}: {col} {dup.iloc[0]!r} appears twice")


def _sources() -> pd.DataFrame:
    return _sources_cached(str(_data_dir()))


def excerpts() -> pd.DataFrame:
    """The quoted passages, one row per ``excerpt_id``, indexed by it.

    Returns
    -------
    pandas.DataFrame
        Columns ``excerpt_id``, ``source_id``, ``phrase``, ``text`` (verbatim,
        whitespace collapsed), ``gloss`` (English, our words), ``where`` (the
        place in the source), ``note``.
    """
    return _excerpts().copy()


@lru_cache(maxsize=4)
def _excerpts_cached(data_dir: str) -> pd.DataFrame:
    df = datasets.load("excerpts")
    known = set(_sources()["source_id"])
    for i, r in enumerate(df.itertuples(index=False), start=1):
        if r.source_id not in known:
            raise SourceError(f"excerpts.csv row {i} ({r.excerpt_id}): unknown source_id {r.source_id!r}")
        if not r.excerpt_id.startswith(r.source_id + "-"):
            raise SourceError(f"excerpts.csv row {i}: excerpt_id {r.excerpt_id!r} must start with "
                              f"{r.source_id + '-'!r}")
        if r.text != normalise(r.text):
            raise SourceError(f"excerpts.csv row {i} ({r.excerpt_id}): text has unnormalised whitespace")
        if comparable(r.phrase) not in comparable(r.text):
            raise SourceError(f"excerpts.csv row {i} ({r.excerpt_id}): phrase {r.phrase!r} is not in its text")
    _unique(df, "excerpts.csv", "excerpt_id")
    return df.set_index("excerpt_id", drop=False)


def _excerpts() -> pd.DataFrame:
    return _excerpts_cached(str(_data_dir()))


def source_id(ref: str) -> str:
    """The readable id of a source given its id or its seed file name.

    Parameters
    ----------
    ref : str
        ``"S1"`` … ``"S5"`` or a seed file name such as ``"001_ba727a09fac39879.txt"``.

    Returns
    -------
    str
        The id, e.g. ``"S1"``.

    Raises
    ------
    SourceError
        ``ref`` is neither a known id nor a known seed file.
    """
    if not isinstance(ref, str) or not ref:
        raise SourceError(f"source must be a non-empty string (an id such as 'S1' or a seed file name), got {ref!r}")
    src = _sources()
    if ref in src.index:
        return ref
    hit = src.index[src["seed_file"] == ref]
    if len(hit):
        return str(hit[0])
    mapping = ", ".join(f"{i} = {f}" for i, f in src["seed_file"].items())
    what = "source id" if _ID.match(ref) else "seed file"
    raise SourceError(f"unknown {what} {ref!r}; the sources are {mapping}")


def source(ref: str) -> dict[str, Any]:
    """The record of one source by id or seed file name.

    Parameters
    ----------
    ref : str
        ``"S1"`` … ``"S5"`` or a seed file name.

    Returns
    -------
    dict
        The row of ``sources.csv``: ``source_id``, ``seed_file``, ``title``,
        ``title_en``, ``kind``, ``site``, ``resource_id``, ``script``,
        ``published``, ``heading``, ``note`` (None where empty).

    Raises
    ------
    SourceError
        Unknown id or seed file.
    """
    return dict(_sources().loc[source_id(ref)])


def _candidates(sid: str | None, phrase: str) -> pd.DataFrame:
    ex = _excerpts()
    if sid is not None:
        ex = ex[ex["source_id"] == sid]
    p = comparable(phrase)
    return ex[[p in comparable(t) for t in ex["text"]]]


def _pick(cands: pd.DataFrame, phrase: str, where: str) -> dict[str, Any]:
    if len(cands) == 1:
        return _excerpt_record(cands.iloc[0])
    exact = cands[[comparable(p) == comparable(phrase) for p in cands["phrase"]]]
    if len(exact) == 1:
        return _excerpt_record(exact.iloc[0])
    if len(cands) == 0:
        raise SourceError(f"phrase {phrase!r} is in no excerpt of {where}; add the passage to "
                          "datasets/sources/excerpts.csv (see datasets/sources/README.md)")
    raise SourceError(f"phrase {phrase!r} is in several excerpts of {where} ({', '.join(cands.index)}) and "
                      "none has it as its phrase; cite a longer phrase or set one excerpt's phrase to it")


def _excerpt_record(row: pd.Series) -> dict[str, Any]:
    rec = {k: (None if (isinstance(v, float) and math.isnan(v)) else v) for k, v in row.items()}
    s = _sources().loc[rec["source_id"]]
    rec["title"] = s["title"]
    rec["seed_file"] = s["seed_file"]
    return rec


def resolve(ref: str, phrase: str) -> dict[str, Any]:
    """The excerpt of source ``ref`` that contains ``phrase``.

    Parameters
    ----------
    ref : str
        Source id (``"S1"``) or seed file name (``"001_ba727a09fac39879.txt"``).
    phrase : str
        The Chinese phrase a chapter or a seed row cites (compared after
        :func:`comparable`: whitespace collapsed, full-width forms folded).

    Returns
    -------
    dict
        The excerpt's fields (``excerpt_id``, ``source_id``, ``phrase``,
        ``text``, ``gloss``, ``where``, ``note``) plus the source's ``title``
        and ``seed_file``. When several excerpts contain the phrase, the one
        whose own phrase it is wins.

    Raises
    ------
    SourceError
        Unknown source, or the phrase is in no excerpt (or ambiguously in
        several) of that source; the message names the phrase and the file.
    """
    sid = source_id(ref)
    if not isinstance(phrase, str) or not phrase.strip():
        raise SourceError(f"phrase must be a non-empty string, got {phrase!r} (source {ref!r})")
    where = f"{sid} ({_sources().loc[sid, 'seed_file']})"
    return _pick(_candidates(sid, phrase), phrase, where)


def find_phrase(phrase: str) -> dict[str, Any]:
    """The excerpt, of any source, that contains ``phrase`` (see :func:`resolve`).

    Parameters
    ----------
    phrase : str
        The phrase, e.g. ``"績效衡量指標"``.

    Returns
    -------
    dict
        As :func:`resolve`.

    Raises
    ------
    SourceError
        The phrase is in no excerpt, or ambiguously in several.
    """
    if not isinstance(phrase, str) or not phrase.strip():
        raise SourceError(f"phrase must be a non-empty string, got {phrase!r}")
    return _pick(_candidates(None, phrase), phrase, "any source (S1–S5)")


# ---------------------------------------------------------------------------- what chapter.py records

def seed_provenance(seed_file: str, phrase: str) -> dict[str, str]:
    """The ``source`` dict :func:`crmbook.seed_source` records.

    Parameters
    ----------
    seed_file : str
        A source id (``"S1"``) or a seed file name. A name that is not one of
        the five seed files (e.g. a test fixture's ``"001.txt"``) is recorded
        as given, without id, title or excerpt.
    phrase : str
        The phrase the number is printed with.

    Returns
    -------
    dict
        ``kind`` ``"seed"``, ``seed_file``, ``phrase`` and, for a known source,
        ``source_id``, ``title`` and ``excerpt_id``.

    Raises
    ------
    SourceError
        An id of the form ``S<n>`` that is not a source, or a known source
        whose excerpts do not contain the phrase.
    """
    if not isinstance(seed_file, str) or not isinstance(phrase, str):
        raise SourceError(f"seed_source needs strings, got seed_file={seed_file!r}, phrase={phrase!r}")
    src = _sources()
    known = _ID.match(seed_file) or (src["seed_file"] == seed_file).any()
    if not known:
        return {"kind": "seed", "seed_file": seed_file, "phrase": phrase}
    ex = resolve(seed_file, phrase)
    return {"kind": "seed", "seed_file": ex["seed_file"], "phrase": phrase, "source_id": ex["source_id"],
            "title": ex["title"], "excerpt_id": ex["excerpt_id"]}


def paper_provenance(citation: str, where: str) -> dict[str, str]:
    """The ``source`` dict :func:`crmbook.paper_source` records.

    Parameters
    ----------
    citation : str
        A key of ``references.bib`` (``"fader2005bgnbd"``, optionally with a
        leading ``@``), or a free-text citation (recorded as given).
    where : str
        Table, page or equation the value is printed in.

    Returns
    -------
    dict
        ``kind`` ``"paper"``, ``citation`` (author–year for a key, else as
        given), ``where`` and ``key`` when the citation is a key or a free
        text that :func:`match_reference` ties to exactly one entry.

    Raises
    ------
    SourceError
        ``citation`` looks like a key (lower case, no spaces) but is not in the bibliography.
    """
    if _KEY.match(citation):
        key = citation.lstrip("@")
        return {"kind": "paper", "citation": citation_text(key), "key": key, "where": where}
    key = match_reference(citation)
    out = {"kind": "paper", "citation": citation, "where": where}
    if key is not None:
        out["key"] = key
    return out


def dataset_provenance(name: str, how: str) -> dict[str, str]:
    """The ``source`` dict :func:`crmbook.dataset_source` records: a number computed from a shipped data set.

    Parameters
    ----------
    name : str
        A data set of ``datasets/manifest.json`` (``"wa_churn"``).
    how : str
        The computation, short enough to redo it (``"churn_share: churn == 'Yes' / all rows"``).

    Returns
    -------
    dict
        ``kind`` ``"dataset"``, ``dataset`` (the name), ``file`` (its path under ``datasets/``),
        ``sha256`` (of the file, from the manifest: the bytes the number was computed from) and ``how``.

    Raises
    ------
    SourceError
        ``name`` is not a data set of the manifest; ``how`` is empty or not a string.
    """
    if not isinstance(name, str) or not name:
        raise SourceError(f"dataset_source needs a data set name, got {name!r}")
    if not isinstance(how, str) or not how.strip():
        raise SourceError(f"dataset_source({name!r}, how): say how the number is computed, got {how!r}")
    try:
        entry = datasets.info(name)
    except datasets.DatasetError as e:
        raise SourceError(f"dataset_source: {e}") from None
    return {"kind": "dataset", "dataset": name, "file": f"datasets/{entry['file']}", "sha256": entry["sha256"],
            "how": how.strip()}


# ---------------------------------------------------------------------------- bibliography

def bib_path() -> Path:
    """Path of ``references.bib`` (for Sphinx's ``bibtex_bibfiles``).

    Returns
    -------
    Path
        ``<datasets>/sources/references.bib`` (``$CRMLIB_DATA_DIR`` honoured).
    """
    return _data_dir() / "sources" / "references.bib"


_bib_path = bib_path


_LATEX = [(r"{\'n}", "ń"), (r"\'n", "ń"), (r'{\"u}', "ü"), (r'\"u', "ü"), (r'{\"o}', "ö"), (r'{\"a}', "ä"),
          (r"{\'e}", "é"), ("``", "“"), ("''", "”"), ("---", "—"), ("--", "–")]


def _plain(value: str) -> str:
    for a, b in _LATEX:
        value = value.replace(a, b)
    return " ".join(value.replace("{", "").replace("}", "").split())


def _parse_bib(text: str, name: str) -> dict[str, dict[str, str]]:
    entries: dict[str, dict[str, str]] = {}
    pos = 0
    for m in re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text):
        if m.start() < pos:
            raise SourceError(f"{name}: entry {m.group(2)!r} starts inside the previous entry")
        etype, key = m.group(1).lower(), m.group(2)
        i, fields = m.end(), {}
        while True:
            fm = re.compile(r"\s*(\w+)\s*=\s*").match(text, i)
            if not fm:
                break
            fname, j = fm.group(1).lower(), fm.end()
            if j >= len(text) or text[j] not in "{\"":
                vm = re.compile(r"[^,}\s]+").match(text, j)
                if not vm:
                    raise SourceError(f"{name}: entry {key!r}, field {fname!r} has no value")
                value, j = vm.group(0), vm.end()
            else:
                close = "}" if text[j] == "{" else "\""
                depth, k = 0, j
                while k < len(text):
                    c = text[k]
                    if c == "{":
                        depth += 1
                    elif c == "}":
                        depth -= 1
                    if (close == "}" and depth == 0 and c == "}") or (close == "\"" and c == "\"" and k > j and depth == 0):
                        break
                    k += 1
                else:
                    raise SourceError(f"{name}: entry {key!r}, field {fname!r} is not closed")
                value, j = text[j + 1:k], k + 1
            if fname in fields:
                raise SourceError(f"{name}: entry {key!r} has field {fname!r} twice")
            fields[fname] = value
            cm = re.compile(r"\s*,").match(text, j)
            i = cm.end() if cm else j
        em = re.compile(r"\s*\}").match(text, i)
        if not em:
            raise SourceError(f"{name}: entry {key!r} is malformed near character {i}")
        pos = em.end()
        if key in entries:
            raise SourceError(f"{name}: key {key!r} appears twice")
        entries[key] = {"ENTRYTYPE": etype, "key": key, **fields}
    return entries


@lru_cache(maxsize=4)
def _bib_cached(path: str, mtime: float) -> dict[str, dict[str, str]]:
    p = Path(path)
    return _parse_bib(p.read_text(encoding="utf-8"), p.name)


def bibliography() -> dict[str, dict[str, str]]:
    """All entries of ``datasets/sources/references.bib``.

    Returns
    -------
    dict
        Key -> fields (raw BibTeX values, lower-case field names, plus
        ``ENTRYTYPE`` and ``key``), in file order.

    Raises
    ------
    SourceError
        No bibliography file, or a malformed or duplicated entry (the message
        names the entry and field).
    """
    p = _bib_path()
    if not p.is_file():
        raise SourceError(f"no bibliography at {p}")
    return dict(_bib_cached(str(p), p.stat().st_mtime))


def reference(key: str) -> dict[str, str]:
    """One bibliography entry with its fields as plain text (braces and LaTeX accents resolved).

    Parameters
    ----------
    key : str
        A key, optionally with a leading ``@``.

    Returns
    -------
    dict
        Field -> plain text (``doi`` and ``url`` as written).

    Raises
    ------
    SourceError
        ``key`` is not in ``references.bib``.
    """
    bib = bibliography()
    k = key.lstrip("@") if isinstance(key, str) else key
    if k not in bib:
        raise SourceError(f"unknown bibliography key {key!r}: not in datasets/sources/references.bib "
                          f"(keys: {', '.join(sorted(bib))})")
    return {f: (_plain(v) if f not in ("ENTRYTYPE", "key", "url", "doi") else v) for f, v in bib[k].items()}


def citation_text(key: str) -> str:
    """Author–year text of a key.

    Parameters
    ----------
    key : str
        A ``references.bib`` key.

    Returns
    -------
    str
        E.g. ``'Fader, Hardie & Lee (2005)'``; ``'Brin et al. (1997)'`` beyond three authors.

    Raises
    ------
    SourceError
        Unknown key.
    """
    ref = reference(key)
    last = [a.split(",")[0].strip() for a in ref.get("author", "").split(" and ") if a.strip()]
    if len(last) > 3:
        who = f"{last[0]} et al."
    elif len(last) > 1:
        who = ", ".join(last[:-1]) + " & " + last[-1]
    else:
        who = last[0] if last else ref["key"]
    return f"{who} ({ref.get('year', 'n.d.')})"



def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", _plain(text).casefold().replace("/", "")).split())


def match_reference(text: str) -> str | None:
    """The key of the one bibliography entry whose title (and year, if ``text`` has one) ``text`` contains.

    For free-text citations such as ``"Fader, P. S. & Hardie, B. G. S. (2007),
    How to project customer retention, …"``.

    Parameters
    ----------
    text : str
        A free-text citation.

    Returns
    -------
    str or None
        The key, or None when no entry, or more than one, fits.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    words = _words(text)
    years = set(re.findall(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", text))
    hits = [k for k, e in bibliography().items()
            if _words(e.get("title", "")) and f" {_words(e['title'])} " in f" {words} "
            and (not years or e.get("year") in years)]
    return hits[0] if len(hits) == 1 else None


# ---------------------------------------------------------------------------- numbers as printed

_CN = {0: "〇", 1: "一", 2: "[两二]", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}
_COUNTER = "倍个种家位年次项点名"


def _g(v: float) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() else format(v, ".10g")


def _patterns(value: float, kind: str) -> list[str]:
    """Regular expressions for the ways a source text prints ``value`` (numbers bounded by non-digits)."""
    g = re.escape(_g(value))
    lead = r"(?<![\d.])"
    out: list[str] = []
    if kind == "%":
        return [lead + g + r"\s*%"]
    if kind == "year":
        out.append(lead + g + r"(?!\d)")
        if float(value).is_integer() and int(value) % 10 == 0:
            y = int(value)
            out.append(rf"{y // 100 + 1}\s*世纪\s*{y % 100:02d}\s*年代")
        return out
    if kind == "money":
        v = float(value)
        out.append(lead + g + r"(?![\d]|\.\d)")
        if v:
            out.append(lead + re.escape(format(v, ",.0f") if v.is_integer() else format(v, ",")) + r"(?![\d]|\.\d)")
            out.append(lead + re.escape(_g(v / 1e4)) + r"\s*万")
            out.append(lead + re.escape(_g(v / 1e7)) + r"\D{0,3}千万")
            out.append(lead + re.escape(_g(v / 1e8)) + r"\s*亿")
        return out
    # count / times / plain number
    out.append(lead + g + r"(?![\d]|\.\d)")
    if float(value).is_integer() and int(value) in _CN:
        out.append(rf"(?<![〇一二两三四五六七八九十]){_CN[int(value)]}\s*[{_COUNTER}]")
    return out


def printed_span(value: Any, text: str, kind: str = "number") -> tuple[int, int] | None:
    """Where ``text`` first prints ``value``: (start, end) character offsets into ``text``, or None.

    Parameters
    ----------
    value : float
        The number (e.g. ``68`` for 68 %, ``480000`` for 48 万美元).
    text : str
        An excerpt's text (already whitespace-normalised, as ``excerpts.csv`` holds it).
    kind : {"number", "%", "money", "year", "count", "times"}
        How the number is printed: ``"%"`` needs a percent sign (``%`` or
        ``％``); ``"money"`` also finds it in 万 (10⁴), 千万 (10⁷) or 亿 (10⁸),
        with up to three characters of scrape debris before 千万; ``"year"``
        also finds a decade written as 20世纪80年代; counts and multiples also
        as a Chinese numeral before a counter word (三倍, 两个). A number must
        not be part of a longer one (6 is not found in 68 %).

    Returns
    -------
    tuple of int, or None
        Offsets such that ``text[start:end]`` is the printed form, for highlighting.

    Raises
    ------
    ValueError
        Unknown ``kind``.
    TypeError
        ``text`` is not a string.
    """
    if kind not in ("number", "%", "money", "year", "count", "times"):
        raise ValueError(f"kind must be one of number, %, money, year, count, times; got {kind!r}")
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        return None
    for pat in _patterns(float(value), kind):
        m = re.search(pat.replace("%", "[%％]"), text)
        if m:
            return m.start(), m.end()
    return None


def printed_number(value: Any, text: str, kind: str = "number") -> str | None:
    """The substring of ``text`` that prints ``value``.

    Parameters
    ----------
    value, text, kind
        As :func:`printed_span`.

    Returns
    -------
    str or None
        ``text[start:end]`` of :func:`printed_span`, or None when not printed.
    """
    span = printed_span(value, text, kind)
    return None if span is None else text[span[0]:span[1]]


#: For each seed dataset: the numeric columns a source prints, how, and in which text column (None:
#: the excerpt); and the Chinese text columns that must appear in the excerpt as printed.
SEED_NUMBERS: dict[str, dict[str, tuple[str, str | None]]] = {
    "loss_causes": {"share_pct": ("%", None)},
    "funnel_case": {"count": ("count", None)},
    "crosssell_retention": {"probability_kept_pct": ("%", None), "n_services": ("count", "holding_zh")},
    "clv_cases": {"horizon_years": ("count", None), "clv_usd": ("money", "printed_zh")},
    "crm_history": {"year": ("year", "printed_zh")},
    "roi_facts": {"value_low": ("unit", "printed_zh"), "value_high": ("unit", "printed_zh")},
    "current_value_terms": {},
}
SEED_TEXTS: dict[str, tuple[str, ...]] = {
    "loss_causes": ("cause_zh", "group_zh"),
    "funnel_case": ("stage_zh",),
    "crosssell_retention": ("holding_zh",),
    "clv_cases": ("company_zh", "customer_zh", "printed_zh"),
    "crm_history": ("printed_zh",),
    "roi_facts": ("printed_zh",),
    "current_value_terms": ("term_zh",),
}
_UNIT_KIND = {"times": "times", "USD": "money", "%": "%", "year": "year"}


def seed_datasets() -> list[str]:
    """Names of the manifest's datasets under ``seed/``.

    Returns
    -------
    list of str
        Sorted dataset names (``clv_cases``, ``crm_history``, …).
    """
    return sorted(n for n, e in datasets.manifest().items() if e["file"].startswith("seed/"))


def _reading(row: dict[str, Any]) -> str | None:
    """A damaged row's reconstructed reading: in a ``note`` that starts "reconstructed reading", the text up to
    the first "(" or ";", with the restored digits (in brackets, ``4[0]%``) put back; None for a row printed
    legibly."""
    note = row.get("note")
    m = re.match(r"reconstructed reading:?\s*([^;(]+)", note) if isinstance(note, str) else None
    if not row.get("garbled") or m is None:
        return None
    return re.sub(r"\[(\d+)\]", r"\1", m.group(1).strip())


def seed_number_problems() -> tuple[list[str], dict[str, dict[str, int]]]:
    """Check every seed row against its excerpt.

    Every row's (``source_id``, ``seed_phrase``) must resolve to an excerpt; the
    row's ``source_id`` and ``seed_file`` must name the same source; every
    number the row carries (:data:`SEED_NUMBERS`) must be printed in the excerpt
    (or in the row's printed text, which must itself be in the excerpt; for a row the scan
    damaged, ``garbled``, whose note gives a "reconstructed reading" with the restored digits
    in brackets, in that reading); every
    Chinese label in :data:`SEED_TEXTS` must be in the excerpt.

    Returns
    -------
    problems : list of str
        One message per fault, naming dataset, row, column and phrase.
    counts : dict
        source id -> {"rows": seed rows, "numbers": numbers checked}.
    """
    problems: list[str] = []
    counts: dict[str, dict[str, int]] = {}
    for name in seed_datasets():
        if name not in SEED_NUMBERS:
            problems.append(f"{name}: a seed dataset without an entry in crmbook.sources.SEED_NUMBERS")
            continue
        df = datasets.load(name)
        for col in ("source_id", "seed_file", "seed_phrase"):
            if col not in df.columns:
                problems.append(f"{name}: no column {col!r}")
        if problems and problems[-1].startswith(f"{name}: no column"):
            continue
        for i, row in enumerate(df.to_dict("records"), start=1):
            tag = f"{name} row {i}"
            try:
                if source_id(row["seed_file"]) != row["source_id"]:
                    problems.append(f"{tag}: seed_file {row['seed_file']} is {source_id(row['seed_file'])}, "
                                    f"but source_id says {row['source_id']}")
                ex = resolve(row["source_id"], row["seed_phrase"])
            except SourceError as e:
                problems.append(f"{tag}: {e}")
                continue
            c = counts.setdefault(row["source_id"], {"rows": 0, "numbers": 0})
            c["rows"] += 1
            text = comparable(ex["text"])
            for col in SEED_TEXTS[name]:
                v = row.get(col)
                if isinstance(v, str) and v and comparable(v) not in text:
                    problems.append(f"{tag}: {col} {v!r} is not printed in excerpt {ex['excerpt_id']}")
            for col, (kind, within) in SEED_NUMBERS[name].items():
                v = row[col]
                if kind == "unit":
                    kind = _UNIT_KIND.get(row["unit"], "number")
                if name == "crm_history" and not row.get("year_is_approximate", True):
                    kind = "year"
                where_text = row[within] if within else ex["text"]
                reading = _reading(row)
                if reading is not None:
                    where_text, within = reading, "reconstructed reading"
                if printed_number(v, comparable(where_text), kind) is None:
                    problems.append(f"{tag}: {col} = {_g(v)} is not printed in "
                                    f"{'its ' + within + ' ' + repr(where_text) if within else 'excerpt ' + ex['excerpt_id']}")
                else:
                    c["numbers"] += 1
    return problems, counts


# ---------------------------------------------------------------------------- what the chapters cite

def _notebook_cells(root: Path | None = None) -> Iterable[tuple[str, str, str]]:
    """(notebook relative to ``root``, cell type, source) of every cell of both editions' notebooks."""
    base = Path(root) if root is not None else _ROOT / "notebooks"
    if not base.is_dir():
        raise FileNotFoundError(f"root: no notebooks folder at {base}")
    for nb in [nb for lang in LANGS for nb in sorted(edition_dir(base, lang).glob("*.ipynb"))]:
        rel = nb.relative_to(base).as_posix()
        for kind, text in _cells(nb):
            yield rel, kind, text


_SEED_CALL = re.compile(r"seed_source\(\s*(['\"])([^'\"]+)\1\s*,\s*(['\"])([^'\"]+)\3\s*\)")
_PAPER_CALL = re.compile(r"paper_source\(\s*(['\"])([^'\"]+)\1")
_BIB_CITE = re.compile(r"\[([^\]]*@[^\]]*)\]|\{cite(?::\w+)?\}`([^`]+)`")


def _cells(nb: Path) -> Iterable[tuple[str, str]]:
    doc = json.loads(nb.read_text(encoding="utf-8"))
    for c in doc.get("cells", []):
        src = c.get("source", "")
        yield c.get("cell_type", ""), "".join(src) if isinstance(src, list) else src


def cited_phrases(root: Path | None = None) -> list[tuple[str, str | None, str]]:
    """Every phrase a chapter cites from a source text.

    In Markdown cells: every span in backticks that contains Chinese
    characters. In code cells: every ``seed_source("<source>", "<phrase>")``
    with two literal strings.

    Returns
    -------
    list of (notebook, source or None, phrase)
        ``source`` is the literal first argument of ``seed_source`` (None for Markdown).

    Parameters
    ----------
    root : Path, optional
        The notebooks folder (default: the repository's ``notebooks/``; its
        ``zh/`` subfolder is read too).

    Raises
    ------
    FileNotFoundError
        ``root`` is not a folder.
    """
    out = []
    for rel, kind, text in _notebook_cells(root):
        if kind == "markdown":
            for span in re.findall(r"`([^`\n]+)`", text):
                if _CJK.search(span):
                    out.append((rel, None, span))
        elif kind == "code":
            for m in _SEED_CALL.finditer(text):
                out.append((rel, m.group(2), m.group(4)))
    return out


def cited_keys(root: Path | None = None) -> list[tuple[str, str]]:
    """Every bibliography key a chapter cites: ``[@key]`` / ``[@a; @b]`` / ``{cite}`key``` in Markdown,
    ``paper_source("key", …)`` with a literal key in code.

    Parameters
    ----------
    root : Path, optional
        The notebooks folder, as :func:`cited_phrases`.

    Returns
    -------
    list of (notebook, key)

    Raises
    ------
    FileNotFoundError
        ``root`` is not a folder.
    """
    out = []
    for rel, kind, text in _notebook_cells(root):
        if kind == "markdown":
            for m in _BIB_CITE.finditer(text):
                if m.group(1) is not None:
                    keys = re.findall(r"@([A-Za-z0-9_:\-]+)", m.group(1))
                else:
                    keys = [k.strip() for k in m.group(2).split(",")]
                out.extend((rel, k) for k in keys if k)
        elif kind == "code":
            for m in _PAPER_CALL.finditer(text):
                if _KEY.match(m.group(2)):
                    out.append((rel, m.group(2).lstrip("@")))
    return out


def verbatim_problems(seeds_dir: Path | str) -> list[str]:
    """Excerpts that do not occur verbatim (whitespace collapsed) in their seed file.

    Parameters
    ----------
    seeds_dir : str or Path
        Folder holding the seed files (``../shared/seeds`` in CI).

    Returns
    -------
    list of str
        One message per missing seed file or non-verbatim excerpt (empty: all verbatim).

    Raises
    ------
    FileNotFoundError
        ``seeds_dir`` is not a folder.
    """
    d = Path(seeds_dir)
    if not d.is_dir():
        raise FileNotFoundError(f"seeds_dir: no folder at {d}")
    problems = []
    texts: dict[str, str] = {}
    for sid, row in _sources().iterrows():
        f = d / row["seed_file"]
        if not f.is_file():
            problems.append(f"{sid}: seed file {row['seed_file']} not found in {d}")
            continue
        texts[sid] = normalise(f.read_text(encoding="utf-8"))
    for eid, row in _excerpts().iterrows():
        t = texts.get(row["source_id"])
        if t is not None and row["text"] not in t:
            problems.append(f"{eid}: text does not occur verbatim in {_sources().loc[row['source_id'], 'seed_file']}")
    return problems


# ---------------------------------------------------------------------------- the Reproduce table

REPRODUCE_COLUMNS = [
    "chapter", "key", "value", "unit", "expected", "matches", "kind", "source_id", "title", "seed_file",
    "excerpt_id", "phrase", "excerpt", "gloss", "printed", "printed_start", "printed_end", "bib_key", "citation",
    "where", "doi", "url", "dataset", "file", "how",
]


def _unit_kind(unit: str | None) -> str:
    return {"%": "%", "USD": "money", "US$": "money", "$": "money", "year": "year", "times": "times",
            "×": "times"}.get(unit or "", "number")


def _expected_span(expected: Any, text: str, kind: str) -> tuple[int, int] | None:
    """Span of ``expected`` in ``text``; for a list of numbers (a printed range), from the first to the last.

    Only a value the chapter checks against the text (``expected``) is highlighted.
    """
    values = expected if isinstance(expected, list) else [expected]
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return None
    spans = [printed_span(v, text, kind) for v in values]
    if any(sp is None for sp in spans):
        return None
    return min(sp[0] for sp in spans), max(sp[1] for sp in spans)


def reproduce_table(build_dir: str | Path | None = None, lang: str = "en") -> pd.DataFrame:
    """Every recorded number that has a source, with what it is checked against.

    Reads ``<build>/results/*.json`` (``results/zh/`` for ``lang="zh"``), as
    written by :class:`crmbook.Chapter`, and joins each result that has a
    ``source`` with its excerpt or bibliography entry.

    Parameters
    ----------
    build_dir : str or Path, optional
        The build folder (default: :func:`crmbook.layout.main_build_dir`).
    lang : {"en", "zh"}
        Which edition's results to read (the numbers are the same).

    Returns
    -------
    pandas.DataFrame
        One row per sourced result, sorted by chapter then key, columns
        :data:`REPRODUCE_COLUMNS`:

        * ``chapter``, ``key``, ``value``, ``unit``, ``expected``, ``matches``
          as recorded (``value``/``expected`` may be lists);
        * ``kind``: ``"seed"``, ``"paper"`` or ``"dataset"``;
        * for a source text: ``source_id``, ``title``, ``seed_file``,
          ``excerpt_id``, ``phrase``, ``excerpt`` (the verbatim passage),
          ``gloss``, and ``printed``, the substring of the excerpt that prints
          the ``expected`` value (a result recorded without ``expected`` is
          not highlighted: a derived number such as a group total may happen
          to equal another printed one; for a range such as ``[3, 4]`` the
          span runs from the first number to the last), with its offsets
          ``printed_start``/``printed_end`` into ``excerpt``, to highlight;
          None when the number is derived rather than printed;
        * for a paper: ``bib_key``, ``citation``, ``where``, ``doi``, ``url``;
        * for a shipped data set (:func:`dataset_provenance`): ``dataset``, ``file`` and ``how``,
          with the manifest's description of its origin as ``citation``.

        Every column has dtype object, so values stay as recorded (numbers,
        lists, None). Cells that do not apply are None. A seed source recorded with a seed
        file name but without ``source_id`` (results written before this
        module existed) is resolved here.

    Raises
    ------
    FileNotFoundError
        No results folder in ``build_dir``.
    """

    base = Path(build_dir) if build_dir is not None else main_build_dir()
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    rdir = edition_dir(base / "results", lang)
    if not rdir.is_dir():
        raise FileNotFoundError(f"no results folder at {rdir} (run the chapters first)")
    rows = []
    for f, doc in _results.documents(base, lang):
        chapter = doc.get("chapter", f.stem)
        for key, entry in sorted(doc.get("results", {}).items()):
            src = entry.get("source")
            if not isinstance(src, dict):
                continue
            row = dict.fromkeys(REPRODUCE_COLUMNS)
            row.update(chapter=chapter, key=key, value=entry.get("value"), unit=entry.get("unit"),
                       expected=entry.get("expected"), matches=entry.get("matches"), kind=src.get("kind"))
            if src.get("kind") == "seed":
                row.update(seed_file=src.get("seed_file"), phrase=src.get("phrase"))
                try:
                    ex = resolve(src.get("source_id") or src.get("seed_file", ""), src.get("phrase", ""))
                except SourceError:
                    ex = None
                if ex is not None:
                    row.update(source_id=ex["source_id"], title=ex["title"], seed_file=ex["seed_file"],
                               excerpt_id=ex["excerpt_id"], excerpt=ex["text"], gloss=ex["gloss"])
                    span = _expected_span(row["expected"], ex["text"], _unit_kind(row["unit"]))
                    if span is not None:
                        row.update(printed=ex["text"][span[0]:span[1]], printed_start=span[0], printed_end=span[1])
            elif src.get("kind") == "paper":
                row.update(citation=src.get("citation"), where=src.get("where"),
                           bib_key=src.get("key") or match_reference(src.get("citation", "")))
                if row["bib_key"]:
                    try:
                        ref = reference(row["bib_key"])
                        row.update(doi=ref.get("doi"), url=ref.get("url"))
                    except SourceError:
                        pass
            elif src.get("kind") == "dataset":
                row.update(dataset=src.get("dataset"), file=src.get("file"), how=src.get("how"))
                try:
                    row["citation"] = datasets.info(src.get("dataset", "")).get("source")
                except (datasets.DatasetError, TypeError):
                    pass
            rows.append(row)
    return pd.DataFrame(rows, columns=REPRODUCE_COLUMNS, dtype=object)  # keep None, lists and ints as recorded


# ---------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    """``python -m crmbook.sources``: list the sources, or show the excerpt behind a phrase.

    ``python -m crmbook.sources`` lists S1–S5; ``python -m crmbook.sources S1 成功的概率`` (or a
    seed file name instead of ``S1``) prints the excerpt, its gloss and where it is; ``-k KEY``
    prints a bibliography entry. Exit status 2 when nothing resolves.
    """
    import argparse

    ap = argparse.ArgumentParser(prog="python -m crmbook.sources", description=main.__doc__.splitlines()[0])
    ap.add_argument("source", nargs="?", help="source id (S1 … S5) or seed file name")
    ap.add_argument("phrase", nargs="?", help="phrase to find in that source's excerpts")
    ap.add_argument("-k", "--key", help="show a references.bib entry")
    args = ap.parse_args(argv)
    try:
        if args.key:
            ref = reference(args.key)
            print(f"{citation_text(args.key)}  {ref.get('title', '')}")
            for f in ("journal", "booktitle", "howpublished", "volume", "number", "pages", "doi", "url"):
                if ref.get(f):
                    print(f"  {f}: {ref[f]}")
            return 0
        if args.source is None:
            for sid, s in _sources().iterrows():
                n = int((_excerpts()["source_id"] == sid).sum())
                print(f"{sid}  《{s['title']}》  {s['script']}  {s['seed_file']}  ({n} excerpts)\n    {s['kind']}")
            return 0
        if args.phrase is None:
            ap.error("give a phrase after the source")
        ex = resolve(args.source, args.phrase)
    except SourceError as e:
        print(f"error: {e}")
        return 2
    print(f"{ex['excerpt_id']}  {ex['source_id']} 《{ex['title']}》, {ex['where']}\n\n{ex['text']}\n\n{ex['gloss']}")
    if ex.get("note"):
        print(f"\nNote: {ex['note']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
