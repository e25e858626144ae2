"""crmlib.accounts_data: the shipped account book is exactly what the seeded generator draws, with its planted shape."""
from __future__ import annotations

import numpy as np
import pytest

from crmlib import accounts_data as gen
from crmlib import datasets


def test_regenerating_gives_identical_bytes():
    assert datasets.path("accounts").read_bytes() == gen.accounts_csv().encode("utf-8")
    assert datasets.sha256(datasets.path("accounts")) == datasets.info("accounts")["sha256"]


def test_generator_is_seeded():
    a, b = gen.generate_accounts(40, seed=1), gen.generate_accounts(40, seed=1)
    assert a.equals(b) and not a.equals(gen.generate_accounts(40, seed=2))
    assert list(a.columns) == list(gen.COLUMNS)


def test_generator_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n must be >= 1"):
        gen.generate_accounts(0)
    with pytest.raises(TypeError, match="n must be an integer"):
        gen.generate_accounts(2.5)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        gen.generate_accounts(10, seed=-1)


def test_the_book_has_its_planted_shape():
    b = datasets.load("accounts")
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
