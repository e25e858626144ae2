"""Reading dates by one set of rules, for every part of :mod:`crmlib.clv` that takes dates.

A date column (:func:`read_dates`) and a single date such as a window end (:func:`read_timestamp`)
are read only when they can be read one way: numbers need ``date_format`` or ``unit``; strings
are ISO 8601 unless ``date_format`` says otherwise; time-zone-aware dates need ``tz`` (and are
converted to that zone's wall-clock time); dates outside pandas' nanosecond range are refused
with their row. :data:`OFFSET_PATTERN` (a UTC offset at the end of a date string) is written so
that Python's ``re`` and DuckDB's RE2 read it alike, for the pandas and the SQL paths.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate import plain

__all__ = ["DATE_UNITS", "OFFSET_PATTERN", "NUMBER_HINT", "check_date_options", "read_dates", "read_timestamp"]

#: How numeric dates may count time (``excel``: serial days since 1899-12-30).
DATE_UNITS = ("D", "s", "ms", "us", "ns", "excel")
#: Nanoseconds per ``unit`` of a numeric date.
_UNIT_NS = {"D": 86_400e9, "s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1.0, "excel": 86_400e9}
_EXCEL_EPOCH_DAYS = 25_569  # 1970-01-01 is Excel serial 25569 (days since 1899-12-30)
_RANGE = f"{pd.Timestamp.min.date()} to {pd.Timestamp.max.date()}"
NUMBER_HINT = ("numbers are not read as dates unless you say how: date_format='%Y%m%d' for digits such as "
               "20240101, unit='excel' for Excel serial days, unit='s'/'ms'/'us'/'ns'/'D' for time since "
               "1970-01-01")
#: A time of day followed by a UTC offset at the end of a date string (the same text for re and RE2).
OFFSET_PATTERN = r"(?i)[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
_OFFSET = re.compile(OFFSET_PATTERN)


def check_date_options(date_format: Any, unit: Any, tz: Any) -> None:
    """Refuse a ``date_format`` that is not a string, an unknown ``unit``, both together, or a bad ``tz``.

    Parameters
    ----------
    date_format : str or None
        strftime pattern of string (or whole-number) dates.
    unit : str or None
        One of :data:`DATE_UNITS`, for numeric dates.
    tz : str, tzinfo or None
        Time zone whose calendar counts.

    Raises
    ------
    TypeError, ValueError
        Naming the argument.
    """
    if date_format is not None and not isinstance(date_format, str):
        raise TypeError(f"date_format must be a strftime pattern (str) such as '%Y%m%d', got {date_format!r}")
    if unit is not None and (not isinstance(unit, str) or unit not in DATE_UNITS):
        raise ValueError(f"unit must be one of {list(DATE_UNITS)}, got {unit!r}")
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


def _parse_string(value: str, name: str, date_format: str | None) -> pd.Timestamp:
    """One date string: ISO 8601 first (unambiguous), then the explicit ``date_format``."""
    try:
        return pd.to_datetime(value, format="ISO8601")
    except (ValueError, TypeError) as exc:
        if date_format is None:
            raise ValueError(f"{name} is not a date: {value!r} (write it as ISO 8601, e.g. '1997-09-30', "
                             f"or pass date_format=)") from exc
        try:
            return pd.to_datetime(value, format=date_format)
        except (ValueError, TypeError) as exc2:
            raise ValueError(f"{name} is not a date: {value!r} (neither ISO 8601 nor date_format "
                             f"{date_format!r})") from exc2


def read_timestamp(value: Any, name: str, date_format: str | None = None, unit: str | None = None,
                   tz: Any = None) -> pd.Timestamp:
    """A single date (a window end, a start) as a naive nanosecond Timestamp, by the rules of a date column.

    Parameters
    ----------
    value : str, datetime, Timestamp or number
        The date; a number only with ``date_format`` or ``unit``.
    name : str
        Argument name, used in messages.
    date_format, unit, tz
        As in :func:`read_dates`.

    Returns
    -------
    pandas.Timestamp
        Time-zone naive, nanosecond resolution.

    Raises
    ------
    TypeError, ValueError
        ``value`` missing, a boolean, a number without ``date_format``/``unit``, not a date,
        NaT, aware without ``tz``, or out of pandas' range.
    """
    if value is None:
        raise ValueError(f"{name} is required (a date such as '1997-09-30')")
    shown = plain(value)
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a date, got {shown!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        if date_format is None and unit is None:
            raise ValueError(f"{name} is a number ({shown!r}); give a date such as '1997-09-30' ({NUMBER_HINT})")
        return pd.Timestamp(read_dates(pd.Series([value]), name, date_format=date_format, unit=unit, tz=tz,
                                       what=name)[0])
    if isinstance(value, str):
        ts = _parse_string(value, name, date_format)
    else:
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ValueError(f"{name} is not a date: {shown!r}") from exc
    if ts is pd.NaT or pd.isna(ts):
        raise ValueError(f"{name} is NaT")
    return _naive(ts, name, tz, value)


@dataclass(frozen=True)
class _Column:
    """A date column being read, with what its messages need."""

    values: pd.Series
    col: str
    what: str
    date_format: str | None
    unit: str | None
    tz: Any

    @property
    def label(self) -> str:
        return f"{self.what} {self.col!r}" if self.what == "transactions column" else self.what

    def row(self, i: int) -> Any:
        """The index label of position ``i``, as a plain value."""
        return plain(self.values.index[i])

    def again(self, values: pd.Series, **options: Any) -> np.ndarray:
        """Read ``values`` (a conversion of this column) by the same rules, with ``options`` changed."""
        kw = {"date_format": self.date_format, "unit": self.unit, "tz": self.tz} | options
        return read_dates(values, self.col, what=self.what, **kw)


def read_dates(raw: pd.Series, col: str, *, date_format: str | None, unit: str | None, tz: Any,
               what: str = "transactions column") -> np.ndarray:
    """Column ``raw`` as naive datetime64[ns] values, or a clear error naming the row.

    Read are: datetime64 columns (time-zone aware ones only with ``tz``, converted to that zone's
    wall-clock time); strings in ISO 8601, or in ``date_format``; numbers only with ``date_format``
    (whole numbers such as 20240101) or ``unit``; ``datetime.date`` / ``datetime`` objects.
    Missing values are left as NaT (the caller refuses them with their row).

    Parameters
    ----------
    raw : pandas.Series
        The column (its index labels name the rows in messages).
    col : str
        Column name, for messages.
    date_format : str or None
        strftime pattern of string dates or of whole-number dates.
    unit : str or None
        Unit of numeric dates (:data:`DATE_UNITS`).
    tz : str, tzinfo or None
        Zone whose wall-clock time aware dates are converted to.
    what : str
        How messages name the column (``"transactions column"`` or an argument name).

    Returns
    -------
    numpy.ndarray
        ``datetime64[ns]`` values, NaT where ``raw`` is missing.
    """
    c = _Column(raw, col, what, date_format, unit, tz)
    if pd.api.types.is_bool_dtype(raw):
        raise TypeError(f"{c.label} holds booleans, not dates")
    if pd.api.types.is_numeric_dtype(raw):
        return _numeric_dates(c)
    if pd.api.types.is_datetime64_any_dtype(raw):
        return _datetime_dates(c)
    obj = raw.to_numpy(dtype=object)
    present = ~pd.isna(raw).to_numpy()
    is_str = np.fromiter((isinstance(v, str) for v in obj), bool, len(obj))
    if (present & ~is_str).any():
        return _object_dates(c, obj, present, int(np.flatnonzero(present & ~is_str)[0]))
    return _string_dates(c, obj, present)


def _numeric_dates(c: _Column) -> np.ndarray:
    """Numbers: whole numbers read with ``date_format``, or time since an epoch in ``unit``."""
    values, label = c.values, c.label
    num = values.to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(num)
    if c.date_format is None and c.unit is None:
        i = int(np.flatnonzero(ok)[0]) if ok.any() else 0
        raise ValueError(f"{label} holds numbers (e.g. {plain(values.iloc[i])!r} at row {c.row(i)!r}); "
                         f"{NUMBER_HINT}")
    if c.date_format is not None:
        frac = ok & ((num != np.floor(num)) | ~np.isfinite(num))
        if frac.any():
            i = int(np.flatnonzero(frac)[0])
            raise ValueError(f"{label} has {plain(values.iloc[i])!r} at row {c.row(i)!r}, not a whole number "
                             f"to read with date_format {c.date_format!r}")
        text = pd.Series(np.where(ok, np.nan_to_num(num).astype(np.int64).astype(str), None), index=values.index,
                         dtype=object)
        return c.again(text, unit=None)
    return _epoch_dates(c, num, ok)


def _epoch_dates(c: _Column, num: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Numbers counting ``c.unit`` since 1970-01-01 (Excel: days since 1899-12-30)."""
    values, label, unit = c.values, c.label, c.unit
    days = num - _EXCEL_EPOCH_DAYS if unit == "excel" else num
    with np.errstate(invalid="ignore", over="ignore"):
        ns = days * _UNIT_NS[unit]
    out_of_range = ok & ~((ns >= pd.Timestamp.min.value) & (ns <= pd.Timestamp.max.value))
    if out_of_range.any():
        i = int(np.flatnonzero(out_of_range)[0])
        raise ValueError(f"{label} has a date out of range at row {c.row(i)!r}: {plain(values.iloc[i])!r} "
                         f"with unit={unit!r} falls outside {_RANGE} (pandas' nanosecond range)")
    if unit == "excel":
        early = ok & (num < 61)
        if early.any():
            i = int(np.flatnonzero(early)[0])
            raise ValueError(f"{label} has Excel serial {plain(values.iloc[i])!r} at row {c.row(i)!r}: "
                             f"serials below 61 (before 1900-03-01) are ambiguous (Excel's 1900 leap-year bug)")
    if unit != "excel" and pd.api.types.is_integer_dtype(values) and ok.all():
        # whole numbers in a fixed unit: exact integer arithmetic (a float would lose nanoseconds)
        per = np.int64(_UNIT_NS[unit])
        return (values.to_numpy(dtype=np.int64) * per).view("datetime64[ns]")
    ns_int = np.where(ok, np.round(np.nan_to_num(ns)), 0).astype(np.int64)
    out = ns_int.view("datetime64[ns]").copy()
    out[~ok] = np.datetime64("NaT")
    return out


