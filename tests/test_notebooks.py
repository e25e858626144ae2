"""Every chapter notebook: stored clean, parametrised, executes in en and zh without
errors or missing glyphs, and writes its figures and results."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmbook import runner

NOTEBOOKS = runner.discover()
IDS = [nb.stem for nb in NOTEBOOKS]


def test_there_are_chapters():
    assert any(nb.stem.startswith("02_") for nb in NOTEBOOKS), "reference chapter 02 missing"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=IDS)
def test_notebook_is_stored_clean(nb_path: Path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "crm-notebooks"      # crmbook.kernel (tools/dev.py setup)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"cell {i} has stored outputs"
            assert cell.get("execution_count") is None, f"cell {i} has an execution count"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell must be tagged 'parameters'"
    src = "".join(tagged[0]["source"])
    for name in ("lang", "seed", "small", "build_dir"):
        assert f"\n{name} =" in "\n" + src, f"parameters cell lacks {name!r}"


#: The first screen of every chapter says how to run it, with the menu's own words in each edition.
RUN_LINE = {"en": "*Run → Run All Cells*", "zh": "“运行 → 运行所有单元格”"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_first_cell_says_how_to_run_the_chapter(lang):
    from crmbook.layout import edition_notebooks

    for nb_path in edition_notebooks(lang).values():
        first = json.loads(nb_path.read_text(encoding="utf-8"))["cells"][0]
        lines = "".join(first["source"]).splitlines()
        assert first["cell_type"] == "markdown" and lines[0].startswith("# "), nb_path.name
        assert RUN_LINE[lang] in "\n".join(lines[:4]), f"{nb_path.name}: no run line after the heading"


@pytest.mark.notebook
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=IDS)
def test_notebook_executes(chapter_runs, nb_path: Path, lang: str):
    build, outcomes = chapter_runs
    if (nb_path.stem, lang) not in outcomes:
        pytest.skip(f"{nb_path.stem} not selected by $CRMNB_TEST_CHAPTERS")
    o = outcomes[(nb_path.stem, lang)]
    assert o.ok, f"failed in cell {o.cell}: {o.error}\n{o.source}"
    executed = json.loads(o.job.output.read_text(encoding="utf-8"))
    for i, cell in enumerate(executed["cells"]):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"cell {i} shows an error"
            text = "".join(out.get("text", "")) if out.get("output_type") == "stream" else ""
            for symptom in ("missing from font", "does not have a glyph", "findfont: Font family",
                            "Failed to find font weight"):
                assert symptom not in text, f"cell {i}: font problem ({symptom!r}): {text[:300]}"
            assert "Traceback" not in text, f"cell {i} printed a traceback"
    doc = json.loads((build / "results" / ("" if lang == "en" else lang) / f"{nb_path.stem}.json")
                     .read_text(encoding="utf-8"))
    assert doc["params"]["lang"] == lang and doc["params"]["small"] is True
    assert doc["results"], "the chapter recorded no results"
    assert doc["figures"], "the chapter saved no figures"
    chapter_no = int(nb_path.stem[:2])
    for number, fig in doc["figures"].items():
        assert number.startswith(f"{chapter_no}."), number
        for key in ("png", "svg"):
            f = build / fig[key]
            assert f.is_file() and f.stat().st_size > 1000, f"{f} missing or empty"
            assert f.name.startswith(f"fig-{chapter_no}-"), f.name
    mismatched = [k for k, v in doc["results"].items() if v.get("matches") is False]
    assert not mismatched, f"recorded values differ from their sources: {mismatched}"


@pytest.mark.notebook
def test_two_runs_give_identical_numbers(chapter_runs, tmp_path):
    """Determinism: re-running the reference chapter reproduces every recorded number."""
    build, outcomes = chapter_runs
    if ("02_why_customers_are_lost", "en") not in outcomes:
        pytest.skip("chapter 02 not selected by $CRMNB_TEST_CHAPTERS")
    nb = runner.resolve(["02"])
    out = runner.run_jobs(runner.plan(nb, tmp_path, small=True), workers=1, build_dir=tmp_path, echo=False)
    assert out[0].ok, out[0].error
    a = json.loads((build / "results" / f"{nb[0].stem}.json").read_text(encoding="utf-8"))["results"]
    b = json.loads((tmp_path / "results" / f"{nb[0].stem}.json").read_text(encoding="utf-8"))["results"]
    assert a == b


def test_every_notebook_carries_its_slide_metadata():
    """RISE shows a chapter as slides from the cells' ``slideshow`` metadata (tools/slide_metadata.py)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    nbs = [str(p) for p in sorted(root.glob("notebooks/*.ipynb")) + sorted(root.glob("notebooks/zh/*.ipynb"))]
    r = subprocess.run([sys.executable, str(root / "tools" / "slide_metadata.py"), "--check", *nbs],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    for p in nbs:
        cells = json.loads(Path(p).read_text(encoding="utf-8"))["cells"]
        kinds = [c["metadata"].get("slideshow", {}).get("slide_type") for c in cells]
        assert None not in kinds and kinds.count("slide") >= 3, p


def test_no_comment_opens_a_line_inside_a_paragraph():
    """A Markdown line that starts with ``<!--`` opens an HTML block even inside a paragraph (CommonMark):
    JupyterLab then shows the rest of that line as raw HTML (backticks and emphasis unrendered) and
    breaks the paragraph. Citation comments ``<!-- [@key] -->`` stay on the line of the words they cite."""
    root = Path(__file__).resolve().parents[1]
    bad = []
    for p in sorted(root.glob("notebooks/*.ipynb")) + sorted(root.glob("notebooks/zh/*.ipynb")):
        for i, cell in enumerate(json.loads(p.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] != "markdown":
                continue
            lines = "".join(cell["source"]).split("\n")
            bad += [f"{p.name} cell {i} line {j}: {line[:60]}" for j, line in enumerate(lines)
                    if j and line.lstrip().startswith("<!--") and lines[j - 1].strip()]
    assert not bad, "\n".join(bad)
