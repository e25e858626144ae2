"""How unequal is a customer base: Lorenz curve, Gini coefficient, top-20 % share.

Every function takes one non-negative value per customer (revenue over a period,
CLV …) and treats each customer as one unit:

* the **Lorenz curve** (洛伦兹曲线) joins ``(0, 0)`` and the points
  ``(i / n, L_i)``, ``L_i`` = share of the total held by the ``i`` smallest
  values, so it ends at ``(1, 1)``;
* the **Gini coefficient** (基尼系数) is one minus twice the area under that
  polygon, ``G = 1 - sum_i (L_{i-1} + L_i) / n`` — the same number as
  ``sum_i sum_j |x_i - x_j| / (2 n^2 mean)``: 0 when all spend the same,
  ``(n - 1) / n`` when one customer holds everything;
* the **top share** is the part of the total held by the ``ceil(share * n)``
  largest values (:func:`crmlib.clv.top_share`).

Ties
----
The three numbers above depend only on the sorted values, so ties among
customers do not change them (which of two equal customers is counted first
does not matter). *Membership* of the top group does depend on ties:
:func:`top_members` keeps every customer whose value equals the cut-off value
together (``ties="keep"``: all of them in, the group may be larger than
``ceil(share * n)``; ``ties="drop"``: all of them out when they do not all
fit, the group may be smaller) and never counts a customer who spent nothing as
a top customer. The realised group size is
reported next to every result that uses it.

Intervals
---------
:func:`concentration` and :func:`top_persistence` resample customers with
replacement (a seeded :class:`numpy.random.Generator`) and report percentile
intervals. A replicate is drawn as counts per customer on the values sorted
once, so each replicate costs O(n) without a sort.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._validate import (as_float_array, check_aligned, check_choice, check_generator, check_nonnegative,
                        check_probability, check_size)
from .clv import top_share as _top_share

__all__ = [
    "MAX_BOOTSTRAP_DRAWS", "TIES", "lorenz_curve", "gini", "top_members", "Concentration", "concentration",
    "period_concentration", "Persistence", "top_persistence",
]

#: Largest ``n_boot * n_customers`` one bootstrap may draw (drawn in chunks of at most 2 million, so
#: memory stays below ~50 MB; 10**8 draws take a few seconds).
MAX_BOOTSTRAP_DRAWS = 100_000_000
#: How customers tied at the cut-off value of a top group are treated (see the module notes).
TIES = ("keep", "drop")
_CHUNK = 2_000_000


def _values(values: Any, name: str = "values") -> tuple[np.ndarray, pd.Index | None]:
    v = as_float_array(values, name)
    index = values.index if isinstance(values, pd.Series) else None
    check_nonnegative(v, name, index)
    if v.sum() <= 0:
        raise ValueError(f"{name} sum to 0: there is nothing to share out")
    return v, index


def _share(share: Any) -> float:
    return check_probability(share, "share", open_low=True)


def lorenz_curve(values: Any) -> pd.DataFrame:
    """The Lorenz curve of one value per customer.

    Parameters
    ----------
    values : array_like or pandas.Series
        One non-negative, finite value per customer (e.g. revenue); the total must be positive.

    Returns
    -------
    pandas.DataFrame
        ``n + 1`` rows: ``customer_share`` (0, 1/n, …, 1) and ``value_share`` (0 … 1), the share
        of the total held by the poorest ``customer_share`` of customers. Ties do not change it.

    Raises
    ------
    ValueError
        Empty, NaN, infinite or negative values (named by position or label), or a zero total.
    TypeError
        An entry that is not a number.
    """
    v, _ = _values(values)
    s = np.sort(v)
    return pd.DataFrame({"customer_share": np.arange(s.size + 1) / s.size,
                         "value_share": np.r_[0.0, np.cumsum(s) / s.sum()]})


def _gini_sorted(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Gini of values ``s`` (ascending, 1-D) with count weights ``w`` (replicates x customers)."""
    n = w.sum(axis=-1, keepdims=True)
    cum = np.cumsum(w * s, axis=-1)
    total = cum[..., -1:]
    lo = np.concatenate([np.zeros_like(total), cum[..., :-1]], axis=-1)
    return 1.0 - np.sum(w * (lo + cum), axis=-1) / (n[..., 0] * total[..., 0])


