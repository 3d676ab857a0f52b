"""Hardening: what the fuzzed inputs gave, peak memory by data size, saved model sizes.

Three tables:

1. the property tests (``tests/test_properties.py``, run here with the
   ``long`` hypothesis profile) summarised: inputs tried by kind and what came
   out (a valid output, a clear refusal, or a failure);
2. peak memory (``tracemalloc`` peak of Python and NumPy allocations, and the
   process's peak RSS) and time of ``make_sanet(10, random_state=0).fit_predict``
   on the first 3, 30, 300, 3000 MNIST test images, each size in a fresh process;
3. pickled size of fitted default estimators and pipelines.

Run from the repository root::

    PYTHONPATH=. python -m benchmarks.studies.hardening --out benchmarks/results/hardening.md
"""

import argparse
import collections
import inspect
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings

import numpy as np

from benchmarks._common import save

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMAND = "PYTHONPATH=. python -m benchmarks.studies.hardening"


def _mnist(n):
    from sklearn_specclust.datasets import load_mnist

    X, _ = load_mnist("test", return_X_y=True, download=False)
    return X[:n]


# ------------------------------------------------------------------- children


def _child_memory(n):
    """One measurement, in its own process: peak memory and time of the default
    SA-Net's fit_predict on the first ``n`` MNIST test images, and its pickle size."""
    from sklearn_specclust import make_sanet

    X = _mnist(n)
    model = make_sanet(10, random_state=0)
    tracemalloc.start()
    t0 = time.perf_counter()
    outcome = "ok"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model.fit_predict(X)
        except (ValueError, MemoryError) as exc:
            outcome = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    size = len(pickle.dumps(model)) if outcome == "ok" else None
    print(json.dumps({"n": n, "seconds": seconds, "tracemalloc": peak, "rss": rss,
                      "pickle": size, "outcome": outcome}))


