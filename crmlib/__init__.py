"""crmlib — the computation behind the CRM Notebooks chapters.

One module per idea: ``concepts`` (what CRM is: MAN qualification, the six
stages), ``funnel`` (funnel probabilities), ``prospects`` (the synthetic
prospects dataset's generator), ``loss`` (why customers are lost), ``finance`` (NPV,
IRR, payback, ROI, EVA, tornado), ``business_case`` (what a CRM project costs
and returns), ``upstream`` (chapter 06's inputs from the other chapters' recorded
results), ``datasets``
(hash-checked shipped data), ``i18n`` (English/Chinese labels and fonts),
``chapter`` (recorded results and numbered figures), ``sources`` (provenance:
the source texts S1–S5, their quoted excerpts, the bibliography), ``exercises``
(self-checks), ``widgets`` (what-ifs that run headless), ``plotting``
(figures), ``runner``/``cli`` (executing the chapters).
"""
from __future__ import annotations

__version__ = "0.1.0"

from .chapter import Chapter, paper_source, seed_source  # noqa: E402

__all__ = ["Chapter", "seed_source", "paper_source", "__version__"]
