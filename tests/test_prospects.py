"""The synthetic prospects dataset: its generator reproduces the shipped bytes, tells the source's funnel
story (seed 001_ba727a09fac39879.txt, grep 成功的概率) and rejects bad tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import datasets, prospects


@pytest.fixture(scope="module")
def shipped():
    return datasets.load("prospects")


def test_regenerating_gives_identical_bytes(tmp_path):
    out = prospects.write(tmp_path / "prospects.csv")
    assert out.read_bytes() == datasets.path("prospects").read_bytes()
    assert datasets.sha256(out) == datasets.info("prospects")["sha256"]


def test_generator_is_seeded_and_seed_matters():
    a, b = prospects.generate(300, seed=7), prospects.generate(300, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert not prospects.generate(300, seed=8).equals(a)


def test_loaded_matches_generated(shipped):
    gen = prospects.generate()
    assert list(shipped.columns) == list(prospects.COLUMNS)
    assert (shipped["prospect_id"] == gen["prospect_id"]).all()
    assert np.allclose(shipped["budget_kusd"], gen["budget_kusd"])
    assert (shipped["stage_reached"] == gen["stage_reached"]).all()


def test_funnel_story_of_the_source(shipped):
    # the case: of 100 prospects about half reach negotiation (the 50 scenario) and about 5 close
    n = len(shipped)
    reached = shipped["stage_reached"].isin(["negotiation", "deal"]).mean()
    closed = (shipped["stage_reached"] == "deal").mean()
    assert n == 2000
    assert 0.45 <= reached <= 0.55
    assert 0.035 <= closed <= 0.065


def test_negotiation_days_only_for_those_who_negotiated(shipped):
    neg = shipped["stage_reached"] != "prospect"
    assert shipped.loc[neg, "days_negotiation"].notna().all()
    assert shipped.loc[~neg, "days_negotiation"].isna().all()
    # "one month ... a year or even longer"
    assert shipped.loc[neg, "days_negotiation"].min() >= 30
    assert (shipped.loc[neg, "days_negotiation"] > 365).any()


def test_man_attributes_drive_closing(shipped):
    deal = shipped["stage_reached"] == "deal"
    assert shipped.loc[deal, "budget_kusd"].median() > shipped.loc[~deal, "budget_kusd"].median()
    assert shipped.loc[deal, "decision_maker"].mean() > shipped.loc[~deal, "decision_maker"].mean()
    assert shipped.loc[deal, "need_score"].mean() > shipped.loc[~deal, "need_score"].mean()


@pytest.mark.parametrize("bad_n", [0, -5])
def test_generate_rejects_bad_n(bad_n):
    with pytest.raises(ValueError, match="n must be >= 1"):
        prospects.generate(bad_n)


def test_generate_rejects_bad_seed():
    with pytest.raises(ValueError, match="seed"):
        prospects.generate(10, seed=-1)
    with pytest.raises(TypeError, match="seed"):
        prospects.generate(10, seed="x")


def test_check_prospects_rules(shipped):
    small = shipped.head(20).copy()
    assert prospects.check_prospects(small) is small
    with pytest.raises(ValueError, match="missing column"):
        prospects.check_prospects(small.drop(columns="need_score"))
    with pytest.raises(ValueError, match="empty"):
        prospects.check_prospects(small.iloc[0:0])
    with pytest.raises(TypeError, match="DataFrame"):
        prospects.check_prospects(small.to_dict())
    neg = small.copy()
    neg.loc[3, "budget_kusd"] = -1.0
    with pytest.raises(ValueError, match="'budget_kusd' is negative at row 3"):
        prospects.check_prospects(neg)
    nan = small.copy()
    nan.loc[2, "budget_kusd"] = np.nan
    with pytest.raises(ValueError, match="'budget_kusd' has NaN at row 2"):
        prospects.check_prospects(nan)
    txt = small.assign(need_score=small["need_score"].astype(str))
    with pytest.raises(TypeError, match="'need_score' must be numeric"):
        prospects.check_prospects(txt)
    dm = small.assign(decision_maker=small["decision_maker"].astype(int))
    with pytest.raises(TypeError, match="'decision_maker' must be boolean"):
        prospects.check_prospects(dm)
    hi = small.copy()
    hi.loc[5, "influence"] = 9
    with pytest.raises(ValueError, match="'influence' must lie in \\[1, 5\\], row 5"):
        prospects.check_prospects(hi)
    need = small.copy()
    need.loc[4, "need_score"] = 11
    with pytest.raises(ValueError, match="'need_score' must lie in \\[0, 10\\], row 4"):
        prospects.check_prospects(need)
    stage = small.copy()
    stage.loc[6, "stage_reached"] = "won"
    with pytest.raises(ValueError, match="unknown stage 'won' at row 6"):
        prospects.check_prospects(stage)
    days = small.copy()
    days.loc[1, "days_prospect"] = -3
    with pytest.raises(ValueError, match="'days_prospect' is negative at row 1"):
        prospects.check_prospects(days)
