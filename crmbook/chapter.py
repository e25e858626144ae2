"""A chapter's run: recorded results (JSON), numbered figures (PNG + SVG) and its texts.

Every notebook creates one :class:`Chapter` right after its parameters cell::

    ch = Chapter("02_why_customers_are_lost", lang=lang, seed=seed, small=small, build_dir=build_dir)
    ch.apply_style()
    ch.record("share.communication", 68.0, unit="%", source=seed_source("S1", "客户流失的原因分析表"),
              expected=68.0)
    ch.figure(ax, "2.1", "pareto")                  # caption: label ch02.fig.2.1
    ch.say("coverage", n=2000, coverage=0.9535)     # sentence: label ch02.say.coverage

Where files go is :mod:`crmbook.layout`'s business: the main job passes a staging
``build_dir`` and promotes it into ``build/`` when the notebook succeeded; a run by
hand (``build_dir=None``) writes to ``lab-output/``.
"""
from __future__ import annotations

import io
import json
import math
import re
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from crmlib.i18n import check_lang, labels, localize_frame, t
from .figures import PNG_DPI, PNG_OPTIONS, deck_variants, min_font_pt, png_size, save_png, tight_bbox
from .layout import LAB_OUTPUT, Layout, main_build_dir
from .mdtext import lab_markdown
from .results import ResultsError, load_results, to_jsonable, write

__all__ = ["Chapter", "SavedFigure", "seed_source", "paper_source", "dataset_source"]


def seed_source(seed_file: str, phrase: str) -> dict[str, str]:
    """Provenance of a number printed in a source text: the seed file (or source id ``"S1"`` …) and a phrase.

    For one of the five sources it also records the readable ``source_id``, the
    ``title`` and the ``excerpt_id`` of the passage holding the phrase, and
    raises :class:`crmbook.sources.SourceError` naming the phrase and the file
    when no excerpt holds it (see :func:`crmbook.sources.seed_provenance`).

    Parameters
    ----------
    seed_file : str
        A source id (``"S1"``) or the seed file name it was taken from.
    phrase : str
        The cited phrase, as printed.

    Returns
    -------
    dict
        The provenance record stored with the result.
    """
    if not seed_file or not phrase:
        raise ValueError("seed_source needs both seed_file and phrase")
    from .sources import seed_provenance  # readable id, title and excerpt (datasets/sources/)
    return seed_provenance(seed_file, phrase)


def paper_source(citation: Any, where: str | None = None) -> dict[str, str]:
    """Provenance of a published value: the paper (a ``references.bib`` key or free text) and the table/page.

    Parameters
    ----------
    citation : str or crmlib.datasets.Published
        A key of ``datasets/sources/references.bib`` (``"fader2005bgnbd"``) or a free-text
        citation; or a published value (:func:`crmlib.datasets.published`), which carries both.
    where : str
        The table or page the value is printed in (not given with a published value).

    Returns
    -------
    dict
        The provenance record stored with the result. A key is recorded as ``key`` with its
        author–year ``citation``; see :func:`crmbook.sources.paper_provenance`.
    """
    from crmlib.datasets import Published

    if isinstance(citation, Published):
        if where is not None:
            raise ValueError("paper_source takes where only with a citation, not with a published value")
        citation, where = citation.citation, citation.where
    if not citation or not where:
        raise ValueError("paper_source needs both citation and where")
    from .sources import paper_provenance  # bibliography keys (datasets/sources/references.bib)
    return paper_provenance(citation, where)


def dataset_source(name: str, how: str) -> dict[str, str]:
    """Provenance of a number computed from a data set shipped in ``datasets/`` (e.g. the Telco sample).

    Such a number is printed nowhere: anyone can re-derive it from the file. The record names the
    data set, its file and the file's SHA-256 as listed in ``datasets/manifest.json`` (so the
    number is tied to those bytes) and how it was computed::

        ch.record("churn.share", 0.2654, source=dataset_source("wa_churn", "churn == 'Yes' / all rows"))

    Parameters
    ----------
    name : str
        A data set of ``datasets/manifest.json``.
    how : str
        The computation, in a few words or the crmlib call.

    Returns
    -------
    dict
        The provenance record stored with the result (``kind`` ``"dataset"``); see
        :func:`crmbook.sources.dataset_provenance`.
    """
    from .sources import dataset_provenance  # manifest entries (datasets/manifest.json)
    return dataset_provenance(name, how)


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


