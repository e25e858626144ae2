"""Benchmarks: crmlib against lifetimes 0.11.3, and the collection against its floor.

``make bench`` (``python3 tools/dev.py bench``) runs this file with the project's interpreter.
It creates ``.venv-bench/`` (lifetimes 0.11.3 with the same numpy/pandas/scipy as the project,
setuptools<81 for its ``pkg_resources``, and the sampling profiler py-spy), then:

1. **rfm** -- a seeded synthetic log (1,000,000 transactions, 100,000 customers, two years of
   daily periods): ``crmlib.clv.rfm.summarize`` vs lifetimes' ``summary_data_from_transaction_data``,
   each measurement in a fresh process (peak RSS around the first call; wall time the median of
   the warm calls after it, and the first call's time too), and the check that both summaries
   are the same; then 10,000,000 rows (1,000,000 customers) with crmlib alone (one cold call).
2. **fits** -- BG/NBD, Pareto/NBD and Gamma-Gamma on the CDNOW 1/10th sample (2,357 customers,
   39-week calibration to 1997-09-30): warm wall time and the largest parameter difference.
3. **scaling** -- BG/NBD, Pareto/NBD and MBG/NBD at 10^4, 10^5 and 10^6 customers simulated by
   ``crmlib.clv.btyd.simulate_bgnbd`` (``bench/scaling.py``): crmlib vs lifetimes, wall time, the largest
   relative parameter difference to lifetimes run to a tight tolerance, peak memory; lifetimes runs
   capped at ``--scale-cap`` seconds (10 minutes), and not run for Pareto/NBD and MBG/NBD above 10^5
   customers, where the Pareto/NBD fit is timed against crmlib's own BG/NBD fit instead.
4. **collection** -- every chapter in small mode (en and zh, two at a time, one process, as the
   main job runs them) against the floor: as many bare kernels importing pandas, seaborn and
   statsmodels, through the same runner.
5. **scale** -- ``bench/scale.py``: the RFM summary from seeded Parquet logs written in chunks under
   ``build/bench/scale/``: 10,000,000 rows with pandas, with DuckDB (memory limit 1 GB) and with
   PySpark in local mode (installed into ``.venv-bench`` with Java 17), checking DuckDB = pandas and
   Spark = DuckDB; then 100,000,000 rows with DuckDB alone (``--scale-rows``), wall time and peak RSS.

Each case runs ``--repeat`` times and the median is reported. Results go to
``build/bench/results.json`` and ``build/bench/results.md``; every ratio is printed, and every
missed target is listed under MISSED. ``--profile`` runs py-spy on what missed its target.
The exit status is 1 when a case could not run or an answer differs from the reference
(and, with ``--strict``, when a target is missed).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import venv
from collections import Counter
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench import compare, scaling, synth  # noqa: E402
from bench import scale as scale_bench  # noqa: E402  (DuckDB / Spark RFM, issue 18 §3)
from bench.compare import Target  # noqa: E402

BENCH_VENV = Path(os.environ.get("CRMNB_BENCH_VENV", ROOT / ".venv-bench"))
BENCH_PY = BENCH_VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
OUT = ROOT / "build" / "bench"
REFERENCE = ["lifetimes==0.11.3", "setuptools<81"]  # setuptools: lifetimes.datasets imports pkg_resources
PROFILERS = ["py-spy"]  # sampling profiler with line numbers; --profile uses it
SHARED_STACK = ("numpy", "pandas", "scipy")  # pinned to the project's versions for a fair comparison
CDNOW_END = "1997-09-30"  # end of the 39-week calibration period of Fader, Hardie & Lee (2005)
MODELS = {"bgnbd": "BG/NBD", "pareto": "Pareto/NBD", "mbgnbd": "MBG/NBD", "gg": "Gamma-Gamma"}
# lifetimes fits Pareto/NBD by Nelder-Mead from a random start with tol 1e-4, so its answer moves by
# about 1e-3 between runs: the parameter check uses the reference run to convergence (untimed) and
# also reports the difference to the default run.
LOOSE = ("pareto",)
CONVERGED_TOL = 1e-8
CASES = ("rfm", "fits", "scaling", "collection", "scale")
#: RFM summary calls timed after the first in each process (their median is the time reported).
RFM_WARM_CALLS = 3


class BenchError(RuntimeError):
    """A measurement could not be taken (the message says why)."""


# --- environments ------------------------------------------------------------------------------

def _pip(py: Path, *reqs: str) -> int:
    cmd = [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q", *reqs]
    print("+", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def ensure_bench_venv() -> dict[str, Any]:
    """Create or update ``.venv-bench`` with the reference library and the profilers.

    Returns
    -------
    dict
        ``python`` (path), ``pinned`` (requirements pinning the shared stack, empty if the
        pinned install failed and the unpinned one was used) and ``profilers`` (bool).
    """
    pins = []
    for name in SHARED_STACK:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    want = REFERENCE + pins + PROFILERS
    stamp = BENCH_VENV / ".crmnb-bench-installed"
    digest = hashlib.sha256("\n".join(want).encode()).hexdigest()
    if stamp.exists() and BENCH_PY.exists():
        info = json.loads(stamp.read_text())
        if info.get("digest") == digest:
            return info
    if not BENCH_PY.exists():
        print(f"Creating the reference environment {BENCH_VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(BENCH_VENV)
    if _pip(BENCH_PY, *REFERENCE, *pins) != 0:
        print("Installing lifetimes beside the project's exact numpy/pandas/scipy failed; "
              "trying without pinning them (the comparison is then across library versions).", flush=True)
        pins = []
        if _pip(BENCH_PY, *REFERENCE) != 0:
            raise BenchError(f"could not install {' '.join(REFERENCE)} into {BENCH_VENV}")
    profilers = _pip(BENCH_PY, *PROFILERS) == 0
    if not profilers:
        print("py-spy could not be installed: --profile will not work.", flush=True)
    info = {"digest": digest, "python": str(BENCH_PY), "pinned": pins, "profilers": profilers}
    stamp.write_text(json.dumps(info))
    return info


def versions(py: Path, names: tuple[str, ...]) -> dict[str, str]:
    """Installed versions of ``names`` in the environment of interpreter ``py``."""
    code = ("import json, importlib.metadata as m\nout = {}\nfor n in %r:\n    try: out[n] = m.version(n)\n"
            "    except m.PackageNotFoundError: out[n] = None\nprint(json.dumps(out))" % (names,))
    return json.loads(subprocess.run([str(py), "-c", code], capture_output=True, text=True, check=True).stdout)


# --- measurements ------------------------------------------------------------------------------

def measure(py: Path | str, script: str, *args: Any, timeout: float = 3600) -> dict[str, Any]:
    """Run ``bench/<script>`` in a fresh process and return its ``BENCH-RESULT`` JSON."""
    cmd = [str(py), str(HERE / script), *(str(a) for a in args)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"timed out after {timeout:.0f} s: {' '.join(cmd)}") from exc
    for line in p.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):])
    tail = "\n".join((p.stderr or p.stdout).strip().splitlines()[-6:])
    raise BenchError(f"{' '.join(cmd[1:3])} exited {p.returncode}:\n{tail}")


def median(xs: list[float]) -> float:
    """Median as a float."""
    return float(statistics.median(xs))


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median wall time, peak RSS and peak RSS above the loaded input of repeated RFM measurements."""
    return {"seconds": median([r["seconds"] for r in runs]),
            "cold_seconds": median([r.get("cold_seconds", r["seconds"]) for r in runs]),
            "peak_rss_mb": median([r["peak_rss_mb"] for r in runs]),
            "call_rss_mb": median([r["peak_rss_mb"] - r["base_rss_mb"] for r in runs]),
            "all_seconds": [r["seconds"] for r in runs]}


