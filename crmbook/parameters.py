"""Chapter parameters: their allowed values, declared once, checked before anything runs.

A chapter's parameters are the assignments of its notebook's ``parameters`` cell, and each one's
comment declares its allowed values in a language-neutral notation (the explanations are in the
Markdown above the cell)::

    survey_n = 500            # [50, 100000]
    doubted_share = 0.60      # [0, 1]
    target = 0.90             # (0, 1)
    cut_complaints = 50       # [0, 100] %
    margin = 2000.0           # (0, 30000] US$
    ci_method = "wilson"      # "wilson" | "jeffreys"
    kept_share = None         # None | [0, 0.6]
    ks = [1, 5, 10]           # [1, 1000]            (a list: each value)
    firm_answers = [True, True, False, False, False]  # 5 × True | False

A domain is one or more alternatives separated by ``|``: an interval (``[`` and ``]`` include the
bound, ``(`` and ``)`` exclude it; ``inf`` and ``2**32`` are understood), a literal (``None``,
``True``, ``False``, a quoted string) or ``str`` (any text); an interval may be followed by its unit
(``%``, ``US$``). For a list or tuple default the domain applies to each value, and ``N ×`` fixes
the number of values. An integer default asks for a whole number.

:func:`check_parameters` — the chapter's second cell, right after the parameters cell (and after
the values papermill injects) — checks every parameter against its domain and stops the run with
:class:`ParameterError`: one sentence in the chapter's language naming the parameter, its allowed
values and the likely mistake ("target 是比例，取值范围 (0, 1)；你填的 95 像是百分数，请填 0.95。").
The kernel shows that sentence without a traceback (:mod:`crmbook.kernel`). The command line
(``python -m crmbook run 03 -p target 95``) reads the same cell and prints the same sentence before
running anything. Nothing is clamped: a what-if control made from a parameter
(:meth:`crmbook.Chapter.slider`) takes its range from the same domain.
"""
from __future__ import annotations

import ast
import functools
import io
import json
import math
import numbers
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from crmlib.i18n import LANGS, t
from .errors import SentenceError
from .typed import format_number, read_number

__all__ = ["ParameterError", "Interval", "Domain", "Parameter", "parse_domain", "parameters_cell",
           "notebook_spec", "chapter_spec", "check_value", "check_parameters"]

COMMON = ("lang", "seed", "small", "build_dir")


class ParameterError(SentenceError):
    """A parameter outside its allowed values; the message is one sentence in the chapter's language.

    Parameters
    ----------
    message : str
        The sentence.
    name : str
        The parameter.
    """


