"""Time units that cannot be mixed up (issue 22 §2).

A summary carries its period in ``attrs``, the fits remember the unit of the data they were fitted
on, and the CLV takes a rate per year and horizons in the data's unit. The headline bug: a summary
in days gave a mean CLV 23 % below the same log in weeks, because every period was taken for a week.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib import datasets
from crmlib.clv import btyd, rfm, value

#: The same one-year CLV in each unit: (period, horizon, step). 364 days = 52 weeks; 12 months of the
#: mean length are 365.2425 days, 0.3 % more.
UNITS = (("D", 364, 28), ("W", 52, 4), ("M", 12, 1))
#: Day and week summaries hold the same occasions and times (the week's are the day's / 7): their CLVs
#: differ only by the year's length in the discounting (365 days against 52 weeks = 364 days).
DAY_WEEK_TOLERANCE = 0.002
#: Months of the mean length (30.436875 days) add the 0.3 % longer horizon and monthly steps.
MONTH_TOLERANCE = 0.01


def _log(n: int = 3000, seed: int = 11) -> pd.DataFrame:
    """A seeded log of ``n`` customers over 2022-2023: first purchases in the first 12 weeks, then
    repeat purchases at a gamma-distributed daily rate until a beta-geometric dropout (BG/NBD-like),
    spend per purchase gamma around each customer's own mean."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.6, 1 / 60.0, n)       # purchases a day while alive (mean 0.01)
    dropout = rng.beta(0.8, 3.0, n)
    first = rng.integers(0, 84, n)
    mean_spend = rng.gamma(4.0, 10.0, n)
    ids, days, amounts = [], [], []
    for i in range(n):
        gaps = rng.exponential(1 / rate[i], rng.geometric(dropout[i]))
        repeat = first[i] + np.floor(np.cumsum(gaps)).astype(int)
        d = np.r_[first[i], repeat[repeat <= 729]]
        ids.append(np.full(d.size, i))
        days.append(d)
        amounts.append(rng.gamma(3.0, mean_spend[i] / 3.0, d.size))
    return pd.DataFrame({"customer": np.concatenate(ids),
                         "date": pd.Timestamp("2022-01-01") + pd.to_timedelta(np.concatenate(days), unit="D"),
                         "amount": np.round(np.concatenate(amounts), 2)})


def _summary(tx: pd.DataFrame, period: str, collapse: str = "D") -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # T = 0 customers left out (none here)
        return rfm.summarize(tx, customer_id="customer", date="date", amount="amount", period=period,
                             collapse=collapse, observation_end="2023-12-31")


def _fits(summary: pd.DataFrame, **kw) -> tuple:
    bg = btyd.BetaGeo(summary["frequency"], summary["recency"], summary["T"], **kw).fit()
    rep = summary[summary["frequency"] > 0]
    return bg, btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit()


@pytest.fixture(scope="module")
def by_unit():
    tx = _log()
    out = {}
    for period, horizon, step in UNITS:
        s = _summary(tx, period)
        bg, gg = _fits(s)
        out[period] = {"summary": s, "bg": bg, "gg": gg, "horizon": horizon, "step": step,
                       "clv": value.customer_lifetime_value(bg, gg, s, horizon=horizon, step=step, discount=0.10)}
    return out


def test_the_same_log_by_day_week_and_month_gives_the_same_clv(by_unit):
    mean = {p: float(u["clv"].mean()) for p, u in by_unit.items()}
    print("mean CLV by unit:", {p: round(v, 3) for p, v in mean.items()})
    assert mean["D"] == pytest.approx(mean["W"], rel=DAY_WEEK_TOLERANCE)
    assert mean["M"] == pytest.approx(mean["W"], rel=MONTH_TOLERANCE)
    # per customer too, not only on average
    assert np.allclose(by_unit["D"]["clv"], by_unit["W"]["clv"], rtol=DAY_WEEK_TOLERANCE)
    # the old rule (a period is a week: step / 52 years) discounts 28-day steps as 28-week ones
    u = by_unit["D"]
    f, r, T = (u["summary"][c] for c in ("frequency", "recency", "T"))
    cum = np.column_stack([np.zeros(len(f))] + [u["bg"].expected_purchases(t, f, r, T).to_numpy()
                                                 for t in range(28, 365, 28)])
    spend = u["gg"].expected_spend(f, u["summary"]["monetary_value"]).to_numpy()
    as_weeks = value.discounted_clv(cum, spend, 0.10, step_years=28 / 52).mean()
    assert as_weeks < 0.85 * mean["W"]  # the silent gap the issue reported (-23 % on its log)


def test_summaries_and_fits_carry_their_unit(by_unit):
    for period, u in by_unit.items():
        assert u["summary"].attrs["period"] == period and u["bg"].period == period
        assert u["summary"].attrs["calendar_period"] is False
    assert by_unit["W"]["summary"].attrs["period_days"] == 7.0
    assert by_unit["M"]["summary"].attrs["period_days"] == pytest.approx(365.2425 / 12)
    assert by_unit["W"]["bg"].periods_per_year == 52 and by_unit["D"]["bg"].periods_per_year == 365
    # the estimates scale with the unit: alpha (a time scale) in days is 7 times that in weeks
    assert by_unit["D"]["bg"].params["alpha"] == pytest.approx(7 * by_unit["W"]["bg"].params["alpha"], rel=1e-6)
    calendar = _summary(_log(300), "M", collapse="M")
    assert calendar.attrs["calendar_period"] is True and calendar.attrs["period"] == "M"


