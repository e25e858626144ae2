"""Warning classes shared by every crmlib model fit.

A fit that returns numbers it cannot stand behind says so with one of these
classes, never silently. All derive from :class:`CRMWarning` (a
:class:`UserWarning`, so Python shows it by default), and each message names
the model and, where there is one, the parameter or term at fault::

    import warnings
    from crmlib.warnings import CRMWarning
    warnings.simplefilter("error", CRMWarning)   # make every crmlib fit warning an error

Classes
-------
CRMWarning
    Base class of every warning crmlib issues.
ConvergenceWarning
    The optimiser stopped before it converged (iteration limit, failed line
    search, non-finite gradient); the estimates are not the maximum.
BoundaryWarning
    An estimate sits at (or runs off to) the edge of the parameter space, e.g.
    a rate of 1e-14 or 1e14; its standard error is meaningless.
SeparationWarning
    A logit's outcome is perfectly (or quasi-) separated by a term: the
    maximum-likelihood coefficient is infinite and the printed odds ratio and
    interval are not estimates.
DataWarning
    The data were used, but something about them changes what the result
    means (rows that contribute nothing, a left-out group); the message says
    how many and why.

The module is named after the standard library's :mod:`warnings` on purpose
(``crmlib.warnings``); import the classes from it, and the standard module as
usual with ``import warnings``.
"""
from __future__ import annotations

import warnings as _warnings

__all__ = [
    "CRMWarning",
    "ConvergenceWarning",
    "BoundaryWarning",
    "SeparationWarning",
    "DataWarning",
    "warn",
]


class CRMWarning(UserWarning):
    """Base class of every warning crmlib issues."""


class ConvergenceWarning(CRMWarning):
    """A fit's optimiser stopped before it converged."""


class BoundaryWarning(CRMWarning):
    """A fit's estimate lies at or runs off to the edge of the parameter space."""


class SeparationWarning(CRMWarning):
    """A logit's outcome is perfectly or quasi-perfectly separated by a term."""


class DataWarning(CRMWarning):
    """The data were used, but part of them does not count towards the result."""


def warn(category: type[CRMWarning], model: str, message: str, *, parameter: str | None = None,
         stacklevel: int = 3) -> None:
    """Issue ``category`` with a message that starts with the model (and parameter).

    Parameters
    ----------
    category : subclass of CRMWarning
        The warning class.
    model : str
        The model's name as the user knows it, e.g. ``"GammaGamma"`` or ``"close model"``.
    message : str
        What happened and what it means for the result.
    parameter : str, optional
        The parameter or term at fault, named in the message.
    stacklevel : int
        Passed to :func:`warnings.warn`; the default points at the caller of the
        function that calls :func:`warn`.

    Raises
    ------
    TypeError
        If ``category`` is not a subclass of :class:`CRMWarning`.
    """
    if not (isinstance(category, type) and issubclass(category, CRMWarning)):
        raise TypeError(f"category must be a subclass of CRMWarning, got {category!r}")
    where = f"{model}, {parameter}" if parameter is not None else model
    _warnings.warn(f"{where}: {message}", category, stacklevel=stacklevel)
