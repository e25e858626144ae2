"""Chapter 06's business case: what a CRM project costs, what it returns, and its scorecard.

The source (S2, 客户关系管理运行绩效及成本效益) frames a CRM project with total
cost of ownership (TCO) and return on investment (ROI), warns that the planned
project budget should be 3–4 × the visible cost of software, services, hardware
and training (grep ``三倍到 四倍``), and names hidden costs: integration, project
management and the efficiency loss while staff resist the new way of working;
in most projects they are 40–75 % of the total cost (grep ``4% ~7``, a damaged
scan read as 4[0] %–7[5] %), which :func:`multiple_from_hidden_share` turns into
a multiple of the visible cost.

This module builds the project's yearly cash flows (:func:`project_cash_flows`)
from four return drivers and the assumptions about the firm and its costs
(:class:`CaseAssumptions`), and values them with the closed forms of
:mod:`crmlib.finance` (:func:`evaluate`). In the course the drivers' values come
from the other chapters' results (the book's ``crmbook.upstream``).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ._validate import (check_at_most, check_columns, check_finite_result, check_int, check_multiplier, check_number,
                        check_probability, check_rate, check_size, plain)
from .finance import eva_table, irr, npv, payback_period, roi

__all__ = [
    "VISIBLE_ITEMS", "HIDDEN_ITEMS", "COST_CATEGORY", "COST_CATEGORIES", "SOURCE_KPIS", "PERSPECTIVES",
    "MAX_HORIZON", "DRIVERS", "PARAMETER_FORMATS", "SCORECARD_FORMATS", "CaseAssumptions", "tornado_ranges",
    "evaluate_case", "case_parameters",
    "budget_by_rule", "implied_visible_cost", "multiple_from_hidden_share", "band_position", "cost_multiples",
    "project_cash_flows", "tco", "cost_breakdown", "case_npv",
    "ProjectResult", "evaluate", "project_eva", "scorecard",
]

#: Visible cost items of the 3–4 × rule (软件、服务、硬件和培训成本).
VISIBLE_ITEMS = ("software", "services", "hardware", "training")
#: Hidden cost items the source names (软件集成、项目管理、员工抵制带来的效率折扣).
HIDDEN_ITEMS = ("integration", "project_management", "productivity_dip")
#: Each cost item in the source's five CRM cost categories (技术、人力、市场、数据、咨询).
COST_CATEGORY = {"software": "technology", "hardware": "technology", "running": "technology",
                 "services": "consulting", "integration": "consulting",
                 "training": "people", "project_management": "people", "productivity_dip": "people"}

#: The source's five CRM cost categories, in its order (技术支持、人力资源、市场推广、数据管理、咨询和外包).
COST_CATEGORIES = ("technology", "people", "marketing", "data", "consulting")

#: The source's five CRM KPIs (S4, 績效衡量指標); the scorecard shows retention and attrition as two rows.
SOURCE_KPIS = ("customer_profitability", "clv", "retention_attrition", "satisfaction", "loyalty")

# ----------------------------------------------------------- the source's facts
def budget_by_rule(visible_cost: float, multiplier: float) -> float:
    """Planned CRM budget by the source's rule: ``multiplier`` × the visible cost.

    The source (S2, grep ``三倍到 四倍``) advises planning the project budget at
    3–4 × the cost of software, services, hardware and training.

    Parameters
    ----------
    visible_cost : float
        Cost of software, services, hardware and training, US$ (≥ 0).
    multiplier : float
        How many times the visible cost to budget (≥ 1).

    Returns
    -------
    float
        The budget, US$.

    Raises
    ------
    ValueError
        Negative ``visible_cost`` or ``multiplier`` below 1 (a budget below the
        visible cost itself makes no sense).
    """
    v = check_number(visible_cost, "visible_cost", low=0)
    return check_finite_result(v * check_multiplier(multiplier, "multiplier"), "the budget",
                               f"visible_cost ({v:g}) is too large; state it in larger units (millions)")


def band_position(value: float, band: tuple[float, float]) -> str:
    """Where ``value`` lies against a band such as the 3–4 × rule: ``"below"``, ``"inside"`` or ``"above"``.

    Parameters
    ----------
    value : float
        The number to place (e.g. a cost as a multiple of the visible cost).
    band : (float, float)
        The band's low and high end (both included).

    Returns
    -------
    str
        ``"below"``, ``"inside"`` or ``"above"``.

    Raises
    ------
    ValueError
        A band that is not a (low, high) pair with low <= high, or values that are not finite.
    """
    v = check_number(value, "value")
    if not isinstance(band, (tuple, list)) or len(band) != 2:
        raise ValueError(f"band must be a (low, high) pair, got {plain(band)!r}")
    lo, hi = check_number(band[0], "band[0]"), check_number(band[1], "band[1]")
    if lo > hi:
        raise ValueError(f"band must have low <= high, got ({lo:g}, {hi:g})")
    return "below" if v < lo else "above" if v > hi else "inside"


def implied_visible_cost(total_spend: float, multiplier: float) -> float:
    """Visible cost that, × ``multiplier``, gives ``total_spend`` (the 3–4 × rule run backwards).

    Parameters
    ----------
    total_spend : float
        Total spent on CRM, US$ (≥ 0).
    multiplier : float
        The rule's multiple (≥ 1).

    Returns
    -------
    float
        ``total_spend / multiplier``, US$.
    """
    s = check_number(total_spend, "total_spend", low=0)
    return s / check_multiplier(multiplier, "multiplier")


def multiple_from_hidden_share(hidden_share: float) -> float:
    """Total cost as a multiple of the visible cost when hidden costs take ``hidden_share`` of the total.

    If hidden costs are a share *h* of the total, the visible costs are the rest,
    so total = visible / (1 − *h*). S2's 40–75 % gives 1.67–4 × the visible cost,
    a band whose top is the 3–4 × budget rule (3 × means *h* = 2/3).

    Parameters
    ----------
    hidden_share : float
        Hidden costs as a share of the total cost, in [0, 1).

    Returns
    -------
    float
        ``1 / (1 - hidden_share)``.

    Raises
    ------
    ValueError
        A share outside [0, 1) (at 1 the visible cost would be nothing).
    """
    return 1.0 / (1.0 - check_probability(hidden_share, "hidden_share", open_high=True))


# ------------------------------------------------------------- the business case
#: Longest business case :func:`project_cash_flows` builds, in years.
MAX_HORIZON = 10_000

#: The four return drivers of :func:`project_cash_flows` (in the course, read from the other chapters' results).
DRIVERS = ("kept_share", "close_uplift", "crosssell_gain", "retention")

#: How each parameter of the case reads for people (a :mod:`crmlib.fmt` spec): shares and rates as
#: percentages, money in US$, counts and multiples as plain numbers.
PARAMETER_FORMATS = {"kept_share": "pct.1", "close_uplift": "pct.1", "crosssell_gain": "pct.1",
                     "retention": "pct.1", "customers": "n", "margin": "usd", "prospects": "n",
                     "crosssell_uptake": "pct", "software": "usd", "services": "usd", "hardware": "usd",
                     "training": "usd", "integration": "usd", "project_management": "usd",
                     "productivity_dip": "usd", "running": "usd", "horizon": "n", "hidden_scale": "n.2",
                     "discount_rate": "pct"}

#: How each ``unit`` of :func:`scorecard` reads for people (a :mod:`crmlib.fmt` spec; ``pct`` rows
#: are already in percent).
SCORECARD_FORMATS = {"usd": "usd", "pct": "n.1", "years": "n.1", "per1000": "n.0", "customers": "n.0"}


@dataclass(frozen=True)
class CaseAssumptions:
    """The firm, the costs and the horizon of a CRM business case: everything but the four return drivers.

    The defaults are chapter 06's case: a firm of 20,000 customers, a visible cost of US$900,000
    and hidden costs that the source (S2) names. Every value is checked when the object is
    made, with one error naming the field; change some with :meth:`replace`.

    Parameters
    ----------
    customers : int
        The firm's customer base (a whole number >= 0).
    margin : float
        Margin per customer and year, US$ (>= 0).
    prospects : int
        Prospects worked per year (a whole number >= 0).
    crosssell_uptake : float
        Share of customers who take one more product, in [0, 1].
    software, services, hardware, training : float
        Visible costs in year 0, US$ (>= 0).
    integration, project_management, productivity_dip : float
        Hidden costs (year 0, year 0, year 1), US$ (>= 0).
    running : float
        Running cost of each year 1..horizon, US$ (>= 0).
    horizon : int
        Years after year 0, 1 … :data:`MAX_HORIZON` (10,000).
    hidden_scale : float
        Multiplier of the three hidden costs (>= 0; for sensitivity).

    Raises
    ------
    TypeError
        A value that is not a number (strings, None, bools), or a count or horizon that is not whole.
    ValueError
        NaN or infinite values, negative money or counts, a share outside [0, 1], a horizon
        below 1 or above :data:`MAX_HORIZON`.
    """

    customers: int = 20_000
    margin: float = 300.0
    prospects: int = 10_000
    crosssell_uptake: float = 0.10
    software: float = 400_000.0
    services: float = 250_000.0
    hardware: float = 100_000.0
    training: float = 150_000.0
    integration: float = 600_000.0
    project_management: float = 300_000.0
    productivity_dip: float = 250_000.0
    running: float = 180_000.0
    horizon: int = 5
    hidden_scale: float = 1.0

    def __post_init__(self) -> None:
        checked: dict[str, Any] = {
            "customers": check_int(self.customers, "customers", low=0),
            "prospects": check_int(self.prospects, "prospects", low=0),
            "crosssell_uptake": check_probability(self.crosssell_uptake, "crosssell_uptake"),
            "horizon": check_size(self.horizon, "horizon", MAX_HORIZON, low=1, what="years"),
        }
        for name in ("margin", *VISIBLE_ITEMS, *HIDDEN_ITEMS, "running", "hidden_scale"):
            checked[name] = check_number(getattr(self, name), name, low=0)
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def visible_cost(self) -> float:
        """Software, services, hardware and training: the cost the 3–4 × rule multiplies, US$."""
        return float(sum(getattr(self, k) for k in VISIBLE_ITEMS))

    @property
    def hidden_cost(self) -> float:
        """Integration, project management and the productivity dip, times ``hidden_scale``, US$."""
        return float(self.hidden_scale * sum(getattr(self, k) for k in HIDDEN_ITEMS))

    @property
    def one_off_cost(self) -> float:
        """The project's one-off cost, visible plus hidden: what S2's 3–4 × rule budgets, US$."""
        return self.visible_cost + self.hidden_cost

    def replace(self, **changes: Any) -> "CaseAssumptions":
        """The same assumptions with some changed (checked again).

        Parameters
        ----------
        **changes
            Fields and their new values (e.g. ``margin=250.0``).

        Returns
        -------
        CaseAssumptions

        Raises
        ------
        ValueError
            A name that is not a field (the message lists the fields), or a value the field refuses.
        """
        unknown = [k for k in changes if k not in self.as_dict()]
        if unknown:
            raise ValueError(f"{unknown} are not assumptions of the case; they are {list(self.as_dict())}")
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """The assumptions as a mapping, field -> value, in the order of the fields.

        Returns
        -------
        dict
        """
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def project_cash_flows(*, kept_share: float, close_uplift: float, crosssell_gain: float, retention: float,
                       assumptions: CaseAssumptions | None = None) -> pd.DataFrame:
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
    The firm, the costs and the horizon are ``assumptions``
    (:class:`CaseAssumptions`); the four return drivers come first.

    Parameters
    ----------
    kept_share : float
        Share of the customers who would have left that CRM keeps, in [0, 1].
    close_uplift : float
        Extra deals per prospect worked, in [0, 1].
    crosssell_gain : float
        Rise in the probability of staying a year with one more product, in
        [0, 1 − retention].
    retention : float
        Annual retention rate, in [0, 1].
    assumptions : CaseAssumptions, optional
        The firm, the costs and the horizon (default: ``CaseAssumptions()``, chapter 06's case).

    Returns
    -------
    pandas.DataFrame
        Indexed by year 0..horizon: one column per cost item, ``cost``,
        ``added_customers``, ``extra_customers``, ``benefit``, ``net``,
        ``cumulative``.

    Raises
    ------
    TypeError
        A driver that is not a number (strings, None, bools), ``assumptions`` not a
        :class:`CaseAssumptions`.
    ValueError
        NaN or infinite drivers, drivers outside [0, 1], a cross-sell gain larger than
        the attrition it would cut, or assumptions so large that the cash flows overflow.
    """
    a = CaseAssumptions() if assumptions is None else assumptions
    if not isinstance(a, CaseAssumptions):
        raise TypeError(f"assumptions must be a CaseAssumptions, got {type(a).__name__}")
    ks = check_probability(kept_share, "kept_share")
    cu = check_probability(close_uplift, "close_uplift")
    cg = check_probability(crosssell_gain, "crosssell_gain")
    r = check_probability(retention, "retention")
    check_at_most(cg, "crosssell_gain", 1 - r, "the attrition rate 1 - retention",
                  "cross-selling cannot keep more customers than leave")
    h = a.horizon
    years = np.arange(h + 1)
    df = pd.DataFrame(0.0, index=pd.Index(years, name="year"),
                      columns=[*VISIBLE_ITEMS, *HIDDEN_ITEMS, "running"])
    for k in VISIBLE_ITEMS:
        df.loc[0, k] = getattr(a, k)
    df.loc[0, "integration"] = a.hidden_scale * a.integration
    df.loc[0, "project_management"] = a.hidden_scale * a.project_management
    df.loc[1, "productivity_dip"] = a.hidden_scale * a.productivity_dip
    df.loc[1:, "running"] = a.running
    with np.errstate(over="ignore", invalid="ignore"):
        df["cost"] = df[[*VISIBLE_ITEMS, *HIDDEN_ITEMS, "running"]].sum(axis=1)
        added = a.customers * (1 - r) * ks + cu * a.prospects + a.customers * a.crosssell_uptake * cg
        stock = np.zeros(h + 1)
        for t in range(1, h + 1):
            stock[t] = r * stock[t - 1] + added
        df["added_customers"] = np.where(years > 0, added, 0.0)
        df["extra_customers"] = stock
        df["benefit"] = a.margin * stock
        df["net"] = df["benefit"] - df["cost"]
        df["cumulative"] = df["net"].cumsum()
    return check_finite_result(df, "the cash-flow table", "the assumptions' amounts (margin, costs, customers) are too "
                               "large for float arithmetic; state them in larger units (thousands, millions)")


