"""crmlib.crosssell_data: the planted effects are in the committed synthetic files (their bytes and the
seeding: test_synthetic)."""
from __future__ import annotations

import numpy as np

from crmlib import crosssell as cs
from crmlib import crosssell_data as gen
from crmlib import datasets


def test_bank_customers_are_consistent_and_more_products_mean_less_churn():
    c = datasets.load("bank_customers")
    assert len(c) == gen.BANK_N and c["customer_id"].is_unique
    assert (c[list(cs.PRODUCTS)].sum(axis=1) == c["n_products"]).all()
    churn = c.groupby("n_products")["churned"].mean()
    assert churn.is_monotonic_decreasing and churn.iloc[0] > 2 * churn.iloc[2]
    one = c[c["n_products"] == 1]
    # planted: a savings account held alone loses more customers than a checking account alone
    assert one.loc[one["savings"], "churned"].mean() > one.loc[one["checking"], "churned"].mean()


def test_baskets_plant_diapers_beer_at_weekend_evenings():
    b = datasets.load("baskets")
    assert b["basket_id"].nunique() == gen.BASKET_N
    assert not b.duplicated(["basket_id", "item"]).any()
    assert (b.groupby("basket_id")[["day", "hour"]].nunique() == 1).all().all()
    b = b.assign(slot=cs.time_slot(b["hour"]).to_numpy(), weekend=b["day"].isin(["Sat", "Sun"]))
    g = cs.rule_by_group(b, "diapers", "beer", by=["weekend", "slot"])
    assert g["lift"].idxmax() == (True, "evening")
    assert g.loc[(True, "evening"), "lift"] > 1.5 * g.drop(index=(True, "evening"))["lift"].max()
    assert np.isclose(g["baskets"].sum(), gen.BASKET_N)
