"""Provenance from a fresh clone: sources S1–S5, excerpts, the bibliography, CITATION.cff, the Reproduce table."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from crmbook import Chapter
from crmbook import dataset_source, paper_source, seed_source, sources
from crmlib import datasets
from crmbook.sources import SourceError

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("CRMNB_SEEDS_DIR", ROOT.parent / "shared" / "seeds"))


# ------------------------------------------------------------------ the records themselves

def test_five_sources_with_ids_titles_and_seed_files():
    src = sources.sources()
    assert list(src["source_id"]) == ["S1", "S2", "S3", "S4", "S5"]
    assert dict(zip(src["source_id"], src["seed_file"].str[:3])) == {
        "S1": "001", "S2": "002", "S3": "003", "S4": "004", "S5": "000"}
    assert sources.source("S5")["title"] == "组织客户关系管理研究"
    assert sources.source("S5")["resource_id"] == "81182064"
    assert sources.source("004_ec890f44199b7297.txt")["script"] == "繁體"
    assert src["title"].str.len().gt(0).all() and src["kind"].str.len().gt(0).all()


def test_excerpts_are_short_normalised_and_glossed():
    ex = sources.excerpts()
    assert len(ex) >= 40
    assert set(ex["source_id"]) == {"S1", "S2", "S3", "S4", "S5"}
    too_long = ex[ex["text"].str.len() > 300]
    assert too_long.empty, f"excerpts over 300 characters: {list(too_long.index)}"
    for eid, r in ex.iterrows():
        assert r["text"] == sources.normalise(r["text"]), eid
        assert sources.comparable(r["phrase"]) in sources.comparable(r["text"]), eid
        assert re.search(r"[A-Za-z]{3}", r["gloss"]) and len(r["gloss"]) > 20, f"{eid}: gloss missing"


def test_manifest_hashes_the_bibliography():
    mf = json.loads((ROOT / "datasets" / "manifest.json").read_text(encoding="utf-8"))
    entry = mf["files"]["sources/references.bib"]
    assert entry["sha256"] == datasets.sha256(ROOT / "datasets" / "sources" / "references.bib"), \
        "references.bib changed: run python3 tools/rehash_datasets.py"


# ------------------------------------------------------------------ everything cited resolves

def test_every_seed_row_resolves_and_its_numbers_are_printed_in_its_excerpt():
    problems, counts = sources.seed_number_problems()
    assert not problems, "\n".join(problems)
    assert set(counts) == {"S1", "S2", "S5"}
    assert counts["S1"]["numbers"] >= 7 + 9  # seven shares, nine funnel counts


def test_every_phrase_a_chapter_cites_resolves():
    cited = sources.cited_phrases()
    assert any(p == "5-10 倍" for _, _, p in cited) and any(p == "顾客资产" for _, _, p in cited)
    bad = []
    for nb, src, phrase in cited:
        try:
            sources.resolve(src, phrase) if src else sources.find_phrase(phrase)
        except SourceError as e:
            bad.append(f"{nb}: {e}")
    assert not bad, ("a Chinese phrase in backticks in a chapter's Markdown, or in seed_source(...), cites a "
                     "source text and must be in an excerpt (datasets/sources/README.md, 'Adding a passage'):\n"
                     + "\n".join(bad))


def test_chapters_name_only_known_source_ids():
    bad = []
    for nb in sorted((ROOT / "notebooks").glob("**/*.ipynb")):
        for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if c["cell_type"] == "markdown":
                for sid in re.findall(r"(?<![A-Za-z0-9_])S(\d+)(?![A-Za-z0-9_])", "".join(c["source"])):
                    if f"S{sid}" not in set(sources.sources()["source_id"]):
                        bad.append(f"{nb.relative_to(ROOT)}: S{sid} (000_… is S5)")
    assert not bad, "\n".join(bad)


def test_every_cited_bib_key_exists_and_every_entry_is_complete():
    bib = sources.bibliography()
    assert sources.bib_path() == ROOT / "datasets" / "sources" / "references.bib"
    for key, e in bib.items():
        missing = [f for f in ("author", "title", "year") if not e.get(f)]
        assert not missing, f"references.bib {key}: missing {missing}"
        assert re.fullmatch(r"\d{4}", e["year"]), f"{key}: year {e['year']!r}"
        if "doi" in e:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", e["doi"]), f"{key}: doi {e['doi']!r}"
    for key in ("fader2005bgnbd", "fader2007sbg", "fader2013gammagamma", "schmittlein1987", "goodman1965",
                "cohen1988", "kaplan1992", "gupta2003", "fader2010bgbb", "cdnow", "power2002", "agrawal1994",
                "wilson1927"):
        assert key in bib, key
    missing = [f"{nb}: [@{k}]" for nb, k in sources.cited_keys() if k not in bib]
    assert not missing, "keys cited but not in datasets/sources/references.bib:\n" + "\n".join(missing)


def test_bibliography_parses_with_pybtex_when_installed():
    pybtex = pytest.importorskip("pybtex.database", reason="pybtex (site extra) not installed")
    data = pybtex.parse_file(str(ROOT / "datasets" / "sources" / "references.bib"))
    assert set(data.entries) == set(sources.bibliography())


# ------------------------------------------------------------------ the full texts, when beside the clone

@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not beside the clone ({SEEDS} absent)")
def test_every_excerpt_occurs_verbatim_in_its_source_file():
    problems = sources.verbatim_problems(SEEDS)
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not beside the clone ({SEEDS} absent)")
def test_a_changed_character_is_caught_by_the_verbatim_check(tmp_path):
    for f in SEEDS.glob("*.txt"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8").replace("68%", "67%"), encoding="utf-8")
    assert any(p.startswith("S1-loss-table") for p in sources.verbatim_problems(tmp_path))


# ------------------------------------------------------------------ resolution, errors, chapter API

def test_resolve_by_id_or_file_and_prefer_the_excerpts_own_phrase():
    a = sources.resolve("S1", "客户流失的原因分析表")
    b = sources.resolve("001_ba727a09fac39879.txt", "客户流失的原因分析表")
    assert a == b and a["excerpt_id"] == "S1-loss-table" and a["title"] == "crm大客户关系管理"
    assert sources.resolve("S5", "尿布")["excerpt_id"] == "S5-diapers-beer"  # also in S5-tesco
    assert sources.resolve("S5", "顾客资产")["excerpt_id"] == "S5-customer-equity"  # also in S5-equity-share
    assert sources.find_phrase("績效衡量指標")["source_id"] == "S4"
    assert sources.resolve("S1", "缺乏沟通技巧，没有掌握客户需求")["excerpt_id"] == "S1-loss-table"  # full-width comma


@pytest.mark.parametrize("ref, phrase, msg", [
    ("S0", "x", r"unknown source id 'S0'.*S5 = 000_a2de3e033440553d\.txt"),
    ("005_x.txt", "x", r"unknown seed file '005_x\.txt'"),
    ("S1", "不存在的短语", r"phrase '不存在的短语' is in no excerpt of S1 \(001_ba727a09fac39879\.txt\)"),
    ("S1", " ", r"phrase must be a non-empty string"),
])
def test_unresolvable_references_name_the_phrase_and_file(ref, phrase, msg):
    with pytest.raises(SourceError, match=msg):
        sources.resolve(ref, phrase)


def test_seed_source_records_id_title_and_excerpt():
    s = seed_source("S1", "客户流失的原因分析表")
    assert s == {"kind": "seed", "seed_file": "001_ba727a09fac39879.txt", "phrase": "客户流失的原因分析表",
                 "source_id": "S1", "title": "crm大客户关系管理", "excerpt_id": "S1-loss-table"}
    assert seed_source("000_a2de3e033440553d.txt", "5-10 倍")["excerpt_id"] == "S5-acquisition"
    assert seed_source("001.txt", "短语") == {"kind": "seed", "seed_file": "001.txt", "phrase": "短语"}
    with pytest.raises(SourceError, match="'没有的' is in no excerpt of S2"):
        seed_source("002_6df45c4bf5697708.txt", "没有的")
    with pytest.raises(SourceError, match="unknown source id 'S6'"):
        seed_source("S6", "x")


def test_paper_source_accepts_a_bib_key():
    p = paper_source("fader2005bgnbd", "Table 2")
    assert p == {"kind": "paper", "citation": "Fader, Hardie & Lee (2005)", "key": "fader2005bgnbd",
                 "where": "Table 2"}
    assert paper_source("@brin1997", "p. 257")["citation"] == "Brin et al. (1997)"
    assert paper_source("Fader et al. (2005)", "Table 2") == {"kind": "paper", "citation": "Fader et al. (2005)",
                                                              "where": "Table 2"}
    free = paper_source("Fader, P. S. & Hardie, B. G. S. (2007), How to project customer retention, "
                        "Journal of Interactive Marketing 21(1), 76-90", "text of the empirical section")
    assert free["key"] == "fader2007sbg" and free["citation"].startswith("Fader, P. S.")
    assert sources.match_reference("Counting your customers the easy way: an alternative to the Pareto/NBD "
                                   "model (2005)") == "fader2005bgnbd"
    assert sources.match_reference("Counting your customers (1987)") is None  # a title fragment is not enough
    with pytest.raises(SourceError, match="unknown bibliography key 'fader2099'"):
        paper_source("fader2099", "Table 1")


@pytest.mark.parametrize("value, text, kind, found", [
    (68, "缺乏沟通技巧( 68%)", "%", "68%"),
    (6, "缺乏沟通技巧( 68%)", "%", None),
    (0.5, "留住顾客的概率是 0.5%:", "%", "0.5%"),
    (480000, "48 万美元", "money", "48 万"),
    (30000000, "投入了 3 R 千万美元", "money", "3 R 千万"),
    (3, "三倍到 四倍", "times", "三倍"),
    (1980, "从20世纪80年代初的", "year", "20世纪80年代"),
    (1999, "到1999年美国", "year", "1999"),
    (100, "例如有 100家客户", "count", "100"),
    (10, "例如有 100家客户", "count", None),
    (68, "比率（ 68％）", "%", "68％"),
    (2, "同时拥有这两个账户", "count", "两个"),
])
def test_printed_number_finds_the_printed_form(value, text, kind, found):
    assert sources.printed_number(value, text, kind) == found


def test_a_number_not_in_its_excerpt_is_reported(tmp_path, monkeypatch):
    import shutil
    d = tmp_path / "datasets"
    shutil.copytree(ROOT / "datasets", d, ignore=shutil.ignore_patterns("cdnow", "synthetic"))
    f = d / "seed" / "loss_causes.csv"
    f.write_text(f.read_text(encoding="utf-8").replace(",68,S1,", ",67,S1,"), encoding="utf-8")
    mf = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    mf["datasets"] = {k: v for k, v in mf["datasets"].items() if (d / v["file"]).exists()}
    mf["datasets"]["loss_causes"]["sha256"] = datasets.sha256(f)
    (d / "manifest.json").write_text(json.dumps(mf), encoding="utf-8")
    monkeypatch.setenv("CRMLIB_DATA_DIR", str(d))
    problems, _ = sources.seed_number_problems()
    assert any("loss_causes row 5: share_pct = 67 is not printed in excerpt S1-loss-table" in p for p in problems)


def test_a_damaged_row_is_checked_against_its_reconstructed_reading(data_copy):
    """S2's 4% ~7 % … O 5 is read as 4[0]%~7[5]%: the numbers 40 and 75 must be in that reading."""
    f = data_copy / "seed" / "roi_facts.csv"
    rows = f.read_text(encoding="utf-8")
    assert "4[0]%~7[5]%" in rows, "the hidden-share row gives its reading with the restored digits in brackets"
    f.write_text(rows.replace("4[0]%~7[5]%", "4[5]%~7[5]%"), encoding="utf-8")
    mf = json.loads((data_copy / "manifest.json").read_text(encoding="utf-8"))
    mf["datasets"]["roi_facts"]["sha256"] = datasets.sha256(f)
    (data_copy / "manifest.json").write_text(json.dumps(mf), encoding="utf-8")
    problems, _ = sources.seed_number_problems()
    assert [p for p in problems if p.startswith("roi_facts")] == [
        "roi_facts row 3: value_low = 40 is not printed in its reconstructed reading '隐形成本在多数已实施的CRM项目"
        "总成本中占据45%~75%的比例，普遍高于显性成本'"]


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="seeds_dir: no folder"):
        sources.verbatim_problems(tmp_path / "none")
    with pytest.raises(FileNotFoundError, match="root: no notebooks folder"):
        sources.cited_phrases(tmp_path / "none")
    with pytest.raises(TypeError, match="text must be a string"):
        sources.comparable(3)
    with pytest.raises(ValueError, match="kind must be one of"):
        sources.printed_span(3, "三倍", "multiple")
    with pytest.raises(ValueError, match="lang must be one of"):
        sources.reproduce_table(tmp_path, lang="fr")
    with pytest.raises(SourceError, match="unknown bibliography key 'nokey'"):
        sources.reference("nokey")


