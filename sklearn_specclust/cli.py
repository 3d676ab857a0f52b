"""The ``specclust`` command line (first version; datasets and reports to come)."""

import argparse
import sys
import time

from ._models import MODELS, get_model


def _build_parser():
    parser = argparse.ArgumentParser(prog="specclust", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="cluster a data set and report")
    run.add_argument("--model", default="kmeans", choices=sorted(MODELS))
    run.add_argument("--dataset", default="digits")
    run.add_argument("--n-clusters", type=int, default=None)
    run.add_argument("--random-state", type=int, default=0)
    return parser


def main(argv=None):
    args = _build_parser().parse_args(argv)
    from sklearn.datasets import load_digits
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    X, y = load_digits(return_X_y=True)
    k = args.n_clusters or 10
    t0 = time.perf_counter()
    labels = get_model(args.model, n_clusters=k, random_state=args.random_state).fit_predict(X)
    dt = time.perf_counter() - t0
    print(f"NMI {normalized_mutual_info_score(y, labels):.4f}")
    print(f"ARI {adjusted_rand_score(y, labels):.4f}")
    print(f"time {dt:.2f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
