"""What CRM costs and what it returns: cash flows, NPV, IRR, payback, ROI, EVA, tornado tables.

The source (seed text 002, 客户关系管理运行绩效及成本效益) frames a CRM project
with total cost of ownership (TCO) and return on investment (ROI), warns that
the real budget is 3–4 × the visible cost of software, services, hardware and
training (grep ``三倍到 四倍``), and names hidden costs: integration, project
management and the efficiency loss while staff resist the new way of working.

Everything here is a closed form written out in numpy — no financial library:

* ``npv``: :math:`\\sum_{t=0}^{n} CF_t/(1+r)^t` (flows at the end of years 0..n);
* ``irr``: the rate where that sum is 0, found with :func:`scipy.optimize.brentq`
  on a bracket located by scanning the NPV on a grid of rates;
* ``payback_period``: the first year the cumulative (optionally discounted)
  cash flow reaches 0, interpolated linearly within the year;
* ``roi``: (benefits − costs) / costs, undiscounted or discounted;
* ``eva_table``: NOPAT minus a capital charge on the opening book value of the
  money the project ties up; by the Preinreich–Lücke theorem the present value
  of EVA equals the NPV of the after-tax cash flows.

The project's returns come from the other chapters (:func:`collection_inputs`):
customers kept (chapter 02's what-if), extra deals (chapter 03's funnel), the
retention gain of cross-sold customers (chapter 04) and the retention rate
behind CLV (chapter 05). Each input records where its value came from.
"""
from __future__ import annotations

import ast
import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ._validate import as_float_array, check_int, check_number, check_probability

__all__ = [
    "VISIBLE_ITEMS", "HIDDEN_ITEMS", "COST_CATEGORY", "DEFAULTS", "PERSPECTIVES", "FALLBACK_RETENTION",
    "discount_factors", "npv", "irr", "payback_period", "roi", "npv_profile",
    "budget_by_rule", "implied_visible_cost",
    "Input", "notebook_defaults", "collection_inputs", "inputs_table",
    "project_cash_flows", "tco", "cost_breakdown", "case_npv",
    "ProjectResult", "evaluate", "eva_table", "tornado_table", "scorecard",
]

#: Visible cost items of the 3–4 × rule (软件、服务、硬件和培训成本).
VISIBLE_ITEMS = ("software", "services", "hardware", "training")
#: Hidden cost items the source names (软件集成、项目管理、员工抵制带来的效率折扣).
HIDDEN_ITEMS = ("integration", "project_management", "productivity_dip")
#: Each cost item in the source's five CRM cost categories (技术、人力、市场、数据、咨询).
COST_CATEGORY = {"software": "technology", "hardware": "technology", "running": "technology",
                 "services": "consulting", "integration": "consulting",
                 "training": "people", "project_management": "people", "productivity_dip": "people"}

#: The chapter's default business case (a firm with 20,000 customers; money in US$).
#: Costs and firm size are assumptions; the returns' defaults come from :func:`collection_inputs`.
DEFAULTS: dict[str, float] = {
    "customers": 20_000, "margin": 300.0, "prospects": 10_000, "crosssell_uptake": 0.10,
    "software": 400_000.0, "services": 250_000.0, "hardware": 100_000.0, "training": 150_000.0,
    "integration": 600_000.0, "project_management": 300_000.0, "productivity_dip": 250_000.0,
    "running": 180_000.0, "horizon": 5, "discount_rate": 0.10, "tax_rate": 0.0,
}

_ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ discounting
def _check_rate(rate: Any, name: str = "rate") -> float:
    r = check_number(rate, name)
    if r <= -1:
        raise ValueError(f"{name} must be > -1 (a discount rate of -100 % or less has no meaning), got {r}")
    return r


def _check_flows(cash_flows: Any, name: str = "cash_flows") -> np.ndarray:
    if isinstance(cash_flows, pd.DataFrame):
        raise TypeError(f"{name} must be a 1-D sequence of numbers, got a DataFrame")
    return as_float_array(cash_flows, name)


def discount_factors(rate: float, n_periods: int) -> np.ndarray:
    """Discount factors :math:`(1+r)^{-t}` for ``t = 0 .. n_periods - 1``.

    Parameters
    ----------
    rate : float
        Discount rate per period, > −1.
    n_periods : int
        Number of factors (≥ 1).
    """
    r = _check_rate(rate)
    n = check_int(n_periods, "n_periods", low=1)
    return np.exp(-np.arange(n) * np.log1p(r))


def npv(rate: float, cash_flows: Sequence[float]) -> float:
    """Net present value of ``cash_flows`` at the end of years 0, 1, …, n.

    Parameters
    ----------
    rate : float
        Discount rate per year, > −1.
    cash_flows : sequence of float
        Net cash flow of each year, the first at t = 0 (not discounted).

    Returns
    -------
    float
        :math:`\\sum_t CF_t (1+r)^{-t}`.

    Raises
    ------
    ValueError
        Rate ≤ −1, empty cash flows, NaN or infinite values.
    """
    r = _check_rate(rate)
    cf = _check_flows(cash_flows)
    return float(cf @ np.exp(-np.arange(cf.size) * np.log1p(r)))