def case_rfm(args: argparse.Namespace) -> dict[str, Any]:
    """Synthetic RFM summary: crmlib vs lifetimes, then the large log with crmlib alone."""
    res: dict[str, Any] = {"rows": args.rows, "customers": args.customers, "days": args.days, "seed": args.seed}
    end = str(synth.observation_end(args.days))[:10]
    data = synth.save(synth.transactions(args.rows, args.customers, args.days, args.seed),
                      OUT / "data" / f"rfm-{args.rows}")
    runs: dict[str, list[dict]] = {"crmlib": [], "lifetimes": []}
    errors: dict[str, str] = {}
    py = {"crmlib": sys.executable, "lifetimes": BENCH_PY}
    for rep in range(args.repeat):
        order = ("crmlib", "lifetimes") if rep % 2 == 0 else ("lifetimes", "crmlib")
        for impl in order:
            if impl in errors:
                continue
            out = ["--out", OUT / "data" / f"summary-{impl}"] if rep == 0 else []
            try:
                runs[impl].append(measure(py[impl], "worker.py", "rfm", "--impl", impl, "--data", data,
                                          "--end", end, "--warm", RFM_WARM_CALLS, *out))
            except BenchError as exc:
                errors[impl] = str(exc)
            print(f"  rfm {impl:9s} rep {rep + 1}: "
                  + (f"{runs[impl][-1]['seconds']:.3f} s" if impl not in errors else "FAILED"), flush=True)
    for impl in runs:
        if runs[impl]:
            res[impl] = _medians(runs[impl])
    res["errors"] = errors
    if not errors:
        res["check"] = compare.compare_summaries(compare.load_summary(OUT / "data" / "summary-crmlib"),
                                                 compare.load_summary(OUT / "data" / "summary-lifetimes"))
        res["speedup"] = res["lifetimes"]["seconds"] / res["crmlib"]["seconds"]
    shutil.rmtree(data, ignore_errors=True)

    if args.big_rows and "crmlib" not in errors:
        big = synth.save(synth.transactions(args.big_rows, args.big_customers, args.days, args.seed + 1),
                         OUT / "data" / f"rfm-{args.big_rows}")
        bruns = []
        for rep in range(args.repeat):
            try:
                bruns.append(measure(sys.executable, "worker.py", "rfm", "--impl", "crmlib", "--data", big,
                                     "--end", end))
                print(f"  rfm crmlib {args.big_rows:,} rows rep {rep + 1}: {bruns[-1]['seconds']:.3f} s, "
                      f"peak {bruns[-1]['peak_rss_mb']:.0f} MB", flush=True)
            except BenchError as exc:
                errors["crmlib-big"] = str(exc)
                break
        if bruns:
            res["big"] = {"rows": args.big_rows, "customers": args.big_customers, **_medians(bruns)}
        shutil.rmtree(big, ignore_errors=True)
    return res


