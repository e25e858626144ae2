"""crmlib.satisfaction and crmlib.satisfaction_data: reliability, the satisfaction index, NPS with its interval
and sample size, the ordered logit of loyalty, the bad-input rules and the survey figures."""
from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from crmlib import datasets  # noqa: E402
from crmlib import satisfaction as sa  # noqa: E402
from crmlib import satisfaction_data as gen  # noqa: E402
from crmlib.plotting import satisfaction as ps  # noqa: E402
from crmlib.warnings import DataWarning  # noqa: E402

# a hand-computed example: 4 respondents, 3 items on 1-5
SMALL = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 3, 3, 5], "c": [2, 3, 4, 5]}, index=[10, 20, 30, 40])


@pytest.fixture(scope="module")
def survey():
    return datasets.load("satisfaction_survey")


# ------------------------------------------------------------------ the shipped synthetic survey
# (its bytes and the seeding: test_synthetic)
def test_survey_has_the_planted_structure(survey):
    assert len(survey) == gen.SURVEY_N and survey["respondent_id"].is_unique
    assert list(survey.columns) == ["respondent_id", "wave", *gen.ITEMS, "satisfaction", "recommend", "loyalty"]
    scores = sa.scale_scores(survey, gen.SCALES)
    # drivers -> satisfaction -> loyalty: every driver correlates positively with satisfaction, and
    # satisfaction with loyalty
    corr = pd.concat([scores, survey[["satisfaction", "loyalty"]]], axis=1).corr()
    assert (corr.loc[list(gen.SCALES), "satisfaction"] > 0.2).all()
    assert corr.loc["satisfaction", "loyalty"] > 0.5
    # wave 2 had the service programme
    assert scores.loc[survey["wave"] == 2, "service"].mean() > scores.loc[survey["wave"] == 1, "service"].mean()


# ------------------------------------------------------------------ Cronbach's alpha
def test_cronbach_alpha_matches_the_hand_computation():
    # item variances 5/3, 19/12, 5/3 (sum 59/12); total-score variance 57/4: alpha = 3/2 (1 - 59/171) = 56/57
    r = sa.cronbach_alpha(SMALL, ["a", "b", "c"])
    assert r.alpha == pytest.approx(56 / 57)
    f_hi, f_lo = stats.f.ppf(0.975, 3, 6), stats.f.ppf(0.025, 3, 6)
    assert r.lower == pytest.approx(1 - (1 - 56 / 57) * f_hi)
    assert r.upper == pytest.approx(1 - (1 - 56 / 57) * f_lo)
    assert r.lower < r.alpha < r.upper and (r.n, r.k) == (4, 3) and "Feldt" in r.method


def test_feldt_interval_covers_about_95_percent():
    rng = np.random.default_rng(7)
    n, k, lam = 80, 4, 0.7

    def draw(m):      # four parallel items answered on 1-5
        x = lam * rng.standard_normal((m, 1)) + math.sqrt(1 - lam ** 2) * rng.standard_normal((m, k))
        return pd.DataFrame(np.clip(np.round(3 + 1.1 * x), 1, 5), columns=list("pqrs"))

    true = sa.cronbach_alpha(draw(400_000), list("pqrs")).alpha        # the population alpha, to ~0.001
    reps = 400
    hits = sum(r.lower <= true <= r.upper for r in (sa.cronbach_alpha(draw(n), list("pqrs")) for _ in range(reps)))
    assert 0.92 <= hits / reps <= 0.98


def test_alpha_if_deleted_singles_out_the_weak_item(survey):
    rel = sa.scale_reliability(survey, gen.SCALES)
    assert list(rel.index) == list(gen.SCALES) and rel.attrs["confidence"] == 0.95
    assert (rel["lower"] < rel["alpha"]).all() and (rel["alpha"] < rel["upper"]).all()
    assert rel["alpha"].idxmin() == "communication"
    d = sa.alpha_if_deleted(survey, gen.SCALES["communication"])
    assert d["change"].idxmax() == "communication_3" and d.loc["communication_3", "change"] > 0.05
    assert d["item_total_corr"].idxmin() == "communication_3"
    assert (d.drop(index="communication_3")["change"] < 0).all()
    # alpha without the item is the alpha of the other two
    other = sa.cronbach_alpha(survey, ["communication_1", "communication_2"]).alpha
    assert d.loc["communication_3", "alpha_if_deleted"] == pytest.approx(other)


