"""Time units and observation windows, shared by the summaries, the models and the CLV formulas.

A summary (:func:`crmlib.clv.rfm.summarize`, pandas or SQL) measures ``recency`` and ``T`` in
periods of ``period``. This module holds what every part needs to agree on that unit:

* the units: fixed-length ``"h"``, ``"D"``, ``"W"`` (:data:`FIXED_UNITS`, length in days) and the
  calendar units ``"M"``, ``"Q"``, ``"Y"``, whose length varies: measured in themselves
  (``collapse == period``) they count whole calendar periods; measured from finer occasions
  (``collapse="D"``) and wherever a length is needed they have their mean length
  (:data:`MEAN_DAYS`: a month is 365.2425 / 12 = 30.436875 days);
* :data:`PERIODS_PER_YEAR`, which turns a rate per year into a rate per period: a year is
  8,760 hours, 365 days, 52 weeks, 12 months, 4 quarters (the counts people use; 52 weeks are
  364 days, a 0.3 % difference in the length of a year between days and weeks);
* the window checks and the period numbers of a summary's windows, written into its ``attrs``
  (:func:`describe_summary`) so that fits, CLV and figures can read them;
* :func:`resolve_period`, the one rule by which a fit or a CLV finds the unit of its data, or
  refuses to guess.
"""
from __future__ import annotations

import warnings
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._validate import plain
from ..warnings import DataWarning
from ._dates import read_timestamp

__all__ = ["FIXED_UNITS", "CALENDAR_UNITS", "PERIODS", "MEAN_DAYS", "PERIODS_PER_YEAR", "period_alias",
           "check_period", "period_days", "period_ns", "whole_periods", "ordinals", "ordinal", "start_ns",
           "window_args", "check_window",
           "leave_out_zero_T", "describe_summary", "period_of", "resolve_period"]

#: Length in days of the fixed-length units.
FIXED_UNITS: dict[str, float] = {"D": 1.0, "W": 7.0, "h": 1.0 / 24.0}
#: Calendar units of varying length (months, quarters, years).
CALENDAR_UNITS = ("M", "Q", "Y")
#: Every period a summary may be measured in.
PERIODS = ("D", "W", "M", "Q", "Y", "h")
_YEAR_DAYS = 365.2425  # mean Gregorian year
#: Mean length in days of the calendar units.
MEAN_DAYS: dict[str, float] = {"M": _YEAR_DAYS / 12, "Q": _YEAR_DAYS / 4, "Y": _YEAR_DAYS}
#: Periods in a year, for turning a rate per year into a rate per period.
PERIODS_PER_YEAR: dict[str, float] = {"h": 8760.0, "D": 365.0, "W": 52.0, "M": 12.0, "Q": 4.0, "Y": 1.0}


def period_alias(value: Any, name: str) -> str:
    """``value`` if it is one of :data:`PERIODS`, else ValueError naming ``name``.

    Parameters
    ----------
    value : str
        A period code.
    name : str
        Argument name, for the message.

    Returns
    -------
    str
    """
    if not isinstance(value, str) or value not in PERIODS:
        raise ValueError(f"{name} must be one of {list(PERIODS)}, got {plain(value)!r}")
    return value


def check_period(value: Any, name: str = "period") -> str | None:
    """A period code or None (unknown), else ValueError naming ``name``.

    Parameters
    ----------
    value : str or None
    name : str

    Returns
    -------
    str or None
    """
    return None if value is None else period_alias(value, name)


def period_days(period: str) -> float:
    """Length of ``period`` in days (the mean length for months, quarters and years).

    Parameters
    ----------
    period : str
        One of :data:`PERIODS`.

    Returns
    -------
    float
    """
    return FIXED_UNITS[period] if period in FIXED_UNITS else MEAN_DAYS[period]


# ----------------------------------------------------------------------------- period ordinals
def ordinals(dates: Any, collapse: str) -> np.ndarray:
    """Integer index of the calendar period holding each date (consecutive periods differ by 1).

    Parameters
    ----------
    dates : array_like of datetime64
    collapse : str
        A period code.

    Returns
    -------
    numpy.ndarray of int64
    """
    arr = np.asarray(dates, dtype="datetime64[ns]").reshape(-1)
    if collapse in ("D", "h"):  # days / hours since 1970-01-01, floored
        return arr.astype(f"datetime64[{collapse}]").view(np.int64)
    return pd.DatetimeIndex(arr).to_period(collapse).asi8.astype(np.int64)


def ordinal(ts: pd.Timestamp, collapse: str) -> int:
    """:func:`ordinals` of one date.

    Parameters
    ----------
    ts : pandas.Timestamp
    collapse : str

    Returns
    -------
    int
    """
    return int(ordinals([ts], collapse)[0])


