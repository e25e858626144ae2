"""crmlib.fmt: numbers as people read them, in both languages; the label formatter never prints 1e+06."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

from crmlib import fmt, i18n


@pytest.mark.parametrize("x, lang, want", [
    (480_000, "zh", "48万美元"), (480_000, "en", "US$480,000"), (2_950_000, "zh", "295万美元"),
    (900_000, "zh", "90万美元"), (50_000, "zh", "5万美元"), (30_000_000, "zh", "3000万美元"),
    (177_186_861, "zh", "1.77亿美元"), (423_249.6, "zh", "42.32万美元"), (1_456.2, "zh", "1,456美元"),
    (9_999, "zh", "9,999美元"), (-1_800_000, "zh", "-180万美元"), (-1_800_000, "en", "-US$1,800,000"),
    (11_066.67, "en", "US$11,067"),
])
def test_money(x, lang, want):
    assert fmt.money(x, lang) == want


def test_money_digits_and_percent_and_p():
    assert fmt.money(11_066.666, "en", 2) == "US$11,066.67"
    assert fmt.money(11_066.666, "zh", 4) == "1.1067万美元"
    assert fmt.percent(0.874, "en", 1) == "87.4 %" and fmt.percent(0.874, "zh", 1) == "87.4%"
    assert fmt.percent(87, "zh", fraction=False) == "87%"
    assert fmt.pvalue(0.0) == "< 0.001" and fmt.pvalue(0.0004) == "< 0.001" and fmt.pvalue(0.02349) == "0.023"
    assert fmt.number(3.6e6) == "3,600,000" and fmt.number(0.00002) == "0.00002" and fmt.number(0) == "0"
    assert fmt.number(1234.5678, digits=2) == "1,234.57"


@pytest.mark.parametrize("call, err, match", [
    (lambda: fmt.money("1", "en"), TypeError, "x must be a real number"),
    (lambda: fmt.money(True, "en"), TypeError, "x must be a real number"),
    (lambda: fmt.money(math.inf, "en"), ValueError, "x must be finite"),
    (lambda: fmt.money(1, "fr"), ValueError, "lang must be one of"),
    (lambda: fmt.pvalue(1.5), ValueError, r"p must be a probability in \[0, 1\], got 1.5"),
    (lambda: fmt.number(1, digits=-1), ValueError, "digits must be an integer from 0 to 10"),
])
def test_bad_input_is_named(call, err, match):
    with pytest.raises(err, match=match):
        call()


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False).filter(lambda v: v != 0),
       st.sampled_from(["g", ",g", ".3g", ".2g"]), st.sampled_from(["en", "zh"]))
def test_g_specs_never_print_scientific_notation(v, spec, lang):
    out = fmt.LabelFormatter(lang).format("{v:" + spec + "}", v=v)
    assert "e" not in out.lower(), out
    assert math.isclose(float(out.replace(",", "")), float(format(v, spec.lstrip(","))), rel_tol=1e-9, abs_tol=1e-10)


def test_label_texts_use_the_formatter():
    i18n.add_labels({"test.fmt.money": {"en": "Worth {x:usd}, {y:g}, p {p:p}", "zh": "价值 {x:usd}，{y:g}，p {p:p}"}})
    assert i18n.t("test.fmt.money", "en", x=480000, y=3.6e6, p=1e-9) == "Worth US$480,000, 3,600,000, p < 0.001"
    assert i18n.t("test.fmt.money", "zh", x=480000, y=3.6e6, p=0.5) == "价值 48万美元，3,600,000，p 0.500"


def test_the_pv_spec_writes_the_p_with_its_sign():
    i18n.add_labels({"test.fmt.pv": {"en": "χ² = 3.1 ({p:pv})", "zh": "χ² = 3.1（{p:pv}）"}})
    assert i18n.t("test.fmt.pv", "en", p=1e-9) == "χ² = 3.1 (p < 0.001)"
    assert i18n.t("test.fmt.pv", "zh", p=0.0667) == "χ² = 3.1（p = 0.067）"
    with pytest.raises(ValueError, match="p must be a probability"):
        i18n.t("test.fmt.pv", "en", p=2.0)
