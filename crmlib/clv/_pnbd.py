"""The Pareto/NBD log-likelihood and its exact gradient (the numerics behind :class:`crmlib.clv.btyd.ParetoNBD`).

The likelihood
--------------
Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and related expressions", eqs.
(22)–(23): a customer with x repeat purchases, the last at t_x, observed for T, has ::

    L = C [A(T) + s (J(t_x) − J(T))],       C = Γ(r+x)/Γ(r) α^r β^s,
    A(t) = (α+t)^−(r+x) (β+t)^−s                          (alive at T),
    J(t) = ∫_t^∞ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ             (s J: died after t).

With p = r+x, q = s+1, a = r+s+x and the two rates ordered, (M, N, P, Q) = (α, β, p, q) when
α ≥ β, else (β, α, q, p), and z = (M−N)/(M+t) in [0, 1)::

    J(t) = (M+t)^−P (N+t)^−(Q−1) H(z) / a,   H(z) = 2F1(1, e; c; z),  e = P, c = a + 1.     (1)

This is Fader & Hardie's 2F1(a, b'; a+1; z)/(M+t)^a after Euler's transformation. The series
H = Σ ρ_k z^k has 0 < ρ_k = Π_{j<k} (e+j)/(c+j) ≤ 1, so 1 ≤ H ≤ 1/(1−z): the factor that overflows
the textbook form for hundreds of purchases is analytic, and nothing overflows. In the customer's
own terms J(t) = A(t) q(t) with q = H/a (α ≥ β) or (1−z) H/a (α < β). Dividing by A(t_x) ≥ A(T),
ρ_T = A(T)/A(t_x) in (0, 1]::

    log L = log C + log A(t_x) + log b,   b = ρ_T (1 − s q_T) + s q_x,                     (2)

where both terms of b are ≥ 0 and b ≥ ρ_T: every quantity is of order 1, and the only cancellation
(q_x − ρ_T q_T as t_x → T) costs an absolute rounding error in b ≥ ρ_T, i.e. nothing in log L.
P(alive at T) = ρ_T / b.

The gradient
------------
With g_θ(t) = ∂ log q(t)/∂θ, l_θ = ∂ log A(T)/∂θ − ∂ log A(t_x)/∂θ and the weights
w_A = ρ_T (1 − s q_T)/b, w_x = s q_x/b, w_T = s ρ_T q_T/b::

    ∂ log L/∂θ = ∂ log C/∂θ + ∂ log A(t_x)/∂θ + w_A l_θ + w_x g_θ(t_x) − w_T g_θ(T) + [θ = s] (w_x − w_T)/s,

and, from (1), with H_e, H_c, H_z the partial derivatives of H (c moves with r and s; e = r+x moves
with r when α ≥ β, e = s+1 with s otherwise)::

    g_r = ([α ≥ β] H_e + H_c)/H − 1/a,        g_s = ([α < β] H_e + H_c)/H − 1/a,
    α ≥ β:  g_α = (H_z/H)(1−z)/(α+t),          g_β = −(H_z/H)/(α+t),
    α < β:  g_α = 1/(α+t) − (H_z/H)/(β+t),     g_β = ((H_z/H)(1−z) − 1)/(β+t).

At α = β (z = 0) both branches agree in value and derivative (J is analytic in α and β).

H and its derivatives
---------------------
* z ≤ 1/2: the series H = Σ ρ_k z^k, H_e = Σ ρ_k E_k z^k, H_c = −Σ ρ_k C_k z^k, H_z = Σ k ρ_k z^(k−1),
  E_k = Σ_{j<k} 1/(e+j), C_k = Σ_{j<k} 1/(c+j): every sum has terms of one sign, and at most 72 terms
  reach double precision. For 1/2 < z ≤ 0.9 the same series with up to 480 terms serves the fast
  path's tables (:class:`Plan`).
* z > 1/2 (point by point; z > 0.9 in the fast path): J and the moments E[log((M+τ)/(M+t))],
  E[log((N+τ)/(N+t))], E[(τ−t)/(M+τ)] under the density proportional to the integrand on (t, ∞) give,
  through ∂/∂P, ∂/∂Q and ∂/∂M of (1),
  H = a J (M+t)^P (N+t)^(Q−1), H_c = H (1/a − E[log((N+τ)/(N+t))]), H_e + H_c = H (1/a − E[log((M+τ)/(M+t))]),
  H_z = H P (M+t)/(N+t) E[(τ−t)/(M+τ)]. The integral up to τ*, where z(τ*) = 1/2, is Gauss–Legendre
  (20 nodes) on the panels [0, h], [h, 2h], [2h, 4h], … of τ − t, h = min(decay length, N + t), each
  at least one of its lengths away from the singularity τ = −N; beyond τ* the series at z = 1/2.

The fast path (:class:`Plan`)
-----------------------------
For the fit (one (r, α, s, β) for everybody) the terms that depend on a customer only through x
are computed once per distinct x, and for an x with many customers the four functions, analytic in
v = log(1−z) = log((N+t)/(M+t)) on the strip |Im v| < π, are Chebyshev interpolants in v on the
group's range of t (from exact values at K nodes, K from the strip's Bernstein ellipse, checked on
the last coefficients). The sums over customers are one-pass dot products into buffers allocated
once; matrix products are cut to column blocks small enough for one BLAS thread (on a shared
machine BLAS threads only contend). Rows carry frequency weights.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np
from scipy import fft as _fft
from scipy import special

__all__ = ["rows", "Plan"]

#: Point by point, the series serves z <= _Z_SER; above, quadrature (up to _Z_SER) plus the series beyond.
_Z_SER = 0.5
#: The fast path's per-x series tables also serve 1/2 < z <= _Z_TAB, with up to _K_TAB terms (0.9^460 ~ 1e-21).
_Z_TAB = 0.9
_K_SER = 72      # 0.5^72 ~ 2e-22
_K_TAB = 480
_GL_X, _GL_W = special.roots_legendre(20)
#: Groups of at most this many points are evaluated point by point (no interpolation).
_SMALL = 96
_K_MAX = 256
_CHUNK = 16384


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """sum(u * v) in one pass (einsum, single-threaded)."""
    return float(np.einsum("i,i->", u, v))


def _blas_cols(k: int) -> int:
    """Columns per (4 x k) @ (k x cols) product small enough for BLAS to stay on one thread."""
    return max(256, (1 << 17) // k)


# ----------------------------------------------------------------------------- H point by point
def _series(e: np.ndarray, c: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, ...]:
    """H, H_e, H_c, H_z of H = 2F1(1, e; c; z) at points with 0 <= z <= 1/2 (arrays of one shape, e < c)."""
    e, c, z = (np.asarray(v, dtype=float).reshape(-1) for v in (e, c, z))
    out = [np.empty(z.size) for _ in range(4)]
    for lo in range(0, z.size, 4096):
        sl = slice(lo, lo + 4096)
        zz = z[sl]
        zmax = float(zz.max())
        k = 2 if zmax <= 0 else int(min(80, max(4, np.ceil(-44.0 / np.log(zmax)) + 4)))
        j = np.arange(k - 1, dtype=float)
        ej, cj = e[sl, None] + j, c[sl, None] + j
        rho = np.ones((zz.size, k))
        np.cumprod(ej / cj, axis=1, out=rho[:, 1:])
        zp = np.ones((zz.size, k))
        zp[:, 1:] = zz[:, None]
        np.cumprod(zp[:, 1:], axis=1, out=zp[:, 1:])
        terms = rho * zp
        ek = np.zeros((zz.size, k))
        np.cumsum(1.0 / ej, axis=1, out=ek[:, 1:])
        ck = np.zeros((zz.size, k))
        np.cumsum(1.0 / cj, axis=1, out=ck[:, 1:])
        out[0][sl] = terms.sum(axis=1)
        out[1][sl] = (terms * ek).sum(axis=1)
        out[2][sl] = -(terms * ck).sum(axis=1)
        out[3][sl] = (np.arange(1, k) * rho[:, 1:] * zp[:, :-1]).sum(axis=1)
    return tuple(out)


def _quad(P: np.ndarray, Q: np.ndarray, M: np.ndarray, N: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
    """H, H_e, H_c, H_z at points with z = (M−N)/(M+t) > 1/2, from J(t) = ∫_t^∞ (M+τ)^−P (N+τ)^−Q dτ.

    Gauss–Legendre on doubling panels over [t, τ*] (z(τ*) = 1/2), the series at z = 1/2 beyond τ*.
    All arguments are arrays of one shape.
    """
    a = P + Q - 1.0
    mt, nt = M + t, N + t
    tau_s = (M - N) / _Z_SER - M
    h_s, he_s, hc_s, hz_s = _series(P, P + Q, np.full(t.shape, _Z_SER))
    mts, nts = M + tau_s, N + tau_s
    lm_s, ln_s = np.log(mts / mt), np.log(nts / nt)
    jt_s = np.exp(-P * lm_s - Q * ln_s) * nts * h_s / a          # ∫_{τ*}^∞ f / f(t)
    tail_lm = jt_s * (1.0 / a - (he_s + hc_s) / h_s + lm_s)
    tail_ln = jt_s * (1.0 / a - hc_s / h_s + ln_s)
    tail_im = jt_s * (1.0 - mt / mts * (1.0 - hz_s * nts / (mts * h_s * P)))
    hp = np.minimum(1.0 / (P / mt + Q / nt), nt)
    top = (tau_s - t) / hp
    n_pan = int(np.ceil(np.log2(max(float(np.max(top)), 1.0)))) + 2
    edges = np.r_[0.0, 2.0 ** np.arange(n_pan - 1)]
    lo = np.minimum(edges[:-1][None, :], top[:, None])
    hi = np.minimum(edges[1:][None, :], top[:, None])
    u = lo[..., None] + (hi - lo)[..., None] * (_GL_X + 1.0) / 2.0     # points x panels x nodes
    d = hp[:, None, None] * u                                          # τ − t
    lam_m = np.log1p(d / mt[:, None, None])
    lam_n = np.log1p(d / nt[:, None, None])
    phi = np.exp(-P[:, None, None] * lam_m - Q[:, None, None] * lam_n) * ((hi - lo)[..., None] / 2.0 * _GL_W
                                                                           * hp[:, None, None])
    jt = phi.sum(axis=(1, 2)) + jt_s
    e_lm = ((phi * lam_m).sum(axis=(1, 2)) + tail_lm) / jt
    e_ln = ((phi * lam_n).sum(axis=(1, 2)) + tail_ln) / jt
    e_im = ((phi * (d / (mt[:, None, None] + d))).sum(axis=(1, 2)) + tail_im) / jt
    H = a * jt / nt
    return H, H * (e_ln - e_lm), H * (1.0 / a - e_ln), mt / nt * H * P * e_im


def _direct(P: Any, Q: Any, M: Any, N: Any, t: Any) -> np.ndarray:
    """(n, 4) values of H, H_e, H_c, H_z at each point: the series for z <= 1/2, quadrature above."""
    P, Q, M, N, t = (np.asarray(v, dtype=float).reshape(-1) for v in np.broadcast_arrays(P, Q, M, N, t))
    z = (M - N) / (M + t)
    out = np.empty((t.size, 4))
    easy = z <= _Z_SER
    if easy.any():
        out[easy] = np.column_stack(_series(P[easy], (P + Q)[easy], z[easy]))
    hard = np.flatnonzero(~easy)
    for lo in range(0, hard.size, 2048):
        ii = hard[lo:lo + 2048]
        out[ii] = np.column_stack(_quad(P[ii], Q[ii], M[ii], N[ii], t[ii]))
    return out


# ----------------------------------------------------------------------------- per row, any parameters
def _q_and_g(r: Any, alpha: Any, s: Any, beta: Any, x: np.ndarray, t: np.ndarray
             ) -> tuple[np.ndarray, list[np.ndarray]]:
    """q(t) = J(t)/A(t) and g_θ(t) = ∂ log q/∂θ for θ = (r, α, s, β), per row (α, β may vary by row)."""
    ab = alpha >= beta
    M, N = np.where(ab, alpha, beta), np.where(ab, beta, alpha)
    P, Q = np.where(ab, r + x, s + 1.0), np.where(ab, s + 1.0, r + x)
    H, He, Hc, Hz = _direct(P, Q, M, N, t).T
    a = r + s + x
    ia, ib = 1.0 / (alpha + t), 1.0 / (beta + t)
    one_mz = (N + t) / (M + t)
    hz = Hz / H
    q = np.where(ab, 1.0, one_mz) * H / a
    g = [np.where(ab, He + Hc, Hc) / H - 1.0 / a,
         np.where(ab, hz * one_mz * ia, ia - hz * ib),
         np.where(ab, Hc, He + Hc) / H - 1.0 / a,
         np.where(ab, -hz * ia, (hz * one_mz - 1.0) * ib)]
    return q, g


def rows(r: float, alpha: Any, s: float, beta: Any, x: np.ndarray, tx: np.ndarray, T: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log-likelihood, its gradient in (r, α, s, β) and P(alive) of each row, by (2).

    Parameters
    ----------
    r, s : float
    alpha, beta : float or numpy.ndarray
        One value, or one per row (covariates).
    x, tx, T : numpy.ndarray
        The rows' histories (checked by the caller); all five broadcast together.

    Returns
    -------
    tuple of numpy.ndarray
        ``ll`` and ``p_alive`` of the broadcast shape, ``grad`` of that shape plus (4,): the
        gradient of each row's log-likelihood in its own (r, α, s, β).
    """
    shape = np.broadcast_shapes(*(np.shape(v) for v in (alpha, beta, x, tx, T)))
    alpha, beta, x, tx, T = (np.broadcast_to(np.asarray(v, dtype=float), shape).reshape(-1)
                             for v in (alpha, beta, x, tx, T))
    with np.errstate(all="ignore"):
        p = r + x
        q_x, g_x = _q_and_g(r, alpha, s, beta, x, tx)
        q_t, g_t = _q_and_g(r, alpha, s, beta, x, T)
        la_x, lb_x = np.log(alpha + tx), np.log(beta + tx)
        d_la, d_lb = np.log(alpha + T) - la_x, np.log(beta + T) - lb_x
        rho = np.exp(-p * d_la - s * d_lb)
        alive_only = tx >= T
        sq_x = np.where(alive_only, 0.0, s * q_x)
        sq_t = np.where(alive_only, 0.0, s * rho * q_t)
        b = rho - sq_t + sq_x
        w_a, w_x, w_t = (rho - sq_t) / b, sq_x / b, sq_t / b
        ll = special.gammaln(p) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta) - p * la_x - s * lb_x \
            + np.log(b)
        ia_x, ib_x = 1.0 / (alpha + tx), 1.0 / (beta + tx)
        d_c = [special.digamma(p) - special.digamma(r) + np.log(alpha), r / alpha, np.log(beta), s / beta]
        d_ax = [-la_x, -p * ia_x, -lb_x, -s * ib_x]
        l_th = [-d_la, -p * (1.0 / (alpha + T) - ia_x), -d_lb, -s * (1.0 / (beta + T) - ib_x)]
        grad = np.column_stack([d_c[i] + d_ax[i] + w_a * l_th[i] + np.where(alive_only, 0.0, w_x * g_x[i] - w_t * g_t[i])
                                + ((w_x - w_t) / s if i == 2 else 0.0) for i in range(4)])
    return ll.reshape(shape), grad.reshape(shape + (4,)), (rho / b).reshape(shape)


