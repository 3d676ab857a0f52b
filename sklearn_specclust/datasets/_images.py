"""Loaders for scikit-learn's digits as images and for the user's own image data."""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils import Bunch

from ._idx import read_idx

_IMAGE_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".pgm", ".ppm", ".webp"
}


def load_digits_images(*, return_X_y=False):
    """Load scikit-learn's bundled 8x8 digits as ``(1797, 8, 8)`` images.

    The data ship with scikit-learn: no download is ever needed.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images`` (1797, 8, 8) float64 with values 0..16, ``data`` (1797, 64),
        ``target`` (1797,) int64, ``target_names``, ``DESCR``.
    (images, target) : tuple
        When ``return_X_y=True``.

    See Also
    --------
    sklearn.datasets.load_digits : the same data as flat rows.

    Examples
    --------
    >>> from sklearn_specclust.datasets import load_digits_images
    >>> X, y = load_digits_images(return_X_y=True)
    >>> X.shape, y.shape
    ((1797, 8, 8), (1797,))
    """
    digits = load_digits()
    images = np.ascontiguousarray(digits.images)
    target = digits.target.astype(np.int64)
    if return_X_y:
        return images, target
    return Bunch(
        images=images,
        data=images.reshape(images.shape[0], -1),
        target=target,
        target_names=[str(t) for t in digits.target_names],
        DESCR=digits.DESCR,
    )


def _load_npy(path):
    try:
        X = np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise ValueError(f"{str(path)!r} is not a readable .npy array ({exc}).") from exc
    return X, None


def _load_npz(path):
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise ValueError(f"{str(path)!r} is not a readable .npz archive ({exc}).") from exc
    with archive:
        keys = list(archive.files)
        if "X" in keys:
            x_key = "X"
        elif "images" in keys:
            x_key = "images"
        elif len(keys) == 1:
            x_key = keys[0]
        else:
            raise ValueError(
                f"{str(path)!r} holds arrays {keys}; name the images 'X' (and the "
                "optional labels 'y'), e.g. np.savez(path, X=X, y=y)."
            )
        X = archive[x_key]
        y = None
        for y_key in ("y", "target", "labels"):
            if y_key in keys:
                y = archive[y_key]
                break
    return X, y


def _load_idx_file(path):
    X = read_idx(path)
    y = None
    name = path.name
    if "images-idx3" in name:
        sibling = path.with_name(name.replace("images-idx3", "labels-idx1"))
        if sibling.is_file():
            y = read_idx(sibling).astype(np.int64)
            if y.shape[0] != X.shape[0]:
                raise ValueError(
                    f"{str(sibling)!r} has {y.shape[0]} labels but {str(path)!r} "
                    f"has {X.shape[0]} images."
                )
    return X, y


def _read_image(path):
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - pillow is in the test extra
        raise ImportError(
            "Reading a folder of images needs Pillow, which is not installed. "
            "Install it with: pip install pillow"
        ) from exc
    try:
        with Image.open(path) as img:
            return np.asarray(img.convert("L"))
    except Exception as exc:  # PIL raises many types for unreadable files
        raise ValueError(f"{str(path)!r} is not a readable image ({exc}).") from exc


def _load_folder(path):
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _IMAGE_SUFFIXES)
    subdirs = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    labels = None
    if not files and subdirs:
        # one sub-folder per class (the ImageFolder convention)
        files, labels = [], []
        for sub in subdirs:
            found = sorted(
                p for p in sub.iterdir() if p.is_file() and p.suffix.lower() in _IMAGE_SUFFIXES
            )
            files.extend(found)
            labels.extend([sub.name] * len(found))
    if not files:
        raise ValueError(
            f"Folder {str(path)!r} holds no images ({', '.join(sorted(_IMAGE_SUFFIXES))}), "
            "neither directly nor in one sub-folder per class."
        )
    images = []
    for f in files:
        img = _read_image(f)
        if images and img.shape != images[0].shape:
            raise ValueError(
                f"Images in {str(path)!r} differ in size: {files[0].name} is "
                f"{images[0].shape[1]}x{images[0].shape[0]} (width x height) but "
                f"{f.name} is {img.shape[1]}x{img.shape[0]}. Resize them to one size."
            )
        images.append(img)
    y = None if labels is None else np.asarray(labels)
    return np.stack(images), y, [str(f) for f in files]


def load_images(path, *, return_X_y=False):
    """Load the user's images from an array file, an IDX file or a folder.

    Parameters
    ----------
    path : str or path-like
        One of

        - a ``.npy`` file: the images (or 2-D rows), no labels;
        - a ``.npz`` archive: images under ``X`` (or ``images``, or its only
          array) and optional labels under ``y`` (or ``target``/``labels``);
        - an IDX file, plain or gzip (e.g. ``t10k-images-idx3-ubyte.gz``);
          labels are read from the sibling ``...labels-idx1...`` file when
          there is one;
        - a folder of images (PNG, JPEG, ...) all of the same size, read as
          greyscale uint8 in file-name order; when the folder holds one
          sub-folder per class instead, the sub-folder names are the labels.
          Needs Pillow.

    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images`` (the array as stored), ``target`` (labels or None),
        ``filenames`` (for folders, else None).
    (images, target) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file's format is not one of the above, is unreadable, holds
        no images, or labels and images differ in number.

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> from sklearn_specclust.datasets import load_images
    >>> path = os.path.join(tempfile.mkdtemp(), "data.npz")
    >>> np.savez(path, X=np.zeros((3, 4, 4)), y=[0, 1, 1])
    >>> X, y = load_images(path, return_X_y=True)
    >>> X.shape, y.tolist()
    ((3, 4, 4), [0, 1, 1])
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{str(path)!r} does not exist.")
    filenames = None
    if path.is_dir():
        X, y, filenames = _load_folder(path)
    elif path.suffix.lower() == ".npy":
        X, y = _load_npy(path)
    elif path.suffix.lower() == ".npz":
        X, y = _load_npz(path)
    else:
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head[:2] == b"\x1f\x8b" or (head[:2] == b"\x00\x00" and len(head) == 4):
            X, y = _load_idx_file(path)
        else:
            raise ValueError(
                f"Cannot read {str(path)!r}: expected a .npy or .npz array, an IDX "
                "file (plain or .gz) or a folder of images."
            )
    X = np.asarray(X)
    if X.ndim < 2 or X.shape[0] == 0:
        raise ValueError(
            f"{str(path)!r} holds an array of shape {X.shape}; expected images "
            "(n, height, width[, channels]) or rows (n, n_features) with n >= 1."
        )
    if X.dtype.kind not in "uifb":
        raise ValueError(f"{str(path)!r} holds an array of dtype {X.dtype}, not numbers.")
    if y is not None:
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"{str(path)!r} holds {X.shape[0]} images but labels of shape {y.shape}."
            )
    if return_X_y:
        return X, y
    return Bunch(images=X, target=y, filenames=filenames)
