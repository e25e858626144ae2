"""A chapter's outputs: recorded results (JSON) and numbered figures (PNG + SVG).

Every notebook creates one :class:`Chapter` right after its parameters cell::

    ch = Chapter("02_why_customers_are_lost", lang=lang, seed=seed, small=small, build_dir=build_dir)
    ch.record("share.communication", 68.0, unit="%", source=seed_source("001_…", "客户流失的原因分析表"),
              expected=68.0)
    ch.figure(fig, "2.1", "pareto", "Pareto chart of the causes")

Results go to ``<build>/results/<chapter>.json`` (``<build>/results/zh/…`` for
``lang="zh"``) and figures to ``<build>/figures/<chapter>/fig-2-1-pareto.{png,svg}``
(``…/<chapter>/zh/…`` for Chinese). ``<build>`` is ``build_dir`` if given, else
``$CRMNB_BUILD_DIR``, else ``build/`` at the repository root.
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .i18n import check_lang, use_lang

__all__ = ["Chapter", "SavedFigure", "seed_source", "paper_source", "default_build_dir", "load_results", "to_jsonable"]

_ROOT = Path(__file__).resolve().parents[1]
_PNG_DPI = 150
#: zlib level 3 instead of Pillow's 6: a third less time encoding for files about 10 % larger.
_PNG_PIL = {"compress_level": 3}


def default_build_dir() -> Path:
    """``$CRMNB_BUILD_DIR`` if set, else ``build/`` at the repository root."""
    env = os.environ.get("CRMNB_BUILD_DIR")
    return Path(env) if env else _ROOT / "build"


def seed_source(seed_file: str, phrase: str) -> dict[str, str]:
    """Provenance of a number printed in a source text: the seed file (or source id ``"S1"`` …) and a phrase.

    For one of the five sources it also records the readable ``source_id``, the
    ``title`` and the ``excerpt_id`` of the passage holding the phrase, and
    raises :class:`crmlib.sources.SourceError` naming the phrase and the file
    when no excerpt holds it (see :func:`crmlib.sources.seed_provenance`).
    """
    if not seed_file or not phrase:
        raise ValueError("seed_source needs both seed_file and phrase")
    from .sources import seed_provenance  # readable id, title and excerpt (datasets/sources/)
    return seed_provenance(seed_file, phrase)


def paper_source(citation: str, where: str) -> dict[str, str]:
    """Provenance of a published value: the paper (a ``references.bib`` key or free text) and the table/page.

    A key (``"fader2005bgnbd"``) is recorded as ``key`` with its author–year
    ``citation``; see :func:`crmlib.sources.paper_provenance`.
    """
    if not citation or not where:
        raise ValueError("paper_source needs both citation and where")
    from .sources import paper_provenance  # bibliography keys (datasets/sources/references.bib)
    return paper_provenance(citation, where)


def to_jsonable(value: Any) -> Any:
    """Convert numpy / pandas scalars and containers to plain JSON types."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"cannot record a non-finite number ({v})")
        return v
    if hasattr(value, "to_dict") and not isinstance(value, type):
        return to_jsonable(value.to_dict())
    if value is None or isinstance(value, (int, str)):
        return value
    raise TypeError(f"cannot record a value of type {type(value).__name__}")


@dataclass(frozen=True)
class SavedFigure:
    """Where :meth:`Chapter.figure` wrote a figure. Shows nothing as a cell result
    (the figure and its caption are already displayed)."""

    number: str
    png: Path
    svg: Path

    def _ipython_display_(self) -> None:
        return None


def _matches(value: Any, expected: Any, rtol: float, atol: float) -> bool:
    if isinstance(expected, (list, tuple)):
        return (isinstance(value, (list, tuple)) and len(value) == len(expected)
                and all(_matches(v, e, rtol, atol) for v, e in zip(value, expected)))
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return isinstance(value, (int, float)) and abs(value - expected) <= atol + rtol * abs(expected)
    return value == expected


def load_results(chapter: str, build_dir: str | Path | None = None, lang: str = "en") -> dict[str, Any]:
    """Read a chapter's recorded results JSON (as written by :class:`Chapter`)."""
    c = Chapter.__new__(Chapter)
    c.chapter, c.lang = chapter, check_lang(lang)
    c.build_dir = Path(build_dir) if build_dir is not None else default_build_dir()
    p = c.results_path
    if not p.is_file():
        raise FileNotFoundError(f"no recorded results for chapter {chapter!r} at {p}")
    return json.loads(p.read_text(encoding="utf-8"))


