"""Shipped datasets: hash-checked, schema-checked loading.

Every file under ``datasets/`` is listed in ``datasets/manifest.json`` with its
SHA-256, its columns and their types and bounds, its source and licence.
:func:`load` refuses a file whose bytes or contents disagree with the
manifest, with one :class:`DatasetError` that names the file and the fault.

Examples
--------
>>> from crmlib import datasets
>>> causes = datasets.load("loss_causes")
>>> float(causes["share_pct"].sum())
100.0
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DatasetError", "data_dir", "manifest", "names", "info", "path", "load", "sha256"]

_TYPES = ("str", "int", "float", "bool", "date", "datetime")
_TRUE = {"True": True, "true": True, "1": True, "False": False, "false": False, "0": False}


class DatasetError(ValueError):
    """A shipped data file disagrees with its manifest entry."""


#: The folder that holds the ``crmlib`` package and ``datasets/`` (the repository, for an editable install).
ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """Folder holding the datasets (``$CRMLIB_DATA_DIR`` or the repository's ``datasets/``).

    Returns
    -------
    Path
    """
    env = os.environ.get("CRMLIB_DATA_DIR")
    if env:
        return Path(env)
    return ROOT / "datasets"


def manifest(directory: Path | None = None) -> dict[str, dict[str, Any]]:
    """Return the parsed manifest (dataset name -> entry).

    Parameters
    ----------
    directory : Path, optional
        The datasets folder (default: the repository's datasets/).

    Returns
    -------
    dict
        Dataset name -> its manifest entry (file, sha256, source, licence, columns).
    """
    d = Path(directory) if directory is not None else data_dir()
    mf = d / "manifest.json"
    if not mf.is_file():
        raise DatasetError(f"no manifest at {mf}")
    with open(mf, encoding="utf-8") as fh:
        data = json.load(fh)
    return data["datasets"]


def names() -> list[str]:
    """Names of all shipped datasets."""
    return sorted(manifest())


def info(name: str) -> dict[str, Any]:
    """The manifest entry of ``name`` (file, sha256, columns, source, licence).

    Parameters
    ----------
    name : str
        A dataset name (see :func:`names`).

    Returns
    -------
    dict
        Its manifest entry.
    """
    mf = manifest()
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if name not in mf:
        raise DatasetError(f"unknown dataset {name!r}; known: {sorted(mf)}")
    return mf[name]


def path(name: str) -> Path:
    """Path of the file behind dataset ``name``.

    Parameters
    ----------
    name : str
        A dataset name.

    Returns
    -------
    Path
        The file.
    """
    return data_dir() / info(name)["file"]


def sha256(file: Path | str) -> str:
    """SHA-256 hex digest of a file's bytes.

    Parameters
    ----------
    file : str or Path
        A file.

    Returns
    -------
    str
        Its SHA-256, hex.
    """
    h = hashlib.sha256()
    with open(file, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class _Col:
    name: str
    type: str
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    values: tuple | None = None
    date_format: str | None = None  # strftime pattern of a date/datetime column (manifest "format")


def _columns(entry: dict[str, Any]) -> list[_Col]:
    cols = []
    for cname, spec in entry["columns"].items():
        t = spec.get("type", "str")
        if t not in _TYPES:
            raise DatasetError(f"manifest: column {cname!r} has unknown type {t!r}")
        vals = tuple(spec["values"]) if "values" in spec else None
        cols.append(_Col(cname, t, bool(spec.get("nullable", False)), spec.get("min"), spec.get("max"), vals,
                         spec.get("format")))
    return cols


def _convert(raw: pd.Series, col: _Col, fname: str) -> pd.Series:
    """Convert one column of strings, raising on the first bad cell (1-based data row)."""
    empty = raw.eq("")
    if empty.any() and not col.nullable:
        row = int(np.flatnonzero(empty.to_numpy())[0]) + 1
        raise DatasetError(f"{fname}: column {col.name!r} is empty at data row {row}")
    if col.type == "str":
        out = raw.where(~empty, None) if col.nullable else raw
    elif col.type in ("int", "float"):
        num = pd.to_numeric(raw.where(~empty, np.nan), errors="coerce")
        bad = num.isna() & ~empty
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DatasetError(
                f"{fname}: column {col.name!r} has a value that is not a number at data row {row + 1}: "
                f"{raw.iloc[row]!r}")
        inf = np.isinf(num.to_numpy(dtype=float))
        if inf.any():
            row = int(np.flatnonzero(inf)[0])
            raise DatasetError(f"{fname}: column {col.name!r} is infinite at data row {row + 1}: {raw.iloc[row]!r}")
        if col.type == "int":
            frac = (num % 1 != 0) & num.notna()
            if frac.any():
                row = int(np.flatnonzero(frac.to_numpy())[0])
                raise DatasetError(f"{fname}: column {col.name!r} must hold integers, data row {row + 1} "
                                   f"has {raw.iloc[row]!r}")
            out = num.astype("Int64") if col.nullable and empty.any() else num.astype("int64")
        else:
            out = num.astype(float)
        for bound, cmp, word in ((col.min, np.less, "below its minimum"), (col.max, np.greater, "above its maximum")):
            if bound is not None:
                viol = cmp(out.astype(float).to_numpy(), bound) & out.notna().to_numpy()
                if viol.any():
                    row = int(np.flatnonzero(viol)[0])
                    raise DatasetError(f"{fname}: column {col.name!r} is {word} {bound} at data row {row + 1}: "
                                       f"{raw.iloc[row]!r}")
    elif col.type == "bool":
        bad = ~raw.isin(list(_TRUE)) & ~empty
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DatasetError(f"{fname}: column {col.name!r} must be True/False, data row {row + 1} "
                               f"has {raw.iloc[row]!r}")
        out = raw.map(_TRUE).astype(bool)
    else:  # date / datetime
        fmt = col.date_format or ("%Y-%m-%d" if col.type == "date" else None)
        out = pd.to_datetime(raw.where(~empty, None), format=fmt, errors="coerce")
        bad = out.isna() & ~empty
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DatasetError(f"{fname}: column {col.name!r} has a value that is not a {col.type} at data row "
                               f"{row + 1}: {raw.iloc[row]!r}")
    if col.values is not None:
        bad = ~raw.isin([str(v) for v in col.values]) & ~empty
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DatasetError(f"{fname}: column {col.name!r} has {raw.iloc[row]!r} at data row {row + 1}; "
                               f"allowed: {list(col.values)}")
    return out


def load(name: str, *, verify: bool = True) -> pd.DataFrame:
    """Load a shipped dataset as a DataFrame.

    Parameters
    ----------
    name : str
        Dataset name as listed by :func:`names` (e.g. ``"loss_causes"``).
    verify : bool, default True
        Check the file's SHA-256 against the manifest. Turn off only while
        regenerating a dataset.

    Returns
    -------
    pandas.DataFrame
        Columns in manifest order, typed as the manifest says.


    Raises
    ------
    DatasetError
        Unknown name, missing file, changed bytes, a missing or unexpected
        column, or a cell that does not fit its column's type or bounds
        (``inf``, ``-inf`` and ``nan`` in a number column included).
    """
    entry = info(name)
    file = data_dir() / entry["file"]
    fname = entry["file"]
    if not file.is_file():
        raise DatasetError(f"{fname}: file not found at {file}")
    blob = file.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if verify and digest != entry["sha256"]:
        raise DatasetError(
            f"{fname}: SHA-256 mismatch — the file changed since the manifest was written "
            f"(expected {entry['sha256'][:12]}…, got {digest[:12]}…)")
    # the same bytes under the same manifest entry were parsed, checked and typed before: serve a copy
    key = (name, digest, json.dumps(entry, sort_keys=True), verify)
    if key in _LOADED:
        return _LOADED[key].copy()
    fmt = entry.get("format", "csv")
    if fmt == "csv":
        raw = pd.read_csv(io.BytesIO(blob), dtype=str, keep_default_na=False, encoding="utf-8")
    elif fmt == "whitespace":  # e.g. the CDNOW files: blank-separated, header line only if "header": true
        if entry.get("header", False):  # the header's names must then match the manifest's columns
            raw = pd.read_csv(io.BytesIO(blob), sep=r"\s+", header=0, dtype=str, keep_default_na=False)
        else:
            raw = pd.read_csv(io.BytesIO(blob), sep=r"\s+", header=None, dtype=str, keep_default_na=False,
                              names=list(entry["columns"]))
    else:
        raise DatasetError(f"{fname}: unknown format {fmt!r} in manifest")
    cols = _columns(entry)
    expected = [c.name for c in cols]
    missing = [c for c in expected if c not in raw.columns]
    if missing:
        raise DatasetError(f"{fname}: missing column(s) {missing}")
    extra = [c for c in raw.columns if c not in expected]
    if extra:
        raise DatasetError(f"{fname}: unexpected column(s) {extra}")
    if len(raw) == 0:
        raise DatasetError(f"{fname}: no data rows")
    out = pd.DataFrame({c.name: _convert(raw[c.name], c, fname) for c in cols})
    out.attrs["dataset"] = name
    out.attrs["source"] = entry.get("source", "")
    _LOADED[key] = out
    return out.copy()


#: Datasets already loaded (see :func:`load`): a copy is returned each time, so callers may change theirs.
_LOADED: dict[tuple, pd.DataFrame] = {}


@dataclass(frozen=True)
class Published:
    """A published estimate: its value, the tolerance its printed digits allow, and where it is printed.

    Attributes
    ----------
    value : float
        As printed.
    tol : float
        Half a unit in the last printed decimal.
    citation : str
        The paper's key in ``datasets/sources/references.bib`` (e.g. ``"fader2005bgnbd"``).
    where : str
        The table or page that prints it.
    """

    value: float
    tol: float
    citation: str
    where: str


def published(model: str, dataset: str, parameter: str) -> Published:
    """A value of ``datasets/published/btyd_published_params.csv`` with its tolerance and source.

    Parameters
    ----------
    model : str
        E.g. ``"bgnbd"``, ``"pnbd"``, ``"gg"``, ``"sbg"``.
    dataset : str
        E.g. ``"cdnow_sample"``, ``"regular"``.
    parameter : str
        E.g. ``"r"``, ``"alpha"``, ``"llf"``.

    Returns
    -------
    Published


    Raises
    ------
    KeyError
        No such published value (the message lists what the file has for the model).
    """
    t = load("btyd_published_params")
    hit = t[(t["model"] == model) & (t["dataset"] == dataset) & (t["parameter"] == parameter)]
    if hit.empty:
        have = sorted(set(zip(t.loc[t["model"] == model, "dataset"], t.loc[t["model"] == model, "parameter"])))
        raise KeyError(f"no published {model}/{dataset}/{parameter}; the file has for {model!r}: {have}")
    row = hit.iloc[0]
    return Published(float(row["value"]), 0.5 * 10.0 ** -int(row["decimals"]), str(row["citation"]),
                     str(row["where"]))


def has_published(model: str, dataset: str, parameter: str) -> bool:
    """Whether :func:`published` has this value.

    Parameters
    ----------
    model, dataset, parameter : str

    Returns
    -------
    bool
    """
    t = load("btyd_published_params")
    return bool(((t["model"] == model) & (t["dataset"] == dataset) & (t["parameter"] == parameter)).any())


#: End of the 39-week calibration period of the CDNOW analyses (Fader, Hardie & Lee 2005).
CDNOW_CALIBRATION_END = "1997-09-30"
#: End of the observation (calibration + 39-week holdout) of the CDNOW analyses.
CDNOW_OBSERVATION_END = "1998-06-30"


def cdnow_summary(name: str = "cdnow_sample", *, amount: str | None = "dollar_value", period: str = "W") -> pd.DataFrame:
    """The CDNOW log summarised as the BTYD papers do: weeks 1–39 to calibrate, weeks 40–78 to hold out.

    Parameters
    ----------
    name : {"cdnow_sample", "cdnow_master"}
        The shipped log (the 1/10th sample of 2,357 customers, or the whole cohort).
    amount : str or None
        Spend column (None: no monetary value).
    period : str
        Time unit of frequency, recency and T (``"W"``: weeks of 7 days, as in the papers).

    Returns
    -------
    pandas.DataFrame
        :func:`crmlib.clv.rfm.summarize` with calibration end :data:`CDNOW_CALIBRATION_END` and
        observation end :data:`CDNOW_OBSERVATION_END`.
    """
    from .clv import rfm

    if name not in ("cdnow_sample", "cdnow_master"):
        raise ValueError(f"name must be 'cdnow_sample' or 'cdnow_master', got {name!r}")
    tx = load(name)
    kw = {} if amount is None else {"amount": amount}
    return rfm.summarize(tx, customer_id="customer_id", date="date", period=period,
                         observation_end=CDNOW_OBSERVATION_END, calibration_end=CDNOW_CALIBRATION_END, **kw)
