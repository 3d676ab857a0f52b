import gzip
import hashlib
import http.server
import io
import os
import threading
import warnings
from functools import partial

import numpy as np
import pytest
from sklearn.datasets import load_digits

from sklearn_specclust.datasets import (
    _fetch,
    _mnist,
    default_cache_dir,
    load_digits_images,
    load_fashion_mnist,
    load_images,
    load_mnist,
    make_occluded,
    make_rotated,
    read_idx,
    write_idx,
)

# --------------------------------------------------------------------------- IDX


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, rng, dtype, suffix):
    a = (rng.uniform(-100, 100, size=(3, 4, 5)) if np.dtype(dtype).kind != "u"
         else rng.randint(0, 256, size=(3, 4, 5))).astype(dtype)
    path = tmp_path / ("a-idx3" + suffix)
    write_idx(path, a)
    b = read_idx(path)
    assert b.dtype == np.dtype(dtype) and b.dtype.isnative
    np.testing.assert_array_equal(a, b)


def test_idx_gzip_detected_by_content_not_name(tmp_path):
    a = np.arange(6, dtype=np.uint8)
    write_idx(tmp_path / "x.gz", a)
    os.rename(tmp_path / "x.gz", tmp_path / "plain-name")
    np.testing.assert_array_equal(read_idx(tmp_path / "plain-name"), a)


def test_idx_matches_known_bytes(tmp_path):
    # header 00 00 08 01, length 3, then the bytes: the MNIST label format
    (tmp_path / "l").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
    np.testing.assert_array_equal(read_idx(tmp_path / "l"), [7, 2, 1])


@pytest.mark.parametrize(
    "content, match",
    [
        (b"\x00\x00", "fewer than the 4-byte"),
        (b"PK\x03\x04rest", "not an IDX file"),
        (bytes([0, 0, 8, 2, 0, 0, 0, 2]), "truncated IDX"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2]), "corrupt IDX file"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 1, 1, 2]), "corrupt IDX file"),
    ],
)
def test_idx_bad_files(tmp_path, content, match):
    path = tmp_path / "bad"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        read_idx(path)


def test_idx_truncated_gzip(tmp_path):
    write_idx(tmp_path / "x.gz", np.arange(1000, dtype=np.int32))
    data = (tmp_path / "x.gz").read_bytes()
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="could not be decompressed"):
        read_idx(tmp_path / "cut.gz")


