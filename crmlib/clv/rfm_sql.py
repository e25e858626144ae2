"""The RFM summary as one SQL query, run inside DuckDB (out of core) or Apache Spark.

:func:`crmlib.clv.rfm.summarize` computes the summary in pandas when it is given a
DataFrame. Given a DuckDB relation or a path / glob of Parquet files it calls
:func:`summarize_duckdb`, which computes the same summary inside DuckDB, so the
log never has to fit in memory (DuckDB spills to disk beyond ``memory_limit``).
:func:`summarize_spark` runs the *same* query with Spark SQL, for logs on a
cluster.

One definition
--------------
:func:`summary_query` renders the query once, as dialect-neutral SQL that both
engines accept unchanged: only ``year``, ``dayofyear``, ``hour``, ``month``,
``quarter``, ``date_trunc``, ``floor``, ``CAST``, ``COUNT``/``SUM``/``MIN``/
``MAX``, ``CASE``, ``NULLIF``/``COALESCE`` and an inner join. The day number
of a date is computed arithmetically from its year and day of the year (the
proleptic Gregorian calendar), because the engines' own day-difference
functions are spelled differently. Each engine's glue only exposes the user's
log as a table ``crm_tx`` with three columns, ``customer_id``, ``ts``
(timestamp, time-zone naive) and ``amount`` (double), and reads the result.

The definitions are those of :mod:`crmlib.clv.rfm` (which see): purchases in the
same ``collapse`` period are one occasion (spend summed), ``frequency`` =
occasions after the first, ``recency`` / ``T`` = time from the first occasion's
period start to the last one's / to the end of calibration, in ``period``
units, ``monetary_value`` = mean spend of the repeat occasions. Times are
computed exactly as the pandas path does (integer nanoseconds divided by the
period's length in nanoseconds, one IEEE division), so ``frequency``,
``recency`` and ``T`` are identical to the pandas path's and ``monetary_value``
differs only by the order of summation (below 1e-9).

Pointing it at a cluster
------------------------
``summarize_spark(spark, df_or_path, ...)`` takes any ``SparkSession``: one
made with ``SparkSession.builder.master("local[*]")`` for a laptop, or the
session of a cluster (``spark-submit --master yarn`` / ``k8s://...`` /
``spark://host:7077``, or ``SparkSession.builder.remote("sc://host:15002")``
for Spark Connect). Only the per-customer result (one row per customer) is
collected to the driver. The session time zone is set to UTC (or ``tz``) for
the query and restored afterwards, so that timestamps mean the same wall-clock
times in both engines.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._validate import plain
from ._dates import OFFSET_PATTERN
from ._window import check_window, describe_summary, leave_out_zero_T, period_ns, whole_periods, window_args

__all__ = ["summary_query", "check_query", "summarize_duckdb", "summarize_spark", "TABLE"]

#: Name under which each engine exposes the (customer_id, ts, amount) view of the log.
TABLE = "crm_tx"
_NS_PER_DAY = 86_400 * 10**9
_NS_PER_HOUR = 3_600 * 10**9
_TRUNC = {"W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def _day_number(x: str) -> str:
    """Days since 1970-01-01 of timestamp expression ``x`` (proleptic Gregorian), as BIGINT.

    days = 365 (y - 1970) + leap days before year y since 1970 + day of year - 1, the leap days
    counted with floor divisions (exact: decimal literals, no float rounding in either engine).
    """
    y = f"year({x})"
    return (f"CAST(365 * ({y} - 1970) + floor(({y} - 1969) / 4.0) - floor(({y} - 1901) / 100.0)"
            f" + floor(({y} - 1601) / 400.0) + dayofyear({x}) - 1 AS BIGINT)")


def _ordinal(x: str, collapse: str, whole_periods: bool) -> tuple[str, int]:
    """SQL for the integer ordinal of the ``collapse`` period holding ``x``, and its length in ns.

    With ``whole_periods`` (calendar month / quarter / year measured in those units) the ordinal
    counts periods and the length is 1; otherwise it is the day (or hour) number of the period's
    start and the length that of a day (hour), so ordinal differences times the length are the
    exact nanoseconds between period starts, as in the pandas path.
    """
    if collapse == "D":
        return _day_number(x), _NS_PER_DAY
    if collapse == "h":
        return f"({_day_number(x)} * 24 + hour({x}))", _NS_PER_HOUR
    if whole_periods:
        if collapse == "M":
            return f"(year({x}) * 12 + month({x}) - 1)", 1
        if collapse == "Q":
            return f"(year({x}) * 4 + quarter({x}) - 1)", 1
        return f"year({x})", 1
    return _day_number(f"date_trunc('{_TRUNC[collapse]}', {x})"), _NS_PER_DAY


def _literal(ts: pd.Timestamp) -> str:
    return f"TIMESTAMP '{ts.strftime('%Y-%m-%d %H:%M:%S')}'"


def summary_query(*, period: str, collapse: str, observation_end: pd.Timestamp,
                  calibration_end: pd.Timestamp | None = None, amount: bool = True, table: str = TABLE) -> str:
    """The summary as one dialect-neutral SQL query (the single definition both engines run).

    Parameters
    ----------
    period, collapse : str
        As in :func:`crmlib.clv.rfm.summarize` (already validated there).
    observation_end, calibration_end : pandas.Timestamp
        Time-zone-naive ends of the windows (inclusive, at the resolution of ``collapse``).
    amount : bool, default True
        Whether ``table`` has an ``amount`` column (then the monetary columns are computed).
    table : str, default ``"crm_tx"``
        Table or view with columns ``customer_id``, ``ts`` and (with ``amount``) ``amount``.

    Returns
    -------
    str
        SQL returning one row per customer of the cohort: ``customer_id``, ``frequency``,
        ``recency``, ``T`` and, as requested, ``monetary_value``, ``frequency_holdout``,
        ``monetary_value_holdout``, ``duration_holdout``. Customers with T = 0 are included
        (the caller decides whether to keep them).
    """
    whole = whole_periods(period, collapse)
    o_ts, ns = _ordinal("ts", collapse, whole)
    obs, _ = _ordinal(_literal(observation_end), collapse, whole)
    cut = obs if calibration_end is None else _ordinal(_literal(calibration_end), collapse, whole)[0]
    scale = 1.0 if whole else period_ns(period)  # the pandas path's divisor, bit for bit
    div = f"CAST('{scale!r}' AS DOUBLE)"

    def time(a: str, b: str) -> str:  # (a - b) in period units: exact integer ns, one division
        return f"CAST(({a} - {b}) * {ns} AS DOUBLE) / {div}"

    spend = ", SUM(amount) AS spend" if amount else ""
    amt = ", amount" if amount else ""
    cols = [f"occ.customer_id AS customer_id", "f.first_o AS first_o",
            f"COUNT(CASE WHEN occ.o <= {cut} THEN 1 END) AS n_cal",
            f"MAX(CASE WHEN occ.o <= {cut} THEN occ.o END) AS last_o"]
    if amount:
        cols.append(f"SUM(CASE WHEN occ.o <= {cut} AND occ.o > f.first_o THEN occ.spend ELSE 0 END) AS rep_spend")
    if calibration_end is not None:
        cols.append(f"COUNT(CASE WHEN occ.o > {cut} THEN 1 END) AS n_hold")
        if amount:
            cols.append(f"SUM(CASE WHEN occ.o > {cut} THEN occ.spend ELSE 0 END) AS hold_spend")
    out = ["customer_id", "n_cal - 1 AS frequency", f"{time('last_o', 'first_o')} AS recency",
           f"{time(cut, 'first_o')} AS T"]
    if amount:
        out.append("COALESCE(rep_spend / NULLIF(n_cal - 1, 0), CAST(0 AS DOUBLE)) AS monetary_value")
    if calibration_end is not None:
        out.append("n_hold AS frequency_holdout")
        if amount:
            out.append("COALESCE(hold_spend / NULLIF(n_hold, 0), CAST(0 AS DOUBLE)) AS monetary_value_holdout")
        out.append(f"{time(obs, cut)} AS duration_holdout")
    sep = ",\n       "
    return (f"WITH tx AS (SELECT customer_id, {o_ts} AS o{amt} FROM {table}),\n"
            f"occ AS (SELECT customer_id, o{spend} FROM tx WHERE o <= {obs} GROUP BY customer_id, o),\n"
            f"firsts AS (SELECT customer_id, MIN(o) AS first_o FROM occ GROUP BY customer_id),\n"
            f"per AS (SELECT {sep.join(cols)}\n"
            f"  FROM occ JOIN firsts f ON occ.customer_id = f.customer_id\n"
            f"  WHERE f.first_o <= {cut}\n"
            f"  GROUP BY occ.customer_id, f.first_o)\n"
            f"SELECT {sep.join(out)}\nFROM per")


def check_query(*, collapse: str, amount: bool = True, table: str = TABLE) -> str:
    """Dialect-neutral SQL counting what :func:`crmlib.clv.rfm.summarize` refuses, in one pass.

    Returns one row: ``n_rows``, ``null_ids``, ``null_dates``, ``first_ts`` (earliest
    timestamp) and, with ``amount``, ``null_amounts``, ``nan_amounts``, ``inf_amounts``,
    ``neg_amounts``.

    Parameters
    ----------
    collapse : str
        The occasion period of the summary (as in :func:`summary_query`); the counts do not
        depend on it, so the query text is the same for every value.
    amount : bool, default True
        Whether ``table`` has an ``amount`` column: then the four amount counts are added.
    table : str, default ``"crm_tx"``
        Table or view with columns ``customer_id``, ``ts`` and (with ``amount``) ``amount``.

    Returns
    -------
    str
        A ``SELECT`` giving that one row, plus ``last_ts`` (the latest timestamp). The
        counts are numbers of rows; on an empty table the timestamps and the ``SUM`` counts
        are NULL rather than 0.
    """
    cols = ["COUNT(*) AS n_rows", "COUNT(*) - COUNT(customer_id) AS null_ids",
            "COUNT(*) - COUNT(ts) AS null_dates", "MIN(ts) AS first_ts", "MAX(ts) AS last_ts"]
    if amount:
        cols += ["COUNT(*) - COUNT(amount) AS null_amounts",
                 "SUM(CASE WHEN isnan(amount) THEN 1 ELSE 0 END) AS nan_amounts",
                 "SUM(CASE WHEN amount = CAST('Infinity' AS DOUBLE) THEN 1 ELSE 0 END) AS inf_amounts",
                 "SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) AS neg_amounts"]
    return "SELECT " + ", ".join(cols) + f" FROM {table}"


# --- shared checks and result ------------------------------------------------------------------

def _raise_on_counts(c: dict[str, Any], *, customer_id: str, date: str, amount: str | None, what: str) -> None:
    if not c["n_rows"]:
        raise ValueError(f"{what} is empty")
    problems = [("null_ids", f"column {customer_id!r} has {{n}} missing id(s)"),
                ("null_dates", f"column {date!r} has {{n}} missing date(s) or value(s) that are not dates")]
    if amount is not None:
        problems += [("null_amounts", f"column {amount!r} has {{n}} missing amount(s)"),
                     ("nan_amounts", f"column {amount!r} has NaN in {{n}} row(s)"),
                     ("inf_amounts", f"column {amount!r} is infinite in {{n}} row(s)"),
                     ("neg_amounts", f"column {amount!r} is negative in {{n}} row(s)")]
    for key, msg in problems:
        n = int(c.get(key) or 0)
        if n:
            raise ValueError(f"{what} " + msg.format(n=n))


def _frame(cols: dict[str, np.ndarray], customer_id: str) -> pd.DataFrame:
    """The per-customer result in the pandas path's layout (sorted index, the same dtypes)."""
    order = ["frequency", "recency", "T", "monetary_value", "frequency_holdout", "monetary_value_holdout",
             "duration_holdout"]
    ints = ("frequency", "frequency_holdout")
    data = {k: np.asarray(cols[k], dtype=np.int64 if k in ints else float) for k in order if k in cols}
    df = pd.DataFrame(data, index=pd.Index(np.asarray(cols["customer_id"]), name=customer_id))
    return df if df.index.is_monotonic_increasing else df.sort_index(kind="stable")


