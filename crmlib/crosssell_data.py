"""Seeded generators of chapter 4's synthetic datasets.

Two files ship under ``datasets/synthetic/`` and are rebuilt, byte for byte,
by the functions here (a test regenerates them and compares the bytes):

* ``bank_customers.csv`` — :func:`generate_bank_customers`: customers of a
  retail bank with the products they hold and whether they left within a
  year. Churn is drawn from a logit in which every extra product lowers the
  odds of leaving (a causal effect we *plant*, so the chapter can show what a
  fitted model recovers).
* ``baskets.csv`` — :func:`generate_baskets`: supermarket baskets in long
  form (one row per basket and item) with a planted diapers → beer
  association that is strongest on weekend evenings, as in the source's story.

Regenerate both with ``python -m crmlib.crosssell_data`` (then
``python tools/rehash_datasets.py bank_customers baskets``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._synthetic import bool_text, csv_text, write_csv
from ._validate import MAX_ROWS, check_int, check_size
from .crosssell import PRODUCTS

__all__ = [
    "PRODUCTS", "ITEMS", "DAYS", "BANK_SEED", "BASKET_SEED", "BANK_N", "BASKET_N", "CHURN_LOGIT",
    "generate_bank_customers", "generate_baskets", "bank_customers_csv", "baskets_csv", "write_all",
]

#: Days of the week as written in ``baskets.csv``.
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Supermarket items and their base probability of being in a basket.
ITEMS = {
    "bread": 0.30, "milk": 0.32, "eggs": 0.18, "butter": 0.08, "cheese": 0.12, "yogurt": 0.14,
    "bananas": 0.20, "apples": 0.16, "tomatoes": 0.13, "potatoes": 0.12, "chicken": 0.14, "beef": 0.08,
    "pasta": 0.12, "rice": 0.08, "coffee": 0.10, "tea": 0.06, "beer": 0.08, "wine": 0.06, "soda": 0.14,
    "chips": 0.10, "diapers": 0.05, "baby_wipes": 0.03, "detergent": 0.06, "toilet_paper": 0.09,
}
BANK_SEED, BASKET_SEED = 20240404, 20240405
BANK_N, BASKET_N = 10_000, 20_000

#: Planted churn model: log-odds of leaving within a year.
CHURN_LOGIT = {"intercept": -0.55, "per_extra_product": -0.70, "savings_only": 0.50, "loan": -0.35,
               "investment": -0.25, "per_tenure_year_over_5": -0.04}
_N_PRODUCTS_P = (0.34, 0.30, 0.19, 0.11, 0.06)          # P(1 … 5 products)
_PRODUCT_WEIGHT = (0.90, 0.60, 0.45, 0.30, 0.20)       # which products, drawn without replacement


def generate_bank_customers(n: int = BANK_N, seed: int = BANK_SEED) -> pd.DataFrame:
    """Draw ``n`` bank customers with their products, tenure, balance and churn.

    Parameters
    ----------
    n : int
        Number of customers, 1 … :data:`crmlib._validate.MAX_ROWS` (10**6; larger is refused).
    seed : int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    DataFrame with ``customer_id``, one bool column per product in
    :data:`PRODUCTS`, ``n_products`` (1–5), ``tenure_years`` (years, one
    decimal), ``balance_usd`` (US$, cents) and ``churned`` (left within a year).

    Notes
    -----
    The number of products is drawn first (34/30/19/11/6 % for 1–5), then
    which products by weighted sampling without replacement (Gumbel top-k).
    Churn follows the logit :data:`CHURN_LOGIT`: each extra product cuts the
    odds of leaving by ``exp(-0.70)`` ≈ 0.50; a savings account held alone
    raises them (echoing the source's 0.5 % vs 1 %), loans and investments
    lower them, and so does tenure.
    """
    n = check_size(n, "n", MAX_ROWS, low=1, what="rows")
    seed = check_int(seed, "seed", low=0)
    rng = np.random.default_rng(seed)
    k = rng.choice(np.arange(1, 6), size=n, p=_N_PRODUCTS_P)
    keys = np.log(_PRODUCT_WEIGHT) + rng.gumbel(size=(n, len(PRODUCTS)))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)        # 0 = first pick
    held = rank < k[:, None]
    tenure = np.round(np.clip(rng.gamma(2.0, 1.5 + 0.8 * k), 0.1, 40.0), 1)
    mu = 7.0 + 0.35 * k + 0.6 * held[:, 4] + 0.4 * held[:, 1]
    balance = np.round(np.clip(rng.lognormal(mu, 1.0), 0.0, 2_000_000.0), 2)
    c = CHURN_LOGIT
    savings_only = held[:, 1] & (k == 1)
    eta = (c["intercept"] + c["per_extra_product"] * (k - 1) + c["savings_only"] * savings_only
           + c["loan"] * held[:, 3] + c["investment"] * held[:, 4] + c["per_tenure_year_over_5"] * (tenure - 5))
    churned = rng.random(n) < 1.0 / (1.0 + np.exp(-eta))
    out = pd.DataFrame({"customer_id": [f"B{i:05d}" for i in range(1, n + 1)]})
    for j, p in enumerate(PRODUCTS):
        out[p] = held[:, j]
    out["n_products"] = k.astype(int)
    out["tenure_years"] = tenure
    out["balance_usd"] = balance
    out["churned"] = churned
    return out


def _slot_hours(rng: np.random.Generator, weekend: np.ndarray) -> np.ndarray:
    hours = np.arange(8, 22)
    base = np.array([2, 3, 4, 5, 6, 6, 5, 5, 6, 8, 9, 8, 6, 4], float)
    evening_boost = np.where(hours >= 17, 1.6, 1.0)
    p_wd, p_we = base / base.sum(), base * evening_boost / (base * evening_boost).sum()
    u = rng.random(weekend.size)
    h_wd = hours[np.searchsorted(np.cumsum(p_wd), u, side="right").clip(0, hours.size - 1)]
    h_we = hours[np.searchsorted(np.cumsum(p_we), u, side="right").clip(0, hours.size - 1)]
    return np.where(weekend, h_we, h_wd)


def generate_baskets(n: int = BASKET_N, seed: int = BASKET_SEED) -> pd.DataFrame:
    """Draw ``n`` supermarket baskets in long form, with planted associations.

    Parameters
    ----------
    n : int
        Number of baskets, 1 … :data:`crmlib._validate.MAX_ROWS` (10**6; larger is refused).
    seed : int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    DataFrame with one row per basket and item: ``basket_id`` (1…n), ``day``
    (``Mon`` … ``Sun``), ``hour`` (8–21, the hour the basket was paid) and
    ``item``; rows sorted by basket then item order of :data:`ITEMS`.

    Notes
    -----
    Items are drawn independently with the probabilities in :data:`ITEMS`,
    then the planted associations overwrite some of them:

    * diapers are twice as common on weekend evenings (Sat/Sun, 17–21 h);
    * beer given diapers: 55 % on weekend evenings, 11 % at other times
      (beer without diapers: 10 % on weekend evenings, 8 % otherwise);
    * baby wipes given diapers 45 %; butter given bread 25 %; chips given
      beer 35 %; tomatoes given pasta 40 %.

    Every basket holds at least one item (an empty draw gets one item drawn
    with the base probabilities).
    """
    n = check_size(n, "n", MAX_ROWS, low=1, what="rows")
    seed = check_int(seed, "seed", low=0)
    rng = np.random.default_rng(seed)
    names = list(ITEMS)
    col = {name: j for j, name in enumerate(names)}
    day = rng.choice(7, size=n, p=np.array([13, 13, 13, 14, 15, 17, 15]) / 100)
    weekend = day >= 5
    hour = _slot_hours(rng, weekend)
    we_eve = weekend & (hour >= 17)
    base = np.array(list(ITEMS.values()))
    x = rng.random((n, len(names))) < base
    u = rng.random((n, 6))
    x[:, col["diapers"]] = u[:, 0] < np.where(we_eve, 0.10, 0.05)
    d = x[:, col["diapers"]]
    p_beer = np.where(d, np.where(we_eve, 0.55, 0.11), np.where(we_eve, 0.10, 0.08))
    x[:, col["beer"]] = u[:, 1] < p_beer
    x[:, col["baby_wipes"]] = u[:, 2] < np.where(d, 0.45, 0.02)
    x[:, col["butter"]] = u[:, 3] < np.where(x[:, col["bread"]], 0.25, 0.04)
    x[:, col["chips"]] = u[:, 4] < np.where(x[:, col["beer"]], 0.35, 0.08)
    x[:, col["tomatoes"]] = u[:, 5] < np.where(x[:, col["pasta"]], 0.40, 0.10)
    empty = ~x.any(axis=1)
    fill = rng.choice(len(names), size=n, p=base / base.sum())
    x[np.flatnonzero(empty), fill[empty]] = True
    rows, items = np.nonzero(x)                       # row-major: basket order, then item order
    return pd.DataFrame({"basket_id": rows + 1, "day": np.array(DAYS)[day[rows]], "hour": hour[rows],
                         "item": np.array(names)[items]})


def bank_customers_csv(n: int = BANK_N, seed: int = BANK_SEED) -> str:
    """The text of ``bank_customers.csv`` (``\\n`` line ends, fixed number formats).

    Parameters
    ----------
    n : int
        Number of customers.
    seed : int
        Seed of the generator.

    Returns
    -------
    str
        The CSV text, byte for byte what ``datasets/synthetic/`` ships for the defaults.
    """
    df = generate_bank_customers(n, seed)
    cols = {"customer_id": df["customer_id"].tolist()}
    for p in PRODUCTS:
        cols[p] = bool_text(df[p])
    cols["n_products"] = [str(v) for v in df["n_products"]]
    cols["tenure_years"] = [f"{v:.1f}" for v in df["tenure_years"]]
    cols["balance_usd"] = [f"{v:.2f}" for v in df["balance_usd"]]
    cols["churned"] = bool_text(df["churned"])
    return csv_text(cols)


def baskets_csv(n: int = BASKET_N, seed: int = BASKET_SEED) -> str:
    """The text of ``baskets.csv`` (``\\n`` line ends).

    Parameters
    ----------
    n : int
        Number of baskets.
    seed : int
        Seed of the generator.

    Returns
    -------
    str
        The CSV text (one row per basket and item).
    """
    df = generate_baskets(n, seed)
    return csv_text({c: [str(v) for v in df[c]] for c in ("basket_id", "day", "hour", "item")})


def write_all(directory: str | Path | None = None) -> list[Path]:
    """Write both files into ``directory``.

    Parameters
    ----------
    directory : str or Path, optional
        Target folder (default: ``datasets/synthetic/``).

    Returns
    -------
    list of Path
        The two files written.
    """
    return write_csv({"bank_customers.csv": bank_customers_csv(), "baskets.csv": baskets_csv()}, directory)


if __name__ == "__main__":  # pragma: no cover
    for path in write_all():
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
