"""Input checks shared by every crmlib module.

Each check raises one :class:`ValueError` (or :class:`TypeError` for a wrong
type) whose message names the argument, column or row at fault. Nothing is
silently dropped, clipped or coerced.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "plain",
    "check_unique",
    "check_at_most",
    "check_same_length",
    "check_finite_result",
    "check_columns",
    "check_finite",
    "check_int",
    "check_nonnegative",
    "check_whole",
    "check_not_empty",
    "check_number",
    "check_probability",
    "check_choice",
    "as_float_array",
    "check_rate",
    "check_multiplier",
    "check_size",
    "check_names",
    "check_aligned",
    "MAX_DRAWS",
    "MAX_PERIODS",
    "MAX_ROWS",
]

#: Largest number of random draws (or array cells) one call may make: 10**7 float64 are 80 MB.
MAX_DRAWS = 10_000_000
#: Largest number of periods a schedule or a period-by-period series may have.
MAX_PERIODS = 1_000_000
#: Largest number of rows a synthetic-data generator may draw in one call.
MAX_ROWS = 1_000_000


#: Largest finite float; a whole number above it cannot be computed with.
_FLOAT_MAX = float(np.finfo(float).max)


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


# ==========================================================================================
# Contracts by class (issue 22): one helper per rule, used by every module.
#   plain               messages print plain values (3, not np.int64(3))
#   check_unique        impossible combinations: a label (stage, cause, item) listed twice
#   check_at_most       impossible combinations: a count or rate above what another allows
#   check_same_length   sequences paired by position have the same length
#   check_finite_result results are finite or refused, naming the arguments to blame
# The whole-number rule is check_whole (arrays, ``check_columns(whole=…)``) and check_int
# (scalars); signs are check_nonnegative / ``check_columns(nonnegative=…)``; Series are
# paired by label with check_aligned.
# ==========================================================================================
def plain(value: Any) -> Any:
    """``value`` as a plain Python value for a message: ``3``, not ``np.int64(3)``.

    Parameters
    ----------
    value : object
        A numpy scalar (converted with ``.item()``), a tuple or list of them, or anything else
        (returned as it is).

    Returns
    -------
    object
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return type(value)(plain(v) for v in value)
    return value


def check_unique(labels: Iterable[Any], name: str, what: str = "label") -> None:
    """Refuse ``labels`` that list one value twice (two stages, causes or items of the same name).

    Parameters
    ----------
    labels : iterable
        Index labels or names.
    name : str
        The argument, for the message.
    what : str
        What a label is (``"stage"``, ``"cause"`` …), for the message.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        A label occurs more than once.
    """
    idx = labels if isinstance(labels, pd.Index) else pd.Index(list(labels))
    if idx.has_duplicates:
        raise ValueError(f"{name} lists {what} {plain(idx[idx.duplicated()][0])!r} twice; each {what} must "
                         "appear once (nothing is merged or paired by position)")


def check_at_most(values: Any, name: str, limit: Any, limit_name: str, why: str = "") -> None:
    """Refuse a value above the largest one another argument allows (``n_ab <= n_a``, gain <= attrition).

    Parameters
    ----------
    values : float or array
        The values checked.
    name : str
        Their name, for the message.
    limit : float or array
        The largest values allowed (broadcast against ``values``).
    limit_name : str
        The limit's name or formula, for the message.
    why : str, optional
        Why the combination is impossible, appended to the message.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        Some value exceeds its limit (the first one is named, with its position in an array).
    """
    v = np.asarray(values, dtype=float)
    lim = np.broadcast_to(np.asarray(limit, dtype=float), v.shape)
    over = np.flatnonzero((v > lim).ravel())
    if over.size:
        i = int(over[0])
        at = f"[{i}]" if v.ndim else ""
        raise ValueError(f"{name}{at} ({plain(v.ravel()[i]):g}) cannot exceed {limit_name} "
                         f"({plain(lim.ravel()[i]):.6g})" + (f": {why}" if why else ""))


def check_same_length(first: Any, first_name: str, second: Any, second_name: str) -> None:
    """Refuse two sequences paired by position whose lengths differ.

    Parameters
    ----------
    first, second : sized
        The two sequences (after conversion to arrays).
    first_name, second_name : str
        Their names, for the message.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        Different lengths.
    """
    n1, n2 = len(first), len(second)
    if n1 != n2:
        raise ValueError(f"{first_name} and {second_name} must have the same length (they are paired entry by "
                         f"entry), got {n1} and {n2}")


