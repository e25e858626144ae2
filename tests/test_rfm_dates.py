"""rfm.summarize reads dates and numbers as meant (issue 15 §2): numeric dates only with an explicit
``date_format``/``unit``, out-of-range dates said so, time zones explicit, infinite amounts refused,
and T = 0 customers left out with a count and a warning so that the BTYD models accept the summary.

Every case here failed on the code before this module (integer dates were read as nanoseconds,
year 3000 wrapped to 1830, offsets were converted silently or refused without a way out, an
infinite amount gave an infinite monetary value, T = 0 rows made BetaGeo raise).
"""
from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib.clv import btyd, rfm
from crmlib.warnings import DataWarning

KW = dict(customer_id="id", date="d", amount="m", period="D")


def _log(dates, ids=(1, 1, 2), amounts=(1.0, 2.0, 3.0)):
    return pd.DataFrame({"id": list(ids), "d": dates, "m": list(amounts)})


REFERENCE = rfm.summarize(_log(pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-03"])),
                          observation_end="2024-01-31", **KW)


def _same(s: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(s, REFERENCE)


# --- numbers are dates only when the caller says how ---------------------------------------------

@pytest.mark.parametrize("dates", [
    [20240101, 20240115, 20240103],                      # yyyymmdd integers (were nanoseconds: T = 2821 weeks)
    [45292.0, 45306.0, 45294.0],                         # Excel serial days
    np.array([20240101, 20240115, 20240103], dtype="uint32"),
    [1704067200, 1705276800, 1704240000],                # epoch seconds
])
def test_numeric_dates_are_refused_without_format_or_unit(dates):
    with pytest.raises(ValueError, match=r"holds numbers .*date_format='%Y%m%d'.*unit='excel'"):
        rfm.summarize(_log(dates), observation_end="2024-01-31", **KW)


@pytest.mark.parametrize("dates, how", [
    ([20240101, 20240115, 20240103], {"date_format": "%Y%m%d"}),
    ([20240101.0, 20240115.0, 20240103.0], {"date_format": "%Y%m%d"}),
    ([45292.0, 45306.0, 45294.0], {"unit": "excel"}),
    ([45292.75, 45306.1, 45294.99], {"unit": "excel"}),  # fractions are times of day
    ([1704067200, 1705276800, 1704240000], {"unit": "s"}),
    ([1704067200000, 1705276800000, 1704240000000], {"unit": "ms"}),
    ([19723, 19737, 19725], {"unit": "D"}),
    (["01/01/2024", "15/01/2024", "03/01/2024"], {"date_format": "%d/%m/%Y"}),
])
def test_numeric_and_formatted_dates_with_an_explicit_reading(dates, how):
    _same(rfm.summarize(_log(dates), observation_end="2024-01-31", **KW, **how))


def test_integer_nanoseconds_are_read_exactly():
    # one nanosecond before midnight stays on 31 December (a float would round it to 1 January)
    tx = _log(np.array([1704067199999999999, 1705276800000000000, 1704240000000000000]))
    s = rfm.summarize(tx, observation_end="2024-01-31", unit="ns", **KW)
    assert (s.loc[1, "recency"], s.loc[1, "T"]) == (15.0, 31.0)
    nullable = _log(pd.array([1704067200, 1705276800, None], dtype="Int64"))
    with pytest.raises(ValueError, match="missing date .* at row 2"):
        rfm.summarize(nullable, observation_end="2024-01-31", unit="s", **KW)


@pytest.mark.parametrize("end, how", [(20240131, {"date_format": "%Y%m%d"}), (45322, {"unit": "excel"}),
                                      ("2024-01-31", {"date_format": "%Y%m%d"})])
def test_window_ends_follow_the_same_reading(end, how):
    dates = [20240101, 20240115, 20240103] if "date_format" in how else [45292.0, 45306.0, 45294.0]
    _same(rfm.summarize(_log(dates), observation_end=end, **KW, **how))


@pytest.mark.parametrize("end", [20240131, 20240131.0, np.int64(20240131)])
def test_a_numeric_window_end_is_refused(end):
    with pytest.raises(ValueError, match=r"observation_end is a number \(20240131"):
        rfm.summarize(_log(pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-03"])), observation_end=end, **KW)


@pytest.mark.parametrize("dates, how, message", [
    (["01/02/2024", "15/01/2024", "03/01/2024"], {}, r"not a date at row 0: '01/02/2024' \(read as ISO 8601"),
    ([20240101.5, 20240115, 20240103], {"date_format": "%Y%m%d"}, "not a whole number"),
    ([20241301, 20240115, 20240103], {"date_format": "%Y%m%d"}, "not a date at row 0: '20241301'"),
    ([12.0, 45306.0, 45294.0], {"unit": "excel"}, "serials below 61"),
    ([True, False, True], {}, "booleans"),
    (["2024-01-01", 20240115, "2024-01-03"], {}, "has a number at row 1"),
    ([20240101, 20240115, 20240103], {"unit": "weeks"}, "unit must be one of"),
    ([20240101, 20240115, 20240103], {"unit": "s", "date_format": "%Y"}, "not both"),
    (["2024-01-01", "2024-01-15", "2024-01-03"], {"unit": "s"}, "applies to numeric dates"),
])
def test_unreadable_dates_get_a_clear_error(dates, how, message):
    with pytest.raises((ValueError, TypeError), match=message):
        rfm.summarize(_log(dates), observation_end="2024-01-31", **KW, **how)


# --- out of range is said to be out of range -------------------------------------------------------

@pytest.mark.parametrize("dates", [
    ["2024-01-01", "3000-01-15", "2024-01-03"],                                      # string (wrapped to 1830)
    np.array(["2024-01-01", "3000-01-15", "2024-01-03"], dtype="datetime64[s]"),      # non-ns datetime64
    [dt.datetime(2024, 1, 1), dt.datetime(3000, 1, 15), dt.datetime(2024, 1, 3)],     # datetime objects
    [1704067200, 10**12, 1704240000],                                                # seconds with unit
])
def test_out_of_range_dates_are_named(dates):
    how = {"unit": "s"} if isinstance(dates[0], int) else {}
    with pytest.raises(ValueError, match=r"out of range at row 1.*1677-09-21 to 2262-04-11"):
        rfm.summarize(_log(dates), observation_end="2024-01-31", **KW, **how)


@pytest.mark.parametrize("arg", ["observation_end", "calibration_end"])
def test_out_of_range_window_ends_are_not_called_before_the_first_transaction(arg):
    kw = {"observation_end": "3000-01-01"} if arg == "observation_end" else \
        {"observation_end": "2024-01-31", "calibration_end": "1500-01-01"}
    with pytest.raises(ValueError, match=f"{arg} '.*' is out of range") as err:
        rfm.summarize(_log(pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-03"])), **KW, **kw)
    assert "before the first transaction" not in str(err.value)


# --- time zones are explicit -----------------------------------------------------------------------

OFFSETS = ["2024-01-01T23:30:00-05:00", "2024-01-15T10:00:00+01:00", "2024-01-03T00:30:00+00:00"]


@pytest.mark.parametrize("dates", [
    OFFSETS,                                                                  # mixed offsets
    ["2024-01-01T10:00+02:00", "2024-01-15T10:00+02:00", "2024-01-03T10:00+02:00"],  # one offset
    ["2024-01-01T10:00Z", "2024-01-15T10:00Z", "2024-01-03T10:00Z"],
    pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-03"]).tz_localize("Asia/Shanghai"),
    [pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-15", tz="UTC"), pd.Timestamp("2024-01-03", tz="UTC")],
])
def test_aware_dates_are_refused_without_tz(dates):
    with pytest.raises(ValueError, match="pass tz="):
        rfm.summarize(_log(dates), observation_end="2024-01-31", **KW)


def test_aware_dates_are_converted_to_the_stated_zone():
    # 23:30 at UTC-5 is 05:30 the next day in Berlin; 00:30 UTC is 01:30 in Berlin (same day)
    s = rfm.summarize(_log(OFFSETS), observation_end="2024-01-31", tz="Europe/Berlin", **KW)
    assert (s.loc[1, "frequency"], s.loc[1, "recency"], s.loc[1, "T"]) == (1, 13.0, 29.0)
    assert s.loc[2, "T"] == 28.0
    # the same instants counted in New York days: the first purchase stays on 1 January
    ny = rfm.summarize(_log(OFFSETS), observation_end="2024-01-31", tz="America/New_York", **KW)
    assert (ny.loc[1, "recency"], ny.loc[1, "T"], ny.loc[2, "T"]) == (14.0, 30.0, 29.0)
    aware = pd.Series(pd.to_datetime(["2024-01-01 23:00", "2024-01-15 00:00", "2024-01-03 00:00"])).dt.tz_localize("UTC")
    s = rfm.summarize(_log(aware), observation_end="2024-01-31", tz="Asia/Shanghai", **KW)
    assert s.loc[1, "T"] == 29.0  # 23:00 UTC is 07:00 on 2 January in Shanghai


@pytest.mark.parametrize("dates, message", [
    (["2024-01-01T10:00+02:00", "2024-01-15 10:00", "2024-01-03T10:00+02:00"], "mixes dates with a UTC offset"),
    ([pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-15"), pd.Timestamp("2024-01-03", tz="UTC")],
     "mixes time-zone aware"),
])
def test_naive_and_aware_mixed_are_refused_even_with_tz(dates, message):
    with pytest.raises(ValueError, match=message):
        rfm.summarize(_log(dates), observation_end="2024-01-31", tz="UTC", **KW)


def test_aware_window_end_needs_tz_and_is_converted():
    tx = _log(pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-03"]))
    with pytest.raises(ValueError, match="observation_end is time-zone aware"):
        rfm.summarize(tx, observation_end="2024-01-31T00:00+08:00", **KW)
    s = rfm.summarize(tx, observation_end="2024-01-31T02:00+08:00", tz="UTC", **KW)  # = 30 Jan 18:00 UTC
    assert s.loc[1, "T"] == 29.0
    with pytest.raises(ValueError, match="tz is not a time zone"):
        rfm.summarize(tx, observation_end="2024-01-31", tz="Mars/Olympus", **KW)


# --- numbers that are not finite -----------------------------------------------------------------

@pytest.mark.parametrize("row", [0, 1])  # a first purchase (no monetary effect) or a repeat purchase
def test_an_infinite_amount_is_refused(row):
    amounts = [1.0, 2.0, 3.0]
    amounts[row] = np.inf
    tx = _log(pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-03"]), amounts=amounts)
    with pytest.raises(ValueError, match=f"'m' is infinite at row {row}"):
        rfm.summarize(tx, observation_end="2024-01-31", **KW)


# --- T = 0: left out with a count and a warning, and the models accept the summary ------------------

def _t0_log():
    return pd.DataFrame({"id": [1, 1, 2, 3, 3, 4], "d": pd.to_datetime(
        ["2024-01-01", "2024-01-10", "2024-01-05", "2024-01-31", "2024-02-03", "2024-01-31 18:00"], format="ISO8601"),
        "m": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})


@pytest.mark.parametrize("kw", [{"observation_end": "2024-01-31"},
                                {"observation_end": "2024-02-29", "calibration_end": "2024-01-31"},
                                {"observation_end": "2024-01-31", "period": "W"}])
def test_zero_T_customers_are_left_out_with_a_count_and_a_warning(kw):
    with pytest.warns(DataWarning, match=r"2 customer\(s\) \(e\.g\. 3\).*T = 0.*left_out_zero_T"):
        s = rfm.summarize(_t0_log(), **{**KW, **kw})
    assert list(s.index) == [1, 2] and s.attrs["left_out_zero_T"] == 2
    assert (s["T"] > 0).all()
    fit = btyd.BetaGeo(s["frequency"], s["recency"], s["T"])  # raised "T must be positive" before
    assert np.isfinite(fit.loglike(np.array([1.0, 1.0, 1.0, 1.0])))


def test_keep_zero_T_keeps_them_and_nothing_is_warned():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        s = rfm.summarize(_t0_log(), observation_end="2024-01-31", keep_zero_T=True, **KW)
        assert list(s.index) == [1, 2, 3, 4] and s.attrs["left_out_zero_T"] == 0
        assert s.loc[[3, 4], "T"].tolist() == [0.0, 0.0]
        none = rfm.summarize(_t0_log().iloc[:3], observation_end="2024-01-31", **KW)
        assert none.attrs["left_out_zero_T"] == 0
    with pytest.raises(TypeError, match="keep_zero_T must be True or False"):
        rfm.summarize(_t0_log(), observation_end="2024-01-31", keep_zero_T="yes", **KW)


# --- the other function that takes dates: clv.repeat_transactions_by_period -----------------------

@pytest.mark.parametrize("start, message", [
    (20240101, r"start is a number \(20240101"),
    ("3000-01-01", "start '3000-01-01' is out of range"),
    ("2024-01-01T00:00+02:00", "start is time-zone aware"),
])
def test_clv_period_counts_refuse_unreadable_starts(start, message):
    from crmlib import clv

    tx = _log(pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-03"]))
    with pytest.raises(ValueError, match=message):
        clv.repeat_transactions_by_period(tx, customer_id="id", date="d", start=start, periods=4)


def test_clv_period_counts_refuse_an_aware_column():
    from crmlib import clv

    tx = _log(pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-03"]).tz_localize("UTC"))
    with pytest.raises(ValueError, match="'d' is time-zone aware"):
        clv.repeat_transactions_by_period(tx, customer_id="id", date="d", start="2024-01-01", periods=4)
