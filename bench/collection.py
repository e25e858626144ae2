"""The collection case: every chapter in small mode, run as the main job runs them, and its floor.

``python bench/collection.py chapters --build DIR`` executes every chapter (en and zh, small
mode) through :func:`crmlib.runner.plan` and :func:`crmlib.runner.run_jobs`, two at a time from
this one process. ``python bench/collection.py floor --build DIR`` executes as many bare kernels
the same way: a generated notebook with the chapters' parameters cell that only imports pandas,
seaborn and statsmodels. The ratio of the two wall times is what the chapters themselves cost
beyond starting kernels and importing the scientific stack. Prints ``BENCH-RESULT {json}``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import nbformat

#: What a bare kernel of the floor does.
FLOOR_SOURCE = "import pandas\nimport seaborn\nimport statsmodels.api"


def floor_notebook(path: Path) -> Path:
    """Write the floor notebook: a ``parameters`` cell like the chapters', then the imports.

    Parameters
    ----------
    path : pathlib.Path
        Where to write the ``.ipynb``.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('lang = "en"\nseed = 0\nsmall = False\nbuild_dir = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(FLOOR_SOURCE)]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def cell_seconds(executed: Path) -> list[tuple[int, float, str]]:
    """(cell index, seconds, first source line) of each code cell papermill timed in ``executed``."""
    try:
        nb = nbformat.read(str(executed), as_version=4)
    except (OSError, ValueError):
        return []
    out = []
    for i, cell in enumerate(nb.cells):
        seconds = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if cell.cell_type == "code" and seconds is not None:
            first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            out.append((i, float(seconds), first[:70]))
    return out


def run(mode: str, build: Path, langs: tuple[str, ...] = ("en", "zh"), workers: int = 2,
        chapters: tuple[str, ...] = ()) -> dict[str, Any]:
    """Execute the chapters (``mode="chapters"``) or the same number of floor kernels (``"floor"``).

    Parameters
    ----------
    mode : {"chapters", "floor"}
        What to execute.
    build : pathlib.Path
        Build folder of this run (executed notebooks, figures, results).
    langs : tuple of str, default ("en", "zh")
        Languages, as the main job runs them.
    workers : int, default 2
        Notebooks at a time, as the main job runs them.
    chapters : tuple of str, default ()
        Chapter selectors (``crmlib.runner.resolve``); empty means every chapter.

    Returns
    -------
    dict
        ``mode``, ``jobs``, ``seconds`` (wall time of planning and running), ``ok`` and
        ``per_job`` (chapter, lang, seconds, ok, error, cells: :func:`cell_seconds`) for every job.
    """
    from crmlib import runner

    if mode not in ("chapters", "floor"):
        raise ValueError(f"mode must be 'chapters' or 'floor', got {mode!r}")
    build = Path(build)
    start = time.perf_counter()
    notebooks = runner.resolve(chapters) if chapters else runner.discover()
    jobs = runner.plan(notebooks, build, langs=langs, small=True)
    if mode == "floor":
        nb = floor_notebook(build / "floor" / "floor.ipynb")
        jobs = [runner.Job(nb, build / "floor" / f"floor-{i:02d}.ipynb", dict(j.parameters))
                for i, j in enumerate(jobs)]
    outcomes = runner.run_jobs(jobs, workers=workers, build_dir=build, echo=False)
    seconds = time.perf_counter() - start
    per_job = [{"chapter": o.job.chapter, "lang": o.job.parameters.get("lang", "en"), "seconds": o.seconds,
                "ok": o.ok, "error": o.error, "cells": cell_seconds(o.job.output)} for o in outcomes]
    return {"mode": mode, "jobs": len(jobs), "seconds": seconds, "ok": all(o.ok for o in outcomes),
            "per_job": per_job}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("chapters", "floor"))
    ap.add_argument("--build", type=Path, required=True)
    ap.add_argument("--langs", default="en,zh")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chapters", default="", help="comma-separated chapter selectors (default: all)")
    args = ap.parse_args(argv)
    langs = tuple(x.strip() for x in args.langs.split(",") if x.strip())
    chapters = tuple(x.strip() for x in args.chapters.split(",") if x.strip())
    result = run(args.mode, args.build, langs, args.workers, chapters)
    print("BENCH-RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
