"""Customers move: segment migration between periods as a Markov chain (马尔可夫链).

* :func:`period_windows` cuts the observation into consecutive periods (quarters of 13
  weeks by default) for :func:`crmlib.segments.window_activity`;
* :func:`spend_states` gives each customer one state per period from that period's spend
  and recency — ``high`` (spent at least ``high_spend``), ``low`` (bought, less), ``lapsed``
  (nothing this period, bought last period), ``inactive`` (nothing for two periods or more);
* :func:`fit_markov_chain` counts transitions between consecutive periods (pooled over
  periods: a time-homogeneous chain) and estimates the transition probabilities by maximum
  likelihood, ``P_ij = N_ij / N_i`` (客户迁移矩阵); :meth:`MarkovChain.bootstrap` puts
  seeded percentile intervals on them, on the long-run mix and on the CLV;
* :func:`stationary_distribution` is the long-run (平稳分布) segment mix ``pi = pi P``;
* :func:`migration_clv` is the migration-model CLV of Pfeifer & Carraway (2000), "Modeling
  customer relationships as Markov chains", Journal of Interactive Marketing 14(2), 43–55.

Timing convention of :func:`migration_clv`
------------------------------------------
``R`` is the margin a customer yields in a period in which she is in each state, and ``d``
the discount rate per period. With ``timing="start"`` (Pfeifer & Carraway's convention) the
customer is in her current state now and this period's margin counts undiscounted::

    V_T = sum_{t=0}^{T-1} [(1 + d)^-t P^t] R        V_inf = (I - P / (1 + d))^-1 R

With ``timing="end"`` only the next periods count, each at its end::

    V_T = sum_{t=1}^{T} [(1 + d)^-t P^t] R          V_inf = (I - P / (1 + d))^-1 (P / (1 + d)) R

— the convention of the BTYD CLV of :func:`crmlib.clv.customer_lifetime_value` (future
purchases only, each discounted to the end of its step), so use it to set the two side by side.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._validate import (MAX_DRAWS, MAX_PERIODS, as_float_array, check_choice, check_columns, check_generator, check_int,
                        check_number, check_probability, check_rate, check_size, check_day, plain)
from .concentration import MAX_BOOTSTRAP_DRAWS

__all__ = ["STATES", "TIMINGS", "ROW_SUM_TOL", "period_windows", "spend_states", "state_revenue",
           "fit_markov_chain", "MarkovChain", "ChainBootstrap", "check_transition_matrix",
           "stationary_distribution", "migration_clv", "period_rate", "clv_by_state"]

#: The spend/recency states of :func:`spend_states`, from the most to the least valuable.
STATES = ("high", "low", "lapsed", "inactive")
#: When the margin of a period counts (see the module notes).
TIMINGS = ("start", "end")
#: How far a row of a transition matrix may be from summing to 1.
ROW_SUM_TOL = 1e-8


def period_windows(start: Any, end: Any, days: int = 91) -> dict[int, tuple[pd.Timestamp, pd.Timestamp]]:
    """Consecutive periods of ``days`` days from ``start`` to ``end`` (both included).

    Parameters
    ----------
    start, end : date
        First and last day of the observation.
    days : int
        Days per period (91 = 13 weeks, a quarter of a 52-week year).

    Returns
    -------
    dict
        Period number 0, 1, … -> ``(first day, last day)``, for
        :func:`crmlib.segments.window_activity`.

    Raises
    ------
    ValueError
        ``end`` before ``start``; a span that is not a whole number of periods (the message
        gives the end that would be); fewer than 2 periods.
    """

    lo, hi = check_day(start, "start"), check_day(end, "end")
    d = check_int(days, "days", low=1, high=MAX_PERIODS)
    if hi < lo:
        raise ValueError(f"end ({hi.date()}) is before start ({lo.date()})")
    span = (hi - lo).days + 1
    n, rest = divmod(span, d)
    if rest:
        fit = lo + pd.Timedelta(days=n * d - 1)
        raise ValueError(f"{span} days from start to end are not a whole number of {d}-day periods "
                         f"({n} periods and {rest} days); end the observation on {fit.date()}")
    if n < 2:
        raise ValueError(f"{span} days make {n} period(s) of {d} days; a migration needs at least 2")
    return {i: (lo + pd.Timedelta(days=i * d), lo + pd.Timedelta(days=(i + 1) * d - 1)) for i in range(n)}


def spend_states(spend: pd.DataFrame, *, high_spend: float) -> pd.DataFrame:
    """One state per customer and period from the period's spend and recency (long format).

    Rule per customer and period, once the customer has bought for the first time (earlier
    periods get no state: she is not a customer yet):

    * ``high`` — spent at least ``high_spend`` in the period;
    * ``low`` — spent something, less than ``high_spend``;
    * ``lapsed`` — spent nothing, but did in the previous period;
    * ``inactive`` — spent nothing in this and the previous period.

    A purchase of value 0 counts as spending nothing.

    Parameters
    ----------
    spend : pandas.DataFrame
        Customers x periods (columns in time order, consecutive integer periods), spend >= 0,
        e.g. ``window_activity(...)["spend"]`` with :func:`period_windows`.
    high_spend : float
        Spend per period from which a customer is ``high`` (> 0).

    Returns
    -------
    pandas.DataFrame
        Long: ``customer``, ``period``, ``state`` (categorical in the order of :data:`STATES`),
        ``spend``; one row per customer and period from her first purchase on.

    Raises
    ------
    ValueError
        Negative, NaN or infinite spend (named by column and row), fewer than 2 periods,
        periods that are not consecutive integers, ``high_spend`` <= 0.
    """
    cols = list(spend.columns) if isinstance(spend, pd.DataFrame) else []
    check_columns(spend, cols, "spend", numeric=cols, nonnegative=cols)
    h = check_number(high_spend, "high_spend", low=0.0, low_open=True)
    if len(cols) < 2:
        raise ValueError(f"spend has {len(cols)} period(s); a migration needs at least 2")
    if not all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in cols) or \
            list(np.diff(cols)) != [1] * (len(cols) - 1):
        raise ValueError(f"spend columns must be consecutive integer periods in order, got {[plain(c) for c in cols]}")
    s = spend.to_numpy(dtype=float)
    bought = s > 0
    started = np.cumsum(bought, axis=1) > 0
    prev = np.zeros_like(bought)
    prev[:, 1:] = bought[:, :-1]
    lab = np.where(bought, np.where(s >= h, "high", "low"), np.where(prev, "lapsed", "inactive"))
    rows, cols_i = np.nonzero(started)
    out = pd.DataFrame({"customer": spend.index.to_numpy()[rows], "period": np.asarray(cols)[cols_i].astype(int),
                        "state": pd.Categorical(lab[rows, cols_i], categories=list(STATES)),
                        "spend": s[rows, cols_i]})
    return out


def _long(states: pd.DataFrame, customer: str, period: str, state: str, spend: str | None,
          order: Any) -> tuple[pd.DataFrame, tuple]:
    need = [customer, period, state] + ([spend] if spend else [])
    check_columns(states, need, "states", numeric=[period] + ([spend] if spend else []),
                  nonnegative=[spend] if spend else [])
    per = states[period].to_numpy()
    if per.dtype.kind == "f" and np.any(per % 1 != 0):
        i = int(np.flatnonzero(per % 1 != 0)[0])
        raise ValueError(f"states column {period!r} is not a whole number at row {plain(states.index[i])!r}")
    for col in (customer, state):
        na = states[col].isna().to_numpy()
        if na.any():
            row = plain(states.index[int(np.flatnonzero(na)[0])])
            raise ValueError(f"states column {col!r} is missing at row {row!r}")
    dup = states.duplicated([customer, period]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        c, p = plain(states[customer].iloc[i]), plain(states[period].iloc[i])
        first = states[(states[customer] == states[customer].iloc[i]) & (states[period] == states[period].iloc[i])]
        segs = [plain(x) for x in first[state].astype(object)]
        raise ValueError(f"customer {c!r} is in two segments in period {p} ({segs[0]!r} and {segs[1]!r}, rows "
                         f"{plain(first.index[0])!r} and {plain(first.index[1])!r}); a customer has one state per "
                         "period")
    if order is None:
        col = states[state]
        order = tuple(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype) else \
            tuple(sorted(pd.unique(col.astype(object)), key=str))
    else:
        order = tuple(order)
        if len(set(order)) != len(order):
            raise ValueError("states order lists a state twice")
        unknown = [s for s in pd.unique(states[state].astype(object)) if s not in order]
        if unknown:
            raise ValueError(f"states column {state!r} holds {plain(unknown[0])!r}, which is not among the states "
                             f"{list(order)}")
    periods = np.unique(per)
    if periods.size < 2:
        raise ValueError(f"states cover only period {plain(periods[0])}; a transition matrix needs states in at least "
                         "two consecutive periods")
    return states, order


def state_revenue(states: pd.DataFrame, *, state: str = "state", spend: str = "spend",
                  order: Any = None) -> pd.Series:
    """Mean spend per customer-period in each state: the ``R`` of :func:`migration_clv`.

    Parameters
    ----------
    states : pandas.DataFrame
        Long table with a state and a spend column (:func:`spend_states`).
    state, spend : str
        Column names.
    order : sequence, optional
        The states (default: the categories of the state column).

    Returns
    -------
    pandas.Series
        Mean spend per state (0 for a state that never occurs, e.g. none).

    Raises
    ------
    ValueError
        Missing columns, negative, NaN or infinite spend.
    """
    check_columns(states, [state, spend], "states", numeric=[spend], nonnegative=[spend])
    col = states[state]
    if order is None:
        order = list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype) else sorted(
            pd.unique(col.astype(object)), key=str)
    g = states.assign(_s=col.astype(object).to_numpy()).groupby("_s")[spend].mean()
    out = g.reindex(list(order)).fillna(0.0)
    out.index.name = "state"
    return out.rename("revenue")


def check_transition_matrix(P: Any, name: str = "P") -> pd.DataFrame:
    """Return ``P`` as a float DataFrame after checking it is a transition matrix.

    Parameters
    ----------
    P : pandas.DataFrame or 2-D array
        Square; entries in [0, 1]; each row sums to 1 (within :data:`ROW_SUM_TOL`). A DataFrame
        must have the same states, in the same order, as index and columns.
    name : str
        The argument's name in messages.

    Returns
    -------
    pandas.DataFrame
        ``P`` (a plain array gets states 0, 1, …).

    Raises
    ------
    ValueError
        Not square, NaN or infinite entries, an entry outside [0, 1], a row that does not sum
        to 1 (named by its state), different row and column states.
    TypeError
        Entries that are not numbers.
    """
    if isinstance(P, pd.DataFrame):
        if list(P.index) != list(P.columns):
            raise ValueError(f"{name} must have the same states in the same order as rows and columns, got rows "
                             f"{[plain(x) for x in P.index]} and columns {[plain(x) for x in P.columns]}")
        labels = list(P.index)
        try:
            arr = P.to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must hold numbers") from None
    else:
        if isinstance(P, (str, bytes)) or P is None:
            raise TypeError(f"{name} must be a square matrix of numbers, got {type(P).__name__}")
        try:
            arr = np.asarray(P, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a square matrix of numbers") from None
        labels = list(range(arr.shape[0])) if arr.ndim == 2 else []
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise ValueError(f"{name}[{plain(labels[i])!r}, {plain(labels[j])!r}] is not finite")
    out = np.argwhere((arr < 0) | (arr > 1))
    if out.size:
        i, j = map(int, out[0])
        raise ValueError(f"{name}[{plain(labels[i])!r}, {plain(labels[j])!r}] = {arr[i, j]} is not a probability "
                         "(must lie in [0, 1])")
    sums = arr.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > ROW_SUM_TOL)
    if off.size:
        i = int(off[0])
        raise ValueError(f"{name} row {plain(labels[i])!r} sums to {sums[i]:.10g}, not 1; each row holds the "
                         "probabilities of moving from that state and must sum to 1")
    return pd.DataFrame(arr, index=labels, columns=labels)


def stationary_distribution(P: Any) -> pd.Series:
    """The long-run (stationary) mix ``pi`` with ``pi P = pi`` and ``sum(pi) = 1``.

    Parameters
    ----------
    P : pandas.DataFrame or 2-D array
        A transition matrix (:func:`check_transition_matrix`).

    Returns
    -------
    pandas.Series
        Share of customers in each state in the long run, on the states of ``P``.

    Raises
    ------
    ValueError
        A bad transition matrix; a chain with more than one stationary distribution (two or
        more closed classes, e.g. two absorbing states: the long run depends on the start).

    Examples
    --------
    >>> stationary_distribution([[0.9, 0.1], [0.3, 0.7]]).round(3).tolist()
    [0.75, 0.25]
    """
    Pm = check_transition_matrix(P)
    pi = _stationary(Pm.to_numpy()[None])[0]
    if np.isnan(pi).any():
        raise ValueError("P has more than one stationary distribution (two or more closed classes of states, "
                         "e.g. two absorbing states); the long-run mix depends on where customers start")
    return pd.Series(pi, index=Pm.index, name="stationary")


def _stationary(P: np.ndarray) -> np.ndarray:
    """Stationary distributions of a stack of transition matrices (NaN where not unique)."""
    B, S, _ = P.shape
    A = np.concatenate([np.transpose(P, (0, 2, 1)) - np.eye(S)[None], np.ones((B, 1, S))], axis=1)
    out = np.full((B, S), np.nan)
    rhs = np.zeros(S + 1)
    rhs[-1] = 1.0
    for b in range(B):
        if not np.all(np.isfinite(A[b])):
            continue
        if np.linalg.matrix_rank(A[b][:-1]) < S - 1:
            continue
        x = np.linalg.lstsq(A[b], rhs, rcond=None)[0]
        x = np.clip(x, 0.0, None)
        out[b] = x / x.sum()
    return out


def _revenue(revenue: Any, states: list, name: str = "revenue") -> np.ndarray:
    if isinstance(revenue, Mapping) and not isinstance(revenue, pd.Series):
        revenue = pd.Series(revenue, dtype=object)
    if isinstance(revenue, pd.Series):
        missing = [s for s in states if s not in revenue.index]
        if missing:
            raise ValueError(f"{name} has no value for state {plain(missing[0])!r}")
        extra = [s for s in revenue.index if s not in states]
        if extra:
            raise ValueError(f"{name} names state {plain(extra[0])!r}, which P does not have")
        revenue = revenue.reindex(states)
    r = as_float_array(revenue, name)
    if r.size != len(states):
        raise ValueError(f"{name} has {r.size} entries but P has {len(states)} states")
    neg = np.flatnonzero(r < 0)
    if neg.size:
        i = int(neg[0])
        raise ValueError(f"{name}[{plain(states[i])!r}] is negative ({r[i]}); give the {name} per state, >= 0")
    return r


def migration_clv(P: Any, revenue: Any, discount: float, horizon: int | None = None, *,
                  timing: str = "start") -> pd.Series:
    """Pfeifer & Carraway's migration-model CLV of a customer in each state.

    Parameters
    ----------
    P : pandas.DataFrame or 2-D array
        Transition matrix per period (:func:`check_transition_matrix`).
    revenue : pandas.Series, mapping or sequence
        ``R``: margin (or revenue) per period of a customer in each state, >= 0; a Series or
        mapping is matched to ``P``'s states by name.
    discount : float
        Discount rate per period (> -1; > 0 for an infinite horizon). :func:`period_rate`
        turns a yearly rate into one per period.
    horizon : int or None
        Periods valued (1 … :data:`crmlib._validate.MAX_PERIODS`); None = infinite, the
        closed form.
    timing : {"start", "end"}
        When a period's margin counts (see the module notes): ``"start"`` sums t = 0 …
        horizon − 1, ``"end"`` t = 1 … horizon.

    Returns
    -------
    pandas.Series
        CLV of a customer starting in each state, on ``P``'s states.

    Raises
    ------
    ValueError
        A bad ``P`` (rows not summing to 1 …), negative revenue, a discount <= -1 (or <= 0
        with an infinite horizon), a horizon < 1, an unknown ``timing``.
    """
    Pm = check_transition_matrix(P)
    states = list(Pm.index)
    R = _revenue(revenue, states)
    d = check_rate(discount, "discount")
    check_choice(timing, "timing", TIMINGS)
    Q = Pm.to_numpy() / (1.0 + d)
    S = len(states)
    if horizon is None or (isinstance(horizon, float) and np.isinf(horizon)):
        if d <= 0:
            raise ValueError(f"an infinite horizon needs a positive discount rate, got {d}")
        v = np.linalg.solve(np.eye(S) - Q, R if timing == "start" else Q @ R)
    else:
        T = check_size(horizon, "horizon", MAX_PERIODS, low=1, what="periods")
        v = np.zeros(S)
        term = R.copy() if timing == "start" else Q @ R
        for _ in range(T):
            v += term
            term = Q @ term
    return pd.Series(v, index=Pm.index, name="clv")


def period_rate(annual_rate: float, period_days: float, year_days: float = 364.0) -> float:
    """A yearly rate as a rate per period: ``(1 + annual_rate) ** (period_days / year_days) - 1``.

    Parameters
    ----------
    annual_rate : float
        Rate per year (> -1), e.g. 0.10.
    period_days : float
        Days per period (> 0), e.g. 91 for a 13-week quarter.
    year_days : float
        Days per year (364 = 52 weeks, the CDNOW convention of :mod:`crmlib.clv`).

    Returns
    -------
    float
        The equivalent rate per period.
    """
    a = check_rate(annual_rate, "annual_rate")
    p = check_number(period_days, "period_days", low=0.0, low_open=True)
    y = check_number(year_days, "year_days", low=0.0, low_open=True)
    return float((1.0 + a) ** (p / y) - 1.0)


@dataclass(frozen=True)
class MarkovChain:
    """A time-homogeneous Markov chain of segment migration, fitted by maximum likelihood.

    Attributes
    ----------
    counts : pandas.DataFrame
        Transitions from each state (rows) to each state (columns), pooled over the periods.
    transition_matrix : pandas.DataFrame
        ``counts`` divided by their row totals (the MLE).
    revenue : pandas.Series
        Mean spend per customer-period in each state (:func:`state_revenue`); NaN without a
        spend column.
    n_customers : int
        Customers with at least one transition.
    periods : tuple of int
        The periods of the data.
    period_days : int or None
        Days per period, if known (for labels and :meth:`clv`).
    """

    counts: pd.DataFrame
    transition_matrix: pd.DataFrame
    revenue: pd.Series
    n_customers: int
    periods: tuple
    period_days: int | None = None
    _by_customer: dict = field(default_factory=dict, repr=False)

    @property
    def states(self) -> tuple:
        """The states, in matrix order."""
        return tuple(self.counts.index)

    @property
    def params(self) -> pd.Series:
        """Transition probabilities as a Series indexed by (from, to)."""
        return self.transition_matrix.stack().rename("probability")

    def stationary(self) -> pd.Series:
        """The long-run segment mix of the fitted chain (:func:`stationary_distribution`).

        Returns
        -------
        pandas.Series
        """
        return stationary_distribution(self.transition_matrix)

    def predict(self, mix: Any, steps: int) -> pd.DataFrame:
        """Project a segment mix ``steps`` periods ahead: ``mix_{t+1} = mix_t P``.

        Parameters
        ----------
        mix : pandas.Series, mapping or sequence
            Customers (or shares) per state now, >= 0.
        steps : int
            Periods ahead (1 … MAX_PERIODS).

        Returns
        -------
        pandas.DataFrame
            Rows 0 … steps, columns the states.
        """
        m = _revenue(mix, list(self.states), "mix")
        n = check_size(steps, "steps", MAX_PERIODS, low=1, what="periods")
        P = self.transition_matrix.to_numpy()
        rows = [m]
        for _ in range(n):
            rows.append(rows[-1] @ P)
        return pd.DataFrame(rows, columns=list(self.states), index=pd.RangeIndex(n + 1, name="step"))

    def clv(self, annual_discount: float, horizon: int | None = None, *, timing: str = "start",
            revenue: Any = None) -> pd.Series:
        """:func:`migration_clv` of the fitted chain, the yearly rate turned into one per period.

        Parameters
        ----------
        annual_discount : float
            Discount rate per year (364 days).
        horizon : int or None
            Periods valued; None = infinite.
        timing : {"start", "end"}
        revenue : pandas.Series, optional
            Margin per period by state (default: the fitted :attr:`revenue`).

        Returns
        -------
        pandas.Series
        """
        if self.period_days is None:
            raise ValueError("the chain does not know its period length; call migration_clv with a rate per period")
        d = period_rate(annual_discount, self.period_days)
        return migration_clv(self.transition_matrix, self.revenue if revenue is None else revenue, d, horizon,
                             timing=timing)

    def summary(self) -> pd.DataFrame:
        """Counts and probabilities side by side, one row per (from, to) pair.

        Returns
        -------
        pandas.DataFrame
            ``count``, ``row_total``, ``probability``.
        """
        c = self.counts.stack().rename("count")
        tot = self.counts.sum(axis=1)
        out = c.to_frame()
        out["row_total"] = [tot[i] for i, _ in out.index]
        out["probability"] = self.params.to_numpy()
        out.index.names = ["from", "to"]
        return out

    def bootstrap(self, n_boot: int, rng: np.random.Generator, *, method: str = "customer") -> "ChainBootstrap":
        """Bootstrap replicates of the transition matrix (and of the state revenue).

        Parameters
        ----------
        n_boot : int
            Replicates (1 … 100,000; with ``method="customer"`` at most
            ``MAX_BOOTSTRAP_DRAWS / customers``).
        rng : numpy.random.Generator
            Seeded generator.
        method : {"customer", "multinomial"}
            ``"customer"``: resample customers with replacement, each with all her transitions
            and periods (keeps the dependence between one customer's moves; the revenue per
            state is re-estimated too). ``"multinomial"``: redraw each row's transitions from
            Multinomial(N_i, P_i) (treats transitions as independent; revenue fixed).

        Returns
        -------
        ChainBootstrap
        """
        nb = check_size(n_boot, "n_boot", 100_000, low=1, what="bootstrap replicates")
        rng = check_generator(rng)
        check_choice(method, "method", ("customer", "multinomial"))
        S = len(self.states)
        N = self.counts.to_numpy(dtype=float)
        if method == "multinomial":
            draws = np.empty((nb, S, S))
            for i in range(S):
                tot = int(N[i].sum())
                draws[:, i, :] = rng.multinomial(tot, N[i] / tot, size=nb) if tot else 0.0
            rev = np.tile(self.revenue.to_numpy(dtype=float), (nb, 1))
        else:
            trans = self._by_customer["transitions"]
            occ, spend = self._by_customer["occupancy"], self._by_customer["spend"]
            n = trans.shape[0]
            if nb * n > MAX_BOOTSTRAP_DRAWS:
                raise ValueError(f"n_boot = {nb:,} replicates of {n:,} customers exceed crmlib's limit of "
                                 f"{MAX_BOOTSTRAP_DRAWS:,} draws; use n_boot <= {MAX_BOOTSTRAP_DRAWS // n:,}")
            per = max(1, 2_000_000 // n)
            parts, revs = [], []
            done = 0
            while done < nb:
                b = min(per, nb - done)
                idx = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
                w = np.bincount(idx.ravel(), minlength=b * n).reshape(b, n).astype(float)
                parts.append((w @ trans).reshape(b, S, S))
                with np.errstate(invalid="ignore", divide="ignore"):
                    revs.append(np.where((w @ occ) > 0, (w @ spend) / (w @ occ), 0.0))
                done += b
            draws = np.concatenate(parts)
            rev = np.concatenate(revs)
        with np.errstate(invalid="ignore", divide="ignore"):
            P = draws / draws.sum(axis=2, keepdims=True)
        return ChainBootstrap(self, P, rev, method)


@dataclass(frozen=True)
class ChainBootstrap:
    """Bootstrap replicates of a :class:`MarkovChain` (see :meth:`MarkovChain.bootstrap`).

    Attributes
    ----------
    chain : MarkovChain
    draws : numpy.ndarray
        Transition matrices, replicates x states x states (a row never left in a replicate is NaN).
    revenue : numpy.ndarray
        Revenue per state of each replicate.
    method : str
    """

    chain: MarkovChain
    draws: np.ndarray = field(repr=False)
    revenue: np.ndarray = field(repr=False)
    method: str = "customer"

    @staticmethod
    def _interval_table(values: np.ndarray, estimate: np.ndarray, level: float, index: pd.Index) -> pd.DataFrame:
        """``estimate`` with the percentile interval of the replicates ``values`` (first axis), one row per entry."""
        lv = check_probability(level, "level", open_low=True, open_high=True)
        with np.errstate(invalid="ignore"):
            lo, hi = np.nanquantile(values, [(1 - lv) / 2, (1 + lv) / 2], axis=0)
        return pd.DataFrame({"estimate": estimate.ravel(), "lower": lo.ravel(), "upper": hi.ravel()}, index=index)

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Percentile intervals of the transition probabilities.

        Parameters
        ----------
        level : float
            Coverage, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Indexed by (from, to): ``estimate``, ``lower``, ``upper``.
        """
        return self._interval_table(self.draws, self.chain.transition_matrix.to_numpy(), level,
                                    self.chain.params.index.set_names(["from", "to"]))

    def stationary_conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Percentile intervals of the long-run mix.

        Parameters
        ----------
        level : float
            Coverage, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Indexed by state: ``estimate``, ``lower``, ``upper``.
        """
        return self._interval_table(_stationary(self.draws), self.chain.stationary().to_numpy(), level,
                                    pd.Index(self.chain.states, name="state"))

    def clv_conf_int(self, annual_discount: float, horizon: int | None = None, *, timing: str = "start",
                     level: float = 0.95) -> pd.DataFrame:
        """Percentile intervals of the migration-model CLV per state.

        Parameters
        ----------
        annual_discount : float
            Discount rate per year.
        horizon : int or None
            Periods valued; None = infinite.
        timing : {"start", "end"}
        level : float
            Coverage, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Indexed by state: ``estimate``, ``lower``, ``upper``.
        """
        est = self.chain.clv(annual_discount, horizon, timing=timing)
        vals = []
        for P, R in zip(self.draws, self.revenue):
            if not np.all(np.isfinite(P)):
                vals.append(np.full(len(est), np.nan))
                continue
            P = P / P.sum(axis=1, keepdims=True)
            vals.append(_replace(self.chain, P).clv(annual_discount, horizon, timing=timing,
                                                    revenue=pd.Series(R, index=est.index)).to_numpy())
        return self._interval_table(np.array(vals), est.to_numpy(), level, est.index.rename("state"))


def _replace(chain: MarkovChain, P: np.ndarray) -> MarkovChain:
    tm = pd.DataFrame(P, index=chain.transition_matrix.index, columns=chain.transition_matrix.columns)
    return MarkovChain(chain.counts, tm, chain.revenue, chain.n_customers, chain.periods, chain.period_days)


def fit_markov_chain(states: pd.DataFrame, *, customer: str = "customer", period: str = "period",
                     state: str = "state", spend: str | None = "spend", order: Any = None,
                     period_days: int | None = None) -> MarkovChain:
    """Maximum-likelihood transition matrix of segment migration between consecutive periods.

    A transition is counted for every customer with a state in period ``p`` and in ``p + 1``;
    all pairs of consecutive periods are pooled (the chain is time-homogeneous).
    ``P_ij = N_ij / sum_j N_ij``.

    Parameters
    ----------
    states : pandas.DataFrame
        Long table, one row per customer and period (:func:`spend_states`).
    customer, period, state : str
        Column names (period: whole numbers).
    spend : str or None
        Spend column for the revenue per state (None: no revenue).
    order : sequence, optional
        The states in matrix order (default: the state column's categories, else sorted).
    period_days : int, optional
        Days per period (for :meth:`MarkovChain.clv` and plot labels).

    Returns
    -------
    MarkovChain

    Raises
    ------
    ValueError
        Missing columns or values; a customer with two rows (two segments) in one period;
        states in only one period; no consecutive pair of periods; a state never left (its
        row cannot be estimated); a state outside ``order``; negative spend.
    """
    st, order = _long(states, customer, period, state, spend, order)
    S = len(order)
    code = {s: i for i, s in enumerate(order)}
    cust_codes, cust = pd.factorize(st[customer])
    per = st[period].to_numpy().astype(np.int64)
    sc = np.array([code[s] for s in st[state].astype(object)], dtype=np.int64)
    n_cust = cust.size
    check_size(n_cust * S * S, "customers x states^2", MAX_DRAWS, what="cells of the per-customer transition counts")
    pmin = int(per.min())
    width = int(per.max()) - pmin + 1
    grid = np.full((n_cust, width), -1, dtype=np.int64)
    grid[cust_codes, per - pmin] = sc
    a, b = grid[:, :-1], grid[:, 1:]
    ok = (a >= 0) & (b >= 0)
    if not ok.any():
        raise ValueError("no customer has states in two consecutive periods; nothing to count")
    rows = np.nonzero(ok)[0]
    pair = a[ok] * S + b[ok]
    trans = np.zeros((n_cust, S * S))
    np.add.at(trans, (rows, pair), 1.0)
    N = trans.sum(axis=0).reshape(S, S)
    never = np.flatnonzero(N.sum(axis=1) == 0)
    if never.size:
        raise ValueError(f"state {plain(order[int(never[0])])!r} is never left (no customer in it is seen in the "
                         "next period), so its row of the transition matrix cannot be estimated; merge or drop it")
    occ = np.zeros((n_cust, S))
    np.add.at(occ, (cust_codes, sc), 1.0)
    spend_by = np.zeros((n_cust, S))
    if spend:
        np.add.at(spend_by, (cust_codes, sc), st[spend].to_numpy(dtype=float))
        tot_occ = occ.sum(axis=0)
        rev = np.divide(spend_by.sum(axis=0), tot_occ, out=np.zeros(S), where=tot_occ > 0)
    else:
        rev = np.full(S, np.nan)
    counts = pd.DataFrame(N, index=list(order), columns=list(order))
    counts.index.name, counts.columns.name = "from", "to"
    P = counts.div(counts.sum(axis=1), axis=0)
    pdays = None if period_days is None else check_int(period_days, "period_days", low=1)
    active = int(np.count_nonzero(trans.sum(axis=1)))
    return MarkovChain(counts, P, pd.Series(rev, index=list(order), name="revenue"), active,
                       tuple(int(p) for p in np.unique(per)), pdays,
                       {"transitions": trans, "occupancy": occ, "spend": spend_by})


def clv_by_state(states: pd.DataFrame, values: Any, migration: Any, *, period: int, customer: str = "customer",
                 period_col: str = "period", state: str = "state") -> pd.DataFrame:
    """Set a per-customer value (e.g. the BTYD CLV) beside the migration-model CLV, state by state.

    Parameters
    ----------
    states : pandas.DataFrame
        Long state table (:func:`spend_states`).
    values : pandas.Series
        A value per customer (indexed by customer id), e.g. :func:`crmlib.clv.customer_lifetime_value`.
    migration : pandas.Series
        Migration-model CLV per state (:func:`migration_clv`).
    period : int
        The period whose states group the customers (e.g. the last calibration period).
    customer, period_col, state : str
        Column names of ``states``.

    Returns
    -------
    pandas.DataFrame
        One row per state of ``migration``: ``customers`` (in that state in ``period`` with a
        value), ``mean_value`` (mean of ``values`` over them) and ``migration_clv``.

    Raises
    ------
    ValueError
        Missing columns, no row for ``period``, a customer of ``period`` without a value.
    """
    check_columns(states, [customer, period_col, state], "states", numeric=[period_col])
    at = states[states[period_col] == period]
    if at.empty:
        raise ValueError(f"states have no row for period {plain(period)!r}")
    if not isinstance(values, pd.Series):
        raise TypeError(f"values must be a Series indexed by customer, got {type(values).__name__}")
    missing = at[customer][~at[customer].isin(values.index)]
    if len(missing):
        raise ValueError(f"values has no entry for customer {plain(missing.iloc[0])!r} (in period {plain(period)})")
    v = as_float_array(values, "values")
    vals = pd.Series(v, index=values.index).reindex(at[customer].to_numpy())
    g = pd.DataFrame({"s": at[state].astype(object).to_numpy(), "v": vals.to_numpy()}).groupby("s")["v"]
    mig = pd.Series(migration)
    out = pd.DataFrame({"customers": g.size().reindex(mig.index).fillna(0).astype(int),
                        "mean_value": g.mean().reindex(mig.index), "migration_clv": mig.to_numpy(dtype=float)})
    out.index.name = "state"
    return out