def check_finite_result(value: Any, what: str, blame: str | Mapping[str, Any]) -> Any:
    """Return a computed result after checking it is finite; refuse an overflow instead of returning ``inf``.

    Parameters
    ----------
    value : float, array, Series or DataFrame
        The result (the numeric columns of a DataFrame are checked).
    what : str
        What was computed, for the message (e.g. ``"npv"``).
    blame : str or mapping of str to object
        The rest of the message: the arguments whose size or extremity made it overflow, and what to do
        (e.g. ``"cash_flows (largest |value| 1e+308) or rate (-0.999999) is too extreme …"``); or the
        call's inputs, argument name -> value (scalars shown, arrays by their size), from which the
        message is made.

    Returns
    -------
    object
        ``value`` unchanged.

    Raises
    ------
    ValueError
        A NaN or infinite entry.
    """
    if isinstance(value, pd.DataFrame):
        arr = value.select_dtypes("number").to_numpy(dtype=float)
    elif isinstance(value, (str, bytes)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__} {value!r}")
    else:
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{what} must be a number, got {type(value).__name__} {plain(value)!r}") from None
    bad = ~np.isfinite(arr)
    if bad.any():
        kind = "NaN" if np.isnan(arr[bad]).any() else "infinite"
        if isinstance(blame, Mapping):
            shown = ", ".join(f"{k}={plain(v)!r}" if np.ndim(v) == 0 else f"{k}=<{np.size(v)} values>"
                              for k, v in blame.items())
            where = "" if arr.ndim == 0 else f" at position {int(np.flatnonzero(bad.reshape(-1))[0])}"
            blame = (f"{shown}{where}: these inputs overflow a float (or leave the formula undefined); "
                     f"use smaller amounts or a shorter horizon")
        raise ValueError(f"{what} is {kind}: {blame}")
    return value


