"""Recency–frequency–monetary summaries of a transaction log.

:func:`summarize` turns one row per transaction into one row per customer
holding the sufficient statistics of the buy-till-you-die models
(:mod:`crmlib.clv.btyd`): repeat ``frequency`` *x*, ``recency`` *t_x*, age ``T``
and the mean repeat spend ``monetary_value`` *m_x* (Fader, Hardie & Lee 2005,
"Counting your customers the easy way", Marketing Science 24(2)).

Definitions (all standard in the BTYD literature):

* transactions falling in the same ``collapse`` period (by default the same
  calendar day) count as one purchase occasion whose spend is their sum;
* ``frequency`` = number of purchase occasions after the first one;
* ``recency`` = time from the first to the last purchase occasion;
* ``T`` = time from the first purchase occasion to the end of observation;
* ``monetary_value`` = mean spend of the repeat occasions (0 when there are
  none; the first purchase is excluded, as in the Gamma-Gamma model).

Time is measured in units of ``period``. With the defaults (``collapse="D"``,
``period="W"``) a customer who first bought on 1997-01-01 and is observed to
1997-09-30 has ``T = 272 / 7 = 38.857`` weeks — the convention of the
published CDNOW analyses. With ``collapse == period`` the times are whole
numbers of calendar periods (the convention of the ``lifetimes`` package's
``summary_data_from_transaction_data`` for the same ``freq``).

Dates are read only when they can be read one way (numbers need ``date_format``
or ``unit``; strings are ISO 8601 unless ``date_format`` says otherwise;
time-zone-aware dates need ``tz``; dates outside pandas' nanosecond range are
refused with their row). Customers with T = 0 are left out with a
:class:`crmlib.warnings.DataWarning` unless ``keep_zero_T=True``. A DuckDB
relation or Parquet file(s) in place of the DataFrame are summarised inside
DuckDB by the query of :mod:`crmlib.clv.rfm_sql`, which Spark runs too.

Examples
--------
>>> import pandas as pd
>>> tx = pd.DataFrame({"id": [1, 1, 1, 2],
...                    "day": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"]),
...                    "usd": [10.0, 5.0, 20.0, 7.0]})
>>> s = summarize(tx, customer_id="id", date="day", amount="usd", observation_end="2024-01-29")
>>> s[["frequency", "recency", "T", "monetary_value"]].to_dict("index")[1]
{'frequency': 1, 'recency': 2.0, 'T': 4.0, 'monetary_value': 20.0}
"""
from __future__ import annotations

import datetime as _dt
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._validate import check_columns, check_not_empty
from ..warnings import DataWarning

__all__ = ["summarize", "FIXED_UNITS"]

#: Length in days of the fixed-length time units ``period`` may take when it
#: differs from ``collapse``.
FIXED_UNITS: dict[str, float] = {"D": 1.0, "W": 7.0, "h": 1.0 / 24.0}
_CALENDAR = ("D", "W", "M", "Q", "Y", "h")
#: Largest customer × period grid (cells = bytes) used to find distinct purchase occasions; beyond
#: it a hash of the (customer, period) keys is used instead.
_GRID_CELLS = 128_000_000


