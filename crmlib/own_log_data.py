"""Seeded generator of the guide's messy transaction log (``datasets/synthetic/own_log.csv``).

The guide "From your own log to CLV" (``notebooks/90_your_own_log_to_clv.ipynb``) needs a log that
looks like what a researcher gets from a real shop, not a tidy research file. So the log is drawn
in two layers:

1. **The truth** — a cross-border online shop run from Shenzhen that sells in US dollars and keeps
   its books in Beijing time (``Asia/Shanghai``). Customers arrive at random over two years
   (2023-01-01 to 2024-12-31); each buys by the BG/NBD process of Fader, Hardie & Lee (2005)
   (purchase rate gamma(r, alpha) per day, a dropout chance beta(a, b) after each repeat
   purchase) and spends by the Gamma-Gamma model (spend per order gamma(p, nu), nu gamma(q,
   gamma)); :data:`PURCHASE` and :data:`SPEND` hold the planted values.
2. **The mess** (:data:`MESS`) — what the shop's export does to it: two sales channels that write
   dates and amounts differently (web: day-first ``31/01/2024`` and ``$1,234.50``; app: ISO
   ``2024-01-31`` and ``USD 1234.50``; a few web amounts typed as a plain ``45.90``), a UTC
   payment timestamp (``paid_at``, ``...Z``) beside the local order date, returns as extra lines
   with a negative amount and the order id of the sale, exact duplicate lines, guest orders
   without a customer id, customer ids typed in lower case or with a space before or after, and
   the shop's test account (``C100000``), which "buys" for US$0.01 on weekday mornings.

:func:`own_log_truth` gives the clean log the cleaning must recover (one row per real customer's
order that was not returned in full, at its net amount) with the planted counts in its
``attrs["planted"]``, so a test can check the guide's cleaning against it. Regenerate the file
with ``python -m crmlib.own_log_data`` (then ``python tools/rehash_datasets.py own_log``); a test
checks the bytes are identical.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._synthetic import csv_text, write_csv
from ._validate import check_int, check_size

__all__ = ["OWN_LOG_SEED", "OWN_LOG_N", "MAX_CUSTOMERS", "START", "END", "ZONE", "COLUMNS", "PURCHASE", "SPEND",
           "MESS", "TEST_ACCOUNT", "generate_own_log", "own_log_truth", "own_log_csv"]

OWN_LOG_SEED = 20250301
#: Real customers in the shipped file (guests and the test account come on top).
OWN_LOG_N = 3_500
#: Largest number of customers drawn in one call (about 4 log lines each).
MAX_CUSTOMERS = 100_000
#: First and last day of the log (local dates of the shop, inclusive).
START, END = "2023-01-01", "2024-12-31"
#: The shop's time zone: its books count days on this clock.
ZONE = "Asia/Shanghai"
#: Columns of ``own_log.csv``, in file order (all text).
COLUMNS = ("order_id", "order_date", "paid_at", "customer", "channel", "amount")
#: Planted BG/NBD purchase process; ``alpha`` in days (``alpha / 7`` in weeks).
PURCHASE = {"r": 0.8, "alpha": 60.0, "a": 0.6, "b": 2.4}
#: Planted Gamma-Gamma spend per order, US$ (mean of a customer's mean spend: p·gamma/(q−1) = 50).
SPEND = {"p": 3.0, "q": 2.2, "gamma": 20.0}
#: What the export does to the truth: shares of orders or lines, and the test account's orders.
MESS = {"app_share": 0.40, "own_channel": 0.85, "plain_web_amount": 0.05, "full_return": 0.04,
        "partial_return": 0.02, "guest_share": 0.02, "duplicate_share": 0.01, "lower_case_id": 0.03,
        "trailing_space_id": 0.02, "leading_space_id": 0.01, "test_orders": 380}
#: The shop's test account.
TEST_ACCOUNT = "C100000"
#: Relative frequency of each local hour of the day (0–23) at which orders are paid.
_HOURS = np.array([2.0, 1.0, 0.6, 0.4, 0.3, 0.4, 0.8, 1.5, 2.5, 3.5, 4.0, 4.0, 4.5, 4.0, 3.8, 3.8, 4.0, 4.2, 4.5,
                   5.5, 6.5, 7.0, 6.0, 4.0])


def _days() -> int:
    return int((pd.Timestamp(END) - pd.Timestamp(START)).days) + 1


def _purchase_times(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every purchase of ``n`` BG/NBD customers arriving uniformly in the window: (customer, day as a float)."""
    days = float(_days())
    first = rng.uniform(0.0, days, n)
    lam = rng.gamma(PURCHASE["r"], 1.0 / PURCHASE["alpha"], n)
    drop = rng.beta(PURCHASE["a"], PURCHASE["b"], n)
    owners, times = [np.arange(n)], [first]
    t, alive = first.copy(), np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1.0 / lam[idx])
        inside = t[idx] < days
        alive[idx[~inside]] = False
        buy = idx[inside]
        owners.append(buy)
        times.append(t[buy].copy())
        alive[buy[rng.random(buy.size) < drop[buy]]] = False
    return np.concatenate(owners), np.concatenate(times)


