"""Customer segmentation (客户细分): RFM scores and named segments, value classes, and how they compare.

From a transaction log to segments in four steps:

1. :func:`window_activity` — purchases (distinct purchase days) and spend of every customer
   in named date windows (calibration, holdout, quarters …), 0 where nothing was bought;
   :func:`rfm_table` — recency, frequency and monetary value as of a date.
2. :func:`rfm_scores` — scores 1–5 per metric; :func:`name_segments` — named segments from
   the (R, F) scores by the rule table :data:`RFM_SEGMENTS`; :func:`segment_profile` and
   :func:`holdout_by_segment` — what the segments look like and what they did next.
3. :func:`customer_value` — P(alive), expected purchases and CLV per customer from the
   BG/NBD and Gamma-Gamma models of :mod:`crmlib.clv.btyd` (chapter 05); :func:`value_classes` —
   the three classes of the source text S2: key (重点客户), ordinary (普通客户), potential
   (潜在客户).
4. :func:`contingency` and :func:`class_agreement` — where the two schemes agree and, where
   they disagree, who spent more in the holdout.

RFM definitions (as of ``end``, inclusive)
------------------------------------------
* **R** ``recency`` — time from the last purchase day to ``end`` (weeks by default; smaller
  is better). Not the BTYD ``recency`` of :func:`crmlib.clv.rfm.summarize`, which is measured
  from the first purchase.
* **F** ``frequency`` — purchase occasions: distinct days with a purchase (transactions on
  one day are one occasion, as in :func:`crmlib.clv.rfm.summarize`), the first one included.
* **M** ``monetary`` — mean spend per purchase occasion; ``revenue`` is the total spend.

Scores and ties
---------------
A metric's score is read off cut points, the ``k/5`` quantiles ``c_k`` (k = 1…4) of its
values taken as data values (numpy's ``"inverted_cdf"``: the smallest value with at least
``k/5`` of the customers at or below it): F and M score ``1 + #{k: value > c_k}``, R scores
``5 - #{k: value > c_k}`` (the most recent score 5). Customers with equal values therefore
always share a score, never split by row order as ``rank(method="first")`` would split them,
and ``pandas.qcut``'s failure on duplicate edges cannot occur. The price is that a large tie
leaves some scores empty: in the CDNOW calibration weeks 60 % of the customers bought on one
day only, so the F cut points are 1, 1, 2, 3, F = 1 scores 1, F = 2 scores 3, and score 2
stays empty. :func:`score_sizes` reports the group sizes; ``cuts=`` sets thresholds by hand.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._validate import (as_float_array, check_aligned, check_choice, check_columns, check_generator, check_int,
                        check_nonnegative, check_number, check_probability, check_size, check_day, plain)
from .concentration import MAX_BOOTSTRAP_DRAWS, TIES, top_members
from .warnings import DataWarning
from .warnings import warn as _warn

__all__ = [
    "RFM_COLUMNS", "RFM_SEGMENTS", "SEGMENT_ORDER", "RFM_CLASS", "VALUE_CLASSES", "window_activity", "rfm_table",
    "rfm_scores", "score_sizes", "name_segments", "segment_profile", "holdout_by_segment", "customer_value",
    "value_classes", "rfm_classes", "contingency", "class_agreement", "key_share_whatif",
]

#: The three RFM metrics, in the order of their scores.
RFM_COLUMNS = ("recency", "frequency", "monetary")

#: Named segments from the (R, F) scores, first matching row wins (every one of the 25 cells
#: is covered exactly once; a test checks it). M is shown in the profiles, not used in names.
RFM_SEGMENTS = pd.DataFrame(
    [("champions", 4, 5, 4, 5), ("loyal", 3, 5, 3, 5), ("promising", 4, 5, 2, 2), ("new", 4, 5, 1, 1),
     ("needs_attention", 3, 3, 1, 2), ("at_risk", 1, 2, 3, 5), ("hibernating", 1, 2, 1, 2)],
    columns=["segment", "r_min", "r_max", "f_min", "f_max"])
#: Segments from the best to the least engaged (the order of tables and plots).
SEGMENT_ORDER = tuple(RFM_SEGMENTS["segment"])
#: The value classes of source text S2, in display order: key (重点客户), potential (潜在客户),
#: ordinary (普通客户).
VALUE_CLASSES = ("key", "potential", "ordinary")
#: Named RFM segment -> S2 class, for comparing the two schemes: buying often and recently = key;
#: recent but few purchases = potential; the rest ordinary.
RFM_CLASS = {"champions": "key", "loyal": "key", "promising": "potential", "new": "potential",
             "needs_attention": "ordinary", "at_risk": "ordinary", "hibernating": "ordinary"}


# ----------------------------------------------------------------------------------- the log
def _log(transactions: Any, customer_id: str, date: str, amount: str) -> pd.DataFrame:
    for arg, col in (("customer_id", customer_id), ("date", date), ("amount", amount)):
        if not isinstance(col, str):
            raise TypeError(f"{arg} must be a column name (str), got {type(col).__name__}")
    check_columns(transactions, [customer_id, date, amount], "transactions", numeric=[amount], nonnegative=[amount])
    if not pd.api.types.is_datetime64_any_dtype(transactions[date]) or isinstance(transactions[date].dtype,
                                                                                  pd.DatetimeTZDtype):
        raise TypeError(f"transactions column {date!r} must hold naive dates (datetime64), got dtype "
                        f"{transactions[date].dtype}; read it with pandas.to_datetime first")
    bad = transactions[date].isna().to_numpy() | transactions[customer_id].isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        col = date if pd.isna(transactions[date].iloc[i]) else customer_id
        raise ValueError(f"transactions column {col!r} is missing at row {plain(transactions.index[i])!r}")
    return transactions


def window_activity(transactions: pd.DataFrame, *, customer_id: str, date: str, amount: str,
                    windows: Mapping[Any, tuple[Any, Any]]) -> pd.DataFrame:
    """Purchases and spend of every customer of a log in each of several date windows.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction.
    customer_id : str
        Customer column (no missing values).
    date : str
        Date column, naive datetime64 (read strings with :func:`pandas.to_datetime` first).
    amount : str
        Spend column (money, >= 0, finite).
    windows : mapping
        Window name -> ``(start, end)``, both days included (e.g.
        ``{"calibration": ("1997-01-01", "1997-09-30"), "holdout": ("1997-10-01", "1998-06-30")}``).

    Returns
    -------
    pandas.DataFrame
        One row per customer of the log (sorted ids, those without a purchase in a window
        included with 0); columns a MultiIndex ``(measure, window)`` with the measures
        ``purchases`` (distinct purchase days, int) and ``spend`` (sum of ``amount``).

    Raises
    ------
    ValueError
        Missing columns, missing ids or dates, negative, NaN or infinite amounts (named by
        column and row); no windows, a window whose end precedes its start.
    TypeError
        A date column that is not datetime64, a window bound that is not a date.
    """
    tx = _log(transactions, customer_id, date, amount)
    if not isinstance(windows, Mapping) or not windows:
        raise ValueError("windows must be a non-empty mapping name -> (start, end)")
    bounds = {}
    for name, pair in windows.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"windows[{name!r}] must be a pair (start, end), got {pair!r}")
        lo, hi = check_day(pair[0], f"windows[{name!r}] start"), check_day(pair[1], f"windows[{name!r}] end")
        if hi < lo:
            raise ValueError(f"windows[{name!r}] ends ({hi.date()}) before it starts ({lo.date()})")
        bounds[name] = (lo, hi)
    day = tx[date].dt.normalize()
    ids = pd.Index(np.sort(tx[customer_id].unique()), name=customer_id)
    purchases, spend = {}, {}
    for name, (lo, hi) in bounds.items():
        inside = ((day >= lo) & (day <= hi)).to_numpy()
        sub = pd.DataFrame({"c": tx[customer_id].to_numpy()[inside], "d": day.to_numpy()[inside],
                            "a": tx[amount].to_numpy(dtype=float)[inside]})
        purchases[name] = sub.drop_duplicates(["c", "d"]).groupby("c").size().reindex(ids, fill_value=0).astype(int)
        spend[name] = sub.groupby("c")["a"].sum().reindex(ids, fill_value=0.0)
    out = pd.concat({"purchases": pd.DataFrame(purchases), "spend": pd.DataFrame(spend)}, axis=1)
    out.index.name = customer_id
    return out


def rfm_table(transactions: pd.DataFrame, *, customer_id: str, date: str, amount: str, end: Any,
              unit_days: float = 7.0) -> pd.DataFrame:
    """Recency, frequency and monetary value of every customer who bought by ``end``.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction (later rows are left out).
    customer_id, date, amount : str
        Columns as for :func:`window_activity`.
    end : date
        The day the table describes (included), e.g. the calibration end.
    unit_days : float
        Length of the time unit of ``recency`` and ``tenure`` in days (7: weeks).

    Returns
    -------
    pandas.DataFrame
        Indexed by customer (those with a purchase on or before ``end``): ``recency`` (units
        from the last purchase day to ``end``), ``frequency`` (purchase days), ``monetary``
        (mean spend per purchase day), ``revenue`` (total spend) and ``tenure`` (units from
        the first purchase day to ``end``).

    Raises
    ------
    ValueError
        The checks of :func:`window_activity`; nobody bought by ``end``; ``unit_days`` <= 0.
    """
    tx = _log(transactions, customer_id, date, amount)
    end = check_day(end, "end")
    unit = check_number(unit_days, "unit_days", low=0.0, low_open=True)
    day = tx[date].dt.normalize()
    keep = (day <= end).to_numpy()
    if not keep.any():
        raise ValueError(f"no transaction on or before end ({end.date()})")
    occ = (pd.DataFrame({"c": tx[customer_id].to_numpy()[keep], "d": day.to_numpy()[keep],
                         "a": tx[amount].to_numpy(dtype=float)[keep]})
           .groupby(["c", "d"], sort=True)["a"].sum().reset_index())
    g = occ.groupby("c")
    last, first = g["d"].max(), g["d"].min()
    out = pd.DataFrame({"recency": (end - last).dt.days / unit, "frequency": g.size().astype(int),
                        "monetary": g["a"].mean(), "revenue": g["a"].sum(), "tenure": (end - first).dt.days / unit})
    out.index.name = customer_id
    return out


# ----------------------------------------------------------------------------------- scores
def _rfm_frame(table: Any, name: str = "table") -> pd.DataFrame:
    check_columns(table, list(RFM_COLUMNS), name, numeric=list(RFM_COLUMNS), nonnegative=list(RFM_COLUMNS))
    if table.index.has_duplicates:
        raise ValueError(f"{name} lists customer {plain(table.index[table.index.duplicated()][0])!r} twice")
    return table


def rfm_scores(table: pd.DataFrame, *, bins: int = 5, cuts: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """RFM scores 1 … ``bins`` per customer, ties kept together (see the module notes).

    Parameters
    ----------
    table : pandas.DataFrame
        ``recency``, ``frequency``, ``monetary`` per customer (:func:`rfm_table`).
    bins : int
        Number of scores (2 … 10; 5 = quintiles).
    cuts : mapping, optional
        Metric -> ``bins - 1`` increasing thresholds replacing its quantile cut points, e.g.
        ``{"frequency": [1, 2, 3, 5]}`` (F = 1 → 1, 2 → 2, 3 → 3, 4–5 → 4, 6+ → 5).

    Returns
    -------
    pandas.DataFrame
        ``R``, ``F``, ``M`` (int scores, higher = better: R 5 = most recent) on the index of
        ``table``; ``attrs["cuts"]`` = metric -> the cut points used.

    Raises
    ------
    ValueError
        Missing columns, NaN, infinite or negative values (named by column and row), a customer
        listed twice; ``cuts`` naming an unknown metric, of the wrong length or not increasing.
    """
    tab = _rfm_frame(table)
    k = check_int(bins, "bins", low=2, high=10)
    cuts = {} if cuts is None else dict(cuts)
    unknown = [m for m in cuts if m not in RFM_COLUMNS]
    if unknown:
        raise ValueError(f"cuts names unknown metric {unknown[0]!r}; metrics are {list(RFM_COLUMNS)}")
    used, out = {}, {}
    for metric, letter in zip(RFM_COLUMNS, "RFM"):
        v = tab[metric].to_numpy(dtype=float)
        if metric in cuts:
            c = np.asarray(cuts[metric], dtype=float) if not isinstance(cuts[metric], str) else None
            if c is None or c.ndim != 1 or c.size != k - 1 or not np.all(np.isfinite(c)):
                raise ValueError(f"cuts[{metric!r}] must be {k - 1} finite thresholds, got {cuts[metric]!r}")
            if np.any(np.diff(c) <= 0):
                raise ValueError(f"cuts[{metric!r}] must be strictly increasing, got {c.tolist()}")
        else:
            c = np.quantile(v, np.arange(1, k) / k, method="inverted_cdf")
        above = (v[:, None] > c[None, :]).sum(axis=1)
        out[letter] = (k - above) if metric == "recency" else (1 + above)
        used[metric] = [plain(x) for x in c]
    scores = pd.DataFrame(out, index=tab.index).astype(int)
    scores.attrs["cuts"] = used
    scores.attrs["bins"] = k
    return scores


def score_sizes(scores: pd.DataFrame) -> pd.DataFrame:
    """How many customers got each score of each metric (empty scores show as 0).

    Parameters
    ----------
    scores : pandas.DataFrame
        :func:`rfm_scores` output (``R``, ``F``, ``M``).

    Returns
    -------
    pandas.DataFrame
        Index the scores 1 … bins, columns ``R``, ``F``, ``M``: customer counts.
    """
    check_columns(scores, ["R", "F", "M"], "scores", numeric=["R", "F", "M"])
    k = int(scores.attrs.get("bins", max(5, int(scores[["R", "F", "M"]].max().max()))))
    idx = pd.RangeIndex(1, k + 1, name="score")
    return pd.DataFrame({c: scores[c].value_counts().reindex(idx, fill_value=0) for c in ("R", "F", "M")})


def name_segments(scores: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.Series:
    """Named segments from the R and F scores by a rule table (first matching rule wins).

    Parameters
    ----------
    scores : pandas.DataFrame
        ``R`` and ``F`` scores (1–5), e.g. :func:`rfm_scores`.
    rules : pandas.DataFrame, optional
        ``segment``, ``r_min``, ``r_max``, ``f_min``, ``f_max`` (bounds included), in priority
        order; default :data:`RFM_SEGMENTS`.

    Returns
    -------
    pandas.Series
        Segment name per customer (categorical in the order of the rules), named ``segment``.

    Raises
    ------
    ValueError
        A score outside 1–5 or a customer no rule covers (named by row).
    """
    check_columns(scores, ["R", "F"], "scores", numeric=["R", "F"])
    rules = RFM_SEGMENTS if rules is None else rules
    check_columns(rules, ["segment", "r_min", "r_max", "f_min", "f_max"], "rules",
                  numeric=["r_min", "r_max", "f_min", "f_max"])
    r, f = scores["R"].to_numpy(), scores["F"].to_numpy()
    out = np.full(r.size, None, dtype=object)
    for row in rules.itertuples(index=False):
        hit = (out == None) & (r >= row.r_min) & (r <= row.r_max) & (f >= row.f_min) & (f <= row.f_max)  # noqa: E711
        out[hit] = row.segment
    miss = np.flatnonzero(out == None)  # noqa: E711
    if miss.size:
        i = int(miss[0])
        raise ValueError(f"scores row {plain(scores.index[i])!r} (R = {plain(r[i])}, F = {plain(f[i])}) matches no "
                         "rule; the rules must cover every (R, F) pair")
    order = list(dict.fromkeys(rules["segment"]))
    return pd.Series(pd.Categorical(out, categories=order), index=scores.index, name="segment")


def _labels(labels: Any, name: str, index: pd.Index | None = None, other: str = "") -> pd.Series:
    """Labels as a Series; a plain sequence takes ``index`` (it pairs by position, so its length must match)."""
    if isinstance(labels, pd.Series):
        s = labels
    elif isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
        raise TypeError(f"{name} must be a Series or sequence of labels, got {type(labels).__name__}")
    else:
        if index is not None and len(index) != len(labels):
            raise ValueError(f"{name} has {len(labels)} entries but {other or 'there are'} {len(index)} "
                             f"{'rows' if other else 'rows to label'}")
        s = pd.Series(list(labels), index=index)
    na = s.isna().to_numpy()
    if na.any():
        raise ValueError(f"{name} is missing at row {plain(s.index[int(np.flatnonzero(na)[0])])!r}")
    if len(s) == 0:
        raise ValueError(f"{name} is empty")
    return s


def segment_profile(table: pd.DataFrame, segments: Any, *, revenue: str = "revenue") -> pd.DataFrame:
    """Size, mean R/F/M and revenue share of each segment.

    Parameters
    ----------
    table : pandas.DataFrame
        Per customer ``recency``, ``frequency``, ``monetary`` and the ``revenue`` column.
    segments : pandas.Series
        Segment per customer, paired with ``table`` by label.
    revenue : str
        Column whose total is shared out (the revenue of the period the RFM describes).

    Returns
    -------
    pandas.DataFrame
        One row per segment (categories in their order, empty ones with 0 customers):
        ``customers``, ``customer_share``, ``recency``, ``frequency``, ``monetary`` (means),
        ``revenue`` (total) and ``revenue_share``.

    Raises
    ------
    ValueError
        Bad RFM columns, segments of another length or labels, a missing segment.
    """
    tab = _rfm_frame(table)
    check_columns(tab, [revenue], "table", numeric=[revenue], nonnegative=[revenue])
    seg = check_aligned(tab, "table", _labels(segments, "segments", tab.index, "table has"), "segments")
    if len(seg) != len(tab):
        raise ValueError(f"segments has {len(seg)} entries but table has {len(tab)} customers")
    seg = pd.Series(seg.to_numpy(), index=tab.index, dtype=seg.dtype)
    order = list(seg.cat.categories) if isinstance(seg.dtype, pd.CategoricalDtype) else sorted(seg.unique(), key=str)
    g = tab.assign(_s=seg.astype(object).to_numpy()).groupby("_s")
    out = pd.DataFrame({"customers": g.size()}).reindex(order).fillna(0).astype({"customers": int})
    out["customer_share"] = out["customers"] / len(tab)
    for m in RFM_COLUMNS:
        out[m] = g[m].mean().reindex(order)
    out["revenue"] = g[revenue].sum().reindex(order).fillna(0.0)
    total = float(tab[revenue].sum())
    out["revenue_share"] = out["revenue"] / total if total > 0 else np.nan
    out.index.name = "segment"
    return out


def _boot_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    n = values.size
    per = max(1, 2_000_000 // n)
    out = []
    done = 0
    while done < n_boot:
        b = min(per, n_boot - done)
        out.append(values[rng.integers(0, n, size=(b, n))].mean(axis=1))
        done += b
    return np.concatenate(out)


def holdout_by_segment(segments: Any, holdout: pd.DataFrame, *, n_boot: int = 1000,
                       rng: np.random.Generator | None = None, level: float = 0.95) -> pd.DataFrame:
    """How much each segment bought in the holdout: means per customer with bootstrap intervals.

    Parameters
    ----------
    segments : pandas.Series
        Segment per customer at the end of calibration.
    holdout : pandas.DataFrame
        Per customer (same labels): ``purchases`` and ``spend`` in the holdout, e.g.
        ``window_activity(...).xs("holdout", axis=1, level=1)``.
    n_boot : int
        Bootstrap replicates per segment (customers resampled within the segment); 0 = none.
    rng : numpy.random.Generator, optional
        Seeded generator, required when ``n_boot > 0``.
    level : float
        Coverage of the percentile intervals, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``customers``, ``purchases`` and ``spend`` (means per customer)
        with ``_lower`` / ``_upper`` bounds, ``active_share`` (bought at least once) and
        ``spend_share`` (share of the holdout revenue).

    Raises
    ------
    ValueError
        Missing, NaN or negative holdout columns, labels that differ, too many draws.
    TypeError
        An unseeded ``rng`` when ``n_boot > 0``.
    """
    check_columns(holdout, ["purchases", "spend"], "holdout", numeric=["purchases", "spend"],
                  nonnegative=["purchases", "spend"])
    seg = _labels(segments, "segments", holdout.index, "holdout has")
    hold = check_aligned(seg, "segments", holdout, "holdout")
    if len(hold) != len(seg):
        raise ValueError(f"segments has {len(seg)} entries but holdout has {len(hold)} rows")
    nb = check_size(n_boot, "n_boot", 100_000, what="bootstrap replicates")
    if nb * len(seg) > MAX_BOOTSTRAP_DRAWS:
        raise ValueError(f"n_boot = {nb:,} replicates of {len(seg):,} customers exceed crmlib's limit of "
                         f"{MAX_BOOTSTRAP_DRAWS:,} draws for one call")
    lv = check_probability(level, "level", open_low=True, open_high=True)
    if nb:
        rng = check_generator(rng)
    order = list(seg.cat.categories) if isinstance(seg.dtype, pd.CategoricalDtype) else sorted(seg.unique(), key=str)
    lab = seg.astype(object).to_numpy()
    total = float(hold["spend"].sum())
    rows = {}
    for s in order:
        m = lab == s
        row: dict[str, float] = {"customers": int(m.sum())}
        for col in ("purchases", "spend"):
            v = hold[col].to_numpy(dtype=float)[m]
            row[col] = float(v.mean()) if v.size else np.nan
            if nb and v.size:
                d = _boot_means(v, nb, rng)
                row[f"{col}_lower"], row[f"{col}_upper"] = np.quantile(d, [(1 - lv) / 2, (1 + lv) / 2])
            else:
                row[f"{col}_lower"] = row[f"{col}_upper"] = np.nan
        row["active_share"] = float((hold["purchases"].to_numpy()[m] > 0).mean()) if m.any() else np.nan
        row["spend_share"] = float(hold["spend"].to_numpy()[m].sum() / total) if total > 0 else np.nan
        rows[s] = row
    out = pd.DataFrame(rows).T
    out["customers"] = out["customers"].astype(int)
    out.index.name = seg.name or "segment"
    return out


# ----------------------------------------------------------------------------------- value classes
def customer_value(summary: pd.DataFrame, *, horizon: int = 156, step: int = 4, discount: float = 0.10,
                   purchases_horizon: float = 39.0) -> pd.DataFrame:
    """P(alive), expected purchases and CLV per customer from BG/NBD x Gamma-Gamma (chapter 05).

    Fits :class:`crmlib.clv.btyd.BetaGeo` on every customer and :class:`crmlib.clv.btyd.GammaGamma` on
    those with a repeat purchase of positive value, then values each customer with
    :func:`crmlib.clv.customer_lifetime_value` (revenue, discounted; end-of-step convention).

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`crmlib.clv.rfm.summarize` of the calibration period (``frequency``, ``recency``,
        ``T``, ``monetary_value``; weeks).
    horizon : int
        CLV horizon in weeks (156 = three years, as in chapter 05).
    step : int
        Weeks per discounting step.
    discount : float
        Discount rate per year (52 weeks).
    purchases_horizon : float
        Weeks ahead of ``expected_purchases`` (39 = the CDNOW holdout).

    Returns
    -------
    pandas.DataFrame
        On the index of ``summary``: ``p_alive``, ``expected_purchases``, ``expected_spend``
        (per purchase) and ``clv``; ``attrs["fits"]`` = ``{"bgnbd": …, "gg": …}``.

    Warns
    -----
    crmlib.warnings.DataWarning
        Customers with repeat purchases of total value 0 were left out of the Gamma-Gamma fit
        (they are still valued, with the model's expected spend).
    """
    from . import clv
    from .clv import btyd

    check_columns(summary, ["frequency", "recency", "T", "monetary_value"], "summary",
                  numeric=["frequency", "recency", "T", "monetary_value"],
                  nonnegative=["frequency", "recency", "T", "monetary_value"])
    h = check_number(purchases_horizon, "purchases_horizon", low=0.0)
    f, r, T, m = (summary[c] for c in ("frequency", "recency", "T", "monetary_value"))
    bg = btyd.BetaGeo(f, r, T).fit()
    rep = (f > 0) & (m > 0)
    zero = int(((f > 0) & (m == 0)).sum())
    if zero:
        _warn(DataWarning, "GammaGamma", f"{zero} customer(s) with repeat purchases worth 0 left out of the fit "
                                         "(the model needs positive spend)")
    gg = btyd.GammaGamma(f[rep], m[rep]).fit()
    out = pd.DataFrame({"p_alive": bg.probability_alive(f, r, T),
                        "expected_purchases": bg.expected_purchases(h, f, r, T),
                        "expected_spend": gg.expected_spend(f, m),
                        "clv": clv.customer_lifetime_value(bg, gg, summary, horizon=horizon, step=step,
                                                           discount=discount)}, index=summary.index)
    out.attrs["fits"] = {"bgnbd": bg, "gg": gg}
    return out


def value_classes(value: pd.DataFrame, past_spend: Any, *, key_share: float = 0.2, potential_share: float = 0.3,
                  spend_quantile: float = 0.5, new: Any = None, ties: str = "keep") -> pd.Series:
    """The S2 classes key (重点客户), potential (潜在客户) and ordinary (普通客户) from model values.

    Rule, in order:

    1. **key** — the top ``key_share`` of customers by ``clv`` (:func:`crmlib.concentration.top_members`,
       ties at the cut-off as ``ties`` says);
    2. **potential** — not key, and either among the top ``potential_share`` by
       ``expected_purchases`` while their past spend is at or below its ``spend_quantile``
       quantile (they are expected to buy often but have spent little so far), or flagged
       ``new``;
    3. **ordinary** — everyone else.

    Parameters
    ----------
    value : pandas.DataFrame
        Per customer ``clv`` and ``expected_purchases`` (:func:`customer_value`).
    past_spend : pandas.Series
        Spend per customer in the calibration period (same labels).
    key_share : float
        Share of customers in the key class, in (0, 1].
    potential_share : float
        Top share by expected purchases considered for the potential class, in (0, 1].
    spend_quantile : float
        Quantile of past spend below which (inclusive) a customer counts as having spent little.
    new : pandas.Series of bool, optional
        Customers to count as potential whatever their history (new customers), unless key.
    ties : {"keep", "drop"}
        Customers tied at a cut-off.

    Returns
    -------
    pandas.Series
        Categorical ``key`` / ``potential`` / ``ordinary`` on the index of ``value``, named
        ``value_class``; ``attrs["rule"]`` holds the cut-offs used.

    Raises
    ------
    ValueError
        Missing or bad columns, misaligned inputs, shares outside (0, 1], a bad ``ties``.
    """
    check_columns(value, ["clv", "expected_purchases"], "value", numeric=["clv", "expected_purchases"],
                  nonnegative=["clv", "expected_purchases"])
    ps = check_aligned(value, "value", past_spend, "past_spend")
    ps = pd.Series(_spend(ps, "past_spend", len(value)), index=value.index)
    ks = check_probability(key_share, "key_share", open_low=True)
    pot = check_probability(potential_share, "potential_share", open_low=True)
    q = check_probability(spend_quantile, "spend_quantile")
    check_choice(ties, "ties", TIES)
    key = top_members(value["clv"], ks, ties=ties).to_numpy()
    busy = top_members(value["expected_purchases"], pot, ties=ties).to_numpy()
    low_cut = float(np.quantile(ps.to_numpy(), q, method="inverted_cdf"))
    little = ps.to_numpy() <= low_cut
    potential = ~key & busy & little
    if new is not None:
        nw = check_aligned(value, "value", new, "new")
        nw = np.asarray(nw, dtype=object)
        if nw.size != len(value) or not all(isinstance(x, (bool, np.bool_)) for x in nw):
            raise ValueError("new must hold one True/False per customer of value")
        potential |= ~key & nw.astype(bool)
    lab = np.where(key, "key", np.where(potential, "potential", "ordinary"))
    out = pd.Series(pd.Categorical(lab, categories=list(VALUE_CLASSES)), index=value.index, name="value_class")
    out.attrs["rule"] = {"key_share": ks, "potential_share": pot, "spend_quantile": q, "low_spend_cutoff": low_cut,
                         "ties": ties}
    return out


def _spend(values: Any, name: str, n: int) -> np.ndarray:
    v = as_float_array(values, name)
    if v.size != n:
        raise ValueError(f"{name} has {v.size} entries, expected {n} (one per customer)")
    check_nonnegative(v, name, values.index if isinstance(values, pd.Series) else None)
    return v


def rfm_classes(segments: Any, mapping: Mapping[str, str] | None = None) -> pd.Series:
    """The S2 class of each named RFM segment (:data:`RFM_CLASS`), to set beside :func:`value_classes`.

    Parameters
    ----------
    segments : pandas.Series
        Named segment per customer (:func:`name_segments`).
    mapping : mapping, optional
        Segment -> class (``key``, ``potential``, ``ordinary``); default :data:`RFM_CLASS`.

    Returns
    -------
    pandas.Series
        Categorical class per customer, named ``rfm_class``.

    Raises
    ------
    ValueError
        A segment the mapping lacks, or a class that is not one of :data:`VALUE_CLASSES`.
    """
    seg = _labels(segments, "segments")
    mp = dict(RFM_CLASS if mapping is None else mapping)
    bad = [c for c in mp.values() if c not in VALUE_CLASSES]
    if bad:
        raise ValueError(f"mapping sends a segment to {bad[0]!r}; classes are {list(VALUE_CLASSES)}")
    lab = seg.astype(object).to_numpy()
    missing = [s for s in pd.unique(lab) if s not in mp]
    if missing:
        raise ValueError(f"mapping has no class for segment {plain(missing[0])!r}")
    return pd.Series(pd.Categorical([mp[s] for s in lab], categories=list(VALUE_CLASSES)), index=seg.index,
                     name="rfm_class")


def contingency(a: Any, b: Any, *, margins: bool = False) -> pd.DataFrame:
    """Cross-tabulation of two labelings of the same customers (rows ``a``, columns ``b``).

    Parameters
    ----------
    a, b : pandas.Series or sequence
        One label per customer each; two Series are paired by label, sequences by position.
    margins : bool
        Add an ``all`` row and column of totals.

    Returns
    -------
    pandas.DataFrame
        Counts; categorical labels keep their categories (empty ones as 0) and order.

    Raises
    ------
    ValueError
        Different lengths or labels, a missing label, empty input.
    """
    sa = _labels(a, "a")
    sb = _labels(b, "b", sa.index, "a has")
    sb = check_aligned(sa, "a", sb, "b")
    if len(sa) != len(sb):
        raise ValueError(f"a has {len(sa)} entries but b has {len(sb)}; label the same customers in both")
    ra = pd.Categorical(sa.to_numpy()) if not isinstance(sa.dtype, pd.CategoricalDtype) else sa.array
    rb = pd.Categorical(sb.to_numpy()) if not isinstance(sb.dtype, pd.CategoricalDtype) else sb.array
    tab = pd.crosstab(pd.Series(ra, name=sa.name or "a"), pd.Series(rb, name=sb.name or "b"), dropna=False)
    tab = tab.reindex(index=ra.categories, columns=rb.categories, fill_value=0)
    tab.index.name, tab.columns.name = sa.name or "a", sb.name or "b"
    if margins:
        tab.loc["all"] = tab.sum(axis=0)
        tab["all"] = tab.sum(axis=1)
    return tab


def class_agreement(value_class: Any, rfm_class: Any, holdout_spend: Any, *, n_boot: int = 1000,
                    rng: np.random.Generator | None = None, level: float = 0.95) -> pd.DataFrame:
    """Where value classes and RFM classes agree or disagree, and what each cell spent in the holdout.

    Parameters
    ----------
    value_class, rfm_class : pandas.Series
        Class per customer by the two schemes (:func:`value_classes`, :func:`rfm_classes`).
    holdout_spend : pandas.Series
        Holdout spend per customer (same labels).
    n_boot : int
        Bootstrap replicates per cell (0: no intervals).
    rng : numpy.random.Generator, optional
        Seeded generator, required when ``n_boot > 0``.
    level : float
        Coverage of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per (value class, RFM class) pair with customers: ``customers``, ``agree``
        (bool), mean holdout ``spend`` with ``spend_lower`` / ``spend_upper`` and
        ``spend_share`` (of the holdout revenue). Read the disagreeing rows: where the model
        says key and RFM ordinary, a higher holdout spend than in the opposite cell says the
        model was right.

    Raises
    ------
    ValueError
        Misaligned inputs, negative or NaN spend.
    """
    vc = _labels(value_class, "value_class")
    rc = check_aligned(vc, "value_class", _labels(rfm_class, "rfm_class", vc.index, "value_class has"), "rfm_class")
    hs = check_aligned(vc, "value_class", holdout_spend, "holdout_spend")
    spend = _spend(hs, "holdout_spend", len(vc))
    if len(rc) != len(vc):
        raise ValueError(f"value_class has {len(vc)} entries but rfm_class has {len(rc)}")
    pair = pd.Series([f"{a}|{b}" for a, b in zip(vc.astype(object), rc.astype(object))], index=vc.index)
    hold = pd.DataFrame({"purchases": (spend > 0).astype(int), "spend": spend}, index=vc.index)
    t = holdout_by_segment(pair, hold, n_boot=n_boot, rng=rng, level=level)
    parts = [k.split("|") for k in t.index]
    out = pd.DataFrame({"value_class": [p[0] for p in parts], "rfm_class": [p[1] for p in parts],
                        "customers": t["customers"].to_numpy(), "spend": t["spend"].to_numpy(),
                        "spend_lower": t["spend_lower"].to_numpy(), "spend_upper": t["spend_upper"].to_numpy(),
                        "spend_share": t["spend_share"].to_numpy()})
    out["agree"] = out["value_class"] == out["rfm_class"]
    rank = {c: i for i, c in enumerate(VALUE_CLASSES)}
    out = out.sort_values(["value_class", "rfm_class"], key=lambda s: s.map(lambda x: rank.get(x, 99)))
    return out.set_index(["value_class", "rfm_class"])


def key_share_whatif(value: Any, holdout_spend: Any, shares: Any = (0.05, 0.1, 0.2, 0.3),
                     *, ties: str = "keep") -> pd.DataFrame:
    """What-if: with the top ``share`` of customers by a value as key customers, how many and what do they bring?

    Parameters
    ----------
    value : pandas.Series
        The ranking value per customer (e.g. CLV or calibration revenue).
    holdout_spend : pandas.Series
        What each customer spent afterwards (same labels).
    shares : sequence of float
        Candidate key shares, each in (0, 1].
    ties : {"keep", "drop"}
        Customers tied at a cut-off.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``key_share``: ``key_customers`` (realised group size), ``cutoff`` (lowest
        value in the group), ``value_share`` (share of the total value) and
        ``holdout_share`` (share of the later spend).

    Raises
    ------
    ValueError
        Bad values, misaligned inputs, a share outside (0, 1].
    """
    v = _labels(value, "value")
    hs = check_aligned(v, "value", holdout_spend, "holdout_spend")
    spend = _spend(hs, "holdout_spend", len(v))
    val = _spend(v, "value", len(v))
    sh = as_float_array(shares, "shares")
    rows = []
    for s in sh:
        check_probability(float(s), "shares entry", open_low=True)
        m = top_members(pd.Series(val, index=v.index), float(s), ties=ties).to_numpy()
        rows.append({"key_share": float(s), "key_customers": int(m.sum()),
                     "cutoff": float(val[m].min()) if m.any() else np.nan,
                     "value_share": float(val[m].sum() / val.sum()),
                     "holdout_share": float(spend[m].sum() / spend.sum()) if spend.sum() > 0 else np.nan})
    return pd.DataFrame(rows).set_index("key_share")
