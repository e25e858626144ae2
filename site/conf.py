"""Sphinx configuration of the CRM Notebooks site (one build per edition).

This folder is the *configuration* directory only: the builder
(``site/crmsite``, run by ``python -m crmbook all`` or ``python site/build.py``)
writes each edition's page sources under ``<build>/.site/src/<lang>/`` and runs
Sphinx on them with ``-c site/``, warnings as errors, and per edition
``-D language=…`` (``en`` / ``zh_CN``: Sphinx's and the theme's own chrome —
search box, navigation, footer — come translated) and the edition's title.

Nothing here needs the network: the theme (sphinx-book-theme, on
pydata-sphinx-theme) ships its fonts, icons and scripts in the wheel, math is
rendered to MathML at build time (``_ext/crm_mathml.py``), notebooks are never
executed here, and ``tests/test_site.py`` checks every built page for a URL
that would load anything from another host.
"""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent
for _p in (str(_HERE / "_ext"), str(_ROOT)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

project = "CRM Notebooks"
author = "CRM Notebooks contributors"
copyright = "CRM Notebooks contributors, MIT licence"

extensions = ["myst_nb", "crm_mathml", "crm_site", "crm_search", "sphinx.ext.autodoc", "sphinx.ext.autosummary",
              "sphinx.ext.napoleon"]
_BIB = _ROOT / "datasets" / "sources" / "references.bib"
if _BIB.is_file():
    extensions.append("sphinxcontrib.bibtex")
    bibtex_bibfiles = [str(_BIB)]
    bibtex_default_style = "plain"
    bibtex_reference_style = "author_year"

root_doc = "index"
language = "en"
exclude_patterns = ["**.ipynb_checkpoints", ".doctrees"]

# -- MyST / myst-nb: render the executed notebooks as they are -------------------
nb_execution_mode = "off"
nb_ipywidgets_js = {}          # the default loads require.js and the widget manager from a CDN
nb_merge_streams = True
nb_output_stderr = "show"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_dmath_double_inline = True
myst_dmath_allow_digits = False  # "US$2,000 … US$8,623" is money, not math
myst_update_mathjax = False  # no MathJax here (math is MathML)

# -- API reference (autodoc / autosummary, numpydoc sections via napoleon) ---------
autosummary_generate = False
autodoc_default_options = {"members": True}
autodoc_typehints = "none"
autodoc_member_order = "bysource"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

# -- HTML ------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "CRM Notebooks"
html_static_path = ["_static"]
templates_path = ["_templates"]
html_css_files = ["crm.css"]
html_js_files = ["crm.js"]
html_favicon = "_static/favicon.svg"
html_math_renderer = "mathml"
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_use_index = False
html_domain_indices = False
html_permalinks_icon = "#"
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "use_source_button": False,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "navigation_with_keys": False,
    "article_header_start": ["toggle-primary-sidebar.html", "crm-langs.html"],
    "article_header_end": ["article-header-buttons.html"],
    "icon_links": [],
    "footer_content_items": ["author.html", "copyright.html"],
}

# -n (nitpicky) stays on for the pages; the API's numpydoc type phrases ("sequence of float",
# "optional", "{'W', 'D'}") are prose, not cross-references.
nitpick_ignore_regex = [(r"py:.*", r".*")]
