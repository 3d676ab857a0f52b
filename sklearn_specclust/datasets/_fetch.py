"""Download a file, verify its checksum, and move it into place atomically."""

import gzip
import hashlib
import logging
import os
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

logger = logging.getLogger("sklearn_specclust.datasets")

_CHUNK = 1 << 16


def _md5_uncompressed(path):
    """MD5 of the file's content after gzip decompression (if it is gzip).

    A gzip stream that is truncated or damaged raises ``OSError`` (whatever
    zlib or gzip raised is chained).
    """
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        is_gzip = fh.read(2) == b"\x1f\x8b"
    opener = gzip.open if is_gzip else open
    try:
        with opener(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                digest.update(chunk)
    except (EOFError, zlib.error) as exc:
        raise OSError(f"{exc} (gzip stream)") from exc
    return digest.hexdigest()


def verify_file(path, md5):
    """Return None when ``path`` has MD5 ``md5``, else a sentence saying why not."""
    try:
        found = _md5_uncompressed(path)
    except OSError as exc:
        return f"it cannot be read ({exc})"
    if found != md5:
        return f"it has MD5 {found}, expected {md5}"
    return None


def _make_parents(folder):
    """Create ``folder`` and its missing parents; return those created, deepest first."""
    created = []
    folder = Path(folder)
    while not folder.exists():
        created.append(folder)
        folder = folder.parent
    for path in reversed(created):
        path.mkdir(exist_ok=True)
    return created


def _remove_empty(folders):
    """Remove each folder of ``folders`` (deepest first) that is still empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # not empty, or already gone
            break


def fetch_file(url, dest, md5, *, timeout=60):
    """Download ``url`` to ``dest`` after checking the MD5 of its content.

    The file is written to a temporary file in the destination folder,
    verified (the MD5 is that of the *uncompressed* content for gzip files,
    which is what the MNIST distributions document), then renamed into place
    with :func:`os.replace`, which is atomic. On any failure the temporary
    file is removed, and so are the folders this call created: a failed
    download leaves nothing behind, not even an empty folder.

    Parameters
    ----------
    url : str
        Address to download.
    dest : path-like
        Final path of the file.
    md5 : str
        Expected hexadecimal MD5 of the (uncompressed) content.
    timeout : float, default=60
        Socket timeout in seconds.

    Returns
    -------
    dest : Path
        The verified file.

    Raises
    ------
    OSError
        If the download fails or its checksum differs from ``md5``.
    """
    dest = Path(dest)
    created = _make_parents(dest.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    except BaseException:
        _remove_empty(created)
        raise
    try:
        with os.fdopen(fd, "wb") as out:
            logger.info("Downloading %s to %s", url, dest)
            with urllib.request.urlopen(url, timeout=timeout) as response:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
        try:
            found = _md5_uncompressed(tmp)
        except OSError as exc:
            raise OSError(
                f"The file downloaded from {url} is corrupt ({exc}); nothing "
                "was saved. Try again, or place the file in the data folder "
                "by hand."
            ) from exc
        if found != md5:
            raise OSError(
                f"The file downloaded from {url} has MD5 {found}, expected "
                f"{md5}: the download is corrupt or the server sent another "
                "file. Nothing was saved; try again, or place the file in the "
                "data folder by hand."
            )
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        _remove_empty(created)
        raise
    return dest


def fetch_first(urls, dest, md5, *, timeout=60):
    """Try :func:`fetch_file` on each mirror in turn; raise if all fail."""
    errors = []
    for url in urls:
        try:
            return fetch_file(url, dest, md5, timeout=timeout)
        except (OSError, urllib.error.URLError) as exc:
            logger.info("Download from %s failed: %s", url, exc)
            errors.append(f"{url}: {exc}")
    raise OSError(
        f"Could not download {Path(dest).name}: " + "; ".join(errors)
    )
