"""Inputs from the other chapters: one table says which chapter's recorded result feeds which input.

Chapter 06's business case takes its return drivers from what chapters 02–05 and 07
recorded in their results JSON (``<build>/results/NN_slug.json``). Each input
is one row of :data:`UPSTREAM`: the chapter, the result keys it reads (a key
``params.X`` reads the run parameter ``X`` the chapter recorded), how the
keys combine into the input, its unit and its allowed range, what kind of
number it is (an estimate from data, a number printed in a source, a what-if
result at the chapter's settings, or the chapter's default parameter), whether the
case uses it or shows it as an alternative, and how to compute it here if that
chapter has not run.

Nothing is substituted silently. For every input :func:`collection_inputs`
returns an :class:`Input` whose ``origin`` and ``detail`` say where its value
came from:

* ``"results"`` — read from the file and key(s) named in ``detail``;
* ``"chapter_default"`` — the chapter's default parameter, read from its recorded run
  parameters or results (a setting, not a measurement);
* ``"recomputed"`` / ``"default"`` — computed here (or, for a parameter, the
  chapter's documented default taken) because the chapter's results file is
  absent, or was recorded in small mode for an input small mode changes;
  ``detail`` says which file and why, and how the value was computed.

A results file that exists but cannot be used — not JSON, not a results
document, a key missing (a partial or older run), a value that is not a
finite number in its range — raises :class:`UpstreamError` naming the file,
the key and the reason. With ``missing="error"`` an absent file raises too.
"""
from __future__ import annotations

import functools
import json
import math
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

from . import results
from .layout import main_build_dir
from .results import ResultsError

__all__ = ["UpstreamError", "Input", "Upstream", "UPSTREAM", "NATURES", "CHAPTER_DEFAULTS", "collection_inputs",
           "with_parameters", "inputs_table"]


class UpstreamError(ResultsError):
    """An upstream chapter's results file is absent (when required), partial or corrupt."""


class _Absent(Exception):
    """An input whose chapter has not run (collected into one UpstreamError)."""


@dataclass(frozen=True)
class Input:
    """One input of chapter 06, with where its value came from.

    Attributes
    ----------
    name : str
        The input's name (a row of :data:`UPSTREAM`).
    value : float
        Its value, in ``unit``.
    unit : str
        Unit of ``value``.
    chapter : str
        The two-digit chapter that provides it.
    origin : str
        ``"results"``, ``"chapter_default"``, ``"recomputed"``, ``"default"`` or (:func:`with_parameters`)
        ``"parameter"``.
    detail : str
        In words: the file and key(s) read, or why and how it was computed here.
    reason : str
        Why it was not read from results: ``"none"``, ``"absent"`` (no results file),
        ``"small_mode"`` (recorded in small mode) or ``"parameter"``.
    where : str
        The file and key(s) read, or the crmlib call that computed it (code, any language).
    nature : str
        What kind of number it is (:data:`NATURES`).
    use : str
        ``"case"`` (the business case uses it) or ``"alternative"`` (shown beside an input the case uses).
    """

    name: str
    value: float
    unit: str
    chapter: str
    origin: str
    detail: str
    reason: str = "none"
    where: str = ""
    nature: str = "estimate"
    use: str = "case"


#: What kind of number an input is: an estimate from data, a number printed in a source text (chapter 03's
#: funnel case: an upper bound), the result of a chapter's what-if at its default settings, or a chapter's
#: default parameter.
NATURES = ("estimate", "printed", "whatif", "parameter")


#: What this layer assumes when a chapter has recorded nothing: that chapter's default parameters
#: (the values its parameters cell ships with), used only with origin "recomputed" / "default".
CHAPTER_DEFAULTS: dict[str, dict[str, float]] = {
    "02": {"cut_complaints": 50.0, "cut_communication": 25.0},
    "05": {"retention": 0.85},
}


def _kept_per_1000() -> tuple[float, str]:
    from crmlib import datasets, loss

    p = CHAPTER_DEFAULTS["02"]
    cuts = {"complaints": p["cut_complaints"], "communication": p["cut_communication"]}
    shares = datasets.load("loss_causes").set_index("cause_id")["share_pct"]
    kept = float(loss.whatif_kept(shares, cuts, per=1000)["kept"].sum())
    return kept, f"crmlib.loss.whatif_kept(loss_causes, {cuts}) / 1000"


