"""One place that fits crmlib's logits and says when the fit cannot be trusted.

Both logits of the package (:func:`crmlib.funnel.fit_close_logit` and
:func:`crmlib.crosssell.fit_retention_logit`) fit with statsmodels' ``Logit``
through :func:`fit_logit`, which

* checks the fit options (``maxiter``),
* refuses a design with a non-finite value,
* warns :class:`~crmlib.warnings.SeparationWarning` when a term separates the
  outcome perfectly or quasi-perfectly (its maximum-likelihood coefficient is
  infinite, so its odds ratio, standard error and interval are not estimates),
  naming the model and the term, and
* warns :class:`~crmlib.warnings.ConvergenceWarning` when Newton's method
  stopped before converging.

statsmodels' own warnings for the same conditions are replaced by these (one
message each, naming the model and term, instead of one per iteration).

:class:`WaldResults` is the one statsmodels-style view (``params``, ``bse``, ``pvalues``,
``conf_int``, ``summary``) of crmlib's regression results: the logits and the Cox model of
:mod:`crmlib.survival`.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ._validate import check_int, check_probability
from .warnings import ConvergenceWarning, SeparationWarning, warn

__all__ = ["MAX_ITER", "separated_terms", "fit_logit", "odds_ratio_table", "WaldResults", "LogitResults"]

#: Largest ``maxiter`` accepted by the logit fits.
MAX_ITER = 10_000


def separated_terms(y: np.ndarray, X: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Terms that on their own order the outcome: every 0 on one side of a threshold, every 1 on the other.

    Returns
    -------
    list of ``(term, kind, detail)``
        ``kind`` is ``"perfect"`` (the two outcomes do not overlap at all) or
        ``"quasi"`` (they meet only at one value of the term); ``detail`` is a
        sentence saying where.
    """
    out = []
    ones, zeros = y == 1, y == 0
    for term in X.columns:
        x = X[term].to_numpy(dtype=float)
        if np.ptp(x) == 0:          # the constant
            continue
        lo1, hi1, lo0, hi0 = x[ones].min(), x[ones].max(), x[zeros].min(), x[zeros].max()
        for (hi_a, lo_b, a, b) in ((hi0, lo1, 0, 1), (hi1, lo0, 1, 0)):
            if hi_a < lo_b:
                out.append((term, "perfect", f"every outcome {a} has {term} <= {hi_a:g} and every outcome {b} "
                                             f"has {term} >= {lo_b:g}"))
                break
            if hi_a == lo_b:
                out.append((term, "quasi", f"every outcome {a} has {term} <= {hi_a:g} and every outcome {b} "
                                           f"has {term} >= {lo_b:g}"))
                break
    return out


def fit_logit(y: np.ndarray, X: pd.DataFrame, model: str, *, maxiter: Any = 35,
              outcome: str = "the outcome") -> Any:
    """Fit ``Logit(y, X)`` by Newton's method and warn when the estimates are not finite maxima.

    Parameters
    ----------
    y : ndarray of 0/1
        The outcome.
    X : DataFrame
        Design matrix with a constant column.
    model : str
        The model's name for messages (``"close model"``, ``"RetentionLogit"``).
    maxiter : int
        Newton iterations, 1 … :data:`MAX_ITER`.
    outcome : str
        What ``y = 1`` means, for messages.

    Returns
    -------
    statsmodels ``LogitResults``

    Raises
    ------
    TypeError
        ``maxiter`` is not an integer.
    ValueError
        ``maxiter`` outside 1 … :data:`MAX_ITER`; a design column with NaN or an infinite value.

    Warns
    -----
    SeparationWarning
        A term (or, when no single term does, the terms together) separates ``y``.
    ConvergenceWarning
        The optimiser stopped after ``maxiter`` iterations without converging.
    """
    import statsmodels.api as sm
    from statsmodels.tools import sm_exceptions

    maxiter = check_int(maxiter, "maxiter", low=1, high=MAX_ITER)
    for c in X.columns:
        bad = ~np.isfinite(X[c].to_numpy(dtype=float))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{model}: term {c!r} is not finite at row {X.index.tolist()[i]!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sm_exceptions.ConvergenceWarning)
        warnings.simplefilter("ignore", sm_exceptions.PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)    # exp overflow while coefficients run off
        res = sm.Logit(y, X).fit(disp=0, maxiter=maxiter)
    sep = separated_terms(np.asarray(y, dtype=float), X)
    for term, kind, detail in sep:
        warn(SeparationWarning, model,
             f"{kind} separation: {detail} ({outcome} = 1). The maximum-likelihood coefficient is infinite, so "
             f"the fitted {float(res.params[term]):.3g}, its odds ratio, standard error and interval are not "
             "estimates; drop the term, merge its levels or use a penalised fit.", parameter=term, stacklevel=4)
    if not sep:
        p = np.asarray(res.predict(X), dtype=float)
        y_arr = np.asarray(y, dtype=float)
        if np.max(np.abs(y_arr - p)) < 1e-6:
            terms = [c for c in X.columns if np.ptp(X[c].to_numpy(dtype=float)) > 0]
            warn(SeparationWarning, model,
                 f"the terms {terms} together separate {outcome} perfectly (every fitted probability is 0 or 1): "
                 "the coefficients are not finite estimates.", stacklevel=4)
    if not res.mle_retvals.get("converged", True) and not sep:
        warn(ConvergenceWarning, model,
             f"Newton's method stopped after {res.mle_retvals.get('iterations', maxiter)} iterations without "
             f"converging (maxiter={maxiter}); the estimates are not the maximum of the likelihood.",
             stacklevel=4)
    return res