def start_ns(ords: np.ndarray, collapse: str) -> np.ndarray:
    """Start of each period (given by its ordinal) in integer nanoseconds since 1970.

    Parameters
    ----------
    ords : numpy.ndarray of int64
        Ordinals from :func:`ordinals`.
    collapse : str

    Returns
    -------
    numpy.ndarray of int64
    """
    if collapse in ("D", "h"):
        return ords * np.int64(86_400 if collapse == "D" else 3_600) * np.int64(10**9)
    uniq, inv = np.unique(ords, return_inverse=True)
    starts = pd.PeriodIndex.from_ordinals(uniq, freq=collapse).start_time
    return starts.to_numpy("datetime64[ns]").astype(np.int64)[inv.reshape(-1)]


# ----------------------------------------------------------------------------- windows
def window_args(observation_end: Any, calibration_end: Any, period: Any, collapse: Any,
                date_format: str | None = None, unit: str | None = None, tz: Any = None
                ) -> tuple[pd.Timestamp, pd.Timestamp | None, str, str]:
    """Validated (observation_end, calibration_end, period, collapse), shared by every engine.

    Parameters
    ----------
    observation_end, calibration_end : date
        Window ends as given to :func:`crmlib.clv.rfm.summarize` (``calibration_end`` may be None).
    period, collapse : str
        Period codes.
    date_format, unit, tz
        How the window ends are read (as the date column).

    Returns
    -------
    tuple
        ``(observation_end, calibration_end or None, period, collapse)``.

    Raises
    ------
    ValueError
        An unknown period, a window end that is not a date, or a calibration that does not end
        before the observation.
    """
    period = period_alias(period, "period")
    collapse = period_alias(collapse, "collapse")
    obs_end = read_timestamp(observation_end, "observation_end", date_format, unit, tz)
    cal_end = None
    if calibration_end is not None:
        cal_end = read_timestamp(calibration_end, "calibration_end", date_format, unit, tz)
        if ordinal(cal_end, collapse) >= ordinal(obs_end, collapse):
            raise ValueError(f"calibration_end {cal_end.date()} must be before observation_end {obs_end.date()}")
    return obs_end, cal_end, period, collapse


def check_window(first_date: pd.Timestamp, obs_end: pd.Timestamp, cal_end: pd.Timestamp | None,
                 collapse: str) -> None:
    """Refuse windows that end before the first transaction (compared at the resolution of ``collapse``).

    Parameters
    ----------
    first_date : pandas.Timestamp
        The log's first transaction.
    obs_end, cal_end : pandas.Timestamp
        Window ends (``cal_end`` may be None).
    collapse : str

    Raises
    ------
    ValueError
        A window end before the first transaction.
    """
    first_ord = ordinal(first_date, collapse)
    if ordinal(obs_end, collapse) < first_ord:
        raise ValueError(f"observation_end {obs_end.date()} is before the first transaction ({first_date.date()})")
    if cal_end is not None and ordinal(cal_end, collapse) < first_ord:
        raise ValueError(f"calibration_end {cal_end.date()} is before the first transaction ({first_date.date()})")


def leave_out_zero_T(summary: pd.DataFrame, keep: bool, stacklevel: int = 4) -> pd.DataFrame:
    """Leave out (and count, and warn about) customers with T = 0 unless ``keep``.

    Parameters
    ----------
    summary : pandas.DataFrame
        A summary with column ``T``.
    keep : bool
        Keep them.
    stacklevel : int
        Of the :class:`crmlib.warnings.DataWarning`.

    Returns
    -------
    pandas.DataFrame
        The summary (its ``attrs`` kept) with ``attrs["left_out_zero_T"]`` set.
    """
    zero = (summary["T"] == 0).to_numpy()
    n = int(zero.sum())
    if keep or not n:
        summary.attrs["left_out_zero_T"] = 0
        return summary
    out = summary.loc[~zero]  # a new frame already
    out.attrs["left_out_zero_T"] = n
    first = plain(summary.index[zero][0])
    warnings.warn(f"{n} customer(s) (e.g. {first!r}) made their first purchase in the last period of the window "
                  f"(T = 0): they carry no information for the BTYD models and are left out of the summary "
                  f"(their number is in .attrs['left_out_zero_T']; keep them with keep_zero_T=True)",
                  DataWarning, stacklevel=stacklevel)
    return out


def whole_periods(period: str, collapse: str) -> bool:
    """Whether times count whole calendar periods (a calendar ``period`` measured in itself).

    Parameters
    ----------
    period, collapse : str

    Returns
    -------
    bool
        False when times are measured in periods of fixed (or mean) length.
    """
    return period == collapse and period not in FIXED_UNITS


