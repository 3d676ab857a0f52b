"""The generated networks of :class:`~._torch_model.HyperDecoder` as one autograd node.

Imported by :mod:`._torch_model` only (so, like it, never at
``import sklearn_specclust``).

Every image ``i`` gets its own function MLP, whose weights and biases are
row ``i`` of the hypernetwork's output ``params`` (per layer: the ``a x b``
weight matrix, row-major, then the ``b`` biases). The MLP maps the random
Fourier features ``[cos(x F_i), sin(x F_i)]`` of pixel coordinates ``x``
(``F_i``: the image's rotated frequencies, ``(2, n_fourier)``) through ReLU
layers to intensities.

Written out by hand, forward and backward, the network does the same
arithmetic as the per-operation autograd graph with fewer passes over the
``(n, pixels, width)`` activations, which dominate its time besides the
matrix products:

* the images go through all layers a small chunk at a time, forward and
  backward, so that a layer's output is still in the cache when the next
  layer (or the ReLU, or the gradient's next step) reads it;
* cosine and sine go to two contiguous buffers (vectorised library
  kernels; a strided half of one buffer is several times slower), and the
  first layer is two batched products, one per half of its weights;
* the ReLU backward acts in place on the incoming gradient, masked by the
  saved (post-ReLU) output;
* the gradients of all generated parameters are written into one
  ``params``-shaped tensor (no per-chunk gradients concatenated by
  ``torch.split``'s backward);
* with one output channel, the last layer and its input gradient are
  broadcast products (and a sum), not batched products with a dimension 1,
  and the weight gradients of narrow layers read the activations row by row;
* the Fourier features' backward reuses the saved cosine and sine
  (``d cos = -sin``, ``d sin = cos``) and is skipped, with the products
  feeding it, when the frequencies need no gradient.

The tests compare it with the plain formulation in float64.
"""

import weakref

import torch
from torch.autograd.function import once_differentiable

#: Layers narrower than this (the output layer) get their weight gradient
#: as ``(dz^T h)^T``, the product order that reads ``h`` row by row.
_NARROW = 8


#: Images per chunk: the forward and backward passes take the images a chunk
#: at a time through all layers, so that a layer's output is still in the
#: cache when the next layer reads it; a chunk's widest activation has about
#: this many bytes (at least one image). Chosen among 2**19 to 2**23 bytes
#: and no chunks by timing the thesis model's training step on 2 threads.
_CHUNK_BYTES = 1 << 20


