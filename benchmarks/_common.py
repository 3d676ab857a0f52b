"""What every benchmark shares: data, scores, and the stamped results file.

* **Data** come from the library's loaders
  (:func:`sklearn_specclust.datasets.load_mnist`,
  :func:`~sklearn_specclust.datasets.load_fashion_mnist`,
  :func:`~sklearn_specclust.datasets.make_rotated`), which read
  ``$SPECCLUST_DATA/{mnist,fashion-mnist}`` (or the scikit-learn data home);
  nothing here knows a machine's paths, and nothing downloads.
* **Scores** come from :func:`sklearn_specclust.metrics.clustering_report`.
  FS is the library's *pairwise F-score* (harmonic mean of pair precision
  and recall, what the SA-Net paper reports), not scikit-learn's
  Fowlkes-Mallows index (their geometric mean); tables made before
  2026-11-24 used Fowlkes-Mallows.
* **Results files** are written by :func:`save` (or :class:`Report`), which
  puts the :func:`provenance` block under the title: the command, the date,
  the git commit, the library versions, the machine and the load average.
  ``tests/test_benchmarks.py`` checks that every committed results file
  has these fields.

Import nothing heavy at module level: ``tests/test_benchmarks.py`` imports
every benchmark module, and importing one must stay cheap (torch is loaded
by the functions that need it).
"""

import datetime
import os
import platform
import re
import resource
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
FS_NAME = "pairwise F-score"
#: The fields of the provenance block, in order; every results file has them.
FIELDS = ("Command", "Date", "Commit", "Versions", "Machine", "Load average")

_START = datetime.datetime.now(datetime.timezone.utc)
_START_LOAD = os.getloadavg()


# ----------------------------------------------------------------------------
# Provenance
# ----------------------------------------------------------------------------


def _utc(moment):
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def command():
    """The command line that runs this process, as it would be typed at the root.

    ``python -m benchmarks.<package>.<module> args`` for a module run with
    ``-m``; the ``OMP_NUM_THREADS`` setting is kept (it changes timings), the
    data folder is not (it is a path of one machine).
    """
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:
        target = f"-m {spec.name.removesuffix('.__main__')}"
    else:
        script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else "?"
        target = os.path.relpath(script, ROOT) if script != "?" else script
    env = os.environ.get("OMP_NUM_THREADS")
    prefix = f"OMP_NUM_THREADS={env} " if env else ""
    return f"{prefix}python {target} {shlex.join(sys.argv[1:])}".rstrip()


def git_commit():
    """Short hash of ``HEAD``, flagged when tracked files differ from it.

    The results files do not count: a run that rewrites one (as it saves
    its table section by section) measured the committed code.
    """
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "diff", "--quiet", "HEAD", "--", ".",
             ":(exclude)benchmarks/results"],
            capture_output=True, timeout=10,
        ).returncode != 0
    except (OSError, subprocess.SubprocessError):
        return "not recorded (no git checkout)"
    return head + (" with uncommitted changes" if dirty else "")


