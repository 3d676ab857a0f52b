"""RotInvINREncoder: images -> rotation-invariant latents (scikit-learn face)."""

import math
import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils import import_torch
from ..utils._images import check_angles, validate_images
from ..utils._persistence import VersionedPickleMixin
from ._training import restore_on_interrupt, train_pass

_LOSS_NAMES = ("angle", "consistency", "reconstruction", "variance", "total")


class RotInvINREncoder(VersionedPickleMixin, TransformerMixin, BaseEstimator):
    """Rotation-invariant implicit-neural-representation encoder.

    An MLP encoder maps an image to a predicted centre-of-mass direction (a
    2-vector: the image's angle), a rotation-invariant latent and an auxiliary
    latent. A hypernetwork maps ``inv + eps * aux`` (``eps ~ N(0, I)``, during
    training only) to all weights of a small MLP, the *function
    representation*, which maps random Fourier features of pixel coordinates
    rotated by the predicted angle to intensities. Training minimises
    ``angle_weight * angle + consistency_weight * consistency +
    reconstruction_weight * reconstruction`` (Kwon). :meth:`transform` returns
    the invariant latent, which is what a clusterer should see. The
    :ref:`user guide <rotinv>` explains the model and compares its settings
    with measured results.

    Parameters
    ----------
    latent_dim : int, default=32
        Size of the invariant latent (and of the auxiliary latent).
    hidden : tuple of int, default=(128, 128, 128)
        Hidden sizes of the encoder MLP (the head of ``encoder="conv"``).
    hyper_hidden : tuple of int, default=(128, 128, 256)
        Hidden sizes of the hypernetwork (of the decoder MLP when
        ``decoder="mlp"``).
    fn_hidden : tuple of int, default=(128, 128, 128)
        Hidden sizes of the generated function representation.
    n_fourier : int, default=128
        Number of random Fourier frequencies; the function representation's
        input has ``2 * n_fourier`` features.
    fourier_scale : float, default=2.0
        Standard deviation of the frequencies (cycles per unit; a square image
        spans ``(-1, 1)``).
    n_rotations : int, default=3
        Random rotations per image for the consistency loss (``M``).
    angle_weight, consistency_weight, reconstruction_weight : float, \
default=15.0, 1.0, 1.0
        Loss weights (the thesis's). With the reconstruction loss a mean
        over pixels, these weights let the invariant latent collapse to a
        near-constant code (see Notes).
    reconstruction_reduction : {"mean", "sum"}, default="mean"
        ``"mean"``: the reconstruction loss is the mean squared error per
        pixel (and channel). ``"sum"``: its sum over the pixels of each image
        (the mean times ``height * width * channels``; with ``n_coords`` the
        mean over the sampled pixels is scaled the same way), which weighs
        reconstruction ``height * width`` times more and stops the collapse
        (Notes). ``loss_curve_`` records the per-pixel mean either way.
    variance_weight : float, default=0.0
        Weight of a VICReg-style variance floor [3]_ on the invariant latent,
        ``mean_d max(0, 1 - std_d)`` over the batch; 0 (off) in the thesis.
    consistency_norm : {"none", "variance"}, default="none"
        ``"none"`` (the thesis): the consistency loss is the squared distance
        between the invariant latents of an image and of its rotations, which
        shrinking the whole latent makes small. ``"variance"`` divides it by
        twice the batch's total variance of the latent (the mean squared
        distance between two different images), a scale-free ratio that
        collapse cannot lower.
    noise_scale : float, default=1.0
        Scale of ``eps``: the hypernetwork receives ``inv + noise_scale * eps
        * aux`` during training (1 in the thesis, 0 switches the noise off).
    angle_target : {"com", "radial_com"}, default="com"
        The symmetry-breaking direction: the intensity centre of mass
        (``"com"``, the thesis) or the centre of mass weighted also by the
        squared radius (``"radial_com"``), which stays well away from the
        image centre on centred digits. The target is the unit direction.
    reference : {None, "com", "radial_com", "axis", "axis_com"}, default=None
        None (the thesis): the encoder *learns* the orientation (its 2-vector
        output, trained by the angle loss) and sees the image as it comes.
        Otherwise the orientation is *measured* analytically and the encoder
        sees the image rotated to its reference orientation, so its latent
        only has to describe canonical images and the angle loss is 0:
        ``"com"`` / ``"radial_com"``: the centre-of-mass direction (the
        thesis's reference, ``angle_target``'s two); ``"axis"``: the major
        axis of the second moments, signed by the skewness along it;
        ``"axis_com"``: that axis, signed towards the centre of mass. See
        :func:`~sklearn_specclust.inr._torch_model.reference_direction` and
        the Notes. :meth:`predict_angle` then returns the
        measured angle and :meth:`render` rotates back to it.
    consistency_views : {"rotations", "orbit"}, default="rotations"
        The ``n_rotations`` views of the consistency loss: random rotations
        of the image (the thesis), or, with a measured ``reference``, its
        canonical version turned by a half turn half the time plus a uniform
        angle in +-20 degrees (the errors of a measured axis), encoded
        without measuring again, so that the latent learns to ignore them.
        With a measured reference, random rotations are undone by the
        measurement and only teach the latent the interpolation noise.
    n_test_rotations : int, default=0
        Test-time averaging: :meth:`transform` returns the mean invariant
        latent of each image and its rotations by ``2 pi k / K``,
        ``k = 1 .. K - 1`` (``K = n_test_rotations``); 0 or 1 encode the
        image alone. Training is unchanged.
    view_angles : sequence of float, default=None
        None: :meth:`transform` returns one latent per image. Otherwise it
        returns, concatenated, the latents of the image rotated to its
        reference orientation (measured or predicted) and then turned by each
        angle (radians), encoded without measuring the orientation again: the
        views :class:`OrbitSpectralClustering` compares (``n_views =
        len(view_angles)``), so that a wrong axis sign or axis noise does not
        separate two images. Overrides ``n_test_rotations``.
    encoder : {"mlp", "conv"}, default="mlp"
        The thesis's MLP, or a small three-layer convolutional encoder
        (3x3 convolutions with 32, 64 and 64 channels, the last two of stride
        2, then an MLP head of sizes ``hidden``), as in the published
        follow-up; it trains much slower on a CPU and has not been measured
        to help (:ref:`user guide <rotinv>`).
    decoder : {"hyper", "mlp"}, default="hyper"
        The hypernetwork + function representation, or the AE baseline: an
        MLP decoder whose output image is rotated by the predicted angle.
    n_coords : int, default=None
        Pixels per batch used in the reconstruction loss of the ``"hyper"``
        decoder (random each batch); None uses all pixels.
    lr : float, default=1e-4
        Adam learning rate.
    weight_decay : float, default=1e-5
        Adam weight decay.
    batch_size : int, default=64
        Images per optimisation step.
    max_epochs : int, default=50
        Training budget in passes over the data.
    tol : float, default=1e-4
        Early stopping: training stops when the epoch's mean loss has not
        dropped by more than ``tol`` (relative) below the best for
        ``n_iter_no_change`` epochs.
    n_iter_no_change : int, default=5
        See ``tol``.
    image_shape : tuple of int, default=None
        ``(height, width)`` or ``(height, width, channels)`` of flat 2-D rows.
        None reads a row of ``n_features = s * s`` as an ``s x s`` image and
        any other row as a ``1 x n_features`` image.
    device : str, default="cpu"
        torch device, e.g. ``"cuda"``.
    warm_start : bool, default=False
        Continue training the fitted model (same image shape) on ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the batches, the rotations and ``eps``.
    verbose : int, default=0
        Print a line per epoch (losses, images/s) when positive.

    Attributes
    ----------
    module_ : torch.nn.Module
        The fitted model (on ``device``).
    n_epochs_ : int
        Epochs trained (all ``fit`` calls with ``warm_start``).
    loss_curve_ : list of dict
        Per epoch, the mean ``angle``, ``consistency``, ``reconstruction``
        (per-pixel mean squared error, whatever ``reconstruction_reduction``)
        and ``variance`` losses, unweighted, and the weighted ``total``.
    throughput_ : float
        Training images per second of the last ``fit``.
    n_features_in_ : int
        Values per image (height x width x channels) seen during ``fit``;
        flat rows of that length are read as images of the fitted shape.

    See Also
    --------
    DEC : Deep Embedded Clustering on the latents.
    make_rotinv_inr : Pipeline of this encoder and a clusterer.

    Notes
    -----
    Choices where the thesis is loose: :meth:`transform` returns ``inv``
    (``eps = 0``); the consistency loss is the squared distance between the
    invariant latents of an image and of its ``n_rotations`` rotations; the
    angle loss is taken on all views. Rotations are bilinear about the image
    centre; corners that leave the frame are zero. Intensities are divided by
    the largest absolute training value (and multiplied back by
    :meth:`render`), so 0-255 and 0-1 images train alike. The hypernetwork's output
    layer starts at a He-initialised function network (its bias) plus small
    latent-dependent changes.

    Latent collapse: with the thesis's weights and a per-pixel-mean
    reconstruction loss, the invariant latent can shrink to a near-constant
    code while the auxiliary latent grows, so that ``eps * aux`` drowns
    ``inv`` and the decoder draws an average image; the angle term (weight 15)
    dominates the shared encoder. ``reconstruction_reduction="sum"`` is the
    remedy that keeps the latent informative; ``consistency_norm="variance"``
    and ``variance_weight`` keep it spread and invariant.

    Measured reference: MNIST puts every digit's centre of mass slightly off
    the frame's centre, so on rotated MNIST the centre-of-mass direction (the
    thesis's reference) partly encodes the rotation itself;
    ``reference="axis"`` does not rely on it. A measured axis can be wrong by
    a half turn or by some degrees; ``view_angles`` with
    :class:`OrbitSpectralClustering` absorbs those errors. The accuracies of
    all these settings, with their commands, are in the
    :ref:`user guide <rotinv>`.

    References
    ----------
    .. [1] Kwon, "Rotationally Invariant Clustering with Implicit Neural
       Representations" (thesis).
    .. [2] Tancik et al., "Fourier Features Let Networks Learn High Frequency
       Functions in Low Dimensional Domains", NeurIPS 2020.
    .. [3] Bardes, Ponce and LeCun, "VICReg: Variance-Invariance-Covariance
       Regularization for Self-Supervised Learning", ICLR 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.inr import RotInvINREncoder
    >>> X = np.random.RandomState(0).rand(20, 8, 8)
    >>> enc = RotInvINREncoder(latent_dim=4, hidden=(16,), hyper_hidden=(16,),
    ...                        fn_hidden=(16,), n_fourier=8, max_epochs=2,
    ...                        random_state=0).fit(X)
    >>> enc.transform(X).shape
    (20, 4)
    >>> enc.render(X[:2], size=16).shape
    (2, 16, 16)
    """

    _needs_torch = True

    _parameter_constraints = {
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden": [tuple, list],
        "hyper_hidden": [tuple, list],
        "fn_hidden": [tuple, list],
        "n_fourier": [Interval(Integral, 1, None, closed="left")],
        "fourier_scale": [Interval(Real, 0, None, closed="neither")],
        "n_rotations": [Interval(Integral, 0, None, closed="left")],
        "angle_weight": [Interval(Real, 0, None, closed="left")],
        "consistency_weight": [Interval(Real, 0, None, closed="left")],
        "reconstruction_weight": [Interval(Real, 0, None, closed="left")],
        "reconstruction_reduction": [StrOptions({"mean", "sum"})],
        "variance_weight": [Interval(Real, 0, None, closed="left")],
        "consistency_norm": [StrOptions({"none", "variance"})],
        "noise_scale": [Interval(Real, 0, None, closed="left")],
        "angle_target": [StrOptions({"com", "radial_com"})],
        "reference": [StrOptions({"com", "radial_com", "axis", "axis_com"}), None],
        "consistency_views": [StrOptions({"rotations", "orbit"})],
        "n_test_rotations": [Interval(Integral, 0, None, closed="left")],
        "view_angles": ["array-like", None],
        "encoder": [StrOptions({"mlp", "conv"})],
        "decoder": [StrOptions({"hyper", "mlp"})],
        "n_coords": [Interval(Integral, 1, None, closed="left"), None],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "image_shape": [tuple, list, None],
        "device": [str],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        latent_dim=32,
        *,
        hidden=(128, 128, 128),
        hyper_hidden=(128, 128, 256),
        fn_hidden=(128, 128, 128),
        n_fourier=128,
        fourier_scale=2.0,
        n_rotations=3,
        angle_weight=15.0,
        consistency_weight=1.0,
        reconstruction_weight=1.0,
        reconstruction_reduction="mean",
        variance_weight=0.0,
        consistency_norm="none",
        noise_scale=1.0,
        angle_target="com",
        reference=None,
        consistency_views="rotations",
        n_test_rotations=0,
        view_angles=None,
        encoder="mlp",
        decoder="hyper",
        n_coords=None,
        lr=1e-4,
        weight_decay=1e-5,
        batch_size=64,
        max_epochs=50,
        tol=1e-4,
        n_iter_no_change=5,
        image_shape=None,
        device="cpu",
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.latent_dim = latent_dim
        self.hidden = hidden
        self.hyper_hidden = hyper_hidden
        self.fn_hidden = fn_hidden
        self.n_fourier = n_fourier
        self.fourier_scale = fourier_scale
        self.n_rotations = n_rotations
        self.angle_weight = angle_weight
        self.consistency_weight = consistency_weight
        self.reconstruction_weight = reconstruction_weight
        self.reconstruction_reduction = reconstruction_reduction
        self.variance_weight = variance_weight
        self.consistency_norm = consistency_norm
        self.noise_scale = noise_scale
        self.angle_target = angle_target
        self.reference = reference
        self.consistency_views = consistency_views
        self.n_test_rotations = n_test_rotations
        self.view_angles = view_angles
        self.encoder = encoder
        self.decoder = decoder
        self.n_coords = n_coords
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.image_shape = image_shape
        self.device = device
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ data
    def _validate(self, X, reset):
        return validate_images(self, X, reset=reset, image_shape=self.image_shape)

    def _to_tensor(self, maps):
        torch = import_torch("RotInvINREncoder")
        arr = np.array(maps.transpose(0, 3, 1, 2), dtype=np.float32, copy=True)
        arr /= np.float32(self._intensity_scale)
        return torch.from_numpy(arr).to(self.device)

    def _check_sizes(self):
        for name in ("hidden", "hyper_hidden", "fn_hidden"):
            sizes = getattr(self, name)
            if len(sizes) == 0 or not all(
                isinstance(s, Integral) and s >= 1 for s in sizes
            ):
                raise ValueError(
                    f"{name} must be a non-empty tuple of positive ints, got "
                    f"{sizes!r}."
                )

    # --------------------------------------------------------------- fitting
    def _build(self, torch):
        from ._torch_model import RotInvINR

        h, w, c = self._map_shape
        return RotInvINR(
            shape=(c, h, w),
            encoder=self.encoder,
            decoder=self.decoder,
            hidden=tuple(self.hidden),
            latent_dim=self.latent_dim,
            hyper_hidden=tuple(self.hyper_hidden),
            fn_hidden=tuple(self.fn_hidden),
            n_fourier=self.n_fourier,
            fourier_scale=float(self.fourier_scale),
            reference=self.reference,
        ).to(self.device)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the model on images ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, h, w) \
