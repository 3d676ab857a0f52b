"""torch modules of the rotation-invariant INR model (torch is imported here and in ``_generated``).

This module is imported lazily, from the methods of
:class:`~sklearn_specclust.inr.RotInvINREncoder` and
:class:`~sklearn_specclust.inr.DEC`, never at ``import sklearn_specclust``.

Conventions
-----------
Images travel as ``(n, c, h, w)`` float tensors. Pixel centres get isotropic
coordinates: with ``s = max(h, w)``, column ``j`` has ``x = (2j + 1 - w) / s``
and row ``i`` has ``y = -(2i + 1 - h) / s`` (``+y`` points up), so a square
image spans ``(-1, 1)`` on both axes and rotations are rotations, also for
non-square images. An orientation is a unit 2-vector ``u``; the rotation
``R(u)`` maps ``+y`` to ``u``. The *reference* orientation of an image is the
one whose centre of mass points along ``+y``.
"""

import math
import weakref

import torch
from torch import nn
from torch.nn import functional as F

from ._generated import GeneratedNetworks, WideLinear, Workspace


def pixel_coords(h, w, device=None, dtype=torch.float32):
    """Isotropic ``(h * w, 2)`` coordinates ``(x, y)`` of the pixel centres."""
    s = float(max(h, w))
    x = (2 * torch.arange(w, device=device, dtype=dtype) + 1 - w) / s
    y = -(2 * torch.arange(h, device=device, dtype=dtype) + 1 - h) / s
    yy, xx = torch.meshgrid(y, x, indexing="ij")
    return torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)


def rotation_matrices(u):
    """``(n, 2, 2)`` rotations ``R`` with ``R @ (0, 1) = u`` for unit rows ``u``."""
    ux, uy = u[:, 0], u[:, 1]
    return torch.stack(
        [torch.stack([uy, ux], dim=1), torch.stack([-ux, uy], dim=1)], dim=1
    )


def unit(v, eps=1e-8):
    """Rows of ``v`` scaled to unit length (zero rows give ``+y``)."""
    norm = v.norm(dim=1, keepdim=True)
    fallback = torch.zeros_like(v)
    fallback[:, 1] = 1.0
    return torch.where(norm > eps, v / norm.clamp_min(eps), fallback)


def rotate_images(images, angles):
    """Rotate ``(n, c, h, w)`` images counter-clockwise by ``angles`` (radians).

    Bilinear interpolation about the image centre; pixels that come from
    outside the frame are zero.
    """
    n, _, h, w = images.shape
    s = float(max(h, w))
    xy = pixel_coords(h, w, images.device, images.dtype)  # (hw, 2)
    cos, sin = torch.cos(angles), torch.sin(angles)
    # source = R(-angle) @ target
    inv = torch.stack(
        [torch.stack([cos, sin], dim=1), torch.stack([-sin, cos], dim=1)], dim=1
    )
    src = torch.einsum("nij,pj->npi", inv, xy)
    grid = torch.stack([src[..., 0] * s / w, -src[..., 1] * s / h], dim=-1)
    grid = grid.reshape(n, h, w, 2)
    return F.grid_sample(
        images, grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )


def centre_of_mass(images, target="com"):
    """Centre-of-mass direction targets ``(n, 2)`` of ``(n, c, h, w)`` images.

    ``target="com"`` weighs coordinates by the absolute intensity (averaged
    over channels); ``"radial_com"`` also by the squared radius, which moves
    the centre of mass away from the image centre (MNIST digits are centred by
    their plain centre of mass, so its direction is decided by a fraction of a
    pixel). The result is scaled to unit length (zero for empty images).
    """
    n, _, h, w = images.shape
    xy = pixel_coords(h, w, images.device, images.dtype)
    mass = images.abs().mean(dim=1).reshape(n, -1)
    if target == "radial_com":
        mass = mass * (xy**2).sum(dim=1)
    com = mass @ xy / mass.sum(dim=1, keepdim=True).clamp_min(1e-12)
    norm = com.norm(dim=1, keepdim=True)
    return torch.where(norm > 1e-8, com / norm.clamp_min(1e-8), torch.zeros_like(com))