@functools.lru_cache(maxsize=1)
def _funnel_rates() -> pd.DataFrame:
    """Stage rates of the source's funnel case (chapter 03's data), by scenario."""
    from crmlib import datasets, funnel

    f = datasets.load("funnel_case").sort_values(["scenario", "stage_order"])
    rows = {}
    for scen, g in f.groupby("scenario"):
        counts = g.set_index("stage")["count"]
        r = funnel.stage_rates(counts).set_index("to_stage")["rate"]
        rows[scen] = {"negotiation": float(r["negotiation"]), "deal": float(r["deal"]),
                      "overall": float(funnel.overall_rate(counts))}
    return pd.DataFrame(rows).T


@functools.lru_cache(maxsize=1)
def _effect_one_more() -> tuple[float, str]:
    from crmlib import crosssell, datasets

    customers = datasets.load("bank_customers")
    fit = crosssell.fit_retention_logit(customers, ["n_products"])
    return fit.discrete_effect("n_products", customers), (
        "crmlib.crosssell.fit_retention_logit(bank_customers, ['n_products']).discrete_effect('n_products')")


def _close_uplift() -> tuple[float, str]:
    r = _funnel_rates()
    return float(r.loc["good", "overall"] - r.loc["middle", "overall"]), (
        "crmlib.funnel.overall_rate(funnel_case['good']) - crmlib.funnel.overall_rate(funnel_case['middle'])")


def _telco_year_1() -> tuple[float, str]:
    from crmlib import survival as sv

    km = sv.kaplan_meier(sv.telco_customers(), window=sv.TELCO_WINDOW)
    return float(sv.retention_at(km, (12,))["survival"].iloc[0]), (
        "crmlib.survival.retention_at(kaplan_meier(telco_customers()), 12)")


def _cohort_constant_retention() -> tuple[float, str]:
    from crmlib import clv, datasets

    survivors = datasets.load("sbg_cohorts")["regular"].to_numpy()
    return float(clv.project_cohort(survivors, 7).constant_rate), (
        "crmlib.clv.project_cohort(sbg_cohorts['regular'], 7).constant_rate")


@dataclass(frozen=True)
class Upstream:
    """One row of :data:`UPSTREAM`: how an input is read from a chapter's recorded results.

    Attributes
    ----------
    name : str
        The input's name.
    chapter : str
        Two-digit number of the chapter that records it.
    keys : tuple of str
        Result keys read (``params.X``: the recorded run parameter ``X``).
    combine : callable
        Maps the keys' values, in order, to the input's value.
    formula : str
        ``combine`` in words, for the origin (``"{0} / 1000"``: keys by position).
    unit : str
        Unit of the input.
    low, high : float
        Allowed range of the input (inclusive, ``high`` excluded if ``high_open``).
    compute : callable
        ``() -> (value, how)`` computing the input here when the chapter has not run.
    compute_origin : str
        ``"recomputed"`` (computed with crmlib) or ``"default"`` (the chapter's default parameter).
    full_only : bool
        Read only from full-mode results (small mode changes the value).
    high_open : bool
        Whether ``high`` itself is excluded.
    nature : str
        What kind of number the input is (:data:`NATURES`).
    use : str
        ``"case"`` or ``"alternative"`` (an input shown beside the one the case uses).
    """

    name: str
    chapter: str
    keys: tuple[str, ...]
    combine: Callable[..., float]
    formula: str
    unit: str
    low: float
    high: float
    compute: Callable[[], tuple[float, str]]
    compute_origin: str = "recomputed"
    full_only: bool = False
    high_open: bool = False
    nature: str = "estimate"
    use: str = "case"


def _default(chapter: str, name: str) -> Callable[[], tuple[float, str]]:
    return lambda: (CHAPTER_DEFAULTS[chapter][name], f"CHAPTER_DEFAULTS['{chapter}']['{name}']")


#: The inputs chapter 06 takes from the other chapters, one row each.
#:
#: * ``close_uplift`` is the extra deals per prospect if CRM moved the firm from the middle to the good
#:   case of the source's funnel (chapter 03): 0, since every case ends with at most 5 deals of 100.
#: * ``retention`` is chapter 07's Kaplan–Meier retention of the Telco customers after 12 months, a
#:   measurement; chapter 05's slider default (85 %) and its constant retention fitted to the regular
#:   cohort are shown beside it as alternatives.
UPSTREAM: tuple[Upstream, ...] = (
    Upstream("kept_share", "02", ("whatif.kept_per_1000",), lambda k: k / 1000, "{0} / 1000", "share", 0.0, 1.0,
             lambda: (lambda v, how: (v / 1000, how))(*_kept_per_1000()), nature="whatif"),
    Upstream("complaints_cut", "02", ("whatif.cut_complaints",), float, "{0}", "%", 0.0, 100.0,
             _default("02", "cut_complaints"), "default", nature="parameter"),
    Upstream("base_close_rate", "03", ("case.middle.overall",), float, "{0}", "deals per prospect", 0.0, 1.0,
             lambda: (float(_funnel_rates().loc["middle", "overall"]),
                      "crmlib.funnel.overall_rate(funnel_case['middle'])"), nature="printed"),
    Upstream("close_uplift", "03", ("case.good.overall", "case.middle.overall"), lambda good, middle: good - middle,
             "{0} - {1}", "deals per prospect", 0.0, 1.0, _close_uplift, nature="printed"),
    Upstream("crosssell_gain", "04", ("logit.count.effect_one_more",), float, "{0}", "probability", 0.0, 1.0,
             _effect_one_more, full_only=True),
    Upstream("retention", "07", ("kpi.year_1",), float, "{0}", "per year", 0.0, 1.0, _telco_year_1,
             high_open=True),
    Upstream("retention_ch05_default", "05", ("params.retention",), float, "{0}", "per year", 0.0, 1.0,
             _default("05", "retention"), "default", high_open=True, nature="parameter", use="alternative"),
    Upstream("retention_ch05_cohort", "05", ("sbg.regular.constant_retention",), float, "{0}", "per year", 0.0,
             1.0, _cohort_constant_retention, high_open=True, use="alternative"),
)


def _value(doc: dict[str, Any], key: str, path: Path) -> float:
    if key.startswith("params."):
        name = key[len("params."):]
        if name not in doc["params"]:
            raise UpstreamError(f"{path} records no run parameter {name!r} (a partial or older run); "
                                f"rerun chapter {path.name[:2]}")
        v = doc["params"][name]
    else:
        entry = doc["results"].get(key)
        if entry is None:
            raise UpstreamError(f"{path} has no result {key!r} (a partial or older run); rerun chapter "
                                f"{path.name[:2]}")
        v = entry.get("value") if isinstance(entry, dict) else None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise UpstreamError(f"{path}: {key} is {v!r}, not a finite number (corrupt file); rerun chapter "
                            f"{path.name[:2]}")
    return float(v)


def _one(row: Upstream, build_dir: Path, missing: str, lang: str) -> Input:
    try:
        path = results.find(row.chapter, build_dir, lang)
    except ResultsError as err:
        raise UpstreamError(str(err)) from None
    why, reason = None, "none"
    if path is None:
        why, reason = f"no results of chapter {row.chapter} (results/{row.chapter}_*.json)", "absent"
    else:
        try:
            doc = results.read(path)
        except ResultsError as err:
            raise UpstreamError(str(err)) from None
        small = doc["params"].get("small", False)
        if row.full_only and small is not False:
            why = f"{path.name} was recorded in small mode (a subsample), which changes {row.keys[0]}"
            reason = "small_mode"
    if why is not None:
        if missing == "error":
            raise _Absent(f"{row.name}: {why}")
        value, where = row.compute()
        value, origin, detail = float(value), row.compute_origin, f"computed here because {why}: {where}"
    else:
        vals = [_value(doc, k, path) for k in row.keys]
        value = float(row.combine(*vals))
        origin = "chapter_default" if row.nature == "parameter" else "results"
        detail = where = f"{path.name}: {row.formula.format(*row.keys)}"
    if not (row.low <= value <= row.high) or (row.high_open and value == row.high):
        raise UpstreamError(f"{row.name} = {value:g} from {detail} is outside [{row.low:g}, {row.high:g}"
                            f"{')' if row.high_open else ']'}")
    return Input(row.name, value, row.unit, row.chapter, origin, detail, reason, where, row.nature, row.use)