class Chapter:
    """Records one chapter's key numbers and figures.

    Parameters
    ----------
    chapter : str
        Chapter id, the notebook's file stem (e.g. ``"02_why_customers_are_lost"``).
    lang : {"en", "zh"}
        Language of figure labels; also configures matplotlib fonts.
    seed : int
        The chapter's master random seed (recorded with the results).
    small : bool
        Small mode (fewer draws / subsampled data) used by the tests.
    build_dir : str or Path, optional
        Output root; see module docstring.
    display : bool
        Show figures and captions in the notebook (off in unit tests).
    """

    def __init__(self, chapter: str, *, lang: str = "en", seed: int = 0, small: bool = False,
                 build_dir: str | Path | None = None, display: bool = True, **params: Any) -> None:
        if not re.fullmatch(r"\d\d_[a-z0-9_]+", chapter or ""):
            raise ValueError(f"chapter must look like '02_why_customers_are_lost', got {chapter!r}")
        self.chapter = chapter
        self.number = int(chapter[:2])
        self.lang = check_lang(lang)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self.small = bool(small)
        self.build_dir = Path(build_dir) if build_dir else default_build_dir()
        self.display = display
        self._results: dict[str, Any] = {}
        self._figures: dict[str, Any] = {}
        self._figure_seconds: dict[str, float] = {}
        self._params = {"lang": self.lang, "seed": self.seed, "small": self.small, **to_jsonable(params)}
        _style()
        use_lang(self.lang)

    # ---------------------------------------------------------------- paths
    @property
    def results_path(self) -> Path:
        sub = self.build_dir / "results"
        return (sub if self.lang == "en" else sub / self.lang) / f"{self.chapter}.json"

    @property
    def timings_path(self) -> Path:
        """Where the seconds spent saving each figure go (apart from the results: they vary by run)."""
        sub = self.build_dir / "timings"
        return (sub if self.lang == "en" else sub / self.lang) / f"{self.chapter}.json"

    @property
    def figures_dir(self) -> Path:
        d = self.build_dir / "figures" / self.chapter
        return d if self.lang == "en" else d / self.lang

    def rng(self, offset: int = 0) -> np.random.Generator:
        """A seeded generator; ``offset`` gives independent streams for separate draws."""
        return np.random.default_rng([self.seed, int(offset)])

    # -------------------------------------------------------------- results
    def record(self, key: str, value: Any, *, unit: str | None = None, source: dict[str, str] | None = None,
               expected: Any = None, rtol: float = 0.0, atol: float = 1e-9, note: str | None = None) -> Any:
        """Record one key result and write the chapter's JSON file.

        Parameters
        ----------
        key : str
            Dotted name, e.g. ``"share.communication"``.
        value : number, list, dict
            The computed value (numpy/pandas types are converted).
        unit : str, optional
            Unit of the value ("%", "USD", "customers" …).
        source : dict, optional
            :func:`seed_source` or :func:`paper_source` for numbers that come from a text.
        expected : optional
            The value printed in the source / paper; ``matches`` is then stored.
        rtol, atol : float
            Tolerance for ``matches``.

        Returns
        -------
        The recorded value, unchanged, so it can be used inline.
        """
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9_.\-]+", key):
            raise ValueError(f"result key must be a dotted identifier, got {key!r}")
        jv = to_jsonable(value)
        entry: dict[str, Any] = {"value": jv}
        if unit is not None:
            entry["unit"] = unit
        if source is not None:
            entry["source"] = dict(source)
        if expected is not None:
            je = to_jsonable(expected)
            entry["expected"] = je
            entry["matches"] = bool(_matches(jv, je, rtol, atol))
        if note:
            entry["note"] = note
        self._results[key] = entry
        self._write()
        return value

    def _write(self) -> None:
        p = self.results_path
        p.parent.mkdir(parents=True, exist_ok=True)
        doc = {"chapter": self.chapter, "params": self._params, "results": self._results,
               "figures": self._figures}
        tmp = p.with_suffix(".json.tmp")
        tmp.write_text(_dumps(doc), encoding="utf-8")
        tmp.replace(p)

    @property
    def results(self) -> dict[str, Any]:
        """Recorded values so far: key -> value."""
        return {k: v["value"] for k, v in self._results.items()}

    # -------------------------------------------------------------- figures
    def figure(self, fig: Any, number: str, slug: str, caption: str) -> SavedFigure:
        """Save ``fig`` as PNG and SVG under a stable name and show it with a numbered caption.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
        number : str
            ``"2.1"`` style number; must start with this chapter's number.
        slug : str
            Short lowercase name, e.g. ``"pareto"`` -> ``fig-2-1-pareto.png``.
        caption : str
            Caption text (in the chapter's language).

        Returns
        -------
        SavedFigure
            The number and the PNG and SVG paths.
        """
        import matplotlib.pyplot as plt

        m = re.fullmatch(r"(\d+)\.(\d+)", number or "")
        if not m or int(m.group(1)) != self.number:
            raise ValueError(f"figure number must look like '{self.number}.1', got {number!r}")
        if not re.fullmatch(r"[a-z0-9\-]+", slug or ""):
            raise ValueError(f"figure slug must be lowercase letters, digits and '-', got {slug!r}")
        stem = f"fig-{m.group(1)}-{m.group(2)}-{slug}"
        d = self.figures_dir
        d.mkdir(parents=True, exist_ok=True)
        png, svg = d / f"{stem}.png", d / f"{stem}.svg"
        start = time.perf_counter()
        box = _tight_bbox(fig, _PNG_DPI)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=_PNG_DPI, bbox_inches=box, metadata={"Software": None},
                    pil_kwargs=_PNG_PIL)
        png_bytes = buf.getvalue()
        png.write_bytes(png_bytes)
        fig.savefig(svg, bbox_inches=box, metadata={"Date": None, "Creator": None})
        self._figure_seconds[number] = round(time.perf_counter() - start, 4)
        self.timings_path.parent.mkdir(parents=True, exist_ok=True)
        self.timings_path.write_text(json.dumps({"chapter": self.chapter, "lang": self.lang,
                                                 "figure_seconds": self._figure_seconds}) + "\n", encoding="utf-8")
        label = f"{'Figure' if self.lang == 'en' else '图'} {number}"
        self._figures[number] = {"slug": slug, "caption": caption, "label": label,
                                 "png": png.relative_to(self.build_dir).as_posix(),
                                 "svg": svg.relative_to(self.build_dir).as_posix()}
        self._write()
        if self.display:
            from IPython.display import Image, Markdown, display

            # show the PNG just written (no second render); at screen size, like the inline backend
            width = struct.unpack(">I", png_bytes[16:20])[0]
            display(Image(data=png_bytes, format="png", width=round(width * 100 / _PNG_DPI)))
            display(Markdown(f"**{label}.** {caption}"))
        plt.close(fig)
        return SavedFigure(number, png, svg)