# ------------------------------------------------------------------ bad Likert input: one test per rule
def test_a_scale_with_one_item_is_refused():
    with pytest.raises(ValueError, match="at least two items"):
        sa.cronbach_alpha(SMALL, ["a"])
    with pytest.raises(ValueError, match="at least two items"):
        sa.cronbach_alpha(SMALL, "a")          # one string is one column, not its letters
    with pytest.raises(ValueError, match="at least 3 items"):
        sa.alpha_if_deleted(SMALL, ["a", "b"])


def test_an_answer_outside_the_scale_is_refused_by_row():
    bad = SMALL.assign(b=[2, 3, 6, 5])
    with pytest.raises(ValueError, match=r"data\['b'\]\[30\] is 6, outside the scale 1–5") as err:
        sa.cronbach_alpha(bad, ["a", "b", "c"])
    assert "np." not in str(err.value)
    with pytest.raises(ValueError, match=r"\[20\] is 0, outside"):
        sa.satisfaction_index(SMALL.assign(c=[2, 0, 4, 5]), ["a", "b", "c"])


def test_a_fractional_answer_is_refused():
    with pytest.raises(ValueError, match=r"data\['a'\]\[20\] is not a whole number \(2.5\)"):
        sa.cronbach_alpha(SMALL.assign(a=[1, 2.5, 3, 4]), ["a", "b", "c"])


def test_nan_and_text_answers_are_refused():
    with pytest.raises(ValueError, match="column 'a' has NaN at row 30") as err:
        sa.scale_scores(SMALL.assign(a=[1, 2, np.nan, 4]), {"x": ["a", "b"]})
    assert "np." not in str(err.value)
    with pytest.raises(TypeError, match="column 'a' must be numeric"):
        sa.cronbach_alpha(SMALL.assign(a=["1", "2", "3", "4"]), ["a", "b"])
    with pytest.raises(ValueError, match="missing column"):
        sa.cronbach_alpha(SMALL, ["a", "zz"])
    with pytest.raises(ValueError, match="high must be > low"):
        sa.cronbach_alpha(SMALL, ["a", "b"], low=5, high=1)


# ------------------------------------------------------------------ index and distribution
def test_satisfaction_index_is_the_rescaled_mean_of_the_items():
    r = sa.satisfaction_index(SMALL, ["a", "b", "c"])
    # mean of the 12 answers = 37/12; (37/12 - 1)/4 * 100
    assert r.index == pytest.approx(100 * (37 / 12 - 1) / 4)
    per = sa.respondent_index(SMALL, ["a", "b", "c"])
    assert per.loc[10] == pytest.approx(100 * (5 / 3 - 1) / 4) and per.loc[40] == pytest.approx(100 * (14 / 3 - 1) / 4)
    assert r.lower < r.index < r.upper and r.n == 4 and r.k == 3
    assert sa.respondent_index(pd.DataFrame({"a": [5], "b": [5]}), ["a", "b"]).iloc[0] == 100
    assert sa.respondent_index(pd.DataFrame({"a": [1], "b": [1]}), ["a", "b"]).iloc[0] == 0


def test_likert_distribution_rows_sum_to_one(survey):
    d = sa.likert_distribution(survey, gen.ITEMS)
    assert list(d.columns) == [1, 2, 3, 4, 5] and d.attrs["n"] == gen.SURVEY_N
    assert np.allclose(d.sum(axis=1), 1)
    assert d.loc["product_1", 5] == pytest.approx((survey["product_1"] == 5).mean())


