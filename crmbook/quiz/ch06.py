"""Multiple-choice questions of chapter 6, "What CRM costs and what it returns" (texts:
``site/teacher/ch06.csv``).

Keys come from the printed facts (``roi_facts``), :mod:`crmlib.finance` on Exercise 6.2's project and
:data:`crmlib.business_case.PERSPECTIVES`; the chapter-wide values (the case's visible, hidden and
one-off cost, S2's hidden share of the total) from :class:`crmlib.business_case.CaseAssumptions` and
``roi_facts``.
"""
from __future__ import annotations

import math
from typing import Any

from crmlib import business_case as bc, datasets, finance

from ..exercises.ch06 import EX_FLOWS, EX_RATE
from . import Fact, Meaning, Quiz, quoted

__all__ = ["QUIZ", "MULTIPLES", "IRR_MEANS", "PERSPECTIVE_OPTIONS", "values"]

#: Question 1: the budget as a multiple (low, high) of software, services, hardware and training.
MULTIPLES = {"A": (1.0, 1.0), "B": (3.0, 4.0), "C": (10.0, 10.0), "D": (0.5, 0.5)}
#: Question 2: what holds at the IRR.
IRR_MEANS = {"A": "npv_zero", "B": "payback_one_year", "C": "roi_100", "D": "costs_lowest"}
#: Question 3: scorecard perspectives (crmlib ids) and one that is not.
PERSPECTIVE_OPTIONS = {"A": "financial", "B": "suppliers", "C": "internal_process", "D": "learning_growth"}


def _budget_rule() -> Fact:
    quoted("S2-budget-multiple", "软件.服务.硬件和培训成本的三倍到四倍")
    f = datasets.load("roi_facts").set_index("fact_id").loc["budget_multiple"]
    return Fact((float(f["value_low"]), float(f["value_high"])))


def _hidden_share() -> Fact:
    quoted("S2-garbled-share", "占据 4% ~7 % 的比例")
    f = datasets.load("roi_facts").set_index("fact_id").loc["hidden_share"]
    return Fact((float(f["value_low"]), float(f["value_high"])))


def _irr() -> Fact:
    r = finance.irr(EX_FLOWS)
    holds = {"npv_zero": abs(finance.npv(r, EX_FLOWS)) < 1e-6,
             "payback_one_year": math.isclose(finance.payback_period(EX_FLOWS), 1.0),
             "roi_100": math.isclose(finance.roi([0.0, *EX_FLOWS[1:]], [-EX_FLOWS[0], 0.0, 0.0]), 1.0)}
    right = [k for k, v in holds.items() if v]
    return Fact(right[0] if len(right) == 1 else tuple(right),
                {"irr": r, "rate": EX_RATE, "npv_at_rate": finance.npv(EX_RATE, EX_FLOWS),
                 "payback": finance.payback_period(EX_FLOWS)})


def _not_a_perspective() -> Fact:
    quoted("S4-bsc", "財務構面顧客構面內部流程構面學習與成長構面")
    outside = [m for m in PERSPECTIVE_OPTIONS.values() if m not in bc.PERSPECTIVES]
    return Fact(outside[0] if len(outside) == 1 else tuple(outside))


def values() -> dict[str, Any]:
    """Numbers the chapter's teacher texts quote: the default case's costs against the 3–4 × rule and S2's
    hidden-cost share.

    Returns
    -------
    dict
        ``visible``, ``hidden``, ``one_off`` (US$), ``one_off_multiple``, ``hidden_share`` (of the
        one-off cost), ``tco`` (over the horizon), ``tco_multiple``, ``horizon``, ``budget_low``,
        ``budget_high`` (the rule's budget), ``rule_low``, ``rule_high``, and S2's hidden share of the
        total (``s2_hidden_low``, ``s2_hidden_high``, fractions) with the multiples of the visible cost it
        implies (``s2_multiple_low``, ``s2_multiple_high``).
    """
    a = bc.CaseAssumptions()
    lo, hi = _budget_rule().answer
    h_lo, h_hi = (v / 100 for v in _hidden_share().answer)
    tco = bc.cost_multiples(a, [a.horizon]).loc[a.horizon]
    return {"visible": a.visible_cost, "hidden": a.hidden_cost, "one_off": a.one_off_cost,
            "one_off_multiple": a.one_off_cost / a.visible_cost, "hidden_share": a.hidden_cost / a.one_off_cost,
            "tco": float(tco["cost"]), "tco_multiple": float(tco["multiple"]), "horizon": a.horizon,
            "budget_low": bc.budget_by_rule(a.visible_cost, lo), "budget_high": bc.budget_by_rule(a.visible_cost, hi),
            "rule_low": lo, "rule_high": hi, "s2_hidden_low": h_lo, "s2_hidden_high": h_hi,
            "s2_multiple_low": bc.multiple_from_hidden_share(h_lo), "s2_multiple_high": bc.multiple_from_hidden_share(h_hi)}


QUIZ = Quiz("ch06", [
    Meaning("1", MULTIPLES, _budget_rule),
    Meaning("2", IRR_MEANS, _irr),
    Meaning("3", PERSPECTIVE_OPTIONS, _not_a_perspective, labels="roi.persp.{}"),
], values=values)
