"""crmlib.plotting.segments: every figure returns its Axes in both languages, takes free-text titles,
computes its default labels from the data and keeps heatmap cell labels readable (>= 12 pt)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlib import clustering as cl  # noqa: E402
from crmlib import concentration as cc  # noqa: E402
from crmlib import i18n  # noqa: E402
from crmlib import key_accounts as ka  # noqa: E402
from crmlib import migration as mg  # noqa: E402
from crmlib import segments as sg  # noqa: E402
from crmlib.fmt import percent  # noqa: E402
from crmlib.plotting import segments as sp  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 400
    rfm = pd.DataFrame({"recency": rng.uniform(0, 39, n), "frequency": rng.geometric(0.5, n),
                        "monetary": rng.gamma(2, 15, n)})
    rfm["revenue"] = rfm["frequency"] * rfm["monetary"]
    seg = sg.name_segments(sg.rfm_scores(rfm))
    spend = pd.DataFrame(rng.gamma(0.6, 60, size=(n, 4)) * (rng.random((n, 4)) < 0.5))
    spend[0] = spend[0] + 1.0
    chain = mg.fit_markov_chain(mg.spend_states(spend, high_spend=50), period_days=91)
    ck = cl.choose_k(cl.rfm_features(rfm), range(2, 5), rng=rng, n_init=2, sample_size=200)
    fit = ck.attrs["fits"][ck.attrs["best_k"]]
    profit = pd.Series(np.r_[rng.gamma(2, 500, 80), -rng.gamma(2, 200, 20)])
    hold = pd.DataFrame({"purchases": rng.poisson(1.0, n), "spend": rng.gamma(0.5, 40, n)}, index=rfm.index)
    book = pd.DataFrame({"account_id": [f"A{i}" for i in range(100)], "list_revenue_usd": rng.gamma(2, 5e4, 100)})
    book["discount_usd"] = 0.1 * book["list_revenue_usd"]
    book["production_cost_usd"] = 0.6 * book["list_revenue_usd"]
    book["marketing_cost_usd"] = 1000.0
    book["service_cost_usd"] = rng.gamma(2, 6e3, 100)
    accounts = ka.account_profit(book)
    return {
        "conc": cc.concentration(rfm["revenue"]),
        "profile": sg.segment_profile(rfm, seg),
        "chain": chain,
        "boot": chain.bootstrap(50, np.random.default_rng(1)),
        "k": ck,
        "tab": sg.contingency(fit.labels, seg),
        "ari": cl.adjusted_rand_index(fit.labels, seg),
        "whale": ka.whale_curve(profit),
        "holdout": sg.holdout_by_segment(seg, hold, n_boot=50, rng=np.random.default_rng(2)),
        "key": ka.key_account_whatif(accounts, top_shares=[0.05, 0.1, 0.2, 0.4, 0.6], manager_cost=5000),
    }


def _calls(d):
    return {
        "lorenz": lambda **kw: sp.lorenz_chart(d["conc"], **kw),
        "lorenz_multi": lambda **kw: sp.lorenz_chart({"calibration": d["conc"], "holdout": d["conc"]}, **kw),
        "profile": lambda **kw: sp.rfm_profile_heatmap(d["profile"], **kw),
        "sizes": lambda **kw: sp.segment_size_chart(d["profile"], **kw),
        "transition": lambda **kw: sp.transition_heatmap(d["chain"], **kw),
        "transition_matrix": lambda **kw: sp.transition_heatmap(d["chain"].transition_matrix, **kw),
        "stationary": lambda **kw: sp.stationary_chart(d["boot"].stationary_conf_int(),
                                                       current=pd.Series([5, 5, 10, 80], index=mg.STATES), **kw),
        "stationary_plain": lambda **kw: sp.stationary_chart(d["chain"].stationary(), **kw),
        "whale": lambda **kw: sp.whale_chart(d["whale"], **kw),
        "k": lambda **kw: sp.k_selection_chart(d["k"], **kw),
        "contingency": lambda **kw: sp.contingency_heatmap(d["tab"], ari=d["ari"], **kw),
        "holdout": lambda **kw: sp.holdout_chart(d["holdout"], **kw),
        "key": lambda **kw: sp.key_account_chart(d["key"], chosen=0.2, **kw),
    }


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.use_lang("en")
    plt.close("all")


NAMES = ["lorenz", "lorenz_multi", "profile", "sizes", "transition", "transition_matrix", "stationary",
         "stationary_plain", "whale", "k", "contingency", "holdout", "key"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", NAMES)
def test_every_plot_returns_its_axes_in_both_languages(data, name, lang):
    i18n.use_lang(lang)
    fig, ax = plt.subplots()
    out = _calls(data)[name](lang=lang, ax=ax)
    assert out is ax and ax.get_title()
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in ax.get_title())
    plt.close(fig)
    new = _calls(data)[name](lang=lang)                  # no ax: a new figure
    assert new.figure is not fig
    plt.close(new.figure)


@pytest.mark.parametrize("name", NAMES)
def test_free_text_replaces_the_default_labels(data, name):
    i18n.use_lang("zh")
    ax = _calls(data)[name](lang="zh", title="My title", xlabel="My x", ylabel="My y")
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("My title", "My x", "My y")
    plt.close(ax.figure)


def test_default_labels_come_from_the_data(data):
    ax = sp.transition_heatmap(data["chain"], lang="en")
    assert "13-week" in ax.get_title()
    plt.close(ax.figure)
    i18n.use_lang("zh")
    ax = sp.transition_heatmap(data["chain"], lang="zh")
    assert "13 周" in ax.get_title() and ax.get_ylabel() == i18n.t("seg.from_state", "zh")
    plt.close(ax.figure)
    ax = sp.whale_chart(data["whale"], lang="en")
    assert "100 accounts" in ax.get_title()
    plt.close(ax.figure)
    ax = sp.lorenz_chart(data["conc"], lang="en")
    assert f"{data['conc'].gini:.2f}" in ax.get_title()
    plt.close(ax.figure)
    ax = sp.k_selection_chart(data["k"], lang="en")
    assert "200 customers" in ax.get_title()
    plt.close(ax.figure)
    ax = sp.contingency_heatmap(data["tab"], ari=data["ari"], lang="en")
    assert f"ARI {data['ari']:.2f}" in ax.get_title()
    plt.close(ax.figure)


@pytest.mark.parametrize("name", ["profile", "transition", "contingency"])
def test_heatmap_cell_labels_are_readable_at_slide_size(data, name):
    ax = _calls(data)[name](lang="en")
    sizes = [t.get_fontsize() for t in ax.texts]
    assert sizes and min(sizes) >= 12
    plt.close(ax.figure)


def test_transition_cells_show_percent_and_count(data):
    ax = sp.transition_heatmap(data["chain"], lang="en")
    P, N = data["chain"].transition_matrix, data["chain"].counts
    first = ax.texts[0].get_text()
    assert first == f"{100 * P.iat[0, 0]:.1f}%\n({N.iat[0, 0]:,.0f})"
    plt.close(ax.figure)


def test_money_labels():
    from crmlib.plotting import money

    assert money(5_570_000, "zh") == "557万美元"
    assert money(12_345, "zh") == "1.23万美元"
    assert money(9_999, "zh") == "9,999美元"
    assert money(-25_000, "zh") == "-2.5万美元"
    assert money(5_570_000, "en", compact=True) == "US\\$5.57 m"
    assert money(950, "en", compact=True) == "US\\$950"


def test_plots_do_not_show(monkeypatch, data):
    monkeypatch.setattr(plt, "show", lambda *a, **k: (_ for _ in ()).throw(AssertionError("plt.show called")))
    for name, call in _calls(data).items():
        plt.close(call(lang="en").figure)


def test_holdout_chart_labels_each_group_and_marks_empty_ones(data):
    tab = data["holdout"]
    ax = sp.holdout_chart(tab, lang="en")
    texts = [t.get_text() for t in ax.texts]
    empty = tab.index[tab["customers"] == 0]
    assert sum(t == "empty" for t in texts) == len(empty)
    full = tab[tab["customers"] > 0]
    assert all(f"(n = {n:,})" in " ".join(texts) for n in full["customers"])
    assert [lab.get_text() for lab in ax.get_yticklabels()] == [i18n.t(f"seg.segment.{s}", "en") for s in tab.index]
    plt.close(ax.figure)


def test_key_account_chart_marks_the_chosen_criterion(data):
    tab = data["key"]
    ax = sp.key_account_chart(tab, chosen=0.2, lang="en")
    row = tab[tab["criterion"] == 0.2].iloc[0]
    note = [t.get_text() for t in ax.texts if "key accounts:" in t.get_text()]
    assert note == [f"{int(row['key_accounts'])} key accounts: {percent(row['revenue_share'])} of revenue, "
                    f"{percent(row['profit_share'])} of profit"]
    assert "price actually paid" in ax.get_xlabel()
    plt.close(ax.figure)
    with pytest.raises(KeyError, match="profit_share"):
        sp.key_account_chart(tab.drop(columns="profit_share"))
