"""Emphasis a reader sees renders as emphasis, in both editions.

CommonMark (JupyterLab, the site) only closes ``**`` that is not preceded by punctuation unless
whitespace or punctuation follows: ``**结论：**在`` shows its asterisks, ``**结论**：在`` is bold.
Chinese text has no spaces, so every label and Markdown cell is rendered here and must not keep
a ``**`` or ``__`` outside code.
"""
from __future__ import annotations

import json
import re

import pytest

from crmlib.i18n import LANGS, labels
from crmbook.layout import NOTEBOOK_DIR, notebook_dir

markdown_it = pytest.importorskip("markdown_it")   # installed with the test extra
MD = markdown_it.MarkdownIt("commonmark")


def _left_over(html: str) -> list[str]:
    text = re.sub(r"<code>.*?</code>|<pre>.*?</pre>", "", html, flags=re.S)
    return re.findall(r".{0,20}(?:\*\*|__).{0,20}", text)


def test_the_check_sees_chinese_emphasis_that_does_not_close():
    assert _left_over(MD.renderInline("**结论：**在五年内"))
    assert not _left_over(MD.renderInline("**结论**：在五年内"))
    assert not _left_over(MD.renderInline("`crmlib/labels/**.csv`"))


def test_every_label_renders_its_emphasis():
    bad = []
    for key, row in labels().items():
        for lang in LANGS:
            filled = re.sub(r"\{[^{}]*\}", "1", row[lang])   # placeholders as a computed number would be
            if _left_over(MD.renderInline(filled)):
                bad.append(f"{key} [{lang}]: {row[lang]}")
    assert not bad, "emphasis that does not render:\n" + "\n".join(bad)


@pytest.mark.parametrize("notebook", [nb for lang in LANGS for nb in sorted(notebook_dir(lang).glob("*.ipynb"))],
                         ids=lambda p: p.relative_to(NOTEBOOK_DIR).as_posix())
def test_every_markdown_cell_renders_its_emphasis(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    bad = [f"cell {i}: {_left_over(MD.render(''.join(c['source'])))}" for i, c in enumerate(cells)
           if c["cell_type"] == "markdown" and _left_over(MD.render("".join(c["source"])))]
    assert not bad, f"{notebook.name}: emphasis that does not render:\n" + "\n".join(bad)