def npv_profile(cash_flows: Sequence[float], rates: Sequence[float]) -> pd.Series:
    """NPV of ``cash_flows`` at each of ``rates`` (a Series indexed by rate)."""
    cf = _check_flows(cash_flows)
    rs = as_float_array(rates, "rates")
    if (rs <= -1).any():
        raise ValueError(f"rates must all be > -1, got {rs[rs <= -1][0]}")
    return pd.Series([npv(r, cf) for r in rs], index=pd.Index(rs, name="rate"), name="npv")


def irr(cash_flows: Sequence[float], low: float = -0.99, high: float = 10.0, grid: int = 400) -> float:
    """Internal rate of return: the rate where the NPV of ``cash_flows`` is zero.

    The NPV is evaluated on a grid of ``grid`` rates between ``low`` and
    ``high`` (denser near 0); the first sign change brackets a root that
    :func:`scipy.optimize.brentq` then refines to ~1e-12. For conventional
    flows (one sign change) the IRR is unique; with several sign changes there
    may be several IRRs and the smallest one in the range is returned.

    Parameters
    ----------
    cash_flows : sequence of float
        Net cash flows of years 0..n; must change sign at least once.
    low, high : float
        Search range for the rate (``-1 < low < high``).
    grid : int
        Number of grid points used to bracket the root (≥ 10).

    Raises
    ------
    ValueError
        Empty flows, flows that never change sign (no IRR exists), a bad search
        range, or no root in the range.
    """
    from scipy.optimize import brentq

    cf = _check_flows(cash_flows)
    nz = cf[cf != 0]
    if nz.size == 0 or (np.all(nz > 0) or np.all(nz < 0)):
        raise ValueError("cash_flows never change sign, so they have no IRR "
                         "(an investment needs a negative and a positive flow)")
    lo = _check_rate(low, "low")
    hi = check_number(high, "high")
    if hi <= lo:
        raise ValueError(f"high must be > low, got low={lo}, high={hi}")
    g = check_int(grid, "grid", low=10)
    # grid uniform in log(1 + r): dense near -1 and 0, sparse for large rates
    rates = np.expm1(np.linspace(np.log1p(lo), np.log1p(hi), g))
    t = np.arange(cf.size)
    with np.errstate(over="ignore", under="ignore"):
        vals = np.exp(-np.outer(np.log1p(rates), t)) @ cf
    exact = np.flatnonzero(vals == 0)
    change = np.flatnonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)
    if exact.size and (not change.size or exact[0] <= change[0]):
        return float(rates[exact[0]])
    if not change.size:
        raise ValueError(f"no IRR between low={lo} and high={hi}: the NPV does not change sign there")
    i = int(change[0])
    return float(brentq(lambda r: npv(r, cf), rates[i], rates[i + 1], xtol=1e-14, rtol=1e-12, maxiter=200))


def payback_period(cash_flows: Sequence[float], rate: float | None = None) -> float:
    """Years until the cumulative cash flow first reaches zero (``inf`` if it never does).

    Cash flows arrive at the end of years 0..n; within the year of break-even
    the cumulative position is interpolated linearly.

    Parameters
    ----------
    cash_flows : sequence of float
        Net cash flows, the first normally an investment (negative).
    rate : float, optional
        Discount rate (> −1) for the *discounted* payback period; ``None``
        for the simple payback period.
    """
    cf = _check_flows(cash_flows)
    if rate is not None:
        cf = cf * discount_factors(rate, cf.size)
    cum = np.cumsum(cf)
    if cum[0] >= 0:
        return 0.0
    hit = np.flatnonzero(cum >= 0)
    if not hit.size:
        return math.inf
    k = int(hit[0])
    return float(k - 1 + (-cum[k - 1]) / cf[k])


def roi(benefits: Sequence[float], costs: Sequence[float], rate: float | None = None) -> float:
    """Return on investment, (total benefits − total costs) / total costs.

    Parameters
    ----------
    benefits, costs : sequence of float
        Yearly benefits and costs (both ≥ 0, same length), years 0..n.
    rate : float, optional
        Discount both series at this rate (> −1) before summing; ``None`` for
        the undiscounted ROI usually quoted in business cases.
    """
    b = _check_flows(benefits, "benefits")
    c = _check_flows(costs, "costs")
    if b.size != c.size:
        raise ValueError(f"benefits and costs must have the same length, got {b.size} and {c.size}")
    for arr, name in ((b, "benefits"), (c, "costs")):
        neg = np.flatnonzero(arr < 0)
        if neg.size:
            raise ValueError(f"{name}[{int(neg[0])}] is negative ({arr[neg[0]]}); enter amounts as positive numbers")
    if rate is not None:
        d = discount_factors(rate, b.size)
        b, c = b * d, c * d
    total_cost = float(c.sum())
    if total_cost <= 0:
        raise ValueError("costs sum to 0: ROI is undefined")
    return float((b.sum() - total_cost) / total_cost)