def test_command_line_lists_sources_and_shows_an_excerpt(capsys):
    assert sources.main([]) == 0
    out = capsys.readouterr().out
    n_s1 = int((sources.excerpts()["source_id"] == "S1").sum())
    assert "S5  《组织客户关系管理研究》" in out and f"001_ba727a09fac39879.txt  ({n_s1} excerpts)" in out
    assert sources.main(["S1", "成功的概率"]) == 0
    out = capsys.readouterr().out
    assert "S1-funnel" in out and "可能只剩下 5家或者更少了" in out and "perhaps 5 or fewer" in out
    assert sources.main(["-k", "fader2005bgnbd"]) == 0
    assert "10.1287/mksc.1040.0098" in capsys.readouterr().out
    assert sources.main(["S1", "不存在的短语"]) == 2
    assert "不存在的短语" in capsys.readouterr().out


# ------------------------------------------------------------------ the Reproduce table

def test_reproduce_table_joins_results_with_excerpts_and_references(tmp_path):
    ch = Chapter("98_provenance_test", build_dir=tmp_path, display=False)
    ch.record("share.communication", 68.0, unit="%", source=seed_source("S1", "客户流失的原因分析表"), expected=68.0)
    ch.record("clv.sas", 480000.0, unit="USD", source=seed_source("S5", "北欧航空"), expected=480000.0)
    ch.record("bgnbd.r", 0.2426, source=paper_source("fader2005bgnbd", "Table 1"), expected=0.243)
    ch.record("legacy", 5.0, source={"kind": "seed", "seed_file": "001_ba727a09fac39879.txt", "phrase": "成功的概率"})
    ch.record("group.customer", 4.0, unit="%", source=seed_source("S1", "客户流失的原因分析表"))  # derived
    ch.record("budget", [3.0, 4.0], unit="times", source=seed_source("S2", "三倍到 四倍"), expected=[3.0, 4.0])
    ch.record("internal", 1.0)
    ch.save()
    t = sources.reproduce_table(tmp_path)
    assert list(t.columns) == sources.REPRODUCE_COLUMNS
    assert list(t["key"]) == ["bgnbd.r", "budget", "clv.sas", "group.customer", "legacy", "share.communication"]
    assert t.set_index("key").loc["budget", "printed"] == "三倍到 四倍"  # a range: first to last number
    assert t.set_index("key").loc["group.customer", "printed"] is None  # no expected: nothing highlighted
    row = t.set_index("key").loc["share.communication"]
    assert (row["source_id"], row["excerpt_id"], row["printed"], bool(row["matches"])) == \
        ("S1", "S1-loss-table", "68%", True)
    assert row["excerpt"][int(row["printed_start"]):int(row["printed_end"])] == "68%" and "68 %" in row["gloss"]
    assert t.set_index("key").loc["clv.sas", "printed"] == "48 万"
    assert t.set_index("key").loc["legacy", "excerpt_id"] == "S1-funnel"
    paper = t.set_index("key").loc["bgnbd.r"]
    assert (paper["bib_key"], paper["citation"], paper["where"], paper["doi"]) == \
        ("fader2005bgnbd", "Fader, Hardie & Lee (2005)", "Table 1", "10.1287/mksc.1040.0098")
    with pytest.raises(FileNotFoundError, match="no results folder"):
        sources.reproduce_table(tmp_path / "nothing")


