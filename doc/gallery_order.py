"""Reading order of the gallery (sphinx-gallery's ``within_subsection_order``)."""

# How SA-Net works, then choosing its graphs, the baselines, the rotation-
# invariant encoder and scaling; examples not listed follow by file name.
ORDER = [
    "plot_sanet_stages.py",
    "plot_sanet_mnist.py",
    "plot_choosing_affinities.py",
    "plot_baselines.py",
    "plot_rotinv_inr.py",
    "plot_scaling_approximations.py",
    "plot_spectral_dask.py",
]


class ReadingOrder:
    """Sort key: the position in ``ORDER``, then the file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        rank = ORDER.index(filename) if filename in ORDER else len(ORDER)
        return rank, filename

    def __repr__(self):
        return f"<{type(self).__name__}: {ORDER}>"
