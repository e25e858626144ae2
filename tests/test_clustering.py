"""crmlib.clustering: k-means, silhouette, choice of k, adjusted Rand index against hand values."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from crmlib import clustering as cl
from crmlib.warnings import ConvergenceWarning


def _blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
    sizes = [n, n // 2, n // 3]
    X = np.vstack([c + rng.normal(0, 0.5, size=(s, 2)) for c, s in zip(centres, sizes)])
    truth = np.repeat([0, 1, 2], sizes)
    return pd.DataFrame(X, columns=["a", "b"]), truth


def test_ari_hand_example():
    # contingency [[2, 1, 0], [0, 1, 2]]: sum C(n_ij, 2) = 2, rows 2 C(3,2) = 6, columns 3 C(2,2) = 3,
    # expected 6 * 3 / C(6, 2) = 1.2, max (6 + 3) / 2 = 4.5: ARI = (2 - 1.2) / (4.5 - 1.2) = 0.8 / 3.3
    a, b = [0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]
    assert cl.adjusted_rand_index(a, b) == pytest.approx(0.8 / 3.3)
    assert cl.adjusted_rand_index(b, a) == pytest.approx(0.8 / 3.3)


def test_ari_ignores_label_names_and_can_be_negative():
    assert cl.adjusted_rand_index([1, 1, 2, 2], ["x", "x", "y", "y"]) == 1.0
    # four items, pairs split against each other: below chance
    assert cl.adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)
    assert cl.adjusted_rand_index([0, 0, 0], [1, 1, 1]) == 1.0          # 0/0: both one group


def test_ari_pairs_series_by_label():
    a = pd.Series([0, 0, 1, 1], index=list("abcd"))
    b = pd.Series([1, 1, 0, 0], index=list("dcba"))
    assert cl.adjusted_rand_index(a, b) == 1.0
    with pytest.raises(ValueError, match="a has label 'd' that b lacks"):
        cl.adjusted_rand_index(a, pd.Series([1, 1, 0, 0], index=list("abce")))


def test_silhouette_hand_example():
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    # point 0: a = 1, b = 10.5; point 1: a = 1, b = 9.5 (and the mirror image)
    expected = ((10.5 - 1) / 10.5 + (9.5 - 1) / 9.5) / 2
    assert cl.silhouette(X, [0, 0, 1, 1]) == pytest.approx(expected)
    assert cl.silhouette(X, [0, 0, 0, 1]) == pytest.approx(np.mean(cl._silhouette(X, np.array([0, 0, 0, 1]))))
    assert cl._silhouette(X, np.array([0, 0, 0, 1]))[3] == 0.0        # a point alone in its cluster scores 0


def test_kmeans_finds_the_blobs_and_is_seeded():
    X, truth = _blobs()
    fit = cl.kmeans(X, 3, rng=np.random.default_rng(1))
    assert cl.adjusted_rand_index(fit.labels, truth) == 1.0
    assert fit.sizes.tolist() == [60, 30, 20]                       # numbered by decreasing size
    assert fit.converged and len(fit.inertias) == 10
    again = cl.kmeans(X, 3, rng=np.random.default_rng(1))
    assert again.labels.equals(fit.labels) and again.inertia == fit.inertia
    assert fit.centers.loc[1, "a"] == pytest.approx(8.0, abs=0.3)
    assert (fit.predict(X) == fit.labels.to_numpy()).all()


def test_kmeans_warns_when_it_stops_early():
    X, _ = _blobs()
    with pytest.warns(ConvergenceWarning, match="max_iter = 1"):
        cl.kmeans(X, 3, rng=np.random.default_rng(0), max_iter=1, n_init=3)


def test_choose_k_prefers_three_blobs():
    X, _ = _blobs()
    out = cl.choose_k(X, range(2, 6), rng=np.random.default_rng(3), n_init=4, sample_size=None)
    assert out.attrs["best_k"] == 3 and out.loc[3, "best"]
    assert out["inertia"].is_monotonic_decreasing
    assert out.attrs["sample_size"] == len(X)
    same = cl.choose_k(X, range(2, 6), rng=np.random.default_rng(3), n_init=4, sample_size=None)
    pd.testing.assert_frame_equal(out, same)


def test_rfm_features_are_standardised_logs():
    tab = pd.DataFrame({"recency": [1.0, 5, 30], "frequency": [1, 2, 9], "monetary": [10.0, 20, 40]})
    f = cl.rfm_features(tab)
    assert f.mean().abs().max() < 1e-12 and f.std(ddof=0).tolist() == pytest.approx([1, 1, 1])
    z = np.log1p(tab["frequency"])
    assert f["frequency"].tolist() == pytest.approx(((z - z.mean()) / z.std(ddof=0)).tolist())


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: cl.kmeans(pd.DataFrame({"a": [1.0, np.nan, 2]}, index=[4, 5, 6]), 2, rng=np.random.default_rng(0)),
     ValueError, r"X column 'a' has NaN at row 5"),
    (lambda: cl.kmeans(np.array([[1.0], [np.inf]]), 1, rng=np.random.default_rng(0)), ValueError,
     r"X row 1, feature 0 is infinite"),
    (lambda: cl.kmeans(np.ones((3, 2)), 4, rng=np.random.default_rng(0)), ValueError, "k must be <= 3"),
    (lambda: cl.kmeans(np.ones((3, 2)), 2, rng=7), TypeError, "rng must be a numpy.random.Generator"),
    (lambda: cl.kmeans("abc", 2, rng=np.random.default_rng(0)), TypeError, "X must be a 2-D array"),
    (lambda: cl.silhouette(np.ones((3, 1)), [0, 0, 0]), ValueError, "single cluster"),
    (lambda: cl.silhouette(np.ones((3, 1)), [0, 1]), ValueError, "labels has 2 entries but X has 3 rows"),
    (lambda: cl.silhouette(np.ones((3, 1)), [0, 1, 1], sample_size=2), TypeError, "rng must be"),
    (lambda: cl.silhouette(np.zeros((20_001, 1)), np.arange(20_001) % 2), ValueError, "pass sample_size"),
    (lambda: cl.choose_k(np.ones((5, 1)), [], rng=np.random.default_rng(0)), ValueError, "ks is empty"),
    (lambda: cl.choose_k(np.ones((5, 1)), [1, 2], rng=np.random.default_rng(0)), ValueError, "ks entry must be >= 2"),
    (lambda: cl.adjusted_rand_index([1], [1]), ValueError, "at least 2"),
    (lambda: cl.adjusted_rand_index([1, 2, 3], [1, 2]), ValueError, "b has 2 entries but a has 3"),
    (lambda: cl.rfm_features(pd.DataFrame({"recency": [1.0, 1.0], "frequency": [1, 2], "monetary": [3.0, 4]})),
     ValueError, "column 'recency' is constant"),
    (lambda: cl.rfm_features(pd.DataFrame({"recency": [1.0, -1.0], "frequency": [1, 2], "monetary": [3.0, 4]})),
     ValueError, r"column 'recency' is negative at row 1"),
])
def test_bad_inputs_are_refused(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()
