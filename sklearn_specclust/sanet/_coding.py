"""Bit coding: groups of binary maps -> decimal maps (SA-Net, Eq. 11)."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import MapTransformer
from ._normalize import _blocks, _resolve_block_size


def _groups(n_channels, n_bits, block_size, remainder):
    """List of (start, stop) channel ranges, one per decimal map."""
    groups = []
    for start, stop in _blocks(n_channels, block_size):
        for g in range(start, stop, n_bits):
            end = min(g + n_bits, stop)
            if end - g < n_bits and remainder == "drop":
                continue
            groups.append((g, end))
    if not groups:
        blocks = [b - a for a, b in _blocks(n_channels, block_size)]
        raise ValueError(
            f"No complete group of n_bits={n_bits} channels in blocks {blocks} "
            "with remainder='drop'; use remainder='keep' or fewer bits."
        )
    return groups


class BitCoder(MapTransformer):
    """Pack groups of binary maps into decimal maps (SA-Net, Eq. 11, Fig. 4).

    Consecutive groups of ``n_bits`` binary maps (in ascending eigenvalue
    order) become one decimal map ``sum_j 2**(L - j) * B_j`` for
    ``j = 1..L``: the map of the smallest eigenvalue in a group is the most
    significant bit, so the coarsest spectral structure weighs most.

    Parameters
    ----------
    n_bits : int, default=8
        Group length ``L``: binary maps per decimal map.
    block_size : int, list of int, "auto" or None, default="auto"
        Channels of each concatenated spectral procedure. A spectral layer
        concatenates one block per procedure, each block in ascending
        eigenvalue order; groups are formed inside each block and never
        straddle two procedures, so within every group the bits are in
        ascending eigenvalue order of one eigen-problem. An int means equal
        blocks of that size; ``None`` treats all channels as one block.
    remainder : {"keep", "drop"}, default="keep"
        What happens to the last ``r < n_bits`` channels of a block:
        ``"keep"`` codes them as one shorter group with weights
        ``2**(r - j)`` (values ``0 .. 2**r - 1``); ``"drop"`` discards them.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (2-D input) or map height (3-D/4-D input) seen in
        ``fit``.
    groups_ : list of tuple of int
        ``(start, stop)`` input channels of every output map, in output order.

    See Also
    --------
    SignBinarizer : The stage before, producing the binary maps.

    Notes
    -----
    Input values are read as bits by ``x > 0`` (anything positive is a 1),
    so real-valued maps can be coded directly. Output dtype follows the
    input's floating dtype; with ``n_bits <= 24`` codes are exact in float32.

    References
    ----------
    .. [1] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
       image clustering", Neurocomputing, 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.sanet import BitCoder
    >>> bits = np.array([[1., 0., 1., 1., 0.]])
    >>> BitCoder(n_bits=4).fit_transform(bits)   # 1011 -> 11, remainder 0 -> 0
    array([[11.,  0.]])
    >>> BitCoder(n_bits=2, block_size=[3, 2]).fit_transform(bits)  # 10|1 | 10
    array([[2., 1., 2.]])
    """

    _parameter_constraints = {
        "n_bits": [Interval(Integral, 1, 52, closed="both")],
        "block_size": [
            Interval(Integral, 1, None, closed="left"), list, tuple, StrOptions({"auto"}), None
        ],
        "remainder": [StrOptions({"keep", "drop"})],
    }

    def __init__(self, n_bits=8, *, block_size="auto", remainder="keep"):
        self.n_bits = n_bits
        self.block_size = block_size
        self.remainder = remainder

    def _fit_maps(self, maps, channel_blocks=None):
        # channel_blocks: the last layer's n_components, from make_sanet's pipeline
        self.groups_ = _groups(
            maps.shape[-1],
            self.n_bits,
            _resolve_block_size(self.block_size, channel_blocks),
            self.remainder,
        )

    def _transform_maps(self, maps):
        n, h, w, _ = maps.shape
        codes = np.empty((n, h, w, len(self.groups_)), dtype=maps.dtype)
        for k, (start, stop) in enumerate(self.groups_):
            length = stop - start
            weights = 2.0 ** np.arange(length - 1, -1, -1)
            bits = maps[..., start:stop] > 0
            codes[..., k] = bits @ weights.astype(maps.dtype)
        return codes
