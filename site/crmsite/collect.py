"""What the main job left in the build folder: the executed chapters of each edition.

The build layout (where an edition's executed notebooks, results and figures
are) is :class:`crmbook.layout.Layout`'s; this module only reads it.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from crmlib.i18n import LANGS, t
from crmbook.results import read as read_results

from crmbook.layout import Layout, notebook_kind  # the one place that knows the build layout and the kinds


def ui(key: str, lang: str, **values: Any) -> str:
    """A site string: label ``site.<key>`` of ``crmbook/labels/site.csv`` in ``lang``."""
    return t(f"site.{key}", lang, **values)


def text_of(src: Any) -> str:
    """A notebook cell's ``source`` (string or list of lines) as one string."""
    return "".join(src) if isinstance(src, list) else (src or "")


@dataclass
class ChapterPage:
    """One executed chapter notebook of one edition.

    Attributes
    ----------
    chapter : str
        Notebook stem, e.g. ``"02_why_customers_are_lost"``.
    lang : str
        Edition, ``"en"`` or ``"zh"``.
    notebook : Path
        The executed notebook.
    results : dict
        The chapter's recorded results document (empty if none was written).
    title : str
        The notebook's first level-1 heading.
    kind : str
        ``"chapter"`` or ``"guide"`` (:func:`crmbook.layout.notebook_kind`): a guide has its own
        place on the index pages and no slides, figure pack or teacher's page.
    """

    chapter: str
    lang: str
    notebook: Path
    results: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    kind: str = "chapter"

    @property
    def figures(self) -> dict[str, dict[str, Any]]:
        """Figure number -> ``{slug, caption, label, png, svg}`` as the chapter recorded it."""
        return dict(self.results.get("figures") or {})

    @property
    def nn(self) -> str:
        """The two-digit chapter number."""
        return self.chapter[:2]

    def load(self) -> dict[str, Any]:
        """The executed notebook (nbformat JSON)."""
        return json.loads(self.notebook.read_text(encoding="utf-8"))


def _failure(nb: dict[str, Any]) -> str | None:
    """Why an executed notebook cannot be shown, or None if it ran cleanly."""
    if (nb.get("metadata", {}).get("papermill") or {}).get("exception"):
        return "papermill recorded an exception"
    for i, cell in enumerate(nb.get("cells", [])):
        for out in cell.get("outputs", []) or []:
            if out.get("output_type") == "error":
                return f"cell {i} shows an error ({out.get('ename', 'error')})"
    return None


def _title(nb: dict[str, Any], fallback: str) -> str:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            m = re.search(r"^#\s+(.+?)\s*$", text_of(cell.get("source")), re.M)
            if m:
                return m.group(1)
    return fallback


def chapters_only(pages: list[ChapterPage]) -> list[ChapterPage]:
    """The chapters among ``pages`` (the kit, with its slides and teacher's pages, has no guides)."""
    return [p for p in pages if p.kind == "chapter"]


def guides_only(pages: list[ChapterPage]) -> list[ChapterPage]:
    """The guides among ``pages``, in order."""
    return [p for p in pages if p.kind == "guide"]


def collect(build_dir: Path, langs: tuple[str, ...] = LANGS,
            log: Callable[[str], None] | None = None) -> dict[str, list[ChapterPage]]:
    """Executed chapters per edition, in chapter order; failed runs are skipped with a message.

    Parameters
    ----------
    build_dir : Path
        The build folder written by ``python -m crmbook all``.
    langs : tuple of str
        Editions to look for.
    log : callable, optional
        Receives one line per skipped notebook (default: print to stderr).

    Returns
    -------
    dict
        ``lang -> [ChapterPage, …]``; editions without any chapter are absent.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    layout = Layout(Path(build_dir))
    out: dict[str, list[ChapterPage]] = {}
    for lang in langs:
        nb_dir = layout.executed("00_x", lang).parent
        pages = []
        for path in sorted(nb_dir.glob("[0-9][0-9]_*.ipynb")):
            try:
                nb = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                log(f"site: skipping {path}: cannot read it ({exc})")
                continue
            why = _failure(nb)
            if why:
                log(f"site: skipping {path.stem} [{lang}]: {why}")
                continue
            res_path = layout.results(path.stem, lang)
            results = read_results(res_path) if res_path.is_file() else {}
            try:
                kind = notebook_kind(nb)
            except ValueError as exc:
                log(f"site: skipping {path.stem} [{lang}]: {exc}")
                continue
            pages.append(ChapterPage(path.stem, lang, path, results, _title(nb, path.stem), kind))
        if pages:
            out[lang] = pages
    return out
