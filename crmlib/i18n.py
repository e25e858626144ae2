"""English / Chinese labels for every text the library's figures show, and CJK fonts.

The label table lives in ``crmlib/labels/*.csv`` (columns ``key,en,zh,topic``),
one file per topic. A package built on crmlib adds its own folder of tables with
:func:`add_label_dir` (the course's chapter texts are in ``crmbook/labels/``); every
key is defined once across all folders.
:func:`t` looks a key up; :func:`use_lang` prepares matplotlib for a language
(for ``"zh"`` it finds a CJK font on the system, or registers the bundled
WenQuanYi Micro Hei, Apache-2.0).

Examples
--------
>>> from crmlib.i18n import t
>>> t("loss.cause.price", "zh")
'产品价格'
"""
from __future__ import annotations

import csv
import functools
from pathlib import Path

from .fmt import LabelFormatter

__all__ = ["LANGS", "labels", "has_label", "t", "check_lang", "use_lang", "cjk_font_name", "add_labels",
           "add_label_dir", "localize_frame"]

LANGS = ("en", "zh")
_LABEL_DIR = Path(__file__).with_name("labels")
#: Folders whose ``*.csv`` make up the label table: the library's own, then those added by :func:`add_label_dir`.
_LABEL_DIRS: list[Path] = [_LABEL_DIR]
_BUNDLED_FONT = Path(__file__).with_name("fonts") / "wqy-microhei.ttc"
# System CJK families we accept before falling back to the bundled font (all OFL/Apache/GPL-with-exception).
_SYSTEM_CJK = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
               "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN")


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language code, else raise ValueError.

    Parameters
    ----------
    lang : str
        A language code.

    Returns
    -------
    str
        ``lang``.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


@functools.lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    """The whole label table: key -> {"en": ..., "zh": ..., "topic": ...}.


    Raises
    ------
    ValueError
        If a key is defined twice or a row lacks a translation.
    """
    table: dict[str, dict[str, str]] = {}
    for file in [f for d in _LABEL_DIRS for f in sorted(d.glob("*.csv"))]:
        with open(file, encoding="utf-8", newline="") as fh:
            for lineno, row in enumerate(csv.DictReader(fh), start=2):
                if None in row:
                    raise ValueError(f"{file.name} line {lineno}: more fields than the header "
                                     "(an unquoted comma in a text?)")
                key = (row.get("key") or "").strip()
                if not key:
                    raise ValueError(f"{file.name} line {lineno}: empty key")
                if key in table:
                    raise ValueError(f"{file} line {lineno}: label key {key!r} defined twice")
                for lang in LANGS:
                    if not (row.get(lang) or "").strip():
                        raise ValueError(f"{file.name} line {lineno}: key {key!r} has no {lang!r} text")
                table[key] = {"en": row["en"].strip(), "zh": row["zh"].strip(),
                              "topic": (row.get("topic") or file.stem).strip()}
    return table


def add_label_dir(folder: str | Path) -> None:
    """Add a folder of label tables (``*.csv`` with columns ``key,en,zh,topic``) to the table.

    Parameters
    ----------
    folder : str or Path
        The folder. Adding the same folder again changes nothing.

    Raises
    ------
    FileNotFoundError
        ``folder`` is not a folder.
    ValueError
        A key of the new tables is already defined (raised by the next lookup, naming file and line).
    """
    d = Path(folder).resolve()
    if not d.is_dir():
        raise FileNotFoundError(f"folder must be a folder of label tables, got {str(folder)!r}")
    if d not in _LABEL_DIRS:
        _LABEL_DIRS.append(d)
        labels.cache_clear()


_EXTRA: dict[str, dict[str, str]] = {}


def add_labels(entries: dict[str, dict[str, str]]) -> None:
    """Add labels at run time (your own chapter or a test), beside the shipped tables.

    Parameters
    ----------
    entries : dict
        ``key -> {"en": ..., "zh": ..., "topic": ...}``; ``topic`` is optional.


    Raises
    ------
    ValueError
        A key already defined in the shipped tables, or an entry without text in every language.
    """
    if not isinstance(entries, dict):
        raise TypeError(f"entries must be a dict of key -> {{'en': ..., 'zh': ...}}, got {type(entries).__name__}")
    shipped = labels()
    for key, row in entries.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"label key must be a non-empty string, got {key!r}")
        if key in shipped:
            raise ValueError(f"label key {key!r} is already defined in the label tables")
        if not isinstance(row, dict) or not all(isinstance(row.get(x), str) and row[x].strip() for x in LANGS):
            raise ValueError(f"label {key!r} needs a non-empty text for each of {LANGS}")
    for key, row in entries.items():
        _EXTRA[key] = {"en": row["en"], "zh": row["zh"], "topic": row.get("topic", "extra")}


class _Missing(dict):
    def __missing__(self, name: str) -> str:
        raise KeyError(name)