def _run_child(args, timeout):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "benchmarks.studies.hardening", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env,
                          check=False)
    if proc.returncode != 0:
        return {"outcome": f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ the tables


def _fuzz(profile, log, timeout):
    """Run the property tests with ``profile``; return (log path, pytest summary)."""
    env = dict(os.environ, HYPOTHESIS_PROFILE=profile, SPECCLUST_FUZZ_LOG=log,
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_properties.py", "-q", "-rfEX",
         "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, env=env, check=False)
    summary = [line for line in proc.stdout.splitlines()
               if line.startswith(("FAILED", "XPASS", "XFAIL", "ERROR"))
               or " passed" in line or " failed" in line]
    return summary


def _magnitude(m):
    if m is None:
        return "no finite value"
    if m == 0:
        return "all zero"
    for bound, label in ((1e-30, "a: below 1e-30"), (1e-3, "b: 1e-30 to 1e-3"),
                         (1e3, "c: 1e-3 to 1e3"), (1e12, "d: 1e3 to 1e12")):
        if m < bound:
            return label
    return "e: 1e12 and above"


def fuzz_tables(records, summary):
    lines = ["## 1. Fuzzed inputs (property tests) and outcomes", ""]
    lines += ["pytest summary: " + (summary[-1] if summary else "(not run)"), ""]
    lines += [f"- {line}" for line in summary[:-1]]
    if summary[:-1]:
        lines.append("")
    lines += [("Examples that passed the property, by estimator (`ok`: a valid output; "
               "`refused`: a ValueError/TypeError from our checks or scikit-learn's):"), "",
              "| estimator | examples | ok | refused | most common refusal |",
              "|---|---|---|---|---|"]
    by_name = collections.defaultdict(list)
    for r in records:
        by_name[r["name"]].append(r)
    for name in sorted(by_name):
        rs = by_name[name]
        ok = sum(r["outcome"] == "ok" for r in rs)
        errors = collections.Counter(
            " ".join((r["error"] or "").split())[:90].replace("|", "/")
            for r in rs if r["outcome"] == "refused")
        common = errors.most_common(1)[0][0] if errors else ""
        lines.append(f"| {name} | {len(rs)} | {ok} | {len(rs) - ok} | {common} |")
    lines += ["", "The same examples by kind of input (all estimators together):", "",
              "| input kind | value | examples | ok | refused |", "|---|---|---|---|---|"]
    kinds = {
        "dimensions": lambda r: f"{r['ndim']}-D",
        "dtype": lambda r: r["dtype"],
        "largest magnitude": lambda r: _magnitude(r["magnitude"]),
        "NaN or inf inside": lambda r: str(r["nonfinite"]),
        "constant": lambda r: str(r["constant"]),
        "duplicate rows": lambda r: str(r["duplicates"]),
        "samples": lambda r: "1" if r["n"] == 1 else "2-4" if r["n"] <= 4 else "5-12",
    }
    for kind, key in kinds.items():
        groups = collections.defaultdict(list)
        for r in records:
            groups[key(r)].append(r)
        for value in sorted(groups):
            rs = groups[value]
            ok = sum(r["outcome"] == "ok" for r in rs)
            lines.append(f"| {kind} | {value} | {len(rs)} | {ok} | {len(rs) - ok} |")
    return lines


def memory_table(sizes, timeout):
    lines = ["## 2. Peak memory of `make_sanet(10, random_state=0).fit_predict(X[:n])`", "",
             ("MNIST test images, each size in a fresh process. tracemalloc: peak of the "
              "Python and NumPy allocations during the fit; RSS: the process's peak resident "
              "set (with the interpreter, the imports and the loaded data set)."), "",
             "| images | outcome | seconds | tracemalloc peak MiB | peak RSS MiB | pickle MiB |",
             "|---|---|---|---|---|---|"]
    for n in sizes:
        try:
            r = _run_child(["--child-memory", str(n)], timeout)
        except subprocess.TimeoutExpired:
            r = {"outcome": f"not finished in {timeout} s"}
        mib = {key: f"{r[key] / 2**20:.1f}" if r.get(key) else "-"
               for key in ("tracemalloc", "rss", "pickle")}
        sec = f"{r['seconds']:.1f}" if "seconds" in r else "-"
        lines.append(f"| {n} | {r['outcome'][:120]} | {sec} | {mib['tracemalloc']} | "
                     f"{mib['rss']} | {mib['pickle']} |")
        print(lines[-1], flush=True)
    return lines


def sizes_table(n):
    """Pickled size of every public estimator (default parameters, except the
    cluster count) and the factories' default pipelines, fitted on MNIST."""
    from sklearn.base import BaseEstimator, is_clusterer

    import sklearn_specclust
    from sklearn_specclust import make_rotinv_inr, make_sanet

    X = _mnist(n).astype(np.float64) / 255.0
    lines = [f"## 3. Saved (pickled) model sizes, fitted on {n} MNIST test images", "",
             ("Default parameters except `n_clusters=10`, `random_state=0` and, for the "
              "encoder, `max_epochs=2` (the size does not depend on the epochs). Input: "
              "the images scaled to [0, 1], as (n, 28, 28) for image estimators and "
              "(n, 784) rows for the clusterers and the estimators of rows."), "",
             "| model | input | fit s | pickle MiB | outcome |", "|---|---|---|---|---|"]
    models = []
    for name in sorted(sklearn_specclust.__all__):
        obj = getattr(sklearn_specclust, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            params = obj().get_params()
            kw = {k: v for k, v in (("n_clusters", 10), ("random_state", 0), ("max_epochs", 2))
                  if k in params}
            models.append((name, lambda obj=obj, kw=kw: obj(**kw)))
    models += [
        ("make_sanet(10)", lambda: make_sanet(10, random_state=0)),
        ('make_sanet(10, preset="wang2020-mnist")',
         lambda: make_sanet(10, preset="wang2020-mnist", random_state=0)),
        ("make_rotinv_inr(10)", lambda: make_rotinv_inr(10, random_state=0)),
        ('make_rotinv_inr(10, preset="kwon-thesis")',
         lambda: make_rotinv_inr(10, preset="kwon-thesis", random_state=0,
                                 encoder__max_epochs=2)),
    ]
    for name, make in models:
        est = make()
        rows = is_clusterer(est) and not name.startswith("make_")
        data = X.reshape(n, -1) if rows else X
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    est.fit(data)
                except ValueError as exc:  # an estimator of rows only (e.g. latents)
                    if "dim" not in str(exc) or data.ndim == 2:
                        raise
                    data = X.reshape(n, -1)
                    est = make().fit(data)
            size, outcome = f"{len(pickle.dumps(est)) / 2**20:.2f}", "ok"
        except (ValueError, TypeError) as exc:
            size, outcome = "-", f"{type(exc).__name__}: {' '.join(str(exc).split())[:90]}"
        lines.append(f"| {name} | {data.shape} | {time.perf_counter() - t0:.1f} | {size} | "
                     f"{outcome.replace('|', '/')} |")
        print(lines[-1], flush=True)
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3,30,300,3000",
                        help="image counts for the memory table (default: 3,30,300,3000)")
    parser.add_argument("--size-images", type=int, default=300,
                        help="images the saved-size table fits on (default: 300)")
    parser.add_argument("--fuzz-profile", default="long",
                        help="hypothesis profile of the property tests (default: long)")
    parser.add_argument("--fuzz-log", default=None,
                        help="summarise this JSON-lines log instead of running the tests")
    parser.add_argument("--timeout", type=int, default=900,
                        help="seconds allowed to each measurement (default: 900)")
    parser.add_argument("--out", default=None, help="write the report to this Markdown file")
    parser.add_argument("--child-memory", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_memory is not None:
        _child_memory(args.child_memory)
        return 0

    head = ["# Hardening: fuzzed inputs, peak memory, saved model sizes", "",
            "Timings: a machine shared with other jobs (see the load average).", ""]
    for line in head:
        print(line, flush=True)

    if args.fuzz_log:
        log, summary = args.fuzz_log, [f"summarised from {args.fuzz_log}"]
    else:
        log = os.path.join(tempfile.mkdtemp(), "fuzz.jsonl")
        summary = _fuzz(args.fuzz_profile, log, args.timeout * 4)
        summary[-1:] = [f"`HYPOTHESIS_PROFILE={args.fuzz_profile} python -m pytest "
                        f"tests/test_properties.py`: " + (summary[-1] if summary else "")]
    with open(log) as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    body = fuzz_tables(records, summary) + [""]
    print("\n".join(body), flush=True)
    body += memory_table([int(s) for s in args.sizes.split(",")], args.timeout) + [""]
    body += sizes_table(args.size_images) + [""]
    save(args.out, "\n".join(head + body))
    return 0


if __name__ == "__main__":
    sys.exit(main())