def tco(flows: pd.DataFrame) -> float:
    """Total cost of ownership: every cost of the project over its horizon (undiscounted).

    Parameters
    ----------
    flows : pandas.DataFrame
        Output of :func:`project_cash_flows`.

    Returns
    -------
    float
        The sum of the ``cost`` column, US$.
    """
    _check_flow_frame(flows)
    return float(flows["cost"].sum())


def _check_flow_frame(flows: Any) -> None:
    """The cash-flow table of :func:`project_cash_flows`: every column there, numbers, costs and benefits
    not negative, ``cost`` the sum of the items and ``net`` = ``benefit`` − ``cost`` in every year."""
    if not isinstance(flows, pd.DataFrame):
        raise TypeError(f"flows must be the DataFrame from project_cash_flows, got {type(flows).__name__}")
    items = [*VISIBLE_ITEMS, *HIDDEN_ITEMS, "running"]
    missing = [c for c in ("cost", "benefit", "net", *items) if c not in flows.columns]
    if missing:
        raise ValueError(f"flows is missing column(s) {missing}; build it with project_cash_flows")
    check_columns(flows, [], "flows", numeric=["net"], nonnegative=["cost", "benefit", *items])
    cost, benefit, net = (flows[c].to_numpy(dtype=float) for c in ("cost", "benefit", "net"))
    for name, got, want, formula in (("cost", cost, flows[items].to_numpy(dtype=float).sum(axis=1), "the sum of the "
                                      "cost items"), ("net", net, benefit - cost, "benefit - cost")):
        off = np.flatnonzero(~np.isclose(got, want, rtol=1e-9, atol=1e-6))
        if off.size:
            i = int(off[0])
            raise ValueError(f"flows column {name!r} is {got[i]:,.2f} in year {flows.index.tolist()[i]!r} but "
                             f"{formula} is {want[i]:,.2f}; a table whose columns disagree cannot be evaluated "
                             "(build it with project_cash_flows)")