or (n_samples, h, w, c)
            Training images.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : RotInvINREncoder
            The fitted encoder.
        """
        with restore_on_interrupt(self):
            return self._fit(X)

    def _prepare_training(self, torch, maps, seed, warm):
        """Intensity scale, image tensor, module and optimiser of a fit."""
        if not warm:
            peak = float(np.max(np.abs(maps))) if maps.size else 0.0
            self._intensity_scale = peak if peak > 0 else 1.0
        images = self._to_tensor(maps)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            if not warm:
                self.module_ = self._build(torch)
                self.n_epochs_ = 0
                self.loss_curve_ = []
            if not warm or getattr(self, "_optimizer", None) is None:
                self._optimizer = torch.optim.Adam(
                    self.module_.parameters(),
                    lr=self.lr,
                    weight_decay=self.weight_decay,
                    # one fused kernel: 10x faster than the loop on CPU for
                    # the hypernetwork's 17M-weight output layer
                    fused=True,
                )
        return images

    def _record_epoch(self, sums, rate):
        """Keep an epoch's mean losses, print them, refuse a non-finite loss."""
        self.loss_curve_.append(dict(zip(_LOSS_NAMES, sums)))
        self.n_epochs_ += 1
        if self.verbose:
            print(
                f"epoch {self.n_epochs_:3d}  loss {sums[4]:.5f}  angle "
                f"{sums[0]:.5f}  consistency {sums[1]:.5f}  reconstruction "
                f"{sums[2]:.5f}  variance {sums[3]:.5f}  {rate:.0f} images/s",
                flush=True,
            )
        if not np.isfinite(sums[4]):
            raise FloatingPointError(
                f"The training loss became {sums[4]} at epoch {self.n_epochs_}; "
                "lower lr or scale the images to [0, 1]."
            )

    def _fit(self, X):
        torch = import_torch("RotInvINREncoder")
        from ._torch_model import training_losses

        self._check_sizes()
        warm = self.warm_start and hasattr(self, "module_")
        maps = self._validate(X, reset=not warm)
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        images = self._prepare_training(torch, maps, seed, warm)
        n = images.shape[0]
        gen = torch.Generator().manual_seed(seed)
        per_image = int(np.prod(self._map_shape))
        weights = (
            self.angle_weight,
            self.consistency_weight,
            self.reconstruction_weight
            * (per_image if self.reconstruction_reduction == "sum" else 1),
            self.variance_weight,
        )
        best, stale, seen, t0 = np.inf, 0, 0, time.perf_counter()
        self.module_.train()
        def loss_fn(batch):
            losses = training_losses(
                self.module_,
                batch,
                n_rotations=self.n_rotations,
                angle_target=self.angle_target,
                n_coords=self.n_coords,
                generator=gen,
                consistency_norm=self.consistency_norm,
                noise_scale=self.noise_scale,
                consistency_views=self.consistency_views,
            )
            return sum(w * loss for w, loss in zip(weights, losses)), losses

        for _ in range(self.max_epochs):
            order = torch.randperm(n, generator=gen).to(self.device)
            sums, _, seconds = train_pass(
                self._optimizer,
                (images[order[s : s + self.batch_size]] for s in range(0, n, self.batch_size)),
                loss_fn,
            )
            seen += n
            sums /= n
            self._record_epoch(sums, n / max(seconds, 1e-9))
            if sums[4] < best * (1 - self.tol):
                best, stale = sums[4], 0
            else:
                stale += 1
                if stale >= self.n_iter_no_change:
                    break
        self.throughput_ = seen / max(time.perf_counter() - t0, 1e-9)
        self.module_.eval()
        return self

    # ------------------------------------------------------------- inference
    def _batches(self, X, size=256):
        """The fitted-shape images of ``X`` as tensors of at most ``size`` images."""
        check_is_fitted(self, "module_")
        images = self._to_tensor(self._validate(X, reset=False))
        return [images[start : start + size] for start in range(0, images.shape[0], size)]

    def _encode(self, X, average=False):
        batches = self._batches(X)
        torch = import_torch("RotInvINREncoder")
        from ._torch_model import rotate_images

        k = self.n_test_rotations if average else 0
        outs = [], [], []
        with torch.no_grad():
            for batch in batches:
                p, inv, aux = self.module_.encode(batch)
                for j in range(1, k):
                    angles = batch.new_full((batch.shape[0],), 2 * math.pi * j / k)
                    inv = inv + self.module_.encode(rotate_images(batch, angles))[1]
                for acc, t in zip(outs, (p, inv / max(k, 1), aux)):
                    acc.append(t)
        return [torch.cat(acc) for acc in outs]

    def transform(self, X):
        """Rotation-invariant latents of ``X`` (``eps = 0``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, h, w) \
or (n_samples, h, w, c)
            Images of the fitted shape.

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim) or \
(n_samples, len(view_angles) * latent_dim)
            Invariant latents (averaged over ``n_test_rotations`` rotations),
            or the latents of the ``view_angles`` views, view by view.
        """
        if self.view_angles is None:
            _, inv, _ = self._encode(X, average=True)
            return inv.cpu().numpy().astype(np.float64)
        check_is_fitted(self, "module_")
        angles = check_angles(self.view_angles, "view_angles")
        batches = self._batches(X)
        torch = import_torch("RotInvINREncoder")
        out = []
        with torch.no_grad():
            for batch in batches:
                views = self.module_.encode_views(batch, angles)
                out.append(views.permute(1, 0, 2).reshape(views.shape[1], -1))
        return torch.cat(out).cpu().numpy().astype(np.float64)

    def predict_angle(self, X):
        """Predicted orientation of each image, in radians.

        The angle is that of the predicted centre-of-mass direction, measured
        counter-clockwise from ``+x`` (``pi / 2`` is the reference
        orientation, centre of mass pointing up).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, h, w) \
or (n_samples, h, w, c)
            Images of the fitted shape.

        Returns
        -------
        angles : ndarray of shape (n_samples,)
            Angles in ``(-pi, pi]``.
        """
        p, _, _ = self._encode(X)
        p = p.cpu().numpy().astype(np.float64)
        return np.arctan2(p[:, 1], p[:, 0])

    def render(self, X, *, size=None, rotate=True):
        """Reconstruct ``X`` at any resolution.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, h, w) \
or (n_samples, h, w, c)
            Images of the fitted shape.
        size : int or (int, int), default=None
            Output ``(height, width)``; an int gives a square; None the fitted
            size. The ``"mlp"`` decoder resamples its fixed-size output.
        rotate : bool or float, default=True
            True renders at the predicted orientation (a reconstruction of
            ``X``); False at the reference orientation (centre of mass up); a
            float at that angle in radians (counter-clockwise from ``+x``).

        Returns
        -------
        images : ndarray
            ``(n_samples, H, W)`` for one channel, else ``(n_samples, H, W, c)``.
        """
        torch = import_torch("RotInvINREncoder")
        from ._torch_model import unit

        p, inv, _ = self._encode(X)
        if size is None:
            size = self._map_shape[:2]
        elif isinstance(size, Integral):
            size = (int(size), int(size))
        size = tuple(int(s) for s in size)
        if len(size) != 2 or min(size) < 1:
            raise ValueError(f"size must be a positive int or (height, width), got {size}.")
        if rotate is True:
            u = unit(p)
        else:
            angle = math.pi / 2 if rotate is False else float(rotate)
            u = p.new_tensor([[math.cos(angle), math.sin(angle)]]).repeat(p.shape[0], 1)
        out = []
        with torch.no_grad():
            for start in range(0, p.shape[0], 64):
                sl = slice(start, start + 64)
                out.append(self.module_.decode(inv[sl], u[sl], size=size))
        images = torch.cat(out).cpu().numpy().astype(np.float64).transpose(0, 2, 3, 1)
        images *= self._intensity_scale
        return images[..., 0] if images.shape[-1] == 1 else images

    # ----------------------------------------------------------- persistence
    def __getstate__(self):
        state = dict(super().__getstate__())  # the versions (VersionedPickleMixin)
        state.pop("_optimizer", None)
        module = state.pop("module_", None)
        if module is not None:
            state["_module_state"] = {
                k: v.detach().cpu().clone() for k, v in module.state_dict().items()
            }
        return state

    def __setstate__(self, state):
        state = dict(state)
        module_state = state.pop("_module_state", None)
        super().__setstate__(state)
        if module_state is not None:
            torch = import_torch("RotInvINREncoder")
            module = self._build(torch)
            module.load_state_dict(module_state)
            module.eval()
            self.module_ = module

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags
