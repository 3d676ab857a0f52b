"""
Spreading a spectral analysis layer over a Dask cluster
=======================================================

The procedures of a :class:`~sklearn_specclust.spectral.SpectralAnalysisLayer`
are independent, so the layer fits them through joblib. Under joblib's
``"dask"`` backend they run as tasks of a ``dask.distributed`` cluster -- here
a two-worker ``LocalCluster`` on 127.0.0.1 -- with no change to the layer.
"""

# %%
# Digits as 8x8 images; every pixel row of 64 features is a node.
import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits

from sklearn_specclust.spectral import SpectralAnalysisLayer

X, y = load_digits(return_X_y=True)
X = X[:600] / 16.0
y = y[:600]
layer = SpectralAnalysisLayer(
    n_neighbors=(9, 17), eps_scales=(1.0,), gaussian_scales=(0.1, "self-tuning"),
    n_components=2, drop_first=True, n_jobs=-1, random_state=0,
)

# %%
# Fit once sequentially and once on the cluster: the same embedding.
sequential = SpectralAnalysisLayer(**{**layer.get_params(), "n_jobs": None}).fit_transform(X)
with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                  host="127.0.0.1", dashboard_address=None) as cluster, Client(cluster):
    with joblib.parallel_backend("dask"):
        layer.fit(X)
    embedding = layer.transform(X)
print("max difference to the sequential fit:", np.abs(embedding - sequential).max())

# %%
# Each procedure's first two non-trivial eigenvector coordinates.
fig, axes = plt.subplots(1, len(layer.procedures_), figsize=(3 * len(layer.procedures_), 3))
for i, (ax, proc) in enumerate(zip(axes, layer.procedures_)):
    ax.scatter(embedding[:, 2 * i], embedding[:, 2 * i + 1], c=y, s=4, cmap="tab10")
    ax.set_title(f"{proc['family']} {proc['parameter']}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()
