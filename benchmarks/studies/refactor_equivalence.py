"""Do the spectral estimators give the same outputs before and after a refactor?

Fits every estimator built on the spectral core (SC-ST dense and kNN, SC-LS,
the orbit clusterer, the SA-Net spectral head, the spectral analysis layer)
and the two default factories (``make_sanet()`` on the bundled digits,
``make_rotinv_inr()`` on a small rotated MNIST slice) on fixed small data,
and stores their labels, embeddings and ``predict`` outputs. Run it with
``--save`` on the code before a change and with ``--compare`` on the code
after it: each output is reported as bit-identical, equal within a float
tolerance (embeddings also up to the sign of each column, which an
eigensolver may choose either way), or changed (with the largest difference,
or the share of labels that moved and the adjusted Rand index).

Run::

    export SPECCLUST_DATA=/path/to/data
    OMP_NUM_THREADS=1 python -m benchmarks.studies.refactor_equivalence \
        --save "$TMPDIR/before.npz"        # outside the checkout; never commit it
    # ... change the code ...
    OMP_NUM_THREADS=1 python -m benchmarks.studies.refactor_equivalence \
        --compare "$TMPDIR/before.npz" --out benchmarks/results/refactor_equivalence.md
"""

import argparse
import warnings

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from benchmarks._common import Report, git_commit, load_rotated

#: float outputs within this relative tolerance (of the array's largest
#: magnitude) count as unchanged
RTOL = 1e-6


def _data():
    from sklearn_specclust.datasets import load_digits_images

    X_blobs, _ = make_blobs(400, centers=5, n_features=6, random_state=0)
    images, _ = load_digits_images(return_X_y=True)
    digits = images.reshape(len(images), -1).astype(np.float64)
    rotated, _ = load_rotated("mnist", 400, seed=0)
    return {"blobs": X_blobs, "digits": digits, "digits_images": images,
            "rotated": rotated}


def _clusterer_cases():
    from sklearn_specclust.cluster import LandmarkSpectralClustering as LSC
    from sklearn_specclust.cluster import SelfTuningSpectralClustering as STSC
    from sklearn_specclust.inr import OrbitSpectralClustering as Orbit
    from sklearn_specclust.sanet import SpectralHead

    return {
        "stsc_dense_blobs": (STSC(5, random_state=0), "blobs"),
        "stsc_knn_blobs": (STSC(5, affinity="knn", random_state=0), "blobs"),
        "stsc_dense_digits": (STSC(10, random_state=0), "digits"),
        "stsc_knn_digits": (STSC(10, affinity="knn", random_state=0), "digits"),
        "stsc_auto_blobs": (STSC("auto", max_n_clusters=7, affinity="knn",
                                 random_state=0), "blobs"),
        "lsc_blobs": (LSC(5, n_landmarks=60, random_state=0), "blobs"),
        "lsc_digits": (LSC(10, n_landmarks=200, random_state=0), "digits"),
        "lsc_plain_digits": (LSC(10, n_landmarks=200, normalize_embedding=False,
                                 landmark_selection="random", random_state=0), "digits"),
        "lsc_auto_blobs": (LSC("auto", n_landmarks=60, max_n_clusters=7,
                               random_state=0), "blobs"),
        "orbit_blobs": (Orbit(5, random_state=0), "blobs"),
        "orbit_digits": (Orbit(10, n_neighbors=10, n_components=None,
                               random_state=0), "digits"),
        "head_blobs": (SpectralHead(5, random_state=0), "blobs"),
        "head_digits": (SpectralHead(10, n_components=15, random_state=0), "digits"),
    }


def _fit_clusterers(data, out):
    for name, (est, key) in _clusterer_cases().items():
        X = data[key]
        train, test = X[::2], X[1::2]
        est.fit(train)
        out[f"{name}/labels"] = est.labels_
        out[f"{name}/predict"] = est.predict(test)
        emb = est.embedding_
        if hasattr(emb, "transform"):  # SpectralHead keeps its layer
            emb = emb.transform(train)[:, : est.n_components_]
        out[f"{name}/embedding"] = np.asarray(emb, dtype=np.float64)
        print(name, "done", flush=True)


def _fit_pipelines(data, out):
    from sklearn_specclust.inr import make_rotinv_inr
    from sklearn_specclust.sanet import make_sanet
    from sklearn_specclust.spectral import SpectralAnalysisLayer

    images = data["digits_images"][:600]
    sanet = make_sanet(10, random_state=0)
    out["make_sanet_digits/labels"] = sanet.fit_predict(images[:400])
    out["make_sanet_digits/predict"] = sanet.predict(images[400:])
    print("make_sanet done", flush=True)

    rotated = data["rotated"]
    inr = make_rotinv_inr(8, random_state=0)
    out["make_rotinv_inr_mnist/labels"] = inr.fit_predict(rotated[:300])
    out["make_rotinv_inr_mnist/predict"] = inr.predict(rotated[300:])
    print("make_rotinv_inr done", flush=True)

    layer = SpectralAnalysisLayer(random_state=0)
    digits = data["digits"][:500]
    out["layer_digits/fit_transform"] = layer.fit_transform(digits[:300])
    out["layer_digits/transform"] = layer.transform(digits[300:])


