"""BTYD fits at scale: BG/NBD, Pareto/NBD and MBG/NBD at 10^4, 10^5 and 10^6 customers, crmlib vs lifetimes.

The data are drawn by crmlib's own simulator from the BG/NBD model
(:func:`crmlib.clv.btyd.simulate_bgnbd`: r = 0.24, alpha = 4.4, a = 0.79, b = 2.43, T uniform on
30-80 weeks, continuous, so every customer's (x, t_x, T) is distinct) and saved once per size as
plain ``.npy`` files, which both implementations load in fresh processes.

Each measurement is one fresh process (``python bench/scaling.py worker ...``, run with the
project's interpreter for crmlib and ``.venv-bench``'s for lifetimes) that loads the data, then
times one fit (model construction included: lifetimes does its preparation inside ``fit``) and
reports the process's peak resident memory. The harness repeats each measurement and reports the
median. The parameter check compares crmlib with lifetimes run to a tight tolerance (untimed,
its own process): the largest *relative* difference over the parameters.

lifetimes' Pareto/NBD uses Nelder-Mead on a likelihood with two hypergeometric functions per
customer; its runs are capped (``--scale-cap``, 600 s by default) and a run that does not finish
in time is reported as such — the speed target applies where it finishes. Above
:data:`LIFETIMES_MAX` customers lifetimes is not run for a model at all (its Pareto/NBD runs for
more than ten minutes at 10^6): there the target is crmlib's own BG/NBD fit on the same data in the
same run — the Pareto/NBD fit at most :data:`PARETO_VS_BGNBD` times as long.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: Parameters of the simulated customer base (close to the CDNOW BG/NBD estimates).
TRUE = {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.43}
T_RANGE = (30.0, 80.0)
SEED = 20241201
MODELS = {"bgnbd": ("BG/NBD", ("r", "alpha", "a", "b")), "pareto": ("Pareto/NBD", ("r", "alpha", "s", "beta")),
          "mbgnbd": ("MBG/NBD", ("r", "alpha", "a", "b"))}
#: Each model's class in crmlib.clv.btyd and in lifetimes (by name: this module is imported on both sides).
CLASSES = {"bgnbd": ("BetaGeo", "BetaGeoFitter"), "pareto": ("ParetoNBD", "ParetoNBDFitter"),
           "mbgnbd": ("ModifiedBetaGeo", "ModifiedBetaGeoFitter")}
#: lifetimes' tolerance for its converged reference run (its default is 1e-7 for BG/NBD, 1e-4 for Pareto/NBD).
TIGHT_TOL = 1e-10
#: Speed-up over lifetimes each model must reach where lifetimes finishes.
SPEEDUP = {"bgnbd": 3.0, "pareto": 5.0, "mbgnbd": 3.0}
PARAM_RTOL = 1e-6
#: Largest number of customers at which lifetimes is run, per model (no limit for the others).
LIFETIMES_MAX = {"pareto": 100_000, "mbgnbd": 100_000}
#: Where lifetimes is not run: the Pareto/NBD fit may take at most this many times crmlib's BG/NBD fit.
PARETO_VS_BGNBD = 20.0


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def _current_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError):
        return 0.0


# --- data --------------------------------------------------------------------------------------

def make_data(n: int, folder: Path, seed: int = SEED) -> Path:
    """Simulate ``n`` customers with crmlib's BG/NBD simulator and save frequency, recency, T as .npy."""
    from crmlib.clv import btyd

    folder = Path(folder)
    if all((folder / f"{c}.npy").exists() for c in ("frequency", "recency", "T")):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    d = btyd.simulate_bgnbd(n, **TRUE, T=T_RANGE, seed=seed)
    for c in ("frequency", "recency", "T"):
        np.save(folder / f"{c}.npy", d[c].to_numpy())
    return folder


def load(folder: Path) -> dict[str, np.ndarray]:
    """The arrays written by :func:`make_data`."""
    return {c: np.load(Path(folder) / f"{c}.npy") for c in ("frequency", "recency", "T")}


# --- worker ------------------------------------------------------------------------------------

def fitter(impl: str, model: str, tol: float | None = None) -> Callable[[dict[str, np.ndarray]], dict[str, float]]:
    """``f(data) -> {parameter: value}``: construct and fit one model of one implementation."""
    names = MODELS[model][1]
    if impl == "crmlib":
        from crmlib.clv import btyd

        cls = getattr(btyd, CLASSES[model][0])

        def f(d: dict[str, np.ndarray]) -> dict[str, float]:
            res = cls(d["frequency"], d["recency"], d["T"]).fit()
            return {k: float(res.params[k]) for k in names}
        return f
    if impl == "lifetimes":
        warnings.simplefilter("ignore")
        import lifetimes

        from lifetimes.utils import ConvergenceError

        cls = getattr(lifetimes, CLASSES[model][1])

        def g(d: dict[str, np.ndarray]) -> dict[str, float]:
            # the tight reference: lifetimes raises ConvergenceError when its optimiser reports a loss of
            # precision before the tolerance (BG/NBD at 10^5 customers and 1e-10), so loosen 10x at a time
            for t in ([None] if tol is None else [tol * 10 ** i for i in range(4)]):
                kw = {} if t is None else {"tol": t, "maxiter": 100000}
                try:
                    m = cls(penalizer_coef=0.0).fit(d["frequency"], d["recency"], d["T"], **kw)
                except ConvergenceError:
                    if t is None or t == tol * 1000:
                        raise
                    continue
                out = {k: float(m.params_[k]) for k in names}
                if t is not None:
                    out["_tol"] = t
                return out
            raise AssertionError("unreachable")
        return g
    raise ValueError(f"impl must be 'crmlib' or 'lifetimes', got {impl!r}")