# ------------------------------------------------------------------ NPS
def test_nps_and_its_multinomial_standard_error():
    r = sa.nps_from_counts(50, 30, 20)
    assert r.nps == pytest.approx(30)
    # Var(pP - pD) = [pP + pD - (pP - pD)^2]/n = (0.5 + 0.2 - 0.09)/100
    assert r.se == pytest.approx(100 * math.sqrt(0.61 / 100))
    assert r.lower == pytest.approx(30 - 1.959964 * r.se, abs=1e-4)
    scores = [10] * 50 + [8] * 30 + [6] * 20
    assert sa.nps(scores) == r
    assert sa.nps(pd.Series([9, 10, 7, 0])).nps == pytest.approx(25)
    groups = sa.nps_groups(pd.Series([0, 6, 7, 8, 9, 10]))
    assert groups.tolist() == ["detractor", "detractor", "passive", "passive", "promoter", "promoter"]


def test_nps_interval_covers_about_95_percent_and_the_variance_is_right():
    rng = np.random.default_rng(11)
    p = [0.40, 0.25, 0.35]                       # promoters, passives, detractors: NPS = +5
    c = rng.multinomial(400, p, size=4000)
    covered, est = [], []
    for row in c:
        r = sa.nps_from_counts(int(row[0]), int(row[1]), int(row[2]))
        covered.append(r.lower <= 5 <= r.upper)
        est.append(r.nps)
    assert 0.935 <= np.mean(covered) <= 0.965
    # the formula's variance matches the simulated one; adding the two binomial variances as if the shares were
    # independent ignores their negative covariance (-pP pD / n, counted twice) and understates it
    theory = 100 ** 2 * (0.40 + 0.35 - 0.05 ** 2) / 400
    assert np.var(est) == pytest.approx(theory, rel=0.06)
    naive = 100 ** 2 * (0.40 * 0.60 + 0.35 * 0.65) / 400
    assert naive < 0.7 * np.var(est)


def test_nps_difference_of_independent_surveys(survey):
    a = survey.loc[survey["wave"] == 1, "recommend"]
    b = survey.loc[survey["wave"] == 2, "recommend"]
    d = sa.nps_difference(a, b)
    ra, rb = sa.nps(a), sa.nps(b)
    assert d.difference == pytest.approx(rb.nps - ra.nps)
    assert d.se == pytest.approx(math.hypot(ra.se, rb.se))
    assert d.pvalue == pytest.approx(2 * stats.norm.sf(abs(d.difference / d.se)))
    assert d.lower < d.difference < d.upper
    assert sa.nps_difference(ra, rb).difference == pytest.approx(d.difference)


def test_nps_sample_size_gives_the_stated_power_by_simulation():
    ss = sa.nps_sample_size(0.40, 0.30, change=5)
    # sigma0^2 = 0.7 - 0.01, sigma1^2 = 0.7 - 0.0225 (2.5 points each way), (1.96 + 0.8416)^2 (s0 + s1) / 0.05^2
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert ss.n_per_survey == math.ceil(z ** 2 * (0.69 + 0.6775) / 0.05 ** 2)
    assert ss.total == 2 * ss.n_per_survey and "independent" in ss.assumptions
    assert ss.shares_after == pytest.approx({"promoter": 0.425, "detractor": 0.275})
    power = sa.nps_power_simulation(ss.n_per_survey, ss.shares_before, ss.shares_after, 4000,
                                    np.random.default_rng(3))
    assert 0.77 <= power <= 0.83
    # with no change the rejection rate is the level
    size = sa.nps_power_simulation(ss.n_per_survey, ss.shares_before, ss.shares_before, 4000,
                                   np.random.default_rng(4))
    assert 0.035 <= size <= 0.065
    with pytest.raises(ValueError, match="impossible shares"):
        sa.nps_sample_size(0.99, 0.01, change=10)
    with pytest.raises(ValueError, match="change must be > 0"):
        sa.nps_sample_size(0.4, 0.3, change=0)


@pytest.mark.parametrize("bad, err, msg", [
    ([9, 10, 11], ValueError, r"scores\[2\] is 11, outside the scale 0–10"),
    ([9, -1], ValueError, r"scores\[1\] is -1"),
    ([9, 7.5], ValueError, r"scores\[1\] is not a whole number"),
    ([9, float("nan")], ValueError, r"scores\[1\] is NaN"),
    ([9, "10"], TypeError, "not a number"),
    ([], ValueError, "empty"),
])
def test_bad_scores_are_refused(bad, err, msg):
    with pytest.raises(err, match=msg):
        sa.nps(bad)


