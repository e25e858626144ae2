"""Customer lifetime value: from a transaction log to each customer's value.

Sub-modules, in the order of the workflow:

* :mod:`crmlib.clv.rfm` — the frequency / recency / T / monetary summary of a log (pandas);
  :mod:`crmlib.clv.rfm_sql` — the same summary computed in DuckDB or Spark SQL, out of core;
* :mod:`crmlib.clv.btyd` — buy-till-you-die models (BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma, sBG, BG/BB)
  as statsmodels likelihood models with results objects;
* :mod:`crmlib.clv.value` — CLV formulas (constant retention, finite and infinite horizon, the
  timing convention), per-customer discounted CLV from fitted models, customer equity.

The names of :mod:`crmlib.clv.value` are available here too (``crmlib.clv.clv`` is
``crmlib.clv.value.clv``).

Time units cannot be mixed up: a summary states its period in ``attrs`` (``"W"``, ``"D"``,
``"M"`` ... with its length in days), the BG/NBD and Pareto/NBD fits remember the unit of the
data they were fitted on (``res.period``; ``period=`` for plain arrays), and
:func:`customer_lifetime_value` takes a discount rate per year and horizons in that unit —
refusing a fit and a summary in different units, or a unit nobody states. The same log
summarised by day, week or month gives the same CLV.
"""
from __future__ import annotations

import importlib
from typing import Any

from . import value
from .value import *  # noqa: F401,F403  (the CLV formulas are the package's own API)

#: The sub-modules, importable as attributes (``crmlib.clv.btyd``) on first use.
SUBMODULES = ("rfm", "rfm_sql", "btyd", "value")

__all__ = list(value.__all__)


def __getattr__(name: str) -> Any:
    if name in SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'crmlib.clv' has no attribute {name!r}")
