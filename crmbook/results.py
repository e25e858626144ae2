"""The one reader and writer of a chapter's recorded results (``results/[<lang>/]NN_slug.json``).

A results document is ``{"chapter", "params", "results", "figures"}``: the run's parameters,
each recorded value with its unit, source, expected value and ``matches`` flag, and each
saved figure with its caption and files. :class:`crmbook.chapter.Chapter` writes it
(:func:`write`), chapter 06 reads other chapters' (:mod:`crmbook.upstream`), the
Reproduce table and the site read all of them (:func:`read`, :func:`load_results`,
:func:`documents`).
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from crmlib.i18n import check_lang

from .layout import Layout, edition_dir, main_build_dir

__all__ = ["ResultsError", "KEYS", "to_jsonable", "dumps", "write", "read", "load_results", "find", "documents"]

#: The keys every results document has.
KEYS = ("chapter", "params", "results", "figures")


class ResultsError(ValueError):
    """A recorded-results file that is missing, unreadable or incomplete."""


def to_jsonable(value: Any) -> Any:
    """Convert numpy / pandas scalars and containers to plain JSON types.

    Parameters
    ----------
    value : Any
        A number, string, bool, None, list, tuple, dict, numpy array or pandas object.

    Returns
    -------
    Any
        The same value in JSON types.

    Raises
    ------
    ValueError
        A non-finite number.
    TypeError
        A value of any other type.
    """
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


def dumps(doc: dict[str, Any]) -> str:
    """JSON of a results document with one line per result and per figure.

    Rewritten after every executed cell, so it must stay cheap: ``json.dumps`` with ``indent``
    runs in pure Python, while compact dumps of each entry use the C encoder. The outer levels
    are indented by hand, so the file still reads (and diffs) one result per line.

    Parameters
    ----------
    doc : dict
        A results document.

    Returns
    -------
    str
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


def write(path: str | Path, doc: dict[str, Any]) -> Path:
    """Write a results document atomically (a reader never sees half a file).

    Parameters
    ----------
    path : str or Path
        The results file.
    doc : dict
        The document (see :data:`KEYS`).

    Returns
    -------
    Path
    """
    p = Path(path)
    missing = [k for k in KEYS if k not in doc]
    if missing:
        raise ResultsError(f"a results document needs the keys {list(KEYS)}; missing {missing}")
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".json.tmp")
    tmp.write_text(dumps(doc), encoding="utf-8")
    tmp.replace(p)
    return p


def read(path: str | Path) -> dict[str, Any]:
    """Read and check one results file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict
        The document.

    Raises
    ------
    FileNotFoundError
        No such file.
    ResultsError
        Not valid JSON, or not a results document (corrupt or partial); the message says to rerun
        the chapter.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no recorded results at {p}")
    rerun = f"rerun chapter {p.name[:2]} or remove the file"
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ResultsError(f"{p} is not a readable results file (corrupt: {err}); {rerun}") from None
    if not isinstance(doc, dict) or not all(k in doc for k in KEYS) or not all(
            isinstance(doc[k], dict) for k in ("params", "results", "figures")):
        raise ResultsError(f"{p} lacks the keys chapter/params/results/figures of a results file "
                           f"(corrupt or partial); {rerun}")
    return doc


def load_results(chapter: str, build_dir: str | Path | None = None, lang: str = "en") -> dict[str, Any]:
    """Read a chapter's recorded results (as written by :class:`crmbook.chapter.Chapter`).

    Parameters
    ----------
    chapter : str
        Notebook stem, e.g. ``"02_why_customers_are_lost"``.
    build_dir : str or Path, optional
        Build folder (default: the main job's, :func:`crmbook.layout.main_build_dir`).
    lang : {"en", "zh"}
        Edition.

    Returns
    -------
    dict
        ``{"chapter", "params", "results", "figures"}``.

    Raises
    ------
    FileNotFoundError
        No results file.
    ResultsError
        The file is not valid JSON or lacks the results document's keys.
    """
    p = Layout(build_dir if build_dir is not None else main_build_dir()).results(chapter, check_lang(lang))
    if not p.is_file():
        raise FileNotFoundError(f"no recorded results for chapter {chapter!r} [{lang}] at {p}")
    return read(p)


def find(number: str, build_dir: str | Path, lang: str = "en") -> Path | None:
    """The results file of chapter ``number`` (``"02"``) in an edition of ``build_dir``, or None.

    Parameters
    ----------
    number : str
        Two-digit chapter number.
    build_dir : str or Path
        Build folder holding ``results/``.
    lang : {"en", "zh"}
        Edition.

    Returns
    -------
    Path or None

    Raises
    ------
    ResultsError
        More than one file matches.
    """
    folder = edition_dir(Path(build_dir) / "results", lang)
    hits = sorted(folder.glob(f"{number}_*.json"))
    if len(hits) > 1:
        raise ResultsError(f"{len(hits)} results files for chapter {number} in {folder}: "
                           f"{[h.name for h in hits]}; remove the stale one")
    return hits[0] if hits else None


def documents(build_dir: str | Path, lang: str = "en") -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every results document of an edition, in chapter order.

    Parameters
    ----------
    build_dir : str or Path
    lang : {"en", "zh"}

    Yields
    ------
    (Path, dict)
    """
    folder = edition_dir(Path(build_dir) / "results", check_lang(lang))
    for f in sorted(folder.glob("[0-9][0-9]_*.json")):
        yield f, read(f)
