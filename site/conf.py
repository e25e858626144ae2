"""Sphinx configuration of the CRM Notebooks site.

This folder is the *configuration* directory only: ``crmlib.site.build`` writes
the page sources (transformed copies of the executed notebooks, the index,
glossary and Reproduce pages) under ``<build>/.site/src/`` and runs Sphinx with
``-c site/`` and warnings as errors. Nothing here needs the network: the theme
(alabaster) ships with Sphinx, math is rendered to MathML at build time
(``_ext/crm_mathml.py``) and notebooks are never executed here.
"""
from __future__ import annotations

import sys
from pathlib import Path

_EXT = str(Path(__file__).resolve().parent / "_ext")
if _EXT not in sys.path:
    sys.path.insert(0, _EXT)

project = "CRM Notebooks"
author = "CRM Notebooks contributors"
copyright = "CRM Notebooks contributors, MIT licence"

extensions = ["myst_nb", "crm_mathml", "crm_site"]

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

# -- HTML ------------------------------------------------------------------------
html_theme = "alabaster"
html_title = "CRM Notebooks"
html_static_path = ["_static"]
templates_path = ["_templates"]
html_css_files = ["crm.css"]
html_js_files = ["crm.js"]
html_math_renderer = "mathml"
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_use_index = False        # no API objects: the general index would be empty
html_domain_indices = False
html_sidebars = {"**": ["crm_brand.html", "navigation.html", "searchbox.html"]}
_FONTS = ("system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'DejaVu Sans', 'Noto Sans CJK SC', "
          "'WenQuanYi Micro Hei', sans-serif")  # local fonts only, Latin before CJK
html_theme_options = {
    "page_width": "1180px",
    "sidebar_width": "240px",
    "show_powered_by": False,
    "fixed_sidebar": False,
    "font_family": _FONTS,
    "head_font_family": _FONTS,
    "code_font_family": "'DejaVu Sans Mono', Consolas, Menlo, monospace",
}
