"""One benchmark measurement in a fresh process: ``python bench/worker.py CASE ...``.

Run by ``bench/run.py`` with the project's interpreter (``--impl crmlib``) or the bench
environment's (``--impl lifetimes``). It needs only the standard library, numpy and pandas
besides the implementation under test, and prints one line ``BENCH-RESULT {json}``.

Cases
-----
rfm
    Load a synthetic log (``bench/synth.py``), time one summary (wall clock), record the
    process's peak resident memory, optionally save the summary for the correctness check.
fit
    Load the CDNOW summary, fit one model once to warm up, then ``--repeat`` more times; report
    the warm wall times, the first fit's parameters under the literature's names and how much
    the parameters moved between the fits.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402  (bench/synth.py, numpy only)
from scaling import CLASSES  # noqa: E402  (bench/scaling.py: stdlib and numpy at import)

#: Parameter names of each model, as in the literature (and in lifetimes' ``params_``).
PARAMS = {"bgnbd": ("r", "alpha", "a", "b"), "pareto": ("r", "alpha", "s", "beta"), "mbgnbd": ("r", "alpha", "a", "b"),
          "gg": ("p", "q", "v")}


def _mb_current() -> float:
    """Resident set size now, in MB (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError):
        return 0.0


def _mb_peak() -> float:
    """Peak resident set size of this process so far, in MB (``ru_maxrss`` is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


# --- RFM summary -------------------------------------------------------------------------------

def _summarizer(impl: str) -> Callable[[pd.DataFrame, str], pd.DataFrame]:
    """``f(transactions, observation_end) -> summary`` with columns frequency, recency, T, monetary_value."""
    if impl == "crmlib":
        from crmlib.clv import rfm

        def f(tx: pd.DataFrame, end: str) -> pd.DataFrame:
            return rfm.summarize(tx, customer_id="customer_id", date="date", amount="amount",
                                 period="D", collapse="D", observation_end=end,
                                 keep_zero_T=True)  # lifetimes keeps T = 0 customers too
        return f
    if impl == "lifetimes":
        warnings.simplefilter("ignore")
        from lifetimes.utils import summary_data_from_transaction_data

        def g(tx: pd.DataFrame, end: str) -> pd.DataFrame:
            return summary_data_from_transaction_data(tx, "customer_id", "date", monetary_value_col="amount",
                                                      observation_period_end=end, freq="D")
        return g
    raise ValueError(f"impl must be 'crmlib' or 'lifetimes', got {impl!r}")


def run_rfm(impl: str, data: Path, end: str, out: Path | None, loops: int = 1, warm: int = 0) -> dict[str, Any]:
    """Time summaries of the log in ``data``; save the first to ``out`` if given.

    The first call is timed cold, with the process's peak memory around it. ``warm > 0`` times that
    many more calls and reports their median as ``seconds`` (the cold time stays in ``cold_seconds``):
    a call of a tenth of a second is otherwise dominated by first-call costs (lazy imports, page
    faults) that vary from run to run. ``loops > 1`` summarises the log that many times more, untimed,
    so that a profiler sampling the process sees mostly the summary rather than the start-up.
    """
    summarize = _summarizer(impl)
    log = synth.load(data)
    tx = pd.DataFrame(log, copy=False)
    del log
    base, peak_before = _mb_current(), _mb_peak()
    start = time.perf_counter()
    summary = summarize(tx, end)
    cold = time.perf_counter() - start
    peak = _mb_peak()
    times = []
    for _ in range(warm):
        start = time.perf_counter()
        summarize(tx, end)
        times.append(time.perf_counter() - start)
    for _ in range(loops - 1):
        summarize(tx, end)
    if out is not None:
        s = summary.sort_index()
        out.mkdir(parents=True, exist_ok=True)
        np.save(out / "customer_id.npy", s.index.to_numpy())
        for col in ("frequency", "recency", "T", "monetary_value"):
            np.save(out / f"{col}.npy", s[col].to_numpy())
    seconds = sorted(times)[len(times) // 2] if times else cold
    return {"impl": impl, "rows": int(len(tx)), "customers": int(len(summary)), "seconds": seconds,
            "cold_seconds": cold, "warm_calls": warm, "peak_rss_mb": peak, "base_rss_mb": base,
            "peak_before_call_mb": peak_before}


# --- model fits --------------------------------------------------------------------------------

def _fitter(impl: str, model: str, tol: float | None = None) -> Callable[[dict[str, np.ndarray]], dict[str, float]]:
    """``f(cdnow) -> {parameter: value}`` for one model of one implementation.

    ``tol`` overrides lifetimes' default optimiser tolerance (for the converged reference).
    """
    if model not in PARAMS:
        raise ValueError(f"model must be one of {sorted(PARAMS)}, got {model!r}")
    if impl == "lifetimes":
        warnings.simplefilter("ignore")
        import lifetimes

        kw = {} if tol is None else {"tol": tol, "maxiter": 20000}

        def f(d: dict[str, np.ndarray]) -> dict[str, float]:
            if model == "gg":
                rep = d["frequency"] > 0
                m = lifetimes.GammaGammaFitter(penalizer_coef=0.0).fit(d["frequency"][rep],
                                                                      d["monetary_value"][rep], **kw)
            else:
                cls = getattr(lifetimes, CLASSES[model][1])
                m = cls(penalizer_coef=0.0).fit(d["frequency"], d["recency"], d["T"], **kw)
            return {k: float(m.params_[k]) for k in PARAMS[model]}
        return f
    if impl == "crmlib":
        from crmlib.clv import btyd

        names = dict(zip(PARAMS[model], PARAMS[model]), v="gamma")  # crmlib calls Gamma-Gamma's scale gamma

        def g(d: dict[str, np.ndarray]) -> dict[str, float]:
            if model == "gg":
                rep = d["frequency"] > 0
                res = btyd.GammaGamma(d["frequency"][rep], d["monetary_value"][rep]).fit()
            else:
                cls = getattr(btyd, CLASSES[model][0])
                res = cls(d["frequency"], d["recency"], d["T"]).fit()
            return {k: float(res.params[names[k]]) for k in PARAMS[model]}
        return g
    raise ValueError(f"impl must be 'crmlib' or 'lifetimes', got {impl!r}")


def run_fit(impl: str, model: str, data: Path, repeat: int, converged_tol: float | None = None
            ) -> dict[str, Any]:
    """Fit ``model`` once to warm up, then ``repeat`` times; report the times and parameters.

    With ``converged_tol`` (lifetimes only), one more untimed fit with that optimiser tolerance
    gives ``params_converged``: the reference's answer run to convergence.
    """
    fit = _fitter(impl, model)
    with np.load(data) as z:
        d = {k: z[k] for k in z.files}
    # lifetimes' Pareto/NBD starts Nelder-Mead from np.random.normal(1, 0.05): seed it so that the
    # reference answer is reproducible; its later fits show how much that answer moves.
    np.random.seed(0)
    start = time.perf_counter()
    first = fit(d)
    cold = time.perf_counter() - start
    times, every = [], [first]
    for _ in range(repeat):
        start = time.perf_counter()
        every.append(fit(d))
        times.append(time.perf_counter() - start)
    spread = {k: max(p[k] for p in every) - min(p[k] for p in every) for k in first}
    out = {"impl": impl, "model": model, "cold_seconds": cold, "seconds": times, "params": first,
           "run_to_run_spread": spread}
    if converged_tol is not None and impl == "lifetimes":
        np.random.seed(0)
        out["params_converged"] = _fitter(impl, model, converged_tol)(d)
        out["converged_tol"] = converged_tol
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="case", required=True)
    a = sub.add_parser("rfm")
    a.add_argument("--impl", required=True)
    a.add_argument("--data", type=Path, required=True)
    a.add_argument("--end", required=True)
    a.add_argument("--out", type=Path)
    a.add_argument("--loops", type=int, default=1, help="summarise this many times (profiling)")
    a.add_argument("--warm", type=int, default=0, help="time this many calls after the first; report their median")
    b = sub.add_parser("fit")
    b.add_argument("--impl", required=True)
    b.add_argument("--model", required=True)
    b.add_argument("--data", type=Path, required=True)
    b.add_argument("--repeat", type=int, default=3)
    b.add_argument("--converged-tol", type=float, help="lifetimes: also fit once with this tolerance")
    args = ap.parse_args(argv)
    if args.case == "rfm":
        result = run_rfm(args.impl, args.data, args.end, args.out, args.loops, args.warm)
    else:
        result = run_fit(args.impl, args.model, args.data, args.repeat, args.converged_tol)
    print("BENCH-RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
