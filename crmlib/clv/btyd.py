"""Buy-till-you-die and cohort-retention models, fitted by maximum likelihood.

Models (statsmodels' model/results split, built on
:class:`statsmodels.base.model.GenericLikelihoodModel`):

* :class:`BetaGeo` — the BG/NBD model of Fader, Hardie & Lee (2005),
  "Counting your customers the easy way: an alternative to the Pareto/NBD
  model", Marketing Science 24(2), 275–284. Parameters ``r``, ``alpha``,
  ``a``, ``b``.
* :class:`ModifiedBetaGeo` — the MBG/NBD of Batislam, Denizel & Filiztekin (2007),
  "Empirical validation and comparison of models for customer base analysis",
  International Journal of Research in Marketing 24(3), 201–209: the BG/NBD with a
  chance to drop out right after the first purchase too. Parameters as the BG/NBD's.
* :class:`ParetoNBD` — the Pareto/NBD model of Schmittlein, Morrison &
  Colombo (1987), in the form of Fader & Hardie (2005), "A note on deriving
  the Pareto/NBD model and related expressions". Parameters ``r``,
  ``alpha``, ``s``, ``beta``.
* :class:`GammaGamma` — spend per transaction, Fader & Hardie (2013), "The
  Gamma-Gamma model of monetary value". Parameters ``p``, ``q``, ``gamma``.
* :class:`ShiftedBetaGeometric` — the sBG model of contractual retention,
  Fader & Hardie (2007), "How to project customer retention", Journal of
  Interactive Marketing 21(1), 76–90. Parameters ``gamma``, ``delta``.
* :class:`BetaGeoBetaBernoulli` — the BG/BB of discrete transaction opportunities.

The three latent-attrition models (BG/NBD, MBG/NBD, Pareto/NBD) take frequency weights
(``weights=``: compressed ``(x, t_x, T, count)`` rows), time-invariant customer covariates in
the purchase and the dropout process (``covariates=``, ``purchase=``, ``dropout=``; Fader &
Hardie 2007, "Incorporating time-invariant covariates into the Pareto/NBD and BG/NBD models")
and lifetimes' L2 penalty (``penalizer_coef=``). Their results give P(alive), expected
purchases, the distribution of future purchases P(X(t) = n) and delta-method intervals
(:func:`prediction_interval`); :func:`holdout_by_frequency`, :func:`period_transactions`,
:func:`alive_history` and :func:`covariate_effects` check a fit.

The optimiser works on the logarithms of the parameters (they must be
positive; covariate coefficients as they are): BFGS from the start values, then
Newton steps, with analytic gradients everywhere — the Pareto/NBD's from
:mod:`crmlib.clv._pnbd`, one pass over the customers with the Gauss hypergeometric
function in a form that never overflows; the results report the natural parameters, with
standard errors by the delta method from the observed information.
All likelihoods are evaluated in log space.

Inputs follow :func:`crmlib.clv.rfm.summarize`: ``frequency`` = repeat purchases
*x*, ``recency`` = time of the last purchase *t_x*, ``T`` = time observed,
all measured from the first purchase.
"""
from __future__ import annotations

import copy
import numbers
import warnings
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import special
from statsmodels.base.model import GenericLikelihoodModel, GenericLikelihoodModelResults, LikelihoodModelResults
from statsmodels.tools.numdiff import approx_fprime, approx_hess3

from .._validate import (as_float_array, check_aligned, check_finite_result, check_nonnegative, check_not_above,
                         check_number, check_whole, check_zero_together, plain)
from . import _optimize, _pnbd
from ._cohort import check_survivors
from ._window import PERIODS_PER_YEAR, check_period, period_of, resolve_period
from ..warnings import BoundaryWarning, ConvergenceWarning
from ..warnings import warn as _crm_warn

__all__ = [
    "holdout_by_frequency",
    "period_transactions",
    "alive_history",
    "covariate_effects",
    "estimates_table",
    "BetaGeo",
    "BetaGeoResults",
    "ModifiedBetaGeo",
    "ModifiedBetaGeoResults",
    "ParetoNBD",
    "ParetoNBDResults",
    "GammaGamma",
    "GammaGammaResults",
    "ShiftedBetaGeometric",
    "ShiftedBetaGeometricResults",
    "BetaGeoBetaBernoulli",
    "BetaGeoBetaBernoulliResults",
    "prediction_interval",
    "simulate_bgnbd",
    "simulate_mbgnbd",
    "simulate_pareto_nbd",
    "simulate_bgbb",
]

_gl = special.gammaln
_bl = special.betaln

#: Estimates outside [_EDGE_LOW, _EDGE_HIGH] run off to the edge of the parameter space.
_EDGE_LOW, _EDGE_HIGH = 1e-8, 1e8


def _warn(category: type, model: str, message: str, parameter: str | None = None) -> None:
    """Issue a crmlib warning pointing at the caller of ``fit`` (``fit`` -> ``_results`` -> ``_warn_fit`` -> here)."""
    _crm_warn(category, model, message, parameter=parameter, stacklevel=6)


# ----------------------------------------------------------------------------- input checks
def _labels(values: Any) -> list[Any] | None:
    return list(values.index) if isinstance(values, pd.Series) else None


#: Why a customer has recency 0 exactly when she has no repeat purchases (the message of the rule).
_RECENCY_ZERO = ("recency is 0 exactly when there is no repeat purchase (repeat purchases at the time of the first "
                 "would make the likelihood unbounded, alpha -> 0: merge purchases made at the same time, as "
                 "rfm.summarize does, or drop the row)")


def _aligned(*named: tuple[str, Any]) -> list[Any]:
    """The arguments, every pandas one paired by label with the first pandas one (never by position)."""
    ref = next(((n, v) for n, v in named if isinstance(v, (pd.Series, pd.DataFrame))), None)
    if ref is None:
        return [v for _, v in named]
    return [v if v is ref[1] else check_aligned(ref[1], ref[0], v, n) for n, v in named]


def _rft(frequency: Any, recency: Any, T: Any, *, broadcast: bool = False) -> tuple[np.ndarray, ...]:
    """Check (frequency, recency, T) of customers and return them as float arrays.

    One error per fault, naming the argument and the first bad row: values that are not finite
    numbers, negative; a frequency that is not whole; recency > T; recency 0 with repeat purchases
    or recency > 0 without. Pandas inputs must be paired by label (:func:`_aligned`) first.
    """
    x = as_float_array(frequency, "frequency")
    tx = as_float_array(recency, "recency")
    big_t = as_float_array(T, "T")
    labels = _labels(frequency) or _labels(recency) or _labels(T)
    if broadcast:
        try:
            x, tx, big_t = np.broadcast_arrays(x, tx, big_t)
        except ValueError as exc:
            raise ValueError(f"frequency, recency and T have incompatible lengths "
                             f"{x.size}, {tx.size}, {big_t.size}") from exc
    elif not (x.size == tx.size == big_t.size):
        raise ValueError(f"frequency, recency and T must have the same length, got {x.size}, {tx.size}, {big_t.size}")
    rows = labels if labels is not None and len(labels) == x.size else None
    for values, name in ((x, "frequency"), (tx, "recency"), (big_t, "T")):
        check_nonnegative(values, name, rows)
    check_whole(x, "frequency", rows)
    check_not_above(tx, "recency", big_t, "T", rows)
    check_zero_together(x, "frequency", tx, "recency", rows, why=_RECENCY_ZERO)
    return x, tx, big_t


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """sum(u * v) in one pass without a temporary (einsum, single-threaded)."""
    return float(np.einsum("i,i->", u, v))


def _dot3(u: np.ndarray, v: np.ndarray, z: np.ndarray) -> float:
    """sum(u * v * z) in one pass."""
    return float(np.einsum("i,i,i->", u, v, z))


def _horizon(t: Any, name: str = "t") -> np.ndarray:
    arr = as_float_array(t, name)
    check_nonnegative(arr, name, _labels(t))
    return arr


def _conditional_inputs(t: Any, frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, ...]:
    """Checked and broadcast (t, x, t_x, T) of a conditional expectation."""
    x, tx, big_t = _rft(frequency, recency, T, broadcast=True)
    return tuple(np.broadcast_arrays(_horizon(t), x, tx, big_t))


def _said_periods(named: tuple[tuple[str, Any], ...]) -> dict[str, str | None]:
    """What each named input says its time unit is (``attrs["period"]`` of a summary's column)."""
    return {f"{n}.attrs['period']": period_of(v) for n, v in named}


def _result(out: np.ndarray, what: str, *named: tuple[str, Any]) -> Any:
    """``out`` shaped like the inputs (:func:`_shape_like`) after checking that every value is finite."""
    check_finite_result(out, what, dict(named))
    return _shape_like(out, *(v for _, v in named))


def _shape_like(out: np.ndarray, *inputs: Any) -> Any:
    """Return a float for all-scalar inputs, a Series if an input was a Series, else the array."""
    for v in inputs:
        if isinstance(v, pd.Series) and len(v) == out.size:
            return pd.Series(out, index=v.index)
    if all(np.ndim(v) == 0 for v in inputs):
        return float(out.reshape(-1)[0])
    return out


