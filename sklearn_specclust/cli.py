"""The ``specclust`` command line: cluster an image data set and report.

Examples::

    specclust run --dataset digits
    specclust run --model kmeans --dataset mnist --json
    specclust run --model kmeans --dataset mnist-all --rotate --drop-classes 9 --limit 5000
    specclust run --dataset ./my_images/ --n-clusters 4 --out labels.csv
    specclust run --model sanet --dataset mnist --limit 2000 --out labels.npy -v
    specclust list-models
"""

import argparse
import contextlib
import csv
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ._models import DEFAULT_MODEL, DEPRECATED_MODELS, MODELS, describe, get_model

PROG = "specclust"

# name -> (loader name, split)
_NAMED = {
    "digits": ("digits", None),
    "mnist": ("mnist", "test"),
    "mnist-test": ("mnist", "test"),
    "mnist-train": ("mnist", "train"),
    "mnist-all": ("mnist", "all"),
    "fashion-mnist": ("fashion-mnist", "test"),
    "fashion-mnist-test": ("fashion-mnist", "test"),
    "fashion-mnist-train": ("fashion-mnist", "train"),
    "fashion-mnist-all": ("fashion-mnist", "all"),
}


class CLIError(Exception):
    """A user error reported as one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # one line, no usage dump: the promise of the CLI for any user error
        self.exit(2, f"{PROG}: error: {message} (see '{PROG} --help')\n")


def _models_epilog():
    width = max(len(name) for name in MODELS)
    lines = ["models (--model):"]
    lines += [f"  {name:<{width}s}  {describe(name)}" for name in sorted(MODELS)]
    return "\n".join(lines)


def _build_parser():
    parser = _Parser(
        prog=PROG,
        description="Cluster images without labels and report ACC, NMI, ARI and F-score.",
        epilog=_models_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser(
        "list-models",
        help="list the models --model accepts",
        description="List the registered models.",
    )
    run = sub.add_parser(
        "run",
        help="cluster a data set and print the report",
        description=(
            "Cluster a data set. DATASET is one of: "
            + ", ".join(_NAMED)
            + " (MNIST and Fashion-MNIST default to the 10k test split), or a path "
            "to a .npy/.npz array (images under X, labels under y), an IDX file "
            "(plain or .gz) or a folder of same-size images (one sub-folder per "
            "class gives labels). Steps, in order: load, --drop-classes, --limit, "
            "--rotate, --occlude, fit_predict, report."
        ),
        epilog=_models_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--model", default=DEFAULT_MODEL,
                     choices=sorted(MODELS) + sorted(DEPRECATED_MODELS), metavar="MODEL",
                     help=f"registered model (default: {DEFAULT_MODEL}; see below)")
    run.add_argument("--dataset", default="digits", metavar="DATASET",
                     help="named data set or path (default: digits)")
    run.add_argument("--n-clusters", type=_int_or_auto, default=None, metavar="K",
                     help="number of clusters, or 'auto' to choose it without labels "
                          "(the default SA-Net's head; default: the number of classes)")
    run.add_argument("--random-state", type=int, default=0, metavar="SEED",
                     help="seed of the model, --limit subsets, --rotate, --occlude (default: 0)")
    run.add_argument("--drop-classes", default=None, metavar="C1,C2",
                     help="remove these classes first (e.g. 9 for rotated MNIST, as the INR paper)")
    run.add_argument("--limit", type=int, default=None, metavar="N",
                     help="use only N images, chosen by --subset")
    run.add_argument("--subset", choices=("first", "random", "stratified"), default="first",
                     help="which N images --limit keeps: the first N (default), a random "
                     "subset, or a class-stratified random subset (needs labels); seeded "
                     "by --random-state")
    run.add_argument("--rotate", action="store_true",
                     help="rotate every image by a random angle in [0, 2pi)")
    run.add_argument("--occlude", nargs="?", type=float, const=0.2, default=None,
                     metavar="FRACTION",
                     help="hide a block of FRACTION of each image (default 0.2) behind the "
                     "same block of an image of another class (SA-Net protocol)")
    run.add_argument("--out", default=None, metavar="PATH",
                     help="write the cluster label of every image to PATH: a CSV file "
                     "(index, cluster, class), or a NumPy int64 array when PATH ends "
                     "in .npy; checked for writability before anything is loaded")
    run.add_argument("--json", action="store_true",
                     help="print the report as one JSON object instead of text")
    run.add_argument("--data-home", default=None, metavar="DIR",
                     help="folder with mnist/ and fashion-mnist/ IDX files, and download target")
    run.add_argument("--no-download", action="store_true",
                     help="fail instead of downloading missing MNIST files")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    run.add_argument("-v", "--verbose", action="store_true",
                     help="also time every pipeline step as it runs and show the "
                     "estimators' own progress (epochs, loss, images/s), all on stderr")
    return parser


class _Progress:
    def __init__(self, quiet):
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, message):
        if not self.quiet:
            elapsed = time.perf_counter() - self.t0
            print(f"[{PROG} {elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)


def _check_out(path):
    """Refuse an ``--out`` that cannot be written, before any work is done."""
    path = Path(path)
    if path.is_dir():
        raise CLIError(f"--out {path} is a folder; give a file name such as "
                       f"{path / 'labels.csv'}")
    if path.suffix not in (".csv", ".npy", ".txt", ""):
        raise CLIError(f"--out {path}: write labels to a .csv or .npy file")
    folder = path.parent
    if not folder.is_dir():
        raise CLIError(f"--out {path}: the folder {folder} does not exist")
    try:
        # the honest test of writability (os.access is wrong for root, ACLs, ...);
        # a probe file, so that a fit that fails leaves no empty --out behind
        with tempfile.TemporaryFile(dir=folder):
            pass
        if path.exists():
            with open(path, "r+b"):
                pass
    except OSError as exc:
        raise CLIError(f"--out {path} cannot be written ({exc.strerror or exc})") from None


def _load(args, progress):
    from .datasets import (
        load_digits_images,
        load_fashion_mnist,
        load_images,
        load_mnist,
    )

    name = args.dataset
    if name in _NAMED:
        loader, split = _NAMED[name]
        progress(f"loading {name}" + (f" ({split} split)" if split else ""))
        if loader == "digits":
            return load_digits_images(return_X_y=True)
        load = load_mnist if loader == "mnist" else load_fashion_mnist
        return load(split, data_home=args.data_home, download=not args.no_download,
                    return_X_y=True)
    from pathlib import Path

    if not Path(name).exists():
        raise CLIError(
            f"dataset {name!r} is neither a known name ({', '.join(_NAMED)}) nor an "
            "existing file or folder"
        )
    progress(f"loading {name}")
    return load_images(name, return_X_y=True)


def _parse_classes(text, y):
    if y is None:
        raise CLIError("--drop-classes needs labels, and this data set has none")
    wanted = [t.strip() for t in text.split(",") if t.strip()]
    if y.dtype.kind in "iu":
        try:
            wanted = [int(t) for t in wanted]
        except ValueError:
            raise CLIError(f"--drop-classes {text!r}: labels are integers here") from None
    classes = np.unique(y).tolist()
    unknown = [c for c in wanted if c not in classes]
    if unknown or not wanted:
        named = ", ".join(map(str, unknown)) if unknown else repr(text)
        raise CLIError(
            f"--drop-classes {text!r}: no class {named} in this data set; its classes "
            f"are {', '.join(map(str, classes))}"
        )
    return wanted


def _subset(args, X, y):
    n = X.shape[0]
    if args.limit is None:
        return X, y
    if args.limit < 1:
        raise CLIError(f"--limit must be at least 1, got {args.limit}")
    if args.limit >= n:
        return X, y
    if args.subset == "first":
        idx = np.arange(args.limit)
    elif args.subset == "random":
        rng = np.random.RandomState(args.random_state)
        idx = np.sort(rng.choice(n, size=args.limit, replace=False))
    else:
        if y is None:
            raise CLIError("--subset stratified needs labels, and this data set has none")
        from sklearn.model_selection import train_test_split

        try:
            idx, _ = train_test_split(np.arange(n), train_size=args.limit, stratify=y,
                                      random_state=args.random_state)
        except ValueError as exc:
            raise CLIError(f"--subset stratified --limit {args.limit}: {exc}") from None
        idx = np.sort(idx)
    return X[idx], (None if y is None else y[idx])


def _int_or_auto(text):
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or 'auto', got {text!r}") from None


def _n_clusters(args, X, y):
    """The number of clusters, refused when the images cannot give that many."""
    if args.n_clusters is None:
        if y is None:
            raise CLIError("this data set has no labels: give --n-clusters")
        n_clusters = int(np.unique(y).shape[0])
    else:
        n_clusters = args.n_clusters
    if n_clusters == "auto":
        return n_clusters
    if n_clusters < 1:
        raise CLIError(f"--n-clusters must be at least 1, got {n_clusters}")
    if n_clusters > X.shape[0]:
        raise CLIError(f"--n-clusters {n_clusters} is more than the {X.shape[0]} images; "
                       "lower --n-clusters or raise --limit")
    return n_clusters


def _prepare(args, X, y, progress):
    """Drop classes, subset, check the cluster count, then rotate and occlude."""
    if args.drop_classes is not None:
        drop = _parse_classes(args.drop_classes, y)
        keep = ~np.isin(y, drop)
        X, y = X[keep], y[keep]
        if X.shape[0] == 0:
            raise CLIError(f"--drop-classes {args.drop_classes} removes every image")
    X, y = _subset(args, X, y)
    X = np.asarray(X)
    if y is not None:
        y = np.asarray(y)
    n_clusters = _n_clusters(args, X, y)
    if args.rotate:
        from .datasets import make_rotated

        progress(f"rotating {X.shape[0]} images")
        X, _ = make_rotated(X, random_state=args.random_state)
    if args.occlude is not None:
        from .datasets import make_occluded

        progress(f"occluding {args.occlude:.0%} of each of {X.shape[0]} images")
        y_occ = y if y is not None and np.unique(y).shape[0] > 1 else None
        X = make_occluded(X, args.occlude, y=y_occ, random_state=args.random_state)
    return X, y, n_clusters


def _write_labels(path, labels, y):
    if Path(path).suffix == ".npy":
        np.save(path, labels.astype(np.int64))
        return
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["index", "cluster"] + ([] if y is None else ["class"]))
        for i, lab in enumerate(labels.tolist()):
            writer.writerow([i, lab] + ([] if y is None else [y[i].item()]))


def _timed_steps(model, progress, prefix=""):
    """Wrap the fit methods of every step of ``model`` (a Pipeline, nested or
    not) in place so that each reports its start and duration; returns the
    list of wrapped ``(estimator, method name)`` for :func:`_unwrap`."""
    from sklearn.pipeline import Pipeline

    wrapped = []
    if not isinstance(model, Pipeline):
        return wrapped
    steps = [(n, s) for n, s in model.steps if s is not None and s != "passthrough"]
    for i, (name, step) in enumerate(steps, 1):
        label = f"{prefix}{name} ({i}/{len(steps)}, {type(step).__name__})"
        if isinstance(step, Pipeline):
            wrapped += _timed_steps(step, progress, prefix=f"{prefix}{name}/")
            continue
        busy = []  # the step's outermost timed call; the calls it makes are not timed
        for method in ("fit_transform", "fit_predict", "fit"):
            if method in vars(step) or not hasattr(step, method):
                continue
            setattr(step, method, _timing(getattr(step, method), label, method, progress, busy))
            wrapped.append((step, method))
    return wrapped


def _timing(bound, label, method, progress, busy):
    def timed(*args, **kwargs):
        if busy:
            return bound(*args, **kwargs)
        busy.append(method)
        progress(f"  {label}: {method} ...")
        t0 = time.perf_counter()
        try:
            result = bound(*args, **kwargs)
        finally:
            busy.pop()
        shape = getattr(result, "shape", None)
        out = f" -> {shape}" if shape is not None and method != "fit_predict" else ""
        progress(f"  {label}: {method} done in {time.perf_counter() - t0:.2f} s{out}")
        return result

    return timed


def _fit_predict(model, X, args, progress):
    """``model.fit_predict(X)``; with ``--verbose`` every step is timed and the
    estimators' own progress (printed on stdout) goes to stderr."""
    if not args.verbose:
        return np.asarray(model.fit_predict(X))
    from sklearn.base import BaseEstimator
    from sklearn.pipeline import Pipeline

    # our estimators' own progress; pipelines are timed step by step below
    for est in [model, *model.get_params().values()]:
        if (isinstance(est, BaseEstimator) and not isinstance(est, Pipeline)
                and "verbose" in est.get_params(deep=False)
                and type(est).__module__.startswith("sklearn_specclust")):
            est.set_params(verbose=1)
    wrapped = _timed_steps(model, progress)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            return np.asarray(model.fit_predict(X))
    finally:
        for step, method in wrapped:
            delattr(step, method)


