"""Render math to MathML at build time (no MathJax, no network).

``html_math_renderer = "mathml"`` makes Sphinx call these visitors for inline
and display math (MyST ``$…$`` / ``$$…$$``). The TeX is converted by
``latex2mathml``; browsers display MathML natively. A formula the converter
cannot read is a build warning, so ``-W`` stops the build instead of showing
raw TeX.
"""
from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def to_mathml(latex: str, display: str = "inline") -> str:
    """MathML for ``latex`` (``display`` is ``"inline"`` or ``"block"``)."""
    from latex2mathml.converter import convert

    return convert(latex.strip(), display=display)


def _convert(self: Any, node: nodes.Element, latex: str, display: str) -> str | None:
    try:
        return to_mathml(latex, display)
    except Exception as exc:  # noqa: BLE001 - latex2mathml raises many kinds
        logger.warning("cannot convert math %r to MathML: %s", latex, exc, location=node)
        return None


def html_visit_math(self: Any, node: nodes.Element) -> None:
    mathml = _convert(self, node, node.astext(), "inline")
    if mathml is None:
        self.body.append(self.starttag(node, "code", "", CLASS="math-fallback")
                         + self.encode(node.astext()) + "</code>")
    else:
        self.body.append(self.starttag(node, "span", "", CLASS="math notranslate") + mathml + "</span>")
    raise nodes.SkipNode


def html_visit_displaymath(self: Any, node: nodes.Element) -> None:
    latex = node.astext()  # amsmath environments (\begin{align} …) are read by latex2mathml too
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    if node.get("number"):
        self.body.append(f'<span class="eqno">({node["number"]})</span>')
    mathml = _convert(self, node, latex, "block")
    self.body.append(mathml if mathml is not None
                     else '<pre class="math-fallback">' + self.encode(latex) + "</pre>")
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``mathml`` HTML math renderer."""
    app.add_html_math_renderer("mathml", (html_visit_math, None), (html_visit_displaymath, None))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
