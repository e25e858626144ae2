"""crmlib.survival on hand calculations and on the IBM Telco sample: Kaplan–Meier, log-rank, Cox with its
proportional-hazards check, churn by services, expected revenue, the what-if, the bad-input rules and figures."""
from __future__ import annotations

import math
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlib import datasets  # noqa: E402
from crmlib import survival as sv  # noqa: E402
from crmlib.plotting import survival as pv  # noqa: E402

# six customers: churned at 1, 2, 3, 6; still there (censored) at 2 and 5
SIX = pd.DataFrame({"tenure": [1, 2, 2, 3, 5, 6], "event": [1, 1, 0, 1, 0, 1]}, index=np.arange(10, 16))


@pytest.fixture(scope="module")
def telco():
    return sv.telco_customers()


@pytest.fixture(scope="module")
def cox(telco):
    return sv.fit_cox(telco, **sv.TELCO_COX)


# ------------------------------------------------------------------ the data file
def test_wa_churn_is_the_ibm_sample_as_shipped():
    raw = datasets.load("wa_churn")
    assert raw.shape == (7043, 21)
    assert raw["rownames"].tolist() == list(range(1, 7044))
    missing = raw["total_charges"].isna()
    assert missing.sum() == 11 and (raw.loc[missing, "tenure"] == 0).all()
    assert (raw["tenure"] == 0).sum() == 11            # exactly the customers without total charges
    assert raw["tenure"].max() == sv.TELCO_WINDOW
    assert set(raw["contract"]) == set(sv.TELCO_CONTRACTS)
    assert set(raw["payment_method"]) == set(sv.TELCO_PAYMENT_METHODS)


def test_telco_customers_adds_event_and_service_counts(telco):
    assert len(telco) == 7043                          # nothing dropped
    assert telco["event"].sum() == 1869
    assert telco["n_addons"].between(0, 6).all() and telco["n_services"].between(1, 8).all()
    no_internet = telco["internet_service"] == "No"
    assert (telco.loc[no_internet, "n_addons"] == 0).all()
    assert (telco["n_services"] == telco["n_addons"] + telco["phone_service"] + (~no_internet)).all()
    bad = datasets.load("wa_churn")
    bad.loc[5, "churn"] = "Maybe"
    with pytest.raises(ValueError, match=r"raw\['churn'\]\[5\] is 'Maybe'"):
        sv.telco_customers(bad)
    bad = datasets.load("wa_churn")
    bad.loc[8, "tech_support"] = "Sometimes"
    with pytest.raises(ValueError, match=r"raw\['tech_support'\] at row 8 is 'Sometimes'"):
        sv.telco_customers(bad)


def test_telco_churn_share(telco):
    s = sv.churn_share(telco)
    assert (s["n"], s["churned"]) == (7043, 1869)
    assert s["share"] == pytest.approx(1869 / 7043) and round(100 * s["share"], 1) == 26.5
    assert s["lower"] < s["share"] < s["upper"]


# ------------------------------------------------------------------ Kaplan–Meier
def test_kaplan_meier_matches_the_hand_calculation():
    km = sv.kaplan_meier(SIX)
    # S(1) = 5/6; S(2) = 5/6 * 4/5; S(3) = 2/3 * 2/3 (3 at risk at 3); S(6) = 4/9 * 0/1
    assert km.table.index.tolist() == [1, 2, 3, 6]
    assert km.table["survival"].tolist() == pytest.approx([5 / 6, 2 / 3, 4 / 9, 0])
    assert km.table["n_risk"].tolist() == [6, 5, 3, 1]
    # Greenwood at t = 1: S sqrt(d / (n (n - d))) = 5/6 sqrt(1/30)
    assert km.table["se"].iloc[0] == pytest.approx(5 / 6 * math.sqrt(1 / 30))
    # log(-log) band at t = 1: sigma = sqrt(1/30) / |log(5/6)|, S^exp(+-1.96 sigma)
    sigma = math.sqrt(1 / 30) / abs(math.log(5 / 6))
    z = 1.959963984540054
    assert km.table["lower"].iloc[0] == pytest.approx((5 / 6) ** math.exp(z * sigma))
    assert km.table["upper"].iloc[0] == pytest.approx((5 / 6) ** math.exp(-z * sigma))
    s = km.survival_at([0, 0.5, 1, 2.5, 5.5, 6])
    assert s["survival"].tolist() == pytest.approx([1, 1, 5 / 6, 2 / 3, 4 / 9, 0])
    assert s.loc[0.5, "lower"] == 1 and s.loc[0.5, "upper"] == 1
    assert (km.n, km.n_events, km.last_time) == (6, 4, 6)


