"""Shared fixtures. The chapters are executed once per test session (small mode,
en and zh, two at a time from this process) and their recorded results handed
to the per-chapter tests (tests/test_chNN_results.py)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")
# property tests draw the same examples in every run (a test run is deterministic like everything else);
# HYPOTHESIS_PROFILE=explore searches afresh while developing
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# the chapter runs try every what-if at every corner of its controls (crmbook.widgets), in the English edition
os.environ.setdefault("CRMNB_WHATIF_CORNERS", "en")

from crmbook import runner  # noqa: E402
from crmbook.results import load_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def selected_notebooks():
    """All chapters, or those named in $CRMNB_TEST_CHAPTERS (e.g. "03,01") while developing one."""
    sel = os.environ.get("CRMNB_TEST_CHAPTERS", "").strip()
    return runner.resolve([s.strip() for s in sel.split(",") if s.strip()]) if sel else runner.discover()


@pytest.fixture(scope="session")
def chapter_runs(tmp_path_factory):
    """Execute every chapter notebook in small mode, en and zh; return (build_dir, outcomes)."""
    build = tmp_path_factory.mktemp("build")
    jobs = runner.plan(selected_notebooks(), build, langs=("en", "zh"), small=True)
    outcomes = runner.run_jobs(jobs, workers=2, build_dir=build, echo=False)
    return build, {(o.job.chapter, o.job.parameters["lang"]): o for o in outcomes}


@pytest.fixture(scope="session")
def chapter_results(chapter_runs):
    """``get(chapter, lang="en") -> dict`` of recorded results; fails with the notebook's error."""
    build, outcomes = chapter_runs

    def get(chapter: str, lang: str = "en") -> dict:
        o = outcomes.get((chapter, lang))
        assert o is not None, f"no notebook run for {chapter!r} [{lang}]"
        assert o.ok, f"{chapter} [{lang}] failed in cell {o.cell}: {o.error}\n{o.source}"
        return load_results(chapter, build, lang)

    return get


def values(doc: dict) -> dict:
    """key -> recorded value."""
    return {k: v["value"] for k, v in doc["results"].items()}


@pytest.fixture(scope="session")
def built_site(chapter_runs):
    """The site (``site/crmsite``, the builder ``python -m crmbook all`` calls) built from the session's
    chapter runs: ``(site_dir, ok)``."""
    import sys

    if str(ROOT / "site") not in sys.path:
        sys.path.insert(0, str(ROOT / "site"))
    import crmsite

    build, _ = chapter_runs
    return build / "site", crmsite.build(build)


@pytest.fixture(scope="session")
def cdnow():
    """CDNOW 1/10th sample summarised for the BTYD models: 39-week calibration ending 1997-09-30,
    holdout to 1998-06-30, time in weeks (days / 7) as in Fader, Hardie & Lee (2005)."""
    from crmlib import datasets

    return datasets.cdnow_summary("cdnow_sample")


def notebook_parameters(prefix: str) -> dict:
    """Literal defaults of chapter ``prefix``'s parameters cell (the English notebook), for tests that
    compare crmlib's stated defaults with a notebook's."""
    import ast
    import json

    from crmbook import runner

    nb_path = runner.resolve([prefix])[0]
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    src = "".join(cell["source"])
    out = {}
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return out


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of datasets/ (without the large CDNOW and synthetic files) that a test may damage."""
    import json
    import shutil

    d = tmp_path / "datasets"
    shutil.copytree(ROOT / "datasets", d, ignore=shutil.ignore_patterns("cdnow", "synthetic"))
    mf = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    mf["datasets"] = {k: v for k, v in mf["datasets"].items() if (d / v["file"]).exists()}
    (d / "manifest.json").write_text(json.dumps(mf), encoding="utf-8")
    monkeypatch.setenv("CRMLIB_DATA_DIR", str(d))
    return d