def t(key: str, lang: str = "en", **fmt: object) -> str:
    """Translate a label key; ``fmt`` fills ``{placeholders}`` in the text.

    Parameters
    ----------
    key : str
        A key of ``crmlib/labels/*.csv`` (or of :func:`add_labels`).
    lang : {"en", "zh"}
        The language.
    **fmt
        Values for the text's ``{placeholders}`` (format specs such as ``{x:.1f}`` allowed).

    Returns
    -------
    str


    Raises
    ------
    KeyError
        If the key is not in the label table, or a placeholder has no value (the message names it).
    """
    check_lang(lang)
    table = labels()
    row = table.get(key) or _EXTRA.get(key)
    if row is None:
        raise KeyError(f"no label {key!r} in the label tables ({', '.join(str(d) for d in _LABEL_DIRS)})")
    text = row[lang]
    if "{" not in text:
        return text
    try:
        return LabelFormatter(lang).vformat(text, (), _Missing(fmt))
    except KeyError as err:
        raise KeyError(f"label {key!r} [{lang}] needs a value for {{{err.args[0]}}}") from None


def has_label(key: str) -> bool:
    """Whether ``key`` is a label of the tables (or one added with :func:`add_labels`).

    Parameters
    ----------
    key : str

    Returns
    -------
    bool
    """
    return isinstance(key, str) and (key in labels() or key in _EXTRA)


def localize_frame(frame, lang: str = "en", *, values=None, index=None, columns=None):
    """A display copy of a table in ``lang``: headers, category values and booleans translated.

    Parameters
    ----------
    frame : pandas.DataFrame or pandas.Series
        The computed table (left unchanged).
    lang : {"en", "zh"}
    values : mapping of str to str, optional
        Column name -> label prefix: each value ``v`` of that column shows as ``t(prefix + "." + v)``.
    index : str, optional
        Label prefix for the index values (and ``col.<index name>`` for its header, if named).
    columns : mapping of str to str, optional
        Column name -> label key of its header; the default key is ``col.<column>``.

    Returns
    -------
    pandas.DataFrame


    Raises
    ------
    KeyError
        A header, value or index label is missing (the message names the key), or ``values``
        names a column the table does not have.
    """
    import pandas as pd

    check_lang(lang)
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame or Series, got {type(frame).__name__}")
    values, columns = dict(values or {}), dict(columns or {})
    for name in list(values) + list(columns):
        if name not in frame.columns:
            raise KeyError(f"the table has no column {name!r}; columns are {list(frame.columns)}")
    out = frame.copy()
    yes, no = t("core.yes", lang), t("core.no", lang)
    for c in out.columns:
        col = out[c]
        if c in values:
            out[c] = [t(f"{values[c]}.{v}", lang) for v in col]
        elif col.dtype == bool:
            out[c] = [yes if v else no for v in col]
    if index is not None:
        out.index = pd.Index([t(f"{index}.{v}", lang) for v in out.index])
    if frame.index.name is not None:
        out.index.name = t(f"col.{frame.index.name}", lang)
    out.columns = [t(columns.get(c, f"col.{c}"), lang) for c in frame.columns]
    return out


@functools.lru_cache(maxsize=1)
def cjk_font_name() -> str:
    """Name of a font family with Chinese glyphs, registering the bundled one if needed."""
    from matplotlib import font_manager

    import dataclasses

    fm = font_manager.fontManager
    available = {f.name for f in fm.ttflist}
    name = next((fam for fam in _SYSTEM_CJK if fam in available), None)
    if name is None:
        fm.addfont(str(_BUNDLED_FONT))
        name = font_manager.FontProperties(fname=str(_BUNDLED_FONT)).get_name()
    # CJK fonts such as WenQuanYi Micro Hei have a single (regular) face. Register it for bold requests
    # too, so a bold title renders in the same glyphs instead of logging "Failed to find font weight bold".
    regular = [e for e in fm.ttflist if e.name == name]
    if regular and not any(e.name == name and e.weight in (600, 700, "bold") for e in fm.ttflist):
        fm.ttflist.append(dataclasses.replace(regular[0], weight=700))
        fm._findfont_cached.cache_clear()
    return name


def use_lang(lang: str) -> None:
    """Configure matplotlib for ``lang``: CJK-capable fonts first for ``"zh"``.

    Parameters
    ----------
    lang : {"en", "zh"}
    """
    import matplotlib as mpl

    check_lang(lang)
    base = ["DejaVu Sans"]
    if lang == "zh":
        mpl.rcParams["font.family"] = "sans-serif"
        mpl.rcParams["font.sans-serif"] = [cjk_font_name(), *base]
        mpl.rcParams["axes.unicode_minus"] = False
        # the bundled CJK font has one weight: ask for no bold rather than get a substitute
        mpl.rcParams["axes.titleweight"] = "normal"
        mpl.rcParams["figure.titleweight"] = "normal"
    else:
        mpl.rcParams["font.family"] = "sans-serif"
        mpl.rcParams["font.sans-serif"] = base
        mpl.rcParams["axes.unicode_minus"] = True