def odds_ratio_table(result: Any, terms: Any, alpha: float = 0.05) -> pd.DataFrame:
    """Odds ratios of ``terms`` in a statsmodels logit fit, with Wald intervals.

    Parameters
    ----------
    result : statsmodels ``LogitResults``
    terms : sequence of str
        Regressors to report (usually every one but the constant).
    alpha : float
        1 − confidence level of ``lower`` / ``upper``.

    Returns
    -------
    pandas.DataFrame
        By term: ``odds_ratio`` = exp(coefficient), ``lower``, ``upper`` and the coefficient's ``pvalue``.
        A separated term (warned at fit time) has an infinite odds ratio or bound. ``attrs["alpha"]``
        holds ``alpha`` (the figures state the level).
    """
    with np.errstate(over="ignore"):
        ci = np.exp(result.conf_int(alpha=alpha))
        table = pd.DataFrame({"odds_ratio": np.exp(result.params), "lower": ci.iloc[:, 0], "upper": ci.iloc[:, 1],
                              "pvalue": result.pvalues})
    out = table.loc[list(terms)]
    out.attrs["alpha"] = float(alpha)
    return out


class WaldResults:
    """The statsmodels-style view of a fitted regression (the fit in ``self.result``).

    Coefficients, standard errors, Wald p-values and intervals and the coefficient table, on the
    model's linear scale (log-odds for a logit, log hazard ratios for a Cox model). Shared by
    :class:`LogitResults` and :class:`crmlib.survival.CoxModel`; a model whose fit returns bare
    arrays (statsmodels' ``PHReg``) names them in :meth:`_labelled`.
    """

    result: Any

    def _labelled(self, values: Any, name: str) -> pd.Series:
        """One value per parameter as a Series: the fit's own (labelled) Series here."""
        return values

    @property
    def params(self) -> pd.Series:
        """Coefficients, one per parameter (``const`` and one per term for a logit)."""
        return self._labelled(self.result.params, "coef")

    @property
    def bse(self) -> pd.Series:
        """Standard errors of :attr:`params`."""
        return self._labelled(self.result.bse, "se")

    @property
    def pvalues(self) -> pd.Series:
        """Wald test p-values of :attr:`params`."""
        return self._labelled(self.result.pvalues, "pvalue")

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald confidence intervals of :attr:`params` (on their scale).

        Parameters
        ----------
        alpha : float
            1 − confidence level, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            ``lower`` and ``upper``, one row per parameter.
        """
        alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
        ci = np.asarray(self.result.conf_int(alpha=alpha), dtype=float)
        return pd.DataFrame({"lower": ci[:, 0], "upper": ci[:, 1]}, index=self.params.index)

    def summary(self, alpha: float = 0.05) -> pd.DataFrame:
        """The coefficient table (statsmodels' full text table is ``result.summary()``).

        Parameters
        ----------
        alpha : float
            1 − confidence level of ``lower`` / ``upper``, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            ``coef``, ``se``, ``z``, ``pvalue``, ``lower``, ``upper`` by parameter.
        """
        ci = self.conf_int(alpha)
        return pd.DataFrame({"coef": self.params, "se": self.bse, "z": self._labelled(self.result.tvalues, "z"),
                             "pvalue": self.pvalues, "lower": ci["lower"], "upper": ci["upper"]})


class LogitResults(WaldResults):
    """The statsmodels-style view shared by crmlib's logit results (a fit in ``self.result``).

    :class:`crmlib.funnel.CloseModel`, :class:`crmlib.crosssell.RetentionLogit` and
    :class:`crmlib.satisfaction.OrderedLogit` add what is particular to their model (odds
    ratios, marginal effects, predictions).
    """

    @property
    def nobs(self) -> int:
        """Rows used in the fit."""
        return int(self.result.nobs)
