"""Numbers for people, in English and Chinese: the one place that decides how a number reads.

Every text a reader sees — figure labels, chapter sentences, tables, exercise answers, slides,
teacher pages — formats numbers through this module, directly or through the format specs
that :func:`crmlib.i18n.t` understands in the label tables:

==============  ==========================================  ===================================
spec            English                                     Chinese
==============  ==========================================  ===================================
``{x:usd}``     US$1,456 (``usd.2``: US$1,456.25)           1,456美元；48万美元；1.2亿美元
``{x:pct}``     87 % from 0.87 (``pct.1``: 87.3 %)          87%
``{x:p}``       < 0.001, 0.023                              < 0.001，0.023
``{x:pv}``      p < 0.001, p = 0.023 (the p with its sign)   the same
``{x:n}``       3,600,000 (``n.2``: 1,234.57)               3,600,000
``{x:g}``       as Python's ``g`` but never ``1.2e+06``     the same
==============  ==========================================  ===================================

Rules: no scientific notation anywhere; thousands separators; percentages as percentages;
p-values below 0.001 as "< 0.001"; money in Chinese in 万 and 亿 from 10,000 on (万 and 亿 are
how Chinese readers count: 90万美元, not 0.90 百万美元).

Examples
--------
>>> money(480000, "zh"), money(480000, "en"), money(2_950_000, "zh")
('48万美元', 'US$480,000', '295万美元')
>>> percent(0.874, "en", 1), pvalue(0.00002), number(3.6e6)
('87.4 %', '< 0.001', '3,600,000')
"""
from __future__ import annotations

import math
import numbers
import re
import string
from typing import Any

__all__ = ["number", "money", "percent", "pvalue", "LabelFormatter", "SPECS"]

#: The format specs beyond Python's own that label texts may use (see the module docstring).
SPECS = ("usd", "pct", "p", "pv", "n")

_SPEC = re.compile(r"^(usd|pct|pv|p|n)(?:\.(\d))?$")
#: Python ``g`` specs (``g``, ``,g``, ``.3g``): those switch to scientific notation for large and tiny values.
_G = re.compile(r"^,?(?:\.(\d+))?g$")


def _real(x: Any, name: str = "value") -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} {x!r}")
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    return v


def _lang(lang: str) -> str:
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be one of ('en', 'zh'), got {lang!r}")
    return lang