def check_number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as float after checking it is a finite real in the range.

    Parameters
    ----------
    value : real
        The value to check.
    name : str
        The argument name used in the error message.
    low, high : float, optional
        Bounds; ``None`` means unbounded.
    low_open, high_open : bool
        Whether the bound itself is excluded.
    """
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {plain(value)!r}")
    try:
        v = float(value)
    except OverflowError:
        raise ValueError(f"{name} is beyond the range of a float ({len(str(abs(int(value))))} digits)") from None
    if math.isnan(v):
        raise ValueError(f"{name} is NaN")
    if math.isinf(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if low is not None and (v < low or (low_open and v == low)):
        op = ">" if low_open else ">="
        raise ValueError(f"{name} must be {op} {low}, got {v}")
    if high is not None and (v > high or (high_open and v == high)):
        op = "<" if high_open else "<="
        raise ValueError(f"{name} must be {op} {high}, got {v}")
    return v


def check_int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as int after checking it is an integer in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral,)):
        if _is_real(value) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer, got {type(value).__name__} {plain(value)!r}")
    v = int(value)
    if low is not None and v < low:
        raise ValueError(f"{name} must be >= {low}, got {v}")
    if high is not None and v > high:
        raise ValueError(f"{name} must be <= {high}, got {v}")
    if abs(v) > _FLOAT_MAX:
        raise ValueError(f"{name} has {len(str(abs(v)))} digits: beyond the range of a float, it cannot be "
                         "computed with")
    return v


def check_size(value: Any, name: str, limit: int, *, low: int = 0, what: str = "") -> int:
    """Return ``value`` as int after checking it is a whole number in ``[low, limit]``.

    For arguments that set how much work a call does (draws, periods, rows, grid
    points): a value above ``limit`` is refused with the limit in the message
    instead of allocating gigabytes or running for minutes.

    Parameters
    ----------
    value : int
        The size to check.
    name : str
        The argument name used in the message.
    limit : int
        The largest size accepted.
    low : int
        The smallest size accepted.
    what : str, optional
        What is counted, e.g. ``"Monte Carlo draws"``, for the message.

    Raises
    ------
    TypeError
        ``value`` is not an integer (bools, NaN and strings included).
    ValueError
        ``value`` below ``low`` or above ``limit``.
    """
    v = check_int(value, name, low=low)
    if v > limit:
        unit = f" {what}" if what else ""
        raise ValueError(f"{name} = {v:,} is above crmlib's limit of {limit:,}{unit} for one call "
                         "(it would take gigabytes or minutes); use a smaller value or split the work")
    return v


def check_names(value: Any, name: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    """Return a column-list argument as a tuple of names; a single string is one name.

    ``terms="n_products"`` means ``("n_products",)``, never the letters
    ``n``, ``_``, ``p`` … of the string.

    Raises
    ------
    TypeError
        ``value`` is neither a string nor an iterable of strings.
    ValueError
        No names (unless ``allow_empty``) or a name listed twice.
    """
    if isinstance(value, str):
        names = (value,)
    elif value is None or isinstance(value, (bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a column name or a list of column names, got {type(value).__name__} "
                        f"{value!r}")
    else:
        names = tuple(value)
        bad = [v for v in names if not isinstance(v, str)]
        if bad:
            raise TypeError(f"{name} must hold column names (strings), got {plain(bad[0])!r}")
    if not names and not allow_empty:
        raise ValueError(f"{name} must name at least one column (a non-empty list of names, or one name)")
    dup = [v for i, v in enumerate(names) if v in names[:i]]
    if dup:
        raise ValueError(f"{name} lists {dup[0]!r} twice")
    return names


def check_aligned(reference: Any, reference_name: str, other: Any, other_name: str) -> Any:
    """Pair ``other`` with ``reference`` by label when both carry an index; never by position.

    Two pandas objects (Series or DataFrame) with the same labels in a different
    order are aligned: ``other`` is returned reindexed to ``reference``'s index.
    Different labels (or duplicated ones) are refused. When either is not a
    pandas object, ``other`` is returned unchanged (plain sequences pair by
    position, which is what a list means).

    Raises
    ------
    ValueError
        The two indexes hold different labels, or a duplicated label.
    """
    if not (isinstance(reference, (pd.Series, pd.DataFrame)) and isinstance(other, (pd.Series, pd.DataFrame))):
        return other
    a, b = reference.index, other.index
    if a.equals(b):
        return other
    for idx, nm in ((a, reference_name), (b, other_name)):
        if idx.has_duplicates:
            raise ValueError(f"{nm} has a duplicated index label {plain(idx[idx.duplicated()][0])!r}, so it cannot be "
                             f"paired with {other_name if nm == reference_name else reference_name} by label")
    only_a, only_b = a.difference(b), b.difference(a)
    if len(only_a) or len(only_b):
        lab = (f"{reference_name} has label {plain(only_a[0])!r} that {other_name} lacks" if len(only_a)
               else f"{other_name} has label {plain(only_b[0])!r} that {reference_name} lacks")
        raise ValueError(f"{reference_name} and {other_name} have different indexes ({lab}); pass them with the "
                         "same labels (they are paired by label, never by position)")
    return other.reindex(a)


def check_probability(value: Any, name: str, *, open_low: bool = False, open_high: bool = False) -> float:
    """Check a probability lies in [0, 1] (ends optionally open)."""
    return check_number(value, name, low=0.0, high=1.0, low_open=open_low, high_open=open_high)


def check_choice(value: Any, name: str, choices: Iterable[Any]) -> Any:
    """Check ``value`` is one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {plain(choices)}, got {plain(value)!r}")
    return value


