"""Funnel probabilities: stage conversion, its uncertainty, planning and drivers.

The source's case "成功的概率" (seed text 001) follows 100 prospects (潜在客户):
80, 50 or 20 reach the "talking business" stage (谈生意) and perhaps 5 or
fewer close (成交). This module turns stage counts into conversion rates
with confidence intervals, plans how many prospects a sales target needs
(negative binomial), simulates funnels, times the pipeline and fits a
logistic regression of closing on Money, Authority and Need.

A *funnel* is a sequence of stage counts, largest first; a count may never
exceed the one before it (no prospect skips or re-enters a stage).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._validate import (MAX_DRAWS, as_float_array, check_int, check_nonnegative, check_probability, check_size,
                        check_whole)
from .prospects import STAGES, check_prospects

__all__ = [
    "check_funnel", "stage_rates", "overall_rate", "rate_intervals", "prob_at_least", "prospects_needed",
    "simulate_prospects_needed", "simulate_funnel", "expected_deals", "funnel_counts", "time_to_close",
    "PREDICTORS", "CloseModel", "fit_close_logit",
]


def check_funnel(counts: pd.Series | Mapping[str, int] | Sequence[int], name: str = "counts") -> pd.Series:
    """Validate stage counts and return them as an int Series indexed by stage.

    Parameters
    ----------
    counts : Series, mapping or sequence
        Number of prospects at each stage, first stage first. A plain sequence
        is labelled ``stage0, stage1, …``.
    name : str
        Name used in error messages.

    Raises
    ------
    TypeError
        A count is not a number.
    ValueError
        Fewer than two stages, NaN, a negative or fractional count, a first
        stage of 0, or a stage larger than the one before it (a funnel that grows).
    """
    if isinstance(counts, pd.Series):
        s = counts
    elif isinstance(counts, Mapping):
        s = pd.Series(dict(counts))
    else:
        v = as_float_array(counts, name)
        s = pd.Series(v, index=[f"stage{i}" for i in range(v.size)])
    v = as_float_array(s, name)
    if v.size < 2:
        raise ValueError(f"{name} needs at least two stages, got {v.size}")
    labels = list(s.index)
    check_nonnegative(v, name, labels)
    check_whole(v, name, labels)
    if v[0] == 0:
        raise ValueError(f"{name}[{labels[0]!r}] (the first stage) must be > 0")
    grows = np.flatnonzero(np.diff(v) > 0)
    if grows.size:
        i = int(grows[0])
        raise ValueError(f"{name} grows from stage {labels[i]!r} ({v[i]:g}) to {labels[i + 1]!r} ({v[i + 1]:g}); "
                         "a funnel can only shrink")
    return pd.Series(v.astype(int), index=s.index, name="count")


def stage_rates(counts: pd.Series | Mapping[str, int] | Sequence[int]) -> pd.DataFrame:
    """Stage-to-stage conversion rates.

    Returns
    -------
    DataFrame indexed ``"from→to"`` with ``from_stage``, ``to_stage``,
    ``n_from``, ``n_to`` and ``rate = n_to / n_from`` (NaN-free: a stage of 0
    after a 0 has rate 0).
    """
    c = check_funnel(counts)
    idx = list(c.index)
    n_from, n_to = c.to_numpy()[:-1], c.to_numpy()[1:]
    rate = np.divide(n_to, n_from, out=np.zeros(len(n_to)), where=n_from > 0)
    return pd.DataFrame({"from_stage": idx[:-1], "to_stage": idx[1:], "n_from": n_from, "n_to": n_to,
                         "rate": rate}, index=[f"{a}→{b}" for a, b in zip(idx[:-1], idx[1:])])


def overall_rate(counts: pd.Series | Mapping[str, int] | Sequence[int]) -> float:
    """Overall success probability: last stage / first stage (= product of the stage rates)."""
    c = check_funnel(counts)
    return float(c.iloc[-1] / c.iloc[0])


def rate_intervals(counts: pd.Series | Mapping[str, int] | Sequence[int], alpha: float = 0.05,
                   method: str = "wilson") -> pd.DataFrame:
    """:func:`stage_rates` plus confidence intervals for each rate.

    Uses statsmodels' ``proportion_confint`` with ``method`` ``"wilson"``
    (Wilson 1927) or ``"jeffreys"`` (the Bayesian interval under a
    Beta(½, ½) prior). Adds ``lower``, ``upper`` and ``width``. A transition
    from an empty stage is rejected (no interval exists).
    """
    from statsmodels.stats.proportion import proportion_confint

    r = stage_rates(counts)
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    if method not in ("wilson", "jeffreys"):
        raise ValueError(f"method must be 'wilson' or 'jeffreys', got {method!r}")
    empty = np.flatnonzero(r["n_from"].to_numpy() == 0)
    if empty.size:
        raise ValueError(f"counts: stage {r['from_stage'].iloc[empty[0]]!r} is 0, so the rate out of it has "
                         "no interval")
    lo, hi = proportion_confint(r["n_to"].to_numpy(), r["n_from"].to_numpy(), alpha=alpha, method=method)
    return r.assign(lower=np.asarray(lo, float), upper=np.asarray(hi, float),
                    width=np.asarray(hi, float) - np.asarray(lo, float))


def _check_k_p(k: Any, p: Any) -> tuple[int, float]:
    return check_int(k, "k", low=1), check_probability(p, "p", open_low=True)


def prob_at_least(k: int, n: int, p: float) -> float:
    """P(at least ``k`` deals from ``n`` prospects), each closing independently with probability ``p``."""
    k, p = _check_k_p(k, p)
    n = check_int(n, "n", low=0)
    return float(stats.binom.sf(k - 1, n, p))


def prospects_needed(k: int, p: float, target: float = 0.9) -> int:
    """Smallest number of prospects that gives at least ``k`` deals with probability ``target``.

    The number of prospects worked through until the ``k``-th deal is ``k``
    plus a negative binomial count of failures, so the answer is
    ``k + nbinom.ppf(target, k, p)``; it is confirmed against the binomial
    tail (``P(Bin(n, p) >= k) >= target``) to guard against rounding.

    Parameters
    ----------
    k : int
        Deals wanted (> 0).
    p : float
        Overall close probability per prospect, in (0, 1].
    target : float
        Probability of reaching ``k`` deals, in (0, 1).
    """
    k, p = _check_k_p(k, p)
    target = _open_probability(target, "target")
    n = k + int(stats.nbinom.ppf(target, k, p))
    while n > k and stats.binom.sf(k - 1, n - 1, p) >= target:
        n -= 1
    while stats.binom.sf(k - 1, n, p) < target:
        n += 1
    return n


def _open_probability(value: Any, name: str) -> float:
    """A probability strictly inside (0, 1) (a target that is neither impossible nor certain)."""
    return check_probability(value, name, open_low=True, open_high=True)


def _check_rng(rng: Any) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator (seeded), e.g. np.random.default_rng(seed)")
    return rng


#: Largest number of prospects in one simulated funnel (numpy's binomial draws take a 64-bit count).
MAX_PROSPECTS = 2**62


def simulate_prospects_needed(k: int, p: float, n_sims: int, rng: np.random.Generator) -> np.ndarray:
    """Monte Carlo: for each of ``n_sims`` salespeople, prospects worked through until the ``k``-th deal.

    Parameters
    ----------
    k : int
        Deals wanted (> 0).
    p : float
        Close probability per prospect, in (0, 1].
    n_sims : int
        Simulated salespeople, 1 … :data:`crmlib._validate.MAX_DRAWS` (10**7).
    rng : numpy.random.Generator
        Seeded generator.

    Returns
    -------
    ndarray of int, shape ``(n_sims,)``.

    Raises
    ------
    TypeError
        A non-integer ``k`` or ``n_sims``, a non-number ``p``, an unseeded ``rng``.
    ValueError
        ``k < 1``, ``p`` outside (0, 1], ``n_sims`` < 1 or above the limit.
    """
    k, p = _check_k_p(k, p)
    n_sims = check_size(n_sims, "n_sims", MAX_DRAWS, low=1, what="simulated salespeople")
    return k + _check_rng(rng).negative_binomial(k, p, size=n_sims)


def _check_rates(rates: Sequence[float]) -> np.ndarray:
    r = as_float_array(rates, "rates")
    out = np.flatnonzero((r < 0) | (r > 1))
    if out.size:
        i = int(out[0])
        raise ValueError(f"rates[{i}] must be {'>= 0.0' if r[i] < 0 else '<= 1.0'} (a probability), got {r[i]}")
    return r


def simulate_funnel(n: int, rates: Sequence[float], n_sims: int, rng: np.random.Generator) -> np.ndarray:
    """Simulate ``n_sims`` funnels of ``n`` prospects passing stages with the given ``rates``.

    Parameters
    ----------
    n : int
        Prospects entering each funnel, 0 … 2**62.
    rates : sequence of float
        Stage-to-stage pass rates, each in [0, 1].
    n_sims : int
        Funnels to simulate; ``n_sims * (len(rates) + 1)`` may not exceed
        :data:`crmlib._validate.MAX_DRAWS` (10**7).
    rng : numpy.random.Generator
        Seeded generator.

    Returns
    -------
    ndarray
        Int array of shape ``(n_sims, len(rates) + 1)``: the count at every
        stage, starting with ``n``.

    Raises
    ------
    TypeError
        A non-integer ``n`` or ``n_sims``, a rate that is not a number, an unseeded ``rng``.
    ValueError
        A rate outside [0, 1], NaN or infinite; ``n`` or the simulation's size above its limit.
    """
    n = check_size(n, "n", MAX_PROSPECTS, what="prospects")
    r = _check_rates(rates)
    n_sims = check_size(n_sims, "n_sims", MAX_DRAWS // (r.size + 1), low=1,
                        what=f"funnels of {r.size + 1} stages (10**7 draws)")
    rng = _check_rng(rng)
    out = np.empty((n_sims, r.size + 1), dtype=np.int64)
    out[:, 0] = n
    for j, x in enumerate(r):
        out[:, j + 1] = rng.binomial(out[:, j], x)
    return out


def expected_deals(n: int, rates: Sequence[float], level: float = 0.9) -> dict[str, float]:
    """Expected deals from ``n`` prospects and a central ``level`` band (exact binomial quantiles).

    Passing independent stages with rates ``r1, r2, …`` makes the number of
    deals Binomial(n, r1·r2·…).
    """
    n = check_int(n, "n", low=0)
    r = _check_rates(rates)
    level = _open_probability(level, "level")
    p = float(np.prod(r))
    tail = (1 - level) / 2
    return {"p_overall": p, "mean": n * p, "lower": float(stats.binom.ppf(tail, n, p)),
            "upper": float(stats.binom.ppf(1 - tail, n, p)), "level": level}


def funnel_counts(prospects: pd.DataFrame) -> pd.Series:
    """How many prospects reached each stage (prospect, negotiation, deal) in a prospects table."""
    df = check_prospects(prospects)
    order = {s: i for i, s in enumerate(STAGES)}
    reached = df["stage_reached"].map(order).to_numpy()
    return pd.Series([int((reached >= i).sum()) for i in range(len(STAGES))], index=list(STAGES), name="count")


def time_to_close(prospects: pd.DataFrame) -> pd.Series:
    """Days from first contact to deal (prospect days + negotiation days) for every closed prospect.

    Raises if a prospect that negotiated lacks its negotiation days or any day count is negative.
    """
    df = check_prospects(prospects)
    neg = df["stage_reached"].isin(["negotiation", "deal"]).to_numpy()
    dn = df["days_negotiation"]
    missing = neg & dn.isna().to_numpy()
    if missing.any():
        row = df.index.tolist()[int(np.flatnonzero(missing)[0])]
        raise ValueError(f"prospects column 'days_negotiation' is empty at row {row!r}, a prospect that negotiated")
    deals = df[df["stage_reached"] == "deal"]
    if deals.empty:
        raise ValueError("prospects has no deals, so there is no time to close")
    days = deals["days_prospect"].astype(float) + deals["days_negotiation"].astype(float)
    bad = np.flatnonzero(deals["days_negotiation"].astype(float).to_numpy() < 0)
    if bad.size:
        raise ValueError(f"prospects column 'days_negotiation' is negative at row {deals.index.tolist()[bad[0]]!r}")
    return days.rename("days_to_close")


@dataclass(frozen=True)
class CloseModel:
    """A fitted logit of closing on Money, Authority and Need.

    Attributes
    ----------
    result : statsmodels ``LogitResults``
        The fit (``summary()``, ``params``, ``conf_int()`` …).
    odds_ratios : DataFrame
        Per predictor: ``odds_ratio``, ``lower``, ``upper`` (95 % Wald CI), ``pvalue``.
    n : int
        Prospects used.
    """

    result: Any
    odds_ratios: pd.DataFrame
    n: int

    def predict(self, prospects: pd.DataFrame) -> pd.Series:
        """Predicted close probability of each prospect.

        Raises
        ------
        TypeError, ValueError
            As :func:`crmlib.prospects.check_prospects`, or a budget of 0.
        """
        X = _design(check_prospects(prospects))
        return pd.Series(np.asarray(self.result.predict(X)), index=prospects.index, name="p_close")


PREDICTORS = ("money", "authority", "need")


def _design(df: pd.DataFrame) -> pd.DataFrame:
    zero = np.flatnonzero(df["budget_kusd"].to_numpy() <= 0)
    if zero.size:
        raise ValueError(f"prospects column 'budget_kusd' must be > 0 for the logit (log budget) at row "
                         f"{df.index.tolist()[zero[0]]!r}")
    return pd.DataFrame({"const": 1.0,
                         "money": np.log2(df["budget_kusd"].astype(float)),
                         "authority": df["decision_maker"].astype(float),
                         "need": df["need_score"].astype(float)}, index=df.index)


def fit_close_logit(prospects: pd.DataFrame, alpha: float = 0.05, *, maxiter: int = 35) -> CloseModel:
    """Logistic regression of deal (yes/no) on Money, Authority and Need.

    Predictors: ``money`` = log2 budget (odds ratio per doubling of budget),
    ``authority`` = the contact decides (0/1), ``need`` = need score (per
    point). Fitted by maximum likelihood with statsmodels' ``Logit``.

    Parameters
    ----------
    prospects : DataFrame
        A prospects table (:func:`crmlib.prospects.check_prospects`).
    alpha : float
        1 − confidence level of the odds ratios' intervals, in (0, 1).
    maxiter : int
        Newton iterations, 1 … 10,000.

    Returns
    -------
    CloseModel

    Raises
    ------
    TypeError, ValueError
        As :func:`crmlib.prospects.check_prospects` (NaN and infinities
        included); a budget of 0; no deals or only deals; a bad ``alpha`` or
        ``maxiter``.

    Warns
    -----
    crmlib.warnings.SeparationWarning
        A predictor separates deals from non-deals (e.g. every prospect with
        need >= 7 closed and no other did): its odds ratio would be ~1e17 with
        interval [0, inf], which is not an estimate.
    crmlib.warnings.ConvergenceWarning
        The fit stopped after ``maxiter`` iterations without converging.
    """
    from ._logit import fit_logit

    df = check_prospects(prospects)
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    y = (df["stage_reached"] == "deal").astype(float)
    if y.nunique() < 2:
        raise ValueError("prospects must contain both deals and non-deals to fit a logit")
    X = _design(df)
    res = fit_logit(y, X, "close model", maxiter=maxiter, outcome="deal")
    with np.errstate(over="ignore"):        # a separated term's odds ratio overflows to inf (and warned)
        ci = np.exp(res.conf_int(alpha=alpha))
        ors = pd.DataFrame({"odds_ratio": np.exp(res.params), "lower": ci[0], "upper": ci[1],
                            "pvalue": res.pvalues}).loc[list(PREDICTORS)]
    return CloseModel(res, ors, int(len(df)))