def _trim(text: str) -> str:
    """Drop trailing zeros of a decimal fraction (``1.50`` → ``1.5``, ``2.00`` → ``2``)."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(x: Any, lang: str = "en", digits: int | None = None) -> str:
    """A number with thousands separators and never in scientific notation.

    Parameters
    ----------
    x : real
        The number (finite).
    lang : {"en", "zh"}
        The language (both use ``,`` between thousands and ``.`` for decimals).
    digits : int, optional
        Decimals to show; by default as many as needed up to 6 significant digits.

    Returns
    -------
    str
    """
    v, _ = _real(x, "x"), _lang(lang)
    if digits is not None:
        if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 10:
            raise ValueError(f"digits must be an integer from 0 to 10, got {digits!r}")
        return f"{v:,.{digits}f}"
    if v == 0:
        return "0"
    mag = math.floor(math.log10(abs(v)))
    decimals = min(max(5 - mag, 0), 10)
    return _trim(f"{v:,.{decimals}f}")


def money(x: Any, lang: str = "en", digits: int | None = None, *, compact: bool = False) -> str:
    """An amount in US dollars for readers of ``lang``.

    English: ``US$1,234,567`` (``-US$1,200`` when negative; ``compact``: ``US$1.23 m``,
    ``US$12.3 k`` for labels inside a chart). Chinese: below 10,000 ``1,234美元``; from 10,000 on
    in 万 (``48万美元``, ``42.32万美元``), from 10⁸ on in 亿 (``1.2亿美元``) — compact already.

    Parameters
    ----------
    x : real
        The amount in US$.
    lang : {"en", "zh"}
    digits : int, optional
        Decimals of the shown figure (of the 万/亿 figure in Chinese). Default: whole dollars in
        English and below 10,000 in Chinese; up to two decimals of 万/亿 (and of the compact
        English m/k figure), trailing zeros dropped.
    compact : bool
        English only: millions as ``m`` and thousands (from 10,000) as ``k``.

    Returns
    -------
    str
    """
    v, lang = _real(x, "x"), _lang(lang)
    sign, a = ("-" if v < 0 else ""), abs(v)
    if lang == "en":
        for unit, size in ((" m", 1e6), (" k", 1e4)):
            if compact and a >= size:
                shown = f"{a / (size if unit == ' m' else 1e3):.{2 if digits is None else digits}f}"
                return f"{sign}US${_trim(shown) if digits is None else shown}{unit}"
        return f"{sign}US${a:,.{0 if digits is None else digits}f}"
    for unit, size in (("亿", 1e8), ("万", 1e4)):
        if a >= size:
            shown = f"{a / size:.{2 if digits is None else digits}f}"   # 3000万: no separator inside 万/亿
            return f"{sign}{_trim(shown) if digits is None else shown}{unit}美元"
    return f"{sign}{a:,.{0 if digits is None else digits}f}美元"


def percent(x: Any, lang: str = "en", digits: int = 0, *, fraction: bool = True) -> str:
    """A share as a percentage: ``87 %`` in English, ``87%`` in Chinese.

    Parameters
    ----------
    x : real
        The share: a fraction (0.87) when ``fraction`` is True, else already in percent (87).
    lang : {"en", "zh"}
    digits : int
        Decimals of the percentage.
    fraction : bool
        Whether ``x`` is a fraction of 1.

    Returns
    -------
    str
    """
    v, lang = _real(x, "x"), _lang(lang)
    shown = number(v * 100 if fraction else v, lang, digits)
    return f"{shown} %" if lang == "en" else f"{shown}%"


def pvalue(p: Any, lang: str = "en") -> str:
    """A p-value as people read it: ``< 0.001`` below one in a thousand, else three decimals.

    Parameters
    ----------
    p : real
        A probability in [0, 1].
    lang : {"en", "zh"}

    Returns
    -------
    str
    """
    v, _ = _real(p, "p"), _lang(lang)
    if not 0 <= v <= 1:
        raise ValueError(f"p must be a probability in [0, 1], got {v}")
    return "< 0.001" if v < 0.001 else f"{v:.3f}"


class LabelFormatter(string.Formatter):
    """``str.format`` for label texts in one language: Python's specs plus :data:`SPECS`,
    and ``g``-style specs that never fall into scientific notation.

    Parameters
    ----------
    lang : {"en", "zh"}
        The language of the text being filled.
    """

    def __init__(self, lang: str = "en") -> None:
        super().__init__()
        self.lang = _lang(lang)

    def format_field(self, value: Any, format_spec: str) -> str:
        """Format one placeholder's value.

        Parameters
        ----------
        value : Any
        format_spec : str

        Returns
        -------
        str
        """
        m = _SPEC.match(format_spec)
        if m:
            kind, d = m.group(1), (None if m.group(2) is None else int(m.group(2)))
            if kind == "usd":
                return money(value, self.lang, d)
            if kind == "pct":
                return percent(value, self.lang, 0 if d is None else d)
            if kind == "p":
                return pvalue(value, self.lang)
            if kind == "pv":
                text = pvalue(value, self.lang)
                return f"p {text}" if text.startswith("<") else f"p = {text}"
            return number(value, self.lang, d)
        out = super().format_field(value, format_spec)
        g = _G.match(format_spec)
        if g and "e" in out and isinstance(value, numbers.Real) and not isinstance(value, bool):
            sig = int(g.group(1)) if g.group(1) else 6
            out = number(float(f"{float(value):.{sig}g}"), self.lang)
        return out
