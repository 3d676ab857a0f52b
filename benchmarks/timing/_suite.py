"""A quick timing suite of the spectral engine, each case beside scikit-learn.

Every case fits one :class:`~sklearn_specclust.spectral.SpectralAnalysisLayer`
procedure (one graph, one Laplacian, one solver) on the same images and, where
scikit-learn has the same computation, its
:class:`~sklearn.manifold.SpectralEmbedding` on the same graph; the table
gives the best of ``--repeat`` wall times, the ratio to scikit-learn, and the
k-means accuracy of each embedding (a timing that got faster by getting
wrong shows up there). A last case times the out-of-sample ``transform`` of
as many unseen images.

Run from the repository root (a minute or two on 2,000 images)::

    OMP_NUM_THREADS=1 python -m benchmarks.timing --n 2000 \\
        --out benchmarks/results/timing_engine.md

``--data digits`` uses scikit-learn's bundled 8x8 digits instead of MNIST
(no data folder needed).

Why a runner of our own and not asv: asv builds one environment per commit
it measures (a package build and dependency install each time, from the
network) and keeps its results as JSON beside the repository; our machines
have no network and two shared cores, and our results live as Markdown
files that the documentation renders. This runner measures ours and
scikit-learn's side by side in one process (the ratio is what carries over
between machines), stamps the file with the commit, versions, machine and
load (:mod:`benchmarks._common`), and comparing two commits is running it
in two checkouts and reading the two files.
"""

import argparse
import time

import numpy as np

from benchmarks._common import Report, accuracy, load

#: (name, layer parameters, scikit-learn reference) of each case. The layer
#: runs one procedure with 10 eigenvectors and the trivial one dropped, like
#: ``SpectralEmbedding(n_components=10)``.
CASES = (
    ("kNN k=10, L_rw, Lanczos", dict(n_neighbors=10, sparse_solver="lanczos"),
     dict(affinity="nearest_neighbors", n_neighbors=10, eigen_solver="arpack")),
    ("kNN k=10, L_rw, LOBPCG + AMG", dict(n_neighbors=10, sparse_solver="amg"),
     dict(affinity="nearest_neighbors", n_neighbors=10, eigen_solver="amg")),
    ("eps = 1 x MST edge, L_rw, Lanczos",
     dict(n_neighbors=(), eps_scales=(1.0,), sparse_solver="lanczos"), None),
    ("Gaussian, self-tuning scales, exact", dict(n_neighbors=(), gaussian_scales=("self-tuning",),
                                                dense_solver="exact"), None),
    ("Gaussian, self-tuning scales, Nystrom (500 landmarks)",
     dict(n_neighbors=(), gaussian_scales=("self-tuning",), dense_solver="nystrom",
          n_landmarks=500),
     None),
)


def _images(data, n):
    if data == "digits":
        from sklearn_specclust.datasets import load_digits_images

        X, y = load_digits_images(return_X_y=True)
        X = X / 16.0
    else:
        X, y = load("mnist", "test")
        X = X / 255.0
    X = X.reshape(len(X), -1).astype(np.float32)
    if 2 * n > len(X):
        raise ValueError(f"--n {n} needs {2 * n} images; {data} has {len(X)}.")
    return X[:n], y[:n], X[n : 2 * n], y[n : 2 * n]


def _layer(params, seed):
    from sklearn_specclust.spectral import SpectralAnalysisLayer

    base = dict(n_neighbors=(), eps_scales=(), gaussian_scales=(), laplacians="rw",
                n_components=10, drop_first=True, max_nodes=None, random_state=seed)
    return SpectralAnalysisLayer(**{**base, **params})


def _best(fit, repeat):
    """(best wall seconds over ``repeat`` runs, output of the last run)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fit()
        best = min(best, time.perf_counter() - t)
    return best, out


def _acc(y, E, seed):
    from sklearn.cluster import KMeans

    return accuracy(y, KMeans(10, n_init=10, random_state=seed).fit_predict(E))


def run(data="mnist", n=2000, repeat=3, seed=0, out=None):
    """Time every case, print the table and write it to ``out``."""
    from sklearn.manifold import SpectralEmbedding

    X, y, X_new, y_new = _images(data, n)
    rep = Report(f"Spectral engine timing suite ({data}, {n} images)",
                 f"best of {repeat} runs; compare within this table (the ratio column)")
    rep.emit("| case | ours s | scikit-learn s | ours / scikit-learn | ACC ours | "
             "ACC scikit-learn |")
    rep.emit("| --- | ---: | ---: | ---: | ---: | ---: |")
    fitted = None
    for name, params, reference in CASES:
        ours, E = _best(lambda p=params: _layer(p, seed).fit_transform(X), repeat)
        if fitted is None:
            fitted = _layer(params, seed).fit(X)
        if reference is None:
            theirs, ratio, acc_ref = "-", "-", "-"
        else:
            est = SpectralEmbedding(n_components=10, random_state=seed, **reference)
            sec, E_ref = _best(lambda e=est: e.fit_transform(X), repeat)
            theirs, ratio = f"{sec:.2f}", f"{ours / sec:.2f}"
            acc_ref = f"{_acc(y, E_ref, seed):.3f}"
        rep.emit(f"| {name} | {ours:.2f} | {theirs} | {ratio} | {_acc(y, E, seed):.3f} "
                 f"| {acc_ref} |")
    sec, E_new = _best(lambda: fitted.transform(X_new), repeat)
    rep.emit(f"| out of sample: transform {len(X_new)} unseen images ({CASES[0][0]}) "
             f"| {sec:.2f} | - | - | {_acc(y_new, E_new, seed):.3f} | - |")
    rep.emit()
    rep.emit("scikit-learn has no out-of-sample extension for SpectralEmbedding and no "
             "eps-MST or self-tuning graph, hence the empty cells.")
    rep.save(out)
    return rep.lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", choices=["mnist", "digits"], default="mnist")
    ap.add_argument("--n", type=int, default=2000, help="images fitted (as many transformed)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    run(args.data, args.n, args.repeat, args.seed, args.out)
