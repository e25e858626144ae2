"""Customer churn (客户流失) as time to an event: Kaplan–Meier curves, log-rank tests, Cox models.

A customer's *duration* is the time from joining to leaving (the event) or, for a
customer still there when the data were taken, to that day (censored: we only know
the customer stayed at least that long). On the IBM Telco sample
(``datasets/telco/wa_churn.csv``) the duration is ``tenure`` in months and the event
is ``churn == "Yes"``.

Everything is estimated by statsmodels — ``SurvfuncRight`` (Kaplan–Meier with
Greenwood standard errors), ``survdiff`` (log-rank test) and ``PHReg`` (Cox
proportional hazards) — and this module adds what a CRM analyst reads off them:

* pointwise confidence bands of the Kaplan–Meier curve, on the log(−log) scale
  (Kalbfleisch & Prentice), so they stay inside [0, 1] (:class:`KaplanMeier`);
* retention S(t) at chosen months with intervals (:func:`retention_at`), monthly
  retention S(t)/S(t−1) and the average monthly retention over a year;
* hazard ratios of dummy-coded categoricals against a named baseline, the
  Breslow baseline hazard, predicted retention of customer profiles, and a test of
  proportional hazards on scaled Schoenfeld residuals (:class:`CoxModel`);
* churn shares with Wilson intervals, by number of services held, beside the
  numbers printed in chapter 04 (:func:`churn_by_services`, :func:`services_vs_printed`);
* expected discounted revenue from the retention curve (:func:`expected_revenue`);
* a what-if table: 12-month retention of a profile under other contracts or with one
  more service (:func:`whatif_retention`).

Bad input is refused with one error naming the column and row: a negative or
missing duration, an event that is not 0/1 (or Yes/No when parsing), a duration
after the end of the observation window, a group without events.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._logit import WaldResults
from ._validate import (as_float_array, check_binary, check_choice, check_columns, check_int,
                        check_names, check_nonnegative, check_number, check_probability, check_rate, check_whole)
from .warnings import ConvergenceWarning, warn

__all__ = [
    "TELCO_ADDONS", "TELCO_CONTRACTS", "TELCO_PAYMENT_METHODS", "TELCO_WINDOW", "TELCO_COX",
    "as_event", "check_survival", "telco_customers",
    "KaplanMeier", "kaplan_meier", "kaplan_meier_by", "retention_at", "LogRankResult", "logrank_test",
    "CoxModel", "fit_cox", "churn_share", "churn_by_services", "profile_by_services", "services_vs_printed",
    "ExpectedRevenue", "expected_revenue", "whatif_retention", "telco_scenarios",
]

#: The six add-on services of the Telco sample (each "Yes", "No" or "No internet service").
TELCO_ADDONS = ("online_security", "online_backup", "device_protection", "tech_support", "streaming_tv",
                "streaming_movies")
#: Contract types, shortest first.
TELCO_CONTRACTS = ("Month-to-month", "One year", "Two year")
#: Payment methods as written in the data.
TELCO_PAYMENT_METHODS = ("Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)")
#: Longest tenure in the Telco sample, months: the observation window of the data.
TELCO_WINDOW = 72
#: Lowest monthly charge in the Telco sample, US$ (a what-if never goes below it).
_TELCO_MIN_CHARGE = 18.25
#: The chapter's Cox model: keyword arguments of :func:`fit_cox`.
TELCO_COX: dict[str, Any] = {"numeric": ("n_addons", "monthly_charges"),
                             "categorical": {"contract": "Month-to-month", "payment_method": "Electronic check"}}

_YES = {"yes": 1, "no": 0}


def _row(index: pd.Index, i: int) -> Any:
    """The label of row ``i`` as a plain Python value (``3``, never ``np.int64(3)``)."""
    return index[i:i + 1].tolist()[0]


# ------------------------------------------------------------------ input
def as_event(values: Any, name: str = "event") -> np.ndarray:
    """An event indicator as an int array of 0/1.

    Accepted: booleans; the numbers 0 and 1; the strings ``"Yes"`` / ``"No"`` (any case, as
    the Telco ``churn`` column is written).

    Parameters
    ----------
    values : sequence or Series
        One entry per customer.
    name : str
        Name in messages.

    Returns
    -------
    numpy.ndarray of int
        1 = the event happened (churned), 0 = censored.

    Raises
    ------
    TypeError
        A mix of kinds (a number among strings).
    ValueError
        NaN, a number other than 0/1, a string other than yes/no (named by row).
    """
    s = values if isinstance(values, pd.Series) else pd.Series(list(values) if not isinstance(values, np.ndarray)
                                                             else values)
    labels = s.index.tolist()
    if len(s) == 0:
        raise ValueError(f"{name} is empty")
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=int)
    if pd.api.types.is_numeric_dtype(s):
        v = s.to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(v))
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"{name}[{labels[i]!r}] is {'NaN' if np.isnan(v[i]) else 'infinite'}")
        check_binary(v, name, labels)
        return v.astype(int)
    out = np.empty(len(s), dtype=int)
    for i, x in enumerate(s.tolist()):
        if isinstance(x, (bool, np.bool_)) or (isinstance(x, (int, float, np.integer, np.floating)) and x in (0, 1)):
            out[i] = int(x)
        elif isinstance(x, str) and x.strip().lower() in _YES:
            out[i] = _YES[x.strip().lower()]
        elif x is None or (isinstance(x, (float, np.floating)) and math.isnan(x)):
            raise ValueError(f"{name}[{labels[i]!r}] is missing (NaN)")
        else:
            raise ValueError(f"{name}[{labels[i]!r}] is {x!r}; an event must be 0/1, True/False or 'Yes'/'No'")
    return out


def check_survival(data: pd.DataFrame, duration: str = "tenure", event: str = "event", *,
                   window: float | None = None, name: str = "data") -> pd.DataFrame:
    """Check durations and event indicators and return them as ``duration`` (float) and ``event`` (0/1).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    duration : str
        Column of durations (e.g. months of tenure), >= 0.
    event : str
        Column of event indicators (:func:`as_event`).
    window : float, optional
        Length of the observation window: no customer can be observed — churned or censored —
        after it ends, so a longer duration is a data error.
    name : str
        Name of ``data`` in messages.

    Returns
    -------
    pandas.DataFrame
        ``duration`` and ``event``, same index as ``data``.

    Raises
    ------
    TypeError, ValueError
        A missing column; a non-numeric, NaN, infinite or negative duration; an event that is
        not 0/1 or yes/no; a duration after the window (named by column and row).
    """
    if not isinstance(duration, str) or not isinstance(event, str):
        raise TypeError("duration and event must be column names")
    check_columns(data, [duration, event], name, numeric=[duration], nonnegative=[duration])
    t = data[duration].to_numpy(dtype=float)
    e = as_event(data[event], f"{name}[{event!r}]")
    if window is not None:
        w = check_number(window, "window", low=0, low_open=True)
        late = np.flatnonzero(t > w)
        if late.size:
            i = int(late[0])
            kind = "churned" if e[i] else "censored"
            raise ValueError(f"{name}[{duration!r}] at row {_row(data.index, i)!r} is {t[i]:g} ({kind}), after the "
                             f"end of the observation window ({w:g}): no customer can be observed after it")
    return pd.DataFrame({"duration": t, "event": e}, index=data.index)


def telco_customers(raw: pd.DataFrame | None = None) -> pd.DataFrame:
    """The Telco sample ready for survival analysis: the columns as shipped plus ``event``, ``n_addons``, ``n_services``.

    Parameters
    ----------
    raw : pandas.DataFrame, optional
        ``datasets.load("wa_churn")`` (the default when None) or a table with the same columns.

    Returns
    -------
    pandas.DataFrame
        ``raw`` with ``event`` (1 = ``churn == "Yes"``), ``n_addons`` (how many of the six add-on
        services of :data:`TELCO_ADDONS` the customer has, 0–6) and ``n_services`` (phone service +
        internet service + add-ons, 1–8). Nothing is dropped: the 11 customers with tenure 0 (and no
        ``total_charges``) stay, censored at 0, and contribute to no estimate.

    Raises
    ------
    ValueError
        ``churn`` not Yes/No, an add-on value other than Yes/No/No internet service, a negative tenure.
    """
    if raw is None:
        from .datasets import load

        raw = load("wa_churn")
    need = ["churn", "tenure", "phone_service", "internet_service", "contract", "payment_method",
            "monthly_charges", *TELCO_ADDONS]
    check_columns(raw, need, "raw", numeric=["tenure", "phone_service", "monthly_charges"],
                  nonnegative=["tenure", "monthly_charges"])
    df = raw.copy()
    df["event"] = as_event(df["churn"], "raw['churn']")
    labels = df.index.tolist()
    addons = np.zeros(len(df), dtype=int)
    for c in TELCO_ADDONS:
        ok = df[c].isin(["Yes", "No", "No internet service"]).to_numpy()
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise ValueError(f"raw[{c!r}] at row {labels[i]!r} is {df[c].iloc[i]!r}; expected 'Yes', 'No' or "
                             "'No internet service'")
        addons += (df[c] == "Yes").to_numpy(dtype=int)
    check_binary(df["phone_service"].to_numpy(dtype=float), "raw['phone_service']", labels)
    df["n_addons"] = addons
    df["n_services"] = addons + df["phone_service"].to_numpy(dtype=int) + (df["internet_service"] != "No").to_numpy(
        dtype=int)
    return df


# ------------------------------------------------------------------ Kaplan–Meier
def _z(alpha: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2))


class KaplanMeier:
    """A Kaplan–Meier retention curve (statsmodels ``SurvfuncRight``) with pointwise log(−log) bands.

    The band at an event time t is ``S^{exp(±z σ)}`` with ``σ = se(S)/(S |log S|)`` and ``se(S)``
    Greenwood's standard error (Kalbfleisch & Prentice 1980); it stays inside [0, 1]. Before the
    first event S = 1 with the band [1, 1]; the curve is not defined after the longest observed
    duration, and every method refuses such a time.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by event time: ``n_risk``, ``n_events``, ``survival``, ``se``, ``lower``, ``upper``.
    n : int
        Customers.
    n_events : int
        Events (churned customers).
    last_time : float
        Longest observed duration (event or censored).
    alpha : float
        1 − confidence level of the bands.
    label : str or None
        Name of the group, if any.
    """

    def __init__(self, durations: np.ndarray, events: np.ndarray, *, alpha: float = 0.05, label: Any = None):
        from statsmodels.duration.survfunc import SurvfuncRight

        self.alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
        self.label = label
        self.n = int(len(durations))
        self.n_events = int(np.sum(events))
        what = f"group {label!r}" if label is not None else "the data"
        if self.n_events == 0:
            raise ValueError(f"{what} has no events (nobody churned): the curve stays at 1 and has no interval; "
                             "leave the group out or merge it with another")
        self.last_time = float(np.max(durations))
        sf = SurvfuncRight(np.asarray(durations, float), np.asarray(events, float))
        self.result = sf
        s, se = np.asarray(sf.surv_prob, float), np.asarray(sf.surv_prob_se, float)
        z = _z(self.alpha)
        with np.errstate(divide="ignore", invalid="ignore"):
            sigma = se / (s * np.abs(np.log(s)))
            lower = np.where(s > 0, s ** np.exp(z * sigma), 0.0)
            upper = np.where(s > 0, s ** np.exp(-z * sigma), 0.0)
        self.table = pd.DataFrame({"n_risk": np.asarray(sf.n_risk, int), "n_events": np.asarray(sf.n_events, int),
                                   "survival": s, "se": se, "lower": lower, "upper": upper},
                                  index=pd.Index(np.asarray(sf.surv_times, float), name="time"))

    def _times(self, times: Any, name: str = "times") -> np.ndarray:
        t = as_float_array(times, name)
        check_nonnegative(t, name)
        late = np.flatnonzero(t > self.last_time)
        if late.size:
            raise ValueError(f"{name} asks for t = {t[late[0]]:g}, after the longest observed duration "
                             f"({self.last_time:g}{'' if self.label is None else f', group {self.label!r}'}): "
                             "the curve says nothing there (extrapolate with a model, e.g. expected_revenue(beyond="
                             "'geometric'))")
        return t

    def survival_at(self, times: Any) -> pd.DataFrame:
        """Retention S(t) with its pointwise interval at the given times (a step function, right-continuous).

        Parameters
        ----------
        times : float or sequence of float
            Times >= 0, at most :attr:`last_time`.

        Returns
        -------
        pandas.DataFrame
            Indexed by time: ``survival``, ``lower``, ``upper``.
        """
        t = self._times(times)
        idx = np.searchsorted(self.table.index.to_numpy(), t, side="right") - 1
        cols = self.table[["survival", "lower", "upper"]].to_numpy()
        vals = np.where(idx[:, None] >= 0, cols[np.clip(idx, 0, None)], 1.0)
        return pd.DataFrame(vals, index=pd.Index(t, name="time"), columns=["survival", "lower", "upper"])

    def curve(self) -> pd.DataFrame:
        """The step curve from 0 to :attr:`last_time` for drawing (``drawstyle="steps-post"``).

        Returns
        -------
        pandas.DataFrame
            ``time``, ``survival``, ``lower``, ``upper``: a row at 0 (S = 1), one per event time
            and one at :attr:`last_time`.
        """
        tab = self.table[["survival", "lower", "upper"]]
        rows = [pd.DataFrame({"survival": [1.0], "lower": [1.0], "upper": [1.0]}, index=[0.0]), tab]
        if self.last_time > tab.index.max():
            rows.append(tab.iloc[[-1]].set_axis([self.last_time]))
        out = pd.concat(rows)
        out = out[~out.index.duplicated(keep="last")]
        return out.rename_axis("time").reset_index()

    def monthly_retention(self, first: int = 1, last: int | None = None) -> pd.DataFrame:
        """Retention in each period read off the curve: r(t) = S(t)/S(t − 1).

        Parameters
        ----------
        first : int
            First period (>= 1).
        last : int, optional
            Last period (default: the longest observed duration, rounded down).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``t``: ``survival`` S(t), ``previous`` S(t − 1) and ``retention`` (the share
            of the customers still there at t − 1 who are still there at t).
        """
        first = check_int(first, "first", low=1)
        last = int(math.floor(self.last_time)) if last is None else check_int(last, "last", low=first)
        t = np.arange(first, last + 1, dtype=float)
        now = self.survival_at(t)["survival"].to_numpy()
        before = self.survival_at(t - 1)["survival"].to_numpy()
        ret = np.divide(now, before, out=np.full_like(now, np.nan), where=before > 0)
        return pd.DataFrame({"survival": now, "previous": before, "retention": ret},
                            index=pd.Index(t.astype(int), name="t"))

    def average_monthly_retention(self, months: int = 12, start: float = 0) -> float:
        """Geometric-mean retention per period over ``months`` periods: ``(S(start + months)/S(start))^(1/months)``.

        Parameters
        ----------
        months : int
            Number of periods (12 = a year of months).
        start : float
            Where the stretch begins (0 = from joining).

        Returns
        -------
        float
            The constant per-period retention that loses the same customers over the stretch.
        """
        months = check_int(months, "months", low=1)
        start = check_number(start, "start", low=0)
        s = self.survival_at([start, start + months])["survival"].to_numpy()
        if s[0] == 0:
            raise ValueError(f"S({start:g}) is 0: no customer is left to retain")
        return float((s[1] / s[0]) ** (1 / months))


def kaplan_meier(data: pd.DataFrame, duration: str = "tenure", event: str = "event", *, alpha: float = 0.05,
                 window: float | None = None) -> KaplanMeier:
    """The Kaplan–Meier retention curve of all customers, with pointwise bands.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    duration, event : str
        Columns (:func:`check_survival`).
    alpha : float
        1 − confidence level of the bands.
    window : float, optional
        Observation window; a longer duration is an error.

    Returns
    -------
    KaplanMeier

    Raises
    ------
    ValueError
        As :func:`check_survival`; no events at all.
    """
    d = check_survival(data, duration, event, window=window)
    return KaplanMeier(d["duration"].to_numpy(), d["event"].to_numpy(), alpha=alpha)


def _groups(data: pd.DataFrame, group: str, order: Sequence[Any] | None) -> list[Any]:
    if not isinstance(group, str):
        raise TypeError(f"group must be a column name, got {type(group).__name__}")
    check_columns(data, [group], "data")
    g = data[group]
    if g.isna().any():
        raise ValueError(f"data[{group!r}] is missing (NaN) at row {_row(data.index, int(np.flatnonzero(g.isna())[0]))!r}")
    present = list(dict.fromkeys(sorted(g.unique().tolist(), key=str)))
    if order is None:
        levels = present
    else:
        levels = list(order)
        missing = [lv for lv in present if lv not in levels]
        if missing:
            raise ValueError(f"order lacks the level {missing[0]!r} of data[{group!r}]")
        absent = [lv for lv in levels if lv not in present]
        if absent:
            raise ValueError(f"order lists {absent[0]!r}, which data[{group!r}] does not have")
    if len(levels) < 2:
        raise ValueError(f"data[{group!r}] has a single level {levels}; groups need at least two")
    return levels


def kaplan_meier_by(data: pd.DataFrame, group: str, duration: str = "tenure", event: str = "event", *,
                    alpha: float = 0.05, window: float | None = None,
                    order: Sequence[Any] | None = None) -> dict[Any, KaplanMeier]:
    """One Kaplan–Meier curve per level of ``group``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    group : str
        Column whose levels split the customers (e.g. ``"contract"``).
    duration, event : str
        Columns (:func:`check_survival`).
    alpha : float
        1 − confidence level of the bands.
    window : float, optional
        Observation window.
    order : sequence, optional
        The levels in the order wanted (default: sorted).

    Returns
    -------
    dict
        Level -> :class:`KaplanMeier`, in ``order``.

    Raises
    ------
    ValueError
        As :func:`check_survival`; a missing group; fewer than two levels; a level with no events.
    """
    d = check_survival(data, duration, event, window=window)
    levels = _groups(data, group, order)
    g = data[group].to_numpy()
    return {lv: KaplanMeier(d["duration"].to_numpy()[g == lv], d["event"].to_numpy()[g == lv], alpha=alpha,
                            label=lv) for lv in levels}


def retention_at(curves: KaplanMeier | Mapping[Any, KaplanMeier], times: Any = (12, 24, 72)) -> pd.DataFrame:
    """Retention S(t) with intervals at given times, for one curve or several (a tidy table).

    Parameters
    ----------
    curves : KaplanMeier or mapping of group -> KaplanMeier
        From :func:`kaplan_meier` or :func:`kaplan_meier_by`.
    times : sequence of float
        Times, each at most the longest observed duration of every curve.

    Returns
    -------
    pandas.DataFrame
        ``group`` (``"all"`` for a single curve), ``time``, ``survival``, ``lower``, ``upper``, ``n``.
    """
    if isinstance(curves, KaplanMeier):
        curves = {"all": curves}
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError("curves must be a KaplanMeier or a non-empty mapping of group -> KaplanMeier")
    rows = []
    for g, km in curves.items():
        if not isinstance(km, KaplanMeier):
            raise TypeError(f"curves[{g!r}] must be a KaplanMeier, got {type(km).__name__}")
        s = km.survival_at(times).reset_index()
        s.insert(0, "group", g)
        s["n"] = km.n
        rows.append(s)
    return pd.concat(rows, ignore_index=True)


@dataclass(frozen=True)
class LogRankResult:
    """A log-rank test of equal retention curves across groups (statsmodels ``survdiff``).

    Attributes
    ----------
    statistic : float
        Chi-square statistic.
    df : int
        Degrees of freedom (groups − 1).
    pvalue : float
        P-value.
    table : pandas.DataFrame
        By group: ``n`` and ``events``.
    """

    statistic: float
    df: int
    pvalue: float
    table: pd.DataFrame = field(repr=False)


def logrank_test(data: pd.DataFrame, group: str, duration: str = "tenure", event: str = "event", *,
                 window: float | None = None) -> LogRankResult:
    """Log-rank test that the retention curves of the levels of ``group`` are equal.

    A group without events is allowed here (its curve stays at 1, which the test can compare).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    group : str
        Column of groups (at least two levels).
    duration, event : str
        Columns (:func:`check_survival`).
    window : float, optional
        Observation window.

    Returns
    -------
    LogRankResult

    Raises
    ------
    ValueError
        As :func:`check_survival`; a missing group; fewer than two levels; no events at all.
    """
    from statsmodels.duration.survfunc import survdiff

    d = check_survival(data, duration, event, window=window)
    levels = _groups(data, group, None)
    if d["event"].sum() == 0:
        raise ValueError("data has no events: the log-rank test has nothing to compare")
    g = data[group].to_numpy()
    codes = np.array([levels.index(x) for x in g])
    stat, p = survdiff(d["duration"].to_numpy(), d["event"].to_numpy(), codes)
    table = pd.DataFrame({"n": [int((g == lv).sum()) for lv in levels],
                          "events": [int(d["event"].to_numpy()[g == lv].sum()) for lv in levels]},
                         index=pd.Index(levels, name=group))
    return LogRankResult(float(stat), len(levels) - 1, float(p), table)


# ------------------------------------------------------------------ Cox proportional hazards
#: Largest |score| per event accepted at a Cox fit's estimates (larger: the optimiser did not converge).
_SCORE_TOL = 1e-4


def _term(col: str, level: Any) -> str:
    return f"{col}[{level}]"


class CoxModel(WaldResults):
    """A Cox proportional-hazards model fitted by statsmodels ``PHReg``, with what a CRM analyst reads off it.

    Categorical columns are dummy-coded against a named baseline level (term ``contract[One year]``
    compares one-year with the baseline, e.g. month-to-month customers); numeric columns enter as
    they are (hazard ratio per unit, or per ``units`` in :meth:`hazard_ratios`).

    Attributes
    ----------
    result : statsmodels ``PHRegResults``
    terms : list of str
        Design columns, in order.
    numeric : tuple of str
        Numeric columns.
    categorical : dict
        Column -> ``(baseline, levels)`` (levels in order, baseline first).
    nobs, n_events : int
        Customers and events.
    ties : str
        ``"efron"`` or ``"breslow"``.
    last_time : float
        Longest observed duration.
    """

    def __init__(self, result: Any, X: pd.DataFrame, duration: np.ndarray, event: np.ndarray,
                 numeric: tuple[str, ...], categorical: dict[str, tuple[Any, list[Any]]], ties: str):
        self.result = result
        self.terms = list(X.columns)
        self.numeric = numeric
        self.categorical = categorical
        self.ties = ties
        self._X = X.to_numpy(dtype=float)
        self._t = np.asarray(duration, float)
        self._e = np.asarray(event, int)
        self.nobs = int(len(self._t))
        self.n_events = int(self._e.sum())
        self.last_time = float(self._t.max())

    def _labelled(self, values: Any, name: str) -> pd.Series:
        """PHReg returns bare arrays: one value per design column, named by term."""
        return pd.Series(np.asarray(values, float), index=self.terms, name=name)

    def hazard_ratios(self, alpha: float = 0.05, units: Mapping[str, float] | None = None) -> pd.DataFrame:
        """Hazard ratios with Wald intervals, one row per term.

        Parameters
        ----------
        alpha : float
            1 − confidence level.
        units : mapping, optional
            Numeric column -> the step the ratio is for (e.g. ``{"monthly_charges": 10}``: per 10 US$
            of monthly charges, ``exp(10 β)``); default 1.

        Returns
        -------
        pandas.DataFrame
            By term: ``variable``, ``level`` (None for numeric terms), ``baseline`` (the level compared
            with; None for numeric), ``unit``, ``hazard_ratio``, ``lower``, ``upper``, ``pvalue``.
        """
        units = dict(units or {})
        for k, v in units.items():
            if k not in self.numeric:
                raise ValueError(f"units names {k!r}, which is not a numeric term of the model {list(self.numeric)}")
            check_number(v, f"units[{k!r}]", low=0, low_open=True)
        ci = self.conf_int(alpha)
        rows = []
        for term in self.terms:
            if term in self.numeric:
                var, level, base, unit = term, None, None, float(units.get(term, 1.0))
            else:
                var = next(c for c in self.categorical if term.startswith(f"{c}["))
                level, base, unit = term[len(var) + 1:-1], self.categorical[var][0], 1.0
            rows.append({"term": term, "variable": var, "level": level, "baseline": base, "unit": unit,
                         "hazard_ratio": math.exp(unit * self.params[term]),
                         "lower": math.exp(unit * ci.loc[term, "lower"]),
                         "upper": math.exp(unit * ci.loc[term, "upper"]), "pvalue": float(self.pvalues[term])})
        out = pd.DataFrame(rows).set_index("term")
        out.attrs.update({"nobs": self.nobs, "n_events": self.n_events, "confidence": 1 - float(alpha)})
        return out

    def summary(self, alpha: float = 0.05) -> pd.DataFrame:
        """The coefficient table (statsmodels' text table is ``result.summary()``).

        Parameters
        ----------
        alpha : float
            1 − confidence level.

        Returns
        -------
        pandas.DataFrame
            ``coef``, ``se``, ``z``, ``pvalue``, ``lower``, ``upper``, ``hazard_ratio`` by term.
        """
        return super().summary(alpha).assign(hazard_ratio=np.exp(self.params))

    def design(self, profiles: pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
        """The design rows (dummies and numeric columns) of customer profiles.

        Parameters
        ----------
        profiles : pandas.DataFrame or mapping
            One row per profile with every column of the model (a mapping is one profile).

        Returns
        -------
        pandas.DataFrame
            One column per term.

        Raises
        ------
        ValueError
            A missing column, NaN, or a level the model was not fitted with.
        """
        df = pd.DataFrame([dict(profiles)]) if isinstance(profiles, Mapping) else profiles
        check_columns(df, [*self.numeric, *self.categorical], "profiles", numeric=self.numeric)
        return _design(df, self.numeric, self.categorical, "profiles")

    def cumulative_baseline_hazard(self) -> pd.Series:
        """Breslow's estimate of the cumulative baseline hazard H₀(t) at the event times (jump at t included).

        H₀(t) = Σ_{event times u ≤ t} d(u) / Σ_{customers at risk at u} exp(x'β̂), the hazard of a
        customer with every design column 0. (statsmodels' ``baseline_cumulative_hazard`` returns the
        same sums lagged by one event time, i.e. H₀ just *before* each event time.)

        Returns
        -------
        pandas.Series
            Indexed by event time.
        """
        eta = self._X @ np.asarray(self.result.params, float)
        ev_times = np.unique(self._t[self._e == 1])
        order = np.argsort(self._t)
        t_sorted, w_sorted = self._t[order], np.exp(eta[order])
        at_risk = np.cumsum(w_sorted[::-1])[::-1]                   # sum over t_j >= t_sorted[i]
        first = np.searchsorted(t_sorted, ev_times, side="left")
        d = np.array([np.sum((self._t == u) & (self._e == 1)) for u in ev_times], float)
        return pd.Series(np.cumsum(d / at_risk[first]), index=pd.Index(ev_times, name="time"), name="H0")

    def predict_survival(self, profiles: pd.DataFrame | Mapping[str, Any], times: Any) -> pd.DataFrame:
        """Predicted retention S(t | x) = exp(−H₀(t) exp(x'β)) of customer profiles.

        Parameters
        ----------
        profiles : pandas.DataFrame or mapping
            Profiles (:meth:`design`).
        times : float or sequence of float
            Times >= 0, at most :attr:`last_time` (the model says nothing later).

        Returns
        -------
        pandas.DataFrame
            One row per profile, one column per time.
        """
        t = as_float_array(times, "times")
        check_nonnegative(t, "times")
        if (t > self.last_time).any():
            raise ValueError(f"times asks for t = {t[t > self.last_time][0]:g}, after the longest observed duration "
                             f"({self.last_time:g}): the model says nothing there")
        X = self.design(profiles)
        h0 = self.cumulative_baseline_hazard()
        idx = np.searchsorted(h0.index.to_numpy(), t, side="right") - 1
        H = np.where(idx >= 0, h0.to_numpy()[np.clip(idx, 0, None)], 0.0)
        risk = np.exp(X.to_numpy(dtype=float) @ np.asarray(self.result.params, float))
        return pd.DataFrame(np.exp(-np.outer(risk, H)), index=X.index, columns=pd.Index(t, name="time"))

    def relative_hazard(self, profiles: pd.DataFrame | Mapping[str, Any]) -> pd.Series:
        """exp(x'β) of each profile: its hazard relative to a customer with every design column 0.

        Parameters
        ----------
        profiles : pandas.DataFrame or mapping
            Profiles (:meth:`design`).

        Returns
        -------
        pandas.Series
        """
        X = self.design(profiles)
        return pd.Series(np.exp(X.to_numpy(dtype=float) @ np.asarray(self.result.params, float)), index=X.index,
                         name="relative_hazard")

    def ph_test(self, transform: str = "km") -> pd.DataFrame:
        """Test of proportional hazards on scaled Schoenfeld residuals (Grambsch & Therneau 1994).

        If a term's effect changes with time, its scaled Schoenfeld residuals r*ₖ (plus β̂ₖ, they
        estimate β(t)) trend with time. With d events, V the estimated covariance of β̂ and r the
        Schoenfeld residuals of statsmodels (one row per event), r* = d · r V; for each term the
        statistic ``(Σ (gᵢ − ḡ) r*ᵢₖ)² / (d Vₖₖ Σ (gᵢ − ḡ)²)`` is chi-square with 1 degree of freedom
        under proportional hazards, g being a transform of the event times; the global statistic
        ``(Σ (gᵢ − ḡ) rᵢ)' d V (Σ (gᵢ − ḡ) rᵢ) / Σ (gᵢ − ḡ)²`` has one degree of freedom per term.
        This is the test of R's ``cox.zph`` before survival 3.0 (and of lifelines'
        ``proportional_hazard_test``). statsmodels computes the residuals with Breslow weights
        whatever the ``ties`` of the fit.

        Parameters
        ----------
        transform : {"km", "rank", "identity", "log"}
            g(t): ``"km"`` = 1 − the pooled Kaplan–Meier estimate at t (R's default), ``"rank"`` = the
            rank of t, ``"identity"`` = t, ``"log"`` = log t.

        Returns
        -------
        pandas.DataFrame
            Index: the terms and ``GLOBAL``; columns ``rho`` (correlation of r*ₖ + β̂ₖ with g; NaN for
            the global row), ``chi2``, ``df``, ``pvalue``.
        """
        check_choice(transform, "transform", ("km", "rank", "identity", "log"))
        r = np.asarray(self.result.schoenfeld_residuals, float)
        ev = (self._e == 1) & np.all(np.isfinite(r), axis=1)
        r, tt = r[ev], self._t[ev]
        d = r.shape[0]
        if transform == "km":
            km = KaplanMeier(self._t, self._e)
            g = 1 - km.survival_at(tt)["survival"].to_numpy()
        elif transform == "rank":
            g = stats.rankdata(tt)
        elif transform == "log":
            if (tt <= 0).any():
                raise ValueError("transform='log' needs event times > 0")
            g = np.log(tt)
        else:
            g = tt.copy()
        gc = g - g.mean()
        ss = float(gc @ gc)
        if ss == 0:
            raise ValueError("every event happens at the same time: a trend in time cannot be tested")
        V = np.asarray(self.result.cov_params(), float)
        beta = np.asarray(self.result.params, float)
        scaled = d * r @ V
        u = gc @ scaled
        chi = u ** 2 / (d * np.diag(V) * ss)
        rho = [float(np.corrcoef(g, scaled[:, k] + beta[k])[0, 1]) for k in range(len(beta))]
        ug = gc @ r
        glob = float(ug @ (d * V) @ ug / ss)
        out = pd.DataFrame({"rho": rho + [float("nan")], "chi2": list(chi) + [glob],
                            "df": [1] * len(beta) + [len(beta)]}, index=[*self.terms, "GLOBAL"])
        out["pvalue"] = stats.chi2.sf(out["chi2"], out["df"])
        return out

    def scaled_schoenfeld(self) -> pd.DataFrame:
        """Scaled Schoenfeld residuals plus β̂ (estimates of β(t)) at each event, for a PH diagnostic plot.

        Returns
        -------
        pandas.DataFrame
            ``time`` and one column per term.
        """
        r = np.asarray(self.result.schoenfeld_residuals, float)
        ev = (self._e == 1) & np.all(np.isfinite(r), axis=1)
        d = int(ev.sum())
        scaled = d * r[ev] @ np.asarray(self.result.cov_params(), float) + np.asarray(self.result.params, float)
        out = pd.DataFrame(scaled, columns=self.terms)
        out.insert(0, "time", self._t[ev])
        return out


def _design(df: pd.DataFrame, numeric: tuple[str, ...], categorical: Mapping[str, tuple[Any, list[Any]]],
            name: str) -> pd.DataFrame:
    cols: dict[str, np.ndarray] = {}
    for c in numeric:
        cols[c] = df[c].to_numpy(dtype=float)
    for c, (base, levels) in categorical.items():
        v = df[c]
        if v.isna().any():
            raise ValueError(f"{name}[{c!r}] is missing (NaN) at row {_row(df.index, int(np.flatnonzero(v.isna())[0]))!r}")
        unknown = ~v.isin(levels)
        if unknown.any():
            i = int(np.flatnonzero(unknown)[0])
            raise ValueError(f"{name}[{c!r}] at row {_row(df.index, i)!r} is {v.iloc[i]!r}, not a level the model "
                             f"knows {levels}")
        for lv in levels[1:]:
            cols[_term(c, lv)] = (v == lv).to_numpy(dtype=float)
    return pd.DataFrame(cols, index=df.index)


def fit_cox(data: pd.DataFrame, duration: str = "tenure", event: str = "event", *, numeric: Any = (),
            categorical: Mapping[str, Any] | None = None, ties: str = "efron",
            window: float | None = None) -> CoxModel:
    """Fit a Cox proportional-hazards model with statsmodels ``PHReg``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    duration, event : str
        Columns (:func:`check_survival`).
    numeric : str or sequence of str
        Numeric covariates (e.g. ``n_addons``, ``monthly_charges``).
    categorical : mapping, optional
        Categorical column -> its baseline level (e.g. ``{"contract": "Month-to-month"}``); each
        other level gets a dummy ``column[level]``. :data:`TELCO_COX` is the chapter's model.
    ties : {"efron", "breslow"}
        Handling of tied event times (durations in whole months tie a lot: Efron's is the better
        approximation).
    window : float, optional
        Observation window.

    Returns
    -------
    CoxModel

    Raises
    ------
    TypeError, ValueError
        As :func:`check_survival`; no terms; a constant or non-numeric numeric covariate; NaN; a
        baseline that is not a level; a categorical with one level; a level with no events (its
        hazard ratio would be 0, log −∞: merge it with another level).

    Warns
    -----
    crmlib.warnings.ConvergenceWarning
        The optimiser stopped before converging.
    """
    from statsmodels.duration.hazard_regression import PHReg

    d = check_survival(data, duration, event, window=window)
    num = check_names(numeric, "numeric", allow_empty=True)
    if categorical is not None and not isinstance(categorical, Mapping):
        raise TypeError(f"categorical must be a mapping of column -> baseline level (e.g. {{'contract': "
                        f"'Month-to-month'}}), got {type(categorical).__name__}")
    cat_in = dict(categorical or {})
    if not num and not cat_in:
        raise ValueError("the model has no terms: give numeric and/or categorical columns")
    check_choice(ties, "ties", ("efron", "breslow"))
    check_columns(data, [*num, *cat_in], "data", numeric=num)
    for c in num:
        if data[c].nunique() < 2:
            raise ValueError(f"numeric column {c!r} is constant ({data[c].iloc[0]}): its effect cannot be estimated")
    e = d["event"].to_numpy()
    if e.sum() == 0:
        raise ValueError("data has no events: a Cox model has nothing to fit")
    cats: dict[str, tuple[Any, list[Any]]] = {}
    for c, base in cat_in.items():
        v = data[c]
        if v.isna().any():
            raise ValueError(f"data[{c!r}] is missing (NaN) at row {_row(data.index, int(np.flatnonzero(v.isna())[0]))!r}")
        levels = sorted(v.unique().tolist(), key=str)
        if base not in levels:
            raise ValueError(f"baseline {base!r} is not a level of data[{c!r}]; its levels are {levels}")
        if len(levels) < 2:
            raise ValueError(f"data[{c!r}] has a single level {levels}: it cannot be compared with anything")
        for lv in levels:
            if e[(v == lv).to_numpy()].sum() == 0:
                raise ValueError(f"data[{c!r}] level {lv!r} has no events (nobody in it churned): its hazard ratio "
                                 "would be 0 (log −∞) and cannot be estimated; merge it with another level")
        cats[c] = (base, [base] + [lv for lv in levels if lv != base])
    X = _design(data, num, cats, "data")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = PHReg(d["duration"].to_numpy(), X.to_numpy(dtype=float), status=e, ties=ties).fit()
    # PHRegResults keeps no convergence flag: check that the score (gradient) vanishes at the estimates
    score = np.asarray(res.model.score(res.params), float) if np.all(np.isfinite(res.params)) else np.array([np.inf])
    if not np.all(np.isfinite(score)) or np.max(np.abs(score)) > _SCORE_TOL * max(1.0, float(e.sum())):
        warn(ConvergenceWarning, "Cox model", f"the optimiser stopped where the score is not 0 (largest |score| "
             f"{np.max(np.abs(score)):.3g}); the estimates are not the maximum of the partial likelihood.")
    return CoxModel(res, X, d["duration"].to_numpy(), e, num, cats, ties)


# ------------------------------------------------------------------ churn shares
def _wilson(k: np.ndarray, n: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, alpha=alpha, method="wilson")
    return np.asarray(lo, float), np.asarray(hi, float)


def churn_share(data: pd.DataFrame, event: str = "event", *, alpha: float = 0.05) -> dict[str, float]:
    """Share of customers who churned, with Wilson's interval.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    event : str
        Event column (:func:`as_event`).
    alpha : float
        1 − confidence level.

    Returns
    -------
    dict
        ``n``, ``churned``, ``share``, ``lower``, ``upper``.
    """
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    check_columns(data, [event], "data")
    e = as_event(data[event], f"data[{event!r}]")
    k, n = int(e.sum()), int(e.size)
    lo, hi = _wilson(np.array([k]), np.array([n]), alpha)
    return {"n": n, "churned": k, "share": k / n, "lower": float(lo[0]), "upper": float(hi[0])}


def churn_by_services(data: pd.DataFrame, services: str = "n_services", event: str = "event", *,
                      top: int | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Churn and retention shares by number of services held, with Wilson intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    services : str
        Column with the number of services held (whole numbers >= 0).
    event : str
        Event column (:func:`as_event`).
    top : int, optional
        Pool customers with ``top`` or more services into one group labelled ``"<top>+"``.
    alpha : float
        1 − confidence level.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``n_services`` label (``"1"``, ``"2"`` …, ``"4+"``): ``n``, ``churned``,
        ``churn_rate``, ``churn_lower``, ``churn_upper``, ``kept``, ``kept_lower``, ``kept_upper``
        (fractions; kept = 1 − churn).
    """
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    check_columns(data, [services, event], "data", numeric=[services], nonnegative=[services])
    s = data[services].to_numpy(dtype=float)
    check_whole(s, f"data[{services!r}]", data.index.tolist())
    e = as_event(data[event], f"data[{event!r}]")
    s = s.astype(int)
    if top is not None:
        top = check_int(top, "top", low=1)
        if not (s >= top).any():
            raise ValueError(f"no customer holds {top} or more services (top={top})")
    keys = sorted(set(s.tolist()) if top is None else {min(x, top) for x in s.tolist()})
    labels = [f"{k}+" if top is not None and k == top else str(k) for k in keys]
    grp = s if top is None else np.minimum(s, top)
    n = np.array([(grp == k).sum() for k in keys])
    c = np.array([e[grp == k].sum() for k in keys])
    lo, hi = _wilson(c, n, alpha)
    out = pd.DataFrame({"n": n, "churned": c, "churn_rate": c / n, "churn_lower": lo, "churn_upper": hi,
                        "kept": 1 - c / n, "kept_lower": 1 - hi, "kept_upper": 1 - lo},
                       index=pd.Index(labels, name="n_services"))
    return out


def profile_by_services(data: pd.DataFrame, services: str = "n_services") -> pd.DataFrame:
    """Who the customers holding each number of services are: what they buy, on what contract, for how long.

    Churn by number of services compares *different kinds of customer*, not one customer with more
    or fewer services; this table shows how different they are (for the Telco sample: the
    one-service customers are almost all phone-only, on cheap plans, often on long contracts).

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`telco_customers` (``n_services``, ``internet_service``, ``contract``,
        ``monthly_charges``, ``tenure``).
    services : str
        Column with the number of services held (whole numbers >= 0).

    Returns
    -------
    pandas.DataFrame
        Indexed by the number of services (as in :func:`churn_by_services`): ``n``, ``phone_only``
        (share without internet service), ``month_to_month`` (share on a month-to-month contract),
        ``monthly_charges`` (mean, US$) and ``tenure`` (mean months so far).
    """
    check_columns(data, [services, "internet_service", "contract", "monthly_charges", "tenure"], "data",
                  numeric=[services, "monthly_charges", "tenure"], nonnegative=[services, "monthly_charges", "tenure"])
    s = data[services].to_numpy(dtype=float)
    check_whole(s, f"data[{services!r}]", data.index.tolist())
    g = pd.Series(s.astype(int), index=data.index, name=services)
    out = pd.DataFrame({"n": g.groupby(g).size(),
                        "phone_only": (data["internet_service"] == "No").groupby(g).mean(),
                        "month_to_month": (data["contract"] == "Month-to-month").groupby(g).mean(),
                        "monthly_charges": data["monthly_charges"].groupby(g).mean(),
                        "tenure": data["tenure"].groupby(g).mean()})
    out.index = pd.Index([str(k) for k in out.index], name=services)
    return out


def services_vs_printed(data: pd.DataFrame, printed: pd.DataFrame, services: str = "n_services",
                        event: str = "event", *, alpha: float = 0.05) -> pd.DataFrame:
    """Observed retention by number of services beside the "probabilities kept" printed in chapter 04's source.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer (e.g. :func:`telco_customers`).
    printed : pandas.DataFrame
        ``datasets.load("crosssell_retention")``: ``holding``, ``n_services``, ``open_ended``,
        ``probability_kept_pct`` (1 / 0.5 / 10 / 18 / 100 %).
    services, event : str
        Columns of ``data``.
    alpha : float
        1 − confidence level.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``holding``: ``n_services`` (label), ``printed_kept_pct``, ``kept_pct``,
        ``kept_lower_pct``, ``kept_upper_pct``, ``n`` and ``printed_in_ci`` (the printed value lies
        inside the interval); ``attrs["confidence"]`` holds the confidence level.
    """
    check_columns(printed, ["holding", "n_services", "open_ended", "probability_kept_pct"], "printed",
                  numeric=["n_services", "probability_kept_pct"])
    open_rows = printed[printed["open_ended"].astype(bool)]
    top = int(open_rows["n_services"].min()) if len(open_rows) else None
    tab = churn_by_services(data, services, event, top=top, alpha=alpha)
    rows = []
    for _, r in printed.iterrows():
        k = int(r["n_services"])
        lab = f"{k}+" if bool(r["open_ended"]) else str(k)
        if lab not in tab.index:
            raise ValueError(f"no customer in data holds {lab} services (printed row {r['holding']!r})")
        o = tab.loc[lab]
        p = float(r["probability_kept_pct"])
        rows.append({"holding": r["holding"], "n_services": lab, "printed_kept_pct": p,
                     "kept_pct": 100 * o["kept"], "kept_lower_pct": 100 * o["kept_lower"],
                     "kept_upper_pct": 100 * o["kept_upper"], "n": int(o["n"]),
                     "printed_in_ci": bool(100 * o["kept_lower"] <= p <= 100 * o["kept_upper"])})
    out = pd.DataFrame(rows).set_index("holding")
    out.attrs["confidence"] = 1 - float(alpha)
    return out


# ------------------------------------------------------------------ revenue from the curve
@dataclass(frozen=True)
class ExpectedRevenue:
    """Expected discounted revenue of a new customer, from a retention curve.

    Attributes
    ----------
    value : float
        ``m Σ_{t=0}^{H−1} S(t) / (1 + r_m)^t``, US$ (the charge of month t + 1 is paid at its start
        by customers still there after t months; month 1 is paid by everyone).
    monthly_charge : float
        m, US$ per month.
    annual_rate : float
        Discount rate per year.
    monthly_rate : float
        ``(1 + annual_rate)^(1/12) − 1``.
    horizon : float
        H, months (``inf`` for a lifetime).
    observed_months : int
        Months read off the curve; later ones are extrapolated.
    beyond : str
        ``"refuse"`` or ``"geometric"``.
    tail_retention : float or None
        Constant monthly retention used beyond the curve (geometric), else None.
    schedule : pandas.DataFrame
        Month by month (observed part, and the extrapolated months up to 10 years for a lifetime):
        ``month``, ``survival``, ``discount``, ``revenue``, ``extrapolated``.
    assumption : str
        What was assumed, in words.
    """

    value: float
    monthly_charge: float
    annual_rate: float
    monthly_rate: float
    horizon: float
    observed_months: int
    beyond: str
    tail_retention: float | None
    schedule: pd.DataFrame = field(repr=False)
    assumption: str = field(repr=False)


def expected_revenue(curve: KaplanMeier, monthly_charge: float, *, annual_rate: float = 0.10,
                     horizon: float | None = None, beyond: str = "refuse", tail: int = 12) -> ExpectedRevenue:
    """Expected discounted revenue per new customer: monthly charge × retention × discount, summed over months.

    ``E = m Σ_{t=0}^{H−1} S(t) d^t`` with ``d = 1/(1 + r_m)``, ``r_m = (1 + annual_rate)^(1/12) − 1``:
    the charge of each month is paid at its start by the customers still there. Up to the longest
    observed duration T the curve S is the Kaplan–Meier estimate. Beyond T the data say nothing:
    ``beyond="refuse"`` (default) refuses a horizon past T; ``beyond="geometric"`` assumes every
    later month keeps the same share of customers as the average month of the curve's last
    ``tail`` months, ``q = (S(T)/S(T − tail))^(1/tail)``, so ``S(t) = S(T) q^(t−T)`` — and then
    ``horizon=inf`` gives a lifetime value in closed form.

    Parameters
    ----------
    curve : KaplanMeier
        The retention curve (months).
    monthly_charge : float
        Charge per month, US$ (>= 0; e.g. the mean of ``monthly_charges``).
    annual_rate : float
        Discount rate per year (0.10 = 10 %).
    horizon : float, optional
        Months; default the longest observed duration T. ``inf`` only with ``beyond="geometric"``.
    beyond : {"refuse", "geometric"}
        What to do after T.
    tail : int
        Months at the end of the curve that set the geometric tail.

    Returns
    -------
    ExpectedRevenue
    """
    if not isinstance(curve, KaplanMeier):
        raise TypeError(f"curve must be a KaplanMeier, got {type(curve).__name__}")
    m = check_number(monthly_charge, "monthly_charge", low=0)
    r = check_rate(annual_rate, "annual_rate")
    check_choice(beyond, "beyond", ("refuse", "geometric"))
    T = int(math.floor(curve.last_time))
    if horizon is None:
        H = float(T)
    elif isinstance(horizon, float) and math.isinf(horizon) and horizon > 0:
        H = math.inf
    else:
        H = check_number(horizon, "horizon", low=0, low_open=True)
        if not H.is_integer():
            raise ValueError(f"horizon must be a whole number of months (or inf), got {H:g}")
    if H > T and beyond == "refuse":
        raise ValueError(f"horizon {H:g} is after the longest observed duration ({T} months): the curve says nothing "
                         "there; use a shorter horizon or beyond='geometric' (a stated extrapolation)")
    rm = (1 + r) ** (1 / 12) - 1
    d = 1 / (1 + rm)
    n_obs = int(min(H, T))
    months = np.arange(0, n_obs, dtype=float)
    s = curve.survival_at(months)["survival"].to_numpy() if n_obs > 0 else np.array([])
    disc = d ** months
    value = float(m * np.sum(s * disc))
    q = None
    sched = pd.DataFrame({"month": months.astype(int) + 1, "survival": s, "discount": disc,
                          "revenue": m * s * disc, "extrapolated": False})
    text = (f"charge {m:g} US$ per month paid at the start of each month by the customers still there; annual "
            f"discount rate {r:g} (monthly {rm:.5f}); horizon {H:g} months")
    if H > T:
        tail = check_int(tail, "tail", low=1, high=T)
        sT, sT0 = curve.survival_at([T, T - tail])["survival"].to_numpy()
        if sT0 == 0:
            raise ValueError(f"S({T - tail}) is 0: no tail to extrapolate")
        q = float((sT / sT0) ** (1 / tail))
        if math.isinf(H):
            if q * d >= 1:
                raise ValueError("the tail retention times the discount factor is >= 1: the lifetime sum diverges")
            value += float(m * sT * d ** T / (1 - q * d))
            extra = np.arange(T, T + 120, dtype=float)
        else:
            extra = np.arange(T, int(H), dtype=float)
            value += float(m * np.sum(sT * q ** (extra - T) * d ** extra))
        es = sT * q ** (extra - T)
        sched = pd.concat([sched, pd.DataFrame({"month": extra.astype(int) + 1, "survival": es,
                                                "discount": d ** extra, "revenue": m * es * d ** extra,
                                                "extrapolated": True})], ignore_index=True)
        text += (f"; after month {T} (the longest observed tenure) every month keeps {q:.4f} of the customers, the "
                 f"average monthly retention of the curve's last {tail} months")
    return ExpectedRevenue(value, m, r, rm, H, n_obs, beyond, q, sched, text)


# ------------------------------------------------------------------ what-if
def whatif_retention(model: CoxModel, profile: Mapping[str, Any], changes: Mapping[str, Mapping[str, Any]] | None = None,
                     *, month: float = 12) -> pd.DataFrame:
    """Retention at ``month`` of a customer profile and of changed versions of it, from a Cox model.

    Parameters
    ----------
    model : CoxModel
        A fitted model (e.g. ``fit_cox(customers, **TELCO_COX)``).
    profile : mapping
        The customer: a value for every column of the model.
    changes : mapping, optional
        Scenario name -> the columns it changes. Default: every other level of ``contract`` (if the
        model has it), and ``n_addons`` + 1 (if it has that).
    month : float
        When retention is read (12 = a year).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``scenario`` (``"base"`` first): the model's columns, ``retention`` S(month),
        ``change_pts`` (percentage points vs base) and ``relative_hazard`` (hazard vs base).

    Notes
    -----
    The answer is only as good as the proportional-hazards assumption (:meth:`CoxModel.ph_test`):
    when a term's effect changes over time, the what-if holds for its average effect.
    """
    if not isinstance(model, CoxModel):
        raise TypeError(f"model must be a CoxModel (fit_cox), got {type(model).__name__}")
    if not isinstance(profile, Mapping):
        raise TypeError(f"profile must be a mapping of column -> value, got {type(profile).__name__}")
    cols = [*model.numeric, *model.categorical]
    missing = [c for c in cols if c not in profile]
    if missing:
        raise ValueError(f"profile lacks the column(s) {missing} of the model")
    base = {c: profile[c] for c in cols}
    if changes is None:
        changes = {}
        if "contract" in model.categorical:
            for lv in model.categorical["contract"][1]:
                if lv != base["contract"]:
                    changes[f"contract={lv}"] = {"contract": lv}
        if "n_addons" in model.numeric:
            changes["n_addons+1"] = {"n_addons": base["n_addons"] + 1}
    if not isinstance(changes, Mapping):
        raise TypeError("changes must be a mapping of scenario -> {column: new value}")
    rows = {"base": base}
    for name, ch in changes.items():
        if not isinstance(ch, Mapping):
            raise TypeError(f"changes[{name!r}] must be a mapping of column -> new value")
        bad = [c for c in ch if c not in cols]
        if bad:
            raise ValueError(f"changes[{name!r}] changes {bad[0]!r}, which is not a column of the model {cols}")
        rows[str(name)] = {**base, **ch}
    prof = pd.DataFrame.from_dict(rows, orient="index")
    for c in model.numeric:
        prof[c] = pd.to_numeric(prof[c])
    s = model.predict_survival(prof, [month]).iloc[:, 0]
    rh = model.relative_hazard(prof)
    out = prof.assign(retention=s.to_numpy(), change_pts=100 * (s.to_numpy() - s.iloc[0]),
                      relative_hazard=rh.to_numpy() / rh.iloc[0])
    out.index.name = "scenario"
    out.attrs["month"] = float(month)
    return out


def telco_scenarios(profile: Mapping[str, Any], *, charge_step: float = 10.0) -> dict[str, dict[str, Any]]:
    """The changes a firm could make to one Telco customer, for :func:`whatif_retention`.

    Each scenario changes one thing: every other contract type; one more add-on service
    (unless the customer already has all six); automatic payment by credit card (unless the
    customer already pays automatically); a monthly charge ``charge_step`` US$ lower (unless that
    would go below the lowest charge in the data, US$18.25). Only possible changes are listed,
    so a what-if built on them never asks the model about a customer who cannot exist.

    Parameters
    ----------
    profile : mapping
        The customer: ``contract``, ``payment_method``, ``n_addons`` and ``monthly_charges``
        (the columns of :data:`TELCO_COX`).
    charge_step : float
        The price cut of the last scenario, US$ (> 0).

    Returns
    -------
    dict
        Scenario name -> ``{column: new value}``: ``"contract=<level>"``, ``"n_addons+1"``,
        ``"payment=Credit card (automatic)"``, ``"monthly_charges-<step>"``.

    Raises
    ------
    ValueError
        A missing column, an unknown contract or payment method, add-ons outside 0–6 or not whole,
        a negative charge.
    """
    if not isinstance(profile, Mapping):
        raise TypeError(f"profile must be a mapping of column -> value, got {type(profile).__name__}")
    missing = [c for c in ("contract", "payment_method", "n_addons", "monthly_charges") if c not in profile]
    if missing:
        raise ValueError(f"profile lacks the column(s) {missing}")
    contract = check_choice(profile["contract"], "profile['contract']", TELCO_CONTRACTS)
    payment = check_choice(profile["payment_method"], "profile['payment_method']", TELCO_PAYMENT_METHODS)
    addons = check_number(profile["n_addons"], "profile['n_addons']", low=0, high=len(TELCO_ADDONS))
    if not float(addons).is_integer():
        raise ValueError(f"profile['n_addons'] must be a whole number of add-on services, got {addons:g}")
    charge = check_number(profile["monthly_charges"], "profile['monthly_charges']", low=0)
    step = check_number(charge_step, "charge_step", low=0, low_open=True)
    out: dict[str, dict[str, Any]] = {f"contract={c}": {"contract": c} for c in TELCO_CONTRACTS if c != contract}
    if addons < len(TELCO_ADDONS):
        out["n_addons+1"] = {"n_addons": int(addons) + 1}
    if "automatic" not in payment:
        out["payment=Credit card (automatic)"] = {"payment_method": "Credit card (automatic)"}
    if charge - step >= _TELCO_MIN_CHARGE:
        out[f"monthly_charges-{step:g}"] = {"monthly_charges": charge - step}
    return out