def test_the_curve_says_nothing_after_the_last_observed_time():
    km = sv.kaplan_meier(SIX)
    with pytest.raises(ValueError, match="t = 7, after the longest observed duration"):
        km.survival_at(7)
    with pytest.raises(ValueError, match="times.*negative"):
        km.survival_at(-1)


def test_monthly_retention_read_off_the_curve(telco):
    km = sv.kaplan_meier(telco)
    r = km.monthly_retention(1, 12)
    assert np.prod(r["retention"]) == pytest.approx(km.survival_at(12)["survival"].iloc[0])
    assert r.loc[1, "retention"] == pytest.approx(km.survival_at(1)["survival"].iloc[0])
    avg = km.average_monthly_retention(12)
    assert avg ** 12 == pytest.approx(km.survival_at(12)["survival"].iloc[0])
    assert r["retention"].min() < avg < r["retention"].max()
    assert len(km.monthly_retention()) == 72


def test_telco_retention_overall_and_by_contract(telco):
    km = sv.kaplan_meier(telco, window=sv.TELCO_WINDOW)
    s = km.survival_at([12, 24, 72])["survival"]
    assert s.tolist() == pytest.approx([0.8432, 0.7887, 0.5928], abs=5e-4)
    by = sv.kaplan_meier_by(telco, "contract", order=sv.TELCO_CONTRACTS)
    tab = sv.retention_at(by, (12, 24, 72)).set_index(["group", "time"])
    for t in (12, 24, 72):
        mtm, one, two = (tab.loc[(c, t), "survival"] for c in sv.TELCO_CONTRACTS)
        assert mtm < one <= two
    assert tab.loc[("Month-to-month", 12), "survival"] == pytest.approx(0.7031, abs=5e-4)
    assert tab.loc[("Two year", 72), "survival"] == pytest.approx(0.9357, abs=5e-4)
    assert ((tab["lower"] <= tab["survival"]) & (tab["survival"] <= tab["upper"])).all()
    assert sv.retention_at(km, [12])["group"].tolist() == ["all"]


def test_logrank_by_contract(telco):
    r = sv.logrank_test(telco, "contract")
    assert r.df == 2 and r.statistic == pytest.approx(2352.87, abs=0.05) and r.pvalue < 1e-100
    assert r.table["events"].sum() == 1869 and r.table["n"].sum() == 7043
    # two identical groups: no evidence of a difference
    twice = pd.concat([SIX.assign(g="a"), SIX.assign(g="b")], ignore_index=True)
    same = sv.logrank_test(twice, "g")
    assert same.statistic == pytest.approx(0, abs=1e-12) and same.pvalue == pytest.approx(1)


