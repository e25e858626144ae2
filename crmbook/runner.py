"""Execute the chapter notebooks with papermill, two at a time, from one process.

Papermill's own import costs about 2 s, so the runner imports it once and
executes notebooks on worker threads (each with its own kernel). Each edition
runs from its own notebooks (``notebooks/`` in English, ``notebooks/zh/`` in
Chinese, see :mod:`crmbook.layout`).

Every run writes into a private staging folder. Only when the whole notebook
succeeded does its output (results, figures, timings, executed copy) replace
the previous one in the build folder; a failed run leaves the previous complete
output untouched and keeps its partial output and error under
``build/failed/[<lang>/]<chapter>/``, which the summary names. Chapters that
read other chapters' results (notebook metadata ``crmnb.needs``) start as soon
as those chapters of the same edition have finished; of the runs free to start,
the longest go first (:func:`schedule`), so the workers finish together.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from crmlib.i18n import LANGS, check_lang
from .layout import NOTEBOOK_DIR, ROOT, Layout, chapter_notebook, promote

__all__ = ["ROOT", "NOTEBOOK_DIR", "Job", "Outcome", "discover", "resolve", "plan", "run_jobs", "summary",
           "needs", "schedule", "default_kernel"]


@dataclass
class Job:
    """One notebook to execute with some parameters.

    ``build`` is the main build folder the run's output is promoted into (None: the
    notebook writes where its ``build_dir`` parameter says, without staging). ``chapter_id`` is the
    chapter's id, the English notebook's stem, under which every edition's output is filed (a
    Chinese notebook has a Chinese name); empty: the notebook's own stem.
    """

    notebook: Path
    output: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    build: Path | None = None
    chapter_id: str = ""

    @property
    def chapter(self) -> str:
        """The chapter's id: the English notebook's stem (``02_why_customers_are_lost``), in every edition."""
        return self.chapter_id or self.notebook.stem

    @property
    def lang(self) -> str:
        """The edition the job runs (its ``lang`` parameter; ``"en"`` unless set)."""
        return self.parameters.get("lang", "en")


@dataclass
class Outcome:
    """What happened to a :class:`Job`."""

    job: Job
    seconds: float
    ok: bool
    cell: int | None = None
    source: str = ""
    error: str = ""
    failed_dir: Path | None = None


def discover(notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """Chapter notebooks (``NN_name.ipynb``) in order.

    Parameters
    ----------
    notebook_dir : Path
        An edition's notebook folder.

    Returns
    -------
    list of Path
    """
    return sorted(p for p in Path(notebook_dir).glob("[0-9][0-9]_*.ipynb"))


def resolve(selectors: Iterable[str], notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """Map chapter selectors ("02", "02_why_customers_are_lost", a path) to notebooks.

    Parameters
    ----------
    selectors : iterable of str
        Chapter numbers (``"02"``), notebook stems or paths.
    notebook_dir : Path

    Returns
    -------
    list of Path
    """
    found = discover(notebook_dir)
    out: list[Path] = []
    for sel in selectors:
        p = Path(sel)
        if p.suffix == ".ipynb" and p.is_file():
            out.append(p.resolve())
            continue
        hits = [nb for nb in found if nb.stem == sel or nb.stem.startswith(f"{sel}_") or nb.stem[:2] == sel]
        if len(hits) != 1:
            names = ", ".join(nb.stem for nb in found)
            raise ValueError(f"chapter {sel!r} matches {len(hits)} notebooks; chapters are: {names}")
        out.append(hits[0])
    return out


def _failure(exc: BaseException) -> tuple[int | None, str, str]:
    """Cell number, cell source and error text of a papermill failure."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return exc.cell_index, exc.source, f"{exc.ename}: {exc.evalue}"
    return None, "", "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _kernel_config() -> Any:
    """Kernel manager config: CurveZMQ-encrypted kernel sockets where pyzmq has CURVE.

    Unencrypted TCP makes every kernel print "Kernel is running over TCP without encryption";
    with keys provisioned by the kernel manager the traffic is encrypted and the kernel is quiet.
    """
    import zmq
    from traitlets.config import Config

    return Config({"KernelManager": {"transport_encryption": "auto"}}) if zmq.has("curve") else Config()


def default_kernel() -> str:
    """The kernel the chapters run on: the project's ``crm-notebooks`` (:mod:`crmbook.kernel`, which the
    notebooks name) when it is installed in this environment, else ``python3``.

    Returns
    -------
    str
    """
    from .kernel import KERNEL_NAME

    try:
        from jupyter_client.kernelspec import KernelSpecManager

        if KERNEL_NAME in KernelSpecManager().find_kernel_specs():
            return KERNEL_NAME
    except Exception:  # noqa: BLE001 - no kernel specs readable: the default kernel still runs the chapters
        pass
    return "python3"


def needs(notebook: Path) -> list[str]:
    """Chapters whose results ``notebook`` reads (its metadata ``crmnb.needs``, e.g. ``["02", "05"]``).

    Parameters
    ----------
    notebook : Path

    Returns
    -------
    list of str
    """
    return _needs_of(json.loads(Path(notebook).read_text(encoding="utf-8")), notebook)