def _spend_cents(rng: np.random.Generator, nu: np.ndarray) -> np.ndarray:
    """Order amounts in whole cents (at least US$1.00) for customers with spend rates ``nu``."""
    usd = rng.gamma(SPEND["p"], 1.0 / nu)
    return np.maximum(np.round(usd * 100.0), 100).astype(np.int64)


def _local_times(rng: np.random.Generator, day: np.ndarray) -> pd.DatetimeIndex:
    """Local (naive) payment times on whole days ``day`` after :data:`START`, hours drawn from :data:`_HOURS`."""
    hour = rng.choice(24, size=day.size, p=_HOURS / _HOURS.sum())
    secs = hour * 3600 + rng.integers(0, 3600, size=day.size)
    return pd.Timestamp(START) + pd.to_timedelta(day.astype(np.int64), unit="D") + pd.to_timedelta(secs, unit="s")


def _test_orders(rng: np.random.Generator) -> pd.DatetimeIndex:
    """The test account's orders: weekday mornings (10–11 h local), one a day at most."""
    days = pd.date_range(START, END, freq="D")
    weekdays = np.flatnonzero(days.day_of_week < 5)
    pick = np.sort(rng.choice(weekdays, size=MESS["test_orders"], replace=False))
    return days[pick] + pd.to_timedelta(36_000 + rng.integers(0, 3600, size=pick.size), unit="s")