def cost_breakdown(flows: pd.DataFrame) -> pd.DataFrame:
    """Each cost item's total over the horizon, its kind and its cost category.

    Parameters
    ----------
    flows : pandas.DataFrame
        Output of :func:`project_cash_flows`.

    Returns
    -------
    pandas.DataFrame
        Indexed by cost item: ``amount`` (US$), ``kind`` (visible / hidden /
        running), ``category`` (:data:`COST_CATEGORY`), ``share_of_tco``; ``attrs["horizon"]``
        holds the years the TCO covers after year 0.
    """
    _check_flow_frame(flows)
    items = [*VISIBLE_ITEMS, *HIDDEN_ITEMS, "running"]
    kind = {**{k: "visible" for k in VISIBLE_ITEMS}, **{k: "hidden" for k in HIDDEN_ITEMS}, "running": "running"}
    tot = flows[items].sum()
    out = pd.DataFrame({"amount": tot, "kind": [kind[k] for k in items],
                        "category": [COST_CATEGORY[k] for k in items]})
    out["share_of_tco"] = out["amount"] / out["amount"].sum()
    out.attrs["horizon"] = int(flows.index.max())
    return out


def cost_multiples(assumptions: CaseAssumptions | None = None, horizons: Any = (3, 4, 5)) -> pd.DataFrame:
    """The one-off project cost and the TCO over several horizons, each as a multiple of the visible cost.

    S2's 3–4 × rule is about the planned project budget, the one-off cost (visible plus
    hidden); a TCO adds the running cost of every year, so its multiple grows with the
    horizon. Row 0 is the one-off cost, row *h* the TCO over *h* years
    (one-off cost + *h* × ``running``, as :func:`tco` of :func:`project_cash_flows` with
    that horizon).

    Parameters
    ----------
    assumptions : CaseAssumptions, optional
        The firm and its costs (default: chapter 06's case); its ``horizon`` is not used.
    horizons : sequence of int
        Years of running cost to count, each 1 … :data:`MAX_HORIZON`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``running_years`` (0, then ``horizons`` in increasing order): ``cost`` (US$)
        and ``multiple`` (of the visible cost; NaN when there is no visible cost).

    Raises
    ------
    TypeError
        ``assumptions`` not a :class:`CaseAssumptions`, a horizon that is not a whole number.
    ValueError
        A horizon below 1 or above :data:`MAX_HORIZON`, or one listed twice.
    """
    a = CaseAssumptions() if assumptions is None else assumptions
    if not isinstance(a, CaseAssumptions):
        raise TypeError(f"assumptions must be a CaseAssumptions, got {type(a).__name__}")
    if isinstance(horizons, (str, bytes)) or not hasattr(horizons, "__iter__"):
        raise TypeError(f"horizons must be a sequence of whole numbers of years, got {plain(horizons)!r}")
    hs = [check_size(h, f"horizons[{i}]", MAX_HORIZON, low=1, what="years") for i, h in enumerate(horizons)]
    if len(set(hs)) != len(hs):
        raise ValueError(f"horizons lists a year count twice: {hs}")
    years = [0, *sorted(hs)]
    cost = np.array([a.one_off_cost + h * a.running for h in years])
    multiple = cost / a.visible_cost if a.visible_cost > 0 else np.full(len(years), math.nan)
    return pd.DataFrame({"cost": cost, "multiple": multiple}, index=pd.Index(years, name="running_years"))


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
    discount_rate: float = math.nan

    @property
    def one_off_cost(self) -> float:
        """Visible plus hidden costs (the productivity dip of year 1 included), US$: the project budget."""
        return float(self.flows[[*VISIBLE_ITEMS, *HIDDEN_ITEMS]].to_numpy().sum())

    @property
    def one_off_multiple(self) -> float:
        """:attr:`one_off_cost` as a multiple of the visible cost (NaN without visible cost)."""
        return self.one_off_cost / self.visible_cost if self.visible_cost > 0 else math.nan

    def measures(self) -> dict[str, tuple[float | None, str]]:
        """The case's headline numbers with their units, for recording.

        Returns
        -------
        dict
            Key -> (value, unit): ``visible_cost``, ``one_off_cost``, ``tco`` (undiscounted) and ``npv``
            in USD, ``one_off_multiple`` and ``tco_multiple`` in times, ``irr`` per year, ``payback``
            and ``discounted_payback`` in years, ``roi`` and ``roi_discounted`` as ratios. A measure
            that does not exist is None: no IRR when the net flows never change sign, no payback when
            the project does not pay back within the horizon.
        """
        def finite(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        return {"visible_cost": (self.visible_cost, "USD"), "one_off_cost": (self.one_off_cost, "USD"),
                "one_off_multiple": (self.one_off_multiple, "times"), "tco": (self.tco, "USD"),
                "tco_multiple": (self.tco_multiple, "times"), "npv": (self.npv, "USD"),
                "irr": (finite(self.irr), "per year"), "payback": (finite(self.payback), "years"),
                "discounted_payback": (finite(self.discounted_payback), "years"),
                "roi": (self.roi, "ratio"), "roi_discounted": (self.roi_discounted, "ratio")}


def project_eva(flows: pd.DataFrame, wacc: float, tax_rate: float = 0.0) -> pd.DataFrame:
    """Economic value added of the project, year by year (:func:`crmlib.finance.eva_table`).

    The year-0 cost (visible items plus capitalised integration and project
    management) is the investment, depreciated straight-line over the horizon;
    the costs of years 1..n are operating costs.

    Parameters
    ----------
    flows : pandas.DataFrame
        Output of :func:`project_cash_flows` (no benefit in year 0, horizon ≥ 1).
    wacc : float
        Cost of capital per year (> −1).
    tax_rate : float
        Tax rate in [0, 1).

    Returns
    -------
    pandas.DataFrame
        By year 0..n: ``capital_open``, ``depreciation``, ``nopat``,
        ``capital_charge``, ``eva``, ``cash_flow_after_tax``.
    """
    _check_flow_frame(flows)
    if int(flows.index.max()) < 1:
        raise ValueError("flows must cover at least one year after year 0 (horizon >= 1)")
    if flows.loc[0, "benefit"] != 0:
        raise ValueError("flows has a benefit in year 0; the EVA table expects benefits from year 1")
    return eva_table(float(flows.loc[0, "cost"]), flows.loc[1:, "benefit"].to_numpy(),
                     flows.loc[1:, "cost"].to_numpy(), wacc, tax_rate)


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
        ``inf`` when the project never pays back within the horizon;
        ``tco_multiple`` is NaN when there is no visible cost.

    Raises
    ------
    TypeError, ValueError
        ``flows`` not a table of :func:`project_cash_flows` (a missing column, NaN, a negative
        cost or benefit, a ``cost`` that is not the sum of the items, a ``net`` that is not
        benefit − cost), or a bad rate.
    """
    _check_flow_frame(flows)
    d = check_rate(discount_rate, "discount_rate")
    net = flows["net"].to_numpy()
    visible = float(flows[list(VISIBLE_ITEMS)].sum().sum())
    total = tco(flows)
    try:
        rate_of_return = irr(net)
    except ValueError:
        rate_of_return = math.nan
    e = project_eva(flows, d, tax_rate)
    return ProjectResult(
        tco=total, visible_cost=visible, tco_multiple=total / visible if visible > 0 else math.nan,
        npv=npv(d, net), irr=rate_of_return, payback=payback_period(net),
        discounted_payback=payback_period(net, d),
        roi=roi(flows["benefit"], flows["cost"]), roi_discounted=roi(flows["benefit"], flows["cost"], d),
        pv_eva=npv(d, e["eva"].to_numpy()), flows=flows, eva=e, discount_rate=d)


# ---------------------------------------------------------- balanced scorecard
#: The four perspectives of Kaplan & Norton's balanced scorecard (财务、客户、内部流程、学习与成长).
PERSPECTIVES = ("financial", "customer", "internal_process", "learning_growth")


def scorecard(case: Mapping[str, Any], result: ProjectResult, *, base_close_rate: float,
              complaint_losses: tuple[float, float]) -> pd.DataFrame:
    """The balanced scorecard of the business case: KPI values before and after CRM.

    Places the source's five CRM KPIs (S4, 績效衡量指標: customer profitability, CLV,
    retention / attrition, satisfaction, loyalty) and the project's own measures in the
    four perspectives, with values computed from ``case`` (the flat case of
    :func:`case_parameters` plus ``discount_rate``) and ``result`` (:func:`evaluate`).

    * customer profitability: margin per customer-year net of the CRM's yearly cost
      (TCO / horizon) spread over all customers, the extra ones included. It *falls* with
      CRM: each customer still brings ``margin``; the project's benefit is more customers,
      not more profit per customer;
    * CLV: :func:`crmlib.clv.clv` with the margin paid at the end of each year (the
      convention of :mod:`crmlib.clv` and chapter 05), infinite horizon, at the retention
      before / after;
    * retention after = retention + customers kept per year / customers (the cash flows of
      :func:`project_cash_flows` let the extra customers leave at the rate before CRM, a
      simplification on the cautious side);
    * loyalty, a stand-in for want of loyalty data: the expected customer lifetime
      :math:`1/(1-r)` in years, a transform of retention;
    * satisfaction, a stand-in for want of satisfaction data: customers lost over badly
      handled complaints per 1000 who would leave without CRM, before and after
      (``complaint_losses``, chapter 02), lower being better;
    * close rate: ``base_close_rate`` before, plus ``close_uplift`` after.

    Parameters
    ----------
    case : mapping
        The business case (:func:`case_parameters`) plus ``discount_rate``.
    result : ProjectResult
        The case's :func:`evaluate` result.
    base_close_rate : float
        Deals per prospect before CRM (chapter 03's funnel).
    complaint_losses : (float, float)
        Customers lost over complaints per 1000 who would leave without CRM, before and after.

    Returns
    -------
    DataFrame with ``perspective``, ``kpi``, ``source_kpi`` (True for the
    source's five), ``unit``, ``better`` (``"higher"`` or ``"lower"``: the direction in which the
    KPI improves), ``before``, ``after``.

    Raises
    ------
    TypeError
        ``case`` not a mapping, ``result`` not a ProjectResult, a case value
        that is not a number (strings such as ``"300"`` included).
    ValueError
        A missing case key, NaN or infinite values, probabilities out of
        range, negative money, or a case that keeps every customer.
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
    from .clv.value import clv

    r0 = check_probability(case["retention"], "case['retention']", open_high=True)
    for k in ("kept_share", "close_uplift", "crosssell_gain", "crosssell_uptake"):
        check_probability(case[k], f"case[{k!r}]")
    for k in ("margin", "training"):
        check_number(case[k], f"case[{k!r}]", low=0)
    check_rate(case["discount_rate"], "case['discount_rate']")
    bc = check_probability(base_close_rate, "base_close_rate")
    if not isinstance(complaint_losses, (tuple, list)) or len(complaint_losses) != 2:
        raise ValueError(f"complaint_losses must be a (before, after) pair, got {plain(complaint_losses)!r}")
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
        ("financial", "customer_profitability", True, "usd", "higher", m, profit_after),
        ("financial", "clv", True, "usd", "higher", clv(m, r0, d, None, timing="end"),
         clv(m, r1, d, None, timing="end")),
        ("financial", "eva_pv", False, "usd", "higher", 0.0, result.pv_eva),
        ("customer", "retention", True, "pct", "higher", 100 * r0, 100 * r1),
        ("customer", "attrition", True, "pct", "lower", 100 * (1 - r0), 100 * (1 - r1)),
        ("customer", "loyalty", True, "years", "higher", 1 / (1 - r0), 1 / (1 - r1)),
        ("customer", "satisfaction", True, "per1000", "lower", cl0, cl1),
        ("internal_process", "close_rate", False, "pct", "higher", 100 * bc, 100 * (bc + case["close_uplift"])),
        ("internal_process", "customers_kept", False, "customers", "higher", 0.0, saved),
        ("learning_growth", "training_share", False, "pct", "higher", 0.0,
         100 * float(case["training"]) / result.tco),
        ("learning_growth", "productivity_dip", False, "usd", "lower", 0.0,
         float(result.flows["productivity_dip"].sum())),
    ]
    return pd.DataFrame(rows, columns=["perspective", "kpi", "source_kpi", "unit", "better", "before", "after"])