# ----------------------------------------------------------------------------- the fast path
@functools.lru_cache(maxsize=64)
def _cheb_nodes(k: int) -> np.ndarray:
    out = np.cos(np.pi * (np.arange(k) + 0.5) / k)
    out.flags.writeable = False
    return out


def _cheb_coefs(vals: np.ndarray) -> np.ndarray:
    """Chebyshev coefficients (last axis) from values at the first-kind nodes :func:`_cheb_nodes`."""
    c = _fft.dct(vals, type=2, axis=-1) / vals.shape[-1]
    c[..., 0] /= 2.0
    return c


def _group_series(e: np.ndarray, c: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Power-series coefficients in z of (H, H_e, H_c, H_z) per group: (G, 4, k), and a bound (G, k) on their
    magnitudes (to choose the number of terms for a given z)."""
    j = np.arange(k - 1, dtype=float)
    ej, cj = e[:, None] + j, c[:, None] + j
    rho = np.ones((e.size, k))
    np.cumprod(ej / cj, axis=1, out=rho[:, 1:])
    ek = np.zeros((e.size, k))
    np.cumsum(1.0 / ej, axis=1, out=ek[:, 1:])
    ck = np.zeros((e.size, k))
    np.cumsum(1.0 / cj, axis=1, out=ck[:, 1:])
    coef = np.zeros((e.size, 4, k))
    coef[:, 0], coef[:, 1], coef[:, 2] = rho, rho * ek, -rho * ck
    coef[:, 3, :-1] = np.arange(1, k) * rho[:, 1:]
    return coef, np.max(np.abs(coef), axis=1)


def _n_terms(bound: np.ndarray, zmax: float) -> int:
    """Terms needed at |z| <= zmax: up to the first whose bound is below 1e-18 (H's leading term is 1)."""
    if zmax <= 0.0:
        return 1
    small = np.flatnonzero(bound * np.exp(np.arange(bound.size) * np.log(zmax)) < 1e-18)
    return int(small[0]) + 1 if small.size else bound.size


class _Tables:
    """The per-x series tables of one evaluation (computed once per number of terms)."""

    def __init__(self, e: np.ndarray, c: np.ndarray) -> None:
        self.e, self.c = e, c
        self._by_k: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def get(self, k: int, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Coefficients (G', k, 4) covering ``groups``, their bounds, and each group's row (-1 if absent)."""
        have = self._by_k.get(k)
        if have is not None and np.all(have[2][groups] >= 0):
            return have
        need = groups if have is None else np.union1d(groups, np.flatnonzero(have[2] >= 0))
        coef, bound = _group_series(self.e[need], self.c[need], k)
        row = np.full(self.e.size, -1)
        row[need] = np.arange(need.size)
        self._by_k[k] = (np.ascontiguousarray(coef.transpose(0, 2, 1)), bound, row)
        return self._by_k[k]

    def series(self, z: np.ndarray, gid: np.ndarray) -> np.ndarray:
        """(n, 4) series values at z (all <= _Z_TAB); ``gid`` the group of each point, in runs."""
        vals = np.empty((z.size, 4))
        if z.size == 0:
            return vals
        zmax = float(z.max())
        k_est = _K_SER if zmax <= _Z_SER else int(min(_K_TAB, np.ceil(-46.0 / np.log(zmax)) + 16))
        cuts = np.flatnonzero(np.diff(gid)) + 1
        starts = np.r_[0, cuts]
        coef, bound, row = self.get(k_est, np.unique(gid[starts]))
        k = _n_terms(bound[row[gid[starts]]].max(axis=0), zmax)
        runs = list(zip(starts.tolist(), np.r_[cuts, z.size].tolist(), row[gid[starts]].tolist()))
        step = _blas_cols(k)
        for lo0 in range(0, z.size, step):
            zz = z[lo0:lo0 + step]
            vand = np.ones((zz.size, k))
            if k > 1:
                vand[:, 1:] = zz[:, None]
                np.cumprod(vand[:, 1:], axis=1, out=vand[:, 1:])
            for lo, hi, rw in runs:
                a, b = max(lo, lo0), min(hi, lo0 + zz.size)
                if a < b:
                    np.matmul(vand[a - lo0:b - lo0], coef[rw, :k], out=vals[a:b])
        return vals


class Plan:
    """Customers' (x, t_x, T) prepared once for repeated evaluations of the total log-likelihood and score.

    Rows are sorted by x (customers without repeat purchases first). The points where H is needed:
    every row's T (indices 0..n−1), every x > 0 row's t_x (n..n+n_pos−1) and one shared t = 0 point
    for the rows with x = 0 (last).

    Parameters
    ----------
    x, tx, T : numpy.ndarray
        The distinct rows' histories (checked by the caller).
    weights : numpy.ndarray, optional
        Frequency weight of each row (None: 1 each).
    interpolate : bool, default True
        Chebyshev interpolation for large groups (False: every point directly; for tests).
    """

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, weights: np.ndarray | None = None,
                 interpolate: bool = True) -> None:
        self.interpolate = interpolate
        order = np.argsort(x, kind="stable")
        x, tx, T = (np.asarray(v, dtype=float)[order] for v in (x, tx, T))
        w = None if weights is None else np.asarray(weights, dtype=float)[order]
        self.n = n = x.size
        ux, start, counts = np.unique(x, return_index=True, return_counts=True)
        self.ux = ux
        self.n_x = counts.astype(float) if w is None else np.add.reduceat(w, start)
        self.w_sum = float(self.n_x.sum())
        self.n0 = n0 = int(np.count_nonzero(x == 0))
        self.n_pos = n - n0
        zero = [0.0] if n0 else []
        self.pt_t = np.concatenate([T, tx[n0:], zero])
        self.pt_x = np.concatenate([x, x[n0:], zero])
        self.n_pts = self.pt_t.size
        self.groups = []
        for xv, st, ct in zip(ux, start, counts):
            slices = [slice(int(st), int(st + ct))]
            if xv > 0:
                slices.append(slice(int(n + st - n0), int(n + st - n0 + ct)))
            index = np.concatenate([np.arange(sl.start, sl.stop) for sl in slices])
            self.groups.append({"slices": slices, "index": index, "tmin": float(self.pt_t[index].min()),
                                "tmax": float(self.pt_t[index].max())})
        small = [(g, gr["index"] if gr["index"].size <= _SMALL else np.zeros(0, dtype=np.intp))
                 for g, gr in enumerate(self.groups)]
        if n0:  # the shared t = 0 point belongs to the x = 0 group (group 0)
            small[0] = (0, np.r_[small[0][1], self.n_pts - 1])
        self.small_idx = np.concatenate([ii for _, ii in small]).astype(np.intp)
        self.small_gid = np.concatenate([np.full(ii.size, g) for g, ii in small]).astype(np.intp)
        self.big_groups = [g for g, gr in enumerate(self.groups) if gr["index"].size > _SMALL]
        # rows without a death term: t_x = T (x > 0), or T = 0 (x = 0)
        self.same_pos = np.flatnonzero(tx[n0:] >= T[n0:])
        self.same_zero = np.flatnonzero(T[:n0] <= 0)
        self.xpos = np.ascontiguousarray(x[n0:])
        self.wpos = None if w is None else np.ascontiguousarray(w[n0:])
        self.xwpos = None if w is None else self.xpos * self.wpos
        self.w0 = None if w is None else np.ascontiguousarray(w[:n0])
        self.stats = {"cheb_groups": 0, "direct_points": 0}
        self._buf: dict[str, np.ndarray] | None = None
        self._basis = np.empty((_K_MAX, _CHUNK))
        self._ybuf, self._y2 = np.empty(_CHUNK), np.empty(_CHUNK)

    # ------------------------------------------------------------------ H at every point
    def _h_points(self, r: float, alpha: float, s: float, beta: float, l_a: np.ndarray, l_b: np.ndarray,
                  i_a: np.ndarray, i_b: np.ndarray, outs: list[np.ndarray]) -> list[np.ndarray]:
        """H, H_e, H_c, H_z at every point: Chebyshev interpolation in v for large groups, the group's series
        (z <= 0.9) or quadrature (z > 0.9) point by point elsewhere."""
        ab = alpha >= beta
        M, N = (alpha, beta) if ab else (beta, alpha)
        lm, ln = (l_a, l_b) if ab else (l_b, l_a)
        i_m = i_a if ab else i_b
        d = M - N
        e_g = r + self.ux if ab else np.full(self.ux.shape, s + 1.0)
        q_g = np.full(self.ux.shape, s + 1.0) if ab else r + self.ux
        tables = _Tables(e_g, e_g + q_g)

        def values_at(z: np.ndarray, gid: np.ndarray, t: np.ndarray) -> np.ndarray:
            vals = np.empty((z.size, 4))
            for sel in (z <= _Z_SER, (z > _Z_SER) & (z <= _Z_TAB)):
                if sel.all():
                    vals[:] = tables.series(z, gid)
                elif sel.any():
                    ii = np.flatnonzero(sel)
                    vals[ii] = tables.series(z[ii], gid[ii])
            hard = np.flatnonzero(z > _Z_TAB)
            for lo in range(0, hard.size, 2048):
                ii = hard[lo:lo + 2048]
                vals[ii] = np.column_stack(_quad(e_g[gid[ii]], q_g[gid[ii]], np.full(ii.size, M),
                                                 np.full(ii.size, N), t[ii]))
            return vals

        def at_points(idx: np.ndarray, gid: np.ndarray) -> np.ndarray:
            self.stats["direct_points"] += idx.size
            return values_at(d * i_m[idx], gid, self.pt_t[idx])

        direct_idx, direct_gid, cheb = [self.small_idx], [self.small_gid], []
        for g in self.big_groups:
            gr = self.groups[g]
            k = 0
            if self.interpolate:
                v_lo = np.log((N + gr["tmin"]) / (M + gr["tmin"]))
                v_hi = np.log((N + gr["tmax"]) / (M + gr["tmax"]))
                half = (v_hi - v_lo) / 2.0
                if half > 1e-300:
                    a_ = np.pi / half
                    rho = (a_ + np.sqrt(a_ * a_ + 1.0)) ** 0.85
                    k = int(min(_K_MAX, max(8, np.ceil(36.8 / np.log(rho)) + 2)))
            if k and 4 * k < gr["index"].size:
                cheb.append((g, k, (v_lo + v_hi) / 2.0, half))
            else:
                direct_idx.append(gr["index"])
                direct_gid.append(np.full(gr["index"].size, g))
        done = []
        while cheb:
            z = np.concatenate([-np.expm1(vc + hl * _cheb_nodes(k)) for _, k, vc, hl in cheb])
            gid = np.concatenate([np.full(k, g) for g, k, _, _ in cheb])
            vals = values_at(z, gid, d / np.maximum(z, 1e-300) - M)
            nxt, pos = [], 0
            for g, k, vc, hl in cheb:
                cf = _cheb_coefs(vals[pos:pos + k].T)
                pos += k
                scale = np.max(np.abs(cf), axis=1)
                size = self.groups[g]["index"].size
                if np.any(np.max(np.abs(cf[:, -2:]), axis=1) > 4e-15 * scale):
                    if 2 * k <= _K_MAX and 8 * k < size:
                        nxt.append((g, 2 * k, vc, hl))
                    else:
                        idx = self.groups[g]["index"]
                        vv = at_points(idx, np.full(idx.size, g))
                        for i in range(4):
                            outs[i][idx] = vv[:, i]
                    continue
                keep = np.flatnonzero(np.max(np.abs(cf) / np.maximum(scale, 1e-300)[:, None], axis=0) > 1e-17)
                self.stats["cheb_groups"] += 1
                done.append((g, vc, hl, np.ascontiguousarray(cf[:, :int(keep[-1]) + 1 if keep.size else 1])))
            cheb = nxt
        if done:
            self._cheb_eval(done, lm, ln, outs)
        idx, gid = np.concatenate(direct_idx), np.concatenate(direct_gid)
        if idx.size:
            vals = at_points(idx, gid)
            for i in range(4):
                outs[i][idx] = vals[:, i]
        return outs

    def _cheb_eval(self, done: list[tuple[int, float, float, np.ndarray]], lm: np.ndarray, ln: np.ndarray,
                   outs: list[np.ndarray]) -> None:
        """Evaluate every interpolated group's Chebyshev series at its points, in blocks of _CHUNK points
        (the groups' points are adjacent: the basis is built once per block for all groups in it)."""
        n = self.n
        for key, last_pt in ((0, n), (1, n + self.n_pos)):
            items = sorted(((self.groups[g]["slices"][key], vc, hl, cf) for g, vc, hl, cf in done
                            if len(self.groups[g]["slices"]) > key), key=lambda it: it[0].start)
            if not items:
                continue
            for bs in range(items[0][0].start, items[-1][0].stop, _CHUNK):
                be = min(bs + _CHUNK, items[-1][0].stop)
                blk = [it for it in items if it[0].start < be and it[0].stop > bs]
                if not blk:
                    continue
                m = be - bs
                y = self._ybuf[:m]
                y.fill(0.0)  # points of groups evaluated otherwise: any finite y
                for sl, vc, hl, _ in blk:
                    a, b = max(sl.start, bs), min(sl.stop, be)
                    seg = y[a - bs:b - bs]
                    np.subtract(ln[a:b], lm[a:b], out=seg)
                    seg -= vc
                    seg *= 1.0 / hl
                np.clip(y, -1.0, 1.0, out=y)
                k = max(it[3].shape[1] for it in blk)
                basis = self._basis[:k, :m]
                basis[0] = 1.0
                if k > 1:
                    basis[1] = y
                    y2 = np.multiply(y, 2.0, out=self._y2[:m])
                    for i in range(2, k):
                        np.multiply(y2, basis[i - 1], out=basis[i])
                        basis[i] -= basis[i - 2]
                for sl, _, _, cf in blk:
                    a, b = max(sl.start, bs), min(sl.stop, be)
                    kg = cf.shape[1]
                    cols = _blas_cols(kg)
                    for c0 in range(a, b, cols):
                        c1 = min(c0 + cols, b)
                        res = cf @ basis[:kg, c0 - bs:c1 - bs]
                        for i in range(4):
                            outs[i][c0:c1] = res[i]

    # ------------------------------------------------------------------ totals
    def _buffers(self) -> dict[str, np.ndarray]:
        if self._buf is None:
            self._buf = {k: np.empty(self.n_pts) for k in ("la", "lb", "ia", "ib", "omz", "inva", "q", "W", "U", "V",
                                                           "H", "He", "Hc", "Hz", "tp")}
            self._buf.update({k: np.empty(self.n) for k in ("dla", "dlb", "rho", "sqT", "b", "ib_", "wa", "wx",
                                                            "dia", "dib", "tr")})
            self._buf["pv"] = np.empty(self.n_pos)
        return self._buf

    def evaluate(self, params: Any) -> tuple[float, np.ndarray]:
        """Total log-likelihood and its gradient in (r, alpha, s, beta).

        Parameters
        ----------
        params : sequence of 4 floats

        Returns
        -------
        tuple of (float, numpy.ndarray)
            ``(-inf, nan * 4)`` for parameters that are not finite and positive or a result that is not finite.
        """
        r, alpha, s, beta = (float(v) for v in params)
        if not all(np.isfinite(v) and v > 0 for v in (r, alpha, s, beta)):
            return -np.inf, np.full(4, np.nan)
        with np.errstate(all="ignore"):
            ll, grad = self._total(r, alpha, s, beta)
        if not (np.isfinite(ll) and np.all(np.isfinite(grad))):
            return -np.inf, np.full(4, np.nan)
        return ll, grad

    def _total(self, r: float, alpha: float, s: float, beta: float) -> tuple[float, np.ndarray]:
        """The sums of (2) and of its gradient; the per-point parts of the gradient folded into per-point
        weights W (Σ_rows w_x g(t_x) − w_T g(T) = Σ_points W g), every sum a dot product."""
        ab = alpha >= beta
        n, n0 = self.n, self.n0
        B = self._buffers()
        ap = np.add(self.pt_t, alpha, out=B["ia"])
        bp = np.add(self.pt_t, beta, out=B["ib"])
        l_a, l_b = np.log(ap, out=B["la"]), np.log(bp, out=B["lb"])
        omz = np.divide(bp, ap, out=B["omz"]) if ab else np.divide(ap, bp, out=B["omz"])   # 1 − z
        i_a, i_b = np.divide(1.0, ap, out=ap), np.divide(1.0, bp, out=bp)
        H, He, Hc, Hz = self._h_points(r, alpha, s, beta, l_a, l_b, i_a, i_b, [B["H"], B["He"], B["Hc"], B["Hz"]])
        inv_a = np.add(self.pt_x, r + s, out=B["inva"])
        np.divide(1.0, inv_a, out=inv_a)
        q = np.multiply(H, inv_a, out=B["q"])
        if not ab:
            q *= omz
        W = B["W"]
        ux = self.ux
        dg = special.digamma
        la0, lb0 = np.log(alpha), np.log(beta)
        ll = float(self.n_x @ (special.gammaln(r + ux) - special.gammaln(r))) + self.w_sum * (r * la0 + s * lb0)
        g_r = float(self.n_x @ (dg(r + ux) - dg(r))) + self.w_sum * la0
        g_a, g_s, g_b = self.w_sum * r / alpha, self.w_sum * lb0, self.w_sum * s / beta
        for lo, hi, xs, wv, same in ((0, n0, self.n_pts - 1, self.w0, self.same_zero),
                                     (n0, n, n, self.wpos, self.same_pos)):
            m = hi - lo
            if m == 0:
                continue
            pos = lo > 0 or n0 == 0
            rs = slice(lo, hi)
            xi = slice(xs, xs + m) if pos else xs          # x = 0 rows share the t = 0 point
            dla = np.subtract(l_a[rs], l_a[xi], out=B["dla"][:m])
            dlb = np.subtract(l_b[rs], l_b[xi], out=B["dlb"][:m])
            rho, tr = B["rho"][:m], B["tr"][:m]
            if pos:
                pv = np.add(self.xpos, r, out=B["pv"])
                np.multiply(pv, dla, out=rho)
            else:
                np.multiply(dla, r, out=rho)
            np.multiply(dlb, s, out=tr)
            rho += tr
            np.negative(rho, out=rho)
            np.exp(rho, out=rho)
            sqT = np.multiply(rho, q[rs], out=B["sqT"][:m])
            sqT *= s
            sqx = B["wx"][:m]
            if pos:
                np.multiply(q[xi], s, out=sqx)
            else:
                sqx.fill(s * q[xi])
            if same.size:
                sqx[same] = 0.0
                sqT[same] = 0.0
            b = np.subtract(rho, sqT, out=B["b"][:m])
            wa = B["wa"][:m]
            np.copyto(wa, b)                               # ρ_T − s ρ_T q_T: w_A's numerator
            b += sqx
            inv_b = np.divide(1.0, b, out=B["ib_"][:m])
            wa *= inv_b
            wx = np.multiply(sqx, inv_b, out=sqx)
            wT = np.multiply(sqT, inv_b, out=sqT)
            np.log(b, out=b)
            dia = np.subtract(i_a[rs], i_a[xi], out=B["dia"][:m])
            dib = np.subtract(i_b[rs], i_b[xi], out=B["dib"][:m])
            if wv is not None:
                wa *= wv
                wx *= wv
                wT *= wv
                sum_w = float(wv.sum())
                ll += _dot(wv, b)
            else:
                sum_w = float(m)
                ll += float(b.sum())
            # log A(t_x) and its derivatives
            if not pos:
                s_la, s_lb, s_ia, s_ib = (sum_w * float(v[xi]) for v in (l_a, l_b, i_a, i_b))
                x_la = x_ia = 0.0
            elif wv is None:
                s_la, s_lb, s_ia, s_ib = (float(v[xi].sum()) for v in (l_a, l_b, i_a, i_b))
                x_la, x_ia = _dot(self.xpos, l_a[xi]), _dot(self.xpos, i_a[xi])
            else:
                s_la, s_lb, s_ia, s_ib = (_dot(wv, v[xi]) for v in (l_a, l_b, i_a, i_b))
                x_la, x_ia = _dot(self.xwpos, l_a[xi]), _dot(self.xwpos, i_a[xi])
            ll -= r * s_la + x_la + s * s_lb
            g_r -= s_la + _dot(wa, dla)
            if pos:
                np.multiply(wa, pv, out=tr)
                g_a -= r * s_ia + x_ia + _dot(tr, dia)
            else:
                g_a -= r * (s_ia + _dot(wa, dia))
            sum_wx, sum_wT = float(wx.sum()), float(wT.sum())
            g_s -= s_lb + _dot(wa, dlb) - (sum_wx - sum_wT) / s
            g_b -= s * (s_ib + _dot(wa, dib))
            np.negative(wT, out=W[rs])                     # per-point weights of g(T) and g(t_x)
            if pos:
                W[xi] = wx
            else:
                W[xi] = sum_wx
        U = np.divide(W, H, out=B["U"])
        V = np.multiply(U, Hz, out=B["V"])
        u_he, u_hc, w_ia = _dot(U, He), _dot(U, Hc), _dot(W, inv_a)
        if ab:
            g_r += u_he + u_hc - w_ia
            g_s += u_hc - w_ia
            g_a += _dot(V, np.multiply(omz, i_a, out=B["tp"]))
            g_b -= _dot(V, i_a)
        else:
            g_r += u_hc - w_ia
            g_s += u_he + u_hc - w_ia
            g_a += _dot(W, i_a) - _dot(V, i_b)
            g_b += _dot(V, np.multiply(omz, i_b, out=B["tp"])) - _dot(W, i_b)
        return ll, np.array([g_r, g_a, g_s, g_b])
