"""`make bench`: the performance harness (docs/performance.md). Run it as `python -m bench`."""
