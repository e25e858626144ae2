"""Sphinx extension for the CRM Notebooks site: editions and the language switch.

Pages live under ``en/`` (English figures) and ``zh/`` (Chinese figures) with
the same names in both. Every page gets, in its template context,

``crm_edition``
    ``"en"``, ``"zh"`` or ``None`` (the landing page, search, index);
``crm_langs``
    one entry per edition: ``{"code", "label", "url", "current"}`` where
    ``url`` is the matching page of that edition (its index when the page has
    no counterpart), relative so the site works from the file system;
``language``
    the page's language tag for ``<html lang=…>`` (``zh-CN`` on Chinese pages,
    so browsers pick a CJK font).
"""
from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

EDITIONS = {"en": "English", "zh": "中文"}
EDITION_TITLE = {"en": "English edition", "zh": "中文版"}
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def edition_of(pagename: str) -> str | None:
    """Edition code of a page name (``"zh/02_x"`` -> ``"zh"``), or None outside the editions."""
    head, _, rest = pagename.partition("/")
    return head if rest and head in EDITIONS else None


def counterpart(pagename: str, lang: str, docs: set[str]) -> str | None:
    """The page of edition ``lang`` matching ``pagename``: same name, else that edition's index."""
    ed = edition_of(pagename)
    if ed is not None:
        twin = f"{lang}/{pagename.partition('/')[2]}"
        if twin in docs:
            return twin
    index = f"{lang}/index"
    return index if index in docs else None


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: Any) -> None:
    docs = set(app.env.all_docs)
    edition = edition_of(pagename)
    langs = []
    for code, label in EDITIONS.items():
        target = pagename if code == edition else counterpart(pagename, code, docs)
        if target is None:
            continue
        langs.append({"code": code, "label": label, "current": code == edition,
                      "url": app.builder.get_relative_uri(pagename, target)})
    context["crm_edition"] = edition
    context["crm_edition_title"] = EDITION_TITLE.get(edition or "", "")
    context["crm_edition_index"] = (app.builder.get_relative_uri(pagename, f"{edition}/index")
                                    if edition and f"{edition}/index" in docs else None)
    context["crm_langs"] = langs
    if edition:
        context["language"] = HTML_LANG[edition]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the page-context hook."""
    app.connect("html-page-context", _page_context)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
