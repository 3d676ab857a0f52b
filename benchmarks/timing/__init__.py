"""Timing of the spectral engine.

``python -m benchmarks.timing`` runs the quick suite (:mod:`benchmarks.timing._suite`);
the other modules answer one question each at full scale.
"""
