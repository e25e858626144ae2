"""crmlib.clv.rfm.summarize: definitions, a per-customer oracle, holdout split, bad input."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmlib.clv import rfm
from crmlib.warnings import DataWarning

START = pd.Timestamp("2024-01-01")


def _tx(rows):
    return pd.DataFrame(rows, columns=["id", "day", "usd"]).assign(day=lambda d: pd.to_datetime(d["day"]))


def oracle(tx: pd.DataFrame, end: pd.Timestamp, cal: pd.Timestamp | None, unit_days: float) -> dict:
    """Straightforward per-customer loop (day-collapsed occasions), the definitions written out."""
    out = {}
    for cid, g in tx.groupby("id"):
        occ = g.groupby(g["day"].dt.normalize())["usd"].sum().sort_index()
        occ = occ[occ.index <= end]
        if occ.empty:
            continue
        first = occ.index[0]
        cut = end if cal is None else cal
        if first >= cut:  # after the window, or T = 0 (left out by default)
            continue
        calp = occ[occ.index <= cut]
        rep = calp.iloc[1:]
        row = {"frequency": len(rep), "recency": (calp.index[-1] - first).days / unit_days,
               "T": (cut - first).days / unit_days, "monetary_value": float(rep.mean()) if len(rep) else 0.0}
        if cal is not None:
            hold = occ[occ.index > cal]
            row["frequency_holdout"] = len(hold)
            row["monetary_value_holdout"] = float(hold.mean()) if len(hold) else 0.0
            row["duration_holdout"] = (end - cal).days / unit_days
        out[cid] = row
    return out


def test_definitions_on_a_worked_example():
    tx = _tx([(1, "2024-01-01", 10.0), (1, "2024-01-01", 5.0),   # same day: one occasion of 15
              (1, "2024-01-15", 20.0), (1, "2024-01-22", 40.0),
              (2, "2024-01-08", 7.0),
              (3, "2024-01-29", 3.0)])
    s = rfm.summarize(tx, customer_id="id", date="day", amount="usd", observation_end="2024-01-29",
                      keep_zero_T=True)
    assert list(s.index) == [1, 2, 3]
    assert s.loc[1, "frequency"] == 2
    assert s.loc[1, "recency"] == pytest.approx(3.0)          # 21 days
    assert s.loc[1, "T"] == pytest.approx(4.0)                # 28 days
    assert s.loc[1, "monetary_value"] == pytest.approx(30.0)  # first purchase excluded
    assert (s.loc[2, "frequency"], s.loc[2, "recency"], s.loc[2, "monetary_value"]) == (0, 0.0, 0.0)
    assert s.loc[2, "T"] == pytest.approx(3.0)
    assert s.loc[3, "T"] == 0.0
    assert s["frequency"].dtype == np.int64


def test_period_days_and_whole_weeks():
    tx = _tx([(1, "2024-01-01", 1.0), (1, "2024-01-03", 1.0), (1, "2024-01-10", 1.0)])  # Mon, Wed, next Wed
    d = rfm.summarize(tx, customer_id="id", date="day", amount="usd", period="D", observation_end="2024-01-14")
    assert (d.loc[1, "frequency"], d.loc[1, "recency"], d.loc[1, "T"]) == (2, 9.0, 13.0)
    w = rfm.summarize(tx, customer_id="id", date="day", amount="usd", period="W", collapse="W",
                      observation_end="2024-01-14")
    # calendar weeks: Mon 1 and Wed 3 fall in one week -> one occasion of 2.0; Wed 10 in the next
    assert (w.loc[1, "frequency"], w.loc[1, "recency"], w.loc[1, "T"], w.loc[1, "monetary_value"]) == (1, 1.0, 1.0, 1.0)
    m = rfm.summarize(tx, customer_id="id", date="day", period="M", collapse="M", observation_end="2024-03-01")
    assert (m.loc[1, "frequency"], m.loc[1, "recency"], m.loc[1, "T"]) == (0, 0.0, 2.0)
    assert "monetary_value" not in m


def test_calibration_and_holdout():
    tx = _tx([(1, "2024-01-01", 10.0), (1, "2024-01-08", 20.0), (1, "2024-01-20", 5.0), (1, "2024-01-21", 15.0),
              (2, "2024-01-05", 1.0), (3, "2024-01-16", 9.0)])  # customer 3 joins after calibration
    s = rfm.summarize(tx, customer_id="id", date="day", amount="usd", period="D",
                      observation_end="2024-01-31", calibration_end="2024-01-14")
    assert list(s.index) == [1, 2]
    assert s.loc[1, ["frequency", "recency", "T"]].tolist() == [1, 7.0, 13.0]
    assert s.loc[1, "frequency_holdout"] == 2
    assert s.loc[1, "monetary_value_holdout"] == pytest.approx(10.0)
    assert s.loc[2, "frequency_holdout"] == 0 and s.loc[2, "monetary_value_holdout"] == 0.0
    assert (s["duration_holdout"] == 17.0).all()


def test_transactions_after_observation_end_are_outside_the_window():
    tx = _tx([(1, "2024-01-01", 1.0), (1, "2024-02-01", 1.0), (2, "2024-03-01", 1.0)])
    s = rfm.summarize(tx, customer_id="id", date="day", amount="usd", period="D", observation_end="2024-01-15")
    assert list(s.index) == [1] and s.loc[1, "frequency"] == 0


def test_string_dates_and_string_ids():
    tx = pd.DataFrame({"c": ["b", "a", "b"], "d": ["2024-01-01", "2024-01-02", "2024-01-08"], "m": [1, 2, 3]})
    s = rfm.summarize(tx, customer_id="c", date="d", amount="m", period="D", observation_end="2024-01-10")
    assert list(s.index) == ["a", "b"]
    assert s.loc["b", "recency"] == 7.0 and s.loc["b", "monetary_value"] == 3.0


day_rows = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 60), st.integers(0, 5000).map(lambda c: c / 100)),
                    min_size=1, max_size=60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=day_rows, cal=st.one_of(st.none(), st.integers(0, 59)), unit=st.sampled_from(["D", "W"]),
       seed=st.integers(0, 2**16))
def test_matches_per_customer_oracle(rows, cal, unit, seed):
    tx = pd.DataFrame({"id": [r[0] for r in rows],
                       "day": [START + pd.Timedelta(days=r[1], hours=(i * 7) % 24) for i, r in enumerate(rows)],
                       "usd": [r[2] for r in rows]})
    tx = tx.sample(frac=1.0, random_state=seed)  # row order must not matter
    end = START + pd.Timedelta(days=60)
    cal_ts = None if cal is None else START + pd.Timedelta(days=cal)
    if cal_ts is not None and cal_ts < tx["day"].min().normalize():  # before the first day
        with pytest.raises(ValueError, match="calibration_end"):
            rfm.summarize(tx, customer_id="id", date="day", amount="usd", period=unit, observation_end=end,
                          calibration_end=cal_ts)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # T = 0 customers left out (tests/test_rfm_dates.py)
        got = rfm.summarize(tx, customer_id="id", date="day", amount="usd", period=unit, observation_end=end,
                            calibration_end=cal_ts)
    want = oracle(tx, end, cal_ts, 7.0 if unit == "W" else 1.0)
    assert sorted(want) == list(got.index)
    for cid, row in want.items():
        for k, v in row.items():
            assert got.loc[cid, k] == pytest.approx(v, abs=1e-12), (cid, k)
    assert (got["recency"] <= got["T"]).all()
    assert ((got["frequency"] == 0) == (got["recency"] == 0)).all()


def test_grid_and_hash_occasion_counts_agree(monkeypatch):
    """Distinct purchase occasions come from a boolean customer x day grid, or from a hash of the
    keys when the grid would be too large: both must give the same summary."""
    rng = np.random.default_rng(3)
    n = 5000
    tx = pd.DataFrame({"id": rng.choice([f"c{i}" for i in range(400)], n),
                       "day": START + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
                       "usd": rng.gamma(2.0, 10.0, n).round(2)})
    kw = dict(customer_id="id", date="day", amount="usd", period="W", observation_end=START + pd.Timedelta(days=199),
              calibration_end=START + pd.Timedelta(days=120))
    grid = rfm.summarize(tx, **kw)
    monkeypatch.setattr(rfm, "_GRID_CELLS", 0)
    hashed = rfm.summarize(tx, **kw)
    pd.testing.assert_frame_equal(grid, hashed)
    cohort = tx[tx["id"].isin(grid.index)]
    assert grid["frequency"].sum() + grid["frequency_holdout"].sum() + len(grid) == \
        cohort.assign(d=cohort["day"].dt.normalize()).drop_duplicates(["id", "d"]).shape[0]


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.drop(columns="usd"), "missing column"),
    (lambda d: d.assign(usd=[1.0, -2.0, 3.0]), "'usd' is negative at row 1"),
    (lambda d: d.assign(usd=[1.0, np.nan, 3.0]), "'usd' has NaN at row 1"),
    (lambda d: d.assign(id=[1, None, 2]), "'id' has a missing id at row 1"),
    (lambda d: d.assign(day=[d["day"][0], pd.NaT, d["day"][2]]), "missing date"),
    (lambda d: d.assign(day=["2024-01-01", "not a date", "2024-01-03"]), "not a date at row 1"),
    (lambda d: d.iloc[0:0], "empty"),
])
def test_rejects_bad_transactions(mutate, message):
    tx = _tx([(1, "2024-01-01", 1.0), (1, "2024-01-02", 2.0), (2, "2024-01-03", 3.0)])
    with pytest.raises(ValueError, match=message):
        rfm.summarize(mutate(tx), customer_id="id", date="day", amount="usd", observation_end="2024-02-01")


@pytest.mark.parametrize("kwargs, exc, message", [
    ({"observation_end": "2023-12-31"}, ValueError, "observation_end 2023-12-31 is before the first transaction"),
    ({"observation_end": None}, ValueError, "observation_end is required"),
    ({"observation_end": "soon"}, ValueError, "observation_end is not a date"),
    ({"observation_end": "2024-02-01", "calibration_end": "2024-03-01"}, ValueError, "must be before observation_end"),
    ({"observation_end": "2024-02-01", "calibration_end": "2023-06-01"}, ValueError,
     "calibration_end 2023-06-01 is before the first transaction"),
    ({"observation_end": "2024-02-01", "period": "fortnight"}, ValueError, "period must be one of"),
    ({"observation_end": "2024-02-01", "collapse": "X"}, ValueError, "collapse must be one of"),
])
def test_rejects_bad_arguments(kwargs, exc, message):
    tx = _tx([(1, "2024-01-01", 1.0), (1, "2024-01-02", 2.0)])
    with pytest.raises(exc, match=message):
        rfm.summarize(tx, customer_id="id", date="day", amount="usd", **kwargs)


def test_rejects_non_dataframe_and_non_numeric_amount():
    with pytest.raises(TypeError, match="DataFrame"):
        rfm.summarize([(1, "2024-01-01")], customer_id="id", date="day", observation_end="2024-02-01")
    tx = pd.DataFrame({"id": [1], "day": pd.to_datetime(["2024-01-01"]), "usd": ["3"]})
    with pytest.raises(TypeError, match="'usd' must be numeric"):
        rfm.summarize(tx, customer_id="id", date="day", amount="usd", observation_end="2024-02-01")
