"""English / Chinese labels for every term the chapters plot, and CJK fonts.

The label table lives in ``crmlib/labels/*.csv`` (columns ``key,en,zh,topic``),
one file per topic so chapters can add terms without touching each other.
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

__all__ = ["LANGS", "labels", "t", "check_lang", "use_lang", "cjk_font_name", "glossary"]

LANGS = ("en", "zh")
_LABEL_DIR = Path(__file__).with_name("labels")
_BUNDLED_FONT = Path(__file__).with_name("fonts") / "wqy-microhei.ttc"
# System CJK families we accept before falling back to the bundled font (all OFL/Apache/GPL-with-exception).
_SYSTEM_CJK = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
               "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN")


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language code, else raise ValueError."""
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
    for file in sorted(_LABEL_DIR.glob("*.csv")):
        with open(file, encoding="utf-8", newline="") as fh:
            for lineno, row in enumerate(csv.DictReader(fh), start=2):
                key = (row.get("key") or "").strip()
                if not key:
                    raise ValueError(f"{file.name} line {lineno}: empty key")
                if key in table:
                    raise ValueError(f"{file.name} line {lineno}: label key {key!r} defined twice")
                for lang in LANGS:
                    if not (row.get(lang) or "").strip():
                        raise ValueError(f"{file.name} line {lineno}: key {key!r} has no {lang!r} text")
                table[key] = {"en": row["en"].strip(), "zh": row["zh"].strip(),
                              "topic": (row.get("topic") or file.stem).strip()}
    return table


def t(key: str, lang: str = "en", **fmt: object) -> str:
    """Translate a label key; ``fmt`` fills ``{placeholders}`` in the text.

    Raises
    ------
    KeyError
        If the key is not in the label table (the message names it).
    """
    check_lang(lang)
    table = labels()
    if key not in table:
        raise KeyError(f"no label {key!r} in crmlib/labels/*.csv")
    text = table[key][lang]
    return text.format(**fmt) if fmt else text


def glossary() -> list[dict[str, str]]:
    """Rows ``{key, en, zh, topic}`` sorted by topic then English term (for the glossary page)."""
    rows = [{"key": k, **v} for k, v in labels().items()]
    return sorted(rows, key=lambda r: (r["topic"], r["en"].lower()))


@functools.lru_cache(maxsize=1)
def cjk_font_name() -> str:
    """Name of a font family with Chinese glyphs, registering the bundled one if needed."""
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    for fam in _SYSTEM_CJK:
        if fam in available:
            return fam
    import dataclasses

    fm = font_manager.fontManager
    fm.addfont(str(_BUNDLED_FONT))
    name = font_manager.FontProperties(fname=str(_BUNDLED_FONT)).get_name()
    # The bundled font has a single (regular) face. Register it for bold requests too, so a bold title
    # renders in the same glyphs instead of logging "Failed to find font weight bold".
    regular = [e for e in fm.ttflist if e.name == name]
    if regular and not any(e.name == name and e.weight == 700 for e in fm.ttflist):
        fm.ttflist.append(dataclasses.replace(regular[0], weight=700))
        fm._findfont_cached.cache_clear()
    return name


def use_lang(lang: str) -> None:
    """Configure matplotlib for ``lang``: CJK-capable fonts first for ``"zh"``."""
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
