"""Buy-till-you-die and cohort-retention models, fitted by maximum likelihood.

Models (statsmodels' model/results split, built on
:class:`statsmodels.base.model.GenericLikelihoodModel`):

* :class:`BetaGeo` — the BG/NBD model of Fader, Hardie & Lee (2005),
  "Counting your customers the easy way: an alternative to the Pareto/NBD
  model", Marketing Science 24(2), 275–284. Parameters ``r``, ``alpha``,
  ``a``, ``b``.
* :class:`ParetoNBD` — the Pareto/NBD model of Schmittlein, Morrison &
  Colombo (1987), in the form of Fader & Hardie (2005), "A note on deriving
  the Pareto/NBD model and related expressions". Parameters ``r``,
  ``alpha``, ``s``, ``beta``.
* :class:`GammaGamma` — spend per transaction, Fader & Hardie (2013), "The
  Gamma-Gamma model of monetary value". Parameters ``p``, ``q``, ``gamma``.
* :class:`ShiftedBetaGeometric` — the sBG model of contractual retention,
  Fader & Hardie (2007), "How to project customer retention", Journal of
  Interactive Marketing 21(1), 76–90. Parameters ``gamma``, ``delta``.

The optimiser works on the logarithms of the parameters (they must be
positive): BFGS from the start values, then Newton steps, with analytic
gradients (BG/NBD, Gamma-Gamma, sBG) or centred differences (Pareto/NBD);
the results report the natural parameters, with standard errors by the
delta method from the observed information of the log-parameters.
All likelihoods are evaluated in log space. The Gauss hypergeometric
function of the Pareto/NBD likelihood is only ever called with an argument
in ``[0, 1)`` and combined with its power factors on the log scale, so it
neither overflows nor loses the small differences that matter.

Inputs follow :func:`crmlib.rfm.summarize`: ``frequency`` = repeat purchases
*x*, ``recency`` = time of the last purchase *t_x*, ``T`` = time observed,
all measured from the first purchase.
"""
from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import optimize, special
from statsmodels.base.model import GenericLikelihoodModel, GenericLikelihoodModelResults, LikelihoodModelResults
from statsmodels.tools.numdiff import approx_fprime, approx_hess3

from ._validate import as_float_array, check_nonnegative, check_number

__all__ = [
    "BetaGeo",
    "BetaGeoResults",
    "ParetoNBD",
    "ParetoNBDResults",
    "GammaGamma",
    "GammaGammaResults",
    "ShiftedBetaGeometric",
    "ShiftedBetaGeometricResults",
]

_gl = special.gammaln
_bl = special.betaln


# ----------------------------------------------------------------------------- input checks
def _labels(values: Any) -> list[Any] | None:
    return list(values.index) if isinstance(values, pd.Series) else None


def _rft(frequency: Any, recency: Any, T: Any, *, broadcast: bool = False) -> tuple[np.ndarray, ...]:
    """Check (frequency, recency, T) and return them as float arrays.

    One error per fault, naming the argument and the first bad row.
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
    lab = (lambda i: labels[i] if labels is not None and len(labels) == x.size else i)  # noqa: E731
    row_labels = labels if labels is not None and len(labels) == x.size else None
    check_nonnegative(x, "frequency", row_labels)
    check_nonnegative(tx, "recency", row_labels)
    bad = np.flatnonzero(x != np.round(x))
    if bad.size:
        raise ValueError(f"frequency[{lab(int(bad[0]))!r}] must be a whole number of repeat purchases, got {x[bad[0]]}")
    bad = np.flatnonzero(big_t <= 0)
    if bad.size:
        raise ValueError(f"T[{lab(int(bad[0]))!r}] must be positive, got {big_t[bad[0]]}")
    bad = np.flatnonzero(tx > big_t)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"recency > T at row {lab(i)!r}: recency {tx[i]} exceeds T {big_t[i]}")
    bad = np.flatnonzero((x == 0) & (tx > 0))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"frequency 0 with recency > 0 at row {lab(i)!r} (recency {tx[i]}): "
                         f"a customer without repeat purchases has recency 0")
    return x, tx, big_t


def _horizon(t: Any) -> np.ndarray:
    arr = as_float_array(t, "t")
    bad = np.flatnonzero(arr < 0)
    if bad.size:
        raise ValueError(f"t[{int(bad[0])}] is negative ({arr[bad[0]]})")
    return arr


def _conditional_inputs(t: Any, frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, ...]:
    """Checked and broadcast (t, x, t_x, T) of a conditional expectation."""
    x, tx, big_t = _rft(frequency, recency, T, broadcast=True)
    return tuple(np.broadcast_arrays(_horizon(t), x, tx, big_t))


def _shape_like(out: np.ndarray, *inputs: Any) -> Any:
    """Return a float for all-scalar inputs, a Series if an input was a Series, else the array."""
    for v in inputs:
        if isinstance(v, pd.Series) and len(v) == out.size:
            return pd.Series(out, index=v.index)
    if all(np.ndim(v) == 0 for v in inputs):
        return float(out.reshape(-1)[0])
    return out


def _log_diff_exp(la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """log(exp(la) - exp(lb)) for la >= lb."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return la + np.log(-np.expm1(lb - la))