def test_bad_score_is_named_by_its_label():
    with pytest.raises(ValueError, match=r"scores\['r2'\] is 12") as e:
        sa.nps(pd.Series([10, 12], index=["r1", "r2"]))
    assert "np." not in str(e.value)
    with pytest.raises(ValueError, match="no answers"):
        sa.nps_from_counts(0, 0, 0)


# ------------------------------------------------------------------ ordered logit
@pytest.fixture(scope="module")
def loyalty_data(survey):
    return pd.concat([sa.scale_scores(survey, gen.SCALES), survey["loyalty"]], axis=1)


def test_ordered_logit_recovers_a_planted_model():
    rng = np.random.default_rng(5)
    n = 4000
    x = pd.DataFrame({"x1": rng.standard_normal(n), "x2": rng.standard_normal(n)})
    u = rng.random(n)
    latent = 1.0 * x["x1"] - 0.5 * x["x2"] + np.log(u / (1 - u))
    y = 1 + np.searchsorted([-1.0, 0.5, 2.0], latent)
    m = sa.fit_ordered_logit(x.assign(y=y), "y", ["x1", "x2"])
    ci = m.conf_int()
    assert ci.loc["x1", "lower"] < 1.0 < ci.loc["x1", "upper"]
    assert ci.loc["x2", "lower"] < -0.5 < ci.loc["x2", "upper"]
    assert np.allclose(m.thresholds.to_numpy(), [-1.0, 0.5, 2.0], atol=0.15)
    assert m.odds_ratios().loc["x1", "odds_ratio"] == pytest.approx(math.exp(m.params["x1"]))


def test_ordered_logit_on_the_survey(loyalty_data):
    m = sa.fit_ordered_logit(loyalty_data, "loyalty", list(gen.SCALES))
    orr = m.odds_ratios()
    assert (orr["odds_ratio"] > 1).all() and (orr["lower"] < orr["odds_ratio"]).all()
    assert orr["odds_ratio"].idxmax() == "value"            # the planted direct effect of price/value
    assert m.categories == [1, 2, 3, 4, 5] and m.nobs == gen.SURVEY_N
    assert list(m.summary().columns) == ["coef", "se", "z", "pvalue", "lower", "upper"]
    assert m.bse.loc["value"] > 0
    low = m.predict_proba({"product": 2, "service": 2, "value": 2, "communication": 2})
    high = m.predict_proba({"product": 5, "service": 5, "value": 5, "communication": 5})
    assert np.isclose(low.sum(axis=1).iloc[0], 1) and list(low.columns) == [1, 2, 3, 4, 5]
    assert high[5].iloc[0] > low[5].iloc[0] and high[1].iloc[0] < low[1].iloc[0]
    assert m.predict({"product": 5, "service": 5, "value": 5, "communication": 5}).iloc[0] == 5
    # an ordered categorical gives the same fit, reported by its labels
    words = pd.Categorical(loyalty_data["loyalty"].map(gen.LOYALTY_LEVELS), ordered=True,
                           categories=list(gen.LOYALTY_LEVELS.values()))
    mc = sa.fit_ordered_logit(loyalty_data.assign(loyalty=words), "loyalty", list(gen.SCALES))
    assert np.allclose(mc.params.to_numpy(), m.params.to_numpy())
    assert mc.categories == list(gen.LOYALTY_LEVELS.values()) and mc.thresholds.index[0] == (
        "will certainly switch|will probably switch")