# --- DuckDB ------------------------------------------------------------------------------------

def _is_duckdb_relation(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] in ("duckdb", "_duckdb") and hasattr(obj, "project")


def is_sql_source(obj: Any) -> bool:
    """Whether :func:`crmlib.clv.rfm.summarize` hands ``obj`` to DuckDB (a relation, a path or a glob)."""
    if isinstance(obj, (str, os.PathLike)):
        return True
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(p, (str, os.PathLike)) for p in obj):
        return True
    return _is_duckdb_relation(obj)


def _import_duckdb() -> Any:
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("summarising a Parquet file or a DuckDB relation needs DuckDB: "
                          "pip install 'crm-notebooks[scale]'") from exc
    return duckdb


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _duckdb_date_expr(rel: Any, col: str, typ: str, *, date_format: str | None, unit: str | None,
                      tz: Any) -> str:
    """DuckDB expression reading column ``col`` of type ``typ`` as a naive TIMESTAMP, or raise."""
    c = _q(col)
    t = typ.upper()
    if t.startswith("TIMESTAMP WITH TIME ZONE") or t == "TIMESTAMPTZ":
        if tz is None:
            raise ValueError(f"transactions column {col!r} is time-zone aware (TIMESTAMP WITH TIME ZONE); pass "
                             f"tz='Europe/Berlin' (for example) to count calendar days in that zone")
        return f"timezone({_sql_str(str(tz))}, {c})"
    if t in ("DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATETIME"):
        return f"CAST({c} AS TIMESTAMP)"
    if t == "VARCHAR":
        if unit is not None:
            raise ValueError(f"unit={unit!r} applies to numeric dates; column {col!r} holds strings")
        if date_format is not None:
            return f"try_strptime({c}, {_sql_str(date_format)})"
        # DuckDB's cast to TIMESTAMP drops a UTC offset silently: find offsets first, as the pandas path does
        n_off, n_str = rel.aggregate(f"COUNT(CASE WHEN regexp_matches(trim({c}), {_sql_str(OFFSET_PATTERN)}) THEN 1 END), "
                                     f"COUNT({c})").fetchall()[0]
        if n_off:
            if n_off < n_str:
                raise ValueError(f"transactions column {col!r} mixes dates with a UTC offset ({n_off} rows) and "
                                 f"without ({n_str - n_off} rows); their days cannot be compared")
            if tz is None:
                raise ValueError(f"transactions column {col!r} has dates with a UTC offset; pass tz='...' to say "
                                 f"in which zone's calendar days are counted (values are converted to it)")
            return f"timezone({_sql_str(str(tz))}, TRY_CAST(trim({c}) AS TIMESTAMPTZ))"
        return f"TRY_CAST({c} AS TIMESTAMP)"
    numeric = t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                    "UBIGINT", "FLOAT", "DOUBLE") or t.startswith("DECIMAL")
    if numeric:
        if date_format is not None:
            return f"try_strptime(CAST(CAST({c} AS BIGINT) AS VARCHAR), {_sql_str(date_format)})"
        if unit is not None:
            per_unit = {"D": 86_400e6, "s": 1e6, "ms": 1e3, "us": 1.0, "ns": 1e-3, "excel": 86_400e6}[unit]
            origin = "1899-12-30" if unit == "excel" else "1970-01-01"
            return (f"(TIMESTAMP '{origin} 00:00:00' + "
                    f"to_microseconds(CAST(round(CAST({c} AS DOUBLE) * {per_unit!r}) AS BIGINT)))")
        raise ValueError(f"transactions column {col!r} holds numbers ({typ}); numbers are not read as dates "
                         f"unless you say how: date_format='%Y%m%d' for digits such as 20240101, unit='excel' "
                         f"for Excel serial days, unit='s'/'ms'/'us'/'ns'/'D' for time since 1970-01-01")
    raise TypeError(f"transactions column {col!r} has type {typ}, which is not a date")


