"""Benchmarks, each a module run from the repository root: `python -m bench.<name> --help`.

`make bench` runs them all (bench/run_all.py). Each prints its figures beside
a native baseline measured in the same run (bench/measure.py says how).
"""