@dataclass(frozen=True)
class Interval:
    """Numbers from ``low`` to ``high``; an open end excludes its bound."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False
    unit: str = ""

    def __contains__(self, v: float) -> bool:
        return (v > self.low or (not self.low_open and v == self.low)) and \
               (v < self.high or (not self.high_open and v == self.high))

    @property
    def is_fraction(self) -> bool:
        """A proportion or probability: inside [0, 1], no unit."""
        return self.low >= 0 and self.high <= 1 and not self.unit

    @property
    def is_percent(self) -> bool:
        """Whether the interval is stated in percent (``[0, 100] %``)."""
        return self.unit == "%"

    def __str__(self) -> str:
        def num(x: float) -> str:
            return "∞" if x == math.inf else "-∞" if x == -math.inf else format_number(x, lang="zh")
        text = f"{'(' if self.low_open else '['}{num(self.low)}, {num(self.high)}{')' if self.high_open else ']'}"
        return f"{text} {self.unit}" if self.unit else text


_ANY_TEXT = "str"


@dataclass(frozen=True)
class Domain:
    """The allowed values of one parameter (see the module docstring for the notation).

    Parameters
    ----------
    alternatives : tuple
        :class:`Interval` objects, literals (None, True, False, strings) or ``"str"`` for any text
        (kept apart from string literals as :data:`_ANY_TEXT` wrapped in a tuple ``("str",)``).
    count : int or None
        For a list parameter: the exact number of values, if fixed.
    text : str
        The notation as written.
    """

    alternatives: tuple
    count: int | None = None
    text: str = ""

    @property
    def intervals(self) -> list[Interval]:
        """The numeric ranges among the allowed values."""
        return [a for a in self.alternatives if isinstance(a, Interval)]

    @property
    def literals(self) -> list[Any]:
        """The single allowed values (``None``, ``"en"``, ``True`` …)."""
        return [a for a in self.alternatives if not isinstance(a, (Interval, tuple))]

    @property
    def any_text(self) -> bool:
        """Whether any string is allowed (``str``)."""
        return (_ANY_TEXT,) in self.alternatives

    def admits(self, v: Any, whole: bool = False) -> bool:
        """Whether ``v`` is one of the allowed values.

        Parameters
        ----------
        v : Any
            A value.
        whole : bool
            Intervals admit whole numbers only.

        Returns
        -------
        bool
        """
        for a in self.alternatives:
            if isinstance(a, Interval):
                if isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(float(v)) \
                        and float(v) in a and (not whole or float(v).is_integer()):
                    return True
            elif a == (_ANY_TEXT,):
                if isinstance(v, str):
                    return True
            elif type(v) is type(a) and v == a or (a is None and v is None):
                return True
        return False


def _num(text: str) -> float:
    s = text.strip().replace("_", "")
    if s in ("inf", "∞", "+inf"):
        return math.inf
    if s in ("-inf", "-∞"):
        return -math.inf
    m = re.fullmatch(r"(-?\d+)\*\*(\d+)", s)
    if m:
        return float(int(m.group(1)) ** int(m.group(2)))
    return float(s)


_INTERVAL = re.compile(r"^(?P<lb>[\[(])\s*(?P<lo>[^,]+?)\s*,\s*(?P<hi>[^\])]+?)\s*(?P<rb>[\])])\s*(?P<unit>.*?)$")


def parse_domain(comment: str) -> Domain | None:
    """The domain a parameter's comment declares, or None when the comment is no domain.

    Parameters
    ----------
    comment : str
        The comment's text, with or without its ``#``.

    Returns
    -------
    Domain or None
    """
    text = comment.strip().lstrip("#").strip()
    count = None
    m = re.match(r"^(\d+)\s*[×x]\s*(.*)$", text)
    body = text
    if m:
        count, body = int(m.group(1)), m.group(2)
    alts: list[Any] = []
    for part in [p.strip() for p in body.split("|")]:
        iv = _INTERVAL.match(part)
        if iv:
            try:
                lo, hi = _num(iv.group("lo")), _num(iv.group("hi"))
            except ValueError:
                return None
            if not lo <= hi:
                return None
            alts.append(Interval(lo, hi, iv.group("lb") == "(", iv.group("rb") == ")", iv.group("unit")))
        elif part == _ANY_TEXT:
            alts.append((_ANY_TEXT,))
        else:
            try:
                value = ast.literal_eval(part)
            except (ValueError, SyntaxError):
                return None
            if value is not None and not isinstance(value, (bool, str)):
                return None
            alts.append(value)
    return Domain(tuple(alts), count, text) if alts else None


@dataclass(frozen=True)
class Parameter:
    """One line of a parameters cell: its name, default, comment and the domain the comment declares."""

    name: str
    default: Any
    comment: str
    domain: Domain | None


def parameters_cell(notebook: Path) -> str:
    """The source of ``notebook``'s cell tagged ``parameters`` ("" when it has none).

    Parameters
    ----------
    notebook : Path

    Returns
    -------
    str
    """
    doc = json.loads(Path(notebook).read_text(encoding="utf-8"))
    for c in doc.get("cells", []):
        if c.get("cell_type") == "code" and "parameters" in c.get("metadata", {}).get("tags", []):
            return "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
    return ""


def _spec_of(src: str) -> dict[str, Parameter]:
    comments: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string
    out: dict[str, Parameter] = {}
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                default = ast.literal_eval(node.value)
            except ValueError:
                default = ...
            comment = next((comments[k] for k in range(node.lineno, node.end_lineno + 1) if k in comments), "")
            out[node.targets[0].id] = Parameter(node.targets[0].id, default, comment, parse_domain(comment))
    return out


def notebook_spec(notebook: Path) -> dict[str, Parameter]:
    """The parameters of ``notebook`` with their declared domains, in the cell's order.

    Parameters
    ----------
    notebook : Path

    Returns
    -------
    dict of str to Parameter
    """
    return _spec_of(parameters_cell(notebook))


@functools.lru_cache(maxsize=32)
def chapter_spec(chapter: str) -> dict[str, Parameter]:
    """The parameters of ``chapter`` (a notebook stem, ``"02_why_customers_are_lost"``, or its number).

    Read from the English notebook (both editions have the same parameters cell but for ``lang``).

    Parameters
    ----------
    chapter : str

    Returns
    -------
    dict of str to Parameter
    """
    from .layout import chapter_notebook

    return notebook_spec(chapter_notebook(chapter, "en"))


def _show(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, numbers.Real):
        return format_number(float(v), lang="zh")   # digits as code writes them: no grouping commas
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    return repr(v)


def _or(values: list[str], lang: str) -> str:
    return (" 或 " if lang == "zh" else " or ").join(values)


def _domain_text(d: Domain, lang: str) -> str:
    parts = [str(a) if isinstance(a, Interval) else ("str" if a == (_ANY_TEXT,) else _show(a)) for a in d.alternatives]
    return _or(parts, lang)


def _refusal(name: str, v: Any, d: Domain, whole: bool, lang: str) -> tuple[str, dict] | None:
    """(label key, values) of the sentence refusing value ``v`` of ``name`` (None when ``d`` allows it)."""
    if d.admits(v, whole):
        return None
    dom = _domain_text(d, lang)
    ivs = d.intervals
    strings = [a for a in d.literals if isinstance(a, str)]
    if isinstance(v, str):
        same = [s for s in strings if s.lower() == v.strip().lower()]
        if same and not d.any_text:
            return "core.param.case", dict(choices=dom, example=_show(same[0]))
        n = read_number(v)
        if ivs and n is not None:
            return "core.param.quotes", dict(domain=dom, example=format_number(n.value, lang="zh"))
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not ivs:
        if strings or any(isinstance(a, bool) for a in d.literals):
            return "core.param.choice", dict(choices=dom, value=_show(v))
        return "core.param.range", dict(domain=dom, value=_show(v))
    x = float(v)
    if math.isfinite(x):
        for iv in ivs:
            if iv.is_fraction and 1 < x <= 100 and x / 100 in iv:
                return "core.param.fraction", dict(domain=dom, value=_show(v),
                                                   example=format_number(x / 100, lang="zh"))
            if iv.is_percent and 0 < x < 1 and 100 * x in iv:
                return "core.param.percent", dict(domain=dom, value=_show(v),
                                                  example=format_number(100 * x, lang="zh"))
        if whole and not x.is_integer():
            return "core.param.whole", dict(domain=dom, value=_show(v))
    return "core.param.range", dict(domain=dom, value=_show(v))


def check_value(name: str, value: Any, param: Parameter, lang: str = "en") -> str | None:
    """The sentence that refuses ``value`` for ``param``, or None when it is allowed.

    Parameters
    ----------
    name : str
        The parameter's name (as the student wrote it).
    value : Any
        Its value.
    param : Parameter
        Its default and domain (a parameter without a declared domain only has to have its
        default's type: bool, number, text or list).
    lang : {"en", "zh"}

    Returns
    -------
    str or None
    """
    default, d = param.default, param.domain
    if d is None:
        kinds = {bool: (bool,), int: (int,), float: (int, float), str: (str,), list: (list, tuple),
                 tuple: (list, tuple)}.get(type(default))
        if kinds is None or isinstance(value, kinds) and (isinstance(value, bool) == isinstance(default, bool)):
            return None
        return t("core.param.range", lang, name=name, domain=type(default).__name__, value=_show(value))
    if isinstance(default, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            return t("core.param.list", lang, name=name, example=_show(default), value=_show(value))
        if d.count is not None and len(value) != d.count:
            return t("core.param.count", lang, name=name, count=d.count, domain=_domain_text(d, lang),
                     got=len(value))
        whole = bool(default) and all(isinstance(x, int) and not isinstance(x, bool) for x in default)
        for x in value:
            got = _refusal(name, x, d, whole, lang)
            if got is not None:
                key, values = got
                if key not in ("core.param.fraction", "core.param.percent", "core.param.quotes"):
                    key, values = "core.param.element", dict(domain=_domain_text(d, lang), value=_show(x))
                return t(key, lang, name=name, **values)
        return None
    whole = isinstance(default, int) and not isinstance(default, bool)
    got = _refusal(name, value, d, whole, lang)
    return None if got is None else t(got[0], lang, name=name, **got[1])


def _lang_sentence(value: Any) -> str:
    return " / ".join(t("core.param.lang", x, value=_show(value)) for x in LANGS)


def check_parameters(chapter: str, namespace: Mapping[str, Any]) -> None:
    """Check every parameter of ``chapter`` in ``namespace``; stop at the first one not allowed.

    Also installs the kernel helpers of :mod:`crmbook.kernel` in a running IPython kernel, so the
    sentence shows without a traceback even in a kernel not started as ``crm-notebooks``.

    Parameters
    ----------
    chapter : str
        The notebook stem (``"02_why_customers_are_lost"``) or the chapter number.
    namespace : mapping
        Where the parameters live: the notebook's ``globals()``.

    Raises
    ------
    ParameterError
        One sentence in the chapter's language (both languages when ``lang`` itself is wrong).
    """
    from .kernel import install_current

    install_current()
    lang = namespace.get("lang", "en")
    if lang not in LANGS:
        raise ParameterError(_lang_sentence(lang), "lang")
    for name, param in chapter_spec(chapter).items():
        if name == "lang":
            continue
        if name not in namespace:
            raise ParameterError(t("core.param.missing", lang, name=name, example=_show(param.default)), name)
        msg = check_value(name, namespace[name], param, lang)
        if msg:
            raise ParameterError(msg, name)
