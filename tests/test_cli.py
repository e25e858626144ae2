"""The command line checks what it is given before it runs anything (issue 15, section 4).

Every mistake below is reported as one ``error: ...`` line on stderr with exit status 2, and no chapter
is executed: ``runner.run_jobs`` is replaced by a stub that fails the test if it is ever reached.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmbook import cli, runner


@pytest.fixture
def no_run(monkeypatch):
    """Fail the test if the command line gets as far as executing a notebook."""
    def run_jobs(jobs, **kw):
        raise AssertionError(f"the command line ran {len(jobs)} notebook(s) although its arguments were wrong")

    monkeypatch.setattr(runner, "run_jobs", run_jobs)


@pytest.fixture
def planned(monkeypatch):
    """Record the jobs the command line would run, run none of them; returns the list they land in."""
    seen: list[runner.Job] = []

    def run_jobs(jobs, **kw):
        seen.extend(jobs)
        return []

    monkeypatch.setattr(runner, "run_jobs", run_jobs)
    monkeypatch.setattr(runner, "summary", lambda outcomes, stream=None: True)
    return seen


def _one_error_line(capsys) -> str:
    out, err = capsys.readouterr()
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, f"expected one error line, got {len(lines)}:\n{err}"
    assert "Traceback" not in err and "Traceback" not in out
    assert "error:" in lines[0]
    return lines[0]


def test_unknown_parameter_exits_2_listing_the_known_ones(tmp_path, capsys, no_run):
    assert cli.main(["run", "02", "--build", str(tmp_path), "-p", "nonexistent", "1"]) == 2
    line = _one_error_line(capsys)
    assert "'nonexistent'" in line
    for known in ("lang", "seed", "small", "survey_n", "cut_complaints", "cut_communication"):
        assert known in line


def test_unknown_parameter_in_one_of_several_chapters(tmp_path, capsys, no_run):
    # survey_n belongs to chapter 02 only
    assert cli.main(["run", "02", "03", "--build", str(tmp_path), "-p", "survey_n", "900"]) == 2
    line = _one_error_line(capsys)
    assert "03_funnel_probabilities" in line and "'survey_n'" in line and "whatif_n" in line


@pytest.mark.parametrize("chapter, name, text, kind", [
    ("02", "small", "maybe", "true or false"),
    ("02", "small", "1", "true or false"),
    ("02", "survey_n", "abc", "an integer"),
    ("02", "seed", "7.0", "an integer"),
    ("03", "target", "abc", "a number"),
    ("03", "target", "nan", "a number"),
    ("03", "ks", "5", "a list"),
])
def test_value_must_have_the_type_of_the_default(tmp_path, capsys, no_run, chapter, name, text, kind):
    assert cli.main(["run", chapter, "--build", str(tmp_path), "-p", name, text]) == 2
    line = _one_error_line(capsys)
    assert f"'{name}'" in line and kind in line and repr(text) in line


def test_values_are_parsed_to_the_defaults_type(tmp_path, planned):
    assert cli.main(["run", "06", "--build", str(tmp_path), "-p", "customers", "20_000", "-p", "margin", "350",
                     "-p", "retention", "0.9", "-p", "small", "TRUE"]) == 0
    params = planned[0].parameters
    assert params["customers"] == 20000 and type(params["customers"]) is int
    assert params["margin"] == 350.0 and type(params["margin"]) is float   # default 300.0: a float
    assert params["retention"] == 0.9                                    # default None: a JSON literal
    assert params["small"] is True


@pytest.mark.parametrize("jobs", ["0", "-1", "x", "1.5"])
def test_bad_jobs(tmp_path, capsys, no_run, jobs):
    with pytest.raises(SystemExit) as e:
        cli.main(["run", "02", "--build", str(tmp_path), "-j", jobs])
    assert e.value.code == 2
    line = _one_error_line(capsys)
    assert "-j" in line and repr(jobs) in line


@pytest.mark.parametrize("argv", [["run", "02", "-p", "lang", "fr"], ["all", "--langs", "en,fr"]])
def test_unknown_language(tmp_path, capsys, no_run, argv):
    assert cli.main(argv + ["--build", str(tmp_path)]) == 2
    line = _one_error_line(capsys)
    assert "'fr'" in line and "en, zh" in line


def test_unwritable_build_folder(tmp_path, capsys, no_run):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "build"          # cannot be created, not even by root
    assert cli.main(["run", "02", "--build", str(target)]) == 2
    line = _one_error_line(capsys)
    assert str(target) in line


def _notebook(path: Path, cells: list[str]) -> Path:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}",
                     "metadata": {"tags": ["parameters"]} if i == 0 else {}, "outputs": [], "source": src}
                    for i, src in enumerate(cells)],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.mark.notebook
def test_failing_chapter_shows_its_cell_and_error_only(tmp_path, capfd):
    """Only the summary, the failing cell and its error: no traceback, no kernel transport warnings."""
    nb = _notebook(tmp_path / "97_failing.ipynb", [
        'lang = "en"\nsmall = False\nbuild_dir = None\nx = 1',
        "print('an earlier cell that works')",
        "def f(v):\n    raise ValueError(f'boom {v} from the test')\nf(x)"])
    assert cli.main(["run", str(nb), "--build", str(tmp_path / "build"), "-p", "x", "2", "-j", "1"]) == 1
    out, err = capfd.readouterr()
    text = out + err
    assert "FAILED" in text and "raise ValueError(f'boom {v} from the test')" in text
    assert "ValueError: boom 2 from the test" in text
    assert "an earlier cell that works" not in text
    assert "Traceback" not in text
    assert "without encryption" not in text, text
