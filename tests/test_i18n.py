"""Labels and fonts: every plotted term in both languages; Chinese glyphs render."""
from __future__ import annotations

import io
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from crmlib import loss, datasets, i18n  # noqa: E402
from crmlib.plotting import loss as lplot  # noqa: E402


def _render(fig) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
        fig.savefig(io.BytesIO(), format="svg")
    plt.close(fig)
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def test_zh_figure_renders_without_missing_glyphs():
    i18n.use_lang("zh")
    try:
        t = datasets.load("loss_causes").set_index("cause_id")
        ax = lplot.pareto_chart(loss.pareto_table(t["share_pct"]), t["group_id"], lang="zh")
        ax.set_xlabel("客户关系管理 顾客终生价值 交叉销售 成功的概率")
        assert _render(ax.figure) == []
    finally:
        i18n.use_lang("en")


def test_glyph_check_can_fail():
    """Negative control: with only DejaVu Sans the same figure does warn, so the test above means something."""
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    fig, ax = plt.subplots()
    ax.set_title("客户流失")
    assert _render(fig), "expected 'Glyph … missing' warnings with a Latin-only font"
    i18n.use_lang("en")


def test_cjk_font_is_free_software():
    name = i18n.cjk_font_name()
    assert name and "simhei" not in name.lower()


def test_every_label_has_both_languages_and_unique_keys():
    table = i18n.labels()
    assert len(table) > 20
    import re

    for key, row in table.items():
        assert row["en"] and row["zh"], key
        en, zh = (re.sub(r"\{[^}]*\}", "", row[x]) for x in ("en", "zh"))   # placeholders are not text
        language_name = row["zh"] in ("English", "中文")   # a language is named in its own script
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) or row["zh"] == row["en"] or language_name \
            or not any(c.isalpha() for c in en), f"{key}: zh text has no Chinese: {row['zh']!r}"


def test_labels_agree_with_the_seed_table():
    for _, row in datasets.load("loss_causes").iterrows():
        assert i18n.t(f"loss.cause.{row['cause_id']}", "zh") == row["cause_zh"]
        assert i18n.t(f"loss.cause.{row['cause_id']}", "en") == row["cause_en"]
        assert i18n.t(f"loss.group.{row['group_id']}", "zh") == row["group_zh"]


def test_lookup_errors_are_clear():
    with pytest.raises(KeyError, match="no label 'nope.nope'"):
        i18n.t("nope.nope")
    with pytest.raises(ValueError, match="lang must be one of"):
        i18n.t("core.figure", "fr")
    assert i18n.t("loss.survey_title", "en", n=12, level=95).startswith("A survey of 12")


def test_bundled_font_is_used_when_the_system_has_none(monkeypatch):
    """A fresh machine may have no CJK font at all: the bundled one must then be registered and work."""
    monkeypatch.setattr(i18n, "_SYSTEM_CJK", ())
    i18n.cjk_font_name.cache_clear()
    try:
        name = i18n.cjk_font_name()
        assert name == "WenQuanYi Micro Hei"
        from matplotlib import font_manager
        bundled = str(i18n._BUNDLED_FONT)
        assert any(e.fname == bundled for e in font_manager.fontManager.ttflist), "bundled font not registered"
        i18n.use_lang("zh")
        fig, ax = plt.subplots()
        ax.set_title("客户终生价值", fontweight="bold")
        assert _render(fig) == []
    finally:
        i18n.cjk_font_name.cache_clear()
        i18n.use_lang("en")
