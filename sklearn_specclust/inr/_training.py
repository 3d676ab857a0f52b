"""Fit-time safety shared by the inr estimators."""

import copy
from contextlib import contextmanager


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
