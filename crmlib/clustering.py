"""Clustering (聚类) as a check on rule-based segments: k-means, silhouette, adjusted Rand index.

* :func:`rfm_features` — the RFM metrics as log(1 + x), standardised (mean 0, sd 1), so that
  no metric dominates the distances by its unit or its long right tail.
* :func:`kmeans` — Lloyd's algorithm from k-means++ starts (Arthur & Vassilvitskii 2007), the
  best of ``n_init`` seeded restarts (lowest within-cluster sum of squares).
* :func:`silhouette` — the mean silhouette width (轮廓系数; Rousseeuw 1987), exactly, on all
  points or on a seeded subsample.
* :func:`choose_k` — k-means for each k with the silhouette of one shared subsample; the best
  k has the largest mean silhouette.
* :func:`adjusted_rand_index` — agreement of two labelings corrected for chance (调整兰德指数;
  Hubert & Arabie 1985): 1 = identical partitions, about 0 = no more than chance.

Implemented with numpy (no scikit-learn dependency): the data are a few thousand to tens of
thousands of points in three dimensions, where Lloyd iterations and chunked distance sums
are short and exact, and the chapter can show every step. Clusters are numbered 0, 1, …
by decreasing size (ties by the first point), so results do not depend on the restart that
won.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._validate import (MAX_DRAWS, check_aligned, check_columns, check_generator, check_int, check_names,
                        check_size, plain)
from .warnings import ConvergenceWarning
from .warnings import warn as _warn

__all__ = ["MAX_SILHOUETTE_POINTS", "rfm_features", "KMeansResult", "kmeans", "silhouette", "choose_k",
           "adjusted_rand_index"]

#: Largest number of points :func:`silhouette` compares all against all (n**2 distances, in chunks).
MAX_SILHOUETTE_POINTS = 20_000
_CHUNK = 2_000_000


def _matrix(X: Any, name: str = "X") -> tuple[np.ndarray, pd.Index | None]:
    index = X.index if isinstance(X, (pd.DataFrame, pd.Series)) else None
    if isinstance(X, pd.DataFrame):
        check_columns(X, list(X.columns), name, numeric=list(X.columns))
        arr = X.to_numpy(dtype=float)
    else:
        if isinstance(X, (str, bytes)) or X is None:
            raise TypeError(f"{name} must be a 2-D array of numbers, got {type(X).__name__}")
        try:
            arr = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a 2-D array of numbers (a string or ragged row cannot be read)") from None
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise ValueError(f"{name} must be 2-D (points x features), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no rows")
    bad = ~np.isfinite(arr)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        row = plain(index[i]) if index is not None else i
        raise ValueError(f"{name} row {row!r}, feature {j} is {'NaN' if np.isnan(arr[i, j]) else 'infinite'}")
    return arr, index


def rfm_features(table: pd.DataFrame, columns: Any = ("recency", "frequency", "monetary")) -> pd.DataFrame:
    """Standardised log(1 + x) of the RFM metrics: the inputs of k-means.

    Parameters
    ----------
    table : pandas.DataFrame
        Per customer the ``columns`` (non-negative), e.g. :func:`crmlib.segments.rfm_table`.
    columns : str or sequence of str
        The metrics to use.

    Returns
    -------
    pandas.DataFrame
        Same index and columns: ``(log1p(x) - mean) / sd`` per column (population sd);
        ``attrs["mean"]`` and ``attrs["sd"]`` hold the log-scale means and sds.

    Raises
    ------
    ValueError
        Missing columns, NaN, infinite or negative values (named by column and row), a column
        that is constant (it cannot be standardised).
    """
    cols = list(check_names(columns, "columns"))
    check_columns(table, cols, "table", numeric=cols, nonnegative=cols)
    z = np.log1p(table[cols].to_numpy(dtype=float))
    mu, sd = z.mean(axis=0), z.std(axis=0)
    flat = np.flatnonzero(sd == 0)
    if flat.size:
        raise ValueError(f"table column {cols[int(flat[0])]!r} is constant; it cannot be standardised")
    out = pd.DataFrame((z - mu) / sd, index=table.index, columns=cols)
    out.attrs.update(mean=dict(zip(cols, mu.tolist())), sd=dict(zip(cols, sd.tolist())))
    return out


@dataclass(frozen=True)
class KMeansResult:
    """A k-means partition.

    Attributes
    ----------
    labels : pandas.Series
        Cluster 0 … k−1 per point (0 = largest cluster), on the index of ``X``.
    centers : pandas.DataFrame
        Cluster means (rows = clusters, columns = features).
    inertia : float
        Within-cluster sum of squared distances.
    n_iter : int
        Lloyd iterations of the winning restart.
    converged : bool
        Whether every restart stopped because the assignment no longer changed.
    inertias : tuple of float
        Inertia of each restart.
    """

    labels: pd.Series
    centers: pd.DataFrame
    inertia: float
    n_iter: int
    converged: bool
    inertias: tuple = field(repr=False)

    @property
    def sizes(self) -> pd.Series:
        """Points per cluster."""
        return self.labels.value_counts().sort_index().rename("size")

    def predict(self, X: Any) -> np.ndarray:
        """Nearest centre of each row of ``X`` (same features).

        Parameters
        ----------
        X : array_like or pandas.DataFrame
            Points x features.

        Returns
        -------
        numpy.ndarray
            Cluster number per point.
        """
        arr, _ = _matrix(X)
        if arr.shape[1] != self.centers.shape[1]:
            raise ValueError(f"X has {arr.shape[1]} features but the centres have {self.centers.shape[1]}")
        return _assign(arr, self.centers.to_numpy())[0]


def _sq_dist(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    d = (X * X).sum(1)[:, None] - 2.0 * X @ C.T + (C * C).sum(1)[None, :]
    return np.maximum(d, 0.0)


def _assign(X: np.ndarray, C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = _sq_dist(X, C)
    lab = d.argmin(axis=1)
    return lab, d[np.arange(X.shape[0]), lab]


def _plus_plus(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding: each next centre drawn with probability proportional to D(x)^2."""
    n = X.shape[0]
    centers = [X[rng.integers(n)]]
    d2 = _sq_dist(X, centers[0][None, :])[:, 0]
    for _ in range(1, k):
        total = d2.sum()
        if total <= 0:  # fewer distinct points than k: pick any remaining point
            j = int(rng.integers(n))
        else:
            j = int(np.searchsorted(np.cumsum(d2), rng.random() * total, side="right"))
            j = min(j, n - 1)
        centers.append(X[j])
        d2 = np.minimum(d2, _sq_dist(X, X[j][None, :])[:, 0])
    return np.array(centers)