# ----------------------------------------------------------- the source's facts
def budget_by_rule(visible_cost: float, multiplier: float) -> float:
    """Planned CRM budget by the source's rule: ``multiplier`` × the visible cost.

    The source (seed 002, grep ``三倍到 四倍``) advises planning 3–4 × the cost
    of software, services, hardware and training.

    Raises
    ------
    ValueError
        Negative ``visible_cost`` or ``multiplier`` below 1 (a budget below the
        visible cost itself makes no sense).
    """
    v = check_number(visible_cost, "visible_cost", low=0)
    m = check_number(multiplier, "multiplier")
    if m < 1:
        raise ValueError(f"multiplier must be >= 1 (the budget cannot be below the visible cost), got {m}")
    return v * m


def implied_visible_cost(total_spend: float, multiplier: float) -> float:
    """Visible cost that, × ``multiplier``, gives ``total_spend`` (the 3–4 × rule run backwards)."""
    s = check_number(total_spend, "total_spend", low=0)
    m = check_number(multiplier, "multiplier")
    if m < 1:
        raise ValueError(f"multiplier must be >= 1 (the budget cannot be below the visible cost), got {m}")
    return s / m


# ------------------------------------------------------------ collection inputs
@dataclass(frozen=True)
class Input:
    """One return driver taken from an earlier chapter, with where it came from."""

    name: str
    value: float
    unit: str
    chapter: str
    origin: str   # "results" | "recomputed" | "chapter_default" | "fallback"
    detail: str