def run_worker(impl: str, model: str, data: Path, tol: float | None) -> dict[str, Any]:
    """Load the data, fit once (timed), report seconds, parameters and memory."""
    fit = fitter(impl, model, tol)
    d = load(data)
    np.random.seed(0)  # lifetimes' Pareto/NBD starts from a random point
    base = _current_mb()
    start = time.perf_counter()
    params = fit(d)
    seconds = time.perf_counter() - start
    used = params.pop("_tol", tol)
    return {"impl": impl, "model": model, "n": int(d["frequency"].size), "seconds": seconds, "params": params,
            "peak_rss_mb": _peak_mb(), "base_rss_mb": base, "tol": used}


# --- harness -----------------------------------------------------------------------------------

def rel_diff(ours: dict[str, float], ref: dict[str, float]) -> tuple[float, str]:
    """Largest relative parameter difference |ours / ref - 1| and the parameter where it is."""
    diffs = {k: abs(ours[k] / ref[k] - 1.0) if ref[k] != 0 else float("inf") for k in ref}
    worst = max(diffs, key=diffs.get)
    return float(diffs[worst]), worst


def case_scaling(args: argparse.Namespace, measure: Callable[..., dict[str, Any]], bench_py: Path,
                 out: Path, error: type[Exception]) -> dict[str, Any]:
    """Every size x model: crmlib and lifetimes (default and tight tolerance), medians of repeats."""
    sizes = [int(s) for s in str(args.scale_sizes).split(",") if s.strip()]
    res: dict[str, Any] = {"sizes": sizes, "true": TRUE, "T_range": T_RANGE, "seed": SEED,
                           "cap_seconds": args.scale_cap, "repeat": args.scale_repeat, "runs": {}}
    py = {"crmlib": sys.executable, "lifetimes": bench_py}
    for n in sizes:
        data = make_data(n, out / "data" / f"scale-{n}")
        for model, (label, _) in MODELS.items():
            if model not in str(getattr(args, "scale_models", ",".join(MODELS))).split(","):
                continue
            key = f"{model}-{n}"
            entry: dict[str, Any] = {"label": label, "n": n, "errors": {}}
            with_lifetimes = n <= LIFETIMES_MAX.get(model, n)
            if not with_lifetimes:
                entry["lifetimes_skipped"] = LIFETIMES_MAX[model]
            for impl in ("crmlib", "lifetimes")[:2 if with_lifetimes else 1]:
                runs = []
                reps = args.scale_repeat
                for rep in range(reps):
                    try:
                        runs.append(measure(py[impl], "scaling.py", "worker", "--impl", impl, "--model", model,
                                            "--data", data, timeout=args.scale_cap))
                    except error as exc:
                        entry["errors"][impl] = str(exc).splitlines()[0]
                        break
                    print(f"  scaling {label:10s} n={n:>8,} {impl:9s} rep {rep + 1}: {runs[-1]['seconds']:.2f} s, "
                          f"peak {runs[-1]['peak_rss_mb']:.0f} MB", flush=True)
                    if runs[-1]["seconds"] > 120:
                        break  # one run of minutes is measured well enough (and keeps the case bounded)
                if runs:
                    entry[impl] = {"seconds": statistics.median(r["seconds"] for r in runs),
                                   "all_seconds": [r["seconds"] for r in runs], "params": runs[0]["params"],
                                   "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
                                   "call_rss_mb": statistics.median(r["peak_rss_mb"] - r["base_rss_mb"] for r in runs)}
                else:
                    print(f"  scaling {label:10s} n={n:>8,} {impl:9s}: {entry['errors'][impl]}", flush=True)
            if "lifetimes" in entry:
                try:
                    tight = measure(bench_py, "scaling.py", "worker", "--impl", "lifetimes", "--model", model,
                                    "--data", data, "--tol", TIGHT_TOL, timeout=args.scale_cap)
                    entry["lifetimes_converged"] = {"params": tight["params"], "seconds": tight["seconds"],
                                                    "tol": tight["tol"]}
                except error as exc:
                    entry["errors"]["lifetimes_converged"] = str(exc).splitlines()[0]
            if "crmlib" in entry and "lifetimes" in entry:
                entry["speedup"] = entry["lifetimes"]["seconds"] / entry["crmlib"]["seconds"]
            ref = entry.get("lifetimes_converged")
            if "crmlib" in entry and ref:
                entry["max_rel_diff"], entry["worst"] = rel_diff(entry["crmlib"]["params"], ref["params"])
            res["runs"][key] = entry
        bg = res["runs"].get(f"bgnbd-{n}", {}).get("crmlib")
        for model in MODELS:
            other = res["runs"].get(f"{model}-{n}", {})
            if model != "bgnbd" and bg and "crmlib" in other:
                other["vs_bgnbd"] = other["crmlib"]["seconds"] / bg["seconds"]
    return res


