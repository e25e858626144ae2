"""The runner and the command line: chapter selection, parameters, failure reports."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from crmbook import cli, runner


def test_resolve_by_number_stem_and_errors():
    nb = runner.resolve(["02"])[0]
    assert nb.name == "02_why_customers_are_lost.ipynb"
    assert runner.resolve(["02_why_customers_are_lost"]) == [nb]
    with pytest.raises(ValueError, match="chapter '99' matches 0 notebooks"):
        runner.resolve(["99"])


def test_plan_puts_languages_apart(tmp_path):
    jobs = runner.plan(runner.resolve(["02"]), tmp_path, langs=("en", "zh"), small=True, extra={"seed": 7})
    assert [j.output for j in jobs] == [tmp_path / "notebooks" / "02_why_customers_are_lost.ipynb",
                                        tmp_path / "notebooks" / "zh" / "02_why_customers_are_lost.ipynb"]
    assert jobs[1].parameters == {"lang": "zh", "small": True, "seed": 7}
    assert all(j.build == tmp_path for j in jobs)     # each run is staged, then promoted into tmp_path
    with pytest.raises(ValueError, match="lang must be one of"):
        runner.plan(runner.resolve(["02"]), tmp_path, langs=("fr",))


@pytest.mark.parametrize("text, value", [("zh", "zh"), ("7", 7), ("0.5", 0.5), ("true", True), ("True", True),
                                         ("[1, 2]", [1, 2]), ("hello world", "hello world")])
def test_parameter_values(text, value):
    assert cli.parse_value(text) == value


def _failing_notebook(path: Path) -> Path:
    nb = {"cells": [
        {"cell_type": "code", "execution_count": None, "id": "p", "metadata": {"tags": ["parameters"]},
         "outputs": [], "source": "x = 1"},
        {"cell_type": "code", "execution_count": None, "id": "b", "metadata": {}, "outputs": [],
         "source": "raise ValueError('boom from the test')"}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.mark.notebook
def test_failure_is_reported_with_cell_and_error(tmp_path):
    nb = _failing_notebook(tmp_path / "98_failing.ipynb")
    out = runner.run_jobs([runner.Job(nb, tmp_path / "out" / nb.name, {"x": 2})], workers=1, echo=False)
    assert not out[0].ok and "ValueError: boom from the test" in out[0].error
    buf = io.StringIO()
    assert runner.summary(out, buf) is False
    text = buf.getvalue()
    assert "FAILED" in text and "raise ValueError('boom from the test')" in text and "0 of 1" in text


def test_cli_rejects_unknown_chapter(capsys):
    assert cli.main(["run", "99", "--build", "/tmp/crmnb-unused"]) == 2
    assert "matches 0 notebooks" in capsys.readouterr().err


def test_each_edition_runs_from_its_own_notebooks(tmp_path):
    from crmbook.layout import NOTEBOOK_DIR

    jobs = runner.plan(runner.resolve(["02"]), tmp_path, langs=("en", "zh"))
    assert jobs[0].notebook == NOTEBOOK_DIR / "02_why_customers_are_lost.ipynb"
    assert jobs[1].notebook == NOTEBOOK_DIR / "zh" / "02_客户为什么会流失.ipynb"     # named in its own language
    assert jobs[1].chapter == "02_why_customers_are_lost"                              # filed under the chapter's id
    ghost = NOTEBOOK_DIR / "99_no_such_chapter.ipynb"
    with pytest.raises(FileNotFoundError, match="zh edition has no"):
        runner._edition_notebook(ghost, "zh")
