"""The maximum-likelihood optimiser of the models of :mod:`crmlib.clv.btyd`.

The models' parameters are positive, so the search runs on their logarithms ``theta``:

1. :meth:`Search.bfgs` — quasi-Newton (BFGS) from the start values, to a moderate relative
   tolerance (its line search needs changes of the likelihood that double precision resolves);
2. :meth:`Search.newton` — Newton steps with the Hessian (needed anyway for the standard
   errors), recomputed only after a large step, until the :func:`converged` rule holds;
3. when Newton cannot finish (not yet in the concave region), BFGS again from there, and as a
   last resort a derivative-free start (:meth:`Search.nelder_mead`) from the start values.

:func:`maximize` runs the phases; :func:`covariance` turns the Hessian of the log-parameters
into the covariance of the natural parameters (delta method). The convergence rule is relative
to the likelihood's scale — the largest gradient entry at most :data:`RTOL` times
|log-likelihood| — so it is the same at 100 customers and at a million.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import optimize

__all__ = ["RTOL", "BFGS_RTOL", "LOG_BOX", "Objective", "Search", "Optimum", "relative_gradient", "converged",
           "maximize", "covariance"]

#: Convergence: the largest entry of the log-likelihood's gradient in the log-parameters must be at most
#: this fraction of |log-likelihood| (i.e. the mean gradient per customer relative to the mean
#: log-likelihood per customer), whatever the number of customers.
RTOL = 1e-9
#: The quasi-Newton phase stops earlier (its line search needs changes of the likelihood that double
#: precision resolves); Newton steps finish.
BFGS_RTOL = 1e-7
#: The search stays within +-LOG_BOX in the log-parameters (parameters in [1e-10, 1e10]): beyond it the
#: gamma and beta functions of the likelihoods cancel to noise.
LOG_BOX = float(np.log(1e10))

ValueAndGradient = Callable[[np.ndarray], "tuple[float, np.ndarray]"]


def relative_gradient(ll: float, g: np.ndarray) -> float:
    """Largest gradient entry relative to |log-likelihood| (inf where the likelihood is not finite).

    Parameters
    ----------
    ll : float
        Log-likelihood.
    g : numpy.ndarray
        Its gradient in the log-parameters.

    Returns
    -------
    float
    """
    return float(np.max(np.abs(g)) / max(abs(ll), 1.0)) if np.isfinite(ll) else np.inf


def converged(ll: float, g: np.ndarray) -> bool:
    """The convergence rule: :func:`relative_gradient` at most :data:`RTOL`.

    Parameters
    ----------
    ll : float
    g : numpy.ndarray

    Returns
    -------
    bool
    """
    return relative_gradient(ll, g) <= RTOL


class Objective:
    """Log-likelihood and gradient in the log-parameters, cached, and ``-inf`` outside the search box.

    Parameters
    ----------
    value_and_gradient : callable
        ``theta -> (log-likelihood, gradient in theta)``.
    """

    def __init__(self, value_and_gradient: ValueAndGradient) -> None:
        self._f = value_and_gradient
        self._cache: dict[bytes, tuple[float, np.ndarray]] = {}

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """(log-likelihood, gradient) at ``theta``.

        Parameters
        ----------
        theta : numpy.ndarray
            Log-parameters.

        Returns
        -------
        tuple of (float, numpy.ndarray)
        """
        key = theta.tobytes()
        if key not in self._cache:
            if len(self._cache) > 8:
                self._cache.clear()
            if np.any(np.abs(theta) > LOG_BOX):  # beyond 1e±10 the likelihood's terms cancel catastrophically
                self._cache[key] = (-np.inf, np.full(theta.shape, np.nan))
            else:
                with np.errstate(all="ignore"):
                    self._cache[key] = self._f(theta)
        return self._cache[key]


@dataclass
class Optimum:
    """Where :func:`maximize` stopped.

    Attributes
    ----------
    theta : numpy.ndarray
        Log-parameters.
    loglike : float
    gradient : numpy.ndarray
        In the log-parameters.
    message : str
        Why it stopped.
    iterations : int
        Quasi-Newton, Newton and Nelder-Mead iterations together.
    hessian : numpy.ndarray
        Of the log-likelihood in the log-parameters, at ``theta``.
    """

    theta: np.ndarray
    loglike: float
    gradient: np.ndarray
    message: str
    iterations: int
    hessian: np.ndarray


class Search:
    """One maximisation: the objective scaled for the minimisers, the iteration budget and the last Hessian.

    Parameters
    ----------
    objective : Objective
    hessian : callable
        ``theta -> Hessian`` of the log-likelihood in the log-parameters.
    maxiter : int
        Iterations of all phases together.
    scale : float
        The minimisers see ``-loglike / scale`` (the log-likelihood in units of its size at the start).
    hess_inv0 : numpy.ndarray, optional
        First inverse Hessian of the first BFGS phase (a subsample's information, scaled).
    """

    def __init__(self, objective: Objective, hessian: Callable[[np.ndarray], np.ndarray], maxiter: int, scale: float,
                 hess_inv0: np.ndarray | None = None) -> None:
        self.objective, self.hessian_of, self.maxiter = objective, hessian, maxiter
        self.scale, self.hess_inv0 = scale, hess_inv0
        self.iterations = 0
        self.h: np.ndarray | None = None
        self.h_at: np.ndarray | None = None

    def minimised(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """``(-loglike / scale, -gradient / scale)``, or (1e100, 0) where either is not finite.

        Parameters
        ----------
        theta : numpy.ndarray

        Returns
        -------
        tuple of (float, numpy.ndarray)
        """
        ll, g = self.objective(theta)
        if not (np.isfinite(ll) and np.all(np.isfinite(g))):
            return 1e100, np.zeros_like(theta)
        return -ll / self.scale, -g / self.scale

    def finite_at(self, theta: np.ndarray) -> bool:
        """Whether the log-likelihood is finite at ``theta``.

        Parameters
        ----------
        theta : numpy.ndarray

        Returns
        -------
        bool
        """
        return bool(np.isfinite(self.objective(theta)[0]))

    def bfgs(self, theta: np.ndarray) -> tuple[np.ndarray, str]:
        """Quasi-Newton phase to the tolerance :data:`BFGS_RTOL`.

        Parameters
        ----------
        theta : numpy.ndarray
            Where to start.

        Returns
        -------
        tuple of (numpy.ndarray, str)
            Where it stopped, and scipy's message.
        """
        opts = {"maxiter": max(self.maxiter - self.iterations, 1), "gtol": BFGS_RTOL}
        if self.hess_inv0 is not None and self.iterations == 0:
            opts["hess_inv0"] = self.hess_inv0
        res = optimize.minimize(self.minimised, theta, jac=True, method="BFGS", options=opts)
        self.iterations += int(res.nit)
        return res.x, str(res.message)

    def nelder_mead(self, theta: np.ndarray) -> np.ndarray:
        """Derivative-free phase from ``theta`` (the last resort when the gradient phases fail): the point it reached.

        Parameters
        ----------
        theta : numpy.ndarray
            Start values (log-parameters; :func:`maximize` passes the original ones).

        Returns
        -------
        numpy.ndarray
        """
        res = optimize.minimize(lambda th: self.minimised(th)[0], theta, method="Nelder-Mead",
                                options={"maxiter": max(self.maxiter - self.iterations, 1), "xatol": 1e-4,
                                         "fatol": 1e-10})
        self.iterations += int(res.nit)
        return res.x

    def hessian_at(self, theta: np.ndarray, moved: float) -> np.ndarray:
        """The Hessian at ``theta``: the last one when ``theta`` moved at most ``moved`` since, else a new one.

        Parameters
        ----------
        theta : numpy.ndarray
        moved : float
            Largest change of a log-parameter for which the last Hessian is kept.

        Returns
        -------
        numpy.ndarray
        """
        if self.h is None or np.max(np.abs(theta - self.h_at)) > moved:
            self.h, self.h_at = self.hessian_of(theta), theta.copy()
        return self.h

    def newton(self, theta: np.ndarray) -> tuple[np.ndarray, str, bool]:
        """Newton steps until the :func:`converged` rule holds (the Hessian recomputed after a large step).

        Parameters
        ----------
        theta : numpy.ndarray
            The log-parameters the steps start from (where BFGS stopped).

        Returns
        -------
        tuple of (numpy.ndarray, str, bool)
            Where it stopped, why, and whether a step failed.
        """
        ll, g = self.objective(theta)
        while relative_gradient(ll, g) > RTOL and self.iterations < self.maxiter:
            h = self.hessian_at(theta, 1e-3)
            try:
                step = np.linalg.solve(-h, g)
            except np.linalg.LinAlgError:
                return theta, "the Hessian is singular", True
            if not np.all(np.isfinite(step)) or float(g @ step) <= 0:  # not an ascent direction
                return theta, "the Hessian is not negative definite", True
            found = self._halve_until_better(theta, step, ll)
            if found is None:
                return theta, "no Newton step increases the log-likelihood", True
            theta, ll, g = found
            self.iterations += 1
        return theta, "relative gradient below tolerance", False

    def _halve_until_better(self, theta: np.ndarray, step: np.ndarray,
                            ll: float) -> tuple[np.ndarray, float, np.ndarray] | None:
        """The Newton step, halved up to 30 times until the log-likelihood does not fall (or None)."""
        for _ in range(30):
            ll_new, g_new = self.objective(theta + step)
            if np.isfinite(ll_new) and ll_new >= ll - 1e-13 * abs(ll):
                return theta + step, ll_new, g_new
            step = step / 2
        return None


def maximize(search: Search, theta0: np.ndarray, name: str = "the model", param_names: tuple[str, ...] = (),
             natural: Callable[[np.ndarray], np.ndarray] = np.exp) -> Optimum:
    """BFGS, then Newton; when Newton cannot finish, BFGS again, and last a Nelder-Mead start from ``theta0``.

    Parameters
    ----------
    search : Search
    theta0 : numpy.ndarray
        Start values (log-parameters).
    name : str
        What is fitted, for the message.
    param_names : tuple of str
        Names of the parameters, for the message.
    natural : callable, default numpy.exp
        The parameters from the search vector, for the message.

    Returns
    -------
    Optimum

    Raises
    ------
    RuntimeError
        No finite log-likelihood was reached.
    """
    theta, message = search.bfgs(theta0)
    for attempt in range(3):
        if not search.finite_at(theta) or attempt == 2:
            theta, message = search.bfgs(search.nelder_mead(theta0))
        if not search.finite_at(theta):
            break
        theta, message, failed = search.newton(theta)
        if not failed or search.iterations >= search.maxiter:
            break
        theta, message = search.bfgs(theta)
    ll, g = search.objective(theta)
    if not np.isfinite(ll):
        start = dict(zip(param_names, natural(theta0).tolist()))
        raise RuntimeError(f"{name}: the fit did not reach a finite log-likelihood from start_params {start}")
    if converged(ll, g):
        message = "relative gradient below tolerance"
    elif search.iterations >= search.maxiter:
        message = f"maxiter ({search.maxiter}) reached"
    return Optimum(theta, float(ll), g, message, search.iterations, search.hessian_at(theta, 1e-6))


def covariance(theta: np.ndarray, hessian: np.ndarray, n_log: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Natural parameters and their covariance (delta method) from the Hessian in the search vector.

    Parameters
    ----------
    theta : numpy.ndarray
        The search vector at the maximum: the logarithms of the positive parameters, then the
        real ones (covariate coefficients) as they are.
    hessian : numpy.ndarray
        Hessian of the log-likelihood there (NaN covariance where it cannot be inverted).
    n_log : int, optional
        How many leading entries of ``theta`` are logarithms (all by default).

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        ``params`` (``exp`` of the log entries, the others as they are) and their covariance matrix.
    """
    k = theta.size
    n_log = k if n_log is None else n_log
    params = np.array(theta, dtype=float, copy=True)
    params[:n_log] = np.exp(params[:n_log])
    with np.errstate(all="ignore"):
        try:
            cov_log = np.linalg.inv(-hessian)
        except np.linalg.LinAlgError:
            cov_log = np.full((k, k), np.nan)
    jac = np.ones(k)
    jac[:n_log] = params[:n_log]  # d params / d theta
    return params, cov_log * np.outer(jac, jac)
