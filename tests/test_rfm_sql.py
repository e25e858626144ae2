"""rfm.summarize on DuckDB relations and Parquet files (issue 18 §3): the same answer as the pandas
path (frequency, recency, T identical; monetary value to 1e-9), the same refusals, and one query
definition that the Spark glue runs unchanged (checked here with a stand-in session backed by DuckDB;
``make bench`` runs real PySpark)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

duckdb = pytest.importorskip("duckdb", reason="DuckDB is in the test and scale extras")

from crmlib.clv import rfm, rfm_sql  # noqa: E402
from crmlib.warnings import DataWarning  # noqa: E402

START = pd.Timestamp("2024-01-01")
COMBOS = [  # (period, collapse): every combination summarize accepts
    ("W", "D"), ("D", "D"), ("h", "D"), ("W", "W"), ("D", "W"), ("h", "h"), ("D", "h"), ("W", "h"),
    ("M", "M"), ("D", "M"), ("Q", "Q"), ("W", "Q"), ("Y", "Y"), ("D", "Y"),
    ("M", "D"), ("Q", "W"), ("Y", "h")]  # calendar periods of mean length measured from finer occasions


def _log(n=3000, customers=300, days=400, seed=0, string_ids=False):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, customers, n)
    return pd.DataFrame({"id": [f"c{i:04d}" for i in ids] if string_ids else ids,
                         "day": START + pd.to_timedelta(rng.integers(0, days * 86400, n), unit="s"),
                         "usd": rng.gamma(2.0, 20.0, n).round(2)})


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """frequency / recency / T / durations identical, monetary columns within 1e-9, same index and dtypes."""
    assert list(a.columns) == list(b.columns)
    assert a.index.equals(b.index) and a.index.name == b.index.name
    assert (a.dtypes == b.dtypes).all(), (a.dtypes, b.dtypes)
    for c in a.columns:
        if c.startswith("monetary"):
            np.testing.assert_allclose(b[c].to_numpy(), a[c].to_numpy(), rtol=1e-9, atol=1e-9, err_msg=c)
        else:
            np.testing.assert_array_equal(b[c].to_numpy(), a[c].to_numpy(), err_msg=c)
    assert a.attrs == b.attrs  # the unit, the windows and the customers left out


def both(tx: pd.DataFrame, **kw) -> tuple[pd.DataFrame, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return rfm.summarize(tx, **kw), rfm.summarize(duckdb.from_df(tx), **kw)


@pytest.mark.parametrize("period, collapse", COMBOS)
@pytest.mark.parametrize("cal", [None, "2024-09-30"])
def test_duckdb_matches_pandas_for_every_period_and_collapse(period, collapse, cal):
    kw = dict(customer_id="id", date="day", amount="usd", period=period, collapse=collapse,
              observation_end="2025-02-03", calibration_end=cal)
    assert_same(*both(_log(seed=len(period + collapse)), **kw))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 90), st.integers(0, 86399),
                               st.integers(0, 10**6).map(lambda c: c / 100)), min_size=1, max_size=50),
       end=st.integers(0, 120), cal=st.one_of(st.none(), st.integers(0, 119)),
       combo=st.sampled_from(COMBOS), keep=st.booleans(), amount=st.booleans())
def test_duckdb_matches_pandas_on_random_small_logs(rows, end, cal, combo, keep, amount):
    tx = pd.DataFrame({"id": [r[0] for r in rows],
                       "day": [START + pd.Timedelta(days=r[1], seconds=r[2]) for r in rows],
                       "usd": [r[3] for r in rows]})
    kw = dict(customer_id="id", date="day", amount="usd" if amount else None, period=combo[0], collapse=combo[1],
              observation_end=START + pd.Timedelta(days=end), keep_zero_T=keep,
              calibration_end=None if cal is None else START + pd.Timedelta(days=cal))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        try:
            want = rfm.summarize(tx, **kw)
        except ValueError as exc:  # the window is refused: DuckDB must refuse it with the same message
            with pytest.raises(ValueError) as err:
                rfm.summarize(duckdb.from_df(tx), **kw)
            assert str(err.value) == str(exc)
            return
        got = rfm.summarize(duckdb.from_df(tx), **kw)
    assert_same(want, got)


def test_string_ids_and_string_dates():
    tx = _log(string_ids=True)
    tx["day"] = tx["day"].dt.strftime("%Y-%m-%d %H:%M:%S")
    assert_same(*both(tx, customer_id="id", date="day", amount="usd", observation_end="2025-01-31",
                      calibration_end="2024-08-31"))
    tx["day"] = pd.to_datetime(tx["day"]).dt.strftime("%d/%m/%Y")
    assert_same(*both(tx, customer_id="id", date="day", amount="usd", observation_end="2025-01-31",
                      date_format="%d/%m/%Y"))


def test_numeric_dates_need_a_reading_in_duckdb_too():
    tx = _log(n=500)
    tx["day"] = tx["day"].dt.strftime("%Y%m%d").astype(np.int64)
    with pytest.raises(ValueError, match=r"holds numbers \(BIGINT\).*date_format='%Y%m%d'"):
        rfm.summarize(duckdb.from_df(tx), customer_id="id", date="day", observation_end="2025-01-31")
    assert_same(*both(tx, customer_id="id", date="day", amount="usd", observation_end=20250131,
                      date_format="%Y%m%d"))
    tx["day"] = (pd.to_datetime(tx["day"].astype(str)) - pd.Timestamp("1899-12-30")).dt.days + 0.25
    assert_same(*both(tx, customer_id="id", date="day", amount="usd", observation_end="2025-01-31", unit="excel"))


def test_time_zones_in_duckdb_as_in_pandas():
    tx = _log(n=800)
    aware = tx.assign(day=tx["day"].dt.tz_localize("UTC"))
    with pytest.raises(ValueError, match="time-zone aware.*pass tz="):
        rfm.summarize(duckdb.from_df(aware), customer_id="id", date="day", observation_end="2025-01-31")
    assert_same(*both(aware, customer_id="id", date="day", amount="usd", observation_end="2025-01-31",
                      tz="Asia/Shanghai"))
    offsets = tx.assign(day=tx["day"].dt.strftime("%Y-%m-%dT%H:%M:%S") + np.where(tx.index % 2, "+02:00", "-05:00"))
    with pytest.raises(ValueError, match="UTC offset"):
        rfm.summarize(duckdb.from_df(offsets), customer_id="id", date="day", observation_end="2025-01-31")
    assert_same(*both(offsets, customer_id="id", date="day", amount="usd", observation_end="2025-01-31",
                      tz="Europe/Berlin"))


def test_parquet_file_glob_and_list(tmp_path):
    tx = _log(n=4000, seed=5)
    con = duckdb.connect()
    con.register("tx", tx.assign(part=np.arange(len(tx)) % 3))
    for i in range(3):  # three files, rows split by row number
        con.execute(f"COPY (SELECT id, day, usd FROM tx WHERE part = {i}) TO "
                    f"'{tmp_path / f'part-{i}.parquet'}' (FORMAT PARQUET)")
    kw = dict(customer_id="id", date="day", amount="usd", observation_end="2025-01-31", calibration_end="2024-10-01")
    want = rfm.summarize(tx, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        assert_same(want, rfm.summarize(str(tmp_path / "*.parquet"), memory_limit="256MB", threads=1, **kw))
        assert_same(want, rfm.summarize(sorted(tmp_path.glob("*.parquet")), temp_directory=tmp_path / "spill", **kw))
    one = rfm.summarize(tmp_path / "part-0.parquet", **kw)
    assert one["frequency"].sum() < want["frequency"].sum()


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.drop(columns="usd"), r"missing column\(s\) \['usd'\]"),
    (lambda d: d.assign(usd=d["usd"].where(d.index != 3, -1.0)), "'usd' is negative in 1 row"),
    (lambda d: d.assign(usd=d["usd"].where(d.index != 3, np.nan)), "'usd' has 1 missing amount"),  # NaN -> NULL
    (lambda d: d.assign(usd=d["usd"].where(d.index > 1, np.inf)), "'usd' is infinite in 2 row"),
    (lambda d: d.assign(usd=d["usd"].astype(object).where(d.index != 2, None)), "'usd' has 1 missing amount"),
    (lambda d: d.assign(id=d["id"].astype(float).where(d.index != 2, np.nan)), "'id' has 1 missing id"),
    (lambda d: d.assign(day=d["day"].where(d.index != 2, pd.NaT)), "'day' has 1 missing date"),
    (lambda d: d.assign(day=d["day"].dt.strftime("%Y-%m-%d").where(d.index != 2, "soon")), "'day' has 1 missing date"),
    (lambda d: d.assign(usd=d["usd"].astype(str)), "'usd' must be numeric"),
    (lambda d: d.iloc[0:0], "transactions is empty"),
])
def test_duckdb_refuses_what_pandas_refuses(mutate, message):
    tx = mutate(_log(n=50))
    with pytest.raises((ValueError, TypeError), match=message):
        rfm.summarize(duckdb.from_df(tx), customer_id="id", date="day", amount="usd", observation_end="2025-01-31")
    with pytest.raises((ValueError, TypeError)):  # and pandas refuses it too
        rfm.summarize(tx, customer_id="id", date="day", amount="usd", observation_end="2025-01-31")


def test_nan_and_infinity_inside_duckdb_are_refused():
    rel = duckdb.sql("SELECT i AS id, TIMESTAMP '2024-01-01' + INTERVAL (i) DAY AS day, "
                     "CASE WHEN i = 3 THEN 'NaN'::DOUBLE WHEN i = 4 THEN '-inf'::DOUBLE ELSE i END AS usd "
                     "FROM range(10) t(i)")
    with pytest.raises(ValueError, match="'usd' has NaN in 1 row"):
        rfm.summarize(rel, customer_id="id", date="day", amount="usd", observation_end="2025-01-31")
    with pytest.raises(ValueError, match="'usd' is negative in 1 row"):
        rfm.summarize(rel.filter("id <> 3"), customer_id="id", date="day", amount="usd", observation_end="2025-01-31")


def test_window_and_option_errors():
    rel = duckdb.from_df(_log(n=50))
    with pytest.raises(ValueError, match="observation_end 2023-12-31 is before the first transaction"):
        rfm.summarize(rel, customer_id="id", date="day", observation_end="2023-12-31")
    with pytest.raises(ValueError, match="observation_end '3000-01-01' is out of range"):
        rfm.summarize(rel, customer_id="id", date="day", observation_end="3000-01-01")
    with pytest.raises(ValueError, match="set them on its connection"):
        rfm.summarize(rel, customer_id="id", date="day", observation_end="2025-01-31", memory_limit="1GB")
    with pytest.raises(ValueError, match="apply to DuckDB sources"):
        rfm.summarize(_log(n=50), customer_id="id", date="day", observation_end="2025-01-31", memory_limit="1GB")
    with pytest.raises(ValueError, match="memory_limit must be a size"):
        rfm.summarize("x.parquet", customer_id="id", date="day", observation_end="2025-01-31", memory_limit="lots")
    with pytest.raises(FileNotFoundError, match="no Parquet file 'nowhere.parquet'"):
        rfm.summarize("nowhere.parquet", customer_id="id", date="day", observation_end="2025-01-31")


def test_zero_T_is_left_out_with_the_same_count_and_warning():
    tx = pd.DataFrame({"id": [1, 1, 2, 3], "day": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-31",
                                                                    "2024-01-31"]), "usd": [1.0, 2.0, 3.0, 4.0]})
    with pytest.warns(DataWarning, match=r"2 customer\(s\) \(e\.g\. 2\)"):
        s = rfm.summarize(duckdb.from_df(tx), customer_id="id", date="day", amount="usd", period="D",
                          observation_end="2024-01-31")
    assert list(s.index) == [1] and s.attrs["left_out_zero_T"] == 2


# --- one definition: the Spark glue runs the very query DuckDB runs ------------------------------

class _FakeSparkFrame:
    """The few pyspark.sql.DataFrame methods summarize_spark uses, over a DuckDB relation."""

    def __init__(self, session, rel):
        self.session, self.rel = session, rel

    @property
    def columns(self):
        return list(self.rel.columns)

    @property
    def dtypes(self):
        spark_name = {"BIGINT": "bigint", "DOUBLE": "double", "TIMESTAMP": "timestamp", "VARCHAR": "string"}
        return [(c, spark_name.get(str(t), str(t).lower())) for c, t in zip(self.rel.columns, self.rel.types)]

    def selectExpr(self, *exprs):  # noqa: N802 - pyspark's name
        return _FakeSparkFrame(self.session, self.rel.project(", ".join(e.replace("`", '"') for e in exprs)))

    def createOrReplaceTempView(self, name):  # noqa: N802
        self.session.con.register(name, self.rel.df())

    def collect(self):
        cols = self.rel.columns

        class Row(dict):
            def asDict(self):  # noqa: N802
                return dict(self)
        return [Row(zip(cols, r)) for r in self.rel.fetchall()]

    def toPandas(self):  # noqa: N802
        return self.rel.df()


class _FakeSpark:
    def __init__(self, con):
        self.con, self.queries = con, []
        self.conf = type("Conf", (), {"store": {"spark.sql.session.timeZone": "America/Chicago"}})()
        self.conf.get = self.conf.store.get
        self.conf.set = self.conf.store.__setitem__

    def sql(self, query):
        self.queries.append(query)
        return _FakeSparkFrame(self, self.con.sql(query))


def test_spark_glue_runs_the_same_query_text(monkeypatch):
    tx = _log(n=2000, seed=9)
    con = duckdb.connect()
    spark = _FakeSpark(con)
    kw = dict(customer_id="id", date="day", amount="usd", period="W", observation_end="2025-01-31",
              calibration_end="2024-09-01")
    ran: list[str] = []
    real = rfm_sql.summary_query
    monkeypatch.setattr(rfm_sql, "summary_query", lambda **k: ran.append(real(**k)) or ran[-1])
    got = rfm_sql.summarize_spark(spark, _FakeSparkFrame(spark, con.from_df(tx)), **kw)
    duck = rfm.summarize(duckdb.from_df(tx), **kw)
    assert len(ran) == 2 and ran[0] == ran[1]       # one rendering per engine, identical text
    assert spark.queries[-1] == ran[0]              # and that text is what the Spark session ran
    assert spark.conf.get("spark.sql.session.timeZone") == "America/Chicago"  # restored
    assert_same(duck, got)


def test_query_uses_only_dialect_neutral_sql():
    q = rfm_sql.summary_query(period="W", collapse="W", observation_end=pd.Timestamp("2025-01-31"),
                              calibration_end=pd.Timestamp("2024-09-01"))
    for engine_specific in ("datediff", "date_diff", "epoch", "unix_", "arg_min", "min_by", "::", "`", '"',
                            "QUALIFY", "FILTER"):
        assert engine_specific.lower() not in q.lower(), engine_specific
    assert q.count("SELECT") == 5 and "JOIN firsts" in q