def test_a_fit_and_a_summary_in_different_units_are_refused(by_unit):
    day, week = by_unit["D"], by_unit["W"]
    with pytest.raises(ValueError, match=r"time units disagree \(purchase_fit.period 'D', summary.attrs\['period'\] 'W'\)"):
        value.customer_lifetime_value(day["bg"], day["gg"], week["summary"], horizon=52, step=4, discount=0.10)
    with pytest.raises(ValueError, match="time units disagree"):
        value.customer_lifetime_value(week["bg"], week["gg"], week["summary"], horizon=52, step=4, discount=0.10,
                                      period="D")
    s = week["summary"]
    with pytest.raises(ValueError, match=r"time units disagree \(the fit 'D', .*'W'"):
        day["bg"].expected_purchases(52, s["frequency"], s["recency"], s["T"])
    with pytest.raises(ValueError, match="time units disagree"):
        btyd.BetaGeo(s["frequency"], s["recency"], s["T"], period="D")


def test_a_unit_nobody_states_is_refused_not_guessed(by_unit):
    s = by_unit["D"]["summary"]
    plain = btyd.BetaGeo(s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()).fit()
    assert plain.period is None and plain.periods_per_year is None
    gg = by_unit["D"]["gg"]
    with pytest.raises(ValueError, match="purchase_fit does not know the time unit.*period='D'"):
        value.customer_lifetime_value(plain, gg, s, horizon=364, step=28, discount=0.10)
    bare = pd.DataFrame(s)  # a copy ...
    bare.attrs = {}         # ... that lost its attrs (read back from a CSV, say)
    with pytest.raises(ValueError, match="the time unit is unknown"):
        value.customer_lifetime_value(plain, gg, bare, horizon=364, step=28, discount=0.10)
    stated = value.customer_lifetime_value(plain, gg, bare, horizon=364, step=28, discount=0.10, period="D")
    np.testing.assert_allclose(stated, by_unit["D"]["clv"], rtol=1e-6)
    explicit = btyd.BetaGeo(s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy(), period="D").fit()
    assert explicit.period == "D"
    with pytest.raises(ValueError, match="period must be one of"):
        btyd.BetaGeo([1, 0], [2.0, 0.0], [5.0, 5.0], period="weeks")


def test_discounted_clv_needs_the_length_of_a_step():
    cum = np.array([[0.0, 1.0, 2.0]])
    with pytest.raises(TypeError, match="step_years"):
        value.discounted_clv(cum, [10.0], 0.10)
    # a rate per year: two half-year steps discount the second purchase by one full year
    got = value.discounted_clv(cum, [10.0], 0.10, step_years=0.5)[0]
    assert got == pytest.approx(10 / 1.1 ** 0.5 + 10 / 1.1)


def test_cdnow_summary_states_its_windows_in_weeks():
    s = datasets.cdnow_summary("cdnow_sample")
    a = s.attrs
    assert (a["period"], a["collapse"], a["period_days"], a["calendar_period"]) == ("W", "D", 7.0, False)
    assert a["calibration_periods"] == (1, 39) and a["holdout_periods"] == (40, 78)
    assert a["start"] == "1997-01-01T00:00:00" and a["calibration_end"].startswith("1997-09-30")


def test_windows_are_counted_from_the_first_transaction_for_any_holdout():
    tx = pd.DataFrame({"id": [1, 1, 2, 2], "day": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-01-10",
                                                                  "2024-04-20"])})
    s = rfm.summarize(tx, customer_id="id", date="day", observation_end=pd.Timestamp("2024-01-01")
                      + pd.Timedelta(weeks=56) - pd.Timedelta(days=1),
                      calibration_end=pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=39) - pd.Timedelta(days=1))
    assert s.attrs["calibration_periods"] == (1, 39) and s.attrs["holdout_periods"] == (40, 56)
    m = rfm.summarize(tx, customer_id="id", date="day", period="M", collapse="M", observation_end="2024-12-31",
                      calibration_end="2024-06-30")
    assert m.attrs["calibration_periods"] == (1, 6) and m.attrs["holdout_periods"] == (7, 12)


def test_projections_in_time_refuse_another_unit(by_unit):
    week = by_unit["W"]["bg"]
    got = value.expected_repeat_by_period(week.expected_purchases_new, [0.0, 2.0], 10, period="W")
    assert got.iloc[-1] == pytest.approx(week.expected_purchases_new(10.0) + week.expected_purchases_new(8.0))
    with pytest.raises(ValueError, match=r"time units disagree \(period 'D', the fit of expected_new 'W'\)"):
        value.expected_repeat_by_period(week.expected_purchases_new, [0.0, 2.0], 10, period="D")