def _datetime_dates(c: _Column) -> np.ndarray:
    """datetime64 columns; aware ones converted to ``tz``'s wall-clock time."""
    values = c.values
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        if c.tz is None:
            raise ValueError(f"{c.label} is time-zone aware ({values.dtype.tz}); pass tz='...' to say in which "
                             f"zone's calendar days are counted (values are converted to it), or give naive dates")
        values = values.dt.tz_convert(c.tz).dt.tz_localize(None)
    return _as_ns(values, c)


def _object_dates(c: _Column, obj: np.ndarray, present: np.ndarray, i: int) -> np.ndarray:
    """A column with values that are not strings: ``datetime.date`` / ``datetime`` objects, or refused."""
    label, v = c.label, obj[i]
    if all(isinstance(x, (_dt.date, np.datetime64)) for x in obj[present]):
        aware = np.fromiter((getattr(x, "tzinfo", None) is not None for x in obj), bool, len(obj))
        if aware.any() and not aware[present].all():
            i, j = int(np.flatnonzero(aware)[0]), int(np.flatnonzero(present & ~aware)[0])
            raise ValueError(f"{label} mixes time-zone aware (row {c.row(i)!r}) and naive (row {c.row(j)!r}) "
                             f"datetimes; their days cannot be compared")
        if aware.any() and c.tz is None:
            raise ValueError(f"{label} holds time-zone aware datetimes; pass tz='...' to say in which zone's "
                             f"calendar days are counted (values are converted to it)")
        try:
            parsed = pd.to_datetime(c.values, utc=bool(aware.any()))
        except (ValueError, TypeError, OverflowError) as exc:
            raise ValueError(f"{label} cannot be read as dates: {exc}") from exc
        return c.again(parsed, date_format=None, unit=None)
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        raise ValueError(f"{label} has a number at row {c.row(i)!r} ({plain(v)!r}); {NUMBER_HINT}")
    raise ValueError(f"{label} has a value that is not a date at row {c.row(i)!r}: {plain(v)!r}")


