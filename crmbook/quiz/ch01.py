"""Multiple-choice questions of chapter 1, "What CRM is" (texts: ``site/teacher/ch01.csv``, ``mcq.*``).

Keys come from the source passages the chapter quotes and from :mod:`crmlib.concepts`.
"""
from __future__ import annotations

from crmlib import concepts

from . import Fact, Formula, Meaning, Quiz, quoted

__all__ = ["QUIZ", "RESOURCE", "TYPES", "STAGE_CASE", "KPI_OPTIONS"]

#: What each option of question 1 names.
RESOURCE = {"A": "products", "B": "customers", "C": "equipment", "D": "suppliers"}
#: The options of question 2: crmlib ids of CRM technology types, and one that is none.
TYPES = {"A": "operational", "B": "analytical", "C": "collaborative", "D": "wholesale"}
#: The firm of question 3: its answers to the five stage questions (segments, customer records,
#: category consultants, category owners, the whole firm).
STAGE_CASE = (True, True, False, True, False)
#: The options of question 4: crmlib ids of the five KPIs of S4, and one that is not among them.
KPI_OPTIONS = {"A": "profitability", "B": "clv", "C": "market_share", "D": "loyalty"}


def _resource() -> Fact:
    quoted("S1-philosophy",
           "将企业的客户(包括最终客户、分销商和合作伙伴)作为最重要的企业资源")
    return Fact("customers")


def _types() -> Fact:
    quoted("S3-technology-types", "运营型、分析型及协作型")
    return Fact(set(concepts.CRM_TYPES))


def _stage() -> Fact:
    return Fact(concepts.classify_stage(list(STAGE_CASE)))


def _not_a_kpi() -> Fact:
    quoted("S4-kpis", "顧客利潤貢獻度")
    outside = [m for m in KPI_OPTIONS.values() if m not in concepts.KPIS]
    return Fact(outside[0] if len(outside) == 1 else tuple(outside), {"n_kpis": len(concepts.KPIS)})


QUIZ = Quiz("ch01", [
    Meaning("1", RESOURCE, _resource),
    Meaning("2", TYPES, _types, multiple=True, labels="concepts.type.{}"),
    Formula("3", lambda: _stage()),
    Meaning("4", KPI_OPTIONS, _not_a_kpi, labels="concepts.kpi.{}"),
])