_ACTIVE: dict[str, "Chapter"] = {}


class Chapter:
    """One chapter's run: its language, seed and build folder, recorded results, figures and texts.

    Chapter code stays language-neutral: every string a reader sees is looked up in the label
    tables (``crmlib/labels/*.csv``) under the chapter's prefix ``chNN.`` — figure captions
    (``chNN.fig.<number>``), printed sentences (``chNN.say.<name>``), widget labels
    (``chNN.ui.<name>``), table headers (``col.<column>``) and exercise texts.

    Parameters
    ----------
    chapter : str
        Chapter id, the notebook's file stem (e.g. ``"02_why_customers_are_lost"``).
    lang : {"en", "zh"}
        The edition: language of every text the chapter shows.
    seed : int
        The chapter's master random seed (recorded with the results).
    small : bool
        Small mode (fewer draws / subsampled data) used by the tests.
    build_dir : str or Path, optional
        Where results and figures go. The main job passes a staging folder of ``build/``;
        ``None`` (a run by hand, e.g. in JupyterLab) writes to ``lab-output/`` so that the main
        job's ``build/`` is never changed by a student's run.
    display : bool
        Show figures, captions and sentences in the notebook (off in unit tests).
    **params
        The chapter's own parameters, recorded with the results.


    Notes
    -----
    Results are written once per executed cell (and by :meth:`save`), not on every
    :meth:`record`. Matplotlib's style is not touched until :meth:`apply_style` is called.
    A chapter that displays (``display=True``) tells pandas to show every cell and column of a
    table in full: the default cuts texts at 50 characters ("Analytical: capture, store, ...").
    """

    def __init__(self, chapter: str, *, lang: str = "en", seed: int = 0, small: bool = False,
                 build_dir: str | Path | None = None, display: bool = True, **params: Any) -> None:
        if not isinstance(chapter, str) or not re.fullmatch(r"\d\d_[a-z0-9_]+", chapter):
            raise ValueError(f"chapter must look like '02_why_customers_are_lost', got {chapter!r}")
        self.chapter = chapter
        self.number = int(chapter[:2])
        self.prefix = f"ch{self.number:02d}"
        self.lang = check_lang(lang)
        seed = int(seed) if isinstance(seed, np.integer) else seed    # messages print 3, not np.int64(3)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        if not isinstance(small, (bool, np.bool_)):
            raise ValueError(f"small must be True or False, got {small!r}")
        self.small = bool(small)
        self.interactive = build_dir is None or str(build_dir) == ""
        #: where this run writes (a staging folder in the main job, lab-output/ by hand)
        self.layout = Layout(LAB_OUTPUT if self.interactive else build_dir)
        #: where other chapters' complete results are read from (the main job's build/)
        self.inputs = Layout(main_build_dir())
        self.display = bool(display)
        self._results: dict[str, Any] = {}
        self._figures: dict[str, Any] = {}
        self._figure_seconds: dict[str, float] = {}
        self._deck_seconds: dict[str, float] = {}
        self._params = {"lang": self.lang, "seed": self.seed, "small": self.small, **to_jsonable(params)}
        self._dirty = True
        if self.display:
            _show_tables_in_full()
        self._hook_into_kernel()

    # ---------------------------------------------------------------- paths
    @property
    def build_dir(self) -> Path:
        """The folder this run writes to."""
        return self.layout.root

    @property
    def results_path(self) -> Path:
        """The chapter's results file in its edition (``<build>/results/[zh/]<chapter>.json``)."""
        return self.layout.results(self.chapter, self.lang)

    @property
    def timings_path(self) -> Path:
        """Where the seconds spent saving each figure go (apart from the results: they vary by run)."""
        return self.layout.timings(self.chapter, self.lang)

    @property
    def figures_dir(self) -> Path:
        """The folder the chapter's figures are saved in (PNG and SVG, one pair per figure)."""
        return self.layout.figures(self.chapter, self.lang)

    def rng(self, offset: int = 0) -> np.random.Generator:
        """A seeded generator; ``offset`` gives independent streams for separate draws.

        Parameters
        ----------
        offset : int
            Stream number (a distinct one per draw in a chapter).

        Returns
        -------
        numpy.random.Generator
        """
        offset = int(offset) if isinstance(offset, np.integer) else offset
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError(f"offset must be a non-negative integer, got {offset!r}")
        return np.random.default_rng([self.seed, int(offset)])

    def apply_style(self) -> None:
        """Apply the collection's plotting style and the fonts of this chapter's language.

        The one explicit call that changes matplotlib's global settings (see
        :func:`crmlib.plotting.apply_style`).
        """
        from crmlib.plotting import apply_style

        apply_style(self.lang)

    # ---------------------------------------------------------------- texts
    def _key(self, key: str) -> str:
        if not isinstance(key, str) or not key:
            raise TypeError(f"key must be a label key, got {key!r}")
        own = f"{self.prefix}.{key}"
        return own if own in labels() or key.split(".", 1)[0] not in _shared_heads() else key

    def t(self, key: str, **values: Any) -> str:
        """A text in the chapter's language.

        Parameters
        ----------
        key : str
            A label key: the chapter's own without its prefix (``"ui.cut"`` is ``chNN.ui.cut``), or a
            key of the shared tables (``core.``, ``col.``, a topic such as ``loss.``) as it is.
        **values
            Values for the text's ``{placeholders}``.

        Returns
        -------
        str
        """
        return t(self._key(key), self.lang, **values)

    def join(self, prefix: str | None, ids: Any) -> str:
        """The labels ``prefix.<id>`` of ``ids``, joined as a list in the chapter's language.

        Parameters
        ----------
        prefix : str or None
            Label prefix, e.g. ``"loss.cause"``; None joins ``ids`` themselves (e.g. years: "0, 1" / "0、1").
        ids : iterable of str
            The ids to name.

        Returns
        -------
        str
            E.g. "price, complaints" / "价格、投诉".
        """
        if isinstance(ids, str):
            raise TypeError("ids must be a list of ids, not one string")
        sep = t("core.number_sep" if prefix is None else "core.list_sep", self.lang)
        sep += " " if sep.isascii() else ""   # Latin punctuation is followed by a space, CJK's is not
        return sep.join(str(i) if prefix is None else t(f"{prefix}.{i}", self.lang) for i in ids)

    def say(self, key: str, **values: Any) -> None:
        """Show the sentence ``chNN.say.<key>`` filled with computed ``values`` (Markdown).

        Parameters
        ----------
        key : str
            Name of the sentence under ``chNN.say.``.
        **values
            Values for its placeholders.

        Returns
        -------
        None
            (Use :meth:`t` with ``"say.<key>"`` for the text itself.)
        """
        text = t(f"{self.prefix}.say.{key}", self.lang, **values)
        if self.display:
            from IPython.display import display

            display({"text/markdown": lab_markdown(text), "text/plain": text}, raw=True)

    def table(self, frame: Any, *, values: Mapping[str, str] | None = None, index: str | None = None,
              columns: Mapping[str, str] | None = None, formats: Mapping[str, str] | None = None) -> Any:
        """A display copy of ``frame`` in the chapter's language (see :func:`crmlib.i18n.localize_frame`).

        Parameters
        ----------
        frame : pandas.DataFrame or pandas.Series
        values : mapping of str to str, optional
            Column name -> label prefix whose ``prefix.<value>`` keys name that column's values.
        index : str, optional
            Label prefix for the index values.
        columns : mapping of str to str, optional
            Column name -> label key for its header, where it is not ``col.<column>``.
        formats : mapping of str to str, optional
            Column name -> number format for people (:mod:`crmlib.fmt`): ``"pct.1"`` shows a
            fraction as a percentage with one decimal, ``"p"`` a p-value (``< 0.001``), ``"usd"``
            money (万 in Chinese), ``"n.2"`` a number with thousands separators, or any Python spec
            (``".3f"``); for a column whose rows hold different quantities, a mapping of index
            label -> spec (every row named). Missing values show as "—", infinite ones as "∞".

        Returns
        -------
        pandas.DataFrame
        """
        return localize_frame(self._formatted(frame, formats), self.lang, values=values, index=index,
                              columns=columns)

    def _formatted(self, frame: Any, formats: Mapping[str, str] | None) -> Any:
        """``frame`` with the columns named in ``formats`` as formatted text (a copy)."""
        if not formats:
            return frame
        import pandas as pd

        from crmlib.fmt import LabelFormatter

        if not isinstance(formats, Mapping):
            raise TypeError(f"formats must map column names to format specs, got {type(formats).__name__}")
        out = frame.to_frame() if isinstance(frame, pd.Series) else frame.copy()
        fmt = LabelFormatter(self.lang)
        for col, spec in formats.items():
            if col not in out.columns:
                raise KeyError(f"formats names column {col!r}; the table's columns are {list(out.columns)}")
            if isinstance(spec, Mapping):
                rows = [r for r in out.index if r not in spec]
                if rows:
                    raise KeyError(f"formats[{col!r}] gives no spec for row(s) {[str(r) for r in rows]}")
                specs = [spec[r] for r in out.index]
            else:
                specs = [spec] * len(out)
            bad = [x for x in specs if not isinstance(x, str)]
            if bad:
                raise TypeError(f"formats[{col!r}] must be a format spec string or a mapping of row -> spec, "
                                f"got {bad[0]!r}")
            out[col] = [_formatted_value(v, x, fmt) for v, x in zip(out[col].tolist(), specs)]
        return out

    def exercises(self, module: Any) -> Any:
        """The chapter's exercises in its language.

        Parameters
        ----------
        module : module or ExerciseSet
            ``crmbook.exercises.chNN`` (its ``EXERCISES``) or an :class:`~crmbook.exercises.ExerciseSet`.

        Returns
        -------
        crmbook.exercises.BoundExercises
            With ``show()`` (the questions as Markdown) and ``check(number, answer)``.
        """
        from .exercises import ExerciseSet

        ex = module if isinstance(module, ExerciseSet) else getattr(module, "EXERCISES", None)
        if not isinstance(ex, ExerciseSet):
            raise TypeError(f"module must be an exercise module or ExerciseSet, got {module!r}")
        return ex.bind(self.lang)

    # ------------------------------------------------------------ what-ifs
    @property
    def parameters(self) -> dict[str, Any]:
        """The chapter's parameters with their declared domains (:func:`crmbook.parameters.chapter_spec`)."""
        from .parameters import chapter_spec

        return chapter_spec(self.chapter)

    def slider(self, name: str, value: float, step: float, *, low: float | None = None,
               high: float | None = None, label: str | None = None) -> Any:
        """A what-if slider labelled ``ui.<label or name>``, over the range declared for parameter ``name``.

        The range is the parameter's domain (its first interval; an open end starts one step
        inside), unless ``low`` and ``high`` are given. Nothing is clamped: a ``value`` outside the
        range widens it (:func:`crmbook.widgets.slider`).

        Parameters
        ----------
        name : str
            The parameter (or, with ``low`` and ``high``, any name).
        value : float
            The start value.
        step : float
            The slider's step (integers throughout give an integer slider).
        low, high : float, optional
            The range, where it is not the parameter's.
        label : str, optional
            The label's name under ``chNN.ui.`` (default ``name``).

        Returns
        -------
        ipywidgets.IntSlider or ipywidgets.FloatSlider
        """
        from .widgets import slider

        if low is None or high is None:
            param = self.parameters.get(name)
            ivs = param.domain.intervals if param is not None and param.domain is not None else []
            if not ivs or not all(map(math.isfinite, (ivs[0].low, ivs[0].high))):
                raise ValueError(f"parameter {name!r} declares no finite range: give the slider low and high")
            iv = ivs[0]
            low = iv.low + step if iv.low_open and low is None else (iv.low if low is None else low)
            high = iv.high - step if iv.high_open and high is None else (iv.high if high is None else high)
        if isinstance(value, int) and isinstance(step, int) and not isinstance(value, bool):
            low, high = (int(x) if float(x).is_integer() else x for x in (low, high))
        return slider(value, low, high, step, self.t(f"ui.{label or name}"))

    def what_if(self, func: Any, *, plot: Any = None, **controls: Any) -> Any:
        """:func:`crmbook.widgets.what_if` in the chapter's language.

        Parameters
        ----------
        func : callable
            Computes and says the result for the controls' values (raise :meth:`invalid` for values
            it cannot compute).
        plot : callable, optional
            ``plot(result)``: the live chart.
        **controls
            Argument name -> control (:meth:`slider`, ipywidgets).

        Returns
        -------
        crmbook.widgets.WhatIf
        """
        from .widgets import what_if

        return what_if(func, plot=plot, lang=self.lang, **controls)

    def invalid(self, key: str, **values: Any) -> Exception:
        """The exception a what-if function raises for values it cannot compute: ``raise ch.invalid(...)``.

        Parameters
        ----------
        key : str
            The sentence ``chNN.say.<key>``.
        **values
            Its placeholders.

        Returns
        -------
        crmbook.widgets.Invalid
            Carrying the sentence in the chapter's language.
        """
        from .widgets import Invalid

        return Invalid(t(f"{self.prefix}.say.{key}", self.lang, **values))

    # ------------------------------------------------- the library's own words
    def _show_library(self, sentence: str, messages: list[str]) -> None:
        """Show ``sentence`` (the chapter's language) and each library message verbatim, as code."""
        if not self.display:
            return
        from IPython.display import display

        shown = "\n\n".join([lab_markdown(sentence), *(_code_span(m) for m in messages)])
        display({"text/markdown": shown, "text/plain": "\n\n".join([sentence, *messages])}, raw=True)

    def refused(self, key: str, func: Any, *args: Any, **kwargs: Any) -> str:
        """Call ``func``, which must refuse its input, and show why: the chapter's sentence, then the library's message.

        For a chapter that shows what a library refuses (a raw log that :func:`crmlib.clv.rfm.summarize`
        cannot read): the reader sees one sentence in the chapter's language, ``chNN.say.<key>``, and
        the library's own message below it as code (verbatim, in the library's English), never a
        traceback.

        Parameters
        ----------
        key : str
            The sentence ``chNN.say.<key>`` (no placeholders).
        func : callable
            The call that must refuse (raise ``ValueError`` or ``TypeError``).
        *args, **kwargs
            Its arguments.

        Returns
        -------
        str
            ``"<error class>: <message>"``, e.g. ``"TypeError: transactions column 'amount' must be numeric, …"``.

        Raises
        ------
        RuntimeError
            ``func`` returned instead of refusing: the chapter's text no longer describes the library.
        """
        if not callable(func):
            raise TypeError(f"func must be callable, got {type(func).__name__}")
        sentence = t(f"{self.prefix}.say.{key}", self.lang)
        try:
            func(*args, **kwargs)
        except (ValueError, TypeError) as err:
            message = f"{type(err).__name__}: {err}"
        else:
            raise RuntimeError(f"{getattr(func, '__qualname__', func)!s} accepted the input that sentence "
                               f"{self.prefix}.say.{key} says it refuses: the chapter no longer describes the library")
        self._show_library(sentence, [message])
        return message

    def warned(self, key: str, func: Any, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
        """Call ``func`` and show every warning crmlib gave (:class:`crmlib.warnings.CRMWarning`) in the reader's language.

        Warnings are what a researcher must read (a fit that did not converge, customers left out), but
        Python prints them as English lines on the error stream. Here each is shown below the sentence
        ``chNN.say.<key>`` (filled with ``n``, the number of warnings) as the library wrote it, as code;
        with no warning nothing is shown. Other warnings pass through unchanged.

        Parameters
        ----------
        key : str
            The sentence ``chNN.say.<key>``, placeholder ``{n}``.
        func : callable
            The call.
        *args, **kwargs
            Its arguments.

        Returns
        -------
        tuple
            ``(result, messages)``: what ``func`` returned and the warnings' ``"<class>: <message>"`` texts.
        """
        import warnings

        from crmlib.warnings import CRMWarning

        if not callable(func):
            raise TypeError(f"func must be callable, got {type(func).__name__}")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = func(*args, **kwargs)
        ours = [w for w in caught if issubclass(w.category, CRMWarning)]
        for w in caught:
            if not issubclass(w.category, CRMWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        messages = [f"{w.category.__name__}: {w.message}" for w in ours]
        if messages:
            self._show_library(t(f"{self.prefix}.say.{key}", self.lang, n=len(messages)), messages)
        return result, messages

    # -------------------------------------------------------------- results
    def record(self, key: str, value: Any, *, unit: str | None = None, source: dict[str, str] | None = None,
               expected: Any = None, rtol: float = 0.0, atol: float = 1e-9, note: str | None = None) -> Any:
        """Record one key result.

        Parameters
        ----------
        key : str
            Dotted name, e.g. ``"share.communication"``.
        value : number, list, dict
            The computed value (numpy/pandas types are converted).
        unit : str, optional
            Unit of the value ("%", "USD", "customers" …).
        source : dict, optional
            :func:`seed_source` or :func:`paper_source` for numbers that come from a text,
            :func:`dataset_source` for numbers computed from a shipped data set.
        expected : optional
            The value printed in the source / paper; ``matches`` is then stored.
        rtol, atol : float
            Tolerance for ``matches``.
        note : str, optional
            A remark stored with the value (for researchers; not shown to readers).

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
        self._dirty = True
        return value

    def record_many(self, prefix: str, values: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Record ``prefix.<name>`` for every item of ``values`` with the same options.

        Parameters
        ----------
        prefix : str
            Dotted key prefix, e.g. ``"share"`` (``""``: the names are the keys).
        values : mapping
            Name -> value (a dict or a pandas Series).
        **kwargs
            Options of :meth:`record` (``unit``, ``source``, ``expected`` …). ``expected`` may be a
            mapping with the same names, giving each value its own expected value.

        Returns
        -------
        dict
            Name -> the value recorded.
        """
        if not hasattr(values, "items"):
            raise TypeError(f"values must be a mapping or Series, got {type(values).__name__}")
        expected = kwargs.pop("expected", None)
        out = {}
        for name, value in values.items():
            exp = expected.get(name) if isinstance(expected, Mapping) or hasattr(expected, "get") else expected
            if expected is not None and exp is None:
                raise KeyError(f"expected has no value for {name!r}")
            out[name] = self.record(f"{prefix}.{name}" if prefix else str(name), value, expected=exp, **kwargs)
        return out

    @property
    def results(self) -> dict[str, Any]:
        """Recorded values so far: key -> value."""
        return {k: v["value"] for k, v in self._results.items()}

    def upstream(self, chapter: str) -> dict[str, Any]:
        """Another chapter's complete recorded results in this edition, from the main job's build.

        Parameters
        ----------
        chapter : str
            The other chapter's notebook stem.

        Returns
        -------
        dict
            Its results document (see :func:`load_results`).
        """
        return load_results(chapter, self.inputs.root, self.lang)

    def save(self) -> Path:
        """Write the results document (and the figure timings) now.

        Called after every executed cell in a kernel; call it yourself in a script.

        Returns
        -------
        Path
            The results file.
        """
        p = write(self.results_path, {"chapter": self.chapter, "params": self._params,
                                      "results": self._results, "figures": self._figures})
        if self._figure_seconds:
            tp = self.timings_path
            tp.parent.mkdir(parents=True, exist_ok=True)
            tp.write_text(json.dumps({"chapter": self.chapter, "lang": self.lang,
                                      "figure_seconds": self._figure_seconds,
                                      "deck_seconds": self._deck_seconds}) + "\n", encoding="utf-8")
        self._dirty = False
        return p

    def _after_cell(self, *_: Any) -> None:
        if self._dirty:
            self.save()

    def _hook_into_kernel(self) -> None:
        """Save after every executed cell; a chapter created again replaces the earlier one's hook."""
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython is a dependency
            return
        ip = get_ipython()
        if ip is None:
            return
        from .kernel import install

        install(ip)    # readable errors for cells run out of order, in a kernel not started as crm-notebooks
        old = _ACTIVE.pop(self.chapter, None)
        if old is not None:
            try:
                ip.events.unregister("post_run_cell", old._after_cell)
            except ValueError:
                pass
        ip.events.register("post_run_cell", self._after_cell)
        _ACTIVE[self.chapter] = self

    # -------------------------------------------------------------- figures
    def figure(self, fig: Any, number: str, slug: str, *, deck: Any = "auto", **values: Any) -> SavedFigure:
        """Save ``fig`` as PNG and SVG under a stable name and show it with its numbered caption.

        The caption is the label ``chNN.fig.<number>`` in the chapter's language, its
        placeholders filled from ``values`` (computed numbers, never typed ones).

        The record of the figure (the results' ``figures``) also holds the saved size in
        inches (``width_in``, ``height_in``) and the smallest font size in points
        (``min_font_pt``), so that the instructor's deck can show it at a legible size; and
        ``deck``, the PNGs a deck shows *instead* when the figure's text would be smaller
        than :data:`crmbook.figures.DECK_MIN_TEXT_PX` on a slide (each with its own
        size and smallest font). The PNG and SVG the site shows are never changed by them.

        Parameters
        ----------
        fig : matplotlib.figure.Figure or matplotlib.axes.Axes
            The figure (an Axes stands for its figure).
        number : str
            ``"2.1"`` style number; must start with this chapter's number.
        slug : str
            Short lowercase name, e.g. ``"pareto"`` -> ``fig-2-1-pareto.png``.
        deck : "auto", None, Figure, Axes or list of them
            The deck's variants: ``"auto"`` (default) lets :func:`crmbook.figures.deck_variants`
            split a multi-panel figure into one image per panel and enlarge text that would be
            too small on a slide (nothing when the figure is legible as it is); None shows the
            figure itself; figures (or axes) given here are saved as the variants, in order.
            They go to ``fig-N-k-<slug>-deck-<i>.png``.
        **values
            Values for the caption's placeholders.

        Returns
        -------
        SavedFigure
            The number and the PNG and SVG paths.
        """
        import matplotlib as mpl
        import matplotlib.pyplot as plt

        fig = getattr(fig, "figure", fig) if not hasattr(fig, "savefig") else fig
        if not hasattr(fig, "savefig"):
            raise TypeError(f"fig must be a matplotlib Figure or Axes, got {type(fig).__name__}")
        m = re.fullmatch(r"(\d+)\.(\d+)", number) if isinstance(number, str) else None
        if not m or int(m.group(1)) != self.number:
            raise ValueError(f"figure number must look like '{self.number}.1', got {number!r}")
        if not isinstance(slug, str) or not re.fullmatch(r"[a-z0-9\-]+", slug):
            raise ValueError(f"figure slug must be lowercase letters, digits and '-', got {slug!r}")
        caption = t(f"{self.prefix}.fig.{number}", self.lang, **values)
        stem = f"fig-{m.group(1)}-{m.group(2)}-{slug}"
        d = self.figures_dir
        d.mkdir(parents=True, exist_ok=True)
        png, svg = d / f"{stem}.png", d / f"{stem}.svg"
        start = time.perf_counter()
        box = tight_bbox(fig, PNG_DPI)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=PNG_DPI, bbox_inches=box, metadata={"Software": None},
                    pil_kwargs=PNG_OPTIONS)
        png_bytes = buf.getvalue()
        png.write_bytes(png_bytes)
        with mpl.rc_context({"svg.hashsalt": "crm-notebooks"}):   # the same ids in every run: identical files
            fig.savefig(svg, bbox_inches=box, metadata={"Date": None, "Creator": None})
        self._figure_seconds[number] = round(time.perf_counter() - start, 4)
        label = t("core.figure_label", self.lang, number=number)
        entry = {"slug": slug, "caption": caption, "label": label,
                 "png": png.relative_to(self.build_dir).as_posix(),
                 "svg": svg.relative_to(self.build_dir).as_posix(), **_size_record(png_bytes, min_font_pt(fig))}
        start = time.perf_counter()
        variants = self._deck_variants(fig, deck, d / stem, png_size(png_bytes, PNG_DPI))
        self._deck_seconds[number] = round(time.perf_counter() - start, 4)
        if variants:
            entry["deck"] = variants
        self._figures[number] = entry
        self._dirty = True
        if self.display:
            from IPython.display import Image, display

            # show the PNG just written (no second render); at screen size, like the inline backend
            width = struct.unpack(">I", png_bytes[16:20])[0]
            display(Image(data=png_bytes, format="png", width=round(width * 100 / PNG_DPI)))
            md = f"**{label}.** {caption}" if self.lang == "en" else f"**{label}**　{caption}"
            display({"text/markdown": lab_markdown(md), "text/plain": md}, raw=True,
                    metadata={"crmlib": {"figure": number}})
        plt.close(fig)
        return SavedFigure(number, png, svg)

    def _deck_variants(self, fig: Any, deck: Any, stem: Path, size_in: tuple[float, float]) -> list[dict[str, Any]]:
        """Save the deck's variants of ``fig`` (see :meth:`figure`) next to it; their records."""
        import matplotlib.pyplot as plt

        for old in stem.parent.glob(f"{stem.name}-deck-*.png"):
            old.unlink()
        if deck is None:
            return []
        if isinstance(deck, str):
            if deck != "auto":
                raise ValueError(f"deck must be 'auto', None or figures, got {deck!r}")
            made = deck_variants(fig, size_in, PNG_DPI)
            own = []
        else:
            own = [getattr(f, "figure", f) if not hasattr(f, "savefig") else f
                   for f in (deck if isinstance(deck, (list, tuple)) else [deck])]
            if not own or not all(hasattr(f, "savefig") for f in own):
                raise TypeError("deck must be 'auto', None, or matplotlib Figures or Axes")
            made = [(save_png(f, PNG_DPI), min_font_pt(f)) for f in own]
        out = []
        for i, (png_bytes, low) in enumerate(made, 1):
            path = stem.with_name(f"{stem.name}-deck-{i}.png")
            path.write_bytes(png_bytes)
            out.append({"png": path.relative_to(self.build_dir).as_posix(), **_size_record(png_bytes, low)})
        for f in own:
            plt.close(f)
        return out


def _size_record(png: bytes, low: float | None) -> dict[str, Any]:
    """``width_in``, ``height_in`` (of the saved PNG) and ``min_font_pt`` (``low``) of a figure's record."""
    w, h = png_size(png, PNG_DPI)
    out: dict[str, Any] = {"width_in": round(w, 3), "height_in": round(h, 3)}
    if low is not None:
        out["min_font_pt"] = round(low, 2)
    return out


def _code_span(text: str) -> str:
    """``text`` as a Markdown code span, shown verbatim whatever backticks or dollar signs it holds."""
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    return f"{fence} {text} {fence}"


def _formatted_value(v: Any, spec: str, fmt: Any) -> str:
    """One table value as text: missing as "—", infinite as "∞", else ``fmt`` with ``spec``."""
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return "∞" if v > 0 else "−∞"
    return fmt.format_field(v, spec)


def _show_tables_in_full() -> None:
    """Let pandas show every cell and column of a table in full (its default cuts cells at 50 characters)."""
    import pandas as pd

    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_columns", None)


def _shared_heads() -> frozenset[str]:
    """First segments of the shipped shared label keys (``core``, ``col``, topics such as ``loss``)."""
    return frozenset(k.split(".", 1)[0] for k in labels() if not re.fullmatch(r"ch\d\d\..*", k))
