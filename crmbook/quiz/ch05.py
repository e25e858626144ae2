"""Multiple-choice questions of chapter 5, "Customer lifetime value" (texts: ``site/teacher/ch05.csv``).

Question 1's options are formulas as printed; the key is the one equal to the chapter's convention,
:func:`crmlib.clv.clv` with ``timing="end"`` (margins at the end of each year, the first year for
sure), at the numbers of Exercise 5.2. The other keys come from the BG/NBD fitted to CDNOW and from
the source passage on customer equity.
"""
from __future__ import annotations

import functools
from typing import Any

from crmlib import clv, datasets
from crmlib.clv import btyd

from . import Fact, Formula, Meaning, Quiz, quoted

__all__ = ["QUIZ", "EXAMPLE", "ALIVE", "EQUITY", "CUSTOMERS", "REPLACE", "values"]

#: The example of question 1 (Exercise 5.2's customer): margin, retention, discount rate.
EXAMPLE = {"m": 100.0, "r": 0.8, "d": 0.1}
#: What each option of question 2 says about a frequent buyer who has been silent a long time.
ALIVE = {"A": "high_p_alive", "B": "low_p_alive", "C": "no_purchases_left", "D": "highest_clv"}
#: What each option of question 3 calls customer equity.
EQUITY = {"A": "sum_of_discounted_clv", "B": "share_capital", "C": "average_order", "D": "number_of_customers"}
#: Question 2's two CDNOW customers (repeat purchases, week of the last, weeks observed): silent, recent.
CUSTOMERS = {"silent": (10, 20.0, 39.0), "recent": (10, 38.0, 39.0)}
#: Exercise 5.6's firm: customers lost, yearly cost of keeping one (US$), acquisition cost as a multiple.
REPLACE = (200, 100.0, 5)


def _year_end(m: float, r: float, d: float) -> Fact:
    start = clv.clv(m, r, d, None, timing="start")
    return Fact(clv.clv(m, r, d, None, timing="end"), {"start": start, "undiscounted": m / (1 - r)})


@functools.lru_cache(maxsize=1)
def _bgnbd() -> Any:
    s = datasets.cdnow_summary("cdnow_sample", amount=None)
    return btyd.BetaGeo(s["frequency"], s["recency"], s["T"]).fit()


def _alive() -> Fact:
    fit = _bgnbd()
    silent = float(fit.probability_alive(*CUSTOMERS["silent"]))
    recent = float(fit.probability_alive(*CUSTOMERS["recent"]))
    right = "low_p_alive" if silent < 0.5 <= recent else "high_p_alive" if silent >= 0.5 else "?"
    return Fact(right, {"pa_silent": silent, "pa_recent": recent})


def _equity() -> Fact:
    quoted("S5-customer-equity", "企业全部的顾客终身价值折现值总和称为企业顾客资产")
    each = clv.clv(**{"margin": EXAMPLE["m"], "retention": EXAMPLE["r"], "discount": EXAMPLE["d"]}, horizon=None)
    total = clv.customer_equity([each, each, each])
    return Fact("sum_of_discounted_clv" if abs(total - 3 * each) < 1e-9 else "?", {"equity_3": total})


def values() -> dict[str, Any]:
    """Numbers the chapter's teacher texts quote (Exercise 5.2's customer under each convention).

    Returns
    -------
    dict
    """
    m, r, d = EXAMPLE["m"], EXAMPLE["r"], EXAMPLE["d"]
    extra = float(clv.acquisition_vs_retention(REPLACE[0], REPLACE[1], (REPLACE[2],))["extra_cost"].iloc[0])
    return {"ex_m": m, "ex_r": r, "ex_d": d, "clv_end": clv.clv(m, r, d, None, timing="end"),
            "clv_start": clv.clv(m, r, d, None, timing="start"), "replace_n": REPLACE[0],
            "keep_cost": REPLACE[1], "acq_ratio": REPLACE[2], "acq_extra": extra}


QUIZ = Quiz("ch05", [
    Formula("1", _year_end, at=EXAMPLE),
    Meaning("2", ALIVE, _alive),
    Meaning("3", EQUITY, _equity),
], values=values)
