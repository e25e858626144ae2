"""Hostile-input probe of crmlib's public API (issue 15).

Calls public functions with one argument at a time replaced by a hostile
value (NaN, ±inf, strings, None, bools for numbers, ragged lists, misaligned
Series, huge sizes, empty inputs) and classifies what happens:

* ``ok``       crmlib raised its own TypeError/ValueError (raised inside crmlib);
* ``foreign``  an error raised by numpy/pandas/scipy/statsmodels, not crmlib;
* ``silent``   the call returned although the input is invalid;
* ``slow``     the call ran past the time limit (``--timeout``, default 5 s);
* ``memory``   the call hit the address-space limit (MemoryError);
* ``numpy-repr`` the error message prints a numpy scalar as ``np.int64(3)`` instead of ``3``.

The cases tagged ``[whole]``, ``[aligned]``, ``[impossible]``, ``[finite]``, ``[sign]``,
``[dataset]`` and ``[plain]`` check the contract classes of issue 22 (whole-number counts,
Series paired by label, impossible combinations, finite results, signs of costs and counts,
damaged data files and manifests, plain values in messages); the last line of the report
counts the bad cases per class.

Usage: ``python tools/probe_hostile.py [-v] [--only MODULE]`` (MODULE as printed, e.g. ``funnel``). Prints one line
per bad case and a count per class; exit code 1 when any case is bad.
"""
from __future__ import annotations

import argparse
import math
import re
import resource
import signal
import sys
import traceback
import warnings
from collections import Counter
from typing import Any, Callable

import numpy as np
import pandas as pd

NAN, INF = float("nan"), float("inf")