def case_parameters(drivers: Mapping[str, float], assumptions: CaseAssumptions | None = None) -> dict[str, Any]:
    """The business case as one flat mapping: the four return drivers and every assumption.

    The mapping is what :func:`evaluate_case`, :func:`case_npv`, :func:`tornado_ranges` and
    :func:`scorecard` take, so that a sensitivity analysis can move any one input, a driver or
    an assumption, by its name.

    Parameters
    ----------
    drivers : mapping
        :data:`DRIVERS`: ``kept_share``, ``close_uplift``, ``crosssell_gain`` and ``retention``.
    assumptions : CaseAssumptions, optional
        The firm, the costs and the horizon (default: chapter 06's case).

    Returns
    -------
    dict
        Parameter -> value: the drivers, then :meth:`CaseAssumptions.as_dict`.

    Raises
    ------
    TypeError
        ``drivers`` not a mapping, ``assumptions`` not a :class:`CaseAssumptions`.
    ValueError
        ``drivers`` missing one of :data:`DRIVERS` or naming anything else.
    """
    if not isinstance(drivers, Mapping):
        raise TypeError(f"drivers must be a mapping, got {type(drivers).__name__}")
    missing = [k for k in DRIVERS if k not in drivers]
    extra = [k for k in drivers if k not in DRIVERS]
    if missing or extra:
        raise ValueError(f"drivers must name exactly {list(DRIVERS)}; missing {missing}, unknown {extra}")
    a = CaseAssumptions() if assumptions is None else assumptions
    if not isinstance(a, CaseAssumptions):
        raise TypeError(f"assumptions must be a CaseAssumptions, got {type(a).__name__}")
    return {**{k: drivers[k] for k in DRIVERS}, **a.as_dict()}