def _needs_of(doc: dict[str, Any], notebook: Path) -> list[str]:
    """:func:`needs` of the parsed notebook ``doc``."""
    got = doc.get("metadata", {}).get("crmnb", {}).get("needs", [])
    if not isinstance(got, list) or not all(isinstance(x, str) for x in got):
        raise ValueError(f"{notebook}: metadata crmnb.needs must be a list of chapter numbers, got {got!r}")
    return got


def _execute(job: Job, kernel: str) -> Outcome:
    import papermill as pm

    params = dict(job.parameters)
    stage = None
    if job.build is not None:
        stage = Layout(job.build).staging(job.chapter, job.lang)
        if stage.exists():
            shutil.rmtree(stage)
        stage.mkdir(parents=True)
        params["build_dir"] = str(stage)
        executed = Layout(stage).executed(job.chapter, job.lang)
    else:
        executed = job.output
    executed.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        # shutdown_kernel="immediate": once the last cell has replied, every output and file is
        # written; a graceful shutdown adds ~1-1.5 s per notebook (interrupt, then the kernel's
        # interpreter teardown): 12 bare kernels two at a time took 35.9 s with it, 23.2 s without.
        pm.execute_notebook(str(job.notebook), str(executed), parameters=params,
                            kernel_name=kernel, cwd=str(job.notebook.parent), progress_bar=False,
                            log_output=False, request_save_on_cell_execute=False,
                            shutdown_kernel="immediate", config=_kernel_config())
    except Exception as exc:  # noqa: BLE001 - every failure is reported in the summary
        cell, src, err = _failure(exc)
        failed = None
        if stage is not None:
            failed = Layout(job.build).failed(job.chapter, job.lang)
            if failed.exists():
                shutil.rmtree(failed)
            failed.parent.mkdir(parents=True, exist_ok=True)
            stage.rename(failed)
            (failed / "error.txt").write_text(
                f"{job.chapter} [{job.lang}] failed" + (f" in cell {cell}" if cell is not None else "")
                + f"\n\n{src}\n\n{err}\n", encoding="utf-8")
        return Outcome(job, time.perf_counter() - start, False, cell, src, err, failed)
    if stage is not None:
        try:
            promote(Layout(stage), Layout(job.build), job.chapter, job.lang)
        except FileNotFoundError as err:
            return Outcome(job, time.perf_counter() - start, False, None, "", str(err))
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        # an earlier failure of this chapter is no longer the news
        shutil.rmtree(Layout(job.build).failed(job.chapter, job.lang), ignore_errors=True)
    return Outcome(job, time.perf_counter() - start, True)


