"""crmlib.plotting.bgbb: expected vs actual donors by frequency and recency, both languages."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlib import datasets, i18n  # noqa: E402
from crmlib.clv import btyd  # noqa: E402
from crmlib.plotting import bgbb as plot  # noqa: E402


@pytest.fixture(scope="module")
def table():
    d = datasets.load("donations_1995")
    res = btyd.BetaGeoBetaBernoulli(d["frequency"], d["recency"], d["periods"], d["weights"]).fit()
    return res.fit_by_recency_frequency()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("by", ["frequency", "recency"])
def test_bars_are_the_summed_cells(table, lang, by):
    fig, ax = plt.subplots()
    out = plot.expected_vs_actual_chart(table, by=by, lang=lang, ax=ax)
    assert out is ax
    bars = [p.get_height() for p in ax.patches]
    want = table.groupby(by)[["actual", "expected"]].sum()
    assert np.allclose(bars[:7], want["actual"]) and np.allclose(bars[7:], want["expected"])
    assert [tk.get_text() for tk in ax.get_xticklabels()] == [str(i) for i in range(7)]
    assert ax.get_xlabel() == i18n.t(f"bgbb.by.{by}", lang)
    assert "11,104" in ax.get_title()
    legend = [tx.get_text() for tx in ax.get_legend().get_texts()]
    assert legend == [i18n.t("bgbb.actual", lang), i18n.t("bgbb.expected", lang)]
    plt.close(fig)


def test_new_figure_without_ax(table):
    ax = plot.expected_vs_actual_chart(table)
    assert ax.figure is not None
    plt.close(ax.figure)


def test_bad_input(table):
    with pytest.raises(ValueError, match="by must be one of"):
        plot.expected_vs_actual_chart(table, by="T")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['expected'\]"):
        plot.expected_vs_actual_chart(table.drop(columns="expected"))
    bad = table.copy()
    bad.loc[0, "actual"] = -1
    with pytest.raises(ValueError, match="'actual' is negative"):
        plot.expected_vs_actual_chart(bad)
    with pytest.raises(TypeError):
        plot.expected_vs_actual_chart(pd.Series([1, 2]))


def test_every_label_has_both_languages():
    rows = pd.read_csv(i18n._LABEL_DIR / "bgbb.csv")
    assert rows["key"].str.startswith("bgbb.").all()
    assert rows[["en", "zh"]].notna().all().all()
