"""Measuring customer satisfaction (客户满意度) and its link to loyalty (客户忠诚度).

A satisfaction survey asks several Likert items per *driver* (product, service,
price/value, communication …). This module turns the answers into

* the reliability of each multi-item scale: Cronbach's α with Feldt's (1965)
  F-based confidence interval, and α if an item is deleted (:func:`cronbach_alpha`,
  :func:`alpha_if_deleted`, :func:`scale_reliability`);
* scale scores and a 0–100 satisfaction index (:func:`scale_scores`,
  :func:`respondent_index`, :func:`satisfaction_index`);
* the Net Promoter Score with a confidence interval that treats promoters and
  detractors as two shares of *one* multinomial sample, the difference of two
  NPS from independent surveys, and the survey size needed to detect a change
  (:func:`nps`, :func:`nps_from_counts`, :func:`nps_difference`,
  :func:`nps_sample_size`, :func:`nps_power_simulation`);
* the distribution of each item for diverging bar charts (:func:`likert_distribution`);
* an ordered logit of stated loyalty on the drivers (:func:`fit_ordered_logit`,
  :class:`OrderedLogit`).

Every function refuses bad input with one error naming the column and row:
an answer outside its scale, a fraction on a Likert item, NaN, a scale with a
single item.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._logit import LogitResults, odds_ratio_table
from ._validate import (MAX_DRAWS, as_float_array, check_columns, check_generator, check_in_range, check_int,
                        check_names, check_number, check_probability, check_size, check_whole)
from .warnings import ConvergenceWarning, DataWarning, warn

__all__ = [
    "check_likert", "cronbach_alpha", "CronbachAlpha", "alpha_if_deleted", "scale_reliability", "scale_scores",
    "respondent_index", "satisfaction_index", "SatisfactionIndex", "likert_distribution",
    "nps_groups", "nps", "nps_from_counts", "NPSResult", "nps_difference", "NPSDifference", "nps_sample_size",
    "NPSSampleSize", "nps_power_simulation",
    "fit_ordered_logit", "OrderedLogit", "MIN_ROWS_PER_PARAMETER",
]

#: Rows an ordered logit needs per estimated parameter (slopes + thresholds).
MIN_ROWS_PER_PARAMETER = 10


# ------------------------------------------------------------------ Likert items and reliability
def _check_scale(low: Any, high: Any) -> tuple[float, float]:
    lo, hi = check_number(low, "low"), check_number(high, "high")
    if hi <= lo:
        raise ValueError(f"high must be > low, got low={lo:g}, high={hi:g}")
    return lo, hi


def check_likert(data: pd.DataFrame, items: Any, *, low: float = 1, high: float = 5, min_items: int = 1,
                 name: str = "data") -> pd.DataFrame:
    """Check Likert answers and return them as floats (one column per item).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    items : str or sequence of str
        The item columns.
    low, high : float
        The ends of the answer scale (e.g. 1 and 5).
    min_items : int
        Fewest items accepted (2 for a reliability coefficient).
    name : str
        Name of ``data`` in messages.

    Returns
    -------
    pandas.DataFrame
        The item columns as floats, same index.

    Raises
    ------
    TypeError
        ``data`` not a DataFrame; an item column not numeric.
    ValueError
        Fewer than ``min_items`` items; a missing column; no rows; NaN or infinity; an answer
        that is not a whole number or lies outside ``[low, high]`` (named by column and row).
    """
    names = check_names(items, "items")
    min_items = check_int(min_items, "min_items", low=1)
    if len(names) < min_items:
        what = "a scale needs at least two items (with one item there is no internal consistency to measure)" \
            if min_items == 2 else f"at least {min_items} items are needed"
        raise ValueError(f"items lists {len(names)} column(s) {list(names)}: {what}")
    lo, hi = _check_scale(low, high)
    check_columns(data, names, name, numeric=names)
    labels = data.index.tolist()
    for c in names:
        v = data[c].to_numpy(dtype=float)
        check_whole(v, f"{name}[{c!r}]", labels)
        check_in_range(v, f"{name}[{c!r}]", lo, hi, labels)
    return data[list(names)].astype(float)


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        raise ValueError("every respondent has the same total score: Cronbach's alpha is undefined")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


@dataclass(frozen=True)
class CronbachAlpha:
    """Cronbach's α of one scale with Feldt's confidence interval.

    Attributes
    ----------
    alpha : float
        Cronbach's α = k/(k−1) · (1 − Σ item variances / variance of the total).
    lower, upper : float
        Feldt's interval (see :func:`cronbach_alpha`).
    n : int
        Respondents.
    k : int
        Items.
    confidence : float
        Confidence level of the interval.
    method : str
        ``"Feldt (1965)"``.
    """

    alpha: float
    lower: float
    upper: float
    n: int
    k: int
    confidence: float
    method: str = "Feldt (1965)"


def cronbach_alpha(data: pd.DataFrame, items: Any, *, low: float = 1, high: float = 5,
                   confidence: float = 0.95) -> CronbachAlpha:
    """Cronbach's α of a multi-item scale with Feldt's F-based confidence interval.

    α = k/(k−1) · (1 − Σ s²_item / s²_total) (sample variances, ``ddof=1``). Feldt (1965):
    under the usual model (parallel items, normal errors) ``(1 − α)/(1 − α̂)`` follows an F
    distribution with ``n − 1`` and ``(n − 1)(k − 1)`` degrees of freedom, so the
    interval is ``[1 − (1 − α̂) F_{1−γ/2}, 1 − (1 − α̂) F_{γ/2}]`` with γ = 1 − ``confidence``.
    The argument is called ``confidence`` (not ``alpha``) so that it cannot be mistaken
    for the coefficient.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    items : sequence of str
        At least two item columns of one scale.
    low, high : float
        Ends of the answer scale; an answer outside is an error.
    confidence : float
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    CronbachAlpha

    Raises
    ------
    ValueError
        One item only; fewer than two respondents; answers as in :func:`check_likert`;
        every respondent with the same total.
    """
    x = check_likert(data, items, low=low, high=high, min_items=2).to_numpy()
    conf = check_probability(confidence, "confidence", open_low=True, open_high=True)
    n, k = x.shape
    if n < 2:
        raise ValueError(f"data has {n} respondent(s); Cronbach's alpha needs at least 2")
    a = _alpha(x)
    g = 1 - conf
    d1, d2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - a) * stats.f.ppf(1 - g / 2, d1, d2)
    upper = 1 - (1 - a) * stats.f.ppf(g / 2, d1, d2)
    return CronbachAlpha(a, float(lower), float(upper), int(n), int(k), conf)


def alpha_if_deleted(data: pd.DataFrame, items: Any, *, low: float = 1, high: float = 5) -> pd.DataFrame:
    """Cronbach's α of the scale with each item left out, and each item's corrected item–total correlation.

    An item whose deletion *raises* α measures something else than the others (or is badly
    worded); its corrected item–total correlation (with the sum of the *other* items) is low.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    items : sequence of str
        At least three item columns (deleting one of two leaves a single item, which has no α).
    low, high : float
        Ends of the answer scale.

    Returns
    -------
    pandas.DataFrame
        Indexed by item: ``mean``, ``item_total_corr`` (corrected), ``alpha_if_deleted`` and
        ``change`` (α without the item minus α with all items).
    """
    x = check_likert(data, items, low=low, high=high, min_items=3)
    arr = x.to_numpy()
    full = _alpha(arr)
    rows = {}
    for j, item in enumerate(x.columns):
        rest = np.delete(arr, j, axis=1)
        a = _alpha(rest)
        others = rest.sum(axis=1)
        r = np.corrcoef(arr[:, j], others)[0, 1] if arr[:, j].std() > 0 and others.std() > 0 else float("nan")
        rows[item] = {"mean": float(arr[:, j].mean()), "item_total_corr": float(r), "alpha_if_deleted": a,
                      "change": a - full}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "item"
    return out


def _check_scales(scales: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(scales, Mapping) or not scales:
        raise TypeError(f"scales must be a non-empty mapping of scale name -> item columns, got "
                        f"{type(scales).__name__}")
    return {str(k): check_names(v, f"scales[{k!r}]") for k, v in scales.items()}


def scale_reliability(data: pd.DataFrame, scales: Mapping[str, Sequence[str]], *, low: float = 1,
                      high: float = 5, confidence: float = 0.95) -> pd.DataFrame:
    """Cronbach's α with Feldt's interval for each scale.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    scales : mapping
        Scale name -> its item columns (e.g. :data:`crmlib.satisfaction_data.SCALES`).
    low, high : float
        Ends of the answer scale.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by scale: ``k`` (items), ``n``, ``alpha``, ``lower``, ``upper``; ``attrs["confidence"]``
        holds the confidence level.
    """
    rows = {}
    for s, items in _check_scales(scales).items():
        r = cronbach_alpha(data, items, low=low, high=high, confidence=confidence)
        rows[s] = {"k": r.k, "n": r.n, "alpha": r.alpha, "lower": r.lower, "upper": r.upper}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "scale"
    out.attrs["confidence"] = float(confidence)
    return out


def scale_scores(data: pd.DataFrame, scales: Mapping[str, Sequence[str]], *, low: float = 1,
                 high: float = 5) -> pd.DataFrame:
    """Each respondent's score on each scale: the mean of its items (on the answer scale).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    scales : mapping
        Scale name -> its item columns.
    low, high : float
        Ends of the answer scale.

    Returns
    -------
    pandas.DataFrame
        One column per scale, same index as ``data``.
    """
    out = {}
    for s, items in _check_scales(scales).items():
        out[s] = check_likert(data, items, low=low, high=high).mean(axis=1)
    return pd.DataFrame(out, index=data.index)


def respondent_index(data: pd.DataFrame, items: Any, *, low: float = 1, high: float = 5) -> pd.Series:
    """Each respondent's satisfaction index, 0–100: the mean of the items rescaled, ``100 (m − low)/(high − low)``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    items : sequence of str
        The item columns that make up the index (usually every driver item).
    low, high : float
        Ends of the answer scale.

    Returns
    -------
    pandas.Series
        ``index_0_100``, same index as ``data``: 0 = every answer at ``low``, 100 = every answer at ``high``.
    """
    lo, hi = _check_scale(low, high)
    x = check_likert(data, items, low=lo, high=hi)
    return pd.Series(100 * (x.mean(axis=1) - lo) / (hi - lo), index=data.index, name="index_0_100")


@dataclass(frozen=True)
class SatisfactionIndex:
    """A 0–100 satisfaction index with its t interval.

    Attributes
    ----------
    index : float
        Mean over respondents of :func:`respondent_index` (= the mean of the item means rescaled
        to 0–100, since every respondent answers every item).
    se : float
        Standard error of the mean.
    lower, upper : float
        t interval.
    n : int
        Respondents.
    k : int
        Items.
    """

    index: float
    se: float
    lower: float
    upper: float
    n: int
    k: int


def satisfaction_index(data: pd.DataFrame, items: Any, *, low: float = 1, high: float = 5,
                       alpha: float = 0.05) -> SatisfactionIndex:
    """The satisfaction index: the mean of the item means rescaled to 0–100, with a t interval.

    ``index = 100 (m̄ − low)/(high − low)`` where m̄ is the mean of all answers to ``items``
    (every item weighs the same). Its interval is the t interval of the mean of the
    respondents' indexes (:func:`respondent_index`).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    items : sequence of str
        Item columns.
    low, high : float
        Ends of the answer scale.
    alpha : float
        1 − confidence level.

    Returns
    -------
    SatisfactionIndex
    """
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    r = respondent_index(data, items, low=low, high=high).to_numpy()
    n = r.size
    if n < 2:
        raise ValueError(f"data has {n} respondent(s); an interval needs at least 2")
    se = float(r.std(ddof=1) / math.sqrt(n))
    q = float(stats.t.ppf(1 - alpha / 2, n - 1))
    m = float(r.mean())
    return SatisfactionIndex(m, se, m - q * se, m + q * se, int(n), len(check_names(items, "items")))


def likert_distribution(data: pd.DataFrame, items: Any, *, low: int = 1, high: int = 5) -> pd.DataFrame:
    """Share of respondents giving each answer, by item (the rows of a diverging bar chart).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    items : sequence of str
        Item columns.
    low, high : int
        Ends of the answer scale.

    Returns
    -------
    pandas.DataFrame
        Indexed by item, one column per answer ``low … high`` (ints), shares summing to 1 per row;
        ``attrs["n"]`` holds the number of respondents.
    """
    low, high = check_int(low, "low"), check_int(high, "high")
    x = check_likert(data, items, low=low, high=high)
    levels = list(range(low, high + 1))
    out = pd.DataFrame({lv: (x == lv).mean(axis=0) for lv in levels})
    out.index.name = "item"
    out.columns.name = "answer"
    out.attrs["n"] = int(len(x))
    return out


# ------------------------------------------------------------------ Net Promoter Score
def _check_scores(scores: Any) -> np.ndarray:
    v = as_float_array(scores, "scores")
    labels = scores.index.tolist() if isinstance(scores, pd.Series) else None
    check_whole(v, "scores", labels)
    check_in_range(v, "scores", 0, 10, labels)
    return v


def nps_groups(scores: Any) -> pd.Series:
    """Each answer's NPS group: ``detractor`` (0–6), ``passive`` (7–8) or ``promoter`` (9–10).

    Parameters
    ----------
    scores : sequence or Series of int
        Likelihood-to-recommend answers, 0–10.

    Returns
    -------
    pandas.Series
        Ordered categorical ``detractor < passive < promoter`` (same index as ``scores`` if a Series).
    """
    v = _check_scores(scores)
    g = np.where(v >= 9, "promoter", np.where(v >= 7, "passive", "detractor"))
    index = scores.index if isinstance(scores, pd.Series) else None
    return pd.Series(pd.Categorical(g, categories=["detractor", "passive", "promoter"], ordered=True),
                     index=index, name="nps_group")


@dataclass(frozen=True)
class NPSResult:
    """A Net Promoter Score with its confidence interval.

    Attributes
    ----------
    nps : float
        100 × (share of promoters − share of detractors), in points (−100 … 100).
    se : float
        Standard error, points: ``100 sqrt([p_P + p_D − (p_P − p_D)²] / n)``.
    lower, upper : float
        Wald interval ``nps ± z se``, clipped to [−100, 100].
    n, promoters, passives, detractors : int
        Answers and the counts in each group.
    alpha : float
        1 − confidence level.
    """

    nps: float
    se: float
    lower: float
    upper: float
    n: int
    promoters: int
    passives: int
    detractors: int
    alpha: float

    @property
    def shares(self) -> dict[str, float]:
        """Shares of detractors, passives and promoters (fractions summing to 1)."""
        return {"detractor": self.detractors / self.n, "passive": self.passives / self.n,
                "promoter": self.promoters / self.n}


def nps_from_counts(promoters: Any, passives: Any, detractors: Any, *, alpha: float = 0.05) -> NPSResult:
    """The NPS and its interval from the three counts.

    Promoters and detractors are two shares of *one* multinomial sample, so the variance of
    p̂_P − p̂_D is ``[p_P + p_D − (p_P − p_D)²]/n``: their covariance −p_P p_D/n counts (twice,
    with a minus sign). Adding two binomial variances as if the shares were independent ignores it
    and understates the variance (for 40 % promoters and 35 % detractors by about a third). The interval is Wald's, which is close to
    its nominal level for survey sizes of a few hundred and more (a test checks 95 % coverage by
    simulation at n = 400).

    Parameters
    ----------
    promoters, passives, detractors : int
        Counts of answers 9–10, 7–8 and 0–6.
    alpha : float
        1 − confidence level.

    Returns
    -------
    NPSResult
    """
    p_, s_, d_ = (check_int(v, nm, low=0) for v, nm in ((promoters, "promoters"), (passives, "passives"),
                                                         (detractors, "detractors")))
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    n = p_ + s_ + d_
    if n == 0:
        raise ValueError("promoters + passives + detractors is 0: no answers, no NPS")
    pp, pd_ = p_ / n, d_ / n
    diff = pp - pd_
    se = 100 * math.sqrt(max(pp + pd_ - diff ** 2, 0.0) / n)
    z = stats.norm.ppf(1 - alpha / 2)
    v = 100 * diff
    return NPSResult(v, se, float(max(v - z * se, -100.0)), float(min(v + z * se, 100.0)), n, p_, s_, d_,
                     alpha)


def nps(scores: Any, *, alpha: float = 0.05) -> NPSResult:
    """The Net Promoter Score of 0–10 answers: % promoters (9–10) − % detractors (0–6), with its interval.

    Parameters
    ----------
    scores : sequence or Series of int
        Likelihood-to-recommend answers, whole numbers 0–10.
    alpha : float
        1 − confidence level.

    Returns
    -------
    NPSResult
        See :func:`nps_from_counts` for the interval.

    Raises
    ------
    TypeError, ValueError
        A score that is not a number, NaN, a fraction or outside 0–10 (named by position or label).
    """
    v = _check_scores(scores)
    return nps_from_counts(int((v >= 9).sum()), int(((v >= 7) & (v <= 8)).sum()), int((v <= 6).sum()),
                           alpha=alpha)


@dataclass(frozen=True)
class NPSDifference:
    """The difference of two NPS from independent surveys (``b − a``).

    Attributes
    ----------
    difference : float
        ``b.nps − a.nps``, points.
    se : float
        ``sqrt(se_a² + se_b²)``, points.
    lower, upper : float
        Wald interval.
    z, pvalue : float
        Two-sided z test of no difference.
    a, b : NPSResult
        The two surveys.
    """

    difference: float
    se: float
    lower: float
    upper: float
    z: float
    pvalue: float
    a: NPSResult
    b: NPSResult


def nps_difference(a: Any, b: Any, *, alpha: float = 0.05) -> NPSDifference:
    """The change in NPS between two independent surveys, with its interval and z test.

    The two samples are independent, so the variances add: ``se = sqrt(se_a² + se_b²)``, each
    from :func:`nps_from_counts`.

    Parameters
    ----------
    a, b : NPSResult or sequence of 0–10 answers
        The earlier (or reference) and the later survey.
    alpha : float
        1 − confidence level.

    Returns
    -------
    NPSDifference
    """
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    ra = a if isinstance(a, NPSResult) else nps(a, alpha=alpha)
    rb = b if isinstance(b, NPSResult) else nps(b, alpha=alpha)
    d = rb.nps - ra.nps
    se = math.sqrt(ra.se ** 2 + rb.se ** 2)
    q = float(stats.norm.ppf(1 - alpha / 2))
    if se == 0:
        z, p = (0.0, 1.0) if d == 0 else (math.copysign(math.inf, d), 0.0)
    else:
        z = d / se
        p = float(2 * stats.norm.sf(abs(z)))
    return NPSDifference(d, se, d - q * se, d + q * se, z, p, ra, rb)


@dataclass(frozen=True)
class NPSSampleSize:
    """Survey size to detect a change in NPS with two independent surveys.

    Attributes
    ----------
    n_per_survey : int
        Respondents in *each* survey.
    total : int
        Both surveys.
    change : float
        NPS change to detect, points.
    shares_before, shares_after : dict
        Shares of promoters and detractors assumed before and after.
    alpha, power : float
        Two-sided level and power.
    assumptions : str
        The assumptions in words.
    """

    n_per_survey: int
    total: int
    change: float
    shares_before: dict
    shares_after: dict
    alpha: float
    power: float
    assumptions: str = field(repr=False)


def nps_sample_size(p_promoters: float, p_detractors: float, *, change: float = 5.0, alpha: float = 0.05,
                    power: float = 0.8, from_detractors: float = 0.5) -> NPSSampleSize:
    """Respondents per survey needed to detect an NPS change of ``change`` points between two surveys.

    Assumptions: two independent surveys of the same size; a two-sided z test of the difference
    (:func:`nps_difference`) at level ``alpha``; before, the shares are ``p_promoters`` and
    ``p_detractors``; the change moves customers from detractors (share ``from_detractors`` of it)
    and from passives to promoters, i.e. ``p_P' = p_P + (1 − f)·δ`` and ``p_D' = p_D − f·δ`` with
    δ = ``change``/100 and f = ``from_detractors`` (passives lose or gain the rest). With
    σ² = p_P + p_D − (p_P − p_D)² per respondent before (σ₀²) and after (σ₁²),
    ``n = (z_{1−α/2} + z_{power})² (σ₀² + σ₁²) / δ²``, rounded up. A test checks the power by
    simulation (:func:`nps_power_simulation`).

    Parameters
    ----------
    p_promoters, p_detractors : float
        Shares (fractions) of promoters and detractors before the change.
    change : float
        NPS change to detect, points (> 0).
    alpha : float
        Two-sided significance level.
    power : float
        Wanted probability of detecting the change.
    from_detractors : float
        Share of the change made by detractors leaving their group (0 … 1; 0.5 = half from
        detractors, half from passives).

    Returns
    -------
    NPSSampleSize
    """
    pp = check_probability(p_promoters, "p_promoters")
    pdt = check_probability(p_detractors, "p_detractors")
    if pp + pdt > 1:
        raise ValueError(f"p_promoters + p_detractors must be <= 1, got {pp + pdt:g}")
    delta = check_number(change, "change", low=0, low_open=True, high=200) / 100
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    power = check_probability(power, "power", open_low=True, open_high=True)
    f = check_probability(from_detractors, "from_detractors")
    pp1, pd1 = pp + (1 - f) * delta, pdt - f * delta
    if pp1 > 1 or pd1 < 0 or pp1 + pd1 > 1 or pp1 + pd1 < 0:
        raise ValueError(f"a change of {change:g} points with from_detractors={f:g} gives impossible shares "
                         f"(promoters {pp1:.3f}, detractors {pd1:.3f})")
    var0 = pp + pdt - (pp - pdt) ** 2
    var1 = pp1 + pd1 - (pp1 - pd1) ** 2
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    n = int(math.ceil(z ** 2 * (var0 + var1) / delta ** 2))
    text = (f"two independent surveys of equal size; two-sided z test at alpha={alpha:g}; power {power:g}; "
            f"before: {100 * pp:.1f} % promoters, {100 * pdt:.1f} % detractors; after: {100 * pp1:.1f} % and "
            f"{100 * pd1:.1f} % (a change of {100 * delta:g} points, {100 * f:g} % of it from detractors)")
    return NPSSampleSize(n, 2 * n, 100 * delta, {"promoter": pp, "detractor": pdt},
                         {"promoter": pp1, "detractor": pd1}, alpha, power, text)


def nps_power_simulation(n: int, before: Mapping[str, float], after: Mapping[str, float], n_sims: int,
                         rng: np.random.Generator, *, alpha: float = 0.05) -> float:
    """Share of simulated pairs of surveys in which :func:`nps_difference` finds the change (p < ``alpha``).

    Parameters
    ----------
    n : int
        Respondents per survey.
    before, after : mapping
        ``{"promoter": p_P, "detractor": p_D}`` of each survey (e.g. :class:`NPSSampleSize`'s
        ``shares_before`` / ``shares_after``).
    n_sims : int
        Simulated pairs of surveys.
    rng : numpy.random.Generator
        Seeded generator.
    alpha : float
        Two-sided significance level.

    Returns
    -------
    float
        Simulated power (or, with ``before == after``, the false-positive rate).
    """
    n = check_size(n, "n", MAX_DRAWS, low=1, what="respondents")
    n_sims = check_size(n_sims, "n_sims", MAX_DRAWS // 6, low=1, what="simulated surveys")
    rng = check_generator(rng)
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    est = []
    for nm, sh in (("before", before), ("after", after)):
        if not isinstance(sh, Mapping) or set(sh) != {"promoter", "detractor"}:
            raise ValueError(f"{nm} must be a mapping with keys 'promoter' and 'detractor'")
        pp = check_probability(sh["promoter"], f"{nm}['promoter']")
        pdt = check_probability(sh["detractor"], f"{nm}['detractor']")
        if pp + pdt > 1:
            raise ValueError(f"{nm}: promoter + detractor shares must be <= 1, got {pp + pdt:g}")
        c = rng.multinomial(n, [pp, pdt, max(0.0, 1 - pp - pdt)], size=n_sims)
        p1, p2 = c[:, 0] / n, c[:, 1] / n
        est.append((p1 - p2, (p1 + p2 - (p1 - p2) ** 2) / n))
    (d0, v0), (d1, v1) = est
    se = np.sqrt(v0 + v1)
    z = np.divide(d1 - d0, se, out=np.zeros_like(se), where=se > 0)
    return float(np.mean(np.abs(z) > stats.norm.ppf(1 - alpha / 2)))


# ------------------------------------------------------------------ ordered logit of loyalty
def _ordinal_codes(y: pd.Series, name: str) -> np.ndarray:
    if isinstance(y.dtype, pd.CategoricalDtype):
        if not y.cat.ordered:
            raise TypeError(f"{name} is an unordered categorical; pass ordinal integer codes (e.g. 1 = will "
                            "certainly switch … 5 = will certainly stay) or an ordered categorical")
        codes = y.cat.codes.to_numpy()
        if (codes < 0).any():
            i = int(np.flatnonzero(codes < 0)[0])
            raise ValueError(f"{name} is missing (NaN) at row {y.index.tolist()[i]!r}")
        return codes.astype(int) + 1
    if pd.api.types.is_bool_dtype(y) or not pd.api.types.is_numeric_dtype(y):
        raise TypeError(f"{name} must hold ordinal integer codes (e.g. 1 … 5), got dtype {y.dtype}")
    v = y.to_numpy(dtype=float)
    labels = y.index.tolist()
    nan = np.flatnonzero(~np.isfinite(v))
    if nan.size:
        i = int(nan[0])
        raise ValueError(f"{name} is {'NaN' if np.isnan(v[i]) else 'infinite'} at row {labels[i]!r}")
    check_whole(v, name, labels)
    return v.astype(int)


class OrderedLogit(LogitResults):
    """An ordered (proportional-odds) logit of an ordinal outcome on drivers, statsmodels ``OrderedModel``.

    ``P(y ≤ j | x) = F(θ_j − x'β)`` with F the logistic distribution: a positive β moves answers
    to higher categories, and ``exp(β)`` is the odds ratio of being in a *higher* category (above
    any cut) per unit of the driver, the same at every cut (proportional odds).

    Attributes
    ----------
    result : statsmodels ``OrderedResults``
        The fit (``params``: the slopes, then the thresholds as statsmodels parameterises them —
        the first cut, then the logs of the increments).
    outcome : str
        The outcome column.
    drivers : tuple of str
        The driver columns.
    categories : list
        The outcome's codes (or, for an ordered categorical, its labels) that occur, lowest first.
    """

    def __init__(self, result: Any, outcome: str, drivers: tuple[str, ...], categories: list[int]):
        self.result = result
        self.outcome = outcome
        self.drivers = drivers
        self.categories = categories

    @property
    def thresholds(self) -> pd.Series:
        """The cut points θ on the latent scale (between consecutive categories)."""
        cuts = self.result.model.transform_threshold_params(self.result.params)[1:-1]
        names = [f"{a}|{b}" for a, b in zip(self.categories[:-1], self.categories[1:])]
        return pd.Series(cuts, index=names, name="threshold")

    def odds_ratios(self, alpha: float = 0.05) -> pd.DataFrame:
        """Proportional odds ratios of the drivers with Wald intervals.

        Parameters
        ----------
        alpha : float
            1 − confidence level, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            By driver: ``odds_ratio`` (of a higher category per unit), ``lower``, ``upper``, ``pvalue``.
        """
        alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
        return odds_ratio_table(self.result, self.drivers, alpha)

    def predict_proba(self, values: Any) -> pd.DataFrame:
        """Predicted probability of each outcome category for given driver values.

        Parameters
        ----------
        values : pandas.DataFrame or mapping
            One row per profile with every driver column (a mapping is one profile).

        Returns
        -------
        pandas.DataFrame
            One row per profile, one column per category; rows sum to 1.
        """
        df = pd.DataFrame([dict(values)]) if isinstance(values, Mapping) else values
        check_columns(df, self.drivers, "values", numeric=self.drivers)
        p = self.result.model.predict(self.result.params, exog=df[list(self.drivers)].to_numpy(dtype=float))
        out = pd.DataFrame(np.asarray(p), index=df.index, columns=self.categories)
        out.columns.name = self.outcome
        return out

    def predict(self, values: Any) -> pd.Series:
        """Most likely category for given driver values.

        Parameters
        ----------
        values : pandas.DataFrame or mapping
            As :meth:`predict_proba`.

        Returns
        -------
        pandas.Series
            The category with the highest predicted probability.
        """
        return self.predict_proba(values).idxmax(axis=1).rename(self.outcome)


def fit_ordered_logit(data: pd.DataFrame, outcome: str, drivers: Any, *, maxiter: int = 200) -> OrderedLogit:
    """Fit an ordered logit of an ordinal outcome (e.g. stated loyalty 1–5) on driver scores.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    outcome : str
        Column of ordinal integer codes (or an ordered categorical), at least three categories.
    drivers : str or sequence of str
        Numeric columns (e.g. the scale scores of :func:`scale_scores`).
    maxiter : int
        BFGS iterations, 1 … 10,000.

    Returns
    -------
    OrderedLogit

    Raises
    ------
    TypeError
        ``outcome`` not integer codes (strings, floats with fractions, booleans, an unordered
        categorical); a driver not numeric.
    ValueError
        NaN; fewer than three categories; a constant driver; fewer than
        :data:`MIN_ROWS_PER_PARAMETER` rows per parameter.

    Warns
    -----
    crmlib.warnings.DataWarning
        A code between the lowest and the highest is never observed (the model has no category for it).
    crmlib.warnings.ConvergenceWarning
        The optimiser stopped before converging.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from ._logit import MAX_ITER

    if not isinstance(outcome, str):
        raise TypeError(f"outcome must be a column name, got {type(outcome).__name__}")
    names = check_names(drivers, "drivers")
    if outcome in names:
        raise ValueError(f"outcome {outcome!r} is also listed among the drivers")
    maxiter = check_int(maxiter, "maxiter", low=1, high=MAX_ITER)
    check_columns(data, [outcome, *names], "data", numeric=names)
    y = _ordinal_codes(data[outcome], f"data[{outcome!r}]")
    cats = sorted(set(y.tolist()))
    if len(cats) < 3:
        raise ValueError(f"data[{outcome!r}] has {len(cats)} distinct value(s) {cats}; an ordered logit needs at "
                         "least three ordered categories (with two, fit a logit)")
    for c in names:
        if data[c].nunique() < 2:
            raise ValueError(f"driver {c!r} is constant ({data[c].iloc[0]}): its effect cannot be estimated")
    n_params = len(names) + len(cats) - 1
    if len(data) < MIN_ROWS_PER_PARAMETER * n_params:
        raise ValueError(f"data has {len(data)} rows for {n_params} parameters ({len(names)} drivers, "
                         f"{len(cats) - 1} thresholds); an ordered logit needs at least {MIN_ROWS_PER_PARAMETER} "
                         f"rows per parameter ({MIN_ROWS_PER_PARAMETER * n_params})")
    if not isinstance(data[outcome].dtype, pd.CategoricalDtype):
        gaps = [c for c in range(cats[0], cats[-1] + 1) if c not in cats]
        if gaps:
            warn(DataWarning, "ordered logit", f"code(s) {gaps} never occur in data[{outcome!r}]; the model has "
                 f"categories {cats} only", parameter=outcome)
    X = data[list(names)].astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = OrderedModel(pd.Series(y, index=data.index), X, distr="logit").fit(method="bfgs", disp=False,
                                                                                  maxiter=maxiter)
    if not res.mle_retvals.get("converged", True):
        warn(ConvergenceWarning, "ordered logit", f"BFGS stopped after maxiter={maxiter} iterations without "
             "converging; the estimates are not the maximum of the likelihood.")
    if isinstance(data[outcome].dtype, pd.CategoricalDtype):      # report the categories by their labels
        labels = list(data[outcome].cat.categories)
        cats = [labels[c - 1] for c in cats]
    return OrderedLogit(res, outcome, names, cats)
