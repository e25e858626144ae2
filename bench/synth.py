"""Seeded synthetic transaction log for the RFM benchmark.

Every customer makes a first purchase on a day drawn uniformly over the observation window and
then repeat purchases on days drawn uniformly between that first day and the window's end, at
a random second of the day, so several purchases can fall on one day (lifetimes and crmlib
must both merge them into one period). Amounts are gamma distributed and rounded to cents.
Rows are shuffled, so neither implementation can rely on the log being sorted.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["START", "transactions", "save", "load", "observation_end"]

#: First day of the synthetic observation window.
START = np.datetime64("2024-01-01", "ns")


def transactions(n_rows: int, n_customers: int, days: int = 730, seed: int = 20241123
                 ) -> dict[str, np.ndarray]:
    """Generate a shuffled transaction log.

    Parameters
    ----------
    n_rows : int
        Number of transactions; at least ``n_customers`` (every customer buys at least once).
    n_customers : int
        Number of distinct customers (ids ``0 .. n_customers - 1``).
    days : int, default 730
        Length of the observation window in days (two years).
    seed : int
        Seed of the ``numpy.random.default_rng`` generator; equal seeds give identical logs.

    Returns
    -------
    dict of str to numpy.ndarray
        ``customer_id`` (int64), ``date`` (datetime64[ns], a time within the day) and
        ``amount`` (float64, > 0, in cents precision), each of length ``n_rows``.

    Raises
    ------
    ValueError
        If a size is not positive or ``n_rows < n_customers``.
    """
    if n_customers < 1 or days < 1:
        raise ValueError(f"n_customers and days must be >= 1, got {n_customers} and {days}")
    if n_rows < n_customers:
        raise ValueError(f"n_rows must be >= n_customers ({n_customers}), got {n_rows}")
    rng = np.random.default_rng(seed)
    first_day = rng.integers(0, days, n_customers)
    # Heterogeneous purchase rates: repeat purchases go to customers in proportion to a gamma draw.
    weight = rng.gamma(0.8, 1.0, n_customers)
    repeat_owner = rng.choice(n_customers, size=n_rows - n_customers, p=weight / weight.sum())
    customer = np.concatenate([np.arange(n_customers, dtype=np.int64), repeat_owner.astype(np.int64)])
    span = days - first_day[repeat_owner]
    repeat_day = first_day[repeat_owner] + np.floor(rng.random(repeat_owner.size) * span).astype(np.int64)
    day = np.concatenate([first_day, repeat_day]).astype(np.int64)
    second = rng.integers(0, 86_400, n_rows)  # time of day: same-day purchases differ in time
    amount = np.round(rng.gamma(2.0, 20.0, n_rows) + 0.01, 2)
    order = rng.permutation(n_rows)
    stamp = (day * 86_400 + second)[order].astype("timedelta64[s]").astype("timedelta64[ns]")
    return {"customer_id": customer[order], "date": START + stamp, "amount": amount[order]}


def observation_end(days: int = 730) -> np.datetime64:
    """Last day of the observation window, ``START + days - 1`` (its purchases count)."""
    return START + np.timedelta64(days - 1, "D").astype("timedelta64[ns]")


def save(log: dict[str, np.ndarray], folder: Path) -> Path:
    """Write ``log`` as one ``.npy`` file per column in ``folder``.

    Plain ``.npy`` files load in a fresh process without a transient copy (unlike a zipped
    ``.npz``), so the peak memory measured around a summary is the summary's own.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, values in log.items():
        np.save(folder / f"{name}.npy", values)
    return folder


def load(folder: Path) -> dict[str, np.ndarray]:
    """Read a log written by :func:`save`."""
    folder = Path(folder)
    return {name: np.load(folder / f"{name}.npy") for name in ("customer_id", "date", "amount")}