def library_versions():
    """``python x, numpy y, ...``: the libraries a measurement depends on.

    torch and pyamg are listed when this process imported them.
    """
    names = ["numpy", "scipy", "scikit-learn"]
    names += [n for n in ("torch", "pyamg") if n in sys.modules]
    parts = [f"python {platform.python_version()}"]
    for name in names:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} not installed")
    from sklearn_specclust import __version__

    parts.append(f"sklearn-specclust {__version__}")
    return ", ".join(parts)


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine():
    """CPU model, core count and memory of this machine."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        memory = f"{memory:.1f} GiB memory"
    except (ValueError, OSError, AttributeError):
        memory = "memory unknown"
    return f"{_cpu_model()} ({platform.machine()}), {os.cpu_count()} CPU cores, {memory}"


def provenance():
    """The provenance block: one ``Field: value`` line per :data:`FIELDS` entry.

    Lines end with two spaces (a Markdown line break) so that they render as
    one paragraph.
    """
    end = datetime.datetime.now(datetime.timezone.utc)
    load = ", ".join(f"{v:.1f}" for v in _START_LOAD)
    load_end = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    values = (
        f"`{command()}`",
        f"{_utc(_START)} to {_utc(end)}",
        git_commit(),
        library_versions(),
        machine(),
        f"{load} at the start, {load_end} at the end (1, 5, 15 minutes)",
    )
    return [f"{field}: {value}  " for field, value in zip(FIELDS, values)]


def header(text):
    """The header of a results file: its lines before the first table or subheading."""
    out = []
    for line in text.splitlines():
        if line.startswith("|") or (line.startswith("#") and out):
            break
        out.append(line)
    return "\n".join(out)


def missing_fields(text):
    """The :data:`FIELDS` that the header of a results file's ``text`` lacks.

    A field is present when its name (or plural) is followed by a colon,
    e.g. ``Commit: 1a2b3c4`` or ``... UTC. Machine: x86_64``.
    """
    head = header(text)
    return [f for f in FIELDS if not re.search(rf"(?<![A-Za-z]){f}s?:", head)]


def _last_commit(path):
    """``(short hash, UTC date)`` of the last commit that changed ``path``, or None."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %cd",
             "--date=format-local:%Y-%m-%d %H:%M UTC", "--", str(Path(path).resolve())],
            capture_output=True, text=True, timeout=10, env={**os.environ, "TZ": "UTC"},
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return tuple(out.split(" ", 1)) if out else None


