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

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate import check_columns, check_not_empty, check_present, plain
from . import rfm_sql
from ._dates import check_date_options, read_dates
from ._window import (FIXED_UNITS, PERIODS, PERIODS_PER_YEAR, check_window, describe_summary, leave_out_zero_T,
                      ordinal, ordinals, period_ns, start_ns, whole_periods, window_args)

__all__ = ["summarize", "FIXED_UNITS", "PERIODS", "PERIODS_PER_YEAR"]

#: Largest customer × period grid (cells = bytes) used to find distinct purchase occasions; beyond
#: it a hash of the (customer, period) keys is used instead.
_GRID_CELLS = 128_000_000


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
        The calendar units ``"M"``, ``"Q"``, ``"Y"`` vary in length: with
        ``collapse == period`` the times are whole calendar periods (as in
        ``lifetimes``; T then runs from the start of the first purchase's period to
        the start of the last period); with a finer ``collapse`` (e.g. ``"D"``) they
        are measured in periods of the mean length, 365.2425 / 12 = 30.436875 days
        for a month, 91.310625 for a quarter, 365.2425 for a year. The unit is
        written into ``attrs`` (below): the models and the CLV functions read it.
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
        ``duration_holdout``. ``attrs`` say what the times mean (the models,
        the CLV functions and the figures read them): ``"period"`` (the unit),
        ``"period_days"`` (its length in days; for ``"M"``, ``"Q"``, ``"Y"``, whose
        length varies, the mean length 365.2425 / 12, / 4, / 1 days),
        ``"calendar_period"`` (True for those), ``"collapse"``, ``"start"`` (first
        transaction), ``"calibration_end"``, ``"observation_end"`` (ISO dates),
        ``"calibration_periods"`` = (1, n) and with a holdout ``"holdout_periods"``
        = (first, last): the windows as period numbers counted from the period of
        the first transaction (CDNOW: weeks 1–39 and 40–78), and
        ``"left_out_zero_T"``: customers left out for T = 0.

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
    _check_arguments(customer_id, date, amount, keep_zero_T, date_format, unit, tz)
    if not isinstance(transactions, pd.DataFrame) and rfm_sql.is_sql_source(transactions):
        obs_end, cal_end, period, collapse = window_args(observation_end, calibration_end, period, collapse,
                                                         date_format, unit, tz)
        out = rfm_sql.summarize_duckdb(transactions, customer_id=customer_id, date=date, amount=amount,
                                       period=period, collapse=collapse, observation_end=obs_end,
                                       calibration_end=cal_end, date_format=date_format, unit=unit, tz=tz,
                                       memory_limit=memory_limit, threads=threads, temp_directory=temp_directory)
    else:
        if memory_limit is not None or threads is not None or temp_directory is not None:
            raise ValueError("memory_limit, threads and temp_directory apply to DuckDB sources (a relation or "
                             "Parquet files), not to a DataFrame")
        out = _summarize_frame(transactions, customer_id=customer_id, date=date, amount=amount, period=period,
                               observation_end=observation_end, calibration_end=calibration_end, collapse=collapse,
                               date_format=date_format, unit=unit, tz=tz)
    return leave_out_zero_T(out, bool(keep_zero_T), stacklevel=3)


def _check_arguments(customer_id: Any, date: Any, amount: Any, keep_zero_T: Any, date_format: Any, unit: Any,
                     tz: Any) -> None:
    """The checks every engine shares: column names are strings, keep_zero_T a bool, the date options."""
    for arg, col in (("customer_id", customer_id), ("date", date), ("amount", amount)):
        if col is not None and not isinstance(col, str):
            raise TypeError(f"{arg} must be a column name (str), got {type(col).__name__}")
    if not isinstance(keep_zero_T, (bool, np.bool_)):
        raise TypeError(f"keep_zero_T must be True or False, got {keep_zero_T!r}")
    check_date_options(date_format, unit, tz)


def _summarize_frame(transactions: pd.DataFrame, *, customer_id: str, date: str, amount: str | None, period: Any,
                     observation_end: Any, calibration_end: Any, collapse: Any, date_format: str | None,
                     unit: str | None, tz: Any) -> pd.DataFrame:
    """The pandas path of :func:`summarize`: a few O(n) passes over the rows, no sort."""
    _check_log(transactions, customer_id, date, amount)
    obs_end, cal_end, period, collapse = window_args(observation_end, calibration_end, period, collapse,
                                                     date_format, unit, tz)
    check_present(transactions, customer_id, "transactions", what="id")
    dates = read_dates(transactions[date], date, date_format=date_format, unit=unit, tz=tz)
    na = np.isnat(dates)
    if na.any():
        raise ValueError(f"transactions column {date!r} has a missing date (NaT) at row "
                         f"{plain(transactions.index[int(np.flatnonzero(na)[0])])!r}")
    first_date = pd.Timestamp(dates.min())
    check_window(first_date, obs_end, cal_end, collapse)
    obs_ord = ordinal(obs_end, collapse)
    cal_ord = None if cal_end is None else ordinal(cal_end, collapse)
    log = _log_rows(transactions, customer_id, amount, ordinals(dates, collapse), obs_ord)
    cust = _customers(log, obs_ord, cal_ord)
    clock = _Clock(period, collapse)
    out = _time_columns(cust, clock)
    if log.spend is not None:
        out |= _money_columns(log, cust, out["frequency"])
    if cal_ord is not None:
        out["frequency_holdout"] = cust.n_hold
        if log.spend is not None:
            out |= _holdout_money(log, cust)
        out["duration_holdout"] = np.full(cust.first.size, clock.between(cal_ord, obs_ord))
    out = _order_columns(out)
    summary = pd.DataFrame(out, index=pd.Index(log.uniques, name=customer_id)).loc[cust.cohort]
    return describe_summary(summary, period=period, collapse=collapse, first=first_date, observation_end=obs_end,
                            calibration_end=cal_end)