def reference_direction(images, kind="com"):
    """Measured orientation ``(n, 2)`` of ``(n, c, h, w)`` images, as unit rows.

    The direction that the image's reference orientation maps to ``+y``:

    * ``"com"`` / ``"radial_com"``: the (radially weighted) centre-of-mass
      direction of :func:`centre_of_mass`, about the image centre;
    * ``"axis"``: the major axis of the intensity's second moments about its
      centre of mass, signed so that the third moment (skewness) of the mass
      along it is positive; it depends on the image content only, not on
      where the image centre is;
    * ``"axis_com"``: the same axis, signed to point towards the centre of
      mass seen from the image centre (the thesis's direction decides the
      sign, the second moments the angle).

    Images with no mass get ``+y`` (no rotation); so does the axis of an
    isotropic image (``atan2(0, 0) = 0`` gives a defined, arbitrary axis).
    """
    if kind in ("com", "radial_com"):
        return unit(centre_of_mass(images, kind))
    n, _, h, w = images.shape
    xy = pixel_coords(h, w, images.device, images.dtype)
    mass = images.abs().mean(dim=1).reshape(n, -1)
    total = mass.sum(dim=1, keepdim=True)
    weights = mass / total.clamp_min(1e-12)
    centre = weights @ xy  # (n, 2), about the image centre
    d = xy.unsqueeze(0) - centre.unsqueeze(1)  # (n, hw, 2)
    cov = torch.einsum("np,npi,npj->nij", weights, d, d)
    # major axis of the symmetric 2x2 second moments, in closed form
    a, b, c = cov[:, 0, 0], cov[:, 0, 1], cov[:, 1, 1]
    theta = 0.5 * torch.atan2(2 * b, a - c)
    axis = torch.stack([torch.cos(theta), torch.sin(theta)], dim=1)
    if kind == "axis":
        proj = (d * axis.unsqueeze(1)).sum(dim=2)
        side = (weights * proj**3).sum(dim=1, keepdim=True)
    elif kind == "axis_com":
        side = (centre * axis).sum(dim=1, keepdim=True)
    else:
        raise ValueError(f"Unknown reference direction {kind!r}.")
    axis = torch.where(side < 0, -axis, axis)
    up = torch.zeros_like(axis)
    up[:, 1] = 1.0
    return torch.where(total > 1e-12, axis, up)


def canonicalize(images, u):
    """Rotate ``(n, c, h, w)`` images so that the directions ``u`` point up (``+y``)."""
    angles = math.pi / 2 - torch.atan2(u[:, 1], u[:, 0])
    return rotate_images(images, angles)


def turned_views(canon, angles):
    """Views ``(n_views, n, c, h, w)``: ``canon`` turned by each of ``angles`` (0 keeps it)."""
    n = canon.shape[0]
    return torch.stack(
        [canon if a == 0 else rotate_images(canon, canon.new_full((n,), a)) for a in angles]
    )


def _mlp(sizes, last_activation=False):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2 or last_activation:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class MLPEncoder(nn.Module):
    """Image -> (centre-of-mass 2-vector, invariant latent, auxiliary latent)."""

    def __init__(self, n_inputs, hidden, latent_dim):
        super().__init__()
        self.latent_dim = latent_dim
        self.net = _mlp([n_inputs, *hidden, 2 + 2 * latent_dim])

    def forward(self, images):
        out = self.net(images.reshape(images.shape[0], -1))
        d = self.latent_dim
        return out[:, :2], out[:, 2 : 2 + d], out[:, 2 + d :]