def _run(args):
    progress = _Progress(args.quiet or (args.json and not args.verbose))
    if not args.quiet:
        logging.basicConfig(level=logging.INFO, format=f"[{PROG}] %(message)s")
    if args.out:
        _check_out(args.out)
    X, y = _load(args, progress)
    X, y, n_clusters = _prepare(args, X, y, progress)

    model = get_model(
        args.model,
        n_clusters=n_clusters,
        random_state=args.random_state,
        image_shape=X.shape[1:],
    )
    progress(f"fitting {args.model} (k={n_clusters}) on {X.shape[0]} images of shape "
             f"{X.shape[1:]}")
    t0 = time.perf_counter()
    labels = _fit_predict(model, X, args, progress)
    elapsed = time.perf_counter() - t0
    progress(f"done in {elapsed:.2f} s")

    if args.out:
        _write_labels(args.out, labels, y)
        progress(f"labels written to {args.out}")

    if n_clusters == "auto":
        last = model.steps[-1][1] if hasattr(model, "steps") else model
        n_clusters = f"auto ({getattr(last, 'n_clusters_', len(np.unique(labels)))})"
    header = (f"model={args.model} dataset={args.dataset} n_samples={X.shape[0]} "
              f"n_clusters={n_clusters}")
    extras = [name for name, on in (("rotated", args.rotate),
                                    ("occluded", args.occlude is not None)) if on]
    if extras:
        header += " (" + ", ".join(extras) + ")"
    result = {
        "model": args.model,
        "dataset": args.dataset,
        "n_samples": int(X.shape[0]),
        "n_clusters": n_clusters,
        "rotate": bool(args.rotate),
        "occlude": args.occlude,
        "random_state": args.random_state,
        "time_s": round(elapsed, 4),
    }
    if y is not None:
        from .metrics import clustering_report

        report = clustering_report(y, labels)
        result.update(
            acc=report.acc, nmi=report.nmi, ari=report.ari, fs=report.fs,
            classes=report.classes.tolist(), clusters=report.clusters.tolist(),
            confusion_matrix=report.confusion_matrix.tolist(),
        )
        text = report.text
    else:
        clusters, counts = np.unique(labels, return_counts=True)
        result["cluster_sizes"] = {str(c): int(k) for c, k in zip(clusters.tolist(), counts)}
        text = "no labels: cluster sizes " + ", ".join(
            f"{c}:{k}" for c, k in result["cluster_sizes"].items())
    if args.json:
        print(json.dumps(result))
    else:
        print(header)
        print(text)
        print(f"time {elapsed:.2f} s (fit_predict)")
    return 0


def main(argv=None):
    """Run the ``specclust`` command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success, 2 on a user error (reported as one line on stderr).
    """
    args = _build_parser().parse_args(argv)
    if args.command == "list-models":
        print(_models_epilog())
        return 0
    try:
        return _run(args)
    except (CLIError, FileNotFoundError, ValueError, OSError, MemoryError, ImportError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