def test_dataset_source_ties_a_number_to_the_file_it_was_computed_from(tmp_path):
    src = dataset_source("wa_churn", "churn_share: churn == 'Yes' / all rows")
    assert src == {"kind": "dataset", "dataset": "wa_churn", "file": "datasets/telco/wa_churn.csv",
                   "sha256": datasets.sha256(ROOT / "datasets" / "telco" / "wa_churn.csv"),
                   "how": "churn_share: churn == 'Yes' / all rows"}
    ch = Chapter("98_provenance_test", build_dir=tmp_path, display=False)
    ch.record("churn.share", 0.2654, source=src)
    ch.save()
    row = sources.reproduce_table(tmp_path).set_index("key").loc["churn.share"]
    assert (row["kind"], row["dataset"], row["file"], row["how"]) == \
        ("dataset", "wa_churn", "datasets/telco/wa_churn.csv", "churn_share: churn == 'Yes' / all rows")
    assert "modeldata" in row["citation"] and row["excerpt_id"] is None and row["bib_key"] is None
    with pytest.raises(SourceError, match="unknown dataset 'wa_churns'"):
        dataset_source("wa_churns", "anything")
    with pytest.raises(SourceError, match="say how the number is computed"):
        dataset_source("wa_churn", "  ")
    with pytest.raises(SourceError, match="needs a data set name"):
        dataset_source(None, "x")


