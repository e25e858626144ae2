"""The term list (``crmbook/terms.csv``) and its enforcement.

* The list itself: one row per concept, no Chinese or English term twice, no variant that is a
  concept's own term, one-line definitions in both languages that use no variant.
* Every Chinese text the book and the site show uses the term, never a variant, outside a
  verbatim quotation (the rule is :func:`crmbook.terms.quoted_spans`, documented in
  CONTRIBUTING.md): the label tables (``crmlib/labels``, ``crmbook/labels``), the Markdown cells
  of ``notebooks/zh/``, the teacher pages (``site/teacher``) and the term list's own definitions.
  A failure names the file, the key or cell, the variant and the term to use. The data sets are
  not scanned: the source excerpts are quotations, and of the seed tables the site shows only the
  columns printed from the sources (``printed_zh``).
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from crmbook import terms as T

ROOT = Path(__file__).resolve().parents[1]
LABEL_FILES = sorted((ROOT / "crmlib" / "labels").glob("*.csv")) + sorted((ROOT / "crmbook" / "labels").glob("*.csv"))
TEACHER_FILES = sorted((ROOT / "site" / "teacher").glob("*.csv"))
ZH_NOTEBOOKS = sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))


def _csv_texts(path: Path, key: str, column: str):
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield row[key], row.get(column) or ""


def zh_texts():
    """Every Chinese text the book and the site show: ``(file, where, text)``."""
    for path in LABEL_FILES + TEACHER_FILES:
        for key, text in _csv_texts(path, "key", "zh"):
            yield path.relative_to(ROOT).as_posix(), key, text
    for path in ZH_NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "markdown":
                src = cell["source"]
                yield path.relative_to(ROOT).as_posix(), f"cell {i} ({cell.get('id', '')})", \
                    "".join(src) if isinstance(src, list) else src
    for _, row in T.terms().iterrows():
        yield "crmbook/terms.csv", f"{row['concept_id']}.definition_zh", row["definition_zh"]


def _report(findings) -> str:
    lines = [f"{file} [{where}]: “{f.variant}” → use “{f.use}” ({f.concept_id}) … {f.context} …"
             for file, where, f in findings]
    return f"{len(lines)} variant(s) outside a quotation:\n" + "\n".join(lines)


# ------------------------------------------------------------------ the list
def test_term_list_loads_with_its_columns():
    df = T.terms()
    assert list(df.columns) == list(T.COLUMNS)
    assert len(df) >= 150
    assert T.term("clv") == "客户终身价值" and T.term("customer") == "客户"
    assert T.term("clv", "en") == "customer lifetime value (CLV)"
    with pytest.raises(KeyError, match="no concept 'nope'"):
        T.term("nope")
    with pytest.raises(ValueError, match="lang"):
        T.term("clv", "fr")


def test_no_term_twice_in_either_language():
    df = T.terms()
    for lang, bare in (("zh", T._bare), ("en", lambda s: T._bare(s).lower())):
        seen: dict[str, str] = {}
        for cid, text in zip(df["concept_id"], df[lang]):
            key = bare(text)
            assert key not in seen, f"{lang} term {key!r} is used by {seen.get(key)!r} and {cid!r}"
            seen[key] = cid


def test_variants_are_never_a_concepts_term():
    """A variant must be wrong in every context: it may not be any concept's term, nor contain one
    whole (then the term itself would be flagged), and is listed for one concept only."""
    vmap = T.variant_map()
    own = {w for zh in T.terms()["zh"] for w in T._words(zh)}
    for variant, cid in vmap.items():
        assert variant not in own, f"variant {variant!r} of {cid!r} is a term"
        assert not T.find_variants(T.term(cid)), f"the term of {cid!r} is flagged by its own variants"
    for zh in own:
        assert not T.find_variants(zh), f"term {zh!r} would be reported as a variant"


def test_definitions_are_one_line_and_in_their_language():
    for _, row in T.terms().iterrows():
        for col in ("definition_en", "definition_zh"):
            assert row[col] and "\n" not in row[col] and len(row[col]) < 220, (row["concept_id"], col)
        assert re.search(r"[\u4e00-\u9fff]", row["definition_zh"]), row["concept_id"]
        assert re.search(r"[A-Za-z]{3}", row["definition_en"]), row["concept_id"]
        assert all(re.fullmatch(r"\d\d", c) for c in row["chapters"]), row["concept_id"]


def test_bad_term_files_are_rejected(tmp_path, monkeypatch):
    bad = tmp_path / "terms.csv"
    bad.write_text(",".join(T.COLUMNS) + "\nx,a,甲,,01,def,定义\nx,b,乙,,01,def,定义\n", encoding="utf-8")
    monkeypatch.setattr(T, "TERMS_CSV", bad)
    T._rows.cache_clear()
    try:
        with pytest.raises(ValueError, match="concept_id 'x' already on line 2"):
            T.terms()
    finally:
        monkeypatch.undo()
        T._rows.cache_clear()
        T.variant_map.cache_clear()
        T._scanner.cache_clear()


def test_by_chapter_puts_each_concept_under_its_first_available_chapter():
    groups = dict(T.by_chapter(["02", "05"]))
    assert list(groups) == ["02", "05"]
    ids = {c: [r["concept_id"] for r in rows] for c, rows in groups.items()}
    assert "customer_loss" in ids["02"] and "clv" in ids["05"] and "crm" not in ids["02"] + ids["05"]
    assert sum(len(v) for v in ids.values()) == len(set(ids["02"]) | set(ids["05"]))
    everything = T.by_chapter()
    assert sum(len(rows) for _, rows in everything) == len(T.terms())
    with pytest.raises(TypeError, match="not one string"):
        T.by_chapter("05")
    with pytest.raises(ValueError, match="two-digit"):
        T.by_chapter([5])


# ------------------------------------------------------------------ the quotation rule
@pytest.mark.parametrize("text, found", [
    ("每位顾客", ["顾客"]),
    ("原文作“顾客终身价值”", []),
    ("S4 称为「顧客」", []),
    ("见《第二章 第三节 顾客关系管理》", []),
    ("检索 `顾客资产`", []),
    ("> 企业全部的顾客终身价值折现值总和\n而每位顾客", ["顾客"]),
    ("“未闭合的引号，顾客", ["顾客"]),
    ("用蒙特卡洛方法", ["蒙特卡洛"]),
    ("MAN法则与 MAN 法则", ["MAN 法则", "MAN 法则"]),
    ("客户保留率与客户留存率", ["客户留存"]),
    ("客户终身价值与顾客终身价值", ["顾客终身价值"]),
])
def test_quotation_rule(text, found):
    assert [f.variant for f in T.find_variants(text)] == found


def test_quoted_spans_cover_the_marks_and_nest():
    text = "甲“乙‘丙’丁”戊《己》"
    assert T.quoted_spans(text) == [(1, 8), (9, 12)]
    assert T.quoted_spans("a ```\n顾客\n``` b") == [(2, 12)]


# ------------------------------------------------------------------ the book
def test_collector_sees_every_kind_of_text():
    files = {"/".join(f.split("/")[:2]) for f, _, _ in zh_texts()}
    assert {"crmlib/labels", "crmbook/labels", "notebooks/zh", "site/teacher", "crmbook/terms.csv"} <= files
    counts = {}
    for f, _, _ in zh_texts():
        counts[f] = counts.get(f, 0) + 1
    assert counts["crmbook/labels/site.csv"] > 10 and counts["notebooks/zh/05_客户终身价值.ipynb"] > 10


def test_no_variant_outside_a_quotation():
    findings = [(file, where, f) for file, where, text in zh_texts() for f in T.find_variants(text)]
    assert not findings, _report(findings)


def test_the_check_can_fail():
    """Negative control: a variant written into a text is found and reported with the term to use."""
    findings = [("x.csv", "k", f) for f in T.find_variants("本章计算每位顾客的顾客终身价值")]
    msg = _report(findings)
    assert "“顾客” → use “客户”" in msg and "“顾客终身价值” → use “客户终身价值”" in msg