def collect():
    """Every output, by ``"case/output"`` name."""
    data = _data()
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _fit_clusterers(data, out)
        _fit_pipelines(data, out)
    return out


def _subspace_angle(a, b):
    """Largest principal angle between the column spaces of ``a`` and ``b``.

    Eigenvectors of a repeated eigenvalue (a graph with several connected
    components) are any basis of their eigenspace: two solvers may return
    different columns that span the same space.
    """
    from scipy.linalg import subspace_angles

    return float(np.max(subspace_angles(a, b)))


def _compare_one(name, a, b):
    """One table row: name, verdict, detail."""
    if a.shape != b.shape:
        return name, "changed", f"shape {a.shape} -> {b.shape}"
    if np.array_equal(a, b):
        return name, "bit-identical", ""
    if np.issubdtype(a.dtype, np.integer):
        moved = float(np.mean(a != b))
        ari = adjusted_rand_score(a.ravel(), b.ravel())
        verdict = "same partition" if ari == 1.0 else "changed"
        return name, verdict, f"{moved:.2%} of labels differ, ARI {ari:.4f}"
    scale = max(float(np.max(np.abs(a))), 1e-300)
    diff = float(np.max(np.abs(a - b))) / scale
    if a.ndim == 2 and diff > RTOL:
        signs = np.sign(np.sum(a * b, axis=0))
        signs[signs == 0] = 1
        signed = float(np.max(np.abs(a - b * signs))) / scale
        if signed <= RTOL:
            return (name, "equal up to column signs",
                    f"max rel. diff {diff:.1e}, {signed:.1e} up to signs")
        angle = _subspace_angle(a, b)
        verdict = "same column space" if angle <= np.sqrt(RTOL) else "changed"
        return name, verdict, (f"max rel. diff {diff:.1e} ({signed:.1e} up to signs); "
                               f"largest principal angle {angle:.1e} rad")
    verdict = "equal within tolerance" if diff <= RTOL else "changed"
    return name, verdict, f"max rel. diff {diff:.1e}"


def compare(before, after, report):
    """Write the comparison table of two output dicts to ``report``."""
    report.emit(f"Float tolerance: {RTOL:g} of the array's largest magnitude.")
    report.emit()
    report.emit("| output | verdict | detail |")
    report.emit("| --- | --- | --- |")
    counts = {}
    for name in sorted(set(before) | set(after)):
        if name not in before or name not in after:
            row = (name, "missing", "before" if name not in before else "after")
        else:
            row = _compare_one(name, np.asarray(before[name]), np.asarray(after[name]))
        counts[row[1]] = counts.get(row[1], 0) + 1
        report.emit("| " + " | ".join(row) + " |")
    report.emit()
    report.emit("Totals: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    report.emit()
    report.emit(
        "Verdicts: *bit-identical*: the same bytes. *equal within tolerance*: the "
        "largest difference is at most the tolerance. *equal up to column signs*: "
        "so after flipping columns (an eigenvector's sign is arbitrary). *same "
        "column space*: the columns differ but span the same space (principal "
        "angles below the square root of the tolerance): eigenvectors of a "
        "repeated eigenvalue, e.g. of a graph with several connected components, "
        "are any basis of their eigenspace, and two solvers, or one solver "
        "ordering tied eigenvalues differently, return different bases. "
        "*same partition*: labels renamed only. *changed*: none of these."
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", metavar="FILE.npz", help="store the outputs here")
    parser.add_argument("--compare", metavar="FILE.npz",
                        help="compare the outputs with those stored here")
    parser.add_argument("--out", help="write the comparison table (Markdown) here")
    args = parser.parse_args(argv)
    if not (args.save or args.compare):
        parser.error("give --save FILE.npz or --compare FILE.npz")
    outputs = collect()
    if args.save:
        np.savez_compressed(args.save, __commit__=np.array(git_commit()), **outputs)
        print(f"saved {len(outputs)} outputs to {args.save}")
    if args.compare:
        with np.load(args.compare) as stored:
            before = {k: stored[k] for k in stored.files}
        commit = str(before.pop("__commit__", "not recorded"))
        report = Report("Spectral core refactor: outputs before and after",
                        "no timings; outputs only")
        report.emit(f"Outputs before: commit {commit}; after: the commit above.")
        report.emit()
        compare(before, outputs, report)
        report.save(args.out)


if __name__ == "__main__":
    main()
