"""crmlib.migration: states, the Markov chain, its long run, Pfeifer-Carraway CLV and the bad-input rules."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import clv
from crmlib import migration as mg


@pytest.fixture()
def spend():
    # customers x quarters; customer 4 first buys in quarter 1
    return pd.DataFrame({0: [80.0, 20.0, 0.0, 0.0], 1: [0.0, 60.0, 10.0, 30.0], 2: [0.0, 0.0, 0.0, 90.0],
                         3: [5.0, 0.0, 0.0, 0.0]}, index=[1, 2, 3, 4])


def test_spend_states_follow_the_rule(spend):
    st = mg.spend_states(spend, high_spend=50)
    wide = st.pivot(index="customer", columns="period", values="state").astype(object)
    assert wide.loc[1].tolist() == ["high", "lapsed", "inactive", "low"]
    assert wide.loc[2].tolist() == ["low", "high", "lapsed", "inactive"]
    assert pd.isna(wide.loc[3, 0]) and wide.loc[3].tolist()[1:] == ["low", "lapsed", "inactive"]
    assert wide.loc[4].tolist()[1:] == ["low", "high", "lapsed"]
    assert (st["period"] >= 0).all() and len(st) == 4 + 4 + 3 + 3   # no state before the first purchase


def test_chain_counts_and_mle(spend):
    st = mg.spend_states(spend, high_spend=50)
    ch = mg.fit_markov_chain(st, period_days=91)
    assert ch.states == mg.STATES
    assert ch.counts.to_numpy().sum() == 3 + 3 + 2 + 2                # consecutive pairs per customer
    assert ch.counts.loc["lapsed", "inactive"] == 3 and ch.counts.loc["high", "lapsed"] == 3
    P = ch.transition_matrix
    assert np.allclose(P.sum(axis=1), 1.0)
    assert P.loc["low", "high"] == pytest.approx(2 / 3)              # low -> high twice, low -> lapsed once
    assert ch.revenue["high"] == pytest.approx((80 + 60 + 90) / 3) and ch.revenue["lapsed"] == 0.0
    assert ch.n_customers == 4 and ch.periods == (0, 1, 2, 3)
    assert ch.summary().loc[("low", "high"), "count"] == 2


def test_stationary_distribution_of_a_two_state_chain():
    a, b = 0.1, 0.3
    pi = mg.stationary_distribution(pd.DataFrame([[1 - a, a], [b, 1 - b]], index=["x", "y"], columns=["x", "y"]))
    assert pi.tolist() == pytest.approx([b / (a + b), a / (a + b)])
    assert mg.stationary_distribution([[0.5, 0.5], [0.0, 1.0]]).tolist() == pytest.approx([0.0, 1.0])  # absorbing


def test_two_closed_classes_have_no_single_long_run():
    with pytest.raises(ValueError, match="more than one stationary distribution"):
        mg.stationary_distribution([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.3, 0.3, 0.4]])


P3 = pd.DataFrame([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.05, 0.05, 0.9]], index=list("hlx"), columns=list("hlx"))
R3 = pd.Series({"h": 100.0, "l": 30.0, "x": 0.0})


@pytest.mark.parametrize("timing", ["start", "end"])
def test_pfeifer_carraway_closed_form_equals_the_long_sum(timing):
    d = 0.05
    closed = mg.migration_clv(P3, R3, d, None, timing=timing)
    long_sum = mg.migration_clv(P3, R3, d, 2_000, timing=timing)
    assert closed.to_numpy() == pytest.approx(long_sum.to_numpy(), rel=1e-10)
    Q = P3.to_numpy() / (1 + d)
    series = sum(np.linalg.matrix_power(Q, t) @ R3.to_numpy() for t in (range(0, 3) if timing == "start" else
                                                                         range(1, 4)))
    assert mg.migration_clv(P3, R3, d, 3, timing=timing).to_numpy() == pytest.approx(series)


def test_pfeifer_carraway_matches_the_retention_clv_of_chapter_05():
    # alive/dead chain with retention r: the alive customer's value is clv.clv's (margins at period starts)
    r, m, d = 0.8, 100.0, 0.1
    P = [[r, 1 - r], [0.0, 1.0]]
    v = mg.migration_clv(P, [m, 0.0], d, None, timing="start")
    assert v[0] == pytest.approx(clv.clv(m, r, d, None, timing="start"))
    assert mg.migration_clv(P, [m, 0.0], d, 7, timing="start")[0] == pytest.approx(clv.clv(m, r, d, 7, timing="start"))
    assert mg.migration_clv(P, [m, 0.0], d, None, timing="end")[0] == pytest.approx(
        clv.clv(m, r, d, None) * r)                                  # the end convention starts one transition later


def test_period_rate_and_chain_clv(spend):
    assert mg.period_rate(0.10, 91) == pytest.approx(1.1 ** 0.25 - 1)
    ch = mg.fit_markov_chain(mg.spend_states(spend, high_spend=50), period_days=91)
    assert ch.clv(0.10, 8).equals(mg.migration_clv(ch.transition_matrix, ch.revenue, mg.period_rate(0.10, 91), 8))


def test_period_windows():
    w = mg.period_windows("1997-01-01", "1998-06-30", 91)
    assert len(w) == 6 and w[0] == (pd.Timestamp("1997-01-01"), pd.Timestamp("1997-04-01"))
    assert w[2][1] == pd.Timestamp("1997-09-30")           # the CDNOW calibration ends with quarter 2
    assert w[5][1] == pd.Timestamp("1998-06-30")
    with pytest.raises(ValueError, match=r"not a whole number of 91-day periods .* end the observation on 1998-06-30"):
        mg.period_windows("1997-01-01", "1998-07-02", 91)


def test_bootstrap_is_seeded_and_brackets_the_estimates():
    rng = np.random.default_rng(0)
    spend = pd.DataFrame(rng.gamma(0.6, 60, size=(300, 5)) * (rng.random((300, 5)) < 0.5))
    spend[0] = spend[0] + 1.0          # everyone buys in period 0
    ch = mg.fit_markov_chain(mg.spend_states(spend, high_spend=50), period_days=91)
    a = ch.bootstrap(200, np.random.default_rng(7))
    b = ch.bootstrap(200, np.random.default_rng(7))
    assert np.array_equal(a.draws, b.draws, equal_nan=True)
    ci = a.conf_int()
    ok = ci["estimate"].between(ci["lower"] - 1e-12, ci["upper"] + 1e-12)
    assert ok.all()
    s = a.stationary_conf_int()
    assert s["estimate"].sum() == pytest.approx(1.0) and (s["lower"] <= s["estimate"]).all()
    v = a.clv_conf_int(0.10, 12, timing="end")
    assert (v["lower"] <= v["estimate"]).all() and (v["estimate"] <= v["upper"]).all()
    m = ch.bootstrap(100, np.random.default_rng(7), method="multinomial")
    assert m.draws.shape == (100, 4, 4) and np.allclose(np.nansum(m.draws, axis=2), 1.0)


def test_predict_and_clv_by_state(spend):
    st = mg.spend_states(spend, high_spend=50)
    ch = mg.fit_markov_chain(st, period_days=91)
    mix = ch.predict({"high": 1.0, "low": 0.0, "lapsed": 0.0, "inactive": 0.0}, 2)
    assert mix.iloc[1].tolist() == pytest.approx(ch.transition_matrix.loc["high"].tolist())
    values = pd.Series([10.0, 20.0, 30.0, 40.0], index=[1, 2, 3, 4])
    tab = mg.clv_by_state(st, values, ch.clv(0.1, 4), period=1)
    assert tab.loc["high", "mean_value"] == 20.0 and tab.loc["low", "customers"] == 2
    assert tab.loc["low", "mean_value"] == 35.0


# ------------------------------------------------------------------ bad inputs
def _long(rows):
    return pd.DataFrame(rows, columns=["customer", "period", "state"])


def test_a_matrix_needs_two_periods():
    with pytest.raises(ValueError, match="states cover only period 3; a transition matrix needs states in at least"):
        mg.fit_markov_chain(_long([(1, 3, "a"), (2, 3, "b")]), spend=None)
    with pytest.raises(ValueError, match="no customer has states in two consecutive periods"):
        mg.fit_markov_chain(_long([(1, 0, "a"), (2, 2, "b")]), spend=None)


def test_a_customer_cannot_be_in_two_segments_at_once():
    st = _long([(7, 0, "a"), (7, 1, "b"), (7, 1, "a"), (8, 0, "b"), (8, 1, "a")])
    with pytest.raises(ValueError, match=r"customer 7 is in two segments in period 1 \('b' and 'a', rows 1 and 2\)"):
        mg.fit_markov_chain(st, spend=None)


def test_a_state_never_left_is_refused():
    with pytest.raises(ValueError, match="state 'b' is never left"):
        mg.fit_markov_chain(_long([(1, 0, "a"), (1, 1, "b"), (2, 0, "a"), (2, 1, "a")]), spend=None)


def test_states_outside_the_order_and_fractional_periods():
    with pytest.raises(ValueError, match="holds 'c', which is not among the states"):
        mg.fit_markov_chain(_long([(1, 0, "a"), (1, 1, "c")]), spend=None, order=["a", "b"])
    with pytest.raises(ValueError, match="column 'period' is not a whole number at row 1"):
        mg.fit_markov_chain(_long([(1, 0.0, "a"), (1, 0.5, "b")]), spend=None)


@pytest.mark.parametrize("P, msg", [
    ([[0.5, 0.4], [0.2, 0.8]], r"P row 0 sums to 0.9, not 1"),
    (pd.DataFrame([[0.9, 0.1], [0.3, 0.6]], index=["x", "y"], columns=["x", "y"]), r"P row 'y' sums to 0.9, not 1"),
    ([[1.2, -0.2], [0.2, 0.8]], r"P\[0, 0\] = 1.2 is not a probability"),
    ([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0]], "must be a square matrix"),
    ([[np.nan, 1.0], [0.2, 0.8]], r"P\[0, 0\] is not finite"),
    (pd.DataFrame([[1.0, 0.0], [0.0, 1.0]], index=["x", "y"], columns=["y", "x"]), "same states in the same order"),
])
def test_bad_transition_matrices(P, msg):
    with pytest.raises(ValueError, match=msg):
        mg.migration_clv(P, [1.0] * 2, 0.1)


def test_bad_revenue_discount_and_horizon():
    with pytest.raises(ValueError, match=r"revenue\['l'\] is negative \(-5.0\)"):
        mg.migration_clv(P3, {"h": 100.0, "l": -5.0, "x": 0.0}, 0.1)
    with pytest.raises(ValueError, match="revenue has no value for state 'x'"):
        mg.migration_clv(P3, {"h": 100.0, "l": 5.0}, 0.1)
    with pytest.raises(ValueError, match="revenue has 2 entries but P has 3 states"):
        mg.migration_clv(P3, [1.0, 2.0], 0.1)
    with pytest.raises(ValueError, match="infinite horizon needs a positive discount rate"):
        mg.migration_clv(P3, R3, 0.0)
    with pytest.raises(ValueError, match="discount must be > -1"):
        mg.migration_clv(P3, R3, -1.0, 5)
    with pytest.raises(ValueError, match="horizon must be >= 1"):
        mg.migration_clv(P3, R3, 0.1, 0)
    with pytest.raises(ValueError, match="timing must be one of"):
        mg.migration_clv(P3, R3, 0.1, timing="middle")


def test_negative_spend_in_states_is_refused(spend):
    bad = spend.copy()
    bad.loc[3, 2] = -4.0
    with pytest.raises(ValueError, match=r"spend column 2 is negative at row 3 \(-4.0\)"):
        mg.spend_states(bad, high_spend=50)
    st = mg.spend_states(spend, high_spend=50)
    st.loc[5, "spend"] = -1.0
    with pytest.raises(ValueError, match=r"states column 'spend' is negative at row 5"):
        mg.fit_markov_chain(st)
    with pytest.raises(ValueError, match="consecutive integer periods"):
        mg.spend_states(spend[[0, 2]], high_spend=50)
    with pytest.raises(ValueError, match="high_spend must be > 0"):
        mg.spend_states(spend, high_spend=0)
