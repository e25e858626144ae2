"""crmlib.crosssell_data: the committed synthetic files are exactly what the seeded generators produce,
and the planted effects are there."""
from __future__ import annotations

import numpy as np
import pytest

from crmlib import crosssell as cs
from crmlib import crosssell_data as gen
from crmlib import datasets


@pytest.mark.parametrize("name, make", [("bank_customers", gen.bank_customers_csv), ("baskets", gen.baskets_csv)])
def test_regenerating_gives_identical_bytes(name, make):
    assert datasets.path(name).read_bytes() == make().encode("utf-8")
    assert datasets.sha256(datasets.path(name)) == datasets.info(name)["sha256"]


def test_generators_are_seeded():
    a, b = gen.generate_baskets(50, seed=1), gen.generate_baskets(50, seed=1)
    assert a.equals(b)
    assert not a.equals(gen.generate_baskets(50, seed=2))
    assert gen.generate_bank_customers(30, seed=3).equals(gen.generate_bank_customers(30, seed=3))


@pytest.mark.parametrize("f", [gen.generate_bank_customers, gen.generate_baskets])
def test_generators_reject_bad_sizes(f):
    with pytest.raises(ValueError, match="n must be >= 1"):
        f(0)
    with pytest.raises(TypeError, match="n must be an integer"):
        f(2.5)
    with pytest.raises(ValueError, match="seed"):
        f(10, seed=-1)


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
