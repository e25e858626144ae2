"""The ``prospects`` synthetic dataset: B2B prospects moving through a sales funnel.

The source's case "成功的概率" (seed text 001) follows 100 prospects: perhaps
half reach the "talking business" stage (谈生意) and "5 or fewer" close. Its
MAN rule says good prospects have Money (购买力), Authority (决策权) and
Need (需求). No real data come with the text, so chapters 01 and 03 share a
**synthetic** dataset drawn by :func:`generate` from a seeded generator whose
parameters make the funnel tell the source's story (about 50 % reach
negotiation, about 5 % close) and make the MAN attributes really drive
closing, so that a model fitted to the data has something true to find.

The generator is the dataset's definition: ``python -m crmlib.prospects``
rewrites ``datasets/synthetic/prospects.csv`` and a test checks that doing so
gives the identical bytes.

Columns
-------
prospect_id : str
    ``P0001`` …
industry : str
    One of :data:`INDUSTRIES`.
budget_kusd : float
    Budget the prospect could spend on the offer, thousand US dollars (Money).
decision_maker : bool
    The contact person decides the purchase (Authority).
influence : int
    The contact's influence on the purchase, 1 (none) – 5 (decides) (Authority).
need_score : int
    Assessed need for the product, 0 (none) – 10 (urgent) (Need).
stage_reached : str
    Furthest stage reached: ``prospect``, ``negotiation`` or ``deal``.
days_prospect : int
    Days spent in the prospect stage (until moving on or dropping out).
days_negotiation : int or empty
    Days spent negotiating; empty for prospects that never negotiated.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import MAX_ROWS, check_columns, check_int, check_size, check_whole

__all__ = ["INDUSTRIES", "STAGES", "DEFAULT_N", "DEFAULT_SEED", "COLUMNS", "check_prospects", "generate",
           "to_csv_bytes", "write"]

INDUSTRIES = ("manufacturing", "retail", "finance", "technology", "logistics", "healthcare")
_INDUSTRY_P = (0.25, 0.20, 0.15, 0.20, 0.10, 0.10)
STAGES = ("prospect", "negotiation", "deal")
DEFAULT_N = 2000
DEFAULT_SEED = 20241123
COLUMNS = ("prospect_id", "industry", "budget_kusd", "decision_maker", "influence", "need_score",
           "stage_reached", "days_prospect", "days_negotiation")

# Generator parameters (log-odds). Intercepts were solved once so that, in
# expectation, 50 % of prospects reach negotiation and 5 % close.
_MEDIAN_BUDGET = 60.0       # thousand USD
_BUDGET_SIGMA = 0.9         # log-scale spread of budgets
_P_DECISION_MAKER = 0.30
_NEG = {"intercept": -0.14, "log2_budget": 0.45, "decision_maker": 0.5, "influence": 0.15, "need": 0.3}
_DEAL = {"intercept": -3.52, "log2_budget": 0.6, "decision_maker": 1.1, "influence": 0.2, "need": 0.5}


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _log_odds(par: dict[str, float], log2_budget: np.ndarray, dm: np.ndarray, infl: np.ndarray,
              need: np.ndarray) -> np.ndarray:
    return (par["intercept"] + par["log2_budget"] * log2_budget + par["decision_maker"] * dm
            + par["influence"] * (infl - 3) + par["need"] * (need - 5))


def generate(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Draw the synthetic prospects table.

    Parameters
    ----------
    n : int
        Number of prospects, 1 … :data:`crmlib._validate.MAX_ROWS` (10**6).
    seed : int
        Seed of ``np.random.default_rng``; the same ``(n, seed)`` always gives
        the same table.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``days_negotiation`` is a nullable ``Int64``.

    Raises
    ------
    TypeError
        ``n`` or ``seed`` not an integer.
    ValueError
        ``n`` < 1 or above the limit, ``seed`` < 0.
    """
    n = check_size(n, "n", MAX_ROWS, low=1, what="prospects")
    seed = check_int(seed, "seed", low=0)
    rng = np.random.default_rng(seed)
    industry = rng.choice(np.array(INDUSTRIES), size=n, p=_INDUSTRY_P)
    budget = np.round(rng.lognormal(np.log(_MEDIAN_BUDGET), _BUDGET_SIGMA, n), 1)
    dm = rng.random(n) < _P_DECISION_MAKER
    influence = np.where(dm, rng.integers(3, 6, n), rng.integers(1, 5, n))
    need = rng.binomial(10, 0.5, n)
    lb = np.log2(budget / _MEDIAN_BUDGET)
    reach_neg = rng.random(n) < _expit(_log_odds(_NEG, lb, dm, influence, need))
    close = reach_neg & (rng.random(n) < _expit(_log_odds(_DEAL, lb, dm, influence, need)))
    # time in the prospect stage: about a month; negotiation: one month to a year or more,
    # longer for bigger projects (source: "一个月、两个月、半年、一年甚至更长，依据项目的规模")
    days_prospect = 7 + np.round(rng.gamma(2.0, 15.0, n)).astype(int)
    days_neg = 30 + np.round(rng.lognormal(np.log(90.0) + 0.35 * lb, 0.6, n)).astype(int)
    stage = np.where(close, "deal", np.where(reach_neg, "negotiation", "prospect"))
    return pd.DataFrame({
        "prospect_id": [f"P{i:04d}" for i in range(1, n + 1)],
        "industry": industry,
        "budget_kusd": budget,
        "decision_maker": dm,
        "influence": influence.astype(int),
        "need_score": need.astype(int),
        "stage_reached": stage,
        "days_prospect": days_prospect,
        "days_negotiation": pd.Series(days_neg, dtype="Int64").where(reach_neg, pd.NA),
    })


