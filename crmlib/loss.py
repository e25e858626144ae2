"""Why customers are lost: Table 1-1 of the source, and what a sample can tell.

The source (seed text 001, 企业客户流失的原因分析表) splits lost customers over
seven causes in three groups. This module validates such a table, builds its
Pareto view and group totals, simulates a survey of lost customers, puts
simultaneous confidence intervals on the shares, tests a sample against the
printed shares, sizes a survey, and works the chapter's what-if.

All shares are in percent (0–100) and must sum to 100 within ``SUM_TOL``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ._validate import (MAX_DRAWS, as_float_array, check_aligned, check_columns, check_finite_result, check_generator,
                        check_int, check_nonnegative, check_number, check_probability, check_size, check_unique,
                        check_whole, plain)

__all__ = [
    "GROUPS", "SUM_TOL", "check_shares", "loss_table", "group_totals", "pareto_table",
    "simulate_survey", "multinomial_ci", "joint_coverage", "GoodnessOfFit", "goodness_of_fit",
    "SampleSize", "sample_size_one_proportion", "power_one_proportion", "power_curve", "whatif_kept",
]

GROUPS = ("customer", "company", "third_party")
SUM_TOL = 0.01


def check_shares(shares: pd.Series | Mapping[str, float], name: str = "shares") -> pd.Series:
    """Validate percentage shares indexed by cause and return them as a float Series.

    Parameters
    ----------
    shares : Series or mapping
        Cause -> share (%).
    name : str
        The argument's name, for messages.

    Returns
    -------
    pandas.Series
        The shares as floats, indexed by cause.

    Raises
    ------
    TypeError
        A share is not a number.
    ValueError
        Empty, NaN, a negative share, a duplicated cause, or a total that is not
        100 within ±0.01.
    """
    s = pd.Series(shares) if not isinstance(shares, pd.Series) else shares
    values = as_float_array(s, name)
    check_unique(s.index, name, "cause")
    check_nonnegative(values, name, s.index)
    total = float(values.sum())
    if abs(total - 100.0) > SUM_TOL:
        raise ValueError(f"{name} must sum to 100 (±{SUM_TOL}), they sum to {total:.4g}")
    return pd.Series(values, index=s.index, name=s.name or "share_pct")


def loss_table(table: pd.DataFrame) -> pd.DataFrame:
    """Validate a Table 1-1 style frame (``cause_id``, ``group_id``, ``share_pct``).

    Returns the same rows with ``cause_id`` as index. Rejects missing columns,
    unknown groups and shares that are negative or do not sum to 100.

    Parameters
    ----------
    table : pandas.DataFrame
        ``cause_id``, ``group_id``, ``share_pct``.

    Returns
    -------
    pandas.DataFrame
        The same rows indexed by ``cause_id``.
    """
    check_columns(table, ["cause_id", "group_id", "share_pct"], "loss table", numeric=["share_pct"])
    unknown = ~table["group_id"].isin(GROUPS)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise ValueError(f"loss table row {plain(table.index[i])!r}: unknown group {table['group_id'].iloc[i]!r}; "
                         f"groups are {list(GROUPS)}")
    out = table.set_index("cause_id", drop=False)
    check_shares(out["share_pct"], "loss table column 'share_pct'")
    return out


def group_totals(table: pd.DataFrame) -> pd.Series:
    """Total share of each group, in the order customer, company, third party.

    Parameters
    ----------
    table : pandas.DataFrame
        A Table 1-1 style frame (see :func:`loss_table`).

    Returns
    -------
    pandas.Series
        Share (%) by group.
    """
    t = loss_table(table)
    return t.groupby("group_id")["share_pct"].sum().reindex(list(GROUPS)).fillna(0.0).rename("share_pct")


def pareto_table(shares: pd.Series | Mapping[str, float], threshold: float = 80.0) -> pd.DataFrame:
    """Causes sorted by share (largest first) with cumulative share.

    Parameters
    ----------
    shares : Series or mapping
        Cause -> share (%).
    threshold : float
        The Pareto line in percent; ``vital_few`` marks the causes needed to
        reach it.

    Returns
    -------
    DataFrame with columns ``share_pct``, ``cumulative_pct``, ``vital_few``.
    """
    s = check_shares(shares)
    check_number(threshold, "threshold", low=0, high=100, low_open=True)
    # stable sort: ties keep the table's order
    order = np.argsort(-s.to_numpy(), kind="stable")
    s = s.iloc[order]
    cum = s.cumsum()
    reached_before = cum.shift(1, fill_value=0.0) < threshold - 1e-9
    return pd.DataFrame({"share_pct": s, "cumulative_pct": cum, "vital_few": reached_before})


def simulate_survey(shares: pd.Series | Mapping[str, float], n: int, rng: np.random.Generator) -> pd.Series:
    """Draw how ``n`` surveyed lost customers split over the causes.

    Returns integer counts indexed by cause (multinomial with the given shares).

    Parameters
    ----------
    shares : Series or mapping
        Cause -> share (%).
    n : int
        Survey size (>= 1).
    rng : numpy.random.Generator
        A seeded generator.

    Returns
    -------
    pandas.Series
        Counts by cause.
    """
    s = check_shares(shares)
    n = check_int(n, "n", low=1)
    rng = check_generator(rng)
    p = s.to_numpy() / s.sum()
    return pd.Series(rng.multinomial(n, p), index=s.index, name="count")


def _check_counts(counts: pd.Series | Mapping[str, int], name: str = "counts") -> pd.Series:
    c = pd.Series(counts) if not isinstance(counts, pd.Series) else counts
    v = as_float_array(c, name)
    check_unique(c.index, name, "cause")
    check_nonnegative(v, name, c.index)
    check_whole(v, name, c.index)
    if v.sum() <= 0:
        raise ValueError(f"{name} total must be > 0 (N <= 0)")
    return pd.Series(v.astype(int), index=c.index, name="count")


def multinomial_ci(counts: pd.Series | Mapping[str, int], alpha: float = 0.05,
                   method: str = "goodman") -> pd.DataFrame:
    """Simultaneous confidence intervals for multinomial shares.

    Uses statsmodels' ``multinomial_proportions_confint`` (Goodman 1965 by
    default, or ``"sison-glaz"``). Returns percent: ``share_pct``, ``lower_pct``,
    ``upper_pct`` indexed by cause.

    Parameters
    ----------
    counts : Series or mapping
        Cause -> observed count (whole, >= 0, total > 0).
    alpha : float
        1 − the simultaneous confidence level.
    method : {"goodman", "sison-glaz"}

    Returns
    -------
    pandas.DataFrame
        ``count``, ``share_pct``, ``lower_pct``, ``upper_pct`` by cause; ``attrs`` holds ``alpha``
        and ``method`` (the figures state the level).
    """
    from statsmodels.stats.proportion import multinomial_proportions_confint

    c = _check_counts(counts)
    check_probability(alpha, "alpha", open_low=True, open_high=True)
    if method not in ("goodman", "sison-glaz"):
        raise ValueError(f"method must be 'goodman' or 'sison-glaz', got {method!r}")
    if method == "sison-glaz" and (c == 0).any():
        raise ValueError("method 'sison-glaz' needs every count > 0; use 'goodman'")
    ci = multinomial_proportions_confint(c.to_numpy(), alpha=alpha, method=method)
    n = c.sum()
    out = pd.DataFrame({"count": c, "share_pct": 100 * c / n,
                        "lower_pct": 100 * ci[:, 0], "upper_pct": 100 * ci[:, 1]}, index=c.index)
    out.attrs.update(alpha=float(alpha), method=method)
    return out


@dataclass(frozen=True)
class GoodnessOfFit:
    """Chi-square goodness-of-fit of survey counts against printed shares."""

    statistic: float
    pvalue: float
    dof: int
    n: int
    min_expected: float
    expected: pd.Series

    @property
    def small_expected(self) -> bool:
        """True when some expected count is below 5 (the chi-square approximation is rough)."""
        return self.min_expected < 5


def goodness_of_fit(counts: pd.Series | Mapping[str, int],
                    shares: pd.Series | Mapping[str, float]) -> GoodnessOfFit:
    """Pearson chi-square test of observed cause counts against Table 1-1's shares.

    ``counts`` and ``shares`` must name the same causes (in any order: they are paired by cause).

    Parameters
    ----------
    counts : Series or mapping
        Observed counts by cause (whole, >= 0).
    shares : Series or mapping
        The printed shares (%), the same causes.

    Returns
    -------
    GoodnessOfFit

    Raises
    ------
    ValueError
        Counts or shares refused by :func:`check_shares` and :func:`multinomial_ci`, a cause listed
        twice, causes that differ between the two, or a share of 0.
    """
    c = _check_counts(counts)
    s = check_aligned(c, "counts", check_shares(shares), "shares")
    if (s == 0).any():
        raise ValueError(f"share of {plain(s.index[(s == 0).to_numpy()][0])!r} is 0: chi-square needs positive expected "
                         "counts")
    n = int(c.sum())
    exp = n * s / s.sum()
    res = stats.chisquare(c.to_numpy(), exp.to_numpy())
    return GoodnessOfFit(float(res.statistic), float(res.pvalue), len(c) - 1, n, float(exp.min()),
                         exp.rename("expected"))


#: Largest survey size :func:`power_one_proportion` evaluates (its work and memory grow with ``n``).
MAX_POWER_N = MAX_DRAWS
#: Largest normal-approximation size :func:`sample_size_one_proportion` searches from.
MAX_SAMPLE_SIZE = 1_000_000


def power_one_proportion(n: int, p0: float, p1: float, alpha: float = 0.05) -> float:
    """Exact power of the two-sided binomial test of ``p = p0`` when the truth is ``p1``.

    The rejection region is built from the binomial(n, p0) distribution with
    equal tail probabilities at most ``alpha/2`` each.

    Parameters
    ----------
    n : int
        Survey size, 1 … :data:`MAX_POWER_N` (10**7).
    p0 : float
        Share under the null hypothesis, in (0, 1).
    p1 : float
        True share, in [0, 1].
    alpha : float
        Test level, in (0, 1).

    Returns
    -------
    float


    Raises
    ------
    TypeError
        A non-number (bools, strings, None), or ``n`` not an integer.
    ValueError
        NaN, infinities, a probability out of range, ``n`` < 1 or above the limit.
    """
    n = check_size(n, "n", MAX_POWER_N, low=1, what="survey size")
    p0 = check_probability(p0, "p0", open_low=True, open_high=True)
    p1 = check_probability(p1, "p1")
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    k = np.arange(n + 1)
    lower_tail = stats.binom.cdf(k, n, p0)          # P(X <= k)
    upper_tail = stats.binom.sf(k - 1, n, p0)       # P(X >= k)
    reject = (lower_tail <= alpha / 2) | (upper_tail <= alpha / 2)
    return float(stats.binom.pmf(k[reject], n, p1).sum())


def _boundary(ns: np.ndarray, guess: np.ndarray, tail, half_alpha: float, want_last: bool) -> np.ndarray:
    """Per ``n``: the last ``k`` with ``tail(k, n) <= half_alpha`` (``want_last``) or the first one.

    ``tail`` is monotone in ``k``; the answer is searched in a window of ±4 around
    ``guess`` (a quantile) and, where the window does not bracket it, over all ``k``.
    """
    offs = np.arange(-4, 5)
    ks = guess[:, None] + offs[None, :]
    ok = (tail(ks, ns[:, None]) <= half_alpha) & (ks >= 0) & (ks <= ns[:, None])
    out = np.empty(ns.size, dtype=np.int64)
    for i, n in enumerate(ns):
        row = ok[i]
        inner = row[1:-1]
        bracketed = (row[0] and not row[-1]) if want_last else (not row[0] and row[-1])
        if bracketed and inner.any():
            out[i] = ks[i, 1:-1][inner].max() if want_last else ks[i, 1:-1][inner].min()
            continue
        allk = np.arange(n + 1)
        hit = np.flatnonzero(tail(allk, n) <= half_alpha)
        out[i] = (hit.max() if hit.size else -1) if want_last else (hit.min() if hit.size else n + 1)
    return out


def _exact_power_many(ns: np.ndarray, p0: float, p1: float, alpha: float) -> np.ndarray:
    """Exact power of the test of :func:`power_one_proportion` for many ``n`` at once.

    The rejection region is ``{0 … k_lo} ∪ {k_hi … n}`` (both tails of a
    binomial are monotone), so the power is ``cdf(k_lo; n, p1) + sf(k_hi - 1; n, p1)``:
    a few distribution evaluations per ``n`` instead of ``n + 1``.
    """
    a2 = alpha / 2
    g_lo = stats.binom.ppf(a2, ns, p0).astype(np.int64)
    g_hi = stats.binom.ppf(1 - a2, ns, p0).astype(np.int64) + 1
    k_lo = _boundary(ns, g_lo, lambda k, n: stats.binom.cdf(k, n, p0), a2, want_last=True)
    k_hi = _boundary(ns, g_hi, lambda k, n: stats.binom.sf(k - 1, n, p0), a2, want_last=False)
    low = np.where(k_lo >= 0, stats.binom.cdf(k_lo, ns, p1), 0.0)
    high = np.where(k_hi <= ns, stats.binom.sf(k_hi - 1, ns, p1), 0.0)
    return low + high


@dataclass(frozen=True)
class SampleSize:
    """Survey size needed to tell a share ``p0`` from ``p1`` (see :func:`sample_size_one_proportion`).

    Attributes
    ----------
    p0, p1, alpha, power : float
        The question asked.
    cohens_h : float
        Effect size *h* = 2 arcsin √p1 − 2 arcsin √p0.
    n_normal : int
        Size by the normal approximation (rounded up).
    n_exact : int
        Smallest size from which the exact binomial test keeps at least ``power``.
    power_exact_at_n_normal : float
        Exact power at ``n_normal``.
    """

    p0: float
    p1: float
    alpha: float
    power: float
    cohens_h: float
    n_normal: int
    n_exact: int
    power_exact_at_n_normal: float

    @property
    def params(self) -> pd.Series:
        """The sizes and the effect size as a Series (the common result-object view)."""
        return pd.Series({"cohens_h": self.cohens_h, "n_normal": self.n_normal, "n_exact": self.n_exact,
                          "power_exact_at_n_normal": self.power_exact_at_n_normal})

    def summary(self) -> pd.DataFrame:
        """One-row table of the question and its answers."""
        return pd.DataFrame([{"p0": self.p0, "p1": self.p1, "alpha": self.alpha, "power": self.power,
                              **self.params.to_dict()}])


def sample_size_one_proportion(p0: float, p1: float, alpha: float = 0.05, power: float = 0.80) -> SampleSize:
    """Survey size needed to tell a share ``p0`` from ``p1``.

    Parameters
    ----------
    p0 : float
        The share under test, in (0, 1).
    p1 : float
        The true share the survey must detect, in (0, 1), not ``p0``.
    alpha : float
        Two-sided significance level.
    power : float
        Wanted power.

    Returns
    -------
    SampleSize
        The normal-approximation size (Cohen's *h* with statsmodels' ``NormalIndPower``,
        one sample) and the smallest ``n`` at or above which the exact binomial test
        reaches ``power`` (checked over the next 50 sizes, since exact power saw-tooths in ``n``).


    Raises
    ------
    TypeError
        A non-number (bools, strings, None).
    ValueError
        NaN, infinities, a value out of range, ``p0 == p1``, or shares so close
        that the normal approximation needs more than :data:`MAX_SAMPLE_SIZE`
        (10**6) respondents.


    Notes
    -----
    The search starts 40 below the normal-approximation size and evaluates the
    exact power of many sizes at once from the two boundaries of the rejection
    region, so close shares (0.5 vs 0.505: n ≈ 78,500) take well under a second;
    the answer is the one the size-by-size search gives.
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    p0 = check_probability(p0, "p0", open_low=True, open_high=True)
    p1 = check_probability(p1, "p1", open_low=True, open_high=True)
    if p0 == p1:
        raise ValueError("p0 and p1 must differ")
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    power = check_probability(power, "power", open_low=True, open_high=True)
    h = proportion_effectsize(p1, p0)
    n_approx = NormalIndPower().solve_power(effect_size=abs(h), alpha=alpha, power=power, ratio=0.0,
                                            alternative="two-sided")
    if not np.isfinite(n_approx) or n_approx > MAX_SAMPLE_SIZE:
        raise ValueError(f"p0 = {p0} and p1 = {p1} are too close to tell apart with a survey of crmlib's limit of "
                         f"{MAX_SAMPLE_SIZE:,}: the normal approximation needs n = {n_approx:,.0f}")
    n_approx_int = int(np.ceil(n_approx))
    start = max(2, n_approx_int - 40)
    run, width = 50, max(256, n_approx_int // 20)
    ok = np.zeros(0, dtype=bool)
    n_exact = None
    while n_exact is None:
        ns = np.arange(start + ok.size, start + ok.size + width, dtype=np.int64)
        if ns[-1] > MAX_POWER_N:
            raise ValueError(f"no survey size up to {MAX_POWER_N:,} reaches power {power} for p0 = {p0}, p1 = {p1}")
        ok = np.concatenate([ok, _exact_power_many(ns, p0, p1, alpha) >= power])
        if ok.size >= run:
            window = np.lib.stride_tricks.sliding_window_view(ok, run).all(axis=1)
            hit = np.flatnonzero(window)
            if hit.size:
                n_exact = start + int(hit[0])
        width *= 2
    return SampleSize(p0, p1, alpha, power, float(h), n_approx_int, n_exact,
                      power_one_proportion(n_approx_int, p0, p1, alpha))


def power_curve(sizes, p0: float, p1: float, alpha: float = 0.05) -> pd.Series:
    """Exact power of the binomial test of ``p0`` against ``p1`` at each survey size.

    Parameters
    ----------
    sizes : sequence of int
        Survey sizes (each >= 1).
    p0, p1, alpha : float
        As in :func:`power_one_proportion`.

    Returns
    -------
    pandas.Series
        Power indexed by size; ``attrs`` holds ``p0``, ``p1`` and ``alpha`` (the figure's title states them).
    """
    ns = as_float_array(sizes, "sizes")
    check_whole(ns, "sizes")
    if ns.size == 0:
        raise ValueError("sizes is empty")
    if (ns < 1).any():
        raise ValueError(f"sizes must be >= 1, got {ns.min():g}")
    if ns.sum() > MAX_POWER_N:
        raise ValueError(f"sizes add up to {ns.sum():,.0f}, above crmlib's limit of {MAX_POWER_N:,} binomial terms for "
                         "one call (each size's exact power sums n + 1 terms); use fewer or smaller sizes")
    out = pd.Series([power_one_proportion(int(n), p0, p1, alpha) for n in ns], index=ns.astype(int), name="power")
    out.attrs.update(p0=float(p0), p1=float(p1), alpha=float(alpha))
    return out


def joint_coverage(shares: pd.Series | Mapping[str, float], n: int, replications: int,
                   rng: np.random.Generator, alpha: float = 0.05) -> float:
    """Share of simulated surveys whose simultaneous intervals cover *all* true shares at once.

    Parameters
    ----------
    shares : Series or mapping
        The true shares (%), e.g. Table 1-1.
    n : int
        Survey size.
    replications : int
        Number of simulated surveys (at most 100,000).
    rng : numpy.random.Generator
        Seeded generator.
    alpha : float
        Level of the intervals (Goodman's, :func:`multinomial_ci`).

    Returns
    -------
    float
        Fraction of surveys in which every interval covers its share.
    """
    s = check_shares(shares)
    replications = check_int(replications, "replications", low=1, high=100_000)
    covered = 0
    for _ in range(replications):
        c = multinomial_ci(simulate_survey(s, n, rng), alpha=alpha)
        covered += bool(((c["lower_pct"] <= s) & (s <= c["upper_pct"])).all())
    return covered / replications


def whatif_kept(shares: pd.Series | Mapping[str, float], cuts_pct: Mapping[str, float],
                per: int = 1000) -> pd.DataFrame:
    """Customers kept when losses from some causes are cut.

    Parameters
    ----------
    shares : Series or mapping
        Cause -> share of lost customers (%), e.g. Table 1-1.
    cuts_pct : mapping
        Cause -> percentage cut of the losses from that cause (0–100).
    per : int
        Scale: results are per this many lost customers.

    Returns
    -------
    DataFrame indexed by cause: ``lost_before``, ``kept``, ``lost_after``; ``attrs["per"]`` holds ``per``
    (the figures' titles state it).
    """
    s = check_shares(shares)
    per = check_int(per, "per", low=1)
    if not isinstance(cuts_pct, Mapping):
        raise TypeError("cuts_pct must be a mapping cause -> percent cut")
    cut = pd.Series(0.0, index=s.index)
    for cause, pct in cuts_pct.items():
        if cause not in s.index:
            raise ValueError(f"cuts_pct names unknown cause {cause!r}; causes are {list(s.index)}")
        cut[cause] = check_number(pct, f"cuts_pct[{cause!r}]", low=0, high=100)
    before = per * s / 100.0
    kept = before * cut / 100.0
    out = pd.DataFrame({"lost_before": before, "kept": kept, "lost_after": before - kept})
    out.attrs["per"] = per
    return check_finite_result(out, "whatif_kept", f"per ({per}) is too large")
