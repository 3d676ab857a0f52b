"""How the first layer's padding is filled: zeros against the border pixels.

The default SA-Net pads each image by about half a patch before cutting its
first-layer patches. Zero padding (the paper's) is harmless on MNIST, whose
background is zero, but an image whose background is not zero -- grey paper,
dark strokes on a light ground, a photograph -- gets an artificial edge along
its frame, and every border patch describes that edge instead of the image.
This study fits ``make_sanet(k, random_state=seed)`` with
``patches1__padding_mode`` set to each mode, on three versions of the same
images:

* ``clean``: the images as they are (floats in [0, 1]);
* ``inverted``: ``1 - X`` (dark shapes on a white ground);
* ``background``: ``a * X + b`` with a contrast ``a ~ U(0.3, 1)`` and a
  background level ``b ~ U(0, 0.3)`` drawn per image (one fixed draw per
  data set, the same for every mode and seed);
* ``colour``: RGB images ``X * c + g`` with a stroke colour ``c ~ U(0.3,
  1)^3`` and a ground colour ``g ~ U(0, 0.3)^3`` drawn per image (not in the
  default ``--conditions``).

A mode ``MODE`` removes each patch's mean over all its values
(``patches1__remove_mean=True``, the paper's), ``MODE/channel`` channel by
channel (``"channel"``, the default network's); the two agree on grey images.

``--split train`` takes the first ``--n`` training images (where the mode is
chosen), ``--split test`` the first ``--n`` test images (where it is
reported); ``digits`` is scikit-learn's bundled 8x8 digits (all 1,797, both
splits). Modes alternate per seed in one process.

Usage::

    python -m benchmarks.studies.sanet_padding --split train --seeds 0 1 \\
        --modes constant background edge --out FILE
"""

import argparse

import numpy as np

from benchmarks._common import Report, accuracy, load, timed_fit_predict

CONDITIONS = ("clean", "inverted", "background", "colour")


def load_images(name, split, n):
    """Images as float32 in [0, 1], shape (n, h, w), and labels."""
    if name == "digits":
        from sklearn_specclust.datasets import load_digits_images

        X, y = load_digits_images(return_X_y=True)
        return (X / 16.0).astype(np.float32), y
    X, y = load(name, split)
    return (X[:n] / 255.0).astype(np.float32), y[:n]


def condition(X, kind):
    """``X`` under one of ``CONDITIONS`` (a fixed draw per data set)."""
    if kind == "clean":
        return X
    if kind == "inverted":
        return 1.0 - X
    rng = np.random.RandomState(1234)
    if kind == "colour":
        c = rng.uniform(0.3, 1.0, size=(len(X), 1, 1, 3)).astype(np.float32)
        g = rng.uniform(0.0, 0.3, size=(len(X), 1, 1, 3)).astype(np.float32)
        return X[..., None] * c + g
    a = rng.uniform(0.3, 1.0, size=(len(X), 1, 1)).astype(np.float32)
    b = rng.uniform(0.0, 0.3, size=(len(X), 1, 1)).astype(np.float32)
    return a * X + b


def _network(mode, seed):
    """``make_sanet(10)`` with a ``padding_mode[/channel]`` setting of layer 1."""
    from sklearn_specclust.sanet import make_sanet

    padding, _, mean = mode.partition("/")
    return make_sanet(10, random_state=seed).set_params(
        patches1__padding_mode=padding, patches1__remove_mean=mean or True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", choices=("train", "test"), default="train")
    p.add_argument("--datasets", nargs="+", default=["mnist", "fashion", "digits"],
                   choices=("mnist", "fashion", "digits"))
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--modes", nargs="+", default=["constant", "background", "edge"])
    p.add_argument("--conditions", nargs="+", default=list(CONDITIONS[:3]),
                   choices=CONDITIONS)
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)

    rep = Report("SA-Net's first-layer padding: zeros against the border pixels",
                 "one process, the modes alternating per seed")
    summary = {}
    for name in args.datasets:
        X0, y = load_images(name, args.split, args.n)
        where = "all" if name == "digits" else f"{args.split}, first {len(X0)}"
        rep.emit(f"## {name} ({where})")
        rep.emit()
        rep.emit("| condition | seed | " + " | ".join(f"{m} ACC" for m in args.modes)
                 + " | " + " | ".join(f"{m} s" for m in args.modes) + " |")
        rep.emit("| --- | --- |" + " --- |" * (2 * len(args.modes)))
        for cond in args.conditions:
            X = condition(X0, cond)
            for seed in args.seeds:
                accs, secs = [], []
                for mode in args.modes:
                    labels, sec = timed_fit_predict(_network(mode, seed), X)
                    secs.append(sec)
                    accs.append(accuracy(y, labels))
                    summary.setdefault((name, cond, mode), []).append(accs[-1])
                rep.emit(f"| {cond} | {seed} | " + " | ".join(f"{a:.4f}" for a in accs)
                         + " | " + " | ".join(f"{s:.1f}" for s in secs) + " |")
        rep.emit()
    rep.emit("## Mean ACC over seeds (min-max)")
    rep.emit()
    rep.emit("| data | condition | " + " | ".join(args.modes) + " |")
    rep.emit("| --- | --- |" + " --- |" * len(args.modes))
    for name in args.datasets:
        for cond in args.conditions:
            cells = []
            for mode in args.modes:
                v = np.array(summary[(name, cond, mode)])
                cells.append(f"{v.mean():.4f} ({v.min():.3f}-{v.max():.3f})")
            rep.emit(f"| {name} | {cond} | " + " | ".join(cells) + " |")
    rep.emit()
    rep.save(args.out)


if __name__ == "__main__":
    main()
