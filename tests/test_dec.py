"""DEC on fixed features."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

pytest.importorskip("torch")

from sklearn_specclust.inr import DEC  # noqa: E402


@pytest.mark.parametrize("alpha", [1.0, 1e-4])
def test_dec_finds_blobs(alpha):
    X, y = make_blobs(200, centers=4, cluster_std=0.6, random_state=0)
    dec = DEC(4, alpha=alpha, random_state=0).fit(X)
    assert adjusted_rand_score(y, dec.labels_) > 0.95
    assert dec.cluster_centers_.shape == (4, 2)
    np.testing.assert_array_equal(dec.predict(X), dec.labels_)
    q = dec.predict_proba(X)
    assert np.all(np.isfinite(q))
    np.testing.assert_allclose(q.sum(axis=1), 1.0)
    assert dec.n_iter_ < dec.max_iter  # stopped on tol


def test_dec_moves_centres_and_sharpens():
    X, _ = make_blobs(300, centers=3, cluster_std=2.0, random_state=1)
    dec = DEC(3, random_state=0, tol=0.0, max_iter=300).fit(X)
    km = DEC(3, random_state=0, max_iter=0).fit(X)  # k-means initialisation only
    assert not np.allclose(dec.cluster_centers_, km.cluster_centers_)
    sharp = lambda q: np.mean(np.max(q, axis=1))  # noqa: E731
    assert sharp(dec.predict_proba(X)) > sharp(km.predict_proba(X))


def test_dec_deterministic_and_pickles():
    X, _ = make_blobs(100, centers=3, random_state=2)
    a = DEC(3, random_state=5).fit(X)
    b = DEC(3, random_state=5).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.predict_proba(X), a.predict_proba(X))


def test_dec_errors():
    X = np.random.RandomState(0).rand(5, 2)
    with pytest.raises(ValueError, match="n_samples=5 should be >= n_clusters=8"):
        DEC().fit(X)
    with pytest.raises(ValueError, match="NaN"):
        DEC(2).fit(np.array([[0.0, np.nan], [1.0, 1.0], [2.0, 2.0]]))
    dec = DEC(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="features"):
        dec.predict(np.zeros((2, 3)))


def test_dec_given_centres():
    X, y = make_blobs(200, centers=3, cluster_std=0.5, random_state=0)
    means = np.stack([X[y == j].mean(axis=0) for j in range(3)])
    dec = DEC(3, init=means, max_iter=0, random_state=0).fit(X)
    np.testing.assert_allclose(dec.cluster_centers_, means)
    np.testing.assert_array_equal(dec.labels_, y)
    with pytest.raises(ValueError, match=r"init has shape \(3, 2\), expected"):
        DEC(4, init=means).fit(X)
    with pytest.raises(ValueError, match="init"):
        DEC(3, init="random").fit(X)


def test_dec_warns_when_the_kernel_cannot_separate_tiny_features():
    from sklearn.exceptions import ConvergenceWarning

    X, _ = make_blobs(120, centers=3, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"distinct clusters \(1\) found smaller "
                      r"than n_clusters \(3\).*standardise the features"):
        labels = DEC(3, random_state=0).fit(X * 1e-30).labels_
    assert len(set(labels)) == 1
    # the same blobs at unit scale: no warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        DEC(3, random_state=0).fit(X)


def test_dec_verbose(capsys):
    X, _ = make_blobs(100, centers=3, random_state=0)
    DEC(3, random_state=0, verbose=1, update_interval=10, tol=0.0, max_iter=30).fit(X)
    lines = [line for line in capsys.readouterr().out.splitlines() if "DEC step" in line]
    assert len(lines) == 2 and "loss" in lines[0] and "points/s" in lines[0]


def test_dec_interrupted_fit_leaves_it_unfitted(monkeypatch):
    import torch
    from sklearn.exceptions import NotFittedError

    X, _ = make_blobs(100, centers=3, random_state=0)
    real, calls = torch.optim.Adam.step, []

    def step(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", step)
    dec = DEC(3, random_state=0)
    with pytest.raises(KeyboardInterrupt):
        dec.fit(X)
    assert len(calls) == 5
    with pytest.raises(NotFittedError):
        dec.predict(X)
