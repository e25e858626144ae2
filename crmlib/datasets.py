"""Shipped datasets: hash-checked, schema-checked loading.

Every file under ``datasets/`` is listed in ``datasets/manifest.json`` with its
SHA-256, its number of data rows, its columns and their types and bounds, its
source and licence. :func:`load` refuses a file whose bytes or contents disagree
with the manifest (a truncated or half-read file too, even with ``verify=False``),
and a manifest that is not well formed, with one :class:`DatasetError` that names
the file and the fault.

Examples
--------
>>> from crmlib import datasets
>>> causes = datasets.load("loss_causes")
>>> float(causes["share_pct"].sum())
100.0
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DatasetError", "ROOT", "data_dir", "manifest", "names", "info", "path", "load", "sha256", "count_rows",
           "Published", "published", "has_published", "CDNOW_CALIBRATION_END", "CDNOW_OBSERVATION_END",
           "cdnow_summary"]

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
    try:
        data = json.loads(mf.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DatasetError(f"manifest {mf} is not valid JSON: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), dict):
        raise DatasetError(f"manifest {mf} must be a JSON object with a 'datasets' object (name -> entry)")
    return data["datasets"]


def names() -> list[str]:
    """Names of all shipped datasets.

    Returns
    -------
    list of str
    """
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
    return _check_entry(name, mf[name])


#: What every manifest entry must hold, and the type of each (``rows``: the number of data rows).
_ENTRY_KEYS = {"file": str, "sha256": str, "rows": int, "columns": dict}


def _check_entry(name: str, entry: Any) -> dict[str, Any]:
    """A manifest entry with every key of :data:`_ENTRY_KEYS`, each of its type, or one DatasetError."""
    if not isinstance(entry, dict):
        raise DatasetError(f"manifest entry {name!r} must be an object, got {type(entry).__name__}")
    for key, kind in _ENTRY_KEYS.items():
        if key not in entry:
            raise DatasetError(f"manifest entry {name!r} lacks {key!r}")
        value = entry[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise DatasetError(f"manifest entry {name!r}: {key!r} must be {kind.__name__}, got "
                               f"{type(value).__name__} {value!r}")
    if entry["rows"] < 1:
        raise DatasetError(f"manifest entry {name!r}: 'rows' must be >= 1, got {entry['rows']}")
    if not entry["columns"]:
        raise DatasetError(f"manifest entry {name!r} lists no columns")
    return entry


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
        if not isinstance(spec, dict):
            raise DatasetError(f"manifest: column {cname!r} must be described by an object, got "
                               f"{type(spec).__name__} {spec!r}")
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
        regenerating a dataset; the number of rows and every cell are checked either way.

    Returns
    -------
    pandas.DataFrame
        Columns in manifest order, typed as the manifest says.


    Raises
    ------
    DatasetError
        Unknown name, a manifest or entry that is not well formed, missing
        or empty file, changed bytes, a number of data rows other than the
        manifest's (checked with ``verify=False`` too), a line with fewer or
        more fields than the header, a missing or unexpected column, or a
        cell that does not fit its column's type or bounds (``inf``, ``-inf``
        and ``nan`` in a number column included).
    """
    entry, blob = _read(name)
    fname = entry["file"]
    digest = hashlib.sha256(blob).hexdigest()
    if verify and digest != entry["sha256"]:
        raise DatasetError(
            f"{fname}: SHA-256 mismatch — the file changed since the manifest was written "
            f"(expected {entry['sha256'][:12]}…, got {digest[:12]}…)")
    # the same bytes under the same manifest entry were parsed, checked and typed before: serve a copy
    key = (name, digest, json.dumps(entry, sort_keys=True), verify)
    if key in _LOADED:
        return _LOADED[key].copy()
    raw = _parse(blob, entry, fname)
    if len(raw) != entry["rows"]:
        raise DatasetError(f"{fname}: {len(raw)} data rows, the manifest says {entry['rows']} (a truncated, "
                           "half-read or changed file)")
    cols = _columns(entry)
    expected = [c.name for c in cols]
    missing = [c for c in expected if c not in raw.columns]
    if missing:
        raise DatasetError(f"{fname}: missing column(s) {missing}")
    extra = [c for c in raw.columns if c not in expected]
    if extra:
        raise DatasetError(f"{fname}: unexpected column(s) {extra}")
    out = pd.DataFrame({c.name: _convert(raw[c.name], c, fname) for c in cols})
    out.attrs["dataset"] = name
    out.attrs["source"] = entry.get("source", "")
    _LOADED[key] = out
    return out.copy()


def _parse(blob: bytes, entry: dict[str, Any], fname: str) -> pd.DataFrame:
    """The file's cells as strings (header from the file, or from the manifest for a headerless file)."""
    if not blob.strip():
        raise DatasetError(f"{fname}: the file is empty")
    fmt = entry.get("format", "csv")
    try:
        if fmt == "csv":
            _check_field_counts(blob, fname)
            return pd.read_csv(io.BytesIO(blob), dtype=str, keep_default_na=False, encoding="utf-8")
        if fmt == "whitespace":  # e.g. the CDNOW files: blank-separated, header line only if "header": true
            if entry.get("header", False):  # the header's names must then match the manifest's columns
                return pd.read_csv(io.BytesIO(blob), sep=r"\s+", header=0, dtype=str, keep_default_na=False)
            return pd.read_csv(io.BytesIO(blob), sep=r"\s+", header=None, dtype=str, keep_default_na=False,
                               names=list(entry["columns"]))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise DatasetError(f"{fname}: cannot be read as {fmt} ({' '.join(str(err).split())})") from None
    raise DatasetError(f"{fname}: unknown format {fmt!r} in manifest")


def _check_field_counts(blob: bytes, fname: str) -> None:
    """Every CSV record has as many fields as the header (pandas would fill a short line with empty cells)."""
    records = csv.reader(io.StringIO(blob.decode("utf-8")))
    width = len(next(records))
    for row, record in enumerate(records, start=1):
        if record and len(record) != width:
            raise DatasetError(f"{fname}: data row {row} has {len(record)} fields, the header {width} (a truncated "
                               "or malformed line)")


def count_rows(name: str) -> int:
    """The number of data rows in the file of dataset ``name`` as read (what the manifest's ``rows`` records).

    ``tools/rehash_datasets.py`` writes it into the manifest after a deliberate change; :func:`load`
    refuses a file whose count differs.

    Parameters
    ----------
    name : str
        A dataset name.

    Returns
    -------
    int
    """
    entry, blob = _read(name)
    return len(_parse(blob, entry, entry["file"]))


def _read(name: str) -> tuple[dict[str, Any], bytes]:
    """The manifest entry of dataset ``name`` and its file's bytes."""
    entry = info(name)
    file = data_dir() / entry["file"]
    if not file.is_file():
        raise DatasetError(f"{entry['file']}: file not found at {file}")
    return entry, file.read_bytes()


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
