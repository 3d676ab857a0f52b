"""``python -m benchmarks.timing``: the quick timing suite of the spectral engine."""

from benchmarks.timing._suite import main

main()