def summarize_duckdb(source: Any, *, customer_id: str, date: str, amount: str | None, period: str, collapse: str,
                     observation_end: pd.Timestamp, calibration_end: pd.Timestamp | None,
                     date_format: str | None = None, unit: str | None = None, tz: Any = None,
                     memory_limit: str | None = None, threads: int | None = None,
                     temp_directory: str | os.PathLike | None = None) -> pd.DataFrame:
    """Compute the summary of :func:`crmlib.clv.rfm.summarize` inside DuckDB.

    Called by :func:`crmlib.clv.rfm.summarize` (which validates the other arguments and
    handles T = 0); use that function.

    Parameters
    ----------
    source : duckdb.DuckDBPyRelation, str, path or list of them
        A relation (run on its own connection), or Parquet file(s): a path, a glob such as
        ``"log/*.parquet"`` or a list of paths (read by a new in-memory connection).
    customer_id, date, amount, period, collapse, observation_end, calibration_end, date_format, unit, tz
        As in :func:`crmlib.clv.rfm.summarize`, already checked there; ``observation_end`` and
        ``calibration_end`` (None without a holdout) as pandas Timestamps, ``amount`` None
        without a spend column.
    memory_limit : str, optional
        DuckDB's ``memory_limit`` (e.g. ``"1GB"``) for the connection opened on Parquet
        files; beyond it DuckDB spills to ``temp_directory``. For a relation, set it on
        the relation's connection instead (``con.execute("SET memory_limit='1GB'")``).
    threads : int, optional
        DuckDB's ``threads`` for the connection opened on Parquet files.
    temp_directory : str or path, optional
        Where DuckDB spills (default: DuckDB's ``.tmp`` beside the working directory).

    Returns
    -------
    pandas.DataFrame
        The summary with the pandas path's index and columns (T = 0 customers included).
    """
    duckdb = _import_duckdb()
    con = None
    if _is_duckdb_relation(source):
        if memory_limit is not None or threads is not None or temp_directory is not None:
            raise ValueError("memory_limit, threads and temp_directory apply to the connection crmlib opens on "
                             "Parquet files; for a relation set them on its connection, e.g. "
                             "con.execute(\"SET memory_limit='1GB'\")")
        rel = source
        what = "transactions"
    else:
        paths = [os.fspath(p) for p in (source if isinstance(source, (list, tuple)) else [source])]
        config: dict[str, Any] = {}
        if memory_limit is not None:
            if not isinstance(memory_limit, str) or not re.fullmatch(r"\s*\d+(\.\d+)?\s*[KMGT]i?B\s*", memory_limit):
                raise ValueError(f"memory_limit must be a size such as '1GB' or '512MB', got {memory_limit!r}")
            config["memory_limit"] = memory_limit
        if threads is not None:
            if not isinstance(threads, (int, np.integer)) or isinstance(threads, bool) or threads < 1:
                raise ValueError(f"threads must be a positive whole number, got {plain(threads)!r}")
            config["threads"] = int(threads)
        if temp_directory is not None:
            config["temp_directory"] = os.fspath(temp_directory)
        for p in paths:
            if not any(ch in p for ch in "*?[") and not Path(p).exists():
                raise FileNotFoundError(f"transactions: no Parquet file {p!r}")
        con = duckdb.connect(":memory:", config=config)
        config_ok = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
        if config_ok:  # order of the log's rows does not matter: let DuckDB stream without keeping it
            con.execute("SET preserve_insertion_order = false")
        try:
            rel = con.read_parquet(paths if len(paths) > 1 else paths[0])
        except duckdb.Error as exc:
            raise ValueError(f"transactions: cannot read Parquet {paths if len(paths) > 1 else paths[0]!r}: "
                             f"{exc}") from exc
        what = "transactions"
    try:
        types = dict(zip(rel.columns, (str(t) for t in rel.types)))
        want = [customer_id, date] + ([amount] if amount is not None else [])
        missing = [c for c in want if c not in types]
        if missing:
            raise ValueError(f"{what} missing column(s) {missing}; available: {sorted(types)}")
        if amount is not None:
            at = types[amount].upper()
            if not (at in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                           "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE") or at.startswith("DECIMAL")):
                raise TypeError(f"{what} column {amount!r} must be numeric, got {types[amount]}")
        ts = _duckdb_date_expr(rel, date, types[date], date_format=date_format, unit=unit, tz=tz)
        proj = f"{_q(customer_id)} AS customer_id, {ts} AS ts"
        if amount is not None:
            proj += f", CAST({_q(amount)} AS DOUBLE) AS amount"
        view = rel.project(proj)
        row = view.query(TABLE, check_query(collapse=collapse, amount=amount is not None))
        counts = dict(zip(row.columns, row.fetchall()[0]))
        _raise_on_counts(counts, customer_id=customer_id, date=date, amount=amount, what=what)
        first = pd.Timestamp(counts["first_ts"])
        check_window(first, observation_end, calibration_end, collapse)
        res = view.query(TABLE, summary_query(period=period, collapse=collapse, observation_end=observation_end,
                                              calibration_end=calibration_end, amount=amount is not None))
        cols = res.fetchnumpy()
    finally:
        if con is not None:
            con.close()
    return describe_summary(_frame({k: np.asarray(v) for k, v in cols.items()}, customer_id), period=period,
                            collapse=collapse, first=first, observation_end=observation_end,
                            calibration_end=calibration_end)