# ----------------------------------------------------------------------------- common machinery
class _PositiveModel(GenericLikelihoodModel):
    """Likelihood model with positive parameters, estimated on the log scale."""

    param_names: ClassVar[tuple[str, ...]] = ()
    results_class: ClassVar[type] = GenericLikelihoodModelResults

    def __init__(self, endog: np.ndarray, **kwds: Any) -> None:
        super().__init__(pd.Series(endog, name=kwds.pop("endog_name", "y")), None,
                         extra_params_names=list(self.param_names), **kwds)
        self.k_constant = 0
        self.df_model = float(len(self.param_names))
        self.df_resid = float(len(endog) - len(self.param_names))

    # subclasses implement the per-observation log-likelihood in natural parameters
    def loglikeobs(self, params: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def loglike(self, params: np.ndarray) -> float:
        """Total log-likelihood at the natural parameters ``params``."""
        p = np.asarray(params, dtype=float)
        if np.any(~np.isfinite(p)) or np.any(p <= 0):
            return -np.inf
        with np.errstate(all="ignore"):
            val = float(np.sum(self.loglikeobs(p)))
        return val if np.isfinite(val) else -np.inf

    def _start(self) -> np.ndarray:
        return np.ones(len(self.param_names))

    # analytic gradient of the total log-likelihood in the natural parameters, where a model has one
    _has_score: ClassVar[bool] = False

    def _score(self, params: np.ndarray) -> np.ndarray:  # pragma: no cover - models with _has_score
        raise NotImplementedError

    def _score_log(self, theta: np.ndarray) -> np.ndarray:
        """Gradient of the total log-likelihood in the log-parameters ``theta``.

        Analytic where the model has a score, else centred differences of :meth:`loglike`.
        """
        if self._has_score:
            p = np.exp(theta)
            with np.errstate(all="ignore"):
                return self._score(p) * p
        return approx_fprime(theta, lambda th: self.loglike(np.exp(th)), centered=True)

    def _hess_log(self, theta: np.ndarray) -> np.ndarray:
        """Hessian of the total log-likelihood in the log-parameters.

        Centred differences of the analytic score (2k score evaluations) where there is one,
        else :func:`approx_hess3` of the log-likelihood.
        """
        if not self._has_score:
            return approx_hess3(theta, lambda th: self.loglike(np.exp(th)))
        k = theta.size
        h = np.finfo(float).eps ** (1 / 3) * np.maximum(np.abs(theta), 1.0)
        cols = []
        for i in range(k):
            e = np.zeros(k)
            e[i] = h[i]
            cols.append((self._score_log(theta + e) - self._score_log(theta - e)) / (2 * h[i]))
        hess = np.column_stack(cols)
        return (hess + hess.T) / 2

    def fit(self, start_params: Any = None, maxiter: int = 2000, disp: bool = False,  # type: ignore[override]
            **kwargs: Any) -> Any:
        """Maximum-likelihood fit.

        Parameters
        ----------
        start_params : array_like, optional
            Natural-scale starting values (all positive); a model default
            otherwise.
        maxiter : int, default 2000
            Iteration limit of the optimiser.
        disp : bool, default False
            Print the optimiser's convergence message.

        Returns
        -------
        Results
            ``params`` (pandas Series, literature names), ``bse``, ``llf``,
            ``aic``, ``bic``, ``summary()`` and the model's predictions.
        """
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword argument(s) {sorted(kwargs)}")
        k = len(self.param_names)
        if start_params is None:
            start = self._start()
        else:
            start = as_float_array(start_params, "start_params")
            if start.size != k:
                raise ValueError(f"start_params must have {k} values {list(self.param_names)}, got {start.size}")
            bad = np.flatnonzero(start <= 0)
            if bad.size:
                raise ValueError(f"start_params[{self.param_names[int(bad[0])]!r}] must be positive, got {start[bad[0]]}")
        n = float(self.endog.shape[0])

        def f(theta: np.ndarray) -> float:
            v = self.loglike(np.exp(theta))
            return -v / n if np.isfinite(v) else 1e100

        def jac(theta: np.ndarray) -> np.ndarray:
            return -self._score_log(theta) / n

        theta0 = np.log(start)
        # quasi-Newton with the score (analytic, or centred differences) straight from the start
        res = optimize.minimize(f, theta0, jac=jac, method="BFGS", options={"maxiter": maxiter, "gtol": 1e-9})
        if not (np.all(np.isfinite(res.x)) and np.max(np.abs(res.jac)) <= 1e-4):
            # fallback: a derivative-free start
            res = optimize.minimize(f, theta0, method="Nelder-Mead",
                                    options={"maxiter": maxiter, "xatol": 1e-3, "fatol": 1e-8})
            res = optimize.minimize(f, res.x, jac=jac, method="BFGS", options={"maxiter": maxiter, "gtol": 1e-9})
        theta = res.x
        # Newton polish on the log scale: the quasi-Newton stop can leave flat directions (e.g. the
        # Pareto/NBD beta) short; the last Hessian also gives the standard errors
        def neg_ll(th: np.ndarray) -> float:
            return f(th) * n

        # below step_tol a Newton step is lost in the noise of the score (centred differences: ~1e-7)
        step_tol = 1e-10 if self._has_score else 1e-6
        h = None
        for _ in range(6):
            g = -self._score_log(theta)
            h = -self._hess_log(theta)
            try:
                step = np.linalg.solve(h, g)
            except np.linalg.LinAlgError:
                break
            if not np.all(np.isfinite(step)) or np.max(np.abs(step)) < step_tol:
                break
            if neg_ll(theta - step) > neg_ll(theta) + 1e-8:
                break
            theta = theta - step
            h = None  # the Hessian is at the previous point
        h_log = self._hess_log(theta) if h is None else -h  # of the log-likelihood
        params = np.exp(theta)
        llf = self.loglike(params)
        if not np.isfinite(llf):
            raise RuntimeError(f"{type(self).__name__}: the fit did not reach a finite log-likelihood")
        with np.errstate(all="ignore"):
            try:
                cov_log = np.linalg.inv(-h_log)
            except np.linalg.LinAlgError:
                cov_log = np.full((k, k), np.nan)
        jac = np.diag(params)  # d params / d log params
        cov = jac @ cov_log @ jac
        converged = bool(np.all(np.isfinite(np.diag(cov))) and np.all(np.diag(cov) > 0))
        if disp:
            print(f"{type(self).__name__}: {res.message}; log-likelihood {llf:.4f}")
        mlefit = LikelihoodModelResults(self, params, normalized_cov_params=cov, scale=1.0)
        mlefit.mle_retvals = {"converged": converged, "fopt": -llf, "iterations": int(res.nit),
                              "message": str(res.message)}
        mlefit.mle_settings = {"optimizer": "bfgs+newton on log-parameters", "start_params": start}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # statsmodels' df bookkeeping notes for exog-free models
            out = self.results_class(self, mlefit)
        out._set_names(self.param_names, llf)
        return out


class _Results(GenericLikelihoodModelResults):
    """Shared results behaviour: named parameters, named SEs, AIC/BIC with k = #parameters."""

    def _set_names(self, names: tuple[str, ...], llf: float) -> None:
        self._names = list(names)
        self.params = pd.Series(np.asarray(self.params, dtype=float), index=self._names, name="params")
        self._llf_value = llf

    @property
    def llf(self) -> float:  # type: ignore[override]
        """Maximised log-likelihood."""
        return self._llf_value

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

    def summary(self, yname: str | None = None, xname: list[str] | None = None, title: str | None = None,
                alpha: float = 0.05) -> Any:
        """Statsmodels summary table (parameters, standard errors, log-likelihood, AIC)."""
        if title is None:
            title = f"{type(self.model).__name__} — maximum likelihood"
        return super().summary(yname=yname or self.model.endog_names, xname=xname or self._names,
                               title=title, alpha=alpha)

    def _p(self) -> np.ndarray:
        return np.asarray(self.params, dtype=float)


class _LatentModel(_PositiveModel):
    """Models of (frequency, recency, T)."""

    def __init__(self, frequency: Any, recency: Any, T: Any) -> None:
        x, tx, big_t = _rft(frequency, recency, T)
        self.frequency, self.recency, self.T = x, tx, big_t
        # customers with identical (x, t_x, T) share one likelihood term: evaluate each distinct row once
        rows, self._inverse, counts = np.unique(np.column_stack([x, tx, big_t]), axis=0,
                                                return_inverse=True, return_counts=True)
        self._inverse = self._inverse.reshape(-1)
        self._rows, self._weights = rows, counts.astype(float)
        super().__init__(x, endog_name="frequency")

    def _loglike_rows(self, params: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        """Log-likelihood of each customer at the natural parameters ``params``."""
        with np.errstate(all="ignore"):
            return self._loglike_rows(np.asarray(params, dtype=float))[self._inverse]

    def loglike(self, params: np.ndarray) -> float:
        """Total log-likelihood at the natural parameters ``params``."""
        p = np.asarray(params, dtype=float)
        if np.any(~np.isfinite(p)) or np.any(p <= 0):
            return -np.inf
        with np.errstate(all="ignore"):
            val = float(self._weights @ self._loglike_rows(p))
        return val if np.isfinite(val) else -np.inf


# ----------------------------------------------------------------------------- BG/NBD
def _bgnbd_loglikeobs(p: np.ndarray, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    r, alpha, a, b = p
    common = _gl(r + x) - _gl(r) + r * np.log(alpha) - _bl(a, b)
    l1 = _bl(a, b + x) - (r + x) * np.log(alpha + big_t)
    with np.errstate(invalid="ignore", divide="ignore"):
        l2 = np.where(x > 0, _bl(a + 1, np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf)
    return common + np.logaddexp(l1, l2)


def _bgnbd_score_rows(p: np.ndarray, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    """Gradient of :func:`_bgnbd_loglikeobs` in (r, alpha, a, b), one row per customer.

    With L = C (e^l1 + e^l2), d log L = d log C + w1 d l1 + w2 d l2, w = softmax(l1, l2);
    d log B(u, v)/du = psi(u) - psi(u + v). The log-odds l2 - l1 = log(a / (b+x-1)) +
    (r+x) log((alpha+T) / (alpha+t_x)) for x > 0 (the beta functions cancel); w2 = 0 for x = 0.
    """
    r, alpha, a, b = p
    dg = special.digamma
    pos = x > 0
    bx1 = np.where(pos, b + x - 1, 1.0)
    log_odds = np.log(a) - np.log(bx1) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx))
    w2 = np.where(pos, special.expit(log_odds), 0.0)
    w1 = 1.0 - w2
    dg_abx = dg(a + b + x)
    d_r = dg(r + x) - dg(r) + np.log(alpha) - w1 * np.log(alpha + big_t) - w2 * np.log(alpha + tx)
    d_alpha = r / alpha - (r + x) * (w1 / (alpha + big_t) + w2 / (alpha + tx))
    d_a = dg(a + b) - dg(a) + w1 * (dg(a) - dg_abx) + w2 * (dg(a + 1) - dg_abx)
    d_b = (dg(a + b) - dg(b) + w1 * (dg(b + x) - dg_abx)
           + np.where(pos, w2 * (dg(bx1) - dg_abx), 0.0))
    return np.column_stack([d_r, d_alpha, d_a, d_b])


def _bgnbd_p_alive(p: np.ndarray, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    """P(alive | x, t_x, T) = 1 / (1 + δ(x>0) a/(b+x−1) ((α+T)/(α+t_x))^(r+x)), via the log-odds."""
    r, alpha, a, b = p
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds_dead = (np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                         + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx)))
    return np.where(x > 0, special.expit(-log_odds_dead), 1.0)


def _bgnbd_alive_purchases(p: np.ndarray, x: np.ndarray, big_t: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Expected purchases in (T, T+t] of a customer alive at T with history x (FHL 2005, eqs. 9-10).

    (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x−1; z)], z = t/(α+T+t),
    evaluated after the Euler transformation 2F1(A,B;C;z) = (1−z)^(C−A−B) 2F1(C−A, C−B; C; z):
    the bracket becomes 1 − (1−z)^(a−1) 2F1(a+b−r−1, a−1; a+b+x−1; z), whose 2F1 stays moderate
    however large x is. x = 0, T = 0 gives E[X(t)] of a new customer.
    """
    r, alpha, a, b = p
    with np.errstate(all="ignore"):
        log1mz = np.log(alpha + big_t) - np.log(alpha + big_t + t)
        hyp = special.hyp2f1(a + b - r - 1, a - 1, a + b + x - 1, t / (alpha + big_t + t))
        out = (a + b + x - 1) / (a - 1) * -np.expm1((a - 1) * log1mz + np.log(hyp))
    return np.where(t == 0, 0.0, out)


class BetaGeo(_LatentModel):
    """BG/NBD model (Fader, Hardie & Lee 2005).

    While alive a customer buys at Poisson rate λ ~ Gamma(r, α); after each
    purchase she drops out with probability p ~ Beta(a, b).

    Parameters
    ----------
    frequency, recency, T : array_like
        Repeat purchases, time of the last purchase and time observed (same
        time unit), one value per customer.

    Examples
    --------
    >>> res = BetaGeo([0, 2, 5], [0.0, 10.0, 30.0], [38.0, 38.0, 38.0]).fit()  # doctest: +SKIP
    >>> res.params  # doctest: +SKIP
    """

    param_names = ("r", "alpha", "a", "b")

    def _loglike_rows(self, params: np.ndarray) -> np.ndarray:
        """Log-likelihood of each distinct (x, t_x, T) (FHL 2005, eq. 6)."""
        x, tx, big_t = self._rows.T
        return _bgnbd_loglikeobs(params, x, tx, big_t)

    _has_score = True

    def _score(self, params: np.ndarray) -> np.ndarray:
        """Gradient of the total log-likelihood in (r, alpha, a, b)."""
        x, tx, big_t = self._rows.T
        return self._weights @ _bgnbd_score_rows(params, x, tx, big_t)

    def _start(self) -> np.ndarray:
        return np.array([1.0, max(float(np.mean(self.T)) / 10.0, 1e-3), 1.0, 3.0])


class BetaGeoResults(_Results):
    """Fitted BG/NBD model."""

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive | x, t_x, T) (Fader, Hardie & Lee 2008 note "Computing P(alive) using the BG/NBD model").

        Equals 1 for customers without repeat purchases (under the BG/NBD a
        customer can only drop out right after a purchase).
        """
        x, tx, big_t = _rft(frequency, recency, T, broadcast=True)
        return _shape_like(_bgnbd_p_alive(self._p(), x, tx, big_t), frequency, recency, T)

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (FHL 2005, eq. 10)."""
        tt, x, tx, big_t = _conditional_inputs(t, frequency, recency, T)
        p = self._p()
        out = _bgnbd_alive_purchases(p, x, big_t, tt) * _bgnbd_p_alive(p, x, tx, big_t)
        return _shape_like(out, t, frequency, recency, T)

    def expected_purchases_new(self, t: Any) -> Any:
        """E[X(t)]: expected purchases of a new customer in ``(0, t]`` (FHL 2005, eq. 9)."""
        tt = _horizon(t)
        val = _bgnbd_alive_purchases(self._p(), np.zeros_like(tt), np.zeros_like(tt), tt)
        return _shape_like(val, t)


BetaGeo.results_class = BetaGeoResults


# ----------------------------------------------------------------------------- Pareto/NBD
def _pnbd_parts(p: np.ndarray, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log of the two likelihood terms of the Pareto/NBD without the common factor.

    Returns ``(l_alive, l_dead)`` with L = C · (exp(l_alive) + exp(l_dead)),
    C = Γ(r+x) α^r β^s / Γ(r): ``l_alive`` is the customer alive at T,
    ``l_dead`` died in (t_x, T]. Fader & Hardie (2005) note, eqs. (22)–(23):
    with m = max(α, β) the Gauss hypergeometric terms are
    2F1(r+s+x, b'; r+s+x+1; |α−β| / (m + t)) / (m + t)^(r+s+x) for t = t_x
    and t = T, with b' = s+1 if α ≥ β else r+x; their argument is in [0, 1).
    """
    r, alpha, s, beta = p
    rsx = r + s + x
    l_alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    if alpha >= beta:
        m, bb = alpha, s + 1.0
    else:
        m, bb = beta, r + x
    d = abs(alpha - beta)
    with np.errstate(all="ignore"):
        f1 = np.log(special.hyp2f1(rsx, bb, rsx + 1.0, d / (m + tx))) - rsx * np.log(m + tx)
        f2 = np.log(special.hyp2f1(rsx, bb, rsx + 1.0, d / (m + big_t))) - rsx * np.log(m + big_t)
        l_dead = np.log(s) - np.log(rsx) + _log_diff_exp(f1, f2)
    bad = ~np.isfinite(l_dead) & (tx < big_t)
    if np.any(bad):  # 2F1 beyond double range (hundreds of purchases, z near 1): integrate over death time
        xb, txb, tb = (np.broadcast_to(v, l_dead.shape)[bad] for v in (x, tx, big_t))
        l_dead = np.array(l_dead, dtype=float, copy=True)
        l_dead[bad] = np.log(s) + _pnbd_log_dead_integral(r, alpha, s, beta, xb, txb, tb)
    l_dead = np.where(tx >= big_t, -np.inf, l_dead)
    return l_alive, l_dead


def _pnbd_log_dead_integral(r: float, alpha: float, s: float, beta: float, x: np.ndarray, tx: np.ndarray,
                            big_t: np.ndarray) -> np.ndarray:
    """log ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ by Gauss–Legendre on doubling panels, in log space.

    The integrand is the Pareto/NBD "died at τ" density with λ and μ integrated out; it
    decreases from τ = t_x on the scale h = 1/|d log f/dτ|, so τ = t_x + h u with panels
    [0, 1], [1, 2], [2, 4], … in u resolves both its initial decay and its tail.
    """
    g0 = -(r + x) * np.log(alpha + tx) - (s + 1) * np.log(beta + tx)
    h = 1.0 / ((r + x) / (alpha + tx) + (s + 1) / (beta + tx))
    top = (big_t - tx) / h
    k = int(np.ceil(np.log2(max(float(np.max(top)), 2.0)))) + 1
    edges = np.r_[0.0, 2.0 ** np.arange(k)]
    lo = np.minimum(edges[:-1][None, :], top[:, None])
    hi = np.minimum(edges[1:][None, :], top[:, None])
    y, w = special.roots_legendre(24)
    u = lo[..., None] + (hi - lo)[..., None] * (y + 1) / 2  # rows × panels × nodes
    with np.errstate(divide="ignore"):
        lw = np.log((hi - lo)[..., None] / 2 * w)
    tau = tx[:, None, None] + h[:, None, None] * u
    lg = (-(r + x)[:, None, None] * np.log(alpha + tau) - (s + 1) * np.log(beta + tau)) - g0[:, None, None]
    flat = (lg + lw).reshape(len(x), -1)
    return g0 + np.log(h) + special.logsumexp(flat, axis=1)


def _pnbd_growth(s: float, base: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(1 − q^(s−1)) / (s−1), q = base/(base+t): the lifetime factor of the Pareto/NBD expectations
    (E[(1 − e^(−μt))/μ] / β' for μ ~ Gamma(s, rate β'), β' = base); continuous at s = 1, where it is −log q."""
    lq = np.log(base) - np.log(base + t)  # <= 0
    return -lq if abs(s - 1.0) < 1e-10 else -np.expm1((s - 1.0) * lq) / (s - 1.0)


class ParetoNBD(_LatentModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

    While alive a customer buys at Poisson rate λ ~ Gamma(r, α); her
    exponential lifetime has rate μ ~ Gamma(s, β).

    Parameters
    ----------
    frequency, recency, T : array_like
        Repeat purchases, time of the last purchase and time observed.
    """

    param_names = ("r", "alpha", "s", "beta")

    def _loglike_rows(self, params: np.ndarray) -> np.ndarray:
        """Log-likelihood of each distinct (x, t_x, T) (Fader & Hardie 2005 note, eqs. 22–23), in log space."""
        r, alpha, s, beta = params
        x, tx, big_t = self._rows.T
        common = _gl(r + x) - _gl(r) + r * np.log(alpha) + s * np.log(beta)
        l_alive, l_dead = _pnbd_parts(params, x, tx, big_t)
        return common + np.logaddexp(l_alive, l_dead)

    def _start(self) -> np.ndarray:
        return np.array([1.0, max(float(np.mean(self.T)) / 4.0, 1e-3), 1.0, max(float(np.mean(self.T)), 1e-3)])


class ParetoNBDResults(_Results):
    """Fitted Pareto/NBD model."""

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive | x, t_x, T) (Fader & Hardie 2005 note, eq. 18)."""
        x, tx, big_t = _rft(frequency, recency, T, broadcast=True)
        l_alive, l_dead = _pnbd_parts(self._p(), x, tx, big_t)
        out = special.expit(l_alive - l_dead)
        return _shape_like(out, frequency, recency, T)

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:
        """E[Y(t) | x, t_x, T] (Schmittlein et al. 1987; Fader & Hardie 2005 note, eq. 24)."""
        tt, x, tx, big_t = _conditional_inputs(t, frequency, recency, T)
        r, alpha, s, beta = self._p()
        l_alive, l_dead = _pnbd_parts(self._p(), x, tx, big_t)
        p_alive = special.expit(l_alive - l_dead)
        out = (r + x) * (beta + big_t) / (alpha + big_t) * _pnbd_growth(s, beta + big_t, tt) * p_alive
        return _shape_like(out, t, frequency, recency, T)

    def expected_purchases_new(self, t: Any) -> Any:
        """E[X(t)] = rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)] for a new customer."""
        tt = _horizon(t)
        r, alpha, s, beta = self._p()
        return _shape_like(r * beta / alpha * _pnbd_growth(s, beta, tt), t)


ParetoNBD.results_class = ParetoNBDResults


# ----------------------------------------------------------------------------- Gamma-Gamma
def _freq_money(frequency: Any, monetary_value: Any) -> tuple[np.ndarray, np.ndarray]:
    x = as_float_array(frequency, "frequency")
    m = as_float_array(monetary_value, "monetary_value")
    if x.size != m.size:
        raise ValueError(f"frequency and monetary_value must have the same length, got {x.size} and {m.size}")
    labels = _labels(frequency) or _labels(monetary_value)
    lab = (lambda i: labels[i] if labels is not None else i)  # noqa: E731
    bad = np.flatnonzero((x <= 0) | (x != np.round(x)))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"frequency[{lab(i)!r}] must be a positive whole number (customers with repeat "
                         f"purchases only), got {x[i]}")
    bad = np.flatnonzero(m <= 0)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"monetary_value[{lab(i)!r}] must be positive for the Gamma-Gamma model, got {m[i]}")
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
    """

    param_names = ("p", "q", "gamma")

    def __init__(self, frequency: Any, monetary_value: Any) -> None:
        x, m = _freq_money(frequency, monetary_value)
        self.frequency, self.monetary_value = x, m
        super().__init__(m, endog_name="monetary_value")

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        """Log density of each customer's mean spend m_x given x (Fader & Hardie 2013, eq. 4)."""
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


class GammaGammaResults(_Results):
    """Fitted Gamma-Gamma model."""

    def expected_spend(self, frequency: Any, monetary_value: Any) -> Any:
        """E[Z | x, m_x] = (pγ + p x m_x) / (p x + q − 1): expected spend per transaction.

        A credibility-weighted average of the population mean pγ/(q−1) and
        the customer's observed mean (Fader & Hardie 2013, eq. 5).
        """
        x = as_float_array(frequency, "frequency")
        m = as_float_array(monetary_value, "monetary_value")
        x, m = np.broadcast_arrays(x, m)
        check_nonnegative(x, "frequency")
        check_nonnegative(m, "monetary_value")
        p, q, g = self._p()
        out = (p * g + p * x * m) / (p * x + q - 1.0)
        return _shape_like(out, frequency, monetary_value)

    def population_mean_spend(self) -> float:
        """pγ / (q − 1): mean spend per transaction across customers (needs q > 1)."""
        p, q, g = self._p()
        return float(p * g / (q - 1.0)) if q > 1 else float("inf")


GammaGamma.results_class = GammaGammaResults


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
    """

    param_names = ("gamma", "delta")

    def __init__(self, survivors: Any) -> None:
        s = as_float_array(survivors, "survivors")
        if s.size < 2:
            raise ValueError("survivors needs at least two values (year 0 and year 1)")
        if s[0] <= 0:
            raise ValueError(f"survivors[0] must be positive, got {s[0]}")
        bad = np.flatnonzero(s < 0)
        if bad.size:
            raise ValueError(f"survivors[{int(bad[0])}] is negative ({s[bad[0]]})")
        up = np.flatnonzero(np.diff(s) > 0)
        if up.size:
            i = int(up[0]) + 1
            raise ValueError(f"survivors increase at period {i}: {s[i]} > {s[i - 1]} (a cohort can only shrink)")
        self.survivors = s
        super().__init__(s, endog_name="survivors")

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        """Per period: churners × log P(T = t); last entry: survivors × log S(n) (Fader & Hardie 2007, eq. 6)."""
        g, d = np.asarray(params, dtype=float)
        s = self.survivors
        n = s.size - 1
        t = np.arange(1, n + 1)
        lost = s[:-1] - s[1:]
        log_pt = _bl(g + 1, d + t - 1) - _bl(g, d)
        log_sn = _bl(g, d + n) - _bl(g, d)
        return np.r_[lost * log_pt, s[-1] * log_sn]

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
        """S(t) = B(γ, δ + t) / B(γ, δ): share of the cohort surviving to period ``t``."""
        tt = _horizon(t)
        g, d = self._p()
        return _shape_like(np.exp(_bl(g, d + tt) - _bl(g, d)), t)

    def retention(self, t: Any) -> Any:
        """r(t) = S(t)/S(t−1) = (δ + t − 1)/(γ + δ + t − 1) for t ≥ 1: retention rate rising with tenure."""
        tt = as_float_array(t, "t")
        bad = np.flatnonzero(tt < 1)
        if bad.size:
            raise ValueError(f"t[{int(bad[0])}] must be >= 1 (retention from period t-1 to t), got {tt[bad[0]]}")
        g, d = self._p()
        return _shape_like((d + tt - 1) / (g + d + tt - 1), t)

    def expected_survivors(self, t: Any, n0: float | None = None) -> Any:
        """Expected number of survivors at ``t`` out of ``n0`` (default: the cohort's year-0 size)."""
        size = float(self.model.survivors[0]) if n0 is None else check_number(n0, "n0", low=0)
        s = self.survival(t)
        return s * size


ShiftedBetaGeometric.results_class = ShiftedBetaGeometricResults