def targets(res: dict[str, Any], Target: type) -> tuple[list[Any], list[str]]:
    """Speed-up over lifetimes (3x BG/NBD and MBG/NBD, 5x Pareto/NBD, where lifetimes finished), parameters within
    1e-6 relative, memory at the largest size; where lifetimes is not run, Pareto/NBD <= 20x crmlib's BG/NBD."""
    ts, wrong = [], []
    largest = max(res["sizes"]) if res["sizes"] else None
    model_of = {label: m for m, (label, _) in MODELS.items()}
    for key, e in res["runs"].items():
        lab = f"{e['label']} {e['n']:,} customers"
        model = model_of.get(e["label"], "bgnbd")
        lifetimes_finished = "lifetimes" in e
        if "lifetimes_skipped" in e:
            if model == "pareto":
                ts.append(Target(f"{lab}: fit time / crmlib's BG/NBD fit", e.get("vs_bgnbd"), "<=", PARETO_VS_BGNBD,
                                 "x"))
        elif e["label"] == "BG/NBD" or lifetimes_finished:
            ts.append(Target(f"{lab}: speed-up vs lifetimes", e.get("speedup"), ">=", SPEEDUP[model], "x"))
        if "lifetimes_converged" in e:
            ts.append(Target(f"{lab}: largest relative parameter difference", e.get("max_rel_diff"), "<=",
                             PARAM_RTOL))
        if e["n"] == largest and "crmlib" in e and lifetimes_finished:
            # memory the fit itself needs: peak RSS above the process's RSS with the data loaded
            ts.append(Target(f"{lab}: fit's peak memory crmlib - lifetimes", e["crmlib"]["call_rss_mb"]
                             - e["lifetimes"]["call_rss_mb"], "<=", 0.0, " MB"))
        if "crmlib" in e["errors"]:
            wrong.append(f"NOT RUN: scaling {lab} crmlib: {e['errors']['crmlib']}")
    return ts, wrong


def table_rows(res: dict[str, Any]) -> list[str]:
    """Markdown rows: size, model, times, ratio, largest relative parameter difference, peak memory."""
    rows = [f"BTYD fits on simulated BG/NBD data (r {TRUE['r']}, alpha {TRUE['alpha']}, a {TRUE['a']}, "
            f"b {TRUE['b']}, T uniform {T_RANGE[0]:g}-{T_RANGE[1]:g}, seed {SEED}); wall time of construction + fit, "
            f"median of up to {res['repeat']} fresh processes; parameters against lifetimes at tol {TIGHT_TOL:g}; "
            f"lifetimes runs capped at {res['cap_seconds']:.0f} s.", "",
            "| model | customers | crmlib | lifetimes | ratio | max rel. param diff | fit's peak memory crmlib / lifetimes "
            "| crmlib ÷ crmlib BG/NBD |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for e in res["runs"].values():
        c, lt = e.get("crmlib", {}), e.get("lifetimes")
        lt_time = (f"{lt['seconds']:.2f} s" if lt else
                   f"not run above {e['lifetimes_skipped']:,} customers" if "lifetimes_skipped" in e else
                   f"not finished in {res['cap_seconds']:.0f} s" if "timed out" in e["errors"].get("lifetimes", "")
                   else "failed: " + e["errors"].get("lifetimes", "?"))
        ref_tol = e.get("lifetimes_converged", {}).get("tol")
        diff = (f"{e['max_rel_diff']:.1e} ({e['worst']}"
                + (f"; reference at tol {ref_tol:g}" if ref_tol not in (None, TIGHT_TOL) else "") + ")"
                if "max_rel_diff" in e
                else "— (" + e["errors"].get("lifetimes_converged", "no reference") + ")")
        mem = (f"{c.get('call_rss_mb', float('nan')):.0f} / " + (f"{lt['call_rss_mb']:.0f} MB" if lt else "—")
               + f" (process {c.get('peak_rss_mb', float('nan')):.0f} / "
               + (f"{lt['peak_rss_mb']:.0f} MB)" if lt else "—)"))
        ratio = f"{e['speedup']:.1f}×" if "speedup" in e else "—"
        vs_bg = f"{e['vs_bgnbd']:.1f}×" if "vs_bgnbd" in e else "—"
        rows.append(f"| {e['label']} | {e['n']:,} | {c.get('seconds', float('nan')):.2f} s | {lt_time} | {ratio} | "
                    f"{diff} | {mem} | {vs_bg} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("worker")
    w.add_argument("--impl", required=True)
    w.add_argument("--model", required=True, choices=sorted(MODELS))
    w.add_argument("--data", type=Path, required=True)
    w.add_argument("--tol", type=float)
    args = ap.parse_args(argv)
    result = run_worker(args.impl, args.model, args.data, args.tol)
    print("BENCH-RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