# ------------------------------------------------------------------ Cox
def test_cox_hazard_ratios_on_telco(cox):
    hr = cox.hazard_ratios(units={"monthly_charges": 10})
    assert np.isfinite(hr[["hazard_ratio", "lower", "upper"]].to_numpy()).all()
    one, two = hr.loc["contract[One year]", "hazard_ratio"], hr.loc["contract[Two year]", "hazard_ratio"]
    assert two < one < 1
    assert hr.loc["contract[Two year]", "upper"] < hr.loc["contract[One year]", "lower"]
    assert hr.loc["contract[One year]", "baseline"] == "Month-to-month"
    assert hr.loc["n_addons", "hazard_ratio"] < 1 and hr.loc["monthly_charges", "hazard_ratio"] > 1
    assert hr.loc["monthly_charges", "hazard_ratio"] == pytest.approx(math.exp(10 * cox.params["monthly_charges"]))
    assert ((hr["lower"] < hr["hazard_ratio"]) & (hr["hazard_ratio"] < hr["upper"])).all()
    assert hr.attrs == {"nobs": 7043, "n_events": 1869, "confidence": 0.95}
    assert set(cox.summary().columns) >= {"coef", "se", "z", "pvalue", "hazard_ratio"}
    assert cox.conf_int(0.1).shape == (7, 2)


def test_breslow_baseline_is_statsmodels_unlagged(cox):
    h0 = cox.cumulative_baseline_hazard()
    times, lagged, _ = cox.result.baseline_cumulative_hazard[0]
    assert np.allclose(h0.index, times)
    assert np.allclose(h0.to_numpy()[:-1], lagged[1:])      # statsmodels gives H0 just before each event time
    assert h0.is_monotonic_increasing


def test_cox_on_a_planted_hazard_ratio_and_the_ph_test():
    rng = np.random.default_rng(8)
    n = 3000
    x = rng.integers(0, 2, n)
    t = rng.exponential(1 / np.where(x == 1, 2.0, 1.0))     # hazard ratio 2, constant in time
    c = rng.uniform(0, 2, n)
    d = pd.DataFrame({"time": np.minimum(t, c), "event": (t <= c).astype(int), "x": x})
    m = sv.fit_cox(d, "time", "event", numeric="x")
    ci = m.hazard_ratios(alpha=0.01)
    assert ci.loc["x", "lower"] < 2 < ci.loc["x", "upper"]
    assert m.ph_test().loc["x", "pvalue"] > 0.05
    # a non-proportional effect: x = 1 has a rising hazard (Weibull shape 2), x = 0 a constant one
    t2 = np.where(x == 1, rng.weibull(2.0, n), rng.exponential(1.0, n))
    d2 = pd.DataFrame({"time": np.minimum(t2, c), "event": (t2 <= c).astype(int), "x": x})
    ph = sv.fit_cox(d2, "time", "event", numeric="x").ph_test()
    assert ph.loc["x", "pvalue"] < 1e-4 and ph.loc["x", "rho"] > 0
    assert ph.loc["GLOBAL", "df"] == 1 and ph.loc["GLOBAL", "chi2"] == pytest.approx(ph.loc["x", "chi2"])
    for tr in ("rank", "identity", "log"):
        assert sv.fit_cox(d2, "time", "event", numeric="x").ph_test(tr).loc["x", "pvalue"] < 1e-3


def test_ph_test_on_telco_flags_the_contract(cox):
    ph = cox.ph_test()
    assert list(ph.index) == [*cox.terms, "GLOBAL"] and ph.loc["GLOBAL", "df"] == 7
    assert ph.loc["contract[One year]", "pvalue"] < 1e-6      # the effect of a contract is not constant in time
    res = cox.scaled_schoenfeld()
    assert len(res) == 1869 and list(res.columns) == ["time", *cox.terms]


