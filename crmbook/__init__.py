"""crmbook — the machinery of the CRM Notebooks course, built on :mod:`crmlib`.

A chapter notebook imports the book for recording and the library for computing::

    from crmbook import Chapter, seed_source       # dataset_source, paper_source likewise
    from crmlib import loss

Numbers are recorded with their provenance: :func:`seed_source` (a passage of a source text),
:func:`paper_source` (a published paper) or :func:`dataset_source` (a shipped data set and how
the number is computed from it).

The book's modules: :mod:`crmbook.chapter` (a chapter's run: recorded results, numbered
figures, its texts), :mod:`crmbook.results` (the one reader and writer of results files),
:mod:`crmbook.layout` (where files go; the repository root), :mod:`crmbook.runner` and
:mod:`crmbook.cli` (executing the chapters: ``python -m crmbook``), :mod:`crmbook.upstream`
(inputs one chapter takes from another's results), :mod:`crmbook.widgets` (what-ifs that
run headless and cannot break), :mod:`crmbook.exercises` (self-checks), :mod:`crmbook.typed` (what a
student typed, read as meant), :mod:`crmbook.parameters` (each parameter's allowed values, checked
first), :mod:`crmbook.kernel` (the chapters' Jupyter kernel: input-method typing, one-sentence errors),
:mod:`crmbook.sources` (provenance:
the source texts S1–S5, their excerpts, the bibliography, the Reproduce table), and the
chapters' texts in ``crmbook/labels/`` (added to :mod:`crmlib.i18n`'s table on import).

The library never imports this package.
"""
from __future__ import annotations

from pathlib import Path

from crmlib import i18n as _i18n

__version__ = "0.2.0"

#: The book's label tables (chapter texts, site strings), added to crmlib's table.
LABEL_DIR = Path(__file__).with_name("labels")
_i18n.add_label_dir(LABEL_DIR)

from .chapter import Chapter, dataset_source, paper_source, seed_source  # noqa: E402  (after the labels are registered)

__all__ = ["Chapter", "seed_source", "paper_source", "dataset_source", "LABEL_DIR", "__version__"]
