"""Correctness checks and target verdicts of the benchmarks (numpy only, no timing).

The speed of an implementation only counts when its answer is the reference's answer:
:func:`compare_summaries` demands identical ``frequency``, ``recency`` and ``T`` and
``monetary_value`` equal to an absolute tolerance, :func:`compare_params` the largest
parameter difference of a model fit, and :class:`Target` states a goal and whether a measured
value meets it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

__all__ = ["EXACT_COLUMNS", "Target", "compare_summaries", "compare_params", "load_summary", "plain_summary"]

#: Summary columns that must agree exactly (whole periods and counts).
EXACT_COLUMNS = ("frequency", "recency", "T")


def plain_summary(customer_id: np.ndarray, date: np.ndarray, amount: np.ndarray, end: str,
                  unit_days: float = 1.0) -> dict[str, np.ndarray]:
    """Per-customer frequency, recency, T and monetary value, written plainly with pandas.

    The harness's own oracle: it gives the fit case an input that neither implementation
    computed, and the tests a reference without lifetimes. Purchases of a customer on the same
    calendar day are one occasion (spend summed); transactions after ``end`` are left out.

    Parameters
    ----------
    customer_id, date, amount : numpy.ndarray
        One entry per transaction (``date`` as datetime64).
    end : str
        Last day of observation, inclusive (``"YYYY-MM-DD"``).
    unit_days : float, default 1.0
        Length of the time unit in days (7 for weeks).

    Returns
    -------
    dict of str to numpy.ndarray
        ``customer_id`` (sorted), ``frequency`` (repeat occasions), ``recency`` and ``T`` (first
        occasion to last occasion / to ``end``, in units) and ``monetary_value`` (mean spend of
        the repeat occasions, 0 without any).
    """
    import pandas as pd

    tx = pd.DataFrame({"c": customer_id, "d": pd.to_datetime(date).normalize(), "m": amount})
    tx = tx[tx["d"] <= pd.Timestamp(end)]
    occ = tx.groupby(["c", "d"], sort=True)["m"].sum().reset_index()
    g = occ.groupby("c", sort=True)
    first, last = g["d"].min(), g["d"].max()
    frequency = (g.size() - 1).to_numpy(dtype=float)
    repeat_spend = (g["m"].sum() - g["m"].first()).to_numpy(dtype=float)
    unit = pd.Timedelta(days=unit_days)
    return {
        "customer_id": first.index.to_numpy(),
        "frequency": frequency,
        "recency": ((last - first) / unit).to_numpy(dtype=float),
        "T": ((pd.Timestamp(end) - first) / unit).to_numpy(dtype=float),
        "monetary_value": np.divide(repeat_spend, frequency, out=np.zeros_like(repeat_spend), where=frequency > 0),
    }


def load_summary(folder: Path) -> dict[str, np.ndarray]:
    """Read a summary saved by ``bench/worker.py rfm --out folder`` (one ``.npy`` per column)."""
    folder = Path(folder)
    return {name: np.load(folder / f"{name}.npy", allow_pickle=False)
            for name in ("customer_id",) + EXACT_COLUMNS + ("monetary_value",)}


def compare_summaries(ours: Mapping[str, np.ndarray], ref: Mapping[str, np.ndarray],
                      money_atol: float = 1e-9) -> dict:
    """Check that two per-customer summaries agree.

    Parameters
    ----------
    ours, ref : mapping of str to numpy.ndarray
        ``customer_id``, ``frequency``, ``recency``, ``T`` and ``monetary_value``, one entry per
        customer, both sorted by ``customer_id``.
    money_atol : float, default 1e-9
        Largest absolute difference allowed in ``monetary_value``.

    Returns
    -------
    dict
        ``ok`` (bool), ``customers`` (int, of ``ours``), ``max_abs_diff`` (column -> float, or
        None when the customers differ) and ``problems`` (list of str, empty when ``ok``).
    """
    problems: list[str] = []
    ids_a, ids_b = np.asarray(ours["customer_id"]), np.asarray(ref["customer_id"])
    diffs: dict[str, float | None] = {c: None for c in EXACT_COLUMNS + ("monetary_value",)}
    if ids_a.shape != ids_b.shape or not np.array_equal(ids_a, ids_b):
        only_a = np.setdiff1d(ids_a, ids_b)
        only_b = np.setdiff1d(ids_b, ids_a)
        problems.append(f"customers differ: {len(ids_a)} vs {len(ids_b)}; "
                        f"{len(only_a)} only in ours (e.g. {only_a[:3].tolist()}), "
                        f"{len(only_b)} only in the reference (e.g. {only_b[:3].tolist()})")
        return {"ok": False, "customers": int(len(ids_a)), "max_abs_diff": diffs, "problems": problems}
    for col in EXACT_COLUMNS + ("monetary_value",):
        a = np.asarray(ours[col], dtype=float)
        b = np.asarray(ref[col], dtype=float)
        bad_nan = np.isnan(a) != np.isnan(b)
        d = np.abs(a - b)
        d[np.isnan(d)] = 0.0
        diffs[col] = float(d.max()) if d.size else 0.0
        wrong = bad_nan | (d > (money_atol if col == "monetary_value" else 0.0))
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            rule = f"within {money_atol:g}" if col == "monetary_value" else "identical"
            problems.append(f"{col} not {rule} for {int(wrong.sum())} customer(s), first customer "
                            f"{ids_a[i]!r}: ours {a[i]!r}, reference {b[i]!r}")
    return {"ok": not problems, "customers": int(len(ids_a)), "max_abs_diff": diffs, "problems": problems}


def compare_params(ours: Mapping[str, float], ref: Mapping[str, float], atol: float = 1e-3) -> dict:
    """Largest absolute difference between two sets of fitted parameters.

    Parameters
    ----------
    ours, ref : mapping of str to float
        Parameter name -> value; the names must be the same.
    atol : float, default 1e-3
        Largest absolute difference allowed for every parameter.

    Returns
    -------
    dict
        ``ok`` (bool), ``max_abs_diff`` (float, inf when the names differ or a value is not
        finite), ``worst`` (the parameter with the largest difference) and ``problems``.
    """
    if set(ours) != set(ref):
        return {"ok": False, "max_abs_diff": float("inf"), "worst": None,
                "problems": [f"parameter names differ: {sorted(ours)} vs {sorted(ref)}"]}
    diffs = {k: abs(float(ours[k]) - float(ref[k])) for k in ref}
    diffs = {k: (d if np.isfinite(d) else float("inf")) for k, d in diffs.items()}
    worst = max(diffs, key=diffs.get) if diffs else None
    largest = diffs[worst] if worst is not None else 0.0
    problems = [f"{k}: ours {ours[k]!r}, reference {ref[k]!r} (|diff| {d:.3g} > {atol:g})"
                for k, d in diffs.items() if not d <= atol]
    return {"ok": not problems, "max_abs_diff": largest, "worst": worst, "problems": problems}


@dataclass
class Target:
    """A goal: ``value`` must be ``>=`` or ``<=`` ``limit``.

    Parameters
    ----------
    name : str
        What is measured, e.g. ``"RFM speed-up vs lifetimes"``.
    value : float or None
        The measurement; None when it could not be taken (which misses the target).
    op : {">=", "<="}
        How ``value`` compares with ``limit`` when the target is met.
    limit : float
        The goal.
    unit : str
        Unit shown after the numbers (``"x"``, ``"s"``, ``"MB"`` ...).
    """

    name: str
    value: float | None
    op: str
    limit: float
    unit: str = ""

    def __post_init__(self) -> None:
        if self.op not in (">=", "<="):
            raise ValueError(f"op must be '>=' or '<=', got {self.op!r}")

    @property
    def met(self) -> bool:
        """True when the value was measured and satisfies the goal."""
        if self.value is None or not np.isfinite(self.value):
            return False
        return self.value >= self.limit if self.op == ">=" else self.value <= self.limit

    def describe(self) -> str:
        """One line: name, value, goal and MET / MISSED."""
        shown = "not measured" if self.value is None else f"{self.value:.4g}{self.unit}"
        return f"{'met   ' if self.met else 'MISSED'}  {self.name}: {shown} (target {self.op} {self.limit:g}{self.unit})"
