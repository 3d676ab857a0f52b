"""Read and write IDX files (the MNIST format), plain or gzip-compressed."""

import gzip
import io
import os
from pathlib import Path

import numpy as np

# IDX type code -> big-endian numpy dtype
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def _open_maybe_gzip(path):
    """Open ``path`` for binary reading, decompressing when it is gzip."""
    with open(path, "rb") as fh:
        head = fh.read(2)
    if head == _GZIP_MAGIC:
        return gzip.open(path, "rb")
    return open(path, "rb")


def _parse_idx(raw, name):
    if len(raw) < 4:
        raise ValueError(
            f"{name} is not an IDX file: it has only {len(raw)} bytes, fewer "
            "than the 4-byte IDX header."
        )
    zero1, zero2, code, ndim = raw[0], raw[1], raw[2], raw[3]
    if zero1 != 0 or zero2 != 0 or code not in _IDX_DTYPES or ndim == 0:
        raise ValueError(
            f"{name} is not an IDX file: its header bytes are "
            f"{raw[:4].hex(' ')}; an IDX file starts with 00 00, a type code "
            "(08 uint8, 09 int8, 0b int16, 0c int32, 0d float32, 0e float64) "
            "and the number of dimensions."
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(
            f"{name} is a truncated IDX file: the header announces {ndim} "
            f"dimensions but the file ends after {len(raw)} bytes."
        )
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[code]
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"{name} is a corrupt IDX file: its header announces shape {shape} "
            f"of {dtype.name} ({expected} bytes with the header) but it has "
            f"{len(raw)} bytes. Download it again."
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def read_idx(path):
    """Read an IDX file (the MNIST format), plain or gzip-compressed.

    Compression is detected from the file's first bytes, not its name.

    Parameters
    ----------
    path : str or path-like
        Path of the IDX file.

    Returns
    -------
    array : ndarray
        The array stored in the file, in native byte order (``uint8`` for
        MNIST images and labels).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a valid IDX file (bad header, truncated, corrupt
        gzip stream).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from sklearn_specclust.datasets import read_idx, write_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "x-idx3-ubyte.gz")
    >>> write_idx(path, np.arange(8, dtype=np.uint8).reshape(2, 2, 2))
    >>> read_idx(path).shape
    (2, 2, 2)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file {str(path)!r} does not exist.")
    try:
        with _open_maybe_gzip(path) as fh:
            raw = fh.read()
    except (OSError, EOFError) as exc:
        raise ValueError(
            f"{str(path)!r} could not be decompressed ({exc}); the gzip file "
            "is corrupt or truncated. Download it again."
        ) from exc
    return _parse_idx(raw, repr(str(path)))


def write_idx(path, array):
    """Write ``array`` as an IDX file, gzip-compressed when ``path`` ends in ``.gz``.

    Parameters
    ----------
    path : str or path-like
        Destination path.
    array : array-like
        Array of dtype uint8, int8, int16, int32, float32 or float64 with at
        least one dimension.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from sklearn_specclust.datasets import read_idx, write_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "y-idx1-ubyte")
    >>> write_idx(path, np.array([3, 1, 4], dtype=np.uint8))
    >>> read_idx(path)
    array([3, 1, 4], dtype=uint8)
    """
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in _IDX_DTYPES.items()}
    dtype = array.dtype.newbyteorder("=")
    if dtype not in codes or array.ndim == 0:
        raise ValueError(
            f"Cannot write an array of dtype {array.dtype} and shape "
            f"{array.shape} as IDX; use uint8, int8, int16, int32, float32 or "
            "float64 with at least one dimension."
        )
    buf = io.BytesIO()
    buf.write(bytes([0, 0, codes[dtype], array.ndim]))
    buf.write(np.asarray(array.shape, dtype=">u4").tobytes())
    buf.write(np.ascontiguousarray(array, dtype=_IDX_DTYPES[codes[dtype]]).tobytes())
    data = buf.getvalue()
    path = os.fspath(path)
    if path.endswith(".gz"):
        # mtime=0 makes the file byte-for-byte reproducible
        with open(path, "wb") as raw_fh, gzip.GzipFile(
            filename="", mode="wb", fileobj=raw_fh, mtime=0
        ) as fh:
            fh.write(data)
    else:
        with open(path, "wb") as fh:
            fh.write(data)
