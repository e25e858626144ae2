"""The Chinese edition: one code, two editions, and nothing English where a Chinese student reads.

* Code cells of ``notebooks/zh/NN_*.ipynb`` are those of ``notebooks/NN_*.ipynb`` (the
  ``lang`` line apart), cell for cell, with the same section, figure and exercise numbers.
* No notebook decides anything on its language (``if lang``, ``en = lang == …``).
* The executed Chinese notebooks show no English prose (four or more Latin-script words
  in a row outside code, formulas, links, citations and the names listed in ``ALLOWED``),
  and their captions, table headers and widget labels are Chinese.
* The two editions record the same numbers.
"""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from crmbook import runner
from crmlib import i18n
from crmbook.layout import NOTEBOOK_DIR, chapter_notebook, edition_notebooks, notebook_dir, notebook_kind

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("sync_zh", ROOT / "tools" / "sync_zh.py")
sync_zh = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync_zh)

#: TRANSITIONAL: chapters whose code is not language-neutral yet (strict xfail: remove a chapter from
#: this set when it is converted, or its tests fail as XPASS).
UNCONVERTED: set[str] = set()

EN = runner.discover(NOTEBOOK_DIR)
ZH_DIR = notebook_dir("zh")
IDS = [nb.stem for nb in EN]

#: Latin-script names a Chinese text may use as they are (models, firms, people, software, data).
ALLOWED = {
    "BG/NBD", "MBG/NBD", "Pareto/NBD", "BG/BB", "Gamma-Gamma", "sBG", "RFM", "CLV", "CRM", "ROI", "NPV", "IRR", "EVA",
    "TCO", "AIC",
    "SAS", "Cadillac", "Marlboro", "CDNOW", "Tesco", "HSBC", "Coca-Cola", "Disney", "Wilson", "Goodman",
    "Cohen", "Fader", "Hardie", "Lee", "Shang", "Schmittlein", "Morrison", "Colombo", "Kaplan", "Norton",
    "Gupta", "Lehmann", "Pearson", "Monte Carlo", "Python", "JupyterLab", "Jupyter", "pandas", "statsmodels",
    "seaborn", "matplotlib", "crmlib", "MAN", "Pareto", "Agrawal", "Srikant", "Power", "Excel", "Spark",
    "DuckDB", "Parquet", "lifetimes", "PyMC-Marketing", "US", "Cohen's h",
}
_WORD = r"[A-Za-z][A-Za-z'’\-]*"
_RUN = re.compile(rf"{_WORD}(?:[ \t,;:()/&+\-]+{_WORD}){{3,}}")