class Slow(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise Slow()


FOREIGN_WORDS = ("could not convert", "could not broadcast", "setting an array element", "inhomogeneous",
                 "unsupported operand", "Invalid value", "must be real number", "object of type", "not supported "
                 "between", "only integer scalar", "cannot convert", "float() argument", "int() argument",
                 "'NoneType' object", "unhashable")


def raised_in_crmlib(exc: BaseException) -> bool:
    """The error was raised by crmlib's own check (not by numpy/pandas called from a crmlib line)."""
    tb = traceback.extract_tb(exc.__traceback__)
    if not (tb and "/crmlib/" in tb[-1].filename):
        return False
    return not any(w in str(exc) for w in FOREIGN_WORDS)


# --------------------------------------------------------------------------- hostile values
SCALAR_BAD = {"nan": NAN, "inf": INF, "-inf": -INF, "str": "1", "None": None, "bool": True, "list": [1.0]}
SEQ_BAD = {"nan-entry": [1.0, NAN], "inf-entry": [1.0, INF], "-inf-entry": [1.0, -INF], "str": "abc",
           "ragged": [[1.0, 2.0], [3.0]], "str-entry": [1.0, "a"], "None": None, "empty": [],
           "bool-entry": [True, False], "2-D": [[1.0, 2.0], [3.0, 4.0]]}
HUGE = {"1e9": 10**9, "1e12": 10**12}


class Case:
    def __init__(self, module: str, func: str, call: Callable[[], Any], label: str, expect: str = "error"):
        self.module, self.func, self.call, self.label, self.expect = module, func, call, label, expect


CASES: list[Case] = []


def mutate(module: str, fname: str, fn: Callable, base: dict[str, Any], arg: str, values: dict[str, Any],
           expect: str = "error") -> None:
    for tag, v in values.items():
        kw = dict(base)
        kw[arg] = v
        CASES.append(Case(module, fname, (lambda kw=kw: fn(**kw)), f"{arg}={tag}", expect))


def add(module: str, fname: str, call: Callable, label: str, expect: str = "error") -> None:
    CASES.append(Case(module, fname, call, label, expect))


def build() -> None:  # noqa: C901 - one long list of cases
    from crmlib import clv, concepts, crosssell, crosssell_data, datasets, funnel, i18n, loss, prospects

    pros = datasets.load("prospects")
    cust = datasets.load("bank_customers")
    bask = datasets.load("baskets")
    causes = datasets.load("loss_causes")
    shares = causes.set_index("cause_id")["share_pct"]

    def with_col(df, col, value, row=0):
        d = df.copy()
        if isinstance(value, str):
            d[col] = d[col].astype(object)
        elif isinstance(value, float) and d[col].dtype.kind in "iu":
            d[col] = d[col].astype(float)
        elif isinstance(value, float) and str(d[col].dtype) == "Int64":
            d[col] = d[col].astype("Float64")
        d.loc[d.index[row], col] = value
        return d

    # ---------------------------------------------------------------- funnel
    F = "funnel"
    mutate(F, "check_funnel", funnel.check_funnel, {"counts": [100, 50, 5]}, "counts", SEQ_BAD)
    add(F, "check_funnel", lambda: funnel.check_funnel(pd.Series([100.0, INF])), "Series inf")
    for fname in ("stage_rates", "overall_rate", "rate_intervals"):
        fn = getattr(funnel, fname)
        mutate(F, fname, fn, {"counts": [100, 50, 5]}, "counts", {"inf-entry": [100, INF], "str": "abc",
                                                                   "ragged": [[100], [50, 5]]})
    mutate(F, "rate_intervals", funnel.rate_intervals, {"counts": [100, 50, 5]}, "alpha", SCALAR_BAD)
    mutate(F, "rate_intervals", funnel.rate_intervals, {"counts": [100, 50, 5]}, "method",
           {"None": None, "list": ["wilson"]})
    for arg in ("k", "n", "p"):
        mutate(F, "prob_at_least", funnel.prob_at_least, {"k": 5, "n": 100, "p": 0.05}, arg, SCALAR_BAD)
    for arg in ("k", "p", "target"):
        mutate(F, "prospects_needed", funnel.prospects_needed, {"k": 5, "p": 0.05, "target": 0.9}, arg, SCALAR_BAD)
    mutate(F, "prospects_needed", funnel.prospects_needed, {"k": 5, "p": 0.05, "target": 0.9}, "k", HUGE,
           expect="ok-return")
    rng = lambda: np.random.default_rng(1)  # noqa: E731
    mutate(F, "simulate_prospects_needed", lambda **kw: funnel.simulate_prospects_needed(rng=rng(), **kw),
           {"k": 5, "p": 0.05, "n_sims": 10}, "n_sims", {**SCALAR_BAD, **HUGE})
    mutate(F, "simulate_funnel", lambda **kw: funnel.simulate_funnel(rng=rng(), **kw),
           {"n": 100, "rates": [0.5, 0.1], "n_sims": 10}, "n_sims", {**SCALAR_BAD, **HUGE})
    mutate(F, "simulate_funnel", lambda **kw: funnel.simulate_funnel(rng=rng(), **kw),
           {"n": 100, "rates": [0.5, 0.1], "n_sims": 10}, "rates", SEQ_BAD)
    mutate(F, "simulate_funnel", lambda **kw: funnel.simulate_funnel(rng=rng(), **kw),
           {"n": 100, "rates": [0.5, 0.1], "n_sims": 10}, "n", {**SCALAR_BAD, "1e30": 10**30})
    add(F, "simulate_funnel", lambda: funnel.simulate_funnel(100, [0.5] * 10**6, 10**4, rng()), "rates x n_sims 1e10")
    mutate(F, "expected_deals", funnel.expected_deals, {"n": 100, "rates": [0.5, 0.1]}, "rates", SEQ_BAD)
    mutate(F, "expected_deals", funnel.expected_deals, {"n": 100, "rates": [0.5, 0.1]}, "level", SCALAR_BAD)
    for col, val in (("budget_kusd", INF), ("need_score", INF), ("influence", -INF), ("days_prospect", INF)):
        add(F, "funnel_counts", lambda c=col, v=val: funnel.funnel_counts(with_col(pros, c, v)), f"{col}=inf")
        add(F, "fit_close_logit", lambda c=col, v=val: funnel.fit_close_logit(with_col(pros, c, v)), f"{col}=inf")
    add(F, "time_to_close", lambda: funnel.time_to_close(with_col(pros, "days_prospect", INF)), "days_prospect=inf")
    mutate(F, "fit_close_logit", funnel.fit_close_logit, {"prospects": pros}, "alpha", SCALAR_BAD)
    mutate(F, "fit_close_logit", funnel.fit_close_logit, {"prospects": pros}, "prospects",
           {"None": None, "str": "prospects", "empty": pros.iloc[:0]})
    sep = pros.copy()
    sep["stage_reached"] = np.where(sep["need_score"] >= 7, "deal", "negotiation")
    add(F, "fit_close_logit", lambda: funnel.fit_close_logit(sep), "separated by need", expect="warn")
    quasi = pros.copy()
    quasi["stage_reached"] = np.where(quasi["decision_maker"] & (quasi["stage_reached"] == "deal"), "deal",
                                      np.where(quasi["stage_reached"] == "deal", "negotiation",
                                               quasi["stage_reached"]))
    add(F, "fit_close_logit", lambda: funnel.fit_close_logit(quasi), "quasi-separated by authority", expect="warn")
    model = funnel.fit_close_logit(pros)
    add(F, "CloseModel.predict", lambda: model.predict(with_col(pros, "budget_kusd", INF)), "budget inf")
    add(F, "CloseModel.predict", lambda: model.predict(None), "None")

    # ---------------------------------------------------------------- prospects / concepts
    P = "prospects"
    mutate(P, "generate", prospects.generate, {"n": 10, "seed": 1}, "n", {**SCALAR_BAD, **HUGE})
    mutate(P, "generate", prospects.generate, {"n": 10, "seed": 1}, "seed", SCALAR_BAD)
    for col, val in (("budget_kusd", INF), ("budget_kusd", -INF), ("need_score", INF), ("days_prospect", INF),
                     ("days_negotiation", INF), ("budget_kusd", "12"), ("days_negotiation", -5)):
        add(P, "check_prospects", lambda c=col, v=val: prospects.check_prospects(with_col(pros, c, v)), f"{col}={val}")
    C = "concepts"
    for arg in ("money_min", "influence_min", "need_min"):
        mutate(C, "qualify_man", concepts.qualify_man, {"prospects": pros}, arg, SCALAR_BAD)
    add(C, "qualify_man", lambda: concepts.qualify_man(with_col(pros, "budget_kusd", INF)), "budget inf")
    flags = concepts.qualify_man(pros)
    add(C, "qualification_table", lambda: concepts.qualification_table(pros, flags["man"].iloc[::-1]),
        "qualified reversed index (same labels)", expect="aligned")
    add(C, "qualification_table", lambda: concepts.qualification_table(pros, flags["man"].reset_index(drop=True)
                                                                       .set_axis(range(1, len(pros) + 1))),
        "qualified shifted index")
    add(C, "qualification_table", lambda: concepts.qualification_table(pros, flags["man"].to_numpy()), "ndarray")
    add(C, "criterion_table", lambda: concepts.criterion_table(pros, flags.astype(int)), "int flags")
    mutate(C, "classify_stage", concepts.classify_stage, {"answers": [True] * 5}, "answers",
           {"str": "yyyyy", "None": None, "ints": [1, 1, 1, 1, 1], "nan": [True, NAN, True, True, True],
            "short": [True] * 4, "ragged": [[True], True, True, True, True]})

    # ---------------------------------------------------------------- loss
    L = "loss"
    mutate(L, "check_shares", loss.check_shares, {"shares": shares}, "shares",
           {"inf": shares.where(shares.index != shares.index[0], INF), "str": "abc", "None": None,
            "empty": pd.Series([], dtype=float), "list-ragged": [[50.0], [50.0]]})
    add(L, "loss_table", lambda: loss.loss_table(with_col(causes, "share_pct", INF)), "share inf")
    add(L, "group_totals", lambda: loss.group_totals(with_col(causes, "share_pct", INF)), "share inf")
    mutate(L, "pareto_table", loss.pareto_table, {"shares": shares}, "threshold", SCALAR_BAD)
    mutate(L, "simulate_survey", lambda **kw: loss.simulate_survey(rng=rng(), **kw), {"shares": shares, "n": 100},
           "n", SCALAR_BAD)
    mutate(L, "multinomial_ci", loss.multinomial_ci, {"counts": {"a": 5, "b": 7}}, "counts",
           {"inf": {"a": 5, "b": INF}, "str": "abc", "None": None, "ragged": [[1], [2, 3]], "empty": {}})
    mutate(L, "multinomial_ci", loss.multinomial_ci, {"counts": {"a": 5, "b": 7}}, "alpha", SCALAR_BAD)
    counts = pd.Series(np.round(shares.to_numpy() * 2), index=shares.index)
    add(L, "goodness_of_fit", lambda: loss.goodness_of_fit(counts.set_axis(range(len(counts))), shares),
        "counts positional index")
    add(L, "goodness_of_fit", lambda: loss.goodness_of_fit(counts.where(counts.index != counts.index[0], INF),
                                                           shares), "counts inf")
    for arg in ("n", "p0", "p1", "alpha"):
        mutate(L, "power_one_proportion", loss.power_one_proportion, {"n": 100, "p0": 0.6, "p1": 0.68}, arg,
               SCALAR_BAD)
    mutate(L, "power_one_proportion", loss.power_one_proportion, {"n": 100, "p0": 0.6, "p1": 0.68}, "n", HUGE)
    for arg in ("p0", "p1", "alpha", "power"):
        mutate(L, "sample_size_one_proportion", loss.sample_size_one_proportion, {"p0": 0.6, "p1": 0.68}, arg,
               SCALAR_BAD)
    add(L, "sample_size_one_proportion", lambda: loss.sample_size_one_proportion(0.5, 0.505), "0.5 vs 0.505",
        expect="ok-return")
    add(L, "sample_size_one_proportion", lambda: loss.sample_size_one_proportion(0.5, 0.5000001),
        "0.5 vs 0.5000001")
    mutate(L, "whatif_kept", loss.whatif_kept, {"shares": shares, "cuts_pct": {}}, "cuts_pct",
           {"inf": {shares.index[0]: INF}, "str": "abc", "None": None, "str-value": {shares.index[0]: "10"}})
    mutate(L, "whatif_kept", loss.whatif_kept, {"shares": shares, "cuts_pct": {}}, "per", SCALAR_BAD)

    # ---------------------------------------------------------------- clv
    V = "clv"
    base = {"margin": 100.0, "retention": 0.8, "discount": 0.1, "horizon": 10}
    for arg in base:
        mutate(V, "clv", clv.clv, base, arg, {k: v for k, v in SCALAR_BAD.items() if not (arg == "horizon" and k in
                                                                                          ("inf", "None"))})
    for arg in base:
        mutate(V, "clv_schedule", clv.clv_schedule, base, arg, SCALAR_BAD)
    mutate(V, "clv_schedule", clv.clv_schedule, base, "horizon", HUGE)
    mutate(V, "annuity_factor", clv.annuity_factor, {k: base[k] for k in ("retention", "discount", "horizon")},
           "timing", {"None": None, "list": ["end"]})
    gbase = {"clv_value": 1000.0, "horizon": 10, "retentions": [0.9, 1.0], "discounts": [0.0, 0.1]}
    for arg in ("retentions", "discounts"):
        mutate(V, "implied_margin_grid", clv.implied_margin_grid, gbase, arg, SEQ_BAD)
    add(V, "implied_margin_grid", lambda: clv.implied_margin_grid(1000.0, 10, np.linspace(0, 1, 10**5),
                                                                  np.linspace(0, 1, 10**5)), "grid 1e10 cells")
    mutate(V, "implied_margin", clv.implied_margin, {"clv_value": 1000.0, "horizon": 10}, "clv_value", SCALAR_BAD)
    mutate(V, "customer_equity", clv.customer_equity, {"clv_values": [1.0, 2.0]}, "clv_values", SEQ_BAD)
    mutate(V, "customer_equity", clv.customer_equity, {"clv_values": [1.0, 2.0], "counts": [1, 2]}, "counts",
           {k: v for k, v in SEQ_BAD.items() if k != "None"})
    add(V, "customer_equity", lambda: clv.customer_equity(pd.Series([1.0, 2.0], index=["a", "b"]),
                                                          pd.Series([1, 10], index=["b", "a"])),
        "misaligned Series", expect="aligned:12.0")
    add(V, "customer_equity", lambda: clv.customer_equity(pd.Series([1.0, 2.0], index=["a", "b"]),
                                                          pd.Series([1, 10], index=["c", "a"])),
        "Series different labels")
    for arg in ("price_paid", "production_cost", "marketing_cost", "service_cost"):
        mutate(V, "current_value", clv.current_value, {"price_paid": 10.0, "production_cost": 1.0,
                                                        "marketing_cost": 1.0, "service_cost": 1.0}, arg,
               SCALAR_BAD)
    mutate(V, "acquisition_vs_retention", clv.acquisition_vs_retention, {"customers": 10, "retention_cost": 5.0},
           "ratios", SEQ_BAD)
    mutate(V, "acquisition_vs_retention", clv.acquisition_vs_retention, {"customers": 10, "retention_cost": 5.0},
           "customers", SCALAR_BAD)
    mutate(V, "constant_retention_mle", clv.constant_retention_mle, {"survivors": [100, 80, 60]}, "survivors",
           SEQ_BAD)
    cum = np.array([[0.0, 1.0, 2.0], [0.0, 0.5, 0.7]])
    mutate(V, "discounted_clv", clv.discounted_clv, {"cumulative_purchases": cum, "spend_per_purchase": [10.0, 20.0],
                                                     "discount": 0.1, "step_years": 1.0}, "spend_per_purchase", SEQ_BAD)
    mutate(V, "discounted_clv", clv.discounted_clv, {"cumulative_purchases": cum, "spend_per_purchase": [10.0, 20.0],
                                                     "discount": 0.1, "step_years": 1.0}, "cumulative_purchases",
           {"str": "abc", "ragged": [[0.0, 1.0], [0.0]], "None": None, "str-entry": [[0.0, "a"], [0.0, 1.0]],
            "inf": [[0.0, INF], [0.0, 1.0]]})
    add(V, "discounted_clv", lambda: clv.discounted_clv(pd.DataFrame(cum, index=["a", "b"]),
                                                        pd.Series([10.0, 20.0], index=["b", "a"]), 0.1,
                                                        step_years=1.0),
        "misaligned Series", expect="aligned")
    mutate(V, "expected_repeat_by_period", clv.expected_repeat_by_period,
           {"expected_new": lambda t: 0.1 * t, "first_purchase": [0.0, 1.0], "periods": 5}, "periods",
           {**SCALAR_BAD, **HUGE})
    mutate(V, "expected_repeat_by_period", clv.expected_repeat_by_period,
           {"expected_new": lambda t: 0.1 * t, "first_purchase": [0.0, 1.0], "periods": 5}, "first_purchase", SEQ_BAD)
    add(V, "expected_repeat_by_period", lambda: clv.expected_repeat_by_period(lambda t: 0.1 * t,
                                                                              np.arange(10**5) / 7, 10**5),
        "1e5 starts x 1e5 periods")
    tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2024-01-01", "2024-01-09", "2024-01-02"])})
    mutate(V, "repeat_transactions_by_period", clv.repeat_transactions_by_period,
           {"transactions": tx, "customer_id": "customer_id", "date": "date", "start": "2024-01-01", "periods": 4},
           "periods", {**SCALAR_BAD, **HUGE})
    mutate(V, "repeat_transactions_by_period", clv.repeat_transactions_by_period,
           {"transactions": tx, "customer_id": "customer_id", "date": "date", "start": "2024-01-01", "periods": 4},
           "period_days", SCALAR_BAD)
    mutate(V, "repeat_transactions_by_period", clv.repeat_transactions_by_period,
           {"transactions": tx, "customer_id": "customer_id", "date": "date", "start": "2024-01-01", "periods": 4},
           "start", {"None": None, "nan": NAN, "garbage": "not a date", "list": [1]})
    mutate(V, "parse_printed_usd", clv.parse_printed_usd, {"text": "48 万美元"}, "text",
           {"None": None, "nan": NAN, "bytes": b"48"})

    # ---------------------------------------------------------------- crosssell
    X = "crosssell"
    add(X, "check_customers", lambda: crosssell.check_customers(with_col(cust, "n_products", INF)), "n_products inf")
    add(X, "retention_by_products", lambda: crosssell.retention_by_products(with_col(cust, "n_products", INF)),
        "n_products inf")
    mutate(X, "retention_by_products", crosssell.retention_by_products, {"customers": cust}, "alpha", SCALAR_BAD)
    mutate(X, "fit_retention_logit", crosssell.fit_retention_logit, {"customers": cust}, "terms",
           {"str": "n_products", "None": None, "int": 3, "empty": [], "ragged": [["n_products"]]},
           expect="error")
    CASES[-5].expect = "ok-return"   # a string names one column: accepted as that column
    add(X, "fit_retention_logit", lambda: crosssell.fit_retention_logit(with_col(cust, "tenure_years", INF),
                                                                        terms=["tenure_years"]), "tenure inf")
    add(X, "fit_retention_logit", lambda: crosssell.fit_retention_logit(with_col(cust, "n_products", INF)),
        "n_products inf")
    mutate(X, "fit_retention_logit", crosssell.fit_retention_logit, {"customers": cust}, "alpha", SCALAR_BAD)
    sepc = cust.copy()
    sepc["churned"] = sepc["n_products"] == 1
    add(X, "fit_retention_logit", lambda: crosssell.fit_retention_logit(sepc), "separated by n_products",
        expect="warn")
    sepq = cust.copy()
    sepq["churned"] = sepq["churned"] & ~sepq["investment"]
    add(X, "fit_retention_logit", lambda: crosssell.fit_retention_logit(sepq, terms=["investment", "n_products"]),
        "quasi-separated by investment", expect="warn")
    rl = crosssell.fit_retention_logit(cust)
    mutate(X, "RetentionLogit.predict", rl.predict, {"exog": [1, 2, 3]}, "exog", SEQ_BAD)
    mutate(X, "RetentionLogit.predict", rl.predict, {"exog": [1, 2, 3]}, "alpha", SCALAR_BAD)
    mutate(X, "RetentionLogit.discrete_effect", rl.discrete_effect, {"term": "n_products", "data": cust}, "step",
           SCALAR_BAD)
    add(X, "RetentionLogit.discrete_effect", lambda: rl.discrete_effect("n_products", with_col(cust, "n_products",
                                                                                               INF)), "data inf")
    wbase = {"single_share": 0.34, "p_stay_one": 0.6, "p_stay_two": 0.8, "uptake_pct": 10.0, "margin": 100.0}
    for arg in wbase:
        mutate(X, "whatif_cross_sell", crosssell.whatif_cross_sell, wbase, arg, SCALAR_BAD)
    mutate(X, "whatif_cross_sell", crosssell.whatif_cross_sell, wbase, "per", {**SCALAR_BAD})
    for arg in ("n_a", "n_b", "n_ab"):
        mutate(X, "rule_metrics", crosssell.rule_metrics, {"n": 100, "n_a": 10, "n_b": 20, "n_ab": 5}, arg,
               {"nan": NAN, "inf": INF, "str": "5", "None": None, "bool": True, "ragged": [[1], [2, 3]]})
    add(X, "rule_metrics", lambda: crosssell.rule_metrics(100, [10, 20], [20, 30, 40], [5, 5]), "shape mismatch")
    add(X, "rule_metrics", lambda: crosssell.rule_metrics(100, pd.Series([10, 20], index=["a", "b"]),
                                                          pd.Series([20, 30], index=["b", "a"]),
                                                          pd.Series([5, 5], index=["a", "b"])), "misaligned Series",
        expect="aligned")
    add(X, "rule_metrics", lambda: crosssell.rule_metrics(100, pd.Series([10, 20], index=["a", "b"]),
                                                          pd.Series([20, 30], index=["b", "c"]),
                                                          pd.Series([5, 5], index=["a", "b"])), "Series other labels")
    mutate(X, "pair_rules", crosssell.pair_rules, {"data": bask}, "min_support", SCALAR_BAD)
    mutate(X, "pair_rules", crosssell.pair_rules, {"data": bask}, "min_confidence", SCALAR_BAD)
    mutate(X, "lift_matrix", crosssell.lift_matrix, {"data": bask}, "items", {"str": "beer"})
    CASES[-1].expect = "ok-return"
    mutate(X, "time_slot", crosssell.time_slot, {"hour": [8, 12]}, "hour",
           {"inf": [8, INF], "str": "abc", "None": None, "frac": [8.5], "bool": [True]})
    bk = bask.head(200).assign(slot="x")
    add(X, "rule_by_group", lambda: crosssell.rule_by_group(bk, "beer", "chips", by="day"), "by='day' as a string",
        expect="ok-return")
    add(X, "rule_by_group", lambda: crosssell.rule_by_group(bk, "beer", "chips", by=None), "by=None")
    add(X, "rule_by_group", lambda: crosssell.rule_by_group(bk, None, "chips", by=["day"]), "antecedent None")
    add(X, "source_retention", lambda: crosssell.source_retention(with_col(datasets.load("crosssell_retention"),
                                                                           "probability_kept_pct", INF)), "inf")
    # ---------------------------------------------------------------- crosssell_data
    D = "crosssell_data"
    for fname in ("generate_bank_customers", "generate_baskets", "bank_customers_csv", "baskets_csv"):
        mutate(D, fname, getattr(crosssell_data, fname), {"n": 10, "seed": 1}, "n", {**SCALAR_BAD, **HUGE})
    # ---------------------------------------------------------------- finance / business_case
    from crmlib import business_case as bc
    from crmlib import finance as fin
    N = "finance"
    cf = [-100.0, 30.0, 40.0, 50.0]
    mutate(N, "npv", fin.npv, {"rate": 0.1, "cash_flows": cf}, "cash_flows", SEQ_BAD)
    mutate(N, "npv", fin.npv, {"rate": 0.1, "cash_flows": cf}, "rate", SCALAR_BAD)
    mutate(N, "irr", fin.irr, {"cash_flows": cf}, "cash_flows", SEQ_BAD)
    mutate(N, "irr", fin.irr, {"cash_flows": cf}, "grid", {**SCALAR_BAD, **HUGE})
    mutate(N, "irr", fin.irr, {"cash_flows": cf}, "low", SCALAR_BAD)
    mutate(N, "irr", fin.irr, {"cash_flows": cf}, "high", SCALAR_BAD)
    mutate(N, "npv_profile", fin.npv_profile, {"cash_flows": cf, "rates": [0.0, 0.1]}, "rates", SEQ_BAD)
    add(N, "npv_profile", lambda: fin.npv_profile(cf, np.linspace(0, 1, 10**7)), "1e7 rates")
    mutate(N, "discount_factors", fin.discount_factors, {"rate": 0.1, "n_periods": 5}, "n_periods",
           {**SCALAR_BAD, **HUGE})
    mutate(N, "payback_period", fin.payback_period, {"cash_flows": cf}, "cash_flows", SEQ_BAD)
    mutate(N, "payback_period", fin.payback_period, {"cash_flows": cf}, "rate", {k: v for k, v in SCALAR_BAD.items()
                                                                               if k != "None"})
    mutate(N, "roi", fin.roi, {"benefits": [0.0, 50.0, 80.0], "costs": [100.0, 10.0, 10.0]}, "costs", SEQ_BAD)
    add(N, "roi", lambda: fin.roi(pd.Series([0.0, 50.0, 80.0], index=[0, 1, 2]),
                                  pd.Series([10.0, 10.0, 100.0], index=[2, 1, 0])), "misaligned Series",
        expect="aligned")
    add(N, "roi", lambda: fin.roi(pd.Series([0.0, 50.0, 80.0], index=[0, 1, 2]),
                                  pd.Series([10.0, 10.0, 100.0], index=[1, 2, 3])), "Series other labels")
    ebase = {"investment": 100.0, "benefits": [60.0, 70.0], "operating_costs": [10.0, 10.0], "wacc": 0.1}
    for arg in ("benefits", "operating_costs"):
        mutate(N, "eva_table", fin.eva_table, ebase, arg, SEQ_BAD)
    for arg in ("investment", "wacc", "tax_rate"):
        mutate(N, "eva_table", fin.eva_table, ebase, arg, SCALAR_BAD)
    add(N, "eva_table", lambda: fin.eva_table(100.0, pd.Series([60.0, 70.0], index=[1, 2]),
                                              pd.Series([10.0, 10.0], index=[2, 3]), 0.1), "Series other labels")
    mutate(N, "tornado_table", fin.tornado_table, {"func": lambda a: a, "base": {"a": 1.0}, "ranges": {"a": (0, 2)}},
           "ranges", {"str": {"a": "02"}, "nan": {"a": (NAN, 1.0)}, "inf": {"a": (0.0, INF)}, "None": None,
                      "scalar": {"a": 3.0}})
    B = "business_case"
    cbase = {"kept_share": 0.1, "close_uplift": 0.01, "crosssell_gain": 0.02, "retention": 0.8}
    for arg in ("kept_share", "close_uplift", "crosssell_gain", "retention"):
        mutate(B, "project_cash_flows", bc.project_cash_flows, cbase, arg, SCALAR_BAD)
    mutate(B, "project_cash_flows", bc.project_cash_flows, cbase, "assumptions",
           {"None-ok": None, "dict": {"margin": 1.0}, "str": "case"})
    CASES[-3].expect = "ok-return"   # None: the default assumptions
    for arg in ("customers", "margin", "software", "hidden_scale", "prospects", "crosssell_uptake", "running"):
        mutate(B, "CaseAssumptions", bc.CaseAssumptions, {}, arg, SCALAR_BAD)
    mutate(B, "CaseAssumptions", bc.CaseAssumptions, {}, "horizon", {**SCALAR_BAD, **HUGE})
    flows = bc.project_cash_flows(**cbase)
    bad_flows = flows.copy()
    bad_flows.loc[2, "net"] = INF
    add(B, "evaluate", lambda: bc.evaluate(bad_flows, 0.1), "flows net inf")
    add(B, "tco", lambda: bc.tco(flows.assign(cost=flows["cost"].astype(str))), "flows cost str")
    mutate(B, "evaluate", bc.evaluate, {"flows": flows}, "discount_rate", SCALAR_BAD)
    res = bc.evaluate(flows, 0.1)
    case = {**bc.case_parameters(cbase), "discount_rate": 0.1}
    for k in ("kept_share", "margin", "discount_rate", "close_uplift", "training", "crosssell_gain"):
        add(B, "scorecard", lambda k=k: bc.scorecard({**case, k: "0.1"}, res, base_close_rate=0.05,
                                                    complaint_losses=(10.0, 5.0)), f"case[{k}]=str")
        add(B, "scorecard", lambda k=k: bc.scorecard({**case, k: NAN}, res, base_close_rate=0.05,
                                                    complaint_losses=(10.0, 5.0)), f"case[{k}]=nan")
    mutate(B, "budget_by_rule", bc.budget_by_rule, {"visible_cost": 100.0, "multiplier": 3.0}, "visible_cost",
           SCALAR_BAD)
    mutate(B, "budget_by_rule", bc.budget_by_rule, {"visible_cost": 100.0, "multiplier": 3.0}, "multiplier",
           SCALAR_BAD)
    mutate(L, "power_curve", loss.power_curve, {"sizes": [10, 20], "p0": 0.6, "p1": 0.68}, "sizes",
           {**SEQ_BAD, "huge": [10**7, 10**7], "frac": [10.5]})
    mutate(L, "joint_coverage", lambda **kw: loss.joint_coverage(rng=rng(), **kw),
           {"shares": shares, "n": 50, "replications": 5}, "replications", {**SCALAR_BAD, **HUGE})
    mutate(L, "joint_coverage", lambda **kw: loss.joint_coverage(rng=rng(), **kw),
           {"shares": shares, "n": 50, "replications": 5}, "n", SCALAR_BAD)

    # ---------------------------------------------------------------- wrong containers for every table argument
    FRAME_BAD = {"None": None, "str": "table", "list": [1, 2], "dict": {"a": [1]}, "empty": pd.DataFrame(),
                 "ndarray": np.zeros((3, 3)), "Series": pd.Series([1.0, 2.0])}
    frame_funcs = [
        (F, "funnel_counts", funnel.funnel_counts), (F, "time_to_close", funnel.time_to_close),
        (F, "fit_close_logit", funnel.fit_close_logit), (P, "check_prospects", prospects.check_prospects),
        (C, "qualify_man", concepts.qualify_man),
        (L, "loss_table", loss.loss_table), (L, "group_totals", loss.group_totals),
        (X, "source_retention", crosssell.source_retention), (X, "read_source", crosssell.read_source),
        (X, "check_customers", crosssell.check_customers), (X, "retention_by_products", crosssell.retention_by_products),
        (X, "fit_retention_logit", crosssell.fit_retention_logit), (X, "check_baskets", crosssell.check_baskets),
        (X, "basket_matrix", crosssell.basket_matrix), (X, "pair_rules", crosssell.pair_rules),
        (X, "lift_matrix", crosssell.lift_matrix), (B, "tco", bc.tco), (B, "cost_breakdown", bc.cost_breakdown),
        (B, "project_eva", lambda f: bc.project_eva(f, 0.1)), (B, "evaluate", lambda f: bc.evaluate(f, 0.1)),
    ]
    for mod, fname, fn in frame_funcs:
        for tag, v in FRAME_BAD.items():
            add(mod, fname, lambda fn=fn, v=v: fn(v), f"table={tag}")
    add(C, "qualification_table", lambda: concepts.qualification_table(None, flags["man"]), "prospects=None")
    add(C, "criterion_table", lambda: concepts.criterion_table(pros, None), "flags=None")
    add(X, "rule_by_group", lambda: crosssell.rule_by_group(None, "beer", "chips", by="day"), "baskets=None")
    add(V, "current_value_from_terms", lambda: clv.current_value_from_terms(None, {}), "terms=None")
    terms = datasets.load("current_value_terms")
    ft = terms.loc[terms["kind"] == "formula_term", "term"].tolist()
    amounts = {k: 1.0 for k in ft}
    for tag, v in {"str": "5", "nan": NAN, "inf": INF, "None": None, "bool": True, "neg": -1.0}.items():
        add(V, "current_value_from_terms", lambda v=v: clv.current_value_from_terms(terms, {**amounts, ft[0]: v}),
            f"amount={tag}")
    add(V, "current_value_from_terms", lambda: clv.current_value_from_terms(terms, "abc"), "amounts=str")
    add(X, "check_baskets", lambda: crosssell.check_baskets(bask.assign(item=bask["item"].where(
        bask.index != 0, 5))), "item int")
    add(X, "pair_rules", lambda: crosssell.pair_rules(crosssell.basket_matrix(bask).astype(int)), "int matrix")

    build_clv_area(SEQ_BAD, SCALAR_BAD)

    # ---------------------------------------------------------------- datasets / i18n
    S = "datasets"
    mutate(S, "load", datasets.load, {"name": "prospects"}, "name", {"None": None, "int": 3, "unknown": "nope"})
    add(S, "info", lambda: datasets.info(["prospects"]), "list")
    I = "i18n"
    mutate(I, "t", i18n.t, {"key": "col.share_pct", "lang": "en"}, "lang", {"None": None, "xx": "xx", "int": 1})
    mutate(I, "t", i18n.t, {"key": "col.share_pct", "lang": "en"}, "key", {"None": None, "int": 1})
    build_contracts()


# --------------------------------------------------------------------------- contracts by class (issue 22)
#: The contract classes of issue 22; each case below is tagged with one.
CLASSES = ("whole", "aligned", "impossible", "finite", "sign", "dataset", "plain")


def contract(kind: str, module: str, func: str, call: Callable, label: str, expect: str = "error") -> None:
    CASES.append(Case(module, func, call, f"[{kind}] {label}", expect))


def _data_dir_case(prepare: Callable[[Any], None], name: str = "loss_causes", verify: bool = False) -> Callable:
    """A call of datasets.load on a private copy of datasets/ that ``prepare(dir)`` damaged first."""
    import json
    import os
    import shutil
    import tempfile
    from pathlib import Path

    def call():
        from crmlib import datasets

        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp) / "datasets"
            shutil.copytree(Path(datasets.data_dir()), d, ignore=shutil.ignore_patterns("cdnow", "synthetic"))
            mf = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
            mf["datasets"] = {k: v for k, v in mf["datasets"].items() if (d / v["file"]).exists()}
            (d / "manifest.json").write_text(json.dumps(mf), encoding="utf-8")
            prepare(d)
            old = os.environ.get("CRMLIB_DATA_DIR")
            os.environ["CRMLIB_DATA_DIR"] = str(d)
            try:
                return datasets.load(name, verify=verify)
            finally:
                if old is None:
                    os.environ.pop("CRMLIB_DATA_DIR", None)
                else:
                    os.environ["CRMLIB_DATA_DIR"] = old
    return call