def _dumps(doc: dict[str, Any]) -> str:
    """JSON of a results document with one line per result and per figure.

    Rewritten after every ``record``, so it must stay cheap: ``json.dumps`` with ``indent`` runs
    in pure Python, while compact dumps of each entry use the C encoder. The outer levels are
    indented by hand, so the file still reads (and diffs) one result per line.
    """
    def one(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False)

    parts = []
    for key, value in doc.items():
        if isinstance(value, dict) and value:
            inner = ",\n".join(f"    {one(k)}: {one(v)}" for k, v in value.items())
            parts.append(f"  {one(key)}: {{\n{inner}\n  }}")
        else:
            parts.append(f"  {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _tight_bbox(fig: Any, dpi: float) -> Any:
    """The padded tight bounding box of ``fig`` in inches, as ``savefig(bbox_inches="tight")`` finds it.

    ``savefig`` finds it with a dry draw of the whole figure before the real draw, and
    does so again for every file written. Without a layout engine nothing moves at draw
    time, so the box can be measured straight from a renderer at the output ``dpi`` (the
    same text extents, hence the same box) and shared by the PNG and the SVG: three passes
    over the figure instead of four, and the same PNG. Figures with a layout engine keep
    ``"tight"`` (their layout is only applied by a draw).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : float
        Resolution the box is measured at (that of the PNG).

    Returns
    -------
    matplotlib.transforms.Bbox or str
        The box padded by ``savefig.pad_inches``, or ``"tight"``.
    """
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.get_layout_engine() is not None:
        return "tight"
    old_canvas, old_dpi = fig.canvas, fig.dpi
    try:
        fig.dpi = dpi
        box = fig.get_tightbbox(FigureCanvasAgg(fig).get_renderer())
    finally:
        fig.dpi = old_dpi
        fig.set_canvas(old_canvas)
    return box.padded(mpl.rcParams["savefig.pad_inches"])


def _style() -> None:
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.figsize": (7.0, 4.2),
        "figure.dpi": 100,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "svg.hashsalt": "crm-notebooks",
        "svg.fonttype": "path",
    })
