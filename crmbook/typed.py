"""What a student typed, read the way a student meant it.

Students type with whatever keyboard and input method they have: a Chinese input method gives
full-width digits and letters (``８７``, ``Ｂ``), full-width punctuation (``，`` ``％`` ``：``),
an ideographic space (U+3000), curly quotes (``“B”``) and corner brackets (``「B」``). They
write numbers with units (``340位``, ``11067美元``, ``US$ 3,600,000``), magnitudes (``8万``,
``1.2亿``, ``11k``), percent signs (``87%``, ``87％``, ``百分之87``) and thousands separators
(``80,000`` — which Python reads as the pair ``(80, 0)`` when typed in code). This module is
the one place that reads such input; the exercise checkers (:mod:`crmbook.exercises`), the
what-if readouts (:mod:`crmbook.widgets`) and the parameter checks (:mod:`crmbook.parameters`)
all use it.

Examples
--------
>>> read_number("８７％").value, read_number("８７％").percent
(87.0, True)
>>> read_number("8万").value
80000.0
>>> read_number((80, 0)).value
80000.0
>>> read_letter("“Ｂ”。")
'B'
>>> read_yes_no("不矛盾", words=("矛盾",))
'no'
"""
from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["normalize", "Number", "read_number", "read_letter", "read_yes_no", "format_number",
           "CODE_PUNCTUATION", "QUOTES"]

#: Punctuation an input method gives that NFKC leaves alone, and what it stands for in code.
CODE_PUNCTUATION = {"\u3000": " ", "\u3001": ",", "\u3002": ".", "\u2212": "-", "\u2013": "-",
                    "\u3010": "[", "\u3011": "]"}