def gini(values: Any) -> float:
    """Gini coefficient of one value per customer (0 = all equal, (n − 1)/n = one holds all).

    Parameters
    ----------
    values : array_like or pandas.Series
        One non-negative, finite value per customer; the total must be positive.

    Returns
    -------
    float
        ``1 - sum_i (L_{i-1} + L_i) / n`` over the Lorenz points ``L`` — equal to the mean
        absolute difference over twice the mean, ``sum_ij |x_i - x_j| / (2 n^2 mean)``.

    Raises
    ------
    ValueError
        Empty, NaN, infinite or negative values, or a zero total.
    TypeError
        An entry that is not a number.

    Examples
    --------
    >>> round(gini([1, 2, 3, 4]), 4)
    0.25
    """
    v, _ = _values(values)
    s = np.sort(v)
    return float(_gini_sorted(s, np.ones_like(s)))


def _cutoff(desc: np.ndarray, w: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For values sorted descending with count weights (reps x n): position of the k-th largest unit,
    units before it, and k = ceil(share * N)."""
    n_units = w.sum(axis=-1)
    k = np.ceil(share * n_units - 1e-9)
    cum = np.cumsum(w, axis=-1)
    pos = np.argmax(cum >= k[..., None], axis=-1)
    before = np.take_along_axis(cum, pos[..., None], axis=-1)[..., 0] - np.take_along_axis(w, pos[..., None],
                                                                                            axis=-1)[..., 0]
    return pos, before, k


def _top_share_sorted(desc: np.ndarray, w: np.ndarray, share: float) -> np.ndarray:
    pos, before, k = _cutoff(desc, w, share)
    cumv = np.cumsum(w * desc, axis=-1)
    above = np.take_along_axis(cumv, pos[..., None], axis=-1)[..., 0] - np.take_along_axis(
        w * desc, pos[..., None], axis=-1)[..., 0]
    return (above + (k - before) * desc[pos]) / cumv[..., -1]


def _members_sorted(desc: np.ndarray, w: np.ndarray, share: float, ties: str) -> np.ndarray:
    pos, _, k = _cutoff(desc, w, share)
    c = desc[pos][..., None]
    inside = desc >= c
    if ties == "drop":   # the customers at the cut-off value stay in only if all of them fit in k
        fits = np.sum(w * inside, axis=-1) <= k
        inside = (desc > c) | (inside & fits[..., None])
    return inside & (desc > 0)


def top_members(values: Any, share: float = 0.2, *, ties: str = "keep") -> pd.Series:
    """Which customers belong to the top ``share`` by value, ties at the cut-off treated as ``ties`` says.

    Parameters
    ----------
    values : array_like or pandas.Series
        One non-negative value per customer.
    share : float
        The top fraction, in (0, 1]; the cut-off is the value of the ``ceil(share * n)``-th
        largest customer.
    ties : {"keep", "drop"}
        ``"keep"``: every customer whose value equals the cut-off is in (the group may be
        larger than ``ceil(share * n)``); ``"drop"``: when they do not all fit in
        ``ceil(share * n)``, all of them are out (the group may be smaller). Without a tie at
        the cut-off both give ``ceil(share * n)`` customers. Either way customers with value 0
        are never top customers.

    Returns
    -------
    pandas.Series
        Boolean, on the index of ``values`` (a RangeIndex for plain sequences);
        ``attrs["target"]`` = ``ceil(share * n)``, ``attrs["cutoff"]`` = the cut-off value.

    Raises
    ------
    ValueError
        Bad values (see :func:`gini`), ``share`` outside (0, 1], an unknown ``ties``.
    """
    v, index = _values(values)
    share = _share(share)
    check_choice(ties, "ties", TIES)
    order = np.argsort(-v, kind="stable")
    desc = v[order]
    inside = _members_sorted(desc, np.ones_like(desc), share, ties)
    out = np.empty(v.size, dtype=bool)
    out[order] = inside
    res = pd.Series(out, index=index if index is not None else pd.RangeIndex(v.size), name="top")
    pos, _, k = _cutoff(desc, np.ones_like(desc), share)
    res.attrs.update(target=int(k), cutoff=float(desc[pos]))
    return res


def _level(level: Any) -> float:
    return check_probability(level, "level", open_low=True, open_high=True)


def _boot_weights(rng: np.random.Generator, n: int, n_boot: int) -> Any:
    """Yield count matrices (chunk x n): customers resampled with replacement."""
    per = max(1, _CHUNK // n)
    done = 0
    while done < n_boot:
        b = min(per, n_boot - done)
        idx = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
        yield np.bincount(idx.ravel(), minlength=b * n).reshape(b, n).astype(float)
        done += b


def _n_boot(n_boot: Any, n: int) -> int:
    nb = check_size(n_boot, "n_boot", 100_000, what="bootstrap replicates")
    if nb * n > MAX_BOOTSTRAP_DRAWS:
        raise ValueError(f"n_boot = {nb:,} replicates of {n:,} customers are {nb * n:,} draws, above crmlib's "
                         f"limit of {MAX_BOOTSTRAP_DRAWS:,} for one call; use n_boot <= {MAX_BOOTSTRAP_DRAWS // n:,}")
    return nb


@dataclass(frozen=True)
class Concentration:
    """Concentration of one value per customer, with bootstrap draws when asked for.

    Attributes
    ----------
    gini : float
        Gini coefficient.
    top_share : float
        Share of the total held by the top ``share`` of customers.
    share : float
        The top fraction (0.2 for the top 20 %).
    n : int
        Customers.
    buyers : int
        Customers with a positive value.
    total : float
        Sum of the values.
    curve : pandas.DataFrame
        :func:`lorenz_curve` of the values.
    draws : pandas.DataFrame
        One row per bootstrap replicate (``gini``, ``top_share``); empty without a bootstrap.
    level : float
        Coverage of :meth:`conf_int`'s default intervals.
    """

    gini: float
    top_share: float
    share: float
    n: int
    buyers: int
    total: float
    curve: pd.DataFrame = field(repr=False)
    draws: pd.DataFrame = field(repr=False)
    level: float = 0.95

    def conf_int(self, level: float | None = None) -> pd.DataFrame:
        """Bootstrap percentile intervals of the Gini coefficient and the top share.

        Parameters
        ----------
        level : float, optional
            Coverage (default: the level the object was made with).

        Returns
        -------
        pandas.DataFrame
            Rows ``gini`` and ``top_share``; columns ``estimate``, ``lower``, ``upper`` (NaN
            bounds when no bootstrap was drawn).
        """
        lv = self.level if level is None else _level(level)
        rows = {}
        for name in ("gini", "top_share"):
            est = getattr(self, name)
            if len(self.draws):
                lo, hi = np.quantile(self.draws[name], [(1 - lv) / 2, (1 + lv) / 2])
            else:
                lo = hi = np.nan
            rows[name] = {"estimate": est, "lower": float(lo), "upper": float(hi)}
        return pd.DataFrame(rows).T

    def summary(self) -> pd.Series:
        """One row of numbers: customers, buyers, total, Gini and top share with their intervals.

        Returns
        -------
        pandas.Series
            ``customers``, ``buyers``, ``total``, ``gini``, ``gini_lower``, ``gini_upper``,
            ``top_share``, ``top_share_lower``, ``top_share_upper``.
        """
        ci = self.conf_int()
        out = {"customers": self.n, "buyers": self.buyers, "total": self.total}
        for name in ("gini", "top_share"):
            out.update({name: ci.loc[name, "estimate"], f"{name}_lower": ci.loc[name, "lower"],
                        f"{name}_upper": ci.loc[name, "upper"]})
        return pd.Series(out)


def concentration(values: Any, share: float = 0.2, *, n_boot: int = 0, rng: np.random.Generator | None = None,
                  level: float = 0.95) -> Concentration:
    """Lorenz curve, Gini coefficient and top share of one value per customer, with bootstrap intervals.

    Parameters
    ----------
    values : array_like or pandas.Series
        One non-negative value per customer (customers with 0 count: they are part of the base).
    share : float
        The top fraction, in (0, 1] (0.2: the top 20 %).
    n_boot : int
        Bootstrap replicates (customers resampled with replacement); 0 = no intervals. At most
        ``MAX_BOOTSTRAP_DRAWS / n`` (4,242 for the 23,570 CDNOW customers).
    rng : numpy.random.Generator, optional
        Seeded generator of the replicates; required when ``n_boot > 0``.
    level : float
        Coverage of the percentile intervals, in (0, 1).

    Returns
    -------
    Concentration

    Raises
    ------
    ValueError
        Bad values (see :func:`gini`), ``share`` or ``level`` out of range, too many draws.
    TypeError
        ``rng`` is not a Generator when ``n_boot > 0``.
    """
    v, _ = _values(values)
    share = _share(share)
    lv = _level(level)
    nb = _n_boot(n_boot, v.size)
    s = np.sort(v)
    desc = s[::-1]
    g = float(_gini_sorted(s, np.ones_like(s)))
    ts = float(_top_share(v, share))
    draws = pd.DataFrame({"gini": np.empty(0), "top_share": np.empty(0)})
    if nb:
        rng = check_generator(rng)
        gs, tss = [], []
        for w in _boot_weights(rng, s.size, nb):
            gs.append(_gini_sorted(s, w))
            tss.append(_top_share_sorted(desc, w[:, ::-1], share))
        draws = pd.DataFrame({"gini": np.concatenate(gs), "top_share": np.concatenate(tss)})
    curve = pd.DataFrame({"customer_share": np.arange(s.size + 1) / s.size,
                          "value_share": np.r_[0.0, np.cumsum(s) / s.sum()]})
    return Concentration(g, ts, share, int(v.size), int(np.count_nonzero(v)), float(v.sum()), curve, draws, lv)


def period_concentration(values: pd.DataFrame, share: float = 0.2, *, n_boot: int = 0,
                         rng: np.random.Generator | None = None, level: float = 0.95) -> pd.DataFrame:
    """:func:`concentration` of each column (period) of a customers x periods table.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per customer (every customer of the base, 0 where nothing was spent), one
        column per period (e.g. ``calibration``, ``holdout``).
    share : float
        The top fraction.
    n_boot : int
        Bootstrap replicates per period (0: none).
    rng : numpy.random.Generator, optional
        Seeded generator; the periods draw from it one after the other.
    level : float
        Coverage of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per period: the fields of :meth:`Concentration.summary`.

    Raises
    ------
    TypeError
        ``values`` is not a DataFrame.
    ValueError
        A column with bad values (named), or the errors of :func:`concentration`.
    """
    if not isinstance(values, pd.DataFrame):
        raise TypeError(f"values must be a DataFrame of customers x periods, got {type(values).__name__}")
    if values.shape[1] == 0:
        raise ValueError("values has no columns (periods)")
    rows = {}
    for col in values.columns:
        rows[col] = concentration(values[col], share, n_boot=n_boot, rng=rng, level=level).summary()
    out = pd.DataFrame(rows).T
    out.index.name = "period"
    out[["customers", "buyers"]] = out[["customers", "buyers"]].astype(int)
    return out


@dataclass(frozen=True)
class Persistence:
    """Do yesterday's top customers stay on top? (see :func:`top_persistence`)

    Attributes
    ----------
    table : pandas.DataFrame
        Rows ``top_before`` (size of the earlier top group), ``top_after`` (size of the later
        one), ``stayed`` (customers in both), ``stayed_share`` (stayed / top_before),
        ``lapsed_share`` (share of the earlier top group that spent nothing later),
        ``after_share_of_top_before`` (share of the later total spent by the earlier top group)
        and ``after_share_of_top_after`` (the later top group's share of the later total);
        columns ``estimate``, ``lower``, ``upper``.
    share : float
    ties : str
    target : int
        ``ceil(share * n)``, the nominal size of a top group.
    members : pandas.DataFrame
        Per customer: ``top_before``, ``top_after`` (bool).
    """

    table: pd.DataFrame
    share: float
    ties: str
    target: int
    members: pd.DataFrame = field(repr=False)

    def crosstab(self) -> pd.DataFrame:
        """Customers by top-group membership before (rows) and after (columns).

        Returns
        -------
        pandas.DataFrame
            Counts with index ``top_before`` and columns ``top_after`` (False, True), with totals.
        """
        return pd.crosstab(self.members["top_before"], self.members["top_after"], margins=True, margins_name="all")


def _persistence_stats(db: np.ndarray, da: np.ndarray, ob: np.ndarray, oa: np.ndarray, w: np.ndarray,
                       share: float, ties: str) -> np.ndarray:
    """Stats for count weights ``w`` (reps x n, in the original customer order)."""
    wb, wa = w[:, ob], w[:, oa]
    mb = np.empty_like(w, dtype=bool)
    ma = np.empty_like(w, dtype=bool)
    mb[:, ob] = _members_sorted(db, wb, share, ties)
    ma[:, oa] = _members_sorted(da, wa, share, ties)
    a = np.empty_like(da)
    a[oa] = da
    nb_ = np.sum(w * mb, axis=1)
    na_ = np.sum(w * ma, axis=1)
    both = np.sum(w * (mb & ma), axis=1)
    lapsed = np.sum(w * (mb & (a == 0)), axis=1)
    tot_a = w @ a
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.column_stack([nb_, na_, both, both / nb_, lapsed / nb_, (w * mb) @ a / tot_a,
                                (w * ma) @ a / tot_a])


_PERSIST_ROWS = ("top_before", "top_after", "stayed", "stayed_share", "lapsed_share", "after_share_of_top_before",
                 "after_share_of_top_after")


def top_persistence(before: Any, after: Any, share: float = 0.2, *, ties: str = "keep", n_boot: int = 0,
                    rng: np.random.Generator | None = None, level: float = 0.95) -> Persistence:
    """Do yesterday's top customers stay on top? Top-group overlap between two periods.

    The top group of each period is :func:`top_members` of that period's values (same
    ``share`` and ``ties``); a customer who spent nothing is never in it.

    Parameters
    ----------
    before, after : array_like or pandas.Series
        One non-negative value per customer in the earlier and the later period (the same
        customers; two Series are paired by label, never by position). Both totals positive.
    share : float
        The top fraction, in (0, 1].
    ties : {"keep", "drop"}
        Treatment of customers tied at a cut-off (see :func:`top_members`).
    n_boot : int
        Bootstrap replicates (customers resampled with replacement, both periods together);
        0 = no intervals.
    rng : numpy.random.Generator, optional
        Seeded generator; required when ``n_boot > 0``.
    level : float
        Coverage of the percentile intervals.

    Returns
    -------
    Persistence

    Raises
    ------
    ValueError
        Bad values in either period, lengths or labels that differ, a bad ``share``, ``ties``
        or ``level``, too many draws.
    TypeError
        Non-numbers, an unseeded ``rng`` with ``n_boot > 0``.
    """
    after = check_aligned(before, "before", after, "after")
    b, index = _values(before, "before")
    a, _ = _values(after, "after")
    if a.size != b.size:
        raise ValueError(f"before has {b.size} customers but after has {a.size}; give one value per customer in both")
    share = _share(share)
    check_choice(ties, "ties", TIES)
    lv = _level(level)
    nb = _n_boot(n_boot, b.size)
    ob, oa = np.argsort(-b, kind="stable"), np.argsort(-a, kind="stable")
    db, da = b[ob], a[oa]
    ones = np.ones((1, b.size))
    est = _persistence_stats(db, da, ob, oa, ones, share, ties)[0]
    lo = hi = np.full(est.size, np.nan)
    if nb:
        rng = check_generator(rng)
        draws = np.vstack([_persistence_stats(db, da, ob, oa, w, share, ties) for w in _boot_weights(rng, b.size, nb)])
        lo, hi = np.nanquantile(draws, [(1 - lv) / 2, (1 + lv) / 2], axis=0)
    table = pd.DataFrame({"estimate": est, "lower": lo, "upper": hi}, index=pd.Index(_PERSIST_ROWS, name="statistic"))
    idx = index if index is not None else pd.RangeIndex(b.size)
    mb = top_members(pd.Series(b, index=idx), share, ties=ties)
    ma = top_members(pd.Series(a, index=idx), share, ties=ties)
    members = pd.DataFrame({"top_before": mb.to_numpy(), "top_after": ma.to_numpy()}, index=idx)
    return Persistence(table, share, ties, int(mb.attrs["target"]), members)