# ------------------------------------------------------------------ citing the collection

_CFF_TOP = {"abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi", "identifiers",
            "keywords", "license", "license-url", "message", "preferred-citation", "references", "repository",
            "repository-artifact", "repository-code", "title", "type", "url", "version"}
_CFF_PERSON = {"address", "affiliation", "alias", "city", "country", "email", "family-names", "fax", "given-names",
               "name-particle", "name-suffix", "orcid", "post-code", "region", "tel", "website"}
_CFF_ENTITY = {"address", "alias", "city", "country", "date-end", "date-start", "email", "fax", "location", "name",
               "orcid", "post-code", "region", "tel", "website"}
_CFF_REF_TYPES = {"art", "article", "audiovisual", "bill", "blog", "book", "catalogue", "conference",
                  "conference-paper", "data", "database", "dictionary", "edited-work", "encyclopedia",
                  "film-broadcast", "generic", "government-document", "grant", "hearing", "historical-work",
                  "legal-case", "legal-rule", "magazine-article", "manual", "map", "multimedia", "music",
                  "newspaper-article", "pamphlet", "patent", "personal-communication", "proceedings", "report",
                  "serial", "slides", "software", "software-code", "software-container", "software-executable",
                  "software-virtual-machine", "sound-recording", "standard", "statute", "thesis", "unpublished",
                  "video", "website"}
