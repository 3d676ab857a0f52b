"""Image data sets: MNIST, Fashion-MNIST, digits, the user's files, and the
rotated, occluded and shifted variants used by the papers."""

from ._idx import read_idx, write_idx
from ._images import load_digits_images, load_images
from ._mnist import default_cache_dir, load_fashion_mnist, load_mnist
from ._shifted import make_shifted, make_shifted_dask
from ._transforms import make_occluded, make_rotated

__all__ = [
    "default_cache_dir",
    "load_digits_images",
    "load_fashion_mnist",
    "load_images",
    "load_mnist",
    "make_occluded",
    "make_rotated",
    "make_shifted",
    "make_shifted_dask",
    "read_idx",
    "write_idx",
]
