"""Seeded generator of chapter 08's synthetic B2B account book (``datasets/synthetic/accounts.csv``).

One row per business customer (account) of a supplier for one year, with the amounts the
current-value formula of source text S5 needs (grep ``现阶段净利润``: net profit now = price
actually paid − allocated production cost − marketing cost − cost to serve) and the facts a
key-account decision needs: region, industry, orders, whether the account has a dedicated
key-account manager (大客户经理) and the share of that manager's cost it carries.

No real firms: the book is drawn by :func:`generate_accounts` so that, as in the customer-
profitability studies the chapter discusses (Kaplan & Cooper's "whale curve"), revenue is
very unequal, bigger accounts win bigger discounts, a minority of demanding accounts costs
far more to serve than its size suggests, and so a sizeable share of accounts lose money.
Regenerate with ``python -m crmlib.accounts_data`` (then
``python tools/rehash_datasets.py accounts``); a test checks the bytes are identical.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._synthetic import bool_text, csv_text, write_csv
from ._validate import MAX_ROWS, check_int, check_size

__all__ = ["ACCOUNTS_SEED", "ACCOUNTS_N", "REGIONS", "INDUSTRIES", "COLUMNS", "MANAGER_COST_USD",
           "generate_accounts", "accounts_csv", "write_accounts"]

ACCOUNTS_SEED = 20240808
ACCOUNTS_N = 600
REGIONS = ("east", "north", "south", "west", "central")
INDUSTRIES = ("manufacturing", "retail", "technology", "logistics", "healthcare", "energy")
#: Columns of ``accounts.csv``, in file order (money in whole US dollars per year).
COLUMNS = ("account_id", "region", "industry", "orders", "list_revenue_usd", "discount_usd", "production_cost_usd",
           "marketing_cost_usd", "service_cost_usd", "key_account_manager", "kam_cost_usd")
#: Loaded yearly cost of one key-account manager, US$ (shared by the 3–6 accounts she looks after).
MANAGER_COST_USD = 96_000
_P_REGION = (0.28, 0.22, 0.24, 0.12, 0.14)
_P_INDUSTRY = (0.30, 0.20, 0.16, 0.14, 0.12, 0.08)
#: Production cost as a share of list revenue, by industry (before account-level noise).
_COST_RATE = (0.60, 0.66, 0.48, 0.62, 0.52, 0.64)


def generate_accounts(n: int = ACCOUNTS_N, seed: int = ACCOUNTS_SEED) -> pd.DataFrame:
    """Draw a year of ``n`` B2B accounts with revenue, discounts and the costs to serve them.

    Parameters
    ----------
    n : int
        Number of accounts, 1 … :data:`crmlib._validate.MAX_ROWS`.
    seed : int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        The columns :data:`COLUMNS`: ``account_id`` (``K0001`` …), ``region``, ``industry``,
        ``orders`` (orders in the year, >= 1), money in whole US$ per year:
        ``list_revenue_usd`` (at list price), ``discount_usd`` (granted off list; the price
        actually paid is the difference), ``production_cost_usd`` (allocated),
        ``marketing_cost_usd``, ``service_cost_usd`` (cost to serve: order handling, visits,
        support), ``key_account_manager`` (bool) and ``kam_cost_usd`` (the account's share of
        its manager's cost; 0 without one).

    Notes
    -----
    * list revenue is lognormal (median about US$ 60,000, log-sd 1.15);
    * the discount rate rises with the account's size rank (2 % to about 20 %, plus noise);
    * production cost is an industry rate (48–66 % of list revenue) with 4 % noise;
    * orders grow with the square root of revenue, visits with the size rank; service cost =
      US$ 2,300 a year + US$ 215 per order + US$ 550 per visit, times a "demanding" factor
      that is lognormal(1.0, 0.5) (median 2.7, mean 3.1) for about 30 % of the
      accounts and 1 for the rest;
    * marketing cost = US$ 800 a year + 1.2 % of list revenue, with noise;
    * accounts in the top revenue decile get a key-account manager with probability 0.8,
      the next decile with probability 0.3; each manager (:data:`MANAGER_COST_USD`) serves
      3–6 accounts, so an account carries 1/3 to 1/6 of the cost; the manager adds
      20 % to the account's service cost (more visits and meetings).
    """
    n = check_size(n, "n", MAX_ROWS, low=1, what="rows")
    seed = check_int(seed, "seed", low=0)
    rng = np.random.default_rng(seed)
    region = rng.choice(len(REGIONS), size=n, p=_P_REGION)
    industry = rng.choice(len(INDUSTRIES), size=n, p=_P_INDUSTRY)
    revenue = np.exp(rng.normal(np.log(60_000.0), 1.15, size=n))
    rank = (np.argsort(np.argsort(revenue)) + 0.5) / n            # size rank in (0, 1)
    disc_rate = np.clip(0.02 + 0.18 * rank ** 2 + rng.normal(0.0, 0.02, size=n), 0.0, 0.35)
    cost_rate = np.clip(np.asarray(_COST_RATE)[industry] + rng.normal(0.0, 0.04, size=n), 0.30, 0.85)
    orders = 1 + rng.poisson(2.0 + 0.09 * np.sqrt(revenue))
    demanding = rng.random(n) < 0.30
    factor = np.where(demanding, np.exp(rng.normal(1.0, 0.5, size=n)), 1.0)
    visits = rng.poisson(1.0 + 6.0 * rank)
    service = (2_300.0 + 215.0 * orders + 550.0 * visits) * factor
    marketing = (800.0 + 0.012 * revenue) * np.exp(rng.normal(0.0, 0.25, size=n))
    p_kam = np.where(rank >= 0.9, 0.8, np.where(rank >= 0.8, 0.3, 0.0))
    kam = rng.random(n) < p_kam
    per_manager = rng.integers(3, 7, size=n)
    kam_cost = np.where(kam, MANAGER_COST_USD / per_manager, 0.0)
    service = np.where(kam, service * 1.2, service)
    out = pd.DataFrame({
        "account_id": [f"K{i:04d}" for i in range(1, n + 1)],
        "region": np.asarray(REGIONS)[region],
        "industry": np.asarray(INDUSTRIES)[industry],
        "orders": orders.astype(int),
        "list_revenue_usd": np.round(revenue).astype(np.int64),
        "discount_usd": np.round(revenue * disc_rate).astype(np.int64),
        "production_cost_usd": np.round(revenue * cost_rate).astype(np.int64),
        "marketing_cost_usd": np.round(marketing).astype(np.int64),
        "service_cost_usd": np.round(service).astype(np.int64),
        "key_account_manager": kam,
        "kam_cost_usd": np.round(kam_cost).astype(np.int64),
    })
    return out[list(COLUMNS)]


def accounts_csv(n: int = ACCOUNTS_N, seed: int = ACCOUNTS_SEED) -> str:
    """The text of ``accounts.csv`` (``\\n`` line ends, whole dollars, ``True``/``False``).

    Parameters
    ----------
    n : int
        Number of accounts.
    seed : int
        Seed of the generator.

    Returns
    -------
    str
        The CSV text, byte for byte what ``datasets/synthetic/accounts.csv`` ships for the defaults.
    """
    df = generate_accounts(n, seed)
    cols = {c: [str(v) for v in df[c]] for c in COLUMNS}
    cols["key_account_manager"] = bool_text(df["key_account_manager"])
    return csv_text(cols)


def write_accounts(directory: str | Path | None = None) -> Path:
    """Write ``accounts.csv`` into ``directory``.

    Parameters
    ----------
    directory : str or Path, optional
        Target folder (default: ``datasets/synthetic/``).

    Returns
    -------
    Path
        The file written.
    """
    return write_csv({"accounts.csv": accounts_csv()}, directory)[0]


if __name__ == "__main__":  # pragma: no cover
    path = write_accounts()
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
