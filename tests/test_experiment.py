"""crmlib.experiment: the A/B test of a retention campaign, its sample size, and the simulated mistakes
(peeking, no control group, regression to the mean); the bad-input rules and the figures."""
from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from crmlib import experiment as ex  # noqa: E402
from crmlib.plotting import experiment as pe  # noqa: E402


def test_simulated_campaign_is_seeded():
    a = ex.simulate_campaign(2000, 0.20, 0.16, np.random.default_rng(1))
    assert a.equals(ex.simulate_campaign(2000, 0.20, 0.16, np.random.default_rng(1)))
    assert not a.equals(ex.simulate_campaign(2000, 0.20, 0.16, np.random.default_rng(2)))
    assert a.index.tolist() == ["treatment", "control"] and (a["n"] == 2000).all()
    assert np.allclose(a["churn_rate"], a["churned"] / 2000)


def test_ab_test_matches_the_textbook_formulas():
    r = ex.ab_test(120, 1000, 150, 1000)
    assert r.difference == pytest.approx(-0.03) and r.relative_change == pytest.approx(-0.2)
    p = 270 / 2000
    z = -0.03 / math.sqrt(p * (1 - p) * (2 / 1000))
    assert r.z == pytest.approx(z) and r.pvalue == pytest.approx(2 * stats.norm.sf(abs(z)))
    # Newcombe's hybrid score interval: from the two Wilson intervals
    lt, ut = _wilson(120, 1000)
    lc, uc = _wilson(150, 1000)
    d = -0.03
    lower = d - math.sqrt((0.12 - lt) ** 2 + (uc - 0.15) ** 2)
    upper = d + math.sqrt((ut - 0.12) ** 2 + (0.15 - lc) ** 2)
    assert (r.lower, r.upper) == pytest.approx((lower, upper))
    assert r.ci_treatment == pytest.approx((lt, ut)) and r.method == "newcombe"
    w = ex.ab_test(120, 1000, 150, 1000, method="wald")
    se = math.sqrt(0.12 * 0.88 / 1000 + 0.15 * 0.85 / 1000)
    assert (w.lower, w.upper) == pytest.approx((d - 1.959964 * se, d + 1.959964 * se), abs=1e-6)
    tab = ex.simulate_campaign(500, 0.2, 0.15, np.random.default_rng(3))
    assert ex.ab_test(tab) == ex.ab_test(int(tab.loc["treatment", "churned"]), 500,
                                         int(tab.loc["control", "churned"]), 500)


def _wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_newcombe_keeps_its_level_where_wald_does_not():
    rng = np.random.default_rng(12)
    pt, pc, n = 0.02, 0.05, 40          # small arms, rare churn: Wald's plug-in standard error fails
    kt, kc = rng.binomial(n, pt, 1500), rng.binomial(n, pc, 1500)
    cover = {}
    for method in ("newcombe", "wald"):
        ci = [ex.difference_ci(int(a), n, int(b), n, method=method) for a, b in zip(kt, kc)]
        cover[method] = np.mean([lo <= pt - pc <= hi for lo, hi in ci])
    assert cover["newcombe"] >= 0.94                 # at or above the nominal 95 % (slightly conservative)
    assert cover["wald"] < 0.90                      # well below it


def test_sample_size_per_arm_textbook_value_and_simulated_power():
    # 10 % vs 5 %, alpha 0.05, power 0.8: 435 per arm (normal approximation, no continuity correction)
    assert ex.sample_size_per_arm(0.10, 0.05) == 435
    n = ex.sample_size_per_arm(0.20, 0.16)
    assert n == 1447
    power = ex.simulate_power(n, 0.20, 0.16, 20000, np.random.default_rng(4))
    assert 0.78 <= power <= 0.82
    size = ex.simulate_power(n, 0.20, 0.20, 20000, np.random.default_rng(5))
    assert 0.04 <= size <= 0.06
    assert ex.sample_size_per_arm(0.20, 0.16, power=0.9) > n


def test_peeking_inflates_the_false_positive_rate():
    r = ex.simulate_peeking(0.20, 1000, 5, 20000, np.random.default_rng(6))
    assert 0.04 <= r.false_positive_single <= 0.06
    # Armitage, McPherson & Rowe (1969): about 14 % with 5 looks at nominal 5 %
    assert 0.125 <= r.false_positive_peeking <= 0.16
    assert r.by_look["cumulative_rate"].is_monotonic_increasing
    assert r.by_look.index.tolist() == [1, 2, 3, 4, 5] and r.by_look["n_per_arm"].iloc[-1] == 1000
    ten = ex.simulate_peeking(0.20, 1000, 10, 20000, np.random.default_rng(6))
    assert ten.false_positive_peeking > r.false_positive_peeking
    again = ex.simulate_peeking(0.20, 1000, 5, 20000, np.random.default_rng(6))
    assert again.false_positive_peeking == r.false_positive_peeking


def test_before_after_without_control_reports_the_trend():
    r = ex.simulate_before_after(20000, 0.20, -0.03, 0.0, np.random.default_rng(7))
    assert r.loc["truth", "effect"] == 0
    assert r.loc["before_after", "effect"] == pytest.approx(-0.03, abs=0.01)
    assert r.loc["before_after", "upper"] < 0                     # "significant" — and wrong
    assert r.loc["with_control", "lower"] < 0 < r.loc["with_control", "upper"]
    with pytest.raises(ValueError, match="not a probability"):
        ex.simulate_before_after(100, 0.02, -0.05, 0.0, np.random.default_rng(1))


