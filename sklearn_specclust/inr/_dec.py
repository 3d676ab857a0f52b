"""DEC: Deep Embedded Clustering on a fixed feature space."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.cluster import KMeans
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..utils import import_torch
from ..utils._clustering import warn_fewer_clusters
from ..utils._persistence import VersionedPickleMixin
from ._training import restore_on_interrupt, train_pass


class DEC(VersionedPickleMixin, ClusterMixin, BaseEstimator):
    """Deep Embedded Clustering (Xie et al. 2016) on a given feature space.

    Cluster centres start from k-means. Each point gets a Student-t soft
    assignment ``q_ij ∝ (1 + ||z_i - mu_j||^2 / alpha)^(-(alpha + 1) / 2)``;
    the sharpened target ``p_ij ∝ q_ij^2 / f_j`` (``f_j = sum_i q_ij``) is
    recomputed every ``update_interval`` steps, and the centres minimise
    ``KL(P || Q)`` by mini-batch Adam. Training stops when fewer than a
    fraction ``tol`` of the hard assignments changed between two target
    updates, or after ``max_iter`` steps.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    alpha : float, default=1.0
        Degrees of freedom of the Student-t kernel (the thesis uses ``1e-4``
        on the INR latent).
    tol : float, default=1e-3
        Stop when the fraction of changed assignments falls below ``tol``.
    max_iter : int, default=2000
        Maximum number of optimisation steps.
    update_interval : int, default=100
        Steps between two updates of the target distribution.
    batch_size : int, default=256
        Points per optimisation step.
    lr : float, default=1e-2
        Adam learning rate, in units of the features' overall standard
        deviation (the centres move in a rescaled space; the kernel uses the
        original distances).
    init : "k-means" or array-like of shape (n_clusters, n_features), \
