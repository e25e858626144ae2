"""crmlib.key_accounts: S5 profitability, whale curve, KAM break-even, what-if and the bad-input rules."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import clv, datasets
from crmlib import key_accounts as ka


@pytest.fixture(scope="module")
def book():
    return datasets.load("accounts")


@pytest.fixture(scope="module")
def table(book):
    return ka.account_profit(book)


def _mini():
    return pd.DataFrame({"account_id": ["A", "B", "C"], "list_revenue_usd": [1000, 500, 200],
                         "discount_usd": [100, 0, 0], "production_cost_usd": [500, 250, 100],
                         "marketing_cost_usd": [50, 20, 10], "service_cost_usd": [100, 50, 150],
                         "kam_cost_usd": [40, 0, 0], "key_account_manager": [True, False, False]})


def test_account_profit_is_the_s5_formula(book, table):
    for _, r in book.sample(20, random_state=1).iterrows():
        expected = clv.current_value(r["list_revenue_usd"] - r["discount_usd"], r["production_cost_usd"],
                                     r["marketing_cost_usd"], r["service_cost_usd"] + r["kam_cost_usd"])
        assert table.loc[r["account_id"], "net_profit"] == pytest.approx(expected)
    m = ka.account_profit(_mini())
    assert m["net_profit"].tolist() == [210.0, 180.0, -60.0]
    assert m.loc["A", "price_paid"] == 900 and m.loc["A", "contribution"] == 400 and m.loc["A", "cost_to_serve"] == 140
    assert m.loc["C", "margin_rate"] == pytest.approx(-0.3)
    assert "industry" in table.columns and table.index.name == "account_id"


def test_whale_curve_hand_example():
    w = ka.whale_curve(pd.Series([20.0, -10.0, 60.0, 30.0], index=["c", "d", "a", "b"]))
    assert w.total == 100.0 and w.peak_share == pytest.approx(1.1) and w.peak_accounts == 3
    assert w.peak_account_share == 0.75 and w.end_share == pytest.approx(1.0)
    assert w.curve["account"].tolist() == [None, "a", "b", "c", "d"]
    assert w.curve["cumulative_share"].tolist() == pytest.approx([0, 0.6, 0.9, 1.1, 1.0])
    assert (w.loss_accounts, w.loss_total) == (1, -10.0)
    assert w.share_at(0.5) == pytest.approx(0.9)


def test_whale_curve_of_the_account_book(table):
    w = ka.whale_curve(table["net_profit"])
    assert 1.2 < w.peak_share < 2.5                     # planted: a pronounced whale
    assert w.peak_accounts == int((table["net_profit"] > 0).sum())
    assert w.loss_accounts == len(table) - w.peak_accounts


def test_loss_makers(table):
    lm = ka.loss_makers(table)
    assert (lm["net_profit"] < 0).all() and lm["net_profit"].is_monotonic_increasing
    by = ka.loss_makers(table, "industry")
    assert by["accounts"].sum() == len(table) and by["loss_accounts"].sum() == len(lm)
    assert by["losses"].sum() == pytest.approx(lm["net_profit"].sum())


def test_kam_breakeven_hand_values():
    t = pd.DataFrame({"contribution": [100.0, 100.0, 50.0], "net_profit": [40.0, 20.0, 5.0],
                      "kam_cost": [10.0, 10.0, 0.0],
                      "key_account_manager": [True, True, False]})
    out = ka.kam_breakeven(t, retention=0.8, discount=0.1)
    e = out["estimate"]
    assert e["extra_margin_per_account"] == 10.0
    assert e["revenue_uplift"] == pytest.approx(20 / 200)
    assert e["retention_uplift"] == pytest.approx((1 + 0.1 - 0.8) * 20 / 80)
    # the uplift makes the account (group) worth the same with the manager as without
    m, C, r, d = 80.0, 20.0, 0.8, 0.1
    r2 = r + e["retention_uplift"]
    assert (m - C) * (1 + d) / (1 + d - r2) == pytest.approx(m * (1 + d) / (1 + d - r))
    assert out.attrs["accounts"] == 2 and out.attrs["feasible"]
    what_if = ka.kam_breakeven(t, group=pd.Series([False, False, True]), manager_cost=5.0)
    assert what_if.loc["revenue_uplift", "estimate"] == pytest.approx(0.1)


def test_kam_breakeven_intervals(table):
    d = ka.kam_breakeven(table)
    assert (d["lower"] < d["estimate"]).all() and (d["estimate"] < d["upper"]).all()
    b1 = ka.kam_breakeven(table, method="bootstrap", n_boot=300, rng=np.random.default_rng(4))
    b2 = ka.kam_breakeven(table, method="bootstrap", n_boot=300, rng=np.random.default_rng(4))
    pd.testing.assert_frame_equal(b1, b2)
    assert b1.loc["revenue_uplift", "lower"] < d.loc["revenue_uplift", "estimate"] < b1.loc["revenue_uplift", "upper"]


def test_key_account_whatif(table):
    w = ka.key_account_whatif(table, top_shares=[0.1, 0.2], manager_cost=20_000)
    assert w["key_accounts"].tolist() == [60, 120]
    top = table["price_paid"].nlargest(60)
    assert w.loc[0, "profit"] == pytest.approx(table.loc[top.index, "net_profit"].sum())
    assert w.loc[0, "manager_cost"] == 1_200_000
    th = ka.key_account_whatif(table, thresholds=[100_000], by="price_paid")
    assert th.loc[0, "key_accounts"] == int((table["price_paid"] >= 100_000).sum())
    small = ka.key_account_whatif(ka.account_profit(_mini()), top_shares=[0.34], by="net_profit")
    assert small.loc[0, "key_accounts"] == 2 and small.loc[0, "profit_share"] == pytest.approx(390 / 330)


# ------------------------------------------------------------------ bad inputs
def test_account_book_errors():
    bad = _mini()
    bad.loc[1, "service_cost_usd"] = -5
    with pytest.raises(ValueError, match=r"column 'service_cost_usd' is negative at row 1 \(-5\)"):
        ka.account_profit(bad)
    bad = _mini()
    bad.loc[2, "discount_usd"] = 300
    with pytest.raises(ValueError, match=r"'discount_usd' exceeds 'list_revenue_usd' at row 'C' \(300 > 200\)"):
        ka.account_profit(bad)
    bad = _mini()
    bad.loc[2, "account_id"] = "A"
    with pytest.raises(ValueError, match="column 'account_id' lists 'A' twice"):
        ka.account_profit(bad)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['marketing_cost_usd'\]"):
        ka.account_profit(_mini().drop(columns="marketing_cost_usd"))
    with pytest.raises(ValueError, match="columns names unknown role 'tax'"):
        ka.account_profit(_mini(), columns={"tax": "x"})
    no_kam = ka.account_profit(_mini().drop(columns="kam_cost_usd"))
    assert no_kam.loc["A", "net_profit"] == 250.0


def test_whale_and_breakeven_errors():
    with pytest.raises(ValueError, match="profit sums to -5.00"):
        ka.whale_curve([5.0, -10.0])
    with pytest.raises(ValueError, match=r"profit\[1\] is NaN"):
        ka.whale_curve([5.0, np.nan])
    t = ka.account_profit(_mini())
    with pytest.raises(ValueError, match="group selects no account"):
        ka.kam_breakeven(t, group=pd.Series([False] * 3, index=t.index))
    with pytest.raises(ValueError, match="retention must be < 1"):
        ka.kam_breakeven(t, retention=1.0)
    with pytest.raises(ValueError, match="manager_cost must be >= 0"):
        ka.kam_breakeven(t, manager_cost=-1.0)
    with pytest.raises(TypeError, match="rng must be"):
        ka.kam_breakeven(t, method="bootstrap")
    with pytest.raises(ValueError, match="group has label 0 that table lacks|table has label 'A' that group lacks"):
        ka.kam_breakeven(t, group=pd.Series([True, False, False]))
    with pytest.raises(ValueError, match="give either top_shares or thresholds"):
        ka.key_account_whatif(t)
    with pytest.raises(ValueError, match="top_shares entry must be <= 1"):
        ka.key_account_whatif(t, top_shares=[1.5])
