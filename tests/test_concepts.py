"""crmlib.concepts: the six-stage classifier and MAN qualification (seed 001 MAN型, seed 004 第○階段)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib import concepts, datasets
from crmlib.i18n import t


@pytest.fixture(scope="module")
def prospects():
    return datasets.load("prospects")


def test_six_stages_as_in_the_source():
    # seed 004: 第○階段 完全以產品為中心 … 第五階段 完全以顧客為中心 — six stages, 0 to 5
    assert len(concepts.SIX_STAGES) == 6
    assert len(concepts.STAGE_QUESTIONS) == 5
    assert t("concepts.stage.product_centric", "zh") == "完全以产品为中心"
    assert t("concepts.stage.customer_centric", "zh") == "完全以客户为中心"


@pytest.mark.parametrize("answers, stage", [
    ([False] * 5, 0), ([True] * 5, 5), ([True, True, False, False, False], 2),
    ([True, True, True, False, True], 3), ([False, True, True, True, True], 0),
])
def test_classify_stage_counts_leading_yes(answers, stage):
    assert concepts.classify_stage(answers) == stage
    assert concepts.classify_stage(dict(zip(concepts.STAGE_QUESTIONS, answers))) == stage


@given(st.lists(st.booleans(), min_size=5, max_size=5))
def test_classify_stage_properties(answers):
    s = concepts.classify_stage(answers)
    assert 0 <= s <= 5 and all(answers[:s]) and (s == 5 or not answers[s])
    # saying yes to one more question never lowers the stage
    for i in range(5):
        more = list(answers)
        more[i] = True
        assert concepts.classify_stage(more) >= s


def test_classify_stage_every_answer_pattern_is_a_stage():
    stages = {concepts.classify_stage(list(a)) for a in itertools.product([False, True], repeat=5)}
    assert stages == set(range(6))


@pytest.mark.parametrize("answers, exc, msg", [
    ([True] * 4, ValueError, "must hold 5 booleans"),
    ([True, True, 1, False, False], TypeError, "answer to 'category_consultants' must be True or False"),
    ("yes", TypeError, "mapping or a sequence"),
    (3, TypeError, "mapping or a sequence"),
    ({"segments": True}, ValueError, "missing question"),
    ({**{q: True for q in concepts.STAGE_QUESTIONS}, "crm_software": True}, ValueError, "unknown question"),
])
def test_classify_stage_rejects(answers, exc, msg):
    with pytest.raises(exc, match=msg):
        concepts.classify_stage(answers)


def test_qualify_man_applies_the_thresholds(prospects):
    f = concepts.qualify_man(prospects, money_min=50, influence_min=4, need_min=6)
    assert list(f.columns) == ["money", "authority", "need", "man"]
    assert (f["money"] == (prospects["budget_kusd"] >= 50)).all()
    assert (f["authority"] == (prospects["decision_maker"] | (prospects["influence"] >= 4))).all()
    assert (f["need"] == (prospects["need_score"] >= 6)).all()
    assert (f["man"] == (f["money"] & f["authority"] & f["need"])).all()
    assert f["man"].sum() < min(f["money"].sum(), f["authority"].sum(), f["need"].sum())


@settings(deadline=None, max_examples=40)   # no timing assertion: the 2-core CI machine is shared
@given(m1=st.floats(0, 500), m2=st.floats(0, 500), n1=st.integers(0, 10), n2=st.integers(0, 10))
def test_stricter_thresholds_qualify_fewer(prospects, m1, m2, n1, n2):
    lo = concepts.qualify_man(prospects, money_min=min(m1, m2), need_min=min(n1, n2))["man"]
    hi = concepts.qualify_man(prospects, money_min=max(m1, m2), need_min=max(n1, n2))["man"]
    assert not (hi & ~lo).any()


@pytest.mark.parametrize("kwargs, msg", [
    (dict(money_min=-1), "money_min must be >= 0"),
    (dict(money_min=float("nan")), "money_min is NaN"),
    (dict(influence_min=0), "influence_min must be >= 1"),
    (dict(influence_min=6), "influence_min must be <= 5"),
    (dict(need_min=11), "need_min must be <= 10"),
])
def test_qualify_man_rejects_bad_thresholds(prospects, kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        concepts.qualify_man(prospects, **kwargs)


def test_qualify_man_rejects_bad_tables(prospects):
    with pytest.raises(ValueError, match="missing column"):
        concepts.qualify_man(prospects.drop(columns="influence"))
    neg = prospects.head(10).copy()
    neg.loc[2, "budget_kusd"] = -5.0
    with pytest.raises(ValueError, match="'budget_kusd' is negative at row 2"):
        concepts.qualify_man(neg)


def test_qualification_table_counts(prospects):
    f = concepts.qualify_man(prospects)
    q = concepts.qualification_table(prospects, f["man"])
    assert q["prospects"].sum() == len(prospects)
    assert q["deals"].sum() == (prospects["stage_reached"] == "deal").sum()
    assert q.loc[True, "close_rate"] == pytest.approx(q.loc[True, "deals"] / q.loc[True, "prospects"])
    assert q.loc[True, "close_rate"] > 2 * q.loc[False, "close_rate"]   # MAN prospects close far more often
    by = concepts.criterion_table(prospects, f)
    assert list(by.index) == ["money", "authority", "need", "man"]
    assert (by["n_met"] + by["n_not"] == len(prospects)).all()
    assert (by["close_met"] > by["close_not"]).all()


def test_qualification_table_rejects_and_reports_empty_group(prospects):
    f = concepts.qualify_man(prospects)
    with pytest.raises(TypeError, match="boolean pandas Series"):
        concepts.qualification_table(prospects, f["man"].astype(int))
    with pytest.raises(ValueError, match="different indexes"):
        concepts.qualification_table(prospects, f["man"].iloc[:10])
    with pytest.raises(TypeError, match="flags must be a DataFrame"):
        concepts.criterion_table(prospects, f["man"])
    nobody = concepts.qualification_table(prospects, f["man"] & False)
    assert nobody.loc[True, "prospects"] == 0 and np.isnan(nobody.loc[True, "close_rate"])


def test_every_concept_key_has_labels():
    for prefix, keys in (("concepts.cycle", concepts.MARKET_CYCLE), ("concepts.ask", concepts.ASK),
                         ("concepts.man", concepts.MAN), ("concepts.lifecycle", concepts.LIFECYCLE_APPLICATIONS),
                         ("concepts.type", concepts.CRM_TYPES), ("concepts.component", concepts.CRM_COMPONENTS),
                         ("concepts.kpi", concepts.KPIS), ("concepts.class", concepts.CUSTOMER_CLASSES),
                         ("concepts.question", concepts.STAGE_QUESTIONS), ("concepts.stage", concepts.SIX_STAGES)):
        for k in keys:
            assert t(f"{prefix}.{k}", "en") and t(f"{prefix}.{k}", "zh")