def _lloyd(X: np.ndarray, C: np.ndarray, max_iter: int) -> tuple[np.ndarray, np.ndarray, float, int, bool]:
    lab, d2 = _assign(X, C)
    for it in range(1, max_iter + 1):
        k = C.shape[0]
        counts = np.bincount(lab, minlength=k)
        sums = np.column_stack([np.bincount(lab, weights=X[:, j], minlength=k) for j in range(X.shape[1])])
        newC = C.copy()
        filled = counts > 0
        newC[filled] = sums[filled] / counts[filled, None]
        empty = np.flatnonzero(~filled)
        for j in empty:  # an empty cluster takes the point farthest from its centre
            far = int(np.argmax(d2))
            newC[j] = X[far]
            d2[far] = 0.0
        new_lab, d2 = _assign(X, newC)
        C = newC
        if np.array_equal(new_lab, lab) and not empty.size:
            return new_lab, C, float(d2.sum()), it, True
        lab = new_lab
    return lab, C, float(d2.sum()), max_iter, False


def kmeans(X: Any, k: int, *, rng: np.random.Generator, n_init: int = 10, max_iter: int = 300) -> KMeansResult:
    """k-means by Lloyd's algorithm from k-means++ starts, best of ``n_init`` seeded restarts.

    Parameters
    ----------
    X : array_like or pandas.DataFrame
        Points x features (finite numbers), e.g. :func:`rfm_features`.
    k : int
        Number of clusters, 1 … number of points.
    rng : numpy.random.Generator
        Seeded generator of the starts.
    n_init : int
        Restarts (1 … 100); the one with the smallest inertia is kept.
    max_iter : int
        Lloyd iterations per restart (1 … 10,000).

    Returns
    -------
    KMeansResult

    Raises
    ------
    ValueError
        NaN or infinite entries (named by row), ``k`` outside 1 … n, sizes out of range, more
        than :data:`crmlib._validate.MAX_DRAWS` point-centre distances per iteration.
    TypeError
        ``X`` not numbers, an unseeded ``rng``.

    Warns
    -----
    crmlib.warnings.ConvergenceWarning
        A restart stopped at ``max_iter`` with assignments still changing.
    """
    arr, index = _matrix(X)
    n = arr.shape[0]
    k = check_int(k, "k", low=1, high=n)
    n_init = check_int(n_init, "n_init", low=1, high=100)
    max_iter = check_int(max_iter, "max_iter", low=1, high=10_000)
    check_size(n * k, "points x k", MAX_DRAWS, low=1, what="distances per iteration")
    rng = check_generator(rng)
    best = None
    inertias, all_conv = [], True
    for _ in range(n_init):
        lab, C, inertia, it, conv = _lloyd(arr, _plus_plus(arr, k, rng), max_iter)
        inertias.append(inertia)
        all_conv &= conv
        if best is None or inertia < best[2] - 1e-12 * max(1.0, abs(best[2])):
            best = (lab, C, inertia, it, conv)
    if not all_conv:
        _warn(ConvergenceWarning, "k-means", f"a restart stopped after max_iter = {max_iter} iterations with "
                                             "assignments still changing; raise max_iter")
    lab, C, inertia, it, _ = best
    # number clusters by decreasing size, ties by their first point
    counts = np.bincount(lab, minlength=k)
    first = np.array([np.flatnonzero(lab == j)[0] if counts[j] else n for j in range(k)])
    order = np.lexsort((first, -counts))
    relabel = np.empty(k, dtype=int)
    relabel[order] = np.arange(k)
    cols = list(X.columns) if isinstance(X, pd.DataFrame) else [f"x{j}" for j in range(arr.shape[1])]
    labels = pd.Series(relabel[lab], index=index if index is not None else pd.RangeIndex(n), name="cluster")
    centers = pd.DataFrame(C[order], columns=cols, index=pd.RangeIndex(k, name="cluster"))
    return KMeansResult(labels, centers, inertia, it, all_conv, tuple(inertias))