def _source(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def strip_allowed(text: str) -> str:
    """``text`` without what may stay in Latin script: code, math, links, citations, HTML, names."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]*\$", " ", text)
    text = re.sub(r"\[@[^\]]*\]", " ", text)                       # [@key] citations
    text = re.sub(r"\]\([^)]*\)", "] ", text)                      # link targets
    text = re.sub(r"<[^>]+>", " ", text)                           # HTML tags
    text = re.sub(r"https?://\S+", " ", text)
    for name in sorted(ALLOWED, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", " ", text)
    return text


def english_runs(text: str) -> list[str]:
    """Runs of four or more Latin-script words left after :func:`strip_allowed`."""
    return [m.group(0) for m in _RUN.finditer(strip_allowed(text))]


def _is_reference_cell(cell: dict) -> bool:
    """The closing sources / references cell (citations and the reference list may stay as printed)."""
    return cell["cell_type"] == "markdown" and _source(cell).lstrip().startswith("---")


# ------------------------------------------------------------------ the detector itself
def test_detector_finds_english_and_spares_what_is_allowed():
    assert english_runs("This sentence is plainly English prose.")
    assert english_runs("中文之间 the whole table as printed 中文") == ["the whole table as printed"]
    assert not english_runs("用 `ch.record(key, value, unit)` 记录，见 [@fader2005] 与 $x = a + b$。")
    assert not english_runs("BG/NBD 模型与 Pareto/NBD 模型，SAS、Cadillac 和 Marlboro 的案例。")
    assert not english_runs("Fader, Hardie & Lee 的论文")
    assert not english_runs("三个词 not four 不算")


# ------------------------------------------------------------------ one code, two editions
def _zh(nb_path: Path) -> Path:
    """The Chinese edition of an English notebook: the one of the same number in notebooks/zh/ (or a path that
    does not exist)."""
    try:
        return chapter_notebook(nb_path.stem, "zh")
    except FileNotFoundError:
        return ZH_DIR / nb_path.name


def test_every_chapter_has_a_chinese_edition():
    missing = [nb.name for nb in EN if not _zh(nb).is_file()]
    assert not missing, f"no Chinese notebook for {missing} (write its markdown; tools/sync_zh.py --draft starts one)"


def test_chinese_notebooks_have_chinese_names():
    """A JupyterLab tab shows the file name only: the Chinese edition's names are Chinese (its heading's title)."""
    for nn, p in edition_notebooks("zh").items():
        assert re.search(r"[\u4e00-\u9fff]", p.stem), f"{p.name}: run tools/sync_zh.py {nn}, which names it after its heading"
        assert sync_zh.zh_name(sync_zh.read(p), nn) == p.name, f"{p.name} is not named after its heading"
    assert set(edition_notebooks("zh")) == set(edition_notebooks("en"))


@pytest.mark.parametrize("nb_path", EN, ids=IDS)
def test_chinese_code_is_the_english_code(nb_path: Path):
    zh = _zh(nb_path)
    if not zh.is_file():
        pytest.skip("no Chinese edition yet (test_every_chapter_has_a_chinese_edition fails for it)")
    diffs = sync_zh.differences(nb_path, zh)
    assert not diffs, "; ".join(diffs) + " — run `python tools/sync_zh.py " + nb_path.name[:2] + "`"


def _numbers(nb: dict) -> dict[str, list[str]]:
    md = "\n".join(_source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    code = "\n".join(_source(c) for c in nb["cells"] if c["cell_type"] == "code")
    return {
        "sections": re.findall(r"^#{2,3}\s*(\d+\.\d+(?:\.\d+)?)", md, re.M),
        "figures": re.findall(r"ch\.figure\([^\n]*?\"(\d+\.\d+)\"", code),
        "exercises": re.findall(r"ex\.check\(\"(\d+\.\d+)\"", code),
    }


@pytest.mark.parametrize("nb_path", EN, ids=IDS)
def test_both_editions_number_sections_figures_and_exercises_alike(nb_path: Path):
    zh = _zh(nb_path)
    if not zh.is_file():
        pytest.skip("no Chinese edition yet")
    a, b = _numbers(sync_zh.read(nb_path)), _numbers(sync_zh.read(zh))
    assert a == b
    assert a["figures"], "a chapter or guide has figures"
    if notebook_kind(nb_path) == "chapter":       # a guide's exercises are optional
        assert a["exercises"], "a chapter has exercises"


def test_sync_tool_reports_a_changed_code_cell(tmp_path):
    en = sync_zh.read(EN[0])
    zh, problems = sync_zh.build(en, None, draft=True)
    code = next(c for c in zh["cells"] if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", []))
    code["source"] = sync_zh.source(code) + "\nx = 1"
    (tmp_path / "zh").mkdir()
    p = tmp_path / "zh" / EN[0].name
    sync_zh.write(zh, p)
    diffs = sync_zh.differences(EN[0], p)
    assert any("differs from the English" in d for d in diffs) and any("draft" in d for d in diffs)
    params = next(c for c in zh["cells"] if "parameters" in c["metadata"].get("tags", []))
    assert 'lang = "zh"' in sync_zh.source(params) and 'lang = "en"' not in sync_zh.source(params)


def _unconverted(paths):
    return [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason="not converted yet"))
            if p.name[:2] in UNCONVERTED else p for p in paths]


@pytest.mark.parametrize("nb_path", _unconverted(EN + sorted(ZH_DIR.glob("[0-9][0-9]_*.ipynb"))),
                         ids=IDS + [f"zh-{p.stem}" for p in sorted(ZH_DIR.glob("[0-9][0-9]_*.ipynb"))])
def test_no_notebook_branches_on_its_language(nb_path: Path):
    nb = sync_zh.read(nb_path)
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code":
            continue
        src = _source(c)
        assert not re.search(r"\bif\s+(not\s+)?lang\b|\blang\s*[=!]=|==\s*lang\b|\ben\s*=\s*lang\b", src), \
            f"cell {i} decides on the language: {src[:200]}"


# ------------------------------------------------------------------ what the Chinese run shows
def _executed(chapter_runs, stem: str, lang: str) -> dict:
    build, outcomes = chapter_runs
    o = outcomes.get((stem, lang))
    if o is None:
        pytest.skip(f"{stem} not selected by $CRMNB_TEST_CHAPTERS")
    assert o.ok, f"{stem} [{lang}] failed in cell {o.cell}: {o.error}"
    return json.loads(o.job.output.read_text(encoding="utf-8"))


def _texts_shown(cell: dict) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            out.append("".join(o.get("text", "")))
        data = o.get("data", {})
        for mime in ("text/markdown", "text/plain"):
            if mime in data:
                out.append("".join(data[mime]) if isinstance(data[mime], list) else data[mime])
                break
    return out


@pytest.mark.notebook
@pytest.mark.parametrize("nb_path", _unconverted(EN), ids=IDS)
def test_chinese_run_shows_no_english_prose(chapter_runs, nb_path: Path):
    if not _zh(nb_path).is_file():
        pytest.skip("no Chinese edition yet")
    nb = _executed(chapter_runs, nb_path.stem, "zh")
    found = []
    for i, c in enumerate(nb["cells"]):
        texts = _texts_shown(c) if c["cell_type"] == "code" else \
            ([] if _is_reference_cell(c) else [_source(c)])
        for text in texts:
            found += [(i, run) for run in english_runs(text)]
    assert not found, f"English in the Chinese run of {nb_path.stem}: {found[:8]}"


def _has_cjk(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


@pytest.mark.notebook
@pytest.mark.parametrize("nb_path", _unconverted(EN), ids=IDS)
def test_chinese_captions_and_headers_are_chinese(chapter_runs, nb_path: Path):
    if not _zh(nb_path).is_file():
        pytest.skip("no Chinese edition yet")
    build, _ = chapter_runs
    nb = _executed(chapter_runs, nb_path.stem, "zh")
    doc = json.loads((build / "results" / "zh" / f"{nb_path.stem}.json").read_text(encoding="utf-8"))
    bad = [n for n, f in doc["figures"].items() if not _has_cjk(f["caption"]) or not f["label"].startswith("图")]
    assert not bad, f"figures with a caption that is not Chinese: {bad}"
    for i, c in enumerate(nb["cells"]):
        for o in c.get("outputs", []):
            html = o.get("data", {}).get("text/html")
            if not html:
                continue
            html = "".join(html) if isinstance(html, list) else html
            heads = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]
            latin = [h for h in heads if h and re.search(r"[A-Za-z]{3,}", strip_allowed(h)) and not _has_cjk(h)]
            assert not latin, f"cell {i}: table headers not in Chinese: {latin[:6]}"


def test_every_widget_label_and_chapter_text_has_chinese():
    bad = [k for k, v in i18n.labels().items()
           if re.match(r"ch\d\d\.(ui|say|fig|ex)\.", k) and not _has_cjk(re.sub(r"\{[^}]*\}", "", v["zh"]))]
    assert not bad, f"chapter texts whose Chinese has no Chinese: {bad[:10]}"


@pytest.mark.notebook
@pytest.mark.parametrize("nb_path", EN, ids=IDS)
def test_both_editions_record_the_same_numbers(chapter_runs, chapter_results, nb_path: Path):
    if (nb_path.stem, "zh") not in chapter_runs[1]:
        pytest.skip(f"{nb_path.stem} not selected by $CRMNB_TEST_CHAPTERS")
    en, zh = chapter_results(nb_path.stem, "en"), chapter_results(nb_path.stem, "zh")
    a = {k: v["value"] for k, v in en["results"].items()}
    b = {k: v["value"] for k, v in zh["results"].items()}
    assert a == b
    assert {k: v.get("lang") for k, v in [("p", en["params"]), ("q", zh["params"])]} == {"p": "en", "q": "zh"}


def test_a_guides_chinese_heading_names_its_file():
    guide = {"cells": [{"cell_type": "markdown", "source": "# 指南　从自己的交易日志到客户终身价值\n\n正文"}]}
    assert sync_zh.zh_name(guide, "90") == "90_从自己的交易日志到客户终身价值.ipynb"
    assert sync_zh.zh_name({"cells": [{"cell_type": "markdown", "source": "# Guide — not yet written"}]}, "90") is None
