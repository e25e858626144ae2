"""Plots for anyone's data (issue 22 §3): free-text titles, axis labels and series names; texts that
state a horizon or a window computed from the data passed in, in the figure's language; fits with any name."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlib import datasets  # noqa: E402
from crmlib.clv import btyd, rfm  # noqa: E402
from crmlib.plotting import bgbb as bgbb_plot  # noqa: E402
from crmlib.plotting import clv as plot  # noqa: E402

START = pd.Timestamp("1997-01-01")
FREE = {"title": "My title", "xlabel": "My x", "ylabel": "My y"}


def _texts(ax) -> dict:
    legend = ax.get_legend()
    return {"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
            "legend": [t.get_text() for t in legend.get_texts()] if legend else []}


@pytest.fixture(autouse=True)
def _close():
    from crmlib.i18n import use_lang

    with matplotlib.rc_context():
        use_lang("zh")  # a CJK font for the Chinese texts, in this test's settings only
        yield
    plt.close("all")


@pytest.fixture(scope="module")
def short_holdout():
    """CDNOW calibrated on weeks 1-39 and held out for weeks 40-56 (not the book's 40-78), and a BG/NBD fit."""
    tx = datasets.load("cdnow_sample")
    s = rfm.summarize(tx, customer_id="customer_id", date="date", amount="dollar_value",
                      calibration_end=START + pd.Timedelta(weeks=39, days=-1),
                      observation_end=START + pd.Timedelta(weeks=56, days=-1))
    bg = btyd.BetaGeo(s["frequency"], s["recency"], s["T"]).fit()
    return s, bg


# ----------------------------------------------------------------------------- computed horizons and windows
@pytest.mark.parametrize("lang, value, ylabel, xlabel, title", [
    ("en", "Expected purchases in the next 17 weeks", "Repeat purchases in weeks 1–30 (frequency)",
     "Recency: week of last repeat purchase", "BG/NBD: expected purchases by frequency and recency"),
    ("zh", "未来 17 周的预期购买次数", "第 1–30 周重复购买次数（购买频次）", "最近一次重复购买的周数（最近购买时间）",
     "BG/NBD：按购买频次与最近购买时间的预期购买次数"),
])
def test_fr_heatmap_states_the_matrix_horizon(short_holdout, lang, value, ylabel, xlabel, title):
    _, bg = short_holdout
    m = bg.frequency_recency_matrix(frequencies=np.arange(1, 6), recencies=np.arange(2, 30, 4), T=30.0, t=17)
    ax = plot.fr_heatmap(m, lang=lang)
    assert ax.collections[0].colorbar.ax.get_ylabel() == value
    assert (ax.get_ylabel(), ax.get_xlabel(), ax.get_title()) == (ylabel, xlabel, title)
    # the book's label keys still work, and are filled from the data too
    ax = plot.fr_heatmap(m, "clv.exp_purchases", "clv.exp_purchases_title", lang=lang)
    assert ax.collections[0].colorbar.ax.get_ylabel() == value


def test_fr_heatmap_of_another_unit_and_model_and_of_a_bare_matrix():
    s = btyd.simulate_pareto_nbd(400, seed=3, T=(30.0, 90.0))
    pn = btyd.ParetoNBD(s["frequency"], s["recency"], s["T"], period="D").fit()
    m = pn.frequency_recency_matrix(frequencies=[1, 2], recencies=[10.0, 20.0], T=30.0, t=1.0)
    ax = plot.fr_heatmap(m)
    assert ax.collections[0].colorbar.ax.get_ylabel() == "Expected purchases in the next 1 day"
    assert ax.get_xlabel() == "Recency: day of last repeat purchase"
    assert ax.get_title() == "Pareto/NBD: expected purchases by frequency and recency"
    alive = pn.frequency_recency_matrix(frequencies=[1, 2], recencies=[10.0, 20.0], T=30.0, kind="alive")
    assert plot.fr_heatmap(alive, lang="zh").get_title() == "Pareto/NBD：客户的存活概率"
    bare = pd.DataFrame(m.to_numpy(), index=m.index, columns=m.columns)  # no attrs: say what is known only
    ax = plot.fr_heatmap(bare)
    assert ax.collections[0].colorbar.ax.get_ylabel() == "Expected purchases"
    assert (ax.get_ylabel(), ax.get_title()) == ("Repeat purchases (frequency)",
                                                 "Expected purchases by frequency and recency")
    ax = plot.fr_heatmap(m, value_label="Sales next day", **FREE)
    assert ax.collections[0].colorbar.ax.get_ylabel() == "Sales next day"
    assert _texts(ax)["title"] == "My title" and ax.get_xlabel() == "My x" and ax.get_ylabel() == "My y"


@pytest.mark.parametrize("lang, xlabel, ylabel, legend", [
    ("en", "Repeat purchases in the calibration period (weeks 1–39)", "Mean repeat purchases in weeks 40–56",
     ["Actual", "BG/NBD", "my model"]),
    ("zh", "校准期（第 1–39 周）重复购买次数", "第 40–56 周平均重复购买次数", ["实际", "BG/NBD", "my model"]),
])
def test_holdout_chart_states_the_holdout_of_the_data(short_holdout, lang, xlabel, ylabel, legend):
    s, bg = short_holdout
    table = btyd.holdout_by_frequency(s, {"bgnbd": bg, "my model": bg})
    assert table.attrs["holdout_periods"] == (40, 56)
    ax = plot.holdout_by_frequency_chart(table, lang=lang)
    got = _texts(ax)
    assert (got["xlabel"], got["ylabel"], got["legend"]) == (xlabel, ylabel, legend)
    ax = plot.holdout_by_frequency_chart(table, names={"bgnbd": "BG", "actual": "Seen"}, **FREE)
    got = _texts(ax)
    assert got == {**FREE, "legend": ["Seen", "BG", "my model"]}


def test_holdout_chart_of_a_table_without_windows(short_holdout):
    s, bg = short_holdout
    table = btyd.holdout_by_frequency(s, {"x": bg})
    table.attrs = {}
    ax = plot.holdout_by_frequency_chart(table)
    assert ax.get_ylabel() == "Mean repeat purchases in the holdout period"
    with pytest.raises(ValueError, match="may not be named 'actual'"):
        btyd.holdout_by_frequency(s, {"actual": bg})


def test_tracking_chart_takes_any_fit_name_and_unit():
    days = np.arange(1, 31)
    ax = plot.tracking_chart(days, days * 2.0, {"pnbd": days * 1.9, "mine": days * 2.1}, 15, period="D", lang="en")
    got = _texts(ax)
    assert got["xlabel"] == "Day" and got["legend"] == ["Actual", "Pareto/NBD", "mine"]
    assert plot.tracking_chart(days, days * 2.0, {}, 15, period="M", lang="zh").get_xlabel() == "月"
    ax = plot.tracking_chart(days, days * 2.0, {"pnbd": days}, 15, names={"pnbd": "P", "actual": "A"}, **FREE)
    assert _texts(ax) == {**FREE, "legend": ["A", "P"]}


# ----------------------------------------------------------------------------- cohorts
def _cohorts():
    years = np.arange(10)
    actual = {"regular": 1000 * 0.8 ** years, "trial": 1000 * 0.6 ** years}
    return years, actual


@pytest.mark.parametrize("lang, title, ylabel", [
    ("en", "sBG model: fit on years 1–5, projection of years 6–9", "Customers still active (of 1000)"),
    ("zh", "sBG 模型：用第 1–5 年拟合，预测第 6–9 年", "仍在的客户（每 1000 人）"),
])
def test_sbg_chart_states_its_fit_and_projection_periods(lang, title, ylabel):
    years, actual = _cohorts()
    ax = plot.sbg_projection_chart(years, actual, actual, {k: v * 1.01 for k, v in actual.items()}, 5, lang=lang)
    got = _texts(ax)
    assert (got["title"], got["ylabel"]) == (title, ylabel)
    assert got["legend"][0].startswith("Regular" if lang == "en" else "普通客户")
    assert got["legend"][3].startswith("trial")  # a cohort without a label shows its key


def test_sbg_charts_in_months_with_free_text():
    years, actual = _cohorts()
    ax = plot.sbg_projection_chart(years, actual, actual, actual, 3, period="M")
    assert ax.get_title() == "sBG model: fit on months 1–3, projection of months 4–9"
    assert ax.get_xlabel() == "Month"
    ret = {k: v[1:] / v[:-1] for k, v in actual.items()}
    ax = plot.retention_curve_chart(years[1:], ret, ret, {k: 0.7 for k in ret}, 3, period="M")
    assert ax.get_ylabel() == "Retention rate per month"
    ax = plot.retention_curve_chart(years[1:], ret, ret, {k: 0.7 for k in ret}, 3, names={"trial": "Trial"},
                                    **FREE)
    got = _texts(ax)
    assert {k: got[k] for k in FREE} == FREE and got["legend"][3].startswith("Trial")
    sizes = {"regular": actual["regular"], "big": 2 * actual["trial"]}
    assert plot.sbg_projection_chart(years, sizes, sizes, sizes, 3).get_ylabel() == "Customers still active"


# ----------------------------------------------------------------------------- every function takes free text
def _calls():
    cases = datasets.load("clv_cases").assign(margin_undiscounted=lambda d: d["clv_usd"] / d["horizon_years"])
    grid = pd.DataFrame([[100.0, 200.0], [300.0, 400.0]], index=pd.Index([0.8, 0.9], name="retention"),
                        columns=pd.Index([0.0, 0.1], name="discount"))
    curve = pd.Series(np.arange(1.0, 41.0) * 1000, index=np.arange(1, 41))
    wcases = cases.assign(clv_model=cases["clv_usd"] / 2)
    amounts = pd.Series({"price_paid": 100.0, "fee": 30.0})
    signs = pd.Series({"price_paid": 1, "fee": -1})
    values = np.random.default_rng(0).gamma(1.0, 100.0, 500)
    donors = datasets.load("donations_1995")
    table = btyd.BetaGeoBetaBernoulli(donors["frequency"], donors["recency"], donors["periods"],
                                      donors["weights"]).fit().fit_by_recency_frequency()
    return [
        ("cases_chart", lambda **kw: plot.cases_chart(cases, **kw), None),
        ("implied_margin_heatmap", lambda **kw: plot.implied_margin_heatmap(grid, **kw), None),
        ("clv_horizon_chart", lambda **kw: plot.clv_horizon_chart(curve, wcases, 20, **kw),
         {"curve": "C", "printed": "P", "model": "M"}),
        ("current_value_waterfall", lambda **kw: plot.current_value_waterfall(amounts, signs, **kw), None),
        ("clv_distribution_chart", lambda **kw: plot.clv_distribution_chart(values, **kw), {"mean": "Avg"}),
        ("equity_concentration_chart", lambda **kw: plot.equity_concentration_chart(values, 0.5, **kw), None),
        ("expected_vs_actual_chart", lambda **kw: bgbb_plot.expected_vs_actual_chart(table, **kw),
         {"actual": "Seen", "expected": "Model"}),
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_takes_free_text_and_series_names(lang):
    for name, draw, names in _calls():
        default = _texts(draw(lang=lang))
        free = _texts(draw(lang=lang, names=names, **FREE) if names else draw(lang=lang, **FREE))
        assert {k: free[k] for k in FREE} == FREE, name
        assert all(default[k] != FREE[k] for k in FREE), name  # the defaults are the label tables' texts
        if names:
            assert all(any(text.startswith(v) for text in free["legend"]) for v in names.values()), (name, free)
    fig = plot.implied_margin_figure({"sas": _calls_grid()}, pd.DataFrame({"case": ["sas"], "clv_usd": [1e5]}),
                                     lang=lang, **FREE)
    assert fig._suptitle.get_text() == "My title" and fig.axes[0].get_xlabel() == "My x"


def _calls_grid():
    return pd.DataFrame([[100.0, 200.0], [300.0, 400.0]], index=[0.8, 0.9], columns=[0.0, 0.1])


def test_waterfall_names_unknown_terms_by_their_id():
    ax = plot.current_value_waterfall(pd.Series({"price_paid": 100.0, "fee": 30.0}),
                                      pd.Series({"price_paid": 1, "fee": -1}), lang="zh")
    assert [tk.get_text() for tk in ax.get_xticklabels()] == ["实际支付价格", "fee", "现阶段净利润"]


# ----------------------------------------------------------------------------- diagnostics of any fitted model (issue 27)
@pytest.fixture(scope="module")
def three_fits(cdnow):
    args = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    return {"bgnbd": btyd.BetaGeo(*args).fit(), "mbgnbd": btyd.ModifiedBetaGeo(*args).fit(),
            "pnbd": btyd.ParetoNBD(*args).fit()}


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "pnbd"])
def test_period_transactions_simulation_agrees_with_the_expected_counts(three_fits, cdnow, model):
    table = btyd.period_transactions(three_fits[model], 5, seed=1, draws=40)
    assert list(table.index) == ["0", "1", "2", "3", "4", "5+"]
    assert table["actual"].tolist() == np.bincount(np.minimum(cdnow["frequency"].astype(int), 5)).tolist()
    assert table["expected"].sum() == pytest.approx(len(cdnow)) and table["simulated"].sum() == len(cdnow)
    # the mean of 40 simulated bases is within 4 standard errors of its expectation in every group
    sd = np.sqrt(table["expected"] * (1 - table["expected"] / len(cdnow)) / 40)
    assert (np.abs(table["simulated"] - table["expected"]) <= 4 * sd).all(), table
    again = btyd.period_transactions(three_fits[model], 5, seed=1, draws=40)
    pd.testing.assert_frame_equal(table, again)