def _labels_array(labels: Any, n: int, name: str = "labels", of: str = "X has {n} rows") -> np.ndarray:
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
        raise TypeError(f"{name} must be a sequence of cluster labels, got {type(labels).__name__}")
    lab = pd.Series(labels.to_numpy() if isinstance(labels, pd.Series) else list(labels))
    if len(lab) != n:
        raise ValueError(f"{name} has {len(lab)} entries but {of.format(n=n)}")
    na = lab.isna().to_numpy()
    if na.any():
        raise ValueError(f"{name}[{int(np.flatnonzero(na)[0])}] is missing")
    return pd.factorize(lab)[0]


def silhouette(X: Any, labels: Any, *, sample_size: int | None = None, rng: np.random.Generator | None = None) -> float:
    """Mean silhouette width of a partition (exact; on a seeded subsample if asked).

    For point i with mean distance a(i) to the other members of its cluster and b(i) to the
    members of the nearest other cluster, s(i) = (b − a) / max(a, b); s(i) = 0 for a point
    alone in its cluster (Rousseeuw 1987). Euclidean distances.

    Parameters
    ----------
    X : array_like or pandas.DataFrame
        Points x features.
    labels : sequence
        Cluster of each point (at least 2 distinct clusters). Two pandas objects are paired by
        label.
    sample_size : int, optional
        Compute on this many points drawn without replacement (all points by default).
        At most :data:`MAX_SILHOUETTE_POINTS` points are compared all against all.
    rng : numpy.random.Generator, optional
        Seeded generator of the subsample; required with ``sample_size``.

    Returns
    -------
    float
        Mean of s(i), in [−1, 1].

    Raises
    ------
    ValueError
        Labels of another length, fewer than 2 clusters, more points than the limit.
    TypeError
        An unseeded ``rng`` with ``sample_size``.
    """
    labels = check_aligned(X, "X", labels, "labels")
    arr, _ = _matrix(X)
    lab = _labels_array(labels, arr.shape[0])
    if sample_size is not None:
        m = check_size(sample_size, "sample_size", MAX_SILHOUETTE_POINTS, low=2, what="points")
        rng = check_generator(rng)
        if m < arr.shape[0]:
            pick = np.sort(rng.choice(arr.shape[0], size=m, replace=False))
            arr, lab = arr[pick], lab[pick]
    if arr.shape[0] > MAX_SILHOUETTE_POINTS:
        raise ValueError(f"X has {arr.shape[0]:,} points, above crmlib's limit of {MAX_SILHOUETTE_POINTS:,} for an "
                         "exact silhouette (n^2 distances); pass sample_size= and rng=")
    return float(_silhouette(arr, lab).mean())


