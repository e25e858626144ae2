"""A failed run never destroys a good one: runs are staged and promoted only when the whole notebook
succeeded; a failed run keeps its partial output and error in build/failed/ (issue 15 §5)."""
from __future__ import annotations

import io
import json

import nbformat
import pytest

from crmbook import runner
from crmlib import i18n
from crmbook.layout import Layout

i18n.add_labels({"ch97.fig.97.1": {"en": "A figure", "zh": "一张图"},
                 "ch97.fig.97.2": {"en": "Only in the first run", "zh": "只在第一次运行中"}})


def _notebook(path, fail: bool, second_figure: bool):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(f'lang = "en"\nseed = 1\nsmall = False\nbuild_dir = None\nfail = {fail}',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
            "from crmbook import Chapter\nfrom crmlib import i18n\n"
            "i18n.add_labels({'ch97.fig.97.1': {'en': 'A figure', 'zh': '一张图'},"
            " 'ch97.fig.97.2': {'en': 'Only in the first run', 'zh': '只在第一次运行中'}})\n"
            "ch = Chapter('97_staging_test', lang=lang, seed=seed, small=small, build_dir=build_dir, display=False)\n"
            "ch.record('a', 1.0)\nfig, ax = plt.subplots()\nch.figure(fig, '97.1', 'one')"),
    ]
    if second_figure:
        nb.cells.append(nbformat.v4.new_code_cell("fig, ax = plt.subplots()\nch.figure(fig, '97.2', 'two')"))
    nb.cells.append(nbformat.v4.new_code_cell("ch.record('b', 2.0)\nif fail:\n    raise RuntimeError('boom')"))
    nbformat.write(nb, str(path))


@pytest.mark.notebook
def test_a_failed_rerun_leaves_the_previous_complete_output(tmp_path):
    nb = tmp_path / "97_staging_test.ipynb"
    build = tmp_path / "build"
    _notebook(nb, fail=False, second_figure=True)
    ok = runner.run_jobs(runner.plan([nb], build, small=True), workers=1, build_dir=build, echo=False)
    assert ok[0].ok, ok[0].error
    lay = Layout(build)
    good = lay.results("97_staging_test").read_text(encoding="utf-8")
    assert set(json.loads(good)["results"]) == {"a", "b"}
    figs = sorted(p.name for p in lay.figures("97_staging_test").iterdir())
    assert figs == ["fig-97-1-one.png", "fig-97-1-one.svg", "fig-97-2-two.png", "fig-97-2-two.svg"]

    _notebook(nb, fail=True, second_figure=False)
    bad = runner.run_jobs(runner.plan([nb], build, small=True), workers=1, build_dir=build, echo=False)
    assert not bad[0].ok and "boom" in bad[0].error
    # the previous complete output is untouched: results, figures, executed notebook
    assert lay.results("97_staging_test").read_text(encoding="utf-8") == good
    assert sorted(p.name for p in lay.figures("97_staging_test").iterdir()) == figs
    # the failed run's partial output and error are kept apart, and the summary names the place
    failed = lay.failed("97_staging_test")
    assert bad[0].failed_dir == failed and (failed / "error.txt").is_file()
    assert "boom" in (failed / "error.txt").read_text(encoding="utf-8")
    partial = json.loads(Layout(failed).results("97_staging_test").read_text(encoding="utf-8"))
    assert set(partial["results"]) == {"a", "b"}          # saved after each cell, up to the failure
    out = io.StringIO()
    assert runner.summary(bad, out) is False
    assert str(failed) in out.getvalue() and "previous complete output is unchanged" in out.getvalue()
    assert not (build / ".staging").exists() or not any((build / ".staging").iterdir())

    # a complete rerun replaces the output as a whole: the figure it no longer makes is gone
    _notebook(nb, fail=False, second_figure=False)
    again = runner.run_jobs(runner.plan([nb], build, small=True), workers=1, build_dir=build, echo=False)
    assert again[0].ok
    assert sorted(p.name for p in lay.figures("97_staging_test").iterdir()) == ["fig-97-1-one.png",
                                                                                 "fig-97-1-one.svg"]
    assert not failed.exists()                          # the old failure is no longer the news


def test_promote_refuses_a_run_without_results(tmp_path):
    from crmbook.layout import promote

    with pytest.raises(FileNotFoundError, match="wrote no results"):
        promote(Layout(tmp_path / "stage"), Layout(tmp_path / "build"), "97_staging_test", "en")