def _check_log(transactions: Any, customer_id: str, date: str, amount: str | None) -> None:
    """A non-empty DataFrame with the columns; the amount numeric, finite and non-negative."""
    check_not_empty(transactions, "transactions")
    cols = [customer_id, date] + ([amount] if amount is not None else [])
    if amount is None:
        check_columns(transactions, cols, "transactions")
        return
    check_columns(transactions, cols, "transactions", numeric=[amount], nonnegative=[amount])
    inf = np.isinf(transactions[amount].to_numpy(dtype=float))
    if inf.any():
        raise ValueError(f"transactions column {amount!r} is infinite at row "
                         f"{plain(transactions.index[int(np.flatnonzero(inf)[0])])!r}")


@dataclass(frozen=True)
class _Log:
    """The log's rows up to observation_end: customer numbers (in sorted-id order), period ordinals, spend."""

    codes: np.ndarray
    ords: np.ndarray
    uniques: np.ndarray
    spend: np.ndarray | None


def _log_rows(transactions: pd.DataFrame, customer_id: str, amount: str | None, ords: np.ndarray,
              obs_ord: int) -> _Log:
    keep = ords <= obs_ord
    raw_ids = transactions[customer_id].to_numpy()
    spend = None if amount is None else transactions[amount].to_numpy(dtype=float)
    if not keep.all():  # usual case: nothing after observation_end, no copies needed
        raw_ids, ords = raw_ids[keep], ords[keep]
        spend = None if spend is None else spend[keep]
    codes, uniques = _customer_codes(raw_ids, customer_id)
    return _Log(codes, ords, uniques, spend)


@dataclass(frozen=True)
class _Customers:
    """Per customer: first and last occasion (last within calibration), cohort membership, occasion counts."""

    first: np.ndarray
    last: np.ndarray
    cohort: np.ndarray
    cut: int
    n_cal: np.ndarray
    n_hold: np.ndarray
    in_cal: np.ndarray | None  # per row: within calibration (None without a holdout)


def _customers(log: _Log, obs_ord: int, cal_ord: int | None) -> _Customers:
    n_cust = log.uniques.size
    cut = obs_ord if cal_ord is None else cal_ord
    first = np.full(n_cust, np.iinfo(np.int64).max, dtype=np.int64)  # every customer has a row
    np.minimum.at(first, log.codes, log.ords)
    last = first.copy()
    in_cal = None
    if cal_ord is None:
        np.maximum.at(last, log.codes, log.ords)
    else:
        in_cal = log.ords <= cut
        np.maximum.at(last, log.codes[in_cal], log.ords[in_cal])
    # distinct (customer, period) pairs = purchase occasions, counted per customer in and after calibration
    n_cal, n_hold = _count_occasions(log.codes, log.ords, cut, n_cust)
    return _Customers(first, last, first <= cut, cut, n_cal, n_hold, in_cal)


class _Clock:
    """Period ordinals as times in ``period`` units.

    Calendar units measured in themselves count whole periods between ordinals; other units (fixed,
    or calendar units of mean length) take exact integer nanoseconds of the period starts and divide
    once at the end.
    """

    def __init__(self, period: str, collapse: str) -> None:
        self.whole = whole_periods(period, collapse)
        self.collapse = collapse
        self.scale = 1.0 if self.whole else period_ns(period)

    def at(self, o: np.ndarray | int) -> np.ndarray:
        if self.whole:
            return np.asarray(o, dtype=np.int64)
        return start_ns(np.atleast_1d(np.asarray(o, dtype=np.int64)), self.collapse)

    def between(self, a: int, b: int) -> float:
        """Time from ordinal ``a`` to ordinal ``b``."""
        return float(np.atleast_1d(self.at(b) - self.at(a))[0]) / self.scale


def _time_columns(cust: _Customers, clock: _Clock) -> dict[str, np.ndarray]:
    first_t = clock.at(cust.first)
    return {"frequency": cust.n_cal - cust.cohort,
            "recency": (clock.at(cust.last) - first_t) / clock.scale,
            "T": (clock.at(cust.cut) - first_t) / clock.scale}


def _money_columns(log: _Log, cust: _Customers, frequency: np.ndarray) -> dict[str, np.ndarray]:
    """Mean spend of the repeat occasions in calibration (0 without any)."""
    n_cust = cust.first.size
    repeat = log.ords != cust.first[log.codes]
    if cust.in_cal is not None:
        repeat &= cust.in_cal
    tot = np.bincount(log.codes, weights=np.where(repeat, log.spend, 0.0), minlength=n_cust)
    return {"monetary_value": np.divide(tot, frequency, out=np.zeros(n_cust), where=frequency > 0)}


def _holdout_money(log: _Log, cust: _Customers) -> dict[str, np.ndarray]:
    """Mean spend per holdout occasion (0 without any)."""
    n_cust, fh = cust.first.size, cust.n_hold
    hold = ~cust.in_cal
    th = np.bincount(log.codes[hold], weights=log.spend[hold], minlength=n_cust)
    return {"monetary_value_holdout": np.divide(th, fh, out=np.zeros(n_cust), where=fh > 0)}


def _order_columns(out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    order = ("frequency", "recency", "T", "monetary_value", "frequency_holdout", "monetary_value_holdout",
             "duration_holdout")
    return {k: out[k] for k in order if k in out}


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
