"""Benchmarks of sklearn-specclust (not installed with the library).

Run from the repository root, e.g. ``python -m benchmarks.reproduce.sanet_mnist``;
``benchmarks/README.md`` lists every module and its command.
"""