def _results_doc(prefix: str, build_dir: Path, full_only: bool = False) -> tuple[dict, str] | None:
    """The recorded results of chapter ``prefix`` (``NN``) and the file's name, or None.

    ``full_only`` skips results recorded in small mode (for values that small mode changes).
    """
    hits = sorted((build_dir / "results").glob(f"{prefix}_*.json"))
    if not hits:
        return None
    try:
        doc = json.loads(hits[0].read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if not isinstance(doc, dict) or (full_only and doc.get("params", {}).get("small", False)):
        return None
    return doc, hits[0].name


def _number(doc: dict, key: str) -> float | None:
    """A recorded number (``params.X`` reads a run parameter), or None if absent or not a number."""
    if key.startswith("params."):
        v = doc.get("params", {}).get(key[len("params."):])
    else:
        entry = doc.get("results", {}).get(key)
        v = entry.get("value") if isinstance(entry, dict) else None
    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
        return float(v)
    return None


def _recorded(prefix: str, keys: Sequence[str], build_dir: Path, full_only: bool = False) -> tuple[float, str] | None:
    """First of ``keys`` recorded by chapter ``prefix``: (value, "file: key"), or None."""
    got = _results_doc(prefix, build_dir, full_only)
    if got is None:
        return None
    doc, name = got
    for k in keys:
        v = _number(doc, k)
        if v is not None:
            return v, f"{name}: {k}"
    return None


def notebook_defaults(prefix: str, notebook_dir: Path | None = None) -> dict[str, Any]:
    """Literal values assigned in a chapter notebook's ``parameters`` cell (its defaults).

    Parameters
    ----------
    prefix : str
        The chapter's two-digit number, e.g. ``"02"``.
    notebook_dir : Path, optional
        Folder of the notebooks (default: the repository's ``notebooks/``).

    Returns
    -------
    dict name -> value for every ``name = <literal>``; empty if there is no such chapter.
    """
    import re

    if not isinstance(prefix, str) or not re.fullmatch(r"\d\d", prefix):
        raise ValueError(f"prefix must be a two-digit chapter number such as '02', got {prefix!r}")
    d = Path(notebook_dir) if notebook_dir is not None else _ROOT / "notebooks"
    hits = sorted(d.glob(f"{prefix}_*.ipynb"))
    if not hits:
        return {}
    nb = json.loads(hits[0].read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for node in ast.parse(src).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    try:
                        out[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        pass
    return out


def _kept_share_recomputed() -> tuple[float, str]:
    from . import datasets, loss

    p = notebook_defaults("02")
    cuts = {"complaints": p.get("cut_complaints", 50), "communication": p.get("cut_communication", 25)}
    shares = datasets.load("loss_causes").set_index("cause_id")["share_pct"]
    kept = float(loss.whatif_kept(shares, cuts, per=1000)["kept"].sum())
    return kept, f"crmlib.loss.whatif_kept(loss_causes, {cuts}), chapter 02's default cuts"


def _funnel_rates() -> pd.DataFrame:
    """Stage rates of the source's funnel case (chapter 03's data), by scenario."""
    from . import datasets

    f = datasets.load("funnel_case").sort_values(["scenario", "stage_order"])
    try:
        from . import funnel
    except ImportError:  # chapter 03's module not installed: the same arithmetic by hand
        funnel = None
    rows = {}
    for scen, g in f.groupby("scenario"):
        counts = g.set_index("stage")["count"]
        if funnel is not None:
            r = funnel.stage_rates(counts).set_index("to_stage")["rate"]
            overall = funnel.overall_rate(counts)
        else:
            r = counts.iloc[1:] / counts.to_numpy()[:-1]
            overall = counts.iloc[-1] / counts.iloc[0]
        rows[scen] = {"negotiation": float(r["negotiation"]), "deal": float(r["deal"]), "overall": float(overall)}
    return pd.DataFrame(rows).T


@functools.lru_cache(maxsize=1)
def _crosssell_gain_recomputed() -> tuple[float, str]:
    from . import datasets

    try:
        from . import crosssell
    except ImportError:  # chapter 04's module not installed: the printed table, flagged
        c = datasets.load("crosssell_retention").set_index("holding")["probability_kept_pct"]
        return float((c["three_services"] - c["both_accounts"]) / 100), (
            "fallback: crosssell_retention as printed, keep probability 10 % (both accounts) -> 18 % (3 services)")
    customers = datasets.load("bank_customers")
    fit = crosssell.fit_retention_logit(customers, ["n_products"])
    return fit.discrete_effect("n_products", customers), (
        "crmlib.crosssell.fit_retention_logit(bank_customers, ['n_products']).discrete_effect('n_products')")


#: Fallback annual retention when chapter 05 gives none (a round teaching assumption).
FALLBACK_RETENTION = 0.80


def collection_inputs(build_dir: str | Path | None = None) -> dict[str, Input]:
    """The returns' drivers, each from an earlier chapter's recorded results when present.

    A value missing from the results is recomputed with crmlib from the same
    data and the chapter's default parameters, so it equals what the chapter
    records — whichever chapter happens to run first. Values that chapter's
    small mode changes (a subsample) are read only from full-mode results.

    Parameters
    ----------
    build_dir : str or Path, optional
        Build folder whose ``results/`` holds the chapters' JSON files
        (default: :func:`crmlib.chapter.default_build_dir`).

    Returns
    -------
    dict name -> :class:`Input` (``origin`` is ``"results"``, ``"recomputed"``,
    ``"chapter_default"`` or ``"fallback"``; ``detail`` names the file and key or the call):

    ``kept_share``, ``complaints_cut``
        Chapter 02's what-if: customers kept per 1000 lost / 1000
        (``whatif.kept_per_1000``) and its % cut of complaint losses.
    ``base_close_rate``, ``close_uplift``
        Chapter 03's funnel case: deals per prospect in the middle case
        (``case.middle.overall``), and the extra deals per prospect when
        negotiation is reached as often as in the good case at the middle
        case's deal rate, ``(good − middle negotiation rate) × middle deal rate``.
    ``crosssell_gain``
        Chapter 04: mean rise in the probability of staying a year with one
        more product (``logit.count.effect_one_more``, full mode only).
    ``retention``
        Chapter 05's annual retention rate (its ``retention`` parameter).
    """
    from .chapter import default_build_dir

    b = Path(build_dir) if build_dir is not None else default_build_dir()
    if b.exists() and not b.is_dir():
        raise ValueError(f"build_dir {b} is not a folder")
    out: dict[str, Input] = {}

    got = _recorded("02", ["whatif.kept_per_1000"], b)
    if got:
        check_number(got[0], f"{got[1]} (customers kept per 1000)", low=0, high=1000)
        out["kept_share"] = Input("kept_share", got[0] / 1000, "share", "02", "results", got[1])
    else:
        v, how = _kept_share_recomputed()
        out["kept_share"] = Input("kept_share", v / 1000, "share", "02", "recomputed", how)

    got = _recorded("02", ["whatif.cut_complaints"], b)
    if got:
        out["complaints_cut"] = Input("complaints_cut", check_number(got[0], got[1], low=0, high=100), "%",
                                      "02", "results", got[1])
    else:
        v = notebook_defaults("02").get("cut_complaints", 50)
        out["complaints_cut"] = Input("complaints_cut", float(v), "%", "02", "chapter_default",
                                      "chapter 02's parameters cell: cut_complaints")

    doc = _results_doc("03", b)
    keys = ("case.middle.overall", "case.good.rate.negotiation", "case.middle.rate.negotiation",
            "case.middle.rate.deal")
    vals = {k: _number(doc[0], k) for k in keys} if doc else {}
    if doc and all(v is not None for v in vals.values()):
        for k, v in vals.items():
            check_probability(v, f"{doc[1]}: {k}")
        out["base_close_rate"] = Input("base_close_rate", vals[keys[0]], "deals per prospect", "03", "results",
                                       f"{doc[1]}: {keys[0]}")
        out["close_uplift"] = Input(
            "close_uplift", (vals[keys[1]] - vals[keys[2]]) * vals[keys[3]], "deals per prospect", "03", "results",
            f"{doc[1]}: ({keys[1]} - {keys[2]}) * {keys[3]}")
    else:
        fr = _funnel_rates()
        out["base_close_rate"] = Input("base_close_rate", float(fr.loc["middle", "overall"]), "deals per prospect",
                                       "03", "recomputed", "crmlib.funnel.overall_rate(funnel_case, middle case)")
        out["close_uplift"] = Input(
            "close_uplift", float((fr.loc["good", "negotiation"] - fr.loc["middle", "negotiation"])
                                  * fr.loc["middle", "deal"]), "deals per prospect", "03", "recomputed",
            "crmlib.funnel.stage_rates(funnel_case): (good - middle negotiation rate) * middle deal rate")
    if out["close_uplift"].value < 0:
        raise ValueError(f"close_uplift from {out['close_uplift'].detail} is negative ({out['close_uplift'].value})")

    got = _recorded("04", ["logit.count.effect_one_more"], b, full_only=True)
    if got:
        out["crosssell_gain"] = Input("crosssell_gain", check_probability(got[0], got[1]), "probability",
                                      "04", "results", got[1])
    else:
        v, how = _crosssell_gain_recomputed()
        out["crosssell_gain"] = Input("crosssell_gain", check_probability(v, "crosssell_gain"), "probability", "04",
                                      "fallback" if how.startswith("fallback") else "recomputed", how)

    got = _recorded("05", ["roi.retention", "params.retention"], b)
    if got:
        out["retention"] = Input("retention", check_probability(got[0], got[1], open_high=True), "per year",
                                 "05", "results", got[1])
    elif "retention" in notebook_defaults("05"):
        v = notebook_defaults("05")["retention"]
        out["retention"] = Input("retention", check_probability(v, "chapter 05's retention", open_high=True),
                                 "per year", "05", "chapter_default", "chapter 05's parameters cell: retention")
    else:
        out["retention"] = Input("retention", FALLBACK_RETENTION, "per year", "05", "fallback",
                                 "round assumption: chapter 05 gives no retention rate")
    return out


def inputs_table(inputs: Mapping[str, Input]) -> pd.DataFrame:
    """The inputs as a table: value, unit, chapter, origin, detail (indexed by name)."""
    if not inputs:
        raise ValueError("inputs is empty")
    return pd.DataFrame([vars(i) for i in inputs.values()]).set_index("name")


# ------------------------------------------------------------- the business case
def project_cash_flows(*, kept_share: float, close_uplift: float, crosssell_gain: float, retention: float,
                       customers: float = DEFAULTS["customers"], margin: float = DEFAULTS["margin"],
                       prospects: float = DEFAULTS["prospects"],
                       crosssell_uptake: float = DEFAULTS["crosssell_uptake"],
                       software: float = DEFAULTS["software"], services: float = DEFAULTS["services"],
                       hardware: float = DEFAULTS["hardware"], training: float = DEFAULTS["training"],
                       integration: float = DEFAULTS["integration"],
                       project_management: float = DEFAULTS["project_management"],
                       productivity_dip: float = DEFAULTS["productivity_dip"],
                       running: float = DEFAULTS["running"], horizon: int = DEFAULTS["horizon"],
                       hidden_scale: float = 1.0) -> pd.DataFrame:
    """Year-by-year costs and benefits of a CRM project.

    Benefits come from the extra customers the project keeps or wins. With a
    base of ``customers`` and annual ``retention`` *r*, each year the project

    * keeps ``kept_share`` of the ``customers·(1−r)`` who would have left;
    * wins ``close_uplift·prospects`` extra deals;
    * keeps ``crosssell_gain`` more of the ``crosssell_uptake·customers`` who take one more product;

    and the extra customers it holds, :math:`S_t = r S_{t-1} + \\text{added}_t`,
    each bring ``margin`` a year. Costs: the visible items and the capitalised
    hidden items (integration, project management) in year 0, the
    productivity dip in year 1, ``running`` cost every year 1..``horizon``.
    ``hidden_scale`` multiplies all three hidden items (for sensitivity).

    Returns
    -------
    DataFrame indexed by year 0..horizon: one column per cost item, ``cost``,
    ``added_customers``, ``extra_customers``, ``benefit``, ``net``, ``cumulative``.

    Raises
    ------
    ValueError
        A horizon ≤ 0, negative money or counts, probabilities outside [0, 1],
        or a cross-sell gain larger than the attrition it would cut.
    """
    h = check_int(horizon, "horizon", low=1)
    ks = check_probability(kept_share, "kept_share")
    cu = check_probability(close_uplift, "close_uplift")
    cg = check_probability(crosssell_gain, "crosssell_gain")
    r = check_probability(retention, "retention")
    up = check_probability(crosssell_uptake, "crosssell_uptake")
    if cg > 1 - r:
        raise ValueError(f"crosssell_gain ({cg}) cannot exceed the attrition rate 1 - retention ({1 - r:.4g})")
    n = check_number(customers, "customers", low=0)
    m = check_number(margin, "margin", low=0)
    p = check_number(prospects, "prospects", low=0)
    hs = check_number(hidden_scale, "hidden_scale", low=0)
    money = {k: check_number(v, k, low=0) for k, v in
             dict(software=software, services=services, hardware=hardware, training=training,
                  integration=integration, project_management=project_management,
                  productivity_dip=productivity_dip, running=running).items()}
    years = np.arange(h + 1)
    df = pd.DataFrame(0.0, index=pd.Index(years, name="year"),
                      columns=[*VISIBLE_ITEMS, *HIDDEN_ITEMS, "running"])
    for k in VISIBLE_ITEMS:
        df.loc[0, k] = money[k]
    df.loc[0, "integration"] = hs * money["integration"]
    df.loc[0, "project_management"] = hs * money["project_management"]
    df.loc[1, "productivity_dip"] = hs * money["productivity_dip"]
    df.loc[1:, "running"] = money["running"]
    df["cost"] = df[[*VISIBLE_ITEMS, *HIDDEN_ITEMS, "running"]].sum(axis=1)
    added = n * (1 - r) * ks + cu * p + n * up * cg
    stock = np.zeros(h + 1)
    for t in range(1, h + 1):
        stock[t] = r * stock[t - 1] + added
    df["added_customers"] = np.where(years > 0, added, 0.0)
    df["extra_customers"] = stock
    df["benefit"] = m * stock
    df["net"] = df["benefit"] - df["cost"]
    df["cumulative"] = df["net"].cumsum()
    return df


def tco(flows: pd.DataFrame) -> float:
    """Total cost of ownership: every cost of the project over its horizon (undiscounted)."""
    _check_flow_frame(flows)
    return float(flows["cost"].sum())


def _check_flow_frame(flows: Any) -> None:
    if not isinstance(flows, pd.DataFrame):
        raise TypeError(f"flows must be the DataFrame from project_cash_flows, got {type(flows).__name__}")
    missing = [c for c in ("cost", "benefit", "net", *VISIBLE_ITEMS, *HIDDEN_ITEMS, "running")
               if c not in flows.columns]
    if missing:
        raise ValueError(f"flows is missing column(s) {missing}; build it with project_cash_flows")


def cost_breakdown(flows: pd.DataFrame) -> pd.DataFrame:
    """Each cost item's total over the horizon, its kind (visible / hidden / running) and cost category."""
    _check_flow_frame(flows)
    items = [*VISIBLE_ITEMS, *HIDDEN_ITEMS, "running"]
    kind = {**{k: "visible" for k in VISIBLE_ITEMS}, **{k: "hidden" for k in HIDDEN_ITEMS}, "running": "running"}
    tot = flows[items].sum()
    out = pd.DataFrame({"amount": tot, "kind": [kind[k] for k in items],
                        "category": [COST_CATEGORY[k] for k in items]})
    out["share_of_tco"] = out["amount"] / out["amount"].sum()
    return out


@dataclass(frozen=True)
class ProjectResult:
    """The default-case numbers of a CRM business case (see :func:`evaluate`)."""

    tco: float
    visible_cost: float
    tco_multiple: float
    npv: float
    irr: float
    payback: float
    discounted_payback: float
    roi: float
    roi_discounted: float
    pv_eva: float
    flows: pd.DataFrame
    eva: pd.DataFrame


def eva_table(flows: pd.DataFrame, wacc: float, tax_rate: float = 0.0) -> pd.DataFrame:
    """Economic value added of the project, year by year.

    The year-0 investment (visible items plus capitalised integration and
    project management) is depreciated straight-line over the horizon.
    ``EVA_t = NOPAT_t − wacc · K_{t−1}`` with
    ``NOPAT_t = (benefit − operating cost − depreciation)(1 − tax)`` and
    ``K`` the opening book value of the capital tied up.

    Returns
    -------
    DataFrame by year 1..n: ``capital_open``, ``depreciation``, ``nopat``,
    ``capital_charge``, ``eva``, ``cash_flow_after_tax`` (year 0 included,
    with only the investment).
    """
    _check_flow_frame(flows)
    w = _check_rate(wacc, "wacc")
    tax = check_probability(tax_rate, "tax_rate", open_high=True)
    h = int(flows.index.max())
    if h < 1:
        raise ValueError("flows must cover at least one year after year 0 (horizon >= 1)")
    invest = float(flows.loc[0, "cost"])
    if flows.loc[0, "benefit"] != 0:
        raise ValueError("flows has a benefit in year 0; the EVA table expects benefits from year 1")
    dep = invest / h
    years = np.arange(1, h + 1)
    opex = flows.loc[1:, "cost"].to_numpy()
    ben = flows.loc[1:, "benefit"].to_numpy()
    cap_open = invest - dep * (years - 1)
    nopat = (ben - opex - dep) * (1 - tax)
    charge = w * cap_open
    out = pd.DataFrame({"capital_open": cap_open, "depreciation": dep, "nopat": nopat,
                        "capital_charge": charge, "eva": nopat - charge,
                        "cash_flow_after_tax": (ben - opex) * (1 - tax) + tax * dep},
                       index=pd.Index(years, name="year"))
    row0 = pd.DataFrame({"capital_open": 0.0, "depreciation": 0.0, "nopat": 0.0, "capital_charge": 0.0,
                         "eva": 0.0, "cash_flow_after_tax": -invest}, index=pd.Index([0], name="year"))
    return pd.concat([row0, out])


def evaluate(flows: pd.DataFrame, discount_rate: float, tax_rate: float = 0.0) -> ProjectResult:
    """TCO, NPV, IRR, payback (simple and discounted), ROI and PV of EVA of a cash-flow table.

    Parameters
    ----------
    flows : DataFrame
        Output of :func:`project_cash_flows`.
    discount_rate : float
        Cost of capital per year (> −1): discounts the NPV, the discounted
        payback and ROI, and sets the EVA capital charge.
    tax_rate : float
        Tax rate in [0, 1) for the EVA table (0: before tax, as the NPV).

    Returns
    -------
    ProjectResult
        ``irr`` is NaN when the net flows never change sign; ``payback`` is
        ``inf`` when the project never pays back within the horizon.
    """
    _check_flow_frame(flows)
    d = _check_rate(discount_rate, "discount_rate")
    net = flows["net"].to_numpy()
    visible = float(flows[list(VISIBLE_ITEMS)].sum().sum())
    total = tco(flows)
    try:
        rate_of_return = irr(net)
    except ValueError:
        rate_of_return = math.nan
    e = eva_table(flows, d, tax_rate)
    return ProjectResult(
        tco=total, visible_cost=visible, tco_multiple=total / visible if visible > 0 else math.inf,
        npv=npv(d, net), irr=rate_of_return, payback=payback_period(net),
        discounted_payback=payback_period(net, d),
        roi=roi(flows["benefit"], flows["cost"]), roi_discounted=roi(flows["benefit"], flows["cost"], d),
        pv_eva=npv(d, e["eva"].to_numpy()), flows=flows, eva=e)


# ------------------------------------------------------------------ sensitivity
def tornado_table(func: Callable[..., float], base: Mapping[str, Any],
                  ranges: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """One-at-a-time sensitivity of ``func(**base)`` to each parameter in ``ranges``.

    Parameters
    ----------
    func : callable
        Maps keyword parameters to one number (e.g. the project's NPV).
    base : mapping
        The base case's parameters (every key of ``ranges`` must be in it).
    ranges : mapping name -> (low, high)
        Values to try for each parameter, the others held at ``base``.

    Returns
    -------
    DataFrame indexed by parameter, sorted by ``swing`` (largest first), with
    ``low``, ``high``, ``base_value``, ``at_low``, ``at_high``, ``swing`` and
    ``rank`` (1 = matters most). Ties keep the order of ``ranges``.
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    if not isinstance(base, Mapping) or not isinstance(ranges, Mapping):
        raise TypeError("base and ranges must be mappings")
    if not ranges:
        raise ValueError("ranges is empty: name at least one parameter to vary")
    base_out = float(func(**base))
    rows = []
    for name, rng in ranges.items():
        if name not in base:
            raise ValueError(f"ranges names {name!r}, which is not a parameter in base: {sorted(base)}")
        if not isinstance(rng, (tuple, list)) or len(rng) != 2:
            raise ValueError(f"ranges[{name!r}] must be a (low, high) pair, got {rng!r}")
        lo = check_number(rng[0], f"ranges[{name!r}] low")
        hi = check_number(rng[1], f"ranges[{name!r}] high")
        if lo > hi:
            raise ValueError(f"ranges[{name!r}]: low {lo} is above high {hi}")
        # an integer parameter (e.g. a horizon) is tried at integer values
        as_int = isinstance(base[name], (int, np.integer)) and not isinstance(base[name], bool)
        lo, hi = (int(round(lo)), int(round(hi))) if as_int else (lo, hi)
        at_lo = float(func(**{**base, name: lo}))
        at_hi = float(func(**{**base, name: hi}))
        rows.append({"parameter": name, "low": lo, "high": hi, "base_value": base[name], "at_low": at_lo,
                     "at_high": at_hi, "swing": abs(at_hi - at_lo)})
    out = pd.DataFrame(rows).set_index("parameter")
    order = np.argsort(-out["swing"].to_numpy(), kind="stable")
    out = out.iloc[order]
    out["rank"] = np.arange(1, len(out) + 1)
    out.attrs["base_output"] = base_out
    return out


# ---------------------------------------------------------- balanced scorecard
#: The four perspectives of Kaplan & Norton's balanced scorecard (财务、客户、内部流程、学习与成长).
PERSPECTIVES = ("financial", "customer", "internal_process", "learning_growth")


def scorecard(case: Mapping[str, Any], result: ProjectResult, *, base_close_rate: float,
              complaint_losses: tuple[float, float]) -> pd.DataFrame:
    """The balanced scorecard of the business case: KPI values before and after CRM.

    Places the source's five CRM KPIs (seed 004, 績效衡量指標: customer
    profitability, CLV, retention / attrition, satisfaction, loyalty) and the
    project's own measures in the four perspectives, with values computed from
    ``case`` (the parameters of :func:`project_cash_flows` plus
    ``discount_rate``) and ``result`` (:func:`evaluate`).

    * customer profitability: margin per customer-year net of the CRM's
      yearly cost (TCO / horizon) spread over all customers;
    * CLV: :func:`crmlib.clv.clv` with the margin paid at the start of each
      year, infinite horizon, at the retention before / after;
    * retention after = retention + customers saved per year / customers;
    * loyalty: expected customer lifetime :math:`1/(1-r)` in years;
    * satisfaction: lost customers per 1000 who left over badly handled
      complaints, before and after (``complaint_losses``, chapter 02).

    Parameters
    ----------
    case : mapping
        Parameters of the business case.
    result : ProjectResult
    base_close_rate : float
        Deals per prospect before CRM (chapter 03's funnel).
    complaint_losses : (float, float)
        Customers lost over complaints per 1000 lost, before and after.

    Returns
    -------
    DataFrame with ``perspective``, ``kpi``, ``source_kpi`` (True for the
    source's five), ``unit``, ``before``, ``after``.
    """
    need = ("kept_share", "close_uplift", "crosssell_gain", "retention", "customers", "margin",
            "crosssell_uptake", "discount_rate", "training")
    if not isinstance(case, Mapping):
        raise TypeError(f"case must be a mapping of parameters, got {type(case).__name__}")
    missing = [k for k in need if k not in case]
    if missing:
        raise ValueError(f"case is missing {missing}")
    if not isinstance(result, ProjectResult):
        raise TypeError(f"result must be a ProjectResult from evaluate(), got {type(result).__name__}")
    from .clv import clv

    r0 = check_probability(case["retention"], "case['retention']", open_high=True)
    bc = check_probability(base_close_rate, "base_close_rate")
    if not isinstance(complaint_losses, (tuple, list)) or len(complaint_losses) != 2:
        raise ValueError(f"complaint_losses must be a (before, after) pair, got {complaint_losses!r}")
    cl0 = check_number(complaint_losses[0], "complaint_losses[0]", low=0, high=1000)
    cl1 = check_number(complaint_losses[1], "complaint_losses[1]", low=0, high=1000)
    n = check_number(case["customers"], "case['customers']", low=0, low_open=True)
    m = float(case["margin"])
    d = float(case["discount_rate"])
    saved = n * (1 - r0) * case["kept_share"] + n * case["crosssell_uptake"] * case["crosssell_gain"]
    r1 = r0 + saved / n
    if r1 >= 1:
        raise ValueError("the case keeps every customer (retention after CRM reaches 100 %); lower the inputs")
    h = int(result.flows.index.max())
    avg_extra = float(result.flows["extra_customers"].iloc[1:].mean())
    profit_after = m - result.tco / h / (n + avg_extra)
    rows = [
        ("financial", "customer_profitability", True, "usd", m, profit_after),
        ("financial", "clv", True, "usd", clv(m, r0, d, None, timing="start"), clv(m, r1, d, None, timing="start")),
        ("financial", "eva_pv", False, "usd", 0.0, result.pv_eva),
        ("customer", "retention", True, "pct", 100 * r0, 100 * r1),
        ("customer", "attrition", True, "pct", 100 * (1 - r0), 100 * (1 - r1)),
        ("customer", "loyalty", True, "years", 1 / (1 - r0), 1 / (1 - r1)),
        ("customer", "satisfaction", True, "per1000", cl0, cl1),
        ("internal_process", "close_rate", False, "pct", 100 * bc, 100 * (bc + case["close_uplift"])),
        ("internal_process", "customers_kept", False, "customers", 0.0, saved),
        ("learning_growth", "training_share", False, "pct", 0.0, 100 * float(case["training"]) / result.tco),
        ("learning_growth", "productivity_dip", False, "usd", 0.0,
         float(result.flows["productivity_dip"].sum())),
    ]
    return pd.DataFrame(rows, columns=["perspective", "kpi", "source_kpi", "unit", "before", "after"])


def case_npv(*, discount_rate: float, **params: Any) -> float:
    """NPV at ``discount_rate`` of the business case :func:`project_cash_flows` builds from ``params``.

    The function a tornado table varies: every argument is a keyword.
    """
    return npv(discount_rate, project_cash_flows(**params)["net"].to_numpy())