def run_jobs(jobs: list[Job], workers: int = 2, kernel: str | None = None, build_dir: Path | None = None,
             echo: bool = True) -> list[Outcome]:
    """Execute ``jobs`` on ``workers`` threads; return outcomes in job order.

    Parameters
    ----------
    jobs : list of Job
    workers : int
        Notebooks at a time (>= 1).
    kernel : str, optional
        Jupyter kernel name (default: :func:`default_kernel`).
    build_dir : Path, optional
        The main build folder (where chapters read other chapters' results).
    echo : bool
        Print one line per finished run.

    Returns
    -------
    list of Outcome
        In job order.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    kernel = kernel or default_kernel()
    os.environ["CRMNB_HEADLESS"] = "1"
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if build_dir is not None:
        # where chapters read other chapters' complete results (they write to their staging folder)
        os.environ["CRMNB_BUILD_DIR"] = str(build_dir)
    import papermill  # noqa: F401  - import once, before the threads start

    def run(job: Job) -> Outcome:
        o = _execute(job, kernel)
        if echo:
            lang = job.parameters.get("lang", "en")
            print(f"  {'ok    ' if o.ok else 'FAILED'} {job.chapter} [{lang}] {o.seconds:5.1f} s", flush=True)
        return o

    waiting = schedule(jobs)   # (job, what it waits for), in the order to start them
    done: dict[int, Outcome] = {}
    running: dict[Any, Job] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while waiting or running:
            for entry in [e for e in waiting if e[1] <= done.keys()][:workers - len(running)]:
                waiting.remove(entry)
                running[pool.submit(run, entry[0])] = entry[0]
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                done[id(running.pop(fut))] = fut.result()
    return [done[id(j)] for j in jobs]


def _code_size(doc: dict[str, Any]) -> int:
    """How long a notebook may take to run, in arbitrary units: the characters of its code cells."""
    return sum(len("".join(c.get("source", ""))) for c in doc.get("cells", []) if c.get("cell_type") == "code")


def schedule(jobs: list[Job]) -> list[tuple[Job, set[int]]]:
    """The order to start ``jobs`` in, and what each must wait for.

    A job waits for the jobs of the same edition whose chapters its notebook
    ``needs`` (a needed chapter that is not among ``jobs`` is read from the build
    folder as it is). Of the jobs free to start, those others wait for go first,
    then the longest (estimated by the size of their code): two workers then end
    together instead of one of them idling while the other runs the last long chapter.

    Parameters
    ----------
    jobs : list of Job

    Returns
    -------
    list of (Job, set of int)
        In the order to try starting them: each job and the ``id()`` of the jobs it waits for.

    Raises
    ------
    ValueError
        Chapters that wait for each other (a cycle in ``crmnb.needs``).
    """
    deps: dict[int, set[int]] = {}
    est: dict[int, int] = {}
    for j in jobs:
        doc = json.loads(Path(j.notebook).read_text(encoding="utf-8"))   # each notebook read once
        want = set(_needs_of(doc, j.notebook)) - {j.chapter[:2]}
        deps[id(j)] = {id(k) for k in jobs if k.lang == j.lang and k.chapter[:2] in want and k is not j}
        est[id(j)] = _code_size(doc)
    # how many jobs wait for each one: a job others need is started early
    blocking = {id(j): sum(id(j) in d for d in deps.values()) for j in jobs}
    seen: set[int] = set()
    stack: set[int] = set()

    def visit(i: int) -> None:
        if i in stack:
            names = sorted(f"{k.chapter} [{k.lang}]" for k in jobs if id(k) in stack)
            raise ValueError(f"chapters wait for each other's results (crmnb.needs): {', '.join(names)}")
        if i in seen:
            return
        stack.add(i)
        for d in deps[i]:
            visit(d)
        stack.discard(i)
        seen.add(i)

    for j in jobs:
        visit(id(j))
    ranked = sorted(jobs, key=lambda j: (0 if blocking[id(j)] else 1, -est[id(j)]))
    return [(j, deps[id(j)]) for j in ranked]


def summary(outcomes: list[Outcome], stream: Any = None) -> bool:
    """Print the chapter / seconds / status table and each failure's cell; True if all ok.

    Parameters
    ----------
    outcomes : list of Outcome
    stream : file, optional
        Where to print (default: standard output).

    Returns
    -------
    bool
        True if every run succeeded.
    """
    stream = stream or sys.stdout
    w = max([len(o.job.chapter) for o in outcomes] + [7])
    print(f"\n{'chapter':<{w}}  lang  seconds  status", file=stream)
    print(f"{'-' * w}  ----  -------  ------", file=stream)
    for o in outcomes:
        lang = o.job.parameters.get("lang", "en")
        print(f"{o.job.chapter:<{w}}  {lang:<4}  {o.seconds:7.1f}  {'ok' if o.ok else 'FAILED'}", file=stream)
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        where = o.failed_dir if o.failed_dir is not None else o.job.output
        print(f"\n--- {o.job.chapter} [{o.job.parameters.get('lang', 'en')}] failed"
              + (f" in cell {o.cell}" if o.cell is not None else "")
              + f"; its partial output and error are in {where}; the previous complete output is unchanged",
              file=stream)
        if o.source:
            print("    " + "\n    ".join(o.source.strip().splitlines()[-12:]), file=stream)
        print(f">>> {o.error}", file=stream)
    total = sum(o.seconds for o in outcomes)
    print(f"\n{len(outcomes) - len(failed)} of {len(outcomes)} notebook runs ok "
          f"({total:.1f} s of kernel time)", file=stream)
    return not failed


def plan(notebooks: list[Path], build_dir: Path, langs: Iterable[str] = ("en",), small: bool = False,
         extra: dict[str, Any] | None = None) -> list[Job]:
    """One job per notebook and language; each edition runs from its own notebook.

    Parameters
    ----------
    notebooks : list of Path
        English chapter notebooks (``notebooks/NN_*.ipynb``); for another language the
        notebook of the same chapter in that edition's folder is run (``notebooks/zh/NN_<标题>.ipynb``).
    build_dir : Path
        The build folder the runs' output is promoted into.
    langs : iterable of str
        Editions to run.
    small : bool
        Small mode.
    extra : dict, optional
        More notebook parameters.

    Returns
    -------
    list of Job


    Raises
    ------
    ValueError
        An unknown language.
    FileNotFoundError
        An edition lacks one of the notebooks.
    """
    jobs = []
    build_dir = Path(build_dir)
    for lang in langs:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
        for nb in notebooks:
            nb = Path(nb)
            src = nb if lang == "en" else _edition_notebook(nb, lang)
            params = {"lang": lang, "small": small, **(extra or {})}
            jobs.append(Job(src, Layout(build_dir).executed(nb.stem, lang), params, build=build_dir,
                            chapter_id=nb.stem))
    return jobs


def _edition_notebook(nb: Path, lang: str) -> Path:
    """The ``lang`` edition of English notebook ``nb``: the notebook of the same chapter number in the
    edition's folder (it is named in its own language, :func:`crmbook.layout.edition_notebooks`). A
    notebook outside the collection has none unless its folder holds ``<lang>/<same name>``: it runs
    as it is, with ``lang`` as its parameter."""
    check_lang(lang)
    home = nb.resolve().parent
    if home != NOTEBOOK_DIR.resolve():
        cand = home / lang / nb.name
        return cand if cand.is_file() else nb
    return chapter_notebook(nb.stem, lang)