def test_predicted_survival_and_the_whatif(cox):
    prof = {"contract": "Month-to-month", "n_addons": 2, "monthly_charges": 70.0,
            "payment_method": "Electronic check"}
    s = cox.predict_survival(prof, [0, 12, 24])
    assert s.iloc[0, 0] == 1 and s.iloc[0, 0] > s.iloc[0, 1] > s.iloc[0, 2] > 0
    w = sv.whatif_retention(cox, prof)
    assert list(w.index) == ["base", "contract=One year", "contract=Two year", "n_addons+1"]
    assert w.loc["base", "change_pts"] == 0 and w.loc["base", "relative_hazard"] == pytest.approx(1)
    assert w.loc["base", "retention"] < w.loc["contract=One year", "retention"] < w.loc["contract=Two year", "retention"]
    assert w.loc["n_addons+1", "change_pts"] > 0
    assert w.loc["contract=Two year", "relative_hazard"] == pytest.approx(
        cox.hazard_ratios().loc["contract[Two year]", "hazard_ratio"])
    custom = sv.whatif_retention(cox, prof, {"add a service, pay 10 more": {"n_addons": 3, "monthly_charges": 80.0}},
                                 month=24)
    assert custom.loc["add a service, pay 10 more", "relative_hazard"] == pytest.approx(
        math.exp(cox.params["n_addons"] + 10 * cox.params["monthly_charges"]))
    with pytest.raises(ValueError, match="lacks the column"):
        sv.whatif_retention(cox, {"contract": "One year"})
    with pytest.raises(ValueError, match=r"is 'Three year', not a level the model knows"):
        sv.whatif_retention(cox, {**prof, "contract": "Three year"})
    with pytest.raises(ValueError, match="after the longest observed duration"):
        cox.predict_survival(prof, [80])


