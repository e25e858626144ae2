"""The shipped CDNOW files (Fader & Hardie) and the weekly calibration convention of the papers."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from crmlib import datasets
from crmlib.clv import rfm


@pytest.fixture(scope="module")
def master():
    return datasets.load("cdnow_master")


@pytest.fixture(scope="module")
def sample():
    return datasets.load("cdnow_sample")


def test_master_is_the_1997q1_cohort(master):
    # Fader, Hardie & Lee (2005), Marketing Science 24(2), Section 4: 23,570 customers who made
    # their first purchase at CDNOW in the first quarter of 1997, tracked to the end of June 1998.
    assert len(master) == 69_659
    assert master["customer_id"].nunique() == 23_570
    first = master.groupby("customer_id")["date"].min()
    assert first.min() == pd.Timestamp("1997-01-01") and first.max() <= pd.Timestamp("1997-03-31")
    assert master["date"].max() == pd.Timestamp("1998-06-30")
    assert (master["dollar_value"] >= 0).all() and (master["number_of_cds"] >= 1).all()


def test_sample_is_a_tenth_of_the_master(master, sample):
    # the 1/10th sample used in FHL (2005): 2,357 customers
    assert sample["customer_id"].nunique() == 2_357 and len(sample) == 6_919
    ids = sample.groupby("customer_id")["master_id"].nunique()
    assert (ids == 1).all() and sample["master_id"].nunique() == 2_357  # one-to-one id mapping
    key = ["master_id", "date", "number_of_cds", "dollar_value"]
    mine = master.rename(columns={"customer_id": "master_id"})
    picked = mine[mine["master_id"].isin(sample["master_id"])]
    # the sample holds exactly the master's transactions of its customers (as multisets of rows)
    a = picked[key].sort_values(key).reset_index(drop=True)
    b = sample[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_weekly_calibration_convention(sample):
    """Weeks 1-39 end 1997-09-30; times in weeks = days / 7; same-day purchases merge.

    This is the convention under which the BG/NBD, Pareto/NBD and Gamma-Gamma estimates of the
    papers are reproduced (tests/test_btyd.py)."""
    from crmlib import datasets

    assert (datasets.CDNOW_CALIBRATION_END, datasets.CDNOW_OBSERVATION_END) == ("1997-09-30", "1998-06-30")
    s = datasets.cdnow_summary("cdnow_sample")
    pd.testing.assert_frame_equal(s, rfm.summarize(sample, customer_id="customer_id", date="date",
                                                   amount="dollar_value", period="W",
                                                   observation_end="1998-06-30", calibration_end="1997-09-30"))
    assert len(s) == 2_357
    # customer 1 bought on 1997-01-01, 1997-01-18 and 1997-08-02 (then once more in the holdout)
    row = s.loc[1]
    assert row["frequency"] == 2
    assert row["recency"] == pytest.approx(213 / 7) and row["T"] == pytest.approx(272 / 7)
    assert row["frequency_holdout"] == 1
    # first purchases fall in 1997Q1, so T lies between 183/7 (joined 1997-03-31) and 272/7 (1997-01-01)
    assert s["T"].max() == pytest.approx(272 / 7) and s["T"].min() >= 183 / 7
    assert (s["duration_holdout"] == 39.0).all()  # weeks 40-78
    # 946 customers repeat-purchase in the calibration period (Fader & Hardie 2013, Gamma-Gamma note)
    assert int((s["frequency"] > 0).sum()) == 946
    assert s.index.is_unique


def test_master_summary_covers_the_cohort(master):
    from crmlib import datasets

    s = datasets.cdnow_summary("cdnow_master")
    assert len(s) == 23_570
    assert (s["recency"] <= s["T"]).all()
    assert int(s["frequency"].sum() + s["frequency_holdout"].sum() + len(s)) == int(
        master.groupby(["customer_id", "date"]).ngroups)


def _copy_entry(tmp_path, monkeypatch, name, mutate_text=None, mutate_entry=None):
    """A private data dir holding one CDNOW entry, optionally with altered bytes or manifest."""
    entry = dict(datasets.info(name))
    src = datasets.path(name)
    dst = tmp_path / entry["file"]
    dst.parent.mkdir(parents=True)
    text = src.read_bytes()
    if mutate_text:
        text = mutate_text(text)
    dst.write_bytes(text)
    entry["sha256"] = datasets.sha256(dst)
    if mutate_entry:
        mutate_entry(entry)
    (tmp_path / "manifest.json").write_text(json.dumps({"datasets": {name: entry}}), encoding="utf-8")
    monkeypatch.setenv("CRMLIB_DATA_DIR", str(tmp_path))


def test_whitespace_header_must_match_the_manifest(tmp_path, monkeypatch):
    _copy_entry(tmp_path, monkeypatch, "cdnow_master",
                mutate_text=lambda b: b.replace(b"dollar_value", b"dollars", 1))
    with pytest.raises(datasets.DatasetError, match="missing column"):
        datasets.load("cdnow_master")


def test_compact_dates_are_checked(tmp_path, monkeypatch):
    _copy_entry(tmp_path, monkeypatch, "cdnow_sample", mutate_text=lambda b: b.replace(b"19970118", b"19971318", 1))
    with pytest.raises(datasets.DatasetError, match="'date' has a value that is not a date at data row 2"):
        datasets.load("cdnow_sample")


def test_headerless_file_read_with_manifest_names(tmp_path, monkeypatch):
    _copy_entry(tmp_path, monkeypatch, "cdnow_sample")
    df = datasets.load("cdnow_sample")
    assert list(df.columns) == ["master_id", "customer_id", "date", "number_of_cds", "dollar_value"]
    assert df["date"].iloc[1] == pd.Timestamp("1997-01-18")
    assert np.isclose(df["dollar_value"].iloc[0], 29.33)


def test_bytes_are_pinned():
    for name in ("cdnow_master", "cdnow_sample"):
        assert datasets.sha256(datasets.path(name)) == datasets.info(name)["sha256"]
