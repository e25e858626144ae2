"""crmlib.accounts_data: the shipped account book has its planted shape (its bytes and the seeding: test_synthetic)."""
from __future__ import annotations

import numpy as np

from crmlib import accounts_data as gen
from crmlib import datasets


def test_the_book_has_its_planted_shape():
    b = datasets.load("accounts")
    assert list(b.columns) == list(gen.COLUMNS)
    assert len(b) == gen.ACCOUNTS_N and b["account_id"].is_unique
    assert (b["discount_usd"] <= b["list_revenue_usd"]).all()
    assert ((b["kam_cost_usd"] > 0) == b["key_account_manager"]).all()
    rate = b["discount_usd"] / b["list_revenue_usd"]
    big = b["list_revenue_usd"] >= b["list_revenue_usd"].quantile(0.8)
    assert rate[big].mean() > 2 * rate[~big].mean()                  # bigger accounts win bigger discounts
    profit = (b["list_revenue_usd"] - b["discount_usd"] - b["production_cost_usd"] - b["marketing_cost_usd"]
              - b["service_cost_usd"] - b["kam_cost_usd"])
    assert profit.sum() > 0 and 0.25 < (profit < 0).mean() < 0.5
    assert b.loc[b["key_account_manager"], "list_revenue_usd"].min() >= np.quantile(b["list_revenue_usd"], 0.75)
