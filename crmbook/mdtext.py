"""Money in Markdown outputs, shown right in JupyterLab and on the static site.

JupyterLab reads a pair of dollar signs in a Markdown output as inline maths, even when each is
escaped as CommonMark wants (``US\\$2,000 … US\\$8,623`` becomes one formula): its Markdown renderer
turns ``\\$`` into ``$`` and MathJax then finds the pair. Writing ``\\\\$`` instead leaves ``\\$`` in
the page, which MathJax shows as a plain dollar sign. The static site (no MathJax) and the decks
read the CommonMark form, so they convert back with :func:`commonmark`.

Examples
--------
>>> lab_markdown("Worth US$2,000 or US$8,623.")
'Worth US\\\\\\\\$2,000 or US\\\\\\\\$8,623.'
>>> commonmark(lab_markdown("Worth US$2,000."))
'Worth US\\\\$2,000.'
"""
from __future__ import annotations

import re

__all__ = ["lab_markdown", "commonmark"]

#: A dollar sign with the backslashes (none, one or two) an earlier escape put before it.
_DOLLAR = re.compile(r"\\{0,2}\$")


def lab_markdown(text: str) -> str:
    """``text`` for a Markdown output a notebook shows: every dollar sign, escaped or not, written ``\\\\$``.

    Parameters
    ----------
    text : str
        A sentence as the reader should see it (``US$2,000``).

    Returns
    -------
    str
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _DOLLAR.sub(lambda m: "\\\\$", text)


def commonmark(text: str) -> str:
    """A Markdown output of :func:`lab_markdown` as CommonMark (``\\$`` for each dollar sign), for
    renderers without MathJax (the site, the decks).

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _DOLLAR.sub(lambda m: "\\$", text)
