"""crmlib.own_log_data: the guide's messy order log holds exactly the planted mess, and the clean truth can be
recovered from it by a cleaning written here independently of the guide's (dates from the UTC timestamp, not
from ``order_date``)."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from crmlib import datasets, own_log_data


def _clean(messy: pd.DataFrame) -> pd.DataFrame:
    """The test's own cleaning: drop exact duplicates, read amounts, net returns per order, normalise ids, drop
    guests and the test account, take the local day from ``paid_at``."""
    lines = messy.drop_duplicates().copy()
    text = lines["amount"].str.replace("USD", "", regex=False).str.replace("$", "", regex=False)
    lines["cents"] = (text.str.replace(",", "", regex=False).str.strip().astype(float) * 100).round().astype(int)
    sale = lines[lines["cents"] > 0].set_index("order_id")
    net = lines.groupby("order_id")["cents"].sum().reindex(sale.index)
    sale = sale.assign(cents=net)[net > 0]
    sale["customer"] = sale["customer"].fillna("").str.strip().str.upper()
    sale = sale[~sale["customer"].isin(["", own_log_data.TEST_ACCOUNT])]
    local = pd.to_datetime(sale["paid_at"], utc=True).dt.tz_convert(own_log_data.ZONE).dt.tz_localize(None)
    return pd.DataFrame({"order_id": sale.index.to_numpy(), "customer": sale["customer"].to_numpy(),
                         "date": local.dt.normalize().to_numpy(), "amount": sale["cents"].to_numpy() / 100.0})


@pytest.mark.parametrize("n, seed", [(60, 7), (own_log_data.OWN_LOG_N, own_log_data.OWN_LOG_SEED)])
def test_the_truth_is_recovered_by_an_independent_cleaning(n, seed):
    messy, truth = own_log_data.generate_own_log(n, seed), own_log_data.own_log_truth(n, seed)
    got = _clean(messy).sort_values("order_id", ignore_index=True)
    want = truth.sort_values("order_id", ignore_index=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert truth["customer"].nunique() == truth.attrs["planted"]["customers"] <= n


def test_the_planted_counts_are_what_the_log_shows():
    messy = own_log_data.generate_own_log()
    p = own_log_data.own_log_truth().attrs["planted"]
    assert len(messy) == p["lines"]
    assert messy.duplicated().sum() == p["duplicate_lines"] > 0
    assert messy.drop_duplicates()["amount"].str.contains("-", regex=False).sum() == p["return_lines"] > 0
    ids = messy["customer"].str.strip().str.upper()
    sales = messy.drop_duplicates()[~messy.drop_duplicates()["amount"].str.contains("-", regex=False)]
    assert (sales["customer"] == "").sum() == p["guest_orders"] > 0
    assert (sales["customer"].str.strip().str.upper() == own_log_data.TEST_ACCOUNT).sum() == p["test_orders"]
    assert ((ids != messy["customer"]) & (messy["customer"] != "")).sum() == p["ids_typed_differently"] > 0
    assert (messy["channel"] == "app").sum() == p["app_lines"]
    assert 0 < p["full_returns"] < p["return_lines"]


def test_each_channel_writes_dates_and_amounts_its_own_way():
    messy = own_log_data.generate_own_log(300, seed=4)
    web, app = messy[messy["channel"] == "web"], messy[messy["channel"] == "app"]
    assert web["order_date"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    assert app["order_date"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert app["amount"].str.fullmatch(r"USD -?\d+\.\d\d").all()
    assert web["amount"].str.fullmatch(r"-?\$?\d{1,3}(,\d{3})*(\.\d\d)|-?\d+\.\d\d").all()
    assert messy["paid_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    # the UTC timestamp falls on the local order date once converted to the shop's zone
    local = pd.to_datetime(messy["paid_at"], utc=True).dt.tz_convert(own_log_data.ZONE).dt.strftime("%Y-%m-%d")
    written = np.where(messy["channel"] == "web", pd.to_datetime(messy["order_date"], format="%d/%m/%Y",
                                                                  errors="coerce").dt.strftime("%Y-%m-%d"),
                       messy["order_date"])
    assert (local.to_numpy() == written).all()
    assert (pd.to_datetime(messy["paid_at"], utc=True).dt.tz_convert(None).dt.normalize()
            != pd.to_datetime(local)).any(), "some local days differ from the UTC day (the time-zone trap)"


def test_the_shipped_file_reads_back_as_the_generated_text():
    shipped = datasets.load("own_log")
    generated = own_log_data.generate_own_log()
    assert list(shipped.columns) == list(own_log_data.COLUMNS)
    assert (shipped["customer"].fillna("") == generated["customer"]).all()
    assert (shipped.drop(columns="customer") == generated.drop(columns="customer")).all().all()
    reread = pd.read_csv(io.StringIO(own_log_data.own_log_csv(60, 7)), dtype=str, keep_default_na=False)
    assert reread.equals(own_log_data.generate_own_log(60, 7))


def test_sizes_are_checked():
    with pytest.raises(ValueError, match="n = 100,001 is above crmlib.s limit of 100,000 customers"):
        own_log_data.generate_own_log(own_log_data.MAX_CUSTOMERS + 1)
    with pytest.raises(TypeError, match="seed must be an integer"):
        own_log_data.own_log_truth(10, seed="1")