def test_ordered_logit_refuses_non_ordinal_outcomes(loyalty_data):
    names = list(gen.SCALES)
    words = loyalty_data.assign(loyalty=loyalty_data["loyalty"].map({1: "a", 2: "b", 3: "c", 4: "d", 5: "e"}))
    with pytest.raises(TypeError, match="ordinal integer codes"):
        sa.fit_ordered_logit(words, "loyalty", names)
    with pytest.raises(ValueError, match=r"not a whole number"):
        sa.fit_ordered_logit(loyalty_data.assign(loyalty=loyalty_data["loyalty"] + 0.5 * (loyalty_data.index == 7)),
                             "loyalty", names)
    with pytest.raises(TypeError, match="ordinal integer codes"):
        sa.fit_ordered_logit(loyalty_data.assign(loyalty=loyalty_data["loyalty"] > 3), "loyalty", names)
    with pytest.raises(ValueError, match="at least three ordered categories"):
        sa.fit_ordered_logit(loyalty_data.assign(loyalty=1 + (loyalty_data["loyalty"] > 3)), "loyalty", names)
    with pytest.raises(ValueError, match=r"NaN at row 9"):
        sa.fit_ordered_logit(loyalty_data.assign(loyalty=loyalty_data["loyalty"].where(loyalty_data.index != 9)),
                             "loyalty", names)
    unordered = loyalty_data.assign(loyalty=pd.Categorical(loyalty_data["loyalty"]))
    with pytest.raises(TypeError, match="unordered categorical"):
        sa.fit_ordered_logit(unordered, "loyalty", names)


def test_ordered_logit_refuses_constant_drivers_and_too_few_rows(loyalty_data):
    names = list(gen.SCALES)
    with pytest.raises(ValueError, match="driver 'service' is constant"):
        sa.fit_ordered_logit(loyalty_data.assign(service=3.0), "loyalty", names)
    with pytest.raises(ValueError, match=r"79 rows for 8 parameters .* at least 10 rows per parameter \(80\)"):
        sa.fit_ordered_logit(loyalty_data.iloc[:79], "loyalty", names)
    with pytest.raises(ValueError, match="also listed among the drivers"):
        sa.fit_ordered_logit(loyalty_data, "loyalty", ["loyalty", "value"])
    gap = loyalty_data[loyalty_data["loyalty"] != 3]
    with pytest.warns(DataWarning, match=r"code\(s\) \[3\] never occur"):
        m = sa.fit_ordered_logit(gap, "loyalty", names)
    assert m.categories == [1, 2, 4, 5]


# ------------------------------------------------------------------ figures
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_survey_figures_return_axes_in_both_languages(survey, lang):
    from matplotlib.axes import Axes

    rel = sa.scale_reliability(survey, gen.SCALES)
    waves = {w: sa.nps(survey.loc[survey["wave"] == w, "recommend"]) for w in (1, 2)}
    axes = [ps.nps_chart(sa.nps(survey["recommend"]), lang=lang),
            ps.nps_chart(waves, group_label="satisfaction.wave", lang=lang),
            ps.likert_chart(sa.likert_distribution(survey, gen.ITEMS), lang=lang),
            ps.alpha_chart(rel, lang=lang)]
    for ax in axes:
        assert isinstance(ax, Axes) and ax.get_title()
    assert axes[0].get_title() != axes[1].get_title()
    if lang == "zh":
        assert "净推荐值" in axes[0].get_title() and "第二次调查" in [x.get_text() for x in axes[1].get_yticklabels()]
    n = gen.SURVEY_N
    assert f"{n:,}" in axes[2].get_title() or str(n) in axes[2].get_title()      # computed from the data
    plt.close("all")


def test_survey_figures_take_free_text_and_an_axes(survey):
    fig, ax = plt.subplots()
    out = ps.alpha_chart(sa.scale_reliability(survey, gen.SCALES), ax=ax, title="My title", xlabel="X", ylabel="Y")
    assert out is ax and (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("My title", "X", "Y")
    ax2 = ps.nps_chart(sa.nps(survey["recommend"]), title="NPS 2025")
    assert ax2.get_title() == "NPS 2025"
    ax3 = ps.likert_chart(sa.likert_distribution(survey, ["product_1", "product_2"]), xlabel="share")
    assert ax3.get_xlabel() == "share" and "2" in ax3.get_title()
    with pytest.raises(TypeError, match="title must be a string"):
        ps.nps_chart(sa.nps(survey["recommend"]), title=3)
    with pytest.raises(TypeError, match="NPSResult"):
        ps.nps_chart([1, 2])
    with pytest.raises(ValueError, match="lang"):
        ps.alpha_chart(sa.scale_reliability(survey, gen.SCALES), lang="fr")
    plt.close("all")
