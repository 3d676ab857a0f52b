"""The default rotation-invariant pipeline on images whose ground is not zero.

``make_rotinv_inr(k)`` measures each image's orientation from the moments of
its intensity and rotates it to that orientation (``CanonicalViews``). With
the ground taken as zero, a white or grey ground weighs in the moments as
much as the shape does. ``CanonicalViews(background="border")`` subtracts
each image's border level first. This study clusters rotated test images
with ``views__background`` set to ``None`` and to ``"border"`` (and
``views__contrast=None``, the only behaviour when this study was run), on the
three versions of ``benchmarks.studies.sanet_padding`` applied after the
rotation (``clean``; ``inverted``: ``1 - X``, whose corners, zero after the
rotation, turn white like the rest of the ground; ``background``: a
contrast and a ground level per image):

* ``mnist``: the 8,991 rotated MNIST test images without 9 that
  ``benchmarks.reproduce.rotinv_thesis_training`` scores (k = 9);
* ``fashion``: the first ``--n`` Fashion-MNIST test images, each rotated by
  a uniform angle (seed 1, k = 10).

Usage::

    python -m benchmarks.studies.rotinv_background --seeds 0 --out FILE
"""

import argparse

import numpy as np

from benchmarks._common import Report, accuracy, load, timed_fit_predict
from benchmarks.reproduce.rotinv_thesis_training import load_rotated_test
from benchmarks.studies.sanet_padding import CONDITIONS, condition

MODES = (None, "border")


def rotated(name, n):
    """Rotated test images in [0, 1], labels and the number of clusters."""
    if name == "mnist":
        X, y = load_rotated_test(1)
        return X, y, 9
    from sklearn_specclust.datasets import make_rotated

    X, y = load(name, "test")
    Xr, yr, _ = make_rotated((X[:n] / 255.0).astype(np.float32), y[:n], random_state=1)
    return np.clip(Xr, 0, 1).astype(np.float32), yr, 10


def main(argv=None):
    from sklearn_specclust import make_rotinv_inr

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="+", default=["mnist", "fashion"],
                   choices=("mnist", "fashion"))
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)

    rep = Report("The rotation default on images whose ground is not zero",
                 "one process, the two settings alternating")
    rep.emit("| data | condition | seed | background=None ACC | background='border' ACC "
             "| None s | 'border' s |")
    rep.emit("| --- | --- | --- | --- | --- | --- | --- |")
    for name in args.datasets:
        X0, y, k = rotated(name, args.n)
        for cond in CONDITIONS[:3]:
            X = condition(X0, cond)
            for seed in args.seeds:
                accs, secs = [], []
                for mode in MODES:
                    net = make_rotinv_inr(k, random_state=seed)
                    net.set_params(views__background=mode, views__contrast=None)
                    labels, sec = timed_fit_predict(net, X)
                    secs.append(sec)
                    accs.append(accuracy(y, labels))
                rep.emit(f"| {name} ({len(X)}) | {cond} | {seed} | {accs[0]:.4f} | "
                         f"{accs[1]:.4f} | {secs[0]:.1f} | {secs[1]:.1f} |")
    rep.emit()
    rep.save(args.out)


if __name__ == "__main__":
    main()