def check_prospects(prospects: pd.DataFrame, name: str = "prospects") -> pd.DataFrame:
    """Validate a prospects table (as loaded by ``datasets.load("prospects")``) and return it.

    Parameters
    ----------
    prospects : DataFrame
        Columns ``budget_kusd``, ``decision_maker``, ``influence``, ``need_score``,
        ``stage_reached``, ``days_prospect``, ``days_negotiation``.
    name : str
        Name used in error messages.

    Returns
    -------
    DataFrame
        ``prospects`` itself (unchanged).

    Raises
    ------
    TypeError
        Not a DataFrame, a numeric column that is not numeric, or
        ``decision_maker`` not boolean.
    ValueError
        Empty, a missing column, NaN, an infinite value, a negative budget,
        influence outside 1–5, need outside 0–10, negative days (in
        ``days_negotiation`` too, which may be empty), a fraction in a score or
        a count of days, an unknown stage, or negotiation days that disagree
        with the stage (empty for a prospect that negotiated, present for one
        that never did).
    """
    check_columns(prospects, ["budget_kusd", "decision_maker", "influence", "need_score", "stage_reached",
                              "days_prospect", "days_negotiation"], name,
                  numeric=["influence", "need_score"], nonnegative=["budget_kusd", "days_prospect"],
                  whole=["influence", "need_score", "days_prospect"])
    if not pd.api.types.is_bool_dtype(prospects["decision_maker"]):
        raise TypeError(f"{name} column 'decision_maker' must be boolean, "
                        f"got dtype {prospects['decision_maker'].dtype}")
    dn = prospects["days_negotiation"]
    if not (pd.api.types.is_numeric_dtype(dn) and not pd.api.types.is_bool_dtype(dn)) and not dn.isna().all():
        raise TypeError(f"{name} column 'days_negotiation' must be numeric (or empty), got dtype {dn.dtype}")
    if pd.api.types.is_numeric_dtype(dn):
        v = dn.to_numpy(dtype=float, na_value=np.nan)
        for bad, what in ((np.isinf(v), "infinite"), (v < 0, "negative")):
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(f"{name} column 'days_negotiation' is {what} at row {prospects.index.tolist()[i]!r} "
                                 f"({v[i]:g})")
        check_whole(v, f"{name} column 'days_negotiation'", prospects.index, rows=True)
    for col, lo, hi in (("influence", 1, 5), ("need_score", 0, 10)):
        out = ((prospects[col] < lo) | (prospects[col] > hi)).to_numpy()
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise ValueError(f"{name} column {col!r} must lie in [{lo}, {hi}], row {prospects.index.tolist()[i]!r} has "
                             f"{prospects[col].iloc[i]}")
    unknown = ~prospects["stage_reached"].isin(STAGES).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise ValueError(f"{name} column 'stage_reached' has unknown stage {prospects['stage_reached'].iloc[i]!r} "
                         f"at row {prospects.index.tolist()[i]!r}; stages are {list(STAGES)}")
    never = ((prospects["stage_reached"] == "prospect") & dn.notna()).to_numpy()
    if never.any():
        i = int(np.flatnonzero(never)[0])
        raise ValueError(f"{name} column 'days_negotiation' has days at row {prospects.index.tolist()[i]!r}, a prospect "
                         "that never negotiated (stage_reached 'prospect')")
    return prospects


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV bytes with fixed formatting (``\\n`` line ends, budget to 0.1).

    Parameters
    ----------
    df : DataFrame
        A table of :data:`COLUMNS` (e.g. :func:`generate`).

    Returns
    -------
    bytes
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in df.itertuples(index=False):
        neg = "" if pd.isna(r.days_negotiation) else str(int(r.days_negotiation))
        w.writerow([r.prospect_id, r.industry, f"{r.budget_kusd:.1f}", str(bool(r.decision_maker)),
                    int(r.influence), int(r.need_score), r.stage_reached, int(r.days_prospect), neg])
    return buf.getvalue().encode("utf-8")


def write(path: str | Path | None = None, n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> Path:
    """Generate and write the CSV (default: ``datasets/synthetic/prospects.csv``).

    Parameters
    ----------
    path : str or Path, optional
        Where to write.
    n : int
        Number of prospects.
    seed : int
        Seed of the generator.

    Returns
    -------
    Path
        The file written.
    """
    from .datasets import data_dir

    p = Path(path) if path is not None else data_dir() / "synthetic" / "prospects.csv"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(to_csv_bytes(generate(n, seed)))
    return p


if __name__ == "__main__":  # pragma: no cover
    print(write())