def _split_case(case: Mapping[str, Any]) -> tuple[dict[str, Any], CaseAssumptions]:
    """A flat case (:func:`case_parameters`) as the drivers and the :class:`CaseAssumptions`."""
    if not isinstance(case, Mapping):
        raise TypeError(f"case must be a mapping of parameters, got {type(case).__name__}")
    fields = CaseAssumptions().as_dict()
    unknown = [k for k in case if k not in fields and k not in DRIVERS]
    if unknown:
        raise ValueError(f"case names {unknown}, which are not parameters of the case: {[*DRIVERS, *fields]}")
    missing = [k for k in DRIVERS if k not in case]
    if missing:
        raise ValueError(f"case is missing the return driver(s) {missing}")
    return {k: case[k] for k in DRIVERS}, CaseAssumptions(**{k: v for k, v in case.items() if k in fields})


def evaluate_case(case: Mapping[str, Any], discount_rate: float, **changes: Any) -> ProjectResult:
    """:func:`evaluate` the business case ``case`` with some of its parameters changed.

    Parameters
    ----------
    case : mapping
        The drivers and any assumptions (:func:`case_parameters`); assumptions it leaves out
        take :class:`CaseAssumptions`' defaults.
    discount_rate : float
        Cost of capital per year (> −1).
    **changes
        Parameters to replace in ``case`` (e.g. ``retention=0.9``, ``margin=250.0``).

    Returns
    -------
    ProjectResult

    Raises
    ------
    ValueError
        A name that is not a parameter of the case, or a change :func:`project_cash_flows`
        refuses (e.g. a retention so high that cross-selling would keep more customers than leave).
    """
    if not isinstance(case, Mapping):
        raise TypeError(f"case must be a mapping of parameters, got {type(case).__name__}")
    drivers, assumptions = _split_case({**case, **changes})
    return evaluate(project_cash_flows(**drivers, assumptions=assumptions), discount_rate)