def period_ns(period: str) -> float:
    """Length of ``period`` in nanoseconds (the mean length for months, quarters and years).

    Parameters
    ----------
    period : str

    Returns
    -------
    float
        A whole number of nanoseconds for every period code.
    """
    return period_days(period) * 86400e9


def _period_number(ts: pd.Timestamp, start: pd.Timestamp, period: str, collapse: str) -> int:
    """Number (1, 2, ...) of the ``period`` that holds ``ts``'s ``collapse`` period, counted from ``start``'s."""
    if whole_periods(period, collapse):
        return ordinal(ts, period) - ordinal(start, period) + 1
    ns = int(start_ns(np.array([ordinal(ts, collapse)]), collapse)[0] -
             start_ns(np.array([ordinal(start, collapse)]), collapse)[0])
    return int(ns // int(round(period_ns(period)))) + 1


def describe_summary(summary: pd.DataFrame, *, period: str, collapse: str, first: pd.Timestamp,
                     observation_end: pd.Timestamp, calibration_end: pd.Timestamp | None) -> pd.DataFrame:
    """Write the summary's time unit and windows into ``summary.attrs`` (returned for chaining).

    Keys: ``period`` (the unit of ``recency``, ``T`` and ``duration_holdout``), ``period_days``
    (its length in days; the mean length for ``"M"``, ``"Q"``, ``"Y"``), ``calendar_period``
    (True when the times count whole calendar periods, whose length varies), ``collapse``, ``start``
    (first transaction),
    ``calibration_end`` / ``observation_end`` (ISO dates) and the period numbers of the windows,
    counted from the period of the first transaction (1): ``calibration_periods`` = (1, n) and,
    with a holdout, ``holdout_periods`` = (first, last).

    Parameters
    ----------
    summary : pandas.DataFrame
    period, collapse : str
    first : pandas.Timestamp
        The log's first transaction.
    observation_end, calibration_end : pandas.Timestamp
        Window ends (``calibration_end`` None without a holdout).

    Returns
    -------
    pandas.DataFrame
        ``summary`` itself.
    """
    cut = observation_end if calibration_end is None else calibration_end
    attrs: dict[str, Any] = {
        "period": period, "period_days": period_days(period), "calendar_period": whole_periods(period, collapse),
        "collapse": collapse, "start": pd.Timestamp(first).isoformat(),
        "calibration_end": None if calibration_end is None else calibration_end.isoformat(),
        "observation_end": observation_end.isoformat(),
        "calibration_periods": (1, _period_number(cut, first, period, collapse)),
    }
    if calibration_end is not None:
        after = pd.PeriodIndex.from_ordinals([ordinal(calibration_end, collapse) + 1], freq=collapse).start_time[0]
        attrs["holdout_periods"] = (_period_number(after, first, period, collapse),
                                    _period_number(observation_end, first, period, collapse))
    summary.attrs.update(attrs)
    return summary


# ----------------------------------------------------------------------------- the unit of a fit
def period_of(value: Any) -> str | None:
    """The period a pandas object says its times are in (``attrs["period"]``), or None.

    Parameters
    ----------
    value : object
        A Series or DataFrame from :func:`crmlib.clv.rfm.summarize` (or anything else: None).

    Returns
    -------
    str or None
    """
    if isinstance(value, (pd.Series, pd.DataFrame)):
        p = value.attrs.get("period")
        return p if isinstance(p, str) and p in PERIODS else None
    return None


def resolve_period(sources: Mapping[str, Any], *, need: bool = False, hint: str = "") -> str | None:
    """The one time unit several sources agree on: refuse a disagreement, and (with ``need``) ignorance.

    Parameters
    ----------
    sources : mapping of str to str or None
        What each source says (``"period argument": "W"``, ``"summary.attrs": None`` ...); None is
        "does not say".
    need : bool
        Refuse when no source says.
    hint : str
        How to state the unit, appended to the message when it is unknown.

    Returns
    -------
    str or None
        The unit, or None when nobody says and ``need`` is False.

    Raises
    ------
    ValueError
        Two sources name different units, or (``need``) none names one.
    """
    said = {k: v for k, v in sources.items() if v is not None}
    units = sorted(set(said.values()))
    if len(units) > 1:
        shown = ", ".join(f"{k} {v!r}" for k, v in said.items())
        stale = (" (a Series keeps the attrs of the summary it came from, also after arithmetic such as "
                 "recency * 7: when you convert units yourself, pass plain arrays or update .attrs['period'])"
                 if any("attrs" in k for k in said) else "")
        raise ValueError(f"the time units disagree ({shown}): recency, T and horizons must be in one unit; "
                         f"summarise and fit with the same period{stale}")
    if not units:
        if need:
            raise ValueError(f"the time unit is unknown ({' and '.join(sources)} do not say it){hint}")
        return None
    return units[0]