def test_alive_history_follows_the_purchases(three_fits):
    h = btyd.alive_history(three_fits["pnbd"], [0.0, 3.0, 10.0, 10.0, 12.5], 39.0, step=0.5)
    assert h.attrs["purchases"] == [3.0, 10.0, 12.5] and h["t"].is_monotonic_increasing
    assert h["frequency"].max() == 3 and h["t"].iloc[-1] == 39.0
    # P(alive) falls while the customer is silent and jumps up at each purchase
    at10 = h[h["t"] == 10.0]
    assert at10["frequency"].tolist() == [1.0, 2.0] and at10["p_alive"].iloc[1] > at10["p_alive"].iloc[0]
    quiet = h[(h["t"] > 12.5)]
    assert (np.diff(quiet["p_alive"]) < 0).all()
    np.testing.assert_allclose(h["p_alive"].iloc[-1], three_fits["pnbd"].probability_alive(3, 12.5, 39.0))
    for bad, message in (([1.0, 3.0], "start with the first purchase at time 0"), ([0.0, 40.0], "after T = 39"),
                         ([0.0, -1.0], r"purchases\[0\] is negative")):
        with pytest.raises(ValueError, match=message):
            btyd.alive_history(three_fits["bgnbd"], bad, 39.0)


@pytest.mark.parametrize("lang, title, ylabel", [
    ("en", "BG/NBD: customers by repeat purchases in the calibration period", "Customers"),
    ("zh", "BG/NBD：按校准期重复购买次数分组的客户数", "客户数"),
])
def test_period_transactions_chart_one_call_both_languages(three_fits, lang, title, ylabel):
    ax = plot.period_transactions_chart(three_fits["bgnbd"], lang=lang)
    assert _texts(ax)["title"] == title and _texts(ax)["ylabel"] == ylabel
    assert len(ax.patches) == 16   # 8 groups x (actual, simulated)
    ax = plot.period_transactions_chart(btyd.period_transactions(three_fits["pnbd"]), lang=lang, **FREE,
                                        names={"actual": "Seen", "simulated": "Drawn"})
    assert _texts(ax) == {**FREE, "legend": ["Seen", "Drawn"]}


