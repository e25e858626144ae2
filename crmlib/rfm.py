"""Recency–frequency–monetary summaries of a transaction log.

:func:`summarize` turns one row per transaction into one row per customer
holding the sufficient statistics of the buy-till-you-die models
(:mod:`crmlib.btyd`): repeat ``frequency`` *x*, ``recency`` *t_x*, age ``T``
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

from typing import Any

import numpy as np
import pandas as pd

from ._validate import check_columns, check_not_empty

__all__ = ["summarize", "FIXED_UNITS"]

#: Length in days of the fixed-length time units ``period`` may take when it
#: differs from ``collapse``.
FIXED_UNITS: dict[str, float] = {"D": 1.0, "W": 7.0, "h": 1.0 / 24.0}
_CALENDAR = ("D", "W", "M", "Q", "Y", "h")
#: Largest customer × period grid (cells = bytes) used to find distinct purchase occasions; beyond
#: it a hash of the (customer, period) keys is used instead.
_GRID_CELLS = 128_000_000


def _timestamp(value: Any, name: str) -> pd.Timestamp:
    if value is None:
        raise ValueError(f"{name} is required (a date such as '1997-09-30')")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} is not a date: {value!r}") from exc
    if ts is pd.NaT or pd.isna(ts):
        raise ValueError(f"{name} is NaT")
    if ts.tzinfo is not None:
        raise ValueError(f"{name} must be time-zone naive, got {value!r}")
    return ts


def _alias(value: Any, name: str) -> str:
    if not isinstance(value, str) or value not in _CALENDAR:
        raise ValueError(f"{name} must be one of {list(_CALENDAR)}, got {value!r}")
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


def summarize(transactions: pd.DataFrame, *, customer_id: str, date: str, amount: str | None = None,
              period: str = "W", observation_end: Any = None, calibration_end: Any = None,
              collapse: str = "D") -> pd.DataFrame:
    """Summarise a transaction log into one row of BTYD statistics per customer.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction.
    customer_id : str
        Column identifying the customer (no missing values).
    date : str
        Column with the transaction date (datetime64, or strings pandas can
        parse; no missing values, no time zone).
    amount : str, optional
        Column with the (non-negative) spend of each transaction. Without it
        the ``monetary_value`` columns are omitted.
    period : {"W", "D", "h", "M", "Q", "Y"}, default "W"
        Unit in which ``recency``, ``T`` and ``duration_holdout`` are
        expressed. ``"W"`` = 7 days, ``"D"`` = 1 day, ``"h"`` = 1 hour.
        The calendar units ``"M"``, ``"Q"``, ``"Y"`` have no fixed length and
        need ``collapse == period``.
    observation_end : date
        End of the observation window (inclusive). Transactions after it are
        left out by design; it must not precede the first transaction.
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

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (sorted), columns ``frequency`` (int),
        ``recency``, ``T`` (float, in ``period`` units), ``monetary_value``
        (if ``amount``), and with ``calibration_end`` also
        ``frequency_holdout`` (int), ``monetary_value_holdout`` (if
        ``amount``; mean spend per holdout occasion, 0 if none) and
        ``duration_holdout``.

    Raises
    ------
    ValueError
        Missing columns, missing ids or dates, negative or missing amounts,
        an unknown ``period``/``collapse``, ``observation_end`` before the
        first transaction, ``calibration_end`` outside the data window.
    TypeError
        ``transactions`` is not a DataFrame, or the amount is not numeric.
    """
    check_not_empty(transactions, "transactions")
    for arg, col in (("customer_id", customer_id), ("date", date), ("amount", amount)):
        if col is not None and not isinstance(col, str):
            raise TypeError(f"{arg} must be a column name (str), got {type(col).__name__}")
    cols = [customer_id, date] + ([amount] if amount is not None else [])
    if amount is not None:
        check_columns(transactions, cols, "transactions", numeric=[amount], nonnegative=[amount])
    else:
        check_columns(transactions, cols, "transactions")
    period = _alias(period, "period")
    collapse = _alias(collapse, "collapse")
    if period != collapse and period not in FIXED_UNITS:
        raise ValueError(f"period {period!r} has no fixed length; use collapse={period!r} with it")

    ids = transactions[customer_id]
    na = ids.isna().to_numpy()
    if na.any():
        raise ValueError(f"transactions column {customer_id!r} has a missing id at row "
                         f"{transactions.index[int(np.flatnonzero(na)[0])]!r}")
    raw_dates = transactions[date]
    if pd.api.types.is_datetime64_any_dtype(raw_dates):
        if getattr(raw_dates.dt, "tz", None) is not None:
            raise ValueError(f"transactions column {date!r} must be time-zone naive")
        dates = raw_dates
    else:
        try:
            dates = pd.to_datetime(raw_dates, errors="coerce")
        except (TypeError, ValueError) as exc:
            raise ValueError(f"transactions column {date!r} cannot be read as dates: {exc}") from exc
        bad = dates.isna() & raw_dates.notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"transactions column {date!r} has a value that is not a date at row "
                             f"{transactions.index[i]!r}: {raw_dates.iloc[i]!r}")
    na = dates.isna().to_numpy()
    if na.any():
        raise ValueError(f"transactions column {date!r} has a missing date (NaT) at row "
                         f"{transactions.index[int(np.flatnonzero(na)[0])]!r}")

    obs_end = _timestamp(observation_end, "observation_end")
    first_date = dates.min()
    # compare at the resolution of `collapse`: observation_end 1997-01-01 covers all of that day
    first_ord = _ordinal(first_date, collapse)
    obs_ord = _ordinal(obs_end, collapse)
    if obs_ord < first_ord:
        raise ValueError(f"observation_end {obs_end.date()} is before the first transaction ({first_date.date()})")
    cal_end = cal_ord = None
    if calibration_end is not None:
        cal_end = _timestamp(calibration_end, "calibration_end")
        cal_ord = _ordinal(cal_end, collapse)
        if cal_ord < first_ord:
            raise ValueError(f"calibration_end {cal_end.date()} is before the first transaction "
                             f"({first_date.date()})")
        if cal_ord >= obs_ord:
            raise ValueError(f"calibration_end {cal_end.date()} must be before observation_end {obs_end.date()}")

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
        out["duration_holdout"] = np.full(n_cust, float((at(obs_ord) - at(cal_ord))[0]) / scale)
    index = pd.Index(uniques, name=customer_id)
    return pd.DataFrame(out, index=index).loc[cohort]


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
