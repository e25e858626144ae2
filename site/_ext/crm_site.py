"""Sphinx extension for the CRM Notebooks site: one edition per build, and the language switch.

Each edition (``en``, ``zh``) is its own Sphinx build (its own language, search
index and chrome) into ``<site>/<lang>/``. The builder (``site/crmsite``)
writes ``_crm_site.json`` into the edition's source folder::

    {"edition": "zh", "labels": {"en": "English", "zh": "中文"},
     "docs": {"en": ["index", "02_x", …], "zh": ["index", …]},
     "theme": {"search_bar_text": "…"}}

Every page then gets, in its template context,

``crm_edition``
    this build's edition code;
``crm_langs``
    one entry per edition: ``{"code", "label", "url", "current"}`` where
    ``url`` is the page of the same name in that edition (its index when it
    has none), relative so the site works from the file system. ``crm.js``
    carries the ``#figure-N-k`` fragment over when the reader clicks it.
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util.logging import NAMESPACE, WarningStreamHandler


def _info(app: Sphinx) -> dict[str, Any]:
    path = Path(app.srcdir) / "_crm_site.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def counterpart(pagename: str, lang: str, docs: dict[str, list[str]]) -> str | None:
    """The page of edition ``lang`` matching ``pagename``: same name, else that edition's index."""
    names = set(docs.get(lang) or ())
    if pagename in names:
        return pagename
    return "index" if "index" in names else None


def _config_inited(app: Sphinx, config: Any) -> None:
    info = _info(app)
    opts = dict(config.html_theme_options or {})
    opts.update(info.get("theme") or {})
    config.html_theme_options = opts


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: Any) -> None:
    info = _info(app) if not hasattr(app, "_crm_info") else app._crm_info
    app._crm_info = info
    edition = info.get("edition")
    up = "../" * (pagename.count("/") + 1)  # from this page to the site root
    langs = []
    for code, label in (info.get("labels") or {}).items():
        if code == edition:
            langs.append({"code": code, "label": label, "current": True, "url": ""})
            continue
        target = counterpart(pagename, code, info.get("docs") or {})
        if target is not None:
            langs.append({"code": code, "label": label, "current": False,
                          "url": f"{up}{code}/{target}.html"})
    context["crm_edition"] = edition
    context["crm_langs"] = langs
    context["crm_site_root"] = up


class DocstringWarnings(logging.Filter):
    """Let what the API reference page meets in docstrings through as printed notes, not warnings.

    A warning located in a docstring, or raised while the ``api`` page is read (autodoc's duplicate
    descriptions and the like), is printed and not counted; every other warning still fails the
    build (``-W``). The API page documents modules that other people change; their docstrings are
    checked where they are written (``tests/test_docs.py``), not by the site.
    """

    def __init__(self, app: Sphinx) -> None:
        super().__init__()
        self.app = app
        self.count = 0

    def _on_api_page(self) -> bool:
        env = getattr(self.app, "env", None)
        return bool(env is not None and env.temp_data.get("docname") == "api")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING:
            return True
        loc = getattr(record, "location", None)
        in_docstring = isinstance(loc, str) and ("docstring of" in loc or "/api.md" in loc)
        # the Python domain's objects exist on the API page only: its duplicates are autodoc's
        duplicate = "duplicate object description" in record.getMessage()
        if in_docstring or duplicate or self._on_api_page():
            self.count += 1
            where = loc if isinstance(loc, str) else "api"
            print(f"site (API page, not fatal): {where}: {record.getMessage()}", file=sys.stderr)
            return False
        return True


def _builder_inited(app: Sphinx) -> None:
    for handler in logging.getLogger(NAMESPACE).handlers:
        if isinstance(handler, WarningStreamHandler):
            handler.filters.insert(0, DocstringWarnings(app))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the configuration and page-context hooks."""
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context)
    return {"version": "2.0", "parallel_read_safe": True, "parallel_write_safe": True}