def collection_inputs(build_dir: str | Path | None = None, *, missing: str = "compute",
                      lang: str = "en") -> dict[str, Input]:
    """Chapter 06's inputs, each from another chapter's recorded results, with its origin.

    Parameters
    ----------
    build_dir : str or Path, optional
        Build folder whose ``results/`` holds the chapters' JSON files
        (default: :func:`crmbook.layout.main_build_dir`).
    missing : {"compute", "error"}
        What to do when a chapter's results are absent (or, for an input
        small mode changes, were recorded in small mode): ``"compute"`` the
        input here and say so in its ``detail``, or raise
        :class:`UpstreamError`.
    lang : {"en", "zh"}
        The edition whose results are read (both record the same numbers).

    Returns
    -------
    dict
        Input name -> :class:`Input`, in the order of :data:`UPSTREAM`:
        ``kept_share`` (chapter 02's what-if, customers kept per 1000 lost /
        1000), ``complaints_cut`` (its % cut of complaint losses, a default parameter),
        ``base_close_rate`` and ``close_uplift`` (chapter 03's funnel case: deals per
        prospect in the middle case, at most 5 of 100, and the extra deals per prospect
        of the good case over the middle case), ``crosssell_gain`` (chapter 04: mean rise
        in P(stay a year) with one more product, full mode only), ``retention`` (chapter
        07: the Kaplan–Meier share of Telco customers still there after 12 months) and
        the alternatives ``retention_ch05_default`` (chapter 05's retention parameter)
        and ``retention_ch05_cohort`` (its constant retention fitted to the regular cohort).

    Raises
    ------
    UpstreamError
        A results file that is corrupt or partial, a value outside its range,
        or (``missing="error"``) an absent one.
    """
    if missing not in ("compute", "error"):
        raise ValueError(f"missing must be one of ['compute', 'error'], got {missing!r}")
    b = Path(build_dir) if build_dir is not None else main_build_dir()
    if b.exists() and not b.is_dir():
        raise ValueError(f"build_dir {b} is not a folder")
    out, absent = {}, []
    for row in UPSTREAM:
        try:
            out[row.name] = _one(row, b, missing, lang)
        except _Absent as why:
            absent.append((row.chapter, str(why)))
    if absent:
        chapters = " ".join(sorted({c for c, _ in absent}))
        raise UpstreamError(f"in {b}: " + "; ".join(w for _, w in absent)
                            + f". Run the chapter(s) first (python -m crmbook run {chapters}) or pass missing='compute'")
    return out


def _parameter_value(value: Any, row: Upstream) -> float:
    """A value set in the parameters cell for ``row``'s input: a finite number in the input's range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{row.name} must be a real number, got {type(value).__name__} {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{row.name} must be finite, got {v}")
    if v < row.low:
        raise ValueError(f"{row.name} must be >= {row.low}, got {v}")
    if v > row.high or (row.high_open and v == row.high):
        raise ValueError(f"{row.name} must be {'<' if row.high_open else '<='} {row.high}, got {v}")
    return v


def with_parameters(inputs: Mapping[str, Input], given: Mapping[str, Any]) -> dict[str, Input]:
    """The inputs with those set by the chapter's parameters cell replacing the upstream values.

    Parameters
    ----------
    inputs : mapping
        Name -> :class:`Input`, as :func:`collection_inputs` returns.
    given : mapping
        Name -> value set in the parameters cell, or None to keep the upstream value.

    Returns
    -------
    dict
        Name -> :class:`Input`; a given value has origin ``"parameter"``.

    Raises
    ------
    ValueError
        A given name that is not an input, or a value outside the input's range.
    """
    rows = {row.name: row for row in UPSTREAM}
    unknown = [k for k in given if k not in inputs]
    if unknown:
        raise ValueError(f"given names {unknown}, which are not inputs: {list(inputs)}")
    out = dict(inputs)
    for k, v in given.items():
        if v is not None:
            row = rows[k]
            val = _parameter_value(v, row)
            out[k] = Input(k, val, row.unit, row.chapter, "parameter", "set in the parameters cell", "parameter",
                           f"{k} = {val:g}", row.nature, row.use)
    return out


def inputs_table(inputs: Mapping[str, Input]) -> pd.DataFrame:
    """The inputs as a table.

    Parameters
    ----------
    inputs : mapping
        Name -> :class:`Input`, as :func:`collection_inputs` returns.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``name``: ``value``, ``unit``, ``chapter``, ``origin``, ``detail``, ``reason``,
        ``where``, ``nature``, ``use`` and ``fraction`` (the value as a fraction, a percentage divided
        by 100, for showing every input as a percentage).
    """
    if not isinstance(inputs, Mapping) or not inputs:
        raise ValueError("inputs must be a non-empty mapping of name -> Input")
    bad = [k for k, v in inputs.items() if not isinstance(v, Input)]
    if bad:
        raise TypeError(f"inputs[{bad[0]!r}] is not an Input")
    tab = pd.DataFrame([vars(i) for i in inputs.values()]).set_index("name")
    tab["fraction"] = tab["value"].where(tab["unit"] != "%", tab["value"] / 100)
    return tab