def _edit_manifest(change: Callable[[dict], Any]) -> Callable[[Any], None]:
    import json

    def prepare(d):
        mf = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
        change(mf)
        (d / "manifest.json").write_text(json.dumps(mf), encoding="utf-8")
    return prepare


def _edit_file(change: Callable[[bytes], bytes], file: str = "seed/loss_causes.csv") -> Callable[[Any], None]:
    def prepare(d):
        f = d / file
        f.write_bytes(change(f.read_bytes()))
    return prepare


def build_contracts() -> None:  # noqa: C901 - one long list of cases
    from crmlib import business_case as bc
    from crmlib import concepts, crosssell, datasets, finance as fin, funnel, loss, prospects

    pros = datasets.load("prospects")
    cust = datasets.load("bank_customers")
    causes = datasets.load("loss_causes")
    shares = causes.set_index("cause_id")["share_pct"]
    table = datasets.load("crosssell_retention")
    drivers = {"kept_share": 0.1, "close_uplift": 0.01, "crosssell_gain": 0.02, "retention": 0.8}
    flows = bc.project_cash_flows(**drivers)
    rng = lambda: np.random.default_rng(1)  # noqa: E731

    def col(df, c, value, row=0):
        d = df.copy()
        if isinstance(value, float) and (d[c].dtype.kind in "iu" or str(d[c].dtype) == "Int64"):
            d[c] = d[c].astype("Float64" if str(d[c].dtype) == "Int64" else float)
        d.loc[d.index[row], c] = value
        return d

    # ------------------------------------------------------------ whole-number counts are whole
    W = "whole"
    contract(W, "crosssell", "source_retention", lambda: crosssell.source_retention(col(table, "n_services", 1.5)),
             "n_services = 1.5")
    contract(W, "crosssell", "read_source", lambda: crosssell.read_source(col(table, "n_services", 2.5, 2)),
             "n_services = 2.5")
    for arg in ("n_a", "n_b", "n_ab"):
        kw = {"n": 100, "n_a": 10, "n_b": 20, "n_ab": 5}
        contract(W, "crosssell", "rule_metrics", lambda kw=kw, arg=arg: crosssell.rule_metrics(**{**kw, arg: 4.5}),
                 f"{arg} = 4.5")
        contract(W, "crosssell", "rule_metrics",
                 lambda kw=kw, arg=arg: crosssell.rule_metrics(**{**kw, **{k: [kw[k]] * 2 for k in ("n_a", "n_b",
                                                                                                   "n_ab")},
                                                                 arg: [kw[arg], 4.5]}), f"{arg} entry 4.5")
    contract(W, "crosssell", "rule_metrics", lambda: crosssell.rule_metrics(100.5, 10, 20, 5), "n = 100.5")
    contract(W, "funnel", "simulation_check",
             lambda: funnel.simulation_check([1.5, 2.0, 3.0], funnel.expected_deals(100, [0.5, 0.1])),
             "simulated deals 1.5")
    contract(W, "funnel", "stage_rates", lambda: funnel.stage_rates({"a": 100, "b": 50.5}), "count 50.5")
    contract(W, "funnel", "interval_comparison",
             lambda: funnel.interval_comparison({"x": pd.Series([100, 50, 5], index=list(prospects.STAGES))}, 2000.5),
             "big = 2000.5")
    contract(W, "funnel", "expected_deals", lambda: funnel.expected_deals(100.5, [0.5, 0.1]), "n = 100.5")
    for c, v in (("influence", 3.5), ("need_score", 6.5), ("days_prospect", 10.5)):
        contract(W, "prospects", "check_prospects", lambda c=c, v=v: prospects.check_prospects(col(pros, c, v)),
                 f"{c} = {v}")
    neg_row = int(np.flatnonzero(pros["days_negotiation"].notna().to_numpy())[0])
    contract(W, "prospects", "check_prospects",
             lambda: prospects.check_prospects(col(pros, "days_negotiation", 10.5, neg_row)), "days_negotiation 10.5")
    contract(W, "funnel", "time_to_close",
             lambda: funnel.time_to_close(col(pros, "days_negotiation", 10.5, neg_row)), "days_negotiation 10.5")
    contract(W, "loss", "goodness_of_fit",
             lambda: loss.goodness_of_fit(pd.Series(np.r_[10.5, np.full(len(shares) - 1, 10.0)], index=shares.index),
                                          shares), "count 10.5")
    contract(W, "loss", "simulate_survey", lambda: loss.simulate_survey(shares, 100.5, rng()), "n = 100.5")
    contract(W, "loss", "joint_coverage", lambda: loss.joint_coverage(shares, 50.5, 5, rng()), "n = 50.5")
    contract(W, "loss", "whatif_kept", lambda: loss.whatif_kept(shares, {}, per=1000.5), "per = 1000.5")
    contract(W, "crosssell", "whatif_cross_sell",
             lambda: crosssell.whatif_cross_sell(0.3, 0.6, 0.8, 10.0, 100.0, per=100.5), "per = 100.5")
    contract(W, "crosssell", "retention_by_products",
             lambda: crosssell.retention_by_products(col(cust, "n_products", 1.5)), "n_products 1.5")
    contract(W, "business_case", "project_cash_flows",
             lambda: bc.project_cash_flows(**drivers, assumptions=bc.CaseAssumptions(customers=20_000.5)),
             "customers = 20000.5")
    contract(W, "business_case", "project_cash_flows",
             lambda: bc.project_cash_flows(**drivers, assumptions=bc.CaseAssumptions(prospects=10.5)),
             "prospects = 10.5")
    contract(W, "business_case", "evaluate_case", lambda: bc.evaluate_case(drivers, 0.1, customers=100.5),
             "customers = 100.5")

    # ------------------------------------------------------------ Series paired by label, never by position
    A = "aligned"
    flags = concepts.qualify_man(pros)
    rev = flags.iloc[::-1]
    shifted = flags.set_axis(pros.index + 1)
    want_q = concepts.qualification_table(pros, flags["man"])
    contract(A, "concepts", "criterion_table", lambda: concepts.criterion_table(pros, rev), "flags reversed",
             expect="aligned")
    contract(A, "concepts", "criterion_table", lambda: concepts.criterion_table(pros, shifted), "flags shifted")
    contract(A, "concepts", "man_summary", lambda: concepts.man_summary(pros, rev), "flags reversed",
             expect="aligned")
    contract(A, "concepts", "man_summary", lambda: concepts.man_summary(pros, shifted), "flags shifted")
    contract(A, "concepts", "qualification_table",
             lambda: float(concepts.qualification_table(pros, flags["man"].iloc[::-1]).loc[True, "close_rate"]),
             "qualified reversed, same answer", expect=f"aligned:{want_q.loc[True, 'close_rate']}")
    model = funnel.fit_close_logit(pros)
    contract(A, "funnel", "CloseModel.mean_predicted",
             lambda: model.mean_predicted(pros, flags["man"].iloc[::-1])["man"], "qualified reversed",
             expect=f"aligned:{model.mean_predicted(pros, flags['man'])['man']}")
    contract(A, "funnel", "CloseModel.mean_predicted", lambda: model.mean_predicted(pros, shifted["man"]),
             "qualified shifted")
    obs = pd.Series([0.6, 0.8, 0.9], index=[1, 2, 3])
    contract(A, "crosssell", "compare_with_source",
             lambda: crosssell.compare_with_source(obs, obs.set_axis([2, 3, 4]), table), "model other labels")
    contract(A, "crosssell", "compare_with_source",
             lambda: float(crosssell.compare_with_source(obs, pd.Series([0.5, 0.7, 0.95], index=[1, 2, 3]).iloc[::-1],
                                                         table).loc[1, "model_pct"]), "model reversed",
             expect="aligned:50.0")
    counts = pd.Series(np.arange(10, 10 + len(shares), dtype=float), index=shares.index)
    want_g = loss.goodness_of_fit(counts, shares).statistic
    contract(A, "loss", "goodness_of_fit", lambda: loss.goodness_of_fit(counts.iloc[::-1], shares).statistic,
             "counts reversed", expect=f"aligned:{want_g}")
    contract(A, "loss", "goodness_of_fit",
             lambda: loss.goodness_of_fit(pd.concat([counts, counts.iloc[:1]]), shares), "counts duplicated label")
    contract(A, "funnel", "check_funnel", lambda: funnel.check_funnel(pd.Series([100, 50, 5], index=["a", "b", "a"])),
             "duplicated stage")
    contract(A, "finance", "eva_table",
             lambda: fin.eva_table(100.0, [60.0, 70.0], [10.0, 10.0, 10.0], 0.1), "lengths differ")
    contract(A, "finance", "roi", lambda: fin.roi([1.0, 2.0], [1.0, 2.0, 3.0]), "lengths differ")

    # ------------------------------------------------------------ impossible combinations refused
    I = "impossible"
    contract(I, "crosssell", "rule_metrics", lambda: crosssell.rule_metrics(100, 60, 60, 5),
             "n_a + n_b - n_ab = 115 baskets > n = 100")
    contract(I, "crosssell", "rule_metrics", lambda: crosssell.rule_metrics(100, 10, 20, 15), "n_ab > n_a")
    contract(I, "crosssell", "rule_metrics",
             lambda: crosssell.rule_metrics(100, np.array([10, 60]), np.array([20, 60]), np.array([5, 5])),
             "array: union above n")
    contract(I, "funnel", "stage_rates", lambda: funnel.stage_rates(pd.Series([100, 50, 5], index=["a", "b", "a"])),
             "duplicate stage names")
    contract(I, "funnel", "rate_intervals",
             lambda: funnel.rate_intervals(pd.Series([100, 50, 5], index=["a", "a", "b"])), "duplicate stage names")
    prospect_row = int(np.flatnonzero((pros["stage_reached"] == "prospect").to_numpy())[0])
    contract(I, "prospects", "check_prospects",
             lambda: prospects.check_prospects(col(pros, "days_negotiation", 20.0, prospect_row)),
             "negotiation days for a prospect that never negotiated")
    deal_row = int(np.flatnonzero((pros["stage_reached"] == "deal").to_numpy())[0])
    contract(I, "funnel", "time_to_close",
             lambda: funnel.time_to_close(col(pros, "days_negotiation", pd.NA, deal_row)),
             "a deal without negotiation days")
    bad_net = flows.copy()
    bad_net.loc[2, "net"] += 1000.0
    contract(I, "business_case", "evaluate", lambda: bc.evaluate(bad_net, 0.1), "net != benefit - cost")
    bad_cost = flows.copy()
    bad_cost.loc[0, "cost"] += 1000.0
    contract(I, "business_case", "tco", lambda: bc.tco(bad_cost), "cost != sum of the items")
    contract(I, "loss", "whatif_kept", lambda: loss.whatif_kept(shares, {shares.index[0]: 50.0}, per=0), "per = 0")

    # ------------------------------------------------------------ results finite or refused
    N = "finite"
    big = 1e308
    contract(N, "finance", "npv", lambda: fin.npv(0.1, [big, big]), "flows 1e308 x 2")
    contract(N, "finance", "npv", lambda: fin.npv(-0.999999, [0.0] * 200 + [1.0]), "rate -0.999999, 200 years")
    contract(N, "finance", "npv_profile", lambda: fin.npv_profile([big, big], [0.0, 0.1]), "flows 1e308 x 2")
    contract(N, "finance", "discount_factors", lambda: fin.discount_factors(-0.9999, 1000), "rate -0.9999, 1000")
    contract(N, "finance", "payback_period", lambda: fin.payback_period([-big, -big, big]), "flows -1e308 x 2")
    contract(N, "finance", "payback_period", lambda: fin.payback_period([-1.0] + [0.0] * 300 + [1e6], -0.99999),
             "discounted at -0.99999")
    contract(N, "finance", "roi", lambda: fin.roi([big, big], [1.0, 1.0]), "benefits 1e308 x 2")
    contract(N, "finance", "roi", lambda: fin.roi([1.0, 1.0], [big, big]), "costs 1e308 x 2")
    contract(N, "finance", "eva_table", lambda: fin.eva_table(big, [big, big], [0.0, 0.0], 10.0),
             "investment 1e308 at wacc 10")
    contract(N, "finance", "irr", lambda: fin.irr([-big, big, big]), "flows 1e308: the IRR of (-1, 1, 1), 0.618",
             expect="aligned:0.6180339887498949")
    contract(N, "finance", "tornado_table",
             lambda: fin.tornado_table(lambda a: float("nan"), {"a": 1.0}, {"a": (0.0, 2.0)}), "func gives NaN")
    contract(N, "finance", "tornado_table",
             lambda: fin.tornado_table(lambda a: 1.0 / (a - 2.0) if a != 2.0 else INF, {"a": 1.0}, {"a": (0.0, 2.0)}),
             "func gives inf at high")
    contract(N, "finance", "tornado_table",
             lambda: fin.tornado_table(lambda a: NAN if a == 1.0 else a, {"a": 1.0}, {"a": (0.0, 2.0)}),
             "func gives NaN at base")
    contract(N, "finance", "tornado_table",
             lambda: fin.tornado_table(lambda a: "x", {"a": 1.0}, {"a": (0.0, 2.0)}), "func gives a string")
    contract(N, "business_case", "project_cash_flows", lambda: bc.project_cash_flows(
        **drivers, assumptions=bc.CaseAssumptions(margin=big)),
             "margin 1e308")
    contract(N, "business_case", "project_cash_flows", lambda: bc.project_cash_flows(
        **drivers, assumptions=bc.CaseAssumptions(software=big, services=big)), "costs 1e308")
    contract(N, "business_case", "budget_by_rule", lambda: bc.budget_by_rule(big, 4.0), "visible 1e308 x 4")
    contract(N, "crosssell", "whatif_cross_sell", lambda: crosssell.whatif_cross_sell(0.3, 0.6, 0.8, 10.0, big),
             "margin 1e308")
    contract(N, "loss", "whatif_kept", lambda: loss.whatif_kept(shares, {}, per=10**400), "per 1e400")
    contract(N, "funnel", "expected_deals", lambda: funnel.expected_deals(10**400, [0.5]), "n 1e400")

    # ------------------------------------------------------------ costs and counts have signs
    S = "sign"
    for item in ("software", "running", "cost"):
        neg = flows.copy()
        neg.loc[1 if item == "running" else 0, item] = -5.0
        for fname, fn in (("tco", bc.tco), ("evaluate", lambda f: bc.evaluate(f, 0.1)),
                          ("cost_breakdown", bc.cost_breakdown), ("project_eva", lambda f: bc.project_eva(f, 0.1))):
            contract(S, "business_case", fname, lambda fn=fn, neg=neg: fn(neg), f"flows {item} negative")
    negb = flows.copy()
    negb.loc[2, "benefit"] = -5.0
    contract(S, "business_case", "evaluate", lambda: bc.evaluate(negb, 0.1), "flows benefit negative")
    contract(S, "finance", "eva_table", lambda: fin.eva_table(100.0, [60.0, 70.0], [10.0, -10.0], 0.1),
             "operating cost negative")
    contract(S, "finance", "eva_table", lambda: fin.eva_table(100.0, [60.0, -70.0], [10.0, 10.0], 0.1),
             "benefit negative")
    contract(S, "business_case", "project_cash_flows", lambda: bc.CaseAssumptions(running=-1.0),
             "running negative")
    contract(S, "crosssell", "rule_metrics", lambda: crosssell.rule_metrics(100, -1, 20, 0), "n_a negative")
    contract(S, "funnel", "timing_summary", lambda: funnel.timing_summary([-1.0, 3.0]), "days negative")

    # ------------------------------------------------------------ data files: truncated, malformed, empty
    D = "dataset"
    contract(D, "datasets", "load", _data_dir_case(_edit_file(lambda b: b"\n".join(b.split(b"\n")[:4]) + b"\n")),
             "file cut after 3 rows, verify=False")
    contract(D, "datasets", "load", _data_dir_case(_edit_file(lambda b: b[: len(b) // 2])),
             "file cut in the middle of a row, verify=False")
    contract(D, "datasets", "load", _data_dir_case(_edit_file(lambda b: b"")), "empty file, verify=False")
    contract(D, "datasets", "load", _data_dir_case(_edit_file(lambda b: b"")), "empty file, verify=True")
    extra_field = lambda b: b"\n".join(ln + b",extra" if i == 3 else ln for i, ln in enumerate(b.split(b"\n")))  # noqa: E731
    contract(D, "datasets", "load", _data_dir_case(_edit_file(extra_field)),
             "a row with an extra field, verify=False")
    contract(D, "datasets", "load", _data_dir_case(lambda d: (d / "manifest.json").write_text("{not json")),
             "manifest not JSON")
    contract(D, "datasets", "load", _data_dir_case(lambda d: (d / "manifest.json").write_text("[]")),
             "manifest a list")
    contract(D, "datasets", "load", _data_dir_case(_edit_manifest(lambda m: m.pop("datasets"))),
             "manifest without 'datasets'")
    contract(D, "datasets", "load", _data_dir_case(_edit_manifest(lambda m: m["datasets"]["loss_causes"].pop("columns"))),
             "entry without 'columns'")
    contract(D, "datasets", "load", _data_dir_case(_edit_manifest(lambda m: m["datasets"]["loss_causes"].pop("file"))),
             "entry without 'file'")
    contract(D, "datasets", "load",
             _data_dir_case(_edit_manifest(lambda m: m["datasets"]["loss_causes"].update(columns=["cause_id"]))),
             "columns a list")
    contract(D, "datasets", "load",
             _data_dir_case(_edit_manifest(lambda m: m["datasets"]["loss_causes"]["columns"].update(share_pct=5))),
             "a column spec that is not a mapping")
    contract(D, "datasets", "load",
             _data_dir_case(_edit_manifest(lambda m: m["datasets"]["loss_causes"].update(rows="seven"))),
             "rows not a number")

    # ------------------------------------------------------------ messages print plain values (no np.int64(3))
    P = "plain"
    ix = pd.Index(np.arange(10, 10 + len(causes)), dtype="int64")
    c2 = causes.set_axis(ix)
    contract(P, "loss", "loss_table", lambda: loss.loss_table(col(c2, "share_pct", INF)), "int64 index, inf share")
    contract(P, "loss", "check_shares",
             lambda: loss.check_shares(pd.Series([50.0, -1.0, 51.0], index=np.array([1, 2, 3]))), "int64 labels")
    contract(P, "loss", "multinomial_ci", lambda: loss.multinomial_ci(pd.Series([5.0, 1.5], index=np.array([7, 8]))),
             "int64 labels")
    contract(P, "funnel", "check_funnel",
             lambda: funnel.check_funnel(pd.Series([100, 120], index=np.array([1, 2]))), "int64 stages")
    contract(P, "funnel", "check_funnel",
             lambda: funnel.check_funnel(pd.Series([100, 50.5], index=np.array([1, 2]))), "int64 stages, 50.5")
    p2 = pros.set_axis(pd.Index(np.arange(5, 5 + len(pros)), dtype="int64"))
    contract(P, "prospects", "check_prospects", lambda: prospects.check_prospects(col(p2, "influence", 9)),
             "int64 index, influence 9")
    contract(P, "prospects", "check_prospects", lambda: prospects.check_prospects(col(p2, "budget_kusd", -1.0)),
             "int64 index, negative budget")
    contract(P, "concepts", "qualification_table",
             lambda: concepts.qualification_table(p2, pd.Series(True, index=p2.index + 1)), "int64 index shifted")
    contract(P, "crosssell", "check_customers",
             lambda: crosssell.check_customers(col(cust.set_axis(pd.Index(np.arange(3, 3 + len(cust)))),
                                                   "n_products", -1)), "int64 index, negative products")
    contract(P, "finance", "roi", lambda: fin.roi(pd.Series([1.0, 2.0], index=np.array([1, 2])),
                                                  pd.Series([1.0, 2.0], index=np.array([1, 3]))), "int64 labels")
    contract(P, "crosssell", "rule_metrics",
             lambda: crosssell.rule_metrics(np.int64(100), np.int64(10), np.int64(20), np.int64(30)), "np.int64 counts")
    contract(P, "finance", "npv", lambda: fin.npv(np.float64(-1.5), [1.0]), "np.float64 rate")
    contract(P, "loss", "whatif_kept", lambda: loss.whatif_kept(shares, {shares.index[0]: np.float64(120.0)}),
             "np.float64 cut")


NUMPY_REPR = re.compile(r"\bnp\.(?:u?int\d*|float\d*|bool_?|str_|True_|False_)\(|\bnp\.(?:True_|False_)\b")


def build_clv_area(seq_bad: dict[str, Any], scalar_bad: dict[str, Any]) -> None:
    """Cases of crmlib.clv.btyd and crmlib.clv.rfm (modules "btyd" and "rfm"): every class of issue 22."""
    import warnings as _w

    from crmlib import clv, datasets
    from crmlib.clv import btyd, rfm

    with _w.catch_warnings():
        _w.simplefilter("ignore")
        base = datasets.cdnow_summary("cdnow_sample")
        bg = btyd.BetaGeo(base["frequency"], base["recency"], base["T"]).fit()
        rep = base[base["frequency"] > 0]
        gg = btyd.GammaGamma(rep["frequency"], rep["monetary_value"]).fit()
        days = btyd.BetaGeo(base["frequency"].to_numpy(), base["recency"].to_numpy() * 7, base["T"].to_numpy() * 7,
                            period="D").fit()
    B = "btyd"
    hist = {"frequency": [1, 0, 2], "recency": [2.0, 0.0, 4.0], "T": [5.0, 5.0, 5.0]}
    for arg in hist:
        mutate(B, "BetaGeo", btyd.BetaGeo, hist, arg, {**seq_bad, "frac": [1.5, 0, 2]} if arg == "frequency"
               else seq_bad)
        mutate(B, "BetaGeoResults.probability_alive", bg.probability_alive, hist, arg, seq_bad)
    for label, kw in {"recency > T": {"recency": [2.0, 0.0, 6.0]}, "frequency 3, recency 0": {"frequency": [3, 0, 2],
                      "recency": [0.0, 0.0, 4.0]}, "frequency 0, recency 2": {"frequency": [0, 0, 2]}}.items():
        add(B, "BetaGeo", lambda kw=kw: btyd.BetaGeo(**{**hist, **kw}), label)
        add(B, "BetaGeoResults.probability_alive", lambda kw=kw: bg.probability_alive(**{**hist, **kw}), label)
    add(B, "BetaGeoResults.probability_alive", lambda: bg.probability_alive(frequency=3, recency=0, T=10),
        "frequency=3, recency=0, T=10")
    abc, cba = pd.Series([2, 0, 1], index=list("abc")), pd.Series([0.5, 0.0, 4.0], index=list("cba"))
    add(B, "BetaGeoResults.probability_alive", lambda: bg.probability_alive(abc, cba, 5.0).loc["a"],
        "Series abc / cba", expect=f"aligned:{bg.probability_alive(2, 4.0, 5.0)}")
    add(B, "BetaGeo", lambda: btyd.BetaGeo(abc, cba.rename(index={"c": "d"}), 5.0), "Series other labels")
    mutate(B, "BetaGeoResults.expected_purchases", bg.expected_purchases, {"t": 10.0, **hist}, "t",
           {**{k: v for k, v in scalar_bad.items() if k != "list"}, "neg": -1.0})  # [1.0] broadcasts
    add(B, "BetaGeoResults.expected_purchases", lambda: days.expected_purchases(10.0, base["frequency"],
                                                                               base["recency"], base["T"]),
        "fit in days, summary in weeks")
    for tag, (x, m) in {"x=1.5": (1.5, 10.0), "x=0, m=5": (0, 5.0), "x=-1": (-1, 5.0), "m=inf": (1, INF),
                        "str": ("1", 5.0)}.items():
        add(B, "GammaGammaResults.expected_spend", lambda x=x, m=m: gg.expected_spend(x, m), tag)
    add(B, "GammaGammaResults.expected_spend", lambda: float(gg.expected_spend(
        pd.Series([1, 2], index=["a", "b"]), pd.Series([20.0, 10.0], index=["b", "a"])).loc["a"]),
        "Series misaligned", expect=f"aligned:{gg.expected_spend(1, 10.0)}")
    mutate(B, "ShiftedBetaGeometric", btyd.ShiftedBetaGeometric, {"survivors": [1000, 800, 700]}, "survivors",
           {**seq_bad, "frac": [1000, 800.5, 700], "grows": [1000, 800, 900]})
    mutate(B, "BetaGeoBetaBernoulli", btyd.BetaGeoBetaBernoulli, {"frequency": [1, 0], "recency": [2, 0],
                                                                    "n_periods": 6}, "frequency",
           {**seq_bad, "frac": [1.5, 0], "above recency": [3, 0]})
    mutate(B, "holdout_by_frequency", btyd.holdout_by_frequency, {"summary": base, "fits": {"bgnbd": bg}}, "fits",
           {"None": None, "empty": {}, "named actual": {"actual": bg}, "list": [bg]})
    add(B, "holdout_by_frequency", lambda: btyd.holdout_by_frequency(base.assign(duration_holdout=0.0),
                                                                     {"bgnbd": bg}), "holdout of length 0")
    add(B, "holdout_by_frequency", lambda: btyd.holdout_by_frequency(base, {"days": days}), "fit in days")
    V = "clv"
    cl = {"purchase_fit": bg, "spend_fit": gg, "summary": base, "horizon": 52, "step": 4, "discount": 0.1}
    mutate(V, "customer_lifetime_value", clv.customer_lifetime_value, cl, "purchase_fit", {"days": days})
    mutate(V, "customer_lifetime_value", clv.customer_lifetime_value, cl, "period", {"D": "D", "weeks": "weeks"})
    mutate(V, "customer_lifetime_value", clv.customer_lifetime_value, cl, "discount", scalar_bad)
    mutate(V, "customer_lifetime_value", clv.customer_lifetime_value, cl, "horizon", {**scalar_bad, "50": 50})
    unknown = base.copy()
    unknown.attrs = {}
    plain = btyd.BetaGeo(base["frequency"].to_numpy(), base["recency"].to_numpy(), base["T"].to_numpy())
    add(V, "customer_lifetime_value", lambda: clv.customer_lifetime_value(plain.fit(), gg, unknown, 52, 4, 0.1),
        "unit unknown")
    for tag, call in {"margin 1e308": lambda: clv.clv(1e308, 1.0, 0.0, 10),
                      "discount -0.999, 1e6 periods": lambda: clv.annuity_factor(1.0, -0.999, 10**6),
                      "equity 2 x 1e308": lambda: clv.customer_equity([1e308, 1e308])}.items():
        add(V, "clv" if tag.startswith("margin") else tag.split()[0] == "equity" and "customer_equity"
            or "annuity_factor", call, tag)
    tx = pd.DataFrame({"customer_id": [1.0, NAN, 2.0], "date": pd.to_datetime(["2024-01-01", "2024-01-09",
                                                                                "2024-01-02"])})
    add(V, "repeat_transactions_by_period", lambda: clv.repeat_transactions_by_period(
        tx, customer_id="customer_id", date="date", start="2024-01-01", periods=4), "NaN customer id")
    R = "rfm"
    log = pd.DataFrame({"id": [1, 1, 2], "day": ["2024-01-01", "2024-01-05", "2024-01-03"], "usd": [1.0, 2.0, 3.0]},
                       index=np.array([10, 11, 12]))
    kw = {"transactions": log, "customer_id": "id", "date": "day", "amount": "usd", "observation_end": "2024-02-01"}
    mutate(R, "summarize", rfm.summarize, kw, "observation_end", {**scalar_bad, "before": "2023-01-01",
                                                                  "garbage": "soon"})
    mutate(R, "summarize", rfm.summarize, kw, "calibration_end", {"after": "2024-03-01", "same": "2024-02-01",
                                                                  "garbage": "x"})
    mutate(R, "summarize", rfm.summarize, kw, "period", {"None": None, "fortnight": "2W", "int": 7})
    for col, vals in {"id": [1, None, 2], "day": ["2024-01-01", "not a day", "2024-01-03"],
                      "usd": [1.0, INF, 3.0]}.items():
        add(R, "summarize", lambda col=col, vals=vals: rfm.summarize(**{**kw, "transactions": log.assign(**{col: vals})}),
            f"{col}: bad value at row 11")
    add(R, "summarize", lambda: rfm.summarize(**{**kw, "transactions": log.assign(day=[20240101, 20240105, 1])}),
        "numbers as dates")
    add(R, "summarize", lambda: rfm.summarize(**{**kw, "transactions": log.assign(usd=[1.0, -2.0, 3.0])}),
        "negative amount")


def run(case: Case, timeout: float) -> tuple[str, str]:
    """Run one case; an error that prints a numpy scalar as ``np.int64(3)`` is class ``numpy-repr``."""
    status, msg = _run(case, timeout)
    if NUMPY_REPR.search(msg):
        return "numpy-repr", msg
    return status, msg


def _run(case: Case, timeout: float) -> tuple[str, str]:
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = case.call()
        crm_w = [x for x in w if "crmlib" in type(x.message).__module__]
        if case.expect == "warn":
            return ("ok", f"warned {type(crm_w[0].message).__name__}") if crm_w else ("silent", "no crmlib warning")
        if case.expect.startswith("aligned"):
            want = case.expect.partition(":")[2]
            if want and not math.isclose(float(out), float(want)):
                return "silent", f"paired by position: {out!r}, by label {want}"
            return "ok", "aligned"
        if case.expect == "ok-return":
            return "ok", "returned"
        return "silent", f"returned {type(out).__name__}"
    except Slow:
        return "slow", f"> {timeout} s"
    except MemoryError:
        return "memory", "MemoryError"
    except (TypeError, ValueError, KeyError) as exc:
        if case.expect in ("ok-return", "warn") or case.expect.startswith("aligned"):
            if case.expect.startswith("aligned") and raised_in_crmlib(exc):
                return "ok", f"refused: {exc}"
            if case.expect == "warn" and raised_in_crmlib(exc):
                return "ok", f"refused: {exc}"
            return "foreign" if not raised_in_crmlib(exc) else "silent", f"{type(exc).__name__}: {exc}"
        if raised_in_crmlib(exc) and "np." in str(exc):
            return "silent", f"numpy repr in the message: {str(exc)[:120]}"
        if raised_in_crmlib(exc):
            return "ok", f"{type(exc).__name__}: {exc}"
        return "foreign", f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001
        return ("ok" if raised_in_crmlib(exc) and type(exc).__module__.startswith("crmlib") else "foreign",
                f"{type(exc).__name__}: {str(exc)[:120]}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-v", action="store_true", help="print every case, not only the bad ones")
    ap.add_argument("--only", default=None)
    ap.add_argument("--timeout", type=float, default=5.0)
    a = ap.parse_args()
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, resource.RLIM_INFINITY))
    build()
    tally: Counter = Counter()
    per_mod: Counter = Counter()
    bad_class: Counter = Counter()
    for c in CASES:
        if a.only and c.module != a.only:
            continue
        status, msg = run(c, a.timeout)
        tally[status] += 1
        per_mod[c.module] += 1
        kind = c.label[1:c.label.index("]")] if c.label.startswith("[") else "hostile"
        bad_class[kind] += status != "ok"
        if status != "ok" or a.v:
            print(f"{status:8s} {c.module}.{c.func}({c.label}): {msg[:160]}")
    print(f"\n{sum(tally.values())} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    print("per module: " + ", ".join(f"{k} {v}" for k, v in sorted(per_mod.items())))
    print("bad cases per contract class: " + ", ".join(f"{k} {v}" for k, v in sorted(bad_class.items())))
    return 0 if set(tally) <= {"ok"} else 1


if __name__ == "__main__":
    sys.exit(main())
