"""crmlib — customer analytics: from a transaction log to customer lifetime value, and the CRM models around it.

The library behind the CRM Notebooks course, usable on its own data. It never imports the
course's machinery (that is the separate package :mod:`crmbook`).

From your own log to CLV
------------------------
>>> import pandas as pd
>>> from crmlib.clv import rfm, btyd, value
>>> log = pd.read_csv("orders.csv")                                   # doctest: +SKIP
>>> s = rfm.summarize(log, customer_id="customer", date="date", amount="amount", period="W",
...                   calibration_end="2024-06-30", observation_end="2024-12-31")  # doctest: +SKIP
>>> bg = btyd.BetaGeo(s["frequency"], s["recency"], s["T"]).fit()   # doctest: +SKIP
>>> bg.summary()                                                      # doctest: +SKIP
>>> rep = s[s["frequency"] > 0]                                       # doctest: +SKIP
>>> gg = btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit()  # doctest: +SKIP
>>> clv = value.customer_lifetime_value(bg, gg, s, horizon=52, discount=0.10)     # doctest: +SKIP

1. **Summarise** the log (:mod:`crmlib.clv.rfm`; out of core with DuckDB or Spark:
   :mod:`crmlib.clv.rfm_sql`). The summary carries its time unit (``summary.attrs["period"]``).
2. **Fit** a buy-till-you-die model (:mod:`crmlib.clv.btyd`: BG/NBD, MBG/NBD, Pareto/NBD,
   Gamma-Gamma, sBG, BG/BB), with standard errors, ``summary()``, ``conf_int()``; the fit
   remembers the unit. BG/NBD, MBG/NBD and Pareto/NBD also take compressed rows with counts (``weights=``), customer
   covariates in the purchase and dropout processes (``covariates=df, purchase=[...],
   dropout=[...]``, with standard errors; ``btyd.covariate_effects``) and lifetimes' L2 penalty
   (``penalizer_coef=``).
3. **Validate** on a holdout (``btyd.holdout_by_frequency``) and with the diagnostics of
   :mod:`crmlib.plotting.clv`, one call each for any fitted model: simulated against actual
   calibration frequencies (``period_transactions_chart``), one customer's P(alive) history
   (``alive_history_chart``), cumulative or weekly tracking (``tracking_chart``), the
   heterogeneity densities (``heterogeneity_figure``).
4. **Value** customers (:mod:`crmlib.clv.value`: per-customer discounted CLV, customer equity,
   retention-based CLV formulas); rates are per year and converted with the summary's unit.
   Intervals from the estimates' uncertainty by the delta method:
   ``probability_alive_interval``, ``expected_purchases_interval``,
   ``value.customer_lifetime_value_interval``; the distribution of future purchases:
   ``probability_of_purchases``.

A raw export needs cleaning first (text amounts, returns, duplicates, id variants, date formats, time
zones, test accounts): the guide ``notebooks/90_your_own_log_to_clv.ipynb`` walks a messy log
(:mod:`crmlib.own_log_data`) through every step.

Segments and churn: :mod:`crmlib.concentration` (Lorenz curve, Gini, top-20 % share),
:mod:`crmlib.segments` (RFM scores and named segments, value classes), :mod:`crmlib.clustering`
(k-means, silhouette, adjusted Rand index), :mod:`crmlib.migration` (Markov migration between
segments, Pfeifer–Carraway CLV), :mod:`crmlib.key_accounts` (customer profitability, whale curve,
key-account-manager break-even), :mod:`crmlib.survival` (Kaplan–Meier, log-rank, Cox models on
tenure data), :mod:`crmlib.satisfaction` (scale reliability, NPS, ordered logit of loyalty),
:mod:`crmlib.experiment` (A/B tests of CRM activities and the mistakes to avoid).

Other areas: :mod:`crmlib.loss` (why customers are lost), :mod:`crmlib.funnel` (sales-funnel
probabilities), :mod:`crmlib.crosssell` (cross-selling and retention, pair rules),
:mod:`crmlib.concepts` (MAN qualification, the CRM stages), :mod:`crmlib.finance` (NPV, IRR,
payback, EVA, tornado) and :mod:`crmlib.business_case` (what a CRM project costs and returns),
:mod:`crmlib.datasets` (the hash-checked data that ship with the project),
:mod:`crmlib.prospects`, :mod:`crmlib.crosssell_data`, :mod:`crmlib.satisfaction_data`,
:mod:`crmlib.accounts_data` and :mod:`crmlib.own_log_data` (seeded synthetic data),
:mod:`crmlib.fmt` (numbers as people read them, in both languages),
:mod:`crmlib.plotting` (one submodule per area; every function takes ``lang`` and ``ax`` and
returns the Axes), :mod:`crmlib.i18n` (English/Chinese figure text, CJK fonts),
:mod:`crmlib.warnings` (the warnings a fit gives).

Every public function rejects bad input with one clear error naming the argument, column or row.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

#: The library's modules, importable as attributes (``crmlib.clv``) without importing them all up front.
SUBMODULES = ("accounts_data", "business_case", "clustering", "clv", "concentration", "concepts", "crosssell",
              "crosssell_data", "datasets", "experiment", "finance", "fmt", "funnel", "i18n", "key_accounts", "loss",
              "migration", "own_log_data", "plotting", "prospects", "satisfaction", "satisfaction_data", "segments",
              "survival", "warnings")

__all__ = [*SUBMODULES, "__version__"]


def __getattr__(name: str) -> Any:
    if name in SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'crmlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(SUBMODULES))