def _sales(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Every sale (real customers, guests, the test account) in time order, with its order id."""
    owner, t = _purchase_times(rng, n)
    nu = rng.gamma(SPEND["q"], 1.0 / SPEND["gamma"], n)
    ids = np.char.add("C", rng.choice(np.arange(100_001, 1_000_000), size=n, replace=False).astype(str))
    prefers_app = rng.random(n) < MESS["app_share"]
    own = rng.random(owner.size) < MESS["own_channel"]
    real = pd.DataFrame({"customer": ids[owner], "local": _local_times(rng, np.floor(t)),
                         "cents": _spend_cents(rng, nu[owner]), "app": np.where(own, prefers_app[owner],
                                                                                ~prefers_app[owner])})
    g = int(round(MESS["guest_share"] * owner.size))
    guests = pd.DataFrame({"customer": "", "local": _local_times(rng, rng.integers(0, _days(), size=g)),
                           "cents": _spend_cents(rng, rng.gamma(SPEND["q"], 1.0 / SPEND["gamma"], g)),
                           "app": rng.random(g) < MESS["app_share"]})
    test = pd.DataFrame({"customer": TEST_ACCOUNT, "local": _test_orders(rng), "cents": 1, "app": False})
    out = pd.concat([real, guests, test], ignore_index=True).sort_values("local", kind="stable", ignore_index=True)
    out["order_id"] = [f"SO{k}" for k in range(1_000_001, 1_000_001 + len(out))]
    return out


def _returns(rng: np.random.Generator, sales: pd.DataFrame) -> pd.DataFrame:
    """Return lines (negative cents, the sale's order id) of full and partial returns within the log's window."""
    u = rng.random(len(sales))
    share = rng.uniform(0.2, 0.6, len(sales))
    lag = pd.to_timedelta(np.round(rng.uniform(2.0, 25.0, len(sales)) * 86_400).astype(np.int64), unit="s")
    full = (u < MESS["full_return"]) & sales["customer"].ne(TEST_ACCOUNT).to_numpy()
    part = (u >= MESS["full_return"]) & (u < MESS["full_return"] + MESS["partial_return"]) & ~full & \
        sales["customer"].ne(TEST_ACCOUNT).to_numpy()
    cents = np.where(full, sales["cents"], np.maximum(np.round(sales["cents"] * share), 1).astype(np.int64))
    ret = sales.assign(cents=-cents, local=sales["local"] + lag, full=full)[full | part]
    return ret[ret["local"] < pd.Timestamp(END) + pd.Timedelta(days=1)]


def _money(cents: np.ndarray, app: np.ndarray, plain: np.ndarray) -> list[str]:
    """Amounts as each channel writes them: web ``$1,234.50`` / ``-$45.90`` (or plain ``45.90``), app ``USD -45.90``."""
    out = []
    for c, a, p in zip(cents.tolist(), app.tolist(), plain.tolist()):
        sign, v = ("-" if c < 0 else ""), abs(c)
        if a:
            out.append(f"USD {sign}{v // 100}.{v % 100:02d}")
        elif p:
            out.append(f"{sign}{v // 100}.{v % 100:02d}")
        else:
            out.append(f"{sign}${v // 100:,}.{v % 100:02d}")
    return out


def _ids(rng: np.random.Generator, ids: pd.Series) -> np.ndarray:
    """Customer ids as typed: some in lower case, some with a trailing or leading space (empty ids stay empty)."""
    u = rng.random(len(ids))
    lo, tr = MESS["lower_case_id"], MESS["lower_case_id"] + MESS["trailing_space_id"]
    le = tr + MESS["leading_space_id"]
    v = ids.to_numpy(dtype=object)
    typed = np.where(u < lo, ids.str.lower(), np.where(u < tr, ids + " ", np.where(u < le, " " + ids, ids)))
    return np.where(v == "", "", typed)


def _draw(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The messy log and the clean truth (with the planted counts in its attrs)."""
    n = check_size(n, "n", MAX_CUSTOMERS, low=1, what="customers")
    seed = check_int(seed, "seed", low=0)
    rng = np.random.default_rng(seed)
    sales = _sales(rng, n)
    ret = _returns(rng, sales)
    lines = pd.concat([sales.assign(full=False), ret], ignore_index=True).sort_values("local", kind="stable",
                                                                                       ignore_index=True)
    utc = lines["local"].dt.tz_localize(ZONE).dt.tz_convert("UTC")
    app = lines["app"].to_numpy(dtype=bool)
    messy = pd.DataFrame({
        "order_id": lines["order_id"],
        "order_date": np.where(app, lines["local"].dt.strftime("%Y-%m-%d"), lines["local"].dt.strftime("%d/%m/%Y")),
        "paid_at": utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "customer": _ids(rng, lines["customer"]),
        "channel": np.where(app, "app", "web"),
        "amount": _money(lines["cents"].to_numpy(), app, rng.random(len(lines)) < MESS["plain_web_amount"]),
    })
    dup = np.sort(rng.choice(len(messy), size=int(round(MESS["duplicate_share"] * len(messy))), replace=False))
    messy = messy.iloc[np.sort(np.concatenate([np.arange(len(messy)), dup]), kind="stable")].reset_index(drop=True)
    net = pd.concat([sales, ret]).groupby("order_id")["cents"].sum()
    real = sales[~sales["customer"].isin(["", TEST_ACCOUNT])]
    kept = real[net.reindex(real["order_id"]).to_numpy() > 0]
    truth = pd.DataFrame({"order_id": kept["order_id"].to_numpy(), "customer": kept["customer"].to_numpy(),
                          "date": kept["local"].dt.normalize().to_numpy(),
                          "amount": net.reindex(kept["order_id"]).to_numpy() / 100.0})
    truth.attrs["planted"] = {
        "lines": len(messy), "duplicate_lines": int(dup.size), "return_lines": len(ret),
        "full_returns": int(ret["full"].sum()), "guest_orders": int(sales["customer"].eq("").sum()),
        "test_orders": int(sales["customer"].eq(TEST_ACCOUNT).sum()), "customers": int(kept["customer"].nunique()),
        "orders": len(truth), "app_lines": int(messy["channel"].eq("app").sum()),
        "ids_typed_differently": int((messy["customer"] != messy["customer"].str.strip().str.upper()).sum())}
    return messy, truth


def generate_own_log(n: int = OWN_LOG_N, seed: int = OWN_LOG_SEED) -> pd.DataFrame:
    """Draw a messy two-year order log of an online shop with ``n`` real customers (see the module notes).

    Parameters
    ----------
    n : int
        Real customers, 1 … :data:`MAX_CUSTOMERS` (guests and the test account come on top).
    seed : int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        The columns :data:`COLUMNS`, all text, one row per log line in time order:
        ``order_id`` (``SO1000001`` …; a return line carries its sale's id), ``order_date``
        (local date: ``dd/mm/yyyy`` on the web, ``yyyy-mm-dd`` in the app), ``paid_at`` (UTC,
        ``yyyy-mm-ddThh:mm:ssZ``), ``customer`` (``C`` and six digits as typed; empty for a guest),
        ``channel`` (``web`` / ``app``) and ``amount`` (US$ as the channel writes it; negative for a
        return).
    """
    return _draw(n, seed)[0]


def own_log_truth(n: int = OWN_LOG_N, seed: int = OWN_LOG_SEED) -> pd.DataFrame:
    """The clean log behind :func:`generate_own_log` with the same ``n`` and ``seed``: what cleaning must recover.

    Parameters
    ----------
    n : int
        Real customers, 1 … :data:`MAX_CUSTOMERS`.
    seed : int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        One row per order of a real customer not returned in full, in time order: ``order_id``,
        ``customer`` (as the shop's system knows it: ``C`` and six digits), ``date`` (local day,
        datetime64) and ``amount`` (US$, net of partial returns). ``attrs["planted"]`` counts
        what the export added: ``lines``, ``duplicate_lines``, ``return_lines``, ``full_returns``,
        ``guest_orders``, ``test_orders``, ``app_lines``, ``ids_typed_differently`` (lines whose id is
        not in its canonical form), and the truth's ``customers`` and ``orders``.
    """
    return _draw(n, seed)[1]


def own_log_csv(n: int = OWN_LOG_N, seed: int = OWN_LOG_SEED) -> str:
    """The log as CSV text (amounts with a thousands separator are quoted).

    Parameters
    ----------
    n : int
        Real customers.
    seed : int
        Seed.

    Returns
    -------
    str
        The CSV text, byte for byte what ``datasets/synthetic/own_log.csv`` ships for the defaults.
    """
    df = generate_own_log(n, seed)
    return csv_text({c: df[c].tolist() for c in COLUMNS})


if __name__ == "__main__":  # pragma: no cover
    for path in write_csv({"own_log.csv": own_log_csv()}):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