def tornado_ranges(base: Mapping[str, Any], *, spread: float = 0.25, retention_points: float = 0.05,
                   hidden: tuple[float, float] = (0.5, 2.0), rates: tuple[float, float] = (0.06, 0.14)
                   ) -> dict[str, tuple[float, float]]:
    """The low and high value of each assumption the chapter's tornado chart tries.

    The returns from the other chapters, the margin and the running cost are moved by
    ± ``spread`` (a share of their base value; a return that is 0 in the base case stays 0 at
    both ends, so its bar has no width); retention by ± ``retention_points``, capped
    so the cross-selling gain never exceeds the attrition it cuts; the hidden costs' scale
    over ``hidden``; the discount rate over ``rates``.

    Parameters
    ----------
    base : mapping
        The base case: the flat case of :func:`case_parameters` plus ``discount_rate``.
    spread : float
        Relative move of the proportional assumptions, in (0, 1).
    retention_points : float
        Move of the retention rate, in (0, 1).
    hidden, rates : (float, float)
        Ranges of ``hidden_scale`` and ``discount_rate``.

    Returns
    -------
    dict
        Parameter -> (low, high), in the order the chart lists ties.
    """
    need = ("kept_share", "close_uplift", "crosssell_gain", "retention", "margin", "running")
    missing = [k for k in need if k not in base]
    if missing:
        raise ValueError(f"base is missing {missing}")
    s = check_number(spread, "spread", low=0, high=1, low_open=True, high_open=True)
    p = check_number(retention_points, "retention_points", low=0, high=1, low_open=True, high_open=True)

    def rel(name: str) -> tuple[float, float]:
        return ((1 - s) * base[name], (1 + s) * base[name])

    r, cg = float(base["retention"]), float(base["crosssell_gain"])
    return {"kept_share": rel("kept_share"), "close_uplift": rel("close_uplift"),
            "crosssell_gain": rel("crosssell_gain"), "retention": (r - p, min(r + p, 1 - cg)),
            "margin": rel("margin"), "running": rel("running"), "hidden_scale": tuple(hidden),
            "discount_rate": tuple(rates)}


def case_npv(*, discount_rate: float, **params: Any) -> float:
    """NPV at ``discount_rate`` of the business case :func:`project_cash_flows` builds from ``params``.

    The function a tornado table (:func:`crmlib.finance.tornado_table`) varies:
    every argument is a keyword.

    Parameters
    ----------
    discount_rate : float
        Cost of capital per year (> −1).
    **params
        The flat case (:func:`case_parameters`): the four drivers and any assumptions (the
        others take :class:`CaseAssumptions`' defaults).

    Returns
    -------
    float
        The NPV, US$.
    """
    drivers, assumptions = _split_case(params)
    return npv(discount_rate, project_cash_flows(**drivers, assumptions=assumptions)["net"].to_numpy())