_DOI = re.compile(r"^10\.\d{4,9}(\.\d+)?/[A-Za-z0-9:/_;\-.()\[\]\\]+$")


def _cff_authors(authors, where):
    assert isinstance(authors, list) and authors, f"{where}: authors must be a non-empty list"
    for a in authors:
        keys = set(a)
        if "name" in a:  # an entity
            assert keys <= _CFF_ENTITY, f"{where}: entity keys {sorted(keys - _CFF_ENTITY)} not in CFF 1.2.0"
        else:
            assert keys <= _CFF_PERSON and keys, f"{where}: person keys {sorted(keys - _CFF_PERSON)} not in CFF 1.2.0"


def test_citation_cff_is_valid_cff_1_2_0():
    import yaml  # PyYAML: a dependency of papermill

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    missing = {"authors", "cff-version", "message", "title"} - set(cff)
    assert not missing, f"CITATION.cff lacks required keys {sorted(missing)}"
    assert set(cff) <= _CFF_TOP, f"CITATION.cff: keys not in CFF 1.2.0: {sorted(set(cff) - _CFF_TOP)}"
    _cff_authors(cff["authors"], "authors")
    assert cff.get("type", "software") in ("software", "dataset")
    assert cff["license"] == "MIT"
    assert isinstance(cff["version"], (str, int, float)) and str(cff["version"]) == "0.1.0"
    assert all(isinstance(k, str) and k for k in cff.get("keywords", []))
    bib_dois = {e.get("doi") for e in sources.bibliography().values()}
    for i, ref in enumerate(cff.get("references", [])):
        where = f"references[{i}]"
        assert {"authors", "title", "type"} <= set(ref), f"{where}: needs authors, title and type"
        assert ref["type"] in _CFF_REF_TYPES, f"{where}: type {ref['type']!r}"
        _cff_authors(ref["authors"], where)
        for k in ("year", "volume", "start", "end"):
            assert k not in ref or isinstance(ref[k], int), f"{where}: {k} must be an integer"
        if "doi" in ref:
            assert _DOI.match(ref["doi"]) and ref["doi"] in bib_dois, f"{where}: doi {ref['doi']!r}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## How to cite" in readme and "CITATION.cff" in readme and "datasets/sources/" in readme
    assert "sources/README.md" in (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
