"""Fit-time safety shared by the inr estimators."""

import copy
import time
from contextlib import contextmanager

import numpy as np


@contextmanager
def restore_on_interrupt(estimator):
    """Give ``estimator`` back its state from before ``fit`` if the fit stops early.

    Any exception, a :class:`KeyboardInterrupt` included, restores the
    attributes the estimator had on entry (an estimator that was not fitted
    is left unfitted, not half-fitted) and the weights and optimiser state of
    a warm-started ``module_``, then re-raises.
    """
    saved = dict(estimator.__dict__)
    lists = {k: list(v) for k, v in saved.items() if isinstance(v, list)}
    states = [
        (obj, copy.deepcopy(obj.state_dict()))
        for obj in (saved.get("module_"), saved.get("_optimizer"))
        if obj is not None
    ]
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(saved, **lists)
        for obj, state in states:
            obj.load_state_dict(state)
        raise


def train_pass(optimizer, batches, loss_fn):
    """One pass of gradient steps, the training loop of the encoder and DEC.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        Steps once per batch.
    batches : iterable
        Batches (anything with a length: a tensor of images or of indices).
    loss_fn : callable
        ``loss_fn(batch)`` returns ``(total, parts)``: the loss to minimise and
        a sequence of loss tensors to record.

    Returns
    -------
    sums : ndarray of shape (len(parts) + 1,)
        Sums over the pass of ``batch size * value`` for each part, then the
        total (divide by ``seen`` for means per sample).
    seen : int
        Samples in the pass.
    seconds : float
        Wall-clock time of the pass.
    """
    t0 = time.perf_counter()
    sums, seen = 0.0, 0
    for batch in batches:
        total, parts = loss_fn(batch)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        m = len(batch)
        sums = sums + m * np.array([float(v.detach()) for v in (*parts, total)])
        seen += m
    return sums, seen, time.perf_counter() - t0