_UNITS = ("D", "s", "ms", "us", "ns", "excel")
#: Nanoseconds per ``unit`` of a numeric date (``excel``: serial days since 1899-12-30).
_UNIT_NS = {"D": 86_400e9, "s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1.0, "excel": 86_400e9}
_EXCEL_EPOCH_DAYS = 25_569  # 1970-01-01 is Excel serial 25569 (days since 1899-12-30)
_RANGE = f"{pd.Timestamp.min.date()} to {pd.Timestamp.max.date()}"
_NUMBER_HINT = ("numbers are not read as dates unless you say how: date_format='%Y%m%d' for digits such as "
                "20240101, unit='excel' for Excel serial days, unit='s'/'ms'/'us'/'ns'/'D' for time since "
                "1970-01-01")


def _py(v: Any) -> Any:
    """A numpy scalar as the Python value it holds (for messages)."""
    return v.item() if isinstance(v, np.generic) else v


def _date_options(date_format: Any, unit: Any, tz: Any) -> None:
    if date_format is not None and not isinstance(date_format, str):
        raise TypeError(f"date_format must be a strftime pattern (str) such as '%Y%m%d', got {date_format!r}")
    if unit is not None and (not isinstance(unit, str) or unit not in _UNITS):
        raise ValueError(f"unit must be one of {list(_UNITS)}, got {unit!r}")
    if date_format is not None and unit is not None:
        raise ValueError("give date_format or unit, not both")
    if tz is not None:
        try:
            pd.Timestamp("2000-01-01", tz=tz)
        except Exception as exc:  # noqa: BLE001 - pandas/zoneinfo raise several kinds
            raise ValueError(f"tz is not a time zone: {tz!r}") from exc


def _naive(ts: pd.Timestamp, name: str, tz: Any, shown: Any) -> pd.Timestamp:
    if ts.tzinfo is not None:
        if tz is None:
            raise ValueError(f"{name} is time-zone aware ({shown!r}); pass tz='...' to say in which zone's "
                             f"calendar days are counted, or give a naive date")
        ts = ts.tz_convert(tz).tz_localize(None)
    if ts < pd.Timestamp.min or ts > pd.Timestamp.max:
        raise ValueError(f"{name} {shown!r} is out of range: dates must lie within {_RANGE} "
                         f"(pandas' nanosecond range)")
    return ts.as_unit("ns")


def _timestamp(value: Any, name: str, date_format: str | None = None, unit: str | None = None,
               tz: Any = None) -> pd.Timestamp:
    """A window end as a naive nanosecond Timestamp, read by the same rules as the date column."""
    if value is None:
        raise ValueError(f"{name} is required (a date such as '1997-09-30')")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a date, got {_py(value)!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        if date_format is None and unit is None:
            raise ValueError(f"{name} is a number ({_py(value)!r}); give a date such as '1997-09-30' ({_NUMBER_HINT})")
        return pd.Timestamp(_read_dates(pd.Series([value]), name, date_format=date_format, unit=unit, tz=tz,
                                        what=name)[0])
    if isinstance(value, str):
        try:  # ISO 8601 first (unambiguous), then the explicit date_format
            ts = pd.to_datetime(value, format="ISO8601")
        except (ValueError, TypeError) as exc:
            if date_format is None:
                raise ValueError(f"{name} is not a date: {_py(value)!r} (write it as ISO 8601, e.g. '1997-09-30', "
                                 f"or pass date_format=)") from exc
            try:
                ts = pd.to_datetime(value, format=date_format)
            except (ValueError, TypeError) as exc2:
                raise ValueError(f"{name} is not a date: {_py(value)!r} (neither ISO 8601 nor date_format "
                                 f"{date_format!r})") from exc2
    else:
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ValueError(f"{name} is not a date: {_py(value)!r}") from exc
    if ts is pd.NaT or pd.isna(ts):
        raise ValueError(f"{name} is NaT")
    return _naive(ts, name, tz, value)


#: A time of day followed by a UTC offset at the end of a date string.
_OFFSET = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$", re.I)


def _read_dates(raw: pd.Series, col: str, *, date_format: str | None, unit: str | None, tz: Any,
                what: str = "transactions column") -> np.ndarray:
    """Column ``raw`` as naive datetime64[ns] values, or a clear error naming the row.

    Read are: datetime64 columns (time-zone aware ones only with ``tz``, converted to that zone's
    wall-clock time); strings in ISO 8601, or in ``date_format``; numbers only with ``date_format``
    (whole numbers such as 20240101) or ``unit``; ``datetime.date`` / ``datetime`` objects.
    Missing values are left as NaT (the caller refuses them with their row).
    """
    label = f"{what} {col!r}" if what == "transactions column" else what

    def row(i: int) -> Any:
        return raw.index[i]

    values = raw
    if pd.api.types.is_bool_dtype(values):
        raise TypeError(f"{label} holds booleans, not dates")
    if pd.api.types.is_numeric_dtype(values):
        num = values.to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(num)
        if date_format is None and unit is None:
            i = int(np.flatnonzero(ok)[0]) if ok.any() else 0
            raise ValueError(f"{label} holds numbers (e.g. {_py(values.iloc[i])!r} at row {row(i)!r}); {_NUMBER_HINT}")
        if date_format is not None:
            frac = ok & ((num != np.floor(num)) | ~np.isfinite(num))
            if frac.any():
                i = int(np.flatnonzero(frac)[0])
                raise ValueError(f"{label} has {_py(values.iloc[i])!r} at row {row(i)!r}, not a whole number to read "
                                 f"with date_format {date_format!r}")
            text = pd.Series(np.where(ok, np.nan_to_num(num).astype(np.int64).astype(str), None), index=raw.index,
                             dtype=object)
            return _read_dates(text, col, date_format=date_format, unit=None, tz=tz, what=what)
        days = num - _EXCEL_EPOCH_DAYS if unit == "excel" else num
        with np.errstate(invalid="ignore", over="ignore"):
            ns = days * _UNIT_NS[unit]
        out_of_range = ok & ~((ns >= pd.Timestamp.min.value) & (ns <= pd.Timestamp.max.value))
        if out_of_range.any():
            i = int(np.flatnonzero(out_of_range)[0])
            raise ValueError(f"{label} has a date out of range at row {row(i)!r}: {_py(values.iloc[i])!r} with "
                             f"unit={unit!r} falls outside {_RANGE} (pandas' nanosecond range)")
        if unit == "excel":
            early = ok & (num < 61)
            if early.any():
                i = int(np.flatnonzero(early)[0])
                raise ValueError(f"{label} has Excel serial {_py(values.iloc[i])!r} at row {row(i)!r}: serials below 61 "
                                 f"(before 1900-03-01) are ambiguous (Excel's 1900 leap-year bug)")
        if unit != "excel" and pd.api.types.is_integer_dtype(values) and ok.all():
            # whole numbers in a fixed unit: exact integer arithmetic (a float would lose nanoseconds)
            per = np.int64(_UNIT_NS[unit])
            return (values.to_numpy(dtype=np.int64) * per).view("datetime64[ns]")
        ns_int = np.where(ok, np.round(np.nan_to_num(ns)), 0).astype(np.int64)
        out = ns_int.view("datetime64[ns]").copy()
        out[~ok] = np.datetime64("NaT")
        return out
    if pd.api.types.is_datetime64_any_dtype(values):
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            if tz is None:
                raise ValueError(f"{label} is time-zone aware ({values.dtype.tz}); pass tz='...' to say in which "
                                 f"zone's calendar days are counted (values are converted to it), or give naive dates")
            values = values.dt.tz_convert(tz).dt.tz_localize(None)
        return _as_ns(values, label, row)
    # object / string columns
    obj = values.to_numpy(dtype=object)
    present = ~pd.isna(values).to_numpy()
    is_str = np.fromiter((isinstance(v, str) for v in obj), bool, len(obj))
    if (present & ~is_str).any():
        i = int(np.flatnonzero(present & ~is_str)[0])
        v = obj[i]
        if all(isinstance(x, (_dt.date, np.datetime64)) for x in obj[present]):  # date / datetime objects
            aware = np.fromiter((getattr(x, "tzinfo", None) is not None for x in obj), bool, len(obj))
            if aware.any() and not aware[present].all():
                i, j = int(np.flatnonzero(aware)[0]), int(np.flatnonzero(present & ~aware)[0])
                raise ValueError(f"{label} mixes time-zone aware (row {row(i)!r}) and naive (row {row(j)!r}) "
                                 f"datetimes; their days cannot be compared")
            if aware.any() and tz is None:
                _refuse_aware(label)
            try:
                parsed = pd.to_datetime(values, utc=bool(aware.any()))
            except (ValueError, TypeError, OverflowError) as exc:
                raise ValueError(f"{label} cannot be read as dates: {exc}") from exc
            return _read_dates(parsed, col, date_format=None, unit=None, tz=tz, what=what)
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            raise ValueError(f"{label} has a number at row {row(i)!r} ({v!r}); {_NUMBER_HINT}")
        raise ValueError(f"{label} has a value that is not a date at row {row(i)!r}: {v!r}")
    if unit is not None:
        raise ValueError(f"unit={unit!r} applies to numeric dates; {label} holds strings (use date_format=)")
    text = values.astype(object)
    offset = np.fromiter((bool(_OFFSET.search(v.strip())) if isinstance(v, str) else False for v in obj), bool,
                         len(obj))
    if offset.any():
        if not offset[present].all():
            i, j = int(np.flatnonzero(offset)[0]), int(np.flatnonzero(present & ~offset)[0])
            raise ValueError(f"{label} mixes dates with a UTC offset (row {row(i)!r}: {obj[i]!r}) and without "
                             f"(row {row(j)!r}: {obj[j]!r}); their days cannot be compared")
        if tz is None:
            i = int(np.flatnonzero(offset)[0])
            raise ValueError(f"{label} has dates with a UTC offset (row {row(i)!r}: {obj[i]!r}); pass tz='...' "
                             f"to say in which zone's calendar days are counted (values are converted to it)")
    fmt = date_format if date_format is not None else "ISO8601"
    try:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=bool(offset.any()))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{label} cannot be read as dates with format {fmt!r}: {exc}") from exc
    bad = parsed.isna().to_numpy() & present
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        how = f"date_format {date_format!r}" if date_format else "ISO 8601 (e.g. '2024-01-31'; or pass date_format=)"
        raise ValueError(f"{label} has a value that is not a date at row {row(i)!r}: {obj[i]!r} (read as {how})")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert(tz).dt.tz_localize(None)
    return _as_ns(parsed, label, row)


def _refuse_aware(label: str) -> None:
    raise ValueError(f"{label} holds time-zone aware datetimes; pass tz='...' to say in which zone's calendar days "
                     f"are counted (values are converted to it)")


def _as_ns(values: pd.Series, label: str, row: Any) -> np.ndarray:
    """Naive datetime64 values of any resolution as datetime64[ns], refusing any outside its range."""
    arr = values.to_numpy()
    unit_name = np.datetime_data(arr.dtype)[0]
    if unit_name != "ns":
        ok = ~np.isnat(arr)
        lo, hi = np.datetime64(pd.Timestamp.min), np.datetime64(pd.Timestamp.max)
        out = ok & ((arr < lo) | (arr > hi))
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise ValueError(f"{label} has a date out of range at row {row(i)!r}: {arr[i]} lies outside {_RANGE} "
                             f"(pandas' nanosecond range)")
        arr = arr.astype("datetime64[ns]")
    return arr

def _alias(value: Any, name: str) -> str:
    if not isinstance(value, str) or value not in _CALENDAR:
        raise ValueError(f"{name} must be one of {list(_CALENDAR)}, got {_py(value)!r}")
    return value


def _ordinals(dates: Any, collapse: str) -> np.ndarray:
    """Integer index of the calendar period holding each date (consecutive periods differ by 1)."""
    arr = np.asarray(dates, dtype="datetime64[ns]").reshape(-1)
    if collapse in ("D", "h"):  # days / hours since 1970-01-01, floored
        return arr.astype(f"datetime64[{collapse}]").view(np.int64)
    return pd.DatetimeIndex(arr).to_period(collapse).asi8.astype(np.int64)


def _ordinal(ts: pd.Timestamp, collapse: str) -> int:
    return int(_ordinals([ts], collapse)[0])


def _start_ns(ordinals: np.ndarray, collapse: str) -> np.ndarray:
    """Start of each period (given by its ordinal) in integer nanoseconds since 1970."""
    if collapse in ("D", "h"):
        return ordinals * np.int64(86_400 if collapse == "D" else 3_600) * np.int64(10**9)
    uniq, inv = np.unique(ordinals, return_inverse=True)
    starts = pd.PeriodIndex.from_ordinals(uniq, freq=collapse).start_time
    return starts.to_numpy("datetime64[ns]").astype(np.int64)[inv.reshape(-1)]


def _window_args(observation_end: Any, calibration_end: Any, period: Any, collapse: Any,
                 date_format: str | None = None, unit: str | None = None, tz: Any = None
                 ) -> tuple[pd.Timestamp, pd.Timestamp | None, str, str]:
    """Validated (observation_end, calibration_end, period, collapse), shared by every engine."""
    period = _alias(period, "period")
    collapse = _alias(collapse, "collapse")
    if period != collapse and period not in FIXED_UNITS:
        raise ValueError(f"period {period!r} has no fixed length; use collapse={period!r} with it")
    obs_end = _timestamp(observation_end, "observation_end", date_format, unit, tz)
    cal_end = None
    if calibration_end is not None:
        cal_end = _timestamp(calibration_end, "calibration_end", date_format, unit, tz)
        if _ordinal(cal_end, collapse) >= _ordinal(obs_end, collapse):
            raise ValueError(f"calibration_end {cal_end.date()} must be before observation_end {obs_end.date()}")
    return obs_end, cal_end, period, collapse


def _check_window(first_date: pd.Timestamp, obs_end: pd.Timestamp, cal_end: pd.Timestamp | None,
                  collapse: str) -> None:
    """Refuse windows that end before the first transaction (compared at the resolution of ``collapse``)."""
    first_ord = _ordinal(first_date, collapse)
    if _ordinal(obs_end, collapse) < first_ord:
        raise ValueError(f"observation_end {obs_end.date()} is before the first transaction ({first_date.date()})")
    if cal_end is not None and _ordinal(cal_end, collapse) < first_ord:
        raise ValueError(f"calibration_end {cal_end.date()} is before the first transaction ({first_date.date()})")


def _zero_T(summary: pd.DataFrame, keep: bool) -> pd.DataFrame:
    """Leave out (and count, and warn about) customers with T = 0 unless ``keep``."""
    zero = (summary["T"] == 0).to_numpy()
    n = int(zero.sum())
    if keep or not n:
        summary.attrs["left_out_zero_T"] = 0
        return summary
    out = summary.loc[~zero]  # a new frame already
    out.attrs["left_out_zero_T"] = n
    first = summary.index[zero][0]
    first = first.item() if isinstance(first, np.generic) else first
    warnings.warn(f"{n} customer(s) (e.g. {first!r}) made their first purchase in the last period of the window "
                  f"(T = 0): they carry no information for the BTYD models and are left out of the summary "
                  f"(their number is in .attrs['left_out_zero_T']; keep them with keep_zero_T=True)",
                  DataWarning, stacklevel=3)
    return out


def summarize(transactions: Any, *, customer_id: str, date: str, amount: str | None = None,
              period: str = "W", observation_end: Any = None, calibration_end: Any = None,
              collapse: str = "D", date_format: str | None = None, unit: str | None = None, tz: Any = None,
              keep_zero_T: bool = False, memory_limit: str | None = None, threads: int | None = None,
              temp_directory: Any = None) -> pd.DataFrame:
    """Summarise a transaction log into one row of BTYD statistics per customer.

    Parameters
    ----------
    transactions : pandas.DataFrame, duckdb.DuckDBPyRelation, str, path or list of paths
        One row per transaction. A DataFrame is summarised in memory with numpy; a DuckDB
        relation, a Parquet file, a glob such as ``"log/*.parquet"`` or a list of Parquet
        paths is summarised inside DuckDB (out of core; needs ``pip install
        'crm-notebooks[scale]'``) by the query of :mod:`crmlib.clv.rfm_sql`, with the same
        answer (``frequency``, ``recency``, ``T`` identical; ``monetary_value`` equal to
        1e-9, the order of summation aside).
    customer_id : str
        Column identifying the customer (no missing values).
    date : str
        Column with the transaction date. Read are: datetime64 columns; strings in
        ISO 8601 (``"2024-01-31"``, ``"2024-01-31 17:05:00"``), or in ``date_format``;
        ``datetime.date`` / ``datetime`` objects; numbers only with ``date_format`` or
        ``unit`` (see below). No missing values.
    amount : str, optional
        Column with the (non-negative, finite) spend of each transaction. Without it
        the ``monetary_value`` columns are omitted.
    period : {"W", "D", "h", "M", "Q", "Y"}, default "W"
        Unit in which ``recency``, ``T`` and ``duration_holdout`` are
        expressed. ``"W"`` = 7 days, ``"D"`` = 1 day, ``"h"`` = 1 hour.
        The calendar units ``"M"``, ``"Q"``, ``"Y"`` have no fixed length and
        need ``collapse == period``.
    observation_end : date
        End of the observation window (inclusive). Transactions after it are
        left out by design; it must not precede the first transaction. Read by
        the rules of the date column (a string, a Timestamp / datetime, or a number
        with ``date_format`` / ``unit``).
    calibration_end : date, optional
        End of the calibration period (inclusive). When given, ``frequency``,
        ``recency``, ``T`` and ``monetary_value`` describe the calibration
        period only, customers whose first purchase comes after it are not
        part of the cohort, and the holdout columns ``frequency_holdout``,
        ``monetary_value_holdout`` and ``duration_holdout`` describe
        ``(calibration_end, observation_end]``.
    collapse : {"D", "W", "h", "M", "Q", "Y"}, default "D"
        Transactions of a customer in the same calendar period of this kind
        merge into one purchase occasion (spend summed). ``"D"`` reproduces
        the published CDNOW summaries; ``collapse=period`` gives whole-period
        times as in ``lifetimes``.
    date_format : str, optional
        strftime pattern of string dates (e.g. ``"%d/%m/%Y"``), or of whole-number dates
        such as 20240101 (``"%Y%m%d"``). Without it strings must be ISO 8601 and numbers
        are refused (an integer such as 20240101 is never read as nanoseconds).
    unit : {"excel", "D", "s", "ms", "us", "ns"}, optional
        How numeric dates count time: ``"excel"`` = Excel serial days (days since
        1899-12-30, fractions are times of day; serials from 61 = 1900-03-01 on), the
        others time since 1970-01-01 in that unit.
    tz : str or tzinfo, optional
        Time zone in whose calendar days (hours...) the log is counted. Time-zone-aware
        dates (aware datetime64 columns, strings with a UTC offset such as
        ``"2024-01-31T23:30+02:00"``, aware datetimes) are refused without it and
        converted to ``tz``'s wall-clock time with it; mixed offsets are fine then, because
        every value is converted. Naive dates are taken as wall-clock times already and
        are not changed by ``tz``; a column mixing naive and aware values is refused.
    keep_zero_T : bool, default False
        Customers whose first purchase falls in the last period of the window (T = 0) carry
        no information for the BTYD models (their likelihood is 1 whatever the parameters).
        By default they are left out with a :class:`crmlib.warnings.DataWarning` saying how
        many; their number is in ``summary.attrs["left_out_zero_T"]`` (0 when none).
        ``True`` keeps them (T = 0 rows, which the BTYD models of :mod:`crmlib.clv.btyd` accept:
        they contribute nothing to the likelihood, so the estimates are the same).
    memory_limit : str, optional
        DuckDB path only: DuckDB's memory limit, e.g. ``"1GB"``; beyond it DuckDB spills
        to ``temp_directory``. For a relation set it on the relation's connection.
    threads : int, optional
        DuckDB path only: worker threads of the connection opened on Parquet files.
    temp_directory : str or path, optional
        DuckDB path only: where DuckDB spills.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (sorted), columns ``frequency`` (int),
        ``recency``, ``T`` (float, in ``period`` units), ``monetary_value``
        (if ``amount``), and with ``calibration_end`` also
        ``frequency_holdout`` (int), ``monetary_value_holdout`` (if
        ``amount``; mean spend per holdout occasion, 0 if none) and
        ``duration_holdout``. ``attrs["left_out_zero_T"]``: customers left out
        for T = 0.

    Raises
    ------
    ValueError
        Missing columns, missing ids or dates; negative, NaN, infinite or missing amounts;
        numeric dates without ``date_format``/``unit``; strings that are not ISO 8601 (nor
        ``date_format``); time-zone-aware dates without ``tz``, or naive and aware dates
        mixed; dates (or window ends) outside pandas' nanosecond range, 1677-09-21 to
        2262-04-11 (DuckDB path: DuckDB's range); an unknown ``period``/``collapse``/``unit``;
        ``observation_end`` before the first transaction; ``calibration_end`` outside the
        data window.
    TypeError
        ``transactions`` is not a DataFrame (or DuckDB source), the amount is not numeric,
        the date column holds booleans.

    Warns
    -----
    crmlib.warnings.DataWarning
        Customers with T = 0 were left out (see ``keep_zero_T``).
    """
    for arg, col in (("customer_id", customer_id), ("date", date), ("amount", amount)):
        if col is not None and not isinstance(col, str):
            raise TypeError(f"{arg} must be a column name (str), got {type(col).__name__}")
    if not isinstance(keep_zero_T, (bool, np.bool_)):
        raise TypeError(f"keep_zero_T must be True or False, got {keep_zero_T!r}")
    _date_options(date_format, unit, tz)
    from . import rfm_sql

    if not isinstance(transactions, pd.DataFrame) and rfm_sql.is_sql_source(transactions):
        obs_end, cal_end, period, collapse = _window_args(observation_end, calibration_end, period, collapse,
                                                          date_format, unit, tz)
        out = rfm_sql.summarize_duckdb(transactions, customer_id=customer_id, date=date, amount=amount,
                                       period=period, collapse=collapse, observation_end=obs_end,
                                       calibration_end=cal_end, date_format=date_format, unit=unit, tz=tz,
                                       memory_limit=memory_limit, threads=threads, temp_directory=temp_directory)
        return _zero_T(out, bool(keep_zero_T))
    if memory_limit is not None or threads is not None or temp_directory is not None:
        raise ValueError("memory_limit, threads and temp_directory apply to DuckDB sources (a relation or Parquet "
                         "files), not to a DataFrame")
    check_not_empty(transactions, "transactions")
    cols = [customer_id, date] + ([amount] if amount is not None else [])
    if amount is not None:
        check_columns(transactions, cols, "transactions", numeric=[amount], nonnegative=[amount])
        inf = np.isinf(transactions[amount].to_numpy(dtype=float))
        if inf.any():
            raise ValueError(f"transactions column {amount!r} is infinite at row "
                             f"{transactions.index[int(np.flatnonzero(inf)[0])]!r}")
    else:
        check_columns(transactions, cols, "transactions")
    obs_end, cal_end, period, collapse = _window_args(observation_end, calibration_end, period, collapse,
                                                      date_format, unit, tz)

    ids = transactions[customer_id]
    na = ids.isna().to_numpy()
    if na.any():
        raise ValueError(f"transactions column {customer_id!r} has a missing id at row "
                         f"{transactions.index[int(np.flatnonzero(na)[0])]!r}")
    dates = _read_dates(transactions[date], date, date_format=date_format, unit=unit, tz=tz)
    na = np.isnat(dates)
    if na.any():
        raise ValueError(f"transactions column {date!r} has a missing date (NaT) at row "
                         f"{transactions.index[int(np.flatnonzero(na)[0])]!r}")

    first_date = pd.Timestamp(dates.min())
    _check_window(first_date, obs_end, cal_end, collapse)
    obs_ord = _ordinal(obs_end, collapse)
    cal_ord = None if cal_end is None else _ordinal(cal_end, collapse)

    # --- customers and purchase occasions in a few O(n) passes (no sort of the rows) -----------------
    ords = _ordinals(dates, collapse)
    keep = ords <= obs_ord
    keep_all = bool(keep.all())  # usual case: nothing after observation_end, no copies needed
    raw_ids = ids.to_numpy() if keep_all else ids.to_numpy()[keep]
    ords = ords if keep_all else ords[keep]
    codes, uniques = _customer_codes(raw_ids, customer_id)
    n_cust = uniques.size
    cut = obs_ord if cal_ord is None else cal_ord
    first_ord = np.full(n_cust, np.iinfo(np.int64).max, dtype=np.int64)  # every customer has a row
    np.minimum.at(first_ord, codes, ords)
    cohort = first_ord <= cut
    last_ord = first_ord.copy()
    if cal_ord is None:
        np.maximum.at(last_ord, codes, ords)
    else:
        row_cal = ords <= cut
        np.maximum.at(last_ord, codes[row_cal], ords[row_cal])

    # distinct (customer, period) pairs = purchase occasions, counted per customer in and after calibration
    n_cal_occ, n_hold_occ = _count_occasions(codes, ords, cut, n_cust)
    frequency = n_cal_occ - cohort

    if period == collapse and period not in FIXED_UNITS:
        # variable-length calendar units: whole periods between period ordinals
        scale = 1.0

        def at(o: np.ndarray | int) -> np.ndarray:
            return np.asarray(o, dtype=np.int64)
    else:
        # fixed-length units: exact integer nanoseconds of the period starts, divided once at the end
        scale = FIXED_UNITS[period] * 86400e9

        def at(o: np.ndarray | int) -> np.ndarray:
            return _start_ns(np.atleast_1d(np.asarray(o, dtype=np.int64)), collapse)

    first_t = at(first_ord)
    out: dict[str, np.ndarray] = {
        "frequency": frequency,
        "recency": (at(last_ord) - first_t) / scale,
        "T": (at(cut) - first_t) / scale,
    }
    if amount is not None:
        spend = transactions[amount].to_numpy(dtype=float)
        spend = spend if keep_all else spend[keep]
        repeat = ords != first_ord[codes]
        if cal_ord is not None:
            repeat &= row_cal
        tot = np.bincount(codes, weights=np.where(repeat, spend, 0.0), minlength=n_cust)
        out["monetary_value"] = np.divide(tot, frequency, out=np.zeros(n_cust), where=frequency > 0)
    if cal_ord is not None:
        fh = n_hold_occ
        out["frequency_holdout"] = fh
        if amount is not None:
            hold = ~row_cal
            th = np.bincount(codes[hold], weights=spend[hold], minlength=n_cust)
            out["monetary_value_holdout"] = np.divide(th, fh, out=np.zeros(n_cust), where=fh > 0)
        out["duration_holdout"] = np.full(n_cust, float(np.atleast_1d(at(obs_ord) - at(cal_ord))[0]) / scale)
    index = pd.Index(uniques, name=customer_id)
    summary = pd.DataFrame(out, index=index).loc[cohort]
    return _zero_T(summary, bool(keep_zero_T))



def _count_occasions(codes: np.ndarray, ords: np.ndarray, cut: int, n_cust: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct periods per customer up to ``cut`` (inclusive) and after it.

    When the customer × period grid is small enough (at most ``_GRID_CELLS`` cells) the occupied
    cells are marked in a boolean grid and counted row by row; otherwise the distinct
    (customer, period) keys are found with ``pandas.unique``.
    """
    omin = int(ords.min())
    width = int(ords.max()) - omin + 1
    key = codes * np.int64(width) + (ords - omin)
    split = min(max(cut - omin + 1, 0), width)
    if n_cust * width <= _GRID_CELLS:
        grid = np.zeros(n_cust * width, dtype=bool)
        grid[key] = True
        grid = grid.reshape(n_cust, width).view(np.uint8)
        acc = np.uint16 if width < 2**16 else np.int64  # a row holds at most `width` marks
        return (grid[:, :split].sum(axis=1, dtype=acc).astype(np.int64),
                grid[:, split:].sum(axis=1, dtype=acc).astype(np.int64))
    uniq = pd.unique(key)
    u_c, u_cal = uniq // width, uniq % width < split
    return (np.bincount(u_c[u_cal], minlength=n_cust).astype(np.int64),
            np.bincount(u_c[~u_cal], minlength=n_cust).astype(np.int64))


def _customer_codes(raw_ids: np.ndarray, customer_id: str) -> tuple[np.ndarray, np.ndarray]:
    """Dense customer numbers in sorted-id order, and the ids (integer ids: offsets, no hashing)."""
    if raw_ids.dtype.kind in "iu" and raw_ids.size:
        lo, hi = int(raw_ids.min()), int(raw_ids.max())
        if hi - lo < 4 * raw_ids.size + 1024:  # dense enough: the id minus the smallest is the number
            offs = raw_ids.astype(np.int64) - lo
            seen = np.bincount(offs, minlength=hi - lo + 1) > 0
            ids_sorted = np.flatnonzero(seen)
            if ids_sorted.size == seen.size:  # every id in lo..hi occurs: the offset is the number
                return offs, (ids_sorted + lo).astype(raw_ids.dtype)
            rank = np.cumsum(seen) - 1
            return rank[offs], (ids_sorted + lo).astype(raw_ids.dtype)
    codes, uniq = pd.factorize(raw_ids)
    uniq = np.asarray(uniq)
    try:
        order = np.argsort(uniq, kind="stable")
    except TypeError as exc:
        raise TypeError(f"transactions column {customer_id!r} mixes ids that cannot be ordered: {exc}") from exc
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank[codes], uniq[order]
