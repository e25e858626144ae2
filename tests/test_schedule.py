"""The runner's order: a chapter that reads others' results starts once they are done in its edition,
not after every other run; of the runs free to start the longest go first (crmbook.runner.schedule)."""
from __future__ import annotations

import json
import time

import nbformat
import pytest

from crmbook import runner


def _notebook(path, *, needs=(), code="", cells=1):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if needs:
        nb.metadata["crmnb"] = {"needs": list(needs)}
    nb.cells = [nbformat.v4.new_code_cell('lang = "en"\nsmall = False\nstamp = None',
                                          metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(code or "x = 1") for _ in range(cells)]
    nbformat.write(nb, str(path))
    return path


def _jobs(tmp_path, notebooks, langs=("en", "zh")):
    return [runner.Job(nb, tmp_path / "out" / lang / nb.name, {"lang": lang}) for lang in langs for nb in notebooks]


def test_a_chapter_waits_only_for_what_it_needs_in_its_own_edition(tmp_path):
    a = _notebook(tmp_path / "01_a.ipynb")
    b = _notebook(tmp_path / "02_b.ipynb")
    c = _notebook(tmp_path / "03_c.ipynb", needs=["02"])
    jobs = _jobs(tmp_path, [a, b, c])
    order = runner.schedule(jobs)
    assert len(order) == len(jobs)
    by_id = {id(j): j for j in jobs}
    for job, wait_for in order:
        got = sorted((by_id[i].chapter, by_id[i].lang) for i in wait_for)
        assert got == ([("02_b", job.lang)] if job.chapter == "03_c" else []), job
    # the needed chapter comes before everything that needs nothing and is needed by nobody
    names = [(j.chapter, j.lang) for j, _ in order]
    assert names.index(("02_b", "en")) < names.index(("01_a", "en"))


def test_the_longest_runs_free_to_start_go_first(tmp_path):
    short = _notebook(tmp_path / "01_short.ipynb", cells=1)
    long = _notebook(tmp_path / "02_long.ipynb", cells=40)
    order = [(j.chapter, j.lang) for j, _ in runner.schedule(_jobs(tmp_path, [short, long]))]
    assert order[:2] == [("02_long", "en"), ("02_long", "zh")]


def test_chapters_waiting_for_each_other_are_refused_with_their_names(tmp_path):
    a = _notebook(tmp_path / "01_a.ipynb", needs=["02"])
    b = _notebook(tmp_path / "02_b.ipynb", needs=["01"])
    with pytest.raises(ValueError, match=r"wait for each other.*01_a \[en\].*02_b \[en\]"):
        runner.schedule(_jobs(tmp_path, [a, b], langs=("en",)))


def test_a_chapter_needing_itself_or_an_absent_chapter_does_not_wait(tmp_path):
    a = _notebook(tmp_path / "01_a.ipynb", needs=["01", "07"])
    [(job, wait_for)] = runner.schedule(_jobs(tmp_path, [a], langs=("en",)))
    assert wait_for == set()


@pytest.mark.notebook
def test_a_dependent_starts_before_an_unrelated_long_run_ends(tmp_path):
    """Two workers: 01 sleeps; 03 needs only the quick 02, so it runs while 01 still sleeps
    (a barrier after all independent runs would make it wait for 01)."""
    stamp = "import json, time, pathlib\npathlib.Path(stamp).write_text(json.dumps(time.time()))"
    slow = _notebook(tmp_path / "01_slow.ipynb", code="import time\ntime.sleep(8)\n" + stamp, cells=1)
    quick = _notebook(tmp_path / "02_quick.ipynb", code=stamp)
    dep = _notebook(tmp_path / "03_dep.ipynb", needs=["02"], code=stamp)
    jobs = []
    for nb in (slow, quick, dep):
        jobs.append(runner.Job(nb, tmp_path / "out" / nb.name, {"lang": "en", "stamp": str(tmp_path / nb.stem)}))
    start = time.time()
    outcomes = runner.run_jobs(jobs, workers=2, echo=False)
    assert [o.ok for o in outcomes] == [True, True, True], [o.error for o in outcomes]
    ended = {nb.stem: json.loads((tmp_path / nb.stem).read_text()) for nb in (slow, quick, dep)}
    assert ended["02_quick"] < ended["03_dep"] < ended["01_slow"], (ended, start)