@pytest.mark.parametrize("lang, xlabel", [("en", "Weeks since the first purchase"), ("zh", "首次购买后的周数")])
def test_alive_history_chart_one_call_both_languages(three_fits, cdnow, lang, xlabel):
    fit = btyd.BetaGeo(cdnow["frequency"], cdnow["recency"], cdnow["T"], period="W").fit()
    ax = plot.alive_history_chart(fit, [0, 3, 10], 39, lang=lang)
    assert _texts(ax)["xlabel"] == xlabel and len(ax.lines) == 3   # the curve and two purchases
    ax = plot.alive_history_chart(three_fits["mbgnbd"], [0, 3], 20, lang=lang, **FREE, names={"p_alive": "alive"})
    assert _texts(ax)["title"] == "My title" and _texts(ax)["legend"][0] == "alive"
    with pytest.raises(ValueError, match="needs the customer's purchases and T"):
        plot.alive_history_chart(fit)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_tracking_chart_incremental(lang):
    periods, actual = np.arange(1, 6), np.array([1.0, 3.0, 6.0, 10.0, 15.0])
    ax = plot.tracking_chart(periods, actual, {"my model": actual * 1.1}, 3, lang=lang, kind="incremental")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1, 2, 3, 4, 5])
    assert _texts(ax)["legend"][1] == "my model"
    assert _texts(ax)["ylabel"] == {"en": "Repeat transactions in the period", "zh": "本期重复交易次数"}[lang]
    with pytest.raises(ValueError, match="kind must be"):
        plot.tracking_chart(periods, actual, {}, 3, kind="weekly")


@pytest.mark.parametrize("lang, titles", [
    ("en", ("How customers differ: purchase rate", "How customers differ: dropout")),
    ("zh", ("客户的异质性：购买率", "客户的异质性：流失")),
])
def test_heterogeneity_figure_and_chart(three_fits, lang, titles):
    fig = plot.heterogeneity_figure({k: three_fits[k] for k in ("bgnbd", "mbgnbd")}, lang=lang)
    assert tuple(ax.get_title() for ax in fig.axes) == titles
    assert _texts(fig.axes[0])["legend"] == ["BG/NBD", "MBG/NBD"]
    ax = plot.heterogeneity_chart({"mine": three_fits["pnbd"]}, "dropout", lang=lang, **FREE, names={"mine": "M"})
    assert _texts(ax) == {**FREE, "legend": ["M"]}
    # the dashed line is the mean of the mixing distribution: s / beta for the Pareto/NBD's dropout rate
    s, beta = three_fits["pnbd"].params[["s", "beta"]]
    assert ax.lines[1].get_xdata()[0] == pytest.approx(s / beta)
    with pytest.raises(ValueError, match="cannot share one axis"):
        plot.heterogeneity_figure(three_fits, lang=lang)
