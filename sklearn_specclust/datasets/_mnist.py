"""MNIST and Fashion-MNIST loaders: local folders first, then a verified download."""

import os
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._fetch import fetch_first, verify_file
from ._idx import read_idx

ENV_VAR = "SPECCLUST_DATA"

_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

#: Mirrors and checksums of the canonical files. The MD5s are those of the
#: *uncompressed* IDX files; the mirrors serve them gzip-compressed (``.gz``).
#: Tests replace these entries to serve small files from a local server.
DATASETS = {
    "mnist": {
        "urls": [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ],
        "md5": {
            "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
            "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
            "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
            "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
        },
        "target_names": [str(i) for i in range(10)],
        "descr": "MNIST handwritten digits (LeCun, Cortes, Burges): 60,000 "
        "training and 10,000 test images of 28x28 pixels, 10 classes.",
    },
    "fashion-mnist": {
        "urls": [
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
        ],
        "md5": {
            "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
            "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
            "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
            "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
        },
        "target_names": [
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ],
        "descr": "Fashion-MNIST (Xiao, Rasul, Vollgraf; Zalando Research): "
        "60,000 training and 10,000 test images of 28x28 pixels, 10 classes "
        "of clothing.",
    },
}


def default_cache_dir():
    """Folder the loaders download into when no ``data_home`` is given.

    ``<scikit-learn data home>/specclust``, i.e. ``~/scikit_learn_data/specclust``
    unless ``SCIKIT_LEARN_DATA`` says otherwise.
    """
    # the same rule as sklearn.datasets.get_data_home, without creating the folder
    home = os.environ.get("SCIKIT_LEARN_DATA", os.path.join("~", "scikit_learn_data"))
    return Path(home).expanduser() / "specclust"


def _find(folder, name):
    """``folder/name`` or ``folder/name.gz`` when either exists, else None."""
    for candidate in (folder / name, folder / (name + ".gz")):
        if candidate.is_file():
            return candidate
    return None


def _locate(dataset, names, data_home, download, base_url):
    """Return the paths of ``names``, downloading them when allowed and needed."""
    folders = []
    if data_home is not None:
        folders.append(Path(data_home) / dataset)
    env = os.environ.get(ENV_VAR)
    if env:
        folders.append(Path(env) / dataset)
    cache = (Path(data_home) if data_home is not None else default_cache_dir()) / dataset
    if cache not in folders:
        folders.append(cache)

    info = DATASETS[dataset]
    paths = []
    for name in names:
        found = next((p for p in (_find(f, name) for f in folders) if p), None)
        corrupt = None
        if download and found is not None and found.parent == cache:
            # the download target is ours to repair: check what an earlier
            # run (or a copy by hand) left there before trusting it
            why = verify_file(found, info["md5"][name])
            if why is not None:
                corrupt = f"The cached file {found} is corrupt: {why}"
                warnings.warn(f"{corrupt}. Removed it; downloading it again.",
                              UserWarning, stacklevel=4)
                found.unlink()
                found = None
        if found is None:
            if not download:
                raise FileNotFoundError(
                    f"{dataset} file {name}[.gz] not found in "
                    f"{', '.join(str(f) for f in folders)} and download=False. "
                    f"Set {ENV_VAR} to a folder holding {dataset}/{name}.gz, "
                    "pass data_home, or allow the download."
                )
            if base_url is None:
                urls = info["urls"]
            elif isinstance(base_url, str):
                urls = [base_url]
            else:
                urls = list(base_url)
            urls = [u if u.endswith("/") else u + "/" for u in urls]
            try:
                found = fetch_first(
                    [u + name + ".gz" for u in urls], cache / (name + ".gz"), info["md5"][name]
                )
            except OSError as exc:
                removed = f"{corrupt}; it was removed. " if corrupt else ""
                raise OSError(
                    f"{removed}{exc}. Alternatively, copy {name}.gz into a folder "
                    f"<root>/{dataset}/ and set {ENV_VAR}=<root>."
                ) from exc
        paths.append(found)
    return paths