def _silhouette(X: np.ndarray, lab: np.ndarray) -> np.ndarray:
    _, lab = np.unique(lab, return_inverse=True)
    k = int(lab.max()) + 1
    if k < 2:
        raise ValueError("labels hold a single cluster; the silhouette needs at least 2")
    n = X.shape[0]
    counts = np.bincount(lab, minlength=k).astype(float)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), lab] = 1.0
    sums = np.empty((n, k))
    per = max(1, _CHUNK // n)
    sq = (X * X).sum(1)
    for s in range(0, n, per):
        e = min(n, s + per)
        d = np.sqrt(np.maximum(sq[s:e, None] - 2.0 * X[s:e] @ X.T + sq[None, :], 0.0))
        sums[s:e] = d @ onehot
    own = counts[lab]
    a = np.where(own > 1, sums[np.arange(n), lab] / np.maximum(own - 1, 1), 0.0)
    mean_other = sums / counts[None, :]
    mean_other[np.arange(n), lab] = np.inf
    b = mean_other.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
    return np.nan_to_num(s, nan=0.0)


def choose_k(X: Any, ks: Any = range(2, 9), *, rng: np.random.Generator, n_init: int = 10,
             sample_size: int | None = 3000, max_iter: int = 300) -> pd.DataFrame:
    """k-means for each k and the silhouette of each partition; the best k has the largest.

    Every k is clustered on all points; the silhouettes are computed on one seeded subsample
    (the same points for every k), because the exact silhouette costs n^2 distances.

    Parameters
    ----------
    X : array_like or pandas.DataFrame
        Points x features.
    ks : sequence of int
        Candidate numbers of clusters (each >= 2).
    rng : numpy.random.Generator
        Seeded generator (subsample first, then the k-means starts in the order of ``ks``).
    n_init : int
        k-means restarts per k.
    sample_size : int or None
        Points in the silhouette subsample (None: all points, at most
        :data:`MAX_SILHOUETTE_POINTS`).
    max_iter : int
        Lloyd iterations per restart.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``k``: ``inertia``, ``silhouette``, ``best`` (bool, the largest silhouette;
        the smaller k on a tie); ``attrs["fits"]`` = k -> :class:`KMeansResult`,
        ``attrs["best_k"]``.

    Raises
    ------
    ValueError
        An empty ``ks``, a k below 2 or above the number of points, the errors of
        :func:`kmeans` and :func:`silhouette`.
    """
    arr, index = _matrix(X)
    rng = check_generator(rng)
    k_list = [check_int(k, "ks entry", low=2, high=arr.shape[0]) for k in ks]
    if not k_list:
        raise ValueError("ks is empty; give candidate numbers of clusters such as range(2, 9)")
    if len(set(k_list)) != len(k_list):
        raise ValueError("ks lists a k twice")
    n = arr.shape[0]
    if sample_size is None:
        pick = np.arange(n)
    else:
        m = check_size(sample_size, "sample_size", MAX_SILHOUETTE_POINTS, low=2, what="points")
        pick = np.arange(n) if m >= n else np.sort(rng.choice(n, size=m, replace=False))
    if pick.size > MAX_SILHOUETTE_POINTS:
        raise ValueError(f"X has {n:,} points, above the silhouette limit of {MAX_SILHOUETTE_POINTS:,}; "
                         "give sample_size")
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(arr)
    rows, fits = [], {}
    for k in k_list:
        fit = kmeans(frame, k, rng=rng, n_init=n_init, max_iter=max_iter)
        fits[k] = fit
        lab = fit.labels.to_numpy()[pick]
        sil = float(_silhouette(arr[pick], lab).mean()) if np.unique(lab).size > 1 else np.nan
        rows.append({"k": k, "inertia": fit.inertia, "silhouette": sil})
    out = pd.DataFrame(rows).set_index("k")
    best = int(out["silhouette"].idxmax())
    out["best"] = out.index == best
    out.attrs.update(fits=fits, best_k=best, sample_size=int(pick.size))
    return out


def adjusted_rand_index(a: Any, b: Any) -> float:
    """Adjusted Rand index of two labelings of the same items (Hubert & Arabie 1985).

    ``ARI = (sum_ij C(n_ij, 2) - E) / ((sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2 - E)`` with
    ``E = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2)``, from the contingency counts ``n_ij`` and
    their row and column sums ``a_i``, ``b_j``. 1 for identical partitions (whatever the
    label names), about 0 for independent ones; it can be negative.

    Parameters
    ----------
    a, b : sequence or pandas.Series
        One label per item each (any hashable labels); two Series are paired by label.

    Returns
    -------
    float
        The index; 1.0 when both labelings put all items in one group or each item alone
        (the formula's 0/0).

    Raises
    ------
    ValueError
        Different lengths or index labels, fewer than 2 items, a missing label.

    Examples
    --------
    >>> round(adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 4)
    0.2424
    """
    b = check_aligned(a, "a", b, "b")
    if isinstance(a, (str, bytes)) or not hasattr(a, "__len__"):
        raise TypeError(f"a must be a sequence of labels, got {type(a).__name__}")
    n = len(a)
    if n < 2:
        raise ValueError(f"a has {n} item(s); the adjusted Rand index needs at least 2")
    la = _labels_array(a, n, "a", "a has {n}")
    lb = _labels_array(b, n, "b", "a has {n}")
    table = np.zeros((la.max() + 1, lb.max() + 1))
    np.add.at(table, (la, lb), 1.0)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2.0).sum())

    index = pairs(table)
    sa, sb = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = sa * sb / (n * (n - 1) / 2.0)
    top = (sa + sb) / 2.0
    if top == expected:
        return 1.0
    return float((index - expected) / (top - expected))