def _chunks(n, p, width, itemsize):
    """Slices of the ``n`` images, each a chunk of about ``_CHUNK_BYTES``."""
    m = max(1, min(n, _CHUNK_BYTES // max(1, p * width * itemsize)))
    return [slice(i, min(i + m, n)) for i in range(0, n, m)]


def layer_views(params, shapes):
    """``[(W, b), ...]``: ``(n, a, b)`` weight and ``(n, b)`` bias views of ``params``."""
    n = params.shape[0]
    views, start = [], 0
    for a, b in shapes:
        W = params[:, start : start + a * b].view(n, a, b)
        start += a * b
        views.append((W, params[:, start : start + b]))
        start += b
    return views


def _like(buffer, ref):
    """``buffer`` if it has ``ref``'s shape, else a new tensor like ``ref``."""
    if buffer is not None and buffer.shape == ref.shape:
        return buffer
    return torch.empty_like(ref)


class Workspace:
    """Buffers that the generated networks of one decoder reuse from step to step.

    A training step saves several ``(n, p, width)`` activations for its
    backward pass; freshly allocated, each costs
    page faults on its first touch (glibc returns large blocks to the system
    when they are freed). A buffer is taken in the forward pass and given
    back at the end of the backward pass, or when the autograd graph that
    saved it is freed without one; a forward pass that finds no free buffer
    allocates a new one, so graphs alive at the same time never share. Only
    buffers of one ``(n, p)`` are kept (a new batch shape drops the others).
    A buffer given back after a backward pass may be overwritten by the next
    step, so a graph's backward pass cannot be run twice
    (``retain_graph=True``): autograd then refuses it as modified in place.
    """

    def __init__(self):
        self._group = None
        self._free = {}

    def take(self, shape, like):
        """A tensor of ``shape`` with the dtype and device of ``like``."""
        group = (shape[:2], like.dtype, like.device)
        if group != self._group:
            self._group, self._free = group, {}
        free = self._free.get(tuple(shape))
        if free:
            return free.pop()
        return like.new_empty(shape)

    def give(self, *tensors):
        """Give tensors back (those of another ``(n, p)`` are dropped)."""
        for t in tensors:
            if (t.shape[:2], t.dtype, t.device) == self._group:
                free = self._free.setdefault(tuple(t.shape), [])
                if len(free) < 8:
                    free.append(t)


class _Fresh:
    """The no-reuse :class:`Workspace`: new tensors, nothing kept."""

    @staticmethod
    def take(shape, like):
        return like.new_empty(shape)

    @staticmethod
    def give(*tensors):
        pass


class GeneratedNetworks(torch.autograd.Function):
    """Intensities ``(n, p, c)`` of the generated networks at coordinates ``(p, 2)``.

    ``apply(freq, params, coords, shapes, workspace)``: ``freq``
    ``(n, 2, n_fourier)`` (the ``2 pi``-scaled, rotated frequencies),
    ``params`` ``(n, P)``, ``coords`` ``(p, 2)`` (no gradient), ``shapes``
    the ``(a, b)`` of each layer, the first with ``a = 2 n_fourier``, and a
    :class:`Workspace` or None (new tensors every time).
    """

    @staticmethod
    def forward(ctx, freq, params, coords, shapes, workspace):
        ws = _Fresh if workspace is None else workspace
        n, p, f = params.shape[0], coords.shape[0], freq.shape[-1]
        widths = [b for _, b in shapes]
        cos, sin = ws.take((n, p, f), params), ws.take((n, p, f), params)
        hidden = [ws.take((n, p, b), params) for b in widths[:-1]]
        out = params.new_empty(n, p, widths[-1])
        layers = layer_views(params, shapes)
        prod = None
        for s in _chunks(n, p, max(f, *widths), params.element_size()):
            m = s.stop - s.start
            c, sn = cos[s], sin[s]
            torch.bmm(coords.expand(m, p, 2), freq[s], out=c)
            torch.sin(c, out=sn)
            c.cos_()
            W, b = layers[0]
            h = (hidden[0] if hidden else out)[s]
            torch.baddbmm(b[s].unsqueeze(1), c, W[s, :f], out=h)
            h.baddbmm_(sn, W[s, f:])
            for k, (W, b) in enumerate(layers[1:], 1):
                h.relu_()
                target = (hidden[k] if k < len(hidden) else out)[s]
                if k == len(hidden) and widths[-1] == 1:
                    # one output: a broadcast product and a sum
                    prod = torch.mul(h, W[s].transpose(1, 2), out=_like(prod, h))
                    torch.sum(prod, dim=-1, keepdim=True, out=target)
                    target.add_(b[s].unsqueeze(1))
                else:
                    torch.baddbmm(b[s].unsqueeze(1), h, W[s], out=target)
                h = target
        ctx.shapes, ctx.workspace = shapes, ws
        # the buffers go back to the workspace after the backward pass, or
        # when the graph is freed without one (a no-op for _Fresh)
        ctx.release = weakref.finalize(ctx, ws.give, cos, sin, *hidden)
        ctx.save_for_backward(coords, params, cos, sin, *hidden)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        coords, params, cos, sin, *hidden = ctx.saved_tensors
        need_freq, need_params = ctx.needs_input_grad[:2]
        n, p, f = cos.shape
        layers = layer_views(params, ctx.shapes)
        gparams = torch.empty_like(params) if need_params else None
        gviews = layer_views(gparams, ctx.shapes) if need_params else None
        gfreq = cos.new_empty(n, 2, f) if need_freq else None
        grad = grad.contiguous()
        # the gradients of one chunk of images flow through all layers while
        # they are in the cache, in buffers reused from chunk to chunk
        tmp = Workspace()
        widths = [b for _, b in ctx.shapes]
        for s in _chunks(n, p, max(f, *widths), cos.element_size()):
            m = s.stop - s.start
            dz = grad[s]
            for k in range(len(layers) - 1, 0, -1):
                W, h = layers[k][0][s], hidden[k - 1][s]
                if need_params:
                    if dz.shape[-1] < _NARROW:  # h read row by row: faster here
                        gviews[k][0][s].copy_(torch.bmm(dz.transpose(1, 2), h).transpose(1, 2))
                    else:
                        gviews[k][0][s].copy_(torch.bmm(h.transpose(1, 2), dz))
                    torch.sum(dz, dim=1, out=gviews[k][1][s])
                dh = tmp.take(h.shape, h)
                if W.shape[-1] == 1:  # one output: an outer product, broadcast
                    torch.mul(dz, W.transpose(1, 2), out=dh)
                else:
                    torch.bmm(dz, W.transpose(1, 2), out=dh)
                if k < len(layers) - 1:
                    tmp.give(dz)
                # ReLU backward in place: zero where the saved output is 0
                dz = torch.ops.aten.threshold_backward.grad_input(dh, h, 0, grad_input=dh)
            c, sn = cos[s], sin[s]
            if need_params:
                gW, gb = gviews[0]
                gW[s, :f].copy_(torch.bmm(c.transpose(1, 2), dz))
                gW[s, f:].copy_(torch.bmm(sn.transpose(1, 2), dz))
                torch.sum(dz, dim=1, out=gb[s])
            if need_freq:
                W = layers[0][0][s]
                dcos = torch.bmm(dz, W[:, :f].transpose(1, 2), out=tmp.take(c.shape, c))
                dproj = torch.bmm(dz, W[:, f:].transpose(1, 2), out=tmp.take(c.shape, c))
                # d/dproj: sin' = cos, cos' = -sin
                dproj.mul_(c).addcmul_(dcos, sn, value=-1)
                torch.bmm(coords.T.expand(m, 2, p), dproj, out=gfreq[s])
                tmp.give(dcos, dproj)
            if len(layers) > 1:
                tmp.give(dz)
        ctx.release()
        return gfreq, gparams, None, None, None


class WideLinear(torch.autograd.Function):
    """``x @ W.T + b`` for a layer with far more outputs than inputs and rows.

    ``apply(x, W, b)`` with ``x`` ``(n, k)``, ``W`` ``(P, k)`` (the layout of
    :class:`torch.nn.Linear`), ``b`` ``(P,)``. The product is formed as
    ``(W @ x.T).T``, with ``W`` read row by row instead of through a
    transposed view, the slower operand order of the library's matrix
    product for the hypernetwork's ``256 -> 66049`` output layer; the values
    are those of :func:`torch.nn.functional.linear`.
    """

    @staticmethod
    def forward(ctx, x, W, b):
        # (P, n) with the bias folded in, then one blocked transposing copy
        out = x.new_empty(x.shape[0], W.shape[0])
        out.copy_(torch.addmm(b.unsqueeze(1), W, x.t()).t())
        ctx.save_for_backward(x, W)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        x, W = ctx.saved_tensors
        need_x, need_W, need_b = ctx.needs_input_grad
        gx = torch.mm(grad, W) if need_x else None
        gW = torch.mm(grad.t(), x) if need_W else None
        gb = grad.sum(dim=0) if need_b else None
        return gx, gW, gb