def test_idx_missing_and_unwritable(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_idx(tmp_path / "nope")
    with pytest.raises(ValueError, match="Cannot write"):
        write_idx(tmp_path / "x", np.array(["a"]))
    with pytest.raises(ValueError, match="Cannot write"):
        write_idx(tmp_path / "x", np.uint8(3))


# ---------------------------------------------------------------- MNIST (real)


def test_load_mnist_real(requires_data):
    bunch = load_mnist()
    assert bunch.images.shape == (10000, 28, 28) and bunch.images.dtype == np.uint8
    assert bunch.target.dtype == np.int64 and bunch.target[:3].tolist() == [7, 2, 1]
    assert bunch.data.shape == (10000, 784)
    assert np.shares_memory(bunch.data, bunch.images)
    assert np.bincount(bunch.target).tolist() == [
        980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    X, y = load_mnist("all", return_X_y=True)
    assert X.shape == (70000, 28, 28) and y.shape == (70000,)
    Xtr, ytr = load_mnist("train", return_X_y=True)
    np.testing.assert_array_equal(X[:60000], Xtr)
    np.testing.assert_array_equal(X[60000:], bunch.images)
    assert ytr[:3].tolist() == [5, 0, 4]


def test_load_fashion_mnist_real(requires_data):
    bunch = load_fashion_mnist()
    assert bunch.images.shape == (10000, 28, 28)
    assert bunch.target[:3].tolist() == [9, 2, 1]
    assert np.bincount(bunch.target).tolist() == [1000] * 10
    assert bunch.target_names[9] == "Ankle boot"


def test_load_mnist_bad_split():
    with pytest.raises(ValueError, match="split must be 'train', 'test' or 'all'"):
        load_mnist("validation")


# ------------------------------------------------------------- download path


def _tiny_set(rng, n=5):
    X = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
    y = rng.randint(0, 10, size=n).astype(np.uint8)
    return X, y


def _md5(array_bytes):
    return hashlib.md5(array_bytes).hexdigest()


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/served on 127.0.0.1 in a thread; yields (base_url, folder, log)."""
    folder = tmp_path / "served"
    folder.mkdir()
    log = []

    class Handler(_Handler):
        def do_GET(self):
            log.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(Handler, directory=str(folder))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", folder, log
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def offline_env(tmp_path, monkeypatch):
    """No SPECCLUST_DATA, and a private scikit-learn data home."""
    monkeypatch.delenv("SPECCLUST_DATA", raising=False)
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "skl_home"))
    # reach the local server directly even where an HTTP proxy is configured
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return tmp_path


def _serve(folder, rng, monkeypatch, dataset="mnist", split="test"):
    """Write a tiny set as the canonical files and point the checksums at it."""
    X, y = _tiny_set(rng)
    names = _mnist._FILES[split]
    md5 = dict(_mnist.DATASETS[dataset]["md5"])
    for name, arr in zip(names, (X, y)):
        write_idx(folder / (name + ".gz"), arr)
        md5[name] = _md5(read_idx_bytes(arr))
    monkeypatch.setitem(_mnist.DATASETS[dataset], "md5", md5)
    return X, y


def read_idx_bytes(arr):
    """The uncompressed IDX bytes of ``arr`` (what the MD5 is of)."""
    header = bytes([0, 0, 8, arr.ndim]) + np.asarray(arr.shape, ">u4").tobytes()
    return header + arr.tobytes()


def test_download_into_data_home(server, offline_env, rng, monkeypatch):
    url, folder, log = server
    X, y = _serve(folder, rng, monkeypatch)
    home = offline_env / "home"
    Xd, yd = load_mnist("test", data_home=home, base_url=url, return_X_y=True)
    np.testing.assert_array_equal(Xd, X)
    np.testing.assert_array_equal(yd, y)
    assert sorted(p.name for p in (home / "mnist").iterdir()) == [
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    assert len(log) == 2
    # second call reads the cache: no new request, works without download
    Xc, _ = load_mnist("test", data_home=home, download=False, return_X_y=True)
    np.testing.assert_array_equal(Xc, X)
    assert len(log) == 2


def test_download_into_default_cache(server, offline_env, rng, monkeypatch):
    url, folder, _ = server
    X, _ = _serve(folder, rng, monkeypatch, dataset="fashion-mnist")
    bunch = load_fashion_mnist("test", base_url=[url])
    np.testing.assert_array_equal(bunch.images, X)
    assert default_cache_dir() == offline_env / "skl_home" / "specclust"
    assert (default_cache_dir() / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").is_file()


def test_download_falls_back_to_next_mirror(server, offline_env, rng, monkeypatch):
    url, folder, log = server
    X, _ = _serve(folder, rng, monkeypatch)
    Xd, _ = load_mnist(data_home=offline_env / "h", base_url=[url + "missing/", url],
                       return_X_y=True)
    np.testing.assert_array_equal(Xd, X)
    assert any(p.startswith("/missing/") for p in log)


def _assert_nothing_cached(home):
    # no file and no folder: a failed download leaves the data home as it was
    assert not home.exists(), sorted(home.rglob("*"))


def test_download_checksum_mismatch(server, offline_env, rng, monkeypatch):
    url, folder, _ = server
    _serve(folder, rng, monkeypatch)
    # the server now sends another (valid gzip, valid IDX) file: wrong checksum
    write_idx(folder / "t10k-images-idx3-ubyte.gz", np.zeros((5, 28, 28), np.uint8))
    home = offline_env / "home"
    with pytest.raises(OSError, match=r"has MD5 [0-9a-f]{32}, expected [0-9a-f]{32}"):
        load_mnist(data_home=home, base_url=url)
    _assert_nothing_cached(home)


def test_download_truncated_gzip(server, offline_env, rng, monkeypatch):
    url, folder, _ = server
    _serve(folder, rng, monkeypatch)
    path = folder / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:50])
    home = offline_env / "home"
    with pytest.raises(OSError, match="is corrupt"):
        load_mnist(data_home=home, base_url=url)
    _assert_nothing_cached(home)


def test_download_not_found(server, offline_env):
    url, _, _ = server
    home = offline_env / "home"
    with pytest.raises(OSError, match="Could not download t10k-images.*SPECCLUST_DATA"):
        load_mnist(data_home=home, base_url=url)
    _assert_nothing_cached(home)


class _BrokenResponse(io.BytesIO):
    """A response that sends ``head`` then fails like a dropped connection."""

    def read(self, size=-1):
        chunk = super().read(size)
        if not chunk:
            raise ConnectionResetError("connection reset by peer (fake)")
        return chunk


def test_failed_download_leaves_no_folder_nor_partial_file(offline_env, monkeypatch):
    calls = []

    def fake_urlopen(url, timeout=None):
        calls.append(url)
        return _BrokenResponse(b"\x1f\x8b" + b"x" * 100)

    monkeypatch.setattr(_fetch.urllib.request, "urlopen", fake_urlopen)
    home = offline_env / "deep" / "home"
    with pytest.raises(OSError, match="connection reset by peer"):
        load_mnist(data_home=home, base_url=["http://a.invalid/", "http://b.invalid/"])
    assert len(calls) == 2  # both mirrors tried
    _assert_nothing_cached(offline_env / "deep")
    # the default cache: no specclust/ folder appears in the data home either
    with pytest.raises(OSError, match="Could not download"):
        load_fashion_mnist(base_url="http://a.invalid/")
    _assert_nothing_cached(offline_env / "skl_home")


def test_failed_download_keeps_existing_folders(offline_env, monkeypatch):
    monkeypatch.setattr(_fetch.urllib.request, "urlopen",
                        lambda url, timeout=None: _BrokenResponse(b""))
    home = offline_env / "home"
    (home / "mnist").mkdir(parents=True)
    (home / "mnist" / "notes.txt").write_text("mine")
    with pytest.raises(OSError):
        load_mnist(data_home=home, base_url="http://a.invalid/")
    assert sorted(p.name for p in (home / "mnist").iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("damage", ["truncated", "other-content", "plain-garbage"])
def test_corrupt_cached_file_is_downloaded_again(server, offline_env, rng, monkeypatch,
                                                 damage):
    url, folder, log = server
    X, _ = _serve(folder, rng, monkeypatch)
    home = offline_env / "home"
    load_mnist(data_home=home, base_url=url)
    cached = home / "mnist" / "t10k-images-idx3-ubyte.gz"
    if damage == "truncated":
        cached.write_bytes(cached.read_bytes()[:40])
    elif damage == "other-content":
        write_idx(cached, np.zeros((5, 28, 28), np.uint8))
    else:
        cached.unlink()
        cached = cached.with_suffix("")  # a plain (not gzip) file by that name
        cached.write_bytes(b"garbage")
    n_requests = len(log)
    with pytest.warns(UserWarning, match=r"cached file .*t10k-images-idx3-ubyte.* is "
                      r"corrupt: it (has MD5 [0-9a-f]{32}, expected|cannot be read).*"
                      "downloading it again"):
        Xd, _ = load_mnist(data_home=home, base_url=url, return_X_y=True)
    np.testing.assert_array_equal(Xd, X)
    assert len(log) == n_requests + 1  # only the corrupt file was fetched
    assert sorted(p.name for p in (home / "mnist").iterdir()) == [
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    # the repaired cache passes the check silently
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_mnist(data_home=home, base_url=url)


def test_corrupt_cached_file_removed_when_download_fails(server, offline_env, rng,
                                                         monkeypatch):
    url, folder, _ = server
    _serve(folder, rng, monkeypatch)
    home = offline_env / "home"
    load_mnist(data_home=home, base_url=url)
    cached = home / "mnist" / "t10k-images-idx3-ubyte.gz"
    cached.write_bytes(cached.read_bytes()[:40])
    (folder / "t10k-images-idx3-ubyte.gz").unlink()  # the mirror lost it
    with pytest.warns(UserWarning, match="corrupt"), pytest.raises(
            OSError, match=r"cached file .* is corrupt.*it was removed.*Could not download"):
        load_mnist(data_home=home, base_url=url)
    assert not cached.exists()
    assert (home / "mnist" / "t10k-labels-idx1-ubyte.gz").is_file()  # the good one stays


def test_cached_file_not_checked_without_download(offline_env, rng):
    # download=False never touches the cache: a file by hand is read as it is
    home = offline_env / "home"
    X, y = _tiny_set(rng)
    (home / "mnist").mkdir(parents=True)
    write_idx(home / "mnist" / "t10k-images-idx3-ubyte.gz", X)
    write_idx(home / "mnist" / "t10k-labels-idx1-ubyte.gz", y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Xd, _ = load_mnist(data_home=home, download=False, return_X_y=True)
    np.testing.assert_array_equal(Xd, X)


def test_missing_without_download(offline_env):
    with pytest.raises(FileNotFoundError, match="download=False.*SPECCLUST_DATA"):
        load_mnist(data_home=offline_env / "empty", download=False)


def test_lookup_order(tmp_path, rng, monkeypatch):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "skl"))
    a, b = _tiny_set(rng), _tiny_set(rng)
    for root, (X, y) in ((tmp_path / "home", a), (tmp_path / "env", b)):
        (root / "mnist").mkdir(parents=True)
        # plain files in one folder, gzip in the other: both are found
        suffix = "" if root.name == "home" else ".gz"
        write_idx(root / "mnist" / ("t10k-images-idx3-ubyte" + suffix), X)
        write_idx(root / "mnist" / ("t10k-labels-idx1-ubyte" + suffix), y)
    monkeypatch.setenv("SPECCLUST_DATA", str(tmp_path / "env"))
    X, _ = load_mnist(data_home=tmp_path / "home", download=False, return_X_y=True)
    np.testing.assert_array_equal(X, a[0])
    X, _ = load_mnist(download=False, return_X_y=True)
    np.testing.assert_array_equal(X, b[0])
    # data_home without the files falls back to SPECCLUST_DATA
    X, _ = load_mnist(data_home=tmp_path / "nothing", download=False, return_X_y=True)
    np.testing.assert_array_equal(X, b[0])


# -------------------------------------------------------------------- digits


def test_load_digits_images():
    bunch = load_digits_images()
    ref = load_digits()
    assert bunch.images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(bunch.images, ref.images)
    np.testing.assert_array_equal(bunch.data, ref.data)
    np.testing.assert_array_equal(bunch.target, ref.target)
    X, y = load_digits_images(return_X_y=True)
    assert X.shape == (1797, 8, 8) and y.shape == (1797,)


# -------------------------------------------------------------- make_rotated


def _blob_image(size=29, row=14, col=24):
    """A Gaussian blob right of the centre of a size x size image."""
    r, c = np.mgrid[:size, :size]
    return np.exp(-((r - row) ** 2 + (c - col) ** 2) / 4.0)


def _displayed_angle(img):
    """Direction of the centre of mass from the centre, counter-clockwise as displayed."""
    r, c = np.mgrid[: img.shape[0], : img.shape[1]]
    cr = (img * r).sum() / img.sum() - (img.shape[0] - 1) / 2
    cc = (img * c).sum() / img.sum() - (img.shape[1] - 1) / 2
    return np.arctan2(-cr, cc) % (2 * np.pi)


def test_make_rotated_angle_convention():
    X = np.repeat(_blob_image()[None], 20, axis=0)
    X_rot, angles = make_rotated(X, random_state=0)
    assert X_rot.shape == X.shape and X_rot.dtype == X.dtype
    assert np.all((angles >= 0) & (angles < 2 * np.pi))
    assert np.ptp(angles) > np.pi  # spread over the circle, not a constant
    for img, theta in zip(X_rot, angles):
        diff = np.angle(np.exp(1j * (_displayed_angle(img) - theta)))
        assert abs(diff) < 0.05
    # mass is kept (the blob stays inside the image)
    np.testing.assert_allclose(X_rot.sum(axis=(1, 2)), X.sum(axis=(1, 2)), rtol=0.02)


def test_make_rotated_uint8_channels_and_determinism(rng):
    X = rng.randint(0, 256, size=(6, 10, 10, 2)).astype(np.uint8)
    X0 = X.copy()
    a, angles_a = make_rotated(X, random_state=3)
    b, angles_b = make_rotated(X, random_state=3)
    c, angles_c = make_rotated(X, random_state=4)
    np.testing.assert_array_equal(X, X0)  # input untouched
    assert a.dtype == np.uint8 and a.shape == X.shape
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(angles_a, angles_b)
    assert not np.array_equal(angles_a, angles_c)


def test_make_rotated_drop_classes(rng):
    X = rng.uniform(size=(30, 5, 5))
    y = np.arange(30) % 10
    X_rot, y_rot, angles = make_rotated(X, y, random_state=0, drop_classes=(9,))
    assert X_rot.shape == (27, 5, 5) and angles.shape == (27,)
    np.testing.assert_array_equal(y_rot, y[y != 9])
    X_rot, y_rot, angles = make_rotated(X, y, random_state=0)
    assert y_rot.shape == (30,)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(X=np.zeros((3, 4))), "needs images of shape"),
        (dict(X=np.zeros((3, 4, 4)), drop_classes=(1,)), "drop_classes needs the labels y"),
        (dict(X=np.zeros((3, 4, 4)), y=[0, 1]), "3 images but y has 2"),
        (dict(X=np.zeros((3, 4, 4)), y=[1, 1, 1], drop_classes=(1,)), "removes every image"),
        (dict(X=np.full((3, 4, 4), np.nan)), "NaN"),
        (dict(X=np.zeros((3, 4, 4)), order=7), "order must be"),
        (dict(X=np.zeros((0, 4, 4))), "0 sample"),
    ],
)
def test_make_rotated_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_rotated(**kwargs)


# ------------------------------------------------------------- make_occluded


def test_make_occluded_blocks(rng):
    X = rng.randint(1, 256, size=(40, 28, 28)).astype(np.uint8)
    X0 = X.copy()
    X_occ, blocks = make_occluded(X, 0.2, random_state=0, return_blocks=True)
    np.testing.assert_array_equal(X, X0)
    assert X_occ.dtype == X.dtype and X_occ.shape == X.shape
    bh, bw = blocks.height, blocks.width
    assert abs(bh * bw / (28 * 28) - 0.2) < 0.02 and abs(bh - bw) <= 1
    assert np.all(blocks.source != np.arange(40))
    for i in range(40):
        t, lf, s = blocks.top[i], blocks.left[i], blocks.source[i]
        assert 0 <= t <= 28 - bh and 0 <= lf <= 28 - bw
        np.testing.assert_array_equal(X_occ[i, t:t + bh, lf:lf + bw], X[s, t:t + bh, lf:lf + bw])
        mask = np.ones((28, 28), bool)
        mask[t:t + bh, lf:lf + bw] = False
        np.testing.assert_array_equal(X_occ[i][mask], X[i][mask])
    # locations and sources vary
    assert len(set(blocks.top.tolist())) > 3 and len(set(blocks.source.tolist())) > 10


def test_make_occluded_unrelated_class_and_determinism(rng):
    X = rng.uniform(size=(50, 8, 8, 3))
    y = np.arange(50) % 5
    a, ba = make_occluded(X, 0.3, y=y, random_state=1, return_blocks=True)
    b = make_occluded(X, 0.3, y=y, random_state=1)
    c = make_occluded(X, 0.3, y=y, random_state=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.all(y[ba.source] != y)


def test_make_occluded_full_fraction():
    X = np.arange(3 * 4 * 4, dtype=float).reshape(3, 4, 4)
    X_occ, blocks = make_occluded(X, 1.0, random_state=0, return_blocks=True)
    np.testing.assert_array_equal(X_occ, X[blocks.source])


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((np.zeros((3, 4, 4)), 0.0), {}, r"fraction must be a number in \(0, 1\]"),
        ((np.zeros((3, 4, 4)), 1.5), {}, r"fraction must be a number in \(0, 1\]"),
        ((np.zeros((3, 4, 4)), "a"), {}, r"fraction must be a number in \(0, 1\]"),
        ((np.zeros((1, 4, 4)),), {}, "at least 2 images"),
        ((np.zeros((3, 16)),), {}, "needs images of shape"),
        ((np.zeros((3, 4, 4)),), dict(y=[1, 1, 1]), "at least 2 classes"),
        ((np.zeros((3, 4, 4)),), dict(y=[1, 2]), "3 images but y has 2"),
    ],
)
def test_make_occluded_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_occluded(*args, **kwargs)


# --------------------------------------------------------------- load_images


def test_load_images_npy_npz(tmp_path, rng):
    X = rng.randint(0, 256, size=(4, 6, 6)).astype(np.uint8)
    np.save(tmp_path / "a.npy", X)
    Xl, yl = load_images(tmp_path / "a.npy", return_X_y=True)
    np.testing.assert_array_equal(Xl, X)
    assert yl is None
    np.savez(tmp_path / "b.npz", X=X, y=[0, 1, 0, 1])
    bunch = load_images(str(tmp_path / "b.npz"))
    np.testing.assert_array_equal(bunch.images, X)
    assert bunch.target.tolist() == [0, 1, 0, 1]
    np.savez(tmp_path / "c.npz", whatever=X)
    np.testing.assert_array_equal(load_images(tmp_path / "c.npz").images, X)


def test_load_images_idx_with_sibling_labels(tmp_path, rng):
    X, y = _tiny_set(rng)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", X)
    Xl, yl = load_images(tmp_path / "t10k-images-idx3-ubyte.gz", return_X_y=True)
    np.testing.assert_array_equal(Xl, X)
    assert yl is None
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", y)
    Xl, yl = load_images(tmp_path / "t10k-images-idx3-ubyte.gz", return_X_y=True)
    np.testing.assert_array_equal(yl, y)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", y[:3])
    with pytest.raises(ValueError, match="has 3 labels but"):
        load_images(tmp_path / "t10k-images-idx3-ubyte.gz")


def test_load_images_folder(tmp_path, rng):
    Image = pytest.importorskip("PIL.Image")
    flat = tmp_path / "flat"
    flat.mkdir()
    imgs = rng.randint(0, 256, size=(3, 5, 7)).astype(np.uint8)
    for i, img in enumerate(imgs):
        Image.fromarray(img).save(flat / f"img{i}.png")
    (flat / "notes.txt").write_text("ignored")
    bunch = load_images(flat)
    np.testing.assert_array_equal(bunch.images, imgs)
    assert bunch.target is None and len(bunch.filenames) == 3
    # one sub-folder per class; colour images become greyscale
    classes = tmp_path / "classes"
    for name in ("cat", "dog"):
        (classes / name).mkdir(parents=True)
        for i in range(2):
            Image.fromarray(rng.randint(0, 256, size=(5, 7, 3)).astype(np.uint8)).save(
                classes / name / f"{i}.png")
    X, y = load_images(classes, return_X_y=True)
    assert X.shape == (4, 5, 7) and X.dtype == np.uint8
    assert y.tolist() == ["cat", "cat", "dog", "dog"]
    # different sizes
    Image.fromarray(np.zeros((9, 9), np.uint8)).save(flat / "img9.png")
    with pytest.raises(ValueError, match="differ in size.*Resize"):
        load_images(flat)
    (flat / "zz.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="differ in size|not a readable image"):
        load_images(flat)


@pytest.mark.parametrize(
    "setup, exc, match",
    [
        (lambda p: p / "missing.npy", FileNotFoundError, "does not exist"),
        (lambda p: (p / "x.txt").write_text("hello") and p / "x.txt", ValueError,
         "Cannot read"),
        (lambda p: p.joinpath("empty").mkdir() or p / "empty", ValueError, "holds no images"),
        (lambda p: np.save(p / "o.npy", np.array([{}], dtype=object)) or p / "o.npy",
         ValueError, "not a readable .npy"),
        (lambda p: np.savez(p / "m.npz", a=np.zeros(3), b=np.zeros(3)) or p / "m.npz",
         ValueError, "name the images 'X'"),
        (lambda p: np.savez(p / "l.npz", X=np.zeros((3, 2, 2)), y=[1, 2]) or p / "l.npz",
         ValueError, "labels of shape"),
        (lambda p: np.save(p / "v.npy", np.zeros(3)) or p / "v.npy", ValueError,
         "expected images"),
        (lambda p: np.save(p / "s.npy", np.array([["a"]])) or p / "s.npy", ValueError,
         "not numbers"),
    ],
)
def test_load_images_bad_input(tmp_path, setup, exc, match):
    path = setup(tmp_path)
    with pytest.raises(exc, match=match):
        load_images(path)


def test_doctests_run():
    import doctest

    import sklearn_specclust.datasets._idx as m1
    import sklearn_specclust.datasets._images as m2
    import sklearn_specclust.datasets._transforms as m3

    for mod in (m1, m2, m3):
        result = doctest.testmod(mod)
        assert result.attempted > 0 and result.failed == 0, mod.__name__


def test_gzip_md5_helper(tmp_path):
    from sklearn_specclust.datasets._fetch import _md5_uncompressed

    with gzip.open(tmp_path / "f.gz", "wb") as fh:
        fh.write(b"hello")
    (tmp_path / "f").write_bytes(b"hello")
    assert _md5_uncompressed(tmp_path / "f.gz") == hashlib.md5(b"hello").hexdigest()
    assert _md5_uncompressed(tmp_path / "f") == hashlib.md5(b"hello").hexdigest()


def test_make_shifted_moves_each_image_by_its_shift():
    from sklearn_specclust.datasets import load_digits_images, make_shifted

    X, y = load_digits_images(return_X_y=True)
    out, shifts = make_shifted(X[:50], max_shift=2, random_state=0)
    assert out.shape == (50, 8, 8) and out.dtype == X.dtype
    assert shifts.shape == (50, 2) and np.abs(shifts).max() <= 2
    for img, src, (dy, dx) in zip(out, X[:50], shifts):
        expected = np.roll(src, (dy, dx), axis=(0, 1))
        if dy > 0:
            expected[:dy] = 0
        elif dy < 0:
            expected[dy:] = 0
        if dx > 0:
            expected[:, :dx] = 0
        elif dx < 0:
            expected[:, dx:] = 0
        np.testing.assert_array_equal(img, expected)
    # drawing copies keeps each image with its label; channels travel along
    rgb = np.repeat(X[..., None], 3, axis=3)
    big, labels, _ = make_shifted(rgb, y, n_samples=3000, max_shift=0, random_state=1)
    assert big.shape == (3000, 8, 8, 3)
    source = {img.tobytes(): label for img, label in zip(rgb, y)}
    assert all(source[img.tobytes()] == label for img, label in zip(big, labels))
    np.testing.assert_array_equal(make_shifted(X, random_state=2)[0],
                                  make_shifted(X, random_state=2)[0])


@pytest.mark.parametrize("kwargs, match", [
    (dict(max_shift=8), "moves 8x8 images out of their frame"),
    (dict(max_shift=-1), "non-negative integer"),
    (dict(n_samples=0), "positive integer"),
    (dict(y=np.zeros(3)), "50 images but y has 3 labels"),
])
def test_make_shifted_refuses(kwargs, match):
    from sklearn_specclust.datasets import load_digits_images, make_shifted

    with pytest.raises(ValueError, match=match):
        make_shifted(load_digits_images(return_X_y=True)[0][:50], **kwargs)