def case_scale(args: argparse.Namespace) -> dict[str, Any]:
    """The RFM summary from Parquet with DuckDB (10M rows vs pandas, 100M memory-limited) and Spark."""
    return scale_bench.case(args, measure=measure, bench_py=BENCH_PY, pip=_pip, compare=compare, out=OUT,
                            error=BenchError)


def cdnow_summary(path: Path, end: str = CDNOW_END) -> dict[str, Any]:
    """Per-customer (frequency, recency, T, monetary_value) of the CDNOW sample, in weeks.

    The common input of both implementations' fits, computed by the harness's own
    :func:`bench.compare.plain_summary` so that neither implementation's summary is trusted:
    purchases on the same day are one occasion, times are days / 7 up to ``end`` (inclusive).
    """
    import pandas as pd

    tx = pd.read_csv(path, sep=r"\s+", header=None, names=["master_id", "customer_id", "date", "cds", "amount"])
    dates = pd.to_datetime(tx["date"].astype(str), format="%Y%m%d").to_numpy()
    s = compare.plain_summary(tx["customer_id"].to_numpy(), dates, tx["amount"].to_numpy(dtype=float), end,
                              unit_days=7.0)
    return {k: s[k] for k in ("frequency", "recency", "T", "monetary_value")}


def cdnow_path() -> Path:
    """The CDNOW 1/10th sample: the project's copy, else the one inside the lifetimes wheel."""
    own = ROOT / "datasets" / "cdnow" / "CDNOW_sample.txt"
    if own.exists():
        return own
    code = "import os, lifetimes; print(os.path.join(os.path.dirname(lifetimes.__file__), 'datasets'))"
    out = subprocess.run([str(BENCH_PY), "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    return Path(out) / "CDNOW_sample.txt"


def loglik(model: str, d: dict[str, Any], params: dict[str, dict[str, float]]) -> dict[str, float] | None:
    """Log-likelihood of each implementation's parameters under one likelihood (crmlib's).

    Which answer is nearer the maximum when the two differ. None if crmlib.clv.btyd is missing.
    """
    import numpy as np

    try:
        from crmlib.clv import btyd
    except ImportError:
        return None
    if model == "gg":
        rep = d["frequency"] > 0
        m = btyd.GammaGamma(d["frequency"][rep], d["monetary_value"][rep])
    else:
        m = getattr(btyd, scaling.CLASSES[model][0])(d["frequency"], d["recency"], d["T"])
    return {impl: float(m.loglike(np.array(list(p.values())))) for impl, p in params.items()}


def case_fits(args: argparse.Namespace) -> dict[str, Any]:
    """BG/NBD, Pareto/NBD and Gamma-Gamma on CDNOW: crmlib vs lifetimes."""
    import numpy as np

    src = cdnow_path()
    data = OUT / "data" / "cdnow-summary.npz"
    data.parent.mkdir(parents=True, exist_ok=True)
    d = cdnow_summary(src)
    np.savez(data, **d)
    res: dict[str, Any] = {"data": str(src.relative_to(ROOT) if src.is_relative_to(ROOT) else src),
                           "customers": int(len(d["frequency"])), "repeaters": int((d["frequency"] > 0).sum()),
                           "calibration_end": CDNOW_END, "models": {}}
    py = {"crmlib": sys.executable, "lifetimes": BENCH_PY}
    for model, label in MODELS.items():
        m: dict[str, Any] = {"label": label, "errors": {}}
        for impl in ("lifetimes", "crmlib"):
            tight = ["--converged-tol", CONVERGED_TOL] if impl == "lifetimes" and model in LOOSE else []
            try:
                r = measure(py[impl], "worker.py", "fit", "--impl", impl, "--model", model, "--data", data,
                            "--repeat", args.repeat, *tight)
                m[impl] = {k: r[k] for k in ("cold_seconds", "params", "run_to_run_spread", "params_converged")
                           if k in r}
                m[impl].update(seconds=median(r["seconds"]), all_seconds=r["seconds"])
                print(f"  fit {label:11s} {impl:9s}: {m[impl]['seconds']:.4f} s", flush=True)
            except BenchError as exc:
                m["errors"][impl] = str(exc)
                print(f"  fit {label:11s} {impl:9s}: FAILED", flush=True)
        if not m["errors"]:
            m["speedup"] = m["lifetimes"]["seconds"] / m["crmlib"]["seconds"]
            lt = m["lifetimes"]
            m["check_default"] = compare.compare_params(m["crmlib"]["params"], lt["params"], atol=1e-3)
            m["check"] = (compare.compare_params(m["crmlib"]["params"], lt["params_converged"], atol=1e-3)
                          if "params_converged" in lt else m["check_default"])
            sets = {"crmlib": m["crmlib"]["params"], "lifetimes": lt["params"]}
            if "params_converged" in lt:
                sets["lifetimes_converged"] = lt["params_converged"]
            m["loglik"] = loglik(model, d, sets)
        res["models"][model] = m
    return res


def case_collection(args: argparse.Namespace) -> dict[str, Any]:
    """Every chapter in small mode vs the floor, alternating, each run in a fresh process."""
    runs: dict[str, list[dict]] = {"chapters": [], "floor": []}
    errors: dict[str, str] = {}
    extra = ["--langs", args.langs, "--workers", args.workers, "--chapters", args.chapters]
    for rep in range(args.repeat_collection):
        for mode in (("floor", "chapters") if rep % 2 == 0 else ("chapters", "floor")):
            build = OUT / "collection" / f"{mode}-{rep}"
            shutil.rmtree(build, ignore_errors=True)
            try:
                r = measure(sys.executable, "collection.py", mode, "--build", build, *extra)
            except BenchError as exc:
                errors[mode] = str(exc)
                break
            runs[mode].append(r)
            bad = [f"{j['chapter']} [{j['lang']}]: {j['error']}" for j in r["per_job"] if not j["ok"]]
            if bad:
                errors[mode] = "notebook run(s) failed: " + "; ".join(bad)
            print(f"  collection {mode:8s} rep {rep + 1}: {r['seconds']:.1f} s for {r['jobs']} notebook runs"
                  + ("" if r["ok"] else " (FAILURES)"), flush=True)
        if errors:
            break
    res: dict[str, Any] = {"langs": args.langs, "workers": args.workers, "chapters": args.chapters or "all",
                           "errors": errors}
    for mode, rs in runs.items():
        if rs:
            per: dict[str, list[float]] = {}
            figs: dict[str, list[float]] = {}
            for r in rs:
                for j in r["per_job"]:
                    per.setdefault(f"{j['chapter']} [{j['lang']}]", []).append(j["seconds"])
                    figs.setdefault(f"{j['chapter']} [{j['lang']}]", []).append(sum(j.get("figure_seconds", {}).values()))
            res[mode] = {"jobs": rs[0]["jobs"], "seconds": median([r["seconds"] for r in rs]),
                         "all_seconds": [r["seconds"] for r in rs],
                         "per_job_seconds": {k: median(v) for k, v in per.items()},
                         "per_job_figure_seconds": {k: median(v) for k, v in figs.items()}}
    if runs["chapters"] and runs["floor"]:
        res["ratio"] = res["chapters"]["seconds"] / res["floor"]["seconds"]
    if runs["chapters"]:
        # how many figures the kernels saved (their seconds are in per_job_figure_seconds)
        res["chapters"]["figures"] = sum(len(j.get("figure_seconds", {})) for j in runs["chapters"][0]["per_job"])
        try:
            res["trivial_figure_seconds"] = measure(sys.executable, "collection.py", "figure")["seconds"]
        except BenchError as exc:
            errors["figure"] = str(exc)
    cells: dict[tuple[str, int, str], list[float]] = {}
    for r in runs["chapters"]:
        for j in r["per_job"]:
            for i, sec, first in j.get("cells", []):
                cells.setdefault((f"{j['chapter']} [{j['lang']}]", i, first), []).append(sec)
    slow = sorted(((median(v), k) for k, v in cells.items()), reverse=True)[:15]
    res["slowest_cells"] = [{"notebook": k[0], "cell": k[1], "first_line": k[2], "seconds": sec} for sec, k in slow]
    return res


# --- report ------------------------------------------------------------------------------------

def targets(results: dict[str, Any]) -> tuple[list[Target], list[str]]:
    """The issue's targets with their measured values, and the correctness failures."""
    ts: list[Target] = []
    wrong: list[str] = []
    rfm = results.get("rfm")
    if rfm is not None:
        ts.append(Target("RFM summary speed-up vs lifetimes", rfm.get("speedup"), ">=", 10, "x"))
        chk = rfm.get("check")
        wrong.extend(f"NOT RUN: RFM {k}: {v.splitlines()[-1]}" for k, v in rfm["errors"].items())
        if chk is not None and not chk["ok"]:
            wrong.extend(f"WRONG ANSWER: RFM summary differs from lifetimes: {p}" for p in chk["problems"])
        big = rfm.get("big", {})
        n = f"{rfm.get('big', {}).get('rows', 0):,}"
        ts.append(Target(f"RFM {n} rows, crmlib wall time", big.get("seconds"), "<=", 10, " s"))
        ts.append(Target(f"RFM {n} rows, crmlib peak RSS", big.get("peak_rss_mb"), "<=", 3000, " MB"))
    fits = results.get("fits")
    if fits is not None:
        for model, m in fits["models"].items():
            need = {"bgnbd": 1.0, "pareto": 2.0, "mbgnbd": 1.0}.get(model)
            if need is not None:
                ts.append(Target(f"{m['label']} fit speed-up vs lifetimes", m.get("speedup"), ">=", need, "x"))
            chk = m.get("check")
            ts.append(Target(f"{m['label']} largest parameter difference", chk and chk["max_abs_diff"], "<=", 1e-3))
            wrong.extend(f"NOT RUN: {m['label']} {k}: {v.splitlines()[-1]}" for k, v in m["errors"].items())
    if results.get("scaling") is not None:
        sts, swrong = scaling.targets(results["scaling"], Target)
        ts.extend(sts)
        wrong.extend(swrong)
    if results.get("scale") is not None:
        more, bad = scale_bench.targets(results["scale"], Target)
        ts.extend(more)
        wrong.extend(bad)
    col = results.get("collection")
    if col is not None:
        ts.append(Target("Collection / floor", col.get("ratio"), "<=", 1.5, "x"))
        ts.append(Target("Collection wall time", col.get("chapters", {}).get("seconds"), "<=", 30, " s"))
        wrong.extend(f"NOT RUN: collection {k}: {v}" for k, v in col["errors"].items())
    wrong.extend(f"NOT RUN: {k[:-6]}: {v.splitlines()[-1]}" for k, v in results.items()
                 if k.endswith("_error"))
    return ts, wrong


def _f(x: float | None, fmt: str) -> str:
    """``x`` formatted, or a dash when it was not measured."""
    return "—" if x is None else format(x, fmt)


def _speed(ratio: float | None) -> str:
    """A reference-time / crmlib-time ratio in words: "3.2× faster" or "1.5× slower"."""
    if ratio is None:
        return "—"
    return f"{ratio:.2g}× faster" if ratio >= 1 else f"{1 / ratio:.2g}× slower"


def table(results: dict[str, Any]) -> str:
    """The Markdown table of results.md (and the README's performance section)."""
    rows = ["| case | crmlib | reference | ratio | target | |", "|---|---:|---:|---:|---|---|"]
    verdict = {t.name: t.met for t in targets(results)[0]}

    def row(*cells: str) -> None:
        rows.append("| " + " | ".join(cells) + " |")

    def ok(*names: str) -> str:
        return "met" if all(verdict.get(n) for n in names) else "**missed**"

    rfm = results.get("rfm")
    if rfm is not None:
        c, lt = rfm.get("crmlib", {}), rfm.get("lifetimes", {})
        row(f"RFM summary, {rfm['rows']:,} rows / {rfm['customers']:,} customers: wall time "
            f"(warm; first call {_f(c.get('cold_seconds'), '.2f')} s vs {_f(lt.get('cold_seconds'), '.2f')} s)",
            f"{_f(c.get('seconds'), '.2f')} s", f"{_f(lt.get('seconds'), '.2f')} s (lifetimes)",
            _speed(rfm.get("speedup")), "≥ 10× faster", ok("RFM summary speed-up vs lifetimes"))
        less = lt["peak_rss_mb"] / c["peak_rss_mb"] if c and lt else None
        row("RFM summary: peak RSS of the process", f"{_f(c.get('peak_rss_mb'), '.0f')} MB",
            f"{_f(lt.get('peak_rss_mb'), '.0f')} MB", f"{_f(less, '.1f')}× less", "—", "")
        chk = rfm.get("check")
        if chk is not None:
            d = chk["max_abs_diff"]
            row("RFM summary: same answer (F, R, T identical; M to 1e-9)",
                f"max diff F {_f(d['frequency'], 'g')}, R {_f(d['recency'], 'g')}, T {_f(d['T'], 'g')}, "
                f"M {_f(d['monetary_value'], '.1e')}", "", "", "identical", "met" if chk["ok"] else "**missed**")
        big = rfm.get("big")
        if big is not None:
            n = f"{big['rows']:,}"
            row(f"RFM summary, {n} rows / {big['customers']:,} customers (crmlib alone)",
                f"{big['seconds']:.2f} s, {big['peak_rss_mb']:.0f} MB peak", "", "", "≤ 10 s, ≤ 3000 MB",
                ok(f"RFM {n} rows, crmlib wall time", f"RFM {n} rows, crmlib peak RSS"))
    fits = results.get("fits")
    if fits is not None:
        for model, m in fits["models"].items():
            c, lt, chk = m.get("crmlib", {}), m.get("lifetimes", {}), m.get("check")
            timed = model in ("bgnbd", "pareto", "mbgnbd")
            row(f"{m['label']} fit, CDNOW ({fits['customers']:,} customers): wall time",
                f"{_f(c.get('seconds'), '.3f')} s", f"{_f(lt.get('seconds'), '.3f')} s (lifetimes)",
                _speed(m.get("speedup")), {"bgnbd": "≥ 1× (no slower)", "pareto": "≥ 2× faster",
                                           "mbgnbd": "≥ 1× (no slower)"}.get(model, "—"),
                ok(f"{m['label']} fit speed-up vs lifetimes") if timed else "")
            against = (f"lifetimes run to convergence (tol {CONVERGED_TOL:g})" if "params_converged" in lt
                       else "lifetimes")
            row(f"{m['label']}: largest parameter difference vs {against}",
                f"{_f(chk and chk['max_abs_diff'], '.1e')} ({chk and chk['worst']})", "", "", "≤ 1e-3",
                ok(f"{m['label']} largest parameter difference"))
            if "params_converged" in lt and m.get("check_default"):
                ll = m.get("loglik") or {}
                row(f"{m['label']}: … vs lifetimes at its defaults (seed 0)",
                    f"{m['check_default']['max_abs_diff']:.1e} ({m['check_default']['worst']})",
                    f"lifetimes' own run-to-run spread {max(lt['run_to_run_spread'].values()):.1e}", "",
                    "(information)",
                    "crmlib's log-likelihood is the higher" if ll and ll["crmlib"] >= ll["lifetimes"] else "")
    for cells in scale_bench.table_rows(results.get("scale") or {}):
        row(*cells)
    col = results.get("collection")
    if col is not None:
        ch, fl = col.get("chapters", {}), col.get("floor", {})
        row(f"Collection, {ch.get('jobs', fl.get('jobs', '?'))} notebook runs (small, {col['langs']}, "
            f"{col['workers']} at a time)", f"{_f(ch.get('seconds'), '.1f')} s",
            f"{_f(fl.get('seconds'), '.1f')} s (floor)", f"{_f(col.get('ratio'), '.2f')}× the floor",
            "≤ 1.5×, ≤ 30 s", ok("Collection / floor", "Collection wall time"))
    return "\n".join(rows)


def explain_collection(col: dict[str, Any]) -> list[str]:
    """Markdown lines: the collection's time, run by run, split into saving figures and the rest.

    Sums of the per-run seconds (median over repetitions) of the chapters and of the floor, so the
    two are counted alike; at two runs at a time the wall times are about half these sums.
    """
    ch, fl = col.get("chapters", {}), col.get("floor", {})
    figs_by_run = ch.get("per_job_figure_seconds") or {}
    if not ch.get("figures") or not figs_by_run or not fl.get("per_job_seconds"):
        return []
    n = ch["figures"]
    total, figs = sum(ch["per_job_seconds"].values()), sum(figs_by_run.values())
    floor_total = fl["jobs"] * median(list(fl["per_job_seconds"].values()))
    rest = total - figs
    budget = 1.5 * floor_total - rest
    text = (f"Where the time goes, summed over the {ch['jobs']} runs: the chapters' kernels took {total:.1f} s, "
            f"the floor's {floor_total:.1f} s ({total / floor_total:.2f}×). Saving the {n} figures (PNG + SVG "
            f"each) took {figs:.1f} s of it; without that the chapters come to {rest / floor_total:.2f}× the "
            f"floor, which leaves {max(budget, 0):.1f} s for all {n} figures at 1.5×: "
            f"{max(budget, 0) / n * 1000:.0f} ms a figure")
    trivial = col.get("trivial_figure_seconds")
    if trivial:
        text += f", while saving a trivial one-line figure takes {trivial * 1000:.0f} ms here"
        if budget / n < trivial:
            text += " — so 1.5× cannot hold with these figures"
    return [text + ".", ""]


def _others(env: dict[str, Any]) -> str:
    """A sentence on how much of the machine other processes took during the run."""
    share = env.get("others_share")
    if share is None:
        return f"Load average before the run: {env['load_before']:.2f}."
    return (f"Other processes used {env['others_cpu_seconds']:.0f} CPU-seconds during the run "
            f"({share:.0%} of the machine)"
            + (" — **others were working on this machine: timings are noisy**." if share > 0.05 else "."))


def cpu_busy_seconds() -> float | None:
    """CPU-seconds all processes have spent busy since boot (Linux ``/proc/stat``; None elsewhere)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU-seconds of this process and every child it has waited for (workers, kernels, py-spy)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _others_cpu(busy_before: float | None, own_before: float, wall_before: float) -> dict[str, float]:
    """CPU-seconds other processes used since the ``*_before`` readings, and their share of the machine."""
    busy = cpu_busy_seconds()
    if busy is None or busy_before is None:
        return {}
    others = max(0.0, (busy - busy_before) - (own_cpu_seconds() - own_before))
    capacity = (time.monotonic() - wall_before) * (os.cpu_count() or 1)
    return {"others_cpu_seconds": others, "others_share": others / capacity if capacity > 0 else 0.0}


def report(results: dict[str, Any]) -> tuple[str, list[Target], list[str]]:
    """Markdown of results.md, the targets and the correctness failures."""
    ts, wrong = targets(results)
    env = results["environment"]
    lines = [f"# Benchmark results ({env['date']})", "",
             f"Medians of {results['args']['repeat']} runs (collection: {results['args']['repeat_collection']}), "
             f"each measurement in a fresh process, on {env['cpus']} CPU(s), Python {env['python']}, "
             f"numpy {env['project']['numpy']}, pandas {env['project']['pandas']}, scipy {env['project']['scipy']}; "
             f"reference lifetimes {env['reference'].get('lifetimes')} in `.venv-bench`. "
             + _others(env),
             "", table(results), ""]
    if results.get("scaling") is not None:
        lines += scaling.table_rows(results["scaling"]) + [""]
    col = results.get("collection", {})
    if col.get("chapters") and col.get("floor"):
        floor = median(list(col["floor"]["per_job_seconds"].values()))
        figs = col["chapters"].get("per_job_figure_seconds", {})
        lines += [f"Collection, seconds per notebook run (median; a floor kernel takes {floor:.1f} s):", "",
                  "| notebook run | seconds | × a floor kernel | of which saving figures |", "|---|---:|---:|---:|"]
        lines += [f"| {k} | {v:.1f} | {v / floor:.1f} | {_f(figs.get(k), '.1f')} |"
                  for k, v in col["chapters"]["per_job_seconds"].items()]
        lines.append("")
        lines += explain_collection(col)
        if col["floor"]["seconds"] >= 30:
            lines += [f"Note: the floor alone ({col['floor']['jobs']} bare kernels, {col['workers']} at a time) "
                      f"takes {col['floor']['seconds']:.1f} s, so the 30 s target cannot hold on this machine "
                      "whatever the chapters do.", ""]
    missed = [t for t in ts if not t.met]
    lines.append("**All targets met.**" if not missed and not wrong else "**Missed:**")
    lines.extend(f"- {t.describe()}" for t in missed)
    lines.extend(f"- {w}" for w in wrong)
    return "\n".join(lines) + "\n", ts, wrong


# --- profiling ---------------------------------------------------------------------------------

def profile(results: dict[str, Any], missed: list[Target], args: argparse.Namespace) -> dict[str, Any]:
    """Record py-spy profiles of the crmlib side of every missed target; summarise hot frames."""
    spy = BENCH_VENV / "bin" / "py-spy"
    if not spy.exists():
        print("py-spy is not installed in .venv-bench; no profile.", flush=True)
        return {}
    folder = OUT / "profile"
    folder.mkdir(parents=True, exist_ok=True)
    names = " ".join(t.name for t in missed)
    jobs: dict[str, list[str]] = {}
    if "RFM" in names:
        end = str(synth.observation_end(args.days))[:10]
        rows, cust = (args.big_rows, args.big_customers) if "rows, crmlib" in names else (args.rows, args.customers)
        data = synth.save(synth.transactions(rows, cust, args.days, args.seed), OUT / "data" / "rfm-profile")
        jobs["rfm"] = [sys.executable, str(HERE / "worker.py"), "rfm", "--impl", "crmlib", "--data", str(data),
                       "--end", end, "--loops", "5"]
    for model, label in MODELS.items():
        if label in names:
            jobs[f"fit-{model}"] = [sys.executable, str(HERE / "worker.py"), "fit", "--impl", "crmlib", "--model",
                                    model, "--data", str(OUT / "data" / "cdnow-summary.npz"), "--repeat", "20"]
    if "Collection" in names:
        build = OUT / "collection" / "profile"
        shutil.rmtree(build, ignore_errors=True)
        jobs["collection"] = [sys.executable, str(HERE / "collection.py"), "chapters", "--build", str(build),
                              "--langs", args.langs, "--workers", str(args.workers), "--chapters", args.chapters]
    found: dict[str, Any] = {}
    slow = results.get("collection", {}).get("slowest_cells")
    if "Collection" in names and slow:
        print("\nSlowest notebook cells of the collection (papermill's per-cell times, median):")
        for c in slow:
            print(f"  {c['seconds']:5.2f} s  {c['notebook']} cell {c['cell']}: {c['first_line']}")
    for name, cmd in jobs.items():
        raw = folder / f"{name}.txt"
        sub = ["--subprocesses"] if name == "collection" else []
        p = subprocess.run([str(spy), "record", "--format", "raw", "--rate", "200", *sub, "-o", str(raw), "--", *cmd],
                           capture_output=True, text=True, cwd=ROOT)
        if p.returncode != 0 or not raw.exists():
            found[name] = {"error": (p.stderr or p.stdout).strip().splitlines()[-3:]}
            continue
        found[name] = hot_frames(raw)
        print(f"\nProfile of {name} (py-spy, {found[name]['samples']} samples inside crmlib or notebook cells; "
              f"raw stacks in {raw.relative_to(ROOT)}):")
        print("  self time (samples inside crmlib calls or notebook cells):")
        for frame, share in found[name]["self"][:12]:
            print(f"    {share:5.1%}  {frame}")
        print("  inclusive, crmlib frames and notebook cells:")
        for frame, share in found[name]["inclusive_project"][:12]:
            print(f"    {share:5.1%}  {frame}")
    shutil.rmtree(OUT / "data" / "rfm-profile", ignore_errors=True)
    return found


CELL = re.compile(r"ipykernel_\d+/\d+\.py")  # a notebook cell's frame in a kernel process
WATCH = ("savefig", "print_png", "print_svg", "_find_and_load (")  # where a chapter's time usually goes


def hot_frames(raw: Path) -> dict[str, Any]:
    """Self and inclusive shares per frame from a py-spy ``--format raw`` (collapsed) file.

    Only samples inside crmlib functions or notebook cells count, and shares are of those.
    """
    self_: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = inside = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        # the package's functions and the notebook cells; not start-up (imports) nor the harness
        ours = [f for f in frames if CELL.search(f) or ("crmlib/" in f and not f.startswith("<module> (crmlib")
                                                         and "crmbook/runner.py" not in f)]
        if not ours:
            continue
        inside += n
        self_[frames[-1]] += n
        for f in set(frames):
            if f in ours or any(k in f for k in WATCH):
                incl[f] += n
    total = max(inside, 1)
    return {"samples": inside,
            "self": [(f, n / total) for f, n in self_.most_common(20)],
            "inclusive_project": [(f, n / total) for f, n in incl.most_common(20)]}


# --- main --------------------------------------------------------------------------------------

def update_readme(md: str, readme: Path = ROOT / "README.md") -> bool:
    """Replace the text between README's ``bench-table:start`` / ``bench-table:end`` markers.

    The results' heading becomes a plain line; nothing else in the README changes. Returns
    False (and changes nothing) when the markers are missing.
    """
    text = readme.read_text(encoding="utf-8")
    start = text.find("<!-- bench-table:start")
    end = text.find("<!-- bench-table:end -->")
    if start < 0 or end < start:
        return False
    start = text.index("-->", start) + 3
    body = md.replace("# Benchmark results", "Results of `make bench`", 1).strip()
    readme.write_text(text[:start] + "\n" + body + "\n" + text[end:], encoding="utf-8")
    return True


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of {','.join(CASES)}")
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement, median reported (default 5)")
    ap.add_argument("--repeat-collection", type=int, default=3, help="runs of the collection case (default 3)")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--big-rows", type=int, default=10_000_000, help="crmlib-alone RFM size (0: skip)")
    ap.add_argument("--big-customers", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--scale-rows", type=int, default=100_000_000,
                    help="scale case: rows of the memory-limited DuckDB run from Parquet (0: skip)")
    ap.add_argument("--scale-memory-limit", default="1GB", help="scale case: DuckDB memory_limit (default 1GB)")
    ap.add_argument("--spark-driver-memory", default="6g", help="scale case: Spark local-mode driver memory")
    ap.add_argument("--seed", type=int, default=20241123)
    ap.add_argument("--langs", default="en,zh", help="collection languages (default en,zh, as the main job)")
    ap.add_argument("--workers", type=int, default=2, help="collection notebooks at a time (default 2)")
    ap.add_argument("--chapters", default="", help="collection chapters, e.g. 02,03 (default: every chapter)")
    ap.add_argument("--scale-sizes", default="10000,100000,1000000",
                    help="scaling case: numbers of simulated customers (default 10^4, 10^5, 10^6)")
    ap.add_argument("--scale-models", default="bgnbd,pareto,mbgnbd",
                    help="scaling case: models (bgnbd, pareto, mbgnbd)")
    ap.add_argument("--scale-repeat", type=int, default=3, help="scaling case: fresh-process runs per fit")
    ap.add_argument("--scale-cap", type=float, default=600.0,
                    help="scaling case: seconds before a fit is stopped and reported as not finished")
    ap.add_argument("--quick", action="store_true",
                    help="development sizes: 20,000 rows, 1 repetition, no collection unless --cases names it")
    ap.add_argument("--profile", action="store_true", help="py-spy profile of whatever misses its target")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--report-only", action="store_true",
                    help="measure nothing: write results.md (and, with --update-readme, the README) from results.json")
    ap.add_argument("--update-readme", action="store_true",
                    help="copy the results into README.md's performance section (between its bench-table markers)")
    args = ap.parse_args(argv)
    args.cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(args.cases) - set(CASES)
    if unknown:
        ap.error(f"unknown case(s) {sorted(unknown)}; cases are {', '.join(CASES)}")
    if args.quick:
        args.rows, args.customers, args.big_rows, args.big_customers = 20_000, 2_000, 200_000, 20_000
        args.scale_rows = 2_000_000
        args.repeat = args.repeat_collection = args.scale_repeat = 1
        args.scale_sizes = "10000"
        if "--cases" not in " ".join(argv or sys.argv[1:]):
            args.cases = ["rfm", "fits", "scaling"]
    return args


def rereport(update: bool) -> int:
    """Write results.md (and the README table) again from the last results.json, measuring nothing."""
    try:
        results = json.loads((OUT / "results.json").read_text())
    except (OSError, ValueError) as exc:
        print(f"No readable {OUT / 'results.json'} to report from: {exc}")
        return 1
    md, _, _ = report(results)
    (OUT / "results.md").write_text(md)
    print(md)
    if update:
        print("Updated README.md's performance section." if update_readme(md)
              else "README.md has no bench-table markers; not updated.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.report_only:
        return rereport(args.update_readme)
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"Benchmarks: {', '.join(args.cases)} (repeat {args.repeat}; results in {OUT.relative_to(ROOT)}/)", flush=True)
    env_info = ensure_bench_venv()
    load_before = os.getloadavg()[0]
    busy_before, own_before, wall_before = cpu_busy_seconds(), own_cpu_seconds(), time.monotonic()
    results: dict[str, Any] = {"args": {k: v for k, v in vars(args).items()}}
    runners = {"rfm": case_rfm, "fits": case_fits, "collection": case_collection, "scale": case_scale,
               "scaling": lambda a: scaling.case_scaling(a, measure, BENCH_PY, OUT, BenchError)}
    for case in args.cases:
        print(f"\n== {case}", flush=True)
        try:
            results[case] = runners[case](args)
        except (BenchError, subprocess.CalledProcessError, OSError) as exc:
            print(f"  {case} could not run: {exc}", flush=True)
            results[case + "_error"] = str(exc)
    results["environment"] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(),
        "machine": platform.machine(), "python": platform.python_version(),
        "load_before": load_before, "load_after": os.getloadavg()[0],
        **_others_cpu(busy_before, own_before, wall_before),
        "project": versions(Path(sys.executable), SHARED_STACK),
        "reference": versions(BENCH_PY, ("lifetimes",) + SHARED_STACK), "pinned": env_info.get("pinned", []),
    }
    md, ts, wrong = report(results)
    results["targets"] = [{"name": t.name, "value": t.value, "op": t.op, "limit": t.limit, "met": t.met} for t in ts]
    results["problems"] = wrong
    missed = [t for t in ts if not t.met]
    if args.profile and missed:
        results["profile"] = profile(results, missed, args)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (OUT / "results.md").write_text(md)
    print("\n" + md)
    print("Ratios and targets:")
    for t in ts:
        print("  " + t.describe())
    for w in wrong:
        print("  " + w)
    print(f"\n{len(ts) - len(missed)} of {len(ts)} targets met"
          + (f"; MISSED: {', '.join(t.name for t in missed)}" if missed else "")
          + (f"; {len(wrong)} case(s) not run or with a wrong answer" if wrong else "") + ".")
    print(f"Wrote {(OUT / 'results.json').relative_to(ROOT)} and {(OUT / 'results.md').relative_to(ROOT)}")
    if args.update_readme:
        print("Updated README.md's performance section." if update_readme(md)
              else "README.md has no bench-table markers; not updated.")
    return 1 if wrong or (args.strict and missed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