default="k-means"
        Starting centres: k-means (Xie et al.), or given centres, e.g. the
        means of the clusters another method found (DEC after a
        neighbour-based stage, as in the published follow-up of the thesis;
        see ``benchmarks/results/rotinv_gap.md`` for its measured effect).
    n_init : int, default=10
        Runs of the k-means initialisation (unused with given centres).
    random_state : int, RandomState instance or None, default=None
        Seeds k-means and the mini-batches.
    verbose : int, default=0
        Positive: print a line at each target update (step, KL loss,
        fraction of changed assignments, points/s).

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Final cluster centres.
    labels_ : ndarray of shape (n_samples,)
        Hard assignment (largest ``q_ij``) of the training points.
    n_iter_ : int
        Optimisation steps run.
    n_features_in_ : int
        Number of features seen during ``fit``.

    See Also
    --------
    sklearn.cluster.KMeans : The initialisation.
    RotInvINREncoder : The latent space the thesis clusters with DEC.

    Notes
    -----
    Scope: like the thesis's use of DEC on the INR latent, only the cluster
    centres are fine-tuned; the feature space is fixed (Xie et al. also
    fine-tune the encoder). Put an encoder before DEC in a Pipeline to
    cluster images.

    References
    ----------
    .. [1] Xie, Girshick and Farhadi, "Unsupervised Deep Embedding for
       Clustering Analysis", ICML 2016.
    .. [2] Kwon, "Rotationally Invariant Clustering with Implicit Neural
       Representations" (thesis).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.inr import DEC
    >>> X = np.array([[0., 0.], [0.1, 0.], [5., 5.], [5.1, 5.]])
    >>> DEC(n_clusters=2, random_state=0).fit(X).labels_.tolist() in ([0, 0, 1, 1], [1, 1, 0, 0])
    True
    """

    _needs_torch = True

    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "tol": [Interval(Real, 0, 1, closed="both")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "update_interval": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "init": [StrOptions({"k-means"}), "array-like"],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        alpha=1.0,
        tol=1e-3,
        max_iter=2000,
        update_interval=100,
        batch_size=256,
        lr=1e-2,
        init="k-means",
        n_init=10,
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.alpha = alpha
        self.tol = tol
        self.max_iter = max_iter
        self.update_interval = update_interval
        self.batch_size = batch_size
        self.lr = lr
        self.init = init
        self.n_init = n_init
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the cluster centres to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features (e.g. the output of :class:`RotInvINREncoder`).
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : DEC
            The fitted clusterer.
        """
        with restore_on_interrupt(self):
            return self._fit(X)

    def _fit(self, X):
        torch = import_torch("DEC")
        from ._torch_model import soft_assignment, target_distribution

        X = validate_data(self, X, dtype=(np.float64, np.float32))
        n = X.shape[0]
        if n < self.n_clusters:
            raise ValueError(
                f"n_samples={n} should be >= n_clusters={self.n_clusters}; "
                "give more samples or fewer clusters."
            )
        rng = check_random_state(self.random_state)
        km_seed = rng.randint(np.iinfo(np.int32).max)
        if isinstance(self.init, str):
            km = KMeans(n_clusters=self.n_clusters, n_init=self.n_init, random_state=km_seed)
            start = km.fit(X).cluster_centers_
        else:
            start = check_array(self.init, dtype=np.float64)
            if start.shape != (self.n_clusters, X.shape[1]):
                raise ValueError(
                    f"init has shape {start.shape}, expected (n_clusters, n_features)="
                    f"{(self.n_clusters, X.shape[1])}."
                )
        scale = float(np.std(X)) or 1.0
        Z = torch.as_tensor(np.array(X, dtype=np.float64) / scale)
        centres = torch.tensor(
            np.asarray(start, dtype=np.float64) / scale, requires_grad=True
        )
        opt = torch.optim.Adam([centres], lr=self.lr)
        gen = torch.Generator().manual_seed(int(rng.randint(np.iinfo(np.int32).max)))
        labels = np.full(n, -1, dtype=np.intp)
        n_iter, step = self.max_iter, 0
        batch = min(self.batch_size, n)
        sums, seen, seconds = np.zeros(1), 1, 0.0  # of the last pass, for verbose

        def kl(idx):
            q_b = soft_assignment(Z[idx], centres, self.alpha, scale**2)
            p_b = target[idx]
            log_ratio = torch.log(p_b.clamp_min(1e-12)) - torch.log(q_b.clamp_min(1e-12))
            return (p_b * log_ratio).sum(dim=1).mean(), ()

        while step < self.max_iter:
            with torch.no_grad():
                q = soft_assignment(Z, centres, self.alpha, scale**2)
                target = target_distribution(q)
                new = q.argmax(dim=1).numpy().astype(np.intp)
            changed = float(np.mean(new != labels))
            labels = new
            if self.verbose and step > 0:
                print(
                    f"DEC step {step:5d}  loss {sums[-1] / seen:.5f}  changed "
                    f"{changed:.4f}  {seen / max(seconds, 1e-9):.0f} points/s",
                    flush=True,
                )
            if step > 0 and changed < self.tol:
                n_iter = step + 1
                break
            steps = min(self.update_interval, self.max_iter - step)
            sums, seen, seconds = train_pass(
                opt, (torch.randint(n, (batch,), generator=gen) for _ in range(steps)), kl
            )
            step += steps
        self._scale = scale
        self.n_iter_ = n_iter
        self.cluster_centers_ = centres.detach().numpy() * scale
        self.labels_ = self._soft(X).argmax(axis=1).astype(np.intp)
        warn_fewer_clusters(
            self.labels_,
            self.n_clusters,
            f"The Student-t kernel (alpha={self.alpha}) cannot separate points whose "
            f"distances are far below or above its scale (feature std {scale:.3g}); "
            "standardise the features or change alpha.",
        )
        return self

    def _soft(self, X):
        torch = import_torch("DEC")
        from ._torch_model import soft_assignment

        with torch.no_grad():
            q = soft_assignment(
                torch.as_tensor(np.array(X, dtype=np.float64) / self._scale),
                torch.as_tensor(self.cluster_centers_ / self._scale),
                self.alpha,
                self._scale**2,
            )
        return q.numpy()

    def predict_proba(self, X):
        """Student-t soft assignments ``q_ij``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        Q : ndarray of shape (n_samples, n_clusters)
            Rows sum to one.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return self._soft(X)

    def predict(self, X):
        """Cluster of each point (largest soft assignment).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster indices.
        """
        return self.predict_proba(X).argmax(axis=1).astype(np.intp)
