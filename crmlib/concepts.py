"""What CRM is: the concepts of chapter 01 that can be computed.

* **MAN qualification** (seed 001, ``MAN型``): a good prospect has Money
  (购买力), Authority (决策权) and Need (需求). :func:`qualify_man` applies
  thresholds to a prospects table and :func:`qualification_table` compares
  how qualified and unqualified prospects close.
* **Six stages from product-centric to customer-centric** (seed 004,
  ``第○階段``): :data:`SIX_STAGES` and :func:`classify_stage`, which places a
  firm on the continuum from yes/no answers to :data:`STAGE_QUESTIONS`.
* The ordered lists the chapter draws: the market-expansion cycle
  (:data:`MARKET_CYCLE`, seed 001 ``市场拓展``), the ASK rule
  (:data:`ASK`, ``ASK规则``), CRM along the customer lifecycle
  (:data:`LIFECYCLE_APPLICATIONS`, seed 003), the three kinds of CRM
  technology and its four components (:data:`CRM_TYPES`,
  :data:`CRM_COMPONENTS`, ``运营型``), the strategy KPIs (:data:`KPIS`,
  seed 004 ``績效衡量指標``) and the customer classes
  (:data:`CUSTOMER_CLASSES`, seed 002 ``重点客户``).

Labels for every key live in ``crmlib/labels/concepts.csv``.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ._validate import check_aligned, check_number, plain
from .prospects import check_prospects

__all__ = [
    "SIX_STAGES", "STAGE_QUESTIONS", "MARKET_CYCLE", "ASK", "MAN", "LIFECYCLE_APPLICATIONS", "CRM_TYPES",
    "CRM_COMPONENTS", "KPIS", "CUSTOMER_CLASSES", "TERM_LISTS", "classify_stage", "qualify_man",
    "qualification_table", "criterion_table", "man_summary", "history_results", "term_frame", "questionnaire",
]

SIX_STAGES = ("product_centric", "marketing_segmentation", "customer_management", "category_consultant",
              "category_owner", "customer_centric")
#: One yes/no question per step up the continuum; question i asks for what stage i adds.
STAGE_QUESTIONS = ("segments", "customer_records", "category_consultants", "category_owners", "whole_firm")
MARKET_CYCLE = ("find", "close", "keep")
ASK = ("attitude", "skill", "knowledge")
MAN = ("money", "authority", "need")
LIFECYCLE_APPLICATIONS = ("marketing", "sales", "ecommerce", "service")
CRM_TYPES = ("operational", "analytical", "collaborative")
CRM_COMPONENTS = ("engine", "front_office", "eai", "back_office")
KPIS = ("profitability", "clv", "retention", "satisfaction", "loyalty")
CUSTOMER_CLASSES = ("key", "ordinary", "potential")
#: The lists shown as tables: column name -> (label prefix, ids).
TERM_LISTS = {
    "lifecycle_application": ("concepts.lifecycle", LIFECYCLE_APPLICATIONS),
    "crm_type": ("concepts.type", CRM_TYPES),
    "crm_component": ("concepts.component", CRM_COMPONENTS),
    "strategy_kpi": ("concepts.kpi", KPIS),
    "customer_class": ("concepts.class", CUSTOMER_CLASSES),
}


def classify_stage(answers: Mapping[str, Any] | Sequence[Any]) -> int:
    """Place a firm on the six-stage continuum (0 = product-centric … 5 = customer-centric).

    The stages build on each other, so the stage is the number of questions
    answered "yes" *in order* before the first "no": a firm with customer
    category owners (question 4) but no market segments (question 1) is still
    at stage 0 for its marketing and should start there.

    Parameters
    ----------
    answers : mapping or sequence of bool
        Either ``{question: bool}`` with every key of :data:`STAGE_QUESTIONS`,
        or five booleans in that order.

    Returns
    -------
    int
        Stage 0–5 (index into :data:`SIX_STAGES`).
    """
    if isinstance(answers, Mapping):
        missing = [q for q in STAGE_QUESTIONS if q not in answers]
        if missing:
            raise ValueError(f"answers is missing question(s) {missing}")
        extra = [q for q in answers if q not in STAGE_QUESTIONS]
        if extra:
            raise ValueError(f"answers has unknown question(s) {extra}; questions are {list(STAGE_QUESTIONS)}")
        values = [answers[q] for q in STAGE_QUESTIONS]
    elif isinstance(answers, (str, bytes)) or not isinstance(answers, Sequence):
        raise TypeError(f"answers must be a mapping or a sequence of booleans, got {type(answers).__name__}")
    else:
        if len(answers) != len(STAGE_QUESTIONS):
            raise ValueError(f"answers must hold {len(STAGE_QUESTIONS)} booleans, got {len(answers)}")
        values = list(answers)
    for q, v in zip(STAGE_QUESTIONS, values):
        if not isinstance(v, (bool, np.bool_)):
            raise TypeError(f"answer to {q!r} must be True or False, got {plain(v)!r}")
    stage = 0
    for v in values:
        if not v:
            break
        stage += 1
    return stage


def qualify_man(prospects: pd.DataFrame, money_min: float = 50.0, influence_min: int = 4,
                need_min: int = 6) -> pd.DataFrame:
    """Flag each prospect's Money, Authority and Need, and whether it is a MAN prospect.

    Parameters
    ----------
    prospects : DataFrame
        The ``prospects`` dataset (``budget_kusd``, ``decision_maker``, ``influence``, ``need_score``…).
    money_min : float
        Budget (thousand USD) at or above which a prospect "can afford it".
    influence_min : int
        Influence (1–5) at or above which a contact counts as having authority;
        decision makers always do.
    need_min : int
        Need score (0–10) at or above which the prospect needs the product.

    Returns
    -------
    DataFrame
        Boolean columns ``money``, ``authority``, ``need`` and ``man`` (all three), same index.
    """
    df = check_prospects(prospects)
    money_min = check_number(money_min, "money_min", low=0)
    influence_min = check_number(influence_min, "influence_min", low=1, high=5)
    need_min = check_number(need_min, "need_min", low=0, high=10)
    out = pd.DataFrame({
        "money": df["budget_kusd"] >= money_min,
        "authority": df["decision_maker"] | (df["influence"] >= influence_min),
        "need": df["need_score"] >= need_min,
    }, index=df.index)
    out["man"] = out["money"] & out["authority"] & out["need"]
    return out


def qualification_table(prospects: pd.DataFrame, qualified: pd.Series) -> pd.DataFrame:
    """Prospects, negotiations and deals for qualified vs unqualified prospects.

    Parameters
    ----------
    prospects : DataFrame
        The prospects table.
    qualified : Series of bool
        The same labels as ``prospects`` (e.g. ``qualify_man(...)["man"]``), in any order:
        paired by label, never by position.

    Returns
    -------
    DataFrame indexed ``[True, False]`` (qualified first) with ``prospects``,
    ``negotiation``, ``deals``, ``negotiation_rate`` and ``close_rate`` (NaN for
    a group with no prospects: there is no rate to report).

    Raises
    ------
    TypeError
        ``qualified`` not a boolean Series.
    ValueError
        As :func:`crmlib.prospects.check_prospects`; ``qualified`` with other labels than ``prospects``.
    """
    df = check_prospects(prospects)
    if not isinstance(qualified, pd.Series) or not pd.api.types.is_bool_dtype(qualified):
        raise TypeError("qualified must be a boolean pandas Series")
    qualified = check_aligned(df, "prospects", qualified, "qualified")
    rows = {}
    for flag in (True, False):
        g = df[qualified == flag]
        n = len(g)
        neg = int(g["stage_reached"].isin(["negotiation", "deal"]).sum())
        deals = int((g["stage_reached"] == "deal").sum())
        rows[flag] = {"prospects": n, "negotiation": neg, "deals": deals,
                      "negotiation_rate": neg / n if n else float("nan"),
                      "close_rate": deals / n if n else float("nan")}
    return pd.DataFrame.from_dict(rows, orient="index")


def criterion_table(prospects: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """:func:`qualification_table` for every column of ``flags`` (e.g. :func:`qualify_man` output).

    Parameters
    ----------
    prospects : DataFrame
        The prospects table.
    flags : DataFrame
        Boolean columns, one per criterion, the same labels as ``prospects`` (paired by label).

    Returns
    -------
    DataFrame indexed by criterion with ``n_met``, ``deals_met``, ``close_met``,
    ``n_not``, ``deals_not`` and ``close_not``.
    """
    if not isinstance(flags, pd.DataFrame) or flags.shape[1] == 0:
        raise TypeError("flags must be a DataFrame with at least one boolean column")
    flags = check_aligned(prospects, "prospects", flags, "flags")
    rows = {}
    for col in flags.columns:
        q = qualification_table(prospects, flags[col])
        rows[col] = {"n_met": q.loc[True, "prospects"], "deals_met": q.loc[True, "deals"],
                     "close_met": q.loc[True, "close_rate"], "n_not": q.loc[False, "prospects"],
                     "deals_not": q.loc[False, "deals"], "close_not": q.loc[False, "close_rate"]}
    return pd.DataFrame.from_dict(rows, orient="index")


def man_summary(prospects: pd.DataFrame, flags: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """How many prospects meet each MAN criterion, and how the MAN prospects close.

    Parameters
    ----------
    prospects : DataFrame
        The prospects table.
    flags : DataFrame
        :func:`qualify_man` output (boolean ``money``, ``authority``, ``need``, ``man``), the same
        labels as ``prospects``.

    Returns
    -------
    dict
        ``"counts"``: prospects meeting each criterion and ``total``; ``"rates"``:
        ``close_rate.man``, ``close_rate.not_man``, ``close_ratio`` (MAN over the rest) and
        ``deal_share.man`` (share of all deals that MAN prospects bring).
    """
    if not isinstance(flags, pd.DataFrame) or "man" not in flags.columns:
        raise TypeError("flags must be the DataFrame of qualify_man (with a boolean column 'man')")
    flags = check_aligned(prospects, "prospects", flags, "flags")
    q = qualification_table(prospects, flags["man"])
    counts = {c: int(flags[c].sum()) for c in flags.columns}
    counts["total"] = len(prospects)
    man, rest = q.loc[True, "close_rate"], q.loc[False, "close_rate"]
    return {"counts": counts,
            "rates": {"close_rate.man": man, "close_rate.not_man": rest, "close_ratio": man / rest,
                      "deal_share.man": q.loc[True, "deals"] / q["deals"].sum()}}


def history_results(history: pd.DataFrame) -> dict[str, Any]:
    """The ``crm_history`` dataset's years, split into approximate ("early 1980s") and exact ones.

    Parameters
    ----------
    history : DataFrame
        Columns ``era``, ``year``, ``year_is_approximate``.

    Returns
    -------
    dict
        ``"approximate"`` and ``"exact"``: era -> year; ``"span_years"``: last year minus first.
    """
    from ._validate import check_columns

    check_columns(history, ["era", "year", "year_is_approximate"], "history", numeric=["year"])
    approx = history["year_is_approximate"].astype(bool)
    return {"approximate": dict(zip(history.loc[approx, "era"], history.loc[approx, "year"])),
            "exact": dict(zip(history.loc[~approx, "era"], history.loc[~approx, "year"])),
            "span_years": int(history["year"].max() - history["year"].min())}


def term_frame(name: str) -> pd.DataFrame:
    """One of :data:`TERM_LISTS` as a one-column table of ids, numbered from 1 (for ``Chapter.table``).

    Parameters
    ----------
    name : str
        A key of :data:`TERM_LISTS`, e.g. ``"crm_type"``.

    Returns
    -------
    DataFrame
        Column ``name`` holding the ids; translate with ``values={name: TERM_LISTS[name][0]}``.
    """
    if name not in TERM_LISTS:
        raise ValueError(f"name must be one of {list(TERM_LISTS)}, got {name!r}")
    ids = TERM_LISTS[name][1]
    return pd.DataFrame({name: list(ids)}, index=range(1, len(ids) + 1))


def questionnaire(answers: Sequence[bool]) -> pd.DataFrame:
    """The five stage questions with a firm's answers, numbered from 1 (for ``Chapter.table``).

    Parameters
    ----------
    answers : sequence of bool
        One answer per question of :data:`STAGE_QUESTIONS`, in order.

    Returns
    -------
    DataFrame
        Columns ``question`` (ids; labels ``concepts.question.<id>``) and ``answer``.
    """
    classify_stage(list(answers))          # the same checks: five booleans
    return pd.DataFrame({"question": list(STAGE_QUESTIONS), "answer": [bool(a) for a in answers]},
                        index=range(1, len(STAGE_QUESTIONS) + 1))
