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

from ._logit import LogitResults, fit_logit, odds_ratio_table
from ._validate import (MAX_DRAWS, as_float_array, check_aligned, check_generator, check_int, check_nonnegative,
                        check_probability, check_same_length, check_size, check_unique, check_whole, plain)
from .prospects import STAGES, check_prospects

__all__ = [
    "check_funnel", "stage_rates", "overall_rate", "rate_intervals", "prob_at_least", "prospects_needed",
    "simulate_prospects_needed", "simulate_funnel", "expected_deals", "DealsBand", "funnel_counts", "time_to_close",
    "PREDICTORS", "CloseModel", "fit_close_logit", "case_funnels", "scenario_table", "case_results",
    "as_intervals", "interval_comparison", "interval_methods", "plan_pipelines", "timing_summary", "simulation_check",
    "close_model_results",
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

    Returns
    -------
    Series
        The counts as ints, indexed by stage, named ``count``.

    Raises
    ------
    TypeError
        A count is not a number.
    ValueError
        Fewer than two stages, a stage named twice, NaN, a negative or fractional
        count, a first stage of 0, or a stage larger than the one before it (a funnel
        that grows).
    """
    if isinstance(counts, pd.Series):
        check_unique(counts.index, name, "stage")
        s = counts
    elif isinstance(counts, Mapping):
        s = pd.Series(dict(counts))
    else:
        v = as_float_array(counts, name)
        s = pd.Series(v, index=[f"stage{i}" for i in range(v.size)])
    v = as_float_array(s, name)
    if v.size < 2:
        raise ValueError(f"{name} needs at least two stages, got {v.size}")
    labels = [plain(x) for x in s.index]
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

    Parameters
    ----------
    counts : Series, mapping or sequence
        Stage counts, first stage first (:func:`check_funnel`).

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
    """Overall success probability: last stage / first stage (= product of the stage rates).

    Parameters
    ----------
    counts : Series, mapping or sequence
        Stage counts, first stage first (:func:`check_funnel`).

    Returns
    -------
    float
    """
    c = check_funnel(counts)
    return float(c.iloc[-1] / c.iloc[0])


def rate_intervals(counts: pd.Series | Mapping[str, int] | Sequence[int], alpha: float = 0.05,
                   method: str = "wilson") -> pd.DataFrame:
    """:func:`stage_rates` plus confidence intervals for each rate.

    Uses statsmodels' ``proportion_confint`` with ``method`` ``"wilson"``
    (Wilson 1927) or ``"jeffreys"`` (the Bayesian interval under a
    Beta(½, ½) prior). Adds ``lower``, ``upper`` and ``width``. A transition
    from an empty stage is rejected (no interval exists).

    Parameters
    ----------
    counts : Series, mapping or sequence
        Stage counts, first stage first.
    alpha : float
        1 − confidence level, in (0, 1).
    method : {"wilson", "jeffreys"}
        The interval.

    Returns
    -------
    DataFrame
        :func:`stage_rates` with ``lower``, ``upper`` and ``width``; ``attrs`` holds ``alpha`` and
        ``method`` (the figures state the level).
    """
    from statsmodels.stats.proportion import proportion_confint

    r = stage_rates(counts)
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    if method not in ("wilson", "jeffreys"):
        raise ValueError(f"method must be 'wilson' or 'jeffreys', got {method!r}")
    empty = np.flatnonzero(r["n_from"].to_numpy() == 0)
    if empty.size:
        raise ValueError(f"counts: stage {plain(r['from_stage'].iloc[empty[0]])!r} is 0, so the rate out of it has "
                         "no interval")
    lo, hi = proportion_confint(r["n_to"].to_numpy(), r["n_from"].to_numpy(), alpha=alpha, method=method)
    out = r.assign(lower=np.asarray(lo, float), upper=np.asarray(hi, float),
                   width=np.asarray(hi, float) - np.asarray(lo, float))
    out.attrs.update(alpha=alpha, method=method)
    return out


def _check_k_p(k: Any, p: Any) -> tuple[int, float]:
    return check_int(k, "k", low=1), check_probability(p, "p", open_low=True)


def prob_at_least(k: int, n: int, p: float) -> float:
    """P(at least ``k`` deals from ``n`` prospects), each closing independently with probability ``p``.

    Parameters
    ----------
    k : int
        Deals (> 0).
    n : int
        Prospects (>= 0).
    p : float
        Close probability per prospect, in (0, 1].

    Returns
    -------
    float
        The binomial upper tail ``P(Bin(n, p) >= k)``.
    """
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

    Returns
    -------
    int
        The pipeline size ``n_k``.
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


_check_rng = check_generator


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


@dataclass(frozen=True)
class DealsBand:
    """Deals from ``n`` prospects passing independent stages: Binomial(n, r1·r2·…).

    Parameters
    ----------
    n : int
        Prospects in the pipeline.
    rates : tuple of float
        Stage pass rates.
    p_overall : float
        Their product, the close probability per prospect.
    mean : float
        Expected deals, ``n * p_overall``.
    lower, upper : float
        The central ``level`` band (exact binomial quantiles).
    level : float
        Probability of the band.
    """

    n: int
    rates: tuple[float, ...]
    p_overall: float
    mean: float
    lower: float
    upper: float
    level: float

    def __getitem__(self, name: str) -> Any:
        """``band["mean"]`` as well as ``band.mean`` (the dict this used to be)."""
        if name not in self.__dataclass_fields__:
            raise KeyError(name)
        return getattr(self, name)

    @property
    def coverage(self) -> float:
        """The band's exact probability P(lower ≤ deals ≤ upper): at least ``level``, as deals are whole numbers."""
        p = self.p_overall
        return float(stats.binom.cdf(self.upper, self.n, p) - stats.binom.cdf(self.lower - 1, self.n, p))

    def pmf(self, k_max: int | None = None) -> pd.Series:
        """Probability of each number of deals 0 … ``k_max``.

        Parameters
        ----------
        k_max : int, optional
            Largest count shown (default: well past the band, at most ``n``).

        Returns
        -------
        Series
            Indexed by the number of deals.
        """
        p = self.p_overall
        if k_max is None:
            k_max = int(max(self.upper * 1.6, self.mean + 4 * np.sqrt(max(self.n * p * (1 - p), 1)), 5))
        k = np.arange(0, min(check_int(k_max, "k_max", low=0), self.n) + 1)
        return pd.Series(stats.binom.pmf(k, self.n, p), index=pd.Index(k, name="deals"), name="probability")


def expected_deals(n: int, rates: Sequence[float], level: float = 0.9) -> DealsBand:
    """Expected deals from ``n`` prospects and a central ``level`` band (exact binomial quantiles).

    Passing independent stages with rates ``r1, r2, …`` makes the number of
    deals Binomial(n, r1·r2·…).

    Parameters
    ----------
    n : int
        Prospects, 0 … 2**62.
    rates : sequence of float
        Stage pass rates, each in [0, 1].
    level : float
        Probability of the band, in (0, 1).

    Returns
    -------
    DealsBand
    """
    n = check_size(n, "n", MAX_PROSPECTS, what="prospects")
    r = _check_rates(rates)
    level = _open_probability(level, "level")
    p = float(np.prod(r))
    tail = (1 - level) / 2
    return DealsBand(n=n, rates=tuple(float(x) for x in r), p_overall=p, mean=n * p,
                     lower=float(stats.binom.ppf(tail, n, p)), upper=float(stats.binom.ppf(1 - tail, n, p)),
                     level=level)


def funnel_counts(prospects: pd.DataFrame) -> pd.Series:
    """How many prospects reached each stage (prospect, negotiation, deal) in a prospects table.

    Parameters
    ----------
    prospects : DataFrame
        A prospects table (:func:`crmlib.prospects.check_prospects`).

    Returns
    -------
    Series
        Counts indexed by stage, a funnel (each stage counts the prospects that reached it or went further).
    """
    df = check_prospects(prospects)
    order = {s: i for i, s in enumerate(STAGES)}
    reached = df["stage_reached"].map(order).to_numpy()
    return pd.Series([int((reached >= i).sum()) for i in range(len(STAGES))], index=list(STAGES), name="count")


def time_to_close(prospects: pd.DataFrame) -> pd.Series:
    """Days from first contact to deal (prospect days + negotiation days) for every closed prospect.

    Raises if a deal lacks its negotiation days, or any day count is negative or fractional
    (:func:`crmlib.prospects.check_prospects`).

    Parameters
    ----------
    prospects : DataFrame
        A prospects table with ``days_prospect`` and ``days_negotiation``.

    Returns
    -------
    Series
        ``days_to_close`` of every deal, indexed like ``prospects``.
    """
    df = check_prospects(prospects)
    deals = df[df["stage_reached"] == "deal"]
    if deals.empty:
        raise ValueError("prospects has no deals, so there is no time to close")
    missing = deals["days_negotiation"].isna().to_numpy()
    if missing.any():
        raise ValueError(f"prospects column 'days_negotiation' is empty at row "
                         f"{deals.index.tolist()[int(np.flatnonzero(missing)[0])]!r}, a deal (it negotiated)")
    days = deals["days_prospect"].astype(float) + deals["days_negotiation"].astype(float)
    return days.rename("days_to_close")


@dataclass(frozen=True)
class CloseModel(LogitResults):
    """A fitted logit of closing on Money, Authority and Need (statsmodels' results convention).

    Parameters
    ----------
    result : statsmodels ``LogitResults``
        The fit; its full table is ``result.summary()``.
    odds_ratios : DataFrame
        Per predictor (not the constant): ``odds_ratio``, ``lower``, ``upper``
        (Wald interval at the fit's level) and ``pvalue``: the same columns as
        :attr:`crmlib.crosssell.RetentionLogit.odds_ratios`.
    n : int
        Prospects used.

    Notes
    -----
    ``params``, ``bse``, ``pvalues``, ``nobs`` (same as ``n``), ``conf_int()`` and ``summary()`` are
    statsmodels' (log-odds scale, constant included), shared with :class:`crmlib.crosssell.RetentionLogit`.
    """

    result: Any
    odds_ratios: pd.DataFrame
    n: int

    def __post_init__(self) -> None:
        cols = ["odds_ratio", "lower", "upper", "pvalue"]
        if not isinstance(self.odds_ratios, pd.DataFrame) or any(c not in self.odds_ratios for c in cols):
            raise ValueError(f"odds_ratios must be a DataFrame with columns {cols}")
        object.__setattr__(self, "odds_ratios", self.odds_ratios[cols].copy())

    def predict(self, prospects: pd.DataFrame) -> pd.Series:
        """Predicted close probability of each prospect.

        Parameters
        ----------
        prospects : DataFrame
            A prospects table (:func:`crmlib.prospects.check_prospects`).

        Returns
        -------
        Series
            ``p_close``, same index as ``prospects``.

        Raises
        ------
        TypeError, ValueError
            As :func:`crmlib.prospects.check_prospects`, or a budget of 0.
        """
        X = _design(check_prospects(prospects))
        return pd.Series(np.asarray(self.result.predict(X)), index=prospects.index, name="p_close")

    def mean_predicted(self, prospects: pd.DataFrame, qualified: pd.Series) -> dict[str, float]:
        """Mean predicted close probability of the qualified and the other prospects.

        Parameters
        ----------
        prospects : DataFrame
            A prospects table.
        qualified : Series of bool
            The same labels as ``prospects`` (e.g. ``qualify_man(prospects)["man"]``), in any
            order: paired by label.

        Returns
        -------
        dict
            ``{"man": …, "not_man": …, "n_man": …, "n_not_man": …}``.

        Raises
        ------
        TypeError
            ``qualified`` not a boolean Series.
        ValueError
            ``qualified`` and ``prospects`` have different labels.
        """
        if not isinstance(qualified, pd.Series) or not pd.api.types.is_bool_dtype(qualified):
            raise TypeError("qualified must be a boolean pandas Series")
        qualified = check_aligned(prospects, "prospects", qualified, "qualified")
        p = self.predict(prospects)
        return {"man": float(p[qualified].mean()), "not_man": float(p[~qualified].mean()),
                "n_man": int(qualified.sum()), "n_not_man": int((~qualified).sum())}


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
    df = check_prospects(prospects)
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    y = (df["stage_reached"] == "deal").astype(float)
    if y.nunique() < 2:
        raise ValueError("prospects must contain both deals and non-deals to fit a logit")
    X = _design(df)
    res = fit_logit(y, X, "close model", maxiter=maxiter, outcome="deal")
    return CloseModel(res, odds_ratio_table(res, PREDICTORS, alpha), int(len(df)))


# ---------------------------------------------------------------- the chapter's analyses, as tables and dicts
def case_funnels(case: pd.DataFrame) -> dict[str, pd.Series]:
    """The ``funnel_case`` dataset as one checked funnel per scenario.

    Parameters
    ----------
    case : DataFrame
        Columns ``scenario``, ``stage``, ``stage_order``, ``count`` (one row per scenario and stage).

    Returns
    -------
    dict
        Scenario (in the order of the data) -> counts indexed by stage (:func:`check_funnel`).
    """
    from ._validate import check_columns

    check_columns(case, ["scenario", "stage", "stage_order", "count"], "case", numeric=["stage_order", "count"])
    out = {}
    for sc in dict.fromkeys(case["scenario"]):
        c = case[case["scenario"] == sc].sort_values("stage_order")
        out[sc] = check_funnel(c.set_index("stage")["count"], f"case[{plain(sc)!r}]")
    return out


def scenario_table(funnels: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Stage counts, conversion rates and overall success of each funnel of three stages.

    Parameters
    ----------
    funnels : mapping
        Name -> counts at the stages prospect, negotiation, deal (e.g. :func:`case_funnels`).

    Returns
    -------
    DataFrame
        Indexed by name: ``prospect``, ``negotiation``, ``deal`` (counts), ``to_negotiation``,
        ``to_deal`` (stage rates) and ``overall`` (deal / prospect).
    """
    rows = {}
    for name, counts in funnels.items():
        c = check_funnel(counts, f"funnels[{name!r}]")
        if list(c.index) != list(STAGES):
            raise ValueError(f"funnels[{name!r}] must have the stages {list(STAGES)}, got {list(c.index)}")
        r = stage_rates(c)["rate"].to_numpy()
        rows[name] = {**c.to_dict(), "to_negotiation": r[0], "to_deal": r[1], "overall": overall_rate(c)}
    return pd.DataFrame.from_dict(rows, orient="index")


def case_results(funnels: Mapping[str, pd.Series]) -> dict[str, dict[str, Any]]:
    """The case's numbers grouped by how they are qualified (for ``Chapter.record_many``).

    Parameters
    ----------
    funnels : mapping
        Scenario -> counts (:func:`case_funnels`).

    Returns
    -------
    dict
        ``"count"``: ``"<scenario>.count.<stage>"`` for the stages before the deal; ``"deal_count"``:
        ``"<scenario>.count.deal"`` (an upper bound: "5 or fewer"); ``"rate"``:
        ``"<scenario>.rate.negotiation"``; ``"bounded"``: ``"<scenario>.rate.deal"`` and
        ``"<scenario>.overall"``, upper bounds because the deal count is.
    """
    tab = scenario_table(funnels)
    out: dict[str, dict[str, Any]] = {"count": {}, "deal_count": {}, "rate": {}, "bounded": {}}
    for sc, row in tab.iterrows():
        for stage in STAGES:
            out["deal_count" if stage == "deal" else "count"][f"{sc}.count.{stage}"] = int(row[stage])
        out["rate"][f"{sc}.rate.negotiation"] = float(row["to_negotiation"])
        out["bounded"][f"{sc}.rate.deal"] = float(row["to_deal"])
        out["bounded"][f"{sc}.overall"] = float(row["overall"])
    return out


def as_intervals(frame: pd.DataFrame, key: str | None = None) -> dict[str, list[float]]:
    """The ``[lower, upper]`` of each row, keyed by the index (or by the column ``key``).

    Parameters
    ----------
    frame : DataFrame
        With columns ``lower`` and ``upper`` (e.g. :func:`rate_intervals`, ``CloseModel.odds_ratios``).
    key : str, optional
        Column whose values name the rows (e.g. ``"to_stage"``).

    Returns
    -------
    dict
        Name -> ``[lower, upper]``.
    """
    from ._validate import check_columns

    check_columns(frame, ["lower", "upper"] + ([key] if key else []), "frame", numeric=["lower", "upper"])
    names = frame[key] if key else frame.index
    return {str(n): [float(lo), float(hi)] for n, lo, hi in zip(names, frame["lower"], frame["upper"])}


def interval_comparison(funnels: Mapping[str, pd.Series], big: int, method: str = "wilson",
                        alpha: float = 0.05) -> dict[str, Any]:
    """Stage-rate intervals of each funnel as observed and with the same rates on ``big`` prospects.

    Parameters
    ----------
    funnels : mapping
        Name -> counts (:func:`case_funnels`); each first stage must divide ``big``.
    big : int
        The larger number of prospects (e.g. 2000).
    method : {"wilson", "jeffreys"}
        Interval (:func:`rate_intervals`).
    alpha : float
        1 − confidence level.

    Returns
    -------
    dict
        ``"intervals"``: ``(name, n) -> rate_intervals`` table for both sizes; ``"ci"``:
        ``"<name>.n<n>.<stage>" -> [lower, upper]``; ``"width_ratio"``: the mean, over funnels and
        transitions, of the interval width at the observed size over the width at ``big``.
    """
    big = check_int(big, "big", low=1)
    intervals: dict[tuple[str, int], pd.DataFrame] = {}
    ci: dict[str, list[float]] = {}
    ratios = []
    for name, counts in funnels.items():
        c = check_funnel(counts, f"funnels[{name!r}]")
        first = int(c.iloc[0])
        if big % first:
            raise ValueError(f"big ({big}) must be a multiple of the first stage of {name!r} ({first})")
        small_iv = rate_intervals(c, alpha=alpha, method=method)
        big_iv = rate_intervals(c * (big // first), alpha=alpha, method=method)
        for n_first, iv in ((first, small_iv), (big, big_iv)):
            intervals[(name, n_first)] = iv
            ci.update({f"{name}.n{n_first}.{k}": v for k, v in as_intervals(iv, "to_stage").items()})
        ratios.extend(small_iv["width"].to_numpy() / big_iv["width"].to_numpy())
    return {"intervals": intervals, "ci": ci, "width_ratio": float(np.mean(ratios))}


def interval_methods(funnels: Mapping[str, pd.Series], big: int, into: str = "deal",
                     alpha: float = 0.05) -> pd.DataFrame:
    """Wilson and Jeffreys intervals side by side for the rate into one stage, as observed and on ``big`` prospects.

    Parameters
    ----------
    funnels : mapping
        Name -> counts (:func:`case_funnels`); each first stage must divide ``big``.
    big : int
        The larger number of prospects (:func:`interval_comparison`).
    into : str
        The stage the rate leads into (``"deal"``: negotiation → deal).
    alpha : float
        1 − confidence level.

    Returns
    -------
    DataFrame
        One row per funnel and size: ``scenario``, ``prospects``, ``n_from``, ``n_to``, ``rate``,
        ``wilson_lower``, ``wilson_upper``, ``jeffreys_lower``, ``jeffreys_upper``.
    """
    if not isinstance(into, str):
        raise TypeError(f"into must be a stage name, got {into!r}")
    by = {m: interval_comparison(funnels, big, method=m, alpha=alpha)["intervals"] for m in ("wilson", "jeffreys")}
    rows = []
    for (name, n), iv in by["wilson"].items():
        w, j = iv.set_index("to_stage"), by["jeffreys"][(name, n)].set_index("to_stage")
        if into not in w.index:
            raise ValueError(f"into must be one of the stages entered, {list(w.index)}; got {into!r}")
        rows.append({"scenario": name, "prospects": n, "n_from": int(w.loc[into, "n_from"]),
                     "n_to": int(w.loc[into, "n_to"]), "rate": float(w.loc[into, "rate"]),
                     "wilson_lower": float(w.loc[into, "lower"]), "wilson_upper": float(w.loc[into, "upper"]),
                     "jeffreys_lower": float(j.loc[into, "lower"]), "jeffreys_upper": float(j.loc[into, "upper"])})
    return pd.DataFrame(rows)


def plan_pipelines(ks: Sequence[int], p: float, target: float, n_sims: int,
                   rngs: Sequence[np.random.Generator], grid_points: int = 12) -> dict[str, Any]:
    """Smallest pipelines for ``k`` deals, checked exactly and by simulated salespeople.

    For each ``k``: :func:`prospects_needed`, its exact probability :func:`prob_at_least`, and
    the Monte Carlo share of ``n_sims`` salespeople (:func:`simulate_prospects_needed`) who reach
    ``k`` deals with that many prospects and with one fewer.

    Parameters
    ----------
    ks : sequence of int
        Deals wanted.
    p : float
        Close probability per prospect.
    target : float
        Probability of reaching ``k`` deals.
    n_sims : int
        Simulated salespeople per ``k``.
    rngs : sequence of numpy.random.Generator
        One seeded generator per ``k``.
    grid_points : int
        Pipeline sizes at which the simulation is also summarised (for the figure).

    Returns
    -------
    dict
        ``"table"``: DataFrame indexed ``k1, k5 …`` with ``k``, ``n_k``, ``p_exact``, ``p_mc``,
        ``p_mc_one_fewer``; ``"needed"``: ``k -> n_k``; ``"curves"``: ``k -> (ns, exact, mc_ns,
        mc_share)`` for the figure; ``"n_k"``, ``"exact"``, ``"mc"``: the table's values keyed
        ``k1``, ``k1.p_exact`` / ``k1.p_mc_one_fewer`` and ``k1.p_mc`` (for ``Chapter.record_many``).
    """
    ks = [check_int(k, "ks[]", low=1) for k in ks]
    check_same_length(ks, "ks", rngs, "rngs (one generator per k)")
    needed = {k: prospects_needed(k, p, target) for k in ks}
    n_max = int(max(needed.values()) * 1.35)
    ns = np.arange(0, n_max + 1)
    rows, curves = {}, {}
    for k, rng in zip(ks, rngs):
        draws = simulate_prospects_needed(k, p, n_sims, rng)
        grid = np.linspace(k, needed[k] * 1.3, grid_points).round().astype(int)
        rows[f"k{k}"] = {"k": k, "n_k": needed[k], "p_exact": prob_at_least(k, needed[k], p),
                         "p_mc": float(np.mean(draws <= needed[k])),
                         "p_mc_one_fewer": float(np.mean(draws <= needed[k] - 1))}
        curves[k] = (ns, stats.binom.sf(k - 1, ns, p), grid, np.array([np.mean(draws <= g) for g in grid]))
    table = pd.DataFrame.from_dict(rows, orient="index")
    return {"table": table, "needed": needed, "curves": curves,
            "n_k": {i: int(r["n_k"]) for i, r in rows.items()},
            "exact": {f"{i}.{c}": r[c] for i, r in rows.items() for c in ("p_exact", "p_mc_one_fewer")},
            "mc": {f"{i}.p_mc": r["p_mc"] for i, r in rows.items()}}


def timing_summary(days: pd.Series | Sequence[float]) -> dict[str, float]:
    """Quantiles of days to close.

    Parameters
    ----------
    days : Series or sequence
        Days from first contact to deal (:func:`time_to_close`).

    Returns
    -------
    dict
        ``"days"``: ``median_days``, ``p10_days``, ``p90_days`` (the 50th, 10th and 90th
        percentiles); ``"share_within_year"``: share of deals closed within 365 days.
    """
    d = as_float_array(days, "days")
    check_nonnegative(d, "days")
    q10, q50, q90 = np.percentile(d, [10, 50, 90])
    return {"days": {"median_days": q50, "p10_days": q10, "p90_days": q90},
            "share_within_year": float(np.mean(d <= 365))}


def simulation_check(simulated: Sequence[float], band: DealsBand) -> dict[str, float]:
    """How simulated deal counts compare with the exact band.

    Parameters
    ----------
    simulated : sequence of int
        Deals of each simulated funnel (last column of :func:`simulate_funnel`).
    band : DealsBand
        From :func:`expected_deals`.

    Returns
    -------
    dict
        ``simulated_mean`` and ``simulated_in_band`` (share of funnels inside the band).
    """
    sim = as_float_array(simulated, "simulated")
    check_nonnegative(sim, "simulated")
    check_whole(sim, "simulated")
    if not isinstance(band, DealsBand):
        raise TypeError(f"band must be a DealsBand (expected_deals), got {type(band).__name__}")
    return {"simulated_mean": float(sim.mean()),
            "simulated_in_band": float(np.mean((sim >= band.lower) & (sim <= band.upper)))}


def close_model_results(model: CloseModel, mean_predicted: Mapping[str, float]) -> dict[str, Any]:
    """The close model's numbers keyed for ``Chapter.record_many``.

    Parameters
    ----------
    model : CloseModel
        From :func:`fit_close_logit`.
    mean_predicted : mapping
        :meth:`CloseModel.mean_predicted` output (``man``, ``not_man``).

    Returns
    -------
    dict
        ``or.<predictor>`` (odds ratio), ``or_ci.<predictor>`` (``[lower, upper]``) and
        ``p_close.man`` / ``p_close.not_man`` (mean predicted close probability).
    """
    if not isinstance(model, CloseModel):
        raise TypeError(f"model must be a CloseModel (fit_close_logit), got {type(model).__name__}")
    out: dict[str, Any] = {f"or.{k}": float(v) for k, v in model.odds_ratios["odds_ratio"].items()}
    out.update({f"or_ci.{k}": v for k, v in as_intervals(model.odds_ratios).items()})
    out.update({f"p_close.{k}": float(mean_predicted[k]) for k in ("man", "not_man")})
    return out