# ----------------------------------------------------------------------------- common machinery
class _PositiveModel(GenericLikelihoodModel):
    """Likelihood model estimated on the log scale of its positive parameters.

    The first :attr:`_k_pos` parameters are positive and searched on their logarithms; any
    further ones (covariate coefficients) are real and searched as they are. ``theta`` below is
    that search vector. An optional L2 penalty (``penalizer_coef``, see :meth:`_penalty`) is part
    of the objective the optimiser maximises, never of :meth:`loglike`.
    """

    param_names: ClassVar[tuple[str, ...]] = ()
    results_class: ClassVar[type] = GenericLikelihoodModelResults
    #: The model's id in the label tables and the published estimates (``"bgnbd"``, ``"pnbd"`` ...).
    model_id: ClassVar[str] = ""
    #: L2 penalty coefficient (0: maximum likelihood); models that offer it set it in ``__init__``.
    penalizer_coef: float = 0.0

    def __init__(self, endog: np.ndarray, **kwds: Any) -> None:
        super().__init__(pd.Series(endog, name=kwds.pop("endog_name", "y")), None,
                         extra_params_names=list(self.param_names), **kwds)
        self.k_constant = 0
        self.df_model = float(len(self.param_names))
        self.df_resid = float(len(endog) - len(self.param_names))

    @property
    def _k_pos(self) -> int:
        """Number of positive parameters (the first ones); the rest are real."""
        return len(self.param_names)

    def _natural(self, theta: np.ndarray) -> np.ndarray:
        """The parameters from the search vector: exp of the first :attr:`_k_pos`, the rest as they are."""
        p = np.array(theta, dtype=float, copy=True)
        p[:self._k_pos] = np.exp(p[:self._k_pos])
        return p

    def _theta(self, params: np.ndarray) -> np.ndarray:
        """The search vector of natural parameters (inverse of :meth:`_natural`)."""
        th = np.array(params, dtype=float, copy=True)
        th[:self._k_pos] = np.log(th[:self._k_pos])
        return th

    def _dnatural(self, params: np.ndarray) -> np.ndarray:
        """d params / d theta, elementwise."""
        jac = np.ones(len(params))
        jac[:self._k_pos] = params[:self._k_pos]
        return jac

    def _valid(self, params: np.ndarray) -> bool:
        """Right length, all finite, the positive ones positive."""
        return bool(params.shape == (len(self.param_names),) and np.all(np.isfinite(params))
                    and np.all(params[:self._k_pos] > 0))

    # subclasses implement the per-observation log-likelihood in natural parameters
    def loglikeobs(self, params: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def loglike(self, params: np.ndarray) -> float:
        """Total log-likelihood at the natural parameters ``params``.

        Parameters
        ----------
        params : array_like of float
            The model's parameters in the order of ``param_names``, natural scale (not logarithms).

        Returns
        -------
        float
            The sum of :meth:`loglikeobs`; ``-inf`` when a parameter is not finite, a positive one
            is not positive, or the likelihood is not finite there. Without any penalty.
        """
        p = np.asarray(params, dtype=float)
        if not self._valid(p):
            return -np.inf
        with np.errstate(all="ignore"):
            val = float(np.sum(self.loglikeobs(p)))
        return val if np.isfinite(val) else -np.inf

    def _start(self) -> np.ndarray:
        return np.ones(len(self.param_names))

    # ------------------------------------------------------------------ the penalty
    def _penalty_scale(self) -> np.ndarray:
        """Factor of each parameter inside the penalty (1 each; rate scales in the time unit where max T = 1)."""
        return np.ones(len(self.param_names))

    def _penalty(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """The L2 penalty n · c · Σ (f_k p_k)^2 and its gradient in the natural parameters.

        n is the number of customers (the sum of the weights), c ``penalizer_coef``, f
        :meth:`_penalty_scale`: the fit maximises the mean log-likelihood per customer minus
        c · Σ (f_k p_k)^2, which is lifetimes' definition (see the models' ``penalizer_coef``).
        """
        c = self.penalizer_coef
        if not c:
            return 0.0, np.zeros(len(params))
        f = self._penalty_scale()
        n = float(np.sum(self._nobs_weights()))
        return n * c * float(np.sum((f * params) ** 2)), 2.0 * n * c * f * f * params

    # analytic gradient of the total log-likelihood in the natural parameters, where a model has one
    _has_score: ClassVar[bool] = False

    def _score(self, params: np.ndarray) -> np.ndarray:  # pragma: no cover - models with _has_score
        raise NotImplementedError

    def _objective(self, theta: np.ndarray) -> float:
        """The penalised log-likelihood at the search vector ``theta``."""
        p = self._natural(theta)
        return self.loglike(p) - self._penalty(p)[0]

    def _score_log(self, theta: np.ndarray) -> np.ndarray:
        """Gradient of the penalised log-likelihood in the search vector ``theta``.

        Analytic where the model has a score, else centred differences of :meth:`_objective`.
        """
        if self._has_score:
            p = self._natural(theta)
            with np.errstate(all="ignore"):
                return (self._score(p) - self._penalty(p)[1]) * self._dnatural(p)
        return approx_fprime(theta, self._objective, centered=True)

    def _hess_log(self, theta: np.ndarray) -> np.ndarray:
        """Hessian of the penalised log-likelihood in the search vector.

        Centred differences of the analytic score (2k score evaluations) where there is one,
        else :func:`approx_hess3` of the objective.
        """
        if not self._has_score:
            return approx_hess3(theta, self._objective)
        k = theta.size
        h = np.finfo(float).eps ** (1 / 3) * np.maximum(np.abs(theta), 1.0)
        cols = []
        for i in range(k):
            e = np.zeros(k)
            e[i] = h[i]
            cols.append((self._score_log(theta + e) - self._score_log(theta - e)) / (2 * h[i]))
        hess = np.column_stack(cols)
        return (hess + hess.T) / 2

    # ------------------------------------------------------------------ fit helpers
    def _loglike_and_score_log(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Penalised log-likelihood and its gradient in the search vector ``theta``, in one pass where the model can.

        Models with an analytic score that shares its intermediate terms with the likelihood
        override :meth:`_loglike_and_score`; the others evaluate the two separately.
        """
        p = self._natural(theta)
        ll, score = self._loglike_and_score(p)
        pen, dpen = self._penalty(p)
        return ll - pen, (score - dpen) * self._dnatural(p)

    def _loglike_and_score(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """(log-likelihood, gradient in the natural parameters); the default calls the two apart."""
        ll = self.loglike(params)
        if self._has_score:
            with np.errstate(all="ignore"):
                return ll, self._score(params)
        theta = self._theta(params)
        grad = approx_fprime(theta, lambda th: self.loglike(self._natural(th)), centered=True)
        return ll, grad / self._dnatural(params)

    def _check_degenerate(self) -> None:
        """Raise ValueError for data whose likelihood has no finite maximum (models override)."""

    def _nobs_weights(self) -> np.ndarray:
        """Weight of each likelihood term in customers (1 each unless rows are compressed)."""
        return np.ones(int(self.endog.shape[0]))

    def _fit_options(self, start_params: Any, maxiter: Any, disp: Any) -> tuple[np.ndarray, int]:
        if isinstance(maxiter, bool) or not isinstance(maxiter, (int, np.integer)):
            raise TypeError(f"maxiter must be a positive integer, got {type(maxiter).__name__} "
                            f"{plain(maxiter)!r}")
        if maxiter < 1:
            raise ValueError(f"maxiter must be a positive integer, got {maxiter}")
        if not isinstance(disp, (bool, np.bool_)):
            raise TypeError(f"disp must be True or False, got {disp!r}")
        k = len(self.param_names)
        if start_params is None:
            start = self._start()
        else:
            if isinstance(start_params, (int, float, np.number)):
                raise ValueError(f"start_params must have {k} values {list(self.param_names)}, got a single number")
            start = as_float_array(start_params, "start_params")
            if start.size != k:
                raise ValueError(f"start_params must have {k} values {list(self.param_names)}, got {start.size}")
            pos = start[:self._k_pos]
            bad = np.flatnonzero(pos <= 0)
            if bad.size:
                raise ValueError(f"start_params[{self.param_names[int(bad[0])]!r}] must be positive, got {pos[bad[0]]}")
            big = np.flatnonzero((pos < _EDGE_LOW) | (pos > _EDGE_HIGH))
            if big.size:
                i = int(big[0])
                raise ValueError(f"start_params[{self.param_names[i]!r}] = {start[i]:g} is outside "
                                 f"[{_EDGE_LOW:g}, {_EDGE_HIGH:g}], where {type(self).__name__}'s estimates can lie")
        return start, int(maxiter)

    def _warm_start(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Start values and per-customer covariance of the search vector from a subsample, or None."""
        return None

    #: From a cold start, use the Hessian at the start (its eigenvalues' signs dropped) as the quasi-Newton
    #: phase's first inverse Hessian (pays where a score is cheap and the default start is far off).
    _cold_start_hessian: ClassVar[bool] = False

    def fit(self, start_params: Any = None, maxiter: int = 2000, disp: bool = False,  # type: ignore[override]
            **kwargs: Any) -> Any:
        """Maximum-likelihood fit (penalised when the model has a ``penalizer_coef``).

        The optimiser works on the log-parameters (covariate coefficients as they are): BFGS from
        the start values, then Newton steps with the Hessian that also gives the standard errors.
        It stops when the largest gradient entry is below ``1e-9 · |log-likelihood|`` — a rule
        relative to the likelihood's scale, so the same at 100 customers and at a million.

        What is refused (ValueError / TypeError): ``maxiter`` that is not a positive integer,
        ``start_params`` of the wrong length, not finite, not positive or outside
        ``[1e-8, 1e8]`` (the model's positive parameters), or where the log-likelihood is not
        finite; data without a finite maximum (see each model's docstring).

        What is warned (:mod:`crmlib.warnings`): :class:`~crmlib.warnings.ConvergenceWarning`
        when the optimiser stopped before the gradient rule held (``maxiter`` reached, failed
        steps) — then ``converged`` is False; :class:`~crmlib.warnings.BoundaryWarning` naming
        the parameter when an estimate is below 1e-8 or above 1e8 (it runs off to the edge of
        the parameter space) or its standard error is not defined (the information matrix is
        singular there).

        Parameters
        ----------
        start_params : array_like, optional
            Natural-scale starting values (the positive parameters positive); a model default otherwise.
        maxiter : int, default 2000
            Largest number of optimiser iterations (quasi-Newton and Newton steps together).
        disp : bool, default False
            Print the optimiser's convergence message.
        **kwargs
            None is accepted (statsmodels' signature): any keyword raises TypeError.

        Returns
        -------
        BetaGeoResults, ModifiedBetaGeoResults, ParetoNBDResults, GammaGammaResults, ShiftedBetaGeometricResults or BetaGeoBetaBernoulliResults
            The model's results: ``params`` (pandas Series, literature names), ``bse``, ``llf``,
            ``aic``, ``bic``, ``conf_int()``, ``summary()``, ``converged`` and the model's
            predictions (for the latent-attrition models also ``period``, the time unit of the data).
        """
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword argument(s) {sorted(kwargs)}")
        start, maxiter = self._fit_options(start_params, maxiter, disp)
        self._check_degenerate()
        name = type(self).__name__
        objective = _optimize.Objective(self._loglike_and_score_log)
        warm = self._warm_start() if start_params is None else None
        if warm is not None:
            start = warm[0]
        theta0 = self._theta(start)
        ll0 = objective(theta0)[0]
        if not np.isfinite(ll0):
            raise ValueError(f"{name}: the log-likelihood at start_params "
                             f"{dict(zip(self.param_names, start.tolist()))} is not finite; start nearer the data")
        scale = max(abs(ll0), 1.0)  # the minimisers see the log-likelihood in units of its size at the start
        if warm is not None:
            hess_inv0 = self._first_inverse_hessian(warm[1], scale)
        elif self._cold_start_hessian:
            hess_inv0 = _saddle_free_inverse(self._hess_log(theta0), scale)
        else:
            hess_inv0 = None
        search = _optimize.Search(objective, self._hess_log, maxiter, scale, hess_inv0)
        opt = _optimize.maximize(search, theta0, name, self.param_names, self._natural)
        return self._results(opt, start, maxiter, bool(disp))

    def _first_inverse_hessian(self, cov_per_customer: np.ndarray, scale: float) -> np.ndarray:
        """A subsample's information, scaled to all customers, as the quasi-Newton's first inverse Hessian."""
        hess_inv0 = cov_per_customer * scale / float(np.sum(self._nobs_weights()))
        return (hess_inv0 + hess_inv0.T) / 2

    def _results(self, opt: _optimize.Optimum, start: np.ndarray, maxiter: int, disp: bool) -> Any:
        """The results object of an optimum, with the warnings of :meth:`fit`."""
        params, cov = _optimize.covariance(opt.theta, opt.hessian, self._k_pos)
        var = np.diag(cov)
        grad_ok = _optimize.converged(opt.loglike, opt.gradient)
        info_ok = bool(np.all(np.isfinite(var)) and np.all(var > 0))
        rel = _optimize.relative_gradient(opt.loglike, opt.gradient)
        llf = self.loglike(params) if self.penalizer_coef else opt.loglike
        if disp:
            print(f"{type(self).__name__}: {opt.message}; log-likelihood {llf:.4f}; "
                  f"{opt.iterations} iterations")
        self._warn_fit(opt.message, rel, params, var, grad_ok)
        mlefit = LikelihoodModelResults(self, params, normalized_cov_params=cov, scale=1.0)
        mlefit.mle_retvals = {"converged": bool(grad_ok and info_ok), "fopt": -opt.loglike,
                              "iterations": opt.iterations, "message": opt.message, "relative_gradient": rel}
        mlefit.mle_settings = {"optimizer": "bfgs+newton on log-parameters", "start_params": start,
                               "maxiter": maxiter, "rtol": _optimize.RTOL, "penalizer_coef": self.penalizer_coef}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # statsmodels' df bookkeeping notes for exog-free models
            out = self.results_class(self, mlefit)
        out._set_names(self.param_names, llf)
        return out

    def _warn_fit(self, message: str, rel: float, params: np.ndarray, var: np.ndarray, grad_ok: bool) -> None:
        """ConvergenceWarning when the gradient rule failed; BoundaryWarning per parameter at an edge."""
        name = type(self).__name__
        if not grad_ok:
            _warn(ConvergenceWarning, name,
                  f"the optimiser stopped before converging ({message}; largest gradient {rel:.1e} of "
                  f"|log-likelihood|, tolerance {_optimize.RTOL:g}): the estimates are not the maximum")
        for i, pname in enumerate(self.param_names):
            if i < self._k_pos and (params[i] < _EDGE_LOW or params[i] > _EDGE_HIGH):
                _warn(BoundaryWarning, name,
                      f"estimate {params[i]:.3g} runs off to the edge of the parameter space: the data do not "
                      f"identify it (its standard error is meaningless)", parameter=pname)
            elif grad_ok and not (np.isfinite(var[i]) and var[i] > 0):
                _warn(BoundaryWarning, name,
                      f"the information matrix is singular in this direction at the estimate {params[i]:.4g}: "
                      f"its standard error is not defined", parameter=pname)


def _saddle_free_inverse(hess: np.ndarray, scale: float) -> np.ndarray | None:
    """A first inverse Hessian for BFGS (in units of ``scale``) from a Hessian that need not be negative definite.

    The eigenvalues of ``-hess`` are replaced by their absolute values (floored at 1e-6 of the
    largest): far from the maximum the Hessian is indefinite, and BFGS needs a positive definite
    start. None when the Hessian is not finite.
    """
    if not np.all(np.isfinite(hess)):
        return None
    lam, vec = np.linalg.eigh(-hess)
    lam = np.abs(lam)
    if lam.max() <= 0:
        return None
    lam = np.maximum(lam, 1e-6 * lam.max())
    inv = (vec / lam) @ vec.T * scale
    return (inv + inv.T) / 2


class _Results(GenericLikelihoodModelResults):
    """Shared results behaviour: named parameters, named SEs, AIC/BIC with k = #parameters."""

    def _set_names(self, names: tuple[str, ...], llf: float) -> None:
        self._names = list(names)
        self.nobs = getattr(self.model, "nobs", self.nobs)  # customers (the BG/BB counts weighted rows)
        self.params = pd.Series(np.asarray(self.params, dtype=float), index=self._names, name="params")
        self._llf_value = llf

    @property
    def llf(self) -> float:  # type: ignore[override]
        """Maximised log-likelihood."""
        return self._llf_value

    @property
    def converged(self) -> bool:
        """True when the gradient rule held and the information matrix is positive definite."""
        return bool(self.mle_retvals["converged"])

    @property
    def bse(self) -> pd.Series:  # type: ignore[override]
        """Standard errors of the natural parameters (delta method)."""
        with np.errstate(invalid="ignore"):  # NaN where the information matrix is not positive definite
            return pd.Series(np.sqrt(np.diag(self.normalized_cov_params)), index=self._names, name="bse")

    @property
    def aic(self) -> float:  # type: ignore[override]
        """Akaike information criterion, ``-2 llf + 2 k``."""
        return -2.0 * self.llf + 2.0 * len(self._names)

    @property
    def bic(self) -> float:  # type: ignore[override]
        """Bayesian information criterion, ``-2 llf + k log n``."""
        return -2.0 * self.llf + np.log(self.nobs) * len(self._names)

    def conf_int(self, alpha: float = 0.05, cols: Any = None) -> pd.DataFrame:  # type: ignore[override]
        """Wald confidence intervals of the natural parameters, one row per parameter (``lower``, ``upper``).

        Parameters
        ----------
        alpha : float, default 0.05
            1 - confidence level.
        cols : None
            Unused (statsmodels' signature).

        Returns
        -------
        pandas.DataFrame
        """
        alpha = check_number(alpha, "alpha", low=0.0, high=1.0, low_open=True, high_open=True)
        ci = np.asarray(super().conf_int(alpha=alpha), dtype=float)
        return pd.DataFrame(ci, index=self._names, columns=["lower", "upper"])

    def summary(self, yname: str | None = None, xname: list[str] | None = None, title: str | None = None,
                alpha: float = 0.05) -> Any:
        """Statsmodels summary table (parameters, standard errors, log-likelihood, AIC).

        Parameters
        ----------
        yname : str, optional
            Name of the data column (default: the model's, e.g. ``"frequency"``).
        xname : list of str, optional
            Parameter names (default: the literature names, ``["r", "alpha", "a", "b"]`` ...).
        title : str, optional
            Table title (default: ``"<Model> — maximum likelihood"``).
        alpha : float, default 0.05
            1 - the confidence level of the intervals shown.

        Returns
        -------
        statsmodels.iolib.summary.Summary
            Printable (``print(res.summary())``), with ``as_text()``, ``as_html()`` and ``as_latex()``.
        """
        if title is None:
            title = f"{type(self.model).__name__} — maximum likelihood"
        return super().summary(yname=yname or self.model.endog_names, xname=xname or self._names,
                               title=title, alpha=alpha)

    def _p(self) -> np.ndarray:
        return np.asarray(self.params, dtype=float)

    def _with_params(self, params: np.ndarray) -> Any:
        """A copy of these results with other parameter values (for the delta method); the rest is shared."""
        other = copy.copy(self)
        other.params = pd.Series(np.asarray(params, dtype=float), index=self._names, name="params")
        return other



def _document_results(cls: type, methods: str, extra: str = "") -> None:
    """Append the attributes every results class shares (and its own methods) to ``cls``'s docstring."""
    model = cls.__name__.removesuffix("Results")
    names = ", ".join(globals()[model].param_names)
    cls.__doc__ = f"""{cls.__doc__}

    Returned by :meth:`{model}.fit`. Its methods (inherited ones included): ``conf_int(alpha)`` (Wald
    intervals), ``summary()`` (statsmodels table), {methods}. Its properties — ``bse`` (standard errors,
    delta method from the observed information of the log-parameters), ``converged``{extra} — are
    documented below.

    Attributes
    ----------
    params : pandas.Series
        Maximum-likelihood estimates, by their names in the literature ({names}).
    llf, aic, bic : float
        Maximised log-likelihood, and the information criteria with k = {len(names.split(","))} parameters.
    model : {model}
        The model (and its data).
    """


_PERIOD_ATTRIBUTES = ", ``period`` and ``periods_per_year`` (the time unit of the fitted data)"


class _LatentResults:
    """What the fitted latent-attrition models share: their time unit, input checks, predictions and a grid view."""

    @property
    def period(self) -> str | None:
        """Time unit of the fitted data (``"W"``, ``"D"`` ...), or None when unknown.

        Taken from the ``period`` argument of the model, or from ``attrs["period"]`` of the
        summary columns it was fitted on (:func:`crmlib.clv.rfm.summarize` writes it). Horizons
        ``t`` and the histories passed to the predictions are in this unit.

        Returns
        -------
        str or None
        """
        return self.model.period

    @property
    def periods_per_year(self) -> float | None:
        """Periods of the fitted unit in a year (52 for weeks, 365 for days ...), or None when unknown.

        Returns
        -------
        float or None
        """
        return None if self.period is None else PERIODS_PER_YEAR[self.period]

    def _histories(self, *named: tuple[str, Any]) -> list[Any]:
        """The inputs paired by label, after checking that the units they state are the fit's."""
        resolve_period({"the fit": self.period, **_said_periods(named)})
        return _aligned(*named)

    # ------------------------------------------------------------------ per-customer parameters
    def _covariate_rows(self, covariates: Any, named: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """(z_purchase, z_dropout) of the customers of a prediction: one row each, or one row for all."""
        m = self.model
        cols = list(dict.fromkeys(m.purchase_covariates + m.dropout_covariates))
        if covariates is None:
            series = next((v for v in named if isinstance(v, pd.Series)), None)
            if series is None:
                raise ValueError(f"this fit has covariates {cols}: pass covariates= (a DataFrame with a row per "
                                 f"customer, paired by label, or a mapping column -> value for everybody)")
            missing = series.index.difference(m.covariates.index)
            if len(missing):
                raise ValueError(f"customer {plain(missing[0])!r} is not among the fitted customers, whose covariates "
                                 f"the fit knows: pass covariates= for customers of your own")
            frame = m.covariates.loc[series.index]
        elif isinstance(covariates, Mapping):
            absent = [c for c in cols if c not in covariates]
            if absent:
                raise ValueError(f"covariates lacks {plain(absent[0])!r} (the fit's covariates are {cols})")
            one = {c: check_number(covariates[c], f"covariates[{plain(c)!r}]") for c in cols}
            return (np.array([[one[c] for c in m.purchase_covariates]]).reshape(1, -1),
                    np.array([[one[c] for c in m.dropout_covariates]]).reshape(1, -1))
        elif isinstance(covariates, pd.DataFrame):
            absent = [c for c in cols if c not in covariates.columns]
            if absent:
                raise ValueError(f"covariates lacks column {plain(absent[0])!r} (the fit's covariates are {cols})")
            ref = next(((n, v) for n, v in zip(("input",) * len(named), named) if isinstance(v, pd.Series)), None)
            frame = covariates if ref is None else check_aligned(ref[1], "the histories", covariates, "covariates")
            for c in cols:
                as_float_array(frame[c], f"covariates column {plain(c)!r}")
        else:
            raise TypeError(f"covariates must be a DataFrame or a mapping column -> value, got "
                            f"{type(covariates).__name__}")
        return (frame[list(m.purchase_covariates)].to_numpy(dtype=float),
                frame[list(m.dropout_covariates)].to_numpy(dtype=float))

    def _customer_params(self, covariates: Any, named: list[Any], params: np.ndarray | None = None
                         ) -> tuple[Any, Any, Any, Any]:
        """(r, α_i, third, d_i) for the customers of a prediction (scalars without covariates)."""
        p = self._p() if params is None else params
        if not self.model.has_covariates:
            if covariates is not None:
                raise ValueError("covariates given, but this fit has no covariates")
            return self.model._row_params(p)
        zp, zd = self._covariate_rows(covariates, named)
        return self.model._row_params(p, zp, zd)

    # ------------------------------------------------------------------ predictions
    def probability_alive(self, frequency: Any, recency: Any, T: Any, covariates: Any = None) -> Any:
        """P(alive | x, t_x, T): the probability that each customer is still alive at ``T``.

        BG/NBD: Fader, Hardie & Lee (2008 note, "Computing P(alive) using the BG/NBD model");
        it equals 1 for customers without repeat purchases (under the BG/NBD a customer can
        only drop out right after a purchase). MBG/NBD: Batislam, Denizel & Filiztekin (2007),
        below 1 without repeat purchases too. Pareto/NBD: Fader & Hardie (2005 note, eq. 18).

        Parameters
        ----------
        frequency : array_like or float
            Repeat purchases *x* of each customer (whole, >= 0).
        recency : array_like or float
            Time of the last purchase *t_x* since the first (0 <= t_x <= T; 0 when x = 0), in the
            time unit of the fitted data.
        T : array_like or float
            Time each customer has been observed since the first purchase, same unit.

            The three (and ``t`` where there is one) broadcast against each other, so one value
            can stand for all customers.
        covariates : pandas.DataFrame or mapping, optional
            For a fit with covariates: the customers' covariates (a DataFrame paired with the
            histories by label, or a mapping column -> value for all of them). By default the
            fitted customers' own, looked up by the labels of the histories (Series).

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Probability (0 to 1) that each customer is still alive at ``T``.
            A float when every input is a scalar, a Series on the index of an input Series (of
            the broadcast length), else an array of the broadcast shape.

        Raises
        ------
        ValueError
            Inputs of incompatible lengths, empty, not one-dimensional or containing NaN or infinite values; a negative or
            non-whole frequency, a negative recency or T, recency > T, or frequency 0 with
            recency > 0 (named by argument and row); covariates for a fit without them, or
            missing covariates for a fit with them.
        TypeError
            An input that is not numeric (a string, for example).
        """
        named = self._histories(("frequency", frequency), ("recency", recency), ("T", T))
        x, tx, big_t = _rft(*named, broadcast=True)
        p = self._customer_params(covariates, named)
        return _result(self._alive(p, x, tx, big_t), "probability_alive", *zip(("frequency", "recency", "T"), named))

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any, covariates: Any = None) -> Any:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units.

        BG/NBD: Fader, Hardie & Lee (2005), eq. 10; MBG/NBD: Batislam et al. (2007) with Wagner
        & Hoppe's (2008) erratum; Pareto/NBD: Schmittlein et al. (1987), Fader & Hardie (2005
        note), eq. 24.

        Parameters
        ----------
        t : array_like or float
            Horizon after ``T`` (>= 0), in the time unit of the fitted data; 0 gives 0.
        frequency, recency, T : array_like or float
            Each customer's history (x, t_x, T) as :meth:`probability_alive` takes it; ``t`` and
            the histories broadcast together (one horizon for all, or one per customer).
        covariates : pandas.DataFrame or mapping, optional
            As for :meth:`probability_alive` (fits with covariates only).

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Expected number of purchases in ``(T, T + t]`` of each customer (P(alive) included).
            A float when every input is a scalar, a Series on the index of an input Series (of
            the broadcast length), else an array of the broadcast shape.

        Raises
        ------
        ValueError, TypeError
            For the histories :meth:`probability_alive` refuses, and for a negative ``t``.
        """
        named = self._histories(("t", t), ("frequency", frequency), ("recency", recency), ("T", T))
        p = self._customer_params(covariates, named)
        out = self._expected(p, *_conditional_inputs(*named))
        return _result(out, "expected_purchases", *zip(("t", "frequency", "recency", "T"), named))

    def expected_purchases_new(self, t: Any, covariates: Any = None) -> Any:
        """E[X(t)]: expected purchases of a new customer in ``(0, t]``.

        BG/NBD: Fader, Hardie & Lee (2005), eq. 9. MBG/NBD: b/(a−1) · [1 − (α/(α+t))^r
        2F1(r, b+1; a+b; t/(α+t))]. Pareto/NBD: rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)] (at s = 1
        the bracket divided by s − 1 is its limit, log((β+t)/β)).

        Parameters
        ----------
        t : array_like or float
            Time since the first purchase (>= 0), in the time unit of the fitted data.
        covariates : pandas.DataFrame or mapping, optional
            For a fit with covariates: the new customers' covariates (a mapping for one profile,
            or a DataFrame with one row per entry of ``t``).

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Expected repeat purchases of a customer picked at random from the population, shaped
            like ``t`` (a float for a scalar, a Series on the index of a Series).

        Raises
        ------
        ValueError
            A negative, NaN or infinite ``t``, or ``t`` not one-dimensional.
        """
        (t,) = self._histories(("t", t))
        p = self._customer_params(covariates, [t])
        return _result(self._expected_new(p, _horizon(t)), "expected_purchases_new", ("t", t))

    def probability_of_purchases(self, n: Any, t: Any, frequency: Any = None, recency: Any = None, T: Any = None,
                                 covariates: Any = None) -> Any:
        """P(X(t) = n): the probability of exactly ``n`` purchases in an interval of length ``t``.

        Without a history, for a new customer in ``(0, t]``: BG/NBD, Fader, Hardie & Lee (2005),
        eq. 8; MBG/NBD the same with the dropout at time 0; Pareto/NBD, Fader & Hardie's note
        "Deriving an expression for P(X(t) = x) under the Pareto/NBD model": alive throughout
        (closed form), or died at τ < t after n purchases, ∫_0^t NBD(n; τ) f(τ) dτ with
        f(τ) = sβ^s/(β+τ)^(s+1), computed by Gauss–Legendre quadrature on doubling panels (the
        integrand is smooth and bounded; exact to rounding against the closed form).

        With a history (x, t_x, T), for the next ``t`` periods after ``T``: the customer is dead
        with probability 1 − P(alive) (then n = 0), and if alive her future follows the model
        started afresh with the posterior parameters — λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x)
        (BG/NBD; b+x+1 for the MBG/NBD, whose future dropouts follow purchases only) or
        μ ~ Gamma(s, β+T) (Pareto/NBD). Summed over n it is 1; its mean is
        :meth:`expected_purchases`.

        Parameters
        ----------
        n : array_like or int
            Number of purchases (whole, >= 0).
        t : array_like or float
            Length of the interval (>= 0), in the fitted unit.
        frequency, recency, T : array_like or float, optional
            The customers' histories (all three or none), as for :meth:`probability_alive`.
            ``n``, ``t`` and the histories broadcast together.
        covariates : pandas.DataFrame or mapping, optional
            As for :meth:`probability_alive` (or :meth:`expected_purchases_new` without a history).

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Probabilities (0 to 1), shaped like the broadcast inputs.

        Raises
        ------
        ValueError
            A negative or non-whole ``n``, a negative ``t``, histories that
            :meth:`probability_alive` refuses, or only some of frequency, recency and T.
        """
        given = [v is not None for v in (frequency, recency, T)]
        if any(given) and not all(given):
            raise ValueError("give frequency, recency and T together (a history), or none of them (a new customer)")
        if not any(given):
            named = self._histories(("n", n), ("t", t))
            nn, tt = _counts_and_horizon(*named)
            p = self._customer_params(covariates, named)
            out = self._pmf_new(p, nn, tt)
            return _result(out, "probability_of_purchases", *zip(("n", "t"), named))
        named = self._histories(("n", n), ("t", t), ("frequency", frequency), ("recency", recency), ("T", T))
        nn, tt = _counts_and_horizon(*named[:2])
        x, tx, big_t = _rft(*named[2:], broadcast=True)
        nn, tt, x, tx, big_t = np.broadcast_arrays(nn, tt, x, tx, big_t)
        p = self._customer_params(covariates, named)
        alive = self._alive(p, x, tx, big_t)
        out = alive * self._pmf_alive(p, nn, tt, x, big_t) + (1.0 - alive) * (nn == 0)
        return _result(out, "probability_of_purchases",
                       *zip(("n", "t", "frequency", "recency", "T"), named))

    # ------------------------------------------------------------------ intervals
    def probability_alive_interval(self, frequency: Any, recency: Any, T: Any, covariates: Any = None, *,
                                   level: float = 0.95) -> pd.DataFrame:
        """P(alive) with a confidence interval from the parameters' uncertainty (delta method).

        The interval is for the probability the fitted model assigns (the function of the
        parameters), not for whether the customer is alive: :func:`prediction_interval` on the
        logit scale, from the estimates' covariance.

        Parameters
        ----------
        frequency, recency, T, covariates
            As for :meth:`probability_alive`.
        level : float, default 0.95
            Confidence level (0 to 1, both open).

        Returns
        -------
        pandas.DataFrame
            ``estimate``, ``se``, ``lower``, ``upper``, one row per customer (indexed like an
            input Series).
        """
        return prediction_interval(lambda f: f.probability_alive(frequency, recency, T, covariates), [self],
                                   level=level, scale="logit")

    def expected_purchases_interval(self, t: Any, frequency: Any, recency: Any, T: Any, covariates: Any = None, *,
                                    level: float = 0.95) -> pd.DataFrame:
        """Expected purchases with a confidence interval from the parameters' uncertainty (delta method).

        :func:`prediction_interval` on the log scale; the interval is for the model's expectation,
        not for the number of purchases a customer will make (that is
        :meth:`probability_of_purchases`).

        Parameters
        ----------
        t, frequency, recency, T, covariates
            As for :meth:`expected_purchases`.
        level : float, default 0.95
            Confidence level (0 to 1, both open).

        Returns
        -------
        pandas.DataFrame
            ``estimate``, ``se``, ``lower``, ``upper``, one row per customer.
        """
        return prediction_interval(lambda f: f.expected_purchases(t, frequency, recency, T, covariates), [self],
                                   level=level, scale="log")

    def mixing_distributions(self, covariates: Mapping[str, float] | None = None) -> dict[str, Any]:
        """The heterogeneity across customers: the distributions of the purchase rate and of the dropout.

        λ ~ Gamma(r, rate α) for every model; the dropout probability p ~ Beta(a, b) (BG/NBD,
        MBG/NBD) or the dropout rate μ ~ Gamma(s, rate β) (Pareto/NBD). For a fit with
        covariates, those of one customer profile (α_i, b_i or β_i).

        Parameters
        ----------
        covariates : mapping of str to float, optional
            The profile (column -> value) of a fit with covariates; every covariate 0 by default.

        Returns
        -------
        dict
            ``"purchase"`` and ``"dropout"``: frozen :mod:`scipy.stats` distributions (``pdf``,
            ``mean``, ``ppf`` ...), and ``"dropout_kind"``: ``"p"`` or ``"mu"``.
        """
        from scipy import stats

        m = self.model
        if covariates is None and m.has_covariates:
            covariates = {c: 0.0 for c in m.purchase_covariates + m.dropout_covariates}
        if covariates is not None and not isinstance(covariates, Mapping):
            raise TypeError(f"covariates must be a mapping column -> value (one profile), got "
                            f"{type(covariates).__name__}")
        r, alpha, third, d = (float(np.reshape(v, -1)[0]) for v in self._customer_params(covariates, []))
        purchase = stats.gamma(r, scale=1.0 / alpha)
        if isinstance(m, ParetoNBD):
            return {"purchase": purchase, "dropout": stats.gamma(third, scale=1.0 / d), "dropout_kind": "mu"}
        return {"purchase": purchase, "dropout": stats.beta(third, d), "dropout_kind": "p"}

    # the models' formulas, on checked and broadcast arrays and per-customer parameters p = (r, α, ·, ·)
    def _alive(self, p: Any, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _expected(self, p: Any, t: np.ndarray, x: np.ndarray, tx: np.ndarray,
                  big_t: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _expected_new(self, p: Any, t: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _pmf_new(self, p: Any, n: np.ndarray, t: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _pmf_alive(self, p: Any, n: np.ndarray, t: np.ndarray, x: np.ndarray,
                   big_t: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def frequency_recency_matrix(self, *, frequencies: Any, recencies: Any, T: float, t: float | None = None,
                                 kind: str = "expected", covariates: Mapping[str, float] | None = None
                                 ) -> pd.DataFrame:
        """A table over calibration frequency (rows) and recency (columns) for customers observed for ``T``.

        Parameters
        ----------
        frequencies, recencies : sequence of float
            The grid's repeat-purchase counts (whole, >= 0) and recencies (each 0 to ``T``), in
            the fitted data's time unit.
        T : float
            Length of every customer's observation (>= 0).
        t : float, optional
            Horizon of the expected purchases (>= 0; needed for ``kind="expected"``).
        kind : {"expected", "alive"}
            Expected purchases in the next ``t`` periods, or the probability of being alive at ``T``.
        covariates : mapping of str to float, optional
            For a fit with covariates: the customer profile of the grid (column -> value).

        Returns
        -------
        pandas.DataFrame
            Indexed by frequency, one column per recency. Cells with ``frequency = 0`` and a recency
            above 0, or ``frequency > 0`` with recency 0, are histories that cannot happen: NaN.
            ``attrs`` holds what a figure needs to say what the cells are: ``kind``, ``t``, ``T``,
            ``period`` (the fit's unit, None when unknown) and ``model`` (``"bgnbd"``, ``"pnbd"`` ...).

        Raises
        ------
        ValueError
            Empty or non-finite grids, recencies above ``T``, an unknown ``kind``, or
            ``kind="expected"`` without ``t``.
        """
        fr = as_float_array(frequencies, "frequencies")
        rc = as_float_array(recencies, "recencies")
        if kind not in ("expected", "alive"):
            raise ValueError(f"kind must be 'expected' or 'alive', got {kind!r}")
        T = check_number(T, "T", low=0.0)
        if kind == "expected" and t is None:
            raise ValueError("kind='expected' needs the horizon t")
        t = None if t is None else check_number(t, "t", low=0.0)
        if (rc > T).any():
            raise ValueError(f"recencies must be <= T = {T:g}, got {rc.max():g}")
        F, R = np.meshgrid(fr, rc, indexing="ij")
        possible = (F > 0) == (R > 0)
        Ts = np.full(F.shape, T)
        f, r, tt = F[possible], R[possible], Ts[possible]
        vals = (self.probability_alive(f, r, tt, covariates) if kind == "alive"
                else self.expected_purchases(t, f, r, tt, covariates))
        out = np.full(F.shape, np.nan)
        out[possible] = np.asarray(vals, dtype=float)
        table = pd.DataFrame(out, index=pd.Index(fr, name="frequency"), columns=pd.Index(rc, name="recency"))
        table.attrs.update({"kind": kind, "t": t, "T": T, "period": self.period, "model": self.model.model_id})
        return table


def _counts_and_horizon(n: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
    """Checked purchase counts ``n`` (whole, >= 0) and horizons ``t`` (>= 0), broadcast."""
    nn = as_float_array(n, "n")
    check_nonnegative(nn, "n", _labels(n))
    check_whole(nn, "n", _labels(n))
    tt = _horizon(t)
    try:
        return tuple(np.broadcast_arrays(nn, tt))  # type: ignore[return-value]
    except ValueError as exc:
        raise ValueError(f"n and t have incompatible lengths {nn.size}, {tt.size}") from exc


def prediction_interval(predict: Any, fits: Any, *, level: float = 0.95, scale: str = "log") -> pd.DataFrame:
    """A confidence interval for any prediction of fitted models, by the delta method.

    ``predict(*fits)`` is evaluated at the estimates and, for its gradient, at the estimates moved
    one search coordinate at a time (the logarithms of the positive parameters, covariate
    coefficients as they are; centred differences). With J the gradient of g(prediction),
    g the ``scale``'s transform, the variance of g(prediction) is Σ_f J_f Σ_f J_f' summed over the
    fits (whose estimates are taken as independent, as a purchase model's and a spend model's
    are when fitted on different parts of the data); the interval g⁻¹(g(est) ± z se) stays inside
    the prediction's range (0 to 1 on the logit scale, positive on the log scale). ``se`` is the
    delta-method standard error of the prediction itself.

    Parameters
    ----------
    predict : callable
        ``predict(*fits)`` -> float, array or Series (one value per customer), e.g.
        ``lambda f: f.probability_alive(x, t_x, T)``.
    fits : sequence of fitted models
        Results objects of :mod:`crmlib.clv.btyd` (``params`` and ``normalized_cov_params``).
    level : float, default 0.95
        Confidence level (0 to 1, both open).
    scale : {"log", "logit", "identity"}
        Where the interval is symmetric: ``"log"`` for positive quantities (expected purchases,
        CLV), ``"logit"`` for probabilities, ``"identity"`` for anything else.

    Returns
    -------
    pandas.DataFrame
        ``estimate``, ``se``, ``lower``, ``upper``, one row per value (indexed like a Series
        prediction). A value at the edge of its range (P(alive) = 1 exactly, a horizon of 0)
        has se 0 and lower = upper = the value.

    Raises
    ------
    ValueError
        A bad ``level`` or ``scale``, or a fit whose covariance is not finite (it did not converge).
    """
    from scipy import stats

    level = check_number(level, "level", low=0.0, high=1.0, low_open=True, high_open=True)
    if scale not in ("log", "logit", "identity"):
        raise ValueError(f"scale must be 'log', 'logit' or 'identity', got {scale!r}")
    fits = list(fits)
    fwd, inv = {"log": (np.log, np.exp), "logit": (special.logit, special.expit),
                "identity": (lambda v: v, lambda v: v)}[scale]
    est_raw = predict(*fits)
    index = est_raw.index if isinstance(est_raw, pd.Series) else None
    est = np.asarray(est_raw, dtype=float).reshape(-1)
    edge = (est <= 0) | ((est >= 1) & (scale == "logit")) if scale != "identity" else np.zeros(est.size, bool)
    with np.errstate(all="ignore"):
        g0 = fwd(est)
        var = np.zeros(est.size)
        for i, fit in enumerate(fits):
            model, p = fit.model, np.asarray(fit.params, dtype=float)
            cov = np.asarray(fit.normalized_cov_params, dtype=float)
            if not np.all(np.isfinite(cov)):
                raise ValueError(f"{type(model).__name__}: the estimates' covariance is not finite (the fit did not "
                                 f"converge, or a standard error is not defined): no interval")
            jac_nat = model._dnatural(p)
            cov_theta = cov / np.outer(jac_nat, jac_nat)
            theta = model._theta(p)
            h = np.finfo(float).eps ** (1 / 3) * np.maximum(np.abs(theta), 1.0)
            grads = []
            for j in range(theta.size):
                vals = []
                for sign in (1.0, -1.0):
                    th = theta.copy()
                    th[j] += sign * h[j]
                    moved = list(fits)
                    moved[i] = fit._with_params(model._natural(th))
                    vals.append(fwd(np.asarray(predict(*moved), dtype=float).reshape(-1)))
                grads.append((vals[0] - vals[1]) / (2 * h[j]))
            jac = np.column_stack(grads)
            var += np.einsum("ij,jk,ik->i", jac, cov_theta, jac)
        se_g = np.sqrt(np.maximum(var, 0.0))
        z = float(stats.norm.ppf(0.5 + level / 2))
        lower, upper = inv(g0 - z * se_g), inv(g0 + z * se_g)
        deriv = (inv(g0 + 1e-6) - inv(g0 - 1e-6)) / 2e-6  # d prediction / d g
        se = np.abs(deriv) * se_g
    lower, upper, se = np.where(edge, est, lower), np.where(edge, est, upper), np.where(edge, 0.0, se)
    return pd.DataFrame({"estimate": est, "se": se, "lower": lower, "upper": upper}, index=index)


def _names(value: Any, name: str) -> tuple[str, ...]:
    """Column names given as one name or a sequence of names (none repeated)."""
    if value is None:
        return ()
    names = (value,) if isinstance(value, str) else tuple(value)
    seen = set()
    for c in names:
        if c in seen:
            raise ValueError(f"{name} names column {plain(c)!r} twice")
        seen.add(c)
    return names


def _covariate_columns(covariates: Any, purchase: Any, dropout: Any) -> tuple[pd.DataFrame | None, tuple, tuple]:
    """The covariate frame (only the columns used) and the columns of each process, checked."""
    purchase, dropout = _names(purchase, "purchase"), _names(dropout, "dropout")
    if covariates is None:
        if purchase or dropout:
            raise ValueError(f"{'purchase' if purchase else 'dropout'} names covariate columns but covariates is None: "
                             f"pass the DataFrame of covariates (one row per customer)")
        return None, (), ()
    if not isinstance(covariates, pd.DataFrame):
        raise TypeError(f"covariates must be a DataFrame (one row per customer, indexed like the summary), got "
                        f"{type(covariates).__name__}")
    if not purchase and not dropout:
        raise ValueError(f"covariates has columns {[plain(c) for c in covariates.columns]} but neither purchase nor "
                         f"dropout names one: say which process each covariate enters")
    for arg, cols in (("purchase", purchase), ("dropout", dropout)):
        for c in cols:
            if c not in covariates.columns:
                raise ValueError(f"{arg} names column {plain(c)!r}, which covariates lacks (it has "
                                 f"{[plain(k) for k in covariates.columns]})")
    used = list(dict.fromkeys(purchase + dropout))
    for c in used:
        values = as_float_array(covariates[c], f"covariates column {plain(c)!r}")
        if values.size > 1 and np.all(values == values[0]):
            raise ValueError(f"covariates column {plain(c)!r} is constant ({plain(values[0]):g}): its effect cannot be "
                             f"told apart from the rate it scales (alpha, or the dropout parameter)")
    return covariates[used].astype(float), purchase, dropout


def _check_weights(weights: Any, n: int, labels: list[Any] | None) -> np.ndarray:
    """Frequency weights: whole, non-negative, one per row, not all zero."""
    w = as_float_array(weights, "weights")
    if w.size != n:
        raise ValueError(f"weights must have one value per row ({n}), got {w.size}")
    check_nonnegative(w, "weights", labels)
    check_whole(w, "weights", labels)
    if w.sum() <= 0:
        raise ValueError("weights are all 0: there is no customer to fit")
    return w


class _LatentModel(_PositiveModel):
    """Models of (frequency, recency, T), with frequency weights, covariates and an L2 penalty.

    Customers with identical (x, t_x, T) share one likelihood term. Finding them costs a sort of
    the rows, which pays only when there are many repeats: the share of distinct rows is measured
    first on a fixed sample of at most 20,000 rows, and the rows are compressed only when fewer
    than half of them are distinct (continuous times, as in large logs, are never compressed;
    nor are rows with covariates). ``weights`` count the customers of each row.

    Covariates (Fader & Hardie 2007, "Incorporating time-invariant covariates into the Pareto/NBD
    and BG/NBD models"): customer i's purchase-rate scale is α_i = α exp(−γ_p'z_i) and her dropout
    parameter d_i = d exp(−γ_d'z_i) (d = β of the Pareto/NBD, b of the BG/NBD and MBG/NBD), so a
    positive coefficient means more purchasing (E[λ_i] = r/α_i) or more dropout (E[μ_i] = s/β_i,
    E[p_i] = a/(a + b_i)). The coefficients are named ``"purchase:<column>"`` and
    ``"dropout:<column>"`` and follow the four base parameters.
    """

    #: rows of the sample that decides whether compressing identical rows pays
    _SAMPLE: ClassVar[int] = 20_000
    #: the four base parameters
    base_names: ClassVar[tuple[str, ...]] = ()
    #: indexes of the rate-scale parameters (time units): scaled by 1/max T inside the penalty
    _rate_params: ClassVar[tuple[int, ...]] = (1,)

    def __init__(self, frequency: Any, recency: Any, T: Any, period: str | None = None, *, weights: Any = None,
                 covariates: Any = None, purchase: Any = (), dropout: Any = (), penalizer_coef: float = 0.0) -> None:
        named = (("frequency", frequency), ("recency", recency), ("T", T))
        frequency, recency, T, weights, covariates = _aligned(*named, ("weights", weights),
                                                              ("covariates", covariates))
        #: Time unit of recency and T (a period code of :func:`crmlib.clv.rfm.summarize`), or None: unknown.
        self.period = resolve_period({"period": check_period(period), **_said_periods(named)})
        x, tx, big_t = _rft(frequency, recency, T)
        self.frequency, self.recency, self.T = x, tx, big_t
        n = x.size
        labels = _labels(frequency) or _labels(recency) or _labels(T)
        labels = labels if labels is not None and len(labels) == n else None
        #: Frequency weight of each row (customers it stands for); None when not given (1 each).
        self.weights = None if weights is None else _check_weights(weights, n, labels)
        #: L2 penalty coefficient (lifetimes' ``penalizer_coef``; 0: maximum likelihood).
        self.penalizer_coef = check_number(penalizer_coef, "penalizer_coef", low=0.0)
        cov, self.purchase_covariates, self.dropout_covariates = _covariate_columns(covariates, purchase, dropout)
        if cov is not None and len(cov) != n:
            raise ValueError(f"covariates must have one row per customer ({n}), got {len(cov)}")
        #: The covariates used (one row per customer, the columns of ``purchase`` and ``dropout``), or None.
        self.covariates = cov
        self._zp = None if cov is None else cov[list(self.purchase_covariates)].to_numpy(dtype=float)
        self._zd = None if cov is None else cov[list(self.dropout_covariates)].to_numpy(dtype=float)
        self.param_names = (self.base_names + tuple(f"purchase:{c}" for c in self.purchase_covariates)
                            + tuple(f"dropout:{c}" for c in self.dropout_covariates))
        w = np.ones(n) if self.weights is None else self.weights
        self._inverse: np.ndarray | None = None
        self._rows, self._weights = np.column_stack([x, tx, big_t]), w
        if cov is None and self._repeats_pay(x, tx, big_t):
            rows, inverse = np.unique(self._rows, axis=0, return_inverse=True)
            self._inverse = inverse.reshape(-1)
            self._rows, self._weights = rows, np.bincount(self._inverse, weights=w, minlength=rows.shape[0])
        self._compressed = self._inverse is not None
        super().__init__(x, endog_name="frequency")
        self.nobs = float(w.sum())
        self.df_resid = self.nobs - len(self.param_names)

    def _repeats_pay(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> bool:
        """Whether fewer than half of a sample of rows are distinct (then identical rows share a term)."""
        n = x.size
        pick = np.random.default_rng(0).choice(n, self._SAMPLE, replace=False) if n > self._SAMPLE else slice(None)
        sample_t = big_t[pick]
        # distinct T alone (a cheap 1-D sort) bounds the distinct rows from below
        distinct = np.unique(sample_t).size / sample_t.size
        if distinct < 0.5:
            sample = np.column_stack([x[pick], tx[pick], sample_t])
            distinct = np.unique(sample, axis=0).shape[0] / sample.shape[0]
        return distinct < 0.5

    @property
    def _k_pos(self) -> int:
        return len(self.base_names)

    @property
    def has_covariates(self) -> bool:
        """Whether the model has covariates."""
        return self.covariates is not None

    def _penalty_scale(self) -> np.ndarray:
        f = np.ones(len(self.param_names))
        longest = float(np.max(self._rows[self._weights > 0, 2]))
        if longest > 0:
            f[list(self._rate_params)] = 1.0 / longest
        return f

    def _row_params(self, params: np.ndarray, zp: np.ndarray | None = None, zd: np.ndarray | None = None
                    ) -> tuple[Any, Any, Any, Any]:
        """(r, α_i, third, d_i) for each row: the base parameters, with α and the dropout parameter scaled by
        the covariates (``zp``, ``zd``: the model's own rows by default)."""
        r, alpha, third, d = (float(v) for v in params[:4])
        if not self.has_covariates:
            return r, alpha, third, d
        zp = self._zp if zp is None else zp
        zd = self._zd if zd is None else zd
        kp = zp.shape[1]
        gp, gd = params[4:4 + kp], params[4 + kp:]
        return (r, alpha * np.exp(-(zp @ gp)) if kp else alpha, third,
                d * np.exp(-(zd @ gd)) if gd.size else d)

    def _check_degenerate(self) -> None:
        name = type(self).__name__
        keep = self._weights > 0
        rows = self._rows[keep]
        if self.nobs < 2:
            raise ValueError(f"{name} needs at least 2 customers, got {self.nobs:g}: the spread of "
                             f"purchase rates across customers is not identified from one")
        if np.all(rows[:, 0] == 0):
            raise ValueError(f"{name}: no customer made a repeat purchase (all frequencies are 0): the "
                             f"likelihood grows without bound as the purchase rate goes to 0")
        if rows.shape[0] == 1 or np.all(rows == rows[0]):
            raise ValueError(f"{name}: all {self.nobs:g} customers have the same (frequency, recency, T): "
                             f"the spread across customers is not identified")

    def _nobs_weights(self) -> np.ndarray:
        return self._weights

    #: above this many distinct rows the fit starts from the estimates of a random subsample of _WARM rows
    _WARM: ClassVar[int] = 20_000

    def _options(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this model on other rows (:meth:`_warm_start`)."""
        return {"period": self.period, "purchase": self.purchase_covariates, "dropout": self.dropout_covariates,
                "penalizer_coef": self.penalizer_coef}

    def _warm_start(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Fit a seeded random subsample of 20,000 rows first (when there are more than 50,000 distinct
        rows): its estimates are within sampling error of the full ones, and its information matrix,
        scaled to all customers, starts the quasi-Newton phase, which then needs a few iterations on the
        full data instead of dozens."""
        if self._rows.shape[0] <= 2.5 * self._WARM:
            return None
        idx = np.sort(np.random.default_rng(1).choice(self.frequency.size, self._WARM, replace=False))
        try:
            sub = type(self)(self.frequency[idx], self.recency[idx], self.T[idx],
                             weights=None if self.weights is None else self.weights[idx],
                             covariates=None if self.covariates is None else self.covariates.iloc[idx],
                             **self._options())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = sub.fit()
        except (ValueError, RuntimeError):
            return None
        p = np.asarray(res.params, dtype=float)
        cov = np.asarray(res.normalized_cov_params, dtype=float)
        if not res.converged or not np.all(np.isfinite(cov)):
            return None
        jac = self._dnatural(p)
        return p, cov / np.outer(jac, jac) * sub.nobs  # per customer, in the search vector

    # ------------------------------------------------------------------ likelihood
    def _row_terms(self, p: tuple[Any, Any, Any, Any], x: np.ndarray, tx: np.ndarray, big_t: np.ndarray,
                   score: bool = True) -> tuple[np.ndarray, np.ndarray | None]:  # pragma: no cover - abstract
        """Log-likelihood of each row at per-row base parameters ``p``, and (``score``) its gradient (n, 4)."""
        raise NotImplementedError

    def _loglike_rows(self, params: np.ndarray) -> np.ndarray:
        """Log-likelihood of each (distinct) row."""
        x, tx, big_t = self._rows.T
        return self._row_terms(self._row_params(params), x, tx, big_t, score=False)[0]

    def _plain_loglike_and_score(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """Log-likelihood and gradient of the model without covariates (models override with a one-pass sum)."""
        x, tx, big_t = self._rows.T
        ll, grad = self._row_terms(self._row_params(params), x, tx, big_t)
        return float(self._weights @ ll), self._weights @ grad

    def _loglike_and_score(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """Log-likelihood and its gradient in the natural parameters (base and covariate coefficients).

        With covariates, by the chain rule through α_i = α exp(−γ_p'z_i) and d_i = d exp(−γ_d'z_i):
        ∂/∂α = Σ g_α,i α_i/α, ∂/∂γ_p = −Σ g_α,i α_i z_i, and the same for d and γ_d.
        """
        p = np.asarray(params, dtype=float)
        if not self._valid(p):
            return -np.inf, np.full(len(self.param_names), np.nan)
        with np.errstate(all="ignore"):
            if not self.has_covariates:
                ll, grad = self._plain_loglike_and_score(p)
            else:
                r, a_i, third, d_i = self._row_params(p)
                x, tx, big_t = self._rows.T
                rows, g = self._row_terms((r, a_i, third, d_i), x, tx, big_t)
                w = self._weights
                ll = float(w @ rows)
                wa, wd = w * g[:, 1] * a_i, w * g[:, 3] * d_i
                grad = np.r_[w @ g[:, 0], np.sum(wa) / p[1], w @ g[:, 2], np.sum(wd) / p[3],
                             -(self._zp.T @ wa), -(self._zd.T @ wd)]
        if not (np.isfinite(ll) and np.all(np.isfinite(grad))):
            return -np.inf, np.full(len(self.param_names), np.nan)
        return ll, np.asarray(grad, dtype=float)

    _has_score = True

    def _score(self, params: np.ndarray) -> np.ndarray:
        """Gradient of the total log-likelihood in the natural parameters."""
        return self._loglike_and_score(params)[1]

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        """Log-likelihood of each customer at the natural parameters ``params``.

        Parameters
        ----------
        params : array_like of float
            The parameters in the order of ``param_names``, natural scale.

        Returns
        -------
        numpy.ndarray
            One value per row of the data, in its order (not multiplied by the row's weight).
        """
        with np.errstate(all="ignore"):
            rows = self._loglike_rows(np.asarray(params, dtype=float))
        return rows if self._inverse is None else rows[self._inverse]

    def loglike(self, params: np.ndarray) -> float:
        """Total log-likelihood at the natural parameters ``params``: identical histories counted once, weighted.

        Parameters
        ----------
        params : array_like of float
            (r, alpha, a, b) or (r, alpha, s, beta), then any covariate coefficients; not logarithms.

        Returns
        -------
        float
            Sum over customers (weighted) of :meth:`loglikeobs`; ``-inf`` when a base parameter is
            not finite and positive, a coefficient not finite, or the likelihood not finite there.
            Without the penalty.
        """
        p = np.asarray(params, dtype=float)
        if not self._valid(p):
            return -np.inf
        return self._loglike_and_score(p)[0]


# ----------------------------------------------------------------------------- BG/NBD and MBG/NBD
# The MBG/NBD (Batislam, Denizel & Filiztekin 2007) is the BG/NBD with one more chance to drop out, at
# time 0 (right after the first purchase): its formulas are the BG/NBD's with the beta-function arguments
# shifted by k = 1 (b + x -> b + x + 1), and its "died" term present for x = 0 too. Every function below
# takes that shift k (0: BG/NBD, 1: MBG/NBD); the parameters may be arrays (one value per customer).
def _bgnbd_loglikeobs(p: Any, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray, k: int = 0) -> np.ndarray:
    """log L = log[Γ(r+x)α^r/Γ(r)] + log[B(a, b+x+k)/B(a,b) (α+T)^−(r+x)
    + [x+k > 0] B(a+1, b+x+k−1)/B(a,b) (α+t_x)^−(r+x)]  (FHL 2005, eq. 6; BDF 2007 for k = 1)."""
    r, alpha, a, b = p
    common = _gl(r + x) - _gl(r) + r * np.log(alpha) - _bl(a, b)
    l1 = _bl(a, b + x + k) - (r + x) * np.log(alpha + big_t)
    with np.errstate(invalid="ignore", divide="ignore"):
        l2 = np.where(x + k > 0, _bl(a + 1, np.maximum(b + x + k - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf)
    return common + np.logaddexp(l1, l2)


def _bgnbd_score_rows(p: Any, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray, k: int = 0) -> np.ndarray:
    """Gradient of :func:`_bgnbd_loglikeobs` in (r, alpha, a, b), one row per customer.

    With L = C (e^l1 + e^l2), d log L = d log C + w1 d l1 + w2 d l2, w = softmax(l1, l2);
    d log B(u, v)/du = psi(u) - psi(u + v). The log-odds l2 - l1 = log(a / (b+x+k-1)) +
    (r+x) log((alpha+T) / (alpha+t_x)) where x + k > 0 (the beta functions cancel); w2 = 0 elsewhere.
    """
    r, alpha, a, b = p
    dg = special.digamma
    pos = x + k > 0
    bx1 = np.where(pos, b + x + k - 1, 1.0)
    log_odds = np.log(a) - np.log(bx1) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx))
    w2 = np.where(pos, special.expit(log_odds), 0.0)
    w1 = 1.0 - w2
    dg_abx = dg(a + b + x + k)
    d_r = dg(r + x) - dg(r) + np.log(alpha) - w1 * np.log(alpha + big_t) - w2 * np.log(alpha + tx)
    d_alpha = r / alpha - (r + x) * (w1 / (alpha + big_t) + w2 / (alpha + tx))
    d_a = dg(a + b) - dg(a) + w1 * (dg(a) - dg_abx) + w2 * (dg(a + 1) - dg_abx)
    d_b = (dg(a + b) - dg(b) + w1 * (dg(b + x + k) - dg_abx)
           + np.where(pos, w2 * (dg(bx1) - dg_abx), 0.0))
    return np.column_stack(np.broadcast_arrays(d_r, d_alpha, d_a, d_b))


def _bgnbd_p_alive(p: Any, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray, k: int = 0) -> np.ndarray:
    """P(alive | x, t_x, T) = 1 / (1 + [x+k > 0] a/(b+x+k−1) ((α+T)/(α+t_x))^(r+x)), via the log-odds."""
    r, alpha, a, b = p
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds_dead = (np.log(a) - np.log(np.maximum(b + x + k - 1, 1e-300))
                         + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx)))
    return np.where(x + k > 0, special.expit(-log_odds_dead), 1.0)


def _bgnbd_alive_purchases(p: Any, x: np.ndarray, big_t: np.ndarray, t: np.ndarray, k: int = 0) -> np.ndarray:
    """Expected purchases in (T, T+t] of a customer alive at T with history x (FHL 2005, eqs. 9-10).

    (a+b+x+k−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x+k; a+b+x+k−1; z)], z = t/(α+T+t),
    evaluated after the Euler transformation 2F1(A,B;C;z) = (1−z)^(C−A−B) 2F1(C−A, C−B; C; z):
    the bracket becomes 1 − (1−z)^(a−1) 2F1(a+b+k−r−1, a−1; a+b+x+k−1; z), whose 2F1 stays moderate
    however large x is. x = 0, T = 0 gives E[X(t)] of a new customer who is alive at 0.
    """
    r, alpha, a, b = p
    with np.errstate(all="ignore"):
        log1mz = np.log(alpha + big_t) - np.log(alpha + big_t + t)
        hyp = special.hyp2f1(a + b + k - r - 1, a - 1, a + b + x + k - 1, t / (alpha + big_t + t))
        out = (a + b + x + k - 1) / (a - 1) * -np.expm1((a - 1) * log1mz + np.log(hyp))
    return np.where(t == 0, 0.0, out)


def _nbd_log_pmf(n: np.ndarray, r: Any, alpha: Any, t: np.ndarray) -> np.ndarray:
    """log P(N(t) = n) of the NBD: Poisson counts in (0, t] with rate λ ~ Gamma(r, α)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (_gl(r + n) - _gl(r) - _gl(n + 1) + r * (np.log(alpha) - np.log(alpha + t))
                + np.where(n > 0, n * (np.log(t) - np.log(alpha + t)), 0.0))


def _bgnbd_pmf(n: np.ndarray, t: np.ndarray, p: Any, k: int = 0) -> np.ndarray:
    """P(X(t) = n) of a new customer (FHL 2005, eq. 8; BDF 2007 for k = 1)::

        B(a, b+n+k)/B(a,b) NBD(n) + [n+k > 0] B(a+1, b+n+k−1)/B(a,b) P(NBD ≥ n),

    alive throughout with n purchases, or dropped out after the n-th purchase (k = 1: or at time
    0, n = 0); P(NBD ≥ n) = I_{t/(α+t)}(n, r), the regularised incomplete beta function.
    """
    r, alpha, a, b = p
    with np.errstate(divide="ignore", invalid="ignore"):
        alive = np.exp(_bl(a, b + n + k) - _bl(a, b) + _nbd_log_pmf(n, r, alpha, t))
        tail = np.where(n > 0, special.betainc(np.maximum(n, 1), r, t / (alpha + t)), 1.0)
        dead = np.where(n + k > 0, np.exp(_bl(a + 1, np.maximum(b + n + k - 1, 1e-300)) - _bl(a, b)) * tail, 0.0)
    return alive + dead


class BetaGeo(_LatentModel):
    """BG/NBD model (Fader, Hardie & Lee 2005).

    While alive a customer buys at Poisson rate λ ~ Gamma(r, α); after each
    purchase she drops out with probability p ~ Beta(a, b).

    Parameters
    ----------
    frequency, recency, T : array_like
        Repeat purchases, time of the last purchase and time observed (same
        time unit), one value per customer (or per row of identical customers, see ``weights``).
        pandas Series are paired by index label (never by position); Series whose labels differ
        are refused.
    period : {"W", "D", "h", "M", "Q", "Y"}, optional
        Time unit of ``recency`` and ``T``. Columns of a summary from
        :func:`crmlib.clv.rfm.summarize` say it themselves (``attrs["period"]``); give it for
        plain arrays, so that CLV and other projections in time can convert a rate per year
        (:func:`crmlib.clv.customer_lifetime_value` refuses a fit whose unit is unknown).
        A ``period`` that disagrees with the columns' is refused.
    weights : array_like, optional
        Frequency weights: the number of customers with each row's (frequency, recency, T), whole
        and non-negative (a compressed ``(x, t_x, T, count)`` table as a Spark or DuckDB job
        returns it); 1 each by default. A row of weight k counts as k identical customers.
    covariates : pandas.DataFrame, optional
        Time-invariant customer covariates, one row per customer, paired with the other inputs by
        index label (labels that disagree are refused). Only the columns named in ``purchase``
        and ``dropout`` are used; a constant column is refused (its effect is that of alpha or b).
    purchase, dropout : str or sequence of str, optional
        Columns of ``covariates`` in the purchase process (α_i = α exp(−γ_p'z_i)) and in the
        dropout process (b_i = b exp(−γ_d'z_i)); see :class:`_LatentModel`. Their coefficients
        follow the base parameters in ``params``, named ``"purchase:<column>"`` and
        ``"dropout:<column>"``: positive means more purchasing, or more dropout (a higher mean
        dropout probability a/(a + b_i)).
    penalizer_coef : float, default 0
        L2 penalty: the fit maximises the mean log-likelihood per customer minus
        ``penalizer_coef · Σ θ_k²`` over the parameters θ, with α taken in the time unit in
        which the longest observation T is 1 (α / max T) and the coefficients as they are. This
        is lifetimes' ``BetaGeoFitter(penalizer_coef=…)`` exactly (lifetimes rescales time so that
        max T = 1 before it penalises), so the same coefficient gives the same estimates. With a
        penalty ``llf`` is the (unpenalised) log-likelihood at the estimates and the standard
        errors come from the penalised information.

    Notes
    -----
    Refused (ValueError naming the row): negative or non-whole frequency, recency > T,
    frequency 0 with recency > 0, and frequency > 0 with recency 0 (repeat purchases at the
    moment of the first make the likelihood unbounded); weights that are negative, not whole or
    all 0; covariates that are not a DataFrame, lack a named column, hold a non-number or are
    constant. Customers with T = 0 (first purchase at the end of the calibration period) are
    accepted and contribute 0 to the log-likelihood. At fit time: fewer than 2 customers, nobody
    with a repeat purchase, or every customer with the same history raise ValueError.
    :meth:`fit` says what is warned.

    Examples
    --------
    >>> res = BetaGeo([0, 2, 5], [0.0, 10.0, 30.0], [38.0, 38.0, 38.0]).fit()  # doctest: +SKIP
    >>> res.params  # doctest: +SKIP
    """

    base_names = ("r", "alpha", "a", "b")
    param_names = base_names
    model_id = "bgnbd"
    #: dropout chances before the first repeat purchase: 0 (BG/NBD), 1 (MBG/NBD, at time 0)
    _shift: ClassVar[int] = 0

    def __init__(self, frequency: Any, recency: Any, T: Any, period: str | None = None, *, weights: Any = None,
                 covariates: Any = None, purchase: Any = (), dropout: Any = (), penalizer_coef: float = 0.0) -> None:
        super().__init__(frequency, recency, T, period, weights=weights, covariates=covariates, purchase=purchase,
                         dropout=dropout, penalizer_coef=penalizer_coef)
        # constant per-row terms of the one-pass likelihood and score: rows with a "died" term first
        # (a contiguous block), each row's frequency as an index into the few distinct frequencies
        x, tx, big_t = self._rows.T
        w = self._weights
        order = np.argsort(x + self._shift == 0, kind="stable")  # rows with x + k > 0 first
        x, tx, big_t, w = x[order], tx[order], big_t[order], w[order]
        ux, xi = np.unique(x, return_inverse=True)
        n_pos = int(np.count_nonzero(x + self._shift > 0))
        unit = bool(np.all(w == 1.0))  # every weight 1: no multiplications by weights
        self._fast = {
            "ux": ux, "n_x": np.bincount(xi, weights=w, minlength=ux.size), "T": np.ascontiguousarray(big_t),
            "w": None if unit else w, "x": np.ascontiguousarray(x), "w_sum": float(w.sum()), "n_pos": n_pos,
            "pos_xi": np.ascontiguousarray(xi[:n_pos]), "pos_x": np.ascontiguousarray(x[:n_pos]),
            "pos_tx": np.ascontiguousarray(tx[:n_pos]), "pos_w": None if unit else w[:n_pos],
        }
        self._buffers: list[np.ndarray] | None = None

    def _row_terms(self, p: tuple[Any, Any, Any, Any], x: np.ndarray, tx: np.ndarray, big_t: np.ndarray,
                   score: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """Log-likelihood (FHL 2005, eq. 6) and gradient of each row at per-row parameters."""
        ll = _bgnbd_loglikeobs(p, x, tx, big_t, self._shift)
        return ll, _bgnbd_score_rows(p, x, tx, big_t, self._shift) if score else None

    def _plain_loglike_and_score(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """Log-likelihood and its gradient in (r, alpha, a, b) in one pass over the customers.

        With L = C(x) (e^l1 + e^l2): every term that depends on the customer only through x
        (gamma, beta and digamma functions) is evaluated once per distinct frequency; per
        customer there remain log(alpha + T), 1/(alpha + T), and for rows with a "died" term
        (x + k > 0) log(alpha + t_x), 1/(alpha + t_x) and the logistic function of the log-odds
        d = l2 - l1 = log(a/(b+x+k-1)) + (r+x) Delta, Delta = log((alpha+T)/(alpha+t_x)), with
        log L = C(x) + l1 + softplus(d). The derivatives are, with w2 = logistic(d),
        d/dr = psi(r+x) - psi(r) + log alpha - log(alpha+T) + w2 Delta,
        d/dalpha = r/alpha - (r+x)/(alpha+T) - (r+x) w2 (1/(alpha+t_x) - 1/(alpha+T)),
        d/da = psi(a+b) - psi(a+b+x+k) + w2/a and
        d/db = psi(a+b) - psi(b) + psi(b+x+k) - psi(a+b+x+k) - w2/(b+x+k-1).
        The per-customer passes write into preallocated buffers and are summed by numpy's own
        reductions (not BLAS, whose threads only contend on a shared machine).
        """
        r, alpha, a, b = (float(v) for v in params[:4])
        k = self._shift
        fz = self._fast
        n_all, n_pos = fz["T"].size, fz["n_pos"]
        if self._buffers is None:
            self._buffers = [np.empty(n_all), np.empty(n_all)] + [np.empty(n_pos) for _ in range(4)]
        b_lt, b_it, p1, p2, p3, p4 = self._buffers
        ux, n_x, w, wx = fz["ux"], fz["n_x"], fz["w"], fz["x"]
        dg = special.digamma
        # per distinct frequency
        c_x = _gl(r + ux) - _gl(r) + r * np.log(alpha) + _bl(a, b + ux + k) - _bl(a, b)
        dr_x = dg(r + ux) - dg(r) + np.log(alpha)
        da_x = dg(a + b) - dg(a + b + ux + k)
        db_x = dg(a + b) - dg(b) + dg(b + ux + k) - dg(a + b + ux + k)
        has2 = ux + k > 0
        bx1 = np.where(has2, b + ux + k - 1, 1.0)
        la_x = np.log(a) - np.log(bx1)
        # per customer
        np.add(fz["T"], alpha, out=b_lt)
        np.divide(1.0, b_lt, out=b_it)
        np.log(b_lt, out=b_lt)
        if w is None:
            sum_lt, sum_it = float(b_lt.sum()), float(b_it.sum())
            sum_xlt, sum_xit = _dot(wx, b_lt), _dot(wx, b_it)
        else:
            sum_lt, sum_it = _dot(w, b_lt), _dot(w, b_it)
            sum_xlt, sum_xit = _dot3(w, wx, b_lt), _dot3(w, wx, b_it)
        ll = float(n_x @ c_x) - r * sum_lt - sum_xlt
        d_r = float(n_x @ dr_x) - sum_lt
        d_alpha = r / alpha * fz["w_sum"] - r * sum_it - sum_xit
        d_a = float(n_x @ da_x)
        d_b = float(n_x @ db_x)
        if n_pos:
            xi, xp, wp = fz["pos_xi"], fz["pos_x"], fz["pos_w"]
            np.add(fz["pos_tx"], alpha, out=p1)
            np.divide(1.0, p1, out=p2)                  # 1/(alpha + t_x)
            np.subtract(p2, b_it[:n_pos], out=p2)       # 1/(alpha + t_x) - 1/(alpha + T)
            np.log(p1, out=p1)
            np.subtract(b_lt[:n_pos], p1, out=p1)       # Delta
            np.add(xp, r, out=p3)                       # r + x
            np.take(la_x, xi, out=p4)
            d = p4
            d += p3 * p1                                # log-odds d
            np.negative(d, out=d)
            sp = -_dot(wp, special.log_expit(d)) if wp is not None else -float(special.log_expit(d).sum())
            np.negative(d, out=d)
            special.expit(d, out=d)                     # w2
            w2 = d
            ll += sp
            if wp is None:
                d_r += _dot(w2, p1)
                d_alpha -= _dot3(w2, p3, p2)
                s_w2 = np.bincount(xi, weights=w2, minlength=ux.size)
            else:
                d_r += _dot3(wp, w2, p1)
                d_alpha -= float(np.einsum("i,i,i,i->", wp, w2, p3, p2))
                s_w2 = np.bincount(xi, weights=wp * w2, minlength=ux.size)
            d_a += float(s_w2.sum()) / a
            d_b -= float(s_w2[has2] @ (1.0 / bx1[has2]))
        return ll, np.array([d_r, d_alpha, d_a, d_b])

    def _start(self) -> np.ndarray:
        return np.r_[1.0, max(float(np.mean(self.T)) / 10.0, 1e-3), 1.0, 3.0, np.zeros(len(self.param_names) - 4)]


class ModifiedBetaGeo(BetaGeo):
    """MBG/NBD model (Batislam, Denizel & Filiztekin 2007; lifetimes' ``ModifiedBetaGeoFitter``).

    As the BG/NBD — purchases at Poisson rate λ ~ Gamma(r, α) while alive, dropout with
    probability p ~ Beta(a, b) after each purchase — with one more chance to drop out: at time 0,
    right after the first purchase. So customers without repeat purchases can be gone too
    (P(alive) < 1 for them), and the likelihood is ::

        L = Γ(r+x) α^r / Γ(r) · [B(a, b+x+1)/B(a,b) (α+T)^−(r+x) + B(a+1, b+x)/B(a,b) (α+t_x)^−(r+x)].

    Parameters
    ----------
    frequency, recency, T, period, weights, covariates, purchase, dropout, penalizer_coef
        As for :class:`BetaGeo` (``penalizer_coef`` is lifetimes' ``ModifiedBetaGeoFitter``'s).

    Notes
    -----
    The same inputs are refused as by :class:`BetaGeo`; :meth:`fit` says what is warned.
    """

    model_id = "mbgnbd"
    _shift = 1



class BetaGeoResults(_LatentResults, _Results):
    """Fitted BG/NBD model."""

    def _alive(self, p: Any, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        return _bgnbd_p_alive(p, x, tx, big_t, self.model._shift)

    def _expected(self, p: Any, t: np.ndarray, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        return _bgnbd_alive_purchases(p, x, big_t, t, self.model._shift) * self._alive(p, x, tx, big_t)

    def _expected_new(self, p: Any, t: np.ndarray) -> np.ndarray:
        zero = np.zeros_like(t)
        return self._expected(p, t, zero, zero, zero)

    def _pmf_new(self, p: Any, n: np.ndarray, t: np.ndarray) -> np.ndarray:
        return _bgnbd_pmf(n, t, p, self.model._shift)

    def _pmf_alive(self, p: Any, n: np.ndarray, t: np.ndarray, x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        return _bgnbd_pmf(n, t, (r + x, alpha + big_t, a, b + x + self.model._shift), 0)


_LATENT_METHODS = ("``probability_alive``, ``expected_purchases``, ``expected_purchases_new``, "
                   "``probability_of_purchases`` (P(X(t) = n)), ``probability_alive_interval`` and "
                   "``expected_purchases_interval`` (delta method), ``mixing_distributions`` and "
                   "``frequency_recency_matrix``")

BetaGeo.results_class = BetaGeoResults
_document_results(BetaGeoResults, _LATENT_METHODS, _PERIOD_ATTRIBUTES)


class ModifiedBetaGeoResults(BetaGeoResults):
    """Fitted MBG/NBD model."""


ModifiedBetaGeo.results_class = ModifiedBetaGeoResults
_document_results(ModifiedBetaGeoResults, _LATENT_METHODS, _PERIOD_ATTRIBUTES)


# ----------------------------------------------------------------------------- Pareto/NBD
def _pnbd_growth(s: Any, base: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(1 − q^(s−1)) / (s−1), q = base/(base+t): the lifetime factor of the Pareto/NBD expectations
    (E[(1 − e^(−μt))/μ] / β' for μ ~ Gamma(s, rate β'), β' = base); continuous at s = 1, where it is −log q."""
    lq = np.log(base) - np.log(base + t)  # <= 0
    return -lq if abs(s - 1.0) < 1e-10 else -np.expm1((s - 1.0) * lq) / (s - 1.0)


def _pnbd_pmf(n: np.ndarray, t: np.ndarray, p: Any) -> np.ndarray:
    """P(X(t) = n) of a new Pareto/NBD customer: alive throughout, NBD(n; t) (β/(β+t))^s, or died at
    τ < t after n purchases, ∫_0^t NBD(n; τ) sβ^s (β+τ)^−(s+1) dτ.

    The integral by Gauss–Legendre (24 nodes) on the panels [0, h], [h, 2h], [2h, 4h], … of τ,
    h = min(α, β, t)/2: the integrand's singularities are at τ = −α and τ = −β, so each panel is at
    least its own length away from them, and every node's value is at most 1 (NBD(n; τ) <= 1).
    """
    r, alpha, s, beta = p
    shape = np.broadcast_shapes(np.shape(n), np.shape(t), *(np.shape(v) for v in p))
    n, t, r, alpha, s, beta = (np.broadcast_to(np.asarray(v, dtype=float), shape).reshape(-1)
                               for v in (n, t, r, alpha, s, beta))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.exp(_nbd_log_pmf(n, r, alpha, t) + s * (np.log(beta) - np.log(beta + t)))
        todo = np.flatnonzero(t > 0)
        y, w = special.roots_legendre(24)
        for lo in range(0, todo.size, 1024):
            ii = todo[lo:lo + 1024]
            h = np.minimum(np.minimum(alpha[ii], beta[ii]), t[ii]) / 2.0
            top = t[ii] / h
            n_pan = int(np.ceil(np.log2(float(np.max(top))))) + 2
            edges = np.r_[0.0, 2.0 ** np.arange(n_pan - 1)]
            a_, b_ = np.minimum(edges[:-1][None, :], top[:, None]), np.minimum(edges[1:][None, :], top[:, None])
            tau = h[:, None, None] * (a_[..., None] + (b_ - a_)[..., None] * (y + 1.0) / 2.0)
            weight = h[:, None, None] * (b_ - a_)[..., None] / 2.0 * w
            col = (slice(None), None, None)
            log_f = (np.log(s[ii]) + s[ii] * np.log(beta[ii]))[col] - (s[ii] + 1.0)[col] * np.log(beta[ii][col] + tau)
            dens = np.exp(_nbd_log_pmf(n[ii][col], r[ii][col], alpha[ii][col], tau) + log_f) * weight
            out[ii] += dens.sum(axis=(1, 2))
    return out.reshape(shape)


class ParetoNBD(_LatentModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

    While alive a customer buys at Poisson rate λ ~ Gamma(r, α); her
    exponential lifetime has rate μ ~ Gamma(s, β).

    The likelihood and its exact gradient are evaluated in one pass over the distinct customers
    (:mod:`crmlib.clv._pnbd`: Fader & Hardie's hypergeometric form after Euler's transformation,
    whose series and derivatives have terms of one sign; nothing overflows however many purchases
    a customer made), so the fit needs a few dozen evaluations of the likelihood and its score.

    Parameters
    ----------
    frequency, recency, T : array_like
        Repeat purchases, time of the last purchase and time observed (same time unit); pandas
        Series are paired by index label, as for :class:`BetaGeo`.
    period : {"W", "D", "h", "M", "Q", "Y"}, optional
        Time unit of ``recency`` and ``T``, as for :class:`BetaGeo` (read from a summary's
        columns; needed for plain arrays before a CLV).
    weights, covariates : optional
        Frequency weights and customer covariates, as for :class:`BetaGeo`.
    purchase, dropout : str or sequence of str, optional
        Columns of ``covariates`` in the purchase process (α_i = α exp(−γ_p'z_i)) and in the
        dropout process (β_i = β exp(−γ_d'z_i): a positive coefficient means a higher dropout
        rate, E[μ_i] = s/β_i).
    penalizer_coef : float, default 0
        L2 penalty, as for :class:`BetaGeo`, with α and β in the time unit in which max T = 1.
        lifetimes' ``ParetoNBDFitter`` adds its penalty to the *total* negative log-likelihood
        (divided by the mean weight) instead of the mean per customer: its ``penalizer_coef`` c
        is crmlib's c / (number of rows it was given).

    Notes
    -----
    The same customers are refused as by :class:`BetaGeo` (see its Notes); :meth:`fit` says
    what is warned.
    """

    base_names = ("r", "alpha", "s", "beta")
    param_names = base_names
    model_id = "pnbd"
    _rate_params = (1, 3)
    _cold_start_hessian = True

    def __init__(self, frequency: Any, recency: Any, T: Any, period: str | None = None, *, weights: Any = None,
                 covariates: Any = None, purchase: Any = (), dropout: Any = (), penalizer_coef: float = 0.0) -> None:
        super().__init__(frequency, recency, T, period, weights=weights, covariates=covariates, purchase=purchase,
                         dropout=dropout, penalizer_coef=penalizer_coef)
        x, tx, big_t = self._rows.T
        unit = bool(np.all(self._weights == 1.0))
        self._plan = None if self.has_covariates else _pnbd.Plan(x, tx, big_t, None if unit else self._weights)

    def _row_terms(self, p: tuple[Any, Any, Any, Any], x: np.ndarray, tx: np.ndarray, big_t: np.ndarray,
                   score: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """Log-likelihood (Fader & Hardie 2005 note, eqs. 22–23) and gradient of each row, per-row parameters."""
        ll, grad, _ = _pnbd.rows(*p, x, tx, big_t)
        return ll, grad if score else None

    def _plain_loglike_and_score(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        return self._plan.evaluate(params[:4])

    def _start(self) -> np.ndarray:
        return np.r_[1.0, max(float(np.mean(self.T)) / 4.0, 1e-3), 1.0, max(float(np.mean(self.T)), 1e-3),
                     np.zeros(len(self.param_names) - 4)]


class ParetoNBDResults(_LatentResults, _Results):
    """Fitted Pareto/NBD model: the attributes and methods of :class:`BetaGeoResults`.

    Returned by :meth:`ParetoNBD.fit`; ``params`` are r, alpha, s and beta (k = 4 parameters,
    then any covariate coefficients), ``model`` the :class:`ParetoNBD`, ``period`` the time unit
    of its data.
    """

    def _alive(self, p: Any, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        return _pnbd.rows(*p, x, tx, big_t)[2]

    def _expected(self, p: Any, t: np.ndarray, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = p
        return ((r + x) * (beta + big_t) / (alpha + big_t) * _pnbd_growth(s, beta + big_t, t)
                * self._alive(p, x, tx, big_t))

    def _expected_new(self, p: Any, t: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = p
        return r * beta / alpha * _pnbd_growth(s, beta, t)

    def _pmf_new(self, p: Any, n: np.ndarray, t: np.ndarray) -> np.ndarray:
        return _pnbd_pmf(n, t, p)

    def _pmf_alive(self, p: Any, n: np.ndarray, t: np.ndarray, x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = p
        return _pnbd_pmf(n, t, (r + x, alpha + big_t, s, beta + big_t))


ParetoNBD.results_class = ParetoNBDResults


# ----------------------------------------------------------------------------- Gamma-Gamma
def _freq_money(frequency: Any, monetary_value: Any) -> tuple[np.ndarray, np.ndarray]:
    """The Gamma-Gamma's data: whole frequencies > 0 and positive mean spends, paired by label."""
    frequency, monetary_value = _aligned(("frequency", frequency), ("monetary_value", monetary_value))
    x = as_float_array(frequency, "frequency")
    m = as_float_array(monetary_value, "monetary_value")
    if x.size != m.size:
        raise ValueError(f"frequency and monetary_value must have the same length, got {x.size} and {m.size}")
    labels = _labels(frequency) or _labels(monetary_value)
    lab = (lambda i: labels[i] if labels is not None else i)  # noqa: E731
    check_whole(x, "frequency", labels)
    for values, name, what in ((x, "frequency", "a positive whole number (customers with repeat purchases only)"),
                               (m, "monetary_value", "positive for the Gamma-Gamma model")):
        bad = np.flatnonzero(values <= 0)
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"{name}[{lab(i)!r}] must be {what}, got {plain(values[i]):g}")
    return x, m


class GammaGamma(_PositiveModel):
    """Gamma-Gamma model of the mean spend per transaction (Fader & Hardie 2013 note).

    Each transaction value is Gamma(p, ν); ν ~ Gamma(q, γ) across customers.
    Fit it on customers with at least one repeat purchase; ``monetary_value``
    is their mean repeat-transaction value.

    Parameters
    ----------
    frequency : array_like
        Number of repeat transactions *x* (> 0).
    monetary_value : array_like
        Mean value of those transactions *m_x* (> 0).

    Notes
    -----
    Refused: frequency not a positive whole number, monetary_value not positive; at fit time
    fewer than 2 customers or all customers identical. :meth:`fit` says what is warned.
    """

    param_names = ("p", "q", "gamma")
    model_id = "gg"

    def __init__(self, frequency: Any, monetary_value: Any) -> None:
        x, m = _freq_money(frequency, monetary_value)
        self.frequency, self.monetary_value = x, m
        super().__init__(m, endog_name="monetary_value")

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        """Log density of each customer's mean spend m_x given x (Fader & Hardie 2013, eq. 4).

        Parameters
        ----------
        params : array_like of 3 floats
            (p, q, gamma), natural scale, all > 0 (not checked here; :meth:`loglike` gives
            ``-inf`` outside).

        Returns
        -------
        numpy.ndarray
            One log density per customer of the data, in the order given; their sum is the
            log-likelihood.
        """
        p, q, g = np.asarray(params, dtype=float)
        x, m = self.frequency, self.monetary_value
        px = p * x
        return (_gl(px + q) - _gl(px) - _gl(q) + q * np.log(g) + px * np.log(x)
                + (px - 1) * np.log(m) - (px + q) * np.log(g + x * m))

    _has_score = True

    def _score(self, params: np.ndarray) -> np.ndarray:
        """Gradient of the total log-likelihood in (p, q, gamma)."""
        p, q, g = np.asarray(params, dtype=float)
        x, m = self.frequency, self.monetary_value
        px = p * x
        dg = special.digamma
        dg_pxq = dg(px + q)
        log_gxm = np.log(g + x * m)
        return np.array([np.sum(x * (dg_pxq - dg(px) + np.log(x) + np.log(m) - log_gxm)),
                         np.sum(dg_pxq - dg(q) + np.log(g) - log_gxm),
                         np.sum(q / g - (px + q) / (g + x * m))])

    def _start(self) -> np.ndarray:
        return np.array([1.0, 1.0, max(float(np.mean(self.monetary_value)), 1e-3)])

    def _check_degenerate(self) -> None:
        x, m = self.frequency, self.monetary_value
        if x.size < 2:
            raise ValueError(f"GammaGamma needs at least 2 customers, got {x.size}: the spread of mean spend "
                             f"across customers is not identified from one")
        if np.all(m == m[0]) and np.all(x == x[0]):
            raise ValueError(f"GammaGamma: all {x.size} customers have the same frequency and monetary_value: "
                             f"the spread of spend across customers is not identified")


class GammaGammaResults(_Results):
    """Fitted Gamma-Gamma model."""

    def expected_spend(self, frequency: Any, monetary_value: Any) -> Any:
        """E[Z | x, m_x] = (pγ + p x m_x) / (p x + q − 1): expected spend per transaction.

        A credibility-weighted average of the population mean pγ/(q−1) and
        the customer's observed mean (Fader & Hardie 2013, eq. 5).

        Parameters
        ----------
        frequency : array_like or float
            Repeat transactions *x* of each customer (>= 0; 0 gives the population mean).
        monetary_value : array_like or float
            Mean value *m_x* of those transactions (>= 0), in the currency of the fitted data.
            The two broadcast against each other.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Expected value of each customer's future transactions, in the same currency; a float
            for scalar inputs, a Series on the index of an input Series, else an array.

        Raises
        ------
        ValueError
            Negative, NaN or infinite values (named by argument and position), or lengths that do not
            broadcast.
        """
        named = _aligned(("frequency", frequency), ("monetary_value", monetary_value))
        x = as_float_array(named[0], "frequency")
        m = as_float_array(named[1], "monetary_value")
        try:
            x, m = np.broadcast_arrays(x, m)
        except ValueError as exc:
            raise ValueError(f"frequency and monetary_value have incompatible lengths {x.size}, {m.size}") from exc
        labels = _labels(named[0]) or _labels(named[1])
        labels = labels if labels is not None and len(labels) == x.size else None
        check_nonnegative(x, "frequency", labels)
        check_nonnegative(m, "monetary_value", labels)
        check_whole(x, "frequency", labels)
        check_zero_together(x, "frequency", m, "monetary_value", labels, both=False,
                            why="without repeat purchases there is no mean repeat spend (monetary_value 0)")
        p, q, g = self._p()
        undefined = np.flatnonzero(p * x + q - 1.0 <= 0)
        if undefined.size:
            i = int(undefined[0])
            raise ValueError(f"expected spend is not defined at row {plain(labels[i]) if labels else i!r} "
                             f"(frequency {x[i]:g}): p x + q - 1 = {p * x[i] + q - 1:g} <= 0 (the fitted q = "
                             f"{q:.4g}; the population mean exists only for q > 1)")
        out = (p * g + p * x * m) / (p * x + q - 1.0)
        return _result(out, "expected_spend", *zip(("frequency", "monetary_value"), named))

    def population_mean_spend(self) -> float:
        """pγ / (q − 1): mean spend per transaction across customers.

        Returns
        -------
        float
            In the currency of the fitted data.

        Raises
        ------
        ValueError
            The fitted q is at most 1: the Gamma-Gamma mean is then infinite (not defined).
        """
        p, q, g = self._p()
        if q <= 1:
            raise ValueError(f"the population mean spend is not defined: the fitted q = {q:.4g} <= 1 (the mean of "
                             f"the Gamma-Gamma spend exists only for q > 1)")
        return float(p * g / (q - 1.0))


GammaGamma.results_class = GammaGammaResults
_document_results(GammaGammaResults, "``expected_spend`` and ``population_mean_spend``")


# ----------------------------------------------------------------------------- sBG
class ShiftedBetaGeometric(_PositiveModel):
    """Shifted-beta-geometric model of contractual retention (Fader & Hardie 2007).

    Each customer churns at the end of a period with probability θ ~ Beta(γ, δ).

    Parameters
    ----------
    survivors : array_like
        Number of customers still active at the start (year 0) and at the end
        of each period 1, 2, …, n; non-increasing, first value positive. The
        model is fitted on all values given (pass ``survivors[:8]`` to
        calibrate on years 0–7).

    Notes
    -----
    Refused: a cohort that grows, negative or NaN counts, fewer than two values; at fit time a
    cohort that never shrinks (the churn probability's maximum is at 0) or that is gone after one
    period with nothing later. :meth:`fit` says what is warned.
    """

    param_names = ("gamma", "delta")
    model_id = "sbg"

    def __init__(self, survivors: Any) -> None:
        s = check_survivors(survivors)
        self.survivors = s
        super().__init__(s, endog_name="survivors")

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        """Per period: churners × log P(T = t); last entry: survivors × log S(n) (Fader & Hardie 2007, eq. 6).

        Parameters
        ----------
        params : array_like of 2 floats
            (gamma, delta) of the Beta distribution of churn probabilities, natural scale, > 0.

        Returns
        -------
        numpy.ndarray
            n + 1 values for a cohort observed over n periods: the log-likelihood contribution of
            the customers lost in each period 1..n, then that of the n-th period's survivors.
            Their sum is the cohort's log-likelihood.
        """
        g, d = np.asarray(params, dtype=float)
        s = self.survivors
        n = s.size - 1
        t = np.arange(1, n + 1)
        lost = s[:-1] - s[1:]
        log_pt = _bl(g + 1, d + t - 1) - _bl(g, d)
        log_sn = _bl(g, d + n) - _bl(g, d)
        return np.r_[lost * log_pt, s[-1] * log_sn]

    def _check_degenerate(self) -> None:
        s = self.survivors
        if s[-1] == s[0]:
            raise ValueError(f"ShiftedBetaGeometric: the cohort never shrinks ({s[0]:g} customers throughout): "
                             f"the likelihood grows without bound as the churn probability goes to 0")
        if s[-1] == 0 and s.size == 2:
            raise ValueError("ShiftedBetaGeometric: every customer churned in period 1 and there is no later "
                             "period: the spread of churn probabilities is not identified")

    _has_score = True

    def _score(self, params: np.ndarray) -> np.ndarray:
        """Gradient of the total log-likelihood in (gamma, delta)."""
        g, d = np.asarray(params, dtype=float)
        s = self.survivors
        n = s.size - 1
        t = np.arange(1, n + 1)
        lost = s[:-1] - s[1:]
        dg = special.digamma
        base_g, base_d = dg(g + d) - dg(g), dg(g + d) - dg(d)  # -d log B(g, d)
        d_g = lost @ (dg(g + 1) - dg(g + d + t) + base_g) + s[-1] * (dg(g) - dg(g + d + n) + base_g)
        d_d = lost @ (dg(d + t - 1) - dg(g + d + t) + base_d) + s[-1] * (dg(d + n) - dg(g + d + n) + base_d)
        return np.array([d_g, d_d])


class ShiftedBetaGeometricResults(_Results):
    """Fitted sBG model."""

    def survival(self, t: Any) -> Any:
        """S(t) = B(γ, δ + t) / B(γ, δ): share of the cohort surviving to period ``t``.

        Parameters
        ----------
        t : array_like or float
            Periods since the start (>= 0; S(0) = 1). Values between whole periods follow the
            same formula.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Share (0 to 1) of the year-0 cohort still active, shaped like ``t`` (a float for a
            scalar, a Series on the index of a Series).

        Raises
        ------
        ValueError
            A negative, NaN or infinite ``t``.
        """
        tt = _horizon(t)
        g, d = self._p()
        return _result(np.exp(_bl(g, d + tt) - _bl(g, d)), "survival", ("t", t))

    def retention(self, t: Any) -> Any:
        """r(t) = S(t)/S(t−1) = (δ + t − 1)/(γ + δ + t − 1) for t ≥ 1: retention rate rising with tenure.

        Parameters
        ----------
        t : array_like or float
            Period (>= 1) whose retention, from period t − 1 to t, is wanted.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Share (0 to 1) of the customers active at t − 1 still active at t, shaped like ``t``.

        Raises
        ------
        ValueError
            A ``t`` below 1 (named by position), NaN or infinite.
        """
        tt = as_float_array(t, "t")
        bad = np.flatnonzero(tt < 1)
        if bad.size:
            raise ValueError(f"t[{int(bad[0])}] must be >= 1 (retention from period t-1 to t), got {tt[bad[0]]}")
        g, d = self._p()
        return _result((d + tt - 1) / (g + d + tt - 1), "retention", ("t", t))

    def expected_survivors(self, t: Any, n0: float | None = None) -> Any:
        """Expected number of survivors at ``t`` out of ``n0`` (default: the cohort's year-0 size).

        Parameters
        ----------
        t : array_like or float
            Periods since the start (>= 0).
        n0 : float, optional
            Size of the cohort at period 0 (>= 0); the fitted ``survivors[0]`` by default.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            ``n0 · S(t)`` customers (not rounded), shaped like ``t``.

        Raises
        ------
        ValueError
            A negative, NaN or infinite ``t``, a negative, NaN or infinite ``n0``.
        TypeError
            ``n0`` that is not a real number.
        """
        size = float(self.model.survivors[0]) if n0 is None else check_number(n0, "n0", low=0)
        s = self.survival(t)
        return s * size


ShiftedBetaGeometric.results_class = ShiftedBetaGeometricResults
_document_results(ShiftedBetaGeometricResults, "``survival``, ``retention`` and ``expected_survivors``")


# ----------------------------------------------------------------------------- simulators
def _sim_common(n: Any, seed: Any, T: Any) -> tuple[int, np.random.Generator, np.ndarray]:
    from .._validate import check_int

    n = check_int(n, "n", low=1, high=100_000_000)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__} {plain(seed)!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(int(seed))
    if isinstance(T, tuple):
        if len(T) != 2:
            raise ValueError(f"T as a range must be (low, high), got {T!r}")
        lo = check_number(T[0], "T[0]", low=0.0)
        hi = check_number(T[1], "T[1]", low=lo)
        big_t = rng.uniform(lo, hi, n)
    else:
        big_t = np.broadcast_to(as_float_array(T, "T"), (n,)).astype(float)
        check_nonnegative(big_t, "T")
    return n, rng, big_t


def _positive(values: dict[str, Any]) -> list[float]:
    return [check_number(v, k, low=0.0, low_open=True) for k, v in values.items()]


def simulate_bgnbd(n: int, r: float = 0.24, alpha: float = 4.4, a: float = 0.79, b: float = 2.43, *,
                   T: Any = (30.0, 80.0), seed: int = 20241201) -> pd.DataFrame:
    """Customers drawn from the BG/NBD model, summarised as (frequency, recency, T), in continuous time.

    Each customer has a purchase rate λ ~ Gamma(r, rate α) and a dropout probability
    p ~ Beta(a, b). While alive she buys at the times of a Poisson process of rate λ; after each
    repeat purchase she drops out with probability p, so she makes at most K ~ Geometric(p)
    repeat purchases (K ≥ 1). With N ~ Poisson(λT) the purchases the process would make in
    (0, T], frequency x = min(N, K); the times of the first x purchases are the first x order
    statistics of N uniforms on (0, T), so recency t_x = T · Beta(x, N − x + 1) (0 for x = 0).
    Every quantity is drawn vectorised, so a million customers take a fraction of a second.

    Parameters
    ----------
    n : int
        Number of customers (1 to 10^8).
    r, alpha, a, b : float, default 0.24, 4.4, 0.79, 2.43
        Model parameters (> 0); the defaults are close to Fader, Hardie & Lee's (2005) CDNOW estimates.
    T : (float, float) or float or array_like, default (30, 80)
        Time each customer is observed: a ``(low, high)`` tuple draws it uniformly (continuous),
        otherwise the given value(s).
    seed : int, default 20241201
        Seed of ``numpy.random.default_rng``; equal arguments give identical data.

    Returns
    -------
    pandas.DataFrame
        ``frequency`` (float, whole numbers), ``recency`` and ``T``, one row per customer.
    """
    r, alpha, a, b = _positive({"r": r, "alpha": alpha, "a": a, "b": b})
    n, rng, big_t = _sim_common(n, seed, T)
    return _draw_bgnbd(rng, (r, alpha, a, b), big_t, 0)


def _draw_bgnbd(rng: np.random.Generator, p: Any, big_t: np.ndarray, k: int) -> pd.DataFrame:
    """One draw of (frequency, recency, T) per customer from the BG/NBD (k = 0) or MBG/NBD (k = 1); the
    parameters may be arrays (one value per customer)."""
    r, alpha, a, b = (np.broadcast_to(np.asarray(v, dtype=float), big_t.shape) for v in p)
    n = big_t.size
    lam = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.beta(a, b, n)
    n_poisson = rng.poisson(lam * big_t)
    cap = rng.geometric(np.clip(drop, 1e-300, 1.0))
    x = np.minimum(n_poisson, cap)
    if k:  # the MBG/NBD's chance to drop out at time 0
        x = np.where(rng.random(n) < drop, 0, x)
    pos = x > 0
    tx = np.zeros(n)
    tx[pos] = big_t[pos] * rng.beta(x[pos], n_poisson[pos] - x[pos] + 1)
    return pd.DataFrame({"frequency": x.astype(float), "recency": tx, "T": big_t})


def simulate_mbgnbd(n: int, r: float = 0.52, alpha: float = 6.18, a: float = 0.89, b: float = 1.61, *,
                    T: Any = (30.0, 80.0), seed: int = 20241201) -> pd.DataFrame:
    """Customers drawn from the MBG/NBD model, summarised as (frequency, recency, T), in continuous time.

    As :func:`simulate_bgnbd`, with the MBG/NBD's extra chance to drop out at time 0: with
    probability p the customer is gone right after her first purchase (frequency 0).

    Parameters
    ----------
    n : int
        Number of customers (1 to 10^8).
    r, alpha, a, b : float, default 0.52, 6.18, 0.89, 1.61
        Model parameters (> 0); the defaults are close to crmlib's MBG/NBD estimates on CDNOW.
    T : (float, float) or float or array_like, default (30, 80)
        As in :func:`simulate_bgnbd`.
    seed : int, default 20241201
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency`` and ``T``, one row per customer.
    """
    r, alpha, a, b = _positive({"r": r, "alpha": alpha, "a": a, "b": b})
    n, rng, big_t = _sim_common(n, seed, T)
    return _draw_bgnbd(rng, (r, alpha, a, b), big_t, 1)


def simulate_pareto_nbd(n: int, r: float = 0.55, alpha: float = 10.58, s: float = 0.61, beta: float = 11.67, *,
                        T: Any = (30.0, 80.0), seed: int = 20241201) -> pd.DataFrame:
    """Customers drawn from the Pareto/NBD model, summarised as (frequency, recency, T).

    λ ~ Gamma(r, rate α), μ ~ Gamma(s, rate β); the customer is alive for an exponential time
    τ ~ Exp(μ) and buys at Poisson rate λ while alive. With the active time a = min(τ, T),
    x ~ Poisson(λ a) and t_x = a · Beta(x, 1) (the last of x uniforms on (0, a)), 0 for x = 0.

    Parameters
    ----------
    n : int
        Number of customers.
    r, alpha, s, beta : float
        Model parameters (> 0); the defaults are close to the CDNOW estimates.
    T : (float, float) or float or array_like, default (30, 80)
        As in :func:`simulate_bgnbd`.
    seed : int, default 20241201
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency`` and ``T``.
    """
    r, alpha, s, beta = _positive({"r": r, "alpha": alpha, "s": s, "beta": beta})
    n, rng, big_t = _sim_common(n, seed, T)
    return _draw_pnbd(rng, (r, alpha, s, beta), big_t)


def _draw_pnbd(rng: np.random.Generator, p: Any, big_t: np.ndarray) -> pd.DataFrame:
    """One draw of (frequency, recency, T) per customer from the Pareto/NBD (parameters may be arrays)."""
    r, alpha, s, beta = (np.broadcast_to(np.asarray(v, dtype=float), big_t.shape) for v in p)
    n = big_t.size
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    active = np.minimum(rng.exponential(1.0, n) / mu, big_t)
    x = rng.poisson(lam * active)
    pos = x > 0
    tx = np.zeros(n)
    tx[pos] = active[pos] * rng.beta(x[pos], 1)
    return pd.DataFrame({"frequency": x.astype(float), "recency": tx, "T": big_t})


def simulate_bgbb(n: int, alpha: float = 1.204, beta: float = 0.750, gamma: float = 0.657, delta: float = 2.783,
                  *, n_periods: int = 6, seed: int = 20241201) -> pd.DataFrame:
    """Customers drawn from the BG/BB model over ``n_periods`` transaction opportunities.

    p ~ Beta(α, β) is the chance of a transaction at each opportunity while alive; θ ~ Beta(γ, δ)
    the chance of dying at the start of each opportunity (so the customer is alive at opportunity
    t with probability (1 − θ)^t). Returns per customer the number of transactions x and the
    opportunity of the last one t_x (0 for none).

    Parameters
    ----------
    n : int
        Number of customers.
    alpha, beta, gamma, delta : float
        Model parameters (> 0); defaults near Fader, Hardie & Shang's (2010) donor estimates.
    n_periods : int, default 6
        Number of transaction opportunities observed (1 to 1000).
    seed : int, default 20241201
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency`` and ``n_periods``, one row per customer.
    """
    from .._validate import check_int

    alpha, beta, gamma, delta = _positive({"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta})
    periods = check_int(n_periods, "n_periods", low=1, high=1000)
    n, rng, _ = _sim_common(n, seed, 0.0)
    p = rng.beta(alpha, beta, n)
    theta = rng.beta(gamma, delta, n)
    life = rng.geometric(np.clip(theta, 1e-300, 1.0)) - 1  # opportunities survived before dying
    t = np.arange(1, periods + 1)
    alive = t[None, :] <= life[:, None]
    buy = alive & (rng.random((n, periods)) < p[:, None])
    x = buy.sum(axis=1)
    tx = np.where(x > 0, periods - np.argmax(buy[:, ::-1], axis=1), 0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": tx.astype(float),
                         "n_periods": np.full(n, float(periods))})


# ----------------------------------------------------------------------------- BG/BB (discrete time)
def _at_least(values: np.ndarray, name: str, labels: list[Any] | None, low: float) -> None:
    """Whole counts of at least ``low`` (opportunities, customers)."""
    check_whole(values, name, labels)
    bad = np.flatnonzero(values < low)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{name}[{plain(labels[i]) if labels is not None else i!r}] must be >= {low:g}, "
                         f"got {values[i]:g}")


def _bgbb_inputs(frequency: Any, recency: Any, n_periods: Any, weights: Any = None, *,
                 broadcast: bool = False) -> tuple[np.ndarray, ...]:
    """Check (x, t_x, n[, count]) of the BG/BB and return float arrays; one error naming row and column.

    Pandas inputs must be paired by label (:func:`_aligned`) first.
    """
    arrays = [as_float_array(frequency, "frequency"), as_float_array(recency, "recency"),
              as_float_array(n_periods, "n_periods")]
    if weights is not None:
        arrays.append(as_float_array(weights, "weights"))
    if broadcast:
        try:
            arrays = [np.asarray(a, dtype=float) for a in np.broadcast_arrays(*arrays)]
        except ValueError as exc:
            raise ValueError(f"frequency, recency and n_periods have incompatible lengths "
                             f"{[a.size for a in arrays]}") from exc
    elif len({a.size for a in arrays}) != 1:
        names = ["frequency", "recency", "n_periods", "weights"][:len(arrays)]
        raise ValueError(f"{', '.join(names)} must have the same length, got {[a.size for a in arrays]}")
    labels = _labels(frequency) or _labels(recency) or _labels(n_periods)
    labels = labels if labels is not None and len(labels) == arrays[0].size else None
    x, tx, n = arrays[:3]
    for values, name, low in zip(arrays, ("frequency", "recency", "n_periods", "weights"), (0, 0, 1, 1)):
        _at_least(values, name, labels, low)
    check_not_above(x, "frequency", n, "n_periods", labels)
    check_not_above(tx, "recency", n, "n_periods", labels)
    check_not_above(x, "frequency", tx, "recency", labels)
    check_zero_together(x, "frequency", tx, "recency", labels,
                        why="without transactions recency is 0 (and with them it is the last one's opportunity)")
    if n.max() > 10_000:
        i = int(np.argmax(n))
        raise ValueError(f"n_periods[{plain(labels[i]) if labels is not None else i!r}] = {n[i]:g} exceeds "
                         f"10000 opportunities (the likelihood sums over the periods after the last transaction)")
    return tuple(arrays)


def _bgbb_log_terms(p: np.ndarray, x: np.ndarray, tx: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log of the BG/BB likelihood (FHS 2010, eq. 5) and of its 'alive at n' term, per row.

    L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
        + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ):
    alive through opportunity n, or died at the start of opportunity t_x+i+1 after i quiet ones.
    """
    alpha, beta, gamma, delta = (float(v) for v in p)
    b_ab, b_gd = _bl(alpha, beta), _bl(gamma, delta)
    l_alive = _bl(alpha + x, beta + n - x) - b_ab + _bl(gamma, delta + n) - b_gd
    k = int(np.max(n - tx)) if x.size else 0
    if k == 0:
        return l_alive, l_alive
    i = np.arange(k)[None, :]
    valid = i < (n - tx)[:, None]
    with np.errstate(invalid="ignore"):
        terms = (_bl(alpha + x[:, None], beta + tx[:, None] - x[:, None] + i) - b_ab
                 + _bl(gamma + 1.0, delta + tx[:, None] + i) - b_gd)
    terms = np.where(valid, terms, -np.inf)
    ll = special.logsumexp(np.column_stack([l_alive, terms]), axis=1)
    return ll, l_alive


class BetaGeoBetaBernoulli(_PositiveModel):
    """Beta-geometric/beta-Bernoulli (BG/BB) model of discrete-time repeat transactions.

    Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
    setting", *Marketing Science* 29(6), 1086–1108. At each of n transaction opportunities
    (a yearly appeal, a weekly event) a customer who is still "alive" transacts with probability
    p ~ Beta(α, β); at the start of each opportunity she dies with probability θ ~ Beta(γ, δ)
    and never returns. Parameters ``alpha``, ``beta``, ``gamma``, ``delta``.

    Parameters
    ----------
    frequency : array_like
        Number of repeat transactions x in the n opportunities (whole, 0 ≤ x ≤ recency).
    recency : array_like
        Opportunity of the last transaction t_x (whole, 0 ≤ t_x ≤ n; 0 when x = 0).
    n_periods : array_like or int
        Number of opportunities observed n (whole, ≥ 1).
    weights : array_like, optional
        Number of customers with each (x, t_x, n) (whole, ≥ 1), for a summary table such
        as the donor cohort of ``datasets.load("donations_1995")``; 1 each by default.

    Notes
    -----
    Refused with one error naming the row and column: non-whole values, frequency or recency
    above n_periods, frequency above recency, frequency 0 with recency > 0 (and > 0 with 0),
    counts below 1. At fit time (``fit``): fewer than 2 customers, nobody with a transaction,
    or every customer with the same history (the mixtures are then not identified). Fit
    warnings as for every model here (see :meth:`fit`).
    """

    param_names = ("alpha", "beta", "gamma", "delta")
    model_id = "bgbb"

    def __init__(self, frequency: Any, recency: Any, n_periods: Any, weights: Any = None) -> None:
        if isinstance(n_periods, numbers.Real) and not isinstance(n_periods, bool) and not np.isscalar(frequency):
            # one number of opportunities for every customer
            n_periods = np.full(as_float_array(frequency, "frequency").size, float(n_periods))
        arrays = _bgbb_inputs(*_aligned(("frequency", frequency), ("recency", recency), ("n_periods", n_periods),
                                        ("weights", weights)))
        self.frequency, self.recency, self.n_periods = arrays[:3]
        self.weights = arrays[3] if weights is not None else np.ones(arrays[0].size)
        super().__init__(self.frequency, endog_name="frequency")
        self.nobs = float(self.weights.sum())
        self.df_resid = self.nobs - len(self.param_names)

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        """Log-likelihood of one customer with each row's (x, t_x, n) (FHS 2010, eq. 5).

        Parameters
        ----------
        params : array_like of 4 floats
            (alpha, beta, gamma, delta), natural scale, > 0.

        Returns
        -------
        numpy.ndarray
            One value per row of the data, not multiplied by the row's ``weights``.
        """
        with np.errstate(all="ignore"):
            return _bgbb_log_terms(np.asarray(params, dtype=float), self.frequency, self.recency, self.n_periods)[0]

    def loglike(self, params: np.ndarray) -> float:
        """Total log-likelihood, each row weighted by its count.

        Parameters
        ----------
        params : array_like of 4 floats
            (alpha, beta, gamma, delta), natural scale.

        Returns
        -------
        float
            ``weights · loglikeobs(params)``; ``-inf`` when ``params`` is not four finite positive
            numbers or the likelihood is not finite there.
        """
        p = np.asarray(params, dtype=float)
        if p.shape != (4,) or np.any(~np.isfinite(p)) or np.any(p <= 0):
            return -np.inf
        val = float(self.weights @ self.loglikeobs(p))
        return val if np.isfinite(val) else -np.inf

    def _nobs_weights(self) -> np.ndarray:
        return self.weights

    def _check_degenerate(self) -> None:
        if self.weights.sum() < 2:
            raise ValueError("BetaGeoBetaBernoulli needs at least 2 customers, got 1")
        if np.all(self.frequency == 0):
            raise ValueError("BetaGeoBetaBernoulli: no customer made a repeat transaction (all frequencies are "
                             "0): the likelihood grows without bound as the transaction probability goes to 0")
        rows = np.column_stack([self.frequency, self.recency, self.n_periods])
        if np.all(rows == rows[0]):
            raise ValueError(f"BetaGeoBetaBernoulli: all {self.weights.sum():g} customers have the same "
                             f"(frequency, recency, n_periods): the spread across customers is not identified")

    def _start(self) -> np.ndarray:
        return np.ones(4)

    def fit(self, start_params: Any = None, maxiter: int = 2000, disp: bool = False,  # type: ignore[override]
            **kwargs: Any) -> "BetaGeoBetaBernoulliResults":
        """Maximum-likelihood fit (see :meth:`_PositiveModel.fit` for what is refused and warned).

        Parameters
        ----------
        start_params : array_like, optional
            Starting (alpha, beta, gamma, delta), all positive; 1 each by default.
        maxiter : int, default 2000
            Largest number of optimiser iterations.
        disp : bool, default False
            Print the optimiser's message.
        **kwargs
            None is accepted (statsmodels' signature): any keyword raises TypeError.

        Returns
        -------
        BetaGeoBetaBernoulliResults
        """
        return super().fit(start_params=start_params, maxiter=maxiter, disp=disp, **kwargs)


class BetaGeoBetaBernoulliResults(_Results):
    """Fitted BG/BB model: P(alive), expected transactions, DERT."""

    @staticmethod
    def _rows(frequency: Any, recency: Any, n_periods: Any) -> tuple[np.ndarray, ...]:
        return _bgbb_inputs(frequency, recency, n_periods, broadcast=True)[:3]

    def probability_alive(self, frequency: Any, recency: Any, n_periods: Any) -> Any:
        """P(alive at opportunity n+1 | x, t_x, n) (FHS 2010, eq. 11).

        = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+1)/B(γ,δ) / L(α, β, γ, δ | x, t_x, n).

        Parameters
        ----------
        frequency : array_like or int
            Transactions *x* of each customer (whole, 0 <= x <= recency).
        recency : array_like or int
            Opportunity of the last transaction *t_x* (whole, 0 <= t_x <= n_periods; 0 when x = 0).
        n_periods : array_like or int
            Opportunities observed *n* (whole, 1 to 10000).
            The three broadcast against each other.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Probability (0 to 1) that each customer is alive at the next opportunity.
            A float, array or Series as for :meth:`BetaGeoResults.probability_alive`.

        Raises
        ------
        ValueError
            Incompatible lengths, non-whole values, frequency or recency above n_periods,
            frequency above recency, frequency 0 with recency > 0, or n_periods above 10000
            (named by argument and row).
        """
        named = _aligned(("frequency", frequency), ("recency", recency), ("n_periods", n_periods))
        x, tx, n = self._rows(*named)
        g, d = self._p()[2:]
        ll, l_alive = _bgbb_log_terms(self._p(), x, tx, n)
        out = np.exp(l_alive + _bl(g, d + n + 1) - _bl(g, d + n) - ll)
        return _result(out, "probability_alive", *zip(("frequency", "recency", "n_periods"), named))

    def expected_transactions(self, n_future: Any, frequency: Any, recency: Any, n_periods: Any) -> Any:
        """E[X(n, n+n*) | x, t_x, n]: expected transactions in the next n* opportunities (FHS 2010, eq. 13).

        = 1/L · B(α+x+1, β+n−x)/B(α,β) · δ/(γ−1) · Γ(γ+δ)/Γ(1+δ)
          · [Γ(1+δ+n)/Γ(γ+δ+n) − Γ(1+δ+n+n*)/Γ(γ+δ+n+n*)].

        Parameters
        ----------
        n_future : array_like or int
            Number of future opportunities n* (>= 0).
        frequency, recency, n_periods : array_like or int
            The customers' histories (x, t_x, n), as for :meth:`probability_alive`; the four
            arguments broadcast against each other.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Expected transactions of each customer in opportunities n+1 .. n+n*.
            A float, array or Series as for :meth:`BetaGeoResults.probability_alive`.

        Raises
        ------
        ValueError
            For the histories :meth:`probability_alive` refuses, and for a negative ``n_future``.
        """
        named = _aligned(("n_future", n_future), ("frequency", frequency), ("recency", recency),
                         ("n_periods", n_periods))
        ns = _horizon(named[0], "n_future")
        x, tx, n = self._rows(*named[1:])
        ns, x, tx, n = np.broadcast_arrays(ns, x, tx, n)
        a, b, g, d = self._p()
        ll, _ = _bgbb_log_terms(self._p(), x.reshape(-1), tx.reshape(-1), n.reshape(-1))
        ll = ll.reshape(x.shape)
        lead = _bl(a + x + 1, b + n - x) - _bl(a, b) - ll
        out = np.exp(lead) * _bgbb_alive_sum(g, d, n, ns)
        return _result(out, "expected_transactions", *zip(("n_future", "frequency", "recency", "n_periods"), named))

    def expected_transactions_new(self, n: Any) -> Any:
        """E[X(n)]: expected transactions of a new customer in her first n opportunities (FHS 2010, eq. 7).

        = α/(α+β) · δ/(γ−1) · [1 − Γ(γ+δ)/Γ(γ+δ+n) · Γ(1+δ+n)/Γ(1+δ)].

        Parameters
        ----------
        n : array_like or int
            Number of opportunities since the customer's first (>= 0).

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Expected transactions of a customer picked at random, shaped like ``n`` (a float for
            a scalar, a Series on the index of a Series).

        Raises
        ------
        ValueError
            A negative, NaN or infinite ``n``.
        """
        nn = _horizon(n, "n")
        a, b, g, d = self._p()
        return _result(a / (a + b) * _bgbb_alive_sum(g, d, np.zeros_like(nn), nn), "expected_transactions_new",
                       ("n", n))

    def dert(self, discount: float, frequency: Any, recency: Any, n_periods: Any) -> Any:
        """Discounted expected residual transactions (FHS 2010, eq. 14), at discount rate d per opportunity.

        ::

            DERT = Σ_{t>n} E[transaction at t | x, t_x, n] / (1+d)^(t−n)
                 = B(α+x+1, β+n−x)/B(α,β) · B(γ, δ+n+1)/(B(γ,δ)(1+d))
                   · 2F1(1, δ+n+1; γ+δ+n+1; 1/(1+d)) / L

        Multiply by the value of a transaction for the customer's residual lifetime value.

        Parameters
        ----------
        discount : float
            Discount rate per opportunity (> 0), e.g. 0.1 for 10 % a year.
        frequency, recency, n_periods : array_like
            The customer's history, as for the model.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
        """
        dr = check_number(discount, "discount", low=0.0, low_open=True)
        named = _aligned(("frequency", frequency), ("recency", recency), ("n_periods", n_periods))
        x, tx, n = self._rows(*named)
        a, b, g, d = self._p()
        ll, _ = _bgbb_log_terms(self._p(), x, tx, n)
        log_head = (_bl(a + x + 1, b + n - x) - _bl(a, b) + _bl(g, d + n + 1) - _bl(g, d)
                    - np.log1p(dr) - ll)
        out = np.exp(log_head) * special.hyp2f1(1.0, d + n + 1, g + d + n + 1, 1.0 / (1.0 + dr))
        return _result(out, "dert", ("discount", dr), *zip(("frequency", "recency", "n_periods"), named))

    def fit_by_recency_frequency(self) -> pd.DataFrame:
        """Actual and expected number of customers at each (frequency, recency) of the fitted data.

        Under the BG/BB the chance of a summary (x, t_x) in n opportunities is
        C(t_x − 1, x − 1) · L(x, t_x, n) for x > 0 (the orders of the first x − 1 transactions)
        and L(0, 0, n) for x = 0; the expected count is that times the number of customers with
        n opportunities. Rows cover every possible (x, t_x) for each n in the data.

        Returns
        -------
        pandas.DataFrame
            ``n_periods``, ``frequency``, ``recency``, ``actual`` and ``expected``.
        """
        m = self.model
        out = []
        for n in np.unique(m.n_periods):
            size = float(m.weights[m.n_periods == n].sum())
            cells = [(0, 0)] + [(x, t) for t in range(1, int(n) + 1) for x in range(1, t + 1)]
            x = np.array([c[0] for c in cells], dtype=float)
            t = np.array([c[1] for c in cells], dtype=float)
            ll, _ = _bgbb_log_terms(self._p(), x, t, np.full(x.size, n))
            ways = np.where(x > 0, special.comb(np.maximum(t - 1, 0), np.maximum(x - 1, 0)), 1.0)
            expected = size * ways * np.exp(ll)
            sel = m.n_periods == n
            actual = [float(m.weights[sel & (m.frequency == xi) & (m.recency == ti)].sum()) for xi, ti in cells]
            out.append(pd.DataFrame({"n_periods": n, "frequency": x, "recency": t, "actual": actual,
                                     "expected": expected}))
        return pd.concat(out, ignore_index=True)


def _bgbb_alive_sum(g: float, d: float, n: np.ndarray, ns: np.ndarray) -> np.ndarray:
    """Σ_{t=n+1}^{n+n*} B(γ, δ+t)/B(γ, δ+n) · ... the expected alive opportunities in (n, n+n*], scaled.

    Returns δ/(γ−1) · Γ(γ+δ)/Γ(1+δ) · [Γ(1+δ+n)/Γ(γ+δ+n) − Γ(1+δ+n+n*)/Γ(γ+δ+n+n*)] with the
    factor Γ(γ+δ)/Γ(1+δ) · Γ(1+δ+n)/Γ(γ+δ+n) taken out as in FHS (2010, eq. 13)·B(γ, δ+n+1)/B(γ, δ);
    continuous at γ = 1 (where δ/(γ−1)[…] becomes a difference of digammas).
    """
    n = np.asarray(n, dtype=float)
    ns = np.asarray(ns, dtype=float)
    lead = _gl(g + d) - _gl(1 + d)
    l1 = _gl(1 + d + n) - _gl(g + d + n)
    l2 = _gl(1 + d + n + ns) - _gl(g + d + n + ns)
    if abs(g - 1.0) < 1e-8:
        # limit γ → 1: δ/(γ−1) (e^{l1} − e^{l2}) e^{lead} → δ (ψ(1+δ+n+n*) − ψ(1+δ+n))
        return d * (special.digamma(1 + d + n + ns) - special.digamma(1 + d + n))
    return d / (g - 1.0) * np.exp(lead) * (np.exp(l1) - np.exp(l2))


BetaGeoBetaBernoulli.results_class = BetaGeoBetaBernoulliResults
_document_results(BetaGeoBetaBernoulliResults, "``probability_alive``, ``expected_transactions``, ``expected_transactions_new``, "
                  "``dert`` and ``fit_by_recency_frequency``")


# ---------------------------------------------------------------------------------------------
# Checking a fitted purchase model on the holdout period


def holdout_by_frequency(summary: pd.DataFrame, fits: Mapping[Any, Any], max_frequency: int = 7) -> pd.DataFrame:
    """Mean holdout purchases, actual and predicted, by calibration frequency (the top group pooled).

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`crmlib.clv.rfm.summarize` with a holdout: ``frequency``, ``recency``, ``T``,
        ``frequency_holdout`` (whole, >= 0) and ``duration_holdout`` (> 0: the holdout follows
        the calibration).
    fits : mapping of name to fitted model
        Name (any label but ``"actual"`` and ``"customers"``, e.g. ``"bgnbd"`` or ``"my model"``)
        -> a fit with ``expected_purchases(t, frequency, recency, T)``. A fit that knows its time
        unit must share the summary's (``summary.attrs["period"]``).
    max_frequency : int
        Frequencies at or above it form one group, labelled ``"<max>+"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by group (``"0"``, ``"1"``, …, ``"7+"``, in that order): ``actual`` and one column per fit,
        plus ``customers``. ``attrs`` carries the summary's ``period``, ``calibration_periods``
        and ``holdout_periods`` (for the figure's labels).

    Raises
    ------
    TypeError, ValueError
        A summary without the columns, holdout purchases that are not whole counts, a holdout of
        length 0, no fits or a fit named like a column of the result, a bad ``max_frequency``, or
        a fit and a summary in different time units.
    """
    need = ("frequency", "recency", "T", "frequency_holdout", "duration_holdout")
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(f"summary must be a DataFrame, got {type(summary).__name__}")
    missing = [c for c in need if c not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks column {missing[0]!r} (summarize with a calibration_end)")
    if not isinstance(fits, Mapping) or not fits:
        raise TypeError("fits must be a non-empty mapping name -> fitted model")
    taken = [k for k in fits if k in ("actual", "customers")]
    if taken:
        raise ValueError(f"fits may not be named {taken[0]!r} (a column of the result); rename it")
    if isinstance(max_frequency, bool) or not isinstance(max_frequency, (int, np.integer)) or max_frequency < 1:
        raise ValueError(f"max_frequency must be a positive integer, got {plain(max_frequency)!r}")
    rows = list(summary.index)
    held = as_float_array(summary["frequency_holdout"], "summary column 'frequency_holdout'")
    check_nonnegative(held, "frequency_holdout", rows)
    check_whole(held, "frequency_holdout", rows)
    span = as_float_array(summary["duration_holdout"], "summary column 'duration_holdout'")
    short = np.flatnonzero(span <= 0)
    if short.size:
        raise ValueError(f"duration_holdout is {span[short[0]]:g} at row {plain(rows[short[0]])!r}: the "
                         f"holdout must follow the calibration (calibration_end before observation_end)")
    group = np.minimum(summary["frequency"].to_numpy(), max_frequency).astype(int)
    cols = {"actual": held}
    for name, fit in fits.items():
        cols[name] = np.asarray(fit.expected_purchases(summary["duration_holdout"], summary["frequency"],
                                                       summary["recency"], summary["T"]), dtype=float)
    df = pd.DataFrame(cols)
    df["customers"] = 1
    agg = {c: "mean" for c in cols} | {"customers": "sum"}
    out = df.groupby(group).agg(agg).sort_index()
    out.index = pd.Index([f"{g}+" if g == max_frequency else str(g) for g in out.index], name="frequency")
    out.attrs = {k: summary.attrs[k] for k in ("period", "calibration_periods", "holdout_periods")
                 if k in summary.attrs}
    return out


def _fitted_customers(fit: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, T, weight) of each row a latent-attrition fit was fitted on."""
    m = getattr(fit, "model", None)
    if not isinstance(m, _LatentModel):
        raise TypeError(f"fit must be a fitted BG/NBD, MBG/NBD or Pareto/NBD model (its results), got "
                        f"{type(fit).__name__}")
    w = np.ones(m.frequency.size) if m.weights is None else m.weights
    return m.frequency, m.recency, m.T, w


def period_transactions(fit: Any, max_frequency: int = 7, *, seed: int = 0, draws: int = 10) -> pd.DataFrame:
    """Customers by number of repeat purchases in the calibration period: actual, simulated from the fit, expected.

    The fitted model is simulated for the fitted customers — each with her own observation length
    T (and her covariates) — ``draws`` times with a seeded generator; ``simulated`` is the mean
    count per group over the draws. ``expected`` is the same count in expectation,
    Σ_i P(X(T_i) = n) (:meth:`~BetaGeoResults.probability_of_purchases`), which the simulation
    approaches as ``draws`` grows. A model that fits gives bars close to the actual ones.

    Parameters
    ----------
    fit : BetaGeoResults, ModifiedBetaGeoResults or ParetoNBDResults
        A fitted latent-attrition model (its data are the calibration period).
    max_frequency : int, default 7
        Frequencies at or above it form one group, labelled ``"<max>+"``.
    seed : int or numpy.random.Generator, default 0
        Seed of the simulation (``numpy.random.default_rng``), or the generator to draw from.
    draws : int, default 10
        Simulated customer bases (1 to 1000).

    Returns
    -------
    pandas.DataFrame
        Indexed by group (``"0"``, ``"1"``, …, ``"7+"``): ``actual``, ``simulated`` and
        ``expected`` numbers of customers. ``attrs``: ``model`` (the model id), ``period``,
        ``customers``, ``draws``, ``seed`` (None for a generator).

    Raises
    ------
    TypeError, ValueError
        A fit that is not a latent-attrition model's, a bad ``max_frequency``, ``seed`` or ``draws``.
    """
    from .._validate import check_int

    x, tx, big_t, w = _fitted_customers(fit)
    top = check_int(max_frequency, "max_frequency", low=1, high=1000)
    draws = check_int(draws, "draws", low=1, high=1000)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, np.random.Generator)):
        raise TypeError(f"seed must be an integer or a numpy Generator, got {type(seed).__name__} {plain(seed)!r}")
    m = fit.model
    counts = np.round(w).astype(int)
    p = m._row_params(fit._p())
    rows = np.repeat(np.arange(x.size), counts)
    per = [np.asarray(v)[rows] if np.ndim(v) else v for v in p]
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(int(seed))
    simulated = np.zeros(top + 1)
    for _ in range(draws):
        d = (_draw_pnbd(rng, per, big_t[rows]) if isinstance(m, ParetoNBD)
             else _draw_bgnbd(rng, per, big_t[rows], m._shift))
        simulated += np.bincount(np.minimum(d["frequency"].to_numpy().astype(int), top), minlength=top + 1)
    groups = np.arange(top, dtype=float)
    prob = np.asarray(fit._pmf_new(tuple(np.asarray(v)[:, None] if np.ndim(v) else v for v in p), groups[None, :],
                                   big_t[:, None]), dtype=float)
    expected = np.r_[w @ prob, w @ (1.0 - prob.sum(axis=1))]
    actual = np.bincount(np.minimum(x.astype(int), top), weights=w, minlength=top + 1)
    out = pd.DataFrame({"actual": actual, "simulated": simulated / draws, "expected": expected},
                       index=pd.Index([str(g) for g in range(top)] + [f"{top}+"], name="frequency"))
    out.attrs = {"model": m.model_id, "period": m.period, "customers": float(w.sum()), "draws": draws,
                 "seed": None if isinstance(seed, np.random.Generator) else int(seed)}
    return out


def alive_history(fit: Any, purchases: Any, T: float, *, step: float = 1.0, covariates: Any = None) -> pd.DataFrame:
    """One customer's probability of being alive over time, as her purchases come in.

    At each time τ from her first purchase (0) to ``T`` the customer's history so far is
    x(τ) = purchases in (0, τ], t_x(τ) = the last of them (0 if none), observed for τ; the table
    gives P(alive | x(τ), t_x(τ), τ) on a grid of step ``step`` and twice at each purchase,
    just before it and with it (where it jumps up). Purchases at the same time count as one, as in
    :func:`crmlib.clv.rfm.summarize`.

    Parameters
    ----------
    fit : BetaGeoResults, ModifiedBetaGeoResults or ParetoNBDResults
        A fitted latent-attrition model.
    purchases : array_like of float
        The customer's purchase times in the fit's unit, counted from her first purchase: the
        first is 0, the others in (0, T].
    T : float
        End of the history (>= the last purchase), in the fit's unit.
    step : float, default 1
        Spacing of the grid (> 0; at most 100,000 points).
    covariates : mapping, optional
        The customer's covariates (column -> value), for a fit with covariates.

    Returns
    -------
    pandas.DataFrame
        ``t``, ``frequency``, ``recency`` and ``p_alive``, one row per time (sorted; two rows at
        each purchase time, without and with the purchase). ``attrs``:
        ``purchases`` (the repeat-purchase times), ``period`` and ``model``.

    Raises
    ------
    TypeError, ValueError
        A fit that is not a latent-attrition model's; purchase times that are negative, not
        finite, without 0, or after ``T``; a bad ``step``; covariates missing for a fit with them.
    """
    _fitted_customers(fit)
    times = np.unique(as_float_array(purchases, "purchases"))
    end = check_number(T, "T", low=0.0)
    step = check_number(step, "step", low=0.0, low_open=True)
    check_nonnegative(times, "purchases")
    if times[0] != 0:
        raise ValueError(f"purchases must start with the first purchase at time 0 (times are counted from it), "
                         f"the earliest is {times[0]:g}")
    if times[-1] > end:
        raise ValueError(f"purchases has a purchase at {times[-1]:g}, after T = {end:g}")
    if end / step > 100_000:
        raise ValueError(f"T / step = {end / step:,.0f} points; at most 100,000 are computed")
    repeat = times[1:]
    # the grid, and each purchase time twice: just before the purchase (its left limit) and with it
    grid = np.r_[np.union1d(np.r_[np.arange(0.0, end, step), end], repeat), repeat]
    x = np.r_[np.searchsorted(repeat, grid[:grid.size - repeat.size], side="right"),
              np.searchsorted(repeat, repeat, side="left")].astype(float)
    order = np.lexsort((x, grid))
    grid, x = grid[order], x[order]
    tx = repeat[np.maximum(x.astype(int) - 1, 0)] if repeat.size else np.zeros(x.size)
    tx = np.where(x > 0, tx, 0.0)
    p_alive = np.asarray(fit.probability_alive(x, tx, grid, covariates), dtype=float)
    out = pd.DataFrame({"t": grid, "frequency": x, "recency": tx, "p_alive": p_alive})
    out.attrs = {"purchases": repeat.tolist(), "period": fit.period, "model": fit.model.model_id}
    return out


def covariate_effects(fit: Any, without: Any = None) -> pd.DataFrame:
    """The covariate coefficients of a fit: estimates, standard errors, Wald tests and what they multiply.

    A purchase coefficient γ_p scales the purchase rate: α_i = α exp(−γ_p z_i), so one unit more of
    the covariate multiplies the mean purchase rate r/α_i by ``factor`` = exp(γ_p). A dropout
    coefficient γ_d multiplies the mean dropout rate s/β_i of the Pareto/NBD by exp(γ_d); in the
    BG/NBD and MBG/NBD it divides b_i by exp(γ_d), raising the mean dropout probability a/(a+b_i)
    when positive.

    Parameters
    ----------
    fit : BetaGeoResults, ModifiedBetaGeoResults or ParetoNBDResults
        A fit with covariates.
    without : BetaGeoResults, ModifiedBetaGeoResults or ParetoNBDResults, optional
        The same model fitted on the same customers without covariates: adds the likelihood-ratio
        test of all coefficients being 0 (``attrs``).

    Returns
    -------
    pandas.DataFrame
        One row per coefficient, indexed ``"purchase.<column>"`` / ``"dropout.<column>"``:
        ``estimate``, ``se``, ``z`` (estimate / se), ``p_value`` (two-sided Wald test of 0) and
        ``factor`` (exp(estimate)). With ``without``: ``attrs`` ``lr_statistic``
        (2 × the log-likelihood gain), ``lr_df`` (number of coefficients) and ``lr_p_value``
        (chi-square).

    Raises
    ------
    TypeError, ValueError
        A fit without covariates; ``without`` of another model, with covariates, or on other customers.
    """
    from scipy import stats

    _fitted_customers(fit)
    m = fit.model
    if not m.has_covariates:
        raise ValueError("fit has no covariates (fit the model with covariates= and purchase= or dropout=)")
    names = list(m.param_names[4:])
    est = fit.params[names].to_numpy(dtype=float)
    se = fit.bse[names].to_numpy(dtype=float)
    index = [n.replace(":", ".", 1) for n in names]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = est / se
    out = pd.DataFrame({"estimate": est, "se": se, "z": z, "p_value": 2 * stats.norm.sf(np.abs(z)),
                        "factor": np.exp(est)}, index=pd.Index(index, name="coefficient"))
    if without is not None:
        w = getattr(without, "model", None)
        if type(w) is not type(m) or w.has_covariates:
            raise ValueError(f"without must be the same model ({type(m).__name__}) fitted without covariates, got "
                             f"{type(w).__name__ if w is not None else type(without).__name__}")
        if w.frequency.size != m.frequency.size or not (np.array_equal(w.frequency, m.frequency)
                                                        and np.array_equal(w.T, m.T)):
            raise ValueError("without was fitted on other customers than fit: the likelihood-ratio test needs the same")
        lr = 2.0 * (fit.llf - without.llf)
        out.attrs = {"lr_statistic": lr, "lr_df": len(names), "lr_p_value": float(stats.chi2.sf(lr, len(names)))}
    return out


def estimates_table(fits: Mapping[str, Any], dataset: str | None = None) -> pd.DataFrame:
    """Estimates, standard errors and log-likelihoods of several fits in one long table.

    Parameters
    ----------
    fits : mapping of str to fitted model
        Model id (``"bgnbd"``, ``"pnbd"``, ``"gg"``, …) -> its results.
    dataset : str, optional
        With a dataset id, a ``published`` column gives the published estimate where
        ``datasets/published/btyd_published_params.csv`` has one (NaN otherwise).

    Returns
    -------
    pandas.DataFrame
        Columns ``model``, ``parameter``, ``estimate``, ``se``, ``published``, ``llf``.
    """
    from .. import datasets

    if not isinstance(fits, Mapping) or not fits:
        raise TypeError("fits must be a non-empty mapping model id -> fitted model")
    rows = []
    for model, fit in fits.items():
        for name in fit.params.index:
            pub = (datasets.published(model, dataset, name).value
                   if dataset is not None and datasets.has_published(model, dataset, name) else np.nan)
            rows.append({"model": model, "parameter": name, "estimate": float(fit.params[name]),
                         "se": float(fit.bse[name]), "published": pub, "llf": float(fit.llf)})
    return pd.DataFrame(rows)