#: Curly quotes and corner brackets -> the straight quote they stand for.
QUOTES = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u300c": '"', "\u300d": '"', "\u300e": '"',
          "\u300f": '"', "\u2018": "'", "\u2019": "'"}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normalize(text: str) -> str:
    """``text`` with full-width and look-alike characters replaced by their plain forms.

    NFKC (full-width digits, letters and punctuation, the no-break space), the ideographic
    space and comma and full stop, curly quotes and corner brackets, the minus sign; zero-width
    characters removed; surrounding blanks stripped.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    out = unicodedata.normalize("NFKC", text.translate(_INVISIBLE))
    return "".join(QUOTES.get(c, CODE_PUNCTUATION.get(c, c)) for c in out).strip()


@dataclass(frozen=True)
class Number:
    """A number read from a student's answer.

    Parameters
    ----------
    value : float
        The number, magnitudes applied (``8万`` is 80000).
    percent : bool
        Written with a percent sign (``87%``) or as ``百分之87``.
    scaled : bool
        Written with a magnitude word (万, 亿, 千, 百万, k, million …).
    tuple_text : str
        When Python read a number typed with thousands separators as a tuple (``80,000`` is
        ``(80, 0)``; ``340,`` is ``(340,)``): the number as the student typed it; else ``""``.
    """

    value: float
    percent: bool = False
    scaled: bool = False
    tuple_text: str = ""


_APPROX = re.compile(r"^(?:约|大约|大概|差不多|approx\.?|approximately|about|around|~|≈)\s*|\s*(?:左右|上下|约)$",
                     re.I)
_CURRENCY = r"(?:US\$|USD|\$|RMB|CNY|¥|￥)"
_SCALES = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8, "千": 1e3, "百万": 1e6, "千万": 1e7, "k": 1e3,
           "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "millions": 1e6, "bn": 1e9, "billion": 1e9}
_UNITS = ("美元", "美金", "元", "块钱", "块", "位", "家", "个", "人", "名", "笔", "次", "户", "年", "周", "天", "月",
          "倍", "单", "usd", "dollars", "dollar", "customers", "customer", "prospects", "prospect", "deals",
          "deal", "people", "years", "year", "weeks", "week", "times", "x")
_NUM = r"[-+]?(?:\d{1,3}(?:[,，]\d{3})+|\d{1,3}(?:_\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+"
_NUMBER = re.compile(
    rf"^(?P<pct1>百分之)?\s*{_CURRENCY}?\s*(?P<num>{_NUM})\s*(?P<scale>{'|'.join(sorted(map(re.escape, _SCALES), key=len, reverse=True))})?"
    rf"\s*(?P<pct2>%|percent|pct|个百分点|百分点)?\s*(?P<cur2>{_CURRENCY})?\s*"
    rf"(?P<unit>{'|'.join(sorted(map(re.escape, _UNITS), key=len, reverse=True))})?$", re.I)


def _read_text(text: str) -> Number | None:
    s = re.sub(r"^[\s\"'`(\[]+|[\s\"'`)\].,;:!?]+$", "", normalize(text))
    prev = None
    while prev != s:
        prev, s = s, _APPROX.sub("", s).strip()
    s = re.sub(r"(?<=\d) (?=\d{3}(?!\d))", "", s)          # 11 067 -> 11067 (a space between thousands)
    m = _NUMBER.match(s)
    if not m:
        return None
    num = m.group("num").replace(",", "").replace("，", "").replace("_", "")
    try:
        value = float(num)
    except ValueError:
        return None
    scale = m.group("scale")
    if scale:
        value *= _SCALES[scale.lower()] if scale.lower() in _SCALES else _SCALES[scale]
    if not math.isfinite(value):
        return None
    return Number(value, percent=bool(m.group("pct1") or m.group("pct2")), scaled=bool(scale))


def _read_tuple(parts: tuple) -> Number | None:
    """``(80, 0)`` -> 80000 (``80,000`` typed in code); ``(340,)`` -> 340 (a trailing comma)."""
    if not parts or len(parts) > 5 or not all(isinstance(p, numbers.Real) and not isinstance(p, bool)
                                              for p in parts):
        return None
    head, rest = parts[0], parts[1:]
    if not float(head).is_integer() or not math.isfinite(float(head)):
        if rest:
            return None
        return Number(float(head), tuple_text=f"{format_number(float(head))},")
    if not rest:
        return Number(float(head), tuple_text=f"{int(head)},")
    groups = []
    for i, p in enumerate(rest):
        last = i == len(rest) - 1
        if p < 0 or p >= 1000 or (not last and not float(p).is_integer()):
            return None
        whole = int(p)
        frac = format_number(float(p) - whole)[1:] if not float(p).is_integer() else ""
        groups.append(f"{whole:03d}{frac}")
    text = f"{int(head)}," + ",".join(groups)
    return Number(float(text.replace(",", "")), tuple_text=text)


def read_number(answer: Any) -> Number | None:
    """``answer`` read as a number, or None when it is not one.

    Parameters
    ----------
    answer : Any
        A real number (not a bool), a string such as ``"87"``, ``"87％"``, ``"８７"``, ``"340位"``,
        ``"US$ 11,067"``, ``"8万"``, or the tuple Python makes of ``80,000`` (``(80, 0)``).

    Returns
    -------
    Number or None
        None for a bool, None, NaN or infinity, or text that is not a number.
    """
    if isinstance(answer, bool) or answer is None:
        return None
    if isinstance(answer, numbers.Real):
        v = float(answer)
        return Number(v) if math.isfinite(v) else None
    if isinstance(answer, str):
        return _read_text(answer)
    if isinstance(answer, tuple):
        return _read_tuple(answer)
    return None


def _plain(answer: Any) -> str | None:
    """A text answer normalised for word matching: plain characters, no quotes, brackets or end marks."""
    if not isinstance(answer, str):
        return None
    s = normalize(answer).lower()
    return re.sub(r"^[\s\"'`(\[（]+|[\s\"'`)\]）.。!！?？,，;；:：]+$", "", s).strip()


def read_letter(answer: Any, options: Iterable[str] = "ABCDE") -> str | None:
    """The option letter in ``answer`` (``"b"``, ``"Ｂ"``, ``"“B”"``, ``"B。"``, ``"选B"``, ``"(B)"``).

    Parameters
    ----------
    answer : Any
    options : iterable of str
        The letters that exist.

    Returns
    -------
    str or None
        The upper-case letter, or None when ``answer`` does not name exactly one option.
    """
    s = _plain(answer)
    if s is None:
        return None
    s = re.sub(r"^(?:答案是|答案为|答案|选项|我选|选择|选|option|answer|is)\s*[:：]?\s*", "", s).strip()
    s = s.strip("\"'`()[]（） .。")
    letter = s.upper()
    return letter if len(letter) == 1 and letter in {o.upper() for o in options} else None


_YES = {"yes", "y", "yeah", "yep", "true", "t", "是", "是的", "对", "对的", "正确", "有", "会", "能", "确实",
        "确实是", "肯定", "当然"}
_NO = {"no", "n", "nope", "false", "f", "否", "不", "不是", "不对", "错", "错的", "错误", "没有", "没", "无", "不会",
       "不能", "并不", "并没有"}
_NEGATION = re.compile(r"^(?:不|没有|没|并不|并没有|并非|无)(?P<rest>.*)$")
_EN_NEGATION = re.compile(r"^(?:no,?\s+)?(?:not|doesn't|does not|don't|do not|it does not|it doesn't)\s+(?P<rest>.+)$")


def read_yes_no(answer: Any, words: Iterable[str] = ()) -> str | None:
    """``"yes"`` / ``"no"`` for the ways students say them, or None.

    Parameters
    ----------
    answer : Any
        ``True``/``False``, or text: yes, y, true, 是, 对, 有 … / no, n, false, 否, 不, 不是, 错, 没有 ….
    words : iterable of str
        The question's own verb, which answers "yes" by itself and "no" after a negation
        (for "does it contradict …?": ``("contradict", "contradicts", "矛盾")`` makes ``"矛盾"``
        yes and ``"不矛盾"``, ``"does not contradict"`` no).

    Returns
    -------
    {"yes", "no"} or None
    """
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    s = _plain(answer)
    if s is None or not s:
        return None
    own = {normalize(w).lower() for w in words}
    s = re.sub(r"\s+", " ", s)
    head = re.split(r"[,，、;；]\s*", s)[0].strip()      # "no, it does not" -> "no"
    for text in (s, head):
        if text in _YES or text in own:
            return "yes"
        if text in _NO:
            return "no"
    for rx in (_NEGATION, _EN_NEGATION):
        m = rx.match(s)
        if m and (m.group("rest").strip() in own | _YES or m.group("rest").strip() in {"同意", "相符"}):
            return "no"
    if s.startswith(("yes ", "yes,", "是的，", "是，", "对，")):
        return "yes"
    return None


def format_number(value: float, decimals: int | None = None, lang: str = "en") -> str:
    """``value`` as a reader writes it: no scientific notation, no trailing zeros.

    Parameters
    ----------
    value : float
    decimals : int, optional
        Round to this many decimals first (none: as many as needed, at most 6).
    lang : {"en", "zh"}
        ``"en"`` groups thousands with commas (``3,600,000``); ``"zh"`` writes plain digits.

    Returns
    -------
    str
    """
    v = float(value)
    if not math.isfinite(v):
        return str(v)
    d = 6 if decimals is None else max(int(decimals), 0)
    text = f"{v:,.{d}f}" if lang == "en" else f"{v:.{d}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
