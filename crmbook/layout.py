"""Where everything lives: the one place that knows the repository's and the build's layout.

An *edition* is a language. English has no suffix, every other edition gets a
sub-folder named after its language code — in the source notebooks and in
every output folder alike. Output is named by the chapter's id, the English notebook's stem; an
edition's source notebook carries a name in its own language (:func:`edition_notebooks`)::

    notebooks/02_why_customers_are_lost.ipynb        notebooks/zh/02_客户为什么会流失.ipynb
    build/results/02_….json                          build/results/zh/02_….json
    build/figures/02_…/fig-2-1-pareto.png            build/figures/zh/02_…/fig-2-1-pareto.png
    build/timings/02_….json                          build/timings/zh/02_….json
    build/notebooks/02_….ipynb (executed)            build/notebooks/zh/02_….ipynb

Only the main job (``make run`` → :mod:`crmbook.runner`) writes ``build/``. It
runs each notebook into a private staging folder (:meth:`Layout.staging`) and
promotes the staged output over the previous one only when the whole notebook
succeeded (:func:`promote`); a failed run is kept under ``build/failed/``
(:meth:`Layout.failed`) and the previous complete output stays untouched.
A chapter run by hand in JupyterLab writes to ``lab-output/`` instead
(:data:`LAB_OUTPUT`), so a student's knob-turning never changes ``build/``.

Examples
--------
>>> from crmbook.layout import Layout
>>> Layout("/tmp/b").results("02_why_customers_are_lost", "zh").as_posix()
'/tmp/b/results/zh/02_why_customers_are_lost.json'
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from crmlib.datasets import ROOT as _DATA_ROOT
from crmlib.i18n import check_lang

__all__ = ["ROOT", "NOTEBOOK_DIR", "BUILD_DIR", "LAB_OUTPUT", "KINDS", "Layout", "edition_dir", "notebook_dir",
           "chapter_notebook", "edition_notebooks", "notebook_kind", "main_build_dir", "promote"]

#: The repository root (the one place it is computed: :data:`crmlib.datasets.ROOT`).
ROOT = _DATA_ROOT
NOTEBOOK_DIR = ROOT / "notebooks"
BUILD_DIR = ROOT / "build"
LAB_OUTPUT = ROOT / "lab-output"
#: What a numbered notebook is: a chapter of the course, or a guide — a worked page for researchers
#: (``90_your_own_log_to_clv``: from a messy log to CLV) that is discovered, run, recorded and
#: promoted exactly like a chapter, but listed apart on the site, without slides or a teacher's page.
#: A guide says so in its metadata, ``"crmnb": {"kind": "guide"}`` (:func:`notebook_kind`).
KINDS = ("chapter", "guide")


def edition_dir(base: str | Path, lang: str) -> Path:
    """``base`` for English, ``base/<lang>`` for any other edition.

    Parameters
    ----------
    base : str or Path
        A folder that holds one edition's files at its top level.
    lang : {"en", "zh"}
        The edition.

    Returns
    -------
    Path
    """
    base = Path(base)
    return base if check_lang(lang) == "en" else base / lang


def notebook_dir(lang: str = "en") -> Path:
    """The folder of an edition's source notebooks (``notebooks/`` or ``notebooks/zh/``).

    Parameters
    ----------
    lang : {"en", "zh"}

    Returns
    -------
    Path
    """
    return edition_dir(NOTEBOOK_DIR, lang)


def edition_notebooks(lang: str = "en") -> dict[str, Path]:
    """An edition's chapter notebooks by chapter number: ``{"02": notebooks/zh/02_客户为什么会流失.ipynb, …}``.

    An edition names its notebooks in its own language, so that a student sees which edition a
    JupyterLab tab holds: the English notebook is ``NN_<english_slug>.ipynb`` (its stem is the
    chapter's id everywhere: results, figures, the site), another edition's is ``NN_<title>.ipynb``
    in its folder, found by its number.

    Parameters
    ----------
    lang : {"en", "zh"}

    Returns
    -------
    dict of str to Path

    Raises
    ------
    ValueError
        Two notebooks of the edition start with the same number.
    """
    out: dict[str, Path] = {}
    for p in sorted(notebook_dir(lang).glob("[0-9][0-9]_*.ipynb")):
        nn = p.name[:2]
        if nn in out:
            raise ValueError(f"{notebook_dir(lang)} has two notebooks of chapter {nn}: {out[nn].name}, {p.name}")
        out[nn] = p
    return out


def chapter_notebook(chapter: str, lang: str = "en") -> Path:
    """The source notebook of ``chapter`` in edition ``lang`` (see :func:`edition_notebooks`).

    Parameters
    ----------
    chapter : str
        The chapter's id (the English notebook's stem, ``"02_why_customers_are_lost"``) or number (``"02"``).
    lang : {"en", "zh"}

    Returns
    -------
    Path

    Raises
    ------
    FileNotFoundError
        The edition has no notebook of that chapter.
    """
    nn = str(chapter)[:2]
    if not nn.isdigit():
        raise ValueError(f"chapter must be a notebook stem or number such as '02', got {chapter!r}")
    found = edition_notebooks(lang).get(nn)
    if found is None:
        raise FileNotFoundError(f"the {lang} edition has no notebook of chapter {nn} in {notebook_dir(lang)}")
    return found


def notebook_kind(notebook: str | Path | dict) -> str:
    """Whether a notebook is a chapter or a guide: its metadata ``crmnb.kind`` (default ``"chapter"``).

    The kind is declared in the notebook rather than read off its number, so that numbering stays
    an order and nothing else (the site's tests build chapters numbered 96–98).

    Parameters
    ----------
    notebook : str, Path or dict
        A notebook file (source or executed) or its parsed JSON.

    Returns
    -------
    str
        One of :data:`KINDS`.

    Raises
    ------
    ValueError
        ``crmnb.kind`` is not one of :data:`KINDS`.
    """
    doc = notebook if isinstance(notebook, dict) else json.loads(Path(notebook).read_text(encoding="utf-8"))
    kind = (doc.get("metadata", {}).get("crmnb") or {}).get("kind", "chapter")
    if kind not in KINDS:
        where = "the notebook" if isinstance(notebook, dict) else str(notebook)
        raise ValueError(f"{where}: metadata crmnb.kind must be one of {list(KINDS)}, got {kind!r}")
    return kind


def main_build_dir() -> Path:
    """The main job's build folder: ``$CRMNB_BUILD_DIR`` if set, else ``build/``.

    Returns
    -------
    Path
    """
    env = os.environ.get("CRMNB_BUILD_DIR")
    return Path(env) if env else BUILD_DIR


_CHAPTER_DOC = """{summary}

Parameters
----------
chapter : str
    Notebook stem, e.g. ``"02_why_customers_are_lost"``.
lang : {{"en", "zh"}}
    The edition.

Returns
-------
Path
"""


def _chapter_place(name: str, folder: str, suffix: str, summary: str):
    """A :class:`Layout` method: ``<root>/<folder>[/<lang>]/<chapter><suffix>``, documented once here."""
    def place(self, chapter: str, lang: str = "en") -> Path:
        return edition_dir(self.root / folder, lang) / f"{chapter}{suffix}"

    place.__name__ = name
    place.__qualname__ = f"Layout.{name}"
    place.__doc__ = _CHAPTER_DOC.format(summary=summary)
    return place


@dataclass(frozen=True)
class Layout:
    """The layout of one build folder (the main ``build/``, a staging folder, ``lab-output/``).

    Every per-chapter place is ``<root>/<kind>/[<lang>/]<chapter>…``: the edition rule of
    :func:`edition_dir`, applied in this one class.

    Parameters
    ----------
    root : str or Path
        The build folder.
    """

    root: Path

    def __init__(self, root: str | Path) -> None:
        if root is None or str(root) == "":
            raise ValueError("Layout needs a build folder, got an empty path")
        object.__setattr__(self, "root", Path(root))

    results = _chapter_place("results", "results", ".json",
                             "The recorded-results JSON of ``chapter`` in edition ``lang``.")
    timings = _chapter_place("timings", "timings", ".json",
                             "Seconds spent saving each figure (kept apart: they vary from run to run).")
    figures = _chapter_place("figures", "figures", "", "The folder of ``chapter``'s figures in edition ``lang``.")
    executed = _chapter_place("executed", "notebooks", ".ipynb", "The executed copy of ``chapter``'s notebook.")
    failed = _chapter_place("failed", "failed", "",
                            "Where a failed run's partial output and error are kept.")

    def staging(self, chapter: str, lang: str = "en") -> Path:
        """A private build folder for one run of ``chapter`` (promoted on success).

        Parameters
        ----------
        chapter, lang : str
            As for :meth:`results`.

        Returns
        -------
        Path
        """
        return self.root / ".staging" / f"{chapter}.{check_lang(lang)}"

    def outputs(self, chapter: str, lang: str = "en") -> list[Path]:
        """Every path one run of ``chapter`` owns in this build (results, timings, figures, executed copy).

        Parameters
        ----------
        chapter, lang : str
            As for :meth:`results`.

        Returns
        -------
        list of Path
        """
        return [self.results(chapter, lang), self.timings(chapter, lang), self.figures(chapter, lang),
                self.executed(chapter, lang)]


def _replace(src: Path, dest: Path) -> None:
    """Put ``src`` (a file or a folder) at ``dest``, replacing what is there as late as possible."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        old = dest.with_name(dest.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if dest.exists():
            dest.rename(old)
        src.rename(dest)
        if old.exists():
            shutil.rmtree(old)
    else:
        os.replace(src, dest)


def promote(stage: Layout, target: Layout, chapter: str, lang: str = "en") -> list[Path]:
    """Move one successful run's output from ``stage`` over the previous output in ``target``.

    Every path the run owns is replaced as a whole (a figures folder too, so no stale figure
    survives), and only paths the run produced: a run that saved no figures keeps none.
    Other chapters' and editions' files are never touched.

    Parameters
    ----------
    stage, target : Layout
        The run's staging folder and the main build folder.
    chapter : str
        Notebook stem.
    lang : {"en", "zh"}

    Returns
    -------
    list of Path
        The paths written in ``target``.


    Raises
    ------
    FileNotFoundError
        If the run recorded no results (a notebook that never saved cannot be promoted).
    """
    check_lang(lang)
    if not stage.results(chapter, lang).is_file():
        raise FileNotFoundError(f"{chapter} [{lang}] wrote no results in {stage.root}; nothing to promote")
    written = []
    for src, dest in zip(stage.outputs(chapter, lang), target.outputs(chapter, lang)):
        if src.exists():
            _replace(src, dest)
            written.append(dest)
        elif dest.exists():
            # the previous run had this output and the new complete run has none: it is stale
            shutil.rmtree(dest) if dest.is_dir() else dest.unlink()
    return written