def test_telco_scenarios_list_only_possible_changes(cox):
    prof = {"contract": "Month-to-month", "n_addons": 1, "monthly_charges": 70.0,
            "payment_method": "Electronic check"}
    sc = sv.telco_scenarios(prof)
    assert list(sc) == ["contract=One year", "contract=Two year", "n_addons+1", "payment=Credit card (automatic)",
                        "monthly_charges-10"]
    assert sc["n_addons+1"] == {"n_addons": 2} and sc["monthly_charges-10"] == {"monthly_charges": 60.0}
    w = sv.whatif_retention(cox, prof, sc)
    assert w.attrs["month"] == 12 and list(w.index)[1:] == list(sc)
    assert w.loc["payment=Credit card (automatic)", "relative_hazard"] == pytest.approx(
        cox.hazard_ratios().loc["payment_method[Credit card (automatic)]", "hazard_ratio"])
    # a customer at the edges: every add-on, already paying automatically, at the lowest charge in the data
    edge = {"contract": "Two year", "n_addons": 6, "monthly_charges": 20.0, "payment_method": "Bank transfer (automatic)"}
    assert list(sv.telco_scenarios(edge)) == ["contract=Month-to-month", "contract=One year"]
    assert min(telco_min := sv.telco_customers()["monthly_charges"]) == 18.25 and telco_min.size == 7043
    with pytest.raises(ValueError, match="lacks the column"):
        sv.telco_scenarios({"contract": "One year"})
    with pytest.raises(ValueError, match=r"profile\['contract'\] must be one of"):
        sv.telco_scenarios({**prof, "contract": "Ten year"})
    with pytest.raises(ValueError, match=r"whole number of add-on services, got 1.5"):
        sv.telco_scenarios({**prof, "n_addons": 1.5})
    with pytest.raises(ValueError, match=r"n_addons"):
        sv.telco_scenarios({**prof, "n_addons": 7})
    with pytest.raises(ValueError, match="charge_step"):
        sv.telco_scenarios(prof, charge_step=0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_whatif_chart_names_each_change(cox, lang):
    prof = {"contract": "Month-to-month", "n_addons": 1, "monthly_charges": 70.0,
            "payment_method": "Electronic check"}
    w = sv.whatif_retention(cox, prof, sv.telco_scenarios(prof))
    ax = pv.whatif_chart(w, lang=lang)
    ticks = [x.get_text() for x in ax.get_yticklabels()]
    assert len(ticks) == len(w) and "12" in ax.get_title()
    best = w.drop(index="base")["change_pts"].idxmax()
    by_height = [tk.get_text() for tk in sorted(ax.get_yticklabels(), key=lambda tk: -tk.get_position()[1])]
    flat = [re.sub(r"\s", "", x) for x in by_height]            # wrap_label breaks long names over lines
    assert flat[:2] == [re.sub(r"\s", "", pv.scenario_label(w, s, lang)) for s in ("base", best)]
    label = pv.scenario_label(w, "contract=Two year", lang)
    assert label == ("Contract: Month-to-month → Two year" if lang == "en" else "合同类型：按月 → 两年")
    assert "70" in pv.scenario_label(w, "monthly_charges-10", lang) and "60" in pv.scenario_label(w, "monthly_charges-10", lang)
    both = sv.whatif_retention(cox, prof, {"x": {"n_addons": 2, "contract": "One year"}})
    assert pv.scenario_label(both, "x", lang).count("→") == 2
    with pytest.raises(TypeError, match="whatif_retention"):
        pv.whatif_chart(w.drop(index="base"))
    with pytest.raises(KeyError, match="nope"):
        pv.scenario_label(w, "nope", lang)
    plt.close("all")


# ------------------------------------------------------------------ churn by services vs the printed claim
def test_churn_by_services(telco):
    tab = sv.churn_by_services(telco)
    assert tab.index.tolist() == [str(k) for k in range(1, 9)] and tab["n"].sum() == 7043
    assert tab["churned"].sum() == 1869
    assert ((tab["churn_lower"] <= tab["churn_rate"]) & (tab["churn_rate"] <= tab["churn_upper"])).all()
    assert np.allclose(tab["kept"], 1 - tab["churn_rate"])
    assert tab.loc["1", "churn_rate"] == pytest.approx(148 / 1606)
    top = sv.churn_by_services(telco, top=4)
    assert top.index.tolist() == ["1", "2", "3", "4+"] and top.loc["4+", "n"] == tab.loc[["4", "5", "6", "7", "8"], "n"].sum()
    with pytest.raises(ValueError, match="no customer holds 9 or more"):
        sv.churn_by_services(telco, top=9)


def test_profile_by_services_describes_each_group(telco):
    prof = sv.profile_by_services(telco)
    by = sv.churn_by_services(telco)
    assert list(prof.index) == list(by.index) and (prof["n"] == by["n"]).all()
    one = telco[telco["n_services"] == 1]
    assert prof.loc["1", "phone_only"] == pytest.approx((one["internet_service"] == "No").mean())
    assert prof.loc["1", "phone_only"] > 0.9 and prof.loc["2", "month_to_month"] > 0.9      # the Telco facts
    assert prof["monthly_charges"].is_monotonic_increasing and prof["tenure"].iloc[-1] > prof["tenure"].iloc[1]
    assert prof.loc["8", "monthly_charges"] == pytest.approx(telco.loc[telco["n_services"] == 8, "monthly_charges"].mean())
    bad = telco.head(5).assign(n_services=[1, 2, 2.5, 3, 1])
    with pytest.raises(ValueError, match=r"n_services"):
        sv.profile_by_services(bad)
    with pytest.raises(ValueError, match="contract"):
        sv.profile_by_services(telco.drop(columns="contract"))


def test_services_vs_the_printed_claim(telco):
    cmp = sv.services_vs_printed(telco, datasets.load("crosssell_retention"))
    assert cmp.index.tolist() == ["checking_only", "savings_only", "both_accounts", "three_services", "four_or_more"]
    assert cmp["printed_kept_pct"].tolist() == [1, 0.5, 10, 18, 100]
    assert cmp["n_services"].tolist() == ["1", "1", "2", "3", "4+"]
    # on real data the claim fails everywhere: far more than 1 % / 10 % / 18 % are kept, and not 100 % with 4+
    assert not cmp["printed_in_ci"].any()
    assert cmp.loc["four_or_more", "kept_pct"] == pytest.approx(100 * (1 - 913 / 3714), abs=0.05)


# ------------------------------------------------------------------ expected revenue
def test_expected_revenue_by_hand_and_its_horizon_rules():
    km = sv.kaplan_meier(SIX)
    # no discounting, horizon = 6 months: 1 + 5/6 + 2/3 + 4/9 + 4/9 + 4/9 months of charges
    r = sv.expected_revenue(km, 30.0, annual_rate=0.0)
    assert r.horizon == 6 and r.value == pytest.approx(30 * (1 + 5 / 6 + 2 / 3 + 3 * 4 / 9))
    r10 = sv.expected_revenue(km, 30.0, annual_rate=0.10, horizon=3)
    d = 1 / 1.1 ** (1 / 12)
    assert r10.value == pytest.approx(30 * (1 + 5 / 6 * d + 2 / 3 * d ** 2))
    assert r10.monthly_rate == pytest.approx(1.1 ** (1 / 12) - 1)
    assert r10.schedule["revenue"].sum() == pytest.approx(r10.value)
    with pytest.raises(ValueError, match="after the longest observed duration"):
        sv.expected_revenue(km, 30.0, horizon=12)
    with pytest.raises(ValueError, match="whole number of months"):
        sv.expected_revenue(km, 30.0, horizon=2.5)
    with pytest.raises(ValueError, match="monthly_charge must be >= 0"):
        sv.expected_revenue(km, -5.0)


def test_expected_revenue_on_telco_with_a_stated_extrapolation(telco):
    km = sv.kaplan_meier(telco)
    m = float(telco["monthly_charges"].mean())
    r72 = sv.expected_revenue(km, m)
    assert r72.horizon == 72 and r72.tail_retention is None and "horizon 72" in r72.assumption
    assert 0 < r72.value < 72 * m
    r120 = sv.expected_revenue(km, m, horizon=120, beyond="geometric")
    life = sv.expected_revenue(km, m, horizon=float("inf"), beyond="geometric")
    assert r72.value < r120.value < life.value
    q = (km.survival_at(72)["survival"].iloc[0] / km.survival_at(60)["survival"].iloc[0]) ** (1 / 12)
    assert life.tail_retention == pytest.approx(q) and "after month 72" in life.assumption
    assert r120.schedule["extrapolated"].sum() == 48
    with pytest.raises(ValueError, match="beyond='geometric'"):
        sv.expected_revenue(km, m, horizon=float("inf"))


# ------------------------------------------------------------------ bad input: one test per rule
def test_negative_tenure_is_refused_by_row():
    bad = SIX.assign(tenure=[1, 2, -2, 3, 5, 6])
    with pytest.raises(ValueError, match="column 'tenure' is negative at row 12") as err:
        sv.kaplan_meier(bad)
    assert "np." not in str(err.value)


def test_missing_tenure_is_refused():
    with pytest.raises(ValueError, match="column 'tenure' has NaN at row 13"):
        sv.kaplan_meier(SIX.assign(tenure=[1, 2, 2, np.nan, 5, 6]))
    with pytest.raises(TypeError, match="column 'tenure' must be numeric"):
        sv.kaplan_meier(SIX.assign(tenure=list("123456")))


@pytest.mark.parametrize("event, msg", [
    ([1, 1, 0, 2, 0, 1], r"\['event'\]\[13\] is 2; an event indicator must be 0"),
    ([1, 1, 0, 0.5, 0, 1], r"\[13\] is 0.5"),
    ([1, 1, 0, np.nan, 0, 1], r"\[13\] is NaN"),
    (["Yes", "No", "No", "Maybe", "No", "Yes"], r"\[13\] is 'Maybe'; an event must be"),
    (["Yes", "No", "No", None, "No", "Yes"], r"\[13\] is missing"),
])
def test_an_event_that_is_not_0_1_or_yes_no_is_refused(event, msg):
    with pytest.raises(ValueError, match=msg) as err:
        sv.kaplan_meier(SIX.assign(event=event))
    assert "np." not in str(err.value)


def test_events_may_be_booleans_or_yes_no():
    a = sv.kaplan_meier(SIX.assign(event=SIX["event"].astype(bool))).table
    b = sv.kaplan_meier(SIX.assign(event=np.where(SIX["event"] == 1, "Yes", "no"))).table
    assert a.equals(sv.kaplan_meier(SIX).table) and a.equals(b)


def test_a_duration_after_the_observation_window_is_refused():
    bad = SIX.assign(tenure=[1, 2, 2, 3, 80, 6])
    with pytest.raises(ValueError, match=r"'tenure'\] at row 14 is 80 \(censored\), after the end of the "
                                         r"observation window \(72\)"):
        sv.kaplan_meier(bad, window=72)
    sv.kaplan_meier(bad)                                   # without a window there is nothing to check
    with pytest.raises(ValueError, match="window"):
        sv.fit_cox(bad.assign(x=[0, 1, 0, 1, 0, 1]), numeric="x", window=72)


def test_groups_without_events_are_refused(telco):
    df = SIX.assign(g=["a", "a", "b", "a", "b", "a"])       # group b: nobody churned
    with pytest.raises(ValueError, match="group 'b' has no events"):
        sv.kaplan_meier_by(df, "g")
    with pytest.raises(ValueError, match="no events"):
        sv.kaplan_meier(SIX.assign(event=0))
    d = telco.assign(contract=np.where(telco["event"] == 1, telco["contract"], "Lifetime"))
    d.loc[d.index[:3], "contract"] = "Lifetime"
    d["event"] = np.where(d["contract"] == "Lifetime", 0, d["event"])
    with pytest.raises(ValueError, match="level 'Lifetime' has no events"):
        sv.fit_cox(d, numeric=("n_addons",), categorical={"contract": "Month-to-month"})


def test_cox_design_errors(telco):
    with pytest.raises(ValueError, match=r"baseline 'Monthly' is not a level of data\['contract'\]"):
        sv.fit_cox(telco, categorical={"contract": "Monthly"})
    with pytest.raises(ValueError, match="numeric column 'one' is constant"):
        sv.fit_cox(telco.assign(one=1.0), numeric=["one", "n_addons"])
    with pytest.raises(ValueError, match="no terms"):
        sv.fit_cox(telco)
    with pytest.raises(ValueError, match="ties must be one of"):
        sv.fit_cox(telco, numeric="n_addons", ties="exact")
    with pytest.raises(ValueError, match=r"single level"):
        sv.kaplan_meier_by(telco.assign(g="x"), "g")
    with pytest.raises(ValueError, match="units names 'contract'"):
        sv.fit_cox(telco, numeric="n_addons", categorical={"contract": "Month-to-month"}).hazard_ratios(
            units={"contract": 2})


# ------------------------------------------------------------------ figures
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_survival_figures_return_axes_in_both_languages(telco, cox, lang):
    from matplotlib.axes import Axes

    by = sv.kaplan_meier_by(telco, "contract", order=sv.TELCO_CONTRACTS)
    axes = [pv.km_chart(sv.kaplan_meier(telco), lang=lang),
            pv.km_chart(by, group="contract", lang=lang),
            pv.hazard_chart(cox.hazard_ratios(units={"monthly_charges": 10}), lang=lang),
            pv.services_chart(sv.services_vs_printed(telco, datasets.load("crosssell_retention")), lang=lang),
            pv.schoenfeld_chart(cox.scaled_schoenfeld(), "contract[One year]", ph=cox.ph_test(), lang=lang)]
    for ax in axes:
        assert isinstance(ax, Axes) and ax.get_title()
    legend = [x.get_text() for x in axes[1].get_legend().get_texts()]
    ticks = [x.get_text() for x in axes[2].get_yticklabels()]
    if lang == "zh":
        assert legend[:3] == ["按月", "一年", "两年"] and "生存曲线" in axes[0].get_title()
        assert any("合同类型" in x for x in ticks) and any("每 10 美元" in x for x in ticks)
        assert "合同类型：一年" in axes[4].get_title()
    else:
        assert legend[:3] == list(sv.TELCO_CONTRACTS) and any("per 10 US$" in x for x in ticks)
    assert "7,043" in axes[0].get_title() or "7043" in axes[0].get_title()        # computed from the data
    assert "1,869" in axes[2].get_title() or "1869" in axes[2].get_title()
    plt.close("all")


def test_schoenfeld_trend_follows_the_ph_test(cox):
    """The smooth follows the mean of the residuals: for a 0/1 term the events of the rarer level are far from
    the others, and a robust smoother (lowess with robustness iterations) would drop them as outliers and draw
    a trend opposite to the test's (it fell for the one-year contract, whose rho is positive)."""
    ph = cox.ph_test()
    for term in ("contract[One year]", "contract[Two year]"):
        ax = pv.schoenfeld_chart(cox.scaled_schoenfeld(), term, ph=ph)
        trend = ax.get_lines()[0].get_ydata()
        assert ph.loc[term, "rho"] > 0 and trend[-1] > trend[0], term
        assert "p < 0.001" in ax.get_title()
    plt.close("all")


def test_survival_figures_take_free_text(telco, cox):
    fig, ax = plt.subplots()
    out = pv.km_chart(sv.kaplan_meier(telco), ax=ax, title="Retention", xlabel="Months", ylabel="%", bands=False)
    assert out is ax and (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Retention", "Months", "%")
    ax2 = pv.hazard_chart(cox.hazard_ratios(), title="HR", xlabel="ratio")
    assert (ax2.get_title(), ax2.get_xlabel()) == ("HR", "ratio")
    with pytest.raises(TypeError, match="KaplanMeier"):
        pv.km_chart(telco)
    with pytest.raises(TypeError, match="hazard_ratios"):
        pv.hazard_chart(telco)
    with pytest.raises(KeyError, match="'nope'"):
        pv.schoenfeld_chart(cox.scaled_schoenfeld(), "nope")
    assert pv.level_label("payment_method", "Bank transfer (automatic)", "zh") == "银行自动转账"
    assert pv.term_label("contract[Two year]", "zh") == "合同类型：两年" and pv.term_label("n_addons", "en")
    with pytest.raises(TypeError, match="term must be"):
        pv.term_label(3)
    assert pv.level_label("contract", "Ten year", "zh") == "Ten year"
    plt.close("all")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_revenue_chart_and_money_labels(telco, lang):
    km = sv.kaplan_meier(telco)
    m = float(telco["monthly_charges"].mean())
    ax = pv.revenue_chart(sv.expected_revenue(km, m), lang=lang)
    assert "72" in ax.get_title()                                 # the horizon comes from the result
    life = pv.revenue_chart(sv.expected_revenue(km, m, horizon=float("inf"), beyond="geometric"), lang=lang)
    assert "72" in life.get_title() and len(life.get_lines()) >= 2
    assert pv.revenue_chart(sv.expected_revenue(km, m), title="CLV", lang=lang).get_title() == "CLV"
    if lang == "zh":
        assert "美元" in ax.get_title() and "折现" in ax.get_title()
    with pytest.raises(TypeError, match="ExpectedRevenue"):
        pv.revenue_chart(km)
    plt.close("all")


def test_money_labels_use_wan_from_ten_thousand():
    from crmlib.plotting import money

    assert money(2748.9, "zh") == "2,749美元"
    assert money(12_500, "zh") == "1.25万美元"
    assert money(120_000, "zh") == "12万美元"
    assert money(2748.9, "en") == "US\\$2,749"