class ConvEncoder(nn.Module):
    """Small convolutional encoder (an option; the thesis uses the MLP)."""

    def __init__(self, channels, h, w, hidden, latent_dim):
        super().__init__()
        self.latent_dim = latent_dim
        self.conv = nn.Sequential(
            nn.Conv2d(channels, 32, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(64, 64, 3, stride=2, padding=1),
            nn.ReLU(),
        )
        with torch.no_grad():
            n_flat = self.conv(torch.zeros(1, channels, h, w)).numel()
        self.head = _mlp([n_flat, *hidden, 2 + 2 * latent_dim])

    def forward(self, images):
        out = self.head(self.conv(images).flatten(1))
        d = self.latent_dim
        return out[:, :2], out[:, 2 : 2 + d], out[:, 2 + d :]


#: Largest axis error (radians) the "orbit" consistency views simulate.
ORBIT_JITTER = math.radians(20.0)

# The generated network's output layer starts 10x smaller than He: with the
# full gain its first outputs have unit scale and the first epochs only learn
# to output ~0. Measured on 1000 rotated MNIST images, reconstruction loss
# only, lr 1e-3: mean MSE of epoch 1 / epoch 6 is 2.02 / 0.060 with the full
# gain and 0.137 / 0.052 with 0.1.
_LAST_GAIN = 0.1

#: The buffers each HyperDecoder's training steps reuse (not part of the
#: module's state: never pickled or copied, freed with the module).
_WORKSPACES = weakref.WeakKeyDictionary()


class _FourierFeatures(torch.autograd.Function):
    """``[cos(proj), sin(proj)]`` along the last axis, one buffer, no recomputation.

    The backward pass reuses the saved features (``d cos = -sin``,
    ``d sin = cos``) instead of evaluating the other function again, and the
    forward pass writes both halves into one tensor instead of concatenating.
    """

    @staticmethod
    def forward(ctx, proj):
        f = proj.shape[-1]
        out = proj.new_empty(*proj.shape[:-1], 2 * f)
        torch.cos(proj, out=out[..., :f])
        torch.sin(proj, out=out[..., f:])
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        f = out.shape[-1] // 2
        return torch.addcmul(grad[..., f:] * out[..., :f], grad[..., :f], out[..., f:], value=-1)


class HyperDecoder(nn.Module):
    """Hypernetwork writing a per-image function representation.

    The hypernetwork ``latent -> hyper_hidden -> P`` outputs all weights and
    biases of the function MLP ``2 * n_fourier -> fn_hidden -> channels``,
    which maps random Fourier features ``[cos 2piBx, sin 2piBx]`` of rotated
    coordinates to intensities. The per-image networks run as one batched
    matrix product per layer (``torch.baddbmm`` with the generated weights as
    views of the hypernetwork's output, no per-image loop).

    ``fused`` chooses how the same function is evaluated:

    * ``True`` (the default): the generated networks are one autograd node
      with a hand-written backward pass (:class:`._generated.GeneratedNetworks`)
      whose buffers training steps reuse (:class:`._generated.Workspace`), the
      head multiplies in the faster operand order
      (:class:`._generated.WideLinear`), and the frequencies are rotated
      instead of the coordinates (``(x R) B^T = x (R B^T)``, a
      ``(2, n_fourier)`` product per image instead of a ``(pixels, 2)`` one);
    * ``"layers"``: the rotated frequencies with per-operation autograd, the
      Fourier features one buffer with its own backward
      (:class:`_FourierFeatures`) and in-place hidden ReLUs (kept to measure
      the one-node version against);
    * ``False``: the plain formulation (the reference the tests compare
      against).
    """

    def __init__(self, latent_dim, hyper_hidden, fn_hidden, n_fourier, scale, channels):
        super().__init__()
        self.fused = True
        self.register_buffer("B", torch.randn(n_fourier, 2) * scale)
        sizes = [2 * n_fourier, *fn_hidden, channels]
        self.shapes = list(zip(sizes[:-1], sizes[1:]))
        self.n_params = sum(a * b + b for a, b in self.shapes)
        self.hyper = _mlp([latent_dim, *hyper_hidden], last_activation=True)
        self.head = nn.Linear(hyper_hidden[-1], self.n_params)
        # The generated networks start at a He-uniform initialisation (the
        # output layer scaled by _LAST_GAIN): the head's bias holds one such
        # network, its weights add small latent-dependent changes.
        with torch.no_grad():
            bias = []
            for k, (a, b) in enumerate(self.shapes):
                bound = 1.0 / math.sqrt(a)
                if k == len(self.shapes) - 1:
                    bound *= _LAST_GAIN
                bias.append(torch.empty(a * b).uniform_(-bound, bound) * math.sqrt(6))
                bias.append(torch.zeros(b))
            self.head.bias.copy_(torch.cat(bias))
            self.head.weight.mul_(0.1)

    def train(self, mode=True):
        """Set the training mode; leaving it frees the buffers training steps reuse."""
        if not mode:
            _WORKSPACES.pop(self, None)
        return super().train(mode)

    def features(self, coords):
        proj = 2 * math.pi * coords @ self.B.T
        return torch.cat([torch.cos(proj), torch.sin(proj)], dim=-1)

    def forward(self, z, u, coords):
        """Intensities ``(n, p, c)`` at ``coords`` (``(p, 2)``) for orientation ``u``."""
        if self.fused:
            # x_ref = x R(u) (row vectors), so x_ref B^T = x (R(u) B^T)
            freq = (2 * math.pi) * torch.matmul(rotation_matrices(u), self.B.T)
        if self.fused is True:
            params = WideLinear.apply(self.hyper(z), self.head.weight, self.head.bias)
            # training steps reuse the decoder's buffers, inference does not
            ws = None
            if self.training and torch.is_grad_enabled() and params.requires_grad:
                ws = _WORKSPACES.setdefault(self, Workspace())
            return GeneratedNetworks.apply(freq, params, coords, self.shapes, ws)
        params = self.head(self.hyper(z))
        # split (not slicing) keeps the backward pass to one concatenation
        sizes = [s for a, b in self.shapes for s in (a * b, b)]
        chunks = torch.split(params, sizes, dim=1)
        if self.fused:
            h = _FourierFeatures.apply(torch.matmul(coords, freq))
        else:
            # x_ref = R(u)^T x  (row vectors: x @ R)
            local = torch.einsum("pj,nji->npi", coords, rotation_matrices(u))
            h = self.features(local)
        last = len(self.shapes) - 1
        for k, (a, b) in enumerate(self.shapes):
            W = chunks[2 * k].reshape(-1, a, b)
            bias = chunks[2 * k + 1].unsqueeze(1)
            h = torch.baddbmm(bias, h, W)
            if k < last:
                # baddbmm's backward does not need its output: ReLU in place
                h = h.relu_() if self.fused else torch.relu(h)
        return h


class MLPDecoder(nn.Module):
    """AE baseline: latent -> image in the reference orientation, then rotated."""

    def __init__(self, latent_dim, hidden, channels, h, w):
        super().__init__()
        self.shape = (channels, h, w)
        self.net = _mlp([latent_dim, *hidden, channels * h * w])

    def forward(self, z, u, size=None):
        ref = self.net(z).reshape(-1, *self.shape)
        if size is not None and tuple(size) != self.shape[1:]:
            ref = F.interpolate(ref, size=tuple(size), mode="bilinear", align_corners=False)
        # R(u) maps +y to u: rotate counter-clockwise by atan2(-ux, uy)
        angles = torch.atan2(-u[:, 0], u[:, 1])
        return rotate_images(ref, angles)


class RotInvINR(nn.Module):
    """Encoder + decoder of the rotation-invariant INR (or its AE baseline)."""

    def __init__(
        self,
        *,
        shape,
        encoder,
        decoder,
        hidden,
        latent_dim,
        hyper_hidden,
        fn_hidden,
        n_fourier,
        fourier_scale,
        reference=None,
    ):
        super().__init__()
        c, h, w = shape
        self.shape = tuple(shape)
        self.decoder_kind = decoder
        self.reference = reference
        if encoder == "conv":
            self.encoder = ConvEncoder(c, h, w, hidden, latent_dim)
        else:
            self.encoder = MLPEncoder(c * h * w, hidden, latent_dim)
        if decoder == "hyper":
            self.decoder = HyperDecoder(
                latent_dim, hyper_hidden, fn_hidden, n_fourier, fourier_scale, c
            )
        else:
            self.decoder = MLPDecoder(latent_dim, hyper_hidden, c, h, w)

    def encode(self, images):
        """(orientation 2-vector, invariant latent, auxiliary latent) of images.

        With a measured ``reference``, the orientation is the measured
        direction and the encoder sees the image rotated to it (its own
        2-vector output is unused); else the encoder predicts it.
        """
        if self.reference is None:
            return self.encoder(images)
        u = reference_direction(images, self.reference)
        _, inv, aux = self.encoder(canonicalize(images, u))
        return u, inv, aux

    def encode_views(self, images, angles):
        """Invariant latents ``(n_views, n, d)`` of each image's canonical views.

        The image is rotated to its reference orientation (measured, or the
        predicted one), turned by each of ``angles`` and encoded without
        measuring its orientation again.
        """
        if self.reference is None:
            u = unit(self.encoder(images)[0])
        else:  # measured: no encoder pass is needed to find it
            u = unit(reference_direction(images, self.reference))
        views = turned_views(canonicalize(images, u), angles)
        return torch.stack([self.encoder(view)[1] for view in views])

    def decode(self, z, u, size=None):
        """Images ``(n, c, H, W)`` at orientation ``u`` (``size`` defaults to fitted)."""
        c = self.shape[0]
        H, W = size if size is not None else self.shape[1:]
        if self.decoder_kind == "hyper":
            coords = pixel_coords(H, W, z.device, z.dtype)
            out = self.decoder(z, u, coords)
            return out.transpose(1, 2).reshape(-1, c, H, W)
        return self.decoder(z, u, size=(H, W))

    def decode_at(self, z, u, idx):
        """Intensities ``(n, k, c)`` at the flat pixel indices ``idx`` (hyper only)."""
        coords = pixel_coords(*self.shape[1:], z.device, z.dtype)[idx]
        return self.decoder(z, u, coords)


def training_losses(
    model,
    images,
    *,
    n_rotations,
    angle_target,
    n_coords,
    generator,
    consistency_norm="none",
    noise_scale=1.0,
    consistency_views="rotations",
):
    """The four losses of one batch: angle, consistency, reconstruction, variance.

    * angle: squared error between the encoder's 2-vector and the unit
      centre-of-mass direction, on the image and its ``n_rotations`` random
      rotations (0 when the model's orientation is measured, ``reference``);
    * consistency: squared distance between the invariant latent of the image
      and those of its rotations; with ``consistency_norm="variance"`` divided
      by twice the batch's total variance of the invariant latent (the mean
      squared distance between two different images), so that it is
      scale-free and shrinking the latent does not lower it; with
      ``consistency_views="orbit"`` and a measured ``reference``, the
      rotations are of the canonical image by a half turn (half the time)
      plus up to +-20 degrees, encoded without measuring again;
    * reconstruction: squared error of the image rendered from
      ``inv + eps * aux`` (``eps ~ N(0, I)``) at the predicted orientation,
      on all pixels or ``n_coords`` random ones per batch;
    * variance: VICReg's hinge ``mean_d max(0, 1 - std_d)`` on the batch
      standard deviation of each invariant-latent dimension (a floor against
      collapse; weighted by ``variance_weight``, 0 in the thesis).
    """
    n = images.shape[0]
    orbit = consistency_views == "orbit" and getattr(model, "reference", None) is not None
    if n_rotations > 0 and orbit:
        # the canonical image against itself turned by the errors a measured
        # axis makes: a half turn (half the time) and up to +-20 degrees
        u = reference_direction(images, model.reference)
        canon = canonicalize(images, u)
        half = torch.randint(0, 2, (n * n_rotations,), generator=generator) * math.pi
        jitter = (torch.rand(n * n_rotations, generator=generator) * 2 - 1) * ORBIT_JITTER
        angles = (half + jitter).to(images.device, images.dtype)
        turned = rotate_images(canon.repeat(n_rotations, 1, 1, 1), angles)
        _, inv, aux = model.encoder(torch.cat([canon, turned]))
        p = u
    else:
        if n_rotations > 0:
            angles = torch.rand(n * n_rotations, generator=generator) * (2 * math.pi)
            angles = angles.to(images.device, images.dtype)
            rotated = rotate_images(images.repeat(n_rotations, 1, 1, 1), angles)
            views = torch.cat([images, rotated])
        else:
            views = images
        p, inv, aux = model.encode(views)
    if getattr(model, "reference", None) is None:
        target = centre_of_mass(views, angle_target)
        angle = ((p - target) ** 2).sum(dim=1).mean()
    else:  # the orientation is measured, not learned
        angle = inv.new_zeros(())
    inv0, aux0 = inv[:n], aux[:n]
    if n_rotations > 0:
        others = inv[n:].reshape(n_rotations, n, -1)
        consistency = ((others - inv0.unsqueeze(0)) ** 2).sum(dim=2).mean()
        if consistency_norm == "variance" and n > 1:
            spread = 2 * inv0.var(dim=0).sum()
            consistency = consistency / (spread + 1e-4)
    else:
        consistency = inv0.new_zeros(())
    if n > 1:
        variance = torch.relu(1.0 - torch.sqrt(inv0.var(dim=0) + 1e-4)).mean()
    else:
        variance = inv0.new_zeros(())
    eps = torch.randn(aux0.shape, generator=generator).to(aux0.device, aux0.dtype)
    z = inv0 + noise_scale * eps * aux0
    u = unit(p[:n])
    c, h, w = model.shape
    if model.decoder_kind == "hyper" and n_coords is not None and n_coords < h * w:
        idx = torch.randperm(h * w, generator=generator)[:n_coords].to(images.device)
        out = model.decode_at(z, u, idx)  # (n, k, c)
        truth = images.reshape(n, c, h * w)[:, :, idx].transpose(1, 2)
        recon = ((out - truth) ** 2).mean()
    else:
        recon = ((model.decode(z, u) - images) ** 2).mean()
    return angle, consistency, recon, variance


def soft_assignment(z, centres, alpha, sq_scale=1.0):
    """DEC's Student-t soft assignment ``q_ij``, computed in log space.

    ``z`` and ``centres`` are features divided by a scale ``s``;
    ``sq_scale = s ** 2`` restores the original distances in the kernel.
    """
    d2 = (
        (z**2).sum(dim=1, keepdim=True)
        + (centres**2).sum(dim=1)
        - 2 * z @ centres.T
    ).clamp_min(0)
    logits = -(alpha + 1.0) / 2.0 * torch.log1p(d2 * (sq_scale / alpha))
    return torch.softmax(logits, dim=1)


def target_distribution(q):
    """DEC's sharpened target ``p_ij = (q_ij^2 / f_j) / sum_j'(...)``."""
    weight = q**2 / q.sum(dim=0, keepdim=True).clamp_min(1e-12)
    return weight / weight.sum(dim=1, keepdim=True)