def add_missing_fields(path):
    """Give a results file written without the stamp the fields it lacks.

    For files measured before :func:`save` existed (or written by hand): each
    missing field gets a line under the title that says it was not recorded;
    the date comes from a ``(YYYY-MM-DD HH:MM UTC)`` in the title when there
    is one, and the commit line gives the last commit that changed the file,
    an upper bound on when it was measured. Nothing is invented. Returns the
    fields added.

    ``python -m benchmarks._common FILE...`` runs it on each file.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    missing = missing_fields(text)
    if not missing:
        return []
    lines = text.split("\n")
    if not lines[0].startswith("# "):
        raise ValueError(f"{path} does not start with a '# ' title.")
    last = _last_commit(path)
    when = f"before {last[1]}; last changed in {last[0]}" if last else "not committed yet"
    title_date = re.search(r"\((\d{4}-\d\d-\d\d \d\d:\d\d UTC)\)", lines[0])
    values = {
        "Command": "not recorded as one line; the text below names the script and its settings",
        "Date": f"{title_date.group(1)} (from the title)" if title_date else "not recorded",
        "Commit": f"not recorded ({when})",
        "Versions": "not recorded",
        "Machine": "not recorded",
        "Load average": "not recorded in this form (the text says what was known)",
    }
    lines[1:1] = ["", *(f"{field}: {values[field]}  " for field in missing)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return missing


def stamped(text):
    """``text`` with the provenance block after its first line (its ``#`` title)."""
    lines = text.rstrip("\n").split("\n")
    if lines and lines[0].startswith("# "):
        head, rest = lines[:1], lines[1:]
    else:
        head, rest = ["# Benchmark results"], lines
    return "\n".join([*head, "", *provenance(), *rest]) + "\n"


def save(path, text):
    """Print ``text`` and write it, stamped, to ``path`` (nothing when None)."""
    print(text, flush=True)
    if path:
        Path(path).write_text(stamped(text), encoding="utf-8")


def print_and_save(lines, path):
    """:func:`save` for a list of lines."""
    save(path, "\n".join(lines))


class Report:
    """Lines printed as they come, then saved as a stamped Markdown file.

    Parameters
    ----------
    title : str
        Heading.
    timing_note : str
        What the reader should know about the timings on this machine.
    """

    def __init__(self, title, timing_note):
        self.lines = []
        self.emit(f"# {title}")
        self.emit()
        self.emit(f"Timings: {timing_note}.")
        self.emit()

    def emit(self, text=""):
        """Print one line and keep it."""
        print(text, flush=True)
        self.lines.append(text)

    def save(self, path):
        """Write every line so far, stamped, to ``path`` (nothing when None)."""
        if path:
            Path(path).write_text(stamped("\n".join(self.lines)), encoding="utf-8")


# ----------------------------------------------------------------------------
# Data and scores
# ----------------------------------------------------------------------------


def load(name="mnist", subset="test"):
    """Images ``(n, 28, 28)`` uint8 and int64 labels of a local copy.

    ``name`` is ``"mnist"`` or ``"fashion-mnist"`` (``"fashion"`` also
    works); ``subset`` is the loader's ``split`` (``"train"``, ``"test"`` or
    ``"all"``). Never downloads: set ``SPECCLUST_DATA``.
    """
    from sklearn_specclust.datasets import load_fashion_mnist, load_mnist

    loaders = {"mnist": load_mnist, "fashion-mnist": load_fashion_mnist,
               "fashion": load_fashion_mnist}
    if name not in loaders:
        raise ValueError(f"name must be one of {list(loaders)}, got {name!r}.")
    return loaders[name](split=subset, download=False, return_X_y=True)


def sanet_features(X, n_clusters, seed):
    """``make_sanet(n_clusters, random_state=seed)`` up to its head on ``X``: ``(F, seconds)``."""
    import time
    import warnings

    from sklearn_specclust.sanet import make_sanet

    net = make_sanet(n_clusters, random_state=seed)
    cut = [n for n, _ in net.steps].index("cluster")
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        F = net[:cut].fit_transform(X)
    return F, time.perf_counter() - t0


def accuracy(y, labels):
    """Clustering accuracy (Hungarian matching of clusters to classes)."""
    from sklearn_specclust.metrics import clustering_accuracy_score

    return clustering_accuracy_score(y, labels)


def clustering_scores(y, labels):
    """``(ACC, NMI, ARI, FS)`` of ``clustering_report`` (FS: pairwise F-score)."""
    from sklearn_specclust.metrics import clustering_report

    r = clustering_report(y, labels)
    return r.acc, r.nmi, r.ari, r.fs


def scores(y, labels):
    """ACC, NMI, ARI and FS (pairwise F-score) as a dict."""
    return dict(zip(("ACC", "NMI", "ARI", "FS"), clustering_scores(y, labels)))


def clustering_table(rows, time_label="fit_predict s"):
    """Markdown lines of ``(method, ACC, NMI, ARI, FS, seconds)`` rows."""
    lines = [f"| method | ACC | NMI | ARI | FS | {time_label} |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r[0]} | {r[1]:.3f} | {r[2]:.3f} | {r[3]:.3f} | {r[4]:.3f} | {r[5]:.1f} |"
              for r in rows]
    return lines


def seed_spread_table(label, scores, names, titles, digits=3):
    """Markdown lines: ACC mean ± std (NMI mean) per method and data set, and the mean ACC.

    ``scores[method][name]`` is a list of ``(ACC, NMI)`` pairs, one per seed.
    """
    f = f".{digits}f"
    lines = [f"| {label} | " + " | ".join(titles[n] for n in names) + " | mean ACC |",
             "| --- | " + " | ".join("---" for _ in names) + " | --- |"]
    for method, by_set in scores.items():
        cells = []
        for n in names:
            a = np.array(by_set[n])
            cells.append(f"{a[:, 0].mean():{f}} ± {a[:, 0].std():{f}} ({a[:, 1].mean():{f}})")
        mean = np.mean([np.mean(np.array(by_set[n])[:, 0]) for n in names])
        lines.append(f"| {method} | " + " | ".join(cells) + f" | {mean:{f}} |")
    return lines


def mean_table(label, values, names, titles, fmt=".2f"):
    """Markdown lines: the mean of ``values[row][name]`` (a number or a list) per row, data set."""
    lines = [f"| {label} | " + " | ".join(titles[n] for n in names) + " |",
             "| --- | " + " | ".join("---" for _ in names) + " |"]
    for row, by_set in values.items():
        lines.append(f"| {row} | " + " | ".join(f"{np.mean(by_set[n]):{fmt}}" for n in names)
                     + " |")
    return lines


def timed_fit_predict(estimator, X):
    """``(labels, seconds)`` of ``estimator.fit_predict(X)``, warnings silenced."""
    import time
    import warnings

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = estimator.fit_predict(X)
    return labels, time.perf_counter() - t0


def peak_rss_gib():
    """Peak resident memory of this process so far, GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


# ----------------------------------------------------------------------------
# The rotated-images protocol of the rotation-invariant INR benchmarks
# ----------------------------------------------------------------------------


def load_rotated(name, n, seed, recentre=False):
    """``n`` random training images of a data set, each rotated by U[0, 2π).

    MNIST drops the digit 9 (a rotated 6), as the thesis does. The images
    are drawn and rotated with one ``RandomState(seed)`` (the draw, then the
    angles) by :func:`sklearn_specclust.datasets.make_rotated` (bilinear),
    as floats in [0, 1].

    MNIST puts each digit's centre of mass at pixel (14, 14), half a pixel
    down-right of the frame's centre (13.5, 13.5), so in a rotated image the
    direction of the centre of mass seen from the frame centre tells the
    rotation. ``recentre=True`` first shifts every image (bilinear) so that
    its centre of mass is the frame centre, which removes that cue.
    """
    from sklearn_specclust.datasets import make_rotated

    X, y = load(name, "train")
    y = y.astype(int)
    if name == "mnist":  # without the digit 9 (a rotated 6)
        keep = y != 9
        X, y = X[keep], y[keep]
    rng = np.random.RandomState(seed)
    idx = rng.choice(len(X), n, replace=False)
    X, y = X[idx].astype(np.float32) / 255.0, y[idx]
    if recentre:
        X = np.stack([_recentre(x) for x in X])
    Xr, _ = make_rotated(X, random_state=rng)
    return np.clip(Xr, 0, 1).astype(np.float32), y


def _recentre(x):
    from scipy.ndimage import shift

    ii, jj = np.mgrid[0 : x.shape[0], 0 : x.shape[1]]
    m = x.sum() or 1.0
    c = np.array([(x * ii).sum(), (x * jj).sum()]) / m
    return shift(x, (np.array(x.shape) - 1) / 2 - c, order=1)


def canonical_pixels(X, kind):
    """Images turned to their measured reference orientation ``kind``, flattened.

    The analytic canonicalisation (no learning) the rotated benchmarks cluster
    as a reference: :func:`sklearn_specclust.inr._torch_model.reference_direction`
    then ``canonicalize``.
    """
    import torch

    from sklearn_specclust.inr._torch_model import canonicalize, reference_direction

    t = torch.from_numpy(X[:, None].astype(np.float32))
    return canonicalize(t, reference_direction(t, kind)).numpy().reshape(len(X), -1)


def invariance(enc, X, seed, n_rot=3):
    """Mean latent distance of an encoder: image vs its rotations, and between images."""
    from sklearn_specclust.datasets import make_rotated

    rng = np.random.RandomState(seed)
    Z = enc.transform(X)
    same = []
    for _ in range(n_rot):
        Xr, _ = make_rotated(X, random_state=rng)
        same.append(np.linalg.norm(enc.transform(Xr) - Z, axis=1))
    perm = rng.permutation(len(X))
    diff = np.linalg.norm(Z - Z[perm], axis=1)[perm != np.arange(len(X))]
    return float(np.mean(same)), float(np.mean(diff))


def main(argv=None):
    """``python -m benchmarks._common FILE...``: :func:`add_missing_fields` on each file."""
    import argparse

    ap = argparse.ArgumentParser(
        description="Add the provenance fields a results file lacks, as 'not recorded'.")
    ap.add_argument("files", nargs="+")
    for name in ap.parse_args(argv).files:
        print(name, add_missing_fields(name) or "complete")


if __name__ == "__main__":
    main()
