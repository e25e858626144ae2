"""crmlib.concepts' chapter-1 summaries (the dicts and tables the notebook records and shows)."""
from __future__ import annotations

import pandas as pd
import pytest

from crmlib import concepts, datasets


def test_man_summary_counts_and_rates():
    p = datasets.load("prospects")
    f = concepts.qualify_man(p)
    s = concepts.man_summary(p, f)
    assert s["counts"]["total"] == len(p) and s["counts"]["man"] == int(f["man"].sum())
    r = s["rates"]
    assert r["close_ratio"] == pytest.approx(r["close_rate.man"] / r["close_rate.not_man"])
    assert 0 < r["deal_share.man"] < 1
    with pytest.raises(TypeError, match="man"):
        concepts.man_summary(p, f.drop(columns="man"))


def test_history_results_split_approximate_years():
    h = concepts.history_results(datasets.load("crm_history"))
    assert h["exact"] == {"crm_named": 1999}
    assert set(h["approximate"]) == {"contact_management", "customer_service"}
    assert h["span_years"] == 1999 - min(h["approximate"].values())
    with pytest.raises(ValueError, match="year"):
        concepts.history_results(pd.DataFrame({"era": ["a"]}))


def test_term_frame_and_questionnaire():
    t = concepts.term_frame("crm_type")
    assert list(t["crm_type"]) == list(concepts.CRM_TYPES) and list(t.index) == [1, 2, 3]
    with pytest.raises(ValueError, match="name must be one of"):
        concepts.term_frame("nope")
    q = concepts.questionnaire([True, False, True, True, True])
    assert list(q["question"]) == list(concepts.STAGE_QUESTIONS) and q["answer"].dtype == bool
    with pytest.raises(ValueError, match="5 booleans"):
        concepts.questionnaire([True])
