"""Explorations kept as records of how a choice was made.

Run one as ``python -m benchmarks.studies.<name>``.
"""