def _load(dataset, split, data_home, download, return_X_y, base_url):
    if split not in ("train", "test", "all"):
        raise ValueError(
            f"split must be 'train', 'test' or 'all', got {split!r}."
        )
    splits = ["train", "test"] if split == "all" else [split]
    images, labels = [], []
    for part in splits:
        img_path, lab_path = _locate(dataset, _FILES[part], data_home, download, base_url)
        X = read_idx(img_path)
        y = read_idx(lab_path)
        if X.ndim != 3 or y.ndim != 1 or X.shape[0] != y.shape[0]:
            raise ValueError(
                f"{img_path} and {lab_path} do not hold images (n, h, w) with one "
                f"label each: shapes {X.shape} and {y.shape}."
            )
        images.append(X)
        labels.append(y.astype(np.int64))
    X = images[0] if len(images) == 1 else np.concatenate(images)
    y = labels[0] if len(labels) == 1 else np.concatenate(labels)
    if return_X_y:
        return X, y
    info = DATASETS[dataset]
    return Bunch(
        images=X,
        data=X.reshape(X.shape[0], -1),
        target=y,
        target_names=list(info["target_names"]),
        split=split,
        DESCR=info["descr"],
    )


_LOADER_DOC = """Load {title} as ``(n, 28, 28)`` uint8 images and integer labels.

    The four IDX files (plain or ``.gz``) are looked up in ``data_home/{name}/``,
    then in ``${env}/{name}/``, then in the download cache
    (``data_home`` or :func:`default_cache_dir`); when missing and
    ``download=True`` they are downloaded from the canonical mirrors into the
    cache, their MD5 checked, and only then moved into place.

    Parameters
    ----------
    split : {{"train", "test", "all"}}, default="test"
        ``"train"`` (60,000 images), ``"test"`` (10,000) or ``"all"``
        (70,000: train then test).
    data_home : str or path-like, default=None
        Folder holding ``{name}/`` (looked up first, and the download target).
    download : bool, default=True
        Download missing files; when False a missing file raises
        ``FileNotFoundError``.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    base_url : str or list of str, default=None
        Mirror(s) to download from instead of the canonical ones.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images`` (n, 28, 28) uint8, ``data`` (n, 784) view of the images,
        ``target`` (n,) int64, ``target_names``, ``split``, ``DESCR``.
    (images, target) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        A file is missing and ``download=False``.
    OSError
        The download failed or its checksum did not match.

    References
    ----------
    {ref}

    Examples
    --------
    >>> from sklearn_specclust.datasets import {func}
    >>> X, y = {func}(split="test", return_X_y=True)  # doctest: +SKIP
    >>> X.shape, X.dtype, y[:3]  # doctest: +SKIP
    ((10000, 28, 28), dtype('uint8'), array({first}))
    """


def load_mnist(split="test", *, data_home=None, download=True, return_X_y=False, base_url=None):
    return _load("mnist", split, data_home, download, return_X_y, base_url)


def load_fashion_mnist(
    split="test", *, data_home=None, download=True, return_X_y=False, base_url=None
):
    return _load("fashion-mnist", split, data_home, download, return_X_y, base_url)


load_mnist.__doc__ = _LOADER_DOC.format(
    title="MNIST",
    name="mnist",
    env=ENV_VAR,
    func="load_mnist",
    first="[7, 2, 1]",
    ref=".. [1] Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. Gradient-based "
    "learning applied to document recognition. Proc. IEEE 86(11), 1998.",
)
load_fashion_mnist.__doc__ = _LOADER_DOC.format(
    title="Fashion-MNIST",
    name="fashion-mnist",
    env=ENV_VAR,
    func="load_fashion_mnist",
    first="[9, 2, 1]",
    ref=".. [1] H. Xiao, K. Rasul, R. Vollgraf. Fashion-MNIST: a novel image "
    "dataset for benchmarking machine learning algorithms. arXiv:1708.07747, 2017.",
)
