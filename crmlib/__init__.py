"""crmlib — the computation behind the CRM Notebooks chapters.

One module per idea: ``loss`` (why customers are lost), ``datasets``
(hash-checked shipped data), ``i18n`` (English/Chinese labels and fonts),
``chapter`` (recorded results and numbered figures), ``exercises``
(self-checks), ``widgets`` (what-ifs that run headless), ``plotting``
(figures), ``runner``/``cli`` (executing the chapters).
"""
from __future__ import annotations

__version__ = "0.1.0"

from .chapter import Chapter, paper_source, seed_source  # noqa: E402

__all__ = ["Chapter", "seed_source", "paper_source", "__version__"]
