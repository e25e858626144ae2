"""The one check of a cohort's survivor counts, shared by the sBG model and the cohort projections."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import as_float_array, check_nonnegative, check_whole

__all__ = ["check_survivors"]


def check_survivors(survivors: Any, name: str = "survivors") -> np.ndarray:
    """A cohort's customers at the start (index 0) and after each period, as floats, or one clear error.

    Parameters
    ----------
    survivors : sequence of int-like
        Whole counts, the first positive, never increasing, at least two of them.
    name : str
        Argument name, for messages.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    TypeError, ValueError
        Not numbers, NaN or infinite, fewer than two, a first count that is not positive, a
        negative or fractional count, or a count above the one before (a cohort can only shrink).
    """
    s = as_float_array(survivors, name)
    if s.size < 2:
        raise ValueError(f"{name} needs at least two values (the start and one later count), got {s.size}")
    check_nonnegative(s, name)
    if s[0] <= 0:
        raise ValueError(f"{name}[0] must be positive (the cohort size), got {s[0]:g}")
    check_whole(s, name)
    up = np.flatnonzero(np.diff(s) > 0)
    if up.size:
        i = int(up[0]) + 1
        raise ValueError(f"{name} increase at period {i} ({s[i - 1]:g} -> {s[i]:g}): a cohort can only shrink")
    return s