def test_before_after_bias_over_many_campaigns():
    b = ex.before_after_bias(1500, 0.30, -0.03, 0.0, 4000, np.random.default_rng(3))
    se = b["sd"] / np.sqrt(b.attrs["n_sims"])
    assert abs(b.loc["before_after", "mean"] - (-0.03)) < 4 * se["before_after"]      # centred on the trend
    assert abs(b.loc["with_control", "mean"]) < 4 * se["with_control"]                 # centred on the truth, 0
    assert b.loc["before_after", "bias"] == pytest.approx(b.loc["before_after", "mean"])
    # one campaign's estimate scatters by sqrt(p(1-p)/n + p'(1-p')/n)
    assert b.loc["with_control", "sd"] == pytest.approx(np.sqrt(2 * 0.27 * 0.73 / 1500), rel=0.1)
    same = ex.before_after_bias(1500, 0.30, -0.03, 0.0, 4000, np.random.default_rng(3))
    pd.testing.assert_frame_equal(b, same)
    with_effect = ex.before_after_bias(2000, 0.30, 0.02, -0.05, 2000, np.random.default_rng(4))
    assert with_effect.loc["with_control", "mean"] == pytest.approx(-0.05, abs=0.004)
    assert with_effect.loc["before_after", "mean"] == pytest.approx(-0.03, abs=0.004)
    with pytest.raises(ValueError, match="is not a probability"):
        ex.before_after_bias(100, 0.02, -0.05, 0.0, 10, np.random.default_rng(1))
    with pytest.raises(ValueError, match="n_sims"):
        ex.before_after_bias(100, 0.2, -0.05, 0.0, 1, np.random.default_rng(1))


def test_regression_to_the_mean_without_any_treatment():
    r = ex.simulate_regression_to_mean(200_000, np.random.default_rng(8), reliability=0.6, share=0.1)
    assert r["apparent_gain"] > 5
    assert r["apparent_gain"] == pytest.approx(r["expected_gain"], rel=0.03)
    assert r["everyone_after"] == pytest.approx(r["everyone_before"], abs=0.1)
    assert r["n_targeted"] == 20_000
    high = ex.simulate_regression_to_mean(200_000, np.random.default_rng(8), reliability=0.9)
    assert high["apparent_gain"] < r["apparent_gain"]


@pytest.mark.parametrize("call, err, msg", [
    (lambda: ex.ab_test(120, 100, 10, 100), ValueError, r"churned_t \(120\) cannot exceed n_t \(100\)"),
    (lambda: ex.ab_test(-1, 100, 10, 100), ValueError, "churned_t must be >= 0"),
    (lambda: ex.ab_test(1.5, 100, 10, 100), TypeError, "churned_t must be an integer"),
    (lambda: ex.ab_test(10, 0, 10, 100), ValueError, "n_t must be >= 1"),
    (lambda: ex.difference_ci(1, 10, 1, 10, method="exact"), ValueError, "method must be one of"),
    (lambda: ex.sample_size_per_arm(0.2, 0.2), ValueError, "must differ"),
    (lambda: ex.sample_size_per_arm(0.2, 1.2), ValueError, "p_treatment must be < 1"),
    (lambda: ex.simulate_campaign(100, 0.2, 0.1, 42), TypeError, "numpy.random.Generator"),
    (lambda: ex.simulate_peeking(0.2, 1000, 3, 10, np.random.default_rng(1)), ValueError, "multiple of looks"),
    (lambda: ex.simulate_peeking(0.2, 10**6, 10, 10**6, np.random.default_rng(1)), ValueError, "limit"),
    (lambda: ex.simulate_regression_to_mean(100, np.random.default_rng(1), reliability=1.0), ValueError,
     "reliability must be < 1"),
])
def test_bad_input_is_refused(call, err, msg):
    with pytest.raises(err, match=msg):
        call()


def test_two_proportion_test_with_no_churn_at_all():
    assert ex.two_proportion_test(0, 100, 0, 100) == (0.0, 1.0)
    z, p = ex.two_proportion_test(10, 100, 20, 100, alternative="smaller")
    assert z < 0 and p == pytest.approx(stats.norm.cdf(z))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_experiment_figures(lang):
    from matplotlib.axes import Axes

    r = ex.ab_test(ex.simulate_campaign(2000, 0.20, 0.16, np.random.default_rng(1)))
    ax = pe.ab_chart(r, lang=lang)
    assert isinstance(ax, Axes) and f"{100 * r.difference:+.1f}" in ax.get_title()
    peek = ex.simulate_peeking(0.2, 500, 5, 2000, np.random.default_rng(2))
    ax2 = pe.peeking_chart(peek, lang=lang)
    assert isinstance(ax2, Axes) and "5" in ax2.get_title()
    if lang == "zh":
        assert "流失率" in ax.get_title() and "对照组" in ax.get_xticklabels()[1].get_text()
    ax3 = pe.peeking_chart(peek, lang=lang, title="Peeking", ylabel="FPR")
    assert (ax3.get_title(), ax3.get_ylabel()) == ("Peeking", "FPR")
    with pytest.raises(TypeError, match="ABTest"):
        pe.ab_chart(peek)
    plt.close("all")
