"""The collection case: every chapter in small mode, run as the main job runs them, and its floor.

``python bench/collection.py chapters --build DIR`` executes every chapter (en and zh, small
mode) through :func:`crmbook.runner.plan` and :func:`crmbook.runner.run_jobs`, two at a time from
this one process. ``python bench/collection.py floor --build DIR`` executes as many bare kernels
the same way: a generated notebook with the chapters' parameters cell that only imports pandas,
seaborn and statsmodels. The ratio of the two wall times is what the chapters themselves cost
beyond starting kernels and importing the scientific stack. Each chapter run also reports the
seconds its kernel spent saving figures (``build/timings``, written by :meth:`crmbook.Chapter.figure`).
``python bench/collection.py figure`` times saving a trivial one-line figure the same way, the
least any figure can cost. Prints ``BENCH-RESULT {json}``.
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


def figure_seconds(build: Path, chapter: str, lang: str) -> dict[str, float]:
    """Seconds the chapter's kernel spent saving each figure (PNG + SVG), by figure number; {} if none."""
    sub = build / "timings" if lang == "en" else build / "timings" / lang
    try:
        doc = json.loads((sub / f"{chapter}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in doc.get("figure_seconds", {}).items()}


def trivial_figure(repeat: int = 15, lang: str = "en") -> dict[str, Any]:
    """Median seconds :meth:`crmbook.Chapter.figure` takes to save a one-line, one-axes figure.

    The least a figure of the chapters can cost: the same style, dpi and files (PNG + SVG).
    """
    import tempfile

    import matplotlib
    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from crmbook import Chapter
    from crmlib import i18n

    i18n.add_labels({"ch09.fig.9.1": {"en": "A trivial figure.", "zh": "一张简单的图。"}})
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        ch = Chapter("09_bench_figure", lang=lang, build_dir=tmp, display=False)
        ch.apply_style()
        for i in range(repeat + 1):
            fig, ax = plt.subplots()
            ax.plot([0, 1, 2], [0, 1, 4])
            ax.set(title="title", xlabel="x", ylabel="y")
            start = time.perf_counter()
            ch.figure(fig, "9.1", "trivial")
            if i:  # the first one pays for font loading
                times.append(time.perf_counter() - start)
    times.sort()
    return {"mode": "figure", "repeat": repeat, "seconds": times[len(times) // 2]}


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
        Chapter selectors (``crmbook.runner.resolve``); empty means every chapter.

    Returns
    -------
    dict
        ``mode``, ``jobs``, ``seconds`` (wall time of planning and running), ``ok`` and
        ``per_job`` (chapter, lang, seconds, ok, error, cells: :func:`cell_seconds`) for every job.
    """
    from crmbook import runner

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
                "ok": o.ok, "error": o.error, "cells": cell_seconds(o.job.output),
                "figure_seconds": figure_seconds(build, o.job.chapter, o.job.parameters.get("lang", "en"))}
               for o in outcomes]
    return {"mode": mode, "jobs": len(jobs), "seconds": seconds, "ok": all(o.ok for o in outcomes),
            "per_job": per_job}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("chapters", "floor", "figure"))
    ap.add_argument("--build", type=Path, help="build folder (chapters, floor)")
    ap.add_argument("--langs", default="en,zh")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chapters", default="", help="comma-separated chapter selectors (default: all)")
    args = ap.parse_args(argv)
    langs = tuple(x.strip() for x in args.langs.split(",") if x.strip())
    chapters = tuple(x.strip() for x in args.chapters.split(",") if x.strip())
    if args.mode == "figure":
        result = trivial_figure()
    elif args.build is None:
        ap.error(f"{args.mode} needs --build")
    else:
        result = run(args.mode, args.build, langs, args.workers, chapters)
    print("BENCH-RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
