"""Execute the chapter notebooks with papermill, two at a time, from one process.

Papermill's own import costs about 2 s, so the runner imports it once and
executes notebooks on worker threads (each with its own kernel). Every
chapter writes its executed notebook, its figures and its recorded results
under the build folder; a summary table closes the run.
"""
from __future__ import annotations

import os
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .i18n import LANGS

__all__ = ["ROOT", "NOTEBOOK_DIR", "Job", "Outcome", "discover", "resolve", "plan", "run_jobs", "summary"]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"


@dataclass
class Job:
    """One notebook to execute with some parameters."""

    notebook: Path
    output: Path
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def chapter(self) -> str:
        return self.notebook.stem


@dataclass
class Outcome:
    """What happened to a :class:`Job`."""

    job: Job
    seconds: float
    ok: bool
    cell: int | None = None
    source: str = ""
    error: str = ""


def discover(notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """Chapter notebooks (``NN_name.ipynb``) in order."""
    return sorted(p for p in Path(notebook_dir).glob("[0-9][0-9]_*.ipynb"))


def resolve(selectors: Iterable[str], notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """Map chapter selectors ("02", "02_why_customers_are_lost", a path) to notebooks."""
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


def _execute(job: Job, kernel: str) -> Outcome:
    import papermill as pm

    job.output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        # shutdown_kernel="immediate": once the last cell has replied, every output and file is
        # written; a graceful shutdown adds ~1-1.5 s per notebook (interrupt, then the kernel's
        # interpreter teardown): 12 bare kernels two at a time took 35.9 s with it, 23.2 s without.
        pm.execute_notebook(str(job.notebook), str(job.output), parameters=job.parameters,
                            kernel_name=kernel, cwd=str(job.notebook.parent), progress_bar=False,
                            log_output=False, request_save_on_cell_execute=False,
                            shutdown_kernel="immediate", config=_kernel_config())
    except Exception as exc:  # noqa: BLE001 - every failure is reported in the summary
        cell, src, err = _failure(exc)
        return Outcome(job, time.perf_counter() - start, False, cell, src, err)
    return Outcome(job, time.perf_counter() - start, True)


def run_jobs(jobs: list[Job], workers: int = 2, kernel: str = "python3", build_dir: Path | None = None,
             echo: bool = True) -> list[Outcome]:
    """Execute ``jobs`` on ``workers`` threads; return outcomes in job order."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    os.environ["CRMNB_HEADLESS"] = "1"
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if build_dir is not None:
        os.environ["CRMNB_BUILD_DIR"] = str(build_dir)
    import papermill  # noqa: F401  - import once, before the threads start

    def run(job: Job) -> Outcome:
        o = _execute(job, kernel)
        if echo:
            lang = job.parameters.get("lang", "en")
            print(f"  {'ok    ' if o.ok else 'FAILED'} {job.chapter} [{lang}] {o.seconds:5.1f} s", flush=True)
        return o

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, jobs))


def summary(outcomes: list[Outcome], stream: Any = None) -> bool:
    """Print the chapter / seconds / status table and each failure's cell; True if all ok."""
    stream = stream or sys.stdout
    w = max([len(o.job.chapter) for o in outcomes] + [7])
    print(f"\n{'chapter':<{w}}  lang  seconds  status", file=stream)
    print(f"{'-' * w}  ----  -------  ------", file=stream)
    for o in outcomes:
        lang = o.job.parameters.get("lang", "en")
        print(f"{o.job.chapter:<{w}}  {lang:<4}  {o.seconds:7.1f}  {'ok' if o.ok else 'FAILED'}", file=stream)
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        print(f"\n--- {o.job.chapter} [{o.job.parameters.get('lang', 'en')}] failed"
              + (f" in cell {o.cell}" if o.cell is not None else "") + f" (executed copy: {o.job.output})",
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
    """One job per notebook and language, writing under ``build_dir/notebooks[/<lang>]``."""
    jobs = []
    for lang in langs:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
        out_dir = build_dir / "notebooks" if lang == "en" else build_dir / "notebooks" / lang
        for nb in notebooks:
            params = {"lang": lang, "small": small, "build_dir": str(build_dir), **(extra or {})}
            jobs.append(Job(nb, out_dir / nb.name, params))
    return jobs
