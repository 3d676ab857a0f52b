import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sklearn_specclust import _models
from sklearn_specclust._models import MODELS, get_model
from sklearn_specclust.cli import main
from sklearn_specclust.datasets import load_digits_images, write_idx
from sklearn_specclust.metrics import clustering_report


def _run_json(capsys, *args):
    # k-means unless a test names a model: the CLI's default is the slower SA-Net
    model = () if "--model" in args else ("--model", "kmeans")
    assert main(["run", "--json", *model, *args]) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def _fails(capsys, argv, match):
    """The CLI exits with status 2 and one line on stderr, no traceback."""
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse usage errors
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2
    lines = [line for line in err.splitlines() if not line.startswith("[specclust")]
    assert len(lines) == 1, err
    assert lines[0].startswith("specclust: error:")
    assert "Traceback" not in err
    assert match in lines[0], lines[0]


def test_run_digits_text_report(capsys):
    assert main(["run", "--model", "kmeans", "--dataset", "digits", "--limit", "400"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    for key in ("ACC", "NMI", "ARI", "FS", "Matched confusion matrix", "time "):
        assert key in out
    assert "model=kmeans dataset=digits n_samples=400 n_clusters=10" in out
    # progress goes to stderr, not stdout
    assert "fitting kmeans" in captured.err and "fitting" not in out


def test_run_matches_independent_computation(capsys):
    res = _run_json(capsys, "--dataset", "digits", "--limit", "500", "--random-state", "3")
    X, y = load_digits_images(return_X_y=True)
    labels = get_model("kmeans", n_clusters=10, random_state=3).fit_predict(X[:500])
    report = clustering_report(y[:500], labels)
    assert res["n_samples"] == 500 and res["n_clusters"] == 10
    for key in ("acc", "nmi", "ari", "fs"):
        assert res[key] == pytest.approx(report[key])
    assert 0.5 < res["acc"] <= 1.0
    assert np.asarray(res["confusion_matrix"]).sum() == 500


def test_run_writes_csv(tmp_path, capsys):
    out = tmp_path / "labels.csv"
    assert main(["run", "--model", "kmeans", "--dataset", "digits", "--limit", "200",
                 "--out", str(out), "-q"]) == 0
    with open(out) as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["index", "cluster", "class"]
    assert len(rows) == 201
    assert [int(r[0]) for r in rows[1:]] == list(range(200))
    assert len({r[1] for r in rows[1:]}) == 10


def test_limit_subsets(capsys):
    first = _run_json(capsys, "--dataset", "digits", "--limit", "100")
    rand = _run_json(capsys, "--dataset", "digits", "--limit", "100", "--subset", "random")
    strat = _run_json(capsys, "--dataset", "digits", "--limit", "100",
                      "--subset", "stratified")
    assert first["n_samples"] == rand["n_samples"] == strat["n_samples"] == 100
    # stratified: every class has 10 of the 100 images
    assert np.asarray(strat["confusion_matrix"]).sum(axis=1).tolist() == [10] * 10
    assert first["confusion_matrix"] != rand["confusion_matrix"]
    big = _run_json(capsys, "--dataset", "digits", "--limit", "100000", "--n-clusters", "3")
    assert big["n_samples"] == 1797 and big["n_clusters"] == 3


def test_rotate_occlude_drop(capsys):
    res = _run_json(capsys, "--dataset", "digits", "--limit", "300", "--rotate",
                    "--occlude", "--drop-classes", "9,8")
    assert res["rotate"] and res["occlude"] == 0.2
    assert res["classes"] == list(range(8)) and res["n_clusters"] == 8
    plain = _run_json(capsys, "--dataset", "digits", "--limit", "300", "--drop-classes", "9,8")
    assert plain["n_samples"] == 300 and res["acc"] != plain["acc"]
    occ = _run_json(capsys, "--dataset", "digits", "--limit", "300", "--occlude", "0.5")
    assert occ["occlude"] == 0.5


def test_same_seed_same_labels(tmp_path, capsys):
    paths = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for p in paths:
        main(["run", "--model", "kmeans", "--dataset", "digits", "--limit", "300", "--rotate",
              "--random-state",
              "5", "--out", str(p), "-q"])
    assert paths[0].read_text() == paths[1].read_text()


def test_run_on_paths(tmp_path, capsys, rng):
    X, y = load_digits_images(return_X_y=True)
    np.savez(tmp_path / "d.npz", X=X[:200], y=y[:200])
    res = _run_json(capsys, "--dataset", str(tmp_path / "d.npz"))
    assert res["n_samples"] == 200 and "acc" in res
    # no labels: needs --n-clusters, then reports cluster sizes
    np.save(tmp_path / "d.npy", X[:200].reshape(200, -1))
    _fails(capsys, ["run", "--dataset", str(tmp_path / "d.npy")], "give --n-clusters")
    res = _run_json(capsys, "--dataset", str(tmp_path / "d.npy"), "--n-clusters", "4")
    assert sum(res["cluster_sizes"].values()) == 200 and "acc" not in res
    assert main(["run", "--model", "kmeans", "--dataset", str(tmp_path / "d.npy"),
                 "--n-clusters", "4"]) == 0
    assert "no labels: cluster sizes" in capsys.readouterr().out
    # IDX pair
    write_idx(tmp_path / "x-images-idx3-ubyte.gz", (X[:150] * 15).astype(np.uint8))
    write_idx(tmp_path / "x-labels-idx1-ubyte.gz", y[:150].astype(np.uint8))
    res = _run_json(capsys, "--dataset", str(tmp_path / "x-images-idx3-ubyte.gz"))
    assert res["n_samples"] == 150 and res["n_clusters"] == 10


def test_run_on_image_folder(tmp_path, capsys):
    Image = pytest.importorskip("PIL.Image")
    X, y = load_digits_images(return_X_y=True)
    for i in range(60):
        folder = tmp_path / "imgs" / f"digit{y[i]}"
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray((X[i] * 15).astype(np.uint8)).save(folder / f"{i:03d}.png")
    res = _run_json(capsys, "--dataset", str(tmp_path / "imgs"), "--drop-classes", "digit0")
    assert res["n_samples"] == 60 - int((y[:60] == 0).sum())
    assert "digit0" not in res["classes"]


@pytest.mark.parametrize(
    "argv, match",
    [
        (["run", "--dataset", "no/such/path.npz"], "neither a known name"),
        (["run", "--model", "nope"], "invalid choice: 'nope'"),
        (["run", "--limit", "0"], "--limit must be at least 1"),
        (["run", "--n-clusters", "0"], "--n-clusters must be at least 1"),
        (["run", "--limit", "5", "--n-clusters", "6"], "more than the 5 images"),
        (["run", "--limit", "5", "--subset", "stratified"], "--subset stratified --limit 5"),
        (["run", "--drop-classes", "x"], "labels are integers"),
        (["run", "--drop-classes", "0,1,2,3,4,5,6,7,8,9"], "removes every image"),
        (["run", "--occlude", "2"], "fraction must be a number"),
        (["run", "--n-clusters", "three"], "expected an integer or 'auto'"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_user_errors(capsys, argv, match):
    _fails(capsys, argv, match)


def test_bad_files(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    _fails(capsys, ["run", "--dataset", str(tmp_path / "notes.txt")], "Cannot read")
    (tmp_path / "bad-idx3-ubyte").write_bytes(bytes([0, 0, 8, 3, 0, 0, 0, 9]))
    _fails(capsys, ["run", "--dataset", str(tmp_path / "bad-idx3-ubyte")], "truncated IDX")
    np.save(tmp_path / "rows.npy", np.zeros((10, 7)))
    _fails(capsys, ["run", "--dataset", str(tmp_path / "rows.npy"), "--n-clusters", "2",
                    "--rotate"], "needs images of shape")
    (tmp_path / "empty").mkdir()
    _fails(capsys, ["run", "--dataset", str(tmp_path / "empty")], "holds no images")


def test_mnist_without_files_or_download(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SPECCLUST_DATA", raising=False)
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "skl"))
    _fails(capsys, ["run", "--dataset", "mnist", "--no-download",
                    "--data-home", str(tmp_path / "nothing")], "download=False")


def test_run_mnist(requires_data, capsys):
    res = _run_json(capsys, "--dataset", "mnist", "--limit", "1000")
    assert res["n_samples"] == 1000 and res["n_clusters"] == 10 and res["acc"] > 0.3
    res = _run_json(capsys, "--dataset", "fashion-mnist-train", "--limit", "300",
                    "--rotate", "--drop-classes", "9")
    assert res["n_samples"] == 300 and 9 not in res["classes"]


def test_list_models_and_help(capsys, monkeypatch):
    assert main(["list-models"]) == 0
    out = capsys.readouterr().out
    for name, (_, desc, _source) in MODELS.items():
        assert name in out and desc in out
    # the default and the paper reproductions are marked
    assert "(the default) [default; ours]" in out
    assert "[reproduces Wang & Jiang 2020, Sec. 4.1 (MNIST)]" in out
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "list-models" in out and all(name in out for name in MODELS)
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    assert "--rotate" in out and "fashion-mnist" in out and "kmeans" in out
    # a model registered later shows up without touching the CLI
    monkeypatch.setitem(MODELS, "zzz", ("sklearn_specclust._models:make_kmeans", "test entry",
                                        "baseline"))
    main(["list-models"])
    assert "zzz" in capsys.readouterr().out


def test_get_model_unknown():
    with pytest.raises(ValueError, match="Unknown model 'nope'; choose one of"):
        get_model("nope")
    assert hasattr(_models.get_model("spectral", n_clusters=2), "fit_predict")


def test_python_dash_m_entry_point(tmp_path):
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    proc = subprocess.run([sys.executable, "-m", "sklearn_specclust", "list-models"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0 and "kmeans" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "sklearn_specclust", "run", "--dataset",
         str(tmp_path / "missing")], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("specclust: error:")
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_wang2020_model_picks_the_8x8_network_for_small_images():
    small = get_model("wang2020", n_clusters=3, image_shape=(8, 8))
    large = get_model("wang2020", n_clusters=3, image_shape=(28, 28))
    assert small.named_steps["patches1"].patch_size == 4
    assert large.named_steps["patches1"].patch_size == 11


def test_default_model_runs_and_old_names_warn(capsys):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert main(["run", "--dataset", "digits", "--limit", "150"]) == 0
    out = capsys.readouterr().out
    assert "model=normalized-knn dataset=digits n_samples=150" in out and "ACC" in out
    for old, new in (("sanet", "wang2020"), ("sanet-plus", "normalized-knn")):
        with pytest.warns(FutureWarning, match=f"model '{old}' is renamed '{new}'"):
            get_model(old, n_clusters=3, image_shape=(8, 8))


# ------------------------------------------------------------ cheap checks first


def _no_work(monkeypatch):
    """Make loading or fitting fail loudly: the check under test must come first."""
    from sklearn_specclust import cli

    def forbidden(*args, **kwargs):
        raise AssertionError("the CLI did expensive work before a cheap check")

    monkeypatch.setattr(cli, "get_model", forbidden)
    return cli, forbidden


def test_unwritable_out_refused_before_loading(tmp_path, capsys, monkeypatch):
    cli, forbidden = _no_work(monkeypatch)
    monkeypatch.setattr(cli, "_load", forbidden)
    _fails(capsys, ["run", "--out", str(tmp_path / "no" / "such" / "labels.csv")],
           "the folder")
    _fails(capsys, ["run", "--out", str(tmp_path)], "is a folder")
    _fails(capsys, ["run", "--out", str(tmp_path / "labels.png")], ".csv or .npy")
    if hasattr(os, "geteuid") and os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            _fails(capsys, ["run", "--out", str(locked / "labels.csv")], "cannot be written")
        finally:
            locked.chmod(0o700)
        assert list(locked.iterdir()) == []
    if Path("/sys/kernel").is_dir():  # Linux: not writable, not even by root
        _fails(capsys, ["run", "--out", "/sys/labels.csv"], "cannot be written")
    # a writable --out passes the check and no probe file stays behind
    cli._check_out(tmp_path / "labels.csv")
    assert list(tmp_path.iterdir()) == []


def test_drop_unknown_class_names_the_classes(capsys, monkeypatch):
    _no_work(monkeypatch)
    _fails(capsys, ["run", "--drop-classes", "42"],
           "no class 42 in this data set; its classes are 0, 1, 2, 3, 4, 5, 6, 7, 8, 9")
    _fails(capsys, ["run", "--drop-classes", "9,42,43"], "no class 42, 43")
    _fails(capsys, ["run", "--drop-classes", ","], "its classes are 0, 1")


def test_n_clusters_above_n_samples_refused_before_any_work(capsys, monkeypatch):
    from sklearn_specclust import datasets

    _, forbidden = _no_work(monkeypatch)
    monkeypatch.setattr(datasets, "make_rotated", forbidden)
    _fails(capsys, ["run", "--limit", "4", "--n-clusters", "10", "--rotate", "--model", "sanet"],
           "--n-clusters 10 is more than the 4 images; lower --n-clusters or raise --limit")
    _fails(capsys, ["run", "--limit", "2", "--n-clusters", "3"], "more than the 2 images")


def test_out_npy_holds_the_labels_of_the_csv(tmp_path, capsys):
    argv = ["run", "--model", "kmeans", "--dataset", "digits", "--limit", "120", "-q"]
    assert main([*argv, "--out", str(tmp_path / "l.npy")]) == 0
    assert main([*argv, "--out", str(tmp_path / "l.csv")]) == 0
    labels = np.load(tmp_path / "l.npy")
    with open(tmp_path / "l.csv") as fh:
        rows = list(csv.reader(fh))[1:]
    assert labels.dtype == np.int64 and labels.shape == (120,)
    assert labels.tolist() == [int(r[1]) for r in rows]


def test_verbose_times_every_step_on_stderr(capsys):
    assert main(["run", "--model", "kmeans", "--dataset", "digits", "--limit", "150",
                 "--json", "-v"]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)  # stdout stays one JSON object
    err = captured.err
    assert re.search(r"functiontransformer \(1/2, FunctionTransformer\): fit_transform "
                     r"done in \d+\.\d\d s -> \(150, 64\)", err), err
    assert re.search(r"kmeans \(2/2, KMeans\): fit_predict done in \d+\.\d\d s", err), err
    # each step once: the fit that fit_transform calls inside is not reported again
    assert err.count("functiontransformer (1/2") == 2
    # without -v: no step lines
    assert main(["run", "--model", "kmeans", "--dataset", "digits", "--limit", "150"]) == 0
    assert "(1/2" not in capsys.readouterr().err


def test_verbose_shows_the_estimators_progress(capsys, monkeypatch):
    pytest.importorskip("torch")
    from sklearn_specclust.inr import make_rotinv_inr

    def tiny(n_clusters, *, random_state=None):
        return make_rotinv_inr(n_clusters, preset="kwon-thesis", random_state=random_state,
                               latent_dim=2,
                               hidden=(8,), hyper_hidden=(8,), fn_hidden=(8,),
                               n_fourier=4, max_epochs=2, cluster__n_init=1)

    monkeypatch.setattr(_models, "make_tiny_rotinv", tiny, raising=False)
    monkeypatch.setitem(MODELS, "tiny-rotinv",
                        ("sklearn_specclust._models:make_tiny_rotinv", "test entry",
                         "baseline"))
    argv = ["run", "--model", "tiny-rotinv", "--dataset", "digits", "--limit", "40",
            "--json"]
    assert main([*argv, "-v"]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)
    assert re.search(r"epoch +2 +loss \S+ .* images/s", captured.err), captured.err
    assert "encoder (1/2, RotInvINREncoder): fit_transform done" in captured.err
    assert main(argv) == 0
    assert "epoch" not in capsys.readouterr().err


def test_n_clusters_auto_reports_the_chosen_number(capsys):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert main(["run", "--dataset", "digits", "--limit", "150", "--n-clusters",
                     "auto"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"n_clusters=auto \(\d+\)", out), out
    _fails(capsys, ["run", "--n-clusters", "x"], "expected an integer or 'auto'")
