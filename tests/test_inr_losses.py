"""The loss options of RotInvINREncoder against the latent collapse."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn_specclust.inr import RotInvINREncoder  # noqa: E402
from sklearn_specclust.inr._torch_model import RotInvINR, training_losses  # noqa: E402

LATENT = 3


def _model(seed=0):
    torch.manual_seed(seed)
    return RotInvINR(
        shape=(1, 8, 8), encoder="mlp", decoder="mlp", hidden=(16,), latent_dim=LATENT,
        hyper_hidden=(16,), fn_hidden=(16,), n_fourier=4, fourier_scale=1.0,
    )


def _scale_invariant_latent(model, factor):
    last = model.encoder.net[-1]
    with torch.no_grad():
        last.weight[2 : 2 + LATENT] *= factor
        last.bias[2 : 2 + LATENT] *= factor


def _losses(model, images, **kwargs):
    gen = torch.Generator().manual_seed(0)
    return training_losses(
        model, images, n_rotations=2, angle_target="com", n_coords=None,
        generator=gen, **kwargs,
    )


@pytest.fixture
def images(rng):
    return torch.from_numpy(rng.rand(16, 1, 8, 8).astype(np.float32))


def test_normalised_consistency_is_scale_free(images):
    model = _model()
    plain = _losses(model, images)[1].item()
    normed = _losses(model, images, consistency_norm="variance")[1].item()
    _scale_invariant_latent(model, 10.0)
    # the thesis's consistency scales with the latent, the normalised one does not
    assert _losses(model, images)[1].item() == pytest.approx(plain * 100, rel=1e-3)
    assert _losses(model, images, consistency_norm="variance")[1].item() == pytest.approx(
        normed, rel=1e-2
    )


def test_variance_floor_penalises_a_collapsed_latent(images):
    model = _model()
    _scale_invariant_latent(model, 1e-3)
    collapsed = _losses(model, images)[3].item()
    assert collapsed > 0.95
    _scale_invariant_latent(model, 1e6)
    assert _losses(model, images)[3].item() == 0.0


def test_noise_scale_zero_removes_eps(images):
    model = _model()
    a = training_losses(model, images, n_rotations=0, angle_target="com", n_coords=None,
                        generator=torch.Generator().manual_seed(1), noise_scale=0.0)
    b = training_losses(model, images, n_rotations=0, angle_target="com", n_coords=None,
                        generator=torch.Generator().manual_seed(2), noise_scale=0.0)
    assert a[2].item() == b[2].item()
    c = training_losses(model, images, n_rotations=0, angle_target="com", n_coords=None,
                        generator=torch.Generator().manual_seed(2))
    assert c[2].item() != b[2].item()


def test_loss_curve_records_variance_term(rng):
    X = rng.rand(20, 8, 8)
    enc = RotInvINREncoder(
        latent_dim=LATENT, hidden=(16,), hyper_hidden=(16,), fn_hidden=(16,),
        n_fourier=4, max_epochs=1, decoder="mlp", consistency_norm="variance",
        variance_weight=1.0, random_state=0,
    ).fit(X)
    record = enc.loss_curve_[-1]
    assert set(record) == {"angle", "consistency", "reconstruction", "variance", "total"}
    expected = (15 * record["angle"] + record["consistency"] + record["reconstruction"]
                + record["variance"])
    assert record["total"] == pytest.approx(expected, rel=1e-5)


def test_reconstruction_sum_weighs_by_pixels(rng):
    X = rng.rand(20, 8, 8)
    enc = RotInvINREncoder(
        latent_dim=LATENT, hidden=(16,), hyper_hidden=(16,), fn_hidden=(16,),
        n_fourier=4, max_epochs=1, reconstruction_reduction="sum", random_state=0,
    ).fit(X)
    record = enc.loss_curve_[-1]
    assert record["reconstruction"] < 1  # recorded as the per-pixel mean
    expected = 15 * record["angle"] + record["consistency"] + 64 * record["reconstruction"]
    assert record["total"] == pytest.approx(expected, rel=1e-5)


def test_bad_loss_options_rejected(rng):
    X = rng.rand(10, 8, 8)
    with pytest.raises(ValueError, match="consistency_norm"):
        RotInvINREncoder(consistency_norm="cosine").fit(X)
    with pytest.raises(ValueError, match="reconstruction_reduction"):
        RotInvINREncoder(reconstruction_reduction="max").fit(X)
    with pytest.raises(ValueError, match="variance_weight"):
        RotInvINREncoder(variance_weight=-1.0).fit(X)


def _losses_and_grads(model, images, fused, n_coords):
    model.decoder.fused = fused
    model.zero_grad()
    losses = training_losses(
        model, images, n_rotations=2, angle_target="com", n_coords=n_coords,
        generator=torch.Generator().manual_seed(0),
    )
    total = 15 * losses[0] + losses[1] + losses[2]
    total.backward()
    grads = [p.grad.clone() for p in model.parameters()]
    return [float(v.detach()) for v in losses], grads


def _hyper_model(fn_hidden=(12, 10), channels=1):
    torch.manual_seed(0)
    return RotInvINR(
        shape=(channels, 8, 8), encoder="mlp", decoder="hyper", hidden=(16,),
        latent_dim=LATENT, hyper_hidden=(16, 24), fn_hidden=fn_hidden, n_fourier=6,
        fourier_scale=2.0,
    )


@pytest.mark.parametrize("fused", [True, "layers"])
@pytest.mark.parametrize("n_coords", [None, 20])
def test_fused_decoder_matches_the_reference_formulation(images, n_coords, fused):
    # the fused steps (rotated frequencies; one Fourier buffer with its own
    # backward and in-place ReLUs, or one hand-written autograd node)
    # compute the same losses and gradients in float32
    model = _hyper_model()
    ref_losses, ref_grads = _losses_and_grads(model, images, False, n_coords)
    new_losses, new_grads = _losses_and_grads(model, images, fused, n_coords)
    np.testing.assert_allclose(new_losses, ref_losses, rtol=1e-5, atol=1e-7)
    assert all(g.abs().max() > 0 for g in ref_grads[-4:])  # the decoder learns
    for a, b in zip(ref_grads, new_grads):
        torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("chunk_bytes", [None, 1, 20000])
@pytest.mark.parametrize(
    "fn_hidden, channels", [((12, 10), 1), ((12, 10, 9), 3), ((), 1), ((7,), 2)]
)
def test_generated_networks_node_is_exact_in_float64(
    images, fn_hidden, channels, chunk_bytes, monkeypatch
):
    # the hand-written forward and backward of the generated networks (the
    # default) against the plain per-operation autograd graph, in float64:
    # the losses and every parameter's gradient agree to rounding, with the
    # images in one chunk (the default on these tiny images), one image per
    # chunk, or chunks of unequal size
    from sklearn_specclust.inr import _generated

    if chunk_bytes is not None:
        monkeypatch.setattr(_generated, "_CHUNK_BYTES", chunk_bytes)
    model = _hyper_model(fn_hidden, channels).double()
    x = images.double().repeat(1, channels, 1, 1)
    x = x * torch.linspace(0.5, 1.0, channels, dtype=x.dtype).reshape(1, -1, 1, 1)
    ref_losses, ref_grads = _losses_and_grads(model, x, False, None)
    new_losses, new_grads = _losses_and_grads(model, x, True, None)
    np.testing.assert_allclose(new_losses, ref_losses, rtol=1e-12, atol=1e-14)
    decoder = dict(model.named_parameters())
    assert decoder["decoder.head.weight"].grad.abs().max() > 0
    assert decoder["encoder.net.0.weight"].grad.abs().max() > 0
    for (name, _), a, b in zip(model.named_parameters(), ref_grads, new_grads):
        torch.testing.assert_close(b, a, rtol=1e-10, atol=1e-13, msg=name)


def test_generated_networks_reuse_buffers_across_steps_exactly(images):
    # Adam steps with the buffers reused from step to step (the default) and
    # with the plain graph end at the same weights (float64)
    weights = []
    for fused in (False, True):
        model = _hyper_model().double()
        model.decoder.fused = fused
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        gen = torch.Generator().manual_seed(0)
        for step in range(4):
            batch = images.double()[4 * (step % 2) : 4 * (step % 2) + 12]
            losses = training_losses(model, batch, n_rotations=2, angle_target="com",
                                     n_coords=None, generator=gen)
            opt.zero_grad()
            (15 * losses[0] + losses[1] + losses[2]).backward()
            opt.step()
        weights.append([p.detach().clone() for p in model.parameters()])
    from sklearn_specclust.inr._torch_model import _WORKSPACES

    assert _WORKSPACES.get(model.decoder) is not None  # the path under test
    model.eval()  # what fit does at its end: the buffers are freed
    assert _WORKSPACES.get(model.decoder) is None
    for a, b in zip(*weights):
        torch.testing.assert_close(b, a, rtol=1e-10, atol=1e-12)


def test_generated_networks_two_graphs_alive_do_not_share_buffers(images):
    # two decodes of the same decoder in one loss, then one backward pass:
    # the second forward pass may not overwrite the first one's activations
    model = _hyper_model().double()
    z = torch.randn(5, LATENT, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    u = torch.nn.functional.normalize(torch.randn(5, 2, dtype=torch.float64), dim=1)
    grads = []
    for fused in (False, True):
        model.decoder.fused = fused
        model.zero_grad()
        zz, uu = z.clone().requires_grad_(), u.clone().requires_grad_()
        first = model.decode(zz, uu)
        second = model.decode(zz * 0.5, uu.flip(1))
        ((first - 0.3) ** 2 + (second + 0.2) ** 3).sum().backward()
        grads.append([zz.grad, uu.grad, *(p.grad.clone() for p in model.decoder.parameters())])
    for a, b in zip(*grads):
        torch.testing.assert_close(b, a, rtol=1e-10, atol=1e-12)


def test_generated_networks_second_backward_after_reuse_is_refused(images):
    # a graph kept with retain_graph=True whose buffers a later step reused
    # is refused by autograd, not differentiated with overwritten activations
    model = _hyper_model()
    z = torch.randn(5, LATENT, requires_grad=True)
    u = torch.nn.functional.normalize(torch.randn(5, 2), dim=1)
    loss = model.decode(z, u).sum()
    loss.backward(retain_graph=True)
    model.decode(z * 2, u).sum().backward()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_generated_networks_gradcheck():
    # finite differences of the node itself, through both of its inputs
    from sklearn_specclust.inr._generated import GeneratedNetworks

    gen = torch.Generator().manual_seed(0)
    shapes = [(6, 5), (5, 4), (4, 2)]
    n_params = sum(a * b + b for a, b in shapes)
    freq = torch.randn(2, 2, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    params = torch.randn(2, n_params, generator=gen, dtype=torch.float64,
                         requires_grad=True)
    coords = torch.rand(7, 2, generator=gen, dtype=torch.float64) * 2 - 1
    assert torch.autograd.gradcheck(
        lambda f, p: GeneratedNetworks.apply(f, p, coords, shapes, None), (freq, params)
    )


def test_fused_fourier_features_gradient_is_exact():
    from sklearn_specclust.inr._torch_model import _FourierFeatures

    proj = torch.randn(2, 5, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(_FourierFeatures.apply, (proj,))


def test_wide_linear_is_linear():
    from sklearn_specclust.inr._generated import WideLinear

    gen = torch.Generator().manual_seed(0)
    x, W, b = (torch.randn(*s, generator=gen, dtype=torch.float64, requires_grad=True)
               for s in ((3, 4), (9, 4), (9,)))
    torch.testing.assert_close(WideLinear.apply(x, W, b), torch.nn.functional.linear(x, W, b))
    assert torch.autograd.gradcheck(WideLinear.apply, (x, W, b))