def _string_dates(c: _Column, obj: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Strings in ISO 8601 or ``date_format``; those with a UTC offset only with ``tz``, all or none."""
    label = c.label
    if c.unit is not None:
        raise ValueError(f"unit={c.unit!r} applies to numeric dates; {label} holds strings (use date_format=)")
    offset = np.fromiter((bool(_OFFSET.search(v.strip())) if isinstance(v, str) else False for v in obj), bool,
                         len(obj))
    if offset.any():
        if not offset[present].all():
            i, j = int(np.flatnonzero(offset)[0]), int(np.flatnonzero(present & ~offset)[0])
            raise ValueError(f"{label} mixes dates with a UTC offset (row {c.row(i)!r}: {obj[i]!r}) and without "
                             f"(row {c.row(j)!r}: {obj[j]!r}); their days cannot be compared")
        if c.tz is None:
            i = int(np.flatnonzero(offset)[0])
            raise ValueError(f"{label} has dates with a UTC offset (row {c.row(i)!r}: {obj[i]!r}); pass tz='...' "
                             f"to say in which zone's calendar days are counted (values are converted to it)")
    fmt = c.date_format if c.date_format is not None else "ISO8601"
    try:
        parsed = pd.to_datetime(c.values.astype(object), format=fmt, errors="coerce", utc=bool(offset.any()))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{label} cannot be read as dates with format {fmt!r}: {exc}") from exc
    bad = parsed.isna().to_numpy() & present
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        how = (f"date_format {c.date_format!r}" if c.date_format
               else "ISO 8601 (e.g. '2024-01-31'; or pass date_format=)")
        raise ValueError(f"{label} has a value that is not a date at row {c.row(i)!r}: {obj[i]!r} (read as {how})")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert(c.tz).dt.tz_localize(None)
    return _as_ns(parsed, c)


def _as_ns(values: pd.Series, c: _Column) -> np.ndarray:
    """Naive datetime64 values of any resolution as datetime64[ns], refusing any outside its range."""
    arr = values.to_numpy()
    if np.datetime_data(arr.dtype)[0] != "ns":
        ok = ~np.isnat(arr)
        lo, hi = np.datetime64(pd.Timestamp.min), np.datetime64(pd.Timestamp.max)
        out = ok & ((arr < lo) | (arr > hi))
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise ValueError(f"{c.label} has a date out of range at row {c.row(i)!r}: {arr[i]} lies outside "
                             f"{_RANGE} (pandas' nanosecond range)")
        arr = arr.astype("datetime64[ns]")
    return arr
