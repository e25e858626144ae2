"""Chapter 07's recorded results against independent computations: the Telco numbers straight from the
CSV with pandas and numpy (churn share, a hand-written product-limit estimator, a hand-written log-rank
test, churn by number of services, the discounted revenue sum), the survey numbers from the raw answers
(Cronbach's alpha, NPS and its standard error), and the teacher page's multiple-choice keys."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import values

CH = "07_satisfaction_loyalty_churn"
ROOT = Path(__file__).resolve().parents[1]
TELCO = ROOT / "datasets" / "telco" / "wa_churn.csv"
SURVEY = ROOT / "datasets" / "synthetic" / "satisfaction_survey.csv"
CONTRACTS = {"Month-to-month": "month_to_month", "One year": "one_year", "Two year": "two_year"}
ADDONS = ["online_security", "online_backup", "device_protection", "tech_support", "streaming_tv", "streaming_movies"]


@pytest.fixture(scope="module")
def r(chapter_results):
    return values(chapter_results(CH))


@pytest.fixture(scope="module")
def sources(chapter_results):
    return {k: v.get("source") for k, v in chapter_results(CH)["results"].items()}


@pytest.fixture(scope="module")
def telco():
    d = pd.read_csv(TELCO)
    d["event"] = (d["churn"] == "Yes").astype(int)
    d["n_services"] = d["phone_service"] + (d["internet_service"] != "No") + (d[ADDONS] == "Yes").sum(axis=1)
    return d


def product_limit(t, e, at):
    """S(at) = prod over event times u <= at of (1 - deaths(u) / at risk(u)), written out."""
    s = 1.0
    for u in np.unique(t[(e == 1) & (t <= at)]):
        s *= 1 - ((t == u) & (e == 1)).sum() / (t >= u).sum()
    return s


# ------------------------------------------------------------------ the Telco figures
@pytest.mark.notebook
def test_churn_share_from_the_csv(r, sources, telco):
    assert r["telco.customers"] == len(telco) == 7043
    assert r["telco.churned"] == telco["event"].sum() == 1869
    assert r["telco.churn.share"] == pytest.approx(1869 / 7043, abs=1e-12)
    lo, hi = r["telco.churn.ci"]
    assert lo < r["telco.churn.share"] < hi and hi - lo < 0.03
    src = sources["telco.churn.share"]
    assert src["kind"] == "dataset" and src["dataset"] == "wa_churn" and src["file"] == "datasets/telco/wa_churn.csv"


@pytest.mark.notebook
def test_kaplan_meier_by_a_direct_product_limit(r, telco):
    t, e = telco["tenure"].to_numpy(), telco["event"].to_numpy()
    for month in (12, 24, 72):
        assert r[f"km.all.s{month}"] == pytest.approx(product_limit(t, e, month), abs=1e-12)
        lo, hi = r[f"km.all.s{month}_ci"]
        assert lo < r[f"km.all.s{month}"] < hi
    assert [round(100 * r[f"km.all.s{m}"], 1) for m in (12, 24, 72)] == [84.3, 78.9, 59.3]
    for contract, key in CONTRACTS.items():
        g = telco[telco["contract"] == contract]
        for month in (12, 24, 72):
            assert r[f"km.contract.{key}.s{month}"] == pytest.approx(
                product_limit(g["tenure"].to_numpy(), g["event"].to_numpy(), month), abs=1e-12)
    # the retention KPIs read off the curve
    assert r["kpi.year_1"] == r["km.all.s12"]
    assert r["kpi.year_2_given_year_1"] == pytest.approx(r["km.all.s24"] / r["km.all.s12"])
    assert r["kpi.monthly_average_year_1"] == pytest.approx(r["km.all.s12"] ** (1 / 12))
    assert r["kpi.month_1"] == pytest.approx(product_limit(t, e, 1))
    assert r["kpi.one_minus_churn_share"] == pytest.approx(1 - 1869 / 7043)


@pytest.mark.notebook
def test_logrank_by_a_direct_computation(r, telco):
    t, e = telco["tenure"].to_numpy(), telco["event"].to_numpy()
    g = telco["contract"].map(list(CONTRACTS).index).to_numpy()
    k = len(CONTRACTS)
    o_minus_e, var = np.zeros(k), np.zeros((k, k))
    for u in np.unique(t[e == 1]):
        risk = t >= u
        n, d = risk.sum(), ((t == u) & (e == 1)).sum()
        nj = np.array([(risk & (g == j)).sum() for j in range(k)])
        dj = np.array([((t == u) & (e == 1) & (g == j)).sum() for j in range(k)])
        o_minus_e += dj - d * nj / n
        if n > 1:
            var += d * (n - d) / (n - 1) * (np.diag(nj / n) - np.outer(nj, nj) / n ** 2)
    chi2 = float(o_minus_e[:-1] @ np.linalg.solve(var[:-1, :-1], o_minus_e[:-1]))
    assert r["logrank.statistic"] == pytest.approx(chi2, rel=1e-9) and round(chi2, 1) == 2352.9
    assert r["logrank.df"] == 2 and r["logrank.pvalue"] == pytest.approx(stats.chi2.sf(chi2, 2), abs=1e-12)


@pytest.mark.notebook
def test_cox_hazard_ratios_refit_with_statsmodels_formulas(r, telco):
    from statsmodels.duration.hazard_regression import PHReg

    d = telco.assign(n_addons=(telco[ADDONS] == "Yes").sum(axis=1))
    fit = PHReg.from_formula("tenure ~ n_addons + monthly_charges + C(contract, Treatment('Month-to-month'))"
                             " + C(payment_method, Treatment('Electronic check'))", d, status=d["event"],
                             ties="efron").fit()
    hr = dict(zip(fit.model.exog_names, np.exp(fit.params)))
    assert r["cox.hr.contract_one_year"] == pytest.approx(
        hr["C(contract, Treatment('Month-to-month'))[T.One year]"], rel=1e-6)
    assert r["cox.hr.contract_two_year"] == pytest.approx(
        hr["C(contract, Treatment('Month-to-month'))[T.Two year]"], rel=1e-6)
    assert r["cox.hr.n_addons"] == pytest.approx(hr["n_addons"], rel=1e-6)
    assert r["cox.hr.monthly_charges"] == pytest.approx(hr["monthly_charges"] ** 10, rel=1e-6)  # per US$10
    assert r["cox.hr.payment_method_bank_transfer_automatic"] == pytest.approx(
        hr["C(payment_method, Treatment('Electronic check'))[T.Bank transfer (automatic)]"], rel=1e-6)
    assert [round(r[f"cox.hr.{k}"], 3) for k in ("contract_one_year", "contract_two_year", "n_addons",
                                                  "monthly_charges")] == [0.168, 0.027, 0.672, 1.156]
    for key, (lo, hi) in ((k[len("cox.hr_ci."):], v) for k, v in r.items() if k.startswith("cox.hr_ci.")):
        assert lo < r[f"cox.hr.{key}"] < hi
    # proportional hazards: the contract terms and the model as a whole reject
    assert r["ph.pvalue.contract_one_year"] < 0.001 and r["ph.pvalue.contract_two_year"] < 0.001
    assert r["ph.pvalue.global"] < 0.001


@pytest.mark.notebook
def test_services_table_from_the_csv(r, sources, telco):
    kept = 1 - telco.groupby("n_services")["event"].mean()
    for n, v in kept.items():
        assert r[f"services.kept.{n}"] == pytest.approx(v, abs=1e-12)
    pooled = 1 - telco.loc[telco["n_services"] >= 4, "event"].mean()
    assert r["services.kept_pct.four_or_more"] == pytest.approx(100 * pooled, abs=1e-9)
    assert r["services.kept_pct.checking_only"] == r["services.kept_pct.savings_only"] == \
        pytest.approx(100 * kept[1], abs=1e-9)
    printed = pd.read_csv(ROOT / "datasets" / "seed" / "crosssell_retention.csv")
    assert {r[f"services.printed_kept_pct.{h}"] for h in printed["holding"]} == {1.0, 0.5, 10.0, 18.0, 100.0}
    assert sources["services.printed_kept_pct.both_accounts"]["kind"] == "seed"
    one = telco[telco["n_services"] == 1]
    assert r["services.one.phone_only"] == pytest.approx((one["internet_service"] == "No").mean())
    assert r["services.one.phone_only"] > 0.9


@pytest.mark.notebook
def test_expected_revenue_is_the_discounted_sum_over_the_curve(r, telco):
    t, e = telco["tenure"].to_numpy(), telco["event"].to_numpy()
    m = telco["monthly_charges"].mean()
    d = 1 / 1.10 ** (1 / 12)
    value = m * sum(product_limit(t, e, k) * d ** k for k in range(72))
    assert r["revenue.monthly_charge"] == pytest.approx(m)
    assert r["revenue.curve_72"] == pytest.approx(value, rel=1e-9) and round(r["revenue.curve_72"]) == 2749
    assert r["revenue.constant_12"] < r["revenue.curve_72"] < r["revenue.constant_72"] < r["revenue.lifetime"]


# ------------------------------------------------------------------ the survey
@pytest.mark.notebook
def test_cronbach_alpha_and_nps_from_the_raw_answers(r, sources):
    s = pd.read_csv(SURVEY)
    for scale in ("product", "service", "value", "communication"):
        x = s.filter(regex=rf"^{scale}_\d$").to_numpy(float)
        k = x.shape[1]
        alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
        assert r[f"alpha.{scale}"] == pytest.approx(alpha, abs=1e-12)
        lo, hi = r[f"alpha_ci.{scale}"]
        assert lo < alpha < hi
    assert r["alpha.communication"] < 0.7 < r["alpha_if_deleted.communication.communication_3"]
    pro, det, n = (s["recommend"] >= 9).mean(), (s["recommend"] <= 6).mean(), len(s)
    assert r["nps.value"] == pytest.approx(100 * (pro - det)) and round(r["nps.value"], 1) == 8.3
    assert r["nps.se"] == pytest.approx(100 * math.sqrt((pro + det - (pro - det) ** 2) / n))
    assert r["nps.se_if_independent"] < r["nps.se"]                       # the covariance counts
    assert sources["nps.value"]["dataset"] == "satisfaction_survey"
    # survey size for a 5-point change: closed form with half the change from detractors
    pp1, pd1 = pro + 0.025, det - 0.025
    var = pro + det - (pro - det) ** 2 + pp1 + pd1 - (pp1 - pd1) ** 2
    assert r["nps_size.per_survey"] == math.ceil((stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) ** 2 * var / 0.05 ** 2)
    assert r["nps_size.per_survey"] == 4306
    assert 0.72 <= r["nps_size.simulated_power"] <= 0.88               # 400 simulated pairs in small mode
    w = [s.loc[s["wave"] == k, "recommend"] for k in (1, 2)]
    diff = 100 * ((w[1] >= 9).mean() - (w[1] <= 6).mean() - (w[0] >= 9).mean() + (w[0] <= 6).mean())
    assert r["nps.difference.value"] == pytest.approx(diff) and r["nps.difference.pvalue"] > 0.05
    assert r["ologit.odds_ratio.value"] > r["ologit.odds_ratio.communication"] > 1


# ------------------------------------------------------------------ experiments and the what-if
@pytest.mark.notebook
def test_ab_test_peeking_and_regression_to_the_mean(r):
    lo, hi = r["ab.ci"]
    assert lo < r["ab.difference"] < hi
    pc, pt = r["ab.p_control"], r["ab.p_control"] - 0.05
    pbar = (pc + pt) / 2
    need = ((stats.norm.ppf(0.975) * math.sqrt(2 * pbar * (1 - pbar))
             + stats.norm.ppf(0.8) * math.sqrt(pc * (1 - pc) + pt * (1 - pt))) / 0.05) ** 2
    assert r["ab.n_per_arm_needed"] == math.ceil(need)
    assert r["ab.p_control"] == pytest.approx(1 - r["km.contract.month_to_month.s12"])
    assert r["peeking.false_positive_peeking"] > r["peeking.false_positive_once"]
    assert 0.10 < r["peeking.false_positive_peeking"] < 0.30            # about 0.19 with 10 looks
    assert r["no_control.mean_effect.before_after"] == pytest.approx(-0.03, abs=0.01)
    assert r["no_control.mean_effect.with_control"] == pytest.approx(0.0, abs=0.01)
    assert r["rtm.apparent_gain"] == pytest.approx(r["rtm.expected_gain"], abs=1.5) and r["rtm.apparent_gain"] > 5


@pytest.mark.notebook
def test_whatif_default_case(r):
    base = r["whatif.retention.base"]
    gains = {k: v - base for k, v in r.items() if k.startswith("whatif.retention.") and not k.endswith(".base")}
    assert max(gains, key=gains.get) == "whatif.retention.contract_two_year"
    assert all(g > 0 for g in gains.values()) and 0 < base < 1


@pytest.mark.notebook
def test_exercise_answers_agree_with_the_recorded_results(r):
    from crmbook.exercises import ch07

    sol = {e.number: e._solution().answer for e in ch07.EXERCISES}
    assert sol["7.1"] == pytest.approx(100 * r["km.all.s24"])
    assert sol["7.3"] == pytest.approx(r["alpha_if_deleted.communication.communication_3"])
    assert sol["7.4"] == pytest.approx(1 / r["cox.hr.contract_one_year"])
    assert sol["7.6"] == "B" and sol["7.7"] == "no"
    ex = ch07.EXERCISES.bind("zh")
    assert ex.check("7.7", "否").ok and ex.check("7.1", round(sol["7.1"], 1)).ok


@pytest.mark.notebook
def test_chinese_run_records_the_same_numbers(chapter_results):
    en, zh = values(chapter_results(CH)), values(chapter_results(CH, "zh"))
    assert en == zh
    assert len(en) >= 40


# ------------------------------------------------------------------ the teacher page
def _teacher():
    with open(ROOT / "site" / "teacher" / "ch07.csv", encoding="utf-8", newline="") as fh:
        return {row["key"]: row for row in csv.DictReader(fh)}


def test_teacher_page_shape():
    rows = _teacher()
    for lang in ("en", "zh"):
        assert all(row[lang].strip() for row in rows.values()), lang
    assert sum(int(v["minutes"]) for k, v in rows.items() if k.startswith("plan45.") and k != "plan45.omit") == 45
    assert sum(int(v["minutes"]) for k, v in rows.items() if k.startswith("plan90.")) == 90
    discussions = [k for k in rows if k.startswith("disc.") and k.count(".") == 1]
    assert len(discussions) >= 3 and all(f"{k}.answer" in rows for k in discussions)
    assert any(k.startswith("key.") for k in rows) and "homework" in rows
    assert sum(k.startswith("rubric.") for k in rows) >= 3
    plan90 = " ".join(v["en"] for k, v in rows.items() if k.startswith("plan90."))
    for section in ("7.1", "7.2", "7.3", "7.4", "7.5", "7.6"):
        assert section in plan90, f"the 90-minute plan skips §{section}"
    assert all(s in rows["plan45.omit"]["en"] for s in ("§7.3", "§7.6")), "plan45.omit names what 45 minutes leave out"


def test_teacher_choice_keys_are_what_the_data_say():
    """The keys crmbook.quiz.ch07 computes for the teacher's page agree with the data computed here, and the
    explanations quote the numbers the data give."""
    import sys

    from crmlib import experiment, satisfaction, survival

    sys.path.insert(0, str(ROOT / "site"))
    from crmsite import teacher

    mcq = {lang: {q["number"]: q for q in teacher.teacher_texts("07", lang)["mcq"]} for lang in ("en", "zh")}
    d = survival.telco_customers()
    by = survival.retention_at(survival.kaplan_meier_by(d, "contract", order=survival.TELCO_CONTRACTS), [72])
    longest = by.set_index("group")["survival"].idxmax()                     # mcq.1: which contract keeps longest
    assert mcq["en"]["1"]["answer"] == ("ABC"[list(survival.TELCO_CONTRACTS).index(longest)],)
    nps = satisfaction.nps_from_counts(40, 30, 30).nps                          # mcq.2: 40 % / 30 % / 30 %
    (letter,) = mcq["en"]["2"]["answer"]
    assert float(mcq["en"]["2"]["options"][letter]) == pytest.approx(nps) and "40 % promoters" in mcq["en"]["2"]["q"]
    peek = experiment.simulate_peeking(0.3, 1000, 10, 4000, np.random.default_rng(7)).false_positive_peeking
    options = {k: float(v.rstrip(" %")) for k, v in mcq["en"]["4"]["options"].items()}
    assert mcq["en"]["4"]["answer"] == (min(options, key=lambda o: abs(options[o] - 100 * peek)),)
    km = survival.kaplan_meier(d)                                              # the numbers the explanations quote
    s12 = float(km.survival_at([12])["survival"].iloc[0])
    churn = survival.churn_share(d)["share"]
    for lang, pct in (("en", " %"), ("zh", "%")):
        assert f"{100 * s12:.1f}{pct}" in mcq[lang]["5"]["why"] and f"{100 * (1 - churn):.1f}{pct}" in mcq[lang]["5"]["q"]
    s72 = by.set_index("group")["survival"]
    assert f"{100 * s72['Two year']:.0f} %" in mcq["en"]["1"]["why"]
    assert f"{100 * s72['Month-to-month']:.0f} %" in mcq["en"]["1"]["why"]
    assert all(q["answer"] == mcq["zh"][n]["answer"] for n, q in mcq["en"].items())