# --- Spark -------------------------------------------------------------------------------------

def summarize_spark(spark: Any, source: Any, *, customer_id: str, date: str, amount: str | None = None,
                    period: str = "W", observation_end: Any = None, calibration_end: Any = None,
                    collapse: str = "D", keep_zero_T: bool = False, tz: str | None = None) -> pd.DataFrame:
    """The summary of :func:`crmlib.clv.rfm.summarize` computed by Spark SQL (the same query as DuckDB's).

    PySpark is not a dependency of crmlib: this function uses the session it is given.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        Local (``SparkSession.builder.master("local[*]").getOrCreate()``) or a cluster's.
    source : pyspark.sql.DataFrame, str or list of str
        The log, or Parquet path(s) / glob(s) that ``spark.read.parquet`` reads (``hdfs://``,
        ``s3a://`` ... on a cluster). The date column must be a timestamp or date (Spark reads
        Parquet timestamps in micro- or milliseconds, not nanoseconds).
    customer_id, date, amount, period, observation_end, calibration_end, collapse, keep_zero_T
        As in :func:`crmlib.clv.rfm.summarize`.
    tz : str, optional
        Zone whose calendar days are counted (Spark's session time zone during the query;
        default UTC). Spark's ``TIMESTAMP`` values are instants and are shown in this zone;
        ``TIMESTAMP_NTZ`` values (Parquet timestamps not adjusted to UTC) keep their wall clock.

    Returns
    -------
    pandas.DataFrame
        The same summary as :func:`crmlib.clv.rfm.summarize` (collected to the driver).
    """
    obs_end, cal_end, period, collapse = window_args(observation_end, calibration_end, period, collapse)
    df = spark.read.parquet(*([source] if isinstance(source, str) else list(source))) \
        if isinstance(source, (str, list, tuple)) else source
    missing = [c for c in (customer_id, date, amount) if c is not None and c not in df.columns]
    if missing:
        raise ValueError(f"transactions missing column(s) {missing}; available: {sorted(df.columns)}")
    dtype = dict(df.dtypes)[date].lower()
    if not (dtype.startswith("timestamp") or dtype == "date"):
        raise TypeError(f"transactions column {date!r} has Spark type {dtype}; give a timestamp or date column")

    def bq(c: str) -> str:
        return "`" + c.replace("`", "``") + "`"

    exprs = [f"{bq(customer_id)} AS customer_id", f"CAST({bq(date)} AS TIMESTAMP) AS ts"]
    if amount is not None:
        exprs.append(f"CAST({bq(amount)} AS DOUBLE) AS amount")
    old_tz = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "UTC" if tz is None else str(tz))
    try:
        df.selectExpr(*exprs).createOrReplaceTempView(TABLE)
        c = spark.sql(check_query(collapse=collapse, amount=amount is not None)).collect()[0].asDict()
        _raise_on_counts(c, customer_id=customer_id, date=date, amount=amount, what="transactions")
        first = pd.Timestamp(c["first_ts"])
        check_window(first, obs_end, cal_end, collapse)
        sql = summary_query(period=period, collapse=collapse, observation_end=obs_end, calibration_end=cal_end,
                            amount=amount is not None)
        rows = spark.sql(sql).toPandas()
    finally:
        spark.conf.set("spark.sql.session.timeZone", old_tz)
    out = _frame({k: rows[k].to_numpy() for k in rows.columns}, customer_id)
    describe_summary(out, period=period, collapse=collapse, first=first, observation_end=obs_end,
                     calibration_end=cal_end)
    return leave_out_zero_T(out, keep_zero_T, stacklevel=3)