def as_float_array(values: Any, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Convert a sequence to a 1-D float array, rejecting non-numbers, NaN and infinities.

    Integer and float arrays (and Series) are converted in one vectorised step; anything else
    (lists, object arrays) is checked entry by entry, so the error names the first bad entry by
    its index label.
    """
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of numbers, got a string")
    index = values.index if isinstance(values, pd.Series) else None
    if index is not None:
        raw = values.to_numpy()
    elif isinstance(values, np.ndarray):
        raw = values
    else:
        raw = np.asarray(values, dtype=object)
    raw = np.atleast_1d(raw)

    def label(i: int) -> Any:
        return index[i:i + 1].tolist()[0] if index is not None else i   # a plain Python label

    if raw.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {raw.shape}")
    if raw.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty")
    if raw.dtype.kind in "iuf":
        out = raw.astype(float)
    elif isinstance(values, (list, tuple)) and set(map(type, values)) <= {int, float}:
        try:
            out = np.array(values, dtype=float)     # plain numbers (no bools, no strings): one vectorised step
        except OverflowError:
            raise ValueError(f"{name} holds an integer too large for a float") from None
    else:
        out = np.empty(raw.size, dtype=float)
        for i, x in enumerate(raw):
            if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
                raise TypeError(f"{name}[{label(i)!r}] is not a number: {plain(x)!r}")
            out[i] = float(x)
    bad = ~np.isfinite(out)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "NaN" if np.isnan(out[i]) else "infinite"
        raise ValueError(f"{name}[{label(i)!r}] is {what}")
    return out


def check_nonnegative(values: np.ndarray, name: str, labels: Sequence[Any] | None = None) -> None:
    """Raise if any entry of ``values`` (or the scalar ``values``) is negative, naming the first one."""
    v = np.asarray(values)
    neg = np.flatnonzero(v.ravel() < 0)
    if neg.size:
        i = int(neg[0])
        lab = plain(labels[i]) if labels is not None else i
        where = name if v.ndim == 0 else f"{name}[{lab!r}]"
        raise ValueError(f"{where} is negative ({plain(v.ravel()[i])})")


def check_whole(values: np.ndarray, name: str, labels: Sequence[Any] | None = None, *, rows: bool = False) -> None:
    """Raise if any entry of ``values`` (counts: customers, services, baskets, days …) is not a whole number.

    Parameters
    ----------
    values : float or array of float
        The values (NaN and infinities refused before, e.g. by :func:`as_float_array`).
    name : str
        The argument (or ``"<table> column 'c'"`` with ``rows=True``), for the message.
    labels : sequence, optional
        The entries' labels (default: positions).
    rows : bool
        Say ``… at row 3`` (a table column) rather than ``name[3]``.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        The first entry with a fraction, named by its label.
    """
    v = np.asarray(values, dtype=float)
    scalar, v = v.ndim == 0, v.ravel()
    with np.errstate(invalid="ignore"):
        frac = np.flatnonzero(np.isfinite(v) & (v % 1 != 0))
    if frac.size:
        i = int(frac[0])
        lab = plain(labels[i]) if labels is not None else i
        where = name if scalar else f"{name} at row {lab!r}" if rows else f"{name}[{lab!r}]"
        raise ValueError(f"{where} is not a whole number ({plain(v[i]):g}); a count must be whole")


def check_in_range(values: np.ndarray, name: str, low: float, high: float,
                   labels: Sequence[Any] | None = None) -> None:
    """Raise if any entry of ``values`` lies outside ``[low, high]``, naming the first one.

    For answers on a fixed scale (a Likert item scored 1–5, a 0–10 recommendation score):
    a 6 on a 1–5 item is a coding error, never something to clip.

    Parameters
    ----------
    values : ndarray
        Finite numbers (check NaN first).
    name : str
        The argument or column name used in the message.
    low, high : float
        The scale's ends (both allowed).
    labels : sequence, optional
        Row labels of ``values`` (default: positions).

    Raises
    ------
    ValueError
        An entry below ``low`` or above ``high``.
    """
    v = np.asarray(values, dtype=float)
    out = np.flatnonzero((v < low) | (v > high))
    if out.size:
        i = int(out[0])
        lab = plain(labels[i]) if labels is not None else i
        raise ValueError(f"{name}[{lab!r}] is {v[i]:g}, outside the scale {low:g}–{high:g}")


def check_binary(values: np.ndarray, name: str, labels: Sequence[Any] | None = None) -> None:
    """Raise if any entry of ``values`` is not 0 or 1, naming the first one.

    For event indicators (1 = the customer churned, 0 = still a customer when last seen).

    Parameters
    ----------
    values : ndarray
        Finite numbers (check NaN first).
    name : str
        The argument or column name used in the message.
    labels : sequence, optional
        Row labels of ``values`` (default: positions).

    Raises
    ------
    ValueError
        An entry other than 0 or 1.
    """
    v = np.asarray(values, dtype=float)
    bad = np.flatnonzero((v != 0) & (v != 1))
    if bad.size:
        i = int(bad[0])
        lab = plain(labels[i]) if labels is not None else i
        raise ValueError(f"{name}[{lab!r}] is {v[i]:g}; an event indicator must be 0 (censored) or 1 (event)")


def check_finite(values: np.ndarray, name: str) -> None:
    """Raise if any entry is NaN or infinite, saying which and where."""
    v = np.asarray(values, dtype=float)
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{name} has {'NaN' if np.isnan(v[i]) else 'an infinite value'} at position {i}")


def check_not_empty(df: pd.DataFrame, name: str) -> None:
    """Raise if ``df`` has no rows."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    if len(df) == 0:
        raise ValueError(f"{name} is empty (no rows)")


def check_columns(df: pd.DataFrame, columns: Iterable[str], name: str = "data", *,
                  numeric: Iterable[str] = (), nonnegative: Iterable[str] = (), whole: Iterable[str] = ()) -> None:
    """Check a DataFrame has ``columns``; the ``numeric`` ones numeric with no NaN
    and no infinity, the ``nonnegative`` ones also >= 0, the ``whole`` ones whole
    numbers (counts: :func:`check_whole`). Errors name the column and first bad row.

    Raises
    ------
    TypeError
        ``df`` is not a DataFrame, or a numeric column is not numeric (bool included).
    ValueError
        No rows, a missing column, NaN, an infinite value, a negative value or a
        fraction in a count.
    """
    check_not_empty(df, name)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; it has {list(df.columns)}")
    checked = list(dict.fromkeys([*numeric, *nonnegative, *whole]))
    for c in checked:
        col = df[c]
        if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
            raise TypeError(f"{name} column {c!r} must be numeric, got dtype {col.dtype}")
        na = col.isna().to_numpy()
        if na.any():
            raise ValueError(f"{name} column {c!r} has NaN at row {plain(df.index[int(np.flatnonzero(na)[0])])!r}")
        if col.dtype.kind == "f" or not isinstance(col.dtype, np.dtype):
            inf = ~np.isfinite(col.to_numpy(dtype=float))
            if inf.any():
                i = int(np.flatnonzero(inf)[0])
                raise ValueError(f"{name} column {c!r} is infinite at row {plain(df.index[i])!r} "
                                 f"({plain(col.iloc[i])})")
    for c in nonnegative:
        neg = (df[c] < 0).to_numpy()
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise ValueError(f"{name} column {c!r} is negative at row {plain(df.index[i])!r} ({plain(df[c].iloc[i])})")
    for c in whole:
        check_whole(df[c].to_numpy(dtype=float, na_value=np.nan), f"{name} column {c!r}", df.index, rows=True)


def check_rate(value: Any, name: str = "rate") -> float:
    """Return a discount / interest rate per period as float after checking it is > -1.

    Parameters
    ----------
    value : real
        The rate (0.1 for 10 %).
    name : str
        The argument name used in the error message.

    Returns
    -------
    float
        The rate; a rate of -100 % or less has no meaning (``1 + r`` must be positive).
    """
    v = check_number(value, name)
    if v <= -1:
        raise ValueError(f"{name} must be > -1 (a rate of -100 % or less has no meaning), got {v}")
    return v


def check_multiplier(value: Any, name: str = "multiplier") -> float:
    """Return a budget multiplier (the 3-4 x rule) as float after checking it is >= 1.

    Parameters
    ----------
    value : real
        How many times the visible cost the budget is.
    name : str
        The argument name used in the error message.

    Returns
    -------
    float
        The multiplier; a budget below the visible cost itself makes no sense.
    """
    v = check_number(value, name)
    if v < 1:
        raise ValueError(f"{name} must be >= 1 (the budget cannot be below the visible cost), got {v}")
    return v


def check_generator(rng: Any, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` after checking it is a seeded :class:`numpy.random.Generator`.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator every random draw must come from (e.g. ``Chapter.rng(k)``).
    name : str
        Argument name used in the message.

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    TypeError
        ``rng`` is anything else (a seed, ``None``, the legacy ``RandomState``).
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (seeded), e.g. np.random.default_rng(seed), "
                        f"got {type(rng).__name__}")
    return rng


__all__ += ["check_generator"]


# ---- rules of the CLV area (crmlib/clv)

def check_not_above(low: np.ndarray, low_name: str, high: np.ndarray, high_name: str,
                    labels: Sequence[Any] | None = None) -> None:
    """Refuse rows where ``low`` exceeds ``high`` (arguments that must be consistent, e.g. recency <= T).

    Parameters
    ----------
    low, high : numpy.ndarray
        Values of the same shape, compared row by row.
    low_name, high_name : str
        Their argument names, used in the message.
    labels : sequence, optional
        Row labels (a Series' index); positions otherwise.

    Raises
    ------
    ValueError
        Naming the first row where ``low > high``, with both values.
    """
    lo, hi = np.asarray(low), np.asarray(high)
    bad = np.flatnonzero((lo > hi).reshape(-1))
    if bad.size:
        i = int(bad[0])
        lab = plain(labels[i]) if labels is not None else i
        raise ValueError(f"{low_name} > {high_name} at row {lab!r}: {low_name} {plain(lo.reshape(-1)[i]):g} "
                         f"exceeds {high_name} {plain(hi.reshape(-1)[i]):g}")


def check_zero_together(first: np.ndarray, first_name: str, second: np.ndarray, second_name: str,
                        labels: Sequence[Any] | None = None, why: str | None = None, both: bool = True) -> None:
    """Refuse rows where exactly one of two values is 0 (e.g. frequency 0 exactly when recency is 0).

    With ``both=False`` only one direction is a rule: ``first`` 0 needs ``second`` 0 (no repeat
    purchase, no mean repeat spend), while ``second`` may be 0 on its own.

    Parameters
    ----------
    first, second : numpy.ndarray
        The two arguments' values (same shape), e.g. frequency and recency.
    first_name, second_name : str
        How the message names them.
    labels : sequence, optional
        Index labels of the rows (positions without them).
    why : str, optional
        The reason, appended to the message (default: "<first> is 0 exactly when <second> is 0").
    both : bool, default True
        Whether ``second`` 0 also needs ``first`` 0.

    Raises
    ------
    ValueError
        Naming the first row where one is 0 and the other is not, with both values.
    """
    a, b = np.asarray(first).reshape(-1), np.asarray(second).reshape(-1)
    bad = np.flatnonzero(((a == 0) != (b == 0)) if both else ((a == 0) & (b != 0)))
    if bad.size:
        i = int(bad[0])
        lab = plain(labels[i]) if labels is not None else i
        why = why or (f"{first_name} is 0 exactly when {second_name} is 0" if both
                      else f"{second_name} is 0 when {first_name} is 0")
        raise ValueError(f"{first_name} {plain(a[i]):g} with {second_name} {plain(b[i]):g} at row "
                         f"{lab!r}: {why}")


def check_present(df: pd.DataFrame, column: str, name: str = "data", what: str = "value") -> None:
    """Refuse a missing value (None, NaN, NaT, pd.NA) in a key column, naming its row.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    column : str
        The column that must be complete (e.g. the customer id).
    name : str
        The table's argument name, used in the message.
    what : str
        What the column holds (``"id"``), for the message.

    Raises
    ------
    ValueError
        Naming the column and the first row with a missing value.
    """
    na = df[column].isna().to_numpy()
    if na.any():
        raise ValueError(f"{name} column {column!r} has a missing {what} at row "
                         f"{plain(df.index[int(np.flatnonzero(na)[0])])!r}")


__all__ += ["check_in_range", "check_binary", "check_not_above", "check_zero_together", "check_present"]


def check_day(value: Any, name: str) -> pd.Timestamp:
    """Return ``value`` as a naive calendar day (midnight), refusing numbers, missing and aware dates.

    Parameters
    ----------
    value : str, datetime or Timestamp
        A date such as ``"1997-09-30"``.
    name : str
        The argument name used in the message.

    Returns
    -------
    pandas.Timestamp
        The day, time of day dropped.

    Raises
    ------
    TypeError
        A number or bool (a number is not read as a date).
    ValueError
        Not a date, missing (NaT) or time-zone aware.
    """
    if isinstance(value, (bool, np.bool_, int, float, np.number)):
        raise TypeError(f"{name} must be a date such as '1997-09-30', got {plain(value)!r}")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} is not a date: {value!r}") from exc
    if ts is pd.NaT or pd.isna(ts):
        raise ValueError(f"{name} is missing (NaT)")
    if ts.tzinfo is not None:
        raise ValueError(f"{name} is time-zone aware ({value!r}); give a naive date")
    return ts.normalize()


__all__ += ["check_day"]
