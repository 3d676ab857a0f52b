"""What the default calls give: defaults beside the paper presets and scikit-learn.

For each data set (MNIST test, Fashion-MNIST test, the bundled 8x8 digits,
rotated MNIST without 9, rotated Fashion-MNIST) and each method, one fit in a
fresh process: ACC, NMI, fit_predict time and the process's peak resident
memory. Methods:

- ``make_sanet(k)``: the SA-Net default;
- ``make_sanet(k, depth=2, head="kmeans")``: the deeper normalised network;
- the paper's network for the data (``"wang2020-mnist"``, ``"wang2020-mnist-8x8"``
  or ``"wang2020-natural"``);
- ``make_rotinv_inr(k)``: the rotation-invariant default (rotated sets);
- ``make_rotinv_inr(k, preset="kwon-thesis")`` for ``--thesis-epochs`` epochs
  (rotated sets; the thesis trains far longer);
- scikit-learn ``KMeans`` and ``SpectralClustering`` (kNN graph, k=10) on the
  pixels scaled to [0, 1].

The README and the user guide quote the table this writes
(``benchmarks/results/defaults.md``).

Run (about an hour at 10,000 images on an idle 2-core machine)::

    PYTHONPATH=. python -m benchmarks.studies.defaults --n 10000 \\
        --out benchmarks/results/defaults.md

and on all 70,000 MNIST images (the paper's Table 2 data)::

    PYTHONPATH=. python -m benchmarks.studies.defaults --n 70000 --datasets mnist-all \\
        --out benchmarks/results/defaults_mnist_70k.md
"""

import argparse
import multiprocessing
import resource
import time
import warnings

import numpy as np

from benchmarks._common import Report

DATASETS = ("mnist", "fashion", "digits", "rotated-mnist", "rotated-fashion", "mnist-all")


def load(name, n, seed):
    """Images and labels of data set ``name`` (first ``n`` test images).

    ``"mnist-all"`` is the first ``n`` of all 70,000 MNIST images (training
    then test), the data of the paper's Table 2.
    """
    from sklearn_specclust.datasets import (
        load_digits_images,
        load_fashion_mnist,
        load_mnist,
        make_rotated,
    )

    if name == "digits":
        return load_digits_images(return_X_y=True)
    loader = load_mnist if "mnist" in name and "fashion" not in name else load_fashion_mnist
    X, y = loader("all" if name.endswith("-all") else "test", return_X_y=True)
    if name.startswith("rotated"):
        drop = (9,) if name.endswith("mnist") else None
        X, y, _ = make_rotated(X, y, random_state=seed, drop_classes=drop)
    X = (X[:n] / 255.0).astype(np.float32) if X.max() > 1 else X[:n].astype(np.float32)
    return X, y[:n]


def methods(name, thesis_epochs):
    """(label, factory name, keyword arguments) of the methods run on ``name``."""
    rows = [("make_sanet(k) [default]", "make_sanet", {})]
    paper = {"mnist": "wang2020-mnist", "fashion": "wang2020-natural",
             "digits": "wang2020-mnist-8x8", "mnist-all": "wang2020-mnist"}.get(name)
    if name in ("mnist", "fashion"):
        rows.append(("make_sanet(k, depth=2, head='kmeans')", "make_sanet",
                     dict(depth=2, head="kmeans")))
    if paper:
        rows.append((f"make_sanet(k, preset='{paper}') [paper]", "make_sanet",
                     dict(preset=paper)))
    if name.startswith("rotated"):
        rows.append(("make_rotinv_inr(k) [default]", "make_rotinv_inr", {}))
        rows.append((f"make_rotinv_inr(k, preset='kwon-thesis'), {thesis_epochs} epochs "
                     "[thesis]", "make_rotinv_inr",
                     dict(preset="kwon-thesis", max_epochs=thesis_epochs)))
    rows.append(("scikit-learn KMeans", "make_kmeans", {}))
    rows.append(("scikit-learn SpectralClustering", "make_spectral", {}))
    return rows


def _factory(name):
    from sklearn_specclust import _models
    from sklearn_specclust.inr import make_rotinv_inr
    from sklearn_specclust.sanet import make_sanet

    return {"make_sanet": make_sanet, "make_rotinv_inr": make_rotinv_inr,
            "make_kmeans": _models.make_kmeans, "make_spectral": _models.make_spectral}[name]


def run_one(job):
    """Fit one method on one data set in this (fresh) process."""
    name, n, seed, factory, kwargs = job
    from sklearn_specclust.metrics import clustering_report

    X, y = load(name, n, seed)
    model = _factory(factory)(len(np.unique(y)), random_state=seed, **kwargs)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = model.fit_predict(X)
    seconds = time.perf_counter() - t0
    report = clustering_report(y, labels)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # GiB (Linux: KiB)
    return report.acc, report.nmi, seconds, peak, len(X)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="images per data set")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--thesis-epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    rep = Report("Default calls against the paper presets and scikit-learn",
                 "each row one fit in a fresh process")
    ctx = multiprocessing.get_context("spawn")
    for name in args.datasets:
        rep.emit(f"## {name}")
        rep.emit()
        rep.emit("| method | n | ACC | NMI | fit_predict s | peak RSS GiB |")
        rep.emit("| --- | --- | --- | --- | --- | --- |")
        for label, factory, kwargs in methods(name, args.thesis_epochs):
            job = (name, args.n, args.seed, factory, kwargs)
            with ctx.Pool(1, maxtasksperchild=1) as pool:
                acc, nmi, seconds, peak, n = pool.apply(run_one, (job,))
            rep.emit(f"| {label} | {n} | {acc:.3f} | {nmi:.3f} | {seconds:.1f} | {peak:.2f} |")
        rep.emit()
        rep.save(args.out)  # after every data set: a long run keeps what it measured


if __name__ == "__main__":
    main()
