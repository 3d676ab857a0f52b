"""One module per table of the papers: ``python -m benchmarks.reproduce.<name>``."""
