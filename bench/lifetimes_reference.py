"""Reference values from lifetimes 0.11.3 for the tests of MBG/NBD, P(X(t) = n), penalties and weights.

``python bench/lifetimes_reference.py`` (the project's interpreter) writes the inputs — the CDNOW
summary (``crmlib.datasets.cdnow_summary``) and a seeded weighted subset of it — to a temporary
``.npz``, runs itself in lifetimes' environment (``.venv-bench``, made by ``make bench``; or
``--python PATH``) and writes what lifetimes answers to ``tests/data/lifetimes_0_11_3.json``. The
tests compare crmlib with those numbers; lifetimes is never a dependency of the project. Run it
again only to check the file (``--check`` prints the largest change instead of writing).

Every fit is run to a tight tolerance (lifetimes' ``tol``, loosened tenfold at a time when its
optimiser reports a loss of precision first; its Pareto/NBD is Nelder-Mead from
``np.random.seed(0)``), and the predictions are evaluated at lifetimes' own estimates, so that the
tests can compare crmlib's formulas at equal parameters.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = ROOT / "tests" / "data" / "lifetimes_0_11_3.json"
TIGHT = 1e-10
#: Histories (frequency, recency, T) at which the predictions are compared.
HISTORIES = [(0, 0.0, 38.86), (1, 30.43, 38.86), (2, 5.0, 39.0), (5, 30.0, 35.0), (12, 38.0, 39.0), (3, 36.0, 36.0)]
#: Penalties (lifetimes' penalizer_coef) of the penalised fits.
PENALTIES = {"bgnbd": 0.05, "mbgnbd": 0.05, "pareto": 50.0}


# --- the lifetimes side (run with the bench interpreter) ---------------------------------------
def _tight_fit(cls: Any, *data: Any, penalizer: float = 0.0, weights: Any = None) -> tuple[Any, float]:
    import numpy as np
    from lifetimes.utils import ConvergenceError

    for i in range(4):
        tol = TIGHT * 10 ** i
        np.random.seed(0)
        try:
            kw = {"tol": tol, "maxiter": 100000}
            return cls(penalizer_coef=penalizer).fit(*data, weights=weights, **kw), tol
        except ConvergenceError:
            continue
    raise RuntimeError(f"{cls.__name__} did not converge")


def lifetimes_side(npz: str) -> dict[str, Any]:
    """lifetimes' estimates and predictions on the inputs in ``npz``."""
    import warnings

    import numpy as np

    warnings.simplefilter("ignore")
    import lifetimes

    with np.load(npz) as z:
        d = {k: z[k] for k in z.files}
    data = (d["frequency"], d["recency"], d["T"])
    from scaling import CLASSES

    classes = {m: getattr(lifetimes, CLASSES[m][1]) for m in ("bgnbd", "mbgnbd", "pareto")}
    out: dict[str, Any] = {"lifetimes": lifetimes.__version__, "histories": HISTORIES, "fits": {}}
    for model, cls in classes.items():
        fit, tol = _tight_fit(cls, *data)
        entry: dict[str, Any] = {"params": fit.params_.to_dict(), "tol": tol}
        pen, ptol = _tight_fit(cls, *data, penalizer=PENALTIES[model])
        entry["penalized"] = {"penalizer_coef": PENALTIES[model], "params": pen.params_.to_dict(), "tol": ptol}
        wfit, wtol = _tight_fit(cls, d["w_frequency"], d["w_recency"], d["w_T"], weights=d["w_weights"])
        entry["weighted"] = {"params": wfit.params_.to_dict(), "tol": wtol}
        x, tx, big_t = (np.array([h[i] for h in HISTORIES], dtype=float) for i in range(3))
        entry["p_alive"] = np.atleast_1d(fit.conditional_probability_alive(x, tx, big_t)).tolist()
        entry["expected_52"] = np.atleast_1d(
            fit.conditional_expected_number_of_purchases_up_to_time(52.0, x, tx, big_t)).tolist()
        entry["expected_new"] = {str(t): float(fit.expected_number_of_purchases_up_to_time(t))
                                 for t in (1.0, 39.0, 78.0)}
        if model == "pareto":
            entry["pmf_given"] = {f"{n}|{i}": float(fit.conditional_probability_of_n_purchases_up_to_time(
                n, 26.0, *HISTORIES[i])) for n in range(4) for i in range(len(HISTORIES))}
        else:
            entry["pmf_new"] = {str(n): float(fit.probability_of_n_purchases_up_to_time(39.0, n)) for n in range(8)}
        out["fits"][model] = entry
    return out


# --- the crmlib side ---------------------------------------------------------------------------
def inputs(path: Path) -> dict[str, Any]:
    """Write the CDNOW summary and a weighted subset (seeded integer weights on 500 rows) to ``path``."""
    import numpy as np

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from crmlib import datasets

    s = datasets.cdnow_summary("cdnow_sample")
    d = {c: s[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T")}
    w = np.random.default_rng(27).integers(0, 4, 500).astype(float)
    d.update({f"w_{c}": d[c][:500] for c in ("frequency", "recency", "T")}, w_weights=w)
    np.savez(path, **d)
    return d


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=str(Path(os.environ.get("CRMNB_BENCH_VENV", ROOT / ".venv-bench"))
                                            / "bin" / "python"), help="interpreter with lifetimes 0.11.3")
    ap.add_argument("--check", action="store_true", help="compare with the stored file instead of writing it")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print("LT-RESULT " + json.dumps(lifetimes_side(args.worker)))  # lifetimes prints on its own too
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        npz = Path(tmp) / "inputs.npz"
        inputs(npz)
        done = subprocess.run([args.python, str(Path(__file__).resolve()), "--worker", str(npz)],
                              capture_output=True, text=True)
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    new = json.loads(next(x for x in done.stdout.splitlines() if x.startswith("LT-RESULT "))[10:])
    if args.check:
        old = json.loads(OUT.read_text())
        print(json.dumps(old == new))
        return 0 if old == new else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
